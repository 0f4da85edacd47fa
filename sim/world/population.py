"""Latent customer traits and acquisition times, drawn up front from policy-proof streams.

Every paid customer's traits (purchase rate, dropout probability, spend scale, starting
satisfaction, channel, consent, birth month) and acquisition time are drawn in one vectorised
step from the ``population`` and ``acquisition`` streams. No policy can change these draws,
so every policy run with the same seed meets the same customers (common random numbers).
Referred customers come from their own ``referral.population`` stream, in blocks.

Examples
--------
>>> import sim
>>> from sim.world.rng import Streams
>>> pop = draw_population(sim.Scenario.load("baseline"), 1000, 730.0, Streams(1))
>>> len(pop["lam"]), bool((pop["acq_t"][:-1] <= pop["acq_t"][1:]).all())
(1000, True)
"""

from __future__ import annotations

import numpy as np

from sim.config.scenario import Scenario
from sim.world.model import PROB_EPS, S_MAX, S_MIN
from sim.world.rng import Streams

__all__ = ["draw_traits", "draw_population", "TraitPool"]


def draw_traits(sc: Scenario, n: int, gen: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw ``n`` customers' latent traits: BG/NBD lambda and p, Gamma-Gamma nu, satisfaction.

    ``lambda ~ Gamma(r, rate alpha)``, ``p ~ Beta(a, b)`` (kept :data:`~sim.world.model.PROB_EPS`
    inside (0, 1)), ``nu ~ Gamma(q, rate gamma)``, ``s0 ~ N(mean, sd)`` clipped to the 0-10 scale;
    marketing consent with the scenario's rate and a uniform birth month.

    Examples
    --------
    >>> import numpy as np, sim
    >>> tr = draw_traits(sim.Scenario.load("baseline"), 4, np.random.default_rng(0))
    >>> sorted(tr), bool(((tr["s0"] >= 0) & (tr["s0"] <= 10)).all())
    (['birth_month', 'consent', 'lam', 'nu', 'p', 's0'], True)
    """
    pu, sp, sat = sc.purchase, sc.spend, sc.satisfaction
    lam = gen.gamma(pu.r, 1.0 / pu.alpha, n)
    p = np.clip(gen.beta(pu.a, pu.b, n), PROB_EPS, 1.0 - PROB_EPS)
    nu = gen.gamma(sp.q, 1.0 / sp.gamma, n)
    s0 = np.clip(gen.normal(sat.initial_mean, sat.initial_sd, n), S_MIN, S_MAX)
    consent = gen.random(n) < sc.population.consent_rate
    birth_month = gen.integers(1, 13, n)
    return {"lam": lam, "p": p, "nu": nu, "s0": s0, "consent": consent, "birth_month": birth_month}


def draw_population(sc: Scenario, n: int, horizon: float, streams: Streams) -> dict[str, np.ndarray]:
    """Traits, channel and acquisition time of the ``n`` paid customers, sorted by arrival.

    A share ``population.initial_share`` arrives at day 0 (the launch cohort); the others arrive
    as a Poisson process conditioned on its count, i.e. at sorted uniform times over the horizon.
    """
    out = draw_traits(sc, n, streams.generator("population"))
    gen = streams.generator("acquisition")
    n0 = round(sc.population.initial_share * n)
    times = np.concatenate([np.zeros(n0), np.sort(gen.uniform(0.0, horizon, n - n0))])
    names = list(sc.population.channels)
    shares = np.array([sc.population.channels[c].share for c in names])
    idx = np.minimum(np.searchsorted(np.cumsum(shares), gen.random(n) * shares.sum(), side="right"), len(names) - 1)
    out["acq_t"] = times
    out["channel_idx"] = idx
    out["channel_names"] = np.array(names, dtype=object)
    out["cac"] = np.array([sc.population.channels[c].cac for c in names])[idx]
    return out


class TraitPool:
    """Referred customers' traits, drawn in blocks from their own stream."""

    def __init__(self, sc: Scenario, streams: Streams, block: int = 512) -> None:
        self._sc = sc
        self._gen = streams.generator("referral.population")
        self._block = block
        self._buf: dict[str, list] = {}
        self._i = 0
        self._n = 0

    def take(self) -> dict[str, float]:
        """The next referred customer's traits."""
        if self._i >= self._n:
            arr = draw_traits(self._sc, self._block, self._gen)
            self._buf = {k: v.tolist() for k, v in arr.items()}
            self._i, self._n = 0, self._block
        i = self._i
        self._i += 1
        return {k: v[i] for k, v in self._buf.items()}
