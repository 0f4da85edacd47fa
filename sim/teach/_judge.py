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
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.teach._compare import _fmt, _is_pandas, _isna, _kind

__all__ = ["Expect", "judge"]

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


def _number(answer: object, expected: object, expect: Expect) -> str | None:
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, bool | np.bool_):
        return f"returned {answer} (True/False), not a number"
    if not isinstance(answer, numbers.Real):
        if getattr(answer, "size", None) == 1 and hasattr(answer, "item"):
            return f"returned {_kind(answer)} holding one value; return the number itself (e.g. `float(...)`)"
        return f"returned {_kind(answer)} {_fmt(answer)}, not a number"
    a, e = float(answer), float(expected)  # type: ignore[arg-type]
    if math.isnan(a) or math.isnan(e):
        return None if math.isnan(a) and math.isnan(e) else f"returned {_fmt(a)}"
    if expect.kind == "count":
        if a != round(a):
            return f"returned {_fmt(a)}, which is not a whole number (this is a count)"
        return None if a == e else f"returned {int(a)}, which is too {'high' if a > e else 'low'}"
    if bool(np.isclose(a, e, rtol=expect.rtol, atol=expect.atol)):
        return None
    if _fmt(a) == _fmt(e) or bool(np.isclose(a, e, rtol=1e-4, atol=0.0)):
        return f"returned {a!r}, which is close but differs beyond the tolerance (did you round, or approximate?)"
    return f"returned {_fmt(a)}, which is too {'high' if a > e else 'low'}"


def _text(answer: object, expected: object) -> str | None:
    if answer is None or isinstance(answer, str):
        if answer == expected:
            return None
        if isinstance(answer, str) and isinstance(expected, str) and answer.strip() == expected.strip():
            return f"returned {_fmt(answer)}, which has spaces around it"
        return f"returned {_fmt(answer)}"
    if _isna(answer):
        return f"returned {answer!r} (a missing value); return None instead"
    return f"returned {_kind(answer)} {_fmt(answer)}; return text (str) or None"


def _names(answer: object, expected: Any) -> str | None:
    if isinstance(answer, str):
        return "returned one piece of text, not a list of names"
    if isinstance(answer, set | frozenset | dict):
        return f"returned {_kind(answer)}, which has no order; return a sorted list"
    if not (isinstance(answer, list | tuple | np.ndarray) or _is_pandas(answer, "Index")):
        return f"returned {_kind(answer)}, not a list of names"
    got = list(answer)  # type: ignore[call-overload]
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


# --------------------------------------------------------------------------- pandas


def _values_phrase(a: Any, e: Any, expect: Expect, label: str) -> str | None:
    """Compare two equally long Series by position; a phrase naming the first bad row."""
    from pandas.api import types as pdt

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
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


def _bool_phrase(a: Any, label: str) -> str | None:
    from pandas.api import types as pdt

    if pdt.is_bool_dtype(a.dtype):
        return None
    return f"holds {a.dtype} values{label}; it should hold True/False (bool), not 0/1 or text"


def _series(answer: object, expected: Any, expect: Expect) -> str | None:
    if not _is_pandas(answer, "Series"):
        return f"returned {_kind(answer)}, not a pandas Series (one value per row of the input)"
    a: Any = answer
    if len(a) != len(expected):
        return f"returned {len(a)} values, {'more' if len(a) > len(expected) else 'fewer'} than there are rows"
    if expect.check_index and not a.index.equals(expected.index):
        return "returned a Series whose row labels (index) are not the input's: keep the index"
    if expect.bool_columns:
        phrase = _bool_phrase(a, "")
        if phrase:
            return phrase
    return _values_phrase(a, expected, expect, "")


def _frame(answer: object, expected: Any, expect: Expect) -> str | None:
    if not _is_pandas(answer, "DataFrame"):
        return f"returned {_kind(answer)}, not a DataFrame (a table)"
    a: Any = answer
    missing = [c for c in expected.columns if c not in a.columns]
    if missing:
        return f"returned a table without the column {missing[0]!r}"
    extra = [c for c in a.columns if c not in expected.columns]
    if extra:
        return f"returned a table with an extra column {extra[0]!r}"
    if len(a) != len(expected):
        return f"returned {len(a)} rows, {'more' if len(a) > len(expected) else 'fewer'} than it should"
    for col in expect.bool_columns:
        phrase = _bool_phrase(a[col], f" in column {col!r}")
        if phrase:
            return phrase
    if expect.order is None and expect.check_index and not a.index.equals(expected.index):
        return "returned rows whose labels (index) are not the input's: keep every row, in the input's order"
    a = a[list(expected.columns)]
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
