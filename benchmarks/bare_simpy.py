"""The reference points: a bare SimPy loop doing the same purchases, churn and tickets.

Written the way a SimPy tutorial would: one generator process per customer, a
``PriorityResource`` for the desk and one process per ticket. Same BG/NBD draws and dropout
rule (``baseline`` is MBG/NBD: the first order is a dropout point too), same Gamma-Gamma order
values, complaint probabilities and severity mix, same mean handling times as the scenario
(exponential here; the full model's are lognormal with the same means); no satisfaction,
surveys or referral (so the full model does strictly more work per event).
``tests/test_benchmarks.py`` checks that both loops and the full model's ``baseline`` give the
same orders and tickets per customer, within sampling error.

Two versions of the same loop, differing only in where the random numbers come from:

* :func:`run_bare_stdlib` — **the fair anchor**: the standard library's ``random.Random(seed)``
  (``gammavariate``, ``betavariate``, ``expovariate``, ``random``, ``choices`` with cumulative
  weights), methods bound to locals. The strongest plain-Python alternative doing the same work:
  ``random()`` costs about a tenth of a NumPy scalar call, ``expovariate`` a quarter;
  ``gammavariate`` costs about as much as NumPy's (one per order, for its value).
* :func:`run_bare_numpy` — the same loop with a NumPy scalar call per draw (1–2 µs each;
  ``rng.choice(4, p=...)`` about 20 times that). This is how SimPy code is often written, but it
  makes a weak anchor: much of its time goes to NumPy's per-call overhead, not to simulation.

Both return counts of orders and of handled tickets (the events both they and the full model process).

Examples
--------
>>> import sim
>>> sc = sim.Scenario.load("baseline")
>>> a = run_bare_stdlib(sc, customers=200, days=365.0, seed=1, agents=1)
>>> sorted(a)
['orders', 'tickets']
>>> a == run_bare_stdlib(sc, customers=200, days=365.0, seed=1, agents=1)  # seeded: reproducible
True
>>> run_bare_numpy(sc, customers=200, days=365.0, seed=1, agents=1)["orders"] > 200
True
"""

from __future__ import annotations

import random
from itertools import accumulate

import numpy as np
import simpy

from sim.config.scenario import Scenario
from sim.schema import SEVERITIES

__all__ = ["run_bare_stdlib", "run_bare_numpy", "run_bare"]


def run_bare_stdlib(sc: Scenario, customers: int, days: float, seed: int, agents: int) -> dict[str, int]:
    """The fair anchor: the bare loop drawing with ``random.Random(seed)``; counts of orders and tickets."""
    rnd = random.Random(seed)
    # bound methods in locals: the ordinary way to write a hot Python loop (no attribute look-ups per draw)
    uniform01, gammavariate, expovariate, choices = rnd.random, rnd.gammavariate, rnd.expovariate, rnd.choices
    env = simpy.Environment()
    timeout, process = env.timeout, env.process
    desk = simpy.PriorityResource(env, capacity=agents)
    pu, sp, cp = sc.purchase, sc.spend, sc.complaints
    levels = range(len(SEVERITIES))
    sev_cum = list(accumulate(cp.severity_mix[s] for s in SEVERITIES))
    service_rate = [24.0 / sc.desk.service_time.mean_h[s] for s in SEVERITIES]  # per day
    p_issue, p_compl_issue, p_compl_ok, spend_p = (
        cp.quality_issue_prob,
        cp.complaint_prob_issue,
        cp.complaint_prob_ok,
        sp.p,
    )
    counts = {"orders": 0, "tickets": 0}
    # plain BG/NBD: the first order is no dropout point; MBG/NBD (``baseline``): every order is one
    plain_bgnbd = not pu.dropout_after_first
    # latent traits (gammavariate's second argument is the scale) and sorted acquisition times
    lam = [gammavariate(pu.r, 1.0 / pu.alpha) for _ in range(customers)]
    p = [rnd.betavariate(pu.a, pu.b) for _ in range(customers)]
    nu = [gammavariate(sp.q, 1.0 / sp.gamma) for _ in range(customers)]
    acq = sorted([uniform01() * days for _ in range(customers)])

    def ticket(sev: int):
        with desk.request(priority=sev) as req:
            yield req
            yield timeout(expovariate(service_rate[sev]))
        counts["tickets"] += 1

    def customer(i: int):
        yield timeout(acq[i])
        lam_i, p_i, scale_i = lam[i], p[i], 1.0 / nu[i]
        skip_dropout = plain_bgnbd
        while True:
            counts["orders"] += 1
            _amount = gammavariate(spend_p, scale_i)
            issue = uniform01() < p_issue
            if uniform01() < (p_compl_issue if issue else p_compl_ok):
                process(ticket(choices(levels, cum_weights=sev_cum)[0]))
            if not skip_dropout and uniform01() < p_i:
                return
            skip_dropout = False
            yield timeout(expovariate(lam_i))

    for i in range(customers):
        process(customer(i))
    env.run(until=days)
    return counts


def run_bare_numpy(sc: Scenario, customers: int, days: float, seed: int, agents: int) -> dict[str, int]:
    """The same bare loop drawing with NumPy scalar calls (a weak anchor); counts of orders and tickets."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desk = simpy.PriorityResource(env, capacity=agents)
    pu, sp, cp = sc.purchase, sc.spend, sc.complaints
    sev_p = np.array([cp.severity_mix[s] for s in SEVERITIES])
    mean_d = np.array([sc.desk.service_time.mean_h[s] for s in SEVERITIES]) / 24.0
    counts = {"orders": 0, "tickets": 0}
    # plain BG/NBD: the first order is no dropout point; MBG/NBD (``baseline``): every order is one
    plain_bgnbd = not pu.dropout_after_first
    lam = rng.gamma(pu.r, 1.0 / pu.alpha, customers)
    p = rng.beta(pu.a, pu.b, customers)
    nu = rng.gamma(sp.q, 1.0 / sp.gamma, customers)
    acq = np.sort(rng.uniform(0.0, days, customers))

    def ticket(sev: int):
        with desk.request(priority=sev) as req:
            yield req
            yield env.timeout(rng.exponential(mean_d[sev]))
        counts["tickets"] += 1

    def customer(i: int):
        yield env.timeout(acq[i])
        skip_dropout = plain_bgnbd
        while True:
            counts["orders"] += 1
            _amount = rng.gamma(sp.p, 1.0 / nu[i])
            issue = rng.random() < cp.quality_issue_prob
            if rng.random() < (cp.complaint_prob_issue if issue else cp.complaint_prob_ok):
                env.process(ticket(int(rng.choice(4, p=sev_p))))
            if not skip_dropout and rng.random() < p[i]:
                return
            skip_dropout = False
            yield env.timeout(rng.exponential(1.0 / lam[i]))

    for i in range(customers):
        env.process(customer(i))
    env.run(until=days)
    return counts


run_bare = run_bare_numpy  # the older name
