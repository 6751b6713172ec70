"""Hypothesis strategies for the multi_message_client property: what to send, how replies come.

Messages are any text a message may hold (no ``\\n``, no ``\\r``, no lone surrogate, which has
no UTF-8 form), empty ones included, with the characters that trip real clients mixed in on
purpose: spaces and tabs that ``strip()`` eats, the separators that ``str.splitlines()`` also
splits on (``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029), and multi-byte
characters of every UTF-8 length. Hypothesis alone would reach them only now and then.

A cut is how the grader's server splits its replies into sends (see ``line_reply_server``); the
strategy draws them all, with ``Chunks`` sizes as Hypothesis likes them, shrinking towards
pieces of one byte.
"""

from hypothesis import strategies as st

from grader.peers.lines.server import ByteByByte, Chunks, InsideCharacters, Merged, OnePerReply

TRICKY = " \t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029é→🙂"

# Text from the whole of Unicode, with a tricky character between runs of it: an alphabet
# strategy would draw those few characters no more often than any other code point.
message = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\r"), max_size=8),
              st.sampled_from(TRICKY)),
    max_size=6,
).map("".join)


def messages(max_messages=6):
    """Lists of messages, each a valid message for ``send_messages``."""
    return st.lists(message, max_size=max_messages)


def reply_cuts():
    """Ways to cut the replies into sends, simplest (one byte at a time) first."""
    return st.one_of(
        st.just(ByteByByte()),
        st.lists(st.integers(1, 12), min_size=1, max_size=4).map(Chunks),
        st.sampled_from([InsideCharacters(), OnePerReply(), Merged()]),
    )
