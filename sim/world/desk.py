"""The service desk: tickets queue by severity, agents serve them non-preemptively.

Design (measured, see ``benchmarks/``): tickets wait in a :class:`simpy.PriorityStore`
(a binary heap keyed by ``(severity rank, arrival sequence)``) and each agent is one SimPy
process that takes the most urgent ticket, records the first response, works on it and
records the resolution. SimPy's ``PriorityResource`` re-sorts its whole queue on every request,
which makes the cost per ticket grow with the backlog; the heap keeps it at O(log n), so an
overloaded desk with thousands of queued tickets costs the same per ticket as an idle one.

With exponential handling times and one severity the desk is an M/M/c queue (Erlang C holds,
see :func:`sim.analysis.queueing.erlang_c_wait`); with several severities and a common
handling-time distribution each class's mean wait follows Cobham's non-preemptive priority
formula (:func:`sim.analysis.queueing.priority_waits`). Both are tested.

Examples
--------
>>> from sim.world.desk import simulate_queue
>>> t = simulate_queue(arrival_rate_h=2.0, agents=3, mean_service_h=1.0, n_tickets=2000, seed=1)
>>> list(t.columns)
['severity', 'opened_h', 'first_response_h', 'resolved_h', 'agent', 'wait_h']
>>> bool((t["wait_h"] >= 0).all())
True
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import simpy
from simpy.events import Timeout

from sim.world.model import (
    HOURS_PER_DAY,
    POOL_SPREAD_DAYS,
    desk_teams,
    gamma_service_parameters,
    lognormal_service_parameters,
    pool_background_per_ticket,
    staffed_agent_days,
    team_weights,
)
from sim.world.rng import Buffered, Streams

__all__ = ["TicketLog", "ServiceDesk", "DeskPool", "ServiceTimeSampler", "simulate_queue", "HOURS_PER_DAY"]


class TicketLog:
    """Struct-of-arrays store of tickets (one list per column).

    The world opens tickets; the desk writes ``first_response``, ``resolved`` and ``agent``
    (``NaN`` / ``-1`` until then). ``customer`` and ``order`` are ``-1`` for a ticket without one.

    Examples
    --------
    >>> log = TicketLog()
    >>> log.open(customer=4, order=17, cause="product", severity=2, now=3.5)
    0
    >>> len(log), log.first_response
    (1, [nan])
    """

    __slots__ = (
        "customer",
        "order",
        "cause",
        "severity",
        "opened",
        "first_response",
        "resolved",
        "agent",
        "escalated",
        "bot",
        "handle",
        "channel",
        "chaser_of",
        "reopened_from",
        "accepted",
        "department",
        "handoff",
    )

    def __init__(self) -> None:
        self.customer: list[int] = []
        self.order: list[int] = []
        self.cause: list[str] = []
        self.severity: list[int] = []
        self.opened: list[float] = []
        self.first_response: list[float] = []
        self.resolved: list[float] = []
        self.agent: list[int] = []
        self.escalated: list[bool] = []
        self.bot: list[bool] = []
        # sparse columns (ticket -> value; absent = the column's default), so a mechanism that is
        # off costs nothing per ticket: agent busy days, intake channel, chased / reopened ticket,
        # acceptance at the follow-up, department and hand-off time of the service process
        self.handle: dict[int, float] = {}
        self.channel: dict[int, str] = {}
        self.chaser_of: dict[int, int] = {}
        self.reopened_from: dict[int, int] = {}
        self.accepted: dict[int, float] = {}
        self.department: dict[int, str] = {}
        self.handoff: dict[int, float] = {}

    def open(self, customer: int, order: int, cause: str, severity: int, now: float) -> int:
        """Append a new ticket and return its index."""
        self.customer.append(customer)
        self.order.append(order)
        self.cause.append(cause)
        self.severity.append(severity)
        self.opened.append(now)
        self.first_response.append(math.nan)
        self.resolved.append(math.nan)
        self.agent.append(-1)
        self.escalated.append(False)
        self.bot.append(False)
        return len(self.opened) - 1

    def __len__(self) -> int:
        return len(self.opened)


class ServiceTimeSampler:
    """Handling times in days for each severity rank, from a buffered random stream.

    Parameters
    ----------
    stream : Buffered
        Per-event random stream (a gamma shape is needed for ``distribution="gamma"``).
    mean_h : sequence of float
        Mean handling time in hours for severity ranks 0..3.
    distribution : {"exponential", "lognormal", "gamma"}
    cv : float
        Coefficient of variation (ignored for the exponential).
    """

    def __init__(
        self, stream: Buffered, mean_h: Sequence[float], distribution: str = "exponential", cv: float = 1.0
    ) -> None:
        self.stream = stream
        self.mean_d = [m / HOURS_PER_DAY for m in mean_h]
        self.distribution = distribution
        if distribution == "lognormal":
            params = [lognormal_service_parameters(m, cv) for m in self.mean_d]
            self._mu = [mu for mu, _ in params]
            self._sigma = params[0][1] if params else 0.0
        elif distribution == "gamma":
            # shape = 1/cv^2 lives in the stream (model.gamma_service_parameters)
            self._scale = [gamma_service_parameters(m, cv)[1] for m in self.mean_d]
        elif distribution != "exponential":
            raise ValueError(f"unknown service-time distribution {distribution!r}")

    def __call__(self, rank: int) -> float:
        if self.distribution == "exponential":
            return self.mean_d[rank] * self.stream.exponential()
        if self.distribution == "lognormal":
            return math.exp(self._mu[rank] + self._sigma * self.stream.normal())
        return self._scale[rank] * self.stream.gamma()


class DeskPool:
    """A desk of reference-sized teams, one of them shared with other clients (:func:`~sim.world.model.desk_share`).

    Parameters
    ----------
    share : float
        Reference desks the firm staffs (:func:`~sim.world.model.desk_share`).
    route : Buffered
        Draws which team a ticket goes to.
    background : Buffered
        Draws the other clients' tickets (how many, and when).
    background_time : callable
        ``background_time(rank) -> days``: handling time of another client's ticket.
    """

    def __init__(self, share: float, route: Buffered, background: Buffered, background_time: Callable[[int], float]):
        self.share = share
        self.whole, self.frac = desk_teams(share)
        self.cum = np.cumsum(team_weights(share)).tolist()
        self.per_ticket = pool_background_per_ticket(share)
        self.route = route
        self.background = background
        self.background_time = background_time

    @property
    def teams(self) -> int:
        """Teams on the desk (the whole ones, plus the shared one if any)."""
        return self.whole + (1 if self.frac else 0)


class ServiceDesk:
    """Agents serving a priority queue of tickets (lower rank = more urgent).

    Parameters
    ----------
    env : simpy.Environment
    log : TicketLog
        Where tickets live; the desk writes first response, resolution and agent into it.
    agents : int
        Agents on duty (per team with a ``pool``).
    service_time : callable
        ``service_time(rank) -> days``.
    on_resolved : callable, optional
        ``on_resolved(ticket_index)`` called at resolution (the customer's reaction).
    shifts : sequence of (start_h, end_h, agents)
        Daily shifts on top of the round-the-clock agents (not with a ``pool``).
    pool : DeskPool, optional
        Several reference-sized teams, each with its own queue and ``agents + extra`` agents
        (the policy's extra agents are per reference desk, like the scenario's); a ticket goes
        to a team by :func:`~sim.world.model.team_weights` and the shared team also serves other clients' tickets
        (:func:`~sim.world.model.pool_background_per_ticket`, spread over
        :data:`~sim.world.model.POOL_SPREAD_DAYS` after each of the firm's). Without it: one team.
    extra : int
        The policy's extra agents: on top of ``agents`` in every team (with a ``pool``, so they
        scale with the firm like the desk), or on the one desk (without).
    """

    def __init__(
        self,
        env: simpy.Environment,
        log: TicketLog,
        agents: int,
        service_time: Callable[[int], float],
        on_resolved: Callable[[int], None] | None = None,
        shifts: Sequence[tuple[float, float, int]] = (),
        pool: DeskPool | None = None,
        extra: int = 0,
        work: Callable[[int, int], float] | None = None,
        done: Callable[[int], None] | None = None,
    ) -> None:
        self.env = env
        self.work = work
        self.done = done
        #: agent-days per day of other stages the firm staffs (departments, emergency team)
        self.extra_agent_days = 0.0
        self.log = log
        self.pool = pool
        n_teams = pool.teams if pool is not None else 1
        self.queues = [simpy.PriorityStore(env) for _ in range(n_teams)]
        self.queue = self.queues[0]
        self.team_of: dict[int, int] = {}  # ticket -> team (only with several teams)
        self.service_time = service_time
        self.on_resolved = on_resolved
        self.busy_time = 0.0
        self._seq = 0
        self.agents = agents
        self.extra = extra
        # shift k: (start_h, end_h, agents) repeating daily, on top of `agents` round-the-clock agents
        self.shifts = [(a / HOURS_PER_DAY, b / HOURS_PER_DAY, n) for a, b, n in shifts]
        agent = self._agent if work is None else self._agent_ops
        k = 0
        for queue in self.queues:
            for _ in range(agents + extra):
                env.process(agent(k, None, queue))
                k += 1
        for start, end, n in self.shifts:
            for _ in range(n):
                env.process(agent(k, (start, end), self.queue))
                k += 1
        #: agents on the desk (ids 0 .. n_agents - 1, the ``agent`` column)
        self.n_agents = k

    @property
    def agent_days_per_day(self) -> float:
        """Agent-days of staffing the firm pays per calendar day (round-the-clock agents, its share
        of the teams with a pool, plus shifts)."""
        if self.pool is not None:
            base = staffed_agent_days(self.agents + self.extra, self.pool.share)
        else:
            base = self.agents + self.extra + sum((end - start) * n for start, end, n in self.shifts)
        return base + self.extra_agent_days if self.extra_agent_days else base

    def submit(self, ticket: int, priority: float | None = None) -> None:
        """Queue a ticket (already opened in the log); lower ``priority`` is served first
        (default: its severity rank)."""
        self._seq += 1
        rank = self.log.severity[ticket]
        key = rank if priority is None else priority
        pool = self.pool
        if pool is None:
            self.queue.put((key, self._seq, ticket))
            return
        team = 0
        if len(self.queues) > 1:
            cum = pool.cum
            team = min(bisect_right(cum, pool.route.uniform() * cum[-1]), len(cum) - 1)
            self.team_of[ticket] = team
        self.queues[team].put((key, self._seq, ticket))
        if pool.per_ticket:  # the shared team's other clients, like the firm, send tickets too
            bg = pool.background
            n = int(pool.per_ticket)
            if bg.uniform() < pool.per_ticket - n:
                n += 1
            for _ in range(n):
                ev = Timeout(self.env, bg.uniform() * POOL_SPREAD_DAYS, rank)
                ev.callbacks.append(self._background_arrives)

    def _background_arrives(self, ev: Timeout) -> None:
        """Another client's ticket (severity rank ``ev._value``) joins the shared team's queue."""
        self._seq += 1
        rank = ev._value
        self.queues[-1].put((rank, self._seq, -1 - rank))

    def escalate(self, ticket: int) -> None:
        """Move a still-queued ticket to the front (a second, top-priority queue entry; the
        stale entry is skipped when an agent reaches it)."""
        self._seq += 1
        self.queues[self.team_of.get(ticket, 0)].put((-1.0, self._seq, ticket))

    @property
    def backlog(self) -> int:
        """Queue entries waiting for an agent (escalated tickets may count twice; other clients'
        tickets at a shared team count too)."""
        return sum(len(q.items) for q in self.queues)

    def _agent(self, k: int, shift: tuple[float, float] | None, queue: simpy.PriorityStore):  # a SimPy process
        env = self.env
        get = queue.get
        put = queue.put
        log = self.log
        fr = log.first_response
        res = log.resolved
        ag = log.agent
        sev = log.severity
        handle = log.handle
        service_time = self.service_time
        while True:
            if shift is not None and not _on_duty(env.now, shift):
                yield env.timeout(_until_shift(env.now, shift))
            item = yield get()
            tid = item[2]
            if tid < 0:  # another client's ticket at a shared team
                yield env.timeout(self.pool.background_time(-1 - tid))  # type: ignore[union-attr]
                continue
            if fr[tid] == fr[tid]:  # already taken (stale entry of an escalated ticket)
                continue
            if shift is not None and not _on_duty(env.now, shift):
                put(item)  # the shift ended while waiting: hand the ticket back, keep its place
                continue
            start = env.now
            fr[tid] = start
            ag[tid] = k
            d = service_time(sev[tid])
            handle[tid] = d
            yield env.timeout(d)
            res[tid] = env.now
            self.busy_time += d
            if self.on_resolved is not None:
                self.on_resolved(tid)

    def _agent_ops(self, k: int, shift: tuple[float, float] | None, queue: simpy.PriorityStore):  # a SimPy process
        """An agent with service-operations mechanisms on: the handling time is ``work(ticket,
        agent)`` (skill, knowledge base, or triage in a multi-stage process) and, when done, the desk
        calls ``done(ticket)`` (which resolves the ticket, or hands it on to a department)."""
        env = self.env
        get = queue.get
        put = queue.put
        log = self.log
        fr = log.first_response
        ag = log.agent
        handle = log.handle
        work = self.work
        done = self.done
        assert work is not None and done is not None
        while True:
            if shift is not None and not _on_duty(env.now, shift):
                yield env.timeout(_until_shift(env.now, shift))
            item = yield get()
            tid = item[2]
            if tid < 0:  # another client's ticket at a shared team
                yield env.timeout(self.pool.background_time(-1 - tid))  # type: ignore[union-attr]
                continue
            if fr[tid] == fr[tid]:  # already taken (stale entry of an escalated ticket)
                continue
            if shift is not None and not _on_duty(env.now, shift):
                put(item)
                continue
            fr[tid] = env.now
            ag[tid] = k
            d = work(tid, k)
            handle[tid] = handle.get(tid, 0.0) + d
            yield env.timeout(d)
            self.busy_time += d
            done(tid)


_EPS = 1e-9


def _on_duty(now: float, shift: tuple[float, float]) -> bool:
    """Whether ``now`` (days) falls in the daily shift ``(start, end)`` (fractions of a day)."""
    f = now - math.floor(now)
    return shift[0] - _EPS <= f < shift[1] - _EPS


def _until_shift(now: float, shift: tuple[float, float]) -> float:
    """Days from ``now`` until the shift next starts (whole-day arithmetic: no float creep)."""
    target = math.floor(now) + shift[0]
    if target <= now + _EPS:
        target += 1.0
    return target - now


def simulate_queue(
    arrival_rate_h: float,
    agents: int,
    mean_service_h: float | Mapping[str, float] = 1.0,
    *,
    severity_mix: Mapping[str, float] | None = None,
    distribution: str = "exponential",
    cv: float = 1.0,
    n_tickets: int = 10_000,
    warmup: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Run the service desk alone with Poisson ticket arrivals (a queueing lab).

    Uses the very :class:`ServiceDesk` the customer simulation uses, fed by a Poisson stream,
    so it can be checked against Erlang C and Cobham's formula and used to size a desk.

    Parameters
    ----------
    arrival_rate_h : float
        Tickets per hour.
    agents : int
        Agents on duty.
    mean_service_h : float or mapping severity -> float
        Mean handling time in hours (one value for all severities, or one per severity).
    severity_mix : mapping, optional
        Share of each severity ``{"P0": .., "P3": ..}``; default: all tickets ``P3``.
    distribution, cv
        Handling-time distribution (``exponential``, ``lognormal``, ``gamma``) and its CV.
    n_tickets : int
        Tickets to simulate (after the warm-up).
    warmup : int
        Leading tickets discarded from the returned table (the queue starts empty).
    seed : int

    Returns
    -------
    pandas.DataFrame
        One row per ticket: ``severity``, ``opened_h``, ``first_response_h``, ``resolved_h``,
        ``agent``, ``wait_h``.

    Examples
    --------
    >>> t = simulate_queue(1.0, agents=2, mean_service_h=1.0, n_tickets=500, seed=3)
    >>> len(t)
    500
    """
    from sim.schema import SEVERITIES

    if arrival_rate_h <= 0 or agents < 1 or n_tickets < 1 or warmup < 0:
        raise ValueError("need arrival_rate_h > 0, agents >= 1, n_tickets >= 1, warmup >= 0")
    mix = dict(severity_mix) if severity_mix else {"P3": 1.0}
    ranks = [SEVERITIES.index(s) for s in mix]
    cum = np.cumsum([mix[s] for s in mix])
    if isinstance(mean_service_h, Mapping):
        means = [float(mean_service_h[s]) for s in SEVERITIES]
    else:
        means = [float(mean_service_h)] * len(SEVERITIES)
    streams = Streams(seed)
    arrivals = streams.buffered("desk.arrivals")
    kinds = streams.buffered("desk.severity")
    service = ServiceTimeSampler(streams.buffered("desk.service", gamma_shape=1.0 / (cv * cv)), means, distribution, cv)
    env = simpy.Environment()
    log = TicketLog()
    desk = ServiceDesk(env, log, agents, service)
    total = n_tickets + warmup
    rate_d = arrival_rate_h * HOURS_PER_DAY

    def source():  # a SimPy process
        for _ in range(total):
            yield env.timeout(arrivals.exponential() / rate_d)
            k = int(np.searchsorted(cum, kinds.uniform() * cum[-1], side="right"))
            desk.submit(log.open(-1, -1, "service", ranks[min(k, len(ranks) - 1)], env.now))

    env.process(source())
    env.run()
    opened = np.asarray(log.opened) * HOURS_PER_DAY
    first = np.asarray(log.first_response) * HOURS_PER_DAY
    out = pd.DataFrame(
        {
            "severity": pd.Series([SEVERITIES[r] for r in log.severity], dtype="string"),
            "opened_h": opened,
            "first_response_h": first,
            "resolved_h": np.asarray(log.resolved) * HOURS_PER_DAY,
            "agent": np.asarray(log.agent, dtype=np.int64),
            "wait_h": first - opened,
        }
    )
    return out.iloc[warmup:].reset_index(drop=True)
