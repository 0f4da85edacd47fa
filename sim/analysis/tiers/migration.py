"""Tier migration: how customers move between value tiers (and in or out) from one date to another."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns, to_timestamp
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    pass

from sim.analysis.tiers.pyramid import (
    _ORDERS_SPEC,
    DEFAULT_CUTS,
    DEFAULT_NAMES,
    _check_cuts,
    customer_value,
    value_tiers,
)

__all__ = ["Migration", "migration_matrix"]


@dataclass(frozen=True)
class Migration:
    """Tier-to-tier movements between two dates (result of :func:`migration_matrix`).

    Attributes
    ----------
    counts : pandas.DataFrame
        Rows = state at ``date1`` (tiers, then ``lapsed`` if a window is used, then ``new``);
        columns = state at ``date2`` (tiers, then ``lapsed`` if a window is used); integer
        numbers of customers.
    rates : pandas.DataFrame
        ``counts`` divided by its row sums (each non-empty row sums to 1; an empty row is NaN).
    customers : pandas.DataFrame
        One row per customer (index ``customer_id``) with ``from`` and ``to``.
    date1, date2 : pandas.Timestamp
        The two snapshot instants.
    """

    counts: pd.DataFrame
    rates: pd.DataFrame
    customers: pd.DataFrame
    date1: pd.Timestamp
    date2: pd.Timestamp

    def __repr__(self) -> str:
        return (
            f"Migration({self.date1.date()} -> {self.date2.date()}, {len(self.customers)} customers)\n"
            f"{self.counts.to_string()}"
        )


def migration_matrix(
    orders: pd.DataFrame,
    date1: object,
    date2: object,
    *,
    window_days: float | None = 365.0,
    method: Literal["share", "quantile"] = "share",
    cuts: Sequence[float] | None = None,
    names: Sequence[str] = DEFAULT_NAMES,
) -> Migration:
    """Where did each tier's customers go between ``date1`` and ``date2``?

    Tiers are computed at each date from spend in the trailing ``window_days`` (rolling
    spend, default one year), with the same ``method``/``cuts`` at both dates.

    Parameters
    ----------
    orders : pandas.DataFrame
        At least ``customer_id``, ``date`` and ``amount`` (>= 0).
    date1, date2 : date-like
        The two snapshot instants (``date1 < date2``).
    window_days : float or None
        Trailing window for the spend that defines a tier. Customers who have ordered
        before but not within the window are ``lapsed``: that is how customers who vanish
        stay visible. ``None`` uses all history (cumulative spend); then nobody lapses and
        there is no ``lapsed`` row or column.
    method, cuts, names
        As in :func:`value_tiers`.

    Returns
    -------
    Migration
        ``counts``, ``rates`` (row-normalised), ``customers`` (from/to per customer).
        Customers whose first order falls in ``(date1, date2]`` form the ``new`` row.
        Customers with no order up to ``date2`` do not appear.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 2, 3, 1, 3, 4],
    ...     "date": ["2024-03-01", "2024-03-01", "2024-03-01", "2025-03-01", "2025-03-01", "2025-03-01"],
    ...     "amount": [100.0, 50.0, 10.0, 10.0, 100.0, 40.0]})
    >>> m = migration_matrix(orders, "2024-06-30", "2025-06-30", cuts=[0.5], names=["top", "rest"])
    >>> m.counts
    to      top  rest  lapsed
    from
    top       0     1       0
    rest      1     0       1
    lapsed    0     0       0
    new       0     1       0
    >>> m.rates.loc["rest"].tolist()
    [0.5, 0.0, 0.5]
    """
    d1 = to_timestamp(date1, name="date1")
    d2 = to_timestamp(date2, name="date2")
    if not d1 < d2:
        raise ConfigError(f"date1={d1} must be before date2={d2}")
    df = require_columns(orders, _ORDERS_SPEC, table="orders")
    known1 = pd.Index(df.loc[df["date"] <= d1, "customer_id"].unique())
    known2 = pd.Index(df.loc[df["date"] <= d2, "customer_id"].unique())
    if len(known2) == 0:
        raise DataError(f"no order on or before date2={d2}", table="orders", column="date")

    def snapshot(cut: pd.Timestamp) -> pd.Series:
        spend = customer_value(df, cut, window_days=window_days)
        if spend.empty:
            return pd.Series(dtype=object)
        return value_tiers(spend, method=method, cuts=cuts, names=names).astype(str)

    t1, t2 = snapshot(d1), snapshot(d2)
    _, tier_names = _check_cuts(DEFAULT_CUTS[method] if cuts is None else cuts, names)
    extra = ["lapsed"] if window_days is not None else []
    frm = pd.Series("new", index=known2.sort_values(), dtype=object)
    frm[frm.index.isin(known1)] = "lapsed"
    frm.loc[t1.index] = t1
    to = pd.Series("lapsed", index=frm.index, dtype=object)
    to.loc[t2.index] = t2
    rows = tier_names + extra + ["new"]
    cols = tier_names + extra
    customers = pd.DataFrame(
        {
            "from": pd.Categorical(frm, categories=rows, ordered=True),
            "to": pd.Categorical(to, categories=cols, ordered=True),
        },
        index=frm.index,
    )
    customers.index.name = "customer_id"
    counts = pd.crosstab(customers["from"], customers["to"], dropna=False)
    counts = counts.reindex(index=rows, columns=cols, fill_value=0).astype("int64")
    counts.index.name, counts.columns.name = "from", "to"
    sums = counts.sum(axis=1).replace(0, np.nan)
    rates = counts.div(sums, axis=0)
    return Migration(counts=counts, rates=rates, customers=customers, date1=d1, date2=d2)
