"""Say how a trainee's answer differs from the right one, without ever showing the right one.

Used by task checks (:mod:`sim.teach.tasks`). Each ``judge_*`` function returns None when the
answer is right, else a phrase about *the trainee's answer* that completes "your function …",
e.g. ``"returned 0.4, which is too high"`` or ``"holds int64 values in column 'review_flag';
it should hold True/False (bool)"``. The expected value never appears: the case description
(in words) says what should happen, and the phrase says what the trainee's code did. When two
values would print the same but differ, the phrase says what differs (dtype, order, index, a
tiny difference beyond the tolerance) instead of printing two equal-looking numbers.

Library use: numpy (``isclose``) for tolerances, pandas for tables; formatting helpers come
from :mod:`sim.teach._compare`.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.teach._compare import _a, _fmt, _is_pandas, _is_plain, _is_real, _isna, _kind

__all__ = ["Expect", "judge", "screen"]

Kind = Literal["number", "count", "text", "names", "series", "frame"]


@dataclass(frozen=True)
class Expect:
    """How a task compares an answer with the reference.

    Attributes
    ----------
    kind : {"number", "count", "text", "names", "series", "frame"}
        ``number``: a real number within ``rtol`` / ``atol``; ``count``: a whole number,
        exactly; ``text``: a ``str`` or ``None``, exactly; ``names``: a list of strings in the
        right order; ``series`` / ``frame``: pandas objects compared value by value.
    rtol, atol : float
        Tolerances for numbers (also inside Series and DataFrames).
    order : str or None
        Frames: the required row order in words (``"largest revenue first"``); rows in
        another order are then wrong. None means the order must match the input's.
    bool_columns : tuple of str
        Frame columns (or ``("",)`` for a Series) that must hold True/False, not 0/1.
    int_columns : tuple of str
        Frame columns (or ``("",)`` for a Series) that must hold whole numbers in an integer dtype
        (scores, counts, labels), not floats such as ``3.0``.
    check_index : bool
        Whether row labels must match (they do when the answer keeps the input's rows).

    Examples
    --------
    >>> Expect("number", rtol=1e-9).kind
    'number'
    """

    kind: Kind
    rtol: float = 1e-6
    atol: float = 1e-9
    order: str | None = None
    bool_columns: tuple[str, ...] = ()
    int_columns: tuple[str, ...] = ()
    check_index: bool = True


def judge(answer: object, expected: object, expect: Expect) -> str | None:
    """None if ``answer`` is right, else what the trainee's answer did wrong (no expected value).

    Examples
    --------
    >>> judge(0.4, 0.5, Expect("number"))
    'returned 0.4, which is too low'
    >>> judge(0.5000001, 0.5, Expect("number", rtol=1e-9))
    'returned 0.5000001, which is close but differs beyond the tolerance (did you round, or approximate?)'
    >>> judge(True, 1, Expect("count")) is None
    False
    """
    if expect.kind in ("number", "count"):
        return _number(answer, expected, expect)
    if expect.kind == "text":
        return _text(answer, expected)
    if expect.kind == "names":
        return _names(answer, expected)
    if expect.kind == "series":
        return _series(answer, expected, expect)
    return _frame(answer, expected, expect)


# --------------------------------------------------------------------------- scalars


def _not_plain(answer: object, kind: type, what: str) -> str:
    """The phrase for a subclass of a plain type (its comparisons could be overridden)."""
    return f"returned {_a(type(answer).__name__)} (a subclass of {kind.__name__}); return {what}"


def _number(answer: object, expected: object, expect: Expect) -> str | None:
    if type(answer) is np.ndarray and answer.ndim == 0:
        answer = answer.item()
    if type(answer) in (bool, np.bool_):
        return f"returned {answer} (True/False), not a number"
    if not _is_real(answer):
        base = next((t for t in (float, int, str) if isinstance(answer, t)), None)
        if base is not None and not _is_plain(answer):
            return _not_plain(answer, base, "a plain number (e.g. `float(...)`)")
        if _is_pandas(answer, "Series") or _is_pandas(answer, "DataFrame") or type(answer) is np.ndarray:
            if getattr(answer, "size", None) == 1:
                return f"returned {_kind(answer)} holding one value; return the number itself (e.g. `float(...)`)"
        return f"returned {_kind(answer)} {_fmt(answer)}, not a number"
    a, e = float(answer), float(expected)  # type: ignore[arg-type]
    if math.isnan(a) or math.isnan(e):
        return None if math.isnan(a) and math.isnan(e) else f"returned {_fmt(a)}"
    if expect.kind == "count":
        if not isinstance(answer, numbers.Integral):
            if math.isfinite(a) and a == round(a):
                return f"returned {_fmt(a)}, a float; a count is a whole number: return an int (e.g. `int(...)`)"
            return f"returned {_fmt(a)}, which is not a whole number (this is a count)"
        return None if a == e else f"returned {int(a)}, which is too {'high' if a > e else 'low'}"
    if bool(np.isclose(a, e, rtol=expect.rtol, atol=expect.atol)):
        return None
    if _fmt(a) == _fmt(e) or bool(np.isclose(a, e, rtol=1e-4, atol=0.0)):
        return f"returned {a!r}, which is close but differs beyond the tolerance (did you round, or approximate?)"
    return f"returned {_fmt(a)}, which is too {'high' if a > e else 'low'}"


def _is_missing_value(answer: object) -> bool:
    """pd.NA, NaN or NaT (a plain missing value), never running a trainee object's code."""
    return _is_plain(answer) and answer is not None and _isna(answer)


def _text(answer: object, expected: object) -> str | None:
    if answer is None or type(answer) in (str, np.str_):
        got = None if answer is None else str(answer)
        if got == expected:
            return None
        if isinstance(got, str) and isinstance(expected, str) and got.strip() == expected.strip():
            return f"returned {_fmt(got)}, which has spaces around it"
        return f"returned {_fmt(got)}"
    if isinstance(answer, str):
        return _not_plain(answer, str, "plain text (e.g. `str(...)`)")
    if _is_missing_value(answer):
        return f"returned {_fmt(answer)} (a missing value); return None instead"
    return f"returned {_kind(answer)} {_fmt(answer)}; return text (str) or None"


def _names(answer: object, expected: Any) -> str | None:
    if isinstance(answer, str):
        return "returned one piece of text, not a list of names"
    if isinstance(answer, set | frozenset | dict):
        return f"returned {_kind(answer)}, which has no order; return a sorted list"
    if not (type(answer) in (list, tuple, np.ndarray) or (_is_pandas(answer, "Index") and _is_library_type(answer))):
        return f"returned {_kind(answer)}, not a list of names"
    items = list(answer)  # type: ignore[call-overload]
    odd = next((x for x in items if type(x) not in (str, np.str_)), _NOTHING)
    if odd is not _NOTHING:
        return f"returned {_kind(odd)} {_fmt(odd)} among the names; every name is text (str)"
    got = [str(x) for x in items]
    want = list(expected)
    if got == want:
        return None
    extra = [x for x in got if x not in want]
    if extra:
        return f"returned {_fmt(extra[0])} among the names, which does not belong there"
    if len(set(got)) < len(got):
        return "returned some names twice"
    if len(got) < len(want):
        return f"left out {len(want) - len(got)} of the names that belong there"
    return "returned the right names in the wrong order (sort them)"


_NOTHING = object()


def _is_library_type(obj: object) -> bool:
    """A pandas or numpy object of the library's own class (not a trainee's subclass)."""
    module = type(obj).__module__ or ""
    return module.split(".")[0] in ("pandas", "numpy")


# --------------------------------------------------------------------------- pandas


def _odd_cell(column: Any) -> tuple[int, object] | None:
    """The first cell of an object column that is not a plain value (its == could lie)."""
    if column.dtype != object:
        return None
    for i, x in enumerate(column.to_numpy()):
        if not _is_plain(x):
            return i, x
    return None


def _plain_dtype(column: Any) -> bool:
    """A numpy or pandas dtype (not an extension type a trainee registered)."""
    return isinstance(column.dtype, np.dtype) or _is_library_type(column.dtype)


def _column_phrase(a: Any, label: str) -> str | None:
    """What is wrong with the *kind* of a column or Series, before its values are compared."""
    if not _plain_dtype(a):
        return f"holds {type(a.dtype).__name__} values{label}; use a numpy or pandas dtype"
    odd = _odd_cell(a)
    if odd is not None:
        return (
            f"holds {_kind(odd[1])}{label} (row {_fmt(a.index[odd[0]])}); use plain values (text, numbers, True/False)"
        )
    return None


def _values_phrase(a: Any, e: Any, expect: Expect, label: str) -> str | None:
    """Compare two equally long Series by position; a phrase naming the first bad row."""
    from pandas.api import types as pdt

    phrase = _column_phrase(a, label)
    if phrase:
        return phrase
    if pdt.is_numeric_dtype(e.dtype) and not pdt.is_bool_dtype(e.dtype):
        if not (pdt.is_numeric_dtype(a.dtype) or pdt.is_bool_dtype(a.dtype)):
            return f"holds {a.dtype} values{label}, not numbers"
        av = a.to_numpy(dtype=float, na_value=np.nan)
        ev = e.to_numpy(dtype=float, na_value=np.nan)
        same = np.isclose(av, ev, rtol=expect.rtol, atol=expect.atol, equal_nan=True)
    else:
        pairs = zip(a.astype(object).to_numpy(), e.astype(object).to_numpy(), strict=True)
        same = np.array([_cell_equal(x, y) for x, y in pairs], dtype=bool)
    if same.all():
        return None
    bad = np.flatnonzero(~same)
    first = int(bad[0])
    return (
        f"has a wrong value{label} in {len(bad)} of {len(e)} rows "
        f"(first at row {_fmt(e.index[first])}, where yours is {_fmt(a.iloc[first])})"
    )


def _cell_equal(x: object, y: object) -> bool:
    if _isna(x) or _isna(y):
        return _isna(x) and _isna(y)
    if not _is_plain(x):
        return False
    if isinstance(x, np.str_):
        x = str(x)
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


def _bool_phrase(a: Any, label: str) -> str | None:
    from pandas.api import types as pdt

    if pdt.is_bool_dtype(a.dtype):
        return None
    return f"holds {a.dtype} values{label}; it should hold True/False (bool), not 0/1 or text"


def _int_phrase(a: Any, label: str) -> str | None:
    from pandas.api import types as pdt

    if pdt.is_integer_dtype(a.dtype) and not pdt.is_bool_dtype(a.dtype):
        return None
    return f"holds {a.dtype} values{label}; it should hold whole numbers as integers (e.g. 3, not 3.0)"


def _pandas_phrase(answer: Any, cls: str) -> str | None:
    """Refuse a trainee's subclass of a pandas class, or one with a trainee's index class."""
    if type(answer).__name__ != cls or not _is_library_type(answer):
        return f"returned {_a(type(answer).__name__)} (a subclass of {cls}); return a plain pandas {cls}"
    labels = [answer.index] + ([answer.columns] if cls == "DataFrame" else [])
    if not all(_is_library_type(x) for x in labels):
        return f"returned a {cls} whose row or column labels are not a pandas Index"
    return None


def _series(answer: object, expected: Any, expect: Expect) -> str | None:
    if not _is_pandas(answer, "Series"):
        return f"returned {_kind(answer)}, not a pandas Series (one value per row of the input)"
    a: Any = answer
    phrase = _pandas_phrase(a, "Series")
    if phrase:
        return phrase
    if len(a) != len(expected):
        return f"returned {len(a)} values, {'more' if len(a) > len(expected) else 'fewer'} than there are rows"
    if expect.check_index and not expected.index.equals(a.index):
        return "returned a Series whose row labels (index) are not the input's: keep the index"
    if expect.bool_columns:
        phrase = _bool_phrase(a, "")
        if phrase:
            return phrase
    if expect.int_columns:
        phrase = _int_phrase(a, "")
        if phrase:
            return phrase
    return _values_phrase(a, expected, expect, "")


def _frame(answer: object, expected: Any, expect: Expect) -> str | None:
    if not _is_pandas(answer, "DataFrame"):
        return f"returned {_kind(answer)}, not a DataFrame (a table)"
    a: Any = answer
    phrase = _pandas_phrase(a, "DataFrame")
    if phrase:
        return phrase
    if not a.columns.is_unique:
        return f"returned a table with two columns named {_fmt(a.columns[a.columns.duplicated()][0])}"
    missing = [c for c in expected.columns if c not in a.columns]
    if missing:
        return f"returned a table without the column {missing[0]!r}"
    extra = [c for c in a.columns if c not in expected.columns]
    if extra:
        return f"returned a table with an extra column {_fmt(extra[0])}"
    if len(a) != len(expected):
        return f"returned {len(a)} rows, {'more' if len(a) > len(expected) else 'fewer'} than it should"
    for col in expect.bool_columns:
        phrase = _bool_phrase(a[col], f" in column {col!r}")
        if phrase:
            return phrase
    for col in expect.int_columns:
        phrase = _int_phrase(a[col], f" in column {col!r}")
        if phrase:
            return phrase
    if expect.order is None and expect.check_index and not expected.index.equals(a.index):
        return "returned rows whose labels (index) are not the input's: keep every row, in the input's order"
    a = a[list(expected.columns)]
    for col in expected.columns:
        phrase = _column_phrase(a[col], f" in column {col!r}")
        if phrase:
            return phrase
    bad = _frame_values(a, expected, expect)
    if bad is None:
        return None
    if expect.order is not None and len(a) > 1 and _frame_values(_sorted(a), _sorted(expected), expect) is None:
        return f"returned the right rows in the wrong order (the spec asks for {expect.order})"
    return bad


def _frame_values(a: Any, e: Any, expect: Expect) -> str | None:
    a, e = a.reset_index(drop=True), e.reset_index(drop=True)
    for col in e.columns:
        phrase = _values_phrase(a[col], e[col], expect, f" in column {col!r}")
        if phrase:
            return phrase
    return None


def _sorted(frame: Any) -> Any:
    """Rows in a canonical order (by every column, as text), to tell order from content."""
    keys = frame.astype(str)
    return frame.loc[keys.sort_values(list(keys.columns)).index]


# --------------------------------------------------------------------------- screening

_WANTED = {
    "number": "a number (e.g. `float(...)`)",
    "count": "a whole number (e.g. `int(...)`)",
    "text": "text (str) or None",
    "names": "a sorted list of names",
    "series": "a pandas Series",
    "frame": "a pandas DataFrame",
}


def screen(answer: object, expect: Expect) -> str | None:
    """Refuse an answer whose own code could decide the comparison; None if it can be judged.

    Looks at types only (``type(...)``, never ``isinstance`` or a method of the answer), so no
    code of a trainee's class runs. Plain values and built-in containers pass (:func:`judge`
    then says what is wrong with them); a trainee's class, a subclass of ``float``, ``str`` or
    a pandas class, a pandas object with such values inside, or an extension dtype do not.

    Examples
    --------
    >>> class Always(float):
    ...     def __eq__(self, other):
    ...         return True
    >>> screen(Always(1.0), Expect("number"))
    'returned an Always (a subclass of float); return a number (e.g. `float(...)`)'
    >>> screen(0.5, Expect("number")) is None
    True
    """
    kind = type(answer)
    if _is_plain(answer) or kind in (list, tuple, set, frozenset, dict):
        if kind in (list, tuple) and expect.kind == "names":
            odd = next((x for x in answer if not _is_plain(x)), _NOTHING)  # type: ignore[attr-defined]
            if odd is not _NOTHING:
                return f"returned {_kind(odd)} among the names; every name is text (str)"
        return None
    if kind is np.ndarray:
        arr: Any = answer
        if arr.dtype == object and not all(_is_plain(x) for x in arr.flat):
            return f"returned an array holding objects of your own; return {_WANTED[expect.kind]}"
        return None
    pd = sys.modules.get("pandas")
    if pd is not None:
        for cls in (pd.DataFrame, pd.Series, pd.Index):
            if kind is cls:
                return _screen_pandas(answer)
            if issubclass(kind, cls):
                return f"returned {_a(kind.__name__)} (a subclass of {cls.__name__}); return {_WANTED[expect.kind]}"
    for base in (bool, int, float, complex, str, list, tuple, dict):
        if issubclass(kind, base):
            return f"returned {_a(kind.__name__)} (a subclass of {base.__name__}); return {_WANTED[expect.kind]}"
    return f"returned {_a(kind.__name__)}; return {_WANTED[expect.kind]}"


def _screen_pandas(answer: Any) -> str | None:
    pd = sys.modules["pandas"]
    labels = [answer] if type(answer) is pd.Index else [answer.index]
    if type(answer) is pd.DataFrame:
        labels.append(answer.columns)
    for axis in labels:
        if not _is_library_type(axis):
            return f"returned a table whose row or column labels are a {type(axis).__name__}, not a pandas Index"
    columns = [answer] if type(answer) is not pd.DataFrame else [answer.iloc[:, j] for j in range(answer.shape[1])]
    columns += [axis for axis in labels if axis is not answer]
    for column in columns:
        if not (isinstance(column.dtype, np.dtype) or _is_library_type(column.dtype)):
            return f"returned values of type {type(column.dtype).__name__}; use a numpy or pandas dtype"
        if column.dtype == object:
            odd = next((x for x in column.to_numpy() if not _is_plain(x)), _NOTHING)
            if odd is not _NOTHING:
                return f"returned {_kind(odd)} inside a pandas object; use plain values (text, numbers, True/False)"
    return None
