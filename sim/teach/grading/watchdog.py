"""Grade one notebook in a child process that a watchdog kills, with its kernel, if it overruns.

The child is this module run as ``python -m sim.teach.grading.watchdog '<json>'``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

from sim.teach.grading.notebook import _read_course, course_checks
from sim.teach.grading.rows import GradeRow, Status, _short
from sim.teach.grading.runner import Limits, grade_notebook

__all__ = ["GRACE", "grade_in_child"]

#: Seconds the grading process may take beyond the notebook's own time limit (kernel start, checks).
GRACE = 90.0


def grade_in_child(course_path: Path, submission: Path, trainee: str, *, limits: Limits = Limits()) -> list[GradeRow]:
    """:func:`grade_notebook` in a child process, killed (with its kernel) if it overruns.

    The notebook's own time limit is enforced inside; this watchdog (``limits.timeout`` +
    :data:`GRACE` seconds) also bounds a kernel that fails to start or to shut down.
    """
    import subprocess

    checks = course_checks(_read_course(course_path))

    def rows(status: Status, reason: str) -> list[GradeRow]:
        return [GradeRow(trainee, submission.name, c.task, status, _short(reason)) for c in checks]

    with tempfile.TemporaryDirectory(prefix="rl-watch-") as tmp:
        token = secrets.token_hex(12)
        args = {"course": str(course_path), "submission": str(submission), "trainee": trainee,
                "limits": [limits.timeout, limits.memory_mb, limits.max_mb]}  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim.teach.grading.watchdog", json.dumps(args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "TMPDIR": tmp, _WATCH_ENV: token},  # the kernel inherits both
        )
        try:
            out, _ = proc.communicate(timeout=limits.timeout + GRACE)
        except BaseException as exc:
            _kill_marked(token, proc.pid)
            proc.wait()
            if not isinstance(exc, subprocess.TimeoutExpired):
                raise
            return rows("error", f"grading did not finish in {limits.timeout + GRACE:g} s (the kernel hung); stopped")
        finally:
            if proc.returncode != 0:
                _kill_marked(token, None)
    try:
        return [GradeRow(*r) for r in json.loads(out.decode("utf-8").strip().splitlines()[-1])]
    except (ValueError, IndexError, TypeError):
        return rows("error", f"the grading process failed (exit status {proc.returncode})")


_WATCH_ENV = "RETENTION_LAB_GRADE_WATCH"


def _kill_marked(token: str, group: int | None) -> None:
    """SIGKILL the child's process group and every process carrying ``token`` in its environment (its kernel)."""
    import signal

    if group is not None:
        with contextlib.suppress(OSError):
            os.killpg(group, signal.SIGKILL)
    marker = f"{_WATCH_ENV}={token}".encode()
    proc = Path("/proc")
    if not proc.is_dir():  # pragma: no cover - not Linux: the process group is all we can reach
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue


def _child_main(arg: str) -> None:
    args = json.loads(arg)
    timeout, memory_mb, max_mb = args["limits"]
    got = grade_notebook(
        _read_course(Path(args["course"])),
        Path(args["submission"]),
        args["trainee"],
        limits=Limits(timeout=timeout, memory_mb=memory_mb, max_mb=max_mb),
    )
    sys.stdout.write(json.dumps([[r.trainee, r.notebook, r.check, r.status, r.reason] for r in got]) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":  # the watchdog's child process: python -m sim.teach.grading.watchdog '<json>'
    _child_main(sys.argv[1])
