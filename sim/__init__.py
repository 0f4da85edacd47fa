"""Retention Lab: a SimPy customer-lifecycle simulator and customer-retention analytics.

The public API::

    import sim
    sc = sim.Scenario.load("baseline")          # the world
    res = sim.run(sc, customers=5000, days=730, seed=1)
    res.customers, res.orders, res.tickets       # tidy tables (true_* = ground truth)
    res.observed()                               # what the firm can see
    res.kpis(), res.kpis(by="month")
    sim.kpi_table(res.kpis())                    # a formatted KPI / value / unit table
    cmp = sim.compare(sc, {"now": "do_nothing", "vip": "vip_care"}, replications=20, seed=1, engine="process")
    cmp.summary, cmp.plot(), cmp.to_dir("runs/vip")

The names are imported on first use (PEP 562), so ``import sim`` and the ``retention-lab``
command start without loading pandas, numpy, SimPy or SciPy; ``from sim import run``,
``sim.Scenario`` and ``dir(sim)`` work as usual.

Examples
--------
>>> import sim
>>> "run" in dir(sim) and sim.run.__module__ == "sim.runner"
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim._version import __version__
from sim.errors import ConfigError, DataError, LatentAccessError, NotFittedError, RetentionLabError

if TYPE_CHECKING:  # what a type checker (and a reader) sees; at run time the names load lazily
    from sim.config import Policy, Scenario
    from sim.experiments import Comparison, Sweep, compare, sweep
    from sim.experiments.calibrate import calibrate
    from sim.experiments.optimize import Optimization, optimize
    from sim.results import Result, kpi_table
    from sim.runner import run
    from sim.world.observed import FirmView

__all__ = [
    "Scenario",
    "Policy",
    "Result",
    "FirmView",
    "run",
    "compare",
    "sweep",
    "Comparison",
    "Sweep",
    "optimize",
    "Optimization",
    "kpi_table",
    "calibrate",
    "ConfigError",
    "DataError",
    "LatentAccessError",
    "RetentionLabError",
    "NotFittedError",
    "__version__",
]

#: Public name -> the module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "Scenario": "sim.config",
    "Policy": "sim.config",
    "Result": "sim.results",
    "FirmView": "sim.world.observed",
    "run": "sim.runner",
    "compare": "sim.experiments",
    "sweep": "sim.experiments",
    "Comparison": "sim.experiments",
    "Sweep": "sim.experiments",
    "optimize": "sim.experiments.optimize",
    "Optimization": "sim.experiments.optimize",
    "kpi_table": "sim.results",
    "calibrate": "sim.experiments.calibrate",
}

#: Sub-packages reachable as attributes (``sim.analysis.rfm``) without an explicit import.
_SUBMODULES = frozenset(
    {
        "analysis",
        "cli",
        "config",
        "datasets",
        "experiments",
        "formatting",
        "results",
        "runner",
        "schema",
        "teach",
        "widgets",
        "world",
    }
)


def __getattr__(name: str) -> Any:
    """Import a public name or a sub-package the first time it is used, then cache it."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"sim.{name}")
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
