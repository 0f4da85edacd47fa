"""``retention-lab compare`` and ``retention-lab sweep``: experiments from the terminal.

typer parses the options, :mod:`sim.experiments` runs the experiment, :mod:`sim.cli._output`
prints the summary table, and :mod:`sim.experiments.report` writes the HTML report. Hand-written: only the ``--grid`` parser
(``path=v1,v2,...``; each value is read as YAML, so ``2``, ``0.5``, ``true`` and ``null`` get
their types).

Examples
--------
::

    retention-lab compare --scenario baseline --policy do_nothing --policy vip_care -n 20 \\
        --engine process --customers 5000 --days 730 --seed 1 --out runs/vip
    retention-lab sweep --scenario baseline --policy do_nothing --grid desk.agents=1,2,3 \\
        --grid policy.service.extra_agents=0,1 -n 10 --out runs/desk
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import yaml

from sim.cli._output import comparison_table, console, handles_errors, sweep_table
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
        values = []
        for p in parts:
            try:
                values.append(yaml.safe_load(p))
            except yaml.YAMLError:
                values.append(p)
        grid[path] = values
    return grid


#: Printed by default by ``sweep`` (one column per KPI, so fewer).
@app.command()
@handles_errors
def compare(
    scenario: str = typer.Option("baseline", "--scenario", "-s", help="Scenario preset name or YAML path."),
    policy: list[str] = typer.Option(
        [], "--policy", "-p", help="Policy preset or YAML path (repeat; the first is the baseline; 'none' = no policy)."
    ),
    replications: int = typer.Option(10, "--replications", "-n", help="Replications per policy."),
    engine: str = typer.Option("local", "--engine", "-e", help="local, process or dask."),
    customers: int | None = typer.Option(None, "--customers", help="Paid customers per run (default: the scenario's)."),
    days: float | None = typer.Option(None, "--days", "-d", help="Horizon in days (default: the scenario's)."),
    seed: int = typer.Option(0, "--seed", help="Master seed (replication k uses the same seed for every policy)."),
    workers: int | None = typer.Option(None, "--workers", "-w", help="Processes / Dask workers (default: all cores)."),
    address: str | None = typer.Option(None, "--address", help="Dask scheduler address (engine dask)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write replications, summary (CSV + Parquet) and report.html here."
    ),
    kpi: list[str] = typer.Option([], "--kpi", "-k", help="KPIs to print (repeat; all are written)."),
    progress: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar (default: for long runs)."
    ),
) -> None:
    """Compare policies over replications with common random numbers; print paired differences."""
    from sim.experiments import compare as run_compare

    if not policy:
        raise ConfigError(
            "give at least one --policy (the first is the baseline), e.g. --policy do_nothing --policy vip_care"
        )
    arms: dict[str, Any] = {}
    for p in policy:
        name = "none" if p.lower() == "none" else (Path(p).stem if Path(p).suffix in (".yaml", ".yml") else p)
        if name in arms:
            raise ConfigError(f"--policy {p!r} is given twice")
        arms[name] = None if p.lower() == "none" else p
    cmp = run_compare(
        scenario,
        arms,
        replications=replications,
        seed=seed,
        engine=engine,
        customers=customers,
        days=days,
        workers=workers,
        address=address,
        progress=progress,
    )
    table = comparison_table(cmp, kpi or None)
    console.print(
        f"[bold]{cmp.scenario.name}[/] · {', '.join(cmp.arms)} · {cmp.n_replications} replications · "
        f"{cmp.customers:,} customers × {cmp.days:g} days · seed {seed} · engine {engine}"
    )
    console.print(table)
    if out is not None:
        path = cmp.to_dir(out)
        console.print(
            f"written to [bold]{path}[/]: replications / summary (.csv, .parquet), experiment.json, report.html"
        )


@app.command()
@handles_errors
def sweep(
    scenario: str = typer.Option("baseline", "--scenario", "-s", help="Scenario preset name or YAML path."),
    policy: str | None = typer.Option(None, "--policy", "-p", help="Base policy preset or YAML path (default: none)."),
    grid: list[str] = typer.Option(
        [], "--grid", "-g", help="path=v1,v2,... (repeat; Cartesian product). Paths: scenario.<f>, policy.<f> or bare."
    ),
    replications: int = typer.Option(10, "--replications", "-n", help="Replications per grid point."),
    engine: str = typer.Option("local", "--engine", "-e", help="local, process or dask."),
    customers: int | None = typer.Option(None, "--customers", help="Paid customers per run (default: the scenario's)."),
    days: float | None = typer.Option(None, "--days", "-d", help="Horizon in days (default: the scenario's)."),
    seed: int = typer.Option(0, "--seed", help="Master seed (every grid point uses the same replication seeds)."),
    workers: int | None = typer.Option(None, "--workers", "-w", help="Processes / Dask workers (default: all cores)."),
    address: str | None = typer.Option(None, "--address", help="Dask scheduler address (engine dask)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write table, summary (CSV + Parquet) and report.html here."
    ),
    kpi: list[str] = typer.Option([], "--kpi", "-k", help="KPIs to print (repeat; all are written)."),
    progress: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar (default: for long runs)."
    ),
) -> None:
    """Run a grid of scenario / policy fields over replications; print mean and CI per point."""
    from sim.experiments import sweep as run_sweep

    g = parse_grid(grid)
    sw = run_sweep(
        scenario,
        policy,
        grid=g,
        replications=replications,
        seed=seed,
        engine=engine,
        customers=customers,
        days=days,
        workers=workers,
        address=address,
        progress=progress,
    )
    table = sweep_table(sw, kpi or None)
    console.print(
        f"[bold]{sw.scenario.name}[/] · policy {policy or 'none'} · {len(sw.summary['point'].unique())} grid points · "
        f"{sw.n_replications} replications · {sw.customers:,} customers × {sw.days:g} days · seed {seed} · engine {engine}"
    )
    console.print(table)
    if out is not None:
        path = sw.to_dir(out)
        console.print(f"written to [bold]{path}[/]: table / summary (.csv, .parquet), experiment.json, report.html")
