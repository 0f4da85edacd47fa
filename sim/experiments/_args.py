"""Shared argument handling of :func:`~sim.experiments.compare` and :func:`~sim.experiments.sweep`.

Validation (a :class:`~sim.errors.ConfigError` naming the argument, its value and what is
allowed), replication seeds (common random numbers) and the plain-data tasks every engine runs.

Examples
--------
>>> replication_seeds(1, 3) == replication_seeds(1, 10)[:3]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis._validate import check_confidence  # one check of a confidence level for the whole API
from sim.config import arguments
from sim.config.arguments import check_customers, check_days, check_replications, check_seed
from sim.config.arguments import check_whole as check_int
from sim.config.limits import MAX_RUNS, short
from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.schema import HEADLINE_KPIS, OVERALL_KPIS

__all__ = [
    "Arm",
    "replication_seeds",
    "check_int",
    "check_seed",
    "check_replications",
    "check_size",
    "check_runs",
    "check_kpis",
    "check_confidence",
    "as_scenario",
    "as_policy",
    "make_tasks",
    "show_progress",
    "plot_kpis",
    "PROGRESS_THRESHOLD",
]

#: One arm of an experiment: the world it runs in and the firm's policy (``None``: no policy).
Arm = tuple[Scenario, Policy | None]

#: Replications x customers x days above which a progress bar is shown when ``progress=None``.
PROGRESS_THRESHOLD = 5_000 * 730 * 8


def replication_seeds(seed: int, n: int) -> list[int]:
    """Seeds of replications ``0 .. n-1``, shared by every arm (common random numbers).

    ``numpy.random.SeedSequence(seed).generate_state(n)``; the first ``k`` seeds do not depend
    on ``n``.

    Examples
    --------
    >>> replication_seeds(1, 3) == replication_seeds(1, 10)[:3]
    True
    >>> len(set(replication_seeds(0, 1000)))
    1000
    """
    check_seed(seed)
    check_replications(n)
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(n, dtype=np.uint32)]


def as_scenario(s: Scenario | str | Path, where: str = "scenario") -> Scenario:
    """The scenario argument (a Scenario, a preset name or a YAML path), as in ``sim.run``."""
    return arguments.as_scenario(s, where)


def as_policy(p: Policy | str | Path | None, where: str) -> Policy | None:
    """A policy argument (``None``: no policy), as in ``sim.run``; ``where`` names it in errors."""
    extra = " or a (Scenario, Policy) pair" if where.startswith("policies[") else ""
    return arguments.as_policy(p, where, extra=extra)


def check_kpis(kpis: Sequence[str] | None) -> list[str] | None:
    if kpis is None:
        return None
    if isinstance(kpis, str):
        kpis = [kpis]
    if not isinstance(kpis, (list, tuple)):
        raise ConfigError(f"kpis={short(kpis)} is not allowed: give a KPI name or a list of them")
    bad = [k for k in kpis if k not in OVERALL_KPIS]
    if bad or not kpis:
        raise ConfigError(f"kpis={short(list(kpis))}: unknown KPI(s) {short(bad)}; allowed: {list(OVERALL_KPIS)}")
    return list(kpis)


def make_tasks(
    arms: dict[str, Arm], seeds: list[int], customers: int | None, days: float | None, kpis: list[str] | None
) -> list[dict[str, Any]]:
    tasks = []
    for name, (sc, pol) in arms.items():
        sd, pd_ = sc.to_dict(), (None if pol is None else pol.to_dict())
        for k, s in enumerate(seeds):
            tasks.append(
                {
                    "arm": name,
                    "replication": k,
                    "seed": s,
                    "scenario": sd,
                    "policy": pd_,
                    "customers": customers,
                    "days": days,
                    "kpis": kpis,
                }
            )
    return tasks


def check_size(customers: int | None, days: float | None) -> None:
    """``customers`` and ``days`` of an experiment: ``None`` (the scenario's) or within the run limits."""
    if customers is not None:
        check_customers(customers)
    if days is not None:
        check_days(days)


def check_runs(n_arms: int, replications: int, what: str = "arms") -> None:
    """Refuse an experiment of more than :data:`~sim.config.limits.MAX_RUNS` simulations.

    Examples
    --------
    >>> check_runs(3, 1000)
    >>> check_runs(10_000, 100)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: 10,000 arms x 100 replications = 1,000,000 runs; at most 100,000 are allowed
    """
    if n_arms * replications > MAX_RUNS:
        raise ConfigError(
            f"{n_arms:,} {what} x {replications:,} replications = {n_arms * replications:,} runs; "
            f"at most {MAX_RUNS:,} are allowed"
        )


def show_progress(progress: bool | None, n_tasks: int, customers: int, days: float) -> bool:
    if progress is None:
        return n_tasks * customers * days > PROGRESS_THRESHOLD
    return bool(progress)


def plot_kpis(kpis: Sequence[str] | str | None, available: list[str]) -> list[str]:
    if kpis is None:
        out = [k for k in HEADLINE_KPIS if k in available][:4] or available[:4]
    else:
        out = [kpis] if isinstance(kpis, str) else list(kpis)
    bad = [k for k in out if k not in available]
    if bad or not out:
        raise ConfigError(f"kpis={short(out)}: not computed in this experiment {short(bad)}; available: {available}")
    return out
