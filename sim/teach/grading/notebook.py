"""The course's own exercises notebooks: their answer cells, their checks, their import lines."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["STUB_LINE", "Check", "answer_cells", "course_checks"]

STUB_LINE = "raise NotImplementedError()"


@dataclass(frozen=True)
class Check:
    """One ``check.task(task, function)`` call of a course exercises notebook."""

    task: str
    function: str


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def answer_cells(nb: dict[str, Any]) -> list[str]:
    """Ids of the course notebook's answer cells (code cells holding the exercise stub).

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "id": "a", "source": "def f():\\n    raise NotImplementedError()"},
    ...                 {"cell_type": "code", "id": "b", "source": "check.task('f', f)"}]}
    >>> answer_cells(nb)
    ['a']
    """
    return [
        str(c.get("id"))
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and any(line.strip() == STUB_LINE for line in _source(c).split("\n"))
    ]


def course_checks(nb: dict[str, Any]) -> list[Check]:
    """Every ``check.task("name", function)`` of the course notebook, in order.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "id": "b", "source": "ok = check.task('recency', recency_days)"}]}
    >>> course_checks(nb)
    [Check(task='recency', function='recency_days')]
    """
    found: list[Check] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "task"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and isinstance(node.args[1], ast.Name)
            ):
                found.append(Check(node.args[0].value, node.args[1].id))
    return found


def _prelude_imports(nb: dict[str, Any], answers: Sequence[str]) -> str:
    """The import statements of the course notebook's non-answer code cells (top level only)."""
    lines: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or str(cell.get("id")) in answers:
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                text = ast.unparse(node)
                if text not in lines:
                    lines.append(text)
    return "\n".join(lines)


def _read_course(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=4)
