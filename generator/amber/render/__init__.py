"""Turning content into the bytes of the published site, without writing any.

``markdown`` (with ``mathml`` and ``code_styles``) renders message text safely;
``theme`` finds templates and static files; ``templates`` is the Jinja
environment; ``pages`` holds the template contexts; ``exports`` writes
``conversation.json`` and ``conversation.md``; ``search`` the search index;
``record`` what a rendered share leaves for the rest of the site; ``site`` one
share's page and files and the one site-wide assembly with its leak check;
``links`` checks internal links of a rendered site.

May import: ``amber.content`` and the base modules (``errors``, ``progress``,
``atomic``), and itself. No file is written here: where bytes go is
``amber.build``'s business.
"""
