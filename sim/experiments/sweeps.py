"""Parameter sweeps: run every point of a grid of scenario / policy fields, :func:`sweep`.

Every grid point is validated before anything runs and uses the same replication seeds
(common random numbers), so neighbouring points differ only through the parameter.

Examples
--------
>>> from sim.experiments import sweep
>>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2, customers=200, days=60, progress=False)
>>> sw.table.groupby("desk.agents").size().tolist()
[2, 2]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.limits import MAX_GRID_POINTS
from sim.config.policy import Policy
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
from sim.experiments.report import plot_unit, sweep_report
from sim.experiments.stats import is_count, summarize, with_counts
from sim.formatting import format_value
from sim.schema import kpi_unit

__all__ = ["Sweep", "sweep", "expand_grid", "resolve_path"]


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
        raise ConfigError(
            f"grid path {path!r} is ambiguous ({head!r} is a field of both); write 'scenario.{path}' or 'policy.{path}'"
        )
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
    n_points = math.prod(len(v) for _, v in resolved.values())
    if n_points > MAX_GRID_POINTS:
        sizes = " x ".join(str(len(v)) for _, v in resolved.values())
        raise ConfigError(
            f"grid has {n_points:,} points ({sizes}); at most {MAX_GRID_POINTS:,} are allowed: "
            "use fewer values per field or split the sweep"
        )
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
        per grid key (named as given), ``replication``, ``seed``, one column per KPI and the
        denominator ``n_<kpi>`` of each share KPI.
    summary : DataFrame
        Per grid point and KPI: the grid columns, ``point``, ``kpi``, ``n``, ``mean``, ``sd``,
        ``ci_low``, ``ci_high``, ``method``, ``events``, ``few_events`` (see :func:`summarize`;
        shares are pooled over replications with Wilson intervals).
    grid : dict
        The grid as given (lists of values).
    scenario, policy : the base scenario and policy.
    seed, customers, days, engine, confidence : run settings.
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
    confidence: float = 0.95
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
        >>> from sim.experiments import compare, sweep
        >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2,
        ...                customers=200, days=60, progress=False)
        >>> ax = sw.plot("mean_wait_h")
        >>> ax.get_xlabel(), ax.get_ylabel()
        ('desk.agents', 'mean_wait_h (hours)')
        """
        import seaborn as sns

        keys = list(self.grid)
        x = keys[0] if x is None else x
        if x not in keys:
            raise ConfigError(f"x={x!r} is not a grid key; grid keys: {keys}")
        plot_kpis([kpi], self.kpis)
        if ax is None:
            import matplotlib.pyplot as plt

            with sns.axes_style("whitegrid"):
                _, ax = plt.subplots(figsize=(6.4, 4.0))
        factor, unit = plot_unit(kpi, self.scenario.currency)
        s = self.summary[self.summary["kpi"] == kpi]
        others = [k for k in keys if k != x]
        groups = s.groupby(others, sort=False) if others else [((), s)]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.grid[x])
        n_lines = s.groupby(others).ngroups if others else 1
        xvals = np.asarray(self.grid[x], dtype=float) if numeric else np.arange(len(self.grid[x]), dtype=float)
        span = float(np.ptp(xvals)) or 1.0
        ci_label = f"{self.confidence:.0%} CI"
        for j, (gkey, g) in enumerate(groups):
            gkey = gkey if isinstance(gkey, tuple) else (gkey,)
            dodge = (j - (n_lines - 1) / 2) * 0.015 * span  # keep overlapping error bars apart
            xs = (g[x].to_numpy(dtype=float) if numeric else np.arange(len(g), dtype=float)) + dodge
            mean = g["mean"].to_numpy(dtype=float) * factor
            err = np.vstack([g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]]) * factor
            label = ", ".join(f"{k}={v}" for k, v in zip(others, gkey)) or kpi
            color = f"C{j % 10}"
            sns.lineplot(x=xs, y=mean, marker="o", color=color, label=label, ax=ax)
            if not np.isnan(err).all():
                ax.errorbar(xs, mean, yerr=err, fmt="none", ecolor=color, capsize=4, label=ci_label if j == 0 else None)
        if not numeric:
            ax.set_xticks(np.arange(len(self.grid[x])), [str(v) for v in self.grid[x]])
        elif all(isinstance(v, int) for v in self.grid[x]):
            ax.set_xticks(sorted(set(self.grid[x])))
        ax.set_xlabel(x)
        ax.set_ylabel(f"{kpi} ({unit})")
        ax.set_title(
            f"{kpi} by {x} — mean and {self.confidence:.0%} CI over {self.n_replications} replications", fontsize=10
        )
        ax.legend(fontsize=8)
        return ax

    def takeaway(self, kpi: str = "profit", x: str | None = None) -> str:
        """One line on ``kpi`` across the grid: where it is highest and lowest, and whether their CIs overlap.

        Examples
        --------
        >>> from sim.experiments import sweep
        >>> sw = sweep("baseline", None, grid={"desk.cost_per_agent_day": [300.0, 600.0]}, replications=2,
        ...            customers=200, days=60, progress=False)
        >>> sw.takeaway("service_cost")  # doctest: +ELLIPSIS
        'service_cost is highest at desk.cost_per_agent_day=600.0 (... CNY) and lowest at ...=300.0 (... CNY); ...'
        >>> sw.takeaway("customers_acquired")  # doctest: +ELLIPSIS
        'customers_acquired is the same at every grid point (...)'
        """
        plot_kpis([kpi], self.kpis)
        x = next(iter(self.grid)) if x is None else x
        s = self.summary[self.summary["kpi"] == kpi].dropna(subset=["mean"])
        if s.empty:
            return f"{kpi}: no data at any grid point"
        unit = kpi_unit(kpi, self.scenario.currency)
        hi, lo = s.loc[s["mean"].idxmax()], s.loc[s["mean"].idxmin()]
        if hi["mean"] == lo["mean"]:
            return f"{kpi} is the same at every grid point ({format_value(hi['mean'], unit)} {unit})".replace(" )", ")")
        where = lambda r: ", ".join(f"{k}={r[k]}" for k in self.grid)
        sep = "do not overlap" if hi["ci_low"] > lo["ci_high"] else "overlap (not distinguishable)"
        suffix = "" if unit in ("", "share") else f" {unit}"
        return (
            f"{kpi} is highest at {where(hi)} ({format_value(hi['mean'], unit)}{suffix}) and lowest at "
            f"{where(lo)} ({format_value(lo['mean'], unit)}{suffix}); their {self.confidence:.0%} CIs {sep}"
        )

    def to_dir(self, path: str | Path) -> Path:
        """Write ``table`` and ``summary`` (CSV and Parquet), ``experiment.json`` and ``report.html``.

        Examples
        --------
        >>> import sim, tempfile
        >>> from sim.experiments import compare, sweep
        >>> sw = sweep("baseline", None, grid={"desk.agents": [1, 2]}, replications=2,
        ...                customers=100, days=30, progress=False)
        >>> names = {p.name for p in sw.to_dir(tempfile.mkdtemp()).iterdir()}
        >>> {'experiment.json', 'report.html', 'summary.csv', 'summary.parquet', 'table.csv', 'table.parquet'} <= names
        True
        """
        meta = {
            "kind": "sweep",
            "policy": None if self.policy is None else self.policy.to_dict(),
            "grid": self.grid,
        }
        return write_experiment(path, self, ("table", "summary"), meta, sweep_report)

    def report(self, path: str | Path | None = None) -> str:
        """The self-contained HTML report (see :func:`sim.experiments.report.sweep_report`)."""
        return sweep_report(self, path)

    def __repr__(self) -> str:
        return (
            f"Sweep(scenario={self.scenario.name!r}, grid={self.grid}, points={self.table['point'].nunique()}, "
            f"replications={self.n_replications}, seed={self.seed}, engine={self.engine!r})"
        )


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
    confidence: float = 0.95,
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
    replications, seed, engine, customers, days, workers, address, progress, kpis, confidence
        As in :func:`~sim.experiments.compare`. Every grid point uses the same replication seeds.

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
    >>> from sim.experiments import compare, sweep
    >>> sw = sweep("baseline", "do_nothing", grid={"desk.agents": [1, 2], "service.extra_agents": [0, 1]},
    ...                replications=2, customers=200, days=60, progress=False)
    >>> sw.table.groupby(["desk.agents", "service.extra_agents"]).size().tolist()
    [2, 2, 2, 2]
    """
    sc = as_scenario(scenario)
    pol = as_policy(policy, "policy")
    confidence = check_confidence(confidence)
    check_int("replications", replications, 1)
    check_int("seed", seed, 0)
    check_size(customers, days)
    kpi_list = check_kpis(kpis)
    points, arm_list = expand_grid(sc, pol, grid)
    check_runs(len(points), replications, "grid points")
    arms = {str(i): a for i, a in enumerate(arm_list)}
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
        label="sweep",
    )
    res = pd.DataFrame(rows)
    kpi_cols = [c for c in res.columns if c not in ("arm", "replication", "seed") and not is_count(c)]
    count_cols = [c for c in res.columns if is_count(c)]
    point_idx = res["arm"].astype(int).to_numpy()
    grid_cols = {k: [points[i][k] for i in point_idx] for k in grid}
    table = pd.concat(
        [
            pd.DataFrame({"point": point_idx}),
            pd.DataFrame(grid_cols),
            res[["replication", "seed"] + kpi_cols + count_cols],
        ],
        axis=1,
    )
    summary = summarize(table, by="point", kpis=kpi_cols, confidence=confidence)
    keys = pd.DataFrame({"point": range(len(points)), **{k: [p[k] for p in points] for k in grid}})
    summary = keys.merge(summary, on="point", how="right")
    return Sweep(
        table=table,
        summary=summary,
        grid={k: list(v) for k, v in grid.items()},
        scenario=sc,
        policy=pol,
        seed=seed,
        customers=n_cust,
        days=n_days,
        engine=engine,
        confidence=confidence,
        kpis=kpi_cols,
    )
