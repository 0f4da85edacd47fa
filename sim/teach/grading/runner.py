"""Grade one submitted notebook in a fresh kernel, within its :class:`Limits` (see :mod:`sim.teach.grade`)."""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.teach.grading.notebook import Check, _prelude_imports, _source, answer_cells, course_checks
from sim.teach.grading.rows import GradeRow, Status, _short
from sim.teach.grading.verdict import _verdict

__all__ = ["Limits", "grade_notebook"]


@dataclass(frozen=True)
class Limits:
    """What one submitted notebook may use.

    Attributes
    ----------
    timeout : float
        Wall-clock seconds for the whole notebook (kernel start excluded).
    memory_mb : int
        Address-space limit of the kernel process (``RLIMIT_AS``), in MiB.
    max_mb : float
        Largest notebook file read, in MiB.

    Examples
    --------
    >>> Limits().timeout
    120.0
    """

    timeout: float = 120.0
    memory_mb: int = 4096
    max_mb: float = 10.0


def _mentions_checker(source: str) -> bool:
    """Whether trainee code names the course checker package (refused: that is the checker's own code)."""
    compact = source.replace(" ", "")
    return "sim.teach" in compact or "teach.tasks" in compact


def _read_submission(path: Path, limits: Limits) -> tuple[Any, str | None]:
    import nbformat

    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, f"cannot read the file ({type(exc).__name__})"
    if size > limits.max_mb * 2**20:
        return None, f"the file is too big ({size / 2**20:.1f} MiB; the limit is {limits.max_mb:g} MiB)"
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, "not a notebook: the file is not UTF-8 text"
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return None, f"not a notebook: not valid JSON ({_short(str(exc))[:80]})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "not a notebook: the JSON has no list of cells"
    try:
        nb = nbformat.reads(raw, as_version=4)
    except Exception as exc:
        return None, f"not a notebook: {type(exc).__name__}"
    return nb, None


def _prelude(imports: str, limits: Limits) -> str:
    limit = int(limits.memory_mb) * 2**20
    return (
        "import resource as _rl_resource\n"
        f"_rl_resource.setrlimit(_rl_resource.RLIMIT_AS, ({limit}, {limit}))\n"
        "del _rl_resource\n"
        "import os as _rl_os\n"
        "_rl_os.environ.pop('RETENTION_LAB_STRICT', None)\n"
        "del _rl_os\n" + imports + "\n"
    )


def _harness(checks: Sequence[Check], out_path: str) -> str:
    pairs = [(c.task, c.function) for c in checks]
    return (
        "import sys as _rl_sys, importlib as _rl_importlib\n"
        "for _rl_m in [m for m in list(_rl_sys.modules) if m == 'sim.teach' or m.startswith('sim.teach.')]:\n"
        "    del _rl_sys.modules[_rl_m]\n"
        f"_rl_importlib.import_module('sim.teach.grading.kernel').kernel_collect(globals(), {pairs!r}, {out_path!r})\n"
    )


def _kernel_manager(work: Path, kernel_name: str | None) -> Any:
    """A kernel manager for ``kernel_name``, or (None) for a kernel running this very interpreter."""
    from jupyter_client.manager import AsyncKernelManager as KernelManager  # nbclient's own choice: never blocks

    if kernel_name is not None:
        return KernelManager(kernel_name=kernel_name)
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager

    kernels = work / ".kernels"
    write_kernel_spec(kernels / "python3")
    return KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))


def grade_notebook(
    course_nb: dict[str, Any],
    submission: Path,
    trainee: str,
    *,
    limits: Limits = Limits(),
    kernel_name: str | None = None,
) -> list[GradeRow]:
    """Grade one submitted notebook against its course exercises notebook (see the module docstring).

    Returns one row per check of the course notebook; never raises for a bad submission.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_code_cell, new_notebook

    name = submission.name
    checks = course_checks(course_nb)
    ids = answer_cells(course_nb)

    def rows(status: Status, reason: str) -> list[GradeRow]:
        return [GradeRow(trainee, name, c.task, status, _short(reason)) for c in checks]

    nb, problem = _read_submission(submission, limits)
    if nb is None:
        return rows("error", problem or "unreadable")
    by_id = {str(c.get("id")): c for c in nb.cells if c.get("cell_type") == "code"}
    sources = [(cid, _source(by_id[cid])) for cid in ids if cid in by_id]
    missing = [cid for cid in ids if cid not in by_id]
    for cid, src in sources:
        if _mentions_checker(src):
            return rows(
                "error", f"answer cell {cid!r} uses the course checker (sim.teach): answers must be your own code"
            )
    work = Path(tempfile.mkdtemp(prefix="rl-grade-"))
    out_path = str(work / f".answers-{secrets.token_hex(8)}.json")
    cells = [new_code_cell(_prelude(_prelude_imports(course_nb, ids), limits))]
    cells += [new_code_cell(src) for _, src in sources]
    cells.append(new_code_cell(_harness(checks, out_path)))
    run_nb = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    cell_errors: list[str] = []
    fatal: str | None = None
    client = NotebookClient(
        run_nb,
        km=_kernel_manager(work, kernel_name),
        timeout=int(limits.timeout),
        allow_errors=True,
        interrupt_on_timeout=True,  # else nbclient's output poll blocks on a busy kernel for ever
        resources={"metadata": {"path": str(work)}},
        shutdown_kernel="immediate",
    )
    env = {k: v for k, v in os.environ.items() if k != "RETENTION_LAB_STRICT"}
    env["MPLBACKEND"] = "Agg"
    try:
        with client.setup_kernel(env=env):
            deadline = time.monotonic() + limits.timeout
            for index, cell in enumerate(run_nb.cells):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CellTimeoutError("time limit")
                client.timeout = max(1, int(math.ceil(left)))
                client.execute_cell(cell, index)
                if time.monotonic() >= deadline:  # nbclient interrupted the kernel at the limit
                    raise CellTimeoutError("time limit")
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                if errors and 0 < index < len(run_nb.cells) - 1:
                    cid = sources[index - 1][0]
                    cell_errors.append(
                        f"answer cell {cid!r} raised {errors[0].get('ename')}: {errors[0].get('evalue')}"
                    )
                elif errors and index == 0:
                    fatal = f"the course set-up cell failed ({errors[0].get('ename')}: {_short(errors[0].get('evalue', ''))[:80]})"
                    break
                elif errors:
                    fatal = f"the checks could not run ({errors[0].get('ename')}: {_short(errors[0].get('evalue', ''))[:80]})"
    except CellTimeoutError:
        fatal = f"timed out: the notebook ran longer than the {limits.timeout:g} s time limit"
    except DeadKernelError:
        fatal = f"the kernel died (crash, exit, or more than the {limits.memory_mb} MiB memory limit)"
    except CellExecutionError as exc:  # pragma: no cover - allow_errors=True
        fatal = f"a cell failed ({type(exc).__name__})"
    except Exception as exc:
        fatal = f"the kernel could not run the notebook ({type(exc).__name__}: {_short(str(exc))[:80]})"
    try:
        if fatal is not None and not Path(out_path).is_file():
            return rows("error", fatal)
        try:
            records = json.loads(Path(out_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memory = [e for e in cell_errors if "MemoryError" in e]
            return rows(
                "error",
                memory[0]
                if memory
                else "the checks produced no result (did an answer cell end the kernel or replace the file system?)",
            )
        by_task = {r.get("task"): r for r in records if isinstance(r, dict)}
        out: list[GradeRow] = []
        for c in checks:
            record = by_task.get(c.task)
            if record is None:
                out.append(GradeRow(trainee, name, c.task, "error", "the checks produced no result for this task"))
                continue
            status, reason = _verdict(c.task, record)
            if status != "passed" and not record.get("found"):
                if missing:
                    reason = f"answer cell(s) {', '.join(map(repr, missing))} not found (keep the notebook's cells)"
                elif cell_errors:
                    reason = cell_errors[0]
            out.append(GradeRow(trainee, name, c.task, status, _short(reason)))
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)
