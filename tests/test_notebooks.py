"""The course notebooks: index, sync, stripped, and executed top to bottom.

What is checked, and why it cannot pass vacuously while the course is still being written:

* the chapter list in ``sim/teach/toc.py`` (rendered into ``notebooks/README.md``) matches
  the notebooks present: an "available" chapter has all its files, a "planned" one none,
  and no notebook exists outside the list;
* ``exercises/`` is what ``solutions/`` generates (byte for byte); the comparison is first
  shown to catch a stale file on the demo notebook;
* every committed notebook (and the demo) has no outputs or execution counts;
* every notebook is executed with nbclient in a fresh ``python3`` kernel of *this*
  interpreter (``MPLBACKEND=Agg``, 300 s per cell, working directory = the notebook's folder):
  ``notebooks/`` and ``solutions/`` with ``RETENTION_LAB_STRICT=1`` and no error allowed,
  and every self-check in ``solutions/`` must print ✓; ``exercises/`` may raise only
  ``NotImplementedError``, must contain at least one check, and every check must report
  "not yet". The harness runs on the demo notebook first (and on a broken copy of it), so
  it is exercised even before any chapter exists.

Executing tests are marked ``notebooks`` (``make test-fast`` skips them).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from sim.teach import CHAPTERS, STRICT_ENV, build_exercises, make_exercise, read_notebook, render_table
from sim.teach.notebooks import notebook_bytes, strip_notebook
from sim.teach.toc import TOC_BEGIN, TOC_END

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "solutions", "exercises")
DEMO = Path(__file__).parent / "teach" / "data" / "99_demo.ipynb"
CELL_TIMEOUT = 300  # seconds per cell
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in kernel tracebacks

#: A self-check line printed by ``sim.teach.check``.
CHECK_LINE = re.compile(r"^(?P<mark>[✓✗…]) (?P<name>[^:\n]+): (?P<verdict>correct|not yet|your code raised)")


def present(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.ipynb"))


def all_committed() -> list[Path]:
    return [p for folder in FOLDERS for p in present(folder)]


# --------------------------------------------------------------------------- scanning outputs


def check_lines(nb) -> list[tuple[str, str, str]]:
    """(mark, name, line) of every self-check line in the executed notebook's stdout."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                for text in out["text"].splitlines():
                    if m := CHECK_LINE.match(text):
                        found.append((m["mark"], m["name"], text))
    return found


def error_outputs(nb) -> list[tuple[int, str, str]]:
    """(cell number counted from 1, exception name, message) of every error output."""
    return [
        (number, out["ename"], out.get("evalue", ""))
        for number, cell in enumerate(nb.cells, start=1)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def assert_solution_outputs(nb, name: str, *, need_checks: bool) -> None:
    """Every check passed (✓), and there is at least one when ``need_checks``."""
    checks = check_lines(nb)
    not_passed = [line for mark, _, line in checks if mark != "✓"]
    assert not not_passed, f"{name}: self-checks did not pass:\n" + "\n".join(not_passed)
    if need_checks:
        assert checks, f"{name}: no self-check ran (expected at least one `check(...)` line)"


def assert_exercise_outputs(nb, name: str) -> None:
    """Only NotImplementedError, at least one check, and every check says 'not yet' (a stub)."""
    bad = [e for e in error_outputs(nb) if e[1] != "NotImplementedError"]
    assert not bad, f"{name}: only NotImplementedError may occur in an exercises notebook, got " + "; ".join(
        f"cell {n}: {ename}: {msg}" for n, ename, msg in bad
    )
    checks = check_lines(nb)
    assert checks, f"{name}: an exercises notebook needs at least one self-check"
    answered = [line for mark, _, line in checks if mark != "…"]
    assert not answered, (
        f"{name}: with nothing answered every check must report 'not yet' (a stub), got:\n" + "\n".join(answered)
    )


def test_scanner_reads_check_lines():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                outputs=[
                    nbformat.v4.new_output("stream", name="stdout", text="hello\n✓ a: correct\n✗ b: not yet — x.\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="✓ ignored: correct\n"),
                ]
            ),
            nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("error", ename="ValueError", evalue="v")]),
        ]
    )
    assert [(m, n) for m, n, _ in check_lines(nb)] == [("✓", "a"), ("✗", "b")]
    assert error_outputs(nb) == [(2, "ValueError", "v")]


def _executed(*outputs):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=list(outputs))])


_STUB = nbformat.v4.new_output("stream", name="stdout", text="… f: not yet — your code is still a stub\n")
_PASS = nbformat.v4.new_output("stream", name="stdout", text="✓ f: correct\n")
_NIE = nbformat.v4.new_output("error", ename="NotImplementedError", evalue="", traceback=[])


def test_exercise_scan_accepts_stubs_and_not_implemented():
    assert_exercise_outputs(_executed(_STUB, _NIE), "ok.ipynb")


@pytest.mark.parametrize(
    ("outputs", "phrase"),
    [
        ((_STUB, nbformat.v4.new_output("error", ename="NameError", evalue="answer")), "only NotImplementedError"),
        ((_NIE,), "needs at least one self-check"),
        ((_STUB, _PASS), "every check must report 'not yet'"),
    ],
)
def test_exercise_scan_rejects(outputs, phrase):
    with pytest.raises(AssertionError, match=phrase):
        assert_exercise_outputs(_executed(*outputs), "bad.ipynb")


def test_solution_scan_rejects_stubs_and_missing_checks():
    with pytest.raises(AssertionError, match="did not pass"):
        assert_solution_outputs(_executed(_PASS, _STUB), "s.ipynb", need_checks=True)
    with pytest.raises(AssertionError, match="no self-check ran"):
        assert_solution_outputs(_executed(), "s.ipynb", need_checks=True)
    assert_solution_outputs(_executed(), "teaching.ipynb", need_checks=False)


# --------------------------------------------------------------------------- course index


def test_chapter_list_is_well_formed():
    numbers = [c.number for c in CHAPTERS]
    assert numbers == list(range(len(CHAPTERS))), "chapters are numbered 00, 01, ... without gaps"
    assert len(CHAPTERS) == 11  # the eleven chapters of the design
    for c in CHAPTERS:
        assert re.fullmatch(r"\d\d_[a-z][a-z0-9_]*", c.stem), c.stem
    assert len({c.slug for c in CHAPTERS}) == len(CHAPTERS)


def test_course_index_table_is_rendered_from_the_chapter_list():
    text = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
    assert text.count(TOC_BEGIN) == 1 and text.count(TOC_END) == 1
    table = text.split(TOC_BEGIN + "\n", 1)[1].split("\n" + TOC_END, 1)[0]
    assert table == render_table(CHAPTERS), "notebooks/README.md is stale: run `retention-lab teach toc`"
    for c in CHAPTERS:  # and the README lists them in course order
        assert f"| {c.number:02d} | {c.title} |" in table


def test_notebooks_present_match_the_course_index():
    expected = {f for c in CHAPTERS if c.status == "available" for f in c.files()}
    owned = {f for c in CHAPTERS for f in c.files()}
    found = {str(p.relative_to(ROOT)) for p in all_committed()}
    problems = []
    problems += [f"missing (chapter marked available): {f}" for f in sorted(expected - found)]
    problems += [
        f"present but chapter marked planned (set status='available' in sim/teach/toc.py): {f}"
        for f in sorted((found & owned) - expected)
    ]
    problems += [f"not in the course index (sim/teach/toc.py): {f}" for f in sorted(found - owned)]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- sync and stripped


def test_exercises_are_in_sync_with_solutions(tmp_path: Path):
    # First show that the comparison catches a stale exercise (on the demo notebook) ...
    (tmp_path / "solutions").mkdir()
    shutil.copy(DEMO, tmp_path / "solutions" / DEMO.name)
    build_exercises(tmp_path / "solutions", tmp_path / "exercises")
    assert build_exercises(tmp_path / "solutions", tmp_path / "exercises", check=True) == []
    stale = tmp_path / "exercises" / DEMO.name
    stale.write_bytes(stale.read_bytes().replace(b"YOUR CODE HERE", b"YOUR CODE HERE!", 1))
    assert build_exercises(tmp_path / "solutions", tmp_path / "exercises", check=True) == [stale]
    # ... then apply it to the repository.
    changed = build_exercises(ROOT / "solutions", ROOT / "exercises", check=True)
    assert not changed, "exercises/ is out of sync with solutions/; run `make exercises`:\n" + "\n".join(
        str(p.relative_to(ROOT)) for p in changed
    )


@pytest.mark.parametrize("path", [*all_committed(), DEMO], ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebook_is_stripped(path: Path):
    nb = read_notebook(path)
    for number, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: cell {number} has outputs"
            assert cell.get("execution_count") is None, f"{path.name}: cell {number} has an execution count"
    assert notebook_bytes(strip_notebook(nb)) == path.read_bytes(), (
        f"{path.name}: volatile metadata left; run `retention-lab teach strip`"
    )


# --------------------------------------------------------------------------- execution


@pytest.fixture(scope="session")
def kernel_spec_manager(tmp_path_factory):
    """A kernelspec ``python3`` that runs *this* interpreter (the venv's), whatever else is installed."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager

    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(kernels / "python3")
    return KernelSpecManager(kernel_dirs=[str(kernels)])


def execute(nb, *, cwd: Path, strict: bool, allow_errors: bool, ksm) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in a fresh kernel; return it with outputs (nothing is saved).

    The kernel talks over Unix sockets in a folder of its own (POSIX): with pytest-xdist several
    kernels start at once, and TCP ports picked free by one worker could be taken by another's kernel
    before its kernel binds them.
    """
    from jupyter_client.manager import KernelManager

    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop(STRICT_ENV, None)
    if strict:
        env[STRICT_ENV] = "1"
    with tempfile.TemporaryDirectory(prefix="rl-kernel-") as sockets:  # short: socket paths have a limit
        transport = {"transport": "ipc", "ip": os.path.join(sockets, "k")} if os.name == "posix" else {}
        client = NotebookClient(
            nb,
            km=KernelManager(kernel_name="python3", kernel_spec_manager=ksm, **transport),
            timeout=CELL_TIMEOUT,
            allow_errors=allow_errors,
            resources={"metadata": {"path": str(cwd)}},
        )
        client.execute(cleanup_kc=True, env=env)
    return nb


def run_strict(path: Path, ksm, *, need_checks: bool) -> None:
    nb = nbformat.read(path, as_version=4)
    try:
        execute(nb, cwd=path.parent, strict=True, allow_errors=False, ksm=ksm)
    except CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{ANSI.sub('', str(exc))}", pytrace=False)
    assert_solution_outputs(nb, path.name, need_checks=need_checks)


def run_exercise(path: Path, ksm) -> None:
    nb = nbformat.read(path, as_version=4)
    execute(nb, cwd=path.parent, strict=False, allow_errors=True, ksm=ksm)
    assert_exercise_outputs(nb, path.name)


@pytest.mark.notebooks
def test_harness_on_the_demo(tmp_path: Path, kernel_spec_manager):
    """The demo's solutions pass every check; its generated exercises report only 'not yet'."""
    run_strict(DEMO, kernel_spec_manager, need_checks=True)
    ex = tmp_path / DEMO.name
    ex.write_bytes(notebook_bytes(make_exercise(read_notebook(DEMO), name=DEMO.name)))
    run_exercise(ex, kernel_spec_manager)


@pytest.mark.notebooks
def test_harness_fails_a_wrong_solution_in_strict_mode(tmp_path: Path, kernel_spec_manager):
    nb = nbformat.read(DEMO, as_version=4)
    cell = next(c for c in nb.cells if c.id == "ex3-check")
    cell.source = cell.source.replace("21", "22")  # the reference value no longer matches
    broken = tmp_path / "98_broken.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(pytest.fail.Exception, match=r"CheckFailed: ✗ weekly_orders: not yet — expected 22, got 21"):
        run_strict(broken, kernel_spec_manager, need_checks=True)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", present("notebooks"), ids=lambda p: p.name)
def test_teaching_notebook_runs(path: Path, kernel_spec_manager):
    run_strict(path, kernel_spec_manager, need_checks=False)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", present("solutions"), ids=lambda p: p.name)
def test_solutions_notebook_passes_its_checks(path: Path, kernel_spec_manager):
    run_strict(path, kernel_spec_manager, need_checks=True)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", present("exercises"), ids=lambda p: p.name)
def test_exercises_notebook_runs_and_reports_not_yet(path: Path, kernel_spec_manager):
    run_exercise(path, kernel_spec_manager)
