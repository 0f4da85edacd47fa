"""Retention Lab benchmarks (``make bench``): speed and memory, never asserted in tests.

Each measurement runs in a fresh subprocess pinned to one CPU core, so CPU time and peak
memory (``ru_maxrss``) belong to that measurement alone. The full model and the bare SimPy
loop are measured in the same invocation, so their ratio is honest on a noisy machine.

Writes ``benchmarks/results.json`` and ``benchmarks/RESULTS.md``.

Usage::

    python benchmarks/run.py            # everything
    python benchmarks/run.py --quick    # smaller sizes (a smoke run)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


# ----------------------------------------------------------------------------- child side
def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(kind: str, args: dict) -> dict:
    """Run one measurement in this (fresh) process and return its figures."""
    _pin()
    sys.path.insert(0, str(HERE))
    base_mib = _peak_mib()
    if kind == "full":
        import sim

        sc = sim.Scenario.load(args["scenario"])
        sim.run(sc, customers=50, days=30, seed=0)  # warm-up: one-off lazy imports are not per-event cost
        c0, w0 = time.process_time(), time.perf_counter()
        res = sim.run(sc, customers=args["customers"], days=args["days"], seed=args["seed"])
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        tickets_done = int(res.tickets["resolved_t"].notna().sum())
        events = len(res.orders) + tickets_done
        cust_years = float((args["days"] - res.customers["acquired_t"]).clip(lower=0).sum() / 365.0)
        return {
            "cpu_s": cpu,
            "wall_s": wall,
            "orders": len(res.orders),
            "tickets": tickets_done,
            "events": events,
            "customer_years": cust_years,
            "peak_mib": _peak_mib(),
            "import_mib": base_mib,
        }
    if kind == "bare":
        from bare_simpy import run_bare

        import sim
        from sim.world.simulate import desk_agents

        sc = sim.Scenario.load(args["scenario"])
        run_bare(sc, 50, 30.0, 0, 1)  # the same warm-up as the full model
        c0, w0 = time.process_time(), time.perf_counter()
        counts = run_bare(sc, args["customers"], args["days"], args["seed"], desk_agents(sc, args["customers"]))
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        return {
            "cpu_s": cpu,
            "wall_s": wall,
            **counts,
            "events": counts["orders"] + counts["tickets"],
            "peak_mib": _peak_mib(),
        }
    if kind == "desk":
        return _desk(args)
    if kind == "analysis":
        return _analysis(args)
    raise ValueError(kind)


def _desk(args: dict) -> dict:
    """Cost per ticket of our PriorityStore desk vs SimPy's PriorityResource, idle and overloaded."""
    import numpy as np
    import simpy

    from sim.world.desk import simulate_queue

    n, agents = args["tickets"], 4
    out = {}
    for label, rho in (("normal", 0.7), ("overloaded", 1.5)):
        lam = rho * agents
        c0 = time.process_time()
        t = simulate_queue(
            lam, agents, 1.0, severity_mix={"P0": 0.1, "P1": 0.2, "P2": 0.3, "P3": 0.4}, n_tickets=n, seed=1
        )
        ours = (time.process_time() - c0) / n * 1e6
        # peak backlog: tickets opened but not yet answered, at arrival instants
        opened, first = np.sort(t["opened_h"].to_numpy()), np.sort(t["first_response_h"].to_numpy())
        backlog = int((np.arange(1, n + 1) - np.searchsorted(first, opened, side="right")).max())

        rng = np.random.default_rng(1)
        env = simpy.Environment()
        res = simpy.PriorityResource(env, capacity=agents)
        sev = rng.choice(4, size=n, p=[0.1, 0.2, 0.3, 0.4])
        gaps = rng.exponential(1.0 / lam, n)
        serv = rng.exponential(1.0, n)

        def ticket(k):
            with res.request(priority=int(sev[k])) as req:
                yield req
                yield env.timeout(serv[k])

        def source():
            for k in range(n):
                yield env.timeout(gaps[k])
                env.process(ticket(k))

        env.process(source())
        c0 = time.process_time()
        env.run()
        theirs = (time.process_time() - c0) / n * 1e6
        out[label] = {
            "rho": rho,
            "peak_backlog": backlog,
            "us_per_ticket_store": ours,
            "us_per_ticket_priority_resource": theirs,
        }
    return out


def _analysis(args: dict) -> dict:
    """Analysis speed: BG/NBD + Gamma-Gamma fit on 100k customers, RFM on 1M orders."""
    import numpy as np
    import pandas as pd

    import sim

    out: dict = {}
    try:
        from sim.analysis import clv
    except ImportError:
        clv = None
    if clv is not None:
        res = sim.run("btyd_only", customers=args["customers"], days=730, seed=1)
        summ = clv.summary_data(res.orders, cutoff=res.end_date)
        c0 = time.process_time()
        bgf = clv.BetaGeoFitter().fit(summ["frequency"], summ["recency"], summ["T"])
        rep = summ[summ["frequency"] > 0]
        ggf = clv.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        out["bgnbd_gg_fit_s"] = time.process_time() - c0
        out["fit_customers"] = len(summ)
        out["bgnbd_params"] = {k: float(v) for k, v in bgf.params_.items()}
        out["gg_params"] = {k: float(v) for k, v in ggf.params_.items()}
    try:
        from sim.analysis import rfm
    except ImportError:
        rfm = None
    if rfm is not None:
        rng = np.random.default_rng(0)
        n = args["orders"]
        orders = pd.DataFrame(
            {
                "customer_id": rng.integers(1, n // 5, n),
                "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 730, n), unit="D"),
                "amount": rng.gamma(2.0, 150.0, n),
            }
        )
        c0 = time.process_time()
        table = rfm.rfm_table(orders, cutoff="2026-01-01")
        rfm.rfm_scores(table)
        out["rfm_1m_orders_s"] = time.process_time() - c0
        out["rfm_orders"] = n
    return out


# ----------------------------------------------------------------------------- parent side
def measure(kind: str, **args) -> dict:
    """Run ``child(kind, args)`` in a fresh interpreter and return its JSON."""
    code = f"import json,sys; sys.path.insert(0,{str(HERE)!r}); import run; print(json.dumps(run.child({kind!r}, json.loads(sys.argv[1]))))"
    out = subprocess.run([sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def instructions(n: int, mechanism_scenarios: list[str] | tuple[str, ...] = ()) -> dict:
    """Instructions per event of the full model and the bare loop (valgrind callgrind; slow)."""
    import re
    import shutil

    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")

    def count(kind: str, run: bool, scenario: str = "baseline") -> tuple[int, int]:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                str(HERE / "instructions_child.py"),
                kind,
                str(n),
                "1" if run else "0",
                scenario,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        ins = int(re.search(r"Collected : (\d+)", out.stderr).group(1))
        ev = re.search(r"EVENTS (\d+)", out.stdout)
        return ins, int(ev.group(1)) if ev else 0

    res: dict = {}
    for kind in ("full", "bare"):
        base, _ = count(kind, False)
        total, events = count(kind, True)
        res[kind] = {"instructions": total - base, "events": events, "per_event": (total - base) / events}
    res["ratio_per_event"] = res["full"]["per_event"] / res["bare"]["per_event"]
    # the full model on the scenarios with the issue-12 mechanisms switched on (no bare counterpart)
    for scenario in mechanism_scenarios:
        base, _ = count("full", False, scenario)
        total, events = count("full", True, scenario)
        res[f"full_{scenario}"] = {"instructions": total - base, "events": events, "per_event": (total - base) / events}
    res["customers"] = n
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument(
        "--instructions",
        type=int,
        metavar="N",
        default=0,
        help="only count instructions per event (valgrind) for N customers, full vs bare",
    )
    ap.add_argument(
        "--scenarios",
        nargs="*",
        default=[],
        metavar="NAME",
        help="with --instructions: also count the full model on these scenarios (e.g. retail subscription)",
    )
    opts = ap.parse_args()
    if opts.instructions:
        r = instructions(opts.instructions, opts.scenarios)
        print(json.dumps(r, indent=2))
        return
    sizes = [2_000, 10_000] if opts.quick else [10_000, 100_000]
    results: dict = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "date": time.strftime("%Y-%m-%d"),
        "simulator": [],
    }
    for n in sizes:
        # best of 3, interleaved: on a shared machine the minimum CPU time is the honest cost
        fulls, bares = [], []
        for _ in range(3):
            fulls.append(measure("full", scenario="baseline", customers=n, days=730, seed=1))
            bares.append(measure("bare", scenario="baseline", customers=n, days=730, seed=1))
        full = min(fulls, key=lambda r: r["cpu_s"])
        bare = min(bares, key=lambda r: r["cpu_s"])
        row = {
            "customers": n,
            "days": 730,
            "full_cpu_s": full["cpu_s"],
            "full_events": full["events"],
            "customer_years_per_cpu_s": full["customer_years"] / full["cpu_s"],
            "events_per_s": full["events"] / full["cpu_s"],
            "peak_mib": full["peak_mib"],
            "bare_cpu_s": bare["cpu_s"],
            "bare_events": bare["events"],
            "bare_peak_mib": bare["peak_mib"],
            "ratio_per_event": (full["cpu_s"] / full["events"]) / (bare["cpu_s"] / bare["events"]),
            "full_cpu_s_all": [r["cpu_s"] for r in fulls],
            "bare_cpu_s_all": [r["cpu_s"] for r in bares],
        }
        results["simulator"].append(row)
        print(json.dumps(row), flush=True)
    results["desk"] = measure("desk", tickets=20_000 if opts.quick else 100_000)
    print(json.dumps(results["desk"]), flush=True)
    results["analysis"] = measure(
        "analysis", customers=20_000 if opts.quick else 100_000, orders=200_000 if opts.quick else 1_000_000
    )
    print(json.dumps(results["analysis"]), flush=True)
    try:
        from experiments_bench import bench_engines  # issue 4: engines

        results["engines"] = bench_engines(quick=opts.quick)
        print(json.dumps(results["engines"]), flush=True)
    except ImportError:
        pass
    from dedup import bench_dedup  # issue 16: clean + de-duplicate 10k / 100k / 1M CRM records

    results["dedup"] = bench_dedup(quick=opts.quick, progress=lambda line: print(line, flush=True))
    (HERE / "results.json").write_text(json.dumps(results, indent=2))
    (HERE / "RESULTS.md").write_text(render(results))
    print(render(results))


def render(r: dict) -> str:
    """The Markdown table copied into the README's performance section."""
    lines = [
        f"Measured {r['date']} on {r['machine']['platform']} (Python {r['machine']['python']}, {r['machine']['cpus']} cores); "
        "each figure from a fresh process pinned to one core; simulator rows: best of 3 interleaved runs. "
        "Events = orders + handled tickets; the full model also builds its seven tables inside the timing; "
        "both models get the same tiny warm-up run first (one-off lazy imports are not per-event cost).",
        "",
        "| customers × days | CPU s | customer-years / CPU s | events / s | peak memory | bare SimPy loop CPU s | full ÷ bare per event |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in r["simulator"]:
        lines.append(
            f"| {s['customers']:,} × {s['days']} | {s['full_cpu_s']:.2f} | {s['customer_years_per_cpu_s']:,.0f} | "
            f"{s['events_per_s']:,.0f} | {s['peak_mib']:.0f} MiB | {s['bare_cpu_s']:.2f} ({s['bare_peak_mib']:.0f} MiB) | {s['ratio_per_event']:.2f} |"
        )
    d = r.get("desk", {})
    if d:
        lines += [
            "",
            "| desk load | peak backlog | µs per ticket, PriorityStore + agents (ours) | µs per ticket, PriorityResource |",
            "|---|---|---|---|",
        ]
        for label, v in d.items():
            lines.append(
                f"| {label} (ρ = {v['rho']}) | {v['peak_backlog']:,} | {v['us_per_ticket_store']:.1f} | {v['us_per_ticket_priority_resource']:.1f} |"
            )
    a = r.get("analysis", {})
    if a:
        lines.append("")
        if "bgnbd_gg_fit_s" in a:
            lines.append(
                f"- BG/NBD + Gamma-Gamma fit on {a['fit_customers']:,} customers: {a['bgnbd_gg_fit_s']:.2f} CPU s"
            )
        if "rfm_1m_orders_s" in a:
            lines.append(f"- RFM table + scores on {a['rfm_orders']:,} orders: {a['rfm_1m_orders_s']:.2f} CPU s")
    e = r.get("engines")
    if e:
        lines += ["", e.get("markdown", "")]
    dd = r.get("dedup")
    if dd:
        lines += ["", dd.get("markdown", "")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
