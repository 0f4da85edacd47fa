"""Economics of a targeted retention offer: expected profit of contacting the top-k customers.

Hand-written (no maintained library has it): the expected-profit formula of a targeted
offer, ``profit(k) = success_rate * sum_{top k} outcome_i * value_i - offer_cost * k``.

Examples
--------
>>> targeting_profit([1, 0, 1], [0.9, 0.5, 0.7], 2, offer_cost=10, success_rate=0.5, value_saved=100)
80.0
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis.churn.evaluation import _order, _resolve_k, _scores
from sim.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["profit_curve", "targeting_profit", "plot_profit_curve"]


def _outcome(values: object, name: str = "outcome") -> np.ndarray:
    arr = np.asarray(values)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"expected 0/1 labels or probabilities, found dtype {arr.dtype}", table="targeting", column=name
        ) from exc
    if num.ndim != 1 or num.size == 0:
        raise DataError("expected a non-empty one-dimensional array", table="targeting", column=name)
    bad = np.flatnonzero(~np.isfinite(num) | (num < 0) | (num > 1))
    if bad.size:
        raise DataError(
            "values must be 0/1 labels or probabilities in [0, 1]", table="targeting", column=name, rows=bad.tolist()
        )
    return num


def profit_curve(
    outcome: object,
    score: object,
    *,
    offer_cost: float,
    success_rate: float,
    value_saved: Any,
    ks: object | None = None,
) -> pd.DataFrame:
    """Expected profit of sending a retention offer to the top-k customers, for every k.

    For the k customers with the highest ``score``::

        profit(k) = success_rate * sum_{i in top k} outcome_i * value_i  -  offer_cost * k

    where ``outcome_i`` is 1/0 (did churn) or a churn probability, and ``value_i`` the value
    kept when a would-be churner is saved (a number, or one per customer, e.g. a CLV).
    Assumptions: every targeted customer costs ``offer_cost`` (whether or not they would
    have churned); the offer saves a would-be churner with probability ``success_rate`` and
    does not change anyone else's behaviour.

    Parameters
    ----------
    outcome : array-like
        Churn labels (0/1) or churn probabilities in [0, 1].
    score : array-like
        Ranking score, higher = target first (often the same probabilities).
    offer_cost : float
        Cost per targeted customer (>= 0, currency).
    success_rate : float
        Probability in [0, 1] that the offer keeps a would-be churner.
    value_saved : float or array-like
        Value (currency, >= 0) of keeping one churner.
    ks : array-like of int, optional
        Values of k; default 0, 1, ..., n.

    Returns
    -------
    pandas.DataFrame
        ``k``, ``share`` (k / n), ``expected_churners`` (sum of outcome in the top k),
        ``expected_saved_value``, ``cost``, ``profit``.

    Examples
    --------
    >>> profit_curve([1, 0, 1], [0.9, 0.5, 0.7], offer_cost=10, success_rate=0.5, value_saved=100)
       k     share  expected_churners  expected_saved_value  cost  profit
    0  0  0.000000                0.0                   0.0     0     0.0
    1  1  0.333333                1.0                  50.0    10    40.0
    2  2  0.666667                2.0                 100.0    20    80.0
    3  3  1.000000                2.0                 100.0    30    70.0
    """
    o = _outcome(outcome)
    s = _scores(score, o.size)
    for name, val, hi in (("offer_cost", offer_cost, np.inf), ("success_rate", success_rate, 1.0)):
        if isinstance(val, bool) or not isinstance(val, numbers.Real) or not 0 <= val <= hi:
            raise DataError(f"{name}={val!r} must be a number in [0, {hi}]")
    v = (
        np.broadcast_to(np.asarray(value_saved, dtype=float), o.shape)
        if np.ndim(value_saved) == 0
        else np.asarray(value_saved, dtype=float)
    )
    if v.shape != o.shape or not np.all(np.isfinite(v)) or (v < 0).any():
        raise DataError(
            f"value_saved must be a number >= 0 or {o.size} finite numbers >= 0",
            table="targeting",
            column="value_saved",
        )
    order = _order(s)
    churners = np.concatenate([[0.0], np.cumsum(o[order])])
    saved = np.concatenate([[0.0], np.cumsum(o[order] * v[order])]) * float(success_rate)
    n = o.size
    if ks is None:
        kk = np.arange(n + 1)
    else:
        kk = np.asarray(ks)
        if kk.ndim != 1 or not np.issubdtype(kk.dtype, np.integer) or (kk < 0).any() or (kk > n).any():
            raise DataError(f"ks must be integers between 0 and {n}", table="targeting", column="ks")
    cost = kk * offer_cost
    return pd.DataFrame(
        {
            "k": kk,
            "share": kk / n,
            "expected_churners": churners[kk],
            "expected_saved_value": saved[kk],
            "cost": cost,
            "profit": saved[kk] - cost,
        }
    )


def targeting_profit(
    outcome: object,
    score: object,
    k: float,
    *,
    offer_cost: float,
    success_rate: float,
    value_saved: float | object,
) -> float:
    """Expected profit of targeting the top-k customers by ``score`` with a retention offer.

    ``profit = success_rate * sum_{top k} outcome_i * value_i - offer_cost * k`` (see
    :func:`profit_curve` for the assumptions). ``k`` is a count or a share, as in :func:`evaluate`.

    Parameters
    ----------
    outcome : array-like
        Churn labels (0/1) or churn probabilities.
    score : array-like
        Ranking score, higher = target first.
    k : int or float
        Number (int >= 1) or share (float in (0, 1)) of customers targeted.
    offer_cost, success_rate, value_saved
        As in :func:`profit_curve`.

    Returns
    -------
    float
        Expected profit in currency units (negative = the campaign loses money).

    Examples
    --------
    Two of the top three are churners; saving half of them is worth 0.5 * 2 * 100 = 100,
    three offers cost 30:

    >>> targeting_profit([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 3, offer_cost=10, success_rate=0.5, value_saved=100)
    70.0
    """
    o = _outcome(outcome)
    kk = _resolve_k(k, o.size)
    curve = profit_curve(
        o, score, offer_cost=offer_cost, success_rate=success_rate, value_saved=value_saved, ks=np.array([kk])
    )
    return float(curve["profit"].iloc[0])


# --------------------------------------------------------------------------- plots
def plot_profit_curve(curve: pd.DataFrame, *, ax: Axes | None = None, currency: str = "CNY") -> Axes:
    """Expected campaign profit against the share of customers targeted (from :func:`profit_curve`).

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`profit_curve` (``k``, ``share``, ``profit``).
    ax : matplotlib Axes, optional
        Axes to draw on (keyword only); a new figure is made if omitted.
    currency : str
        Currency shown in the y-axis label.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> c = profit_curve([1, 0, 1], [0.9, 0.5, 0.7], offer_cost=10, success_rate=0.5, value_saved=100)
    >>> plot_profit_curve(c).get_ylabel()
    'expected profit (CNY)'
    """
    ax = new_axes(ax, figsize=(6, 4))
    ax.plot(curve["share"] * 100, curve["profit"], color="tab:green")
    best = curve["profit"].idxmax()
    ax.scatter(
        [curve.loc[best, "share"] * 100],
        [curve.loc[best, "profit"]],
        color="black",
        zorder=3,
        label=f"best: top {int(curve.loc[best, 'k'])} customers",
    )
    ax.axhline(0, color="grey", lw=1)
    label_axes(
        ax,
        title="Expected profit of a targeted retention offer",
        xlabel="customers targeted, highest churn score first (%)",
        ylabel=f"expected profit ({currency})",
    )
    ax.legend()
    return ax
