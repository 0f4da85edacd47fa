"""Wrong-answer catalogue for chapter 08: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from catalogue import chapter_tests
from scipy import stats

NOTEBOOK = "08_communication_and_ab_tests.ipynb"
NAMESPACE = {"pd": pd, "np": np, "stats": stats, "math": math}

_FUNNEL = ["sent", "opened", "clicked", "converted", "open_rate", "click_rate", "convert_rate"]
_QUADRANTS = ["persuadable", "sure_thing", "lost_cause", "sleeping_dog"]


# --------------------------------------------------------------------------- funnel_rates


def _counts(contacts, by):
    g = contacts.groupby(by)
    return pd.DataFrame(
        {
            "sent": g.size().astype("int64"),
            "opened": g["opened"].sum().astype("int64"),
            "clicked": g["clicked"].sum().astype("int64"),
            "converted": g["converted"].sum().astype("int64"),
        }
    )


def funnel_reference(contacts, by="variant"):
    out = _counts(contacts, by)
    out["open_rate"] = out["opened"] / out["sent"]
    out["click_rate"] = out["clicked"] / out["opened"].where(out["opened"] > 0)
    out["convert_rate"] = out["converted"] / out["clicked"].where(out["clicked"] > 0)
    return out[_FUNNEL]


def every_rate_over_sent(contacts, by="variant"):
    out = _counts(contacts, by)
    for c, r in (("opened", "open_rate"), ("clicked", "click_rate"), ("converted", "convert_rate")):
        out[r] = out[c] / out["sent"]
    return out[_FUNNEL]


def convert_over_opened(contacts, by="variant"):
    out = funnel_reference(contacts, by)
    return out.assign(convert_rate=out["converted"] / out["opened"].where(out["opened"] > 0))


def click_over_sent(contacts, by="variant"):
    out = funnel_reference(contacts, by)
    return out.assign(click_rate=out["clicked"] / out["sent"])


def zero_instead_of_nan(contacts, by="variant"):
    return funnel_reference(contacts, by).fillna(0.0)


def counts_as_floats(contacts, by="variant"):
    return funnel_reference(contacts, by).astype(dict.fromkeys(("sent", "opened", "clicked", "converted"), float))


def ignores_by(contacts, by="variant"):
    return funnel_reference(contacts, "variant")


def percent_rates(contacts, by="variant"):
    out = funnel_reference(contacts, by)
    return out.assign(**{r: 100 * out[r] for r in ("open_rate", "click_rate", "convert_rate")})


def rounded_rates(contacts, by="variant"):
    return funnel_reference(contacts, by).round(3)


def best_variant_first(contacts, by="variant"):
    return funnel_reference(contacts, by).sort_values("convert_rate", ascending=False)


def group_as_a_column(contacts, by="variant"):
    return funnel_reference(contacts, by).reset_index()


def drops_groups_nobody_opened(contacts, by="variant"):
    out = funnel_reference(contacts, by)
    return out[out["opened"] > 0]


def sent_counts_opened(contacts, by="variant"):
    out = funnel_reference(contacts, by)
    return out.assign(sent=out["opened"], open_rate=1.0)


def adds_columns_to_input(contacts, by="variant"):
    contacts["n"] = 1
    g = contacts.groupby(by)
    out = pd.DataFrame({"sent": g["n"].sum()})
    for c in ("opened", "clicked", "converted"):
        out[c] = g[c].sum().astype("int64")
    out["open_rate"] = out["opened"] / out["sent"]
    out["click_rate"] = out["clicked"] / out["opened"].where(out["opened"] > 0)
    out["convert_rate"] = out["converted"] / out["clicked"].where(out["clicked"] > 0)
    return out[_FUNNEL]


def unconditional_click(contacts, by="variant"):
    # clicks counted only among the contacts that did not convert
    out = funnel_reference(contacts, by)
    return out.assign(clicked=out["clicked"] - out["converted"],
                      click_rate=(out["clicked"] - out["converted"]) / out["opened"].where(out["opened"] > 0))  # fmt: skip


def only_rates(contacts, by="variant"):
    return funnel_reference(contacts, by)[["open_rate", "click_rate", "convert_rate"]]


def mean_of_bools_per_step(contacts, by="variant"):
    # each rate as the plain mean of its flag: every rate over the contacts sent
    g = contacts.groupby(by)
    out = _counts(contacts, by)
    out["open_rate"] = g["opened"].mean()
    out["click_rate"] = g["clicked"].mean()
    out["convert_rate"] = g["converted"].mean()
    return out[_FUNNEL]


# --------------------------------------------------------------------------- two_proportion_z


def z_reference(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return float("nan") if se == 0 else (x_b / n_b - x_a / n_a) / se


def a_minus_b(x_a, n_a, x_b, n_b):
    z = z_reference(x_a, n_a, x_b, n_b)
    return -z


def absolute_z(x_a, n_a, x_b, n_b):
    return abs(z_reference(x_a, n_a, x_b, n_b))


def unpooled_se(x_a, n_a, x_b, n_b):
    pa, pb = x_a / n_a, x_b / n_b
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    return float("nan") if se == 0 else (pb - pa) / se


def pooled_by_averaging_rates(x_a, n_a, x_b, n_b):
    p = (x_a / n_a + x_b / n_b) / 2
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return float("nan") if se == 0 else (x_b / n_b - x_a / n_a) / se


def forgot_the_sqrt(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    var = p * (1 - p) * (1 / n_a + 1 / n_b)
    return float("nan") if var == 0 else (x_b / n_b - x_a / n_a) / var


def one_over_total(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) / (n_a + n_b))
    return float("nan") if se == 0 else (x_b / n_b - x_a / n_a) / se


def p_value_instead(x_a, n_a, x_b, n_b):
    z = z_reference(x_a, n_a, x_b, n_b)
    return z if z != z else float(2 * stats.norm.sf(abs(z)))


def zero_when_no_variance(x_a, n_a, x_b, n_b):
    z = z_reference(x_a, n_a, x_b, n_b)
    return 0.0 if z != z else z


def n_a_for_both(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (2 * n_a)
    se = math.sqrt(p * (1 - p) * (2 / n_a))
    return float("nan") if se == 0 else (x_b / n_a - x_a / n_a) / se


def continuity_corrected(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    if se == 0:
        return float("nan")
    d = x_b / n_b - x_a / n_a
    cc = 0.5 * (1 / n_a + 1 / n_b)
    return math.copysign(max(abs(d) - cc, 0.0), d) / se


def rounded_z(x_a, n_a, x_b, n_b):
    z = z_reference(x_a, n_a, x_b, n_b)
    return z if z != z else round(z, 2)


def significant_flag(x_a, n_a, x_b, n_b):
    z = z_reference(x_a, n_a, x_b, n_b)
    return z if z != z else float(abs(z) > 1.96)


def difference_not_z(x_a, n_a, x_b, n_b):
    z = z_reference(x_a, n_a, x_b, n_b)
    return z if z != z else x_b / n_b - x_a / n_a


def integer_division(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) // (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return float("nan") if se == 0 else (x_b / n_b - x_a / n_a) / se


def uses_the_package_test(x_a, n_a, x_b, n_b):
    from sim.analysis.abtest import two_proportion_test

    return float(two_proportion_test(x_a, n_a, x_b, n_b).z)


# --------------------------------------------------------------------------- cumulative_regret


def regret_reference(contacts):
    c = contacts.sort_values("t", kind="stable")
    return (c["true_best_convert_prob"] - c["true_convert_prob"]).cumsum().rename("cumulative_regret")


def not_sorted_by_time(contacts):
    return (contacts["true_best_convert_prob"] - contacts["true_convert_prob"]).cumsum()


def cumsum_then_sort(contacts):
    r = (contacts["true_best_convert_prob"] - contacts["true_convert_prob"]).cumsum()
    return r.loc[contacts.sort_values("t", kind="stable").index]


def total_only(contacts):
    return float(regret_reference(contacts).iloc[-1]) if len(contacts) else 0.0


def per_contact_not_running(contacts):
    c = contacts.sort_values("t", kind="stable")
    return c["true_best_convert_prob"] - c["true_convert_prob"]


def index_reset(contacts):
    return regret_reference(contacts).reset_index(drop=True)


def unstable_sort(contacts):
    c = contacts.sort_values(["t", "true_convert_prob"])
    return (c["true_best_convert_prob"] - c["true_convert_prob"]).cumsum()


def newest_first(contacts):
    c = contacts.sort_values("t", ascending=False, kind="stable")
    return (c["true_best_convert_prob"] - c["true_convert_prob"]).cumsum()


def sorted_but_labels_from_input(contacts):
    c = contacts.sort_values("t", kind="stable")
    r = (c["true_best_convert_prob"] - c["true_convert_prob"]).cumsum()
    return pd.Series(r.to_numpy(), index=contacts.index)


def running_mean(contacts):
    c = contacts.sort_values("t", kind="stable")
    r = c["true_best_convert_prob"] - c["true_convert_prob"]
    return r.expanding().mean()


def observed_instead_of_truth(contacts):
    c = contacts.sort_values("t", kind="stable")
    if "converted" in c:
        r = c["true_best_convert_prob"] - c["converted"].astype(float)
    else:
        r = c["true_best_convert_prob"] - c["true_convert_prob"]
    return r.cumsum()


def writes_regret_into_input(contacts):
    contacts["regret"] = contacts["true_best_convert_prob"] - contacts["true_convert_prob"]
    return contacts.sort_values("t", kind="stable")["regret"].cumsum()


def ratio_not_difference(contacts):
    c = contacts.sort_values("t", kind="stable")
    return (1 - c["true_convert_prob"] / c["true_best_convert_prob"]).cumsum()


def regret_of_best_only(contacts):
    c = contacts.sort_values("t", kind="stable")
    return c["true_best_convert_prob"].cumsum()


def uses_the_package_regret(contacts):
    from sim.analysis.abtest.bandit import regret

    return regret(contacts)["cumulative_regret"]


# --------------------------------------------------------------------------- quadrant_counts


def _flags(p_treated, p_control, threshold):
    return np.asarray(p_treated, dtype=float) >= threshold, np.asarray(p_control, dtype=float) >= threshold


def _series(counts):
    return pd.Series(counts, index=_QUADRANTS, dtype="int64")


def quadrants_reference(p_treated, p_control, threshold=0.5):
    t, c = _flags(p_treated, p_control, threshold)
    return _series([(t & ~c).sum(), (t & c).sum(), (~t & ~c).sum(), (~t & c).sum()])


def strictly_above(p_treated, p_control, threshold=0.5):
    t = np.asarray(p_treated, dtype=float) > threshold
    c = np.asarray(p_control, dtype=float) > threshold
    return _series([(t & ~c).sum(), (t & c).sum(), (~t & ~c).sum(), (~t & c).sum()])


def persuadables_and_sleeping_dogs_swapped(p_treated, p_control, threshold=0.5):
    t, c = _flags(p_treated, p_control, threshold)
    return _series([(~t & c).sum(), (t & c).sum(), (~t & ~c).sum(), (t & ~c).sum()])


def sure_things_and_lost_causes_swapped(p_treated, p_control, threshold=0.5):
    t, c = _flags(p_treated, p_control, threshold)
    return _series([(t & ~c).sum(), (~t & ~c).sum(), (t & c).sum(), (~t & c).sum()])


def by_sign_of_uplift(p_treated, p_control, threshold=0.5):
    u = np.asarray(p_treated, dtype=float) - np.asarray(p_control, dtype=float)
    c = np.asarray(p_control, dtype=float) >= threshold
    return _series([((u > 0) & ~c).sum(), ((u >= 0) & c).sum(), ((u <= 0) & ~c).sum(), ((u < 0) & c).sum()])


def ignores_threshold(p_treated, p_control, threshold=0.5):
    return quadrants_reference(p_treated, p_control, 0.5)


def drops_empty_quadrants(p_treated, p_control, threshold=0.5):
    s = quadrants_reference(p_treated, p_control, threshold)
    return s[s > 0]


def shares_not_counts(p_treated, p_control, threshold=0.5):
    s = quadrants_reference(p_treated, p_control, threshold)
    return s / s.sum() if s.sum() else s.astype(float)


def alphabetical_order(p_treated, p_control, threshold=0.5):
    return quadrants_reference(p_treated, p_control, threshold).sort_index()


def counts_as_floats_q(p_treated, p_control, threshold=0.5):
    return quadrants_reference(p_treated, p_control, threshold).astype(float)


def value_counts_order(p_treated, p_control, threshold=0.5):
    s = quadrants_reference(p_treated, p_control, threshold)
    return s.sort_values(ascending=False, kind="stable")


def threshold_on_uplift(p_treated, p_control, threshold=0.5):
    u = np.asarray(p_treated, dtype=float) - np.asarray(p_control, dtype=float)
    t = u >= 0
    c = np.asarray(p_control, dtype=float) >= threshold
    return _series([(t & ~c).sum(), (t & c).sum(), (~t & ~c).sum(), (~t & c).sum()])


def treated_and_control_swapped(p_treated, p_control, threshold=0.5):
    return quadrants_reference(p_control, p_treated, threshold)


def uses_the_package_quadrants(p_treated, p_control, threshold=0.5):
    from sim.analysis.uplift import uplift_quadrants

    if len(p_treated) == 0:
        return _series([0, 0, 0, 0])
    return uplift_quadrants(p_treated, p_control, threshold).value_counts().reindex(_QUADRANTS).astype("int64")


def uses_the_package_gain_curve(score, true_uplift, k):
    from sim.analysis.uplift import true_gain_curve

    if k == 0:
        return 0.0
    curve = true_gain_curve(score, true_uplift).curve
    return float(curve["gain"].iloc[min(k, len(curve)) - 1])


def dict_not_series(p_treated, p_control, threshold=0.5):
    return quadrants_reference(p_treated, p_control, threshold).to_dict()


# --------------------------------------------------------------------------- true_gain


def gain_reference(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    return float(u[np.argsort(-s, kind="stable")[:k]].sum())


def lowest_scores(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    return float(u[np.argsort(s, kind="stable")[:k]].sum())


def oracle_by_true_uplift(score, true_uplift, k):
    u = np.sort(np.asarray(true_uplift, dtype=float))[::-1]
    return float(u[:k].sum())


def mean_not_sum(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    top = u[np.argsort(-s, kind="stable")[:k]]
    return float(top.mean()) if len(top) else 0.0


def sum_of_scores(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    return float(np.sort(s)[::-1][:k].sum())


def one_too_many(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    return float(u[np.argsort(-s, kind="stable")[: k + 1]].sum())


def nlargest_keeps_last_tie(score, true_uplift, k):
    s = pd.Series(np.asarray(score, dtype=float))
    u = np.asarray(true_uplift, dtype=float)
    return float(u[s.nlargest(k, keep="last").index].sum()) if k else 0.0


def last_of_ties(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    order = np.argsort(s, kind="stable")[::-1]  # reversing an ascending sort puts the later tie first
    return float(u[order[:k]].sum())


def aligned_by_label(score, true_uplift, k):
    s = pd.Series(score)
    u = pd.Series(true_uplift)
    return float(u.loc[s.sort_values(ascending=False, kind="stable").index[:k]].sum())


def only_positive_uplift(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    top = u[np.argsort(-s, kind="stable")[:k]]
    return float(top[top > 0].sum())


def gain_minus_random(score, true_uplift, k):
    u = np.asarray(true_uplift, dtype=float)
    return gain_reference(score, true_uplift, k) - (k * u.mean() if len(u) else 0.0)


def share_of_top(score, true_uplift, k):
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    m = max(int(round(k / 100 * len(s))), 0)  # reads k as a percentage
    return float(u[np.argsort(-s, kind="stable")[:m]].sum())


def rounded_gain(score, true_uplift, k):
    return round(gain_reference(score, true_uplift, k), 2)


WRONG = {
    "funnel_rates": [every_rate_over_sent, convert_over_opened, click_over_sent, zero_instead_of_nan,
                     counts_as_floats, ignores_by, percent_rates, rounded_rates, best_variant_first,
                     group_as_a_column, drops_groups_nobody_opened, sent_counts_opened, adds_columns_to_input,
                     unconditional_click, only_rates, mean_of_bools_per_step],
    "two_proportion_z": [a_minus_b, absolute_z, unpooled_se, pooled_by_averaging_rates, forgot_the_sqrt,
                         one_over_total, p_value_instead, zero_when_no_variance, n_a_for_both, continuity_corrected,
                         rounded_z, significant_flag, difference_not_z, integer_division, uses_the_package_test],
    "cumulative_regret": [not_sorted_by_time, cumsum_then_sort, total_only, per_contact_not_running, index_reset,
                          unstable_sort, newest_first, sorted_but_labels_from_input, running_mean,
                          observed_instead_of_truth, writes_regret_into_input, ratio_not_difference,
                          regret_of_best_only, uses_the_package_regret],
    "quadrant_counts": [strictly_above, persuadables_and_sleeping_dogs_swapped, sure_things_and_lost_causes_swapped,
                        by_sign_of_uplift, ignores_threshold, drops_empty_quadrants, shares_not_counts,
                        alphabetical_order, counts_as_floats_q, value_counts_order, threshold_on_uplift,
                        treated_and_control_swapped, dict_not_series, uses_the_package_quadrants],
    "true_gain": [lowest_scores, oracle_by_true_uplift, mean_not_sum, sum_of_scores, one_too_many, nlargest_keeps_last_tie,
                  last_of_ties, aligned_by_label, only_positive_uplift, gain_minus_random, share_of_top,
                  rounded_gain, uses_the_package_gain_curve],
}  # fmt: skip


# =========================================================================== more wrong answers (issue 13 review)
# Tried by a reviewer after the chapter was written; see MORE_WRONG below. Where one first passed, the task
# gained the case that now rejects it.

_VARIANTS = ["evening|personal", "evening|plain", "morning|personal", "morning|plain"]


def _funnel(contacts, by, sort=True):
    g = contacts.groupby(by, sort=sort)
    out = pd.DataFrame({"sent": g.size().astype("int64"), "opened": g["opened"].sum().astype("int64"),
                        "clicked": g["clicked"].sum().astype("int64"), "converted": g["converted"].sum().astype("int64")})  # fmt: skip
    out["open_rate"] = out["opened"] / out["sent"]
    out["click_rate"] = out["clicked"] / out["opened"].where(out["opened"] > 0)
    out["convert_rate"] = out["converted"] / out["clicked"].where(out["clicked"] > 0)
    return out[_FUNNEL]


def groups_in_order_of_appearance(contacts, by="variant"):
    return _funnel(contacts, by, sort=False)


def overall_rates_for_every_group(contacts, by="variant"):
    out = _funnel(contacts, by)
    o, c, v = contacts["opened"].sum(), contacts["clicked"].sum(), contacts["converted"].sum()
    return out.assign(
        open_rate=o / len(contacts), click_rate=c / o if o else np.nan, convert_rate=v / c if c else np.nan
    )


def fixed_variant_list(contacts, by="variant"):
    out = _funnel(contacts, by)
    return out.reindex(_VARIANTS) if by == "variant" else out


def drops_duplicate_rows(contacts, by="variant"):
    return _funnel(contacts.drop_duplicates(), by)


def open_rate_over_all_contacts(contacts, by="variant"):
    out = _funnel(contacts, by)
    return out.assign(open_rate=out["opened"] / len(contacts))


def clicks_of_unopened_count(contacts, by="variant"):
    out = _funnel(contacts, by)
    return out.assign(click_rate=out["clicked"] / out["sent"].where(out["opened"] > 0))


def sample_variance_n_minus_one(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / (n_a - 1) + 1 / (n_b - 1)))
    return (x_b / n_b - x_a / n_a) / se if se else float("nan")


def se_from_a_only(x_a, n_a, x_b, n_b):
    p = x_a / n_a
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return (x_b / n_b - x_a / n_a) / se if se else float("nan")


def arguments_read_as_x_x_n_n(x_a, x_b, n_a, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b)) if 0 <= p <= 1 else 0.0
    return (x_b / n_b - x_a / n_a) / se if se else float("nan")


def no_guard_for_zero_se(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    return (x_b / n_b - x_a / n_a) / math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))


def t_test_on_zero_one_arrays(x_a, n_a, x_b, n_b):
    a = np.r_[np.ones(x_a), np.zeros(n_a - x_a)]
    b = np.r_[np.ones(x_b), np.zeros(n_b - x_b)]
    return float(stats.ttest_ind(b, a).statistic)


def chi_square_not_z(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return ((x_b / n_b - x_a / n_a) / se) ** 2 if se else float("nan")


def relative_lift_over_se(x_a, n_a, x_b, n_b):
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return ((x_b / n_b) / (x_a / n_a) - 1) / se if se and x_a else float("nan")


def default_sort(contacts):
    o = contacts.sort_values("t")
    return (o["true_best_convert_prob"] - o["true_convert_prob"]).cumsum().rename("cumulative_regret")


def sorted_by_label(contacts):
    o = contacts.sort_index()
    return (o["true_best_convert_prob"] - o["true_convert_prob"]).cumsum().rename("cumulative_regret")


def cumsum_per_variant(contacts):
    o = contacts.sort_values("t", kind="stable")
    r = o["true_best_convert_prob"] - o["true_convert_prob"]
    return (r.groupby(o["variant"]).cumsum() if "variant" in o else r.cumsum()).rename("cumulative_regret")


def frame_not_series_regret(contacts):
    o = contacts.sort_values("t", kind="stable")
    return (o["true_best_convert_prob"] - o["true_convert_prob"]).cumsum().to_frame("cumulative_regret")


def best_of_the_table(contacts):
    o = contacts.sort_values("t", kind="stable")
    return (o["true_convert_prob"].max() - o["true_convert_prob"]).cumsum().rename("cumulative_regret")


def ties_by_contact_id(contacts):
    keys = ["t", "contact_id"] if "contact_id" in contacts else ["t"]
    o = contacts.sort_values(keys, kind="stable")
    return (o["true_best_convert_prob"] - o["true_convert_prob"]).cumsum().rename("cumulative_regret")


def regret_best_of_each_time(contacts):
    o = contacts.sort_values("t", kind="stable")
    best = o.groupby("t")["true_convert_prob"].transform("max")
    return (best - o["true_convert_prob"]).cumsum().rename("cumulative_regret")


def _q(t, c):
    return pd.Series([(t & ~c).sum(), (t & c).sum(), (~t & ~c).sum(), (~t & c).sum()], index=_QUADRANTS, dtype="int64")


def strict_on_control_only(p_treated, p_control, threshold=0.5):
    return _q(np.asarray(p_treated, dtype=float) >= threshold, np.asarray(p_control, dtype=float) > threshold)


def plural_labels(p_treated, p_control, threshold=0.5):
    out = _q(np.asarray(p_treated, dtype=float) >= threshold, np.asarray(p_control, dtype=float) >= threshold)
    out.index = ["persuadables", "sure_things", "lost_causes", "sleeping_dogs"]
    return out


def crosstab_lookup(p_treated, p_control, threshold=0.5):
    t = np.asarray(p_treated, dtype=float) >= threshold
    c = np.asarray(p_control, dtype=float) >= threshold
    tab = pd.crosstab(t, c)
    cells = [(True, False), (True, True), (False, False), (False, True)]
    return pd.Series([int(tab.loc[a, b]) for a, b in cells], index=_QUADRANTS, dtype="int64")


def rounded_probabilities(p_treated, p_control, threshold=0.5):
    return _q(np.round(np.asarray(p_treated, dtype=float), 1) >= threshold,
              np.round(np.asarray(p_control, dtype=float), 1) >= threshold)  # fmt: skip


def default_threshold_quarter(p_treated, p_control, threshold=0.25):
    return _q(np.asarray(p_treated, dtype=float) >= threshold, np.asarray(p_control, dtype=float) >= threshold)


def clips_input(p_treated, p_control, threshold=0.5):
    if isinstance(p_treated, pd.Series):
        p_treated[p_treated < threshold] = 0.0
    return _q(np.asarray(p_treated, dtype=float) >= threshold, np.asarray(p_control, dtype=float) >= threshold)


def _su(score, true_uplift):
    return np.asarray(score, dtype=float), np.asarray(true_uplift, dtype=float)


def k_as_percent(score, true_uplift, k):
    s, u = _su(score, true_uplift)
    n = int(round(len(s) * k / 100))
    return float(u[np.argsort(-s, kind="stable")[:n]].sum())


def positive_scores_not_k(score, true_uplift, k):
    s, u = _su(score, true_uplift)
    return float(u[s > 0].sum())


def k_minus_one(score, true_uplift, k):
    s, u = _su(score, true_uplift)
    return float(u[np.argsort(-s, kind="stable")[: max(0, k - 1)]].sum())


def swapped_arguments(score, true_uplift, k):
    u, s = _su(score, true_uplift)
    return float(u[np.argsort(-s, kind="stable")[:k]].sum())


def tail_of_ascending_sort(score, true_uplift, k):
    s, u = _su(score, true_uplift)
    return float(u[np.argsort(s, kind="stable")[-k:]].sum())


def default_quicksort(score, true_uplift, k):
    s, u = _su(score, true_uplift)
    return float(u[np.argsort(-s)[:k]].sum())


def gain_times_k(score, true_uplift, k):
    s, u = _su(score, true_uplift)
    return float(u[np.argsort(-s, kind="stable")[:k]].mean() * k) if k else 0.0


MORE_WRONG = {
    "funnel_rates": [
        groups_in_order_of_appearance,
        overall_rates_for_every_group,
        fixed_variant_list,
        drops_duplicate_rows,
        open_rate_over_all_contacts,
        clicks_of_unopened_count,
    ],
    "two_proportion_z": [
        sample_variance_n_minus_one,
        se_from_a_only,
        arguments_read_as_x_x_n_n,
        no_guard_for_zero_se,
        t_test_on_zero_one_arrays,
        chi_square_not_z,
        relative_lift_over_se,
    ],
    "cumulative_regret": [
        default_sort,
        sorted_by_label,
        cumsum_per_variant,
        frame_not_series_regret,
        best_of_the_table,
        ties_by_contact_id,
        regret_best_of_each_time,
    ],
    "quadrant_counts": [
        strict_on_control_only,
        plural_labels,
        crosstab_lookup,
        rounded_probabilities,
        default_threshold_quarter,
        clips_input,
    ],
    "true_gain": [
        k_as_percent,
        positive_scores_not_k,
        k_minus_one,
        swapped_arguments,
        tail_of_ascending_sort,
        default_quicksort,
        gain_times_k,
    ],
}
for _task, _funcs in MORE_WRONG.items():
    WRONG[_task] = WRONG[_task] + _funcs
del _task, _funcs


# =========================================================================== other correct ways


def funnel_with_agg(contacts, by="variant"):
    out = contacts.groupby(by).agg(
        sent=("opened", "size"), opened=("opened", "sum"), clicked=("clicked", "sum"), converted=("converted", "sum")
    )
    out = out.astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["open_rate"] = out["opened"] / out["sent"]
        out["click_rate"] = np.where(out["opened"] > 0, out["clicked"] / out["opened"].clip(lower=1), np.nan)
        out["convert_rate"] = np.where(out["clicked"] > 0, out["converted"] / out["clicked"].clip(lower=1), np.nan)
    return out


def funnel_with_a_loop(contacts, by="variant"):
    rows = {}
    for key, g in contacts.groupby(by):
        sent, opened, clicked, converted = (
            len(g),
            int(g["opened"].sum()),
            int(g["clicked"].sum()),
            int(g["converted"].sum()),
        )
        rows[key] = {
            "sent": sent, "opened": opened, "clicked": clicked, "converted": converted,
            "open_rate": opened / sent,
            "click_rate": clicked / opened if opened else float("nan"),
            "convert_rate": converted / clicked if clicked else float("nan"),
        }  # fmt: skip
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out.astype({"sent": "int64", "opened": "int64", "clicked": "int64", "converted": "int64"})


def z_with_numpy(x_a, n_a, x_b, n_b):
    rates = np.array([x_a / n_a, x_b / n_b])
    pooled = np.float64(x_a + x_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return np.float64(np.nan) if se == 0 else (rates[1] - rates[0]) / se


def z_with_statsmodels(x_a, n_a, x_b, n_b):
    from statsmodels.stats.proportion import proportions_ztest

    if x_a + x_b in (0, n_a + n_b):
        return float("nan")
    z, _ = proportions_ztest([x_b, x_a], [n_b, n_a])
    return float(z)


def regret_with_numpy(contacts):
    order = np.argsort(contacts["t"].to_numpy(), kind="mergesort")
    c = contacts.iloc[order]
    values = np.cumsum(c["true_best_convert_prob"].to_numpy() - c["true_convert_prob"].to_numpy())
    return pd.Series(values, index=c.index, name="regret")


def regret_with_assign(contacts):
    return (
        contacts.assign(r=contacts["true_best_convert_prob"] - contacts["true_convert_prob"])
        .sort_values("t", kind="stable")["r"]
        .cumsum()
    )


def quadrants_with_where(p_treated, p_control, threshold=0.5):
    t = pd.Series(list(p_treated), dtype=float) >= threshold
    c = pd.Series(list(p_control), dtype=float) >= threshold
    label = np.select([t & ~c, t & c, ~t & ~c], ["persuadable", "sure_thing", "lost_cause"], "sleeping_dog")
    return pd.Series(label).value_counts().reindex(_QUADRANTS, fill_value=0).astype("int64")


def quadrants_with_a_loop(p_treated, p_control, threshold=0.5):
    counts = dict.fromkeys(_QUADRANTS, 0)
    for pt, pc in zip(p_treated, p_control, strict=True):
        if pt >= threshold:
            counts["sure_thing" if pc >= threshold else "persuadable"] += 1
        else:
            counts["sleeping_dog" if pc >= threshold else "lost_cause"] += 1
    return pd.Series(counts, dtype="int64")


def gain_with_pandas(score, true_uplift, k):
    frame = pd.DataFrame({"s": np.asarray(score, dtype=float), "u": np.asarray(true_uplift, dtype=float)})
    return float(frame.sort_values("s", ascending=False, kind="stable").head(k)["u"].sum())


def gain_with_sorted(score, true_uplift, k):
    pairs = sorted(enumerate(zip(list(score), list(true_uplift), strict=True)), key=lambda x: (-x[1][0], x[0]))
    return float(sum(u for _, (_, u) in pairs[:k]))


RIGHT = {
    "funnel_rates": [funnel_with_agg, funnel_with_a_loop],
    "two_proportion_z": [z_with_numpy, z_with_statsmodels],
    "cumulative_regret": [regret_with_numpy, regret_with_assign],
    "quadrant_counts": [quadrants_with_where, quadrants_with_a_loop],
    "true_gain": [gain_with_pandas, gain_with_sorted],
}

globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
