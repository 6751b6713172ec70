"""Checks for exercise 9, tls_client (exercises/tls_client/README.md:
``tls_request(host, port, request, cafile, timeout=5.0) -> bytes``).

Every check starts the grader's TLS server in this process (``grader/peers/tls/server.py``),
presenting one of the run's throwaway certificates (``grader/peers/tls/certificates.py``: good,
for another name, expired, not yet valid, from a CA not in cafile, self-signed), offering chosen
TLS versions and answering as the check needs; then it calls the learner's ``tls_request`` in a
child process with a hard bound. The server records the server name (SNI) the client sent, the
version negotiated, how a handshake failed (the client's alert) and every byte of application
data, so a check judges what reached the wire: a client that refuses a certificate must do so
in the handshake, before a byte of its request leaves.

Every check but the first needs it: a client that cannot fetch from a good server (it trusts
the system's store, not cafile, say) would otherwise "refuse" every bad certificate for free.

Five calls take longer: three wait on purpose (a server silent in the handshake, one silent
after the request, half a second each, and an answer that comes slowly) and two copy megabytes
(a 4 MiB request, a 2 MiB answer); they run beside the others from the first check on
(``WAITING``, grader/engine/background.py), so grading a correct client costs about one of them.
"""

from dataclasses import dataclass

import pytest

from grader.authoring import BackgroundCall, background_calls, check
from grader.failures import Failure, Prose, show
from grader.peers.reproduce import HAND_PORT, learner_file, learner_folder
from grader.peers.tls.behaviour import Behaviour, answer_for
from grader.peers.tls.certificates import CASES, for_this_run
from grader.peers.tls.server import TLSServer

NAME, ADDRESS = "localhost", "127.0.0.1"
REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
TIMEOUT = 2.0  # tls_request's timeout= where nothing stalls: a loopback handshake takes milliseconds
LIMIT = 4.0  # seconds the grader lets one call run where nothing stalls
STILL_OPEN = 1.0  # seconds to wait for a close that should have come before the call ended (the
#                  server's thread sees it as soon as it runs: this is for a busy machine)
CERTIFICATE_ERROR = "SSLCertVerificationError"
REFUSED = Prose(f"ssl.{CERTIFICATE_ERROR}, raised in the handshake, before any byte of the request is sent")


# --- one call of tls_request against one server, and what it did ------------------------------------

@dataclass
class Trial:
    """One call of the learner's tls_request against one TLS server, and everything seen of it."""

    behaviour: Behaviour
    server: TLSServer
    host: str
    request: bytes
    outcome: object  # grader.learner.process.Outcome
    timeout: float
    limit: float
    closed: bool

    @property
    def raised(self):
        return self.outcome.raised

    def raised_a(self, kind):
        return self.raised is not None and self.raised.is_a(kind)

    @property
    def connections(self):
        return self.server.connections

    def sent_bytes(self):
        """Application data (and plain text) that reached the server, on every connection."""
        return b"".join(bytes(r.received) + bytes(r.plain_received) for r in self.connections)

    def certificate(self):
        if self.behaviour.plain:
            return "none (the server does not speak TLS)"
        case = CASES[self.behaviour.certificate]
        return f"{case.what}\n{'':10}({self.server.certificates.describe(case.name)})"

    def transcript(self):
        """What the server saw, connection by connection, in a few lines."""
        records = self.connections
        if not records:
            return "The server saw no connection."
        lines = []
        for record in records[:3]:
            head = f"Connection {record.number}: " if len(records) > 1 else "On the wire: "
            if self.behaviour.plain:
                got = bytes(record.plain_received)
                # A ClientHello holds 32 random bytes: shown whole, the message would differ every run.
                what = "a TLS ClientHello (b'\\x16\\x03...')" if got.startswith(b"\x16\x03") else show(got, 80)
                lines.append(f"{head}the plain-text server received {what}"
                             + (" and answered with an HTTP 400" if record.answered_at else ""))
            elif record.handshaken:
                sni = f"server name (SNI) {record.sni!r}" if record.sni else "no server name (SNI)"
                lines.append(f"{head}your client sent {sni}; the handshake completed with {record.version}")
                got = bytes(record.received)
                lines.append(f"  the server received {len(got):,} bytes of application data"
                             + (f": {show(got, 80)}" if got else ""))
                if record.answered_at is not None:
                    lines.append(f"  it sent its {len(self.behaviour.answer):,}-byte answer, then "
                                 + ("close_notify" if self.behaviour.ending == "close_notify" else
                                    "closed TCP without close_notify"))
                elif self.behaviour.stall:
                    lines.append("  then it went silent")
            elif record.first_bytes_at is None:
                lines.append(f"{head}the TCP connection opened; your client sent nothing")
            elif record.handshake_error:
                sni = f"server name (SNI) {record.sni!r}" if record.sni else "no server name (SNI)"
                lines.append(f"{head}your client sent {sni}; the handshake failed: {alert(record.handshake_error)}")
            else:
                lines.append(f"{head}your client sent its ClientHello"
                             + ("; the server never answered it" if self.behaviour.stall else ""))
            if record.client_closed and self.outcome.timed_out:
                lines.append("  then the grader stopped your program, which closed the connection")
            elif record.client_closed:
                lines.append("  then your client closed the TCP connection")  # a reset or not: timing decides
            else:
                lines.append(f"  your client had not closed the TCP connection {STILL_OPEN:g} s after the call ended")
        if len(records) > 3:
            lines.append(f"... and {len(records) - 3} more connections")
        return "\n".join(lines)

    def reproduce(self):
        client = f"python {learner_file('tls_client')} {self.host} {HAND_PORT} ca.pem"
        if self.request == BIG_REQUEST:
            client = (f"cd {learner_folder('tls_client')} && python -c 'from tls_client import tls_request; "
                      f"print(tls_request(\"{self.host}\", {HAND_PORT}, {BIG_REQUEST_SOURCE}, \"ca.pem\"))'")
        return f"{self.behaviour.command(HAND_PORT)}\n{'':10}then, in another terminal: {client}"

    def failure(self, summary, expected, *, hint=None, note=None):
        return Failure(
            summary,
            sent=Prose(f"tls_request({self.host!r}, port, {show(self.request, 60)}, cafile, "
                       f"timeout={self.timeout:g})\n"
                       f"{'':10}server: {self.behaviour.describe()}\n"
                       f"{'':10}certificate: {self.certificate()}"),
            received=Prose(self.outcome.ending(self.limit, show)),
            expected=expected if isinstance(expected, Prose) else Prose(show(expected)),
            hint=hint or hint_for(self),
            note="\n".join(part for part in (note, self.transcript()) if part),
            output=self.outcome.output or None,
            reproduce=self.reproduce())


def alert(reason):
    """An OpenSSL reason as words: SSLV3_ALERT_BAD_CERTIFICATE -> your client's alert "bad certificate"."""
    for prefix in ("SSLV3_ALERT_", "TLSV1_ALERT_"):
        if reason.startswith(prefix):
            return f'your client sent the alert "{reason[len(prefix):].lower().replace("_", " ")}"'
    return reason.lower().replace("_", " ")


def hint_for(trial):
    """A hint keyed on what came back (or None: the check's own hint is shown)."""
    raised = trial.raised
    if raised is None:
        return None
    message = raised.message or ""
    if raised.is_a(CERTIFICATE_ERROR) and trial.behaviour.certificate == "good":
        if "unable to get local issuer" in message:
            return ("The grader's CA is in no system store: trust the file you are given, "
                    "ssl.create_default_context(cafile=cafile), and nothing else.")
        return "Verify against cafile, with the name you connected to: server_hostname=host."
    if "check_hostname requires server_hostname" in message:
        return "Pass server_hostname=host to wrap_socket(): it is the name checked, and the SNI sent."
    records = trial.connections
    if raised.is_a("TimeoutError") and trial.behaviour.stall is None and records:
        if records[-1].answered_at is not None:
            return ("The server had sent its answer and ended the session: read until recv() returns b'' "
                    "(close_notify or a TCP close), not until you have some number of bytes.")
        if records[-1].handshaken and records[-1].request_at is None:
            return ("The server was still waiting for the end of your request (its blank line): send every "
                    "byte of request, as it is, with sendall().")
    return None


def run(learner, behaviour=Behaviour(), *, host=NAME, request=REQUEST, timeout=TIMEOUT, limit=LIMIT,
        wait_closed=STILL_OPEN):
    """Start a TLS server behaving as ``behaviour``, call tls_request once against it."""
    with TLSServer(behaviour) as server:
        outcome = learner.call(host, server.address[1], request, server.cafile, limit=limit, timeout=timeout)
        closed = server.wait_closed(wait_closed)
    return Trial(behaviour, server, host, request, outcome, timeout, limit, closed)


# --- what must have happened ---------------------------------------------------------------------

def expect_finished(trial, expected):
    if trial.outcome.timed_out:
        raise trial.failure(f"tls_request did not finish within {trial.limit:g} s.", expected)
    if trial.outcome.exit_status is not None:
        raise trial.failure("Your program exited while tls_request was running.", expected)


def expect_answer(trial):
    """tls_request returned the server's whole answer, and the server received the whole request."""
    expected = trial.behaviour.answer
    expect_finished(trial, expected)
    if trial.raised is not None:
        raise trial.failure(f"tls_request raised {trial.raised.type} instead of returning the answer.", expected)
    value = trial.outcome.value
    if not isinstance(value, bytes):
        raise trial.failure(f"tls_request returned a {type(value).__name__}, not bytes.", expected,
                            hint="Return the bytes as they came: b\"\".join(chunks), no decode().")
    if value != expected:
        if expected.startswith(value):
            summary = f"tls_request returned the first {len(value):,} of the answer's {len(expected):,} bytes."
            hint = ("One recv() returns one TLS record at most (16 KiB), and the server may send far less per "
                    "record: call recv() until it returns b''.")
        else:
            summary = f"tls_request returned {len(value):,} bytes that are not the server's answer."
            hint = None
        raise trial.failure(summary, expected, hint=hint)
    received = trial.sent_bytes()
    if received != trial.request:
        raise trial.failure(f"The server received {len(received):,} bytes, not the request's "
                            f"{len(trial.request):,}.", Prose("every byte of the request, as it is"))


def expect_refused(trial, why):
    """tls_request raised SSLCertVerificationError in the handshake, with no byte of the request sent."""
    case = CASES[trial.behaviour.certificate]
    verdict = Prose(f"ssl.{CERTIFICATE_ERROR}: certificate verify failed: {case.verdict}, with no byte of the "
                    "request sent")
    expect_finished(trial, verdict)
    sent = trial.sent_bytes()
    if trial.outcome.returned:
        raise trial.failure(f"tls_request returned {show(trial.outcome.value, 60)} from a server that presented "
                            f"{why}: your client trusted it.", verdict)
    if not trial.raised_a(CERTIFICATE_ERROR):
        raise trial.failure(f"tls_request raised {trial.raised.type}, not ssl.{CERTIFICATE_ERROR}, for {why}.",
                            verdict)
    if sent:
        raise trial.failure(f"tls_request raised {CERTIFICATE_ERROR}, but only after the server had received "
                            f"{len(sent):,} bytes of your request ({show(sent, 60)}) from a client that had not "
                            "verified who it was.", verdict,
                            hint="Verify in the handshake, before you send anything: leave verify_mode at "
                                 "CERT_REQUIRED and check_hostname on, and send only after wrap_socket() returns.")


def expect_tls_error(trial, what):
    """tls_request raised ssl.SSLError (or ConnectionError), with no byte of the request sent."""
    expected = Prose("ssl.SSLError (or a subclass, or ConnectionError), with no byte of the request sent")
    expect_finished(trial, expected)
    if trial.outcome.returned:
        raise trial.failure(f"tls_request returned {show(trial.outcome.value, 60)} from {what}.", expected)
    if not (trial.raised_a("SSLError") or trial.raised_a("ConnectionError")):
        raise trial.failure(f"tls_request raised {trial.raised.type}, not ssl.SSLError, for {what}.", expected)
    request = [r for r in trial.connections if trial.request in bytes(r.plain_received) or r.received]
    if request:
        raise trial.failure(f"tls_request raised {trial.raised.type}, but the server received your request "
                            f"first, from {what}.", expected,
                            hint="Never fall back to an insecure connection: when TLS fails, raise, and send nothing.")


# --- the calls that wait or copy megabytes, run at the same time ------------------------------------

STALL_TIMEOUT = 0.5  # tls_request's timeout= when the server goes silent
STALL_SLACK = 1.0  # seconds past the timeout a client may take to raise on a busy machine (a client with
#                   a timeout of its own of 2 s or more is still told; one with none meets the 3 s limit)
# Every byte value but \r (so the blank line comes at the end only), 4 MiB of them: not UTF-8.
BIG_REQUEST = b"UPLOAD " + bytes(range(256)).replace(b"\r", b"") * 16448 + b"\r\n\r\n"
BIG_REQUEST_SOURCE = 'b"UPLOAD " + bytes(range(256)).replace(b"\\r", b"") * 16448 + b"\\r\\n\\r\\n"'  # in Try it
BIG_ANSWER = answer_for(2 * 1024 * 1024)
SMALL_RECORDS = 20  # the answer's first bytes one per record, PAUSE apart: one recv() returns one of them
PAUSE = 0.01
BIG_LIMIT = 10.0
SLOW_TIMEOUT = 0.5  # tls_request's timeout= while the answer's first SLOW_RECORDS bytes come SLOW_PAUSE apart
SLOW_RECORDS = 8
SLOW_PAUSE = 0.1  # 0.7 s in all, more than one timeout, while each wait is a fifth of one: a busy machine
#                   may stretch a pause by 0.4 s before a correct client fails

WAITING = {
    # the check that reads it: a call of ``run``; the first started first
    "check_big_request": BackgroundCall(run, timeout=TIMEOUT, limit=BIG_LIMIT, request=BIG_REQUEST),
    "check_answer_in_pieces": BackgroundCall(
        run, Behaviour(answer=BIG_ANSWER, small_records=SMALL_RECORDS, pause=PAUSE), timeout=TIMEOUT,
        limit=BIG_LIMIT),
    "check_timeout_in_handshake": BackgroundCall(run, Behaviour(stall="handshake"), timeout=STALL_TIMEOUT,
                                                 limit=3.0),
    "check_timeout_after_request": BackgroundCall(run, Behaviour(stall="answer"), timeout=STALL_TIMEOUT,
                                                  limit=3.0),
    "check_slow_answer": BackgroundCall(run, Behaviour(small_records=SLOW_RECORDS, pause=SLOW_PAUSE), timeout=SLOW_TIMEOUT,
                                        limit=3.0),
}
waiting_calls = background_calls(WAITING)


@pytest.fixture(scope="module", autouse=True)
def certificates():
    """The run's certificates: made before the first check (an autouse fixture is set up before the
    background calls, which need them too), and their folder removed after the last, since a
    forked grading worker ends without running the finalizers that would remove it."""
    made = for_this_run()
    yield made
    made.close()


# --- the checks -----------------------------------------------------------------------------------

@check("fetches an answer over TLS from localhost, verified, sending SNI 'localhost'", points=1,
       hint="ssl.create_default_context(cafile=cafile), then context.wrap_socket(sock, server_hostname=host): "
            "it verifies the certificate against cafile and the name, and sends the name as SNI.")
def check_dns_name(learner, waiting_calls):
    """The dependency of the rest: the learner's file loads here (the ``learner`` fixture)."""
    trial = run(learner)
    expect_answer(trial)
    snis = [r.sni for r in trial.connections if r.handshaken and r.sni != NAME]
    if snis:
        raise trial.failure(f"tls_request returned the answer, but sent the server name (SNI) {snis[0]!r}, "
                            f"not {NAME!r}." if snis[0] else
                            "tls_request returned the answer, but sent no server name (SNI): a server with "
                            "several sites would not know which certificate to present.", Prose(f"SNI {NAME!r}"),
                            hint="Pass server_hostname=host to wrap_socket(): the name you connected to is the "
                                 "one sent, and the one checked.")


@check("fetches from 127.0.0.1 without SNI, and refuses a certificate without that address", points=1,
       hint="Use host itself as server_hostname: for an IP address Python checks the address against the "
            "certificate and sends no SNI (RFC 6066 has no SNI for addresses).",
       needs=check_dns_name)
def check_ip_address(learner):
    trial = run(learner, host=ADDRESS)
    expect_answer(trial)
    snis = [r.sni for r in trial.connections if r.sni]
    if snis:
        raise trial.failure(f"tls_request sent the server name (SNI) {snis[0]!r} for the address {ADDRESS}.",
                            Prose("no SNI for an IP address"))
    expect_refused(run(learner, Behaviour(certificate="localhost-only"), host=ADDRESS),
                   "a certificate for localhost only, while you connected to 127.0.0.1")


@check("works with a TLS 1.2-only and a TLS 1.3-only server", points=1,
       hint="Ask for TLS 1.2 at least, not exactly one version: context.minimum_version = "
            "ssl.TLSVersion.TLSv1_2 (create_default_context() already refuses older ones).",
       needs=check_dns_name)
def check_versions(learner):
    for versions in ("1.2", "1.3"):
        expect_answer(run(learner, Behaviour(versions=versions)))


@check("refuses a certificate for another name, sending nothing", points=1.5,
       hint="Keep check_hostname = True (create_default_context() sets it) and pass server_hostname=host: "
            "a valid certificate for another name proves nothing about this server.",
       needs=check_dns_name)
def check_wrong_name(learner):
    expect_refused(run(learner, Behaviour(certificate="wrong-name")), "a certificate for www.example.org")


@check("refuses certificates from an issuer not in cafile, and self-signed ones, sending nothing", points=1,
       hint="Never set verify_mode = ssl.CERT_NONE, and never catch the SSLCertVerificationError: a server "
            "that cannot show a certificate from your CA may be anyone.",
       needs=check_dns_name)
def check_untrusted(learner):
    expect_refused(run(learner, Behaviour(certificate="untrusted")), "a certificate from a CA not in cafile")
    expect_refused(run(learner, Behaviour(certificate="self-signed")), "a self-signed certificate")


@check("refuses expired and not-yet-valid certificates, sending nothing", points=1,
       hint="Leave the verify flags alone: OpenSSL checks the certificate's dates against the clock, and a "
            "certificate outside its dates is not to be trusted.",
       needs=check_dns_name)
def check_validity(learner):
    expect_refused(run(learner, Behaviour(certificate="expired")), "a certificate that expired yesterday")
    expect_refused(run(learner, Behaviour(certificate="not-yet-valid")), "a certificate valid from tomorrow on")


@check("refuses a server that offers only TLS 1.0 and 1.1", points=0.5,
       hint="Keep minimum_version at ssl.TLSVersion.TLSv1_2 and the default security level: TLS 1.0 and 1.1 "
            "are broken (RFC 8996) and must not be used.",
       needs=check_dns_name)
def check_old_tls(learner):
    expect_tls_error(run(learner, Behaviour(versions="1.0-1.1")), "a server offering only TLS 1.0 and 1.1")


@check("raises SSLError for a server that does not speak TLS", points=0.5,
       hint="Let the ssl.SSLError leave your function: a server that does not speak TLS cannot be "
            "verified, so nothing may be sent to it, in plain text least of all.",
       needs=check_dns_name)
def check_not_tls(learner):
    expect_tls_error(run(learner, Behaviour(plain=True)), "a plain-text server that does not speak TLS")


@check("sends all of a 4 MiB binary request, byte for byte", points=1,
       hint="request is bytes, not text: send it as it is, with tls.sendall(request), never decoded or rebuilt.",
       needs=check_dns_name)
def check_big_request(waiting_calls):
    expect_answer(waiting_calls.take(check_big_request))


@check("reads a 2 MiB answer whose first bytes come one per record", points=1,
       hint="One recv() returns at most one TLS record, of 1 byte or 16 KiB: keep calling recv() until it "
            "returns b'' (the server ended the session), and join the pieces.",
       needs=check_dns_name)
def check_answer_in_pieces(waiting_calls):
    expect_answer(waiting_calls.take(check_answer_in_pieces))


@check("ends the answer at a TCP close without close_notify", points=0.5,
       hint="Many servers close TCP without TLS's close_notify: treat that end of file as the end of the answer "
            "(wrap_socket's default suppress_ragged_eofs=True does: recv() returns b'').",
       needs=check_dns_name)
def check_tcp_close(learner):
    trial = run(learner, Behaviour(ending="tcp_close"))
    if trial.raised is not None and "EOF" in (trial.raised.message or "") + trial.raised.type:
        raise trial.failure(f"tls_request raised {trial.raised.type} when the server closed TCP after its answer.",
                            trial.behaviour.answer)
    expect_answer(trial)


TIMEOUT_HINT = ("Pass timeout=timeout to socket.create_connection: the TLS socket keeps it, so the handshake "
                "and every recv() raise TimeoutError after that long without data.")


@check("raises TimeoutError when the server goes silent in the handshake", points=0.5, hint=TIMEOUT_HINT,
       needs=check_dns_name)
def check_timeout_in_handshake(waiting_calls):
    expect_timeout(waiting_calls.take(check_timeout_in_handshake), "in the handshake")


@check("raises TimeoutError when the server goes silent after the request", points=0.5, hint=TIMEOUT_HINT,
       needs=check_dns_name)
def check_timeout_after_request(waiting_calls):
    expect_timeout(waiting_calls.take(check_timeout_after_request), "after your request")


def expect_timeout(trial, silent):
    expected = Prose(f"TimeoutError, about {STALL_TIMEOUT:g} s after the server went silent")
    if trial.outcome.timed_out:
        raise trial.failure(f"tls_request was still waiting after {trial.limit:g} s: the server went silent "
                            f"{silent}, and timeout={STALL_TIMEOUT:g} was passed.", expected)
    expect_finished(trial, expected)
    if not trial.raised_a("TimeoutError"):
        raise trial.failure(f"tls_request {trial.outcome.ending(trial.limit, show)} when the server went "
                            f"silent {silent}.", expected)
    silence = waited_in_silence(trial)
    if silence > STALL_TIMEOUT + STALL_SLACK:
        raise trial.failure(f"tls_request raised TimeoutError only {silence:.2f} s after the server went silent "
                            f"{silent}, with timeout={STALL_TIMEOUT:g}.", expected,
                            hint="Use the timeout argument as the socket's timeout, not a number of your own.")


@check("keeps reading while a slow answer keeps coming", points=0.5,
       hint="timeout bounds each wait for data, not the whole call: a server that keeps sending within timeout "
            "is never a timeout. Use the timeout argument as the socket's timeout, and leave it as it is.",
       needs=check_dns_name)
def check_slow_answer(waiting_calls):
    trial = waiting_calls.take(check_slow_answer)
    if trial.raised_a("TimeoutError"):
        raise trial.failure(f"tls_request raised TimeoutError while the answer was still coming: a record every "
                            f"{SLOW_PAUSE:g} s, {SLOW_PAUSE * (SLOW_RECORDS - 1):g} s in all, and "
                            f"timeout={SLOW_TIMEOUT:g}.",
                            trial.behaviour.answer)
    expect_answer(trial)


def waited_in_silence(trial):
    """Seconds from the server going silent (the ClientHello or the request in) to the client's close;
    the whole call if it did not close."""
    record = trial.connections[0] if len(trial.connections) == 1 else None
    start = record and (record.request_at if trial.behaviour.stall == "answer" else record.first_bytes_at)
    if start is not None and record.client_closed:
        return record.closed_at - start
    return trial.outcome.elapsed


@check("closes the connection before returning and before raising", points=0.5,
       hint="`with socket.create_connection(...) as sock, context.wrap_socket(sock, ...) as tls:` closes both "
            "however the function ends, also when wrap_socket() raises.",
       needs=check_dns_name)
def check_closes(learner):
    trial = run(learner)
    expect_answer(trial)
    if not trial.closed:
        raise trial.failure(f"tls_request returned, but the connection was still open {STILL_OPEN:g} s later.",
                            Prose("the connection closed by your client before tls_request returns"))
    trial = run(learner, Behaviour(certificate="wrong-name"))
    expect_refused(trial, "a certificate for www.example.org")
    if not trial.closed:
        raise trial.failure(f"tls_request raised {CERTIFICATE_ERROR}, but the connection was still open "
                            f"{STILL_OPEN:g} s later.", Prose("the connection closed before tls_request raises"))
