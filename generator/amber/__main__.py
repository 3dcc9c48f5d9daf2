"""Allow ``python -m amber`` as well as the ``amber`` console script."""

import sys

from amber.cli import main

sys.exit(main())
