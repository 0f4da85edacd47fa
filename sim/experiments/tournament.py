"""Policy tournament: teams submit policy YAML, every policy runs on the same hidden seeds, a leaderboard.

:func:`tournament` reads a folder of team submissions, runs every valid policy and a baseline
on the same replication seeds (common random numbers, through the engines of
:func:`~sim.experiments.compare`), scores each team on one KPI under declared constraints and
ranks the teams in **groups**: teams that cannot be told apart from the best team of their group
share its rank ("=2") instead of being ordered by noise.

Submissions (``TEAMS/``)
    One ``<team>.yaml`` or ``<team>/policy.yaml`` per team, read with the safe YAML loader and
    validated; **no code is ever executed**, and an invalid submission becomes a leaderboard row
    with its one-line reason (:mod:`sim.experiments.submissions`). A policy that validates but
    stops the simulator with an error is listed the same way.

Hidden seeds
    The replication seeds come from the bytes of a secret file the teams never see: the master
    seed is the first 8 bytes of ``SHA-256(b"retention-lab tournament seeds v1\\0" + content)``
    (big-endian, shifted right by one bit to fit a seed), replication ``k`` uses
    ``replication_seeds(master, n)[k]`` in every arm. The same secret gives the same leaderboard;
    no seed, nor the secret, nor a hash of it, is written to any output or shown in a
    :class:`Tournament`. Use a long random secret (``python -c "import secrets;
    print(secrets.token_hex(32))" > secret.txt``): a guessable one makes the seeds guessable.

Objective, constraints, ranking
    A KPI to maximise (``"-kpi"`` minimises) under constraints that disqualify with the reason
    (:mod:`sim.experiments.constraints`); the qualified teams are ranked in groups of ties by
    paired intervals against the best team of each group (:mod:`sim.experiments.leaderboard`).
    Teams that submit the same policy (up to its name and description, which change no number)
    share its runs.

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> (d / "teams").mkdir()
>>> _ = (d / "teams" / "care.yaml").write_text("name: care\\nservice: {extra_agents: 1}\\n")
>>> _ = (d / "teams" / "broken.yaml").write_text("service: {extra_agents: -1}\\n")
>>> _ = (d / "secret.txt").write_text("correct horse battery staple")
>>> t = tournament(d / "teams", "baseline", d / "secret.txt", replications=2, customers=100,
...                days=60, engine="local", progress=False)
>>> t.leaderboard[["rank_label", "team", "status"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['1', 'care', 'ranked'], ['baseline', 'do_nothing (baseline)', 'baseline'],
 ['invalid', 'broken', 'invalid']]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.limits import MAX_WORKERS, short
from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError, RetentionLabError
from sim.experiments._args import (
    Arm,
    as_policy,
    as_scenario,
    check_confidence,
    check_int,
    check_runs,
    check_size,
)
from sim.experiments.constraints import Constraints, load_constraints, parse_objective
from sim.experiments.engines import ENGINES, run_arms
from sim.experiments.leaderboard import STATUSES, TIE_RULE, leaderboard_html, rank_teams
from sim.experiments.stats import is_count
from sim.experiments.submissions import MAX_POLICY_BYTES, MAX_TEAMS, Submission, one_line, read_submissions

__all__ = [
    "Tournament",
    "Constraints",
    "Submission",
    "tournament",
    "read_submissions",
    "load_constraints",
    "parse_objective",
    "verify_tournament",
    "tournament_files",
    "STATUSES",
    "MAX_POLICY_BYTES",
    "MAX_TEAMS",
]

#: Secrets shorter than this (bytes) get a warning in :attr:`Tournament.notes`.
SHORT_SECRET_BYTES = 16

_SEED_DOMAIN = b"retention-lab tournament seeds v1\x00"


# --------------------------------------------------------------------------- seeds
def _master_seed(secret: str | Path) -> int:
    """The master seed derived from the secret file's bytes (see the module notes); never written out."""
    p = Path(secret)
    label = f"seeds secret file {short(str(p))}"
    try:
        if not p.exists():
            raise ConfigError(f"{label} does not exist: give a file of random text the teams never see")
        if not p.is_file():
            raise ConfigError(f"{label} is not a file: give a file of random text the teams never see")
        digest = hashlib.sha256(_SEED_DOMAIN)
        n = 0
        blank = True
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                digest.update(chunk)
                n += len(chunk)
                blank = blank and not chunk.strip()
    except OSError as exc:
        raise ConfigError(f"{label} cannot be read: {exc.strerror or exc}") from None
    if n == 0 or blank:
        raise ConfigError(f"{label} is empty: write a long random secret into it (e.g. 64 hex characters)")
    return int.from_bytes(digest.digest()[:8], "big") >> 1


def _secret_notes(secret: str | Path) -> list[str]:
    size = Path(secret).stat().st_size
    if size < SHORT_SECRET_BYTES:
        return [
            f"the seeds secret is shorter than {SHORT_SECRET_BYTES} bytes: a short secret can be guessed, and with it the seeds"
        ]
    return []


# --------------------------------------------------------------------------- the tournament
@dataclass
class Tournament:
    """The outcome of :func:`tournament`.

    Attributes
    ----------
    leaderboard : DataFrame
        One row per team and one for the baseline, in leaderboard order (ranked teams, the
        baseline, disqualified teams, invalid submissions): ``rank`` (group rank, empty unless
        ranked), ``rank_label`` (``"1"``, ``"=2"``, ``"baseline"``, ``"DQ"``, ``"invalid"``),
        ``team``, ``status`` (one of :data:`STATUSES`), ``tied`` (shares its rank), ``objective``
        (the KPI), ``n`` (replications), ``mean``, ``ci_low``, ``ci_high`` (t-interval),
        ``diff``, ``diff_ci_low``, ``diff_ci_high``, ``p_value`` (paired against the baseline),
        ``group_best`` (the best team of its group), ``gap``, ``gap_ci_low``, ``gap_ci_high``
        (paired difference to ``group_best``, objective direction: <= 0), the means of
        ``retention_cost`` and ``nps``, ``compliance_incidents_max`` (over replications),
        ``reason`` (why disqualified or invalid) and ``file`` (the submission).
    replications : DataFrame
        One row per team (and the baseline) x replication: ``team``, ``replication`` and every
        KPI. The seeds are not included.
    """

    leaderboard: pd.DataFrame
    replications: pd.DataFrame
    scenario: Scenario
    baseline: str
    baseline_policy: Policy | None
    objective: str
    direction: int
    constraints: Constraints
    n_replications: int
    customers: int
    days: float
    engine: str
    confidence: float = 0.95
    notes: list[str] = field(default_factory=list)

    @property
    def ranked(self) -> pd.DataFrame:
        """The ranked teams only."""
        return self.leaderboard[self.leaderboard["status"] == "ranked"]

    @property
    def objective_label(self) -> str:
        """``"profit (maximised)"`` or ``"mean_wait_h (minimised)"``."""
        return f"{self.objective} ({'maximised' if self.direction > 0 else 'minimised'})"

    def report(self, path: str | Path | None = None) -> str:
        """The self-contained HTML leaderboard (jinja2, the look of the experiment reports)."""
        return leaderboard_html(self, path)

    def to_dir(self, path: str | Path) -> Path:
        """Write ``leaderboard.csv``, ``leaderboard.html``, ``replications.csv``, ``tournament.json``
        and ``MANIFEST.json``, all at once (:func:`sim._atomic.atomic_dir`); nothing holds a seed."""
        from sim._atomic import atomic_dir

        with atomic_dir(path, kind="experiment", seed=None, legacy=tournament_files()) as tmp:
            self.leaderboard.to_csv(tmp / "leaderboard.csv", index=False)
            self.replications.to_csv(tmp / "replications.csv", index=False)
            (tmp / "tournament.json").write_text(
                json.dumps(self.meta(), indent=2, default=str, allow_nan=False), encoding="utf-8"
            )
            leaderboard_html(self, tmp / "leaderboard.html")
        return Path(path)

    def meta(self) -> dict[str, Any]:
        """The settings and every team's status, as written to ``tournament.json`` (no seeds)."""
        lb = self.leaderboard
        return {
            "kind": "tournament",
            "scenario": self.scenario.to_dict(),
            "baseline": self.baseline,
            "baseline_policy": None if self.baseline_policy is None else self.baseline_policy.to_dict(),
            "objective": self.objective,
            "direction": "max" if self.direction > 0 else "min",
            "constraints": self.constraints.model_dump(mode="json"),
            "replications": self.n_replications,
            "customers": self.customers,
            "days": self.days,
            "engine": self.engine,
            "confidence": self.confidence,
            "seeds": "derived from a secret file; not recorded",
            "tie_rule": TIE_RULE,
            "teams": [
                {"team": r.team, "file": r.file, "status": r.status, "rank": r.rank_label, "reason": r.reason}
                for r in lb.itertuples()
                if r.status != "baseline"
            ],
            "notes": self.notes,
        }

    def __repr__(self) -> str:
        counts = self.leaderboard["status"].value_counts()
        return (
            f"Tournament(scenario={self.scenario.name!r}, objective={self.objective_label!r}, "
            f"teams={int(counts.drop('baseline', errors='ignore').sum())}, ranked={int(counts.get('ranked', 0))}, "
            f"disqualified={int(counts.get('disqualified', 0))}, invalid={int(counts.get('invalid', 0))}, "
            f"replications={self.n_replications}, customers={self.customers}, days={self.days:g})"
        )


def tournament_files() -> tuple[str, ...]:
    """The files :meth:`Tournament.to_dir` writes (besides ``MANIFEST.json``).

    Examples
    --------
    >>> tournament_files()
    ('leaderboard.csv', 'leaderboard.html', 'replications.csv', 'tournament.json')
    """
    return ("leaderboard.csv", "leaderboard.html", "replications.csv", "tournament.json")


def verify_tournament(path: str | Path) -> dict[str, Any]:
    """Check a tournament folder against its manifest; returns the manifest (see :func:`sim._atomic.verify_dir`)."""
    from sim._atomic import verify_dir

    return verify_dir(path, "experiment", expect=tournament_files())


def _policy_key(pol: Policy | None) -> str:
    """What the simulator sees of a policy (its name and description change nothing)."""
    if pol is None:
        return "none"
    d = pol.to_dict()
    d.pop("name", None)
    d.pop("description", None)
    return json.dumps(d, sort_keys=True, default=str)


def _run(
    sc: Scenario,
    arms: dict[str, Arm],
    baseline_arm: str,
    **kw: Any,
) -> tuple[list[dict[str, Any]], dict[str, str], int, float]:
    """Run every arm on the same seeds; an arm the simulator refuses is dropped with its error.

    All arms go to the engine at once; only if that fails with a Retention Lab error are the arms
    run one by one, to tell which policy the simulator refused (the baseline failing is an error).
    """
    try:
        rows, n_cust, n_days = run_arms(sc, arms, **kw)
        return rows, {}, n_cust, n_days
    except RetentionLabError:
        pass
    rows, failed = [], {}
    n_cust, n_days = 0, 0.0
    for name in [baseline_arm] + [a for a in arms if a != baseline_arm]:
        try:
            r, n_cust, n_days = run_arms(sc, {name: arms[name]}, **kw)
            rows += r
        except RetentionLabError as exc:
            if name == baseline_arm:
                raise ConfigError(f"the baseline policy stops the simulator: {one_line(exc)}") from None
            failed[name] = f"the simulator refused this policy: {one_line(exc)}"
    return rows, failed, n_cust, n_days


def tournament(
    teams_dir: str | Path,
    scenario: Scenario | str | Path,
    seeds_secret: str | Path,
    *,
    replications: int = 30,
    customers: int | None = None,
    days: float | None = None,
    objective: str = "profit",
    constraints: Constraints | Mapping[str, Any] | str | Path | None = None,
    baseline: Policy | str | Path | None = "do_nothing",
    engine: str = "process",
    workers: int | None = None,
    progress: bool | None = None,
    confidence: float = 0.95,
) -> Tournament:
    """Run every team's policy on the same hidden seeds and rank the teams in groups of ties.

    Parameters
    ----------
    teams_dir : path
        One ``<team>.yaml`` or ``<team>/policy.yaml`` per team (see the module notes).
    scenario : Scenario, preset name or YAML path
        The world every team plays in.
    seeds_secret : path
        A file of secret bytes; the replication seeds are derived from it and never written.
    replications : int
        Seeds per team (at least 2; default 30).
    customers, days : optional
        Run size (default: the scenario's).
    objective : str
        A KPI to maximise, or ``"-kpi"`` to minimise (default ``"profit"``).
    constraints : Constraints, mapping or YAML path, optional
        ``budget``, ``nps_min``, ``compliance_incidents``, ``min`` / ``max`` (see :class:`Constraints`).
    baseline : Policy, preset name, YAML path or None
        The reference every team is compared with (default ``"do_nothing"``; ``None``: no policy).
    engine : {"local", "process", "dask"}
        Where the replications run (identical numbers on each; default ``"process"``).
    workers : int, optional
        Processes or Dask workers (default: all cores).
    progress : bool, optional
        Progress bar (``None``: for long runs only).
    confidence : float
        Confidence level of every interval and of the tie rule.

    Returns
    -------
    Tournament

    Raises
    ------
    ConfigError
        A missing teams folder or secret file, an empty secret, an unknown scenario, baseline,
        objective or engine, bad constraints or sizes. Never for a bad submission.
    """
    teams_path = Path(teams_dir)
    sc = as_scenario(scenario)
    kpi, direction = parse_objective(objective)
    cons = load_constraints(constraints)
    confidence = check_confidence(confidence)
    check_int("replications", replications, 2)
    check_size(customers, days)
    if engine not in ENGINES:
        raise ConfigError(f"engine={engine!r} is not allowed; choose one of {list(ENGINES)}")
    if workers is not None:
        check_int("workers", workers, 1, MAX_WORKERS)
    base_pol = as_policy(baseline, "baseline")
    base_label = f"{'none' if base_pol is None else base_pol.name} (baseline)"
    master = _master_seed(seeds_secret)
    notes = _secret_notes(seeds_secret)
    subs = read_submissions(teams_path)

    # one arm per distinct policy: teams that submit the same policy share its runs
    arm_of: dict[str, str] = {}
    arms: dict[str, Arm] = {}
    keys: dict[str, str] = {}

    def arm_for(pol: Policy | None) -> str:
        k = _policy_key(pol)
        if k not in keys:
            keys[k] = f"arm{len(keys)}"
            arms[keys[k]] = (sc, pol)
        return keys[k]

    base_arm = arm_for(base_pol)
    for s in subs:
        if s.policy is not None:
            arm_of[s.team] = arm_for(s.policy)
    check_runs(len(arms), replications, "distinct policies")
    rows, failed, n_cust, n_days = _run(
        sc,
        arms,
        base_arm,
        replications=replications,
        seed=master,
        customers=customers,
        days=days,
        kpis=None,
        engine=engine,
        workers=workers,
        address=None,
        progress=progress,
        label="tournament",
    )
    by_arm = pd.DataFrame(rows).drop(columns=["seed"])
    by_arm = by_arm[[c for c in by_arm.columns if not is_count(c)]]
    errors = {s.team: s.error for s in subs if s.error is not None}
    for team, arm in arm_of.items():
        if arm in failed:
            errors[team] = failed[arm]
    frames = []
    for team, arm in [(base_label, base_arm)] + [(t, a) for t, a in arm_of.items() if t not in errors]:
        f = by_arm[by_arm["arm"] == arm].drop(columns=["arm"])
        f.insert(0, "team", team)
        frames.append(f)
    table = pd.concat(frames, ignore_index=True)
    table["team"] = table["team"].astype("string")

    lb = rank_teams(table, subs, errors, base_label, kpi, direction, cons, confidence, sc.currency)
    return Tournament(
        leaderboard=lb,
        replications=table,
        scenario=sc,
        baseline=base_label,
        baseline_policy=base_pol,
        objective=kpi,
        direction=direction,
        constraints=cons,
        n_replications=replications,
        customers=n_cust,
        days=n_days,
        engine=engine,
        confidence=confidence,
        notes=notes,
    )
