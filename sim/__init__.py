"""Retention Lab: a SimPy customer-lifecycle simulator and customer-retention analytics.

The public API::

    import sim
    sc = sim.Scenario.load("baseline")          # the world
    res = sim.run(sc, customers=5000, days=730, seed=1)
    res.customers, res.orders, res.tickets       # tidy tables (true_* = ground truth)
    res.observed()                               # what the firm can see
    res.kpis(), res.kpis(by="month")
"""

from sim.errors import ConfigError, DataError, RetentionLabError
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
    "ConfigError",
    "DataError",
    "LatentAccessError",
    "RetentionLabError",
    "__version__",
]
