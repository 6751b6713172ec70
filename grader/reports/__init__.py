"""Report formats: each is a function ``write(report, stream, **options)`` over one Report.

Every format is written from the same ``grader.results.Report``, so the score a learner reads in
the terminal and the score a platform records cannot disagree.
"""

from grader.reports import github, gradescope, json_report, junit, text

FORMATS = {
    "text": text.write,
    "json": json_report.write,
    "gradescope": gradescope.write,
    "github": github.write,
    "junit": junit.write,
}
