"""``retention-lab optimize``: search policy levers from the terminal (:func:`sim.optimize`).

typer parses the options, :func:`sim.experiments.optimize.optimize` runs the search, this
module prints the summary and, with ``--out``, writes ``trials.csv``, ``finalists.csv``,
``replications.csv``, ``best_policy.yaml``, ``summary.md``, ``optimization.json`` and
``MANIFEST.json`` all at once (:mod:`sim._atomic`). Ctrl-C keeps the trials finished so far:
with ``--out`` they are written (no winner: ``best_policy.yaml`` is the starting policy), and
the command exits with status 130.

The space file (YAML; tuples are written as mappings)::

    budget.amount_per_period: {low: 5000, high: 40000}
    contacts.0.interval_days: {low: 7, high: 91, scale: int}
    offers.vip_gift.fixed_cost: {low: 1, high: 50, scale: log}
    contacts.0.channel: {choices: [phone, email]}     # or a plain list: [phone, email]
    budget.split: simplex                              # the pot shares (70/20/10 is one point)

Examples
--------
::

    retention-lab optimize baseline vip_care --space space.yaml --trials 20 --replications 3 \\
        --fresh-replications 10 --objective profit --constraints constraints.yaml \\
        --engine process --customers 2000 --days 365 --out runs/opt
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from sim.cli._options import FLAGS, Flag, option
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
from sim.errors import ConfigError

__all__ = ["app", "read_space", "OPTIMIZE_FLAGS"]

#: The options only ``optimize`` takes (defined in :data:`sim.cli._options.FLAGS`: one flag, one meaning).
OPTIMIZE_FLAGS: dict[str, Flag] = {k: FLAGS[k] for k in ("space", "trials", "fresh_replications", "finalists")}

app = typer.Typer()


def read_space(path: Path) -> dict[str, Any]:
    """Read a space YAML file (safe loader) into the mapping :func:`sim.optimize` takes.

    Raises
    ------
    ConfigError
        A missing or unreadable file, or one that is not a non-empty mapping.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "space.yaml"
    >>> _ = p.write_text("budget.amount_per_period: {low: 5000, high: 40000}\\nbudget.split: simplex\\n")
    >>> read_space(p)
    {'budget.amount_per_period': {'low': 5000, 'high': 40000}, 'budget.split': 'simplex'}
    """
    from sim.config._yaml import read_config_yaml

    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"--space {str(p)!r} {'does not exist' if not p.exists() else 'is not a file'}: give a YAML file such as "
            "'budget.amount_per_period: {low: 5000, high: 40000}'"
        )
    data = read_config_yaml(p, "space")
    if not isinstance(data, dict) or not data:
        raise ConfigError(
            f"--space {p.name}: give a non-empty mapping of field paths to ranges, e.g. "
            "'budget.amount_per_period: {low: 5000, high: 40000}'"
        )
    return data


@app.command()
@handles_errors
def optimize(
    scenario: str = typer.Argument(..., help="Scenario: a preset name or a YAML path."),
    policy: str = typer.Argument(..., help="Starting policy: a preset name, a YAML path or 'none' (do_nothing)."),
    space: Path | None = option("space"),
    trials: int = option("trials", 20),
    replications: int = option("replications", 3),
    fresh_replications: int = option("fresh_replications", 10),
    finalists: int = option("finalists", 3),
    objective: str = option("objective", "profit"),
    constraints: Path | None = option("constraints"),
    customers: int | None = option("customers"),
    days: float | None = option("days"),
    seed: int = option("seed", 0),
    engine: str = option("engine", "local"),
    workers: int | None = option("workers"),
    out: str | None = option("out"),
    progress: bool | None = option("progress"),
) -> None:
    """Search policy levers for the best KPI; re-check the finalists and the start on fresh seeds.

    Every trial runs on the same --replications seeds (common random numbers); trials that
    breach --constraints are infeasible and never win. The best distinct trials and the
    starting policy are re-run on --fresh-replications new seeds; the winner is the best fresh
    mean, reported against the start with a paired CI. With --out FOLDER, write trials.csv,
    finalists.csv, replications.csv, best_policy.yaml, summary.md, optimization.json and
    MANIFEST.json there, all at once.
    """
    from sim.experiments.optimize import OptimizationInterrupted, optimization_files
    from sim.experiments.optimize import optimize as run_optimize

    if space is None:
        raise ConfigError("give --space FILE: a YAML file such as 'budget.amount_per_period: {low: 5000, high: 40000}'")
    sp = read_space(space)
    target = None if out is None else check_out_dir(out, "experiment", optimization_files())
    start = None if policy.strip().lower() == "none" else policy
    try:
        with progress_on_stderr():
            opt = run_optimize(
                scenario,
                start,
                sp,
                objective=objective,
                constraints=constraints,
                trials=trials,
                replications=replications,
                fresh_replications=fresh_replications,
                finalists=finalists,
                customers=customers,
                days=days,
                seed=seed,
                engine=engine,
                workers=workers,
                progress=want_progress(progress, float("inf")),  # a terminal gets a bar
            )
    except OptimizationInterrupted as stop:
        if target is not None:
            with writing(target, atomic=True):
                stop.result.to_dir(target)
            err_console.print(
                f"interrupted — the {len(stop.result.trials)} trials so far were written to {target} (no winner)",
                highlight=False,
            )
        else:
            err_console.print(
                f"interrupted after {len(stop.result.trials)} trials — nothing was written", highlight=False
            )
        raise typer.Exit(code=130) from None
    s = opt.settings
    from rich.markup import escape

    meta = {
        "scenario": s["scenario"],
        "policy": s["start_name"],
        "seed": seed,
        "customers": s["customers"],
        "days": s["days"],
        "replications": replications,
        "currency": opt.currency,
        "engine": engine,
        "extra": [f"{trials} trials", f"objective {opt.objective_label}"],
    }
    console.print(escape(header_line(meta)), highlight=False, soft_wrap=True)
    console.print(escape(opt.summary()), highlight=False, soft_wrap=True)
    if target is not None:
        with writing(target, atomic=True), err_console.status(f"writing {target} ..."):
            path = opt.to_dir(target)
        console.print(f"written to {path}: {', '.join(optimization_files())}, MANIFEST.json", highlight=False)
