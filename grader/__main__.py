"""``python -m grader``: the same command as ``grader``."""

import sys

from grader.cli import main

sys.exit(main())
