"""Report formats: each is a function ``write(report, stream, **options)`` over one Report.

The formats CONTRACTS.md names that do not exist yet are known here too, so the command line
can say that they are coming rather than that they are unknown.
"""

from grader.reports import json_report, text

FORMATS = {"text": text.write, "json": json_report.write}
PLANNED = ("gradescope", "github", "junit")
