"""``sim.run``: one simulation of a scenario and a policy with a seed.

(The module is called ``runner`` rather than ``run`` so that it does not shadow the
function ``sim.run``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.results.result import Result
from sim.world.simulate import simulate

__all__ = ["run", "check_whole", "check_days"]

#: Runs bigger than this many customer-days show a progress bar when ``progress=None``.
PROGRESS_THRESHOLD = 20_000 * 365


def check_whole(name: str, value: Any, low: int) -> int:
    """A whole-number argument (``customers``, ``seed``, ``replications`` ...) checked to be ``>= low``.

    Examples
    --------
    >>> check_whole("seed", 3, 0)
    3
    >>> check_whole("customers", 0, 1)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: customers=0 is not allowed: give a whole number >= 1
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ConfigError(f"{name}={value!r} is not allowed: give a whole number >= {low}")
    return int(value)


def check_days(days: Any) -> float:
    """A run's horizon in days, checked to lie in (0, 3650].

    Examples
    --------
    >>> check_days(730)
    730.0
    """
    ok = isinstance(days, (int, float, np.integer, np.floating)) and not isinstance(days, bool)
    if not ok or not 0 < days <= 3650:
        raise ConfigError(f"days={days!r} is not allowed: give a number of days in (0, 3650]")
    return float(days)


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
    n = check_whole("customers", n, 1)
    horizon = check_days(horizon)
    seed = check_whole("seed", seed, 0)
    if policy is not None:
        if not isinstance(policy, Policy):
            policy = Policy.load(policy)
    sc = sc.updated({"horizon_days": float(horizon)})
    if progress is None:
        progress = n * horizon > PROGRESS_THRESHOLD
    tables, info = simulate(sc, customers=n, days=float(horizon), seed=seed, progress=progress, policy=policy)
    return Result(**tables, scenario=sc, seed=seed, agents=info["agent_days_per_day"], policy=policy, info=info)
