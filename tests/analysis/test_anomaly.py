"""sim.analysis.anomaly: change points, rolling robust z-scores, win-back KPIs, exit-reason confusion.

Change points are checked against series with a known break (found within a tolerance), pure
noise (no change in all but a few series, the rate bounded by a binomial test), and the closed
form of the segment means; anomalies against hand-computed medians/MADs and injected spikes;
the win-back summary against a per-customer brute force and hand-built window boundaries; the
confusion table against a simulated answer model with a known truthful share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sim.analysis import anomaly as A
from sim.errors import ConfigError, DataError

# --------------------------------------------------------------------------- change_points


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n", "at", "shift"), [(60, 25, 2.0), (104, 70, -1.8), (200, 120, 1.5)])
def test_a_known_level_shift_is_found_within_a_tolerance(seed, n, at, shift):
    rng = np.random.default_rng(seed)
    noise_sd, level = 4.0, 120.0
    x = level + noise_sd * rng.normal(size=n)
    x[at:] += shift * noise_sd
    weeks = pd.date_range("2025-01-06", periods=n, freq="W-MON")
    cp = A.change_points(pd.Series(x, index=weeks))
    assert len(cp) >= 1
    best = cp.iloc[(cp["position"] - at).abs().argmin()]
    assert abs(best["position"] - at) <= 4
    assert best["label"] == weeks[best["position"]]
    assert np.sign(best["shift"]) == np.sign(shift)
    se = noise_sd * np.sqrt(1 / at + 1 / (n - at))  # standard error of a difference of two segment means
    assert abs(best["shift"] - shift * noise_sd) < 4 * se
    assert 0.5 < best["shift_sd"] / shift < 2.0  # in noise standard deviations (the noise estimate is rough)


def test_two_breaks_and_the_segment_means_are_exact():
    rng = np.random.default_rng(7)
    x = np.r_[rng.normal(50, 1, 40), rng.normal(58, 1, 30), rng.normal(45, 1, 40)]
    cp = A.change_points(x)
    assert cp["position"].tolist() == [40, 70]
    # the means are those of the segments between the change points (closed form)
    assert cp["mean_before"].iloc[0] == pytest.approx(x[:40].mean())
    assert cp["mean_after"].iloc[0] == pytest.approx(x[40:70].mean())
    assert cp["mean_before"].iloc[1] == pytest.approx(x[40:70].mean())
    assert cp["mean_after"].iloc[1] == pytest.approx(x[70:].mean())
    assert cp["shift"].tolist() == pytest.approx((cp["mean_after"] - cp["mean_before"]).tolist())
    assert list(cp.columns) == ["position", "label", "mean_before", "mean_after", "shift", "shift_sd"]
    assert cp["position"].dtype == "int64"


def test_pure_noise_gives_no_change_point_in_almost_every_series():
    rng = np.random.default_rng(2026)
    found = sum(len(A.change_points(rng.normal(0, 3, 100))) > 0 for _ in range(60))
    # the documented false-alarm rate is about 3%: more than 8 of 60 would be p < 0.01 at 5%
    assert stats.binomtest(found, 60, 0.05, alternative="greater").pvalue > 0.01, found


def test_constant_and_no_change_series_give_an_empty_table():
    assert A.change_points([7.0] * 20).empty
    out = A.change_points(pd.Series(np.random.default_rng(3).normal(10, 1, 80)))
    assert out.empty and list(out.columns) == ["position", "label", "mean_before", "mean_after", "shift", "shift_sd"]


def test_the_result_does_not_depend_on_the_unit_and_a_larger_penalty_finds_fewer():
    rng = np.random.default_rng(11)
    x = np.r_[rng.normal(0, 1, 50), rng.normal(1.2, 1, 30), rng.normal(-0.5, 1, 40)]
    a = A.change_points(x)["position"].tolist()
    assert A.change_points(1000 * x + 5)["position"].tolist() == a  # revenue in CNY or in thousands
    counts = [len(A.change_points(x, penalty=p)) for p in (1.0, 5.0, 15.0, 60.0, 500.0)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] == 0


def test_min_size_and_the_rbf_model():
    rng = np.random.default_rng(5)
    blip = rng.normal(0, 1, 60)
    blip[30:33] += 8  # a three-week blip
    assert A.change_points(blip)["position"].tolist() == [30, 33]
    assert A.change_points(blip, min_size=5)["position"].tolist() != [30, 33]  # segments of 3 are not allowed
    assert A.change_points(np.r_[np.zeros(10) + 0.01 * np.arange(10), 5 + 0.01 * np.arange(10)])[
        "position"
    ].tolist() == [10]
    var_change = np.r_[rng.normal(0, 1, 80), rng.normal(0, 5, 80)]  # same mean, wider spread
    cp = A.change_points(var_change, penalty=10.0, model="rbf")
    assert len(cp) >= 1 and abs(cp["position"].iloc[0] - 80) <= 8


@pytest.mark.parametrize(
    ("series", "kwargs", "error", "words"),
    [
        ([1.0, 2.0, np.nan, 4.0, 5.0, 6.0], {}, DataError, "NaN"),
        ([1.0, np.inf, 3.0, 4.0, 5.0, 6.0], {}, DataError, "infinite"),
        (["1", "2", "3", "4", "5", "6"], {}, DataError, "text"),
        ([True, False, True, False, True, False], {}, DataError, "booleans"),
        (pd.DataFrame({"a": [1.0] * 8}), {}, DataError, "one column"),
        ("12345678", {}, DataError, "Series"),
        ([1.0, 2.0, 3.0, 4.0, 5.0], {}, DataError, "at least 6"),
        ([1.0] * 10, {"model": "l7"}, ConfigError, "model"),
        ([1.0] * 10, {"penalty": 0}, ConfigError, "penalty"),
        ([1.0] * 10, {"penalty": "3"}, ConfigError, "penalty"),
        ([1.0] * 10, {"min_size": 1}, ConfigError, "min_size"),
        ([1.0] * 10, {"min_size": 2.5}, ConfigError, "min_size"),
        ([1.0] * 10, {"model": "rbf"}, ConfigError, "penalty"),
    ],
)
def test_change_points_refuses_malformed_input(series, kwargs, error, words):
    with pytest.raises(error, match=words):
        A.change_points(series, **kwargs)


def test_change_points_does_not_change_its_input():
    s = pd.Series([1.0, 1.1, 0.9, 1.0, 5.0, 5.1, 4.9, 5.0], index=list("abcdefgh"))
    before = s.copy()
    assert A.change_points(s)["label"].tolist() == ["e"]
    pd.testing.assert_series_equal(s, before)


# --------------------------------------------------------------------------- kpi_anomalies


def test_kpi_anomalies_by_hand():
    x = pd.Series([10.0, 12, 11, 13, 10, 40, 11], index=pd.date_range("2025-01-06", periods=7, freq="W-MON"))
    out = A.kpi_anomalies(x, window=4, z=3.0)
    assert out.index.equals(x.index) and list(out.columns) == ["value", "baseline", "scale", "z_score", "anomaly"]
    assert out["baseline"].iloc[:4].isna().all() and not out["anomaly"].iloc[:4].any()
    # point 4: previous [10, 12, 11, 13]: median 11.5, MAD median(|-1.5, .5, -.5, 1.5|) = 1.0
    assert out["baseline"].iloc[4] == 11.5
    assert out["scale"].iloc[4] == pytest.approx(1.482602218505602)
    assert out["z_score"].iloc[4] == pytest.approx(-1.5 / 1.482602218505602)
    # point 5: previous [12, 11, 13, 10]: median 11.5, MAD 1.0 -> z = 28.5 / 1.4826
    assert out["z_score"].iloc[5] == pytest.approx(28.5 / 1.482602218505602)
    assert out["anomaly"].tolist() == [False, False, False, False, False, True, False]
    # point 6: previous [11, 13, 10, 40]: the spike moves the median only to 12 and the MAD to 1.5
    assert out["baseline"].iloc[6] == 12.0 and out["scale"].iloc[6] == pytest.approx(1.5 * 1.482602218505602)
    assert not out["anomaly"].iloc[6]


def test_kpi_anomalies_finds_injected_spikes_and_the_threshold_matters():
    rng = np.random.default_rng(8)
    x = 200 + 10 * rng.normal(size=150)
    spikes = [30, 77, 120]
    x[spikes] += [80, -90, 70]
    out = A.kpi_anomalies(x, window=12, z=4.0)
    assert set(spikes) <= set(np.flatnonzero(out["anomaly"]))
    assert out["anomaly"].sum() <= len(spikes) + 2
    loose = A.kpi_anomalies(x, window=12, z=1.5)["anomaly"].sum()
    assert loose > out["anomaly"].sum()
    # z-scores do not depend on the unit
    np.testing.assert_allclose(
        A.kpi_anomalies(3 * x + 7, window=12)["z_score"], A.kpi_anomalies(x, window=12)["z_score"]
    )
    # the window matters
    assert not A.kpi_anomalies(x, window=5)["z_score"].equals(A.kpi_anomalies(x, window=12)["z_score"])


def test_kpi_anomalies_with_a_flat_baseline():
    out = A.kpi_anomalies([5.0, 5, 5, 5, 5, 6, 5], window=3)
    assert out["z_score"].iloc[3] == 0.0 and out["z_score"].iloc[5] == np.inf
    assert out["anomaly"].tolist() == [False, False, False, False, False, True, False]


@pytest.mark.parametrize(
    ("series", "kwargs", "error"),
    [
        ([1.0, np.nan, 2.0, 3.0], {"window": 3}, DataError),
        (["a", "b", "c", "d"], {"window": 3}, DataError),
        ([1.0, 2.0, 3.0, 4.0], {"window": 2}, ConfigError),
        ([1.0, 2.0, 3.0, 4.0], {"window": 3.0}, ConfigError),
        ([1.0, 2.0, 3.0, 4.0], {"z": 0}, ConfigError),
        ([1.0, 2.0, 3.0, 4.0], {"z": True}, ConfigError),
    ],
)
def test_kpi_anomalies_refuses_malformed_input(series, kwargs, error):
    with pytest.raises(error):
        A.kpi_anomalies(series, **kwargs)


# --------------------------------------------------------------------------- winback_summary


def _contacts(rows):
    return pd.DataFrame(rows, columns=["customer_id", "t", "campaign", "cost", "variant"])


def test_winback_summary_window_boundaries():
    contacts = _contacts(
        [
            (1, 100.0, "winback", 3.0, "a"),  # order at exactly t + 90: counts
            (2, 100.0, "winback", 3.0, "a"),  # order at the contact time: does not count
            (3, 100.0, "winback", 3.0, "b"),  # order just after t + 90: does not count
            (4, 100.0, "winback", 3.0, "b"),  # an order before and one inside
            (5, 100.0, "churn_risk", 9.0, "a"),  # another trigger: left out
            (4, 200.0, "winback", 3.0, "b"),  # contacted twice: one customer
        ]
    )
    orders = pd.DataFrame({"customer_id": [1, 2, 3, 4, 4, 5], "t": [190.0, 100.0, 190.5, 50.0, 150.0, 120.0]})
    out = A.winback_summary(contacts, orders)
    row = out.loc["all"]
    assert (row["contacted"], row["won_back"]) == (4, 2)
    assert row["winback_rate"] == 0.5 and row["cost"] == 15.0 and row["cost_per_saved"] == 7.5
    lo, hi = proportion_confint(2, 4, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))
    assert out["contacted"].dtype == "int64" and out["won_back"].dtype == "int64"
    # a shorter window, another confidence level, two triggers, by variant
    assert A.winback_summary(contacts, orders, window_days=60).loc["all", "won_back"] == 1
    lo90, _ = proportion_confint(2, 4, alpha=0.10, method="wilson")
    assert A.winback_summary(contacts, orders, confidence=0.9).loc["all", "ci_low"] == pytest.approx(lo90)
    both = A.winback_summary(contacts, orders, campaign=["winback", "churn_risk"]).loc["all"]
    assert (both["contacted"], both["won_back"], both["cost"]) == (5, 3, 24.0)
    by = A.winback_summary(contacts, orders, by="variant")
    assert by.index.name == "variant"
    assert by["contacted"].to_dict() == {"a": 2, "b": 2} and by["won_back"].to_dict() == {"a": 1, "b": 1}


def test_winback_summary_censoring_and_nobody_won_back():
    contacts = _contacts([(1, 10.0, "winback", 2.0, "a"), (2, 300.0, "winback", 2.0, "a")])
    orders = pd.DataFrame({"customer_id": [9], "t": [20.0]})
    out = A.winback_summary(contacts, orders)
    assert out.loc["all", "won_back"] == 0 and np.isnan(out.loc["all", "cost_per_saved"])
    assert out.loc["all", "ci_low"] == pytest.approx(0.0, abs=1e-12) and out.loc["all", "ci_high"] > 0
    # data end at day 330: the contact of day 300 has no complete 90-day window yet
    assert A.winback_summary(contacts, orders, observed_until=330.0).loc["all", "contacted"] == 1
    empty = A.winback_summary(contacts.iloc[:0], orders)
    assert empty["contacted"].tolist() == [0] and np.isnan(empty["winback_rate"].iloc[0])


def test_winback_summary_agrees_with_a_per_customer_brute_force_on_the_simulator():
    import sim

    res = sim.run("baseline", "churn_rescue", customers=600, days=730, seed=21)
    obs = res.observed()
    contacts, orders = obs.contacts, obs.orders
    out = A.winback_summary(contacts, orders, window_days=90)
    wb = contacts[contacts["campaign"] == "winback"]
    won = 0
    for cid, g in wb.groupby("customer_id"):
        ts = orders.loc[orders["customer_id"] == cid, "t"].to_numpy()
        won += any(((ts > t) & (ts <= t + 90)).any() for t in g["t"])
    assert out.loc["all", "contacted"] == wb["customer_id"].nunique() > 20
    assert out.loc["all", "won_back"] == won
    assert out.loc["all", "cost"] == pytest.approx(wb["cost"].sum())


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda c, o: (c.drop(columns="campaign"), o), DataError, "campaign"),
        (lambda c, o: (c, o.drop(columns="t")), DataError, "'t'"),
        (lambda c, o: (c.assign(cost=-1.0), o), DataError, "cost"),
        (lambda c, o: (c.assign(t=np.nan), o), DataError, "'t'"),
        (lambda c, o: (c.assign(customer_id=["1", 2]), o), DataError, "customer_id"),
        (lambda c, o: ("contacts", o), DataError, "contacts"),
    ],
)
def test_winback_summary_refuses_malformed_tables(change, error, words):
    c = _contacts([(1, 10.0, "winback", 2.0, "a"), (2, 12.0, "winback", 2.0, "a")])
    o = pd.DataFrame({"customer_id": [1], "t": [20.0]})
    with pytest.raises(error, match=words):
        A.winback_summary(*change(c, o))


@pytest.mark.parametrize(
    "kwargs", [{"window_days": 0}, {"window_days": "90"}, {"confidence": 95}, {"campaign": []}, {"campaign": 3}]
)
def test_winback_summary_refuses_bad_arguments(kwargs):
    c = _contacts([(1, 10.0, "winback", 2.0, "a")])
    o = pd.DataFrame({"customer_id": [1], "t": [20.0]})
    with pytest.raises(ConfigError):
        A.winback_summary(c, o, **kwargs)


# --------------------------------------------------------------------------- stated_vs_true


def test_stated_vs_true_recovers_a_known_answer_model():
    rng = np.random.default_rng(13)
    reasons = np.array(["need_mismatch", "price", "product", "service"])
    mix = {"price": 0.5, "need_mismatch": 0.3, "product": 0.2}
    truthful, n = 0.6, 6000
    true = rng.choice(reasons, size=n, p=[0.2, 0.3, 0.3, 0.2])
    lie = rng.choice(list(mix), size=n, p=list(mix.values()))
    stated = np.where(rng.random(n) < truthful, true, lie)
    surveys = pd.DataFrame({"instrument": "reason", "reason": stated, "true_reason": true})
    extra = pd.DataFrame({"instrument": ["nps", "csat"], "reason": ["", ""], "true_reason": ["", ""]})
    table = A.stated_vs_true(pd.concat([surveys, extra], ignore_index=True), normalize="true")
    assert list(table.index) == list(reasons) == list(table.columns)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    for r in reasons:
        expected = truthful + (1 - truthful) * mix.get(str(r), 0.0)  # P(stated = r | true = r)
        n_r = int((true == r).sum())
        se = np.sqrt(expected * (1 - expected) / n_r)
        assert abs(table.loc[r, r] - expected) < 4 * se
    # a service leaver never says "service" unless truthful: no lie draws service
    assert table.loc["price", "service"] == 0.0
    counts = A.stated_vs_true(surveys)
    assert counts.to_numpy().sum() == n and counts.dtypes.eq("int64").all()
    by_stated = A.stated_vs_true(surveys, normalize="stated")
    np.testing.assert_allclose(by_stated.sum(axis=0), 1.0)


def test_stated_vs_true_refuses_malformed_input():
    s = pd.DataFrame({"instrument": ["reason"], "reason": ["price"], "true_reason": ["price"]})
    with pytest.raises(DataError, match="true_reason"):
        A.stated_vs_true(s.drop(columns="true_reason"))
    with pytest.raises(DataError, match="without a reason"):
        A.stated_vs_true(s.assign(reason=[""]))
    with pytest.raises(ConfigError, match="normalize"):
        A.stated_vs_true(s, normalize="rows")
    assert A.stated_vs_true(s.assign(instrument="nps")).empty
