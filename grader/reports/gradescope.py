"""Gradescope's results.json: the score, a short summary, and one test per check.

Gradescope shows each test with its name, number, score and output; its status is "passed" or
"failed" (a skipped check scores nothing, so it is "failed", and its output says why it did not
run). Numbers are "exercise.check": the exercise's place in the learning order, then the check's
place in the exercise, so "2.3" is the third check of http_hello_server.
"""

from grader.quoting import printable
from grader.reports.common import all_passed_words, exercise_number, interrupted_note, points, summary_lines
from grader.reports.json_report import write_json
from grader.results import PASSED

OUTPUT_FORMAT = "text"  # the messages are plain text, aligned in columns


def write(report, stream, *, visibility="visible", **_):
    write_json(results(report, visibility=visibility), stream)


def results(report, *, visibility="visible"):
    tests = []
    for position, exercise in enumerate(report.exercises, 1):
        number = exercise_number(exercise, position)
        for index, check in enumerate(exercise.checks, 1):
            tests.append({
                "name": f"{exercise.name}: {check.name}",
                "number": f"{number}.{index}",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.status == PASSED else "failed",
                "output": printable(check.message) if check.status != PASSED else "",
                "output_format": OUTPUT_FORMAT,
                "tags": [exercise.name],
                "visibility": visibility,
            })
    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.duration),
        "output": overview(report),
        "output_format": OUTPUT_FORMAT,
        "visibility": visibility,
        "tests": tests,
    }


def overview(report):
    """The text above the tests: a line per exercise, the total, what to do next."""
    rows = summary_lines(report)
    if report.isolation:  # how the learner's programs ran (grader/learner/sandbox.py)
        rows.append(f"Isolation: {report.isolation}")
    rows += [f"{exercise.name}: {note}" for exercise in report.exercises for note in exercise.notes]
    nxt = report.next_unfinished()
    if report.interrupted:
        rows.append(interrupted_note(report))
    elif nxt is None:
        rows.append(all_passed_words(report))
    elif nxt.checks:
        left = sum(1 for c in nxt.checks if c.status != PASSED)
        missing = nxt.max_score - nxt.score
        rows.append(f"Next: {nxt.name} ({left} of {len(nxt.checks)} checks to go, {points(missing)} "
                    f"point{'' if missing == 1 else 's'}). The tests below say what each check saw.")
    else:
        rows.append(f"Next: {nxt.name}.")
    return "\n".join(rows)
