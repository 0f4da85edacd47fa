"""The optimiser's search core on toy objectives whose optimum is known (issue 14, OPTIMIZE).

The toys play the simulator's part: ``evaluate(arms, seeds)`` returns one KPI row per arm and
seed, and the noise is a function of the seed (common random numbers: every arm sees the same
noise on the same seed) or of the seed *and* the arm (independent noise, the hard case). The
truth is known in closed form, so each test can fail: a search that ignored the objective, a
winner chosen on the search seeds, seeds reused in the finals, a simplex off the simplex, or a
breaching trial crowned.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.errors import ConfigError
from sim.experiments import replication_seeds
from sim.experiments.optimize_core import fresh_seeds, paired_ci, search
from sim.experiments.optimize_result import NO_EVIDENCE, OptimizationInterrupted
from sim.experiments.optimize_space import Space, simplex_shares


def quadratic(arms, seeds):
    """profit = 100 - (x - 2)^2 - (y + 1)^2 + noise: sd 1 common to every arm on a seed (CRN), sd 0.3 its own."""
    out = []
    for a in arms:
        rows = []
        for s in seeds:
            own = np.random.default_rng([s, int(round(a["x"] * 1e6)) % 2**32, int(round(a["y"] * 1e6)) % 2**32])
            noise = np.random.default_rng(s).normal(0.0, 1.0) + own.normal(0.0, 0.3)
            rows.append({"profit": 100.0 - (a["x"] - 2.0) ** 2 - (a["y"] + 1.0) ** 2 + noise})
        out.append(rows)
    return out


def flat(arms, seeds):
    """profit = 0 + independent noise per (seed, arm): no arm is better than another."""
    out = []
    for a in arms:
        key = int(round(a["x"] * 1e6))
        out.append([{"profit": float(np.random.default_rng([s, key]).normal(0.0, 10.0))} for s in seeds])
    return out


XY = {"x": (-5.0, 5.0), "y": (-5.0, 5.0)}


def test_finds_the_optimum_of_a_noisy_quadratic():
    opt = search(
        Space.parse(XY, resolve=False), quadratic, start={"x": 0.0, "y": 0.0}, trials=60, replications=3, seed=4
    )
    assert abs(opt.best_params["x"] - 2.0) < 0.75 and abs(opt.best_params["y"] + 1.0) < 0.75, opt.best_params
    # the start (x=0, y=0) is 5 below the optimum: the paired CI on fresh seeds must show it
    vs = opt.versus_start.iloc[0]
    assert vs["ci_low"] > 0 and "beats the starting policy" in vs["verdict"]
    truth = 5.0 - (opt.best_params["x"] - 2.0) ** 2 - (opt.best_params["y"] + 1.0) ** 2
    assert vs["ci_low"] <= truth <= vs["ci_high"]  # the common noise cancels; the CI covers the true gain
    assert vs["ci_high"] - vs["ci_low"] < 2.0  # paired: far narrower than the common noise (sd 1) allows


def test_tpe_beats_its_own_random_start():
    """The later (model-guided) trials are better on average than the random start-up ones."""
    opt = search(
        Space.parse(XY, resolve=False), quadratic, start={"x": 0.0, "y": 0.0}, trials=60, replications=2, seed=8
    )
    t = opt.trials
    startup = min(10, max(3, 60 // 3))
    assert t["objective"].iloc[startup:].mean() > t["objective"].iloc[:startup].mean() + 3


def test_flat_objective_gives_no_evidence():
    opt = search(
        Space.parse({"x": (0.0, 1.0)}, resolve=False),
        flat,
        start={"x": 0.5},
        trials=30,
        replications=3,
        fresh_replications=10,
        finalists=3,
        seed=2,
    )
    vs = opt.versus_start.iloc[0]
    assert vs["ci_low"] <= 0.0 <= vs["ci_high"]
    assert NO_EVIDENCE in opt.summary()
    # the winner of the search was lucky: on fresh seeds its mean falls back towards 0
    best = opt.trials.loc[opt.trials["objective"].idxmax()]
    assert best["objective"] > 5.0
    row = opt.finalists[opt.finalists["trial"] == best["trial"]].iloc[0]
    assert abs(row["fresh_mean"]) < best["objective"]


def test_same_seed_same_trials_and_another_seed_differs():
    sp = Space.parse(XY | {"k": (1, 5, "int"), "c": ["a", "b"]}, resolve=False)

    def ev(arms, seeds):
        return [[{"profit": a["x"] + a["k"] + (a["c"] == "a") + s % 3} for s in seeds] for a in arms]

    a = search(sp, ev, start={"x": 0.0, "y": 0.0, "k": 1, "c": "a"}, trials=15, replications=2, seed=7)
    b = search(sp, ev, start={"x": 0.0, "y": 0.0, "k": 1, "c": "a"}, trials=15, replications=2, seed=7)
    c = search(sp, ev, start={"x": 0.0, "y": 0.0, "k": 1, "c": "a"}, trials=15, replications=2, seed=8)
    pd.testing.assert_frame_equal(a.trials, b.trials)
    pd.testing.assert_frame_equal(a.finalists, b.finalists)
    assert not a.trials["x"].equals(c.trials["x"])
    assert a.trials["k"].between(1, 5).all() and set(a.trials["k"]) <= {1, 2, 3, 4, 5}
    assert set(a.trials["c"]) <= {"a", "b"}


def test_every_trial_uses_the_same_seeds_and_the_finals_fresh_ones():
    opt = search(
        Space.parse(XY, resolve=False),
        quadratic,
        start={"x": 0.0, "y": 0.0},
        trials=6,
        replications=3,
        fresh_replications=5,
        finalists=2,
        seed=11,
    )
    r = opt.replications
    search_seeds = r[r["stage"] == "search"].groupby("candidate")["seed"].apply(tuple)
    assert set(search_seeds) == {tuple(replication_seeds(11, 3))}
    fresh = r[r["stage"] == "fresh"].groupby("candidate")["seed"].apply(tuple)
    assert set(fresh) == {tuple(fresh_seeds(11, 3, 5))}
    assert not set(fresh.iloc[0]) & set(search_seeds.iloc[0])
    assert opt.finalists["candidate"].iloc[0] == "start" and len(opt.finalists) == 3


def test_versus_start_is_the_paired_t_interval_of_the_fresh_runs():
    opt = search(
        Space.parse(XY, resolve=False),
        quadratic,
        start={"x": 0.0, "y": 0.0},
        trials=8,
        replications=2,
        fresh_replications=6,
        seed=5,
    )
    vs = opt.versus_start.iloc[0]
    r = opt.replications[opt.replications["stage"] == "fresh"]
    w = r[r["candidate"] == vs["winner"]].sort_values("replication")["profit"].to_numpy()
    s = r[r["candidate"] == "start"].sort_values("replication")["profit"].to_numpy()
    d = w - s
    ci = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=d.std(ddof=1) / math.sqrt(len(d)))
    assert vs["diff"] == pytest.approx(d.mean()) and (vs["ci_low"], vs["ci_high"]) == pytest.approx(ci)
    # the winner is the best FRESH mean among the finalists, not the best search mean
    fin = opt.finalists[opt.finalists["candidate"] != "start"]
    assert fin.loc[fin["winner"], "fresh_mean"].iloc[0] == fin["fresh_mean"].max()


def test_constraints_exclude_breaching_trials():
    """profit rises with x, but retention_cost = 1000 x and the budget is 500: the optimum is x = 0.5."""

    def ev(arms, seeds):
        return [[{"profit": 10 * a["x"] + (s % 7) / 7, "retention_cost": 1000 * a["x"]} for s in seeds] for a in arms]

    opt = search(
        Space.parse({"x": (0.0, 1.0)}, resolve=False),
        ev,
        start={"x": 0.1},
        constraints={"budget": 500},
        trials=30,
        replications=2,
        seed=3,
    )
    t = opt.trials
    over = t["x"] > 0.5
    assert over.any() and (t.loc[over, "status"] == "infeasible").all() and (t.loc[~over, "status"] == "ok").all()
    assert t.loc[over, "reason"].str.contains("retention_cost mean").all()
    assert not opt.finalists["trial"].isin(t.loc[over, "trial"]).any()
    assert 0.35 < opt.best_params["x"] <= 0.5
    assert t["best_so_far"].dropna().max() <= 10 * 0.5 + 1


def test_invalid_candidates_are_reported_never_run():
    calls = []

    def build(point):
        if point["x"] > 0.8:
            raise ConfigError(f"x={point['x']:.2f} is not allowed: give x <= 0.8")
        return dict(point)

    def ev(arms, seeds):
        calls.extend(a["x"] for a in arms)
        return [[{"profit": a["x"]} for _ in seeds] for a in arms]

    opt = search(
        Space.parse({"x": (0.0, 1.0)}, resolve=False),
        ev,
        start={"x": 0.0},
        build=build,
        trials=20,
        replications=2,
        seed=1,
    )
    bad = opt.trials[opt.trials["x"] > 0.8]
    assert len(bad) and (bad["status"] == "invalid").all() and bad["reason"].str.contains("give x <= 0.8").all()
    assert max(calls) <= 0.8 and opt.best_params["x"] <= 0.8


def test_simplex_always_sums_to_one():
    rng = np.random.default_rng(0)
    for k in (2, 3, 5):
        for _ in range(200):
            sh = simplex_shares(rng.uniform(1e-6, 1.0, k))
            assert abs(sum(sh) - 1.0) < 1e-12 and all(0.0 <= x <= 1.0 for x in sh)

    def ev(arms, seeds):  # best split: all in high_value
        return [[{"profit": a["budget.split.high_value"]} for _ in seeds] for a in arms]

    start = {"budget.split.high_value": 0.7, "budget.split.wakeup": 0.2, "budget.split.reserve": 0.1}
    opt = search(
        Space.parse({"budget.split": "simplex"}, resolve=False),
        ev,
        start=start,
        trials=40,
        replications=1,
        fresh_replications=2,
        seed=0,
    )
    cols = ["budget.split.high_value", "budget.split.wakeup", "budget.split.reserve"]
    sums = opt.trials[cols].sum(axis=1)
    assert np.allclose(sums, 1.0, atol=1e-12) and (opt.trials[cols] >= 0).all().all()
    assert opt.best_params["budget.split.high_value"] > 0.7


def test_a_flat_dirichlet_when_random():
    """Normalised exponentials of uniform u are uniform on the simplex: each share's mean is 1/k."""
    rng = np.random.default_rng(1)
    s = np.array([simplex_shares(rng.uniform(0, 1, 3)) for _ in range(3000)])
    assert np.allclose(s.mean(axis=0), 1 / 3, atol=0.02)
    assert stats.kstest(s[:, 0], stats.beta(1, 2).cdf).pvalue > 0.01  # a Dirichlet(1,1,1) margin is Beta(1, 2)


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"desk.agents": (4, 1, "int")}, "low must be below high"),
        ({"desk.agents": (1, 4, "cubic")}, "scale 'cubic' is not allowed"),
        ({"desk.agents": (1.5, 4, "int")}, "low=1.5 is not allowed: give a whole number"),
        ({"budget.amount_per_period": (0.0, 10.0, "log")}, "a 'log' range needs low > 0"),
        ({"budget.amount_per_period": (float("nan"), 10.0)}, "low=nan is not allowed"),
        ({"desk.agents": []}, "empty list"),
        ({"desk.agents": "1..4"}, "allowed: (low, high)"),
        ({"desks.agents": (1, 4)}, "unknown grid path 'desks.agents'"),
        ({"desk.agents": "simplex"}, "only applies to"),
        ({"budget.split": "simplex", "budget.pots": "simplex"}, "names the budget pots twice"),
        ({"desk.agents": {"low": 1}}, "needs the keys low, high"),
        ({}, "non-empty mapping"),
    ],
)
def test_bad_space_is_a_clear_error(space, message):
    with pytest.raises(ConfigError) as exc:
        Space.parse(space)
    assert message in str(exc.value)


def test_bad_counts_are_clear_errors():
    sp = Space.parse({"x": (0.0, 1.0)}, resolve=False)
    with pytest.raises(ConfigError, match="fresh_replications"):
        search(sp, flat, start={"x": 0.0}, trials=2, fresh_replications=1)
    with pytest.raises(ConfigError, match="trials"):
        search(sp, flat, start={"x": 0.0}, trials=0)


def test_ctrl_c_keeps_the_trials_so_far():
    seen = []

    def stop_after_three(info):
        seen.append(info)
        if info["stage"] == "search" and info["done"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(OptimizationInterrupted) as exc:
        search(
            Space.parse(XY, resolve=False),
            quadratic,
            start={"x": 0.0, "y": 0.0},
            trials=10,
            replications=2,
            seed=0,
            progress=stop_after_three,
        )
    assert isinstance(exc.value, KeyboardInterrupt)
    part = exc.value.result
    assert part.interrupted and list(part.trials["trial"]) == [1, 2, 3] and part.finalists.empty
    assert "interrupted" in part.summary()
    assert [i["done"] for i in seen] == [1, 2, 3] and seen[-1]["best"] == part.trials["objective"].max()


def test_paired_ci_matches_scipy():
    a, b = np.array([5.0, 7.0, 6.5, 9.0]), np.array([4.0, 6.5, 5.0, 7.5])
    d, lo, hi, p = paired_ci(a, b)
    res = stats.ttest_rel(a, b)
    assert d == pytest.approx(1.125) and p == pytest.approx(res.pvalue)
    assert (lo, hi) == pytest.approx(tuple(res.confidence_interval()))
