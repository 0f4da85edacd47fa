"""The management loop reviews a KPI of the firm's own observations, ratchets its target and
moves its lever within bounds.

The loop's KPI arithmetic (:func:`sim.world.firm_management.window_kpi`) must agree with the
KPIs of :mod:`sim.results.kpis` on the same window; the logged reviews must follow the
documented ratchet rules; a loop whose target is never missed must leave the run untouched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.management import management_reviews
from sim.config.policy_management import MANAGEMENT_KPIS, management_detail
from sim.world.firm_management import window_kpi


def _port_frames(res: sim.Result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observed orders and answers as the firm's port hands them out (customer index i = id - 1)."""
    o = pd.DataFrame({"i": res.orders["customer_id"] - 1, "t": res.orders["t"], "amount": res.orders["amount"]})
    sv = res.surveys[["t", "instrument", "score"]]
    return o, sv


@pytest.fixture(scope="module")
def retail() -> sim.Result:
    return sim.run("baseline", "vip_care", customers=1500, days=200, seed=11)


def test_window_kpis_equal_the_monthly_kpis_of_the_results(retail) -> None:
    monthly = retail.kpis(by="month")
    o, sv = _port_frames(retail)
    start = retail.start_date
    checked = 0
    for month, row in monthly.iterrows():
        t0 = max(0.0, (month.start_time - start) / pd.Timedelta(days=1))
        t1 = min(retail.horizon_days, (month.end_time - start) / pd.Timedelta(days=1))
        t1 = float(np.ceil(t1)) if t1 < retail.horizon_days else t1  # end_time is the month's last nanosecond
        for kpi in MANAGEMENT_KPIS:
            mine = window_kpi(kpi, o, sv, t0, t1)
            theirs = row[kpi]
            if kpi == "active_customers":  # measured at the period end (t1 = end_time) in the results
                t_end = min(retail.horizon_days, (month.end_time - start) / pd.Timedelta(days=1))
                mine = window_kpi(kpi, o, sv, t0, t_end)
            assert mine == pytest.approx(theirs, nan_ok=True, rel=1e-12), (str(month), kpi, mine, theirs)
            checked += not np.isnan(theirs)
    assert checked > 40


def test_the_first_review_logs_the_monthly_kpi_of_january() -> None:
    """Reviews every 31 days from 2025-01-01: the first review's window is January."""
    for kpi in ("revenue", "csat", "repeat_purchase_rate"):
        d = sim.Policy.load("vip_care").to_dict()
        d["management"] = {"enabled": True, "review_every_days": 31, "kpi": kpi, "target": 0,
                           "lever": "contacts.1.interval_days", "step": -1}  # fmt: skip
        res = sim.run("baseline", sim.Policy.from_dict(d), customers=800, days=70, seed=4)
        reviews = management_reviews(res.events)
        assert reviews["t"].tolist() == [31.0, 62.0]
        jan = res.kpis(by="month").iloc[0][kpi]
        assert not np.isnan(jan) or kpi == "repeat_purchase_rate"
        assert reviews["value"].iloc[0] == pytest.approx(jan, rel=1e-5, abs=1e-12)  # the detail keeps 6 digits


def _loop(**mg) -> sim.Policy:
    d = sim.Policy.load("vip_care").updated({"budget.amount_per_period": None}).to_dict()
    d["management"] = {"enabled": True, "lever": "contacts.1.interval_days", **mg}
    return sim.Policy.from_dict(d)


def test_the_ratchet_arithmetic_of_the_logged_reviews() -> None:
    """Met: target x (1 + ratchet) next, lever stays. Missed: target stays, lever + step within bounds.
    Target null: the first review with a non-zero value sets it (the first quarter's repeat rate is 0)."""
    pol = _loop(review_every_days=30, kpi="repeat_purchase_rate", ratchet=0.3, step=-20, lower=30, upper=91)
    res = sim.run("baseline", pol, customers=1500, days=365, seed=2)
    rv = management_reviews(res.events)
    assert len(rv) == 12
    assert rv["met"].isna().iloc[0] and rv["value"].iloc[0] == 0.0  # nobody bought before day 0
    first = rv.index[rv["met"].notna()][0]
    assert rv.loc[first, "target"] == rv.loc[first, "value"] and bool(rv.loc[first, "met"])
    for k in range(first, len(rv) - 1):
        now, nxt = rv.iloc[k], rv.iloc[k + 1]
        assert bool(now["met"]) == (now["value"] >= now["target"] - 1e-6 * abs(now["target"]))
        if now["met"]:
            assert nxt["target"] == pytest.approx(now["target"] * 1.3, rel=1e-5)
            assert now["new"] == now["old"]
        else:
            assert nxt["target"] == pytest.approx(now["target"], rel=1e-5)
            assert now["new"] == max(30.0, now["old"] - 20.0)
        assert nxt["old"] == now["new"]
    assert rv["met"].eq(False).any() and rv["met"].eq(True).sum() >= 2  # both branches were exercised


def test_a_missed_target_moves_the_lever_to_its_bound_and_the_firm_follows() -> None:
    """Target 1.0 (every buyer returning) is never met: 91 -> 71 -> 51 -> 31 -> 30 (lower bound), then stays;
    silver customers are contacted as often as the lever says."""
    pol = _loop(review_every_days=30, kpi="repeat_purchase_rate", target=1.0, step=-20, lower=30, upper=91)
    res = sim.run("baseline", pol, customers=1500, days=240, seed=3)
    rv = management_reviews(res.events)
    assert rv["new"].tolist()[:5] == [71.0, 51.0, 31.0, 30.0, 30.0] and set(rv["new"].iloc[4:]) == {30.0}
    assert not rv["met"].any()
    ct = res.contacts
    silver = lambda t0, t1: ((ct["campaign"] == "tier:silver") & (ct["t"] >= t0) & (ct["t"] < t1)).sum() / (t1 - t0)
    assert silver(150, 240) > 2.0 * silver(10, 30)  # interval 30 vs 91 (more silver customers later, too)


def test_an_always_met_loop_changes_nothing_but_the_events() -> None:
    """Target 0 on orders is always met and the lever never moves: every other table is bit-identical."""
    base = sim.Policy.load("vip_care")
    d = base.to_dict()
    d["management"] = {"enabled": True, "kpi": "orders", "target": 0, "lever": "contacts.1.interval_days", "step": -30,
                       "lower": 30, "review_every_days": 20}  # fmt: skip
    a = sim.run("baseline", base, customers=600, days=150, seed=9)
    b = sim.run("baseline", sim.Policy.from_dict(d), customers=600, days=150, seed=9)
    for table in ("orders", "contacts", "tickets", "surveys", "tiers", "customers"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), obj=table)
    ev = b.events[b.events["event"] != "management_review"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a.events, ev)
    assert (b.events["event"] == "management_review").sum() == 7


@pytest.mark.slow
def test_a_lever_that_surely_raises_the_kpi_raises_it() -> None:
    """Toy: everyone is in one tier called by phone (open 0.6, convert 0.08: an immediate order; no
    fatigue) every `interval` days. Orders are the KPI; an unreachable target makes the loop shorten the interval to
    its bound of 3 days; orders in the last 60 days then exceed those of the fixed 60-day policy."""
    d = {
        "tiering": {"method": "spend_share", "tiers": [{"name": "all", "share": 1.0}], "refresh_days": 30},
        "contacts": [{"tier": "all", "interval_days": 60, "channel": "phone"}],
        "fatigue": {"free_contacts": 10000, "satisfaction_penalty": 0.0, "opt_out_prob": 0.0},
    }
    fixed = sim.Policy.from_dict(d)
    looped = sim.Policy.from_dict({**d, "management": {"enabled": True, "kpi": "orders", "target": 1e9,
                                   "review_every_days": 30, "lever": "contacts.0.interval_days", "step": -19,
                                   "lower": 3}})  # fmt: skip
    a = sim.run("baseline", fixed, customers=1500, days=240, seed=5)
    b = sim.run("baseline", looped, customers=1500, days=240, seed=5)
    assert management_reviews(b.events)["new"].iloc[-1] == 3.0
    late = lambda r: int((r.orders["t"] >= 180).sum())
    assert late(b) > 1.3 * late(a)


def test_the_firm_writes_what_the_analysis_parses() -> None:
    cases = [
        ("repeat_purchase_rate", 0.2312345678, 0.225, True, "contacts.0.interval_days", 30, 30),
        ("nps", -12.5, -10.0, False, "contacts.1.interval_days", 91.0, 76.0),
        ("csat", float("nan"), float("nan"), None, "alerts.bad_review.min_answers", 20, 20),
    ]
    ev = pd.DataFrame({"t": [1.0, 2.0, 3.0], "event": "management_review",
                       "detail": [management_detail(*c) for c in cases]})  # fmt: skip
    rv = management_reviews(ev)
    assert rv["kpi"].tolist() == [c[0] for c in cases] and rv["lever"].tolist() == [c[4] for c in cases]
    assert rv["value"].iloc[0] == pytest.approx(0.231235) and rv["new"].tolist() == [30.0, 76.0, 20.0]
    assert rv["met"].iloc[0] and not rv["met"].iloc[1] and pd.isna(rv["met"].iloc[2])
