"""The service desk of the reference world: agents as a ``simpy.PriorityResource``.

Every ticket is one SimPy process, written as a SimPy tutorial would::

    request = agents.request(priority=2 * rank)  # P0 = 0 ... P3 = 6; members with priority one ahead,
                                               # basic service BASIC_SHIFT behind
    yield request                              # wait for a free agent (non-preemptive)
    yield env.timeout(handling_time)           # the agent works on it
    agents.release(request)

Policy levers (``policy.service``): a *bot* answers a share of P3 tickets at once (contained ones
never reach an agent); *escalation* moves a ticket still waiting at its first-response target to
the front of the queue; *shifts* replace the round-the-clock agents by agents on duty during set
hours (an off-duty agent's seat is held by a "break" request that outranks every ticket, so the
agent finishes the ticket in hand and then leaves).

Service operations (chapter 06; each off by default): each agent's latent *skill* multiplies their
handling times (:func:`~sim.world.model.agent_skill_multiplier`, scenario ``desk.agent_skill_sd``); a
*knowledge base* shortens the resolving stage's handling time with the tickets of the same cause
resolved so far (:func:`~sim.world.model.knowledge_base_factor`); the *multi-stage process*
(``service.process``) has the front desk triage a ticket (the first response, ``Exp(triage_h)``)
and hand it on to the department its cause is routed to (another ``PriorityResource``), which
resolves it; the P0 *emergency team* (``service.emergency_team``) takes P0 tickets outside the queue
``start_h`` after they open (``agent`` -3)::

    request = front.request(priority)   ... triage ...   front.release(request)
    department = routing[cause]; handoff_t = now
    request = departments[department].request(priority)   ... handling ...   resolved

Staffing that scales (:func:`~sim.world.model.desk_share`): a firm staffing ``share`` reference
desks has whole *teams* of the reference size, each its own ``PriorityResource``, plus a share of
one team shared with other clients. A ticket goes to a team with :func:`~sim.world.model.team_weights`;
for each of the firm's tickets the other clients send :func:`~sim.world.model.pool_background_per_ticket`
tickets of the same severity to the shared team, each arriving within
:data:`~sim.world.model.POOL_SPREAD_DAYS`::

    team = teams[choice(weights)]                  # the ticket's team
    for each background ticket: wait U(0, spread); request(priority=2 * rank); hold a handling time
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np
import simpy

from sim.config.policy import Service
from sim.config.scenario import Scenario
from sim.schema import SEVERITIES
from sim.world import model
from sim.world.model import HOURS_PER_DAY, gamma_service_parameters, lognormal_service_parameters
from sim.world.reference.state import Dice, Ticket

__all__ = ["Desk", "BOT_AGENT", "EMERGENCY_AGENT", "ESCALATED", "OFF_DUTY", "SEVERITY_RANK", "BASIC_SHIFT"]

#: Severity rank: P0 = 0 (most urgent) ... P3 = 3.
SEVERITY_RANK = {s: k for k, s in enumerate(SEVERITIES)}
#: ``agent`` of a ticket the bot resolved on its own.
BOT_AGENT = -2
#: ``agent`` of a P0 ticket the emergency team handled (``service.emergency_team``).
EMERGENCY_AGENT = -3
#: Request priority of an escalated ticket: ahead of every severity (a ticket's is ``2 * rank``,
#: one less for a member with priority service).
ESCALATED = -2
#: Request priority of an agent's break: ahead of every ticket.
OFF_DUTY = -3
#: A basic-service customer's ticket (``policy.service.basic_tiers``) is requested this much behind
#: its severity's priority: after every other customer's ticket of any severity.
BASIC_SHIFT = 2 * len(SEVERITIES)
_EPS = 1e-9  # shift boundaries are compared with this slack (float clock)


def _service_time_days(rng: np.random.Generator, mean_h: float, distribution: str, cv: float) -> float:
    """Handling time of one ticket (days) with the given mean (hours) and coefficient of variation.

    exponential: ``Exp(mean)``; lognormal: ``exp(N(log(mean) - sigma^2 / 2, sigma))`` with
    ``sigma^2 = log(1 + cv^2)``; gamma: ``Gamma(shape 1 / cv^2, scale mean * cv^2)``.
    (:func:`~sim.world.model.lognormal_service_parameters`, :func:`~sim.world.model.gamma_service_parameters`.)
    """
    mean = mean_h / HOURS_PER_DAY
    if distribution == "exponential":
        return float(rng.exponential(mean))
    if distribution == "lognormal":
        mu, sigma = lognormal_service_parameters(mean, cv)
        return float(rng.lognormal(mu, sigma))
    if distribution == "gamma":
        shape, scale = gamma_service_parameters(mean, cv)
        return float(rng.gamma(shape, scale))
    raise ValueError(f"unknown service-time distribution {distribution!r}")


class Desk:
    """Agents serving tickets by priority, non-preemptively.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
        Handling times (``desk.service_time``).
    service : Service or None
        The policy's service levers (bot, escalation, shifts, extra agents).
    agents : int
        Round-the-clock agents of the scenario (replaced by the shifts when the policy has any).
    dice : Dice
        The run's random streams (``desk`` for handling times, ``bot`` for the bot).
    on_resolved : callable
        ``on_resolved(ticket)``: the world's reaction to a resolution.
    is_priority : callable
        ``is_priority(ticket)``: whether the ticket's customer has priority service.
    share : float, optional
        Reference desks staffed (:func:`~sim.world.model.desk_share`); ``None`` or 1: one desk
        (teams need round-the-clock staffing: with shifts the share is ignored).
    pool_dice : numpy.random.Generator, optional
        Draws the team of each ticket and the other clients' tickets (needed with a ``share``).
    is_basic : callable, optional
        ``is_basic(ticket)``: whether the ticket's customer gets basic service (queues last).
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        service: Service | None,
        agents: int,
        dice: Dice,
        on_resolved: Callable[[Ticket], None],
        is_priority: Callable[[Ticket], bool],
        share: float | None = None,
        pool_dice: np.random.Generator | None = None,
        is_basic: Callable[[Ticket], bool] | None = None,
    ) -> None:
        self.env = env
        self.is_basic = is_basic
        self.times = sc.desk.service_time
        self.dice = dice
        self.on_resolved = on_resolved
        self.is_priority = is_priority
        shifts = list(service.shifts) if service is not None else []
        extra = service.extra_agents if service is not None else 0
        self.escalate = bool(service is not None and service.escalate_on_breach)
        self.bot = service.bot if service is not None and service.bot.enabled else None
        round_the_clock = (0 if shifts else agents) + extra
        seats = round_the_clock + sum(sh.agents for sh in shifts)
        self.agent_days_per_day = round_the_clock + sum(
            (sh.end_h - sh.start_h) / HOURS_PER_DAY * sh.agents for sh in shifts
        )
        self.share = share if (share is not None and share != 1.0 and not shifts) else None
        self.pool_dice = pool_dice
        if self.share is not None:  # reference-sized teams; the policy's extra agents are per team too
            self.weights = model.team_weights(self.share)
            self.background = model.pool_background_per_ticket(self.share)
            sizes = [agents + extra for _ in self.weights]
            self.agent_days_per_day = model.staffed_agent_days(agents + extra, self.share)
        else:
            self.weights = [1.0]
            self.background = 0.0
            sizes = [max(seats, 1)]
        self.teams = [simpy.PriorityResource(env, capacity=n) for n in sizes]
        first = [sum(sizes[:k]) for k in range(len(sizes))]
        # which agent picks a ticket up: the lowest free seat of the team
        self.free_seats = [list(range(f, f + n)) for f, n in zip(first, sizes)]
        self.agents = self.teams[0]
        self.busy_days = 0.0
        self._operations(env, sc, service, sum(sizes))
        if seats == 0:  # nobody on duty, ever: the one seat is on a permanent break
            env.process(self._break(0.0, math.inf))
        for sh in shifts:
            if sh.end_h - sh.start_h < HOURS_PER_DAY:
                for _ in range(sh.agents):
                    env.process(self._off_duty(sh.start_h / HOURS_PER_DAY, sh.end_h / HOURS_PER_DAY))

    def _operations(self, env: simpy.Environment, sc: Scenario, service: Service | None, n_front: int) -> None:
        """The chapter-06 mechanisms switched on: departments, the emergency team, the knowledge base,
        and one latent skill per agent (front-desk seats, then each department's, then the team's)."""
        proc = service.process if service is not None and service.process.enabled else None
        em = service.emergency_team if service is not None and service.emergency_team.enabled else None
        kb = service.knowledge_base if service is not None and service.knowledge_base.enabled else None
        self.process = proc
        self.kb = kb
        self.kb_resolved: dict[str, int] = {}  # tickets of each cause resolved by agents so far
        self.routing = dict(proc.routing) if proc is not None else {}
        # name -> (agents, their free seats, skill offset, mean handling hours)
        self.departments: dict[str, tuple[simpy.PriorityResource, list[int], int, float]] = {}
        offset = n_front
        for name, dep in proc.departments.items() if proc is not None else ():
            self.departments[name] = (
                simpy.PriorityResource(env, capacity=dep.agents),
                list(range(dep.agents)),
                offset,
                dep.mean_h,
            )
            offset += dep.agents
            self.agent_days_per_day += dep.agents
        self.emergency: tuple[simpy.PriorityResource, list[int], int, float, float] | None = None
        if em is not None:
            self.emergency = (
                simpy.PriorityResource(env, capacity=em.agents), list(range(em.agents)), offset,
                em.mean_h, em.start_h / HOURS_PER_DAY,
            )  # fmt: skip
            offset += em.agents
            self.agent_days_per_day += em.agents
        sd = sc.desk.agent_skill_sd
        self.skill = (
            [model.agent_skill_multiplier(float(z), sd) for z in self.dice.desk_skill.standard_normal(offset)]
            if sd > 0
            else None
        )
        self.ops = bool(self.skill is not None or kb is not None or proc is not None)

    def _take_seat(self, seats: list[int]) -> int:
        """The seat of the agent who picks the next ticket up: the lowest free one; with latent skill
        the one idle longest (agents take turns, so every agent's skill counts, as on the fast desk)."""
        return seats.pop(0) if self.skill is not None else heapq.heappop(seats)

    def _free_seat(self, seats: list[int], seat: int) -> None:
        """The agent in ``seat`` is free again."""
        if self.skill is not None:
            seats.append(seat)
        else:
            heapq.heappush(seats, seat)

    def _skill(self, seat: int) -> float:
        """Handling-time multiplier of the agent in ``seat`` (1 without skill)."""
        return self.skill[seat] if self.skill is not None else 1.0

    def _kb_factor(self, t: Ticket) -> float:
        """:func:`~sim.world.model.knowledge_base_factor` for ``t``'s cause now (1 without a knowledge base)."""
        kb = self.kb
        if kb is None:
            return 1.0
        return model.knowledge_base_factor(self.kb_resolved.get(t.cause, 0), kb.max_reduction, kb.half_tickets)

    def _front_work(self, t: Ticket, seat: int) -> float:
        """The front desk's handling time of ``t`` (days): triage with the process, otherwise the
        severity's handling time x the knowledge base; x the agent's skill."""
        if self.process is not None:
            return (
                self.process.triage_h / HOURS_PER_DAY * float(self.dice.desk_triage.exponential()) * self._skill(seat)
            )
        base = _service_time_days(self.dice.desk, self.times.mean_h[t.severity], self.times.distribution, self.times.cv)
        return base * self._skill(seat) * self._kb_factor(t)

    def _resolve(self, t: Ticket) -> None:
        """An agent resolved ``t``: the knowledge base learns, the world reacts."""
        t.resolved_t = self.env.now
        if self.kb is not None:
            self.kb_resolved[t.cause] = self.kb_resolved.get(t.cause, 0) + 1
        self.on_resolved(t)

    def _department(self, t: Ticket, priority: int):
        """After triage: ``t`` queues at the department its cause is routed to, which resolves it."""
        env = self.env
        name = self.routing[t.cause]
        t.department = name
        t.handoff_t = env.now
        agents, seats, offset, mean_h = self.departments[name]
        with agents.request(priority=priority) as request:
            yield request
            seat = seats.pop(0)  # the agent idle longest
            base = _service_time_days(self.dice.desk_department, mean_h, self.times.distribution, self.times.cv)
            handling = base * self._skill(offset + seat) * self._kb_factor(t)
            t.handle_d = handling if math.isnan(t.handle_d) else t.handle_d + handling
            yield env.timeout(handling)
            seats.append(seat)
        self._resolve(t)

    def _emergency(self, t: Ticket, priority: int):
        """A P0 ticket with the emergency team: a team agent starts ``start_h`` after it opened (or
        when one is free), outside the desk's queue."""
        env = self.env
        assert self.emergency is not None
        agents, seats, offset, mean_h, start = self.emergency
        yield env.timeout(start)
        with agents.request(priority=priority) as request:
            yield request
            seat = seats.pop(0)  # the agent idle longest
            t.first_response_t = env.now
            t.agent = EMERGENCY_AGENT
            base = _service_time_days(self.dice.desk_emergency, mean_h, self.times.distribution, self.times.cv)
            handling = base * self._skill(offset + seat) * self._kb_factor(t)
            t.handle_d = handling
            yield env.timeout(handling)
            seats.append(seat)
        self._resolve(t)

    @property
    def backlog(self) -> int:
        """Tickets waiting for an agent."""
        return sum(1 for team in self.teams for r in team.queue if r.priority != OFF_DUTY)

    def handle(self, t: Ticket) -> None:
        """Start ticket ``t``'s process."""
        self.env.process(self._ticket(t))

    def _ticket(self, t: Ticket):
        """A ticket's life at the desk: maybe the bot, then an agent, then resolution."""
        env = self.env
        bot = self.bot
        if bot is not None and t.severity == "P3" and self.dice.bot.random() < bot.share_of_p3:
            contained = self.dice.bot.random() < bot.containment
            if contained:  # the bot answers at once and resolves it after its handling time
                t.first_response_t = env.now
                t.agent = BOT_AGENT
                t.bot = True
            yield env.timeout(bot.handle_time_h / HOURS_PER_DAY)
            if contained:
                t.resolved_t = env.now
                self.on_resolved(t)
                return
            # not contained: handed over to the human queue (the clock kept running)
        priority = 2 * t.rank - (1 if self.is_priority(t) else 0)  # members: ahead of their severity
        if self.is_basic is not None and self.is_basic(t):
            priority += BASIC_SHIFT  # basic service: behind everyone else
        if self.emergency is not None and t.rank == 0:  # P0: the emergency team, outside the queue
            yield env.process(self._emergency(t, priority))
            return
        team = 0
        if len(self.teams) > 1:
            team = int(self.pool_dice.choice(len(self.teams), p=self.weights))  # type: ignore[union-attr]
        if self.background:
            whole = int(self.background)
            n = whole + (1 if self.pool_dice.random() < self.background - whole else 0)  # type: ignore[union-attr]
            for _ in range(n):
                self.env.process(self._other_client(t.rank))
        agents, seats = self.teams[team], self.free_seats[team]
        request = agents.request(priority=priority)
        if self.escalate:
            until_target = max(t.opened_t + t.first_response_target - env.now, 0.0)
            yield request | env.timeout(until_target)
            if not request.triggered:  # still waiting at the first-response target: to the front
                request.cancel()
                t.escalated = True
                request = agents.request(priority=ESCALATED)
        yield request
        seat = self._take_seat(seats)
        t.first_response_t = env.now
        t.agent = seat
        if self.ops:  # skill, knowledge base or the process's triage
            handling = self._front_work(t, seat)
        else:
            handling = _service_time_days(
                self.dice.desk, self.times.mean_h[t.severity], self.times.distribution, self.times.cv
            )
        t.handle_d = handling if math.isnan(t.handle_d) else t.handle_d + handling  # counted when picked up
        yield env.timeout(handling)
        if self.process is not None:  # triaged: on to the department
            self.busy_days += handling
            self._free_seat(seats, seat)
            agents.release(request)
            yield env.process(self._department(t, priority))
            return
        t.resolved_t = env.now
        self.busy_days += handling
        self._free_seat(seats, seat)
        agents.release(request)
        if self.kb is not None:
            self._resolve(t)
        else:
            self.on_resolved(t)

    def _other_client(self, rank: int):
        """Another client's ticket at the shared team: arrives within the spread, waits its turn
        by severity, holds an agent for a handling time."""
        env, dice = self.env, self.pool_dice
        yield env.timeout(dice.random() * model.POOL_SPREAD_DAYS)  # type: ignore[union-attr]
        team = self.teams[-1]
        with team.request(priority=2 * rank) as request:
            yield request
            mean_h = self.times.mean_h[SEVERITIES[rank]]
            yield env.timeout(_service_time_days(dice, mean_h, self.times.distribution, self.times.cv))  # type: ignore[arg-type]

    def _off_duty(self, start: float, end: float):
        """One shift agent, day after day: on duty from ``start`` to ``end`` (fractions of a day)."""
        env = self.env
        while True:
            day = math.floor(env.now)
            if start - _EPS <= env.now - day < end - _EPS:  # on duty: work until the shift ends
                yield env.timeout(day + end - env.now)
                continue
            back = day + start if env.now < day + start - _EPS else day + 1.0 + start
            yield env.process(self._break(env.now, back))

    def _break(self, now: float, back: float):
        """Hold one seat until ``back`` (days): taken as soon as an agent is free (outranks tickets)."""
        env = self.env
        request = self.agents.request(priority=OFF_DUTY)
        until_back = env.timeout(back - now) if math.isfinite(back) else env.event()
        yield request | until_back
        if not request.triggered:  # every agent stayed busy the whole break: nobody left
            request.cancel()
            return
        seat = self._take_seat(self.free_seats[0])
        if not until_back.processed:
            yield until_back
        self._free_seat(self.free_seats[0], seat)
        self.agents.release(request)
