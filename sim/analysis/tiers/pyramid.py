"""The customer pyramid: value tiers by revenue share or by share of customers, its report and its plot."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis._validate import require_columns, to_timestamp
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["DEFAULT_CUTS", "DEFAULT_NAMES", "value_tiers", "customer_value", "pyramid_report", "plot_pyramid"]

#: Default cut points per method (assumptions, see the module docstring).
DEFAULT_CUTS: dict[str, tuple[float, ...]] = {"share": (0.5, 0.8), "quantile": (0.2, 0.5)}
#: Default tier names, top tier first.
DEFAULT_NAMES: tuple[str, ...] = ("gold", "silver", "bronze")

_ORDERS_SPEC = {"customer_id": "id", "date": "datetime", "amount": "nonneg"}


def _check_cuts(cuts: Sequence[float], names: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    numeric = not isinstance(cuts, str | bytes) and all(
        isinstance(x, numbers.Real) and not isinstance(x, bool) for x in np.ravel(np.asarray(cuts, dtype=object))
    )
    c = np.asarray(cuts, dtype=float) if numeric else np.array([np.nan])
    if c.ndim != 1 or len(c) == 0 or not np.all((c > 0) & (c < 1)) or np.any(np.diff(c) <= 0):
        raise ConfigError(f"cuts={tuple(cuts)!r}; give increasing numbers strictly between 0 and 1")
    n = [str(x) for x in names]
    if len(n) != len(c) + 1 or len(set(n)) != len(n):
        raise ConfigError(
            f"names={tuple(names)!r}; give {len(c) + 1} distinct names (one more than cuts), top tier first"
        )
    return c, n


def value_tiers(
    values: pd.Series,
    method: Literal["share", "quantile"] = "share",
    cuts: Sequence[float] | None = None,
    names: Sequence[str] = DEFAULT_NAMES,
) -> pd.Series:
    """Assign each customer to a value tier.

    Parameters
    ----------
    values : pandas.Series
        One non-negative value per customer (e.g. spend, margin or CLV), indexed by a unique
        customer id.
    method : {"share", "quantile"}
        ``"share"``: cut by cumulative share of the total value (top customers making up
        ``cuts[0]`` of revenue form the top tier). ``"quantile"``: cut by share of customers.
    cuts : sequence of float, optional
        Increasing cut points in (0, 1), cumulative from the top. Default
        :data:`DEFAULT_CUTS` (``(0.5, 0.8)`` for share, ``(0.2, 0.5)`` for quantile).
    names : sequence of str
        Tier names, top tier first; one more than ``cuts``. E.g. ``("high", "mid", "low")``.

    Returns
    -------
    pandas.Series
        Name ``tier``, same index as ``values`` (same order), ordered categorical with the
        categories in ``names`` order (top first).

    Raises
    ------
    DataError
        Not a Series, empty, non-numeric, negative or missing values, duplicated ids, or (for
        ``method="share"``) a total of zero.

    Examples
    --------
    >>> import pandas as pd
    >>> spend = pd.Series([10.0, 40.0, 20.0, 30.0, 0.0], index=list("abcde"))
    >>> value_tiers(spend, method="quantile", cuts=[0.2, 0.6], names=["high", "mid", "low"]).to_dict()
    {'a': 'low', 'b': 'high', 'c': 'mid', 'd': 'mid', 'e': 'low'}
    """
    if method not in DEFAULT_CUTS:
        raise ConfigError(f"method={method!r}; allowed: {list(DEFAULT_CUTS)}")
    c, n = _check_cuts(DEFAULT_CUTS[method] if cuts is None else cuts, names)
    if not isinstance(values, pd.Series):
        raise DataError(f"expected a pandas Series of values per customer, got {type(values).__name__}", table="values")
    checked = require_columns(values.to_frame("value"), {"value": "nonneg"}, table="values", unique_index=True)["value"]
    v = checked.astype(float)
    # rank: largest value first, ties by customer id (stable sort of an id-sorted series)
    order = v.sort_index().sort_values(ascending=False, kind="stable")
    if method == "share":
        total = float(order.sum())
        if total <= 0:
            raise DataError("all values are zero; revenue shares are undefined", table="values", column="value")
        before = (order.cumsum() - order).to_numpy() / total
    else:
        before = np.arange(len(order)) / len(order)
    idx = np.searchsorted(c, before, side="right")
    tier = pd.Series(np.asarray(n, dtype=object)[idx], index=order.index)
    out = pd.Series(
        pd.Categorical(tier.reindex(values.index).astype(str), categories=n, ordered=True),
        index=values.index,
        name="tier",
    )
    return out


def customer_value(
    orders: pd.DataFrame,
    cutoff: object,
    *,
    window_days: float | None = None,
) -> pd.Series:
    """Spend per customer up to ``cutoff`` (optionally only the trailing ``window_days``).

    Parameters
    ----------
    orders : pandas.DataFrame
        At least ``customer_id``, ``date`` and ``amount`` (>= 0).
    cutoff : date-like
        Orders dated after it are excluded; orders exactly at it count.
    window_days : float, optional
        If given, only orders with ``cutoff - window_days < date <= cutoff`` count (rolling
        spend, as used for membership tiers). Default: all history up to the cutoff.

    Returns
    -------
    pandas.Series
        Name ``spend``, index ``customer_id`` (sorted); customers without an order in the
        window do not appear.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [10.0, 5.0, 7.0],
    ...                        "date": ["2025-01-01", "2025-03-01", "2025-02-01"]})
    >>> customer_value(orders, "2025-03-31").to_dict()
    {1: 15.0, 2: 7.0}
    >>> customer_value(orders, "2025-03-31", window_days=45).to_dict()
    {1: 5.0}
    """
    df = require_columns(orders, _ORDERS_SPEC, table="orders")
    cut = to_timestamp(cutoff, name="cutoff")
    keep = df["date"] <= cut
    if window_days is not None:
        if not np.isfinite(window_days) or window_days <= 0:
            raise ConfigError(f"window_days={window_days!r}; give a positive number of days")
        keep &= df["date"] > cut - pd.Timedelta(days=float(window_days))
    spend = df.loc[keep].groupby("customer_id", sort=True)["amount"].sum().astype(float)
    spend.name = "spend"
    return spend


def pyramid_report(
    orders: pd.DataFrame,
    cutoff: object,
    *,
    method: Literal["share", "quantile"] = "share",
    cuts: Sequence[float] | None = None,
    names: Sequence[str] = DEFAULT_NAMES,
    window_days: float | None = None,
) -> pd.DataFrame:
    """The customer pyramid at ``cutoff``: size and revenue of each tier.

    Parameters
    ----------
    orders : pandas.DataFrame
        At least ``customer_id``, ``date`` and ``amount`` (>= 0).
    cutoff : date-like
        Orders after it are excluded.
    method, cuts, names
        As in :func:`value_tiers`.
    window_days : float, optional
        Rank by spend in the trailing window only (see :func:`customer_value`).

    Returns
    -------
    pandas.DataFrame
        Index ``tier`` (top first). Columns: ``customers``, ``customer_share``, ``revenue``
        (currency), ``revenue_share``, ``mean_spend`` (currency per customer) and
        ``min_spend`` (the lowest spend in the tier, i.e. the entry threshold). Both share
        columns sum to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 2, 3, 4, 4], "date": "2025-01-15",
    ...                        "amount": [600.0, 200.0, 100.0, 50.0, 50.0]})
    >>> rep = pyramid_report(orders, "2025-01-31")
    >>> rep[["customers", "customer_share", "revenue", "revenue_share"]]
            customers  customer_share  revenue  revenue_share
    tier
    gold            1            0.25    600.0            0.6
    silver          1            0.25    200.0            0.2
    bronze          2            0.50    200.0            0.2
    """
    spend = customer_value(orders, cutoff, window_days=window_days)
    if spend.empty:
        raise DataError(f"no order on or before cutoff {cutoff!r}", table="orders", column="date")
    tier = value_tiers(spend, method=method, cuts=cuts, names=names)
    df = pd.DataFrame({"spend": spend, "tier": tier})
    g = df.groupby("tier", observed=False)["spend"]
    out = pd.DataFrame(
        {
            "customers": g.size().astype("int64"),
            "revenue": g.sum().astype(float),
            "mean_spend": g.mean(),
            "min_spend": g.min(),
        }
    )
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    out.insert(3, "revenue_share", out["revenue"] / out["revenue"].sum())
    out.index = pd.CategoricalIndex(out.index, name="tier")
    out.attrs["cutoff"] = to_timestamp(cutoff)
    out.attrs["method"] = method
    return out


def plot_pyramid(report: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw the pyramid: share of customers (left) against share of revenue (right) per tier.

    Parameters
    ----------
    report : pandas.DataFrame
        Output of :func:`pyramid_report` (``customer_share`` and ``revenue_share``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (keyword only); a new figure is made if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> rep = pd.DataFrame({"customer_share": [0.1, 0.3, 0.6], "revenue_share": [0.5, 0.3, 0.2]},
    ...                    index=pd.Index(["gold", "silver", "bronze"], name="tier"))
    >>> ax = plot_pyramid(rep)
    >>> ax.get_title()
    'Customer pyramid: few customers, most of the revenue'
    """
    df = require_columns(
        report, {"customer_share": "probability", "revenue_share": "probability"}, table="pyramid report"
    )
    ax = new_axes(ax, figsize=(7, 1 + 0.6 * len(df)))
    y = np.arange(len(df))[::-1]  # top tier at the top
    cust = 100 * df["customer_share"].to_numpy(dtype=float)
    rev = 100 * df["revenue_share"].to_numpy(dtype=float)
    ax.barh(y, -cust, color="tab:blue", label="share of customers")
    ax.barh(y, rev, color="tab:orange", label="share of revenue")
    for yi, c, r in zip(y, cust, rev):
        ax.text(-c, yi, f"{c:.0f}% ", va="center", ha="right", fontsize=8)
        ax.text(r, yi, f" {r:.0f}%", va="center", ha="left", fontsize=8)
    ax.set_yticks(y, [str(i) for i in df.index])
    ax.axvline(0, color="black", linewidth=0.8)
    lim = max(cust.max(), rev.max()) * 1.25
    ax.set_xlim(-lim, lim)
    ax.set_xticks(ax.get_xticks(), [f"{abs(t):.0f}" for t in ax.get_xticks()])
    label_axes(
        ax,
        title="Customer pyramid: few customers, most of the revenue",
        xlabel="share (%): customers (left) | revenue (right)",
        ylabel="tier",
    )
    ax.legend(loc="lower right", fontsize=8)
    return ax
