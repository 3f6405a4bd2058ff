"""python -m forum runs the porchlight command."""

import sys

from forum.cli import main

sys.exit(main())
