"""The outcome of a run: tidy tables (observed + ground truth), KPIs, save and load.

Examples
--------
>>> import sim
>>> res = sim.run(sim.Scenario.load("baseline"), customers=200, days=90, seed=3)
>>> sorted(res.tables)
['contacts', 'customers', 'events', 'orders', 'surveys', 'tickets', 'tiers']
>>> any(c.startswith("true_") for c in res.observed().customers.columns)
False
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim._atomic import atomic_dir, verify_dir
from sim._version import __version__
from sim.config.scenario import Scenario
from sim.results.kpis import monthly_kpis, overall_kpis
from sim.schema import TABLE_NAMES
from sim.world.observed import FirmView

__all__ = ["Result", "TABLE_NAMES", "RESULT_FILES"]

#: The files of a result folder (besides ``MANIFEST.json``).
RESULT_FILES: tuple[str, ...] = (*(f"{n}.parquet" for n in TABLE_NAMES), "scenario.yaml", "run.json")


@dataclass
class Result:
    """Tables and KPIs of one simulation run.

    Attributes
    ----------
    customers, orders, tickets, surveys, events, tiers, contacts : pandas.DataFrame
        Tidy tables with the columns of :mod:`sim.schema`; ``true_*`` columns and
        ``true_*`` events are ground truth (for teaching and validation only).
    scenario : Scenario
        The scenario that was run (with ``horizon_days`` as run).
    seed : int
    agents : float
        Agent-days on duty per calendar day (round-the-clock agents plus shifts).
    info : dict
        Run metadata (events processed, wall time, backlog at the end, ...).
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    events: pd.DataFrame
    tiers: pd.DataFrame
    contacts: pd.DataFrame
    scenario: Scenario
    seed: int
    agents: float
    policy: Any = None
    info: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ basics
    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """All seven tables by name."""
        return {name: getattr(self, name) for name in TABLE_NAMES}

    @property
    def horizon_days(self) -> float:
        """Days simulated."""
        return float(self.scenario.horizon_days)

    @property
    def start_date(self) -> pd.Timestamp:
        """Calendar date of day 0."""
        return pd.Timestamp(self.scenario.start_date)

    @property
    def end_date(self) -> pd.Timestamp:
        """Calendar date of the horizon."""
        return self.start_date + pd.Timedelta(days=self.horizon_days)

    def observed(self) -> FirmView:
        """The firm's view: observed tables only (no ``true_*`` columns, no latent events)."""
        return FirmView.from_tables(self.tables)

    def kpis(self, by: str | None = None) -> pd.Series | pd.DataFrame:
        """KPIs overall (a Series) or per calendar month (``by="month"``, a DataFrame).

        Examples
        --------
        >>> import sim
        >>> res = sim.run(sim.Scenario.load("baseline"), customers=200, days=60, seed=1)
        >>> float(res.kpis()["orders"]) == len(res.orders)
        True
        """
        if by is None:
            return overall_kpis(self)
        if by in ("month", "M"):
            return monthly_kpis(self)
        raise ValueError(f"by={by!r} is not supported; use None (overall) or 'month'")

    def __repr__(self) -> str:
        return (
            f"Result(scenario={self.scenario.name!r}, seed={self.seed}, days={self.horizon_days:g}, "
            f"customers={len(self.customers)}, orders={len(self.orders)}, tickets={len(self.tickets)}, "
            f"surveys={len(self.surveys)})"
        )

    # ------------------------------------------------------------------ persistence
    def to_dir(self, path: str | Path) -> Path:
        """Write the tables as Parquet plus ``scenario.yaml``, ``run.json`` and ``MANIFEST.json``.

        The folder is written atomically (:func:`sim._atomic.atomic_dir`): into a hidden
        temporary sibling, manifest last, then swapped into place, so an interrupted write leaves
        the previous result intact. An existing folder is replaced only if Retention Lab wrote it
        (a result with a manifest, or one written before manifests existed); a file, a foreign
        folder or a folder of another kind is refused with :class:`sim._atomic.OutputError`.

        Examples
        --------
        >>> import sim, tempfile
        >>> res = sim.run(sim.Scenario.load("baseline"), customers=100, days=30, seed=2)
        >>> d = res.to_dir(tempfile.mkdtemp())
        >>> sim.Result.from_dir(d).orders.equals(res.orders)
        True
        >>> sorted(p.name for p in d.iterdir())[:3]
        ['MANIFEST.json', 'contacts.parquet', 'customers.parquet']
        """
        meta = {
            "seed": self.seed,
            "agents": self.agents,
            "retention_lab_version": __version__,
            "policy": self.policy.to_dict() if hasattr(self.policy, "to_dict") else None,
            "info": {k: v for k, v in self.info.items() if isinstance(v, (int, float, str, bool))},
        }
        with atomic_dir(path, kind="result", seed=self.seed, legacy=RESULT_FILES) as tmp:
            for name, df in self.tables.items():
                df.to_parquet(tmp / f"{name}.parquet", index=False)
            (tmp / "scenario.yaml").write_text(self.scenario.to_yaml(), encoding="utf-8")
            (tmp / "run.json").write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
        return Path(path)

    @classmethod
    def from_dir(cls, path: str | Path) -> Result:
        """Load a result written by :meth:`to_dir`, after checking it against its manifest.

        Raises
        ------
        sim._atomic.ManifestError
            (a :class:`~sim.errors.DataError`) if ``MANIFEST.json`` is missing or unreadable, or
            a file is missing, changed, or not listed in it; the message names the folder and the
            file. A missing folder or manifest raises :class:`sim._atomic.MissingManifestError`,
            which is also a :class:`FileNotFoundError`.
        """
        p = Path(path)
        verify_dir(p, "result", expect=RESULT_FILES)
        meta = json.loads((p / "run.json").read_text(encoding="utf-8"))
        tables = {n: pd.read_parquet(p / f"{n}.parquet") for n in TABLE_NAMES}
        policy = None
        if meta.get("policy"):
            try:
                from sim.config.policy import Policy

                policy = Policy.from_dict(meta["policy"])
            except ImportError:  # pragma: no cover - policies are part of the package
                policy = meta["policy"]
        return cls(
            **tables,
            scenario=Scenario.load(p / "scenario.yaml"),
            seed=int(meta["seed"]),
            agents=float(meta["agents"]),
            policy=policy,
            info=meta.get("info", {}),
        )
