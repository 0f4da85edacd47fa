"""Self-contained HTML reports of experiments (:class:`sim.experiment.Comparison`, :class:`~sim.experiment.Sweep`).

jinja2 renders the page (autoescaped, one inline stylesheet); matplotlib draws the plots,
embedded as base64 PNG ``data:`` URIs, so the report is one file that opens anywhere offline.
Hand-written: only the number formatting with units from :data:`sim.dictionary.KPIS`.

Examples
--------
>>> format_value(0.4567, "share"), format_value(1234567.8, "CNY"), format_value(0.012, "share", signed=True)
('45.7%', '1,234,568', '+1.2 pp')
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from sim._version import __version__

if TYPE_CHECKING:
    from sim.experiment import Comparison, Sweep

__all__ = ["comparison_report", "sweep_report", "format_value", "figure_to_data_uri"]

_CURRENCY_UNITS = frozenset({"currency", "CNY", "EUR", "USD", "GBP", "JPY"})


def format_value(value: Any, unit: str = "", *, signed: bool = False) -> str:
    """Format a KPI value (or a difference, ``signed=True``) for people, by its unit.

    Shares print as percentages (differences of shares as percentage points), money with
    thousands separators and no decimals, everything else with three significant digits.

    Examples
    --------
    >>> format_value(float("nan"), "hours"), format_value(-3.14159, "hours", signed=True)
    ('—', '-3.14')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "—"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * v:{sign}.1f} pp" if signed else f"{v:.1%}"
    if unit in _CURRENCY_UNITS or abs(v) >= 1000:
        return f"{v:{sign},.0f}"
    if v == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    return f"{v:{sign}.{digits}f}"


def _ci(lo: Any, hi: Any, unit: str, *, signed: bool = False) -> str:
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return "—"
    return f"[{format_value(lo, unit, signed=signed)}, {format_value(hi, unit, signed=signed)}]"


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


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.88rem} th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap} th{background:#f6f6f6}
tr.base td{color:#555} .sig{color:#b00020;font-weight:600} .muted{color:#777;font-size:.85rem}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0} code{background:#f3f3f3;padding:0 .2rem}
"""

_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)

_SETUP = """
<h2>Setup</h2>
<table>
<tr><th>scenario</th><td><b>{{ scenario.name }}</b> — {{ scenario.description }}</td></tr>
<tr><th>replications</th><td>{{ replications }} per {{ unit_name }} (seeds derived from master seed {{ seed }}; the same seeds in every {{ unit_name }})</td></tr>
<tr><th>run size</th><td>{{ "{:,}".format(customers) }} paid customers × {{ "%g"|format(days) }} days</td></tr>
<tr><th>engine</th><td>{{ engine }}</td></tr>
<tr><th>confidence level</th><td>{{ "%.0f"|format(100 * level) }}%</td></tr>
</table>
"""

#: Page head shared by both reports.
_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title><style>{{ css }}</style></head>
<body>
<h1>{{ title }}</h1>
<p class="muted">Retention Lab {{ version }} · generated {{ generated }}</p>
"""

_COMPARISON_TMPL = _ENV.from_string(
    _HEAD
    + _SETUP
    + """
<h2>Arms</h2>
<table>
<tr><th>arm</th><th>policy</th><th>description</th><th>scenario changes vs {{ scenario.name }}</th></tr>
{% for a in arms %}
<tr{% if a.baseline %} class="base"{% endif %}><td><b>{{ a.name }}</b>{% if a.baseline %} (baseline){% endif %}</td>
<td>{{ a.policy }}</td><td>{{ a.description }}</td>
<td>{% if a.changes %}{% for c in a.changes %}<code>{{ c }}</code><br>{% endfor %}{% else %}—{% endif %}</td></tr>
{% endfor %}
</table>

<h2>How to read this</h2>
<p>Every arm was run {{ replications }} times. Replication <i>k</i> uses the same random seed in
every arm (<b>common random numbers</b>): the same customers arrive with the same latent traits and
meet the same shocks, so the arms differ only through what the arm changes. For each KPI the table
gives the mean over replications with its {{ "%.0f"|format(100 * level) }}% t-interval, and, for each
arm, the <b>paired difference</b> to the baseline <b>{{ baseline }}</b>: the mean of the per-replication
differences (arm − baseline), its {{ "%.0f"|format(100 * level) }}% t-interval, the relative difference
and the p-value of the paired t-test. An interval that excludes 0 (marked red) means the difference is
unlikely to be simulation noise at this many replications — it says nothing about effects the
simulator does not model. The last column is the unpaired (Welch) interval of the same difference,
which ignores the pairing: it is wider whenever the shared seeds make the arms move together, and
shows what common random numbers buy. Differences of shares are in percentage points (pp).</p>

{% if plot %}
<h2>Differences to {{ baseline }}</h2>
<img alt="paired differences to the baseline with confidence intervals" src="{{ plot }}">
<p class="muted">Each point is an arm's mean paired difference to {{ baseline }}; bars are {{ "%.0f"|format(100 * level) }}%
confidence intervals; red points have intervals that exclude zero.</p>
{% endif %}

<h2>Summary</h2>
<table>
<tr><th>KPI</th><th>unit</th><th>arm</th><th>mean</th><th>{{ "%.0f"|format(100 * level) }}% CI</th>
<th>Δ vs {{ baseline }}</th><th>{{ "%.0f"|format(100 * level) }}% CI of Δ (paired)</th><th>relative Δ</th><th>p (paired t)</th><th>CI of Δ (Welch, unpaired)</th></tr>
{% for r in rows %}
<tr{% if r.baseline %} class="base"{% endif %}><td>{% if r.first %}<b>{{ r.kpi }}</b>{% endif %}</td><td>{% if r.first %}{{ r.unit }}{% endif %}</td>
<td>{{ r.arm }}</td><td class="num">{{ r.mean }}</td><td class="num">{{ r.ci }}</td>
<td class="num{% if r.sig %} sig{% endif %}">{{ r.diff }}</td><td class="num{% if r.sig %} sig{% endif %}">{{ r.diff_ci }}</td>
<td class="num">{{ r.rel }}</td><td class="num">{{ r.p }}</td><td class="num">{{ r.welch }}</td></tr>
{% endfor %}
</table>
<p class="muted">KPI definitions: the data dictionary (<code>retention-lab dictionary</code>). KPIs starting with
<code>true_</code> are ground truth the firm cannot observe.</p>
</body></html>
"""
)

_SWEEP_TMPL = _ENV.from_string(
    _HEAD
    + _SETUP
    + """
<h2>Grid</h2>
<table>
<tr><th>field</th><th>values</th></tr>
{% for k, v in grid %}<tr><td><code>{{ k }}</code></td><td>{{ v }}</td></tr>{% endfor %}
</table>
<p>Policy: <b>{{ policy }}</b>. The Cartesian product of the values was run ({{ n_points }} points).</p>

<h2>How to read this</h2>
<p>Every grid point was run {{ replications }} times with the same {{ replications }} seeds (<b>common
random numbers</b>), so differences between points reflect the parameter change rather than different
customers. Each cell is the mean over replications and its {{ "%.0f"|format(100 * level) }}% t-interval.
Because the points share their seeds, the difference between two neighbouring points is estimated
more precisely than the overlap of their intervals suggests; use <code>sim.experiment.compare</code> with
the two settings as arms for a paired interval of one contrast.</p>

{% for p in plots %}
<img alt="{{ p.alt }}" src="{{ p.src }}">
{% endfor %}

<h2>Summary</h2>
<table>
<tr>{% for k in grid_keys %}<th><code>{{ k }}</code></th>{% endfor %}{% for k in kpis %}<th>{{ k }}<br><span class="muted">{{ units[k] }}</span></th>{% endfor %}</tr>
{% for r in rows %}
<tr>{% for v in r.vals %}<td class="num">{{ v }}</td>{% endfor %}{% for c in r.cells %}<td class="num">{{ c.mean }}<br><span class="muted">{{ c.ci }}</span></td>{% endfor %}</tr>
{% endfor %}
</table>
<p class="muted">All KPIs of every replication are in <code>table.csv</code>; per-point summaries of all KPIs in
<code>summary.csv</code>.</p>
</body></html>
"""
)


def _write(html: str, path: str | Path | None) -> str:
    if path is not None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(html, encoding="utf-8")
    return html


def _ordered_kpis(available: list[str], kpis: list[str] | None) -> list[str]:
    from sim.experiment import HEADLINE_KPIS

    if kpis is not None:
        return [k for k in kpis if k in available]
    head = [k for k in HEADLINE_KPIS if k in available]
    return head + [k for k in available if k not in head]


def comparison_report(cmp: "Comparison", path: str | Path | None = None, *, kpis: list[str] | None = None, title: str | None = None) -> str:
    """Render a :class:`~sim.experiment.Comparison` as a self-contained HTML page.

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
    >>> from sim.experiment import compare
    >>> cmp = compare("baseline", {"a": None, "b": "service_first"}, replications=2, customers=100, days=30, progress=False)
    >>> html = comparison_report(cmp)
    >>> "How to read this" in html and "data:image/png;base64," in html
    True
    """
    from matplotlib.figure import Figure

    from sim.experiment import kpi_unit

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
            rows.append({
                "first": j == 0, "kpi": kpi, "unit": unit, "arm": arm, "baseline": base,
                "mean": format_value(r["mean"], unit), "ci": _ci(r["ci_low"], r["ci_high"], unit),
                "diff": "—" if base else format_value(r["diff"], unit, signed=True),
                "diff_ci": "—" if base else _ci(lo, hi, unit, signed=True),
                "rel": "—" if base or math.isnan(r["rel_diff"]) else f"{r['rel_diff']:+.1%}",
                "p": "—" if base or math.isnan(r["p_value"]) else (f"{r['p_value']:.3f}" if r["p_value"] >= 0.001 else "<0.001"),
                "welch": "—" if base else _ci(r["welch_ci_low"], r["welch_ci_high"], unit, signed=True),
                "sig": sig,
            })
    plot = None
    if len(cmp.arms) > 1:
        pk = [k for k in order if k in cmp.kpis][:4]
        fig = Figure(figsize=(7.0, 1.2 + 1.7 * len(pk) * max(1.0, (len(cmp.arms) - 1) ** 0.5)))
        cmp.plot(pk, fig=fig)
        plot = figure_to_data_uri(fig)
    base_dict = sc.to_dict()
    arms = []
    for name, (asc, pol) in cmp.arms.items():
        arms.append({
            "name": name,
            "baseline": name == cmp.baseline,
            "policy": "none (the desk only)" if pol is None else pol.name,
            "description": (pol.description if pol is not None else "") or (asc.description if asc is not sc else ""),
            "changes": _dict_diff(base_dict, asc.to_dict()) if asc is not sc else [],
        })
    html = _COMPARISON_TMPL.render(
        title=title or f"Policy comparison — {sc.name}",
        css=_CSS, version=__version__, generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        scenario=sc, replications=cmp.n_replications, seed=cmp.seed, customers=cmp.customers, days=cmp.days,
        engine=cmp.engine, level=cmp.level, unit_name="arm", arms=arms, baseline=cmp.baseline, rows=rows, plot=plot,
    )
    return _write(html, path)


def sweep_report(sw: "Sweep", path: str | Path | None = None, *, kpis: list[str] | None = None, title: str | None = None) -> str:
    """Render a :class:`~sim.experiment.Sweep` as a self-contained HTML page.

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
    >>> from sim.experiment import sweep
    >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2, customers=100, days=30, progress=False)
    >>> html = sweep_report(sw)
    >>> "desk.agents" in html and html.count("data:image/png;base64,") >= 1
    True
    """
    from matplotlib.figure import Figure

    from sim.experiment import kpi_unit

    sc = sw.scenario
    show = _ordered_kpis(sw.kpis, kpis)[: (len(kpis) if kpis else 6)]
    keys = list(sw.grid)
    units = {k: kpi_unit(k, sc.currency) for k in show}
    s = sw.summary
    rows = []
    for point, g in s.groupby("point", sort=True):
        g = g.set_index("kpi")
        cells = []
        for k in show:
            r = g.loc[k]
            cells.append({"mean": format_value(r["mean"], units[k]), "ci": _ci(r["ci_low"], r["ci_high"], units[k])})
        rows.append({"vals": [g[c].iloc[0] for c in keys], "cells": cells})
    plots = []
    for k in show[:4]:
        fig = Figure(figsize=(6.4, 3.8))
        sw.plot(k, x=keys[0], ax=fig.subplots())
        fig.tight_layout()
        plots.append({"src": figure_to_data_uri(fig), "alt": f"{k} by {keys[0]}"})
    html = _SWEEP_TMPL.render(
        title=title or f"Parameter sweep — {sc.name}",
        css=_CSS, version=__version__, generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        scenario=sc, replications=sw.n_replications, seed=sw.seed, customers=sw.customers, days=sw.days,
        engine=sw.engine, level=sw.level, unit_name="grid point",
        policy="none" if sw.policy is None else f"{sw.policy.name} — {sw.policy.description}",
        grid=[(k, ", ".join(map(str, v))) for k, v in sw.grid.items()], n_points=int(s["point"].nunique()),
        grid_keys=keys, kpis=show, units=units, rows=rows, plots=plots,
    )
    return _write(html, path)
