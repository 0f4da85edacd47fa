"""Surveys: post-purchase CSAT, post-ticket CSAT and CES, and the periodic relationship NPS.

Answers are noisy readings of the customer's latent satisfaction ``s``
(:func:`~sim.world.model.csat_answer`, :func:`~sim.world.model.ces_answer`,
:func:`~sim.world.model.nps_answer`); whether a customer answers at all depends on ``s``
(:func:`~sim.world.model.survey_response_probability`: with ``nonresponse_bias > 0`` unhappy
customers answer more often). Churned customers still answer relationship surveys, less often
(``surveys.churned_response_factor``). Every answer records the latent ``s`` it read
(``true_satisfaction``).

Modes, channels and comments (all off by default; then nothing extra is drawn):

* each invitation is ``named`` or ``anonymous`` (``surveys.modes``, stream ``survey.mode``); the mode
  multiplies the response probability (:func:`~sim.world.model.mode_response_probability`) and
  shifts the reading (:func:`~sim.world.model.survey_reading`: named answers are politer);
* each answer records a channel (``surveys.channels``, stream ``survey.mode``);
* a CSAT or NPS answer carries a templated comment with probability ``surveys.comment_rate``
  (stream ``survey.comment``; sentiment :func:`~sim.world.model.comment_sentiment`, topic
  :func:`~sim.world.model.comment_topic`, templates :mod:`sim.world.comments`): after a ticket it
  talks about the ticket's cause, a churned customer about the churn reason, an unhappy customer
  about their last bad experience.

Exit survey (``surveys.exit``, off by default; :class:`ExitSurveys`): a customer who truly churns
answers a cancellation form with ``response_rate``, stating the true reason with ``truthful`` and
otherwise a reason from ``stated_mix`` (stream ``survey.exit``); a ``surveys`` row with touchpoint
``exit``, instrument ``reason``, score -1, ``reason`` (stated, observed) and ``true_reason`` (latent).

Exact thinning: the response probability never exceeds its bound over the 0-10 scale
(:func:`~sim.world.model.survey_response_bound`, times the largest mode factor), so a customer
whose uniform draw is above the bound cannot answer, and their satisfaction need not be computed.
The same draws give the same answers as computing every probability, with far less work.

Examples
--------
>>> import sim
>>> res = sim.run("baseline", customers=300, days=200, seed=1)
>>> sorted(res.surveys["instrument"].unique())
['ces', 'csat', 'nps']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from operator import itemgetter
from typing import Any

import numpy as np
import simpy

from sim.config.scenario import Scenario
from sim.world.comments import draw_comment
from sim.world.logs import SurveyLog
from sim.world.model import (
    HOURS_PER_DAY,
    ces_answer,
    csat_answer,
    exit_stated_reason,
    mode_response_probability,
    rate_logit,
    survey_reading,
    survey_response_bound,
    survey_response_probability,
)
from sim.world.rng import Buffered, Categorical, Streams
from sim.world.state import Customers

__all__ = ["Surveys", "ExitSurveys", "RESPONSE_MARGIN"]

#: Safety margin of the vectorised pre-test of relationship answers (:meth:`Surveys._may_answer`):
#: a response probability computed with NumPy's ``exp`` is within ~1e-15 of the exact one.
RESPONSE_MARGIN = 1e-9


class Surveys:
    """The survey mechanism of one world: who answers which survey, and what.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
        ``surveys`` (rates, noise, bias, relationship interval, modes, channels, comments) and
        ``satisfaction.reference``.
    customers : Customers
    log : SurveyLog
        Where answers go.
    streams : Streams
        Draws come from the ``survey`` (per event) and ``survey.relationship`` (per wave) streams;
        modes and channels from ``survey.mode``, comments from ``survey.comment`` (only when on).
    ticket_causes : list of str, optional
        The ticket log's causes (``TicketLog.cause``): what a post-ticket comment talks about.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.population import draw_population
    >>> from sim.world.rng import Streams
    >>> from sim.world.logs import SurveyLog
    >>> from sim.world.state import Customers
    >>> sc = sim.Scenario.load("baseline").updated({"surveys.post_purchase_rate": 1.0, "surveys.nonresponse_bias": 0.0})
    >>> c = Customers(draw_population(sc, 1, 30.0, Streams(0)), 0.01)
    >>> log = SurveyLog()
    >>> sv = Surveys(simpy.Environment(), sc, c, log, Streams(0))
    >>> sv.post_purchase(0, 0.0, 9.0)           # a response rate of 1: everyone answers
    >>> list(log.score), log.instrument, list(log.true_s), log.mode
    ([5], ['csat'], [9.0], ['named'])
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        customers: Customers,
        log: SurveyLog,
        streams: Streams,
        ticket_causes: list[str] | None = None,
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
        self.ticket_causes: list[str] = ticket_causes if ticket_causes is not None else []
        # modes with a positive share: name, factor, shift; a draw only when there are several
        modes = {k: m for k, m in srv.modes.items() if m.share > 0.0}
        self.mode_names: list[str] = list(modes)
        self.mode_factor: list[float] = [m.response_factor for m in modes.values()]
        self.mode_shift: list[float] = [m.honesty_shift for m in modes.values()]
        self.mode_mix = Categorical({k: m.share for k, m in modes.items()}) if len(modes) > 1 else None
        self.channel_mix = Categorical(srv.channels) if srv.channels else None
        self.comment_rate = srv.comment_rate
        #: whether modes, channels or comments are on (else the plain paths run and draw nothing extra)
        self.mixed = (
            self.mode_mix is not None
            or self.mode_names != ["named"]
            or self.mode_factor != [1.0]
            or self.mode_shift != [0.0]
            or self.channel_mix is not None
            or self.comment_rate > 0.0
        )
        self.r_mode: Buffered | None = (
            streams.buffered("survey.mode") if self.mode_mix is not None or self.channel_mix is not None else None
        )
        self.r_comment: Buffered | None = streams.buffered("survey.comment") if self.comment_rate > 0.0 else None
        # upper bounds of the response probabilities over s in [0, 10] (exact thinning)
        self.pp_max = survey_response_bound(self.l_pp, self.bias, self.s_ref)
        self.rel_max = survey_response_bound(self.l_rel, self.bias, self.s_ref)
        self.f_max = max(self.mode_factor)
        self.pp_bound = min(1.0, self.pp_max * self.f_max)
        self.rel_bound = min(1.0, self.rel_max * self.f_max)
        self.mode_index = {k: j for j, k in enumerate(self.mode_names)}

    def purchase_callback(self) -> Callable[[int, float, float], None] | None:
        """The post-purchase survey the lifecycle calls after each order (``None`` when off):
        :meth:`post_purchase`, or :meth:`post_purchase_mixed` with modes, channels or comments on."""
        if not self.post_purchase_on:
            return None
        return self.post_purchase_mixed if self.mixed else self.post_purchase

    def post_purchase(self, i: int, now: float, s: float) -> None:
        """After an order: customer ``i`` (satisfaction ``s`` now) may answer a CSAT survey (hot path)."""
        r = self.r_survey
        u = r.uniform()
        if u < self.pp_max:  # p(s) <= pp_max: only then is the exact probability needed
            # inlined: model.survey_response_probability
            if u < 1.0 / (1.0 + math.exp(-(self.l_pp + self.bias * (self.s_ref - s)))):
                self.log.answer(i, now, "post_purchase", "csat", csat_answer(s, self.noise, r.normal()), -1, s)

    def post_purchase_mixed(self, i: int, now: float, s: float) -> None:
        """:meth:`post_purchase` with survey modes, channels and comments (same ``survey`` draws)."""
        r = self.r_survey
        u = r.uniform()
        if u < self.pp_bound:  # p(s) * factor <= pp_bound
            m = self._mode()
            # inlined: model.survey_response_probability, then model.mode_response_probability
            # (u < 1 always, so the cap at 1 needs no test)
            if u < self.mode_factor[m] / (1.0 + math.exp(-(self.l_pp + self.bias * (self.s_ref - s)))):
                reading = s + self.mode_shift[m]  # inlined: model.survey_reading
                score = csat_answer(reading, self.noise, r.normal())
                channel = self._channel()
                comment = self._comment(reading, self.customers.bad_cause[i], False)
                self.log.answer(i, now, "post_purchase", "csat", score, -1, s, self.mode_names[m], channel, comment)

    def post_ticket(self, i: int, now: float, s: float, tid: int, met: bool, opened: float) -> None:
        """After a resolved ticket ``tid`` (opened at day ``opened``, SLA ``met`` or not): customer
        ``i`` may answer a CSAT and a CES survey (one questionnaire: one mode, channel and comment)."""
        if not self.post_ticket_on:
            return
        r = self.r_survey
        log = self.log
        u = r.uniform()
        p = survey_response_probability(self.l_pt, self.bias, self.s_ref, s)
        if not self.mixed:
            if u < p:
                log.answer(i, now, "post_ticket", "csat", csat_answer(s, self.noise, r.normal()), tid, s)
                res_h = (now - opened) * HOURS_PER_DAY
                log.answer(i, now, "post_ticket", "ces", ces_answer(res_h, met, self.noise, r.normal()), tid, s)
            return
        if u >= p * self.f_max:  # no mode makes this customer answer: no mode drawn
            return
        m = self._mode()
        if u < mode_response_probability(p, self.mode_factor[m]):
            reading = survey_reading(s, self.mode_shift[m])
            csat = csat_answer(reading, self.noise, r.normal())
            res_h = (now - opened) * HOURS_PER_DAY
            ces = ces_answer(res_h, met, self.noise, r.normal())
            mode, channel = self.mode_names[m], self._channel()
            cause = self.ticket_causes[tid] if tid < len(self.ticket_causes) else ""
            comment = self._comment(reading, cause, True)
            log.answer(i, now, "post_ticket", "csat", csat, tid, s, mode, channel, comment)
            log.answer(i, now, "post_ticket", "ces", ces, tid, s, mode, channel, "")

    def relationship(self) -> Generator[Any, Any, None]:
        """Process: every ``relationship_interval_days`` ask every acquired customer for an NPS."""
        env = self.env
        gen = self.g_relationship
        c = self.customers
        s0, s_, st, alive = c.s0, c.s, c.st, c.alive
        decay, bias, ref, noise, factor = c.decay_rate, self.bias, self.s_ref, self.noise, self.churned_factor
        base, p_max = self.l_rel, self.rel_bound
        mixed, m_factor, m_shift, m_names = self.mixed, self.mode_factor, self.mode_shift, self.mode_names
        churn_reason, bad_cause = c.churn_reason, c.bad_cause
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
            if not mixed and cand.size:  # no mode draws per candidate: a second, vectorised thinning
                cand = cand[self._may_answer(idx[cand].tolist(), u[cand], now)]
            who, scores, sats = [], [], []
            modes: list[str] = []
            channels: list[str] = []
            comments: list[str] = []
            for i, uk, nk in zip(idx[cand].tolist(), u[cand].tolist(), noise_z[cand].tolist()):
                # inlined: model.relaxed_satisfaction
                sat = s0[i] + (s_[i] - s0[i]) * math.exp(-decay * (now - st[i]))
                # inlined: model.relationship_response_probability
                prob = 1.0 / (1.0 + math.exp(-(base + bias * (ref - sat))))
                if not alive[i]:
                    prob *= factor
                m = 0
                if mixed:
                    m = self._mode()
                    prob *= m_factor[m]  # inlined: model.mode_response_probability (u < 1: no cap needed)
                if uk < prob:
                    reading = sat + m_shift[m]  # inlined: model.survey_reading
                    # inlined: model.nps_answer
                    x = round(reading + noise * nk)
                    who.append(i)
                    scores.append(0 if x < 0 else (10 if x > 10 else int(x)))
                    sats.append(sat)
                    if mixed:
                        modes.append(m_names[m])
                        channels.append(self._channel())
                        gone = not alive[i]
                        comments.append(self._comment(reading, churn_reason[i] if gone else bad_cause[i], gone))
            if mixed:
                self.log.extend(who, now, "relationship", "nps", scores, sats, modes, channels, comments)
            else:
                self.log.extend(who, now, "relationship", "nps", scores, sats)

    def _may_answer(self, ids: list[int], u: np.ndarray, now: float) -> np.ndarray:
        """Which of customers ``ids`` (uniforms ``u``) may answer a relationship survey now.

        The relationship loop's exact test, ``u < p(s)``, vectorised with NumPy (the satisfaction
        and response probability of :meth:`relationship`, for every candidate at once). NumPy's
        ``exp`` may differ from :func:`math.exp` in the last bit, so this keeps every customer with
        ``u < p + RESPONSE_MARGIN`` (far above any rounding difference) and the exact loop decides;
        a customer dropped here fails the exact test too. Same draws, same answers; the
        Python loop runs only for the few customers near or below their probability.
        """
        c = self.customers
        if len(ids) == 1:
            s0, s, st, alive = ([a[ids[0]]] for a in (c.s0, c.s, c.st, c.alive))
        else:
            get = itemgetter(*ids)
            s0, s, st, alive = get(c.s0), get(c.s), get(c.st), get(c.alive)
        s0_ = np.array(s0, dtype=float)
        # model.relaxed_satisfaction, then model.relationship_response_probability, vectorised
        sat = s0_ + (np.array(s, dtype=float) - s0_) * np.exp(-c.decay_rate * (now - np.array(st, dtype=float)))
        prob = 1.0 / (1.0 + np.exp(-(self.l_rel + self.bias * (self.s_ref - sat))))
        prob = np.where(np.array(alive, dtype=bool), prob, prob * self.churned_factor)
        return u < prob + RESPONSE_MARGIN

    # ------------------------------------------------------------------ modes, channels, comments
    def _mode(self) -> int:
        """Index of the mode of one invitation (a ``survey.mode`` draw only with several modes)."""
        if self.mode_mix is None or self.r_mode is None:
            return 0
        return self.mode_index[self.mode_mix.draw(self.r_mode.uniform())]

    def _channel(self) -> str:
        """The channel of one answer (``""`` when channels are off; else a ``survey.mode`` draw)."""
        if self.channel_mix is None or self.r_mode is None:
            return ""
        return self.channel_mix.draw(self.r_mode.uniform())

    def _comment(self, reading: float, cause: str, about_cause: bool) -> str:
        """The free-text comment of one CSAT / NPS answer (``""``: none), from the ``survey.comment`` stream.

        ``reading`` is the satisfaction the answer read; ``cause`` the customer's cause to talk about
        (a complaint cause, churn reason or last bad experience; ``""``: none); ``about_cause``
        whether the comment talks about it even when not negative (after a ticket, after churning).
        """
        rc = self.r_comment
        if rc is None:
            return ""
        return draw_comment(reading, cause, about_cause, self.comment_rate, rc.uniform, rc.normal)


class ExitSurveys:
    """The exit survey of one world: a truly churning customer may say why they leave (CH3).

    Per churn, from the ``survey.exit`` stream: one uniform ``u``; the customer answers iff
    ``u < response_rate``; then one uniform ``v``: the stated reason is the true one iff
    ``v < truthful`` (:func:`~sim.world.model.exit_stated_reason`), else a third uniform draws it
    from ``stated_mix`` (:class:`~sim.world.rng.Categorical`, the mix's order). Non-answers draw
    one uniform, answers two or three.

    Parameters
    ----------
    sc : Scenario
        ``surveys.exit``.
    log : SurveyLog
    streams : Streams

    Examples
    --------
    >>> import sim
    >>> from sim.world.logs import SurveyLog
    >>> from sim.world.rng import Streams
    >>> sc = sim.Scenario.load("baseline").updated({"surveys.exit": {"enabled": True, "response_rate": 1.0,
    ...                                                             "truthful": 1.0}})
    >>> log = SurveyLog()
    >>> ExitSurveys(sc, log, Streams(0)).churned(4, 12.0, "service", 5.5)
    >>> log.touchpoint, log.exit_reason, log.exit_true
    (['exit'], ['service'], ['service'])
    """

    def __init__(self, sc: Scenario, log: SurveyLog, streams: Streams) -> None:
        ex = sc.surveys.exit
        self.log = log
        self.response_rate = ex.response_rate
        self.truthful = ex.truthful
        self.stated_mix = Categorical(ex.stated_mix)
        self.r_exit = streams.buffered("survey.exit")

    def churned(self, i: int, now: float, true_reason: str, s: float) -> None:
        """Customer ``i`` (satisfaction ``s``) truly churned now for ``true_reason``: maybe an answer."""
        r = self.r_exit
        if r.uniform() >= self.response_rate:
            return
        u_truth = r.uniform()
        other = true_reason if u_truth < self.truthful else self.stated_mix.draw(r.uniform())
        self.log.exit_answer(i, now, exit_stated_reason(true_reason, self.truthful, u_truth, other), true_reason, s)


def exit_survey_callback(
    sc: Scenario, log: SurveyLog, streams: Streams
) -> Callable[[int, float, str, float], None] | None:
    """The exit survey a lifecycle calls at each true churn (``None`` when ``surveys.exit`` is off).

    Examples
    --------
    >>> import sim
    >>> from sim.world.logs import SurveyLog
    >>> from sim.world.rng import Streams
    >>> exit_survey_callback(sim.Scenario.load("baseline"), SurveyLog(), Streams(0)) is None
    True
    """
    if not sc.surveys.exit.enabled:
        return None
    return ExitSurveys(sc, log, streams).churned
