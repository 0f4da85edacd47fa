"""ROI vs LTV/CAC (seed 000 p2 vs p12), payback periods and campaign cost-benefit, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import roi as r
from sim.errors import DataError


def test_roi_hand_values():
    assert r.roi(150.0, 100.0) == 0.5
    assert r.roi(100.0, 100.0) == 0.0
    assert r.roi(0.0, 40.0) == -1.0
    np.testing.assert_allclose(r.roi([50.0, 300.0], [100.0, 200.0]), [-0.5, 0.5])


@pytest.mark.parametrize("cost", [0.0, -10.0])
def test_roi_needs_positive_cost(cost):
    with pytest.raises(DataError, match="cost must be > 0") as err:
        r.roi(100.0, cost)
    assert err.value.column == "cost"


@pytest.mark.parametrize("bad", ["ten", None, float("nan"), float("inf")])
def test_roi_rejects_non_numbers(bad):
    with pytest.raises(DataError):
        r.roi(bad, 100.0)


def test_ltv_cac_is_a_ratio_not_an_roi():
    """LTV/CAC = 3 is an ROI of 2 (200%), not 3: the seed's p2 'ROI = LTV/CAC' overstates by one."""
    assert r.ltv_cac(300.0, 100.0) == 3.0
    assert r.roi(300.0, 100.0) == 2.0
    ltv = np.array([50.0, 100.0, 420.0])
    cac = np.array([100.0, 100.0, 140.0])
    np.testing.assert_allclose(r.roi(ltv, cac), r.ltv_cac(ltv, cac) - 1)
    with pytest.raises(DataError, match="cac must be > 0"):
        r.ltv_cac(300.0, 0.0)


def test_incremental_roi_against_baseline():
    # with the campaign 1300, without 1000, cost 200 -> (300 - 200) / 200
    assert r.incremental_roi(1300.0, 1000.0, 200.0) == 0.5
    # ignoring the baseline would claim (1300 - 200) / 200 = 5.5
    assert r.roi(1300.0, 200.0) == 5.5
    assert r.incremental_roi(900.0, 1000.0, 100.0) == -2.0  # the campaign destroyed value
    np.testing.assert_allclose(r.incremental_roi([10.0, 20.0], 5.0, [5.0, 5.0]), [0.0, 2.0])


def test_payback_constant_margin():
    assert r.payback_period(25.0, 100.0) == 4.0
    assert r.payback_period(30.0, 100.0) == 4.0  # 30, 60, 90, 120
    assert r.payback_period(30.0, 100.0, interpolate=True) == pytest.approx(100 / 30)
    assert r.payback_period(0.0, 100.0) == math.inf
    assert r.payback_period(-5.0, 100.0) == math.inf


def test_payback_monthly_series():
    m = [40.0, 30.0, 20.0, 20.0, 20.0]  # cumulative 40, 70, 90, 110, 130
    assert r.payback_period(m, 100.0) == 4.0
    assert r.payback_period(m, 100.0, interpolate=True) == pytest.approx(3.5)
    assert r.payback_period(m, 40.0) == 1.0
    assert r.payback_period(m, 20.0, interpolate=True) == pytest.approx(0.5)
    assert math.isnan(r.payback_period(m, 1000.0))  # not within the five months given
    assert r.payback_period(pd.Series(m), 130.0) == 5.0
    # 0.1 added ten times is 0.9999999999999999 in floating point: still month 10
    assert r.payback_period([0.1] * 10, 1.0) == 10.0
    # a negative month (e.g. a refund) delays payback
    assert r.payback_period([60.0, -30.0, 50.0, 30.0], 100.0) == 4.0


def test_payback_per_customer():
    margins = pd.DataFrame(
        [[10.0, 10.0, 10.0], [50.0, 0.0, 0.0], [0.0, 0.0, 5.0]],
        index=pd.Index(["a", "b", "c"], name="customer_id"),
        columns=["m1", "m2", "m3"],
    )
    out = r.payback_period(margins, pd.Series({"c": 5.0, "a": 20.0, "b": 60.0}))
    assert out.name == "payback_months"
    assert out["a"] == 2.0
    assert math.isnan(out["b"])
    assert out["c"] == 3.0
    same_cac = r.payback_period(margins, 10.0)  # one CAC for everybody
    assert same_cac[["a", "b"]].tolist() == [1.0, 1.0]
    assert math.isnan(same_cac["c"])  # 5 in three months: not paid back within the data
    with pytest.raises(DataError, match="no CAC"):
        r.payback_period(margins, pd.Series({"a": 1.0}))
    with pytest.raises(DataError, match="cac must be > 0"):
        r.payback_period(margins, pd.Series({"a": 1.0, "b": 0.0, "c": 1.0}))
    with pytest.raises(DataError):
        r.payback_period(margins.assign(m2=["x", "y", "z"]), 10.0)


def test_payback_bad_input():
    with pytest.raises(DataError):
        r.payback_period([], 10.0)
    with pytest.raises(DataError):
        r.payback_period([10.0, float("nan")], 10.0)
    with pytest.raises(DataError, match="cac must be > 0"):
        r.payback_period(10.0, 0.0)


def test_incremental_revenue_scales_the_holdout():
    assert r.incremental_revenue(12_000.0, 1000, 1_000.0, 100) == 2000.0
    assert r.incremental_revenue(500.0, 50, 1_000.0, 50) == -500.0
    with pytest.raises(DataError):
        r.incremental_revenue(500.0, 50, 1_000.0, 0)


def test_campaign_roi_hand_values():
    c = r.campaign_roi(cost=2000.0, incremental_revenue=8000.0, margin_rate=0.4)
    assert c["incremental_margin"] == 3200.0
    assert c["net_gain"] == 1200.0
    assert c["roi"] == pytest.approx(0.6)
    assert c["roas"] == 4.0  # a revenue ratio of 4 is only a 60% ROI at a 40% margin
    assert c["breakeven_revenue"] == 5000.0
    at_breakeven = r.campaign_roi(2000.0, c["breakeven_revenue"], 0.4)
    assert at_breakeven["roi"] == pytest.approx(0.0)
    assert r.campaign_roi(100.0, 1000.0, 0.0)["breakeven_revenue"] == math.inf
    assert c["roi"] == pytest.approx(r.roi(c["incremental_margin"], 2000.0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cost": 0.0, "incremental_revenue": 10.0, "margin_rate": 0.3},
        {"cost": 10.0, "incremental_revenue": 10.0, "margin_rate": 1.3},
        {"cost": 10.0, "incremental_revenue": "lots", "margin_rate": 0.3},
    ],
)
def test_campaign_roi_bad_input(kwargs):
    with pytest.raises(DataError):
        r.campaign_roi(**kwargs)


def test_roi_and_payback_on_simulated_run():
    """Historical LTV/CAC from the simulator's KPI module, and per-customer payback from its orders."""
    import sim

    res = sim.run(sim.Scenario.load("baseline"), customers=1500, days=730, seed=3)
    kpi = res.kpis()
    cust = res.customers.set_index("customer_id")
    margin = res.orders["amount"].sum() * res.scenario.margin_rate
    clv = margin / len(cust)
    assert r.ltv_cac(clv, cust["cac"].mean()) == pytest.approx(kpi["ltv_cac"])
    # total margin against total acquisition spend: the ROI is the ratio minus one
    assert r.roi(margin, cust["cac"].sum()) == pytest.approx(kpi["ltv_cac"] - 1)

    # payback per customer: margin per month since acquisition (12 months), against each CAC
    o = res.orders.join(cust["acquired_t"], on="customer_id")
    o["month"] = ((o["t"] - o["acquired_t"]) // 30.4375).astype(int)
    o = o[o["month"] < 12]
    monthly = (o.groupby(["customer_id", "month"])["amount"].sum() * res.scenario.margin_rate).unstack(fill_value=0.0)
    monthly = monthly.reindex(index=cust.index, columns=range(12), fill_value=0.0)
    pb = r.payback_period(monthly, cust["cac"])
    cum = monthly.cumsum(axis=1)
    paid = pb.notna()
    assert paid.any() and (~paid).any()  # both cases occur, so both checks below bite
    assert (cum.loc[~paid, 11] < cust.loc[~paid, "cac"]).all()
    for cid in pb[paid].index[:200]:
        k = int(pb[cid])
        assert cum.loc[cid, k - 1] >= cust.loc[cid, "cac"] - 1e-9
        assert k == 1 or cum.loc[cid, k - 2] < cust.loc[cid, "cac"]
