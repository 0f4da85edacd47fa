"""The outcome of a run: tidy tables (observed + ground truth), KPIs, save and load.

Examples
--------
>>> import sim
>>> res = sim.run(sim.Scenario.load("baseline"), customers=200, days=90, seed=3)
>>> list(res.tables) == list(sim.schema.TABLE_NAMES)
True
>>> any(c.startswith("true_") for c in res.observed().customers.columns)
False
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim._atomic import atomic_dir, verify_dir
from sim._version import __version__
from sim.config.limits import MAX_SEED, short
from sim.config.scenario import Scenario
from sim.errors import DataError
from sim.results.kpis import monthly_kpis, overall_kpis
from sim.schema import TABLE_NAMES, TABLES, columns
from sim.world.observed import FirmView
from sim.world.table_frames import empty_table

__all__ = ["Result", "TABLE_NAMES", "RESULT_FILES"]

#: The files of a result folder (besides ``MANIFEST.json``).
RESULT_FILES: tuple[str, ...] = (*(f"{n}.parquet" for n in TABLE_NAMES), "scenario.yaml", "run.json")

#: Files a result folder may lack (written before the table existed): read as an empty table.
OPTIONAL_FILES: tuple[str, ...] = ("uplift.parquet", "points.parquet")

#: The tables of the first result folders (before issue 12 added ``funnel`` and ``snapshots`` and the
#: truth columns ``true_clv``, ``true_stage`` ...): a folder with only these is from an older version.
OLDER_TABLES: tuple[str, ...] = ("customers", "orders", "tickets", "surveys", "events", "tiers", "contacts")


def _empty_funnel() -> pd.DataFrame:
    return empty_table("funnel")


def _empty_snapshots() -> pd.DataFrame:
    return empty_table("snapshots")


def _empty_uplift() -> pd.DataFrame:
    return empty_table("uplift")


def _empty_points() -> pd.DataFrame:
    return empty_table("points")


@dataclass
class Result:
    """Tables and KPIs of one simulation run.

    Attributes
    ----------
    customers, orders, tickets, surveys, events, tiers, points, contacts, funnel, snapshots, uplift : pandas.DataFrame
        Tidy tables with the columns of :mod:`sim.schema`; ``true_*`` columns, ``true_*``
        events and the ``snapshots`` and ``uplift`` tables are ground truth (for teaching and
        validation only). ``funnel``, ``snapshots`` and ``uplift`` default to empty tables (for
        callers building a result from tables of an engine without them).
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
    # tables an engine may not produce (one predating them): empty, typed
    funnel: pd.DataFrame = field(default_factory=_empty_funnel)
    snapshots: pd.DataFrame = field(default_factory=_empty_snapshots)
    uplift: pd.DataFrame = field(default_factory=_empty_uplift)
    points: pd.DataFrame = field(default_factory=_empty_points)  # the loyalty points ledger (chapter 09)

    # ------------------------------------------------------------------ basics
    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (:data:`sim.schema.TABLE_NAMES`)."""
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

        A folder written by a version before the ``funnel`` table and the truth columns
        (``true_clv``, ``true_stage`` ...) is refused with a :class:`~sim.errors.DataError` saying
        so: those columns cannot be filled in afterwards (ground truth that was never recorded),
        and reading such a folder as if it had them would hand out made-up truth. Re-run the
        scenario (same seed) to get the complete tables.

        Raises
        ------
        sim._atomic.ManifestError
            (a :class:`~sim.errors.DataError`) if ``MANIFEST.json`` is missing or unreadable, or
            a file is missing, changed, or not listed in it; the message names the folder and the
            file. A missing folder or manifest raises :class:`sim._atomic.MissingManifestError`,
            which is also a :class:`FileNotFoundError`.
        """
        if not isinstance(path, (str, Path)) or not str(path).strip() or "\x00" in str(path):
            raise DataError(f"path={short(path)} is not allowed: give the folder a result was written to")
        p = Path(path)
        try:
            verify_dir(p, "result", expect=[f for f in RESULT_FILES if f not in OPTIONAL_FILES])
        except DataError:  # a ManifestError (a missing one is also a FileNotFoundError)
            _refuse_older(p)
            raise
        except OSError as exc:  # e.g. a name too long for the file system
            raise DataError(f"cannot be read: {short(exc.strerror or str(exc))}", table=str(p)) from None
        meta = _run_meta(p / "run.json")
        tables = {
            n: _read_table(p / f"{n}.parquet", n)
            for n in TABLE_NAMES
            if f"{n}.parquet" not in OPTIONAL_FILES or (p / f"{n}.parquet").exists()
        }
        policy = None
        if meta.get("policy"):
            from sim.config.policy import Policy

            policy = Policy.from_dict(meta["policy"])
        return cls(
            **tables,
            scenario=Scenario.load(p / "scenario.yaml"),
            seed=meta["seed"],
            agents=meta["agents"],
            policy=policy,
            info=meta["info"],
        )


def _refuse_older(folder: Path) -> None:
    """Raise a clear :class:`DataError` if ``folder`` is an intact result of an older version (fewer tables)."""
    try:
        listed = set(verify_dir(folder, "result")["files"])
    except (DataError, OSError):
        return  # not an intact result folder: the caller's error says what is wrong
    if {f"{n}.parquet" for n in OLDER_TABLES} <= listed:
        absent = [f for f in RESULT_FILES if f not in listed]
        try:
            version = json.loads((folder / "run.json").read_text(encoding="utf-8")).get("retention_lab_version", "?")
        except (OSError, ValueError, AttributeError):
            version = "?"
        raise DataError(
            f"written by an older Retention Lab (version {str(version)[:40]}): it lacks {', '.join(absent)} and the "
            "truth columns added since (true_clv, true_stage, ...); those cannot be filled in afterwards, "
            "so re-run the scenario with the same seed to get the complete tables",
            table=str(folder),
        )


def _run_meta(path: Path) -> dict[str, Any]:
    """``run.json`` of a result folder, checked: seed, agents, policy and info of the right types."""
    where = str(path)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataError(f"not valid JSON ({short(str(exc))})", table=where) from None
    if not isinstance(meta, dict):
        raise DataError(f"expected a JSON object, got {type(meta).__name__}", table=where)
    seed, agents = meta.get("seed"), meta.get("agents")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise DataError(f"seed={short(seed)} is not allowed: a whole number in [0, 2**63 - 1]", table=where)
    if isinstance(agents, bool) or not isinstance(agents, (int, float)) or not math.isfinite(agents) or agents < 0:
        raise DataError(f"agents={short(agents)} is not allowed: a finite number >= 0", table=where)
    info = meta.get("info", {})
    if not isinstance(info, dict):
        raise DataError(f"info={short(info)} is not allowed: a JSON object", table=where)
    if meta.get("policy") is not None and not isinstance(meta["policy"], dict):
        raise DataError(f"policy={short(meta['policy'])} is not allowed: a JSON object or null", table=where)
    return {**meta, "seed": int(seed), "agents": float(agents), "info": info}


def _read_table(path: Path, name: str) -> pd.DataFrame:
    """One table of a result folder, checked against the data dictionary (columns and dtypes)."""
    import pyarrow

    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        raise DataError(f"not a readable Parquet file ({short(str(exc))})", table=str(path)) from None
    expected = columns(name)
    if list(df.columns) != expected:
        missing = [c for c in expected if c not in df.columns]
        extra = [c for c in df.columns if c not in expected]
        if not missing and not extra:  # the same columns, shuffled or repeated
            raise DataError(
                f"columns {short(list(df.columns))} are not in the data dictionary's order (table {name!r}); "
                f"expected {short(expected)}",
                table=str(path),
            )
        raise DataError(
            f"columns do not match the data dictionary (table {name!r}): missing {short(missing)}, "
            f"unexpected {short(extra)}; expected {short(expected)}",
            table=str(path),
        )
    for col in expected:
        want = TABLES[name][col].dtype
        if len(df) and str(df[col].dtype) != want:
            raise DataError(f"dtype {df[col].dtype} where the data dictionary says {want}", table=str(path), column=col)
    return df
