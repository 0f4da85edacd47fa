"""Checks of the arguments of ``sim.run``, ``compare`` and ``sweep``: one place, one set of limits.

Every check raises :class:`~sim.errors.ConfigError` naming the argument, a short excerpt of
the value and what is allowed. Whole numbers may be Python or numpy integers (never booleans);
the limits are those of the scenario fields (:mod:`sim.config.limits`).

Examples
--------
>>> import numpy as np
>>> check_customers(np.int64(500)), check_seed(np.uint32(7)), check_days(365)
(500, 7, 365.0)
>>> check_customers(10**9)
Traceback (most recent call last):
...
sim.errors.ConfigError: customers=1000000000 is not allowed: give a whole number in [1, 10000000]
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.limits import MAX_CUSTOMERS, MAX_DAYS, MAX_REPLICATIONS, MAX_SEED, short
from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError

__all__ = [
    "check_whole",
    "check_days",
    "check_customers",
    "check_seed",
    "check_replications",
    "as_scenario",
    "as_policy",
]


def check_whole(name: str, value: Any, low: int, high: int | None = None) -> int:
    """A whole-number argument checked to lie in ``[low, high]`` (numpy integers welcome).

    Examples
    --------
    >>> check_whole("seed", 3, 0)
    3
    >>> check_whole("customers", 0, 1)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: customers=0 is not allowed: give a whole number >= 1
    >>> check_whole("replications", True, 1)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: replications=True is not allowed: give a whole number >= 1 (not a bool)
    """
    allowed = f"a whole number >= {low}" if high is None else f"a whole number in [{low}, {high}]"
    if isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"{name}={value!r} is not allowed: give {allowed} (not a bool)")
    if not isinstance(value, (int, np.integer)):
        kind = type(value).__name__
        raise ConfigError(f"{name}={short(value)} is not allowed: give {allowed} (got a {kind})")
    v = int(value)
    if v < low or (high is not None and v > high):
        raise ConfigError(f"{name}={short(v)} is not allowed: give {allowed}")
    return v


def check_customers(value: Any) -> int:
    """``customers=``: a whole number in [1, :data:`~sim.config.limits.MAX_CUSTOMERS`].

    Examples
    --------
    >>> check_customers(5000)
    5000
    """
    return check_whole("customers", value, 1, MAX_CUSTOMERS)


def check_seed(value: Any) -> int:
    """``seed=``: a whole number in [0, 2**63 - 1].

    Examples
    --------
    >>> check_seed(0)
    0
    """
    return check_whole("seed", value, 0, MAX_SEED)


def check_replications(value: Any) -> int:
    """``replications=``: a whole number in [1, :data:`~sim.config.limits.MAX_REPLICATIONS`].

    Examples
    --------
    >>> check_replications(8)
    8
    """
    return check_whole("replications", value, 1, MAX_REPLICATIONS)


def check_days(days: Any, name: str = "days") -> float:
    """A run's horizon in days, a finite number in (0, 3650] (the scenario's ``horizon_days`` range).

    Examples
    --------
    >>> check_days(730)
    730.0
    >>> check_days(float("nan"))
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: days=nan is not allowed: give a number of days in (0, 3650]
    """
    ok = isinstance(days, (int, float, np.integer, np.floating)) and not isinstance(days, (bool, np.bool_))
    try:
        value = float(days) if ok else math.nan
    except OverflowError:  # an integer too large for a float
        value = math.inf
    if not (math.isfinite(value) and 0 < value <= MAX_DAYS):
        raise ConfigError(f"{name}={short(days)} is not allowed: give a number of days in (0, {MAX_DAYS:g}]")
    return value


def as_scenario(value: Any, name: str = "scenario") -> Scenario:
    """A :class:`Scenario` from a scenario, a preset name or a YAML path.

    Examples
    --------
    >>> as_scenario("baseline").name
    'baseline'
    >>> as_scenario(None)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: scenario=None is not allowed: give a Scenario, a preset name or a YAML path
    """
    if isinstance(value, Scenario):
        return value
    if isinstance(value, (str, Path)):
        return Scenario.load(value)
    raise ConfigError(f"{name}={short(value)} is not allowed: give a Scenario, a preset name or a YAML path")


def as_policy(value: Any, name: str = "policy", *, extra: str = "") -> Policy | None:
    """A :class:`Policy` (or ``None``: no policy) from a policy, a preset name or a YAML path.

    Examples
    --------
    >>> as_policy("vip_care").name, as_policy(None)
    ('vip_care', None)
    >>> as_policy(dict)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: policy=<class 'dict'> is not allowed: give a Policy, a preset name, a YAML path or None (no policy)
    """
    if value is None or isinstance(value, Policy):
        return value
    if isinstance(value, (str, Path)):
        return Policy.load(value)
    raise ConfigError(
        f"{name}={short(value)} is not allowed: give a Policy, a preset name, a YAML path or None (no policy){extra}"
    )
