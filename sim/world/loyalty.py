"""The world side of a loyalty programme (chapter 09): the points ledger and how customers respond.

:class:`Programme` holds the programme rules in force (a ``Policy.loyalty``, set at the start and
again at each phase switch through :meth:`Programme.set_programme`, which the firm calls through its
port) and the customers' responses (``Scenario.loyalty_response``). With the rules' ``ledger`` off
and every response at its default it is never wired into the world (bit-identical runs).

* **Ledger** (``ledger: true``; the observed ``points`` table, :class:`~sim.world.logs.PointsLog`):
  at each order a customer whose balance is at least ``redeem_min_points`` redeems the whole balance
  with their latent probability (``loyalty.redeem`` stream), then earns the order's points
  (``orders.points``). Points are kept in lots, first in first out: a redemption uses the oldest lots
  first; a lot still (partly) unredeemed ``expiry_days`` after it was earned expires.
* **Latent traits** (drawn only when a response needs them; ``customers.true_check_in_rate``,
  ``true_redeem_prob``): paid customers' from the ``loyalty.population`` stream up front (indexed
  by customer, so common random numbers hold across policies), referred customers' from
  ``loyalty.referral_population`` as they arrive.
* **Check-ins**: while the rules pay check-in points, each acquired customer who is alive checks in
  as a Poisson process at their latent weekly rate (``loyalty.check_in`` stream); at most
  ``max_per_week`` are credited per customer and week (weeks from day 0; the others are not
  logged). The habit lowers the latent dropout logit (:func:`~sim.world.model.check_in_habit`).
* **Purchase rate**: goal gradient x ranking uplift (:func:`~sim.world.model.programme_rate_factor`),
  folded into the customer's ``rate_factor`` (so a membership level keeps it) and re-evaluated at
  each order of the customer (goal gradient) or when the rules change (ranking).
* **Referral bonus**: :meth:`Programme.announce_referral_bonus` sets the referral reward and
  probability (:func:`~sim.world.model.bonus_referral_probability`).

Examples
--------
>>> import sim
>>> pol = sim.Policy.load("points_club")
>>> res = sim.run("loyalty_club", pol, customers=200, days=200, seed=1)
>>> p = res.points
>>> bool((p["balance"] >= 0).all()), sorted(set(p["kind"]))
(True, ['check_in', 'earn', 'ranking', 'redeem'])
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Timeout

from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.world.logs import Logs
from sim.world.model import (
    bonus_referral_probability,
    check_in_habit,
    goal_gradient_factor,
    programme_rate_factor,
)
from sim.world.rng import Streams
from sim.world.state import Customers

if TYPE_CHECKING:
    from sim.config.policy import Policy
    from sim.config.policy_loyalty import Loyalty
    from sim.world.lifecycle import Lifecycle

__all__ = ["Programme", "unmirrored_levers", "refuse_unmirrored", "DAYS_PER_WEEK"]

#: Days of a check-in week (weeks counted from day 0).
DAYS_PER_WEEK = 7.0


def unmirrored_levers(sc: Scenario, loyalty: Loyalty | None) -> list[str]:
    """The chapter-09 levers that would act with programme ``loyalty`` in ``sc`` (the reference engine refuses them).

    Without a running programme no response acts, so none is listed.

    Examples
    --------
    >>> import sim
    >>> unmirrored_levers(sim.Scenario.load("baseline"), sim.Policy.load("loyalty_tiers").loyalty)
    []
    >>> unmirrored_levers(sim.Scenario.load("loyalty_club"), sim.Policy.load("loyalty_tiers").loyalty)[:2]
    ['loyalty_response.goal_gradient.strength', 'loyalty_response.check_in_rate_per_week']
    >>> unmirrored_levers(sim.Scenario.load("loyalty_club"), None)
    []
    """
    if loyalty is None or not loyalty.enabled:
        return []
    r = sc.loyalty_response
    out = [
        name
        for name, on in (
            ("loyalty_response.goal_gradient.strength", r.goal_gradient.strength > 0),
            ("loyalty_response.check_in_rate_per_week", r.check_in_rate_per_week > 0),
            ("loyalty_response.check_in_dropout_shift", r.check_in_dropout_shift > 0),
            ("loyalty_response.referral_bonus_elasticity", r.referral_bonus_elasticity > 0),
            ("loyalty_response.ranking_rate_uplift", r.ranking_rate_uplift > 0),
            ("loyalty_response.redeem_prob", r.redeem_prob > 0),
        )
        if on
    ]
    out += [
        name
        for name, on in (
            ("loyalty.ledger", loyalty.ledger),
            ("loyalty.referral_bonus", bool(loyalty.referral_bonus)),
            ("loyalty.ranking", loyalty.ranking.enabled),
            ("loyalty.check_in", loyalty.check_in.enabled),
        )
        if on
    ]
    return out


def refuse_unmirrored(sc: Scenario, loyalty: Loyalty | None) -> None:
    """Raise :class:`~sim.errors.ConfigError` naming the chapter-09 levers the reference engine does not mirror.

    Examples
    --------
    >>> import sim
    >>> refuse_unmirrored(sim.Scenario.load("loyalty_club"), sim.Policy.load("points_club").loyalty)
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: the reference engine does not mirror the loyalty levers loyalty_response.goal_gradient.strength, ...
    """
    names = unmirrored_levers(sc, loyalty)
    if names:
        raise ConfigError(
            f"the reference engine does not mirror the loyalty levers {', '.join(names)}: run them on the fast "
            "engine (sim.run), or switch them off"
        )


class Programme:
    """The loyalty programme inside one fast-engine world (see the module docstring).

    Parameters
    ----------
    env, sc, policy, customers, logs, lifecycle, streams
        The world's (``policy`` may be None: no programme until :meth:`set_programme`).
    rewire : callable
        Called when the programme first needs the world's acquisition and order hooks.

    Attributes
    ----------
    wired : bool
        Whether :meth:`chain` must be put in front of the world's hooks.
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
        rewire: Callable[[], None],
    ) -> None:
        self.env, self.c, self.life, self.streams = env, customers, lifecycle, streams
        self.resp = sc.loyalty_response
        self.log = logs.points
        self.events = logs.events
        self.orders = logs.orders
        self.horizon = lifecycle.horizon
        self.rewire = rewire
        self.wired = False
        self.lo: Loyalty | None = None
        self.ledger_on = self.gg_on = self.ranking_on = self.check_in_on = False
        self.thresholds: list[float] = []
        self.balance: dict[int, float] = {}
        self.lots: dict[int, deque[list[float]]] = {}  # FIFO lots [day earned, points left]
        self.spend: dict[int, deque[tuple[float, float]]] = {}  # goal gradient: (day, amount) in the window
        self.goal: dict[int, float] = {}  # goal-gradient factor in force per customer
        self.base_rf: dict[int, float] = {}  # the archetype's rate factor before the programme's
        self.week: dict[int, tuple[int, int]] = {}  # check-ins credited: (week, count)
        self.chain_on: set[int] = set()  # customers with a running check-in chain
        self.habit: dict[int, float] = {}  # dropout-logit shift applied per customer
        self.bonus = 1.0
        self.base_ref_prob, self.base_ref_cac = lifecycle.referral_prob, lifecycle.referral_cac
        self._truth_paid: tuple[Any, Any] | None = None
        self._r_redeem: Any = None
        self._r_check_in: Any = None
        self._r_ref_pop: Any = None
        if policy is not None and policy.loyalty.enabled:
            self.set_programme(policy.loyalty)

    # ------------------------------------------------------------------ rules
    def set_programme(self, loyalty: Loyalty | None) -> None:
        """Put programme rules in force now (``None`` or a disabled programme: none).

        Sets the points rate of orders, the tier thresholds the goal gradient pulls towards, the
        ledger, check-ins and the ranking uplift; applied to every acquired customer at once.
        """
        lo = loyalty if loyalty is not None and loyalty.enabled else None
        r = self.resp
        self.life.points_rate = lo.points_per_currency if lo is not None else 0.0
        self.lo = lo
        self.ledger_on = lo is not None and lo.ledger
        self.thresholds = [t.min_spend for t in lo.tiers] if lo is not None else []
        self.gg_on = bool(self.thresholds) and r.goal_gradient.strength > 0.0
        ranking_on = lo is not None and lo.ranking.enabled and r.ranking_rate_uplift > 0.0
        check_in_on = self.ledger_on and lo is not None and lo.check_in.enabled and r.check_in_rate_per_week > 0.0
        needs = self.ledger_on or self.gg_on or ranking_on or check_in_on
        if needs and not self.wired:
            self.wired = True
            self.rewire()
        ranking_changed = ranking_on != self.ranking_on
        self.ranking_on = ranking_on
        habit_changed = check_in_on != self.check_in_on
        self.check_in_on = check_in_on
        c, now = self.c, self.env.now
        for i in c.acquired():  # customers acquired before (a programme switched on by a phase)
            if needs:
                self._draw_truth(i)
            if ranking_changed or (not self.gg_on and i in self.goal):
                if not self.gg_on:
                    self.goal.pop(i, None)
                self._set_rate(i, now, c.alive[i])
            if habit_changed:
                self._set_habit(i)
            if check_in_on and c.alive[i] and i not in self.chain_on:
                self._start_check_ins(i, now)

    def announce_referral_bonus(self, multiplier: float) -> None:
        """The firm announces a referral-reward multiplier (1.0 ends a bonus window)."""
        if not math.isfinite(multiplier) or multiplier < 1.0:
            raise ConfigError(f"referral bonus multiplier={multiplier!r} is not allowed: a finite number >= 1")
        self.bonus = multiplier
        life = self.life
        life.referral_cac = self.base_ref_cac * multiplier
        life.referral_prob = (
            self.base_ref_prob
            if multiplier == 1.0
            else bonus_referral_probability(self.base_ref_prob, self.resp.referral_bonus_elasticity, multiplier)
        )

    # ------------------------------------------------------------------ hooks
    def chain(
        self,
        on_acquired: Callable[[int, float], None] | None,
        on_order: Callable[[int, int, float], None] | None,
    ) -> tuple[Callable[[int, float], None], Callable[[int, int, float], None]]:
        """The world's hooks with the programme's in front (the ledger row precedes the firm's look)."""
        mine_acq, mine_order = self.acquired, self.order
        if on_acquired is None and on_order is None:
            return mine_acq, mine_order

        def acq(i: int, now: float) -> None:
            mine_acq(i, now)
            if on_acquired is not None:
                on_acquired(i, now)

        def order(i: int, oid: int, now: float) -> None:
            mine_order(i, oid, now)
            if on_order is not None:
                on_order(i, oid, now)

        return acq, order

    def acquired(self, i: int, now: float) -> None:
        """Customer ``i`` arrives: their latent traits, rate factor and check-ins (before the first order)."""
        self._draw_truth(i)
        if self.ranking_on:
            self._set_rate(i, now, False)  # no purchase pending yet: no reschedule
        if self.check_in_on:
            self._set_habit(i)
            self._start_check_ins(i, now)

    def order(self, i: int, oid: int, now: float) -> None:
        """Customer ``i`` placed order ``oid``: redemption and earning (ledger), goal gradient."""
        if self.check_in_on and i not in self.chain_on:  # won back after churning: check-ins resume
            self._start_check_ins(i, now)
        if self.ledger_on:
            lo = self.lo
            assert lo is not None
            bal = self.balance.get(i, 0.0)
            if bal >= lo.redeem_min_points and bal > 0.0:
                prob = self.truth(i)[1]
                if prob > 0.0 and self._redeem_u() < prob:
                    self.lots[i].clear()
                    self.balance[i] = 0.0
                    self.log.add(i, now, "redeem", -bal, 0.0, oid)
            pts = self.orders.rest[oid][3]
            if pts > 0.0:
                self.credit(i, pts, "earn", oid)
        if self.gg_on:
            assert self.lo is not None
            log = self.spend.setdefault(i, deque())
            log.append((now, self.orders.amount[oid]))
            cutoff = now - self.lo.rolling_days
            while log and log[0][0] <= cutoff:
                log.popleft()
            g = self.resp.goal_gradient
            factor = goal_gradient_factor(sum(a for _, a in log), self.thresholds, g.strength, g.window)
            if factor != self.goal.get(i, 1.0):
                self.goal[i] = factor
                self._set_rate(i, now, self.c.alive[i])

    # ------------------------------------------------------------------ ledger
    def credit(self, i: int, points: float, kind: str, oid: int = -1) -> None:
        """Credit ``points`` to customer ``i`` (a ledger row of ``kind``) as a new lot that may expire."""
        if not self.ledger_on or self.lo is None:
            raise ConfigError(f"points cannot be credited ({kind}): the programme has no ledger (loyalty.ledger)")
        if not math.isfinite(points) or points < 0.0:
            raise ConfigError(f"points={points!r} is not allowed: a finite number >= 0")
        now = self.env.now
        bal = self.balance.get(i, 0.0) + points
        self.balance[i] = bal
        lot = [now, points]
        self.lots.setdefault(i, deque()).append(lot)
        self.log.add(i, now, kind, points, bal, oid)
        days = self.lo.expiry_days
        if days > 0.0 and now + days < self.horizon:
            ev = Timeout(self.env, days, (i, lot))
            ev.callbacks.append(self._expire)

    def _expire(self, ev: Timeout) -> None:
        i, lot = ev._value
        left = lot[1]
        lots = self.lots[i]
        while lots and lots[0][1] <= 0.0:  # empty lots (zero-point credits) go first
            lots.popleft()
        if left <= 0.0 or not lots or lots[0] is not lot:
            return  # redeemed meanwhile (a redemption takes the whole balance; older lots expire first)
        lots.popleft()
        lot[1] = 0.0
        bal = self.balance[i] - left
        bal = 0.0 if abs(bal) < 1e-9 else bal
        self.balance[i] = bal
        self.log.add(i, self.env.now, "expire", -left, bal, -1)

    def _redeem_u(self) -> float:
        if self._r_redeem is None:
            self._r_redeem = self.streams.buffered("loyalty.redeem")
        return self._r_redeem.uniform()

    # ------------------------------------------------------------------ latent traits
    def _needs_truth(self) -> bool:
        r = self.resp
        return r.check_in_rate_per_week > 0.0 or r.redeem_prob > 0.0

    def _draw_truth(self, i: int) -> None:
        if not self._needs_truth() or i in self.c.loyalty_truth:
            return
        c = self.c
        if i < c.n_paid:
            if self._truth_paid is None:
                self._truth_paid = self._traits(self.streams.generator("loyalty.population"), c.n_paid)
            rates, probs = self._truth_paid
            c.loyalty_truth[i] = (float(rates[i]), float(probs[i]))
        else:
            if self._r_ref_pop is None:
                self._r_ref_pop = self.streams.generator("loyalty.referral_population")
            rates, probs = self._traits(self._r_ref_pop, 1)
            c.loyalty_truth[i] = (float(rates[0]), float(probs[0]))

    def _traits(self, gen: Any, n: int) -> tuple[Any, Any]:
        """Check-in rates ~ Gamma(shape, mean / shape) and redemption probabilities ~ Beta around the mean."""
        r = self.resp
        shape = r.check_in_shape
        rates = gen.gamma(shape, r.check_in_rate_per_week / shape, n) if r.check_in_rate_per_week > 0 else [0.0] * n
        m, k = r.redeem_prob, r.redeem_concentration
        if m <= 0.0:
            probs: Any = [0.0] * n
        elif m >= 1.0:
            probs = [1.0] * n
        else:
            probs = gen.beta(m * k, (1.0 - m) * k, n)
        return rates, probs

    def truth(self, i: int) -> tuple[float, float]:
        """Customer ``i``'s latent (check-in rate per week, redemption probability)."""
        return self.c.loyalty_truth.get(i, (0.0, 0.0))

    # ------------------------------------------------------------------ responses
    def _set_rate(self, i: int, now: float, reschedule: bool) -> None:
        """Fold the programme's rate factor into customer ``i``'s (a membership keeps it); reschedule if alive."""
        c = self.c
        base = self.base_rf.setdefault(i, c.rate_factor[i])
        factor = programme_rate_factor(self.goal.get(i, 1.0), self.ranking_on, self.resp.ranking_rate_uplift)
        membership = c.mult[i] / c.rate_factor[i]
        c.rate_factor[i] = base * factor
        c.mult[i] = membership * c.rate_factor[i]
        if reschedule and c.alive[i]:
            self.life.reschedule(i, now)

    def _set_habit(self, i: int) -> None:
        """Apply (check-ins on) or remove the check-in habit's dropout shift on customer ``i``'s latent logit."""
        old = self.habit.pop(i, 0.0)
        new = self.resp.check_in_dropout_shift * check_in_habit(self.truth(i)[0]) if self.check_in_on else 0.0
        if new != old:
            self.c.lp[i] += old - new
        if new:
            self.habit[i] = new

    def _start_check_ins(self, i: int, now: float) -> None:
        rate = self.truth(i)[0]
        if rate <= 0.0:
            return
        self.chain_on.add(i)
        self._next_check_in(i, now, rate)

    def _next_check_in(self, i: int, now: float, rate: float) -> None:
        if self._r_check_in is None:
            self._r_check_in = self.streams.buffered("loyalty.check_in")
        dt = self._r_check_in.exponential() * DAYS_PER_WEEK / rate
        if now + dt < self.horizon:
            ev = Timeout(self.env, dt, (i, rate))
            ev.callbacks.append(self._check_in)
        else:
            self.chain_on.discard(i)

    def _check_in(self, ev: Timeout) -> None:
        i, rate = ev._value
        now = self.env.now
        if not self.check_in_on or not self.c.alive[i]:
            self.chain_on.discard(i)  # the chain stops (restarted if check-ins come back)
            return
        lo = self.lo
        assert lo is not None
        week = int(now // DAYS_PER_WEEK)
        w, n = self.week.get(i, (-1, 0))
        n = n + 1 if w == week else 1
        self.week[i] = (week, n)
        if n <= lo.check_in.max_per_week:
            self.credit(i, lo.check_in.points, "check_in")
        self._next_check_in(i, now, rate)
