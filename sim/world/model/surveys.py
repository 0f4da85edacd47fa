"""Surveys: who answers, and what they answer (NPS, CSAT, CES, relationship NPS).

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
"""

from __future__ import annotations

import math

from sim.world.model.base import (
    ANSWER_NOISE_FACTOR,
    CES_BREACH_PENALTY,
    CES_HALF_HOURS,
    CES_INTERCEPT,
    CES_SLOPE,
    CSAT_INTERCEPT,
    CSAT_SLOPE,
    PROMOTER_MIN,
    S_MAX,
    logistic,
)

__all__ = [
    "survey_response_probability",
    "survey_response_bound",
    "nps_answer",
    "csat_answer",
    "ces_answer",
    "is_promoter",
    "relationship_response_probability",
    "mode_response_probability",
    "survey_reading",
    "comment_sentiment",
    "comment_topic",
    "COMMENT_NEGATIVE_BELOW",
    "COMMENT_POSITIVE_FROM",
    "COMMENT_SENTIMENT_NOISE",
    "COMMENT_CAUSE_SHARE",
]

#: A comment is negative when its (noisy) satisfaction reading is below 6.5 (an NPS detractor, 0-6) ...
COMMENT_NEGATIVE_BELOW = 6.5
#: ... and positive from 8.5 (rounds to a promoter's 9-10); neutral in between.
COMMENT_POSITIVE_FROM = 8.5
#: Satisfaction points of noise in a comment's sentiment reading (its own draw, not the score's).
COMMENT_SENTIMENT_NOISE = 1.0
#: Probability that a comment which has a cause to talk about names it (else a topic of the general mix).
COMMENT_CAUSE_SHARE = 0.8


# ---------------------------------------------------------------------------------- surveys
def survey_response_probability(logit_rate: float, nonresponse_bias: float, s_ref: float, s: float) -> float:
    """Probability of answering a survey: ``logistic(logit(rate) + bias * (s_ref - s))``.

    A positive bias makes unhappy customers answer more often (non-response bias).

    Examples
    --------
    >>> from sim.world.model.base import rate_logit
    >>> round(survey_response_probability(rate_logit(0.1), 0.15, 8.0, 8.0), 6)
    0.1
    """
    return logistic(logit_rate + nonresponse_bias * (s_ref - s))


def survey_response_bound(logit_rate: float, nonresponse_bias: float, s_ref: float) -> float:
    """The largest response probability over ``s`` in [0, 10] (for exact thinning of surveys).

    Examples
    --------
    >>> survey_response_bound(0.0, 0.15, 8.0) == survey_response_probability(0.0, 0.15, 8.0, 0.0)
    True
    """
    return logistic(logit_rate + max(nonresponse_bias * s_ref, nonresponse_bias * (s_ref - S_MAX)))


def nps_answer(s: float, noise_sd: float, z: float) -> int:
    """NPS answer (0-10): satisfaction plus noise ``noise_sd * z`` (z standard normal), rounded.

    Examples
    --------
    >>> nps_answer(8.4, 1.0, 0.0), nps_answer(9.6, 1.0, 1.0), nps_answer(0.2, 1.0, -1.0)
    (8, 10, 0)
    """
    x = round(s + noise_sd * z)
    return 0 if x < 0 else (10 if x > 10 else int(x))


def csat_answer(s: float, noise_sd: float, z: float) -> int:
    """CSAT answer (1-5): ``1 + 0.4 s`` plus half the survey noise, rounded.

    Examples
    --------
    >>> csat_answer(10.0, 1.0, 0.0), csat_answer(5.0, 1.0, 0.0), csat_answer(0.0, 1.0, -2.0)
    (5, 3, 1)
    """
    x = round(CSAT_INTERCEPT + CSAT_SLOPE * s + ANSWER_NOISE_FACTOR * noise_sd * z)
    return 1 if x < 1 else (5 if x > 5 else int(x))


def ces_answer(resolution_h: float, met: bool, noise_sd: float, z: float) -> int:
    """Customer-effort answer (1-7, lower is better): grows with the hours to resolution and a breach.

    ``1 + 1.2 log2(1 + hours / 2) + (1 if breached) + noise``, rounded and clipped.

    Examples
    --------
    >>> ces_answer(0.0, True, 1.0, 0.0), ces_answer(6.0, True, 1.0, 0.0), ces_answer(48.0, False, 1.0, 0.0)
    (1, 3, 7)
    """
    x = round(
        CES_INTERCEPT
        + CES_SLOPE * math.log2(1.0 + resolution_h / CES_HALF_HOURS)
        + (0.0 if met else CES_BREACH_PENALTY)
        + ANSWER_NOISE_FACTOR * noise_sd * z
    )
    return 1 if x < 1 else (7 if x > 7 else int(x))


def is_promoter(s: float) -> bool:
    """Whether a customer is a promoter (satisfaction at least :data:`PROMOTER_MIN`) and may refer.

    Examples
    --------
    >>> is_promoter(9.0), is_promoter(8.99)
    (True, False)
    """
    return s >= PROMOTER_MIN


def relationship_response_probability(
    logit_rate: float, nonresponse_bias: float, s_ref: float, s: float, alive: bool, churned_factor: float
) -> float:
    """Probability of answering the periodic NPS survey: :func:`survey_response_probability`,
    times ``churned_response_factor`` for a customer who has (truly) left.

    Examples
    --------
    >>> p = survey_response_probability(0.0, 0.15, 8.0, 8.0)
    >>> relationship_response_probability(0.0, 0.15, 8.0, 8.0, False, 0.3) == p * 0.3
    True
    """
    prob = survey_response_probability(logit_rate, nonresponse_bias, s_ref, s)
    return prob if alive else prob * churned_factor


# ---------------------------------------------------------------------------------- survey modes
def mode_response_probability(p: float, response_factor: float) -> float:
    """Response probability of an invitation in a survey mode: ``min(1, p * response_factor)``.

    ``p`` is the mode-free probability (:func:`survey_response_probability` or
    :func:`relationship_response_probability`); ``response_factor`` the mode's
    (``surveys.modes[m].response_factor``).

    Examples
    --------
    >>> mode_response_probability(0.2, 1.5), mode_response_probability(0.8, 1.5)
    (0.30000000000000004, 1.0)
    """
    q = p * response_factor
    return 1.0 if q > 1.0 else q


def survey_reading(s: float, honesty_shift: float) -> float:
    """The satisfaction an answer reads (before its noise): latent ``s`` plus the mode's honesty shift.

    Named answers are politer (``honesty_shift > 0``); the instruments clip their scales
    (:func:`nps_answer`, :func:`csat_answer`). CES answers do not read satisfaction.

    Examples
    --------
    >>> survey_reading(7.0, 0.5), nps_answer(survey_reading(8.4, 0.5), 1.0, 0.0)
    (7.5, 9)
    """
    return s + honesty_shift


# ---------------------------------------------------------------------------------- comments
def comment_sentiment(s: float, z: float) -> int:
    """Sentiment of a free-text comment: -1 (negative), 0 (neutral) or +1 (positive).

    The reading ``s + COMMENT_SENTIMENT_NOISE * z`` (``z`` standard normal) is negative below
    :data:`COMMENT_NEGATIVE_BELOW` (a detractor's 0-6) and positive from
    :data:`COMMENT_POSITIVE_FROM` (a promoter's 9-10).

    Examples
    --------
    >>> comment_sentiment(5.0, 0.0), comment_sentiment(7.5, 0.0), comment_sentiment(9.2, 0.0)
    (-1, 0, 1)
    >>> comment_sentiment(7.5, -1.5)
    -1
    """
    x = s + COMMENT_SENTIMENT_NOISE * z
    return -1 if x < COMMENT_NEGATIVE_BELOW else (1 if x >= COMMENT_POSITIVE_FROM else 0)


def comment_topic(cause_topic: str, about_cause: bool, u: float, general_topic: str) -> str:
    """Topic of a free-text comment: the customer's cause, or a topic of the general mix.

    A comment with a cause to talk about (``about_cause``: after a ticket its cause, a churned
    customer's churn reason, a negative comment of a customer with a bad experience) names that
    cause's topic with probability :data:`COMMENT_CAUSE_SHARE` (``u`` uniform); every other
    comment takes ``general_topic`` (drawn from the general mix, :data:`sim.world.comments.TOPIC_MIX`).

    Examples
    --------
    >>> comment_topic("price", True, 0.3, "delivery"), comment_topic("price", True, 0.9, "delivery")
    ('price', 'delivery')
    >>> comment_topic("", True, 0.0, "delivery"), comment_topic("price", False, 0.0, "quality")
    ('delivery', 'quality')
    """
    return cause_topic if cause_topic and about_cause and u < COMMENT_CAUSE_SHARE else general_topic
