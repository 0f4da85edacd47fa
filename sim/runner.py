"""``sim.run``: one simulation of a scenario and a policy with a seed.

(The module is called ``runner`` rather than ``run`` so that it does not shadow the
function ``sim.run``.)
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from sim.config.arguments import as_policy, as_scenario, check_customers, check_days, check_seed, check_whole
from sim.config.limits import short
from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.results.result import Result
from sim.world.simulate import simulate

__all__ = ["run", "check_whole", "check_days"]

#: Runs bigger than this many customer-days show a progress bar when ``progress=None``.
PROGRESS_THRESHOLD = 20_000 * 365


def run(
    scenario: Scenario | str | Path = "baseline",
    policy: Policy | str | Path | None = None,
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
    sc = as_scenario(scenario)
    n = check_customers(sc.population.customers if customers is None else customers)
    horizon = check_days(sc.horizon_days if days is None else days)
    seed = check_seed(seed)
    policy = as_policy(policy)
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise ConfigError(f"progress={short(progress)} is not allowed: give True, False or None (only large runs)")
    progress = None if progress is None else bool(progress)
    sc = sc.updated({"horizon_days": float(horizon)})
    late = [c.name for c in policy.campaigns if c.day >= horizon] if policy is not None else []
    if late:  # not an error (a preset must run at any horizon), but never silent
        warnings.warn(
            f"campaign(s) {', '.join(late)} fall on or after the horizon (day {float(horizon):g}) and are not run:"
            " lengthen days= or move the campaign's day",
            UserWarning,
            stacklevel=2,
        )
    if progress is None:
        progress = n * horizon > PROGRESS_THRESHOLD
    tables, info = simulate(sc, customers=n, days=float(horizon), seed=seed, progress=progress, policy=policy)
    return Result(**tables, scenario=sc, seed=seed, agents=info["agent_days_per_day"], policy=policy, info=info)
