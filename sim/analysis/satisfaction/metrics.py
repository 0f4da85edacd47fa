"""Satisfaction metrics from one sample of answers: NPS, CSAT and CES with confidence intervals.

Holds the instrument scales (:data:`SCALES`), the result type :class:`Estimate`, the check of
answers against an instrument's scale, and :func:`nps` (hand-written Wald interval from the
multinomial variance of P - D), :func:`csat` (Wilson interval, statsmodels
``proportion_confint``) and :func:`ces` (Student t interval, statsmodels ``DescrStatsW``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from sim.analysis._validate import check_confidence, refuse_text, require_columns, significance_level
from sim.errors import DataError

__all__ = ["Estimate", "SCALES", "nps", "csat", "ces"]

#: Allowed score range (inclusive) per instrument.
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


@dataclass(frozen=True)
class Estimate:
    """A satisfaction metric with its confidence interval.

    Attributes
    ----------
    metric : str
        ``"nps"``, ``"csat"`` or ``"ces"``.
    value : float
        The estimate (NPS in points -100..100, CSAT a share 0..1, CES a mean 1..7).
    ci_low, ci_high : float
        Confidence interval bounds (NaN when undefined, e.g. CES with one answer).
    n : int
        Number of answers.
    confidence : float
        Confidence level of the interval (0.95 = 95 %).
    method : str
        How the interval was computed.
    shares : dict
        NPS only: shares of ``promoters``, ``passives`` and ``detractors``.

    Examples
    --------
    >>> e = csat([5, 4, 1, 2], confidence=0.9)
    >>> e.value, e.confidence, e.method
    (0.5, 0.9, 'Wilson score interval')
    """

    metric: str
    value: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float
    method: str
    shares: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"{self.metric.upper()} = {self.value:.4g} ({100 * self.confidence:.0f}% CI "
            f"{self.ci_low:.4g} to {self.ci_high:.4g}, n = {self.n})"
        )

    def to_series(self) -> pd.Series:
        """The result as a Series (``value``, ``ci_low``, ``ci_high``, ``n`` and any shares).

        Examples
        --------
        >>> csat([5, 4, 1]).to_series()[["value", "n"]].tolist()
        [0.666..., 3.0]
        """
        d = {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high, "n": float(self.n)}
        return pd.Series({**d, **self.shares}, name=self.metric)


def _check_scores(scores: Iterable[float], instrument: str) -> np.ndarray:
    """Validate answers on one instrument's scale; return them as a float array."""
    lo, hi = SCALES[instrument]
    if isinstance(scores, pd.DataFrame):
        raise DataError("expected a 1-D sequence of scores, got a DataFrame", table=instrument)
    s = scores if isinstance(scores, pd.Series) else pd.Series(list(np.atleast_1d(np.asarray(scores, dtype=object))))
    refuse_text(s, table=f"{instrument} scores", column="score", what="numeric answers")
    df = require_columns(s.to_frame("score"), {"score": "number"}, table=f"{instrument} scores")
    v = df["score"].to_numpy(dtype=float)
    bad = df.index[(v < lo) | (v > hi) | (v != np.round(v))]
    if len(bad):
        raise DataError(
            f"{instrument.upper()} scores must be integers {lo}..{hi}; found {v[(v < lo) | (v > hi) | (v != np.round(v))][:3].tolist()}",
            table=f"{instrument} scores",
            column="score",
            rows=bad,
        )
    return v


def _z(confidence: float) -> float:
    """Two-sided normal quantile z_{1 - alpha/2} for a ``confidence`` interval (checked)."""
    alpha = significance_level(check_confidence(confidence))
    return float(stats.norm.ppf(1 - alpha / 2))


def nps(scores: Iterable[float], *, confidence: float = 0.95) -> Estimate:
    """Net Promoter Score with a Wald confidence interval from the multinomial variance.

    Parameters
    ----------
    scores : sequence of int
        Answers on the 0-10 scale.
    confidence : float
        Confidence level of the interval, strictly between 0 and 1 (0.95 gives a 95%
        interval).

    Returns
    -------
    Estimate
        ``value`` in points (-100..100), ``ci_low``, ``ci_high``, ``n``; ``shares`` holds
        the shares of promoters (9-10), passives (7-8) and detractors (0-6).

    Raises
    ------
    DataError
        Scores that are not integers 0..10.
    ConfigError
        A ``confidence`` outside (0, 1).

    Notes
    -----
    ``value = 100 (P - D)``; ``se = 100 sqrt((P + D - (P - D)^2) / n)``;
    ``ci = value +/- z se`` with z the ``(1 + confidence) / 2`` normal quantile, clipped to
    [-100, 100].

    Examples
    --------
    >>> r = nps([10, 10, 9, 8, 3, 0, 10, 7])
    >>> r.value, round(r.ci_low, 1), round(r.ci_high, 1)
    (25.0, -32.5, 82.5)
    >>> r.shares
    {'promoters': 0.5, 'passives': 0.25, 'detractors': 0.25}
    >>> nps([10, 10, 9, 8, 3, 0, 10, 7], confidence=0.9)
    NPS = 25 (90% CI -23.22 to 73.22, n = 8)
    """
    z = _z(confidence)
    v = _check_scores(scores, "nps")
    n = len(v)
    p = float(np.mean(v >= 9))
    d = float(np.mean(v <= 6))
    est = p - d
    se = float(np.sqrt(max(p + d - est**2, 0.0) / n))
    return Estimate(
        metric="nps",
        value=100 * est,
        ci_low=max(100 * (est - z * se), -100.0),
        ci_high=min(100 * (est + z * se), 100.0),
        n=n,
        confidence=float(confidence),
        method="Wald, multinomial variance of P - D",
        shares={"promoters": p, "passives": 1 - p - d, "detractors": d},
    )


def csat(scores: Iterable[float], *, confidence: float = 0.95) -> Estimate:
    """CSAT: share of answers scoring 4 or 5 on the 1-5 scale, with a Wilson interval.

    Parameters
    ----------
    scores : sequence of int
        Answers on the 1-5 scale.
    confidence : float
        Confidence level of the interval, strictly between 0 and 1 (0.95 = 95 %).

    Returns
    -------
    Estimate
        ``value`` (share, 0..1), ``ci_low``, ``ci_high`` (Wilson score interval from
        statsmodels ``proportion_confint(method="wilson")``), ``n``.

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1])
    CSAT = 0.6 (95% CI 0.2307 to 0.8824, n = 5)
    """
    alpha = significance_level(check_confidence(confidence))
    v = _check_scores(scores, "csat")
    n = len(v)
    k = int(np.sum(v >= 4))
    lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
    return Estimate("csat", k / n, float(lo), float(hi), n, float(confidence), "Wilson score interval")


def ces(scores: Iterable[float], *, confidence: float = 0.95) -> Estimate:
    """Customer Effort Score: mean answer on the 1-7 scale (lower = less effort), t interval.

    Parameters
    ----------
    scores : sequence of int
        Answers on the 1-7 scale.
    confidence : float
        Confidence level of the interval, strictly between 0 and 1 (0.95 = 95 %).

    Returns
    -------
    Estimate
        ``value`` (mean, 1..7), ``ci_low``, ``ci_high`` (Student t interval, statsmodels
        ``DescrStatsW.tconfint_mean``; NaN when n = 1), ``n``.

    Examples
    --------
    >>> r = ces([2, 3, 4])
    >>> r.value, round(r.ci_low, 3), round(r.ci_high, 3)
    (3.0, 0.516, 5.484)
    """
    alpha = significance_level(check_confidence(confidence))
    v = _check_scores(scores, "ces")
    n = len(v)
    if n >= 2:
        lo, hi = DescrStatsW(v).tconfint_mean(alpha=alpha)
    else:
        lo = hi = np.nan
    return Estimate("ces", float(v.mean()), float(lo), float(hi), n, float(confidence), "Student t interval")
