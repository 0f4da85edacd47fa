"""Property test: randomly damaged scenario and policy documents either run (quickly, on a tiny
world) or raise a ConfigError naming the damaged field — never another exception, never a hang.

Mutations: drop a key, replace a value by a random scalar of any type (NaN, infinities, huge,
tiny, negative, strings, None, booleans, lists, mappings), add an unknown key, or nest a value
one level deeper; one to three of them per document. Every example is time-bounded by an alarm.
"""

from __future__ import annotations

import contextlib
import copy
import math
import signal
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.errors import ConfigError

#: Size of every run: small enough for ~100 runs in well under a minute.
CUSTOMERS, DAYS = 50, 30
#: Seconds one example may take (document validation plus a run) before it counts as a hang.
EXAMPLE_SECONDS = 20
#: Outcomes seen, by kind (reported by the last test).
OUTCOMES: Counter[str] = Counter()

SCENARIO = sim.Scenario.load("baseline").to_dict()
SCENARIO["market_events"] = [
    {"kind": "competitor_price_cut", "day": 5, "duration_days": 10, "rate_multiplier": 0.7, "dropout_shift": 0.4},
    {"kind": "outage", "day": 10, "tickets": 5, "severity": "P1"},
]
POLICIES = {name: sim.Policy.load(name).to_dict() for name in ("churn_rescue", "vip_care", "loyalty_tiers")}
POLICIES["service_first"] = sim.Policy.load("service_first").updated({"service.bot.enabled": True}).to_dict()

SPECIAL = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e-320, 1e-9, 0, -1, 10**9, 10**30, 2**63, ""]
scalars = st.one_of(
    st.sampled_from(SPECIAL),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2.0, max_value=2.0),
    st.text(max_size=12),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(-3, 3), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys / indices) to a value inside a document."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        out.append(prefix + (k,))
        out += _paths(v, prefix + (k,))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for k in path[:-1]:
        doc = doc[k]
    return doc


@st.composite
def damaged(draw: Any, base: dict) -> tuple[dict, list[tuple]]:
    doc = copy.deepcopy(base)
    touched = []
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["drop", "replace", "replace", "replace", "unknown", "nest"]))
        if op == "drop":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(scalars)
        elif op == "unknown" and isinstance(parent, dict):
            new = draw(st.text(min_size=1, max_size=8))
            parent[new] = draw(scalars)
            path = path[:-1] + (new,)
        else:
            parent[key] = draw(st.sampled_from([{"value": parent[key]}, [parent[key]]]))
        touched.append(path)
    return doc, touched


@contextlib.contextmanager
def _deadline(seconds: int):
    def _hang(signum: int, frame: Any) -> None:
        raise TimeoutError(f"an example took more than {seconds} s (a hang)")

    old = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


_TMP = Path(tempfile.mkdtemp(prefix="config-props-"))


def _via_yaml(kind: type, doc: dict, n: int) -> Any:
    p = _TMP / f"doc{n}.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return kind.load(p)


def _check(kind: type, doc: dict, touched: list[tuple], through_yaml: bool, policy_for_run: Any) -> None:
    with _deadline(EXAMPLE_SECONDS):
        try:
            obj = _via_yaml(kind, doc, len(OUTCOMES)) if through_yaml else kind.from_dict(doc)
        except ConfigError as exc:
            msg = str(exc)
            keys = {str(k) for path in touched for k in path if isinstance(k, str)}
            assert any(k in msg for k in keys) or "(top level)" in msg, (touched, msg)
            assert max(len(line) for line in msg.splitlines()) < 400, msg[:500]
            OUTCOMES["config_error"] += 1
            return
        if kind is sim.Scenario:
            res = sim.run(obj, policy_for_run, customers=CUSTOMERS, days=DAYS, seed=1)
        else:
            res = sim.run("baseline", obj, customers=CUSTOMERS, days=DAYS, seed=1)
        assert len(res.customers) >= CUSTOMERS
        assert res.orders["amount"].map(math.isfinite).all() if len(res.orders) else True
        OUTCOMES["valid_run"] += 1


#: One xdist worker runs the whole module: test_both_outcomes_were_exercised reads what the property tests recorded.
pytestmark = pytest.mark.xdist_group("config_properties")

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.timeout(120)
@SETTINGS
@given(mutation=damaged(SCENARIO), through_yaml=st.booleans(), with_policy=st.booleans())
def test_damaged_scenarios_run_or_name_the_field(mutation, through_yaml, with_policy):
    doc, touched = mutation
    _check(sim.Scenario, doc, touched, through_yaml, "churn_rescue" if with_policy else None)


@pytest.mark.timeout(120)
@SETTINGS
@given(name=st.sampled_from(sorted(POLICIES)), data=st.data(), through_yaml=st.booleans())
def test_damaged_policies_run_or_name_the_field(name, data, through_yaml):
    doc, touched = data.draw(damaged(POLICIES[name]))
    _check(sim.Policy, doc, touched, through_yaml, None)


def test_both_outcomes_were_exercised():
    """The property tests above are not vacuous: some damaged documents ran, most were refused."""
    if sum(OUTCOMES.values()) == 0:
        pytest.skip("run together with the property tests above")
    print(f"\nmalformed cases tried: {sum(OUTCOMES.values())}; outcomes: {dict(OUTCOMES)}")
    assert OUTCOMES["config_error"] > 0 and OUTCOMES["valid_run"] > 0
