"""NPS, CSAT and CES with confidence intervals; the 5% weekly bad-review alert and its false alarms.

Checked against hand-computed values, statsmodels / scipy, and Monte Carlo coverage.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from sim.analysis import satisfaction as sat
from sim.errors import ConfigError, DataError

Z95 = stats.norm.ppf(0.975)


def test_nps_hand_example():
    """[10, 9, 8, 7, 6, 0]: 2 promoters, 2 passives, 2 detractors -> NPS (2 - 2) / 6 * 100 = 0."""
    r = sat.nps([10, 9, 8, 7, 6, 0])
    assert r.value == 0.0
    assert r.n == 6
    # Var(P - D) = (P + D - (P - D)^2) / n = (2/3 - 0) / 6 = 1/9
    assert r.ci_high == pytest.approx(100 * Z95 / 3)
    assert r.ci_low == pytest.approx(-100 * Z95 / 3)
    assert r.shares == pytest.approx({"promoters": 1 / 3, "passives": 1 / 3, "detractors": 1 / 3})


def test_nps_second_hand_example_and_clipping():
    r = sat.nps([10, 10, 10, 9, 0])  # P = 0.8, D = 0.2 -> 60
    assert r.value == pytest.approx(60.0)
    se = math.sqrt((0.8 + 0.2 - 0.6**2) / 5)
    assert r.ci_low == pytest.approx(100 * (0.6 - Z95 * se))
    assert r.ci_high == 100.0  # 0.6 + 0.69 > 1: clipped
    all_promoters = sat.nps([9, 10, 10])
    assert (all_promoters.value, all_promoters.ci_low, all_promoters.ci_high) == (100.0, 100.0, 100.0)


def test_nps_variance_matches_statsmodels_mean_of_plus_minus_one():
    """NPS/100 is the mean of X = +1/0/-1; its multinomial variance is Var(X)/n with ddof 0."""
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 11, 137)
    x = np.select([scores >= 9, scores <= 6], [1.0, -1.0], 0.0)
    d = DescrStatsW(x)
    se_sm = d.std_mean * math.sqrt((len(x) - 1) / len(x))  # statsmodels uses n - 1 in std_mean
    r = sat.nps(scores, confidence=0.9)
    assert r.value == pytest.approx(100 * x.mean())
    z90 = stats.norm.ppf(0.95)
    assert r.ci_high - r.value == pytest.approx(100 * z90 * se_sm)


def test_nps_interval_coverage():
    """Monte Carlo: the 95% interval covers the true NPS about 95% of the time at n = 300."""
    rng = np.random.default_rng(12)
    probs = np.array([0.05] * 7 + [0.1, 0.15] + [0.2, 0.2])  # P(score = 0..10)
    probs = probs / probs.sum()
    true = 100 * (probs[9:].sum() - probs[:7].sum())
    hits = 0
    sims = 1500
    for _ in range(sims):
        r = sat.nps(rng.choice(11, size=300, p=probs))
        hits += r.ci_low <= true <= r.ci_high
    assert abs(hits / sims - 0.95) < 4 * math.sqrt(0.95 * 0.05 / sims)


@pytest.mark.parametrize(
    ("func", "scores"),
    [
        (sat.nps, [9, 11]),
        (sat.nps, [-1, 5]),
        (sat.nps, [8.5, 9]),
        (sat.nps, [9, float("nan")]),
        (sat.nps, []),
        (sat.nps, ["nine", 9]),
        (sat.csat, [0, 5]),
        (sat.csat, [6]),
        (sat.ces, [8, 1]),
        (sat.ces, [0]),
    ],
)
def test_scores_outside_scale_are_errors(func, scores):
    with pytest.raises(DataError):
        func(scores)


def test_csat_matches_statsmodels_wilson():
    scores = [5, 4, 4, 3, 1, 2, 5, 5, 4, 3, 1]
    r = sat.csat(scores)
    assert r.value == pytest.approx(6 / 11)
    lo, hi = proportion_confint(6, 11, alpha=0.05, method="wilson")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))
    # hand Wilson formula as a second check
    p, n = 6 / 11, 11
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    assert (r.ci_low, r.ci_high) == pytest.approx((centre - half, centre + half))


def test_ces_matches_scipy_t_interval():
    scores = np.array([1, 2, 2, 3, 5, 7, 4, 2])
    r = sat.ces(scores, confidence=0.9)
    assert r.value == pytest.approx(26 / 8)
    lo, hi = stats.t.interval(0.9, len(scores) - 1, loc=scores.mean(), scale=stats.sem(scores))
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))
    one = sat.ces([3])
    assert one.value == 3.0 and math.isnan(one.ci_low) and math.isnan(one.ci_high)


def test_estimate_to_series():
    s = sat.nps([10, 0]).to_series()
    assert s.name == "nps"
    assert s[["value", "n", "promoters", "detractors"]].tolist() == [0.0, 2.0, 0.5, 0.5]


@pytest.fixture
def surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": range(10),
            # Mon 6 Jan .. Sun 12 Jan is one week; 13 Jan starts the next; February is 3 weeks later
            "date": [
                "2025-01-06",
                "2025-01-08",
                "2025-01-12",
                "2025-01-12",
                "2025-01-13",
                "2025-01-13",
                "2025-01-14",
                "2025-02-03",
                "2025-02-04",
                "2025-01-10",
            ],
            "instrument": ["nps", "nps", "csat", "csat", "nps", "csat", "ces", "csat", "csat", "ces"],
            "score": [10, 3, 5, 1, 9, 2, 6, 4, 4, 2],
            "touchpoint": ["relationship"] * 2 + ["post_ticket"] * 8,
        }
    )


def test_satisfaction_series_weekly_equals_direct_calls(surveys):
    out = surveys.pipe(sat.satisfaction_series, freq="W")
    wk1 = out[out["period"] == pd.Timestamp("2025-01-06")].set_index("instrument")
    assert wk1.loc["nps", "value"] == sat.nps([10, 3]).value == 0.0
    assert wk1.loc["csat", "value"] == 0.5
    assert wk1.loc["csat", "ci_low"] == pytest.approx(sat.csat([5, 1]).ci_low)
    assert wk1.loc["ces", "n"] == 1
    assert set(out["period"]) == {pd.Timestamp(d) for d in ["2025-01-06", "2025-01-13", "2025-02-03"]}
    assert out["n"].sum() == len(surveys)


def test_satisfaction_series_monthly_and_touchpoint(surveys):
    out = sat.satisfaction_series(surveys, freq="M").set_index(["period", "instrument"])
    assert out.loc[(pd.Timestamp("2025-01-01"), "csat"), "value"] == pytest.approx(1 / 3)  # 5, 1, 2
    assert out.loc[(pd.Timestamp("2025-02-01"), "csat"), "value"] == 1.0
    tp = sat.satisfaction_series(surveys, freq="M", touchpoint="relationship")
    assert tp["n"].sum() == 2
    with pytest.raises(DataError, match="touchpoint"):
        sat.satisfaction_series(surveys.drop(columns="touchpoint"), touchpoint="relationship")


def test_bad_review_alerts_hand_computed(surveys):
    a = sat.bad_review_alerts(surveys)  # bad = CSAT 1 or 2, weekly, threshold 5%
    assert a["period"].tolist() == list(pd.date_range("2025-01-06", "2025-02-03", freq="7D"))
    assert a["n"].tolist() == [2, 1, 0, 0, 2]
    assert a["bad"].tolist() == [1, 1, 0, 0, 0]
    assert a["alert"].tolist() == [True, True, False, False, False]
    assert a["rate"].iloc[0] == 0.5 and np.isnan(a["rate"].iloc[2])
    # exact binomial: P(X >= 1 | n = 2, p = 0.05) = 1 - 0.95^2; n = 1: 0.05
    assert a["p_value"].iloc[0] == pytest.approx(1 - 0.95**2)
    assert a["p_value"].iloc[1] == pytest.approx(0.05)
    assert a["p_value"].iloc[4] == pytest.approx(1.0)
    assert not a["significant"].any()  # one bad answer in one or two is weak evidence
    # one-sided exact lower bound: 1 bad of 2 -> 1 - sqrt(0.95); of 1 -> 0.05; none of 2 -> 0
    assert a["ci_low"].iloc[0] == pytest.approx(1 - math.sqrt(0.95))
    assert a["ci_low"].iloc[1] == pytest.approx(0.05)
    assert a["ci_low"].iloc[4] == 0.0 and np.isnan(a["ci_low"].iloc[2])
    assert a.columns.tolist() == ["period", "n", "bad", "rate", "ci_low", "alert", "p_value", "significant"]


def test_bad_review_alerts_custom_definition_matches_scipy(surveys):
    a = sat.bad_review_alerts(surveys, threshold=0.2, bad={"nps": range(7), "csat": (1,)}, freq="M")
    # January: nps 10, 3, 9 and csat 5, 1, 2 -> bad = {nps 3, csat 1} = 2 of 6
    jan = a.iloc[0]
    assert (jan["n"], jan["bad"]) == (6, 2)
    ref = stats.binomtest(2, 6, 0.2, alternative="greater")
    assert jan["p_value"] == pytest.approx(ref.pvalue)
    assert jan["ci_low"] == pytest.approx(ref.proportion_ci(confidence_level=0.95, method="exact").low)
    assert bool(jan["alert"])  # 2/6 = 0.33 > 0.2


def test_bad_review_alert_significance_matches_the_lower_bound():
    """significant (p < 1 - confidence) and ci_low > threshold are the same decision."""
    rng = np.random.default_rng(3)
    n = 4000
    s = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "instrument": "csat",
            "score": np.where(rng.random(n) < 0.07, 1, 5),
            "date": pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 7 * 40, n), unit="D"),
        }
    )
    for confidence in (0.8, 0.95, 0.99):
        a = sat.bad_review_alerts(s, confidence=confidence)
        assert (a["significant"] == (a["ci_low"] > 0.05)).all()
    loose, strict = sat.bad_review_alerts(s, confidence=0.8), sat.bad_review_alerts(s, confidence=0.99)
    assert loose["significant"].sum() >= strict["significant"].sum()
    assert (loose["ci_low"] >= strict["ci_low"]).all()


def test_false_alarm_probability_closed_form():
    # n = 20, threshold 5%: alert iff bad >= 2
    p = 0.03
    expected = 1 - (1 - p) ** 20 - 20 * p * (1 - p) ** 19
    assert sat.false_alarm_probability(20, true_rate=p) == pytest.approx(expected)
    # n = 5: any bad answer (20%) fires the alert
    assert sat.false_alarm_probability(5, true_rate=p) == pytest.approx(1 - (1 - p) ** 5)
    s = sat.false_alarm_probability([5, 20], true_rate=p)
    assert s.index.tolist() == [5, 20]


def test_weekly_rule_false_alarm_rate_matches_simulation():
    """Simulate 600 weeks of 20 CSAT answers with a true bad rate of 3% (under the 5% line):
    the share of weeks the seed's rule fires matches the binomial calculation, about 12%."""
    rng = np.random.default_rng(8)
    weeks, per_week, p = 600, 20, 0.03
    start = pd.Timestamp("2020-01-06")  # a Monday
    dates = np.repeat(start + pd.to_timedelta(7 * np.arange(weeks), unit="D"), per_week)
    scores = np.where(rng.random(weeks * per_week) < p, 1, 5)
    s = pd.DataFrame({"customer_id": np.arange(weeks * per_week), "date": dates, "instrument": "csat", "score": scores})
    a = sat.bad_review_alerts(s)
    assert len(a) == weeks and (a["n"] == per_week).all()
    expected = sat.false_alarm_probability(per_week, true_rate=p)
    assert abs(a["alert"].mean() - expected) < 4 * math.sqrt(expected * (1 - expected) / weeks)
    # the exact test at 5% flags far fewer weeks than the raw rule
    assert a["significant"].mean() < a["alert"].mean() / 2


@pytest.mark.parametrize(
    ("mutate", "column"),
    [
        (lambda d: d.drop(columns="instrument"), None),
        (lambda d: d.assign(score=d["score"].astype(str).where(d.index != 0, "ten")), "score"),
        (lambda d: d.assign(score=d["score"].where(d.index != 2, 6)), "score"),  # csat 6
        (lambda d: d.assign(score=d["score"].where(d.index != 0, -1)), "score"),
        (lambda d: d.assign(date=d["date"].where(d.index != 0, "someday")), "date"),
        (lambda d: d.assign(instrument=d["instrument"].where(d.index != 0, "stars")), "instrument"),
        (lambda d: d.iloc[0:0], None),
    ],
    ids=[
        "missing column",
        "wrong dtype",
        "csat out of scale",
        "negative",
        "unparseable date",
        "unknown instrument",
        "empty",
    ],
)
def test_bad_surveys_raise_data_error(surveys, mutate, column):
    for func in (sat.satisfaction_series, sat.bad_review_alerts):
        with pytest.raises(DataError) as err:
            func(mutate(surveys))
        assert err.value.table == "surveys"
        assert err.value.column == column


def test_bad_arguments(surveys):
    with pytest.raises(ValueError, match="threshold"):
        sat.bad_review_alerts(surveys, threshold=5)
    with pytest.raises(ValueError, match="bad="):
        sat.bad_review_alerts(surveys, bad={"stars": (1,)})
    for func in (sat.nps, sat.csat, sat.ces):
        with pytest.raises(
            ConfigError, match=r"confidence=1\.5 is not allowed: give a confidence level strictly between 0 and 1"
        ):
            func([5], confidence=1.5)
    with pytest.raises(ConfigError, match="confidence=0 is not allowed"):
        sat.satisfaction_series(surveys, confidence=0)
    with pytest.raises(ConfigError, match="confidence=95 is not allowed"):
        sat.bad_review_alerts(surveys, confidence=95)
    with pytest.raises(TypeError):
        sat.nps([9], 0.05)  # the level is keyword-only, so an old positional alpha fails loudly


@pytest.fixture(scope="module")
def baseline_run():
    import sim

    return sim.run(sim.Scenario.load("baseline"), customers=2000, days=730, seed=1)


def test_satisfaction_on_simulated_surveys(baseline_run):
    """Our metrics agree with the simulator's KPI module and separate truly satisfied customers."""
    res = baseline_run
    sv = res.observed().surveys
    kpi = res.kpis()
    by = {i: sv.loc[sv["instrument"] == i, "score"] for i in ("nps", "csat", "ces")}
    assert sat.nps(by["nps"]).value == pytest.approx(kpi["nps"])
    assert sat.csat(by["csat"]).value == pytest.approx(kpi["csat"])
    assert sat.ces(by["ces"]).value == pytest.approx(kpi["ces"])
    monthly = sat.satisfaction_series(sv, freq="M")
    assert monthly["n"].sum() == len(sv)
    # latent satisfaction at the horizon: the upper half's NPS interval lies above the lower half's
    truth = res.customers.set_index("customer_id")["true_satisfaction_end"]
    nps_sv = sv[sv["instrument"] == "nps"]
    high = truth.reindex(nps_sv["customer_id"]).to_numpy() >= truth.median()
    upper, lower = sat.nps(nps_sv["score"][high]), sat.nps(nps_sv["score"][~high])
    assert upper.ci_low > lower.ci_high
    alerts = sat.bad_review_alerts(sv)
    assert alerts["n"].sum() == len(by["csat"])
    assert (alerts["alert"] == (alerts["rate"] > 0.05)).all()
