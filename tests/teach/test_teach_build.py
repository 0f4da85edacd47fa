"""Generating exercises from solutions: markers, determinism, stale detection, stripping.

Each test builds a tiny solutions notebook by hand and states, in plain text, the exercise
it must become. The demo notebook ``tests/teach/data/99_demo.ipynb`` is the realistic case.
"""

from __future__ import annotations

import doctest
import importlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell
from typer.testing import CliRunner

from sim.cli.teach import app
from sim.teach import (
    MarkerError,
    build_exercises,
    clear_solutions,
    make_exercise,
    plan_exercises,
    read_notebook,
    strip_notebook,
    strip_notebooks,
)
from sim.teach.notebooks import KERNELSPEC, notebook_bytes

DEMO = Path(__file__).parent / "data" / "99_demo.ipynb"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def write(folder: Path, name: str, nb) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def solutions(*cells, **meta):
    return new_notebook(cells=list(cells), metadata=meta)


# --------------------------------------------------------------------------- markers


def test_region_inside_a_function_keeps_its_indentation():
    src = (
        "def f(xs):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION\n"
        "    total = sum(xs)\n"
        "    return total\n"
        "    ### END SOLUTION\n"
    )
    assert clear_solutions(src) == (
        'def f(xs):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'
    )


def test_two_regions_in_one_cell_at_different_depths():
    src = (
        "for x in xs:\n"
        "    if x:\n"
        "        ### BEGIN SOLUTION\n"
        "        a.append(x)\n"
        "        ### END SOLUTION\n"
        "    else:\n"
        "\t### BEGIN SOLUTION\n"
        "\tb.append(x)\n"
        "\t### END SOLUTION\n"
        "done = True"
    )
    out = clear_solutions(src)
    assert out == (
        "for x in xs:\n"
        "    if x:\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "    else:\n"
        "\t# YOUR CODE HERE\n"
        "\traise NotImplementedError()\n"
        "done = True"
    )
    compile(out.replace("\t", "        "), "<exercise>", "exec")  # still valid Python


def test_top_level_region_and_untouched_cells():
    assert clear_solutions("x = None\n### BEGIN SOLUTION\nx = 42\n### END SOLUTION") == f"x = None\n{STUB}"
    assert clear_solutions("print('no markers here')") == "print('no markers here')"


def test_markdown_regions_both_conventions():
    md = (
        "Why?\n"
        "<!-- BEGIN SOLUTION -->\n"
        "Because **rates** differ.\n"
        "<!-- END SOLUTION -->\n"
        "And then?\n"
        "### BEGIN SOLUTION\n"
        "Wait.\n"
        "### END SOLUTION"
    )
    assert clear_solutions(md, "markdown") == "Why?\nYOUR ANSWER HERE\nAnd then?\nYOUR ANSWER HERE"


@pytest.mark.parametrize(
    ("source", "cell_type", "line", "phrase"),
    [
        ("a = 1\n### BEGIN SOLUTION\nb = 2", "code", 2, "has no matching"),
        ("### END SOLUTION", "code", 1, "without a"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx\n### END SOLUTION", "code", 2, "cannot nest"),
        ("### BEGIN SOLUTION\n\n### END SOLUTION", "code", 3, "is empty"),
        ("## BEGIN SOLUTION\nx = 1\n## END SOLUTION", "code", 1, "looks like a solution marker"),
        ("# begin solution\nx = 1", "code", 1, "looks like a solution marker"),
        ("<!-- BEGIN SOLUTION -->\nx = 1\n<!-- END SOLUTION -->", "code", 1, "looks like a solution marker"),
        ("<!-- BEGIN SOLUTION -->\ntext", "markdown", 1, "has no matching"),
    ],
)
def test_malformed_markers_say_which_line(source, cell_type, line, phrase):
    with pytest.raises(MarkerError) as info:
        clear_solutions(source, cell_type)
    assert info.value.line == line
    assert phrase in str(info.value)


def test_prose_that_mentions_the_end_solution_is_not_a_marker():
    text = "In the end solution quality matters more than speed."
    assert clear_solutions(text, "markdown") == text


# --------------------------------------------------------------------------- notebooks


def test_exercise_notebook_from_solutions():
    nb = solutions(
        new_markdown_cell("# Chapter", id="title"),
        new_code_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            id="ex1",
            execution_count=7,
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="secret 42\n")],
            metadata={"tags": ["exercise"], "ExecuteTime": {"start": "2025-01-01"}, "scrolled": True},
        ),
        new_code_cell("show_answer_plot()", id="extra", metadata={"tags": ["solution-only"]}),
        new_markdown_cell("Explain.\n<!-- BEGIN SOLUTION -->\nIt doubles.\n<!-- END SOLUTION -->", id="ans"),
        new_raw_cell("raw stays", id="raw"),
        kernelspec={"name": "my-env", "display_name": "My env", "language": "python"},
        language_info={"name": "python", "version": "3.11.7"},
        widgets={"state": {}},
    )
    ex = make_exercise(nb, name="07_demo.ipynb")
    assert [c.id for c in ex.cells] == ["title", "ex1", "ans", "raw"]  # solution-only dropped, ids kept
    assert ex.cells[1].source == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert ex.cells[1].outputs == [] and ex.cells[1].execution_count is None
    assert ex.cells[1].metadata == {"tags": ["exercise"]}  # volatile metadata gone, tags kept
    assert ex.cells[2].source == "Explain.\nYOUR ANSWER HERE"
    assert ex.cells[3].source == "raw stays"
    assert ex.metadata["kernelspec"] == KERNELSPEC
    assert ex.metadata["language_info"] == {"name": "python"}
    assert "widgets" not in ex.metadata
    assert ex.metadata["retention_lab"]["generated_from"] == "solutions/07_demo.ipynb"
    text = notebook_bytes(ex).decode()
    for leak in ("return 2 * x", "It doubles", "secret 42", "show_answer_plot", "BEGIN SOLUTION"):
        assert leak not in text
    nbformat.validate(nbformat.reads(text, as_version=4))


def test_malformed_marker_error_names_notebook_and_cell():
    nb = solutions(
        new_markdown_cell("# Title", id="t"),
        new_code_cell("x = 1", id="ok"),
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n", id="broken-cell"),
    )
    with pytest.raises(MarkerError) as info:
        make_exercise(nb, name="05_satisfaction.ipynb")
    err = info.value
    assert (err.notebook, err.cell, err.cell_id, err.line) == ("05_satisfaction.ipynb", 3, "broken-cell", 2)
    assert str(err).startswith("05_satisfaction.ipynb: cell 3 (id 'broken-cell'), line 2: ")


def test_notebook_without_any_solution_region_is_an_error():
    nb = solutions(new_code_cell("x = 1", id="a"))
    with pytest.raises(MarkerError, match="no solution region"):
        make_exercise(nb, name="01_x.ipynb")


def test_missing_and_duplicate_cell_ids_become_positional():
    raw = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["### BEGIN SOLUTION\n", "x = 1\n", "### END SOLUTION"],
                "outputs": [],
                "execution_count": None,
            },
            {"cell_type": "markdown", "id": "dup", "metadata": {}, "source": "a"},
            {"cell_type": "markdown", "id": "dup", "metadata": {}, "source": "b"},
            {"cell_type": "markdown", "id": "bad id!", "metadata": {}, "source": "c"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    ex = make_exercise(raw, name="02_x.ipynb")
    assert [c.id for c in ex.cells] == ["cell-0", "dup", "cell-2", "cell-3"]
    assert ex.nbformat_minor == 5


def test_attachments_used_only_by_the_answer_are_dropped():
    cell = new_markdown_cell(
        "See ![chart](attachment:q.png)\n<!-- BEGIN SOLUTION -->\n![answer](attachment:a.png)\n<!-- END SOLUTION -->",
        id="m",
    )
    cell["attachments"] = {"q.png": {"image/png": "AAAA"}, "a.png": {"image/png": "BBBB"}}
    ex = make_exercise(solutions(cell), name="03_x.ipynb")
    assert set(ex.cells[0].attachments) == {"q.png"}


# --------------------------------------------------------------------------- folders


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder with the demo solutions notebook and one more."""
    (tmp_path / "solutions").mkdir()
    shutil.copy(DEMO, tmp_path / "solutions" / DEMO.name)
    write(
        tmp_path / "solutions",
        "01_small.ipynb",
        solutions(new_code_cell("answer = None\n### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION", id="c")),
    )
    (tmp_path / "solutions" / "README.md").write_text("not a notebook")
    (tmp_path / "solutions" / "scratch.ipynb").write_text("{}")  # not NN_*: ignored
    return tmp_path


def test_build_writes_exercises_and_is_idempotent(course: Path):
    sol, ex = course / "solutions", course / "exercises"
    written = build_exercises(sol, ex)
    assert [p.name for p in written] == ["01_small.ipynb", "99_demo.ipynb"]
    assert sorted(p.name for p in ex.iterdir()) == ["01_small.ipynb", "99_demo.ipynb"]
    assert build_exercises(sol, ex) == []  # second run: nothing to do
    assert build_exercises(sol, ex, check=True) == []


def test_build_is_byte_deterministic_across_runs_and_folders(course: Path, tmp_path_factory):
    build_exercises(course / "solutions", course / "exercises")
    first = (course / "exercises" / "99_demo.ipynb").read_bytes()
    other = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(course / "solutions", other / "solutions")
    build_exercises(other / "solutions", other / "exercises")
    assert (other / "exercises" / "99_demo.ipynb").read_bytes() == first
    # Jupyter's layout: sorted keys at every level, one-space indent, trailing newline.
    data = json.loads(first)
    assert (
        first.decode() == json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": ")) + "\n"
    )
    assert not re.search(rb"\d{4}-\d{2}-\d{2}", first)  # no dates or timestamps


def test_check_mode_reports_stale_missing_and_orphaned_without_writing(course: Path):
    sol, ex = course / "solutions", course / "exercises"
    assert [p.name for p in build_exercises(sol, ex, check=True)] == ["01_small.ipynb", "99_demo.ipynb"]
    assert not ex.exists()  # check mode wrote nothing
    build_exercises(sol, ex)

    stale = ex / "99_demo.ipynb"
    nb = nbformat.read(stale, as_version=4)
    nb.cells[3].source = nb.cells[3].source.replace("# YOUR CODE HERE", "return 0.5  # my answer")
    nbformat.write(nb, stale)
    edited = stale.read_bytes()
    (ex / "42_orphan.ipynb").write_text("{}")
    (ex / "01_small.ipynb").unlink()
    (ex / "README.md").write_text("kept")

    plan = {c.path.name: c.action for c in plan_exercises(sol, ex)}
    assert plan == {"01_small.ipynb": "create", "42_orphan.ipynb": "delete", "99_demo.ipynb": "update"}
    assert [p.name for p in build_exercises(sol, ex, check=True)] == sorted(plan)
    assert stale.read_bytes() == edited  # still untouched

    build_exercises(sol, ex)
    assert sorted(p.name for p in ex.iterdir()) == ["01_small.ipynb", "99_demo.ipynb", "README.md"]
    assert build_exercises(sol, ex, check=True) == []


def test_solution_change_makes_exercise_stale(course: Path):
    sol, ex = course / "solutions", course / "exercises"
    build_exercises(sol, ex)
    nb = nbformat.read(sol / "99_demo.ipynb", as_version=4)
    nb.cells[0].source += "\n\nA new sentence in the introduction."
    nbformat.write(nb, sol / "99_demo.ipynb")
    assert [p.name for p in build_exercises(sol, ex, check=True)] == ["99_demo.ipynb"]


def test_a_malformed_notebook_stops_the_build_before_writing(course: Path):
    write(course / "solutions", "00_broken.ipynb", solutions(new_code_cell("### BEGIN SOLUTION\nx = 1", id="b")))
    with pytest.raises(MarkerError, match=r"00_broken\.ipynb: cell 1 \(id 'b'\), line 1"):
        build_exercises(course / "solutions", course / "exercises")
    assert not (course / "exercises").exists()


def test_empty_solutions_folder_builds_nothing(tmp_path: Path):
    (tmp_path / "solutions").mkdir()
    assert build_exercises(tmp_path / "solutions", tmp_path / "exercises") == []


def test_missing_solutions_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="solutions folder not found"):
        build_exercises(tmp_path / "nope", tmp_path / "exercises")


def test_demo_exercise_cells_are_valid_python_without_answers():
    ex = make_exercise(read_notebook(DEMO), name=DEMO.name)
    code = [c.source for c in ex.cells if c.cell_type == "code"]
    for src in code:
        compile(src, "<cell>", "exec")
    joined = "\n".join(code)
    assert joined.count("raise NotImplementedError()") == 4
    assert "len(repeaters)" not in joined and "3 * 7" not in joined
    assert "assert repeat_rate([2, 2])" not in joined  # the solution-only cell


# --------------------------------------------------------------------------- stripping


def test_strip_clears_outputs_and_is_a_fixed_point_of_the_build(tmp_path: Path):
    nb = solutions(
        new_code_cell(
            "### BEGIN SOLUTION\nprint(1)\n### END SOLUTION",
            id="a",
            execution_count=3,
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")],
        ),
        language_info={"name": "python", "version": "3.11.7"},
    )
    path = write(tmp_path, "01_x.ipynb", nb)
    assert strip_notebooks([tmp_path], check=True) == [path]
    assert strip_notebooks([path]) == [path]
    clean = nbformat.read(path, as_version=4)
    assert clean.cells[0].outputs == [] and clean.cells[0].execution_count is None
    assert clean.cells[0].source == "### BEGIN SOLUTION\nprint(1)\n### END SOLUTION"  # markers kept
    assert strip_notebooks([path], check=True) == []
    # an exercise written by the build is already clean
    build_exercises(tmp_path, tmp_path / "ex")
    assert strip_notebooks([tmp_path / "ex"], check=True) == []


def test_strip_keeps_an_already_clean_notebook_byte_identical():
    assert notebook_bytes(strip_notebook(read_notebook(DEMO))) == DEMO.read_bytes()


# --------------------------------------------------------------------------- CLI


def test_cli_build_check_and_strip(course: Path):
    runner = CliRunner()
    sol, ex = str(course / "solutions"), str(course / "exercises")
    stale = runner.invoke(app, ["build-exercises", "--check", "--solutions", sol, "--exercises", ex])
    assert stale.exit_code == 1
    assert "missing:" in stale.output and "99_demo.ipynb" in stale.output
    built = runner.invoke(app, ["build-exercises", "--solutions", sol, "--exercises", ex])
    assert built.exit_code == 0 and "created" in built.output
    ok = runner.invoke(app, ["build-exercises", "--check", "--solutions", sol, "--exercises", ex])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["strip", "--check", ex]).exit_code == 0


def test_cli_reports_malformed_markers_with_exit_code_2(course: Path):
    write(course / "solutions", "00_broken.ipynb", solutions(new_code_cell("### END SOLUTION", id="z")))
    res = CliRunner().invoke(
        app, ["build-exercises", "--solutions", str(course / "solutions"), "--exercises", str(course / "ex")]
    )
    assert res.exit_code == 2
    assert "00_broken.ipynb: cell 1 (id 'z'), line 1" in res.output


# --------------------------------------------------------------------------- doctests


@pytest.mark.parametrize(
    "module", ["sim.teach", "sim.teach.build", "sim.teach.notebooks", "sim.teach.toc", "sim.cli.teach"]
)
def test_docstring_examples_run(module):
    mod = importlib.import_module(module)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(mod, optionflags=flags, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
