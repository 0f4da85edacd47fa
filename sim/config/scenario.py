"""The world a simulation runs in: :class:`Scenario`.

A scenario holds every parameter of the customer base and of the service desk. It is a
validated pydantic model: unknown keys, wrong types, negative rates, probabilities outside
[0, 1] and mixes that do not sum to 1 raise one :class:`sim.errors.ConfigError` naming the
field, the value and what is allowed.

Time is in days, money in ``currency`` units, desk durations in hours. The purchase process
is BG/NBD and the spend process Gamma-Gamma (the equations are in :mod:`sim.world.model`);
the other mechanisms are layered on top and each can be switched off (``btyd_only`` switches
all of them off). The service-operations sub-models live in :mod:`sim.config.scenario_service`,
the survey sub-models in :mod:`sim.config.scenario_surveys`; both are re-exported here.

Examples
--------
>>> import sim
>>> sc = sim.Scenario.load("baseline")
>>> sc.desk.sla["P0"].first_response_h
0.25
>>> sc.updated({"desk.agents": 5}).desk.agents
5
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from sim.config._base import StrictModel, YamlMixin, apply_changes, check_shares, load_yaml_model, validate_model
from sim.config.counterfactual import UpliftTruth
from sim.config.limits import (
    MAX_CUSTOMERS,
    MAX_DAYS,
    MAX_EVENTS,
    MAX_HALF_LIFE_DAYS,
    MAX_MARKET_FACTOR,
    MAX_MARKET_SHIFT,
    MAX_MEAN_PURCHASE_RATE,
    MAX_UNIT_MONEY,
    MAX_WINBACK_MULTIPLIER,
    MIN_FUNNEL_RATE,
    Effect,
    Probability,
    Real,
    Share,
    UnitMoney,
    Whole,
    short,
)
from sim.config.mechanisms import Archetypes, Catalogue, Subscription, WordOfMouth
from sim.config.messaging import Messaging
from sim.config.scenario_loyalty import LoyaltyResponse
from sim.config.scenario_service import Acceptance, Complaints, Desk, ServiceTime, SLATarget
from sim.config.scenario_surveys import SURVEY_CHANNELS, SURVEY_MODES, ExitSurvey, SurveyMode, Surveys
from sim.schema import CAUSES, CHURN_REASONS, SEVERITIES

__all__ = [
    "Scenario",
    "SEVERITIES",
    "CAUSES",
    "CHURN_REASONS",
    "PRESET_DIR",
    "list_presets",
    # re-exported from scenario_service / scenario_surveys (their home since the split)
    "Acceptance",
    "Complaints",
    "Desk",
    "ServiceTime",
    "SLATarget",
    "SURVEY_CHANNELS",
    "SURVEY_MODES",
    "ExitSurvey",
    "SurveyMode",
    "Surveys",
]

PRESET_DIR = Path(__file__).parent / "presets" / "scenarios"

#: A point of the 0-10 satisfaction scale.
Score10 = Annotated[Real, Field(ge=0.0, le=10.0, description="satisfaction points")]
#: Earliest and latest start dates: the tables' timestamps must stay within pandas' range.
START_DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2200, 12, 31))


def _as_date(value: Any) -> Any:
    """A start date: a date or an ISO string (numbers are not dates: 20250101 is not 1970)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("give a date as YYYY-MM-DD")


class Channel(StrictModel):
    """An acquisition channel: its share of paid acquisitions and cost per acquired customer.

    The pre-purchase funnel (the ``funnel`` table, :mod:`sim.world.funnel`): a lead becomes a
    prospect with ``lead_to_prospect``, a prospect a customer (first order) with
    ``prospect_to_customer``.
    """

    share: Probability = Field(description="share of paid acquisitions")
    cac: UnitMoney = Field(description="currency per acquired customer")
    lead_to_prospect: Probability = Field(
        default=0.2, ge=MIN_FUNNEL_RATE, description="share of leads becoming prospects"
    )
    prospect_to_customer: Probability = Field(
        default=0.25, ge=MIN_FUNNEL_RATE, description="share of prospects placing a first order"
    )


class Referral(StrictModel):
    """Promoters refer friends: after an order by a customer with satisfaction >= 9,
    a referred customer arrives with probability ``prob_per_promoter_order``."""

    enabled: bool = True
    prob_per_promoter_order: Probability = Field(default=0.05, description="referrals per promoter order")
    cac: UnitMoney = Field(default=30.0, description="currency per referred customer (reward)")


class Population(StrictModel):
    """Who arrives, when, through which channel."""

    customers: Whole = Field(
        default=5000, ge=1, le=MAX_CUSTOMERS, description="paid customers acquired over the horizon"
    )
    initial_share: Probability = Field(default=0.0, description="share acquired at day 0")
    channels: dict[str, Channel] = Field(
        default_factory=lambda: {
            "search": Channel(share=0.40, cac=120.0),
            "social": Channel(share=0.35, cac=90.0),
            "marketplace": Channel(share=0.25, cac=60.0),
        }
    )
    consent_rate: Probability = Field(default=0.7, description="share opting in to marketing")
    referral: Referral = Field(default_factory=Referral)

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, Channel]) -> dict[str, Channel]:
        if not v:
            raise ValueError("at least one acquisition channel is needed")
        if "referral" in v:
            raise ValueError("'referral' is reserved for referred customers (configure population.referral)")
        total = sum(c.share for c in v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"channel shares must sum to 1, they sum to {total:.6g}")
        return v


class Purchase(StrictModel):
    """BG/NBD purchase process, time unit days: lambda ~ Gamma(shape r, rate alpha), p ~ Beta(a, b).

    ``dropout_after_first: true`` gives the MBG/NBD variant (Batislam, Gursoy & Leeflang 2007):
    a customer may also drop out right after the first (acquisition) order, so one-time buyers can
    be gone — in plain BG/NBD they are always alive.
    """

    dropout_after_first: bool = False
    # r >= 0.05: smaller shapes draw purchase rates of exactly 0.0 (underflow), which never order.
    r: Real = Field(default=0.6, ge=0.05, le=100.0, description="shape of the Gamma of purchase rates")
    alpha: Real = Field(default=60.0, ge=0.001, le=1e6, description="days; rate of the Gamma of purchase rates")
    a: Real = Field(default=0.8, ge=0.01, le=1000.0, description="Beta shape of the dropout probability")
    b: Real = Field(default=5.0, ge=0.01, le=1000.0, description="Beta shape of the dropout probability")


class Spend(StrictModel):
    """Gamma-Gamma spend: nu ~ Gamma(shape q, rate gamma); each order ~ Gamma(shape p, rate nu).

    The mean order value is ``p * gamma / (q - 1)``; ``q`` must exceed 1 for it to exist.
    """

    p: Real = Field(default=6.0, ge=0.01, le=1000.0, description="Gamma shape of one order's value")
    q: Real = Field(default=4.0, gt=1.0, le=1000.0, description="Gamma shape of spend rates (> 1: finite mean)")
    gamma: Real = Field(default=150.0, ge=0.001, le=MAX_UNIT_MONEY, description="currency; Gamma rate of spend rates")


class SatisfactionEffects(StrictModel):
    """Jumps of latent satisfaction (0-10 scale) caused by experiences."""

    good_order: Effect = Field(default=0.05, description="satisfaction points")
    quality_issue: Effect = Field(default=-1.5, description="satisfaction points")
    sla_met: Effect = Field(default=0.6, description="satisfaction points")
    sla_breached: Effect = Field(default=-1.2, description="satisfaction points")
    chaser: Effect = Field(
        default=-0.2, description="satisfaction points per chaser (complaints.chaser_rate_per_day; CP10)"
    )
    proactive: Effect = Field(
        default=0.3,
        description="satisfaction points after a proactive (auto-detected) ticket resolved within its SLA, instead "
        "of sla_met (service.auto_detect; CP3)",
    )


class Satisfaction(StrictModel):
    """Latent satisfaction s_i in [0, 10] and its links to purchasing and dropout.

    purchase rate = lambda_i * exp(rate_elasticity * (s - reference));
    dropout logit = logit(p_i) - dropout_shift * (s - reference);
    between experiences s relaxes back to the customer's own starting level with the given half-life.
    """

    enabled: bool = True
    initial_mean: Score10 = Field(default=8.0, description="satisfaction points")
    initial_sd: Real = Field(default=1.2, ge=0.0, le=10.0, description="satisfaction points")
    reference: Score10 = Field(default=8.0, description="satisfaction points")
    rate_elasticity: Real = Field(default=0.08, ge=0.0, le=1.0, description="log purchase rate per satisfaction point")
    dropout_shift: Real = Field(default=0.35, ge=0.0, le=5.0, description="dropout log-odds per satisfaction point")
    half_life_days: Real = Field(default=60.0, ge=0.1, le=MAX_HALF_LIFE_DAYS, description="days")
    effects: SatisfactionEffects = Field(default_factory=SatisfactionEffects)
    # 0 = off; at least a day between snapshots (each records every acquired customer)
    snapshot_days: Real = Field(
        default=0.0, ge=0.0, le=MAX_DAYS, description="days between latent satisfaction snapshots (0 = off)"
    )

    @field_validator("snapshot_days")
    @classmethod
    def _snapshot_days(cls, v: float) -> float:
        if 0.0 < v < 1.0:
            raise ValueError(f"snapshot_days must be 0 (off) or at least 1 day, got {v:g}")
        return v


#: Kinds of offer (``Offer.kind`` in :mod:`sim.config.policy_contacts`) a win-back response can name.
OFFER_KINDS: tuple[str, ...] = ("generic", "discount", "service", "gift")
#: A multiplier of a win-back probability (``churn.winback_response``).
WinbackMultiplier = Annotated[
    Real, Field(ge=0.0, le=MAX_WINBACK_MULTIPLIER, description="multiplier of the win-back probability")
]


class Churn(StrictModel):
    """Ground-truth churn reasons for dropouts not explained by a bad experience, and how a
    leaver of each reason responds to each kind of win-back offer (CH5, CH6).

    ``winback_response[reason][kind]`` multiplies the win-back probability of an opened offer of
    that kind to a customer who truly left for that reason (missing entries: 1.0;
    :func:`~sim.world.model.winback_reason_multiplier`); ``{}`` = off.
    """

    reason_mix: dict[str, Share] = Field(
        default_factory=lambda: {
            "price": 0.35,
            "need_mismatch": 0.35,
            "product": 0.15,
            "service": 0.10,
            "communication": 0.05,
        }
    )
    winback_response: dict[str, dict[str, WinbackMultiplier]] = Field(
        default_factory=dict, description="churn reason -> offer kind -> win-back probability multiplier"
    )

    @field_validator("reason_mix")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, CHURN_REASONS, "churn reasons")

    @field_validator("winback_response")
    @classmethod
    def _winback(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for reason, by_kind in v.items():
            if reason not in CHURN_REASONS:
                raise ValueError(f"unknown churn reason {short(reason)}; allowed: {list(CHURN_REASONS)}")
            for kind in by_kind:
                if kind not in OFFER_KINDS:
                    raise ValueError(f"unknown offer kind {short(kind)} for {reason}; allowed: {list(OFFER_KINDS)}")
        return v


class MarketEvent(StrictModel):
    """A scheduled shock for what-ifs.

    ``competitor_price_cut``: from ``day`` for ``duration_days`` every customer's purchase rate is
    multiplied by ``rate_multiplier`` and their dropout logit raised by ``dropout_shift``.
    ``outage``: at ``day`` a P0 incident makes ``tickets`` customers (chosen at random among those
    alive) complain at once, with cause *service* and severity ``severity``.
    """

    kind: Literal["competitor_price_cut", "outage"]
    day: Real = Field(ge=0.0, le=MAX_DAYS, description="day of the shock")
    duration_days: Real = Field(default=30.0, gt=0.0, le=MAX_DAYS, description="days")
    rate_multiplier: Real = Field(default=0.8, ge=0.01, le=MAX_MARKET_FACTOR, description="purchase-rate multiplier")
    dropout_shift: Real = Field(
        default=0.5, ge=-MAX_MARKET_SHIFT, le=MAX_MARKET_SHIFT, description="dropout log-odds added while it lasts"
    )
    tickets: Whole = Field(default=100, ge=0, le=MAX_CUSTOMERS, description="customers complaining at once")
    severity: Literal["P0", "P1", "P2", "P3"] = "P0"


class Scenario(YamlMixin, StrictModel):
    """The simulated world: customers, their behaviour, and the service desk.

    Load a named preset with :meth:`load` (``baseline``, ``btyd_only``) or a YAML file; change
    fields with :meth:`updated`; save with :meth:`to_yaml`.

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("btyd_only")
    >>> sc.satisfaction.enabled, sc.complaints.enabled
    (False, False)
    >>> round(sc.spend.p * sc.spend.gamma / (sc.spend.q - 1), 2)   # mean order value
    300.0
    """

    name: str = Field(default="custom", max_length=200)
    description: str = Field(default="", max_length=10_000)
    currency: str = Field(default="CNY", max_length=20)
    start_date: Annotated[dt.date, BeforeValidator(_as_date)] = Field(
        default=dt.date(2025, 1, 1), description=f"date of day 0, {START_DATE_RANGE[0]} to {START_DATE_RANGE[1]}"
    )
    horizon_days: Real = Field(default=730.0, gt=0.0, le=MAX_DAYS, description="days simulated")
    margin_rate: Probability = Field(default=0.35, description="gross margin share of revenue")
    clv_discount_rate: Probability = Field(
        default=0.10, description="annual discount rate of future margin in true CLV (true_clv)"
    )
    population: Population = Field(default_factory=Population)
    purchase: Purchase = Field(default_factory=Purchase)
    spend: Spend = Field(default_factory=Spend)
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)
    complaints: Complaints = Field(default_factory=Complaints)
    desk: Desk = Field(default_factory=Desk)
    surveys: Surveys = Field(default_factory=Surveys)
    churn: Churn = Field(default_factory=Churn)
    market_events: list[MarketEvent] = Field(default_factory=list, max_length=MAX_EVENTS)
    # lifecycle mechanisms (sim.config.mechanisms), all off by default
    catalogue: Catalogue = Field(default_factory=Catalogue)
    archetypes: Archetypes = Field(default_factory=Archetypes)
    subscription: Subscription = Field(default_factory=Subscription)
    word_of_mouth: WordOfMouth = Field(default_factory=WordOfMouth)
    # counterfactual truth (sim.config.counterfactual): the latent uplift table, off by default
    uplift: UpliftTruth = Field(default_factory=UpliftTruth)
    # chapter 08: hidden message effects and channel affinity (sim.config.messaging), off by default
    messaging: Messaging = Field(default_factory=Messaging)
    # chapter 09: how customers respond to a loyalty programme (sim.config.scenario_loyalty), no effect by default
    loyalty_response: LoyaltyResponse = Field(default_factory=LoyaltyResponse)

    @field_validator("start_date")
    @classmethod
    def _start(cls, v: dt.date) -> dt.date:
        lo, hi = START_DATE_RANGE
        if not lo <= v <= hi:
            raise ValueError(f"start_date must lie between {lo} and {hi}")
        return v

    @model_validator(mode="after")
    def _one_world(self) -> Scenario:
        if self.subscription.enabled and self.catalogue.enabled:
            raise ValueError(
                "catalogue: a subscription world has no product orders (payments are plan prices); switch "
                "catalogue.enabled off, or subscription.enabled off for a retail world"
            )
        if self.subscription.enabled and self.uplift.enabled:  # refused here, not only when a run starts
            raise ValueError(
                "uplift.enabled: the counterfactual replays follow the purchase process; a subscription world's "
                "renewals are not replayed: switch uplift.enabled off or subscription.enabled off"
            )
        return self

    @model_validator(mode="after")
    def _bounded_model(self) -> Scenario:
        rate = peak_mean_purchase_rate(self)
        if rate > MAX_MEAN_PURCHASE_RATE:
            raise ValueError(
                f"purchase: the mean purchase rate reaches {rate:.3g} orders per day (r / alpha, raised by "
                f"satisfaction.rate_elasticity and market events); at most {MAX_MEAN_PURCHASE_RATE:g} is allowed"
            )
        value = self.mean_order_value()
        if value > MAX_UNIT_MONEY:
            raise ValueError(
                f"spend: the mean order value p * gamma / (q - 1) is {value:.3g}; at most {MAX_UNIT_MONEY:.0e} "
                "is allowed (raise q or lower gamma)"
            )
        factor, shift = peak_market_effects(self.market_events)
        if factor > MAX_MARKET_FACTOR or abs(shift) > MAX_MARKET_SHIFT:
            raise ValueError(
                f"market_events: overlapping events multiply purchase rates by up to {factor:.3g} and shift "
                f"dropout log-odds by up to {shift:.3g}; allowed: at most {MAX_MARKET_FACTOR:g} and "
                f"{MAX_MARKET_SHIFT:g} in size"
            )
        return self

    @classmethod
    def load(cls, name_or_path: str | Path) -> Scenario:
        """Load a preset by name (``baseline``, ``btyd_only``, ...) or a scenario YAML file.

        Examples
        --------
        >>> Scenario.load("baseline").name
        'baseline'
        """
        return load_yaml_model(cls, name_or_path, preset_dir=PRESET_DIR, what="scenario")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Validate a mapping into a scenario (clear :class:`ConfigError` on bad input)."""
        return validate_model(cls, data, what="scenario")

    def updated(self, changes: dict[str, Any]) -> Scenario:
        """A validated copy with dotted-path fields replaced.

        Examples
        --------
        >>> sc = Scenario.load("baseline").updated({"desk.agents": 4, "purchase.r": 0.8})
        >>> sc.desk.agents, sc.purchase.r
        (4, 0.8)
        """
        return self.from_dict(apply_changes(self.to_dict(), changes, what="scenario"))

    def mean_order_value(self) -> float:
        """Expected order value under the Gamma-Gamma model, ``p * gamma / (q - 1)``."""
        return self.spend.p * self.spend.gamma / (self.spend.q - 1.0)


def peak_market_effects(events: list[MarketEvent]) -> tuple[float, float]:
    """The largest product of rate multipliers and the largest total dropout shift (by size) of
    the competitor price cuts in force at any one time.

    Examples
    --------
    >>> cut = dict(kind="competitor_price_cut", duration_days=30, rate_multiplier=2.0, dropout_shift=0.5)
    >>> peak_market_effects([MarketEvent(day=0, **cut), MarketEvent(day=10, **cut)])
    (4.0, 1.0)
    >>> peak_market_effects([MarketEvent(day=0, **cut), MarketEvent(day=40, **cut)])
    (2.0, 0.5)
    """
    cuts = [e for e in events if e.kind == "competitor_price_cut"]
    factor, shift = 1.0, 0.0
    for start in cuts:
        live = [e for e in cuts if e.day <= start.day < e.day + e.duration_days]
        factor = max(factor, math.prod(e.rate_multiplier for e in live))
        total = sum(e.dropout_shift for e in live)
        shift = total if abs(total) > abs(shift) else shift
    return factor, shift


def peak_mean_purchase_rate(sc: Scenario) -> float:
    """The largest mean purchase rate (orders per day) the scenario can reach.

    BG/NBD's mean rate ``r / alpha``, times the largest archetype rate factor (archetypes on), times
    ``exp(rate_elasticity * (10 - reference))`` for a customer at full satisfaction, times the peak market factor (:func:`peak_market_effects`).

    Examples
    --------
    >>> round(peak_mean_purchase_rate(Scenario.load("baseline")), 4)   # 0.01/day x exp(0.08 x 2)
    0.0117
    """
    rate = sc.purchase.r / sc.purchase.alpha
    if sc.archetypes.enabled:  # the fastest archetype's rate factor
        rate *= max(sc.archetypes.effects[a].rate_factor for a, share in sc.archetypes.mix.items() if share > 0)
    if sc.satisfaction.enabled:
        rate *= math.exp(sc.satisfaction.rate_elasticity * (10.0 - sc.satisfaction.reference))
    return rate * peak_market_effects(sc.market_events)[0]


def list_presets() -> list[str]:
    """Names of the scenario presets shipped in ``sim/config/presets/scenarios``.

    Examples
    --------
    >>> "baseline" in list_presets()
    True
    """
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
