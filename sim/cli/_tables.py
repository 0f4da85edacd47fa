"""The command line's KPI tables: rich tables for people, rows for ``--format csv|json``.

Which KPIs each command prints by default, the overall and monthly KPI tables of ``run``, the
paired-difference table of ``compare`` and the grid table of ``sweep``. Errors, headers and
output paths are :mod:`sim.cli._output`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from rich.markup import escape
from rich.table import Table

from sim.cli._output import _plain
from sim.errors import ConfigError
from sim.formatting import format_ci, format_value
from sim.schema import kpi_unit

__all__ = [
    "DEFAULT_COMPARE_KPIS",
    "DEFAULT_SWEEP_KPIS",
    "DEFAULT_MONTHLY_KPIS",
    "kpi_table",
    "monthly_table",
    "comparison_table",
    "sweep_table",
    "pick_kpis",
    "kpi_rows",
    "summary_rows",
]

#: Printed by ``compare`` by default (every KPI is in the written tables and in csv / json).
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
#: Printed by ``run --monthly`` by default (columns of the monthly table).
DEFAULT_MONTHLY_KPIS = ("orders", "revenue", "profit", "active_customers", "tickets", "sla_met_rate", "mean_wait_h")


# --------------------------------------------------------------------------- tables and rows
def pick_kpis(kpis: Iterable[str] | None, available: list[str], default: tuple[str, ...]) -> list[str]:
    """The KPIs to print: the ones asked for (all must exist) or the defaults that exist.

    Examples
    --------
    >>> pick_kpis(None, ["revenue", "profit"], ("profit", "nps"))
    ['profit']
    """
    if kpis:
        asked = list(kpis)
        bad = [k for k in asked if k not in available]
        if bad:
            raise ConfigError(f"--kpi {bad} not computed; available: {available}")
        return asked
    return [k for k in default if k in available]


def kpi_table(kpis: Any, title: str, *, currency: str) -> Table:
    """A rich table of overall KPIs (a pandas Series) with units from the data dictionary.

    Examples
    --------
    >>> import pandas as pd
    >>> kpi_table(pd.Series({"revenue": 1234.5, "mean_wait_h": 150.5}), "KPIs", currency="CNY").row_count
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


def monthly_table(monthly: Any, kpis: list[str], *, currency: str) -> Table:
    """A rich table: one row per calendar month, one column per KPI with its unit.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"revenue": [10.0, 20.0]}, index=pd.Index(["2025-01", "2025-02"], name="month"))
    >>> [c.header for c in monthly_table(m, ["revenue"], currency="EUR").columns]
    ['month', 'revenue (EUR)']
    """
    t = Table(title=f"KPIs per month (money in {currency})")
    t.add_column("month")
    units = {k: kpi_unit(k, currency) for k in kpis}
    for k in kpis:
        t.add_column(f"{k} ({units[k]})" if units[k] else k, justify="right")
    for month, row in monthly.iterrows():
        t.add_row(str(month), *[format_value(row[k], units[k]) for k in kpis])
    return t


def kpi_rows(kpis: Any, *, currency: str, period: str = "overall") -> list[dict[str, Any]]:
    """Rows ``period, kpi, value, unit`` for csv / json.

    Examples
    --------
    >>> import pandas as pd
    >>> kpi_rows(pd.Series({"revenue": 5.0}), currency="EUR")
    [{'period': 'overall', 'kpi': 'revenue', 'value': 5.0, 'unit': 'EUR'}]
    """
    return [
        {"period": period, "kpi": str(k), "value": _plain(v), "unit": kpi_unit(str(k), currency)}
        for k, v in kpis.items()
    ]


def summary_rows(summary: Any, kpis: list[str] | None, *, currency: str) -> list[dict[str, Any]]:
    """An experiment's summary (one row per arm or point and KPI) with a ``unit`` column, for csv / json.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"policy": ["a"], "kpi": ["profit"], "mean": [1.5]})
    >>> summary_rows(s, None, currency="EUR")
    [{'policy': 'a', 'kpi': 'profit', 'unit': 'EUR', 'mean': 1.5}]
    """
    if kpis:
        summary = summary[summary["kpi"].isin(kpis)]
    rows = []
    for rec in summary.to_dict(orient="records"):
        out: dict[str, Any] = {}
        for k, v in rec.items():
            out[str(k)] = _plain(v)
            if k == "kpi":
                out["unit"] = kpi_unit(str(v), currency)
        rows.append(out)
    return rows


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
    currency = cmp.scenario.currency
    t = Table(
        title=f"{cmp.n_replications} replications per arm: paired differences vs {cmp.baseline} "
        f"({cmp.confidence:.0%} CI; bold: CI excludes 0); money in {currency}"
    )
    t.add_column("KPI")
    t.add_column("unit")
    t.add_column(f"{cmp.baseline} mean", justify="right")
    others = [a for a in cmp.arms if a != cmp.baseline]
    for arm in others:
        t.add_column(f"{arm} Δ [CI]", justify="right")
    for kpi in kpis:
        unit = kpi_unit(kpi, currency)
        cells = [kpi, unit, format_value(s.loc[(cmp.baseline, kpi), "mean"], unit)]
        for arm in others:
            r = s.loc[(arm, kpi)]
            lo, hi = r["diff_ci_low"], r["diff_ci_high"]
            sig = not (lo != lo) and (lo > 0 or hi < 0)
            txt = f"{format_value(r['diff'], unit, signed=True)}\n{format_ci(lo, hi, unit, signed=True)}"
            if bool(r.get("few_events", False)):
                txt += "\n(few events)"
            cells.append(f"[bold]{escape(txt)}[/]" if sig else escape(txt))
        t.add_row(*cells)
    return t


def sweep_table(sw: Any, kpis: list[str] | None = None) -> Table:
    """A rich table: one row per grid point, mean and CI per KPI (money columns name the currency).

    Examples
    --------
    >>> from sim.experiments import sweep
    >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2, customers=100, days=30, progress=False)
    >>> sweep_table(sw, ["service_cost"]).columns[-1].header
    'service_cost (CNY)'
    """
    kpis = pick_kpis(kpis, sw.kpis, DEFAULT_SWEEP_KPIS)
    t = Table(title=f"{sw.n_replications} replications per grid point: mean [{sw.confidence:.0%} CI]")
    keys = list(sw.grid)
    for k in keys:
        t.add_column(k, justify="right")
    units = {k: kpi_unit(k, sw.scenario.currency) for k in kpis}
    for k in kpis:
        t.add_column(f"{k} ({units[k]})" if units[k] else k, justify="right")
    for _, g in sw.summary.groupby("point", sort=True):
        g = g.set_index("kpi")
        row = [escape(str(g[k].iloc[0])) for k in keys]
        for k in kpis:
            r = g.loc[k]
            row.append(escape(f"{format_value(r['mean'], units[k])}\n{format_ci(r['ci_low'], r['ci_high'], units[k])}"))
        t.add_row(*row)
    return t
