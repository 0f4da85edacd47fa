"""Wrong-answer catalogue for chapter 03: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catalogue import chapter_tests

NOTEBOOK = "03_value_and_segmentation.ipynb"
NAMESPACE = {"pd": pd, "np": np}

# Notebook-like globals a trainee might read instead of the arguments.
table = pd.DataFrame(
    {"recency_days": [3.0, 40.0, 200.0], "frequency": [5, 2, 1], "monetary": [80.0, 120.0, 60.0],
     "revenue": [400.0, 240.0, 60.0]},
    index=pd.Index([1, 2, 3], name="customer_id"),
)  # fmt: skip
BINS = 5
WEIGHTS = (1.0, 1.0, 1.0)

_COLS = ["recency_days", "frequency", "monetary"]


# --------------------------------------------------------------------------- recency_score


def _qcut(ranks, bins):
    return pd.qcut(ranks, bins, labels=list(range(1, bins + 1))).astype(int)


def not_reversed(recency_days, bins=5):
    ranks = recency_days.sort_index().rank(method="first")
    return _qcut(ranks, bins).reindex(recency_days.index)


def qcut_on_the_days(recency_days, bins=5):
    return pd.qcut(-recency_days, bins, labels=list(range(1, bins + 1)), duplicates="drop").astype(int)


def ties_in_row_order(recency_days, bins=5):
    return _qcut((-recency_days).rank(method="first"), bins)


def ties_averaged(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="average")
    return pd.qcut(ranks, bins, labels=False, duplicates="drop").add(1).reindex(recency_days.index)


def ties_larger_id_lower(recency_days, bins=5):
    ranks = (-recency_days.sort_index(ascending=False)).rank(method="first")
    return _qcut(ranks, bins).reindex(recency_days.index)


def labels_from_zero(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return pd.qcut(ranks, bins, labels=False).reindex(recency_days.index)


def ceil_of_rank_share(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return np.ceil(ranks * bins / len(ranks)).astype(int).reindex(recency_days.index)


def equal_width_bins(recency_days, bins=5):
    return pd.cut(-recency_days, bins, labels=list(range(1, bins + 1))).astype(int)


def six_minus_score(recency_days, bins=5):
    ranks = recency_days.sort_index().rank(method="first")
    return (6 - _qcut(ranks, bins)).reindex(recency_days.index)


def global_bins(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return _qcut(ranks, BINS).reindex(recency_days.index)


def sorted_by_id(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return _qcut(ranks, bins)


def index_reset(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return _qcut(ranks, bins).reindex(recency_days.index).reset_index(drop=True)


def categorical_labels(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return pd.qcut(ranks, bins, labels=list(range(1, bins + 1))).reindex(recency_days.index)


def percentile_rank_times_bins(recency_days, bins=5):
    pct = (-recency_days.sort_index()).rank(method="first", pct=True)
    return (pct * bins).round().clip(1, bins).astype(int).reindex(recency_days.index)


# --------------------------------------------------------------------------- weighted_rfm_spearman


def _total(scores, weights):
    w_r, w_f, w_m = weights
    return w_r * scores["r_score"] + w_f * scores["f_score"] + w_m * scores["m_score"]


def _both(scores, value, weights):
    return pd.concat([_total(scores, weights).rename("t"), value.rename("v")], axis=1, join="inner").dropna()


def pearson(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(both["t"].corr(both["v"]))


def kendall(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(both["t"].corr(both["v"], method="kendall"))


def by_position(scores, value, weights=(1.0, 1.0, 1.0)):
    t = _total(scores, weights).to_numpy()
    v = value.to_numpy()[: len(t)]
    return float(pd.Series(t).corr(pd.Series(v), method="spearman"))


def ignores_weights(scores, value, weights=(1.0, 1.0, 1.0)):
    return float(_both(scores, value, (1, 1, 1)).corr(method="spearman").iloc[0, 1])


def global_weights(scores, value, weights=(1.0, 1.0, 1.0)):
    return float(_both(scores, value, WEIGHTS).corr(method="spearman").iloc[0, 1])


def weights_reversed(scores, value, weights=(1.0, 1.0, 1.0)):
    return float(_both(scores, value, weights[::-1]).corr(method="spearman").iloc[0, 1])


def recency_flipped_again(scores, value, weights=(1.0, 1.0, 1.0)):
    flipped = scores.assign(r_score=6 - scores["r_score"])
    return float(_both(flipped, value, weights).corr(method="spearman").iloc[0, 1])


def rfm_code_as_number(scores, value, weights=(1.0, 1.0, 1.0)):
    code = 100 * scores["r_score"] + 10 * scores["f_score"] + scores["m_score"]
    both = pd.concat([code.rename("t"), value.rename("v")], axis=1, join="inner").dropna()
    return float(both["t"].corr(both["v"], method="spearman"))


def missing_value_as_zero(scores, value, weights=(1.0, 1.0, 1.0)):
    both = pd.concat([_total(scores, weights).rename("t"), value.fillna(0).rename("v")], axis=1, join="inner")
    return float(both["t"].corr(both["v"], method="spearman"))


def customers_without_scores_as_zero(scores, value, weights=(1.0, 1.0, 1.0)):
    t = _total(scores, weights).reindex(value.index, fill_value=0)
    both = pd.concat([t.rename("t"), value.rename("v")], axis=1).dropna()
    return float(both["t"].corr(both["v"], method="spearman"))


def ranks_first_then_pearson(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(both["t"].rank(method="first").corr(both["v"].rank(method="first")))


def r_squared(scores, value, weights=(1.0, 1.0, 1.0)):
    return float(_both(scores, value, weights).corr(method="spearman").iloc[0, 1] ** 2)


def weights_divide(scores, value, weights=(1.0, 1.0, 1.0)):
    w_r, w_f, w_m = (w if w else 1e-9 for w in weights)
    total = scores["r_score"] / w_r + scores["f_score"] / w_f + scores["m_score"] / w_m
    both = pd.concat([total.rename("t"), value.rename("v")], axis=1, join="inner").dropna()
    return float(both["t"].corr(both["v"], method="spearman"))


def two_decimals(scores, value, weights=(1.0, 1.0, 1.0)):
    return round(float(_both(scores, value, weights).corr(method="spearman").iloc[0, 1]), 2)


# --------------------------------------------------------------------------- standardise_rfm


def _x(t, log_monetary):
    x = t[_COLS].astype(float)
    if log_monetary:
        x["monetary"] = np.log1p(x["monetary"])
    return x


def _z(x, ddof=0):
    sd = x.std(ddof=ddof)
    return (x - x.mean()) / sd.where(sd > 0, 1.0)


def sample_std(table, log_monetary=True):
    return _z(_x(table, log_monetary), ddof=1)


def plain_log_monetary(table, log_monetary=True):
    x = table[_COLS].astype(float)
    if log_monetary:
        x["monetary"] = np.log(x["monetary"])
    return _z(x)


def always_log(table, log_monetary=True):
    return _z(_x(table, True))


def never_log(table, log_monetary=True):
    return _z(_x(table, False))


def log_after_scaling(table, log_monetary=True):
    z = _z(_x(table, False))
    if log_monetary:
        z["monetary"] = np.log1p(z["monetary"].abs())
    return z


def min_max(table, log_monetary=True):
    x = _x(table, log_monetary)
    span = (x.max() - x.min()).where(lambda s: s > 0, 1.0)
    return (x - x.min()) / span


def only_centred(table, log_monetary=True):
    x = _x(table, log_monetary)
    return x - x.mean()


def divided_by_mean(table, log_monetary=True):
    x = _x(table, log_monetary)
    return x / x.mean()


def keeps_revenue(table, log_monetary=True):
    x = table[[*_COLS, "revenue"]].astype(float)
    if log_monetary:
        x["monetary"] = np.log1p(x["monetary"])
    return _z(x)


def logs_the_input(table, log_monetary=True):
    if log_monetary:
        table["monetary"] = np.log1p(table["monetary"])
    return _z(table[_COLS].astype(float))


def constant_column_nan(table, log_monetary=True):
    x = _x(table, log_monetary)
    return (x - x.mean()) / x.std(ddof=0)


def reads_the_global(table_arg, log_monetary=True):
    return _z(_x(table, log_monetary))


def recency_reversed(table, log_monetary=True):
    z = _z(_x(table, log_monetary))
    return z.assign(recency_days=-z["recency_days"])


def as_an_array(table, log_monetary=True):
    return _z(_x(table, log_monetary)).to_numpy()


def sorted_rows(table, log_monetary=True):
    return _z(_x(table, log_monetary)).sort_index()


# --------------------------------------------------------------------------- rule_metrics

_M = ["support", "confidence", "lift"]


def _sets(baskets):
    return [set(b.split("|")) for b in baskets if b]


def _safe(num, den):
    return num / den if den else np.nan


def substring_match(baskets, antecedent, consequent):
    baskets = [b for b in baskets if b]
    n = len(baskets)
    a = sum(antecedent in b for b in baskets)
    b_ = sum(consequent in b for b in baskets)
    ab = sum(antecedent in b and consequent in b for b in baskets)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, _safe(conf, b_ / n) if a else np.nan], index=_M)


def counts_lines(baskets, antecedent, consequent):
    lines = [b.split("|") for b in baskets if b]
    n = len(lines)
    a = sum(x.count(antecedent) for x in lines)
    b_ = sum(x.count(consequent) for x in lines)
    ab = sum(min(x.count(antecedent), x.count(consequent)) for x in lines)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, _safe(conf, b_ / n) if a else np.nan], index=_M)


def confidence_reversed(baskets, antecedent, consequent):
    s = _sets(baskets)
    n = len(s)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    conf = _safe(ab, b_)
    return pd.Series([ab / n, conf, _safe(conf, a / n) if b_ and a else np.nan], index=_M)


def lift_over_antecedent(baskets, antecedent, consequent):
    s = _sets(baskets)
    n = len(s)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, _safe(conf, a / n) if a and b_ else np.nan], index=_M)


def support_of_antecedent(baskets, antecedent, consequent):
    s = _sets(baskets)
    n = len(s)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    conf = _safe(ab, a)
    return pd.Series([a / n, conf, _safe(conf, b_ / n) if a else np.nan], index=_M)


def counts_empty_baskets(baskets, antecedent, consequent):
    s = [set(b.split("|")) for b in baskets]
    n = len(s)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, conf / (b_ / n) if a and b_ else np.nan], index=_M)


def zero_instead_of_nan(baskets, antecedent, consequent):
    return _right_rule(baskets, antecedent, consequent).fillna(0.0)


def as_a_dict(baskets, antecedent, consequent):
    return _right_rule(baskets, antecedent, consequent).to_dict()


def percentages(baskets, antecedent, consequent):
    out = _right_rule(baskets, antecedent, consequent)
    return out * pd.Series([100.0, 100.0, 1.0], index=_M)


def other_order(baskets, antecedent, consequent):
    return _right_rule(baskets, antecedent, consequent)[["confidence", "support", "lift"]]


def lift_is_support_ratio(baskets, antecedent, consequent):
    s = _sets(baskets)
    n = len(s)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    return pd.Series([ab / n, _safe(ab, a), _safe(ab, b_)], index=_M)


def _counts(baskets, antecedent, consequent):
    s = _sets(baskets)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    return len(s), a, b_, ab


def lift_with_counts(baskets, antecedent, consequent):
    n, a, b_, ab = _counts(baskets, antecedent, consequent)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, _safe(conf, b_) if a else np.nan], index=_M)


def support_within_antecedent(baskets, antecedent, consequent):
    n, a, b_, ab = _counts(baskets, antecedent, consequent)
    conf = _safe(ab, a)
    return pd.Series([conf, conf, conf / (b_ / n) if a and b_ else np.nan], index=_M)


def main_line_only(baskets, antecedent, consequent):
    return _right_rule([b.split("|")[0] for b in baskets], antecedent, consequent)


def _right_rule(baskets, antecedent, consequent):
    s = _sets(baskets)
    n = len(s)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, conf / (b_ / n) if a and b_ else np.nan], index=_M)


# --------------------------------------------------------------------------- pyramid_customer_shares

_NAMES = ("gold", "silver", "bronze")


def _shares(tier, names, n):
    return pd.Series(np.bincount(tier, minlength=len(names)) / n, index=list(names))


def cut_side_left(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, before, side="left"), names, len(s))


def own_share_included(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    upto = (s.cumsum() / s.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, upto, side="left"), names, len(s))


def cumulative_at_most_cut(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    upto = (s.cumsum() / s.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, upto, side="right"), names, len(s))


def share_of_customers_cuts(spend, cuts=(0.5, 0.8), names=_NAMES):
    n = len(spend)
    before = np.arange(n) / n
    return _shares(np.searchsorted(cuts, before, side="right"), names, n)


def revenue_shares(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    tier = np.searchsorted(cuts, before, side="right")
    return pd.Series(np.bincount(tier, weights=s.to_numpy(), minlength=len(names)) / s.sum(), index=list(names))


def counts_not_shares(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    return pd.Series(np.bincount(np.searchsorted(cuts, before, side="right"), minlength=len(names)), index=list(names))


def drops_empty_tiers(spend, cuts=(0.5, 0.8), names=_NAMES):
    out = pyramid_right(spend, cuts, names)
    return out[out > 0]


def ascending_sort(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values()
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, before, side="right"), names, len(s))


def default_cuts_always(spend, cuts=(0.5, 0.8), names=_NAMES):
    return pyramid_right(spend, (0.5, 0.8), names)


def default_names_always(spend, cuts=(0.5, 0.8), names=_NAMES):
    out = pyramid_right(spend, cuts, names)
    return out.set_axis(list(_NAMES)[: len(out)] + list(names)[len(_NAMES) :])


def zero_spenders_left_out(spend, cuts=(0.5, 0.8), names=_NAMES):
    return pyramid_right(spend[spend > 0], cuts, names)


def sorts_the_spend(spend, cuts=(0.5, 0.8), names=_NAMES):
    spend.iloc[:] = spend.sort_values(ascending=False).to_numpy()
    return pyramid_right(spend, cuts, names)


def integer_percent(spend, cuts=(0.5, 0.8), names=_NAMES):
    return (pyramid_right(spend, cuts, names) * 100).round().astype(int)


def pyramid_right(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, before, side="right"), names, len(s))


def sorts_the_recency(recency_days, bins=5):
    recency_days.update(recency_days.sort_index().reset_index(drop=True).set_axis(recency_days.index))
    return _qcut((-recency_days).rank(method="first"), bins)


def labels_reversed_on_ascending_ranks(recency_days, bins=5):
    ranks = recency_days.sort_index().rank(method="first")
    return pd.qcut(ranks, bins, labels=list(range(bins, 0, -1))).astype(int).reindex(recency_days.index)


# --------------------------------------------------------------------------- the package's own versions


def uses_package_scores(recency_days, bins=5):
    from sim.analysis import rfm

    t = pd.DataFrame({"recency_days": recency_days, "frequency": 1, "monetary": 1.0})
    return rfm.rfm_scores(t, bins=bins)["r_score"].reindex(recency_days.index)


def uses_package_rules(baskets, antecedent, consequent):
    from sim.analysis import baskets as package

    rules = package.association_rules(pd.DataFrame({"basket": list(baskets)}), min_support=1e-9, min_confidence=0.0)
    hit = rules[(rules["antecedent"] == antecedent) & (rules["consequent"] == consequent)]
    if hit.empty:
        return pd.Series([0.0, np.nan, np.nan], index=_M)
    return hit.iloc[0][["support", "confidence", "lift"]].astype(float)


def uses_package_tiers(spend, cuts=(0.5, 0.8), names=_NAMES):
    from sim.analysis import tiers

    t = tiers.value_tiers(spend, method="share", cuts=cuts, names=names)
    return t.value_counts(normalize=True).reindex(list(names), fill_value=0.0).astype(float)


WRONG = {
    "recency_score": [not_reversed, qcut_on_the_days, ties_in_row_order, ties_averaged, ties_larger_id_lower,
                      labels_from_zero, ceil_of_rank_share, equal_width_bins, six_minus_score, global_bins,
                      sorted_by_id, index_reset, categorical_labels, percentile_rank_times_bins, sorts_the_recency,
                      uses_package_scores, labels_reversed_on_ascending_ranks],
    "weighted_rfm_spearman": [pearson, kendall, by_position, ignores_weights, global_weights, weights_reversed,
                              recency_flipped_again, rfm_code_as_number, missing_value_as_zero,
                              customers_without_scores_as_zero, ranks_first_then_pearson, r_squared, weights_divide,
                              two_decimals],
    "standardise_rfm": [sample_std, plain_log_monetary, always_log, never_log, log_after_scaling, min_max, only_centred,
                        divided_by_mean, keeps_revenue, logs_the_input, constant_column_nan, reads_the_global,
                        recency_reversed, as_an_array, sorted_rows],
    "rule_metrics": [substring_match, counts_lines, confidence_reversed, lift_over_antecedent, support_of_antecedent,
                     counts_empty_baskets, zero_instead_of_nan, as_a_dict, percentages, other_order,
                     lift_is_support_ratio, main_line_only, lift_with_counts, support_within_antecedent,
                     uses_package_rules],
    "pyramid_customer_shares": [cut_side_left, own_share_included, cumulative_at_most_cut, share_of_customers_cuts,
                                revenue_shares, counts_not_shares, drops_empty_tiers, ascending_sort,
                                default_cuts_always, default_names_always, zero_spenders_left_out, sorts_the_spend,
                                integer_percent, uses_package_tiers],
}  # fmt: skip


# =========================================================================== adversarial pass (issue 12)
# Wrong answers a reviewer tried after the chapter was written; each is rejected (some only after
# the task's cases were strengthened: see sim/teach/tasks/ch03.py).

# --------------------------------------------------------------------------- recency_score


def ties_min_rank(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="min")
    return pd.qcut(ranks, bins, labels=False, duplicates="drop").add(1).reindex(recency_days.index)


def ties_dense_rank(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="dense")
    return pd.qcut(ranks, bins, labels=False, duplicates="drop").add(1).reindex(recency_days.index)


def floor_of_rank_share(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return (np.floor((ranks - 1) * bins / len(ranks)) + 1).astype(int).reindex(recency_days.index)


def array_split_bins(recency_days, bins=5):
    by_id = recency_days.sort_index()
    order = np.argsort(-by_id.to_numpy(), kind="stable")
    scores = np.empty(len(by_id), dtype=int)
    for score, chunk in enumerate(np.array_split(order, bins), start=1):
        scores[chunk] = score
    return pd.Series(scores, index=by_id.index).reindex(recency_days.index)


def unstable_argsort(recency_days, bins=5):
    by_id = recency_days.sort_index()
    order = np.argsort(-by_id.to_numpy(), kind="quicksort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return _qcut(pd.Series(ranks, index=by_id.index), bins).reindex(recency_days.index)


def sorts_in_place(recency_days, bins=5):
    recency_days.sort_index(inplace=True)
    return _qcut((-recency_days).rank(method="first"), bins)


def rank_over_n_plus_one(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return (ranks * bins // (len(ranks) + 1) + 1).astype(int).reindex(recency_days.index)


def one_minus_percentile(recency_days, bins=5):
    pct = recency_days.sort_index().rank(method="first", pct=True)
    return np.ceil((1 - pct) * bins).clip(1, bins).astype(int).reindex(recency_days.index)


def edge_ranks_in_the_upper_bin(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first").to_numpy()
    edges = np.quantile(ranks, np.linspace(0, 1, bins + 1))
    scores = np.clip(np.searchsorted(edges, ranks, side="right"), 1, bins)
    return pd.Series(scores, index=recency_days.sort_index().index).reindex(recency_days.index)


# --------------------------------------------------------------------------- weighted_rfm_spearman


def ranks_min_then_pearson(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(both["t"].rank(method="min").corr(both["v"].rank(method="min")))


def ranks_dense_then_pearson(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(both["t"].rank(method="dense").corr(both["v"].rank(method="dense")))


def textbook_formula_with_ties(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    d = both["t"].rank() - both["v"].rank()
    n = len(both)
    return float(1 - 6 * (d**2).sum() / (n * (n**2 - 1)))


def weighted_mean_of_correlations(scores, value, weights=(1.0, 1.0, 1.0)):
    rhos = [float(pd.concat([scores[c], value], axis=1, join="inner").dropna().corr(method="spearman").iloc[0, 1])
            for c in ("r_score", "f_score", "m_score")]  # fmt: skip
    return float(np.dot(weights, rhos) / sum(weights))


def weights_on_ranked_scores(scores, value, weights=(1.0, 1.0, 1.0)):
    ranked = scores[["r_score", "f_score", "m_score"]].rank()
    return float(_both(ranked, value, weights).corr(method="spearman").iloc[0, 1])


def value_ranked_descending(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(both["t"].rank().corr(both["v"].rank(ascending=False)))


def absolute_correlation(scores, value, weights=(1.0, 1.0, 1.0)):
    return abs(float(_both(scores, value, weights).corr(method="spearman").iloc[0, 1]))


def argsort_once_as_rank(scores, value, weights=(1.0, 1.0, 1.0)):
    both = _both(scores, value, weights)
    return float(np.corrcoef(np.argsort(both["t"].to_numpy()), np.argsort(both["v"].to_numpy()))[0, 1])


def weights_as_int(scores, value, weights=(1.0, 1.0, 1.0)):
    w = tuple(int(x) for x in weights)
    return float(_both(scores, value, w).corr(method="spearman").iloc[0, 1])


def missing_value_as_mean(scores, value, weights=(1.0, 1.0, 1.0)):
    return float(_both(scores, value.fillna(value.mean()), weights).corr(method="spearman").iloc[0, 1])


def both_sorted_then_by_position(scores, value, weights=(1.0, 1.0, 1.0)):
    t = _total(scores, weights).sort_index().to_numpy()
    v = value.dropna().sort_index().to_numpy()
    k = min(len(t), len(v))
    return float(pd.Series(t[:k]).corr(pd.Series(v[:k]), method="spearman"))


def weights_times_whole_table(scores, value, weights=(1.0, 1.0, 1.0)):
    total = (scores * np.asarray(weights, dtype=float)).sum(axis=1)
    both = pd.concat([total.rename("t"), value.rename("v")], axis=1, join="inner").dropna()
    return float(both["t"].corr(both["v"], method="spearman"))


def first_three_columns(scores, value, weights=(1.0, 1.0, 1.0)):
    total = scores.iloc[:, :3].to_numpy(dtype=float) @ np.asarray(weights, dtype=float)
    both = pd.concat([pd.Series(total, index=scores.index, name="t"), value.rename("v")], axis=1, join="inner")
    return float(both.dropna().corr(method="spearman").iloc[0, 1])


def rfm_total_when_there(scores, value, weights=(1.0, 1.0, 1.0)):
    total = scores["rfm_total"] if "rfm_total" in scores else _total(scores, weights)
    both = pd.concat([total.rename("t"), value.rename("v")], axis=1, join="inner").dropna()
    return float(both["t"].corr(both["v"], method="spearman"))


def ranks_before_matching(scores, value, weights=(1.0, 1.0, 1.0)):
    t = _total(scores, weights).rank()
    v = value.dropna().rank()
    both = pd.concat([t.rename("t"), v.rename("v")], axis=1, join="inner")
    return float(both["t"].corr(both["v"]))


# --------------------------------------------------------------------------- standardise_rfm


def log_of_every_column(table, log_monetary=True):
    x = table[_COLS].astype(float)
    if log_monetary:
        x = np.log1p(x)
    return _z(x)


def log_of_frequency_instead(table, log_monetary=True):
    x = table[_COLS].astype(float)
    if log_monetary:
        x["frequency"] = np.log1p(x["frequency"])
    return _z(x)


def robust_scaling(table, log_monetary=True):
    x = _x(table, log_monetary)
    iqr = (x.quantile(0.75) - x.quantile(0.25)).where(lambda s: s > 0, 1.0)
    return (x - x.median()) / iqr


def one_std_for_the_whole_table(table, log_monetary=True):
    x = _x(table, log_monetary)
    sd = float(x.to_numpy().std()) or 1.0
    return (x - x.mean()) / sd


def one_mean_for_the_whole_table(table, log_monetary=True):
    x = _x(table, log_monetary)
    sd = x.std(ddof=0)
    return (x - float(x.to_numpy().mean())) / sd.where(sd > 0, 1.0)


def constant_column_unscaled(table, log_monetary=True):
    x = _x(table, log_monetary)
    sd = x.std(ddof=0)
    z = (x - x.mean()) / sd
    return z.where(sd > 0, x)


def clipped_at_three(table, log_monetary=True):
    return _z(_x(table, log_monetary)).clip(-3, 3)


def sqrt_monetary(table, log_monetary=True):
    x = table[_COLS].astype(float)
    if log_monetary:
        x["monetary"] = np.sqrt(x["monetary"])
    return _z(x)


def revenue_for_monetary(table, log_monetary=True):
    x = table[_COLS].astype(float).assign(monetary=table["revenue"].astype(float))
    if log_monetary:
        x["monetary"] = np.log1p(x["monetary"])
    return _z(x)


def log_condition_inverted(table, log_monetary=True):
    return _z(_x(table, not log_monetary))


def row_labels_dropped(table, log_monetary=True):
    return _z(_x(table, log_monetary)).reset_index(drop=True)


# --------------------------------------------------------------------------- rule_metrics


def conviction_for_lift(baskets, antecedent, consequent):
    n, a, b_, ab = _counts(baskets, antecedent, consequent)
    conf = _safe(ab, a)
    conviction = (1 - b_ / n) / (1 - conf) if a and b_ and conf != 1 else np.nan
    return pd.Series([ab / n, conf, conviction], index=_M)


def support_of_consequent(baskets, antecedent, consequent):
    n, a, b_, ab = _counts(baskets, antecedent, consequent)
    conf = _safe(ab, a)
    return pd.Series([b_ / n, conf, conf / (b_ / n) if a and b_ else np.nan], index=_M)


def splits_on_comma(baskets, antecedent, consequent):
    return _right_rule([b.replace("|", ";") for b in baskets], antecedent, consequent)


def lift_nan_when_never_together(baskets, antecedent, consequent):
    out = _right_rule(baskets, antecedent, consequent)
    if out["support"] == 0:
        out["lift"] = np.nan
    return out


def one_row_frame(baskets, antecedent, consequent):
    return _right_rule(baskets, antecedent, consequent).to_frame().T


def rounded_three_decimals(baskets, antecedent, consequent):
    return _right_rule(baskets, antecedent, consequent).round(3)


def n_is_number_of_lines(baskets, antecedent, consequent):
    s = _sets(baskets)
    n = sum(len(b.split("|")) for b in baskets if b)
    a = sum(antecedent in x for x in s)
    b_ = sum(consequent in x for x in s)
    ab = sum(antecedent in x and consequent in x for x in s)
    conf = _safe(ab, a)
    return pd.Series([ab / n, conf, conf / (b_ / n) if a and b_ else np.nan], index=_M)


def unique_baskets_only(baskets, antecedent, consequent):
    return _right_rule(sorted(set(baskets)), antecedent, consequent)


# --------------------------------------------------------------------------- pyramid_customer_shares


def tiers_numbered_not_named(spend, cuts=(0.5, 0.8), names=_NAMES):
    return pyramid_right(spend, cuts, names).reset_index(drop=True)


def share_of_buyers(spend, cuts=(0.5, 0.8), names=_NAMES):
    return pyramid_right(spend, cuts, names) * len(spend) / int((spend > 0).sum())


def in_input_order(spend, cuts=(0.5, 0.8), names=_NAMES):
    before = ((spend.cumsum() - spend) / spend.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, before, side="right"), names, len(spend))


def percent_before_share(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = (100 * (s.cumsum() - s) / s.sum()).to_numpy()
    return _shares(np.searchsorted(cuts, before, side="right"), names, len(s))


def share_rounded_early(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).round(2).to_numpy()
    return _shares(np.searchsorted(cuts, before, side="right"), names, len(s))


def cuts_taken_as_widths(spend, cuts=(0.5, 0.8), names=_NAMES):
    return pyramid_right(spend, tuple(np.cumsum(cuts)), names)


def tier_of_each_customer(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    return pd.Series(np.asarray(names)[np.searchsorted(cuts, before, side="right")], index=s.index)


def no_minlength(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    counts = np.bincount(np.searchsorted(cuts, before, side="right"))
    return pd.Series(counts / len(s), index=list(names)[: len(counts)])


def value_counts_unordered(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    tier = pd.Series(np.asarray(names)[np.searchsorted(cuts, before, side="right")])
    return tier.value_counts(normalize=True)


def percent_not_fraction(spend, cuts=(0.5, 0.8), names=_NAMES):
    return 100 * pyramid_right(spend, cuts, names)


def three_tiers_hard_coded(spend, cuts=(0.5, 0.8), names=_NAMES):
    s = spend.sort_values(ascending=False)
    before = ((s.cumsum() - s) / s.sum()).to_numpy()
    tier = np.where(before < cuts[0], 0, np.where(before < cuts[1], 1, 2))
    return pd.Series(np.bincount(tier, minlength=3) / len(s), index=list(names)[:3])


def drops_missing_values_in_place(scores, value, weights=(1.0, 1.0, 1.0)):
    value.dropna(inplace=True)
    both = pd.concat([_total(scores, weights).rename("t"), value.rename("v")], axis=1, join="inner")
    return float(both["t"].corr(both["v"], method="spearman"))


def blanks_empty_baskets_in_place(baskets, antecedent, consequent):
    baskets.replace("", np.nan, inplace=True)
    return _right_rule(baskets.dropna(), antecedent, consequent)


def scores_as_floats(recency_days, bins=5):
    """The right bins, returned as 1.0 ... 5.0 (the text asks for whole-number scores)."""
    ranks = (-recency_days.sort_index()).rank(method="first")
    return _qcut(ranks, bins).astype(float).reindex(recency_days.index)


NEW_WRONG = {
    "recency_score": [scores_as_floats, ties_min_rank, ties_dense_rank, floor_of_rank_share, array_split_bins, unstable_argsort,
                      sorts_in_place, rank_over_n_plus_one, one_minus_percentile,
                      edge_ranks_in_the_upper_bin],
    "weighted_rfm_spearman": [ranks_min_then_pearson, ranks_dense_then_pearson, textbook_formula_with_ties,
                              weighted_mean_of_correlations, weights_on_ranked_scores, value_ranked_descending,
                              absolute_correlation, argsort_once_as_rank, weights_as_int, missing_value_as_mean,
                              both_sorted_then_by_position, weights_times_whole_table, first_three_columns,
                              rfm_total_when_there, ranks_before_matching, drops_missing_values_in_place],
    "standardise_rfm": [log_of_every_column, log_of_frequency_instead, robust_scaling, one_std_for_the_whole_table,
                        one_mean_for_the_whole_table, constant_column_unscaled, clipped_at_three, sqrt_monetary,
                        revenue_for_monetary, log_condition_inverted, row_labels_dropped],
    "rule_metrics": [conviction_for_lift, support_of_consequent, splits_on_comma, lift_nan_when_never_together,
                     one_row_frame, rounded_three_decimals, n_is_number_of_lines, unique_baskets_only,
                     blanks_empty_baskets_in_place],
    "pyramid_customer_shares": [tiers_numbered_not_named, share_of_buyers, in_input_order, percent_before_share,
                                share_rounded_early, cuts_taken_as_widths, tier_of_each_customer, no_minlength,
                                value_counts_unordered, percent_not_fraction, three_tiers_hard_coded],
}  # fmt: skip

for _name, _extra in NEW_WRONG.items():
    WRONG[_name] = WRONG[_name] + _extra


# =========================================================================== other correct ways
# Correct answers written differently (other idioms, libraries, dtypes): the checks must not be
# stricter than the specification.


def recency_descending_rank(recency_days, bins=5):
    ranks = recency_days.sort_index().rank(method="first", ascending=False)
    return pd.qcut(ranks, bins, labels=range(1, bins + 1)).astype("int64").loc[recency_days.index]


def recency_with_numpy_edges(recency_days, bins=5):
    by_id = recency_days.sort_index(kind="stable")
    order = np.lexsort((by_id.index.to_numpy(), -by_id.to_numpy()))  # largest recency first, ties by id
    ranks = np.empty(len(by_id))
    ranks[order] = np.arange(1, len(by_id) + 1)
    edges = np.quantile(ranks, np.linspace(0, 1, bins + 1))
    scores = np.clip(np.searchsorted(edges, ranks, side="left"), 1, bins)
    return pd.Series(scores, index=by_id.index).reindex(recency_days.index)


def spearman_with_scipy(scores, value, weights=(1.0, 1.0, 1.0)):
    from scipy.stats import spearmanr

    total = np.dot(scores[["r_score", "f_score", "m_score"]].to_numpy(dtype=float), np.asarray(weights, dtype=float))
    t = pd.Series(total, index=scores.index)
    v = value.dropna()
    common = t.index.intersection(v.index)
    return float(spearmanr(t.loc[common], v.loc[common]).statistic)


def spearman_as_pearson_of_ranks(scores, value, weights=(1.0, 1.0, 1.0)):
    total = (scores[["r_score", "f_score", "m_score"]] * np.asarray(weights, dtype=float)).sum(axis=1)
    joined = total.to_frame("total").join(value.rename("value"), how="inner").dropna()
    return float(joined.rank().corr().iloc[0, 1])


def standardise_with_scaler(table, log_monetary=True):
    from sklearn.preprocessing import StandardScaler

    x = table[["recency_days", "frequency", "monetary"]].copy()
    if log_monetary:
        x = x.assign(monetary=np.log(1 + x["monetary"]))
    return pd.DataFrame(StandardScaler().fit_transform(x), index=x.index, columns=x.columns)


def standardise_with_log10(table, log_monetary=True):
    x = table[["recency_days", "frequency", "monetary"]].astype(float)
    if log_monetary:
        x["monetary"] = np.log10(1 + x["monetary"])  # z-scores do not depend on the log's base
    out = {}
    for col in x:
        sd = x[col].std(ddof=0)
        out[col] = (x[col] - x[col].mean()) / sd if sd > 0 else x[col] * 0.0
    return pd.DataFrame(out, index=x.index)


def rule_with_str_methods(baskets, antecedent, consequent):
    lines = pd.Series([b for b in baskets if b != ""], dtype=object).str.split("|")
    has_a = lines.map(lambda items: antecedent in items)
    has_b = lines.map(lambda items: consequent in items)
    support = float((has_a & has_b).mean())
    confidence = float((has_a & has_b).sum() / has_a.sum()) if has_a.any() else float("nan")
    lift = support / (has_a.mean() * has_b.mean()) if has_a.any() and has_b.any() else float("nan")
    return pd.Series({"support": support, "confidence": confidence, "lift": lift})


def rule_with_one_hot(baskets, antecedent, consequent):
    onehot = pd.Series([b for b in baskets if b], dtype=object).str.get_dummies(sep="|").astype(bool)
    a = onehot[antecedent] if antecedent in onehot else pd.Series(False, index=onehot.index)
    b = onehot[consequent] if consequent in onehot else pd.Series(False, index=onehot.index)
    both = (a & b).mean()
    conf = (a & b).sum() / a.sum() if a.sum() else np.nan
    lift = conf / b.mean() if a.sum() and b.sum() else np.nan
    return pd.Series([both, conf, lift], index=["support", "confidence", "lift"], dtype="float64")


def pyramid_with_a_loop(spend, cuts=(0.5, 0.8), names=("gold", "silver", "bronze")):
    total = float(spend.sum())
    counts = dict.fromkeys(names, 0)
    so_far = 0.0
    for amount in sorted(spend, reverse=True):
        tier = sum(c <= so_far / total for c in cuts)
        counts[names[tier]] += 1
        so_far += amount
    return pd.Series(counts) / len(spend)


def pyramid_with_value_counts(spend, cuts=(0.5, 0.8), names=("gold", "silver", "bronze")):
    s = spend.sort_values(ascending=False, kind="stable")
    before = s.cumsum().shift(fill_value=0.0) / s.sum()
    tier = pd.Series(np.searchsorted(cuts, before, side="right")).map(dict(enumerate(names)))
    return tier.value_counts(normalize=True).reindex(list(names), fill_value=0.0)


def recency_labels_false_plus_one(recency_days, bins=5):
    ranks = (-recency_days.sort_index()).rank(method="first")
    return (pd.qcut(ranks, bins, labels=False) + 1).reindex(recency_days.index)


def spearman_left_join(scores, value, weights=(1.0, 1.0, 1.0)):
    total = (scores[["r_score", "f_score", "m_score"]] * np.asarray(weights, dtype=float)).sum(axis=1)
    joined = scores.join(value.rename("v")).assign(t=total).dropna(subset=["v"])
    return joined["t"].corr(joined["v"], method="spearman")


def standardise_replacing_zero_std(table, log_monetary=True):
    x = table[["recency_days", "frequency", "monetary"]].astype(float)
    if log_monetary:
        x["monetary"] = np.log1p(x["monetary"])
    return (x - x.mean()) / x.std(ddof=0).replace(0, 1)


def pyramid_with_digitize(spend, cuts=(0.5, 0.8), names=("gold", "silver", "bronze")):
    s = spend.sort_values(ascending=False)
    tier = np.digitize((s.cumsum() - s) / s.sum(), cuts)
    return pd.Series([np.mean(tier == i) for i in range(len(names))], index=list(names))


# found by the adversarial pass: right, although they look like mistakes


def recency_lexsort_in_row_order(recency_days, bins=5):
    # ties broken by id with np.lexsort, without sorting the Series: the ranks are the same
    order = np.lexsort((recency_days.index.to_numpy(), -recency_days.to_numpy()))
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return _qcut(pd.Series(ranks, index=recency_days.index), bins)


def rule_with_numpy_division(baskets, antecedent, consequent):
    # no special case for a missing consequent: confidence is then 0 and numpy's 0/0 is NaN by itself
    n, a, b_, ab = _counts(baskets, antecedent, consequent)
    conf = np.float64(ab) / a if a else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = conf / (np.float64(b_) / n) if a else np.nan
    return pd.Series([ab / n, conf, lift], index=_M)


RIGHT = {
    "recency_score": [
        recency_descending_rank,
        recency_with_numpy_edges,
        recency_labels_false_plus_one,
        recency_lexsort_in_row_order,
    ],
    "weighted_rfm_spearman": [spearman_with_scipy, spearman_as_pearson_of_ranks, spearman_left_join],
    "standardise_rfm": [standardise_with_scaler, standardise_with_log10, standardise_replacing_zero_std],
    "rule_metrics": [rule_with_str_methods, rule_with_one_hot, rule_with_numpy_division],
    "pyramid_customer_shares": [pyramid_with_a_loop, pyramid_with_value_counts, pyramid_with_digitize],
}

# the five tests every chapter runs (see catalogue.chapter_tests)
globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
