"""The grader's reading of Budget Chat, and its room scripts, without sockets."""

import pytest

from grader.peers.chat.protocol import LineBuffer, is_notice, message, names_named, valid_name
from grader.peers.chat.script import quoted, steps


@pytest.mark.parametrize("name, valid", [
    ("alice1", True), ("7", True), ("abcdefghijklmno6", True), ("ALICE1", True),
    ("", False), ("abcdefghijklmnop1", False), ("bob-2", False), ("bob 2", False), ("bob_2", False),
    ("bob2\r", False), ("bøb2", False), ("bob2\n", False)])
def test_a_name_is_1_to_16_ascii_letters_and_digits(name, valid):
    assert valid_name(name) is valid


def test_names_are_whole_words_and_case_sensitive():
    line = "* The room contains: alice1, bob22, Carol3"
    assert names_named(line, {"alice1", "bob2", "carol3", "Carol3", "The"}) == {"alice1", "Carol3", "The"}
    assert names_named("* alice1has entered", {"alice1"}) == set()
    assert is_notice(line) and not is_notice("[alice1] * not a notice")


def test_a_message_line_is_exact():
    assert message("alice1", "  hi  ") == "[alice1]   hi  "


def test_lines_come_out_whole_however_the_bytes_are_cut():
    buffer = LineBuffer()
    assert buffer.feed(b"on") == []
    assert buffer.feed(b"e\ntwo\nthr") == ["one", "two"]
    assert buffer.partial == b"thr"
    assert buffer.feed(b"ee\n\xff\n") == ["three", "\\xff"]
    assert buffer.partial == b""


def test_a_script_is_steps_of_name_verb_and_text():
    assert steps('alice1 joins; "" tries; "bob 2" tries; alice1 says hello, world; bob2 floods 3') == [
        ("alice1", "joins", ""), ("", "tries", ""), ("bob 2", "tries", ""), ("alice1", "says", "hello, world"),
        ("bob2", "floods", "3")]
    assert [quoted(name) for name in ("", "bob 2", "bob-2")] == ['""', '"bob 2"', "bob-2"]
    with pytest.raises(ValueError, match="the verb must be one of"):
        steps("alice1 shouts hi")
