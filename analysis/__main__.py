"""``python -m analysis``: the same command line as the ``ghost`` console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
