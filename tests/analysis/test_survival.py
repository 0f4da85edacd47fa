"""Tests of ``sim.analysis.survival``: observed lapse durations and Kaplan-Meier survival.

Checked against hand-counted tiny examples, hand-written product-limit and Greenwood
arithmetic, statsmodels' own output (survival, Hall-Wellner band, median interval, log-rank),
a closed-form exponential survival curve, and the simulator's latent churn times.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

import sim
from sim.analysis import survival
from sim.errors import ConfigError, DataError


def _orders(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [r[0] for r in rows], "date": pd.to_datetime([r[1] for r in rows])})


# ----------------------------------------------------------------------------------------
# Observed lapse
# ----------------------------------------------------------------------------------------


def test_lapse_durations_by_hand_including_boundaries():
    cutoff = pd.Timestamp("2025-12-31")
    orders = _orders(
        [
            (1, "2025-01-01"), (1, "2025-04-01"),  # gap of exactly 90 days: no lapse at 1 Jan
            (2, "2025-01-01"), (2, "2025-04-02"),  # gap of 91 days: lapse at 1 Jan, then back
            (3, "2025-09-01"), (3, "2025-10-02"),  # 10-02 + 90 days = cutoff: lapse just confirmed
            (4, "2025-09-01"), (4, "2025-10-03"),  # 10-03 + 90 days > cutoff: still censored
            (5, "2026-01-05"),                      # after the cutoff: not seen
        ]
    )  # fmt: skip
    d = survival.lapse_durations(orders, cutoff, lapse_days=90)
    assert d.index.tolist() == [1, 2, 3, 4] and d.attrs["orders_after_cutoff"] == 1
    # customer 1: last order 1 Apr, 274 days before the cutoff -> lapse at 1 Apr, day 90
    assert d.loc[1, ["duration", "event", "reactivated"]].tolist() == [90.0, True, False]
    assert d.loc[2, ["duration", "event", "reactivated"]].tolist() == [0.0, True, True]
    assert d.loc[3, ["duration", "event"]].tolist() == [31.0, True]
    # customer 4: censored at cutoff - 90 days = 2 Oct, 31 days after joining
    assert d.loc[4, ["duration", "event", "observable"]].tolist() == [31.0, False, True]
    assert d.loc[2, "lapse_order"] == pd.Timestamp("2025-01-01") and pd.isna(d.loc[4, "lapse_order"])


def test_lapse_durations_against_simulated_churn():
    """Every customer who truly churned early enough is seen to lapse, never after the churn."""
    res = sim.run("btyd_only", customers=3000, days=730, seed=4)
    lapse = 90
    d = survival.lapse_durations(res.orders, res.end_date, lapse_days=lapse)
    c = res.customers.set_index("customer_id").reindex(d.index)
    churn_date = res.start_date + pd.to_timedelta(c["true_churn_t"], unit="D")
    churned_early = c["true_churn_t"].notna() & (churn_date <= res.end_date - pd.Timedelta(days=lapse))
    assert churned_early.sum() > 500
    assert d.loc[churned_early, "event"].all()
    # the lapse order (first long gap) is at or before the churn order ...
    tol = pd.Timedelta(microseconds=1)
    assert (d.loc[churned_early, "lapse_order"] <= churn_date[churned_early] + tol).all()
    # ... and is the churn order itself unless the customer had an earlier long gap
    final = churned_early & ~d["reactivated"]
    assert ((d.loc[final, "lapse_order"] - churn_date[final]).abs() <= tol).all()


# ----------------------------------------------------------------------------------------
# Kaplan-Meier
# ----------------------------------------------------------------------------------------

DUR = [1, 2, 2, 3, 4, 5]
EVT = [1, 1, 0, 1, 0, 1]


def test_kaplan_meier_product_limit_and_greenwood_by_hand():
    """Product-limit arithmetic written out.

    time  at risk  events  S(t)
    1     6        1       5/6
    2     5        1       5/6 * 4/5 = 2/3        (the censored 2 is at risk at 2)
    3     3        1       2/3 * 2/3 = 4/9
    5     1        1       0
    Greenwood: Var S(t) = S(t)^2 * sum d / (n (n - d)).
    """
    km = survival.KaplanMeier().fit(DUR, EVT)
    sf = km.survival_function_
    assert sf["time"].tolist() == [0.0, 1.0, 2.0, 3.0, 5.0]
    np.testing.assert_allclose(sf["survival"], [1, 5 / 6, 2 / 3, 4 / 9, 0])
    assert sf["at_risk"].tolist() == [6, 6, 5, 3, 1] and sf["events"].tolist() == [0, 1, 1, 1, 1]
    s = np.array([5 / 6, 2 / 3, 4 / 9])
    gw = np.cumsum([1 / (6 * 5), 1 / (5 * 4), 1 / (3 * 2)])
    se = s * np.sqrt(gw)
    z = stats.norm.ppf(0.975)
    v = se / (s * np.abs(np.log(s)))
    np.testing.assert_allclose(sf["ci_lower"].iloc[1:4], s ** np.exp(z * v), rtol=1e-12)
    np.testing.assert_allclose(sf["ci_upper"].iloc[1:4], s ** np.exp(-z * v), rtol=1e-12)
    assert sf[["ci_lower", "ci_upper"]].iloc[-1].isna().all()  # S = 0: no band
    assert km.median_survival_ == 3.0  # first time S < 0.5
    assert km.survival_at([0.0, 1.0, 2.5, 10.0])["all"].tolist() == pytest.approx([1.0, 5 / 6, 2 / 3, 0.0])


def test_kaplan_meier_agrees_with_statsmodels():
    rng = np.random.default_rng(7)
    t = np.round(rng.exponential(100, 400)) + 1  # ties, no time 0
    e = rng.random(400) < 0.7
    sm = SurvfuncRight(t, e.astype(float))
    km = survival.KaplanMeier().fit(t, e)
    sf = km.survival_function_.iloc[1:]  # row 0 is the added (time 0, S = 1) row
    np.testing.assert_allclose(sf["survival"], sm.surv_prob)
    np.testing.assert_allclose(sf["time"], sm.surv_times)
    # pointwise band: 0.5 is inside it exactly where statsmodels' median interval says so
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = sm.quantile_ci(0.5, method="cloglog")
    inside = sf.loc[(sf["ci_lower"] <= 0.5) & (sf["ci_upper"] >= 0.5), "time"]
    assert inside.iloc[0] == lo
    assert km.median_ci_.loc["all"].tolist() == [lo, hi]
    # simultaneous band = statsmodels' Hall-Wellner band
    hw = survival.KaplanMeier(ci="hall-wellner").fit(t, e).survival_function_
    hw = hw.iloc[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        l2, u2 = sm.simultaneous_cb()
    np.testing.assert_allclose(hw["ci_lower"], l2)
    np.testing.assert_allclose(hw["ci_upper"], u2)


def test_kaplan_meier_recovers_an_exponential_survival_curve():
    """Exponential lifetimes (mean 200 days), uniform censoring: S(t) = exp(-t / 200)."""
    rng = np.random.default_rng(21)
    n = 3000
    life = rng.exponential(200, n)
    cens = rng.uniform(0, 600, n)
    km = survival.kaplan_meier(np.minimum(life, cens), life <= cens)
    sf = km.survival_function_
    for t in (50.0, 150.0, 300.0):
        row = sf.loc[sf["time"] <= t].iloc[-1]
        assert row["ci_lower"] - 0.01 <= math.exp(-t / 200) <= row["ci_upper"] + 0.01
    lo, hi = km.median_ci_.loc["all"]
    assert lo <= 200 * math.log(2) <= hi


def test_kaplan_meier_groups_and_log_rank_by_hand():
    dur = np.array([1, 3, 4, 6, 2, 2, 5, 8, 9, 7])
    evt = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1])
    grp = np.array(["a"] * 4 + ["b"] * 6)
    km = survival.kaplan_meier(dur, evt, groups=grp)
    for g in ("a", "b"):
        one = survival.kaplan_meier(dur[grp == g], evt[grp == g]).survival_function_
        part = (
            km.survival_function_.loc[km.survival_function_["group"] == g].drop(columns="group").reset_index(drop=True)
        )
        pd.testing.assert_frame_equal(part, one)
    # log-rank by hand: at each event time, O - E and the hypergeometric variance for group a
    o_e, var = 0.0, 0.0
    for t in np.unique(dur[evt == 1]):
        at_risk = dur >= t
        n, n_a = at_risk.sum(), (at_risk & (grp == "a")).sum()
        d = ((dur == t) & (evt == 1)).sum()
        d_a = ((dur == t) & (evt == 1) & (grp == "a")).sum()
        o_e += d_a - d * n_a / n
        var += d * (n_a / n) * (1 - n_a / n) * (n - d) / (n - 1) if n > 1 else 0.0
    chisq = o_e**2 / var
    assert km.logrank_["statistic"] == pytest.approx(chisq, rel=1e-10)
    assert km.logrank_["p_value"] == pytest.approx(stats.chi2.sf(chisq, 1), rel=1e-10)
    assert km.logrank_["statistic"] == pytest.approx(survdiff(dur, evt, grp)[0])
    assert km.median_survival_.index.tolist() == ["a", "b"]


def test_kaplan_meier_input_errors_name_the_column():
    with pytest.raises(DataError, match="duration"):
        survival.kaplan_meier([1.0, -2.0], [1, 0])
    with pytest.raises(DataError, match="observable"):
        survival.kaplan_meier([1.0, np.nan], [1, 0])
    with pytest.raises(DataError, match="event"):
        survival.kaplan_meier([1.0, 2.0], [1, 2])
    with pytest.raises(DataError, match="group"):
        survival.kaplan_meier([1.0, 2.0], [1, 0], groups=["a", None])
    with pytest.raises(ConfigError, match=r"confidence=0\.9 is not allowed with ci='hall-wellner'"):
        survival.KaplanMeier(confidence=0.9, ci="hall-wellner").fit([1.0, 2.0])
    with pytest.raises(ConfigError, match="ci='pointwise' is not allowed"):
        survival.KaplanMeier(ci="pointwise").fit([1.0, 2.0])


def test_kaplan_meier_plot_labels():
    import matplotlib.pyplot as plt

    ax = survival.kaplan_meier(DUR, EVT, groups=list("ababab")).plot()
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    plt.close("all")


def test_kaplan_meier_confidence_level_changes_only_the_band():
    """A 90 % band is inside the 95 % band; the curve itself does not depend on the level."""
    km95 = survival.KaplanMeier().fit(DUR, EVT).survival_function_
    km90 = survival.KaplanMeier(confidence=0.9).fit(DUR, EVT).survival_function_
    pd.testing.assert_series_equal(km95["survival"], km90["survival"])
    inner = km90.iloc[1:4]
    outer = km95.iloc[1:4]
    assert (inner["ci_lower"] > outer["ci_lower"]).all() and (inner["ci_upper"] < outer["ci_upper"]).all()
    z = stats.norm.ppf(0.95)
    s = inner["survival"].to_numpy()
    se = np.asarray(survival.KaplanMeier(confidence=0.9).fit(DUR, EVT).curves_["all"].surv_prob_se)[:3]
    np.testing.assert_allclose(inner["ci_lower"], s ** np.exp(z * se / (s * np.abs(np.log(s)))), rtol=1e-12)
