"""What the firm does: :class:`Policy` — declarative, YAML-loadable, validated.

Every lever acts on the world through a documented mechanism (see ``sim/world/firm.py``) and
decides only from observed data (the firm's view): a policy never sees latent values.

Levers
------
``tiering``      how customers are graded (RFM score, spend share, predicted CLV) and how often.
``channels``     the contact channels' cost and open / convert rates (defaults: assumptions).
``contacts``     a contact plan per tier: interval and channel (seed 002: weekly/monthly for high
                 value, quarterly/half-yearly for the rest).
``fatigue``      over-contacting lowers satisfaction and causes opt-outs (seed 004 warns against it).
``offers``       named offers: discount, satisfaction boost, win-back power.
``triggers``     real-time (after an order, after a complaint), periodic (birthday, anniversary),
                 predictive (churn-risk score above a threshold), win-back of lapsed customers,
                 reminders before a subscriber's renewal (C3); each may run an A/B test
                 (``variants`` with a ``split``).
``loyalty``      points and silver/gold/diamond membership by rolling spend (seed 004) with benefits.
``service``      extra agents, shifts, escalation on SLA breach, the 48-hour follow-up (seed 002),
                 bot deflection of P3 tickets, basic service for low tiers (``basic_tiers``, H12).
``onboarding``   a welcome sequence after acquisition that lowers early dropout (LC4, LC9).
``alerts``       the weekly bad-review alert (SM4: more than 5% negative answers) and its care
                 contacts to the negative reviewers.
``budget``       a retention budget per period split into pots (seed 004: 70/20/10); an action
                 whose pot is empty is not taken, and that is recorded.

Examples
--------
>>> import sim
>>> pol = sim.Policy.load("vip_care")
>>> [t.name for t in pol.tiering.tiers]
['gold', 'silver', 'bronze']
>>> sim.Policy.load("do_nothing").is_noop()
True
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel, YamlMixin, apply_changes, check_shares, load_yaml_model, validate_model
from sim.config.limits import (
    MAX_AGENTS,
    MAX_DAYS,
    MAX_EFFECT,
    MAX_HALF_LIFE_DAYS,
    MAX_HOURS,
    MAX_TOTAL_MONEY,
    MAX_UNIT_MONEY,
    Effect,
    Probability,
    Real,
    Share,
    Whole,
    short,
)
from sim.schema import CHANNELS, POTS, SEVERITIES

__all__ = ["Policy", "PRESET_DIR", "list_policies", "CHANNELS"]

PRESET_DIR = Path(__file__).parent / "presets" / "policies"

#: Money per unit (a contact, an offer, an escalation), in currency.
UnitMoney = Annotated[Real, Field(ge=0.0, le=MAX_UNIT_MONEY, description="currency")]
#: A period of a recurring firm process (checks, refreshes, contacts): a day to ten years.
#: Shorter periods only multiply the work (1e-9 days would never finish).
Period = Annotated[Real, Field(ge=1.0, le=MAX_DAYS, description="days")]
#: A delay or window in days, from zero to ten years.
Days = Annotated[Real, Field(ge=0.0, le=MAX_DAYS, description="days")]
#: A duration in hours: 36 seconds to a year.
Hours = Annotated[Real, Field(ge=0.01, le=MAX_HOURS, description="hours")]
#: A discount: a share of the order value in [0, 1).
Discount = Annotated[Real, Field(ge=0.0, lt=1.0, description="share of order value")]


class ChannelSpec(StrictModel):
    """A contact channel: cost per contact and response rates (assumptions; seeds give none)."""

    cost: UnitMoney = Field(description="currency per contact")
    open_rate: Probability = Field(description="share of contacts opened")
    convert_rate: Probability = Field(description="share of opened contacts ordering at once")
    care_effect: Effect = Field(default=0.0, description="satisfaction points per opened contact")


def _default_channels() -> dict[str, ChannelSpec]:
    return {
        "email": ChannelSpec(cost=0.1, open_rate=0.20, convert_rate=0.02, care_effect=0.02),
        "sms": ChannelSpec(cost=0.3, open_rate=0.45, convert_rate=0.03, care_effect=0.02),
        "push": ChannelSpec(cost=0.02, open_rate=0.10, convert_rate=0.015, care_effect=0.0),
        "phone": ChannelSpec(cost=25.0, open_rate=0.60, convert_rate=0.08, care_effect=0.25),
    }


class Tier(StrictModel):
    """A tier and its share of graded customers (best first)."""

    name: str = Field(max_length=200)
    share: Real = Field(gt=0.0, le=1.0, description="share of graded customers")


class Tiering(StrictModel):
    """Grade customers from observed history, every ``refresh_days``.

    ``rfm``: the sum of R, F and M quintile scores; ``spend_share``: spend over ``lookback_days``;
    ``predicted_clv``: BG/NBD expected purchases over a year x mean order value, refitted at each
    refresh. Customers are ranked best first and cut into ``tiers`` by share.
    """

    method: Literal["none", "rfm", "spend_share", "predicted_clv"] = "none"
    tiers: list[Tier] = Field(default_factory=list)
    refresh_days: Period = 30.0
    lookback_days: Period = 365.0

    @model_validator(mode="after")
    def _check(self) -> Tiering:
        if self.method != "none":
            if not self.tiers:
                raise ValueError(f"method {self.method!r} needs at least one tier")
            total = sum(t.share for t in self.tiers)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"tier shares must sum to 1, they sum to {total:.6g}")
            names = [t.name for t in self.tiers]
            if len(set(names)) != len(names):
                raise ValueError(f"tier names must be unique, got {short(names)}")
        return self


class Offer(StrictModel):
    """An incentive attached to a contact.

    ``discount``: share of the next order's value paid by the firm when the offer is redeemed;
    ``satisfaction_boost``: jump of latent satisfaction when the contact is opened;
    ``winback_prob``: chance that an opened offer reactivates a truly lapsed customer, decaying with
    ``winback_half_life_days`` since the lapse; ``fixed_cost``: cost per offer sent (gifts).
    """

    discount: Discount = 0.0
    satisfaction_boost: Effect = Field(default=0.0, description="satisfaction points")
    convert_multiplier: Real = Field(default=1.0, gt=0.0, le=100.0, description="multiplier of the convert rate")
    winback_prob: Probability = Field(default=0.0, description="reactivations per opened offer")
    winback_half_life_days: Real = Field(default=90.0, ge=1.0, le=MAX_HALF_LIFE_DAYS, description="days")
    fixed_cost: UnitMoney = Field(default=0.0, description="currency per offer sent")
    redeem_window_days: Real = Field(default=30.0, gt=0.0, le=MAX_DAYS, description="days")


class ContactRule(StrictModel):
    """Scheduled contacts for one tier."""

    tier: str
    interval_days: Period
    channel: Literal["email", "sms", "push", "phone"]
    offer: str | None = None


class Fatigue(StrictModel):
    """Contacts beyond ``free_contacts`` within ``window_days`` lower satisfaction and may opt the
    customer out (then contacting them again is a compliance incident if consent is not respected)."""

    window_days: Period = 30.0
    free_contacts: Whole = Field(default=3, ge=0, le=10_000, description="contacts per window")
    satisfaction_penalty: Real = Field(
        default=0.3, ge=0.0, le=MAX_EFFECT, description="satisfaction points per contact"
    )
    opt_out_prob: Probability = Field(default=0.05, description="per contact beyond the free ones")


class Variant(StrictModel):
    """An A/B variant: overrides of channel and offer."""

    channel: Literal["email", "sms", "push", "phone"] | None = None
    offer: str | None = None


class Trigger(StrictModel):
    """One trigger. Which fields matter depends on the trigger (see ``Triggers``)."""

    enabled: bool = False
    channel: Literal["email", "sms", "push", "phone"] = "email"
    offer: str | None = None
    delay_days: Days = 0.0
    threshold: Probability = Field(default=0.5, description="risk score")
    check_every_days: Period = 30.0
    lapse_days: Period = 120.0
    cooldown_days: Real = Field(default=90.0, gt=0.0, le=MAX_DAYS, description="days")
    score: Literal["recency", "p_alive"] = "p_alive"
    variants: dict[str, Variant] = Field(default_factory=dict)
    split: dict[str, Share] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ab(self) -> Trigger:
        if self.variants or self.split:
            if set(self.variants) != set(self.split):
                raise ValueError(
                    f"split keys {short(sorted(self.split))} must match variants {short(sorted(self.variants))}"
                )
            total = sum(self.split.values())
            if any(v < 0 for v in self.split.values()) or abs(total - 1.0) > 1e-6:
                raise ValueError(f"split shares must be >= 0 and sum to 1, they sum to {total:.6g}")
        return self


class RenewalReminder(Trigger):
    """A reminder ``delay_days`` BEFORE each observed next renewal of a subscriber (their last
    payment + their plan's period, both observed). An opened reminder adds ``renewal_shift`` to
    the cancellation log-odds at that renewal (negative: it keeps the customer, e.g. by pointing
    out what the plan gives; positive: it prompts a cancelling customer to act, as a fair
    "your plan renews on ..." notice may). Customers without a plan get none, nor do those whose
    plan's period is not longer than ``delay_days``.

    Examples
    --------
    >>> RenewalReminder().delay_days, RenewalReminder().renewal_shift
    (7.0, -0.5)
    """

    delay_days: Days = 7.0
    renewal_shift: Real = Field(
        default=-0.5, ge=-5.0, le=5.0, description="cancellation log-odds added at the reminded renewal"
    )


class Triggers(StrictModel):
    """``post_order``: after each order (delay_days later); ``post_complaint``: when a ticket is
    opened; ``birthday``: on the 1st of the birth month; ``anniversary``: a year after acquisition;
    ``churn_risk``: every ``check_every_days``, customers whose observed risk score exceeds
    ``threshold`` (``p_alive``: 1 - BG/NBD P(alive) fitted on observed orders, refitted every 90 days
    once the firm has 180 days of history and 300 repeat buyers — before that the dropout part of
    the model is not identified and the recency score is used; ``recency``: days since last order /
    lapse_days, capped at 1); ``winback``: customers with no order for ``lapse_days``;
    ``renewal_reminder``: ``delay_days`` before each subscriber's next renewal
    (:class:`RenewalReminder`)."""

    post_order: Trigger = Field(default_factory=Trigger)
    post_complaint: Trigger = Field(default_factory=Trigger)
    birthday: Trigger = Field(default_factory=Trigger)
    anniversary: Trigger = Field(default_factory=Trigger)
    churn_risk: Trigger = Field(default_factory=Trigger)
    winback: Trigger = Field(default_factory=Trigger)
    renewal_reminder: RenewalReminder = Field(default_factory=RenewalReminder)


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


class Loyalty(StrictModel):
    """Points on spend and membership levels (seed 004: silver / gold / diamond)."""

    enabled: bool = False
    points_per_currency: Real = Field(default=1.0, ge=0.0, le=1000.0, description="points per currency unit spent")
    point_value: Real = Field(default=0.01, ge=0.0, le=1000.0, description="currency per point")
    redemption_rate: Probability = Field(default=0.6, description="share of points redeemed")
    rolling_days: Period = 365.0
    tiers: list[LoyaltyTier] = Field(default_factory=list)

    @field_validator("tiers")
    @classmethod
    def _ordered(cls, v: list[LoyaltyTier]) -> list[LoyaltyTier]:
        spends = [t.min_spend for t in v]
        if spends != sorted(spends) or len(set(spends)) != len(spends):
            raise ValueError(f"membership tiers must be listed by strictly increasing min_spend, got {short(spends)}")
        return v


class Shift(StrictModel):
    """Agents on duty between two hours of the day (repeats daily)."""

    start_h: Real = Field(ge=0.0, lt=24.0, description="hour of the day")
    end_h: Real = Field(gt=0.0, le=24.0, description="hour of the day")
    agents: Whole = Field(ge=0, le=MAX_AGENTS, description="agents on duty")

    @model_validator(mode="after")
    def _order(self) -> Shift:
        if self.end_h <= self.start_h:
            raise ValueError(f"end_h ({self.end_h}) must be after start_h ({self.start_h})")
        return self


class FollowUp(StrictModel):
    """A call after resolution (seed 002: within 48 hours) that lifts satisfaction."""

    enabled: bool = False
    delay_h: Hours = 48.0
    channel: Literal["email", "sms", "push", "phone"] = "phone"
    satisfaction_boost: Effect = Field(default=0.4, description="satisfaction points")


class BotDeflection(StrictModel):
    """A bot answers a share of P3 tickets at once; contained ones never reach an agent but
    leave customers less satisfied; the rest are handed to the human queue."""

    enabled: bool = False
    share_of_p3: Probability = Field(default=0.5, description="share of P3 tickets")
    containment: Probability = Field(default=0.6, description="share the bot resolves")
    handle_time_h: Hours = 0.1
    satisfaction_effect: Effect = Field(default=-0.2, description="satisfaction points")
    cost_per_ticket: UnitMoney = Field(default=0.5, description="currency per bot ticket")


class Service(StrictModel):
    """Complaint handling levers on top of the scenario's desk."""

    extra_agents: Whole = Field(
        default=0,
        ge=0,
        le=MAX_AGENTS,
        description="agents on duty around the clock, per reference desk: like the scenario's desk.agents they "
        "staff population.customers customers, so a smaller or larger firm adds them in proportion",
    )
    shifts: list[Shift] = Field(default_factory=list, max_length=100)
    sla_override: dict[str, dict[str, Hours]] = Field(default_factory=dict)
    escalate_on_breach: bool = False
    escalation_cost: UnitMoney = Field(default=20.0, description="currency per escalation")
    follow_up: FollowUp = Field(default_factory=FollowUp)
    bot: BotDeflection = Field(default_factory=BotDeflection)
    basic_tiers: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=100,
        description="tiers (of tiering.tiers) that get basic service: their tickets queue behind everyone "
        "else's and get no follow-up (H12)",
    )

    @field_validator("basic_tiers")
    @classmethod
    def _basic_tiers(cls, v: list[str]) -> list[str]:
        twice = sorted({t for t in v if v.count(t) > 1})
        if twice:
            raise ValueError(f"basic_tiers names {short(twice)} more than once; list each tier once")
        return v

    @field_validator("sla_override")
    @classmethod
    def _sla(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for sev, d in v.items():
            if sev not in SEVERITIES:
                raise ValueError(f"unknown severity {short(sev)}; allowed: {list(SEVERITIES)}")
            bad = [k for k in d if k not in ("first_response_h", "resolution_h")]
            if bad:
                raise ValueError(
                    f"unknown SLA field(s) {short(bad)} for {sev}; allowed: first_response_h, resolution_h"
                )
        return v


class Onboarding(StrictModel):
    """A welcome sequence (LC4, LC9): contacts ``contacts_days`` after each acquisition.

    A customer who opens one has the dropout log-odds lowered by ``dropout_shift`` from then until
    ``window_days`` after their acquisition (once, however many they open; it adds to a
    membership's shift); every opened welcome contact lifts satisfaction by the channel's
    ``care_effect`` plus ``satisfaction_boost``. The acquisition order itself is not covered: its
    dropout chance (``purchase.dropout_after_first``) is drawn at sign-up, before any contact. In
    the subscription world the same shift lowers the cancellation log-odds at renewals inside the
    window.

    Examples
    --------
    >>> Onboarding().contacts_days, Onboarding().window_days
    ([1.0, 7.0, 21.0], 60.0)
    """

    enabled: bool = False
    contacts_days: list[Days] = Field(
        default_factory=lambda: [1.0, 7.0, 21.0], max_length=50, description="days after acquisition"
    )
    channel: Literal["email", "sms", "push", "phone"] = "email"
    window_days: Period = 60.0
    dropout_shift: Real = Field(default=0.5, ge=0.0, le=5.0, description="dropout log-odds lowered")
    satisfaction_boost: Effect = Field(default=0.0, description="satisfaction points per opened contact")

    @field_validator("contacts_days")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(b <= a for a, b in pairwise(v)):
            raise ValueError(
                f"contacts_days {short(v)} must be strictly increasing (one welcome contact per day listed, "
                "in order), e.g. [1, 7, 21]"
            )
        return v

    @model_validator(mode="after")
    def _in_window(self) -> Onboarding:
        if self.enabled:
            if not self.contacts_days:
                raise ValueError("contacts_days is empty; give at least one day after acquisition (e.g. [1, 7])")
            late = [d for d in self.contacts_days if d >= self.window_days]
            if late:
                raise ValueError(
                    f"contacts_days {short(late)} fall at or after window_days ({self.window_days:g}); "
                    "a welcome contact must come inside the onboarding window"
                )
        return self


class NegativeAnswer(StrictModel):
    """What counts as a negative review: a CSAT of at most ``csat_max`` or an NPS of at most
    ``nps_max`` (a detractor). CES answers are not reviews and are not counted."""

    csat_max: Whole = Field(default=2, ge=1, le=5, description="CSAT points (1-5)")
    nps_max: Whole = Field(default=6, ge=0, le=10, description="NPS points (0-10)")


class BadReviewAlert(StrictModel):
    """The weekly bad-review alert (SM4: act when more than 5% of reviews are negative; H10).

    Every ``window_days`` the firm looks at the CSAT and NPS answers it observed since the previous
    check (tumbling windows); when at least ``min_answers`` came in and the negative share exceeds ``threshold``
    it logs an ``alert`` event (``customer_id`` 0, detail ``"bad_review 0.072"``) and, with
    ``action: care_contact``, contacts each of the window's negative reviewers on ``channel``
    (an opened contact lifts satisfaction by the channel's ``care_effect`` plus
    ``satisfaction_boost``). ``action: none`` only logs the alert (to measure false alarms).

    Examples
    --------
    >>> a = BadReviewAlert()
    >>> a.threshold, a.window_days, a.negative.csat_max, a.negative.nps_max
    (0.05, 7.0, 2, 6)
    """

    enabled: bool = False
    threshold: Probability = Field(default=0.05, description="negative share of the window's reviews")
    window_days: Period = 7.0
    min_answers: Whole = Field(default=20, ge=1, le=10_000_000, description="reviews in the window")
    negative: NegativeAnswer = Field(default_factory=NegativeAnswer)
    action: Literal["care_contact", "none"] = "care_contact"
    channel: Literal["email", "sms", "push", "phone"] = "phone"
    satisfaction_boost: Effect = Field(default=0.5, description="satisfaction points")


class Alerts(StrictModel):
    """Alerts the firm raises from its own observations (``bad_review``: :class:`BadReviewAlert`)."""

    bad_review: BadReviewAlert = Field(default_factory=BadReviewAlert)


class Budget(StrictModel):
    """A retention budget per period, split into pots (seed 004: 70% high value, 20% wake-up,
    10% reserve). ``amount_per_period: null`` means unlimited."""

    amount_per_period: Annotated[Real, Field(ge=0.0, le=MAX_TOTAL_MONEY)] | None = Field(
        default=None, description="currency per period (null: unlimited)"
    )
    period_days: Period = 30.0
    pots: dict[str, Share] = Field(default_factory=lambda: {"high_value": 0.7, "wakeup": 0.2, "reserve": 0.1})

    @field_validator("pots")
    @classmethod
    def _pots(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, POTS, "pot")


class Policy(YamlMixin, StrictModel):
    """What the firm does besides answering tickets.

    Load a preset (``do_nothing``, ``vip_care``, ``churn_rescue``, ``service_first``,
    ``loyalty_tiers``, ``spray_and_pray``, ``basic_low_tier``, ``onboarding``, ``review_alerts``,
    ``renewal_reminders``) or a YAML file with :meth:`load`; change fields with :meth:`updated`.

    Examples
    --------
    >>> pol = Policy.load("churn_rescue")
    >>> pol.triggers.churn_risk.enabled
    True
    >>> Policy.load("do_nothing").updated({"service.extra_agents": 1}).service.extra_agents
    1
    """

    name: str = Field(default="custom", max_length=200)
    description: str = Field(default="", max_length=10_000)
    respect_consent: bool = True
    channels: dict[str, ChannelSpec] = Field(default_factory=_default_channels)
    offers: dict[str, Offer] = Field(default_factory=dict)
    tiering: Tiering = Field(default_factory=Tiering)
    contacts: list[ContactRule] = Field(default_factory=list)
    fatigue: Fatigue = Field(default_factory=Fatigue)
    triggers: Triggers = Field(default_factory=Triggers)
    loyalty: Loyalty = Field(default_factory=Loyalty)
    service: Service = Field(default_factory=Service)
    onboarding: Onboarding = Field(default_factory=Onboarding)
    alerts: Alerts = Field(default_factory=Alerts)
    budget: Budget = Field(default_factory=Budget)
    contact_pot: dict[str, str] = Field(default_factory=dict)

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, ChannelSpec]) -> dict[str, ChannelSpec]:
        bad = [k for k in v if k not in CHANNELS]
        if bad:
            raise ValueError(f"unknown channel(s) {short(bad)}; allowed: {list(CHANNELS)}")
        missing = [k for k in CHANNELS if k not in v]
        if missing:
            raise ValueError(f"channels table is missing {missing}; give all of {list(CHANNELS)}")
        return v

    @model_validator(mode="after")
    def _references(self) -> Policy:
        tier_names = {t.name for t in self.tiering.tiers}
        for k, rule in enumerate(self.contacts):
            if rule.tier not in tier_names:
                raise ValueError(
                    f"contacts[{k}] names tier {short(rule.tier)}, which is not defined in tiering.tiers "
                    f"(defined: {short(sorted(tier_names)) if tier_names else 'none — set tiering.method and tiering.tiers'})"
                )
            if rule.offer is not None and rule.offer not in self.offers:
                raise ValueError(
                    f"contacts[{k}] uses offer {short(rule.offer)}, not defined in offers {short(sorted(self.offers))}"
                )
        for name, trig in self.triggers:
            refs = [trig.offer] + [v.offer for v in trig.variants.values()]
            for ref in refs:
                if ref is not None and ref not in self.offers:
                    raise ValueError(
                        f"triggers.{name} uses offer {short(ref)}, not defined in offers {short(sorted(self.offers))}"
                    )
        for tier in self.service.basic_tiers:
            if tier not in tier_names:
                raise ValueError(
                    f"service.basic_tiers names tier {short(tier)}, which is not defined in tiering.tiers "
                    f"(defined: {short(sorted(tier_names)) if tier_names else 'none — set tiering.method and tiering.tiers'})"
                )
        for tier, pot in self.contact_pot.items():
            if tier not in tier_names:
                raise ValueError(f"contact_pot names tier {short(tier)}, not defined in tiering.tiers")
            if pot not in POTS:
                raise ValueError(f"contact_pot[{short(tier)}] = {short(pot)}; allowed pots: {list(POTS)}")
        return self

    @model_validator(mode="after")
    def _no_instant_loops(self) -> Policy:
        for name in ("post_order", "post_complaint"):
            trig = getattr(self.triggers, name)
            chance = instant_reorder_chance(self, name)
            if trig.enabled and trig.delay_days < MIN_LOOP_DELAY_DAYS and chance > MAX_INSTANT_REORDER_CHANCE:
                raise ValueError(
                    f"triggers.{name}: with delay_days {trig.delay_days:g} each contact converts into a new order "
                    f"(which fires the trigger again) with chance {chance:.3g}; give delay_days >= "
                    f"{MIN_LOOP_DELAY_DAYS:g} or a chance (open_rate x convert_rate x convert_multiplier) "
                    f"<= {MAX_INSTANT_REORDER_CHANCE:g}"
                )
        return self

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, name_or_path: str | Path) -> Policy:
        """Load a preset by name or a policy YAML file."""
        return load_yaml_model(cls, name_or_path, preset_dir=PRESET_DIR, what="policy")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Validate a mapping into a policy (clear :class:`ConfigError` on bad input)."""
        return validate_model(cls, data, what="policy")

    def updated(self, changes: dict[str, Any]) -> Policy:
        """A validated copy with dotted-path fields replaced (e.g. ``{"service.extra_agents": 2}``)."""
        return self.from_dict(apply_changes(self.to_dict(), changes, what="policy"))

    def is_noop(self) -> bool:
        """True when the policy does nothing beyond the scenario's own desk."""
        t = self.triggers
        return (
            self.tiering.method == "none"
            and not self.contacts
            and not any(trig.enabled for _, trig in t)
            and not self.loyalty.enabled
            and self.service == Service()
            and not self.onboarding.enabled
            and not self.alerts.bad_review.enabled
        )


#: A trigger fired by an order (or a ticket) faster than this (days) must not convert near-surely ...
MIN_LOOP_DELAY_DAYS = 1.0
#: ... above this chance per contact: each conversion is an order that fires the trigger again, so
#: a chain of instant contacts and orders would never end.
MAX_INSTANT_REORDER_CHANCE = 0.5


def instant_reorder_chance(policy: Policy, trigger: str) -> float:
    """The largest chance that one contact of ``trigger`` converts into an immediate order.

    ``open_rate x min(1, convert_rate x offer.convert_multiplier)`` over the trigger's channel
    and offer and those of its A/B variants.

    Examples
    --------
    >>> instant_reorder_chance(Policy(), "post_order")   # email: 0.20 x 0.02
    0.004
    """
    trig = getattr(policy.triggers, trigger)
    pairs = [(trig.channel, trig.offer)] + [
        (v.channel or trig.channel, v.offer if v.offer is not None else trig.offer) for v in trig.variants.values()
    ]
    best = 0.0
    for channel, offer in pairs:
        ch = policy.channels[channel]
        mult = policy.offers[offer].convert_multiplier if offer in policy.offers else 1.0
        best = max(best, ch.open_rate * min(1.0, ch.convert_rate * mult))
    return best


def list_policies() -> list[str]:
    """Names of the policy presets shipped in ``sim/config/presets/policies``.

    Examples
    --------
    >>> "do_nothing" in list_policies()
    True
    """
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
