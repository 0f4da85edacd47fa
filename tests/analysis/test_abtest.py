"""A/B tests: checked against hand formulas, statsmodels and scipy; peeking inflates false positives."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from sim.analysis import abtest
from sim.analysis.abtest.peeking import _pooled_z
from sim.errors import DataError

Z95 = stats.norm.ppf(0.975)


def test_two_proportion_test_hand_formulas():
    r = abtest.two_proportion_test(30, 200, 45, 200)  # 15% vs 22.5%
    pa, pb = 0.15, 0.225
    pooled = 75 / 400
    z = (pb - pa) / math.sqrt(pooled * (1 - pooled) * (1 / 200 + 1 / 200))
    assert r.diff == pytest.approx(0.075)
    assert r.z == pytest.approx(z)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    se_unpooled = math.sqrt(pa * (1 - pa) / 200 + pb * (1 - pb) / 200)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.075 - Z95 * se_unpooled, 0.075 + Z95 * se_unpooled))
    assert r.relative_lift == pytest.approx(0.5)
    assert r.cohens_h == pytest.approx(2 * math.asin(math.sqrt(pb)) - 2 * math.asin(math.sqrt(pa)))
    assert r.significant == (r.p_value < 0.05)


def test_two_proportion_test_agrees_with_statsmodels_and_one_sided():
    z, p = proportions_ztest([130, 100], [1000, 1000])
    r = abtest.two_proportion_test(100, 1000, 130, 1000)
    assert (r.z, r.p_value) == pytest.approx((z, p))
    larger = abtest.two_proportion_test(100, 1000, 130, 1000, alternative="larger")
    assert larger.p_value == pytest.approx(stats.norm.sf(z))
    smaller = abtest.two_proportion_test(100, 1000, 130, 1000, alternative="smaller")
    assert smaller.p_value == pytest.approx(stats.norm.cdf(z))


def test_two_proportion_test_degenerate_and_zero_baseline():
    r = abtest.two_proportion_test(0, 50, 0, 50)
    assert math.isnan(r.z) and math.isnan(r.p_value) and not r.significant
    r0 = abtest.two_proportion_test(0, 50, 5, 50)
    assert math.isnan(r0.relative_lift)
    assert r0.diff == pytest.approx(0.1)


@pytest.mark.parametrize(
    "args",
    [(11, 10, 1, 10), (-1, 10, 1, 10), (1.5, 10, 1, 10), (0, 0, 1, 10), ("a", 10, 1, 10), (1, 10, None, 10)],
    ids=["success > n", "negative", "not whole", "n = 0", "wrong dtype", "missing"],
)
def test_two_proportion_test_bad_counts(args):
    with pytest.raises(DataError):
        abtest.two_proportion_test(*args)


def test_two_mean_test_matches_scipy_welch_and_hand_d():
    rng = np.random.default_rng(1)
    a = rng.normal(50, 10, 40)
    b = rng.normal(55, 20, 60)
    r = abtest.two_mean_test(a, b, confidence=0.9)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert (r.t, r.p_value) == pytest.approx((ref.statistic, ref.pvalue))
    # Welch-Satterthwaite df and interval by hand
    va, vb = a.var(ddof=1) / 40, b.var(ddof=1) / 60
    df = (va + vb) ** 2 / (va**2 / 39 + vb**2 / 59)
    assert r.df == pytest.approx(df)
    half = stats.t.ppf(0.95, df) * math.sqrt(va + vb)
    assert (r.ci_low, r.ci_high) == pytest.approx((r.diff - half, r.diff + half))
    pooled = math.sqrt((39 * a.var(ddof=1) + 59 * b.var(ddof=1)) / 98)
    assert r.cohens_d == pytest.approx((b.mean() - a.mean()) / pooled)


def test_two_mean_test_bad_input():
    with pytest.raises(DataError):
        abtest.two_mean_test([1.0], [1.0, 2.0])
    with pytest.raises(DataError):
        abtest.two_mean_test([1.0, float("nan")], [1.0, 2.0])
    with pytest.raises(DataError):
        abtest.two_mean_test(["x", "y"], [1.0, 2.0])


def test_sample_size_means_cohen_table():
    # Cohen (1988), two-sided alpha 0.05, power 0.8: d = 0.2 -> 393, 0.5 -> 64, 0.8 -> 26 per group
    assert abtest.sample_size_means(0.5) == 64
    assert abtest.sample_size_means(0.8) == 26
    assert abtest.sample_size_means(0.2) == 394  # Cohen's table rounds 393.4 down; we round up


def test_sample_size_proportions_hand_formula_and_power():
    """n = 2 ((z_{1-a/2} + z_power) / h)^2 per group; at n the power reaches 80%, at n - 1 it does not."""
    for pa, pb in [(0.10, 0.12), (0.05, 0.06), (0.30, 0.20)]:
        h = abs(2 * math.asin(math.sqrt(pb)) - 2 * math.asin(math.sqrt(pa)))
        approx = 2 * ((Z95 + stats.norm.ppf(0.8)) / h) ** 2
        n = abtest.sample_size_proportions(pa, pb)
        assert abs(n - approx) < 2  # the exact solver adds the tiny far-tail term

        def power(m: int) -> float:
            shift = h * math.sqrt(m / 2)
            return stats.norm.sf(Z95 - shift) + stats.norm.cdf(-Z95 - shift)

        assert power(n) >= 0.8 > power(n - 1)


def test_sample_size_bad_arguments():
    with pytest.raises(ValueError):
        abtest.sample_size_proportions(0.1, 0.1)
    with pytest.raises(ValueError):
        abtest.sample_size_proportions(0.0, 0.1)
    with pytest.raises(ValueError):
        abtest.sample_size_means(0.5, power=1.2)
    with pytest.raises(ValueError):
        abtest.sample_size_means(-0.5, alternative="larger")


def test_vectorised_z_matches_statsmodels():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(20, 500))
        xa, xb = rng.integers(1, n, 2)
        z_sm, _ = proportions_ztest([xb, xa], [n, n])
        z = _pooled_z(np.array([xa], float), np.array([xb], float), np.array([n], float))[0]
        assert z == pytest.approx(z_sm)


def test_peeking_inflates_false_positives():
    r = abtest.peeking_simulation(p=0.1, n_max=2000, looks=10, n_sims=3000, seed=5)
    assert r["nominal_alpha"] == 0.05
    # with ten looks the realised rate is far above alpha (about 0.19 for normal data) ...
    assert r["realised_rate"] > 0.05 + 5 * r["realised_se"]
    assert r["realised_rate"] > 0.12
    # ... while one analysis at the end stays near alpha
    assert abs(r["final_only_rate"] - 0.05) < 4 * math.sqrt(0.05 * 0.95 / 3000)


def test_peeking_matches_armitage_and_bonferroni_fix():
    """Armitage, McPherson & Rowe (1969): 5 equally spaced looks at alpha 0.05 give about 0.142."""
    r = abtest.peeking_simulation(p=0.5, n_max=5000, looks=5, n_sims=20000, seed=9)
    assert abs(r["realised_rate"] - 0.142) < 4 * r["realised_se"]
    fixed = abtest.peeking_simulation(p=0.5, n_max=5000, looks=5, n_sims=20000, seed=9, alpha_per_look=0.01)
    assert fixed["realised_rate"] <= 0.05 + 3 * fixed["realised_se"]


def test_peeking_single_look_and_determinism():
    one = abtest.peeking_simulation(looks=1, n_sims=500, seed=2)
    assert one["realised_rate"] == one["final_only_rate"]
    a = abtest.peeking_simulation(n_sims=300, seed=7)
    b = abtest.peeking_simulation(n_sims=300, seed=7)
    assert a.equals(b)
    with pytest.raises(ValueError):
        abtest.peeking_simulation(n_max=5, looks=10)


def test_peeking_guidance_warns():
    with pytest.warns(abtest.PeekingWarning, match="alpha / looks"):
        text = abtest.peeking_guidance(5)
    assert "0.01" in text
    assert issubclass(abtest.PeekingWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        abtest.peeking_guidance(1)
        abtest.peeking_guidance(5, warn=False)


def test_tests_detect_real_differences_in_a_simulated_log():
    """Split simulated customers by a latent trait (known truth) and check that the tests see it."""
    import sim

    res = sim.run(sim.Scenario.load("btyd_only"), customers=3000, days=730, seed=2)
    cust = res.customers.set_index("customer_id")
    orders = res.observed().orders
    # A = slow buyers, B = fast buyers (latent purchase rate below / above the median)
    fast = cust["true_purchase_rate"] >= cust["true_purchase_rate"].median()
    repeat = orders.groupby("customer_id").size().reindex(cust.index, fill_value=0) >= 2
    r = abtest.two_proportion_test(
        int(repeat[~fast].sum()), int((~fast).sum()), int(repeat[fast].sum()), int(fast.sum())
    )
    assert r.diff > 0 and r.ci_low > 0 and r.p_value < 1e-6
    # order values: customers with a low Gamma-Gamma rate nu spend more per order (E[z] = p / nu)
    nu = cust["true_spend_scale"]
    big = nu < nu.median()
    amt = orders.join(big.rename("big"), on="customer_id")
    m = abtest.two_mean_test(amt.loc[~amt["big"], "amount"], amt.loc[amt["big"], "amount"])
    expected = (res.scenario.spend.p / nu).reindex(amt["customer_id"]).to_numpy()
    truth = expected[amt["big"].to_numpy()].mean() - expected[~amt["big"].to_numpy()].mean()
    assert m.p_value < 1e-6
    assert m.ci_low <= truth <= m.ci_high


def test_one_sided_sample_sizes_work_in_both_directions():
    """A drop is planned like the mirrored lift; the wrong direction is refused (found broken once)."""
    from sim.analysis.abtest import sample_size_means, sample_size_proportions

    assert sample_size_proportions(0.10, 0.08, alternative="smaller") == sample_size_proportions(
        0.08, 0.10, alternative="larger"
    )
    assert sample_size_means(-0.4, alternative="smaller") == sample_size_means(0.4, alternative="larger")
    assert sample_size_proportions(0.10, 0.08, alternative="smaller") < sample_size_proportions(0.10, 0.08)
    for call in (
        lambda: sample_size_proportions(0.10, 0.12, alternative="smaller"),
        lambda: sample_size_proportions(0.12, 0.10, alternative="larger"),
        lambda: sample_size_means(0.4, alternative="smaller"),
        lambda: sample_size_means(-0.4, alternative="larger"),
    ):
        with pytest.raises(ValueError, match="points the other way"):
            call()
