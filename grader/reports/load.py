"""Read a JSON report back into the result model, to write it again in any format.

``grader report FILE --format F`` uses it: grade once (say, in CI or with ``grader batch``),
keep the JSON, and show the same result as text, JUnit, Gradescope or GitHub output later.
Scores are derived from the checks, as always, so the view cannot disagree with the JSON.
"""

from grader.results import CheckResult, ExerciseResult, Report


class NotAReport(ValueError):
    pass


def report_from_json(data):
    try:
        exercises = []
        for exercise in data["exercises"]:
            checks = [CheckResult(str(c["name"]), str(c["status"]), float(c["max_score"]),
                                  str(c.get("message", "")), duration=float(c.get("duration", 0.0)),
                                  transcript=_transcript(c.get("transcript")))
                      for c in exercise["checks"]]
            exercises.append(ExerciseResult(str(exercise["name"]), str(exercise["status"]), checks,
                                            str(exercise.get("file", "")),
                                            float(exercise.get("duration", 0.0)),
                                            exercise.get("interrupted") is True,
                                            int(exercise.get("printed", 0))))
        return Report(exercises, str(data.get("tree", "")), float(data.get("duration", 0.0)),
                      data.get("interrupted") is True)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NotAReport(f"not a netkata JSON report ({type(exc).__name__}: {exc})") from None


def _transcript(lines):
    if lines is None:
        return None
    if not isinstance(lines, list):
        raise TypeError("a check's transcript is not a list of lines")
    return [str(line) for line in lines]
