"""Surveys: post-purchase CSAT, post-ticket CSAT and CES, and the periodic relationship NPS.

Answers are noisy readings of the customer's latent satisfaction ``s``
(:func:`~sim.world.model.csat_answer`, :func:`~sim.world.model.ces_answer`,
:func:`~sim.world.model.nps_answer`); whether a customer answers at all depends on ``s``
(:func:`~sim.world.model.survey_response_probability`: with ``nonresponse_bias > 0`` unhappy
customers answer more often). Churned customers still answer relationship surveys, less often
(``surveys.churned_response_factor``).

Exact thinning: the response probability never exceeds its bound over the 0-10 scale
(:func:`~sim.world.model.survey_response_bound`), so a customer whose uniform draw is above the
bound cannot answer, and their satisfaction need not be computed. The same draws give the same
answers as computing every probability, with far less work.

Examples
--------
>>> import sim
>>> res = sim.run("baseline", customers=300, days=200, seed=1)
>>> sorted(res.surveys["instrument"].unique())
['ces', 'csat', 'nps']
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.config.scenario import Scenario
from sim.world.logs import SurveyLog
from sim.world.model import (
    HOURS_PER_DAY,
    ces_answer,
    csat_answer,
    rate_logit,
    survey_response_bound,
    survey_response_probability,
)
from sim.world.rng import Streams
from sim.world.state import Customers

__all__ = ["Surveys"]


class Surveys:
    """The survey mechanism of one world: who answers which survey, and what.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
        ``surveys`` (rates, noise, bias, relationship interval) and ``satisfaction.reference``.
    customers : Customers
    log : SurveyLog
        Where answers go.
    streams : Streams
        Draws come from the ``survey`` (per event) and ``survey.relationship`` (per wave) streams.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.logs import SurveyLog
    >>> from sim.world.population import draw_population
    >>> from sim.world.rng import Streams
    >>> from sim.world.state import Customers
    >>> sc = sim.Scenario.load("baseline").updated({"surveys.post_purchase_rate": 1.0, "surveys.nonresponse_bias": 0.0})
    >>> c = Customers(draw_population(sc, 1, 30.0, Streams(0)), 0.01)
    >>> log = SurveyLog()
    >>> sv = Surveys(simpy.Environment(), sc, c, log, Streams(0))
    >>> sv.post_purchase(0, 0.0, 9.0)           # a response rate of 1: everyone answers
    >>> list(log.score), log.instrument
    ([5], ['csat'])
    """

    def __init__(
        self, env: simpy.Environment, sc: Scenario, customers: Customers, log: SurveyLog, streams: Streams
    ) -> None:
        srv = sc.surveys
        self.env = env
        self.customers = customers
        self.log = log
        self.enabled = srv.enabled
        self.interval = srv.relationship_interval_days
        self.churned_factor = srv.churned_response_factor
        self.s_ref = sc.satisfaction.reference
        self.bias = srv.nonresponse_bias
        self.noise = srv.noise_sd
        self.r_survey = streams.buffered("survey")
        self.g_relationship = streams.generator("survey.relationship")
        self.l_pp = rate_logit(srv.post_purchase_rate)
        self.l_pt = rate_logit(srv.post_ticket_rate)
        self.l_rel = rate_logit(srv.relationship_rate)
        #: whether orders / resolved tickets are followed by a survey at all
        self.post_purchase_on = srv.enabled and not srv.post_purchase_rate <= 0.0
        self.post_ticket_on = srv.enabled and not srv.post_ticket_rate <= 0.0
        # upper bounds of the response probabilities over s in [0, 10] (exact thinning)
        self.pp_max = survey_response_bound(self.l_pp, self.bias, self.s_ref)
        self.rel_max = survey_response_bound(self.l_rel, self.bias, self.s_ref)

    def post_purchase(self, i: int, now: float, s: float) -> None:
        """After an order: customer ``i`` (satisfaction ``s`` now) may answer a CSAT survey (hot path)."""
        r = self.r_survey
        u = r.uniform()
        if u < self.pp_max:  # p(s) <= pp_max: only then is the exact probability needed
            # inlined: model.survey_response_probability
            if u < 1.0 / (1.0 + math.exp(-(self.l_pp + self.bias * (self.s_ref - s)))):
                self.log.answer(i, now, "post_purchase", "csat", csat_answer(s, self.noise, r.normal()), -1)

    def post_ticket(self, i: int, now: float, s: float, tid: int, met: bool, opened: float) -> None:
        """After a resolved ticket ``tid`` (opened at day ``opened``, SLA ``met`` or not): customer
        ``i`` may answer a CSAT and a CES survey."""
        if not self.post_ticket_on:
            return
        r = self.r_survey
        if r.uniform() < survey_response_probability(self.l_pt, self.bias, self.s_ref, s):
            log = self.log
            log.answer(i, now, "post_ticket", "csat", csat_answer(s, self.noise, r.normal()), tid)
            res_h = (now - opened) * HOURS_PER_DAY
            log.answer(i, now, "post_ticket", "ces", ces_answer(res_h, met, self.noise, r.normal()), tid)

    def relationship(self) -> Generator[Any, Any, None]:
        """Process: every ``relationship_interval_days`` ask every acquired customer for an NPS."""
        env = self.env
        gen = self.g_relationship
        c = self.customers
        s0, s_, st, alive = c.s0, c.s, c.st, c.alive
        decay, bias, ref, noise, factor = c.decay_rate, self.bias, self.s_ref, self.noise, self.churned_factor
        base, p_max = self.l_rel, self.rel_max
        while True:
            yield env.timeout(self.interval)
            now = env.now
            idx = c.acquired_index()
            if idx.size == 0:
                continue
            u = gen.random(idx.size)
            noise_z = gen.standard_normal(idx.size)
            # respond iff u < p(s); p(s) <= p_max, so only customers with u < p_max need their
            # satisfaction computed (exact thinning: same draws, same answers, far less work)
            cand = (u < p_max).nonzero()[0]
            who, scores = [], []
            for i, uk, nk in zip(idx[cand].tolist(), u[cand].tolist(), noise_z[cand].tolist()):
                # inlined: model.relaxed_satisfaction
                sat = s0[i] + (s_[i] - s0[i]) * math.exp(-decay * (now - st[i]))
                # inlined: model.relationship_response_probability
                prob = 1.0 / (1.0 + math.exp(-(base + bias * (ref - sat))))
                if not alive[i]:
                    prob *= factor
                if uk < prob:
                    # inlined: model.nps_answer
                    x = round(sat + noise * nk)
                    who.append(i)
                    scores.append(0 if x < 0 else (10 if x > 10 else int(x)))
            self.log.extend(who, now, "relationship", "nps", scores)
