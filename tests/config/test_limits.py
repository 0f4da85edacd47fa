"""Every numeric field has a documented, finite range; NaN, infinity, booleans and degenerate
values are refused naming the field; the presets lie inside every range."""

from __future__ import annotations

import math

import pytest

import sim
from sim.config import list_policies, list_presets
from sim.config.policy import instant_reorder_chance
from sim.config.ranges import field_ranges, render_ranges
from sim.config.scenario import peak_mean_purchase_rate
from sim.errors import ConfigError


def _scenario_error(changes: dict) -> str:
    with pytest.raises(ConfigError) as exc:
        sim.Scenario.load("baseline").updated(changes)
    return str(exc.value)


def _policy_error(base: str, changes: dict) -> str:
    with pytest.raises(ConfigError) as exc:
        sim.Policy.load(base).updated(changes)
    return str(exc.value)


def _numeric_paths(which: str, data: dict) -> list[str]:
    """Concrete dotted paths (present in ``data``) of every numeric field of the range table."""
    out = []
    for r in field_ranges(which):  # type: ignore[arg-type]
        if "[]" in r.path:
            continue  # list items are addressed by index, not by a dotted path
        parts = r.path.split(".")
        nodes = [([], data)]
        for p in parts:
            nxt = []
            for prefix, node in nodes:
                if not isinstance(node, dict):
                    continue
                keys = list(node) if p == "*" else ([p] if p in node else [])
                nxt += [(prefix + [k], node[k]) for k in keys]
            nodes = nxt
        out += [".".join(prefix) for prefix, value in nodes if isinstance(value, (int, float))]
    return out


SCENARIO_PATHS = _numeric_paths("scenario", sim.Scenario.load("baseline").to_dict())
POLICY_PATHS = _numeric_paths("policy", sim.Policy.load("churn_rescue").to_dict())


def test_the_range_table_covers_numeric_fields_with_finite_bounds():
    rows = field_ranges("scenario") + field_ranges("policy")
    assert len(rows) > 100
    for r in rows:
        assert "…" not in r.allowed, f"{r.path} has an open-ended range {r.allowed}"
        assert r.unit, f"{r.path} has no unit or meaning"
    table = render_ranges()
    assert table.count("\n") == len(rows) + 2
    assert len(SCENARIO_PATHS) > 40 and len(POLICY_PATHS) > 40


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_in_every_scenario_field(bad):
    for path in SCENARIO_PATHS:
        msg = _scenario_error({path: bad})
        assert path in msg and "finite" in msg, (path, msg)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_numbers_are_refused_in_every_policy_field(bad):
    for path in POLICY_PATHS:
        msg = _policy_error("churn_rescue", {path: bad})
        assert path in msg and "finite" in msg, (path, msg)


def test_booleans_are_not_numbers():
    for path in SCENARIO_PATHS[:: max(1, len(SCENARIO_PATHS) // 12)]:
        msg = _scenario_error({path: True})
        assert path in msg and "true/false" in msg, (path, msg)
    assert "service.extra_agents" in _policy_error("do_nothing", {"service.extra_agents": True})


@pytest.mark.parametrize("which", ["scenario", "policy"])
def test_every_upper_bound_is_enforced_just_outside(which):
    """For each field, a value just above its upper bound fails naming the field (or, for a
    cross-field rule, the section)."""
    paths = SCENARIO_PATHS if which == "scenario" else POLICY_PATHS
    rows = {r.path: r for r in field_ranges(which)}  # type: ignore[arg-type]
    checked = 0
    for path in paths:
        pattern = ".".join(
            "*" if f"{'.'.join(path.split('.')[:k])}.*" in _stars(rows) else p for k, p in enumerate(path.split("."))
        )
        row = rows.get(pattern) or rows.get(path)
        if row is None or "share" in row.unit:
            continue
        hi = row.allowed.split(", ")[1]
        high = float(hi[:-1])
        outside = high * 1.01 + 1 if high >= 0 else high / 2
        msg = (
            _scenario_error({path: outside}) if which == "scenario" else _policy_error("churn_rescue", {path: outside})
        )
        assert path in msg or "(top level)" in msg, (path, msg)
        checked += 1
    assert checked > 30


def _stars(rows: dict) -> set[str]:
    return {p[: p.index("*") + 1] for p in rows if "*" in p}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"surveys.relationship_interval_days": 1e-9}, "surveys.relationship_interval_days"),
        ({"spend.p": 1e308}, "spend.p"),
        ({"purchase.alpha": 1e-300}, "purchase.alpha"),
        ({"purchase.r": 1e-6}, "purchase.r"),
        ({"satisfaction.half_life_days": 1e-320}, "satisfaction.half_life_days"),
        ({"population.customers": 10**9}, "population.customers"),
        ({"horizon_days": 1e6}, "horizon_days"),
        ({"surveys.nonresponse_bias": 500.0}, "surveys.nonresponse_bias"),
        ({"desk.service_time.mean_h.P3": 1e-320}, "desk.service_time.mean_h.P3"),
        ({"start_date": 20250101}, "start_date"),
        ({"start_date": "9999-12-31"}, "start_date"),
    ],
)
def test_degenerate_scenario_values_are_refused(changes, field):
    assert field in _scenario_error(changes)


def test_cross_field_limits_name_the_section():
    # r / alpha = 50 orders a day: a hang, refused by the mean-rate rule.
    msg = _scenario_error({"purchase.r": 50.0, "purchase.alpha": 1.0})
    assert "purchase" in msg and "orders per day" in msg
    # q just above 1: an astronomic mean order value.
    assert "mean order value" in _scenario_error({"spend.q": 1.0 + 1e-12})
    # Overlapping shocks multiplying rates by 8 x 8.
    cut = {"kind": "competitor_price_cut", "duration_days": 100, "rate_multiplier": 8.0}
    msg = _scenario_error({"market_events": [dict(cut, day=0), dict(cut, day=50)]})
    assert "market_events" in msg and "64" in msg
    # The same shocks one after the other are fine.
    sc = sim.Scenario.load("baseline").updated({"market_events": [dict(cut, day=0), dict(cut, day=200)]})
    assert peak_mean_purchase_rate(sc) == pytest.approx(0.01 * math.exp(0.08 * 2) * 8)


def test_an_instant_reorder_loop_is_refused_but_a_delayed_one_is_not():
    sure = {"channels.email.open_rate": 1.0, "channels.email.convert_rate": 1.0, "triggers.post_order.enabled": True}
    msg = _policy_error("do_nothing", sure)
    assert "triggers.post_order" in msg and "delay_days" in msg
    pol = sim.Policy.load("do_nothing").updated({**sure, "triggers.post_order.delay_days": 1.0})
    assert instant_reorder_chance(pol, "post_order") == 1.0


def test_a_nan_ab_split_is_refused():
    msg = _policy_error("churn_rescue", {"triggers.churn_risk.split.sms_coupon": math.nan})
    assert "triggers.churn_risk.split.sms_coupon" in msg and "finite" in msg


def test_presets_lie_inside_every_range():
    for name in list_presets():
        sc = sim.Scenario.load(name)
        assert sim.Scenario.from_dict(sc.to_dict()) == sc
    for name in list_policies():
        pol = sim.Policy.load(name)
        assert sim.Policy.from_dict(pol.to_dict()) == pol


def test_realistic_teaching_values_are_admitted():
    sc = sim.Scenario.load("baseline").updated(
        {
            "surveys.relationship_interval_days": 7,
            "satisfaction.rate_elasticity": 0.3,
            "satisfaction.half_life_days": 1e6,
            "purchase.r": 0.24,
            "purchase.alpha": 4.41,  # CDNOW's BG/NBD fit
            "spend.gamma": 250_000.0,  # order values in rupiah
            "population.customers": 10**7,
            "horizon_days": 3650,
        }
    )
    assert sc.population.customers == 10**7
    pol = sim.Policy.load("spray_and_pray").updated(
        {"contacts": [{"tier": "everyone", "interval_days": 1, "channel": "sms"}]}
    )
    assert pol.contacts[0].interval_days == 1
