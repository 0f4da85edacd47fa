"""The import contract: one concept per package, imports flowing one way, no cycles.

Layers, lowest first (a module may import from its own package and from lower layers only)::

    0  foundation   sim._version, sim.errors, sim.schema (data dictionary, KPI units); then sim.formatting
    1  analysis     sim.analysis      - a library for any user's data: sim.errors and itself only
    2  config       sim.config        - Scenario, Policy, presets
    3  world        sim.world         - the model, the engines, the firm, the firm's view
    4  results      sim.results; then sim.runner (sim.run)
    5  experiments  sim.experiments   | datasets  sim.datasets   (independent of each other); then sim.widgets
    6  teach        sim.teach
    7  cli          sim.cli; then sim.__main__
       facade       sim (the package __init__) re-exports the public API; nothing inside imports it

Analysis sits low on purpose: the simulated firm scores its customers with the same BG/NBD and
RFM code a trainee uses (a real firm would), so the world may call it, and it stays usable on
real data because it depends on nothing but the error types.

Every import statement counts: module level, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "sim"

LAYERS: dict[str, float] = {
    "sim._version": 0,
    "sim._atomic": 0.5,
    "sim.errors": 0,
    "sim.schema": 0,
    "sim.formatting": 0.5,
    "sim.analysis": 1,
    "sim.config": 2,
    "sim.world": 3,
    "sim.results": 4,
    "sim.runner": 4.5,
    "sim.experiments": 5,
    "sim.datasets": 5,
    "sim.widgets": 5.5,
    "sim.teach": 6,
    "sim.cli": 7,
    "sim.__main__": 7.5,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The module (or package) of ``sim`` that ``name`` refers to, if any."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, source: str | None = None) -> set[str]:
    """Every ``sim`` module imported anywhere in ``module`` (packages as their ``__init__``).

    ``source`` replaces the file's text (to test the scanner itself).
    """
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8") if source is None else source)
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sim" or alias.name.startswith("sim."):
                    target = _resolve(alias.name)
                    if target:
                        out.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                src = ".".join(base + ([node.module] if node.module else []))
            else:
                src = node.module or ""
            if not (src == "sim" or src.startswith("sim.")):
                continue
            for alias in node.names:
                target = _resolve(f"{src}.{alias.name}") if f"{src}.{alias.name}" in MODULES else _resolve(src)
                if target:
                    out.add(target)
    out.discard(module)
    return out


GRAPH: dict[str, set[str]] = {m: imports_of(m) for m in MODULES}


def layer_of(module: str) -> tuple[str, float]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise KeyError(module)


def test_every_module_belongs_to_a_layer():
    unassigned = []
    for m in MODULES:
        if m == "sim":
            continue
        try:
            layer_of(m)
        except KeyError:
            unassigned.append(m)
    assert not unassigned, f"modules outside every layer (add them to LAYERS and the docs): {unassigned}"


def violations(module: str, deps: set[str]) -> list[str]:
    """The imports of ``module`` that go up or sideways across the layers."""
    home, rank = layer_of(module)
    bad = []
    for dep in sorted(deps):
        if dep == "sim":
            bad.append(f"{dep} (the facade: import the module that defines the name)")
            continue
        dep_home, dep_rank = layer_of(dep)
        if dep_home == home:
            continue
        if dep_rank > rank or (dep_rank == rank and dep_home != home):
            bad.append(f"{dep} (layer {dep_home}, {dep_rank} >= {rank})")
    return bad


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "sim"))
def test_imports_flow_down_the_layers(module):
    bad = violations(module, GRAPH[module])
    assert not bad, f"{module} ({layer_of(module)}) imports upward or sideways: {bad}"


def test_analysis_depends_on_nothing_but_errors():
    for m in MODULES:
        if m == "sim.analysis" or m.startswith("sim.analysis."):
            foreign = {d for d in GRAPH[m] if not (d == "sim.errors" or d.startswith("sim.analysis"))}
            assert not foreign, f"{m} imports {sorted(foreign)}; analysis may use sim.errors only"


def test_no_import_cycles():
    sorter = graphlib.TopologicalSorter(GRAPH)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_contract_can_fail():
    """Upward imports hidden in a function, under TYPE_CHECKING, relative or sideways are all caught."""
    sneaky = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sim.cli import app\n"
        "def f():\n    import sim.experiments.report\n    from ..results import result\n"
        "    from sim import run\n"
    )
    deps = imports_of("sim.world.firm", sneaky)
    assert {"sim.cli", "sim.experiments.report", "sim.results.result", "sim"} <= deps
    bad = violations("sim.world.firm", deps)
    assert len(bad) == 4, bad
    assert violations("sim.datasets.retail", {"sim.experiments.comparison"})  # sideways: same layer
    assert not violations("sim.world.firm", {"sim.analysis.clv", "sim.config.policy", "sim.world.observed"})
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter({"a": {"b"}, "b": {"a"}}).prepare()


def test_public_names_survive_the_reshape():
    """What notebooks and users import keeps working: the top-level API, analysis modules and loaders."""
    import importlib

    import sim

    for name in ("run", "Scenario", "Policy", "compare", "sweep", "Result", "Comparison", "Sweep", "FirmView"):
        assert hasattr(sim, name), name
    for mod in ("rfm", "tiers", "clv", "cohorts", "survival", "churn", "satisfaction", "abtest", "roi", "quality"):
        assert importlib.import_module(f"sim.analysis.{mod}") is getattr(sim.analysis, mod)
    for mod in ("privacy", "queueing"):
        importlib.import_module(f"sim.analysis.{mod}")
    from sim import datasets

    for loader in ("load_retail", "load_retail_truth", "load_crm_extract", "load_crm_answer_key"):
        assert callable(getattr(datasets, loader)), loader
