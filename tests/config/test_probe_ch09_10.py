"""Probes of the configuration added for chapters 09-10 (issue 14): ``Policy.loyalty``'s ledger levers,
``Scenario.loyalty_response``, ``Policy.phases`` and ``Policy.management``.

House rule: bad input raises a :class:`sim.errors.ConfigError` naming the field, the value and what
is allowed (never a raw pydantic traceback, never silently accepted nonsense), and every accepted
configuration runs (no crash, no hang) -- checked at 300 customers x 200 days against what the
simulator knows (the ledger, the orders table).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.errors import ConfigError

NAN, INF = float("nan"), float("inf")
LEDGER = {"loyalty.enabled": True, "loyalty.ledger": True}
CLUB = sim.Scenario.load("loyalty_club")
POINTS = sim.Policy.load("points_club")
VIP = sim.Policy.load("vip_care")
ALWAYS_MISSED = {"enabled": True, "kpi": "orders", "target": 1e9, "review_every_days": 7}


def _refused(make, *fragments: str) -> str:
    with pytest.raises(ConfigError) as exc:
        make()
    msg = str(exc.value)
    for f in fragments:
        assert f in msg, f"{f!r} not named in: {msg}"
    assert "errors.pydantic.dev" not in msg and "[type=" not in msg and "Traceback" not in msg
    return msg


def _run(scenario, policy, **kw):
    return sim.run(scenario, policy, customers=kw.pop("customers", 300), days=kw.pop("days", 200), seed=1, **kw)


# ---------------------------------------------------------------------------- loyalty levers
BAD_LOYALTY = [
    ({"loyalty.redeem_min_points": NAN}, "loyalty.redeem_min_points"),
    ({"loyalty.redeem_min_points": "nan"}, "loyalty.redeem_min_points"),
    ({"loyalty.redeem_min_points": True}, "loyalty.redeem_min_points"),
    ({"loyalty.redeem_min_points": 0}, "loyalty.redeem_min_points"),
    ({"loyalty.redeem_min_points": 1e12}, "loyalty.redeem_min_points"),
    ({"loyalty.expiry_days": INF, **LEDGER}, "loyalty.expiry_days"),
    ({"loyalty.expiry_days": "-inf", **LEDGER}, "loyalty.expiry_days"),
    ({"loyalty.expiry_days": -1, **LEDGER}, "loyalty.expiry_days"),
    # found by this probe: sub-day expiry was accepted (points gone before the day's ledger row)
    ({"loyalty.expiry_days": 0.5, **LEDGER}, "at least 1 day"),
    ({"loyalty.expiry_days": 1e-300, **LEDGER}, "loyalty.expiry_days"),
    ({"loyalty.expiry_days": 30}, "set ledger: true"),
    ({"loyalty.check_in": {"enabled": True, "points": NAN}, **LEDGER}, "loyalty.check_in.points"),
    ({"loyalty.check_in": {"enabled": True, "max_per_week": 0}, **LEDGER}, "loyalty.check_in.max_per_week"),
    ({"loyalty.check_in": {"enabled": True, "max_per_week": 8}, **LEDGER}, "loyalty.check_in.max_per_week"),
    ({"loyalty.check_in": {"enabled": True, "max_per_week": 2.5}, **LEDGER}, "loyalty.check_in.max_per_week"),
    ({"loyalty.check_in": None}, "loyalty.check_in"),
    ({"loyalty.check_in": []}, "loyalty.check_in"),
    ({"loyalty.check_in.enabled": True}, "set ledger: true"),
    ({"loyalty.referral_bonus": [{"start_day": 10, "end_day": 5}]}, "must be after start_day"),
    ({"loyalty.referral_bonus": [{"start_day": 10, "end_day": 10}]}, "must be after start_day"),
    ({"loyalty.referral_bonus": [{"start_day": NAN, "end_day": 5}]}, "start_day"),
    ({"loyalty.referral_bonus": [{"start_day": 10, "end_day": INF}]}, "end_day"),
    ({"loyalty.referral_bonus": [{"start_day": -10, "end_day": 5}]}, "start_day"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 1e5}]}, "end_day"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 5, "multiplier": 0.5}]}, "multiplier"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 5, "multiplier": NAN}]}, "multiplier"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 5, "multiplier": 1e9}]}, "multiplier"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 5, "multiplier": True}]}, "multiplier"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 50}, {"start_day": 40, "end_day": 60}]}, "overlap"),
    ({"loyalty.referral_bonus": [{"start_day": 40, "end_day": 60}, {"start_day": 0, "end_day": 50}]}, "overlap"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 50}] * 2}, "overlap"),
    ({"loyalty.referral_bonus": {"start_day": 0, "end_day": 50}}, "loyalty.referral_bonus"),
    ({"loyalty.referral_bonus": [{"start_day": i, "end_day": i + 1} for i in range(101)]}, "at most 100"),
    ({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 5, "extra": 1}]}, "extra"),
    ({"loyalty.ranking": {"enabled": True, "top_share": NAN}, **LEDGER}, "loyalty.ranking.top_share"),
    ({"loyalty.ranking": {"enabled": True, "top_share": 1.01}, **LEDGER}, "loyalty.ranking.top_share"),
    # found by this probe: an enabled ranking that rewards nobody was accepted
    ({"loyalty.ranking": {"enabled": True, "top_share": 0}, **LEDGER}, "rewards nobody"),
    ({"loyalty.ranking": {"enabled": True, "period_days": 0}, **LEDGER}, "loyalty.ranking.period_days"),
    ({"loyalty.ranking": {"enabled": True, "period_days": 1e-6}, **LEDGER}, "loyalty.ranking.period_days"),
    ({"loyalty.ranking": {"enabled": True, "period_days": 1e5}, **LEDGER}, "loyalty.ranking.period_days"),
    ({"loyalty.ranking": {"enabled": True, "reward_points": -1}, **LEDGER}, "loyalty.ranking.reward_points"),
    ({"loyalty.ranking": {"enabled": True}}, "set ledger: true"),
]


@pytest.mark.parametrize(("changes", "needle"), BAD_LOYALTY, ids=[str(i) for i in range(len(BAD_LOYALTY))])
def test_bad_loyalty_levers_are_refused(changes, needle):
    _refused(lambda: sim.Policy.load("do_nothing").updated(changes), needle)


BAD_RESPONSE = [
    ({"loyalty_response.goal_gradient.strength": NAN}, "goal_gradient.strength"),
    ({"loyalty_response.goal_gradient.strength": 3}, "goal_gradient.strength"),
    ({"loyalty_response.goal_gradient.window": 0}, "goal_gradient.window"),
    ({"loyalty_response.goal_gradient.window": "inf"}, "goal_gradient.window"),
    ({"loyalty_response.check_in_rate_per_week": -1}, "check_in_rate_per_week"),
    ({"loyalty_response.check_in_rate_per_week": 1e9}, "check_in_rate_per_week"),
    ({"loyalty_response.check_in_rate_per_week": True}, "check_in_rate_per_week"),
    ({"loyalty_response.check_in_rate_per_week": "1e400"}, "check_in_rate_per_week"),
    # found by this probe: a tiny Gamma shape / Beta concentration made every draw 0 (the mean silently lost)
    ({"loyalty_response.check_in_shape": 1e-300}, "check_in_shape"),
    ({"loyalty_response.check_in_shape": 0}, "check_in_shape"),
    ({"loyalty_response.redeem_concentration": 1e-300}, "redeem_concentration"),
    ({"loyalty_response.redeem_prob": 1.5}, "redeem_prob"),
    ({"loyalty_response.redeem_prob": -0.1}, "redeem_prob"),
    ({"loyalty_response": None}, "loyalty_response"),
    ({"loyalty_response": []}, "loyalty_response"),
    ({"loyalty_response.foo": 1}, "foo"),
]


@pytest.mark.parametrize(("changes", "needle"), BAD_RESPONSE, ids=[str(i) for i in range(len(BAD_RESPONSE))])
def test_bad_loyalty_responses_are_refused(changes, needle):
    _refused(lambda: sim.Scenario.load("baseline").updated(changes), needle)


def test_the_smallest_trait_shape_keeps_the_stated_mean():
    """At the new lower limit the latent check-in rates still average the stated mean (the reason for it)."""
    s = CLUB.updated(
        {
            "loyalty_response.check_in_shape": sim.config.limits.MIN_TRAIT_SHAPE,
            "loyalty_response.check_in_rate_per_week": 2,
        }
    )
    rates = _run(s, POINTS, customers=2000, days=60).tables["customers"]["true_check_in_rate"].to_numpy(dtype=float)
    assert (rates > 0).mean() > 0.9  # with shape 1e-300 every draw was exactly 0
    assert np.isfinite(rates).all()


# ---------------------------------------------------------------------------- phases
def _phases(*items):
    return {"phases": list(items)}


def _ph(name="a", **kw):
    return {"name": name, "set": kw.pop("set", {}), **kw}


BAD_PHASES = [
    (_phases(_ph(start_day=0)), "phases[0].start_day"),
    (_phases(_ph(start_day=NAN)), "phases[0].start_day"),
    (_phases(_ph(start_day="inf")), "phases[0].start_day"),
    (_phases(_ph(start_day=True)), "phases[0].start_day"),
    (_phases(_ph(start_day=1e6)), "phases[0].start_day"),
    (_phases(_ph(start_month=1)), "phases[0].start_month"),
    (_phases(_ph(start_month=2.5)), "phases[0].start_month"),
    (_phases(_ph(start_month=121)), "phases[0].start_month"),
    (_phases(_ph(start_day=10, start_month=3)), "exactly one of start_day"),
    (_phases(_ph()), "exactly one of start_day"),
    (_phases(_ph(name="", start_day=10)), "phases[0].name"),
    (_phases(_ph(name="a b", start_day=10)), "phases[0].name"),
    (_phases(_ph(start_day=10), _ph(start_day=20)), "names must be unique"),
    (_phases(_ph("a", start_day=20), _ph("b", start_day=10)), "strictly increasing"),
    (_phases(_ph("a", start_day=20), _ph("b", start_day=20)), "strictly increasing"),
    (_phases(_ph("a", start_day=20), _ph("b", start_month=3)), "not a mix"),
    (_phases(_ph(start_day=20, set={"contacts.0.interval_days": NAN})), "phases[0] (a): contacts[0].interval_days"),
    (_phases(_ph(start_day=20, set={"contacts.0.interval_days": 0})), "phases[0] (a): contacts[0].interval_days"),
    (_phases(_ph(start_day=20, set={"contacts.9.interval_days": 5})), "give an index 0..2"),
    (_phases(_ph(start_day=20, set={"contacts.-1.interval_days": 5})), "give an index 0..2"),
    # found by this probe: a non-canonical list index ("00") was read as item 0
    (_phases(_ph(start_day=20, set={"contacts.00.interval_days": 30})), "'contacts.00.interval_days'"),
    (_phases(_ph(start_day=20, set={"contacts": None})), "phases[0] (a): contacts"),
    (_phases(_ph(start_day=20, set={"nope": 1})), "has no key 'nope'"),
    (_phases(_ph(start_day=20, set={"": 1})), "has no key ''"),
    (_phases(_ph(start_day=20, set={"contacts..interval_days": 1})), "contacts..interval_days"),
    (_phases(_ph(start_day=20, set={"channels.email.cost": 1})), "the world fixes channels"),
    (_phases(_ph(start_day=20, set={"phases": []})), "a phase inside a phase"),
    (_phases(_ph(start_day=20, set={"management.enabled": True})), "management loop runs across phases"),
    (_phases(_ph(start_day=20, set={"loyalty.check_in.enabled": True})), "set ledger: true"),
    (_phases(_ph(start_day=20, set={"loyalty.expiry_days": 0.5, **LEDGER})), "at least 1 day"),
    (_phases(_ph(start_day=20, set={1: 2})), "phases[0].set"),
    (_phases(_ph(start_day=20, set=None)), "phases[0].set"),
    (_phases(_ph(start_day=20, set=[])), "phases[0].set"),
    (_phases({**_ph(start_day=20), "extra": 1}), "phases[0].extra"),
    ({"phases": None}, "phases"),
    ({"phases": {"name": "a"}}, "phases"),
    ({"phases": [_ph(f"p{i}", start_day=i + 1) for i in range(25)]}, "at most 24"),
]


@pytest.mark.parametrize(("changes", "needle"), BAD_PHASES, ids=[str(i) for i in range(len(BAD_PHASES))])
def test_bad_phases_are_refused(changes, needle):
    _refused(lambda: VIP.updated(changes), needle)


# ---------------------------------------------------------------------------- management
def _mg(**kw):
    return {"management": {"enabled": True, "lever": "contacts.0.interval_days", **kw}}


BAD_MANAGEMENT = [
    (_mg(review_every_days=0), "management.review_every_days"),
    (_mg(review_every_days=NAN), "management.review_every_days"),
    (_mg(review_every_days=1e9), "management.review_every_days"),
    (_mg(step=NAN), "management.step"),
    (_mg(step=INF), "management.step"),
    (_mg(step=True), "management.step"),
    (_mg(target=NAN), "management.target"),
    (_mg(ratchet=-0.1), "management.ratchet"),
    (_mg(kpi="sla_met_rate"), "management.kpi"),
    (_mg(kpi="REVENUE"), "management.kpi"),
    # found by this probe: the bound errors carried pydantic's "[type=..., input_value=...]" tail
    (_mg(lower=0), "management.lower = 0 is not a value contacts.0.interval_days accepts"),
    (_mg(upper=1e9), "management.upper = 1e+09"),
    (_mg(lower=50, upper=10), "must not exceed"),
    (_mg(lever="contacts.9.interval_days"), "give an index 0..2"),
    (_mg(lever="contacts"), "not a number"),
    (_mg(lever="contacts.0"), "not a number"),
    (_mg(lever="loyalty.enabled"), "not a number"),
    (_mg(lever="name"), "not a lever the firm can move"),
    (_mg(lever="channels.email.cost"), "not a lever the firm can move"),
    (_mg(lever="loyalty.point_value"), "cost rate"),
    (_mg(lever="phases.0.start_day"), "may not point into phases"),
    (_mg(lever="contacts.0.interval_days;x"), "management.lever"),
    (_mg(lever="loyalty.check_in.max_per_week", step=0.5), "whole number"),
    (_mg(lever="loyalty.check_in.max_per_week", step=1, upper=8), "management.upper = 8"),
    (_mg(lever="loyalty.check_in.max_per_week", step=-1, lower=0), "management.lower = 0"),
    (_mg(lever="loyalty.ranking.top_share", step=0.1, upper=1.5), "management.upper = 1.5"),
    # found by this probe: levers the loop could never move were accepted (every review logs old->old)
    (_mg(lever="tiering.tiers.0.share", step=0.1), "could never move"),
    (_mg(lever="loyalty.expiry_days", step=-100), "could never move"),
    ({"management": None}, "management"),
    ({"management": {"enabled": True}}, "needs a lever"),
]


@pytest.mark.parametrize(("changes", "needle"), BAD_MANAGEMENT, ids=[str(i) for i in range(len(BAD_MANAGEMENT))])
def test_bad_management_is_refused(changes, needle):
    _refused(lambda: VIP.updated(changes), needle)


def test_a_lever_that_only_a_phase_lets_move_is_accepted():
    """The could-never-move check looks at every phase: a move refused by the base policy but allowed
    in a phase is a legitimate plan."""
    pol = POINTS.updated(
        {
            "management": {**ALWAYS_MISSED, "lever": "loyalty.tiers.0.min_spend", "step": 2500},
            "phases": [{"name": "wider", "start_day": 50, "set": {"loyalty.tiers.1.min_spend": 5000}}],
        }
    )
    assert pol.management.lever == "loyalty.tiers.0.min_spend"
    _refused(lambda: pol.updated({"phases": []}), "could never move")  # the base alone refuses 3500 > 3000


# ---------------------------------------------------------------------------- YAML files
YAML_CASES = [
    (
        "name: x\nphases:\n  - name: a\n    start_day: 30\n    set:\n      contacts: []\n      contacts: []\n",
        "duplicate key",
    ),
    ("name: x\nphases:\n  - name: a\n    start_day: .nan\n    set: {}\n", "phases[0].start_day"),
    (
        "name: x\nloyalty:\n  enabled: true\n  ledger: true\n  referral_bonus:\n    - &w {start_day: 0, end_day: 10}\n"
        "    - *w\n",
        "overlap",
    ),
    ("- name: x\n", "expected a mapping"),
    ("", "expected a mapping"),
    (
        "name: x\nmanagement: {enabled: true, lever: contacts.0.interval_days, step: -1, lower: 1e999}\n",
        "management.lower",
    ),
    ("name: x\nloyalty: {enabled: true, ledger: true, expiry_days: 0.25}\n", "at least 1 day"),
]


@pytest.mark.parametrize(("text", "needle"), YAML_CASES, ids=[str(i) for i in range(len(YAML_CASES))])
def test_bad_policy_files_are_refused(tmp_path, text, needle):
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    _refused(lambda: sim.Policy.load(f), needle)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("loyalty_response: {check_in_rate_per_week: .inf}\n", "check_in_rate_per_week"),
        ("loyalty_response: [1, 2]\n", "loyalty_response"),
        ("loyalty_response:\n  redeem_prob: 0.5\n  redeem_prob: 0.6\n", "duplicate key"),
        ("loyalty_response: {check_in_shape: 0.001}\n", "check_in_shape"),
    ],
)
def test_bad_scenario_files_are_refused(tmp_path, text, needle):
    f = tmp_path / "s.yaml"
    f.write_text(text, encoding="utf-8")
    _refused(lambda: sim.Scenario.load(f), needle)


# ---------------------------------------------------------------------------- accepted edges run
EDGES = {
    "expiry_1_day": (CLUB, POINTS.updated({"loyalty.expiry_days": 1})),
    "check_in_points_0": (CLUB, POINTS.updated({"loyalty.check_in.points": 0})),
    "top_share_tiny": (CLUB, POINTS.updated({"loyalty.ranking.top_share": 1e-9})),
    "ranking_daily": (CLUB, POINTS.updated({"loyalty.ranking.period_days": 1})),
    "ranking_longer_than_run": (CLUB, POINTS.updated({"loyalty.ranking.period_days": 3650})),
    "bonus_past_horizon": (CLUB, POINTS.updated({"loyalty.referral_bonus": [{"start_day": 150, "end_day": 3650}]})),
    "bonus_after_horizon": (CLUB, POINTS.updated({"loyalty.referral_bonus": [{"start_day": 500, "end_day": 600}]})),
    "bonus_tiny_window": (
        CLUB,
        POINTS.updated({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 1e-9, "multiplier": 10}]}),
    ),
    "redeem_min_1_everyone_redeems": (
        CLUB.updated({"loyalty_response.redeem_prob": 1.0}),
        POINTS.updated({"loyalty.redeem_min_points": 1}),
    ),
    "redeem_min_max": (CLUB, POINTS.updated({"loyalty.redeem_min_points": 1e9})),
    "goal_window_tiny": (
        CLUB.updated({"loyalty_response.goal_gradient.window": 1e-300, "loyalty_response.goal_gradient.strength": 2}),
        POINTS,
    ),
    "every_response_at_its_bound": (
        CLUB.updated(
            {
                "loyalty_response.check_in_rate_per_week": 7,
                "loyalty_response.check_in_shape": 0.01,
                "loyalty_response.check_in_dropout_shift": 5,
                "loyalty_response.ranking_rate_uplift": 2,
                "loyalty_response.goal_gradient.strength": 2,
                "loyalty_response.referral_bonus_elasticity": 10,
            }
        ),
        POINTS.updated({"loyalty.referral_bonus": [{"start_day": 0, "end_day": 200, "multiplier": 10}]}),
    ),
    "ledger_without_levers": (CLUB, sim.Policy.load("do_nothing").updated(LEDGER)),
    "ledger_programme_off": (CLUB, POINTS.updated({"loyalty.enabled": False})),
    "phase_at_half_a_day": (CLUB, VIP.updated({"phases": [_ph(start_day=0.5, set={"contacts.0.interval_days": 7})]})),
    "24_phases_in_a_day": (
        CLUB,
        VIP.updated(
            {
                "phases": [
                    _ph(f"p{i}", start_day=0.5 + i / 100, set={"contacts.0.interval_days": 1 + i}) for i in range(24)
                ]
            }
        ),
    ),
    "interval_lever_driven_down": (CLUB, VIP.updated(_mg(**ALWAYS_MISSED, step=-10))),
    "interval_lever_to_1": (CLUB, VIP.updated(_mg(**ALWAYS_MISSED, step=-100, lower=1))),
    "lever_at_its_upper_bound": (CLUB, VIP.updated(_mg(**ALWAYS_MISSED, step=1e12, upper=3650))),
    "check_in_cap_lever_to_1": (
        CLUB,
        POINTS.updated(
            {"management": {**ALWAYS_MISSED, "lever": "loyalty.check_in.max_per_week", "step": -1, "lower": 1}}
        ),
    ),
    "ranking_period_lever_to_1": (
        CLUB,
        POINTS.updated(
            {"management": {**ALWAYS_MISSED, "lever": "loyalty.ranking.period_days", "step": -30, "lower": 1}}
        ),
    ),
    "review_longer_than_run": (CLUB, VIP.updated(_mg(review_every_days=3650, step=-1))),
}


@pytest.mark.parametrize("name", list(EDGES))
def test_accepted_edge_configs_run_and_keep_the_ledger_consistent(name):
    scenario, policy = EDGES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = _run(scenario, policy)
    pts = r.tables["points"]
    if len(pts):  # ground truth: each row's balance is the running sum of the customer's signed points
        for _, g in pts.groupby("customer_id"):
            bal = g["balance"].to_numpy(dtype=float)
            assert np.allclose(np.cumsum(g["points"].to_numpy(dtype=float)), bal, atol=1e-6)
            assert (bal >= -1e-9).all()


def test_ranking_with_top_share_1_rewards_every_buyer_of_each_period():
    r = _run(CLUB, POINTS.updated({"loyalty.ranking.top_share": 1.0}))
    pts, orders = r.tables["points"], r.tables["orders"]
    rk = pts[pts["kind"] == "ranking"]
    assert sorted(set(rk["t"].astype(float))) == [91.0, 182.0]
    for a, b in ((0.0, 91.0), (91.0, 182.0)):
        buyers = set(orders.loc[(orders["t"] > a) & (orders["t"] <= b), "customer_id"])
        assert set(rk.loc[rk["t"] == b, "customer_id"]) == buyers


def test_check_in_cap_of_one_credits_at_most_one_check_in_per_week():
    r = _run(CLUB, POINTS.updated({"loyalty.check_in.max_per_week": 1}))
    ci = r.tables["points"]
    ci = ci[ci["kind"] == "check_in"]
    assert len(ci) > 0
    weeks = (ci["t"].astype(float) // 7).astype(int)
    assert ci.groupby([ci["customer_id"], weeks]).size().max() == 1


def test_one_day_expiry_expires_what_was_not_redeemed():
    r = _run(CLUB, POINTS.updated({"loyalty.expiry_days": 1, "loyalty.redeem_min_points": 1e9}))
    pts = r.tables["points"]
    credited = pts.loc[pts["points"] > 0].groupby("customer_id")["t"].max()
    last = pts.groupby("customer_id").tail(1).set_index("customer_id")
    done = credited[credited < 200 - 1.0].index  # every credit had its day to expire inside the run
    assert len(done) > 0 and (pts["kind"] == "expire").any()
    assert np.allclose(last.loc[done, "balance"].to_numpy(dtype=float), 0.0, atol=1e-6)


def test_a_carried_lever_a_later_phase_refuses_restarts_from_the_phase_value_instead_of_crashing():
    """Found by this probe: the loop moved loyalty.expiry_days during phase ``a``; phase ``noledger``
    switches the ledger off, where any expiry is invalid -- the run died with a raw pydantic error."""
    pol = VIP.updated(
        {
            **LEDGER,
            "management": {**ALWAYS_MISSED, "lever": "loyalty.expiry_days", "step": 30},
            "phases": [
                _ph("a", start_day=50, set={"contacts.0.interval_days": 20}),
                _ph("noledger", start_day=150, set={"loyalty.ledger": False}),
            ],
        }
    )
    with pytest.warns(UserWarning, match="noledger.*restarts from the phase's value 0"):
        r = _run(CLUB, pol)
    ev = r.tables["events"]
    reviews = ev[ev["event"] == "management_review"]
    after = reviews[reviews["t"].astype(float) > 150]["detail"]
    assert len(after) > 0 and all(d.endswith("0->0") for d in after)
    before = reviews[(reviews["t"].astype(float) > 60) & (reviews["t"].astype(float) < 150)]["detail"]
    assert any("->" in d and not d.endswith("0->0") for d in before)  # it did move in phase a


# ---------------------------------------------------------------------------- presets x presets
NEW_POLICIES = ["points_club", "refer_a_friend", "staged_programme", "roadmap_12m", "kpi_ratchet"]
SCENARIOS = sorted(p.stem for p in (Path(sim.__file__).parent / "config" / "presets" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_new_policy_preset_runs_with_every_scenario_preset(scenario):
    for policy in NEW_POLICIES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = _run(scenario, policy, customers=60, days=120)
        assert len(r.tables["customers"]) > 0, (scenario, policy)
