"""Running a world: SimPy's event loop with its per-event step inlined, and the cyclic GC paused.

:func:`run_until` is ``env.run(until=...)`` for a number ``until``, with
:meth:`simpy.Environment.step` written into the loop: the same heap, the same order
``(time, priority, event id)``, the same handling of a stop at ``until``, of failed events and of
``env.now``; one Python call less per event. :func:`gc_paused` switches Python's cyclic garbage
collector off while a run builds millions of small objects (see its docstring for why that is
safe). :func:`sim.world.simulate.simulate` uses both, so every engine (in process, process pool,
Dask, the tournament) does.

Examples
--------
>>> import simpy
>>> env, seen = simpy.Environment(), []
>>> def ticker(env):
...     while True:
...         yield env.timeout(1.0)
...         seen.append(env.now)
>>> _ = env.process(ticker(env))
>>> run_until(env, 3.5), seen, env.now
(None, [1.0, 2.0, 3.0], 3.5)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from heapq import heappop
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import URGENT, Event, EventPriority

__all__ = ["run_until", "gc_paused"]


def run_until(env: simpy.Environment, until: float) -> Any:
    """Process ``env``'s events until day ``until``; exactly ``env.run(until=until)``.

    The body of SimPy's ``Environment.run`` and ``Environment.step`` (SimPy 4), with ``step``
    inlined: ``until`` becomes an URGENT event (so it runs before ordinary events at that
    instant, and a later call resumes where this one stopped); each popped event sets ``env.now``
    and gets its callbacks called once; a failed event that nobody defused re-raises its
    exception; an empty schedule before ``until`` is an error.

    Examples
    --------
    >>> import simpy
    >>> env = simpy.Environment()
    >>> _ = env.timeout(2.0)
    >>> run_until(env, 5.0), env.now
    (None, 5.0)
    >>> run_until(env, 5.0)
    Traceback (most recent call last):
    ...
    ValueError: until (5.0) must be greater than the current simulation time
    """
    at = until if isinstance(until, int) else float(until)
    if at <= env.now:
        raise ValueError(f"until ({at}) must be greater than the current simulation time")
    stop = Event(env)  # Environment.run: the stop event, before all regular events at `at`
    stop._ok = True
    stop._value = None
    env.schedule(stop, URGENT, at - env.now)
    stop.callbacks.append(StopSimulation.callback)
    queue: list[Any] = env._queue
    try:
        while True:
            # inlined from Environment.step() for speed (one call less per event)
            try:
                env._now, _, _, event = heappop(queue)
            except IndexError:
                raise EmptySchedule from None
            callbacks, event.callbacks = event.callbacks, None
            try:
                for callback in callbacks:
                    callback(event)
            except StopSimulation:
                # as SimPy: keep the remaining callbacks for a later run
                event.callbacks = callbacks[callbacks.index(callback) + 1 :]
                env.schedule(event, EventPriority(-1))
                raise
            if not event._ok and not hasattr(event, "_defused"):
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc
    except StopSimulation as exc:
        return exc.args[0]
    except EmptySchedule:
        raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {stop}') from None


class _GcPause:
    """Process-wide pause of the cyclic GC, nestable and safe across threads (the last one out
    restores the collector as the first one in found it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1

    def exit(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.was_enabled:
                gc.enable()


_PAUSE = _GcPause()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Switch Python's cyclic garbage collector off for the block (restored on the way out).

    Why: a run keeps millions of small container objects alive (pending events, log rows,
    per-customer state) and allocates more on every event, so the collector would traverse the
    growing live set again and again (about a third of a large run's CPU) while finding almost
    nothing to free. Why it is safe: reference counting still frees every object the moment it
    is dropped; only garbage *cycles* wait until the block ends, and a run makes almost none (the
    world's objects live as long as the run; events, timers and log rows hold no reference back
    to what holds them). ``tests/world/test_loop.py`` checks that a run leaves only a small,
    size-independent number of objects for the collector and that repeated runs do not grow
    the peak memory.

    Nested and concurrent uses (threads of one process) are counted: the collector comes back
    when the last block ends, and only if it was on when the first began.

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.exit()
