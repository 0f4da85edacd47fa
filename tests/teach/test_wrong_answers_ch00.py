"""Wrong-answer catalogue for chapter 00: plausible mistakes the self-checks must reject.

Each function below is a mistake a trainee could make (boundary, ignored parameter, wrong
column, constant, notebook global instead of the argument, mutation, unsorted, ...); every one
must be graded "wrong". The notebook's own solution must pass and its stub must be a stub.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from catalogue import chapter_tests

NOTEBOOK = "00_orientation.ipynb"
NAMESPACE = {"pd": pd, "np": np}

# A notebook-like global a trainee might read instead of the argument.
seen_orders = pd.DataFrame({"customer_id": [1, 1, 2, 3], "t": [5.0, 300.0, 700.0, 720.0]})
k = pd.Series({"revenue": 9e5, "gross_margin": 3e5, "acquisition_cost": 5e4, "service_cost": 4e4,
               "retention_cost": 1e4, "profit": 2e5})  # fmt: skip


# --------------------------------------------------------------------------- repeat_purchase_rate


def more_than_two(orders):
    return float((orders.groupby("customer_id").size() > 2).mean())


def count_not_share(orders):
    return int((orders.groupby("customer_id").size() >= 2).sum())


def share_of_orders(orders):
    return float(orders["customer_id"].duplicated().mean())


def divide_by_orders(orders):
    return float((orders.groupby("customer_id").size() >= 2).sum() / len(orders))


def global_orders(orders):
    return float((seen_orders.groupby("customer_id").size() >= 2).mean())


def constant_rate(orders):
    return 0.3


def rate_in_percent(orders):
    return float(100 * (orders.groupby("customer_id").size() >= 2).mean())


# --------------------------------------------------------------------------- active_customers


def start_inclusive(orders, end_t, window_days=90):
    return int(orders.loc[orders["t"] >= end_t - window_days, "customer_id"].nunique())


def no_upper_bound(orders, end_t, window_days=90):
    return int(orders.loc[orders["t"] > end_t - window_days, "customer_id"].nunique())


def end_exclusive(orders, end_t, window_days=90):
    recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] < end_t)]
    return int(recent["customer_id"].nunique())


def counts_orders(orders, end_t, window_days=90):
    recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] <= end_t)]
    return len(recent)


def ignores_window(orders, end_t, window_days=90):
    recent = orders[(orders["t"] > end_t - 90) & (orders["t"] <= end_t)]
    return int(recent["customer_id"].nunique())


def global_end(orders, end_t, window_days=90):
    recent = orders[(orders["t"] > 730 - window_days) & (orders["t"] <= 730)]
    return int(recent["customer_id"].nunique())


def last_order_only_float(orders, end_t, window_days=90):
    last = orders.groupby("customer_id")["t"].max()
    return float(((last > end_t - window_days) & (last <= end_t)).mean())


# --------------------------------------------------------------------------- latent_columns


def unsorted(table):
    return [c for c in table.columns if c.startswith("true_")]


def contains_true(table):
    return sorted(c for c in table.columns if "true_" in c)


def no_underscore(table):
    return sorted(c for c in table.columns if c.startswith("true"))


def case_insensitive(table):
    return sorted(c for c in table.columns if c.lower().startswith("true_"))


def as_a_set(table):
    return {c for c in table.columns if c.startswith("true_")}


def reverse_sorted(table):
    return sorted((c for c in table.columns if c.startswith("true_")), reverse=True)


def constant_names(table):
    return ["true_alive", "true_churn_reason", "true_churn_t", "true_dropout_prob"]


# --------------------------------------------------------------------------- profit_from_parts


def reads_profit(kpis):
    return float(kpis["profit"])


def no_retention_cost(kpis):
    return float(kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"])


def from_revenue(kpis):
    return float(kpis["revenue"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"])


def adds_a_cost(kpis):
    return float(kpis["gross_margin"] - kpis["acquisition_cost"] + kpis["service_cost"] - kpis["retention_cost"])


def global_kpis(kpis):
    return float(k["gross_margin"] - k["acquisition_cost"] - k["service_cost"] - k["retention_cost"])


def mutates_kpis(kpis):
    kpis["profit"] = kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]
    return float(kpis["profit"])


def profit_as_series(kpis):
    return kpis[["gross_margin"]] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]


# =========================================================================== second review (issue 9 follow-up)
# Wrong answers found when the checks were attacked again; several passed the checks of that time
# (see the lead's note for issue 9). They join WRONG below.

_memo = {}


# --------------------------------------------------------------------------- repeat_purchase_rate (second review)


def distinct_days(orders):
    return float((orders.assign(day=orders["t"].astype(int)).groupby("customer_id")["day"].nunique() >= 2).mean())


def rounded_rate(orders):
    return round(float((orders.groupby("customer_id").size() >= 2).mean()), 2)


def integer_division(orders):
    per = orders.groupby("customer_id").size()
    return (per >= 2).sum() // per.size


def extra_orders_per_customer(orders):
    return float(orders["customer_id"].duplicated().sum() / orders["customer_id"].nunique())


def order_weighted(orders):
    return float(orders.groupby("customer_id")["t"].transform("size").ge(2).mean())


def rate_as_series(orders):
    return (orders.groupby("customer_id").size() >= 2).to_frame("repeat").mean()


def cached_rate(orders):
    if "rate" not in _memo:
        _memo["rate"] = float((orders.groupby("customer_id").size() >= 2).mean())
    return _memo["rate"]


def ones_over_customers(orders):
    per = orders.groupby("customer_id").size()
    return float(1 - (per == 1).sum() / len(orders))


# --------------------------------------------------------------------------- active_customers (second review)


def default_window_30(orders, end_t, window_days=30):
    recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] <= end_t)]
    return int(recent["customer_id"].nunique())


def last_order_in_window(orders, end_t, window_days=90):
    last = orders.groupby("customer_id")["t"].max()
    return int(((last > end_t - window_days) & (last <= end_t)).sum())


def whole_days(orders, end_t, window_days=90):
    t = np.floor(orders["t"])
    return int(orders.loc[(t > end_t - window_days) & (t <= end_t), "customer_id"].nunique())


def count_as_float(orders, end_t, window_days=90):
    recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] <= end_t)]
    return float(recent["customer_id"].nunique())


def both_ends_flipped(orders, end_t, window_days=90):
    recent = orders[(orders["t"] >= end_t - window_days) & (orders["t"] < end_t)]
    return int(recent["customer_id"].nunique())


def helper_column_in_the_input(orders, end_t, window_days=90):
    orders["recent"] = (orders["t"] > end_t - window_days) & (orders["t"] <= end_t)
    return int(orders.loc[orders["recent"], "customer_id"].nunique())


def share_not_count(orders, end_t, window_days=90):
    recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] <= end_t)]
    return recent["customer_id"].nunique() / orders["customer_id"].nunique()


def window_from_first_order(orders, end_t, window_days=90):
    start = orders["t"].min()
    recent = orders[(orders["t"] >= start) & (orders["t"] <= start + window_days)]
    return int(recent["customer_id"].nunique())


# --------------------------------------------------------------------------- latent_columns (second review)


def prefix_by_split(table):
    return sorted(c for c in table.columns if c.split("_")[0] == "true")


def sorted_by_length(table):
    return sorted((c for c in table.columns if c.startswith("true_")), key=len)


def prefix_removed(table):
    return sorted(c[len("true_") :] for c in table.columns if c.startswith("true_"))


def filter_regex_unsorted(table):
    return table.filter(regex="^true_").columns.tolist()


def joined_text(table):
    return ", ".join(sorted(c for c in table.columns if c.startswith("true_")))


def hidden_values(table):
    return [table[c] for c in sorted(c for c in table.columns if c.startswith("true_"))]


def dtype_bool_only(table):
    return sorted(c for c in table.columns if c.startswith("true_") and table[c].dtype != object)


def cached_names(table):
    if "names" not in _memo:
        _memo["names"] = sorted(c for c in table.columns if c.startswith("true_"))
    return _memo["names"]


# --------------------------------------------------------------------------- profit_from_parts (second review)


def profit_if_present(kpis):
    if "profit" in kpis:
        return float(kpis["profit"])
    return float(kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"])


def by_position(kpis):
    return float(kpis.iloc[1] - kpis.iloc[2] - kpis.iloc[3] - kpis.iloc[4])


def every_cost(kpis):
    return float(kpis["gross_margin"] - kpis.filter(like="cost").sum())


def rounded_profit(kpis):
    return float(round(kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]))


def absolute_profit(kpis):
    return abs(float(kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]))


def sim_margin_of_revenue(kpis):
    return float(0.35 * kpis["revenue"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"])


def series_with_profit(kpis):
    out = kpis.copy()
    out["profit"] = kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]
    return out


def missing_costs_as_zero(kpis):
    k = kpis.reindex(["gross_margin", "acquisition_cost", "service_cost"]).fillna(0)
    return float(k.iloc[0] - k.iloc[1:].sum())


WRONG = {
    "repeat_purchase_rate": [more_than_two, count_not_share, share_of_orders, divide_by_orders, global_orders,
                             constant_rate, rate_in_percent],
    "active_customers": [start_inclusive, no_upper_bound, end_exclusive, counts_orders, ignores_window, global_end,
                         last_order_only_float],
    "latent_columns": [unsorted, contains_true, no_underscore, case_insensitive, as_a_set, reverse_sorted,
                       constant_names],
    "profit_from_parts": [reads_profit, no_retention_cost, from_revenue, adds_a_cost, global_kpis, mutates_kpis,
                          profit_as_series],
}  # fmt: skip

SECOND_REVIEW = {
    "repeat_purchase_rate": [distinct_days, rounded_rate, integer_division, extra_orders_per_customer, order_weighted,
                             rate_as_series, cached_rate, ones_over_customers],
    "active_customers": [default_window_30, last_order_in_window, whole_days, count_as_float, both_ends_flipped,
                         helper_column_in_the_input, share_not_count, window_from_first_order],
    "latent_columns": [prefix_by_split, sorted_by_length, prefix_removed, filter_regex_unsorted, joined_text,
                       hidden_values, dtype_bool_only, cached_names],
    "profit_from_parts": [profit_if_present, by_position, every_cost, rounded_profit, absolute_profit,
                          sim_margin_of_revenue, series_with_profit, missing_costs_as_zero],
}  # fmt: skip

WRONG = {name: [*funcs, *SECOND_REVIEW.get(name, [])] for name, funcs in WRONG.items()}


# =========================================================================== other correct ways
# Correct answers written differently (numpy scalars, other idioms): the checks must not be stricter than the spec.


def repeat_rate_numpy_scalar(orders):
    return orders["customer_id"].value_counts().ge(2).mean()


def repeat_rate_by_hand(orders):
    counts = {}
    for customer in orders["customer_id"]:
        counts[customer] = counts.get(customer, 0) + 1
    return sum(n >= 2 for n in counts.values()) / len(counts)


def active_with_numpy(orders, end_t, window_days=90):
    t = orders["t"]
    return np.unique(orders.loc[(t > end_t - window_days) & (t <= end_t), "customer_id"]).size


def active_with_query(orders, end_t, window_days=90):
    return orders.query("@end_t - @window_days < t <= @end_t")["customer_id"].nunique()


def latent_with_filter(table):
    return sorted(table.filter(regex="^true_").columns)


def latent_with_str_accessor(table):
    return table.columns[table.columns.str.startswith("true_")].sort_values().tolist()


def profit_numpy_scalar(kpis):
    return kpis["gross_margin"] - kpis[["acquisition_cost", "service_cost", "retention_cost"]].sum()


def profit_with_a_loop(kpis):
    profit = kpis["gross_margin"]
    for cost in ("acquisition_cost", "service_cost", "retention_cost"):
        profit -= kpis[cost]
    return float(profit)


RIGHT = {
    "repeat_purchase_rate": [repeat_rate_numpy_scalar, repeat_rate_by_hand],
    "active_customers": [active_with_numpy, active_with_query],
    "latent_columns": [latent_with_filter, latent_with_str_accessor],
    "profit_from_parts": [profit_numpy_scalar, profit_with_a_loop],
}


# the five tests every chapter runs (see catalogue.chapter_tests)
globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
