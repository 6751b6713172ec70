"""``python -m grader``: the same command as ``grader``."""

import sys

from grader.cli.main import main

sys.exit(main())
