"""R11: one-off vs recurring costs — a cost schedule, ROI over time and the break-even period.

Seed 000 lists tool costs as one-off (implementation, licences bought outright) and recurring
(subscriptions, staff). An ROI computed on the first period's costs alone overstates a programme
with recurring costs and understates one with a large one-off cost; these helpers lay the costs
out per period and cumulate them against the gain. Re-exported by :mod:`sim.analysis.roi`.

Examples
--------
>>> from sim.analysis.roi_costs import cost_schedule
>>> cost_schedule(1000.0, 200.0, 3)["total"].tolist()
[1200.0, 200.0, 200.0]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.errors import DataError

__all__ = ["cost_schedule", "roi_over_time", "break_even_period"]

ArrayLike = float | Iterable[float]


#: Largest one amount (a cost or a gain per period): the config layer's ``MAX_TOTAL_MONEY`` (1e12), so
#: that sums over 10,000 periods stay finite (1e308 would overflow to inf and pass as a number).
_MAX_AMOUNT = 1e12


def _cost_total(value: float | dict[str, float], name: str) -> float:
    """A cost given as a number or as ``{item: amount}`` (R11: software, implementation, ...), summed."""
    from sim.analysis._validate import check_number

    if isinstance(value, dict):
        if not value:
            raise DataError(f"{name} is an empty mapping: give a number or {{item: amount}}", table="arguments")
        total = float(sum(check_number(v, f"{name}[{k!r}]", low=0.0, high=_MAX_AMOUNT) for k, v in value.items()))
        return check_number(total, f"{name} (the sum)", low=0.0, high=_MAX_AMOUNT)
    return check_number(value, name, low=0.0, high=_MAX_AMOUNT)


def cost_schedule(
    one_off: float | dict[str, float], recurring_per_period: float | dict[str, float], periods: int
) -> pd.DataFrame:
    """The cost of a tool per period: one-off costs up front, recurring costs every period (syllabus R11).

    A CRM costs software + implementation + maintenance fees; an AI tool R&D + implementation +
    maintenance (seed 000). Implementation and R&D are paid once; licences and maintenance
    recur. Comparing tools on their first-period cost, or on a yearly cost that forgets the
    one-off part, picks the wrong tool.

    Parameters
    ----------
    one_off : float or dict
        Paid once, in period 1 (a dict ``{item: amount}`` is summed); >= 0.
    recurring_per_period : float or dict
        Paid in every period (a dict is summed); >= 0.
    periods : int
        Number of periods (months, quarters, ...), >= 1.

    Returns
    -------
    pandas.DataFrame
        ``period`` (1..periods), ``one_off``, ``recurring``, ``total``, ``cumulative``.

    Raises
    ------
    ConfigError
        A negative, non-finite or non-numeric amount, or ``periods`` not a whole number >= 1.

    Examples
    --------
    >>> cost_schedule({"implementation": 800.0, "setup": 200.0}, 100.0, 3)
       period  one_off  recurring   total  cumulative
    0       1   1000.0      100.0  1100.0      1100.0
    1       2      0.0      100.0   100.0      1200.0
    2       3      0.0      100.0   100.0      1300.0
    """
    from sim.analysis._validate import check_number

    n = int(check_number(periods, "periods", low=1, high=10_000, integer=True))
    once, every = _cost_total(one_off, "one_off"), _cost_total(recurring_per_period, "recurring_per_period")
    first = np.zeros(n)
    first[0] = once
    rec = np.full(n, every)
    total = first + rec
    return pd.DataFrame(
        {
            "period": np.arange(1, n + 1),
            "one_off": first,
            "recurring": rec,
            "total": total,
            "cumulative": total.cumsum(),
        }
    )


def roi_over_time(
    gain_per_period: ArrayLike,
    one_off: float | dict[str, float],
    recurring_per_period: float | dict[str, float],
    periods: int,
    discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Cumulative ROI of a tool period by period, and when it breaks even (R11, R6).

    Period ``t`` (1..periods) brings ``gain_per_period`` and costs the recurring amount, plus the
    one-off amount in period 1; with ``discount_rate`` r every amount of period ``t`` is worth
    ``1 / (1 + r) ** (t - 1)`` today (period 1 is today: the one-off cost is never discounted).
    The cumulative ROI is ``(cumulative gain - cumulative cost) / cumulative cost``
    (:func:`roi`), so it starts deep below 0 and rises as the one-off cost is paid back.

    Parameters
    ----------
    gain_per_period : float or sequence of float
        Margin the tool brings per period (one number, or one per period); may be negative.
    one_off, recurring_per_period : float or dict
        As in :func:`cost_schedule`.
    periods : int
        Number of periods, >= 1.
    discount_rate : float
        Per-period discount rate in [0, 1).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``gain``, ``cost`` (both discounted), ``cumulative_gain``,
        ``cumulative_cost``, ``cumulative_net`` and ``cumulative_roi``; see
        :func:`break_even_period` for the first period with ``cumulative_net >= 0``.

    Examples
    --------
    >>> t = roi_over_time(400.0, one_off=1000.0, recurring_per_period=100.0, periods=5)
    >>> t[["period", "cumulative_net", "cumulative_roi"]].round(4).values.tolist()
    [[1.0, -700.0, -0.6364], [2.0, -400.0, -0.3333], [3.0, -100.0, -0.0769], [4.0, 200.0, 0.1429], [5.0, 500.0, 0.3333]]
    >>> break_even_period(t)
    4
    """
    from sim.analysis._validate import check_number

    sched = cost_schedule(one_off, recurring_per_period, periods)
    n = len(sched)
    r = check_number(discount_rate, "discount_rate", low=0.0, high=1.0, high_open=True)
    if isinstance(gain_per_period, pd.Series) and not gain_per_period.index.is_monotonic_increasing:
        raise DataError(
            "gain_per_period is a Series whose index is not in order; periods are taken by position: sort it "
            "(gain.sort_index()) or pass gain.to_numpy()",
            table="arguments",
            column="gain_per_period",
        )
    g = np.atleast_1d(np.asarray(gain_per_period, dtype=object))
    if g.ndim != 1 or len(g) not in (1, n):
        raise DataError(
            f"gain_per_period has {len(g)} values; give one number or one per period ({n})",
            table="arguments",
            column="gain_per_period",
        )
    gains = np.array(
        [check_number(v, f"gain_per_period[{i}]", low=-_MAX_AMOUNT, high=_MAX_AMOUNT) for i, v in enumerate(g)],
        dtype=float,
    )
    gains = np.broadcast_to(gains, (n,)).astype(float)
    factor = (1.0 + r) ** -np.arange(n, dtype=float)
    gain, cost = gains * factor, sched["total"].to_numpy() * factor
    cg, cc = gain.cumsum(), cost.cumsum()
    with np.errstate(divide="ignore", invalid="ignore"):
        cum_roi = np.where(cc > 0, (cg - cc) / np.where(cc > 0, cc, 1.0), np.nan)
    return pd.DataFrame(
        {
            "period": sched["period"],
            "gain": gain,
            "cost": cost,
            "cumulative_gain": cg,
            "cumulative_cost": cc,
            "cumulative_net": cg - cc,
            "cumulative_roi": cum_roi,
        }
    )


def break_even_period(table: pd.DataFrame) -> int | None:
    """The first period whose cumulative net gain is >= 0 in a :func:`roi_over_time` table (``None``: never).

    Examples
    --------
    >>> break_even_period(roi_over_time(50.0, 1000.0, 100.0, 12)) is None   # gain below the running cost
    True
    """
    t = require_columns(
        table, {"period": "nonneg", "cumulative_net": "number"}, table="roi_over_time", unique=["period"]
    )
    frac = t.index[t["period"] != np.round(t["period"])]
    if len(frac):
        raise DataError("periods must be whole numbers", table="roi_over_time", column="period", rows=frac)
    t = t.sort_values("period", kind="stable")  # the first period in time, whatever the row order
    hit = np.flatnonzero(t["cumulative_net"].to_numpy(dtype=float) >= 0)
    return int(t["period"].iloc[hit[0]]) if len(hit) else None
