"""Satisfaction metrics (NPS, CSAT, CES) with confidence intervals, and bad-review alerts.

Libraries doing the work: statsmodels (Wilson interval for CSAT,
:func:`statsmodels.stats.proportion.proportion_confint`; t interval for CES,
:class:`statsmodels.stats.weightstats.DescrStatsW`), scipy (exact binomial test and
binomial tail for alerts), pandas (periods and grouping).

Hand-written: the NPS interval, three lines. NPS is the difference of two proportions
estimated from the *same* sample (promoters P and detractors D are multinomial cells), so
neither a one-proportion nor a two-sample interval from a library applies. With
``X = +1`` for a promoter, ``0`` for a passive and ``-1`` for a detractor, NPS/100 is the mean
of X and ``Var(P - D) = (P + D - (P - D)^2) / n`` (multinomial variance); the interval is
the Wald interval ``100 * [(P - D) +/- z * sqrt(Var)]``, clipped to [-100, 100]. It is poor
for small n or when nearly everyone is in one class (its width goes to 0).

Scales (see the data dictionary, ``sim/schema/``): NPS 0-10 (promoters 9-10, passives 7-8, detractors
0-6), CSAT 1-5 (satisfied = 4 or 5), CES 1-7 (lower = less effort). Scores must be
integers on the instrument's scale; anything else raises :class:`sim.errors.DataError`.

Every interval is at ``confidence`` (default 0.95 = 95 %), a keyword argument of each
function.

The alert rule comes from seed 002: "weekly negative-review rate above 5% -> alert". A rate
from a small week is noisy: with 20 answers a week and a true bad rate of 3% (better than the
threshold), the rule still fires in 12% of weeks (:func:`false_alarm_probability`).
:func:`bad_review_alerts` therefore also reports an exact binomial p-value against the threshold.

Modules (everything public is re-exported here, so ``from sim.analysis.satisfaction import
nps`` works as before)::

    metrics     Estimate, SCALES, nps, csat, ces (one sample of answers -> estimate and interval)
    monitoring  DEFAULT_BAD, satisfaction_series, bad_review_alerts, false_alarm_probability
    weighting   nonresponse_weights (post-stratification, raking), weighted_nps
    text        DEFAULT_KEYWORDS, DEFAULT_LEXICON, tag_comments, comment_sentiment (English and Chinese)
    alerts      the firm's weekly rule: alerts.bad_review_alerts (windows, CSAT and NPS, min_answers),
                false_alarm_rate

``bad_review_alerts`` at package level is the calendar-period version of ``monitoring`` (exact
binomial test); the firm's windowed rule is ``satisfaction.alerts.bad_review_alerts``.

Examples
--------
>>> from sim.analysis.satisfaction import nps
>>> nps([10, 9, 8, 7, 6, 0])   # (2 promoters - 2 detractors) / 6 answers
NPS = 0 (95% CI -65.33 to 65.33, n = 6)
"""

from __future__ import annotations

from sim.analysis.satisfaction.alerts import false_alarm_rate
from sim.analysis.satisfaction.metrics import SCALES, Estimate, ces, csat, nps
from sim.analysis.satisfaction.monitoring import (
    DEFAULT_BAD,
    bad_review_alerts,
    false_alarm_probability,
    satisfaction_series,
)
from sim.analysis.satisfaction.text import DEFAULT_KEYWORDS, DEFAULT_LEXICON, comment_sentiment, tag_comments
from sim.analysis.satisfaction.weighting import nonresponse_weights, weighted_nps

__all__ = [
    "Estimate",
    "SCALES",
    "DEFAULT_BAD",
    "nps",
    "csat",
    "ces",
    "satisfaction_series",
    "bad_review_alerts",
    "false_alarm_probability",
    "false_alarm_rate",
    "nonresponse_weights",
    "weighted_nps",
    "DEFAULT_KEYWORDS",
    "DEFAULT_LEXICON",
    "tag_comments",
    "comment_sentiment",
]
