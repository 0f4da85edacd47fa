"""Loyalty programmes (a package: :mod:`~sim.analysis.loyalty.ledger` for the points ledger,
:mod:`~sim.analysis.loyalty.effects` for the goal gradient and the member gap): the points ledger (liability, breakage), the goal gradient, the naive member gap.

Works on any points ledger with the documented columns (the simulator's observed ``points`` table,
or a firm's own export), one row per movement:

* ``customer_id`` — the member;
* ``t`` (days) and/or ``date`` — when (``at=`` takes a number for ``t``, a date for ``date``);
* ``kind`` — ``earn`` (points on an order), ``check_in``, ``ranking`` (credits, ``points`` >= 0),
  ``redeem`` and ``expire`` (debits, ``points`` <= 0);
* ``points`` — signed: + credited, - redeemed or expired.

The finance view (seed 004's points, LY2/LY3): **outstanding** points = issued - redeemed -
expired; the **expected redemption share** is estimated from the points that have *matured*
(left a balance): redeemed / (redeemed + expired), with a confidence interval that treats the
customer as the unit (a ratio estimator, delta method: one customer's points are not independent);
the **points liability** = outstanding x point value x expected redemption share (currency); the
**breakage rate** = (expired + outstanding x (1 - share)) / issued, the share of issued points
expected never to be redeemed. The same definitions as the simulator's KPIs
(:mod:`sim.world.model.loyalty`). With the share estimated from the same ledger the breakage rate
is exactly expired / (redeemed + expired) = 1 - share (issued = redeemed + expired + outstanding):
it says something new only with a planned ``redemption_rate``.

:func:`goal_gradient` measures the inter-order time against the distance of a customer's rolling
spend to the next tier threshold (Kivetz, Urminsky & Zheng 2006); ``relative=True`` divides each
gap by the customer's own mean gap, so that heavy buyers (who sit near thresholds more often) do
not fake a gradient. :func:`programme_effect` is the naive members-vs-non-members difference a
dashboard shows: members were not chosen at random, so it is *not* the programme's effect.

Examples
--------
>>> import pandas as pd
>>> ledger = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "t": [0.0, 10.0, 20.0, 5.0, 400.0],
...     "kind": ["earn", "redeem", "earn", "earn", "expire"], "points": [500.0, -500.0, 300.0, 200.0, -200.0]})
>>> ledger_totals(ledger)
{'issued': 1000.0, 'redeemed': 500.0, 'expired': 200.0, 'outstanding': 300.0}
>>> r = points_liability(ledger, point_value=0.01)
>>> round(r.redemption_share, 4), round(r.liability, 4)
(0.7143, 2.1429)
>>> round(breakage_rate(ledger), 4)
0.2857
"""

from sim.analysis.loyalty.effects import MemberGap, goal_gradient, programme_effect
from sim.analysis.loyalty.ledger import (
    CREDIT_KINDS,
    LEDGER_KINDS,
    Liability,
    breakage_rate,
    ledger_summary,
    ledger_totals,
    points_liability,
)

__all__ = [
    "LEDGER_KINDS",
    "CREDIT_KINDS",
    "ledger_totals",
    "ledger_summary",
    "Liability",
    "points_liability",
    "breakage_rate",
    "goal_gradient",
    "MemberGap",
    "programme_effect",
]
