"""The outcome of a run: :class:`Result` (tidy tables, ground truth apart) and its KPIs."""

from sim.results.kpis import ACTIVE_WINDOW_DAYS, monthly_kpis, overall_kpis
from sim.results.result import Result

__all__ = ["Result", "overall_kpis", "monthly_kpis", "ACTIVE_WINDOW_DAYS"]
