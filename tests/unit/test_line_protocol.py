"""grader.line_protocol with bytes alone: the replies the server makes and how it finds lines."""

from grader.line_protocol import LineSplitter, expected_replies, reply_to


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
