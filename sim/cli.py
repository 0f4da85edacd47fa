"""The ``retention-lab`` command (also ``python -m sim``).

Examples
--------
::

    retention-lab run --scenario baseline --customers 5000 --days 730 --seed 1 --out runs/base
    retention-lab scenarios
    retention-lab dictionary --out datasets/DATA_DICTIONARY.md
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from sim.dictionary import KPIS, render_markdown
from sim.errors import RetentionLabError

app = typer.Typer(
    name="retention-lab",
    help="Retention Lab: simulate a customer base, rehearse retention policies, build the course.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

from sim.datasets_cli import app as _datasets_app  # noqa: E402
from sim.teach.cli import app as _teach_app  # noqa: E402

app.add_typer(_teach_app, name="teach", help="Build student exercises from solutions; strip notebooks.")
app.add_typer(_datasets_app, name="datasets", help="Regenerate or check the bundled datasets (datasets/).")

from sim.experiment_cli import register as _register_experiments  # noqa: E402

_register_experiments(app)


def _fmt(name: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    unit = KPIS[name].unit if name in KPIS else ""
    if unit == "share":
        return f"{value:.1%}"
    if unit == "currency":
        return f"{value:,.0f}"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.1f}"


def kpi_table(kpis, title: str) -> Table:  # noqa: ANN001 - pandas Series
    """A rich table of overall KPIs with units from the data dictionary."""
    t = Table(title=title, show_lines=False)
    t.add_column("KPI")
    t.add_column("value", justify="right")
    t.add_column("unit")
    for name, value in kpis.items():
        base = name if name in KPIS else ("sla_met_P0" if name.startswith("sla_met_P") else name)
        unit = KPIS[base].unit if base in KPIS else ""
        t.add_row(name, _fmt(base, float(value)), unit)
    return t


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(code=2)


@app.command()
def run(
    scenario: str = typer.Option("baseline", "--scenario", "-s", help="Preset name or path to a scenario YAML."),
    policy: Optional[str] = typer.Option(None, "--policy", "-p", help="Preset name or path to a policy YAML."),
    customers: Optional[int] = typer.Option(None, "--customers", "-n", help="Paid customers acquired over the horizon."),
    days: Optional[float] = typer.Option(None, "--days", "-d", help="Horizon in days."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same tables)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Directory for the Parquet tables, scenario and run metadata."),
    monthly: bool = typer.Option(False, "--monthly", help="Also print the KPIs per month."),
) -> None:
    """Simulate one scenario, print its KPIs and (with --out) write its tables."""
    import sim

    try:
        res = sim.run(scenario, policy, customers=customers, days=days, seed=seed, progress=None)
    except RetentionLabError as exc:
        _fail(exc)
    info = res.info
    console.print(
        f"[bold]{res.scenario.name}[/] · seed {seed} · {len(res.customers):,} customers · "
        f"{res.horizon_days:g} days · {len(res.orders):,} orders · {len(res.tickets):,} tickets · "
        f"{info['wall_seconds']:.2f} s"
    )
    console.print(kpi_table(res.kpis(), title="KPIs (overall; true_* = ground truth)"))
    if monthly:
        console.print(res.kpis(by="month").round(3).to_string())
    if out is not None:
        path = res.to_dir(out)
        console.print(f"tables written to [bold]{path}[/] (Parquet + scenario.yaml + run.json)")


@app.command()
def scenarios(name: Optional[str] = typer.Argument(None, help="Show this preset as YAML.")) -> None:
    """List the scenario presets, or print one as YAML."""
    from sim.scenario import Scenario, list_presets

    if name is None:
        for n in list_presets():
            sc = Scenario.load(n)
            console.print(f"[bold]{n}[/]: {sc.description}")
        return
    try:
        typer.echo(Scenario.load(name).to_yaml())
    except RetentionLabError as exc:
        _fail(exc)


@app.command()
def policies(name: Optional[str] = typer.Argument(None, help="Show this preset as YAML.")) -> None:
    """List the policy presets, or print one as YAML."""
    from sim.policy import Policy, list_policies

    if name is None:
        for n in list_policies():
            console.print(f"[bold]{n}[/]: {Policy.load(n).description}")
        return
    try:
        typer.echo(Policy.load(name).to_yaml())
    except RetentionLabError as exc:
        _fail(exc)


@app.command()
def dictionary(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write Markdown here instead of printing."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if the file at --out is out of date."),
) -> None:
    """Render the data dictionary (every column and KPI) as Markdown."""
    text = render_markdown()
    if out is None:
        typer.echo(text)
        return
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            console.print(f"{out} is out of date; run `retention-lab dictionary --out {out}`")
            raise typer.Exit(code=1)
        console.print(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")


def main() -> None:
    """Entry point of ``python -m sim``."""
    app()


if __name__ == "__main__":
    main()
