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

import datetime
import math
import numbers
import os
import reprlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["STRICT_ENV", "CheckFailed", "Checker", "Outcome", "check", "is_strict"]

#: Environment variable that turns a ✗ into an exception (set by the test harness).
STRICT_ENV = "RETENTION_LAB_STRICT"

Status = Literal["correct", "wrong", "stub"]

_SYMBOL = {"correct": "✓", "wrong": "✗", "stub": "…"}
_STUB_TEXT = "your code is still a stub (replace `raise NotImplementedError()` with your code)"

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 6
_short.maxtuple = 6
_short.maxdict = 6
_short.maxset = 6


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


# --------------------------------------------------------------------------- formatting


def _fmt(value: object) -> str:
    """Short, readable rendering of a value for a message."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        return "nan" if math.isnan(x) else f"{x:.6g}"
    if isinstance(value, datetime.datetime | np.datetime64):
        import pandas as pd

        ts = pd.Timestamp(value)
        return str(ts.date()) if ts == ts.normalize() else ts.isoformat(sep=" ")
    return _short.repr(value)


def _kind(value: object) -> str:
    """Plain-words name of a value's type ("a number", "a DataFrame", ...)."""
    if value is None:
        return "None"
    if isinstance(value, bool | np.bool_):
        return "True/False"
    if isinstance(value, numbers.Number):
        return "a number"
    if isinstance(value, str):
        return "text (str)"
    return f"a {type(value).__name__}"


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_)


def _is_missing(value: object) -> str | None:
    """Why ``value`` counts as "no answer yet", or None if it is an answer."""
    if value is None:
        return "there is no answer yet (got None: finish the code above, and `return` the result)"
    if value is Ellipsis:
        return "there is no answer yet (replace `...` with your answer)"
    if value is NotImplemented or isinstance(value, NotImplementedError) or value is NotImplementedError:
        return _STUB_TEXT
    return None


# --------------------------------------------------------------------------- comparisons
# Each _compare_* returns None when the answer matches, else a phrase saying what differs.


def _compare_number(answer: object, expected: object, rtol: float, atol: float) -> str | None:
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if not _is_number(answer):
        if getattr(answer, "size", None) == 1 and hasattr(answer, "item"):
            return f"expected a number, got {_kind(answer)} holding one value (take it out with `.item()`)"
        return f"expected a number, got {_kind(answer)} {_fmt(answer)}"
    if isinstance(answer, complex) or isinstance(expected, complex):
        same = bool(np.isclose(complex(answer), complex(expected), rtol=rtol, atol=atol))  # type: ignore[call-overload]
    else:
        a, e = float(answer), float(expected)  # type: ignore[arg-type]
        if math.isnan(a) and math.isnan(e):
            return None
        same = bool(np.isclose(a, e, rtol=rtol, atol=atol))
        if not same:
            return f"expected {_fmt(expected)}, got {_fmt(answer)}{_how_far(a, e)}"
    return None if same else f"expected {_fmt(expected)}, got {_fmt(answer)}"


def _how_far(a: float, e: float) -> str:
    """Suffix such as " (off by 20%)"; empty when a percentage would not help."""
    if not (math.isfinite(a) and math.isfinite(e)):
        return ""
    if e == 0:
        return f" (off by {abs(a - e):.3g})"
    rel = abs(a - e) / abs(e)
    if not 1e-4 <= rel < 10:
        return ""
    pct = rel * 100
    return f" (off by {pct:.0f}%)" if pct >= 10 else f" (off by {pct:.2g}%)"


def _compare_str(answer: object, expected: str) -> str | None:
    if not isinstance(answer, str):
        return f"expected text (str), got {_kind(answer)} {_fmt(answer)}"
    if answer == expected:
        return None
    if answer.strip().casefold() == expected.strip().casefold():
        return (
            f"almost: expected {_fmt(expected)}, got {_fmt(answer)} "
            "(only upper/lower case or surrounding spaces differ)"
        )
    return f"expected {_fmt(expected)}, got {_fmt(answer)}"


def _compare_array(answer: object, expected: np.ndarray, rtol: float, atol: float) -> str | None:
    try:
        a = np.asarray(answer)
    except Exception:  # pragma: no cover - exotic objects
        return f"expected an array, got {_kind(answer)}"
    e = np.asarray(expected)
    if a.shape != e.shape:
        return f"expected shape {e.shape}, got shape {a.shape}"
    if e.dtype.kind in "biufc":
        if a.dtype.kind not in "biufc":
            return f"expected numbers, got values like {_fmt(a.flat[0] if a.size else a)}"
        same = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    else:
        same = np.vectorize(_values_equal, otypes=[bool])(a, e) if e.size else np.ones(0, bool)
    if bool(np.all(same)):
        return None
    bad = np.argwhere(~same)
    pos = tuple(int(i) for i in bad[0])
    where = pos[0] if len(pos) == 1 else pos
    return (
        f"{len(bad)} of {e.size} values differ; first at position {where}: "
        f"expected {_fmt(e[pos])}, got {_fmt(a[pos])}"
    )


def _values_equal(a: object, e: object) -> bool:
    """Equality for single cells, treating missing == missing."""
    a_na, e_na = _isna(a), _isna(e)
    if a_na or e_na:
        return a_na and e_na
    try:
        return bool(a == e)
    except Exception:
        return False


def _isna(x: object) -> bool:
    if x is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(x)) if np.ndim(x) == 0 else False  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _compare_sequence(answer: object, expected: list | tuple, rtol: float, atol: float) -> str | None:
    if not isinstance(answer, list | tuple | np.ndarray) and not _is_pandas(answer, "Series"):
        return f"expected {_kind(expected)} of {len(expected)} items, got {_kind(answer)}"
    items = list(answer)  # type: ignore[call-overload]
    if len(items) != len(expected):
        return f"expected {len(expected)} items, got {len(items)}"
    for i, (a, e) in enumerate(zip(items, expected, strict=True)):
        diff = _compare(a, e, rtol=rtol, atol=atol)
        if diff is not None:
            return f"item {i}: {diff}"
    return None


def _compare_set(answer: object, expected: set | frozenset) -> str | None:
    if not isinstance(answer, set | frozenset | list | tuple):
        return f"expected a set, got {_kind(answer)}"
    got = set(answer)
    missing, extra = expected - got, got - expected
    parts = []
    if missing:
        parts.append(f"missing items {_fmt(sorted(missing, key=repr))}")
    if extra:
        parts.append(f"unexpected items {_fmt(sorted(extra, key=repr))}")
    return "; ".join(parts) or None


def _compare_mapping(answer: object, expected: Mapping, rtol: float, atol: float) -> str | None:
    if not isinstance(answer, Mapping):
        return f"expected a dict, got {_kind(answer)}"
    missing = [k for k in expected if k not in answer]
    extra = [k for k in answer if k not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing keys {_fmt(missing)}")
        if extra:
            parts.append(f"unexpected keys {_fmt(extra)}")
        return "; ".join(parts)
    for k, e in expected.items():
        diff = _compare(answer[k], e, rtol=rtol, atol=atol)
        if diff is not None:
            return f"key {k!r}: {diff}"
    return None


def _is_pandas(obj: object, cls: str) -> bool:
    """isinstance(obj, pandas.<cls>) without importing pandas when nobody else has."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, getattr(pd, cls))


def _column_values_diff(a: Any, e: Any, rtol: float, atol: float, label: str) -> str | None:
    """Compare two equally long Series position by position."""
    from pandas.api import types as pdt

    if pdt.is_numeric_dtype(e.dtype) and not pdt.is_bool_dtype(e.dtype):
        if not (pdt.is_numeric_dtype(a.dtype) or pdt.is_bool_dtype(a.dtype)):
            return f"{label} should hold numbers, got {a.dtype} values such as {_fmt(a.iloc[0])}"
        av = a.to_numpy(dtype=float, na_value=np.nan)
        ev = e.to_numpy(dtype=float, na_value=np.nan)
        same = np.isclose(av, ev, rtol=rtol, atol=atol, equal_nan=True)
    else:
        av = a.astype(object).to_numpy()
        ev = e.astype(object).to_numpy()
        same = np.array([_values_equal(x, y) for x, y in zip(av, ev, strict=True)], dtype=bool)
    if same.all():
        return None
    bad = np.flatnonzero(~same)
    i = int(bad[0])
    row = e.index[i]
    row_txt = _fmt(row)
    return (
        f"{label}: {len(bad)} of {len(e)} values differ; first at row {row_txt}: "
        f"expected {_fmt(e.iloc[i])}, got {_fmt(a.iloc[i])}"
    )


def _compare_index(a: Any, e: Any, what: str) -> str | None:
    if a.equals(e):
        return None
    if len(a) == len(e) and set(a) == set(e):
        return f"the {what} are in a different order (try sorting, e.g. `.sort_index()`)"
    labels = set(a)
    missing = [x for x in e if x not in labels]
    if missing:
        return f"the {what} differ: {_fmt(missing[0])} is missing"
    first = next((i for i, (x, y) in enumerate(zip(a, e, strict=False)) if x != y), None)
    if first is None:  # same labels in the same order (e.g. only the dtype differs)
        return None
    return f"the {what} differ at position {first}: expected {_fmt(e[first])}, got {_fmt(a[first])}"


def _compare_frame(
    answer: object,
    expected: Any,
    rtol: float,
    atol: float,
    *,
    check_index: bool = True,
    check_column_order: bool = False,
    check_dtype: bool = False,
) -> str | None:
    import pandas as pd

    if isinstance(expected, pd.Series):
        if not isinstance(answer, pd.Series):
            return f"expected a pandas Series, got {_kind(answer)}"
        if len(answer) != len(expected):
            return f"expected {len(expected)} rows, got {len(answer)}"
        if check_index:
            diff = _compare_index(answer.index, expected.index, "row labels (index)")
            if diff:
                return diff
        if check_dtype and answer.dtype != expected.dtype:
            return f"expected dtype {expected.dtype}, got {answer.dtype}"
        return _column_values_diff(answer, expected, rtol, atol, "values")

    if not isinstance(answer, pd.DataFrame):
        return f"expected a DataFrame (a table), got {_kind(answer)}"
    cols_a, cols_e = list(answer.columns), list(expected.columns)
    missing = [c for c in cols_e if c not in cols_a]
    extra = [c for c in cols_a if c not in cols_e]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column{'s' * (len(missing) > 1)} {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"unexpected column{'s' * (len(extra) > 1)} {', '.join(map(repr, extra))}")
        return "; ".join(parts)
    if check_column_order and cols_a != cols_e:
        return f"the columns are in a different order: expected {cols_e}, got {cols_a}"
    if answer.shape[0] != expected.shape[0]:
        return f"expected {expected.shape[0]} rows, got {answer.shape[0]}"
    if check_index:
        diff = _compare_index(answer.index, expected.index, "row labels (index)")
        if diff:
            return diff
    for col in cols_e:
        a, e = answer[col], expected[col]
        if check_dtype and a.dtype != e.dtype:
            return f"column {col!r} has dtype {a.dtype}, expected {e.dtype}"
        diff = _column_values_diff(a, e, rtol, atol, f"column {col!r}")
        if diff:
            return diff
    return None


def _compare(
    answer: object,
    expected: object,
    *,
    rtol: float,
    atol: float,
    check_index: bool = True,
    check_column_order: bool = False,
    check_dtype: bool = False,
) -> str | None:
    """Dispatch on the type of ``expected``; None means "matches"."""
    if _is_pandas(expected, "DataFrame") or _is_pandas(expected, "Series"):
        return _compare_frame(
            answer,
            expected,
            rtol,
            atol,
            check_index=check_index,
            check_column_order=check_column_order,
            check_dtype=check_dtype,
        )
    if expected is None:
        return None if answer is None else f"expected None, got {_fmt(answer)}"
    if isinstance(expected, bool | np.bool_):
        if not isinstance(answer, bool | np.bool_):
            return f"expected True or False, got {_kind(answer)} {_fmt(answer)}"
        return None if bool(answer) == bool(expected) else f"expected {expected}, got {answer}"
    if _is_number(expected):
        return _compare_number(answer, expected, rtol, atol)
    if isinstance(expected, str):
        return _compare_str(answer, expected)
    if isinstance(expected, np.ndarray):
        return _compare_array(answer, expected, rtol, atol)
    if isinstance(expected, Mapping):
        return _compare_mapping(answer, expected, rtol, atol)
    if isinstance(expected, set | frozenset):
        return _compare_set(answer, expected)
    if isinstance(expected, list | tuple):
        return _compare_sequence(answer, expected, rtol, atol)
    return None if _values_equal(answer, expected) else f"expected {_fmt(expected)}, got {_fmt(answer)}"


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
        diff = _compare(
            answer,
            expected,
            rtol=self.rtol if rtol is None else rtol,
            atol=self.atol if atol is None else atol,
            check_index=check_index,
            check_column_order=check_column_order,
            check_dtype=check_dtype,
        )
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
        ok = bool(predicate(answer))
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

        A :class:`NotImplementedError` from ``func`` is reported as a stub ("not yet") and
        swallowed; any other exception is reported and re-raised, so the trainee sees the
        traceback of their own code. ``options`` are passed on to the comparison
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
        except Exception as exc:
            print(f"✗ {name}: your code raised {type(exc).__name__}: {exc}", flush=True)
            raise
        return self(name, answer, expected, hint=hint, **options)

    # -- reporting --------------------------------------------------------------------

    @staticmethod
    def _report(name: str, status: Status, detail: str | None, hint: str | None) -> Outcome:
        if not isinstance(name, str) or not name.strip():
            raise TypeError("a check needs a non-empty name, e.g. check('repeat_rate', answer, expected)")
        if status == "correct":
            line = f"✓ {name}: correct"
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
