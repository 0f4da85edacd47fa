"""What the firm's actions do to the world: contacts, membership levels, tier and event logs.

The firm (:mod:`sim.world.firm`) decides from observed data; these mechanisms carry its
decisions out on the latent state (it reaches them only through
:class:`sim.world.observed.Observed`).

* **Contact** (:meth:`FirmActions.deliver`). It costs the channel's price (plus the offer's fixed
  cost). Contacts beyond ``fatigue.free_contacts`` within ``fatigue.window_days``
  (:func:`~sim.world.model.is_fatigued`) lower satisfaction and opt the customer out with a
  probability. It is opened with the channel's ``open_rate``. An opened contact may win back a
  truly lapsed customer (:func:`~sim.world.model.winback_probability`, times the true churn reason x
  the offer's kind multiplier of ``churn.winback_response``: :meth:`FirmActions.winback_p`); for an active customer it
  lifts satisfaction by the channel's ``care_effect`` plus the offer's ``satisfaction_boost``, then
  converts into an immediate order (:func:`~sim.world.model.conversion_probability`, at the
  offer's discount; followed by the usual dropout chance) or leaves the discount pending for
  ``redeem_window_days``.
  All these probabilities come from :meth:`FirmActions.contact_probabilities` (the single place they
  are computed): with ``Scenario.messaging`` on, the variant's message levels (send time, copy,
  image, and the channel) and the customer's latent channel affinity shift the open, click and
  convert log-odds (:func:`~sim.world.model.message_probability`). An opened contact to an active
  customer is *clicked* when the conversion uniform falls below the click probability — the same
  uniform that decides conversion, so no draw is added and a converted contact was always
  clicked (:func:`~sim.world.model.click_and_convert`; no click stage in a subscription world).
  Each contact records its true open and convert probabilities and the best of its trigger's
  variants (the regret of the allocation).
* **Membership** (:meth:`FirmActions.set_membership`). Multiplies the purchase rate
  (:func:`~sim.world.model.membership_rate_multiplier`), lowers the dropout logit by
  ``dropout_shift`` (the switching cost of status and points), gives a discount on every order
  and, with ``priority_service``, serves the member's tickets ahead of non-members of the same
  severity. An upgrade lifts satisfaction once.
* **Basic service** (:meth:`FirmActions.set_basic_service`, H12). The firm's tiering puts a
  customer in or out of a basic-service tier; their tickets then queue behind everyone else's
  (:data:`sim.world.complaints.BASIC_PRIORITY_SHIFT`); tickets already queued keep their place.
* **Onboarding** (:meth:`FirmActions.onboard`, LC4/LC9). A welcome contact (a contact like any
  other, with the policy's ``satisfaction_boost``). If it is opened, the customer's dropout logit
  is lowered by the onboarding ``dropout_shift`` until the end of the onboarding window — the
  same per-customer shift as a membership's (``member_drop`` in
  :func:`~sim.world.model.dropout_probability`): the two add up, and the onboarding part is
  removed exactly when the window ends (the membership part is kept separately, so a level
  granted or lost meanwhile is not disturbed). Applied once per customer.
* **Renewal reminder** (:meth:`FirmActions.remind_renewal`, C3). A contact before a subscriber's
  renewal; if opened, its ``renewal_shift`` waits in ``renew_shift`` and is added to the
  cancellation log-odds at the customer's next renewal (consumed there).

Examples
--------
>>> import sim
>>> res = sim.run("baseline", "spray_and_pray", customers=400, days=200, seed=1)
>>> bool(res.contacts["opened"].any()), int(res.events["event"].eq("opted_out").sum()) > 0
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import simpy
from simpy.events import Timeout

from sim.config.scenario import Scenario
from sim.schema import CHANNELS
from sim.world.counterfactual import UpliftRecorder
from sim.world.lifecycle import Lifecycle
from sim.world.logs import Logs
from sim.world.model import (
    conversion_probability,
    dropout_probability,
    is_membership_upgrade,
    membership_rate_multiplier,
    message_probability,
    offer_conversion_scaled,
    reason_winback_probability,
    true_convert_probability,
    variant_shifts,
    winback_probability,
    winback_reason_multiplier,
)
from sim.world.rng import Streams
from sim.world.state import Customers

if TYPE_CHECKING:
    from sim.config.policy import Policy
    from sim.config.policy_contacts import Variant

__all__ = ["ContactOdds", "FirmActions", "trigger_arms", "variant_levels"]


class ContactOdds(NamedTuple):
    """The true response probabilities of one contact, as :meth:`FirmActions.contact_probabilities`
    computes them (latent: the firm never sees them).

    ``p_open``: P(opened); ``p_click``: P(clicked | opened) (at least ``p_convert``: a converting
    contact was clicked); ``p_convert``: P(immediate order | opened, customer active) (0 in a
    subscription world, where contacts do not convert); ``boost``: satisfaction points an opened
    contact gives an active customer (channel care effect + the offer's boost x the customer's offer
    response; without the caller's extra boost). Unconditional P(convert | active) is
    ``p_open * p_convert``.

    Examples
    --------
    >>> o = ContactOdds(0.2, 0.1, 0.02, 0.0)
    >>> round(o.p_open * o.p_convert, 4)
    0.004
    """

    p_open: float
    p_click: float
    p_convert: float
    boost: float


class FirmActions:
    """The firm's actions on one world (the firm has already decided, checked consent and paid).

    Parameters
    ----------
    env : simpy.Environment
    sc : Scenario
        ``satisfaction`` (whether it is on, its elasticities and reference).
    policy : Policy or None
        Channels, offers and fatigue rules (needed by :meth:`deliver`).
    customers : Customers
    logs : Logs
        Contacts, events and tiers are written here.
    lifecycle : Lifecycle
        For the orders a contact converts into, churn, win-back and re-scheduling.
    streams : Streams
        Contact outcomes draw from the ``contact`` stream (dropout after a converted order from
        the lifecycle's ``dropout`` stream).

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> w = World(env, sim.Scenario.load("baseline"), 20, 30.0, Streams(0), 1, policy=sim.Policy.load("vip_care"))
    >>> w.start()
    >>> env.run(until=10.0)
    >>> i = w.customers.acquired()[0]
    >>> cid = w.actions.deliver(i, "tier:gold", "phone", None)
    >>> w.logs.contacts.campaign[cid], w.logs.contacts.channel[cid]
    ('tier:gold', 'phone')
    """

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        policy: Policy | None,
        customers: Customers,
        logs: Logs,
        lifecycle: Lifecycle,
        streams: Streams,
    ) -> None:
        sat = sc.satisfaction
        self.env = env
        self.policy = policy
        self.customers = customers
        self.contacts = logs.contacts
        self.events = logs.events
        self.tiers = logs.tiers
        self.lifecycle = lifecycle
        self.sat_on = sat.enabled
        self.s_ref = sat.reference
        self.k_rate = sat.rate_elasticity if sat.enabled else 0.0
        self.k_drop = sat.dropout_shift if sat.enabled else 0.0
        self.r_contact = streams.buffered("contact")
        #: churn reason -> offer kind -> win-back multiplier (scenario churn.winback_response; {}: off)
        self.winback_response = sc.churn.winback_response
        #: onboarding dropout shift in force, per customer (removed when the window ends)
        self.onboarding: dict[int, float] = {}
        #: membership dropout shift per customer who ever had a level (member_drop = this + onboarding)
        self.member_shift: dict[int, float] = {}
        #: called with ``i`` when a customer opts out (the firm's records; see World.feed)
        self.on_opt_out: Callable[[int], None] | None = None
        #: the counterfactual-uplift recorder (Scenario.uplift on; sim.world.counterfactual), else None
        self.uplift: UpliftRecorder | None = (
            UpliftRecorder(sc, policy, customers, lifecycle, self, streams, logs.uplift) if sc.uplift.enabled else None
        )
        # chapter 08 (sim.config.messaging): hidden message effects and channel affinity
        msg = sc.messaging
        self.msg_on = msg.enabled
        self.msg_effects = msg.effects
        self.affinity = customers.affinity
        self.channel_index = {name: k for k, name in enumerate(CHANNELS)}
        #: (trigger name, variant label) -> (channel, offer, Variant): a trigger's arms, resolved
        self.arms: dict[str, dict[str, tuple[str, str | None, Variant]]] = trigger_arms(policy)
        #: without per-customer factors (channel affinity, archetypes' offer response) the odds of a
        #: message are the same for everyone: cached per (channel, offer, levels)
        per_customer = self.affinity is not None or sc.archetypes.enabled
        self.odds_cache: dict[tuple, ContactOdds] | None = None if per_customer else {}
        #: the same for contacts without a variant: channel -> offer -> odds ({} when per customer)
        channels = policy.channels if policy is not None and not per_customer else {}
        self.plain_odds: dict[str, dict[str | None, ContactOdds]] = {name: {} for name in channels}

    def contact_probabilities(
        self, i: int, channel: str, offer_name: str | None, variant: Variant | None = None
    ) -> ContactOdds:
        """The true odds of a contact to customer ``i`` on ``channel`` with ``offer_name`` now.

        The single place these are computed: :meth:`deliver` draws against them and the
        counterfactual replays use them. ``variant`` brings its message levels (send time, copy,
        image); its channel and offer overrides must already be resolved into ``channel`` and
        ``offer_name``.

        Examples
        --------
        >>> import simpy, sim
        >>> from sim.world.engine import World
        >>> from sim.world.rng import Streams
        >>> env = simpy.Environment()
        >>> w = World(env, sim.Scenario.load("baseline"), 20, 30.0, Streams(0), 1, policy=sim.Policy.load("vip_care"))
        >>> w.actions.contact_probabilities(0, "email", None)
        ContactOdds(p_open=0.2, p_click=0.1, p_convert=0.02, boost=0.02)
        """
        cache = self.odds_cache
        if cache is not None:  # the odds do not depend on the customer: computed once per message
            key = (channel, offer_name) if variant is None else (channel, offer_name, *variant_levels(variant))
            odds = cache.get(key)
            if odds is None:
                odds = cache[key] = self._odds(i, channel, offer_name, variant)
            return odds
        return self._odds(i, channel, offer_name, variant)

    def _odds_fast(self, i: int, channel: str, offer_name: str | None) -> ContactOdds:
        """:meth:`contact_probabilities` without a variant, on the hot path (a plain dict per channel
        when the odds are the same for every customer)."""
        by_offer = self.plain_odds.get(channel)
        if by_offer is None:
            return self.contact_probabilities(i, channel, offer_name)
        odds = by_offer.get(offer_name)
        if odds is None:
            odds = by_offer[offer_name] = self._odds(i, channel, offer_name, None)
        return odds

    def _odds(self, i: int, channel: str, offer_name: str | None, variant: Variant | None) -> ContactOdds:
        pol = self.policy
        if pol is None:
            raise RuntimeError("contacts need a policy (its channels, offers and fatigue rules)")
        ch = pol.channels[channel]
        offer = pol.offers[offer_name] if offer_name else None
        c = self.customers
        p_open = ch.open_rate
        if offer is not None:
            p_convert = conversion_probability(
                ch.convert_rate, offer_conversion_scaled(offer.convert_multiplier, c.offer_mult[i])
            )
            boost = ch.care_effect + offer.satisfaction_boost * c.offer_mult[i]
        else:
            p_convert = conversion_probability(ch.convert_rate, 1.0)
            boost = ch.care_effect
        p_click = ch.convert_rate if ch.click_rate is None else ch.click_rate
        if self.msg_on:
            levels: dict[str, str | None] = {"channel": channel}
            if variant is not None:
                levels.update(send_time=variant.send_time, copy=variant.copy, image=variant.image)
            s_open, s_click, s_convert = variant_shifts(self.msg_effects, levels)
            if self.affinity is not None:
                a = self.affinity[i][self.channel_index[channel]]
                s_open, s_click, s_convert = s_open + a, s_click + a, s_convert + a
            p_open = message_probability(p_open, s_open)
            p_click = message_probability(p_click, s_click)
            p_convert = message_probability(p_convert, s_convert)
        if self.lifecycle.sub_on:
            p_convert = 0.0
        return ContactOdds(p_open, max(p_click, p_convert), p_convert, boost)

    def true_convert_prob(self, i: int, channel: str, offer_name: str | None, variant: Variant | None = None) -> float:
        """Unconditional true probability that a contact sent now converts
        (:func:`~sim.world.model.true_convert_probability`: opened x active, or won back, x converts).

        Examples
        --------
        >>> import simpy, sim
        >>> from sim.world.engine import World
        >>> from sim.world.rng import Streams
        >>> env = simpy.Environment()
        >>> w = World(env, sim.Scenario.load("baseline"), 20, 30.0, Streams(0), 1, policy=sim.Policy.load("vip_care"))
        >>> round(w.actions.true_convert_prob(0, "email", None), 6)   # 0.2 opened x 0.02 converted
        0.004
        """
        odds = self.contact_probabilities(i, channel, offer_name, variant)
        p_active = 1.0 if self.customers.alive[i] else self.winback_p(i, offer_name)
        return true_convert_probability(odds.p_open, odds.p_convert, p_active)

    def deliver(
        self, i: int, campaign: str, channel: str, offer_name: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact to customer ``i``; returns its index in the contacts log."""
        now = self.env.now
        pol = self.policy
        if pol is None:
            raise RuntimeError("contacts need a policy (its channels, offers and fatigue rules)")
        c, life = self.customers, self.lifecycle
        ch = pol.channels[channel]
        offer = pol.offers[offer_name] if offer_name else None
        arms = self.arms.get(campaign) if self.arms else None
        v = arms[variant][2] if arms and variant in arms else None
        if v is None:  # the hot path of _odds_fast inlined: odds shared by every customer, cached
            by_offer = self.plain_odds.get(channel)
            odds = by_offer.get(offer_name) if by_offer is not None else None
            if odds is None:
                odds = self._odds_fast(i, channel, offer_name)
        else:
            odds = self.contact_probabilities(i, channel, offer_name, v)
        p_open, p_click, p_convert, _ = odds
        contacts = self.contacts
        cost = ch.cost + (offer.fixed_cost if offer else 0.0)
        # the truth of this contact as sent (inlined: self.true_convert_prob, model.true_convert_probability)
        if c.alive[i]:
            p_true = p_open * p_convert
        else:
            p_true = p_open * self.winback_p(i, offer_name) * p_convert
        consent_ok = c.consent[i] and not c.opted_out[i]
        cid = contacts.add(i, now, campaign, channel, variant, cost, consent_ok, p_open, p_true)
        if arms:  # the best of its trigger's variants for this customer now (regret = best - sent)
            contacts.best[cid] = max(p_true, *(self.true_convert_prob(i, *arm) for arm in arms.values()))
            if v is not None:
                contacts.levels[cid] = variant_levels(v)
        if self.uplift is not None:  # the latent state before the contact changes it (Scenario.uplift)
            self.uplift.contact(i, cid, now, campaign, channel, offer_name, odds, extra_boost)
        # fatigue: contacts beyond the free allowance within the window
        fat = pol.fatigue
        times = c.contact_times.setdefault(i, [])
        times.append(now)
        gone = now - fat.window_days
        while times and times[0] <= gone:
            times.pop(0)
        tired = len(times) > fat.free_contacts  # inlined: model.is_fatigued
        if tired:
            if self.sat_on:
                c.experience(i, now, -fat.satisfaction_penalty)
            if not c.opted_out[i] and self.r_contact.uniform() < fat.opt_out_prob:
                c.opted_out[i] = True
                self.events.add(i, now, "opted_out", campaign)
                if self.on_opt_out is not None:
                    self.on_opt_out(i)
        opened = self.r_contact.uniform() < p_open
        contacts.opened[cid] = opened
        if not opened:
            if tired and c.alive[i] and self.k_rate:
                life.reschedule(i, now)
            return cid
        if not c.alive[i] and offer is not None and offer.winback_prob > 0.0:
            p = self.winback_p(i, offer_name)  # reason x offer kind (churn.winback_response) included
            if self.r_contact.uniform() < p:
                life.reactivate(i, now, campaign)
        if not c.alive[i]:
            return cid
        if self.sat_on:
            # an offer's boost x the archetype's offer response (1.0 without archetypes)
            boost = ch.care_effect + extra_boost + (offer.satisfaction_boost * c.offer_mult[i] if offer else 0.0)
            c.experience(i, now, boost)
        # subscribers place no extra orders: a contact cannot convert, an offer's discount waits
        # for the next renewal payment (redeemed if it falls within the offer's window)
        # the conversion uniform u also decides the click (nested, no new draw: clicked = u < p_click,
        # converted = u < p_convert <= p_click; model.click_and_convert); subscribers: no click stage
        u = 1.0 if life.sub_on else self.r_contact.uniform()
        if u < p_click:
            contacts.clicked.add(cid)
        if u < p_convert:
            if offer is not None and offer.discount > 0:
                c.pending[i] = (offer.discount, now, campaign)
            contacts.converted[cid] = True
            life.order(i, now, False, campaign)
            if not c.alive[i]:
                return cid
            p = dropout_probability(c.lp[i], c.s[i], self.s_ref, self.k_drop, life.market_drop, c.member_drop[i])
            if life.r_dropout.uniform() < p:
                life.churn(i, now, life.reason(i, c.s[i]))
                return cid
        elif offer is not None and offer.discount > 0:
            c.pending[i] = (offer.discount, now + offer.redeem_window_days, campaign)
        life.reschedule(i, now)  # satisfaction changed: redraw the next purchase (memoryless)
        return cid

    def winback_p(self, i: int, offer_name: str | None) -> float:
        """The probability that an opened contact with ``offer_name`` would win customer ``i`` back now.

        0 for an active customer or an offer without ``winback_prob``; else
        :func:`~sim.world.model.winback_probability` (decaying since the true lapse) times
        :func:`~sim.world.model.winback_reason_multiplier` of the true churn reason and the offer's
        ``kind`` (scenario ``churn.winback_response``), capped at 1
        (:func:`~sim.world.model.reason_winback_probability`). Latent: the firm never sees it.

        Examples
        --------
        >>> import simpy, sim
        >>> from sim.world.engine import World
        >>> from sim.world.rng import Streams
        >>> env = simpy.Environment()
        >>> sc = sim.Scenario.load("baseline").updated({"churn.winback_response": {"price": {"discount": 2.0}}})
        >>> pol = sim.Policy.load("churn_rescue").updated({"offers.winback_coupon.kind": "discount"})
        >>> w = World(env, sc, 20, 30.0, Streams(0), 1, policy=pol)
        >>> w.start(); env.run(until=5.0)
        >>> i = next(k for k in w.customers.acquired() if w.customers.alive[k])
        >>> w.actions.winback_p(i, "winback_coupon")          # alive: nothing to win back
        0.0
        >>> w.lifecycle.churn(i, 5.0, "price")
        >>> w.actions.winback_p(i, "winback_coupon")          # 0.25 x 2 (a price leaver, a discount)
        0.5
        """
        c = self.customers
        pol = self.policy
        if c.alive[i] or pol is None or not offer_name:
            return 0.0
        offer = pol.offers[offer_name]
        if not offer.winback_prob > 0.0:
            return 0.0
        p = winback_probability(offer.winback_prob, self.env.now - c.churn_t[i], offer.winback_half_life_days)
        if self.winback_response:
            mult = winback_reason_multiplier(c.churn_reason[i], offer.kind, self.winback_response)
            p = reason_winback_probability(p, mult)
        return p

    def holdout(self, i: int, campaign: str) -> None:
        """Hold customer ``i`` out of the policy's campaign ``campaign``: an observed ``holdout`` event
        (detail: the campaign's name), no contact. With ``Scenario.uplift`` on, the contact the customer
        did not get is replayed all the same (its row in the latent ``uplift`` table, ``treated`` False).

        Examples
        --------
        >>> import simpy, sim
        >>> from sim.world.engine import World
        >>> from sim.world.rng import Streams
        >>> env = simpy.Environment()
        >>> pol = sim.Policy.from_dict({"campaigns": [{"name": "spring", "day": 20, "holdout": 0.5}]})
        >>> w = World(env, sim.Scenario.load("baseline"), 20, 30.0, Streams(0), 1, policy=pol)
        >>> w.start(); env.run(until=10.0)
        >>> w.actions.holdout(w.customers.acquired()[0], "spring")
        >>> w.logs.events.kind[-1], w.logs.events.detail[-1]
        ('holdout', 'spring')
        """
        pol = self.policy
        camp = next((k for k in pol.campaigns if k.name == campaign), None) if pol is not None else None
        if camp is None:
            raise ValueError(f"holdout: no campaign named {campaign[:60]!r} in the policy's campaigns")
        now = self.env.now
        self.events.add(i, now, "holdout", campaign)
        if self.uplift is not None:
            self.uplift.holdout(i, now, camp.campaign_label, camp.channel, camp.offer)

    def set_membership(
        self,
        i: int,
        level: str,
        rate_uplift: float,
        discount: float,
        priority: bool,
        boost: float,
        dropout_shift: float,
    ) -> None:
        """Apply a membership level's benefits to customer ``i`` (``level="none"`` with zeros: none)."""
        now = self.env.now
        c = self.customers
        mult = membership_rate_multiplier(rate_uplift)
        old_shift = self.member_shift.get(i, c.member_drop[i])
        # c.mult holds the archetype's rate factor too (1.0 without archetypes; sim.world.state)
        upgrade = is_membership_upgrade(mult, c.mult[i] / c.rate_factor[i], dropout_shift, old_shift)
        c.mult[i] = mult * c.rate_factor[i]
        self.member_shift[i] = dropout_shift
        onboarding = self.onboarding.get(i)
        c.member_drop[i] = dropout_shift if onboarding is None else dropout_shift + onboarding
        c.member_discount[i] = discount
        c.priority[i] = priority
        self.events.add(i, now, "membership", level)
        if upgrade and self.sat_on:
            c.experience(i, now, boost)
        if c.alive[i]:
            self.lifecycle.reschedule(i, now)

    def set_basic_service(self, i: int, basic: bool) -> None:
        """Put customer ``i`` in or out of basic service (their next tickets queue last)."""
        self.customers.basic[i] = basic

    def onboard(self, i: int, channel: str, satisfaction_boost: float, dropout_shift: float, until: float) -> int:
        """A welcome contact to customer ``i``; if opened (and ``i`` is active), their dropout logit is
        lowered by ``dropout_shift`` until day ``until``, once. Returns the contact's index.

        Examples
        --------
        >>> import simpy, sim
        >>> from sim.world.engine import World
        >>> from sim.world.rng import Streams
        >>> env, pol = simpy.Environment(), sim.Policy.load("onboarding")
        >>> w = World(env, sim.Scenario.load("baseline"), 200, 60.0, Streams(0), 1, policy=pol)
        >>> w.start(); env.run(until=5.0)
        >>> c = w.customers
        >>> i = next(k for k in c.acquired() if c.alive[k])
        >>> c.member_drop[i] = 0.25                      # as if a membership level were in force
        >>> while not w.logs.contacts.opened[w.actions.onboard(i, "phone", 0.0, 1.0, 30.0)]:
        ...     pass
        >>> cid = w.actions.onboard(i, "phone", 0.0, 1.0, 30.0)   # another welcome contact
        >>> c.member_drop[i]                             # the shift is applied once
        1.25
        >>> env.run(until=31.0); c.member_drop[i]        # and removed exactly after the window
        0.25
        """
        cid = self.deliver(i, "onboarding", channel, None, "", satisfaction_boost)
        now = self.env.now
        c = self.customers
        if self.contacts.opened[cid] and c.alive[i] and i not in self.onboarding and now < until:
            base = self.member_shift.setdefault(i, c.member_drop[i])
            self.onboarding[i] = dropout_shift
            c.member_drop[i] = base + dropout_shift
            ev = Timeout(self.env, until - now, i)
            ev.callbacks.append(self._onboarding_ends)
        return cid

    def _onboarding_ends(self, ev: Timeout) -> None:
        i = ev._value
        del self.onboarding[i]
        self.customers.member_drop[i] = self.member_shift[i]

    def remind_renewal(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str, renewal_shift: float
    ) -> int:
        """A renewal reminder to customer ``i``; if opened (and ``i`` is active), ``renewal_shift`` is
        added to the cancellation log-odds at their next renewal. Returns the contact's index."""
        cid = self.deliver(i, campaign, channel, offer, variant)
        c = self.customers
        if self.contacts.opened[cid] and c.alive[i]:
            c.renew_shift[i] = renewal_shift
        return cid

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment of customer ``i`` (the ``tiers`` table)."""
        self.tiers.add(i, self.env.now, tier, score)

    def log_event(self, i: int, kind: str, detail: str) -> None:
        """Log an event the firm observes about customer ``i`` now (e.g. ``budget_skip``)."""
        self.events.add(i, self.env.now, kind, detail)


def trigger_arms(policy: Policy | None) -> dict[str, dict[str, tuple[str, str | None, Variant]]]:
    """Each trigger's variants (arms), resolved: trigger name -> label -> (channel, offer, variant).

    A variant's channel and offer override the trigger's (None: the trigger's own). Triggers
    without variants are left out.

    Examples
    --------
    >>> import sim
    >>> pol = sim.Policy.load("vip_care").updated({"triggers.post_order.variants": {"a": {"channel": "sms"}, "b": {}},
    ...                                             "triggers.post_order.split": {"a": 0.5, "b": 0.5}})
    >>> {k: v[:2] for k, v in trigger_arms(pol)["post_order"].items()}
    {'a': ('sms', None), 'b': ('email', None)}
    """
    if policy is None:
        return {}
    out: dict[str, dict[str, tuple[str, str | None, Variant]]] = {}
    for name in type(policy.triggers).model_fields:
        trig = getattr(policy.triggers, name)
        if trig.variants:
            out[name] = {
                label: (v.channel or trig.channel, v.offer if v.offer is not None else trig.offer, v)
                for label, v in trig.variants.items()
            }
    return out


def variant_levels(v: Variant) -> tuple[str, str, str]:
    """A variant's (send_time, copy, image) levels, ``""`` where unset.

    Examples
    --------
    >>> from sim.config.policy_contacts import Variant
    >>> variant_levels(Variant(send_time="evening"))
    ('evening', '', '')
    """
    return v.send_time or "", v.copy or "", v.image or ""
