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

Examples
--------
>>> import sim
>>> tk = sim.run("baseline", customers=500, days=365, seed=2).tickets
>>> set(tk["cause"]) <= {"product", "service", "price", "communication"}, bool(tk["customer_id"].gt(0).all())
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from sim.config.scenario import Scenario
from sim.schema import SEVERITIES
from sim.world.desk import DeskPool, ServiceDesk, ServiceTimeSampler, TicketLog
from sim.world.lifecycle import Lifecycle
from sim.world.model import HOURS_PER_DAY, service_churn_probability, service_churn_scaled, sla_met
from sim.world.rng import Categorical, Streams
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
            self.desk = ServiceDesk(env, tickets, agents, service, on_resolved=self.on_resolved, pool=pool, extra=extra)
        else:
            self.desk = ServiceDesk(
                env, tickets, (0 if shifts else agents) + extra, service, on_resolved=self.on_resolved, shifts=shifts
            )
        self.escalate = bool(svc is not None and svc.escalate_on_breach)
        #: basic service for some tiers (the firm sets ``customers.basic``); off: the flag is never read
        self.basic_on = bool(svc is not None and svc.basic_tiers)
        self.bot = svc.bot if svc is not None and svc.bot.enabled else None
        self.on_ticket_opened: Callable[[int, float], None] | None = None
        self.on_ticket_resolved: Callable[[int, float], None] | None = None

    # ------------------------------------------------------------------ opening
    def complain(self, i: int, oid: int, issue: bool, now: float) -> int:
        """Customer ``i``'s order ``oid`` raised a ticket: draw its cause and severity, open it."""
        rc = self.r_complaint
        cause = "product" if issue else self.causes.draw(rc.uniform())
        sev = self.sev_rank[self.severities.draw(rc.uniform())]
        return self.open_ticket(i, oid, cause, sev, now)

    def open_ticket(self, i: int, oid: int, cause: str, sev: int, now: float) -> int:
        """Open a ticket (severity rank ``sev``): the bot may take a P3 one; otherwise it queues for an agent."""
        tk = self.tickets
        tid = tk.open(i, oid, cause, sev, now)
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

    def _queue(self, tid: int) -> None:
        tk = self.tickets
        i, sev = tk.customer[tid], tk.severity[tid]
        key = sev - MEMBER_PRIORITY_SHIFT if (i >= 0 and self.customers.priority[i]) else sev
        if self.basic_on and i >= 0 and self.customers.basic[i]:
            key += BASIC_PRIORITY_SHIFT
        self.desk.submit(tid, key)
        if self.escalate:
            delay = tk.opened[tid] + self.sla_fr[sev] - self.env.now
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
        met = sla_met(tk.first_response[tid] - opened, now - opened, self.sla_fr[sev], self.sla_res[sev])
        if self.on_ticket_resolved is not None:
            self.on_ticket_resolved(tid, now)
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
