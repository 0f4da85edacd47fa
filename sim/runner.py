"""``sim.run``: one simulation of a scenario and a policy with a seed.

(The module is called ``runner`` rather than ``run`` so that it does not shadow the
function ``sim.run``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.results.result import Result
from sim.world.simulate import simulate

__all__ = ["run"]

#: Runs bigger than this many customer-days show a progress bar when ``progress=None``.
PROGRESS_THRESHOLD = 20_000 * 365


def run(
    scenario: Scenario | str | Path = "baseline",
    policy: Any = None,
    *,
    customers: int | None = None,
    days: float | None = None,
    seed: int = 0,
    progress: bool | None = False,
) -> Result:
    """Simulate a customer base and return its tables and KPIs.

    Parameters
    ----------
    scenario : Scenario, preset name or YAML path
        The world (default ``"baseline"``).
    policy : Policy, optional
        What the firm does besides answering tickets (``None``: nothing).
    customers : int, optional
        Paid customers acquired over the horizon (default ``scenario.population.customers``).
    days : float, optional
        Horizon in days (default ``scenario.horizon_days``).
    seed : int
        Same seed, same tables — on every engine.
    progress : bool or None
        Show a progress bar (``None``: only for large runs).

    Returns
    -------
    Result

    Examples
    --------
    >>> import sim
    >>> res = sim.run("baseline", customers=500, days=180, seed=1)
    >>> res.orders.equals(sim.run("baseline", customers=500, days=180, seed=1).orders)
    True
    """
    sc = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
    n = sc.population.customers if customers is None else customers
    horizon = sc.horizon_days if days is None else days
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"customers={n!r} is not allowed: give a whole number >= 1")
    if not isinstance(horizon, (int, float)) or isinstance(horizon, bool) or not 0 < horizon <= 3650:
        raise ConfigError(f"days={horizon!r} is not allowed: give a number of days in (0, 3650]")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed={seed!r} is not allowed: give a whole number >= 0")
    if policy is not None:
        from sim.config.policy import Policy

        if not isinstance(policy, Policy):
            policy = Policy.load(policy)
    sc = sc.updated({"horizon_days": float(horizon)})
    if progress is None:
        progress = n * horizon > PROGRESS_THRESHOLD
    tables, info = simulate(sc, customers=n, days=float(horizon), seed=seed, progress=progress, policy=policy)
    return Result(**tables, scenario=sc, seed=seed, agents=info["agent_days_per_day"], policy=policy, info=info)
