"""Wrong-answer catalogue for chapter 10: plausible mistakes the self-checks must reject.

ROI without the baseline, the recurring cost counted once, break-even off by one period, the CI of
unpaired means where the paired one is asked, the best *search* trial reported instead of the
fresh-seed winner, purchase times in weeks instead of days, ... Every one must be graded "wrong";
the notebook's solution must pass, its stub must be a stub, and other correct ways must pass.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from catalogue import chapter_tests
from scipy import stats

NOTEBOOK = "10_strategy_lab.ipynb"
NAMESPACE = {"pd": pd, "np": np, "stats": stats, "math": math}

_CI = ["diff", "ci_low", "ci_high"]

# notebook-like globals a trainee might read instead of the arguments
ONE_OFF, RECURRING = 15_000.0, 1_200.0


def _arr(x):
    return np.asarray(x, dtype=float)


# --------------------------------------------------------------------------- programme_roi


def roi_reference(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = one_off + recurring * len(t)
    return float("nan") if cost == 0 else (float(np.sum(t - _arr(baseline))) - cost) / cost


def roi_without_baseline(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = one_off + recurring * len(t)
    return float("nan") if cost == 0 else (float(t.sum()) - cost) / cost


def recurring_counted_once(treated, baseline, one_off, recurring):
    cost = one_off + recurring
    return float("nan") if cost == 0 else (float(np.sum(_arr(treated) - _arr(baseline))) - cost) / cost


def one_off_every_period(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = (one_off + recurring) * len(t)
    return float("nan") if cost == 0 else (float(np.sum(t - _arr(baseline))) - cost) / cost


def ignores_one_off(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = recurring * len(t)
    return float("nan") if cost == 0 else (float(np.sum(t - _arr(baseline))) - cost) / cost


def gain_over_cost(treated, baseline, one_off, recurring):
    # a ratio, not an ROI: forgets to take the cost off the gain
    t = _arr(treated)
    cost = one_off + recurring * len(t)
    return float("nan") if cost == 0 else float(np.sum(t - _arr(baseline))) / cost


def roi_in_percent(treated, baseline, one_off, recurring):
    return 100 * roi_reference(treated, baseline, one_off, recurring)


def mean_gain_per_period(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = one_off + recurring * len(t)
    return float("nan") if cost == 0 else (float(np.mean(t - _arr(baseline))) - cost) / cost


def baseline_minus_treated(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = one_off + recurring * len(t)
    return float("nan") if cost == 0 else (float(np.sum(_arr(baseline) - t)) - cost) / cost


def divides_by_gain(treated, baseline, one_off, recurring):
    gain = float(np.sum(_arr(treated) - _arr(baseline)))
    cost = one_off + recurring * len(_arr(treated))
    return float("nan") if gain == 0 else (gain - cost) / gain


def zero_instead_of_nan(treated, baseline, one_off, recurring):
    r = roi_reference(treated, baseline, one_off, recurring)
    return 0.0 if r != r else r


def aligns_series_by_label(treated, baseline, one_off, recurring):
    t = pd.Series(treated) if not isinstance(treated, pd.Series) else treated
    b = pd.Series(baseline) if not isinstance(baseline, pd.Series) else baseline
    cost = one_off + recurring * len(t)
    return float("nan") if cost == 0 else (float((t - b).sum()) - cost) / cost


def global_costs(treated, baseline, one_off, recurring):
    return roi_reference(treated, baseline, ONE_OFF, RECURRING)


def periods_minus_one(treated, baseline, one_off, recurring):
    t = _arr(treated)
    cost = one_off + recurring * (len(t) - 1)
    return float("nan") if cost == 0 else (float(np.sum(t - _arr(baseline))) - cost) / cost


# --------------------------------------------------------------------------- break_even_period


def _net(treated, baseline, one_off, recurring):
    gain = np.cumsum(_arr(treated) - _arr(baseline))
    k = np.arange(1, len(gain) + 1)
    return gain - (one_off + recurring * k)


def break_even_zero_based(treated, baseline, one_off, recurring):
    hit = np.flatnonzero(_net(treated, baseline, one_off, recurring) >= 0)
    return int(hit[0]) if len(hit) else float("nan")


def break_even_one_late(treated, baseline, one_off, recurring):
    hit = np.flatnonzero(_net(treated, baseline, one_off, recurring) >= 0)
    return int(hit[0]) + 2 if len(hit) else float("nan")


def strictly_positive(treated, baseline, one_off, recurring):
    hit = np.flatnonzero(_net(treated, baseline, one_off, recurring) > 0)
    return int(hit[0]) + 1 if len(hit) else float("nan")


def recurring_not_cumulated(treated, baseline, one_off, recurring):
    gain = np.cumsum(_arr(treated) - _arr(baseline))
    hit = np.flatnonzero(gain - (one_off + recurring) >= 0)
    return int(hit[0]) + 1 if len(hit) else float("nan")


def period_gain_not_cumulative(treated, baseline, one_off, recurring):
    gain = _arr(treated) - _arr(baseline)
    k = np.arange(1, len(gain) + 1)
    hit = np.flatnonzero(gain - (one_off + recurring * k) >= 0)
    return int(hit[0]) + 1 if len(hit) else float("nan")


def break_even_without_baseline(treated, baseline, one_off, recurring):
    return _reference_break_even(treated, np.zeros(len(_arr(treated))), one_off, recurring)


def _reference_break_even(treated, baseline, one_off, recurring):
    hit = np.flatnonzero(_net(treated, baseline, one_off, recurring) >= 0)
    return int(hit[0]) + 1 if len(hit) else float("nan")


def last_period_when_never(treated, baseline, one_off, recurring):
    r = _reference_break_even(treated, baseline, one_off, recurring)
    return len(_arr(treated)) if r != r else r


def zero_when_never(treated, baseline, one_off, recurring):
    r = _reference_break_even(treated, baseline, one_off, recurring)
    return 0 if r != r else r


def last_crossing(treated, baseline, one_off, recurring):
    net = _net(treated, baseline, one_off, recurring)
    ok = net >= 0
    hit = [i for i in range(len(ok)) if ok[i] and (i == 0 or not ok[i - 1])]
    return hit[-1] + 1 if hit else float("nan")


def fractional_break_even(treated, baseline, one_off, recurring):
    # interpolates within the period: a float, not the period number asked for
    net = _net(treated, baseline, one_off, recurring)
    hit = np.flatnonzero(net >= 0)
    if not len(hit):
        return float("nan")
    i = int(hit[0])
    prev = -(one_off) if i == 0 else net[i - 1]
    return float(i + (-prev) / (net[i] - prev)) if net[i] != prev else float(i + 1)


def float_period(treated, baseline, one_off, recurring):
    r = _reference_break_even(treated, baseline, one_off, recurring)
    return float(r)


def one_off_ignored_in_break_even(treated, baseline, one_off, recurring):
    return _reference_break_even(treated, baseline, 0.0, recurring)


# --------------------------------------------------------------------------- paired_diff_ci


def _ci_series(mean, half):
    return pd.Series([mean, mean - half, mean + half], index=_CI, dtype="float64")


def unpaired_welch(a, b, confidence=0.95):
    x, y = _arr(a), _arr(b)
    if len(x) < 2:
        return pd.Series([y.mean() - x.mean(), np.nan, np.nan], index=_CI)
    va, vb = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    dof = (va + vb) ** 2 / (va**2 / (len(x) - 1) + vb**2 / (len(y) - 1)) if va + vb > 0 else len(x) - 1
    return _ci_series(y.mean() - x.mean(), stats.t.ppf(0.5 + confidence / 2, dof) * math.sqrt(va + vb))


def normal_not_t(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.norm.ppf(0.5 + confidence / 2) * d.std(ddof=1) / math.sqrt(len(d)))


def population_sd(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=0) / math.sqrt(len(d)))


def a_minus_b(a, b, confidence=0.95):
    d = _arr(a) - _arr(b)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def ignores_confidence(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def one_sided_quantile(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(confidence, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def n_degrees_of_freedom(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d)) * d.std(ddof=1) / math.sqrt(len(d)))


def forgets_sqrt_n(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1))


def pairs_sorted_values(a, b, confidence=0.95):
    d = np.sort(_arr(b)) - np.sort(_arr(a))
    if len(d) < 2:
        return pd.Series([d.mean(), np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def pairs_by_label(a, b, confidence=0.95):
    a = a if isinstance(a, pd.Series) else pd.Series(a)
    b = b if isinstance(b, pd.Series) else pd.Series(b)
    d = (b - a).dropna().to_numpy(dtype=float)
    if len(d) < 2:
        return pd.Series([d.mean() if len(d) else np.nan, np.nan, np.nan], index=_CI)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def renamed_index(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else np.nan
    return pd.Series([d.mean(), d.mean() - half, d.mean() + half], index=["mean", "low", "high"])


def returns_a_tuple(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return (d.mean(), np.nan, np.nan)
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return (d.mean(), d.mean() - half, d.mean() + half)


def zero_width_for_one_seed(a, b, confidence=0.95):
    d = _arr(b) - _arr(a)
    if len(d) < 2:
        return _ci_series(d.mean(), 0.0)
    return _ci_series(d.mean(), stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


# --------------------------------------------------------------------------- fresh_seed_winner


def best_search_trial(trials, fresh):
    return int(trials.loc[trials["value"].idxmax(), "trial"])


def best_single_fresh_run(trials, fresh):
    return int(fresh.loc[fresh["value"].idxmax(), "trial"])


def sum_not_mean(trials, fresh):
    sums = fresh.groupby("trial")["value"].sum()
    return int(sums[sums == sums.max()].index.min())


def search_plus_fresh(trials, fresh):
    # pools the biased search score with the fresh runs
    pooled = pd.concat([fresh[["trial", "value"]], trials[trials["trial"].isin(fresh["trial"])]])
    means = pooled.groupby("trial")["value"].mean()
    return int(means[means == means.max()].index.min())


def smallest_mean(trials, fresh):
    means = fresh.groupby("trial")["value"].mean()
    return int(means[means == means.min()].index.min())


def position_not_trial(trials, fresh):
    means = fresh.groupby("trial")["value"].mean()
    return int(np.argmax(means.to_numpy()))


def first_row_order_on_tie(trials, fresh):
    means = fresh.groupby("trial", sort=False)["value"].mean()
    return int(means.idxmax())


def larger_trial_on_tie(trials, fresh):
    means = fresh.groupby("trial")["value"].mean()
    return int(means[means == means.max()].index.max())


def median_not_mean(trials, fresh):
    med = fresh.groupby("trial")["value"].median()
    return int(med[med == med.max()].index.min())


def returns_the_value(trials, fresh):
    return float(fresh.groupby("trial")["value"].mean().max())


def best_mean_over_search_and_fresh_rows(trials, fresh):
    # treats trials and fresh as one table of runs, so trials without fresh runs can win
    runs = pd.concat([trials[["trial", "value"]], fresh[["trial", "value"]]])
    means = runs.groupby("trial")["value"].mean()
    return int(means[means == means.max()].index.min())


def mean_of_seed_column(trials, fresh):
    means = fresh.groupby("seed")["value"].mean()
    return int(means.idxmax())


# --------------------------------------------------------------------------- purchase_summary


def _summary(orders, end, *, scale=1.0):
    g = orders.groupby("customer_id")["t"]
    first = g.min()
    return pd.DataFrame(
        {"frequency": (g.size() - 1).astype("int64"), "recency": (g.max() - first) / scale, "T": (end - first) / scale}
    )


def times_in_weeks(orders, end):
    return _summary(orders, end, scale=7.0)


def frequency_counts_first_order(orders, end):
    return _summary(orders, end).assign(frequency=lambda d: d["frequency"] + 1)


def recency_from_start(orders, end):
    g = orders.groupby("customer_id")["t"]
    return _summary(orders, end).assign(recency=g.max().astype(float))


def t_from_the_start(orders, end):
    return _summary(orders, end).assign(T=float(end))


def t_from_last_order(orders, end):
    g = orders.groupby("customer_id")["t"]
    return _summary(orders, end).assign(T=end - g.max())


def first_row_is_first_order(orders, end):
    g = orders.groupby("customer_id")["t"]
    first = g.first()
    return pd.DataFrame({"frequency": (g.size() - 1).astype("int64"), "recency": g.last() - first, "T": end - first})


def distinct_times(orders, end):
    # counts orders at the same time once (a period count), not what is asked
    g = orders.groupby("customer_id")["t"]
    return _summary(orders, end).assign(frequency=(g.nunique() - 1).astype("int64"))


def frequency_as_float(orders, end):
    return _summary(orders, end).astype({"frequency": "float64"})


def customer_as_column(orders, end):
    return _summary(orders, end).reset_index()


def unsorted_customers(orders, end):
    out = _summary(orders, end)
    order = pd.unique(orders["customer_id"])
    return out.loc[order]


def times_in_years(orders, end):
    return _summary(orders, end, scale=365.0)


def extra_monetary_column(orders, end):
    return _summary(orders, end).assign(monetary=orders.groupby("customer_id")["amount"].mean())


def adds_a_helper_column_to_input(orders, end):
    orders["first_t"] = orders.groupby("customer_id")["t"].transform("min")
    return _summary(orders, end)


WRONG = {
    "programme_roi": [
        roi_without_baseline,
        recurring_counted_once,
        one_off_every_period,
        ignores_one_off,
        gain_over_cost,
        roi_in_percent,
        mean_gain_per_period,
        baseline_minus_treated,
        divides_by_gain,
        zero_instead_of_nan,
        aligns_series_by_label,
        global_costs,
        periods_minus_one,
    ],
    "break_even_period": [
        break_even_zero_based,
        break_even_one_late,
        strictly_positive,
        recurring_not_cumulated,
        period_gain_not_cumulative,
        break_even_without_baseline,
        last_period_when_never,
        zero_when_never,
        last_crossing,
        fractional_break_even,
        float_period,
        one_off_ignored_in_break_even,
    ],
    "paired_diff_ci": [
        unpaired_welch,
        normal_not_t,
        population_sd,
        a_minus_b,
        ignores_confidence,
        one_sided_quantile,
        n_degrees_of_freedom,
        forgets_sqrt_n,
        pairs_sorted_values,
        pairs_by_label,
        renamed_index,
        returns_a_tuple,
        zero_width_for_one_seed,
    ],
    "fresh_seed_winner": [
        best_search_trial,
        best_single_fresh_run,
        sum_not_mean,
        search_plus_fresh,
        smallest_mean,
        position_not_trial,
        first_row_order_on_tie,
        larger_trial_on_tie,
        median_not_mean,
        returns_the_value,
        best_mean_over_search_and_fresh_rows,
        mean_of_seed_column,
    ],
    "purchase_summary": [
        times_in_weeks,
        frequency_counts_first_order,
        recency_from_start,
        t_from_the_start,
        t_from_last_order,
        first_row_is_first_order,
        distinct_times,
        frequency_as_float,
        customer_as_column,
        unsorted_customers,
        times_in_years,
        extra_monetary_column,
        adds_a_helper_column_to_input,
    ],
}


# --------------------------------------------------------------------------- other correct ways


def roi_with_a_loop(treated, baseline, one_off, recurring):
    gain, n = 0.0, 0
    for t, b in zip(list(treated), list(baseline), strict=True):
        gain += float(t) - float(b)
        n += 1
    cost = one_off + recurring * n
    return math.nan if cost == 0 else np.float64((gain - cost) / cost)


def roi_with_pandas(treated, baseline, one_off, recurring):
    d = pd.Series(list(treated), dtype=float) - pd.Series(list(baseline), dtype=float)
    cost = one_off + recurring * len(d)
    return float("nan") if cost == 0 else d.sum() / cost - 1


def break_even_with_a_loop(treated, baseline, one_off, recurring):
    total = -float(one_off)
    for k, (t, b) in enumerate(zip(list(treated), list(baseline), strict=True), start=1):
        total += float(t) - float(b) - recurring
        if total >= -1e-9 * max(1.0, abs(one_off)):
            return k
    return math.nan


def break_even_with_numpy_int(treated, baseline, one_off, recurring):
    net = np.cumsum(np.asarray(treated, dtype=float) - np.asarray(baseline, dtype=float) - recurring) - one_off
    hit = np.flatnonzero(net >= 0)
    return np.int64(hit[0] + 1) if len(hit) else np.nan


def paired_with_scipy(a, b, confidence=0.95):
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return pd.Series({"diff": d.mean(), "ci_low": np.nan, "ci_high": np.nan})
    low, high = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return pd.Series({"diff": d.mean(), "ci_low": low, "ci_high": high})


def paired_with_ttest(a, b, confidence=0.95):
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2:
        return pd.Series([float(np.mean(y - x)), np.nan, np.nan], index=_CI)
    ci = stats.ttest_rel(y, x).confidence_interval(confidence_level=confidence)
    return pd.Series([float(np.mean(y - x)), ci.low, ci.high], index=_CI)


def winner_with_sort(trials, fresh):
    means = fresh.groupby("trial")["value"].mean().reset_index()
    means = means.sort_values(["value", "trial"], ascending=[False, True])
    return int(means["trial"].iloc[0])


def winner_with_idxmax(trials, fresh):
    return int(fresh.groupby("trial")["value"].mean().sort_index().idxmax())


def summary_with_agg(orders, end):
    s = orders.groupby("customer_id")["t"].agg(["size", "min", "max"])
    return pd.DataFrame({"frequency": s["size"] - 1, "recency": s["max"] - s["min"], "T": end - s["min"]})


def summary_with_sorted_rows(orders, end):
    o = orders.sort_values(["customer_id", "t"])
    g = o.groupby("customer_id")["t"]
    out = pd.DataFrame({"frequency": g.count().astype("int32") - 1, "recency": g.last() - g.first()})
    out["T"] = end - g.first()
    return out


RIGHT = {
    "programme_roi": [roi_with_a_loop, roi_with_pandas],
    "break_even_period": [break_even_with_a_loop, break_even_with_numpy_int],
    "paired_diff_ci": [paired_with_scipy, paired_with_ttest],
    "fresh_seed_winner": [winner_with_sort, winner_with_idxmax],
    "purchase_summary": [summary_with_agg, summary_with_sorted_rows],
}

globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
