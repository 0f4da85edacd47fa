"""Market events: scheduled shocks from outside the firm (scenario ``market_events``).

* **Competitor price cut** (``competitor_price_cut``): for ``duration_days`` every purchase rate is
  multiplied by ``rate_multiplier`` (:func:`~sim.world.model.shocked_rate_factor`) and every dropout
  logit raised by ``dropout_shift`` (:func:`~sim.world.model.shocked_dropout_shift`); both are
  undone when it ends.
* **Outage** (``outage``): ``tickets`` customers, drawn at random among those alive, complain at
  once with the given severity.

Examples
--------
>>> import sim
>>> sc = sim.Scenario.load("baseline").updated(
...     {"market_events": [{"kind": "outage", "day": 100, "tickets": 30, "severity": "P1"}]})
>>> tk = sim.run(sc, customers=500, days=200, seed=1).tickets
>>> int((tk["opened_t"] == 100.0).sum())
30
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.schema import SEVERITIES
from sim.world.complaints import Complaints
from sim.world.lifecycle import Lifecycle
from sim.world.model import shocked_dropout_shift, shocked_rate_factor
from sim.world.rng import Streams
from sim.world.state import Customers

__all__ = ["Market"]


class Market:
    """Runs a world's scheduled market events.

    Parameters
    ----------
    env : simpy.Environment
    customers : Customers
    lifecycle : Lifecycle
        Holds the market's rate factor and dropout shift, read on every purchase.
    complaints : Complaints
        Where an outage's tickets are opened.
    streams : Streams
        An outage at day ``d`` picks its customers from the ``market.outage.d`` stream.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> w = World(env, sim.Scenario.load("baseline"), 50, 60.0, Streams(0), 1)
    >>> w.market.shock(0.5, 0.3)
    >>> w.lifecycle.market_rate, w.lifecycle.market_drop
    (0.5, 0.3)
    """

    def __init__(
        self,
        env: simpy.Environment,
        customers: Customers,
        lifecycle: Lifecycle,
        complaints: Complaints,
        streams: Streams,
    ) -> None:
        self.env = env
        self.customers = customers
        self.lifecycle = lifecycle
        self.complaints = complaints
        self.streams = streams

    def process(self, ev: Any) -> Generator[Any, Any, None]:
        """Process: one scheduled market event (a ``sim.config.scenario`` market-event entry)."""
        env = self.env
        yield env.timeout(ev.day)
        if ev.kind == "competitor_price_cut":
            self.shock(ev.rate_multiplier, ev.dropout_shift)
            yield env.timeout(ev.duration_days)
            self.shock(1.0 / ev.rate_multiplier, -ev.dropout_shift)
        else:  # outage: many customers complain at once
            c = self.customers
            alive = [i for i in c.acquired() if c.alive[i]]
            gen = self.streams.generator(f"market.outage.{ev.day}")
            sev = SEVERITIES.index(ev.severity)
            for i in gen.permutation(alive)[: ev.tickets].tolist():
                self.complaints.open_ticket(int(i), -1, "service", sev, env.now)

    def shock(self, rate_factor: float, drop_shift: float) -> None:
        """Move the market's purchase-rate factor and dropout shift now; every alive customer's
        next purchase is redrawn at the new rate."""
        life = self.lifecycle
        now = self.env.now
        life.market_rate = shocked_rate_factor(life.market_rate, rate_factor)
        life.market_drop = shocked_dropout_shift(life.market_drop, drop_shift)
        alive = self.customers.alive
        for i in self.customers.acquired():
            if alive[i]:
                life.reschedule(i, now)
