"""The reference engine on its own: tables as documented, the mechanisms doing what the model says."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy

import sim
from sim.errors import LatentAccessError
from sim.schema import TABLES, columns
from sim.world.observed import FirmPort
from sim.world.reference import ReferencePort, World, simulate_reference
from sim.world.reference.desk import BOT_AGENT
from sim.world.rng import Streams


@pytest.fixture(scope="module")
def baseline_ref() -> tuple[dict[str, pd.DataFrame], dict]:
    """The baseline retailer on the reference engine: 2 000 customers over two years."""
    return simulate_reference("baseline", customers=2000, days=730, seed=11)


STRAINED = {
    "desk.scale_with_customers": False,
    "desk.agents": 1,
    "desk.service_time": {
        "distribution": "exponential",
        "mean_h": {"P0": 6.0, "P1": 6.0, "P2": 6.0, "P3": 6.0},
        "cv": 1.0,
    },
    "complaints.complaint_prob_ok": 0.1,
    "complaints.severity_mix": {"P0": 0.25, "P1": 0.25, "P2": 0.25, "P3": 0.25},
}


# ---------------------------------------------------------------- tables
def test_tables_have_exactly_the_documented_columns_and_dtypes(baseline_ref):
    tables, _ = baseline_ref
    fast = sim.run("baseline", customers=200, days=120, seed=1).tables
    assert list(tables) == list(TABLES)
    for name, df in tables.items():
        assert list(df.columns) == columns(name), name
        assert df.dtypes.astype(str).to_dict() == fast[name].dtypes.astype(str).to_dict(), name


def test_tables_are_consistent_with_each_other(baseline_ref):
    (t, _), sc = baseline_ref, sim.Scenario.load("baseline")
    c, o, tk, sv, ev = t["customers"], t["orders"], t["tickets"], t["surveys"], t["events"]
    assert c["customer_id"].is_unique and o["order_id"].is_unique and tk["ticket_id"].is_unique
    first = o[o["is_first"]].set_index("customer_id")["t"].sort_index()
    assert (first.index == c["customer_id"].to_numpy()).all()  # one acquisition order each ...
    np.testing.assert_allclose(first.to_numpy(), c["acquired_t"].to_numpy())  # ... at acquisition
    churn = c.set_index("customer_id")["true_churn_t"]
    assert not (o["t"].to_numpy() > churn.reindex(o["customer_id"]).fillna(np.inf).to_numpy()).any()
    done = tk.dropna(subset=["resolved_t"])
    assert (done["opened_t"] <= done["first_response_t"]).all() and (
        done["first_response_t"] <= done["resolved_t"]
    ).all()
    targets = done["severity"].map({s: v.first_response_h for s, v in sc.desk.sla.items()})
    assert (done["sla_first_response_met"].astype(bool) == (done["wait_h"] <= targets)).all()
    assert set(sv["instrument"]) == {"nps", "csat", "ces"}
    assert sv["t"].is_monotonic_increasing and (sv["survey_id"] == np.arange(1, len(sv) + 1)).all()
    assert (ev["event"] == "true_churned").sum() == c["true_churn_t"].notna().sum()
    referred = c[c["channel"] == "referral"]
    assert (ev["event"] == "referred").sum() == len(referred) > 0
    assert (c["true_churn_reason"] != "").sum() == c["true_churn_t"].notna().sum()


def test_the_tables_make_a_result_with_kpis(baseline_ref):
    """``(tables, info)`` plugs into :class:`sim.Result` like the fast engine's output."""
    tables, info = baseline_ref
    sc = sim.Scenario.load("baseline").updated({"horizon_days": 730.0})
    res = sim.Result(**tables, scenario=sc, seed=11, agents=info["agent_days_per_day"], info=info)
    k = res.kpis()
    assert k["orders"] == len(tables["orders"]) and 0 < k["sla_met_rate"] <= 1


def test_same_seed_same_tables_and_the_fast_engines_customers():
    a, _ = simulate_reference("baseline", customers=300, days=200, seed=4)
    b, _ = simulate_reference("baseline", customers=300, days=200, seed=4)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    fast = sim.run("baseline", customers=300, days=200, seed=4).customers
    paid = a["customers"][a["customers"]["channel"] != "referral"].reset_index(drop=True)
    fast_paid = fast[fast["channel"] != "referral"].reset_index(drop=True)
    for col in [
        "acquired_t",
        "channel",
        "true_purchase_rate",
        "true_dropout_prob",
        "true_spend_scale",
        "true_satisfaction_start",
    ]:
        pd.testing.assert_series_equal(paid[col], fast_paid[col], obj=col)


# ---------------------------------------------------------------- BG/NBD core
def test_btyd_only_drops_out_only_right_after_a_repeat_order():
    t, _ = simulate_reference("btyd_only", customers=2000, days=365, seed=3)
    c, o = t["customers"], t["orders"]
    assert (c["acquired_t"] == 0).all() and len(t["tickets"]) == len(t["surveys"]) == 0
    churned = c.dropna(subset=["true_churn_t"])
    last = o.groupby("customer_id")["t"].max()
    np.testing.assert_allclose(churned["true_churn_t"].to_numpy(), last.reindex(churned["customer_id"]).to_numpy())
    assert (o.groupby("customer_id").size().reindex(churned["customer_id"]) >= 2).all()
    assert (c["true_satisfaction_end"] == c["true_satisfaction_start"]).all()  # satisfaction is switched off


def test_mbg_nbd_lets_one_time_buyers_leave():
    t, _ = simulate_reference("baseline", customers=2000, days=365, seed=3)  # baseline: dropout_after_first
    n_orders = t["orders"].groupby("customer_id").size()
    gone_after_one = t["customers"].set_index("customer_id").loc[n_orders[n_orders == 1].index, "true_churn_t"].notna()
    assert gone_after_one.sum() > 0


# ---------------------------------------------------------------- desk
@pytest.fixture(scope="module")
def strained() -> pd.DataFrame:
    """Tickets at one agent with six-hour tickets of four equally likely severities: a queue forms."""
    tables, _ = simulate_reference(sim.Scenario.load("baseline").updated(STRAINED), customers=3000, days=365, seed=8)
    return tables["tickets"]


def test_the_desk_serves_the_most_severe_first(strained):
    waits = strained.dropna(subset=["first_response_t"]).groupby("severity")["wait_h"].mean()
    assert waits["P0"] < waits["P1"] < waits["P2"] < waits["P3"], waits


def test_one_agent_serves_one_ticket_at_a_time(strained):
    done = strained.dropna(subset=["resolved_t"]).sort_values("first_response_t")
    assert (done["agent"] == 0).all()
    assert (done["first_response_t"].to_numpy()[1:] >= done["resolved_t"].to_numpy()[:-1] - 1e-9).all()


def test_a_breach_is_felt_when_the_resolution_target_passes():
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("baseline").updated(STRAINED), 1500, 200.0, Streams(2), agents=1)
    w.start()
    env.run(until=200.0)
    late = [t for t in w.logs.tickets if t.resolved and t.resolved_t - t.opened_t > t.resolution_target]
    on_time = [t for t in w.logs.tickets if t.resolved and t.resolved_t - t.opened_t <= t.resolution_target]
    assert late and all(t.breach_felt for t in late)
    assert not any(t.breach_felt for t in on_time)


def test_service_levers_bot_escalation_and_shifts():
    sc = sim.Scenario.load("baseline").updated(STRAINED)
    pol = sim.Policy.from_dict(
        {
            "service": {
                "escalate_on_breach": True,
                "shifts": [{"start_h": 8.0, "end_h": 20.0, "agents": 2}],
                "bot": {"enabled": True, "share_of_p3": 1.0, "containment": 0.5, "handle_time_h": 0.1},
            }
        }
    )
    t, info = simulate_reference(sc, pol, customers=2000, days=200, seed=5)
    tk = t["tickets"]
    assert info["agent_days_per_day"] == pytest.approx(1.0)  # two agents for half a day
    bot = tk[tk["bot"]]
    assert len(bot) > 0 and (bot["agent"] == BOT_AGENT).all() and (bot["severity"] == "P3").all()
    np.testing.assert_allclose(bot["resolution_h"].dropna(), 0.1)
    human = tk[~tk["bot"]].dropna(subset=["first_response_t"])
    hour = (human["first_response_t"] % 1.0) * 24.0
    assert hour.between(8.0 - 1e-6, 20.0 + 1e-6).all()  # picked up only while the shift is on duty
    escalated = tk[tk["escalated"]]
    targets = escalated["severity"].map({s: v.first_response_h for s, v in sc.desk.sla.items()})
    assert len(escalated) > 0 and (escalated["wait_h"] >= targets - 1e-6).all()


# ---------------------------------------------------------------- the firm's port
def test_the_port_implements_firm_port_and_hides_the_truth():
    members = lambda cls: {m for m in vars(cls) if not m.startswith("_")}
    assert members(FirmPort) <= members(ReferencePort)
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("baseline"), 50, 60.0, Streams(1), agents=1)
    w.start()
    env.run(until=60.0)
    port = ReferencePort(w)
    i = port.acquired()[0]
    assert isinstance(port.consent(i), bool) and 1 <= port.birth_month(i) <= 12
    frame = port.order_frame()
    assert list(frame.columns) == ["i", "t", "amount"] and frame["amount"].iloc[0] == port.order_amount(0)
    frame.loc[0, "amount"] = -1.0  # a copy: the world is untouched
    assert port.order_amount(0) > 0
    with pytest.raises(LatentAccessError):
        port.event(i, "true_churned", "price")
    with pytest.raises(AttributeError):
        port.alive
    with pytest.raises(AttributeError):
        port._world_alive = True  # type: ignore[attr-defined]


def test_an_opened_offer_can_win_a_lapsed_customer_back():
    """``deliver`` with a sure win-back offer reactivates a churned customer and restarts their buying."""
    pol = sim.Policy.from_dict(
        {"offers": {"back": {"winback_prob": 1.0, "winback_half_life_days": 1e6}}, "channels": _sure_channels()}
    )
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("btyd_only"), 200, 400.0, Streams(3), agents=1, policy=pol)
    w.start()
    env.run(until=200.0)
    gone = next(c for c in w.customers if c.acquired and not c.alive)
    cid = ReferencePort(w).deliver(gone.index, "winback", "email", "back")
    assert w.logs.contacts[cid].opened and not w.logs.contacts[cid].converted
    assert gone.alive and math.isnan(gone.churn_t) and w.logs.events[-1].event == "true_reactivated"
    assert gone.process is not None and gone.process.is_alive  # buying again
    env.run(until=400.0)


def test_a_membership_multiplies_the_rate_and_tells_the_customer_process():
    pol = sim.Policy.load("loyalty_tiers")
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("baseline"), 100, 100.0, Streams(4), agents=1, policy=pol)
    w.start()
    env.run(until=10.0)
    c = next(c for c in w.customers if c.acquired and c.alive)
    before = w.purchase_rate(c)
    s = w.satisfaction(c)
    ReferencePort(w).set_membership(c.index, pol.loyalty.tiers[2])
    assert c.rate_multiplier == pytest.approx(1.15) and c.member_dropout_shift == pol.loyalty.tiers[2].dropout_shift
    assert c.s == pytest.approx(min(10.0, s + pol.loyalty.tiers[2].upgrade_boost))
    assert w.purchase_rate(c) > before * 1.15 - 1e-12  # uplift, and the upgrade lifted satisfaction
    ReferencePort(w).clear_membership(c.index)
    assert c.rate_multiplier == 1.0 and not c.priority_service
    env.run(until=100.0)  # the interrupted process carries on


def _sure_channels() -> dict:
    return {ch: {"cost": 1.0, "open_rate": 1.0, "convert_rate": 0.0} for ch in ("email", "sms", "push", "phone")}
