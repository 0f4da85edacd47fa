"""Monitoring satisfaction over time: metrics per period, bad-review alerts and their false-alarm rate.

Holds the check of a long-format survey table, :func:`satisfaction_series` (NPS / CSAT / CES
per period, from :mod:`sim.analysis.satisfaction.metrics`), :func:`bad_review_alerts` (seed
002's rule "weekly negative-review rate above 5% -> alert", with an exact binomial test and
lower confidence bound from scipy) and :func:`false_alarm_probability` (how often that rule
fires by chance in a period of ``n`` answers); :data:`DEFAULT_BAD` defines a bad review.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis._validate import check_confidence, require_columns, significance_level
from sim.analysis.satisfaction.metrics import SCALES, ces, csat, nps
from sim.errors import ConfigError, DataError

__all__ = ["DEFAULT_BAD", "satisfaction_series", "bad_review_alerts", "false_alarm_probability"]

#: Default definition of a bad review: a CSAT answer of 1 or 2 out of 5 (dissatisfied or
#: very dissatisfied), the usual reading of a "negative review" (差评) on a 5-point scale.
DEFAULT_BAD: dict[str, tuple[int, ...]] = {"csat": (1, 2)}


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
        raise ConfigError(f"freq={freq!r}; use a pandas period alias such as 'W' (Mon-Sun weeks), 'M' or 'Q'") from exc


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
        raise ConfigError(f"threshold={threshold!r}; give a rate in (0, 1), e.g. 0.05")
    bad_map = dict(DEFAULT_BAD if bad is None else bad)
    unknown = [k for k in bad_map if k not in SCALES]
    if unknown or not bad_map:
        raise ConfigError(f"bad={bad!r}; keys must be instruments among {list(SCALES)}")
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
        raise ConfigError(f"freq={freq!r}; use a pandas period alias such as 'W' or 'M'") from exc
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
        raise ConfigError(f"threshold={threshold!r}, true_rate={true_rate!r}; give rates in (0, 1)")
    ns = np.atleast_1d(np.asarray(n))
    if ns.ndim != 1 or not np.issubdtype(ns.dtype, np.integer) or np.any(ns < 1):
        raise ConfigError(f"n={n!r}; give a positive integer or a sequence of them")
    probs = []
    for m in ns:
        k = np.arange(int(m) + 1)
        fires = k / m > threshold  # the same comparison as the alert column
        probs.append(float(stats.binom.pmf(k[fires], int(m), p).sum()))
    if np.ndim(cast(Any, n)) == 0:
        return probs[0]
    return pd.Series(probs, index=pd.Index(ns, name="n"), name="false_alarm_probability")
