"""Stages of a multi-stage service process behind the front desk (chapter 06, CP1, CP4, CP5).

A :class:`StageDesk` is a team of agents serving its own heap queue (like the
:class:`~sim.world.desk.ServiceDesk`, lower key first, arrival order within a key): a
*department* of the policy's ``service.process`` (the front desk triages a ticket, then it
queues at the department its cause is routed to, which resolves it) or the *emergency team*
(``service.emergency_team``: P0 tickets bypass the front desk and join its queue ``start_h``
after they open). The stage asks ``work(ticket, agent)`` for the handling time in days, adds it
to the ticket's ``handle`` (busy time), and calls ``done(ticket)`` when finished; an optional
``on_start(ticket, agent)`` records a first response (the emergency team).

Examples
--------
>>> import simpy
>>> from sim.world.desk import TicketLog
>>> env, log = simpy.Environment(), TicketLog()
>>> finished = []
>>> team = StageDesk(env, log, 1, work=lambda tid, k: 0.5, done=finished.append)
>>> for _ in range(2):
...     team.submit(log.open(-1, -1, "service", 2, 0.0), 2.0)
>>> env.run(until=2.0)
>>> finished, log.handle
([0, 1], {0: 0.5, 1: 0.5})
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim.world.desk import TicketLog

__all__ = ["StageDesk", "EMERGENCY_AGENT"]

#: ``agent`` column value of a ticket handled by the emergency team.
EMERGENCY_AGENT = -3


class StageDesk:
    """``agents`` agents serving a priority queue of tickets at one stage of the service process.

    Parameters
    ----------
    env : simpy.Environment
    log : TicketLog
    agents : int
        Agents on duty around the clock.
    work : callable
        ``work(ticket, agent) -> days``: the handling time (``agent`` is 0 .. agents - 1).
    done : callable
        ``done(ticket)`` when the handling ends.
    on_start : callable, optional
        ``on_start(ticket, agent)`` when an agent picks the ticket up.
    """

    def __init__(
        self,
        env: simpy.Environment,
        log: TicketLog,
        agents: int,
        work: Callable[[int, int], float],
        done: Callable[[int], None],
        on_start: Callable[[int, int], None] | None = None,
    ) -> None:
        self.env = env
        self.log = log
        self.queue = simpy.PriorityStore(env)
        self.work = work
        self.done = done
        self.on_start = on_start
        self.agents = agents
        self.busy_time = 0.0
        self._seq = 0
        for k in range(agents):
            env.process(self._agent(k))

    def submit(self, ticket: int, key: float) -> None:
        """Queue ``ticket`` (lower ``key`` first; arrival order within a key)."""
        self._seq += 1
        self.queue.put((key, self._seq, ticket))

    @property
    def backlog(self) -> int:
        """Tickets waiting at this stage."""
        return len(self.queue.items)

    def _agent(self, k: int):  # a SimPy process
        env, get, handle = self.env, self.queue.get, self.log.handle
        while True:
            item = yield get()
            tid = item[2]
            if self.on_start is not None:
                self.on_start(tid, k)
            d = self.work(tid, k)
            handle[tid] = handle.get(tid, 0.0) + d
            yield env.timeout(d)
            self.busy_time += d
            self.done(tid)
