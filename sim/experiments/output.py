"""Write an experiment's files: its tables (CSV + Parquet), ``experiment.json`` and ``report.html``.

The folder is written atomically with a ``MANIFEST.json`` (:func:`sim._atomic.atomic_dir`), so an
interrupted ``compare --out`` / ``sweep --out`` leaves the previous experiment intact;
:func:`verify_experiment` is the check a reader runs first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim._atomic import atomic_dir, verify_dir

__all__ = ["write_experiment", "verify_experiment", "experiment_files"]


def experiment_files(tables: Sequence[str]) -> tuple[str, ...]:
    """The files :func:`write_experiment` writes for these tables (besides ``MANIFEST.json``).

    Examples
    --------
    >>> experiment_files(["summary"])
    ('summary.csv', 'summary.parquet', 'experiment.json', 'report.html')
    """
    return (*(f"{t}.{ext}" for t in tables for ext in ("csv", "parquet")), "experiment.json", "report.html")


def write_experiment(path: str | Path, exp: Any, tables: Sequence[str], meta: dict, report: Callable[..., str]) -> Path:
    """The files of a comparison or sweep: tables (CSV + Parquet), ``experiment.json``, ``report.html``.

    Written atomically with a ``MANIFEST.json`` (kind ``"experiment"``); an existing folder is
    replaced only if Retention Lab wrote it (see :func:`sim._atomic.check_target`).
    """
    import json

    meta = {
        **meta,
        "scenario": exp.scenario.to_dict(),
        "replications": exp.n_replications,
        "seed": exp.seed,
        "customers": exp.customers,
        "days": exp.days,
        "engine": exp.engine,
        "confidence": exp.confidence,
    }
    with atomic_dir(path, kind="experiment", seed=exp.seed, legacy=experiment_files(tables)) as tmp:
        for name in tables:
            df: pd.DataFrame = getattr(exp, name)
            df.to_csv(tmp / f"{name}.csv", index=False)
            _parquet_safe(df).to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "experiment.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        report(exp, tmp / "report.html")
    return Path(path)


def verify_experiment(path: str | Path) -> dict[str, Any]:
    """Check an experiment folder against its manifest (every file present, unchanged, none extra).

    Returns the manifest; raises :class:`sim._atomic.ManifestError` naming the folder and the file.
    """
    return verify_dir(path, "experiment", expect=("experiment.json", "report.html"))


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Grid columns may hold mixed types (e.g. None and numbers); store those as text."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            try:
                import pyarrow as pa

                pa.array(out[c].tolist())
            except Exception:
                out[c] = out[c].astype(str)
    return out
