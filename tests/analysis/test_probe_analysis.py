"""Malformed tables and arguments at the analysis entry points (issue 10 follow-up, the probe).

Duplicated or MultiIndex column names, dates pandas cannot hold (``9999-12-31`` placeholders),
cutoffs out of range and wrong argument types must raise :class:`sim.errors.DataError` /
:class:`sim.errors.ConfigError` naming the column or argument — never a raw pandas, numpy or
Python error. (Both are ``ValueError`` subclasses, so older ``except ValueError`` code still works.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from sim.analysis import (
    abtest,
    baskets,
    churn,
    clv,
    cohorts,
    funnel,
    lifecycle,
    privacy,
    quality,
    queueing,
    rfm,
    satisfaction,
    segments,
    survival,
    tiers,
)
from sim.analysis import roi as roi_module
from sim.errors import ConfigError, DataError

CUTOFF = "2025-12-31"
ORDERS = pd.DataFrame(
    {
        "customer_id": [1, 1, 2, 2, 3, 4, 4, 4, 5, 6],
        "date": [f"2025-{m:02d}-05" for m in (1, 3, 2, 6, 4, 1, 5, 9, 7, 8)],
        "amount": [10.0, 20.0, 35.0, 15.0, 50.0, 5.0, 7.5, 12.0, 80.0, 22.0],
    }
)
ENTRY_POINTS: dict[str, Callable[[pd.DataFrame], object]] = {
    "rfm.rfm_table": lambda o: rfm.rfm_table(o, CUTOFF),
    "cohorts.cohort_table": lambda o: cohorts.cohort_table(o, cutoff=CUTOFF),
    "clv.summary_data": lambda o: clv.summary_data(o, CUTOFF),
    "clv.calibration_holdout": lambda o: clv.calibration_holdout(o, "2025-06-30", CUTOFF),
    "clv.historical_clv": lambda o: clv.historical_clv(o, cutoff=CUTOFF),
    "churn.churn_features": lambda o: churn.churn_features(o, CUTOFF),
    "churn.churn_labels": lambda o: churn.churn_labels(o, "2025-06-30", observed_until=CUTOFF),
    "tiers.customer_value": lambda o: tiers.customer_value(o, CUTOFF),
    "tiers.pyramid_report": lambda o: tiers.pyramid_report(o, CUTOFF),
    "tiers.migration_matrix": lambda o: tiers.migration_matrix(o, "2025-06-30", CUTOFF),
    "survival.lapse_durations": lambda o: survival.lapse_durations(o, CUTOFF),
    "lifecycle.lifecycle_stages": lambda o: lifecycle.lifecycle_stages(o, CUTOFF),
    "clv.renewal_survivors": lambda o: clv.renewal_survivors(_SUBSCRIBERS, o, as_of=CUTOFF),
}
_SUBSCRIBERS = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "plan": "monthly"})


def _duplicate(column: str) -> pd.DataFrame:
    out = ORDERS.copy()
    out.insert(0, "copy", out[column])
    return out.rename(columns={"copy": column})


def _multiindex() -> pd.DataFrame:
    out = ORDERS.copy()
    out.columns = pd.MultiIndex.from_tuples([(c, "") for c in ORDERS.columns])
    return out


def _with_date(row: int, value: str) -> pd.DataFrame:
    out = ORDERS.copy()
    out.loc[row, "date"] = value
    return out


MALFORMED = {
    "customer_id twice": (lambda: _duplicate("customer_id"), "customer_id"),
    "date twice": (lambda: _duplicate("date"), "date"),
    "MultiIndex columns": (_multiindex, "customer_id"),
    "placeholder 9999-12-31": (lambda: _with_date(3, "9999-12-31"), "rows: 3"),
    "year 1500": (lambda: _with_date(5, "1500-01-01"), "rows: 5"),
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_columns_name_the_column(entry: str, case: str) -> None:
    make, where = MALFORMED[case]
    with pytest.raises(DataError, match=where.replace("(", r"\(")) as info:
        ENTRY_POINTS[entry](make())
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("entry", ["rfm.rfm_table", "tiers.customer_value"])
def test_duplicate_amount_columns_are_refused(entry: str) -> None:
    with pytest.raises(DataError, match="'amount'.*appears 2 times"):
        ENTRY_POINTS[entry](_duplicate("amount"))


@pytest.mark.parametrize("cutoff", ["9999-12-31", "1500-01-01", pd.Timestamp("9999-12-31")])
def test_a_cutoff_pandas_cannot_hold(cutoff: object) -> None:
    with pytest.raises(DataError, match="cutoff"):
        rfm.rfm_table(ORDERS, cutoff)


def test_the_date_bounds_are_inclusive_of_what_pandas_holds() -> None:
    """Dates inside pandas' range still read (the check refuses only what cannot be held)."""
    early = _with_date(0, "1678-01-01")
    assert rfm.rfm_table(early, CUTOFF).loc[1, "first_order"] == pd.Timestamp("1678-01-01")


ARGUMENTS = {
    "rfm_scores bins=0": lambda: rfm.rfm_scores(rfm.rfm_table(ORDERS, CUTOFF), 0),
    "rfm_table monetary": lambda: rfm.rfm_table(ORDERS, CUTOFF, monetary="median"),
    "value_tiers method": lambda: tiers.value_tiers(pd.Series([1.0, 2.0, 3.0]), method="x"),
    "customer_value window=nan": lambda: tiers.customer_value(ORDERS, CUTOFF, window_days=float("nan")),
    "migration reversed": lambda: tiers.migration_matrix(ORDERS, CUTOFF, "2025-06-30"),
    "summary_data time_unit": lambda: clv.summary_data(ORDERS, CUTOFF, time_unit="fortnight"),
    "calibration reversed": lambda: clv.calibration_holdout(ORDERS, CUTOFF, "2025-06-30"),
    "historical margin=nan": lambda: clv.historical_clv(ORDERS, float("nan"), cutoff=CUTOFF),
    "cohort freq": lambda: cohorts.cohort_table(ORDERS, "fortnight", cutoff=CUTOFF),
    "lapse_days=0": lambda: survival.lapse_durations(ORDERS, CUTOFF, 0),
    "alerts threshold=2": lambda: satisfaction.bad_review_alerts(pd.DataFrame(), threshold=2),
    "false_alarm n=-1": lambda: satisfaction.false_alarm_probability(-1, 0.05),
    "sample size p=1.5": lambda: abtest.sample_size_proportions(1.5, 0.1),
    "sample size equal p": lambda: abtest.sample_size_proportions(0.1, 0.1),
    "sample size effect 0": lambda: abtest.sample_size_means(0.0),
    "peeking looks=0": lambda: abtest.peeking_simulation(looks=0),
    "peeking guidance": lambda: abtest.peeking_guidance(0),
    "erlang_c agents=2.5": lambda: queueing.erlang_c(2.5, 1.0),
    "erlang_c agents text": lambda: queueing.erlang_c("2", 1.0),
    "erlang_c agents True": lambda: queueing.erlang_c(True, 0.5),
    "erlang_c load nan": lambda: queueing.erlang_c(2, float("nan")),
    "erlang_c unstable": lambda: queueing.erlang_c(2, 5.0),
    "wait service_rate=0": lambda: queueing.erlang_c_wait(1.0, 0.0, 2),
    "wait arrival inf": lambda: queueing.erlang_c_wait(np.inf, 1.0, 2),
    "service_level target<0": lambda: queueing.service_level(1.0, 1.0, 2, -1.0),
    "priority_waits empty": lambda: queueing.priority_waits([], 1.0, 2),
    "priority_waits text": lambda: queueing.priority_waits("ab", 1.0, 2),
    "priority_waits nan": lambda: queueing.priority_waits([np.nan], 1.0, 2),
    "agents_needed share=2": lambda: queueing.agents_needed(1.0, 1.0, 0.5, share=2.0),
    "agents_needed cap": lambda: queueing.agents_needed(1000.0, 1.0, 0.0, max_agents=5),
    # the second probe: unknown options, text or huge numbers, absurd plans, bad seeds
    "two_proportion ci_method": lambda: abtest.two_proportion_test(1, 10, 2, 10, ci_method="exact"),
    "sample size p text": lambda: abtest.sample_size_proportions("0.1", 0.2),
    "sample size power text": lambda: abtest.sample_size_proportions(0.1, 0.2, power="0.8"),
    "sample size tiny difference": lambda: abtest.sample_size_proportions(0.1, 0.1 + 1e-12),
    "sample size means tiny effect": lambda: abtest.sample_size_means(1e-12),
    "sample size means text": lambda: abtest.sample_size_means("0.5"),
    "peeking n_sims huge": lambda: abtest.peeking_simulation(n_sims=10**12),
    "peeking n_sims*looks huge": lambda: abtest.peeking_simulation(n_max=10**6, looks=1000, n_sims=10**6),
    "peeking n_max 10**30": lambda: abtest.peeking_simulation(n_max=10**30, n_sims=10),
    "peeking p text": lambda: abtest.peeking_simulation(p="0.1", n_sims=10),
    "peeking seed -1": lambda: abtest.peeking_simulation(seed=-1, n_sims=10),
    "peeking seed 1.5": lambda: abtest.peeking_simulation(seed=1.5, n_sims=10),  # type: ignore[arg-type]
    "peeking seed text": lambda: abtest.peeking_simulation(seed="x", n_sims=10),  # type: ignore[arg-type]
    "pseudonymise numeric salt": lambda: privacy.pseudonymise(pd.Series(["a"]), 12345),  # type: ignore[arg-type]
    "mask_phone keep_first=-1": lambda: privacy.mask_phone("13800138000", keep_first=-1),
    "mask_phone keep_last text": lambda: privacy.mask_phone("13800138000", keep_last="4"),  # type: ignore[arg-type]
    "standardise_currency rates list": lambda: quality.standardise_currency(
        pd.DataFrame({"amount": [1.0], "currency": ["USD"]}),
        rates=[7.2],  # type: ignore[arg-type]
    ),
    "flag_outliers threshold text": lambda: quality.flag_outliers(
        pd.DataFrame({"amount": [1.0]}),
        threshold="100",  # type: ignore[arg-type]
    ),
    "flag_outliers threshold nan": lambda: quality.flag_outliers(pd.DataFrame({"amount": [1.0]}), threshold=np.nan),
    "rfm_segments grid text": lambda: rfm.rfm_segments(_SCORES, grid="x"),  # type: ignore[arg-type]
    "rfm_segments grid cell": lambda: rfm.rfm_segments(_SCORES, grid=[((5,), (9,), "x")]),
    "retention_curves None": lambda: cohorts.retention_curves(None),  # type: ignore[arg-type]
    "plot_cohort_heatmap None": lambda: cohorts.plot_cohort_heatmap(None),  # type: ignore[arg-type]
    # the fitters validate in fit (scikit-learn convention, tests/analysis/test_conventions.py)
    "BetaGeo penalizer nan": lambda: clv.BetaGeoFitter(penalizer=float("nan")).fit(*_RFT),
    "BetaGeo penalizer inf": lambda: clv.BetaGeoFitter(penalizer=float("inf")).fit(*_RFT),
    "BetaGeo confidence=2": lambda: clv.BetaGeoFitter(confidence=2).fit(*_RFT),
    "GammaGamma penalizer nan": lambda: clv.GammaGammaFitter(penalizer=np.nan).fit([1, 2], [10.0, 20.0]),
    "GammaGamma confidence=2": lambda: clv.GammaGammaFitter(confidence=2).fit([1, 2], [10.0, 20.0]),
    "sBG penalizer nan": lambda: clv.ShiftedBetaGeometric(penalizer=np.nan).fit([1000, 631, 468]),
    "sBG confidence=2": lambda: clv.ShiftedBetaGeometric(confidence=2).fit([1000, 631, 468]),
    "value_tiers cuts nan": lambda: tiers.value_tiers(pd.Series([1.0, 2.0, 3.0]), cuts=[np.nan, 0.5]),
    "value_tiers cuts text": lambda: tiers.value_tiers(pd.Series([1.0, 2.0]), cuts=["x"], names=["a", "b"]),
    # issue 12: segments, baskets, lifecycle, funnel, weighting, text, alerts, subscriptions
    "kmeans k=1": lambda: segments.kmeans_segments(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), columns=("x",), k=1),
    "kmeans k_range text": lambda: segments.kmeans_segments(pd.DataFrame({"x": [1.0, 2.0]}), ("x",), k_range="23"),
    "association_rules min_support=0": lambda: baskets.association_rules(pd.DataFrame({"basket": ["a"]}), 0),
    "interest_tags top=0": lambda: baskets.interest_tags(pd.DataFrame({"customer_id": [1], "basket": ["a"]}), 0),
    "lifecycle bands reversed": lambda: lifecycle.lifecycle_stages(ORDERS, CUTOFF, active_days=400),
    "lifecycle new_days nan": lambda: lifecycle.lifecycle_stages(ORDERS, CUTOFF, new_days=float("nan")),
    "stage_accuracy confidence=2": lambda: lifecycle.stage_accuracy(
        pd.Series(["new"]), pd.Series(["new"]), confidence=2
    ),
    "funnel_rates by=3": lambda: funnel.funnel_rates(pd.DataFrame({"leads": [1]}), by=3),  # type: ignore[arg-type]
    "nonresponse_weights method": lambda: satisfaction.nonresponse_weights(
        pd.DataFrame({"t": ["a"]}), pd.DataFrame({"t": ["a"]}), "t", method="x"
    ),
    "weighted_nps confidence=0": lambda: satisfaction.weighted_nps(pd.Series([10]), [1.0], confidence=0),
    "tag_comments keywords list": lambda: satisfaction.tag_comments(["a"], keywords=["price"]),  # type: ignore[arg-type]
    "comment_sentiment lexicon": lambda: satisfaction.comment_sentiment(["a"], lexicon={"positive": ["good"]}),
    "window alerts min_answers=0": lambda: satisfaction.alerts.bad_review_alerts(pd.DataFrame(), min_answers=0),
    "window alerts negative": lambda: satisfaction.alerts.bad_review_alerts(pd.DataFrame(), negative={"nps": 11}),
    "false_alarm_rate problem text": lambda: satisfaction.false_alarm_rate(
        pd.DataFrame(
            {"window_start": ["2025-01-06"], "window_end": ["2025-01-13"], "checked": [True], "alert": [False]}
        ),
        problem_weeks="2025-01-07",
    ),
    "renewal_survivors period_days=0": lambda: clv.renewal_survivors(_SUBSCRIBERS, ORDERS, period_days=0),
    "renewal_survivors plan unknown": lambda: clv.renewal_survivors(_SUBSCRIBERS, ORDERS, plan="weekly"),
}
_RFT = ([1, 2], [10.0, 30.0], [40.0, 50.0])
_SCORES = pd.DataFrame({"r_score": [5, 1], "f_score": [5, 5], "m_score": [4, 4]})


@pytest.mark.parametrize("case", list(ARGUMENTS))
def test_bad_arguments_are_config_errors(case: str) -> None:
    with pytest.raises(ConfigError) as info:
        ARGUMENTS[case]()
    assert isinstance(info.value, ValueError)  # backwards compatible with `except ValueError`
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


def test_queueing_still_agrees_with_the_closed_form() -> None:
    """M/M/1: P(wait) = rho and W_q = rho / (mu - lambda); numpy integers are welcome."""
    assert queueing.erlang_c(np.int64(1), 0.6) == pytest.approx(0.6)
    assert queueing.erlang_c_wait(0.6, 1.0, np.int32(1)) == pytest.approx(0.6 / 0.4)


def _clean_with(column: str, values: list[object]) -> object:
    records = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "name": ["Li Na", "Wang Fang"],
            "phone": ["13900001111", "13900002222"],
            "email": ["a@x.com", "b@y.com"],
            "date": ["2025-01-02", "2025-01-03"],
            "amount": [1.0, 2.0],
            "currency": ["CNY", "CNY"],
        }
    )
    records[column] = pd.Series(values, dtype=object)
    return quality.clean(records)


BAD_VALUES = {
    "clean list ids": (lambda: _clean_with("customer_id", [[1], [2]]), "customer_id"),
    "clean dict ids": (lambda: _clean_with("customer_id", [{"a": 1}, 2]), "customer_id"),
    "clean date 9999-12-31": (lambda: _clean_with("date", ["2025-01-02", "9999-12-31"]), "rows: 1"),
    "clean date year 1500": (lambda: _clean_with("date", ["1500-01-01", "2025-01-02"]), "rows: 0"),
    "two_proportion 10**30": (lambda: abtest.two_proportion_test(1, 10**30, 2, 10), "n_a"),
    "two_proportion text": (lambda: abtest.two_proportion_test("1", 10, 2, 10), "success_a"),
    "two_mean text": (lambda: abtest.two_mean_test(["1", "2"], [1, 2]), "value"),
    "nps text answer": (lambda: satisfaction.nps("9"), "score"),
    "csat text answers": (lambda: satisfaction.csat([4, "5"]), "rows: 1"),
    "roi text money": (lambda: roi_module.roi("1", 2), "gain"),
    "ltv_cac text money": (lambda: roi_module.ltv_cac(100.0, ["50"]), "cac"),
    "kaplan_meier None": (lambda: survival.kaplan_meier(None), "durations"),  # type: ignore[arg-type]
    "health weights nan": (
        lambda: churn.health_score(pd.DataFrame({"recency_days": [1.0]}), weights={"recency": np.nan}),
        "weights",
    ),
    "currency rate inf": (
        lambda: quality.standardise_currency(
            pd.DataFrame({"amount": [1.0], "currency": ["USD"]}), rates={"USD": np.inf}
        ),
        "USD",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_bad_values_are_data_errors(case: str) -> None:
    """Values handed over as data (ids, dates, counts, answers, money) are DataErrors naming where."""
    make, where = BAD_VALUES[case]
    with pytest.raises(DataError, match=where.replace("(", r"\(")) as info:
        make()
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


def test_the_new_checks_still_accept_good_input() -> None:
    """numpy integers and plain numbers still pass where text and NaN are now refused."""
    assert privacy.mask_phone("13800138000", keep_first=np.int64(3)) == "138****8000"
    assert roi_module.roi(np.float64(150.0), 100) == pytest.approx(0.5)
    assert satisfaction.nps(np.array([10, 10, 0])).value == pytest.approx(100 * (2 - 1) / 3)
    r = abtest.peeking_simulation(n_max=200, looks=np.int64(2), n_sims=50, seed=np.int64(3))
    assert r["n_sims"] == 50 and r["looks"] == 2
    assert abtest.sample_size_proportions(np.float64(0.05), 0.06) == abtest.sample_size_proportions(0.05, 0.06)
    assert abtest.two_proportion_test(2**53 - 1, 2**53, 2, 10, ci_method="newcombe").n_a == 2**53
