"""The JSON report of CONTRACTS.md, for instructors' scripts and CI jobs."""

import json


def write(report, stream, **_):
    json.dump(report.to_json(), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
