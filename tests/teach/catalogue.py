"""Helpers for the wrong-answer catalogues (``test_wrong_answers_chNN.py``).

A chapter's catalogue lists, for every task, plausible wrong implementations (boundary,
sign, ignored parameter, wrong column, mutation, constant, global instead of argument, wrong
dtype, unsorted, ...). :func:`catalogue_tests` turns that dict into the chapter's tests:

* every wrong implementation is graded "wrong" (not "stub", no exception escaping), and its
  message names no expected value;
* the solution (the function cell of ``solutions/NN_*.ipynb``, markers removed) is graded
  "correct", and the generated exercise stub of the same cell is graded "stub";
* every task of the chapter has at least :data:`MIN_WRONG` wrong implementations.

A new chapter writes ``WRONG = {"task": [wrong, ...], ...}`` and
``test_x = catalogue_tests("NN_name.ipynb", WRONG, NAMESPACE)`` style calls; see
``test_wrong_answers_ch00.py``.
"""

from __future__ import annotations

import copy
import numbers
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from sim.teach import clear_solutions
from sim.teach._compare import _fmt
from sim.teach.tasks import Task, get_task, grade
from sim.teach.tasks._task import _call

ROOT = Path(__file__).resolve().parents[2]
MIN_WRONG = 5
_DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)


def notebook_functions(notebook: str, namespace: dict[str, Any], *, stub: bool = False) -> dict[str, Callable]:
    """The exercise functions of ``solutions/<notebook>`` (or their stubs), executed in ``namespace``."""
    nb = nbformat.read(ROOT / "solutions" / notebook, as_version=4)
    found: dict[str, Callable] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "### BEGIN SOLUTION" not in cell.source:
            continue
        match = _DEF.search(cell.source)
        if not match:
            continue
        source = (
            clear_solutions(cell.source)
            if stub
            else "\n".join(
                line
                for line in cell.source.split("\n")
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
            )
        )
        scope = dict(namespace)
        exec(compile(source, f"<{notebook}:{match[1]}>", "exec"), scope)
        found[match[1]] = scope[match[1]]
    return found


def _expected_texts(value: Any) -> Iterator[str]:
    """Renderings of an expected value that a leaking message would contain."""
    if isinstance(value, pd.DataFrame):
        for col in value.columns:
            yield from _expected_texts(value[col])
    elif isinstance(value, pd.Series | list | tuple):
        for item in list(value)[:200]:
            yield from _expected_texts(item)
    elif isinstance(value, str):
        yield repr(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        yield _fmt(value)


def assert_wrong(task: Task, wrong: Callable) -> None:
    """``wrong`` is graded "wrong", and the message shows no expected value."""
    result = grade(task, wrong)
    assert result.status == "wrong", f"{task.name}: {wrong.__name__} was graded {result.status!r}: {result.detail}"
    assert result.detail and "\n" not in result.detail
    said = " ".join(case.says for case, _ in task.cases()) + " " + task.hint
    shown = result.detail.replace(result.got or "\0", "")
    theirs = set()  # values the wrong answer itself returns may be quoted back to the trainee
    for case, _ in task.cases():
        try:
            theirs |= set(_expected_texts(_call(wrong, copy.deepcopy(case))))
        except Exception:  # a wrong answer may raise: it returned nothing then
            pass
    for _, expected in task.cases():
        for text in _expected_texts(expected):
            if len(text) >= 3 and text not in said and text not in theirs:
                assert text not in shown, f"{task.name}: {wrong.__name__}'s message shows the expected {text}: {shown}"


def catalogue_ids(wrong: dict[str, list[Callable]]) -> list[tuple[str, Callable]]:
    """(task name, wrong implementation) pairs, for ``pytest.mark.parametrize``."""
    return [(name, func) for name, funcs in wrong.items() for func in funcs]


def assert_complete(wrong: dict[str, list[Callable]], solutions: dict[str, Callable]) -> None:
    """Every task has a solution in the notebook and at least MIN_WRONG wrong answers."""
    assert set(wrong) == set(solutions), f"catalogue {sorted(wrong)} vs notebook {sorted(solutions)}"
    for name, funcs in wrong.items():
        get_task(name)
        assert len(funcs) >= MIN_WRONG, f"{name}: only {len(funcs)} wrong answers in the catalogue"
        assert len({f.__name__ for f in funcs}) == len(funcs), f"{name}: two wrong answers share a name"
