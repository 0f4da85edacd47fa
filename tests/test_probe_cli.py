"""Malformed input on every ``retention-lab`` command (issue 10 follow-up, the probe).

A user error prints one line ``error: ...`` on stderr and exits with status 2 — before any
simulation runs and without touching what is there; never a Python traceback. Cases found by
the probe: NUL bytes and over-long names in ``--out``, a device or pipe as ``dictionary --out``
(a root user's ``dictionary --out /dev/null`` replaced the device with a regular file), a
binary file or a folder for ``dictionary --check``, integers of thousands of digits and 10**6
points in ``--grid``, a file as ``datasets build --check --out``, unreadable notebooks and course
indexes for ``teach``.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

SMALL = ["-c", "20", "-d", "10"]


def _one_error_line(args: list[str]) -> str:
    r = CliRunner().invoke(app, args)
    assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit), repr(r.exception)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.exit_code == 2, (r.exit_code, r.stderr[-300:], r.stdout[-300:])
    assert len(lines) == 1 and lines[0].startswith("error:"), lines
    assert "Traceback" not in r.stdout + r.stderr
    return lines[0]


OUT_COMMANDS = {
    "run": ["run", *SMALL],
    "compare": ["compare", "-p", "do_nothing", "-r", "1", *SMALL],
    "sweep": ["sweep", "-g", "desk.agents=1", "-r", "1", *SMALL],
    "dictionary": ["dictionary"],
    "datasets build": ["datasets", "build"],
}


@pytest.mark.parametrize("out", ["a\x00b", "y" * 5000, "y" * 200 + "/" + "z" * 300], ids=["NUL", "long", "long part"])
@pytest.mark.parametrize("command", list(OUT_COMMANDS))
def test_an_impossible_out_path_is_one_line(command: str, out: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _one_error_line([*OUT_COMMANDS[command], "--out", out])
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_dictionary_never_replaces_a_pipe_or_device(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert "not a regular file" in _one_error_line(["dictionary", "--out", str(pipe)])
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


@pytest.mark.parametrize("case", ["folder", "binary"])
def test_dictionary_check_of_something_that_is_not_its_file(case: str, tmp_path: Path) -> None:
    target = tmp_path
    if case == "binary":
        target = tmp_path / "dict.md"
        target.write_bytes(bytes(range(256)))
    _one_error_line(["dictionary", "--out", str(target), "--check"])


@pytest.mark.parametrize(
    "grid",
    [
        ["desk.agents=" + "9" * 5000],
        [
            "desk.agents=" + ",".join(map(str, range(1, 101))),
            "-g",
            "horizon_days=" + ",".join(map(str, range(1, 101))),
            "-g",
            "population.customers=" + ",".join(map(str, range(1, 101))),
        ],
        ["desk.agents="],
        ["=1"],
        ["desk.agents=1,,2"],
        ["desk.agents=x"],
        ["nope.field=1"],
        ["desk.agents=nan"],
        ["desk.agents=[1,2]"],
        ["desk.agents=!!python/object:os.system"],
        ["desk.agents=1", "-g", "desk.agents=2"],
    ],
    ids=["5000 digits", "10**6 points", "a=", "=1", "a=1,,2", "a=x", "unknown", "nan", "list", "python tag", "twice"],
)
@pytest.mark.timeout(60)
def test_malformed_grids(grid: list[str]) -> None:
    _one_error_line(["sweep", "-g", *grid, "-r", "1", *SMALL])


def test_datasets_check_of_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert "not a folder" in _one_error_line(["datasets", "build", "--check", "--out", str(tmp_path / "f")])


@pytest.mark.parametrize(
    "content",
    [
        b"{oops",
        bytes(range(256)),
        json.dumps({"cells": [1], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
    ],
    ids=["not JSON", "binary", "cell a number"],
)
@pytest.mark.parametrize("command", ["build-exercises", "strip"])
def test_teach_on_a_malformed_notebook(command: str, content: bytes, tmp_path: Path) -> None:
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "01_x.ipynb").write_bytes(content)
    args = (
        [
            "teach",
            "build-exercises",
            "--solutions",
            str(tmp_path / "sol"),
            "--exercises",
            str(tmp_path / "ex"),
            "--check",
        ]
        if command == "build-exercises"
        else ["teach", "strip", str(tmp_path / "sol"), "--check"]
    )
    assert "01_x.ipynb" in _one_error_line(args)


@pytest.mark.parametrize("case", ["binary", "folder", "missing"])
def test_teach_toc_on_an_unreadable_index(case: str, tmp_path: Path) -> None:
    path = {"folder": tmp_path, "missing": tmp_path / "nope.md"}.get(case, tmp_path / "README.md")
    if case == "binary":
        path.write_bytes(bytes(range(256)))
    _one_error_line(["teach", "toc", "--readme", str(path), "--check"])


@pytest.mark.parametrize(
    "value", ["x" * 5000, "a.yaml\x00", "../policies/vip_care"], ids=["long name", "NUL", "other kind's preset"]
)
def test_scenario_names_that_are_no_preset(value: str) -> None:
    _one_error_line(["run", "--scenario", value, *SMALL])


@pytest.mark.parametrize(
    "content", [b"name: a\x00\n", bytes(range(256)), b"- 1\n", b""], ids=["NUL", "binary", "list", "empty"]
)
def test_policy_files_that_are_no_policy(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    _one_error_line(["compare", "-p", "do_nothing", "-p", str(path), "-r", "1", *SMALL])


@pytest.mark.timeout(120)
def test_a_real_process_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    """The installed entry point (not the test runner) on a NUL path and an unreachable scheduler."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for args in (
        ["run", *SMALL, "--out", "y" * 5000],
        ["compare", "-p", "do_nothing", "-r", "1", *SMALL, "-e", "dask", "--address", "nowhere"],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "sim", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100
        )
        lines = [line for line in r.stderr.splitlines() if line.strip()]
        assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:"), (r.returncode, r.stderr[-400:])
