"""Write an experiment's files: its tables (CSV + Parquet), ``experiment.json`` and ``report.html``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["write_experiment"]


def write_experiment(path: str | Path, exp: Any, tables: Sequence[str], meta: dict, report: Callable[..., str]) -> Path:
    """The files of a comparison or sweep: tables (CSV + Parquet), ``experiment.json``, ``report.html``."""
    import json

    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    for name in tables:
        df: pd.DataFrame = getattr(exp, name)
        df.to_csv(out / f"{name}.csv", index=False)
        _parquet_safe(df).to_parquet(out / f"{name}.parquet", index=False)
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
    (out / "experiment.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    report(exp, out / "report.html")
    return out


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
