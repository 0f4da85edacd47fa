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

from sim.errors import ConfigError, DataError, RetentionLabError
from sim.experiment import Comparison, Sweep, compare, sweep
from sim.policy import Policy
from sim.result import FirmView, LatentAccessError, Result
from sim.runner import run
from sim.scenario import Scenario

from sim._version import __version__

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
    "__version__",
]
