"""Surveys of the reference world: answers are noisy readings of latent satisfaction.

* after an order, a CSAT question (rate ``surveys.post_purchase_rate``);
* after a resolved ticket, CSAT and CES (rate ``surveys.post_ticket_rate``);
* every ``relationship_interval_days``, an NPS question to every customer acquired so far (rate
  ``relationship_rate``; customers who have left answer ``churned_response_factor`` times as often).

Whether a customer answers is :func:`~sim.world.model.survey_response_probability`
``logistic(logit(rate) + nonresponse_bias * (s_ref - s))`` (unhappy customers answer more often
when the bias is positive); the answers are :func:`~sim.world.model.nps_answer`,
:func:`~sim.world.model.csat_answer` and :func:`~sim.world.model.ces_answer` of the satisfaction
``s`` at that moment with standard-normal noise. Every answer records the ``s`` it read
(``true_satisfaction``).

Modes, channels and comments (``surveys.modes``, ``channels``, ``comment_rate``):

* each invitation is in a mode drawn from the mode mix (``named`` / ``anonymous``); the mode
  multiplies the response probability (:func:`~sim.world.model.mode_response_probability`) and
  shifts the reading the answer is based on (:func:`~sim.world.model.survey_reading`);
* each answer comes through a channel drawn from ``channels`` (``""`` when none are given);
* a CSAT or NPS answer carries a free-text comment with probability ``comment_rate``
  (:func:`sim.world.comments.draw_comment`): after a ticket about its cause, from a customer who
  left about the churn reason, otherwise (if negative) about the customer's last bad experience.

The exit survey (``surveys.exit``, a cancellation form, independent of ``surveys.enabled``): a
customer who truly churns answers with ``response_rate``; they state their true reason with
``truthful`` (:func:`~sim.world.model.exit_stated_reason`), otherwise a reason drawn from
``stated_mix``. The row (touchpoint ``exit``, instrument ``reason``, score -1) is observed, the true
reason (``true_reason``) is not.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.config.scenario import Scenario
from sim.world import model
from sim.world.comments import draw_comment
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
    mode_rng, comment_rng : numpy.random.Generator, optional
        Streams of the survey modes and channels, and of the comments (needed when they are on).
    exit_rng : numpy.random.Generator, optional
        Stream of the exit survey (who answers, truthful or not, the reason stated; needed when on).
    """

    def __init__(
        self,
        sc: Scenario,
        rng: np.random.Generator,
        logs: Logs,
        mode_rng: np.random.Generator | None = None,
        comment_rng: np.random.Generator | None = None,
        exit_rng: np.random.Generator | None = None,
    ) -> None:
        srv = sc.surveys
        self.enabled = srv.enabled
        self.srv = srv
        self.s_ref = sc.satisfaction.reference
        self.rng = rng
        self.logs = logs
        modes = {k: m for k, m in srv.modes.items() if m.share > 0.0}
        self.modes = list(modes.values())
        self.mode_names = list(modes)
        self.mode_probs = np.array([m.share for m in self.modes]) / sum(m.share for m in self.modes)
        self.channel_names = list(srv.channels)
        self.channel_probs = np.array([srv.channels[k] for k in self.channel_names], dtype=float)
        self.mode_rng = mode_rng
        self.comment_rng = comment_rng
        ex = srv.exit
        self.exit_survey = ex if ex.enabled else None
        self.exit_rng = exit_rng
        self.stated_names = list(ex.stated_mix)
        stated = np.array([ex.stated_mix[k] for k in self.stated_names], dtype=float)
        self.stated_probs = stated / stated.sum()
        #: called with ``(customer, t, instrument, score)`` for every answer (the firm's records)
        self.on_answer: list[Callable[[int, float, str, int], None]] = []

    # ------------------------------------------------------------------ modes, channels, comments
    def _mode(self) -> int:
        """The mode of one invitation (index into ``mode_names``)."""
        if len(self.modes) == 1 or self.mode_rng is None:
            return 0
        return int(self.mode_rng.choice(len(self.modes), p=self.mode_probs))

    def _channel(self) -> str:
        """The channel of one answer (``""`` when channels are not recorded)."""
        if not self.channel_names or self.mode_rng is None:
            return ""
        total = self.channel_probs.sum()
        return self.channel_names[int(self.mode_rng.choice(len(self.channel_names), p=self.channel_probs / total))]

    def _comment(self, reading: float, cause: str, about_cause: bool) -> str:
        """The free-text comment of one CSAT or NPS answer (``""``: none)."""
        rng = self.comment_rng
        if self.srv.comment_rate <= 0.0 or rng is None:
            return ""
        return draw_comment(reading, cause, about_cause, self.srv.comment_rate, rng.random, rng.standard_normal)

    def _answers(self, p: float, m: int) -> bool:
        """Whether an invitation in mode ``m`` to a customer with mode-free response probability ``p`` is answered."""
        return bool(self.rng.random() < model.mode_response_probability(p, self.modes[m].response_factor))

    def _log(self, row: SurveyRow) -> None:
        self.logs.surveys.append(row)
        for tell in self.on_answer:
            tell(row.customer, row.t, row.instrument, row.score)

    # ------------------------------------------------------------------ the three surveys
    def after_order(self, c: Customer, s: float, now: float) -> None:
        """Post-purchase CSAT, asked right after the order (``s``: satisfaction after it)."""
        rate = self.srv.post_purchase_rate
        if not self.enabled or rate <= 0.0:
            return
        m = self._mode()
        p = model.survey_response_probability(model.rate_logit(rate), self.srv.nonresponse_bias, self.s_ref, s)
        if not self._answers(p, m):
            return
        reading = model.survey_reading(s, self.modes[m].honesty_shift)
        score = model.csat_answer(reading, self.srv.noise_sd, self.rng.standard_normal())
        channel = self._channel()
        comment = self._comment(reading, c.last_bad_cause, False)
        self._log(SurveyRow(c.index, now, "post_purchase", "csat", score, -1, s, self.mode_names[m], channel, comment))

    def after_ticket(self, c: Customer, t: Ticket, s: float, met: bool, now: float) -> None:
        """Post-ticket CSAT and CES, asked at the resolution of ticket ``t`` (one questionnaire:
        one mode, one channel; a comment on the CSAT, about the ticket's cause)."""
        rate = self.srv.post_ticket_rate
        if not self.enabled or rate <= 0.0:
            return
        m = self._mode()
        p = model.survey_response_probability(model.rate_logit(rate), self.srv.nonresponse_bias, self.s_ref, s)
        if not self._answers(p, m):
            return
        noise = self.srv.noise_sd
        reading = model.survey_reading(s, self.modes[m].honesty_shift)
        csat = model.csat_answer(reading, noise, self.rng.standard_normal())
        resolution_h = (now - t.opened_t) * model.HOURS_PER_DAY
        ces = model.ces_answer(resolution_h, met, noise, self.rng.standard_normal())
        mode, channel = self.mode_names[m], self._channel()
        comment = self._comment(reading, t.cause, True)
        self._log(SurveyRow(c.index, now, "post_ticket", "csat", csat, t.index, s, mode, channel, comment))
        self._log(SurveyRow(c.index, now, "post_ticket", "ces", ces, t.index, s, mode, channel, ""))

    def exit_answer(self, c: Customer, now: float) -> None:
        """Customer ``c``, who has just truly churned, may answer the exit survey: with
        ``response_rate``; the stated reason is the true one with ``truthful``, else one drawn from
        ``stated_mix`` (:func:`~sim.world.model.exit_stated_reason`)."""
        ex, rng = self.exit_survey, self.exit_rng
        if ex is None or rng is None or rng.random() >= ex.response_rate:
            return
        v = rng.random()
        other = (
            "" if v < ex.truthful else self.stated_names[int(rng.choice(len(self.stated_names), p=self.stated_probs))]
        )
        stated = model.exit_stated_reason(c.churn_reason, ex.truthful, v, other)
        row = SurveyRow(c.index, now, "exit", "reason", -1, -1, c.s_at_churn, reason=stated, true_reason=c.churn_reason)
        self._log(row)

    def relationship(self, c: Customer, s: float, now: float) -> None:
        """Customer ``c``'s answer (if any) to the periodic NPS survey
        (:func:`~sim.world.model.relationship_response_probability`); one who left comments on
        why they left."""
        rate = self.srv.relationship_rate
        if rate <= 0.0:
            return
        m = self._mode()
        p = model.relationship_response_probability(
            model.rate_logit(rate), self.srv.nonresponse_bias, self.s_ref, s, c.alive, self.srv.churned_response_factor
        )
        if not self._answers(p, m):
            return
        reading = model.survey_reading(s, self.modes[m].honesty_shift)
        score = model.nps_answer(reading, self.srv.noise_sd, self.rng.standard_normal())
        channel = self._channel()
        gone = not c.alive
        comment = self._comment(reading, c.churn_reason if gone else c.last_bad_cause, gone)
        self._log(SurveyRow(c.index, now, "relationship", "nps", score, -1, s, self.mode_names[m], channel, comment))
