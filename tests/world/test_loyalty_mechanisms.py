"""Chapter 09's loyalty mechanisms: the points ledger and how customers respond to a programme.

Each lever is checked against what the simulator knows: the ledger against its own invariants and
the orders table, check-ins against the latent ``true_check_in_rate``, the goal gradient, ranking
and referral bonus on against off under the same seed (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.results.kpis import points_kpis
from sim.world.firm_loyalty import ranking_winners

CLUB = sim.Scenario.load("loyalty_club")
POINTS = sim.Policy.load("points_club")


def _quiet(sc: sim.Scenario) -> sim.Scenario:
    """``sc`` with every loyalty response off (the levers are switched on one at a time)."""
    return sc.updated(
        {
            "loyalty_response.goal_gradient.strength": 0.0,
            "loyalty_response.check_in_rate_per_week": 0.0,
            "loyalty_response.check_in_dropout_shift": 0.0,
            "loyalty_response.referral_bonus_elasticity": 0.0,
            "loyalty_response.ranking_rate_uplift": 0.0,
            "loyalty_response.redeem_prob": 0.0,
        }
    )


@pytest.fixture(scope="module")
def club_run() -> sim.Result:
    pol = POINTS.updated({"loyalty.expiry_days": 60})  # short expiry: rows of every kind within the run
    return sim.run(CLUB, pol, customers=400, days=300, seed=11)


# ---------------------------------------------------------------------- the ledger
def test_ledger_invariants_hold(club_run):
    p = club_run.points
    assert set(p["kind"]) == {"earn", "redeem", "expire", "check_in", "ranking"}
    assert (p["balance"] >= -1e-9).all()
    # the balance is the running sum of each customer's rows (rows are in time order)
    running = p.groupby("customer_id")["points"].cumsum()
    np.testing.assert_allclose(p["balance"], running, atol=1e-6)
    assert p["t"].is_monotonic_increasing
    # issued - redeemed - expired = outstanding (the last balance of each customer)
    k = club_run.kpis()
    outstanding = p.groupby("customer_id")["balance"].last().sum()
    assert k["points_issued"] - k["points_redeemed"] - k["points_expired"] == pytest.approx(outstanding, rel=1e-9)
    assert ((p["kind"] == "redeem") == (p["points"] < 0) & (p["kind"] != "expire")).all()


def test_earn_rows_are_the_orders_points_and_redemptions_happen_at_orders(club_run):
    p, o = club_run.points, club_run.orders
    earn = p[p["kind"] == "earn"].set_index("order_id")["points"].sort_index()
    expected = o.loc[o["points"] > 0].set_index("order_id")["points"].sort_index()
    pd.testing.assert_series_equal(earn, expected, check_names=False)
    red = p[p["kind"] == "redeem"]
    assert (red["order_id"] > 0).all() and (
        p.loc[p["kind"].isin(["check_in", "ranking", "expire"]), "order_id"] == -1
    ).all()
    before = (red["balance"] - red["points"]).to_numpy()  # the whole balance is redeemed
    assert (red["balance"] == 0).all() and (before >= POINTS.loyalty.redeem_min_points).all()
    # customers with a higher latent redemption propensity redeem more often per eligible order
    prob = club_run.customers.set_index("customer_id")["true_redeem_prob"]
    redeemers = set(red["customer_id"])
    assert prob[list(redeemers)].mean() > prob.mean()


def test_expiry_is_first_in_first_out_after_expiry_days(club_run):
    p = club_run.points.reset_index(drop=True)
    days = 60.0
    exp = p[p["kind"] == "expire"]
    assert len(exp) > 0
    for _, row in exp.head(200).iterrows():
        mine = p[(p["customer_id"] == row["customer_id"]) & (p.index < row.name)]
        lot = mine[(mine["points"] > 0) & np.isclose(mine["t"], row["t"] - days)]
        assert len(lot) >= 1  # a credit exactly expiry_days earlier
        redeemed_since = mine[(mine["kind"] == "redeem") & (mine["t"] >= row["t"] - days)]
        assert len(redeemed_since) == 0  # a redemption takes the whole balance: nothing of that lot left
        assert -row["points"] == pytest.approx(lot["points"].iloc[-1])


def test_expiry_moves_the_ledger_not_the_customers():
    sc = _quiet(CLUB).updated({"loyalty_response.redeem_prob": 0.3})
    kw = dict(customers=300, days=240, seed=5)
    never = sim.run(sc, POINTS.updated({"loyalty.expiry_days": 0, "loyalty.check_in.enabled": False}), **kw)
    soon = sim.run(sc, POINTS.updated({"loyalty.expiry_days": 45, "loyalty.check_in.enabled": False}), **kw)
    pd.testing.assert_frame_equal(never.orders, soon.orders)  # behaviour does not depend on expiry
    k0, k1 = never.kpis(), soon.kpis()
    assert k0["points_expired"] == 0 and k1["points_expired"] > 0
    assert k1["points_liability"] < k0["points_liability"]
    assert k1["points_issued"] == pytest.approx(k0["points_issued"])
    first_expiry = soon.points.loc[soon.points["kind"] == "expire", "t"].min()
    assert first_expiry >= 45.0


def test_liability_and_breakage_closed_form_on_a_hand_computed_ledger():
    led = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 1, 2, 3],
            "t": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 40.0],
            "kind": ["earn", "check_in", "earn", "ranking", "redeem", "expire", "earn"],
            "points": [400.0, 100.0, 300.0, 200.0, -500.0, -300.0, 1000.0],
            "balance": [400.0, 500.0, 300.0, 500.0, 0.0, 200.0, 1000.0],
        }
    )
    # up to day 30: issued 1000, redeemed 500, expired 300, outstanding 200; share 500/800
    k = points_kpis(led, 0.0, 30.0, point_value=0.02, fallback_share=0.9)
    share = 500 / 800
    assert k["points_issued"] == 1000 and k["points_redeemed"] == 500 and k["points_expired"] == 300
    assert k["points_liability"] == pytest.approx(200 * 0.02 * share)
    assert k["breakage_rate"] == pytest.approx((300 + 200 * (1 - share)) / 1000)
    assert k["check_ins"] == 1
    # the second month: only its flows, the liability at its end (share unchanged: no new redemption)
    k2 = points_kpis(led, 30.0, 60.0, point_value=0.02, fallback_share=0.9)
    assert k2["points_issued"] == 1000 and k2["points_redeemed"] == 0
    assert k2["points_liability"] == pytest.approx(1200 * 0.02 * share)
    # without a redemption the policy's redemption_rate is the expected share
    k0 = points_kpis(led.iloc[:4], 0.0, 5.0, point_value=0.02, fallback_share=0.9)
    assert k0["points_liability"] == pytest.approx(1000 * 0.02 * 0.9)
    assert math.isnan(points_kpis(led.iloc[:0], 0.0, 5.0, 0.02, 0.9)["breakage_rate"])


def test_retention_cost_counts_the_redeemed_value_with_a_ledger(club_run):
    res, lo = club_run, POINTS.loyalty
    redeemed = -club_run.points.loc[club_run.points["kind"] == "redeem", "points"].sum()
    expected = res.contacts["cost"].sum() + res.orders["discount"].sum() + redeemed * lo.point_value
    assert res.kpis()["retention_cost"] == pytest.approx(expected)
    monthly = res.kpis(by="month")
    assert monthly["retention_cost"].sum() == pytest.approx(expected)
    assert monthly["points_issued"].sum() == pytest.approx(res.kpis()["points_issued"])


# ---------------------------------------------------------------------- check-ins
def test_check_ins_follow_the_latent_rate_within_the_weekly_cap(club_run):
    p, c = club_run.points, club_run.customers.set_index("customer_id")
    ci = p[p["kind"] == "check_in"]
    assert (ci["points"] == POINTS.loyalty.check_in.points).all()
    week = (ci["t"] // 7).astype(int)
    assert ci.groupby([ci["customer_id"], week]).size().max() <= POINTS.loyalty.check_in.max_per_week
    # no check-in by a customer after their (latent) churn, none before acquisition
    churn = c.loc[ci["customer_id"], "true_churn_t"].to_numpy()
    assert not (ci["t"].to_numpy() > churn).any()
    assert (ci["t"].to_numpy() >= c.loc[ci["customer_id"], "acquired_t"].to_numpy()).all()
    # count = rate x weeks alive (customers the cap hardly binds for)
    end = np.fmin(c["true_churn_t"].fillna(300.0), 300.0)
    weeks = (end - c["acquired_t"]) / 7.0
    light = c["true_check_in_rate"] < 2.0
    counts = ci.groupby("customer_id").size().reindex(c.index, fill_value=0)
    ratio = counts[light].sum() / (c.loc[light, "true_check_in_rate"] * weeks[light]).sum()
    assert 0.9 < ratio < 1.1


def test_a_check_in_habit_lowers_dropout():
    base = _quiet(CLUB).updated(
        {"loyalty_response.check_in_rate_per_week": 1.0, "loyalty_response.check_in_shape": 5.0}
    )
    habit = base.updated({"loyalty_response.check_in_dropout_shift": 3.0})
    pol = POINTS.updated({"loyalty.ranking.enabled": False})
    kw = dict(customers=800, days=240, seed=3)
    off, on = sim.run(base, pol, **kw), sim.run(habit, pol, **kw)
    # same customers, same latent check-in rates (common random numbers) ...
    pd.testing.assert_series_equal(
        off.customers["true_check_in_rate"].iloc[:800], on.customers["true_check_in_rate"].iloc[:800]
    )
    # ... and fewer of them leave
    assert on.customers["true_churn_t"].notna().mean() < 0.85 * off.customers["true_churn_t"].notna().mean()


# ---------------------------------------------------------------------- goal gradient
def _gaps_by_closeness(res: sim.Result, thresholds: list[float], window: float, rolling: float) -> pd.DataFrame:
    """Each repeat gap with the closeness of the customer's own rolling spend after the order before it."""
    rows = []
    for _, g in res.orders.groupby("customer_id"):
        t, a = g["t"].to_numpy(), g["amount"].to_numpy()
        for k in range(len(t) - 1):
            spend = a[(t > t[k] - rolling) & (t <= t[k])].sum()
            close = sim.world.model.goal_closeness(spend, thresholds, window)
            rows.append((close, t[k + 1] - t[k]))
    return pd.DataFrame(rows, columns=["closeness", "gap"])


def test_goal_gradient_shortens_gaps_near_a_threshold_only():
    thresholds = [600.0, 1500.0]
    tiers = [{"name": f"l{k}", "min_spend": m, "upgrade_boost": 0.0} for k, m in enumerate(thresholds)]
    pol = sim.Policy.from_dict({"loyalty": {"enabled": True, "tiers": tiers}})  # tiers without benefits
    sc = _quiet(sim.Scenario.load("btyd_only"))
    on_sc = sc.updated({"loyalty_response.goal_gradient.strength": 1.5, "loyalty_response.goal_gradient.window": 400.0})
    kw = dict(customers=1500, days=600, seed=8)
    off = _gaps_by_closeness(sim.run(sc, pol, **kw), thresholds, 400.0, 365.0)
    on = _gaps_by_closeness(sim.run(on_sc, pol, **kw), thresholds, 400.0, 365.0)
    near_off, near_on = off[off["closeness"] > 0.5]["gap"], on[on["closeness"] > 0.5]["gap"]
    far_off, far_on = off[off["closeness"] == 0]["gap"], on[on["closeness"] == 0]["gap"]
    assert len(near_on) > 200 and len(far_on) > 200
    assert near_on.mean() < 0.7 * near_off.mean()  # rate x (1 + 1.5 closeness): gaps about halve
    assert 0.85 < far_on.mean() / far_off.mean() < 1.15  # far from a threshold: no pull


# ---------------------------------------------------------------------- ranking
def test_ranking_rewards_the_top_spenders_of_each_period(club_run):
    o, p = club_run.orders, club_run.points
    rk = POINTS.loyalty.ranking
    credited = p[p["kind"] == "ranking"]
    assert (credited["points"] == rk.reward_points).all()
    for end in np.arange(rk.period_days, 300.0, rk.period_days):
        period = o[(o["t"] > end - rk.period_days) & (o["t"] <= end)]
        spend = period.groupby("customer_id")["amount"].sum()
        expected = sorted(ranking_winners({int(i): float(a) for i, a in spend.items()}, rk.top_share))
        got = sorted(credited.loc[np.isclose(credited["t"], end), "customer_id"].tolist())
        assert got == expected and len(got) == round(rk.top_share * len(spend))


def test_a_running_ranking_raises_purchases_when_customers_respond():
    sc = _quiet(CLUB)
    pol = POINTS.updated({"loyalty.check_in.enabled": False})
    kw = dict(customers=600, days=240, seed=2)
    off = sim.run(sc, pol, **kw)
    on = sim.run(sc.updated({"loyalty_response.ranking_rate_uplift": 1.0}), pol, **kw)
    assert len(on.orders) > 1.25 * len(off.orders)
    paid = lambda res: res.customers.loc[res.customers["channel"] != "referral", "true_purchase_rate"]
    pd.testing.assert_series_equal(paid(on), paid(off))  # the same customers (common random numbers)


# ---------------------------------------------------------------------- referral bonus
def test_referral_bonus_doubles_the_reward_inside_the_window_and_raises_referrals():
    sc = _quiet(CLUB).updated({"population.referral.prob_per_promoter_order": 0.2})
    pol = sim.Policy.from_dict(
        {"loyalty": {"enabled": True, "referral_bonus": [{"start_day": 60, "end_day": 180, "multiplier": 2.0}]}}
    )
    kw = dict(customers=800, days=240, seed=6)
    flat = sim.run(sc, pol, **kw)
    keen = sim.run(sc.updated({"loyalty_response.referral_bonus_elasticity": 1.5}), pol, **kw)
    for res in (flat, keen):
        ref = res.customers[res.customers["channel"] == "referral"]
        inside = (ref["acquired_t"] >= 60) & (ref["acquired_t"] < 180)
        assert (ref.loc[inside, "cac"] == 60.0).all() and (ref.loc[~inside, "cac"] == 30.0).all()
        ev = res.events[res.events["event"] == "referral_bonus"]
        assert ev[["t", "detail"]].values.tolist() == [[60.0, "x2"], [180.0, "x1"]]

    def in_window(res: sim.Result) -> int:
        ref = res.customers[res.customers["channel"] == "referral"]
        return int(((ref["acquired_t"] >= 60) & (ref["acquired_t"] < 180)).sum())

    # x (1 + 1.5 (2 - 1)) = 2.5 times the referral probability inside the window
    assert in_window(keen) > 1.7 * in_window(flat)
    before = lambda res: int(((res.customers["channel"] == "referral") & (res.customers["acquired_t"] < 60)).sum())
    assert before(keen) == before(flat)  # identical until the window opens (same seed)


# ---------------------------------------------------------------------- off means off
def test_responses_without_a_programme_lever_change_nothing():
    """The loyalty_club responses act only through the programme's levers: a tiers-only policy with goal
    gradient off sees the same world as with every response at its default."""
    sc = sim.Scenario.load("baseline")
    busy = sc.updated(
        {
            "loyalty_response.check_in_rate_per_week": 2.0,
            "loyalty_response.check_in_dropout_shift": 1.0,
            "loyalty_response.referral_bonus_elasticity": 1.0,
            "loyalty_response.ranking_rate_uplift": 0.5,
            "loyalty_response.redeem_prob": 0.5,
        }
    )
    a = sim.run(sc, "loyalty_tiers", customers=300, days=200, seed=9)
    b = sim.run(busy, "loyalty_tiers", customers=300, days=200, seed=9)
    for name in ("orders", "events", "contacts", "tickets"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert len(a.points) == 0 and len(b.points) == 0


def test_switching_check_ins_off_mid_run_stops_them():
    """Firm-side code reads the policy at decision time and republishes it with programme_changed()."""
    import simpy

    from sim.world.engine import World
    from sim.world.firm import Firm
    from sim.world.observed import Observed
    from sim.world.rng import Streams

    env, pol = simpy.Environment(), POINTS
    w = World(env, CLUB, 200, 120.0, Streams(4), 1, policy=pol)
    firm = Firm(env, Observed(w), pol, Streams(4))
    w.attach_firm(firm)
    w.start()
    env.run(until=60.0)
    firm.pol = pol.updated({"loyalty.check_in.enabled": False})
    firm.programme.programme_changed()
    env.run(until=120.0)
    kinds, t = np.array(w.logs.points.kind), np.array(w.logs.points.t)
    assert (kinds[t < 60.0] == "check_in").sum() > 100 and (kinds[t > 60.0] == "check_in").sum() == 0
    assert (kinds[t > 60.0] == "earn").sum() > 0  # the rest of the programme runs on
