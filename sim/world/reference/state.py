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


class SurveyRow(NamedTuple):
    customer: int
    t: float
    touchpoint: str
    instrument: str
    score: int
    ticket: int  #: ticket index, -1 if none


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


@dataclass
class Logs:
    """The observed records, appended as things happen (the rows of the tables)."""

    orders: list[OrderRow] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    surveys: list[SurveyRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    tiers: list[TierRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)


class Dice:
    """The run's random streams, one NumPy generator per mechanism.

    Each is a named stream of :class:`sim.world.rng.Streams` (prefix ``reference.``), so the
    mechanisms draw independently of each other. The population itself comes from the same
    ``population`` and ``acquisition`` streams the fast engine uses.
    """

    NAMES = (
        "purchase", "spend", "dropout", "quality", "complaint", "churn", "survey", "referral",
        "referral_population", "desk", "bot", "contact", "relationship", "pool",
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


class FirmRecords:
    """What the firm has observed so far: its own copies of plain values, holding no world object.

    The world writes into them as things happen; the port answers every read from them.

    Examples
    --------
    >>> r = FirmRecords(n_paid=2)
    >>> r.acquired(0, True, 5); r.acquired(7, False, 1); r.acquired(1, True, 12)  # 7: referred
    >>> r.order(0, 0.0, 12.5); r.ticket(0); r.opt_out(1)
    >>> r.paid + r.referred, r.order_amount, r.ticket_customer, r.opted_out
    ([0, 1, 7], [12.5], [0], {1})
    """

    __slots__ = ("n_paid", "paid", "referred", "consent", "birth_month", "opted_out",
                 "order_customer", "order_t", "order_amount", "ticket_customer")  # fmt: skip

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

    def acquired(self, i: int, consent: bool, birth_month: int) -> None:
        """Customer ``i`` signed up, giving their consent and birth month."""
        (self.paid if i < self.n_paid else self.referred).append(i)
        self.consent[i] = bool(consent)
        self.birth_month[i] = int(birth_month)

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
