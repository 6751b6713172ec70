"""Hypothesis strategies for the paginator's property check: any collection, any page layout.

The fixed checks try the layouts people think of; the property tries the ones they do not: an
empty collection, empty and short pages anywhere (a filtered scan, as DynamoDB's, can return an
empty page that still has a ``next``), a full last page, each page's link in its own style, an
entry URL that redirects. No faults: those cost real waiting time and have their own checks.
Items are numbered 1, 2, 3, ... so a shrunk failure reads as "page 2 is missing".
"""

from hypothesis import strategies as st

from grader.peers.pagination.scenario import LINK_STYLES, Scenario

MAX_PAGES = 8
MAX_PAGE_SIZE = 6


@st.composite
def scenarios(draw, max_pages=MAX_PAGES, max_page_size=MAX_PAGE_SIZE):
    """A fault-free Scenario of 1 to ``max_pages`` pages with numbered items."""
    sizes = draw(st.lists(st.integers(0, max_page_size), min_size=1, max_size=max_pages))
    links = draw(st.lists(st.sampled_from(LINK_STYLES), min_size=len(sizes), max_size=len(sizes)))
    return Scenario.numbered(sizes, links=tuple(links), redirect_entry=draw(st.booleans()))
