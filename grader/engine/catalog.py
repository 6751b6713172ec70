"""The checks of each exercise, read from the check modules' source without importing them.

A report must list every check, with its points, even for an exercise that is not started or
missing, and it must do so fast: importing a check module means importing pytest and
Hypothesis, a third of a second the learner with untouched stubs should not wait for. The
``@check("sentence", points=N)`` decorators are literal, so the source says all we need.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

KATAS_DIR = Path(__file__).resolve().parent.parent / "katas"


def as_needs(needs):
    """``needs`` as a tuple of sentences, whether it was given as one sentence, several or none."""
    if not needs:
        return ()
    return (needs,) if isinstance(needs, str) else tuple(needs)


@dataclass(frozen=True)
class CheckInfo:
    name: str
    points: float
    hint: str | None
    needs: tuple = ()


def check_module(exercise_name):
    return KATAS_DIR / exercise_name / "checks.py"


@cache
def checks_of(exercise_name):
    """The exercise's checks in the order they run, or () if it has no check module yet."""
    path = check_module(exercise_name)
    if not path.exists():
        return ()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "check":
                keywords = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords
                            if k.arg in ("points", "hint", "needs")}
                found.append(CheckInfo(ast.literal_eval(decorator.args[0]), float(keywords["points"]),
                                       keywords.get("hint"), as_needs(keywords.get("needs"))))
    return tuple(found)


def selected_checks(names, focus, needs, first_of):
    """The checks a focus selects (sentence contains it, any case), what they depend on, and
    ``first_of`` (each exercise's first check, which every other depends on), whether or not
    the focus chose any of that exercise's checks: an exercise graded alone in a worker is
    focused as it would be beside the others."""
    chosen = {n for n in names if focus.lower() in n.lower()} | set(first_of)
    pending = list(chosen)
    while pending:
        for needed in needs.get(pending.pop(), ()):
            if needed not in chosen:
                chosen.add(needed)
                pending.append(needed)
    return [n for n in names if n in chosen]
