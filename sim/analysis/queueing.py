"""Queueing closed forms for sizing a service desk: Erlang C and Cobham's priority formula.

Hand-written because they are a few lines each and no maintained library exposes them with
this API; the Erlang C probability uses the numerically stable Erlang B recursion. Rates are
per hour and times in hours (any consistent unit works).

Examples
--------
>>> round(erlang_c(agents=2, offered_load=1.0), 4)      # P(wait) in M/M/2 with A = 1 Erlang
0.3333
>>> round(erlang_c_wait(arrival_rate=1.0, service_rate=1.0, agents=2), 4)   # mean wait (h)
0.3333
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import pandas as pd

from sim.errors import ConfigError

__all__ = ["erlang_c", "erlang_c_wait", "service_level", "priority_waits", "agents_needed"]


def _real(name: str, value: object, *, positive: bool = False) -> float:
    """A finite real number >= 0 (> 0 if ``positive``), or a :class:`ConfigError` naming the argument."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    x = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        allowed = "a finite number > 0" if positive else "a finite number >= 0"
        raise ConfigError(f"{name}={str(value)[:40]!r} is not allowed: give {allowed}")
    return x


def _whole(name: str, value: object) -> int:
    """A whole number >= 1 (numpy integers welcome, booleans not), or a :class:`ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ConfigError(f"{name}={str(value)[:40]!r} is not allowed: give a whole number >= 1")
    return int(value)


def _check(arrival_rate: float, service_rate: float, agents: int) -> float:
    arrival_rate = _real("arrival_rate", arrival_rate)
    service_rate = _real("service_rate", service_rate, positive=True)
    agents = _whole("agents", agents)
    if arrival_rate < 0 or service_rate <= 0 or agents < 1:
        raise ConfigError(
            f"need arrival_rate >= 0, service_rate > 0, agents >= 1 (got {arrival_rate}, {service_rate}, {agents})"
        )
    rho = arrival_rate / (agents * service_rate)
    if rho >= 1:
        raise ConfigError(f"utilisation {rho:.3f} >= 1: the queue grows without bound; add agents")
    return rho


def erlang_c(agents: int, offered_load: float) -> float:
    """Probability that an arriving ticket must wait in an M/M/c queue.

    Parameters
    ----------
    agents : int
        Number of servers c.
    offered_load : float
        A = arrival rate / service rate (Erlangs); must be below ``agents``.

    Examples
    --------
    >>> round(erlang_c(1, 0.9), 3)        # M/M/1: P(wait) = utilisation
    0.9
    """
    agents = _whole("agents", agents)
    offered_load = _real("offered_load", offered_load)
    if offered_load >= agents:
        raise ConfigError(f"offered load {offered_load} >= agents {agents}: unstable queue")
    b = 1.0
    for k in range(1, agents + 1):
        b = offered_load * b / (k + offered_load * b)
    return agents * b / (agents - offered_load * (1.0 - b))


def erlang_c_wait(arrival_rate: float, service_rate: float, agents: int) -> float:
    """Mean time to first response (queueing delay) in an M/M/c queue.

    ``Wq = C(c, A) / (c * mu - lambda)``.

    Examples
    --------
    >>> round(erlang_c_wait(0.9, 1.0, 1), 3)   # M/M/1 at rho = 0.9: rho / (mu - lambda)
    9.0
    """
    _check(arrival_rate, service_rate, agents)
    c = erlang_c(agents, arrival_rate / service_rate)
    return c / (agents * service_rate - arrival_rate)


def service_level(arrival_rate: float, service_rate: float, agents: int, target: float) -> float:
    """Share of tickets answered within ``target`` time in M/M/c: ``1 - C e^{-(c mu - lambda) t}``.

    Examples
    --------
    >>> round(service_level(2.0, 1.0, 3, target=0.25), 3)
    0.654
    """
    _check(arrival_rate, service_rate, agents)
    target = _real("target", target)
    c = erlang_c(agents, arrival_rate / service_rate)
    return 1.0 - c * math.exp(-(agents * service_rate - arrival_rate) * target)


def priority_waits(arrival_rates: Sequence[float], service_rate: float, agents: int) -> list[float]:
    """Mean wait of each class in an M/M/c queue with non-preemptive priorities (Cobham 1954).

    Classes are given most urgent first and share one exponential service rate ``mu``:
    ``W_k = W0 / ((1 - s_{k-1}) (1 - s_k))`` with ``s_k`` the load of classes 1..k divided by
    ``c`` and ``W0 = C(c, A) / (c mu)`` the mean wait until the first agent frees up.

    Examples
    --------
    >>> [round(w, 3) for w in priority_waits([0.3, 0.6], service_rate=1.0, agents=1)]
    [1.286, 12.857]
    """
    if isinstance(arrival_rates, (str, bytes)) or not isinstance(arrival_rates, Iterable):
        raise ConfigError(
            f"arrival_rates={str(arrival_rates)[:40]!r} is not allowed: give a list of rates, most urgent first"
        )
    arrival_rates = [_real(f"arrival_rates[{i}]", r) for i, r in enumerate(arrival_rates)]
    if not arrival_rates:
        raise ConfigError("arrival_rates is empty: give one rate per priority class, most urgent first")
    lam = float(sum(arrival_rates))
    _check(lam, service_rate, agents)
    w0 = erlang_c(agents, lam / service_rate) / (agents * service_rate)
    waits, sigma_prev = [], 0.0
    for rate in arrival_rates:
        sigma = sigma_prev + rate / (agents * service_rate)
        waits.append(w0 / ((1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    return waits


def agents_needed(
    arrival_rate: float, service_rate: float, target: float, share: float = 0.8, max_agents: int = 10_000
) -> pd.Series:
    """Fewest agents such that at least ``share`` of tickets wait at most ``target``.

    Returns a Series with ``agents``, ``utilisation``, ``p_wait``, ``mean_wait`` and ``service_level``.

    Examples
    --------
    >>> int(agents_needed(arrival_rate=10, service_rate=1, target=0.25, share=0.8)["agents"])
    13
    """
    if not (isinstance(share, numbers.Real) and not isinstance(share, bool) and 0 < share < 1):
        raise ConfigError(f"share={str(share)[:40]!r} is not allowed: give a share in (0, 1)")
    target = _real("target", target)
    max_agents = _whole("max_agents", max_agents)
    _check(
        arrival_rate,
        service_rate,
        1 + math.floor(_real("arrival_rate", arrival_rate) / _real("service_rate", service_rate, positive=True)),
    )
    c = max(1, math.floor(arrival_rate / service_rate) + 1)
    while c <= max_agents:
        sl = service_level(arrival_rate, service_rate, c, target)
        if sl >= share:
            return pd.Series(
                {
                    "agents": c,
                    "utilisation": arrival_rate / (c * service_rate),
                    "p_wait": erlang_c(c, arrival_rate / service_rate),
                    "mean_wait": erlang_c_wait(arrival_rate, service_rate, c),
                    "service_level": sl,
                }
            )
        c += 1
    raise ConfigError(f"no staffing up to {max_agents} agents meets the target")
