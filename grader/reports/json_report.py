"""The JSON report of docs/command-line.md, for instructors' scripts and CI jobs."""

import json
import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def write(report, stream, **_):
    write_json(report.to_json(), stream)


def write_json(data, stream):
    """``data`` as indented JSON, non-ASCII text as it is; but if a string holds a lone surrogate
    (an exception message can carry one from the learner's program), every non-ASCII character
    is written as a \\u escape: UTF-8 cannot encode a lone surrogate, and the report must still
    be written, and still be valid JSON."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if _LONE_SURROGATE.search(text):
        text = json.dumps(data, indent=2, ensure_ascii=True)
    stream.write(text + "\n")
