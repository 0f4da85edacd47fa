"""Tasks of chapter 00 (orientation): repeat rate, active customers, hidden columns, profit.

The references are private to the checker; the exercises notebook never imports them.
Realistic cases come from a small simulation run that differs from the notebook's (other
size and seed), so an answer read from a notebook variable fails.

Examples
--------
>>> [t.name for t in TASKS]
['repeat_purchase_rate', 'active_customers', 'latent_columns', 'profit_from_parts']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]


@lru_cache(maxsize=1)
def _run() -> Any:
    """A small baseline run (not the notebook's): 400 customers, one year, seed 11."""
    from sim.config import Scenario
    from sim.runner import run

    return run(Scenario.load("baseline"), customers=400, days=365, seed=11)


def _orders(*rows: tuple[int, float]) -> pd.DataFrame:
    """Orders from (customer_id, t) pairs, with amounts, like the simulator's table."""
    frame = pd.DataFrame(rows, columns=["customer_id", "t"])
    frame.insert(0, "order_id", range(1, len(frame) + 1))
    frame["amount"] = 100.0 + 10.0 * frame.index
    return frame


# --------------------------------------------------------------------------- repeat_purchase_rate


def _repeat_purchase_rate(orders: pd.DataFrame) -> float:
    per_customer = orders.groupby("customer_id").size()
    return float((per_customer >= 2).mean())


def _repeat_cases() -> list[Case]:
    return [
        Case("one customer with a single order: no repeat buyer", (_orders((1, 5.0)),)),
        Case("one customer with exactly two orders counts as a repeat buyer", (_orders((7, 1.0), (7, 9.0)),)),
        Case(
            "customers with 1, 2, 3 and 1 orders (in mixed order): two of four are repeat buyers",
            (_orders((4, 1.0), (2, 2.0), (9, 3.0), (2, 4.0), (9, 5.0), (9, 6.0), (3, 7.0)),),
        ),
        Case(
            "five customers, one of them with four orders: divide by customers, not orders",
            (_orders((1, 1.0), (2, 1.5), (3, 2.0), (4, 2.5), (5, 3.0), (5, 4.0), (5, 5.0), (5, 6.0)),),
        ),
        Case(
            "two orders on the same day are two orders: that customer is a repeat buyer",
            (_orders((3, 4.2), (3, 4.7), (8, 9.0)),),
        ),
        Case("the orders of a simulated firm (400 customers, one year)", (_run().observed().orders,)),
    ]


# --------------------------------------------------------------------------- active_customers


def _active_customers(orders: pd.DataFrame, end_t: float, window_days: float = 90) -> int:
    recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] <= end_t)]
    return int(recent["customer_id"].nunique())


def _active_cases() -> list[Case]:
    edges = _orders((1, 10.0), (2, 10.5), (3, 100.0), (4, 100.5))
    return [
        Case("an order exactly window_days before end_t is outside the window", (_orders((1, 10.0)), 100.0, 90)),
        Case("an order exactly at end_t is inside the window", (_orders((1, 100.0)), 100.0, 90)),
        Case("an order after end_t does not count (t <= end_t)", (_orders((1, 50.0), (2, 120.0)), 100.0, 90)),
        Case("a customer with three recent orders counts once", (_orders((5, 60.0), (5, 70.0), (5, 80.0)), 100.0, 90)),
        Case("orders at both edges, window_days = 90", (edges, 100.0, 90)),
        Case("the same orders with window_days = 30: the window is shorter", (edges, 100.0, 30)),
        Case("the same orders with end_t = 100.2 and window_days = 0.5", (edges, 100.2, 0.5)),
        Case("the same orders, window_days left out: its default is 90", (edges, 100.0)),
        Case(
            "a customer with an order in the window and a later one after end_t is active",
            (_orders((1, 50.0), (1, 120.0), (2, 30.0)), 100.0, 90),
        ),
        Case("no order in the window: nobody is active", (_orders((1, 1.0), (2, 2.0)), 400.0, 60)),
        Case(
            "the orders of a simulated firm (one year, end_t = 365, window_days = 90)",
            (_run().observed().orders, 365.0, 90),
        ),
        Case("the orders of a simulated firm, end_t = 300 and window_days = 45", (_run().observed().orders, 300.0, 45)),
    ]


# --------------------------------------------------------------------------- latent_columns


def _latent_columns(table: pd.DataFrame) -> list[str]:
    return sorted(c for c in table.columns if c.startswith("true_"))


def _table(*columns: str) -> pd.DataFrame:
    return pd.DataFrame({c: [1, 2] for c in columns})


def _mixed_table() -> pd.DataFrame:
    """Hidden columns of every dtype: numbers, True/False, text (object) and dates."""
    return pd.DataFrame(
        {
            "customer_id": [1, 2],
            "true_reason": pd.Series(["price", None], dtype=object),
            "true_alive": [True, False],
            "true_churn_t": [np.nan, 40.5],
            "true_since": pd.to_datetime(["2024-01-01", "2024-03-01"]),
            "channel": ["web", "pos"],
        }
    )


def _latent_cases() -> list[Case]:
    return [
        Case(
            "true_* columns listed out of alphabetical order must come back sorted",
            (_table("customer_id", "true_zeta", "cac", "true_alpha", "true_mid"),),
        ),
        Case(
            "only names that *start* with 'true_' are hidden ('is_true_x' is not)",
            (_table("is_true_x", "true_b", "untrue_c", "true_a"),),
        ),
        Case(
            "'true' without the underscore, or 'True_x', is not a hidden column",
            (_table("true", "True_x", "true_x", "trueish"),),
        ),
        Case("a table with no hidden columns gives an empty list", (_table("customer_id", "cac", "channel"),)),
        Case("hidden columns of every type (numbers, True/False, text, dates) all count", (_mixed_table(),)),
        Case("a simulated customers table (with its true_* columns)", (_run().customers,)),
    ]


# --------------------------------------------------------------------------- profit_from_parts


_KPI_NAMES = ("revenue", "gross_margin", "acquisition_cost", "service_cost", "retention_cost")


def _profit_from_parts(kpis: pd.Series) -> float:
    return float(kpis["gross_margin"] - kpis["acquisition_cost"] - kpis["service_cost"] - kpis["retention_cost"])


def _kpis(*values: float, **extra: float) -> pd.Series:
    return pd.Series({**dict(zip(_KPI_NAMES, values, strict=True)), **extra}, name="value")


def _profit_cases() -> list[Case]:
    real = _run().kpis().drop(["profit"])
    return [
        Case("no retention cost: gross margin minus acquisition and service cost", (_kpis(1000, 400, 50, 30, 0),)),
        Case("a retention cost of 25 is a cost too", (_kpis(1000, 400, 50, 30, 25),)),
        Case("costs above the gross margin give a negative profit", (_kpis(500, 150, 120, 60, 40),)),
        Case("start from gross margin, not revenue", (_kpis(2000, 600, 0, 0, 0),)),
        Case(
            "the entries in another order, with others that are not part of profit (cost_per_order, orders)",
            (_kpis(1000, 400, 50, 30, 25, cost_per_order=12.5, orders=80).iloc[[6, 3, 0, 5, 4, 2, 1]],),
        ),
        Case(
            "a stale 'profit' entry (computed before the retention cost was booked) is rebuilt from the parts",
            (_kpis(1000, 400, 50, 30, 25, profit=320),),
        ),
        Case("the KPIs of a simulated firm (without its 'profit' entry)", (real,)),
    ]


TASKS = [
    Task(
        "repeat_purchase_rate",
        _repeat_purchase_rate,
        _repeat_cases,
        Expect("number", rtol=1e-9),
        "Count orders per customer first (two or more is a repeat buyer); divide by *all* customers.",
    ),
    Task(
        "active_customers",
        _active_customers,
        _active_cases,
        Expect("count"),
        "Keep orders with end_t - window_days < t <= end_t, then count distinct customer_id values.",
    ),
    Task(
        "latent_columns",
        _latent_columns,
        _latent_cases,
        Expect("names"),
        "Hidden columns are those whose name starts with 'true_'; return them in a sorted list.",
    ),
    Task(
        "profit_from_parts",
        _profit_from_parts,
        _profit_cases,
        Expect("number", rtol=1e-9, atol=1e-6),
        "Start from gross margin (not revenue) and subtract three costs: acquisition, service, retention.",
    ),
]
