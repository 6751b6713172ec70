"""What the learner's file is, before any of it runs: missing, a syntax error, an untouched stub.

These answers come from reading the file, not running it, so an untouched exercise is reported
as not started in milliseconds and without starting a process. A stub is untouched when its
contract function's body is still only a docstring and ``raise NotImplementedError``; once the
learner writes anything in it, the checks run (and a NotImplementedError still raised at run
time is reported as not started there).
"""

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class FileState:
    kind: str  # "missing", "unreadable", "syntax_error", "untouched" or "ready"
    detail: str = ""
    line: int | None = None  # the line of a syntax error


def inspect_file(path, function):
    if not path.is_file():
        return FileState("missing")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileState("unreadable", f"{path.name} could not be read as UTF-8 text: {exc}")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return FileState("syntax_error", describe_syntax_error(path, exc), exc.lineno)
    except ValueError as exc:  # e.g. a NUL byte in the source
        return FileState("syntax_error", f"{path.name} is not valid Python source: {exc}")
    definitions = [node for node in tree.body
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function]
    if definitions and _only_raises_not_implemented(definitions[-1]):
        return FileState("untouched")
    return FileState("ready")


def _only_raises_not_implemented(definition):
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def describe_syntax_error(path, exc):
    where = f"{path.name}, line {exc.lineno}" if exc.lineno else path.name
    lines = [f"Python cannot read {where}: {exc.msg}."]
    if exc.text:
        text = exc.text.rstrip("\n")
        stripped = text.lstrip()
        lines.append("    " + stripped)
        if exc.offset:
            lines.append("    " + " " * max(0, exc.offset - 1 - (len(text) - len(stripped))) + "^")
    return "\n".join(lines)


def sibling_imports(path):
    """The modules ``path`` imports from its own folder (a ``helpers.py`` or ``helpers/`` beside it).

    The exercise is one file: ``grader batch`` and Gradescope grade a copy of that file alone, so
    an import that works here fails there. Read, not run; an unreadable file imports nothing."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    folder = path.parent
    found = []
    for name in dict.fromkeys(names):
        if name != path.stem and ((folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()):
            found.append(name)
    return found


def one_file_note(path):
    """What to tell a learner whose file imports modules beside it, or ""."""
    siblings = sibling_imports(path)
    if not siblings:
        return ""
    shown = ", ".join(f"{name}.py" if (path.parent / f"{name}.py").is_file() else f"{name}/" for name in siblings)
    return (f"{path.name} imports {shown} from its own folder. The exercise is one file: your course's "
            f"grader (grader batch, Gradescope) takes only {path.name}, so that import fails there. "
            f"Put that code into {path.name}.")
