"""Counterfactual truth: each customer's true individual effect of the firm's actions (``Scenario.uplift``).

With :class:`UpliftTruth` on, every contact the firm sends and every holdout decision of a
campaign (:mod:`sim.config.policy_campaigns`) gets a row in the latent ``uplift`` table: the
customer's world is replayed from their latent state at the decision time ``replays`` times with
the action and ``replays`` times without it, under common random numbers (the same per-replay
draws in both arms), over the next ``outcome_days`` (:mod:`sim.world.counterfactual`). The
difference is the customer's true uplift (order within the window, churn, margin) — the truth an
uplift model is graded against. Off by default: the run's other tables are untouched either way
(the replay draws from its own ``uplift`` stream).

Examples
--------
>>> import sim
>>> sim.Scenario().uplift.enabled
False
>>> sim.Scenario().updated({"uplift.enabled": True, "uplift.replays": 64}).uplift.replays
64
"""

from __future__ import annotations

from pydantic import Field

from sim.config._base import StrictModel
from sim.config.limits import MAX_DAYS, MAX_REPLAYS, Real, Whole

__all__ = ["UpliftTruth", "MAX_REPLAYS"]


class UpliftTruth(StrictModel):
    """The counterfactual-uplift truth (the latent ``uplift`` table).

    ``outcome_days``: the window after each decision over which the outcomes (an order, churn,
    margin) are counted; ``replays``: paired replays (with / without the action) averaged per
    decision (the truth's Monte-Carlo error shrinks as ``1 / sqrt(replays)``).
    """

    enabled: bool = False
    outcome_days: Real = Field(default=30.0, ge=1.0, le=MAX_DAYS, description="days after each decision")
    replays: Whole = Field(default=32, ge=1, le=MAX_REPLAYS, description="paired replays per decision")
