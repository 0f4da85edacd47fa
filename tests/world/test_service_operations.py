"""Chapter-06 service operations: each mechanism against its equation or under common random numbers.

Ground truth comes from the model functions (:mod:`sim.world.model.operations`) and the
scenario / policy parameters; effect tests compare the same seed with a lever on and off.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy

import sim
from sim.schema import SEVERITIES, TICKET_CHANNELS
from sim.world.desk import ServiceDesk, ServiceTimeSampler, TicketLog
from sim.world.model import HOURS_PER_DAY, acceptance_probability, knowledge_base_factor, logistic, logit
from sim.world.rng import Streams
from sim.world.simulate import simulate

pytestmark = pytest.mark.timeout(120)

BASE = sim.Scenario.load("baseline")
#: a loaded desk (about 60-80% busy late in the run) so that tickets wait
BUSY = {
    "complaints.quality_issue_prob": 0.10,
    "complaints.complaint_prob_ok": 0.12,
    "desk.service_time.mean_h": {"P0": 4.0, "P1": 4.0, "P2": 4.0, "P3": 4.0},
}


def _run(sc_changes=None, policy=None, pol_changes=None, customers=3000, days=365, seed=3, scenario=BASE):
    sc = scenario.updated(sc_changes or {})
    pol = policy
    if pol_changes:
        pol = (sim.Policy.load(policy) if isinstance(policy, str) else (policy or sim.Policy())).updated(pol_changes)
    return sim.run(sc, pol, customers=customers, days=days, seed=seed)


def _z(successes: float, n: float, p: float) -> float:
    return (successes - n * p) / math.sqrt(n * p * (1 - p))


# ---------------------------------------------------------------------------------------------- off
def test_ops_desk_path_is_exact_copy_of_plain_desk():
    """With hooks that do what the plain desk does, the ops agent loop gives identical tickets (so
    the Erlang C / Cobham checks of tests/world/test_desk.py carry over to it)."""

    def desk_run(ops: bool) -> TicketLog:
        env, log = simpy.Environment(), TicketLog()
        streams = Streams(5)
        service = ServiceTimeSampler(streams.buffered("desk.service"), [1.0] * 4)
        arrivals = streams.buffered("arr")
        desk_ref: list[ServiceDesk] = []

        def done(tid: int) -> None:
            log.resolved[tid] = env.now

        desk = ServiceDesk(
            env,
            log,
            2,
            service,
            work=(lambda tid, k: service(log.severity[tid])) if ops else None,
            done=done if ops else None,
        )
        desk_ref.append(desk)

        def source():
            for _ in range(3000):
                yield env.timeout(arrivals.exponential() / (1.6 * HOURS_PER_DAY))
                desk.submit(log.open(-1, -1, "service", 3, env.now))

        env.process(source())
        env.run()
        return log

    a, b = desk_run(False), desk_run(True)
    assert a.first_response == b.first_response and a.resolved == b.resolved and a.agent == b.agent
    assert a.handle == b.handle


def test_everything_off_gives_default_columns_and_busy_time():
    tables, info = simulate(BASE, customers=1500, days=300, seed=2)
    tk = tables["tickets"]
    assert (tk["channel"] == "").all() and (tk["department"] == "").all()
    assert (tk["chaser_of"] == -1).all() and (tk["reopened_from"] == -1).all()
    assert tk["accepted"].isna().all() and tk["handoff_t"].isna().all()
    done = tk["resolved_t"].notna() & ~tk["bot"]
    # handle_h of resolved tickets is the desk's busy time, and NaN only where nobody picked it up
    assert tk.loc[done, "handle_h"].sum() / HOURS_PER_DAY == pytest.approx(info["desk_busy_days"], rel=1e-9)
    assert (tk["handle_h"].isna() == tk["first_response_t"].isna()).all()


# ---------------------------------------------------------------------------------------------- channels
def test_channel_mix_and_channel_targets():
    mix = {"phone": 0.4, "chat": 0.3, "email": 0.2, "app": 0.05, "social": 0.05}
    targets = {"phone": 0.5, "email": 24.0}
    res = _run({**BUSY, "complaints.channel_mix": mix, "desk.channel_first_response_h": targets})
    tk = res.tickets
    assert set(tk["channel"]) <= set(TICKET_CHANNELS)
    n = len(tk)
    for ch, p in mix.items():
        assert abs(_z((tk["channel"] == ch).sum(), n, p)) < 4.5, ch
    # a ticket's first-response target is the stricter of severity and channel
    sev_t = tk["severity"].map({s: BASE.desk.sla[s].first_response_h for s in SEVERITIES}).to_numpy(float)
    ch_t = tk["channel"].map(targets).astype(float).fillna(np.inf).to_numpy()
    target = np.minimum(sev_t, ch_t)
    answered = tk["first_response_t"].notna().to_numpy()
    met = tk["sla_first_response_met"].to_numpy(dtype=object)
    assert (met[answered] == (tk["wait_h"].to_numpy()[answered] <= target[answered])).all()
    # phone (0.5 h) is stricter than P3's 8 h: phone tickets breach their first response more often
    rate = lambda ch: tk.loc[
        answered & (tk["channel"] == ch).to_numpy() & (tk["severity"] == "P3").to_numpy(), "sla_first_response_met"
    ].mean()
    assert rate("phone") < rate("chat")


# ---------------------------------------------------------------------------------------------- chasers
@pytest.mark.timeout(180)
def test_chasers_follow_a_poisson_process_over_the_excess_wait():
    r = 3.0
    res = _run({**BUSY, "complaints.chaser_rate_per_day": r}, customers=4000, days=400, seed=11)
    tk = res.tickets
    chasers = tk[tk["chaser_of"] > 0]
    orig = tk[(tk["chaser_of"] < 0) & (tk["customer_id"] > 0)].set_index("ticket_id")
    target_d = orig["severity"].map({s: BASE.desk.sla[s].first_response_h for s in SEVERITIES}) / HOURS_PER_DAY
    answered_at = orig["first_response_t"].fillna(res.horizon_days)
    excess = (answered_at - orig["opened_t"] - target_d).clip(lower=0.0)
    # customers who left stop chasing: count the exposure only of customers alive at the end
    churn_t = res.customers.set_index("customer_id")["true_churn_t"]
    alive = churn_t.reindex(orig["customer_id"]).isna().to_numpy()
    expected = r * excess[alive].sum()
    observed = chasers["chaser_of"].isin(orig.index[alive]).sum()
    assert expected > 30  # enough exposure for the check to mean something
    assert abs(observed - expected) < 4.0 * math.sqrt(expected), (observed, expected)
    # chasers are closed when the chased ticket is answered, and have no SLA of their own
    first = tk.set_index("ticket_id")["first_response_t"]
    closed = chasers["resolved_t"].notna()
    assert np.allclose(chasers.loc[closed, "resolved_t"], first.reindex(chasers.loc[closed, "chaser_of"]).to_numpy())
    assert chasers["sla_met"].isna().all()
    assert res.kpis()["chaser_share"] == pytest.approx(len(chasers) / len(tk))


def test_chasers_rise_with_waiting_time_under_crn():
    """Same seed, one agent fewer's worth of capacity (longer handling): waits and chasers rise."""
    on = {"complaints.chaser_rate_per_day": 2.0}
    slow = _run({**BUSY, **on, "desk.service_time.mean_h": dict.fromkeys(SEVERITIES, 6.0)}, seed=4)
    fast = _run({**BUSY, **on, "desk.service_time.mean_h": dict.fromkeys(SEVERITIES, 2.0)}, seed=4)
    ks, kf = slow.kpis(), fast.kpis()
    assert ks["mean_wait_h"] > kf["mean_wait_h"]
    assert (slow.tickets["chaser_of"] > 0).sum() > 3 * max(1, (fast.tickets["chaser_of"] > 0).sum())
    off = _run({**BUSY, "desk.service_time.mean_h": dict.fromkeys(SEVERITIES, 6.0)}, seed=4)
    assert (off.tickets["chaser_of"] > 0).sum() == 0


# ---------------------------------------------------------------------------------------------- acceptance
@pytest.mark.timeout(180)
def test_acceptance_matches_the_model_and_reopens():
    base, slope = 0.7, 0.0  # slope 0: P(accept) depends only on the SLA outcome (closed form)
    res = _run(
        {**BUSY, "complaints.acceptance": {"enabled": True, "base": base, "slope": slope}},
        "service_first",
        customers=4000,
        days=400,
        seed=6,
    )
    tk = res.tickets.set_index("ticket_id")
    asked = tk[tk["accepted"].notna()]
    assert len(asked) > 500
    for met, p in ((True, base), (False, logistic(logit(base) - 1.0))):
        grp = asked[asked["sla_met"].astype("boolean").fillna(False) == met]
        if len(grp) > 30:
            assert abs(_z(grp["accepted"].sum(), len(grp), p)) < 4.5, (met, grp["accepted"].mean(), p)
    assert acceptance_probability(8.0, True, base, slope) == pytest.approx(base)
    # every rejection reopens exactly one ticket: same cause, one level more urgent (not beyond P1),
    # opened at the follow-up call (resolution + 48 h)
    rejected = asked[asked["accepted"] == 0.0]
    reopened = tk[tk["reopened_from"] > 0]
    assert sorted(reopened["reopened_from"]) == sorted(rejected.index)
    parent = tk.loc[reopened["reopened_from"]]
    assert (parent["cause"].to_numpy() == reopened["cause"].to_numpy()).all()
    rank = {s: k for k, s in enumerate(SEVERITIES)}
    expect = [min(r, max(r - 1, 1)) for r in parent["severity"].map(rank)]
    assert reopened["severity"].map(rank).tolist() == expect
    assert np.allclose(reopened["opened_t"].to_numpy(), parent["resolved_t"].to_numpy() + 48 / HOURS_PER_DAY)
    k = res.kpis()
    assert k["reopen_rate"] == pytest.approx(len(rejected) / len(asked))


def test_acceptance_needs_the_follow_up_and_base_moves_reopens():
    acc = {"complaints.acceptance": {"enabled": True, "base": 0.9, "slope": 0.3}}
    no_fu = _run({**BUSY, **acc}, "vip_care", seed=8)
    assert no_fu.tickets["accepted"].isna().all()
    hi = _run({**BUSY, **acc}, "service_first", seed=8).kpis()
    lo = _run(
        {**BUSY, "complaints.acceptance": {"enabled": True, "base": 0.6, "slope": 0.3}}, "service_first", seed=8
    ).kpis()
    assert lo["reopen_rate"] > hi["reopen_rate"] + 0.15


# ---------------------------------------------------------------------------------------------- skill, KB
def test_agent_skill_spreads_agents_handling_times():
    four = {**BUSY, "desk.agents": 4}
    skilled = _run({**four, "desk.agent_skill_sd": 0.8}, customers=3000, seed=5).tickets
    plain = _run(four, customers=3000, seed=5).tickets
    from scipy import stats

    def spread(tk: pd.DataFrame) -> float:
        done = tk[tk["agent"] >= 0]
        groups = [np.log(g["handle_h"].to_numpy()) for _, g in done.groupby("agent")]
        return stats.f_oneway(*groups).pvalue

    assert spread(skilled) < 1e-6
    assert spread(plain) > 1e-4


def test_knowledge_base_learning_curve_is_exact_under_crn():
    """One mean handling time for all severities: the k-th handling time drawn is the same draw
    in both runs, so on / off = knowledge_base_factor(n resolved of that cause before it started)."""
    kb = {"enabled": True, "max_reduction": 0.4, "half_tickets": 50.0}
    sc = {**BUSY, "desk.service_time.mean_h": dict.fromkeys(SEVERITIES, 3.0)}
    on = _run(sc, pol_changes={"service.knowledge_base": kb}, customers=2000, seed=7).tickets
    off = _run(sc, customers=2000, seed=7).tickets
    pick = lambda tk: tk[tk["agent"] >= 0].sort_values(["first_response_t", "ticket_id"], kind="stable")
    a, b = pick(on), pick(off)
    m = min(len(a), len(b))
    a, b = a.iloc[:m], b.iloc[:m]
    n_before = [
        int(((on["cause"] == c) & (on["resolved_t"] <= t) & (on["ticket_id"] != tid)).sum())
        for c, t, tid in zip(a["cause"], a["first_response_t"], a["ticket_id"])
    ]
    factor = np.array([knowledge_base_factor(n, 0.4, 50.0) for n in n_before])
    assert m > 300
    assert np.allclose(a["handle_h"].to_numpy(), b["handle_h"].to_numpy() * factor, rtol=1e-9)
    assert factor[-1] < factor[0] == 1.0


# ---------------------------------------------------------------------------------------------- process, team
def test_process_routes_to_departments_and_staffs_them():
    res = _run(BUSY, "service_process", customers=3000, seed=9)
    pol = sim.Policy.load("service_process")
    tk = res.tickets
    staged = tk[tk["handoff_t"].notna()]
    assert len(staged) > 200
    assert (staged["department"] == staged["cause"].map(pol.service.process.routing)).all()
    assert (staged["handoff_t"] >= staged["first_response_t"]).all()
    done = staged[staged["resolved_t"].notna()]
    assert (done["resolved_t"] >= done["handoff_t"]).all()
    # triage (front desk) ~ exponential with mean triage_h
    triage_h = (staged["handoff_t"] - staged["first_response_t"]) * HOURS_PER_DAY
    se = pol.service.process.triage_h / math.sqrt(len(triage_h))
    assert abs(triage_h.mean() - pol.service.process.triage_h) < 4.5 * se
    # staffed: the front desk (its share of a reference desk of 1 agent) + 3 department agents + 1 emergency agent
    assert res.agents == pytest.approx(3000 / BASE.population.customers * BASE.desk.agents + 3 + 1)
    k = res.kpis()
    assert k["agent_utilisation"] == pytest.approx(tk["handle_h"].sum() / (res.agents * 24 * res.horizon_days))


def test_emergency_team_starts_p0_after_start_h():
    team = {"enabled": True, "agents": 2, "start_h": 0.5, "mean_h": 2.0}
    res = _run(
        {**BUSY, "complaints.severity_mix": {"P0": 0.2, "P1": 0.1, "P2": 0.3, "P3": 0.4}},
        pol_changes={"service.emergency_team": team},
        seed=10,
    )
    tk = res.tickets
    p0 = tk[(tk["severity"] == "P0") & tk["first_response_t"].notna() & (tk["chaser_of"] < 0)]
    assert len(p0) > 100
    assert (p0["agent"] == -3).all()
    assert (tk.loc[tk["agent"] == -3, "severity"] == "P0").all()
    assert (p0["wait_h"] >= 0.5 - 1e-6).all()
    assert (np.isclose(p0["wait_h"], 0.5)).mean() > 0.8  # a free team starts exactly start_h after opening


# ---------------------------------------------------------------------------------------------- proactive
@pytest.mark.timeout(180)
def test_auto_detect_opens_proactive_tickets():
    p = 0.6
    res = _run({}, pol_changes={"service.auto_detect": p}, customers=4000, days=400, seed=12)
    o, tk = res.orders, res.tickets
    issues = o[o["true_quality_issue"]]
    auto = tk[tk["channel"] == "auto"]
    assert (auto["cause"] == "product").all()
    assert set(auto["order_id"]) <= set(issues["order_id"])
    assert abs(_z(len(auto), len(issues), p)) < 4.5
    # undetected issue orders: the customer complains with complaint_prob_issue
    undetected = issues[~issues["order_id"].isin(auto["order_id"])]
    complained = tk[(tk["channel"] == "") & (tk["order_id"].isin(undetected["order_id"])) & (tk["chaser_of"] < 0)]
    assert abs(_z(complained["order_id"].nunique(), len(undetected), BASE.complaints.complaint_prob_issue)) < 4.5
    # CRN effect: the firm now hears of more quality issues
    off = _run({}, customers=4000, days=400, seed=12)
    assert (tk["cause"] == "product").sum() > 1.2 * (off.tickets["cause"] == "product").sum()


# ---------------------------------------------------------------------------------------------- presets
@pytest.mark.timeout(180)
def test_presets_run_and_compare():
    for pol in ("service_process", "proactive_service"):
        sim.Policy.load(pol)
    res = sim.run("service_ops", "service_process", customers=1500, days=200, seed=1)
    tk = res.tickets
    assert set(tk["channel"]) - {""} <= set(TICKET_CHANNELS) | {"auto"}
    k = res.kpis()
    for name in ("agent_utilisation", "reopen_rate", "chaser_share"):
        assert name in k.index
    assert 0.0 < k["agent_utilisation"] < 1.0
    monthly = res.kpis(by="month")
    assert {"agent_utilisation", "reopen_rate", "chaser_share"} <= set(monthly.columns)
