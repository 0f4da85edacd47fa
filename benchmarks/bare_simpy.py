"""The reference point: a bare SimPy loop doing the same purchases, churn and tickets.

Written the way a SimPy tutorial would: one generator process per customer, NumPy draws per
event, a ``PriorityResource`` for the desk and one process per ticket. Same BG/NBD and
Gamma-Gamma draws, same complaint probabilities and severity mix, same handling times as the
``baseline`` scenario; no satisfaction, surveys or referral (so the full model does strictly
more work per event).
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.config.scenario import Scenario
from sim.schema import SEVERITIES


def run_bare(sc: Scenario, customers: int, days: float, seed: int, agents: int) -> dict[str, int]:
    """Simulate; return counts of orders and tickets (the events that both models process)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desk = simpy.PriorityResource(env, capacity=agents)
    pu, sp, cp = sc.purchase, sc.spend, sc.complaints
    sev_p = np.array([cp.severity_mix[s] for s in SEVERITIES])
    mean_d = np.array([sc.desk.service_time.mean_h[s] for s in SEVERITIES]) / 24.0
    counts = {"orders": 0, "tickets": 0}
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
        first = True
        while True:
            counts["orders"] += 1
            _amount = rng.gamma(sp.p, 1.0 / nu[i])
            issue = rng.random() < cp.quality_issue_prob
            if rng.random() < (cp.complaint_prob_issue if issue else cp.complaint_prob_ok):
                env.process(ticket(int(rng.choice(4, p=sev_p))))
            if not first and rng.random() < p[i]:
                return
            first = False
            yield env.timeout(rng.exponential(1.0 / lam[i]))

    for i in range(customers):
        env.process(customer(i))
    env.run(until=days)
    return counts
