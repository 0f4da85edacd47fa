"""Experiments: replicate, compare policies, sweep parameters — on one core, a pool or Dask.

:func:`compare` runs several *arms* (policies, or scenario variants) for ``replications``
replications each and summarises every KPI with means, 95% confidence intervals and the
**paired** difference against the first arm. :func:`sweep` runs the Cartesian product of a
grid of scenario / policy fields. Both return tidy pandas tables and can plot and write an
HTML report (:mod:`sim.report`).

Common random numbers (CRN)
    Replication ``k`` uses the same seed in every arm, so the arms share their customers,
    latent traits and shocks and differ only through what the arm changes. Replication seeds
    are ``numpy.random.SeedSequence(seed).generate_state(n)`` (32-bit words): deterministic,
    well spread, and the seed of replication ``k`` does not depend on ``n`` (adding
    replications keeps the earlier ones). Differences between arms are then far less noisy
    than the arms themselves, which is why the paired t-interval is tighter than Welch's
    unpaired one (:meth:`Comparison.unpaired_ci` shows both).

Engines
    ``"local"`` runs in this process; ``"process"`` uses :class:`concurrent.futures.ProcessPoolExecutor`
    (start method ``fork`` on Linux when the caller runs a single thread, else ``forkserver`` or
    ``spawn``; tasks sent in chunks of about a quarter of a worker's share);
    ``"dask"`` uses :mod:`dask.distributed` (a ``LocalCluster`` with one thread per worker
    process unless ``address=`` names a running scheduler). The work unit is the top-level
    function :func:`run_task`, which takes and returns plain dicts, so every engine runs exactly
    the same code and gives identical numbers for the same seed.

Libraries: the simulator is :func:`sim.run`; t-intervals, paired and Welch t-tests come from
:mod:`scipy.stats` (``ttest_1samp`` on values and on paired differences, ``ttest_ind``); tables are pandas; plots
are matplotlib. Hand-written: only the bookkeeping (tasks, seeds, grids, chunking) and the
degenerate cases scipy leaves as NaN (a difference that is identical in every replication has
a zero-width interval, not an undefined one).

Examples
--------
>>> import sim
>>> from sim.experiment import compare
>>> cmp = compare("baseline", {"base": None, "more_agents": "service_first"},
...                   replications=3, customers=300, days=90, seed=1, progress=False)
>>> cmp.replications[["policy", "replication"]].shape
(6, 2)
>>> list(cmp.summary.columns[:4])
['policy', 'kpi', 'n', 'mean']
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from sim.dictionary import KPIS
from sim.errors import ConfigError
from sim.policy import Policy
from sim.scenario import SEVERITIES, Scenario

__all__ = [
    "ENGINES",
    "Comparison",
    "Sweep",
    "compare",
    "sweep",
    "summarize",
    "replication_seeds",
    "run_task",
    "kpi_unit",
    "OVERALL_KPIS",
]

#: The engines :func:`compare` and :func:`sweep` accept.
ENGINES: tuple[str, ...] = ("local", "process", "dask")

#: KPI names of :meth:`sim.Result.kpis` (overall); per-period-only KPIs are not included.
OVERALL_KPIS: tuple[str, ...] = tuple(
    [k for k in KPIS if k not in ("buyers", "repeat_purchase_rate", "true_churn_rate")]
    + [f"sla_met_{s}" for s in SEVERITIES if f"sla_met_{s}" not in KPIS]
)

#: KPIs shown first in plots, printed tables and reports (all KPIs are always in the tables).
HEADLINE_KPIS: tuple[str, ...] = (
    "profit",
    "revenue",
    "retention_cost",
    "service_cost",
    "orders_per_customer",
    "true_alive",
    "active_customers",
    "nps",
    "sla_met_rate",
    "mean_wait_h",
)

#: Replications x customers x days above which a progress bar is shown when ``progress=None``.
PROGRESS_THRESHOLD = 5_000 * 730 * 8

Arm = tuple[Scenario, Policy | None]


# ============================================================================ small helpers
def kpi_unit(kpi: str, currency: str = "currency") -> str:
    """The unit of a KPI from :data:`sim.dictionary.KPIS` (``currency`` replaced by its name).

    Examples
    --------
    >>> kpi_unit("revenue", "CNY"), kpi_unit("mean_wait_h"), kpi_unit("sla_met_P2")
    ('CNY', 'hours', 'share')
    """
    base = kpi if kpi in KPIS else ("sla_met_P0" if kpi.startswith("sla_met_P") else None)
    if base is None:
        return ""
    unit = KPIS[base].unit
    return currency if unit == "currency" else unit


def replication_seeds(seed: int, n: int) -> list[int]:
    """Seeds of replications ``0 .. n-1``, shared by every arm (common random numbers).

    ``numpy.random.SeedSequence(seed).generate_state(n)``; the first ``k`` seeds do not depend
    on ``n``.

    Examples
    --------
    >>> replication_seeds(1, 3) == replication_seeds(1, 10)[:3]
    True
    >>> len(set(replication_seeds(0, 1000)))
    1000
    """
    _check_int("seed", seed, 0)
    _check_int("replications", n, 1)
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(n, dtype=np.uint32)]


def _check_int(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ConfigError(f"{name}={value!r} is not allowed: give a whole number >= {low}")


def _as_scenario(s: Scenario | str | Path) -> Scenario:
    if isinstance(s, Scenario):
        return s
    if isinstance(s, (str, Path)):
        return Scenario.load(s)
    raise ConfigError(f"scenario={s!r} is not allowed: give a Scenario, a preset name or a YAML path")


def _as_policy(p: Policy | str | Path | None, where: str) -> Policy | None:
    if p is None or isinstance(p, Policy):
        return p
    if isinstance(p, (str, Path)):
        return Policy.load(p)
    raise ConfigError(
        f"{where}={p!r} is not allowed: give a Policy, a preset name, a YAML path, None "
        "(no policy) or a (Scenario, Policy) pair"
    )


def _check_kpis(kpis: Sequence[str] | None) -> list[str] | None:
    if kpis is None:
        return None
    if isinstance(kpis, str):
        kpis = [kpis]
    bad = [k for k in kpis if k not in OVERALL_KPIS]
    if bad or not kpis:
        raise ConfigError(f"kpis={list(kpis)!r}: unknown KPI(s) {bad}; allowed: {list(OVERALL_KPIS)}")
    return list(kpis)


# ============================================================================ the work unit
def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one replication of one arm; the unit of work every engine executes.

    Parameters
    ----------
    task : dict
        Plain data only (picklable, engine-neutral): ``arm`` (label), ``replication``,
        ``seed``, ``scenario`` (``Scenario.to_dict()``), ``policy`` (``Policy.to_dict()`` or
        ``None``), ``customers`` and ``days`` (``None``: the scenario's), ``kpis`` (names to
        keep or ``None`` for all).

    Returns
    -------
    dict
        ``arm``, ``replication``, ``seed`` and one float per KPI.

    Examples
    --------
    >>> import sim
    >>> out = run_task({"arm": "a", "replication": 0, "seed": 5,
    ...                 "scenario": sim.Scenario.load("btyd_only").to_dict(), "policy": None,
    ...                 "customers": 100, "days": 60, "kpis": ["orders"]})
    >>> sorted(out)
    ['arm', 'orders', 'replication', 'seed']
    >>> out["orders"] == float(len(sim.run("btyd_only", customers=100, days=60, seed=5).orders))
    True
    """
    from sim.runner import run

    sc = Scenario.from_dict(task["scenario"])
    pol = None if task.get("policy") is None else Policy.from_dict(task["policy"])
    res = run(sc, pol, customers=task.get("customers"), days=task.get("days"), seed=int(task["seed"]), progress=False)
    k = res.kpis()
    names = task.get("kpis") or list(k.index)
    out: dict[str, Any] = {"arm": task["arm"], "replication": int(task["replication"]), "seed": int(task["seed"])}
    for name in names:
        out[name] = float(k[name]) if name in k.index else float("nan")
    return out


def _run_chunk(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run several tasks in one worker call (fewer round trips)."""
    return [run_task(t) for t in tasks]


def _chunks(tasks: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """About four chunks per worker: big enough to amortise dispatch, small enough to balance."""
    size = max(1, math.ceil(len(tasks) / (4 * max(1, workers))))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def _cores() -> int:
    """Cores this process may use (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux when this process runs a single thread (workers start at once, nothing to
    import); otherwise ``forkserver`` (forking a threaded process can deadlock the child), else ``spawn``."""
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.experiment"])
        return ctx
    return multiprocessing.get_context("spawn")


class _Bar:
    """A rich progress bar, or nothing."""

    def __init__(self, show: bool, total: int, label: str) -> None:
        self._bar = None
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
            self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> "_Bar":
        if self._bar is not None:
            self._bar.start()
        return self

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _execute(
    tasks: list[dict[str, Any]],
    *,
    engine: str,
    workers: int | None,
    address: str | None,
    progress: bool,
    label: str,
) -> list[dict[str, Any]]:
    """Run ``tasks`` on ``engine`` and return their results in task order."""
    if engine not in ENGINES:
        raise ConfigError(f"engine={engine!r} is not allowed; choose one of {list(ENGINES)}")
    if workers is not None:
        _check_int("workers", workers, 1)
    if address is not None and engine != "dask":
        raise ConfigError(f"address={address!r} only applies to engine='dask' (engine is {engine!r})")
    results: list[list[dict[str, Any]] | None]
    if engine == "local":
        out = []
        with _Bar(progress, len(tasks), f"{label} · local") as bar:
            for t in tasks:
                out.append(run_task(t))
                bar.advance(1)
        return out

    if engine == "process":
        from concurrent.futures import ProcessPoolExecutor, as_completed

        n_workers = workers or _cores()
        chunks = _chunks(tasks, n_workers)
        results = [None] * len(chunks)
        # workers start before the progress bar's refresh thread does (see _mp_context)
        with ProcessPoolExecutor(max_workers=min(n_workers, len(chunks)), mp_context=_mp_context()) as ex:
            futures = {ex.submit(_run_chunk, c): i for i, c in enumerate(chunks)}
            with _Bar(progress, len(tasks), f"{label} · {n_workers} processes") as bar:
                for fut in as_completed(futures):
                    i = futures[fut]
                    results[i] = fut.result()
                    bar.advance(len(chunks[i]))
        return [r for chunk in results for r in chunk]  # type: ignore[union-attr]

    # dask
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise ConfigError("engine='dask' needs dask.distributed (pip install 'dask[distributed]')") from exc
    import logging

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers or _cores(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = _chunks(tasks, n_workers)
        results = [None] * len(chunks)
        with _Bar(progress, len(tasks), f"{label} · dask ({n_workers} workers)") as bar:
            futures = client.map(_run_chunk, chunks, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            for fut in dask_completed(futures):
                i = index[fut.key]
                results[i] = fut.result()
                bar.advance(len(chunks[i]))
        return [r for chunk in results for r in chunk]  # type: ignore[union-attr]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _show_progress(progress: bool | None, n_tasks: int, customers: int, days: float) -> bool:
    if progress is None:
        return n_tasks * customers * days > PROGRESS_THRESHOLD
    return bool(progress)


# ============================================================================ statistics
def _t_ci(x: np.ndarray, level: float) -> tuple[float, float, float]:
    """(low, high, p-value of mean = 0) of a one-sample t-interval; exact zero width if sd == 0."""
    lo, hi, p = _t_ci_cols(x.reshape(-1, 1), level)
    return float(lo[0]), float(hi[0]), float(p[0])


def _t_ci_cols(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise one-sample t-intervals and p-values (scipy, vectorised); NaNs are left out per column.

    A column whose values are all equal gets a zero-width interval at its value (scipy gives NaN)
    and p = 0 unless the value is 0 (then NaN).
    """
    from scipy import stats  # lazy: keeps `import sim` fast

    k = x.shape[1]
    lo, hi, p = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    ok = ~np.isnan(x)
    full = ok.all(axis=0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if full.any() and x.shape[0] >= 2:
            res = stats.ttest_1samp(x[:, full], 0.0, axis=0)
            ci = res.confidence_interval(level)
            lo[full], hi[full], p[full] = ci.low, ci.high, res.pvalue
        for j in np.flatnonzero(~full):
            col = x[ok[:, j], j]
            if col.size >= 2:
                res = stats.ttest_1samp(col, 0.0)
                ci = res.confidence_interval(level)
                lo[j], hi[j], p[j] = ci.low, ci.high, res.pvalue
    for j in range(k):
        col = x[ok[:, j], j]
        if col.size >= 2 and float(np.ptp(col)) == 0.0:
            m = float(col[0])
            lo[j] = hi[j] = m
            p[j] = np.nan if m == 0.0 else 0.0
    return lo, hi, p


def _welch_cols(b: np.ndarray, a: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise Welch intervals of mean(b) - mean(a) (scipy ``ttest_ind(equal_var=False)``)."""
    from scipy import stats  # lazy: keeps `import sim` fast

    k = b.shape[1]
    lo, hi = np.full(k, np.nan), np.full(k, np.nan)
    okb, oka = ~np.isnan(b), ~np.isnan(a)
    full = okb.all(axis=0) & oka.all(axis=0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if full.any() and b.shape[0] >= 2 and a.shape[0] >= 2:
            ci = stats.ttest_ind(b[:, full], a[:, full], axis=0, equal_var=False).confidence_interval(level)
            lo[full], hi[full] = ci.low, ci.high
        for j in np.flatnonzero(~full):
            cb, ca = b[okb[:, j], j], a[oka[:, j], j]
            if cb.size >= 2 and ca.size >= 2:
                ci = stats.ttest_ind(cb, ca, equal_var=False).confidence_interval(level)
                lo[j], hi[j] = ci.low, ci.high
    for j in range(k):
        cb, ca = b[okb[:, j], j], a[oka[:, j], j]
        if cb.size >= 2 and ca.size >= 2 and float(np.ptp(cb)) == 0.0 and float(np.ptp(ca)) == 0.0:
            lo[j] = hi[j] = float(cb[0] - ca[0])
    return lo, hi


def summarize(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str] = "policy",
    baseline: Any = None,
    kpis: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Per group and KPI: mean, sd and t-interval; with a baseline, paired differences too.

    Parameters
    ----------
    table : DataFrame
        One row per group x replication: the ``by`` column(s), ``replication`` and KPI columns
        (e.g. :attr:`Comparison.replications`).
    by : str or list of str
        Column(s) naming the group (arm, or grid point).
    baseline : optional
        The group every other group is compared with (a value of ``by``, a tuple for several
        columns). Rows are paired on ``replication``; with common random numbers pairs share
        their seed.
    kpis : list of str, optional
        KPI columns (default: every numeric column except ``replication`` and ``seed``).
    level : float
        Confidence level of all intervals (default 0.95).

    Returns
    -------
    DataFrame
        One row per group and KPI: ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high`` (t-interval
        of the mean); with a baseline also ``n_pairs``, ``diff`` (mean paired difference, group
        minus baseline), ``diff_sd``, ``diff_ci_low``, ``diff_ci_high`` (t-interval of the paired
        differences), ``rel_diff`` (``diff`` / abs(baseline mean over the pairs), so its sign is the sign of ``diff``), ``p_value``
        (paired t-test: :func:`scipy.stats.ttest_1samp` of the differences, identical to ``ttest_rel``), ``welch_ci_low``, ``welch_ci_high``
        (unpaired Welch interval of the difference of means, for contrast). The baseline's
        difference columns are NaN. Replications where a KPI is NaN (e.g. no P0 tickets) are
        left out of that KPI's figures, and ``n`` / ``n_pairs`` say how many remained.

    Examples
    --------
    >>> t = pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
    ...                   "x": [1.0, 2.0, 3.0, 2.0, 3.5, 4.0]})
    >>> s = summarize(t, baseline="a").set_index("policy")
    >>> float(s.loc["b", "diff"]), float(s.loc["b", "mean"])
    (1.1666666666666667, 3.1666666666666665)
    >>> bool(s.loc["b", "diff_ci_high"] - s.loc["b", "diff_ci_low"] < s.loc["b", "welch_ci_high"] - s.loc["b", "welch_ci_low"])
    True
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_cols + ["replication"] if c not in table.columns]
    if missing:
        raise ConfigError(f"summarize: table has no column(s) {missing}; columns: {list(table.columns)}")
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level={level!r} is not allowed: give a confidence level in (0, 1)")
    if kpis is None:
        skip = set(by_cols) | {"replication", "seed", "point", "arm"}
        kpis = [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])]
    groups = list(table.groupby(by_cols, sort=False, dropna=False))
    key = lambda g: g[0] if len(by_cols) > 1 else g[0][0]  # noqa: E731
    for g in groups:
        if g[1]["replication"].duplicated().any():
            raise ConfigError(f"summarize: group {key(g)!r} has a replication more than once; rows must be unique per group x replication")
    base_df = None
    if baseline is not None:
        for g in groups:
            if key(g) == baseline:
                base_df = g[1].set_index("replication")[list(kpis)]
        if base_df is None:
            raise ConfigError(f"baseline {baseline!r} is not one of the groups {[key(g) for g in groups]}")
    nan = float("nan")
    frames = []
    for g in groups:
        gkey, df = key(g), g[1].set_index("replication")[list(kpis)]
        x = df.to_numpy(dtype=float)
        ok = ~np.isnan(x)
        n = ok.sum(axis=0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(x, axis=0) if len(x) else np.full(len(kpis), nan)
            sd = np.where(n > 1, np.nanstd(x, axis=0, ddof=1), nan) if len(x) else np.full(len(kpis), nan)
        lo, hi, _ = _t_ci_cols(x, level)
        out = pd.DataFrame({"kpi": list(kpis), "n": n.astype(int), "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
        if base_df is not None:
            cols = {c: np.full(len(kpis), nan) for c in ("diff", "diff_sd", "diff_ci_low", "diff_ci_high", "rel_diff", "p_value", "welch_ci_low", "welch_ci_high")}
            n_pairs = np.zeros(len(kpis), dtype=int)
            if gkey != baseline:
                common = df.index.intersection(base_df.index)
                b, a = df.loc[common].to_numpy(dtype=float), base_df.loc[common].to_numpy(dtype=float)
                d = b - a  # NaN where either is NaN: the pair is left out
                pair_ok = ~np.isnan(d)
                n_pairs = pair_ok.sum(axis=0)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    cols["diff"] = np.nanmean(d, axis=0) if len(d) else cols["diff"]
                    cols["diff_sd"] = np.where(n_pairs > 1, np.nanstd(d, axis=0, ddof=1), nan) if len(d) else cols["diff_sd"]
                    base_mean = np.nanmean(np.where(pair_ok, a, np.nan), axis=0) if len(d) else np.full(len(kpis), nan)
                    cols["rel_diff"] = np.where(base_mean != 0, cols["diff"] / np.abs(base_mean), nan)
                cols["diff_ci_low"], cols["diff_ci_high"], cols["p_value"] = _t_ci_cols(d, level)
                cols["welch_ci_low"], cols["welch_ci_high"] = _welch_cols(x, base_df.to_numpy(dtype=float), level)
            out.insert(6, "n_pairs", n_pairs.astype(int))
            for c, v in cols.items():
                out[c] = v
        for i, (c, v) in enumerate(zip(by_cols, gkey if len(by_cols) > 1 else (gkey,))):
            out.insert(i, c, [v] * len(out))
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


# ============================================================================ compare
def _normalise_arms(scenario: Scenario, policies: Any) -> dict[str, Arm]:
    if isinstance(policies, Mapping):
        items = list(policies.items())
    elif isinstance(policies, (list, tuple)) and all(isinstance(p, (str, Path)) for p in policies):
        items = [(Path(p).stem if Path(p).suffix in (".yaml", ".yml") else str(p), p) for p in policies]
    else:
        raise ConfigError(
            f"policies={policies!r} is not allowed: give a dict {{name: Policy | preset name | None | "
            "(Scenario, Policy)}} or a list of preset names"
        )
    if not items:
        raise ConfigError("policies is empty: give at least one arm, e.g. {'do_nothing': 'do_nothing'}")
    names = [str(k) for k, _ in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"arm names must be unique, {dupes} repeat")
    arms: dict[str, Arm] = {}
    for name, value in items:
        if isinstance(value, tuple):
            if len(value) != 2:
                raise ConfigError(f"policies[{name!r}] is a tuple of {len(value)}; give a (Scenario, Policy) pair")
            arms[str(name)] = (_as_scenario(value[0]), _as_policy(value[1], f"policies[{name!r}][1]"))
        else:
            arms[str(name)] = (scenario, _as_policy(value, f"policies[{name!r}]"))
    return arms


def _tasks(arms: dict[str, Arm], seeds: list[int], customers: int | None, days: float | None, kpis: list[str] | None) -> list[dict[str, Any]]:
    tasks = []
    for name, (sc, pol) in arms.items():
        sd, pd_ = sc.to_dict(), (None if pol is None else pol.to_dict())
        for k, s in enumerate(seeds):
            tasks.append({"arm": name, "replication": k, "seed": s, "scenario": sd, "policy": pd_,
                          "customers": customers, "days": days, "kpis": kpis})
    return tasks


def _check_size(customers: int | None, days: float | None) -> None:
    if customers is not None:
        _check_int("customers", customers, 1)
    if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 3650):
        raise ConfigError(f"days={days!r} is not allowed: give a number of days in (0, 3650]")


@dataclass
class Comparison:
    """The outcome of :func:`compare`.

    Attributes
    ----------
    replications : DataFrame
        One row per arm x replication: ``policy`` (arm name), ``replication``, ``seed`` and one
        column per KPI (names and units in :data:`sim.dictionary.KPIS`).
    summary : DataFrame
        :func:`summarize` of ``replications`` against :attr:`baseline` (one row per arm and KPI).
    baseline : str
        The first arm; differences are arm minus baseline.
    scenario : Scenario
        The scenario passed to :func:`compare`.
    arms : dict
        ``{name: (Scenario, Policy or None)}`` as run.
    seed, customers, days, engine : run settings (``customers`` / ``days`` as run).
    level : float
        Confidence level of the intervals.
    """

    replications: pd.DataFrame
    summary: pd.DataFrame
    baseline: str
    scenario: Scenario
    arms: dict[str, Arm]
    seed: int
    customers: int
    days: float
    engine: str
    level: float = 0.95
    kpis: list[str] = field(default_factory=list)

    @property
    def n_replications(self) -> int:
        """Replications per arm."""
        return int(self.replications["replication"].nunique())

    def unpaired_ci(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Paired (CRN) versus unpaired (Welch) intervals of each arm's difference to the baseline.

        Returns
        -------
        DataFrame
            ``policy``, ``kpi``, ``diff``, ``paired_low``, ``paired_high``, ``welch_low``,
            ``welch_high``, ``paired_width``, ``welch_width`` and ``width_ratio``
            (paired / Welch; below 1 when common random numbers help).

        Examples
        --------
        >>> import sim
        >>> from sim.experiment import compare, sweep
        >>> sc = sim.Scenario.load("btyd_only")
        >>> cmp = compare(sc, {"a": None, "b": (sc.updated({"spend.gamma": 165.0}), None)},
        ...                   replications=4, customers=200, days=120, progress=False)
        >>> bool(cmp.unpaired_ci(["revenue"])["width_ratio"].iloc[0] < 1)
        True
        """
        s = self.summary[self.summary["policy"] != self.baseline]
        if kpis is not None:
            s = s[s["kpi"].isin(list(kpis))]
        out = pd.DataFrame({
            "policy": s["policy"].to_numpy(),
            "kpi": s["kpi"].to_numpy(),
            "diff": s["diff"].to_numpy(),
            "paired_low": s["diff_ci_low"].to_numpy(),
            "paired_high": s["diff_ci_high"].to_numpy(),
            "welch_low": s["welch_ci_low"].to_numpy(),
            "welch_high": s["welch_ci_high"].to_numpy(),
        })
        out["paired_width"] = out["paired_high"] - out["paired_low"]
        out["welch_width"] = out["welch_high"] - out["welch_low"]
        out["width_ratio"] = out["paired_width"] / out["welch_width"]
        return out

    def plot(self, kpis: Sequence[str] | None = None, *, fig: Any = None) -> Any:
        """Each arm's paired difference to the baseline with its confidence interval, per KPI.

        Parameters
        ----------
        kpis : list of str, optional
            One panel per KPI (default: the headline KPIs that were computed).
        fig : matplotlib Figure, optional
            Draw into this figure (default: a new ``pyplot`` figure).

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import sim
        >>> from sim.experiment import compare, sweep
        >>> cmp = compare("baseline", {"a": None, "b": "service_first"}, replications=2,
        ...                   customers=200, days=60, progress=False)
        >>> fig = cmp.plot(["revenue", "mean_wait_h"])
        >>> [ax.get_xlabel() for ax in fig.axes]
        ['Δ revenue (CNY)', 'Δ mean_wait_h (hours)']
        """
        kpis = _plot_kpis(kpis, self.kpis)
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(6.4, 1.0 + 1.6 * len(kpis) * max(1, (len(self.arms) - 1) ** 0.5)))
        others = [a for a in self.arms if a != self.baseline]
        axes = fig.subplots(len(kpis), 1, squeeze=False)[:, 0]
        s = self.summary.set_index(["policy", "kpi"])
        for ax, kpi in zip(axes, kpis):
            ys = np.arange(len(others))[::-1]
            for y, arm in zip(ys, others):
                r = s.loc[(arm, kpi)]
                lo, hi, d = r["diff_ci_low"], r["diff_ci_high"], r["diff"]
                err = None if np.isnan(lo) else [[d - lo], [hi - d]]
                ax.errorbar([d], [y], xerr=err, fmt="o", capsize=4, color="C0" if (np.isnan(lo) or lo <= 0 <= hi) else "C3")
            ax.axvline(0.0, color="0.5", lw=1, ls="--")
            ax.set_yticks(ys, others)
            ax.set_ylim(-0.7, len(others) - 0.3)
            ax.set_xlabel(f"Δ {kpi} ({kpi_unit(kpi, self.scenario.currency)})")
            ax.set_title(f"{kpi}: difference to {self.baseline}", fontsize=10)
        fig.suptitle(
            f"Paired differences vs {self.baseline}\nmean and {self.level:.0%} CI over {self.n_replications} "
            "replications (common random numbers; red: CI excludes 0)",
            fontsize=10,
        )
        fig.tight_layout()
        return fig

    def to_dir(self, path: str | Path) -> Path:
        """Write ``replications`` and ``summary`` (CSV and Parquet), ``experiment.json`` and ``report.html``.

        Examples
        --------
        >>> import sim, tempfile
        >>> from sim.experiment import compare, sweep
        >>> cmp = compare("baseline", ["do_nothing"], replications=2, customers=100, days=30, progress=False)
        >>> d = cmp.to_dir(tempfile.mkdtemp())
        >>> sorted(p.name for p in d.iterdir())  # doctest: +NORMALIZE_WHITESPACE
        ['experiment.json', 'replications.csv', 'replications.parquet', 'report.html',
         'summary.csv', 'summary.parquet']
        """
        from sim.report import comparison_report

        meta = {
            "kind": "compare",
            "baseline": self.baseline,
            "arms": {n: {"scenario": sc.to_dict(), "policy": None if p is None else p.to_dict()} for n, (sc, p) in self.arms.items()},
        }
        return _write_experiment(path, self, ("replications", "summary"), meta, comparison_report)

    def report(self, path: str | Path | None = None) -> str:
        """The self-contained HTML report (see :func:`sim.report.comparison_report`)."""
        from sim.report import comparison_report

        return comparison_report(self, path)

    def __repr__(self) -> str:
        return (
            f"Comparison(scenario={self.scenario.name!r}, arms={list(self.arms)}, replications={self.n_replications}, "
            f"customers={self.customers}, days={self.days:g}, seed={self.seed}, engine={self.engine!r})"
        )


def _plot_kpis(kpis: Sequence[str] | str | None, available: list[str]) -> list[str]:
    if kpis is None:
        out = [k for k in HEADLINE_KPIS if k in available][:4] or available[:4]
    else:
        out = [kpis] if isinstance(kpis, str) else list(kpis)
    bad = [k for k in out if k not in available]
    if bad or not out:
        raise ConfigError(f"kpis={out!r}: not computed in this experiment {bad}; available: {available}")
    return out


def compare(
    scenario: Scenario | str | Path,
    policies: Mapping[str, Any] | Sequence[str],
    *,
    replications: int = 10,
    seed: int = 0,
    engine: str = "local",
    customers: int | None = None,
    days: float | None = None,
    workers: int | None = None,
    address: str | None = None,
    progress: bool | None = None,
    kpis: Sequence[str] | None = None,
    level: float = 0.95,
) -> Comparison:
    """Run each arm ``replications`` times with common random numbers and compare KPIs.

    Parameters
    ----------
    scenario : Scenario, preset name or YAML path
        The world every arm runs in (unless an arm brings its own scenario).
    policies : dict or list
        ``{name: arm}``; the FIRST arm is the baseline. An arm is a :class:`sim.Policy`, a policy
        preset name or YAML path, ``None`` (no policy), or a ``(Scenario, Policy-or-None)`` pair
        to compare scenario variants (what-ifs about the world rather than the firm). A list of
        preset names is short for ``{name: name}``.
    replications : int
        Replications per arm (at least 2 for intervals).
    seed : int
        Master seed; replication ``k`` uses ``replication_seeds(seed, n)[k]`` in every arm.
    engine : {"local", "process", "dask"}
        Where to run (identical numbers on each).
    customers, days : optional
        Run size (default: each arm's scenario).
    workers : int, optional
        Processes (``process``) or Dask workers of the LocalCluster (default: all cores).
    address : str, optional
        Address of a running Dask scheduler (``engine="dask"`` only); nothing is started then.
    progress : bool, optional
        Show a progress bar (``None``: only for long runs).
    kpis : list of str, optional
        KPIs to keep (default: all of :data:`OVERALL_KPIS`).
    level : float
        Confidence level (default 0.95).

    Returns
    -------
    Comparison

    Raises
    ------
    ConfigError
        Unknown engine, preset or KPI; bad sizes or seeds; empty or malformed ``policies``.

    Examples
    --------
    >>> import sim
    >>> from sim.experiment import compare, sweep
    >>> cmp = compare("baseline", {"do_nothing": "do_nothing", "vip": "vip_care"},
    ...                   replications=3, customers=200, days=60, seed=2, progress=False)
    >>> cmp.baseline, sorted(cmp.replications["policy"].unique())
    ('do_nothing', ['do_nothing', 'vip'])
    >>> int(cmp.replications.groupby("replication")["seed"].nunique().max())   # shared seeds (CRN)
    1
    """
    sc = _as_scenario(scenario)
    _check_int("replications", replications, 1)
    _check_int("seed", seed, 0)
    _check_size(customers, days)
    kpi_list = _check_kpis(kpis)
    arms = _normalise_arms(sc, policies)
    seeds = replication_seeds(seed, replications)
    tasks = _tasks(arms, seeds, customers, days, kpi_list)
    n_cust = customers if customers is not None else sc.population.customers
    n_days = float(days if days is not None else sc.horizon_days)
    rows = _execute(tasks, engine=engine, workers=workers, address=address,
                    progress=_show_progress(progress, len(tasks), n_cust, n_days), label="compare")
    table = pd.DataFrame(rows).rename(columns={"arm": "policy"})
    table["policy"] = table["policy"].astype("string")
    kpi_cols = [c for c in table.columns if c not in ("policy", "replication", "seed")]
    baseline = next(iter(arms))
    summary = summarize(table, by="policy", baseline=baseline, kpis=kpi_cols, level=level)
    return Comparison(
        replications=table, summary=summary, baseline=baseline, scenario=sc, arms=arms, seed=seed,
        customers=n_cust, days=n_days, engine=engine, level=level, kpis=kpi_cols,
    )


# ============================================================================ sweep
_SC_KEYS = frozenset(Scenario.model_fields)
_POL_KEYS = frozenset(Policy.model_fields)


def resolve_path(path: str) -> tuple[str, str]:
    """Split a grid path into ``("scenario" | "policy", dotted field path)``.

    ``scenario.<path>`` and ``policy.<path>`` are explicit; a bare path is resolved by its
    top-level key (Scenario and Policy share only ``name`` and ``description``).

    Examples
    --------
    >>> resolve_path("desk.agents"), resolve_path("policy.service.extra_agents")
    (('scenario', 'desk.agents'), ('policy', 'service.extra_agents'))
    >>> resolve_path("budget.amount_per_period")
    ('policy', 'budget.amount_per_period')
    """
    if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
        raise ConfigError(f"grid path {path!r} is not allowed: give a dotted field path such as 'desk.agents'")
    head, _, rest = path.partition(".")
    if head in ("scenario", "policy") and rest:
        return head, rest
    in_sc, in_pol = head in _SC_KEYS, head in _POL_KEYS
    if in_sc and in_pol:
        raise ConfigError(f"grid path {path!r} is ambiguous ({head!r} is a field of both); write 'scenario.{path}' or 'policy.{path}'")
    if in_sc:
        return "scenario", path
    if in_pol:
        return "policy", path
    raise ConfigError(
        f"unknown grid path {path!r}: {head!r} is not a scenario or policy field; "
        f"scenario keys: {sorted(_SC_KEYS)}; policy keys: {sorted(_POL_KEYS)} "
        "(or prefix the path with 'scenario.' or 'policy.')"
    )


def expand_grid(
    scenario: Scenario, policy: Policy | None, grid: Mapping[str, Sequence[Any]]
) -> tuple[list[dict[str, Any]], list[Arm]]:
    """The Cartesian product of ``grid`` as validated ``(Scenario, Policy)`` pairs.

    Returns ``(points, arms)``: ``points[i]`` maps each grid key to its value at point ``i``.
    Every point is validated up front, so a bad value fails before anything runs.

    Examples
    --------
    >>> import sim
    >>> pts, arms = expand_grid(sim.Scenario.load("baseline"), None, {"desk.agents": [1, 2], "margin_rate": [0.3, 0.4]})
    >>> pts[1], arms[1][0].margin_rate
    ({'desk.agents': 1, 'margin_rate': 0.4}, 0.4)
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ConfigError("grid is empty: give {'field.path': [value, ...], ...} with at least one field")
    resolved = {}
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray, pd.Index, pd.Series)):
            raise ConfigError(f"grid[{key!r}] = {values!r} is not allowed: give a non-empty list of values")
        values = list(values)
        if not values:
            raise ConfigError(f"grid[{key!r}] is empty: give at least one value")
        resolved[key] = (resolve_path(key), values)
    base_pol = policy
    if base_pol is None and any(r[0][0] == "policy" for r in resolved.values()):
        base_pol = Policy.load("do_nothing")
    points, arms = [], []
    keys = list(resolved)
    for combo in itertools.product(*(resolved[k][1] for k in keys)):
        point = dict(zip(keys, (v.item() if isinstance(v, np.generic) else v for v in combo)))
        sc_changes = {resolved[k][0][1]: v for k, v in point.items() if resolved[k][0][0] == "scenario"}
        pol_changes = {resolved[k][0][1]: v for k, v in point.items() if resolved[k][0][0] == "policy"}
        sc = scenario.updated(sc_changes) if sc_changes else scenario
        pol = base_pol.updated(pol_changes) if pol_changes and base_pol is not None else base_pol
        points.append(point)
        arms.append((sc, pol))
    return points, arms


@dataclass
class Sweep:
    """The outcome of :func:`sweep`.

    Attributes
    ----------
    table : DataFrame
        One row per grid point x replication: ``point`` (index of the grid point), one column
        per grid key (named as given), ``replication``, ``seed`` and one column per KPI.
    summary : DataFrame
        Per grid point and KPI: the grid columns, ``point``, ``kpi``, ``n``, ``mean``, ``sd``,
        ``ci_low``, ``ci_high`` (see :func:`summarize`).
    grid : dict
        The grid as given (lists of values).
    scenario, policy : the base scenario and policy.
    seed, customers, days, engine, level : run settings.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    grid: dict[str, list[Any]]
    scenario: Scenario
    policy: Policy | None
    seed: int
    customers: int
    days: float
    engine: str
    level: float = 0.95
    kpis: list[str] = field(default_factory=list)

    @property
    def n_replications(self) -> int:
        """Replications per grid point."""
        return int(self.table["replication"].nunique())

    def plot(self, kpi: str = "profit", x: str | None = None, *, ax: Any = None) -> Any:
        """Mean and confidence interval of ``kpi`` along grid key ``x`` (one line per other combination).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import sim
        >>> from sim.experiment import compare, sweep
        >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2,
        ...                customers=200, days=60, progress=False)
        >>> ax = sw.plot("mean_wait_h")
        >>> ax.get_xlabel(), ax.get_ylabel()
        ('desk.agents', 'mean_wait_h (hours)')
        """
        keys = list(self.grid)
        x = keys[0] if x is None else x
        if x not in keys:
            raise ConfigError(f"x={x!r} is not a grid key; grid keys: {keys}")
        _plot_kpis([kpi], self.kpis)
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6.4, 4.0))
        s = self.summary[self.summary["kpi"] == kpi]
        others = [k for k in keys if k != x]
        groups = s.groupby(others, sort=False) if others else [((), s)]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.grid[x])
        n_lines = s.groupby(others).ngroups if others else 1
        xvals = np.asarray(self.grid[x], dtype=float) if numeric else np.arange(len(self.grid[x]), dtype=float)
        span = float(np.ptp(xvals)) or 1.0
        for j, (gkey, g) in enumerate(groups):
            gkey = gkey if isinstance(gkey, tuple) else (gkey,)
            dodge = (j - (n_lines - 1) / 2) * 0.015 * span  # keep overlapping error bars apart
            xs = (g[x].to_numpy(dtype=float) if numeric else np.arange(len(g), dtype=float)) + dodge
            err = np.vstack([g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]])
            label = ", ".join(f"{k}={v}" for k, v in zip(others, gkey)) or None
            ax.errorbar(xs, g["mean"], yerr=None if np.isnan(err).all() else err, marker="o", capsize=4, label=label)
        if not numeric:
            ax.set_xticks(np.arange(len(self.grid[x])), [str(v) for v in self.grid[x]])
        elif all(isinstance(v, int) for v in self.grid[x]):
            ax.set_xticks(sorted(set(self.grid[x])))
        ax.set_xlabel(x)
        ax.set_ylabel(f"{kpi} ({kpi_unit(kpi, self.scenario.currency)})")
        ax.set_title(f"{kpi} by {x} — mean and {self.level:.0%} CI over {self.n_replications} replications", fontsize=10)
        if others:
            ax.legend(fontsize=8)
        return ax

    def to_dir(self, path: str | Path) -> Path:
        """Write ``table`` and ``summary`` (CSV and Parquet), ``experiment.json`` and ``report.html``.

        Examples
        --------
        >>> import sim, tempfile
        >>> from sim.experiment import compare, sweep
        >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2,
        ...                customers=100, days=30, progress=False)
        >>> sorted(p.name for p in sw.to_dir(tempfile.mkdtemp()).iterdir())  # doctest: +NORMALIZE_WHITESPACE
        ['experiment.json', 'report.html', 'summary.csv', 'summary.parquet', 'table.csv', 'table.parquet']
        """
        from sim.report import sweep_report

        meta = {
            "kind": "sweep",
            "policy": None if self.policy is None else self.policy.to_dict(),
            "grid": self.grid,
        }
        return _write_experiment(path, self, ("table", "summary"), meta, sweep_report)

    def report(self, path: str | Path | None = None) -> str:
        """The self-contained HTML report (see :func:`sim.report.sweep_report`)."""
        from sim.report import sweep_report

        return sweep_report(self, path)

    def __repr__(self) -> str:
        return (
            f"Sweep(scenario={self.scenario.name!r}, grid={self.grid}, points={self.table['point'].nunique()}, "
            f"replications={self.n_replications}, seed={self.seed}, engine={self.engine!r})"
        )


def _write_experiment(path: str | Path, exp: Any, tables: Sequence[str], meta: dict, report: Callable[..., str]) -> Path:
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
        "level": exp.level,
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
            except Exception:  # noqa: BLE001 - any arrow conversion problem: fall back to text
                out[c] = out[c].astype(str)
    return out


def sweep(
    scenario: Scenario | str | Path,
    policy: Policy | str | Path | None = None,
    *,
    grid: Mapping[str, Sequence[Any]],
    replications: int = 10,
    seed: int = 0,
    engine: str = "local",
    customers: int | None = None,
    days: float | None = None,
    workers: int | None = None,
    address: str | None = None,
    progress: bool | None = None,
    kpis: Sequence[str] | None = None,
    level: float = 0.95,
) -> Sweep:
    """Run every point of a parameter grid ``replications`` times (common random numbers).

    Parameters
    ----------
    scenario : Scenario, preset name or YAML path
    policy : Policy, preset name, YAML path or None
        The base policy the ``policy.*`` grid fields change (``None``: no policy, or
        ``do_nothing`` when the grid sets policy fields).
    grid : dict
        ``{"path.to.field": [values...]}``; paths are ``scenario.<path>``, ``policy.<path>`` or a
        bare path resolved by its top-level key (see :func:`resolve_path`). The Cartesian product
        of all lists is run; every point is validated before anything runs.
    replications, seed, engine, customers, days, workers, address, progress, kpis, level
        As in :func:`compare`. Every grid point uses the same replication seeds.

    Returns
    -------
    Sweep

    Raises
    ------
    ConfigError
        Empty grid or value list, unknown path (naming the path and the known keys), a value
        the model rejects, and the errors of :func:`compare`.

    Examples
    --------
    >>> import sim
    >>> from sim.experiment import compare, sweep
    >>> sw = sweep("baseline", "do_nothing", grid={"desk.agents": [1, 2], "service.extra_agents": [0, 1]},
    ...                replications=2, customers=200, days=60, progress=False)
    >>> sw.table.groupby(["desk.agents", "service.extra_agents"]).size().tolist()
    [2, 2, 2, 2]
    """
    sc = _as_scenario(scenario)
    pol = _as_policy(policy, "policy")
    _check_int("replications", replications, 1)
    _check_int("seed", seed, 0)
    _check_size(customers, days)
    kpi_list = _check_kpis(kpis)
    points, arm_list = expand_grid(sc, pol, grid)
    arms = {str(i): a for i, a in enumerate(arm_list)}
    seeds = replication_seeds(seed, replications)
    tasks = _tasks(arms, seeds, customers, days, kpi_list)
    n_cust = customers if customers is not None else sc.population.customers
    n_days = float(days if days is not None else sc.horizon_days)
    rows = _execute(tasks, engine=engine, workers=workers, address=address,
                    progress=_show_progress(progress, len(tasks), n_cust, n_days), label="sweep")
    res = pd.DataFrame(rows)
    kpi_cols = [c for c in res.columns if c not in ("arm", "replication", "seed")]
    point_idx = res["arm"].astype(int).to_numpy()
    grid_cols = {k: [points[i][k] for i in point_idx] for k in grid}
    table = pd.concat(
        [pd.DataFrame({"point": point_idx}), pd.DataFrame(grid_cols), res[["replication", "seed"] + kpi_cols]],
        axis=1,
    )
    summary = summarize(table, by="point", kpis=kpi_cols, level=level)
    keys = pd.DataFrame({"point": range(len(points)), **{k: [p[k] for p in points] for k in grid}})
    summary = keys.merge(summary, on="point", how="right")
    return Sweep(
        table=table, summary=summary, grid={k: list(v) for k, v in grid.items()}, scenario=sc, policy=pol,
        seed=seed, customers=n_cust, days=n_days, engine=engine, level=level, kpis=kpi_cols,
    )
