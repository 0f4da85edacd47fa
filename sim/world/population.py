"""Latent customer traits and acquisition times, drawn up front from policy-proof streams.

Every paid customer's traits (purchase rate, dropout probability, spend scale, starting
satisfaction, channel, consent, birth month) and acquisition time are drawn in one vectorised
step from the ``population`` and ``acquisition`` streams. No policy can change these draws,
so every policy run with the same seed meets the same customers (common random numbers).
Referred customers come from their own ``referral.population`` stream, in blocks.

The lifecycle mechanisms' traits (:mod:`sim.config.mechanisms`) come from their own streams,
drawn only when the mechanism is on (so switching one on changes no other draw):
``population.archetype`` (archetype and business flag), ``population.catalogue`` (category
preferences) and ``population.subscription`` (plan and cancellation probability theta) for paid
customers; ``referral.population.archetype``, ``referral.population.catalogue`` and
``referral.population.subscription`` for referred ones (:func:`draw_mechanism_traits`); likewise
the channel affinities of ``messaging`` (``population.affinity``, ``referral.population.affinity``).

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
from sim.schema import ARCHETYPES, CHANNELS
from sim.world.model import PROB_EPS, S_MAX, S_MIN, dirichlet_concentrations
from sim.world.rng import Streams

__all__ = ["draw_traits", "draw_population", "draw_mechanism_traits", "mechanism_generators", "TraitPool"]

#: Stream names of the mechanism traits: (paid customers, referred customers) per mechanism.
MECHANISM_STREAMS: dict[str, tuple[str, str]] = {
    "archetypes": ("population.archetype", "referral.population.archetype"),
    "catalogue": ("population.catalogue", "referral.population.catalogue"),
    "subscription": ("population.subscription", "referral.population.subscription"),
    "affinity": ("population.affinity", "referral.population.affinity"),
}


def mechanism_generators(sc: Scenario, streams: Streams, referred: bool = False) -> dict[str, np.random.Generator]:
    """One generator per mechanism that is on (paid or referred customers' streams).

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline")
    >>> mechanism_generators(sc, Streams(1)), sorted(mechanism_generators(sc.updated({"catalogue.enabled": True}), Streams(1)))
    ({}, ['catalogue'])
    """
    on = {
        "archetypes": sc.archetypes.enabled,
        "catalogue": sc.catalogue.enabled,
        "subscription": sc.subscription.enabled,
        "affinity": sc.messaging.enabled and sc.messaging.channel_affinity_sd > 0.0,
    }
    return {k: streams.generator(MECHANISM_STREAMS[k][int(referred)]) for k, v in on.items() if v}


def _pick(gen: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn with probabilities proportional to ``weights`` (inverse CDF of one uniform each)."""
    cum = np.cumsum(weights)
    return np.minimum(np.searchsorted(cum, gen.random(n) * cum[-1], side="right"), len(weights) - 1)


def draw_mechanism_traits(sc: Scenario, n: int, gens: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
    """Draw ``n`` customers' traits of the lifecycle mechanisms in ``gens`` (those switched on).

    * ``archetypes``: ``archetype`` (index into :data:`sim.schema.ARCHETYPES`, from ``mix``),
      ``business`` (observed flag, ``business_share``) and the multipliers they imply:
      ``rate_factor``, ``offer_mult``, ``service_mult`` (the archetype's effects) and
      ``value_mult`` (``business_spend_factor`` for business accounts, else 1).
    * ``catalogue``: ``pref``, an ``n x categories`` array of preferences ~ Dirichlet(
      :func:`~sim.world.model.dirichlet_concentrations`), drawn as normalised Gamma variates (a
      category of popularity 0 is never preferred).
    * ``subscription``: ``plan`` (index into the scenario's plans, by share) and ``theta`` ~
      Beta(alpha, beta), kept :data:`~sim.world.model.PROB_EPS` inside (0, 1).
    * ``affinity`` (``messaging`` on with ``channel_affinity_sd > 0``): an ``n x 4`` array of latent
      channel affinities (log-odds, columns in :data:`sim.schema.CHANNELS` order) ~ N(0, sd).

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline").updated({"catalogue.enabled": True})
    >>> tr = draw_mechanism_traits(sc, 3, mechanism_generators(sc, Streams(0)))
    >>> sorted(tr), tr["pref"].shape, bool(np.allclose(tr["pref"].sum(axis=1), 1.0))
    (['pref'], (3, 6), True)
    >>> sub = sim.Scenario.load("subscription")
    >>> sorted(draw_mechanism_traits(sub, 3, mechanism_generators(sub, Streams(0))))
    ['plan', 'theta']
    """
    out: dict[str, np.ndarray] = {}
    gen = gens.get("archetypes")
    if gen is not None:
        ar = sc.archetypes
        idx = _pick(gen, np.array([ar.mix.get(a, 0.0) for a in ARCHETYPES]), n)
        business = gen.random(n) < ar.business_share
        eff = [ar.effects[a] for a in ARCHETYPES]
        out["archetype"] = idx
        out["business"] = business
        out["rate_factor"] = np.array([e.rate_factor for e in eff])[idx]
        out["offer_mult"] = np.array([e.offer_response for e in eff])[idx]
        out["service_mult"] = np.array([e.service_sensitivity for e in eff])[idx]
        out["value_mult"] = np.where(business, ar.business_spend_factor, 1.0)
    gen = gens.get("catalogue")
    if gen is not None:
        cat = sc.catalogue
        pop = np.array([c.popularity for c in cat.categories.values()])
        conc = np.array(dirichlet_concentrations(cat.preference_concentration, pop.tolist()))
        g = gen.standard_gamma(np.where(conc > 0.0, conc, 1.0), size=(n, len(conc))) * (conc > 0.0)
        total = g.sum(axis=1, keepdims=True)
        # a row whose variates all underflow (tiny concentrations) falls back to the popularity
        out["pref"] = np.where(total > 0.0, g / np.where(total > 0.0, total, 1.0), pop / pop.sum())
    gen = gens.get("subscription")
    if gen is not None:
        sub = sc.subscription
        out["plan"] = _pick(gen, np.array([p.share for p in sub.plans.values()]), n)
        out["theta"] = np.clip(gen.beta(sub.alpha, sub.beta, n), PROB_EPS, 1.0 - PROB_EPS)
    gen = gens.get("affinity")
    if gen is not None:
        out["affinity"] = gen.normal(0.0, sc.messaging.channel_affinity_sd, (n, len(CHANNELS)))
    return out


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
    out.update(draw_mechanism_traits(sc, n, mechanism_generators(sc, streams)))
    return out


class TraitPool:
    """Referred customers' traits, drawn in blocks from their own streams (``referral.population``
    and, for the mechanisms switched on, ``referral.population.*``)."""

    def __init__(self, sc: Scenario, streams: Streams, block: int = 512) -> None:
        self._sc = sc
        self._gen = streams.generator("referral.population")
        self._mech = mechanism_generators(sc, streams, referred=True)
        self._block = block
        self._buf: dict[str, list] = {}
        self._i = 0
        self._n = 0

    def take(self) -> dict[str, float]:
        """The next referred customer's traits."""
        if self._i >= self._n:
            arr = draw_traits(self._sc, self._block, self._gen)
            if self._mech:
                arr.update(draw_mechanism_traits(self._sc, self._block, self._mech))
            self._buf = {k: v.tolist() for k, v in arr.items()}
            self._i, self._n = 0, self._block
        i = self._i
        self._i += 1
        return {k: v[i] for k, v in self._buf.items()}
