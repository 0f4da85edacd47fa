"""The lifecycle's optional mechanisms (:mod:`sim.config.mechanisms`): catalogue, subscriptions, word of mouth.

:func:`init_mechanisms`, called once by :class:`sim.world.lifecycle.Lifecycle`, binds the steps a
switched-on mechanism adds to the order path (functions of this module bound to the lifecycle as
methods), so that with every mechanism off the hot path is the plain BG/NBD one:

* **order values** (``value_step``): a business account's factor; the catalogue's main category,
  basket and price level (:func:`~sim.world.model.extra_line_category`); a subscription's plan price;
* **subscriptions**: renewals at fixed periods replace Poisson purchases; at each renewal the
  subscriber cancels with :func:`~sim.world.model.renewal_cancel_probability` (sBG, shifted);
* **word of mouth**: promoters' and detractors' tells (:func:`~sim.world.model.word_of_mouth_tells`)
  bring referred customers or deter paid prospects.

Examples
--------
>>> import sim
>>> res = sim.run("subscription", customers=200, days=400, seed=1)
>>> bool((res.orders["amount"] > 0).all()), bool(res.customers["plan"].isin(["monthly", "annual"]).all())
(True, True)
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, MutableSequence
from itertools import accumulate
from types import MethodType

import simpy

from sim.config.scenario import Scenario
from sim.world.logs import EventLog
from sim.world.model import DETRACTOR_MAX, PROMOTER_MIN
from sim.world.rng import Buffered, Streams
from sim.world.state import Customers
from sim.world.timer import Due

__all__ = ["LifecycleState", "init_mechanisms", "word_of_mouth", "deter"]


class LifecycleState:
    """What the mechanisms read and bind on a :class:`~sim.world.lifecycle.Lifecycle` (its base class).

    The core attributes are set by ``Lifecycle.__init__``; the mechanisms' ones by
    :func:`init_mechanisms`, each only when its mechanism is on.
    """

    # the core (sim.world.lifecycle.Lifecycle)
    env: simpy.Environment
    horizon: float
    customers: Customers
    events: EventLog
    alive: list[bool]
    version: list[int]
    s: list[float]
    s0: list[float]
    member_drop: list[float]
    s_ref: float
    k_drop: float
    market_drop: float
    mbg: bool
    sat_on: bool
    ref_on: bool
    sat_now: Callable[[int, float], float]
    schedule: Callable[..., None]
    _purchase_due: Callable[[Due], None]
    due_after: Callable[[float, object, tuple[Callable[[Due], None], ...]], None]  # Calendar.after
    due_callbacks: tuple[Callable[[Due], None], ...]
    order: Callable[..., float]
    churn: Callable[[int, float, str], None]
    reason: Callable[[int, float], str]
    add_referral: Callable[[int, float], None]
    # bound by init_mechanisms (each only when its mechanism is on)
    value_step: Callable[[int, float], tuple[float, int, str]] | None
    value_mult: MutableSequence[float]  # array.array (sim.world.state.COLD)
    sub_on: bool
    wom_on: bool
    cat_names: list[str]  # catalogue
    cat_price: list[float]
    extra_mean: float
    extra_p0: float
    comp_idx: list[list[int]]
    comp_cum: list[list[float]]
    comp_total: list[float]
    pref: list[tuple[float, ...]]
    pref_cum: dict[int, list[float]]
    r_catalogue: Buffered
    theta: MutableSequence[float]  # subscription (array.array columns)
    plan: MutableSequence[int]
    next_renewal: MutableSequence[float]
    renew_shift: dict[int, float]
    plan_period: list[float]
    plan_price: list[float]
    r_renewal: Buffered
    wom_tells: tuple[float, float]  # word of mouth
    wom_conversion: float
    wom_deterrence: float
    r_wom: Buffered
    deter_next: int


def init_mechanisms(life: LifecycleState, sc: Scenario, streams: Streams) -> None:
    """Bind the switched-on mechanisms' steps (called once by ``Lifecycle.__init__``)."""
    c = life.customers
    cat, sub, wom = sc.catalogue, sc.subscription, sc.word_of_mouth
    life.value_step = None
    if sc.archetypes.enabled and sc.archetypes.business_share > 0.0:
        life.value_mult = c.value_mult
        life.value_step = MethodType(value_business, life)
    if cat.enabled:
        init_catalogue(life, sc, streams)
    life.sub_on = sub.enabled
    if sub.enabled:
        life.mbg = False  # a subscriber's first chance to leave is the first renewal
        life.theta, life.plan, life.next_renewal = c.theta, c.plan, c.next_renewal
        life.renew_shift = c.renew_shift
        life.plan_period = [p.period_days for p in sub.plans.values()]
        life.plan_price = [p.price for p in sub.plans.values()]
        life.r_renewal = streams.buffered("renewal")
        life.value_step = MethodType(value_subscription, life)
        life._purchase_due = MethodType(on_renewal, life)
        life.schedule = MethodType(schedule_renewal, life)
    life.wom_on = wom.enabled
    if wom.enabled:
        life.ref_on = False  # promoters' tells replace prob_per_promoter_order
        life.wom_tells = (wom.promoter_tells, wom.detractor_tells)
        life.wom_conversion = wom.referral_conversion
        life.wom_deterrence = wom.deterrence
        life.r_wom = streams.buffered("wom")
        life.deter_next = 0  # no paid prospect before this index is left to deter


# ------------------------------------------------------------------ order values (bound steps)
def init_catalogue(life: LifecycleState, sc: Scenario, streams: Streams) -> None:
    cat = sc.catalogue
    names = list(cat.categories)
    pos = {n: k for k, n in enumerate(names)}
    life.cat_names = names
    life.cat_price = [cat.categories[n].price_level for n in names]
    life.extra_mean = cat.extra_lines_mean
    life.extra_p0 = math.exp(-cat.extra_lines_mean)
    # companions of each main category: target indices and cumulative probabilities
    life.comp_idx = [[pos[b] for b in cat.companions.get(n, {})] for n in names]
    life.comp_cum = [list(accumulate(cat.companions.get(n, {}).values())) for n in names]
    life.comp_total = [cc[-1] if cc else 0.0 for cc in life.comp_cum]
    pref = life.customers.pref
    assert pref is not None  # the population drew preferences (catalogue on)
    life.pref = pref
    life.pref_cum = {}
    life.value_mult = life.customers.value_mult
    life.r_catalogue = streams.buffered("catalogue")
    life.value_step = MethodType(value_catalogue, life)


def value_business(life: LifecycleState, i: int, amount: float) -> tuple[float, int, str]:
    """Archetypes on, catalogue off: a business account's order is worth more."""
    return amount * life.value_mult[i], -1, ""  # inlined: model.order_value


def value_catalogue(life: LifecycleState, i: int, amount: float) -> tuple[float, int, str]:
    """The order's main category and basket from the ``catalogue`` stream, and its value."""
    u = life.r_catalogue.uniform
    cum = life.pref_cum.get(i)
    if cum is None:
        cum = life.pref_cum[i] = list(accumulate(life.pref[i]))
    last = len(cum) - 1
    main = bisect_right(cum, u() * cum[-1])
    if main > last:
        main = last
    # inlined: model.order_value
    amount *= life.cat_price[main] * life.value_mult[i]
    # inlined: model.poisson_inverse (the number of extra lines)
    v = u()
    p = life.extra_p0
    if v < p:
        return amount, main, life.cat_names[main]  # a single line (the most common basket)
    k, cdf, mean = 0, p, life.extra_mean
    while v >= cdf and p > 0.0:
        k += 1
        p *= mean / k
        cdf += p
    lines = [main]
    total, c_cum, c_idx = life.comp_total[main], life.comp_cum[main], life.comp_idx[main]
    for _ in range(k):
        # inlined: model.extra_line_category
        v = u()
        if v < total:
            j = c_idx[min(bisect_right(c_cum, v), len(c_cum) - 1)]
        else:
            j = min(bisect_right(cum, (v - total) / (1.0 - total) * cum[-1]), last)
        if j not in lines:
            lines.append(j)
    names = life.cat_names
    return amount, main, names[main] if len(lines) == 1 else "|".join([names[j] for j in lines])


def value_subscription(life: LifecycleState, i: int, amount: float) -> tuple[float, int, str]:
    """A subscription payment is the plan's price (the Gamma-Gamma draw is not used)."""
    return life.plan_price[life.plan[i]], -1, ""


# ------------------------------------------------------------------ subscriptions
def schedule_renewal(life: LifecycleState, i: int, now: float, s: float | None = None) -> None:
    """Subscription world: (re)schedule customer ``i``'s next renewal (replaces :meth:`schedule`).

    The renewal time does not move when the customer's state changes; a subscriber won back
    after their renewal date passed renews one period after coming back.
    """
    t = life.next_renewal[i]
    if t != t or t < now:  # NaN or stale (a win-back after the renewal date)
        t = life.next_renewal[i] = now + life.plan_period[life.plan[i]]
    if t < life.horizon:
        life.due_after(t - now, (i, life.version[i]), life.due_callbacks)


def on_renewal(life: LifecycleState, ev: Due) -> None:
    """A renewal comes due: cancel (``renewal`` stream) or pay the plan's price and renew."""
    i, ver = ev._value
    if ver != life.version[i]:
        return  # superseded, or the subscriber left
    now = life.env.now
    s = life.sat_now(i, now) if life.sat_on else life.s0[i]
    # inlined: model.renewal_cancel_probability
    z = life.market_drop - life.member_drop[i]
    if life.renew_shift:
        z += life.renew_shift.pop(i, 0.0)
    if life.k_drop:
        z -= life.k_drop * (s - life.s_ref)
    theta = life.theta[i]
    p = theta if z == 0.0 else 1.0 / (1.0 + math.exp(-(math.log(theta / (1.0 - theta)) + z)))
    if life.r_renewal.uniform() < p:
        life.churn(i, now, life.reason(i, s))
        return
    t = life.next_renewal[i] = now + life.plan_period[life.plan[i]]
    life.order(i, now, False)
    if life.alive[i] and life.version[i] == ver and t < life.horizon:
        life.due_after(t - now, (i, ver), life.due_callbacks)


# ------------------------------------------------------------------ word of mouth
def word_of_mouth(life: LifecycleState, i: int, now: float, s: float) -> None:
    """After customer ``i``'s order (satisfaction ``s``): a promoter's or detractor's tells."""
    promoter = s >= PROMOTER_MIN
    if not promoter and s > DETRACTOR_MAX:
        return  # a passive says nothing
    r = life.r_wom
    # inlined: model.word_of_mouth_tells (its size; the sign is the promoter flag)
    mean = life.wom_tells[0] if promoter else life.wom_tells[1]
    v, k, p = r.uniform(), 0, math.exp(-mean)
    cdf = p
    while v >= cdf and p > 0.0:
        k += 1
        p *= mean / k
        cdf += p
    if k == 0:
        return
    life.events.add(i, now, "true_word_of_mouth", f"+{k}" if promoter else f"-{k}")
    if promoter:
        conv = life.wom_conversion
        for _ in range(k):
            if r.uniform() < conv:
                life.add_referral(i, now)
    else:
        p_deter = life.wom_deterrence
        for _ in range(k):
            if r.uniform() < p_deter:
                deter(life, i, now)


def deter(life: LifecycleState, teller: int, now: float) -> None:
    """A negative tell removes the next paid prospect who has not arrived yet (if any is left
    within the horizon): they never arrive; a latent ``true_deterred`` event on the teller
    names the would-be customer id."""
    c = life.customers
    k = max(life.deter_next, c.n_acquired_paid)
    if k >= c.n_paid or c.acq_t[k] >= life.horizon:
        return
    life.deter_next = k + 1
    c.deterred.add(k)
    c.alive[k] = False
    life.events.add(teller, now, "true_deterred", str(k + 1))
