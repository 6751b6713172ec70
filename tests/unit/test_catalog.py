"""The catalog reads @check from the source as Python would run it, and agrees with the decorator."""

import ast
import importlib
import re

import pytest

from grader.engine.catalog import CheckInfo, checks_of, selected_checks
from grader.engine.check import check
from grader.engine.constants import FunctionName, Namespace, NotConstant
from grader.track import EXERCISES


def evaluated(source, expression):
    namespace = Namespace()
    for statement in ast.parse(source).body:
        namespace.bind(statement)
    return namespace.evaluate(ast.parse(expression, mode="eval").body)


def test_module_constants_and_simple_expressions_are_evaluated():
    source = ("A = 'one '\nB = A + 'two'\nN = 2\nN += 1\nX, Y = 1.5, -N\nT: str = f'{B!r} x{N:03d}'\n"
              "def check_a(): pass\n")
    assert evaluated(source, "B") == "one two"
    assert evaluated(source, "N * 2 - 1") == 5
    assert evaluated(source, "(X, Y)") == (1.5, -3)
    assert evaluated(source, "T") == "'one two' x003"
    assert evaluated(source, "'implicit' ' concatenation'") == "implicit concatenation"
    assert evaluated(source, "[check_a, None]") == (FunctionName("check_a"), None)


@pytest.mark.parametrize("source, expression, reason", [
    ("from elsewhere import HINT\n", "HINT", "HINT is imported"),
    ("HINT = make()\n", "HINT", "HINT is assigned something the catalog cannot evaluate"),
    ("if True:\n    HINT = 'x'\n", "HINT", "HINT is bound by a statement the catalog does not run"),
    ("", "HINT", "HINT is not defined above this line"),
    ("", "'a' + 1", "is not a literal, a module constant or a + of them"),
    ("HINT = 'x'\nimport HINT\n", "HINT", "HINT is imported"),  # the later binding wins, as in Python
])
def test_what_cannot_be_known_from_the_source_says_why(source, expression, reason):
    with pytest.raises(NotConstant, match=re.escape(reason)):
        evaluated(source, expression)


@pytest.mark.parametrize("exercise", [e.name for e in EXERCISES])
def test_the_catalog_reads_what_the_decorators_say(exercise):
    """The static catalog and the imported module agree on every check: sentence, points, hint,
    needs (so a check module the catalog would misread fails here, not in a learner's report)."""
    module = importlib.import_module(f"grader.katas.{exercise}.checks")
    for info in checks_of(exercise):
        marker = next(m for m in getattr(module, info.function).pytestmark if m.name == "check")
        assert (marker.kwargs["sentence"], float(marker.kwargs["points"]), marker.kwargs["hint"]) == \
               (info.name, info.points, info.hint)
        assert tuple(f"{exercise}.{name}" for name in marker.kwargs["needs"]) == info.needs_ids
        assert info.id == f"{exercise}.{info.function}"


def test_needs_takes_a_check_function_a_sentence_or_several():
    namespace = {}
    exec(compile("from grader.engine.check import check\n"
                 "@check('first', points=1)\ndef check_first(): pass\n"
                 "@check('second', points=1, needs=check_first)\ndef check_second(): pass\n"
                 "@check('third', points=1, needs=('first', check_second))\ndef check_third(): pass\n",
                 "kata", "exec"), namespace)

    def needs(name):
        return next(m for m in namespace[name].pytestmark if m.name == "check").kwargs["needs"]

    assert needs("check_first") == () and needs("check_second") == ("check_first",)
    assert needs("check_third") == ("check_first", "check_second")


def test_needs_of_what_is_not_an_earlier_check_is_refused():
    def plain():
        pass

    with pytest.raises(ValueError, match="needs=plain is not a check"):
        check("x", points=1, needs=plain)(lambda: None)
    with pytest.raises(ValueError, match="needs='nobody' is the sentence of no earlier check"):
        check("x", points=1, needs="nobody")(lambda: None)


def test_a_focus_keeps_the_first_check_and_what_the_chosen_ones_need():
    infos = [CheckInfo("starts", 1, None, id="k.check_a"), CheckInfo("echoes", 1, None, id="k.check_b"),
             CheckInfo("echoes big", 1, None, id="k.check_c", needs_ids=("k.check_b",)),
             CheckInfo("closes", 1, None, id="k.check_d")]
    assert selected_checks(infos, "BIG") == ["k.check_a", "k.check_b", "k.check_c"]
    assert selected_checks(infos, "nothing") == []
