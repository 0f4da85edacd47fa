"""Conventions shared by the whole analysis library.

* Fitters (BetaGeoFitter, GammaGammaFitter, KaplanMeier) follow scikit-learn / lifelines:
  ``__init__`` only stores its arguments, ``fit`` validates them and returns ``self``,
  results are trailing-underscore attributes, and anything asked for before ``fit`` raises
  :class:`sim.errors.NotFittedError` with a clear message.
* One vocabulary for confidence levels: every producer of a confidence interval takes
  ``confidence`` (default 0.95) and rejects a value outside (0, 1) with an error naming the
  argument, the value and what is allowed; ``alpha`` survives only in test planning.
* Every plot takes ``ax=`` as a keyword, returns that Axes and labels it.
"""

from __future__ import annotations

import importlib
import inspect
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim import analysis
from sim.analysis import abtest, churn, clv, cohorts, funnel, lifecycle, management, satisfaction, survival, tiers
from sim.errors import ConfigError, NotFittedError

# ----------------------------------------------------------------------------------------
# Small data sets
# ----------------------------------------------------------------------------------------


def _btyd_summary(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A small BG/NBD + Gamma-Gamma population observed for 365 days."""
    rng = np.random.default_rng(seed)
    lam, drop = rng.gamma(0.6, 1 / 60, n), rng.beta(0.8, 5, n)
    nu = rng.gamma(4.0, 1 / 150.0, n)
    x, tx, m = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        t, spend = 0.0, []
        while True:
            t += rng.exponential(1 / lam[i])
            if t > 365:
                break
            x[i], tx[i] = x[i] + 1, t
            spend.append(rng.gamma(6.0, 1 / nu[i]))
            if rng.random() < drop[i]:
                break
        m[i] = np.mean(spend) if spend else 0.0
    return pd.DataFrame({"frequency": x, "recency": tx, "T": 365.0, "monetary_value": m})


SUMMARY = _btyd_summary()
DUR = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0]
EVT = [1, 1, 0, 1, 0, 1]


def _fit_bgf(est):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return est.fit(SUMMARY["frequency"], SUMMARY["recency"], SUMMARY["T"])


def _fit_ggf(est):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return est.fit(SUMMARY["frequency"], SUMMARY["monetary_value"])


def _fit_km(est):
    return est.fit(DUR, EVT)


def _fit_sbg(est):
    return est.fit([1000, 631, 468, 382, 326, 289, 262, 241])  # Fader & Hardie (2007), "Regular"


FITTERS = {
    "BetaGeoFitter": (clv.BetaGeoFitter, _fit_bgf),
    "GammaGammaFitter": (clv.GammaGammaFitter, _fit_ggf),
    "KaplanMeier": (survival.KaplanMeier, _fit_km),
    "ShiftedBetaGeometric": (clv.ShiftedBetaGeometric, _fit_sbg),
}

#: What each fitter offers once fitted: methods (called with these arguments) and properties.
NEEDS_FIT = {
    "BetaGeoFitter": {
        "summary": None,
        "expected_purchases": (30.0,),
        "p_alive": (1, 10.0, 30.0),
        "conditional_expected_purchases": (30.0, 1, 10.0, 30.0),
        "plot_expected_purchases": (),
        "plot_p_alive_matrix": (365.0,),
    },
    "GammaGammaFitter": {
        "summary": None,
        "mean_order_value": (),
        "conditional_expected_average_profit": (2, 100.0),
    },
    "KaplanMeier": {"survival_at": ([1.0, 2.0],), "plot": ()},
    "ShiftedBetaGeometric": {
        "summary": None,
        "survival": (3,),
        "project": (12,),
        "expected_lifetime_value": (50.0, 0.1),
        "plot_survival": (),
        "plot_retention": (),
    },
}


# ----------------------------------------------------------------------------------------
# Fitters
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FITTERS)
def test_fit_returns_self_and_sets_trailing_underscore_attributes(name):
    cls, fit = FITTERS[name]
    est = cls()
    assert fit(est) is est
    assert est.is_fitted
    for attr in cls._fitted_attributes:
        assert attr.endswith("_") and attr in vars(est), f"{name}.{attr} not set by fit"


@pytest.mark.parametrize("name", FITTERS)
def test_results_before_fit_raise_not_fitted_error(name):
    cls, _ = FITTERS[name]
    est = cls()
    assert not est.is_fitted
    assert cls._fitted_attributes, f"{name} declares no fitted attributes"
    for attr in cls._fitted_attributes:
        with pytest.raises(NotFittedError, match=rf"^{name} is not fitted yet; call \.fit\(\.\.\.\) first"):
            getattr(est, attr)
        assert not hasattr(est, attr)  # NotFittedError is an AttributeError
    for member, args in NEEDS_FIT[name].items():
        with pytest.raises(NotFittedError, match=rf"^{name} is not fitted yet; call \.fit\(\.\.\.\) first"):
            value = getattr(est, member)
            if args is not None:
                value(*args)
    assert "not fitted" in repr(est)
    plt.close("all")


def test_not_fitted_error_is_an_attribute_error_with_the_documented_message():
    with pytest.raises(AttributeError) as err:
        clv.BetaGeoFitter().params_
    assert isinstance(err.value, NotFittedError)
    assert str(err.value).startswith("BetaGeoFitter is not fitted yet; call .fit(...) first")
    with pytest.raises(AttributeError, match="no attribute 'nonsense_'"):
        clv.BetaGeoFitter().nonsense_  # an unknown attribute is still a plain AttributeError


def test_customer_lifetime_value_needs_fitted_models():
    bgf = _fit_bgf(clv.BetaGeoFitter())
    with pytest.raises(NotFittedError, match="GammaGammaFitter is not fitted yet"):
        clv.customer_lifetime_value(bgf, clv.GammaGammaFitter(), SUMMARY)


@pytest.mark.parametrize("name", FITTERS)
def test_init_only_stores_and_fit_validates(name):
    cls, fit = FITTERS[name]
    est = cls(confidence=1.5)  # no error yet: scikit-learn convention
    assert est.confidence == 1.5
    with pytest.raises(
        ConfigError, match=r"confidence=1\.5 is not allowed: give a confidence level strictly between 0 and 1"
    ):
        fit(est)
    assert not est.is_fitted


@pytest.mark.parametrize("cls", [clv.BetaGeoFitter, clv.GammaGammaFitter])
def test_penalizer_is_validated_in_fit(cls):
    est = cls(penalizer=-1)
    with pytest.raises(ConfigError, match=r"penalizer=-1 is not allowed: give a number >= 0"):
        (_fit_bgf if cls is clv.BetaGeoFitter else _fit_ggf)(est)


@pytest.mark.parametrize("name", FITTERS)
def test_confidence_sets_the_interval_level(name):
    """A 90 % fit gives narrower intervals than a 99 % fit of the same data; estimates are equal."""
    cls, fit = FITTERS[name]
    lo, hi = fit(cls(confidence=0.9)), fit(cls(confidence=0.99))
    if name == "KaplanMeier":
        a, b = lo.survival_function_.iloc[1:4], hi.survival_function_.iloc[1:4]
        pd.testing.assert_series_equal(a["survival"], b["survival"])
        assert ((a["ci_upper"] - a["ci_lower"]) < (b["ci_upper"] - b["ci_lower"])).all()
        return
    pd.testing.assert_series_equal(lo.params_, hi.params_)
    assert list(lo.summary.columns[-2:]) == ["lower 90%", "upper 90%"]
    w_lo = lo.confidence_intervals_.iloc[:, 1] - lo.confidence_intervals_.iloc[:, 0]
    w_hi = hi.confidence_intervals_.iloc[:, 1] - hi.confidence_intervals_.iloc[:, 0]
    assert (w_lo < w_hi).all()


def test_fitted_state_does_not_leak_between_instances():
    fitted = _fit_km(survival.KaplanMeier())
    fresh = survival.KaplanMeier()
    assert fitted.is_fitted and not fresh.is_fitted


# ----------------------------------------------------------------------------------------
# Confidence vocabulary
# ----------------------------------------------------------------------------------------

SURVEYS = pd.DataFrame(
    {
        "customer_id": range(6),
        "date": ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-14", "2025-01-15", "2025-01-16"],
        "instrument": ["nps", "nps", "csat", "csat", "ces", "ces"],
        "score": [10, 3, 1, 5, 2, 4],
    }
)

FUNNEL = pd.DataFrame({"channel": ["a", "b"], "leads": [100, 50], "prospects": [20, 10], "customers": [5, 2],
                       "spend": [100.0, 60.0]})  # fmt: skip
STAGES_OBS = pd.Series(["new", "lost", "active"], index=[1, 2, 3])

#: Every producer of a confidence interval, called with a given ``confidence``.
CI_PRODUCERS = {
    "satisfaction.nps": lambda c: satisfaction.nps([10, 9, 3, 7], confidence=c),
    "satisfaction.csat": lambda c: satisfaction.csat([5, 4, 1], confidence=c),
    "satisfaction.ces": lambda c: satisfaction.ces([2, 3, 4], confidence=c),
    "satisfaction.satisfaction_series": lambda c: satisfaction.satisfaction_series(SURVEYS, confidence=c),
    "satisfaction.bad_review_alerts": lambda c: satisfaction.bad_review_alerts(SURVEYS, confidence=c),
    "abtest.two_proportion_test": lambda c: abtest.two_proportion_test(10, 100, 20, 100, confidence=c),
    "abtest.two_mean_test": lambda c: abtest.two_mean_test([1.0, 2.0, 3.0], [2.0, 4.0, 5.0], confidence=c),
    "survival.kaplan_meier": lambda c: survival.kaplan_meier(DUR, EVT, confidence=c),
    "survival.KaplanMeier": lambda c: survival.KaplanMeier(confidence=c).fit(DUR, EVT),
    "cohorts.kaplan_meier": lambda c: cohorts.kaplan_meier(DUR, EVT, confidence=c),
    "clv.BetaGeoFitter": lambda c: _fit_bgf(clv.BetaGeoFitter(confidence=c)),
    "clv.GammaGammaFitter": lambda c: _fit_ggf(clv.GammaGammaFitter(confidence=c)),
    "clv.ShiftedBetaGeometric": lambda c: _fit_sbg(clv.ShiftedBetaGeometric(confidence=c)),
    "funnel.funnel_rates": lambda c: funnel.funnel_rates(FUNNEL, confidence=c),
    "lifecycle.stage_accuracy": lambda c: lifecycle.stage_accuracy(STAGES_OBS, STAGES_OBS, confidence=c),
    "satisfaction.weighted_nps": lambda c: satisfaction.weighted_nps(pd.Series([10, 3, 8]), [1, 2, 1], confidence=c),
    "satisfaction.alerts.bad_review_alerts": lambda c: satisfaction.alerts.bad_review_alerts(SURVEYS, confidence=c),
    "satisfaction.false_alarm_rate": lambda c: satisfaction.false_alarm_rate(
        satisfaction.alerts.bad_review_alerts(SURVEYS, min_answers=1), confidence=c
    ),
}

BAD_CONFIDENCE = [0, 1, 0.0, 1.0, -0.5, 1.5, 95, float("nan"), "0.95", True, None]


@pytest.mark.parametrize("producer", CI_PRODUCERS)
@pytest.mark.parametrize("value", BAD_CONFIDENCE, ids=repr)
def test_confidence_outside_0_1_is_rejected_with_a_clear_message(producer, value):
    with pytest.raises(ConfigError) as err:
        CI_PRODUCERS[producer](value)
    msg = str(err.value)
    assert f"confidence={value!r} is not allowed" in msg  # the field and the value
    assert "strictly between 0 and 1" in msg  # what is allowed
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("producer", CI_PRODUCERS)
def test_confidence_defaults_to_095_and_accepts_other_levels(producer):
    default = inspect.signature(_target(producer)).parameters["confidence"]
    assert default.default == 0.95
    for level in (0.8, 0.99):
        CI_PRODUCERS[producer](level)


def _target(producer: str):
    module, name = producer.rsplit(".", 1)
    return getattr(importlib.import_module(f"sim.analysis.{module}"), name)


#: ``alpha`` as a significance level of a *planned* test is the only use left.
ALPHA_ALLOWED = {
    "abtest.sample_size_proportions",
    "abtest.sample_size_means",
    "abtest.peeking_simulation",
    "abtest.peeking_guidance",
}
FORBIDDEN = {"conf_level", "level", "confidence_level", "ci_level", "conf"}


def _public_callables():
    for module in analysis.__all__:
        mod = importlib.import_module(f"sim.analysis.{module}")
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                yield f"{module}.{name}", obj
                for meth_name, meth in vars(obj).items():
                    if inspect.isfunction(meth) and not meth_name.startswith("_"):
                        yield f"{module}.{name}.{meth_name}", meth
            elif callable(obj):
                yield f"{module}.{name}", obj


def test_no_other_vocabulary_for_confidence_levels():
    offenders = []
    for qual, obj in _public_callables():
        try:
            params = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            continue
        names = set(params)
        if names & FORBIDDEN:
            offenders.append(f"{qual}: {sorted(names & FORBIDDEN)}")
        if "alpha" in names and qual not in ALPHA_ALLOWED:
            offenders.append(f"{qual}: alpha")
    assert not offenders, offenders
    for qual in ALPHA_ALLOWED:  # and where alpha stays, the docstring says why
        doc = inspect.getdoc(_target(qual)) or ""
        assert "alpha" in doc and ("planned" in doc or "planning" in doc), qual


@pytest.mark.parametrize(
    "result",
    [
        satisfaction.nps([9, 10, 3]),
        abtest.two_proportion_test(10, 100, 20, 100),
        abtest.two_mean_test([1, 2, 3], [2, 3, 5]),
    ],
    ids=["Estimate", "ProportionTestResult", "MeanTestResult"],
)
def test_result_dataclasses_carry_confidence(result):
    fields = set(result.__dataclass_fields__)
    assert "confidence" in fields and not fields & ({"alpha"} | FORBIDDEN)
    assert result.confidence == 0.95
    assert "95% CI" in repr(result)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_test_decision_is_significance_one_minus_confidence(confidence):
    """significant == p < 1 - confidence; for Welch's test that is 'the interval excludes 0'."""
    rng = np.random.default_rng(5)
    for _ in range(30):
        a, b = rng.normal(0, 1, 20), rng.normal(0.5, 1, 20)
        r = abtest.two_mean_test(a, b, confidence=confidence)
        assert r.significant == (r.p_value < 1 - confidence + 1e-15)
        assert r.significant == (r.ci_low > 0 or r.ci_high < 0)
        k_a, k_b = rng.binomial(200, 0.1), rng.binomial(200, 0.15)
        p = abtest.two_proportion_test(k_a, 200, k_b, 200, confidence=confidence)
        assert p.significant == (p.p_value < 1 - confidence + 1e-15)


def test_confidence_is_keyword_only_where_alpha_used_to_be_positional():
    """An old positional alpha (0.05) must not silently become a 5 % interval."""
    with pytest.raises(TypeError):
        abtest.two_proportion_test(10, 100, 20, 100, 0.05)
    with pytest.raises(TypeError):
        abtest.two_mean_test([1.0, 2.0], [2.0, 3.0], 0.05)
    for func in (satisfaction.nps, satisfaction.csat, satisfaction.ces):
        with pytest.raises(TypeError):
            func([5], 0.05)


def test_alpha_in_test_planning_is_validated_too():
    with pytest.raises(
        ConfigError, match=r"alpha=1\.5 is not allowed: give a significance level strictly between 0 and 1"
    ):
        abtest.sample_size_means(0.5, alpha=1.5)
    with pytest.raises(ConfigError, match=r"alpha_per_look=0 is not allowed"):
        abtest.peeking_simulation(n_sims=10, alpha_per_look=0)


# ----------------------------------------------------------------------------------------
# Plots
# ----------------------------------------------------------------------------------------


PLOT_NAMES = (
    "BetaGeoFitter.plot_expected_purchases",
    "BetaGeoFitter.plot_p_alive_matrix",
    "clv.plot_calibration_holdout",
    "ShiftedBetaGeometric.plot_survival",
    "ShiftedBetaGeometric.plot_retention",
    "KaplanMeier.plot",
    "cohorts.plot_cohort_heatmap",
    "churn.plot_lift",
    "churn.plot_calibration",
    "churn.plot_profit_curve",
    "tiers.plot_pyramid",
    "management.plot_reviews",
)


@pytest.fixture(scope="module")
def plots() -> dict[str, tuple[object, tuple]]:
    bgf = _fit_bgf(clv.BetaGeoFitter())
    sbg = _fit_sbg(clv.ShiftedBetaGeometric())
    ch = pd.DataFrame({"frequency": [0, 1, 2], "recency": [0.0, 30.0, 90.0], "T": [100.0] * 3,
                       "frequency_holdout": [0, 1, 1], "duration_holdout": [60.0] * 3})  # fmt: skip
    y, s = [1, 0, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1]
    orders = pd.DataFrame(
        {"customer_id": [1, 1, 2], "date": pd.to_datetime(["2025-01-05", "2025-02-02", "2025-01-09"])}
    )
    report = pd.DataFrame({"customer_share": [0.1, 0.3, 0.6], "revenue_share": [0.5, 0.3, 0.2]},
                          index=pd.Index(["gold", "silver", "bronze"], name="tier"))  # fmt: skip
    reviews = pd.DataFrame(
        {
            "customer_id": [0, 0],
            "t": [91.0, 182.0],
            "date": pd.to_datetime(["2025-04-02", "2025-07-02"]),
            "event": ["management_review"] * 2,
            "detail": [
                "kpi=repeat_purchase_rate value=0.231 target=0.225 met=yes lever=contacts.0.interval_days 30->30",
                "kpi=repeat_purchase_rate value=0.22 target=0.2295 met=no lever=contacts.0.interval_days 30->25",
            ],
        }
    )
    return {
        "BetaGeoFitter.plot_expected_purchases": (bgf.plot_expected_purchases, (365.0,)),
        "BetaGeoFitter.plot_p_alive_matrix": (bgf.plot_p_alive_matrix, (365.0,)),
        "clv.plot_calibration_holdout": (clv.plot_calibration_holdout, (bgf, ch)),
        "ShiftedBetaGeometric.plot_survival": (sbg.plot_survival, (12,)),
        "ShiftedBetaGeometric.plot_retention": (sbg.plot_retention, (12,)),
        "KaplanMeier.plot": (survival.kaplan_meier(DUR, EVT).plot, ()),
        "cohorts.plot_cohort_heatmap": (cohorts.plot_cohort_heatmap, (cohorts.cohort_table(orders),)),
        "churn.plot_lift": (churn.plot_lift, (churn.lift_table(y, s, bins=3),)),
        "churn.plot_calibration": (churn.plot_calibration, (churn.calibration_table(y, [x / 7 for x in s], bins=2),)),
        "churn.plot_profit_curve": (
            churn.plot_profit_curve,
            (churn.profit_curve(y, s, offer_cost=1, success_rate=0.5, value_saved=10),),
        ),
        "tiers.plot_pyramid": (tiers.plot_pyramid, (report,)),
        "management.plot_reviews": (management.plot_reviews, (management.management_reviews(reviews),)),
    }


def test_every_public_plot_is_covered_here():
    found = {".".join(q.split(".")[-2:]) for q, _ in _public_callables() if q.rsplit(".", 1)[-1].startswith("plot")}
    assert found == set(PLOT_NAMES)


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_plots_take_ax_as_keyword_return_it_and_label_it(plots, name):
    func, args = plots[name]
    param = inspect.signature(func).parameters["ax"]
    assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is None
    _, ax = plt.subplots()
    out = func(*args, ax=ax)
    assert out is ax
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    own = func(*args)  # without ax: a new figure
    assert own is not ax and own.get_title() and own.get_xlabel() and own.get_ylabel()
    plt.close("all")
