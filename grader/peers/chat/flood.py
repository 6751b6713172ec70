"""Megabytes through a room, with every line timed from its sending to each user's receiving.

Talkers take turns sending bursts of long lines; every other reading user must get each line,
as ``[name] text``, within ``late`` seconds of the moment the grader's send() took its last
byte. One selector loop does all of it without blocking: it writes the talker's burst while it
reads every reader, so the grader never stalls the server itself. A burst starts once every
reader has had the one before it (the contract: bursts of up to 1000 lines to a reader that keeps
reading). Users in ``may_leave`` (a slow reader the server may disconnect) may be announced as
leaving at any moment; any other line a user did not expect fails at once.
"""

import selectors
import time
from dataclasses import dataclass

from grader.failures import Prose
from grader.peers.chat.protocol import is_notice, message, names_named

STALL = 3.0  # seconds with nothing sent or received at all: the room is stuck, whatever the lines
BURST_TIMEOUT = 10.0  # seconds for one burst in all (a correct server takes a tenth of one)


@dataclass
class FloodResult:
    lines: int  # lines each reader got
    worst: float  # seconds: the slowest line's delay
    left: set  # names in may_leave whose leaving was announced


def filler_line(name, burst, number, length):
    """A message of exactly ``length`` characters that says who sent it, in which burst, which line."""
    head = f"{name} burst {burst + 1} line {number + 1} "
    return (head + "abcdefghijklmnopqrstuvwxyz0123456789" * (length // 36 + 1))[:length]


def flood(room, talkers, readers, *, bursts, lines, length, late, may_leave=()):
    """Send ``bursts`` bursts of ``lines`` lines of ``length`` characters, talkers taking turns;
    raise a Failure (with the timeline) at the first line that is late, wrong or missing."""
    left = set()
    worst = 0.0
    with selectors.DefaultSelector() as selector:
        for user in set(talkers) | set(readers):
            user.sock.setblocking(False)
            selector.register(user.sock, selectors.EVENT_READ, user)
        try:
            for burst in range(bursts):
                talker = talkers[burst % len(talkers)]
                texts = [filler_line(talker.name, burst, n, length) for n in range(lines)]
                worst = max(worst, _one_burst(room, selector, talker, [r for r in readers if r is not talker],
                                              texts, burst, late, may_leave, left))
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.settimeout(key.data.client.timeout)
    return FloodResult(lines * bursts, worst, left)


def _one_burst(room, selector, talker, readers, texts, burst, late, may_leave, left):
    data = b"".join(t.encode() + b"\n" for t in texts)
    ends, total = [], 0
    for text in texts:
        total += len(text) + 1
        ends.append(total)
    room.timeline.add(talker.name, f"sent     burst {burst + 1}: {len(texts)} lines of {len(texts[0])} characters "
                                   f"({len(data):,} bytes) at once, {texts[0][:24]!r}...")
    sent_at = []  # sent_at[n]: when line n was wholly sent
    offset = 0
    got = {reader.name: 0 for reader in readers}
    worst = 0.0
    last_progress = started = time.monotonic()
    while offset < len(data) or any(n < len(texts) for n in got.values()):
        now = time.monotonic()
        if now - started > BURST_TIMEOUT:
            raise room.failure(f"Burst {burst + 1} from {talker.name} was not through after {BURST_TIMEOUT:g} s: the "
                               f"server took {offset:,} of its {len(data):,} bytes, and the readers got "
                               + ", ".join(f"{name} {n}" for name, n in got.items()) + f" of its {len(texts)} lines.",
                               expected=Prose("every line to every reader within a second of its sending"))
        for reader in readers:
            n = got[reader.name]
            if n < len(sent_at) and now - sent_at[n] > late:
                raise room.failure(
                    f"{reader.name} did not get line {n + 1} of burst {burst + 1} from {talker.name} within "
                    f"{late:g} s of its sending (it had every line before it).",
                    expected=(message(talker.name, texts[n]) + "\n").encode(),
                    note=_stuck(reader, may_leave))
        if now - last_progress > STALL:
            raise room.failure(f"While {talker.name} sent burst {burst + 1}, nothing moved for {STALL:g} s: the "
                               f"server took {offset:,} of its {len(data):,} bytes and sent no line to anyone.",
                               expected=Prose("the server keeps reading, and relays every line"),
                               note=_stuck(readers[0], may_leave) if readers else None)
        want_write = offset < len(data)
        selector.modify(talker.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if want_write else 0), talker)
        due = [sent_at[n] + late for n in got.values() if n < len(sent_at)]
        wait = min([STALL + last_progress] + due) - now
        for key, mask in selector.select(max(wait, 0.0)):
            user = key.data
            if mask & selectors.EVENT_WRITE and user is talker and offset < len(data):
                try:
                    offset += user.sock.send(data[offset:offset + 65536])
                except BlockingIOError:
                    pass
                except OSError as exc:
                    raise room.failure(f"Sending burst {burst + 1} as {talker.name} failed: {exc}.") from None
                moment = time.monotonic()
                while len(sent_at) < len(ends) and ends[len(sent_at)] <= offset:
                    sent_at.append(moment)
                last_progress = moment
            if mask & selectors.EVENT_READ:
                try:
                    chunk = user.sock.recv(262144)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                last_progress = time.monotonic()
                _take(room, user, chunk, texts, got, talker, sent_at, may_leave, left, burst)
                n = got.get(user.name)
                if n:
                    worst = max(worst, time.monotonic() - sent_at[n - 1])
    return worst


def _take(room, user, chunk, texts, got, talker, sent_at, may_leave, left, burst):
    """Match the lines a user just received against what it is owed."""
    user.received(chunk)
    if user.eof:
        user.saw_close()
        raise room.failure(f"The server closed {user.name}'s connection during burst {burst + 1} "
                           f"(after {got.get(user.name, 0)} of its lines), though {user.name} kept reading.",
                           expected=Prose("a reader that keeps reading is never disconnected"))
    taken = 0
    while user.pending:
        line = user.pending.pop(0)
        taken += 1
        if not user.pending:  # a flood's lines are too many to show one by one: how many, and the last
            user.timeline.add(user.name, f"received {taken} line{'s' * (taken > 1)}, the last {line[:40]!r}...")
        leaving = names_named(line, may_leave) if is_notice(line) else set()
        if leaving:
            left |= leaving
            continue
        n = got.get(user.name)
        if n is None or n >= len(texts) or line != message(talker.name, texts[n]):
            want = (f"line {n + 1} of burst {burst + 1}, {message(talker.name, texts[n])[:60]!r}..."
                    if n is not None and n < len(texts) else "no line: it sent nothing during this burst")
            raise room.failure(f"While {talker.name} sent burst {burst + 1}, {user.name} got a line it was not "
                               "owed" + (f" after {n} right ones" if n else "") + ".",
                               received=(line + "\n").encode(), expected=Prose(want))
        got[user.name] = n + 1


def _stuck(reader, may_leave):
    slow = ", ".join(sorted(may_leave))
    return (f"{slow} had stopped reading; if your server waits for it (a blocking sendall() to it, "
            f"under a lock or in the sender's thread), everyone else waits too." if slow else None)
