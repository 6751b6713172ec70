"""The UDP ping server's decisions (grader/peers/udp/script.py), with plain function calls: what
each fate sends and when, and that no decoy can pass for the reply to the ping now waiting."""

import pytest
from hypothesis import given

from grader.katas.udp_pinger.strategies import scripts
from grader.peers.udp.script import (ANSWER, DROP, GARBAGE, LATE, OTHER, SERVER, STRAY, TWICE, WRONG, Fate,
                                     Responder, parse_ping, parse_token, parse_tokens, pong, tokens)

CLIENT, OTHER_CLIENT = ("127.0.0.1", 40000), ("127.0.0.1", 40001)


def ping(number, stamp=b"12.5"):
    return b"PING %d %s\n" % (number, stamp)


@pytest.mark.parametrize("data, parsed", [
    (b"PING 1 12.5\n", (b"1", b"12.5")), (b"PING 10 1764766569\n", (b"10", b"1764766569")),
    (b"PING 2 .5\n", (b"2", b".5")), (b"PING 3 1e-05\n", (b"3", b"1e-05")),
    (b"PING 1 12.5", None), (b"PING 1 12.5\r\n", None), (b"PING 0 1\n", None), (b"PING 01 1\n", None),
    (b"ping 1 1\n", None), (b"PING  1 1\n", None), (b"PING 1\n", None), (b"PING 1 x\n", None), (b"", None),
])
def test_a_ping_is_parsed_exactly_as_the_contract_spells_it(data, parsed):
    assert parse_ping(data) == parsed


def test_an_answered_ping_gets_its_own_number_and_stamp_back_after_its_hold():
    responder = Responder([Fate(ANSWER, 0.05)])
    found, sends = responder.on_datagram(ping(1), CLIENT, 100.0)
    assert found.index == 1 and [(s.at, s.payload, s.what, s.via) for s in sends] == [
        (100.05, b"PONG 1 12.5\n", "reply", SERVER)]


def test_a_late_reply_goes_when_the_next_ping_arrives_ahead_of_that_pings_reply():
    responder = Responder([Fate(LATE), Fate(ANSWER)], lead=0.03)
    assert responder.on_datagram(ping(1), CLIENT, 1.0)[1] == []
    _, sends = responder.on_datagram(ping(2, b"2.0"), CLIENT, 1.3)
    assert [(s.at, s.payload, s.what) for s in sends] == [(1.3, b"PONG 1 12.5\n", "late reply"),
                                                          (1.33, b"PONG 2 2.0\n", "reply")]


def test_decoys_go_first_gap_apart_and_differ_from_the_reply():
    responder = Responder([Fate(TWICE, 0.0, (STRAY, WRONG, GARBAGE), gap=0.01)])
    _, sends = responder.on_datagram(ping(1), CLIENT, 0.0)
    assert [s.what for s in sends] == [STRAY, WRONG, GARBAGE, "reply", "duplicate"]
    assert [round(s.at, 3) for s in sends] == [0.0, 0.01, 0.02, 0.03, 0.03]
    assert sends[0].via == OTHER and sends[0].payload == pong(b"1", b"12.5")
    assert sends[1].payload == b"PONG 0 12.5\n"


@given(scripts())
def test_no_datagram_from_the_server_reads_as_the_reply_to_a_later_ping(fates):
    """What the contract promises: a decoy, late or duplicated reply never parses as PONG <i> for
    the ping now waiting, from the server's own socket."""
    responder = Responder(fates)
    sent = []
    for number in range(1, len(fates) + 1):
        _, sends = responder.on_datagram(ping(number), CLIENT, float(number))
        true_replies = [s for s in sends if s.ping == number and s.what in ("reply", "duplicate")]
        for send in sent + [s for s in sends if s not in true_replies]:  # earlier ones may still be queued
            assert send.via == OTHER or send.payload.split()[:2] != [b"PONG", str(number).encode()], send
        sent += sends


def test_a_new_client_starts_the_script_again():
    responder = Responder([Fate(DROP), Fate(ANSWER)])
    responder.on_datagram(ping(1), CLIENT, 0.0)
    found, sends = responder.on_datagram(ping(1), OTHER_CLIENT, 1.0)
    assert found.index == 1 and sends == []


def test_a_script_reads_back_as_its_tokens():
    fates = [Fate(ANSWER, 0.05), Fate(DROP), Fate(LATE), Fate(TWICE), Fate(ANSWER, 0.0, (STRAY, GARBAGE))]
    assert tokens(fates) == "answer@0.05,drop,late,twice,stray+garbage+answer"
    assert parse_tokens(tokens(fates)) == fates
    with pytest.raises(ValueError, match="not a ping's fate"):
        parse_token("sometimes")
