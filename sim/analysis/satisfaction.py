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

Scales (see the data dictionary, ``sim/schema.py``): NPS 0-10 (promoters 9-10, passives 7-8, detractors
0-6), CSAT 1-5 (satisfied = 4 or 5), CES 1-7 (lower = less effort). Scores must be
integers on the instrument's scale; anything else raises :class:`sim.errors.DataError`.

Every interval is at ``confidence`` (default 0.95 = 95 %), a keyword argument of each
function.

The alert rule comes from seed 002: "weekly negative-review rate above 5% -> alert". A rate
from a small week is noisy: with 20 answers a week and a true bad rate of 3% (better than the
threshold), the rule still fires in 12% of weeks (:func:`false_alarm_probability`).
:func:`bad_review_alerts` therefore also reports an exact binomial p-value against the threshold.

Examples
--------
>>> from sim.analysis.satisfaction import nps
>>> nps([10, 9, 8, 7, 6, 0])   # (2 promoters - 2 detractors) / 6 answers
NPS = 0 (95% CI -65.33 to 65.33, n = 6)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from sim.analysis._validate import check_confidence, require_columns, significance_level
from sim.errors import DataError

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
]

#: Allowed score range (inclusive) per instrument.
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

#: Default definition of a bad review: a CSAT answer of 1 or 2 out of 5 (dissatisfied or
#: very dissatisfied), the usual reading of a "negative review" (差评) on a 5-point scale.
DEFAULT_BAD: dict[str, tuple[int, ...]] = {"csat": (1, 2)}


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


_METRICS = {"nps": nps, "csat": csat, "ces": ces}
_SURVEY_SPEC = {"customer_id": "id", "date": "datetime", "instrument": "category", "score": "number"}


def _check_surveys(surveys: pd.DataFrame) -> pd.DataFrame:
    df = require_columns(surveys, _SURVEY_SPEC, table="surveys")
    inst = df["instrument"].astype(str)
    bad = df.index[~inst.isin(list(SCALES))]
    if len(bad):
        found = sorted(set(inst.loc[bad]))[:5]
        raise DataError(
            f"unknown instrument(s) {found}; allowed: {list(SCALES)}", table="surveys", column="instrument", rows=bad
        )
    df["instrument"] = inst
    v = df["score"].to_numpy(dtype=float)
    lo = inst.map(lambda i: SCALES[i][0]).to_numpy(dtype=float)
    hi = inst.map(lambda i: SCALES[i][1]).to_numpy(dtype=float)
    bad = df.index[(v < lo) | (v > hi) | (v != np.round(v))]
    if len(bad):
        raise DataError(
            "scores must be integers on their instrument's scale (nps 0-10, csat 1-5, ces 1-7)",
            table="surveys",
            column="score",
            rows=bad,
        )
    return df


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    try:
        return dates.dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as exc:
        raise ValueError(f"freq={freq!r}; use a pandas period alias such as 'W' (Mon-Sun weeks), 'M' or 'Q'") from exc


def satisfaction_series(
    surveys: pd.DataFrame,
    freq: str = "W",
    *,
    confidence: float = 0.95,
    touchpoint: str | None = None,
) -> pd.DataFrame:
    """NPS, CSAT and CES per period with confidence intervals.

    Parameters
    ----------
    surveys : pandas.DataFrame
        Long format: ``customer_id``, ``date``, ``instrument`` (nps/csat/ces), ``score``,
        optionally ``touchpoint``.
    freq : str
        Period alias: ``"W"`` (weeks Monday-Sunday), ``"M"`` (calendar months), ``"Q"``, ...
    confidence : float
        Confidence level of the intervals, strictly between 0 and 1 (0.95 = 95 %).
    touchpoint : str, optional
        Keep only answers from this touchpoint (needs a ``touchpoint`` column).

    Returns
    -------
    pandas.DataFrame
        One row per period and instrument that has answers: ``period`` (timestamp of the
        period start), ``instrument``, ``value``, ``ci_low``, ``ci_high``, ``n``. NPS is in
        points (-100..100), CSAT a share (0..1), CES a mean (1..7).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5],
    ...                   "date": ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-14", "2025-01-15"],
    ...                   "instrument": ["nps", "nps", "csat", "nps", "csat"],
    ...                   "score": [10, 5, 4, 9, 2]})
    >>> satisfaction_series(s)[["period", "instrument", "value", "n"]]
          period instrument  value  n
    0 2025-01-06       csat    1.0  1
    1 2025-01-06        nps    0.0  2
    2 2025-01-13       csat    0.0  1
    3 2025-01-13        nps  100.0  1
    """
    check_confidence(confidence)
    df = _check_surveys(surveys)
    if touchpoint is not None:
        if "touchpoint" not in df.columns:
            raise DataError(
                "touchpoint= given but the table has no 'touchpoint' column", table="surveys", column="touchpoint"
            )
        df = df.loc[df["touchpoint"].astype(str) == touchpoint]
        if df.empty:
            raise DataError(f"no answers with touchpoint={touchpoint!r}", table="surveys", column="touchpoint")
    df["period"] = _period_start(df["date"], freq)
    rows = []
    for (period, inst), grp in df.groupby(["period", "instrument"], sort=True):
        r = _METRICS[inst](grp["score"].to_numpy(), confidence=confidence)
        rows.append(
            {"period": period, "instrument": inst, "value": r.value, "ci_low": r.ci_low, "ci_high": r.ci_high, "n": r.n}
        )
    out = pd.DataFrame(rows, columns=["period", "instrument", "value", "ci_low", "ci_high", "n"])
    out["period"] = pd.to_datetime(out["period"])
    return out


def bad_review_alerts(
    surveys: pd.DataFrame,
    threshold: float = 0.05,
    freq: str = "W",
    bad: Mapping[str, Iterable[int]] | None = None,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Flag periods whose bad-review rate exceeds ``threshold`` (seed 002: weekly > 5%).

    Parameters
    ----------
    surveys : pandas.DataFrame
        Long format: ``customer_id``, ``date``, ``instrument``, ``score``.
    threshold : float
        Alert when ``bad / n > threshold`` (default 0.05, from the seed).
    freq : str
        Period alias (``"W"`` = Monday-Sunday weeks, ``"M"`` = months).
    bad : mapping instrument -> scores, optional
        Which answers count as a bad review; only answers on the listed instruments count
        towards ``n``. Default :data:`DEFAULT_BAD`: CSAT 1 or 2. For example
        ``{"csat": (1, 2), "nps": range(0, 5)}``.
    confidence : float
        Confidence level, strictly between 0 and 1 (default 0.95), of the one-sided lower
        bound ``ci_low``; ``significant`` is the matching test decision at significance
        level ``1 - confidence``.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first to the last answer, including periods without
        answers (``n = 0``, ``rate`` NaN, no alert). Columns: ``period`` (start timestamp),
        ``n``, ``bad``, ``rate``, ``ci_low`` (exact one-sided Clopper-Pearson lower
        confidence bound of the true bad-review rate, from :func:`scipy.stats.binomtest`'s
        ``proportion_ci(method="exact")``; NaN when ``n = 0``), ``alert`` (the seed's rule, ``rate > threshold``), ``p_value``
        (exact one-sided binomial test of H0 "true rate <= threshold",
        :func:`scipy.stats.binomtest`) and ``significant`` (``p_value < 1 - confidence``,
        equivalently ``ci_low > threshold``). An alert that is not significant may well be
        noise from a small period.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": range(6), "instrument": "csat",
    ...                   "date": ["2025-01-06"] * 5 + ["2025-01-20"],
    ...                   "score": [5, 4, 1, 5, 5, 4]})
    >>> a = bad_review_alerts(s)
    >>> a[["period", "n", "bad", "rate", "alert"]]
          period  n  bad  rate  alert
    0 2025-01-06  5    1   0.2   True
    1 2025-01-13  0    0   NaN  False
    2 2025-01-20  1    0   0.0  False
    >>> round(float(a.loc[0, "p_value"]), 4)   # 1 - 0.95**5: one bad answer in five is weak evidence
    0.2262
    >>> round(float(a.loc[0, "ci_low"]), 4), bool(a.loc[0, "significant"])  # the true rate may be 1%
    (0.0102, False)
    """
    alpha = significance_level(check_confidence(confidence))
    if not 0 < threshold < 1:
        raise ValueError(f"threshold={threshold!r}; give a rate in (0, 1), e.g. 0.05")
    bad_map = dict(DEFAULT_BAD if bad is None else bad)
    unknown = [k for k in bad_map if k not in SCALES]
    if unknown or not bad_map:
        raise ValueError(f"bad={bad!r}; keys must be instruments among {list(SCALES)}")
    df = _check_surveys(surveys)
    df = df.loc[df["instrument"].isin(list(bad_map))]
    if df.empty:
        raise DataError(f"no answers on the instrument(s) {list(bad_map)}", table="surveys", column="instrument")
    is_bad = pd.Series(False, index=df.index)
    for inst, vals in bad_map.items():
        is_bad |= (df["instrument"] == inst) & df["score"].isin([float(x) for x in vals])
    df["is_bad"] = is_bad
    try:
        per = df["date"].dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"freq={freq!r}; use a pandas period alias such as 'W' or 'M'") from exc
    g = df.groupby(per)["is_bad"]
    full = pd.period_range(per.min(), per.max(), freq=per.dt.freq)
    out = pd.DataFrame({"n": g.size(), "bad": g.sum()}).reindex(full, fill_value=0).astype("int64")
    out["rate"] = out["bad"] / out["n"].replace(0, np.nan)
    out["alert"] = (out["rate"] > threshold).fillna(False).astype(bool)
    tests = [
        stats.binomtest(int(k), int(n), threshold, alternative="greater") if n > 0 else None
        for k, n in zip(out["bad"], out["n"])
    ]
    ci_low = [
        t.proportion_ci(confidence_level=confidence, method="exact").low if t is not None else np.nan for t in tests
    ]
    out.insert(out.columns.get_loc("rate") + 1, "ci_low", np.asarray(ci_low, dtype=float))
    out["p_value"] = [t.pvalue if t is not None else np.nan for t in tests]
    out["significant"] = (out["p_value"] < alpha).fillna(False).astype(bool)
    out.insert(0, "period", out.index.start_time)
    return out.reset_index(drop=True)


def false_alarm_probability(
    n: int | Iterable[int],
    true_rate: float,
    threshold: float = 0.05,
) -> float | pd.Series:
    """Probability that the rule ``bad / n > threshold`` fires in a period of ``n`` answers.

    Parameters
    ----------
    n : int or sequence of int
        Answers per period.
    threshold : float
        Alert threshold (default 0.05).
    true_rate : float
        True bad-review rate. Below ``threshold`` every alert is a false alarm. (At exactly
        the threshold the probability tends to 1/2 as ``n`` grows, not to 0.)

    Returns
    -------
    float or pandas.Series
        ``P(Binomial(n, true_rate) / n > threshold)`` (scipy binomial pmf); a Series indexed
        by ``n`` (name ``false_alarm_probability``) when ``n`` is a sequence.

    Examples
    --------
    >>> round(false_alarm_probability(20, true_rate=0.03), 4)   # P(at least 2 bad of 20)
    0.1198
    >>> false_alarm_probability([20, 50, 100, 1000], true_rate=0.03).round(3).tolist()
    [0.12, 0.189, 0.081, 0.0]

    Not monotone in ``n``: with 50 answers, 3 bad answers (6%) already fire the alert.
    """
    p = true_rate
    if not 0 < threshold < 1 or not 0 <= p <= 1:
        raise ValueError(f"threshold={threshold!r}, true_rate={true_rate!r}; give rates in (0, 1)")
    ns = np.atleast_1d(np.asarray(n))
    if ns.ndim != 1 or not np.issubdtype(ns.dtype, np.integer) or np.any(ns < 1):
        raise ValueError(f"n={n!r}; give a positive integer or a sequence of them")
    probs = []
    for m in ns:
        k = np.arange(int(m) + 1)
        fires = k / m > threshold  # the same comparison as the alert column
        probs.append(float(stats.binom.pmf(k[fires], int(m), p).sum()))
    if np.ndim(cast(Any, n)) == 0:
        return probs[0]
    return pd.Series(probs, index=pd.Index(ns, name="n"), name="false_alarm_probability")
