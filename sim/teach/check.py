"""Self-checks for the exercise notebooks: a friendly ✓ / ✗ with a hint.

Every exercise ends with a check cell such as::

    from sim.teach import check
    check.run("recency_days", lambda: recency_days(orders, cutoff), expected,
              hint="Recency counts days *before* the cut-off.")

which prints one line:

* ``✓ recency_days: correct`` when the answer matches;
* ``✗ recency_days: not yet — <what differs>. Hint: ...`` when it does not;
* ``… recency_days: not yet — your code is still a stub ...`` while the exercise is
  unanswered (the function still raises :class:`NotImplementedError`, or the answer is
  ``None`` or ``...``).

A wrong answer raises :class:`CheckFailed` (an :class:`AssertionError`) **only** in strict
mode, i.e. when the environment variable ``RETENTION_LAB_STRICT`` is ``1``; the notebook test
harness sets it when it executes ``solutions/``, so a solution that drifts from its expected
value fails loudly. A stub never raises, so an untouched exercises notebook runs to the end.

Library use: numpy (``numpy.isclose``) does the tolerance arithmetic and pandas the table
handling; :mod:`reprlib` shortens long values in messages. The comparison *wording* is
hand-written, because library assertion messages (``pandas.testing``, ``numpy.testing``) are
written for developers, not for trainees. pandas is imported lazily, so ``import sim.teach``
stays quick.

Examples
--------
>>> from sim.teach import check
>>> _ = check("repeat_rate", 0.5, 0.5)
✓ repeat_rate: correct
>>> _ = check("repeat_rate", 0.4, 0.5, hint="Divide by *all* customers.")
✗ repeat_rate: not yet — expected 0.5, got 0.4 (off by 20%). Hint: Divide by *all* customers.
>>> _ = check("repeat_rate", None, 0.5)
… repeat_rate: not yet — there is no answer yet (got None: finish the code above, and `return` the result)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.teach._compare import _STUB_TEXT, _compare, _fmt, _is_missing, _is_number, _is_pandas, _kind
from sim.teach._trace import describe_exception

__all__ = ["STRICT_ENV", "CheckFailed", "Checker", "Outcome", "check", "is_strict"]

#: Environment variable that turns a ✗ into an exception (set by the test harness).
STRICT_ENV = "RETENTION_LAB_STRICT"

Status = Literal["correct", "wrong", "stub"]

_SYMBOL = {"correct": "✓", "wrong": "✗", "stub": "…"}


class CheckFailed(AssertionError):
    """A self-check reported ✗ while strict mode (``RETENTION_LAB_STRICT=1``) is on.

    Examples
    --------
    >>> issubclass(CheckFailed, AssertionError)
    True
    """


@dataclass(frozen=True)
class Outcome:
    """What a check found; truthy only when the answer is correct.

    The line has already been printed, so a notebook shows nothing more when a check is the
    last expression of a cell.

    Attributes
    ----------
    name : str
        The exercise name given to the check.
    status : {"correct", "wrong", "stub"}
        ``"stub"`` means there is no answer yet.
    message : str
        The line that was printed.

    Examples
    --------
    >>> out = Outcome("demo", "correct", "✓ demo: correct")
    >>> bool(out), out.status
    (True, 'correct')
    """

    name: str
    status: Status
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def _ipython_display_(self) -> None:  # the line is already printed
        return None


def is_strict() -> bool:
    """Return True when ``RETENTION_LAB_STRICT`` asks wrong answers to raise.

    ``1``, ``true``, ``yes`` and ``on`` (any case) switch strict mode on; anything else,
    or an unset variable, leaves it off. The variable is read on every check.

    Examples
    --------
    >>> import os
    >>> os.environ.pop("RETENTION_LAB_STRICT", None) and None
    >>> is_strict()
    False
    """
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


# --------------------------------------------------------------------------- the checker


class Checker:
    """The ``check`` object used in exercise check cells.

    Call it directly (``check(name, answer, expected)``: the comparison follows the type of
    ``expected``) or use one of the explicit methods :meth:`equal`, :meth:`close`,
    :meth:`frame`, :meth:`that` and :meth:`run`. Each prints one line and returns an
    :class:`Outcome`.

    Notes
    -----
    Arguments shared by the methods:

    name : str
        Short name of the exercise, shown in the message (use the function's name).
    answer : object
        The trainee's answer. ``None``, ``...`` or a :class:`NotImplementedError` mean
        "no answer yet" (reported as a stub, never raised).
    expected : object
        The reference value. Numbers are compared with a tolerance, DataFrames / Series
        column by column, lists / tuples / dicts item by item, sets as sets, anything
        else with ``==``.
    hint : str, optional
        Printed after a ✗, never after a ✓ or a stub.
    rtol, atol : float
        Relative and absolute tolerance for numbers (``numpy.isclose``); defaults 1e-6
        and 1e-9.

    Examples
    --------
    >>> import pandas as pd
    >>> check = Checker()
    >>> want = pd.DataFrame({"customer_id": [1, 2], "recency": [3.0, 10.0]})
    >>> got = pd.DataFrame({"customer_id": [1, 2], "recency": [3.0, 11.0]})
    >>> _ = check.frame("recency_table", got, want, hint="Count days before the cut-off.")
    ✗ recency_table: not yet — column 'recency': 1 of 2 values differ; first at row 1: expected 10, got 11. Hint: Count days before the cut-off.
    >>> _ = check.run("recency_table", lambda: want.copy(), want)
    ✓ recency_table: correct
    """

    rtol: float = 1e-6
    atol: float = 1e-9

    # -- public API -------------------------------------------------------------------

    def __call__(
        self,
        name: str,
        answer: object,
        expected: object,
        *,
        hint: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
        check_index: bool = True,
        check_column_order: bool = False,
        check_dtype: bool = False,
    ) -> Outcome:
        """Compare ``answer`` with ``expected`` (comparison chosen by type) and report.

        Examples
        --------
        >>> _ = Checker()("labels", ["small", "large"], ["small", "large"])
        ✓ labels: correct
        """
        missing = _is_missing(answer)
        if missing is not None and expected is not None:
            return self._report(name, "stub", missing, hint)
        try:
            diff = _compare(
                answer,
                expected,
                rtol=self.rtol if rtol is None else rtol,
                atol=self.atol if atol is None else atol,
                check_index=check_index,
                check_column_order=check_column_order,
                check_dtype=check_dtype,
            )
        except Exception as exc:  # an answer the comparison cannot handle: one ✗ line, never a traceback
            diff = f"got {_kind(answer)}, which could not be compared ({type(exc).__name__})"
        return self._report(name, "correct" if diff is None else "wrong", diff, hint)

    def equal(self, name: str, answer: object, expected: object, *, hint: str | None = None) -> Outcome:
        """Exact comparison (no tolerance, also for floats).

        Examples
        --------
        >>> _ = Checker().equal("n_customers", 41, 42)
        ✗ n_customers: not yet — expected 42, got 41 (off by 2.4%).
        """
        return self(name, answer, expected, hint=hint, rtol=0.0, atol=0.0)

    def close(
        self,
        name: str,
        answer: object,
        expected: object,
        *,
        hint: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
    ) -> Outcome:
        """Numeric comparison within ``rtol`` / ``atol`` (numbers or arrays of numbers).

        Examples
        --------
        >>> _ = Checker().close("clv", 101.0, 100.0, rtol=0.02)
        ✓ clv: correct
        """
        if _is_missing(answer) is None and not (
            _is_number(expected) or isinstance(expected, np.ndarray | list | tuple)
        ):
            raise TypeError(f"check.close needs a number or an array as `expected`, got {_kind(expected)}")
        if isinstance(expected, list | tuple):
            expected = np.asarray(expected)
        return self(name, answer, expected, hint=hint, rtol=rtol, atol=atol)

    def frame(
        self,
        name: str,
        answer: object,
        expected: Any,
        *,
        hint: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
        check_index: bool = True,
        check_column_order: bool = False,
        check_dtype: bool = False,
    ) -> Outcome:
        """Compare tables: column names, number of rows, row labels, then values.

        Numeric columns are compared within tolerance, other columns exactly, and a missing
        value matches a missing value. Column order and dtypes are ignored unless asked for.
        ``expected`` may also be a Series.

        Examples
        --------
        >>> import pandas as pd
        >>> want = pd.DataFrame({"segment": ["gold", "silver"], "n": [3, 5]})
        >>> _ = Checker().frame("segments", want[["n", "segment"]], want)
        ✓ segments: correct
        >>> _ = Checker().frame("segments", want.rename(columns={"n": "count"}), want)
        ✗ segments: not yet — missing column 'n'; unexpected column 'count'.
        """
        if not (_is_pandas(expected, "DataFrame") or _is_pandas(expected, "Series")):
            raise TypeError(f"check.frame needs a DataFrame or Series as `expected`, got {_kind(expected)}")
        return self(
            name,
            answer,
            expected,
            hint=hint,
            rtol=rtol,
            atol=atol,
            check_index=check_index,
            check_column_order=check_column_order,
            check_dtype=check_dtype,
        )

    def that(
        self,
        name: str,
        answer: object,
        predicate: Callable[[Any], bool],
        *,
        expected: str,
        hint: str | None = None,
    ) -> Outcome:
        """Check a property of the answer when there is no single right value.

        ``expected`` describes the property in words ("a share between 0 and 1").

        Examples
        --------
        >>> _ = Checker().that("churn_rate", 1.7, lambda x: 0 <= x <= 1, expected="a share between 0 and 1")
        ✗ churn_rate: not yet — expected a share between 0 and 1, got 1.7.
        """
        missing = _is_missing(answer)
        if missing is not None:
            return self._report(name, "stub", missing, hint)
        try:
            ok = bool(predicate(answer))
        except Exception as exc:
            return self._report(name, "wrong", describe_exception(exc), hint)
        diff = None if ok else f"expected {expected}, got {_fmt(answer)}"
        return self._report(name, "correct" if ok else "wrong", diff, hint)

    def run(
        self,
        name: str,
        func: Callable[[], object],
        expected: object,
        *,
        hint: str | None = None,
        **options: Any,
    ) -> Outcome:
        """Call ``func()`` (usually a lambda calling the trainee's function) and check its result.

        A :class:`NotImplementedError` from ``func`` is reported as a stub ("not yet"); any
        other exception becomes one ✗ line naming the exception and the trainee's own line
        (no traceback, and the notebook keeps running unless strict mode is on). ``options`` are passed on to the comparison
        (``rtol``, ``atol``, ``check_index``, ...).

        Examples
        --------
        >>> def repeat_rate(orders_per_customer):
        ...     # YOUR CODE HERE
        ...     raise NotImplementedError()
        >>> _ = Checker().run("repeat_rate", lambda: repeat_rate([1, 2, 3]), 2 / 3)
        … repeat_rate: not yet — your code is still a stub (replace `raise NotImplementedError()` with your code)
        """
        try:
            answer = func()
        except NotImplementedError:
            return self._report(name, "stub", _STUB_TEXT, hint)
        except (Exception, SystemExit) as exc:  # one line naming the trainee's line; the notebook goes on
            return self._report(name, "wrong", describe_exception(exc), hint)
        return self(name, answer, expected, hint=hint, **options)

    def task(self, name: str, func: object, *, hint: str | None = None) -> Outcome:
        """Grade the trainee's *function* on every case of the task ``name``.

        The task (see :mod:`sim.teach.tasks`) holds a private reference and its cases: small
        inputs at every boundary of the specification, each parameter varied, plus realistic
        data. ``func`` is called on deep copies of each case's inputs; an input it changes,
        an exception, or an answer that differs makes a ✗ naming the first failing case in
        words, never the expected value. ``NotImplementedError`` (or ``None`` / ``...``) on
        every case is a stub. ``hint`` replaces the task's own hint.

        Examples
        --------
        >>> def campaign_net_roi(cost, incremental_revenue, margin_rate):
        ...     return (incremental_revenue - cost) / cost        # forgot the margin
        >>> _ = Checker().task("campaign_net_roi", campaign_net_roi)  # doctest: +ELLIPSIS
        ✗ campaign_net_roi: not yet — ... Hint: ...
        >>> _ = Checker().task("campaign_net_roi", lambda c, r, m: (r * m - c) / c)
        ✓ campaign_net_roi: correct (6 cases)
        """
        from sim.teach.tasks import get_task, grade

        found = get_task(name)
        result = grade(found, func)
        if result.status == "correct":
            return self._report(name, "correct", f"{result.cases} cases", None)
        return self._report(name, result.status, result.detail, found.hint if hint is None else hint)

    # -- reporting --------------------------------------------------------------------

    @staticmethod
    def _report(name: str, status: Status, detail: str | None, hint: str | None) -> Outcome:
        if not isinstance(name, str) or not name.strip():
            raise TypeError("a check needs a non-empty name, e.g. check('repeat_rate', answer, expected)")
        if status == "correct":
            line = f"✓ {name}: correct" + (f" ({detail})" if detail else "")
        else:
            line = f"{_SYMBOL[status]} {name}: not yet — {detail}"
            if status == "wrong":
                line = line.rstrip(".") + "."
                if hint:
                    line += f" Hint: {hint}"
        print(line, flush=True)
        outcome = Outcome(name, status, line)
        if status == "wrong" and is_strict():
            raise CheckFailed(line)
        return outcome


#: The checker instance notebooks import: ``from sim.teach import check``.
check = Checker()
