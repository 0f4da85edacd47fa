"""Wrong-answer catalogue for chapter 01: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from catalogue import chapter_tests

NOTEBOOK = "01_why_retention_pays.ipynb"
NAMESPACE = {"pd": pd, "np": np}

# Notebook-like globals a trainee might read instead of the arguments.
CUTOFF = 1005.0
frequent_ids = pd.Index([1, 2, 3])


# --------------------------------------------------------------------------- repurchase_rate


def _share(orders, customer_ids, mask):
    return float(pd.Index(customer_ids).isin(set(orders.loc[mask, "customer_id"])).mean())


def window_without_end(orders, customer_ids, cutoff, window_days=90):
    return _share(orders, customer_ids, orders["t"] > cutoff)


def cutoff_inclusive(orders, customer_ids, cutoff, window_days=90):
    return _share(orders, customer_ids, (orders["t"] >= cutoff) & (orders["t"] <= cutoff + window_days))


def window_end_exclusive(orders, customer_ids, cutoff, window_days=90):
    return _share(orders, customer_ids, (orders["t"] > cutoff) & (orders["t"] < cutoff + window_days))


def fixed_90_days(orders, customer_ids, cutoff, window_days=90):
    return _share(orders, customer_ids, (orders["t"] > cutoff) & (orders["t"] <= cutoff + 90))


def global_cutoff(orders, customer_ids, cutoff, window_days=90):
    return _share(orders, customer_ids, (orders["t"] > CUTOFF) & (orders["t"] <= CUTOFF + window_days))


def divides_by_buyers_with_orders(orders, customer_ids, cutoff, window_days=90):
    window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    in_group = orders[orders["customer_id"].isin(customer_ids)]
    return float(window["customer_id"].isin(customer_ids).sum() / max(in_group["customer_id"].nunique(), 1))


def ignores_the_group(orders, customer_ids, cutoff, window_days=90):
    window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    return float(window["customer_id"].nunique() / orders["customer_id"].nunique())


def counts_orders_not_customers(orders, customer_ids, cutoff, window_days=90):
    window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    return float(window["customer_id"].isin(customer_ids).sum() / len(customer_ids))


# --------------------------------------------------------------------------- ltv_to_cac


def revenue_not_margin(customers, orders, margin_rate):
    return float(orders["amount"].sum() / len(customers) / customers["cac"].mean())


def per_order(customers, orders, margin_rate):
    return float(margin_rate * orders["amount"].mean() / customers["cac"].mean())


def only_buyers(customers, orders, margin_rate):
    ltv = margin_rate * orders["amount"].sum() / orders["customer_id"].nunique()
    return float(ltv / customers["cac"].mean())


def fixed_margin(customers, orders, margin_rate):
    return float(0.35 * orders["amount"].sum() / len(customers) / customers["cac"].mean())


def total_cac(customers, orders, margin_rate):
    return float(margin_rate * orders["amount"].sum() / len(customers) / customers["cac"].sum())


def ltv_minus_one(customers, orders, margin_rate):
    return float(margin_rate * orders["amount"].sum() / len(customers) / customers["cac"].mean() - 1)


# --------------------------------------------------------------------------- campaign_net_roi


def roas(cost, incremental_revenue, margin_rate):
    return incremental_revenue / cost


def revenue_roi(cost, incremental_revenue, margin_rate):
    return (incremental_revenue - cost) / cost


def gain_over_cost(cost, incremental_revenue, margin_rate):
    return incremental_revenue * margin_rate / cost


def sign_flipped(cost, incremental_revenue, margin_rate):
    return (cost - incremental_revenue * margin_rate) / cost


def divides_by_gain(cost, incremental_revenue, margin_rate):
    gain = incremental_revenue * margin_rate
    return (gain - cost) / gain if gain else -1.0


def fixed_margin_roi(cost, incremental_revenue, margin_rate):
    return (incremental_revenue * 0.35 - cost) / cost


def roi_in_percent(cost, incremental_revenue, margin_rate):
    return 100 * (incremental_revenue * margin_rate - cost) / cost


# --------------------------------------------------------------------------- cost_per_saved_customer


def multiplies(contact_cost, would_leave_share, save_rate):
    return contact_cost * would_leave_share * save_rate


def ignores_save_rate(contact_cost, would_leave_share, save_rate):
    return contact_cost / would_leave_share


def ignores_leave_share(contact_cost, would_leave_share, save_rate):
    return contact_cost / save_rate


def adds_shares(contact_cost, would_leave_share, save_rate):
    return contact_cost / (would_leave_share + save_rate)


def saves_per_cny(contact_cost, would_leave_share, save_rate):
    return would_leave_share * save_rate / contact_cost


def notebook_numbers(contact_cost, would_leave_share, save_rate):
    return 5.0 / (0.40 * 0.15)


# --------------------------------------------------------------------------- profit_change_pct


def _profit(kpis, margin_rate):
    return margin_rate * kpis["revenue"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]


def uses_reported_profit(before, after, margin_rate):
    return float(100 * (after["profit"] / before["profit"] - 1))


def no_retention_cost(before, after, margin_rate):
    def p(k):
        return margin_rate * k["revenue"] - k["acquisition_cost"] - k["service_cost"]

    return float(100 * (p(after) / p(before) - 1))


def uses_gross_margin(before, after, margin_rate):
    def p(k):
        return k["gross_margin"] - k["acquisition_cost"] - k["service_cost"] - k["retention_cost"]

    return float(100 * (p(after) / p(before) - 1))


def ratio_not_percent(before, after, margin_rate):
    return float(_profit(after, margin_rate) / _profit(before, margin_rate) - 1)


def swapped(before, after, margin_rate):
    return float(100 * (_profit(before, margin_rate) / _profit(after, margin_rate) - 1))


def absolute_change(before, after, margin_rate):
    return float(_profit(after, margin_rate) - _profit(before, margin_rate))


def writes_into_kpis(before, after, margin_rate):
    before["profit"] = _profit(before, margin_rate)
    after["profit"] = _profit(after, margin_rate)
    return float(100 * (after["profit"] / before["profit"] - 1))


# =========================================================================== second review (issue 9 follow-up)
# Wrong answers found when the checks were attacked again; several passed the checks of that time
# (see the lead's note for issue 9). They join WRONG below.

_memo = {}


# --------------------------------------------------------------------------- repurchase_rate (second review)


def default_window_60(orders, customer_ids, cutoff, window_days=60):
    return _share(orders, customer_ids, (orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days))


def whole_day_cutoff(orders, customer_ids, cutoff, window_days=90):
    cutoff = int(cutoff)
    return _share(orders, customer_ids, (orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days))


def looks_back(orders, customer_ids, cutoff, window_days=90):
    return _share(orders, customer_ids, (orders["t"] > cutoff - window_days) & (orders["t"] <= cutoff))


def order_days_truncated(orders, customer_ids, cutoff, window_days=90):
    t = orders["t"].astype(int)
    return _share(orders, customer_ids, (t > cutoff) & (t <= cutoff + window_days))


def rounded_share(orders, customer_ids, cutoff, window_days=90):
    return round(_share(orders, customer_ids, (orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)), 3)


def count_of_buyers(orders, customer_ids, cutoff, window_days=90):
    window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    return int(pd.Index(customer_ids).isin(window["customer_id"]).sum())


def mask_not_share(orders, customer_ids, cutoff, window_days=90):
    window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    return pd.Index(customer_ids).isin(window["customer_id"])


def ids_sorted_in_place(orders, customer_ids, cutoff, window_days=90):
    if isinstance(customer_ids, (list, np.ndarray)):
        customer_ids.sort()
    return _share(orders, customer_ids, (orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days))


def churn_complement_of_orders(orders, customer_ids, cutoff, window_days=90):
    group = orders[orders["customer_id"].isin(customer_ids)]
    late = group[(group["t"] > cutoff) & (group["t"] <= cutoff + window_days)]
    return float(late["customer_id"].nunique() / max(group["customer_id"].nunique(), 1))


# --------------------------------------------------------------------------- ltv_to_cac (second review)


def mean_of_ratios(customers, orders, margin_rate):
    rev = orders.groupby("customer_id")["amount"].sum().reindex(customers["customer_id"], fill_value=0)
    return float((margin_rate * rev.to_numpy() / customers["cac"].to_numpy()).mean())


def median_cac(customers, orders, margin_rate):
    return float(margin_rate * orders["amount"].sum() / len(customers) / customers["cac"].median())


def cac_over_ltv(customers, orders, margin_rate):
    return float(customers["cac"].mean() / (margin_rate * orders["amount"].sum() / len(customers)))


def cost_rate_not_margin(customers, orders, margin_rate):
    return float((1 - margin_rate) * orders["amount"].sum() / len(customers) / customers["cac"].mean())


def rounded_ratio(customers, orders, margin_rate):
    return round(float(margin_rate * orders["amount"].sum() / len(customers) / customers["cac"].mean()), 1)


def ratio_in_percent(customers, orders, margin_rate):
    return float(100 * margin_rate * orders["amount"].sum() / len(customers) / customers["cac"].mean())


def distinct_amounts(customers, orders, margin_rate):
    return float(margin_rate * orders["amount"].drop_duplicates().sum() / len(customers) / customers["cac"].mean())


def ratio_as_series(customers, orders, margin_rate):
    return margin_rate * orders[["amount"]].sum() / len(customers) / customers["cac"].mean()


# --------------------------------------------------------------------------- campaign_net_roi (second review)


def rounded_roi(cost, incremental_revenue, margin_rate):
    return round((incremental_revenue * margin_rate - cost) / cost, 2)


def floor_division(cost, incremental_revenue, margin_rate):
    return (incremental_revenue * margin_rate - cost) // cost


def absolute_roi(cost, incremental_revenue, margin_rate):
    return abs((incremental_revenue * margin_rate - cost) / cost)


def never_negative(cost, incremental_revenue, margin_rate):
    return max((incremental_revenue * margin_rate - cost) / cost, 0.0)


def roi_as_text(cost, incremental_revenue, margin_rate):
    return f"{(incremental_revenue * margin_rate - cost) / cost:.2%}"


def margin_of_profit(cost, incremental_revenue, margin_rate):
    return (incremental_revenue - cost) * margin_rate / cost


def notebook_answer(cost, incremental_revenue, margin_rate):
    return 0.3125


def over_cost_plus_gain(cost, incremental_revenue, margin_rate):
    gain = incremental_revenue * margin_rate
    return (gain - cost) / (cost + gain)


# --------------------------------------------------------------------------- cost_per_saved_customer (second review)


def times_leave_over_save(contact_cost, would_leave_share, save_rate):
    return contact_cost * would_leave_share / save_rate


def stayers_not_leavers(contact_cost, would_leave_share, save_rate):
    return contact_cost / ((1 - would_leave_share) * save_rate)


def lost_not_saved(contact_cost, would_leave_share, save_rate):
    return contact_cost / (would_leave_share * (1 - save_rate))


def rounded_cost(contact_cost, would_leave_share, save_rate):
    return round(contact_cost / (would_leave_share * save_rate))


def whole_cny(contact_cost, would_leave_share, save_rate):
    return contact_cost // (would_leave_share * save_rate)


def shares_as_percent(contact_cost, would_leave_share, save_rate):
    return contact_cost / (would_leave_share * save_rate * 100)


def hint_number(contact_cost, would_leave_share, save_rate):
    return 200.0


def cost_plus_contact(contact_cost, would_leave_share, save_rate):
    return contact_cost + contact_cost / (would_leave_share * save_rate)


# --------------------------------------------------------------------------- profit_change_pct (second review)


def _p(k, m):
    return m * k["revenue"] - k["acquisition_cost"] - k["service_cost"] - k["retention_cost"]


def absolute_pct(before, after, margin_rate):
    return float(abs(100 * (_p(after, margin_rate) / _p(before, margin_rate) - 1)))


def rounded_pct(before, after, margin_rate):
    return round(float(100 * (_p(after, margin_rate) / _p(before, margin_rate) - 1)), 1)


def log_change(before, after, margin_rate):
    return float(100 * math.log(_p(after, margin_rate) / _p(before, margin_rate)))


def over_after(before, after, margin_rate):
    return float(100 * (_p(after, margin_rate) - _p(before, margin_rate)) / _p(after, margin_rate))


def margin_of_everything(before, after, margin_rate):
    def p(k):
        return margin_rate * (k["revenue"] - k["acquisition_cost"] - k["service_cost"] - k["retention_cost"])

    return float(100 * (p(after) / p(before) - 1))


def margin_in_percent(before, after, margin_rate):
    return float(100 * (_p(after, margin_rate * 100) / _p(before, margin_rate * 100) - 1))


def gross_margin_times_rate(before, after, margin_rate):
    def p(k):
        return margin_rate * k["gross_margin"] - k["acquisition_cost"] - k["service_cost"] - k["retention_cost"]

    return float(100 * (p(after) / p(before) - 1))


def pct_as_series(before, after, margin_rate):
    b = (
        margin_rate * before[["revenue"]]
        - before["acquisition_cost"]
        - before["service_cost"]
        - before["retention_cost"]
    )
    a = margin_rate * after[["revenue"]] - after["acquisition_cost"] - after["service_cost"] - after["retention_cost"]
    return 100 * (a / b - 1)


def reported_profit_adjusted(before, after, margin_rate):
    def p(k):
        return k["profit"] + (margin_rate - 0.35) * k["revenue"]

    return float(100 * (p(after) / p(before) - 1))


WRONG = {
    "repurchase_rate": [window_without_end, cutoff_inclusive, window_end_exclusive, fixed_90_days, global_cutoff,
                        divides_by_buyers_with_orders, ignores_the_group, counts_orders_not_customers],
    "ltv_to_cac": [revenue_not_margin, per_order, only_buyers, fixed_margin, total_cac, ltv_minus_one],
    "campaign_net_roi": [roas, revenue_roi, gain_over_cost, sign_flipped, divides_by_gain, fixed_margin_roi,
                         roi_in_percent],
    "cost_per_saved_customer": [multiplies, ignores_save_rate, ignores_leave_share, adds_shares, saves_per_cny,
                                notebook_numbers],
    "profit_change_pct": [uses_reported_profit, no_retention_cost, uses_gross_margin, ratio_not_percent, swapped,
                          absolute_change, writes_into_kpis],
}  # fmt: skip

# --------------------------------------------------------------------------- the package's own versions (second review)


def uses_churn_labels(orders, customer_ids, cutoff, window_days=90):
    from sim.analysis.churn import churn_labels

    labels = churn_labels(orders, cutoff, window_days)
    return float(1 - labels.reindex(pd.Index(customer_ids), fill_value=1).mean())


def uses_package_campaign_roi(cost, incremental_revenue, margin_rate):
    from sim.analysis.roi import campaign_roi

    return float(campaign_roi(cost, incremental_revenue, margin_rate)["roi"])


SECOND_REVIEW = {
    "repurchase_rate": [default_window_60, whole_day_cutoff, looks_back, order_days_truncated, rounded_share,
                        count_of_buyers, mask_not_share, ids_sorted_in_place, churn_complement_of_orders,
                        uses_churn_labels],
    "ltv_to_cac": [mean_of_ratios, median_cac, cac_over_ltv, cost_rate_not_margin, rounded_ratio, ratio_in_percent,
                   distinct_amounts, ratio_as_series],
    "campaign_net_roi": [rounded_roi, floor_division, absolute_roi, never_negative, roi_as_text, margin_of_profit,
                         notebook_answer, over_cost_plus_gain, uses_package_campaign_roi],
    "cost_per_saved_customer": [times_leave_over_save, stayers_not_leavers, lost_not_saved, rounded_cost, whole_cny,
                                shares_as_percent, hint_number, cost_plus_contact],
    "profit_change_pct": [absolute_pct, rounded_pct, log_change, over_after, margin_of_everything, margin_in_percent,
                          gross_margin_times_rate, pct_as_series, reported_profit_adjusted],
}  # fmt: skip

WRONG = {name: [*funcs, *SECOND_REVIEW.get(name, [])] for name, funcs in WRONG.items()}


# =========================================================================== other correct ways
# Correct answers written differently (numpy scalars, other idioms, the package's small helpers for the last
# step): the checks must not be stricter than the spec.


def repurchase_by_hand(orders, customer_ids, cutoff, window_days=90):
    window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    buyers = set(window["customer_id"])
    ids = list(customer_ids)
    return sum(i in buyers for i in ids) / len(ids)


def repurchase_numpy(orders, customer_ids, cutoff, window_days=90):
    t = orders["t"].to_numpy()
    buyers = orders["customer_id"].to_numpy()[(t > cutoff) & (t <= cutoff + window_days)]
    return np.isin(np.asarray(customer_ids), buyers).mean()


def ltv_numpy_scalar(customers, orders, margin_rate):
    return margin_rate * orders["amount"].to_numpy().sum() / customers.shape[0] / customers["cac"].to_numpy().mean()


def ltv_with_package_helper(customers, orders, margin_rate):
    from sim.analysis import roi

    return float(roi.ltv_cac(margin_rate * orders["amount"].sum() / len(customers), customers["cac"].mean()))


def roi_gain_over_cost_minus_one(cost, incremental_revenue, margin_rate):
    return incremental_revenue * margin_rate / cost - 1


def roi_with_package_helper(cost, incremental_revenue, margin_rate):
    from sim.analysis import roi

    return float(roi.roi(incremental_revenue * margin_rate, cost))


def cost_per_save_two_divisions(contact_cost, would_leave_share, save_rate):
    return contact_cost / would_leave_share / save_rate


def cost_per_save_numpy(contact_cost, would_leave_share, save_rate):
    return np.float64(contact_cost) / np.multiply(would_leave_share, save_rate)


def change_pct_as_a_table(before, after, margin_rate):
    kpis = pd.DataFrame({"before": before, "after": after})
    costs = kpis.loc[["acquisition_cost", "service_cost", "retention_cost"]].sum()
    profit = margin_rate * kpis.loc["revenue"] - costs
    return 100 * (profit["after"] - profit["before"]) / profit["before"]


def change_pct_from_reported_profit(before, after, margin_rate):
    def profit(k):  # the reported profit, moved from the run's own margin rate to margin_rate
        return k["profit"] + (margin_rate - k["gross_margin"] / k["revenue"]) * k["revenue"]

    return float(100 * (profit(after) / profit(before) - 1))


RIGHT = {
    "repurchase_rate": [repurchase_by_hand, repurchase_numpy],
    "ltv_to_cac": [ltv_numpy_scalar, ltv_with_package_helper],
    "campaign_net_roi": [roi_gain_over_cost_minus_one, roi_with_package_helper],
    "cost_per_saved_customer": [cost_per_save_two_divisions, cost_per_save_numpy],
    "profit_change_pct": [change_pct_as_a_table, change_pct_from_reported_profit],
}


# the five tests every chapter runs (see catalogue.chapter_tests)
globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
