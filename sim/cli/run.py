"""``retention-lab run | scenarios | policies | dictionary``: one simulation and the presets.

Examples
--------
::

    retention-lab run --scenario baseline --customers 5000 --days 730 --seed 1 --out runs/base
    retention-lab scenarios
    retention-lab dictionary --out datasets/DATA_DICTIONARY.md
"""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli._output import console, handles_errors, kpi_table
from sim.schema import render_markdown

__all__ = ["app"]

app = typer.Typer()


@app.command()
@handles_errors
def run(
    scenario: str = typer.Option("baseline", "--scenario", "-s", help="Preset name or path to a scenario YAML."),
    policy: str | None = typer.Option(None, "--policy", "-p", help="Preset name or path to a policy YAML."),
    customers: int | None = typer.Option(None, "--customers", "-n", help="Paid customers acquired over the horizon."),
    days: float | None = typer.Option(None, "--days", "-d", help="Horizon in days."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same tables)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Directory for the Parquet tables, scenario and run metadata."
    ),
    monthly: bool = typer.Option(False, "--monthly", help="Also print the KPIs per month."),
) -> None:
    """Simulate one scenario, print its KPIs and (with --out) write its tables."""
    from sim.runner import run as simulate

    res = simulate(scenario, policy, customers=customers, days=days, seed=seed, progress=None)
    info = res.info
    console.print(
        f"[bold]{res.scenario.name}[/] · seed {seed} · {len(res.customers):,} customers · "
        f"{res.horizon_days:g} days · {len(res.orders):,} orders · {len(res.tickets):,} tickets · "
        f"{info['wall_seconds']:.2f} s"
    )
    console.print(kpi_table(res.kpis(), title="KPIs (overall; true_* = ground truth)", currency=res.scenario.currency))
    if monthly:
        console.print(res.kpis(by="month").round(3).to_string())
    if out is not None:
        path = res.to_dir(out)
        console.print(f"tables written to [bold]{path}[/] (Parquet + scenario.yaml + run.json)")


@app.command()
@handles_errors
def scenarios(name: str | None = typer.Argument(None, help="Show this preset as YAML.")) -> None:
    """List the scenario presets, or print one as YAML."""
    from sim.config.scenario import Scenario, list_presets

    if name is None:
        for n in list_presets():
            sc = Scenario.load(n)
            console.print(f"[bold]{n}[/]: {sc.description}")
        return
    typer.echo(Scenario.load(name).to_yaml())


@app.command()
@handles_errors
def policies(name: str | None = typer.Argument(None, help="Show this preset as YAML.")) -> None:
    """List the policy presets, or print one as YAML."""
    from sim.config.policy import Policy, list_policies

    if name is None:
        for n in list_policies():
            console.print(f"[bold]{n}[/]: {Policy.load(n).description}")
        return
    typer.echo(Policy.load(name).to_yaml())


@app.command()
@handles_errors
def dictionary(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write Markdown here instead of printing."),
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
