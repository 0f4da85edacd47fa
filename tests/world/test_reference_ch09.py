"""The reference engine and chapter 09: the points ledger and customers' programme responses are not
mirrored there, so every one of them is refused with a ConfigError naming the lever (never ignored);
a programme without them still runs, with the new table and columns present and empty."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ConfigError
from sim.schema import columns
from sim.world.reference import simulate_reference

LEVERS = [
    ({"loyalty.ledger": True}, {}, "loyalty.ledger"),
    ({"loyalty.ledger": True, "loyalty.check_in.enabled": True}, {}, "loyalty.check_in"),
    ({"loyalty.ledger": True, "loyalty.ranking.enabled": True}, {}, "loyalty.ranking"),
    ({"loyalty.referral_bonus": [{"start_day": 5, "end_day": 20}]}, {}, "loyalty.referral_bonus"),
    ({}, {"loyalty_response.goal_gradient.strength": 0.3}, "loyalty_response.goal_gradient.strength"),
    ({}, {"loyalty_response.check_in_rate_per_week": 1.0}, "loyalty_response.check_in_rate_per_week"),
    ({}, {"loyalty_response.check_in_dropout_shift": 1.0}, "loyalty_response.check_in_dropout_shift"),
    ({}, {"loyalty_response.referral_bonus_elasticity": 1.0}, "loyalty_response.referral_bonus_elasticity"),
    ({}, {"loyalty_response.ranking_rate_uplift": 0.1}, "loyalty_response.ranking_rate_uplift"),
    ({}, {"loyalty_response.redeem_prob": 0.5}, "loyalty_response.redeem_prob"),
]


@pytest.mark.parametrize(("policy_changes", "scenario_changes", "lever"), LEVERS)
def test_each_unmirrored_lever_is_refused_by_name(policy_changes, scenario_changes, lever):
    pol = sim.Policy.load("loyalty_tiers").updated(policy_changes)
    sc = sim.Scenario.load("baseline").updated(scenario_changes)
    with pytest.raises(ConfigError, match=f"does not mirror the loyalty levers .*{lever.replace('.', '[.]')}"):
        simulate_reference(sc, pol, customers=50, days=30, seed=1)


def test_the_presets_are_refused_on_the_reference_engine():
    with pytest.raises(ConfigError, match="loyalty.ledger"):
        simulate_reference("loyalty_club", "points_club", customers=50, days=30, seed=1)
    with pytest.raises(ConfigError, match="loyalty.referral_bonus"):
        simulate_reference("baseline", "refer_a_friend", customers=50, days=30, seed=1)


def test_responses_without_a_programme_run_and_the_new_table_is_empty():
    # without a running programme no response acts (the same on the fast engine): nothing to refuse
    tables, _ = simulate_reference("loyalty_club", "do_nothing", customers=80, days=60, seed=2)
    assert list(tables["points"].columns) == columns("points") and len(tables["points"]) == 0
    c = tables["customers"]
    assert (c["true_check_in_rate"] == 0).all() and (c["true_redeem_prob"] == 0).all()
    fast = sim.run("loyalty_club", "do_nothing", customers=80, days=60, seed=2)
    assert len(fast.points) == 0 and (fast.customers["true_check_in_rate"] == 0).all()


def test_the_reference_port_publishes_the_points_rate_and_refuses_a_ledger_later():
    import simpy

    from sim.world.reference.port import ReferencePort
    from sim.world.reference.world import World
    from sim.world.rng import Streams

    pol = sim.Policy.load("loyalty_tiers")
    world = World(simpy.Environment(), sim.Scenario.load("baseline"), 10, 30.0, Streams(0), agents=1, policy=pol)
    port = ReferencePort(world)
    port.set_programme(pol.loyalty.model_copy(update={"points_per_currency": 2.0}))
    assert world.points_per_currency == 2.0
    port.set_programme(sim.Policy().loyalty)  # programme off: no points
    assert world.points_per_currency == 0.0
    with pytest.raises(ConfigError, match="loyalty.ledger"):
        port.set_programme(pol.updated({"loyalty.ledger": True}).loyalty)
    with pytest.raises(ConfigError, match="no points ledger"):
        port.credit_points(0, 10.0, "ranking")
