"""Policy phases and the management loop are validated when a policy loads.

Every phase's resulting policy is checked as a whole; errors name the phase (index and name)
and the path. The management lever must be a numeric field the firm can move.
"""

from __future__ import annotations

import datetime as dt

import pytest

import sim
from sim.config.policy_phases import Phase, get_path, phase_policies, phase_start_day, set_paths
from sim.errors import ConfigError


def _with(base: str = "vip_care", **fields) -> dict:
    d = sim.Policy.load(base).to_dict()
    d.update(fields)
    return d


def test_defaults_are_off_and_noop_stays_noop() -> None:
    pol = sim.Policy()
    assert pol.phases == [] and not pol.management.enabled
    assert sim.Policy.load("do_nothing").is_noop()
    # a base that does nothing but has a phase (or a loop) is not a no-op: the firm must run
    staged = sim.Policy.from_dict({"phases": [{"name": "p", "start_day": 10, "set": {"onboarding.enabled": True}}]})
    assert not staged.is_noop()


def test_phases_are_cumulative_and_list_items_by_index() -> None:
    d = _with(
        phases=[
            {"name": "a", "start_day": 30, "set": {"contacts.0.interval_days": 7}},
            {"name": "b", "start_day": 60, "set": {"contacts.2.channel": "sms"}},
        ]
    )
    pol = sim.Policy.from_dict(d)
    a, b = phase_policies(pol)
    assert a.contacts[0].interval_days == 7 and a.contacts[2].channel == "email"
    assert b.contacts[0].interval_days == 7 and b.contacts[2].channel == "sms"  # a's change is kept
    assert b.phases == [] and not b.management.enabled
    assert pol.contacts[0].interval_days == 30  # the base is untouched


def test_phase_start_months_are_calendar_months_from_the_start_date() -> None:
    ph = Phase(name="q2", start_month=4, set={})
    assert phase_start_day(ph, dt.date(2025, 1, 1)) == 90.0  # 1 April
    assert phase_start_day(ph, dt.date(2024, 1, 1)) == 91.0  # leap year
    assert phase_start_day(Phase(name="d", start_day=12.5, set={}), dt.date(2025, 1, 1)) == 12.5


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        ([{"name": "a", "start_day": 30, "set": {"contacts.5.interval_days": 7}}], "phases[0] (a)"),
        ([{"name": "a", "start_day": 30, "set": {"contacts.0.interval_days": 0}}], "contacts[0].interval_days"),
        ([{"name": "a", "start_day": 30, "set": {"contacts.0.tier": "platinum"}}], "'platinum'"),
        ([{"name": "a", "start_day": 30, "set": {"tiering.nope": 1}}], "has no key 'nope'"),
        (
            [{"name": "a", "start_day": 30, "set": {}}, {"name": "b", "start_day": 30, "set": {}}],
            "phases[1] (b) starts at 30, not after phases[0] (a)",
        ),
        ([{"name": "a", "start_day": 30, "set": {}}, {"name": "a", "start_day": 40, "set": {}}], "unique"),
        ([{"name": "a", "start_day": 30, "set": {}}, {"name": "b", "start_month": 3, "set": {}}], "not a mix"),
        ([{"name": "a", "start_day": 30, "start_month": 2, "set": {}}], "exactly one of start_day"),
        ([{"name": "a", "start_month": 1, "set": {}}], "start_month"),
        ([{"name": "a", "start_day": 30, "set": {"phases": []}}], "a phase inside a phase"),
        ([{"name": "a", "start_day": 30, "set": {"management.enabled": True}}], "management loop runs across"),
        ([{"name": "a", "start_day": 30, "set": {"channels.email.cost": 5}}], "the world fixes channels"),
        ([{"name": "a", "start_day": 30, "set": {"service.extra_agents": 2}}], "the world fixes service"),
        ([{"name": "a", "start_day": 30, "set": {"campaigns": []}}], "the world fixes campaigns"),
        (
            [{"name": "a", "start_day": 30, "set": {"triggers.post_order.variants": {"x": {}, "y": {}}}}],
            "triggers.post_order.variants differ",
        ),
        ([{"name": "a b", "start_day": 30, "set": {}}], "phases[0].name"),
    ],
)
def test_bad_phases_are_refused_naming_phase_and_path(phases: list, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        sim.Policy.from_dict(_with(phases=phases))
    assert expected in str(err.value)


def test_a_phase_error_names_its_index_name_and_path() -> None:
    phases = [
        {"name": "fine", "start_day": 30, "set": {}},
        {"name": "broken", "start_day": 60, "set": {"contacts.1.interval_days": -3}},
    ]
    with pytest.raises(ConfigError, match=r"phases\[1\] \(broken\): contacts\[1\]\.interval_days"):
        sim.Policy.from_dict(_with(phases=phases))


def test_management_defaults_and_validation() -> None:
    m = sim.Policy.load("kpi_ratchet").management
    assert (m.enabled, m.review_every_days, m.kpi, m.ratchet, m.lever) == (
        True,
        91.0,
        "repeat_purchase_rate",
        0.02,
        "contacts.1.interval_days",
    )
    ok = {"enabled": True, "lever": "contacts.1.interval_days", "step": -10, "lower": 30, "upper": 91}
    sim.Policy.from_dict(_with(management=ok))
    bad = [
        ({"enabled": True}, "needs a lever"),
        ({**ok, "lever": "contacts.1.channel"}, "not a number"),
        ({**ok, "lever": "contacts.9.interval_days"}, "give an index 0..2"),
        ({**ok, "lever": "offers.vip_gift.fixed_cost"}, "not a lever the firm can move"),
        ({**ok, "lever": "management.step"}, "may not point into management"),
        ({**ok, "lower": 0}, "management.lower = 0 is not a value contacts.1.interval_days accepts"),
        ({**ok, "lower": 60, "upper": 30}, "must not exceed"),
        ({**ok, "kpi": "profit"}, "management.kpi"),
        ({**ok, "review_every_days": 1}, "review_every_days"),
        ({**ok, "ratchet": -0.1}, "ratchet"),
        ({**ok, "target": float("nan")}, "target"),
    ]
    for mg, expected in bad:
        with pytest.raises(ConfigError) as err:
            sim.Policy.from_dict(_with(management=mg))
        assert expected in str(err.value), (mg, str(err.value))


def test_whole_number_lever_needs_a_whole_step() -> None:
    mg = {"enabled": True, "lever": "triggers.winback.lapse_days", "step": 5}
    sim.Policy.from_dict(_with("churn_rescue", management=mg))  # a float field: any step
    mg = {"enabled": True, "lever": "alerts.bad_review.min_answers", "step": 1.5}
    with pytest.raises(ConfigError, match="whole number"):
        sim.Policy.from_dict(_with("review_alerts", management=mg))


def test_phases_may_not_set_the_management_lever_and_the_lever_must_exist_in_every_phase() -> None:
    mg = {"enabled": True, "lever": "contacts.1.interval_days", "step": -10, "lower": 30}
    with pytest.raises(ConfigError, match="the loop owns it"):
        sim.Policy.from_dict(
            _with(management=mg, phases=[{"name": "a", "start_day": 30, "set": {"contacts.1.interval_days": 40}}])
        )
    with pytest.raises(ConfigError, match=r"phases\[0\] \(a\): management.lever"):
        sim.Policy.from_dict(
            _with(
                management=mg,
                phases=[
                    {
                        "name": "a",
                        "start_day": 30,
                        "set": {"contacts": [], "tiering.method": "none", "tiering.tiers": [], "contact_pot": {}},
                    }
                ],
            )
        )


def test_presets_load_and_round_trip_through_yaml(tmp_path) -> None:
    for name in ("staged_programme", "roadmap_12m", "kpi_ratchet"):
        pol = sim.Policy.load(name)
        path = tmp_path / f"{name}.yaml"
        path.write_text(pol.to_yaml())
        assert sim.Policy.load(path) == pol
    assert [p.name for p in sim.Policy.load("roadmap_12m").phases] == ["tiers_and_ab_test", "health_alerts"]
    assert [p.start_month for p in sim.Policy.load("staged_programme").phases] == [4]


def test_set_paths_and_get_path() -> None:
    data = {"a": [{"b": 1}], "channels": {"email": 1}}
    assert set_paths(data, {"a.0.b": 2}, what="x") == {"a": [{"b": 2}], "channels": {"email": 1}}
    assert data["a"][0]["b"] == 1  # a copy
    assert set_paths(data, {"channels.sms": 3}, what="x")["channels"] == {"email": 1, "sms": 3}  # open mapping
    assert get_path(data, "a.0.b") == 1
    with pytest.raises(ConfigError, match="give an index 0..0"):
        set_paths(data, {"a.1.b": 2}, what="x")
    with pytest.raises(ConfigError, match="has no key 'c'"):
        get_path(data, "a.0.c")
