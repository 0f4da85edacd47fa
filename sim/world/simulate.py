"""Run one world from a scenario and a seed, and collect its tables."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import simpy

from sim.config.scenario import Scenario
from sim.world.firm import Firm
from sim.world.lifecycle import World
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
    return max(1, int(round(sc.desk.agents * customers / sc.population.customers)))


def simulate(
    sc: Scenario,
    *,
    customers: int,
    days: float,
    seed: int,
    progress: bool = False,
    policy: Any = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Simulate and return ``(tables, info)``; used by :func:`sim.run`."""
    t0 = time.perf_counter()
    env = simpy.Environment()
    streams = Streams(seed)
    agents = desk_agents(sc, customers)
    world = World(env, sc, customers, days, streams, agents, policy=policy)
    if policy is not None and not policy.is_noop():
        Firm(env, world, policy, streams)
    for ev in sc.market_events:
        env.process(world.market(ev))
    world.start_acquisition()
    if sc.surveys.enabled:
        env.process(world.relationship_surveys())
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("simulating"), BarColumn(), TextColumn("day {task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("sim", total=days)
            steps = 50
            for k in range(1, steps + 1):
                env.run(until=days * k / steps)
                bar.update(task, completed=days * k / steps)
    else:
        env.run(until=days)
    tables = build_tables(world, sc, days)
    info = {
        "agents": agents,
        "agent_days_per_day": world.desk.agent_days_per_day,
        "customers": customers,
        "days": days,
        "seed": seed,
        "events_processed": len(world.o_t) + 2 * len(world.tickets) + len(world.ev_t),
        "desk_busy_days": world.desk.busy_time,
        "backlog_at_end": world.desk.backlog,
        "wall_seconds": time.perf_counter() - t0,
    }
    return tables, info
