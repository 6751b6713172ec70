"""A room of grader-side users, and what each of them must see when the room changes.

``Room`` knows who has joined, so it knows what every user is owed: a joiner the presence line
naming exactly the others and then nothing before it; everyone already in the room one notice
naming the joiner, or the leaver; every other user ``[name] text`` for a message. Each step
reads what it expects as the very next line of each user, so a line a user should not have got
(an echo, a message before the presence line) shows up as the line that came instead, without
waiting to see whether something more arrives.
"""

from contextlib import ExitStack

from grader.failures import Prose
from grader.peers.chat.client import LINE_TIMEOUT, Timeline, connect
from grader.peers.chat.protocol import is_notice, message, names_named

SILENT_BUFFER = 1024  # bytes of SO_RCVBUF for a user that stops reading (Linux makes it 2304)


def listing(names):
    return ", ".join(sorted(names)) if names else "nobody"


class Room:
    def __init__(self, address):
        self.address = address
        self.timeline = Timeline()
        self.joined = {}  # name -> ChatUser, in the order they joined
        self.silent = set()  # names of joined users that never read (what they are owed is not checked)
        self._stack = ExitStack()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stack.close()

    def failure(self, summary, **fields):
        return self.timeline.failure(summary, **fields)

    def connect(self, name, **options):
        """A user that connected and read its prompt, but has not sent its name."""
        return self._stack.enter_context(connect(self.address, name, self.timeline, **options))

    def join(self, name, *, notices=True, **options):
        """Connect ``name`` and join it; check the presence line and the others' notices."""
        user = self.connect(name, **options)
        self.enter(user, notices=notices)
        return user

    def join_silent(self, name):
        """Join ``name`` with a tiny receive buffer; from then on it never reads a byte."""
        user = self.join(name, receive_buffer=SILENT_BUFFER)
        self.silent.add(name)
        self.timeline.add(name, "stops reading (its receive buffer holds about 2 KiB)")
        return user

    def listening(self, but=None):
        """The joined users that read, but ``but``."""
        return [u for name, u in self.joined.items() if name not in self.silent and name != but]

    def enter(self, user, *, notices=True):
        """Send a connected user's name and check that it joins as the rules say (and, with
        ``notices``, that everyone already in the room is told)."""
        others = set(self.joined)
        user.say(user.name)
        presence = user.next_line()
        if presence is None or not is_notice(presence):
            what = ("nothing came" if presence is None and not user.eof else
                    "the server closed the connection" if presence is None else f"it got {presence!r}")
            raise self.failure(f"{user.name} sent its name to join a room holding {listing(others)}; "
                               f"{what}.", expected=Prose("a presence line first, starting with *, naming "
                                                          f"{listing(others)}"))
        named = names_named(presence, others | {user.name})
        if named != others:
            raise self.failure(
                f"{user.name} joined a room holding {listing(others)}; its presence line names "
                f"{listing(named)}.", received=presence.encode() + b"\n",
                expected=Prose(f"a line starting with * that names {listing(others)}"
                               + (f", and not {user.name} itself" if user.name in named else "")
                               + " (names are whole words)"))
        for other in self.listening() if notices else ():
            self.expect_notice(other, user.name, "joined")
        self.joined[user.name] = user

    def expect_notice(self, user, subject, did):
        """``user``'s next line is a notice naming ``subject`` (who ``did``: joined or left)."""
        line = user.next_line()
        if line is None or not (is_notice(line) and subject in names_named(line, {subject})):
            what = ("nothing came" if line is None and not user.eof else
                    "its connection closed" if line is None else f"its next line was {line!r}")
            raise self.failure(f"{subject} {did} the room; {user.name}, in the room, waited "
                               f"{LINE_TIMEOUT:g} s for a notice naming it: {what}.",
                               expected=Prose(f"a line starting with * that names {subject}, such as "
                                              f"'* {subject} has {'entered' if did == 'joined' else 'left'} the room'"))

    def say(self, user, text):
        """``user`` says ``text``; every other joined user's next line is ``[name] text``."""
        user.say(text)
        self.expect_message(user.name, text)

    def expect_message(self, sender, text, *, sent_as=None):
        want = message(sender, text)
        for other in self.listening(but=sender):
            name = other.name
            line = other.next_line()
            if line is not None and line.startswith(f"[{name}] "):
                raise self.failure(f"{sender} sent {sent_as or repr(text + chr(10))}; {name} got its own earlier "
                                   "line back before it.", received=(line + "\n").encode(),
                                   expected=(want + "\n").encode())
            if line != want:
                what = ("nothing came" if line is None and not other.eof else
                        "its connection closed" if line is None else f"its next line was {line!r}")
                raise self.failure(f"{sender} sent {sent_as or repr(text + chr(10))}; {other.name} waited "
                                   f"{LINE_TIMEOUT:g} s for it as [{sender}] ...: {what}.",
                                   received=None if line is None else (line + "\n").encode(),
                                   expected=(want + "\n").encode())

    def leave(self, user, how="close"):
        """``user`` leaves (closes, or resets); every other joined user gets a notice naming it."""
        del self.joined[user.name]
        self.silent.discard(user.name)
        user.reset() if how == "reset" else user.leave()
        for other in self.listening():
            self.expect_notice(other, user.name, "left" if how == "close" else "reset its connection and left")
