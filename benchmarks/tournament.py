"""Tournament benchmark: 20 teams x 30 hidden seeds x 5,000 customers on the process engine, 2 workers.

The issue's target is under 5 minutes of wall-clock time on 2 cores. The 20 teams are distinct
policies (presets and variants of them, none equal to the baseline), so no runs are shared;
the baseline (``do_nothing``) adds 30 runs. Run it alone::

    python benchmarks/tournament.py            # the full benchmark (630 runs)
    python benchmarks/tournament.py --quick    # 5 teams x 4 seeds x 1,000 customers (a smoke run)
    python benchmarks/tournament.py --seeds 3  # 20 teams x 3 seeds: an estimate (CPU scales with seeds)
    python benchmarks/tournament.py --profile  # CPU seconds of one 5,000-customer run per preset

It prints the wall-clock time, the runs and the seconds per run, and the CPU seconds the workers
spent (what the wall-clock time would be on idle cores: CPU / workers, since a shared machine's
load stretches the wall-clock figure); with ``--profile`` the CPU time
of one run of each team's policy (so the total can be read as runs x mean CPU / workers) and
the functions where the slowest one spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

#: (preset, changes) of the 20 teams: presets and variants of them, all distinct.
TEAMS: list[tuple[str, dict]] = [
    *[("vip_care", {"service.extra_agents": k}) for k in (0, 1, 2)],
    *[("churn_rescue", {"service.extra_agents": k}) for k in (0, 1, 2)],
    *[("service_first", {"service.extra_agents": k}) for k in (1, 2, 3)],
    *[("loyalty_tiers", {"service.extra_agents": k}) for k in (0, 1, 2)],
    *[("basic_low_tier", {"service.extra_agents": k}) for k in (0, 1)],
    *[("onboarding", {"service.extra_agents": k}) for k in (0, 1)],
    *[("review_alerts", {"service.extra_agents": k}) for k in (0, 1)],
    *[("spray_and_pray", {"service.extra_agents": k}) for k in (0, 1)],
]


def write_teams(folder: Path, teams: list[tuple[str, dict]]) -> None:
    import sim

    folder.mkdir(parents=True, exist_ok=True)
    for i, (preset, changes) in enumerate(teams):
        name = f"team{i:02d}_{preset}"
        pol = sim.Policy.load(preset).updated({**changes, "name": name})
        (folder / f"{name}.yaml").write_text(pol.to_yaml(), encoding="utf-8")


def profile(teams: list[tuple[str, dict]], customers: int) -> None:
    import sim

    sim.run("baseline", customers=200, days=60)  # imports and caches out of the timing
    import sim.analysis.clv  # the firm's BG/NBD and RFM: a worker imports them once, not per run
    import sim.analysis.rfm

    cpu = {}
    first: dict[str, dict] = {}
    for preset, changes in teams:  # one run per preset (its first variant)
        first.setdefault(preset, changes)
    for preset, changes in first.items():
        pol = sim.Policy.load(preset).updated(changes)
        t0 = time.process_time()
        sim.run("baseline", pol, customers=customers, seed=1)
        cpu[f"{preset} {changes}"] = time.process_time() - t0
    for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"{v:6.2f} CPU s  {k}")
    worst = max(cpu, key=cpu.__getitem__).split(" ", 1)[0]
    prof = cProfile.Profile()
    prof.enable()
    sim.run("baseline", worst, customers=customers, seed=1)
    prof.disable()
    print(f"\nwhere one run of {worst} spends its time (cProfile, by internal time):")
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="5 teams x 4 seeds x 1,000 customers")
    ap.add_argument("--profile", action="store_true", help="CPU seconds of one run per policy, and a cProfile")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=None, help="seeds per team (default 30; fewer for an estimate)")
    args = ap.parse_args(argv)
    teams = TEAMS[::4] if args.quick else TEAMS
    reps, customers = (4, 1000) if args.quick else (30, 5000)
    reps = args.seeds or reps
    if args.profile:
        profile(teams, customers)
        return 0
    from sim.experiments.tournament import tournament

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_teams(root / "teams", teams)
        (root / "secret.txt").write_text(secrets.token_hex(32), encoding="utf-8")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        t0 = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = tournament(
            root / "teams",
            "baseline",
            root / "secret.txt",
            replications=reps,
            customers=customers,
            engine="process",
            workers=args.workers,
            progress=sys.stderr.isatty(),
        )
        wall = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)  # the workers' CPU seconds
    runs = (len(teams) + 1) * reps
    print(t)
    print(t.leaderboard[["rank_label", "team", "mean", "diff", "reason"]].to_string(max_colwidth=60))
    print(
        f"\n{len(teams)} teams x {reps} seeds x {customers:,} customers ({runs} runs with the baseline), "
        f"process engine, {args.workers} workers: {wall:.1f} s wall ({wall / runs * args.workers:.2f} s per run "
        f"per worker); load average at the start {load:.1f}"
    )
    print(
        f"CPU in the workers: {cpu:.0f} s ({cpu / runs:.2f} s per run): on {args.workers} idle cores "
        f"about {cpu / args.workers:.0f} s wall"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
