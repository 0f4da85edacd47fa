"""The firm's port into the reference world (:class:`sim.world.observed.FirmPort`) and what its actions do.

The firm (:class:`sim.world.firm.Firm`) decides from observations only. Its port,
:class:`ReferencePort`, holds no world object: it answers from the firm's own records
(:class:`~sim.world.reference.state.FirmRecords`), which the world writes into as things happen
(a sign-up with its consent and birth month, an order, an opened ticket, an opt-out; see
:meth:`World.feed <sim.world.reference.world.World.feed>`), and it hands out plain values or fresh
copies. The firm's actions reach the world through one private channel, the port's only route to
it: the clock, the tables (handed out as a :class:`~sim.world.observed.FirmView`, copies without
latent columns) and :class:`FirmActions`, which carries out what follows.

**A contact** (:meth:`FirmActions.deliver`) costs the channel's price plus the offer's fixed cost.
A contact beyond ``fatigue.free_contacts`` within ``fatigue.window_days``
(:func:`~sim.world.model.is_fatigued`) lowers satisfaction by ``fatigue.satisfaction_penalty`` and
opts the customer out with ``fatigue.opt_out_prob``. The contact is opened with the channel's
``open_rate``. An opened win-back offer reactivates a truly lapsed customer with
:func:`~sim.world.model.winback_probability` ``winback_prob * 0.5 ** (days since lapse / half-life)``.
For a customer who is alive, an opened contact lifts satisfaction by the channel's ``care_effect``
plus the offer's ``satisfaction_boost`` (plus a follow-up's boost), and converts into an order at
once with :func:`~sim.world.model.conversion_probability` ``min(1, convert_rate * convert_multiplier)``
(that order may be followed by a dropout, like any other); an offer that does not convert stays
redeemable for ``redeem_window_days``. A subscriber's contact never converts (there are no extra
orders in the subscription world): an offer's discount waits for the next renewal payment.

**A membership level** (:meth:`FirmActions.set_membership`) multiplies the purchase rate by
:func:`~sim.world.model.membership_rate_multiplier` ``1 + rate_uplift``, lowers the dropout logit
by ``dropout_shift``, pays ``discount`` of every order, serves the member's tickets ahead of
non-members of the same severity (``priority_service``) and, on an upgrade, lifts satisfaction by
``upgrade_boost``.

An archetype's ``offer_response`` multiplies an offer's satisfaction boost and conversion
multiplier (:func:`~sim.world.model.offer_conversion_scaled`).

**Chapters 06-08.** A contact's odds come from :meth:`FirmActions.contact_probabilities` (with
``messaging`` on, shifted by the message levels' hidden effects and the customer's channel
affinity); one uniform decides both the click and the conversion of an opened contact (nested);
its truth (``true_open_prob``, ``true_convert_prob``, ``true_best_convert_prob`` over the trigger's
variants) is recorded as it is sent. A lapsed customer's win-back probability depends on the churn
reason and the offer's kind (:meth:`FirmActions.winback_p`). With ``complaints.acceptance``, a
``follow_up`` contact asks the customer whether they accept the resolution it follows up. A
campaign's holdout (:meth:`FirmActions.holdout`) is an observed ``holdout`` event; with
``uplift.enabled`` every contact and holdout is replayed (:mod:`~sim.world.reference.uplift`).
The bandit reads a contact's observed outcome (:meth:`ReferencePort.contact_outcome`).

**Basic service** (:meth:`FirmActions.set_basic_service`): the customer's next tickets queue behind
everyone else's (:data:`~sim.world.reference.desk.BASIC_SHIFT`). **Onboarding**
(:meth:`FirmActions.onboard`): a welcome contact; if opened, the customer's dropout log-odds are
lowered by ``dropout_shift`` until the window ends (on top of a membership's shift). **Renewal
reminder** (:meth:`FirmActions.remind_renewal`): a contact; if opened, its ``renewal_shift`` is
added to the cancellation log-odds at the subscriber's next renewal.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim.config.policy import LoyaltyTier
from sim.config.policy_contacts import Variant
from sim.errors import ConfigError, LatentAccessError
from sim.schema import CHANNELS, LATENT_PREFIX
from sim.world import model
from sim.world.actions import ContactOdds, trigger_arms
from sim.world.loyalty import refuse_unmirrored
from sim.world.observed import FirmView
from sim.world.reference.mechanisms import plan_period
from sim.world.reference.state import ContactRow, Customer, FirmRecords, Offer, TierRow
from sim.world.reference.tables import build_tables
from sim.world.reference.uplift import ReferenceUplift
from sim.world.reference.world import World

__all__ = ["ReferencePort", "FirmActions", "LatentAttributeError"]


class LatentAttributeError(LatentAccessError, AttributeError):
    """The firm asked its port for an attribute it cannot observe (an ``AttributeError`` too, so
    ``hasattr`` and ``getattr(port, name, default)`` work as usual)."""


class FirmActions:
    """What the firm's actions do to a reference :class:`World` (the port's channel calls these)."""

    __slots__ = ("world", "arms")

    def __init__(self, world: World) -> None:
        self.world = world
        #: a trigger's variants (arms), resolved: trigger name -> label -> (channel, offer, Variant)
        self.arms = trigger_arms(world.policy)
        if world.sc.uplift.enabled and world.uplift is None:  # the counterfactual truth of each decision
            world.uplift = ReferenceUplift(world, self)

    def contact_probabilities(
        self, i: int, channel: str, offer_name: str | None, variant: Variant | None = None
    ) -> ContactOdds:
        """The true odds of a contact to customer ``i`` on ``channel`` with ``offer_name`` now
        (:class:`~sim.world.actions.ContactOdds`: P(opened); P(clicked | opened); P(converted |
        opened, active); the satisfaction boost of an opened contact).

        The channel's rates, the offer's conversion multiplier (x the archetype's offer response:
        :func:`~sim.world.model.offer_conversion_scaled`); with ``messaging`` on, each stage's
        log-odds are shifted by the message levels' hidden effects (the channel and the variant's
        send time, copy and image: :func:`~sim.world.model.variant_shifts`) plus the customer's
        latent affinity for the channel (:func:`~sim.world.model.message_probability`). A
        subscriber's contact never converts.
        """
        w = self.world
        pol = w.policy
        if pol is None:
            raise ValueError("contacts need the policy's channels and offers: build the World with a policy")
        c = w.customers[i]
        ch = pol.channels[channel]
        off = pol.offers[offer_name] if offer_name else None
        mult = model.offer_conversion_scaled(off.convert_multiplier, c.offer_mult) if off else 1.0
        p_open = ch.open_rate
        p_convert = model.conversion_probability(ch.convert_rate, mult)
        p_click = ch.convert_rate if ch.click_rate is None else ch.click_rate
        boost = ch.care_effect + (off.satisfaction_boost * c.offer_mult if off else 0.0)
        msg = w.sc.messaging
        if msg.enabled:
            levels: dict[str, str | None] = {"channel": channel}
            if variant is not None:
                levels.update(send_time=variant.send_time, copy=variant.copy, image=variant.image)
            s_open, s_click, s_convert = model.variant_shifts(msg.effects, levels)
            if c.affinity is not None:  # the customer's latent affinity for this channel
                a = c.affinity[CHANNELS.index(channel)]
                s_open, s_click, s_convert = s_open + a, s_click + a, s_convert + a
            p_open = model.message_probability(p_open, s_open)
            p_click = model.message_probability(p_click, s_click)
            p_convert = model.message_probability(p_convert, s_convert)
        if w.renewals is not None:  # a subscriber places no extra order
            p_convert = 0.0
        return ContactOdds(p_open, max(p_click, p_convert), p_convert, boost)

    def true_convert_prob(self, i: int, channel: str, offer_name: str | None, variant: Variant | None = None) -> float:
        """Unconditional true probability that a contact sent now converts: opened x active (or
        won back) x converts (:func:`~sim.world.model.true_convert_probability`)."""
        odds = self.contact_probabilities(i, channel, offer_name, variant)
        c = self.world.customers[i]
        p_active = 1.0 if c.alive else self.winback_p(i, offer_name)
        return model.true_convert_probability(odds.p_open, odds.p_convert, p_active)

    def winback_p(self, i: int, offer_name: str | None) -> float:
        """The probability that an opened contact with ``offer_name`` would win customer ``i`` back now:
        0 for an active customer or an offer without ``winback_prob``; else
        :func:`~sim.world.model.winback_probability` x the reason x offer-kind multiplier of
        ``churn.winback_response`` (:func:`~sim.world.model.winback_reason_multiplier`), capped at 1."""
        w = self.world
        c, pol = w.customers[i], w.policy
        if c.alive or pol is None or not offer_name:
            return 0.0
        off = pol.offers[offer_name]
        if not off.winback_prob > 0.0:
            return 0.0
        p = model.winback_probability(off.winback_prob, w.env.now - c.churn_t, off.winback_half_life_days)
        table = w.sc.churn.winback_response
        if table:
            p = model.reason_winback_probability(p, model.winback_reason_multiplier(c.churn_reason, off.kind, table))
        return p

    def deliver(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact (the firm has checked consent and budget); returns the contact index.

        Its truth is recorded as it is sent (:meth:`contact_probabilities`): the chance it is
        opened, the chance it converts as sent and the best such chance over its trigger's
        variants. One uniform decides both the click and the conversion of an opened contact
        (nested: :func:`~sim.world.model.click_and_convert`).
        """
        w = self.world
        pol, rng, now = w.policy, w.dice.contact, w.env.now
        if pol is None:
            raise ValueError("contacts need the policy's channels and offers: build the World with a policy")
        c = w.customers[i]
        ch = pol.channels[channel]
        off = pol.offers[offer] if offer else None
        arms = self.arms.get(campaign)  # a trigger's variants: (channel, offer, Variant) per label
        arm = arms.get(variant) if arms is not None else None
        v = arm[2] if arm is not None else None
        odds = self.contact_probabilities(i, channel, offer, v)
        p_true = model.true_convert_probability(
            odds.p_open, odds.p_convert, 1.0 if c.alive else self.winback_p(i, offer)
        )
        best = max(p_true, *(self.true_convert_prob(i, *a) for a in arms.values())) if arms else p_true
        cid = len(w.logs.contacts)
        cost = ch.cost + (off.fixed_cost if off else 0.0)
        consent_ok = c.consent and not c.opted_out  # False: a compliance incident
        row = ContactRow(
            i, now, campaign, channel, variant, cost, opened=False, converted=False, consent_ok=consent_ok,
            send_time=(v.send_time or "") if v is not None else "",
            copy=(v.copy or "") if v is not None else "",
            image=(v.image or "") if v is not None else "",
            true_open_prob=odds.p_open, true_convert_prob=p_true, true_best_convert_prob=best,
        )  # fmt: skip
        w.logs.contacts.append(row)
        if w.uplift is not None:  # the latent state before the contact changes it (Scenario.uplift)
            w.uplift.contact(i, cid, now, campaign, channel, offer, odds, extra_boost)

        # fatigue: one contact too many within the window
        fatigue = pol.fatigue
        c.contact_times = [t for t in c.contact_times if t > now - fatigue.window_days] + [now]
        tired = model.is_fatigued(len(c.contact_times), fatigue.free_contacts)
        if tired:
            w.experience(c, -fatigue.satisfaction_penalty)
            if not c.opted_out and rng.random() < fatigue.opt_out_prob:
                w.opt_out(c, campaign)
        opened = rng.random() < odds.p_open
        w.logs.contacts[cid] = row._replace(opened=opened)
        if not opened:
            if tired and c.alive:
                w.rate_changed(c)
            return cid

        # win-back: an opened offer may bring a lapsed customer back (by reason x offer kind)
        if not c.alive and off is not None and off.winback_prob > 0.0:
            if rng.random() < self.winback_p(i, offer):
                w.reactivate(c, campaign)
        if not c.alive:
            return cid

        # care: the opened contact lifts satisfaction, and may convert into an order now (an offer's
        # boost and conversion x the archetype's offer response)
        w.experience(c, ch.care_effect + extra_boost + (off.satisfaction_boost * c.offer_mult if off else 0.0))
        # a subscriber places no extra order: the contact cannot convert (nor be clicked), and an
        # offer's discount waits for the next renewal payment (redeemed if it falls within the window)
        u = 1.0 if w.renewals is not None else rng.random()
        clicked, converted = model.click_and_convert(u, odds.p_click, odds.p_convert)
        if clicked:
            w.logs.contacts[cid] = w.logs.contacts[cid]._replace(clicked=True)
        if converted:
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

    def deliver_and_ask(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """:meth:`deliver`; after a ``follow_up`` contact, the customer is asked whether they accept
        the resolution it follows up (:meth:`CustomerService.follow_up_call
        <sim.world.reference.service.CustomerService.follow_up_call>`)."""
        cid = self.deliver(i, campaign, channel, offer, variant, extra_boost)
        if campaign == "follow_up":
            w = self.world
            w.service.follow_up_call(w.customers[i])
        return cid

    def set_membership(
        self, i: int, level: str, uplift: float, dropout_shift: float, discount: float, priority: bool, boost: float
    ) -> None:
        """Give customer ``i`` membership level ``level`` (``"none"`` with neutral values: no membership)."""
        w = self.world
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

    def set_basic_service(self, i: int, basic: bool) -> None:
        """Put customer ``i`` in or out of basic service (their next tickets queue last)."""
        self.world.customers[i].basic = bool(basic)

    def onboard(self, i: int, channel: str, satisfaction_boost: float, dropout_shift: float, until: float) -> int:
        """A welcome contact to customer ``i``; if opened (and ``i`` is active), their dropout
        log-odds are lowered by ``dropout_shift`` until day ``until`` (not twice at once)."""
        w = self.world
        cid = self.deliver(i, "onboarding", channel, None, "", satisfaction_boost)
        c, now = w.customers[i], w.env.now
        if w.logs.contacts[cid].opened and c.alive and c.onboarding_shift == 0.0 and now < until:
            c.onboarding_shift = dropout_shift
            w.env.process(self._onboarding_ends(c, until - now))
        return cid

    def _onboarding_ends(self, c: Customer, after: float):
        yield self.world.env.timeout(after)
        c.onboarding_shift = 0.0

    def remind_renewal(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str, renewal_shift: float
    ) -> int:
        """A renewal reminder to customer ``i``; if opened (and ``i`` is active), ``renewal_shift``
        waits for their next renewal."""
        w = self.world
        cid = self.deliver(i, campaign, channel, offer, variant)
        c = w.customers[i]
        if w.logs.contacts[cid].opened and c.alive:
            c.renew_shift = renewal_shift
        return cid

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment (the ``tiers`` table)."""
        w = self.world
        w.logs.tiers.append(TierRow(i, w.env.now, tier, score))

    def log_event(self, i: int, kind: str, detail: str) -> None:
        """Log an observed event about customer ``i`` (``i < 0``: about no customer, e.g. an alert)."""
        w = self.world
        w.event(w.customers[i] if i >= 0 else None, kind, detail)

    def holdout(self, i: int, campaign: str) -> None:
        """Hold customer ``i`` out of the policy's campaign ``campaign``: an observed ``holdout``
        event (detail: the campaign's name), no contact."""
        w = self.world
        pol = w.policy
        camp = next((k for k in pol.campaigns if k.name == campaign), None) if pol is not None else None
        if camp is None:
            raise ValueError(f"holdout: no campaign named {campaign[:60]!r} in the policy's campaigns")
        w.event(w.customers[i], "holdout", campaign)
        if w.uplift is not None:  # the contact not sent is replayed all the same (treated False)
            w.uplift.holdout(i, w.env.now, camp.campaign_label, camp.channel, camp.offer)

    def contact_outcome(self, cid: int) -> tuple[bool, bool, bool]:
        """Contact ``cid``'s observed outcome: opened, clicked, converted (plain bools)."""
        row = self.world.logs.contacts[cid]
        return bool(row.opened), bool(row.clicked), bool(row.converted)


class _Channel:
    """The port's one live capability: carry out the firm's actions, read the clock, build tables.

    Its members are callables (the :class:`FirmActions` of the world, the clock, the tables);
    everything they return is a plain value or a fresh copy.
    """

    __slots__ = ("now", "deliver", "set_membership", "record_tier", "log_event", "tables",
                 "set_basic_service", "onboard", "remind_renewal", "holdout", "contact_outcome",
                 "set_programme")  # fmt: skip

    def __init__(self, world: World) -> None:
        env, actions = world.env, FirmActions(world)
        self.now: Callable[[], float] = lambda: env.now
        # with complaints.acceptance, a follow-up call asks the customer about the resolution it follows up
        self.deliver = actions.deliver_and_ask if world.service.acceptance is not None else actions.deliver
        self.set_membership = actions.set_membership
        self.record_tier = actions.record_tier
        self.log_event = actions.log_event
        self.set_basic_service = actions.set_basic_service
        self.onboard = actions.onboard
        self.remind_renewal = actions.remind_renewal
        self.holdout = actions.holdout
        self.contact_outcome = actions.contact_outcome
        self.tables: Callable[[], dict[str, pd.DataFrame]] = lambda: build_tables(world)

        def set_programme(loyalty: Any) -> None:  # the points rate of orders; chapter 09's levers are refused
            lo = loyalty if loyalty is not None and loyalty.enabled else None
            refuse_unmirrored(world.sc, lo)
            world.points_per_currency = lo.points_per_currency if lo is not None else 0.0

        self.set_programme = set_programme


class ReferencePort:
    """What the firm may see of, and do to, a reference :class:`World` (implements ``FirmPort``).

    The port keeps the firm's own records (:class:`~sim.world.reference.state.FirmRecords`),
    copied from the world when the port is made and written by the world afterwards; every read
    answers from them with a plain value or a fresh copy, and no attribute of the port is a world
    object. Actions go to the world through one private channel (``_channel``: the clock, the
    tables, :class:`FirmActions`). Anything else is refused with :class:`LatentAttributeError` (a
    :class:`~sim.errors.LatentAccessError`), and the port cannot be written to.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> world = World(env, sim.Scenario.load("baseline"), 10, 30.0, Streams(0), agents=1)
    >>> port = ReferencePort(world)
    >>> port.acquired(), port.horizon
    ([], 30.0)
    >>> world.start(); env.run(until=30.0)
    >>> i = port.acquired()[0]
    >>> isinstance(port.consent(i), bool), list(port.order_frame().columns)
    (True, ['i', 't', 'amount'])
    >>> port.alive
    Traceback (most recent call last):
    ...
    sim.world.reference.port.LatentAttributeError: 'alive' is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only
    """

    __slots__ = ("_records", "_channel", "_horizon", "_start_date")

    def __init__(self, world: World) -> None:
        init = object.__setattr__
        init(self, "_records", _snapshot(world))
        init(self, "_channel", _Channel(world))
        init(self, "_horizon", float(world.horizon))
        init(self, "_start_date", world.sc.start_date)
        world.feed(self._records)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # Python protocol probes (copy, pickle, ...): plain absence
            raise AttributeError(name)
        raise LatentAttributeError(
            f"{name!r} is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the firm cannot change the world's state directly; use its actions")

    # ------------------------------------------------------------------ observations (copies)
    @property
    def now(self) -> float:
        """Simulation clock (days)."""
        return self._channel.now()

    @property
    def horizon(self) -> float:
        """Last day of the run (days)."""
        return self._horizon

    @property
    def start_date(self) -> dt.date:
        """Calendar date of day 0."""
        return self._start_date

    def acquired(self) -> list[int]:
        """Indices of the customers acquired so far (a new list: paid customers first, then referred ones)."""
        r = self._records
        return r.paid + r.referred

    def consent(self, i: int) -> bool:
        """Whether customer ``i`` consented to marketing contacts at sign-up."""
        return self._records.consent[i]

    def opted_out(self, i: int) -> bool:
        """Whether customer ``i`` has opted out since."""
        return i in self._records.opted_out

    def birth_month(self, i: int) -> int:
        """Customer ``i``'s birth month (1-12), as given at sign-up."""
        return self._records.birth_month[i]

    def order_amount(self, oid: int) -> float:
        """Amount of order ``oid`` (currency)."""
        return self._records.order_amount[oid]

    def ticket_customer(self, tid: int) -> int:
        """Customer index of ticket ``tid``."""
        return self._records.ticket_customer[tid]

    def order_frame(self) -> pd.DataFrame:
        """Orders so far (a copy): customer index ``i``, time ``t`` (days), ``amount``."""
        r = self._records
        return pd.DataFrame(
            {
                "i": np.array(r.order_customer, dtype=np.int64),
                "t": np.array(r.order_t, dtype=float),
                "amount": np.array(r.order_amount, dtype=float),
            }
        )

    def survey_frame(self, start: int = 0) -> pd.DataFrame:
        """Survey answers observed so far, from the ``start``-th on (a copy, in the order they came
        in): columns ``i`` (customer index), ``t`` (days), ``instrument`` (``csat``, ``ces``,
        ``nps``), ``score``. ``start`` = the number of answers already read: only the new ones."""
        r, k = self._records, max(int(start), 0)
        return pd.DataFrame(
            {
                "i": np.array(r.survey_customer[k:], dtype=np.int64),
                "t": np.array(r.survey_t[k:], dtype=float),
                "instrument": np.array(r.survey_instrument[k:], dtype=object),
                "score": np.array(r.survey_score[k:], dtype=np.int64),
            }
        )

    def plan_period(self, i: int) -> float:
        """Days between two payments of customer ``i``'s subscription plan (chosen at sign-up,
        observed); NaN for a customer without a plan."""
        return self._records.plan_period.get(i, math.nan)

    def view(self) -> FirmView:
        """Observed tables up to now (copies, no latent columns), e.g. for scoring by hand."""
        return FirmView.from_tables(self._channel.tables())

    # ------------------------------------------------------------------ actions
    def deliver(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact (the firm has checked consent and budget); returns the contact index."""
        return self._channel.deliver(i, campaign, channel, offer, variant, extra_boost)

    def set_membership(self, i: int, tier: LoyaltyTier) -> None:
        """Grant customer ``i`` a loyalty level (a ``Policy.loyalty.tiers`` entry)."""
        self._channel.set_membership(
            i, tier.name, tier.rate_uplift, tier.dropout_shift, tier.discount, tier.priority_service, tier.upgrade_boost
        )

    def clear_membership(self, i: int) -> None:
        """Take customer ``i``'s loyalty level away."""
        self._channel.set_membership(i, "none", 0.0, 0.0, 0.0, False, 0.0)

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment (the ``tiers`` table)."""
        self._channel.record_tier(i, tier, score)

    def event(self, i: int, kind: str, detail: str) -> None:
        """Log an observed event (``budget_skip`` ...; ``i = -1``: about no customer, e.g. an
        ``alert``); latent event kinds are refused."""
        if kind.startswith(LATENT_PREFIX):
            raise LatentAccessError("the firm cannot log latent events")
        self._channel.log_event(i, kind, detail)

    def set_basic_service(self, i: int, basic: bool) -> None:
        """Put customer ``i`` in (``True``) or out of basic service: their tickets queue behind
        everyone else's (the firm's tiering decides who; the world never sees the tier)."""
        self._channel.set_basic_service(i, bool(basic))

    def onboard(self, i: int, channel: str, satisfaction_boost: float, dropout_shift: float, until: float) -> int:
        """Send a welcome contact (the firm has checked consent and budget); if opened, the
        customer's dropout log-odds are lowered by ``dropout_shift`` until day ``until`` (once).
        Returns the contact index."""
        return self._channel.onboard(i, channel, satisfaction_boost, dropout_shift, until)

    def remind_renewal(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str, renewal_shift: float
    ) -> int:
        """Send a renewal reminder (the firm has checked consent and budget); if opened,
        ``renewal_shift`` is added to the cancellation log-odds at the customer's next renewal.
        Returns the contact index."""
        return self._channel.remind_renewal(i, campaign, channel, offer, variant, renewal_shift)

    def holdout(self, i: int, campaign: str) -> None:
        """Hold customer ``i`` out of campaign ``campaign`` (a ``Policy.campaigns`` name): an observed
        ``holdout`` event (detail: the campaign's name); no contact is sent."""
        self._channel.holdout(i, campaign)

    def contact_outcome(self, cid: int) -> tuple[bool, bool, bool]:
        """Observed outcome of contact ``cid`` (its index, as :meth:`deliver` returns it): opened,
        clicked, converted (an immediate order) — what a CRM logs as the contact goes out."""
        return self._channel.contact_outcome(cid)

    # ------------------------------------------------------------------ the loyalty programme (chapter 09)
    def set_programme(self, loyalty: Any) -> None:
        """Publish the programme's rules: the points rate of orders. Chapter 09's ledger and customer
        responses are not mirrored here: a programme that would use them is refused (ConfigError)."""
        self._channel.set_programme(loyalty)

    def credit_points(self, i: int, points: float, kind: str) -> None:
        """Refused: the reference engine keeps no points ledger (``loyalty.ledger``)."""
        raise ConfigError(f"the reference engine keeps no points ledger: cannot credit {kind} points (loyalty.ledger)")

    def announce_referral_bonus(self, multiplier: float) -> None:
        """Refused: the reference engine does not mirror referral-bonus windows (``loyalty.referral_bonus``)."""
        if multiplier != 1.0:
            raise ConfigError("the reference engine does not mirror loyalty.referral_bonus windows")


def _snapshot(world: World) -> FirmRecords:
    """The firm's records of everything observed in ``world`` so far (copies of plain values)."""
    rec = FirmRecords(world.n_paid)
    for c in world.customers:
        if c.acquired:
            rec.acquired(c.index, c.consent, c.birth_month, plan_period(world.renewals, c))
            if c.opted_out:
                rec.opt_out(c.index)
    for o in world.logs.orders:
        rec.order(o.customer, o.t, o.amount)
    for t in world.logs.tickets:
        rec.ticket(t.customer)
    for a in world.logs.surveys:
        rec.survey(a.customer, a.t, a.instrument, a.score)
    return rec
