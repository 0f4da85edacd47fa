"""Engine benchmark: replications of ``baseline`` on the local, process and Dask engines.

Called by ``benchmarks/run.py`` (``make bench``); also runnable alone::

    python benchmarks/experiments_bench.py [--quick]

Wall-clock time of one :func:`sim.compare` call with one arm (5 000 customers x
730 days per replication; 32 replications, 8 with ``quick``), including pool / cluster start-up,
plus the Dask figure on an already running, warmed-up LocalCluster (start-up and the workers'
first imports excluded). Local, process and
running-cluster Dask are timed in interleaved rounds and the best of three is reported (one
round with ``quick``), because a shared machine's speed drifts. The replications tables of all
engines are checked to be identical.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_engines(quick: bool = False) -> dict:
    """Time ``compare`` on each engine and return raw numbers plus a Markdown table (key ``markdown``)."""
    import pandas as pd
    from distributed import LocalCluster

    from sim.experiments import compare

    n_rep = 8 if quick else 32
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    kw = dict(replications=n_rep, seed=1, customers=5000, days=730, progress=False)
    arms = {"baseline": None}

    repeats = 1 if quick else 3
    times: dict[str, list[float]] = {"local": [], "process": [], "dask_running": [], "dask_cluster_start": []}

    def new_cluster() -> Any:
        return LocalCluster(
            n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )

    for _ in range(repeats):  # interleaved rounds, best of `repeats`: a shared machine's speed drifts
        t, local = _timed(lambda: compare("baseline", arms, engine="local", **kw))
        times["local"].append(t)
        # no cluster (and so no extra threads) alive here: the pool forks, as it would for a user
        t, proc = _timed(lambda: compare("baseline", arms, engine="process", workers=cores, **kw))
        times["process"].append(t)
        t, cluster = _timed(new_cluster)
        times["dask_cluster_start"].append(t)
        try:  # a running cluster has imported the simulator already: warm the workers up first
            compare(
                "baseline",
                arms,
                engine="dask",
                address=cluster.scheduler_address,
                replications=2 * cores,
                customers=50,
                days=10,
                progress=False,
            )
            t, dask_warm = _timed(
                lambda: compare("baseline", arms, engine="dask", address=cluster.scheduler_address, **kw)
            )
            times["dask_running"].append(t)
        finally:
            cluster.close()
    t_start = min(times["dask_cluster_start"])
    t_dask, dask = _timed(lambda: compare("baseline", arms, engine="dask", workers=cores, **kw))
    t_local, t_proc, t_dask_warm = min(times["local"]), min(times["process"]), min(times["dask_running"])

    identical = all(local.replications.equals(other.replications) for other in (proc, dask, dask_warm))
    pd.testing.assert_frame_equal(local.replications, proc.replications)  # loud if not
    rows = [
        ("local (1 process)", t_local),
        (f"process ({cores} workers, incl. pool start)", t_proc),
        (f"dask LocalCluster ({cores} workers, incl. cluster start)", t_dask),
        (f"dask, running warm cluster ({cores} workers; start-up {t_start:.1f} s excluded)", t_dask_warm),
    ]
    md = [
        f"Engines: {n_rep} replications of `baseline` (5,000 customers × 730 days each), one `compare` call, "
        f"wall-clock on {cores} cores, best of {repeats} interleaved runs (the dask LocalCluster row: one run); "
        f"identical replications tables on all engines: {identical}.",
        "",
        "| engine | wall s | s / replication | speed-up vs local |",
        "|---|---|---|---|",
    ]
    for label, t in rows:
        md.append(f"| {label} | {t:.2f} | {t / n_rep:.3f} | {t_local / t:.2f}× |")
    return {
        "replications": n_rep,
        "customers": 5000,
        "days": 730,
        "cores": cores,
        "local_s": t_local,
        "process_s": t_proc,
        "dask_s": t_dask,
        "dask_cluster_start_s": t_start,
        "dask_running_cluster_s": t_dask_warm,
        "speedup_process": t_local / t_proc,
        "speedup_dask": t_local / t_dask,
        "speedup_dask_running": t_local / t_dask_warm,
        "repeats": repeats,
        "all_times_s": times,
        "identical": bool(identical),
        "markdown": "\n".join(md),
    }


if __name__ == "__main__":
    res = bench_engines(quick="--quick" in sys.argv)
    print(res.pop("markdown"))
    print(json.dumps(res, indent=2))
