"""The firm: carries out a :class:`~sim.config.policy.Policy`, deciding only from observed data.

The firm never touches the world's latent state. It talks to a world only through a
:class:`~sim.world.observed.FirmPort` (the fast engine's is :class:`~sim.world.observed.Observed`):
observed values handed out as copies (orders, ticket owners, consent and opt-out flags, birth
months, the clock) plus the actions a firm can take (send a contact, grant a membership level, log
a tier or an event). Any attempt to read anything else — a latent purchase rate, the alive flag,
satisfaction — raises :class:`sim.errors.LatentAccessError`. The world calls the firm back
(``on_acquired``, ``on_order``, ``on_ticket_opened``, ``on_ticket_resolved``) once it has been
attached with :meth:`sim.world.engine.World.attach_firm`; so the same firm runs on either engine.

Decisions (each documented in ``sim/config/policy.py``):

* **tiering** every ``refresh_days``: rank acquired customers by an observed score (RFM, spend
  share over the look-back window, or BG/NBD predicted CLV) and cut them into tiers by share;
  a ``tiers`` row is logged whenever a customer's tier changes;
* **scheduled contacts**: each tier's members are contacted every ``interval_days`` (each customer
  on their own phase, so contacts spread over the interval);
* **triggers**: after an order / a complaint, on the 1st of the birth month, on the acquisition
  anniversary, for a churn-risk score above a threshold (P(alive), recency, or a model fitted on
  observed data / the health score: :mod:`sim.world.firm_models`), for win-back after ``lapse_days`` silent;
  A/B variants are assigned per customer (sticky) with the trigger's split, or per contact by a
  Thompson-sampling bandit (``allocation: thompson``): the variant with the largest draw from
  Beta(1 + successes, 1 + failures) of the trigger's earlier contacts' observed ``reward``
  (opened / clicked / converted, read through the port as each contact goes out; stream ``bandit``);
* **holiday** trigger: every acquired customer on each calendar date of ``triggers.holiday.dates``
  (``MM-DD``; the port's start date + the day);
* **loyalty**: membership level from rolling observed spend, re-evaluated at each order and monthly;
* **service**: the follow-up contact ``delay_h`` after each resolution; customers whose tier is
  one of ``service.basic_tiers`` get basic service (set at each tier refresh through the port:
  their tickets queue last) and no follow-up (H12);
* **onboarding**: welcome contacts ``contacts_days`` after each acquisition (LC4, LC9);
* **bad-review alert**: every ``window_days``, the negative share of the CSAT and NPS answers
  the firm observed since the previous check (:func:`bad_review_window`); above ``threshold``
  (with at least ``min_answers``) an ``alert`` event (customer_id 0, detail ``"bad_review 0.072"``)
  and a care contact to each negative reviewer of the window (SM4, H10);
* **renewal reminder**: ``delay_days`` before each subscriber's observed next renewal (last
  payment + plan period) a reminder (C3); none if a newer payment came in meanwhile, or if the
  plan's period is not longer than ``delay_days``;
* **budget**: each action is paid from a pot; an empty pot means the action is not taken and a
  ``budget_skip`` event is logged.
* **phases** (chapter 10): at each phase's start a ``phase`` event (detail: its name) and
  :meth:`Firm.reconfigure` to the phase's policy, keeping the firm's state (:mod:`sim.world.firm_phases`);
* **management loop** (K3, K4): every ``review_every_days`` a KPI of the firm's own observations
  against a ratcheting target, a ``management_review`` event, and the lever moved after a miss
  (:mod:`sim.world.firm_management`). Consent is checked before any contact unless the policy says
  otherwise (then contacts to non-consenting customers are compliance incidents).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from typing import Any

import numpy as np
import pandas as pd
import simpy
from simpy.events import Timeout

from sim.config.policy import Policy
from sim.world.firm_loyalty import FirmLoyalty
from sim.world.firm_management import ManagementLoop
from sim.world.firm_models import risk_scorer
from sim.world.firm_phases import ContactCalendar, Schedule, reconfigure, start_phases
from sim.world.firm_scores import ObservedScorer
from sim.world.model import HOURS_PER_DAY, thompson_pick
from sim.world.observed import FirmPort
from sim.world.rng import Streams

__all__ = ["Firm", "bad_review_window"]

#: RFM needs calendar dates; day ``t`` is mapped to this date plus ``t`` days (only gaps matter).


class Firm:
    """Runs a policy inside ``env``, deciding from what ``port`` lets it observe.

    Parameters
    ----------
    env : simpy.Environment
        The world's environment (the firm's daily process runs in it).
    port : FirmPort
        The firm's only way to see and act on the world.
    policy : Policy
    streams : Streams
        The firm's own draws (A/B assignment ``ab``, contact phases ``firm.phase``).

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.observed import Observed
    >>> from sim.world.rng import Streams
    >>> env, pol = simpy.Environment(), sim.Policy.load("vip_care")
    >>> w = World(env, sim.Scenario.load("baseline"), 300, 120.0, Streams(0), 1, policy=pol)
    >>> w.attach_firm(Firm(env, Observed(w), pol, Streams(0)))
    >>> w.start(); env.run(until=120.0)
    >>> sorted(set(w.logs.tiers.tier)), len(w.logs.contacts) > 0
    (['bronze', 'gold', 'silver'], True)
    """

    #: Churn-risk scoring waits for this many orders in the log.
    MIN_ORDERS_FOR_RISK = 20
    #: The acquisition anniversary recurs every this many days.
    ANNIVERSARY_DAYS = 365.0
    #: Members' levels are re-graded on rolling spend this often, besides at each order (days).
    LOYALTY_REVIEW_DAYS = 30.0

    def __init__(self, env: simpy.Environment, port: FirmPort, policy: Policy, streams: Streams) -> None:
        self.env = env
        self.pol = policy
        self.port = port
        self.r_ab = streams.buffered("ab")
        self.r_phase = streams.generator("firm.phase")
        # tiering and scheduled contacts
        self.tier_of: dict[int, str] = {}
        self.phase: dict[int, float] = {}
        self.rules = {r.tier: r for r in policy.contacts}
        self._calendar: ContactCalendar | None = None  # who is due when (built from tier_of, rules, phase)
        # triggers
        self.last_trigger: dict[tuple[str, int], float] = {}
        self.variant_of: dict[tuple[str, int], str] = {}
        self.last_order: dict[int, float] = {}
        # loyalty
        lo = policy.loyalty
        self.loyalty = lo if lo.enabled and lo.tiers else None
        self.spend_log: dict[int, list[tuple[float, float]]] = {}
        self.level: dict[int, int] = {}
        self.thresholds = [t.min_spend for t in lo.tiers]
        # budget
        self.pots: dict[str, float] = {}
        self.budget = policy.budget
        self.scorer = ObservedScorer(port, policy.tiering.lookback_days)  # spend, RFM, BG/NBD scores
        # levers of chapters 03-05: basic service, onboarding, bad-review alert, renewal reminders
        self.basic_tiers = frozenset(policy.service.basic_tiers)
        self.basic: set[int] = set()  # customers currently put in basic service
        self.onboarding = policy.onboarding if policy.onboarding.enabled else None
        self.reminder = policy.triggers.renewal_reminder if policy.triggers.renewal_reminder.enabled else None
        self._surveys_read = 0  # survey answers the bad-review check has read (each check reads the new ones)
        # chapter 08: Thompson-sampling bandit (observed outcomes per trigger and variant) and holidays
        self.r_bandit = streams.generator("bandit")
        #: trigger -> variant label -> [successes, failures] of its observed reward so far
        self.bandit: dict[str, dict[str, list[int]]] = {}
        hol = policy.triggers.holiday
        self.holidays = frozenset((int(d[:2]), int(d[3:])) for d in hol.dates) if hol.enabled else frozenset()
        # chapter 08: one-off campaigns with a randomised holdout (sim.config.policy_campaigns)
        if policy.campaigns:
            self.r_holdout = streams.buffered("campaign.holdout")
            for camp in policy.campaigns:
                self._later(camp.day, self._campaign, camp)
        # chapter 10: the management loop and phases (sim.world.firm_management, sim.world.firm_phases)
        self._anniversaries = policy.triggers.anniversary.enabled  # yearly chains run for every customer
        mg = policy.management
        self.manager = ManagementLoop(mg, policy) if mg.enabled else None
        self.schedule = Schedule.start(
            policy, loyalty_on=self.loyalty is not None, loyalty_every=self.LOYALTY_REVIEW_DAYS
        )
        self.phase_plan = start_phases(self, policy)  # (start day, name) of each phase
        # chapter 09: publish the programme's rules to the world; spend ranking and referral-bonus windows
        self.programme = FirmLoyalty(self)  # (sim.world.firm_loyalty; call programme_changed() after a switch)
        self.programme.programme_changed()
        env.process(self._daily())

    def reconfigure(self, policy: Policy) -> None:
        """Make ``policy`` the firm's policy from now on, keeping the firm's state (tiers, levels, spend
        logs, bandit counts, last-trigger times, budget pots: :func:`sim.world.firm_phases.reconfigure`).
        Phase switches and management reviews call it; the new policy's own ``phases`` are not planned."""
        reconfigure(self, policy)

    # ------------------------------------------------------------------ budget & contacts
    def _reset_budget(self) -> None:
        b = self.budget
        if b.amount_per_period is None:
            self.pots = {}
        else:
            self.pots = {pot: b.amount_per_period * share for pot, share in b.pots.items()}

    def _pot_for(self, campaign: str) -> str:
        if campaign.startswith("tier:"):
            tier = campaign[5:]
            if tier in self.pol.contact_pot:
                return self.pol.contact_pot[tier]
            first = self.pol.tiering.tiers[0].name if self.pol.tiering.tiers else ""
            return "high_value" if tier == first else "reserve"
        if campaign in ("churn_risk", "winback"):
            return "wakeup"
        return "reserve"

    def _clear(self, i: int, campaign: str, channel: str, offer: str | None) -> bool:
        """Check consent and pay from the campaign's pot; whether the contact may go out."""
        port = self.port
        if self.pol.respect_consent and (not port.consent(i) or port.opted_out(i)):
            return False
        if self.budget.amount_per_period is not None:  # (the cost is needed only against a budget)
            cost = self.pol.channels[channel].cost + (self.pol.offers[offer].fixed_cost if offer else 0.0)
            pot = self._pot_for(campaign)
            if self.pots.get(pot, 0.0) < cost:
                port.event(i, "budget_skip", f"{campaign}:{pot}")
                return False
            self.pots[pot] -= cost
        return True

    def contact(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> bool:
        """Check consent and budget, then send; returns whether the contact went out."""
        if not self._clear(i, campaign, channel, offer):
            return False
        self.port.deliver(i, campaign, channel, offer, variant, extra_boost)
        return True

    def _variant(self, name: str, trig: Any, i: int) -> tuple[str, str, str | None]:
        """(variant label, channel, offer) for customer i: sticky per trigger with a fixed split, per
        contact from the bandit with ``allocation: thompson``."""
        if not trig.variants:
            return "", trig.channel, trig.offer
        if trig.allocation == "thompson":
            labels = list(trig.variants)
            stats = self.bandit.setdefault(name, {k: [0, 0] for k in labels})
            k = thompson_pick([stats[x][0] for x in labels], [stats[x][1] for x in labels], self.r_bandit)
            v = trig.variants[labels[k]]
            return labels[k], v.channel or trig.channel, v.offer if v.offer is not None else trig.offer
        key = (name, i)
        label = self.variant_of.get(key)
        if label is None:
            labels = list(trig.split)
            cum = np.cumsum([trig.split[k] for k in labels]).tolist()
            label = labels[min(bisect_right(cum, self.r_ab.uniform() * cum[-1]), len(labels) - 1)]
            self.variant_of[key] = label
        v = trig.variants[label]
        return label, v.channel or trig.channel, v.offer if v.offer is not None else trig.offer

    def _fire(self, name: str, i: int, extra_boost: float = 0.0) -> None:
        trig = getattr(self.pol.triggers, name)
        if not trig.enabled:  # switched off by a phase since this firing was planned
            return
        label, channel, offer = self._variant(name, trig, i)
        if trig.allocation == "thompson":
            if self._clear(i, name, channel, offer):
                self._learn(name, trig.reward, label, self.port.deliver(i, name, channel, offer, label, extra_boost))
                self.last_trigger[(name, i)] = self.env.now
            return
        if self.contact(i, name, channel, offer, label, extra_boost):
            self.last_trigger[(name, i)] = self.env.now

    def _learn(self, name: str, reward: str, label: str, cid: int) -> None:
        """Count contact ``cid``'s observed ``reward`` (open / click / convert) for the bandit's arm
        ``label`` of trigger ``name`` (opens, clicks and immediate orders are logged as it goes out)."""
        opened, clicked, converted = self.port.contact_outcome(cid)
        success = opened if reward == "open" else (clicked if reward == "click" else converted)
        self.bandit[name][label][0 if success else 1] += 1

    def _later(self, delay: float, fn: Any, *args: Any) -> None:
        """Call ``fn(*args)`` after ``delay`` days, unless that is beyond the horizon."""
        if self.env.now + delay < self.port.horizon:
            ev = Timeout(self.env, delay)
            ev.callbacks.append(lambda _ev: fn(*args))

    # ------------------------------------------------------------------ hooks from the world
    def on_acquired(self, i: int, now: float) -> None:
        """Customer ``i`` was acquired: give them a contact phase, plan their anniversary."""
        self.phase[i] = float(self.r_phase.random())
        if i in self.tier_of:  # (never so far: customers are tiered after acquisition) the calendar is stale
            self._calendar = None
        if self._anniversaries:
            self._later(self.ANNIVERSARY_DAYS, self._anniversary, i)
        ob = self.onboarding
        if ob is not None:
            until = now + ob.window_days
            for delay in ob.contacts_days:
                self._later(delay, self._welcome, i, until)

    def _campaign(self, camp: Any) -> None:
        """A one-off campaign's day: each eligible customer is held out (``holdout`` event) or contacted.

        Eligible: acquired (``audience="acquired"``) or with an observed order in the last
        ``recent_days`` (``"recent_buyers"``); with consent and not opted out if the policy respects
        consent (so the holdout is drawn among the contactable only, and the two groups compare).
        """
        now, port = self.env.now, self.port
        for i in port.acquired():
            if camp.audience == "recent_buyers" and self.last_order.get(i, -math.inf) < now - camp.recent_days:
                continue
            if self.pol.respect_consent and (not port.consent(i) or port.opted_out(i)):
                continue
            if camp.holdout > 0.0 and self.r_holdout.uniform() < camp.holdout:
                port.holdout(i, camp.name)
            else:
                self.contact(i, camp.campaign_label, camp.channel, camp.offer)

    def _welcome(self, i: int, until: float) -> None:
        ob = self.onboarding
        if ob is None:  # switched off by a phase since this welcome was planned
            return
        if self._clear(i, "onboarding", ob.channel, None):
            self.port.onboard(i, ob.channel, ob.satisfaction_boost, ob.dropout_shift, until)

    def _anniversary(self, i: int) -> None:
        self._fire("anniversary", i)
        self._later(self.ANNIVERSARY_DAYS, self._anniversary, i)

    def on_order(self, i: int, oid: int, now: float) -> None:
        """Customer ``i`` ordered: the post-order trigger, and re-grading of their membership."""
        self.last_order[i] = now
        t = self.pol.triggers.post_order
        if t.enabled:
            self._later(t.delay_days, self._fire, "post_order", i)
        rr = self.reminder
        if rr is not None:
            period = self.port.plan_period(i)
            if period > rr.delay_days:  # a subscriber (NaN: no plan) whose renewal is far enough away
                self._later(period - rr.delay_days, self._remind, i, now)
        if self.loyalty is not None:
            log = self.spend_log.setdefault(i, [])
            log.append((now, self.port.order_amount(oid)))
            self._grade_member(i, now)

    def on_ticket_opened(self, tid: int, now: float) -> None:
        """A ticket was opened: the post-complaint trigger."""
        i = self.port.ticket_customer(tid)
        if i >= 0 and self.pol.triggers.post_complaint.enabled:
            self._later(self.pol.triggers.post_complaint.delay_days, self._fire, "post_complaint", i)

    def _remind(self, i: int, paid_t: float) -> None:
        """The renewal reminder for the payment of day ``paid_t`` (skipped if a newer one came in)."""
        rr = self.reminder
        if rr is None or self.last_order.get(i) != paid_t:  # (None: switched off by a phase)
            return
        label, channel, offer = self._variant("renewal_reminder", rr, i)
        if self._clear(i, "renewal_reminder", channel, offer):
            cid = self.port.remind_renewal(i, "renewal_reminder", channel, offer, label, rr.renewal_shift)
            if rr.allocation == "thompson":
                self._learn("renewal_reminder", rr.reward, label, cid)
            self.last_trigger[("renewal_reminder", i)] = self.env.now

    def on_ticket_resolved(self, tid: int, now: float) -> None:
        """A ticket was resolved: the service follow-up contact (none for basic service)."""
        fu = self.pol.service.follow_up
        i = self.port.ticket_customer(tid)
        if fu.enabled and i >= 0 and i not in self.basic:
            self._later(fu.delay_h / HOURS_PER_DAY, self._follow_up, i)

    def _follow_up(self, i: int) -> None:
        fu = self.pol.service.follow_up
        self.contact(i, "follow_up", fu.channel, None, "", fu.satisfaction_boost)

    # ------------------------------------------------------------------ loyalty
    def _grade_member(self, i: int, now: float) -> None:
        lo = self.loyalty
        if lo is None:
            return
        log = self.spend_log.get(i, [])
        while log and log[0][0] <= now - lo.rolling_days:
            log.pop(0)
        spend = sum(a for _, a in log)
        level = bisect_right(self.thresholds, spend) - 1  # -1: not a member
        if level != self.level.get(i, -1):
            self.level[i] = level
            if level >= 0:
                self.port.set_membership(i, lo.tiers[level])
            else:
                self.port.clear_membership(i)

    # ------------------------------------------------------------------ periodic work
    def _daily(self):  # a SimPy process
        env, port, s = self.env, self.port, self.schedule  # s: next times (sim.world.firm_phases.Schedule)
        start = pd.Timestamp(port.start_date)
        day = 0
        while True:
            now = env.now
            if now >= s.review and self.manager is not None:  # may reconfigure: read the policy after it
                self.manager.review(self, now)
                s.review += self.manager.m.review_every_days
            pol = self.pol  # the policy in force today (phases and reviews replace it: reconfigure)
            trig = pol.triggers
            if now >= s.budget:
                self._reset_budget()
                s.budget += self.budget.period_days
            if now >= s.refresh:
                self._refresh_tiers()
                s.refresh += pol.tiering.refresh_days
            if self.rules:
                self._scheduled_contacts(day)
            if trig.birthday.enabled and (start + pd.Timedelta(days=day)).day == 1:
                month = (start + pd.Timedelta(days=day)).month
                for i in port.acquired():
                    if port.birth_month(i) == month:
                        self._fire("birthday", i)
            if self.holidays:
                date = port.start_date + dt.timedelta(days=day)
                if (date.month, date.day) in self.holidays:
                    for i in port.acquired():
                        self._fire("holiday", i)
            if now >= s.risk:
                self._churn_risk()
                s.risk += trig.churn_risk.check_every_days
            if now >= s.winback:
                self._winback()
                s.winback += trig.winback.check_every_days
            if now >= s.loyalty:
                for i in list(self.level):
                    self._grade_member(i, now)
                s.loyalty += self.LOYALTY_REVIEW_DAYS
            if now >= s.alert:
                self._bad_review()
                s.alert += pol.alerts.bad_review.window_days
            day += 1
            yield env.timeout(1.0)

    def _refresh_tiers(self) -> None:
        tiering = self.pol.tiering
        idx = self.port.acquired()
        if not idx:
            return
        scores = self.scorer.scores(tiering.method, self.env.now)
        order = scores.sort_values(ascending=False, kind="stable")
        n = len(order)
        bounds = np.round(np.cumsum([t.share for t in tiering.tiers]) * n).astype(int)
        start = 0
        ids, values = order.index.tolist(), order.tolist()  # plain ints and floats: faster than Series.items()
        for tier, end in zip(tiering.tiers, bounds):
            basic = tier.name in self.basic_tiers
            for i, score in zip(ids[start:end], values[start:end]):
                if self.tier_of.get(i) != tier.name:
                    self.tier_of[i] = tier.name
                    self._calendar = None
                    self.port.record_tier(int(i), tier.name, float(score))
                    if basic != (i in self.basic):
                        self.port.set_basic_service(int(i), basic)
                        if basic:
                            self.basic.add(int(i))
                        else:
                            self.basic.discard(int(i))
            start = end

    def _scheduled_contacts(self, day: int) -> None:
        # customer i is due when their phase falls inside today's slice of the interval; the
        # calendar (sim.world.firm_phases.ContactCalendar) finds them from due-day buckets instead of a daily scan
        # of every customer, same customers in the same order; rebuilt after a tier or rule change
        cal = self._calendar
        if cal is None or cal.rules is not self.rules:
            cal = self._calendar = ContactCalendar(self.tier_of, self.rules, self.phase)
        send = {tier: (f"tier:{tier}", rule.channel, rule.offer) for tier, rule in self.rules.items()}
        contact = self.contact
        for _, i, tier in cal.due(day):
            contact(i, *send[tier])

    def _due(self, name: str, i: int, cooldown: float) -> bool:
        last = self.last_trigger.get((name, i))
        return last is None or self.env.now - last >= cooldown

    def _churn_risk(self) -> None:
        t = self.pol.triggers.churn_risk
        now, idx = self.env.now, self.port.acquired()
        o = self.port.order_frame()
        if len(o) < self.MIN_ORDERS_FOR_RISK:
            return
        fitted = None
        if t.score in ("model", "health"):  # sim.world.firm_models: built at the first check, kept after
            scorer = self.__dict__.get("risk_scorer")
            if scorer is None:
                scorer = self.risk_scorer = risk_scorer(self.port, t)
            fitted = scorer.risk(now, o)  # None: no model yet (too little history) -> recency
        if fitted is not None:
            risk = fitted
        elif t.score == "p_alive" and self.scorer.bgnbd_identifiable(o, now):
            p_alive, _ = self.scorer.bgnbd(o, now, idx)
            risk = 1.0 - p_alive
        else:
            last = o.groupby("i")["t"].max().reindex(idx)
            risk = ((now - last) / t.lapse_days).clip(upper=1.0)
        for i, r in risk.items():
            if r > t.threshold and self._due("churn_risk", int(i), t.cooldown_days):
                self._fire("churn_risk", int(i))

    def _bad_review(self) -> None:
        """The weekly bad-review check on the answers observed in the last window."""
        br = self.pol.alerts.bad_review
        window = self.port.survey_frame(self._surveys_read)
        self._surveys_read += len(window)
        answers, negatives, reviewers = bad_review_window(window, br.negative.csat_max, br.negative.nps_max)
        if answers < br.min_answers or negatives / answers <= br.threshold:
            return
        self.port.event(-1, "alert", f"bad_review {negatives / answers:.3f}")
        if br.action == "care_contact":
            for i in reviewers:
                self.contact(i, "bad_review", br.channel, None, "", br.satisfaction_boost)

    def _winback(self) -> None:
        t = self.pol.triggers.winback
        now = self.env.now
        for i, last in list(self.last_order.items()):
            if now - last >= t.lapse_days and self._due("winback", i, t.cooldown_days):
                self._fire("winback", i)


def bad_review_window(surveys: pd.DataFrame, csat_max: int = 2, nps_max: int = 6) -> tuple[int, int, list[int]]:
    """Reviews, negative reviews and the negative reviewers (first-seen order) in a window of answers.

    A review is a CSAT or an NPS answer (CES measures effort, not opinion); it is negative at a CSAT
    of at most ``csat_max`` or an NPS of at most ``nps_max`` (a detractor).

    Parameters
    ----------
    surveys : pandas.DataFrame
        Columns ``i``, ``instrument``, ``score`` (as :meth:`FirmPort.survey_frame
        <sim.world.observed.FirmPort.survey_frame>` returns them).

    Examples
    --------
    >>> sv = pd.DataFrame({"i": [3, 4, 3, 5, 6], "instrument": ["csat", "csat", "nps", "ces", "nps"],
    ...                    "score": [1, 5, 4, 1, 9]})
    >>> bad_review_window(sv)
    (4, 2, [3])
    """
    instrument = surveys["instrument"].to_numpy()
    score = surveys["score"].to_numpy()
    csat, nps = instrument == "csat", instrument == "nps"
    negative = (csat & (score <= csat_max)) | (nps & (score <= nps_max))
    reviewers = list(dict.fromkeys(surveys["i"].to_numpy()[negative].tolist()))
    return int((csat | nps).sum()), int(negative.sum()), reviewers
