"""HTML: one report as a page (``--format html``, and ``grades/<submission>.html`` of ``grader
batch``), and the class report ``grades/index.html``.

Every page is one self-contained file: no script, no external style sheet, font or image, no URL
of any other site (a Content-Security-Policy of ``default-src 'none'`` says so to the browser),
so it opens the same from a laptop's disk, a course's file share or a CI artifact. The charts
are inline SVG and CSS boxes.

A report's page holds a table of its scores and then the text report, exactly as ``--format
text`` writes it without colour, in a ``<pre>``. Learner text is escaped as in every other
format (grader/quoting.py: nothing a terminal would obey), then as HTML; every character
outside ASCII is written as a character reference, so a page reads the same whatever the
encoding it is served with. The pages are also well-formed XML (tests/test_html.py parses them
as such).

Every number a page shows is also in a ``data-`` attribute of the element that shows it, so that
scripts (and the project's tests) can read them back without parsing prose.
"""

import html
import io
from urllib.parse import quote as url_quote

from grader.quoting import printable
from grader.reports.common import points, status_words

CSP = "default-src 'none'; style-src 'unsafe-inline'"
HISTOGRAM_COLOUR = "#2f6db5"  # the score histogram's bars (tests look for it in a screenshot)
PASS_COLOUR = "#2e8b57"  # the passing part of a check's bar
FAIL_COLOUR = "#e4b7b2"  # the rest of it
HISTOGRAM_BINS = 10
HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT = 720, 220  # the plot area of the histogram, in pixels
BAR_WIDTH = 360  # a check's pass-rate bar, in pixels

STYLE = f"""
body {{ font-family: sans-serif; margin: 24px; color: #1b1b1b; background: #ffffff; max-width: 1100px; }}
h1 {{ font-size: 22px; margin: 0 0 8px 0; }}
h2 {{ font-size: 17px; margin: 24px 0 8px 0; }}
table {{ border-collapse: collapse; }}
th, td {{ border-bottom: 1px solid #dddddd; padding: 3px 8px; text-align: left; vertical-align: top; }}
td.number, th.number {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
pre {{ background: #f6f6f6; padding: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }}
.bar {{ display: inline-block; width: {BAR_WIDTH}px; height: 14px; background: {FAIL_COLOUR}; }}
.bar span {{ display: block; height: 14px; background: {PASS_COLOUR}; }}
td.rate {{ white-space: nowrap; }}
.muted {{ color: #666666; }}
footer {{ margin-top: 32px; font-size: 12px; color: #666666; }}
"""


def esc(text):
    """Learner text (or anything) for HTML: made printable as in every format, then escaped."""
    return html.escape(printable(str(text)), quote=True)


def page(title, body):
    document = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + body + "</body>\n</html>\n")
    return document.encode("ascii", "xmlcharrefreplace").decode("ascii")


# -- one report ----------------------------------------------------------------------------------

class _Utf8Text(io.StringIO):
    """A text stream that is not a terminal but can show the check marks."""

    encoding = "utf-8"

    def isatty(self):
        return False


def text_of(report):
    from grader.reports import text

    stream = _Utf8Text()
    text.write(report, stream)
    return stream.getvalue()


def report_body(report, heading):
    rows = []
    for exercise in report.exercises:
        rows.append(f'<tr class="exercise" data-exercise="{esc(exercise.name)}">'
                    f"<td>{esc(exercise.name)}</td><td>{esc(status_words(exercise))}</td>"
                    f'<td class="number score" data-value="{points(exercise.score)}">{points(exercise.score)}</td>'
                    f'<td class="number max" data-value="{points(exercise.max_score)}">'
                    f"{points(exercise.max_score)}</td></tr>")
    partial = " (partial: grading was interrupted)" if report.interrupted else ""
    rows.append(f'<tr class="total"><th>Total{partial}</th><th></th>'
                f'<th class="number score" data-value="{points(report.score)}">{points(report.score)}</th>'
                f'<th class="number max" data-value="{points(report.max_score)}">{points(report.max_score)}</th></tr>')
    return (f"<h1>{esc(heading)}</h1>\n"
            '<table class="scores">\n<tr><th>exercise</th><th>status</th><th class="number">score</th>'
            '<th class="number">of</th></tr>\n' + "\n".join(rows) + "\n</table>\n"
            "<h2>Report</h2>\n"
            f'<pre class="report">{esc(text_of(report))}</pre>\n')


def write(report, stream, *, title=None, back=None, **_):
    """One report as a page. ``title``: the heading (default: the tree graded); ``back``: a
    relative link to the class report, for a submission's page."""
    heading = title or f"netkata report: {report.tree or 'grading'}"
    link = f'<p><a href="{html.escape(back, quote=True)}">Class report</a></p>\n' if back else ""
    stream.write(page(heading, link + report_body(report, heading)))


def not_graded_page(name, problem, stream, *, back=None):
    """The page of a submission that has no report: why it was not graded."""
    link = f'<p><a href="{html.escape(back, quote=True)}">Class report</a></p>\n' if back else ""
    heading = f"{name}: not graded"
    stream.write(page(heading, f"{link}<h1>{esc(heading)}</h1>\n"
                               f'<p class="problem">{esc(problem)}</p>\n'
                               f'<p>What its grader printed is in {esc(name)}.log beside this page.</p>\n'))


# -- the class report ----------------------------------------------------------------------------

def link_to(name, suffix=".html"):
    """A relative link to a file named after a submission, safe whatever the name holds."""
    return html.escape(url_quote(name + suffix, safe=""), quote=True)


def histogram_bins(scores, maximum, bins=HISTOGRAM_BINS):
    """(low, high, count) for ``bins`` equal bins over [0, maximum]; the last includes maximum."""
    if maximum <= 0:
        return [(0.0, 0.0, len(scores))]
    width = maximum / bins
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score / width)))] += 1
    return [(i * width, (i + 1) * width, counts[i]) for i in range(bins)]


def pass_rates(entries, exercises):
    """One row per check, worst first: (exercise, check id, sentence, passed, handed in, graded).

    Counted over the submissions that were graded (``report`` present and no ``problem``); a check
    of an exercise not started or missing counts as not passed; "handed in" is how many of them
    had a file for the exercise that was started."""
    graded = [e for e in entries if e["report"] is not None and e["problem"] is None]
    rows, order = {}, {}
    for entry in graded:
        for exercise in entry["report"]["exercises"]:
            attempted = exercise["status"] not in ("missing", "not_started")
            for position, check in enumerate(exercise["checks"]):
                key = check.get("id") or f"{exercise['name']}: {check['name']}"
                row = rows.setdefault(key, [exercise["name"], key, check["name"], 0, 0])
                order.setdefault(key, ((exercises.index(exercise["name"]) if exercise["name"] in exercises
                                        else len(exercises)), position))
                row[3] += check["status"] == "passed"
                row[4] += attempted
    total = len(graded)
    return sorted(((*row, total) for row in rows.values()), key=lambda r: (r[3] / total if total else 0, order[r[1]]))


def percent(part, whole):
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _histogram(scores, maximum):
    bins = histogram_bins(scores, maximum)
    tallest = max((count for _, _, count in bins), default=0) or 1
    left, top, bottom = 40, 20, 40
    step = HISTOGRAM_WIDTH / len(bins)
    parts = [f'<svg id="histogram" width="{HISTOGRAM_WIDTH + left + 10}" height="{HISTOGRAM_HEIGHT + top + bottom}" '
             f'viewBox="0 0 {HISTOGRAM_WIDTH + left + 10} {HISTOGRAM_HEIGHT + top + bottom}" role="img" '
             f'aria-label="Histogram of total scores">']
    axis_y = top + HISTOGRAM_HEIGHT
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + HISTOGRAM_WIDTH}" y2="{axis_y}" stroke="#333333" />')
    for i, (low, high, count) in enumerate(bins):
        height = round(HISTOGRAM_HEIGHT * count / tallest, 1)
        x = round(left + i * step + 2, 1)
        parts.append(f'<rect class="bin" x="{x}" y="{round(axis_y - height, 1)}" width="{round(step - 4, 1)}" '
                     f'height="{height}" fill="{HISTOGRAM_COLOUR}" data-low="{points(round(low, 4))}" '
                     f'data-high="{points(round(high, 4))}" data-count="{count}">'
                     f"<title>{points(round(low, 2))} to {points(round(high, 2))}: {count}</title></rect>")
        if count:
            parts.append(f'<text x="{round(x + (step - 4) / 2, 1)}" y="{round(axis_y - height - 3, 1)}" '
                         f'font-size="11" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{round(left + i * step, 1)}" y="{axis_y + 15}" font-size="11" '
                     f'text-anchor="middle">{points(round(low, 2))}</text>')
    parts.append(f'<text x="{left + HISTOGRAM_WIDTH}" y="{axis_y + 15}" font-size="11" text-anchor="middle">'
                 f"{points(round(maximum, 2))}</text>")
    parts.append(f'<text x="{left + HISTOGRAM_WIDTH / 2}" y="{axis_y + 32}" font-size="12" text-anchor="middle">'
                 "total score</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def write_class(stream, *, entries, exercises, grader, check=None):
    """The class report. ``entries``: one dict per submission, sorted by name, with ``name``,
    ``report`` (the parsed JSON report, or None), ``problem`` (why it was not graded, or None),
    ``notes`` (the gradebook's notes cell); ``exercises``: the names graded, in learning order;
    ``grader``: {"version", "digest"}; ``check``: the --check text, if any."""
    graded = [e for e in entries if e["report"] is not None and e["problem"] is None]
    not_graded = [e for e in entries if e["problem"] is not None]
    scores = [e["report"]["score"] for e in graded]
    maximum = max((e["report"]["max_score"] for e in graded), default=0.0)
    body = [f"<h1>Class report: {len(entries)} submission{'s' if len(entries) != 1 else ''}</h1>"]
    mean = points(round(sum(scores) / len(scores), 2)) if scores else "-"
    body.append(f'<p class="summary" data-submissions="{len(entries)}" data-graded="{len(graded)}" '
                f'data-not-graded="{len(not_graded)}" data-max-score="{points(maximum)}" data-mean="{mean}">'
                f"{len(graded)} graded, {len(not_graded)} not graded; scores out of {points(maximum)}, "
                f"mean {mean}.</p>")

    body.append("<h2>Score distribution</h2>")
    body.append(_histogram(scores, maximum) if graded else '<p class="muted">No submission was graded.</p>')

    body.append("<h2>Pass rate of each check, worst first</h2>")
    rates = pass_rates(entries, exercises)
    if rates:
        body.append(f'<p class="muted">Out of the {len(graded)} graded submissions; a check of an exercise not '
                    "started or missing counts as not passed.</p>")
        body.append('<table class="checks">\n<tr><th>exercise</th><th>check</th><th>pass rate</th>'
                    '<th class="number">passed</th><th class="number">handed in</th></tr>')
        for exercise, key, sentence, passed, handed_in, total in rates:
            width = round(BAR_WIDTH * passed / total, 1) if total else 0
            body.append(f'<tr class="check" data-check="{esc(key)}" data-passed="{passed}" '
                        f'data-handed-in="{handed_in}" data-graded="{total}">'
                        f"<td>{esc(exercise)}</td><td>{esc(sentence)}</td>"
                        f'<td class="rate"><span class="bar"><span style="width: {width}px"></span></span> '
                        f"{percent(passed, total)}</td>"
                        f'<td class="number">{passed} of {total}</td><td class="number">{handed_in}</td></tr>')
        body.append("</table>")
    else:
        body.append('<p class="muted">No check was run.</p>')

    body.append("<h2>Not graded</h2>")
    if not_graded:
        body.append('<ul class="not-graded">')
        for entry in not_graded:
            body.append(f'<li data-submission="{esc(entry["name"])}"><a href="{link_to(entry["name"])}">'
                        f'{esc(entry["name"])}</a>: {esc(entry["problem"])} '
                        f'(<a href="{link_to(entry["name"], ".log")}">log</a>)</li>')
        body.append("</ul>")
    else:
        body.append('<p class="not-graded">Every submission was graded.</p>')

    body.append("<h2>Submissions</h2>")
    body.append('<table class="submissions">\n<tr><th>submission</th>'
                + "".join(f'<th class="number">{esc(name)}</th>' for name in exercises)
                + '<th class="number">total</th><th>notes</th></tr>')
    for entry in entries:
        report = entry["report"]
        whole = report is not None and entry["problem"] is None
        scores_of = {e["name"]: e for e in (report or {}).get("exercises", []) if not e.get("interrupted")}
        cells = []
        for name in exercises:
            if name in scores_of:
                value = points(scores_of[name]["score"])
                cells.append(f'<td class="number score" data-exercise="{esc(name)}" data-value="{value}">{value}</td>')
            else:
                cells.append(f'<td class="number score" data-exercise="{esc(name)}"></td>')
        total = (f'<td class="number total" data-value="{points(report["score"])}">{points(report["score"])}</td>'
                 if whole else '<td class="number total"></td>')
        body.append(f'<tr class="submission" data-submission="{esc(entry["name"])}">'
                    f'<td><a href="{link_to(entry["name"])}">{esc(entry["name"])}</a></td>'
                    + "".join(cells) + total + f'<td>{esc(entry["notes"])}</td></tr>')
    body.append("</table>")

    focus = f"; only the checks containing {esc(check)!s}" if check else ""
    body.append(f'<footer data-version="{esc(grader["version"])}" data-digest="{esc(grader["digest"])}">'
                f'Graded by the netkata grader {esc(grader["version"])} (digest {esc(grader["digest"][:16])}); '
                f"exercises: {esc(', '.join(exercises))}{focus}.</footer>")
    stream.write(page(f"Class report: {len(entries)} submissions", "\n".join(body) + "\n"))
