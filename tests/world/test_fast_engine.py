"""The fast engine's shape: the firm talks to the world through its port only, the port hands out
copies, every inlined equation names its model function, and the split state stays one state.

These are structural tests: the engine's numbers are checked in ``tests/world/test_simulator.py`` and
``tests/world/test_policy.py``; here we check the seams between its parts.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import simpy

import sim
from sim.errors import LatentAccessError
from sim.world import model
from sim.world.engine import World
from sim.world.firm import Firm
from sim.world.observed import FirmPort, Observed
from sim.world.rng import Streams

WORLD = Path(sim.__file__).resolve().parent / "world"
FAST_ENGINE = [
    "state.py",
    "logs.py",
    "lifecycle.py",
    "complaints.py",
    "surveys.py",
    "actions.py",
    "market.py",
    "engine.py",
    "tables.py",
]


def _port_members() -> set[str]:
    return {name for name in vars(FirmPort) if not name.startswith("_")}


def _world(policy: str | None = "vip_care", customers: int = 300, days: float = 200.0) -> tuple[World, Observed]:
    env = simpy.Environment()
    pol = sim.Policy.load(policy) if policy else None
    w = World(env, sim.Scenario.load("baseline"), customers, days, Streams(3), 1, policy=pol)
    port = Observed(w)
    if pol is not None:
        w.attach_firm(Firm(env, port, pol, Streams(3)))
    w.start()
    env.run(until=days)
    return w, port


# ---------------------------------------------------------------- the firm sees the world through its port
def test_the_firm_module_uses_only_the_port():
    """Read firm.py as a tree: every use of the port is a FirmPort member, and nothing private of
    another object (``obs._w``, ``ev._value``) is touched."""
    tree = ast.parse((WORLD / "firm.py").read_text(encoding="utf-8"))
    members = _port_members()

    # names bound to the port: `port = self.port`, `port, now = self.port, ...`
    def is_port(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "port"
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        )

    aliases = {"port"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and is_port(node.value):
                    aliases.add(target.id)
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for t, v in zip(target.elts, node.value.elts):
                        if isinstance(t, ast.Name) and is_port(v):
                            aliases.add(t.id)

    used = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if is_port(owner) or (isinstance(owner, ast.Name) and owner.id in aliases):
            used.add(node.attr)
            assert node.attr in members, f"firm.py line {node.lineno}: port.{node.attr} is not part of FirmPort"
        if node.attr.startswith("_") and not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
            raise AssertionError(f"firm.py line {node.lineno}: reaches into a private attribute .{node.attr}")
        assert node.attr not in ("_w", "world", "firm"), f"firm.py line {node.lineno}: .{node.attr}"
    assert used <= members and {"deliver", "order_frame", "acquired", "horizon"} <= used


@pytest.mark.parametrize(
    "module", ["firm.py", "firm_scores.py", "firm_models.py", "firm_loyalty.py", "firm_phases.py", "firm_management.py"]
)
def test_the_firm_modules_import_no_world_internals(module):
    """The firm (and its observed scoring) reach the world only through the port."""
    tree = ast.parse((WORLD / module).read_text(encoding="utf-8"))
    world_imports = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim.world"):
            world_imports.add(node.module)
            if node.module in ("sim.world.observed", "sim.world.firm_port"):
                assert {a.name for a in node.names} == {"FirmPort"}
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("sim.world") for a in node.names)
    allowed = {
        "sim.world.observed",
        "sim.world.firm_port",
        "sim.world.rng",
        "sim.world.model",
        "sim.world.firm_scores",
        "sim.world.firm_models",
        "sim.world.firm_loyalty",
        "sim.world.firm_phases",
        "sim.world.firm_management",
    }
    assert world_imports <= allowed, world_imports


def test_the_firm_is_constructed_on_a_port_and_attached_by_the_world():
    params = list(inspect.signature(Firm.__init__).parameters)
    assert params == ["self", "env", "port", "policy", "streams"]
    w, _ = _world()
    assert isinstance(w.firm, Firm)
    # the world called the firm back on every customer's orders (through the port's feed)
    assert set(w.firm.last_order) == set(np.asarray(w.logs.orders.customer).tolist())
    with pytest.raises(ValueError, match="already has a firm"):
        w.attach_firm(w.firm)


def test_observed_implements_every_member_of_the_port_with_its_signature():
    for name in _port_members():
        proto, impl = inspect.getattr_static(FirmPort, name), inspect.getattr_static(Observed, name)
        if isinstance(proto, property):
            assert isinstance(impl, property), name
        else:
            assert list(inspect.signature(impl).parameters) == list(inspect.signature(proto).parameters), name


# ---------------------------------------------------------------- the port hands out copies
def test_order_frame_is_a_copy():
    """Mutating what the port hands out never changes the world."""
    w, port = _world()
    orders = w.logs.orders
    before = (list(orders.customer), list(orders.t), list(orders.amount))
    frame = port.order_frame()
    assert len(frame) == len(orders) > 0
    for col, buf in zip(("i", "t", "amount"), (orders.customer, orders.t, orders.amount)):
        assert not np.shares_memory(frame[col].to_numpy(), np.frombuffer(buf, dtype=frame[col].dtype))
    frame["amount"] = 0.0
    frame.loc[0, "i"] = -5
    assert (list(orders.customer), list(orders.t), list(orders.amount)) == before
    acquired = port.acquired()
    acquired.clear()
    assert port.acquired() == w.customers.acquired() != []


def test_the_world_can_grow_after_a_frame_was_handed_out():
    """A view of a live ``array.array`` would forbid appending to it (BufferError)."""
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("baseline"), 200, 100.0, Streams(1), 1)
    port = Observed(w)
    w.start()
    env.run(until=50.0)
    frame = port.order_frame()  # kept alive while the world runs on
    env.run(until=100.0)
    assert len(w.logs.orders) > len(frame)


def test_the_port_refuses_latent_state_and_writes():
    _, port = _world(policy=None, days=30.0)
    for name in ("alive", "lam", "s", "customers", "logs", "lifecycle", "world", "_world"):
        with pytest.raises(LatentAccessError):
            getattr(port, name)
    with pytest.raises(AttributeError):
        port.__deepcopy__
    with pytest.raises(AttributeError):
        port.now = 3.0
    with pytest.raises(LatentAccessError):
        port.event(0, "true_churned", "")
    assert isinstance(port.consent(0), bool) and isinstance(port.birth_month(0), int)


# ---------------------------------------------------------------- the split world is still one world
def test_mechanisms_share_the_customer_lists_also_after_referrals():
    """Hot lists are bound onto the mechanisms; appending a referred customer grows the same lists."""
    w, _ = _world(policy=None, customers=2000, days=365.0)
    c, life = w.customers, w.lifecycle
    assert len(c) > c.n_paid  # some customers were referred
    for name in ("lam", "lp", "nu", "s0", "s", "st", "alive", "version", "mult", "member_drop", "member_discount"):
        assert getattr(life, name) is getattr(c, name), name
    lengths = {name: len(getattr(c, name)) for name in _list_attributes(c)}
    assert set(lengths.values()) == {len(c)}, lengths
    assert life.o_t is w.logs.orders.t and w.tickets is w.logs.tickets is w.complaints.tickets


def _list_attributes(c) -> list[str]:
    return [name for name in type(c).__slots__ if isinstance(getattr(c, name), list) and name != "channel_names"]


def test_hours_per_day_lives_in_the_model():
    from sim.world import desk

    assert desk.HOURS_PER_DAY is model.HOURS_PER_DAY == 24.0


# ---------------------------------------------------------------- every equation named
def test_every_inlined_equation_names_a_model_function():
    """A hot-path copy of an equation says which function of world/model/ it repeats."""
    named = set()
    for fname in FAST_ENGINE:
        text = (WORLD / fname).read_text(encoding="utf-8")
        for m in re.finditer(r"inlined: ((?:model\.\w+(?:, (?:then )?)?)+)", text):
            for fn in re.findall(r"model\.(\w+)", m.group(1)):
                assert fn in model.__all__, f"{fname}: 'inlined: model.{fn}' names no model function"
                named.add(fn)
    assert {
        "purchase_rate",
        "dropout_probability",
        "relaxed_satisfaction",
        "satisfaction_after",
        "order_amount",
        "complaint_probability",
        "is_promoter",
        "survey_response_probability",
        "nps_answer",
    } <= named


def test_mechanisms_carry_no_model_constants_as_bare_numbers():
    """Constants (24 hours, promoter threshold, epsilons, answer scales) come from world/model/
    or are named where they belong: besides named module constants (``UPPER_CASE = ...``), the only
    float literals left in the fast engine's mechanisms are 0.0 and 1.0."""
    for fname in FAST_ENGINE:
        tree = ast.parse((WORLD / fname).read_text(encoding="utf-8"))
        named = {
            id(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
        }
        floats = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, float) and id(node) not in named
        }
        assert floats <= {0.0, 1.0}, (fname, floats)
