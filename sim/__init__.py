"""Retention Lab: a SimPy customer-lifecycle simulator and customer-retention analytics.

The public API::

    import sim
    sc = sim.Scenario.load("baseline")          # the world
    res = sim.run(sc, customers=5000, days=730, seed=1)
    res.customers, res.orders, res.tickets       # tidy tables (true_* = ground truth)
    res.observed()                               # what the firm can see
    res.kpis(), res.kpis(by="month")
    cmp = sim.compare(sc, {"now": "do_nothing", "vip": "vip_care"}, replications=20, seed=1, engine="process")
    cmp.summary, cmp.plot(), cmp.to_dir("runs/vip")
"""

from sim._version import __version__
from sim.config import Policy, Scenario
from sim.errors import ConfigError, DataError, LatentAccessError, NotFittedError, RetentionLabError
from sim.experiments import Comparison, Sweep, compare, sweep
from sim.results import Result
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
    "ConfigError",
    "DataError",
    "LatentAccessError",
    "RetentionLabError",
    "NotFittedError",
    "__version__",
]
