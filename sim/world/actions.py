"""What the firm's actions do to the world: contacts, membership levels, tier and event logs.

The firm (:mod:`sim.world.firm`) decides from observed data; these mechanisms carry its
decisions out on the latent state (it reaches them only through
:class:`sim.world.observed.Observed`).

* **Contact** (:meth:`FirmActions.deliver`). It costs the channel's price (plus the offer's fixed
  cost). Contacts beyond ``fatigue.free_contacts`` within ``fatigue.window_days``
  (:func:`~sim.world.model.is_fatigued`) lower satisfaction and opt the customer out with a
  probability. It is opened with the channel's ``open_rate``. An opened contact may win back a
  truly lapsed customer (:func:`~sim.world.model.winback_probability`); for an active customer it
  lifts satisfaction by the channel's ``care_effect`` plus the offer's ``satisfaction_boost``, then
  converts into an immediate order (:func:`~sim.world.model.conversion_probability`, at the
  offer's discount; followed by the usual dropout chance) or leaves the discount pending for
  ``redeem_window_days``.
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
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from sim.config.scenario import Scenario
from sim.world.lifecycle import Lifecycle
from sim.world.logs import Logs
from sim.world.model import (
    conversion_probability,
    dropout_probability,
    is_fatigued,
    is_membership_upgrade,
    membership_rate_multiplier,
    offer_conversion_scaled,
    winback_probability,
)
from sim.world.rng import Streams
from sim.world.state import Customers

if TYPE_CHECKING:
    from sim.config.policy import Policy

__all__ = ["FirmActions"]


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
        #: onboarding dropout shift in force, per customer (removed when the window ends)
        self.onboarding: dict[int, float] = {}
        #: membership dropout shift per customer who ever had a level (member_drop = this + onboarding)
        self.member_shift: dict[int, float] = {}
        #: called with ``i`` when a customer opts out (the firm's records; see World.feed)
        self.on_opt_out: Callable[[int], None] | None = None

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
        contacts = self.contacts
        cost = ch.cost + (offer.fixed_cost if offer else 0.0)
        cid = contacts.add(i, now, campaign, channel, variant, cost, c.consent[i] and not c.opted_out[i])
        # fatigue: contacts beyond the free allowance within the window
        fat = pol.fatigue
        times = c.contact_times.setdefault(i, [])
        times.append(now)
        while times and times[0] <= now - fat.window_days:
            times.pop(0)
        tired = is_fatigued(len(times), fat.free_contacts)
        if tired:
            if self.sat_on:
                c.experience(i, now, -fat.satisfaction_penalty)
            if not c.opted_out[i] and self.r_contact.uniform() < fat.opt_out_prob:
                c.opted_out[i] = True
                self.events.add(i, now, "opted_out", campaign)
                if self.on_opt_out is not None:
                    self.on_opt_out(i)
        opened = self.r_contact.uniform() < ch.open_rate
        contacts.opened[cid] = opened
        if not opened:
            if tired and c.alive[i] and self.k_rate:
                life.reschedule(i, now)
            return cid
        if not c.alive[i] and offer is not None and offer.winback_prob > 0.0:
            p = winback_probability(offer.winback_prob, now - c.churn_t[i], offer.winback_half_life_days)
            if self.r_contact.uniform() < p:
                life.reactivate(i, now, campaign)
        if not c.alive[i]:
            return cid
        if self.sat_on:
            # an offer's boost x the archetype's offer response (1.0 without archetypes)
            boost = ch.care_effect + extra_boost + (offer.satisfaction_boost * c.offer_mult[i] if offer else 0.0)
            c.experience(i, now, boost)
        mult = offer_conversion_scaled(offer.convert_multiplier, c.offer_mult[i]) if offer else 1.0
        # subscribers place no extra orders: a contact cannot convert, an offer's discount waits
        # for the next renewal payment (redeemed if it falls within the offer's window)
        if not life.sub_on and self.r_contact.uniform() < conversion_probability(ch.convert_rate, mult):
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
