"""Latent satisfaction snapshots: the truth that survey estimates over time are graded against.

Every ``satisfaction.snapshot_days`` (0 = off) the process records, for every acquired customer,
the latent satisfaction (:func:`~sim.world.model.relaxed_satisfaction` at that instant: the
quantity a survey answer at that time would read) and whether the customer is still alive. It is
vectorised (one NumPy pass per snapshot) and draws no random numbers. The rows become the latent
``snapshots`` table (:mod:`sim.schema`), which the firm-facing view drops.

Examples
--------
>>> import simpy, sim
>>> from sim.world.engine import World
>>> from sim.world.rng import Streams
>>> sc = sim.Scenario.load("baseline").updated({"satisfaction.snapshot_days": 30})
>>> env = simpy.Environment()
>>> w = World(env, sc, 200, 100.0, Streams(0), 1)
>>> w.start(); env.run(until=100.0)
>>> sorted(set(w.logs.snapshots.columns()[1].tolist()))
[30.0, 60.0, 90.0]
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.world.logs import SnapshotLog
from sim.world.state import Customers

__all__ = ["Snapshots", "snapshot_satisfaction"]


def snapshot_satisfaction(customers: Customers, idx: np.ndarray, now: float, satisfaction_on: bool) -> np.ndarray:
    """Latent satisfaction of customers ``idx`` at day ``now`` (vectorised :func:`~sim.world.model.relaxed_satisfaction`).

    Without the satisfaction mechanism every customer keeps their starting level ``s0``.

    Examples
    --------
    >>> import sim
    >>> from sim.world.population import draw_population
    >>> from sim.world.rng import Streams
    >>> c = Customers(draw_population(sim.Scenario.load("baseline"), 3, 30.0, Streams(0)), 0.01)
    >>> idx = np.arange(3)
    >>> bool(np.allclose(snapshot_satisfaction(c, idx, 50.0, True), np.array(c.s0)))   # nothing happened yet
    True
    """
    s0 = np.array(customers.s0, dtype=float)[idx]
    if not satisfaction_on:
        return s0
    s = np.array(customers.s, dtype=float)[idx]
    st = np.array(customers.st, dtype=float)[idx]
    # model.relaxed_satisfaction, vectorised
    return s0 + (s - s0) * np.exp(-customers.decay_rate * (now - st))


class Snapshots:
    """The snapshot process of one world.

    Parameters
    ----------
    env : simpy.Environment
    customers : Customers
    log : SnapshotLog
    every_days : float
        ``satisfaction.snapshot_days`` (> 0).
    satisfaction_on : bool
        ``satisfaction.enabled``.
    """

    def __init__(
        self, env: simpy.Environment, customers: Customers, log: SnapshotLog, every_days: float, satisfaction_on: bool
    ) -> None:
        if not every_days > 0.0:
            raise ValueError(f"snapshot_days must be > 0 to take snapshots, got {every_days!r}")
        self.env = env
        self.customers = customers
        self.log = log
        self.every = every_days
        self.sat_on = satisfaction_on

    def take(self) -> None:
        """Record every acquired customer's latent satisfaction and alive flag now."""
        c, now = self.customers, self.env.now
        idx = c.acquired_index()
        if idx.size == 0:
            return
        s = snapshot_satisfaction(c, idx, now, self.sat_on)
        self.log.add(now, idx, s, np.array(c.alive, dtype=bool)[idx])

    def process(self) -> Generator[Any, Any, None]:
        """Process: a snapshot every ``every_days`` (the first one after ``every_days``)."""
        while True:
            yield self.env.timeout(self.every)
            self.take()
