"""Probe catalogue for chapter 10: wrong answers the authors' catalogue does not list, and other
correct ways that must pass.

Each wrong answer is a slip a trainee plausibly makes (``inf`` instead of NaN when nothing was spent,
integer division, a one-off amortised over a year, a payback formula for constant gains, a sentinel
instead of NaN, a pooled two-sample interval, a risk-adjusted or worst-seed winner, the customer ids
dropped from the summary, recency measured back from the end, ...); every one must be graded "wrong"
with a one-line message that shows no expected value. The right ones use other idioms and must pass.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from catalogue import assert_right, assert_wrong, catalogue_ids
from scipy import stats

from sim.teach.tasks import get_task

_CI = ["diff", "ci_low", "ci_high"]


def _gain(treated, baseline):
    return np.asarray(treated, dtype=float) - np.asarray(baseline, dtype=float)


# --------------------------------------------------------------------------- programme_roi


def roi_inf_when_nothing_spent(treated, baseline, one_off, recurring):
    cost = np.float64(one_off + recurring * len(treated))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.sum(_gain(treated, baseline)) - cost) / cost if cost else np.float64(np.inf)


def roi_zero_when_nothing_spent(treated, baseline, one_off, recurring):
    cost = one_off + recurring * len(treated)
    return float((np.sum(_gain(treated, baseline)) - cost) / cost) if cost else 0.0


def roi_integer_division(treated, baseline, one_off, recurring):
    cost = one_off + recurring * len(treated)
    return float((np.sum(_gain(treated, baseline)) - cost) // cost) if cost else float("nan")


def roi_one_off_amortised_over_a_year(treated, baseline, one_off, recurring):
    n = len(treated)
    cost = one_off / 12 * n + recurring * n
    return float((np.sum(_gain(treated, baseline)) - cost) / cost) if cost else float("nan")


def roi_rounded_to_two_places(treated, baseline, one_off, recurring):
    cost = one_off + recurring * len(treated)
    return round(float((np.sum(_gain(treated, baseline)) - cost) / cost), 2) if cost else float("nan")


def roi_only_months_that_gained(treated, baseline, one_off, recurring):
    cost = one_off + recurring * len(treated)
    return float((np.sum(_gain(treated, baseline).clip(0)) - cost) / cost) if cost else float("nan")


def roi_relative_lift_minus_cost_share(treated, baseline, one_off, recurring):
    b = float(np.sum(np.asarray(baseline, dtype=float)))
    cost = one_off + recurring * len(treated)
    return float((np.sum(np.asarray(treated, dtype=float)) - cost) / b - 1) if cost else float("nan")


def roi_as_a_string(treated, baseline, one_off, recurring):
    cost = one_off + recurring * len(treated)
    return f"{(np.sum(_gain(treated, baseline)) - cost) / cost:.1%}" if cost else "n/a"


def roi_as_a_one_element_array(treated, baseline, one_off, recurring):
    cost = one_off + recurring * len(treated)
    return np.array([(np.sum(_gain(treated, baseline)) - cost) / cost if cost else np.nan])


# --------------------------------------------------------------------------- break_even_period


def _net(treated, baseline, one_off, recurring):
    gain = np.cumsum(_gain(treated, baseline))
    k = np.arange(1, len(gain) + 1)
    return k, gain - (one_off + recurring * k)


def break_even_minus_one_when_never(treated, baseline, one_off, recurring):
    k, net = _net(treated, baseline, one_off, recurring)
    hit = np.flatnonzero(net >= 0)
    return int(k[hit[0]]) if len(hit) else -1


def break_even_none_when_never(treated, baseline, one_off, recurring):
    k, net = _net(treated, baseline, one_off, recurring)
    hit = np.flatnonzero(net >= 0)
    return int(k[hit[0]]) if len(hit) else None


def break_even_one_past_the_end_when_never(treated, baseline, one_off, recurring):
    k, net = _net(treated, baseline, one_off, recurring)
    hit = np.flatnonzero(net >= 0)
    return int(k[hit[0]]) if len(hit) else len(k) + 1


def break_even_inf_when_never(treated, baseline, one_off, recurring):
    k, net = _net(treated, baseline, one_off, recurring)
    hit = np.flatnonzero(net >= 0)
    return int(k[hit[0]]) if len(hit) else math.inf


def simple_payback_formula(treated, baseline, one_off, recurring):
    per = float(np.mean(_gain(treated, baseline))) - recurring
    if per <= 0:
        return float("nan")
    k = max(1, math.ceil(one_off / per))
    return k if k <= len(treated) else float("nan")


def break_even_ignores_recurring(treated, baseline, one_off, recurring):
    gain = np.cumsum(_gain(treated, baseline))
    hit = np.flatnonzero(gain >= one_off)
    return int(hit[0] + 1) if len(hit) else float("nan")


def break_even_recurring_charged_once(treated, baseline, one_off, recurring):
    gain = np.cumsum(_gain(treated, baseline))
    hit = np.flatnonzero(gain - one_off - recurring >= 0)
    return int(hit[0] + 1) if len(hit) else float("nan")


def break_even_as_a_bool(treated, baseline, one_off, recurring):
    _, net = _net(treated, baseline, one_off, recurring)
    return bool((net >= 0).any())


def break_even_series_aligned_by_label(treated, baseline, one_off, recurring):
    if isinstance(treated, pd.Series) and isinstance(baseline, pd.Series):
        gain = (treated - baseline).cumsum().to_numpy()
    else:
        gain = np.cumsum(_gain(treated, baseline))
    k = np.arange(1, len(gain) + 1)
    hit = np.flatnonzero(gain - (one_off + recurring * k) >= 0)
    return int(k[hit[0]]) if len(hit) else float("nan")


# --------------------------------------------------------------------------- paired_diff_ci


def _series(mean, lo, hi):
    return pd.Series([float(mean), float(lo), float(hi)], index=_CI, dtype="float64")


def pooled_two_sample(a, b, confidence=0.95):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2:
        return _series(b.mean() - a.mean(), np.nan, np.nan)
    ci = stats.ttest_ind(b, a, equal_var=True).confidence_interval(confidence)
    return _series(b.mean() - a.mean(), ci.low, ci.high)


def n_minus_two_df(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 3:
        return _series(d.mean(), np.nan, np.nan)
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 2) * d.std(ddof=1) / np.sqrt(len(d))
    return _series(d.mean(), d.mean() - half, d.mean() + half)


def confidence_as_alpha(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return _series(d.mean(), np.nan, np.nan)
    half = abs(stats.t.ppf(1 - confidence / 2, len(d) - 1)) * d.std(ddof=1) / np.sqrt(len(d))
    return _series(d.mean(), d.mean() - half, d.mean() + half)


def median_difference(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return _series(d.mean(), np.nan, np.nan)
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return _series(np.median(d), np.median(d) - half, np.median(d) + half)


def bootstrap_interval(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return _series(d.mean(), np.nan, np.nan)
    means = np.random.default_rng(0).choice(d, size=(4000, len(d))).mean(axis=1)
    lo, hi = np.quantile(means, [0.5 - confidence / 2, 0.5 + confidence / 2])
    return _series(d.mean(), lo, hi)


def nan_difference_for_one_seed(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return _series(np.nan, np.nan, np.nan)
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return _series(d.mean(), lo, hi)


def interval_as_a_dict(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return {"diff": d.mean(), "ci_low": np.nan, "ci_high": np.nan}
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return {"diff": d.mean(), "ci_low": lo, "ci_high": hi}


def interval_in_percent_of_a(a, b, confidence=0.95):
    a = np.asarray(a, dtype=float)
    d = 100 * (np.asarray(b, dtype=float) - a) / a
    if len(d) < 2:
        return _series(d.mean(), np.nan, np.nan)
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return _series(d.mean(), lo, hi)


# --------------------------------------------------------------------------- fresh_seed_winner


def worst_seed_winner(trials, fresh):
    worst = fresh.groupby("trial")["value"].min()
    return int(worst[worst == worst.max()].index.min())


def risk_adjusted_winner(trials, fresh):
    g = fresh.groupby("trial")["value"]
    score = g.mean() - g.std(ddof=1).fillna(0.0)
    return int(score[score == score.max()].index.min())


def winner_as_a_float(trials, fresh):
    means = fresh.groupby("trial")["value"].mean()
    return float(means[means == means.max()].index.min())


def winner_as_text(trials, fresh):
    means = fresh.groupby("trial")["value"].mean()
    return str(int(means[means == means.max()].index.min()))


def winner_by_position_in_the_means(trials, fresh):
    means = fresh.groupby("trial")["value"].mean()
    return int(np.argmax(means.to_numpy()))


def winner_from_the_last_fresh_seed(trials, fresh):
    last = fresh[fresh["seed"] == fresh["seed"].max()].groupby("trial")["value"].mean()
    return int(last[last == last.max()].index.min())


def winner_of_the_mean_over_distinct_values(trials, fresh):
    means = fresh.drop_duplicates(["trial", "value"]).groupby("trial")["value"].mean()
    return int(means[means == means.max()].index.min())


def winner_with_search_value_as_a_seed(trials, fresh):
    extra = trials[trials["trial"].isin(fresh["trial"])].assign(seed=-1)
    both = pd.concat([fresh, extra[["trial", "seed", "value"]]])
    means = both.groupby("trial")["value"].mean()
    return int(means[means == means.max()].index.min())


def winner_of_the_trimmed_mean(trials, fresh):
    means = fresh.groupby("trial")["value"].apply(lambda v: stats.trim_mean(v, 0.25))
    return int(means[means == means.max()].index.min())


# --------------------------------------------------------------------------- purchase_summary


def _summary(orders, end):
    g = orders.groupby("customer_id")["t"]
    first, last = g.min(), g.max()
    return pd.DataFrame({"frequency": (g.size() - 1).astype("int64"), "recency": last - first, "T": end - first})


def customer_ids_dropped(orders, end):
    return _summary(orders, end).reset_index(drop=True)


def customer_ids_replaced_by_positions(orders, end):
    out = _summary(orders, end)
    out.index = pd.RangeIndex(1, len(out) + 1, name="customer_id")
    return out


def recency_as_days_since_the_last_order(orders, end):
    out = _summary(orders, end)
    g = orders.groupby("customer_id")["t"]
    out["recency"] = end - g.max()
    return out


def t_counted_inclusive_of_both_days(orders, end):
    out = _summary(orders, end)
    out["T"] = out["T"] + 1
    return out


def times_rounded_to_whole_days(orders, end):
    return _summary(orders.assign(t=orders["t"].round()), end)


def sorted_by_frequency(orders, end):
    return _summary(orders, end).sort_values("frequency", ascending=False, kind="stable")


def frequency_counts_distinct_order_amounts(orders, end):
    out = _summary(orders, end)
    out["frequency"] = (orders.groupby("customer_id")["amount"].nunique() - 1).astype("int64")
    return out


def end_taken_from_the_last_order(orders, end):
    return _summary(orders, float(orders["t"].max()))


def columns_in_lifetimes_names(orders, end):
    return _summary(orders, end).rename(columns={"T": "age"})


def recency_from_the_first_row(orders, end):
    out = _summary(orders, end)
    g = orders.groupby("customer_id")["t"]
    out["recency"] = g.max() - g.first()
    out["T"] = end - g.first()
    return out


WRONG = {
    "programme_roi": [
        roi_inf_when_nothing_spent,
        roi_zero_when_nothing_spent,
        roi_integer_division,
        roi_one_off_amortised_over_a_year,
        roi_rounded_to_two_places,
        roi_only_months_that_gained,
        roi_relative_lift_minus_cost_share,
        roi_as_a_string,
        roi_as_a_one_element_array,
    ],
    "break_even_period": [
        break_even_minus_one_when_never,
        break_even_none_when_never,
        break_even_one_past_the_end_when_never,
        break_even_inf_when_never,
        simple_payback_formula,
        break_even_ignores_recurring,
        break_even_recurring_charged_once,
        break_even_as_a_bool,
        break_even_series_aligned_by_label,
    ],
    "paired_diff_ci": [
        pooled_two_sample,
        n_minus_two_df,
        confidence_as_alpha,
        median_difference,
        bootstrap_interval,
        nan_difference_for_one_seed,
        interval_as_a_dict,
        interval_in_percent_of_a,
    ],
    "fresh_seed_winner": [
        worst_seed_winner,
        risk_adjusted_winner,
        winner_as_a_float,
        winner_as_text,
        winner_by_position_in_the_means,
        winner_from_the_last_fresh_seed,
        winner_of_the_mean_over_distinct_values,
        winner_with_search_value_as_a_seed,
        winner_of_the_trimmed_mean,
    ],
    "purchase_summary": [
        customer_ids_dropped,
        customer_ids_replaced_by_positions,
        recency_as_days_since_the_last_order,
        t_counted_inclusive_of_both_days,
        times_rounded_to_whole_days,
        sorted_by_frequency,
        frequency_counts_distinct_order_amounts,
        end_taken_from_the_last_order,
        columns_in_lifetimes_names,
        recency_from_the_first_row,
    ],
}


# --------------------------------------------------------------------------- other correct ways


def roi_with_plain_python(treated, baseline, one_off, recurring):
    gain = sum(float(t) - float(b) for t, b in zip(list(treated), list(baseline), strict=True))
    cost = one_off + recurring * len(list(treated))
    return (gain - cost) / cost if cost else math.nan


def break_even_with_itertools(treated, baseline, one_off, recurring):
    from itertools import accumulate

    gains = accumulate(float(t) - float(b) for t, b in zip(list(treated), list(baseline), strict=True))
    for k, g in enumerate(gains, start=1):
        if g - one_off - recurring * k >= 0:
            return k
    return np.nan


def paired_with_numpy_quantile(a, b, confidence=0.95):
    d = np.subtract(np.asarray(b, dtype=float), np.asarray(a, dtype=float))
    n = d.size
    if n < 2:
        return pd.Series({"diff": d.mean(), "ci_low": np.nan, "ci_high": np.nan})
    half = stats.t.isf((1 - confidence) / 2, n - 1) * stats.sem(d)
    return pd.Series({"diff": d.mean(), "ci_low": d.mean() - half, "ci_high": d.mean() + half})


def winner_with_pivot(trials, fresh):
    table = fresh.pivot_table(index="trial", columns="seed", values="value")
    means = fresh.groupby("trial")["value"].mean().reindex(table.index)
    return int(means.sort_index().idxmax())


def summary_with_named_aggregation(orders, end):
    out = orders.groupby("customer_id").agg(n=("order_id", "nunique"), first=("t", "min"), last=("t", "max"))
    return pd.DataFrame(
        {"frequency": out["n"] - 1, "recency": out["last"] - out["first"], "T": end - out["first"]}
    ).astype({"frequency": "int32"})


RIGHT = {
    "programme_roi": [roi_with_plain_python],
    "break_even_period": [break_even_with_itertools],
    "paired_diff_ci": [paired_with_numpy_quantile],
    "fresh_seed_winner": [winner_with_pivot],
    "purchase_summary": [summary_with_named_aggregation],
}


@pytest.mark.parametrize(("name", "wrong_answer"), catalogue_ids(WRONG), ids=lambda x: getattr(x, "__name__", x))
def test_probe_wrong_answer_is_rejected(name, wrong_answer):
    assert_wrong(get_task(name), wrong_answer)


@pytest.mark.parametrize(("name", "right_answer"), catalogue_ids(RIGHT), ids=lambda x: getattr(x, "__name__", x))
def test_probe_other_correct_way_passes(name, right_answer):
    assert_right(get_task(name), right_answer)


def test_probe_catalogue_is_large_enough():
    assert sum(map(len, WRONG.values())) >= 40
    assert sum(map(len, RIGHT.values())) >= 5
