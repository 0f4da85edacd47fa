"""Helpers for the wrong-answer catalogues (``test_wrong_answers_chNN.py``).

A chapter's catalogue lists, for every task, plausible wrong implementations (boundary,
sign, ignored parameter, wrong column, mutation, constant, global instead of argument, wrong
dtype, unsorted, ...). :func:`catalogue_tests` turns that dict into the chapter's tests:

* every wrong implementation is graded "wrong" (not "stub", no exception escaping), and its
  message names no expected value;
* the solution (the function cell of ``solutions/NN_*.ipynb``, markers removed) is graded
  "correct", and the generated exercise stub of the same cell is graded "stub";
* every task of the chapter has at least :data:`MIN_WRONG` wrong implementations;
* every task rejects the :data:`CHEATS`: answers that try to pass without doing the work
  (the checker's private reference, the expected value fished from the call stack, objects
  whose ``==`` always says yes, subclasses of float / str / DataFrame, NaN, inf, random numbers,
  ``sys.exit``, objects whose methods raise) — built for each task by :func:`cheats_for`;
* the :data:`RIGHT` variants of a chapter (other correct ways: numpy scalars, other dtypes,
  other idioms) pass, so the checks are not stricter than the specification.

A new chapter writes ``WRONG = {"task": [wrong, ...], ...}`` and
``test_x = catalogue_tests("NN_name.ipynb", WRONG, NAMESPACE)`` style calls; see
``test_wrong_answers_ch00.py``.
"""

from __future__ import annotations

import copy
import numbers
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
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
    leaks = [t for _, e in task.cases() for t in _expected_texts(e) if len(t) >= 3 and t not in said and t in shown]
    if leaks:  # only then is the wrong answer run again: values it returns itself may be quoted back to the trainee
        theirs = set()
        for case, _ in task.cases():
            try:
                theirs |= set(_expected_texts(_call(wrong, copy.deepcopy(case))))
            except (Exception, SystemExit):  # a wrong answer may raise: it returned nothing then
                pass
        for text in leaks:
            assert text in theirs, f"{task.name}: {wrong.__name__}'s message shows the expected {text}: {shown}"


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


# --------------------------------------------------------------------------- cheats


class AlwaysEqual:
    """An answer whose comparisons always say "equal"."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__

    def __float__(self) -> float:
        return 0.0


class LyingFloat(float):
    """A float whose comparisons and differences always say "equal"."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False

    def __sub__(self, other: object) -> float:
        return 0.0

    def __rsub__(self, other: object) -> float:
        return 0.0

    def __abs__(self) -> float:
        return 0.0

    __hash__ = float.__hash__


def _expected_in_frames() -> object:
    """The first local called ``expected`` in any frame of the call stack (a cheat's search)."""
    frame = sys._getframe(1)
    while frame is not None:
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back  # type: ignore[assignment]
    return -1.0


class StackFloat(float):
    """A float whose ``float()`` / ``int()`` read the expected value from the checker's frames."""

    def __float__(self) -> float:
        found = _expected_in_frames()
        return float(found) if isinstance(found, numbers.Real) else 0.0

    def __int__(self) -> int:
        return int(self.__float__())


class LyingStr(str):
    """A str equal to every other value."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


class Explosive:
    """An answer every method of which raises."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no ==")

    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("no iter")

    def __len__(self) -> int:
        raise RuntimeError("no len")

    def __float__(self) -> float:
        raise RuntimeError("no float")

    def __bool__(self) -> bool:
        raise RuntimeError("no bool")

    __hash__ = object.__hash__


class LiarFrame(pd.DataFrame):
    """A DataFrame subclass that claims to equal anything."""

    @property
    def _constructor(self) -> type:
        return LiarFrame

    def equals(self, other: object) -> bool:
        return True


class LiarSeries(pd.Series):
    """A Series subclass that claims to equal anything."""

    @property
    def _constructor(self) -> type:
        return LiarSeries

    def equals(self, other: object) -> bool:
        return True


class BadMessage(Exception):
    """An exception whose message cannot be shown."""

    def __str__(self) -> str:
        raise RuntimeError("no message")


def _shaped_like(task: Task, args: tuple, make: Callable[[], Any]) -> Any:
    """An answer of the task's shape whose every value is ``make()``."""
    kind = task.expect.kind
    first = args[0] if args else None
    if kind == "frame" and isinstance(first, pd.DataFrame):
        out = first.copy()
        for col in task.cases()[0][1].columns:
            out[col] = pd.Series([make() for _ in range(len(out))], index=out.index, dtype=object)
        return out
    if kind == "series" and isinstance(first, pd.DataFrame):
        return pd.Series([make() for _ in range(len(first))], index=first.index, dtype=object)
    if kind == "names":
        return [make() for _ in range(3)]
    return make()


def cheats_for(task: Task) -> list[Callable]:
    """Cheats against ``task``: each tries to pass without doing the work; all must be ✗."""
    reference = task.reference

    def calls_the_private_reference(*args: Any, **kwargs: Any) -> Any:
        from sim.teach.tasks import get_task

        return get_task(task.name).reference(*args, **kwargs)

    def imports_the_reference_function(*args: Any, **kwargs: Any) -> Any:
        return reference(*args, **kwargs)

    def catches_the_refusal(*args: Any, **kwargs: Any) -> Any:
        try:
            return reference(*args, **kwargs)
        except Exception:
            return 0.0

    def reads_task_cases(*args: Any, **kwargs: Any) -> Any:
        from sim.teach.tasks import get_task

        for case, expected in get_task(task.name).cases():
            if repr(case.args[1:]) == repr(args[1:]):
                return expected
        return 0.0

    def expected_from_the_stack(*args: Any, **kwargs: Any) -> Any:  # what inspect.stack() offers, but quick
        found = _expected_in_frames()
        return 0.0 if found is None else found

    def reference_from_the_stack(*args: Any, **kwargs: Any) -> Any:
        frame = sys._getframe(1)
        while frame is not None:
            for value in list(frame.f_locals.values()):
                if isinstance(value, Task):
                    return value.reference(*args, **kwargs)
            frame = frame.f_back  # type: ignore[assignment]
        return 0.0

    def always_equal(*args: Any, **kwargs: Any) -> Any:
        return _shaped_like(task, args, AlwaysEqual)

    def lying_float(*args: Any, **kwargs: Any) -> Any:
        return LyingFloat(0.5)

    def float_reading_the_stack(*args: Any, **kwargs: Any) -> Any:
        return StackFloat(0.5)

    def lying_str(*args: Any, **kwargs: Any) -> Any:
        return _shaped_like(task, args, lambda: LyingStr("x"))

    def explosive(*args: Any, **kwargs: Any) -> Any:
        return _shaped_like(task, args, Explosive)

    def liar_subclass(*args: Any, **kwargs: Any) -> Any:
        first = args[0] if args else None
        if task.expect.kind == "series" and isinstance(first, pd.DataFrame):
            return LiarSeries(first.iloc[:, 0])
        if isinstance(first, pd.DataFrame):
            return LiarFrame(first)
        return LiarFrame({"x": [1.0]})

    def nan_answer(*args: Any, **kwargs: Any) -> Any:
        return float("nan")

    def numpy_nan_everywhere(*args: Any, **kwargs: Any) -> Any:
        return _shaped_like(task, args, lambda: np.nan)

    def pandas_na(*args: Any, **kwargs: Any) -> Any:
        return pd.NA

    def infinity(*args: Any, **kwargs: Any) -> Any:
        return float("inf")

    def unseeded_random(*args: Any, **kwargs: Any) -> Any:
        return float(np.random.default_rng().random())

    def exits(*args: Any, **kwargs: Any) -> Any:
        raise SystemExit(1)

    def unprintable_exception(*args: Any, **kwargs: Any) -> Any:
        raise BadMessage()

    def returns_the_input(*args: Any, **kwargs: Any) -> Any:
        return args[0]

    def identity_memo(*args: Any, **kwargs: Any) -> Any:  # recognise the checker's inputs by identity
        seen = identity_memo.__dict__.setdefault("seen", {})
        return seen.setdefault(id(args[0]), 0.0 if not seen else 1.0)

    return [calls_the_private_reference, imports_the_reference_function, catches_the_refusal, reads_task_cases,
            expected_from_the_stack, reference_from_the_stack, always_equal, lying_float, float_reading_the_stack,
            lying_str, explosive, liar_subclass, nan_answer, numpy_nan_everywhere, pandas_na, infinity,
            unseeded_random, exits, unprintable_exception, returns_the_input, identity_memo]  # fmt: skip


CHEAT_NAMES = [f.__name__ for f in cheats_for(Task("x", lambda: 0, list, None, ""))]  # type: ignore[arg-type]


def cheat_ids(names: list[str]) -> list[tuple[str, str]]:
    """(task name, cheat name) pairs for ``pytest.mark.parametrize``."""
    return [(name, cheat) for name in names for cheat in CHEAT_NAMES]


def assert_cheat_rejected(task: Task, cheat_name: str) -> None:
    """The cheat ``cheat_name`` against ``task`` is graded "wrong", in one line that shows no expected value."""
    assert_wrong(task, next(f for f in cheats_for(task) if f.__name__ == cheat_name))


def assert_right(task: Task, right: Callable) -> None:
    """``right`` (another correct way) is graded "correct"."""
    result = grade(task, right)
    assert result.status == "correct", f"{task.name}: {right.__name__} was graded {result.status!r}: {result.detail}"


def chapter_tests(
    notebook: str, namespace: dict[str, Any], wrong: dict[str, list[Callable]], right: dict[str, list[Callable]]
) -> dict[str, Callable]:
    """The five tests every chapter's catalogue runs, for ``globals().update(...)`` in its test file.

    * every task of the notebook has wrong answers in the catalogue;
    * each wrong answer is rejected (status "wrong", no expected value in the message);
    * the notebook's own solution passes and its generated stub reports "stub";
    * every cheat of :func:`cheats_for` is rejected;
    * other correct ways (``right``) pass, so the checks are no stricter than the task's text.
    """
    import pytest

    def test_catalogue_covers_every_task_of_the_notebook() -> None:
        assert_complete(wrong, notebook_functions(notebook, namespace))

    @pytest.mark.parametrize(("name", "wrong_answer"), catalogue_ids(wrong), ids=lambda x: getattr(x, "__name__", x))
    def test_wrong_answer_is_rejected(name: str, wrong_answer: Callable) -> None:
        assert_wrong(get_task(name), wrong_answer)

    @pytest.mark.parametrize("name", list(wrong))
    def test_solution_passes_and_stub_is_a_stub(name: str) -> None:
        task = get_task(name)
        solution = notebook_functions(notebook, namespace)[name]
        assert grade(task, solution).status == "correct", grade(task, solution).detail
        assert grade(task, notebook_functions(notebook, namespace, stub=True)[name]).status == "stub"

    @pytest.mark.parametrize(("name", "cheat"), cheat_ids(list(wrong)))
    def test_cheat_is_rejected(name: str, cheat: str) -> None:
        assert_cheat_rejected(get_task(name), cheat)

    @pytest.mark.parametrize(("name", "right_answer"), catalogue_ids(right), ids=lambda x: getattr(x, "__name__", x))
    def test_other_correct_ways_pass(name: str, right_answer: Callable) -> None:
        assert_right(get_task(name), right_answer)

    tests = [
        test_catalogue_covers_every_task_of_the_notebook,
        test_wrong_answer_is_rejected,
        test_solution_passes_and_stub_is_a_stub,
        test_cheat_is_rejected,
        test_other_correct_ways_pass,
    ]
    return {t.__name__: t for t in tests}
