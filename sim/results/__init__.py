"""The outcome of a run: :class:`Result` (tidy tables, ground truth apart), its KPIs and their display."""

from sim.results.display import kpi_table
from sim.results.kpis import ACTIVE_WINDOW_DAYS, monthly_kpis, overall_kpis
from sim.results.result import Result

__all__ = ["Result", "overall_kpis", "monthly_kpis", "kpi_table", "ACTIVE_WINDOW_DAYS"]
