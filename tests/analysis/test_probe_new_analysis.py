"""Adversarial probe of the issue-12 analysis modules (segments, baskets, lifecycle, funnel,
satisfaction weighting / text / alerts, clv subscriptions).

Two parts:

* malformed input on every entry point -- not a frame, empty, duplicated or MultiIndex
  columns, missing columns, NaN / inf / text / booleans in a column, plus the argument and
  domain cases each function has -- must raise :class:`sim.errors.DataError` /
  :class:`sim.errors.ConfigError`, never a raw pandas / numpy / sklearn / mlxtend / scipy error,
  and must never modify the input;
* results against independent computations: lifecycle stages against a plain-Python reading
  of the documented rules at the exact day boundaries, Wilson intervals from the closed form,
  the weighted NPS by hand, association rules by brute-force counting, k-means partitions
  invariant to row and column order, topic tags on mixed Chinese / English text.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sim.analysis import baskets, funnel, lifecycle, segments
from sim.analysis.clv import subscriptions
from sim.analysis.satisfaction import alerts, text, weighting
from sim.errors import ConfigError, DataError

# ---------------------------------------------------------------------------------------------
# Valid inputs (each entry point's base case) and the structural mutations of its table
# ---------------------------------------------------------------------------------------------

_rng = np.random.default_rng(0)
RFM = pd.DataFrame(
    {
        "recency_days": np.r_[_rng.normal(10, 2, 15), _rng.normal(200, 10, 15)],
        "frequency": np.r_[_rng.normal(8, 1, 15), _rng.normal(1, 0.2, 15)].round(0),
        "monetary": np.r_[_rng.normal(80, 5, 15), _rng.normal(20, 2, 15)],
    }
)
ORD_B = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 4], "basket": ["a|b", "a", "b|c", "a|b", "c", "a|c"]})
ORD_L = pd.DataFrame(
    {
        "customer_id": [1, 2, 2, 3, 4, 4],
        "date": ["2025-06-20", "2025-01-10", "2025-06-01", "2024-11-01", "2023-01-01", "2025-06-15"],
    }
)
FUN = pd.DataFrame(
    {
        "channel": ["s", "s", "o"],
        "leads": [500, 300, 400],
        "prospects": [100, 60, 40],
        "customers": [25, 15, 8],
        "spend": [1000.0, 600.0, 480.0],
    }
)
POP = pd.DataFrame({"tier": ["g"] * 20 + ["b"] * 80, "ch": ["e", "a"] * 50})
RESP = pd.DataFrame({"tier": ["g"] * 10 + ["b"] * 10, "ch": ["e", "a"] * 10, "score": [10] * 10 + [3] * 10})
COM = pd.DataFrame({"comment": ["Delivery was late.", "客服很耐心，非常满意！", "", None]})
SURV = pd.DataFrame(
    {
        "date": pd.date_range("2025-03-03", periods=60, freq="6h"),
        "instrument": ["nps", "csat", "ces"] * 20,
        "score": [3, 2, 1, 9, 5, 7] * 10,
    }
)
ALERTS_T = alerts.bad_review_alerts(SURV, min_answers=5)
CUST_S = pd.DataFrame({"customer_id": [1, 2, 3, 4], "plan": ["monthly"] * 4})
ORD_S = pd.DataFrame(
    {
        "customer_id": [1, 1, 1, 2, 3, 3, 4],
        "date": ["2025-01-01", "2025-01-31", "2025-03-02", "2025-01-05", "2025-01-10", "2025-02-09", "2025-02-01"],
    }
)
OBS = lifecycle.lifecycle_stages(ORD_L, "2025-07-01")
TRUE = pd.DataFrame({"customer_id": [1, 2, 3, 4], "true_stage": ["new", "active", "lost", "won_back"]})

#: entry point -> (call on the table, valid table, the columns the call reads)
ENTRY: dict[str, tuple[Callable[[object], object], pd.DataFrame, tuple[str, ...]]] = {
    "kmeans_segments": (lambda t: segments.kmeans_segments(t, k=2), RFM, ("recency_days", "frequency", "monetary")),
    "basket_matrix": (baskets.basket_matrix, ORD_B, ("basket",)),
    "association_rules": (lambda t: baskets.association_rules(t, 0.2, 0.2), ORD_B, ("basket",)),
    "interest_tags": (baskets.interest_tags, ORD_B, ("customer_id", "basket")),
    "lifecycle_stages": (lambda t: lifecycle.lifecycle_stages(t, "2025-07-01"), ORD_L, ("customer_id", "date")),
    "stage_accuracy": (lambda t: lifecycle.stage_accuracy(OBS, t), TRUE, ("true_stage",)),
    "funnel_rates": (funnel.funnel_rates, FUN, ("channel", "leads", "prospects", "customers", "spend")),
    "nonresponse_weights": (lambda t: weighting.nonresponse_weights(t, POP, ["tier", "ch"]), RESP, ("tier", "ch")),
    "weighted_nps": (lambda t: weighting.weighted_nps(t, [1.0] * 20), RESP, ("score",)),
    "tag_comments": (text.tag_comments, COM, ()),
    "comment_sentiment": (text.comment_sentiment, COM, ()),
    "bad_review_alerts": (lambda t: alerts.bad_review_alerts(t, min_answers=5), SURV, ("date", "instrument", "score")),
    "false_alarm_rate": (alerts.false_alarm_rate, ALERTS_T, ("window_start", "window_end", "checked", "alert")),
    "renewal_survivors(customers)": (
        lambda t: subscriptions.renewal_survivors(t, ORD_S, as_of="2025-03-15", period_days=30),
        CUST_S,
        ("customer_id", "plan"),
    ),
    "renewal_survivors(orders)": (
        lambda t: subscriptions.renewal_survivors(CUST_S, t, as_of="2025-03-15", period_days=30),
        ORD_S,
        ("customer_id", "date"),
    ),
}


def _multiindex(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = pd.MultiIndex.from_tuples([(c, "x") for c in df.columns])
    return out


def _set_first(df: pd.DataFrame, col: str, value: object) -> pd.DataFrame:
    out = df.astype({col: object})
    out.loc[out.index[0], col] = value
    return out


STRUCTURAL: dict[str, Callable[[pd.DataFrame], object]] = {
    "list of records": lambda df: df.to_dict("records"),
    "None": lambda df: None,
    "ndarray": lambda df: df.to_numpy(),
    "file name": lambda df: "orders.csv",
    "empty frame": lambda df: df.iloc[0:0],
    "duplicated column": lambda df: pd.concat([df, df], axis=1),
    "MultiIndex columns": _multiindex,
}


def _call_clean(fn: Callable[[object], object], arg: object) -> Exception | None:
    """Call; return the DataError / ConfigError raised (None if it returned); anything else fails."""
    before = arg.copy(deep=True) if isinstance(arg, pd.DataFrame) else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning from a library is a raw message too
        try:
            fn(arg)
            err = None
        except (DataError, ConfigError) as exc:
            assert len(str(exc)) < 700, str(exc)
            err = exc
    if before is not None:
        pd.testing.assert_frame_equal(arg, before)
    return err


@pytest.mark.parametrize("entry", list(ENTRY))
def test_valid_base_case_runs_and_leaves_the_input_alone(entry):
    fn, base, _ = ENTRY[entry]
    assert _call_clean(fn, base) is None


_STRUCT_CASES = [
    (e, m)
    for e in ENTRY
    for m in STRUCTURAL
    if not (m == "empty frame" and e in ("tag_comments", "comment_sentiment"))  # no comment = empty result
]


@pytest.mark.parametrize(("entry", "mutation"), _STRUCT_CASES)
def test_structurally_malformed_tables_are_refused(entry, mutation):
    fn, base, _ = ENTRY[entry]
    assert _call_clean(fn, STRUCTURAL[mutation](base)) is not None


_COLUMN_CASES = [(e, c) for e, (_, _, cols) in ENTRY.items() for c in cols]


@pytest.mark.parametrize(("entry", "column"), _COLUMN_CASES)
def test_missing_or_all_missing_columns_are_refused_naming_the_column(entry, column):
    fn, base, _ = ENTRY[entry]
    err = _call_clean(fn, base.drop(columns=column))
    assert err is not None and column in str(err)
    err = _call_clean(fn, base.assign(**{column: None}))
    assert isinstance(err, DataError) and err.column == column


_NUMERIC = [
    ("kmeans_segments", "monetary"),
    ("kmeans_segments", "frequency"),
    ("funnel_rates", "leads"),
    ("funnel_rates", "customers"),
    ("funnel_rates", "spend"),
    ("weighted_nps", "score"),
    ("bad_review_alerts", "score"),
]


@pytest.mark.parametrize(("entry", "column"), _NUMERIC)
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan, "x", True], ids=["inf", "-inf", "nan", "text", "bool"])
def test_non_finite_text_or_boolean_numbers_are_refused_naming_column_and_row(entry, column, value):
    fn, base, _ = ENTRY[entry]
    err = _call_clean(fn, _set_first(base, column, value))
    assert isinstance(err, DataError) and err.column == column and base.index[0] in err.rows


_DATES = [("lifecycle_stages", "date"), ("bad_review_alerts", "date"), ("renewal_survivors(orders)", "date")]


@pytest.mark.parametrize(("entry", "column"), _DATES)
@pytest.mark.parametrize("value", ["03/04/2025", 20250304, "not a date", pd.Timestamp("2025-03-04", tz="UTC")])
def test_ambiguous_numeric_unparseable_or_mixed_tz_dates_are_refused(entry, column, value):
    fn, base, _ = ENTRY[entry]
    err = _call_clean(fn, _set_first(base, column, value))
    assert isinstance(err, DataError) and err.column == column


# ---------------------------------------------------------------------------------------------
# Argument and domain cases (one line each: the call, the error type, a word of the message)
# ---------------------------------------------------------------------------------------------

_CONST = pd.DataFrame({"recency_days": [1.0] * 5, "frequency": [2.0] * 5, "monetary": [3.0] * 5})
_TWO_PROFILES = pd.DataFrame({"recency_days": [1.0] * 5 + [9.0] * 5, "frequency": [2.0] * 10, "monetary": [3.0] * 10})
_RAKE_RESP = pd.DataFrame({"a": ["x", "y"], "b": ["p", "q"]})
_RAKE_POP = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "p"]})

ARGUMENT_CASES: dict[str, tuple[Callable[[], object], type[Exception], str]] = {
    # segments
    "k larger than distinct rows": (lambda: segments.kmeans_segments(RFM, k=31), DataError, "smaller k"),
    "k=1": (lambda: segments.kmeans_segments(RFM, k=1), ConfigError, "k=1"),
    "k=2.5": (lambda: segments.kmeans_segments(RFM, k=2.5), ConfigError, "whole number"),
    "k_range with 1": (lambda: segments.kmeans_segments(RFM, k_range=[1, 2]), ConfigError, "k_range"),
    "empty k_range": (lambda: segments.kmeans_segments(RFM, k_range=[]), ConfigError, "k_range"),
    "identical points": (lambda: segments.kmeans_segments(_CONST), DataError, "constant"),
    "2 profiles, k up to 4": (
        lambda: segments.kmeans_segments(_TWO_PROFILES, k_range=range(2, 5)),
        DataError,
        "distinct",
    ),
    "seed beyond KMeans' range": (lambda: segments.kmeans_segments(RFM, k=2, seed=2**40), ConfigError, "seed"),
    "seed negative": (lambda: segments.kmeans_segments(RFM, k=2, seed=-1), ConfigError, "seed"),
    "values overflowing the scaler": (
        lambda: segments.kmeans_segments(RFM.assign(frequency=RFM["frequency"] * 1e306), k=2, log_monetary=False),
        DataError,
        "too large",
    ),
    "negative money with log": (
        lambda: segments.kmeans_segments(RFM.assign(monetary=-RFM["monetary"]), k=2),
        DataError,
        "monetary",
    ),
    "column named twice": (
        lambda: segments.kmeans_segments(RFM, columns=("monetary", "monetary"), k=2),
        ConfigError,
        "once",
    ),
    # baskets
    "basket a||b": (lambda: baskets.basket_matrix(ORD_B.assign(basket=["a||b"] * 6)), DataError, "empty category"),
    "basket |a": (lambda: baskets.basket_matrix(ORD_B.assign(basket=["|a"] * 6)), DataError, "empty category"),
    "basket number": (lambda: baskets.basket_matrix(_set_first(ORD_B, "basket", 1)), DataError, "text"),
    "basket list": (lambda: baskets.basket_matrix(_set_first(ORD_B, "basket", ["a"])), DataError, "text"),
    "basket bytes": (lambda: baskets.basket_matrix(_set_first(ORD_B, "basket", b"a")), DataError, "text"),
    "basket NaN": (lambda: baskets.basket_matrix(_set_first(ORD_B, "basket", np.nan)), DataError, "missing"),
    "all baskets empty": (lambda: baskets.basket_matrix(ORD_B.assign(basket="")), DataError, "empty"),
    "min_support 0": (lambda: baskets.association_rules(ORD_B, 0), ConfigError, "min_support"),
    "min_support NaN": (lambda: baskets.association_rules(ORD_B, np.nan), ConfigError, "min_support"),
    "min_support 1.5": (lambda: baskets.association_rules(ORD_B, 1.5), ConfigError, "min_support"),
    "min_confidence -0.1": (lambda: baskets.association_rules(ORD_B, 0.2, -0.1), ConfigError, "min_confidence"),
    "min_confidence text": (lambda: baskets.association_rules(ORD_B, 0.2, "0.5"), ConfigError, "min_confidence"),
    "max_len 1": (lambda: baskets.association_rules(ORD_B, 0.2, max_len=1), ConfigError, "max_len"),
    "top 0": (lambda: baskets.interest_tags(ORD_B, top=0), ConfigError, "top"),
    "top True": (lambda: baskets.interest_tags(ORD_B, top=True), ConfigError, "top"),
    "ids 1 and '1'": (
        lambda: baskets.interest_tags(ORD_B.astype({"customer_id": object}).assign(customer_id=[1, "1", 2, 3, 3, 4])),
        DataError,
        "customer_id",
    ),
    # lifecycle
    "new_days 0": (lambda: lifecycle.lifecycle_stages(ORD_L, "2025-07-01", new_days=0), ConfigError, "new_days"),
    "lost_days NaN": (lambda: lifecycle.lifecycle_stages(ORD_L, "2025-07-01", lost_days=np.nan), ConfigError, "lost"),
    "active_days -1": (lambda: lifecycle.lifecycle_stages(ORD_L, "2025-07-01", active_days=-1), ConfigError, "active"),
    "gap inf": (
        lambda: lifecycle.lifecycle_stages(ORD_L, "2025-07-01", winback_gap_days=np.inf),
        ConfigError,
        "winback_gap_days",
    ),
    "bands not increasing": (
        lambda: lifecycle.lifecycle_stages(ORD_L, "2025-07-01", active_days=200),
        ConfigError,
        "increasing",
    ),
    "as_of before all data": (lambda: lifecycle.lifecycle_stages(ORD_L, "2000-01-01"), DataError, "as_of"),
    "as_of number": (lambda: lifecycle.lifecycle_stages(ORD_L, 20250701), DataError, "number"),
    "as_of ambiguous": (lambda: lifecycle.lifecycle_stages(ORD_L, "07/01/2025"), DataError, "ambiguous"),
    "as_of NaN": (lambda: lifecycle.lifecycle_stages(ORD_L, np.nan), DataError, "as_of"),
    "unknown stage": (
        lambda: lifecycle.stage_accuracy(pd.Series(["New"], index=[1]), TRUE),
        DataError,
        "unknown stage",
    ),
    "duplicate true ids": (lambda: lifecycle.stage_accuracy(OBS, pd.concat([TRUE, TRUE])), DataError, "duplicate"),
    "stages not a table": (lambda: lifecycle.stage_accuracy(["new"], TRUE), DataError, "Series"),
    "accuracy confidence 1": (lambda: lifecycle.stage_accuracy(OBS, TRUE, confidence=1), ConfigError, "confidence"),
    # funnel
    "prospects > leads": (
        lambda: funnel.funnel_rates(FUN.assign(prospects=[600, 60, 40])),
        DataError,
        "more prospects than leads",
    ),
    "customers > prospects": (
        lambda: funnel.funnel_rates(FUN.assign(customers=[101, 15, 8])),
        DataError,
        "more customers than prospects",
    ),
    "negative leads": (lambda: funnel.funnel_rates(FUN.assign(leads=[-1, 300, 400])), DataError, "leads"),
    "fractional customers": (
        lambda: funnel.funnel_rates(FUN.assign(customers=[2.5, 15, 8])),
        DataError,
        "whole numbers",
    ),
    "counts beyond 2**53": (
        lambda: funnel.funnel_rates(FUN.assign(leads=[2**63, 300, 400])),
        DataError,
        "too large",
    ),
    "group by a count column": (lambda: funnel.funnel_rates(FUN, by="leads"), ConfigError, "by="),
    "group column twice": (lambda: funnel.funnel_rates(FUN, by=["channel", "channel"]), ConfigError, "by="),
    "group labels 1 and '1'": (
        lambda: funnel.funnel_rates(FUN.assign(channel=["s", 1, "1"])),
        DataError,
        "mixing numbers and text",
    ),
    "by missing column": (lambda: funnel.funnel_rates(FUN, by="region"), DataError, "region"),
    "by empty list": (lambda: funnel.funnel_rates(FUN, by=[]), ConfigError, "by="),
    # weighting
    "weights sum to 0": (lambda: weighting.weighted_nps(RESP, [0.0] * 20), DataError, "all weights are 0"),
    "weights negative": (lambda: weighting.weighted_nps(RESP, [-1.0] + [1.0] * 19), DataError, "weight"),
    "weights NaN": (lambda: weighting.weighted_nps(RESP, [np.nan] + [1.0] * 19), DataError, "weight"),
    "weights inf": (lambda: weighting.weighted_nps(RESP, [np.inf] + [1.0] * 19), DataError, "weight"),
    "weights text": (lambda: weighting.weighted_nps(RESP, ["1"] * 20), DataError, "text"),
    "weights too few": (lambda: weighting.weighted_nps(RESP, [1.0] * 19), DataError, "one weight per answer"),
    "weights None": (lambda: weighting.weighted_nps(RESP, None), DataError, "NoneType"),
    "weights scalar": (lambda: weighting.weighted_nps(RESP, 1.0), DataError, "float"),
    "weights 2-d": (lambda: weighting.weighted_nps(RESP, np.ones((20, 1))), DataError, "flat"),
    "weights not indexed like answers": (
        lambda: weighting.weighted_nps(RESP, pd.Series(1.0, index=range(1, 21))),
        DataError,
        "no weight",
    ),
    "answers with duplicate index, weights by index": (
        lambda: weighting.weighted_nps(pd.Series([10, 3], index=[0, 0]), pd.Series([1.0], index=[0])),
        DataError,
        "duplicate",
    ),
    "NPS score 11": (lambda: weighting.weighted_nps(RESP.assign(score=11), [1.0] * 20), DataError, "0..10"),
    "NPS score 9.5": (lambda: weighting.weighted_nps(RESP.assign(score=9.5), [1.0] * 20), DataError, "0..10"),
    "by not a column": (lambda: weighting.nonresponse_weights(RESP, POP, "region"), DataError, "region"),
    "by None": (lambda: weighting.nonresponse_weights(RESP, POP, None), ConfigError, "by="),
    "unknown method": (
        lambda: weighting.nonresponse_weights(RESP, POP, "tier", method="raking"),
        ConfigError,
        "method",
    ),
    "respondent cell not in population": (
        lambda: weighting.nonresponse_weights(RESP.assign(tier=["x"] + ["g"] * 19), POP, "tier"),
        DataError,
        "do not occur",
    ),
    "population cell without respondent": (
        lambda: weighting.nonresponse_weights(RESP.assign(tier="g"), POP, "tier"),
        DataError,
        "no respondent",
    ),
    "raking cannot match the margins": (
        lambda: weighting.nonresponse_weights(_RAKE_RESP, _RAKE_POP, ["a", "b"], method="rake"),
        DataError,
        "did not converge",
    ),
    # text
    "comment number": (lambda: text.tag_comments(["ok", 5]), DataError, "text"),
    "comment bytes": (lambda: text.comment_sentiment([b"bad"]), DataError, "text"),
    "comment list": (lambda: text.comment_sentiment([["bad"]]), DataError, "text"),
    "comments a string": (lambda: text.tag_comments("one comment"), DataError, "str"),
    "comments a number": (lambda: text.tag_comments(5), DataError, "int"),
    "keywords empty list": (lambda: text.tag_comments(["x"], keywords={"a": []}), ConfigError, "keywords"),
    "keywords a string": (lambda: text.tag_comments(["x"], keywords={"a": "word"}), ConfigError, "keywords"),
    "keywords blank word": (lambda: text.tag_comments(["x"], keywords={"a": [" "]}), ConfigError, "keywords"),
    "lexicon without negative": (
        lambda: text.comment_sentiment(["x"], lexicon={"positive": ["good"]}),
        ConfigError,
        "negative",
    ),
    "lexicon with a misspelt list": (
        lambda: text.comment_sentiment(["x"], lexicon={"positive": ["a"], "negative": ["b"], "postive": ["c"]}),
        ConfigError,
        "postive",
    ),
    # alerts
    "window_days 0": (lambda: alerts.bad_review_alerts(SURV, window_days=0), ConfigError, "window_days"),
    "window_days -7": (lambda: alerts.bad_review_alerts(SURV, window_days=-7), ConfigError, "window_days"),
    "window_days NaN": (lambda: alerts.bad_review_alerts(SURV, window_days=np.nan), ConfigError, "window_days"),
    "window_days 1e-9 (10^10 windows)": (
        lambda: alerts.bad_review_alerts(SURV, window_days=1e-9),
        ConfigError,
        "windows",
    ),
    "threshold 1.1": (lambda: alerts.bad_review_alerts(SURV, threshold=1.1), ConfigError, "threshold"),
    "threshold -0.1": (lambda: alerts.bad_review_alerts(SURV, threshold=-0.1), ConfigError, "threshold"),
    "threshold 0": (lambda: alerts.bad_review_alerts(SURV, threshold=0), ConfigError, "threshold"),
    "threshold NaN": (lambda: alerts.bad_review_alerts(SURV, threshold=np.nan), ConfigError, "threshold"),
    "min_answers 0": (lambda: alerts.bad_review_alerts(SURV, min_answers=0), ConfigError, "min_answers"),
    "min_answers 1.5": (lambda: alerts.bad_review_alerts(SURV, min_answers=1.5), ConfigError, "min_answers"),
    "negative unknown instrument": (
        lambda: alerts.bad_review_alerts(SURV, negative={"stars": 1}),
        ConfigError,
        "instruments",
    ),
    "negative off the scale": (lambda: alerts.bad_review_alerts(SURV, negative={"csat": 6}), ConfigError, "csat"),
    "start after answers": (lambda: alerts.bad_review_alerts(SURV, start="2030-01-01"), DataError, "before start"),
    "instrument 'NPS'": (lambda: alerts.bad_review_alerts(SURV.assign(instrument="NPS")), DataError, "instrument"),
    "score off the scale": (lambda: alerts.bad_review_alerts(SURV.assign(score=11)), DataError, "scale"),
    "only CES answers": (
        lambda: alerts.bad_review_alerts(SURV.assign(instrument="ces", score=1)),
        DataError,
        "no review",
    ),
    "alert in an unchecked window": (
        lambda: alerts.false_alarm_rate(ALERTS_T.assign(checked=False, alert=True)),
        DataError,
        "checked",
    ),
    "problem flags wrong length": (lambda: alerts.false_alarm_rate(ALERTS_T, [True]), DataError, "flag"),
    "problem date outside the windows": (
        lambda: alerts.false_alarm_rate(ALERTS_T, ["2020-01-01"]),
        DataError,
        "no window",
    ),
    "problem weeks a string": (lambda: alerts.false_alarm_rate(ALERTS_T, "2025-03-05"), ConfigError, "problem"),
    "problem weeks numbers": (lambda: alerts.false_alarm_rate(ALERTS_T, [1, 2]), DataError, "number"),
    # subscriptions
    "repeated payment (same customer and date)": (
        lambda: subscriptions.renewal_survivors(
            CUST_S, pd.concat([ORD_S, ORD_S.iloc[[3]]]), as_of="2025-03-15", period_days=30
        ),
        DataError,
        "repeated",
    ),
    "all payments on one day": (
        lambda: subscriptions.renewal_survivors(CUST_S, ORD_S.assign(date="2025-01-01"), as_of="2025-03-15"),
        DataError,
        "repeated",
    ),
    "period_days 0": (lambda: subscriptions.renewal_survivors(CUST_S, ORD_S, period_days=0), ConfigError, "period"),
    "period_days NaN": (
        lambda: subscriptions.renewal_survivors(CUST_S, ORD_S, period_days=np.nan),
        ConfigError,
        "period",
    ),
    "unknown plan": (lambda: subscriptions.renewal_survivors(CUST_S, ORD_S, "gold"), ConfigError, "plan"),
    "bad cohort_freq": (
        lambda: subscriptions.renewal_survivors(CUST_S, ORD_S, period_days=30, cohort_freq="X"),
        ConfigError,
        "cohort_freq",
    ),
    "subscription as_of before all data": (
        lambda: subscriptions.renewal_survivors(CUST_S, ORD_S, as_of="2000-01-01", period_days=30),
        DataError,
        "no payment",
    ),
    "ids written differently in the two tables": (
        lambda: subscriptions.renewal_survivors(CUST_S.astype({"customer_id": str}), ORD_S, period_days=30),
        DataError,
        "customer_id",
    ),
}


@pytest.mark.parametrize("case", list(ARGUMENT_CASES))
def test_bad_arguments_and_domain_violations_get_a_clear_error(case):
    call, kind, word = ARGUMENT_CASES[case]
    err = _call_clean(lambda _: call(), None)
    assert isinstance(err, kind), f"{case}: expected {kind.__name__}, got {err!r}"
    assert word.lower() in str(err).lower(), str(err)


def test_huge_and_tiny_weights_give_the_unit_weight_nps():
    unit = weighting.weighted_nps(RESP, [1.0] * 20)
    for scale in (1e308, 1e-320):
        got = weighting.weighted_nps(RESP, [scale] * 20)
        assert (got.value, got.ci_low, got.ci_high) == pytest.approx((unit.value, unit.ci_low, unit.ci_high))


def test_list_weights_follow_the_answers_by_position_when_non_nps_rows_are_dropped():
    s = pd.DataFrame({"instrument": ["csat", "nps", "nps"], "score": [1, 10, 0]}, index=[7, 7, 8])
    assert weighting.weighted_nps(s, [5.0, 3.0, 1.0]).value == pytest.approx(100 * (3 - 1) / 4)


def test_comments_in_a_frame_with_a_duplicated_comment_column_are_refused():
    for fn in (text.tag_comments, text.comment_sentiment):
        with pytest.raises(DataError, match="more than once") as err:
            fn(pd.concat([COM, COM], axis=1))
        assert err.value.column == "comment"


# ---------------------------------------------------------------------------------------------
# Results against independent computations
# ---------------------------------------------------------------------------------------------

_DAY = pd.Timedelta(days=1)


def _reference_stage(dates: list[pd.Timestamp], cut: pd.Timestamp) -> str:
    """The documented rules, in plain Python with the default thresholds (90, 90, 180, 365, 365)."""
    ds = sorted(d for d in dates if d <= cut)
    age, rec = (cut - ds[0]) / _DAY, (cut - ds[-1]) / _DAY
    returns = [b for a, b in itertools.pairwise(ds) if (b - a) / _DAY >= 365]
    if age <= 90:
        return "new"
    if returns and (cut - returns[-1]) / _DAY <= 90:
        return "won_back"
    for stage, limit in (("active", 90), ("at_risk", 180), ("dormant", 365)):
        if rec <= limit:
            return stage
    return "lost"


def test_lifecycle_stages_match_the_rules_at_the_exact_day_boundaries():
    cut = pd.Timestamp("2025-07-01")
    tick = pd.Timedelta(seconds=9)  # about 0.0001 day: 90 days vs 90.0001 days
    offsets = [0, 90, 180, 365, 455, 500, 730, 900]
    history: dict[int, list[pd.Timestamp]] = {}
    for first, second, jitter in itertools.product(offsets, [None, *offsets], (pd.Timedelta(0), tick, -tick)):
        if second is not None and second >= first:
            continue
        dates = [cut - first * _DAY + (jitter if second is None else pd.Timedelta(0))]
        if second is not None:
            dates.append(cut - second * _DAY + jitter)
        history[len(history) + 1] = dates
    orders = pd.DataFrame([(c, d) for c, ds in history.items() for d in ds], columns=["customer_id", "date"])
    got = lifecycle.lifecycle_stages(orders, cut)
    seen = {c: ds for c, ds in history.items() if min(ds) <= cut}
    assert set(got.index) == set(seen)
    assert got.attrs["orders_after_as_of"] == sum(d > cut for ds in history.values() for d in ds)
    expected = pd.Series({c: _reference_stage(ds, cut) for c, ds in seen.items()})
    mismatch = got["stage"].astype(str) != expected.loc[got.index]
    assert not mismatch.any(), got.loc[mismatch].assign(expected=expected)
    assert set(expected) == set(lifecycle.STAGES)  # every stage and boundary exercised


def _wilson(k: float, n: float, z: float) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_funnel_intervals_are_the_closed_form_wilson_intervals(confidence):
    f = pd.DataFrame(
        {
            "channel": ["a", "b", "c", "d", "a"],
            "leads": [600, 7, 1, 0, 400],
            "prospects": [100, 7, 0, 0, 23],
            "customers": [5, 3, 0, 0, 0],
            "spend": [10.0, 1.0, 0.0, 0.0, 2.5],
        }
    )
    got = funnel.funnel_rates(f, confidence=confidence)
    sums = f.groupby("channel")[["leads", "prospects", "customers", "spend"]].sum()
    z = float(norm.ppf(0.5 + confidence / 2))
    for channel, row in sums.iterrows():
        for step, num, den in funnel.STEPS:
            if row[den] == 0:
                assert np.isnan(got.loc[channel, [step, f"{step}_low", f"{step}_high"]].astype(float)).all()
                continue
            lo, hi = _wilson(row[num], row[den], z)
            assert got.loc[channel, step] == pytest.approx(row[num] / row[den], abs=1e-15)
            assert got.loc[channel, f"{step}_low"] == pytest.approx(lo, abs=1e-12)
            assert got.loc[channel, f"{step}_high"] == pytest.approx(hi, abs=1e-12)
        cac = got.loc[channel, "cac"]
        assert np.isnan(cac) if row["customers"] == 0 else cac == pytest.approx(row["spend"] / row["customers"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weighted_nps_equals_the_computation_by_hand(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 11, 60)
    w = rng.gamma(2.0, 1.0, 60)
    got = weighting.weighted_nps(pd.Series(scores), list(w), confidence=0.9)
    x = [1 if s >= 9 else -1 if s <= 6 else 0 for s in scores]
    total = sum(w)
    m = sum(wi * xi for wi, xi in zip(w, x)) / total
    se = math.sqrt(sum(wi**2 * (xi - m) ** 2 for wi, xi in zip(w, x))) / total
    z = 1.6448536269514722  # norm.ppf(0.95)
    assert got.value == pytest.approx(100 * m, abs=1e-9)
    assert got.ci_low == pytest.approx(max(-100.0, 100 * (m - z * se)), abs=1e-9)
    assert got.ci_high == pytest.approx(min(100.0, 100 * (m + z * se)), abs=1e-9)
    assert got.shares["promoters"] == pytest.approx(sum(wi for wi, xi in zip(w, x) if xi == 1) / total)


@pytest.mark.parametrize("seed", [5, 6])
def test_association_rules_equal_a_brute_force_count(seed):
    rng = np.random.default_rng(seed)
    cats = list("abcdef")
    raw = [rng.choice(cats, rng.integers(1, 6), p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05]) for _ in range(200)]
    orders = pd.DataFrame({"basket": ["|".join(b) for b in raw]})  # repeats within a basket count once
    min_support, min_confidence = 0.043, 0.31  # not a multiple of 1/200: no ties at the thresholds
    got = baskets.association_rules(orders, min_support, min_confidence)
    sets = [set(b) for b in raw]

    def support(items: set[str]) -> float:
        return sum(items <= b for b in sets) / len(sets)

    expected = {}
    for size in range(2, len(cats) + 1):
        for items in map(set, itertools.combinations(cats, size)):
            if support(items) < min_support:
                continue
            for r in range(1, size):
                for a in map(set, itertools.combinations(sorted(items), r)):
                    conf = support(items) / support(a)
                    if conf >= min_confidence:
                        key = ("|".join(sorted(a)), "|".join(sorted(items - a)))
                        expected[key] = (support(items), conf, conf / support(items - a))
    rows = got[["antecedent", "consequent", "support", "confidence", "lift"]].itertuples(index=False)
    found = {(a, c): (s, cf, lf) for a, c, s, cf, lf in rows}
    assert set(found) == set(expected) and len(expected) > 5
    for key, values in expected.items():
        assert found[key] == pytest.approx(values, abs=1e-12)
    assert got["lift"].is_monotonic_decreasing


def test_kmeans_partition_is_invariant_to_row_and_column_order():
    rng = np.random.default_rng(7)
    t = pd.DataFrame(
        {
            "recency_days": np.r_[rng.normal(10, 3, 40), rng.normal(120, 20, 30), rng.normal(300, 30, 30)],
            "frequency": np.r_[rng.normal(9, 2, 40), rng.normal(4, 1, 30), rng.normal(1, 0.5, 30)].clip(0),
            "monetary": np.r_[rng.gamma(5, 30, 40), rng.gamma(3, 10, 30), rng.gamma(2, 5, 30)],
        },
        index=pd.Index(range(1000, 1100), name="customer_id"),
    )
    base = segments.kmeans_segments(t, k_range=range(2, 5))
    shuffled = segments.kmeans_segments(t.iloc[rng.permutation(len(t))], k_range=range(2, 5))
    reordered = segments.kmeans_segments(t[["monetary", "frequency", "recency_days"]], k_range=range(2, 5))
    for other in (shuffled, reordered):
        assert other.k == base.k == 3
        table = pd.crosstab(base.labels, other.labels.loc[base.labels.index])
        assert ((table > 0).sum(axis=0) == 1).all() and ((table > 0).sum(axis=1) == 1).all()  # a relabelling
    # numbering is by size, so it does not depend on the row order at all
    pd.testing.assert_series_equal(shuffled.labels.loc[base.labels.index], base.labels)
    assert base.sizes.tolist() == sorted(base.sizes.tolist(), reverse=True)


@pytest.mark.parametrize(
    ("comment", "tags"),
    [
        ("快递太慢了, the courier was rude", "delivery"),
        ("Price 太贵，但是客服很好", "price|service"),
        ("质量quality一般", "quality"),
        ("DELIVERY 物流 很快", "delivery"),
        ("undelivered parcel", "delivery"),  # 'parcel' at a word start; 'deliver' inside a word is not
        ("undelivered", ""),
        ("价格便宜，质量好", "quality|price"),
        ("收到短信spam太多", "communication"),
        ("不需要了", "need"),
        ("", ""),
    ],
)
def test_topic_tags_on_mixed_chinese_and_english_text(comment, tags):
    got = text.tag_comments([comment])
    assert got["tags"].iloc[0] == tags
    assert got["n_tags"].iloc[0] == (len(tags.split("|")) if tags else 0)


@pytest.mark.timeout(60)
def test_a_huge_comment_is_scored_in_linear_time_and_negation_still_counts():
    huge = "good service " * 40_000 + "but not helpful"  # 520k characters, 40k lexicon words
    long_word = "x" * 200
    comments = [huge, f"not {long_word} good", f"not very {long_word} good", "cannot good", "don't love it"]
    got = text.comment_sentiment(comments)
    assert got.iloc[0] == pytest.approx((40_000 - 1) / (40_000 + 1))
    assert got.iloc[1:].tolist() == [-1.0, 1.0, 1.0, -1.0]  # within two words, however long; 'cannot' is no 'not'
    assert text.tag_comments([huge])["tags"].iloc[0] == "service"


def test_series_inputs_are_not_modified():
    comments = pd.Series(["Delivery late", None, "很好"], index=[5, 6, 7])
    weights = pd.Series([1.0, 2.0], index=[3, 4])
    stages = pd.Series(["new", "lost"], index=[1, 3])
    copies = [x.copy() for x in (comments, weights, stages)]
    text.tag_comments(comments)
    text.comment_sentiment(comments)
    weighting.weighted_nps(pd.Series([10, 3], index=[3, 4]), weights)
    lifecycle.stage_accuracy(stages, TRUE)
    for original, copy in zip((comments, weights, stages), copies):
        pd.testing.assert_series_equal(original, copy)


def test_alert_windows_equal_a_count_by_hand():
    rng = np.random.default_rng(11)
    n = 500
    inst = rng.choice(["nps", "csat", "ces"], n)
    hi = np.select([inst == "nps", inst == "csat"], [10, 5], 7)
    lo = np.where(inst == "nps", 0, 1)
    s = pd.DataFrame(
        {
            "date": pd.Timestamp("2025-01-01 07:00") + pd.to_timedelta(rng.uniform(0, 60, n), unit="D"),
            "instrument": inst,
            "score": rng.integers(lo, hi + 1),
        }
    )
    got = alerts.bad_review_alerts(s, threshold=0.52, window_days=5, min_answers=25, start="2024-12-30")
    reviews = s[s["instrument"] != "ces"]  # CES measures effort, not opinion
    window = ((reviews["date"] - pd.Timestamp("2024-12-30")) / pd.Timedelta(days=5)).map(math.floor)
    negative = np.where(reviews["instrument"] == "nps", reviews["score"] <= 6, reviews["score"] <= 2)
    answers = reviews.groupby(window).size().reindex(range(len(got)), fill_value=0)
    negatives = pd.Series(negative, index=reviews.index).groupby(window).sum().reindex(range(len(got)), fill_value=0)
    assert got["answers"].tolist() == answers.tolist() and got["negatives"].tolist() == negatives.tolist()
    expected = (answers >= 25) & (negatives / answers.replace(0, np.nan) > 0.52)
    assert got["alert"].tolist() == expected.tolist() and 0 < expected.sum() < expected.size


def test_renewal_survivors_equal_a_brute_force_count():
    rng = np.random.default_rng(12)
    period, as_of = 30, pd.Timestamp("2025-03-01")
    signups = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, 300), unit="D")
    payments = rng.geometric(0.2, 300)
    customers = pd.DataFrame({"customer_id": range(300), "plan": "monthly"})
    orders = pd.DataFrame(
        [(c, d + pd.Timedelta(days=period * j)) for c, (d, k) in enumerate(zip(signups, payments)) for j in range(k)],
        columns=["customer_id", "date"],
    )
    got = subscriptions.renewal_survivors(customers, orders, as_of=as_of, period_days=period)
    expected = []
    seen = orders[orders["date"] <= as_of].groupby("customer_id")["date"].agg(["min", "size"])
    for cohort, members in seen.groupby(seen["min"].dt.to_period("M").astype(str)):
        reached = int((as_of - members["min"].max()) / pd.Timedelta(days=period))
        expected += [(cohort, k, int((members["size"] >= k + 1).sum())) for k in range(reached + 1) if reached >= 1]
    assert list(got.itertuples(index=False, name=None)) == expected
    assert got.attrs["without_payment"] == int((signups > as_of).sum())
    for _, one in got.groupby("cohort"):
        assert one["survivors"].is_monotonic_decreasing  # never more survivors in a later period


def test_stage_accuracy_and_interest_tags_against_independent_counts():
    from collections import Counter

    from sklearn.metrics import accuracy_score, confusion_matrix

    rng = np.random.default_rng(13)
    stages = list(lifecycle.STAGES)
    obs, true = (pd.Series(rng.choice(stages, 200)) for _ in range(2))
    r = lifecycle.stage_accuracy(obs, true)
    assert (r.confusion.to_numpy() == confusion_matrix(true, obs, labels=stages)).all()
    assert r.accuracy == accuracy_score(true, obs) and r.n == 200

    orders = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 20, 300),
            "basket": ["|".join(rng.choice(list("abcde"), rng.integers(1, 4))) for _ in range(300)],
        }
    )
    tags = baskets.interest_tags(orders, top=3)
    for cid, own in orders.groupby("customer_id"):
        count = Counter(x for b in own["basket"] for x in b.split("|"))  # repeats in one basket count as lines
        top = [x for x, _ in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        assert [t for t in tags.loc[cid, ["tag_1", "tag_2", "tag_3"]] if t] == top
        assert tags.loc[cid, "lines"] == sum(count.values())


def test_cells_whose_values_contain_the_separator_are_not_merged():
    # 'a|b' + 'c' and 'a' + 'b|c' both used to read 'a|b|c': one cell, weights 1 and 1
    resp = pd.DataFrame({"t": ["a|b", "a"], "c": ["c", "b|c"]})
    pop = pd.DataFrame({"t": ["a|b", "a", "a"], "c": ["c", "b|c", "b|c"]})
    w = weighting.nonresponse_weights(resp, pop, ["t", "c"])
    assert w.tolist() == pytest.approx([(1 / 3) / (1 / 2), (2 / 3) / (1 / 2)])
    assert len(w.attrs["cells"]) == 2
