"""The subscription world (issue 12): plans, renewals, shifted-beta-geometric cancellation.

With satisfaction and every shift off, a cohort's survival is exactly sBG (Fader & Hardie 2007),
so the sBG fitter of :mod:`sim.analysis.clv` must recover the scenario's ``alpha`` and ``beta``;
with satisfaction, the market or a renewal reminder on, renewals move the documented way.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

import sim
from sim.analysis.clv import ShiftedBetaGeometric
from sim.world.engine import World
from sim.world.model import renewal_cancel_probability, sbg_survival
from sim.world.rng import Streams
from sim.world.simulate import desk_agents

pytestmark = pytest.mark.timeout(120)

PERIOD = 30.0
PRICE = 10.0
MONTHLY = {"monthly": {"period_days": PERIOD, "price": PRICE, "share": 1.0}}
#: A pure sBG world: one cohort at day 0, one monthly plan, no satisfaction, complaints, surveys or referral.
PURE = sim.Scenario.load("btyd_only").updated({"subscription.enabled": True, "subscription.plans": MONTHLY})


def _world(sc: sim.Scenario, n: int, days: float, seed: int, until: float | None = None) -> World:
    env = simpy.Environment()
    w = World(env, sc, n, days, Streams(seed), desk_agents(sc, n))
    w.start()
    env.run(until=days if until is None else until)
    return w


def _payments(w: World) -> np.ndarray:
    return np.bincount(np.array(w.logs.orders.customer, dtype=np.int64), minlength=len(w.customers))


def _survivors(w: World, periods: int) -> list[int]:
    """Subscribers still there after k renewals (k = 0..periods): at least k + 1 payments."""
    pays = _payments(w)[w.customers.acquired()]
    return [int((pays >= k + 1).sum()) for k in range(periods + 1)]


def test_the_sbg_fitter_recovers_alpha_and_beta():
    """3,000 subscribers over 12 monthly renewals: the fitted (alpha, beta) cover the truth (0.7, 2.5)."""
    periods = 12
    w = _world(PURE, 3000, periods * PERIOD + 1.0, 1)
    surv = _survivors(w, periods)
    fit = ShiftedBetaGeometric(confidence=0.99).fit(surv)
    ci = fit.confidence_intervals_
    for name, true in (("alpha", PURE.subscription.alpha), ("beta", PURE.subscription.beta)):
        assert ci.loc[name].iloc[0] <= true <= ci.loc[name].iloc[1], (name, fit.params_[name], ci.loc[name])
    # and the survivors agree with the closed form S(t) = B(alpha, beta + t) / B(alpha, beta)
    expected = np.array([sbg_survival(t, 0.7, 2.5) for t in range(periods + 1)])
    share = np.array(surv) / surv[0]
    se = np.sqrt(expected * (1 - expected) / surv[0])
    assert np.all(np.abs(share - expected) <= 4 * se + 1e-12)


def test_the_churn_hazard_declines_with_tenure():
    """sBG's sorting effect: the cancel-prone leave first, so the monthly hazard falls over tenure
    although no one's own theta changes."""
    w = _world(PURE, 3000, 12 * PERIOD + 1.0, 2)
    surv = np.array(_survivors(w, 12), dtype=float)
    hazard = 1.0 - surv[1:] / surv[:-1]
    assert hazard[:3].mean() > 2.0 * hazard[-3:].mean()
    assert hazard[0] > 0.15 > hazard[-1]


def test_payments_follow_the_plans_and_renewal_times():
    sc = PURE.updated(
        {
            "subscription.plans": {
                "monthly": {"period_days": 30.4, "price": 99.0, "share": 0.6},
                "annual": {"period_days": 365.0, "price": 990.0, "share": 0.4},
            },
            "population.initial_share": 0.0,
        }
    )
    w = _world(sc, 1500, 730.0, 3)
    c, o = w.customers, w.logs.orders
    periods, prices = [30.4, 365.0], [99.0, 990.0]
    plans = np.array(c.plan)
    assert abs(np.mean(plans == 1) - 0.4) < 0.05
    by_customer: dict[int, list[int]] = {}
    for k, i in enumerate(o.customer):
        by_customer.setdefault(i, []).append(k)
    for i, oids in by_customer.items():
        p = c.plan[i]
        assert all(o.amount[k] == prices[p] for k in oids)
        assert [o.rest[k][0] for k in oids] == [True] + [False] * (len(oids) - 1)
        times = np.array([o.t[k] for k in oids])
        np.testing.assert_allclose(np.diff(times), periods[p], rtol=1e-9)
        if c.alive[i]:  # the next renewal is one period after the last payment, beyond the horizon
            assert c.next_renewal[i] == pytest.approx(times[-1] + periods[p]) and c.next_renewal[i] >= 730.0
        else:  # cancelled at a renewal: one period after the last payment, no payment then
            assert c.churn_t[i] == pytest.approx(times[-1] + periods[p])
    theta = np.array(c.theta)
    assert np.all((theta > 0) & (theta < 1)) and abs(theta.mean() - 0.7 / 3.2) < 0.02


def test_renewal_probability_is_exactly_theta_without_shifts():
    assert renewal_cancel_probability(0.3) == 0.3
    assert renewal_cancel_probability(0.3, market_shift=1.0) > 0.3 > renewal_cancel_probability(0.3, member_shift=1.0)


def _cancelled_by(w: World, t: float) -> np.ndarray:
    ct = np.array(w.customers.churn_t)
    return ~np.isnan(ct) & (ct <= t)


def test_dissatisfied_subscribers_cancel_more():
    """Satisfaction on (dropout_shift 0.35 per point) with frequent quality issues vs none: the same
    subscribers (same theta) cancel more when their service goes wrong."""
    sat = PURE.updated({"satisfaction.enabled": True, "complaints.enabled": True, "complaints.complaint_prob_ok": 0.0,
                        "complaints.complaint_prob_issue": 0.0})  # fmt: skip
    good = _world(sat.updated({"complaints.quality_issue_prob": 0.0}), 3000, 6 * PERIOD + 1.0, 4)
    bad = _world(sat.updated({"complaints.quality_issue_prob": 0.6}), 3000, 6 * PERIOD + 1.0, 4)
    assert good.customers.theta == bad.customers.theta
    n_good, n_bad = _cancelled_by(good, 200.0).sum(), _cancelled_by(bad, 200.0).sum()
    assert n_bad > 1.15 * n_good, (n_bad, n_good)


def test_a_market_shock_raises_cancellations_while_it_lasts():
    shock = PURE.updated(
        {"market_events": [{"kind": "competitor_price_cut", "day": 95.0, "duration_days": 60.0, "dropout_shift": 1.5}]}
    )
    calm, hit = _world(PURE, 3000, 240.0, 5), _world(shock, 3000, 240.0, 5)
    ct_calm, ct_hit = np.array(calm.customers.churn_t), np.array(hit.customers.churn_t)
    before, during = (ct_calm < 95.0, ct_hit < 95.0), (ct_calm >= 95.0) & (ct_calm < 155.0)
    assert np.array_equal(*before)  # identical until the shock (common random numbers)
    assert np.sum((ct_hit >= 95.0) & (ct_hit < 155.0)) > 1.5 * np.sum(during)


def test_a_pending_reminder_shift_moves_the_next_renewal_and_is_consumed():
    """Half the subscribers get a +3 log-odds shift before their first renewal (day 30): they cancel
    far more often there; the shift is used up at that renewal."""
    sc = PURE
    env = simpy.Environment()
    w = World(env, sc, 3000, 200.0, Streams(6), 1)
    w.start()
    env.run(until=1.0)
    c = w.customers
    marked = [i for i in c.acquired() if i % 2 == 0]
    for i in marked:
        c.renew_shift[i] = 3.0
    env.run(until=PERIOD + 1.0)
    assert not c.renew_shift
    gone = _cancelled_by(w, PERIOD + 1.0)
    even = np.arange(len(c)) % 2 == 0
    theta = np.array(c.theta)
    expected_even = np.mean([renewal_cancel_probability(t, reminder_shift=3.0) for t in theta[even]])
    assert abs(gone[even].mean() - expected_even) < 4 * math.sqrt(expected_even / even.sum())
    assert abs(gone[~even].mean() - theta[~even].mean()) < 4 * math.sqrt(0.25 / (~even).sum())
    assert gone[even].mean() > 2 * gone[~even].mean()


def test_the_subscription_preset_is_a_contractual_world():
    sc = sim.Scenario.load("subscription")
    assert sc.subscription.enabled and not sc.catalogue.enabled and sc.satisfaction.enabled
    w = _world(sc, 600, 365.0, 7)
    prices = {p.price for p in sc.subscription.plans.values()}
    assert set(w.logs.orders.amount) <= prices
    assert any(not a for a in w.customers.alive)


def test_a_membership_shift_keeps_subscribers():
    """The membership's dropout shift lowers the cancellation log-odds at a renewal, as it lowers
    the dropout log-odds of a retail customer."""
    env = simpy.Environment()
    w = World(env, PURE, 3000, 200.0, Streams(8), 1)
    w.start()
    env.run(until=1.0)
    c = w.customers
    for i in c.acquired():
        if i % 2 == 0:
            c.member_drop[i] = 2.0
    env.run(until=PERIOD + 1.0)
    gone = _cancelled_by(w, PERIOD + 1.0)
    even = np.arange(len(c)) % 2 == 0
    theta = np.array(c.theta)
    expected_even = np.mean([renewal_cancel_probability(t, member_shift=2.0) for t in theta[even]])
    assert abs(gone[even].mean() - expected_even) < 4 * math.sqrt(expected_even / even.sum())
    assert gone[even].mean() < 0.5 * gone[~even].mean()


def test_a_won_back_subscriber_pays_again_one_period_later():
    env = simpy.Environment()
    w = World(env, PURE, 500, 200.0, Streams(9), 1)
    w.start()
    env.run(until=PERIOD + 1.0)
    c, life = w.customers, w.lifecycle
    lost = [i for i in c.acquired() if not c.alive[i]]
    assert lost
    i = lost[0]
    life.reactivate(i, env.now, "winback")
    life.reschedule(i, env.now)
    assert c.reactivated_t[i] == env.now and c.next_renewal[i] == pytest.approx(env.now + PERIOD)
    env.run(until=2 * PERIOD + 1.5)
    paid = [t for k, t in zip(w.logs.orders.customer, w.logs.orders.t, strict=True) if k == i]
    renewal = 2 * PERIOD + 1.0  # one period after coming back: pay, or cancel there
    assert paid[-1] == pytest.approx(renewal) or c.churn_t[i] == pytest.approx(renewal)
