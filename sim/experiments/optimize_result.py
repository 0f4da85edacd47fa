"""The outcome of :func:`sim.optimize`: :class:`Optimization` (tables, summary, plot, files).

Examples
--------
>>> from sim.experiments.optimize_core import search
>>> from sim.experiments.optimize_space import Space
>>> def evaluate(arms, seeds):   # a toy: profit peaks at x = 3
...     return [[{"profit": -(a["x"] - 3) ** 2} for _ in seeds] for a in arms]
>>> opt = search(Space.parse({"x": (0.0, 5.0)}, resolve=False), evaluate, start={"x": 0.0},
...              trials=8, replications=2, fresh_replications=3, finalists=2, seed=1)
>>> opt.finalists[["candidate", "fresh_n"]].values.tolist()
[['start', 3], ['trial 6', 3], ['trial 8', 3]]
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.constraints import Constraints

__all__ = ["Optimization", "OptimizationInterrupted", "optimization_files", "NO_EVIDENCE"]

#: What :meth:`Optimization.summary` says when the winner's paired CI against the start includes 0.
NO_EVIDENCE = "no evidence the winner beats the starting policy"


def optimization_files() -> tuple[str, ...]:
    """The files :meth:`Optimization.to_dir` writes (besides ``MANIFEST.json``).

    Examples
    --------
    >>> optimization_files()
    ('best_policy.yaml', 'finalists.csv', 'optimization.json', 'replications.csv', 'summary.md', 'trials.csv')
    """
    return ("best_policy.yaml", "finalists.csv", "optimization.json", "replications.csv", "summary.md", "trials.csv")


@dataclass
class Optimization:
    """The outcome of :func:`sim.optimize` (and of the search core :func:`~sim.experiments.optimize_core.search`).

    Attributes
    ----------
    trials : DataFrame
        One row per trial, in order: ``trial``, one column per lever (a simplex: one per pot),
        ``status`` (``ok``, ``infeasible``: breaches a constraint, ``invalid``: the model refused
        the candidate), ``reason``, ``n`` (replications), ``objective`` (mean on the **search**
        seeds), ``objective_sd``, the means of the constraint KPIs and ``best_so_far`` (running best
        of the feasible trials).
    finalists : DataFrame
        The starting policy (``candidate == "start"``) and the top ``finalists`` distinct feasible
        trials, re-run on **fresh** seeds: ``candidate``, ``trial``, the levers, ``search_mean``,
        ``fresh_n``, ``fresh_mean``, ``fresh_ci_low``, ``fresh_ci_high``, ``diff`` (paired vs
        start), ``diff_ci_low``, ``diff_ci_high``, ``status`` (``ok`` / ``infeasible`` on the
        fresh seeds), ``reason``, ``winner``.
    versus_start : DataFrame
        One row: the winner minus the starting policy on the fresh seeds (paired): ``winner``,
        ``objective``, ``n``, ``winner_mean``, ``start_mean``, ``diff``, ``ci_low``, ``ci_high``,
        ``p_value``, ``verdict``. Empty when no trial was feasible.
    replications : DataFrame
        Every run: ``stage`` (``search`` / ``fresh``), ``candidate``, ``replication``, ``seed`` and
        the KPIs.
    best : Any
        What the search core built for the winner (for :func:`sim.optimize`: a ``(Scenario,
        Policy)`` pair); ``None`` when no trial was feasible.
    best_params : dict
        The winner's lever values.
    interrupted : bool
        True when Ctrl-C stopped the search (``finalists`` is then empty).
    """

    trials: pd.DataFrame
    finalists: pd.DataFrame
    versus_start: pd.DataFrame
    replications: pd.DataFrame
    best: Any
    best_params: dict[str, Any]
    start: Any
    space: Any
    objective: str
    direction: int
    constraints: Constraints
    settings: dict[str, Any]
    confidence: float = 0.95
    currency: str = "currency"
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ accessors
    @property
    def best_policy(self) -> Any:
        """The winning policy (``None`` if no trial was feasible); for a toy search, the winning point."""
        return self.best[1] if isinstance(self.best, tuple) and len(self.best) == 2 else self.best

    @property
    def best_scenario(self) -> Any:
        """The winner's scenario (differs from the input only when the space has scenario fields)."""
        return self.best[0] if isinstance(self.best, tuple) and len(self.best) == 2 else None

    @property
    def objective_label(self) -> str:
        """``"profit (maximised)"`` or ``"mean_wait_h (minimised)"``."""
        return f"{self.objective} ({'maximised' if self.direction > 0 else 'minimised'})"

    def unit(self) -> str:
        """The objective's unit (``CNY``, ``hours``, ...; empty for a toy objective)."""
        from sim.schema import OVERALL_KPIS, kpi_unit

        return kpi_unit(self.objective, self.currency) if self.objective in OVERALL_KPIS else ""

    def _fmt(self, v: float, signed: bool = False) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "n/a"
        from sim.formatting import format_value

        unit = self.unit()
        text = format_value(v, unit, signed=signed) if unit else (f"{v:+,.4g}" if signed else f"{v:,.4g}")
        return text if unit in ("", "share") else f"{text} {unit}"

    # ------------------------------------------------------------------ summary
    def verdict(self) -> str:
        """One sentence on the winner against the start (paired CI on fresh seeds)."""
        if self.interrupted:
            return "interrupted before the finalists were re-run: no winner was chosen"
        if self.versus_start.empty:
            return "no feasible trial: keep the starting policy"
        return str(self.versus_start["verdict"].iloc[0])

    def summary(self) -> str:
        """A plain-text summary: settings, trials, finalists on fresh seeds, and the verdict.

        Examples
        --------
        >>> from sim.experiments.optimize_core import search
        >>> from sim.experiments.optimize_space import Space
        >>> flat = lambda arms, seeds: [[{"profit": float(s % 7)} for s in seeds] for _ in arms]
        >>> opt = search(Space.parse({"x": (0.0, 1.0)}, resolve=False), flat, start={"x": 0.5},
        ...              trials=4, replications=2, fresh_replications=4, finalists=1, seed=0)
        >>> "no evidence the winner beats the starting policy" in opt.summary()
        True
        """
        s = self.settings
        t = self.trials
        counts = t["status"].value_counts() if len(t) else pd.Series(dtype=int)
        lines = [
            f"Optimisation of {self.objective_label}"
            + (f" — scenario {s['scenario']}, start {s['start_name']}" if s.get("scenario") else ""),
            f"  space: {'; '.join(self.space.describe())}",
            f"  constraints: {'; '.join(self.constraints.describe()) or 'none'}",
            f"  {len(t)} of {s['trials']} trials x {s['replications']} replications on the same seeds (common random "
            f"numbers): {int(counts.get('ok', 0))} feasible, {int(counts.get('infeasible', 0))} infeasible, "
            f"{int(counts.get('invalid', 0))} invalid",
        ]
        ok = t[t["status"] == "ok"] if len(t) else t
        if len(ok):
            best = ok.loc[(ok["objective"] * self.direction).idxmax()]
            lines.append(f"  best on the search seeds: trial {int(best['trial'])}, {self._fmt(best['objective'])}")
        f = self.finalists
        if len(f):
            lines.append(
                f"  finalists re-run on {s['fresh_replications']} fresh seeds (never used in the search), "
                f"{self.confidence:.0%} CIs:"
            )
            for r in f.itertuples():
                tag = "  <- winner" if r.winner else ("" if r.status == "ok" else f"  ({r.reason})")
                diff = (
                    ""
                    if r.candidate == "start"
                    else f", vs start {self._fmt(r.diff, True)} [{self._fmt(r.diff_ci_low, True)}, {self._fmt(r.diff_ci_high, True)}]"
                )
                lines.append(
                    f"    {r.candidate:>10}: {self._fmt(r.fresh_mean)} [{self._fmt(r.fresh_ci_low)}, "
                    f"{self._fmt(r.fresh_ci_high)}]{diff}{tag}"
                )
        if self.best_params:
            lines.append("  winner's levers: " + ", ".join(f"{k}={_show(v)}" for k, v in self.best_params.items()))
        lines.append(f"  verdict: {self.verdict()}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"Optimization(objective={self.objective_label!r}, trials={len(self.trials)}, "
            f"finalists={max(0, len(self.finalists) - 1)}, interrupted={self.interrupted}, verdict={self.verdict()!r})"
        )

    # ------------------------------------------------------------------ plot
    def plot(self, *, fig: Any = None) -> Any:
        """Left: each trial's objective (search seeds) and the running best; right: the finalists'
        fresh-seed means with CIs beside the starting policy.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> from sim.experiments.optimize_core import search
        >>> from sim.experiments.optimize_space import Space
        >>> ev = lambda arms, seeds: [[{"profit": -(a["x"] - 1) ** 2 + (s % 5) / 10} for s in seeds] for a in arms]
        >>> opt = search(Space.parse({"x": (0.0, 2.0)}, resolve=False), ev, start={"x": 0.0},
        ...              trials=6, replications=2, fresh_replications=3, finalists=2, seed=3)
        >>> fig = opt.plot()
        >>> [ax.get_xlabel() for ax in fig.axes]
        ['trial', 'profit (currency)']
        """
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(10, 4))
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        unit = self.unit()
        ylab = f"{self.objective} ({unit})" if unit else self.objective
        t = self.trials
        for status, marker, color in (("ok", "o", "tab:blue"), ("infeasible", "x", "tab:red")):
            sel = t[t["status"] == status] if len(t) else t
            if len(sel):
                ax1.scatter(sel["trial"], sel["objective"], marker=marker, color=color, label=status, zorder=3)
        if len(t) and t["best_so_far"].notna().any():
            ax1.step(t["trial"], t["best_so_far"], where="post", color="black", label="best so far")
        ax1.set_xlabel("trial")
        ax1.set_ylabel(ylab)
        ax1.set_title(f"Search: {self.settings['replications']} seeds per trial (the same for every trial)")
        ax1.legend(fontsize=8)
        f = self.finalists
        if len(f):
            y = list(range(len(f)))
            lo = f["fresh_mean"] - f["fresh_ci_low"]
            hi = f["fresh_ci_high"] - f["fresh_mean"]
            colors = [
                "grey" if c == "start" else ("tab:green" if w else "tab:blue")
                for c, w in zip(f["candidate"], f["winner"])
            ]
            ax2.errorbar(f["fresh_mean"], y, xerr=[lo.fillna(0), hi.fillna(0)], fmt="none", ecolor="black", capsize=3)
            ax2.scatter(f["fresh_mean"], y, color=colors, zorder=3)
            ax2.set_yticks(y, list(f["candidate"]))
            ax2.invert_yaxis()
        ax2.set_xlabel(ylab)
        ax2.set_title(f"Finalists on {self.settings['fresh_replications']} fresh seeds ({self.confidence:.0%} CI)")
        fig.suptitle(f"{self.objective_label}: {self.verdict()}", fontsize=10)
        fig.tight_layout()
        return fig

    # ------------------------------------------------------------------ files
    def meta(self) -> dict[str, Any]:
        """Settings, space, constraints and verdict, as written to ``optimization.json``."""
        return {
            "kind": "optimize",
            "objective": self.objective,
            "direction": "max" if self.direction > 0 else "min",
            "space": self.space.describe(),
            "constraints": self.constraints.model_dump(mode="json"),
            "settings": self.settings,
            "confidence": self.confidence,
            "best_params": self.best_params,
            "verdict": self.verdict(),
            "interrupted": self.interrupted,
            "notes": self.notes,
        }

    def to_dir(self, path: str | Path) -> Path:
        """Write :func:`optimization_files` and ``MANIFEST.json``, all at once (:func:`sim._atomic.atomic_dir`).

        ``best_policy.yaml`` holds the winner (or, when nothing won, the starting policy, with a
        comment saying so).
        """
        from sim._atomic import atomic_dir

        with atomic_dir(path, kind="experiment", seed=self.settings.get("seed"), legacy=optimization_files()) as tmp:
            self.trials.to_csv(tmp / "trials.csv", index=False)
            self.finalists.to_csv(tmp / "finalists.csv", index=False)
            self.replications.to_csv(tmp / "replications.csv", index=False)
            (tmp / "optimization.json").write_text(json.dumps(self.meta(), indent=2, default=str), encoding="utf-8")
            (tmp / "summary.md").write_text(self.markdown(), encoding="utf-8")
            (tmp / "best_policy.yaml").write_text(self._policy_yaml(), encoding="utf-8")
        return Path(path)

    def _policy_yaml(self) -> str:
        pol = self.best_policy
        head = f"# sim.optimize winner — {self.verdict()}\n"
        if pol is None:
            start = self.start[1] if isinstance(self.start, tuple) else self.start
            pol, head = start, f"# no winner ({self.verdict()}): the starting policy\n"
        if pol is None:
            return head + "{}\n"
        if hasattr(pol, "to_yaml"):
            if pol is self.best_policy and hasattr(pol, "updated"):
                pol = pol.updated(
                    {"name": f"{pol.name}_optimised", "description": f"sim.optimize winner from {pol.name}"}
                )
            return head + pol.to_yaml()
        import yaml

        return head + yaml.safe_dump(pol, sort_keys=False)

    def markdown(self) -> str:
        """The summary as Markdown (``summary.md``)."""
        text = self.summary().replace("\n", "\n    ")
        table = self.finalists.to_markdown(index=False) if len(self.finalists) and _has_tabulate() else ""
        return f"# Optimisation: {self.objective_label}\n\n    {text}\n\n{table}\n"


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def _show(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else repr(v)


class OptimizationInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`sim.optimize`; ``.result`` is an :class:`Optimization` of the trials so far.

    A subclass of :class:`KeyboardInterrupt`, so a script stops as on any Ctrl-C, while a notebook
    may catch it and keep the trials: ``except OptimizationInterrupted as stop: opt = stop.result``.
    """

    def __init__(self, result: Optimization) -> None:
        super().__init__(f"optimisation interrupted after {len(result.trials)} trials (kept in .result)")
        self.result = result
