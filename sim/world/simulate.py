"""Run one world of the fast engine from a scenario and a seed, and collect its tables.

Examples
--------
>>> import sim
>>> tables, info = simulate(sim.Scenario.load("baseline"), customers=200, days=180, seed=1)
>>> sorted(tables) == sorted(sim.schema.TABLE_NAMES), info["days"]
(True, 180)
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import simpy

from sim.config.scenario import Scenario
from sim.world.engine import World
from sim.world.firm import Firm
from sim.world.model import scaled_agents
from sim.world.observed import Observed
from sim.world.rng import Streams
from sim.world.tables import build_tables

__all__ = ["simulate", "desk_agents"]


def desk_agents(sc: Scenario, customers: int) -> int:
    """Agents on duty for a run with ``customers`` paid customers.

    With ``desk.scale_with_customers`` the scenario's ``desk.agents`` is the staffing for
    ``population.customers`` and is scaled in proportion (at least one agent).

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline")
    >>> desk_agents(sc, sc.population.customers) == sc.desk.agents
    True
    """
    if not sc.desk.scale_with_customers:
        return sc.desk.agents
    return scaled_agents(sc.desk.agents, customers, sc.population.customers)


def simulate(
    sc: Scenario,
    *,
    customers: int,
    days: float,
    seed: int,
    progress: bool = False,
    policy: Any = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Simulate and return ``(tables, info)``; used by :func:`sim.run`.

    Parameters
    ----------
    sc : Scenario
    customers : int
        Paid customers acquired over the horizon (referred customers come on top).
    days : float
        Horizon in days.
    seed : int
        Seeds the run's named random streams (:class:`~sim.world.rng.Streams`).
    progress : bool
        Show a progress bar.
    policy : Policy, optional
        A policy that is not a no-op gets a :class:`~sim.world.firm.Firm` acting through
        :class:`~sim.world.observed.Observed`.

    Returns
    -------
    tables : dict of DataFrame
        The seven tables of :mod:`sim.schema`.
    info : dict
        ``agents``, ``agent_days_per_day``, ``customers``, ``days``, ``seed``, ``events_processed``,
        ``desk_busy_days``, ``backlog_at_end``, ``wall_seconds``.
    """
    t0 = time.perf_counter()
    env = simpy.Environment()
    streams = Streams(seed)
    agents = desk_agents(sc, customers)
    world = World(env, sc, customers, days, streams, agents, policy=policy)
    if policy is not None and not policy.is_noop():
        world.attach_firm(Firm(env, Observed(world), policy, streams))
    world.start()
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("simulating"),
            BarColumn(),
            TextColumn("day {task.completed:.0f}/{task.total:.0f}"),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("sim", total=days)
            steps = 50
            for k in range(1, steps + 1):
                env.run(until=days * k / steps)
                bar.update(task, completed=days * k / steps)
    else:
        env.run(until=days)
    tables = build_tables(world.customers, world.logs, sc, days, world.complaints.sla_h)
    logs = world.logs
    info = {
        "agents": agents,
        "agent_days_per_day": world.desk.agent_days_per_day,
        "customers": customers,
        "days": days,
        "seed": seed,
        "events_processed": len(logs.orders) + 2 * len(logs.tickets) + len(logs.events),
        "desk_busy_days": world.desk.busy_time,
        "backlog_at_end": world.desk.backlog,
        "wall_seconds": time.perf_counter() - t0,
    }
    return tables, info
