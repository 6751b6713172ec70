"""Hypothesis strategies for udp_pinger: scripts of what an unreliable network does to pings.

Holds stay short (at most 20 ms against the property's 150 ms timeout: a 3x margin for a busy
machine), and scripts stay at three pings, so an example costs at most three timeouts.
"""

from hypothesis import strategies as st

from grader.peers.udp.script import ANSWER, DECOYS, DROP, LATE, TWICE, Fate

HOLDS = (0.0, 0.01, 0.02)


@st.composite
def fates(draw):
    reply = draw(st.sampled_from((ANSWER, DROP, LATE, TWICE)))
    hold = draw(st.sampled_from(HOLDS)) if reply in (ANSWER, TWICE) else 0.0
    decoys = tuple(draw(st.lists(st.sampled_from(DECOYS), max_size=2)))
    return Fate(reply, hold, decoys)


def scripts():
    """One fate per ping, 1 to 3 pings."""
    return st.lists(fates(), min_size=1, max_size=3)
