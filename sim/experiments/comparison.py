"""Compare policies (or scenario variants) with common random numbers: :func:`compare`.

:func:`compare` runs several *arms* for ``replications`` replications each and summarises every
KPI with means, confidence intervals and the **paired** difference against the first arm
(:func:`sim.experiments.stats.summarize`). Replication ``k`` uses the same seed in every arm
(common random numbers), so differences are far less noisy than the arms themselves
(:meth:`Comparison.unpaired_ci` shows paired against Welch intervals).

Examples
--------
>>> from sim.experiments import compare
>>> cmp = compare("baseline", {"base": None, "more_agents": "service_first"},
...               replications=3, customers=300, days=90, seed=1, progress=False)
>>> cmp.replications[["policy", "replication"]].shape
(6, 2)
>>> list(cmp.summary.columns[:4])
['policy', 'kpi', 'n', 'mean']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.limits import short
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.experiments._args import (
    Arm,
    as_policy,
    as_scenario,
    check_confidence,
    check_int,
    check_kpis,
    check_runs,
    check_size,
    plot_kpis,
)
from sim.experiments.engines import run_arms
from sim.experiments.output import write_experiment
from sim.experiments.report import comparison_report, draw_differences
from sim.experiments.stats import is_count, summarize, with_counts

__all__ = ["Comparison", "compare"]


def _normalise_arms(scenario: Scenario, policies: Any) -> dict[str, Arm]:
    if isinstance(policies, Mapping):
        items = list(policies.items())
    elif isinstance(policies, (list, tuple)) and all(isinstance(p, (str, Path)) for p in policies):
        items = [(Path(p).stem if Path(p).suffix in (".yaml", ".yml") else str(p), p) for p in policies]
    else:
        raise ConfigError(
            f"policies={short(policies)} is not allowed: give a dict {{name: Policy | preset name | None | "
            "(Scenario, Policy)}} or a list of preset names"
        )
    if not items:
        raise ConfigError("policies is empty: give at least one arm, e.g. {'do_nothing': 'do_nothing'}")
    odd = [k for k, _ in items if not isinstance(k, str) or not k.strip()]
    if odd:
        raise ConfigError(f"arm name {short(odd[0])} is not allowed: give each arm a non-empty text name")
    names = [str(k) for k, _ in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"arm names must be unique, {dupes} repeat")
    arms: dict[str, Arm] = {}
    for name, value in items:
        if isinstance(value, tuple):
            if len(value) != 2:
                raise ConfigError(f"policies[{name!r}] is a tuple of {len(value)}; give a (Scenario, Policy) pair")
            arms[str(name)] = (as_scenario(value[0]), as_policy(value[1], f"policies[{name!r}][1]"))
        else:
            arms[str(name)] = (scenario, as_policy(value, f"policies[{name!r}]"))
    return arms


@dataclass
class Comparison:
    """The outcome of :func:`compare`.

    Attributes
    ----------
    replications : DataFrame
        One row per arm x replication: ``policy`` (arm name), ``replication``, ``seed``, one
        column per KPI (names and units in :data:`sim.schema.KPIS`) and, for each share KPI,
        its denominator ``n_<kpi>`` (the events it was computed from, e.g. resolved P0 tickets).
    summary : DataFrame
        :func:`summarize` of ``replications`` against :attr:`baseline` (one row per arm and KPI).
    baseline : str
        The first arm; differences are arm minus baseline.
    scenario : Scenario
        The scenario passed to :func:`compare`.
    arms : dict
        ``{name: (Scenario, Policy or None)}`` as run.
    seed, customers, days, engine : run settings (``customers`` / ``days`` as run).
    confidence : float
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
    confidence: float = 0.95
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
        >>> from sim.experiments import compare, sweep
        >>> sc = sim.Scenario.load("btyd_only")
        >>> cmp = compare(sc, {"a": None, "b": (sc.updated({"spend.gamma": 165.0}), None)},
        ...                   replications=4, customers=200, days=120, progress=False)
        >>> bool(cmp.unpaired_ci(["revenue"])["width_ratio"].iloc[0] < 1)
        True
        """
        s = self.summary[self.summary["policy"] != self.baseline]
        if kpis is not None:
            s = s[s["kpi"].isin(list(kpis))]
        out = pd.DataFrame(
            {
                "policy": s["policy"].to_numpy(),
                "kpi": s["kpi"].to_numpy(),
                "diff": s["diff"].to_numpy(),
                "paired_low": s["diff_ci_low"].to_numpy(),
                "paired_high": s["diff_ci_high"].to_numpy(),
                "welch_low": s["welch_ci_low"].to_numpy(),
                "welch_high": s["welch_ci_high"].to_numpy(),
            }
        )
        out["paired_width"] = out["paired_high"] - out["paired_low"]
        out["welch_width"] = out["welch_high"] - out["welch_low"]
        out["width_ratio"] = out["paired_width"] / out["welch_width"]
        return out

    def plot(self, kpis: Sequence[str] | None = None, *, fig: Any = None) -> Any:
        """Each arm's difference to the baseline with its confidence interval, per KPI (seaborn).

        The statistics are those of :attr:`summary`: paired t-intervals, and for shares the
        pooled difference in percentage points with its Newcombe interval.

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
        >>> from sim.experiments import compare, sweep
        >>> cmp = compare("baseline", {"a": None, "b": "service_first"}, replications=2,
        ...                   customers=200, days=60, progress=False)
        >>> fig = cmp.plot(["revenue", "mean_wait_h"])
        >>> [ax.get_xlabel() for ax in fig.axes]
        ['Δ revenue (CNY)', 'Δ mean_wait_h (hours)']
        """
        import seaborn as sns

        kpis = plot_kpis(kpis, self.kpis)
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(6.4, 1.0 + 1.6 * len(kpis) * max(1, (len(self.arms) - 1) ** 0.5)))
        with sns.axes_style("whitegrid"):
            axes = fig.subplots(len(kpis), 1, squeeze=False)[:, 0]
        for ax, kpi in zip(axes, kpis):
            draw_differences(ax, self, kpi)
        fig.suptitle(
            f"Paired differences vs {self.baseline}\nmean and {self.confidence:.0%} CI over {self.n_replications} "
            "replications (common random numbers; shares pooled, in pp; red: CI excludes 0)",
            fontsize=10,
        )
        fig.tight_layout()
        return fig

    def to_dir(self, path: str | Path) -> Path:
        """Write ``replications`` and ``summary`` (CSV and Parquet), ``experiment.json`` and ``report.html``.

        Examples
        --------
        >>> import sim, tempfile
        >>> from sim.experiments import compare, sweep
        >>> cmp = compare("baseline", ["do_nothing"], replications=2, customers=100, days=30, progress=False)
        >>> d = cmp.to_dir(tempfile.mkdtemp())
        >>> {'experiment.json', 'replications.csv', 'replications.parquet', 'report.html',
        ...  'summary.csv', 'summary.parquet'} <= {p.name for p in d.iterdir()}
        True
        """
        meta = {
            "kind": "compare",
            "baseline": self.baseline,
            "arms": {
                n: {"scenario": sc.to_dict(), "policy": None if p is None else p.to_dict()}
                for n, (sc, p) in self.arms.items()
            },
        }
        return write_experiment(path, self, ("replications", "summary"), meta, comparison_report)

    def report(self, path: str | Path | None = None) -> str:
        """The self-contained HTML report (see :func:`sim.experiments.report.comparison_report`)."""
        return comparison_report(self, path)

    def __repr__(self) -> str:
        return (
            f"Comparison(scenario={self.scenario.name!r}, arms={list(self.arms)}, replications={self.n_replications}, "
            f"customers={self.customers}, days={self.days:g}, seed={self.seed}, engine={self.engine!r})"
        )


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
    confidence: float = 0.95,
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
    confidence : float
        Confidence level of every interval (default 0.95).

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
    >>> from sim.experiments import compare, sweep
    >>> cmp = compare("baseline", {"do_nothing": "do_nothing", "vip": "vip_care"},
    ...                   replications=3, customers=200, days=60, seed=2, progress=False)
    >>> cmp.baseline, sorted(cmp.replications["policy"].unique())
    ('do_nothing', ['do_nothing', 'vip'])
    >>> int(cmp.replications.groupby("replication")["seed"].nunique().max())   # shared seeds (CRN)
    1
    """
    sc = as_scenario(scenario)
    confidence = check_confidence(confidence)
    check_int("replications", replications, 1)
    check_int("seed", seed, 0)
    check_size(customers, days)
    kpi_list = check_kpis(kpis)
    arms = _normalise_arms(sc, policies)
    check_runs(len(arms), replications)
    rows, n_cust, n_days = run_arms(
        sc,
        arms,
        replications=replications,
        seed=seed,
        customers=customers,
        days=days,
        kpis=with_counts(kpi_list),
        engine=engine,
        workers=workers,
        address=address,
        progress=progress,
        label="compare",
    )
    table = pd.DataFrame(rows).rename(columns={"arm": "policy"})
    table["policy"] = table["policy"].astype("string")
    kpi_cols = [c for c in table.columns if c not in ("policy", "replication", "seed") and not is_count(c)]
    baseline = next(iter(arms))
    summary = summarize(table, by="policy", baseline=baseline, kpis=kpi_cols, confidence=confidence)
    return Comparison(
        replications=table,
        summary=summary,
        baseline=baseline,
        scenario=sc,
        arms=arms,
        seed=seed,
        customers=n_cust,
        days=n_days,
        engine=engine,
        confidence=confidence,
        kpis=kpi_cols,
    )
