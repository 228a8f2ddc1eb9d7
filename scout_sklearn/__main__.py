"""``python -m scout_sklearn``: the ``scout-sklearn`` command line."""

from __future__ import annotations

import sys

from scout_sklearn.cli import main

if __name__ == "__main__":
    sys.exit(main())
