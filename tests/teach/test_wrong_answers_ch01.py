"""Wrong-answer catalogue for chapter 01: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from catalogue import assert_complete, assert_wrong, catalogue_ids, notebook_functions

from sim.teach.tasks import get_task, grade

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


def test_catalogue_covers_every_task_of_the_notebook():
    assert_complete(WRONG, notebook_functions(NOTEBOOK, NAMESPACE))


@pytest.mark.parametrize(("name", "wrong"), catalogue_ids(WRONG), ids=lambda x: getattr(x, "__name__", x))
def test_wrong_answer_is_rejected(name, wrong):
    assert_wrong(get_task(name), wrong)


@pytest.mark.parametrize("name", list(WRONG))
def test_solution_passes_and_stub_is_a_stub(name):
    task = get_task(name)
    solution = notebook_functions(NOTEBOOK, NAMESPACE)[name]
    assert grade(task, solution).status == "correct", grade(task, solution).detail
    assert grade(task, notebook_functions(NOTEBOOK, NAMESPACE, stub=True)[name]).status == "stub"
