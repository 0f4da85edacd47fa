"""Tests of ``sim.analysis.clv``: BG/NBD and Gamma-Gamma by maximum likelihood.

What is checked, and against what:

* the summary columns against hand-counted tiny order logs;
* the log-likelihoods against the published per-customer formulas (Fader, Hardie & Lee 2005,
  eq. 6; Fader & Hardie 2013, eq. 4) evaluated with plain ``math``;
* the analytic gradients against finite differences;
* ``expected_purchases``, ``conditional_expected_purchases``, ``p_alive`` and the CLV chain
  against Monte-Carlo simulations of a BG/NBD + Gamma-Gamma population with known parameters
  (an independent numpy generator, ``simulate_btyd`` below);
* parameter recovery and P(alive) against the simulator's ground truth (``sim.run`` on the
  ``btyd_only`` scenario), and the coverage of the confidence intervals over replications.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from sklearn.metrics import roc_auc_score

import sim
from sim.analysis import clv
from sim.analysis.clv._base import _MLFitter
from sim.analysis.clv.bgnbd import _bgnbd_loglik, _bgnbd_loglik_grad
from sim.analysis.clv.gamma_gamma import _gg_loglik, _gg_loglik_grad
from sim.errors import DataError

TRUE = {"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0, "p": 6.0, "q": 4.0, "gamma": 150.0}
START = pd.Timestamp("2025-01-01")


# ----------------------------------------------------------------------------------------
# An independent BG/NBD + Gamma-Gamma generator (numpy only)
# ----------------------------------------------------------------------------------------


def simulate_btyd(n: int, days: float, *, seed: int, **params: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate ``n`` customers who all make their first purchase at day 0.

    Repeat purchases: Poisson(lambda) while alive, lambda ~ Gamma(r, rate alpha); after each
    repeat purchase the customer drops out with probability p ~ Beta(a, b). Order values
    (all orders): Gamma(shape p, rate nu), nu ~ Gamma(q, rate gamma).

    Returns the order log (customer_id, t, date, amount) and the truth per customer
    (lam, drop, nu, death_t: time of dropout, inf if alive at ``days``).
    """
    pr = {**TRUE, **params}
    rng = np.random.default_rng(seed)
    lam = rng.gamma(pr["r"], 1 / pr["alpha"], n)
    drop = rng.beta(pr["a"], pr["b"], n)
    nu = rng.gamma(pr["q"], 1 / pr["gamma"], n)
    t = np.zeros(n)
    death = np.full(n, np.inf)
    active = np.ones(n, dtype=bool)
    cust, times = [np.arange(n)], [np.zeros(n)]
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1 / lam[idx])
        over = t[idx] > days
        active[idx[over]] = False
        buy = idx[~over]
        cust.append(buy)
        times.append(t[buy].copy())
        die = buy[rng.random(len(buy)) < drop[buy]]
        death[die] = t[die]
        active[die] = False
    c, tt = np.concatenate(cust), np.concatenate(times)
    orders = pd.DataFrame(
        {
            "customer_id": c,
            "t": tt,
            "date": START + pd.to_timedelta(tt, unit="D"),
            "amount": rng.gamma(pr["p"], 1 / nu[c]),
        }
    ).sort_values(["customer_id", "t"], ignore_index=True)
    truth = pd.DataFrame(
        {"lam": lam, "drop": drop, "nu": nu, "death_t": death}, index=pd.Index(np.arange(n), name="customer_id")
    )
    return orders, truth


def fitted_bgf(**params: float) -> clv.BetaGeoFitter:
    bgf = clv.BetaGeoFitter()
    bgf.params_ = pd.Series({k: params.get(k, TRUE[k]) for k in ("r", "alpha", "a", "b")})
    return bgf


def fitted_ggf(**params: float) -> clv.GammaGammaFitter:
    ggf = clv.GammaGammaFitter()
    ggf.params_ = pd.Series({k: params.get(k, TRUE[k]) for k in ("p", "q", "gamma")})
    return ggf


@pytest.fixture(scope="module")
def population() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate_btyd(20_000, 730, seed=11)


# ----------------------------------------------------------------------------------------
# Summaries
# ----------------------------------------------------------------------------------------


def test_summary_data_counts_distinct_days_and_excludes_orders_after_cutoff():
    """Two orders on one day are one purchase; an order after the cutoff is not seen."""
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 3, 3],
            "date": [
                "2025-01-01 09:00",
                "2025-01-01 18:00",
                "2025-01-11",
                "2025-02-20",
                "2025-01-21",
                "2025-01-05",
                "2025-03-01",
            ],
            "amount": [10.0, 5.0, 30.0, 99.0, 8.0, 20.0, 40.0],
        }
    )
    s = clv.summary_data(orders, cutoff="2025-01-31")
    # customer 1: purchase days 1 Jan (15.0) and 11 Jan (30.0) -> frequency 1, recency 10, T 30
    assert s.loc[1].tolist() == [1, 10.0, 30.0, 30.0]
    # customer 2: one purchase on 21 Jan -> T = 10
    assert s.loc[2].tolist() == [0, 0.0, 10.0, 0.0]
    # customer 3: the 1 March order is after the cutoff
    assert s.loc[3].tolist() == [0, 0.0, 26.0, 0.0]
    assert s.attrs["orders_after_cutoff"] == 2
    assert s["frequency"].dtype == np.int64


def test_summary_data_weeks_first_date_and_continuous_time():
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2],
            "date": pd.to_datetime(
                ["2025-01-06 00:00", "2025-01-08 00:00", "2025-01-20 12:00", "2024-12-01 00:00", "2025-01-10 00:00"]
            ),
            "amount": [10.0, 20.0, 30.0, 1.0, 2.0],
        }
    )
    w = clv.summary_data(orders, cutoff="2025-02-03", time_unit="W")
    # 6 and 8 Jan are in the same Monday-Sunday week; 20 Jan is two weeks later; 3 Feb four weeks.
    assert w.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 2.0, 4.0]
    assert w.loc[1, "monetary_value"] == 30.0
    # first_date keeps only customers whose first order is on/after it
    late = clv.summary_data(orders, cutoff="2025-02-03", first_date="2025-01-01")
    assert late.index.tolist() == [1] and late.attrs["customers_before_first_date"] == 1
    # continuous time: every order counts, exact fractional days
    c = clv.summary_data(orders, cutoff="2025-02-03", first_date="2025-01-01", discrete=False)
    assert c.loc[1, "frequency"] == 2
    assert c.loc[1, "recency"] == pytest.approx(14.5)
    assert c.loc[1, "T"] == pytest.approx(28.0)
    assert c.loc[1, "monetary_value"] == pytest.approx(25.0)


def test_calibration_holdout_by_hand():
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 3],
            "date": pd.to_datetime(
                ["2025-01-01", "2025-01-10", "2025-02-05", "2025-02-05", "2025-01-20", "2025-02-10"]
            ),
            "amount": [10.0, 20.0, 30.0, 10.0, 5.0, 7.0],
        }
    )
    ch = clv.calibration_holdout(orders, "2025-01-31", "2025-03-02")
    assert ch.index.tolist() == [1, 2]  # customer 3 first ordered in the hold-out window
    assert ch.attrs["customers_new_in_holdout"] == 1
    assert ch.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 9.0, 30.0]
    assert ch.loc[1, "frequency_holdout"] == 1  # two orders on 5 Feb = one purchase
    assert ch.loc[1, "monetary_value_holdout"] == 40.0
    assert ch.loc[2, "frequency_holdout"] == 0
    assert (ch["duration_holdout"] == 30.0).all()


@pytest.mark.parametrize(
    ("orders", "column"),
    [
        (pd.DataFrame({"customer_id": [1], "date": ["2025-01-01"]}), "amount"),
        (pd.DataFrame({"customer_id": [1, 2], "date": ["2025-01-01", "2025-01-02"], "amount": [5.0, -1.0]}), "amount"),
        (pd.DataFrame({"customer_id": [1, 2], "date": ["2025-01-01", "not a date"], "amount": [5.0, 1.0]}), "date"),
        (
            pd.DataFrame({"customer_id": [1, None], "date": ["2025-01-01", "2025-01-02"], "amount": [5.0, 1.0]}),
            "customer_id",
        ),
    ],
)
def test_wrong_orders_raise_data_error_naming_the_column(orders, column):
    with pytest.raises(DataError, match=column):
        clv.summary_data(orders)
    with pytest.raises(DataError, match=column):
        clv.historical_clv(orders)


def test_wrong_summary_inputs_raise_data_error_naming_the_column():
    bgf = clv.BetaGeoFitter()
    with pytest.raises(DataError, match="recency") as err:
        bgf.fit([1, 2], [10.0, 50.0], [30.0, 40.0])  # recency 50 > T 40
    assert err.value.column == "recency" and err.value.rows == [1]
    with pytest.raises(DataError, match="frequency"):
        bgf.fit(["one", "two"], [1.0, 2.0], [3.0, 3.0])
    with pytest.raises(DataError, match="frequency"):
        bgf.fit([1.5, 2], [1.0, 2.0], [3.0, 3.0])
    with pytest.raises(DataError, match="T"):
        bgf.fit([1, 2], [1.0, 2.0], [3.0, np.nan])
    with pytest.raises(DataError, match="monetary_value"):
        clv.GammaGammaFitter().fit([1, 2], [10.0, 0.0])
    with pytest.raises(DataError, match="monetary_value"):
        clv.customer_lifetime_value(
            fitted_bgf(), fitted_ggf(), pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]})
        )


# ----------------------------------------------------------------------------------------
# Likelihoods against the published formulas
# ----------------------------------------------------------------------------------------


def _beta(x: float, y: float) -> float:
    return math.exp(math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y))


def bgnbd_likelihood_by_hand(r, alpha, a, b, x, tx, T):
    """FHL (2005) eq. 6, term by term in plain floating point."""
    common = (
        math.gamma(r + x) * alpha**r / math.gamma(r)
        if r + x < 170
        else math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha**r
    )
    alive = _beta(a, b + x) / _beta(a, b) * common / (alpha + T) ** (r + x)
    dead = _beta(a + 1, b + x - 1) / _beta(a, b) * common / (alpha + tx) ** (r + x) if x > 0 else 0.0
    return alive + dead


def gg_density_by_hand(p, q, g, x, m):
    """Fader & Hardie (2013) eq. 4: density of the mean of x order values.

    Powers are grouped as (m x / (g + m x))^(p x) (g / (g + m x))^q / m so that none overflows.
    """
    coef = math.exp(math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q))
    return coef * (m * x / (g + m * x)) ** (p * x) * (g / (g + m * x)) ** q / m


def test_bgnbd_log_likelihood_equals_published_formula_on_a_tiny_example():
    # Six customers observed for 40 days, frequencies chosen by hand.
    x = [0, 1, 2, 4, 0, 7]
    tx = [0.0, 5.0, 30.0, 35.0, 0.0, 38.0]
    T = [40.0, 40.0, 40.0, 40.0, 25.0, 40.0]
    bgf = clv.BetaGeoFitter().fit(x, tx, T)
    r, alpha, a, b = (bgf.params_[k] for k in ("r", "alpha", "a", "b"))
    hand = sum(math.log(bgnbd_likelihood_by_hand(r, alpha, a, b, *row)) for row in zip(x, tx, T))
    assert bgf.log_likelihood_ == pytest.approx(hand, rel=1e-10)
    # and it is a maximum: moving any parameter by 10 % lowers the hand-evaluated likelihood
    for k in range(4):
        for f in (0.9, 1.1):
            th = [r, alpha, a, b]
            th[k] *= f
            assert sum(math.log(bgnbd_likelihood_by_hand(*th, *row)) for row in zip(x, tx, T)) < hand


def test_bgnbd_log_likelihood_equals_formula_on_simulated_customers(population):
    orders, _ = population
    s = clv.summary_data(orders.loc[orders.customer_id < 300], cutoff=START + pd.Timedelta(days=730), discrete=False)
    bgf = clv.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    pr = [bgf.params_[k] for k in ("r", "alpha", "a", "b")]
    hand = sum(
        math.log(bgnbd_likelihood_by_hand(*pr, *row))
        for row in s[["frequency", "recency", "T"]].itertuples(index=False)
    )
    assert bgf.log_likelihood_ == pytest.approx(hand, rel=1e-10)


def test_gamma_gamma_log_likelihood_equals_published_formula(population):
    orders, _ = population
    s = clv.summary_data(orders.loc[orders.customer_id < 600], cutoff=START + pd.Timedelta(days=730), discrete=False)
    ggf = clv.GammaGammaFitter().fit(s["frequency"], s["monetary_value"])
    p, q, g = (ggf.params_[k] for k in ("p", "q", "gamma"))
    rep = s.loc[s["frequency"] > 0]
    hand = sum(math.log(gg_density_by_hand(p, q, g, x, m)) for x, m in zip(rep["frequency"], rep["monetary_value"]))
    assert ggf.n_customers_ == len(rep) < len(s)  # customers without repeat purchases are skipped
    assert ggf.log_likelihood_ == pytest.approx(hand, rel=1e-10)


def test_analytic_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 12, 50).astype(float)
    T = rng.uniform(100, 700, 50)
    tx = np.where(x > 0, rng.uniform(1, 1, 50) * T * rng.uniform(0.05, 1, 50), 0.0)
    for params in ([0.6, 60.0, 0.8, 5.0], [2.0, 10.0, 3.0, 0.7]):
        params = np.array(params)
        num = optimize.approx_fprime(params, lambda th: _bgnbd_loglik(th, x, tx, T).sum(), 1e-7)
        ana = _bgnbd_loglik_grad(params, x, tx, T).sum(axis=0)
        np.testing.assert_allclose(ana, num, rtol=1e-4, atol=1e-5)
    m = rng.gamma(6, 40, 50)
    xg = np.maximum(x, 1)
    params = np.array([6.0, 4.0, 150.0])
    num = optimize.approx_fprime(params, lambda th: _gg_loglik(th, xg, m).sum(), 1e-7)
    np.testing.assert_allclose(_gg_loglik_grad(params, xg, m).sum(axis=0), num, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------------------
# Predictions against Monte Carlo
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [30.0, 180.0, 365.0, 730.0])
def test_expected_purchases_matches_monte_carlo_mean(population, t):
    orders, _ = population
    n = orders["customer_id"].nunique()
    repeat = (
        orders.loc[(orders["t"] > 0) & (orders["t"] <= t)].groupby("customer_id").size().reindex(range(n), fill_value=0)
    )
    mc_mean, mc_se = repeat.mean(), repeat.std(ddof=1) / math.sqrt(n)
    assert abs(fitted_bgf().expected_purchases(t) - mc_mean) < 4 * mc_se


def test_conditional_expectation_of_a_newborn_equals_the_population_curve():
    bgf = fitted_bgf()
    for t in (10.0, 100.0, 500.0):
        assert bgf.conditional_expected_purchases(t, 0, 0.0, 0.0) == pytest.approx(bgf.expected_purchases(t), rel=1e-10)


def test_conditional_expected_purchases_match_simulated_holdout(population):
    """With the true parameters, predicted hold-out purchases add up to what happened."""
    orders, _ = population
    ch = clv.calibration_holdout(orders, START + pd.Timedelta(days=365), START + pd.Timedelta(days=730), discrete=False)
    pred = fitted_bgf().conditional_expected_purchases(365.0, ch["frequency"], ch["recency"], ch["T"])
    assert isinstance(pred, pd.Series) and pred.index.equals(ch.index)
    actual = ch["frequency_holdout"]
    se = actual.std(ddof=1) / math.sqrt(len(actual))
    assert abs(pred.mean() - actual.mean()) < 4 * se
    # also by calibration frequency group (0, 1, 2-4, 5+): a misspecified formula fails here
    grp = pd.cut(ch["frequency"], [-1, 0, 1, 4, np.inf])
    for _, idx in ch.groupby(grp, observed=True).groups.items():
        a, p_ = actual.loc[idx], pred.loc[idx]
        assert abs(p_.mean() - a.mean()) < 4 * a.std(ddof=1) / math.sqrt(len(a)) + 1e-9


def test_p_alive_is_informative_and_calibrated(population):
    orders, truth = population
    cut = 365.0
    s = clv.summary_data(orders, cutoff=START + pd.Timedelta(days=cut), discrete=False)
    alive = (truth["death_t"] > cut).reindex(s.index)
    pa = fitted_bgf().p_alive(s["frequency"], s["recency"], s["T"])
    assert roc_auc_score(alive, pa) > 0.8
    # calibration: the expected number alive matches the true number (Poisson-binomial sd)
    sd = math.sqrt(float((pa * (1 - pa)).sum()))
    assert abs(pa.sum() - alive.sum()) < 4 * sd
    assert (pa[s["frequency"] == 0] == 1).all()


# ----------------------------------------------------------------------------------------
# Gamma-Gamma and CLV
# ----------------------------------------------------------------------------------------


def test_conditional_expected_average_profit_by_hand():
    ggf = fitted_ggf()
    out = ggf.conditional_expected_average_profit(
        pd.Series([0, 1, 4], index=["a", "b", "c"]), pd.Series([0.0, 500.0, 100.0], index=["a", "b", "c"])
    )
    # E[Z | x, m] = p (gamma + x m) / (p x + q - 1)
    assert out["a"] == pytest.approx(6 * 150 / 3)  # population mean
    assert out["b"] == pytest.approx(6 * (150 + 500) / (6 + 3))
    assert out["c"] == pytest.approx(6 * (150 + 400) / (24 + 3))
    assert ggf.mean_order_value() == pytest.approx(300.0)
    with pytest.raises(ValueError, match="q="):
        fitted_ggf(q=0.9).conditional_expected_average_profit([1], [10.0])


def test_customer_lifetime_value_discounting_by_hand():
    bgf, ggf = fitted_bgf(), fitted_ggf()
    s = pd.DataFrame(
        {
            "frequency": [0, 3, 10],
            "recency": [0.0, 300.0, 700.0],
            "T": [730.0, 730.0, 730.0],
            "monetary_value": [0.0, 250.0, 400.0],
        }
    )
    ev = ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    # One step covering the whole horizon: E[purchases] x value x margin / 1.1^(365/365)
    one = clv.customer_lifetime_value(bgf, ggf, s, horizon_days=365, step_days=365, margin=0.3)
    e365 = bgf.conditional_expected_purchases(365, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(one["clv"], e365 * ev * 0.3 / 1.1, rtol=1e-12)
    # Two steps (200 days, then 165): each increment discounted at its own end
    two = clv.customer_lifetime_value(bgf, ggf, s, horizon_days=365, step_days=200, margin=0.3)
    e200 = bgf.conditional_expected_purchases(200, s["frequency"], s["recency"], s["T"])
    hand = 0.3 * ev * (e200 / 1.1 ** (200 / 365) + (e365 - e200) / 1.1)
    np.testing.assert_allclose(two["clv"], hand, rtol=1e-12)
    # Without discounting the step size does not matter
    a = clv.customer_lifetime_value(bgf, ggf, s, discount_rate_annual=0.0, step_days=7)
    b = clv.customer_lifetime_value(bgf, ggf, s, discount_rate_annual=0.0, step_days=100)
    np.testing.assert_allclose(a["clv"], b["clv"], rtol=1e-10)
    np.testing.assert_allclose(a["expected_purchases"], e365, rtol=1e-10)


def test_customer_lifetime_value_matches_simulated_holdout_revenue(population):
    """Undiscounted predicted revenue (true parameters) = revenue actually earned next year."""
    orders, _ = population
    cal_end = START + pd.Timedelta(days=365)
    s = clv.summary_data(orders, cutoff=cal_end, discrete=False)
    out = clv.customer_lifetime_value(fitted_bgf(), fitted_ggf(), s, horizon_days=365, discount_rate_annual=0.0)
    actual = (
        orders.loc[orders["date"] > cal_end].groupby("customer_id")["amount"].sum().reindex(s.index, fill_value=0.0)
    )
    se = actual.std(ddof=1) / math.sqrt(len(actual))
    assert abs(out["clv"].mean() - actual.mean()) < 4 * se


def test_customer_lifetime_value_needs_days():
    s = clv.summary_data(
        pd.DataFrame({"customer_id": [1, 1], "date": ["2025-01-01", "2025-03-01"], "amount": [1.0, 2.0]}), time_unit="W"
    )
    with pytest.raises(ValueError, match="days"):
        clv.customer_lifetime_value(fitted_bgf(), fitted_ggf(), s)


def test_historical_clv_by_hand():
    orders = pd.DataFrame(
        {
            "customer_id": [5, 5, 6, 6],
            "date": ["2025-01-01", "2025-01-31", "2025-01-10", "2025-04-01"],
            "amount": [100.0, 60.0, 20.0, 999.0],
        }
    )
    h = clv.historical_clv(orders, margin=0.25, cutoff="2025-02-01")
    assert h.loc[5, ["n_orders", "revenue", "historical_clv", "tenure_days"]].tolist() == [2, 160.0, 40.0, 31.0]
    assert h.loc[6, ["n_orders", "revenue", "historical_clv"]].tolist() == [1, 20.0, 5.0]
    assert h.attrs["orders_after_cutoff"] == 1


def test_plots_have_title_and_axis_labels(population):
    import matplotlib.pyplot as plt

    orders, _ = population
    ch = clv.calibration_holdout(
        orders.loc[orders.customer_id < 2000], START + pd.Timedelta(days=365), START + pd.Timedelta(days=730)
    )
    axes = [
        fitted_bgf().plot_expected_purchases(365),
        fitted_bgf().plot_p_alive_matrix(365),
        clv.plot_calibration_holdout(fitted_bgf(), ch),
    ]
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    plt.close("all")


# ----------------------------------------------------------------------------------------
# Parameter recovery
# ----------------------------------------------------------------------------------------

#: Stated relative-error bounds at 10,000 customers over 730 days (about 3 standard errors).
REL_TOL = {"r": 0.10, "alpha": 0.10, "a": 0.25, "b": 0.30, "p": 0.25, "q": 0.10, "gamma": 0.30}


def _check_recovery(fitter: _MLFitter, truth: dict[str, float]) -> None:
    names = list(fitter.params_.index)
    est = fitter.params_.to_numpy()
    tru = np.array([truth[k] for k in names])
    # joint Wald test on the log scale: the truth is not rejected at the 0.1 % level
    d = np.log(est) - np.log(tru)
    stat = float(d @ np.linalg.solve(fitter.variance_matrix_log_.to_numpy(), d))
    assert stats.chi2.sf(stat, len(names)) > 0.001, f"Wald chi2={stat:.1f}\n{fitter.summary}\ntruth={truth}"
    for k, e, t in zip(names, est, tru):
        assert abs(e / t - 1) < REL_TOL[k], f"{k}: estimate {e:.4g}, truth {t:.4g}"


def test_parameter_recovery_numpy_generator():
    orders, _ = simulate_btyd(10_000, 730, seed=5)
    s = clv.summary_data(orders, cutoff=START + pd.Timedelta(days=730), discrete=False)
    bgf = clv.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    ggf = clv.GammaGammaFitter().fit(s["frequency"], s["monetary_value"])
    assert bgf.converged_ and ggf.converged_
    _check_recovery(bgf, TRUE)
    _check_recovery(ggf, TRUE)
    assert list(bgf.summary.columns) == ["coef", "se", "lower 95%", "upper 95%"]


@pytest.mark.parametrize("discrete", [False, True])
def test_parameter_recovery_on_the_simulator(discrete):
    """Acceptance test: fit the simulator's btyd_only log and recover its parameters."""
    sc = sim.Scenario.load("btyd_only")
    res = sim.run(sc, customers=10_000, days=730, seed=1)
    truth = {
        "r": sc.purchase.r, "alpha": sc.purchase.alpha, "a": sc.purchase.a, "b": sc.purchase.b,
        "p": sc.spend.p, "q": sc.spend.q, "gamma": sc.spend.gamma,
    }  # fmt: skip
    s = clv.summary_data(res.orders, cutoff=res.end_date, discrete=discrete)
    assert (s["T"] == 730).all()
    bgf = clv.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    ggf = clv.GammaGammaFitter().fit(s["frequency"], s["monetary_value"])
    _check_recovery(bgf, truth)
    _check_recovery(ggf, truth)
    # P(alive) against the simulator's latent alive flag
    alive = res.customers.set_index("customer_id")["true_alive"].reindex(s.index)
    pa = bgf.p_alive(s["frequency"], s["recency"], s["T"])
    assert roc_auc_score(alive.astype(bool), pa) > 0.85


@pytest.mark.slow
def test_confidence_intervals_cover_the_truth_over_replications():
    """95 % intervals from the numerical Hessian cover the true values about 95 % of the time.

    40 simulator runs of 1,500 customers; P(coverage <= 32/40 | true rate 0.95) = 0.0007.
    """
    sc = sim.Scenario.load("btyd_only")
    truth = {"r": sc.purchase.r, "alpha": sc.purchase.alpha, "a": sc.purchase.a, "b": sc.purchase.b,
             "p": sc.spend.p, "q": sc.spend.q, "gamma": sc.spend.gamma}  # fmt: skip
    hits = pd.Series(0, index=list(truth))
    for seed in range(40):
        res = sim.run(sc, customers=1500, days=730, seed=100 + seed)
        s = clv.summary_data(res.orders, cutoff=res.end_date, discrete=False)
        for f in (
            clv.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"]),
            clv.GammaGammaFitter().fit(s["frequency"], s["monetary_value"]),
        ):
            ci = f.confidence_intervals_
            for k in ci.index:
                hits[k] += int(ci.loc[k, "lower 95%"] <= truth[k] <= ci.loc[k, "upper 95%"])
    assert (hits >= 33).all(), hits.to_dict()
