"""Policy levers, part two: programmes and service — loyalty membership (:mod:`sim.config.policy_loyalty`,
re-exported here), service levers (shifts,
follow-up, bot deflection, basic service per tier), onboarding, the bad-review alert and the budget
(:class:`~sim.config.policy.Policy` holds them; the world side is ``sim/world/firm.py``).

Examples
--------
>>> Onboarding().enabled, BadReviewAlert().threshold
(False, 0.05)
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel, check_shares
from sim.config.limits import (
    MAX_AGENTS,
    MAX_DEPARTMENT_NAME,
    MAX_TOTAL_MONEY,
    Effect,
    Probability,
    Real,
    Share,
    Whole,
    short,
)
from sim.config.policy_contacts import Days, Hours, Period, UnitMoney
from sim.config.policy_loyalty import CheckIn, Loyalty, LoyaltyTier, ReferralBonus, SpendRanking
from sim.schema import CAUSES, POTS, SEVERITIES

__all__ = [
    "LoyaltyTier",
    "Loyalty",
    "CheckIn",
    "ReferralBonus",
    "SpendRanking",
    "Shift",
    "FollowUp",
    "BotDeflection",
    "Department",
    "ServiceProcess",
    "EmergencyTeam",
    "KnowledgeBase",
    "Service",
    "Onboarding",
    "NegativeAnswer",
    "BadReviewAlert",
    "Alerts",
    "Budget",
]


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


class Department(StrictModel):
    """A back-office department: its own agents (round the clock, the firm's own, not scaled with the
    customer base) and mean handling time."""

    agents: Whole = Field(default=1, ge=1, le=MAX_AGENTS, description="agents on duty around the clock")
    mean_h: Hours = Field(default=2.0, description="mean handling time in hours")


def _default_departments() -> dict[str, Department]:
    return {
        "technical": Department(agents=1, mean_h=2.5),
        "service": Department(agents=1, mean_h=1.5),
        "billing": Department(agents=1, mean_h=1.5),
        "communications": Department(agents=1, mean_h=1.0),
    }


def _default_routing() -> dict[str, str]:
    return {"product": "technical", "service": "service", "price": "billing", "communication": "communications"}


class ServiceProcess(StrictModel):
    """Multi-stage complaint process (CP4, CP5): the front desk triages (the first response, mean
    ``triage_h``), then the ticket queues at the department its cause is routed to, whose agents
    resolve it (mean ``mean_h`` of that department; follow-up: ``follow_up``).

    Examples
    --------
    >>> ServiceProcess().routing["price"]
    'billing'
    """

    enabled: bool = False
    triage_h: Hours = Field(default=0.25, description="mean triage time at the front desk (hours)")
    departments: dict[str, Department] = Field(default_factory=_default_departments, max_length=50)
    routing: dict[str, str] = Field(default_factory=_default_routing)

    @model_validator(mode="after")
    def _routes(self) -> ServiceProcess:
        for name in self.departments:
            if not name.strip() or len(name) > MAX_DEPARTMENT_NAME:
                raise ValueError(
                    f"departments: name {short(name)} must have 1 to {MAX_DEPARTMENT_NAME} characters, not blank"
                )
        unknown = [c for c in self.routing if c not in CAUSES]
        if unknown:
            raise ValueError(f"routing names unknown cause(s) {short(unknown)}; allowed: {list(CAUSES)}")
        bad = sorted({d for d in self.routing.values() if d not in self.departments})
        if bad:
            raise ValueError(
                f"routing sends tickets to unknown department(s) {short(bad)}; known: {short(list(self.departments))}"
            )
        if self.enabled:
            missing = [c for c in CAUSES if c not in self.routing]
            if missing:
                raise ValueError(f"routing has no department for cause(s) {missing}; route every one of {list(CAUSES)}")
        return self


class EmergencyTeam(StrictModel):
    """A P0 response team outside the queue (CP1): P0 tickets go to it, a team agent starts
    ``start_h`` after the ticket opens (or when one is free), handling time mean ``mean_h``."""

    enabled: bool = False
    agents: Whole = Field(default=2, ge=1, le=MAX_AGENTS, description="agents on call")
    start_h: Hours = Field(default=0.25, description="hours from opening until the team starts")
    mean_h: Hours = Field(default=2.0, description="mean handling time in hours")


class KnowledgeBase(StrictModel):
    """A knowledge base that shortens handling with experience (CP12, TM5): handling time x
    :func:`~sim.world.model.knowledge_base_factor` of the tickets of the same cause resolved so far."""

    enabled: bool = False
    max_reduction: Probability = Field(default=0.3, description="largest share of handling time saved")
    half_tickets: Real = Field(default=200.0, gt=0.0, le=1e9, description="tickets of a cause for half the saving")


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
    process: ServiceProcess = Field(default_factory=ServiceProcess)
    emergency_team: EmergencyTeam = Field(default_factory=EmergencyTeam)
    knowledge_base: KnowledgeBase = Field(default_factory=KnowledgeBase)
    auto_detect: Probability = Field(
        default=0.0,
        description="share of orders with a quality issue the firm's monitoring detects, opening a ticket itself (CP3)",
    )
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
