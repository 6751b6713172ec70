"""A room played from a one-line script: how a learner repeats a check by hand.

``python -m grader.peers.chat --script "alice1 joins; bob2 joins; alice1 says hi"`` runs the
steps through the same ``Room`` the checks use, so it expects what they expect, and prints what
every user sent and received in time order, then either "as the rules say" or what went wrong.
A step is ``NAME VERB [TEXT]``; a name in double quotes may be empty or hold a space
(``"" tries``, ``"bob 2" tries``). The verbs:

- ``joins``: connects, reads the prompt, sends its name; checks the presence line and notices
- ``connects``: connects and reads the prompt only (a later ``joins`` sends the name)
- ``tries``: connects, sends the name, expects to be refused (closed within a second)
- ``says TEXT``: sends TEXT; every other joined user must get ``[NAME] TEXT``
- ``leaves`` / ``resets``: closes the connection (or resets it); the others must hear of it
- ``stops-reading``: joins with a tiny receive buffer and never reads again
- ``floods N``: sends N bursts of 1000 lines of 1000 characters (1 MB each), each line due to every reader
  within a second
"""

import shlex

from grader.failures import Failure
from grader.peers.chat.flood import flood
from grader.peers.chat.protocol import MAX_LINE
from grader.peers.chat.room import Room
from grader.peers.reproduce import HAND_PORT, server_by_hand

FLOOD_LINES = 1000  # per burst: the most the rules let a reader be sent at once
REFUSED_WITHIN = 1.0


def by_hand(script):
    """The "Try it" line: the learner's server by hand, then this script against it."""
    return (server_by_hand("chat_server")
            + f"python -m grader.peers.chat --port {HAND_PORT} --script {shlex.quote(script)}")


def steps(script):
    """[(name, verb, text)] of a script; ValueError for a step it cannot read."""
    parsed = []
    for step in filter(None, (s.strip() for s in script.split(";"))):
        if step.startswith('"'):  # a quoted name: "" (empty), "bob 2"
            name, quote, rest = step[1:].partition('"')
            if not quote:
                raise ValueError(f"step {step!r}: the name's closing \" is missing")
        else:
            name, _, rest = step.partition(" ")
        verb, _, text = rest.strip().partition(" ")
        if verb not in VERBS:
            raise ValueError(f"step {step!r}: the verb must be one of {', '.join(VERBS)}")
        parsed.append((name, verb, text))
    return parsed


def quoted(name):
    """A name as a script step writes it: in double quotes when it is empty or holds a space."""
    return f'"{name}"' if not name or " " in name else name


def play(address, script):
    """Run a script; return (the timeline as text, None or the Failure that ended it)."""
    with Room(address) as room:
        connected = {}
        try:
            for name, verb, text in steps(script):
                VERBS[verb](room, connected, name, text)
        except Failure as failure:
            return room.timeline.render(limit=10_000), failure
        return room.timeline.render(limit=10_000), None


def _joins(room, connected, name, _):
    if name in connected:
        room.enter(connected.pop(name))
    else:
        room.join(name)


def _connects(room, connected, name, _):
    connected[name] = room.connect(name)


def _tries(room, connected, name, _):
    user = room.connect(name or "(empty)")
    user.say(name)
    lines, closed = user.until_closed(REFUSED_WITHIN)
    if not closed:
        raise room.failure(f"{name!r} was not refused: its connection was still open {REFUSED_WITHIN:g} s later.")


def _says(room, connected, name, text):
    room.say(room.joined[name], text)


def _leaves(room, connected, name, _):
    room.leave(room.joined[name])


def _resets(room, connected, name, _):
    room.leave(room.joined[name], how="reset")


def _stops_reading(room, connected, name, _):
    room.join_silent(name)


def _floods(room, connected, name, text):
    readers = room.listening()
    flood(room, [room.joined[name]], readers, bursts=int(text or 1), lines=FLOOD_LINES, length=MAX_LINE,
          late=1.0, may_leave=set(room.silent))


VERBS = {"joins": _joins, "connects": _connects, "tries": _tries, "says": _says, "leaves": _leaves,
         "resets": _resets, "stops-reading": _stops_reading, "floods": _floods}
