"""What the grader's TLS server does on a connection, decided without sockets.

A ``Behaviour`` says which certificate the server presents, which TLS versions it offers, how it
answers (the answer's bytes, cut into records, with pauses between them) and how it ends: with
a close_notify alert (the TLS way of saying "that is all"), or by closing TCP without one (many
real servers do), or not at all (it goes silent: in the handshake or after the request). Or it
does not speak TLS at all and answers in plain text, as a web server on the wrong port does.

``command(port)`` is the same behaviour as ``python -m grader.peers.tls`` options, so a failure
can say how to serve it by hand.
"""

import random
from dataclasses import dataclass

REQUEST_END = b"\r\n\r\n"  # the grader's requests end in a blank line, as HTTP/1.1 headers do
RECORD = 16384  # the largest TLS record's payload (RFC 8446, 5.1): a write of more is several records
VERSIONS = {"1.2+": ("TLSv1_2", None), "1.2": ("TLSv1_2", "TLSv1_2"), "1.3": ("TLSv1_3", "TLSv1_3"),
            "1.0-1.1": ("TLSv1", "TLSv1_1")}
VERSION_WORDS = {"1.2+": "TLS 1.2 and 1.3", "1.2": "TLS 1.2 only", "1.3": "TLS 1.3 only",
                 "1.0-1.1": "TLS 1.0 and 1.1 only (OpenSSL security level 0)"}
NOT_TLS_ANSWER = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
                  b"This server speaks plain HTTP, not TLS.\n")


def request_complete(received):
    """True once ``received`` holds a whole request: it ends in a blank line."""
    return received.endswith(REQUEST_END)


def answer_for(size, seed=20):
    """``size`` bytes of a readable answer, the same for the same size (seeded)."""
    words = random.Random(seed).choices([b"alpha", b"bravo", b"charlie", b"delta", b"echo", b"foxtrot"], k=64)
    line = b" ".join(words) + b"\n"
    head = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
    body = (line * (size // len(line) + 1))[:max(0, size - len(head))]
    return (head + body)[:size]


@dataclass(frozen=True)
class Behaviour:
    certificate: str = "good"  # a case of grader/peers/tls/certificates.py
    versions: str = "1.2+"  # a key of VERSIONS
    answer: bytes = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello over TLS\n"
    small_records: int = 0  # the answer's first N bytes go one byte per record...
    pause: float = 0.0  # ... this many seconds apart; the rest in full records
    ending: str = "close_notify"  # or "tcp_close": TCP closed without a close_notify
    stall: str | None = None  # "handshake": never answers the ClientHello; "answer": reads the request, then nothing
    plain: bool = False  # not TLS at all: reads a little, answers NOT_TLS_ANSWER in plain text and closes

    def records(self):
        """The answer cut into the payloads of the records the server writes, in order."""
        head = self.answer[:self.small_records]
        rest = self.answer[self.small_records:]
        return [head[i:i + 1] for i in range(len(head))] + [rest[i:i + RECORD] for i in range(0, len(rest), RECORD)]

    def describe(self):
        """In the learner's words, one line."""
        if self.plain:
            return "not TLS: a plain-text server that answers anything with an HTTP 400 and closes"
        parts = [f"TLS server ({VERSION_WORDS[self.versions]})"]
        if self.stall == "handshake":
            return parts[0] + " that accepts the connection and never answers your ClientHello"
        if self.stall == "answer":
            return parts[0] + " that completes the handshake, reads your request and never answers"
        size = f"a {len(self.answer):,}-byte answer"
        if self.small_records:
            size += f", its first {self.small_records} bytes one per record, {self.pause * 1000:g} ms apart"
        parts.append(size)
        parts.append("then close_notify (and it waits for you to close TCP)" if self.ending == "close_notify"
                     else "then a TCP close without close_notify")
        return "; ".join(parts)

    def command(self, port):
        """``python -m grader.peers.tls`` with the options that serve this behaviour on ``port``."""
        words = ["python -m grader.peers.tls", f"--port {port}", "--cafile ca.pem"]
        if self.plain:
            return " ".join(words + ["--not-tls"])
        if self.certificate != "good":
            words.append(f"--certificate {self.certificate}")
        if self.versions != "1.2+":
            words.append(f"--versions {self.versions}")
        if self.stall:
            words.append(f"--stall {self.stall}")
        if self.answer != Behaviour.answer:  # the checks' other answers are answer_for(size)
            words.append(f"--answer-size {len(self.answer)}")
        if self.small_records:
            words.append(f"--small-records {self.small_records} --pause {self.pause:g}")
        if self.ending == "tcp_close":
            words.append("--no-close-notify")
        return " ".join(words)
