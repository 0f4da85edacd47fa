"""Input checks shared by every analysis module (one place, one wording).

Each check raises :class:`sim.errors.DataError` naming the table, the column and the
offending rows; nothing is silently dropped or coerced without saying so.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis._validate import require_columns
>>> orders = pd.DataFrame({"customer_id": [1], "date": ["2025-01-03"], "amount": [12.5]})
>>> out = require_columns(orders, {"customer_id": "id", "date": "datetime", "amount": "nonneg"}, table="orders")
>>> out["date"].dtype.kind
'M'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.errors import DataError

__all__ = ["require_columns", "to_timestamp", "KINDS"]

#: Column kinds understood by :func:`require_columns`.
KINDS = ("id", "datetime", "number", "nonneg", "probability", "bool", "category", "any")


def to_timestamp(value: object, *, name: str = "cutoff") -> pd.Timestamp:
    """Parse a date-like value into a :class:`pandas.Timestamp` or raise a clear error.

    Examples
    --------
    >>> to_timestamp("2025-06-30")
    Timestamp('2025-06-30 00:00:00')
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{name}={value!r} is not a date (use e.g. '2025-06-30')") from exc
    if pd.isna(ts):
        raise DataError(f"{name} is missing (NaT); give a date such as '2025-06-30'")
    return ts


def require_columns(
    df: pd.DataFrame,
    spec: Mapping[str, str],
    *,
    table: str = "table",
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Check that ``df`` has the columns in ``spec`` with usable values; return a checked copy.

    Parameters
    ----------
    df : pandas.DataFrame
        The input table.
    spec : mapping of column name -> kind
        Kinds: ``id`` (no missing values), ``datetime`` (parsed with :func:`pandas.to_datetime`;
        unparseable values are an error), ``number`` (numeric, finite), ``nonneg`` (numeric,
        finite, >= 0), ``probability`` (numeric in [0, 1]), ``bool``, ``category``
        (no missing values), ``any`` (only presence is checked).
    table : str
        Name used in error messages.
    allow_empty : bool
        Whether an empty frame is acceptable.

    Returns
    -------
    pandas.DataFrame
        A copy with datetime columns parsed to ``datetime64[ns]``.

    Raises
    ------
    DataError
        Naming the table, the column and the offending rows.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=table)
    missing = [c for c in spec if c not in df.columns]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; required: {list(spec)}; present: {list(df.columns)}",
            table=table,
        )
    if len(df) == 0 and not allow_empty:
        raise DataError("the table is empty; at least one row is needed", table=table)
    out = df.copy()
    for col, kind in spec.items():
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r}; allowed: {KINDS}")
        s = out[col]
        if kind == "any":
            continue
        if kind in ("id", "category"):
            bad = s.index[s.isna()]
            if len(bad):
                raise DataError(f"{len(bad)} missing value(s); every row needs one", table=table, column=col, rows=bad)
            continue
        if kind == "bool":
            if s.dtype != bool and not pd.api.types.is_bool_dtype(s):
                vals = set(pd.unique(s.dropna()))
                if not vals <= {0, 1, True, False}:
                    raise DataError(f"expected booleans (True/False or 0/1), found {sorted(map(str, vals))[:5]}", table=table, column=col)
                if s.isna().any():
                    bad = s.index[s.isna()]
                    raise DataError("missing value(s) in a boolean column", table=table, column=col, rows=bad)
                out[col] = s.astype(bool)
            continue
        if kind == "datetime":
            if not pd.api.types.is_datetime64_any_dtype(s):
                parsed = pd.to_datetime(s, errors="coerce", format="mixed")
                bad = s.index[parsed.isna() & s.notna()]
                if len(bad):
                    examples = ", ".join(repr(v) for v in s.loc[bad[:3]])
                    raise DataError(f"unparseable date(s), e.g. {examples}", table=table, column=col, rows=bad)
                s = parsed
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert(None)
            bad = s.index[s.isna()]
            if len(bad):
                raise DataError(f"{len(bad)} missing date(s)", table=table, column=col, rows=bad)
            out[col] = s.astype("datetime64[ns]")
            continue
        # numeric kinds
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            num = pd.to_numeric(s, errors="coerce")
            bad = s.index[num.isna() & s.notna()]
            if len(bad):
                examples = ", ".join(repr(v) for v in s.loc[bad[:3]])
                raise DataError(f"expected numbers, found {examples} (dtype {s.dtype})", table=table, column=col, rows=bad)
            s = num
        vals = s.to_numpy(dtype=float)
        bad = s.index[~np.isfinite(vals)]
        if len(bad):
            raise DataError(f"{len(bad)} missing or infinite value(s)", table=table, column=col, rows=bad)
        if kind == "nonneg":
            bad = s.index[vals < 0]
            if len(bad):
                raise DataError(f"negative value(s), e.g. {vals[vals < 0][:3].tolist()}; must be >= 0", table=table, column=col, rows=bad)
        if kind == "probability":
            bad = s.index[(vals < 0) | (vals > 1)]
            if len(bad):
                raise DataError("value(s) outside [0, 1]", table=table, column=col, rows=bad)
        out[col] = s
    return out
