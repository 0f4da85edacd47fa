"""``retention-lab run | scenarios | policies | dictionary``: one simulation and the presets.

Heavy modules (pandas, numpy, SimPy) are imported inside the commands, so ``--help`` and
argument errors are instant.

Examples
--------
::

    retention-lab run --scenario baseline --policy vip_care --customers 5000 --days 730 --seed 1 --out runs/vip
    retention-lab run -c 2000 -d 365 --format csv > kpis.csv
    retention-lab scenarios
    retention-lab dictionary --out datasets/DATA_DICTIONARY.md
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from sim.cli._options import OutputFormat, option
from sim.cli._output import (
    check_out_dir,
    check_out_file,
    console,
    emit,
    err_console,
    handles_errors,
    progress_on_stderr,
    want_progress,
    writing,
)
from sim.cli._tables import (
    DEFAULT_MONTHLY_KPIS,
    kpi_rows,
    kpi_table,
    monthly_table,
    pick_kpis,
)
from sim.errors import ConfigError

__all__ = ["app", "policy_label"]

app = typer.Typer()


def policy_label(policy: str | None) -> str:
    """How a ``--policy`` value is named in headers: the preset name, or a YAML file's stem.

    Examples
    --------
    >>> policy_label("vip_care"), policy_label("my/policies/rescue.yaml"), policy_label(None), policy_label("None")
    ('vip_care', 'rescue', 'none', 'none')
    """
    if policy is None or policy.lower() == "none":
        return "none"
    p = Path(policy)
    return p.stem if p.suffix in (".yaml", ".yml") else policy


@app.command()
@handles_errors
def run(
    scenario: str = option("scenario", "baseline"),
    policy: str | None = option("policy"),
    customers: int | None = option("customers"),
    days: float | None = option("days"),
    seed: int = option("seed", 0),
    out: str | None = option("out"),
    monthly: bool = option("monthly", False),
    kpi: list[str] = option("kpi", []),
    fmt: OutputFormat = option("format", OutputFormat.table),
    progress: bool | None = option("progress"),
) -> None:
    """Simulate one scenario and print its KPIs.

    With --out FOLDER, also write its tables (Parquet), scenario.yaml, run.json and MANIFEST.json
    there, all at once.
    """
    from sim.config.policy import Policy
    from sim.config.scenario import Scenario
    from sim.results.kpis import SHARE_EVENTS, count_name
    from sim.results.result import RESULT_FILES
    from sim.runner import run as simulate

    target = None if out is None else check_out_dir(out, "result", RESULT_FILES)
    sc = Scenario.load(scenario)
    pol = None if policy is None or policy.lower() == "none" else Policy.load(policy)
    size = (customers or sc.population.customers) * (days or sc.horizon_days)
    with progress_on_stderr():
        res = simulate(sc, pol, customers=customers, days=days, seed=seed, progress=want_progress(progress, size))
    currency = res.scenario.currency
    info = res.info
    overall = res.kpis()
    # n_<share> (a share's denominator): in csv / json, in the table only when asked for (--kpi)
    counts = {count_name(k) for k in SHARE_EVENTS} if fmt == OutputFormat.table else set()
    picked = pick_kpis(kpi, [str(k) for k in overall.index], tuple(str(k) for k in overall.index if k not in counts))
    meta: dict[str, Any] = {
        "command": "run",
        "scenario": res.scenario.name,
        "policy": policy_label(policy),
        "seed": res.seed,
        "customers": int(info.get("customers", len(res.customers))),
        "days": res.horizon_days,
        "replications": 1,
        "currency": currency,
        "customers_acquired": len(res.customers),
        "orders": len(res.orders),
        "tickets": len(res.tickets),
        "wall_seconds": round(float(info.get("wall_seconds", float("nan"))), 3),
    }
    meta["extra"] = [
        f"{meta['customers_acquired']:,} acquired",
        f"{meta['orders']:,} orders",
        f"{meta['tickets']:,} tickets",
        f"{meta['wall_seconds']:.2f} s",
    ]
    rows = kpi_rows(overall[picked], currency=currency)
    tables: list[Any] = [kpi_table(overall[picked], "KPIs (overall; true_* = ground truth)", currency=currency)]
    if monthly:
        by_month = res.kpis(by="month")
        columns = [k for k in kpi if k in by_month.columns] or [
            k for k in DEFAULT_MONTHLY_KPIS if k in by_month.columns
        ]
        tables.append(monthly_table(by_month, columns, currency=currency))
        all_columns = [k for k in kpi if k in by_month.columns] or list(by_month.columns)
        for month, row in by_month.iterrows():
            rows += kpi_rows(row[all_columns], currency=currency, period=str(month))
    emit(fmt, meta, rows, tables)
    if target is not None:
        with writing(target, atomic=True), err_console.status(f"writing {target} ..."):
            path = res.to_dir(target)
        say = console if fmt == OutputFormat.table else err_console
        say.print(f"tables written to {path} (Parquet + scenario.yaml + run.json + MANIFEST.json)", highlight=False)


def _presets(kind: str, name: str | None, fmt: OutputFormat) -> None:
    """List the presets of ``kind`` (``scenarios`` or ``policies``), or show one."""
    from rich.table import Table

    noun = "scenario" if kind == "scenarios" else "policy"
    if kind == "scenarios":
        from sim.config.scenario import Scenario as Cls
        from sim.config.scenario import list_presets as names
    else:
        from sim.config.policy import Policy as Cls  # type: ignore[assignment]
        from sim.config.policy import list_policies as names

    if name is not None:
        doc = Cls.load(name)
        if fmt == OutputFormat.table:
            typer.echo(doc.to_yaml())
        elif fmt == OutputFormat.json:
            import json

            typer.echo(json.dumps(doc.to_dict(), ensure_ascii=False, allow_nan=False))
        else:
            raise ConfigError(f"--format csv: one {noun} is a nested document; use --format table (YAML) or json")
        return
    rows = [{"name": n, "description": " ".join(Cls.load(n).description.split())} for n in names()]
    t = Table(title=f"{noun} presets (`retention-lab {kind} NAME` shows one as YAML)")
    t.add_column("name", style="bold")
    t.add_column("description")
    for r in rows:
        t.add_row(r["name"], r["description"])
    if fmt == OutputFormat.table:
        console.print(t)
        return
    emit_list(fmt, rows)


def emit_list(fmt: OutputFormat, rows: list[dict[str, Any]]) -> None:
    """A list of presets as CSV or JSON on stdout."""
    import csv
    import json
    import sys

    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    w = csv.DictWriter(sys.stdout, fieldnames=["name", "description"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)


@app.command()
@handles_errors
def scenarios(
    name: str | None = typer.Argument(None, help="Show this preset as YAML."),
    fmt: OutputFormat = option("format", OutputFormat.table),
) -> None:
    """List the scenario presets, or print one as YAML."""
    _presets("scenarios", name, fmt)


@app.command()
@handles_errors
def policies(
    name: str | None = typer.Argument(None, help="Show this preset as YAML."),
    fmt: OutputFormat = option("format", OutputFormat.table),
) -> None:
    """List the policy presets, or print one as YAML."""
    _presets("policies", name, fmt)


@app.command()
@handles_errors
def dictionary(
    out: str | None = option("out"),
    check: bool = option("check", False),
) -> None:
    """Render the data dictionary (every column and KPI) as Markdown; with --out FILE, write it there."""
    from sim.schema import render_markdown

    text = render_markdown()
    if out is None:
        typer.echo(text)
        return
    if check:
        if not out.strip():
            raise ConfigError("--out '' is empty: give the file to check, e.g. --out datasets/DATA_DICTIONARY.md")
        if Path(out).exists() and not Path(out).is_file():
            raise ConfigError(f"--out {out[:80]!r} is not a file: give the data dictionary file to check")
        try:
            current = Path(out).read_bytes().decode("utf-8") if Path(out).is_file() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--out {out[:80]!r} cannot be read as UTF-8 text ({exc})"[:300]) from None
        if current != text:
            console.print(f"{out} is out of date; run `retention-lab dictionary --out {out}`", highlight=False)
            raise typer.Exit(code=1)
        console.print(f"{out} is up to date", highlight=False)
        return
    target = check_out_file(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with writing(target, atomic=True):
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    console.print(f"wrote {target}", highlight=False)
