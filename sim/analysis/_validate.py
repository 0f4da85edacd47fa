"""Input checks shared by every analysis module (one place, one wording).

Each table check raises :class:`sim.errors.DataError` naming the table, the column and the
offending rows; nothing is silently dropped or coerced without saying so. Argument checks
(:func:`check_confidence`, :func:`check_significance`) raise :class:`sim.errors.ConfigError`
naming the argument, the value and what is allowed. :class:`FittedMixin` gives the fitters
the scikit-learn / lifelines convention that results are trailing-underscore attributes and
that asking for them before ``fit`` raises :class:`sim.errors.NotFittedError`.

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

import numbers
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sim.errors import ConfigError, DataError, NotFittedError

__all__ = [
    "require_columns",
    "to_timestamp",
    "KINDS",
    "check_confidence",
    "check_significance",
    "significance_level",
    "FittedMixin",
]

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
                if not vals <= {0, 1}:
                    raise DataError(
                        f"expected booleans (True/False or 0/1), found {sorted(map(str, vals))[:5]}",
                        table=table,
                        column=col,
                    )
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
                raise DataError(
                    f"expected numbers, found {examples} (dtype {s.dtype})", table=table, column=col, rows=bad
                )
            s = num
        vals = s.to_numpy(dtype=float)
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
        out[col] = s
    return out


# ----------------------------------------------------------------------------------------
# Confidence levels and significance levels (one vocabulary for the whole package)
# ----------------------------------------------------------------------------------------


def check_confidence(confidence: object, *, name: str = "confidence") -> float:
    """Check a confidence level (the coverage of an interval, e.g. 0.95); return it as a float.

    Every function or class of :mod:`sim.analysis` that produces a confidence interval takes
    ``confidence`` (default 0.95); ``alpha`` is used only for the significance level of a
    planned hypothesis test (sample sizes, power, the peeking demonstration).

    Raises
    ------
    sim.errors.ConfigError
        If ``confidence`` is not a number strictly between 0 and 1 (names the argument,
        the value and what is allowed).

    Examples
    --------
    >>> check_confidence(0.9)
    0.9
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: confidence=95 is not allowed: give a confidence level strictly between 0 and 1 (e.g. 0.95 for a 95% interval)
    """
    ok = isinstance(confidence, numbers.Real) and not isinstance(confidence, bool)
    if not ok or not 0 < float(confidence) < 1:  # type: ignore[arg-type]
        raise ConfigError(
            f"{name}={confidence!r} is not allowed: give a confidence level strictly between 0 and 1 "
            "(e.g. 0.95 for a 95% interval)"
        )
    return float(confidence)  # type: ignore[arg-type]


def check_significance(alpha: object, *, name: str = "alpha") -> float:
    """Check the significance level of a planned hypothesis test (e.g. 0.05); return it as a float.

    Raises
    ------
    sim.errors.ConfigError
        If ``alpha`` is not a number strictly between 0 and 1.

    Examples
    --------
    >>> check_significance(0.05)
    0.05
    >>> check_significance(5)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: alpha=5 is not allowed: give a significance level strictly between 0 and 1 (e.g. 0.05)
    """
    ok = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
    if not ok or not 0 < float(alpha) < 1:  # type: ignore[arg-type]
        raise ConfigError(
            f"{name}={alpha!r} is not allowed: give a significance level strictly between 0 and 1 (e.g. 0.05)"
        )
    return float(alpha)  # type: ignore[arg-type]


def significance_level(confidence: float) -> float:
    """``1 - confidence``, computed on the decimal value as written, for libraries that take ``alpha``.

    In binary floating point ``1 - 0.95`` is ``0.050000000000000044``; the decimal complement
    gives exactly ``0.05``, so an interval at ``confidence=0.95`` is bit-for-bit the interval a
    library computes at ``alpha=0.05``.

    Examples
    --------
    >>> 1 - 0.95, significance_level(0.95), significance_level(0.9)
    (0.050000000000000044, 0.05, 0.1)
    """
    return float(Decimal(1) - Decimal(repr(float(confidence))))


# ----------------------------------------------------------------------------------------
# Fitted state (scikit-learn / lifelines conventions)
# ----------------------------------------------------------------------------------------


class FittedMixin:
    """Results are trailing-underscore attributes set by ``fit``; asking for them earlier is an error.

    Subclasses list their fitted attributes in ``_fitted_attributes`` (the first one marks
    the fitted state). Reading one of them before ``fit`` raises
    :class:`sim.errors.NotFittedError` (an ``AttributeError``, so ``hasattr`` answers False)
    with the message ``"<Class> is not fitted yet; call .fit(...) first"``.

    Examples
    --------
    >>> class Mean(FittedMixin):
    ...     _fitted_attributes = ("mean_",)
    ...     def fit(self, x):
    ...         self.mean_ = sum(x) / len(x)
    ...         return self
    >>> Mean().mean_
    Traceback (most recent call last):
    ...
    sim.errors.NotFittedError: Mean is not fitted yet; call .fit(...) first (mean_ is set by fit)
    >>> Mean().fit([1, 2, 3]).mean_
    2.0
    """

    _fitted_attributes: ClassVar[tuple[str, ...]] = ()

    def __getattr__(self, name: str) -> Any:
        # Only called when normal attribute lookup fails: the attribute is not set, or a
        # property raised AttributeError (NotFittedError is one).
        cls = type(self)
        if name in cls._fitted_attributes:
            raise NotFittedError(f"{cls.__name__} is not fitted yet; call .fit(...) first ({name} is set by fit)")
        for klass in cls.__mro__:
            attr = klass.__dict__.get(name)
            if isinstance(attr, property):  # surface the property's own error, not a generic one
                return attr.__get__(self, cls)
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has been called (the first fitted attribute is set).

        Examples
        --------
        >>> from sim.analysis.survival import KaplanMeier
        >>> KaplanMeier().is_fitted, KaplanMeier().fit([1.0, 2.0]).is_fitted
        (False, True)
        """
        marker = type(self)._fitted_attributes[:1]
        return bool(marker) and marker[0] in self.__dict__

    def _check_fitted(self) -> None:
        """Raise :class:`sim.errors.NotFittedError` unless ``fit`` has been called."""
        if not self.is_fitted:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call .fit(...) first")
