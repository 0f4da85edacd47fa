"""The Dask engine on a real cluster (issue 10, item 2): a scheduler and a worker started as
separate processes on 127.0.0.1, 30 repeated compares, zero failures, tables identical to ``local``.

The crash this guards against (``BufferError: cannot resize an array that is exporting buffers``,
3 of 8 runs) came from frames wrapping the world's live ``array.array`` logs while Dask's
profiler held a frame; the world now copies at the boundary (see ``tests/world/test_truth_separation.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

DASK = Path(sys.executable).with_name("dask")
COMPARES = 30
ARMS = ["do_nothing", "vip_care"]  # vip_care runs a firm (its port's frames are what crashed)
SIZE = {"customers": 300, "days": 150, "replications": 2}


def _start(args: list[str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(DASK), *args], stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ}
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler on a free port of 127.0.0.1 and one single-threaded worker, as processes."""
    if not DASK.exists():
        pytest.fail(f"{DASK} is missing: dask[distributed] is a dependency of the project")
    from distributed import Client

    sched_file = tmp_path / "scheduler.json"
    procs = []
    try:
        procs.append(
            _start(
                [
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(sched_file),
                ],
                tmp_path / "scheduler.log",
            )
        )
        deadline = time.monotonic() + 45
        while not sched_file.exists():
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        procs.append(
            _start(
                ["worker", "--scheduler-file", str(sched_file), "--nthreads", "1", "--nworkers", "1", "--no-dashboard"],
                tmp_path / "worker.log",
            )
        )
        with Client(scheduler_file=str(sched_file), timeout=30) as client:
            client.wait_for_workers(1, timeout=45)
            address = client.scheduler.address
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)
        assert all(p.poll() is not None for p in procs)


@pytest.mark.timeout(180)
def test_thirty_compares_on_a_real_cluster_never_fail_and_match_local(cluster):
    assert cluster.startswith("tcp://127.0.0.1:")
    local = sim.compare("baseline", ARMS, seed=5, engine="local", **SIZE).replications
    assert len(local) == len(ARMS) * SIZE["replications"]
    failures: list[str] = []
    for k in range(COMPARES):
        try:
            got = sim.compare("baseline", ARMS, seed=5, engine="dask", address=cluster, **SIZE).replications
            pd.testing.assert_frame_equal(got, local, check_exact=True)
        except Exception as exc:
            failures.append(f"compare {k}: {type(exc).__name__}: {str(exc)[:200]}")
    assert failures == [], f"{len(failures)} of {COMPARES} compares failed:\n" + "\n".join(failures)
