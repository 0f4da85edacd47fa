"""Survivors per signup cohort from a subscription log (sim.analysis.clv.renewal_survivors).

A hand-built log gives the counts by hand (including right censoring of recent signups); a
log simulated from the shifted-beta-geometric model must give survivors from which
:class:`ShiftedBetaGeometric` recovers the planted alpha and beta.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import clv
from sim.errors import ConfigError, DataError

D0 = pd.Timestamp("2024-01-01")


def _log(signups: dict[int, tuple[float, int, str]], period: float = 30.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """{customer: (signup day, payments, plan)} -> customers and orders (payments every ``period`` days)."""
    customers = pd.DataFrame({"customer_id": list(signups), "plan": [plan for _, _, plan in signups.values()]})
    rows = [
        (cid, D0 + pd.Timedelta(days=day + k * period))
        for cid, (day, payments, _) in signups.items()
        for k in range(payments)
    ]
    return customers, pd.DataFrame(rows, columns=["customer_id", "date"])


def test_hand_built_log_counts_and_censoring():
    # January cohort: signups on days 0, 10, 20; February: days 35, 50
    customers, orders = _log(
        {1: (0, 5, "monthly"), 2: (10, 1, "monthly"), 3: (20, 3, "monthly"), 4: (35, 2, "monthly"),
         5: (50, 1, "monthly"), 6: (5, 1, "")}
    )  # fmt: skip
    as_of = D0 + pd.Timedelta(days=115)
    t = clv.renewal_survivors(customers, orders, period_days=30, as_of=as_of)
    # January: last signup day 20 -> renewals at 50, 80, 110 <= 115: periods 0..3
    jan = t[t["cohort"] == "2024-01"]
    assert jan["period"].tolist() == [0, 1, 2, 3]
    # payments by as_of: customer 1 has 4 (days 0, 30, 60, 90; day 120 is after as_of), 2 has 1, 3 has 3
    assert jan["survivors"].tolist() == [3, 2, 2, 1]
    # February: last signup day 50 -> renewals at 80, 110 (<= 115): periods 0..2
    feb = t[t["cohort"] == "2024-02"]
    assert feb["period"].tolist() == [0, 1, 2] and feb["survivors"].tolist() == [2, 1, 0]
    assert t.attrs["plan"] == "monthly" and t.attrs["period_days"] == 30.0
    assert t.attrs["as_of"] == as_of
    # default as_of: the last payment in the log (customer 1's fifth, day 120)
    t_all = clv.renewal_survivors(customers, orders, period_days=30)
    assert t_all.attrs["as_of"] == orders["date"].max()


def test_recent_cohorts_are_left_out_and_the_period_is_inferred():
    customers, orders = _log({1: (0, 4, "annual"), 2: (3, 2, "annual"), 3: (700, 1, "annual")}, period=365.0)
    t = clv.renewal_survivors(customers, orders, as_of=D0 + pd.Timedelta(days=800))
    assert t.attrs["period_days"] == pytest.approx(365.0)
    assert t.attrs["cohorts_too_recent"] == 1  # the signup of day 700 has not reached a renewal
    assert t["cohort"].unique().tolist() == ["2024-01"]
    assert t["survivors"].tolist() == [2, 2, 1]  # customer 1 paid on days 0, 365, 730 by day 800


def test_quarterly_cohorts_and_plan_selection():
    customers, orders = _log(
        {1: (0, 3, "monthly"), 2: (40, 2, "monthly"), 3: (70, 4, "monthly"), 4: (0, 2, "annual")}
    )  # fmt: skip
    with pytest.raises(DataError, match="several plans"):
        clv.renewal_survivors(customers, orders, period_days=30)
    t = clv.renewal_survivors(customers, orders, plan="monthly", period_days=30, cohort_freq="Q",
                              as_of=D0 + pd.Timedelta(days=160))  # fmt: skip
    assert t["cohort"].unique().tolist() == ["2024Q1"]
    # last signup day 70: renewals 100, 130, 160 -> periods 0..3; payments 3, 2, 4
    assert t["survivors"].tolist() == [3, 3, 2, 1]
    with pytest.raises(ConfigError, match="plan='weekly'"):
        clv.renewal_survivors(customers, orders, plan="weekly")


def _simulate_sbg(alpha: float, beta: float, n: int, months: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, n)
    signup = rng.uniform(0, 90, n)  # three monthly cohorts
    lifetime = rng.geometric(theta)  # payments until the cancellation (1 = cancels at the first renewal)
    period = 30.4
    rows_c, rows_o = [], []
    for i in range(n):
        rows_c.append((i + 1, "monthly"))
        k = np.arange(lifetime[i])
        t = signup[i] + k * period
        t = t[t <= 90 + months * period]
        rows_o.extend((i + 1, D0 + pd.Timedelta(days=float(x))) for x in t)
    return (
        pd.DataFrame(rows_c, columns=["customer_id", "plan"]),
        pd.DataFrame(rows_o, columns=["customer_id", "date"]),
    )


@pytest.mark.timeout(120)
def test_sbg_recovers_the_planted_alpha_and_beta_from_the_survivors():
    alpha, beta = 0.7, 2.5
    customers, orders = _simulate_sbg(alpha, beta, n=6000, months=12, seed=1)
    as_of = D0 + pd.Timedelta(days=90 + 12 * 30.4)
    t = clv.renewal_survivors(customers, orders, as_of=as_of)
    assert t.attrs["period_days"] == pytest.approx(30.4)
    assert set(t["cohort"]) == {"2024-01", "2024-02", "2024-03"}
    for _, g in t.groupby("cohort"):
        assert g["survivors"].is_monotonic_decreasing and g["period"].tolist() == list(range(len(g)))
    sbg = clv.ShiftedBetaGeometric().fit_cohorts(t)
    ci = sbg.confidence_intervals_
    assert ci.loc["alpha"].iloc[0] <= alpha <= ci.loc["alpha"].iloc[1], sbg.params_
    assert ci.loc["beta"].iloc[0] <= beta <= ci.loc["beta"].iloc[1], sbg.params_
    # one cohort's counts fit on their own too
    jan = t.loc[t["cohort"] == "2024-01", "survivors"]
    assert clv.ShiftedBetaGeometric().fit(jan.to_numpy()).is_fitted


def test_inputs_are_not_modified():
    customers, orders = _log({1: (0, 3, "monthly"), 2: (5, 1, "monthly")})
    bc, bo = customers.copy(), orders.copy()
    clv.renewal_survivors(customers, orders)
    pd.testing.assert_frame_equal(customers, bc)
    pd.testing.assert_frame_equal(orders, bo)


def test_bad_inputs_are_refused():
    customers, orders = _log({1: (0, 3, "monthly"), 2: (5, 1, "monthly")})
    with pytest.raises(DataError, match="duplicate") as err:
        clv.renewal_survivors(pd.concat([customers, customers.iloc[:1]], ignore_index=True), orders)
    assert err.value.table == "customers"
    with pytest.raises(DataError) as err:
        clv.renewal_survivors(customers.assign(customer_id=["1", "2"]), orders)
    assert err.value.column == "customer_id"
    with pytest.raises(DataError, match="no subscriber"):
        clv.renewal_survivors(customers.assign(plan=""), orders)
    with pytest.raises(DataError) as err:
        clv.renewal_survivors(customers, orders.assign(date=20240101))
    assert (err.value.table, err.value.column) == ("orders", "date")
    with pytest.raises(DataError, match="cannot be inferred"):
        clv.renewal_survivors(customers, orders[orders["customer_id"] == 2])
    with pytest.raises(DataError, match="first renewal"):
        clv.renewal_survivors(customers, orders, period_days=400)
    with pytest.raises(DataError, match="missing column"):
        clv.renewal_survivors(customers.drop(columns="plan"), orders)
    with pytest.raises(ConfigError, match="period_days=0"):
        clv.renewal_survivors(customers, orders, period_days=0)
    with pytest.raises(ConfigError, match="cohort_freq"):
        clv.renewal_survivors(customers, orders, cohort_freq="fortnight")
