"""Malformed input on the configuration entry points of issue 13 (chapters 06-08): service
operations, churn early warning, messaging / variants / bandit / holidays, campaigns and the
counterfactual-uplift truth, their presets, YAML files and the CLI.

House rule: bad input raises a :mod:`sim.errors` error that names the field and what is allowed --
never a raw pydantic / yaml / numpy / simpy traceback, never silently accepted garbage; every
number has a documented limit in the one limits table; every valid combination runs on the fast
engine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config import counterfactual, limits, messaging, policy_campaigns, scenario
from sim.config.ranges import field_ranges
from sim.errors import ConfigError

NAN, INF = float("nan"), float("inf")
LONG = "x" * 5000


def _refused(make, *fragments: str) -> str:
    """``make()`` raises a ConfigError whose message names every fragment (field, value, rule)."""
    with pytest.raises(ConfigError) as exc:
        make()
    msg = str(exc.value)
    for f in fragments:
        assert f in msg, f"{f!r} not named in: {msg}"
    assert "errors.pydantic.dev" not in msg and "Traceback" not in msg
    assert max(len(line) for line in msg.splitlines()) < 600
    return msg


# ---------------------------------------------------------------------------- scenario fields
BAD_SCENARIO = [
    # complaints.channel_mix
    ({"complaints.channel_mix": {"phone": NAN, "chat": 1.0}}, "channel_mix.phone"),
    ({"complaints.channel_mix": {"phone": INF}}, "channel_mix.phone"),
    ({"complaints.channel_mix": {"phone": -0.5, "chat": 1.5}}, "channel_mix"),
    ({"complaints.channel_mix": {"phone": 0.0}}, "sum to 1"),
    ({"complaints.channel_mix": {"phone": 0.5, "chat": 0.3}}, "sum to 1"),
    ({"complaints.channel_mix": {"fax": 1.0}}, "fax"),
    ({"complaints.channel_mix": {"auto": 1.0}}, "auto"),  # proactive tickets are not an intake choice
    ({"complaints.channel_mix": None}, "complaints.channel_mix"),
    ({"complaints.channel_mix": {"phone": True}}, "true/false"),
    # complaints.chaser_rate_per_day
    ({"complaints.chaser_rate_per_day": NAN}, "chaser_rate_per_day"),
    ({"complaints.chaser_rate_per_day": INF}, "chaser_rate_per_day"),
    ({"complaints.chaser_rate_per_day": -1}, "chaser_rate_per_day"),
    ({"complaints.chaser_rate_per_day": limits.MAX_CHASER_RATE * 1.01}, "chaser_rate_per_day"),
    ({"complaints.chaser_rate_per_day": "often"}, "chaser_rate_per_day"),
    # complaints.acceptance
    ({"complaints.acceptance.base": NAN}, "acceptance.base"),
    ({"complaints.acceptance.base": 1.5}, "acceptance.base"),
    ({"complaints.acceptance.base": 0.0, "complaints.acceptance.enabled": True}, "acceptance.base"),  # logit(0)
    ({"complaints.acceptance.base": 1.0, "complaints.acceptance.enabled": True}, "acceptance.base"),  # logit(1)
    ({"complaints.acceptance.slope": INF}, "acceptance.slope"),
    ({"complaints.acceptance.slope": -1}, "acceptance.slope"),
    ({"complaints.acceptance.slope": 1e6}, "acceptance.slope"),
    ({"complaints.acceptance": None}, "complaints.acceptance"),
    ({"complaints.acceptance.nosuch": 1}, "nosuch"),
    ({"complaints.acceptance.enabled": "maybe"}, "acceptance.enabled"),
    # desk
    ({"desk.channel_first_response_h": {"phone": NAN}}, "channel_first_response_h.phone"),
    ({"desk.channel_first_response_h": {"phone": -1}}, "channel_first_response_h.phone"),
    ({"desk.channel_first_response_h": {"phone": 0}}, "channel_first_response_h.phone"),
    ({"desk.channel_first_response_h": {"phone": 1e9}}, "channel_first_response_h.phone"),
    ({"desk.channel_first_response_h": {"fax": 1}}, "fax"),
    ({"desk.channel_first_response_h": None}, "desk.channel_first_response_h"),
    ({"desk.agent_skill_sd": NAN}, "desk.agent_skill_sd"),
    ({"desk.agent_skill_sd": -0.1}, "desk.agent_skill_sd"),
    ({"desk.agent_skill_sd": 100}, "desk.agent_skill_sd"),
    # satisfaction effects
    ({"satisfaction.effects.chaser": NAN}, "effects.chaser"),
    ({"satisfaction.effects.chaser": -11}, "effects.chaser"),
    ({"satisfaction.effects.proactive": INF}, "effects.proactive"),
    ({"satisfaction.effects.proactive": 11}, "effects.proactive"),
    # surveys.exit
    ({"surveys.exit.response_rate": NAN}, "exit.response_rate"),
    ({"surveys.exit.response_rate": 1.5}, "exit.response_rate"),
    ({"surveys.exit.truthful": -0.1}, "exit.truthful"),
    ({"surveys.exit.stated_mix": {}}, "stated_mix"),
    ({"surveys.exit.stated_mix": {"price": 0.5}}, "sum to 1"),
    ({"surveys.exit.stated_mix": {"price": NAN, "product": 1.0}}, "stated_mix.price"),
    ({"surveys.exit.stated_mix": {"nosuch": 1.0}}, "nosuch"),
    ({"surveys.exit": None}, "surveys.exit"),
    ({"surveys.exit": {"enabled": True, "stated_mix": None}}, "stated_mix"),
    # churn.winback_response
    ({"churn.winback_response": {"price": {"discount": NAN}}}, "winback_response.price.discount"),
    ({"churn.winback_response": {"price": {"discount": INF}}}, "winback_response.price.discount"),
    ({"churn.winback_response": {"price": {"discount": -1}}}, "winback_response.price.discount"),
    ({"churn.winback_response": {"price": {"discount": 1e9}}}, "winback_response.price.discount"),
    ({"churn.winback_response": {"price": {"discount": True}}}, "true/false"),
    ({"churn.winback_response": {"nosuch": {"discount": 2}}}, "nosuch"),
    ({"churn.winback_response": {"price": {"nosuch": 2}}}, "nosuch"),
    ({"churn.winback_response": {"price": None}}, "winback_response.price"),
    ({"churn.winback_response": None}, "churn.winback_response"),
    # uplift
    ({"uplift.outcome_days": NAN}, "uplift.outcome_days"),
    ({"uplift.outcome_days": 0}, "uplift.outcome_days"),
    ({"uplift.outcome_days": 1e9}, "uplift.outcome_days"),
    ({"uplift.replays": 0}, "uplift.replays"),
    ({"uplift.replays": 10**9}, "uplift.replays"),
    ({"uplift.replays": 2.5}, "uplift.replays"),
    ({"uplift.replays": True}, "true/false"),
    ({"uplift": None}, "uplift"),
    # messaging
    ({"messaging.channel_affinity_sd": NAN}, "channel_affinity_sd"),
    ({"messaging.channel_affinity_sd": -1}, "channel_affinity_sd"),
    ({"messaging.channel_affinity_sd": 1e3}, "channel_affinity_sd"),
    ({"messaging.effects": {"font": {}}}, "font"),
    ({"messaging.effects": {"copy": {"x": {"open_shift": NAN}}}}, "open_shift"),
    ({"messaging.effects": {"copy": {"x": {"open_shift": 1e6}}}}, "open_shift"),
    ({"messaging.effects": {"copy": {"x": {"nosuch": 1}}}}, "nosuch"),
    ({"messaging.effects": {"copy": {"": {"open_shift": 1}}}}, "1 to 40"),
    ({"messaging.effects": {"copy": {LONG: {"open_shift": 1}}}}, "1 to 40"),
    ({"messaging.effects": {"copy": None}}, "messaging.effects.copy"),
    ({"messaging.effects": {"copy": {"x": None}}}, "messaging.effects.copy.x"),
    ({"messaging.effects": {"channel": {"fax": {"open_shift": 1}}}}, "fax"),  # was accepted: never applies
    ({"messaging": None}, "messaging"),
]


@pytest.mark.parametrize(("changes", "names"), BAD_SCENARIO, ids=lambda x: str(x)[:60])
def test_bad_scenario_fields_are_refused_naming_the_field(changes, names):
    msg = _refused(lambda: sim.Scenario.load("baseline").updated(changes), names)
    assert LONG not in msg


def test_uplift_in_a_subscription_world_is_refused_when_configured():
    for make in (
        lambda: sim.Scenario.load("subscription").updated({"uplift.enabled": True}),
        lambda: sim.Scenario.load("messaging").updated({"subscription.enabled": True}),
        lambda: sim.Scenario.from_dict({"subscription": {"enabled": True}, "uplift": {"enabled": True}}),
    ):
        _refused(make, "uplift.enabled", "subscription")


GOOD_SCENARIO = [
    {"churn.winback_response": {"price": {}}},  # missing kinds multiply by 1.0
    {"churn.winback_response": {"price": {"discount": limits.MAX_WINBACK_MULTIPLIER}}},
    {"complaints.acceptance.enabled": True, "complaints.acceptance.base": 1e-3},
    {"complaints.acceptance.enabled": True, "complaints.acceptance.base": 1 - 1e-3},
    {"complaints.chaser_rate_per_day": limits.MAX_CHASER_RATE},
    {"desk.channel_first_response_h": {"phone": 0.01, "social": limits.MAX_HOURS}},
    {"messaging.enabled": True},  # on without effects: nothing to shift
    {"messaging.effects": {"channel": {"sms": {"open_shift": -limits.MAX_MESSAGE_SHIFT}}}},
    {"uplift.replays": limits.MAX_REPLAYS, "uplift.outcome_days": limits.MAX_DAYS},
]


@pytest.mark.parametrize("changes", GOOD_SCENARIO, ids=lambda x: str(x)[:60])
def test_valid_edge_values_are_accepted_and_round_trip(changes):
    sc = sim.Scenario.load("baseline").updated(changes)
    assert sim.Scenario.from_dict(sc.to_dict()) == sc


# ---------------------------------------------------------------------------- policy levers
CAMPAIGN = {"name": "spring", "day": 30}
BAD_POLICY = [
    # service.process
    (None, {"service.process.enabled": True, "service.process.routing.product": "nosuch"}, "nosuch"),
    (None, {"service.process.routing": {"nosuchcause": "technical"}}, "nosuchcause"),
    (None, {"service.process.enabled": True, "service.process.routing": {}}, "route every one"),
    (None, {"service.process.enabled": True, "service.process.departments": {}}, "unknown department"),
    (None, {"service.process.departments.technical.agents": 0}, "departments.technical.agents"),
    (None, {"service.process.departments.technical.agents": -1}, "departments.technical.agents"),
    (None, {"service.process.departments.technical.agents": 10**7}, "departments.technical.agents"),
    (None, {"service.process.departments.technical.agents": 1.5}, "departments.technical.agents"),
    (None, {"service.process.departments.technical.agents": NAN}, "departments.technical.agents"),
    (None, {"service.process.departments.technical.mean_h": NAN}, "departments.technical.mean_h"),
    (None, {"service.process.departments.technical.mean_h": 0}, "departments.technical.mean_h"),
    (None, {"service.process.departments.technical.mean_h": 1e9}, "departments.technical.mean_h"),
    (None, {"service.process.departments.technical": None}, "departments.technical"),
    (None, {"service.process.departments": {LONG: {}}}, "1 to 40"),  # every ticket row repeats it
    (None, {"service.process.departments": {" ": {}}}, "not blank"),
    (None, {"service.process.triage_h": NAN}, "triage_h"),
    (None, {"service.process.triage_h": 0}, "triage_h"),
    (None, {"service.process.triage_h": 1e9}, "triage_h"),
    (None, {"service.process": None}, "service.process"),
    # emergency team, knowledge base, auto detection
    (None, {"service.emergency_team.agents": 0}, "emergency_team.agents"),
    (None, {"service.emergency_team.agents": NAN}, "emergency_team.agents"),
    (None, {"service.emergency_team.start_h": -1}, "emergency_team.start_h"),
    (None, {"service.emergency_team.start_h": NAN}, "emergency_team.start_h"),
    (None, {"service.emergency_team.mean_h": INF}, "emergency_team.mean_h"),
    (None, {"service.knowledge_base.max_reduction": 1.5}, "max_reduction"),
    (None, {"service.knowledge_base.max_reduction": NAN}, "max_reduction"),
    (None, {"service.knowledge_base.half_tickets": 0}, "half_tickets"),
    (None, {"service.knowledge_base.half_tickets": INF}, "half_tickets"),
    (None, {"service.auto_detect": NAN}, "auto_detect"),
    (None, {"service.auto_detect": 1.1}, "auto_detect"),
    (None, {"service.auto_detect": -0.1}, "auto_detect"),
    (None, {"service.auto_detect": True}, "true/false"),
    # offers.*.kind, triggers.*.score / model
    ("churn_rescue", {"offers.rescue_coupon.kind": "nosuch"}, "offers.rescue_coupon.kind"),
    ("churn_rescue", {"offers.rescue_coupon.kind": None}, "offers.rescue_coupon.kind"),
    ("churn_rescue", {"triggers.churn_risk.score": "nosuch"}, "triggers.churn_risk.score"),
    ("churn_rescue", {"triggers.churn_risk.model.kind": "nosuch"}, "model.kind"),
    ("churn_rescue", {"triggers.churn_risk.model.label_days": 0}, "model.label_days"),
    ("churn_rescue", {"triggers.churn_risk.model.label_days": NAN}, "model.label_days"),
    ("churn_rescue", {"triggers.churn_risk.model.label_days": 1e9}, "model.label_days"),
    ("churn_rescue", {"triggers.churn_risk.model.refit_every_days": 0}, "model.refit_every_days"),
    ("churn_rescue", {"triggers.churn_risk.model.min_customers": 0}, "model.min_customers"),
    ("churn_rescue", {"triggers.churn_risk.model.min_customers": 10**9}, "model.min_customers"),
    ("churn_rescue", {"triggers.churn_risk.model": None}, "triggers.churn_risk.model"),
    ("churn_rescue", {"triggers.churn_risk.model.nosuch": 1}, "nosuch"),
    # a daily model / health check builds every customer's features every day: a run of hours
    ("model_alerts", {"triggers.churn_risk.check_every_days": 1}, "check_every_days", "at least 7"),
    ("health_alerts", {"triggers.churn_risk.check_every_days": 6.9}, "check_every_days", "at least 7"),
    # campaigns
    (None, {"campaigns": [dict(CAMPAIGN, day=-1)]}, "campaigns[0].day"),
    (None, {"campaigns": [dict(CAMPAIGN, day=NAN)]}, "campaigns[0].day", "finite"),
    (None, {"campaigns": [dict(CAMPAIGN, day=INF)]}, "campaigns[0].day"),
    (None, {"campaigns": [dict(CAMPAIGN, day=1e9)]}, "campaigns[0].day"),
    (None, {"campaigns": [CAMPAIGN, dict(CAMPAIGN, day=60)]}, "unique", "spring"),
    (None, {"campaigns": [dict(CAMPAIGN, offer="nosuch")]}, "campaigns[0]", "nosuch"),
    (None, {"campaigns": [dict(CAMPAIGN, channel="fax")]}, "campaigns[0].channel"),
    (None, {"campaigns": [dict(CAMPAIGN, holdout=1.0)]}, "campaigns[0].holdout"),  # was accepted: sends nothing
    (None, {"campaigns": [dict(CAMPAIGN, holdout=1.5)]}, "campaigns[0].holdout"),
    (None, {"campaigns": [dict(CAMPAIGN, holdout=NAN)]}, "campaigns[0].holdout"),
    (None, {"campaigns": [dict(CAMPAIGN, name="")]}, "campaigns[0].name"),
    (None, {"campaigns": [dict(CAMPAIGN, name="a b")]}, "campaigns[0].name"),
    (None, {"campaigns": [dict(CAMPAIGN, name=LONG)]}, "campaigns[0].name"),
    (None, {"campaigns": [{"day": 10}]}, "campaigns[0].name"),
    (None, {"campaigns": [{"name": "a"}]}, "campaigns[0].day"),
    (None, {"campaigns": [dict(CAMPAIGN, audience="all")]}, "campaigns[0].audience"),
    (None, {"campaigns": [dict(CAMPAIGN, recent_days=0)]}, "campaigns[0].recent_days"),
    (None, {"campaigns": [dict(CAMPAIGN, name=f"c{i}") for i in range(101)]}, "campaigns", "100"),
    (None, {"campaigns": None}, "campaigns"),
    (None, {"campaigns": {"a": 1}}, "campaigns"),
    (None, {"campaigns": [None]}, "campaigns[0]"),
    # channels, variants, allocation
    (None, {"channels.email.click_rate": NAN}, "channels.email.click_rate"),
    (None, {"channels.email.click_rate": 1.5}, "channels.email.click_rate"),
    (None, {"channels.email.click_rate": -1}, "channels.email.click_rate"),
    ("ab_test", {"triggers.post_order.variants.morning_product.send_time": ""}, "send_time"),
    ("ab_test", {"triggers.post_order.variants.morning_product.send_time": LONG}, "send_time"),
    ("ab_test", {"triggers.post_order.variants.morning_product.copy": 3}, "copy"),
    ("ab_test", {"triggers.post_order.variants.morning_product.image": NAN}, "image"),
    ("ab_test", {"triggers.post_order.variants.morning_product.nosuch": "x"}, "nosuch"),
    ("ab_test", {"triggers.post_order.variants.morning_product.offer": "nosuch"}, "nosuch"),
    ("ab_test", {"triggers.post_order.variants.morning_product.channel": "fax"}, "channel"),
    ("ab_test", {"triggers.post_order.variants": {}}, "split keys"),
    ("ab_test", {"triggers.post_order.split.morning_product": NAN}, "split.morning_product"),
    ("ab_test", {"triggers.post_order.allocation": "greedy"}, "allocation"),
    ("ab_test", {"triggers.post_order.reward": "revenue"}, "reward"),
    ("bandit", {"triggers.post_order.variants": {"only": {"send_time": "evening"}}}, "at least 2", "1 given"),
    ("bandit", {"triggers.post_order.variants": {}}, "needs variants"),
    (None, {"triggers.churn_risk.allocation": "thompson"}, "needs variants"),
    ("bandit", {"triggers.post_order.split": {"morning_product": 1.0}}, "split keys"),
    # holiday dates
    (None, {"triggers.holiday.dates": ["02-30"]}, "02-30", "MM-DD"),
    (None, {"triggers.holiday.dates": ["13-01"]}, "13-01", "MM-DD"),
    (None, {"triggers.holiday.dates": ["2-3"]}, "2-3", "MM-DD"),
    (None, {"triggers.holiday.dates": ["00-10"]}, "00-10"),
    (None, {"triggers.holiday.dates": ["12-00"]}, "12-00"),
    (None, {"triggers.holiday.dates": ["+1-01"]}, "+1-01"),
    (None, {"triggers.holiday.dates": ["\uff11\uff12-\uff12\uff14"]}, "MM-DD"),  # full-width digits
    (None, {"triggers.holiday.dates": ["12-24", "02-14", "12-24"]}, "12-24", "more than once"),
    (None, {"triggers.holiday.dates": [], "triggers.holiday.enabled": True}, "at least one date"),
    (None, {"triggers.holiday.dates": [1224]}, "triggers.holiday.dates[0]"),
    (None, {"triggers.holiday.dates": [None]}, "triggers.holiday.dates[0]"),
    (None, {"triggers.holiday.dates": "12-24"}, "triggers.holiday.dates"),
    (None, {"triggers.holiday.dates": [LONG]}, "MM-DD"),
    (None, {"triggers.holiday.dates": ["01-01"] * 400}, "triggers.holiday.dates"),
]


@pytest.mark.parametrize(
    ("base", "changes", "names"), [(b, c, n) for b, c, *n in BAD_POLICY], ids=lambda x: str(x)[:60]
)
def test_bad_policy_levers_are_refused_naming_the_field(base, changes, names):
    msg = _refused(lambda: sim.Policy.load(base or "do_nothing").updated(changes), *names)
    assert LONG not in msg


GOOD_POLICY = [
    ("do_nothing", {"service.knowledge_base.enabled": True, "service.knowledge_base.max_reduction": 1.0}),
    ("do_nothing", {"triggers.holiday.enabled": True, "triggers.holiday.dates": ["02-29"]}),  # leap years only
    ("do_nothing", {"campaigns": [dict(CAMPAIGN, holdout=0.999)]}),
    ("do_nothing", {"channels.email.click_rate": None}),
    ("ab_test", {"triggers.post_order.allocation": "thompson"}),  # the split is then unused
    ("model_alerts", {"triggers.churn_risk.check_every_days": limits.MIN_SCORE_CHECK_DAYS}),
    ("service_process", {"service.process.departments.technical.agents": 1}),
]


@pytest.mark.parametrize(("base", "changes"), GOOD_POLICY, ids=lambda x: str(x)[:60])
def test_valid_policy_edge_values_are_accepted_and_round_trip(base, changes):
    pol = sim.Policy.load(base).updated(changes)
    assert sim.Policy.from_dict(pol.to_dict()) == pol


NEW_POLICIES = [
    "service_process",
    "proactive_service",
    "model_alerts",
    "health_alerts",
    "winback_by_reason",
    "uplift_test",
    "ab_test",
    "bandit",
    "holiday_care",
]
NEW_SCENARIOS = ["service_ops", "churn_watch", "messaging"]


@pytest.mark.parametrize("name", NEW_SCENARIOS + NEW_POLICIES)
def test_new_presets_round_trip_and_refuse_a_broken_edit(name):
    if name in NEW_SCENARIOS:
        sc = sim.Scenario.load(name)
        assert sim.Scenario.from_dict(sc.to_dict()) == sc
        _refused(lambda: sc.updated({"complaints.channel_mix": {"phone": 2.0}}), "channel_mix.phone")
    else:
        pol = sim.Policy.load(name)
        assert sim.Policy.from_dict(pol.to_dict()) == pol
        _refused(lambda: pol.updated({"campaigns": [CAMPAIGN, CAMPAIGN]}), "unique")


# ---------------------------------------------------------------------------- YAML files and the CLI
YAML_FILES = {
    "dup channel_mix": ("scenario", "complaints:\n  channel_mix: {phone: 0.5, phone: 0.5}\n", "duplicate key"),
    "dup reason": (
        "scenario",
        "churn:\n  winback_response:\n    price: {discount: 2}\n    price: {gift: 2}\n",
        "duplicate key",
    ),
    "dup level": (
        "scenario",
        "messaging:\n  effects:\n    copy:\n      a: {open_shift: 1}\n      a: {open_shift: 2}\n",
        "duplicate key",
    ),
    "nan chaser": ("scenario", "complaints:\n  chaser_rate_per_day: .nan\n", "chaser_rate_per_day"),
    "inf skill": ("scenario", "desk:\n  agent_skill_sd: .inf\n", "agent_skill_sd"),
    "exit list": ("scenario", "surveys:\n  exit: [1]\n", "surveys.exit"),
    "replays word": ("scenario", "uplift:\n  replays: many\n", "uplift.replays"),
    "effects null": ("scenario", "messaging:\n  effects: null\n", "messaging.effects"),
    "uplift subscription": ("scenario", "subscription: {enabled: true}\nuplift: {enabled: true}\n", "subscription"),
    "dup department": (
        "policy",
        "service:\n  process:\n    departments:\n      a: {agents: 1, mean_h: 1}\n      a: {agents: 2, mean_h: 1}\n",
        "duplicate key",
    ),
    "dup campaign key": ("policy", "campaigns:\n  - {name: a, day: 10, day: 20}\n", "duplicate key"),
    "dup variant": (
        "policy",
        "triggers:\n  post_order:\n    variants:\n      a: {copy: x}\n      a: {copy: y}\n",
        "duplicate key",
    ),
    "sexagesimal date": (
        "policy",
        "triggers:\n  holiday: {enabled: true, dates: [12:24]}\n",
        "triggers.holiday.dates[0]",
    ),
    "campaign nan day": ("policy", "campaigns:\n  - {name: a, day: .nan}\n", "campaigns[0].day"),
    "campaign date day": ("policy", "campaigns:\n  - {name: a, day: 2025-01-01}\n", "campaigns[0].day"),
    "kind yes": ("policy", "offers:\n  o: {kind: yes}\n", "offers.o.kind"),
    "campaigns mapping": ("policy", "campaigns: {a: 1}\n", "campaigns"),
}


@pytest.mark.parametrize("case", list(YAML_FILES))
def test_malformed_yaml_files_are_refused(case, tmp_path):
    kind, text, names = YAML_FILES[case]
    path = tmp_path / f"{kind}.yaml"
    path.write_text("name: probe\n" + text, encoding="utf-8")
    load = sim.Scenario.load if kind == "scenario" else sim.Policy.load
    _refused(lambda: load(path), names)


def test_an_unquoted_holiday_date_is_read_as_the_date(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("name: probe\ntriggers:\n  holiday: {enabled: true, dates: [12-24, 02-14]}\n", encoding="utf-8")
    pol = sim.Policy.load(path)
    assert pol.triggers.holiday.dates == ["12-24", "02-14"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("flag", "text", "names"),
    [
        ("-s", "complaints:\n  acceptance: {enabled: true, base: 1.0}\n", "acceptance.base"),
        ("-p", "triggers:\n  holiday: {enabled: true, dates: ['02-30']}\n", "02-30"),
    ],
)
def test_cli_reports_bad_files_without_a_traceback(flag, text, names, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: probe\n" + text, encoding="utf-8")
    args = [sys.executable, "-m", "sim", "run", flag, str(path), "-c", "50", "-d", "30"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=110, cwd=Path(__file__).parents[2])
    assert out.returncode != 0
    assert "Traceback" not in out.stderr + out.stdout
    assert names in out.stderr + out.stdout


# ---------------------------------------------------------------------------- limits: one table
def test_the_new_limits_live_in_the_one_limits_table():
    owners = {
        scenario: ["MAX_WINBACK_MULTIPLIER"],
        counterfactual: ["MAX_REPLAYS"],
        policy_campaigns: ["MAX_CAMPAIGNS"],
        messaging: ["MAX_MESSAGE_SHIFT", "MAX_AFFINITY_SD", "MAX_LEVEL_NAME"],
    }
    for module, names in owners.items():
        for name in names:
            assert getattr(module, name) is getattr(limits, name) and name in limits.__all__
    rows = {r.path: r.allowed for r in field_ranges("scenario")}
    assert rows["churn.winback_response.*.*"] == f"[0, {limits.MAX_WINBACK_MULTIPLIER:g}]"
    assert rows["complaints.chaser_rate_per_day"] == f"[0, {limits.MAX_CHASER_RATE:g}]"
    assert rows["uplift.replays"] == f"[1, {limits.MAX_REPLAYS}]"
    assert rows["complaints.acceptance.base"] == "(0, 1)"
    prows = {r.path: r.allowed for r in field_ranges("policy")}
    assert prows["campaigns[].holdout"] == "[0, 1)"
    # every new numeric field has a finite documented range
    new = ("complaints.", "desk.channel", "desk.agent", "surveys.exit", "churn.winback", "uplift.", "messaging.")
    for r in field_ranges("scenario"):
        if r.path.startswith(new):
            assert "…" not in r.allowed and r.unit, r
    pnew = ("service.process", "service.emergency", "service.knowledge", "service.auto", "campaigns", "triggers.")
    for r in field_ranges("policy"):
        if r.path.startswith(pnew):
            assert "…" not in r.allowed and r.unit, r


# ---------------------------------------------------------------------------- valid combinations run
RUNS = [
    ("service_ops", None, {}, {}),
    ("service_ops", "service_process", {}, {}),
    ("service_ops", "proactive_service", {}, {"service.auto_detect": 1.0}),
    ("churn_watch", "winback_by_reason", {}, {}),
    ("churn_watch", "model_alerts", {}, {}),
    ("churn_watch", "health_alerts", {}, {}),
    ("messaging", "ab_test", {}, {}),
    ("messaging", "bandit", {}, {}),
    ("messaging", "holiday_care", {}, {}),
    ("messaging", "uplift_test", {}, {"campaigns": [{"name": "early", "day": 100, "holdout": 0.5}]}),
    ("messaging", "service_process", {}, {}),
    ("subscription", "holiday_care", {}, {}),
    ("subscription", "model_alerts", {}, {}),
    ("retail", "ab_test", {"messaging.enabled": True, "messaging.channel_affinity_sd": limits.MAX_AFFINITY_SD}, {}),
    # extreme but valid: the chaser limit keeps tickets bounded; a 1-agent department under load finishes
    ("service_ops", "service_process", {"complaints.chaser_rate_per_day": limits.MAX_CHASER_RATE}, {}),
    (
        "service_ops",
        "service_process",
        {"complaints.acceptance.base": 1e-3},
        {"service.process.departments.technical.mean_h": 200.0},
    ),
    # a model that can never be fitted (label window beyond the horizon) falls back to recency
    ("baseline", "model_alerts", {}, {"triggers.churn_risk.model.label_days": limits.MAX_DAYS}),
    # click rate below the convert rate counts as the convert rate (documented): converted implies clicked
    ("messaging", "ab_test", {}, {"channels.sms.click_rate": 0.0}),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("scenario_name", "policy", "sc_changes", "pol_changes"), RUNS, ids=lambda x: str(x)[:40])
def test_every_valid_combination_runs_on_the_fast_engine(scenario_name, policy, sc_changes, pol_changes):
    sc = sim.Scenario.load(scenario_name).updated(sc_changes)
    pol = sim.Policy.load(policy).updated(pol_changes) if policy else None
    res = sim.run(sc, pol, customers=300, days=200, seed=11)
    cust, orders, tickets, contacts = res.customers, res.orders, res.tickets, res.contacts
    assert len(cust) >= 250 and len(orders) >= len(cust)
    assert np.isfinite(orders.amount).all() and np.isfinite(cust.true_clv).all()
    # tickets: chasers and reopenings point at earlier tickets of the same customer
    ids = tickets.set_index("ticket_id")
    for col in ("chaser_of", "reopened_from"):
        ref = tickets[tickets[col] >= 0]
        assert ref[col].isin(ids.index).all() and (ref[col] < ref.ticket_id).all()
        assert (ids.loc[ref[col], "customer_id"].to_numpy() == ref.customer_id.to_numpy()).all()
    assert tickets.accepted.isna().all() or set(tickets.accepted.dropna()) <= {0.0, 1.0}
    if len(contacts):
        assert (contacts.clicked | ~contacts.converted).all() and (contacts.opened | ~contacts.clicked).all()
        p = contacts[["true_open_prob", "true_convert_prob"]].to_numpy()
        assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
        assert (contacts.true_best_convert_prob >= contacts.true_convert_prob - 1e-12).all()
    if policy == "holiday_care" and sim.Policy.load(policy).triggers.holiday.enabled:
        hol = contacts[contacts.campaign == "holiday"]
        assert len(hol) and set(pd.to_datetime(hol.date).dt.strftime("%m-%d")) <= {"02-14", "11-11", "12-24"}
    if sc.uplift.enabled and len(contacts):
        assert len(res.uplift) >= len(contacts) and np.isfinite(res.uplift.true_uplift_order).all()


@pytest.mark.timeout(60)
def test_the_chaser_limit_bounds_the_ticket_log():
    """At the largest chaser rate a heavily loaded desk logs at most rate x excess wait chasers per
    ticket; the count scales with the rate (10x the rate -> about 10x the chasers), not faster."""
    sc = sim.Scenario.load("service_ops")
    counts = {}
    for rate in (limits.MAX_CHASER_RATE / 10, limits.MAX_CHASER_RATE):
        t = sim.run(
            sc.updated({"complaints.chaser_rate_per_day": rate}), "service_process", customers=200, days=120, seed=2
        ).tickets
        counts[rate] = (t.chaser_of >= 0).sum()
        originals = t[t.chaser_of < 0].set_index("ticket_id")
        chasers = t[t.chaser_of >= 0]
        # every chaser waits inside its original's first-response wait
        first = originals.loc[chasers.chaser_of, "first_response_t"].to_numpy()
        assert (chasers.opened_t.to_numpy() <= np.nan_to_num(first, nan=np.inf) + 1e-9).all()
    low, high = counts[limits.MAX_CHASER_RATE / 10], counts[limits.MAX_CHASER_RATE]
    assert low > 0 and high < 30 * max(low, 1)
