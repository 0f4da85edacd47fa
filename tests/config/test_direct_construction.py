"""Building a scenario or policy directly, or assigning a field, gives the same clear ConfigError as
loading one: the field, the value and what is allowed (never pydantic's raw ValidationError)."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ConfigError


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: sim.Policy(name=3), "name"),
        (lambda: sim.Policy(loyalty={"ledger": "maybe"}), "loyalty.ledger"),
        (lambda: sim.Scenario(population={"customers": float("nan")}), "population.customers"),
        (lambda: sim.Scenario(desk={"agents": -1}), "desk.agents"),
        (lambda: sim.Scenario(nonsense=1), "nonsense"),
    ],
)
def test_direct_construction_names_the_whole_path(build, field):
    with pytest.raises(ConfigError) as err:
        build()
    msg = str(err.value)
    assert f"  - {field}:" in msg and msg.count("invalid ") == 1, msg


def test_assignment_is_validated_and_names_the_field():
    pol = sim.Policy.load("points_club")
    with pytest.raises(ConfigError, match=r"ledger: value 'maybe' is not allowed"):
        pol.loyalty.ledger = "maybe"  # type: ignore[assignment]
    assert pol.loyalty.ledger is True  # unchanged


def test_valid_direct_construction_still_works():
    assert sim.Scenario(desk={"agents": 3}).desk.agents == 3
    assert sim.Policy(name="mine").name == "mine"
