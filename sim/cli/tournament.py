"""``retention-lab tournament``: rank the teams' policy YAML files on hidden seeds.

typer parses the options, :func:`sim.experiments.tournament.tournament` runs the tournament
(policy YAML only, never code; seeds from the secret file, never shown), this module prints
the leaderboard and, with ``--out``, writes it all at once (``leaderboard.csv``,
``leaderboard.html``, ``replications.csv``, ``tournament.json``, ``MANIFEST.json``). Bad input
(a missing folder or secret, an unknown scenario or objective, bad constraints) is one line on
stderr and status 2; invalid submissions are leaderboard rows, not errors (status 0).

Examples
--------
::

    retention-lab tournament teams/ --scenario baseline --seeds-secret secret.txt --out board \\
        --replications 30 --customers 5000 --constraints constraints.yaml --objective profit
"""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli._options import option
from sim.cli._output import (
    check_out_dir,
    console,
    err_console,
    handles_errors,
    header_line,
    progress_on_stderr,
    want_progress,
    writing,
)

__all__ = ["app"]


#: Replications per team when --replications is not given.
DEFAULT_TOURNAMENT_REPLICATIONS = 30

app = typer.Typer()


def _table(t: object) -> object:
    from rich.table import Table

    from sim.formatting import format_ci, format_value
    from sim.schema import kpi_unit

    unit = kpi_unit(t.objective, t.scenario.currency)  # type: ignore[attr-defined]
    tab = Table(title=f"Leaderboard — {t.objective_label} (Δ: paired vs {t.baseline})")  # type: ignore[attr-defined]
    for col, right in (("rank", False), ("team", False), ("mean", True), ("Δ vs baseline [CI]", True), ("note", False)):
        tab.add_column(col, justify="right" if right else "left", overflow="fold")
    for r in t.leaderboard.itertuples():  # type: ignore[attr-defined]
        if r.status == "invalid":
            tab.add_row("invalid", r.team, "—", "", r.reason)
            continue
        mean = format_value(r.mean, unit)
        if r.status == "baseline":
            tab.add_row("—", r.team, mean, "", "reference")
            continue
        diff = (
            f"{format_value(r.diff, unit, signed=True)} {format_ci(r.diff_ci_low, r.diff_ci_high, unit, signed=True)}"
        )
        note = r.reason if r.status == "disqualified" else ("tied" if r.tied else "")
        tab.add_row(r.rank_label, r.team, mean, diff, note)
    return tab


@app.command()
@handles_errors
def tournament(
    teams: Path = typer.Argument(..., help="Folder of submissions: <team>.yaml or <team>/policy.yaml per team."),
    scenario: str = option("scenario", "baseline"),
    seeds_secret: Path | None = option("seeds_secret"),
    out: str | None = option("out"),
    replications: int | None = option("replications"),
    customers: int | None = option("customers"),
    days: float | None = option("days"),
    engine: str = option("engine", "process"),
    workers: int | None = option("workers"),
    objective: str = option("objective", "profit"),
    constraints: Path | None = option("constraints"),
    baseline: str = option("baseline", "do_nothing"),
    progress: bool | None = option("progress"),
) -> None:
    """Rank the teams' policies (YAML only, no code runs) on hidden seeds; ties are shown, not ordered by noise.

    Every policy runs on the same seeds, derived from --seeds-secret (required; never printed
    or written), with the process engine by default and 30 replications per team unless
    --replications says otherwise. Invalid submissions and disqualified teams are listed last
    with their reason. With --out FOLDER, write leaderboard.csv, leaderboard.html,
    replications.csv, tournament.json and MANIFEST.json there, all at once.
    """
    from sim.errors import ConfigError
    from sim.experiments.tournament import tournament as run_tournament
    from sim.experiments.tournament import tournament_files

    if seeds_secret is None:
        raise ConfigError(
            "give --seeds-secret FILE: a file of secret bytes the teams never see (the seeds are derived from it)"
        )
    target = None if out is None else check_out_dir(out, "experiment", tournament_files())
    base = None if baseline.strip().lower() == "none" else baseline
    with progress_on_stderr():
        t = run_tournament(
            teams,
            scenario,
            seeds_secret,
            replications=DEFAULT_TOURNAMENT_REPLICATIONS if replications is None else replications,
            customers=customers,
            days=days,
            objective=objective,
            constraints=constraints,
            baseline=base,
            engine=engine,
            workers=workers,
            progress=want_progress(progress, float("inf")),  # a terminal gets a bar
        )
    counts = t.leaderboard["status"].value_counts()
    meta = {
        "scenario": t.scenario.name,
        "policy": f"{int(counts.drop('baseline', errors='ignore').sum())} teams vs {t.baseline}",
        "seed": "hidden",
        "customers": t.customers,
        "days": t.days,
        "replications": t.n_replications,
        "currency": t.scenario.currency,
        "engine": t.engine,
        "extra": [f"objective {t.objective_label}"] + [f"constraint {c}" for c in t.constraints.describe()],
    }
    from rich.markup import escape

    console.print(escape(header_line(meta)), highlight=False, soft_wrap=True)
    console.print(_table(t))
    for note in t.notes:
        err_console.print(escape(f"note: {note}"), highlight=False, soft_wrap=True)
    if target is not None:
        with writing(target, atomic=True), err_console.status(f"writing {target} (leaderboard.html) ..."):
            path = t.to_dir(target)
        console.print(f"written to {path}: {', '.join(tournament_files())}, MANIFEST.json", highlight=False)
