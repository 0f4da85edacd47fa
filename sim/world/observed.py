"""What the firm sees: the :class:`FirmPort` interface, its fast-engine :class:`Observed`, and :class:`FirmView` tables.

The simulator keeps the world (latent truth) and the firm's observations apart. The firm
(:mod:`sim.world.firm`) talks to a world only through a :class:`FirmPort`: observed values (as
copies or plain values) and the firm's actions. :class:`Observed` is the fast engine's port; the
world calls the firm back through :class:`FirmHooks` (see :meth:`sim.world.engine.World.attach_firm`).
A table-level :class:`FirmView` holds the observed tables without ``true_*`` columns or latent
events. Asking any of them for ground truth raises :class:`sim.errors.LatentAccessError`.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import LatentAccessError
from sim.schema import LATENT_EVENTS, LATENT_PREFIX, LATENT_TABLES, TABLE_NAMES, observed_columns
from sim.world.engine import FirmHooks, World
from sim.world.firm_port import FirmPort
from sim.world.table_frames import empty_table
from sim.world.tables import build_tables

__all__ = ["FirmPort", "FirmHooks", "Observed", "FirmView"]


class _ObservedFrame(pd.DataFrame):
    """A DataFrame that explains, instead of a bare KeyError, why ``true_*`` columns are absent."""

    @property
    def _constructor(self):  # pandas subclassing protocol
        return _ObservedFrame

    def __getitem__(self, key: Any) -> Any:
        keys = key if isinstance(key, list) else [key]
        for k in keys:
            if isinstance(k, str) and k.startswith(LATENT_PREFIX):
                raise LatentAccessError(
                    f"{k!r} is ground truth the firm cannot observe; policies and firm-facing code "
                    "only see observed columns (see sim.schema)"
                )
        return super().__getitem__(key)


@dataclass(frozen=True)
class FirmView:
    """What the firm can see: the observed tables, without latent columns, latent events or latent tables.

    A latent table (``snapshots``, ``uplift``: :data:`sim.schema.LATENT_TABLES`) is dropped as a whole: the view
    holds it without rows or columns (its columns are all ground truth; asking for one explains
    why it is absent). The tables are copies: no array in them is, or is a view of, an array of the full tables or
    of a world. Every policy decides from a ``FirmView`` only. Asking one of its tables for a ``true_*``
    column raises :class:`LatentAccessError`.
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    events: pd.DataFrame
    tiers: pd.DataFrame
    points: pd.DataFrame
    contacts: pd.DataFrame
    funnel: pd.DataFrame
    snapshots: pd.DataFrame
    uplift: pd.DataFrame

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> FirmView:
        """Strip latent columns, events and tables from full tables (a table not given is empty)."""
        out: dict[str, pd.DataFrame] = {}
        for name in TABLE_NAMES:
            if name in LATENT_TABLES:  # no row and no column of it is observed
                out[name] = _ObservedFrame()
                continue
            df = tables[name] if name in tables else empty_table(name)
            df = df[observed_columns(name)]
            if name == "events":
                df = df[~df["event"].isin(LATENT_EVENTS)].reset_index(drop=True)
            # a deep copy: fresh blocks holding observed columns only (a column selection may
            # still be a view of the full table's blocks, latent columns included)
            out[name] = _ObservedFrame(df.copy(deep=True))
        return cls(**out)

    def __getattr__(self, name: str) -> Any:
        if name.startswith(LATENT_PREFIX):
            raise LatentAccessError(f"{name!r} is ground truth; the firm's view has no latent data")
        raise AttributeError(name)


class _Records:
    """The firm's own copies of what it has observed: fed by the world, holding no world object.

    The world writes into it (:meth:`sim.world.engine.World.feed`) at each acquisition, order,
    opened ticket and opt-out; the port answers every read from it. Only plain values are stored,
    and the order columns live in the records' own buffers (copied again when handed out).
    """

    __slots__ = ("n_paid", "paid", "referred", "consent", "birth_month", "opted_out",
                 "o_cust", "o_t", "o_amount", "ticket_customer")  # fmt: skip

    def __init__(self, n_paid: int) -> None:
        self.n_paid = n_paid
        self.paid: list[int] = []  # paid customers who arrived (a prospect deterred by word of mouth never does)
        self.referred: list[int] = []
        self.consent: dict[int, bool] = {}
        self.birth_month: dict[int, int] = {}
        self.opted_out: set[int] = set()
        self.o_cust = array("q")
        self.o_t = array("d")
        self.o_amount = array("d")
        self.ticket_customer = array("q")

    def acquired(self, i: int, consent: bool, birth_month: int) -> None:
        """Customer ``i`` signed up (paid customers arrive in index order, referred ones after them)."""
        (self.paid if i < self.n_paid else self.referred).append(i)
        self.consent[i] = bool(consent)
        self.birth_month[i] = int(birth_month)

    def orders_upto(self, oid: int, customer: array, t: array, amount: array) -> None:
        """Copy the world's order log up to order ``oid`` (an order placed during another, e.g. a
        referral's first order, is logged after it but reported first)."""
        n = len(self.o_t)
        if n <= oid:
            self.o_cust.extend(customer[n : oid + 1])
            self.o_t.extend(t[n : oid + 1])
            self.o_amount.extend(amount[n : oid + 1])

    def ticket(self, tid: int, customer: int) -> None:
        """Ticket ``tid`` opened by customer ``customer`` (``-1``: none)."""
        tc = self.ticket_customer
        while len(tc) < tid:  # not expected: every ticket is reported as it opens
            tc.append(-1)
        if len(tc) == tid:
            tc.append(customer)

    def opt_out(self, i: int) -> None:
        """Customer ``i`` opted out of contacts."""
        self.opted_out.add(i)


class _Channel:
    """The port's one live capability: carry out the firm's actions, read the clock, build tables.

    Its members are the world's action handlers (so the firm's decisions take effect at once, as
    in a real CRM's API); everything they return is a plain value or a fresh copy.
    """

    __slots__ = ("now", "deliver", "set_membership", "record_tier", "log_event", "tables",
                 "set_basic_service", "onboard", "remind_renewal", "surveys_from", "plan_period",
                 "contact_outcome", "holdout", "set_programme", "credit_points", "announce_referral_bonus")  # fmt: skip

    def __init__(self, world: World) -> None:
        env, a = world.env, world.actions
        self.now: Callable[[], float] = lambda: env.now
        self.deliver = _with_follow_up(world, a.deliver)
        self.set_membership = a.set_membership
        self.record_tier = a.record_tier
        self.log_event = a.log_event
        self.set_basic_service = a.set_basic_service
        self.onboard = a.onboard
        self.remind_renewal = a.remind_renewal
        self.holdout = a.holdout
        prog = world.programme  # chapter 09: the loyalty programme's rules, points and bonus (sim.world.loyalty)
        self.set_programme = prog.set_programme
        self.credit_points = prog.credit
        self.announce_referral_bonus = prog.announce_referral_bonus
        self.surveys_from = _survey_reader(world)
        self.plan_period = _plan_reader(world)
        self.contact_outcome = _contact_outcome_reader(world)
        self.tables: Callable[[], dict[str, pd.DataFrame]] = lambda: build_tables(
            world.customers, world.logs, world.sc, env.now, world.complaints.sla_h
        )


class Observed:
    """The fast engine's :class:`FirmPort`: the firm's window on a :class:`~sim.world.engine.World`.

    The port keeps its own records of what the firm has observed (acquisitions with consent and
    birth month, orders, ticket owners, opt-outs), copied from the world when the port is made
    and fed by the world afterwards; reads answer from those records with plain values or fresh
    copies, so nothing the firm holds is a view of the world's buffers, and no attribute of the
    port is a world object. Actions go to the world through one channel. Anything else — latent
    purchase rates, the alive flag, satisfaction, the world itself — is refused with
    :class:`~sim.errors.LatentAccessError`, and the port cannot be written to.

    Parameters
    ----------
    world : World

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> w = World(env, sim.Scenario.load("baseline"), 10, 30.0, Streams(0), 1)
    >>> w.start(); env.run(until=30.0)
    >>> obs = Observed(w)
    >>> obs.now, obs.horizon, obs.start_date
    (30.0, 30.0, datetime.date(2025, 1, 1))
    >>> i = obs.acquired()[0]
    >>> isinstance(obs.consent(i), bool), list(obs.order_frame().columns)
    (True, ['i', 't', 'amount'])
    >>> obs.alive
    Traceback (most recent call last):
    ...
    sim.errors.LatentAccessError: 'alive' is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only
    """

    __slots__ = ("_records", "_channel", "_horizon", "_start_date")

    def __init__(self, world: World) -> None:
        init = object.__setattr__
        init(self, "_records", _snapshot(world))
        init(self, "_channel", _Channel(world))
        init(self, "_horizon", float(world.horizon))
        init(self, "_start_date", world.sc.start_date)
        world.feed(self._records)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # Python protocol probes (copy, pickle, ...): plain absence
            raise AttributeError(name)
        raise LatentAccessError(
            f"{name!r} is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the firm cannot change the world's state directly; use its actions")

    # observations ------------------------------------------------------------
    @property
    def now(self) -> float:
        """Simulation clock (days)."""
        return self._channel.now()

    @property
    def horizon(self) -> float:
        """Last day of the run (days)."""
        return self._horizon

    @property
    def start_date(self) -> dt.date:
        """Calendar date of day 0."""
        return self._start_date

    def acquired(self) -> list[int]:
        """Indices of the customers acquired so far (a new list: paid ones, then referred ones)."""
        r = self._records
        return r.paid + r.referred

    def consent(self, i: int) -> bool:
        """Whether customer ``i`` consented to marketing contacts at sign-up."""
        return self._records.consent[i]

    def opted_out(self, i: int) -> bool:
        """Whether customer ``i`` has opted out since."""
        return i in self._records.opted_out

    def birth_month(self, i: int) -> int:
        """Customer ``i``'s birth month (1-12), as given at sign-up."""
        return self._records.birth_month[i]

    def order_amount(self, oid: int) -> float:
        """Amount of order ``oid`` (currency)."""
        return self._records.o_amount[oid]

    def ticket_customer(self, tid: int) -> int:
        """Customer index of ticket ``tid`` (-1 for a ticket without a customer)."""
        return self._records.ticket_customer[tid]

    def order_frame(self) -> pd.DataFrame:
        """Orders so far (a copy): columns ``i`` (customer index), ``t`` (days), ``amount``."""
        r = self._records
        return pd.DataFrame(
            {
                "i": np.array(r.o_cust, dtype=np.int64),
                "t": np.array(r.o_t, dtype=float),
                "amount": np.array(r.o_amount, dtype=float),
            }
        )

    def survey_frame(self, start: int = 0) -> pd.DataFrame:
        """Survey answers observed so far, from the ``start``-th on (a copy, in the order they came
        in): columns ``i`` (customer index), ``t`` (days), ``instrument`` (``csat``, ``ces``,
        ``nps``), ``score``. ``start`` = the number of answers already read: only the new ones."""
        who, t, instrument, score = self._channel.surveys_from(start)
        return pd.DataFrame(
            {
                "i": np.array(who, dtype=np.int64),
                "t": np.array(t, dtype=float),
                "instrument": np.array(instrument, dtype=object),
                "score": np.array(score, dtype=np.int64),
            }
        )

    def plan_period(self, i: int) -> float:
        """Days between two payments of customer ``i``'s subscription plan (chosen at sign-up,
        observed); NaN for a customer without a plan."""
        return self._channel.plan_period(i)

    def contact_outcome(self, cid: int) -> tuple[bool, bool, bool]:
        """Observed outcome of contact ``cid`` (its index, as :meth:`deliver` returns it): opened,
        clicked, converted (an immediate order) — what a CRM logs as the contact goes out."""
        return self._channel.contact_outcome(cid)

    def view(self) -> FirmView:
        """Observed tables up to now (copies, no latent columns), e.g. for scoring by hand."""
        return FirmView.from_tables(self._channel.tables())

    # actions ---------------------------------------------------------------
    def deliver(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact (the firm has checked consent and budget); returns the contact index."""
        return self._channel.deliver(i, campaign, channel, offer, variant, extra_boost)

    def set_membership(self, i: int, tier: Any) -> None:
        """Grant customer ``i`` a loyalty level (a ``Policy.loyalty.tiers`` entry)."""
        self._channel.set_membership(
            i, tier.name, tier.rate_uplift, tier.discount, tier.priority_service, tier.upgrade_boost, tier.dropout_shift
        )

    def clear_membership(self, i: int) -> None:
        """Take customer ``i``'s loyalty level away."""
        self._channel.set_membership(i, "none", 0.0, 0.0, False, 0.0, 0.0)

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment (the ``tiers`` table)."""
        self._channel.record_tier(i, tier, score)

    def event(self, i: int, kind: str, detail: str) -> None:
        """Log an observed event (``budget_skip`` ...); latent event kinds are refused."""
        if kind.startswith(LATENT_PREFIX):
            raise LatentAccessError("the firm cannot log latent events")
        self._channel.log_event(i, kind, detail)

    def set_basic_service(self, i: int, basic: bool) -> None:
        """Put customer ``i`` in (``True``) or out of basic service: their tickets queue behind
        everyone else's (the firm's tiering decides who; the world never sees the tier)."""
        self._channel.set_basic_service(i, bool(basic))

    def onboard(self, i: int, channel: str, satisfaction_boost: float, dropout_shift: float, until: float) -> int:
        """Send a welcome contact (the firm has checked consent and budget); if opened, the
        customer's dropout log-odds are lowered by ``dropout_shift`` until day ``until`` (once).
        Returns the contact index."""
        return self._channel.onboard(i, channel, satisfaction_boost, dropout_shift, until)

    def remind_renewal(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str, renewal_shift: float
    ) -> int:
        """Send a renewal reminder (the firm has checked consent and budget); if opened,
        ``renewal_shift`` is added to the cancellation log-odds at the customer's next renewal.
        Returns the contact index."""
        return self._channel.remind_renewal(i, campaign, channel, offer, variant, renewal_shift)

    def holdout(self, i: int, campaign: str) -> None:
        """Hold customer ``i`` out of campaign ``campaign`` (a ``Policy.campaigns`` name): an observed
        ``holdout`` event (detail: the campaign's name); no contact is sent."""
        self._channel.holdout(i, campaign)

    def set_programme(self, loyalty: Any) -> None:
        """Publish the loyalty programme's rules (a ``Policy.loyalty``) to customers: points rate,
        tier thresholds, ledger, check-in points, ranking (the firm calls it at the start and at a
        phase switch)."""
        self._channel.set_programme(loyalty)

    def credit_points(self, i: int, points: float, kind: str) -> None:
        """Credit ``points`` to customer ``i``'s balance (a ``points`` ledger row of ``kind``, e.g. ``ranking``)."""
        self._channel.credit_points(int(i), float(points), kind)

    def announce_referral_bonus(self, multiplier: float) -> None:
        """Announce the referral-reward multiplier from now on (1.0: the bonus window ends)."""
        self._channel.announce_referral_bonus(float(multiplier))


def _with_follow_up(world: World, deliver: Callable[..., int]) -> Callable[..., int]:
    """``deliver``, and with ``complaints.acceptance`` on: after a ``follow_up`` contact, the
    customer is asked whether they accept the resolution (:meth:`sim.world.complaints.Complaints.follow_up_call`)."""
    complaints = world.complaints
    if complaints.acceptance is None:
        return deliver
    env, ask = world.env, complaints.follow_up_call

    def deliver_and_ask(i: int, campaign: str, *args: Any, **kwargs: Any) -> int:
        cid = deliver(i, campaign, *args, **kwargs)
        if campaign == "follow_up":
            ask(i, env.now)
        return cid

    return deliver_and_ask


def _survey_reader(world: World) -> Callable[[int], tuple[list[int], list[float], list[str], list[int]]]:
    """``read(start)``: copies of the survey log's answers from the ``start``-th on (customer,
    time, instrument, score)."""
    log = world.logs.surveys

    def read(start: int) -> tuple[list[int], list[float], list[str], list[int]]:
        k = max(int(start), 0)
        return log.customer[k:].tolist(), log.t[k:].tolist(), log.instrument[k:], log.score[k:].tolist()

    return read


def _contact_outcome_reader(world: World) -> Callable[[int], tuple[bool, bool, bool]]:
    """``outcome(cid)``: contact ``cid``'s observed (opened, clicked, converted) flags, as plain bools."""
    log = world.logs.contacts

    def outcome(cid: int) -> tuple[bool, bool, bool]:
        return bool(log.opened[cid]), cid in log.clicked, bool(log.converted[cid])

    return outcome


def _plan_reader(world: World) -> Callable[[int], float]:
    """``period(i)``: the period (days) of customer ``i``'s subscription plan, NaN without one."""
    sub = world.sc.subscription
    if not sub.enabled:
        return lambda i: math.nan
    periods = [float(plan.period_days) for plan in sub.plans.values()]
    plan = world.customers.plan

    def period(i: int) -> float:
        k = plan[i]
        return periods[k] if k >= 0 else math.nan

    return period


def _snapshot(world: World) -> _Records:
    """The firm's records of everything observed in ``world`` so far (copies of plain values)."""
    c, orders, tickets = world.customers, world.logs.orders, world.tickets
    rec = _Records(c.n_paid)
    for i in c.acquired():
        rec.acquired(i, c.consent[i], c.birth_month[i])
        if c.opted_out[i]:
            rec.opt_out(i)
    rec.o_cust.extend(orders.customer)
    rec.o_t.extend(orders.t)
    rec.o_amount.extend(orders.amount)
    rec.ticket_customer.extend(tickets.customer)
    return rec
