"""The counting server's log read back: requests in flight over time, and a chart of them.

A request is in flight from the moment its head has been read until it ended: just before
the last byte of its answer was written (so a client's next request always arrives after it),
just before its connection was reset, or when the server saw the client give it up. Every
figure the checks judge (the most in flight at once, how soon a freed slot was filled) is
computed here from those two times, with plain function calls.
"""

from dataclasses import dataclass

CHART_WIDTH = 50  # columns of the time axis
CHART_ROWS = 14  # request rows at most; the middle ones are left out beyond that


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    number: int  # 1 for the first since the log was cleared
    target: str  # path and query, as sent
    connection: int  # 1 for the first TCP connection since the log was cleared
    start: float  # time.monotonic() when its head had been read
    end: float | None  # when it ended (see the top); None while in flight
    ending: str  # how it ended: "200", "404", "reset", "given up by the client", ...


def ends(requests):
    return sorted(r.end for r in requests if r.end is not None)


GIVEN_UP = "given up by the client"


def most_in_flight(requests):
    """The most requests in flight at one moment (one that ends as another starts: not both)."""
    events = sorted([(r.start, 1) for r in requests] + [(r.end, -1) for r in requests if r.end is not None])
    most = now = 0
    for _, change in events:  # at equal times the end (-1) sorts first
        now += change
        most = max(most, now)
    return most


def in_flight_at(requests, moment):
    return sum(1 for r in requests if r.start <= moment and (r.end is None or r.end > moment))


def refill_gaps(requests, limit):
    """For each request after the first ``limit``: (seconds it came after the end that freed its
    slot, that request). With ``limit`` slots, the k-th request to start (0-based, k >= limit)
    takes the slot of the (k - limit)-th to end."""
    starts = sorted(requests, key=lambda r: r.start)
    finished = ends(requests)
    gaps = []
    for k in range(limit, len(starts)):
        if k - limit < len(finished):
            gaps.append((starts[k].start - finished[k - limit], starts[k]))
    return gaps


def chart(requests, *, origin=None, marks=()):
    """A small text chart: one row per request (``=`` while in flight), time left to right, and a
    last row with the number in flight in each column. ``marks``: (time, label) drawn as ``|``."""
    if not requests:
        return "(no request reached the server)"
    origin = min(r.start for r in requests) if origin is None else origin
    last = max([r.end if r.end is not None else r.start for r in requests] + [t for t, _ in marks])
    span = max(last - origin, 0.001)
    step = span / CHART_WIDTH

    def column(moment):
        return min(CHART_WIDTH - 1, max(0, int((moment - origin) / step)))

    shown = sorted(requests, key=lambda r: r.number)
    left_out = 0
    if len(shown) > CHART_ROWS:
        left_out = len(shown) - CHART_ROWS
        shown = shown[: CHART_ROWS // 2] + shown[-(CHART_ROWS - CHART_ROWS // 2):]
    name_width = min(28, max(len(r.target) for r in shown))
    lines = [f"{'':4} {'':{name_width}}  0 s{'':{CHART_WIDTH - 3 - len(f'{span:.2f} s')}}{span:.2f} s"]
    for index, r in enumerate(shown):
        if left_out and index == CHART_ROWS // 2:
            lines.append(f"     ... {left_out} more requests ...")
        row = [" "] * CHART_WIDTH
        stop = column(r.end) if r.end is not None else CHART_WIDTH - 1
        for c in range(column(r.start), stop + 1):
            row[c] = "="
        if r.end is None:
            row[-1] = ">"
        for moment, _ in marks:
            if row[column(moment)] == " ":
                row[column(moment)] = "|"
        name = r.target if len(r.target) <= name_width else r.target[: name_width - 3] + "..."
        lines.append(f"#{r.number:<3} {name:<{name_width}}  {''.join(row)}  {r.ending or 'still in flight'}")
    counts = "".join(_digit(max(in_flight_at(requests, origin + (c + f) * step) for f in (0.0, 0.5, 0.99)))
                     for c in range(CHART_WIDTH))
    lines.append(f"{'':4} {'in flight':<{name_width}}  {counts}")
    for moment, label in marks:
        lines.append(f"{'':4} {'':{name_width}}  {' ' * column(moment)}| {label}")
    return "\n".join(lines)


def _digit(count):
    return " " if count == 0 else str(count) if count < 10 else "+"
