"""Schema checks for the platform formats: Gradescope's results.json and JUnit XML.

No schema library is a dependency of the project, so both schemas are written out here as data
and checked by a few lines of code: the subset of JSON Schema that Gradescope's documented format
needs, and the structure the common JUnit XSD (the one Jenkins, GitLab and the GitHub
test-report actions follow) gives testsuites, testsuite and testcase.
"""

import xml.etree.ElementTree as ET

NUMBER = {"type": "number"}
TEXT = {"type": "string"}
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
OUTPUT_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}

GRADESCOPE_RESULTS = {
    "type": "object",
    "required": ["score", "output", "tests"],
    "properties": {
        "score": NUMBER, "max_score": NUMBER, "execution_time": NUMBER, "output": TEXT,
        "output_format": OUTPUT_FORMAT, "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "status", "output"],
            "properties": {
                "name": TEXT, "number": {"type": "string", "pattern_digits_dot": True},
                "score": NUMBER, "max_score": NUMBER, "status": {"enum": ["passed", "failed"]},
                "output": TEXT, "output_format": OUTPUT_FORMAT, "visibility": VISIBILITY,
                "tags": {"type": "array", "items": TEXT}, "extra_data": {"type": "object"},
            },
            "additionalProperties": False,
        }},
    },
    "additionalProperties": False,
}

_TYPES = {"object": dict, "array": list, "string": str}


def validate(value, schema, where="results"):
    """Raise AssertionError at the first place ``value`` does not follow ``schema``."""
    kind = schema.get("type")
    if kind == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{where}: not a number: {value!r}"
    elif kind is not None:
        assert isinstance(value, _TYPES[kind]), f"{where}: not {kind}: {value!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not one of {schema['enum']}"
    if schema.get("pattern_digits_dot"):
        assert all(part.isdigit() for part in value.split(".")), f"{where}: not like '2.3': {value!r}"
    if kind == "object":
        for key in schema.get("required", ()):
            assert key in value, f"{where}: no {key!r}"
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], f"{where}.{key}")
            else:
                assert schema.get("additionalProperties", True), f"{where}: unexpected key {key!r}"
    if kind == "array":
        for index, item in enumerate(value):
            validate(item, schema.get("items", {}), f"{where}[{index}]")


def validate_gradescope(results):
    validate(results, GRADESCOPE_RESULTS)
    tests = results["tests"]
    if tests and "max_score" in results:
        assert results["score"] == sum(t["score"] for t in tests)
        assert results["max_score"] == sum(t["max_score"] for t in tests)
    for test in tests:
        assert 0 <= test["score"] <= test["max_score"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"] > 0) or test["max_score"] == 0


# -- JUnit ---------------------------------------------------------------------------------------

COUNTS = ("tests", "failures", "errors", "skipped")
JUNIT = {
    # element: (required attributes, optional attributes, allowed children)
    "testsuites": ({"name", *COUNTS, "time"}, {"timestamp"}, {"testsuite"}),
    "testsuite": ({"name", *COUNTS, "time"}, {"timestamp", "hostname", "id", "package", "file"},
                  {"properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, set(), set()),
    "testcase": ({"name", "classname", "time"}, {"file", "line", "assertions"},
                 {"failure", "error", "skipped", "system-out", "system-err"}),
    "failure": ({"message", "type"}, set(), set()),
    "error": ({"message", "type"}, set(), set()),
    "skipped": (set(), {"message"}, set()),
    "system-out": (set(), set(), set()),
    "system-err": (set(), set(), set()),
}


def _check_element(element, where):
    assert element.tag in JUNIT, f"{where}: unknown element <{element.tag}>"
    required, optional, children = JUNIT[element.tag]
    attributes = set(element.attrib)
    assert required <= attributes, f"{where}: <{element.tag}> lacks {required - attributes}"
    assert attributes <= required | optional, f"{where}: <{element.tag}> has {attributes - required - optional}"
    for name in COUNTS:
        if name in element.attrib:
            assert element.attrib[name].isdigit(), f"{where}: {name}={element.attrib[name]!r}"
    if "time" in element.attrib:
        assert float(element.attrib["time"]) >= 0
    for child in element:
        assert child.tag in children, f"{where}: <{child.tag}> inside <{element.tag}>"
        _check_element(child, f"{where}/{child.tag}")


def _counts(cases):
    outcome = [next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), None) for case in cases]
    return {"tests": len(cases), "failures": outcome.count("failure"), "errors": outcome.count("error"),
            "skipped": outcome.count("skipped")}


def validate_junit(xml_text):
    """Parse JUnit XML and check its structure and its counts; return the root element."""
    root = ET.fromstring(xml_text.encode("utf-8"))
    assert root.tag == "testsuites"
    _check_element(root, "testsuites")
    every_case = []
    for suite in root:
        cases = suite.findall("testcase")
        assert sum(c.tag in ("failure", "error", "skipped") for case in cases for c in case) <= len(cases)
        for case in cases:
            assert sum(c.tag in ("failure", "error", "skipped") for c in case) <= 1, "two outcomes in one testcase"
        assert {k: int(suite.get(k)) for k in COUNTS} == _counts(cases), suite.get("name")
        every_case += cases
    assert {k: int(root.get(k)) for k in COUNTS} == _counts(every_case)
    return root
