"""The lifecycle mechanisms of the reference world: baskets, subscriptions, word of mouth, snapshots.

Each is switched on by its scenario section (:mod:`sim.config.mechanisms`; ``satisfaction.snapshot_days``)
and lives beside the customer's process of :mod:`~sim.world.reference.world`, calling the equations
of :mod:`sim.world.model.retail`:

* :class:`Baskets` (``catalogue``): an order's main category follows the customer's latent
  preferences; :func:`~sim.world.model.poisson_inverse` extra lines each add a category
  (:func:`~sim.world.model.extra_line_category`: a companion of the main one, else the preferences).
* :class:`Renewals` (``subscription``): a subscriber's process waits for each renewal (last payment
  + the plan's period) and cancels with :func:`~sim.world.model.renewal_cancel_probability` or pays.
* :class:`WordOfMouth` (``word_of_mouth``): after an order a promoter or detractor tells
  :func:`~sim.world.model.word_of_mouth_tells` people; positive tells bring referred customers,
  negative ones keep the next paid prospects away (counted in latent events, never silent).
* :func:`snapshots`: every ``snapshot_days``, each acquired customer's latent satisfaction.

Examples
--------
>>> import sim
>>> from sim.world.reference.state import Customer
>>> sc = sim.Scenario.load("retail")
>>> baskets = Baskets(sc.catalogue, np.random.default_rng(0))
>>> c = Customer(0, 0.0, "search", 0.0, True, 1, 0.01, 0.1, 0.02, 8.0, pref=(0.0, 0.0, 0.0, 0.0, 1.0, 0.0))
>>> baskets.basket(c)[0], baskets.names[4]          # a customer who only likes beauty
(4, 'beauty')
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, Protocol

import numpy as np
import simpy

from sim.config.limits import MAX_REFERRAL_CHAIN, MAX_REFERRED_PER_PAID
from sim.config.mechanisms import Catalogue, Subscription
from sim.config.mechanisms import WordOfMouth as WordOfMouthConfig
from sim.errors import ConfigError
from sim.world import model
from sim.world.reference.state import Customer, Dice, Logs, SnapshotRow

__all__ = [
    "Baskets",
    "Renewals",
    "WordOfMouth",
    "Host",
    "snapshots",
    "plan_period",
    "check_referrals",
    "mechanism_fields",
    "MECHANISM_TRAITS",
]

#: The customer fields the mechanisms' trait draws fill (:func:`~sim.world.population.draw_mechanism_traits`).
MECHANISM_TRAITS = (
    "archetype", "business", "rate_factor", "offer_mult", "service_mult", "value_mult", "pref", "plan", "theta",
    "affinity",
)  # fmt: skip


class Host(Protocol):
    """What the mechanisms use of the reference :class:`~sim.world.reference.world.World`."""

    env: simpy.Environment
    dice: Dice
    logs: Logs
    customers: list[Customer]
    n_paid: int
    n_arrived: int
    horizon: float
    s_ref: float
    dropout_shift: float
    market_dropout_shift: float

    def satisfaction(self, c: Customer) -> float: ...
    def place_order(self, c: Customer, first: bool, campaign: str = "") -> float: ...
    def churn_reason(self, c: Customer, s: float) -> str: ...
    def churn(self, c: Customer, reason: str) -> None: ...
    def refer(self, referrer: Customer) -> Customer: ...
    def event(self, c: Customer | None, kind: str, detail: str) -> None: ...


def mechanism_fields(traits: dict[str, np.ndarray], k: int) -> dict[str, Any]:
    """Customer ``k``'s :class:`~sim.world.reference.state.Customer` fields from the mechanism traits
    drawn (only those of the mechanisms switched on).

    Examples
    --------
    >>> mechanism_fields({"plan": np.array([1, 0]), "theta": np.array([0.2, 0.3])}, 1)
    {'plan': 0, 'theta': 0.3}
    """
    out: dict[str, Any] = {}
    for name in MECHANISM_TRAITS:
        if name in traits:
            v = traits[name][k]
            out[name] = tuple(float(x) for x in v) if name in ("pref", "affinity") else v.item()
    return out


class Baskets:
    """An order's main category and basket (the ``catalogue`` stream ``rng``)."""

    def __init__(self, catalogue: Catalogue, rng: np.random.Generator) -> None:
        self.catalogue = catalogue
        self.rng = rng
        self.names = list(catalogue.categories)
        self.price_level = [c.price_level for c in catalogue.categories.values()]

    def basket(self, c: Customer) -> tuple[int, str]:
        """Main category (index) and basket (``"a|b"``, main line first) of customer ``c``'s order.

        The main category follows ``c``'s preferences; Poisson(``extra_lines_mean``) extra lines
        each add a category; one already in the basket is not repeated.
        """
        cat, rng, names = self.catalogue, self.rng, self.names
        assert c.pref is not None, "the catalogue needs the customer's preferences"
        prefs = np.array(c.pref)
        main = int(rng.choice(len(names), p=prefs / prefs.sum()))
        lines = [names[main]]
        companions = cat.companions.get(names[main], {})
        preferences = dict(zip(names, c.pref))
        for _ in range(model.poisson_inverse(rng.random(), cat.extra_lines_mean)):
            line = model.extra_line_category(rng.random(), companions, preferences)
            if line not in lines:
                lines.append(line)
        return main, "|".join(lines)


class Renewals:
    """Subscribers renew or cancel at each renewal (the ``renewal`` stream of ``world.dice``)."""

    def __init__(self, world: Host, subscription: Subscription) -> None:
        self.world = world
        self.period = [p.period_days for p in subscription.plans.values()]
        self.price = [p.price for p in subscription.plans.values()]

    def process(self, c: Customer) -> Generator[Any, Any, None]:
        """Subscriber ``c`` while subscribed: wait for the next renewal, then cancel or pay (sBG).

        The renewal date does not move when the customer's state changes; an interrupt (a churn, a
        win-back, a changed rate) only makes the process look again.
        """
        env = self.world.env
        while c.alive:
            try:
                yield env.timeout(max(c.next_renewal - env.now, 0.0))
            except simpy.Interrupt:
                continue
            self.renew(c)

    def renew(self, c: Customer) -> None:
        """A renewal comes due: cancel with :func:`~sim.world.model.renewal_cancel_probability`
        (``theta_i`` shifted by satisfaction, the market, membership and onboarding, and an opened
        reminder's shift, used up here), else pay the plan's price for one more period."""
        w = self.world
        s = w.satisfaction(c)
        reminder, c.renew_shift = c.renew_shift, 0.0
        prob = model.renewal_cancel_probability(
            c.theta,
            s,
            w.s_ref,
            w.dropout_shift,
            w.market_dropout_shift,
            c.member_dropout_shift + c.onboarding_shift,
            reminder,
        )
        if w.dice.renewal.random() < prob:
            w.churn(c, w.churn_reason(c, s))
            return
        c.next_renewal = w.env.now + self.period[c.plan]
        w.place_order(c, first=False)

    def won_back(self, c: Customer) -> None:
        """A subscriber won back after their renewal date passed renews one period from now."""
        now = self.world.env.now
        if not c.next_renewal >= now:
            c.next_renewal = now + self.period[c.plan]


class WordOfMouth:
    """Promoters and detractors tell others after an order (the ``wom`` stream of ``world.dice``)."""

    def __init__(self, world: Host, wom: WordOfMouthConfig) -> None:
        self.world = world
        self.wom = wom
        self.deter_next = 0  # no paid prospect before this index is left to deter

    def tell_others(self, c: Customer, s: float) -> None:
        """After ``c``'s order (satisfaction ``s``): :func:`~sim.world.model.word_of_mouth_tells` people.

        Each positive tell becomes a referred customer with ``referral_conversion``; each negative
        tell, with ``deterrence``, keeps the next paid prospect away (:meth:`deter`). A latent
        ``true_word_of_mouth`` event (``+k`` / ``-k``) on the teller.
        """
        w, wom = self.world, self.wom
        rng = w.dice.wom
        k = model.word_of_mouth_tells(rng.random(), s, wom.promoter_tells, wom.detractor_tells)
        if k == 0:
            return
        w.event(c, "true_word_of_mouth", f"+{k}" if k > 0 else str(k))
        for _ in range(abs(k)):
            if k > 0 and rng.random() < wom.referral_conversion:
                w.refer(c)
            elif k < 0 and rng.random() < wom.deterrence:
                self.deter(c)

    def deter(self, teller: Customer) -> None:
        """A negative tell keeps the next paid prospect who has not arrived yet away (if one is
        left within the horizon): a latent ``true_deterred`` event on the teller names them."""
        w = self.world
        k = max(self.deter_next, w.n_arrived)
        if k >= w.n_paid or w.customers[k].acquired_t >= w.horizon:
            return
        self.deter_next = k + 1
        prospect = w.customers[k]
        prospect.deterred = True
        prospect.alive = False
        w.event(teller, "true_deterred", str(k + 1))


def snapshots(world: Host, every: float) -> Generator[Any, Any, None]:
    """Process: every ``every`` days, each acquired customer's latent satisfaction and whether they
    are alive (the latent ``snapshots`` table)."""
    env = world.env
    while True:
        yield env.timeout(every)
        now = env.now
        for c in world.customers:
            if c.acquired:
                world.logs.snapshots.append(SnapshotRow(c.index, now, world.satisfaction(c), c.alive))


def plan_period(renewals: Renewals | None, c: Customer) -> float:
    """Days between customer ``c``'s payments (``NaN`` without a plan).

    Examples
    --------
    >>> plan_period(None, Customer(0, 0.0, "search", 0.0, True, 1, 0.01, 0.1, 0.02, 8.0))
    nan
    """
    return renewals.period[c.plan] if renewals is not None and c.plan >= 0 else math.nan


def check_referrals(referred: int, n_paid: int, chain: int, now: float) -> None:
    """Stop a run whose referrals run away (the fast engine's rule, :meth:`sim.world.lifecycle.Lifecycle.add_referral`).

    A :class:`~sim.errors.ConfigError` when there are already
    :data:`~sim.config.limits.MAX_REFERRED_PER_PAID` referred customers per paid one (at least 100
    paid), or one order has set off a chain of :data:`~sim.config.limits.MAX_REFERRAL_CHAIN`
    referrals at one instant.

    Examples
    --------
    >>> check_referrals(10, 100, 0, 5.0)
    >>> check_referrals(10, 100, 200, 5.0)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: referrals run away at day 5.0: 10 referred customers for 100 paid ones (chain of 200 at this instant); ...
    """
    if referred >= MAX_REFERRED_PER_PAID * max(n_paid, 100) or chain >= MAX_REFERRAL_CHAIN:
        raise ConfigError(
            f"referrals run away at day {now:.1f}: {referred:,} referred customers for {n_paid:,} paid ones "
            f"(chain of {chain} at this instant); each referred customer refers the next faster than "
            "customers leave: lower population.referral.prob_per_promoter_order or word_of_mouth "
            "promoter_tells x referral_conversion, or the satisfaction that makes promoters"
        )
