"""Report formats: each is a function ``write(report, stream, **options)`` over one Report.

Every format is written from the same ``grader.results.Report``, so the score a learner reads in
the terminal and the score a platform records cannot disagree. A format's module is imported
when it is first written, not before: the learner who asked for text does not pay for XML.
"""

import importlib


def _writer(module):
    def write(report, stream, **options):
        return importlib.import_module(f"grader.reports.{module}").write(report, stream, **options)
    write.__qualname__ = f"{module}.write"
    return write


FORMATS = {
    "text": _writer("text"),
    "json": _writer("json_report"),
    "gradescope": _writer("gradescope"),
    "github": _writer("github"),
    "junit": _writer("junit"),
    "html": _writer("html"),
}
