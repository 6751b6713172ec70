"""grader/learner/limits.py: the limits course staff set with NETKATA_LIMITS, and how a hit one is said."""

import pytest

from grader.learner import limits
from grader.learner.limits import Limits, LimitsError


def test_defaults_and_a_partial_setting():
    assert limits.parse("") == Limits()
    changed = limits.parse("memory=512MiB, processes=20,cpu=10")
    assert (changed.memory, changed.processes, changed.cpu) == (512 << 20, 20, 10)
    assert changed.file_size == Limits().file_size


def test_output_is_no_limit_and_saying_so_is_an_error_that_says_why():
    with pytest.raises(LimitsError, match="output is not limited"):
        limits.parse("output=16MiB")


@pytest.mark.parametrize("text", ["memory=lots", "memory=-1", "walltime=5", "cpu=0", "file_size=3 parsecs"])
def test_a_setting_that_cannot_be_read_is_an_error(text):
    with pytest.raises(LimitsError, match="NETKATA_LIMITS"):
        limits.parse(text)


def test_a_hit_limit_is_named_in_words():
    assert limits.because("memory", Limits()) == "used more than 1 GiB of memory, the limit for a learner's program"
    assert "more than 40 processes" in limits.sentence("processes", Limits())
    assert limits.size(16 << 20) == "16 MiB" and limits.size(300) == "300 bytes"


def test_exit_statuses_that_mean_a_kernel_limit():
    import signal

    assert limits.from_exit_status(-signal.SIGXCPU) == "cpu"
    assert limits.from_exit_status(-signal.SIGKILL) is None
    assert limits.from_exit_status(0) is None


def test_the_grader_refuses_a_setting_it_cannot_read():
    from conftest import run_grader

    result = run_grader("echo_server", "--solutions", env={"NETKATA_LIMITS": "memory=lots"})
    assert result.returncode == 2
    assert "NETKATA_LIMITS" in result.stderr
