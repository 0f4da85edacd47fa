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
]


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
