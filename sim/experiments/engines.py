"""Engines: where the replications of an experiment run — this process, a process pool, or Dask.

``"local"`` runs in this process; ``"process"`` uses :class:`concurrent.futures.ProcessPoolExecutor`
(start method ``fork`` on Linux when the caller runs a single thread, else ``forkserver`` or
``spawn``; tasks dealt out round-robin into 16 chunks per worker, so every chunk holds a similar mix
of arms and the workers finish together); ``"dask"`` uses
:mod:`dask.distributed` (a ``LocalCluster`` with one thread per worker process unless
``address=`` names a running scheduler). The work unit is the top-level function
:func:`run_task`, which takes and returns plain dicts, so every engine runs exactly the same code
and gives identical numbers for the same seed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from typing import Any

from sim.config.limits import MAX_WORKERS, short
from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.experiments._args import Arm, check_int, make_tasks, replication_seeds, show_progress
from sim.runner import run

__all__ = ["ENGINES", "run_task", "execute", "run_arms"]

#: The engines :func:`~sim.experiments.compare` and :func:`~sim.experiments.sweep` accept.
ENGINES: tuple[str, ...] = ("local", "process", "dask")


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one replication of one arm; the unit of work every engine executes.

    Parameters
    ----------
    task : dict
        Plain data only (picklable, engine-neutral): ``arm`` (label), ``replication``,
        ``seed``, ``scenario`` (``Scenario.to_dict()``), ``policy`` (``Policy.to_dict()`` or
        ``None``), ``customers`` and ``days`` (``None``: the scenario's), ``kpis`` (names to
        keep or ``None`` for all).

    Returns
    -------
    dict
        ``arm``, ``replication``, ``seed`` and one float per KPI.

    Examples
    --------
    >>> import sim
    >>> out = run_task({"arm": "a", "replication": 0, "seed": 5,
    ...                 "scenario": sim.Scenario.load("btyd_only").to_dict(), "policy": None,
    ...                 "customers": 100, "days": 60, "kpis": ["orders"]})
    >>> sorted(out)
    ['arm', 'orders', 'replication', 'seed']
    >>> out["orders"] == float(len(sim.run("btyd_only", customers=100, days=60, seed=5).orders))
    True
    """
    sc = Scenario.from_dict(task["scenario"])
    pol = None if task.get("policy") is None else Policy.from_dict(task["policy"])
    res = run(sc, pol, customers=task.get("customers"), days=task.get("days"), seed=int(task["seed"]), progress=False)
    k = res.kpis()
    names = task.get("kpis") or list(k.index)
    out: dict[str, Any] = {"arm": task["arm"], "replication": int(task["replication"]), "seed": int(task["seed"])}
    for name in names:
        out[name] = float(k[name]) if name in k.index else float("nan")
    return out


def _run_chunk(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run several tasks in one worker call (fewer round trips)."""
    return [run_task(t) for t in tasks]


def _ignore_sigint() -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (it stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(ex: Any) -> None:
    """Cancel what has not started and terminate the workers (``shutdown`` alone waits for running chunks)."""
    processes = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)


#: Chunks per worker: enough that the last chunks finish close together, few enough that the
#: round trips (about a millisecond each) stay negligible next to a run.
CHUNKS_PER_WORKER = 16


def _chunks(tasks: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """Deal ``tasks`` round-robin into ``CHUNKS_PER_WORKER`` chunks per worker (fewer for few tasks).

    Tasks come arm by arm, and arms differ in cost (a policy that contacts everyone daily runs
    ten times longer than the baseline): contiguous chunks would leave the expensive arms' chunks
    for the end, one worker busy and the other idle. Chunk ``j`` holds tasks ``j, j + n, j + 2n,
    ...``, a slice of every arm; :func:`_unchunk` puts the results back in task order.

    Examples
    --------
    >>> [[t["k"] for t in c] for c in _chunks([{"k": k} for k in range(7)], workers=1)[:3]]
    [[0], [1], [2]]
    >>> [[t["k"] for t in c] for c in _chunks([{"k": k} for k in range(70)], workers=2)][:2]
    [[0, 32, 64], [1, 33, 65]]
    """
    n = max(1, min(len(tasks), CHUNKS_PER_WORKER * max(1, workers)))
    return [tasks[j::n] for j in range(n)]


def _unchunk(results: list[list[dict[str, Any]] | None]) -> list[dict[str, Any]]:
    """The results of :func:`_chunks`'s chunks back in task order.

    Examples
    --------
    >>> tasks = [{"k": k} for k in range(70)]
    >>> _unchunk(_chunks(tasks, workers=2)) == tasks
    True
    """
    n = len(results)
    out: list[dict[str, Any]] = [{}] * sum(len(r or ()) for r in results)
    for j, chunk in enumerate(results):
        if chunk is None:
            raise RuntimeError(f"chunk {j} of {n} has no results")
        out[j::n] = chunk
    return out


def _cores() -> int:
    """Cores this process may use (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux when this process runs a single thread (workers start at once, nothing to
    import); otherwise ``forkserver`` (forking a threaded process can deadlock the child), else ``spawn``."""
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.experiments.engines"])
        return ctx
    return multiprocessing.get_context("spawn")


class _Bar:
    """A rich progress bar, or nothing."""

    def __init__(self, show: bool, total: int, label: str) -> None:
        self._bar = None
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            )
            self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> _Bar:
        if self._bar is not None:
            self._bar.start()
        return self

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


#: Seconds to wait for a Dask scheduler given by ``address=``.
_CONNECT_TIMEOUT_S = 10


def execute(
    tasks: list[dict[str, Any]],
    *,
    engine: str,
    workers: int | None,
    address: str | None,
    progress: bool,
    label: str,
) -> list[dict[str, Any]]:
    """Run ``tasks`` on ``engine`` and return their results in task order."""
    if engine not in ENGINES:
        raise ConfigError(f"engine={engine!r} is not allowed; choose one of {list(ENGINES)}")
    if workers is not None:
        check_int("workers", workers, 1, MAX_WORKERS)
    if address is not None and engine != "dask":
        raise ConfigError(f"address={short(address)} only applies to engine='dask' (engine is {engine!r})")
    if address is not None and (not isinstance(address, str) or not address.strip()):
        raise ConfigError(
            f"address={short(address)} is not allowed: give a scheduler address, e.g. 'tcp://127.0.0.1:8786'"
        )
    results: list[list[dict[str, Any]] | None]
    if engine == "local":
        out = []
        with _Bar(progress, len(tasks), f"{label} · local") as bar:
            for t in tasks:
                out.append(run_task(t))
                bar.advance(1)
        return out

    if engine == "process":
        from concurrent.futures import ProcessPoolExecutor, as_completed

        n_workers = workers or _cores()
        chunks = _chunks(tasks, n_workers)
        results = [None] * len(chunks)
        # workers start before the progress bar's refresh thread does (see _mp_context); they ignore
        # Ctrl-C (the parent handles it: a worker catching it per task would go on with the next one)
        ex = ProcessPoolExecutor(
            max_workers=min(n_workers, len(chunks)), mp_context=_mp_context(), initializer=_ignore_sigint
        )
        try:
            futures = {ex.submit(_run_chunk, c): i for i, c in enumerate(chunks)}
            with _Bar(progress, len(tasks), f"{label} · {n_workers} processes") as bar:
                for fut in as_completed(futures):
                    i = futures[fut]
                    results[i] = fut.result()
                    bar.advance(len(chunks[i]))
        except BaseException:  # Ctrl-C or a failed task: stop now, not after every queued chunk
            _stop_pool(ex)
            raise
        ex.shutdown(wait=True)
        return _unchunk(results)

    # dask
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise ConfigError("engine='dask' needs dask.distributed (pip install 'dask[distributed]')") from exc
    import logging

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers or _cores(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout=_CONNECT_TIMEOUT_S)
        except (OSError, ValueError, TypeError) as exc:  # unreachable, malformed, refused
            raise ConfigError(
                f"address={short(address)}: cannot connect to a Dask scheduler there ({short(str(exc), 120)}); "
                "give the address a running `dask scheduler` prints, e.g. 'tcp://127.0.0.1:8786'"
            ) from None
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = _chunks(tasks, n_workers)
        results = [None] * len(chunks)
        with _Bar(progress, len(tasks), f"{label} · dask ({n_workers} workers)") as bar:
            dask_futures = client.map(_run_chunk, chunks, pure=False)
            index = {f.key: i for i, f in enumerate(dask_futures)}
            for dfut in dask_completed(dask_futures):
                i = index[dfut.key]
                results[i] = dfut.result()
                bar.advance(len(chunks[i]))
        return _unchunk(results)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_arms(
    sc: Scenario,
    arms: dict[str, Arm],
    *,
    replications: int,
    seed: int,
    customers: int | None,
    days: float | None,
    kpis: list[str] | None,
    engine: str,
    workers: int | None,
    address: str | None,
    progress: bool | None,
    label: str,
) -> tuple[list[dict[str, Any]], int, float]:
    """Run every arm ``replications`` times with the same replication seeds (common random numbers).

    Returns the KPI rows of every (arm, replication) in task order, and the run size as run
    (customers, days; defaults from ``sc``). Arguments are checked by the caller.
    """
    seeds = replication_seeds(seed, replications)
    tasks = make_tasks(arms, seeds, customers, days, kpis)
    n_cust = customers if customers is not None else sc.population.customers
    n_days = float(days if days is not None else sc.horizon_days)
    rows = execute(
        tasks,
        engine=engine,
        workers=workers,
        address=address,
        progress=show_progress(progress, len(tasks), n_cust, n_days),
        label=label,
    )
    return rows, n_cust, n_days
