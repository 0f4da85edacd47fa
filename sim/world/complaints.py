"""Complaints: a ticket's life from the order that raised it to the customer's reaction.

* **Opening.** An order raises a ticket with :func:`~sim.world.model.complaint_probability`
  (drawn in :meth:`sim.world.lifecycle.Lifecycle.order`); its cause is *product* after a quality
  issue, else drawn from ``complaints.cause_mix``; its severity from ``complaints.severity_mix``.
  A market outage opens many tickets at once (:mod:`sim.world.market`).
* **Service.** Tickets queue at the :class:`~sim.world.desk.ServiceDesk` by severity; with the
  policy's ``priority_service`` a member is served ahead of non-members of the same severity.
  The policy's service levers act here: SLA overrides, shifts and extra agents, *bot deflection*
  (a share of P3 tickets handled by a bot, which contains some of them), *escalation* (a ticket
  still unanswered at its first-response target jumps the queue) and *basic service* (H12: the
  tickets of customers the firm put in a ``service.basic_tiers`` tier queue behind everyone
  else's, by :data:`BASIC_PRIORITY_SHIFT`; the firm also skips their follow-up call).
* **Reaction.** At resolution the SLA is met or not (:func:`~sim.world.model.sla_met`); the
  customer's satisfaction moves by ``satisfaction.effects.sla_met`` / ``sla_breached`` (or the
  bot's effect), they may leave at once (:func:`~sim.world.model.service_churn_probability`),
  and may answer the post-ticket surveys. A customer still waiting when the resolution target
  passes feels the breach then (once).
* **Service operations** (chapter 06; each off by default, see :meth:`Complaints.follow_up_call`
  and the ``_ops`` methods): intake *channels* drawn from ``complaints.channel_mix`` with
  per-channel first-response targets (``desk.channel_first_response_h``); *chasers*: a customer
  still unanswered past their ticket's first-response target complains again at
  ``complaints.chaser_rate_per_day`` (logged as tickets with ``chaser_of``, closed when the
  original is answered); *acceptance* of the resolution at the policy's follow-up call, else the
  ticket is *reopened*; latent *agent skill* and a *knowledge base* scaling handling times; a
  *multi-stage process* (front-desk triage, then a department, :mod:`sim.world.service_process`);
  a P0 *emergency team*; *proactive* tickets the firm's monitoring opens for detected quality issues.

Examples
--------
>>> import sim
>>> tk = sim.run("baseline", customers=500, days=365, seed=2).tickets
>>> set(tk["cause"]) <= {"product", "service", "price", "communication"}, bool(tk["customer_id"].gt(0).all())
(True, True)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from sim.config.scenario import Scenario
from sim.schema import SEVERITIES
from sim.world.desk import DeskPool, ServiceDesk, ServiceTimeSampler, TicketLog
from sim.world.lifecycle import Lifecycle
from sim.world.model import (
    HOURS_PER_DAY,
    acceptance_probability,
    agent_skill_multiplier,
    knowledge_base_factor,
    reopened_severity,
    service_churn_probability,
    service_churn_scaled,
    sla_met,
    ticket_first_response_target,
)
from sim.world.rng import Categorical, Streams
from sim.world.service_process import EMERGENCY_AGENT, StageDesk
from sim.world.state import Customers
from sim.world.surveys import Surveys

if TYPE_CHECKING:
    from sim.config.policy import Policy

__all__ = ["Complaints", "MEMBER_PRIORITY_SHIFT", "BASIC_PRIORITY_SHIFT"]

#: A priority-service member's ticket is queued this much ahead of its severity rank: before
#: non-members of the same severity, never before a more severe ticket.
MEMBER_PRIORITY_SHIFT = 0.5
#: A basic-service customer's ticket is queued this much behind its severity rank: after every
#: other customer's ticket of any severity (ranks run 0..3), still in severity order among basic ones.
BASIC_PRIORITY_SHIFT = len(SEVERITIES)
#: A follow-up call at ``now`` asks about tickets whose follow-up fell due by ``now`` + this (days;
#: the firm's timer adds the delay in floating point).
FOLLOW_UP_DUE_EPS = 1e-9
#: Severity rank the bot may take (P3, the least urgent).
_BOT_RANK = SEVERITIES.index("P3")


class Complaints:
    """The complaint mechanism of one world: tickets, the service desk and the customer's reaction.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
        ``complaints``, ``desk`` (SLA targets, service times) and ``satisfaction.effects``.
    policy : Policy or None
        Its ``service`` levers (SLA overrides, shifts, extra agents, bot, escalation), if any.
    customers : Customers
    tickets : TicketLog
    lifecycle : Lifecycle
        For churn and re-scheduling after a service experience.
    surveys : Surveys
        For the post-ticket surveys.
    streams : Streams
        Draws come from the ``complaint``, ``bot``, ``churn`` and ``desk.service`` streams.
    agents : int
        Round-the-clock agents (per team with a ``share``; ignored when the policy defines shifts).
    share : float, optional
        Reference desks staffed (:func:`~sim.world.model.desk_share`); ``None`` or 1: one desk of ``agents``.

    Attributes
    ----------
    desk : ServiceDesk
    sla_h : dict
        SLA targets in hours per severity, after the policy's overrides.
    on_ticket_opened, on_ticket_resolved : callable or None
        The firm's callbacks, set by :meth:`sim.world.engine.World.attach_firm`.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> w = World(env, sim.Scenario.load("baseline"), 20, 30.0, Streams(0), agents=1)
    >>> tid = w.complaints.open_ticket(-1, -1, "service", 0, 0.0)   # a P0 ticket without a customer
    >>> env.run(until=5.0)
    >>> w.tickets.resolved[tid] > w.tickets.first_response[tid] >= 0.0
    True
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        policy: Policy | None,
        customers: Customers,
        tickets: TicketLog,
        lifecycle: Lifecycle,
        surveys: Surveys,
        streams: Streams,
        agents: int,
        share: float | None = None,
    ) -> None:
        comp, sat = sc.complaints, sc.satisfaction
        self.env = env
        self.customers = customers
        self.tickets = tickets
        self.lifecycle = lifecycle
        self.surveys = surveys
        self.sat_on = sat.enabled
        self.k_rate = sat.rate_elasticity if sat.enabled else 0.0
        self.eff = sat.effects
        self.p_churn_breach = comp.churn_prob_after_breach
        self.p_churn_met = comp.churn_prob_after_met
        self.causes = Categorical(comp.cause_mix)
        self.severities = Categorical(comp.severity_mix)
        self.sev_rank = {s: k for k, s in enumerate(SEVERITIES)}
        self.r_complaint = lifecycle.r_complaint  # one stream: the order's draw, then cause and severity
        self.r_churn = lifecycle.r_churn
        self.r_bot = streams.buffered("bot")
        st = sc.desk.service_time
        service = ServiceTimeSampler(
            streams.buffered("desk.service", gamma_shape=1.0 / (st.cv * st.cv)),
            [st.mean_h[s] for s in SEVERITIES],
            st.distribution,
            st.cv,
        )
        sla = {s: sc.desk.sla[s].model_dump() for s in SEVERITIES}
        svc = policy.service if policy is not None else None
        self._init_ops_config(sc, svc)
        self.service_time = service
        # with skill, a knowledge base or the process, agents ask _work_front / call _done_front
        ops_work = self._work_front if self.desk_ops else None
        ops_done = self._done_front if self.desk_ops else None
        if svc is not None:
            for sev, override in svc.sla_override.items():
                sla[sev].update(override)
        self.sla_h = sla
        self.sla_fr = [sla[s]["first_response_h"] / HOURS_PER_DAY for s in SEVERITIES]
        self.sla_res = [sla[s]["resolution_h"] / HOURS_PER_DAY for s in SEVERITIES]
        self.breach_felt: set[int] = set()
        shifts = [(sh.start_h, sh.end_h, sh.agents) for sh in svc.shifts] if svc is not None else []
        extra = svc.extra_agents if svc is not None else 0
        # with shifts, the shifts are the staffing (plus any extra round-the-clock agents); with a
        # share other than one reference desk, reference-sized teams (model.desk_share)
        if share is not None and not shifts and share != 1.0:
            pool = DeskPool(
                share,
                streams.buffered("desk.team"),
                streams.buffered("desk.pool"),
                ServiceTimeSampler(
                    streams.buffered("desk.pool.service", gamma_shape=1.0 / (st.cv * st.cv)),
                    [st.mean_h[s] for s in SEVERITIES],
                    st.distribution,
                    st.cv,
                ),
            )
            self.desk = ServiceDesk(
                env,
                tickets,
                agents,
                service,
                on_resolved=self.on_resolved,
                pool=pool,
                extra=extra,
                work=ops_work,
                done=ops_done,
            )
        else:
            self.desk = ServiceDesk(
                env,
                tickets,
                (0 if shifts else agents) + extra,
                service,
                on_resolved=self.on_resolved,
                shifts=shifts,
                work=ops_work,
                done=ops_done,
            )
        self.escalate = bool(svc is not None and svc.escalate_on_breach)
        #: basic service for some tiers (the firm sets ``customers.basic``); off: the flag is never read
        self.basic_on = bool(svc is not None and svc.basic_tiers)
        self.bot = svc.bot if svc is not None and svc.bot.enabled else None
        self.on_ticket_opened: Callable[[int, float], None] | None = None
        self.on_ticket_resolved: Callable[[int, float], None] | None = None
        self._init_ops_world(env, sc, streams)

    # ------------------------------------------------------------------ service operations: set-up
    def _init_ops_config(self, sc: Scenario, svc: object) -> None:
        """Bind the chapter-06 switches (all off by default: then nothing below runs per ticket)."""
        comp, desk = sc.complaints, sc.desk
        self.channel_mix = Categorical(comp.channel_mix) if comp.channel_mix else None
        self.chan_fr = {ch: h / HOURS_PER_DAY for ch, h in desk.channel_first_response_h.items()}
        self.fr_of: dict[int, float] = {}  # ticket -> its first-response target (days), with channel targets
        self.chaser_rate = comp.chaser_rate_per_day
        acc = comp.acceptance
        fu = getattr(svc, "follow_up", None)
        self.acceptance = acc if acc.enabled and fu is not None and fu.enabled else None
        self.fu_delay = fu.delay_h / HOURS_PER_DAY if fu is not None else 0.0
        self.skill_sd = desk.agent_skill_sd
        kb = getattr(svc, "knowledge_base", None)
        self.kb = kb if kb is not None and kb.enabled else None
        self.kb_n: dict[str, int] = {}
        proc = getattr(svc, "process", None)
        self.process = proc if proc is not None and proc.enabled else None
        em = getattr(svc, "emergency_team", None)
        self.emergency = em if em is not None and em.enabled else None
        self.auto_p = float(getattr(svc, "auto_detect", 0.0))
        self.desk_ops = bool(self.skill_sd > 0 or self.kb is not None or self.process is not None)
        # open_ticket does the per-ticket bookkeeping only when one of these is on
        self.ops_open = bool(
            self.channel_mix is not None or self.chan_fr or self.chaser_rate > 0 or self.acceptance is not None
        )

    def _init_ops_world(self, env: simpy.Environment, sc: Scenario, streams: Streams) -> None:
        """Streams, departments, the emergency team and agent skills of the switched-on mechanisms."""
        st = sc.desk.service_time
        shape = 1.0 / (st.cv * st.cv)
        self.r_channel = streams.buffered("ticket.channel") if self.channel_mix is not None else None
        self.r_chaser = streams.buffered("ticket.chaser") if self.chaser_rate > 0 else None
        self.r_accept = streams.buffered("ticket.acceptance") if self.acceptance is not None else None
        self.awaiting: dict[int, deque[tuple[float, int, bool]]] = {}  # customer -> (follow-up due, ticket, met)
        self.s_ref = sc.satisfaction.reference
        if self.auto_p > 0:
            self.r_auto = streams.buffered("ticket.auto")
            # every order with a quality issue now reaches complain(), which decides detection and the
            # customer's own complaint (probability complaint_prob_issue) on the ticket.auto stream
            self.pc_issue = self.lifecycle.pc_issue
            self.lifecycle.pc_issue = 1.0
        n_skill = self.desk.n_agents
        self.depts: dict[str, StageDesk] = {}
        self.dept_of_cause: dict[str, str] = {}
        self.key_of: dict[int, float] = {}  # ticket -> its queue key (for the department queue)
        extra_days = 0.0
        if self.process is not None:
            proc = self.process
            self.triage_d = proc.triage_h / HOURS_PER_DAY
            self.r_triage = streams.buffered("desk.triage")
            r_dept = streams.buffered("desk.department", gamma_shape=shape)
            self.dept_of_cause = dict(proc.routing)
            for name, dep in proc.departments.items():
                sampler = ServiceTimeSampler(r_dept, [dep.mean_h] * len(SEVERITIES), st.distribution, st.cv)
                self.depts[name] = StageDesk(
                    env, self.tickets, dep.agents, self._stage_work(sampler, n_skill), self._resolve
                )
                n_skill += dep.agents
                extra_days += dep.agents
        self.em_desk: StageDesk | None = None
        if self.emergency is not None:
            em = self.emergency
            self.em_start = em.start_h / HOURS_PER_DAY
            sampler = ServiceTimeSampler(
                streams.buffered("desk.emergency", gamma_shape=shape),
                [em.mean_h] * len(SEVERITIES),
                st.distribution,
                st.cv,
            )
            self.em_desk = StageDesk(
                env, self.tickets, em.agents, self._stage_work(sampler, n_skill), self._resolve, self._emergency_start
            )
            n_skill += em.agents
            extra_days += em.agents
        self.desk.extra_agent_days = extra_days
        # latent skill: one standard normal per agent, front desk (agent ids) first, then each
        # department in the policy's order, then the emergency team (stream desk.skill)
        if self.skill_sd > 0:
            z = streams.generator("desk.skill").standard_normal(n_skill)
            self.skill = [agent_skill_multiplier(float(x), self.skill_sd) for x in z]
        else:
            self.skill = [1.0] * n_skill

    def _stage_work(self, sampler: ServiceTimeSampler, offset: int) -> Callable[[int, int], float]:
        """Handling time (days) at a department or the emergency team: its sampler x skill x knowledge base."""

        def work(tid: int, k: int) -> float:
            d = sampler(0) * self.skill[offset + k]
            if self.kb is not None:
                d *= self._kb_factor(tid)
            return d

        return work

    def _kb_factor(self, tid: int) -> float:
        kb = self.kb
        assert kb is not None
        return knowledge_base_factor(self.kb_n.get(self.tickets.cause[tid], 0), kb.max_reduction, kb.half_tickets)

    def _work_front(self, tid: int, k: int) -> float:
        """Front-desk handling time (days) of agent ``k``: triage with the process, else the
        severity's handling time (x the knowledge base), x the agent's skill."""
        if self.process is not None:
            return self.triage_d * self.r_triage.exponential() * self.skill[k]
        d = self.service_time(self.tickets.severity[tid]) * self.skill[k]
        if self.kb is not None:
            d *= self._kb_factor(tid)
        return d

    def _done_front(self, tid: int) -> None:
        """The front desk finished a ticket: hand it to its department (process), else resolve it."""
        if self.process is None:
            self._resolve(tid)
            return
        tk = self.tickets
        dept = self.dept_of_cause[tk.cause[tid]]
        tk.department[tid] = dept
        tk.handoff[tid] = self.env.now
        self.depts[dept].submit(tid, self.key_of.pop(tid, float(tk.severity[tid])))

    def _resolve(self, tid: int) -> None:
        tk = self.tickets
        tk.resolved[tid] = self.env.now
        if self.kb is not None:
            cause = tk.cause[tid]
            self.kb_n[cause] = self.kb_n.get(cause, 0) + 1
        self.on_resolved(tid)

    def _emergency_start(self, tid: int, k: int) -> None:
        tk = self.tickets
        tk.first_response[tid] = self.env.now
        tk.agent[tid] = EMERGENCY_AGENT

    def _emergency_arrives(self, ev: Timeout) -> None:
        assert self.em_desk is not None
        tid = ev._value
        self.em_desk.submit(tid, self.key_of.pop(tid, 0.0))

    def _first_response_target(self, tid: int) -> float:
        """A ticket's first-response target in days (its channel's, if stricter)."""
        return self.fr_of.get(tid, self.sla_fr[self.tickets.severity[tid]])

    # ------------------------------------------------------------------ opening
    def complain(self, i: int, oid: int, issue: bool, now: float) -> int:
        """Customer ``i``'s order ``oid`` raised a ticket: draw its cause and severity, open it."""
        rc = self.r_complaint
        if issue and self.auto_p > 0:  # the firm's monitoring may see the issue first (CP3)
            ra = self.r_auto
            if ra.uniform() < self.auto_p:
                sev = self.sev_rank[self.severities.draw(rc.uniform())]
                return self.open_ticket(i, oid, "product", sev, now, channel="auto")
            if ra.uniform() >= self.pc_issue:  # model.complaint_probability: the customer stays silent
                return -1
        cause = "product" if issue else self.causes.draw(rc.uniform())
        sev = self.sev_rank[self.severities.draw(rc.uniform())]
        return self.open_ticket(i, oid, cause, sev, now)

    def open_ticket(
        self, i: int, oid: int, cause: str, sev: int, now: float, channel: str | None = None, reopened_from: int = -1
    ) -> int:
        """Open a ticket (severity rank ``sev``): the bot may take a P3 one; otherwise it queues for an agent.

        ``channel``: its intake channel (``None``: drawn from ``complaints.channel_mix`` if set);
        ``reopened_from``: the ticket it reopens (-1: none)."""
        tk = self.tickets
        tid = tk.open(i, oid, cause, sev, now)
        if self.ops_open or channel is not None:
            self._open_ops(tid, i, channel, reopened_from)
        if self.on_ticket_opened is not None:
            self.on_ticket_opened(tid, now)
        if i >= 0:  # a customer left waiting feels the breach when the resolution target passes
            ev = Timeout(self.env, self.sla_res[sev], tid)
            ev.callbacks.append(self._breach_check)
        bot = self.bot
        if bot is not None and sev == _BOT_RANK and self.r_bot.uniform() < bot.share_of_p3:
            ht = bot.handle_time_h / HOURS_PER_DAY
            if self.r_bot.uniform() < bot.containment:
                tk.first_response[tid] = now
                tk.agent[tid] = -2
                tk.bot[tid] = True
                ev = Timeout(self.env, ht, tid)
                ev.callbacks.append(self._bot_resolved)
                return tid
            ev = Timeout(self.env, ht, tid)  # handed over to a human after the bot's attempt
            ev.callbacks.append(lambda e: self._queue(e._value))
            return tid
        self._queue(tid)
        return tid

    def _open_ops(self, tid: int, i: int, channel: str | None, reopened_from: int) -> None:
        """Per-ticket bookkeeping of the service-operations mechanisms at opening."""
        tk = self.tickets
        if reopened_from >= 0:
            tk.reopened_from[tid] = reopened_from
        if channel is None and self.channel_mix is not None:
            channel = self.channel_mix.draw(self.r_channel.uniform())  # type: ignore[union-attr]
        if channel:
            tk.channel[tid] = channel
            target = self.chan_fr.get(channel)
            if target is not None:
                self.fr_of[tid] = ticket_first_response_target(self.sla_fr[tk.severity[tid]], target)
        if self.chaser_rate > 0 and i >= 0 and channel != "auto":
            ev = Timeout(self.env, self._first_response_target(tid), tid)
            ev.callbacks.append(self._chase_next)

    def _chase_next(self, ev: Timeout) -> None:
        """Chasers (CP10): while ticket ``tid`` is unanswered past its first-response target, its
        customer complains again at ``chaser_rate_per_day`` (model.chaser_rate_after: a Poisson
        process over the excess wait; exponential gaps from stream ticket.chaser). Runs at the
        target, then after each chaser."""
        tid = ev._value
        tk = self.tickets
        if tk.first_response[tid] == tk.first_response[tid] or not self.customers.alive[tk.customer[tid]]:
            return  # answered (or the customer left): no more chasers
        gap = self.r_chaser.exponential() / self.chaser_rate  # type: ignore[union-attr]
        nxt = Timeout(self.env, gap, tid)
        nxt.callbacks.append(self._chase)

    def _chase(self, ev: Timeout) -> None:
        tid = ev._value
        tk = self.tickets
        i = tk.customer[tid]
        if tk.first_response[tid] == tk.first_response[tid] or not self.customers.alive[i]:
            return
        self._log_chaser(tid, i, self.env.now)
        self._chase_next(ev)

    def _log_chaser(self, tid: int, i: int, now: float) -> None:
        tk = self.tickets
        cid = tk.open(i, tk.order[tid], tk.cause[tid], tk.severity[tid], now)
        tk.chaser_of[cid] = tid
        ch = tk.channel.get(tid)
        if ch:
            tk.channel[cid] = ch
        if self.on_ticket_opened is not None:
            self.on_ticket_opened(cid, now)
        if self.sat_on:
            c = self.customers
            c.experience(i, now, self.eff.chaser)
            c.bad_cause[i] = "service"
            if self.k_rate:
                self.lifecycle.reschedule(i, now)

    def _queue(self, tid: int) -> None:
        tk = self.tickets
        i, sev = tk.customer[tid], tk.severity[tid]
        key = sev - MEMBER_PRIORITY_SHIFT if (i >= 0 and self.customers.priority[i]) else sev
        if self.basic_on and i >= 0 and self.customers.basic[i]:
            key += BASIC_PRIORITY_SHIFT
        if self.em_desk is not None and sev == 0:  # P0: the emergency team, outside the queue (CP1)
            self.key_of[tid] = key
            ev = Timeout(self.env, self.em_start, tid)
            ev.callbacks.append(self._emergency_arrives)
            return
        if self.process is not None:
            self.key_of[tid] = key
        self.desk.submit(tid, key)
        if self.escalate:
            fr_target = self._first_response_target(tid) if self.fr_of else self.sla_fr[sev]
            delay = tk.opened[tid] + fr_target - self.env.now
            ev = Timeout(self.env, max(delay, 0.0), tid)
            ev.callbacks.append(self._check_escalation)

    def _check_escalation(self, ev: Timeout) -> None:
        tid = ev._value
        tk = self.tickets
        if tk.first_response[tid] != tk.first_response[tid]:  # still waiting: NaN
            tk.escalated[tid] = True
            self.desk.escalate(tid)

    def _breach_check(self, ev: Timeout) -> None:
        tid = ev._value
        if self.tickets.resolved[tid] != self.tickets.resolved[tid]:  # still open (NaN)
            self.breach_felt.add(tid)
            self._react(tid, False)

    def _bot_resolved(self, ev: Timeout) -> None:
        tid = ev._value
        self.tickets.resolved[tid] = self.env.now
        self.on_resolved(tid)

    # ------------------------------------------------------------------ reaction
    def on_resolved(self, tid: int) -> None:
        """The customer's reaction to a resolved ticket (and their survey answers)."""
        tk = self.tickets
        i = tk.customer[tid]
        if i < 0:
            return
        now = self.env.now
        sev = tk.severity[tid]
        opened = tk.opened[tid]
        fr_target = self._first_response_target(tid) if self.fr_of else self.sla_fr[sev]
        met = sla_met(tk.first_response[tid] - opened, now - opened, fr_target, self.sla_res[sev])
        if self.on_ticket_resolved is not None:
            self.on_ticket_resolved(tid, now)
        if self.acceptance is not None:  # the follow-up call (policy) will ask about this resolution
            self.awaiting.setdefault(i, deque()).append((now + self.fu_delay, tid, met))
        if tid in self.breach_felt:  # the breach was felt when the target passed: no second penalty
            s = self.customers.satisfaction(i, now) if self.sat_on else self.customers.s0[i]
        else:
            s = self._react(tid, met)
        self.surveys.post_ticket(i, now, s, tid, met, opened)

    def _react(self, tid: int, met: bool) -> float:
        """Satisfaction jump and the chance of leaving at once after a service experience."""
        tk = self.tickets
        c = self.customers
        i = tk.customer[tid]
        now = self.env.now
        s = c.s0[i]
        if self.sat_on:
            # x the archetype's service sensitivity (1.0 without archetypes; model.service_effect)
            if met and self.auto_p > 0 and tk.channel.get(tid) == "auto":  # handled proactively (CP3)
                effect = self.eff.proactive * c.service_mult[i]
            else:
                effect = (self.eff.sla_met if met else self.eff.sla_breached) * c.service_mult[i]
            if tk.bot[tid] and self.bot is not None:  # only the bot marks tickets as its own
                effect = self.bot.satisfaction_effect
            s = c.experience(i, now, effect)
            if not met:
                c.bad_cause[i] = "service"
        if not c.alive[i]:
            return s
        p_leave = service_churn_probability(met, self.p_churn_met, self.p_churn_breach)
        if self.r_churn.uniform() < service_churn_scaled(p_leave, c.service_mult[i]):  # x service sensitivity
            self.lifecycle.churn(i, now, "service" if not met else tk.cause[tid])
        elif self.k_rate:
            self.lifecycle.reschedule(i, now)
        return s

    # ------------------------------------------------------------------ the follow-up call (CP2)
    def follow_up_call(self, i: int, now: float) -> None:
        """The firm's follow-up call to customer ``i`` went out: they accept the resolution of the
        ticket it follows up, or it is reopened (``complaints.acceptance``).

        The call follows up the ticket whose follow-up was due now (resolved ``follow_up.delay_h``
        earlier); tickets of ``i`` due before it were not followed up (no consent, basic service,
        budget) and are not asked. A customer who has left does not answer (``accepted`` stays NaN).
        Otherwise P(accept) = :func:`~sim.world.model.acceptance_probability` of the satisfaction
        now (after the call) and the ticket's SLA outcome (stream ``ticket.acceptance``).
        """
        acc = self.acceptance
        queue = self.awaiting.get(i)
        if acc is None or not queue:
            return
        found: tuple[float, int, bool] | None = None
        while queue and queue[0][0] <= now + FOLLOW_UP_DUE_EPS:
            found = queue.popleft()
        if found is None:
            return
        _, tid, met = found
        c = self.customers
        if not c.alive[i]:
            return
        s = c.satisfaction(i, now) if self.sat_on else c.s0[i]
        p = acceptance_probability(s, met, acc.base, acc.slope, self.s_ref)
        tk = self.tickets
        if self.r_accept.uniform() < p:  # type: ignore[union-attr]
            tk.accepted[tid] = 1.0
            return
        tk.accepted[tid] = 0.0
        self.open_ticket(
            i,
            tk.order[tid],
            tk.cause[tid],
            reopened_severity(tk.severity[tid]),
            now,
            channel=tk.channel.get(tid, ""),
            reopened_from=tid,
        )
