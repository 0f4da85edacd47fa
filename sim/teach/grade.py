"""Grade trainees' submitted exercise notebooks: their answer cells, the course's own checks.

``retention-lab teach grade SUBMISSIONS/ --out gradebook.csv`` (also writes ``gradebook.html``).

Layout: ``SUBMISSIONS/<trainee>/<NN_name>.ipynb`` — one folder per trainee, each notebook under
the name of its course exercise (``00_orientation.ipynb``). Anything else in a trainee's folder,
or a file directly in ``SUBMISSIONS/``, gets an ``error`` row saying so.

What is graded, and what is never trusted
------------------------------------------
For each submitted notebook the grader reads the course's own exercises notebook
(``exercises/NN_name.ipynb``) to learn (a) the **answer cells** — the cells whose source holds
the stub ``raise NotImplementedError()`` that :mod:`sim.teach.build` puts where a solution was,
found by their cell id — and (b) the **checks** — every ``check.task("task", function)`` call
in its check cells. From the submission it takes only the sources of those answer cells (by cell
id). Outputs, check cells, extra cells and metadata of the submission are ignored.

Then, in a **fresh kernel** (nbclient) started in an empty temporary folder:

1. a course-owned first cell sets the memory limit (``resource.setrlimit(RLIMIT_AS)``, soft and
   hard, so trainee code cannot raise it) and runs the exercise's own import lines;
2. each answer cell runs (an error in one is recorded; the others still run);
3. a course-owned last cell drops every ``sim.teach`` module from ``sys.modules``, imports them
   again from the package source (so a monkeypatched checker or task module is gone), calls the
   trainee's function on deep copies of every case of each task (watching, as the self-check
   does, for calls of the private reference), and writes the **answers** — not a verdict — to a
   file as JSON (a plain-data encoding; no pickle).

The grader process, which runs no trainee code, decodes those answers and compares them with the
expected values it computes itself from the package (:func:`sim.teach.tasks.grade`, fed the
recorded answers). So editing or deleting a check cell, redefining ``check``, monkeypatching the
task module, or pasting outputs cannot turn a wrong answer into "passed": the kernel only ever
reports what the trainee's function returned. The honest limit: a trainee who, inside an answer
cell, reaches the package's private reference implementation *and* switches the call watch off
can still pass — as they could copy a solution. Answer cells that mention ``sim.teach`` at all
are refused outright, which stops the plain form of that.

Limits enforced per notebook: wall-clock time (``--timeout``, for the whole notebook, cell by
cell; at the limit nbclient interrupts the kernel and the rows say "timed out"), address-space
size (``--memory-mb``, ``RLIMIT_AS`` in the kernel process: a bigger allocation raises
``MemoryError`` in that cell), and file size (``--max-mb``, checked before reading). Each
notebook is graded in a child process (:func:`grade_in_child`) that a watchdog kills, with its
kernel, after ``--timeout`` + :data:`GRACE` seconds, which stops code that ignores the interrupt
or a kernel that never answers. A notebook that is not JSON, not a notebook, too big, hangs, or
crashes the kernel gets ``error`` rows with a one-line reason, and grading goes on.

Results: one row per trainee × check, status ``passed`` / ``not yet`` / ``error`` and a one-line
reason; :func:`write_gradebook` writes the CSV and an HTML summary (totals per trainee, and per
check with the share passed, so the room's hardest exercise stands out) atomically: both files
are written to temporary siblings first and renamed into place, so Ctrl-C leaves the old
gradebook or none, never half of one.

Examples
--------
>>> decode(encode({"a": [1, 2.5, None, "x"]}))
{'a': [1, 2.5, None, 'x']}
"""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import math
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "GradeRow",
    "Limits",
    "answer_cells",
    "course_checks",
    "decode",
    "encode",
    "grade_notebook",
    "grade_submissions",
    "kernel_collect",
    "render_html",
    "write_gradebook",
]

Status = Literal["passed", "not yet", "error"]

STUB_LINE = "raise NotImplementedError()"
_MAX_REASON = 160
_ENC_DEPTH = 20


# --------------------------------------------------------------------------- plain-data encoding


def _enc_array(values: Any) -> dict[str, Any]:
    """A 1-d array-like (numpy array, Series values, Index) as plain data keeping its dtype."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cat = pd.Categorical(values)
        return {
            "k": "cat",
            "codes": cat.codes.tolist(),
            "categories": _enc_array(cat.categories),
            "ordered": bool(cat.ordered),
        }
    if isinstance(dtype, pd.DatetimeTZDtype):
        idx = pd.DatetimeIndex(values)
        return {
            "k": "tz",
            "i8": idx.tz_convert("UTC").tz_localize(None).asi8.tolist(),
            "tz": str(dtype.tz),
            "unit": dtype.unit,
            "nat": idx.isna().tolist(),
        }
    if isinstance(dtype, np.dtype):
        arr = np.asarray(values)
        if dtype.kind in "biuf":
            return {"k": "num", "dtype": dtype.str, "v": arr.tolist()}
        if dtype.kind in "mM":
            return {"k": "time", "dtype": dtype.str, "i8": arr.view("i8").tolist()}
        if dtype.kind == "U":
            return {"k": "num", "dtype": dtype.str, "v": arr.tolist()}
        return {"k": "obj", "v": [encode(x, 1) for x in arr.tolist()]}
    # pandas extension dtypes (Int64, boolean, string, Float64, ...)
    items = [None if pd.isna(x) else x for x in list(values)]
    return {"k": "ext", "dtype": str(dtype), "v": [encode(x, 1) for x in items]}


def _dec_array(data: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    kind = data["k"]
    if kind == "cat":
        return pd.Categorical.from_codes(
            data["codes"], categories=_dec_array(data["categories"]), ordered=data["ordered"]
        )
    if kind == "tz":
        idx = pd.to_datetime(np.array(data["i8"], dtype="i8").view(f"M8[{data['unit']}]")).tz_localize("UTC")
        return idx.tz_convert(data["tz"]).array
    if kind == "num":
        return np.array(data["v"], dtype=np.dtype(data["dtype"]))
    if kind == "time":
        return np.array(data["i8"], dtype="i8").view(np.dtype(data["dtype"]))
    if kind == "ext":
        return pd.array([decode(x) for x in data["v"]], dtype=data["dtype"])
    items = [decode(x) for x in data["v"]]
    out = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        out[i] = x
    return out


def _enc_index(index: Any) -> dict[str, Any]:
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {
            "t": "range",
            "start": index.start,
            "stop": index.stop,
            "step": index.step,
            "name": encode(index.name, 1),
        }
    if isinstance(index, pd.MultiIndex):
        return {
            "t": "multi",
            "names": [encode(n, 1) for n in index.names],
            "levels": [_enc_array(index.get_level_values(i)) for i in range(index.nlevels)],
        }
    return {"t": "index", "name": encode(index.name, 1), "a": _enc_array(index)}


def _dec_index(data: dict[str, Any]) -> Any:
    import pandas as pd

    if data["t"] == "range":
        return pd.RangeIndex(data["start"], data["stop"], data["step"], name=decode(data["name"]))
    if data["t"] == "multi":
        return pd.MultiIndex.from_arrays(
            [_dec_array(a) for a in data["levels"]], names=[decode(n) for n in data["names"]]
        )
    return pd.Index(_dec_array(data["a"]), name=decode(data["name"]), tupleize_cols=False)


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-ready plain data that :func:`decode` turns back into an equal value.

    Handles what exercise answers are: None, ``...``, bool, int, float, str, numpy scalars and
    arrays, pandas Series / DataFrame / Index / Timestamp / Timedelta / NA, and lists, tuples,
    dicts and sets of those. Only the exact built-in types count (a trainee's ``float``
    subclass is not a float); anything else is recorded as an opaque object of that type name,
    which the checks then refuse.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> s = pd.Series([True, False], index=["a", "b"], name="flag")
    >>> decode(encode(s)).equals(s), decode(encode(np.int64(3))).dtype
    (True, dtype('int64'))
    >>> class Always(float):
    ...     def __eq__(self, other): return True
    >>> type(decode(encode(Always(1.0)))).__name__
    'Opaque'
    """
    import numpy as np
    import pandas as pd

    if depth > _ENC_DEPTH:
        return {"t": "opaque", "type": "too deeply nested"}
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value if kind is not int or abs(value) < 2**63 else {"t": "bigint", "v": str(value)}
    if kind is float:
        return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if kind in (list, tuple, set, frozenset):
        items = list(value)
        if kind in (set, frozenset):
            items = sorted(items, key=repr)
        return {"t": kind.__name__, "v": [encode(x, depth + 1) for x in items]}
    if kind is dict:
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return (
            {"t": "np", "dtype": value.dtype.str, "v": encode(value.item(), depth + 1)}
            if value.dtype.kind in "biufU"
            else {"t": "np0", "a": _enc_array(np.asarray([value]))}
        )
    if kind is np.ndarray:
        return {"t": "ndarray", "shape": list(value.shape), "a": _enc_array(value.reshape(-1))}
    if kind is pd.Series:
        return {
            "t": "series",
            "name": encode(value.name, depth + 1),
            "index": _enc_index(value.index),
            "a": _enc_array(value.array),
        }
    if kind is pd.DataFrame:
        return {
            "t": "frame",
            "columns": _enc_index(value.columns),
            "index": _enc_index(value.index),
            "data": [_enc_array(value.iloc[:, j].array) for j in range(value.shape[1])],
        }
    if isinstance(value, pd.Index) and kind.__module__.startswith("pandas"):
        return {"t": "pdindex", "i": _enc_index(value)}
    if kind in (pd.Timestamp, pd.Timedelta) or value is pd.NaT:
        return {
            "t": "np0",
            "a": _enc_array(pd.array([value]) if value is not pd.NaT else np.array(["NaT"], dtype="M8[ns]")),
        }
    if value is pd.NA:
        return {"t": "pdna"}
    return {"t": "opaque", "type": f"{kind.__module__}.{kind.__qualname__}"[:80]}


class Opaque:
    """Stands for an answer of a type the grader does not carry over (the checks refuse it).

    Examples
    --------
    >>> Opaque("mymodule.Thing")
    <an object of type mymodule.Thing>
    """

    __module__ = "__main__"  # counts as the trainee's own class for the checks' type screen

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<an object of type {self.type_name}>"


def decode(data: Any) -> Any:
    """Turn :func:`encode`'s plain data back into the value.

    Examples
    --------
    >>> decode(encode((1, "a", float("nan"))))
    (1, 'a', nan)
    """
    import numpy as np
    import pandas as pd

    if not isinstance(data, dict):
        return data
    t = data.get("t")
    if t == "bigint":
        return int(data["v"])
    if t == "float":
        return float(data["v"])
    if t == "ellipsis":
        return Ellipsis
    if t in ("list", "tuple", "set", "frozenset"):
        items = [decode(x) for x in data["v"]]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t](items)
    if t == "dict":
        return {decode(k): decode(v) for k, v in data["v"]}
    if t == "np":
        return np.dtype(data["dtype"]).type(decode(data["v"]))
    if t == "np0":
        return _dec_array(data["a"])[0]
    if t == "ndarray":
        return np.asarray(_dec_array(data["a"])).reshape(data["shape"])
    if t == "series":
        return pd.Series(_dec_array(data["a"]), index=_dec_index(data["index"]), name=decode(data["name"]), copy=False)
    if t == "frame":
        columns = _dec_index(data["columns"])
        index = _dec_index(data["index"])
        frame = pd.DataFrame(
            {j: pd.Series(_dec_array(a), index=index, copy=False) for j, a in enumerate(data["data"])}, index=index
        )
        frame.columns = columns
        return frame
    if t == "pdindex":
        return _dec_index(data["i"])
    if t == "pdna":
        return pd.NA
    return Opaque(str(data.get("type", "unknown")))


# --------------------------------------------------------------------------- the course's notebooks


@dataclass(frozen=True)
class Check:
    """One ``check.task(task, function)`` call of a course exercises notebook."""

    task: str
    function: str


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def answer_cells(nb: dict[str, Any]) -> list[str]:
    """Ids of the course notebook's answer cells (code cells holding the exercise stub).

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "id": "a", "source": "def f():\\n    raise NotImplementedError()"},
    ...                 {"cell_type": "code", "id": "b", "source": "check.task('f', f)"}]}
    >>> answer_cells(nb)
    ['a']
    """
    return [
        str(c.get("id"))
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and any(line.strip() == STUB_LINE for line in _source(c).split("\n"))
    ]


def course_checks(nb: dict[str, Any]) -> list[Check]:
    """Every ``check.task("name", function)`` of the course notebook, in order.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "id": "b", "source": "ok = check.task('recency', recency_days)"}]}
    >>> course_checks(nb)
    [Check(task='recency', function='recency_days')]
    """
    found: list[Check] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "task"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and isinstance(node.args[1], ast.Name)
            ):
                found.append(Check(node.args[0].value, node.args[1].id))
    return found


def _prelude_imports(nb: dict[str, Any], answers: Sequence[str]) -> str:
    """The import statements of the course notebook's non-answer code cells (top level only)."""
    lines: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or str(cell.get("id")) in answers:
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                text = ast.unparse(node)
                if text not in lines:
                    lines.append(text)
    return "\n".join(lines)


def _mentions_checker(source: str) -> bool:
    """Whether trainee code names the course checker package (refused: that is the checker's own code)."""
    compact = source.replace(" ", "")
    return "sim.teach" in compact or "teach.tasks" in compact


# --------------------------------------------------------------------------- inside the kernel


def kernel_collect(namespace: dict[str, Any], checks: Sequence[Sequence[str]], out_path: str) -> None:
    """Run inside the grading kernel (after the trainee's answer cells): record answers, not verdicts.

    ``sim.teach`` has just been re-imported from the package source by the calling cell. For
    every (task, function name) pair, calls the function found in ``namespace`` on copies of
    every case, and writes a JSON list to ``out_path``: per case the encoded answer or the
    exception, the argument it changed, and whether it called the private reference.

    Examples
    --------
    >>> import json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.json")
    >>> kernel_collect({"campaign_net_roi": lambda c, r, m: (r * m - c) / c}, [("campaign_net_roi", "campaign_net_roi")], path)
    >>> rec = json.load(open(path))[0]
    >>> rec["task"], rec["found"], len(rec["cases"]) > 1
    ('campaign_net_roi', True, True)
    """
    from sim.teach._trace import describe_exception
    from sim.teach.tasks import get_task
    from sim.teach.tasks._task import _call, _changed_argument, _copy, _Watch

    records: list[dict[str, Any]] = []
    for task_name, func_name in checks:
        task = get_task(task_name)
        func = namespace.get(func_name)
        rec: dict[str, Any] = {"task": task_name, "function": func_name, "found": callable(func), "cases": []}
        if callable(func):
            for case in task.inputs():
                given = _copy(case)
                entry: dict[str, Any] = {}
                watch = _Watch(task.watched())
                try:
                    with watch:
                        answer = _call(func, given)
                    entry["answer"] = encode(answer)
                except (Exception, SystemExit) as exc:
                    entry["error"] = {"type": type(exc).__name__[:60], "stub": isinstance(exc, NotImplementedError),
                                      "text": describe_exception(exc)[:_MAX_REASON]}  # fmt: skip
                entry["hit"] = watch.hit
                try:
                    entry["changed"] = _changed_argument(task.reference, case, given)
                except Exception:
                    entry["changed"] = "one of its inputs"
                rec["cases"].append(entry)
        records.append(rec)
    text = json.dumps(records, allow_nan=True)
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write(text)


# --------------------------------------------------------------------------- trusted comparison


class _Raised(Exception):
    """An exception the trainee's function raised in the kernel, replayed in the grader."""


def _verdict(task_name: str, record: dict[str, Any]) -> tuple[Status, str]:
    """Compare the kernel's recorded answers with the package's expected values (no trainee code runs)."""
    from sim.teach.tasks import get_task, grade

    task = get_task(task_name)
    cases = task.inputs()
    if not record.get("found"):
        return "not yet", f"no function `{record.get('function')}` defined by the answer cells"
    entries = record.get("cases", [])
    if len(entries) != len(cases):
        return "error", "the grading kernel returned an incomplete record"
    for case, entry in zip(cases, entries, strict=True):
        if entry.get("hit"):
            return "not yet", f"{case.says} (your function calls {entry['hit']}: write the code yourself)"
    queue: list[tuple[str, Any]] = []
    for case, entry in zip(cases, entries, strict=True):
        if "error" in entry:
            queue.append(("raise", entry["error"]))
        elif case.each:
            answers = decode(entry["answer"])
            if not isinstance(answers, list) or len(answers) != len(list(case.args[0])):
                return "error", "the grading kernel returned a malformed record"
            queue.extend(("value", a) for a in answers)
        else:
            queue.append(("value", decode(entry["answer"])))
    state = {"i": 0, "skip": False}

    def replay(*args: object, **kwargs: object) -> object:
        if state["i"] >= len(queue):
            raise _Raised("replayed more calls than were recorded")
        what, payload = queue[state["i"]]
        state["i"] += 1
        if what == "raise":
            if payload.get("stub"):
                raise NotImplementedError()
            raise _Raised(str(payload.get("text", "")).removeprefix("your code raised "))
        return payload

    result = grade(task, replay)
    changed = next(((c, e["changed"]) for c, e in zip(cases, entries, strict=True) if e.get("changed")), None)
    if result.status == "correct" and changed is None:
        return "passed", f"{result.cases} cases"
    if result.status == "stub":
        return "not yet", result.detail or "still a stub"
    if changed is not None and result.status == "correct":
        return "not yet", f"{changed[0].says} (your function changed its input `{changed[1]}`: work on a copy)"
    return "not yet", (result.detail or "wrong").replace("_Raised: ", "")


# --------------------------------------------------------------------------- one notebook


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


@dataclass(frozen=True)
class GradeRow:
    """One line of the gradebook: a trainee × check.

    Examples
    --------
    >>> GradeRow("alice", "00_orientation.ipynb", "active_customers", "passed", "9 cases").status
    'passed'
    """

    trainee: str
    notebook: str
    check: str
    status: Status
    reason: str


def _short(text: str) -> str:
    one = " ".join(str(text).split())
    return one if len(one) <= _MAX_REASON else one[: _MAX_REASON - 1] + "…"


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
        f"_rl_importlib.import_module('sim.teach.grade').kernel_collect(globals(), {pairs!r}, {out_path!r})\n"
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


# --------------------------------------------------------------------------- a watchdog process

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
            [sys.executable, "-m", "sim.teach.grade", json.dumps(args)],
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


def _read_course(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=4)


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


# --------------------------------------------------------------------------- a folder of submissions


def _course_notebooks(root: Path) -> dict[str, Path]:
    from sim.teach.toc import CHAPTERS

    found = {}
    for c in CHAPTERS:
        path = root / "exercises" / f"{c.number:02d}_{c.slug}.ipynb"
        if c.status == "available" and path.is_file():
            found[path.name] = path
    return found


def grade_submissions(
    submissions: str | Path,
    *,
    root: str | Path = ".",
    limits: Limits = Limits(),
    progress: Callable[[str], None] | None = None,
) -> list[GradeRow]:
    """Grade every ``SUBMISSIONS/<trainee>/<NN_name>.ipynb``; one row per trainee × check.

    Checks of an exercise that some trainee submitted and another did not are ``not yet``
    ("not submitted") for the latter, so every trainee has the same rows.
    """
    from sim.errors import DataError

    folder = Path(submissions)
    if not folder.is_dir():
        raise DataError(
            f"submissions folder not found: {str(folder)[:80]!r} (give SUBMISSIONS/ with one folder per trainee)"
        )
    course = _course_notebooks(Path(root))
    if not course:
        raise DataError(
            f"no exercises notebooks under {str(Path(root) / 'exercises')[:80]!r}; run it from the repository"
        )
    say = progress or (lambda _msg: None)
    trainees = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    strays = sorted(p for p in folder.iterdir() if not p.is_dir() and not p.name.startswith("."))
    jobs = [(t.name, f) for t in trainees for f in sorted(t.iterdir()) if not f.name.startswith(".")]
    rows: list[GradeRow] = []
    for stray in strays:
        rows.append(
            GradeRow(
                stray.stem,
                stray.name,
                "-",
                "error",
                "put each trainee's notebooks in SUBMISSIONS/<trainee>/, not directly in SUBMISSIONS/",
            )
        )
    submitted: set[str] = set()
    for n, (trainee, path) in enumerate(jobs, start=1):
        start = time.monotonic()
        if path.name not in course:
            known = ", ".join(sorted(course))
            rows.append(
                GradeRow(
                    trainee,
                    path.name,
                    "-",
                    "error",
                    _short(f"not a course exercise notebook name; expected one of: {known}"),
                )
            )
            say(f"[{n}/{len(jobs)}] {trainee}/{path.name}: not a course exercise")
            continue
        submitted.add(path.name)
        got = grade_in_child(course[path.name], path, trainee, limits=limits)
        rows.extend(got)
        counts = {s: sum(r.status == s for r in got) for s in ("passed", "not yet", "error")}
        say(f"[{n}/{len(jobs)}] {trainee}/{path.name}: {counts['passed']} passed, {counts['not yet']} not yet, "
            f"{counts['error']} error ({time.monotonic() - start:.1f} s)")  # fmt: skip
    have = {(r.trainee, r.notebook) for r in rows}
    for trainee in (t.name for t in trainees):
        for name in sorted(submitted):
            if (trainee, name) not in have:
                rows.extend(
                    GradeRow(trainee, name, c.task, "not yet", "not submitted")
                    for c in course_checks(_read_course(course[name]))
                )
    order = {name: [c.task for c in course_checks(_read_course(p))] for name, p in course.items()}

    def position(row: GradeRow) -> int:
        names = order.get(row.notebook, [])
        return names.index(row.check) if row.check in names else -1

    return sorted(rows, key=lambda r: (r.trainee, r.notebook, position(r)))


# --------------------------------------------------------------------------- writing


def totals(rows: Iterable[GradeRow], key: Callable[[GradeRow], str]) -> list[tuple[str, dict[str, int]]]:
    """Counts of passed / not yet / error grouped by ``key``, in first-seen order.

    Examples
    --------
    >>> totals([GradeRow("a", "n", "c", "passed", ""), GradeRow("b", "n", "c", "error", "")], lambda r: r.check)
    [('c', {'passed': 1, 'not yet': 0, 'error': 1})]
    """
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(key(r), {"passed": 0, "not yet": 0, "error": 0})[r.status] += 1
    return list(out.items())


def gradebook_csv(rows: Sequence[GradeRow]) -> str:
    """The gradebook as CSV text: trainee, notebook, check, status, reason.

    Examples
    --------
    >>> print(gradebook_csv([GradeRow("a", "00_x.ipynb", "f", "passed", "3 cases")]).strip())
    trainee,notebook,check,status,reason
    a,00_x.ipynb,f,passed,3 cases
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["trainee", "notebook", "check", "status", "reason"])
    for r in rows:
        writer.writerow([r.trainee, r.notebook, r.check, r.status, r.reason])
    return buffer.getvalue()


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gradebook</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.bar{background:#eee;width:12em;height:1em;display:inline-block}.fill{background:#2a7;height:1em}
.passed{color:#176b3a}.error{color:#a11}.notyet{color:#8a5a00}
</style></head><body>
<h1>Gradebook</h1>
<p>{{ n_trainees }} trainee(s), {{ n_rows }} check result(s). Each submitted notebook ran in a fresh kernel;
its answer cells were graded by the course's own checks (printed outputs and check cells are ignored).</p>
<h2>Per check (hardest first)</h2>
<table><tr><th>notebook</th><th>check</th><th>passed</th><th>not yet</th><th>error</th><th>share passed</th></tr>
{% for nb, check, c, share in per_check %}<tr><td>{{ nb }}</td><td>{{ check }}</td><td>{{ c["passed"] }}</td><td>{{ c["not yet"] }}</td>
<td>{{ c["error"] }}</td><td><span class="bar"><span class="fill" style="display:block;width:{{ (share * 100) | round(0) }}%"></span></span> {{ (share * 100) | round(0) | int }}%</td></tr>
{% endfor %}</table>
<h2>Per exercise notebook</h2>
<table><tr><th>notebook</th><th>passed</th><th>not yet</th><th>error</th><th>share passed</th></tr>
{% for nb, c, share in per_notebook %}<tr><td>{{ nb }}</td><td>{{ c["passed"] }}</td><td>{{ c["not yet"] }}</td><td>{{ c["error"] }}</td><td>{{ (share * 100) | round(0) | int }}%</td></tr>
{% endfor %}</table>
<h2>Per trainee</h2>
<table><tr><th>trainee</th><th>passed</th><th>not yet</th><th>error</th></tr>
{% for t, c in per_trainee %}<tr><td>{{ t }}</td><td>{{ c["passed"] }}</td><td>{{ c["not yet"] }}</td><td>{{ c["error"] }}</td></tr>
{% endfor %}</table>
<h2>Every result</h2>
<table><tr><th>trainee</th><th>notebook</th><th>check</th><th>status</th><th>reason</th></tr>
{% for r in rows %}<tr><td>{{ r.trainee }}</td><td>{{ r.notebook }}</td><td>{{ r.check }}</td>
<td class="{{ r.status | replace(' ', '') }}">{{ r.status }}</td><td>{{ r.reason }}</td></tr>
{% endfor %}</table>
</body></html>
"""


def _share(c: dict[str, int]) -> float:
    n = sum(c.values())
    return c["passed"] / n if n else 0.0


def render_html(rows: Sequence[GradeRow]) -> str:
    """The HTML summary: per check (hardest first), per notebook, per trainee, then every row.

    Examples
    --------
    >>> html = render_html([GradeRow("<b>", "00_x.ipynb", "f", "not yet", "a < b")])
    >>> "&lt;b&gt;" in html and "<b>" not in html.split("<body>")[1]
    True
    """
    import jinja2

    env = jinja2.Environment(autoescape=True)
    per_check = [(nb, check, c, _share(c)) for (nb, check), c in
                 ((tuple(k.split("\x00")), v) for k, v in totals(rows, lambda r: f"{r.notebook}\x00{r.check}"))]  # fmt: skip
    per_check.sort(key=lambda x: (x[3], x[0], x[1]))
    per_notebook = [(nb, c, _share(c)) for nb, c in totals(rows, lambda r: r.notebook)]
    per_notebook.sort(key=lambda x: (x[2], x[0]))
    per_trainee = sorted(totals(rows, lambda r: r.trainee))
    return env.from_string(_HTML).render(
        rows=rows,
        per_check=per_check,
        per_notebook=per_notebook,
        per_trainee=per_trainee,
        n_trainees=len(per_trainee),
        n_rows=len(rows),
    )


def write_gradebook(rows: Sequence[GradeRow], out: str | Path) -> tuple[Path, Path]:
    """Write ``out`` (CSV) and the HTML summary beside it (same stem, ``.html``), atomically.

    Both files go to temporary siblings first (fsynced); only then are they renamed into place,
    so an interruption leaves the previous gradebook (or none), never a half-written one.

    Examples
    --------
    >>> import tempfile
    >>> csv_path, html_path = write_gradebook([GradeRow("a", "00_x.ipynb", "f", "passed", "")],
    ...                                       Path(tempfile.mkdtemp()) / "gradebook.csv")
    >>> html_path.name, csv_path.read_text().count("\\n")
    ('gradebook.html', 2)
    """
    out = Path(out)
    html = out.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for content, target in ((gradebook_csv(rows), out), (render_html(rows), html)):
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in temps:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    return out, html


if __name__ == "__main__":  # the watchdog's child process: python -m sim.teach.grade '<json>'
    _child_main(sys.argv[1])
