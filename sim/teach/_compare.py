"""How a self-check compares a trainee's answer with the expected value, and says what differs.

Numbers within a tolerance, strings, arrays, sequences, sets, mappings, pandas Series and
DataFrames (values, index and dtypes); every mismatch becomes one readable sentence. Used by
:class:`sim.teach.check.Checker`.
"""

from __future__ import annotations

import datetime
import math
import numbers
import reprlib
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

_STUB_TEXT = "your code is still a stub (replace `raise NotImplementedError()` with your code)"

_SCALAR_TYPES = (
    str,
    int,
    float,
    bool,
    complex,
    type(None),
    type(Ellipsis),
    datetime.date,
    datetime.datetime,
    datetime.timedelta,
)
_CONTAINER_TYPES = (list, tuple, set, frozenset, dict)


def _is_plain(value: object) -> bool:
    """Whether ``value`` is a built-in, numpy or pandas scalar (so comparing it runs no trainee code).

    A trainee's own class, even a subclass of ``float`` or ``str``, is not plain: its ``==``,
    ``float()`` or ``repr()`` could say anything.

    Examples
    --------
    >>> _is_plain(0.5), _is_plain(np.float64(0.5)), _is_plain("x")
    (True, True, True)
    >>> class Liar(float):
    ...     pass
    >>> _is_plain(Liar(0.5)), _is_plain([1])
    (False, False)
    """
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return True
    module = getattr(kind, "__module__", "") or ""
    if issubclass(kind, np.generic):
        return module == "numpy"
    return module.split(".")[0] == "pandas" and not hasattr(kind, "__len__") and not hasattr(kind, "shape")


def _is_real(value: object) -> bool:
    """A plain int or float (numpy's included), not True/False.

    Examples
    --------
    >>> _is_real(3), _is_real(np.int64(3)), _is_real(True), _is_real("3")
    (True, True, False, False)
    """
    return _is_plain(value) and isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _summary(value: object) -> str:
    """A value's type and size, without running any of its code (no ``repr``)."""
    pd = sys.modules.get("pandas")
    kind = type(value)
    if pd is not None and kind is pd.DataFrame:
        rows, cols = value.shape  # type: ignore[attr-defined]
        return f"<table of {rows} rows x {cols} columns>"
    if (pd is not None and kind in (pd.Series, pd.Index)) or kind is np.ndarray:
        seq: Any = value
        items = list(seq[: _short.maxlist + 1]) if np.ndim(seq) == 1 else []
        if items and all(_is_plain(x) for x in items):
            return _short.repr(items)
        return f"<{kind.__name__} of {np.size(value)} values>"  # type: ignore[arg-type]
    return f"<{kind.__name__}>"


class _SafeRepr(reprlib.Repr):
    """reprlib that renders plain values and built-in containers only; anything else by its type."""

    def repr1(self, x: object, level: int) -> str:
        kind = type(x)
        if kind in _CONTAINER_TYPES or kind is str:
            return super().repr1(x, level)
        if not _is_plain(x):
            return _summary(x)
        if isinstance(x, numbers.Number | np.bool_ | datetime.datetime | np.datetime64 | np.str_):
            return _fmt(x)
        return super().repr1(x, level)  # pd.NA, pd.NaT, dates, ...: their own (library) repr


_short = _SafeRepr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 6
_short.maxtuple = 6
_short.maxdict = 6
_short.maxset = 6


# --------------------------------------------------------------------------- formatting


def _fmt(value: object) -> str:
    """Short, readable rendering of a value for a message (never runs a trainee object's code)."""
    if not _is_plain(value):
        return _short.repr(value) if type(value) in _CONTAINER_TYPES else _summary(value)
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
        if ts is pd.NaT:
            return "NaT"
        return str(ts.date()) if ts == ts.normalize() else ts.isoformat(sep=" ")
    if isinstance(value, np.str_):
        value = str(value)
    return reprlib.Repr.repr1(_short, value, _short.maxlevel)


def _kind(value: object) -> str:
    """Plain-words name of a value's type ("a number", "a DataFrame", ...)."""
    if value is None:
        return "None"
    if type(value) in (bool, np.bool_):
        return "True/False"
    if _is_plain(value) and isinstance(value, numbers.Number):
        return "a number"
    if type(value) in (str, np.str_):
        return "text (str)"
    return _a(type(value).__name__)


def _a(noun: str) -> str:
    """``"a Series"``, ``"an Index"``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _is_number(value: object) -> bool:
    return _is_plain(value) and isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_)


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
            if _fmt(a) == _fmt(e):  # never "expected 274913, got 274913"
                return f"expected {e!r}, got {a!r}: a tiny difference beyond the tolerance (rounding?)"
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
    if type(answer) not in (str, np.str_):
        return f"expected text (str), got {_kind(answer)} {_fmt(answer)}"
    answer = str(answer)
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
        f"{len(bad)} of {e.size} values differ; first at position {where}: expected {_fmt(e[pos])}, got {_fmt(a[pos])}"
    )


def _values_equal(a: object, e: object) -> bool:
    """Equality for single cells, treating missing == missing."""
    a_na, e_na = _isna(a), _isna(e)
    if a_na or e_na:
        return a_na and e_na
    if _is_plain(e) and not _is_plain(a):  # a trainee's object: its == could say anything
        return False
    try:
        return bool(a == e)
    except Exception:
        return False


def _isna(x: object) -> bool:
    if x is None:
        return True
    if not _is_plain(x):
        return False
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
