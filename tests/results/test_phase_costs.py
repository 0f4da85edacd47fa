"""Loyalty points are priced at the rates of the policy phase in effect (chapter 10's phases)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ConfigError


def _policy(phase_value: float) -> sim.Policy:
    return sim.Policy.load("loyalty_tiers").updated(
        {
            "loyalty.point_value": 0.01,
            "loyalty.redemption_rate": 0.5,
            "phases": [{"name": "richer_points", "start_day": 120, "set": {"loyalty.point_value": phase_value}}],
        }
    )


def test_points_before_and_after_a_phase_are_priced_at_their_own_rate():
    res = sim.run("baseline", _policy(0.05), customers=300, days=240, seed=4)
    o, ct = res.orders, res.contacts
    early = o["t"].to_numpy() < 120
    points_cost = o.loc[early, "points"].sum() * 0.01 * 0.5 + o.loc[~early, "points"].sum() * 0.05 * 0.5
    expected = ct["cost"].sum() + o["discount"].sum() + points_cost
    assert o.loc[~early, "points"].sum() > 0 and o.loc[early, "points"].sum() > 0
    assert np.isclose(res.kpis()["retention_cost"], expected, rtol=1e-12)


def test_a_phase_that_keeps_the_rate_costs_what_the_base_policy_costs():
    same = sim.run("baseline", _policy(0.01), customers=300, days=240, seed=4)
    o, ct = same.orders, same.contacts
    expected = ct["cost"].sum() + o["discount"].sum() + o["points"].sum() * 0.01 * 0.5
    assert np.isclose(same.kpis()["retention_cost"], expected, rtol=1e-12)


@pytest.mark.parametrize("lever", ["loyalty.point_value", "loyalty.redemption_rate"])
def test_the_management_loop_may_not_move_a_cost_rate(lever):
    with pytest.raises(ConfigError, match="cost rate"):
        sim.Policy.load("loyalty_tiers").updated(
            {"management": {"enabled": True, "kpi": "revenue", "lever": lever, "step": 0.01}}
        )
