"""Grading submitted notebooks: answers re-checked from the course's source, cheats fail, bad files get rows.

The kernel tests use chapter 00 (four tasks) and one notebook per situation; each notebook runs
in its own fresh kernel.
"""

from __future__ import annotations

import copy
import csv
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_output
from typer.testing import CliRunner

from sim.cli.teach import app
from sim.teach import grade as G
from sim.teach.grading import watchdog
from sim.teach.tasks import get_task

ROOT = Path(__file__).resolve().parents[2]
COURSE = nbformat.read(ROOT / "exercises" / "00_orientation.ipynb", as_version=4)
SOLUTION = nbformat.read(ROOT / "solutions" / "00_orientation.ipynb", as_version=4)
NAME = "00_orientation.ipynb"
TASKS = ["repeat_purchase_rate", "active_customers", "latent_columns", "profit_from_parts"]


def cell(nb, cid):
    return next(c for c in nb.cells if c.get("id") == cid)


def save(folder: Path, trainee: str, nb) -> Path:
    (folder / trainee).mkdir(parents=True, exist_ok=True)
    path = folder / trainee / NAME
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- without a kernel


def test_course_notebook_is_read_right() -> None:
    assert [c.task for c in G.course_checks(COURSE)] == TASKS
    assert G.answer_cells(COURSE) == ["ex1-code", "ex2-code", "ex3-code", "ex4-code"]


@pytest.mark.parametrize("chapter", ["ch00", "ch01", "ch02"])
def test_recorded_answers_survive_the_trip_and_are_judged_by_the_grader(chapter: str) -> None:
    """The reference's answers, encoded as the kernel does and decoded, pass; perturbed ones do not."""
    import importlib

    import numpy as np
    import pandas as pd

    for task in importlib.import_module(f"sim.teach.tasks.{chapter}").TASKS:
        task = get_task(task.name)
        pairs = task.cases()
        record = {"task": task.name, "function": task.name, "found": True,
                  "cases": [{"answer": G.encode(exp), "hit": None, "changed": None} for _, exp in pairs]}  # fmt: skip
        assert G._verdict(task.name, record)[0] == "passed", task.name
        # a wrong answer on the last case: numbers shifted, tables with one value changed, lists reversed
        case, exp = pairs[-1]
        wrong = copy.deepcopy(exp)
        if isinstance(wrong, pd.DataFrame | pd.Series) and len(wrong):
            wrong = wrong.iloc[:-1]  # a row missing
        elif isinstance(wrong, list) and case.each:
            wrong = [None if x is not None else 1 for x in wrong]
        elif isinstance(wrong, list):
            wrong = wrong[::-1] + ["extra"]
        elif isinstance(wrong, bool | np.bool_):
            wrong = not wrong
        elif isinstance(wrong, int | float | np.number):
            wrong = wrong + 1
        else:
            wrong = "zz-wrong"
        record["cases"][-1]["answer"] = G.encode(wrong)
        assert G._verdict(task.name, record)[0] == "not yet", task.name


def test_opaque_and_lookalike_answers_are_refused() -> None:
    class Always(float):
        def __eq__(self, other):
            return True

    task = get_task("campaign_net_roi")
    record = {"task": task.name, "function": "f", "found": True,
              "cases": [{"answer": G.encode(Always(0.0)), "hit": None, "changed": None} for _ in task.inputs()]}  # fmt: skip
    assert G._verdict(task.name, record)[0] == "not yet"
    record["cases"][0] = {"answer": 0.0, "hit": "the checker's private reference solution", "changed": None}
    status, reason = G._verdict(task.name, record)
    assert status == "not yet" and "private reference" in reason


def test_bad_files_get_error_rows_without_a_kernel(tmp_path: Path) -> None:
    not_json = tmp_path / NAME
    not_json.write_text("{this is not json", encoding="utf-8")
    rows = G.grade_notebook(COURSE, not_json, "t")
    assert [r.status for r in rows] == ["error"] * 4 and "not valid JSON" in rows[0].reason
    not_json.write_text('{"a": 1}', encoding="utf-8")
    assert "not a notebook" in G.grade_notebook(COURSE, not_json, "t")[0].reason
    not_json.write_bytes(b"\xff\xfe binary")
    assert "not UTF-8" in G.grade_notebook(COURSE, not_json, "t")[0].reason
    big = copy.deepcopy(COURSE)
    big.cells[0].source += "x" * (2 * 2**20)
    nbformat.write(big, not_json)
    rows = G.grade_notebook(COURSE, not_json, "t", limits=G.Limits(max_mb=1))
    assert {r.status for r in rows} == {"error"} and "too big" in rows[0].reason


def test_answer_cells_using_the_checker_are_refused(tmp_path: Path) -> None:
    nb = copy.deepcopy(SOLUTION)
    cell(
        nb, "ex1-code"
    ).source = "from sim.teach.tasks import get_task\nrepeat_purchase_rate = get_task('repeat_purchase_rate').reference"
    rows = G.grade_notebook(COURSE, save(tmp_path, "eve", nb), "eve")
    assert {r.status for r in rows} == {"error"} and "sim.teach" in rows[0].reason


def test_gradebook_files_are_written_whole(tmp_path: Path, monkeypatch) -> None:
    rows = [G.GradeRow("a", NAME, "f", "passed", "6 cases"), G.GradeRow("b", NAME, "f", "not yet", 'x, "y"')]
    out = tmp_path / "gradebook.csv"
    G.write_gradebook(rows, out)
    assert list(csv.DictReader(out.open(encoding="utf-8")))[1]["reason"] == 'x, "y"'
    assert "50%" in out.with_suffix(".html").read_text(encoding="utf-8")
    before = (out.read_bytes(), out.with_suffix(".html").read_bytes())
    calls = []
    real = os.replace

    def interrupt_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        G.write_gradebook(rows[:1], out)
    monkeypatch.undo()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert before[1] == out.with_suffix(".html").read_bytes()  # the HTML was not replaced


# --------------------------------------------------------------------------- in fresh kernels


def cheater_notebook():
    """Wrong answers everywhere, with every cheat of the brief at once, and pasted ✓ outputs."""
    nb = copy.deepcopy(COURSE)
    cell(nb, "ex1-code").source = (
        "def repeat_purchase_rate(orders):\n    return 1.0\n\n"
        "class _Pass:\n    def task(self, name, func, **kw):\n        print(f'✓ {name}: correct'); return True\n"
        "check = _Pass()"
    )
    cell(nb, "ex1-check").source = 'print("✓ repeat_purchase_rate: correct (6 cases)")'
    cell(nb, "ex2-code").source = (
        "import importlib\n"
        "_t = importlib.import_module('sim.te' 'ach.tasks._task')\n"
        "_j = importlib.import_module('sim.te' 'ach._judge')\n"
        "_t.grade = lambda task, func: _t.Grade('correct', None, 1, 0)\n"
        "_j.judge = lambda *a, **k: None\n"
        "_j.screen = lambda *a, **k: None\n"
        "def active_customers(orders, end_t, window_days=90):\n    return 0\n"
    )
    cell(nb, "ex3-code").source = (
        "class _Eq(list):\n    def __eq__(self, other):\n        return True\n\n"
        "def latent_columns(table):\n    return _Eq()\n"
    )
    cell(nb, "ex4-code").source = "def profit_from_parts(kpis):\n    return float(kpis.sum())\n"
    nb.cells = [c for c in nb.cells if c.get("id") != "ex4-check"]  # check cell deleted
    for c in nb.cells:
        if c.cell_type == "code" and "check" in c.source:
            c.outputs = [new_output("stream", name="stdout", text="✓ correct (6 cases)\n")]
            c.execution_count = 1
    return nb


@pytest.mark.notebooks
@pytest.mark.timeout(240)
def test_grading_a_room(tmp_path: Path) -> None:
    """Honest answers pass, every cheat fails, a memory hog is stopped, and the CLI writes both files."""
    subs = tmp_path / "SUBMISSIONS"
    honest = copy.deepcopy(SOLUTION)
    cell(honest, "ex1-code").source = "_hog = bytearray(6 * 2**30)\n" + cell(honest, "ex1-code").source
    save(subs, "alice", honest)
    save(subs, "mallory", cheater_notebook())
    out = tmp_path / "book" / "gradebook.csv"
    result = CliRunner().invoke(
        app, ["grade", str(subs), "--out", str(out), "--root", str(ROOT), "--timeout", "150", "--memory-mb", "3072"]
    )
    assert result.exit_code == 0, result.output
    rows = {(r["trainee"], r["check"]): r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert len(rows) == 8
    # alice: the 6 GiB allocation fails under the 3 GiB limit (that cell's function is missing), the rest pass
    assert rows["alice", "repeat_purchase_rate"]["status"] == "not yet"
    assert "MemoryError" in rows["alice", "repeat_purchase_rate"]["reason"]
    assert [rows["alice", t]["status"] for t in TASKS[1:]] == ["passed"] * 3
    # mallory: redefined check, edited/deleted check cells, monkeypatched task module and judge,
    # an always-equal list, pasted ✓ outputs: nothing passes
    assert [rows["mallory", t]["status"] for t in TASKS] == ["not yet"] * 4, [rows["mallory", t] for t in TASKS]
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "repeat_purchase_rate" in html and "mallory" in html
    assert "[2/2] mallory/00_orientation.ipynb" in result.output


@pytest.mark.notebooks
@pytest.mark.timeout(120)
def test_a_hang_and_a_crash_get_clear_rows(tmp_path: Path) -> None:
    hang = copy.deepcopy(COURSE)
    cell(hang, "ex1-code").source = "import time\nwhile True:\n    time.sleep(0.1)"
    crash = copy.deepcopy(COURSE)
    cell(crash, "ex2-code").source = "import os\nos._exit(3)"
    rows = G.grade_notebook(COURSE, save(tmp_path, "hang", hang), "hang", limits=G.Limits(timeout=12))
    assert {r.status for r in rows} == {"error"} and "timed out" in rows[0].reason
    rows = G.grade_notebook(COURSE, save(tmp_path, "crash", crash), "crash", limits=G.Limits(timeout=60))
    assert {r.status for r in rows} == {"error"} and "kernel died" in rows[0].reason


@pytest.mark.notebooks
@pytest.mark.timeout(120)
def test_the_watchdog_stops_a_grading_that_overruns(tmp_path: Path, monkeypatch) -> None:
    """Beyond the notebook's limit + GRACE, the child process and its kernel are killed; a row says so."""
    hang = copy.deepcopy(COURSE)
    cell(hang, "ex1-code").source = "import time\nwhile True:\n    time.sleep(0.1)"
    monkeypatch.setattr(watchdog, "GRACE", -45.0)  # the watchdog fires at 15 s, before the in-kernel 60 s limit
    # the grader's folder (rl-watch-*) under this test's own tmp_path: under pytest-xdist another worker
    # may be grading at the same time, and only this test's processes are looked for below
    monkeypatch.setattr(watchdog.tempfile, "tempdir", str(tmp_path))
    start = time.monotonic()
    rows = G.grade_in_child(
        ROOT / "exercises" / NAME, save(tmp_path, "hang", hang), "hang", limits=G.Limits(timeout=60)
    )
    assert time.monotonic() - start < 40
    assert {r.status for r in rows} == {"error"} and "did not finish" in rows[0].reason

    def left() -> list[str]:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                cwd = os.readlink(proc / "cwd")
                if "rl-watch-" in cwd and cwd.startswith(str(tmp_path)):
                    found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
            except OSError:
                continue
        return found

    deadline = time.monotonic() + 10  # SIGKILLed processes take a moment to go
    while left() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left() == []  # no kernel left running in the grader's folder
