"""What is remembered: the reference world's customers, tickets, observed logs and dice; the firm's own records.

Plain dataclasses and named tuples, one field per fact, so that a reader can see at a glance
what is latent (the customer's traits and satisfaction, never shown to the firm) and what is
observed (the rows of the seven tables of :mod:`sim.schema`). :class:`FirmRecords` are the
firm's own copies of what it has observed, written by the world as things happen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import simpy

from sim.world.counterfactual import UpliftLog
from sim.world.rng import Streams

__all__ = [
    "Customer",
    "Ticket",
    "Offer",
    "OrderRow",
    "SurveyRow",
    "EventRow",
    "TierRow",
    "ContactRow",
    "SnapshotRow",
    "Logs",
    "Dice",
    "FirmRecords",
]


@dataclass
class Offer:
    """A discount the customer may still redeem on an order placed by ``expires_t`` (days)."""

    discount: float
    expires_t: float
    campaign: str


@dataclass
class Customer:
    """One customer: latent traits (the firm never sees them) and their state now.

    ``index`` is 0-based; the tables show ``customer_id = index + 1``.
    """

    index: int
    acquired_t: float
    channel: str
    cac: float
    consent: bool
    birth_month: int
    # latent traits (BG/NBD, Gamma-Gamma, satisfaction)
    lam: float  #: base purchase rate lambda_i ~ Gamma(r, alpha), orders per day
    p: float  #: base dropout probability p_i ~ Beta(a, b)
    nu: float  #: spend rate nu_i ~ Gamma(q, gamma); order values ~ Gamma(p, nu_i)
    s0: float  #: satisfaction at acquisition, the level it relaxes back to
    # state
    acquired: bool = False
    s: float = math.nan  #: satisfaction right after the last experience ...
    s_t: float = math.nan  #: ... and when that experience happened (days)
    alive: bool = True
    churn_t: float = math.nan
    churn_reason: str = ""
    s_at_churn: float = math.nan
    last_bad_cause: str = ""  #: "product" or "service": what a dropout may be blamed on
    # membership of the firm's loyalty programme (multiplier 1 and shift 0: not a member)
    rate_multiplier: float = 1.0
    member_dropout_shift: float = 0.0
    member_discount: float = 0.0
    priority_service: bool = False
    # contacts
    opted_out: bool = False
    contact_times: list[float] = field(default_factory=list)
    pending_offer: Offer | None = None
    # lifecycle mechanisms (sim.config.mechanisms; these defaults when a mechanism is off)
    archetype: int = -1  #: latent archetype, index into sim.schema.ARCHETYPES
    business: bool = False  #: a business (B2B) account (observed)
    rate_factor: float = 1.0  #: the archetype's purchase-rate factor
    offer_mult: float = 1.0  #: the archetype's offer response
    service_mult: float = 1.0  #: the archetype's service sensitivity
    value_mult: float = 1.0  #: order-value factor of a business account
    pref: tuple[float, ...] | None = None  #: latent category preferences (catalogue order)
    plan: int = -1  #: subscription plan index
    theta: float = math.nan  #: sBG cancellation probability at each renewal
    next_renewal: float = math.nan  #: when the next payment is due (days)
    renew_shift: float = 0.0  #: an opened reminder's cancellation log-odds shift, used at the next renewal
    reactivated_t: float = math.nan  #: last win-back (days)
    deterred: bool = False  #: a paid prospect word of mouth kept away: never arrives
    # the firm's levers of chapters 03-05
    basic: bool = False  #: in a basic-service tier: tickets queue behind everyone else's
    onboarding_shift: float = 0.0  #: dropout log-odds lowered by an opened welcome contact (in its window)
    # chapter 08: latent channel affinity, log-odds per channel of sim.schema.CHANNELS (None when off)
    affinity: tuple[float, ...] | None = None
    # the customer's SimPy process while they buy (None before acquisition)
    process: simpy.Process | None = None

    def __post_init__(self) -> None:
        self.s = self.s0
        self.s_t = self.acquired_t


@dataclass
class Ticket:
    """One complaint ticket (times in days; targets already converted from hours)."""

    index: int
    customer: int
    order: int  #: order index, -1 for a ticket that is not about an order (outage)
    cause: str
    severity: str
    rank: int  #: 0 for P0 ... 3 for P3: lower is served first
    opened_t: float
    first_response_target: float
    resolution_target: float
    first_response_t: float = math.nan
    resolved_t: float = math.nan
    agent: int = -1
    escalated: bool = False
    bot: bool = False
    breach_felt: bool = False
    # service operations of chapter 06 (these defaults when the mechanisms are off)
    channel: str = ""  #: intake channel ("" without a channel mix; "auto" for a detected issue)
    chaser_of: int = -1  #: a chaser: the index of the ticket it chases (-1: not a chaser)
    reopened_from: int = -1  #: a reopened ticket: the index of the ticket not accepted (-1: none)
    accepted: float = math.nan  #: 1.0 / 0.0: the resolution accepted at the follow-up call; NaN: not asked
    department: str = ""  #: the department that resolved it ("" without the multi-stage process)
    handoff_t: float = math.nan  #: when the front desk handed it to the department (days)
    handle_d: float = math.nan  #: agent time spent on it (days: front desk + department; NaN: no agent yet)

    @property
    def resolved(self) -> bool:
        return not math.isnan(self.resolved_t)


class OrderRow(NamedTuple):
    customer: int
    t: float
    amount: float
    is_first: bool
    discount: float  #: currency paid by the firm
    points: float
    campaign: str
    quality_issue: bool
    category: int = -1  #: main line's category index (catalogue order; -1: no catalogue)
    basket: str = ""  #: categories of all lines, "|"-joined ("" without catalogue)


class SurveyRow(NamedTuple):
    customer: int
    t: float
    touchpoint: str
    instrument: str
    score: int
    ticket: int  #: ticket index, -1 if none
    true_s: float = math.nan  #: latent satisfaction the answer read
    mode: str = "named"
    channel: str = ""  #: "" when channels are not recorded
    comment: str = ""
    reason: str = ""  #: an exit survey's stated churn reason ("" for other instruments)
    true_reason: str = ""  #: the churner's true reason (latent; "" for other instruments)


class EventRow(NamedTuple):
    customer: int
    t: float
    event: str
    detail: str


class TierRow(NamedTuple):
    customer: int
    t: float
    tier: str
    score: float


class ContactRow(NamedTuple):
    customer: int
    t: float
    campaign: str
    channel: str
    variant: str
    cost: float
    opened: bool
    converted: bool
    consent_ok: bool
    clicked: bool = False  #: clicked (nested: a converted contact was clicked)
    send_time: str = ""  #: the variant's message levels ("" unset)
    copy: str = ""
    image: str = ""
    true_open_prob: float = math.nan  #: P(opened) of this contact as sent (latent)
    true_convert_prob: float = math.nan  #: unconditional P(converted) of this contact as sent (latent)
    true_best_convert_prob: float = math.nan  #: the best of the trigger's variants for this customer now (latent)


class SnapshotRow(NamedTuple):
    customer: int
    t: float
    satisfaction: float
    alive: bool


@dataclass
class Logs:
    """The observed records, appended as things happen (the rows of the tables)."""

    orders: list[OrderRow] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    surveys: list[SurveyRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    tiers: list[TierRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    snapshots: list[SnapshotRow] = field(default_factory=list)
    uplift: UpliftLog = field(default_factory=UpliftLog)  #: latent uplift truth (sim.world.reference.uplift)


class Dice:
    """The run's random streams, one NumPy generator per mechanism.

    Each is a named stream of :class:`sim.world.rng.Streams` (prefix ``reference.``), so the
    mechanisms draw independently of each other. The population itself comes from the same
    ``population`` and ``acquisition`` streams the fast engine uses.
    """

    NAMES = (
        "purchase", "spend", "dropout", "quality", "complaint", "churn", "survey", "referral",
        "referral_population", "desk", "bot", "contact", "relationship", "pool",
        "catalogue", "renewal", "wom", "survey_mode", "survey_comment", "survey_exit",
        "ticket_channel", "ticket_chaser", "ticket_acceptance", "ticket_auto",
        "desk_skill", "desk_triage", "desk_department", "desk_emergency",
    )  # fmt: skip

    def __init__(self, streams: Streams) -> None:
        for name in self.NAMES:
            setattr(self, name, streams.generator(f"reference.{name}"))

    purchase: np.random.Generator
    spend: np.random.Generator
    dropout: np.random.Generator
    quality: np.random.Generator
    complaint: np.random.Generator
    churn: np.random.Generator
    survey: np.random.Generator
    referral: np.random.Generator
    referral_population: np.random.Generator
    desk: np.random.Generator
    bot: np.random.Generator
    contact: np.random.Generator
    relationship: np.random.Generator
    pool: np.random.Generator
    catalogue: np.random.Generator  #: an order's main category and basket
    renewal: np.random.Generator  #: cancel or renew at a subscription renewal
    wom: np.random.Generator  #: word of mouth: tells, referrals, deterrence
    survey_mode: np.random.Generator  #: survey modes and channels
    survey_comment: np.random.Generator  #: free-text comments
    survey_exit: np.random.Generator  #: exit surveys: who answers, truthful or not, the reason stated
    ticket_channel: np.random.Generator  #: a ticket's intake channel
    ticket_chaser: np.random.Generator  #: the gaps between chasers
    ticket_acceptance: np.random.Generator  #: acceptance of a resolution at the follow-up call
    ticket_auto: np.random.Generator  #: the firm's monitoring detects a quality issue
    desk_skill: np.random.Generator  #: each agent's latent skill
    desk_triage: np.random.Generator  #: triage times at the front desk (multi-stage process)
    desk_department: np.random.Generator  #: handling times at the departments
    desk_emergency: np.random.Generator  #: handling times of the P0 emergency team


class FirmRecords:
    """What the firm has observed so far: its own copies of plain values, holding no world object.

    The world writes into them as things happen; the port answers every read from them.

    Examples
    --------
    >>> r = FirmRecords(n_paid=2)
    >>> r.acquired(0, True, 5); r.acquired(7, False, 1); r.acquired(1, True, 12, 30.4)  # 7: referred
    >>> r.order(0, 0.0, 12.5); r.ticket(0); r.opt_out(1); r.survey(1, 3.0, "csat", 4)
    >>> r.paid + r.referred, r.order_amount, r.ticket_customer, r.opted_out, r.plan_period
    ([0, 1, 7], [12.5], [0], {1}, {1: 30.4})
    >>> r.survey_customer, r.survey_t, r.survey_instrument, r.survey_score
    ([1], [3.0], ['csat'], [4])
    """

    __slots__ = ("n_paid", "paid", "referred", "consent", "birth_month", "opted_out",
                 "order_customer", "order_t", "order_amount", "ticket_customer", "plan_period",
                 "survey_customer", "survey_t", "survey_instrument", "survey_score")  # fmt: skip

    def __init__(self, n_paid: int) -> None:
        self.n_paid = n_paid
        self.paid: list[int] = []  # paid customers arrive in index order ...
        self.referred: list[int] = []  # ... referred ones get the next index when they arrive
        self.consent: dict[int, bool] = {}
        self.birth_month: dict[int, int] = {}
        self.opted_out: set[int] = set()
        self.order_customer: list[int] = []
        self.order_t: list[float] = []
        self.order_amount: list[float] = []
        self.ticket_customer: list[int] = []
        self.plan_period: dict[int, float] = {}  # subscribers only
        self.survey_customer: list[int] = []
        self.survey_t: list[float] = []
        self.survey_instrument: list[str] = []
        self.survey_score: list[int] = []

    def acquired(self, i: int, consent: bool, birth_month: int, plan_period: float = math.nan) -> None:
        """Customer ``i`` signed up, giving their consent, birth month and (subscribers) their plan's period."""
        (self.paid if i < self.n_paid else self.referred).append(i)
        self.consent[i] = bool(consent)
        self.birth_month[i] = int(birth_month)
        if not math.isnan(plan_period):
            self.plan_period[i] = float(plan_period)

    def order(self, i: int, t: float, amount: float) -> None:
        """Customer ``i`` placed the next order at day ``t``."""
        self.order_customer.append(int(i))
        self.order_t.append(float(t))
        self.order_amount.append(float(amount))

    def ticket(self, i: int) -> None:
        """Customer ``i`` opened the next ticket."""
        self.ticket_customer.append(int(i))

    def opt_out(self, i: int) -> None:
        """Customer ``i`` opted out of contacts."""
        self.opted_out.add(i)

    def survey(self, i: int, t: float, instrument: str, score: int) -> None:
        """Customer ``i`` gave the next survey answer (day ``t``, ``instrument``, ``score``)."""
        self.survey_customer.append(int(i))
        self.survey_t.append(float(t))
        self.survey_instrument.append(str(instrument))
        self.survey_score.append(int(score))
