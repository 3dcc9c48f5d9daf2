"""``amber review``: what a change between two git revisions does to the published site.

``git`` reads a revision's files without checking it out; ``summary`` builds the
site at both revisions (in memory, as ``amber check`` does) and writes the
Markdown summary.

May import: ``amber.build``, ``amber.render``, ``amber.content``, the base
modules, and itself.
"""
