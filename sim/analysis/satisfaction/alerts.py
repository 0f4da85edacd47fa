"""The weekly bad-review alert (SM4: "more than 5% negative reviews in a week -> act") and its false-alarm rate (H10).

The rule, as the simulated firm applies it (``Policy.alerts.bad_review``): every
``window_days`` look at the reviews of the window -- CSAT and NPS answers (CES measures effort,
not opinion) -- and raise an alert when at least ``min_answers`` came in and the negative share
exceeds ``threshold``. A review is negative at a CSAT of at most 2 or an NPS of at most 6 (a
detractor); change that with ``negative=``.

A share from a few dozen answers is noisy: even a process that is stable below the threshold
fires now and then. :func:`false_alarm_rate` measures how often, from the alert table and the
windows known to have had a real problem; on a stable process it approaches the binomial tail
``P(K / n > threshold)``, ``K ~ Binomial(n, true rate)``
(:func:`sim.analysis.satisfaction.false_alarm_probability` computes it).

Note: ``sim.analysis.satisfaction.bad_review_alerts`` (package level) is the older
calendar-week version with an exact binomial test (``freq=``, CSAT only by default); this
module's function mirrors the firm's rule (windows of ``window_days`` from ``start``,
CSAT and NPS, ``min_answers``).

Examples
--------
>>> import pandas as pd
>>> s = pd.DataFrame({"date": ["2025-01-01"] * 4 + ["2025-01-09"] * 4,
...                   "instrument": ["csat", "csat", "nps", "ces"] * 2, "score": [1, 5, 9, 1, 5, 5, 10, 7]})
>>> a = bad_review_alerts(s, min_answers=3)
>>> a[["window_start", "answers", "negatives", "rate", "alert"]]
  window_start  answers  negatives      rate  alert
0   2025-01-01        3          1  0.333333   True
1   2025-01-08        3          0  0.000000  False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sim.analysis._validate import (
    check_confidence,
    check_number,
    require_columns,
    significance_level,
    to_timestamp,
)
from sim.errors import ConfigError, DataError

__all__ = ["NEGATIVE", "bad_review_alerts", "false_alarm_rate"]

#: A negative review: the highest score that counts as negative, per instrument (CSAT 1-2, NPS 0-6).
NEGATIVE: dict[str, int] = {"csat": 2, "nps": 6}
_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
#: Most windows one call may produce (a tiny ``window_days`` would otherwise exhaust memory).
_MAX_WINDOWS = 1_000_000


def _check_negative(negative: object) -> dict[str, float]:
    allowed = "a mapping instrument -> highest negative score, e.g. {'csat': 2, 'nps': 6}"
    if not isinstance(negative, Mapping) or not negative:
        raise ConfigError(f"negative={str(negative)[:60]} is not allowed: give {allowed}")
    out = {}
    for inst, top in negative.items():
        if inst not in _SCALES:
            raise ConfigError(f"negative={str(dict(negative))[:60]} is not allowed: instruments {list(_SCALES)}")
        lo, hi = _SCALES[inst]
        out[inst] = check_number(top, f"negative[{inst!r}]", low=lo, high=hi)
    return out


def bad_review_alerts(
    surveys: pd.DataFrame,
    threshold: float = 0.05,
    window_days: float = 7,
    min_answers: int = 20,
    *,
    negative: Mapping[str, int] | None = None,
    start: object = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Negative-review share per window of ``window_days`` and the alert flag of the firm's rule.

    Parameters
    ----------
    surveys : pandas.DataFrame
        ``date``, ``instrument`` (nps / csat / ces) and ``score`` (integers on the
        instrument's scale); other columns are ignored. Only the instruments in ``negative``
        count as reviews.
    threshold : float
        Alert when the negative share is above this (default 0.05, seed SM4), in (0, 1).
    window_days : float
        Window length in days (default 7: weekly).
    min_answers : int
        Windows with fewer reviews are not checked (no alert), >= 1.
    negative : mapping, optional
        Highest negative score per instrument, default :data:`NEGATIVE` (CSAT <= 2, NPS <= 6).
    start : date-like, optional
        Start of the first window (default: midnight of the first answer's day). Pass the
        scenario's start date to line the windows up with the simulated firm's weekly check.
    confidence : float
        Confidence level of the Wilson interval of each window's negative share.

    Returns
    -------
    pandas.DataFrame
        One row per window from ``start`` to the last answer, empty windows included:
        ``window_start``, ``window_end`` (exclusive), ``answers``, ``negatives``, ``rate`` (NaN
        without answers), ``ci_low``, ``ci_high`` (Wilson), ``checked`` (answers >=
        ``min_answers``) and ``alert`` (checked and rate > threshold).

    Raises
    ------
    DataError
        Missing columns, bad dates, unknown instruments, scores off the scale, answers
        before ``start``, no review at all.
    ConfigError
        Arguments out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"date": pd.date_range("2025-03-03", periods=40, freq="4h"),
    ...                   "instrument": "nps", "score": [3, 3] + [9] * 38})
    >>> bad_review_alerts(s)[["answers", "negatives", "rate", "checked", "alert"]]
       answers  negatives  rate  checked  alert
    0       40          2  0.05     True  False

    Exactly 5% is not *above* 5%: no alert.
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = significance_level(check_confidence(confidence))
    check_number(threshold, "threshold", low=0, high=1, low_open=True, high_open=True)
    check_number(window_days, "window_days", low=0, low_open=True)
    check_number(min_answers, "min_answers", low=1, integer=True)
    neg = _check_negative(NEGATIVE if negative is None else negative)
    df = require_columns(surveys, {"date": "datetime", "instrument": "category", "score": "number"}, table="surveys")
    inst = df["instrument"].astype(str)
    unknown = ~inst.isin(list(_SCALES))
    if unknown.any():
        raise DataError(
            f"unknown instrument(s) {sorted(set(inst[unknown]))[:4]}; allowed: {list(_SCALES)}",
            table="surveys", column="instrument", rows=df.index[unknown.to_numpy()],
        )  # fmt: skip
    v = df["score"].to_numpy(dtype=float)
    lo = inst.map(lambda i: _SCALES[i][0]).to_numpy(dtype=float)
    hi = inst.map(lambda i: _SCALES[i][1]).to_numpy(dtype=float)
    bad = (v < lo) | (v > hi) | (v != np.round(v))
    if bad.any():
        raise DataError(
            "scores must be integers on their instrument's scale (nps 0-10, csat 1-5, ces 1-7)",
            table="surveys", column="score", rows=df.index[bad],
        )  # fmt: skip
    review = inst.isin(list(neg)).to_numpy(dtype=bool)
    if not review.any():
        raise DataError(f"no review on the instrument(s) {list(neg)}", table="surveys", column="instrument")
    dates = df["date"].to_numpy()[review]
    top = inst[review].map(neg).to_numpy(dtype=float)
    is_neg = v[review] <= top
    t0 = pd.Timestamp(dates.min()).normalize() if start is None else to_timestamp(start, name="start")
    width = pd.Timedelta(days=float(window_days))
    offsets = (pd.DatetimeIndex(dates) - t0) / width
    early = np.asarray(offsets < 0)
    if early.any():
        rows = df.index[review][early]
        raise DataError(
            f"{int(early.sum())} answer(s) before start={t0}; give an earlier start", table="surveys", column="date",
            rows=rows,
        )  # fmt: skip
    span = float(np.max(np.asarray(offsets, dtype=float)))
    if span >= _MAX_WINDOWS:
        raise ConfigError(
            f"window_days={window_days!r} from start={t0} gives {span:.3g} windows (more than {_MAX_WINDOWS:,}); "
            "give longer windows or a later start"
        )
    k = np.floor(np.asarray(offsets, dtype=float)).astype(np.int64)
    n_windows = int(k.max()) + 1
    answers = np.bincount(k, minlength=n_windows)
    negatives = np.bincount(k, weights=is_neg.astype(float), minlength=n_windows).astype(np.int64)
    starts = t0 + width * np.arange(n_windows)
    out = pd.DataFrame({"window_start": starts, "window_end": starts + width, "answers": answers,
                        "negatives": negatives})  # fmt: skip
    has = answers > 0
    rate = np.full(n_windows, np.nan)
    ci_lo, ci_hi = rate.copy(), rate.copy()
    rate[has] = negatives[has] / answers[has]
    if has.any():
        ci_lo[has], ci_hi[has] = proportion_confint(negatives[has], answers[has], alpha=alpha, method="wilson")
    out["rate"], out["ci_low"], out["ci_high"] = rate, ci_lo, ci_hi
    out["checked"] = answers >= int(min_answers)
    out["alert"] = out["checked"] & (np.nan_to_num(rate, nan=0.0) > float(threshold))
    out.attrs.update(threshold=float(threshold), window_days=float(window_days), min_answers=int(min_answers),
                     negative=neg, start=t0, confidence=float(confidence))  # fmt: skip
    return out


def _problem_flags(alerts: pd.DataFrame, problem_weeks: object) -> np.ndarray:
    n = len(alerts)
    if isinstance(problem_weeks, pd.Series) and problem_weeks.dtype == bool:
        if not problem_weeks.index.equals(alerts.index):
            raise DataError("a boolean problem_weeks Series must have the alert table's index", table="problem_weeks")
        return problem_weeks.to_numpy(dtype=bool)
    if isinstance(problem_weeks, str | bytes) or not isinstance(problem_weeks, Iterable):
        raise ConfigError(
            f"problem_weeks={str(problem_weeks)[:60]} is not allowed: give one boolean per window "
            "or a list of dates inside the problem windows"
        )
    values = list(problem_weeks)
    if values and all(isinstance(v, bool | np.bool_) for v in values):
        if len(values) != n:
            raise DataError(f"{len(values)} flag(s) for {n} window(s); give one per window", table="problem_weeks")
        return np.asarray(values, dtype=bool)
    flags = np.zeros(n, dtype=bool)
    starts = pd.DatetimeIndex(alerts["window_start"])
    ends = pd.DatetimeIndex(alerts["window_end"])
    for pos, v in enumerate(values):
        when = to_timestamp(v, name="problem_weeks")
        inside = (starts <= when) & (when < ends)
        if not inside.any():
            raise DataError(
                f"problem date {when} lies in no window ({starts[0]} to {ends[-1]})", table="problem_weeks", rows=[pos]
            )
        flags |= np.asarray(inside)
    return flags


def false_alarm_rate(alerts: pd.DataFrame, problem_weeks: object = (), *, confidence: float = 0.95) -> pd.Series:
    """How often the alert fires in windows without a real problem, and how often it catches one.

    Parameters
    ----------
    alerts : pandas.DataFrame
        The output of :func:`bad_review_alerts` (``window_start``, ``window_end``,
        ``checked``, ``alert``).
    problem_weeks : sequence
        Which windows had a real problem: one boolean per window (a list, array or a
        boolean Series with the alert table's index), or dates lying inside the problem
        windows. Default: none (a stable process).
    confidence : float
        Confidence level of the Wilson interval of the false-alarm rate.

    Returns
    -------
    pandas.Series
        ``checked_windows`` (windows with enough answers), ``quiet_windows`` /
        ``problem_windows`` (checked ones without / with a problem), ``alerts``,
        ``false_alarms``, ``false_alarm_rate`` (false alarms / quiet windows = P(alert | no
        problem)) with ``false_alarm_low`` / ``false_alarm_high``, ``detection_rate`` (alerts in
        problem windows / problem windows) and ``false_alert_share`` (false alarms / alerts).
        Rates are NaN when their denominator is 0.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"window_start": pd.date_range("2025-01-06", periods=4, freq="7D"),
    ...                   "checked": True, "alert": [True, False, False, True]})
    >>> a["window_end"] = a["window_start"] + pd.Timedelta(days=7)
    >>> r = false_alarm_rate(a, problem_weeks=["2025-01-29"])
    >>> r[["quiet_windows", "false_alarms", "false_alarm_rate", "detection_rate"]].tolist()
    [3.0, 1.0, 0.3333333333333333, 1.0]
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = significance_level(check_confidence(confidence))
    df = require_columns(
        alerts,
        {"window_start": "datetime", "window_end": "datetime", "checked": "bool", "alert": "bool"},
        table="alerts",
    )
    problem = _problem_flags(df, problem_weeks)
    checked = df["checked"].to_numpy(dtype=bool)
    fired = df["alert"].to_numpy(dtype=bool)
    if (fired & ~checked).any():
        raise DataError(
            "alert=True in window(s) with checked=False; an alert needs a checked window (enough answers)",
            table="alerts",
            column="alert",
            rows=df.index[fired & ~checked],
        )
    quiet = checked & ~problem
    prob = checked & problem
    n_quiet, n_prob = int(quiet.sum()), int(prob.sum())
    false_alarms, hits, total = int((fired & quiet).sum()), int((fired & prob).sum()), int((fired & checked).sum())
    if n_quiet:
        rate = false_alarms / n_quiet
        lo, hi = (float(x) for x in proportion_confint(false_alarms, n_quiet, alpha=alpha, method="wilson"))
    else:
        rate = lo = hi = float("nan")
    return pd.Series(
        {
            "checked_windows": float(checked.sum()),
            "quiet_windows": float(n_quiet),
            "problem_windows": float(n_prob),
            "alerts": float(total),
            "false_alarms": float(false_alarms),
            "false_alarm_rate": rate,
            "false_alarm_low": lo,
            "false_alarm_high": hi,
            "detection_rate": hits / n_prob if n_prob else float("nan"),
            "false_alert_share": false_alarms / total if total else float("nan"),
        },
        name="false_alarm_rate",
    )
