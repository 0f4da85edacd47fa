"""Probe catalogue for chapter 09: wrong answers the authors' catalogue does not list, and other
correct ways that must pass.

Each wrong answer is a slip a trainee plausibly makes (row order trusted, month boundaries moved by
rounding, a time-zone shift, a calendar-year month axis, a per-customer mean of ratios, integer
flags used as labels, a pooled two-sample interval, a bootstrap, ...); every one must be graded
"wrong" with a one-line message that shows no expected value. The right ones use other idioms
(final balances per customer, numpy, ``ttest_rel``) and must be graded "correct".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from catalogue import assert_right, assert_wrong, catalogue_ids
from scipy import stats

from sim.teach.tasks import get_task

_LABELS = ["issued", "redeemed", "expired", "outstanding"]
_CREDIT = ["earn", "check_in", "ranking"]
_CI = ["difference", "ci_low", "ci_high"]
_SB = ["naive_gap", "effect_on_members", "selection_bias"]


def _parts(points):
    kind, p = points["kind"], points["points"].astype(float)
    return float(p[kind.isin(_CREDIT)].sum()), -float(p[kind == "redeem"].sum()), -float(p[kind == "expire"].sum())


def _s(values, labels=_LABELS):
    return pd.Series([float(v) for v in values], index=labels, dtype="float64")


# --------------------------------------------------------------------------- points_totals


def totals_as_a_dict(points):
    i, r, e = _parts(points)
    return {"issued": i, "redeemed": r, "expired": e, "outstanding": i - r - e}


def totals_as_a_one_row_frame(points):
    i, r, e = _parts(points)
    return pd.DataFrame([[i, r, e, i - r - e]], columns=_LABELS)


def totals_with_absolute_issued(points):
    _, r, e = _parts(points)
    i = float(points["points"].abs().sum())
    return _s([i, r, e, i - r - e])


def outstanding_from_last_row_balance_per_customer_in_row_order(points):
    i, r, e = _parts(points)
    return _s([i, r, e, float(points.groupby("customer_id")["balance"].last().sum())])


def totals_without_duplicate_rows(points):
    return _s_from(points.drop_duplicates(["customer_id", "kind", "points"]))


def _s_from(points):
    i, r, e = _parts(points)
    return _s([i, r, e, i - r - e])


def totals_mean_not_sum(points):
    kind, p = points["kind"], points["points"].astype(float)
    i, r, e = p[kind.isin(_CREDIT)].mean(), -p[kind == "redeem"].mean(), -p[kind == "expire"].mean()
    return _s([i, r or 0.0, e or 0.0, i - (r or 0.0) - (e or 0.0)]).fillna(0.0)


def totals_labels_capitalised(points):
    i, r, e = _parts(points)
    return _s([i, r, e, i - r - e], ["Issued", "Redeemed", "Expired", "Outstanding"])


def totals_as_a_tuple(points):
    i, r, e = _parts(points)
    return (i, r, e, i - r - e)


# --------------------------------------------------------------------------- monthly_outstanding


def _running(points, month):
    net = points["points"].astype(float).groupby(month).sum()
    full = pd.period_range(month.min(), month.max(), freq="M")
    return net.reindex(full, fill_value=0.0).cumsum()


def months_after_rounding_dates_to_days(points):
    return _running(points, points["date"].dt.round("D").dt.to_period("M"))


def months_in_utc_from_shanghai_time(points):
    utc = points["date"].dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC").dt.tz_localize(None)
    return _running(points, utc.dt.to_period("M"))


def months_from_january_of_the_first_year(points):
    month = points["date"].dt.to_period("M")
    net = points["points"].astype(float).groupby(month).sum()
    full = pd.period_range(pd.Period(f"{month.min().year}-01", "M"), month.max(), freq="M")
    return net.reindex(full, fill_value=0.0).cumsum()


def month_of_year_only(points):
    month = points["date"].dt.month
    net = points["points"].astype(float).groupby(month).sum().cumsum()
    return pd.Series(net.to_numpy(), index=pd.PeriodIndex([pd.Period(f"2024-{m:02d}", "M") for m in net.index]))


def thirty_day_months_from_t(points):
    k = (points["t"] // 30).astype(int)
    net = points["points"].astype(float).groupby(k).sum()
    net = net.reindex(range(int(k.min()), int(k.max()) + 1), fill_value=0.0).cumsum()
    start = points["date"].min().to_period("M")
    return pd.Series(net.to_numpy(), index=pd.period_range(start, periods=len(net), freq="M"))


def running_total_in_row_order_of_first_appearance(points):
    month = points["date"].dt.to_period("M")
    net = points["points"].astype(float).groupby(month, sort=False).sum().cumsum()
    full = pd.period_range(month.min(), month.max(), freq="M")
    return net.reindex(full).ffill().fillna(0.0)


def month_labels_as_text(points):
    out = _running(points, points["date"].dt.to_period("M"))
    return pd.Series(out.to_numpy(), index=out.index.astype(str))


def last_month_dropped(points):
    return _running(points, points["date"].dt.to_period("M")).iloc[:-1]


def running_total_to_the_end_of_the_year(points):
    month = points["date"].dt.to_period("M")
    net = points["points"].astype(float).groupby(month).sum()
    full = pd.period_range(month.min(), pd.Period(f"{month.max().year}-12", "M"), freq="M")
    return net.reindex(full, fill_value=0.0).cumsum()


def credits_only_running_total(points):
    month = points["date"].dt.to_period("M")
    keep = points["kind"].isin(_CREDIT)
    net = points["points"].astype(float).where(keep, 0.0).groupby(month).sum()
    full = pd.period_range(month.min(), month.max(), freq="M")
    return net.reindex(full, fill_value=0.0).cumsum()


# --------------------------------------------------------------------------- liability


def liability_from_last_balance_per_customer_in_row_order(points, point_value):
    _, r, e = _parts(points)
    outstanding = float(points.groupby("customer_id")["balance"].last().sum())
    return outstanding * point_value * r / (r + e)


def liability_with_points_per_currency_unit(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) / point_value * r / (r + e)


def liability_share_in_percent(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) * point_value * 100 * r / (r + e)


def liability_share_as_a_mean_of_customer_ratios(points, point_value):
    i, r, e = _parts(points)
    by = points.assign(p=-points["points"].astype(float)).groupby("customer_id")
    red = by.apply(lambda g: g.loc[g["kind"] == "redeem", "p"].sum(), include_groups=False)
    exp = by.apply(lambda g: g.loc[g["kind"] == "expire", "p"].sum(), include_groups=False)
    share = (red / (red + exp)).dropna().mean()
    return float((i - r - e) * point_value * share)


def liability_with_the_stored_sign_of_expiries(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) * point_value * r / (r - e)


def liability_one_minus_expired_over_redeemed(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) * point_value * (1 - e / r)


def liability_minus_breakage_of_issued(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) * point_value * (1 - e / i)


def liability_as_an_int(points, point_value):
    i, r, e = _parts(points)
    return int((i - r - e) * point_value * r / (r + e))


def liability_in_points_times_share(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) * r / (r + e)


# --------------------------------------------------------------------------- breakage


def breakage_in_percent(points, redemption_rate):
    i, r, e = _parts(points)
    return 100 * (e + (i - r - e) * (1 - redemption_rate)) / i


def breakage_over_matured_and_outstanding(points, redemption_rate):
    i, r, e = _parts(points)
    return (e + (i - r - e) * (1 - redemption_rate)) / (i - r)


def breakage_everything_times_one_minus_rate(points, redemption_rate):
    i, r, e = _parts(points)
    return (e + (i - r - e)) * (1 - redemption_rate) / i


def breakage_only_from_the_rate(points, redemption_rate):
    return 1.0 - redemption_rate


def breakage_earn_and_check_in_only(points, redemption_rate):
    _, r, e = _parts(points)
    i = float(points.loc[points["kind"].isin(["earn", "check_in"]), "points"].sum())
    return (e + (i - r - e) * (1 - redemption_rate)) / i


def breakage_rounded_to_four_places(points, redemption_rate):
    i, r, e = _parts(points)
    return round((e + (i - r - e) * (1 - redemption_rate)) / i, 4)


def breakage_over_outstanding_plus_expired(points, redemption_rate):
    i, r, e = _parts(points)
    return (e + (i - r - e) * (1 - redemption_rate)) / (i - r + e) if (i - r + e) else 0.0


def breakage_from_row_counts(points, redemption_rate):
    k = points["kind"]
    i, r, e = float(k.isin(_CREDIT).sum()), float((k == "redeem").sum()), float((k == "expire").sum())
    return (e + (i - r - e) * (1 - redemption_rate)) / i


# --------------------------------------------------------------------------- paired_ci


def _out(mean, lo, hi):
    return pd.Series([float(mean), float(lo), float(hi)], index=_CI, dtype="float64")


def pooled_two_sample_interval(with_programme, without, confidence=0.95):
    a, b = with_programme.astype(float), without.astype(float)
    res = stats.ttest_ind(a, b, equal_var=True).confidence_interval(confidence)
    return _out(a.mean() - b.mean(), res.low, res.high)


def median_of_the_differences(with_programme, without, confidence=0.95):
    d = (with_programme - without.reindex(with_programme.index)).astype(float)
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return _out(d.median(), d.median() - half, d.median() + half)


def n_minus_two_degrees_of_freedom(with_programme, without, confidence=0.95):
    d = (with_programme - without.reindex(with_programme.index)).astype(float)
    half = stats.t.ppf(0.5 + confidence / 2, max(len(d) - 2, 1)) * d.std(ddof=1) / np.sqrt(len(d))
    return _out(d.mean(), d.mean() - half, d.mean() + half)


def confidence_taken_as_alpha(with_programme, without, confidence=0.95):
    d = (with_programme - without.reindex(with_programme.index)).astype(float)
    half = stats.t.ppf(1 - confidence / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return _out(d.mean(), d.mean() - abs(half), d.mean() + abs(half))


def bootstrap_percentile_interval(with_programme, without, confidence=0.95):
    d = (with_programme - without.reindex(with_programme.index)).astype(float).to_numpy()
    rng = np.random.default_rng(0)
    means = rng.choice(d, size=(2000, len(d))).mean(axis=1)
    lo, hi = np.quantile(means, [0.5 - confidence / 2, 0.5 + confidence / 2])
    return _out(d.mean(), lo, hi)


def labels_low_difference_high(with_programme, without, confidence=0.95):
    d = (with_programme - without.reindex(with_programme.index)).astype(float)
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return pd.Series([lo, d.mean(), hi], index=["ci_low", "difference", "ci_high"])


def interval_as_a_one_row_frame(with_programme, without, confidence=0.95):
    d = (with_programme - without.reindex(with_programme.index)).astype(float)
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return pd.DataFrame([[d.mean(), lo, hi]], columns=_CI)


def relative_difference_in_percent(with_programme, without, confidence=0.95):
    w = without.reindex(with_programme.index).astype(float)
    d = 100 * (with_programme.astype(float) - w) / w
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return _out(d.mean(), lo, hi)


# --------------------------------------------------------------------------- selection_bias


def member_flags_used_as_labels(with_programme, without, member):
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    if member.dtype == bool:
        m = member
    else:
        m = on.index.isin(member.index[member.to_numpy() != 0]) & (member.reindex(on.index) == member.max())
        m = pd.Series(np.asarray(member.to_numpy(), dtype=float) > 0.5, index=on.index) & ~pd.Series(m, on.index)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).mean()
    return pd.Series([naive, effect, naive - effect], index=_SB)


def membership_from_spend_threshold(with_programme, without, member):
    m = with_programme >= 1000
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).mean()
    return pd.Series([naive, effect, naive - effect], index=_SB)


def bias_as_a_share_of_the_naive_gap(with_programme, without, member):
    m = member.astype(bool)
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).mean()
    return pd.Series([naive, effect, (naive - effect) / naive], index=_SB)


def bias_as_the_pre_programme_gap(with_programme, without, member):
    m = member.astype(bool)
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).mean()
    return pd.Series([naive, effect, off[m].mean() - off[~m].mean()], index=_SB)


def effect_as_members_with_minus_everyone_without(with_programme, without, member):
    m = member.astype(bool)
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on[~m].mean()
    effect = on[m].mean() - off.mean()
    return pd.Series([naive, effect, naive - effect], index=_SB)


def effect_as_a_median(with_programme, without, member):
    m = member.astype(bool)
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).median()
    return pd.Series([naive, effect, naive - effect], index=_SB)


def selection_as_a_dict(with_programme, without, member):
    m = member.astype(bool)
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).mean()
    return {"naive_gap": naive, "effect_on_members": effect, "selection_bias": naive - effect}


def naive_gap_over_all_customers(with_programme, without, member):
    m = member.astype(bool)
    on, off = with_programme.astype(float), without.reindex(with_programme.index).astype(float)
    naive = on[m].mean() - on.mean()
    effect = (on[m] - off[m]).mean()
    return pd.Series([naive, effect, naive - effect], index=_SB)


WRONG = {
    "points_totals": [
        totals_as_a_dict,
        totals_as_a_one_row_frame,
        totals_with_absolute_issued,
        outstanding_from_last_row_balance_per_customer_in_row_order,
        totals_without_duplicate_rows,
        totals_mean_not_sum,
        totals_labels_capitalised,
        totals_as_a_tuple,
    ],
    "monthly_outstanding": [
        months_after_rounding_dates_to_days,
        months_in_utc_from_shanghai_time,
        months_from_january_of_the_first_year,
        month_of_year_only,
        thirty_day_months_from_t,
        running_total_in_row_order_of_first_appearance,
        month_labels_as_text,
        last_month_dropped,
        running_total_to_the_end_of_the_year,
        credits_only_running_total,
    ],
    "liability": [
        liability_from_last_balance_per_customer_in_row_order,
        liability_with_points_per_currency_unit,
        liability_share_in_percent,
        liability_share_as_a_mean_of_customer_ratios,
        liability_with_the_stored_sign_of_expiries,
        liability_one_minus_expired_over_redeemed,
        liability_minus_breakage_of_issued,
        liability_as_an_int,
        liability_in_points_times_share,
    ],
    "breakage": [
        breakage_in_percent,
        breakage_over_matured_and_outstanding,
        breakage_everything_times_one_minus_rate,
        breakage_only_from_the_rate,
        breakage_earn_and_check_in_only,
        breakage_rounded_to_four_places,
        breakage_over_outstanding_plus_expired,
        breakage_from_row_counts,
    ],
    "paired_ci": [
        pooled_two_sample_interval,
        median_of_the_differences,
        n_minus_two_degrees_of_freedom,
        confidence_taken_as_alpha,
        bootstrap_percentile_interval,
        labels_low_difference_high,
        interval_as_a_one_row_frame,
        relative_difference_in_percent,
    ],
    "selection_bias": [
        member_flags_used_as_labels,
        membership_from_spend_threshold,
        bias_as_a_share_of_the_naive_gap,
        bias_as_the_pre_programme_gap,
        effect_as_members_with_minus_everyone_without,
        effect_as_a_median,
        selection_as_a_dict,
        naive_gap_over_all_customers,
    ],
}


# --------------------------------------------------------------------------- other correct ways


def totals_from_each_customers_final_balance(points):
    i, r, e = _parts(points)
    final = points.groupby("customer_id")["points"].sum().sum()  # each customer's final balance
    return pd.Series({"issued": i, "redeemed": r, "expired": e, "outstanding": float(final)})


def totals_as_integers(points):
    i, r, e = _parts(points)
    return pd.Series([int(i), int(r), int(e), int(i - r - e)], index=_LABELS)


def monthly_with_pivot_and_cumsum(points):
    f = points.assign(month=points["date"].dt.to_period("M"))
    net = f.pivot_table(index="month", values="points", aggfunc="sum")["points"].astype(float)
    return net.reindex(pd.period_range(net.index.min(), net.index.max(), freq="M"), fill_value=0).cumsum()


def liability_with_numpy(points, point_value):
    p = points["points"].to_numpy(dtype=float)
    k = points["kind"].to_numpy(dtype=object)
    redeemed, expired = -p[k == "redeem"].sum(), -p[k == "expire"].sum()
    return np.float64(p.sum() * point_value * redeemed / (redeemed + expired))


def breakage_as_one_minus_expected_redemptions(points, redemption_rate):
    i, r, e = _parts(points)
    return 1 - (r + (i - r - e) * redemption_rate) / i


def paired_with_ttest_1samp(with_programme, without, confidence=0.95):
    d = with_programme - without.loc[with_programme.index]
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(confidence)
    return pd.Series({"difference": d.mean(), "ci_low": ci.low, "ci_high": ci.high})


def selection_with_merge(with_programme, without, member):
    f = pd.concat({"on": with_programme, "off": without, "m": member}, axis=1)
    f["m"] = f["m"].astype(bool)
    g = f.groupby("m")["on"].mean()
    effect = (f["on"] - f["off"])[f["m"]].mean()
    return pd.Series({"naive_gap": g[True] - g[False], "effect_on_members": effect,
                      "selection_bias": g[True] - g[False] - effect})  # fmt: skip


RIGHT = {
    "points_totals": [totals_from_each_customers_final_balance, totals_as_integers],
    "monthly_outstanding": [monthly_with_pivot_and_cumsum],
    "liability": [liability_with_numpy],
    "breakage": [breakage_as_one_minus_expected_redemptions],
    "paired_ci": [paired_with_ttest_1samp],
    "selection_bias": [selection_with_merge],
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


def breakage_from_last_balance_per_customer_in_row_order(points, redemption_rate):
    i, _, e = _parts(points)
    out = float(points.groupby("customer_id")["balance"].last().sum())
    return (e + out * (1 - redemption_rate)) / i


WRONG["breakage"].append(breakage_from_last_balance_per_customer_in_row_order)
