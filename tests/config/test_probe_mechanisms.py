"""Malformed input on the entry points of issue 12: the lifecycle mechanisms, the survey and funnel
fields, the new policy levers and presets, the CLI, and result folders with the new tables.

House rule: bad input raises a :mod:`sim.errors` error that names the field (or table, file,
column) and what is allowed -- never a raw pydantic / numpy / pandas traceback, never silently
accepted garbage -- and every valid combination runs on the fast engine.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim._atomic.manifest import file_entry
from sim.config import limits, mechanisms
from sim.config.ranges import field_ranges
from sim.errors import ConfigError, DataError

NAN, INF = float("nan"), float("inf")
BASE = {name: sim.Scenario.load(name) for name in ("baseline", "retail", "subscription")}
NO_POLICY = sim.Policy.load("do_nothing")
TWO_TIERS = {"tiering.method": "rfm", "tiering.tiers": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}]}


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
    # catalogue
    ("retail", {"catalogue.extra_lines_mean": NAN}, "catalogue.extra_lines_mean"),
    ("retail", {"catalogue.extra_lines_mean": INF}, "catalogue.extra_lines_mean"),
    ("retail", {"catalogue.extra_lines_mean": -1}, "catalogue.extra_lines_mean"),
    ("retail", {"catalogue.extra_lines_mean": 1e9}, "catalogue.extra_lines_mean"),
    ("retail", {"catalogue.preference_concentration": 0}, "catalogue.preference_concentration"),
    ("retail", {"catalogue.categories": {}}, "catalogue.categories"),
    ("retail", {"catalogue.categories": None}, "catalogue.categories"),
    ("retail", {"catalogue.categories.electronics.popularity": 0.5}, "sum to 1"),
    ("retail", {"catalogue.categories.electronics.popularity": NAN}, "popularity"),
    ("retail", {"catalogue.categories.electronics.price_level": 0}, "price_level"),
    ("retail", {"catalogue.categories.electronics.price_level": 1e6}, "price_level"),
    ("retail", {"catalogue.categories.electronics.margin_rate": 1.5}, "margin_rate"),
    ("retail", {"catalogue.companions.electronics": {"nosuch": 0.5}}, "nosuch"),
    ("retail", {"catalogue.companions.nosuch": {"home": 0.5}}, "nosuch"),
    ("retail", {"catalogue.companions.electronics": {"electronics": 0.5}}, "itself"),
    ("retail", {"catalogue.companions.electronics": {"accessories": 0.7, "home": 0.5}}, "at most 1"),
    ("retail", {"catalogue.companions.electronics": {"accessories": NAN}}, "accessories"),
    ("retail", {"catalogue.companions": None}, "catalogue.companions"),
    ("retail", {"catalogue.categories": {"a|b": {"price_level": 1, "margin_rate": 0.3, "popularity": 1.0}}}, "'|'"),
    ("retail", {"catalogue.categories": {" ": {"price_level": 1, "margin_rate": 0.3, "popularity": 1.0}}}, "non-blank"),
    ("retail", {"catalogue.categories": {"x" * 5000: {"price_level": 1, "margin_rate": 0.3, "popularity": 1.0}}}, "40"),
    (
        "retail",
        {
            "catalogue.categories": {
                f"c{i}": {"price_level": 1, "margin_rate": 0.3, "popularity": 1 / 60} for i in range(60)
            }
        },
        "1 to 50",
    ),
    # archetypes
    ("retail", {"archetypes.mix": {}}, "archetypes.mix"),
    ("retail", {"archetypes.mix": {"price_sensitive": 0, "service_sensitive": 0, "convenience": 0}}, "sum to 1"),
    ("retail", {"archetypes.mix.nosuch": 0.1}, "nosuch"),
    ("retail", {"archetypes.mix.price_sensitive": NAN}, "archetypes.mix"),
    ("retail", {"archetypes.effects": {}}, "archetypes.effects"),
    ("retail", {"archetypes.effects.price_sensitive.rate_factor": 0}, "rate_factor"),
    ("retail", {"archetypes.effects.price_sensitive.rate_factor": 1e9}, "rate_factor"),
    ("retail", {"archetypes.effects.price_sensitive.offer_response": -1}, "offer_response"),
    ("retail", {"archetypes.effects.price_sensitive.service_sensitivity": INF}, "service_sensitivity"),
    ("retail", {"archetypes.business_share": 1.5}, "business_share"),
    ("retail", {"archetypes.business_share": True}, "business_share"),
    ("retail", {"archetypes.business_spend_factor": 0}, "business_spend_factor"),
    # subscription
    ("subscription", {"subscription.plans": {}}, "subscription.plans"),
    ("subscription", {"subscription.plans.monthly.period_days": 0}, "period_days"),
    ("subscription", {"subscription.plans.monthly.period_days": 0.5}, "period_days"),
    ("subscription", {"subscription.plans.monthly.period_days": 1e6}, "period_days"),
    ("subscription", {"subscription.plans.monthly.period_days": NAN}, "period_days"),
    ("subscription", {"subscription.plans.monthly.price": -1}, "price"),
    ("subscription", {"subscription.plans.monthly.share": 0.5}, "sum to 1"),
    ("subscription", {"subscription.plans": {"a": {"period_days": 30, "price": 10, "share": 0}}}, "sum to 1"),
    ("subscription", {"subscription.alpha": 0}, "subscription.alpha"),
    ("subscription", {"subscription.beta": 0}, "subscription.beta"),
    ("subscription", {"subscription.alpha": INF}, "subscription.alpha"),
    # word of mouth
    ("retail", {"word_of_mouth.promoter_tells": NAN}, "promoter_tells"),
    ("retail", {"word_of_mouth.promoter_tells": 1e9}, "promoter_tells"),
    ("retail", {"word_of_mouth.detractor_tells": -1}, "detractor_tells"),
    ("retail", {"word_of_mouth.referral_conversion": 1.5}, "referral_conversion"),
    ("retail", {"word_of_mouth.deterrence": -0.1}, "deterrence"),
    ("retail", {"word_of_mouth.promoter_tells": 100, "word_of_mouth.referral_conversion": 1.0}, "promoter_tells x"),
    ("retail", {"word_of_mouth.promoter_tells": 2, "word_of_mouth.referral_conversion": 0.51}, "promoter_tells x"),
    # surveys, satisfaction, true CLV, funnel
    ("retail", {"surveys.modes": {}}, "surveys.modes"),
    ("retail", {"surveys.modes": {"named": {"share": 0}, "anonymous": {"share": 0}}}, "sum to 1"),
    ("retail", {"surveys.modes": {"robot": {"share": 1}}}, "robot"),
    ("retail", {"surveys.modes.named.response_factor": NAN}, "response_factor"),
    ("retail", {"surveys.modes.named.honesty_shift": 100}, "honesty_shift"),
    ("retail", {"surveys.channels": {"online": 0.5}}, "sum to 1"),
    ("retail", {"surveys.channels": {"fax": 1.0}}, "fax"),
    ("retail", {"surveys.channels": {"online": 0, "app": 0}}, "sum to 1"),
    ("retail", {"surveys.comment_rate": 1.1}, "comment_rate"),
    ("retail", {"surveys.comment_rate": NAN}, "comment_rate"),
    ("retail", {"satisfaction.snapshot_days": -1}, "snapshot_days"),
    ("retail", {"satisfaction.snapshot_days": 0.001}, "snapshot_days"),
    ("retail", {"satisfaction.snapshot_days": 1e9}, "snapshot_days"),
    ("retail", {"clv_discount_rate": -0.1}, "clv_discount_rate"),
    ("retail", {"clv_discount_rate": NAN}, "clv_discount_rate"),
    ("retail", {"clv_discount_rate": "10%"}, "clv_discount_rate"),
    ("retail", {"population.channels.search.lead_to_prospect": 0}, "lead_to_prospect"),
    ("retail", {"population.channels.search.lead_to_prospect": 1.5}, "lead_to_prospect"),
    ("retail", {"population.channels.search.prospect_to_customer": 1e-300}, "prospect_to_customer"),
    ("retail", {"population.channels.search.prospect_to_customer": NAN}, "prospect_to_customer"),
]


@pytest.mark.parametrize(("base", "changes", "names"), BAD_SCENARIO, ids=lambda x: str(x)[:60])
def test_bad_mechanism_fields_are_refused_naming_the_field(base, changes, names):
    _refused(lambda: BASE[base].updated(changes), names)


GOOD_SCENARIO = [
    ("retail", {"catalogue.companions": {}}),
    ("retail", {"catalogue.companions.electronics": {}}),
    (
        "retail",
        {
            "catalogue.categories": {"only": {"price_level": 1, "margin_rate": 0.3, "popularity": 1.0}},
            "catalogue.companions": {},
        },
    ),
    ("retail", {"surveys.channels": {}}),
    ("retail", {"word_of_mouth.promoter_tells": 20, "word_of_mouth.referral_conversion": 0.05}),  # exactly the limit
    ("retail", {"population.channels.search.lead_to_prospect": limits.MIN_FUNNEL_RATE}),
    ("subscription", {"subscription.plans.weekly": {"period_days": 7, "price": 10, "share": 0}}),
]


@pytest.mark.parametrize(("base", "changes"), GOOD_SCENARIO, ids=lambda x: str(x)[:60])
def test_valid_edge_values_are_accepted(base, changes):
    sc = BASE[base].updated(changes)
    assert sim.Scenario.from_dict(sc.to_dict()) == sc  # and they round-trip


# ---------------------------------------------------------------------------- policy fields
BAD_POLICY = [
    ({"service.basic_tiers": ["bronze"]}, "not defined in tiering.tiers"),
    ({"service.basic_tiers": "bronze"}, "service.basic_tiers"),
    ({"service.basic_tiers": [1]}, "service.basic_tiers"),
    ({**TWO_TIERS, "service.basic_tiers": ["c"]}, "'c'"),
    ({**TWO_TIERS, "service.basic_tiers": ["b", "b"]}, "more than once"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": [7, 1]}, "strictly increasing"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": [1, 1]}, "strictly increasing"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": [-1]}, "contacts_days"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": [NAN]}, "contacts_days"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": [1e9]}, "contacts_days"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": [100]}, "window_days"),
    ({"onboarding.enabled": True, "onboarding.contacts_days": []}, "contacts_days"),
    ({"onboarding.enabled": True, "onboarding.window_days": 0}, "onboarding.window_days"),
    ({"onboarding.enabled": True, "onboarding.dropout_shift": -1}, "dropout_shift"),
    ({"onboarding.enabled": True, "onboarding.channel": "fax"}, "onboarding.channel"),
    ({"alerts.bad_review.enabled": True, "alerts.bad_review.window_days": 0}, "window_days"),
    ({"alerts.bad_review.enabled": True, "alerts.bad_review.threshold": 1.5}, "threshold"),
    ({"alerts.bad_review.enabled": True, "alerts.bad_review.threshold": NAN}, "threshold"),
    ({"alerts.bad_review.enabled": True, "alerts.bad_review.min_answers": 0}, "min_answers"),
    ({"alerts.bad_review.enabled": True, "alerts.bad_review.negative.nps_max": 11}, "nps_max"),
    ({"alerts.bad_review.enabled": True, "alerts.bad_review.action": "email_ceo"}, "action"),
    ({"triggers.renewal_reminder.enabled": True, "triggers.renewal_reminder.delay_days": -1}, "delay_days"),
    ({"triggers.renewal_reminder.enabled": True, "triggers.renewal_reminder.renewal_shift": INF}, "renewal_shift"),
    ({"triggers.renewal_reminder.enabled": True, "triggers.renewal_reminder.renewal_shift": 50}, "renewal_shift"),
    ({"triggers.renewal_reminder.enabled": True, "triggers.renewal_reminder.offer": "nope"}, "nope"),
    ({"triggers.post_order.renewal_shift": 1}, "has no key 'renewal_shift'"),
]


@pytest.mark.parametrize(("changes", "names"), BAD_POLICY, ids=lambda x: str(x)[:60])
def test_bad_policy_levers_are_refused_naming_the_field(changes, names):
    _refused(lambda: NO_POLICY.updated(changes), names)


@pytest.mark.parametrize("preset", ["basic_low_tier", "onboarding", "review_alerts", "renewal_reminders"])
def test_new_policy_presets_reject_broken_edits(preset):
    pol = sim.Policy.load(preset)
    assert sim.Policy.from_dict(pol.to_dict()) == pol
    _refused(lambda: pol.updated({"onboarding.contacts_days": [5, 2]}), "strictly increasing")
    _refused(lambda: pol.updated({"alerts.bad_review.threshold": 2}), "threshold")


# ---------------------------------------------------------------------------- YAML files and the CLI
YAML_FILES = {
    "nan": ("scenario", "catalogue:\n  enabled: true\n  extra_lines_mean: .nan\n", "extra_lines_mean"),
    "inf": ("scenario", "word_of_mouth:\n  promoter_tells: .inf\n", "promoter_tells"),
    "duplicate": ("scenario", "word_of_mouth:\n  promoter_tells: 1\n  promoter_tells: 50\n", "duplicate key"),
    "flow duplicate": ("scenario", "surveys:\n  channels: {online: 1, online: 0}\n", "duplicate key"),
    "list section": ("scenario", "catalogue: [1, 2]\n", "catalogue"),
    "null section": ("scenario", "subscription: null\n", "subscription"),
    "self companion": ("scenario", "catalogue:\n  companions:\n    home: {home: 0.3}\n", "itself"),
    "unsorted": ("policy", "onboarding:\n  enabled: true\n  contacts_days: [7, 1]\n", "strictly increasing"),
    "policy duplicate": ("policy", "onboarding:\n  enabled: true\n  enabled: false\n", "duplicate key"),
}


@pytest.mark.parametrize("case", list(YAML_FILES))
def test_malformed_yaml_files_are_refused(case, tmp_path):
    kind, text, names = YAML_FILES[case]
    path = tmp_path / f"{kind}.yaml"
    path.write_text("name: probe\n" + text, encoding="utf-8")
    load = sim.Scenario.load if kind == "scenario" else sim.Policy.load
    _refused(lambda: load(path), names)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("flag", "text", "names"),
    [
        ("-s", "catalogue:\n  enabled: true\n  extra_lines_mean: .inf\n", "extra_lines_mean"),
        ("-p", "service:\n  basic_tiers: [bronze, bronze]\n", "basic_tiers"),
    ],
)
def test_cli_reports_bad_files_without_a_traceback(flag, text, names, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: probe\n" + text, encoding="utf-8")
    args = [sys.executable, "-m", "sim", "run", flag, str(path), "-c", "50", "-d", "30"]
    if flag == "-p":
        args += ["-s", "retail"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=110, cwd=Path(__file__).parents[2])
    assert out.returncode != 0
    assert "Traceback" not in out.stderr + out.stdout
    assert names in out.stderr + out.stdout


# ---------------------------------------------------------------------------- limits: one table
def test_mechanism_limits_live_in_the_one_limits_table():
    for name in ("MAX_RATE_FACTOR", "MAX_TELLS", "MAX_CATEGORIES"):
        assert getattr(mechanisms, name) == getattr(limits, name) and name in limits.__all__
    rows = {r.path: r.allowed for r in field_ranges("scenario")}
    lo = f"[{limits.MIN_FUNNEL_RATE:g}, 1]"
    assert rows["population.channels.*.lead_to_prospect"] == lo
    assert rows["population.channels.*.prospect_to_customer"] == lo
    assert rows["word_of_mouth.promoter_tells"] == f"[0, {limits.MAX_TELLS:g}]"


@pytest.mark.parametrize("tells", [1.0, 7.5, limits.MAX_TELLS])
def test_referrals_per_promoter_order_are_bounded_exactly_at_the_limit(tells):
    sc = BASE["retail"]
    at_limit = limits.MAX_REFERRALS_PER_ORDER / tells
    assert sc.updated({"word_of_mouth.promoter_tells": tells, "word_of_mouth.referral_conversion": at_limit})
    over = min(1.0, at_limit * 1.01)
    if tells * over > limits.MAX_REFERRALS_PER_ORDER:
        _refused(
            lambda: sc.updated({"word_of_mouth.promoter_tells": tells, "word_of_mouth.referral_conversion": over}),
            f"at most {limits.MAX_REFERRALS_PER_ORDER:g}",
        )


@pytest.mark.timeout(60)
def test_the_smallest_funnel_rates_run_without_overflow():
    sc = BASE["retail"].updated(
        {
            f"population.channels.{c}.{k}": limits.MIN_FUNNEL_RATE
            for c in ("search", "social", "marketplace")
            for k in ("lead_to_prospect", "prospect_to_customer")
        }
    )
    f = sim.run(sc, customers=300, days=200, seed=3).funnel
    assert len(f) and (f.leads >= f.prospects).all() and (f.prospects >= f.customers).all()
    # each acquisition stands for about 1 / rate prospects: far more prospects than customers
    assert f.prospects.sum() > 100 * f.customers.sum() > 0


# ---------------------------------------------------------------------------- valid combinations run
RUNS = [
    ("retail", None, {}),
    ("subscription", None, {}),
    ("retail", "basic_low_tier", {}),
    ("retail", "onboarding", {}),
    ("retail", "review_alerts", {}),
    ("retail", "loyalty_tiers", {}),
    ("retail", "churn_rescue", {}),
    ("subscription", "renewal_reminders", {}),
    ("subscription", "onboarding", {}),
    ("subscription", "review_alerts", {}),
    ("subscription", "basic_low_tier", {}),
    ("subscription", "loyalty_tiers", {}),
    ("subscription", None, {"word_of_mouth.enabled": True}),
    ("subscription", None, {"archetypes.enabled": True}),
    ("baseline", "renewal_reminders", {}),  # no subscribers: no reminders
    ("btyd_only", "onboarding", {}),
    (
        "retail",
        None,
        {
            "catalogue.extra_lines_mean": 20.0,
            "word_of_mouth.promoter_tells": 100.0,
            "word_of_mouth.referral_conversion": 0.005,
            "satisfaction.snapshot_days": 1.0,
        },
    ),
    ("retail", "vip_care", {}),  # crashed (KeyError in FirmView.consent) while the probe ran; fixed since
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("scenario", "policy", "changes"), RUNS, ids=lambda x: str(x)[:40])
def test_every_valid_combination_runs_on_the_fast_engine(scenario, policy, changes):
    sc = sim.Scenario.load(scenario).updated(changes)
    res = sim.run(sc, policy, customers=300, days=200, seed=11)
    cust, orders = res.customers, res.orders
    assert len(cust) >= 250 and len(orders) >= len(cust)  # every customer has an acquisition order
    assert np.isfinite(orders.amount).all() and (orders.amount >= 0).all()
    assert cust.true_stage.isin(sim.schema.STAGES).all() and np.isfinite(cust.true_clv).all()
    if sc.subscription.enabled:  # every payment is a plan's price
        prices = {p.price for p in sc.subscription.plans.values()}
        assert set(orders.amount.round(9)) <= prices and (cust.plan != "").all()
    if sc.catalogue.enabled and not sc.subscription.enabled:
        names = set(sc.catalogue.categories)
        assert set("|".join(orders.basket).split("|")) <= names
    if sc.satisfaction.snapshot_days > 0:
        assert len(res.snapshots) > 0 and res.snapshots.true_satisfaction.between(0, 10).all()


# ---------------------------------------------------------------------------- result folders
@pytest.fixture(scope="module")
def result_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("probe") / "res"
    sim.run("retail", customers=150, days=90, seed=2).to_dir(path)
    return path


def _variant(src: Path, dst: Path, mutate, rehash: bool) -> Path:
    shutil.copytree(src, dst)
    mutate(dst)
    if rehash:  # an edited folder whose manifest was made to match: the reader's own checks must catch it
        m = json.loads((dst / "MANIFEST.json").read_text())
        m["files"] = {f: file_entry(dst / f) for f in m["files"] if (dst / f).exists()}
        (dst / "MANIFEST.json").write_text(json.dumps(m))
    return dst


def _rewrite(name: str, fn):
    def mutate(d: Path) -> None:
        fn(pd.read_parquet(d / name)).to_parquet(d / name)

    return mutate


FOLDERS = {
    "funnel missing": (lambda d: (d / "funnel.parquet").unlink(), False, "funnel.parquet"),
    "funnel missing, manifest matching": (lambda d: (d / "funnel.parquet").unlink(), True, "funnel.parquet"),
    "snapshots missing, manifest matching": (lambda d: (d / "snapshots.parquet").unlink(), True, "snapshots.parquet"),
    "funnel truncated": (lambda d: (d / "funnel.parquet").write_bytes(b"PAR1"), False, "funnel.parquet"),
    "snapshots truncated, manifest matching": (
        lambda d: (d / "snapshots.parquet").write_bytes((d / "snapshots.parquet").read_bytes()[:100]),
        True,
        "snapshots.parquet",
    ),
    "funnel column dropped": (_rewrite("funnel.parquet", lambda df: df.drop(columns=["spend"])), True, "spend"),
    "funnel column added": (_rewrite("funnel.parquet", lambda df: df.assign(x=1)), True, "'x'"),
    "funnel columns reordered": (
        _rewrite("funnel.parquet", lambda df: df[df.columns[::-1]]),
        True,
        "data dictionary's order",
    ),
    "funnel wrong dtype": (_rewrite("funnel.parquet", lambda df: df.assign(leads=df.leads.astype(str))), True, "leads"),
    "snapshots column dropped": (
        _rewrite("snapshots.parquet", lambda df: df.drop(columns=["true_alive"])),
        True,
        "true_alive",
    ),
    "snapshots wrong dtype": (
        _rewrite("snapshots.parquet", lambda df: df.assign(true_alive=df.true_alive.astype(float))),
        True,
        "true_alive",
    ),
    "customers lack true_clv": (
        _rewrite("customers.parquet", lambda df: df.drop(columns=["true_clv"])),
        True,
        "true_clv",
    ),
    "orders lack basket": (_rewrite("orders.parquet", lambda df: df.drop(columns=["basket"])), True, "basket"),
}


@pytest.mark.parametrize("case", list(FOLDERS))
def test_result_folders_with_broken_new_tables_are_refused(case, result_dir, tmp_path):
    mutate, rehash, names = FOLDERS[case]
    folder = _variant(result_dir, tmp_path / "v", mutate, rehash)
    with pytest.raises(DataError) as exc:
        sim.Result.from_dir(folder)
    assert names in str(exc.value) and "Traceback" not in str(exc.value)


def test_an_intact_folder_reads_back_its_new_tables(result_dir):
    res = sim.Result.from_dir(result_dir)
    assert len(res.funnel) > 0 and len(res.snapshots) > 0
    assert math.isclose(res.funnel.customers.sum(), (res.customers.channel != "referral").sum())
