"""Where rendered bytes go: ``amber build`` to disk, the preview server and ``amber
check`` to memory.

``pipeline`` is the one entry of ``amber build`` (quick answer, then the delta,
then the full build); ``quick`` answers a build with nothing changed; ``delta``
applies a few changed share or revocation files; ``pool`` renders shares on
every core; ``memory`` builds the site into a dict of bytes; ``cache`` is
``.amber-cache/`` and alone knows its layout; ``swap`` brings the spare output
tree up to date and exchanges it with ``output/``; ``check`` is what ``amber
check`` and ``amber review`` decide about a site; ``result`` what a build reports.

May import: ``amber.render``, ``amber.content``, the base modules, and itself.
"""
