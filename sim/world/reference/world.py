"""The reference world: one SimPy process per customer, every equation from :mod:`sim.world.model`.

A customer's life, as their process lives it::

    acquired at their arrival time: the first order (MBG/NBD: may drop out right after it)
    while alive:
        wait Exp(purchase_rate)            -- interrupted (and drawn again) when the rate changes
        order: value, quality, maybe a complaint, a survey, maybe a referral (or word of mouth)
        drop out with dropout_probability  -- after every repeat order

A subscriber's life (``subscription.enabled``)::

    acquired at their arrival time: the first payment (the plan's price)
    while subscribed:
        wait until the next renewal (last payment + the plan's period)
        cancel with renewal_cancel_probability, else pay the price again

Satisfaction ``s`` jumps with each experience (:func:`~sim.world.model.satisfaction_after`) and
relaxes back toward the customer's starting level between experiences
(:func:`~sim.world.model.relaxed_satisfaction`). The purchase rate depends on ``s``, on membership
and on the market; it is evaluated when the customer starts a wait, and whenever an experience
changes it (a resolved ticket, a contact, a membership, a market shock) the customer's process is
interrupted and draws its wait again. That is exact for a rate that is constant between
experiences, because the exponential wait is memoryless; the slow drift of ``s`` between
experiences is not followed (both engines share this approximation).

Beside the customer's process live a complaint's ticket (opening, resolution, the breach clock,
the customer's reaction: :mod:`~sim.world.reference.service`, owned as ``world.service``) and the
lifecycle mechanisms (baskets, renewals, word of mouth, snapshots: :mod:`~sim.world.reference.mechanisms`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.config.policy import Policy
from sim.config.scenario import MarketEvent, Scenario
from sim.world import model
from sim.world.loyalty import refuse_unmirrored
from sim.world.population import draw_mechanism_traits, draw_population, draw_traits, mechanism_generators
from sim.world.reference.desk import Desk
from sim.world.reference.mechanisms import (
    Baskets,
    Renewals,
    WordOfMouth,
    check_referrals,
    mechanism_fields,
    plan_period,
    snapshots,
)
from sim.world.reference.service import CustomerService, sla_targets
from sim.world.reference.state import Customer, Dice, EventRow, FirmRecords, Logs, OrderRow
from sim.world.reference.surveys import Surveys
from sim.world.rng import Streams

if TYPE_CHECKING:
    from sim.world.observed import FirmHooks

__all__ = ["World"]


class _Mix:
    """A categorical mix (labels and shares) to draw labels from."""

    def __init__(self, mix: dict[str, float]) -> None:
        self.labels = list(mix)
        shares = np.array([mix[k] for k in self.labels], dtype=float)
        self.probs = shares / shares.sum()

    def draw(self, rng: np.random.Generator) -> str:
        return self.labels[rng.choice(len(self.labels), p=self.probs)]


class World:
    """Customers, desk, surveys and market of one run, living in ``env``.

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
    customers : int
        Paid customers acquired over the horizon (referred customers come on top).
    horizon : float
        Days simulated.
    streams : Streams
        The run's random streams.
    agents : int
        Round-the-clock agents at the desk (per reference-sized team with a ``share``).
    policy : Policy, optional
        Only its service levers and loyalty points matter here; the firm's decisions are made by
        :class:`sim.world.firm.Firm` through :class:`~sim.world.reference.port.ReferencePort`.
    share : float, optional
        Reference desks the firm staffs (:func:`~sim.world.model.desk_share`); ``None``: one desk.
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        customers: int,
        horizon: float,
        streams: Streams,
        agents: int,
        policy: Policy | None = None,
        share: float | None = None,
    ) -> None:
        self.env = env
        self.sc = sc
        self.horizon = horizon
        self.policy = policy
        self.streams = streams
        self.dice = Dice(streams)
        self.logs = Logs()
        self.firm: FirmHooks | None = None  # the firm's callbacks (on_acquired, on_order, ...) once attached
        self.firm_records: list[FirmRecords] = []  # the firm's own copies of what it observes (feed)

        sat = sc.satisfaction
        self.satisfaction_on = sat.enabled
        self.s_ref = sat.reference
        self.rate_elasticity = sat.rate_elasticity if sat.enabled else 0.0
        self.dropout_shift = sat.dropout_shift if sat.enabled else 0.0
        self.decay = model.satisfaction_decay_rate(sat.half_life_days)
        self.effects = sat.effects
        self.complaints = sc.complaints
        self.causes = _Mix(sc.complaints.cause_mix)
        self.severities = _Mix(sc.complaints.severity_mix)
        self.reasons = _Mix(sc.churn.reason_mix)
        self.referral = sc.population.referral
        #: share of quality issues the firm's monitoring detects (policy service.auto_detect; 0: off)
        self.auto_detect = policy.service.auto_detect if policy is not None else 0.0
        self.market_rate_factor = 1.0  # competitor price cuts multiply every purchase rate ...
        self.market_dropout_shift = 0.0  # ... and raise every dropout logit

        # lifecycle mechanisms (sim.world.reference.mechanisms); None when off
        self.baskets = Baskets(sc.catalogue, self.dice.catalogue) if sc.catalogue.enabled else None
        self.renewals = Renewals(self, sc.subscription) if sc.subscription.enabled else None
        self.word_of_mouth = WordOfMouth(self, sc.word_of_mouth) if sc.word_of_mouth.enabled else None
        self.referral_traits = mechanism_generators(sc, streams, referred=True)  # referred customers' mechanism traits
        self.n_arrived = 0  # paid prospects whose arrival time has come (deterred ones included)
        self.referral_chain = 0  # referrals set off by the order being processed (see refer)

        loyalty = policy.loyalty if policy is not None and policy.loyalty.enabled else None
        refuse_unmirrored(sc, loyalty)  # chapter 09's ledger and responses are the fast engine's only
        self.points_per_currency = loyalty.points_per_currency if loyalty is not None else 0.0

        # the paid customers: traits and arrival times drawn up front (the fast engine's population)
        pop = draw_population(sc, customers, horizon, streams)
        names = [str(c) for c in pop["channel_names"]]
        self.customers: list[Customer] = [
            Customer(
                index=i,
                acquired_t=float(pop["acq_t"][i]),
                channel=names[pop["channel_idx"][i]],
                cac=float(pop["cac"][i]),
                consent=bool(pop["consent"][i]),
                birth_month=int(pop["birth_month"][i]),
                lam=float(pop["lam"][i]),
                p=float(pop["p"][i]),
                nu=float(pop["nu"][i]),
                s0=float(pop["s0"][i]),
                **mechanism_fields(pop, i),
            )
            for i in range(customers)
        ]
        self.n_paid = customers

        self.surveys = Surveys(
            sc, self.dice.survey, self.logs, self.dice.survey_mode, self.dice.survey_comment, self.dice.survey_exit
        )
        # tickets: opening, the breach clock, resolution, the customer's reaction (SLA targets in
        # days per severity; the policy may override the scenario's)
        self.service = CustomerService(self, sla_targets(sc, policy))
        levers = policy.service if policy is not None else None
        self.desk = Desk(
            env, sc, levers, agents, self.dice, self.service.resolved, self.service.has_priority, share, self.dice.pool
        )
        self.desk.is_basic = self.service.has_basic_service  # basic service (the firm's tiers): queue last
        #: the counterfactual replays of the firm's decisions (Scenario.uplift; None when off)
        self.uplift: Any = None

    def attach_firm(self, firm: FirmHooks) -> None:
        """Call ``firm`` back (``on_acquired``, ``on_order``, ``on_ticket_opened``, ``on_ticket_resolved``
        of :class:`sim.world.observed.FirmHooks`) on every acquisition, order and ticket from now on."""
        self.firm = firm

    def feed(self, records: FirmRecords) -> None:
        """From now on, write what the firm observes into ``records`` (a port's own copies).

        ``records`` is told of each sign-up (with consent and birth month), order (customer, time,
        amount), opened ticket (its customer) and opt-out as it happens, before the firm is called
        back; it holds plain values only, never a world object
        (see :class:`~sim.world.reference.port.ReferencePort`).
        """
        self.firm_records.append(records)
        self.surveys.on_answer.append(records.survey)

    # ------------------------------------------------------------------ processes
    def start(self) -> None:
        """Start the world's processes: arrivals, market events, the relationship survey."""
        self.env.process(self.arrivals())
        for ev in self.sc.market_events:
            self.env.process(self.market_event(ev))
        if self.sc.surveys.enabled:
            self.env.process(self.relationship_surveys())
        if self.sc.satisfaction.snapshot_days > 0.0:
            self.env.process(snapshots(self, self.sc.satisfaction.snapshot_days))

    def arrivals(self):
        """Paid customers arrive at their drawn times (the launch cohort at day 0); a prospect
        deterred by word of mouth never arrives."""
        for c in self.customers[: self.n_paid]:
            yield self.env.timeout(c.acquired_t - self.env.now)
            self.n_arrived = c.index + 1
            if not c.deterred:
                self.acquire(c)

    def buying(self, c: Customer):
        """Customer ``c`` while alive: wait for the next order, order, maybe drop out (BG/NBD).

        The wait is ``Exp(rate)`` with ``rate =`` :func:`~sim.world.model.purchase_rate`
        ``lambda_i * membership * market * exp(rate_elasticity * (s - s_ref))``. An interrupt means
        the rate changed (or the customer left): draw the wait again (memoryless).
        """
        env = self.env
        while c.alive:
            try:
                yield env.timeout(self.dice.purchase.exponential(1.0 / self.purchase_rate(c)))
            except simpy.Interrupt:
                continue
            s = self.place_order(c, first=False)
            if self.drops_out(c, s):
                self.churn(c, self.churn_reason(c, s))

    def relationship_surveys(self):
        """Every ``relationship_interval_days``: an NPS question to every customer acquired so far."""
        while True:
            yield self.env.timeout(self.sc.surveys.relationship_interval_days)
            for c in self.customers:
                if c.acquired:
                    self.surveys.relationship(c, self.satisfaction(c), self.env.now)

    def market_event(self, ev: MarketEvent):
        """A scheduled shock: a competitor's price cut (for a while) or an outage (at once).

        Price cut: every purchase rate x ``rate_multiplier`` (:func:`~sim.world.model.shocked_rate_factor`)
        and every dropout logit + ``dropout_shift`` (:func:`~sim.world.model.shocked_dropout_shift`)
        for ``duration_days``. Outage: ``tickets`` customers, picked at random among those alive,
        complain at once (cause *service*, severity ``ev.severity``).
        """
        env = self.env
        yield env.timeout(ev.day)
        if ev.kind == "competitor_price_cut":
            self._shock(ev.rate_multiplier, ev.dropout_shift)
            yield env.timeout(ev.duration_days)
            self._shock(1.0 / ev.rate_multiplier, -ev.dropout_shift)
        else:
            alive = [c for c in self.customers if c.acquired and c.alive]
            pick = self.streams.generator(f"reference.market.outage.{ev.day}")
            for k in pick.permutation(len(alive))[: ev.tickets]:
                self.service.open_ticket(alive[k], -1, "service", ev.severity)

    def _shock(self, rate_multiplier: float, dropout_shift: float) -> None:
        self.market_rate_factor = model.shocked_rate_factor(self.market_rate_factor, rate_multiplier)
        self.market_dropout_shift = model.shocked_dropout_shift(self.market_dropout_shift, dropout_shift)
        for c in self.customers:
            if c.acquired and c.alive:
                self.rate_changed(c)

    # ------------------------------------------------------------------ acquisition and referral
    def acquire(self, c: Customer) -> None:
        """Customer ``c`` arrives: the first order; then they buy (MBG/NBD: or leave at once)."""
        c.acquired = True
        self.event(c, "acquired", c.channel)
        period = plan_period(self.renewals, c)
        for r in self.firm_records:  # the firm sees the sign-up, with consent, birth month and plan
            r.acquired(c.index, c.consent, c.birth_month, period)
        if self.firm is not None:
            self.firm.on_acquired(c.index, self.env.now)
        if self.renewals is not None:  # the first payment now, the first renewal one period later
            c.next_renewal = self.env.now + period
        s = self.place_order(c, first=True)
        if self.renewals is not None:
            if c.alive:
                self.start_buying(c)
        elif self.sc.purchase.dropout_after_first and self.drops_out(c, s):
            self.churn(c, self.churn_reason(c, s))
        elif c.alive:
            self.start_buying(c)

    def start_buying(self, c: Customer) -> None:
        """Start (or, for a customer won back, restart) customer ``c``'s buying (or renewing) process."""
        if c.process is not None and c.process.is_alive:
            self.rate_changed(c)  # still winding down from the churn: let it draw a new wait
        else:
            c.process = self.env.process(self.renewals.process(c) if self.renewals is not None else self.buying(c))

    def refer(self, referrer: Customer) -> Customer:
        """A promoter brings a friend: new traits from the referral streams, acquired now (a
        :class:`~sim.errors.ConfigError` when referrals run away: :func:`check_referrals`)."""
        now = self.env.now
        check_referrals(len(self.customers) - self.n_paid, self.n_paid, self.referral_chain, now)
        tr = draw_traits(self.sc, 1, self.dice.referral_population)
        c = Customer(
            index=len(self.customers),
            acquired_t=now,
            channel="referral",
            cac=self.referral.cac,
            consent=bool(tr["consent"][0]),
            birth_month=int(tr["birth_month"][0]),
            lam=float(tr["lam"][0]),
            p=float(tr["p"][0]),
            nu=float(tr["nu"][0]),
            s0=float(tr["s0"][0]),
            **mechanism_fields(draw_mechanism_traits(self.sc, 1, self.referral_traits), 0),
        )
        self.customers.append(c)
        self.event(referrer, "referred", str(c.index + 1))
        self.referral_chain += 1  # referrals set off by the order being processed
        try:
            self.acquire(c)
        finally:
            self.referral_chain -= 1
        return c

    # ------------------------------------------------------------------ satisfaction and rates
    def satisfaction(self, c: Customer) -> float:
        """Satisfaction now: :func:`~sim.world.model.relaxed_satisfaction` from the last experience,
        ``s0 + (s_then - s0) * exp(-decay * elapsed)`` (``s0`` when satisfaction is switched off)."""
        if not self.satisfaction_on:
            return c.s0
        return model.relaxed_satisfaction(c.s, c.s0, self.env.now - c.s_t, self.decay)

    def experience(self, c: Customer, effect: float) -> float:
        """An experience moves satisfaction: :func:`~sim.world.model.satisfaction_after` (clipped to 0-10).

        Returns satisfaction after it. The caller tells the customer's process if the rate changed.
        """
        if not self.satisfaction_on:
            return c.s0
        c.s = model.satisfaction_after(self.satisfaction(c), effect)
        c.s_t = self.env.now
        return c.s

    def purchase_rate(self, c: Customer) -> float:
        """Orders per day now: :func:`~sim.world.model.purchase_rate`."""
        mult = c.rate_multiplier * c.rate_factor  # membership x the archetype's rate factor
        return model.purchase_rate(
            c.lam, self.satisfaction(c), self.s_ref, self.rate_elasticity, mult, self.market_rate_factor
        )

    def rate_changed(self, c: Customer) -> None:
        """Customer ``c``'s purchase rate (or life) changed: interrupt their wait so it is drawn again.

        Not needed when the customer's own process is the one running (it draws a fresh wait next).
        """
        if c.process is not None and c.process.is_alive and c.process is not self.env.active_process:
            c.process.interrupt()

    # ------------------------------------------------------------------ orders and dropout
    def place_order(self, c: Customer, first: bool, campaign: str = "") -> float:
        """Customer ``c`` orders now; returns their satisfaction after the order.

        Value :func:`~sim.world.model.order_amount` (``Gamma(p, 1) / nu_i``); a quality issue with
        probability ``complaints.quality_issue_prob``; a ticket with
        :func:`~sim.world.model.complaint_probability`; a post-purchase survey; a referral when the
        customer is a promoter (:func:`~sim.world.model.is_promoter`). The firm pays the larger of
        the membership discount and a pending offer's discount.

        With the catalogue the order has a main category and a basket, and its value is
        :func:`~sim.world.model.order_value` (x the main category's price level and a business
        account's factor); a subscriber's payment is the plan's price. With word of mouth,
        promoters and detractors tell others instead of the referral probability (both in
        :mod:`~sim.world.reference.mechanisms`).
        """
        now = self.env.now
        comp = self.complaints
        category, basket = -1, ""
        if self.renewals is not None:
            amount = self.renewals.price[c.plan]
        else:
            amount = model.order_amount(self.dice.spend.standard_gamma(self.sc.spend.p), c.nu)
            price_level = 1.0
            if self.baskets is not None:
                category, basket = self.baskets.basket(c)
                price_level = self.baskets.price_level[category]
            amount = model.order_value(amount, price_level, c.value_mult)
        issue = comp.enabled and self.dice.quality.random() < comp.quality_issue_prob
        offer, c.pending_offer = c.pending_offer, None
        redeemed = offer if offer is not None and offer.expires_t >= now else None  # a pending offer is redeemed
        discount = model.order_discount(c.member_discount, redeemed.discount if redeemed is not None else None)
        if redeemed is not None:
            campaign = campaign or redeemed.campaign
        oid = len(self.logs.orders)
        self.logs.orders.append(
            OrderRow(
                customer=c.index,
                t=now,
                amount=amount,
                is_first=first,
                discount=amount * discount,
                points=amount * self.points_per_currency,
                campaign=campaign,
                quality_issue=issue,
                category=category,
                basket=basket,
            )
        )
        for r in self.firm_records:  # the firm sees who ordered, when and for how much
            r.order(c.index, now, amount)
        s = self.experience(c, self.effects.quality_issue if issue else self.effects.good_order)
        if issue and self.satisfaction_on:
            c.last_bad_cause = "product"
        if issue and self.auto_detect > 0.0:  # the firm's monitoring may see the issue first (CP3)
            if self.dice.ticket_auto.random() < self.auto_detect:
                self.service.open_ticket(c, oid, "product", self.severities.draw(self.dice.complaint), channel="auto")
            elif self.dice.complaint.random() < comp.complaint_prob_issue:
                self.service.open_ticket(c, oid, "product", self.severities.draw(self.dice.complaint))
        elif comp.enabled and self.dice.complaint.random() < model.complaint_probability(
            issue, comp.complaint_prob_issue, comp.complaint_prob_ok
        ):
            cause = "product" if issue else self.causes.draw(self.dice.complaint)
            self.service.open_ticket(c, oid, cause, self.severities.draw(self.dice.complaint))
        self.surveys.after_order(c, s, now)
        if self.word_of_mouth is not None:
            self.word_of_mouth.tell_others(c, s)
        elif (
            self.referral.enabled
            and model.is_promoter(s)
            and self.dice.referral.random() < self.referral.prob_per_promoter_order
        ):
            self.refer(c)
        if self.firm is not None:
            self.firm.on_order(c.index, oid, now)
        return s

    def drops_out(self, c: Customer, s: float) -> bool:
        """Whether ``c`` drops out after an order: :func:`~sim.world.model.dropout_probability`,
        ``logistic(logit(p_i) + market_shift - membership_shift - dropout_shift * (s - s_ref))``
        (the membership shift includes an onboarding shift in force)."""
        member = c.member_dropout_shift + c.onboarding_shift
        prob = model.dropout_probability(
            model.logit(c.p), s, self.s_ref, self.dropout_shift, self.market_dropout_shift, member
        )
        return self.dice.dropout.random() < prob

    def churn_reason(self, c: Customer, s: float) -> str:
        """Why ``c`` left after an order: their last bad experience with
        :func:`~sim.world.model.churn_attribution_probability`, else a draw from ``churn.reason_mix``."""
        if (
            self.satisfaction_on
            and c.last_bad_cause
            and self.dice.churn.random() < model.churn_attribution_probability(s, self.s_ref)
        ):
            return c.last_bad_cause
        return self.reasons.draw(self.dice.churn)

    def churn(self, c: Customer, reason: str) -> None:
        """Customer ``c`` becomes inactive now (latent: the firm only sees the orders stop)."""
        c.alive = False
        c.churn_t = self.env.now
        c.churn_reason = reason
        c.s_at_churn = self.satisfaction(c)
        self.event(c, "true_churned", reason)
        self.surveys.exit_answer(c, self.env.now)  # the exit survey (surveys.exit; nothing when off)
        self.rate_changed(c)  # ends their buying process

    def reactivate(self, c: Customer, campaign: str) -> None:
        """A lapsed customer is won back: alive again, buying again (a subscriber whose renewal
        date passed meanwhile renews one period from now)."""
        now = self.env.now
        c.alive = True
        c.churn_t = math.nan
        c.churn_reason = ""
        c.s_at_churn = math.nan
        c.reactivated_t = now
        if self.renewals is not None:
            self.renewals.won_back(c)
        self.event(c, "true_reactivated", campaign)
        self.start_buying(c)

    def opt_out(self, c: Customer, campaign: str) -> None:
        """Customer ``c`` opts out of contacts (after ``campaign`` was one too many); the firm sees it."""
        c.opted_out = True
        self.event(c, "opted_out", campaign)
        for r in self.firm_records:
            r.opt_out(c.index)

    # ------------------------------------------------------------------ logs
    def event(self, c: Customer | None, kind: str, detail: str) -> None:
        """Log a lifecycle event (``acquired``, ``referred``, ``true_churned`` ...); ``c=None``: an
        event about no customer (the firm's ``alert``, ``customer_id`` 0)."""
        self.logs.events.append(EventRow(c.index if c is not None else -1, self.env.now, kind, detail))
