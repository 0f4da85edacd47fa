"""Search policy levers for the best KPI, with an honest final comparison: :func:`optimize`.

:func:`optimize` runs the search core (:mod:`sim.experiments.optimize_core`: seeded Optuna TPE,
every trial on the same seeds, the finalists and the starting policy re-run on fresh seeds) on
the simulator, through the engines of :func:`~sim.experiments.compare`. The space
(:mod:`sim.experiments.optimize_space`) names policy levers and, if wanted, scenario fields;
``"budget.split": "simplex"`` searches the pot shares (syllabus B1: is 70/20/10 any good?).

Execution: trials run one after another (``batch`` at a time, default 1) and the
``replications`` of a trial (``batch x replications`` runs) go to the engine together, so the
``process`` and ``dask`` engines run a trial's replications in parallel. The trials and their
numbers do not depend on the engine nor on the number of workers (tested): only on ``seed``,
``batch`` and the sizes. The cost is the runs: ``trials x replications + (finalists + 1) x
fresh_replications`` simulations (the sampler adds about 0.03 s a trial, importing Optuna about
1 s). Measured on the 2-core build machine while it was shared (load 8-9): 12 trials x 3
replications + 4 x 5 fresh runs = 56 runs of 800 customers x 365 days took 37 s locally (0.67 s a
run; a run takes about 0.25 s on an idle core) and 56 s on the process engine (a fresh pool per
trial does not pay on a saturated machine); 10 x 2 + 3 x 4 = 32 runs of 500 customers took 29 s.
At load 4-5 the 56-run cell took 24 s, and 8 x 2 + 3 x 4 = 28 runs of 500 customers 10 s.

Examples
--------
>>> import sim
>>> opt = sim.optimize("baseline", "vip_care", {"budget.amount_per_period": (5_000.0, 40_000.0)},
...                    trials=3, replications=2, fresh_replications=2, finalists=1,
...                    customers=150, days=60, seed=1, progress=False)
>>> len(opt.trials), list(opt.finalists["candidate"])
(3, ['start', 'trial 1'])
>>> type(opt.best_policy).__name__
'Policy'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.config.limits import short
from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.errors import ConfigError
from sim.experiments._args import Arm, as_policy, as_scenario, check_size, make_tasks, show_progress
from sim.experiments.constraints import load_constraints, parse_objective
from sim.experiments.engines import execute
from sim.experiments.optimize_core import search
from sim.experiments.optimize_result import NO_EVIDENCE, Optimization, OptimizationInterrupted, optimization_files
from sim.experiments.optimize_space import Space, set_path
from sim.experiments.submissions import one_line

__all__ = ["optimize", "Optimization", "OptimizationInterrupted", "Space", "optimization_files", "NO_EVIDENCE"]


def _builder(sc: Scenario, pol: Policy, space: Space) -> Callable[[dict[str, Any]], tuple[Scenario, Policy]]:
    sc_dict, pol_dict = sc.to_dict(), pol.to_dict()

    def build(point: dict[str, Any]) -> tuple[Scenario, Policy]:
        sc_changes, pol_changes = space.changes(point)
        new_sc = Scenario.from_dict(set_path(sc_dict, sc_changes, "scenario")) if sc_changes else sc
        new_pol = Policy.from_dict(set_path(pol_dict, pol_changes, "policy")) if pol_changes else pol
        return new_sc, new_pol

    return build


def _check_paths(space: Space, sc: Scenario, pol: Policy) -> None:
    """Every lever must name a field of the start (a typo fails here, not as 20 invalid trials), and its
    range must fit the field: both bounds (one choice at least) must give a valid start on their own —
    ``(0, 1)`` on a true/false field or ``(1, 1e30, "int")`` on ``desk.agents`` fails here, naming the bound.
    """
    for d in space.dims:
        data = pol.to_dict() if d.side == "policy" else sc.to_dict()
        try:
            set_path(data, {d.path: None}, d.side)
        except ConfigError as exc:
            raise ConfigError(f"space[{d.key!r}]: {exc}") from None
        if d.kind == "simplex":
            continue
        load = Policy.from_dict if d.side == "policy" else Scenario.from_dict
        as_int = d.kind == "int"
        if d.kind == "choice":
            probes = [("choice", v) for v in d.choices]
        else:
            mid = (d.low + d.high) / 2  # type: ignore[operator]
            bounds = (("low", d.low), ("high", d.high), ("a value inside, e.g.", mid))
            probes = [(b, int(v) if as_int else v) for b, v in bounds]  # type: ignore[arg-type]
        reasons = []
        for what, value in probes:
            try:
                load(set_path(data, {d.path: value}, d.side))
            except ConfigError as exc:
                reasons.append(f"{what} {short(value)}: {one_line(exc)}")
        if reasons and (d.kind != "choice" or len(reasons) == len(probes)):
            raise ConfigError(f"space[{d.key!r}]: {reasons[0]} (the range must fit the field {d.path!r})")


def optimize(
    scenario: Scenario | str | Path,
    policy: Policy | str | Path | None,
    space: Mapping[str, Any] | Space,
    *,
    objective: str = "profit",
    constraints: Any = None,
    trials: int = 20,
    replications: int = 3,
    fresh_replications: int = 10,
    finalists: int = 3,
    customers: int | None = None,
    days: float | None = None,
    seed: int = 0,
    engine: str = "local",
    workers: int | None = None,
    progress: bool | Callable[[dict[str, Any]], None] | None = None,
    batch: int = 1,
    confidence: float = 0.95,
    address: str | None = None,
) -> Optimization:
    """Search the levers of ``space`` for the best ``objective``; re-check the finalists on fresh seeds.

    Parameters
    ----------
    scenario : Scenario, preset name or YAML path
        The world.
    policy : Policy, preset name, YAML path or None
        The starting policy (``None``: ``do_nothing``); the levers move from it, and the winner
        is compared with it.
    space : mapping or Space
        ``{path: (low, high) | (low, high, "int") | (low, high, "log") | [choices] | "simplex"}``;
        paths as in :func:`~sim.experiments.sweep` (``contacts.0.interval_days``,
        ``offers.vip_gift.discount``, ``budget.amount_per_period``, ``service.extra_agents``,
        ``desk.agents``); ``"budget.split": "simplex"`` searches the pot shares.
    objective : str
        A KPI to maximise; ``"-kpi"`` minimises (``"-mean_wait_h"``).
    constraints : Constraints, mapping, YAML path or None
        As in the tournament: ``budget`` (largest mean ``retention_cost``), ``nps_min``,
        ``compliance_incidents`` (in every replication), ``min`` / ``max`` per KPI. A breaching
        trial is infeasible: reported, never the winner.
    trials, replications : int
        Candidates tried, and seeds per candidate (the same for all: common random numbers).
    fresh_replications, finalists : int
        The ``finalists`` best distinct feasible trials and the starting policy are re-run on
        ``fresh_replications`` seeds never used in the search; the best fresh mean wins.
    customers, days : optional
        Run size (default: the scenario's).
    seed : int
        Seeds the sampler and the replication seeds: the same seed gives the same trials.
    engine, workers, address : optional
        As in :func:`~sim.experiments.compare`; identical results on every engine.
    progress : bool, callable or None
        A progress bar with trials done and the best so far (``None``: only for long runs), or a
        function called after each trial with ``{"stage", "done", "total", "best"}``.
    batch : int
        Candidates asked from the sampler at a time (their runs go to the engine together).
    confidence : float
        Level of every interval.

    Returns
    -------
    Optimization
        ``best_policy``, ``trials``, ``finalists``, ``versus_start``, ``summary()``, ``plot()``,
        ``to_dir()``.

    Raises
    ------
    ConfigError
        A bad space (naming the key, value and what is allowed), objective, constraint or size.
    OptimizationInterrupted
        Ctrl-C; ``.result`` holds the trials finished so far.
    """
    sc = as_scenario(scenario)
    pol = as_policy(policy, "policy")
    start_name = pol.name if pol is not None else "do_nothing"
    pol = pol if pol is not None else Policy.load("do_nothing")
    kpi, direction = parse_objective(objective)
    cons = load_constraints(constraints)
    check_size(customers, days)
    sp = Space.parse(space, pots=list(pol.budget.pots) or None)
    _check_paths(sp, sc, pol)
    kpis = list(dict.fromkeys([kpi, *cons.kpis(), "retention_cost", "nps", "compliance_incidents"]))
    n_cust = customers if customers is not None else sc.population.customers
    n_days = float(days if days is not None else sc.horizon_days)
    show: bool | Callable[[dict[str, Any]], None] = (
        progress if progress is not None else show_progress(None, trials * replications, n_cust, n_days)
    )

    def evaluate(arms: list[tuple[Scenario, Policy]], seeds: list[int]) -> list[list[dict[str, float]]]:
        named: dict[str, Arm] = {str(i): arm for i, arm in enumerate(arms)}
        tasks = make_tasks(named, seeds, customers, days, kpis)
        rows = execute(tasks, engine=engine, workers=workers, address=address, progress=False, label="optimize")
        out: list[list[dict[str, float]]] = [[] for _ in arms]
        for r in rows:
            out[int(r["arm"])].append({k: r[k] for k in kpis})
        return out

    settings = {
        "scenario": sc.name,
        "start_name": start_name,
        "customers": n_cust,
        "days": n_days,
        "engine": engine,
    }
    return search(
        sp,
        evaluate,
        start=(sc, pol),
        build=_builder(sc, pol, sp),
        objective=kpi,
        direction=direction,
        constraints=cons,
        trials=trials,
        replications=replications,
        fresh_replications=fresh_replications,
        finalists=finalists,
        seed=seed,
        batch=batch,
        confidence=confidence,
        progress=show,
        currency=sc.currency,
        settings=settings,
    )
