"""Tasks of chapter 01 (why retention pays): repurchase, LTV/CAC, ROI, cost per save, profit change.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.churn.churn_labels``, ``sim.analysis.roi``). Every
parameter takes at least two values across the cases, so an answer that ignores
``window_days``, ``margin_rate`` or ``save_rate`` fails; the realistic cases use small
simulation runs other than the notebook's.

Examples
--------
>>> [t.name for t in TASKS]
['repurchase_rate', 'ltv_to_cac', 'campaign_net_roi', 'cost_per_saved_customer', 'profit_change_pct']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]


@lru_cache(maxsize=4)
def _run(name: str, customers: int, days: int, seed: int, b: float | None = None) -> Any:
    """A small simulation run (never the notebook's size and seed)."""
    from sim.config import Scenario
    from sim.runner import run

    scenario = Scenario.load(name)
    if name == "btyd_only":
        scenario = scenario.updated({"population.initial_share": 0.0})
    if b is not None:
        scenario = scenario.updated({"purchase.b": b})
    return run(scenario, customers=customers, days=days, seed=seed)


def _orders(*rows: tuple[int, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "t"])
    frame["amount"] = 50.0 + 25.0 * frame.index
    return frame


# --------------------------------------------------------------------------- repurchase_rate


def _repurchase_rate(orders: pd.DataFrame, customer_ids: Any, cutoff: float, window_days: float = 90) -> float:
    in_window = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]
    buyers = set(in_window["customer_id"])
    return float(pd.Index(customer_ids).isin(buyers).mean())


def _repurchase_cases() -> list[Case]:
    edges = _orders((1, 100.0), (2, 100.5), (3, 190.0), (4, 190.5), (5, 150.0), (5, 160.0), (9, 120.0))
    group = [1, 2, 3, 4, 5, 6]
    flow = _run("btyd_only", 800, 730, 5)
    cut = 640.0
    so_far = flow.orders[flow.orders["t"] <= cut].groupby("customer_id").size()
    return [
        Case(
            "an order exactly at the cut-off is not in the window (cutoff < t)", (_orders((1, 100.0)), [1], 100.0, 90)
        ),
        Case(
            "an order exactly window_days after the cut-off counts (t <= cutoff + window_days)",
            (_orders((1, 190.0)), [1], 100.0, 90),
        ),
        Case("an order after the window's end does not count", (_orders((1, 50.0), (1, 200.0)), [1], 100.0, 90)),
        Case(
            "customers of the group without any order are in the denominator; customer 9 is not in the group",
            (edges, group, 100.0, 90),
        ),
        Case("the same orders and group with window_days = 60", (edges, group, 100.0, 60)),
        Case("the same orders and group with cutoff = 95 and window_days = 10", (edges, group, 95.0, 10)),
        Case(
            "customer_ids given as a numpy array, with a customer who orders twice in the window",
            (edges, np.array([9, 5]), 100.0, 90),
        ),
        Case("the same orders and group, window_days left out: its default is 90", (edges, [6, 3, 1, 4, 2, 5], 100.0)),
        Case(
            "a cut-off within a day (cutoff = 99.5): the window is (99.5, 189.5]",
            (_orders((1, 99.2), (2, 99.7), (3, 189.4), (3, 189.6), (4, 189.6)), [4, 2, 1], 99.5, 90),
        ),
        Case(
            "simulated one-time buyers at a cut-off (a pandas Index of ids)",
            (flow.orders, so_far.index[so_far == 1], cut, 90),
        ),
        Case("simulated frequent customers, window_days = 45", (flow.orders, so_far.index[so_far >= 4], cut, 45)),
    ]


# --------------------------------------------------------------------------- ltv_to_cac


def _ltv_to_cac(customers: pd.DataFrame, orders: pd.DataFrame, margin_rate: float) -> float:
    ltv = margin_rate * orders["amount"].sum() / len(customers)
    return float(ltv / customers["cac"].mean())


def _customers(*cac: float) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": range(1, len(cac) + 1), "cac": cac, "channel": "search"})


def _ltv_cases() -> list[Case]:
    orders = pd.DataFrame(
        {"customer_id": [1, 1, 2, 1], "t": [1.0, 5.0, 9.0, 30.0], "amount": [100.0, 300.0, 200.0, 400.0]}
    )
    same = pd.DataFrame({"customer_id": [1, 2, 2], "t": [3.0, 4.0, 8.0], "amount": [80.0, 80.0, 80.0]})
    real = _run("baseline", 400, 365, 21)
    return [
        Case("two customers, four orders, margin_rate = 0.5", (_customers(50.0, 150.0), orders, 0.5)),
        Case("the same data with margin_rate = 0.2", (_customers(50.0, 150.0), orders, 0.2)),
        Case(
            "a customer without orders still counts in the average LTV",
            (_customers(100.0, 100.0, 100.0, 100.0), orders, 0.35),
        ),
        Case("different acquisition costs: divide by the *average* CAC", (_customers(20.0, 60.0, 100.0), orders, 1.0)),
        Case("skewed acquisition costs (the average, not the median)", (_customers(10.0, 20.0, 90.0), orders, 0.4)),
        Case("three orders of the same amount are three orders", (_customers(40.0, 40.0), same, 0.5)),
        Case("a simulated firm's customers and orders, margin_rate = 0.35", (real.customers, real.orders, 0.35)),
        Case("the same firm at margin_rate = 0.25", (real.customers, real.orders, 0.25)),
    ]


# --------------------------------------------------------------------------- campaign_net_roi


def _campaign_net_roi(cost: float, incremental_revenue: float, margin_rate: float) -> float:
    gain = incremental_revenue * margin_rate
    return (gain - cost) / cost


def _roi_cases() -> list[Case]:
    return [
        Case("a campaign whose margin gain is twice its cost", (1_000.0, 5_000.0, 0.4)),
        Case("a margin gain equal to the cost breaks even", (2_000.0, 8_000.0, 0.25)),
        Case("a campaign that loses money has a negative ROI", (10_000.0, 20_000.0, 0.3)),
        Case("no extra revenue at all: the whole cost is lost", (500.0, 0.0, 0.35)),
        Case("margin_rate = 1: all revenue is margin", (4_000.0, 10_000.0, 1.0)),
        Case("a small cost and large revenue at a 35% margin", (8_000.0, 30_000.0, 0.35)),
    ]


# --------------------------------------------------------------------------- cost_per_saved_customer


def _cost_per_saved_customer(contact_cost: float, would_leave_share: float, save_rate: float) -> float:
    return contact_cost / (would_leave_share * save_rate)


def _save_cases() -> list[Case]:
    return [
        Case("every contacted customer would leave and every one is kept: one contact per save", (12.0, 1.0, 1.0)),
        Case("half would leave, all of those kept", (10.0, 0.5, 1.0)),
        Case("all would leave, a quarter of them kept", (10.0, 1.0, 0.25)),
        Case("40% would leave and 15% of those stay because of the contact", (5.0, 0.4, 0.15)),
        Case("a dearer contact (30 CNY), 10% would leave, 50% kept", (30.0, 0.1, 0.5)),
    ]


# --------------------------------------------------------------------------- profit_change_pct


def _profit_change_pct(before: pd.Series, after: pd.Series, margin_rate: float) -> float:
    def profit(kpis: pd.Series) -> float:
        return float(
            margin_rate * kpis["revenue"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"]
        )

    return float(100 * (profit(after) / profit(before) - 1))


def _kpis(revenue: float, acquisition: float, service: float, retention: float, sim_margin: float = 0.35) -> pd.Series:
    """KPIs as a run reports them: gross margin and profit at the *simulation's* margin rate."""
    gross = sim_margin * revenue
    return pd.Series(
        {
            "revenue": revenue,
            "gross_margin": gross,
            "acquisition_cost": acquisition,
            "service_cost": service,
            "retention_cost": retention,
            "profit": gross - acquisition - service - retention,
        },
        name="value",
    )


def _change_cases() -> list[Case]:
    before, after = _kpis(10_000, 1_000, 500, 0), _kpis(12_000, 1_000, 600, 0)
    before_r, after_r = _kpis(10_000, 1_000, 500, 300), _kpis(12_000, 1_000, 600, 450)
    real_before = _run("baseline", 3000, 730, 17).kpis()
    real_after = _run("baseline", 3000, 730, 17, b=7.5).kpis()
    return [
        Case("no retention cost, recomputed at margin_rate = 0.25", (before, after, 0.25)),
        Case("the same KPIs at margin_rate = 0.5", (before, after, 0.5)),
        Case("a retention cost is subtracted too (margin_rate = 0.3)", (before_r, after_r, 0.3)),
        Case("a fall in profit is a negative change (after and before swapped)", (after_r, before_r, 0.4)),
        Case("at the simulation's own 35% margin", (before_r, after_r, 0.35)),
        Case(
            "KPIs of a run with a 40% margin (its gross_margin and profit are at 40%), recomputed at 0.3",
            (_kpis(10_000, 1_000, 500, 300, sim_margin=0.4), _kpis(12_000, 1_000, 600, 450, sim_margin=0.4), 0.3),
        ),
        Case("two simulated runs (more loyal customers after), margin_rate = 0.6", (real_before, real_after, 0.6)),
        Case("the same two runs at margin_rate = 0.45", (real_before, real_after, 0.45)),
    ]


TASKS = [
    Task(
        "repurchase_rate",
        _repurchase_rate,
        _repurchase_cases,
        Expect("number", rtol=1e-9),
        "Only orders with cutoff < t <= cutoff + window_days; divide by all customers in the group.",
        forbidden=("sim.analysis.churn.features.churn_labels",),
    ),
    Task(
        "ltv_to_cac",
        _ltv_to_cac,
        _ltv_cases,
        Expect("number", rtol=1e-9),
        "Use margin (margin_rate x revenue), not revenue, and divide by the number of customers, not orders.",
    ),
    Task(
        "campaign_net_roi",
        _campaign_net_roi,
        _roi_cases,
        Expect("number", rtol=1e-9),
        "Turn revenue into margin first, then subtract the cost, then divide by the cost.",
        forbidden=("sim.analysis.roi.campaign_roi",),
    ),
    Task(
        "cost_per_saved_customer",
        _cost_per_saved_customer,
        _save_cases,
        Expect("number", rtol=1e-9),
        "Divide the contact cost by (share who would leave x save rate).",
    ),
    Task(
        "profit_change_pct",
        _profit_change_pct,
        _change_cases,
        Expect("number", rtol=1e-7, atol=1e-9),
        "Recompute both profits at margin_rate (margin_rate x revenue minus three costs), then 100 x (after / before - 1).",
    ),
]
