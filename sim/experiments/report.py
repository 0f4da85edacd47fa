"""Self-contained HTML reports of experiments (a :class:`~sim.experiments.Comparison` or :class:`~sim.experiments.Sweep`).

jinja2 renders the page from ``templates/`` (autoescaped, one inline stylesheet, laid out to fit
a 1280 px window); seaborn (on matplotlib) draws the plots — point estimates with their
confidence intervals, units on the axes, a title and a one-line takeaway — embedded as base64 PNG
``data:`` URIs, so the report is one file that opens anywhere offline. The statistics are those
of ``summary`` (:func:`sim.experiments.stats.summarize`, what the CLI prints): shares pooled over
replications with Wilson / Newcombe intervals and a note when they rest on too few events,
relative differences against an imprecise base shown as "—" with a footnote. Numbers are formatted by :mod:`sim.formatting`, the formatter the CLI uses,
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
import numpy as np

from sim._version import __version__
from sim.experiments.stats import MIN_EVENTS, REL_BASE_MAX_HALF_WIDTH, is_share
from sim.formatting import few_events_note, format_ci, format_p, format_relative, format_value
from sim.results.kpis import SHARE_EVENTS
from sim.schema import HEADLINE_KPIS, kpi_unit

__all__ = [
    "comparison_report",
    "sweep_report",
    "figure_to_data_uri",
    "draw_differences",
    "comparison_notes",
    "plot_unit",
]

#: Share KPIs plotted in a comparison report after the headline money KPIs (when computed).
_SHARE_PLOTS = ("sla_met_rate", "sla_met_P0", "repeat_rate")


def plot_unit(kpi: str, currency: str = "currency", *, difference: bool = False) -> tuple[float, str]:
    """(factor, unit) to plot a KPI: shares in % (levels) or percentage points (differences).

    Examples
    --------
    >>> plot_unit("sla_met_P0", difference=True), plot_unit("profit", "CNY")
    ((100.0, 'pp'), (1.0, 'CNY'))
    """
    unit = kpi_unit(kpi, currency)
    if unit == "share":
        return 100.0, "pp" if difference else "%"
    return 1.0, unit


def draw_differences(ax: Any, cmp: Any, kpi: str) -> str:
    """Draw each arm's difference to the baseline with its CI on ``ax`` (seaborn); return a takeaway.

    The points and intervals are those of ``cmp.summary`` (paired t-intervals; Newcombe
    intervals in percentage points for pooled shares). The error bars are labelled with the
    confidence level in the legend; the x axis carries the unit.

    Returns
    -------
    str
        One line: which arms' intervals exclude 0 and by how much.
    """
    import seaborn as sns

    s = cmp.summary.set_index(["policy", "kpi"])
    others = [a for a in cmp.arms if a != cmp.baseline]
    factor, unit = plot_unit(kpi, cmp.scenario.currency, difference=True)
    fmt_unit = kpi_unit(kpi, cmp.scenario.currency)
    ys = np.arange(len(others))[::-1].astype(float)
    d = np.array([s.loc[(a, kpi), "diff"] for a in others], dtype=float)
    lo = np.array([s.loc[(a, kpi), "diff_ci_low"] for a in others], dtype=float)
    hi = np.array([s.loc[(a, kpi), "diff_ci_high"] for a in others], dtype=float)
    excl = ~np.isnan(lo) & ((lo > 0) | (hi < 0))
    ok = ~np.isnan(lo) & ~np.isnan(d)
    ci_label = f"{cmp.confidence:.0%} CI"
    if ok.any():
        ax.errorbar(
            d[ok] * factor,
            ys[ok],
            xerr=[(d - lo)[ok] * factor, (hi - d)[ok] * factor],
            fmt="none",
            ecolor="0.3",
            capsize=5,
            lw=1.5,
            label=ci_label,
        )
    verdict = np.where(excl, "CI excludes 0", "CI includes 0")
    sns.scatterplot(
        x=d * factor,
        y=ys,
        hue=verdict,
        hue_order=["CI excludes 0", "CI includes 0"],
        palette={"CI excludes 0": "#b00020", "CI includes 0": "#1f77b4"},
        s=70,
        zorder=3,
        ax=ax,
    )
    ax.axvline(0.0, color="0.5", lw=1, ls="--")
    ax.set_yticks(ys, others)
    ax.set_ylim(-0.7, len(others) - 0.3)
    ax.set_ylabel("")
    ax.set_xlabel(f"Δ {kpi} ({unit})")
    ax.set_title(f"{kpi}: difference to {cmp.baseline}", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)
    parts = []
    for arm, di, l_, h_, ex in zip(others, d, lo, hi, excl):
        if np.isnan(di):
            parts.append(f"{arm}: no data")
        elif ex:
            parts.append(
                f"{arm} {format_value(di, fmt_unit, signed=True)} {_unit_suffix(fmt_unit)}"
                f"{format_ci(l_, h_, fmt_unit, signed=True)}".replace("  ", " ")
            )
        else:
            parts.append(f"{arm}: not distinguishable from 0")
    return "; ".join(parts) + f" (vs {cmp.baseline}, {ci_label})"


def _unit_suffix(unit: str) -> str:
    """The unit after a formatted number in prose ("" for shares, whose pp is already there)."""
    return "" if unit in ("", "share") else f"{unit} "


def _events_noun(kpi: str) -> str:
    return SHARE_EVENTS.get(kpi, "events")


def comparison_notes(cmp: Any) -> dict[str, list[str]]:
    """Footnotes of a comparison: shares resting on too few events, suppressed relative differences.

    The CLI can print these under its table; the report prints them under the summary.

    Returns
    -------
    dict
        ``{"few_events": [...], "relative": [...]}``, one line per KPI.

    Examples
    --------
    >>> from sim.experiments import compare
    >>> cmp = compare("baseline", ["do_nothing", "service_first"], replications=2, customers=200, days=60, progress=False)
    >>> notes = comparison_notes(cmp)
    >>> any(n.startswith("sla_met_P0: n=") for n in notes["few_events"])
    True
    """
    s = cmp.summary
    out: dict[str, list[str]] = {"few_events": [], "relative": []}
    for kpi in cmp.kpis:
        g = s[s["kpi"] == kpi]
        if "events" in g and g["few_events"].any() and g["events"].notna().any():
            fewest = g.loc[g["events"].idxmin()]
            out["few_events"].append(
                few_events_note(
                    kpi, fewest["events"], _events_noun(kpi), needed=MIN_EVENTS, replications=cmp.n_replications
                )
                + f" (fewest: arm {fewest['policy']}, {cmp.n_replications} replications pooled)"
            )
        if "rel_suppressed" in g and g["rel_suppressed"].any():
            b = g[g["policy"] == cmp.baseline].iloc[0]
            unit = kpi_unit(kpi, cmp.scenario.currency)
            out["relative"].append(
                f"{kpi}: relative Δ not shown — the baseline {format_value(b['mean'], unit)} {_unit_suffix(unit)}"
                f"{format_ci(b['ci_low'], b['ci_high'], unit)} is small against its own "
                f"{cmp.confidence:.0%} CI (half-width above {REL_BASE_MAX_HALF_WIDTH:.0%} of the mean), "
                "so a ratio to it is noise; read the absolute Δ"
            )
    return out


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
        share = is_share(kpi)
        for j, arm in enumerate(cmp.arms):
            r = s.loc[(arm, kpi)]
            base = arm == cmp.baseline
            lo, hi = r.get("diff_ci_low", float("nan")), r.get("diff_ci_high", float("nan"))
            sig = (not base) and not math.isnan(lo) and (lo > 0 or hi < 0)
            pooled = r.get("method", "t") == "wilson"
            events = r.get("events", float("nan"))
            rows.append(
                {
                    "first": j == 0,
                    "kpi": kpi,
                    "unit": "share (Δ in pp)" if share else unit,
                    "arm": arm,
                    "baseline": base,
                    "mean": _nb(format_value(r["mean"], unit)),
                    "ci": format_ci(r["ci_low"], r["ci_high"], unit),
                    "diff": "—" if base else _nb(format_value(r["diff"], unit, signed=True)),
                    "diff_ci": "" if base else _nb(format_ci(lo, hi, unit, signed=True)),
                    "rel": "—" if base else format_relative(r["rel_diff"], bool(r.get("rel_suppressed", False))),
                    "rel_note": (not base) and bool(r.get("rel_suppressed", False)),
                    "p": "—" if base else format_p(r["p_value"]),
                    "welch": "—"
                    if base
                    else (
                        "pooled: unpaired"
                        if pooled
                        else _nb(format_ci(r["welch_ci_low"], r["welch_ci_high"], unit, signed=True))
                    ),
                    "events": "" if math.isnan(events) else f"{int(events):,}",
                    "few": bool(r.get("few_events", False)),
                    "sig": sig,
                }
            )
    plots = []
    if len(cmp.arms) > 1:
        head = [k for k in order if k in cmp.kpis and not is_share(k)][:4]
        pk = head + [k for k in _SHARE_PLOTS if k in cmp.kpis][:2]
        import seaborn as sns

        for kpi in pk:
            with sns.axes_style("whitegrid"):
                fig = Figure(figsize=(6.4, 2.0 + 0.55 * (len(cmp.arms) - 1)))
                ax = fig.subplots()
            takeaway = draw_differences(ax, cmp, kpi)  # the takeaway is the figure's caption
            fig.tight_layout()
            plots.append(
                {"src": figure_to_data_uri(fig), "alt": f"{kpi}: difference to {cmp.baseline}", "takeaway": takeaway}
            )
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
        plots=plots,
        notes=comparison_notes(cmp),
        min_events=MIN_EVENTS,
        rel_max=REL_BASE_MAX_HALF_WIDTH,
    )
    return _write(html, path)


def _nb(text: str) -> str:
    """Keep a number and its unit together (``+1.2 pp``) so that table cells wrap only between bounds."""
    return text.replace(" pp", "\u00a0pp")


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
            events = r.get("events", float("nan"))
            cells.append(
                {
                    "mean": format_value(r["mean"], units[k]),
                    "ci": format_ci(r["ci_low"], r["ci_high"], units[k]),
                    "few": bool(r.get("few_events", False)),
                    "events": "" if math.isnan(events) else f"n={int(events):,}",
                }
            )
        rows.append({"vals": [g[c].iloc[0] for c in keys], "cells": cells})
    notes = []
    for k in show:
        g = s[s["kpi"] == k]
        if "few_events" in g and g["few_events"].any():
            notes.append(
                few_events_note(
                    k, float(g["events"].min()), _events_noun(k), needed=MIN_EVENTS, replications=sw.n_replications
                )
                + " (fewest at one grid point)"
            )
    import seaborn as sns

    plots = []
    for k in show[:4]:
        with sns.axes_style("whitegrid"):
            fig = Figure(figsize=(6.4, 3.8))
            ax = fig.subplots()
        sw.plot(k, x=keys[0], ax=ax)
        takeaway = sw.takeaway(k, x=keys[0])
        fig.tight_layout()
        plots.append({"src": figure_to_data_uri(fig), "alt": f"{k} by {keys[0]}", "takeaway": takeaway})
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
        notes=notes,
        min_events=MIN_EVENTS,
    )
    return _write(html, path)
