"""Wrong-answer catalogue for chapter 09: plausible mistakes the self-checks must reject.

The ledger mistakes a finance team meets: redemptions with the wrong sign, expired points counted as
redeemed, check-in or ranking credits left out, off-by-one months, a liability in points or without the
redemption share, breakage from the wrong base; and the analysis mistakes: an unpaired interval (the CI
of the wrong thing), a z instead of a t quantile, the naive member gap taken as the causal effect,
rows matched by position after a shuffle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from catalogue import chapter_tests
from scipy import stats

NOTEBOOK = "09_loyalty_programmes.ipynb"
NAMESPACE = {"pd": pd, "np": np, "stats": stats}

_LABELS = ["issued", "redeemed", "expired", "outstanding"]
_CREDIT = ["earn", "check_in", "ranking"]


def _parts(points):
    kind = points["kind"]
    issued = float(points.loc[kind.isin(_CREDIT), "points"].sum())
    redeemed = -float(points.loc[kind == "redeem", "points"].sum())
    expired = -float(points.loc[kind == "expire", "points"].sum())
    return issued, redeemed, expired


def _series(values, labels=_LABELS):
    return pd.Series([float(v) for v in values], index=labels, dtype="float64")


# --------------------------------------------------------------------------- points_totals


def outstanding_with_the_ledger_sign_of_redemptions(points):
    # redemptions subtracted with their (negative) ledger sign: they are added back
    i, r, e = _parts(points)
    return _series([i, r, e, i + r - e])


def expired_counted_as_redeemed(points):
    i, r, e = _parts(points)
    return _series([i, r + e, 0.0, i - r - e])


def earn_rows_only(points):
    _, r, e = _parts(points)
    i = float(points.loc[points["kind"] == "earn", "points"].sum())
    return _series([i, r, e, i - r - e])


def ranking_left_out(points):
    _, r, e = _parts(points)
    i = float(points.loc[points["kind"].isin(["earn", "check_in"]), "points"].sum())
    return _series([i, r, e, i - r - e])


def outstanding_ignores_expiry(points):
    i, r, e = _parts(points)
    return _series([i, r, e, i - r])


def issued_is_the_signed_sum(points):
    _, r, e = _parts(points)
    i = float(points["points"].sum())
    return _series([i, r, e, i - r - e])


def outstanding_from_the_last_row_balance(points):
    i, r, e = _parts(points)
    return _series([i, r, e, float(points["balance"].iloc[-1])])


def counts_rows_not_points(points):
    kind = points["kind"]
    i, r, e = int(kind.isin(_CREDIT).sum()), int((kind == "redeem").sum()), int((kind == "expire").sum())
    return _series([i, r, e, i - r - e])


def labels_in_another_order(points):
    i, r, e = _parts(points)
    return _series([i, e, r, i - r - e], ["issued", "expired", "redeemed", "outstanding"])


def outstanding_in_currency(points):
    i, r, e = _parts(points)
    return _series([i, r, e, (i - r - e) * 0.01])


# --------------------------------------------------------------------------- monthly_outstanding


def _month(points):
    return points["date"].dt.to_period("M")


def _full(net, month):
    return net.reindex(pd.period_range(month.min(), month.max(), freq="M"), fill_value=0.0)


def net_per_month_not_running(points):
    month = _month(points)
    return _full(points["points"].groupby(month).sum(), month)


def quiet_months_left_out(points):
    month = _month(points)
    return points["points"].groupby(month).sum().cumsum()


def month_start_not_end(points):
    # the balance at the start of each month: one month late
    month = _month(points)
    return _full(points["points"].groupby(month).sum(), month).cumsum().shift(1, fill_value=0.0)


def issued_only_running_total(points):
    month = _month(points)
    credits = points["points"].where(points["kind"].isin(_CREDIT), 0.0)
    return _full(credits.groupby(month).sum(), month).cumsum()


def last_balance_per_month_of_whoever(points):
    # the balance column of the month's last row: one customer's balance, not everybody's
    month = _month(points)
    last = points.sort_values("date").groupby(month)["balance"].last()
    return _full(last, month).replace(0.0, np.nan).ffill()


def rows_by_t_over_30(points):
    # months as 30-day blocks of t, labelled as calendar months
    block = (points["t"] // 30).astype(int)
    net = points["points"].groupby(block).sum()
    net = net.reindex(range(block.min(), block.max() + 1), fill_value=0.0).cumsum()
    start = points["date"].min().to_period("M")
    net.index = pd.period_range(start, periods=len(net), freq="M")
    return net


def redemptions_added(points):
    month = _month(points)
    return _full(points["points"].abs().groupby(month).sum(), month).cumsum()


def quarterly(points):
    q = points["date"].dt.to_period("Q")
    net = points["points"].groupby(q).sum()
    return net.reindex(pd.period_range(q.min(), q.max(), freq="Q"), fill_value=0.0).cumsum()


def month_labels_as_timestamps(points):
    month = _month(points)
    out = _full(points["points"].groupby(month).sum(), month).cumsum()
    out.index = out.index.to_timestamp()
    return out


# --------------------------------------------------------------------------- liability


def _out_share(points):
    i, r, e = _parts(points)
    return i - r - e, r / (r + e)


def liability_without_the_share(points, point_value):
    out, _ = _out_share(points)
    return float(out * point_value)


def liability_in_points(points, point_value):
    out, share = _out_share(points)
    return float(out * share)


def share_of_issued(points, point_value):
    i, r, e = _parts(points)
    return float((i - r - e) * point_value * r / i)


def expired_as_redeemed_share(points, point_value):
    out, _ = _out_share(points)
    return float(out * point_value * 1.0)


def breakage_share_instead(points, point_value):
    out, share = _out_share(points)
    return float(out * point_value * (1 - share))


def issued_instead_of_outstanding(points, point_value):
    i, _, _ = _parts(points)
    _, share = _out_share(points)
    return float(i * point_value * share)


def negative_liability(points, point_value):
    out, share = _out_share(points)
    return float(-out * point_value * share)


def share_from_row_counts(points, point_value):
    out, _ = _out_share(points)
    r, e = int((points["kind"] == "redeem").sum()), int((points["kind"] == "expire").sum())
    return float(out * point_value * r / (r + e))


def point_value_fixed_at_one_cent(points, point_value):
    out, share = _out_share(points)
    return float(out * 0.01 * share)


def rounded_to_cents(points, point_value):
    out, share = _out_share(points)
    return round(float(out * point_value * share), 2)


# --------------------------------------------------------------------------- breakage


def expired_over_issued(points, redemption_rate):
    i, _, e = _parts(points)
    return float(e / i)


def all_outstanding_counted_as_breakage(points, redemption_rate):
    i, r, e = _parts(points)
    return float((e + (i - r - e)) / i)


def one_minus_redeemed_over_issued(points, redemption_rate):
    i, r, _ = _parts(points)
    return float(1 - r / i)


def expired_share_of_matured(points, redemption_rate):
    # the ledger's own share instead of the given rate (NaN before anything matured)
    _, r, e = _parts(points)
    return float(e / (r + e)) if r + e else float("nan")


def rate_used_as_breakage_share(points, redemption_rate):
    i, r, e = _parts(points)
    return float((e + (i - r - e) * redemption_rate) / i)


def over_outstanding(points, redemption_rate):
    i, r, e = _parts(points)
    out = i - r - e
    return float((e + out * (1 - redemption_rate)) / out) if out else 0.0


def percent_not_share(points, redemption_rate):
    i, r, e = _parts(points)
    return float(100 * (e + (i - r - e) * (1 - redemption_rate)) / i)


def expected_redemption_instead_of_breakage(points, redemption_rate):
    i, r, e = _parts(points)
    return float((r + (i - r - e) * redemption_rate) / i)


def expired_left_out(points, redemption_rate):
    i, r, e = _parts(points)
    return float((i - r - e) * (1 - redemption_rate) / i)


def redemptions_with_the_ledger_sign(points, redemption_rate):
    # the redeem rows' sum is negative; taken as it is, outstanding grows instead of shrinking
    i, r, e = _parts(points)
    return float((e + (i + r - e) * (1 - redemption_rate)) / i)


# --------------------------------------------------------------------------- paired_ci


def _tq(confidence, n):
    return stats.t.ppf(0.5 + confidence / 2, n - 1)


def _ci(mean, half):
    return pd.Series([mean, mean - half, mean + half], index=["difference", "ci_low", "ci_high"], dtype="float64")


def unpaired_welch(with_programme, without, confidence=0.95):
    # the CI of the wrong thing: two independent groups, not paired replications
    res = stats.ttest_ind(with_programme, without, equal_var=False)
    ci = res.confidence_interval(confidence)
    return _ci(with_programme.mean() - without.mean(), (ci.high - ci.low) / 2)


def z_quantile(with_programme, without, confidence=0.95):
    d = with_programme - without
    return _ci(d.mean(), stats.norm.ppf(0.5 + confidence / 2) * d.std(ddof=1) / np.sqrt(len(d)))


def population_sd(with_programme, without, confidence=0.95):
    d = with_programme - without
    return _ci(d.mean(), _tq(confidence, len(d)) * d.std(ddof=0) / np.sqrt(len(d)))


def sd_not_standard_error(with_programme, without, confidence=0.95):
    d = with_programme - without
    return _ci(d.mean(), _tq(confidence, len(d)) * d.std(ddof=1))


def by_position(with_programme, without, confidence=0.95):
    d = pd.Series(with_programme.to_numpy() - without.to_numpy())
    return _ci(d.mean(), _tq(confidence, len(d)) * d.std(ddof=1) / np.sqrt(len(d)))


def without_minus_with(with_programme, without, confidence=0.95):
    d = without - with_programme
    return _ci(d.mean(), _tq(confidence, len(d)) * d.std(ddof=1) / np.sqrt(len(d)))


def ignores_confidence(with_programme, without, confidence=0.95):
    d = with_programme - without
    return _ci(d.mean(), _tq(0.95, len(d)) * d.std(ddof=1) / np.sqrt(len(d)))


def n_degrees_of_freedom(with_programme, without, confidence=0.95):
    d = with_programme - without
    n = len(d)
    return _ci(d.mean(), stats.t.ppf(0.5 + confidence / 2, n) * d.std(ddof=1) / np.sqrt(n))


def ci_of_the_treated_arm(with_programme, without, confidence=0.95):
    d = with_programme - without
    n = len(d)
    return _ci(d.mean(), _tq(confidence, n) * with_programme.std(ddof=1) / np.sqrt(n))


def one_sided_quantile(with_programme, without, confidence=0.95):
    d = with_programme - without
    n = len(d)
    return _ci(d.mean(), stats.t.ppf(confidence, n - 1) * d.std(ddof=1) / np.sqrt(n))


# --------------------------------------------------------------------------- selection_bias


def _sb(naive, effect):
    return pd.Series(
        [naive, effect, naive - effect], index=["naive_gap", "effect_on_members", "selection_bias"], dtype="float64"
    )


def naive_gap_as_the_effect(with_programme, without, member):
    m = member.astype(bool)
    naive = with_programme[m].mean() - with_programme[~m].mean()
    return _sb(naive, naive)


def effect_over_everyone(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = with_programme[m].mean() - with_programme[~m].mean()
    return _sb(naive, (with_programme - without).mean())


def members_with_vs_non_members_without(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = with_programme[m].mean() - with_programme[~m].mean()
    return _sb(naive, with_programme[m].mean() - without[~m].mean())


def matched_by_position(with_programme, without, member):
    m = member.astype(bool)
    naive = with_programme[m].mean() - with_programme[~m].mean()
    diff = with_programme.to_numpy() - without.to_numpy()
    return _sb(naive, diff[m.to_numpy()].mean())


def bias_as_a_ratio(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = with_programme[m].mean() - with_programme[~m].mean()
    effect = (with_programme[m] - without[m]).mean()
    return pd.Series([naive, effect, naive / effect], index=["naive_gap", "effect_on_members", "selection_bias"])


def naive_gap_in_the_world_without(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = without[m].mean() - without[~m].mean()
    return _sb(naive, (with_programme[m] - without[m]).mean())


def members_flag_ignored_for_effect(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = with_programme[m].mean() - with_programme[~m].mean()
    return _sb(naive, with_programme[m].mean() - without.mean())


def ratio_not_difference(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = with_programme[m].mean() / with_programme[~m].mean()
    effect = (with_programme[m] - without[m]).mean()
    return _sb(naive, effect)


def median_not_mean(with_programme, without, member):
    m = member.astype(bool)
    without = without.reindex(with_programme.index)
    naive = with_programme[m].median() - with_programme[~m].median()
    return _sb(naive, (with_programme[m] - without[m]).median())


WRONG = {
    "points_totals": [
        outstanding_with_the_ledger_sign_of_redemptions,
        expired_counted_as_redeemed,
        earn_rows_only,
        ranking_left_out,
        outstanding_ignores_expiry,
        issued_is_the_signed_sum,
        outstanding_from_the_last_row_balance,
        counts_rows_not_points,
        labels_in_another_order,
        outstanding_in_currency,
    ],
    "monthly_outstanding": [
        net_per_month_not_running,
        quiet_months_left_out,
        month_start_not_end,
        issued_only_running_total,
        last_balance_per_month_of_whoever,
        rows_by_t_over_30,
        redemptions_added,
        quarterly,
        month_labels_as_timestamps,
    ],
    "liability": [
        liability_without_the_share,
        liability_in_points,
        share_of_issued,
        expired_as_redeemed_share,
        breakage_share_instead,
        issued_instead_of_outstanding,
        negative_liability,
        share_from_row_counts,
        point_value_fixed_at_one_cent,
        rounded_to_cents,
    ],
    "breakage": [
        expired_over_issued,
        all_outstanding_counted_as_breakage,
        one_minus_redeemed_over_issued,
        expired_share_of_matured,
        rate_used_as_breakage_share,
        over_outstanding,
        percent_not_share,
        expected_redemption_instead_of_breakage,
        expired_left_out,
        redemptions_with_the_ledger_sign,
    ],
    "paired_ci": [
        unpaired_welch,
        z_quantile,
        population_sd,
        sd_not_standard_error,
        by_position,
        without_minus_with,
        ignores_confidence,
        n_degrees_of_freedom,
        ci_of_the_treated_arm,
        one_sided_quantile,
    ],
    "selection_bias": [
        naive_gap_as_the_effect,
        effect_over_everyone,
        members_with_vs_non_members_without,
        matched_by_position,
        bias_as_a_ratio,
        naive_gap_in_the_world_without,
        members_flag_ignored_for_effect,
        ratio_not_difference,
        median_not_mean,
    ],
}


# --------------------------------------------------------------------------- other correct ways


def totals_with_groupby(points):
    by_kind = points.groupby("kind")["points"].sum()
    issued = sum(float(by_kind.get(k, 0.0)) for k in _CREDIT)
    redeemed, expired = -float(by_kind.get("redeem", 0.0)), -float(by_kind.get("expire", 0.0))
    return pd.Series([issued, redeemed, expired, float(points["points"].sum())], index=_LABELS)


def totals_with_numpy(points):
    p = points["points"].to_numpy(dtype=float)
    k = points["kind"].to_numpy(dtype=object)
    issued = np.float64(p[np.isin(k, _CREDIT)].sum())
    redeemed = np.float64(-p[k == "redeem"].sum())
    expired = np.float64(-p[k == "expire"].sum())
    return pd.Series(np.array([issued, redeemed, expired, issued - redeemed - expired]), index=_LABELS)


def monthly_with_resample(points):
    daily = points.set_index("date")["points"].sort_index()
    out = daily.resample("MS").sum().cumsum()
    out.index = out.index.to_period("M")
    return out


def monthly_with_a_loop(points):
    month = points["date"].dt.to_period("M")
    total, rows = 0.0, {}
    for m in pd.period_range(month.min(), month.max(), freq="M"):
        total += float(points.loc[month == m, "points"].sum())
        rows[m] = total
    return pd.Series(rows)


def liability_from_sums(points, point_value):
    by_kind = points.groupby("kind")["points"].sum()
    r, e = -by_kind.get("redeem", 0.0), -by_kind.get("expire", 0.0)
    return np.float64(points["points"].sum() * point_value * r / (r + e))


def liability_as_a_fraction(points, point_value):
    i, r, e = _parts(points)
    return (i - r - e) * r / (r + e) * point_value


def breakage_from_expected_redemptions(points, redemption_rate):
    i, r, e = _parts(points)
    return 1 - (r + (i - r - e) * redemption_rate) / i


def breakage_with_numpy(points, redemption_rate):
    p = points["points"].to_numpy(dtype=float)
    k = points["kind"].to_numpy(dtype=object)
    expired = -p[k == "expire"].sum()
    issued = p[np.isin(k, _CREDIT)].sum()
    return np.float64((expired + p.sum() * (1 - redemption_rate)) / issued)


def paired_with_scipy(with_programme, without, confidence=0.95):
    d = (with_programme - without).astype(float)
    lo, hi = stats.t.interval(confidence, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    return pd.Series({"difference": d.mean(), "ci_low": lo, "ci_high": hi})


def paired_with_ttest_rel(with_programme, without, confidence=0.95):
    without = without.reindex(with_programme.index)
    ci = stats.ttest_rel(with_programme, without).confidence_interval(confidence)
    return pd.Series(
        [float((with_programme - without).mean()), ci.low, ci.high], index=["difference", "ci_low", "ci_high"]
    )


def selection_with_a_frame(with_programme, without, member):
    f = pd.DataFrame({"on": with_programme, "off": without, "m": member.astype(bool)})
    means = f.groupby("m")["on"].mean()
    naive = means[True] - means[False]
    effect = (f.loc[f["m"], "on"] - f.loc[f["m"], "off"]).mean()
    return pd.Series({"naive_gap": naive, "effect_on_members": effect, "selection_bias": naive - effect})


def selection_with_numpy(with_programme, without, member):
    on = with_programme.to_numpy(dtype=float)
    off = without.reindex(with_programme.index).to_numpy(dtype=float)
    m = member.reindex(with_programme.index).to_numpy().astype(bool)
    naive = on[m].mean() - on[~m].mean()
    effect = (on[m] - off[m]).mean()
    bias = on[m].mean() - on[~m].mean() - effect
    return pd.Series(np.array([naive, effect, bias]), index=["naive_gap", "effect_on_members", "selection_bias"])


RIGHT = {
    "points_totals": [totals_with_groupby, totals_with_numpy],
    "monthly_outstanding": [monthly_with_resample, monthly_with_a_loop],
    "liability": [liability_from_sums, liability_as_a_fraction],
    "breakage": [breakage_from_expected_redemptions, breakage_with_numpy],
    "paired_ci": [paired_with_scipy, paired_with_ttest_rel],
    "selection_bias": [selection_with_a_frame, selection_with_numpy],
}

globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
