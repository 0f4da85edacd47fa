"""The objective and the constraints of a policy tournament.

``objective`` is a KPI every run reports (:data:`sim.schema.OVERALL_KPIS`, units in
:data:`sim.schema.KPIS`), maximised; prefix it with ``-`` to minimise (``-mean_wait_h``).
:class:`Constraints` disqualify a team, with the reason, when breached **in the mean** over
replications: ``budget`` (largest mean ``retention_cost``), ``nps_min`` (smallest mean ``nps``; an
NPS that cannot be measured breaches it), ``min`` / ``max`` (``{kpi: bound}`` for any KPI); and
``compliance_incidents`` (the most allowed **in every replication**: ``0`` means none in any seed).

Examples
--------
>>> parse_objective("-mean_wait_h")
('mean_wait_h', -1)
>>> load_constraints({"budget": 60000, "compliance_incidents": 0}).describe()
['retention_cost mean <= 60,000 (budget)', 'compliance_incidents <= 0 in every replication']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from sim.config._base import StrictModel, validate_model
from sim.config._yaml import read_config_yaml
from sim.config.limits import short
from sim.errors import ConfigError
from sim.experiments.submissions import one_line
from sim.schema import OVERALL_KPIS, kpi_unit

__all__ = ["Constraints", "load_constraints", "parse_objective"]


def parse_objective(objective: str) -> tuple[str, int]:
    """``(kpi, direction)``: ``+1`` to maximise ``kpi``, ``-1`` for ``"-kpi"`` (minimise).

    Examples
    --------
    >>> parse_objective("profit"), parse_objective("-mean_wait_h")
    (('profit', 1), ('mean_wait_h', -1))
    >>> parse_objective("profits")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: objective='profits' is not a KPI every run reports; give one of the KPIs of `retention-lab dictionary` (e.g. profit, -mean_wait_h to minimise)
    """
    if not isinstance(objective, str) or not objective.strip():
        raise ConfigError(f"objective={short(objective)} is not allowed: give a KPI name, e.g. profit")
    text = objective.strip()
    direction = -1 if text.startswith("-") else 1
    kpi = text.lstrip("+-").strip()
    if kpi not in OVERALL_KPIS:
        raise ConfigError(
            f"objective={short(objective)} is not a KPI every run reports; give one of the KPIs of "
            "`retention-lab dictionary` (e.g. profit, -mean_wait_h to minimise)"
        )
    return kpi, direction


def _check_kpi_keys(v: dict[str, float], what: str) -> dict[str, float]:
    bad = [k for k in v if k not in OVERALL_KPIS]
    if bad:
        raise ValueError(f"unknown KPI(s) {short(bad)} in {what}; allowed: the KPIs of `retention-lab dictionary`")
    return v


class Constraints(StrictModel):
    """What a team must respect to be ranked; a breach disqualifies it with the reason.

    Examples
    --------
    >>> Constraints(budget=50_000, compliance_incidents=0).describe()
    ['retention_cost mean <= 50,000 (budget)', 'compliance_incidents <= 0 in every replication']
    """

    budget: float | None = Field(default=None, ge=0, description="Largest mean retention_cost per run.")
    nps_min: float | None = Field(default=None, ge=-100, le=100, description="Smallest mean NPS.")
    compliance_incidents: int | None = Field(
        default=None, ge=0, description="Most compliance incidents allowed in EVERY replication (0: none)."
    )
    min: dict[str, float] = Field(default_factory=dict, description="{kpi: smallest mean}.")
    max: dict[str, float] = Field(default_factory=dict, description="{kpi: largest mean}.")

    @field_validator("min")
    @classmethod
    def _min_keys(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_kpi_keys(v, "min")

    @field_validator("max")
    @classmethod
    def _max_keys(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_kpi_keys(v, "max")

    def describe(self) -> list[str]:
        """One line per constraint."""
        out = []
        if self.budget is not None:
            out.append(f"retention_cost mean <= {self.budget:,.0f} (budget)")
        if self.nps_min is not None:
            out.append(f"nps mean >= {self.nps_min:g}")
        if self.compliance_incidents is not None:
            out.append(f"compliance_incidents <= {self.compliance_incidents} in every replication")
        out += [f"{k} mean >= {v:g}" for k, v in self.min.items()]
        out += [f"{k} mean <= {v:g}" for k, v in self.max.items()]
        return out

    def kpis(self) -> list[str]:
        """The KPIs the constraints read."""
        out = [k for k, on in (("retention_cost", self.budget), ("nps", self.nps_min)) if on is not None]
        if self.compliance_incidents is not None:
            out.append("compliance_incidents")
        return list(dict.fromkeys(out + list(self.min) + list(self.max)))

    def breaches(self, runs: pd.DataFrame, currency: str = "currency") -> list[str]:
        """Why a team's replications (one row each) breach the constraints (empty: none)."""
        out = []

        def mean(k: str) -> float:
            return float(runs[k].mean()) if k in runs and runs[k].notna().any() else float("nan")

        def fmt(k: str, v: float) -> str:
            from sim.formatting import format_value

            unit = kpi_unit(k, currency)
            text = format_value(v, unit)
            return text if unit in ("", "share") else f"{text} {unit}"

        bounds: list[tuple[str, float, str, str]] = []  # kpi, bound, "min" | "max", label
        if self.budget is not None:
            bounds.append(("retention_cost", self.budget, "max", "the budget"))
        if self.nps_min is not None:
            bounds.append(("nps", self.nps_min, "min", "the NPS floor"))
        bounds += [(k, v, "min", "the floor") for k, v in self.min.items()]
        bounds += [(k, v, "max", "the cap") for k, v in self.max.items()]
        for k, bound, side, label in bounds:
            m = mean(k)
            if math.isnan(m):
                out.append(f"{k} could not be measured (no data in any replication), so {label} is not met")
            elif (side == "max" and m > bound) or (side == "min" and m < bound):
                rel = ">" if side == "max" else "<"
                out.append(f"{k} mean {fmt(k, m)} {rel} {label} {fmt(k, bound)}")
        if self.compliance_incidents is not None and "compliance_incidents" in runs:
            x = runs["compliance_incidents"].to_numpy(dtype=float)
            over = int((x > self.compliance_incidents).sum())
            if over:
                out.append(
                    f"compliance_incidents above {self.compliance_incidents} in {over} of {len(x)} replications "
                    f"(up to {np.nanmax(x):,.0f}); contacts without consent are never allowed"
                )
        return out


def load_constraints(value: Constraints | Mapping[str, Any] | str | Path | None) -> Constraints:
    """Constraints from a :class:`Constraints`, a mapping, a YAML file path, or ``None`` (none).

    The YAML file holds the fields of :class:`Constraints`, e.g.::

        budget: 60000           # largest mean retention_cost per run
        nps_min: 0              # smallest mean NPS
        compliance_incidents: 0 # in every replication
        max: {mean_wait_h: 24}  # any KPI, on the mean

    Examples
    --------
    >>> load_constraints({"nps_min": 10}).nps_min
    10.0
    >>> load_constraints({"nps_floor": 10})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: invalid constraints (1 problem): - nps_floor: unknown key (value 10); ...
    """
    if value is None:
        return Constraints()
    if isinstance(value, Constraints):
        return value
    if isinstance(value, Mapping):
        data: Any = dict(value)
        what = "constraints"
    elif isinstance(value, (str, Path)):
        p = Path(value)
        if not p.is_file():
            raise ConfigError(
                f"constraints file {short(str(p))} {'does not exist' if not p.exists() else 'is not a file'}: "
                "give a YAML file such as 'budget: 60000' / 'compliance_incidents: 0'"
            )
        data = read_config_yaml(p, "constraints")
        data = {} if data is None else data
        what = f"constraints {p.name}"
    else:
        raise ConfigError(f"constraints={short(value)} is not allowed: give a mapping, a YAML file path or None")
    try:
        return validate_model(Constraints, data, what=what)
    except ConfigError as exc:
        raise ConfigError(one_line(exc)) from None
