"""The firm's faster paths give exactly what the plain computations give (issue 15, tournament speed).

* :class:`sim.world.firm_phases.ContactCalendar` (due-day buckets) vs the daily scan of every
  tiered customer: same customers, same order, on every day — also for phases on the rounding edge,
  intervals that are not whole numbers, and whole simulations (a firm that scans).
* :meth:`sim.world.firm_scores.ObservedScorer._rfm_total` vs ``sim.analysis.rfm`` itself.
* The BG/NBD fitter's joint log-likelihood and gradient and the row compression vs the separate
  functions and ``numpy.unique``, bit for bit.
"""

from __future__ import annotations

import math
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest
import simpy

import sim
from sim.analysis.clv import BetaGeoFitter
from sim.analysis.clv._base import _compress
from sim.analysis.clv.bgnbd import _bgnbd_loglik, _bgnbd_loglik_and_grad, _bgnbd_loglik_grad
from sim.world.engine import World
from sim.world.firm import Firm
from sim.world.firm_phases import EDGE, ContactCalendar, scan_due
from sim.world.firm_scores import ObservedScorer, rfm_total_reference
from sim.world.observed import Observed
from sim.world.rng import Streams


def _calendar_days(tier_of, rules, phase, days):
    cal = ContactCalendar(tier_of, rules, phase)
    return [[(i, t) for _, i, t in cal.due(d)] for d in days]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_calendar_equals_the_daily_scan(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    tiers = ["gold", "silver", "bronze", "none"]
    rules = {"gold": NS(interval_days=7.0), "silver": NS(interval_days=30.0), "bronze": NS(interval_days=91.0)}
    ids = rng.permutation(10 * n)[:n].tolist()  # tier_of order is not index order
    tier_of = {i: tiers[k] for i, k in zip(ids, rng.integers(0, 4, n))}
    phase = {i: float(p) for i, p in zip(ids, rng.random(n))}
    # phases on the edge: phase * k a hair below (or at) a whole number, and phase 0 / missing
    for j, i in enumerate(ids[:60]):
        k = rules.get(tier_of[i], NS(interval_days=7.0)).interval_days
        phase[i] = math.nextafter((j % int(k)) / k, 0.0) if j % 3 else (j % int(k)) / k
    phase[ids[60]] = 0.0
    del phase[ids[61]]
    days = range(800)
    assert _calendar_days(tier_of, rules, phase, days) == [scan_due(tier_of, rules, phase, d) for d in days]
    # ...and the scan really contacts people: the comparison is not between two empty lists
    assert sum(len(scan_due(tier_of, rules, phase, d)) for d in range(30)) > 1000


def test_calendar_with_fractional_intervals_and_a_single_tier():
    rng = np.random.default_rng(5)
    tier_of = {i: ("a" if i % 2 else "b") for i in range(500)}
    phase = {i: float(p) for i, p in enumerate(rng.random(500))}
    rules = {"a": NS(interval_days=7.5), "b": NS(interval_days=1.0)}
    days = range(400)
    assert _calendar_days(tier_of, rules, phase, days) == [scan_due(tier_of, rules, phase, d) for d in days]
    single = dict.fromkeys(range(500), "a")
    rules = {"a": NS(interval_days=5.0)}
    assert _calendar_days(single, rules, phase, days) == [scan_due(single, rules, phase, d) for d in days]


def test_edge_phases_are_checked_exactly():
    k = 5.0
    phase = {1: math.nextafter(0.6, 0.0), 2: 0.6, 3: 0.3}  # 1: phase * k just below 3
    cal = ContactCalendar({1: "a", 2: "a", 3: "a"}, {"a": NS(interval_days=k)}, phase)
    assert 1 - (phase[1] * k - math.floor(phase[1] * k)) < EDGE
    assert [r[1] for r in cal.exact] == [1]
    days = range(40)
    assert [[i for _, i, _ in cal.due(d)] for d in days] == [
        [i for i, _ in scan_due({1: "a", 2: "a", 3: "a"}, {"a": NS(interval_days=k)}, phase, d)] for d in days
    ]


class _ScanningFirm(Firm):
    """The firm as it was: every tiered customer checked every day."""

    def _scheduled_contacts(self, day: int) -> None:
        for i, tier in scan_due(self.tier_of, self.rules, self.phase, day):
            rule = self.rules[tier]
            self.contact(i, f"tier:{tier}", rule.channel, rule.offer)


def _contacts(firm_cls, policy, n=600, days=400.0, seed=4):
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("baseline"), n, days, Streams(seed), 1, policy=policy)
    w.attach_firm(firm_cls(env, Observed(w), policy, Streams(seed)))
    w.start()
    env.run(until=days)
    c = w.logs.contacts
    return list(zip(c.customer, c.t, c.campaign, c.opened)), list(w.logs.orders.t)


@pytest.mark.parametrize("name", ["vip_care", "spray_and_pray", "kpi_ratchet"])
def test_whole_runs_contact_the_same_customers_as_the_scan(name):
    pol = sim.Policy.load(name)
    fast, scan = _contacts(Firm, pol), _contacts(_ScanningFirm, pol)
    assert len(fast[0]) > 100
    assert fast == scan


def test_fast_rfm_scores_equal_the_library():
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("retail"), 800, 400.0, Streams(3), 1)
    w.start()
    port = Observed(w)
    scorer = ObservedScorer(port, 365.0)
    checked = 0
    for day in (5.0, 60.0, 200.0, 399.5):
        env.run(until=day)
        o = port.order_frame()
        for now in (day, day - 2.5):
            fast = scorer._rfm_total(o, now)
            if fast is None:
                continue
            ref = rfm_total_reference(o, now)
            assert fast.equals(ref) and fast.index.equals(ref.index)
            checked += 1
    assert checked >= 6
    few = pd.DataFrame({"i": [0, 1], "t": [1.0, 2.0], "amount": [5.0, 6.0]})
    assert scorer._rfm_total(few, 3.0) is None  # the library's own error for too few buyers applies


def _bgnbd_data(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, n).astype(float)
    tt = rng.uniform(30, 400, n).round(2)
    tx = np.where(x > 0, tt * rng.uniform(0.1, 1.0, n), 0.0)
    return x, tx, tt


def test_joint_bgnbd_likelihood_and_gradient_are_bit_identical():
    x, tx, tt = _bgnbd_data()
    for p in ([0.6, 60.0, 0.8, 5.0], [0.24, 4.4, 0.79, 2.4], [2.0, 0.5, 3.0, 0.2]):
        p = np.array(p)
        ll, grad = _bgnbd_loglik_and_grad(p, x, tx, tt)
        assert np.array_equal(ll, _bgnbd_loglik(p, x, tx, tt))
        assert np.array_equal(grad, _bgnbd_loglik_grad(p, x, tx, tt))


def test_compress_equals_numpy_unique_rows():
    x, tx, tt = _bgnbd_data(seed=1)
    x, tx, tt = np.r_[x, x[:300]], np.r_[tx, tx[:300]], np.r_[tt, tt[:300]]  # repeated rows
    data, w = _compress(x, tx, tt)
    uniq, counts = np.unique(np.column_stack([x, tx, tt]), axis=0, return_counts=True)
    assert np.array_equal(np.column_stack(data), uniq) and np.array_equal(w, counts.astype(float))
    assert w.max() >= 2


def _bgnbd_simulated(n=1000, seed=2):
    """BG/NBD purchasing over 365 days (r=0.6, alpha=60, a=0.8, b=5)."""
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(0.6, 1 / 60, n), rng.beta(0.8, 5.0, n)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > 365.0:
                break
            x[i], tx[i] = x[i] + 1, t
            if rng.random() < p[i]:
                break
    return x, tx, np.full(n, 365.0)


def test_fit_is_unchanged_by_the_joint_objective():
    """The fit with the shared terms equals a fit through the separate functions, bit for bit."""
    x, tx, tt = _bgnbd_simulated()

    class Separate(BetaGeoFitter):
        def _loglik_and_grad(self, params, data):
            return self._loglik(params, data), self._loglik_grad(params, data)

    a = BetaGeoFitter().fit(x, tx, tt)
    b = Separate().fit(x, tx, tt)
    assert np.array_equal(a.params_.to_numpy(), b.params_.to_numpy())
    assert np.array_equal(a.p_alive(x, tx, tt), b.p_alive(x, tx, tt))
    assert a.converged_ and "_distinct_x" not in a.__dict__
