"""Policy levers of the loyalty programme (chapter 09): points, the points ledger, tiers, check-ins,
referral-bonus windows and the quarterly spend ranking.

:class:`Loyalty` (``Policy.loyalty``) is what the firm runs; how customers respond to it is scenario
truth (:class:`sim.config.scenario_loyalty.LoyaltyResponse`). Every lever is off by default.

* **Points on spend** (``points_per_currency``; the ``orders.points`` column) and membership levels
  (``tiers``: :class:`LoyaltyTier`, reached by rolling spend over ``rolling_days``).
* **The points ledger** (``ledger: true``): the observed ``points`` table, one row per movement —
  ``earn`` (points on an order), ``redeem`` (the customer spends the balance), ``expire``
  (``expiry_days`` after being earned, first in first out; 0 = never, else at least one day),
  ``check_in`` and ``ranking``
  credits. A customer whose balance is at least ``redeem_min_points`` when ordering redeems the
  whole balance with their latent redemption propensity (``customers.true_redeem_prob``); the
  redeemed value (points x ``point_value``) is a real cost the firm pays. With the ledger off,
  ``retention_cost`` counts earned points x ``point_value`` x ``redemption_rate`` (the expected
  share) as before.
* **Check-ins** (:class:`CheckIn`, LY3): ``points`` per check-in, at most ``max_per_week`` per
  customer and week (weeks counted from day 0).
* **Referral-bonus windows** (:class:`ReferralBonus`, LY4: "refer a friend, double rebate"): from
  ``start_day`` to ``end_day`` the referral reward is paid x ``multiplier``.
* **Spend ranking** (:class:`SpendRanking`, LY4): every ``period_days`` the firm ranks the customers
  who bought in the period by their observed spend in it and credits ``reward_points`` to the top
  ``top_share``.

Examples
--------
>>> lo = Loyalty(enabled=True, ledger=True, expiry_days=365, check_in=CheckIn(enabled=True, points=5))
>>> lo.check_in.max_per_week, lo.ranking.period_days, lo.uses_ledger()
(7, 91.0, True)
>>> Loyalty().uses_ledger()
False
"""

from __future__ import annotations

from itertools import pairwise

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel
from sim.config.limits import (
    MAX_DAYS,
    MAX_POINTS,
    MAX_REFERRAL_BONUS,
    MAX_TOTAL_MONEY,
    MIN_EXPIRY_DAYS,
    Effect,
    Probability,
    Real,
    Whole,
    short,
)
from sim.config.policy_contacts import Days, Discount, Period

__all__ = ["LoyaltyTier", "CheckIn", "ReferralBonus", "SpendRanking", "Loyalty"]


class LoyaltyTier(StrictModel):
    """A membership level reached by rolling spend, with its benefits.

    ``rate_uplift``: purchase rate x (1 + uplift); ``dropout_shift``: dropout logit lowered by this
    much (members would lose status and points by leaving — a switching cost); ``discount``: share
    of every order paid by the firm; ``priority_service``: tickets served ahead of non-members of
    the same severity; ``upgrade_boost``: satisfaction jump on reaching the level."""

    name: str = Field(max_length=200)
    min_spend: Real = Field(ge=0.0, le=MAX_TOTAL_MONEY, description="currency of rolling spend")
    discount: Discount = 0.0
    rate_uplift: Real = Field(default=0.0, ge=0.0, le=2.0, description="purchase rate x (1 + uplift)")
    dropout_shift: Real = Field(default=0.0, ge=0.0, le=5.0, description="dropout log-odds lowered")
    priority_service: bool = False
    upgrade_boost: Effect = Field(default=0.3, description="satisfaction points")


class CheckIn(StrictModel):
    """Points for checking in (LY3: app or store check-ins), capped per customer and week.

    Examples
    --------
    >>> CheckIn().enabled, CheckIn().points
    (False, 10.0)
    """

    enabled: bool = False
    points: Real = Field(default=10.0, ge=0.0, le=MAX_POINTS, description="points per check-in")
    max_per_week: Whole = Field(default=7, ge=1, le=7, description="check-ins credited per customer and week")


class ReferralBonus(StrictModel):
    """A referral-bonus window (LY4): from ``start_day`` to ``end_day`` the referral reward is
    paid x ``multiplier`` (and customers respond: ``loyalty_response.referral_bonus_elasticity``).

    Examples
    --------
    >>> ReferralBonus(start_day=30, end_day=90).multiplier
    2.0
    """

    start_day: Days
    end_day: Days
    multiplier: Real = Field(default=2.0, ge=1.0, le=MAX_REFERRAL_BONUS, description="x the referral reward")

    @model_validator(mode="after")
    def _window(self) -> ReferralBonus:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day ({self.end_day:g}) must be after start_day ({self.start_day:g})")
        return self


class SpendRanking(StrictModel):
    """The periodic spend ranking (LY4: quarterly spend-ranking rewards).

    Examples
    --------
    >>> SpendRanking().period_days, SpendRanking().top_share
    (91.0, 0.1)
    """

    enabled: bool = False
    period_days: Period = 91.0
    top_share: Probability = Field(default=0.1, description="share of the period's buyers rewarded")
    reward_points: Real = Field(default=1000.0, ge=0.0, le=MAX_POINTS, description="points per rewarded customer")

    @model_validator(mode="after")
    def _someone(self) -> SpendRanking:
        if self.enabled and self.top_share <= 0.0:
            raise ValueError(
                f"top_share {self.top_share:g} rewards nobody: give a share in (0, 1] of the period's buyers "
                "(or set enabled: false)"
            )
        return self


class Loyalty(StrictModel):
    """Points on spend, the points ledger and membership levels (seed 004: silver / gold / diamond)."""

    enabled: bool = False
    points_per_currency: Real = Field(default=1.0, ge=0.0, le=1000.0, description="points per currency unit spent")
    point_value: Real = Field(default=0.01, ge=0.0, le=1000.0, description="currency per point")
    redemption_rate: Probability = Field(
        default=0.6, description="expected share of points redeemed (costs and liability without a ledger history)"
    )
    rolling_days: Period = 365.0
    tiers: list[LoyaltyTier] = Field(default_factory=list)
    # chapter 09: the points ledger and its levers
    ledger: bool = Field(default=False, description="keep the points ledger (the points table) and redemptions")
    redeem_min_points: Real = Field(
        default=500.0, ge=1.0, le=MAX_POINTS, description="balance (points) a customer needs to redeem"
    )
    expiry_days: Real = Field(
        default=0.0, ge=0.0, le=MAX_DAYS, description="points expire this long after earning (0 = never)"
    )
    check_in: CheckIn = Field(default_factory=CheckIn)
    referral_bonus: list[ReferralBonus] = Field(default_factory=list, max_length=100)
    ranking: SpendRanking = Field(default_factory=SpendRanking)

    @field_validator("tiers")
    @classmethod
    def _ordered(cls, v: list[LoyaltyTier]) -> list[LoyaltyTier]:
        spends = [t.min_spend for t in v]
        if spends != sorted(spends) or len(set(spends)) != len(spends):
            raise ValueError(f"membership tiers must be listed by strictly increasing min_spend, got {short(spends)}")
        return v

    @field_validator("expiry_days")
    @classmethod
    def _expiry(cls, v: float) -> float:
        if 0.0 < v < MIN_EXPIRY_DAYS:
            raise ValueError(
                f"give 0 (points never expire) or at least {MIN_EXPIRY_DAYS:g} day (the ledger dates its rows by day)"
            )
        return v

    @field_validator("referral_bonus")
    @classmethod
    def _apart(cls, v: list[ReferralBonus]) -> list[ReferralBonus]:
        ordered = sorted(v, key=lambda w: w.start_day)
        for a, b in pairwise(ordered):
            if b.start_day < a.end_day:
                raise ValueError(
                    f"referral_bonus windows overlap: [{a.start_day:g}, {a.end_day:g}) and [{b.start_day:g}, "
                    f"{b.end_day:g}); give windows that do not overlap"
                )
        return v

    @model_validator(mode="after")
    def _needs_ledger(self) -> Loyalty:
        if not self.ledger:
            on = [
                name
                for name, flag in (
                    ("expiry_days", self.expiry_days > 0),
                    ("check_in.enabled", self.check_in.enabled),
                    ("ranking.enabled", self.ranking.enabled),
                )
                if flag
            ]
            if on:
                raise ValueError(
                    f"{', '.join(on)} credit or expire points in the points ledger: set ledger: true as well "
                    "(or switch them off)"
                )
        return self

    def uses_ledger(self) -> bool:
        """Whether the points ledger runs (the programme on and ``ledger: true``)."""
        return self.enabled and self.ledger

    def bonus_multiplier(self, day: float) -> float:
        """The referral-reward multiplier in force on ``day`` (1.0 outside every window).

        Examples
        --------
        >>> lo = Loyalty(referral_bonus=[ReferralBonus(start_day=10, end_day=70)])
        >>> lo.bonus_multiplier(9.9), lo.bonus_multiplier(10), lo.bonus_multiplier(70)
        (1.0, 2.0, 1.0)
        """
        for w in self.referral_bonus:
            if w.start_day <= day < w.end_day:
                return w.multiplier
        return 1.0
