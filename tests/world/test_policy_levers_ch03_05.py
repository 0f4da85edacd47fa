"""The firm levers of chapters 03-05: basic service per tier, onboarding, the bad-review alert and
renewal reminders.

Each lever is off by default, is validated, and moves what it should under common random numbers
(same seed, lever on vs off), set strongly enough that the direction is unambiguous; where a
lever's bookkeeping can be recomputed from the tables (alerts, reminders, contact costs), it is.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy

import sim
from sim.config.policy import Policy
from sim.errors import ConfigError
from sim.world.engine import World
from sim.world.firm import Firm
from sim.world.observed import Observed
from sim.world.rng import Streams

pytestmark = pytest.mark.timeout(120)


def _welch_z(a: pd.Series, b: pd.Series) -> float:
    """(mean(a) - mean(b)) in standard errors (Welch)."""
    return float((a.mean() - b.mean()) / math.sqrt(a.var() / len(a) + b.var() / len(b)))


# ---------------------------------------------------------------- configuration
def test_the_new_levers_are_off_by_default_and_each_preset_switches_one_on():
    pol = Policy()
    assert pol.service.basic_tiers == []
    assert not pol.onboarding.enabled
    assert not pol.alerts.bad_review.enabled
    assert not pol.triggers.renewal_reminder.enabled
    assert pol.is_noop()
    assert Policy.load("basic_low_tier").service.basic_tiers == ["bronze"]
    assert Policy.load("onboarding").onboarding.enabled
    assert Policy.load("review_alerts").alerts.bad_review.enabled
    assert Policy.load("renewal_reminders").triggers.renewal_reminder.enabled
    for name in ("onboarding", "review_alerts", "renewal_reminders"):
        assert not Policy.load(name).is_noop(), name


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            {
                "tiering": {"method": "rfm", "tiers": [{"name": "gold", "share": 1.0}]},
                "service": {"basic_tiers": ["bronze"]},
            },
            "service.basic_tiers names tier 'bronze', which is not defined in tiering.tiers (defined: ['gold'])",
        ),
        (
            {"onboarding": {"enabled": True, "contacts_days": [1, 90], "window_days": 60}},
            "contacts_days [90.0] fall at or after window_days (60)",
        ),
        ({"onboarding": {"enabled": True, "contacts_days": []}}, "contacts_days is empty"),
        ({"alerts": {"bad_review": {"threshold": 1.5}}}, "alerts.bad_review.threshold"),
        ({"alerts": {"bad_review": {"negative": {"csat_max": 7}}}}, "alerts.bad_review.negative.csat_max"),
        ({"triggers": {"renewal_reminder": {"renewal_shift": 9}}}, "triggers.renewal_reminder.renewal_shift"),
    ],
)
def test_invalid_lever_settings_say_what_is_wrong(data, needle):
    with pytest.raises(ConfigError) as err:
        Policy.from_dict(data)
    assert needle in str(err.value)


# ---------------------------------------------------------------- basic service for a tier (H12)
def _in_tier(res: sim.Result, frame: pd.DataFrame, t_col: str, tier: str) -> np.ndarray:
    """Whether each row's customer was in ``tier`` at time ``frame[t_col]`` (the latest grading before)."""
    rows = frame.reset_index(drop=True).assign(_row=lambda d: np.arange(len(d))).sort_values(t_col)
    tiers = res.tiers[["customer_id", "t", "tier"]].rename(columns={"t": t_col}).sort_values(t_col)
    merged = pd.merge_asof(rows, tiers, on=t_col, by="customer_id", direction="backward")
    graded = merged.set_index("_row").sort_index()["tier"]
    return graded.eq(tier).fillna(False).to_numpy(dtype=bool)


def test_basic_service_makes_the_low_tier_wait_longer_and_the_others_shorter_at_the_same_cost():
    # two agents and many complaints: a desk that queues, so the order of service matters
    busy = sim.Scenario.load("baseline").updated(
        {"desk.scale_with_customers": False, "desk.agents": 2, "complaints.complaint_prob_ok": 0.3}
    )
    on = Policy.load("basic_low_tier")
    off = on.updated({"service.basic_tiers": []})
    runs = {name: sim.run(busy, pol, customers=10_000, days=365, seed=1) for name, pol in (("off", off), ("on", on))}
    waits = {}
    for name, res in runs.items():
        tk = res.tickets[res.tickets["customer_id"] > 0].dropna(subset=["wait_h"]).reset_index(drop=True)
        basic = _in_tier(res, tk, "opened_t", "bronze")
        waits[name] = (tk["wait_h"][basic], tk["wait_h"][~basic])
    (basic_off, rest_off), (basic_on, rest_on) = waits["off"], waits["on"]
    assert len(basic_on) > 200 and len(rest_on) > 500
    assert _welch_z(basic_on, basic_off) > 4.0  # the basic tier waits longer ...
    assert _welch_z(rest_off, rest_on) > 4.0  # ... everyone else shorter
    # the same agents: the same staffing cost
    k_off, k_on = runs["off"].kpis(), runs["on"].kpis()
    assert k_on["service_cost"] == k_off["service_cost"]
    assert runs["on"].info["agent_days_per_day"] == runs["off"].info["agent_days_per_day"]
    # no follow-up call for a customer in the basic tier when their ticket was resolved
    res = runs["on"]
    fu = res.contacts[res.contacts["campaign"].eq("follow_up")].reset_index(drop=True)
    fu["resolved_t"] = fu["t"] - on.service.follow_up.delay_h / 24.0
    assert len(fu) > 100
    assert not _in_tier(res, fu, "resolved_t", "bronze").any()
    n_fu_off = runs["off"].contacts["campaign"].eq("follow_up").sum()
    assert len(fu) < 0.97 * n_fu_off


# ---------------------------------------------------------------- onboarding (LC4, LC9)
ONBOARD_WINDOW = 90.0


def _early_dropout(res: sim.Result, days: float) -> tuple[float, int]:
    """Share of customers (acquired early enough to be watched a whole window) who drop out after
    their first order but within the onboarding window."""
    c = res.customers[res.customers["acquired_t"] < days - ONBOARD_WINDOW]
    life = c["true_churn_t"] - c["acquired_t"]
    return float(((life > 0) & (life < ONBOARD_WINDOW)).mean()), len(c)


def test_onboarding_lowers_early_dropout_and_its_contacts_are_paid_for():
    sc = sim.Scenario.load("baseline")
    assert sc.purchase.dropout_after_first
    on = Policy.load("onboarding").updated(
        {
            "onboarding.channel": "sms",
            "onboarding.contacts_days": [1, 5, 15],
            "onboarding.window_days": ONBOARD_WINDOW,
            "onboarding.dropout_shift": 2.0,
        }
    )
    days = 365
    off_res = sim.run(sc, None, customers=5000, days=days, seed=2)
    on_res = sim.run(sc, on, customers=5000, days=days, seed=2)
    p_off, n_off = _early_dropout(off_res, days)
    p_on, n_on = _early_dropout(on_res, days)
    se = math.sqrt(p_off * (1 - p_off) / n_off + p_on * (1 - p_on) / n_on)
    assert p_off - p_on > 3.0 * se, (p_off, p_on, se)
    # the welcome contacts are logged with their cost, go to consenting customers only, at most
    # one per planned day and customer
    ct = on_res.contacts[on_res.contacts["campaign"].eq("onboarding")]
    assert len(ct) > 1000
    assert np.allclose(ct["cost"], on.channels["sms"].cost)
    cust = on_res.customers.set_index("customer_id")
    assert cust.loc[ct["customer_id"], "consent"].all()
    assert ct.groupby("customer_id").size().max() <= len(on.onboarding.contacts_days)
    delay = ct["t"].to_numpy() - cust.loc[ct["customer_id"], "acquired_t"].to_numpy()
    assert np.isin(np.round(delay, 9), on.onboarding.contacts_days).all()
    assert on_res.kpis()["retention_cost"] >= ct["cost"].sum()


def test_the_onboarding_shift_adds_to_a_membership_and_is_removed_exactly_after_the_window():
    # membership levels change during the window too; shifts chosen so that x + s - s != x in floats
    pol = Policy.load("onboarding").updated(
        {
            "onboarding.channel": "phone",
            "onboarding.window_days": 30.0,
            "onboarding.dropout_shift": 0.7,
            "loyalty.enabled": True,
            "loyalty.tiers": [
                {"name": "silver", "min_spend": 200.0, "dropout_shift": 0.1},
                {"name": "gold", "min_spend": 700.0, "dropout_shift": 0.3},
            ],
        }
    )
    assert 0.1 + 0.7 - 0.7 != 0.1
    shift_of = {"none": 0.0, "silver": 0.1, "gold": 0.3}
    env, days = simpy.Environment(), 150.0
    w = World(env, sim.Scenario.load("baseline"), 800, days, Streams(3), 1, policy=pol)
    w.attach_firm(Firm(env, Observed(w), pol, Streams(3)))
    w.start()
    env.run(until=days)
    c, ev = w.customers, w.logs.events
    level = dict.fromkeys(c.acquired(), 0.0)
    for i, kind, detail in zip(ev.customer, ev.kind, ev.detail):
        if kind == "membership":
            level[i] = shift_of[detail]
    assert len(set(level.values())) == 3  # members of both levels, and non-members
    in_window = w.actions.onboarding
    assert in_window and all(days - c.acq_t[i] < 30.0 and s == 0.7 for i, s in in_window.items())
    for i, membership in level.items():  # exactly the membership's shift, plus the onboarding one in its window
        assert c.member_drop[i] == (membership + 0.7 if i in in_window else membership), i


# ---------------------------------------------------------------- bad-review alert (SM4, H10)
def _alerts(res: sim.Result) -> pd.DataFrame:
    ev = res.events[res.events["event"].eq("alert")]
    return pd.DataFrame({"t": ev["t"].to_numpy(), "rate": ev["detail"].str.split(" ").str[1].astype(float).to_numpy()})


def _recomputed_weeks(res: sim.Result, pol: Policy, days: float) -> pd.DataFrame:
    """Each check (every window_days) recomputed from the observed surveys table."""
    br = pol.alerts.bad_review
    sv = res.surveys
    review = sv["instrument"].isin(["csat", "nps"])
    neg = (sv["instrument"].eq("csat") & sv["score"].le(br.negative.csat_max)) | (
        sv["instrument"].eq("nps") & sv["score"].le(br.negative.nps_max)
    )
    rows = []
    k = 1
    while k * br.window_days < days:
        t = k * br.window_days
        # answers exactly at a check time could be read by that check or the next: none here
        assert not (sv["t"] == t).any()
        inside = (sv["t"] > t - br.window_days) & (sv["t"] < t)
        n, m = int((inside & review).sum()), int((inside & neg).sum())
        rows.append({"t": t, "answers": n, "negatives": m, "alert": n >= br.min_answers and m / n > br.threshold})
        k += 1
    return pd.DataFrame(rows)


def test_alerts_are_exactly_the_weeks_the_observed_surveys_say():
    # relationship waves every 90 days: no survey answer falls on a check time (a multiple of 7)
    sc = sim.Scenario.load("baseline").updated(
        {"surveys.relationship_interval_days": 90, "complaints.quality_issue_prob": 0.2}
    )
    pol = Policy.load("review_alerts").updated({"alerts.bad_review.action": "none"})
    days = 365
    res = sim.run(sc, pol, customers=4000, days=days, seed=4)
    weeks = _recomputed_weeks(res, pol, days)
    alerts = _alerts(res)
    assert 3 <= len(alerts) < len(weeks)
    assert np.array_equal(alerts["t"].to_numpy(), weeks.loc[weeks["alert"], "t"].to_numpy())
    fired = weeks[weeks["alert"]]
    assert np.allclose(alerts["rate"], (fired["negatives"] / fired["answers"]).round(3))
    assert res.events.loc[res.events["event"].eq("alert"), "customer_id"].eq(0).all()
    # logging alone leaves the world alone: the same tables as without the alert
    plain = sim.run(sc, None, customers=4000, days=days, seed=4)
    for name in ("orders", "tickets", "surveys", "customers"):
        pd.testing.assert_frame_equal(res.tables[name], plain.tables[name], check_dtype=False)


def test_alerts_fire_more_often_in_a_world_with_a_quality_problem():
    pol = Policy.load("review_alerts").updated({"alerts.bad_review.action": "none"})
    sc = sim.Scenario.load("baseline")
    problem = sc.updated({"complaints.quality_issue_prob": 0.5})
    n = {
        name: len(_alerts(sim.run(s, pol, customers=6000, days=730, seed=5)))
        for name, s in (("baseline", sc), ("problem", problem))
    }
    # 104 weekly checks: a Poisson-size margin of about four standard deviations
    assert n["problem"] > n["baseline"] + 4 * math.sqrt(n["problem"] + n["baseline"]), n


def test_care_contacts_reach_the_weeks_negative_reviewers_and_lift_their_satisfaction():
    sc = sim.Scenario.load("baseline").updated(
        {"surveys.relationship_interval_days": 90, "complaints.quality_issue_prob": 0.3}
    )
    on = Policy.load("review_alerts").updated({"alerts.bad_review.satisfaction_boost": 2.0})
    off = on.updated({"alerts.bad_review.action": "none"})
    days = 365
    res_on = sim.run(sc, on, customers=5000, days=days, seed=6)
    res_off = sim.run(sc, off, customers=5000, days=days, seed=6)
    care = res_on.contacts[res_on.contacts["campaign"].eq("bad_review")]
    assert len(care) > 50 and res_off.contacts.empty
    # every care contact goes to a negative reviewer of the week before its alert, once per alert
    sv = res_on.surveys
    neg = (sv["instrument"].eq("csat") & sv["score"].le(2)) | (sv["instrument"].eq("nps") & sv["score"].le(6))
    alert_t = set(_alerts(res_on)["t"])
    for t, group in care.groupby("t"):
        assert t in alert_t
        window = sv[neg & (sv["t"] > t - 7.0) & (sv["t"] < t)]
        assert set(group["customer_id"]) <= set(window["customer_id"])
        assert group["customer_id"].is_unique
    # opened calls lift satisfaction (care effect + boost): look at customers called in the last
    # 30 days who were still active in both worlds
    recent = care[care["opened"] & care["t"].gt(days - 30)]["customer_id"].unique()
    c_on = res_on.customers.set_index("customer_id").loc[recent]
    c_off = res_off.customers.set_index("customer_id").loc[recent]
    alive = (c_on["true_alive"] & c_off["true_alive"]).to_numpy()
    assert alive.sum() >= 10
    gain = c_on["true_satisfaction_end"][alive] - c_off["true_satisfaction_end"][alive]
    assert gain.mean() > 1.0 and (gain > 0).mean() > 0.8


# ---------------------------------------------------------------- renewal reminders (C3)
def test_a_world_without_plans_gets_no_renewal_reminders():
    res = sim.run("baseline", "renewal_reminders", customers=300, days=200, seed=1)
    assert not res.contacts["campaign"].eq("renewal_reminder").any()
    assert len(res.orders) > 300


def _renewal_outcomes(res: sim.Result, days: float) -> pd.DataFrame:
    """Every renewal of a consenting subscriber due before the horizon: renewed (a payment at the
    due time, last payment + plan period) or cancelled there (churn at the due time)."""
    sc = res.scenario
    period = {name: plan.period_days for name, plan in sc.subscription.plans.items()}
    cust = res.customers.set_index("customer_id")
    o = res.orders.sort_values(["customer_id", "t"])
    due = o["t"] + cust.loc[o["customer_id"], "plan"].map(period).to_numpy()
    nxt = o.groupby("customer_id")["t"].shift(-1)
    churn_t = cust.loc[o["customer_id"], "true_churn_t"].to_numpy()
    out = pd.DataFrame(
        {
            "customer_id": o["customer_id"].to_numpy(),
            "due": due.to_numpy(),
            "renewed": np.isclose(nxt.to_numpy(), due.to_numpy(), rtol=0, atol=1e-6),
            "cancelled": np.isclose(churn_t, due.to_numpy(), rtol=0, atol=1e-6),
            "consent": cust.loc[o["customer_id"], "consent"].to_numpy(),
        }
    )
    return out[(out["due"] < days) & out["consent"] & (out["renewed"] | out["cancelled"])]


@pytest.mark.parametrize("shift", [-2.0, 2.0])
def test_renewal_reminders_come_before_each_renewal_and_move_retention_by_the_sign_of_the_shift(shift):
    sc = sim.Scenario.load("subscription")
    on = Policy.load("renewal_reminders").updated(
        {"triggers.renewal_reminder.channel": "sms", "triggers.renewal_reminder.renewal_shift": shift}
    )
    delay = on.triggers.renewal_reminder.delay_days
    days = 730
    res_on = sim.run(sc, on, customers=4000, days=days, seed=8)
    res_off = sim.run(sc, None, customers=4000, days=days, seed=8)
    # each reminder comes delay_days before the renewal that follows an observed payment
    rem = res_on.contacts[res_on.contacts["campaign"].eq("renewal_reminder")]
    assert len(rem) > 1000
    period = {name: plan.period_days for name, plan in sc.subscription.plans.items()}
    cust = res_on.customers.set_index("customer_id")
    paid_at = rem["t"].to_numpy() + delay - cust.loc[rem["customer_id"], "plan"].map(period).to_numpy()
    paid = set(zip(res_on.orders["customer_id"], res_on.orders["t"].round(6)))
    assert all((c, round(t, 6)) in paid for c, t in zip(rem["customer_id"], paid_at))
    assert cust.loc[rem["customer_id"], "consent"].all()
    # retention at the (reminded) renewals of consenting subscribers moves with the shift's sign
    r_on, r_off = _renewal_outcomes(res_on, days), _renewal_outcomes(res_off, days)
    assert len(r_on) > 2000 and len(r_off) > 2000
    p_on, p_off = r_on["renewed"].mean(), r_off["renewed"].mean()
    se = math.sqrt(p_on * (1 - p_on) / len(r_on) + p_off * (1 - p_off) / len(r_off))
    assert np.sign(shift) * (p_off - p_on) > 4.0 * se, (p_on, p_off, se)
