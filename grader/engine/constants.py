"""A check module's module-level constants, read from its source without running it.

The catalog (``grader/engine/catalog.py``) lists an exercise's checks without importing their
module, which would import pytest and Hypothesis. A check author still writes ``@check`` as
Python: ``hint=SLOW_HINT``, ``points=POINTS``, a sentence kept in a constant, ``needs=check_get``.
So the source is read the way Python would run it, statement by statement, keeping the value of
every name that can be known without running anything:

- literals (str, numbers, True/False/None), tuples and lists of them;
- names bound earlier by a plain assignment at module level (``A = ...``, ``A: str = ...``,
  ``A += ...``, ``A, B = 1, 2``);
- ``+ - * /`` between numbers, ``+`` between strings, a unary minus, and f-strings of those;
- names of functions defined earlier (``FunctionName``: what ``needs=check_get`` names).

Anything else (an import, a call, a name bound inside an ``if``) makes the name unknown, and
using it says so in a ``NotConstant`` naming the line, instead of a bare traceback: the author
learns at once why the catalog cannot read it.
"""

import ast
import operator
from dataclasses import dataclass

_NUMBER_OPERATIONS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                      ast.Div: operator.truediv}


class NotConstant(ValueError):
    """An expression the catalog cannot evaluate from the source alone; ``line`` is where it is."""

    def __init__(self, reason, node=None):
        super().__init__(reason)
        self.reason = reason
        self.line = getattr(node, "lineno", None)


@dataclass(frozen=True)
class FunctionName:
    """A function defined at module level, as an expression names it (``needs=check_get``)."""

    name: str


def _numbers(*values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


class Namespace:
    """The module's names as far as the source has been read, in source order."""

    def __init__(self):
        self._values = {}
        self._unknown = {}  # name -> why it cannot be known

    def bind(self, statement):
        """Take in one top-level statement (after any decorators of it were evaluated)."""
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._set(statement.name, FunctionName(statement.name))
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                self._assign(target, statement.value)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            self._assign(statement.target, statement.value)
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            self._assign(statement.target, ast.BinOp(ast.Name(name, ast.Load()), statement.op, statement.value,
                                                     lineno=statement.lineno))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                self._forget((alias.asname or alias.name).split(".")[0], "is imported, and the catalog reads only "
                             "this module's own constants")
        else:  # a class, an if, a for, a with ...: whatever it binds is not known from here
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    self._forget(node.id, "is bound by a statement the catalog does not run")
            if isinstance(statement, ast.ClassDef):
                self._forget(statement.name, "is a class")

    def _set(self, name, value):
        self._values[name] = value
        self._unknown.pop(name, None)

    def _forget(self, name, why):
        self._values.pop(name, None)
        self._unknown[name] = why

    def _assign(self, target, value):
        if isinstance(target, ast.Name):
            try:
                self._set(target.id, self.evaluate(value))
            except NotConstant as exc:
                self._forget(target.id, f"is assigned something the catalog cannot evaluate ({exc.reason})")
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                and len(target.elts) == len(value.elts):
            for one, other in zip(target.elts, value.elts):
                self._assign(one, other)
        else:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    self._forget(node.id, "is assigned by unpacking the catalog cannot follow")

    def evaluate(self, node):
        """The value of expression ``node``; NotConstant if the source alone cannot say."""
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (str, int, float))):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self._values:
                return self._values[node.id]
            why = self._unknown.get(node.id, "is not defined above this line at module level")
            raise NotConstant(f"{node.id} {why}", node)
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.evaluate(item) for item in node.elts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.evaluate(node.operand)
            if _numbers(value):
                return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _NUMBER_OPERATIONS:
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            if _numbers(left, right) or isinstance(node.op, ast.Add) and isinstance(left, str) \
                    and isinstance(right, str):
                return _NUMBER_OPERATIONS[type(node.op)](left, right)
        if isinstance(node, ast.JoinedStr):
            return "".join(self._formatted(part) for part in node.values)
        raise NotConstant(f"{ast.unparse(node)!r} is not a literal, a module constant or a + of them", node)

    def _formatted(self, part):
        if isinstance(part, ast.Constant):
            return part.value
        value = self.evaluate(part.value)
        if isinstance(value, FunctionName):
            raise NotConstant(f"{part.value.id} is a function, not a constant", part)
        value = {ord("r"): repr, ord("s"): str, ord("a"): ascii}.get(part.conversion, lambda v: v)(value)
        spec = self.evaluate(part.format_spec) if part.format_spec is not None else ""
        return format(value, spec)
