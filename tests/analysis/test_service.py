"""sim.analysis.service: Pareto, dashboard, the CP10 hypothesis test, staffing and utilisation.

Checked against hand-built tables, closed forms (M/M/1) and simulated data with a known rate
ratio; malformed input raises a DataError naming the column and the rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import queueing, service
from sim.errors import ConfigError, DataError

# --------------------------------------------------------------------------- pareto


def test_pareto_counts_shares_and_flags_by_hand():
    t = pd.DataFrame({"cause": ["price"] * 2 + ["product"] * 5 + ["service"] * 2 + ["communication"]})
    p = service.pareto(t)
    assert list(p.index) == ["product", "price", "service", "communication"]  # ties (2, 2) by name
    assert p["count"].tolist() == [5, 2, 2, 1] and p["count"].dtype == "int64"
    assert p["share"].tolist() == pytest.approx([0.5, 0.2, 0.2, 0.1])
    assert p["cumulative_share"].tolist() == pytest.approx([0.5, 0.7, 0.9, 1.0])
    assert p["top"].tolist() == [True, True, True, False] and p["top"].dtype == bool
    assert service.pareto(t, top=1)["top"].sum() == 1
    assert service.pareto(t, top=10)["top"].all()


def test_pareto_by_another_column():
    t = pd.DataFrame({"cause": list("aab"), "severity": ["P3", "P2", "P3"]})
    p = service.pareto(t, by="severity", top=1)
    assert p.index.name == "severity" and p.loc["P3", "count"] == 2 and bool(p.loc["P3", "top"])


def test_pareto_malformed_input_names_column_and_rows():
    with pytest.raises(DataError, match="cause"):
        service.pareto(pd.DataFrame({"reason": ["a"]}))
    with pytest.raises(DataError, match=r"'cause'.*rows: 1, 3"):
        service.pareto(pd.DataFrame({"cause": ["a", None, "b", np.nan]}))
    with pytest.raises(DataError, match="no tickets"):
        service.pareto(pd.DataFrame({"cause": pd.Series([], dtype=str)}))
    with pytest.raises(ConfigError, match="top"):
        service.pareto(pd.DataFrame({"cause": ["a"]}), top=0)


# --------------------------------------------------------------------------- dashboard


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2025-01-02 10:00", "2025-01-31 23:59", "2025-02-01 00:00", "2025-02-14 08:00", "2025-02-20 12:00"]
            ),
            "cause": ["price", "product", "product", "product", "service"],
            "severity": ["P3", "P1", "P3", "P3", "P1"],
            "wait_h": [1.0, 3.0, 0.5, np.nan, 2.0],
            "resolution_h": [4.0, 10.0, 2.0, np.nan, np.nan],
            "sla_met": pd.array([True, False, True, pd.NA, pd.NA], dtype="boolean"),
            "accepted": [1.0, 0.0, np.nan, np.nan, 1.0],
        }
    )


def test_dashboard_by_hand():
    d = service.complaint_dashboard(_tickets())
    assert list(d.index) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert d["tickets"].tolist() == [2, 3] and d["tickets"].dtype == "int64"
    assert d["cause: product"].tolist() == [1, 2] and d["cause: price"].tolist() == [1, 0]
    assert d["mean_wait_h"].tolist() == pytest.approx([2.0, 1.25])
    assert d["mean_resolution_h"].tolist() == pytest.approx([7.0, 2.0])
    assert d["sla_met P3"].tolist() == pytest.approx([1.0, 1.0])
    assert d.loc["2025-01-01", "sla_met P1"] == 0.0 and math.isnan(d.loc["2025-02-01", "sla_met P1"])
    assert d["reopen_rate"].tolist() == pytest.approx([0.5, 0.0])
    assert list(d.columns[:5]) == ["tickets", "cause: price", "cause: product", "cause: service", "mean_wait_h"]


def test_dashboard_weekly_and_without_optional_columns():
    t = _tickets().drop(columns=["severity", "sla_met", "accepted"])
    d = service.complaint_dashboard(t, freq="W")
    assert d.index[0] == pd.Timestamp("2024-12-30")  # the Monday of 2 January 2025's week
    assert d["tickets"].sum() == 5 and d["reopen_rate"].isna().all()
    assert not any(c.startswith("sla_met") for c in d.columns)


def test_dashboard_malformed_input():
    t = _tickets()
    # ISO text dates read as the timestamps they spell; numbers and day/month-ambiguous text are refused
    pd.testing.assert_frame_equal(
        service.complaint_dashboard(t.assign(date=t["date"].dt.strftime("%Y-%m-%d"))), service.complaint_dashboard(t)
    )
    with pytest.raises(DataError, match="'date'.*numbers"):
        service.complaint_dashboard(t.assign(date=t["date"].dt.strftime("%Y%m%d").astype(int)))
    with pytest.raises(DataError, match="'date'.*ambiguous"):
        service.complaint_dashboard(t.assign(date=t["date"].dt.strftime("%m/%d/%Y").where(t.index > 0, "03/04/2025")))
    with pytest.raises(DataError, match=r"'wait_h'.*rows: 2"):
        service.complaint_dashboard(t.assign(wait_h=[1.0, 3.0, -1.0, np.nan, 2.0]))
    with pytest.raises(DataError, match=r"'accepted'.*rows: 0"):
        service.complaint_dashboard(t.assign(accepted=[0.5, 0.0, np.nan, np.nan, 1.0]))
    with pytest.raises(DataError, match="resolution_h"):
        service.complaint_dashboard(t.drop(columns="resolution_h"))
    with pytest.raises(ConfigError, match="freq"):
        service.complaint_dashboard(t, freq="fortnight")


# --------------------------------------------------------------------------- CP10


def _follow_ups(ratio: float, n: int, seed: int, base: float = 0.4) -> pd.DataFrame:
    """n first tickets, 30% slow; each draws Poisson(base x ratio if slow) chasers within 20 days."""
    rng = np.random.default_rng(seed)
    slow = rng.random(n) < 0.3
    first = pd.DataFrame({"customer_id": np.arange(1, n + 1), "opened_t": rng.uniform(0, 300, n),
                          "wait_h": np.where(slow, 9.0, 1.0), "sla_first_response_met": ~slow, "chaser_of": -1})  # fmt: skip
    k = rng.poisson(np.where(slow, base * ratio, base))
    rows = np.repeat(np.arange(n), k)
    later = pd.DataFrame({"customer_id": first["customer_id"].to_numpy()[rows],
                          "opened_t": first["opened_t"].to_numpy()[rows] + rng.uniform(0.01, 20, len(rows)),
                          "wait_h": 1.0, "sla_first_response_met": True, "chaser_of": rows + 1})  # fmt: skip
    return pd.concat([first, later], ignore_index=True)


def test_elasticity_recovers_a_known_rate_ratio_with_honest_coverage():
    covered = 0
    for seed in range(40):
        r = service.wait_complaint_elasticity(_follow_ups(1.3, 3000, seed), end_t=400.0)
        covered += r["ci_low"] <= 1.3 <= r["ci_high"]
        assert r["n_slow"] + r["n_fast"] == 3000
    assert 34 <= covered <= 40  # 95% CI: expect 38 of 40 (binomial 2.5% tail: 34)


def test_elasticity_rejects_the_claim_when_waiting_changes_nothing():
    r = service.wait_complaint_elasticity(_follow_ups(1.0, 20_000, 1), end_t=400.0)
    assert r["ci_low"] < 1.0 < r["ci_high"] and not r["claim_inside_ci"] and r["ci_high"] < 1.3
    r2 = service.wait_complaint_elasticity(_follow_ups(1.0, 20_000, 1), end_t=400.0, claim=1.0)
    assert r2["claim_inside_ci"] and r2["claim"] == 1.0


def test_elasticity_window_and_threshold_matter():
    t = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3], "opened_t": [0.0, 5.0, 50.0, 0.0, 40.0, 0.0],
                      "wait_h": [9.0, 1.0, 1.0, 1.0, 1.0, 2.0],
                      "sla_first_response_met": [False, True, True, True, True, True]})  # fmt: skip
    # window 10: every ticket is a unit; the slow one (c1 at 0) has one follow-up, the five fast ones none
    with pytest.raises(DataError, match="no further complaint after the fast tickets"):
        service.wait_complaint_elasticity(t, window_days=10.0, end_t=100.0)
    r = service.wait_complaint_elasticity(t, window_days=60.0, end_t=100.0, slow_h=1.5)
    # window 60: units opened by day 40 (c1 at 50 left out); slow (> 1.5 h): c1 at 0 -> 2, c3 at 0 -> 0;
    # fast: c1 at 5 -> 1, c2 at 0 -> 1, c2 at 40 -> 0
    assert (r["n_slow"], r["n_fast"]) == (2, 3)
    assert r["mean_slow"] == pytest.approx(1.0) and r["mean_fast"] == pytest.approx(2 / 3)
    assert r["rate_ratio"] == pytest.approx(1.5)


def test_elasticity_malformed_input():
    t = _follow_ups(1.3, 500, 3)
    with pytest.raises(DataError, match="sla_first_response_met"):
        service.wait_complaint_elasticity(t.drop(columns="sla_first_response_met"))
    with pytest.raises(DataError, match=r"'opened_t'.*rows: 4"):
        service.wait_complaint_elasticity(t.assign(opened_t=t["opened_t"].where(t.index != 4)))
    with pytest.raises(DataError, match="slow and fast"):
        service.wait_complaint_elasticity(t.assign(sla_first_response_met=True), end_t=400.0)
    with pytest.raises(DataError, match="'customer_id'"):
        service.wait_complaint_elasticity(t.assign(customer_id=t["customer_id"].astype(str)))
    with pytest.raises(ConfigError, match="confidence"):
        service.wait_complaint_elasticity(t, confidence=95)


# --------------------------------------------------------------------------- staffing


def test_staffing_table_mm1_closed_form_and_erlang_c():
    lam, mean = 0.6, 1.0  # M/M/1 at rho 0.6: P(wait) = rho, Wq = rho / (mu - lambda)
    row = service.staffing_table(lam, mean, 1, target_wait_h=0.5).loc[1]
    assert row["p_wait"] == pytest.approx(0.6) and row["mean_wait_h"] == pytest.approx(0.6 / 0.4)
    assert row["service_level"] == pytest.approx(1 - 0.6 * math.exp(-0.4 * 0.5))
    table = service.staffing_table(5.0, 0.5, range(1, 6), target_wait_h=0.1)
    assert table["stable"].tolist() == [False, False, True, True, True]
    assert math.isinf(table.loc[2, "mean_wait_h"]) and table.loc[2, "service_level"] == 0.0
    assert table.loc[4, "mean_wait_h"] == pytest.approx(queueing.erlang_c_wait(5.0, 2.0, 4))
    assert table["utilisation"].tolist() == pytest.approx([2.5 / c for c in range(1, 6)])
    assert table.loc[3:, "mean_wait_h"].is_monotonic_decreasing


def test_staffing_table_refuses_bad_arguments():
    for kwargs, name in [({"agents": 0}, "agents"), ({"agents": [2, 1.5]}, "agents"), ({"agents": "3"}, "agents"),
                         ({"mean_service_h": 0.0}, "mean_service_h"), ({"target_wait_h": -1}, "target_wait_h")]:  # fmt: skip
        args = {"arrival_rate_h": 1.0, "mean_service_h": 1.0, "agents": 2, "target_wait_h": 0.5} | kwargs
        with pytest.raises(ConfigError, match=name):
            service.staffing_table(**args)


# --------------------------------------------------------------------------- utilisation


def test_utilisation_by_hand_with_window_and_bot():
    t = pd.DataFrame({"first_response_t": [0.0, 1.0, 2.0, 3.0, np.nan], "resolved_t": [0.5, 1.25, 2.1, np.nan, np.nan],
                      "agent": [0, 1, -1, 0, -1], "bot": [False, False, True, False, False]})  # fmt: skip
    assert service.utilisation(t, 24.0) == pytest.approx((12 + 6) / 24)  # bot and open tickets: no agent time yet
    assert service.utilisation(t, 24.0, start_t=0.25, end_t=1.125) == pytest.approx((6 + 3) / 24)
    h = pd.DataFrame({"handle_h": [2.0, 3.0, np.nan], "resolved_t": [1.0, 5.0, np.nan]})
    assert service.utilisation(h, 10.0) == pytest.approx(0.5)
    assert service.utilisation(h, 10.0, end_t=2.0) == pytest.approx(0.2)


def test_utilisation_malformed_input():
    t = pd.DataFrame({"first_response_t": [0.0, 1.0], "resolved_t": [0.5, 0.5], "agent": [0, 1]})
    with pytest.raises(DataError, match=r"'resolved_t'.*rows: 1"):
        service.utilisation(t, 24.0)
    with pytest.raises(DataError, match="agent"):
        service.utilisation(t.drop(columns="agent"), 24.0)
    with pytest.raises(ConfigError, match="staffed_agent_hours"):
        service.utilisation(t, 0.0)
    with pytest.raises(DataError, match=r"'handle_h'.*rows: 0"):
        service.utilisation(pd.DataFrame({"handle_h": [-1.0], "resolved_t": [1.0]}), 5.0)


# --------------------------------------------------------------------------- on the simulator


@pytest.fixture(scope="module")
def ops_run():
    import sim

    policy = sim.Policy.load("do_nothing").updated({"service.follow_up.enabled": True})
    return sim.run("service_ops", policy, customers=2000, days=365, seed=13)


@pytest.mark.timeout(120)
def test_utilisation_and_dashboard_agree_with_the_kpis(ops_run):
    t, k = ops_run.tickets, ops_run.kpis()
    staffed = ops_run.agents * 24 * 365
    assert service.utilisation(t, staffed) == pytest.approx(k["agent_utilisation"], rel=1e-9)
    d = service.complaint_dashboard(t)
    assert d["tickets"].sum() == len(t) == k["tickets"]
    refused, asked = (t["accepted"] == 0).sum(), t["accepted"].notna().sum()
    assert asked > 50 and refused / asked == pytest.approx(k["reopen_rate"], rel=1e-9)
    assert service.pareto(t)["count"].sum() == len(t)


@pytest.mark.timeout(120)
def test_elasticity_sees_the_chasers_and_less_without_them(ops_run):
    import sim

    with_chasers = service.wait_complaint_elasticity(ops_run.tickets, end_t=365.0)
    assert with_chasers["ci_low"] > 1.0  # customers past their target chase: complaints rise with waiting
    sc = sim.Scenario.load("service_ops").updated({"complaints.chaser_rate_per_day": 0.0})
    policy = sim.Policy.load("do_nothing").updated({"service.follow_up.enabled": True})
    quiet = sim.run(sc, policy, customers=2000, days=365, seed=13).tickets
    assert (quiet["chaser_of"] >= 0).sum() == 0
    without = service.wait_complaint_elasticity(quiet, end_t=365.0)
    assert without["rate_ratio"] < with_chasers["ci_low"]
