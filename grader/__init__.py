"""netkata's grader: hidden checks that run learner code over real sockets and explain the result.

Kept empty of imports on purpose: the command line must answer an untouched stub without
loading pytest or Hypothesis.
"""

__version__ = "0.1.0"
