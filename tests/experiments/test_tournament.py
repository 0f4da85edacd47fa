"""The policy tournament (issue 15): ties, disqualification, hidden seeds, invalid YAML, the command.

Ground truth comes from outside the code under test: the paired intervals of the tie rule are
recomputed with scipy from the replications, the seeds are re-derived from the secret with
hashlib as documented and re-run with ``sim.run``, breaches are recounted from the replications.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

import sim
import sim.experiments.engines as engines
import sim.experiments.tournament as tmod
from sim.cli import app
from sim.errors import ConfigError
from sim.experiments import replication_seeds
from sim.experiments.tournament import (
    Constraints,
    load_constraints,
    parse_objective,
    read_submissions,
    tournament,
    verify_tournament,
)

PRESETS = Path(sim.config.policy.PRESET_DIR)
BIG = dict(replications=4, customers=300, days=200, engine="local", progress=False)
TINY = dict(replications=3, customers=200, days=120, engine="local", progress=False)
SECRET = "tournament test secret: 6b1f0c2e9a"
runner = CliRunner()


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _teams(root: Path, pwned: Path) -> Path:
    d = root / "teams"
    _write(d / "plain.yaml", "name: plain\n")  # does nothing: the clearly better policy here
    _write(d / "desk_a.yaml", "name: desk_a\nservice: {extra_agents: 2}\n")
    _write(d / "desk_b" / "policy.yaml", "name: desk_b\ndescription: a copy of desk_a\nservice: {extra_agents: 2}\n")
    _write(d / "desk_b" / "notes.md", "our reasoning")  # ignored: only policy.yaml counts
    _write(d / "desk_big.yaml", "name: desk_big\nservice: {extra_agents: 6}\n")
    _write(d / "spray.yaml", (PRESETS / "spray_and_pray.yaml").read_text(encoding="utf-8"))
    # invalid submissions
    _write(d / "syntax.yaml", "name: [unclosed\n")
    _write(d / "unknown.yaml", "name: unknown\nservice: {extra_agents: 1}\nfoo: 1\n")
    _write(d / "evil.yaml", f'!!python/object/apply:os.system ["touch {pwned}"]\n')
    _write(d / "empty.yaml", "")
    _write(d / "binary.yaml", bytes(range(256)) * 4)
    (d / "link.yaml").symlink_to(d / "plain.yaml")
    (d / "nopolicy").mkdir()
    _write(d / "nopolicy" / "policy.txt", "name: x\n")
    _write(d / "twin.yaml", "name: twin\n")
    _write(d / "twin" / "policy.yaml", "name: twin\n")
    _write(d / "notes.txt", "we forgot the YAML")
    _write(d / "README.md", "instructions for the teams")  # skipped
    _write(d / ".DS_Store", b"\x00\x01")  # skipped
    return d


INVALID = {
    "syntax": "not valid YAML",
    "unknown": "foo: unknown key",
    "evil": "python/object/apply",
    "empty": "is empty",
    "binary": "not UTF-8",
    "link": "symbolic link",
    "nopolicy": "has no policy.yaml",
    "twin": "duplicate team name",
    "notes": "not a policy",
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("tournament")
    pwned = root / "pwned"
    teams = _teams(root, pwned)
    secret = _write(root / "secret.txt", SECRET)
    t = tournament(teams, "baseline", secret, constraints={"compliance_incidents": 0}, **BIG)
    return {"root": root, "teams": teams, "secret": secret, "t": t, "pwned": pwned}


def _row(t, team: str) -> pd.Series:
    lb = t.leaderboard
    return lb[lb["team"] == team].iloc[0]


# --------------------------------------------------------------------------- ties
def test_identical_policies_tie_and_a_clearly_better_policy_ranks_alone(setup):
    t = setup["t"]
    a, b, best, big = (_row(t, n) for n in ("desk_a", "desk_b", "plain", "desk_big"))
    # desk_a and desk_b are the same policy under two names (one a file, one a folder)
    assert a["rank_label"] == b["rank_label"] and a["rank_label"].startswith("=")
    assert a["tied"] and b["tied"] and a["mean"] == b["mean"]
    # plain costs two agents less every day than desk_a: it is better in every replication
    r = t.replications.pivot(index="replication", columns="team", values="profit")
    assert (r["plain"] > r["desk_a"]).all()
    assert best["rank_label"] == "1" and not best["tied"]
    assert (t.leaderboard["rank"] == 1).sum() == 1
    # competition ranking: the pair shares rank 2, the next group is 4
    assert a["rank"] == 2 and big["rank"] == 4 and big["rank_label"] == "4"
    assert list(t.ranked["team"]) == ["plain", "desk_a", "desk_b", "desk_big"]


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")  # scipy, on near-constant differences
def test_tie_rule_matches_paired_intervals_recomputed_with_scipy(setup):
    """Each ranked team is tied with its group's best iff scipy's paired CI of the difference contains 0."""
    t = setup["t"]
    r = t.replications.pivot(index="replication", columns="team", values=t.objective)
    ranked = t.ranked
    for row in ranked.itertuples():
        if row.group_best == row.team:
            continue
        d = (r[row.team] - r[row.group_best]).to_numpy()
        if np.ptp(d) == 0:
            lo = hi = float(d[0])
        else:
            ci = stats.ttest_1samp(d, 0.0).confidence_interval(t.confidence)
            lo, hi = float(ci.low), float(ci.high)
        assert lo <= 0 <= hi, row.team
        assert row.gap_ci_low == pytest.approx(lo) and row.gap_ci_high == pytest.approx(hi)
    # each group opened after the first is separated from the previous group's best
    bests = list(dict.fromkeys(ranked["group_best"]))
    for prev, nxt in itertools.pairwise(bests):
        d = (r[nxt] - r[prev]).to_numpy()
        ci = stats.ttest_1samp(d, 0.0).confidence_interval(t.confidence)
        assert not (ci.low <= 0 <= ci.high), (prev, nxt)


def test_paired_difference_to_baseline_is_the_scipy_paired_interval(setup):
    t = setup["t"]
    r = t.replications.pivot(index="replication", columns="team", values="profit")
    row = _row(t, "desk_big")
    ci = stats.ttest_rel(r["desk_big"], r[t.baseline]).confidence_interval(t.confidence)
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((ci.low, ci.high))


@pytest.mark.timeout(120)
def test_a_policys_name_and_description_change_no_number():
    """Teams with the same policy share its runs: sound only if the name changes nothing."""
    seed = replication_seeds(3, 1)[0]
    runs = [
        engines.run_task(
            {
                "arm": n,
                "replication": 0,
                "seed": seed,
                "scenario": sim.Scenario.load("baseline").to_dict(),
                "policy": sim.Policy.load("vip_care").updated({"name": n, "description": n * 3}).to_dict(),
                "customers": 200,
                "days": 120,
                "kpis": None,
            }
        )
        for n in ("one", "two")
    ]
    assert {k: v for k, v in runs[0].items() if k != "arm"} == pytest.approx(
        {k: v for k, v in runs[1].items() if k != "arm"}, nan_ok=True
    )


# --------------------------------------------------------------------------- disqualification
def test_a_non_consent_policy_is_disqualified_with_the_reason(setup):
    t = setup["t"]
    row = _row(t, "spray")
    incidents = t.replications.loc[t.replications["team"] == "spray", "compliance_incidents"]
    assert (incidents > 0).sum() > 0  # ground truth: it contacts customers without consent
    assert row["status"] == "disqualified" and row["rank_label"] == "DQ" and pd.isna(row["rank"])
    assert (
        "compliance_incidents" in row["reason"] and f"in {(incidents > 0).sum()} of {len(incidents)}" in row["reason"]
    )
    assert row["compliance_incidents_max"] == incidents.max()
    # ranked teams first, then the baseline, then the disqualified, then the invalid
    order = list(t.leaderboard["status"])
    assert order == sorted(order, key=["ranked", "baseline", "disqualified", "invalid"].index)
    for team in t.ranked["team"]:
        assert t.replications.loc[t.replications["team"] == team, "compliance_incidents"].max() == 0


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Two teams, a budget of 1 CNY: every team that spends on retention is disqualified."""
    root = tmp_path_factory.mktemp("small")
    teams = root / "teams"
    _write(teams / "plain.yaml", "name: plain\n")
    _write(teams / "vip.yaml", (PRESETS / "vip_care.yaml").read_text(encoding="utf-8"))
    a = _write(root / "a.txt", "first secret, long enough: 1f9a")
    b = _write(root / "b.txt", "second secret, long enough: 77c0")
    kw = dict(constraints={"budget": 1.0}, **TINY)
    return {
        "root": root,
        "teams": teams,
        "a": a,
        "b": b,
        "ta": tournament(teams, "baseline", a, **kw),
        "ta2": tournament(teams, "baseline", a, **kw),
        "tb": tournament(teams, "baseline", b, **kw),
    }


def test_a_budget_breach_disqualifies_exactly_the_teams_over_budget(small):
    t = small["ta"]
    cost = t.replications.groupby("team")["retention_cost"].mean()
    assert cost["vip"] > 1.0 and cost["plain"] <= 1.0
    vip = _row(t, "vip")
    assert vip["status"] == "disqualified" and "retention_cost mean" in vip["reason"] and "budget" in vip["reason"]
    assert f"{cost['vip']:,.0f}" in vip["reason"]
    assert _row(t, "plain")["status"] == "ranked"


# --------------------------------------------------------------------------- hidden seeds
def _seeds(secret: Path, n: int) -> list[int]:
    """The documented derivation, recomputed here."""
    h = hashlib.sha256(b"retention-lab tournament seeds v1\x00" + secret.read_bytes()).digest()
    return replication_seeds(int.from_bytes(h[:8], "big") >> 1, n)


def test_same_secret_same_leaderboard_other_secret_other_numbers(small):
    pd.testing.assert_frame_equal(small["ta"].leaderboard, small["ta2"].leaderboard)
    pd.testing.assert_frame_equal(small["ta"].replications, small["ta2"].replications)
    a, b = small["ta"].replications, small["tb"].replications
    assert not np.allclose(a["profit"].to_numpy(), b["profit"].to_numpy())


@pytest.mark.timeout(120)
def test_the_seeds_come_from_the_secret_and_appear_in_no_output(small, tmp_path):
    t = small["ta"]
    seeds = _seeds(small["a"], t.n_replications)
    # ground truth: replication 0 of the vip team is sim.run on the first derived seed
    res = sim.run("baseline", sim.Policy.load(small["teams"] / "vip.yaml"), customers=200, days=120, seed=seeds[0])
    got = t.replications[(t.replications["team"] == "vip") & (t.replications["replication"] == 0)].iloc[0]
    assert got["profit"] == pytest.approx(float(res.kpis()["profit"]))
    assert "seed" not in t.replications.columns and "seed" not in t.leaderboard.columns
    out = t.to_dir(tmp_path / "board")
    verify_tournament(out)
    h = hashlib.sha256(b"retention-lab tournament seeds v1\x00" + small["a"].read_bytes()).digest()
    master = int.from_bytes(h[:8], "big") >> 1
    needles = [str(s) for s in seeds] + [f"{s:x}" for s in seeds] + [str(master), f"{master:x}", h.hex()[:16]]
    needles.append(small["a"].read_text())
    files = sorted(out.iterdir())
    assert {f.name for f in files} == {
        "leaderboard.csv",
        "leaderboard.html",
        "replications.csv",
        "tournament.json",
        "MANIFEST.json",
    }
    for f in files:
        text = f.read_text(encoding="utf-8")
        for needle in needles:
            assert needle not in text, (f.name, needle)
    assert not any(needle in repr(t) for needle in needles)


def test_a_missing_or_empty_secret_is_a_clear_error(small, tmp_path):
    blank = _write(tmp_path / "blank.txt", "  \n")
    cases = {
        tmp_path / "nope.txt": "does not exist",
        tmp_path / "e.txt": "is empty",
        blank: "is empty",
        tmp_path: "not a file",
    }
    _write(tmp_path / "e.txt", "")
    for path, words in cases.items():
        with pytest.raises(ConfigError, match=words):
            tournament(small["teams"], "baseline", path, **TINY)


# --------------------------------------------------------------------------- invalid submissions
def test_invalid_submissions_are_rows_with_one_line_reasons_and_the_rest_still_ranks(setup):
    t = setup["t"]
    lb = t.leaderboard
    for team, words in INVALID.items():
        for row in lb[lb["team"] == team].itertuples():
            assert row.status == "invalid" and row.rank_label == "invalid", team
            assert words in row.reason and "\n" not in row.reason and len(row.reason) <= 401, (team, row.reason)
    assert "README" not in " ".join(lb["team"]) and ".DS_Store" not in " ".join(lb["team"])
    twins = lb[lb["team"] == "twin"].set_index("file")["reason"]  # both copies listed, each naming the other
    assert sorted(twins.index) == ["twin.yaml", "twin/policy.yaml"]
    assert twins["twin.yaml"].endswith("twin/policy.yaml") and twins["twin/policy.yaml"].endswith("as twin.yaml")
    assert len(t.ranked) == 4  # plain, desk_a, desk_b, desk_big
    assert list(t.leaderboard["status"])[-len(INVALID) - 1 :] == ["invalid"] * (len(INVALID) + 1)  # twin twice
    assert not setup["pwned"].exists()  # the python tag was never executed


def test_submission_rules(tmp_path):
    _write(tmp_path / "ok.yml", "name: ok\n")
    _write(tmp_path / "Ok.yaml", "name: ok2\n")  # differs only in case: a duplicate
    _write(tmp_path / "big.yaml", "description: '" + "x" * (tmod.MAX_POLICY_BYTES + 1) + "'\n")
    _write(tmp_path / "list.yaml", "- 1\n- 2\n")
    _write(tmp_path / "comments.yaml", "# nothing here\n")
    _write(tmp_path / "bad name!.yaml", "name: x\n")
    subs = {s.file: s for s in read_submissions(tmp_path)}
    assert "duplicate team name" in subs["ok.yml"].error and "duplicate team name" in subs["Ok.yaml"].error
    assert "too large" in subs["big.yaml"].error
    assert "expected a mapping" in subs["list.yaml"].error
    assert "holds no policy" in subs["comments.yaml"].error
    assert "team name" in subs["bad name!.yaml"].error
    with pytest.raises(ConfigError, match="does not exist"):
        read_submissions(tmp_path / "missing")
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(ConfigError, match="holds no submission"):
        read_submissions(empty)


@pytest.mark.timeout(120)
def test_a_policy_the_simulator_refuses_is_listed_and_the_others_still_rank(tmp_path, monkeypatch):
    teams = tmp_path / "teams"
    _write(teams / "plain.yaml", "name: plain\n")
    _write(teams / "crashy.yaml", "name: crashy\nservice: {extra_agents: 1}\n")
    _write(tmp_path / "s.txt", SECRET)
    real = engines.run_task

    def run_task(task):
        if task["policy"] is not None and task["policy"]["name"] == "crashy":
            raise ConfigError("referrals run away at day 3.0")
        return real(task)

    monkeypatch.setattr(engines, "run_task", run_task)
    t = tournament(
        teams, "baseline", tmp_path / "s.txt", replications=2, customers=100, days=60, engine="local", progress=False
    )
    row = _row(t, "crashy")
    assert row["status"] == "invalid" and "simulator refused" in row["reason"] and "run away" in row["reason"]
    assert _row(t, "plain")["status"] == "ranked"


# --------------------------------------------------------------------------- objective and constraints
def test_objective_direction_orders_the_teams(tmp_path):
    teams = tmp_path / "teams"
    _write(teams / "plain.yaml", "name: plain\n")
    _write(teams / "desk.yaml", "name: desk\nservice: {extra_agents: 2}\n")
    _write(tmp_path / "s.txt", SECRET)
    kw = dict(replications=2, customers=100, days=60, engine="local", progress=False)
    lo = tournament(teams, "baseline", tmp_path / "s.txt", objective="-service_cost", **kw)
    hi = tournament(teams, "baseline", tmp_path / "s.txt", objective="service_cost", **kw)
    cost = lo.replications.groupby("team")["service_cost"].mean()
    assert cost["desk"] > cost["plain"]
    assert list(lo.ranked["team"]) == ["plain", "desk"] and list(hi.ranked["team"]) == ["desk", "plain"]
    assert lo.objective_label == "service_cost (minimised)"


def test_objective_and_constraint_errors():
    assert parse_objective(" -nps ") == ("nps", -1)
    for bad in ("profits", "", "-", "seed"):
        with pytest.raises(ConfigError, match="objective"):
            parse_objective(bad)
    with pytest.raises(ConfigError, match="unknown key"):
        load_constraints({"budgt": 1})
    with pytest.raises(ConfigError, match="unknown KPI"):
        load_constraints({"max": {"profitt": 1}})
    with pytest.raises(ConfigError, match="budget"):
        load_constraints({"budget": -5})
    c = Constraints(nps_min=10, max={"mean_wait_h": 24})
    runs = pd.DataFrame({"nps": [5.0, 12.0], "mean_wait_h": [30.0, 20.0]})
    why = c.breaches(runs)
    assert len(why) == 2 and why[0].startswith("nps mean 8.5") and "mean_wait_h" in why[1]
    assert Constraints(nps_min=0).breaches(pd.DataFrame({"nps": [np.nan, np.nan]}))[0].startswith("nps could not")


# --------------------------------------------------------------------------- the command
def test_cli_writes_the_leaderboard_and_exits_0(small, tmp_path):
    cons = _write(tmp_path / "c.yaml", "budget: 1.0\n")
    out = tmp_path / "board"
    argv = [
        "tournament",
        str(small["teams"]),
        "--scenario",
        "baseline",
        "--seeds-secret",
        str(small["a"]),
        "--out",
        str(out),
    ]
    argv += ["-r", "3", "-c", "200", "-d", "120", "--engine", "local", "--constraints", str(cons)]
    r = runner.invoke(app, argv)
    assert r.exit_code == 0, r.output
    assert "vip" in r.stdout and "DQ" in r.stdout and "seed hidden" in r.stdout
    verify_tournament(out)
    board = pd.read_csv(out / "leaderboard.csv")
    # the same numbers as the library call with the same secret
    assert board["mean"].to_numpy() == pytest.approx(small["ta"].leaderboard["mean"].to_numpy(), nan_ok=True)
    for seed in _seeds(small["a"], 3):
        assert str(seed) not in r.output


def test_cli_errors_are_one_line_with_status_2(small, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the work started although the input was bad")

    a_file = _write(tmp_path / "file.txt", "x")
    base = ["tournament", str(small["teams"]), "--scenario", "baseline", "-r", "2", "-c", "100", "-d", "30"]
    cases = [
        (base + ["--seeds-secret", str(tmp_path / "none.txt")], "does not exist"),
        (base + ["--seeds-secret", str(_write(tmp_path / "e.txt", ""))], "is empty"),
        (base, "--seeds-secret"),
        (base + ["--seeds-secret", str(small["a"]), "--objective", "profits"], "objective"),
        (base + ["--seeds-secret", str(small["a"]), "--constraints", str(tmp_path / "c.yaml")], "constraints file"),
        (base + ["--seeds-secret", str(small["a"]), "--scenario", "nope"], "unknown scenario"),
        (["tournament", str(tmp_path / "no_teams"), "--seeds-secret", str(small["a"])], "teams folder"),
        (base + ["--seeds-secret", str(small["a"]), "-r", "1"], "replications"),
    ]
    for argv, words in cases:
        r = runner.invoke(app, argv)
        assert r.exit_code == 2, (argv, r.output)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], (argv, r.stderr)
    monkeypatch.setattr(tmod, "tournament", boom)
    r = runner.invoke(app, base + ["--seeds-secret", str(small["a"]), "--out", str(a_file)])
    assert r.exit_code == 2 and "--out" in r.stderr  # checked before any work


@pytest.mark.interrupts
@pytest.mark.timeout(180)
def test_ctrl_c_during_a_tournament_exits_130_and_writes_nothing(small, tmp_path):
    """Ctrl-C in a terminal reaches the whole foreground process group.

    The local engine: with the process engine the pool's shutdown waits for the chunks already
    queued before the interrupt surfaces (sim.experiments.engines; see the lead's notes).
    """
    argv = [sys.executable, "-m", "sim", "tournament", str(small["teams"]), "--seeds-secret", str(small["a"])]
    argv += ["-r", "40", "-c", "20000", "--engine", "local", "--out", "board"]
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        time.sleep(6.0)  # importing, starting the workers, simulating: far from done
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted — nothing was written", stderr
    assert list(tmp_path.iterdir()) == []
