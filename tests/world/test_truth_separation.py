"""Truth separation (issue 10, item 12): what the firm holds are copies, never routes to the world.

Every route a piece of code holding the firm's view could take to ground truth is tried:

* **references**: a walk over ``gc.get_referents`` from a :class:`~sim.world.observed.FirmView`,
  from the frames the port hands out and from the port's own records never reaches the world,
  its state, its logs or their buffers (nor, for ``Result.observed()``, the full tables);
* **array internals**: the ``.base`` chain of every NumPy array a view exposes ends in an array
  of the view itself, and shares no memory with a world buffer or a latent column;
* **writes**: writing into anything handed out leaves the world's tables unchanged;
* **attributes**: the port has no attribute holding the world (``obs._w`` and friends are gone);
* **growth**: holding any of it while the world runs on never blocks an append (the Dask
  ``BufferError`` of item 2).

The walk does not enter classes, modules or module globals (every object reaches those; they hold
no run's state) and follows a function only through its closure and defaults.
"""

from __future__ import annotations

import gc
import hashlib
import sys
import types
from array import array
from typing import Any

import numpy as np
import pandas as pd
import pytest
import simpy

import sim
from sim.errors import LatentAccessError
from sim.schema import LATENT_PREFIX, TABLE_NAMES
from sim.world import actions, complaints, desk, lifecycle, logs, market, state, surveys
from sim.world.engine import World
from sim.world.firm import Firm
from sim.world.observed import FirmView, Observed
from sim.world.rng import Streams
from sim.world.tables import build_tables

#: Classes whose instances are the world's state or machinery.
WORLD_TYPES = (
    World,
    state.Customers,
    logs.Logs,
    logs.OrderLog,
    logs.ContactLog,
    logs.SurveyLog,
    logs.EventLog,
    logs.TierLog,
    desk.TicketLog,
    desk.ServiceDesk,
    lifecycle.Lifecycle,
    complaints.Complaints,
    surveys.Surveys,
    actions.FirmActions,
    market.Market,
    simpy.Environment,
)


def _module_dicts() -> set[int]:
    return {id(vars(m)) for m in list(sys.modules.values()) if m is not None and hasattr(m, "__dict__")}


def reachable(root: Any, limit: int = 2_000_000) -> list[Any]:
    """Every object reachable from ``root`` by references (``gc.get_referents``, plus NumPy's
    ``.base`` and a memoryview's ``.obj``), except classes, modules and module globals; functions
    are followed through closures and defaults only."""
    skip = _module_dicts()
    seen: set[int] = set()
    out: list[Any] = []
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in skip or isinstance(obj, (type, types.ModuleType)):
            continue
        seen.add(id(obj))
        out.append(obj)
        assert len(out) < limit, "the walk did not end"
        if isinstance(obj, types.FunctionType):
            stack.extend(c.cell_contents for c in obj.__closure__ or () if _filled(c))
            stack.extend(obj.__defaults__ or ())
            stack.extend((obj.__kwdefaults__ or {}).values())
            continue
        if isinstance(obj, np.ndarray):  # NumPy arrays are not GC containers: follow .base by hand
            stack.append(obj.base)
        elif isinstance(obj, memoryview):
            stack.append(obj.obj)
        stack.extend(gc.get_referents(obj))
    return out


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def world_buffers(w: World) -> list[Any]:
    """Every list and ``array.array`` of the world's state and logs."""
    out: list[Any] = []
    c = w.customers
    out += [getattr(c, n) for n in type(c).__slots__ if isinstance(getattr(c, n), (list, dict, array))]
    for log in (w.logs.orders, w.logs.contacts, w.logs.surveys, w.logs.events, w.logs.tiers, w.tickets):
        out += [getattr(log, n) for n in type(log).__slots__]
    return out


def _run_world(policy: str | None = "vip_care", customers: int = 400, days: float = 250.0, until: float | None = None):
    env = simpy.Environment()
    pol = sim.Policy.load(policy) if policy else None
    w = World(env, sim.Scenario.load("baseline"), customers, days, Streams(11), 1, policy=pol)
    port = Observed(w)
    if pol is not None:
        w.attach_firm(Firm(env, port, pol, Streams(11)))
    w.start()
    env.run(until=until if until is not None else days)
    return env, w, port


def _digest(tables: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in TABLE_NAMES:
        h.update(pd.util.hash_pandas_object(tables[name], index=True).to_numpy().tobytes())
    return h.hexdigest()


def _world_tables(w: World) -> dict[str, pd.DataFrame]:
    return build_tables(w.customers, w.logs, w.sc, w.env.now, w.complaints.sla_h)


def _arrays_of(view: FirmView) -> list[tuple[str, np.ndarray]]:
    """Every NumPy array a view exposes: each column's ``to_numpy()`` and, for NumPy-backed
    columns, its ``.values`` and the blocks of each table."""
    return [(f"{name}.{label}", a) for name, label, a in _arrays_by_table(view)]


def _arrays_by_table(view: FirmView) -> list[tuple[str, str, np.ndarray]]:
    out = []
    for name in TABLE_NAMES:
        df = getattr(view, name)
        for col in df.columns:
            s = df[col]
            out.append((name, col, s.to_numpy()))
            if isinstance(s.values, np.ndarray):
                out.append((name, f"{col}.values", s.values))
        for k, block in enumerate(df._mgr.blocks):
            if isinstance(block.values, np.ndarray):
                out.append((name, f"block{k}", block.values))
    return out


def _no_bigger_than_the_view(view: FirmView) -> None:
    """The memory under every exposed array holds no more values of its dtype than the view's own
    table has (a view of the full tables' blocks would hold the latent columns or events too)."""
    for name, label, a in _arrays_by_table(view):
        df = getattr(view, name)
        root = _base_chain(a)[-1]
        if not isinstance(root, np.ndarray) or root.dtype == object:
            continue
        same = sum(1 for c in df.columns if np.asarray(df[c].to_numpy()).dtype == root.dtype)
        assert root.size <= max(same, 1) * len(df), f"{name}.{label}: its memory holds {root.shape} values"


def _base_chain(a: np.ndarray) -> list[Any]:
    chain = [a]
    while getattr(chain[-1], "base", None) is not None:
        chain.append(chain[-1].base)
    return chain


# ---------------------------------------------------------------- references
@pytest.mark.timeout(120)
def test_no_reference_from_the_view_or_the_port_records_reaches_the_world():
    _, w, port = _run_world()
    forbidden = {id(x) for x in world_buffers(w)} | {id(w), id(w.env)}
    roots = {
        "view": port.view(),
        "order_frame": port.order_frame(),
        "records": object.__getattribute__(port, "_records"),
        "acquired": port.acquired(),
    }
    for label, root in roots.items():
        objs = reachable(root)
        assert len(objs) > 3, label  # the walk did walk
        hit = [type(o).__name__ for o in objs if id(o) in forbidden or isinstance(o, WORLD_TYPES)]
        assert not hit, f"{label} reaches the world: {hit[:5]}"


@pytest.mark.timeout(120)
def test_the_walk_finds_the_world_when_a_route_exists():
    """The walk is not blind: the old facade (the world in an attribute), a closure and a view of a
    log's buffer are found."""
    _, w, _ = _run_world(policy=None, customers=50, days=30.0)

    class Leaky:
        def __init__(self, world):
            self._w = world

    def closure():
        return w

    for root in (Leaky(w), closure, {"column": np.frombuffer(w.logs.orders.t)[2:]}):
        objs = reachable(root)
        assert any(isinstance(o, WORLD_TYPES) or isinstance(o, array) for o in objs), root


@pytest.mark.timeout(120)
def test_no_reference_from_a_results_view_reaches_the_full_tables():
    res = sim.run("baseline", "vip_care", customers=400, days=250, seed=4)
    full = res.tables
    forbidden = {id(res)} | {id(df) for df in full.values()}
    for df in full.values():
        forbidden |= {id(b.values) for b in df._mgr.blocks} | {id(df._mgr)}
    view = res.observed()
    hit = [type(o).__name__ for o in reachable(view) if id(o) in forbidden]
    assert not hit, hit[:5]


# ---------------------------------------------------------------- array internals
def _latent_arrays(full: dict[str, pd.DataFrame]) -> list[tuple[str, np.ndarray]]:
    out = []
    for name, df in full.items():
        for b in df._mgr.blocks:
            if isinstance(b.values, np.ndarray):
                out.append((name, b.values))
        for col in df.columns:
            if col.startswith(LATENT_PREFIX) and isinstance(df[col].values, np.ndarray):
                out.append((f"{name}.{col}", df[col].values))
    return out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("source", ["port", "result"])
def test_no_exposed_array_is_a_view_of_the_world_or_of_latent_columns(source):
    if source == "port":
        _, w, port = _run_world()
        view = port.view()
        targets = [(f"world buffer {type(b).__name__}", np.frombuffer(b, dtype=b.typecode)) for b in world_buffers(w)
                   if isinstance(b, array) and len(b)]  # fmt: skip
        targets += _latent_arrays(_world_tables(w))
    else:
        res = sim.run("baseline", "vip_care", customers=400, days=250, seed=4)
        view = res.observed()
        targets = _latent_arrays(res.tables)
    exposed = _arrays_of(view)
    assert len(exposed) > 40
    _no_bigger_than_the_view(view)
    target_ids = {id(t) for _, t in targets}
    for label, a in exposed:
        chain = _base_chain(a)
        assert not any(id(x) in target_ids for x in chain), f"{label}: its .base chain is a world/latent array"
        assert not any(isinstance(x, (array, memoryview)) for x in chain), f"{label}: wraps a buffer"
        for tlabel, t in targets:
            assert not np.shares_memory(a, t), f"{label} shares memory with {tlabel}"
    # the observed columns are there, the latent ones are not (and refuse to be asked for)
    for name in TABLE_NAMES:
        assert not any(c.startswith(LATENT_PREFIX) for c in getattr(view, name).columns)
    with pytest.raises(LatentAccessError):
        view.customers["true_alive"]


# ---------------------------------------------------------------- writes
@pytest.mark.timeout(120)
def test_writing_into_what_the_firm_holds_leaves_the_world_unchanged():
    _, w, port = _run_world()
    before = _digest(_world_tables(w))
    view, frame, acquired = port.view(), port.order_frame(), port.acquired()
    written = 0
    for _, a in _arrays_of(view) + [("frame", frame[c].to_numpy()) for c in frame.columns]:
        if a.dtype.kind in "if" and a.size:
            a.setflags(write=True) if a.base is None or a.flags.owndata else None
            if a.flags.writeable:
                a[...] = -7
                written += 1
    assert written > 0
    for name in TABLE_NAMES:
        df = getattr(view, name)
        for col in df.columns:
            if df[col].dtype.kind in "if" and len(df):
                df.loc[:, col] = -9
    frame.loc[:, "amount"] = 0.0
    acquired.clear()
    with pytest.raises(TypeError):
        port.consent[0] = False  # type: ignore[index]  # the issue's route: a method, not the world's list
    assert _digest(_world_tables(w)) == before
    assert port.acquired() == w.customers.acquired() != []
    assert port.order_frame()["amount"].tolist() == list(w.logs.orders.amount)


# ---------------------------------------------------------------- attributes
@pytest.mark.timeout(120)
def test_no_attribute_of_the_port_holds_the_world():
    _, w, port = _run_world(policy=None, customers=100, days=60.0)
    for name in ("_w", "_world", "_consent", "_opted_out", "_birth_month", "_amount", "_ticket_customer", "_actions"):
        with pytest.raises(LatentAccessError):
            getattr(port, name)
    slots = type(port).__slots__
    assert set(slots) == {"_records", "_channel", "_horizon", "_start_date"}
    for name in slots:
        value = object.__getattribute__(port, name)
        assert not isinstance(value, WORLD_TYPES), name
        if name != "_channel":  # plain values and the firm's own records: nothing leads to the world
            assert not any(
                isinstance(o, WORLD_TYPES) or id(o) in {id(b) for b in world_buffers(w)} for o in reachable(value)
            ), name
    # the channel is the port's one live capability (actions, the clock, building tables): it
    # holds only callables, and what they return is a plain value or a copy
    channel = object.__getattribute__(port, "_channel")
    for name in type(channel).__slots__:
        assert callable(getattr(channel, name)), name
    assert isinstance(port.now, float) and port.now == w.env.now


# ---------------------------------------------------------------- growth (issue 10, item 2)
@pytest.mark.timeout(120)
def test_holding_everything_handed_out_never_blocks_the_world_from_growing():
    """Keep every frame, array and table handed out mid-run alive, then let the world run on: a
    view of a live ``array.array`` would make the next append raise ``BufferError``."""
    env, w, port = _run_world(policy="churn_rescue", customers=600, days=300.0, until=150.0)
    held = [port.view(), port.order_frame(), _world_tables(w)]
    held += [a for _, a in _arrays_of(held[0])]
    held += [df[c].to_numpy() for df in held[2].values() for c in df.columns]
    n_orders, n_surveys = len(w.logs.orders), len(w.logs.surveys)
    env.run(until=300.0)
    assert len(w.logs.orders) > n_orders and len(w.logs.surveys) > n_surveys
    assert len(held) > 50
