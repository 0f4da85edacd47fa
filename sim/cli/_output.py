"""What the ``retention-lab`` command prints: one console, one error printer, KPI tables.

Numbers go through :mod:`sim.formatting`, the formatter the HTML reports use, so a KPI prints
the same in ``run``, ``compare``, ``sweep`` and in a report.

A :class:`~sim.errors.RetentionLabError` (bad input: a config, a table, a path) prints one
clear line ``error: ...`` and exits with status 2; any other exception is a bug and keeps its
traceback.

Examples
--------
>>> import typer
>>> from typer.testing import CliRunner
>>> from sim.errors import ConfigError
>>> app = typer.Typer()
>>> @app.command()
... @handles_errors
... def boom() -> None:
...     raise ConfigError("desk.agents=-1 is not allowed: give a whole number >= 0")
>>> r = CliRunner().invoke(app, [])
>>> r.exit_code, r.output.strip()
(2, 'error: desk.agents=-1 is not allowed: give a whole number >= 0')
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.errors import ConfigError, RetentionLabError
from sim.formatting import format_ci, format_value
from sim.schema import kpi_unit

__all__ = ["console", "fail", "handles_errors", "kpi_table", "comparison_table", "sweep_table", "pick_kpis"]

console = Console()

F = TypeVar("F", bound=Callable[..., Any])

#: Printed by ``compare`` by default (every KPI is in the written tables).
DEFAULT_COMPARE_KPIS = (
    "profit",
    "revenue",
    "retention_cost",
    "service_cost",
    "orders_per_customer",
    "true_alive",
    "nps",
    "sla_met_rate",
    "mean_wait_h",
)
#: Printed by ``sweep`` by default.
DEFAULT_SWEEP_KPIS = ("profit", "revenue", "retention_cost", "mean_wait_h")


def fail(exc: BaseException) -> NoReturn:
    """Print ``error: <message>`` (one line, no traceback) and exit with status 2."""
    console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def handles_errors(fn: F) -> F:
    """Decorate a command: a :class:`~sim.errors.RetentionLabError` becomes :func:`fail`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RetentionLabError as exc:
            fail(exc)

    return wrapper  # type: ignore[return-value]


def pick_kpis(kpis: Iterable[str] | None, available: list[str], default: tuple[str, ...]) -> list[str]:
    """The KPIs to print: the ones asked for (all must exist) or the defaults that exist."""
    if kpis:
        asked = list(kpis)
        bad = [k for k in asked if k not in available]
        if bad:
            raise ConfigError(f"--kpi {bad} not computed; available: {available}")
        return asked
    return [k for k in default if k in available]


def kpi_table(kpis: Any, title: str, *, currency: str = "currency") -> Table:
    """A rich table of overall KPIs (a pandas Series) with units from the data dictionary.

    Examples
    --------
    >>> import pandas as pd
    >>> kpi_table(pd.Series({"revenue": 1234.5, "mean_wait_h": 150.5}), "KPIs").row_count
    2
    """
    t = Table(title=title, show_lines=False)
    t.add_column("KPI")
    t.add_column("value", justify="right")
    t.add_column("unit")
    for name, value in kpis.items():
        unit = kpi_unit(str(name), currency)
        v = float(value) if value is not None else math.nan
        t.add_row(str(name), format_value(v, unit), unit)
    return t


def comparison_table(cmp: Any, kpis: list[str] | None = None) -> Table:
    """A rich table: baseline mean and each arm's paired difference with its CI, per KPI.

    Examples
    --------
    >>> from sim.experiments import compare
    >>> cmp = compare("baseline", ["do_nothing", "service_first"], replications=2, customers=100, days=30, progress=False)
    >>> comparison_table(cmp, ["service_cost"]).row_count
    1
    """
    kpis = pick_kpis(kpis, cmp.kpis, DEFAULT_COMPARE_KPIS)
    s = cmp.summary.set_index(["policy", "kpi"])
    t = Table(
        title=f"{cmp.scenario.name}: {cmp.n_replications} replications per arm, paired differences vs {cmp.baseline} ({cmp.confidence:.0%} CI)"
    )
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
            txt = f"{format_value(r['diff'], unit, signed=True)}\n{format_ci(lo, hi, unit, signed=True)}"
            cells.append(f"[bold]{escape(txt)}[/]" if sig else escape(txt))
        t.add_row(*cells)
    return t


def sweep_table(sw: Any, kpis: list[str] | None = None) -> Table:
    """A rich table: one row per grid point, mean and CI per KPI.

    Examples
    --------
    >>> from sim.experiments import sweep
    >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2, customers=100, days=30, progress=False)
    >>> sweep_table(sw, ["service_cost"]).row_count
    2
    """
    kpis = pick_kpis(kpis, sw.kpis, DEFAULT_SWEEP_KPIS)
    t = Table(
        title=f"{sw.scenario.name}: {sw.n_replications} replications per grid point, mean [{sw.confidence:.0%} CI]"
    )
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
            row.append(escape(f"{format_value(r['mean'], units[k])}\n{format_ci(r['ci_low'], r['ci_high'], units[k])}"))
        t.add_row(*row)
    return t
