"""Lifecycle mechanisms layered on the buy-till-you-die core: catalogue, archetypes, subscriptions, word of mouth.

Four :class:`~sim.config.scenario.Scenario` sections, each switched off by default (``baseline``
and ``btyd_only`` do not use them; the ``retail`` and ``subscription`` presets do). Their
equations are in :mod:`sim.world.model.retail`.

``catalogue`` (:class:`Catalogue`)
    Product categories with a price level, a margin rate and a popularity. Every customer has
    latent category preferences ~ Dirichlet(``preference_concentration`` x popularity); an order's
    main category follows them, its basket adds Poisson(``extra_lines_mean``) extra lines (a
    companion of the main category with the ``companions`` probabilities, else the preferences).
    The order's value is the Gamma-Gamma value times the main category's price level.
``archetypes`` (:class:`Archetypes`)
    A latent archetype per customer (``mix`` over :data:`sim.schema.ARCHETYPES`) that multiplies
    the offer response, the service sensitivity and the purchase rate (``effects``), and an observed
    B2B flag (``business_share``) multiplying order values by ``business_spend_factor``.
``subscription`` (:class:`Subscription`)
    The contractual world: every customer subscribes to a plan, pays at sign-up and at each renewal,
    and cancels at a renewal with probability theta_i ~ Beta(``alpha``, ``beta``) (shifted-beta-
    geometric; shifted by satisfaction, the market and reminders).
``word_of_mouth`` (:class:`WordOfMouth`)
    Promoters and detractors tell others after an order: positive tells bring referred customers,
    negative tells deter future paid prospects.

Examples
--------
>>> cat = Catalogue()
>>> cat.enabled, round(sum(c.popularity for c in cat.categories.values()), 6)
(False, 1.0)
>>> Subscription().plans["monthly"].period_days
30.4
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel, check_shares
from sim.config.limits import (
    MAX_CATEGORIES,
    MAX_CATEGORY_NAME,
    MAX_DAYS,
    MAX_RATE_FACTOR,
    MAX_REFERRALS_PER_ORDER,
    MAX_TELLS,
    MAX_UNIT_MONEY,
    Probability,
    Real,
    Share,
    short,
)
from sim.schema import ARCHETYPES

__all__ = [
    "Category",
    "Catalogue",
    "ArchetypeEffect",
    "Archetypes",
    "Plan",
    "Subscription",
    "WordOfMouth",
    "MAX_RATE_FACTOR",
    "MAX_TELLS",
]

# MAX_RATE_FACTOR, MAX_TELLS, MAX_CATEGORIES: in the one limits table, sim.config.limits (re-exported here).

#: P(an extra basket line is this companion | the main category).
CompanionProbability = Annotated[Probability, Field(description="probability of the companion line")]
#: A multiplier of an order value or of an effect.
Multiplier = Annotated[Real, Field(ge=0.0, le=100.0, description="multiplier")]


def _default_categories() -> dict[str, Category]:
    # price levels average about 1 under the popularities (0.30 x 2.2 + 0.25 x 0.35 + ... = 0.99), so
    # the mean order value stays close to the Gamma-Gamma mean; margins are typical retail figures.
    return {
        "electronics": Category(price_level=2.2, margin_rate=0.18, popularity=0.15),
        "accessories": Category(price_level=0.35, margin_rate=0.55, popularity=0.20),
        "home": Category(price_level=1.3, margin_rate=0.35, popularity=0.15),
        "apparel": Category(price_level=0.9, margin_rate=0.50, popularity=0.20),
        "beauty": Category(price_level=0.6, margin_rate=0.60, popularity=0.15),
        "groceries": Category(price_level=0.45, margin_rate=0.22, popularity=0.15),
    }


def _default_companions() -> dict[str, dict[str, float]]:
    # pairs bought together, so association rules find them (phone -> case, dress -> make-up ...)
    return {
        "electronics": {"accessories": 0.65},
        "apparel": {"accessories": 0.25, "beauty": 0.25},
        "home": {"groceries": 0.30},
        "beauty": {"apparel": 0.20},
    }


class Category(StrictModel):
    """A product category: its price level, margin rate and popularity."""

    price_level: Real = Field(gt=0.0, le=100.0, description="multiplier of the order value")
    margin_rate: Probability = Field(description="gross margin share of the category's revenue")
    popularity: Share = Field(description="share of the population's preferences")


class Catalogue(StrictModel):
    """Product categories, customers' latent category preferences and baskets.

    Customer preferences ~ Dirichlet(``preference_concentration`` x popularity): a small
    concentration makes customers specialists (few categories), a large one makes everyone buy
    like the average. An order's main category follows the preferences; it adds
    Poisson(``extra_lines_mean``) extra lines, each a companion ``B`` of the main category ``A``
    with probability ``companions[A][B]``, else a category drawn from the preferences.
    """

    enabled: bool = False
    categories: dict[str, Category] = Field(default_factory=_default_categories)
    preference_concentration: Real = Field(
        default=2.0, ge=0.05, le=1e4, description="Dirichlet concentration of category preferences"
    )
    extra_lines_mean: Real = Field(default=0.8, ge=0.0, le=20.0, description="mean extra basket lines (Poisson)")
    companions: dict[str, dict[str, CompanionProbability]] = Field(default_factory=_default_companions)

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: dict[str, Category]) -> dict[str, Category]:
        if not v or len(v) > MAX_CATEGORIES:
            raise ValueError(f"give 1 to {MAX_CATEGORIES} categories, got {len(v)}")
        bad = [k for k in v if not k.strip() or "|" in k or len(k) > MAX_CATEGORY_NAME]
        if bad:
            raise ValueError(
                f"category names {short(bad)} are not allowed: non-blank, without '|', "
                f"at most {MAX_CATEGORY_NAME} characters"
            )
        total = sum(c.popularity for c in v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"category popularities must sum to 1, they sum to {total:.6g}")
        return v

    @model_validator(mode="after")
    def _companions(self) -> Catalogue:
        known = list(self.categories)
        for main, pairs in self.companions.items():
            unknown = [k for k in [main, *pairs] if k not in self.categories]
            if unknown:
                raise ValueError(f"companions name unknown categories {short(unknown)}; known: {short(known)}")
            if main in pairs:  # a basket's lines are distinct categories: the extra line would be dropped
                raise ValueError(
                    f"companions of {short(main)} name {short(main)} itself; a companion is another category "
                    "(a basket lists each category once)"
                )
            total = sum(pairs.values())
            if total > 1.0 + 1e-9:
                raise ValueError(f"companions of {short(main)} sum to {total:.6g}; at most 1 is allowed")
        return self


class ArchetypeEffect(StrictModel):
    """What a customer archetype multiplies."""

    offer_response: Multiplier = Field(default=1.0, description="x an offer's conversion and satisfaction boost")
    service_sensitivity: Multiplier = Field(
        default=1.0, description="x SLA met/breached satisfaction effects and churn-after-ticket probabilities"
    )
    rate_factor: Real = Field(default=1.0, gt=0.0, le=MAX_RATE_FACTOR, description="x the purchase rate")


def _default_effects() -> dict[str, ArchetypeEffect]:
    return {
        "price_sensitive": ArchetypeEffect(offer_response=2.0, service_sensitivity=0.7, rate_factor=0.9),
        "service_sensitive": ArchetypeEffect(offer_response=0.6, service_sensitivity=1.8, rate_factor=1.0),
        "convenience": ArchetypeEffect(offer_response=0.8, service_sensitivity=0.8, rate_factor=1.15),
    }


class Archetypes(StrictModel):
    """Latent customer archetypes (:data:`sim.schema.ARCHETYPES`) and observed business accounts.

    Each customer gets one archetype from ``mix``; its ``effects`` multiply the customer's
    response to offers, sensitivity to service and purchase rate. A share ``business_share`` of
    customers are business (B2B) accounts, an observed flag, whose orders are worth
    ``business_spend_factor`` times as much (in a subscription world payments are the plan's price,
    so the factor does not apply there).
    """

    enabled: bool = False
    mix: dict[str, Share] = Field(
        default_factory=lambda: {"price_sensitive": 0.35, "service_sensitive": 0.30, "convenience": 0.35}
    )
    effects: dict[str, ArchetypeEffect] = Field(default_factory=_default_effects)
    business_share: Probability = Field(default=0.08, description="share of business (B2B) accounts")
    business_spend_factor: Real = Field(default=3.0, gt=0.0, le=100.0, description="x a business account's order value")

    @field_validator("mix")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, ARCHETYPES, "archetype")

    @field_validator("effects")
    @classmethod
    def _effects(cls, v: dict[str, ArchetypeEffect]) -> dict[str, ArchetypeEffect]:
        unknown = [k for k in v if k not in ARCHETYPES]
        missing = [k for k in ARCHETYPES if k not in v]
        if unknown or missing:
            raise ValueError(
                f"give effects for each of {list(ARCHETYPES)} (unknown: {short(unknown)}, missing: {missing})"
            )
        return v


class Plan(StrictModel):
    """A subscription plan: its renewal period, price per period and share of subscribers."""

    period_days: Real = Field(ge=1.0, le=MAX_DAYS, description="days between payments")
    price: Real = Field(ge=0.0, le=MAX_UNIT_MONEY, description="currency per period")
    share: Share


class Subscription(StrictModel):
    """The contractual world: plans, renewals and the shifted-beta-geometric cancellation.

    When enabled, every customer subscribes: the acquisition order is the first payment, and at
    each renewal (last payment + period) the customer cancels with probability
    :func:`~sim.world.model.renewal_cancel_probability` (``theta_i ~ Beta(alpha, beta)``, shifted on
    the logit scale by satisfaction, membership, the market and a pending reminder) or pays the plan's
    price. There are no Poisson purchases and no Gamma-Gamma spend in this world. With satisfaction
    off, cohort survival is exactly sBG (Fader & Hardie 2007).
    """

    enabled: bool = False
    plans: dict[str, Plan] = Field(
        default_factory=lambda: {
            "monthly": Plan(period_days=30.4, price=99.0, share=0.75),
            "annual": Plan(period_days=365.0, price=990.0, share=0.25),
        }
    )
    alpha: Real = Field(default=0.7, ge=0.01, le=1000.0, description="Beta shape of the cancellation probability")
    beta: Real = Field(default=2.5, ge=0.01, le=1000.0, description="Beta shape of the cancellation probability")

    @field_validator("plans")
    @classmethod
    def _plans(cls, v: dict[str, Plan]) -> dict[str, Plan]:
        if not v:
            raise ValueError("at least one plan is needed")
        total = sum(p.share for p in v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"plan shares must sum to 1, they sum to {total:.6g}")
        return v


class WordOfMouth(StrictModel):
    """Promoters and detractors talk: referred customers arrive, prospects are deterred.

    After each order a promoter (satisfaction >= 9) tells Poisson(``promoter_tells``) people, each
    of whom becomes a referred customer with probability ``referral_conversion``; a detractor
    (satisfaction <= 6) tells Poisson(``detractor_tells``) people, each of whom is deterred with
    probability ``deterrence``: the next paid prospect not yet arrived never arrives (a latent
    ``true_deterred`` event). When enabled this replaces ``population.referral.prob_per_promoter_order``.
    ``promoter_tells x referral_conversion`` (referred customers per promoter order) is at most
    :data:`~sim.config.limits.MAX_REFERRALS_PER_ORDER`, the ceiling of that probability.
    """

    enabled: bool = False
    promoter_tells: Real = Field(default=1.0, ge=0.0, le=MAX_TELLS, description="people told per promoter order")
    detractor_tells: Real = Field(default=3.0, ge=0.0, le=MAX_TELLS, description="people told per detractor order")
    referral_conversion: Probability = Field(default=0.05, description="share of positive tells who sign up")
    deterrence: Probability = Field(default=0.03, description="share of negative tells who stay away")

    @model_validator(mode="after")
    def _bounded_referrals(self) -> WordOfMouth:
        per_order = self.promoter_tells * self.referral_conversion
        if per_order > MAX_REFERRALS_PER_ORDER + 1e-12:
            raise ValueError(
                f"promoter_tells x referral_conversion = {per_order:.4g} referred customers per promoter order; "
                f"at most {MAX_REFERRALS_PER_ORDER:g} is allowed (more makes the referred base grow without end)"
            )
        return self
