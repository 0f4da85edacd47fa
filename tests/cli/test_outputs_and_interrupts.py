"""--out is checked before any work; user errors are one line, status 2; Ctrl-C says what it left (issue 10, item 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
import sim.experiments
import sim.runner
from sim._atomic import verify_dir
from sim.cli import app

runner = CliRunner()
SMALL = ["--customers", "200", "--days", "30", "--seed", "1"]


@pytest.fixture
def no_work(monkeypatch):
    """Any simulation or experiment started by the command fails the test: the check must come first."""

    def boom(*a, **k):
        raise AssertionError("the work started although --out was bad")

    monkeypatch.setattr(sim.runner, "run", boom)
    monkeypatch.setattr(sim.experiments, "compare", boom)
    monkeypatch.setattr(sim.experiments, "sweep", boom)


def _bad_targets(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    return {
        "empty": "",
        "blank": "  ",
        "file": str(a_file),
        "foreign folder": str(foreign),
        "under a file": str(a_file / "sub"),
        "unwritable": "/proc/retention-lab-test/out",  # not writable, even for root
    }


@pytest.mark.parametrize(
    "command",
    [
        ["run", *SMALL],
        ["compare", "-p", "none", "-p", "vip_care", "-r", "2", *SMALL],
        ["sweep", "-g", "desk.agents=1,2", "-r", "2", *SMALL],
    ],
    ids=["run", "compare", "sweep"],
)
def test_bad_out_is_refused_before_the_work_in_one_line(tmp_path, no_work, command):
    for what, out in _bad_targets(tmp_path).items():
        r = runner.invoke(app, [*command, "--out", out])
        assert r.exit_code == 2, (what, r.output, r.exception)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --out"), (what, r.stderr)
        assert r.stdout == "" and "Traceback" not in r.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == ["cat.jpg"]
    assert not list(Path.cwd().glob("*.parquet.tmp*"))


def test_dictionary_and_datasets_refuse_bad_out(tmp_path):
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    for argv in (
        ["dictionary", "--out", ""],
        ["dictionary", "--out", str(tmp_path)],  # a folder, not a file
        ["dictionary", "--out", str(tmp_path / "f.txt" / "DD.md")],
        ["datasets", "build", "--out", ""],
        ["datasets", "build", "--out", str(tmp_path / "f.txt")],
    ):
        r = runner.invoke(app, argv)
        assert r.exit_code == 2, (argv, r.output)
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: --out"), (argv, r.stderr)
    assert (tmp_path / "f.txt").read_text(encoding="utf-8") == "x"


def test_a_previous_result_is_replaced_whole(tmp_path):
    out = tmp_path / "r"
    assert runner.invoke(app, ["run", *SMALL, "--out", str(out)]).exit_code == 0
    r = runner.invoke(app, ["run", "--customers", "150", "--days", "30", "--seed", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    verify_dir(out, "result")
    back = sim.Result.from_dir(out)
    assert back.seed == 2 and back.orders.equals(sim.run("baseline", customers=150, days=30, seed=2).orders)


def test_bad_config_values_are_one_line_status_2(tmp_path):
    for argv in (["run", "-c", "0"], ["run", "--days", "-5"], ["run", "-s", "no_such_world"], ["compare", "-p", "x"]):
        r = runner.invoke(app, argv)
        assert r.exit_code == 2, (argv, r.output)
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: "), (argv, r.stderr)


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(sim.__file__).parents[1])},
        # a shell may start background jobs with SIGINT ignored; Ctrl-C must reach the command
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.interrupts
@pytest.mark.timeout(180)
def test_ctrl_c_during_a_run_exits_130_and_leaves_the_old_result(tmp_path):
    out = tmp_path / "r"
    assert runner.invoke(app, ["run", *SMALL, "--out", str(out)]).exit_code == 0
    before = verify_dir(out, "result")["files"]
    proc = _start(["run", "--customers", "200000", "--days", "730", "--out", str(out)], tmp_path)
    time.sleep(3.0)  # importing and simulating: far from done (the run takes over 30 s)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted — nothing was written", stderr
    assert "Traceback" not in stderr and stdout == ""
    assert verify_dir(out, "result")["files"] == before  # the old result, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no temporary folder left


@pytest.mark.interrupts
@pytest.mark.timeout(180)
def test_ctrl_c_during_a_compare_exits_130(tmp_path):
    proc = _start(["compare", "-p", "none", "-p", "vip_care", "-r", "50", "-c", "20000", "--out", "c"], tmp_path)
    time.sleep(3.0)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and stderr.strip().splitlines()[-1] == "interrupted — nothing was written", stderr
    assert list(tmp_path.iterdir()) == []
