"""What :func:`sim.calibrate` returns: :class:`CalibratedScenario` and its :class:`CalibrationReport`.

A :class:`CalibratedScenario` is an ordinary :class:`sim.Scenario` (it runs, saves and loads
like any other) that carries the report of how it was made in ``.calibration``. The report
is never part of the YAML: ``to_yaml()`` / ``to_dict()`` hold the scenario fields only.

Examples
--------
>>> import pandas as pd
>>> rep = CalibrationReport(estimates=pd.DataFrame(columns=ESTIMATE_COLUMNS), not_identified={"desk.agents": "no queue data"},
...                         model="bgnbd", model_reason="asked for", confidence=0.95)
>>> "desk.agents" in rep.summary()
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import PrivateAttr

from sim.config import Scenario

__all__ = ["CalibrationReport", "CalibratedScenario", "ESTIMATE_COLUMNS"]

#: Columns of :attr:`CalibrationReport.estimates`.
ESTIMATE_COLUMNS = ["parameter", "scenario_field", "estimate", "ci_low", "ci_high", "identified", "note"]


@dataclass
class CalibrationReport:
    """How a scenario was fitted to a user's data.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per estimated quantity: ``parameter``, ``scenario_field`` (dotted path in the
        scenario; in parentheses when it is a derived quantity), ``estimate``, ``ci_low``,
        ``ci_high`` (at ``confidence``; NaN where no interval applies), ``identified``, ``note``.
    not_identified : dict of str -> str
        Scenario fields (or groups) the data cannot tell, left at the base scenario's values,
        with the reason.
    model : str
        ``"bgnbd"`` or ``"mbgnbd"``: the purchase model used.
    model_reason : str
        Why (the AIC comparison under ``model="auto"``).
    confidence : float
        Level of the intervals.
    n_customers, n_orders : int
        Size of the order log.
    start_date, end_date : pandas.Timestamp
        Day 0 and the end of the log (``horizon_days`` apart).
    acquisitions_by_month : pandas.Series
        New customers (first orders) per calendar month.
    fitters : dict
        The fitted :mod:`sim.analysis.clv` models (``purchase``, ``spend``).
    runtime_s : float
        Seconds the calibration took.
    """

    estimates: pd.DataFrame
    not_identified: dict[str, str]
    model: str
    model_reason: str
    confidence: float
    n_customers: int = 0
    n_orders: int = 0
    start_date: pd.Timestamp | None = None
    end_date: pd.Timestamp | None = None
    acquisitions_by_month: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    fitters: dict[str, Any] = field(default_factory=dict)
    runtime_s: float = 0.0

    def table(self) -> pd.DataFrame:
        """The estimates with rounded numbers, for printing."""
        out = self.estimates.copy()
        for c in ("estimate", "ci_low", "ci_high"):
            out[c] = out[c].map(lambda v: f"{v:.4g}" if pd.notna(v) else "")
        return out

    def summary(self) -> str:
        """A plain-text report: the data, the model choice, the estimates and what is not identified."""
        pct = f"{100 * self.confidence:g}%"
        lines = [
            f"Calibration of {self.n_customers} customers, {self.n_orders} orders"
            + (f", {self.start_date:%Y-%m-%d} to {self.end_date:%Y-%m-%d}" if self.start_date is not None else ""),
            f"purchase model: {self.model} ({self.model_reason})",
            f"estimates ({pct} intervals):",
        ]
        if len(self.estimates):
            cols = ["parameter", "scenario_field", "estimate", "ci_low", "ci_high"]
            lines.append(self.table()[cols].to_string(index=False))
        lines.append("not identified (left at the base scenario's values):")
        lines.extend(f"  {k}: {v}" for k, v in self.not_identified.items())
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The report as Markdown (``retention-lab calibrate --report``)."""
        t = self.table()
        head = "| " + " | ".join(ESTIMATE_COLUMNS) + " |\n|" + "---|" * len(ESTIMATE_COLUMNS) + "\n"
        body = "".join(
            "| " + " | ".join(str(v).replace("|", "/") for v in row) + " |\n" for row in t.itertuples(index=False)
        )
        ni = "".join(f"- `{k}`: {v}\n" for k, v in self.not_identified.items())
        return (
            f"# Calibration report\n\n{self.n_customers} customers, {self.n_orders} orders"
            + (f", {self.start_date:%Y-%m-%d} to {self.end_date:%Y-%m-%d}" if self.start_date is not None else "")
            + f".\n\nPurchase model: **{self.model}** ({self.model_reason}).\n\n"
            f"## Estimates ({100 * self.confidence:g}% intervals)\n\n{head}{body}\n"
            f"## Not identified (left at the base scenario's values)\n\n{ni}"
        )


class CalibratedScenario(Scenario):
    """A :class:`sim.Scenario` fitted to data; ``.calibration`` is its :class:`CalibrationReport`.

    The report is a private attribute: it is not a scenario field, so it is neither validated
    nor written to YAML, and copies made by :meth:`~sim.Scenario.updated` do not carry it.
    """

    _calibration: CalibrationReport | None = PrivateAttr(default=None)

    @property
    def calibration(self) -> CalibrationReport | None:
        """How this scenario was fitted (``None`` for a copy made by ``updated``)."""
        return self._calibration

    @classmethod
    def with_report(cls, scenario: Scenario, report: CalibrationReport) -> CalibratedScenario:
        """Wrap a validated scenario and attach ``report``."""
        out = cls.from_dict(scenario.to_dict())
        assert isinstance(out, CalibratedScenario)
        out._calibration = report
        return out
