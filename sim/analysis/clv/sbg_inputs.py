"""Input checks of the sBG fitter: survivor counts, identifiability, periods, rates, tidy frames.

Errors name the cohort (``column``) and the offending periods (``rows``); arguments of the
prediction methods are checked with :class:`~sim.errors.ConfigError` naming the argument.
Nothing here is public: the fitter is :class:`~sim.analysis.clv.ShiftedBetaGeometric`.

Examples
--------
>>> _check_counts([1000, 631, 468], "regular").tolist()
[1000.0, 631.0, 468.0]
>>> _check_whole([1, 2], "t", 1).tolist()
[1.0, 2.0]
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.analysis._validate import check_number, require_columns, require_numbers
from sim.errors import ConfigError, DataError

__all__: list[str] = []  # private helpers of the sim.analysis.clv package


def _check_counts(values: ArrayLike, cohort: object) -> np.ndarray:
    """Survivor counts n_0 >= n_1 >= ... >= n_T >= 0, whole numbers, n_0 > 0, T >= 1."""
    column = str(cohort)
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise DataError(
            f"expected a 1-d sequence of survivor counts [n0, n1, ..., nT], got {type(values).__name__} "
            f"of shape {np.shape(values)}",
            table="survivors",
            column=column,
        )
    raw = pd.Series(np.asarray(values, dtype=object) if not isinstance(values, pd.Series) else values.to_numpy())
    n = require_numbers(raw, "nonneg", table="survivors", column=column).to_numpy(dtype=float)
    if len(n) < 2:
        raise DataError(
            f"got {len(n)} count(s); give the cohort size n0 and the survivors of at least one period",
            table="survivors",
            column=column,
        )
    bad = np.flatnonzero(n != np.round(n))
    if len(bad):
        raise DataError(
            f"survivor counts must be whole numbers of customers (e.g. {n[bad[0]]:g}); "
            "for percentages give counts, e.g. round(percent * cohort size / 100)",
            table="survivors",
            column=column,
            rows=bad,
        )
    if n[0] <= 0:
        raise DataError("the cohort size n0 (first count) must be > 0", table="survivors", column=column, rows=[0])
    bad = np.flatnonzero(np.diff(n) > 0) + 1
    if len(bad):
        raise DataError(
            "survivors must not increase from one period to the next (a cancelled subscriber does not "
            f"come back in this model): n{bad[0]}={n[bad[0]]:g} > n{bad[0] - 1}={n[bad[0] - 1]:g}",
            table="survivors",
            column=column,
            rows=bad,
        )
    return n


def _check_identifiable(cohorts: Mapping[object, np.ndarray]) -> None:
    """Refuse pooled data from which alpha and beta cannot both be estimated."""
    if max(len(n) for n in cohorts.values()) < 3:
        raise DataError(
            "one period of renewals identifies only the first-period churn alpha/(alpha+beta), not alpha and "
            "beta; give at least two periods (n0, n1, n2)",
            table="survivors",
        )
    if all(n[-1] == n[0] for n in cohorts.values()):
        raise DataError(
            "nobody cancelled in any cohort: the churn probability is not identified (beta -> infinity); "
            "observe the cohort for longer",
            table="survivors",
        )
    if all(n[1] == 0 for n in cohorts.values()):
        raise DataError(
            "everybody cancelled in the first period: nothing to learn about later renewals (beta -> 0)",
            table="survivors",
        )


def _check_whole(values: ArrayLike, name: str, minimum: int) -> np.ndarray:
    """Whole numbers >= ``minimum`` (periods, renewals), else a ConfigError naming the argument."""
    arr = np.asarray(values)
    ok = arr.dtype.kind in "iuf" and arr.size > 0
    if ok:
        f = arr.astype(float)
        ok = bool(np.all(np.isfinite(f)) and np.all(f == np.round(f)) and np.all(f >= minimum))
    if not ok:
        text = repr(values)
        text = text if len(text) <= 60 else text[:57] + "..."
        raise ConfigError(f"{name}={text} is not allowed: give whole number(s) >= {minimum}")
    return arr.astype(float)


def _check_rate(value: object, name: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)) or value < 0:
        raise ConfigError(f"{name}={value!r} is not allowed: give {what} as a finite number >= 0")
    return float(value)


def _as_output(values: np.ndarray, like: np.ndarray) -> np.ndarray | float:
    out = np.asarray(values, dtype=float).reshape(np.shape(like))
    return float(out) if out.ndim == 0 else out


def _check_periods(periods: object) -> int:
    """A whole number of periods >= 1 (projection and plot horizon), else a ConfigError."""
    return int(check_number(periods, "periods", low=1, integer=True))


def _tidy_to_counts(frame: pd.DataFrame) -> dict[object, np.ndarray]:
    """``cohort``, ``period``, ``survivors`` rows -> {cohort: counts by period 0..T}."""
    df = require_columns(
        frame, {"cohort": "category", "period": "nonneg", "survivors": "nonneg"}, table="survivors", allow_empty=False
    )
    out: dict[object, np.ndarray] = {}
    for name, g in df.groupby("cohort", sort=False):
        periods = g["period"].to_numpy(dtype=float)
        order = np.argsort(periods, kind="stable")
        if not np.array_equal(periods[order], np.arange(len(g), dtype=float)):
            raise DataError(
                f"cohort {str(name)[:40]!r}: periods must be 0, 1, ..., T once each, "
                f"got {sorted(periods.tolist())[:12]}",
                table="survivors",
                column="period",
                rows=list(g.index),
            )
        out[name] = _check_counts(g["survivors"].to_numpy()[order], name)
    return out
