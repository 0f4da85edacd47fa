"""Self-contained HTML reports of experiments (a :class:`~sim.experiments.Comparison` or :class:`~sim.experiments.Sweep`).

jinja2 renders the page from ``templates/`` (autoescaped, one inline stylesheet); matplotlib
draws the plots, embedded as base64 PNG ``data:`` URIs, so the report is one file that opens
anywhere offline. Numbers are formatted by :mod:`sim.formatting`, the formatter the CLI uses,
with units from :mod:`sim.schema`. This module duck-types its inputs (it imports neither
comparison nor sweep), so the experiment modules can call it without an import cycle.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

import jinja2

from sim._version import __version__
from sim.formatting import format_ci, format_value
from sim.schema import HEADLINE_KPIS, kpi_unit

__all__ = ["comparison_report", "sweep_report", "figure_to_data_uri"]


def figure_to_data_uri(fig: Any, dpi: int = 100) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); _ = fig.subplots().plot([0, 1])
    >>> figure_to_data_uri(fig).startswith("data:image/png;base64,iVBOR")
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _dict_diff(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted paths where ``b`` differs from ``a`` (``path: old → new``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for k in sorted(set(a) | set(b), key=str):
            out += _dict_diff(a.get(k), b.get(k), f"{prefix}.{k}" if prefix else str(k))
        return out
    return [] if a == b else [f"{prefix}: {a!r} → {b!r}"]


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("sim.experiments", "templates"),
    autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _write(html: str, path: str | Path | None) -> str:
    if path is not None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(html, encoding="utf-8")
    return html


def _ordered_kpis(available: list[str], kpis: list[str] | None) -> list[str]:
    if kpis is not None:
        return [k for k in kpis if k in available]
    head = [k for k in HEADLINE_KPIS if k in available]
    return head + [k for k in available if k not in head]


def _setup(exp: Any, title: str, *, unit_name: str) -> dict[str, Any]:
    """What the page head and the Setup table of ``base.html.j2`` show, for a comparison or a sweep."""
    return {
        "title": title,
        "version": __version__,
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "scenario": exp.scenario,
        "replications": exp.n_replications,
        "seed": exp.seed,
        "customers": exp.customers,
        "days": exp.days,
        "engine": exp.engine,
        "confidence": exp.confidence,
        "unit_name": unit_name,
    }


def comparison_report(
    cmp: Any, path: str | Path | None = None, *, kpis: list[str] | None = None, title: str | None = None
) -> str:
    """Render a :class:`~sim.experiments.Comparison` as a self-contained HTML page.

    Parameters
    ----------
    cmp : Comparison
    path : path, optional
        Also write the page here.
    kpis : list of str, optional
        KPIs in the summary table (default: the headline KPIs first, then all others).
    title : str, optional

    Returns
    -------
    str
        The HTML.

    Examples
    --------
    >>> from sim.experiments import compare
    >>> cmp = compare("baseline", {"a": None, "b": "service_first"}, replications=2, customers=100, days=30, progress=False)
    >>> html = comparison_report(cmp)
    >>> "How to read this" in html and "data:image/png;base64," in html
    True
    """
    from matplotlib.figure import Figure

    sc = cmp.scenario
    order = _ordered_kpis(cmp.kpis, kpis)
    s = cmp.summary.set_index(["policy", "kpi"])
    rows = []
    for kpi in order:
        unit = kpi_unit(kpi, sc.currency)
        for j, arm in enumerate(cmp.arms):
            r = s.loc[(arm, kpi)]
            base = arm == cmp.baseline
            lo, hi = r.get("diff_ci_low", float("nan")), r.get("diff_ci_high", float("nan"))
            sig = (not base) and not math.isnan(lo) and (lo > 0 or hi < 0)
            rows.append(
                {
                    "first": j == 0,
                    "kpi": kpi,
                    "unit": unit,
                    "arm": arm,
                    "baseline": base,
                    "mean": format_value(r["mean"], unit),
                    "ci": format_ci(r["ci_low"], r["ci_high"], unit),
                    "diff": "—" if base else format_value(r["diff"], unit, signed=True),
                    "diff_ci": "—" if base else format_ci(lo, hi, unit, signed=True),
                    "rel": "—" if base or math.isnan(r["rel_diff"]) else f"{r['rel_diff']:+.1%}",
                    "p": "—"
                    if base or math.isnan(r["p_value"])
                    else (f"{r['p_value']:.3f}" if r["p_value"] >= 0.001 else "<0.001"),
                    "welch": "—" if base else format_ci(r["welch_ci_low"], r["welch_ci_high"], unit, signed=True),
                    "sig": sig,
                }
            )
    plot = None
    if len(cmp.arms) > 1:
        pk = [k for k in order if k in cmp.kpis][:4]
        fig = Figure(figsize=(7.0, 1.2 + 1.7 * len(pk) * max(1.0, (len(cmp.arms) - 1) ** 0.5)))
        cmp.plot(pk, fig=fig)
        plot = figure_to_data_uri(fig)
    base_dict = sc.to_dict()
    arms = []
    for name, (asc, pol) in cmp.arms.items():
        arms.append(
            {
                "name": name,
                "baseline": name == cmp.baseline,
                "policy": "none (the desk only)" if pol is None else pol.name,
                "description": (pol.description if pol is not None else "")
                or (asc.description if asc is not sc else ""),
                "changes": _dict_diff(base_dict, asc.to_dict()) if asc is not sc else [],
            }
        )
    html = _ENV.get_template("comparison.html.j2").render(
        **_setup(cmp, title or f"Policy comparison — {sc.name}", unit_name="arm"),
        arms=arms,
        baseline=cmp.baseline,
        rows=rows,
        plot=plot,
    )
    return _write(html, path)


def sweep_report(
    sw: Any, path: str | Path | None = None, *, kpis: list[str] | None = None, title: str | None = None
) -> str:
    """Render a :class:`~sim.experiments.Sweep` as a self-contained HTML page.

    Parameters
    ----------
    sw : Sweep
    path : path, optional
        Also write the page here.
    kpis : list of str, optional
        KPI columns of the summary table and plots (default: up to six headline KPIs).
    title : str, optional

    Returns
    -------
    str
        The HTML.

    Examples
    --------
    >>> from sim.experiments import sweep
    >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2, customers=100, days=30, progress=False)
    >>> html = sweep_report(sw)
    >>> "desk.agents" in html and html.count("data:image/png;base64,") >= 1
    True
    """
    from matplotlib.figure import Figure

    sc = sw.scenario
    show = _ordered_kpis(sw.kpis, kpis)[: (len(kpis) if kpis else 6)]
    keys = list(sw.grid)
    units = {k: kpi_unit(k, sc.currency) for k in show}
    s = sw.summary
    rows = []
    for _point, g in s.groupby("point", sort=True):
        g = g.set_index("kpi")
        cells = []
        for k in show:
            r = g.loc[k]
            cells.append(
                {"mean": format_value(r["mean"], units[k]), "ci": format_ci(r["ci_low"], r["ci_high"], units[k])}
            )
        rows.append({"vals": [g[c].iloc[0] for c in keys], "cells": cells})
    plots = []
    for k in show[:4]:
        fig = Figure(figsize=(6.4, 3.8))
        sw.plot(k, x=keys[0], ax=fig.subplots())
        fig.tight_layout()
        plots.append({"src": figure_to_data_uri(fig), "alt": f"{k} by {keys[0]}"})
    html = _ENV.get_template("sweep.html.j2").render(
        **_setup(sw, title or f"Parameter sweep — {sc.name}", unit_name="grid point"),
        policy="none" if sw.policy is None else f"{sw.policy.name} — {sw.policy.description}",
        grid=[(k, ", ".join(map(str, v))) for k, v in sw.grid.items()],
        n_points=int(s["point"].nunique()),
        grid_keys=keys,
        kpis=show,
        units=units,
        rows=rows,
        plots=plots,
    )
    return _write(html, path)
