"""Bad input to ``sim.calibrate``: each is a clear error naming the table, the column and the rows.

Every test starts from a small valid log (which calibrates) and breaks one thing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ConfigError, DataError


def make_orders(n: int = 300, seed: int = 1) -> pd.DataFrame:
    """A small valid order log: ``n`` customers with different purchase rates and dropout, over 90 days."""
    rng = np.random.default_rng(seed)
    rows = []
    oid = 1
    for c in range(1, n + 1):
        t, lam, p, nu = rng.uniform(0, 30), rng.gamma(0.8, 1 / 20), rng.beta(1.0, 4.0), rng.gamma(4.0, 1 / 150)
        while t < 90:
            rows.append({"order_id": oid, "customer_id": c, "date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=t),
                         "amount": round(float(rng.gamma(6.0, 1 / nu)), 2)})  # fmt: skip
            oid += 1
            t += rng.exponential(1 / lam)
            if rng.random() < p:
                break
    return pd.DataFrame(rows)


@pytest.fixture
def orders() -> pd.DataFrame:
    return make_orders()


def tickets_for(orders: pd.DataFrame) -> pd.DataFrame:
    o = orders.iloc[::7]
    return pd.DataFrame({"ticket_id": range(1, len(o) + 1), "customer_id": o["customer_id"].to_numpy(),
                         "order_id": o["order_id"].to_numpy(), "date": o["date"].to_numpy(),
                         "severity": (["P3", "P2", "P3", "P1"] * len(o))[: len(o)],
                         "cause": (["product", "service", "price"] * len(o))[: len(o)],
                         "handle_h": np.linspace(0.5, 3.0, len(o))})  # fmt: skip


def surveys_for(orders: pd.DataFrame) -> pd.DataFrame:
    o = orders.iloc[::3]
    return pd.DataFrame({"customer_id": o["customer_id"].to_numpy(), "date": o["date"].to_numpy(),
                         "instrument": "nps", "score": (np.arange(len(o)) % 11)})  # fmt: skip


def test_the_valid_log_calibrates(orders):
    sc = sim.calibrate(orders, tickets_for(orders), surveys_for(orders))
    assert sc.population.customers == orders["customer_id"].nunique()


def error_of(*args, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        sim.calibrate(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("column", ["customer_id", "date", "amount"])
def test_missing_column(orders, column):
    err = error_of(orders.drop(columns=column))
    assert err.table == "orders" and column in str(err)


def test_non_finite_amount(orders):
    orders.loc[4, "amount"] = np.inf
    err = error_of(orders)
    assert (err.table, err.column, err.rows) == ("orders", "amount", [4])


def test_missing_amount(orders):
    orders.loc[6, "amount"] = np.nan
    err = error_of(orders)
    assert (err.column, err.rows) == ("amount", [6])


def test_negative_amount(orders):
    orders.loc[3, "amount"] = -12.0
    err = error_of(orders)
    assert (err.column, err.rows) == ("amount", [3])


def test_duplicate_order_ids(orders):
    orders.loc[5, "order_id"] = orders.loc[2, "order_id"]
    err = error_of(orders)
    assert err.column == "order_id" and 5 in err.rows


def test_ambiguous_dates(orders):
    orders["date"] = orders["date"].dt.strftime("%m/%d/%Y")  # 01/02/2025: 1 February or 2 January?
    err = error_of(orders)
    assert err.column == "date" and "ambiguous" in str(err)


def test_dates_as_numbers_are_refused(orders):
    orders["date"] = orders["date"].dt.strftime("%Y%m%d").astype(int)
    err = error_of(orders)
    assert err.column == "date"


def test_orders_before_start_date(orders):
    err = error_of(orders, start_date="2025-01-10")
    assert err.column == "date" and "before start_date" in str(err) and err.rows


def test_tickets_dated_after_the_log_ends(orders):
    tk = tickets_for(orders)
    tk.loc[2, "date"] = orders["date"].max() + pd.Timedelta(days=3)
    err = error_of(orders, tk)
    assert (err.table, err.column, err.rows) == ("tickets", "date", [2])
    assert "after the order log ends" in str(err)


def test_surveys_dated_after_the_log_ends(orders):
    sv = surveys_for(orders)
    sv.loc[1, "date"] = pd.Timestamp("2030-01-01")
    err = error_of(orders, None, sv)
    assert (err.table, err.column, err.rows) == ("surveys", "date", [1])


def test_unknown_severity(orders):
    tk = tickets_for(orders)
    tk.loc[3, "severity"] = "urgent"
    err = error_of(orders, tk)
    assert (err.table, err.column, err.rows) == ("tickets", "severity", [3])
    assert "P0" in str(err) and "'urgent'" in str(err)


def test_unknown_cause(orders):
    tk = tickets_for(orders)
    tk.loc[4, "cause"] = "delivery"
    err = error_of(orders, tk)
    assert (err.table, err.column, err.rows) == ("tickets", "cause", [4])


def test_non_finite_handling_time(orders):
    tk = tickets_for(orders)
    tk.loc[1, "handle_h"] = np.inf
    err = error_of(orders, tk)
    assert (err.column, err.rows) == ("handle_h", [1])


def test_nps_score_outside_the_scale(orders):
    sv = surveys_for(orders)
    sv.loc[2, "score"] = 12
    err = error_of(orders, None, sv)
    assert (err.table, err.column, err.rows) == ("surveys", "score", [2])


def test_fewer_than_two_repeat_buyers():
    o = pd.DataFrame({"customer_id": [1, 2, 3, 1], "amount": [5.0, 6.0, 7.0, 8.0],
                      "date": ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-20"]})  # fmt: skip
    err = error_of(o)
    assert "repeat" in str(err) and err.table == "orders"


def test_one_day_of_history():
    o = pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [5.0, 6.0, 7.0, 8.0],
                      "date": ["2025-01-01 09:00", "2025-01-01 12:00", "2025-01-01 10:00", "2025-01-01 18:00"]})  # fmt: skip
    err = error_of(o)
    assert "two days" in str(err)


def test_bad_arguments(orders):
    with pytest.raises(ConfigError, match="model"):
        sim.calibrate(orders, model="pareto")
    with pytest.raises(ConfigError, match="confidence"):
        sim.calibrate(orders, confidence=1.5)


def test_times_in_days_with_a_start_date(orders):
    """``t`` (days since start_date) instead of ``date``: the same fit."""
    t = (orders["date"] - pd.Timestamp("2025-01-01")) / pd.Timedelta(days=1)
    a = sim.calibrate(orders, start_date="2025-01-01")
    b = sim.calibrate(orders.drop(columns="date").assign(t=t), start_date="2025-01-01")
    pa, pb = a.purchase.model_dump(), b.purchase.model_dump()
    assert pa == pytest.approx(pb, rel=1e-6) and a.horizon_days == b.horizon_days  # up to float rounding of t
