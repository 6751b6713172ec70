"""grader.peers.http.wire with bytes alone: what it accepts, what it rejects, and where it points."""

import pytest

from grader.peers.http.wire import Request, ResponseError, ResponseReader, curl_command, excerpt, show_bytes

HELLO = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 13\r\n"
    b"\r\n"
    b"Hello, World!"
)
HELLO_HEAD = HELLO[: -len(b"Hello, World!")]
NOT_ALLOWED = b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n"


def read(data, *requests, eof=False):
    """Feed `data` for `requests` ((method, closes) pairs, default one GET); return the responses.

    Fails the test if a response is missing; raises ResponseError as the reader does.
    """
    reader = ResponseReader()
    for method, closes in requests or [("GET", False)]:
        reader.expect(method, close=closes)
    reader.feed(data)
    if eof:
        reader.feed_eof()
    responses = [reader.next_response() for _ in requests or [None]]
    assert None not in responses, str(reader.stalled())
    reader.finish()
    return responses


def problem(data, *requests, eof=False):
    with pytest.raises(ResponseError) as caught:
        read(data, *requests, eof=eof)
    return caught.value


def test_a_valid_response_is_parsed_with_its_exact_bytes():
    [response] = read(HELLO)
    assert (response.method, response.http_version, response.status, response.reason) == ("GET", "1.1", 200, "OK")
    assert response.headers == (("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "13"))
    assert response.header("content-type") == "text/plain; charset=utf-8"
    assert response.header("Allow") is None
    assert (response.body, response.raw, response.offset) == (b"Hello, World!", HELLO, 0)


def test_responses_arriving_byte_by_byte_are_complete_only_at_their_last_byte():
    reader = ResponseReader()
    reader.expect("GET")
    reader.expect("POST")
    stream = HELLO + NOT_ALLOWED
    responses = []
    for index in range(len(stream)):
        reader.feed(stream[index : index + 1])
        response = reader.next_response() if len(responses) < 2 else None
        if response is not None:
            responses.append((index + 1, response))
    assert [(end, r.status, r.offset, r.raw) for end, r in responses] == [
        (len(HELLO), 200, 0, HELLO),
        (len(stream), 405, len(HELLO), NOT_ALLOWED),
    ]
    assert reader.reusable
    reader.finish()


def test_a_response_to_head_has_no_body():
    [response] = read(HELLO_HEAD, ("HEAD", False))
    assert (response.status, response.header("Content-Length"), response.body) == (200, "13", b"")


def test_an_empty_reason_phrase_is_accepted():
    [response] = read(HELLO.replace(b"200 OK", b"200 "))
    assert response.reason == ""


def test_a_chunked_body_is_accepted():
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nHello, World!\r\n0\r\n\r\n"
    assert read(data)[0].body == b"Hello, World!"


def test_without_content_length_the_body_runs_to_the_close_when_the_request_closes_the_connection():
    data = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nbad request"
    [response] = read(data, ("GET", True), eof=True)
    assert (response.status, response.body) == (400, b"bad request")
    assert not response.header("Content-Length")


def test_connection_close_in_the_response_ends_reuse():
    reader = ResponseReader()
    reader.expect("GET")
    assert reader.reusable
    reader.feed(HELLO.replace(b"Content-Length", b"Connection: close\r\nContent-Length"))
    assert reader.next_response().status == 200
    assert not reader.reusable


@pytest.mark.parametrize(
    "data, requests, eof, words, offset",
    [
        pytest.param(HELLO.replace(b"\r\n", b"\n"), [], False, "bare \\n", 15, id="bare-LF"),
        pytest.param(HELLO.replace(b"13\r\n\r\n", b"13\r\n\n"), [], False, "bare \\n", 78, id="bare-LF-blank-line"),
        pytest.param(HELLO.replace(b"200 OK", b"200"), [], False, "no reason phrase", 12, id="no-reason"),
        pytest.param(HELLO.replace(b"HTTP/1.1", b"HTTP/2.0"), [], False, "HTTP version", 5, id="version"),
        pytest.param(HELLO.replace(b"200", b"2OO"), [], False, "three digits", 10, id="status-code"),
        pytest.param(HELLO.replace(b"1 200", b"1  200"), [], False, "status code must", 9, id="two-spaces"),
        pytest.param(b"Hello, World!", [], False, "does not start with a status line", 0, id="no-head"),
        pytest.param(b"<h1>Hello</h1>", [], False, "does not start with a status line", 0, id="html-only"),
        pytest.param(HELLO.replace(b"Length:", b"Length :"), [], False, "between a header name and its colon", 72, id="space-before-colon"),
        pytest.param(HELLO.replace(b"Length:", b"Length"), [], False, "no colon", 72, id="no-colon"),
        pytest.param(HELLO.replace(b"13\r\n", b"13\r\n folded\r\n"), [], False, "starts with whitespace", 78, id="folding"),
        pytest.param(HELLO.replace(b"plain;", b"plain\x01;"), [], False, "control byte \\x01", 41, id="control-byte"),
        pytest.param(HELLO.replace(b"plain;", b"plain\r;"), [], False, "a \\r (CR) inside a line", 41, id="stray-CR"),
        pytest.param(HELLO.replace(b"\r\n\r\n", b"\r\nContent-Length: 13\r\n\r\n"), [], False, "sent twice", 78, id="two-lengths"),
        pytest.param(HELLO.replace(b"13", b"13 bytes"), [], False, "whole number", 74, id="length-not-a-number"),
        pytest.param(
            HELLO.replace(b"\r\n\r\nHello, World!", b"\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nHello, World!\r\n0\r\n\r\n"),
            [], False, "Content-Length and Transfer-Encoding", 78, id="length-and-chunked",
        ),
        pytest.param(
            HELLO.replace(b"Content-Length: 13\r\n", b""), [], False, "without a Content-Length", 58, id="no-length-keep-alive"
        ),
        pytest.param(HELLO.replace(b"13", b"12"), [], False, "1 more byte came after the end", 92, id="length-one-short"),
        pytest.param(HELLO + b"\r\n", [], False, "2 more bytes came after", 93, id="crlf-after-body"),
        pytest.param(HELLO + b"\r\n" + HELLO, [("GET", False)] * 2, False, "2 more bytes came after", 93, id="crlf-between"),
        pytest.param(HELLO, [("HEAD", False)], False, "HEAD has no body", 80, id="head-with-body"),
        pytest.param(HELLO + NOT_ALLOWED, [], False, 'more than the requests sent came, "HTTP/1.1 405', 93, id="extra-response"),
        pytest.param(
            HELLO.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n") + HELLO,
            [("GET", False)] * 2, False, "ended the connection", 112, id="after-close",
        ),
        pytest.param(HELLO.replace(b"13", b"14"), [], True, "the connection closed after 13 of the 14 body bytes", 93, id="closed-mid-body"),
        pytest.param(HELLO_HEAD[:-2], [], True, "closed before the end of the response head", 78, id="closed-in-head"),
        pytest.param(b"", [], True, "closed before any response to the GET request", 0, id="closed-at-once"),
        pytest.param(HELLO, [("GET", False)] * 2, True, "closed before any response to the GET", 93, id="closed-before-second"),
        pytest.param(b"HTTP/1.1 100 Continue\r\n\r\n" + HELLO, [], False, "interim 100 response", 0, id="interim"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", [], False, "illegal chunk header", 47, id="bad-chunk"
        ),
        pytest.param(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", [], False, "chunked is supported", 0, id="gzip"),
    ],
)
def test_problems_are_named_and_located(data, requests, eof, words, offset):
    error = problem(data, *requests, eof=eof)
    assert words in error.problem
    assert error.offset == offset
    assert error.data == data


def test_stalled_says_what_is_missing():
    reader = ResponseReader()
    reader.expect("GET")
    assert "before any response to the GET request" in reader.stalled().problem
    reader.feed(HELLO_HEAD + b"Hello")
    assert reader.next_response() is None
    assert "after 5 of the 13 body bytes" in reader.stalled().problem
    with pytest.raises(ResponseError, match="no more bytes came"):
        reader.finish()


def test_a_body_without_length_that_never_closes_stalls():
    reader = ResponseReader()
    reader.expect("GET", close=True)
    reader.feed(b"HTTP/1.1 200 OK\r\n\r\nHello, World!")
    assert reader.next_response() is None
    assert "connection stayed open" in reader.stalled().problem


def test_a_server_speaking_no_http_is_caught_before_any_line_ends():
    reader = ResponseReader()
    reader.expect("GET")
    reader.feed(b"HTTP/")
    assert reader.next_response() is None
    reader = ResponseReader()
    reader.expect("GET")
    reader.feed(b"Hell")
    with pytest.raises(ResponseError, match="does not start with a status line"):
        reader.next_response()


def test_the_error_shows_an_excerpt_with_a_caret_under_the_byte():
    error = problem(HELLO.replace(b"\r\n", b"\n"))
    assert str(error) == (
        "this line ends in a bare \\n (LF); every line of an HTTP/1.1 head ends in \\r\\n (CRLF)\n"
        'at byte 15: "HTTP/1.1 200 OK\\n"...\n'
        "                            ^"
    )


def test_excerpt_shows_the_line_before_a_line_start_and_points_past_the_end():
    assert excerpt(b"ab\r\ncd", 4) == 'at byte 4: "ab\\r\\ncd"\n' + " " * 18 + "^"
    assert excerpt(b"ab", 2) == 'at byte 2: "ab"\n' + " " * 14 + "^"
    assert excerpt(b"", 0) == 'at byte 0: ""\n' + " " * 12 + "^"


def test_excerpt_cuts_long_lines_around_the_offset():
    data = b"x" * 100 + b"!" + b"y" * 100
    assert excerpt(data, 100) == f'at byte 100: ..."{"x" * 40}!{"y" * 39}"...\n{" " * 57}^'


def test_show_bytes_escapes_one_byte_at_a_time():
    assert show_bytes(b'a"\\\r\n\t\x00\xff~') == '"a\\"\\\\\\r\\n\\t\\x00\\xff~"'


def test_request_bytes_and_whether_it_closes_the_connection():
    request = Request("POST", "/x", (("Host", "h"), ("Content-Length", "2")), b"hi")
    assert request.to_bytes() == b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
    assert not request.closes_connection
    assert Request("GET", headers=(("Connection", "keep-alive, Close"),)).closes_connection
    assert Request("GET", version="HTTP/1.0").closes_connection
    assert not Request("GET", headers=(("Connection", "keep-alive"),), version="HTTP/1.0").closes_connection


HOST = (("Host", "127.0.0.1:8000"),)


@pytest.mark.parametrize(
    "requests, command",
    [
        ([Request("GET", "/", HOST)], "curl -v http://127.0.0.1:8000/"),
        ([Request("HEAD", "/a?b=c", HOST)], "curl -v -I 'http://127.0.0.1:8000/a?b=c'"),
        (
            [Request("POST", "/", HOST + (("Content-Length", "5"),), b"hello")],
            "curl -v --data-binary hello http://127.0.0.1:8000/",
        ),
        (
            [Request("PUT", "/", HOST + (("Content-Length", "2"),), b"hi")],
            "curl -v -X PUT --data-binary hi http://127.0.0.1:8000/",
        ),
        ([Request("DELETE", "/", HOST)], "curl -v -X DELETE http://127.0.0.1:8000/"),
        ([Request("GET", "/", HOST, version="HTTP/1.0")], "curl -v --http1.0 http://127.0.0.1:8000/"),
        ([Request("GET", "/")], "curl -v -H Host: http://127.0.0.1:8000/"),
        ([Request("GET", "/", (("Host", "127.0.0.1:54321"),))], "curl -v http://127.0.0.1:8000/"),
        (
            [Request("GET", "/", HOST), Request("GET", "/", HOST + (("Connection", "close"),))],
            "curl -v http://127.0.0.1:8000/ --next -H 'Connection: close' http://127.0.0.1:8000/",
        ),
        ([Request("GET", "/a/../b", HOST)], "curl -v --path-as-is http://127.0.0.1:8000/a/../b"),
        ([Request("GET", "/a b", HOST)], None),
        ([Request("GET", "*", HOST)], None),
        ([Request("GET", "/", HOST, version="HTTP/2.0")], None),
        ([Request("G ET", "/", HOST)], None),
        ([Request("POST", "/", HOST + (("Content-Length", "9"),), b"hi")], None),
        ([Request("POST", "/", HOST, b"hi")], None),
        ([Request("POST", "/", HOST + (("Content-Length", "1"),), b"\x00")], None),
        ([Request("GET", "/", HOST), Request("GET", "/ /", HOST)], None),
    ],
)
def test_curl_command(requests, command):
    assert curl_command(requests, "127.0.0.1", 8000) == command
