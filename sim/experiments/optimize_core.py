"""The search core of :func:`sim.optimize`: seeded Optuna TPE, common random numbers, fresh-seed finals.

:func:`search` knows nothing of the simulator: it draws candidates from a :class:`Space`, turns
each into an *arm* with ``build`` (which may refuse it with a :class:`~sim.errors.ConfigError`:
an **invalid** trial, with the reason) and asks ``evaluate(arms, seeds)`` for one row of KPIs per
arm and seed. So the same core runs the simulator (:func:`sim.optimize`) and toy objectives with
a known optimum (the tests, the course).

How a winner is chosen (so noise cannot crown a lucky trial):

1. **Search.** ``trials`` candidates from Optuna's TPE sampler seeded with ``seed`` (its first
   ``n_startup`` candidates are random: ``min(10, max(3, trials // 3))``). Every candidate runs on
   the **same** ``replications`` seeds (common random numbers), so trials differ only through
   their levers. Candidates are asked ``batch`` at a time (``study.ask`` / ``tell``; the default 1
   lets every trial learn from all before it); the result depends on ``batch`` but not on the
   engine or the number of workers. A trial that breaches the constraints (in the mean over its
   replications, :class:`~sim.experiments.constraints.Constraints`) is **infeasible**: reported,
   told to the sampler as a constraint violation, never a finalist.
2. **Finals.** The ``finalists`` best distinct feasible trials **and the starting point** run on
   ``fresh_replications`` fresh seeds, disjoint from the search seeds. The winner is the best
   fresh mean among the finalists still feasible there; :attr:`Optimization.versus_start` is
   the paired difference winner − start on those seeds with its t-interval.

Ctrl-C stops at once: :class:`OptimizationInterrupted` (a ``KeyboardInterrupt``) carries an
:class:`Optimization` of the trials finished so far.

Examples
--------
>>> from sim.experiments.optimize_space import Space
>>> def evaluate(arms, seeds):   # profit peaks at x = 2, y = -1; CRN noise from the seed
...     return [[{"profit": 10 - (a["x"] - 2) ** 2 - (a["y"] + 1) ** 2 + (s % 100) / 100} for s in seeds]
...             for a in arms]
>>> opt = search(Space.parse({"x": (-5.0, 5.0), "y": (-5.0, 5.0)}, resolve=False), evaluate,
...              start={"x": 0.0, "y": 0.0}, trials=40, replications=2, seed=0)
>>> abs(opt.best_params["x"] - 2) < 1 and abs(opt.best_params["y"] + 1) < 1
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.config.limits import MAX_REPLICATIONS, MAX_TRIALS, short
from sim.errors import ConfigError
from sim.experiments._args import check_confidence, check_int, replication_seeds
from sim.experiments.constraints import Constraints, load_constraints
from sim.experiments.optimize_result import NO_EVIDENCE, Optimization, OptimizationInterrupted
from sim.experiments.optimize_space import Space
from sim.experiments.submissions import one_line

__all__ = ["search", "fresh_seeds", "paired_ci", "Evaluate"]

#: ``evaluate(arms, seeds)`` -> one list per arm of one KPI dict per seed (in seed order).
Evaluate = Callable[[list[Any], list[int]], list[list[dict[str, float]]]]


def fresh_seeds(seed: int, search: int, fresh: int) -> list[int]:
    """``fresh`` seeds for the finals, none of them among the ``search`` seeds of :func:`search`.

    The continuation of :func:`~sim.experiments.replication_seeds` (its first ``k`` seeds do not
    depend on how many are drawn), skipping any value the search seeds already hold.

    Examples
    --------
    >>> s, f = replication_seeds(3, 4), fresh_seeds(3, 4, 10)
    >>> len(f), set(s) & set(f)
    (10, set())
    """
    taken = set(replication_seeds(seed, search))
    n = search + fresh
    while True:
        out = [s for s in replication_seeds(seed, n)[search:] if s not in taken]
        out = list(dict.fromkeys(out))
        if len(out) >= fresh:
            return out[:fresh]
        n += fresh


def paired_ci(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float, float]:
    """``(mean diff, low, high, p-value)`` of the paired t-interval of ``a - b`` (pairs with a NaN dropped).

    Examples
    --------
    >>> d, lo, hi, p = paired_ci([3.0, 4.0, 5.0], [1.0, 2.5, 2.5])
    >>> round(d, 3), lo < d < hi
    (2.0, True)
    >>> paired_ci([1.0, 2.0], [1.0, 2.0])[:3]     # identical: a zero-width interval at 0
    (0.0, 0.0, 0.0)
    """
    from scipy import stats

    x = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (math.nan,) * 4
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan, math.nan
    if float(np.ptp(x)) == 0.0:
        return m, m, m, (math.nan if m == 0.0 else 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-identical differences: scipy warns, the CI is fine
        res = stats.ttest_1samp(x, 0.0)
        ci = res.confidence_interval(confidence)
    return m, float(ci.low), float(ci.high), float(res.pvalue)


def _mean_ci(x: Sequence[float] | np.ndarray, confidence: float) -> tuple[float, float, float]:
    m, lo, hi, _ = paired_ci(x, np.zeros(len(x)), confidence)
    return m, lo, hi


def _check(trials: int, replications: int, fresh_replications: int, finalists: int, batch: int) -> None:
    check_int("trials", trials, 1, MAX_TRIALS)
    check_int("replications", replications, 1, MAX_REPLICATIONS)
    check_int("fresh_replications", fresh_replications, 2, MAX_REPLICATIONS)
    check_int("finalists", finalists, 1, MAX_TRIALS)
    check_int("batch", batch, 1, MAX_TRIALS)


def _sampler(seed: int, trials: int) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constraints_func is "experimental" in Optuna
        return optuna.samplers.TPESampler(
            seed=seed,
            n_startup_trials=min(10, max(3, trials // 3)),
            constraints_func=lambda ft: (ft.user_attrs.get("violation", 0.0),),
        )


def _score(
    rows: list[dict[str, float]], kpi: str, constraints: Constraints, currency: str
) -> tuple[float, float, list[str]]:
    runs = pd.DataFrame(rows)
    x = runs[kpi].to_numpy(dtype=float) if kpi in runs else np.full(len(runs), np.nan)
    ok = x[~np.isnan(x)]
    mean = float(ok.mean()) if ok.size else math.nan
    sd = float(ok.std(ddof=1)) if ok.size > 1 else math.nan
    reasons = constraints.breaches(runs, currency)
    if math.isnan(mean):
        reasons = [f"{kpi} could not be measured in any replication"] + reasons
    return mean, sd, reasons


class _Progress:
    """Trials done and the best so far: a rich bar, a callback, or nothing."""

    def __init__(self, progress: Any, total: int, label: str) -> None:
        self.cb = progress if callable(progress) else None
        self._bar = None
        if progress is True:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            )
            self._task = self._bar.add_task(label, total=total)
            self._label = label

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def update(self, done: int, total: int, best: float, stage: str) -> None:
        if self._bar is not None:
            best_text = "—" if math.isnan(best) else f"{best:,.4g}"
            self._bar.update(self._task, completed=done, description=f"{self._label} · {stage} · best {best_text}")
        if self.cb is not None:
            self.cb({"stage": stage, "done": done, "total": total, "best": best})

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def search(
    space: Space,
    evaluate: Evaluate,
    *,
    start: Any,
    build: Callable[[dict[str, Any]], Any] | None = None,
    objective: str = "profit",
    direction: int = 1,
    constraints: Any = None,
    trials: int = 20,
    replications: int = 3,
    fresh_replications: int = 10,
    finalists: int = 3,
    seed: int = 0,
    batch: int = 1,
    confidence: float = 0.95,
    progress: bool | Callable[[dict[str, Any]], None] = False,
    currency: str = "currency",
    settings: dict[str, Any] | None = None,
) -> Optimization:
    """Search ``space`` for the best ``objective`` (see the module notes for the procedure).

    Parameters
    ----------
    space : Space
        The levers (:meth:`Space.parse`).
    evaluate : callable
        ``evaluate(arms, seeds)`` -> for each arm, one dict of KPIs per seed, in seed order.
    start : Any
        The starting arm (re-run in the finals; the reference of :attr:`Optimization.versus_start`).
    build : callable, optional
        ``build(point)`` -> the arm of a candidate (default: the point itself); a
        :class:`~sim.errors.ConfigError` makes the trial invalid, with the message as its reason.
    objective, direction : str, int
        The KPI key of ``evaluate``'s dicts; ``+1`` maximises, ``-1`` minimises.
    constraints : Constraints, mapping, YAML path or None
        As in the tournament (:func:`~sim.experiments.constraints.load_constraints`).
    trials, replications, fresh_replications, finalists, seed, batch, confidence
        See the module notes; ``fresh_replications >= 2`` (an interval needs two).
    progress : bool or callable
        A progress bar (trials done, best so far), or a function called after every trial and
        every finals batch with ``{"stage", "done", "total", "best"}``.

    Returns
    -------
    Optimization

    Raises
    ------
    ConfigError
        Bad counts, seed, confidence or constraints.
    OptimizationInterrupted
        Ctrl-C; ``.result`` holds the trials so far.
    """
    import optuna

    _check(trials, replications, fresh_replications, finalists, batch)
    check_int("seed", seed, 0)
    confidence = check_confidence(confidence)
    if direction not in (1, -1):
        raise ConfigError(f"direction={short(direction)} is not allowed: give 1 (maximise) or -1 (minimise)")
    cons = load_constraints(constraints)
    build = build or (lambda p: dict(p))
    seeds = replication_seeds(seed, replications)
    settings = dict(settings or {}) | {
        "trials": trials,
        "replications": replications,
        "fresh_replications": fresh_replications,
        "finalists": finalists,
        "seed": seed,
        "batch": batch,
        "sampler": "optuna TPESampler",
    }
    study = optuna.create_study(direction="maximize" if direction > 0 else "minimize", sampler=_sampler(seed, trials))
    names = space.param_names()
    rows: list[dict[str, Any]] = []
    reps: list[dict[str, Any]] = []
    arms: dict[int, Any] = {}
    best = math.nan

    def result(interrupted: bool, fin: pd.DataFrame, vs: pd.DataFrame, best_arm: Any, params: dict) -> Optimization:
        cols = ["trial", *names, "status", "reason", "n", "objective", "objective_sd", "best_so_far"]
        table = pd.DataFrame(rows, columns=list(dict.fromkeys(cols + [c for r in rows for c in r])))
        return Optimization(
            trials=table,
            finalists=fin,
            versus_start=vs,
            replications=pd.DataFrame(reps),
            best=best_arm,
            best_params=params,
            start=start,
            space=space,
            objective=objective,
            direction=direction,
            constraints=cons,
            settings=settings,
            confidence=confidence,
            currency=currency,
            interrupted=interrupted,
        )

    with _Progress(progress, trials, "optimize") as bar:
        try:
            while len(rows) < trials:
                asked = [study.ask() for _ in range(min(batch, trials - len(rows)))]
                points = [space.suggest(t) for t in asked]
                built: list[Any] = []
                for p in points:
                    try:
                        built.append((build(p), None))
                    except ConfigError as exc:
                        built.append((None, one_line(exc) or "invalid"))
                valid = [i for i, (_, why) in enumerate(built) if why is None]
                outs = evaluate([built[i][0] for i in valid], seeds) if valid else []
                by_i = dict(zip(valid, outs))
                for i, (trial, point) in enumerate(zip(asked, points)):
                    number = len(rows) + 1
                    row: dict[str, Any] = {"trial": number, **point}
                    if i not in by_i:
                        study.tell(trial, state=optuna.trial.TrialState.FAIL)
                        row |= {"status": "invalid", "reason": built[i][1], "n": 0, "objective": math.nan}
                    else:
                        kpis = by_i[i]
                        mean, sd, why = _score(kpis, objective, cons, currency)
                        for k, r in enumerate(kpis):
                            reps.append(
                                {
                                    "stage": "search",
                                    "candidate": f"trial {number}",
                                    "replication": k,
                                    "seed": seeds[k],
                                    **r,
                                }
                            )
                        if math.isnan(mean):
                            study.tell(trial, state=optuna.trial.TrialState.FAIL)
                        else:
                            trial.set_user_attr("violation", float(len(why)))
                            study.tell(trial, mean)
                        row |= {"status": "infeasible" if why else "ok", "reason": "; ".join(why), "n": len(kpis)}
                        row |= {"objective": mean, "objective_sd": sd}
                        row |= {k: float(pd.DataFrame(kpis)[k].mean()) for k in cons.kpis() if k in kpis[0]}
                        arms[number] = built[i][0]
                        if not why and (math.isnan(best) or direction * (mean - best) > 0):
                            best = mean
                    row["best_so_far"] = best
                    rows.append(row)
                bar.update(len(rows), trials, best, "search")
        except KeyboardInterrupt:
            raise OptimizationInterrupted(result(True, pd.DataFrame(), pd.DataFrame(), None, {})) from None

        table = pd.DataFrame(rows)
        ok = table[table["status"] == "ok"].copy()
        if ok.empty:
            out = result(False, pd.DataFrame(), pd.DataFrame(), None, {})
            out.notes.append("no trial was feasible: widen the space or relax the constraints")
            return out
        ok["_score"] = ok["objective"] * direction
        ok["_key"] = [repr([r[n] for n in names]) for _, r in ok.iterrows()]
        ok = ok.sort_values(["_score", "trial"], ascending=[False, True]).drop_duplicates("_key")
        top = ok.head(finalists)
        fresh = fresh_seeds(seed, replications, fresh_replications)
        try:
            final_arms = [start] + [arms[int(t)] for t in top["trial"]]
            outs = evaluate(final_arms, fresh)
            bar.update(len(rows), trials, best, "finals")
        except KeyboardInterrupt:
            raise OptimizationInterrupted(result(True, pd.DataFrame(), pd.DataFrame(), None, {})) from None

    labels = ["start"] + [f"trial {int(t)}" for t in top["trial"]]
    start_x = np.array([r.get(objective, math.nan) for r in outs[0]], dtype=float)
    fin_rows = []
    for label, trial_no, kpis in zip(labels, [None, *top["trial"]], outs):
        for k, r in enumerate(kpis):
            reps.append({"stage": "fresh", "candidate": label, "replication": k, "seed": fresh[k], **r})
        x = np.array([r.get(objective, math.nan) for r in kpis], dtype=float)
        m, lo, hi = _mean_ci(x, confidence)
        d, dlo, dhi, pval = paired_ci(x, start_x, confidence)
        _, _, why = _score(kpis, objective, cons, currency)
        params = {} if trial_no is None else {n: table.loc[table["trial"] == trial_no, n].iloc[0] for n in names}
        search_mean = (
            math.nan if trial_no is None else float(table.loc[table["trial"] == trial_no, "objective"].iloc[0])
        )
        fin_rows.append(
            {
                "candidate": label,
                "trial": trial_no,
                **params,
                "search_mean": search_mean,
                "fresh_n": int((~np.isnan(x)).sum()),
                "fresh_mean": m,
                "fresh_ci_low": lo,
                "fresh_ci_high": hi,
                "diff": d,
                "diff_ci_low": dlo,
                "diff_ci_high": dhi,
                "p_value": pval,
                "status": "infeasible" if why else "ok",
                "reason": "; ".join(why),
                "winner": False,
            }
        )
    fin = pd.DataFrame(fin_rows)
    fin["trial"] = fin["trial"].astype("Int64")
    cand = fin[(fin["candidate"] != "start") & (fin["status"] == "ok") & fin["fresh_mean"].notna()]
    if cand.empty:
        out = result(False, fin, pd.DataFrame(), None, {})
        out.notes.append("every finalist breached the constraints on the fresh seeds: keep the starting policy")
        return out
    win = (cand["fresh_mean"] * direction).idxmax()
    fin.loc[win, "winner"] = True
    w = fin.loc[win]
    d, lo, hi, pval = float(w["diff"]), float(w["diff_ci_low"]), float(w["diff_ci_high"]), float(w["p_value"])
    better = direction * lo > 0 if direction > 0 else direction * hi > 0
    worse = direction * hi < 0 if direction > 0 else direction * lo < 0
    if better:
        verdict = f"the winner ({w['candidate']}) beats the starting policy on fresh seeds (the paired CI excludes 0)"
    elif worse:
        verdict = "the starting policy is better than every finalist on fresh seeds: keep it"
    else:
        verdict = f"{NO_EVIDENCE} (the paired CI on fresh seeds includes 0)"
    vs = pd.DataFrame(
        [
            {
                "winner": w["candidate"],
                "objective": objective,
                "n": int(w["fresh_n"]),
                "winner_mean": float(w["fresh_mean"]),
                "start_mean": float(fin.loc[fin["candidate"] == "start", "fresh_mean"].iloc[0]),
                "diff": d,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": pval,
                "verdict": verdict,
            }
        ]
    )
    params = {n: _plain(w[n]) for n in names}
    return result(False, fin, vs, arms[int(w["trial"])], params)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
