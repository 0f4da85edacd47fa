"""The fast engine's scheduled callback: a SimPy ``Timeout`` without its checks.

One :class:`Timer` per pending purchase, renewal or arrival is the engine's hot path; SimPy's own
``Timeout`` validates its delay and builds its value on every call, which costs more than the
callback does.

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

from typing import Any

import simpy
from simpy.events import NORMAL, Event

__all__ = ["Timer"]


class Timer(Event):
    """A scheduled callback: a ``Timeout`` without the checks (hot path: one per pending order)."""

    def __init__(self, env: simpy.Environment, delay: float, value: Any, callback: Any) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)
