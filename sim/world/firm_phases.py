"""The firm's time-varying policy: its periodic schedule, phase switches and :func:`reconfigure`.

:class:`Schedule` holds the next time of each periodic task of :meth:`Firm._daily
<sim.world.firm.Firm._daily>` (budget period, tier refresh, churn-risk and win-back checks, loyalty
re-grading, the bad-review alert, the management review). The daily process reads the policy in
force every day, so a switch takes effect on the next daily tick.

At a phase's start (:func:`start_phases`; ``Policy.phases``, :mod:`sim.config.policy_phases`) the
firm logs an observed ``events`` row ``phase`` (customer_id 0, detail: the phase's name) and calls
:func:`reconfigure` with the phase's policy (plus the management loop's current lever value). A
switch keeps the firm's state and changes only what the new policy changes:

* **tiering** changed: tiers are refreshed at the next tick (customers keep their tier until then;
  a scorer with a new look-back is rebuilt); tiering switched off: nobody keeps a tier or basic service;
* **contacts**: the new rules apply at once (each customer keeps their contact phase);
* **triggers**: read live; a disabled trigger's pending firings are dropped; a periodic check that is
  switched on first runs one period later (as at the start), one that stays on keeps its next time;
  the anniversary trigger switched on starts every acquired customer's yearly chain from their
  observed first order; a changed churn-risk trigger rebuilds its fitted scorer at its next check;
  bandit counts and sticky A/B assignments are kept (variants cannot change in a phase);
* **loyalty**: programme switched on: the spend log is rebuilt from the observed orders of the last
  ``rolling_days`` and everyone is graded; switched off: every level is taken away; tiers changed:
  every member is re-graded against the new tiers. The world-side programme rules (points rate,
  ledger, check-ins) and the ranking and referral-bonus plans follow through
  :meth:`sim.world.firm_loyalty.FirmLoyalty.programme_changed` (``port.set_programme``);
* **budget** (a pot at a switch): a pot keeps what it has spent this period — it becomes the new
  amount x share minus that spend (at least 0) — and the period ends when it would have ended.
  A budget that appears starts a period at the switch; a budget that disappears leaves no limit;
* **onboarding**, **alerts**, **renewal reminders**, **holidays**: the new settings apply at once;
  welcome contacts and reminders already planned are not sent when the lever is off.

Examples
--------
>>> s = Schedule.start(__import__("sim").Policy.load("vip_care"), loyalty_on=False)
>>> s.budget, s.refresh, s.review
(0.0, 0.0, inf)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.config.policy import Policy
from sim.config.policy_phases import get_path, phase_policies, phase_start_day
from sim.world.firm_scores import ObservedScorer

#: A :class:`sim.world.firm.Firm` (not imported: the firm imports this module).
Firm = Any

__all__ = ["Schedule", "reconfigure", "start_phases", "PHASE_EVENT", "ContactCalendar", "scan_due"]

#: The observed event a phase switch logs (detail: the phase's name).
PHASE_EVENT = "phase"
_INF = math.inf


@dataclass
class Schedule:
    """Next times (days) of the firm's periodic work; ``inf`` = off."""

    budget: float
    refresh: float
    risk: float
    winback: float
    loyalty: float
    alert: float
    review: float

    @classmethod
    def start(cls, policy: Policy, *, loyalty_on: bool, loyalty_every: float = 30.0) -> Schedule:
        """The schedule at day 0 (each periodic check first runs one period in; tiers and budget at once)."""
        trig, alert = policy.triggers, policy.alerts.bad_review
        m = policy.management
        return cls(
            budget=0.0,
            refresh=0.0 if policy.tiering.method != "none" else _INF,
            risk=trig.churn_risk.check_every_days if trig.churn_risk.enabled else _INF,
            winback=trig.winback.check_every_days if trig.winback.enabled else _INF,
            loyalty=loyalty_every if loyalty_on else _INF,
            alert=alert.window_days if alert.enabled else _INF,
            review=m.review_every_days if m.enabled else _INF,
        )


def _toggle(current: float, was_on: bool, now_on: bool, first: float) -> float:
    """Next time of a periodic task at a switch: off -> inf; newly on -> ``first``; on -> unchanged."""
    if not now_on:
        return _INF
    return first if not was_on else current


def start_phases(firm: Firm, policy: Policy) -> list[tuple[float, str]]:
    """Plan the switches of ``policy.phases`` in ``firm``; returns (start day, name) of each phase.

    Phases starting on or after the horizon are listed but never start (a warning says so).
    """
    if not policy.phases:
        return []
    pols = phase_policies(policy)
    plan = []
    for phase, pol in zip(policy.phases, pols):
        day = phase_start_day(phase, firm.port.start_date)
        plan.append((day, phase.name))
        firm._later(day, _switch, firm, phase.name, pol)
    horizon = float(firm.port.horizon)
    late = [f"{name} (day {day:g})" for day, name in plan if day >= horizon]
    if late:  # not an error (a preset must run at any horizon), but never silent
        warnings.warn(
            f"phase(s) {', '.join(late)} of policy {policy.name!r} start at or beyond the run's end "
            f"(day {horizon:g}) and never switch: lengthen days= or start them earlier",
            UserWarning,
            stacklevel=2,
        )
    return plan


def _switch(firm: Firm, name: str, policy: Policy) -> None:
    firm.port.event(-1, PHASE_EVENT, name)
    if firm.manager is not None:
        mgr = firm.manager
        try:
            policy = mgr.with_lever(policy, mgr.value)
        except ValueError:  # the carried value breaks a rule of the phase: the phase's own value (valid) wins
            own = get_path(policy.model_dump(mode="json"), mgr.lever)
            warnings.warn(
                f"phase {name!r}: management.lever {mgr.lever} = {mgr.value:g} is not valid in the phase's "
                f"policy; the lever restarts from the phase's value {own:g}",
                UserWarning,
                stacklevel=2,
            )
            mgr.value = own
    firm.reconfigure(policy)


def reconfigure(firm: Firm, policy: Policy) -> None:
    """Make ``policy`` the firm's policy, keeping its state (see the module docstring)."""
    old, now, port = firm.pol, firm.env.now, firm.port
    s = firm.schedule
    firm.pol = policy
    firm.rules = {r.tier: r for r in policy.contacts}
    # tiering
    if policy.tiering != old.tiering:
        if policy.tiering.lookback_days != old.tiering.lookback_days:
            firm.scorer = ObservedScorer(port, policy.tiering.lookback_days)
        s.refresh = now if policy.tiering.method != "none" else _INF
        if policy.tiering.method == "none":  # nobody is graded any more: no tier contacts, no basic service
            for i in sorted(firm.basic):
                port.set_basic_service(i, False)
            firm.basic.clear()
            firm.tier_of.clear()
    firm.basic_tiers = frozenset(policy.service.basic_tiers)
    # budget: pots keep their spend of the period
    if policy.budget != old.budget:
        _rebudget(firm, old, policy, now)
    # triggers
    t_old, t_new = old.triggers, policy.triggers
    s.risk = _toggle(
        s.risk, t_old.churn_risk.enabled, t_new.churn_risk.enabled, now + t_new.churn_risk.check_every_days
    )
    s.winback = _toggle(s.winback, t_old.winback.enabled, t_new.winback.enabled, now + t_new.winback.check_every_days)
    if t_new.churn_risk != t_old.churn_risk:
        firm.__dict__.pop("risk_scorer", None)
    if t_new.anniversary.enabled and not firm._anniversaries:
        _start_anniversaries(firm, now)
    firm.reminder = t_new.renewal_reminder if t_new.renewal_reminder.enabled else None
    hol = t_new.holiday
    firm.holidays = frozenset((int(d[:2]), int(d[3:])) for d in hol.dates) if hol.enabled else frozenset()
    # alerts, onboarding
    a_old, a_new = old.alerts.bad_review, policy.alerts.bad_review
    s.alert = _toggle(s.alert, a_old.enabled, a_new.enabled, now + a_new.window_days)
    firm.onboarding = policy.onboarding if policy.onboarding.enabled else None
    # loyalty
    if policy.loyalty != old.loyalty:
        _reloyal(firm, policy, now)
        programme = getattr(firm, "programme", None)  # sim.world.firm_loyalty: world-side rules, ranking, bonuses
        if programme is not None:
            programme.programme_changed()
        else:
            set_programme = getattr(type(port), "set_programme", None)
            if set_programme is not None:
                set_programme(port, policy.loyalty)


def _rebudget(firm: Firm, old: Policy, new: Policy, now: float) -> None:
    b_old, b_new, s = old.budget, new.budget, firm.schedule
    firm.budget = b_new
    if b_new.amount_per_period is None:
        firm.pots = {}
        return
    if b_old.amount_per_period is None:  # a budget appears: a period starts now
        firm._reset_budget()
        s.budget = now + b_new.period_days
        return
    spent = {pot: b_old.amount_per_period * share - firm.pots.get(pot, 0.0) for pot, share in b_old.pots.items()}
    firm.pots = {
        pot: max(0.0, b_new.amount_per_period * share - spent.get(pot, 0.0)) for pot, share in b_new.pots.items()
    }


def _start_anniversaries(firm: Firm, now: float) -> None:
    """Start the yearly anniversary chain of every acquired customer (from their first observed order)."""
    firm._anniversaries = True
    o = firm.port.order_frame()
    first = o.groupby("i")["t"].min() if len(o) else {}
    year = firm.ANNIVERSARY_DAYS
    for i in firm.port.acquired():
        t0 = float(first.get(i, now)) if len(o) else now
        k = math.floor((now - t0) / year) + 1
        firm._later(t0 + k * year - now, firm._anniversary, i)


def _reloyal(firm: Firm, policy: Policy, now: float) -> None:
    lo = policy.loyalty
    was = firm.loyalty
    firm.loyalty = lo if lo.enabled and lo.tiers else None
    firm.thresholds = [t.min_spend for t in lo.tiers]
    s = firm.schedule
    if firm.loyalty is None:
        for i, level in sorted(firm.level.items()):
            if level >= 0:
                firm.port.clear_membership(i)
        firm.level.clear()
        firm.spend_log.clear()
        s.loyalty = _INF
        return
    if was is None:  # the programme starts: the CRM's order history gives the rolling spend
        o = firm.port.order_frame()
        recent = o[o["t"].to_numpy() > now - lo.rolling_days]
        firm.spend_log.clear()
        for i, t, amount in zip(recent["i"].tolist(), recent["t"].tolist(), recent["amount"].tolist()):
            firm.spend_log.setdefault(int(i), []).append((float(t), float(amount)))
        s.loyalty = now + firm.LOYALTY_REVIEW_DAYS
    elif was.tiers != lo.tiers:
        for i in firm.level:
            firm.level[i] = -2  # unknown: the next grading grants the level of the new tiers
    for i in sorted(firm.spend_log):
        firm._grade_member(i, now)


def with_changes(policy: Policy, changes: dict[str, Any]) -> Policy:
    """``policy`` with dotted-path changes (list items by index), validated."""
    from sim.config.policy_phases import set_paths

    return type(policy).model_validate(set_paths(policy.model_dump(mode="json"), changes, what="policy"))


# ---------------------------------------------------------------- scheduled contacts: who is due today
# Which tiered customers are due for a scheduled contact today, without walking every customer.
#
# A tier's members are contacted every ``interval_days`` = *k*, each customer on their own phase
# (:class:`sim.world.firm.Firm`): customer *i* with phase φ_i in [0, 1) is due on day *d* when
#
#     (d + φ_i k) mod k < 1,
#
# evaluated in floating point exactly as written. Checking that for every tiered customer every
# day is an O(N) scan per simulated day (the largest cost of a contact-heavy policy at 5,000
# customers). :class:`ContactCalendar` answers the same question from buckets built once per tier
# refresh: for a whole-number *k* the condition reduces to a residue,
#
#     (d + floor(φ_i k)) mod k = 0,   i.e.   d mod k = (-floor(φ_i k)) mod k,
#
# because the fractional part f_i of φ_i k is below 1 and the integer part of d + φ_i k decides
# the rest. Floating-point rounding of ``d + φ_i k`` can only differ from that when f_i is within
# one unit in the last place of 1 (then the sum may round up to the next whole number); such
# customers (``|1 - f_i| < EDGE``), customers of a tier whose *k* is not a whole number and every
# customer on a day beyond :data:`EXACT_DAYS` are checked with the exact expression instead. The
# due customers come back in the order of the firm's ``tier_of`` dict (the order the daily scan
# visited them), so the contacts, their draws and their log rows are the same as the scan's.

#: Customers whose fractional phase offset is this close to 1 are checked with the exact expression.
EDGE = 1e-6
#: Beyond this day (plus the interval) rounding of ``day + phase * k`` could exceed EDGE: exact checks.
EXACT_DAYS = 2.0**20


def _is_due(day: int, phase: float, k: float) -> bool:
    """The scheduled-contact condition, exactly as the firm has always evaluated it."""
    return (day + phase * k) % k < 1.0


def scan_due(tier_of: Mapping[int, str], rules: Mapping[str, Any], phase: Mapping[int, float], day: int) -> list:
    """The reference: walk every tiered customer (O(N)); (customer, tier) pairs due on ``day``.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> scan_due({1: "a", 2: "a", 3: "b"}, {"a": NS(interval_days=2.0)}, {1: 0.0, 2: 0.5}, 1)
    [(2, 'a')]
    """
    out = []
    for i, tier in tier_of.items():
        rule = rules.get(tier)
        if rule is not None and _is_due(day, phase.get(i, 0.0), rule.interval_days):
            out.append((i, tier))
    return out


class ContactCalendar:
    """Due-day buckets of the tiered customers, for one ``tier_of`` / ``rules`` / phases state.

    Build it again whenever a customer's tier or phase, or the contact rules, change (the firm
    does so after a tier refresh that changed a tier, and when its rules are replaced).

    Parameters
    ----------
    tier_of : mapping of customer -> tier name
        In the order the customers are to be contacted.
    rules : mapping of tier name -> rule with ``interval_days``
        Tiers without a rule get no scheduled contact.
    phase : mapping of customer -> phase in [0, 1)
        A customer without a phase has phase 0.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> rules = {"gold": NS(interval_days=3.0), "silver": NS(interval_days=2.5)}
    >>> tier_of = {7: "gold", 4: "silver", 9: "gold", 2: "bronze"}
    >>> phase = {7: 0.0, 4: 0.5, 9: 0.7, 2: 0.1}
    >>> cal = ContactCalendar(tier_of, rules, phase)
    >>> [[(i, tier) for _, i, tier in cal.due(d)] for d in range(4)]
    [[(7, 'gold')], [(9, 'gold')], [(4, 'silver')], [(7, 'gold')]]
    >>> all([(i, t) for _, i, t in cal.due(d)] == scan_due(tier_of, rules, phase, d) for d in range(400))
    True
    """

    def __init__(self, tier_of: Mapping[int, str], rules: Mapping[str, Any], phase: Mapping[int, float]) -> None:
        self.rules = rules
        self.k_max = max((float(r.interval_days) for r in rules.values()), default=1.0)
        #: tier -> (whole-number interval, one list per residue of (rank, customer, tier))
        self.buckets: dict[str, tuple[int, list[list[tuple[int, int, str]]]]] = {}
        #: (rank, customer, tier, phase, k) checked with the exact expression every day
        self.exact: list[tuple[int, int, str, float, float]] = []
        self._tier_of, self._phase = tier_of, phase
        for rank, (i, tier) in enumerate(tier_of.items()):
            rule = rules.get(tier)
            if rule is None:
                continue
            k = rule.interval_days
            ph = phase.get(i, 0.0)
            x = ph * k  # the same product as the exact expression
            fx = math.floor(x)
            whole = k == math.floor(k)
            if not whole or 1.0 - (x - fx) < EDGE:
                self.exact.append((rank, i, tier, ph, k))
                continue
            bucket = self.buckets.get(tier)
            if bucket is None:
                bucket = self.buckets[tier] = (int(k), [[] for _ in range(int(k))])
            kk, lists = bucket
            lists[-int(fx) % kk].append((rank, i, tier))
        #: one tier's buckets and no exact checks: a day's bucket is already in order (no merge)
        self._single = next(iter(self.buckets.values())) if len(self.buckets) == 1 and not self.exact else None

    def due(self, day: int) -> list[tuple[int, int, str]]:
        """(rank, customer, tier) of the customers due on ``day``, in ``tier_of`` order (rank: the
        position in ``tier_of``). Do not modify the list (it may be the calendar's own)."""
        if day + self.k_max >= EXACT_DAYS:  # far beyond any horizon: the plain scan
            rank = {i: r for r, i in enumerate(self._tier_of)}
            return [(rank[i], i, tier) for i, tier in scan_due(self._tier_of, self.rules, self._phase, day)]
        if self._single is not None:
            kk, lists = self._single
            return lists[day % kk]
        hits: list[tuple[int, int, str]] = []
        for kk, lists in self.buckets.values():
            hits.extend(lists[day % kk])
        hits.extend((rank, i, tier) for rank, i, tier, ph, k in self.exact if _is_due(day, ph, k))
        hits.sort()  # ranks are unique (the comparison stops there): back to tier_of order
        return hits
