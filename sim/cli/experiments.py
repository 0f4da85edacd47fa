"""``retention-lab compare`` and ``retention-lab sweep``: experiments from the terminal.

typer parses the options, :mod:`sim.experiments` runs the experiment, :mod:`sim.cli._output`
prints the summary table, and :mod:`sim.experiments.report` writes the HTML report. Hand-written: only the ``--grid`` parser
(``path=v1,v2,...``; each value is read as YAML, so ``2``, ``0.5``, ``true`` and ``null`` get
their types).

Examples
--------
::

    retention-lab compare --scenario baseline --policy do_nothing --policy vip_care -r 20 \\
        --engine process --customers 5000 --days 730 --seed 1 --out runs/vip
    retention-lab sweep --scenario baseline --policy do_nothing --grid desk.agents=1,2,3 \\
        --grid policy.service.extra_agents=0,1 -r 10 --out runs/desk
    retention-lab compare -p do_nothing -p vip_care -r 4 -c 2000 --format json > cmp.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from sim.cli._options import OutputFormat, legacy_replications, option
from sim.cli._output import (
    check_out_dir,
    console,
    emit,
    err_console,
    handles_errors,
    progress_on_stderr,
    want_progress,
    writing,
)
from sim.cli._tables import (
    DEFAULT_COMPARE_KPIS,
    comparison_table,
    pick_kpis,
    summary_rows,
    sweep_table,
)
from sim.cli.run import policy_label
from sim.errors import ConfigError

__all__ = ["app", "parse_grid"]

app = typer.Typer()


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """Parse ``--grid path=v1,v2,...`` options into a grid mapping.

    Each value is read as YAML (numbers, booleans, ``null`` and text keep their types).

    Raises
    ------
    ConfigError
        No ``=``, an empty path, an empty value, or the same path twice.

    Examples
    --------
    >>> parse_grid(["desk.agents=1,2,3", "policy.loyalty.enabled=true,false"])
    {'desk.agents': [1, 2, 3], 'policy.loyalty.enabled': [True, False]}
    >>> parse_grid(["desk.agents"])
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: --grid 'desk.agents' is not path=v1,v2,... (no '='); example: --grid desk.agents=1,2,3
    """
    if not items:
        raise ConfigError("give at least one --grid path=v1,v2,... (example: --grid desk.agents=1,2,3)")
    grid: dict[str, list[Any]] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--grid {item!r} is not path=v1,v2,... (no '='); example: --grid desk.agents=1,2,3")
        path, _, raw = item.partition("=")
        path = path.strip()
        if not path:
            raise ConfigError(f"--grid {item!r} has no field path before '='; example: --grid desk.agents=1,2,3")
        parts = [p.strip() for p in raw.split(",")]
        if not raw.strip() or any(p == "" for p in parts):
            raise ConfigError(
                f"--grid {item!r}: empty value in the list {raw!r}; give comma-separated values, e.g. {path}=1,2,3"
            )
        if path in grid:
            raise ConfigError(f"--grid names {path!r} twice; put all its values in one option ({path}=a,b,c)")
        import yaml

        values = []
        for p in parts:
            try:
                values.append(yaml.safe_load(p))
            except yaml.YAMLError:
                values.append(p)
            except ValueError:  # e.g. an integer of more than 4300 digits
                raise ConfigError(f"--grid {path}: the value {p[:40]!r}... cannot be read as a number") from None
        grid[path] = values
    return grid


def _written(path: Path, what: str, fmt: OutputFormat) -> None:
    say = console if fmt == OutputFormat.table else err_console
    say.print(f"written to {path}: {what}, experiment.json, report.html, MANIFEST.json", highlight=False)


@app.command()
@handles_errors
def compare(
    scenario: str = option("scenario", "baseline"),
    policy: list[str] = option("policy", []),
    replications: int | None = option("replications"),
    legacy_n: int | None = option("legacy_n"),
    engine: str = option("engine", "local"),
    customers: int | None = option("customers"),
    days: float | None = option("days"),
    seed: int = option("seed", 0),
    workers: int | None = option("workers"),
    address: str | None = option("address"),
    out: str | None = option("out"),
    kpi: list[str] = option("kpi", []),
    fmt: OutputFormat = option("format", OutputFormat.table),
    progress: bool | None = option("progress"),
) -> None:
    """Compare policies over replications with common random numbers; print paired differences.

    Give --policy once per arm (at least one; the first is the baseline; 'none' = no policy).
    With --out FOLDER, write replications and summary (CSV + Parquet), experiment.json,
    report.html and MANIFEST.json there, all at once.
    """
    from sim.experiments import compare as run_compare
    from sim.experiments.output import experiment_files

    reps = legacy_replications(replications, legacy_n)
    if not policy:
        raise ConfigError(
            "give at least one --policy (the first is the baseline), e.g. --policy do_nothing --policy vip_care"
        )
    arms: dict[str, Any] = {}
    for p in policy:
        name = policy_label(p)
        if name in arms:
            raise ConfigError(f"--policy {p!r} is given twice")
        arms[name] = None if p.lower() == "none" else p
    target = None if out is None else check_out_dir(out, "experiment", experiment_files(["replications", "summary"]))
    with progress_on_stderr():
        cmp = run_compare(
            scenario,
            arms,
            replications=reps,
            seed=seed,
            engine=engine,
            customers=customers,
            days=days,
            workers=workers,
            address=address,
            progress=want_progress(progress, float("inf")),  # a terminal gets a bar
        )
    currency = cmp.scenario.currency
    meta: dict[str, Any] = {
        "command": "compare",
        "scenario": cmp.scenario.name,
        "policies": list(cmp.arms),
        "baseline": cmp.baseline,
        "seed": cmp.seed,
        "customers": cmp.customers,
        "days": cmp.days,
        "replications": cmp.n_replications,
        "currency": currency,
        "engine": cmp.engine,
        "confidence": cmp.confidence,
    }
    tables = [comparison_table(cmp, kpi or None)] if fmt == OutputFormat.table else []
    emit(fmt, meta, summary_rows(cmp.summary, kpi or None, currency=currency), tables)
    if fmt == OutputFormat.table:  # the report's footnote on shares that rest on too few events
        from rich.markup import escape

        from sim.experiments.report import comparison_notes

        shown = set(pick_kpis(kpi or None, cmp.kpis, DEFAULT_COMPARE_KPIS))
        for line in comparison_notes(cmp)["few_events"]:
            if line.split(":", 1)[0] in shown:
                console.print(escape(f"note: {line}"), highlight=False, soft_wrap=True)
    if target is not None:
        with writing(target, atomic=True), err_console.status(f"writing {target} (report.html) ..."):
            path = cmp.to_dir(target)
        _written(path, "replications / summary (.csv, .parquet)", fmt)


@app.command()
@handles_errors
def sweep(
    scenario: str = option("scenario", "baseline"),
    policy: str | None = option("policy"),
    grid: list[str] = option("grid", []),
    replications: int | None = option("replications"),
    legacy_n: int | None = option("legacy_n"),
    engine: str = option("engine", "local"),
    customers: int | None = option("customers"),
    days: float | None = option("days"),
    seed: int = option("seed", 0),
    workers: int | None = option("workers"),
    address: str | None = option("address"),
    out: str | None = option("out"),
    kpi: list[str] = option("kpi", []),
    fmt: OutputFormat = option("format", OutputFormat.table),
    progress: bool | None = option("progress"),
) -> None:
    """Run a grid of scenario / policy fields over replications; print mean and CI per grid point.

    --policy is the base policy the grid changes (default: none). With --out FOLDER, write the
    table and summary (CSV + Parquet), experiment.json, report.html and MANIFEST.json there.
    """
    from sim.experiments import sweep as run_sweep
    from sim.experiments.output import experiment_files

    reps = legacy_replications(replications, legacy_n)
    g = parse_grid(grid)
    target = None if out is None else check_out_dir(out, "experiment", experiment_files(["table", "summary"]))
    base = None if policy is None or policy.lower() == "none" else policy
    with progress_on_stderr():
        sw = run_sweep(
            scenario,
            base,
            grid=g,
            replications=reps,
            seed=seed,
            engine=engine,
            customers=customers,
            days=days,
            workers=workers,
            address=address,
            progress=want_progress(progress, float("inf")),  # a terminal gets a bar
        )
    currency = sw.scenario.currency
    meta: dict[str, Any] = {
        "command": "sweep",
        "scenario": sw.scenario.name,
        "policy": policy_label(policy),
        "grid": list(sw.grid),
        "grid_points": int(sw.summary["point"].nunique()),
        "seed": sw.seed,
        "customers": sw.customers,
        "days": sw.days,
        "replications": sw.n_replications,
        "currency": currency,
        "engine": sw.engine,
        "confidence": sw.confidence,
    }
    tables = [sweep_table(sw, kpi or None)] if fmt == OutputFormat.table else []
    emit(fmt, meta, summary_rows(sw.summary, kpi or None, currency=currency), tables)
    if target is not None:
        with writing(target, atomic=True), err_console.status(f"writing {target} (report.html) ..."):
            path = sw.to_dir(target)
        _written(path, "table / summary (.csv, .parquet)", fmt)
