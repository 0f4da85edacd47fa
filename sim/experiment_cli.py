"""``retention-lab compare`` and ``retention-lab sweep``: experiments from the terminal.

typer parses the options, :mod:`sim.experiment` runs the experiment, rich prints the summary
table, and :mod:`sim.report` writes the HTML report. Hand-written: only the ``--grid`` parser
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
from typing import Any, List, Optional

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.errors import ConfigError, RetentionLabError

__all__ = ["register", "parse_grid", "comparison_table", "sweep_table"]

console = Console()

#: Printed by default (every KPI is in the written tables).
DEFAULT_PRINT_KPIS = ("profit", "revenue", "retention_cost", "service_cost", "orders_per_customer", "true_alive", "nps", "sla_met_rate", "mean_wait_h")


def parse_grid(items: List[str]) -> dict[str, list[Any]]:
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
            raise ConfigError(f"--grid {item!r}: empty value in the list {raw!r}; give comma-separated values, e.g. {path}=1,2,3")
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
DEFAULT_SWEEP_KPIS = ("profit", "revenue", "retention_cost", "mean_wait_h")


def _print_kpis(kpis: Optional[List[str]], available: list[str], default: tuple[str, ...] = DEFAULT_PRINT_KPIS) -> list[str]:
    if kpis:
        bad = [k for k in kpis if k not in available]
        if bad:
            raise ConfigError(f"--kpi {bad} not computed; available: {available}")
        return list(kpis)
    return [k for k in default if k in available]


def comparison_table(cmp: Any, kpis: list[str] | None = None) -> Table:
    """A rich table: baseline mean and each arm's paired difference with its CI, per KPI.

    Examples
    --------
    >>> from sim.experiment import compare
    >>> cmp = compare("baseline", ["do_nothing", "service_first"], replications=2, customers=100, days=30, progress=False)
    >>> comparison_table(cmp, ["service_cost"]).row_count
    1
    """
    from sim.experiment import kpi_unit
    from sim.report import _ci, format_value

    kpis = _print_kpis(kpis, cmp.kpis)
    s = cmp.summary.set_index(["policy", "kpi"])
    t = Table(title=f"{cmp.scenario.name}: {cmp.n_replications} replications per arm, paired differences vs {cmp.baseline} ({cmp.level:.0%} CI)")
    t.add_column("KPI")
    t.add_column("unit")
    t.add_column(f"{cmp.baseline} mean", justify="right")
    others = [a for a in cmp.arms if a != cmp.baseline]
    for arm in others:
        t.add_column(f"{arm} Δ [CI]", justify="right")
    for kpi in kpis:
        unit = kpi_unit(kpi, cmp.scenario.currency)
        cells = [kpi, unit, format_value(s.loc[(cmp.baseline, kpi), "mean"], unit)]
        for arm in others:
            r = s.loc[(arm, kpi)]
            lo, hi = r["diff_ci_low"], r["diff_ci_high"]
            sig = not (lo != lo) and (lo > 0 or hi < 0)
            txt = f"{format_value(r['diff'], unit, signed=True)}\n{_ci(lo, hi, unit, signed=True)}"
            cells.append(f"[bold]{escape(txt)}[/]" if sig else escape(txt))
        t.add_row(*cells)
    return t


def sweep_table(sw: Any, kpis: list[str] | None = None) -> Table:
    """A rich table: one row per grid point, mean and CI per KPI.

    Examples
    --------
    >>> from sim.experiment import sweep
    >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2, customers=100, days=30, progress=False)
    >>> sweep_table(sw, ["service_cost"]).row_count
    2
    """
    from sim.experiment import kpi_unit
    from sim.report import _ci, format_value

    kpis = _print_kpis(kpis, sw.kpis, DEFAULT_SWEEP_KPIS)
    t = Table(title=f"{sw.scenario.name}: {sw.n_replications} replications per grid point, mean [{sw.level:.0%} CI]")
    keys = list(sw.grid)
    for k in keys:
        t.add_column(k, justify="right")
    units = {k: kpi_unit(k, sw.scenario.currency) for k in kpis}
    for k in kpis:
        t.add_column(f"{k} ({units[k]})", justify="right")
    for _, g in sw.summary.groupby("point", sort=True):
        g = g.set_index("kpi")
        row = [escape(str(g[k].iloc[0])) for k in keys]
        for k in kpis:
            r = g.loc[k]
            row.append(escape(f"{format_value(r['mean'], units[k])}\n{_ci(r['ci_low'], r['ci_high'], units[k])}"))
        t.add_row(*row)
    return t


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    """Add the ``compare`` and ``sweep`` commands to the ``retention-lab`` app.

    Examples
    --------
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> sorted(c.callback.__name__ for c in app.registered_commands)
    ['compare', 'sweep']
    """

    @app.command()
    def compare(
        scenario: str = typer.Option("baseline", "--scenario", "-s", help="Scenario preset name or YAML path."),
        policy: List[str] = typer.Option([], "--policy", "-p", help="Policy preset or YAML path (repeat; the first is the baseline; 'none' = no policy)."),
        replications: int = typer.Option(10, "--replications", "-n", help="Replications per policy."),
        engine: str = typer.Option("local", "--engine", "-e", help="local, process or dask."),
        customers: Optional[int] = typer.Option(None, "--customers", help="Paid customers per run (default: the scenario's)."),
        days: Optional[float] = typer.Option(None, "--days", "-d", help="Horizon in days (default: the scenario's)."),
        seed: int = typer.Option(0, "--seed", help="Master seed (replication k uses the same seed for every policy)."),
        workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Processes / Dask workers (default: all cores)."),
        address: Optional[str] = typer.Option(None, "--address", help="Dask scheduler address (engine dask)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write replications, summary (CSV + Parquet) and report.html here."),
        kpi: List[str] = typer.Option([], "--kpi", "-k", help="KPIs to print (repeat; all are written)."),
        progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: for long runs)."),
    ) -> None:
        """Compare policies over replications with common random numbers; print paired differences."""
        from sim.experiment import compare as run_compare

        try:
            if not policy:
                raise ConfigError("give at least one --policy (the first is the baseline), e.g. --policy do_nothing --policy vip_care")
            arms: dict[str, Any] = {}
            for p in policy:
                name = "none" if p.lower() == "none" else (Path(p).stem if Path(p).suffix in (".yaml", ".yml") else p)
                if name in arms:
                    raise ConfigError(f"--policy {p!r} is given twice")
                arms[name] = None if p.lower() == "none" else p
            cmp = run_compare(scenario, arms, replications=replications, seed=seed, engine=engine, customers=customers,
                              days=days, workers=workers, address=address, progress=progress)
            table = comparison_table(cmp, kpi or None)
        except RetentionLabError as exc:
            _fail(exc)
        console.print(
            f"[bold]{cmp.scenario.name}[/] · {', '.join(cmp.arms)} · {cmp.n_replications} replications · "
            f"{cmp.customers:,} customers × {cmp.days:g} days · seed {seed} · engine {engine}"
        )
        console.print(table)
        if out is not None:
            path = cmp.to_dir(out)
            console.print(f"written to [bold]{path}[/]: replications / summary (.csv, .parquet), experiment.json, report.html")

    @app.command()
    def sweep(
        scenario: str = typer.Option("baseline", "--scenario", "-s", help="Scenario preset name or YAML path."),
        policy: Optional[str] = typer.Option(None, "--policy", "-p", help="Base policy preset or YAML path (default: none)."),
        grid: List[str] = typer.Option([], "--grid", "-g", help="path=v1,v2,... (repeat; Cartesian product). Paths: scenario.<f>, policy.<f> or bare."),
        replications: int = typer.Option(10, "--replications", "-n", help="Replications per grid point."),
        engine: str = typer.Option("local", "--engine", "-e", help="local, process or dask."),
        customers: Optional[int] = typer.Option(None, "--customers", help="Paid customers per run (default: the scenario's)."),
        days: Optional[float] = typer.Option(None, "--days", "-d", help="Horizon in days (default: the scenario's)."),
        seed: int = typer.Option(0, "--seed", help="Master seed (every grid point uses the same replication seeds)."),
        workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Processes / Dask workers (default: all cores)."),
        address: Optional[str] = typer.Option(None, "--address", help="Dask scheduler address (engine dask)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write table, summary (CSV + Parquet) and report.html here."),
        kpi: List[str] = typer.Option([], "--kpi", "-k", help="KPIs to print (repeat; all are written)."),
        progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: for long runs)."),
    ) -> None:
        """Run a grid of scenario / policy fields over replications; print mean and CI per point."""
        from sim.experiment import sweep as run_sweep

        try:
            g = parse_grid(grid)
            sw = run_sweep(scenario, policy, grid=g, replications=replications, seed=seed, engine=engine,
                           customers=customers, days=days, workers=workers, address=address, progress=progress)
            table = sweep_table(sw, kpi or None)
        except RetentionLabError as exc:
            _fail(exc)
        console.print(
            f"[bold]{sw.scenario.name}[/] · policy {policy or 'none'} · {len(sw.summary['point'].unique())} grid points · "
            f"{sw.n_replications} replications · {sw.customers:,} customers × {sw.days:g} days · seed {seed} · engine {engine}"
        )
        console.print(table)
        if out is not None:
            path = sw.to_dir(out)
            console.print(f"written to [bold]{path}[/]: table / summary (.csv, .parquet), experiment.json, report.html")
