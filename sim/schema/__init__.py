"""The data dictionary: the vocabulary, every table column and every KPI, defined once.

The simulator builds its tables from these definitions, the firm-facing view drops
the latent (``true_*``) columns and the latent tables (:data:`LATENT_TABLES`) listed here, the analysis modules name these columns,
``retention-lab dictionary`` renders this package to ``datasets/DATA_DICTIONARY.md``, and the
CLI, the notebooks and the HTML reports take KPI units and headline lists from here. This is the
lowest layer of the package (it imports nothing from ``sim`` outside itself), so every other layer may use it.

Time is measured in days since the scenario's ``start_date`` (column ``t``, float);
every table also carries a calendar ``date``. Money is in one currency unit
(``Scenario.currency``, default CNY). Durations at the service desk are in hours.

Submodules: :mod:`~sim.schema.vocabulary` (levels, ``Column``, ``KPI``), ``tables_commerce`` /
``tables_service`` / ``tables_contacts`` / ``tables_truth`` (columns per group), :mod:`~sim.schema.tables`
(the documented order, observed views), :mod:`~sim.schema.kpis` (KPIs, units, headline lists),
:mod:`~sim.schema.render` (Markdown).

Examples
--------
>>> from sim.schema import TABLES, observed_columns
>>> "true_alive" in observed_columns("customers")
False
>>> TABLES["orders"]["amount"].unit
'currency'
"""

from __future__ import annotations

from sim.schema.kpis import HEADLINE_KPIS, KPIS, OVERALL_KPIS, kpi_unit
from sim.schema.render import render_markdown
from sim.schema.tables import (
    LATENT_EVENTS,
    LATENT_TABLES,
    TABLE_NAMES,
    TABLES,
    columns,
    observed_columns,
    observed_tables,
)
from sim.schema.vocabulary import (
    ARCHETYPES,
    CAUSES,
    CHANNELS,
    CHURN_REASONS,
    KPI,
    LATENT_PREFIX,
    POTS,
    SEVERITIES,
    STAGES,
    TICKET_CHANNELS,
    Column,
    is_latent,
)

__all__ = [
    "SEVERITIES",
    "CAUSES",
    "CHURN_REASONS",
    "CHANNELS",
    "TICKET_CHANNELS",
    "POTS",
    "STAGES",
    "ARCHETYPES",
    "Column",
    "KPI",
    "TABLES",
    "TABLE_NAMES",
    "KPIS",
    "LATENT_PREFIX",
    "LATENT_EVENTS",
    "LATENT_TABLES",
    "observed_tables",
    "columns",
    "observed_columns",
    "is_latent",
    "render_markdown",
    "kpi_unit",
    "OVERALL_KPIS",
    "HEADLINE_KPIS",
]
