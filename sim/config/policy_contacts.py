"""Policy levers, part one: contacting customers — channels, tiering, offers, contact plans, fatigue,
A/B variants and triggers (:class:`~sim.config.policy.Policy` holds them; the world side is
``sim/world/firm.py``).

Examples
--------
>>> Trigger(enabled=True, channel="sms").delay_days
0.0
"""

from __future__ import annotations

import warnings
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.config._base import StrictModel
from sim.config.limits import (
    MAX_DAYS,
    MAX_EFFECT,
    MAX_HALF_LIFE_DAYS,
    MAX_HOURS,
    MAX_UNIT_MONEY,
    MIN_SCORE_CHECK_DAYS,
    Effect,
    Probability,
    Real,
    Share,
    Whole,
    short,
)

__all__ = [
    "default_channels",
    "UnitMoney",
    "Period",
    "Days",
    "Hours",
    "Discount",
    "ChannelSpec",
    "Tier",
    "Tiering",
    "Offer",
    "ContactRule",
    "Fatigue",
    "Variant",
    "ChurnModelSpec",
    "Trigger",
    "RenewalReminder",
    "HolidayTrigger",
    "MessageLevel",
    "Triggers",
]

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
    click_rate: Probability | None = Field(
        default=None,
        description="share of opened contacts clicked (None: the convert rate; below it counts as it)",
    )


def default_channels() -> dict[str, ChannelSpec]:
    return {
        "email": ChannelSpec(cost=0.1, open_rate=0.20, convert_rate=0.02, care_effect=0.02, click_rate=0.10),
        "sms": ChannelSpec(cost=0.3, open_rate=0.45, convert_rate=0.03, care_effect=0.02, click_rate=0.12),
        "push": ChannelSpec(cost=0.02, open_rate=0.10, convert_rate=0.015, care_effect=0.0, click_rate=0.08),
        "phone": ChannelSpec(cost=25.0, open_rate=0.60, convert_rate=0.08, care_effect=0.25, click_rate=0.25),
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
    ``kind`` (``generic``, ``discount``, ``service``, ``gift``): what the offer is, for the
    scenario's ``churn.winback_response`` (a price leaver may respond more to a discount, CH6).
    """

    kind: Literal["generic", "discount", "service", "gift"] = "generic"
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


#: A message level of a variant dimension (``send_time``, ``copy``, ``image``): a short name.
MessageLevel = Annotated[str, Field(min_length=1, max_length=40)]


# ``copy`` shadows pydantic's deprecated ``BaseModel.copy`` (use ``model_copy``): the field is meant
# (a variant's copy text level) and the warning is silenced here only
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "copy"', category=UserWarning)

    class Variant(StrictModel):
        """An A/B variant: overrides of channel and offer, and its message levels.

        ``send_time``, ``copy``, ``image`` name the variant's level of each message dimension (None:
        unset); their hidden effects on the open / click / convert log-odds are scenario truth
        (``Scenario.messaging.effects``; :mod:`sim.config.messaging`).

        Examples
        --------
        >>> Variant(send_time="evening", copy="personal").image is None
        True
        """

        channel: Literal["email", "sms", "push", "phone"] | None = None
        offer: str | None = None
        send_time: MessageLevel | None = None
        copy: MessageLevel | None = None  # type: ignore[assignment]
        image: MessageLevel | None = None


class ChurnModelSpec(StrictModel):
    """The churn model a ``churn_risk`` trigger with ``score: model`` fits on observed data (CH4).

    At each refit (every ``refit_every_days``) the firm builds churn features at the cutoff
    ``now - label_days`` from the orders and survey answers it observed up to that cutoff, labels
    each customer 1 if they placed no order in ``(cutoff, now]`` (the observed proxy label), fits a
    ``kind`` pipeline (:func:`sim.analysis.churn.make_pipeline`) and then scores every acquired
    customer on features at the check time. Until ``min_customers`` are known at the cutoff (and both
    labels occur) the recency score is used.

    Examples
    --------
    >>> ChurnModelSpec().kind, ChurnModelSpec().label_days
    ('logistic', 90.0)
    """

    kind: Literal["logistic", "gbm"] = "logistic"
    label_days: Period = Field(default=90.0, description="days of the label window (and of the cutoff's lag)")
    refit_every_days: Period = Field(default=90.0, description="days between refits")
    min_customers: Whole = Field(default=200, ge=10, le=10_000_000, description="customers needed at the cutoff")


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
    score: Literal["recency", "p_alive", "model", "health"] = "p_alive"
    model: ChurnModelSpec = Field(default_factory=ChurnModelSpec)
    variants: dict[str, Variant] = Field(default_factory=dict)
    split: dict[str, Share] = Field(default_factory=dict)
    #: ``fixed``: each customer keeps a variant drawn with ``split`` (sticky); ``thompson``: each
    #: contact goes out with the variant whose Beta(1 + successes, 1 + failures) draw is largest,
    #: counting this trigger's earlier contacts' observed ``reward`` outcomes (PA2: a bandit)
    allocation: Literal["fixed", "thompson"] = "fixed"
    reward: Literal["open", "click", "convert"] = "convert"

    @model_validator(mode="after")
    def _ab(self) -> Trigger:
        if self.score in ("model", "health") and self.check_every_days < MIN_SCORE_CHECK_DAYS:
            raise ValueError(
                f"check_every_days {self.check_every_days:g} with score {self.score!r}: each check builds every "
                f"customer's features; at least {MIN_SCORE_CHECK_DAYS:g} days is allowed"
            )
        if self.allocation == "thompson" and len(self.variants) < 2:
            raise ValueError(
                f"allocation 'thompson' needs variants (the bandit's arms): at least 2, {len(self.variants)} given"
            )
        if self.allocation == "thompson" and not self.split:
            return self  # the bandit allocates; no split needed
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


class HolidayTrigger(Trigger):
    """A contact to every acquired customer on each calendar date in ``dates`` (``"MM-DD"``, C4),
    e.g. ``["12-24", "02-14"]``; the scenario's ``start_date`` + t gives the calendar. Consent and
    budget are checked as for any contact.

    Examples
    --------
    >>> HolidayTrigger(enabled=True, dates=["12-24"]).dates
    ['12-24']
    >>> try:
    ...     HolidayTrigger(dates=["24.12."])
    ... except ValueError as e:
    ...     print("MM-DD" in str(e))
    True
    """

    dates: list[str] = Field(default_factory=list, max_length=366, description="MM-DD calendar dates")

    @model_validator(mode="after")
    def _dates(self) -> HolidayTrigger:
        import datetime as dt

        for d in self.dates:
            ok = isinstance(d, str) and len(d) == 5 and d[2] == "-" and d.isascii()
            ok = ok and d[:2].isdigit() and d[3:].isdigit()
            try:
                ok = ok and bool(dt.date(2024, int(d[:2]), int(d[3:])))  # a leap year: 02-29 is allowed
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"holiday.dates: {short(d)} is not a calendar date written MM-DD (e.g. '12-24')")
        repeated = sorted({d for d in self.dates if self.dates.count(d) > 1})
        if repeated:
            raise ValueError(f"holiday.dates: {short(repeated)} given more than once; give each date once")
        if self.enabled and not self.dates:
            raise ValueError("holiday: an enabled holiday trigger needs at least one date in dates (MM-DD)")
        return self


class Triggers(StrictModel):
    """``post_order``: after each order (delay_days later); ``post_complaint``: when a ticket is
    opened; ``birthday``: on the 1st of the birth month; ``anniversary``: a year after acquisition;
    ``churn_risk``: every ``check_every_days``, customers whose observed risk score exceeds
    ``threshold`` (``p_alive``: 1 - BG/NBD P(alive) fitted on observed orders, refitted every 90 days
    once the firm has 180 days of history and 300 repeat buyers — before that the dropout part of
    the model is not identified and the recency score is used; ``recency``: days since last order /
    lapse_days, capped at 1; ``model``: the churn probability of a model the firm fits on its observed
    data (:class:`ChurnModelSpec`, ``model``; :mod:`sim.world.firm_models`); ``health``: 1 - the
    health score / 100 of :func:`sim.analysis.churn.health_score` on observed features);
    ``winback``: customers with no order for ``lapse_days``;
    ``renewal_reminder``: ``delay_days`` before each subscriber's next renewal
    (:class:`RenewalReminder`, C3); ``holiday``: every acquired customer on fixed calendar dates
    (:class:`HolidayTrigger`, C4). A use-cycle reminder (C5: "time to restock") is the
    ``post_order`` trigger with ``delay_days`` set to the product's use cycle.

    A trigger with ``variants`` sends each contact with one of them: a fixed ``split`` (sticky per
    customer: an A/B test) or ``allocation: thompson`` (a bandit learning from the observed
    ``reward`` of its earlier contacts). A variant may override the channel and offer and names its
    message levels (``send_time``, ``copy``, ``image``) whose hidden effects the scenario's
    ``messaging`` section holds."""

    post_order: Trigger = Field(default_factory=Trigger)
    post_complaint: Trigger = Field(default_factory=Trigger)
    birthday: Trigger = Field(default_factory=Trigger)
    anniversary: Trigger = Field(default_factory=Trigger)
    churn_risk: Trigger = Field(default_factory=Trigger)
    winback: Trigger = Field(default_factory=Trigger)
    renewal_reminder: RenewalReminder = Field(default_factory=RenewalReminder)
    holiday: HolidayTrigger = Field(default_factory=HolidayTrigger)
