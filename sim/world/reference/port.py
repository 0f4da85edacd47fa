"""The firm's port into the reference world (:class:`sim.world.observed.FirmPort`) and what its actions do.

The firm (:class:`sim.world.firm.Firm`) decides from observations only; the port answers its
questions with copies and carries out its actions:

**A contact** (:meth:`ReferencePort.deliver`) costs the channel's price plus the offer's fixed cost.
A contact beyond ``fatigue.free_contacts`` within ``fatigue.window_days``
(:func:`~sim.world.model.is_fatigued`) lowers satisfaction by ``fatigue.satisfaction_penalty`` and
opts the customer out with ``fatigue.opt_out_prob``. The contact is opened with the channel's
``open_rate``. An opened win-back offer reactivates a truly lapsed customer with
:func:`~sim.world.model.winback_probability` ``winback_prob * 0.5 ** (days since lapse / half-life)``.
For a customer who is alive, an opened contact lifts satisfaction by the channel's ``care_effect``
plus the offer's ``satisfaction_boost`` (plus a follow-up's boost), and converts into an order at
once with :func:`~sim.world.model.conversion_probability` ``min(1, convert_rate * convert_multiplier)``
(that order may be followed by a dropout, like any other); an offer that does not convert stays
redeemable for ``redeem_window_days``.

**A membership level** (:meth:`ReferencePort.set_membership`) multiplies the purchase rate by
:func:`~sim.world.model.membership_rate_multiplier` ``1 + rate_uplift``, lowers the dropout logit
by ``dropout_shift``, pays ``discount`` of every order, serves the member's tickets ahead of
non-members of the same severity (``priority_service``) and, on an upgrade, lifts satisfaction by
``upgrade_boost``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.config.policy import LoyaltyTier
from sim.errors import LatentAccessError
from sim.schema import LATENT_PREFIX
from sim.world import model
from sim.world.reference.state import ContactRow, Offer, TierRow
from sim.world.reference.world import World

__all__ = ["ReferencePort"]


class ReferencePort:
    """What the firm may see of, and do to, a reference :class:`World` (implements ``FirmPort``).

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> world = World(env, sim.Scenario.load("baseline"), 10, 30.0, Streams(0), agents=1)
    >>> port = ReferencePort(world)
    >>> port.acquired(), port.horizon
    ([], 30.0)
    >>> port.alive
    Traceback (most recent call last):
    ...
    AttributeError: 'ReferencePort' object has no attribute 'alive'
    """

    __slots__ = ("_world",)

    def __init__(self, world: World) -> None:
        self._world = world

    # ------------------------------------------------------------------ observations (copies)
    @property
    def now(self) -> float:
        """Simulation clock (days)."""
        return self._world.env.now

    @property
    def horizon(self) -> float:
        """Last day of the run (days)."""
        return self._world.horizon

    @property
    def start_date(self) -> dt.date:
        """Calendar date of day 0."""
        return self._world.sc.start_date

    def acquired(self) -> list[int]:
        """Indices of the customers acquired so far (paid customers first, then referred ones)."""
        return [c.index for c in self._world.customers if c.acquired]

    def consent(self, i: int) -> bool:
        """Whether customer ``i`` consented to marketing contacts at sign-up."""
        return self._world.customers[i].consent

    def opted_out(self, i: int) -> bool:
        """Whether customer ``i`` has opted out since."""
        return self._world.customers[i].opted_out

    def birth_month(self, i: int) -> int:
        """Customer ``i``'s birth month (1-12)."""
        return self._world.customers[i].birth_month

    def order_amount(self, oid: int) -> float:
        """Amount of order ``oid`` (currency)."""
        return self._world.logs.orders[oid].amount

    def ticket_customer(self, tid: int) -> int:
        """Customer index of ticket ``tid``."""
        return self._world.logs.tickets[tid].customer

    def order_frame(self) -> pd.DataFrame:
        """Orders so far (a copy): customer index ``i``, time ``t`` (days), ``amount``."""
        orders = self._world.logs.orders
        return pd.DataFrame(
            {
                "i": np.array([o.customer for o in orders], dtype=np.int64),
                "t": np.array([o.t for o in orders], dtype=float),
                "amount": np.array([o.amount for o in orders], dtype=float),
            }
        )

    # ------------------------------------------------------------------ actions
    def deliver(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact (the firm has checked consent and budget); returns the contact index."""
        w = self._world
        pol, rng, now = w.policy, w.dice.contact, w.env.now
        if pol is None:
            raise ValueError("contacts need the policy's channels and offers: build the World with a policy")
        c = w.customers[i]
        ch = pol.channels[channel]
        off = pol.offers[offer] if offer else None
        cid = len(w.logs.contacts)
        cost = ch.cost + (off.fixed_cost if off else 0.0)
        consent_ok = c.consent and not c.opted_out  # False: a compliance incident
        row = ContactRow(i, now, campaign, channel, variant, cost, opened=False, converted=False, consent_ok=consent_ok)
        w.logs.contacts.append(row)

        # fatigue: one contact too many within the window
        fatigue = pol.fatigue
        c.contact_times = [t for t in c.contact_times if t > now - fatigue.window_days] + [now]
        tired = model.is_fatigued(len(c.contact_times), fatigue.free_contacts)
        if tired:
            w.experience(c, -fatigue.satisfaction_penalty)
            if not c.opted_out and rng.random() < fatigue.opt_out_prob:
                c.opted_out = True
                w.event(c, "opted_out", campaign)
        opened = rng.random() < ch.open_rate
        w.logs.contacts[cid] = row._replace(opened=opened)
        if not opened:
            if tired and c.alive:
                w.rate_changed(c)
            return cid

        # win-back: an opened offer may bring a lapsed customer back
        if not c.alive and off is not None and off.winback_prob > 0.0:
            if rng.random() < model.winback_probability(off.winback_prob, now - c.churn_t, off.winback_half_life_days):
                w.reactivate(c, campaign)
        if not c.alive:
            return cid

        # care: the opened contact lifts satisfaction, and may convert into an order now
        w.experience(c, ch.care_effect + extra_boost + (off.satisfaction_boost if off else 0.0))
        if rng.random() < model.conversion_probability(ch.convert_rate, off.convert_multiplier if off else 1.0):
            if off is not None and off.discount > 0:
                c.pending_offer = Offer(off.discount, now, campaign)  # redeemed by this very order
            w.logs.contacts[cid] = w.logs.contacts[cid]._replace(converted=True)
            s = w.place_order(c, first=False, campaign=campaign)
            if c.alive and w.drops_out(c, s):
                w.churn(c, w.churn_reason(c, s))
                return cid
        elif off is not None and off.discount > 0:
            c.pending_offer = Offer(off.discount, now + off.redeem_window_days, campaign)
        w.rate_changed(c)
        return cid

    def set_membership(self, i: int, tier: LoyaltyTier) -> None:
        """Grant customer ``i`` a loyalty level (a ``Policy.loyalty.tiers`` entry)."""
        self._membership(
            i, tier.name, tier.rate_uplift, tier.dropout_shift, tier.discount, tier.priority_service, tier.upgrade_boost
        )

    def clear_membership(self, i: int) -> None:
        """Take customer ``i``'s loyalty level away."""
        self._membership(i, "none", 0.0, 0.0, 0.0, False, 0.0)

    def _membership(
        self, i: int, level: str, uplift: float, dropout_shift: float, discount: float, priority: bool, boost: float
    ) -> None:
        w = self._world
        c = w.customers[i]
        multiplier = model.membership_rate_multiplier(uplift)
        upgrade = model.is_membership_upgrade(multiplier, c.rate_multiplier, dropout_shift, c.member_dropout_shift)
        c.rate_multiplier = multiplier
        c.member_dropout_shift = dropout_shift
        c.member_discount = discount
        c.priority_service = priority
        w.event(c, "membership", level)
        if upgrade:
            w.experience(c, boost)
        if c.alive:
            w.rate_changed(c)

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment (the ``tiers`` table)."""
        w = self._world
        w.logs.tiers.append(TierRow(i, w.env.now, tier, score))

    def event(self, i: int, kind: str, detail: str) -> None:
        """Log an observed event (``budget_skip`` ...); latent event kinds are refused."""
        if kind.startswith(LATENT_PREFIX):
            raise LatentAccessError("the firm cannot log latent events")
        w = self._world
        w.event(w.customers[i], kind, detail)
