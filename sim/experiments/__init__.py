"""Experiments: replicate runs, compare policies, sweep parameters — on one core, a pool or Dask.

Modules::

    comparison   compare(), Comparison: arms with common random numbers, paired and Welch CIs
    sweeps       sweep(), Sweep: a grid of scenario / policy fields
    stats        summarize(): t-intervals, paired differences (scipy)
    engines      run_task() (the unit of work) and the local / process / dask engines
    report       the self-contained HTML report (jinja2 templates in templates/)
    output       the files an experiment writes
    tournament   tournament.tournament(), Tournament: teams' policy YAML on hidden seeds, a leaderboard
                 with ties (the function is not re-exported here: it would hide its module's name)
    optimize     optimize.optimize() (as ``sim.optimize``; not re-exported here, for the same reason),
                 Optimization: seeded TPE search of levers, finalists re-run on fresh seeds
    calibrate    calibrate.calibrate() (as ``sim.calibrate``; not re-exported here, for the same reason),
                 CalibratedScenario / CalibrationReport: a Scenario fitted to a user's order log

Examples
--------
>>> from sim.experiments import compare
>>> cmp = compare("baseline", {"do_nothing": "do_nothing", "vip": "vip_care"},
...               replications=2, customers=200, days=60, seed=2, progress=False)
>>> cmp.baseline
'do_nothing'
"""

from sim.experiments._args import replication_seeds
from sim.experiments.calibrate_report import CalibratedScenario, CalibrationReport
from sim.experiments.comparison import Comparison, compare
from sim.experiments.engines import ENGINES, run_task
from sim.experiments.optimize_result import Optimization
from sim.experiments.stats import summarize
from sim.experiments.sweeps import Sweep, expand_grid, resolve_path, sweep
from sim.experiments.tournament import Tournament

__all__ = [
    "ENGINES",
    "Comparison",
    "Sweep",
    "Tournament",
    "Optimization",
    "CalibratedScenario",
    "CalibrationReport",
    "compare",
    "sweep",
    "summarize",
    "replication_seeds",
    "run_task",
    "expand_grid",
    "resolve_path",
]
