"""Every scenario preset runs with every policy preset, and the firm only ever sees customers who arrived.

A regression guard for mechanisms that interact: word of mouth deters paid prospects, so the
firm's records must list the customers who actually arrived, not a range of indices (a tiering
policy once contacted a deterred prospect and crashed with ``KeyError``).
"""

from __future__ import annotations

import warnings

import pytest

import sim
from sim.config.policy import list_policies as policy_presets
from sim.config.scenario import list_presets as scenario_presets


@pytest.mark.parametrize("scenario", scenario_presets())
@pytest.mark.parametrize("policy", policy_presets())
def test_every_scenario_runs_with_every_policy(scenario: str, policy: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sim.run(scenario, policy, customers=400, days=240, seed=4)
    late = [c.name for c in sim.Policy.load(policy).campaigns if c.day >= 240]
    said = [str(w.message) for w in caught if "after the horizon" in str(w.message)]
    assert bool(said) == bool(late), (late, said)  # a campaign past the horizon is never skipped silently
    acquired = set(res.customers["customer_id"])
    for table in ("orders", "contacts", "tiers", "surveys"):
        frame = getattr(res, table)
        assert set(frame["customer_id"]) <= acquired, f"{table} names customers who never arrived"


def test_deterred_prospects_never_reach_the_firm() -> None:
    res = sim.run("retail", "vip_care", customers=1500, days=365, seed=2)
    deterred = res.events[res.events["event"] == "true_deterred"]
    assert len(deterred) > 0  # the scenario deters prospects, so the guard above is exercised
    assert len(res.contacts) > 0
