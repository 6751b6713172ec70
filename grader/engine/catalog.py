"""The checks of each exercise, read from the check modules' source without importing them.

A report must list every check, with its points, even for an exercise that is not started or
missing, and it must do so fast: importing a check module means importing pytest and
Hypothesis, a third of a second the learner with untouched stubs should not wait for. So the
``@check(...)`` decorators are read from the source, their arguments evaluated as far as the
source alone allows (``grader/engine/constants.py``: literals, module constants, simple
concatenations, names of earlier check functions).

A check is identified by its function: its id is ``<exercise>.<function name>``
(``echo_server.check_binary_data``), unique in a report and stable when its sentence is
reworded. The sentence is what the learner reads. ``needs=`` names earlier checks by function
(or, as it once had to, by sentence); both resolve to ids here and in ``grader/engine/check.py``.
"""

import ast
import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader.engine.constants import FunctionName, Namespace, NotConstant

KATAS_DIR = Path(__file__).resolve().parent.parent / "katas"


class CatalogError(ValueError):
    """A check module whose ``@check`` decorators cannot be read from its source (a grader bug)."""


def check_id(exercise_name, function_name):
    """The id of a check: ``echo_server.check_binary_data``."""
    return f"{exercise_name}.{function_name}"


def as_needs(needs):
    """``needs`` as a tuple, whether it was given as one check, several or none."""
    if not needs:
        return ()
    return tuple(needs) if isinstance(needs, (tuple, list)) else (needs,)


@dataclass(frozen=True)
class CheckInfo:
    name: str  # the sentence the learner reads
    points: float
    hint: str | None
    needs: tuple = ()  # sentences of the checks this one needs (what a reader of the report knows them by)
    id: str = ""  # <exercise>.<function>
    needs_ids: tuple = ()  # ids of the checks this one needs

    @property
    def function(self):
        return self.id.rpartition(".")[2]


def check_module(exercise_name):
    return KATAS_DIR / exercise_name / "checks.py"


def module_of(exercise):
    """Where an exercise's checks are: ``checks.py`` in its home (``grader/katas/<exercise>/``)."""
    return exercise.home / "checks.py"


def checks_of(exercise_name):
    """The exercise's checks in the order they run, or () if it has no check module yet."""
    return checks_in(check_module(exercise_name))


@cache
def checks_in(path):
    """The checks of the check module at ``path`` (its folder names the exercise), or ().

    Parsing the five-hundred-line modules is most of what answering an untouched stub costs, so
    what was read is kept in the user's cache, keyed by the module's path, size and time: a
    module that changes is read again."""
    path = Path(path)
    if not path.exists():
        return ()
    try:
        stat = path.stat()
        cached = _cache_file(path, stat)
        return tuple(CheckInfo(**{k: tuple(v) if isinstance(v, list) else v for k, v in info.items()})
                     for info in json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    found = _read_checks(path)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps([dataclasses.asdict(info) for info in found]), encoding="utf-8")
        os.replace(temporary, cached)
    except (OSError, NameError):
        pass
    return found


def _cache_file(path, stat):
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    reader = Path(__file__).stat().st_mtime_ns  # a changed reader reads everything again
    key = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0{reader}"
    key = hashlib.sha256(key.encode()).hexdigest()[:32]
    return Path(base) / "netkata" / "catalog" / f"{key}.json"


def _read_checks(path):
    exercise = path.parent.name
    namespace = Namespace()
    found = []
    for statement in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in statement.decorator_list:
                if _is_check(decorator):
                    try:
                        found.append(_info(decorator, statement.name, exercise, namespace, found))
                    except NotConstant as exc:
                        line = exc.line or decorator.lineno
                        raise CatalogError(f"{path}, line {line}: @check of {statement.name} cannot be read "
                                           f"without running the module: {exc.reason}") from None
        namespace.bind(statement)
    return tuple(found)


def _is_check(decorator):
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    return getattr(func, "id", None) == "check" or isinstance(func, ast.Attribute) and func.attr == "check"


def _info(decorator, function, exercise, namespace, earlier):
    arguments = {k.arg: k.value for k in decorator.keywords}
    if decorator.args:
        arguments["sentence"] = decorator.args[0]
    if "sentence" not in arguments or "points" not in arguments:
        raise NotConstant("it needs a sentence and points=", decorator)
    sentence = namespace.evaluate(arguments["sentence"])
    points = namespace.evaluate(arguments["points"])
    hint = namespace.evaluate(arguments["hint"]) if "hint" in arguments else None
    if not isinstance(sentence, str) or not isinstance(points, (int, float)) or isinstance(points, bool) \
            or not (hint is None or isinstance(hint, str)):
        raise NotConstant("the sentence and hint= must be strings, points= a number", decorator)
    needed = [_needed(value, earlier, arguments["needs"])
              for value in as_needs(namespace.evaluate(arguments["needs"]) if "needs" in arguments else None)]
    return CheckInfo(sentence, float(points), hint, tuple(i.name for i in needed), check_id(exercise, function),
                     tuple(i.id for i in needed))


def _needed(value, earlier, node):
    """The earlier check that one value of ``needs=`` names: a function, or a sentence."""
    for info in earlier:
        if value == FunctionName(info.function) or value == info.name:
            return info
    shown = value.name if isinstance(value, FunctionName) else repr(value)
    raise NotConstant(f"needs={shown} names no earlier check of this module", node)


def matches(info, focus):
    """Whether a focus (``grader --check TEXT``) selects this check: its sentence contains it, any case."""
    return focus.lower() in info.name.lower()


def selected_checks(infos, focus, keep_first=False):
    """The ids of the checks of one exercise a focus selects, in order, with the checks they depend
    on and the exercise's first check (the dependency of every other); ``keep_first``: the first
    check even when the focus selects none of this exercise's (another exercise's it does)."""
    chosen = {i.id for i in infos if matches(i, focus)}
    if infos and (chosen or keep_first):
        chosen.add(infos[0].id)
    needs = {i.id: i.needs_ids for i in infos}
    pending = list(chosen)
    while pending:
        for needed in needs.get(pending.pop(), ()):
            if needed not in chosen:
                chosen.add(needed)
                pending.append(needed)
    return [i.id for i in infos if i.id in chosen]
