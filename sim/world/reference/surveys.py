"""Surveys of the reference world: answers are noisy readings of latent satisfaction.

* after an order, a CSAT question (rate ``surveys.post_purchase_rate``);
* after a resolved ticket, CSAT and CES (rate ``surveys.post_ticket_rate``);
* every ``relationship_interval_days``, an NPS question to every customer acquired so far (rate
  ``relationship_rate``; customers who have left answer ``churned_response_factor`` times as often).

Whether a customer answers is :func:`~sim.world.model.survey_response_probability`
``logistic(logit(rate) + nonresponse_bias * (s_ref - s))`` (unhappy customers answer more often
when the bias is positive); the answers are :func:`~sim.world.model.nps_answer`,
:func:`~sim.world.model.csat_answer` and :func:`~sim.world.model.ces_answer` of the satisfaction
``s`` at that moment with standard-normal noise.
"""

from __future__ import annotations

import numpy as np

from sim.config.scenario import Scenario
from sim.world import model
from sim.world.reference.state import Customer, Logs, SurveyRow, Ticket

__all__ = ["Surveys"]


class Surveys:
    """Ask, and log the answers (the ``surveys`` table).

    Parameters
    ----------
    sc : Scenario
    rng : numpy.random.Generator
        The survey stream (who answers, and the answers' noise).
    logs : Logs
    """

    def __init__(self, sc: Scenario, rng: np.random.Generator, logs: Logs) -> None:
        srv = sc.surveys
        self.enabled = srv.enabled
        self.srv = srv
        self.s_ref = sc.satisfaction.reference
        self.rng = rng
        self.logs = logs

    def _answers(self, rate: float, s: float, factor: float = 1.0) -> bool:
        """Whether a customer with satisfaction ``s`` answers a survey sent with this base rate."""
        if rate <= 0.0:
            return False
        p = model.survey_response_probability(model.rate_logit(rate), self.srv.nonresponse_bias, self.s_ref, s)
        return self.rng.random() < p * factor

    def _log(self, c: Customer, now: float, touchpoint: str, instrument: str, score: int, ticket: int = -1) -> None:
        self.logs.surveys.append(SurveyRow(c.index, now, touchpoint, instrument, score, ticket))

    def after_order(self, c: Customer, s: float, now: float) -> None:
        """Post-purchase CSAT, asked right after the order (``s``: satisfaction after it)."""
        if self.enabled and self._answers(self.srv.post_purchase_rate, s):
            self._log(
                c, now, "post_purchase", "csat", model.csat_answer(s, self.srv.noise_sd, self.rng.standard_normal())
            )

    def after_ticket(self, c: Customer, t: Ticket, s: float, met: bool, now: float) -> None:
        """Post-ticket CSAT and CES, asked at the resolution of ticket ``t``."""
        if not (self.enabled and self._answers(self.srv.post_ticket_rate, s)):
            return
        noise = self.srv.noise_sd
        self._log(c, now, "post_ticket", "csat", model.csat_answer(s, noise, self.rng.standard_normal()), t.index)
        resolution_h = (now - t.opened_t) * model.HOURS_PER_DAY
        self._log(
            c,
            now,
            "post_ticket",
            "ces",
            model.ces_answer(resolution_h, met, noise, self.rng.standard_normal()),
            t.index,
        )

    def relationship(self, c: Customer, s: float, now: float) -> None:
        """Customer ``c``'s answer (if any) to the periodic NPS survey
        (:func:`~sim.world.model.relationship_response_probability`)."""
        rate = self.srv.relationship_rate
        p = model.relationship_response_probability(
            model.rate_logit(rate), self.srv.nonresponse_bias, self.s_ref, s, c.alive, self.srv.churned_response_factor
        )
        if rate > 0.0 and self.rng.random() < p:
            self._log(c, now, "relationship", "nps", model.nps_answer(s, self.srv.noise_sd, self.rng.standard_normal()))
