"""Wrong-answer catalogue for chapter 00: plausible mistakes the self-checks must reject.

Each function below is a mistake a trainee could make (boundary, ignored parameter, wrong
column, constant, notebook global instead of the argument, mutation, unsorted, ...); every one
must be graded "wrong". The notebook's own solution must pass and its stub must be a stub.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from catalogue import assert_complete, assert_wrong, catalogue_ids, notebook_functions

from sim.teach.tasks import get_task, grade

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
