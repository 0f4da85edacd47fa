"""``retention-lab optimize`` (issue 14, OPTIMIZE): the files it writes, its errors, its flags."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim._atomic import verify_dir
from sim.cli import app
from sim.cli.optimize import read_space
from sim.errors import ConfigError
from sim.experiments.optimize import optimization_files

SPACE = """\
budget.amount_per_period: {low: 2000, high: 40000}
contacts.0.interval_days: {low: 7, high: 91, scale: int}
contacts.1.channel: [email, sms]
budget.split: simplex
"""
SMALL = ["--trials", "3", "-r", "2", "--fresh-replications", "2", "--finalists", "1", "-c", "120", "-d", "60"]


@pytest.fixture()
def space(tmp_path: Path) -> Path:
    p = tmp_path / "space.yaml"
    p.write_text(SPACE)
    return p


def test_writes_trials_finalists_policy_and_summary_atomically(tmp_path, space):
    out = tmp_path / "opt"
    r = CliRunner().invoke(app, ["optimize", "baseline", "vip_care", "--space", str(space), *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "verdict:" in r.stdout and "finalists re-run on 2 fresh seeds" in r.stdout
    manifest = verify_dir(out, "experiment", expect=optimization_files())
    assert set(manifest["files"]) == set(optimization_files())
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 3
    shares = trials[["budget.split.high_value", "budget.split.wakeup", "budget.split.reserve"]].sum(axis=1)
    assert shares.round(9).eq(1.0).all()
    fin = pd.read_csv(out / "finalists.csv")
    assert fin["candidate"].iloc[0] == "start" and fin["winner"].sum() == 1
    best = sim.Policy.load(out / "best_policy.yaml")  # the winner loads as a policy
    win = fin[fin["winner"]].iloc[0]
    assert best.budget.amount_per_period == pytest.approx(win["budget.amount_per_period"])
    assert best.contacts[0].interval_days == win["contacts.0.interval_days"]
    meta = json.loads((out / "optimization.json").read_text())
    assert meta["settings"]["trials"] == 3 and meta["objective"] == "profit"
    assert "verdict" in (out / "summary.md").read_text()
    # the same command again replaces the folder with identical tables (same seed)
    r2 = CliRunner().invoke(app, ["optimize", "baseline", "vip_care", "--space", str(space), *SMALL, "--out", str(out)])
    assert r2.exit_code == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "trials.csv"), trials)


def test_a_constraints_file_is_applied(tmp_path, space):
    c = tmp_path / "c.yaml"
    c.write_text("budget: 1\n")  # no policy with contacts spends less than 1 CNY
    r = CliRunner().invoke(
        app, ["optimize", "baseline", "vip_care", "--space", str(space), *SMALL, "--constraints", str(c)]
    )
    assert r.exit_code == 0, r.output
    assert "0 feasible, 3 infeasible" in r.stdout and "no feasible trial" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --space FILE"),
        (["--space", "missing.yaml"], "does not exist"),
        (["--space", "{space}", "--objective", "profits"], "objective='profits'"),
        (["--space", "{bad}"], "space['desk.agents'] = 'lots' is not allowed"),
        (["--space", "{space}", "--trials", "0"], "trials=0"),
        (["--space", "{space}", "--fresh-replications", "1"], "fresh_replications=1"),
        (["--space", "{space}", "--engine", "gpu"], "engine='gpu' is not allowed"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, space, args, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text("desk.agents: lots\n")
    args = [a.format(space=space, bad=bad) for a in args]
    r = CliRunner().invoke(app, ["optimize", "baseline", "vip_care", "-c", "100", "-d", "30", "--trials", "2", *args])
    assert r.exit_code == 2, r.output
    assert message in " ".join(r.stderr.split())


def test_read_space_refuses_a_non_mapping(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("- budget.amount_per_period\n")
    with pytest.raises(ConfigError, match="non-empty mapping"):
        read_space(p)


def test_help_lists_the_options():
    r = CliRunner().invoke(app, ["optimize", "--help"])
    assert r.exit_code == 0
    for flag in ("--space", "--trials", "--fresh-replications", "--finalists", "--constraints", "--out"):
        assert flag in r.stdout


def test_ctrl_c_writes_the_trials_so_far(tmp_path, space, monkeypatch):
    """Ctrl-C during the search: status 130, and with --out the finished trials are written (no winner)."""
    import sim.experiments.optimize as omod
    from sim.experiments.optimize_core import search
    from sim.experiments.optimize_result import OptimizationInterrupted
    from sim.experiments.optimize_space import Space

    def stop(info):
        if info["done"] == 2:
            raise KeyboardInterrupt

    def ev(arms, seeds):
        return [[{"profit": a["x"]} for _ in seeds] for a in arms]

    with pytest.raises(OptimizationInterrupted) as exc:
        search(Space.parse({"x": (0.0, 1.0)}, resolve=False), ev, start={"x": 0.0}, trials=5, progress=stop)
    partial = exc.value

    def fake_optimize(*args, **kwargs):
        raise partial

    monkeypatch.setattr(omod, "optimize", fake_optimize)
    out = tmp_path / "opt"
    r = CliRunner().invoke(app, ["optimize", "baseline", "vip_care", "--space", str(space), "--out", str(out)])
    assert r.exit_code == 130, r.output
    assert "the 2 trials so far were written" in " ".join(r.stderr.split())
    verify_dir(out, "experiment", expect=optimization_files())
    assert len(pd.read_csv(out / "trials.csv")) == 2
    assert json.loads((out / "optimization.json").read_text())["interrupted"] is True
    assert (out / "best_policy.yaml").read_text().startswith("# no winner")
