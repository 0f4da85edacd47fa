"""Scenario truth of loyalty programmes (chapter 09): how customers respond to a programme.

``Scenario.loyalty_response`` (:class:`LoyaltyResponse`) holds what the firm can only learn by
running a programme; every default has no effect (and nothing responds unless a policy runs the
programme: ``Policy.loyalty``). The equations are in :mod:`sim.world.model.loyalty`; each response
is an assumption of the simulator, stated here:

* ``goal_gradient`` (:class:`GoalGradient`; Kivetz, Urminsky & Zheng 2006): a customer's purchase
  rate x (1 + ``strength`` x closeness), closeness rising from 0 to 1 as the customer's own rolling
  spend comes within ``window`` currency of the next tier threshold
  (:func:`~sim.world.model.goal_gradient_factor`). The customer knows their own spend and the
  published thresholds; customers above the top threshold feel no pull.
* ``check_in_rate_per_week``: each customer's latent check-in propensity (check-ins per week)
  ~ Gamma(``check_in_shape``, mean ``check_in_rate_per_week``), drawn at acquisition from the
  ``loyalty.check_in`` stream (``customers.true_check_in_rate``); 0 = nobody checks in. While the
  programme pays check-in points, the habit lowers the customer's dropout log-odds by
  ``check_in_dropout_shift`` x :func:`~sim.world.model.check_in_habit` (an assumption: the
  syllabus' "gaps" — engagement is observed to go with loyalty, its causal size is not known).
* ``referral_bonus_elasticity``: inside a referral-bonus window (multiplier ``m``) the referral
  probability per promoter order is x (1 + elasticity x (m - 1))
  (:func:`~sim.world.model.bonus_referral_probability`).
* ``ranking_rate_uplift``: while the firm runs a spend ranking, customers' purchase rate
  x (1 + uplift) (scarcity of the reward; an assumption).
* ``redeem_prob``: mean latent probability that a customer with enough points redeems them at an
  order (Beta with ``redeem_concentration``; ``customers.true_redeem_prob``); 0 = nobody redeems.

Examples
--------
>>> r = LoyaltyResponse()
>>> r.goal_gradient.strength, r.check_in_rate_per_week, r.redeem_prob, r.is_noop()
(0.0, 0.0, 0.0, True)
>>> LoyaltyResponse(ranking_rate_uplift=0.1).is_noop()
False
"""

from __future__ import annotations

from pydantic import Field

from sim.config._base import StrictModel
from sim.config.limits import (
    MAX_CHECK_IN_RATE,
    MAX_PROGRAMME_UPLIFT,
    MAX_UNIT_MONEY,
    MIN_TRAIT_SHAPE,
    Probability,
    Real,
)

__all__ = ["GoalGradient", "LoyaltyResponse"]


class GoalGradient(StrictModel):
    """Customers buy faster as their rolling spend nears the next tier threshold.

    Examples
    --------
    >>> GoalGradient(strength=0.5, window=200).window
    200.0
    """

    strength: Real = Field(
        default=0.0, ge=0.0, le=MAX_PROGRAMME_UPLIFT, description="rate x (1 + strength) at the threshold"
    )
    window: Real = Field(
        default=500.0, gt=0.0, le=MAX_UNIT_MONEY, description="currency below a threshold where the pull starts"
    )


class LoyaltyResponse(StrictModel):
    """How customers respond to a loyalty programme (all off by default)."""

    goal_gradient: GoalGradient = Field(default_factory=GoalGradient)
    check_in_rate_per_week: Real = Field(
        default=0.0, ge=0.0, le=MAX_CHECK_IN_RATE, description="mean latent check-ins per week (0 = off)"
    )
    check_in_shape: Real = Field(
        default=1.0,
        ge=MIN_TRAIT_SHAPE,
        le=100.0,
        description="Gamma shape of the check-in propensity (larger: less spread)",
    )
    check_in_dropout_shift: Real = Field(
        default=0.0, ge=0.0, le=5.0, description="dropout log-odds lowered by a full check-in habit"
    )
    referral_bonus_elasticity: Real = Field(
        default=0.0, ge=0.0, le=10.0, description="referral probability x (1 + elasticity x (multiplier - 1))"
    )
    ranking_rate_uplift: Real = Field(
        default=0.0, ge=0.0, le=MAX_PROGRAMME_UPLIFT, description="purchase rate x (1 + uplift) while a ranking runs"
    )
    redeem_prob: Probability = Field(default=0.0, description="mean probability of redeeming at an order (0 = never)")
    redeem_concentration: Real = Field(
        default=4.0, ge=MIN_TRAIT_SHAPE, le=1000.0, description="Beta concentration of the redemption propensity"
    )

    def is_noop(self) -> bool:
        """Whether no response is switched on (every lever at its no-effect default)."""
        return (
            self.goal_gradient.strength == 0.0
            and self.check_in_rate_per_week == 0.0
            and self.check_in_dropout_shift == 0.0
            and self.referral_bonus_elasticity == 0.0
            and self.ranking_rate_uplift == 0.0
            and self.redeem_prob == 0.0
        )
