"""The leaderboard of a policy tournament: rank groups of ties, and its HTML page.

Ranking rule (ties)
    Qualified teams are ordered by their mean objective (best first). The best team opens
    group 1. Each next team is compared with the best team of the current group by the
    **paired** t-interval of their per-replication difference (common random numbers; the
    confidence level of the tournament, :func:`sim.experiments.stats.summarize`): if the
    interval contains 0 — the two cannot be told apart at this many replications — the team
    joins the group, else it opens the next group. Comparing with the group's best (not with the
    neighbour) keeps a chain of small steps from tying teams that are clearly different. A
    group's rank is 1 + the number of teams in the groups above it, printed ``=r`` when the group
    has several teams (1, =2, =2, 4). Identical policies have a difference of exactly 0 in every
    replication, so they always tie. The rule makes one test per team and no correction for
    multiple comparisons: it guards against ranking noise, it does not prove that group 1 beats
    group 2 by every margin. Disqualified teams follow the baseline, then invalid submissions,
    each with its reason.

The page (``templates/leaderboard.html.j2``) has the look of the experiment reports (the same
stylesheet), autoescaped: a team's name or reason is shown as text, never as markup.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.constraints import Constraints
from sim.experiments.stats import summarize
from sim.experiments.submissions import Submission
from sim.schema import kpi_unit

__all__ = ["rank_teams", "leaderboard_html", "COLUMNS", "STATUSES", "TIE_RULE"]

#: A leaderboard row's status, in leaderboard order.
STATUSES = ("ranked", "baseline", "disqualified", "invalid")

#: The tie rule in one sentence (the page and ``tournament.json`` quote it).
TIE_RULE = (
    "teams are ordered by their mean objective; a team whose paired CI of the difference to the best team "
    "of the current group contains 0 shares that group's rank (=r), otherwise it opens the next group"
)


def _paired(table: pd.DataFrame, a: str, b: str, kpi: str, confidence: float) -> pd.Series:
    """``summarize`` row of ``b`` against ``a`` (paired by replication) for one KPI."""
    sub = table[table["team"].isin([a, b])][["team", "replication", kpi]]
    s = summarize(sub, by="team", baseline=a, kpis=[kpi], confidence=confidence)
    return s[s["team"] == b].iloc[0]


COLUMNS = [
    "rank",
    "rank_label",
    "team",
    "status",
    "tied",
    "objective",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "p_value",
    "group_best",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "retention_cost",
    "nps",
    "compliance_incidents_max",
    "reason",
    "file",
]


def rank_teams(
    table: pd.DataFrame,
    subs: Sequence[Submission],
    errors: dict[str, str],
    base_label: str,
    kpi: str,
    direction: int,
    cons: Constraints,
    confidence: float,
    currency: str,
) -> pd.DataFrame:
    """The leaderboard rows (see :attr:`sim.experiments.tournament.Tournament.leaderboard`)."""
    nan = float("nan")
    summary = summarize(
        table[["team", "replication", kpi]], by="team", baseline=base_label, kpis=[kpi], confidence=confidence
    )
    s = summary.set_index("team")
    files = {sub.team: sub.file for sub in subs}
    rows: dict[str, dict[str, Any]] = {}
    for team, runs in table.groupby("team", sort=False):
        r = s.loc[team]
        row: dict[str, Any] = dict.fromkeys(COLUMNS, nan)
        row.update(
            team=team,
            objective=kpi,
            n=int(r["n"]),
            mean=r["mean"],
            ci_low=r["ci_low"],
            ci_high=r["ci_high"],
            tied=False,
            group_best="",
            reason="",
            file=files.get(str(team), ""),
            retention_cost=float(runs["retention_cost"].mean()) if "retention_cost" in runs else nan,
            nps=float(runs["nps"].mean()) if "nps" in runs else nan,
            compliance_incidents_max=float(runs["compliance_incidents"].max())
            if "compliance_incidents" in runs
            else nan,
        )
        if team == base_label:
            row.update(status="baseline", rank_label="baseline")
        else:
            row.update(
                diff=r["diff"], diff_ci_low=r["diff_ci_low"], diff_ci_high=r["diff_ci_high"], p_value=r["p_value"]
            )
            why = cons.breaches(runs, currency)
            if math.isnan(float(r["mean"])):
                why.insert(0, f"{kpi} could not be measured in any replication")
            row.update(
                status="disqualified" if why else "ranked", rank_label="DQ" if why else "", reason="; ".join(why)
            )
        rows[str(team)] = row
    # groups of ties among the qualified teams
    order = sorted(
        (t for t, r in rows.items() if r["status"] == "ranked"),
        key=lambda t: (-direction * rows[t]["mean"], t.casefold()),
    )
    position, best = 0, None
    groups: list[list[str]] = []
    for team in order:
        position += 1
        if best is not None:
            g = _paired(table, best, team, kpi, confidence)
            lo, hi = direction * float(g["diff_ci_low"]), direction * float(g["diff_ci_high"])
            lo, hi = min(lo, hi), max(lo, hi)
            rows[team].update(gap=direction * float(g["diff"]), gap_ci_low=lo, gap_ci_high=hi)
            if math.isnan(lo) or lo <= 0.0 <= hi:  # cannot be told apart from the group's best
                groups[-1].append(team)
                rows[team].update(rank=rows[best]["rank"], group_best=best)
                continue
        best = team
        groups.append([team])
        rows[team].update(rank=position, group_best=team, gap=0.0, gap_ci_low=0.0, gap_ci_high=0.0)
    for g in groups:
        for team in g:
            rows[team].update(tied=len(g) > 1, rank_label=("=" if len(g) > 1 else "") + str(rows[team]["rank"]))
    ranked = [rows[t] for g in groups for t in g]
    dq = sorted((r for r in rows.values() if r["status"] == "disqualified"), key=lambda r: str(r["team"]).casefold())
    invalid = []
    for sub in subs:
        if sub.team in errors:
            row = dict.fromkeys(COLUMNS, nan)
            row.update(
                team=sub.team,
                status="invalid",
                rank_label="invalid",
                tied=False,
                objective=kpi,
                n=0,
                group_best="",
                reason=sub.error or errors[sub.team],
                file=sub.file,
            )
            invalid.append(row)
    out = pd.DataFrame(ranked + [rows[base_label]] + dq + invalid, columns=COLUMNS)
    out["rank"] = out["rank"].astype("Int64")
    out["n"] = out["n"].astype(int)
    out["tied"] = out["tied"].astype(bool)
    return out.reset_index(drop=True)


def leaderboard_html(t: Any, path: str | Path | None = None) -> str:
    """Render a :class:`Tournament` as a self-contained HTML page (``templates/leaderboard.html.j2``).

    Returns
    -------
    str
        The HTML (also written to ``path`` if given).
    """
    import jinja2

    from sim._version import __version__
    from sim.formatting import format_ci, format_p, format_value

    unit = kpi_unit(t.objective, t.scenario.currency)
    cur = t.scenario.currency

    def val(v: Any, u: str = unit, signed: bool = False) -> str:
        return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else format_value(v, u, signed=signed)

    rows = []
    for r in t.leaderboard.itertuples():
        ranked = r.status == "ranked"
        excl = ranked and not math.isnan(r.diff_ci_low) and (r.diff_ci_low > 0 or r.diff_ci_high < 0)
        rows.append(
            {
                "rank": r.rank_label,
                "team": r.team,
                "status": r.status,
                "tied": bool(r.tied),
                "mean": val(r.mean),
                "ci": format_ci(r.ci_low, r.ci_high, unit),
                "diff": "" if r.status in ("baseline", "invalid") else val(r.diff, signed=True),
                "diff_ci": ""
                if r.status in ("baseline", "invalid")
                else format_ci(r.diff_ci_low, r.diff_ci_high, unit, signed=True),
                "p": "" if r.status in ("baseline", "invalid") else format_p(r.p_value),
                "sig": bool(excl),
                "gap": ("" if not ranked or r.group_best == r.team else f"{val(r.gap, signed=True)} vs {r.group_best}"),
                "gap_ci": ""
                if not ranked or r.group_best == r.team
                else format_ci(r.gap_ci_low, r.gap_ci_high, unit, signed=True),
                "cost": val(r.retention_cost, cur),
                "nps": val(r.nps, "points (-100..100)"),
                "incidents": "—" if math.isnan(r.compliance_incidents_max) else f"{r.compliance_incidents_max:,.0f}",
                "reason": r.reason,
                "file": r.file,
            }
        )
    counts = t.leaderboard["status"].value_counts()
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sim.experiments", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template("leaderboard.html.j2").render(
        title=f"Policy tournament — {t.scenario.name}",
        version=__version__,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        scenario=t.scenario,
        objective=t.objective_label,
        objective_unit=unit,
        constraints=t.constraints.describe(),
        baseline=t.baseline,
        replications=t.n_replications,
        customers=t.customers,
        days=t.days,
        engine=t.engine,
        confidence=t.confidence,
        rows=rows,
        n_teams=int(counts.drop("baseline", errors="ignore").sum()),
        n_ranked=int(counts.get("ranked", 0)),
        n_dq=int(counts.get("disqualified", 0)),
        n_invalid=int(counts.get("invalid", 0)),
        notes=t.notes,
        tie_rule=TIE_RULE,
    )
    if path is not None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(html, encoding="utf-8")
    return html
