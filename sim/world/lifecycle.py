"""Customer lifecycles: orders, satisfaction, complaints, surveys, referral and churn.

The model (time in days; every mechanism but the core can be switched off in the scenario):

* **Purchases (BG/NBD).** While alive, customer *i* orders as a Poisson process with rate
  ``lambda_i * exp(k_rate * (s_i - s_ref))``, ``lambda_i ~ Gamma(r, alpha)``. The first order is
  the acquisition; after every *repeat* order the customer drops out with probability
  ``logistic(logit(p_i) - k_drop * (s_i - s_ref))``, ``p_i ~ Beta(a, b)``. With
  ``purchase.dropout_after_first`` (MBG/NBD) the first order is a dropout point too.
* **Spend (Gamma-Gamma).** Order value ``~ Gamma(p, rate nu_i)``, ``nu_i ~ Gamma(q, rate gamma)``.
* **Satisfaction.** ``s_i`` in [0, 10] starts at ``s0_i ~ N(mean, sd)``, jumps with each
  experience (good order, quality issue, ticket resolved within / outside its SLA) and relaxes
  back toward ``s0_i`` with a half-life. Rates are re-evaluated at each experience
  (piecewise-constant between experiences; exact by memorylessness of the exponential).
* **Complaints.** An order has a quality issue with probability ``quality_issue_prob``; a ticket
  is opened with probability ``complaint_prob_issue`` (cause *product*) or ``complaint_prob_ok``
  (cause from ``cause_mix``); severity from ``severity_mix``. After resolution the customer may
  churn at once (``churn_prob_after_breach`` / ``_after_met``): service failures kill loyalty.
* **Surveys.** Post-purchase CSAT, post-ticket CSAT and CES, and a periodic relationship NPS;
  answers are noisy readings of ``s_i`` and response depends on ``s_i`` (non-response bias).
* **Referral.** An order by a promoter (``s_i >= 9``) brings a referred customer with a probability.
* **Firm actions** (only with a policy; decided in ``sim/world/firm.py`` from observed data,
  executed here): a *contact* costs its channel's price, may be opened (``open_rate``); an opened
  contact lifts satisfaction by the channel's ``care_effect`` plus the offer's
  ``satisfaction_boost``, converts into an immediate order with probability
  ``convert_rate x convert_multiplier`` (at the offer's discount), or leaves the discount pending for
  ``redeem_window_days``; a truly lapsed customer is reactivated with probability
  ``winback_prob x 0.5^(days since lapse / winback_half_life_days)``. Contacts beyond
  ``fatigue.free_contacts`` within ``fatigue.window_days`` lower satisfaction and opt the customer
  out with a probability. *Membership* multiplies the purchase rate by ``1 + rate_uplift``, lowers
  the dropout logit by ``dropout_shift`` (the switching cost of status and points), gives a
  discount on every order and, with ``priority_service``, serves the member's tickets ahead of
  non-members of the same severity. *Bot deflection* resolves a share of P3 tickets at once;
  *escalation* moves a ticket that breached its first-response target to the front of the queue.
* **Market events.** A competitor's price cut scales every purchase rate and raises every dropout
  logit for a while; an outage makes many customers complain at once.
* **Churn reasons.** A dropout is attributed to the customer's last bad experience (product or
  service) with probability ``min(1, (s_ref - s_i) / 3)`` when ``s_i < s_ref``; otherwise it is
  drawn from ``churn.reason_mix``.

Implementation: customer state is struct-of-arrays (one Python list per attribute); each pending
purchase is one SimPy ``Timeout`` with a callback (no generator per customer), invalidated by a
version counter when the customer's rate changes or they churn; no event is scheduled beyond the
horizon. This is measured in ``benchmarks/`` against a bare one-process-per-customer SimPy loop.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy
from simpy.events import NORMAL, Event, Timeout

from sim.config.scenario import Scenario
from sim.schema import SEVERITIES
from sim.world.desk import HOURS_PER_DAY, ServiceDesk, ServiceTimeSampler, TicketLog
from sim.world.population import TraitPool, draw_population
from sim.world.rng import Streams

if TYPE_CHECKING:
    from sim.config.policy import Policy

__all__ = ["World"]

_LN2 = math.log(2.0)


class _Timer(Event):
    """A scheduled callback: a ``Timeout`` without the checks (hot path: one per pending order)."""

    def __init__(self, env: simpy.Environment, delay: float, value: Any, callback: Any) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class _Categorical:
    """Draw a label from a fixed mix with one uniform."""

    def __init__(self, mix: dict[str, float]) -> None:
        self.labels = list(mix)
        self.cum = list(accumulate(mix.values()))
        self.total = self.cum[-1]

    def draw(self, u: float) -> str:
        k = bisect_right(self.cum, u * self.total)
        return self.labels[min(k, len(self.labels) - 1)]


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
        Agents on the desk.
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
    ) -> None:
        self.env = env
        self.policy = policy
        self.firm: Any = None  # set by sim.world.firm.Firm when a policy acts
        self.sc = sc
        self.horizon = horizon
        self.streams = streams
        sat, comp, srv = sc.satisfaction, sc.complaints, sc.surveys
        self.sat_on = sat.enabled
        self.comp_on = comp.enabled
        self.surv_on = srv.enabled
        self.ref_on = sc.population.referral.enabled
        self.s_ref = sat.reference
        self.k_rate = sat.rate_elasticity if sat.enabled else 0.0
        self.k_drop = sat.dropout_shift if sat.enabled else 0.0
        self.decay = _LN2 / sat.half_life_days
        self.mbg = sc.purchase.dropout_after_first
        self.eff = sat.effects

        # per-event streams
        self.r_purchase = streams.buffered("purchase")
        self.r_spend = streams.buffered("spend", gamma_shape=sc.spend.p)
        self.r_dropout = streams.buffered("dropout")
        self.r_quality = streams.buffered("quality")
        self.r_complaint = streams.buffered("complaint")
        self.r_survey = streams.buffered("survey")
        self.r_referral = streams.buffered("referral")
        self.r_churn = streams.buffered("churn")
        self.g_relationship = streams.generator("survey.relationship")

        # population
        pop = draw_population(sc, customers, horizon, streams)
        self.n_paid = customers
        self.channel_names = [str(c) for c in pop["channel_names"]] + ["referral"]
        self.lam: list[float] = pop["lam"].tolist()
        self.lp: list[float] = np.log(pop["p"] / (1.0 - pop["p"])).tolist()
        self.p: list[float] = pop["p"].tolist()
        self.nu: list[float] = pop["nu"].tolist()
        self.s0: list[float] = pop["s0"].tolist()
        self.s: list[float] = pop["s0"].tolist()
        self.st: list[float] = pop["acq_t"].tolist()
        self.acq_t: list[float] = pop["acq_t"].tolist()
        self.channel: list[int] = pop["channel_idx"].tolist()
        self.cac: list[float] = pop["cac"].tolist()
        self.consent: list[bool] = pop["consent"].tolist()
        self.birth_month: list[int] = pop["birth_month"].tolist()
        self.alive: list[bool] = [True] * customers
        self.churn_t: list[float] = [math.nan] * customers
        self.churn_reason: list[str] = [""] * customers
        self.s_churn: list[float] = [math.nan] * customers
        self.version: list[int] = [0] * customers
        self.bad_cause: list[str] = [""] * customers
        self.mult: list[float] = [1.0] * customers  # membership rate uplift
        self.member_drop: list[float] = [0.0] * customers  # membership switching cost (logit)
        self.member_discount: list[float] = [0.0] * customers
        self.priority: list[bool] = [False] * customers
        self.opted_out: list[bool] = [False] * customers
        self.pending: dict[int, tuple[float, float, str]] = {}  # i -> (discount, expiry, campaign)
        self.contact_times: dict[int, list[float]] = {}
        self.market_rate = 1.0
        self.market_drop = 0.0
        self.n_acquired_paid = 0
        self.referral_pool = TraitPool(sc, streams)
        self.referral_cac = sc.population.referral.cac
        self.referral_prob = sc.population.referral.prob_per_promoter_order

        # observed logs (struct of arrays)
        self.o_cust = array("q")  # append-only logs: typed arrays (no float objects kept alive)
        self.o_t = array("d")
        self.o_amount = array("d")
        # per order: (is_first, quality issue, discount, points, campaign) — one append on the hot path
        self.o_rest: list[tuple[bool, bool, float, float, str]] = []
        self.c_cust: list[int] = []
        self.c_t: list[float] = []
        self.c_campaign: list[str] = []
        self.c_channel: list[str] = []
        self.c_variant: list[str] = []
        self.c_cost: list[float] = []
        self.c_opened: list[bool] = []
        self.c_converted: list[bool] = []
        self.c_consent: list[bool] = []
        self.tr_cust: list[int] = []
        self.tr_t: list[float] = []
        self.tr_tier: list[str] = []
        self.tr_score: list[float] = []
        self.sv_cust = array("q")
        self.sv_t = array("d")
        self.sv_touch: list[str] = []
        self.sv_instr: list[str] = []
        self.sv_score = array("q")
        self.sv_ticket = array("q")
        self.ev_cust = array("q")
        self.ev_t = array("d")
        self.ev_kind: list[str] = []
        self.ev_detail: list[str] = []

        # complaints and desk
        self.q_issue = comp.quality_issue_prob
        self.pc_issue = comp.complaint_prob_issue
        self.pc_ok = comp.complaint_prob_ok
        self.p_churn_breach = comp.churn_prob_after_breach
        self.p_churn_met = comp.churn_prob_after_met
        self.causes = _Categorical(comp.cause_mix)
        self.severities = _Categorical(comp.severity_mix)
        self.sev_rank = {s: k for k, s in enumerate(SEVERITIES)}
        self.reasons = _Categorical(sc.churn.reason_mix)
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
        self.tickets = TicketLog()
        self.breach_felt: set[int] = set()
        shifts = [(sh.start_h, sh.end_h, sh.agents) for sh in svc.shifts] if svc is not None else []
        extra = svc.extra_agents if svc is not None else 0
        # with shifts, the shifts are the staffing (plus any extra round-the-clock agents)
        self.desk = ServiceDesk(env, self.tickets, (0 if shifts else agents) + extra, service, on_resolved=self._on_resolved, shifts=shifts)
        self.escalate = bool(svc is not None and svc.escalate_on_breach)
        self.bot = svc.bot if svc is not None and svc.bot.enabled else None
        self.r_bot = streams.buffered("bot")
        self.r_contact = streams.buffered("contact")
        loyalty = policy.loyalty if policy is not None and policy.loyalty.enabled else None
        self.points_rate = loyalty.points_per_currency if loyalty is not None else 0.0

        # surveys
        self.l_pp = _logit(min(max(srv.post_purchase_rate, 1e-9), 1 - 1e-9))
        self.l_pt = _logit(min(max(srv.post_ticket_rate, 1e-9), 1 - 1e-9))
        self.pp_zero = srv.post_purchase_rate <= 0.0
        self.pt_zero = srv.post_ticket_rate <= 0.0
        self.bias = srv.nonresponse_bias
        self.noise = srv.noise_sd
        # upper bound of the post-purchase response probability over s in [0, 10]
        self.pp_max = 1.0 / (1.0 + math.exp(-(self.l_pp + max(self.bias * self.s_ref, self.bias * (self.s_ref - 10.0)))))
        self.eff_issue = sat.effects.quality_issue
        self.eff_good = sat.effects.good_order

    # ------------------------------------------------------------------ helpers
    def sat_now(self, i: int, now: float) -> float:
        """Latent satisfaction of customer ``i`` at ``now`` (lazy relaxation toward s0)."""
        s0 = self.s0[i]
        return s0 + (self.s[i] - s0) * math.exp(-self.decay * (now - self.st[i]))

    def _set_sat(self, i: int, now: float, value: float) -> None:
        self.s[i] = 0.0 if value < 0.0 else (10.0 if value > 10.0 else value)
        self.st[i] = now

    def _event(self, i: int, now: float, kind: str, detail: str) -> None:
        self.ev_cust.append(i)
        self.ev_t.append(now)
        self.ev_kind.append(kind)
        self.ev_detail.append(detail)

    def _responds(self, logit_rate: float, s: float) -> bool:
        z = logit_rate + self.bias * (self.s_ref - s)
        return self.r_survey.uniform() < 1.0 / (1.0 + math.exp(-z))

    def _answer(self, i: int, now: float, touch: str, instr: str, score: int, ticket: int) -> None:
        self.sv_cust.append(i)
        self.sv_t.append(now)
        self.sv_touch.append(touch)
        self.sv_instr.append(instr)
        self.sv_score.append(score)
        self.sv_ticket.append(ticket)

    def _csat(self, s: float) -> int:
        x = round(1.0 + 0.4 * s + 0.5 * self.noise * self.r_survey.normal())
        return 1 if x < 1 else (5 if x > 5 else int(x))

    # ------------------------------------------------------------------ lifecycle
    def start_acquisition(self) -> None:
        """Paid customers arrive at their pre-drawn, sorted acquisition times (a chain of
        scheduled callbacks: one event per arrival time, no generator)."""
        if self.n_paid and self.acq_t[0] < self.horizon:
            _Timer(self.env, self.acq_t[0] - self.env.now, 0, self._on_arrival)

    def _on_arrival(self, ev: Event) -> None:
        i = ev._value
        now = self.env.now
        acq_t, n_paid, horizon = self.acq_t, self.n_paid, self.horizon
        while True:  # everyone arriving at this instant (a launch cohort arrives at once)
            self.n_acquired_paid = i + 1
            self._acquire(i, now)
            i += 1
            if i >= n_paid or acq_t[i] >= horizon:
                return
            if acq_t[i] > now:
                break
        _Timer(self.env, acq_t[i] - now, i, self._on_arrival)

    def _acquire(self, i: int, now: float) -> None:
        self._event(i, now, "acquired", self.channel_names[self.channel[i]])
        if self.firm is not None:
            self.firm.on_acquired(i, now)
        s = self._order(i, now, True)
        if self.alive[i]:
            if self.mbg:
                self._dropout_or_schedule(i, now, s)
            else:
                self._schedule(i, now)

    def _add_referral(self, referrer: int, now: float) -> None:
        tr = self.referral_pool.take()
        i = len(self.lam)
        p = min(max(tr["p"], 1e-12), 1 - 1e-12)
        self.lam.append(tr["lam"])
        self.p.append(p)
        self.lp.append(_logit(p))
        self.nu.append(tr["nu"])
        self.s0.append(tr["s0"])
        self.s.append(tr["s0"])
        self.st.append(now)
        self.acq_t.append(now)
        self.channel.append(len(self.channel_names) - 1)
        self.cac.append(self.referral_cac)
        self.consent.append(bool(tr["consent"]))
        self.birth_month.append(int(tr["birth_month"]))
        self.alive.append(True)
        self.churn_t.append(math.nan)
        self.churn_reason.append("")
        self.s_churn.append(math.nan)
        self.version.append(0)
        self.bad_cause.append("")
        self.mult.append(1.0)
        self.member_drop.append(0.0)
        self.member_discount.append(0.0)
        self.priority.append(False)
        self.opted_out.append(False)
        self._event(referrer, now, "referred", str(i + 1))
        self._acquire(i, now)

    def _schedule(self, i: int, now: float, s: float | None = None) -> None:
        """Draw the next purchase (``s``: satisfaction now, if already known)."""
        rate = self.lam[i] * self.mult[i] * self.market_rate
        if self.k_rate:
            rate *= math.exp(self.k_rate * ((self.sat_now(i, now) if s is None else s) - self.s_ref))
        dt = self.r_purchase.exponential() / rate
        if now + dt < self.horizon:
            _Timer(self.env, dt, (i, self.version[i]), self._on_purchase)

    def _on_purchase(self, ev: Event) -> None:
        """A pending repeat order comes due (hot path: dropout and the next order inlined)."""
        i, ver = ev._value
        if ver != self.version[i]:
            return  # superseded by a rate change, or the customer churned
        now = self.env.now
        s = self._order(i, now, False)
        if not self.alive[i]:
            return
        z = self.lp[i] + self.market_drop - self.member_drop[i]
        if self.k_drop:
            z -= self.k_drop * (s - self.s_ref)
        if self.r_dropout.uniform() < 1.0 / (1.0 + math.exp(-z)):
            self._churn(i, now, self._reason(i, s))
            return
        rate = self.lam[i] * self.mult[i] * self.market_rate
        if self.k_rate:
            rate *= math.exp(self.k_rate * (s - self.s_ref))
        dt = self.r_purchase.exponential() / rate
        if now + dt < self.horizon:
            _Timer(self.env, dt, (i, self.version[i]), self._on_purchase)

    def _dropout_or_schedule(self, i: int, now: float, s: float) -> None:
        """After an order: drop out with the (satisfaction-shifted) probability, else wait for the next."""
        z = self.lp[i] + self.market_drop - self.member_drop[i]
        if self.k_drop:
            z -= self.k_drop * (s - self.s_ref)
        if self.r_dropout.uniform() < 1.0 / (1.0 + math.exp(-z)):
            self._churn(i, now, self._reason(i, s))
        else:
            self._schedule(i, now, s if self.sat_on else None)

    def _order(self, i: int, now: float, first: bool, campaign: str = "") -> float:
        """Record an order and its consequences; returns satisfaction after it (hot path)."""
        amount = self.r_spend.gamma() / self.nu[i]
        issue = self.comp_on and self.r_quality.uniform() < self.q_issue
        o_t = self.o_t
        oid = len(o_t)
        discount = self.member_discount[i]
        if self.pending:
            offer = self.pending.pop(i, None)
            if offer is not None and offer[1] >= now:
                discount = max(discount, offer[0])
                campaign = campaign or offer[2]
        self.o_cust.append(i)
        o_t.append(now)
        self.o_amount.append(amount)
        self.o_rest.append((first, issue, amount * discount, amount * self.points_rate, campaign))
        if self.sat_on:  # inline sat_now + _set_sat
            s0 = self.s0[i]
            s = s0 + (self.s[i] - s0) * math.exp(-self.decay * (now - self.st[i]))
            s += self.eff_issue if issue else self.eff_good
            s = 0.0 if s < 0.0 else (10.0 if s > 10.0 else s)
            self.s[i] = s
            self.st[i] = now
            if issue:
                self.bad_cause[i] = "product"
        else:
            s = self.s0[i]
        if self.comp_on:
            rc = self.r_complaint
            if rc.uniform() < (self.pc_issue if issue else self.pc_ok):
                cause = "product" if issue else self.causes.draw(rc.uniform())
                sev = self.sev_rank[self.severities.draw(rc.uniform())]
                self.open_ticket(i, oid, cause, sev, now)
        if self.surv_on and not self.pp_zero:
            u = self.r_survey.uniform()
            if u < self.pp_max:  # p(s) <= pp_max: only then is the exact probability needed
                z = self.l_pp + self.bias * (self.s_ref - s)
                if u < 1.0 / (1.0 + math.exp(-z)):
                    self._answer(i, now, "post_purchase", "csat", self._csat(s), -1)
        if self.ref_on and s >= 9.0 and self.r_referral.uniform() < self.referral_prob:
            self._add_referral(i, now)
        if self.firm is not None:
            self.firm.on_order(i, oid, now)
        return s

    def open_ticket(self, i: int, oid: int, cause: str, sev: int, now: float) -> int:
        """Open a ticket: the bot may take a P3 one; otherwise it queues for an agent."""
        tk = self.tickets
        tid = tk.open(i, oid, cause, sev, now)
        if self.firm is not None:
            self.firm.on_ticket_opened(tid, now)
        if i >= 0:  # a customer left waiting feels the breach when the resolution target passes
            ev = Timeout(self.env, self.sla_res[sev], tid)
            ev.callbacks.append(self._breach_check)
        bot = self.bot
        if bot is not None and sev == 3 and self.r_bot.uniform() < bot.share_of_p3:
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
        self.desk.submit(tid, sev - 0.5 if (i >= 0 and self.priority[i]) else sev)
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
        self._on_resolved(tid)

    def _reason(self, i: int, s: float) -> str:
        u = self.r_churn.uniform()
        if self.sat_on and s < self.s_ref and self.bad_cause[i] and u < min(1.0, (self.s_ref - s) / 3.0):
            return self.bad_cause[i]
        return self.reasons.draw(self.r_churn.uniform())

    def _churn(self, i: int, now: float, reason: str) -> None:
        self.alive[i] = False
        self.churn_t[i] = now
        self.churn_reason[i] = reason
        self.s_churn[i] = self.sat_now(i, now) if self.sat_on else self.s0[i]
        self.version[i] += 1
        self._event(i, now, "true_churned", reason)

    def _on_resolved(self, tid: int) -> None:
        """The customer's reaction to a resolved ticket (and their survey answers)."""
        tk = self.tickets
        i = tk.customer[tid]
        if i < 0:
            return
        now = self.env.now
        sev = tk.severity[tid]
        met = (tk.first_response[tid] - tk.opened[tid] <= self.sla_fr[sev]) and (now - tk.opened[tid] <= self.sla_res[sev])
        if self.firm is not None:
            self.firm.on_ticket_resolved(tid, now)
        if tid in self.breach_felt:  # the breach was felt when the target passed: no second penalty
            s = self.sat_now(i, now) if self.sat_on else self.s0[i]
        else:
            s = self._react(tid, met)
        if self.surv_on and not self.pt_zero and self._responds(self.l_pt, s):
            self._answer(i, now, "post_ticket", "csat", self._csat(s), tid)
            res_h = (now - tk.opened[tid]) * HOURS_PER_DAY
            x = round(1.0 + 1.2 * math.log2(1.0 + res_h / 2.0) + (0.0 if met else 1.0) + 0.5 * self.noise * self.r_survey.normal())
            self._answer(i, now, "post_ticket", "ces", 1 if x < 1 else (7 if x > 7 else int(x)), tid)

    def _react(self, tid: int, met: bool) -> float:
        """Satisfaction jump and the chance of leaving at once after a service experience."""
        tk = self.tickets
        i = tk.customer[tid]
        now = self.env.now
        s = self.s0[i]
        if self.sat_on:
            effect = self.eff.sla_met if met else self.eff.sla_breached
            if tk.bot[tid]:
                effect = self.bot.satisfaction_effect
            s = self.sat_now(i, now) + effect
            self._set_sat(i, now, s)
            s = self.s[i]
            if not met:
                self.bad_cause[i] = "service"
        if not self.alive[i]:
            return s
        if self.r_churn.uniform() < (self.p_churn_met if met else self.p_churn_breach):
            self._churn(i, now, "service" if not met else tk.cause[tid])
        elif self.k_rate:
            self.version[i] += 1  # the rate changed: redraw the next purchase (memoryless)
            self._schedule(i, now)
        return s

    # ------------------------------------------------------------------ firm actions (mechanisms)
    def deliver(self, i: int, campaign: str, channel: str, offer_name: str | None, variant: str = "", extra_boost: float = 0.0) -> int:
        """Send one contact (the firm has already decided, checked consent and paid)."""
        now = self.env.now
        pol = self.policy
        ch = pol.channels[channel]
        offer = pol.offers[offer_name] if offer_name else None
        cid = len(self.c_t)
        self.c_cust.append(i)
        self.c_t.append(now)
        self.c_campaign.append(campaign)
        self.c_channel.append(channel)
        self.c_variant.append(variant)
        self.c_cost.append(ch.cost + (offer.fixed_cost if offer else 0.0))
        self.c_consent.append(self.consent[i] and not self.opted_out[i])
        self.c_converted.append(False)
        # fatigue: contacts beyond the free allowance within the window
        fat = pol.fatigue
        times = self.contact_times.setdefault(i, [])
        times.append(now)
        while times and times[0] <= now - fat.window_days:
            times.pop(0)
        tired = len(times) > fat.free_contacts
        if tired:
            if self.sat_on:
                self._set_sat(i, now, self.sat_now(i, now) - fat.satisfaction_penalty)
            if not self.opted_out[i] and self.r_contact.uniform() < fat.opt_out_prob:
                self.opted_out[i] = True
                self._event(i, now, "opted_out", campaign)
        opened = self.r_contact.uniform() < ch.open_rate
        self.c_opened.append(opened)
        if not opened:
            if tired and self.alive[i] and self.k_rate:
                self.version[i] += 1
                self._schedule(i, now)
            return cid
        if not self.alive[i] and offer is not None and offer.winback_prob > 0.0:
            p = offer.winback_prob * 0.5 ** ((now - self.churn_t[i]) / offer.winback_half_life_days)
            if self.r_contact.uniform() < p:
                self.alive[i] = True
                self.churn_t[i] = math.nan
                self.churn_reason[i] = ""
                self.s_churn[i] = math.nan
                self._event(i, now, "true_reactivated", campaign)
        if not self.alive[i]:
            return cid
        if self.sat_on:
            boost = ch.care_effect + extra_boost + (offer.satisfaction_boost if offer else 0.0)
            self._set_sat(i, now, self.sat_now(i, now) + boost)
        mult = offer.convert_multiplier if offer else 1.0
        if self.r_contact.uniform() < min(1.0, ch.convert_rate * mult):
            if offer is not None and offer.discount > 0:
                self.pending[i] = (offer.discount, now, campaign)
            self.c_converted[cid] = True
            self._order(i, now, False, campaign)
            if not self.alive[i]:
                return cid
            z = self.lp[i] + self.market_drop - self.member_drop[i] - self.k_drop * (self.s[i] - self.s_ref)
            if self.r_dropout.uniform() < 1.0 / (1.0 + math.exp(-z)):
                self._churn(i, now, self._reason(i, self.s[i]))
                return cid
        elif offer is not None and offer.discount > 0:
            self.pending[i] = (offer.discount, now + offer.redeem_window_days, campaign)
        self.version[i] += 1  # satisfaction changed: redraw the next purchase (memoryless)
        self._schedule(i, now)
        return cid

    def set_membership(
        self, i: int, level: str, rate_uplift: float, discount: float, priority: bool, boost: float, dropout_shift: float
    ) -> None:
        """Apply a membership level's benefits (the firm decided the level from observed spend)."""
        now = self.env.now
        upgrade = 1.0 + rate_uplift > self.mult[i] or dropout_shift > self.member_drop[i]
        self.mult[i] = 1.0 + rate_uplift
        self.member_drop[i] = dropout_shift
        self.member_discount[i] = discount
        self.priority[i] = priority
        self._event(i, now, "membership", level)
        if upgrade and self.sat_on:
            self._set_sat(i, now, self.sat_now(i, now) + boost)
        if self.alive[i]:
            self.version[i] += 1
            self._schedule(i, now)

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a tier assignment (observed)."""
        self.tr_cust.append(i)
        self.tr_t.append(self.env.now)
        self.tr_tier.append(tier)
        self.tr_score.append(score)

    def market(self, ev: Any):  # noqa: ANN201 - SimPy process
        """Process: one scheduled market event."""
        env = self.env
        yield env.timeout(ev.day)
        if ev.kind == "competitor_price_cut":
            self._shock(ev.rate_multiplier, ev.dropout_shift)
            yield env.timeout(ev.duration_days)
            self._shock(1.0 / ev.rate_multiplier, -ev.dropout_shift)
        else:  # outage: many customers complain at once
            alive = [i for i in self._acquired() if self.alive[i]]
            gen = self.streams.generator(f"market.outage.{ev.day}")
            sev = SEVERITIES.index(ev.severity)
            for i in gen.permutation(alive)[: ev.tickets].tolist():
                self.open_ticket(int(i), -1, "service", sev, env.now)

    def _shock(self, rate_factor: float, drop_shift: float) -> None:
        now = self.env.now
        self.market_rate *= rate_factor
        self.market_drop += drop_shift
        for i in self._acquired():
            if self.alive[i]:
                self.version[i] += 1
                self._schedule(i, now)

    def _acquired(self) -> list[int]:
        return list(range(self.n_acquired_paid)) + list(range(self.n_paid, len(self.lam)))

    def relationship_surveys(self):  # noqa: ANN201 - SimPy process
        """Process: every ``relationship_interval_days`` ask all acquired customers for an NPS."""
        srv = self.sc.surveys
        env = self.env
        gen = self.g_relationship
        while True:
            yield env.timeout(srv.relationship_interval_days)
            now = env.now
            n = len(self.lam)
            idx = np.r_[np.arange(self.n_acquired_paid), np.arange(self.n_paid, n)]
            if idx.size == 0:
                continue
            u = gen.random(idx.size)
            noise = gen.standard_normal(idx.size)
            # respond iff u < p(s); p(s) <= p_max, so only customers with u < p_max need their
            # satisfaction computed (exact thinning: same draws, same answers, far less work)
            base = _logit(min(max(srv.relationship_rate, 1e-9), 1 - 1e-9))
            z_max = base + max(self.bias * self.s_ref, self.bias * (self.s_ref - 10.0))
            p_max = 1.0 / (1.0 + math.exp(-z_max))
            cand = np.flatnonzero(u < p_max)
            s0, s_, st, alive, decay, bias, ref, factor = self.s0, self.s, self.st, self.alive, self.decay, self.bias, self.s_ref, srv.churned_response_factor
            who, scores = [], []
            for k, uk, nk in zip(cand.tolist(), u[cand].tolist(), noise[cand].tolist()):
                i = int(idx[k])
                sat = s0[i] + (s_[i] - s0[i]) * math.exp(-decay * (now - st[i]))
                prob = 1.0 / (1.0 + math.exp(-(base + bias * (ref - sat))))
                if not alive[i]:
                    prob *= factor
                if uk < prob:
                    x = round(sat + self.noise * nk)
                    who.append(i)
                    scores.append(0 if x < 0 else (10 if x > 10 else int(x)))
            self.sv_cust.extend(who)
            self.sv_t.extend([now] * len(who))
            self.sv_touch.extend(["relationship"] * len(who))
            self.sv_instr.extend(["nps"] * len(who))
            self.sv_score.extend(scores)
            self.sv_ticket.extend([-1] * len(who))
