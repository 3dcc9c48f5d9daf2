"""amber: a static site generator for published AI chat conversations.

The package reads like the pipeline, lowest layer first; a module imports only
from its own folder and from layers below it (``tests/unit/test_layers.py``
holds the rule):

- base: ``errors`` (the error types), ``progress`` (progress bars),
  ``atomic`` (writes that never leave half a file);
- ``content``: the user's files, read, validated and written;
- ``render``: content to bytes, with the one site-wide assembly and leak check;
- ``build``: where the bytes go (``amber build``, memory, ``amber check``);
- ``review``, ``importers``, ``fork``, ``lock``, ``serve``, ``scaffold``: the
  features built on those;
- ``commands``: one module per command; ``cli``: the parser and exit codes.
"""

__version__ = "0.1.0"
