"""The fast engine's world: one SimPy environment wiring customers, logs, desk and mechanisms.

:class:`World` owns no behaviour of its own. It draws the population, creates the state
(:class:`~sim.world.state.Customers`) and the logs (:class:`~sim.world.logs.Logs`), builds the
mechanisms and connects them:

====================  ==========================================================================
``lifecycle``         :class:`~sim.world.lifecycle.Lifecycle`: acquisition, orders, dropout, referral, churn
``complaints``        :class:`~sim.world.complaints.Complaints`: tickets, the service desk, the reaction
``surveys``           :class:`~sim.world.surveys.Surveys`: post-purchase, post-ticket, relationship
``actions``           :class:`~sim.world.actions.FirmActions`: what the firm's decisions do
``market``            :class:`~sim.world.market.Market`: scheduled market events
``snapshots``         :class:`~sim.world.snapshots.Snapshots`: latent satisfaction snapshots (or None)
``programme``         :class:`~sim.world.loyalty.Programme`: the loyalty points ledger and customers' responses
====================  ==========================================================================

The firm reaches the world only through :class:`sim.world.observed.Observed` (a
:class:`~sim.world.observed.FirmPort`); the world calls the firm back through the
:class:`FirmHooks` it was given by :meth:`World.attach_firm`.

Examples
--------
>>> import simpy, sim
>>> from sim.world.rng import Streams
>>> env = simpy.Environment()
>>> w = World(env, sim.Scenario.load("baseline"), 100, 365.0, Streams(0), agents=1)
>>> w.start()
>>> env.run(until=365.0)
>>> len(w.customers) >= 100, len(w.logs.orders) > 100
(True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import simpy

from sim.config.scenario import Scenario
from sim.world.actions import FirmActions
from sim.world.complaints import Complaints
from sim.world.desk import ServiceDesk, TicketLog
from sim.world.lifecycle import Lifecycle
from sim.world.logs import Logs
from sim.world.loyalty import Programme
from sim.world.market import Market
from sim.world.model import satisfaction_decay_rate
from sim.world.population import draw_population
from sim.world.rng import Streams
from sim.world.snapshots import Snapshots
from sim.world.state import Customers
from sim.world.surveys import Surveys

if TYPE_CHECKING:
    from sim.config.policy import Policy

__all__ = ["World", "FirmHooks"]


class FirmHooks(Protocol):
    """What a world calls on its firm (either engine): the firm's side of the firm-world interface.

    Customer ``i``, order ``oid`` and ticket ``tid`` are 0-based indices; ``now`` is in days.
    """

    def on_acquired(self, i: int, now: float) -> None:
        """Customer ``i`` was acquired (their first order follows at once)."""
        ...

    def on_order(self, i: int, oid: int, now: float) -> None:
        """Customer ``i`` placed order ``oid``."""
        ...

    def on_ticket_opened(self, tid: int, now: float) -> None:
        """Ticket ``tid`` was opened."""
        ...

    def on_ticket_resolved(self, tid: int, now: float) -> None:
        """Ticket ``tid`` was resolved."""
        ...


class World:
    """One simulated customer base and its service desk, living in ``env``.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
    customers : int
        Paid customers acquired over the horizon (referred customers come on top).
    horizon : float
        Days simulated.
    streams : Streams
        The run's random streams.
    agents : int
        Agents on the desk (per reference-sized team with a ``share``).
    policy : Policy, optional
        Its service levers and loyalty points act inside the world even without a firm; its
        decisions are the firm's (:meth:`attach_firm`).
    share : float, optional
        Reference desks the firm staffs (:func:`~sim.world.model.desk_share`); ``None``: one desk.

    Attributes
    ----------
    customers : Customers
    logs : Logs
    tickets : TicketLog
        ``logs.tickets``.
    desk : ServiceDesk
    lifecycle, complaints, surveys, actions, market, snapshots, programme
        The mechanisms (see the module docstring).
    firm : FirmHooks or None
        The attached firm.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.rng import Streams
    >>> w = World(simpy.Environment(), sim.Scenario.load("baseline"), 10, 30.0, Streams(0), 1)
    >>> len(w.customers), w.customers.acquired(), w.firm is None
    (10, [], True)
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        customers: int,
        horizon: float,
        streams: Streams,
        agents: int,
        policy: Policy | None = None,
        share: float | None = None,
    ) -> None:
        self.env = env
        self.sc = sc
        self.horizon = horizon
        self.streams = streams
        self.policy = policy
        self.firm: FirmHooks | None = None
        self._feeds: list[Any] = []  # the records of the firm's ports (World.feed)
        loyalty = policy.loyalty if policy is not None and policy.loyalty.enabled else None
        points_rate = loyalty.points_per_currency if loyalty is not None else 0.0

        pop = draw_population(sc, customers, horizon, streams)
        self.customers: Customers = Customers(pop, satisfaction_decay_rate(sc.satisfaction.half_life_days))
        self.logs: Logs = Logs()
        self.tickets: TicketLog = self.logs.tickets
        self.surveys = Surveys(env, sc, self.customers, self.logs.surveys, streams, self.tickets.cause)
        snap_days = sc.satisfaction.snapshot_days
        self.snapshots: Snapshots | None = (
            Snapshots(env, self.customers, self.logs.snapshots, snap_days, sc.satisfaction.enabled)
            if snap_days > 0.0
            else None
        )
        self.lifecycle = Lifecycle(env, sc, horizon, self.customers, self.logs, streams, points_rate)
        self.complaints = Complaints(
            env, sc, policy, self.customers, self.tickets, self.lifecycle, self.surveys, streams, agents, share
        )
        self.actions = FirmActions(env, sc, policy, self.customers, self.logs, self.lifecycle, streams)
        self.market = Market(env, self.customers, self.lifecycle, self.complaints, streams)
        self.desk: ServiceDesk = self.complaints.desk
        # an order may raise a ticket and a survey
        self.lifecycle.complain = self.complaints.complain
        self.lifecycle.post_purchase = self.surveys.purchase_callback()
        #: the loyalty programme's world side (chapter 09; wired into the hooks only when it needs them)
        self.programme = Programme(
            env, sc, policy, self.customers, self.logs, self.lifecycle, streams, rewire=self._wire
        )
        if self.programme.wired:
            self._wire()

    def attach_firm(self, firm: FirmHooks) -> None:
        """Call ``firm`` back on every acquisition, order, opened and resolved ticket from now on.

        Examples
        --------
        >>> import simpy, sim
        >>> from sim.world.rng import Streams
        >>> class Counter:
        ...     orders = 0
        ...     def on_acquired(self, i, now): pass
        ...     def on_order(self, i, oid, now): self.orders += 1
        ...     def on_ticket_opened(self, tid, now): pass
        ...     def on_ticket_resolved(self, tid, now): pass
        >>> env = simpy.Environment()
        >>> w = World(env, sim.Scenario.load("baseline"), 50, 90.0, Streams(0), 1)
        >>> w.attach_firm(counter := Counter())
        >>> w.start(); env.run(until=90.0)
        >>> counter.orders == len(w.logs.orders)
        True
        """
        if self.firm is not None:
            raise ValueError("this world already has a firm")
        self.firm = firm
        self._wire()

    def feed(self, records: Any) -> None:
        """From now on, write what the firm observes into ``records`` (a port's own copies).

        ``records`` gets ``acquired(i, consent, birth_month)``, ``orders_upto(oid, customer, t,
        amount)`` (it copies the order log up to ``oid``), ``ticket(tid, customer)`` and
        ``opt_out(i)`` calls; the world keeps the reference,
        the records never hold one to the world (see :class:`sim.world.observed.Observed`).
        """
        self._feeds.append(records)
        self._wire()

    def _wire(self) -> None:
        """Connect the mechanisms' hooks to the fed records, then to the firm."""
        firm, feeds, lc, cp = self.firm, tuple(self._feeds), self.lifecycle, self.complaints
        cp.on_ticket_resolved = firm.on_ticket_resolved if firm is not None else None
        prog = self.programme if self.__dict__.get("programme") is not None and self.programme.wired else None
        if not feeds:
            if firm is not None:
                lc.on_acquired, lc.on_order = firm.on_acquired, firm.on_order
                cp.on_ticket_opened = firm.on_ticket_opened
            if prog is not None:  # the programme's ledger and responses come first (sim.world.loyalty)
                lc.on_acquired, lc.on_order = prog.chain(lc.on_acquired, lc.on_order)
            return
        c, orders, tickets = self.customers, self.logs.orders, self.tickets
        consent, birth, t_cust = c.consent, c.birth_month, tickets.customer
        o_cust, o_t, o_amount = orders.customer, orders.t, orders.amount
        f_acquired = firm.on_acquired if firm is not None else None
        f_order = firm.on_order if firm is not None else None
        f_ticket = firm.on_ticket_opened if firm is not None else None

        def on_acquired(i: int, now: float) -> None:
            for r in feeds:
                r.acquired(i, consent[i], birth[i])
            if f_acquired is not None:
                f_acquired(i, now)

        def on_order(i: int, oid: int, now: float) -> None:
            for r in feeds:
                r.orders_upto(oid, o_cust, o_t, o_amount)
            if f_order is not None:
                f_order(i, oid, now)

        def on_ticket_opened(tid: int, now: float) -> None:
            for r in feeds:
                r.ticket(tid, t_cust[tid])
            if f_ticket is not None:
                f_ticket(tid, now)

        def on_opt_out(i: int) -> None:
            for r in feeds:
                r.opt_out(i)

        lc.on_acquired, lc.on_order, cp.on_ticket_opened = on_acquired, on_order, on_ticket_opened
        if prog is not None:
            lc.on_acquired, lc.on_order = prog.chain(lc.on_acquired, lc.on_order)
        self.actions.on_opt_out = on_opt_out

    def start(self) -> None:
        """Schedule the world's processes: market events, acquisitions, relationship surveys."""
        for ev in self.sc.market_events:
            self.env.process(self.market.process(ev))
        self.lifecycle.start_acquisition()
        if self.sc.surveys.enabled:
            self.env.process(self.surveys.relationship())
        if self.snapshots is not None:
            self.env.process(self.snapshots.process())
