"""grader.peers.lines.protocol with bytes alone: the replies the server makes and how it finds lines."""

import shlex

from grader.peers.lines.protocol import (LineSplitter, client_command, describe_difference, expected_replies, pieces,
                                  reply_to, show_item, show_list, text_literal, wire)


def test_reply_shows_the_line_number_and_the_line():
    assert reply_to(1, b"hello") == "1 → hello\n".encode()
    assert reply_to(12, "wörld 🙂".encode()) == "12 → wörld 🙂\n".encode()


def test_reply_keeps_the_line_exactly():
    for line in (b"", b"  padded  ", b"tab\there", b"carriage\r", "u2028\u2028x".encode()):
        assert reply_to(3, line) == b"3 \xe2\x86\x92 " + line + b"\n"


def test_every_reply_has_a_multibyte_character_to_cut():
    assert any(byte >= 0xC0 for byte in reply_to(1, b""))


def test_a_line_that_is_not_utf8_gets_a_utf8_reply_no_valid_line_gets():
    reply = reply_to(2, "café".encode("latin-1"))
    assert reply == "2 ✗ not UTF-8: b'caf\\xe9'\n".encode()
    assert reply.decode("utf-8").count("\n") == 1
    assert reply != reply_to(2, b"not UTF-8: b'caf\\xe9'")


def test_expected_replies_are_the_server_replies_as_text():
    messages = ["a", "", "ü b "]
    assert expected_replies(messages) == ["1 → a", "2 → ", "3 → ü b "]
    assert [reply_to(n, m.encode()).decode()[:-1] for n, m in enumerate(messages, 1)] == expected_replies(messages)


def test_expected_replies_show_swaps_and_repeats():
    assert expected_replies(["x", "y"]) != expected_replies(["y", "x"])
    assert expected_replies(["x", "x"]) == ["1 → x", "2 → x"]


def test_splitter_returns_complete_lines_only():
    splitter = LineSplitter()
    assert splitter.feed(b"hel") == []
    assert splitter.pending == b"hel"
    assert splitter.feed(b"lo\nwor") == [b"hello"]
    assert splitter.feed(b"ld\n\nlast") == [b"world", b""]
    assert splitter.pending == b"last"


def test_splitter_ends_lines_at_newline_only():
    splitter = LineSplitter()
    assert splitter.feed(b"a\r\nb\rc\x85\n") == [b"a\r", b"b\rc\x85"]
    assert splitter.pending == b""


def test_splitter_handles_a_long_line_in_many_pieces():
    splitter = LineSplitter()
    for _ in range(1000):
        assert splitter.feed(b"x" * 1000) == []
    assert splitter.feed(b"\ny") == [b"x" * 1_000_000]
    assert splitter.pending == b"y"


# -- what send_messages returned, against what it should have ----------------------------------

def test_a_difference_is_said_in_one_sentence():
    expected = expected_replies(["a", "b"])
    assert describe_difference(expected, expected) is None
    assert describe_difference(expected, ("1 → a", "2 → b")) == "send_messages returned a tuple, not a list."
    assert describe_difference(expected, [b"1", b"2"]) == "send_messages returned a list of bytes, not of str."
    assert describe_difference(expected, ["1 → a", "2 → b\n"]) == "Reply 2 is '2 → b\\n'; expected '2 → b'."
    assert describe_difference(expected, ["1 → a"]) == "send_messages returned 1 reply for 2 messages."
    assert describe_difference(expected, ["1 → a", "2 → ", "b"]) == \
        "send_messages returned 3 replies for 2 messages. Reply 2 is '2 → '; expected '2 → b'."


def test_an_opaque_value_is_named_by_its_type():
    class Opaque:  # as grader.learner.process.Opaque: a value that could not cross the process boundary
        type = "generator"

    assert describe_difference(["1 → a"], Opaque()) == "send_messages returned a generator, not a list."


def test_long_messages_and_replies_are_shown_cut_with_their_length():
    assert show_item("short") == "'short'"
    assert show_item("é" * 150_000) == "'" + "é" * 30 + "...' (150,000 characters)"
    assert show_item(b"x" * 100) == "b'" + "x" * 30 + "...' (100 bytes)"
    assert show_list(["a", "b" * 100]) == "['a', '" + "b" * 30 + "...' (100 characters)]"
    assert show_list(("a",)) == "('a',)"
    assert show_list(None) == "None"


# -- showing a conversation ---------------------------------------------------------------------

def test_wire_shows_short_data_whole_and_long_data_by_its_ends():
    assert wire(b"hello\n") == "b'hello\\n'"
    shown = wire("é".encode() * 1000 + b"end\n")
    assert shown.startswith("b'\\xc3\\xa9") and shown.endswith("end\\n' (2,004 bytes in all)")
    assert len(shown) < 130


def test_pieces_say_how_the_replies_were_cut():
    assert pieces([b"abc"]) == " in one piece"
    assert pieces([b"abcd", b"efgh", b"ijk"]) == " in 3 pieces of 4, 4 and 3 bytes"
    assert pieces([b"x"] * 25) == " in 25 pieces of 1, 1, 1, 1, 1, 1, 1, 1, ... bytes"


def test_a_text_literal_pastes_into_single_quotes_and_means_the_same_text():
    for text in ["plain", "wörld 🙂", "tab\there", "form\x0cfeed\u2028\x85", 'quote " and \' and \\', ""]:
        literal = text_literal(text)
        assert "'" not in literal
        assert eval(literal) == text  # a Python literal of the same text
    assert text_literal("é\t") == '"é\\t"'


def test_client_command_uses_the_learner_file_for_plain_words():
    assert client_command(["hello", "wörld", "two words"], 1.0, 9000) == \
        "python exercises/multi_message_client/multi_message_client.py 9000 hello 'wörld' 'two words'"


def test_client_command_uses_python_for_what_a_shell_cannot_pass():
    command = client_command(["", "tab\t", "-x"], 0.5, 9000)
    assert command == ("cd exercises/multi_message_client && python -c 'from multi_message_client import "
                       'send_messages; print(send_messages("127.0.0.1", 9000, ["", "tab\\t", "-x"], timeout=0.5))\'')
    code = shlex.split(command)[-1]
    assert 'send_messages("127.0.0.1", 9000, ["", "tab\\t", "-x"], timeout=0.5)' in code
    assert client_command([], 1.0, 9000).endswith("[], timeout=1))'")
    assert client_command(["x" * 201], 1.0, 9000) is None
