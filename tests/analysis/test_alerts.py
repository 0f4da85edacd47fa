"""The firm's weekly bad-review alert and its false-alarm rate (sim.analysis.satisfaction.alerts).

Windows, counts and Wilson intervals are checked by hand; on a stable process the measured
false-alarm rate must match the binomial tail computed with scipy, and in problem weeks the
detection rate must match the tail at the problem's rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sim.analysis import satisfaction as sat
from sim.analysis.satisfaction import alerts
from sim.errors import ConfigError, DataError

START = pd.Timestamp("2025-03-03")


def _stream(answers_per_window: np.ndarray, bad_rate: np.ndarray, seed: int, window_days: float = 7.0) -> pd.DataFrame:
    """CSAT answers: window w gets answers_per_window[w] answers, each negative (score 1 or 2) w.p. bad_rate[w]."""
    rng = np.random.default_rng(seed)
    w = np.repeat(np.arange(len(answers_per_window)), answers_per_window)
    offset = (w + rng.random(len(w))) * window_days
    negative = rng.random(len(w)) < np.repeat(bad_rate, answers_per_window)
    score = np.where(negative, rng.integers(1, 3, len(w)), rng.integers(3, 6, len(w)))
    return pd.DataFrame(
        {"customer_id": np.arange(len(w)), "date": START + pd.to_timedelta(offset, unit="D"),
         "instrument": "csat", "score": score}
    )  # fmt: skip


def test_windows_counts_rates_and_wilson_intervals_by_hand():
    s = pd.DataFrame(
        {
            "date": ["2025-03-03 09:00", "2025-03-04", "2025-03-09 23:59", "2025-03-05", "2025-03-06",
                     "2025-03-18", "2025-03-19", "2025-03-19"],
            "instrument": ["csat", "nps", "nps", "ces", "csat", "csat", "nps", "nps"],
            "score": [2, 7, 6, 1, 3, 5, 0, 10],
        }
    )  # fmt: skip
    a = alerts.bad_review_alerts(s, min_answers=3, confidence=0.9)
    assert a["window_start"].tolist() == [START, START + pd.Timedelta(days=7), START + pd.Timedelta(days=14)]
    assert (a["window_end"] - a["window_start"]).eq(pd.Timedelta(days=7)).all()
    # week 1: csat 2 (neg), nps 7, nps 6 (neg), csat 3 -> 4 reviews, 2 negative; the CES answer is no review
    assert a["answers"].tolist() == [4, 0, 3]
    assert a["negatives"].tolist() == [2, 0, 1]
    assert a.loc[0, "rate"] == 0.5 and np.isnan(a.loc[1, "rate"])
    lo, hi = proportion_confint(2, 4, alpha=0.1, method="wilson")
    assert (a.loc[0, "ci_low"], a.loc[0, "ci_high"]) == pytest.approx((lo, hi))
    assert a["checked"].tolist() == [True, False, True]
    assert a["alert"].tolist() == [True, False, True]
    strict = alerts.bad_review_alerts(s, min_answers=4)
    assert strict["alert"].tolist() == [True, False, False]  # week 3 has too few answers to be checked
    csat_only = alerts.bad_review_alerts(s, min_answers=1, negative={"csat": 2})
    assert csat_only["answers"].tolist() == [2, 0, 1] and csat_only["negatives"].tolist() == [1, 0, 0]


def test_threshold_is_strict_and_windows_follow_start_and_window_days():
    s = _stream(np.array([40]), np.array([0.0]), seed=1)
    s.loc[:1, "score"] = 1  # exactly 2 of 40 = 5%
    assert not alerts.bad_review_alerts(s)["alert"].any()
    s.loc[2, "score"] = 1  # 3 of 40 = 7.5%
    assert alerts.bad_review_alerts(s)["alert"].tolist() == [True]
    early = alerts.bad_review_alerts(s, start=START - pd.Timedelta(days=3), window_days=5)
    assert early["window_start"].iloc[0] == START - pd.Timedelta(days=3)
    assert early["answers"].sum() == 40


def test_false_alarm_rate_on_a_stable_process_matches_the_binomial_tail():
    n, p, weeks = 40, 0.03, 3000
    s = _stream(np.full(weeks, n), np.full(weeks, p), seed=7)
    table = alerts.bad_review_alerts(s, threshold=0.05, min_answers=20)
    assert len(table) == weeks and (table["answers"] == n).all()
    r = alerts.false_alarm_rate(table)
    tail = stats.binom.sf(np.floor(0.05 * n), n, p)  # P(K > 2) = P(K / 40 > 5%)
    assert tail == pytest.approx(sat.false_alarm_probability(n, true_rate=p))
    assert r["quiet_windows"] == weeks and r["false_alarms"] == table["alert"].sum()
    assert abs(r["false_alarm_rate"] - tail) < 4 * np.sqrt(tail * (1 - tail) / weeks)
    assert r["false_alarm_low"] <= tail <= r["false_alarm_high"]
    assert r["false_alert_share"] == 1.0 and np.isnan(r["detection_rate"])


def test_false_alarms_with_varying_volume_match_the_expected_tail():
    """Weekly volume ~ Poisson(25); weeks under min_answers are not checked; expected rate from scipy."""
    rng = np.random.default_rng(3)
    volume = rng.poisson(25, 2500)
    p = 0.04
    s = _stream(volume, np.full(len(volume), p), seed=4)
    table = alerts.bad_review_alerts(s, min_answers=20)
    got = table["answers"].to_numpy()
    assert (got == volume).all()
    checked = volume >= 20
    tails = stats.binom.sf(np.floor(0.05 * volume[checked]), volume[checked], p)
    expected = tails.mean()
    r = alerts.false_alarm_rate(table)
    assert r["checked_windows"] == checked.sum()
    assert abs(r["false_alarm_rate"] - expected) < 4 * np.sqrt(expected * (1 - expected) / checked.sum())


def test_detection_rate_in_problem_weeks():
    weeks, n = 1200, 50
    problem = np.zeros(weeks, dtype=bool)
    problem[::4] = True
    s = _stream(np.full(weeks, n), np.where(problem, 0.12, 0.02), seed=11)
    table = alerts.bad_review_alerts(s)
    r = alerts.false_alarm_rate(table, problem_weeks=problem.tolist())
    hit = stats.binom.sf(np.floor(0.05 * n), n, 0.12)
    fa = stats.binom.sf(np.floor(0.05 * n), n, 0.02)
    assert r["problem_windows"] == problem.sum() and r["quiet_windows"] == weeks - problem.sum()
    assert abs(r["detection_rate"] - hit) < 4 * np.sqrt(hit * (1 - hit) / problem.sum())
    assert abs(r["false_alarm_rate"] - fa) < 4 * np.sqrt(fa * (1 - fa) / (weeks - problem.sum()))
    # the same problem weeks given as dates inside them, or as a boolean Series
    dates = (table.loc[problem, "window_start"] + pd.Timedelta(days=3)).tolist()
    pd.testing.assert_series_equal(alerts.false_alarm_rate(table, problem_weeks=dates), r)
    flags = pd.Series(problem, index=table.index)
    pd.testing.assert_series_equal(alerts.false_alarm_rate(table, problem_weeks=flags), r)


def test_inputs_are_not_modified():
    s = _stream(np.array([30, 30]), np.array([0.1, 0.1]), seed=2)
    before = s.copy()
    table = alerts.bad_review_alerts(s)
    t_before = table.copy()
    alerts.false_alarm_rate(table, [True, False])
    pd.testing.assert_frame_equal(s, before)
    pd.testing.assert_frame_equal(table, t_before)


def test_bad_inputs_are_refused():
    s = _stream(np.array([30]), np.array([0.1]), seed=2)
    with pytest.raises(DataError) as err:
        alerts.bad_review_alerts(s.assign(score=[9] + [3] * 29))
    assert (err.value.table, err.value.column, err.value.rows) == ("surveys", "score", [0])
    with pytest.raises(DataError, match="unknown instrument") as err:
        alerts.bad_review_alerts(s.assign(instrument=["csat"] * 29 + ["stars"]))
    assert err.value.rows == [29]
    with pytest.raises(DataError, match="before start"):
        alerts.bad_review_alerts(s, start=START + pd.Timedelta(days=1))
    with pytest.raises(DataError, match="no review"):
        alerts.bad_review_alerts(s.assign(instrument="ces"))
    with pytest.raises(DataError) as err:
        alerts.bad_review_alerts(s.assign(date=20250303))
    assert err.value.column == "date"
    table = alerts.bad_review_alerts(s)
    with pytest.raises(DataError, match="one per window"):
        alerts.false_alarm_rate(table, [True, False])
    with pytest.raises(DataError, match="lies in no window"):
        alerts.false_alarm_rate(table, ["2024-01-01"])
    with pytest.raises(DataError, match="missing column"):
        alerts.false_alarm_rate(table.drop(columns="checked"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold": 0}, "threshold=0"),
        ({"threshold": 1.2}, "threshold=1.2"),
        ({"window_days": 0}, "window_days=0"),
        ({"min_answers": 0}, "min_answers=0"),
        ({"min_answers": 2.5}, "min_answers=2.5"),
        ({"negative": {"stars": 1}}, "instruments"),
        ({"negative": {"csat": 9}}, "negative\\['csat'\\]=9"),
        ({"confidence": 95}, "confidence=95"),
    ],
)
def test_bad_arguments_are_config_errors(kwargs, match):
    s = _stream(np.array([30]), np.array([0.1]), seed=2)
    with pytest.raises(ConfigError, match=match):
        alerts.bad_review_alerts(s, **kwargs)
