"""Constants and the small helpers every equation uses (logistic and logit).

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
"""

from __future__ import annotations

import math

__all__ = [
    "logistic",
    "logit",
    "rate_logit",
    "HOURS_PER_DAY",
    "S_MIN",
    "S_MAX",
    "PROMOTER_MIN",
    "PROB_EPS",
    "RATE_EPS",
    "ATTRIBUTION_SPAN",
    "CSAT_INTERCEPT",
    "CSAT_SLOPE",
    "CES_INTERCEPT",
    "CES_SLOPE",
    "CES_HALF_HOURS",
    "CES_BREACH_PENALTY",
    "ANSWER_NOISE_FACTOR",
]

# ---------------------------------------------------------------------------------- constants
#: Hours in a day: desk targets and handling times are in hours, the clock in days.
HOURS_PER_DAY = 24.0
#: Bounds of the satisfaction scale.
S_MIN = 0.0
S_MAX = 10.0
#: A customer with satisfaction at or above this is a promoter (NPS 9-10) and may refer.
PROMOTER_MIN = 9.0
#: Latent dropout probabilities are kept this far inside (0, 1) so their logit is finite.
PROB_EPS = 1e-12
#: Survey response rates are kept this far inside (0, 1) before taking their logit.
RATE_EPS = 1e-9
#: A dropout is blamed on the last bad experience with probability (s_ref - s) / ATTRIBUTION_SPAN.
ATTRIBUTION_SPAN = 3.0
#: CSAT (1-5) answer = CSAT_INTERCEPT + CSAT_SLOPE * s + noise.
CSAT_INTERCEPT = 1.0
CSAT_SLOPE = 0.4
#: CES (1-7) answer = CES_INTERCEPT + CES_SLOPE * log2(1 + hours / CES_HALF_HOURS) + breach penalty + noise.
CES_INTERCEPT = 1.0
CES_SLOPE = 1.2
CES_HALF_HOURS = 2.0
CES_BREACH_PENALTY = 1.0
#: CSAT and CES answers carry this fraction of the survey noise (their scales are narrower than NPS's).
ANSWER_NOISE_FACTOR = 0.5

_LN2 = math.log(2.0)


# ---------------------------------------------------------------------------------- helpers
def logistic(z: float) -> float:
    """The logistic function ``1 / (1 + exp(-z))`` (a probability).

    Examples
    --------
    >>> logistic(0.0)
    0.5
    """
    return 1.0 / (1.0 + math.exp(-z))


def logit(p: float) -> float:
    """The log-odds ``log(p / (1 - p))`` of a probability in (0, 1).

    Examples
    --------
    >>> logit(0.5)
    0.0
    """
    return math.log(p / (1.0 - p))


def rate_logit(rate: float) -> float:
    """The logit of a survey response rate, kept :data:`RATE_EPS` inside (0, 1).

    Examples
    --------
    >>> round(rate_logit(0.0), 2), rate_logit(0.5)
    (-20.72, 0.0)
    """
    return logit(min(max(rate, RATE_EPS), 1 - RATE_EPS))
