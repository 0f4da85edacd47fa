"""Tasks of chapter 07 (churn early warning): churn labels at a cutoff, lift at k, win-back rate by offer, anomaly flags.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.churn.churn_labels``, ``sim.analysis.churn.evaluate``,
``sim.analysis.anomaly.winback_summary`` / ``kpi_anomalies``). Every parameter takes at least
two values across the cases; the realistic cases use a small simulation of the ``churn_watch``
world with the ``winback_by_reason`` policy, never the notebooks' run.

Examples
--------
>>> [t.name for t in TASKS]
['churn_label_at_cutoff', 'lift_at_k', 'winback_by_variant', 'rolling_z_flags']
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
def _world() -> Any:
    """A small two-year simulation of the churn_watch world with the win-back A/B test (never the notebooks')."""
    from sim.config import Policy, Scenario
    from sim.runner import run

    return run(Scenario.load("churn_watch"), Policy.load("winback_by_reason"), customers=1200, days=730, seed=707)


def _orders(rows: list[tuple[int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "t"]).astype({"customer_id": "int64", "t": "float64"})


# --------------------------------------------------------------------------- churn_label_at_cutoff


def _churn_label_at_cutoff(orders: pd.DataFrame, cutoff: float, window_days: float = 90) -> pd.Series:
    known = np.sort(orders.loc[orders["t"] <= cutoff, "customer_id"].unique())
    future = orders[(orders["t"] > cutoff) & (orders["t"] <= cutoff + window_days)]["customer_id"].unique()
    label = ~pd.Index(known).isin(future)
    return pd.Series(label.astype("int64"), index=pd.Index(known, name="customer_id"), name="churned")


def _label_cases() -> list[Case]:
    edge = _orders([(3, 10.0), (3, 100.0), (1, 50.0), (1, 190.0), (2, 60.0), (2, 190.5), (4, 101.0), (5, 100.0)])
    shuffled = _orders([(12, 5.0), (7, 8.0), (12, 40.0), (30, 2.0), (7, 70.0), (30, 64.0), (9, 63.0)])
    ordered = _world().orders[["customer_id", "t"]]
    return [
        Case(
            "an order exactly at the cutoff is history, one at cutoff + window is in the window, one just after is not",
            (edge, 100.0, 90),
        ),
        Case("the same orders with window_days = 30", (edge, 100.0, 30)),
        Case("the same orders with window_days left out (default 90)", (edge, 100.0)),
        Case("a customer whose first order is after the cutoff is not labelled at all", (edge, 55.0, 90)),
        Case("customer ids not in order in the table: the answer is sorted by customer_id", (shuffled, 60.0, 10)),
        Case("a cutoff given as a whole number (int)", (shuffled, 60, 5)),
        Case(
            "a customer with several orders in the window is labelled once (0)",
            (_orders([(1, 1.0), (1, 3.0), (1, 4.0), (1, 5.0), (2, 2.0)]), 2.0, 7),
        ),
        Case("the simulated retailer at day 365, window 90", (ordered, 365.0, 90)),
        Case("the simulated retailer at day 500, window 120", (ordered, 500.0, 120)),
    ]


# --------------------------------------------------------------------------- lift_at_k


def _lift_at_k(y_true: Any, score: Any, k: int = 100) -> float:
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(score, dtype=float)
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean() / y.mean())


def _lift_cases() -> list[Case]:
    r = _world()
    cutoff = 365.0
    orders = r.orders
    seen = orders[orders["t"] <= cutoff]
    recency = (cutoff - seen.groupby("customer_id")["t"].max()).rename("recency_days")
    truth = r.customers.set_index("customer_id").reindex(recency.index)
    dead = (truth["true_churn_t"] <= cutoff).astype("int64")
    y10 = np.array([1, 0, 1, 0, 0, 0, 0, 1, 0, 0])
    s10 = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    rng = np.random.default_rng(71)
    banded = np.round(rng.random(400), 1)
    banded_y = (rng.random(400) < 0.2 + 0.3 * banded).astype("int64")
    return [
        Case("ten customers, top 3 by score: 2 churners of 3 against a base rate of 3 in 10", (y10, s10, 3)),
        Case("the same customers, top 5", (y10, s10, 5)),
        Case(
            "k left out: the default 100 (of 200 customers)", (np.tile(y10, 20), np.random.default_rng(7).random(200))
        ),
        Case("k = all customers: the lift is 1", (y10, s10, 10)),
        Case("a higher score means more risk: the top k are the LARGEST scores", (y10, s10[::-1], 3)),
        Case(
            "equal scores: keep them in input order (a stable sort), so the first of the tied rows come first",
            ([0, 1, 1, 0, 0, 1], [0.5, 0.5, 0.5, 0.2, 0.9, 0.1], 2),
        ),
        Case("Python lists of booleans and numbers", ([True, False, False, True], [3, 1, 2, 4], 1)),
        Case(
            "pandas Series whose index is not 0..n-1 (positions, not labels, decide)",
            (
                pd.Series([0, 0, 1, 1], index=[40, 30, 20, 10]),
                pd.Series([0.1, 0.2, 0.3, 0.4], index=[10, 20, 30, 40]),
                2,
            ),
        ),
        Case(
            f"the simulated retailer: true churn at day 365 ranked by recency ({len(dead):,} customers), k = 100",
            (dead, recency, 100),
        ),
        Case("the same, k = 300", (dead.to_numpy(), recency.to_numpy(), 300)),
        Case(
            "a score card's scores (one decimal): many ties across 400 customers, kept in input order, k = 100",
            (banded_y, banded, 100),
        ),
    ]


# --------------------------------------------------------------------------- winback_by_variant

_WB_COLUMNS = ["variant", "contacted", "won_back", "rate", "ci_low", "ci_high"]


def _winback_by_variant(
    contacts: pd.DataFrame, orders: pd.DataFrame, window_days: float = 90, confidence: float = 0.95
) -> pd.DataFrame:
    from scipy import stats

    wb = contacts[contacts["campaign"] == "winback"][["customer_id", "t", "variant"]]
    pairs = wb.merge(orders[["customer_id", "t"]], on="customer_id", how="left", suffixes=("", "_order"))
    gap = pairs["t_order"] - pairs["t"]
    pairs["won"] = (gap > 0) & (gap <= window_days)
    per = pairs.groupby(["variant", "customer_id"])["won"].any().reset_index()
    table = per.groupby("variant")["won"].agg(contacted="size", won_back="sum").reset_index()
    table = table.astype({"contacted": "int64", "won_back": "int64"})
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    n = table["contacted"].astype(float)
    p = table["won_back"] / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    table["rate"] = p
    table["ci_low"], table["ci_high"] = centre - half, centre + half
    return table[_WB_COLUMNS].sort_values("variant").reset_index(drop=True)


def _contacts(rows: list[tuple[int, float, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "t", "campaign", "variant"])
    frame.insert(0, "contact_id", range(1, len(frame) + 1))
    frame["cost"] = 1.5
    return frame.astype({"customer_id": "int64", "t": "float64"})


def _winback_cases() -> list[Case]:
    edge = _contacts(
        [(1, 100.0, "winback", "discount"), (2, 100.0, "winback", "discount"), (3, 100.0, "winback", "service"),
         (4, 100.0, "winback", "service"), (5, 100.0, "churn_risk", "sms_coupon"), (6, 120.0, "winback", "service")]
    )  # fmt: skip
    edge_orders = _orders([(1, 190.0), (2, 100.0), (3, 190.5), (4, 20.0), (4, 150.0), (5, 110.0), (6, 121.0)])
    twice = _contacts(
        [(1, 10.0, "winback", "discount"), (1, 200.0, "winback", "discount"), (2, 10.0, "winback", "discount"),
         (3, 50.0, "winback", "service")]
    )  # fmt: skip
    twice_orders = _orders([(1, 230.0), (1, 240.0), (2, 300.0), (3, 60.0), (3, 61.0)])
    shared = _contacts(
        [(1, 50.0, "winback", "control"), (2, 50.0, "winback", "discount"), (3, 50.0, "churn_risk", "control"),
         (4, 50.0, "churn_risk", "discount"), (5, 60.0, "churn_risk", "control")]
    )  # fmt: skip
    shared_orders = _orders([(1, 70.0), (2, 200.0), (3, 55.0), (4, 52.0), (5, 61.0)])
    unsorted = _contacts([(8, 30.0, "winback", "zeta"), (9, 30.0, "winback", "alpha"), (7, 30.0, "winback", "mid")])
    r = _world()
    return [
        Case(
            "only the 'winback' campaign counts; an order at the contact's own time does not, one at t + window does",
            (edge, edge_orders, 90, 0.95),
        ),
        Case("the same with window_days = 60", (edge, edge_orders, 60, 0.95)),
        Case("the same at confidence = 0.90 (z changes)", (edge, edge_orders, 90, 0.90)),
        Case("window_days and confidence left out: defaults 90 and 0.95", (edge, edge_orders)),
        Case(
            "a customer contacted twice counts once; orders after the second contact win them back",
            (twice, twice_orders, 90, 0.95),
        ),
        Case(
            "a variant where nobody came back (0 of n): the Wilson interval still has width",
            (unsorted, twice_orders, 30),
        ),
        Case(
            "another campaign uses the same variant names: its contacts and customers are not counted",
            (shared, shared_orders, 90, 0.95),
        ),
        Case("variants are listed in alphabetical order", (unsorted, _orders([(9, 31.0), (8, 35.0)]), 30, 0.8)),
        Case("the simulated win-back A/B test (discount vs service)", (r.contacts, r.orders, 90, 0.95)),
        Case("the same, 60 days and confidence = 0.99", (r.contacts, r.orders, 60, 0.99)),
    ]


# --------------------------------------------------------------------------- rolling_z_flags


def _rolling_z_flags(series: pd.Series, window: int = 8, z: float = 3.0) -> pd.Series:
    past = series.shift(1).rolling(window)
    dev = (series - past.mean()).abs()
    return (dev > z * past.std()).astype(bool)


def _weekly(values: list[float], start: str = "2025-03-03") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="W-MON"), dtype="float64")


def _flag_cases() -> list[Case]:
    rng = np.random.default_rng(77)
    noisy = _weekly(list(np.round(100 + 5 * rng.normal(size=30), 1)))
    noisy.iloc[[12, 25]] += [40.0, -35.0]
    orders = _world().orders
    weekly = orders.groupby(orders["date"].dt.to_period("W").dt.start_time).size().astype("float64")
    return [
        Case(
            "a spike after a calm stretch: the baseline is the mean and sd of the PREVIOUS window values only",
            (_weekly([10, 12, 11, 13, 10, 40, 11]), 4, 3.0),
        ),
        Case("the same weeks with window = 3", (_weekly([10, 12, 11, 13, 10, 40, 11]), 3, 3.0)),
        Case("the same weeks with z = 1.0", (_weekly([10, 12, 11, 13, 10, 40, 11]), 4, 1.0)),
        Case("window and z left out: defaults 8 and 3.0", (noisy,)),
        Case(
            "the first `window` points have no baseline: never flagged",
            (_weekly([1.0, 100.0, 1.0, 100.0, 1.0]), 3, 0.5),
        ),
        Case(
            "a drop is as unusual as a spike (|value - mean|)",
            (_weekly([50, 52, 51, 49, 50, 51, 20, 50]), 5, 3.0),
        ),
        Case(
            "a flat baseline (sd 0): any change is unusual, no change is not (strictly greater than z x sd)",
            (_weekly([7, 7, 7, 7, 8, 7]), 3, 3.0),
        ),
        Case(
            "the sample standard deviation (ddof = 1, the pandas default)",
            (_weekly([10, 11, 10, 11, 10, 12.2]), 4, 1.9),
        ),
        Case(
            "an index of integers, not dates: keep the index",
            (pd.Series([5.0, 6, 5, 6, 5, 30, 5], index=range(100, 107)), 4),
        ),
        Case("the simulated retailer's weekly order counts", (weekly, 8, 3.0)),
        Case("the same with window = 12 and z = 2.0", (weekly, 12, 2.0)),
    ]


TASKS = [
    Task(
        "churn_label_at_cutoff",
        _churn_label_at_cutoff,
        _label_cases,
        Expect("series", int_columns=("",)),
        "Customers = those with an order at t <= cutoff (sorted ids); label 1 when none of their orders has "
        "cutoff < t <= cutoff + window_days, else 0 (integers).",
        forbidden=("sim.analysis.churn.churn_labels", "sim.analysis.churn.features.churn_labels"),
    ),
    Task(
        "lift_at_k",
        _lift_at_k,
        _lift_cases,
        Expect("number", rtol=1e-9),
        "Order by score, largest first, with a stable sort (np.argsort(-score, kind='stable')); take the first k; "
        "lift = churn share among them / churn share among all.",
        forbidden=(
            "sim.analysis.churn.evaluate",
            "sim.analysis.churn.evaluation.evaluate",
            "sim.analysis.churn.lift_table",
            "sim.analysis.churn.evaluation.lift_table",
        ),
    ),
    Task(
        "winback_by_variant",
        _winback_by_variant,
        _winback_cases,
        Expect(
            "frame",
            rtol=1e-7,
            order="variants in alphabetical order",
            int_columns=("contacted", "won_back"),
            check_index=False,
        ),
        "Keep campaign == 'winback'; merge each contact with the customer's orders; won = 0 < t_order - t_contact "
        "<= window_days; one row per (variant, customer) with any(won); then count per variant and add the Wilson CI.",
        forbidden=("sim.analysis.anomaly.winback_summary",),
    ),
    Task(
        "rolling_z_flags",
        _rolling_z_flags,
        _flag_cases,
        Expect("series", bool_columns=("",)),
        "past = series.shift(1).rolling(window); flag = (series - past.mean()).abs() > z * past.std(); "
        "NaN comparisons are False; return True/False with the series' index.",
        forbidden=("sim.analysis.anomaly.kpi_anomalies",),
    ),
]
