"""The service desk against queueing theory: Erlang C (one class) and Cobham (priorities).

Each check runs independent replications of the desk fed by Poisson arrivals and builds a
99.9% t-interval of the mean wait from the replication means (a replication's mean is
approximately normal; replications are independent by construction).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.queueing import erlang_c, erlang_c_wait, priority_waits, service_level
from sim.world.desk import simulate_queue

REPS = 12


def _ci(means: np.ndarray, level: float = 0.999) -> tuple[float, float]:
    m, se = means.mean(), means.std(ddof=1) / np.sqrt(len(means))
    h = stats.t.ppf(0.5 + level / 2, len(means) - 1) * se
    return m - h, m + h


def test_erlang_c_matches_textbook_values():
    # M/M/1: P(wait) = rho; Wq = rho / (mu - lambda)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c_wait(0.7, 1.0, 1) == pytest.approx(0.7 / 0.3)
    # M/M/2 with A = 1: C = 1/3 (hand computation: B(2,1) = 1/5, C = 2B/(2 - A(1-B)) = 0.4/1.2)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # service level at t = 0 is 1 - P(wait)
    assert service_level(2.0, 1.0, 3, 0.0) == pytest.approx(1 - erlang_c(3, 2.0))


def test_cobham_reduces_to_erlang_c_for_one_class():
    assert priority_waits([2.4], 1.0, 3)[0] == pytest.approx(erlang_c_wait(2.4, 1.0, 3))


def test_cobham_conserves_work():
    """Kleinrock's conservation law: the load-weighted mean wait equals the FIFO wait."""
    lam = [0.2, 0.5, 0.8, 1.0]
    w = priority_waits(lam, 1.0, 3)
    assert np.dot(lam, w) / sum(lam) == pytest.approx(erlang_c_wait(sum(lam), 1.0, 3))


@pytest.mark.slow
@pytest.mark.parametrize("rho", [0.7, 0.9])
def test_desk_matches_erlang_c(rho):
    agents, mu = 3, 1.0
    lam = rho * agents * mu
    means = np.array(
        [
            simulate_queue(lam, agents, 1.0 / mu, n_tickets=30_000, warmup=3_000, seed=100 + k)["wait_h"].mean()
            for k in range(REPS)
        ]
    )
    lo, hi = _ci(means)
    assert lo <= erlang_c_wait(lam, mu, agents) <= hi, (rho, lo, hi, erlang_c_wait(lam, mu, agents))


@pytest.mark.slow
def test_desk_respects_priorities_as_cobham_predicts():
    """Each severity's mean wait matches the non-preemptive priority formula; FIFO would not."""
    agents, mu, rho = 2, 1.0, 0.85
    mix = {"P0": 0.1, "P1": 0.2, "P2": 0.3, "P3": 0.4}
    lam = rho * agents * mu
    per_class = {s: [] for s in mix}
    for k in range(REPS):
        t = simulate_queue(lam, agents, 1.0 / mu, severity_mix=mix, n_tickets=30_000, warmup=3_000, seed=200 + k)
        for s, g in t.groupby("severity")["wait_h"]:
            per_class[s].append(g.mean())
    expected = priority_waits([lam * mix[s] for s in mix], mu, agents)
    fifo = erlang_c_wait(lam, mu, agents)
    for (s, waits), w in zip(per_class.items(), expected):
        lo, hi = _ci(np.array(waits))
        assert lo <= w <= hi, (s, lo, hi, w)
        # a desk that ignored priorities would give every class the FIFO wait: rejected here
        if s in ("P0", "P3"):
            assert not lo <= fifo <= hi, (s, lo, hi, fifo)


def test_overall_mean_alone_cannot_tell_priority_from_fifo():
    """Why the per-class test is needed: priorities leave the overall mean wait unchanged."""
    agents, lam = 2, 1.6
    mix = {"P0": 0.25, "P3": 0.75}
    prio = simulate_queue(lam, agents, 1.0, severity_mix=mix, n_tickets=40_000, warmup=2_000, seed=9)
    fifo = simulate_queue(lam, agents, 1.0, severity_mix={"P3": 1.0}, n_tickets=40_000, warmup=2_000, seed=9)
    assert prio["wait_h"].mean() == pytest.approx(fifo["wait_h"].mean(), rel=0.2)
    by = prio.groupby("severity")["wait_h"].mean()
    assert by["P0"] < 0.5 * by["P3"]


def test_backlog_is_served_in_priority_then_arrival_order():
    t = simulate_queue(50.0, agents=1, mean_service_h=1.0, severity_mix={"P0": 0.2, "P3": 0.8}, n_tickets=300, seed=1)
    # an overloaded desk: once a P0 is queued it overtakes every queued P3
    served = t.sort_values("first_response_h")
    p3 = served[served["severity"] == "P3"]
    assert p3["opened_h"].is_monotonic_increasing  # FIFO within a class
    late_p0 = served[(served["severity"] == "P0") & (served["opened_h"] > 1.0)]
    assert (late_p0["wait_h"] < served.loc[served["severity"] == "P3", "wait_h"].median()).mean() > 0.9


def test_simulate_queue_rejects_impossible_inputs():
    with pytest.raises(ValueError):
        simulate_queue(0.0, 1)
    with pytest.raises(ValueError, match="utilisation"):
        erlang_c_wait(3.0, 1.0, 2)
