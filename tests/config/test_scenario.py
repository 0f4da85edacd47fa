"""Scenarios: presets load, round-trip through YAML, and bad input says what is wrong."""

from __future__ import annotations

import textwrap

import pytest
import yaml

import sim
from sim.config.scenario import Scenario, list_presets
from sim.errors import ConfigError


def test_presets_load_and_round_trip_through_yaml():
    assert {"baseline", "btyd_only"} <= set(list_presets())
    for name in list_presets():
        sc = Scenario.load(name)
        again = Scenario.from_dict(yaml.safe_load(sc.to_yaml()))
        assert again == sc, name


def test_btyd_only_switches_every_mechanism_off():
    sc = Scenario.load("btyd_only")
    assert not sc.satisfaction.enabled and not sc.complaints.enabled and not sc.surveys.enabled
    assert not sc.population.referral.enabled
    assert sc.population.initial_share == 1.0


def test_seed_figures_are_the_defaults():
    """P0 first response in 15 minutes and P3 resolution in 24 hours come from seed 002."""
    sla = Scenario.load("baseline").desk.sla
    assert sla["P0"].first_response_h == 0.25
    assert sla["P3"].resolution_h == 24.0


def _error(data: dict) -> str:
    with pytest.raises(ConfigError) as exc:
        Scenario.from_dict(data)
    return str(exc.value)


@pytest.mark.parametrize(
    ("data", "field", "value", "allowed"),
    [
        ({"desk": {"agentz": 3}}, "desk.agentz", "3", "unknown key"),
        ({"desk": {"agents": "many"}}, "desk.agents", "'many'", "valid integer"),
        ({"purchase": {"alpha": -2.0}}, "purchase.alpha", "-2.0", "greater than or equal to 0.001"),
        (
            {"complaints": {"quality_issue_prob": 1.5}},
            "complaints.quality_issue_prob",
            "1.5",
            "less than or equal to 1",
        ),
        ({"surveys": {"post_ticket_rate": -0.1}}, "surveys.post_ticket_rate", "-0.1", "greater than or equal to 0"),
        (
            {"complaints": {"severity_mix": {"P0": 0.5, "P1": 0.2, "P2": 0.2, "P3": 0.2}}},
            "complaints.severity_mix",
            "1.1",
            "sum to 1",
        ),
        (
            {"complaints": {"severity_mix": {"P0": 0.5, "P9": 0.5}}},
            "complaints.severity_mix",
            "P9",
            "allowed: ['P0', 'P1', 'P2', 'P3']",
        ),
        ({"population": {"channels": {"tv": {"share": 0.5, "cac": 10}}}}, "population.channels", "0.5", "sum to 1"),
        (
            {"desk": {"sla": {"P0": {"first_response_h": 2, "resolution_h": 1}}}},
            "desk.sla",
            "resolution_h",
            "first_response_h",
        ),
        ({"spend": {"q": 0.5}}, "spend.q", "0.5", "greater than 1"),
    ],
)
def test_invalid_scenarios_name_field_value_and_what_is_allowed(data, field, value, allowed):
    msg = _error(data)
    assert field in msg, msg
    assert value in msg, msg
    assert allowed in msg, msg


def test_invalid_yaml_file_names_the_file_and_field(tmp_path):
    p = tmp_path / "shop.yaml"
    p.write_text(
        textwrap.dedent("""
        name: shop
        purchase: {r: 0.5, alpha: 40, a: 1.2, b: 3}
        complaints:
          severity_mix: {P0: 0.3, P1: 0.3, P2: 0.3, P3: 0.3}
    """)
    )
    with pytest.raises(ConfigError) as exc:
        Scenario.load(p)
    assert "shop.yaml" in str(exc.value) and "complaints.severity_mix" in str(exc.value)
    assert "1.2" in str(exc.value)  # the sum it found


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ConfigError, match="presets: .*baseline"):
        Scenario.load("no_such_world")


def test_updated_validates_and_rejects_unknown_paths():
    sc = Scenario.load("baseline")
    assert sc.updated({"desk.agents": 3}).desk.agents == 3
    assert sc.desk.agents == 1  # the original is untouched
    with pytest.raises(ConfigError, match="desk has no key 'agnets'"):
        sc.updated({"desk.agnets": 3})
    with pytest.raises(ConfigError, match="desk.agents"):
        sc.updated({"desk.agents": 0})


def test_run_rejects_bad_arguments():
    with pytest.raises(ConfigError, match="customers=0"):
        sim.run("baseline", customers=0)
    with pytest.raises(ConfigError, match="days=-5"):
        sim.run("baseline", days=-5)
    with pytest.raises(ConfigError, match="seed=-1"):
        sim.run("baseline", seed=-1)
