"""Shared fixtures: small simulated worlds, cached per test session; the suite's grouping under xdist.

``make test`` runs the suite on every core with pytest-xdist (cores + 1 workers, ``--dist loadgroup``). Each
worker is its own process with its own session: the session fixtures below are rebuilt per worker
(they are deterministic and cost a few seconds, so nothing is shared through files). Tests that start
heavy processes or race the clock — a real Dask cluster, JupyterLab and Chromium, SIGINT/SIGKILL at
measured moments — all run on one worker, one after another (the ``xdist_group`` below), never
alongside each other. ``make test PYTEST_ARGS=-n0`` runs the suite serially.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import sim

#: Markers of tests that must not run alongside each other (see the module docstring).
SERIAL_MARKERS = ("cluster", "interrupts", "browser")
#: The xdist group they share: one worker runs them in collection order.
SERIAL_GROUP = "processes"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its own hook runs later)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put every test marked ``cluster``, ``interrupts`` or ``browser`` into the :data:`SERIAL_GROUP`.

    In an xdist worker under ``--dist loadgroup`` it also gives every grouped test its group suffix
    (``nodeid@group``, what the scheduler groups by): pytest-xdist 3.8 sets ``item._nodeid``, which
    pytest 9 no longer reads (the node id lives in ``item._id``), so without this no group holds.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is None and any(item.get_closest_marker(m) for m in SERIAL_MARKERS):
            item.add_marker(pytest.mark.xdist_group(SERIAL_GROUP))
    if not getattr(config.option, "loadgroup", False):  # set in xdist workers only
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(sorted(names))}")


@pytest.fixture(scope="session")
def baseline_small() -> sim.Result:
    """The baseline retailer, 3 000 customers over two years (about a tenth of a second)."""
    return sim.run("baseline", customers=3000, days=730, seed=11)


@pytest.fixture(scope="session")
def btyd_large() -> sim.Result:
    """Pure BG/NBD + Gamma-Gamma: 20 000 customers acquired at day 0, two years."""
    return sim.run("btyd_only", customers=20000, days=730, seed=5)
