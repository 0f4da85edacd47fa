"""Customer lifecycles: acquisition, orders, purchases, dropout, referral and churn.

The model (time in days; the equations are in :mod:`sim.world.model`):

* **Purchases (BG/NBD).** While alive, customer *i* orders as a Poisson process with rate
  :func:`~sim.world.model.purchase_rate` (``lambda_i * exp(k_rate * (s_i - s_ref))``, times the
  membership and market factors), ``lambda_i ~ Gamma(r, alpha)``. The first order is the
  acquisition; after every *repeat* order the customer drops out with
  :func:`~sim.world.model.dropout_probability`, ``p_i ~ Beta(a, b)`` shifted on the logit scale by
  satisfaction, membership and the market. With ``purchase.dropout_after_first`` (MBG/NBD) the
  first order is a dropout point too.
* **Spend (Gamma-Gamma).** Order value :func:`~sim.world.model.order_amount`, ``Gamma(p, rate nu_i)``.
* **Satisfaction.** Each order moves ``s_i`` (a good order, or a quality issue:
  :func:`~sim.world.model.satisfaction_after`); it relaxes back toward ``s0_i`` in between
  (:func:`~sim.world.model.relaxed_satisfaction`). Rates are re-evaluated at each experience
  (piecewise constant between experiences; exact by memorylessness of the exponential).
* **Complaints and surveys after an order** (:mod:`sim.world.complaints`, :mod:`sim.world.surveys`):
  a quality issue with probability ``quality_issue_prob``; a ticket with
  :func:`~sim.world.model.complaint_probability`; a post-purchase survey.
* **Referral.** An order by a promoter (:func:`~sim.world.model.is_promoter`) brings a referred
  customer with probability ``prob_per_promoter_order``.
* **Churn reasons.** A dropout is blamed on the customer's last bad experience (product or
  service) with :func:`~sim.world.model.churn_attribution_probability`; otherwise the reason is
  drawn from ``churn.reason_mix``. With ``surveys.exit`` on, every true churn (whatever its
  cause) may be followed by an exit-survey answer (:class:`sim.world.surveys.ExitSurveys`).

The lifecycle mechanisms of :mod:`sim.config.mechanisms` (all off by default; each bound at
construction, so a mechanism switched off costs the per-order path nothing but a test):

* **Catalogue.** An order's main category follows the customer's latent preferences, its basket
  adds Poisson extra lines (companions or preferences), all from the ``catalogue`` stream; the
  amount is :func:`~sim.world.model.order_value`: the Gamma-Gamma value times the main category's
  price level (times the business factor). The order log's ``category`` and ``basket``.
* **Archetypes.** The archetype's ``rate_factor`` is folded into the rate multiplier ``mult`` at
  arrival (``lam`` stays the BG/NBD draw; membership keeps the factor, :mod:`sim.world.actions`);
  business accounts' order values are multiplied by ``business_spend_factor``.
* **Subscriptions.** Every customer subscribes: the acquisition order is the first payment of the
  plan's price; at each renewal (last payment + period) the subscriber cancels with
  :func:`~sim.world.model.renewal_cancel_probability` (``renewal`` stream; ``theta_i`` shifted by
  satisfaction, membership, the market and a pending reminder in ``renew_shift``), else pays again.
  The purchase callback is bound to the renewal handler (no Poisson purchases, no dropout).
* **Word of mouth.** After an order a promoter or detractor tells
  :func:`~sim.world.model.word_of_mouth_tells` people (``wom`` stream; a latent
  ``true_word_of_mouth`` event ``+k`` / ``-k``): each positive tell becomes a referred customer
  (:meth:`Lifecycle.add_referral`) with ``referral_conversion``; each negative tell, with
  ``deterrence``, removes the next paid prospect not yet arrived (a latent ``true_deterred`` event
  naming the would-be customer id; the prospect never gets a customer row). It replaces
  ``population.referral.prob_per_promoter_order``.

Implementation: customer state is struct-of-arrays (:class:`sim.world.state.Customers`); each
pending purchase is one scheduled callback (no generator per customer; a
:class:`~sim.world.timer.Calendar` entry, so SimPy's heap stays small), invalidated by a version
counter when the customer's rate changes or they churn; no event is scheduled beyond the horizon.
The per-order path (:meth:`Lifecycle.order`, the purchase callback, :meth:`Lifecycle.schedule`)
inlines its equations, each naming the :mod:`sim.world.model` function it repeats, and keeps the
lists it touches bound to the mechanism (one attribute lookup each). ``benchmarks/`` measures it
against a bare one-process-per-customer SimPy loop.

Examples
--------
>>> import sim
>>> res = sim.run("baseline", customers=200, days=365, seed=3)
>>> bool(res.orders.groupby("customer_id")["is_first"].sum().eq(1).all())   # one acquisition order each
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush
from typing import NoReturn

import simpy
from simpy.events import NORMAL

from sim.config.limits import MAX_REFERRAL_CHAIN, MAX_REFERRED_PER_PAID
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.world.lifecycle_mechanisms import LifecycleState, init_mechanisms, word_of_mouth
from sim.world.logs import Logs
from sim.world.model import PROMOTER_MIN, S_MAX, S_MIN, churn_attribution_probability
from sim.world.population import TraitPool
from sim.world.rng import Categorical, Streams
from sim.world.state import Customers
from sim.world.surveys import exit_survey_callback
from sim.world.timer import Calendar, Due

__all__ = ["Lifecycle"]


def _unwired(*args: object) -> NoReturn:
    raise RuntimeError("an order raised a ticket, but no complaint mechanism is wired to this lifecycle")


class Lifecycle(LifecycleState):
    """The buy-till-you-die mechanism of one world: customers arrive, order, and leave.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
    horizon : float
        Last day simulated; no purchase is scheduled beyond it.
    customers : Customers
    logs : Logs
        Orders and events are written here.
    streams : Streams
        Draws come from the ``purchase``, ``spend``, ``dropout``, ``quality``, ``complaint``,
        ``referral`` and ``churn`` streams (and ``referral.population`` for referred customers);
        with the mechanisms on, from ``catalogue``, ``renewal`` and ``wom``.
    points_rate : float
        Loyalty points per currency unit spent (0 without a loyalty programme).

    Attributes
    ----------
    market_rate, market_drop : float
        The market's purchase-rate factor and dropout-logit shift (moved by :mod:`sim.world.market`).
    complain : callable
        ``complain(i, oid, quality_issue, now)``: opens the ticket of an order that raises one
        (wired by the world to :meth:`sim.world.complaints.Complaints.complain`).
    post_purchase : callable or None
        ``post_purchase(i, now, s)``: the post-purchase survey (:meth:`sim.world.surveys.Surveys.post_purchase`).
    on_acquired, on_order : callable or None
        The firm's callbacks, set by :meth:`sim.world.engine.World.attach_firm`.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.logs import Logs
    >>> from sim.world.population import draw_population
    >>> from sim.world.rng import Streams
    >>> from sim.world.state import Customers
    >>> sc, env, streams = sim.Scenario.load("btyd_only"), simpy.Environment(), Streams(1)
    >>> c, logs = Customers(draw_population(sc, 50, 365.0, streams), 0.01), Logs()
    >>> life = Lifecycle(env, sc, 365.0, c, logs, streams)
    >>> life.start_acquisition()
    >>> env.run(until=365.0)
    >>> c.n_acquired_paid, len(logs.orders) > 50, logs.events.kind[0]
    (50, True, 'acquired')
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        horizon: float,
        customers: Customers,
        logs: Logs,
        streams: Streams,
        points_rate: float = 0.0,
    ) -> None:
        sat, comp, ref = sc.satisfaction, sc.complaints, sc.population.referral
        self.env = env
        self.horizon = horizon
        self.customers = customers
        self.events = logs.events
        self.sat_on = sat.enabled
        self.comp_on = comp.enabled
        self.ref_on = ref.enabled
        self.s_ref = sat.reference
        self.k_rate = sat.rate_elasticity if sat.enabled else 0.0
        self.k_drop = sat.dropout_shift if sat.enabled else 0.0
        self.decay = customers.decay_rate
        self.mbg = sc.purchase.dropout_after_first
        self.eff_issue = sat.effects.quality_issue
        self.eff_good = sat.effects.good_order
        self.q_issue = comp.quality_issue_prob
        self.pc_issue = comp.complaint_prob_issue
        self.pc_ok = comp.complaint_prob_ok
        self.points_rate = points_rate
        self.reasons = Categorical(sc.churn.reason_mix)
        self.referral_pool = TraitPool(sc, streams)
        self.referral_cac = ref.cac
        self.referral_prob = ref.prob_per_promoter_order
        self.market_rate = 1.0
        self.market_drop = 0.0
        # per-event streams
        self.r_purchase = streams.buffered("purchase")
        self.r_spend = streams.buffered("spend", gamma_shape=sc.spend.p)
        self.r_dropout = streams.buffered("dropout")
        self.r_quality = streams.buffered("quality")
        self.r_complaint = streams.buffered("complaint")
        self.r_referral = streams.buffered("referral")
        self.r_churn = streams.buffered("churn")
        # hot lists bound here (the same list objects as in `customers`: appends stay visible)
        c = customers
        self.lam, self.lp, self.nu = c.lam, c.lp, c.nu
        self.s0, self.s, self.st = c.s0, c.s, c.st
        self.alive, self.version, self.bad_cause = c.alive, c.version, c.bad_cause
        self.mult, self.member_drop = c.mult, c.member_drop
        self.member_discount, self.pending = c.member_discount, c.pending
        self.sat_now = c.satisfaction
        orders = logs.orders
        self.o_t = orders.t
        self.o_cust_append = orders.customer.append
        self.o_t_append = orders.t.append
        self.o_amount_append = orders.amount.append
        self.o_first_append = orders.first.append
        self.o_issue_append = orders.issue.append
        self.o_more = orders.more
        self._chain = 0  # referrals set off by the order being processed (add_referral)
        self._purchase_due = self._on_purchase  # bound once: one per scheduled purchase
        init_mechanisms(self, sc, streams)  # sim.config.mechanisms: catalogue, subscription, word of mouth
        #: pending purchases and renewals (sim.world.timer.Calendar: SimPy's order, a small heap)
        self.calendar = Calendar(env, horizon)
        self.due_after = self.calendar.after
        self.due_callbacks = (self._purchase_due,)  # after init_mechanisms: a subscription's renewal
        self._arrival_callbacks = (self._on_arrival,)
        #: ``exit_survey(i, now, reason, s)`` at each true churn (surveys.exit; None when off)
        self.exit_survey = exit_survey_callback(sc, logs.surveys, streams)
        # wired by the world
        self.complain: Callable[[int, int, bool, float], object] = _unwired
        self.post_purchase: Callable[[int, float, float], None] | None = None
        self.on_acquired: Callable[[int, float], None] | None = None
        self.on_order: Callable[[int, int, float], None] | None = None

    # ------------------------------------------------------------------ acquisition
    def start_acquisition(self) -> None:
        """Paid customers arrive at their pre-drawn, sorted acquisition times (a chain of
        scheduled callbacks: one event per arrival time, no generator)."""
        c = self.customers
        if c.n_paid and c.acq_t[0] < self.horizon:
            self.due_after(c.acq_t[0] - self.env.now, 0, self._arrival_callbacks)

    def _on_arrival(self, ev: Due) -> None:
        i = ev._value
        now = self.env._now  # the value of the `now` property, without its call (hot path)
        c = self.customers
        acq_t, n_paid, horizon = c.acq_t, c.n_paid, self.horizon
        deterred = c.deterred
        while True:  # everyone arriving at this instant (a launch cohort arrives at once)
            c.n_acquired_paid = i + 1
            if not deterred or i not in deterred:  # a deterred prospect never arrives
                self.acquire(i, now)
            i += 1
            if i >= n_paid or acq_t[i] >= horizon:
                return
            if acq_t[i] > now:
                break
        self.due_after(acq_t[i] - now, i, self._arrival_callbacks)

    def acquire(self, i: int, now: float) -> None:
        """Customer ``i`` arrives: the acquisition order, then (MBG/NBD) a dropout chance or the next purchase."""
        c = self.customers
        self.events.add(i, now, "acquired", c.channel_names[c.channel[i]])
        if self.on_acquired is not None:
            self.on_acquired(i, now)
        ver = c.version[i]
        if self.sub_on:  # the acquisition order is the first payment; the first renewal one period later
            self.next_renewal[i] = now + self.plan_period[self.plan[i]]
        s = self.order(i, now, True)
        if self.alive[i]:
            if self.mbg:
                self.dropout_or_schedule(i, now, s, ver)
            elif c.version[i] == ver:  # else the order changed the rate and already drew the next purchase
                self.schedule(i, now)

    def add_referral(self, referrer: int, now: float) -> None:
        """A promoter's order brings a new customer, who arrives (and orders) now.

        Raises :class:`~sim.errors.ConfigError` when referrals run away (more than
        :data:`~sim.config.limits.MAX_REFERRED_PER_PAID` per paid customer, or a chain of more than
        :data:`~sim.config.limits.MAX_REFERRAL_CHAIN` at one instant): a supercritical scenario.
        """
        c = self.customers
        referred = len(c) - c.n_paid
        if referred >= MAX_REFERRED_PER_PAID * max(c.n_paid, 100) or self._chain >= MAX_REFERRAL_CHAIN:
            raise ConfigError(
                f"referrals run away at day {now:.1f}: {referred:,} referred customers for {c.n_paid:,} paid ones "
                f"(chain of {self._chain} at this instant); each referred customer refers the next faster than "
                "customers leave: lower population.referral.prob_per_promoter_order or word_of_mouth "
                "promoter_tells x referral_conversion, or the satisfaction that makes promoters"
            )
        i = c.append(self.referral_pool.take(), now, self.referral_cac)
        self.events.add(referrer, now, "referred", str(i + 1))
        self._chain += 1
        try:
            self.acquire(i, now)
        finally:
            self._chain -= 1

    # ------------------------------------------------------------------ purchases (hot path)
    def schedule(self, i: int, now: float, s: float | None = None) -> None:
        """Draw customer ``i``'s next purchase (``s``: satisfaction now, if already known)."""
        # inlined: model.purchase_rate
        rate = self.lam[i] * self.mult[i] * self.market_rate
        if self.k_rate:
            rate *= math.exp(self.k_rate * ((self.sat_now(i, now) if s is None else s) - self.s_ref))
        dt = self.r_purchase.exponential() / rate
        if now + dt < self.horizon:
            self.due_after(dt, (i, self.version[i]), self.due_callbacks)

    def reschedule(self, i: int, now: float) -> None:
        """Customer ``i``'s rate changed: supersede the pending purchase and draw a new one (memoryless)."""
        self.version[i] += 1
        self.schedule(i, now)

    def _on_purchase(self, ev: Due) -> None:
        """A pending repeat order comes due (hot path: dropout and the next order inlined)."""
        i, ver = ev._value
        if ver != self.version[i]:
            return  # superseded by a rate change, or the customer churned
        now = self.env._now  # the value of the `now` property, without its call (hot path)
        s = self.order(i, now, False)
        if not self.alive[i]:
            return
        # inlined: model.dropout_probability
        z = self.lp[i] + self.market_drop - self.member_drop[i]
        if self.k_drop:
            z -= self.k_drop * (s - self.s_ref)
        if self.r_dropout.uniform() < 1.0 / (1.0 + math.exp(-z)):
            self.churn(i, now, self.reason(i, s))
            return
        if self.version[i] != ver:
            return  # the order changed the rate (a new membership level) and already drew the next purchase
        # inlined: model.purchase_rate
        rate = self.lam[i] * self.mult[i] * self.market_rate
        if self.k_rate:
            rate *= math.exp(self.k_rate * (s - self.s_ref))
        t = now + self.r_purchase.exponential() / rate  # now is env._now: Calendar.after's time, bit for bit
        if t < self.horizon:
            # inlined: Calendar.after (one call less per order; t < horizon, so its day has a list)
            due = Due()
            due.callbacks = self.due_callbacks
            due._value = (i, self.version[i])
            cal = self.calendar
            if t < cal.bound:
                heappush(cal.queue, (t, NORMAL, next(cal.eid), due))
            else:
                cal.buckets[int(t)].append((t, NORMAL, next(cal.eid), due))

    def dropout_or_schedule(self, i: int, now: float, s: float, ver: int | None = None) -> None:
        """After an order: drop out with the (satisfaction-shifted) probability, else wait for the next.

        ``ver``: the customer's version before the order; if the order changed it (a membership
        level changed the rate and drew the next purchase already), no second purchase is drawn.
        """
        # inlined: model.dropout_probability
        z = self.lp[i] + self.market_drop - self.member_drop[i]
        if self.k_drop:
            z -= self.k_drop * (s - self.s_ref)
        if self.r_dropout.uniform() < 1.0 / (1.0 + math.exp(-z)):
            self.churn(i, now, self.reason(i, s))
        elif ver is None or self.version[i] == ver:
            self.schedule(i, now, s if self.sat_on else None)

    def order(self, i: int, now: float, first: bool, campaign: str = "") -> float:
        """Record an order and its consequences; returns satisfaction after it (hot path)."""
        amount = self.r_spend.gamma() / self.nu[i]  # inlined: model.order_amount
        if self.value_step is None:
            category, basket = -1, ""
        else:  # catalogue, business accounts or a plan's price (bound at construction)
            amount, category, basket = self.value_step(i, amount)
        issue = self.comp_on and self.r_quality.uniform() < self.q_issue
        o_t = self.o_t
        oid = len(o_t)
        discount = self.member_discount[i]
        if self.pending:
            offer = self.pending.pop(i, None)
            if offer is not None and offer[1] >= now:
                discount = max(discount, offer[0])  # inlined: model.order_discount
                campaign = campaign or offer[2]
        self.o_cust_append(i)
        self.o_t_append(now)
        self.o_amount_append(amount)
        # the other fields are sparse (sim.world.logs.OrderLog): stored only when not their default
        if first:
            self.o_first_append(oid)
        if issue:
            self.o_issue_append(oid)
        if discount or campaign or category != -1 or basket or self.points_rate:
            self.o_more(oid, discount, self.points_rate, campaign, category, basket)
        if self.sat_on:
            # inlined: model.relaxed_satisfaction, then model.satisfaction_after (clipped to the scale)
            s0 = self.s0[i]
            s = s0 + (self.s[i] - s0) * math.exp(-self.decay * (now - self.st[i]))
            s += self.eff_issue if issue else self.eff_good
            s = S_MIN if s < S_MIN else (S_MAX if s > S_MAX else s)
            self.s[i] = s
            self.st[i] = now
            if issue:
                self.bad_cause[i] = "product"
        else:
            s = self.s0[i]
        # inlined: model.complaint_probability
        if self.comp_on and self.r_complaint.uniform() < (self.pc_issue if issue else self.pc_ok):
            self.complain(i, oid, issue, now)
        if self.post_purchase is not None:
            self.post_purchase(i, now, s)
        # inlined: model.is_promoter
        if self.ref_on and s >= PROMOTER_MIN and self.r_referral.uniform() < self.referral_prob:
            self.add_referral(i, now)
        if self.wom_on:
            word_of_mouth(self, i, now, s)
        if self.on_order is not None:
            self.on_order(i, oid, now)
        return s

    # ------------------------------------------------------------------ leaving
    def reason(self, i: int, s: float) -> str:
        """Why customer ``i`` (satisfaction ``s``) leaves: their last bad experience, or the reason mix."""
        u = self.r_churn.uniform()
        if self.sat_on and self.bad_cause[i] and u < churn_attribution_probability(s, self.s_ref):
            return self.bad_cause[i]
        return self.reasons.draw(self.r_churn.uniform())

    def churn(self, i: int, now: float, reason: str) -> None:
        """Customer ``i`` becomes inactive now (latent: the firm only sees the orders stop)."""
        c = self.customers
        c.alive[i] = False
        c.churn_t[i] = now
        c.churn_reason[i] = reason
        c.s_churn[i] = c.satisfaction(i, now) if self.sat_on else c.s0[i]
        c.version[i] += 1
        self.events.add(i, now, "true_churned", reason)
        if self.exit_survey is not None:  # the exit survey (surveys.exit): the firm may learn why
            self.exit_survey(i, now, reason, c.s_churn[i])

    def reactivate(self, i: int, now: float, campaign: str) -> None:
        """A lapsed customer ``i`` is won back by ``campaign`` (alive again; the caller schedules)."""
        c = self.customers
        c.alive[i] = True
        c.churn_t[i] = math.nan
        c.churn_reason[i] = ""
        c.s_churn[i] = math.nan
        c.reactivated_t[i] = now
        self.events.add(i, now, "true_reactivated", campaign)
