"""Typed, dated frames of the tables in :mod:`sim.schema`: the helpers every table builder uses (both
engines), the empty tables, and the small tables built straight from a log (funnel, snapshots, uplift).

Examples
--------
>>> list(empty_table("events").columns)
['customer_id', 't', 'date', 'event', 'detail']
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.schema import TABLES
from sim.world.funnel import funnel_columns
from sim.world.logs import Logs

__all__ = [
    "day_dates",
    "typed_frame",
    "constant_strings",
    "empty_table",
    "funnel_table",
    "snapshot_table",
    "uplift_table",
]


def day_dates(start: pd.Timestamp, t: Any) -> pd.Series:
    """Calendar timestamps of simulation times ``t`` (days since ``start``)."""
    return pd.Series(start + pd.to_timedelta(np.asarray(t, dtype=float), unit="D")).astype("datetime64[ns]")


def typed_frame(table: str, data: dict[str, Any], adopt: bool = False) -> pd.DataFrame:
    """A DataFrame with exactly the columns of ``table`` (:mod:`sim.schema`), each in its documented dtype.

    Both engines build their tables with it, so they share columns and dtypes by construction.
    Numeric columns are copied: a column never wraps the buffer it came from (a view of a live
    ``array.array`` log would make the world's next append fail with ``BufferError``). With
    ``adopt`` the caller promises that the NumPy arrays in ``data`` are fresh and used nowhere
    else: one that owns its data, is writeable and already has the column's dtype is kept as it is
    (no second copy: at a million customers the tables are built in about half the memory); an
    array given for two columns is still copied for the second.

    Examples
    --------
    >>> t = np.array([1.5, 2.5])
    >>> df = typed_frame("tiers", {"customer_id": np.array([1, 2]), "t": t, "date": t, "tier": ["a", "b"],
    ...                            "score": t}, adopt=True)
    >>> np.shares_memory(df["t"].to_numpy(), t), np.shares_memory(df["score"].to_numpy(), t)
    (True, False)
    """
    cols = TABLES[table]
    out: dict[str, Any] = {}
    n = None
    kept: set[int] = set()  # ids of the arrays adopted (each at most once)
    for name, col in cols.items():
        v = data[name]
        # arrays, not Series: the columns are positional, so no index alignment is needed
        if col.dtype == "string":
            arr: Any = pd.array(v, dtype="string")
        elif col.dtype == "boolean":
            arr = pd.array(v, dtype="boolean")
        elif col.dtype.startswith("datetime"):
            arr = pd.Series(v).astype("datetime64[ns]").to_numpy(copy=True)
        elif (
            adopt
            and isinstance(v, np.ndarray)
            and v.dtype == col.dtype
            and v.flags.owndata
            and v.flags.writeable
            and v.ndim == 1
            and id(v) not in kept
        ):
            arr = v
            kept.add(id(v))
        else:
            arr = np.array(v, dtype=col.dtype) if len(v) else np.array([], dtype=col.dtype)
        if n is None:
            n = len(arr)
        elif len(arr) != n:
            raise ValueError(f"{table}: column {name!r} has {len(arr)} values, the table {n}")
        out[name] = arr
    return pd.DataFrame(out, copy=False)


def constant_strings(value: str, n: int) -> Any:
    """A string column of ``n`` copies of ``value``, built without a per-row conversion (the columns
    of a switched-off mechanism: ``category``, ``plan``, ``mode`` ...).

    Examples
    --------
    >>> list(constant_strings("named", 3)), str(constant_strings("", 2).dtype)
    (['named', 'named', 'named'], 'string')
    """
    return pd.Series(value, index=pd.RangeIndex(n), dtype="string").array


def empty_table(table: str) -> pd.DataFrame:
    """An empty table with the columns and dtypes of ``table``.

    Examples
    --------
    >>> t = empty_table("funnel")
    >>> len(t), str(t["leads"].dtype)
    (0, 'int64')
    """
    return _empty_template(table).copy()


@cache
def _empty_template(table: str) -> pd.DataFrame:
    return typed_frame(table, {name: [] for name in TABLES[table]})


def funnel_table(
    customers: pd.DataFrame, sc: Scenario, horizon: float, rng: np.random.Generator | None
) -> pd.DataFrame:
    """The ``funnel`` table of a run from its ``customers`` table (:mod:`sim.world.funnel`).

    ``rng`` is the run's ``funnel`` stream (``Streams.generator("funnel")``); without one the
    table is empty (a caller that has no streams, e.g. rebuilding tables from logs alone).
    Both engines call it with their customers table, so their funnels agree by construction.
    """
    if rng is None:
        return empty_table("funnel")
    start = pd.Timestamp(sc.start_date)
    cols = funnel_columns(
        customers["acquired_t"].to_numpy(dtype=float),
        customers["channel"].astype(object).to_numpy(),
        customers["cac"].to_numpy(dtype=float),
        sc,
        horizon,
        rng,
    )
    return typed_frame("funnel", {**cols, "date": day_dates(start, cols["t"])})


def snapshot_table(logs: Logs, start: pd.Timestamp) -> pd.DataFrame:
    """The latent ``snapshots`` table (empty unless the logs hold snapshots), sorted by time and customer."""
    log = logs.snapshots
    if not len(log):
        return empty_table("snapshots")
    who, t, sat, alive = log.columns()  # taken in time order, customers in index order
    return typed_frame(
        "snapshots",
        {"customer_id": who + 1, "t": t, "date": day_dates(start, t), "true_satisfaction": sat, "true_alive": alive},
    )


def uplift_table(logs: Logs, start: pd.Timestamp) -> pd.DataFrame:
    """The latent ``uplift`` table (empty unless ``Scenario.uplift`` recorded decisions), in decision order."""
    log = logs.uplift
    if not len(log):
        return empty_table("uplift")
    cols = log.columns()  # the pending decisions are replayed first
    cols["customer_id"] = cols.pop("customer") + 1
    cid = cols["contact_id"]
    cols["contact_id"] = np.where(cid >= 0, cid + 1, -1)  # the contacts table's 1-based id; -1: a holdout
    cols["date"] = day_dates(start, cols["t"])
    return typed_frame("uplift", cols)
