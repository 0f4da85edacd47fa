"""Wrong-answer catalogue for chapter 07: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catalogue import chapter_tests
from scipy import stats

NOTEBOOK = "07_churn_early_warning.ipynb"
NAMESPACE = {"pd": pd, "np": np, "stats": stats}

# Notebook-like globals a trainee might read instead of the arguments.
CUTOFF = 365.0
WINDOW = 90


def _label(known, future):
    known = np.sort(np.asarray(known))
    return pd.Series((~pd.Index(known).isin(future)).astype("int64"), index=pd.Index(known, name="customer_id"))


# --------------------------------------------------------------------------- churn_label_at_cutoff


def label_cutoff_order_in_the_future(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] < cutoff, "customer_id"].unique()  # '<': an order at the cutoff is not history
    fut = orders.loc[(orders["t"] >= cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"]
    return _label(known, fut.unique())


def label_window_end_excluded(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] < cutoff + window_days), "customer_id"]
    return _label(known, fut.unique())


def label_window_without_end(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()
    fut = orders.loc[orders["t"] > cutoff, "customer_id"]  # any later order
    return _label(known, fut.unique())


def label_inverted(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"]
    return 1 - _label(known, fut.unique())  # 1 = ordered


def label_everyone_ever_seen(orders, cutoff, window_days=90):
    known = orders["customer_id"].unique()  # customers who appear only after the cutoff are labelled too
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"]
    return _label(known, fut.unique())


def label_booleans(orders, cutoff, window_days=90):
    return _label_ref(orders, cutoff, window_days).astype(bool)


def label_floats(orders, cutoff, window_days=90):
    return _label_ref(orders, cutoff, window_days).astype(float)


def label_unsorted(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()  # first-seen order, not sorted
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"].unique()
    return pd.Series((~pd.Index(known).isin(fut)).astype("int64"), index=pd.Index(known, name="customer_id"))


def label_ignores_window(orders, cutoff, window_days=90):
    return _label_ref(orders, cutoff, 90)


def label_global_cutoff(orders, cutoff, window_days=90):
    return _label_ref(orders, CUTOFF, window_days)


def label_recency_rule(orders, cutoff, window_days=90):
    seen = orders[orders["t"] <= cutoff]
    last = seen.groupby("customer_id")["t"].max()
    return (cutoff - last > window_days).astype("int64")  # "silent for 90 days already": another definition


def label_counts_orders(orders, cutoff, window_days=90):
    known = np.sort(orders.loc[orders["t"] <= cutoff, "customer_id"].unique())
    fut = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    n = fut.groupby("customer_id").size().reindex(known, fill_value=0)
    return (n == 0).astype("int64") + (n > 1).astype("int64")  # two orders counted as "churned" too


def label_mutates(orders, cutoff, window_days=90):
    orders["later"] = orders["t"] > cutoff
    return _label_ref(orders, cutoff, window_days)


def label_with_position_index(orders, cutoff, window_days=90):
    return _label_ref(orders, cutoff, window_days).reset_index(drop=True)


def _label_ref(orders, cutoff, window_days):
    known = np.sort(orders.loc[orders["t"] <= cutoff, "customer_id"].unique())
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"].unique()
    return _label(known, fut)


# --------------------------------------------------------------------------- lift_at_k


def _arrays(y_true, score):
    return np.asarray(y_true, dtype=float), np.asarray(score, dtype=float)


def lift_lowest_scores(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    top = np.argsort(s, kind="stable")[:k]  # smallest first
    return float(y[top].mean() / y.mean())


def precision_not_lift(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[:k]].mean())


def recall_not_lift(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[:k]].sum() / y.sum())


def lift_k_plus_one(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[: k + 1]].mean() / y.mean())


def lift_k_as_share(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    n = max(1, int(round(0.1 * len(y))))  # reads k as "the top 10%"
    return float(y[np.argsort(-s, kind="stable")[:n]].mean() / y.mean())


def lift_unstable_sort(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    order = np.lexsort((-np.arange(len(s)), -s))  # ties: the LAST rows first
    return float(y[order[:k]].mean() / y.mean())


def lift_by_index_labels(y_true, score, k=100):
    if isinstance(score, pd.Series) and isinstance(y_true, pd.Series):
        top = score.sort_values(ascending=False, kind="stable").index[:k]
        return float(y_true.reindex(top).mean() / y_true.mean())  # labels, not positions
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[:k]].mean() / y.mean())


def lift_over_the_rest(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    order = np.argsort(-s, kind="stable")
    return float(y[order[:k]].mean() / y[order[k:]].mean()) if len(y) > k else 1.0


def lift_default_ten(y_true, score, k=10):
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[:k]].mean() / y.mean())


def lift_rounded(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    return round(float(y[np.argsort(-s, kind="stable")[:k]].mean() / y.mean()), 2)


def lift_global_k(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[:WINDOW]].mean() / y.mean())


def lift_sorted_in_place(y_true, score, k=100):
    if isinstance(score, np.ndarray):
        score.sort()  # changes the caller's array
    y, s = _arrays(y_true, score)
    return float(y[np.argsort(-s, kind="stable")[:k]].mean() / y.mean())


def lift_percent(y_true, score, k=100):
    y, s = _arrays(y_true, score)
    return float(100 * y[np.argsort(-s, kind="stable")[:k]].mean() / y.mean())


# --------------------------------------------------------------------------- winback_by_variant

_WB = ["variant", "contacted", "won_back", "rate", "ci_low", "ci_high"]


def _wilson(table, confidence=0.95, z=None):
    z = stats.norm.ppf(1 - (1 - confidence) / 2) if z is None else z
    n = table["contacted"].astype(float)
    p = table["won_back"] / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return table.assign(rate=p, ci_low=centre - half, ci_high=centre + half)[_WB]


def _won(contacts, orders, window_days, *, low_incl=False, high_incl=True, campaign="winback"):
    wb = contacts if campaign is None else contacts[contacts["campaign"] == campaign]
    pairs = wb[["customer_id", "t", "variant"]].merge(
        orders[["customer_id", "t"]], on="customer_id", how="left", suffixes=("", "_order")
    )
    gap = pairs["t_order"] - pairs["t"]
    lo = gap >= 0 if low_incl else gap > 0
    hi = gap <= window_days if high_incl else gap < window_days
    return pairs.assign(won=lo & hi)


def _per_variant(pairs):
    per = pairs.groupby(["variant", "customer_id"])["won"].any().reset_index()
    table = per.groupby("variant")["won"].agg(contacted="size", won_back="sum").reset_index()
    return table.astype({"contacted": "int64", "won_back": "int64"})


def wb_counts_contacts(contacts, orders, window_days=90, confidence=0.95):
    pairs = _won(contacts, orders, window_days)
    per = pairs.groupby(["variant", "contact_id"])["won"].any().reset_index()  # contacts, not customers
    table = per.groupby("variant")["won"].agg(contacted="size", won_back="sum").reset_index()
    return _wilson(table.astype({"contacted": "int64", "won_back": "int64"}), confidence)


def wb_counts_orders(contacts, orders, window_days=90, confidence=0.95):
    pairs = _won(contacts, orders, window_days)
    per = pairs.groupby(["variant", "customer_id"])["won"].agg(["size", "sum"]).reset_index()
    table = per.groupby("variant").agg(contacted=("customer_id", "size"), won_back=("sum", "sum")).reset_index()
    table["won_back"] = table[["won_back", "contacted"]].min(axis=1)  # orders, capped
    return _wilson(table.astype({"contacted": "int64", "won_back": "int64"}), confidence)


def wb_all_campaigns(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days, campaign=None)), confidence)


def wb_order_at_contact_counts(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days, low_incl=True)), confidence)


def wb_window_end_excluded(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days, high_incl=False)), confidence)


def wb_ignores_window(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, 90)), confidence)


def wb_z_196(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days)), confidence, z=1.96)


def wb_one_sided_z(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days)), confidence, z=stats.norm.ppf(confidence))


def wb_wald(contacts, orders, window_days=90, confidence=0.95):
    table = _per_variant(_won(contacts, orders, window_days))
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = table["won_back"] / table["contacted"]
    half = z * np.sqrt(p * (1 - p) / table["contacted"])
    return table.assign(rate=p, ci_low=p - half, ci_high=p + half)[_WB]


def wb_any_order_ever(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, 10**9)), confidence)  # no window at all


def wb_orders_before_count(contacts, orders, window_days=90, confidence=0.95):
    pairs = _won(contacts, orders, window_days)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = gap.abs() <= window_days  # orders before the contact count too
    return _wilson(_per_variant(pairs), confidence)


def wb_unsorted(contacts, orders, window_days=90, confidence=0.95):
    out = _wilson(_per_variant(_won(contacts, orders, window_days)), confidence)
    return out.sort_values("variant", ascending=False).reset_index(drop=True)


def wb_float_counts(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days)), confidence).astype(
        {"contacted": float, "won_back": float}
    )


def wb_variant_as_index(contacts, orders, window_days=90, confidence=0.95):
    return _wilson(_per_variant(_won(contacts, orders, window_days)), confidence).set_index("variant")


def wb_first_contact_only(contacts, orders, window_days=90, confidence=0.95):
    first = contacts[contacts["campaign"] == "winback"].sort_values("t").drop_duplicates("customer_id")
    return _wilson(_per_variant(_won(first, orders, window_days)), confidence)


def wb_mutates(contacts, orders, window_days=90, confidence=0.95):
    contacts["is_winback"] = contacts["campaign"] == "winback"  # adds a column to the caller's table
    return _wilson(_per_variant(_won(contacts, orders, window_days)), confidence)


# --------------------------------------------------------------------------- rolling_z_flags


def flags_include_current(series, window=8, z=3.0):
    roll = series.rolling(window)  # the window includes the point itself
    return (series - roll.mean()).abs() > z * roll.std()


def flags_population_sd(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return (series - past.mean()).abs() > z * past.std(ddof=0)


def flags_one_sided(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return (series - past.mean()) > z * past.std()  # spikes only


def flags_greater_equal(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return (series - past.mean()).abs() >= z * past.std()


def flags_min_periods(series, window=8, z=3.0):
    past = series.shift(1).rolling(window, min_periods=2)  # flags before a full window
    return (series - past.mean()).abs() > z * past.std()


def flags_ignore_window(series, window=8, z=3.0):
    past = series.shift(1).rolling(8)
    return (series - past.mean()).abs() > z * past.std()


def flags_ignore_z(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return (series - past.mean()).abs() > 3.0 * past.std()


def flags_whole_series_sd(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    flags = (series - past.mean()).abs() > z * series.std()  # one sd for the whole series
    return flags & past.mean().notna()


def flags_expanding(series, window=8, z=3.0):
    past = series.shift(1).expanding(min_periods=window)  # all previous values
    return (series - past.mean()).abs() > z * past.std()


def flags_median_mad(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    med = past.median()
    mad = past.apply(lambda w: np.median(np.abs(w - np.median(w))), raw=True)
    return (series - med).abs() > z * 1.4826 * mad  # the robust version: another specification


def flags_as_int(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return ((series - past.mean()).abs() > z * past.std()).astype(int)


def flags_numpy(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return ((series - past.mean()).abs() > z * past.std()).to_numpy()


def flags_reset_index(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return ((series - past.mean()).abs() > z * past.std()).reset_index(drop=True)


def flags_centered(series, window=8, z=3.0):
    roll = series.rolling(window, center=True)
    return (series - roll.mean()).abs() > z * roll.std()


def flags_mutate(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    flags = (series - past.mean()).abs() > z * past.std()
    series.iloc[:] = series.where(~flags, past.mean())  # "cleans" the spikes in the caller's data
    return flags


WRONG = {
    "churn_label_at_cutoff": [
        label_cutoff_order_in_the_future,
        label_window_end_excluded,
        label_window_without_end,
        label_inverted,
        label_everyone_ever_seen,
        label_booleans,
        label_floats,
        label_unsorted,
        label_ignores_window,
        label_global_cutoff,
        label_recency_rule,
        label_counts_orders,
        label_mutates,
        label_with_position_index,
    ],
    "lift_at_k": [
        lift_lowest_scores,
        precision_not_lift,
        recall_not_lift,
        lift_k_plus_one,
        lift_k_as_share,
        lift_unstable_sort,
        lift_by_index_labels,
        lift_over_the_rest,
        lift_default_ten,
        lift_rounded,
        lift_global_k,
        lift_sorted_in_place,
        lift_percent,
    ],
    "winback_by_variant": [
        wb_counts_contacts,
        wb_counts_orders,
        wb_all_campaigns,
        wb_order_at_contact_counts,
        wb_window_end_excluded,
        wb_ignores_window,
        wb_z_196,
        wb_one_sided_z,
        wb_wald,
        wb_any_order_ever,
        wb_orders_before_count,
        wb_unsorted,
        wb_float_counts,
        wb_variant_as_index,
        wb_first_contact_only,
        wb_mutates,
    ],
    "rolling_z_flags": [
        flags_include_current,
        flags_population_sd,
        flags_one_sided,
        flags_greater_equal,
        flags_min_periods,
        flags_ignore_window,
        flags_ignore_z,
        flags_whole_series_sd,
        flags_expanding,
        flags_median_mad,
        flags_as_int,
        flags_numpy,
        flags_reset_index,
        flags_centered,
        flags_mutate,
    ],
}


# =========================================================================== more wrong answers (issue 13 review)
# Tried by a reviewer after the chapter was written; see MORE_WRONG below. Where one first passed, the task
# gained the case that now rejects it.


def label_history_only_before_cutoff(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] < cutoff, "customer_id"].unique()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"]
    return _label(known, fut.unique())


def label_window_from_last_order(orders, cutoff, window_days=90):
    hist = orders[orders["t"] <= cutoff].groupby("customer_id")["t"].max()
    fut = orders[orders["t"] > cutoff].groupby("customer_id")["t"].min().reindex(hist.index)
    return pd.Series((~(fut - hist <= window_days)).astype("int64").to_numpy(), index=hist.index)


def label_times_truncated_to_days(orders, cutoff, window_days=90):
    day = orders["t"].astype(int)
    known = orders.loc[day <= cutoff, "customer_id"].unique()
    fut = orders.loc[(day > cutoff) & (day <= cutoff + window_days), "customer_id"]
    return _label(known, fut.unique())


def label_sorted_descending(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"]
    return _label(known, fut.unique()).sort_index(ascending=False)


def label_as_frame(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"]
    return _label(known, fut.unique()).rename("churned").reset_index()


def label_window_in_weeks(orders, cutoff, window_days=90):
    known = orders.loc[orders["t"] <= cutoff, "customer_id"].unique()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days / 7), "customer_id"]
    return _label(known, fut.unique())


def label_one_row_per_order(orders, cutoff, window_days=90):
    hist = orders[orders["t"] <= cutoff].sort_values("customer_id")
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"].unique()
    return pd.Series((~hist["customer_id"].isin(fut)).astype("int64").to_numpy(), index=hist["customer_id"].to_numpy())


def label_churned_before_cutoff_too(orders, cutoff, window_days=90):
    last = orders[orders["t"] <= cutoff].groupby("customer_id")["t"].max()
    fut = orders.loc[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days), "customer_id"].unique()
    inactive = last < cutoff - window_days
    return pd.Series(((~last.index.isin(fut)) & inactive.to_numpy()).astype("int64"), index=last.index)


def _yz(y_true, score):
    return np.asarray(y_true, dtype=float), np.asarray(score, dtype=float)


def lift_reversed_ascending_sort(y_true, score, k=100):
    y, s = _yz(y_true, score)
    top = np.argsort(s, kind="stable")[::-1][:k]
    return float(y[top].mean() / y.mean())


def lift_top_k_with_ties(y_true, score, k=100):
    y, s = _yz(y_true, score)
    r = pd.Series(s).rank(ascending=False, method="min").to_numpy()
    return float(y[r <= k].mean() / y.mean())


def lift_k_minus_one(y_true, score, k=100):
    y, s = _yz(y_true, score)
    top = np.argsort(-s, kind="stable")[: k - 1]
    return float(y[top].mean() / y.mean())


def lift_minus_one(y_true, score, k=100):
    y, s = _yz(y_true, score)
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean() / y.mean() - 1)


def lift_swapped_arguments(y_true, score, k=100):
    s, y = _yz(y_true, score)
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean() / y.mean())


def lift_base_rate_of_the_rest(y_true, score, k=100):
    y, s = _yz(y_true, score)
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean() / np.delete(y, top).mean()) if len(y) > k else 1.0


def lift_default_sort_pandas(y_true, score, k=100):
    frame = pd.DataFrame({"y": np.asarray(y_true, dtype=float), "s": np.asarray(score, dtype=float)})
    top = frame.sort_values("s", ascending=False).head(k)  # quicksort: ties in any order
    return float(top["y"].mean() / frame["y"].mean())


def _pairs(contacts, orders, how="left"):
    wb = contacts[contacts["campaign"] == "winback"][["customer_id", "t", "variant"]]
    return wb.merge(orders[["customer_id", "t"]], on="customer_id", how=how, suffixes=("", "_order"))


def _table(per):
    t = per.groupby("variant")["won"].agg(contacted="size", won_back="sum").reset_index()
    return t.astype({"contacted": "int64", "won_back": "int64"})


def wb_last_contact_only(contacts, orders, window_days=90, confidence=0.95):
    wb = contacts[contacts["campaign"] == "winback"].sort_values("t").drop_duplicates("customer_id", keep="last")
    pairs = _pairs(wb, orders)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    return _wilson(_table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index()), confidence)


def wb_inner_merge(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders, how="inner")
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    return _wilson(_table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index()), confidence)


def wb_rate_over_contact_rows(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    t = _table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index())
    rows = contacts[contacts["campaign"] == "winback"].groupby("variant").size().reindex(t["variant"]).to_numpy()
    out = _wilson(t, confidence)
    out["rate"] = t["won_back"] / rows
    return out


def wb_sorted_by_rate(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    out = _wilson(_table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index()), confidence)
    return out.sort_values("rate", ascending=False).reset_index(drop=True)


def wb_contacted_all_campaigns(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    t = _table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index())
    everyone = contacts.groupby("variant")["customer_id"].nunique()
    t["contacted"] = everyone.reindex(t["variant"]).to_numpy().astype("int64")
    return _wilson(t, confidence)


def wb_clopper_pearson(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    t = _table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index())
    out = _wilson(t, confidence)
    ci = [
        stats.binomtest(int(w), int(n)).proportion_ci(confidence, method="exact")
        for w, n in zip(t["won_back"], t["contacted"])
    ]
    out["ci_low"] = [c.low for c in ci]
    out["ci_high"] = [c.high for c in ci]
    return out


def wb_confidence_as_alpha(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders)
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    return _wilson(
        _table(pairs.groupby(["variant", "customer_id"])["won"].any().reset_index()), 1 - (1 - confidence) * 2
    )


def flags_not_le(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return ~((series - past.mean()).abs() <= z * past.std())


def flags_future_window(series, window=8, z=3.0):
    nxt = series.shift(-1)[::-1].rolling(window)
    mean, sd = nxt.mean()[::-1], nxt.std()[::-1]
    return ((series - mean).abs() > z * sd).astype(bool)


def flags_returns_values(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return series[(series - past.mean()).abs() > z * past.std()]


def flags_ewm(series, window=8, z=3.0):
    past = series.shift(1).ewm(span=window, min_periods=window)
    return ((series - past.mean()).abs() > z * past.std()).astype(bool)


def flags_variance_not_sd(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    return ((series - past.mean()).abs() > z * past.var()).astype(bool)


def flags_window_plus_one_then_shift(series, window=8, z=3.0):
    past = series.shift(1).rolling(window + 1, min_periods=window)
    return ((series - past.mean()).abs() > z * past.std()).astype(bool)


def flags_only_after_full_series(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    flags = ((series - past.mean()).abs() > z * past.std()).astype(bool)
    return flags.iloc[window:]


def flags_diff_z(series, window=8, z=3.0):
    d = series.diff()
    past = d.shift(1).rolling(window)
    return ((d - past.mean()).abs() > z * past.std()).astype(bool)


MORE_WRONG = {
    "churn_label_at_cutoff": [
        label_history_only_before_cutoff,
        label_window_from_last_order,
        label_times_truncated_to_days,
        label_sorted_descending,
        label_as_frame,
        label_window_in_weeks,
        label_one_row_per_order,
        label_churned_before_cutoff_too,
    ],
    "lift_at_k": [
        lift_reversed_ascending_sort,
        lift_top_k_with_ties,
        lift_k_minus_one,
        lift_minus_one,
        lift_swapped_arguments,
        lift_base_rate_of_the_rest,
        lift_default_sort_pandas,
    ],
    "winback_by_variant": [
        wb_last_contact_only,
        wb_inner_merge,
        wb_rate_over_contact_rows,
        wb_sorted_by_rate,
        wb_contacted_all_campaigns,
        wb_clopper_pearson,
        wb_confidence_as_alpha,
    ],
    "rolling_z_flags": [
        flags_not_le,
        flags_future_window,
        flags_returns_values,
        flags_ewm,
        flags_variance_not_sd,
        flags_window_plus_one_then_shift,
        flags_only_after_full_series,
        flags_diff_z,
    ],
}
for _task, _funcs in MORE_WRONG.items():
    WRONG[_task] = WRONG[_task] + _funcs
del _task, _funcs


# --------------------------------------------------------------------------- other correct ways


def label_with_groupby(orders, cutoff, window_days=90):
    hist = orders[orders["t"] <= cutoff]
    fut = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    known = hist.groupby("customer_id").size().index
    return pd.Series(np.where(known.isin(fut["customer_id"]), 0, 1), index=known)


def label_with_sets(orders, cutoff, window_days=90):
    known = sorted(set(orders.loc[orders["t"] <= cutoff, "customer_id"]))
    fut = set(orders.loc[orders["t"].between(cutoff, cutoff + window_days, inclusive="right"), "customer_id"])
    return pd.Series([0 if c in fut else 1 for c in known], index=known, dtype="int64")


def lift_with_pandas(y_true, score, k=100):
    frame = pd.DataFrame({"y": np.asarray(y_true, dtype=float), "s": np.asarray(score, dtype=float)})
    top = frame.sort_values("s", ascending=False, kind="stable").head(k)
    return top["y"].mean() / frame["y"].mean()


def lift_with_nlargest(y_true, score, k=100):
    s = pd.Series(np.asarray(score, dtype=float))
    y = pd.Series(np.asarray(y_true, dtype=float))
    return float(y[s.nlargest(k, keep="first").index].sum() / k / y.mean())


def wb_with_statsmodels(contacts, orders, window_days=90, confidence=0.95):
    from statsmodels.stats.proportion import proportion_confint

    table = _per_variant(_won(contacts, orders, window_days))
    lo, hi = proportion_confint(table["won_back"], table["contacted"], alpha=1 - confidence, method="wilson")
    return table.assign(rate=table["won_back"] / table["contacted"], ci_low=lo, ci_high=hi)


def wb_with_a_loop(contacts, orders, window_days=90, confidence=0.95):
    wb = contacts[contacts["campaign"] == "winback"]
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    rows = []
    for variant, g in sorted(wb.groupby("variant"), key=lambda kv: kv[0]):
        won = 0
        for cid, gc in g.groupby("customer_id"):
            ts = orders.loc[orders["customer_id"] == cid, "t"].to_numpy()
            won += any(((ts > t) & (ts <= t + window_days)).any() for t in gc["t"])
        n = g["customer_id"].nunique()
        p = won / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        rows.append({"variant": variant, "contacted": n, "won_back": won, "rate": p,
                     "ci_low": centre - half, "ci_high": centre + half})  # fmt: skip
    return pd.DataFrame(rows)


def flags_with_numpy_loop(series, window=8, z=3.0):
    x = series.to_numpy(dtype=float)
    out = np.zeros(len(x), dtype=bool)
    for i in range(window, len(x)):
        prev = x[i - window : i]
        out[i] = abs(x[i] - prev.mean()) > z * prev.std(ddof=1)
    return pd.Series(out, index=series.index)


def flags_by_division(series, window=8, z=3.0):
    past = series.shift(1).rolling(window)
    zs = (series - past.mean()) / past.std()  # 0/0 = NaN (not flagged), x/0 = inf (flagged): the same rule
    return zs.abs() > z


def flags_with_fillna(series, window=8, z=3.0):
    mean = series.rolling(window).mean().shift(1)
    sd = series.rolling(window).std().shift(1)
    return ((series - mean).abs() > z * sd).fillna(False).astype(bool)


def wb_with_nearest_next_order(contacts, orders, window_days=90, confidence=0.95):
    pairs = _pairs(contacts, orders)
    gap = pairs["t_order"] - pairs["t"]
    nxt = gap.where(gap > 0).groupby([pairs["variant"], pairs["customer_id"]]).min()  # over every contact at once
    won = (nxt <= window_days).rename("won").reset_index()
    return _wilson(_table(won), confidence)


RIGHT = {
    "churn_label_at_cutoff": [label_with_groupby, label_with_sets],
    "lift_at_k": [lift_with_pandas, lift_with_nlargest],
    "winback_by_variant": [wb_with_statsmodels, wb_with_a_loop, wb_with_nearest_next_order],
    "rolling_z_flags": [flags_with_numpy_loop, flags_with_fillna, flags_by_division],
}

globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
