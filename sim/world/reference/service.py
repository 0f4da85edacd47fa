"""Customer service in the reference world: a ticket's life from its opening to the customer's reaction.

The world owns one :class:`CustomerService` (``world.service``); the service desk itself, agents
serving tickets by priority, is :class:`~sim.world.reference.desk.Desk`. A ticket's life::

    opened (an order's complaint, or a market outage)  -> the firm sees who complained
    the desk serves it                                 -> resolved(): met or breached (sla_met)
    meanwhile the breach clock runs                    -> the customer feels a breach at the
                                                          resolution target if still open (once)
    the customer reacts (react): satisfaction moves, they may leave at once; a post-ticket survey

* **SLA targets** (:func:`sla_targets`): the scenario's per severity, overridden by the
  policy's ``service.sla_override``, in days.
* **Reaction** (:meth:`CustomerService.react`): satisfaction jumps by ``effects.sla_met`` /
  ``sla_breached`` (:func:`~sim.world.model.service_effect`; the bot's own effect for a bot
  resolution), then the customer leaves at once with
  :func:`~sim.world.model.service_churn_probability` (x :func:`~sim.world.model.service_churn_scaled`).
* **Queueing order**: a member with priority service is served ahead of others of the same
  severity, a basic-service customer behind everyone (:meth:`CustomerService.has_priority`,
  :meth:`CustomerService.has_basic_service`, asked by the desk).

Service operations (chapter 06; each off by default):

* **Intake channel** (``complaints.channel_mix``): drawn for each new ticket; a reopened ticket or
  a chaser keeps its ticket's channel, a proactive one is ``auto``. The first-response target is
  the stricter of the severity's and the channel's (``desk.channel_first_response_h``:
  :func:`~sim.world.model.ticket_first_response_target`).
* **Chasers** (``complaints.chaser_rate_per_day``, CP10): a customer still without a first response
  past the target complains again, a Poisson process over the excess wait
  (:func:`~sim.world.model.chaser_rate_after`); each chaser is a ticket row (``chaser_of``) that
  is not queued and is closed when the ticket it chases is answered, and costs satisfaction
  (``effects.chaser``).
* **Acceptance** (``complaints.acceptance`` with the policy's follow-up call, CP2): at the call the
  customer accepts the resolution with :func:`~sim.world.model.acceptance_probability`; if not,
  the ticket is reopened (a new ticket, one level more urgent: :func:`~sim.world.model.reopened_severity`).
* **Proactive tickets** (``service.auto_detect``, CP3; opened by the world at an order): met within
  the SLA, the customer feels ``effects.proactive`` instead of ``sla_met``.

The mirror of the fast engine's :mod:`sim.world.complaints`.

Examples
--------
>>> import sim
>>> sc = sim.Scenario.load("baseline")
>>> sla = sla_targets(sc, None)                 # days
>>> sla["P0"] == (sc.desk.sla["P0"].first_response_h / 24, sc.desk.sla["P0"].resolution_h / 24)
True
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Protocol

import simpy

from sim.config.policy import Policy
from sim.config.scenario import Complaints, SatisfactionEffects, Scenario
from sim.schema import SEVERITIES
from sim.world import model
from sim.world.reference.desk import SEVERITY_RANK, Desk
from sim.world.reference.state import Customer, Dice, FirmRecords, Logs, Ticket
from sim.world.reference.surveys import Surveys

if TYPE_CHECKING:
    from sim.world.observed import FirmHooks

__all__ = ["CustomerService", "ServiceHost", "sla_targets"]


class ServiceHost(Protocol):
    """What customer service uses of the reference :class:`~sim.world.reference.world.World`."""

    env: simpy.Environment
    dice: Dice
    logs: Logs
    customers: list[Customer]
    firm: FirmHooks | None
    firm_records: list[FirmRecords]
    surveys: Surveys
    desk: Desk
    satisfaction_on: bool
    effects: SatisfactionEffects
    complaints: Complaints
    sc: Scenario
    policy: Policy | None

    def satisfaction(self, c: Customer) -> float: ...
    def experience(self, c: Customer, effect: float) -> float: ...
    def churn(self, c: Customer, reason: str) -> None: ...
    def rate_changed(self, c: Customer) -> None: ...


def sla_targets(sc: Scenario, policy: Policy | None) -> dict[str, tuple[float, float]]:
    """``{severity: (first-response target, resolution target)}`` in days.

    The scenario's ``desk.sla`` (hours), with the policy's ``service.sla_override`` on top.

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline")
    >>> pol = sim.Policy.load("service_first")
    >>> [round(v * 24, 6) for v in sla_targets(sc, None)["P3"]] == [
    ...     sc.desk.sla["P3"].first_response_h, sc.desk.sla["P3"].resolution_h]
    True
    >>> sorted(sla_targets(sc, pol)) == sorted(sla_targets(sc, None)) == list(sim.schema.SEVERITIES)
    True
    """
    service = policy.service if policy is not None else None
    out: dict[str, tuple[float, float]] = {}
    for sev in SEVERITIES:
        target = sc.desk.sla[sev].model_dump()
        if service is not None:
            target.update(service.sla_override.get(sev, {}))
        out[sev] = (
            target["first_response_h"] / model.HOURS_PER_DAY,
            target["resolution_h"] / model.HOURS_PER_DAY,
        )
    return out


class CustomerService:
    """Tickets of one run: opening, resolution, the breach clock and the customer's reaction.

    Parameters
    ----------
    world : ServiceHost
        The reference world (its clock, dice, logs, customers, desk, surveys and the firm).
    sla : dict
        ``{severity: (first-response target, resolution target)}`` in days (:func:`sla_targets`).
    """

    def __init__(self, world: ServiceHost, sla: dict[str, tuple[float, float]]) -> None:
        self.world = world
        self.sla = sla
        comp, desk = world.sc.complaints, world.sc.desk
        self.channels = list(comp.channel_mix)
        shares = [comp.channel_mix[k] for k in self.channels]
        self.channel_probs = [x / sum(shares) for x in shares] if shares else []
        self.channel_target = {k: h / model.HOURS_PER_DAY for k, h in desk.channel_first_response_h.items()}
        self.chaser_rate = comp.chaser_rate_per_day
        fu = world.policy.service.follow_up if world.policy is not None else None
        self.acceptance = comp.acceptance if comp.acceptance.enabled and fu is not None and fu.enabled else None
        self.follow_up_delay = fu.delay_h / model.HOURS_PER_DAY if fu is not None else 0.0
        #: per customer: (follow-up due, ticket, SLA met) of resolutions the follow-up call will ask about
        self.awaiting: dict[int, deque[tuple[float, Ticket, bool]]] = {}
        self.s_ref = world.sc.satisfaction.reference

    def open_ticket(
        self, c: Customer, order: int, cause: str, severity: str, channel: str | None = None, reopened_from: int = -1
    ) -> Ticket:
        """Customer ``c`` complains: a ticket goes to the desk, and the customer starts counting.

        ``order`` is the order's index (-1: not about an order, e.g. an outage). The firm is told
        who complained (its records, then its ``on_ticket_opened`` callback). ``channel``: the
        intake channel (``None``: drawn from ``complaints.channel_mix`` if there is one; ``""``:
        none); ``reopened_from``: the ticket this one reopens (-1: none).
        """
        w = self.world
        first_response, resolution = self.sla[severity]
        if channel is None:
            channel = self._draw_channel()
        if channel in self.channel_target:  # the stricter of the severity's and the channel's targets
            first_response = model.ticket_first_response_target(first_response, self.channel_target[channel])
        t = Ticket(
            index=len(w.logs.tickets),
            customer=c.index,
            order=order,
            cause=cause,
            severity=severity,
            rank=SEVERITY_RANK[severity],
            opened_t=w.env.now,
            first_response_target=first_response,
            resolution_target=resolution,
            channel=channel,
            reopened_from=reopened_from,
        )
        w.logs.tickets.append(t)
        for r in w.firm_records:  # the firm sees who complained
            r.ticket(c.index)
        if w.firm is not None:
            w.firm.on_ticket_opened(t.index, w.env.now)
        w.env.process(self.breach_clock(t))
        if self.chaser_rate > 0 and channel != "auto":
            w.env.process(self.chasers(t))
        w.desk.handle(t)
        return t

    def _draw_channel(self) -> str:
        """A new ticket's intake channel from ``complaints.channel_mix`` (``""`` without one)."""
        if not self.channels:
            return ""
        rng = self.world.dice.ticket_channel
        return self.channels[int(rng.choice(len(self.channels), p=self.channel_probs))]

    def chasers(self, t: Ticket) -> Generator[Any, Any, None]:
        """Process: while ``t`` is unanswered past its first-response target (and its customer
        active), the customer chases it at ``chaser_rate_per_day`` (exponential gaps)."""
        w = self.world
        env, c = w.env, w.customers[t.customer]
        yield env.timeout(t.first_response_target)  # model.chaser_rate_after: nothing before the target ...
        while math.isnan(t.first_response_t) and c.alive:  # ... the full rate after it
            yield env.timeout(float(w.dice.ticket_chaser.exponential()) / self.chaser_rate)
            if not math.isnan(t.first_response_t) or not c.alive:
                return
            self.chase(t, c)

    def chase(self, t: Ticket, c: Customer) -> Ticket:
        """Customer ``c`` chases ticket ``t``: a ticket row (``chaser_of``) the firm sees, never queued
        (closed when ``t`` is answered); satisfaction moves by ``effects.chaser``."""
        w = self.world
        now = w.env.now
        chaser = Ticket(
            index=len(w.logs.tickets),
            customer=c.index,
            order=t.order,
            cause=t.cause,
            severity=t.severity,
            rank=t.rank,
            opened_t=now,
            first_response_target=t.first_response_target,
            resolution_target=t.resolution_target,
            channel=t.channel,
            chaser_of=t.index,
        )
        w.logs.tickets.append(chaser)
        for r in w.firm_records:
            r.ticket(c.index)
        if w.firm is not None:
            w.firm.on_ticket_opened(chaser.index, now)
        if w.satisfaction_on:
            w.experience(c, w.effects.chaser)
            c.last_bad_cause = "service"
            w.rate_changed(c)
        return chaser

    def breach_clock(self, t: Ticket) -> Generator[Any, Any, None]:
        """Process: the customer feels a breach when the resolution target passes with ``t`` still open."""
        yield self.world.env.timeout(t.resolution_target)
        if not t.resolved:
            t.breach_felt = True
            self.react(t, met=False)

    def resolved(self, t: Ticket) -> None:
        """Ticket ``t`` is resolved: the customer reacts (unless the breach was already felt) and may answer a survey.

        The SLA is met when both targets are (:func:`~sim.world.model.sla_met`). The desk calls this.
        """
        w = self.world
        now = w.env.now
        c = w.customers[t.customer]
        met = model.sla_met(
            t.first_response_t - t.opened_t, now - t.opened_t, t.first_response_target, t.resolution_target
        )
        if w.firm is not None:
            w.firm.on_ticket_resolved(t.index, now)
        if self.acceptance is not None:  # the follow-up call will ask about this resolution
            self.awaiting.setdefault(c.index, deque()).append((now + self.follow_up_delay, t, met))
        s = w.satisfaction(c) if t.breach_felt else self.react(t, met)
        w.surveys.after_ticket(c, t, s, met, now)

    def follow_up_call(self, c: Customer) -> None:
        """The firm's follow-up call reached customer ``c``: they accept the resolution it follows up
        (:func:`~sim.world.model.acceptance_probability` of their satisfaction now and the SLA
        outcome), or the ticket is reopened one level more urgent (:func:`~sim.world.model.reopened_severity`).

        The call follows up the resolution due now; earlier ones of ``c`` were not followed up
        (consent, budget, basic service) and are not asked. A customer who has left does not answer.
        """
        w = self.world
        acc, queue, now = self.acceptance, self.awaiting.get(c.index), w.env.now
        if acc is None or not queue:
            return
        asked: tuple[float, Ticket, bool] | None = None
        while queue and queue[0][0] <= now + 1e-9:
            asked = queue.popleft()
        if asked is None or not c.alive:
            return
        _, t, met = asked
        p = model.acceptance_probability(w.satisfaction(c), met, acc.base, acc.slope, self.s_ref)
        if w.dice.ticket_acceptance.random() < p:
            t.accepted = 1.0
            return
        t.accepted = 0.0
        severity = SEVERITIES[model.reopened_severity(t.rank)]
        self.open_ticket(c, t.order, t.cause, severity, channel=t.channel, reopened_from=t.index)

    def react(self, t: Ticket, met: bool) -> float:
        """The customer's reaction to a service experience; returns satisfaction after it.

        Satisfaction jumps by ``effects.sla_met`` or ``effects.sla_breached`` (the bot's own effect
        for a bot resolution); then the customer leaves at once with probability
        ``complaints.churn_prob_after_met`` / ``churn_prob_after_breach`` (reason: *service* after a
        breach, the ticket's cause otherwise): :func:`~sim.world.model.service_churn_probability`.
        An archetype's service sensitivity scales both (:func:`~sim.world.model.service_effect`,
        :func:`~sim.world.model.service_churn_scaled`; not the bot's effect).
        """
        w = self.world
        c = w.customers[t.customer]
        if t.bot and w.desk.bot is not None:
            effect = w.desk.bot.satisfaction_effect
        elif met and t.channel == "auto":  # handled proactively: the firm found the issue first
            effect = model.service_effect(w.effects.proactive, c.service_mult)
        else:
            effect = model.service_effect(w.effects.sla_met if met else w.effects.sla_breached, c.service_mult)
        s = w.experience(c, effect)
        if not met and w.satisfaction_on:
            c.last_bad_cause = "service"
        if not c.alive:
            return s
        comp = w.complaints
        if w.dice.churn.random() < model.service_churn_scaled(
            model.service_churn_probability(met, comp.churn_prob_after_met, comp.churn_prob_after_breach),
            c.service_mult,
        ):
            w.churn(c, t.cause if met else "service")
        else:
            w.rate_changed(c)
        return s

    def has_priority(self, t: Ticket) -> bool:
        """Whether ``t``'s customer has the loyalty programme's priority service (queues ahead)."""
        return self.world.customers[t.customer].priority_service

    def has_basic_service(self, t: Ticket) -> bool:
        """Whether ``t``'s customer gets basic service (the firm's tiers: queues last); another client's ticket does not."""
        return t.customer >= 0 and self.world.customers[t.customer].basic
