"""The compact storage of the fast engine (issue 16): sparse order fields, typed cold customer columns,
tables built without a second copy. Each test checks that the compact form keeps what the old
lists and tuples allowed, and refuses what would be silently wrong (a value truncated into a
narrow column).
"""

from __future__ import annotations

import math
from array import array

import numpy as np
import pytest
import simpy

import sim
from sim.world.engine import World
from sim.world.logs import OrderLog
from sim.world.population import draw_population
from sim.world.rng import Streams
from sim.world.state import COLD, Customers, typed_column
from sim.world.table_frames import typed_frame
from sim.world.tables import build_tables


def _world(scenario: str, policy: str | None, n: int = 300, days: float = 365.0, seed: int = 3) -> World:
    sc = sim.Scenario.load(scenario)
    pol = sim.Policy.load(policy) if policy else None
    env = simpy.Environment()
    w = World(env, sc, n, days, Streams(seed), 1, policy=pol)
    if pol is not None and not pol.is_noop():
        from sim.world.firm import Firm
        from sim.world.observed import Observed

        w.attach_firm(Firm(env, Observed(w), pol, Streams(seed)))
    w.start()
    env.run(until=days)
    return w


def test_order_log_round_trip_of_every_field():
    """Every field written (defaults and not) reads back from the sparse columns and the tuple view."""
    log = OrderLog()
    rows = [
        (0, 1.0, 50.0, True, False, 0.0, 0.0, "", -1, ""),
        (1, 2.0, 80.0, False, True, 0.1, 0.0, "", -1, ""),
        (0, 3.0, 20.0, False, False, 0.0, 2.0, "winback", 2, "shoes|bags"),
        (2, 4.0, 10.0, True, True, 0.25, 1.0, "vip", 0, "shoes"),
    ]
    for r in rows:
        log.add(*r)
    want = [(f, q, a * d, a * pr, camp, cat, b) for (_, _, a, f, q, d, pr, camp, cat, b) in rows]
    assert list(log.rest) == want and log.rest[-1] == want[-1] and len(log.rest) == 4
    cols = log.columns()
    assert cols["is_first"].tolist() == [r[0] for r in want]
    assert cols["true_quality_issue"].tolist() == [r[1] for r in want]
    assert cols["discount"].tolist() == [r[2] for r in want]
    assert cols["points"].tolist() == [r[3] for r in want]
    assert cols["campaign"].tolist() == [r[4] for r in want]
    assert cols["category"].tolist() == [r[5] for r in want]
    assert cols["basket"].tolist() == [r[6] for r in want]
    with pytest.raises(IndexError, match="out of range"):
        log.rest[4]


def test_a_default_order_stores_only_its_dense_columns():
    """A repeat order without issue, discount, points, campaign or line adds nothing to the sparse columns."""
    log = OrderLog()
    log.add(5, 1.0, 10.0, False, False, 0.0, 0.0, "")
    sparse = [log.first, log.issue, log.discount_at, log.points_at, log.campaign_at, log.line_at]
    assert all(len(col) == 0 for col in sparse) and len(log) == 1
    assert log.columns()["campaign"] is None  # a constant "" column is built by the caller


@pytest.mark.parametrize(("scenario", "policy"), [("retail", "loyalty_tiers"), ("messaging", "ab_test")])
def test_orders_table_equals_the_per_order_tuples(scenario, policy):
    """With discounts, points, campaigns and catalogue lines on, the table's columns are the log's tuples."""
    w = _world(scenario, policy)
    orders = build_tables(w.customers, w.logs, w.sc, 365.0)["orders"]
    rest = list(w.logs.orders.rest)
    assert len(rest) == len(orders) > 100
    assert orders["is_first"].tolist() == [r[0] for r in rest]
    assert orders["true_quality_issue"].tolist() == [r[1] for r in rest]
    assert orders["discount"].tolist() == [r[2] for r in rest]
    assert orders["points"].tolist() == [r[3] for r in rest]
    assert orders["campaign"].tolist() == [r[4] for r in rest]
    # something non-default was stored (else this test could not fail)
    assert any(r[2] or r[3] or r[4] for r in rest)


def test_cold_attributes_are_typed_and_compact():
    sc = sim.Scenario.load("baseline")
    c = Customers(draw_population(sc, 50, 365.0, Streams(1)), 0.01)
    for name, code in COLD.items():
        col = getattr(c, name)
        assert isinstance(col, array) and col.typecode == code and len(col) == 50, name
    assert c.consent.itemsize == 1 and c.channel.itemsize == 2
    # the hot lists stay lists (reading a typed array boxes a new float each time)
    for name in ("lam", "lp", "nu", "s0", "s", "st", "alive", "version", "bad_cause", "mult", "member_drop"):
        assert isinstance(getattr(c, name), list), name


def test_a_referred_customer_is_appended_to_every_column():
    sc = sim.Scenario.load("subscription")
    c = Customers(draw_population(sc, 5, 365.0, Streams(2)), 0.01)
    traits = {"lam": 0.02, "p": 0.3, "nu": 0.01, "s0": 7.0, "consent": True, "birth_month": 12, "plan": 1,
              "theta": 0.05}  # fmt: skip
    i = c.append(traits, 12.5, 30.0)
    assert i == 5 and len(c) == 6
    assert all(len(getattr(c, name)) == 6 for name in COLD)
    assert (c.acq_t[i], c.cac[i], c.consent[i], c.birth_month[i], c.plan[i], c.theta[i]) == (12.5, 30.0, 1, 12, 1, 0.05)
    assert c.channel_names[c.channel[i]] == "referral" and math.isnan(c.churn_t[i])
    # the world writes the cold columns as it did the lists
    c.churn_t[i], c.opted_out[i] = 40.0, True
    assert c.churn_t[i] == 40.0 and c.opted_out[i]


@pytest.mark.parametrize(("field", "value"), [("birth_month", 200), ("plan", 40_000), ("archetype", -300)])
def test_a_value_too_big_for_a_narrow_column_is_refused_not_truncated(field, value):
    sc = sim.Scenario.load("baseline")
    c = Customers(draw_population(sc, 5, 365.0, Streams(2)), 0.01)
    traits = {"lam": 0.02, "p": 0.3, "nu": 0.01, "s0": 7.0, "consent": True, "birth_month": 5, field: value}
    with pytest.raises(ValueError, match=f"'{field}': value {value} is outside"):
        c.append(traits, 10.0, 25.0)
    assert len(c) == 5 and all(len(getattr(c, name)) == 5 for name in COLD)  # no half row


def test_typed_column_refuses_out_of_range_and_non_integer_values():
    with pytest.raises(ValueError, match="'channel': value 40000 is outside -32768..32767"):
        typed_column("channel", "h", np.array([1, 40_000]))
    with pytest.raises(ValueError, match="must be integers"):
        typed_column("plan", "h", np.array([1.5]))
    assert typed_column("cac", "d", np.array([1.25, math.nan]))[0] == 1.25


def test_typed_frame_adopts_each_fresh_array_once_and_copies_otherwise():
    t = np.array([1.5, 2.5])
    view = np.arange(4.0)[::2]
    data = {"customer_id": np.array([1, 2]), "t": t, "date": t, "tier": ["a", "b"], "score": t}
    kept = typed_frame("tiers", data, adopt=True)
    assert np.shares_memory(kept["t"].to_numpy(), t) and not np.shares_memory(kept["score"].to_numpy(), t)
    copied = typed_frame("tiers", data)
    assert not np.shares_memory(copied["t"].to_numpy(), t)
    with_view = typed_frame("tiers", {**data, "t": view, "score": view}, adopt=True)
    assert not np.shares_memory(with_view["t"].to_numpy(), view)
    # a log's live buffer is never wrapped: the world can still append after the tables are built
    w = _world("baseline", None, n=100, days=90.0)
    tables = build_tables(w.customers, w.logs, w.sc, 90.0)
    w.logs.orders.t.append(90.5)
    w.customers.acq_t.append(90.5)
    assert len(tables["orders"]) == len(w.logs.orders) - 1
