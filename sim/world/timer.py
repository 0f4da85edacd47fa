"""The fast engine's scheduled callbacks: a SimPy ``Timeout`` without its checks, and a calendar.

The engine schedules arrivals, pending purchases and renewals (one per live customer: its hot
path) through a :class:`Calendar`, which keeps SimPy's event order exactly but keeps SimPy's heap
small. :class:`Timer` schedules one callback straight onto SimPy's heap; the engine no longer uses
it, and ``tests/world/test_loop.py`` runs the same work both ways to show the calendar changes no order.

Examples
--------
>>> import simpy
>>> env, seen = simpy.Environment(), []
>>> _ = Timer(env, 2.5, "hello", lambda ev: seen.append((env.now, ev._value)))
>>> env.run()
>>> seen
[(2.5, 'hello')]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heapify, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

__all__ = ["Timer", "Due", "Calendar", "CALENDAR_PRIORITY"]

#: Heap priority of the calendar's day marks: below SimPy's (URGENT = 0, a resumed stop = -1), so
#: a mark at day ``d`` runs before every event at ``d`` and after every event before ``d``.
CALENDAR_PRIORITY = -2


class Timer(Event):
    """A scheduled callback: a ``Timeout`` without the checks."""

    def __init__(self, env: simpy.Environment, delay: float, value: Any, callback: Any) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)


class Due:
    """The event of one calendar entry: what SimPy's ``Environment.step`` reads of an event, no more.

    ``step`` takes ``callbacks`` (replacing it by ``None``), calls each with the event and checks
    ``_ok``; the callbacks read ``_value``. Slots and no ``__init__``: creating one costs a third
    of a :class:`Timer` (one per pending purchase).
    """

    __slots__ = ("callbacks", "_value")
    callbacks: tuple[Callable[[Any], None], ...] | None
    _value: Any
    _ok = True


class Calendar:
    """Schedules callbacks in ``env`` in SimPy's exact order, deferring far-off ones to day buckets.

    SimPy keeps every scheduled event in one binary heap, ordered by ``(time, priority, event
    id)``. With one pending purchase per live customer that heap holds a sizeable fraction of the
    customers, and each push and pop walks ``log2`` of it through memory that no longer fits in
    the CPU's caches (a large run spent more time in ``heappop`` than in the model). The calendar
    keeps SimPy's heap to about one day of events:

    * an entry is the very tuple SimPy would push, ``(time, NORMAL, next event id, event)`` (the
      id from the environment's own counter, so ties are broken as SimPy breaks them);
    * an entry due before the next *day mark* goes into SimPy's heap at once; a later one waits
      in the list of its day ``int(time)``;
    * a day mark is an entry of the heap at ``(day, CALENDAR_PRIORITY)``: it sorts after every
      event before that day and before every event at it or later, and when SimPy processes it,
      it moves the next day's list into the heap and schedules the following mark.

    So whenever SimPy pops an event, every entry that sorts before the next mark is in its heap:
    the events run in exactly the order SimPy alone would run them (same draws, same tables), and
    ``env.run``, ``env.step`` and :func:`sim.world.loop.run_until` all work unchanged. A mark
    costs one event per day up to ``horizon``; entries at or beyond it go straight into the heap.

    Parameters
    ----------
    env : simpy.Environment
    horizon : float
        Last day for which entries are deferred.

    Examples
    --------
    >>> import simpy
    >>> env, seen = simpy.Environment(), []
    >>> cal = Calendar(env, 10.0)
    >>> log = (lambda ev: seen.append((env.now, ev._value)),)
    >>> cal.after(5.5, "b", log); cal.after(0.5, "a", log); cal.after(5.5, "c", log); cal.after(12.0, "d", log)
    >>> len(env._queue)                # "a", "d" (beyond the horizon) and the first day mark
    3
    >>> env.run(until=20.0)
    >>> seen
    [(0.5, 'a'), (5.5, 'b'), (5.5, 'c'), (12.0, 'd')]
    """

    __slots__ = ("env", "queue", "eid", "bound", "buckets", "_mark_cbs")

    def __init__(self, env: simpy.Environment, horizon: float) -> None:
        self.env = env
        self.queue: list[Any] = env._queue  # SimPy's heap of (time, priority, event id, event)
        self.eid = env._eid
        #: ``buckets[d]``: entries due in ``[d, d + 1)`` not yet in SimPy's heap
        self.buckets: list[list[tuple[float, int, int, Any]]] = [[] for _ in range(max(0, math.ceil(horizon)))]
        self._mark_cbs = (self._mark,)
        #: every entry due before ``bound`` (the pending day mark) is in SimPy's heap
        self.bound = math.inf
        self._schedule_mark(math.floor(env.now) + 1)

    def _schedule_mark(self, day: int) -> None:
        if day >= len(self.buckets):  # no more lists: from now on every entry goes into the heap
            self.bound = math.inf
            return
        self.bound = float(day)
        mark = Due()
        mark.callbacks = self._mark_cbs
        mark._value = day
        # no event id of its own (-1): no other entry shares the mark's (time, priority)
        heappush(self.queue, (self.bound, CALENDAR_PRIORITY, -1, mark))

    def _mark(self, ev: Due) -> None:
        """Day mark ``ev._value``: its day's entries join the heap, then the next mark is set."""
        day = ev._value
        bucket = self.buckets[day]
        self.buckets[day] = []
        queue = self.queue
        if len(bucket) > len(queue):
            queue.extend(bucket)
            heapify(queue)
        else:
            for entry in bucket:
                heappush(queue, entry)
        self._schedule_mark(day + 1)

    def after(self, delay: float, value: Any, callbacks: tuple[Callable[[Any], None], ...]) -> None:
        """Call each of ``callbacks`` with an event carrying ``value`` after ``delay`` days (hot path).

        The time is SimPy's own ``env.now + delay`` (not a precomputed sum: bit for bit the same
        float as a ``Timeout`` would get).
        """
        ev = Due()
        ev.callbacks = callbacks
        ev._value = value
        t = self.env._now + delay
        entry = (t, NORMAL, next(self.eid), ev)
        if t < self.bound:
            heappush(self.queue, entry)
        else:
            day = int(t)
            if day < len(self.buckets):
                self.buckets[day].append(entry)
            else:
                heappush(self.queue, entry)
