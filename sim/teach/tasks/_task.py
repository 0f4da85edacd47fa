"""A task: one exercise's private reference, its test cases, and how to grade a trainee's function.

:func:`grade` calls the trainee's function on every case (each call gets deep copies of the
inputs), and finds, in this order of cases:

* calls that raise (``NotImplementedError`` on every case, or ``None`` / ``...`` returned on
  every case, means "still a stub"; any other exception is reported with the trainee's line);
* inputs the function changed (each argument is compared with a pristine copy afterwards);
* answers that differ from the private reference (see :mod:`sim.teach._judge`).

Cases are small hand-built inputs that hit the boundaries of the specification, with every
parameter taking at least two values, plus a realistic input where useful; their data differ
from the notebook's, so a function that reads a notebook variable instead of its argument
fails. The expected values are computed once per process from the reference and never shown.

What the trainee's code can reach while it runs is limited on purpose: no frame of the checker
holds an expected value during the call, an answer's type is screened (a trainee's own class,
say a ``float`` subclass whose ``==`` always says yes, is refused) before any expected value is
looked up, and a call of the task's private reference, of :meth:`Task.cases`, or of a package
function that does the whole exercise (``Task.forbidden``, e.g. ``sim.analysis.privacy.mask_email``)
is noticed (with :func:`sys.setprofile`) and graded ✗. These are self-checks inside the
trainee's own Python process, not an exam: code written to reverse-engineer the checker (or
to copy ``solutions/``) can still pass, and nothing here tries to stop that.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any, Literal

from sim.teach._compare import _STUB_TEXT, _fmt, _is_pandas
from sim.teach._judge import Expect, judge, screen
from sim.teach._trace import describe_exception

__all__ = ["Case", "Grade", "Task", "grade"]


@dataclass(frozen=True)
class Case:
    """One call of the trainee's function.

    Attributes
    ----------
    says : str
        What the case tests, in words, as the trainee reads it after a ✗ ("an order exactly
        ``window_days`` after the cut-off counts"). Never the expected value.
    args : tuple
        Positional arguments.
    kwargs : mapping
        Keyword arguments.
    each : bool
        Call the function once per item of ``args[0]`` (a function of one value, checked on
        a whole column); the answer is the list of results.

    Examples
    --------
    >>> Case("one customer, one order", (1,)).kwargs
    {}
    """

    says: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    each: bool = False


@dataclass
class Task:
    """An exercise the checker grades: ``check.task(name, function)``.

    Attributes
    ----------
    name : str
        The function's name in the notebook (the task is found by it).
    reference : callable
        The private reference implementation (same signature as the trainee's).
    make_cases : callable
        Returns the list of :class:`Case` (called once; may build realistic data).
    expect : Expect
        How answers are compared.
    hint : str
        Printed after a ✗.
    forbidden : tuple of str
        Dotted names of package functions that do the whole exercise
        (``"sim.analysis.privacy.mask_email"``); a trainee's function that calls one is ✗.

    Examples
    --------
    >>> t = Task("double", lambda x: 2 * x, lambda: [Case("zero", (0,)), Case("three", (3,))], Expect("count"), "")
    >>> [c.says for c, _ in t.cases()], [e for _, e in t.cases()]
    (['zero', 'three'], [0, 6])
    """

    name: str
    reference: Callable[..., Any]
    make_cases: Callable[[], Sequence[Case]]
    expect: Expect
    hint: str
    forbidden: tuple[str, ...] = ()
    _inputs: list[Case] | None = field(default=None, repr=False)
    _answers: list[Any] | None = field(default=None, repr=False)

    def inputs(self) -> list[Case]:
        """The cases (inputs only), built once."""
        if self._inputs is None:
            self._inputs = list(self.make_cases())
        return self._inputs

    def cases(self) -> list[tuple[Case, Any]]:
        """(case, expected answer) pairs, computed once from the reference (on copies of the inputs)."""
        if self._answers is None:
            self._answers = [_call(self.reference, _copy(case)) for case in self.inputs()]
        return list(zip(self.inputs(), self._answers, strict=True))

    def watched(self) -> dict[CodeType, str]:
        """Code the trainee's function must not run: the reference, :meth:`cases`, ``forbidden``.

        A forbidden function counts only once its module is imported (a function that calls it
        must have imported it), so grading never imports a package it does not need.
        """
        private = "the checker's private reference solution"
        found: dict[CodeType, str] = {}
        for own in (self.reference, Task.cases):
            code = _code_of(own)
            if code is not None:
                found[code] = private
        for dotted in self.forbidden:
            func = resolve(dotted, import_modules=False)
            code = _code_of(func) if func is not None else None
            if code is not None:
                found[code] = f"`{dotted}`, the package's own version"
        return found


def _code_of(func: object) -> CodeType | None:
    func = inspect.unwrap(func)  # type: ignore[arg-type]
    code = getattr(func, "__code__", None)
    return code if isinstance(code, CodeType) else None


def resolve(dotted: str, *, import_modules: bool = True) -> object | None:
    """The object named ``"package.module.function"``; None if its module is not loaded (and not imported).

    Examples
    --------
    >>> resolve("sim.teach.tasks._task.resolve") is resolve
    True
    """
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        name = ".".join(parts[:cut])
        module = sys.modules.get(name)
        if module is None and import_modules:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
        if module is None:
            continue
        obj: object = module
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    if import_modules:
        raise ValueError(f"cannot import {dotted!r}")
    return None


def _copy(case: Case) -> Case:
    return Case(case.says, copy.deepcopy(case.args), copy.deepcopy(dict(case.kwargs)), case.each)


class _Watch:
    """Notice whether watched code runs while the trainee's function runs (via sys.setprofile)."""

    def __init__(self, codes: Mapping[CodeType, str]) -> None:
        self.codes = codes
        self.hit: str | None = None
        self.previous: Any = None

    def _profile(self, frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and self.hit is None and frame.f_code in self.codes:
            self.hit = self.codes[frame.f_code]
        if self.previous is not None:
            self.previous(frame, event, arg)

    def __enter__(self) -> _Watch:
        self.previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(self.previous)


Status = Literal["correct", "wrong", "stub"]


@dataclass(frozen=True)
class Grade:
    """What :func:`grade` found.

    Attributes
    ----------
    status : {"correct", "wrong", "stub"}
    detail : str or None
        The phrase after "not yet — " (None when correct).
    cases : int
        Number of cases run.
    failed : int
        Number of cases the function got wrong.
    got : str or None
        How the trainee's answer in the first failing case was shown (for tests).

    Examples
    --------
    >>> Grade("correct", None, 3, 0).failed
    0
    """

    status: Status
    detail: str | None
    cases: int
    failed: int
    got: str | None = None


# --------------------------------------------------------------------------- calling


def _call(func: Callable[..., Any], case: Case) -> Any:
    if case.each:
        return [func(value, *case.args[1:], **case.kwargs) for value in case.args[0]]
    return func(*case.args, **case.kwargs)


def _is_stub_answer(answer: object, each: bool) -> bool:
    if each and isinstance(answer, list):
        return bool(answer) and all(x is None or x is Ellipsis for x in answer)
    return answer is None or answer is Ellipsis


def _unchanged(before: object, after: object) -> bool:
    """Whether an argument is exactly as it was (values, labels, dtypes)."""
    if _is_pandas(before, "DataFrame") or _is_pandas(before, "Series") or _is_pandas(before, "Index"):
        if type(before) is not type(after):
            return False
        b, a = before, after  # type: Any, Any
        if _is_pandas(b, "DataFrame") and not (b.columns.equals(a.columns) and (b.dtypes == a.dtypes).all()):
            return False
        if _is_pandas(b, "Series") and (b.dtype != a.dtype or b.name != a.name):
            return False
        if not _is_pandas(b, "Index") and not (b.index.equals(a.index) and b.index.names == a.index.names):
            return False
        if _is_pandas(b, "DataFrame") and b.columns.names != a.columns.names:
            return False
        return bool(b.equals(a))
    if hasattr(before, "shape") and hasattr(before, "dtype"):
        import numpy as np

        arr: Any = before
        other: Any = after
        return bool(np.array_equal(arr, other, equal_nan=arr.dtype.kind in "fc"))
    if isinstance(before, dict) and isinstance(after, dict):
        return before.keys() == after.keys() and all(_unchanged(before[k], after[k]) for k in before)
    if isinstance(before, list | tuple) and isinstance(after, list | tuple):
        return len(before) == len(after) and all(_unchanged(b, a) for b, a in zip(before, after, strict=True))
    try:
        return bool(before == after) or (before != before and after != after)
    except (TypeError, ValueError):
        return True


def _changed_argument(reference: Callable[..., Any], case: Case, given: Case) -> str | None:
    """Name of the first argument the trainee's function changed, or None."""
    try:
        names = list(inspect.signature(reference).parameters)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        names = []
    for i, (before, after) in enumerate(zip(case.args, given.args, strict=True)):
        if case.each and i == 0:
            continue
        if not _unchanged(before, after):
            return names[i] if i < len(names) else f"argument {i + 1}"
    for key, before in case.kwargs.items():
        if not _unchanged(before, given.kwargs[key]):
            return key
    return None


# --------------------------------------------------------------------------- grading


@dataclass
class _Result:
    case: Case
    error: BaseException | None = None
    stub: bool = False
    problem: str | None = None
    got: str | None = None


def _run_case(task: Task, func: Callable[..., Any], i: int) -> _Result:
    """Call ``func`` on copies of case ``i``; no expected value is within reach during the call."""
    case = task.inputs()[i]
    given = _copy(case)
    watch = _Watch(task.watched())
    answer: Any = None
    error: BaseException | None = None
    try:
        with watch:
            answer = _call(func, given)
    except (Exception, SystemExit) as exc:  # the trainee's bug: reported, never raised
        error = exc
    if watch.hit is not None:
        return _Result(case, problem=f"calls {watch.hit}: write the code yourself (that is the exercise)")
    if error is not None:
        return _Result(case, error=error, stub=isinstance(error, NotImplementedError))
    stub = _is_stub_answer(answer, case.each)
    try:
        changed = _changed_argument(task.reference, case, given)
    except Exception:  # comparing with what the trainee left in its input failed: it was changed
        changed = "one of its inputs"
    if changed is not None:
        return _Result(
            case,
            problem=f"changed its input `{changed}`: work on a copy (e.g. `.copy()` or `.assign(...)`) instead",
        )
    answers = answer if case.each else [answer]
    odd = next((p for p in (screen(a, task.expect) for a in answers) if p is not None), None)
    if odd is not None:
        result = _Result(case, problem=odd, got=None)
    else:
        expected = task.cases()[i][1]
        try:
            if case.each:
                result = _judge_each(task, case, answer, expected)
            else:
                phrase = judge(answer, expected, task.expect)
                result = _Result(case, problem=phrase, got=_fmt(answer) if phrase else None)
        except Exception as exc:  # a value the comparison cannot handle: say so, never raise
            result = _Result(
                case, problem=f"returned {_fmt(answer)}, which could not be compared ({type(exc).__name__})"
            )
    result.stub = stub
    return result


def _judge_each(task: Task, case: Case, answers: list[Any], expected: list[Any]) -> _Result:
    bad = [i for i, (got, want) in enumerate(zip(answers, expected, strict=True))
           if judge(got, want, task.expect) is not None]  # fmt: skip
    if not bad:
        return _Result(case)
    i = bad[0]
    phrase = judge(answers[i], expected[i], task.expect) or ""
    if len(expected) > 1:
        phrase += f" for {_fmt(list(case.args[0])[i])}; {len(bad)} of {len(expected)} values are wrong"
    return _Result(case, problem=phrase, got=_fmt(answers[i]))


def grade(task: Task, func: object) -> Grade:
    """Run the trainee's ``func`` on every case of ``task``; see the module docstring.

    Examples
    --------
    >>> t = Task("double", lambda x: 2 * x, lambda: [Case("zero doubles to zero", (0,)),
    ...          Case("a positive number", (3,))], Expect("count"), "")
    >>> grade(t, lambda x: 2 * x).status
    'correct'
    >>> grade(t, lambda x: 3 * x).detail
    '1 of 2 cases fail; first: a positive number (your function returned 9, which is too high)'
    """
    n = len(task.cases())  # every expected value is computed now, before the trainee's code runs
    if func is None or func is Ellipsis:
        return Grade("stub", f"there is no answer yet (got {_fmt(func)})", n, n)
    if not callable(func):
        return Grade(
            "wrong",
            f"pass the function itself, e.g. check.task({task.name!r}, {task.name}), not its result",
            n,
            n,
        )
    results = [_run_case(task, func, i) for i in range(n)]
    failed = [r for r in results if r.error is not None or r.problem is not None]
    if failed and all(r.stub for r in results):
        if any(r.error is not None for r in results):
            return Grade("stub", _STUB_TEXT, len(results), len(failed))
        shown = "`...`" if any(r.problem and "Ellipsis" in r.problem for r in failed) else "None"
        detail = f"there is no answer yet (your function returns {shown}: finish the code, and `return` the result)"
        return Grade("stub", detail, len(results), len(failed))
    if not failed:
        return Grade("correct", None, len(results), 0)
    first = failed[0]
    if first.error is not None and first.stub:
        detail = f"{first.case.says} (your code still reaches `raise NotImplementedError()`)"
    elif first.error is not None:
        detail = f"{describe_exception(first.error)} (case: {first.case.says})"
    elif first.stub:
        detail = f"{first.case.says} (your function {first.problem}: is a `return` missing?)"
    else:
        detail = f"{first.case.says} (your function {first.problem})"
    if len(results) > 1:
        detail = f"{len(failed)} of {len(results)} cases fail; first: {detail}"
    return Grade("wrong", detail, len(results), len(failed), first.got)
