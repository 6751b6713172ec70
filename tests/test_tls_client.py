"""tls_client: every check catches its broken client, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "tls_client"

DNS_NAME = "fetches an answer over TLS from localhost, verified, sending SNI 'localhost'"
IP_ADDRESS = "fetches from 127.0.0.1 without SNI, and refuses a certificate without that address"
VERSIONS = "works with a TLS 1.2-only and a TLS 1.3-only server"
WRONG_NAME = "refuses a certificate for another name, sending nothing"
UNTRUSTED = "refuses certificates from an issuer not in cafile, and self-signed ones, sending nothing"
VALIDITY = "refuses expired and not-yet-valid certificates, sending nothing"
OLD_TLS = "refuses a server that offers only TLS 1.0 and 1.1"
NOT_TLS = "raises SSLError for a server that does not speak TLS"
BIG_REQUEST = "sends all of a 4 MiB binary request, byte for byte"
PIECES = "reads a 2 MiB answer whose first bytes come one per record"
TCP_CLOSE = "ends the answer at a TCP close without close_notify"
TIMEOUT_HANDSHAKE = "raises TimeoutError when the server goes silent in the handshake"
TIMEOUT_ANSWER = "raises TimeoutError when the server goes silent after the request"
SLOW = "keeps reading while a slow answer keeps coming"
CLOSES = "closes the connection before returning and before raising"
IN_ORDER = [DNS_NAME, IP_ADDRESS, VERSIONS, WRONG_NAME, UNTRUSTED, VALIDITY, OLD_TLS, NOT_TLS, BIG_REQUEST, PIECES,
            TCP_CLOSE, TIMEOUT_HANDSHAKE, TIMEOUT_ANSWER, SLOW, CLOSES]

# Each deliberately broken client, and the check(s) that must catch it (run with --check, so with
# only the checks it depends on).
CAUGHT_BY = {
    "broken_imports_grader": [DNS_NAME],
    "broken_allows_tls1": [OLD_TLS],
    "broken_falls_back_to_plain_tcp": [NOT_TLS, OLD_TLS],
    "broken_hardcoded_server_hostname": [IP_ADDRESS],
    "broken_ignores_dates": [VALIDITY],
    "broken_leaves_connection_open": [CLOSES],
    "broken_no_hostname_check": [WRONG_NAME, IP_ADDRESS],
    "broken_no_timeout": [TIMEOUT_HANDSHAKE, TIMEOUT_ANSWER],
    "broken_no_verification": [UNTRUSTED, WRONG_NAME, VALIDITY],
    "broken_one_recv": [PIECES],
    "broken_ragged_eof_is_error": [TCP_CLOSE],
    "broken_request_as_text": [BIG_REQUEST],
    "broken_resolves_first": [DNS_NAME],
    "broken_sends_before_verifying": [UNTRUSTED, WRONG_NAME, VALIDITY],
    "broken_swallows_verification_error": [UNTRUSTED, WRONG_NAME, VALIDITY],
    "broken_system_store": [DNS_NAME],
    "broken_tls13_only": [VERSIONS],
    "broken_total_deadline": [SLOW],
    "broken_wrong_function_name": [DNS_NAME],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_imports_grader": ["No module named 'grader'"],
    "broken_allows_tls1": ["returned", "offering only TLS 1.0 and 1.1", "TLSv1.1"],
    "broken_falls_back_to_plain_tcp": ["returned b'HTTP/1.1 400 Bad Request", "plain-text server"],
    "broken_hardcoded_server_hostname": ["sent the server name (SNI) 'localhost' for the address 127.0.0.1"],
    "broken_ignores_dates": ["from a server that presented a certificate that expired yesterday",
                             "certificate has expired", "valid 30 days ago to yesterday"],
    "broken_leaves_connection_open": ["still open 1 s later"],
    "broken_no_hostname_check": ["a certificate for www.example.org: your client trusted it",
                                 "Hostname mismatch, certificate is not valid for 'localhost'"],
    "broken_no_timeout": ["still waiting after 3 s", "silent in the handshake"],
    "broken_no_verification": ["your client trusted it", "issuer OU=a CA not in cafile,O=somebody else",
                               "unable to get local issuer certificate"],
    "broken_one_recv": ["returned the first 1 of the answer's 2,097,152 bytes"],
    "broken_ragged_eof_is_error": ["raised SSLEOFError when the server closed TCP after its answer"],
    "broken_request_as_text": ["The server received 8,404,939 bytes, not the request's 4,194,251."],
    "broken_resolves_first": ["sent no server name (SNI)"],
    "broken_sends_before_verifying": ["only after the server had received 54 bytes of your request"],
    "broken_swallows_verification_error": ["returned b''", "your client trusted it"],
    "broken_system_store": ["raised SSLCertVerificationError", "unable to get local issuer certificate",
                            "cafile=cafile"],
    "broken_tls13_only": ["raised SSLError", "TLS 1.2 only"],
    "broken_total_deadline": ["raised TimeoutError while the answer was still coming", "timeout=0.5"],
    "broken_wrong_function_name": ["tls_request"],
}

# Every clause of the README's contract, and the programs that breach that clause alone.
CLAUSES = {
    "C1": ["broken_wrong_function_name"],
    "C2": ["broken_resolves_first"],
    "C3": ["broken_tls13_only", "broken_allows_tls1"],
    "C4": ["broken_system_store"],
    "C5": ["broken_ignores_dates"],
    "C6": ["broken_no_hostname_check", "broken_hardcoded_server_hostname"],
    "C7": ["broken_sends_before_verifying", "broken_swallows_verification_error"],
    "C8": ["broken_request_as_text"],
    "C9": ["broken_one_recv", "broken_ragged_eof_is_error"],
    "C10": ["broken_falls_back_to_plain_tcp"],
    "C11": ["broken_no_timeout", "broken_total_deadline"],
    "C12": ["broken_leaves_connection_open"],
    "C13": "not graded: the grader runs the one file it grades; a helper module beside it is simply not there",
    "C14": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_client_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)
    assert {c.name for c in checks if not c.needs} == {DNS_NAME}
    assert {c.needs for c in checks} == {(), (DNS_NAME,)}


def test_every_broken_client_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_client_is_caught(tmp_path, implementation):
    tree = tree_with(tmp_path, EXERCISE, implementation)
    for number, name in enumerate(CAUGHT_BY[implementation.stem]):
        code, report = grade_json(EXERCISE, "--path", tree, "--check", name)
        assert checks_by_status(report)[name] == "failed", report
        assert code == 1
        if number == 0:
            (exercise,) = report["exercises"]
            (message,) = [c["message"] for c in exercise["checks"] if c["name"] == name]
            for phrase in SAYS.get(implementation.stem, []):
                assert phrase in message, message


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "correct"))
def test_correct_client_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0


def test_the_reference_solution_passes():
    code, report = grade_json(EXERCISE, "--solutions")
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
