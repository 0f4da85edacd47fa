"""Truth separation (issue 10, item 12): what the firm holds are copies, never routes to the world.

Every route a piece of code holding the firm's view could take to ground truth is tried, on the
ports of both engines (the fast engine's :class:`~sim.world.observed.Observed` and the reference
engine's :class:`~sim.world.reference.port.ReferencePort`):

* **references**: a walk over ``gc.get_referents`` from a :class:`~sim.world.observed.FirmView`,
  from the frames the port hands out and from the port's own records never reaches the world,
  its state, its logs or their buffers (nor, for ``Result.observed()``, the full tables);
* **array internals**: the ``.base`` chain of every NumPy array a view exposes ends in an array
  of the view itself, and shares no memory with a world buffer or a latent column;
* **writes**: writing into anything handed out leaves the world's tables unchanged;
* **attributes**: the port has no attribute holding the world (``obs._w``, ``port._world`` and
  friends are gone), only one private channel of callables for its actions;
* **records**: the port's own copies say what the world says (they are complete, not just safe);
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
from sim.world import reference as ref
from sim.world.engine import World
from sim.world.firm import Firm
from sim.world.observed import FirmView, Observed
from sim.world.reference import desk as ref_desk
from sim.world.reference import port as ref_port
from sim.world.reference import state as ref_state
from sim.world.reference import surveys as ref_surveys
from sim.world.reference.tables import build_tables as build_reference_tables
from sim.world.rng import Streams
from sim.world.tables import build_tables

ENGINES = ["fast", "reference"]

#: Classes whose instances are the fast world's state or machinery.
WORLD_TYPES = (
    World,
    state.Customers,
    logs.Logs,
    logs.OrderLog,
    logs.ContactLog,
    logs.SurveyLog,
    logs.EventLog,
    logs.TierLog,
    logs.SnapshotLog,
    desk.TicketLog,
    desk.ServiceDesk,
    lifecycle.Lifecycle,
    complaints.Complaints,
    surveys.Surveys,
    actions.FirmActions,
    market.Market,
    simpy.Environment,
)

#: Classes whose instances are the reference world's state, records or machinery.
REFERENCE_TYPES = (
    ref.World,
    ref_state.Customer,
    ref_state.Ticket,
    ref_state.Offer,
    ref_state.OrderRow,
    ref_state.SurveyRow,
    ref_state.EventRow,
    ref_state.TierRow,
    ref_state.ContactRow,
    ref_state.Logs,
    ref_state.Dice,
    ref_desk.Desk,
    ref_surveys.Surveys,
    ref_port.FirmActions,
    simpy.Environment,
    simpy.Process,
)


def world_types(engine: str) -> tuple[type, ...]:
    return WORLD_TYPES if engine == "fast" else REFERENCE_TYPES


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


def world_buffers(w: Any) -> list[Any]:
    """Every list and ``array.array`` of the world's state and logs (either engine)."""
    if isinstance(w, ref.World):
        lists = [w.customers] + [getattr(w.logs, f) for f in vars(w.logs)] + [c.contact_times for c in w.customers]
        return lists + [w.firm_records]
    out: list[Any] = []
    c = w.customers
    out += [getattr(c, n) for n in type(c).__slots__ if isinstance(getattr(c, n), (list, dict, array))]
    logs_ = w.logs
    for log in (logs_.orders, logs_.contacts, logs_.surveys, logs_.events, logs_.tiers, logs_.snapshots, w.tickets):
        out += [getattr(log, n) for n in type(log).__slots__ if isinstance(getattr(log, n), (list, dict, array))]
    return out


def _run_world(
    engine: str = "fast",
    policy: str | None = "vip_care",
    customers: int = 400,
    days: float = 250.0,
    until: float | None = None,
):
    env = simpy.Environment()
    pol = sim.Policy.load(policy) if policy else None
    sc = sim.Scenario.load("baseline")
    if engine == "fast":
        w: Any = World(env, sc, customers, days, Streams(11), 1, policy=pol)
        port: Any = Observed(w)
    else:
        w = ref.World(env, sc, customers, days, Streams(11), agents=1, policy=pol)
        port = ref.ReferencePort(w)
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


def _world_tables(w: Any) -> dict[str, pd.DataFrame]:
    if isinstance(w, ref.World):
        return build_reference_tables(w)
    return build_tables(w.customers, w.logs, w.sc, w.env.now, w.complaints.sla_h)


def _truth(w: Any) -> dict[str, Any]:
    """What the firm may know, read straight from the world's own state (either engine)."""
    if isinstance(w, ref.World):
        acq = [c for c in w.customers if c.acquired]
        o, tk = w.logs.orders, w.logs.tickets
        return {
            "acquired": [c.index for c in acq],
            "consent": {c.index: c.consent for c in acq},
            "birth_month": {c.index: c.birth_month for c in acq},
            "opted_out": {c.index for c in acq if c.opted_out},
            "orders": ([r.customer for r in o], [r.t for r in o], [r.amount for r in o]),
            "ticket_customer": [t.customer for t in tk],
        }
    c, o = w.customers, w.logs.orders
    acquired = c.acquired()
    return {
        "acquired": list(acquired),
        "consent": {i: bool(c.consent[i]) for i in acquired},
        "birth_month": {i: int(c.birth_month[i]) for i in acquired},
        "opted_out": {i for i in acquired if c.opted_out[i]},
        "orders": (list(o.customer), list(o.t), list(o.amount)),
        "ticket_customer": list(w.tickets.customer),
    }


def _assert_the_port_tells_the_truth(port: Any, w: Any) -> None:
    """Every fact the port answers equals the world's (nothing missing, nothing extra)."""
    truth = _truth(w)
    acquired = port.acquired()
    assert acquired == truth["acquired"] != []
    assert {i: port.consent(i) for i in acquired} == truth["consent"]
    assert {i: port.birth_month(i) for i in acquired} == truth["birth_month"]
    assert {i for i in acquired if port.opted_out(i)} == truth["opted_out"]
    frame = port.order_frame()
    assert (frame["i"].tolist(), frame["t"].tolist(), frame["amount"].tolist()) == truth["orders"]
    assert [port.order_amount(k) for k in range(len(frame))] == truth["orders"][2]
    n_tickets = len(truth["ticket_customer"])
    assert [port.ticket_customer(k) for k in range(n_tickets)] == truth["ticket_customer"]
    with pytest.raises(IndexError):
        port.ticket_customer(n_tickets)


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
@pytest.mark.parametrize("engine", ENGINES)
def test_no_reference_from_the_view_or_the_port_records_reaches_the_world(engine):
    _, w, port = _run_world(engine)
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
        hit = [type(o).__name__ for o in objs if id(o) in forbidden or isinstance(o, world_types(engine))]
        assert not hit, f"{label} reaches the world: {hit[:5]}"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ENGINES)
def test_the_walk_finds_the_world_when_a_route_exists(engine):
    """The walk is not blind: the old facade (the world in an attribute), a closure and a view of a
    log's buffer (a slice of a log's rows for the reference engine) are found."""
    _, w, _ = _run_world(engine, policy=None, customers=50, days=30.0)

    class Leaky:
        def __init__(self, world):
            self._w = world

    def closure():
        return w

    rows = np.frombuffer(w.logs.orders.t)[2:] if engine == "fast" else w.logs.orders[2:]
    for root in (Leaky(w), closure, {"column": rows}):
        objs = reachable(root)
        assert any(isinstance(o, world_types(engine)) or isinstance(o, array) for o in objs), root


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
@pytest.mark.parametrize("source", ["port", "reference port", "result"])
def test_no_exposed_array_is_a_view_of_the_world_or_of_latent_columns(source):
    if source in ("port", "reference port"):
        _, w, port = _run_world("fast" if source == "port" else "reference")
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
@pytest.mark.parametrize("engine", ENGINES)
def test_writing_into_what_the_firm_holds_leaves_the_world_unchanged(engine):
    _, w, port = _run_world(engine)
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
    _assert_the_port_tells_the_truth(port, w)  # and the port's own records are untouched too


# ---------------------------------------------------------------- attributes
@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ENGINES)
def test_no_attribute_of_the_port_holds_the_world(engine):
    _, w, port = _run_world(engine, policy=None, customers=100, days=60.0)
    names = ("_w", "_world", "world", "customers", "logs", "_consent", "_opted_out", "_birth_month", "_amount",
             "_ticket_customer", "_actions", "alive")  # fmt: skip
    for name in names:
        with pytest.raises(LatentAccessError):
            getattr(port, name)
    with pytest.raises(AttributeError):
        port._records = None  # the port cannot be written to
    public = {m for m in vars(type(port)) if not m.startswith("_")}
    assert public == {m for m in vars(Observed) if not m.startswith("_")}  # the same surface on both engines
    slots = type(port).__slots__
    assert set(slots) == {"_records", "_channel", "_horizon", "_start_date"}
    for name in slots:
        value = object.__getattribute__(port, name)
        assert not isinstance(value, world_types(engine)), name
        if name != "_channel":  # plain values and the firm's own records: nothing leads to the world
            assert not any(
                isinstance(o, world_types(engine)) or id(o) in {id(b) for b in world_buffers(w)}
                for o in reachable(value)
            ), name
    # the channel is the port's one live capability (actions, the clock, building tables): it
    # holds only callables, and what they return is a plain value or a copy
    channel = object.__getattribute__(port, "_channel")
    for name in type(channel).__slots__:
        assert callable(getattr(channel, name)), name
    assert isinstance(port.now, float) and port.now == w.env.now


# ---------------------------------------------------------------- records
@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ENGINES)
def test_the_ports_records_say_what_the_world_says(engine):
    """Copies that went stale would be safe but wrong: a port made at the start and one made mid-run
    (from a snapshot) both answer exactly what the world holds, opt-outs included."""
    env, w, early = _run_world(engine, policy="spray_and_pray", customers=300, days=200.0, until=100.0)
    _assert_the_port_tells_the_truth(early, w)
    late = Observed(w) if engine == "fast" else ref.ReferencePort(w)
    env.run(until=200.0)
    assert _truth(w)["opted_out"]  # spray and pray tires customers out: the route is exercised
    for port in (early, late):
        _assert_the_port_tells_the_truth(port, w)


# ---------------------------------------------------------------- growth (issue 10, item 2)
@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ENGINES)
def test_holding_everything_handed_out_never_blocks_the_world_from_growing(engine):
    """Keep every frame, array and table handed out mid-run alive, then let the world run on: a
    view of a live ``array.array`` would make the next append raise ``BufferError``."""
    env, w, port = _run_world(engine, policy="churn_rescue", customers=600, days=300.0, until=150.0)
    held = [port.view(), port.order_frame(), _world_tables(w)]
    held += [a for _, a in _arrays_of(held[0])]
    held += [df[c].to_numpy() for df in held[2].values() for c in df.columns]
    n_orders, n_surveys = len(w.logs.orders), len(w.logs.surveys)
    env.run(until=300.0)
    assert len(w.logs.orders) > n_orders and len(w.logs.surveys) > n_surveys
    assert len(held) > 50
