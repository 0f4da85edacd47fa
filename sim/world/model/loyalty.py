"""Loyalty programmes (chapter 09): goal gradient, check-in habit, referral bonus, points accounting.

Customer responses (scenario truth, :mod:`sim.config.scenario_loyalty`):

* **Goal gradient** (Kivetz, Urminsky & Zheng 2006): a customer's purchase rate is multiplied by
  :func:`goal_gradient_factor` ``= 1 + strength x closeness``; :func:`goal_closeness` rises linearly
  from 0 (``window`` or more below the next tier threshold) to 1 (at the threshold).
* **Ranking**: while a spend ranking runs, purchase rate x (1 + ``ranking_rate_uplift``)
  (:func:`programme_rate_factor` combines both).
* **Check-in habit**: :func:`check_in_habit` ``= 1 - exp(-rate per week)`` in [0, 1); the dropout
  log-odds are lowered by ``check_in_dropout_shift`` x habit while check-ins earn points.
* **Referral bonus**: :func:`bonus_referral_probability` ``= min(1, p x (1 + e x (m - 1)))``.

Accounting (the firm's books, from the observed ``points`` ledger):

* :func:`expected_redemption_share` — redeemed / (redeemed + expired) once the ledger holds a
  redemption, else the policy's ``redemption_rate``;
* :func:`points_liability` — outstanding points x point value x expected redemption share;
* :func:`breakage_rate` — (expired + outstanding x (1 - share)) / issued: the share of issued points
  expected never to be redeemed.

Examples
--------
>>> goal_closeness(900.0, [1000.0, 5000.0], 500.0)
0.8
>>> round(goal_gradient_factor(900.0, [1000.0, 5000.0], 0.5, 500.0), 3)
1.4
>>> points_liability(10_000, 0.01, 0.6)
60.0
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

__all__ = [
    "goal_closeness",
    "goal_gradient_factor",
    "programme_rate_factor",
    "check_in_habit",
    "bonus_referral_probability",
    "expected_redemption_share",
    "points_liability",
    "breakage_rate",
]


def goal_closeness(spend: float, thresholds: Sequence[float], window: float) -> float:
    """How close rolling ``spend`` is to the next tier threshold above it, in [0, 1].

    ``max(0, 1 - gap / window)`` with ``gap`` = next threshold - spend; 0 with no threshold above
    (no tiers, or already at the top level).

    Examples
    --------
    >>> goal_closeness(0.0, [1000.0], 500.0), goal_closeness(750.0, [1000.0], 500.0)
    (0.0, 0.5)
    >>> goal_closeness(6000.0, [1000.0, 5000.0], 500.0)   # above the top threshold: no pull
    0.0
    """
    k = bisect_right(thresholds, spend)
    if k >= len(thresholds):
        return 0.0
    gap = thresholds[k] - spend
    return max(0.0, 1.0 - gap / window)


def goal_gradient_factor(spend: float, thresholds: Sequence[float], strength: float, window: float) -> float:
    """Purchase-rate multiplier of the goal gradient: ``1 + strength * goal_closeness(...)``.

    Examples
    --------
    >>> goal_gradient_factor(100.0, [1000.0], 0.5, 500.0)
    1.0
    >>> goal_gradient_factor(999.999, [1000.0], 0.5, 500.0) > 1.49
    True
    """
    return 1.0 + strength * goal_closeness(spend, thresholds, window)


def programme_rate_factor(goal_factor: float, ranking_on: bool, ranking_uplift: float) -> float:
    """The programme's purchase-rate multiplier: goal gradient x (1 + ranking uplift while a ranking runs).

    Examples
    --------
    >>> programme_rate_factor(1.2, True, 0.1), programme_rate_factor(1.2, False, 0.1)
    (1.32, 1.2)
    """
    return goal_factor * (1.0 + ranking_uplift) if ranking_on else goal_factor


def check_in_habit(rate_per_week: float) -> float:
    """Strength of a check-in habit in [0, 1): ``1 - exp(-rate_per_week)``.

    Examples
    --------
    >>> check_in_habit(0.0), round(check_in_habit(1.0), 3)
    (0.0, 0.632)
    """
    return 1.0 - math.exp(-rate_per_week)


def bonus_referral_probability(p: float, elasticity: float, multiplier: float) -> float:
    """Referral probability per promoter order inside a bonus window: ``min(1, p (1 + e (m - 1)))``.

    Examples
    --------
    >>> bonus_referral_probability(0.1, 0.5, 2.0)
    0.15000000000000002
    >>> bonus_referral_probability(0.1, 0.5, 1.0)   # no bonus: unchanged
    0.1
    """
    return min(1.0, p * (1.0 + elasticity * (multiplier - 1.0)))


def expected_redemption_share(redeemed: float, expired: float, fallback: float) -> float:
    """Expected share of outstanding points that will be redeemed.

    Estimated from the ledger as redeemed / (redeemed + expired) — of the points that have left
    balances, the share that was redeemed — once the ledger holds a redemption; else ``fallback``
    (the policy's ``redemption_rate``).

    Examples
    --------
    >>> expected_redemption_share(300.0, 100.0, 0.6), expected_redemption_share(0.0, 100.0, 0.6)
    (0.75, 0.6)
    """
    if redeemed > 0.0:
        return redeemed / (redeemed + expired)
    return fallback


def points_liability(outstanding: float, point_value: float, share: float) -> float:
    """The accounting liability of outstanding points: ``outstanding x point_value x share`` (currency).

    Examples
    --------
    >>> points_liability(2500.0, 0.02, 0.5)
    25.0
    """
    return outstanding * point_value * share


def breakage_rate(issued: float, expired: float, outstanding: float, share: float) -> float:
    """Share of issued points expected never to be redeemed: ``(expired + outstanding (1 - share)) / issued``.

    NaN when nothing was issued.

    Examples
    --------
    >>> breakage_rate(1000.0, 100.0, 400.0, 0.75)
    0.2
    >>> math.isnan(breakage_rate(0.0, 0.0, 0.0, 0.5))
    True
    """
    if issued <= 0.0:
        return math.nan
    return (expired + outstanding * (1.0 - share)) / issued
