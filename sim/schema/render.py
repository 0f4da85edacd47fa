"""Render the data dictionary as Markdown (``retention-lab dictionary`` writes it to ``datasets/DATA_DICTIONARY.md``)."""

from __future__ import annotations

from sim.schema.kpis import KPIS
from sim.schema.tables import LATENT_EVENTS, LATENT_TABLES, TABLES


def render_markdown() -> str:
    """Render the dictionary as Markdown (written to ``datasets/DATA_DICTIONARY.md``)."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `sim/schema/` by `retention-lab dictionary` — do not edit by hand.",
        "",
        "Time `t` is in days since the scenario's `start_date`; money is in the scenario's currency;",
        "desk durations are in hours. Columns starting with `true_` are **latent ground truth**:",
        "the simulator knows them, the firm (and every policy) does not. `Result.observed()` drops them.",
        "",
    ]
    for table, cols in TABLES.items():
        out += [f"## `{table}`", "", "| column | type | unit | observed | meaning |", "|---|---|---|---|---|"]
        for c in cols.values():
            latent = c.latent or table in LATENT_TABLES
            out.append(
                f"| `{c.name}` | {c.dtype} | {c.unit} | {'no (latent)' if latent else 'yes'} | {c.description} |"
            )
        out.append("")
    out += [
        "Latent tables (dropped from the firm's view as a whole): "
        + ", ".join(f"`{t}`" for t in sorted(LATENT_TABLES)),
        "",
        "Latent event types (dropped from the observed `events` table): "
        + ", ".join(f"`{e}`" for e in sorted(LATENT_EVENTS)),
        "",
        "## KPIs (`Result.kpis()`)",
        "",
        "| KPI | unit | observed | definition |",
        "|---|---|---|---|",
    ]
    for k in KPIS.values():
        out.append(f"| `{k.name}` | {k.unit} | {'no (latent)' if k.latent else 'yes'} | {k.definition} |")
    out.append("")
    return "\n".join(out)
