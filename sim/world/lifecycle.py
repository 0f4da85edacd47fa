"""Customer lifecycles: orders, satisfaction, complaints, surveys, referral and churn.

The model (time in days; every mechanism but the core can be switched off in the scenario):

* **Purchases (BG/NBD).** While alive, customer *i* orders as a Poisson process with rate
  ``lambda_i * exp(k_rate * (s_i - s_ref))``, ``lambda_i ~ Gamma(r, alpha)``. The first order is
  the acquisition; after every *repeat* order the customer drops out with probability
  ``logistic(logit(p_i) - k_drop * (s_i - s_ref))``, ``p_i ~ Beta(a, b)``.
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
from bisect import bisect_right
from itertools import accumulate

import numpy as np
import simpy
from simpy.events import Timeout

from sim.scenario import SEVERITIES, Scenario
from sim.world.desk import HOURS_PER_DAY, ServiceDesk, ServiceTimeSampler, TicketLog
from sim.world.population import TraitPool, draw_population
from sim.world.rng import Streams

__all__ = ["World"]

_LN2 = math.log(2.0)


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

    def __init__(self, env: simpy.Environment, sc: Scenario, customers: int, horizon: float, streams: Streams, agents: int) -> None:
        self.env = env
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
        self.n_acquired_paid = 0
        self.referral_pool = TraitPool(sc, streams)
        self.referral_cac = sc.population.referral.cac
        self.referral_prob = sc.population.referral.prob_per_promoter_order

        # observed logs (struct of arrays)
        self.o_cust: list[int] = []
        self.o_t: list[float] = []
        self.o_amount: list[float] = []
        self.o_first: list[bool] = []
        self.o_issue: list[bool] = []
        self.sv_cust: list[int] = []
        self.sv_t: list[float] = []
        self.sv_touch: list[str] = []
        self.sv_instr: list[str] = []
        self.sv_score: list[int] = []
        self.sv_ticket: list[int] = []
        self.ev_cust: list[int] = []
        self.ev_t: list[float] = []
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
        self.sla_fr = [sc.desk.sla[s].first_response_h / HOURS_PER_DAY for s in SEVERITIES]
        self.sla_res = [sc.desk.sla[s].resolution_h / HOURS_PER_DAY for s in SEVERITIES]
        self.tickets = TicketLog()
        self.desk = ServiceDesk(env, self.tickets, agents, service, on_resolved=self._on_resolved)

        # surveys
        self.l_pp = _logit(min(max(srv.post_purchase_rate, 1e-9), 1 - 1e-9))
        self.l_pt = _logit(min(max(srv.post_ticket_rate, 1e-9), 1 - 1e-9))
        self.pp_zero = srv.post_purchase_rate <= 0.0
        self.pt_zero = srv.post_ticket_rate <= 0.0
        self.bias = srv.nonresponse_bias
        self.noise = srv.noise_sd

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
    def acquisition(self):  # noqa: ANN201 - SimPy process
        """Process: paid customers arrive at their (pre-drawn, sorted) acquisition times."""
        env = self.env
        acq_t = self.acq_t
        for i in range(self.n_paid):
            t = acq_t[i]
            if t >= self.horizon:
                break
            if t > env.now:
                yield env.timeout(t - env.now)
            self.n_acquired_paid = i + 1
            self._acquire(i, env.now)

    def _acquire(self, i: int, now: float) -> None:
        self._event(i, now, "acquired", self.channel_names[self.channel[i]])
        self._order(i, now, True)
        if self.alive[i]:
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
        self._event(referrer, now, "referred", str(i + 1))
        self._acquire(i, now)

    def _schedule(self, i: int, now: float) -> None:
        rate = self.lam[i]
        if self.k_rate:
            rate *= math.exp(self.k_rate * (self.sat_now(i, now) - self.s_ref))
        dt = self.r_purchase.exponential() / rate
        if now + dt < self.horizon:
            ev = Timeout(self.env, dt, (i, self.version[i]))
            ev.callbacks.append(self._on_purchase)

    def _on_purchase(self, ev: Timeout) -> None:
        i, ver = ev._value
        if ver != self.version[i]:
            return  # superseded by a rate change, or the customer churned
        now = self.env.now
        s = self._order(i, now, False)
        if not self.alive[i]:
            return
        z = self.lp[i]
        if self.k_drop:
            z -= self.k_drop * (s - self.s_ref)
        if self.r_dropout.uniform() < 1.0 / (1.0 + math.exp(-z)):
            self._churn(i, now, self._reason(i, s))
        else:
            self._schedule(i, now)

    def _order(self, i: int, now: float, first: bool) -> float:
        """Record an order and its consequences; returns satisfaction after it."""
        amount = self.r_spend.gamma() / self.nu[i]
        issue = self.comp_on and self.r_quality.uniform() < self.q_issue
        oid = len(self.o_t)
        self.o_cust.append(i)
        self.o_t.append(now)
        self.o_amount.append(amount)
        self.o_first.append(first)
        self.o_issue.append(issue)
        s = self.s0[i]
        if self.sat_on:
            s = self.sat_now(i, now) + (self.eff.quality_issue if issue else self.eff.good_order)
            self._set_sat(i, now, s)
            s = self.s[i]
            if issue:
                self.bad_cause[i] = "product"
        if self.comp_on:
            u = self.r_complaint.uniform()
            if u < (self.pc_issue if issue else self.pc_ok):
                cause = "product" if issue else self.causes.draw(self.r_complaint.uniform())
                sev = self.sev_rank[self.severities.draw(self.r_complaint.uniform())]
                self.desk.submit(self.tickets.open(i, oid, cause, sev, now))
        if self.surv_on and not self.pp_zero and self._responds(self.l_pp, s):
            self._answer(i, now, "post_purchase", "csat", self._csat(s), -1)
        if self.ref_on and s >= 9.0 and self.r_referral.uniform() < self.referral_prob:
            self._add_referral(i, now)
        return s

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
        """The customer's reaction to a resolved ticket."""
        tk = self.tickets
        i = tk.customer[tid]
        if i < 0:
            return
        now = self.env.now
        sev = tk.severity[tid]
        met = (tk.first_response[tid] - tk.opened[tid] <= self.sla_fr[sev]) and (now - tk.opened[tid] <= self.sla_res[sev])
        s = self.s0[i]
        if self.sat_on:
            s = self.sat_now(i, now) + (self.eff.sla_met if met else self.eff.sla_breached)
            self._set_sat(i, now, s)
            s = self.s[i]
            if not met:
                self.bad_cause[i] = "service"
        if self.surv_on and not self.pt_zero and self._responds(self.l_pt, s):
            self._answer(i, now, "post_ticket", "csat", self._csat(s), tid)
            res_h = (now - tk.opened[tid]) * HOURS_PER_DAY
            x = round(1.0 + 1.2 * math.log2(1.0 + res_h / 2.0) + (0.0 if met else 1.0) + 0.5 * self.noise * self.r_survey.normal())
            self._answer(i, now, "post_ticket", "ces", 1 if x < 1 else (7 if x > 7 else int(x)), tid)
        if not self.alive[i]:
            return
        if self.r_churn.uniform() < (self.p_churn_met if met else self.p_churn_breach):
            self._churn(i, now, "service" if not met else tk.cause[tid])
        elif self.k_rate:
            self.version[i] += 1  # the rate changed: redraw the next purchase (memoryless)
            self._schedule(i, now)

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
            s0 = np.asarray(self.s0)[idx]
            s = s0 + (np.asarray(self.s)[idx] - s0) * np.exp(-self.decay * (now - np.asarray(self.st)[idx]))
            alive = np.asarray(self.alive)[idx]
            rate = min(max(srv.relationship_rate, 1e-9), 1 - 1e-9)
            z = _logit(rate) + self.bias * (self.s_ref - s)
            prob = 1.0 / (1.0 + np.exp(-z))
            prob = np.where(alive, prob, prob * srv.churned_response_factor)
            u = gen.random(idx.size)
            noise = gen.standard_normal(idx.size)
            resp = u < prob
            scores = np.clip(np.rint(s + self.noise * noise), 0, 10).astype(np.int64)[resp]
            who = idx[resp]
            self.sv_cust.extend(who.tolist())
            self.sv_t.extend([now] * who.size)
            self.sv_touch.extend(["relationship"] * who.size)
            self.sv_instr.extend(["nps"] * who.size)
            self.sv_score.extend(scores.tolist())
            self.sv_ticket.extend([-1] * who.size)
