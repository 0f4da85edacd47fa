"""Helpers shared by the data-quality modules: missing tokens, row-label checks and the change log.

Every cleaning step returns ``(cleaned_frame, log)``; the log has one row per change with
the columns :data:`LOG_COLUMNS` (``row``, ``column``, ``old``, ``new``, ``rule``).

Examples
--------
>>> import pandas as pd
>>> _missing(pd.Series(["x", "n/a", None, " NULL "])).tolist()
[False, True, True, True]
>>> _log([(0, "phone", "138", "+86138", "phone_normalised")]).columns.tolist()
['row', 'column', 'old', 'new', 'rule']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.errors import DataError

__all__ = ["NA_TOKENS", "LOG_COLUMNS"]

#: Text values treated as missing (compared after stripping and lower-casing).
NA_TOKENS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "nat"})

#: Columns of every cleaning log.
LOG_COLUMNS = ["row", "column", "old", "new", "rule"]


# --------------------------------------------------------------------------- small helpers
def _missing(s: pd.Series) -> pd.Series:
    """True for NA and for NA_TOKENS text ('' 'n/a' 'null' ...)."""
    out = s.isna()
    txt = s[~out]
    if len(txt) and not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_datetime64_any_dtype(s):
        out.loc[txt.index] = txt.astype(str).str.strip().str.lower().isin(NA_TOKENS)
    return out.astype(bool)


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in LOG_COLUMNS})


def _py(v: Any) -> Any:
    """Plain Python scalars in logs (no numpy scalar reprs)."""
    return v.item() if isinstance(v, np.generic) else v


def _log(entries: list[tuple[Any, str, Any, Any, str]]) -> pd.DataFrame:
    if not entries:
        return _empty_log()
    return pd.DataFrame([tuple(_py(v) for v in e) for e in entries], columns=LOG_COLUMNS, dtype=object)


def _log_arrays(row: Any, column: Any, old: Any, new: Any, rule: Any) -> pd.DataFrame:
    """A log built column-wise (each argument an array, or one value for every row): no per-row tuples."""
    n = next((len(v) for v in (row, column, old, new, rule) if isinstance(v, (np.ndarray, list, pd.Series))), 0)
    if n == 0:
        return _empty_log()
    cols = {}
    for name, v in zip(LOG_COLUMNS, (row, column, old, new, rule)):
        if isinstance(v, (np.ndarray, list, pd.Series)):
            arr = v.to_numpy() if isinstance(v, pd.Series) else v
            if isinstance(arr, np.ndarray) and arr.dtype.kind in "mM":
                cols[name] = pd.Series(arr).to_numpy(dtype=object)  # Timestamps, not integers
            elif isinstance(arr, np.ndarray) and arr.dtype != object:
                cols[name] = arr.astype(object)  # numeric numpy arrays -> plain Python scalars
            elif any(issubclass(t, np.generic) for t in set(map(type, arr))):
                cols[name] = np.fromiter((_py(x) for x in arr), dtype=object, count=n)
            else:
                cols[name] = np.asarray(arr, dtype=object)
        else:
            cols[name] = np.full(n, v, dtype=object)
    return pd.DataFrame(cols, columns=LOG_COLUMNS, dtype=object)


def _frame(df: object, cols: Iterable[str | None], table: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=table)
    spec = {c: "any" for c in cols if c is not None}
    for c in spec:
        if c not in df.columns:
            raise DataError(
                f"column not found; present: {list(df.columns)} (pass None, or date_cols=(), to skip this check)",
                table=table,
                column=c,
            )
    if not df.index.is_unique:
        dup = df.index[df.index.duplicated()].unique()
        raise DataError(
            "row labels must be unique (they name rows in the logs); use df.reset_index(drop=True)",
            table=table,
            rows=list(dup),
        )
    return require_columns(df, spec, table=table)


def _check_key(d: pd.DataFrame, key: str) -> None:
    """Customer ids must be present and hashable scalars (a list or dict is not an id)."""
    if d[key].isna().any():
        raise DataError("missing customer id(s)", table="records", column=key, rows=d.index[d[key].isna()])
    odd = d[key].map(lambda v: isinstance(v, (list, dict, set, tuple, np.ndarray, pd.Series))).to_numpy(dtype=bool)
    if odd.any():
        first = d[key][odd].iloc[0]
        raise DataError(
            f"ids must be numbers or text, found {type(first).__name__} values (e.g. {str(first)[:40]})",
            table="records",
            column=key,
            rows=d.index[odd],
        )
