"""Effects a loyalty dashboard is asked about: the goal gradient near tier thresholds and the naive
members - non-members gap (see :mod:`sim.analysis.loyalty`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis._validate import check_confidence, check_number, require_columns
from sim.errors import ConfigError, DataError

# --------------------------------------------------------------------------- the goal gradient


def goal_gradient(
    orders: pd.DataFrame,
    thresholds: Sequence[float],
    *,
    rolling_days: float = 365.0,
    bin_width: float | None = None,
    relative: bool = False,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Inter-order time against the distance of rolling spend to the next tier threshold (with CIs).

    After each order, a customer's rolling spend (``amount`` of their orders with ``t`` in
    ``(t - rolling_days, t]``) lies some distance below the next threshold above it; the gap to
    the customer's next order is grouped by that distance. A goal gradient shows as shorter gaps
    close to a threshold (Kivetz, Urminsky & Zheng 2006). Last orders (no next order) and orders
    above the top threshold (no goal left) are left out.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``t`` (days) and ``amount`` (currency).
    thresholds : sequence of float
        Tier thresholds of rolling spend (currency), e.g. ``[1000, 3000, 8000]``.
    rolling_days : float
        Length of the rolling-spend window.
    bin_width : float, optional
        Width of the distance bins (currency); default a tenth of the smallest threshold.
    relative : bool
        Divide each gap by the customer's own mean gap (customers with at least two gaps): a
        within-customer comparison, so that heavy buyers, who sit near thresholds more often, do
        not make a gradient of their own.
    confidence : float
        Coverage of the intervals (t intervals of the mean).

    Returns
    -------
    pandas.DataFrame
        One row per bin, nearest the threshold first: ``distance_low``, ``distance_high``
        (currency below the next threshold), ``gaps``, ``customers``, ``mean_gap`` (days, or
        relative to the customer's mean), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "t": [0.0, 30.0, 40.0, 0.0, 50.0],
    ...                   "amount": [500.0, 400.0, 100.0, 100.0, 100.0]})
    >>> goal_gradient(o, [1000.0], bin_width=500.0)[["distance_low", "gaps", "mean_gap"]]  # 900 spent: 100 to go
       distance_low  gaps  mean_gap
    0           0.0     1      10.0
    1         500.0     2      40.0
    """
    df = require_columns(orders, {"customer_id": "id", "t": "number", "amount": "nonneg"}, table="orders")
    th = np.asarray([check_number(x, "thresholds", low=0.0, low_open=True) for x in thresholds], dtype=float)
    if len(th) == 0 or np.any(np.diff(th) <= 0):
        raise ConfigError(f"thresholds={list(thresholds)!r} is not allowed: give increasing positive numbers")
    window = check_number(rolling_days, "rolling_days", low=0.0, low_open=True)
    width = check_number(th[0] / 10 if bin_width is None else bin_width, "bin_width", low=0.0, low_open=True)
    confidence = check_confidence(confidence)
    if not isinstance(relative, bool | np.bool_):
        raise ConfigError(f"relative={relative!r} is not allowed: give True or False")
    df = df.sort_values(["customer_id", "t"], kind="stable").reset_index(drop=True)
    code = pd.factorize(df["customer_id"])[0].astype(float)
    t = df["t"].to_numpy(dtype=float)
    span = float(t.max() - t.min()) + window + 1.0
    key = code * span + (t - t.min())
    cum = np.cumsum(df["amount"].to_numpy(dtype=float))
    first = np.searchsorted(key, key - window, side="right")  # first order inside (t - window, t]
    spend = cum - np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    nxt = np.searchsorted(th, spend, side="right")
    distance = np.where(nxt < len(th), th[np.minimum(nxt, len(th) - 1)] - spend, np.nan)
    same = np.r_[code[1:] == code[:-1], False]
    gap = np.where(same, np.r_[t[1:] - t[:-1], np.nan], np.nan)
    work = pd.DataFrame({"customer_id": df["customer_id"], "distance": distance, "gap": gap}).dropna()
    if relative:
        per = work.groupby("customer_id")["gap"].agg(["mean", "size"])
        ok = per.index[(per["size"] >= 2) & (per["mean"] > 0)]
        work = work[work["customer_id"].isin(ok)]
        work = work.assign(gap=work["gap"] / work["customer_id"].map(per["mean"]))
    work = work.assign(bin=np.floor(work["distance"] / width).astype(int))
    rows = []
    for b, g in work.groupby("bin"):
        n = len(g)
        mean = float(g["gap"].mean())
        if n >= 2:
            half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(g["gap"].std(ddof=1)) / math.sqrt(n)
        else:
            half = math.nan
        rows.append((b * width, (b + 1) * width, n, int(g["customer_id"].nunique()), mean, mean - half, mean + half))
    cols = ["distance_low", "distance_high", "gaps", "customers", "mean_gap", "ci_low", "ci_high"]
    out = pd.DataFrame(rows, columns=cols)
    return out.astype({"gaps": "int64", "customers": "int64"})


# --------------------------------------------------------------------------- members vs non-members


@dataclass(frozen=True)
class MemberGap:
    """The naive members - non-members difference of an outcome (see :func:`programme_effect`)."""

    difference: float
    ci_low: float
    ci_high: float
    mean_members: float
    mean_non_members: float
    members: int
    non_members: int
    confidence: float


def programme_effect(outcome: pd.Series, member: pd.Series, *, confidence: float = 0.95) -> MemberGap:
    """The **naive** members - non-members difference of mean ``outcome`` (Welch interval).

    This is what a dashboard shows, not the programme's effect: customers who reach a tier were
    already heavier buyers (self-selection). The causal effect needs a comparison of the same
    customers with and without the programme (``sim.compare``, common random numbers) or a
    randomised rollout; the interval here covers only sampling noise, not the selection bias.

    Parameters
    ----------
    outcome : pandas.Series
        One number per customer (spend, orders, ...), indexed by customer.
    member : pandas.Series
        True/False per customer, same index.
    confidence : float
        Coverage of the Welch interval.

    Examples
    --------
    >>> y = pd.Series([10.0, 12.0, 14.0, 2.0, 4.0, 6.0])
    >>> m = pd.Series([True, True, True, False, False, False])
    >>> r = programme_effect(y, m)
    >>> r.difference, r.members, r.non_members
    (8.0, 3, 3)
    """
    confidence = check_confidence(confidence)
    if not isinstance(outcome, pd.Series) or not isinstance(member, pd.Series):
        raise DataError("give outcome and member as pandas Series indexed by customer", table="customers")
    if not outcome.index.equals(member.index):
        raise DataError("outcome and member must have the same index (one row per customer)", table="customers")
    frame = require_columns(
        pd.DataFrame({"outcome": outcome, "member": member}),
        {"outcome": "number", "member": "bool"},
        table="customers",
        unique_index=True,
    )
    a = frame.loc[frame["member"], "outcome"].to_numpy(dtype=float)
    b = frame.loc[~frame["member"], "outcome"].to_numpy(dtype=float)
    if len(a) < 2 or len(b) < 2:
        raise DataError(
            f"need at least two members and two non-members, got {len(a)} and {len(b)}",
            table="customers",
            column="member",
        )
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se > 0:
        dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * se
    else:
        half = 0.0
    return MemberGap(diff, diff - half, diff + half, float(a.mean()), float(b.mean()), len(a), len(b), confidence)
