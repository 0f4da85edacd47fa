"""The engine's speed-ups change nothing but speed (issue 16, the simulator's CPU per event).

* :func:`sim.world.loop.run_until` is ``env.run(until=...)``: same event order, same ``env.now``,
  the same errors; a world run with it gives the very logs ``env.run`` gives, in one call or in
  the progress bar's fifty.
* :class:`sim.world.timer.Calendar` (day buckets in front of SimPy's heap) runs callbacks in
  exactly SimPy's order, ties and whole-day times included.
* :func:`sim.world.loop.gc_paused` restores the collector (nested, after errors, across
  threads), a run leaves almost nothing for it, and repeated runs do not grow the memory peak.
* :class:`sim.world.rng.Buffered` hands out exactly what drawing block by block hands out.
* The relationship survey's vectorised pre-test (:meth:`sim.world.surveys.Surveys._may_answer`)
  drops no one who answers.
"""

from __future__ import annotations

import gc
import random
import threading
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import simpy
from simpy.events import NORMAL, URGENT

import sim
import sim.world.surveys as surveys_module
from sim.world.engine import World
from sim.world.loop import gc_paused, run_until
from sim.world.rng import Buffered, Streams
from sim.world.simulate import simulate
from sim.world.timer import Calendar, Timer


# ----------------------------------------------------------------------------- run_until
def _world_logs(run, sc_name="baseline", n=400, days=300.0, seed=4, policy=None):
    env = simpy.Environment()
    sc = sim.Scenario.load(sc_name)
    w = World(env, sc, n, days, Streams(seed), agents=1, policy=policy)
    w.start()
    run(env, days)
    lg = w.logs
    return (
        list(lg.orders.customer),
        list(lg.orders.t),
        list(lg.orders.amount),
        list(lg.tickets.first_response),
        list(lg.tickets.resolved),
        list(lg.surveys.score),
        list(lg.events.kind),
        env.now,
    )


def test_run_until_gives_the_logs_of_env_run():
    plain = _world_logs(lambda env, d: env.run(until=d))
    assert len(plain[0]) > 400 and len(plain[3]) > 5  # orders and tickets: a real comparison
    assert _world_logs(run_until) == plain
    # the progress bar's path: fifty calls, each resuming where the last one stopped
    assert _world_logs(lambda env, d: [run_until(env, d * k / 50) for k in range(1, 51)]) == plain


def test_run_until_matches_env_run_with_mechanisms_on():
    pol = sim.Policy.load("churn_rescue")
    plain = _world_logs(lambda env, d: env.run(until=d), "retail", policy=pol)
    assert _world_logs(run_until, "retail", policy=pol) == plain


def test_run_until_stops_at_until_before_events_at_that_instant():
    env, seen = simpy.Environment(), []
    for t in (1.0, 2.0, 2.0, 3.0):
        Timer(env, t, t, lambda ev: seen.append(ev._value))
    assert run_until(env, 2.0) is None
    assert env.now == 2.0 and seen == [1.0]  # the stop is URGENT: events at 2.0 wait for the next run
    run_until(env, 10.0)
    assert seen == [1.0, 2.0, 2.0, 3.0] and env.now == 10.0


def test_run_until_reraises_a_failed_event_and_ignores_a_defused_one():
    env = simpy.Environment()
    bad = env.event()
    bad.fail(KeyError("boom"))
    with pytest.raises(KeyError, match="boom"):
        run_until(env, 1.0)
    env = simpy.Environment()
    quiet = env.event()
    quiet.fail(KeyError("boom"))
    quiet.defused = True
    run_until(env, 1.0)
    assert env.now == 1.0


def test_run_until_refuses_a_time_not_in_the_future():
    env = simpy.Environment(initial_time=5.0)
    with pytest.raises(ValueError, match="must be greater than the current simulation time"):
        run_until(env, 5.0)


def test_run_until_runs_processes_like_env_run():
    def trace(run):
        env, seen = simpy.Environment(), []

        def proc(name, gap):
            while True:
                yield env.timeout(gap)
                seen.append((env.now, name))

        for name, gap in (("a", 0.5), ("b", 1.0), ("c", 0.25)):
            env.process(proc(name, gap))
        run(env, 7.0)
        return seen

    assert trace(run_until) == trace(lambda env, d: env.run(until=d))


# ----------------------------------------------------------------------------- the calendar
def _order_of_calls(use_calendar: bool, seed: int, horizon: float = 30.0) -> list[tuple[float, str]]:
    """Callbacks scheduled from callbacks (as the lifecycle does) and plain SimPy timeouts, mixed;
    times on a coarse grid so that many fall on the same instant and on whole days."""
    env, seen = simpy.Environment(), []
    rnd = random.Random(seed)
    cal = Calendar(env, horizon)

    def later(tag: str) -> None:
        delay = rnd.randrange(0, 24) / 4.0  # 0, 0.25, ..., 5.75 days: ties and whole days
        if use_calendar:
            cal.after(delay, tag, callbacks)
        else:
            Timer(env, delay, tag, fire)

    def fire(ev):
        seen.append((env.now, ev._value))
        if env.now < horizon - 6.0:
            later(ev._value + "'")
            if rnd.random() < 0.3:  # a SimPy event of another kind, at the same instant or later
                to = env.timeout(rnd.randrange(0, 8) / 4.0, "t")
                to.callbacks.append(lambda e: seen.append((env.now, "timeout")))
            if rnd.random() < 0.1:  # an URGENT event now
                urgent = env.event()
                urgent.callbacks.append(lambda e: seen.append((env.now, "urgent")))
                urgent.succeed()

    callbacks = (fire,)
    for k in range(40):
        later(str(k))
    env.run(until=horizon + 1.0)
    return seen


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_calendar_runs_callbacks_in_simpys_order(seed):
    plain = _order_of_calls(False, seed)
    assert len(plain) > 300 and len({t for t, _ in plain}) < len(plain) / 3  # many ties
    assert any(t == int(t) for t, _ in plain)  # and whole days
    assert _order_of_calls(True, seed) == plain


def test_calendar_keeps_simpys_heap_small():
    env = simpy.Environment()
    cal = Calendar(env, 100.0)
    noop = (lambda ev: None,)
    for k in range(10_000):
        cal.after(k / 100.0, k, noop)
    assert len(env._queue) < 200  # the first day and the day mark; the rest wait in their days' lists
    env.run(until=50.5)
    assert len(env._queue) < 200
    env.run(until=101.0)
    assert [e for e in env._queue if e[1] == NORMAL] == []  # all ran (SimPy keeps its spent stop event)


def test_calendar_defers_nothing_beyond_its_horizon():
    env, seen = simpy.Environment(), []
    cal = Calendar(env, 3.0)
    log = (lambda ev: seen.append((env.now, ev._value)),)
    cal.after(7.5, "late", log)
    cal.after(2.5, "early", log)
    env.run()
    assert seen == [(2.5, "early"), (7.5, "late")]


def test_a_run_keeps_simpys_heap_to_about_a_day_of_events():
    env = simpy.Environment()
    w = World(env, sim.Scenario.load("baseline"), 5000, 400.0, Streams(2), agents=1)
    w.start()
    env.run(until=200.0)
    pending = sum(len(b) for b in w.lifecycle.calendar.buckets)
    assert pending > 500  # customers waiting for their next purchase ...
    assert len(env._queue) < pending / 10  # ... almost all of them outside SimPy's heap


# ----------------------------------------------------------------------------- the GC pause
def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # nested: the outer block still holds it
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with gc_paused():
            raise RuntimeError("interrupted")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_gc_paused_across_threads_restores_once_the_last_run_ends():
    inside, release = threading.Barrier(3), threading.Event()

    def run():
        with gc_paused():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_simulate_pauses_the_collector_and_restores_it_after_an_error():
    sc = sim.Scenario.load("baseline")
    seen = []

    class Spy:
        def on_acquired(self, i, now):
            seen.append(gc.isenabled())

        def on_order(self, i, oid, now):
            raise RuntimeError("stop")

        def on_ticket_opened(self, tid, now):
            pass

        def on_ticket_resolved(self, tid, now):
            pass

    import sim.world.simulate as simulate_module

    real = World.start

    def start(self):
        self.attach_firm(Spy())
        real(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(simulate_module.World, "start", start)
        with pytest.raises(RuntimeError, match="stop"):
            simulate(sc, customers=50, days=30.0, seed=0)
    assert seen == [False]  # off during the run
    assert gc.isenabled()  # and back after it failed


def _garbage_after_run(n: int) -> int:
    gc.collect()
    gc.disable()
    try:
        simulate(sim.Scenario.load("baseline"), customers=n, days=365.0, seed=1)
        return gc.collect()  # objects only the cyclic collector could free
    finally:
        gc.enable()


def test_a_run_leaves_almost_no_cyclic_garbage():
    small, large = _garbage_after_run(300), _garbage_after_run(3000)
    # ten times the customers, orders and events, but no more cycles: the pause frees nothing late
    assert large < 2 * small + 2000, (small, large)


def test_repeated_runs_do_not_grow_the_memory_peak():
    sc = sim.Scenario.load("baseline")
    simulate(sc, customers=1000, days=300.0, seed=3)  # warm-up: imports and caches
    peaks = []
    for _ in range(3):
        gc.collect()
        tracemalloc.start()
        simulate(sc, customers=1000, days=300.0, seed=3)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert max(peaks) < 1.05 * min(peaks), peaks


# ----------------------------------------------------------------------------- buffered draws
class _BlockByBlock:
    """The draws as a loop over blocks would make them (the reference for Buffered)."""

    def __init__(self, gen, block, shape):
        self.gen, self.block, self.shape = gen, block, shape
        self.buf = {"u": [], "e": [], "n": [], "g": []}

    def draw(self, kind):
        if not self.buf[kind]:
            g, b = self.gen, self.block
            fresh = {
                "u": lambda: g.random(b),
                "e": lambda: g.standard_exponential(b),
                "n": lambda: g.standard_normal(b),
                "g": lambda: g.standard_gamma(self.shape, b),
            }[kind]()
            self.buf[kind] = fresh.tolist()[::-1]
        return self.buf[kind].pop()


def test_buffered_hands_out_the_block_by_block_draws_in_any_mix_of_kinds():
    rnd = random.Random(0)
    kinds = [rnd.choice("uuuueeng") for _ in range(3000)]
    ref = _BlockByBlock(np.random.default_rng(9), 64, 2.5)
    b = Buffered(np.random.default_rng(9), block=64, gamma_shape=2.5)
    calls = {"u": b.uniform, "e": b.exponential, "n": b.normal, "g": b.gamma}
    assert [calls[k]() for k in kinds] == [ref.draw(k) for k in kinds]


# ----------------------------------------------------------------------------- relationship surveys
def test_the_vectorised_survey_pretest_drops_no_one_who_answers(monkeypatch):
    def surveys(margin):
        monkeypatch.setattr(surveys_module, "RESPONSE_MARGIN", margin)
        res = sim.run("baseline", customers=3000, days=400, seed=6)
        return res.surveys[res.surveys["touchpoint"] == "relationship"].reset_index(drop=True)

    exact = surveys(2.0)  # a margin above every probability: the pre-test keeps everyone
    assert len(exact) > 300
    pd.testing.assert_frame_equal(surveys(surveys_module.RESPONSE_MARGIN), exact)


def test_the_survey_pretest_really_thins(monkeypatch):
    kept = []
    real = surveys_module.Surveys._may_answer

    def spy(self, ids, u, now):
        out = real(self, ids, u, now)
        kept.append((len(ids), int(out.sum())))
        return out

    monkeypatch.setattr(surveys_module.Surveys, "_may_answer", spy)
    sim.run("baseline", customers=2000, days=400, seed=6)
    total, left = map(sum, zip(*kept))
    assert left < 0.8 * total  # the Python loop sees fewer candidates than before


def test_priorities_used_by_the_calendar_sort_as_documented():
    from sim.world.timer import CALENDAR_PRIORITY

    assert CALENDAR_PRIORITY < -1 < URGENT < NORMAL
