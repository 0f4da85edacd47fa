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
from sim.world.loop import gc_paused, run_until
from sim.world.model import desk_share, scaled_agents
from sim.world.observed import Observed
from sim.world.rng import Streams
from sim.world.tables import build_tables

__all__ = ["simulate", "desk_agents", "desk_staffing"]


def desk_staffing(sc: Scenario, customers: int) -> tuple[int, float | None]:
    """``(agents per team, reference desks staffed)`` for a run with ``customers`` paid customers.

    With ``desk.scale_with_customers`` the scenario's ``desk.agents`` staff a reference desk for
    ``population.customers`` and the firm staffs :func:`~sim.world.model.desk_share` of them
    (teams of the reference size, one possibly shared; cost in proportion); otherwise one desk of
    ``desk.agents`` (share ``None``).

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline")
    >>> desk_staffing(sc, 2_000), desk_staffing(sc.updated({"desk.scale_with_customers": False}), 2_000)
    ((1, 0.4), (1, None))
    """
    if not sc.desk.scale_with_customers:
        return sc.desk.agents, None
    return sc.desk.agents, desk_share(customers, sc.population.customers)


def desk_agents(sc: Scenario, customers: int) -> int:
    """Whole agents of an own desk for ``customers`` paid customers (the bare-loop benchmark's desk).

    The simulator itself staffs continuously (:func:`desk_staffing`); this rounds the same
    staffing to whole agents (at least one).

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
        The tables of :mod:`sim.schema` (:data:`~sim.schema.TABLE_NAMES`).
    info : dict
        ``agents`` (per team), ``desk_share``, ``agent_days_per_day`` (paid for), ``customers``, ``days``, ``seed``, ``events_processed``,
        ``desk_busy_days``, ``backlog_at_end``, ``wall_seconds``.
    """
    t0 = time.perf_counter()
    with gc_paused():  # a run makes (almost) no garbage cycles: see sim.world.loop.gc_paused
        env = simpy.Environment()
        streams = Streams(seed)
        agents, share = desk_staffing(sc, customers)
        world = World(env, sc, customers, days, streams, agents, policy=policy, share=share)
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
                    run_until(env, days * k / steps)
                    bar.update(task, completed=days * k / steps)
        else:
            run_until(env, days)
        tables = build_tables(
            world.customers, world.logs, sc, days, world.complaints.sla_h, funnel_rng=streams.generator("funnel")
        )
    logs = world.logs
    info = {
        "agents": agents,
        "desk_share": share,
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
