"""Interrupted writes never leave a half-written or mixed folder (issue 10, item 1).

A folder ``D`` holds a complete old output; a writer replacing it is interrupted at a random
moment with SIGINT (Ctrl-C: Python unwinds and cleans up) or SIGKILL (no cleanup at all). After
every interruption ``D`` must load, pass its manifest check and be **exactly** the old output or
exactly the new one (every table compared by content hash with the two known outputs); after a
later successful write no temporary folder may remain beside it.

How the writers are interrupted, cheaply and reproducibly:

* a *zygote* child process imports the package and builds the outputs once, then forks one
  writer per round; the writer rewrites ``D`` in a loop (new, old, new, ...), so any random
  moment falls inside a write, and the test sends the signal after a delay drawn from
  ``random.Random(SEED)`` scaled by a measured write time. Results (``Result.to_dir``, as
  ``retention-lab run --out`` calls it): 20 SIGINT + 20 SIGKILL; experiments
  (``write_experiment`` via ``Comparison.to_dir``): 4 + 4; datasets (``build_datasets``): 2 + 2;
* and the real command, ``python -m sim run ... --out D`` over an existing result, interrupted
  with SIGINT at a random moment after its temporary folder appears: twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import _atomic
from sim.datasets import MANIFEST as DATA_FILES
from sim.experiments.output import verify_experiment

pytestmark = [
    pytest.mark.interrupts,
    pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="needs POSIX fork and signals"),
]

SEED = 20251


def _default_sigint() -> None:
    """Children get Ctrl-C's default action even when the suite itself runs with SIGINT ignored (as a
    shell's background job does): otherwise Python starts them with SIGINT ignored and no signal lands."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


RUN = {"scenario": "baseline", "customers": 2000, "days": 365}
CMP = {"replications": 2, "customers": 80, "days": 30}

ZYGOTE = textwrap.dedent(
    """
    import json, os, signal, sys, time
    import sim
    from sim.datasets import build as B

    root = sys.argv[1]
    run = json.loads(sys.argv[2]); cmp_kw = json.loads(sys.argv[3])
    old = sim.run(run["scenario"], customers=run["customers"], days=run["days"], seed=1)
    new = sim.run(run["scenario"], customers=run["customers"], days=run["days"], seed=2)
    cmps = [sim.compare("baseline", ["do_nothing"], seed=s, progress=False, **cmp_kw) for s in (1, 2)]
    small = sim.run("baseline", "vip_care", customers=300, days=200, seed=3)
    B._simulate = lambda: small   # a small but real datasets build
    jobs = {
        "result": lambda d: (new.to_dir(d), old.to_dir(d)),
        "experiment": lambda d: (cmps[1].to_dir(d), cmps[0].to_dir(d)),
        "datasets": lambda d: B.build_datasets(d),
    }
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the writer; it must never return into the zygote's loop
            code = 1
            try:
                if cmd["op"] == "once":  # one uninterrupted write (the zygote never writes itself)
                    jobs[cmd["job"]](cmd["dir"]) if cmd["job"] != "result" else old.to_dir(cmd["dir"])
                    code = 0
                else:
                    os.dup2(os.open(cmd["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
                    while True:
                        jobs[cmd["job"]](cmd["dir"])
            except KeyboardInterrupt:  # Python's default SIGINT handler, as in the CLI
                code = 130
            except BaseException:
                import traceback; traceback.print_exc(); sys.stderr.flush()
            finally:
                os._exit(code)
        if cmd["op"] != "once":
            print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": status}), flush=True)
    """
)


def table_hashes(res: sim.Result) -> dict[str, str]:
    out = {}
    for name, df in res.tables.items():
        h = hashlib.sha256(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
        h.update(repr([(c, str(t)) for c, t in df.dtypes.items()]).encode())
        out[name] = h.hexdigest()
    return out | {"seed": str(res.seed), "scenario": res.scenario.to_yaml()}


def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.parent.iterdir() if p.name.startswith(f".{d.name}."))


class Zygote:
    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, str(root), json.dumps(RUN), json.dumps(CMP)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"MPLBACKEND": "Agg"},
            preexec_fn=_default_sigint,
        )
        assert self._read()["ready"]

    def _read(self) -> dict:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line, f"zygote died (exit {self.proc.poll()})"
        return json.loads(line)

    def _send(self, **cmd: object) -> None:
        self.proc.stdin.write(json.dumps(cmd) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    def once(self, job: str, d: Path) -> float:
        t = time.perf_counter()
        self._send(op="once", job=job, dir=str(d))
        assert self._read()["status"] == 0
        return time.perf_counter() - t

    def _wait_readable(self, seconds: float) -> bool:
        """Whether the zygote has written a line within ``seconds`` (nothing is buffered unread:
        it writes one line per reply and every reply is read before the next command)."""
        import select

        return bool(select.select([self.proc.stdout], [], [], seconds)[0])

    def interrupt(self, job: str, d: Path, sig: int, delay: float, log: Path, patience: float = 10.0) -> None:
        """Start ``job`` in a loop, send ``sig`` after ``delay`` s, check how the writer ended.

        A Ctrl-C can be lost: when SIGINT lands while a destructor runs (pyarrow's
        ``ParquetWriter.__del__``, say), Python prints "Exception ignored" and the
        KeyboardInterrupt is gone, so the looping writer would go on for ever. As a user would, the
        test then presses Ctrl-C again (after ``patience`` s without an exit, at most 5 times).
        """
        self._send(op="loop", job=job, dir=str(d), log=str(log))
        pid = self._read()["pid"]
        time.sleep(delay)
        os.kill(pid, sig)
        for _ in range(5):
            if sig != signal.SIGINT or self._wait_readable(patience):
                break
            os.kill(pid, sig)  # the last Ctrl-C was swallowed by a destructor: press it again
        status = self._read()["status"]
        expected = 130 if sig == signal.SIGINT else None
        if expected is None:
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig, (status, log.read_text())
        else:
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == expected, (status, log.read_text())

    def close(self) -> None:
        self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if the zygote hangs
            self.proc.kill()


@pytest.fixture(scope="module")
def zygote(tmp_path_factory):
    z = Zygote(tmp_path_factory.mktemp("zygote"))
    yield z
    z.close()


@pytest.fixture(scope="module")
def runs():
    old = sim.run(RUN["scenario"], customers=RUN["customers"], days=RUN["days"], seed=1)
    new = sim.run(RUN["scenario"], customers=RUN["customers"], days=RUN["days"], seed=2)
    return {"old": table_hashes(old), "new": table_hashes(new)}


def rounds(zygote: Zygote, job: str, d: Path, n: int, classify, tmp_path: Path, spread: float = 2.0) -> list[str]:
    """Interrupt ``n`` writes with SIGINT and ``n`` with SIGKILL; classify ``d`` after each."""
    rng = random.Random(f"{SEED}-{job}")
    write_time = zygote.once(job, d)  # the old output in place, and how long one write takes
    outcomes = []
    killed_mid_write = 0
    for i, sig in enumerate([signal.SIGINT] * n + [signal.SIGKILL] * n):
        zygote.interrupt(
            job, d, sig, rng.uniform(0.0, spread * write_time), tmp_path / f"{job}-{i}.log", 5 + 5 * write_time
        )
        outcomes.append(classify(d))
        left = leftovers(d)
        if sig == signal.SIGINT:
            assert left == [], f"round {i}: Ctrl-C left {left}"  # cleaned up on the way out
        killed_mid_write += bool(left)
    zygote.once(job, d)  # a later successful write removes what SIGKILL left behind
    assert leftovers(d) == [], leftovers(d)
    assert classify(d) in ("old", "new")
    assert killed_mid_write >= 1, "no SIGKILL landed inside a write: the test did not test anything"
    return outcomes


@pytest.mark.timeout(150)
def test_interrupted_result_writes_leave_the_old_or_the_new_result_never_a_mix(zygote, runs, tmp_path):
    d = tmp_path / "D"

    def classify(folder: Path) -> str:
        got = table_hashes(sim.Result.from_dir(folder))  # manifest checked first
        for label, want in runs.items():
            if got == want:
                return label
        raise AssertionError(f"{folder} matches neither run: a mixed result")

    outcomes = rounds(zygote, "result", d, 20, classify, tmp_path)
    assert len(outcomes) == 40 and set(outcomes) == {"old", "new"}, outcomes


@pytest.mark.timeout(120)
def test_interrupted_experiment_writes_are_all_or_nothing(zygote, tmp_path):
    known = {s: sim.compare("baseline", ["do_nothing"], seed=s, progress=False, **CMP) for s in (1, 2)}

    def experiment_state(folder: Path) -> str:
        doc = verify_experiment(folder)  # every file listed, unchanged, none extra
        meta = json.loads((folder / "experiment.json").read_text(encoding="utf-8"))
        assert doc["seed"] == meta["seed"] and meta["seed"] in known
        cmp = known[meta["seed"]]
        for name in ("replications", "summary"):  # every table is the one of that same comparison
            want = getattr(cmp, name)
            pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet"), want, check_dtype=False)
            assert len(pd.read_csv(folder / f"{name}.csv")) == len(want)
        return {1: "old", 2: "new"}[meta["seed"]]

    rounds(zygote, "experiment", tmp_path / "E", 4, experiment_state, tmp_path, spread=1.5)


@pytest.mark.timeout(120)
def test_interrupted_datasets_builds_are_all_or_nothing(zygote, tmp_path):
    """Before each round ``D`` holds the committed datasets; the build writes other (smaller) data."""
    write_time = zygote.once("datasets", tmp_path / "fresh")
    sums_new = sim.datasets.file_checksums(tmp_path / "fresh")
    sums_old = sim.datasets.file_checksums(sim.datasets.datasets_dir())
    assert set(sums_new) == set(sums_old) == set(DATA_FILES) and sums_new != sums_old

    def datasets_state(folder: Path) -> str:
        sim.datasets.verify_datasets(folder)  # the manifest matches every file
        sums = sim.datasets.file_checksums(folder)
        assert sums in (sums_old, sums_new), "a mixed datasets folder"
        return "new" if sums == sums_new else "old"

    d = tmp_path / "data"
    rng = random.Random(f"{SEED}-datasets")
    for i, sig in enumerate([signal.SIGINT] * 2 + [signal.SIGKILL] * 2):
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(sim.datasets.datasets_dir(), d)
        zygote.interrupt(
            "datasets", d, sig, rng.uniform(0.0, write_time), tmp_path / f"data-{i}.log", 5 + 5 * write_time
        )
        datasets_state(d)
        if sig == signal.SIGINT:
            assert leftovers(d) == []
    zygote.once("datasets", d)
    assert leftovers(d) == [] and datasets_state(d) == "new"
    assert len(sim.datasets.load_retail(d).customers) > 0  # the loaders accept the rebuilt folder


@pytest.mark.timeout(120)
def test_ctrl_c_during_the_cli_write_keeps_the_old_result(runs, tmp_path):
    """The real command, interrupted after its temporary folder appears (so inside the write)."""
    d = tmp_path / "D"
    sim.run(RUN["scenario"], customers=RUN["customers"], days=RUN["days"], seed=1).to_dir(d)
    cmd = [sys.executable, "-m", "sim", "run", "--scenario", RUN["scenario"]]
    cmd += ["--customers", str(RUN["customers"]), "--days", str(RUN["days"]), "--seed", "2", "--out", str(d)]
    rng = random.Random(f"{SEED}-cli")
    seen = []
    for _ in range(2):
        sim.run(RUN["scenario"], customers=RUN["customers"], days=RUN["days"], seed=1).to_dir(d)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ | {"MPLBACKEND": "Agg"},
            preexec_fn=_default_sigint,
        )
        deadline = time.monotonic() + 60
        while not leftovers(d) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if proc.poll() is None:
            time.sleep(rng.uniform(0.0, 0.15))
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        got = table_hashes(sim.Result.from_dir(d))
        assert got in (runs["old"], runs["new"]), "a mixed result"
        seen.append("old" if got == runs["old"] else "new")
        assert leftovers(d) == []
    assert _atomic.verify_dir(d, "result")["kind"] == "result" and len(seen) == 2


@pytest.mark.timeout(120)
def test_ctrl_c_stops_a_process_pool_compare_at_once(tmp_path):
    """Ctrl-C to the whole process group of a long ``compare --engine process`` ends it within seconds:
    the workers leave Ctrl-C to the parent, which cancels the queued chunks and stops them (before,
    each worker caught it per task and the pool waited for every queued chunk)."""
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "compare",
        "--scenario",
        "baseline",
        "--policy",
        "do_nothing",
        "--policy",
        "vip_care",
    ]
    cmd += ["--replications", "40", "--customers", "20000", "--engine", "process", "--workers", "2"]
    cmd += ["--out", str(tmp_path / "C")]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ | {"MPLBACKEND": "Agg"},
        start_new_session=True,
        preexec_fn=_default_sigint,
    )
    time.sleep(6.0)  # the pool is up and working on its first chunks
    assert proc.poll() is None, "the compare finished before it could be interrupted: make it longer"
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: every process of the group
    t0 = time.monotonic()
    proc.wait(timeout=30)
    assert time.monotonic() - t0 < 15, "the pool went on after Ctrl-C"
    assert proc.returncode != 0
    assert not (tmp_path / "C").exists() and leftovers(tmp_path) == []
