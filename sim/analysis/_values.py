"""Column checks for ids, numbers and keys (re-exported by :mod:`sim.analysis._validate`).

* :func:`require_ids` -- ids of one type (numbers or text), no booleans, none missing;
* :func:`require_same_id_type` -- two tables write their ids the same way;
* :func:`require_numbers` -- finite real numbers (money, counts, scores), no booleans;
* :func:`require_unique` -- a key column (or the index) without duplicates.

Each raises :class:`sim.errors.DataError` naming the table, the column and the rows; values
in messages are cut to a short excerpt.

Examples
--------
>>> import pandas as pd
>>> require_ids(pd.Series(["a", "b"]), table="orders", column="customer_id").tolist()
['a', 'b']
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from sim.errors import DataError

__all__ = ["require_ids", "require_same_id_type", "require_numbers", "require_unique", "NUMERIC_KINDS"]

#: Numeric column kinds of :func:`require_numbers`.
NUMERIC_KINDS = ("number", "nonneg", "probability")


def _short(value: object, limit: int = 40) -> str:
    """``repr`` of a value cut to ``limit`` characters (error messages never echo long values)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _examples(values: Sequence[object], k: int = 3) -> str:
    return ", ".join(_short(v) for v in list(values)[:k])


# ----------------------------------------------------------------------------------------
# Ids
# ----------------------------------------------------------------------------------------


def _id_kind(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "boolean"
    if isinstance(v, str):
        return "text"
    if isinstance(v, (numbers.Real, Decimal)):
        finite = v.is_finite() if isinstance(v, Decimal) else (not isinstance(v, float) or np.isfinite(v))
        return "number" if finite else "non-finite number"
    return type(v).__name__


def require_ids(s: pd.Series, *, table: str = "table", column: str | None = None) -> pd.Series:
    """Check an id column: no missing values, no booleans, all ids of one type.

    ``1`` and ``'1'`` are different keys for pandas, so a column mixing numbers and text
    silently splits customers (307 customers became 401 in a probe); such a column is an
    error naming the rows of the less common type.

    Parameters
    ----------
    s : pandas.Series
        The ids.
    table, column : str
        Names used in error messages.

    Returns
    -------
    pandas.Series
        ``s`` unchanged.

    Raises
    ------
    DataError
        Missing ids, boolean ids, or ids of more than one type.

    Examples
    --------
    >>> import pandas as pd
    >>> require_ids(pd.Series([1, 2, 3]), table="orders", column="customer_id").tolist()
    [1, 2, 3]
    >>> require_ids(pd.Series([1, "1", 2]), table="orders", column="customer_id")
    Traceback (most recent call last):
    ...
    sim.errors.DataError: orders: column 'customer_id': ids of mixed types: 2 number(s) (e.g. 1) and 1 text(s) (e.g. '1'); 1 and '1' would count as two customers: convert the column to one type, e.g. df['customer_id'].astype(str) (rows: 1)
    """
    col = column if column is not None else str(s.name)
    bad = s.index[s.isna()]
    if len(bad):
        raise DataError(f"{len(bad)} missing value(s); every row needs one", table=table, column=col, rows=bad)
    if pd.api.types.is_bool_dtype(s):
        raise DataError(
            "booleans (True/False) are not ids; give numbers or text", table=table, column=col, rows=s.index[:10]
        )
    if isinstance(s.dtype, pd.CategoricalDtype):
        vals = pd.Series(s.astype(object).to_numpy(), index=s.index)
    elif s.dtype == object:
        vals = s
    else:
        if pd.api.types.is_float_dtype(s):
            inf = s.index[~np.isfinite(s.to_numpy(dtype=float))]
            if len(inf):
                raise DataError(
                    f"{len(inf)} non-finite id(s) (e.g. {s[inf[0]]}); ids must be finite numbers or text",
                    table=table,
                    column=col,
                    rows=inf,
                )
        return s  # a numeric or string dtype holds one type
    kinds = vals.map(_id_kind)
    boolean = kinds == "boolean"
    if boolean.any():
        raise DataError(
            "booleans (True/False) are not ids; give numbers or text", table=table, column=col, rows=s.index[boolean]
        )
    other = ~kinds.isin(["number", "text"])
    if other.any():
        found = sorted(set(kinds[other]))[:3]
        raise DataError(
            f"ids must be numbers or text, found {found} (e.g. {_short(vals[other].iloc[0], 30)})",
            table=table,
            column=col,
            rows=s.index[other],
        )
    counts = kinds.value_counts()
    if len(counts) > 1:
        parts = []
        for kind, n in counts.items():
            first = vals[kinds == kind].iloc[0]
            parts.append(f"{n} {kind}(s) (e.g. {_short(first, 20)})")
        minority = kinds != counts.index[0]
        hint = ""
        if {"number", "text"} <= set(counts.index):
            hint = " 1 and '1' would count as two customers:"
        raise DataError(
            f"ids of mixed types: {' and '.join(parts)};{hint} convert the column to one type, "
            f"e.g. df[{col!r}].astype(str)",
            table=table,
            column=col,
            rows=s.index[minority],
        )
    return s


def require_same_id_type(
    left: pd.Series, right: pd.Series, *, tables: tuple[str, str], column: str = "customer_id"
) -> None:
    """Check that two tables write their ids the same way (both numbers or both text).

    Examples
    --------
    >>> import pandas as pd
    >>> require_same_id_type(pd.Series([1, 2]), pd.Series(["1"]), tables=("orders", "customers"))
    Traceback (most recent call last):
    ...
    sim.errors.DataError: customers: column 'customer_id': ids are text here but number in orders (e.g. '1' vs 1); write them the same way in both tables
    """
    if len(left) == 0 or len(right) == 0:
        return
    kl, kr = _id_kind(left.iloc[0]), _id_kind(right.iloc[0])
    if kl != kr:
        raise DataError(
            f"ids are {kr} here but {kl} in {tables[0]} (e.g. {_short(right.iloc[0], 20)} vs "
            f"{_short(left.iloc[0], 20)}); write them the same way in both tables",
            table=tables[1],
            column=column,
        )


# ----------------------------------------------------------------------------------------
# Numbers (money, counts, scores)
# ----------------------------------------------------------------------------------------


def require_numbers(
    s: pd.Series, kind: str = "number", *, table: str = "table", column: str | None = None
) -> pd.Series:
    """Check a numeric column (money, counts, scores); return it as numbers.

    Booleans are refused (``True`` is not an amount of money), so are datetimes, NaN and
    infinite values; text that reads as a number (``"12.5"``) is converted.

    Parameters
    ----------
    s : pandas.Series
    kind : {'number', 'nonneg', 'probability'}
        ``nonneg`` adds >= 0 (amounts, quantities), ``probability`` adds 0 <= x <= 1.
    table, column : str
        Names used in error messages.

    Raises
    ------
    DataError
        Naming the table, the column and the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> require_numbers(pd.Series([1, "2.5"]), "nonneg", table="orders", column="amount").tolist()
    [1.0, 2.5]
    >>> require_numbers(pd.Series([True, False]), "nonneg", table="orders", column="amount")
    Traceback (most recent call last):
    ...
    sim.errors.DataError: orders: column 'amount': booleans (True/False) are not numbers; give amounts (rows: 0, 1)
    """
    col = column if column is not None else str(s.name)
    if kind not in NUMERIC_KINDS:
        raise ValueError(f"unknown numeric kind {kind!r}; allowed: {NUMERIC_KINDS}")
    if pd.api.types.is_bool_dtype(s):
        raise DataError("booleans (True/False) are not numbers; give amounts", table=table, column=col, rows=s.index)
    if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
        raise DataError(
            f"expected numbers, found {s.dtype} values; convert them first (e.g. .dt.days)",
            table=table,
            column=col,
            rows=s.index[:10],
        )
    if not pd.api.types.is_numeric_dtype(s):
        obj = s.astype(object)
        odd = obj.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
        if odd.any():
            raise DataError(
                "booleans (True/False) are not numbers; give amounts", table=table, column=col, rows=s.index[odd]
            )
        odd = obj.map(lambda v: isinstance(v, (pd.Timestamp, _dt.date, _dt.timedelta, np.datetime64))).to_numpy(
            dtype=bool
        )
        if odd.any():
            raise DataError(
                f"expected numbers, found dates, e.g. {_examples(obj[odd].tolist())}",
                table=table,
                column=col,
                rows=s.index[odd],
            )
        num = pd.to_numeric(s, errors="coerce")
        bad = s.index[num.isna() & s.notna()]
        if len(bad):
            raise DataError(
                f"expected numbers, found {_examples(s.loc[bad].tolist())} (dtype {s.dtype})",
                table=table,
                column=col,
                rows=bad,
            )
        s = num
    if pd.api.types.is_complex_dtype(s):
        raise DataError(
            "complex numbers are not allowed; give real numbers",
            table=table,
            column=col,
            rows=s.index[np.iscomplex(s.to_numpy())],
        )
    vals = s.to_numpy(dtype=float, na_value=np.nan)
    bad = s.index[~np.isfinite(vals)]
    if len(bad):
        raise DataError(f"{len(bad)} missing or infinite value(s)", table=table, column=col, rows=bad)
    if kind == "nonneg":
        bad = s.index[vals < 0]
        if len(bad):
            raise DataError(
                f"negative value(s), e.g. {vals[vals < 0][:3].tolist()}; must be >= 0",
                table=table,
                column=col,
                rows=bad,
            )
    if kind == "probability":
        bad = s.index[(vals < 0) | (vals > 1)]
        if len(bad):
            raise DataError("value(s) outside [0, 1]", table=table, column=col, rows=bad)
    if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(s.dtype, np.dtype):
        s = pd.Series(vals, index=s.index, name=s.name)  # nullable Int64/Float64 -> float
    return s


# ----------------------------------------------------------------------------------------
# Keys
# ----------------------------------------------------------------------------------------


def require_unique(df: pd.DataFrame | pd.Series, column: str | None = None, *, table: str = "table") -> None:
    """Refuse duplicate keys: in ``column`` of ``df``, or (``column=None``) in its index.

    Raises
    ------
    DataError
        Naming the table, the column (or the index) and every duplicated row.

    Examples
    --------
    >>> import pandas as pd
    >>> require_unique(pd.DataFrame({"customer_id": [1, 2, 1]}), "customer_id", table="customers")
    Traceback (most recent call last):
    ...
    sim.errors.DataError: customers: column 'customer_id': duplicate key(s), e.g. 1; each must appear once (rows: 0, 2)
    """
    keys = df.index.to_series() if column is None else df[column]
    dup = keys.duplicated(keep=False).to_numpy()
    if dup.any():
        what = "customer ids (the index) must be unique" if column is None else "each must appear once"
        raise DataError(
            f"duplicate key(s), e.g. {_examples(pd.unique(keys[dup]).tolist())}; {what}",
            table=table,
            column=column,
            rows=df.index[dup],
        )
