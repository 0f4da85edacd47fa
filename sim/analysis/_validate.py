"""Input checks shared by every analysis module (one place, one wording).

Each table check raises :class:`sim.errors.DataError` naming the table, the column and the
offending rows; nothing is silently dropped or coerced without saying so. Argument checks
(:func:`check_confidence`, :func:`check_significance`) raise :class:`sim.errors.ConfigError`
naming the argument, the value and what is allowed. :class:`FittedMixin` gives the fitters
the scikit-learn / lifelines convention that results are trailing-underscore attributes and
that asking for them before ``fit`` raises :class:`sim.errors.NotFittedError`.

The column checks, used by every public entry point that takes a table
(:func:`require_columns` dispatches on the column kind):

* :func:`require_ids` -- ids of one type: ``1`` and ``'1'`` in one column would count as two
  customers, booleans are not ids, missing ids are an error;
* :func:`require_dates` -- text or datetimes, never numbers (``20250101`` is not read as
  nanoseconds since 1970); ``03/04/2025`` is ambiguous and needs ``dayfirst=`` (or
  ``date_format=``); ISO dates (``2025-03-04``) are never ambiguous; mixed time-zone offsets
  need ``utc=True``; tz-aware values become naive UTC;
* :func:`require_numbers` -- finite numbers (money, counts, scores): booleans, datetimes,
  NaN and inf are errors, and ``nonneg`` / ``probability`` ranges are checked;
* :func:`require_unique` -- a key column (or the index) without duplicates.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis._validate import require_columns
>>> orders = pd.DataFrame({"customer_id": [1], "date": ["2025-01-03"], "amount": [12.5]})
>>> out = require_columns(orders, {"customer_id": "id", "date": "datetime", "amount": "nonneg"}, table="orders")
>>> out["date"].dtype.kind
'M'
>>> require_columns(orders.assign(date=[20250103]), {"date": "datetime"}, table="orders")
Traceback (most recent call last):
...
sim.errors.DataError: orders: column 'date': dates stored as numbers (dtype int64, e.g. 20250103) would be read as nanoseconds since 1970; give text or datetimes, e.g. pd.to_datetime(df['date'].astype(str), format='%Y%m%d'), or pass date_format='%Y%m%d' (rows: 0)
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd

from sim.analysis._dates import require_dates, to_timestamp
from sim.analysis._values import require_ids, require_numbers, require_same_id_type, require_unique
from sim.errors import ConfigError, DataError, NotFittedError

__all__ = [
    "require_columns",
    "require_ids",
    "require_dates",
    "require_numbers",
    "require_unique",
    "require_same_id_type",
    "to_timestamp",
    "KINDS",
    "check_confidence",
    "check_significance",
    "check_number",
    "check_choice",
    "refuse_text",
    "significance_level",
    "FittedMixin",
]

#: Column kinds understood by :func:`require_columns`.
KINDS = ("id", "datetime", "number", "nonneg", "probability", "bool", "category", "any")


# ----------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------


def require_columns(
    df: pd.DataFrame,
    spec: Mapping[str, str],
    *,
    table: str = "table",
    allow_empty: bool = False,
    unique: Sequence[str] = (),
    unique_index: bool = False,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    utc: bool = False,
) -> pd.DataFrame:
    """Check that ``df`` has the columns in ``spec`` with usable values; return a checked copy.

    Parameters
    ----------
    df : pandas.DataFrame
        The input table.
    spec : mapping of column name -> kind
        Kinds: ``id`` (:func:`require_ids`), ``datetime`` (:func:`require_dates`), ``number``,
        ``nonneg``, ``probability`` (:func:`require_numbers`), ``bool`` (True/False or 0/1),
        ``category`` (no missing values), ``any`` (only presence is checked).
    table : str
        Name used in error messages.
    allow_empty : bool
        Whether an empty frame is acceptable.
    unique : sequence of str
        Key columns whose values must not repeat (:func:`require_unique`).
    unique_index : bool
        Whether the index (e.g. customer ids) must not repeat.
    dayfirst, date_format, utc
        How to read date columns, see :func:`require_dates`.

    Returns
    -------
    pandas.DataFrame
        A copy with datetime columns parsed to ``datetime64[ns]`` and numeric columns as numbers.

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
            f"missing column(s) {missing}; required: {list(spec)}; present: {list(df.columns)[:20]}",
            table=table,
        )
    for col in spec:
        n = int((df.columns == col).sum()) if not isinstance(df.columns, pd.MultiIndex) else 2
        if n != 1:
            what = (
                "the columns are a MultiIndex; flatten them first, e.g. df.columns = ['_'.join(map(str, c)) for c in df.columns]"
                if isinstance(df.columns, pd.MultiIndex)
                else f"the column name appears {n} times; give each column once (e.g. df.loc[:, ~df.columns.duplicated()])"
            )
            raise DataError(what, table=table, column=col)
    if len(df) == 0 and not allow_empty:
        raise DataError("the table is empty; at least one row is needed", table=table)
    out = df.copy()
    for col, kind in spec.items():
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r}; allowed: {KINDS}")
        s = out[col]
        if kind == "any":
            continue
        if kind == "id":
            require_ids(s, table=table, column=col)
            continue
        if kind == "category":
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
            out[col] = require_dates(s, table=table, column=col, dayfirst=dayfirst, date_format=date_format, utc=utc)
            continue
        out[col] = require_numbers(s, kind, table=table, column=col)
    for col in unique:
        require_unique(out, col, table=table)
    if unique_index:
        require_unique(out, None, table=table)
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


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float:
    """Check a numeric argument: a finite real number (never text, a boolean or NaN) in a range.

    ``low`` / ``high`` bound the value (inclusive unless ``low_open`` / ``high_open``);
    ``integer`` requires a whole number (an ``int`` or numpy integer, not ``2.0``).

    Raises
    ------
    sim.errors.ConfigError
        Naming the argument, the (shortened) value and what is allowed.

    Examples
    --------
    >>> check_number(3, "bins", low=1, integer=True)
    3.0
    >>> check_number("100", "threshold")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: threshold='100' is not allowed: give a finite number
    """
    kind = "a whole number" if integer else "a finite number"
    ok_type = isinstance(value, numbers.Integral if integer else numbers.Real) and not isinstance(value, bool)
    ok = ok_type
    if ok_type:
        try:
            v = float(value)  # type: ignore[arg-type]
        except OverflowError:
            v = float("inf")
        ok = v == v and v not in (float("inf"), float("-inf"))
        if ok and low is not None:
            ok = v > low if low_open else v >= low
        if ok and high is not None:
            ok = v < high if high_open else v <= high
    if not ok:
        rng = []
        if low is not None:
            rng.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            rng.append(f"{'<' if high_open else '<='} {high:g}")
        where = f" {' and '.join(rng)}" if rng else ""
        raise ConfigError(f"{name}={_short(value)} is not allowed: give {kind}{where}")
    return v


def check_choice(value: object, name: str, allowed: Sequence[str]) -> str:
    """Check that an option is one of ``allowed``; return it.

    Examples
    --------
    >>> check_choice("wald", "ci_method", ("wald", "score"))
    'wald'
    >>> check_choice("x", "ci_method", ("wald", "score"))
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: ci_method='x' is not allowed; allowed: ['wald', 'score']
    """
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{name}={_short(value)} is not allowed; allowed: {list(allowed)}")
    return value


def refuse_text(values: pd.Series, *, table: str, column: str, what: str = "numbers") -> None:
    """Refuse text in values given as a Python argument (``"9"`` is not a score; tables read
    from CSV are checked by :func:`require_numbers`, which converts numeric text).

    Examples
    --------
    >>> refuse_text(pd.Series([9, "10"]), table="nps scores", column="score")
    Traceback (most recent call last):
    ...
    sim.errors.DataError: nps scores: column 'score': expected numbers, found text '10'; convert it first, e.g. pd.to_numeric(...) (rows: 1)
    """
    text = values.map(lambda v: isinstance(v, (str, bytes))).to_numpy(dtype=bool)
    if text.any():
        first = values[text].iloc[0]
        raise DataError(
            f"expected {what}, found text {_short(first)}; convert it first, e.g. pd.to_numeric(...)",
            table=table,
            column=column,
            rows=values.index[text],
        )


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
