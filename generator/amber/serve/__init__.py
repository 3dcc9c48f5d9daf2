"""The preview server behind ``amber serve`` and ``amber preview``.

Stages, one module each: ``loader`` (reload content/, parsing only changed
files), ``builder`` (render the site through ``amber.build.memory.render_site``,
reusing unchanged share pages), ``rebuild`` (the debounced loop that turns file
events into a new served state), ``watcher`` (watchdog), ``state`` (the state
requests read and the live-reload hub), ``routes`` (safe paths, GitHub Pages
resolution), ``app`` (one request, no sockets), ``drafts`` and ``views`` (draft
pages, the management page, the error overlay), ``inject`` (the server's tags in
pages it sends), ``server`` (sockets and threads), ``console`` (the foreground
command). The server writes nothing: the site lives in memory, and drafts and
the management page exist only as responses.
"""
