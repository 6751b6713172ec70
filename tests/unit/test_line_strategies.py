"""The multi_message_client strategies: every drawn message is valid, every cut keeps the bytes."""

import pytest
from hypothesis import HealthCheck, find, given, settings

from grader.peers.lines.protocol import reply_to
from grader.katas.multi_message_client.strategies import TRICKY, messages, reply_cuts

pytestmark = pytest.mark.timeout(60)

FAST = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(messages())
def test_every_message_is_a_valid_message(drawn):
    for message in drawn:
        assert "\n" not in message and "\r" not in message
        message.encode("utf-8")  # no lone surrogate


@FAST
@given(messages(), reply_cuts())
def test_every_cut_keeps_the_replies_whole_and_in_order(drawn, cut):
    replies = [reply_to(n, m.encode("utf-8")) for n, m in enumerate(drawn, 1)]
    pieces = cut.split(replies)
    assert b"".join(pieces) == b"".join(replies)
    assert all(pieces)


def test_the_tricky_characters_come_up():
    seen = set()

    @settings(max_examples=100, derandomize=True, database=None, deadline=None)
    @given(messages())
    def collect(drawn):
        seen.update(c for m in drawn for c in m if c in TRICKY)

    collect()
    assert seen == set(TRICKY)


def test_a_failing_cut_shrinks_to_one_byte_at_a_time():
    assert str(find(reply_cuts(), lambda cut: True, settings=settings(derandomize=True, database=None))) \
        == "one byte at a time"
