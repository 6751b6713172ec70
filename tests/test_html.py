"""The HTML formats: one report as a page (`--format html`, `grades/<submission>.html`) and the class
report (`grades/index.html`). Both are well-formed, self-contained (nothing to fetch: a CSP of
default-src 'none' and no URL of anywhere), escape learner text as every format does, and show
numbers that are the JSON reports' own. A real headless Chromium renders the class report, and
the screenshot is looked at for the charts."""

import copy
import json
import os
import shutil
import subprocess

import pytest

from html_reading import fetchable_urls, having, parse, pixels_like, read_png
from test_reports import HOSTILE_OUTPUT, fixed_report, rendered
from grader.reports import html
from grader.reports.common import points

GRADER = {"version": "0.1.0", "digest": "0123456789abcdef" * 4}
EXERCISES = ["echo_server", "http_hello_server", "multi_message_client", "url_validator", "paginator"]


def test_one_report_is_a_well_formed_self_contained_page_with_the_json_numbers():
    page = rendered("html")
    elements = parse(page)
    report = json.loads(rendered("json"))
    assert having(elements, "meta", http_equiv="Content-Security-Policy")[0][1]["content"] == html.CSP
    assert fetchable_urls(page) == []
    assert page.isascii()
    rows = {e[1]["data-exercise"]: e for e in having(elements, "tr", data_exercise=None)}
    assert list(rows) == [e["name"] for e in report["exercises"]]
    cells = having(elements, "td", data_value=None)
    shown = [(c[1]["class"], float(c[1]["data-value"]), float(c[2])) for c in cells]
    expected = [(kind, float(e[key]), float(e[key])) for e in report["exercises"]
                for kind, key in (("number score", "score"), ("number max", "max_score"))]
    assert shown == expected
    total = having(elements, "tr", **{"class": "total"})[0]
    assert f"{points(report['score'])}" in total[2] and f"{points(report['max_score'])}" in total[2]


def test_a_report_page_holds_the_text_report_escaped():
    from grader.reports.html import text_of

    page = rendered("html")
    pre = having(parse(page), "pre", **{"class": "report"})[0][2]
    assert pre == text_of(fixed_report())  # the text report, character for character, once unescaped
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x1b" not in page and "\\x1b[31m" in page  # escaped for the terminal first, as in text
    assert "Total: 15.5/60" in pre


def entry(name, report, problem=None, notes=""):
    return {"name": name, "report": report, "problem": problem, "notes": notes}


def class_entries():
    """A class from the fixed report: scores spread by passing or failing checks, one not graded
    with a partial report, one not graded at all, and hostile names and notes."""
    base = fixed_report().to_json()
    entries = []
    for number in range(7):
        report = copy.deepcopy(base)
        for position, exercise in enumerate(report["exercises"]):
            for check in exercise["checks"]:
                passed = (number + position) % 3 != 0
                check["status"] = "passed" if passed else "failed"
                check["score"] = check["max_score"] if passed else 0.0
            exercise["score"] = sum(c["score"] for c in exercise["checks"])
        report["score"] = sum(e["score"] for e in report["exercises"])
        entries.append(entry(f"learner{number}", report, notes="url_validator: missing" if number % 2 else ""))
    entries.append(entry("<b>mallory</b>", copy.deepcopy(base), notes=HOSTILE_OUTPUT))
    partial = copy.deepcopy(base)
    partial["exercises"][1]["interrupted"] = True
    entries.append(entry("slow & steady", partial, problem="not graded: the grader did not finish within its "
                                                             "time-out of 600 s"))
    entries.append(entry("zed", None, problem="not graded: the grader exited with status 3 (<oops>)"))
    return sorted(entries, key=lambda e: e["name"])


def class_page(entries=None):
    import io

    stream = io.StringIO()
    html.write_class(stream, entries=entries or class_entries(), exercises=EXERCISES, grader=GRADER, check=None)
    return stream.getvalue()


def assert_class_report_matches(page, entries, exercises=EXERCISES):
    """Every number the class report shows is the one computed here from the JSON reports."""
    elements = parse(page)
    assert having(elements, "meta", http_equiv="Content-Security-Policy")[0][1]["content"] == html.CSP
    assert fetchable_urls(page) == []
    graded = [e for e in entries if e["report"] is not None and e["problem"] is None]
    totals = [e["report"]["score"] for e in graded]
    summary = having(elements, "p", **{"class": "summary"})[0][1]
    assert (int(summary["data-submissions"]), int(summary["data-graded"]), int(summary["data-not-graded"])) == (
        len(entries), len(graded), len(entries) - len(graded))
    maximum = max(e["report"]["max_score"] for e in graded) if graded else 0
    assert float(summary["data-max-score"]) == maximum
    assert summary["data-mean"] == (points(round(sum(totals) / len(totals), 2)) if totals else "-")
    assert f"mean {summary['data-mean']}." in having(elements, "p", **{"class": "summary"})[0][2]

    bins = having(elements, "rect", **{"class": "bin"})
    if graded:
        assert sum(int(b[1]["data-count"]) for b in bins) == len(graded)
        for b in bins:
            low, high = float(b[1]["data-low"]), float(b[1]["data-high"])
            last = high >= maximum - 1e-9
            inside = [t for t in totals if low - 1e-9 <= t < high - 1e-9 or (last and t >= low - 1e-9)]
            assert int(b[1]["data-count"]) == len(inside), (low, high, totals)

    # pass rates, from the JSON: passed / graded, worst first
    expected = {}
    for e in graded:
        for exercise in e["report"]["exercises"]:
            for check in exercise["checks"]:
                row = expected.setdefault(check["id"], [0, 0])
                row[0] += check["status"] == "passed"
                row[1] += exercise["status"] not in ("missing", "not_started")
    rows = having(elements, "tr", **{"class": "check"})
    assert {r[1]["data-check"]: [int(r[1]["data-passed"]), int(r[1]["data-handed-in"])] for r in rows} == expected
    rates = [int(r[1]["data-passed"]) / int(r[1]["data-graded"]) for r in rows]
    assert rates == sorted(rates) and all(int(r[1]["data-graded"]) == len(graded) for r in rows)
    for r in rows:
        passed, total = int(r[1]["data-passed"]), int(r[1]["data-graded"])
        assert f"{passed} of {total}" in r[2] and f"{100 * passed / total:.0f}%" in r[2]

    # not graded, and why
    listed = {li[1]["data-submission"]: li[2] for li in having(elements, "li", data_submission=None)}
    assert set(listed) == {e["name"] for e in entries if e["problem"] is not None}
    for e in entries:
        if e["problem"] is not None:
            assert e["problem"] in listed[e["name"]]

    # every submission, linked to its page, with the gradebook's numbers
    table = having(elements, "tr", **{"class": "submission"})
    assert [r[1]["data-submission"] for r in table] == [e["name"] for e in entries]
    links = [a[1]["href"] for a in having(elements, "a", href=None)]
    from urllib.parse import quote
    for e in entries:
        assert quote(e["name"] + ".html", safe="") in links
    scores = having(elements, "td", **{"class": "number score"})
    by_submission = iter(scores)
    for e in entries:
        whole = {x["name"]: x["score"] for x in (e["report"] or {}).get("exercises", []) if not x.get("interrupted")}
        for name in exercises:
            cell = next(by_submission)
            assert cell[1]["data-exercise"] == name
            assert (float(cell[1]["data-value"]) if "data-value" in cell[1] else None) == whole.get(name)
    totals_shown = having(elements, "td", **{"class": "number total"})
    assert [float(t[1]["data-value"]) if "data-value" in t[1] else None for t in totals_shown] == [
        e["report"]["score"] if e["report"] is not None and e["problem"] is None else None for e in entries]
    return elements


def test_the_class_report_is_well_formed_and_every_number_is_the_json_reports():
    entries = class_entries()
    page = class_page(entries)
    assert_class_report_matches(page, entries)
    assert page.isascii()


def test_the_class_report_escapes_names_notes_and_reasons():
    page = class_page()
    assert "<b>mallory</b>" not in page and "&lt;b&gt;mallory&lt;/b&gt;" in page
    assert "<script>" not in page and "\x1b" not in page and "\\x1b[31m" in page
    assert "(&lt;oops&gt;)" in page
    assert 'href="%3Cb%3Emallory%3C%2Fb%3E.html"' in page and 'href="slow%20%26%20steady.html"' in page


def test_an_empty_class_has_a_report_too():
    page = class_page([entry("zed", None, problem="not graded: batch was interrupted")])
    elements = parse(page)
    assert having(elements, "rect") == [] and "No submission was graded." in page


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def render(page, folder):
    """(screenshot PNG bytes, Chromium's log) of ``page`` opened from disk in headless Chromium.
    With --enable-logging=stderr Chromium logs every console message (a blocked request, a
    Content-Security-Policy violation, a script error) as an INFO:CONSOLE line."""
    folder.mkdir()
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    shot = folder / "shot.png"
    command = [chromium(), "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               f"--user-data-dir={folder / 'profile'}", "--window-size=1100,1300", "--enable-logging=stderr",
               "--v=0", f"--screenshot={shot}", index.as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=folder)
    assert shot.is_file(), result.stderr[-3000:]
    return shot.read_bytes(), result.stderr


def browser_complaints(log):
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Content Security Policy" in line
            or "net::ERR" in line]


@pytest.mark.skipif(chromium() is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium "
                                                "package: apt-get install chromium)")
def test_the_class_report_renders_in_headless_chromium_with_its_charts(tmp_path):
    # First, that a page which fetches something or runs a script is seen to (the CSP blocks it, and
    # Chromium says so): so that no complaint below means there was nothing to complain about.
    bad = html.page("bad", '<p><img src="http://127.0.0.1:9/x.png" alt="" /></p>\n')
    _, log = render(bad, tmp_path / "bad")
    assert browser_complaints(log), log[-3000:]

    shot, log = render(class_page(), tmp_path / "class")
    assert browser_complaints(log) == []
    png = read_png(shot)
    width, height = png[0], png[1]
    assert (width, height) == (1100, 1300)
    # The histogram is the first chart: its bars, in their colour, in the top part of the page.
    top = (0, 0, width, 450)
    assert pixels_like(png, html.HISTOGRAM_COLOUR, region=top) > 3000
    # The pass-rate bars below it: their passing part and the rest.
    below = (0, 350, width, height)
    assert pixels_like(png, html.PASS_COLOUR, region=below) > 1000
    assert pixels_like(png, html.FAIL_COLOUR, region=below) > 1000
    assert pixels_like(png, "#ffffff") > width * height // 3  # the background, for scale
