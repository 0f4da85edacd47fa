"""Retention Lab benchmarks (``make bench``): speed and memory, never asserted in tests.

Each measurement runs in a fresh subprocess pinned to one CPU core, so CPU time and peak
memory (``ru_maxrss``) belong to that measurement alone. The full model and the two bare SimPy
loops (``bare_simpy.py``: the fair anchor drawing with the standard library's ``random``, and the
same loop drawing with NumPy scalar calls) are measured in the same invocation, interleaved, so
their ratios are honest on a noisy machine.

Sections: ``simulator`` (10k, 100k and 1M customers x 730 days), ``desk``, ``analysis``,
``engines``, ``dedup`` (10k / 100k / 1M CRM records) and ``suite`` (the README's test command,
wall time and pass/fail counts). Each run merges its sections into ``results.json`` (the others
keep their earlier figures, each stamped with when it was measured) and rewrites ``RESULTS.md``.

Usage::

    python benchmarks/run.py                    # everything, the suite included (about 50 min)
    python benchmarks/run.py --skip-suite       # everything but the suite
    python benchmarks/run.py --quick --out /tmp/bench   # smoke run: small sizes, no suite
    python benchmarks/run.py --only simulator --sizes 10000 100000
    python benchmarks/run.py --suite            # only the suite (= --only suite)
    python benchmarks/run.py --instructions 10000   # instructions per event (valgrind)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTIONS = ("simulator", "desk", "analysis", "engines", "dedup", "suite")
#: The README's `make test`, pytest part: one xdist worker more than cores, as the Makefile's WORKERS.
SUITE_WORKERS = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1
SUITE_COMMAND = ["-m", "pytest", "-n", str(SUITE_WORKERS), "--dist", "loadgroup"]
ANCHORS = {"fair": "bare_stdlib", "numpy": "bare_numpy"}  # result prefix -> child kind


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


# ----------------------------------------------------------------------------- child side
def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _model(kind: str, scenario: str) -> tuple[Callable[[int, float, int], dict], object]:
    """``(run(customers, days, seed) -> counts, scenario)`` for the full model or a bare loop, warmed up."""
    sys.path.insert(0, str(HERE))
    import sim

    sc = sim.Scenario.load(scenario)
    if kind == "full":

        def run(n: int, days: float, seed: int) -> dict:
            res = sim.run(sc, customers=n, days=days, seed=seed)
            tickets = int(res.tickets["resolved_t"].notna().sum())
            years = float((days - res.customers["acquired_t"]).clip(lower=0).sum() / 365.0)
            return {"orders": len(res.orders), "tickets": tickets, "customer_years": years}

    else:
        import bare_simpy

        from sim.world.simulate import desk_agents

        loop = {"bare_stdlib": bare_simpy.run_bare_stdlib, "bare_numpy": bare_simpy.run_bare_numpy}[kind]

        def run(n: int, days: float, seed: int) -> dict:
            return loop(sc, n, days, seed, desk_agents(sc, n))

    run(50, 30.0, 0)  # the same warm-up for every model: one-off lazy imports are not per-event cost
    return run, sc


def child(kind: str, args: dict) -> dict:
    """Run one measurement in this (fresh) process and return its figures."""
    _pin()
    if kind in ("full", *ANCHORS.values()):
        base_mib = _peak_mib()
        run, _ = _model(kind, args["scenario"])
        c0, w0 = time.process_time(), time.perf_counter()
        counts = run(args["customers"], args["days"], args["seed"])
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        events = counts["orders"] + counts["tickets"]
        return {
            "cpu_s": cpu,
            "wall_s": wall,
            **counts,
            "events": events,
            "peak_mib": _peak_mib(),
            "import_mib": base_mib,
        }
    if kind == "desk":
        return _desk(args)
    if kind == "analysis":
        return _analysis(args)
    raise ValueError(kind)


def instructions_child(kind: str, n: int, do_run: bool, scenario: str) -> None:
    """Under callgrind: import and warm up ``kind``, then (``do_run``) simulate ``n`` customers x 730 days."""
    run, _ = _model(kind, scenario)
    if do_run:
        c = run(n, 730.0, 1)
        print("EVENTS", c["orders"] + c["tickets"])


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
    from sim.analysis import clv, rfm

    out: dict = {}
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
def measure(kind: str, timeout: float = 3600, **args) -> dict:
    """Run ``child(kind, args)`` in a fresh interpreter and return its JSON."""
    code = f"import json,sys; sys.path.insert(0,{str(HERE)!r}); import run; print(json.dumps(run.child({kind!r}, json.loads(sys.argv[1]))))"
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )
    if out.returncode != 0:
        raise RuntimeError(f"{kind} {args} failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_simulator(
    sizes: list[int], repeats: int, progress: Callable[[str], None] = print, repeats_1m: int | None = None
) -> list[dict]:
    """Full model vs both bare loops at each size: best of ``repeats`` interleaved runs (A, B, C, A, B, C, ...).

    ``repeats_1m``: runs at a million customers and more (each takes minutes), if not ``repeats``.
    """
    rows = []
    for n in sizes:
        runs: dict[str, list[dict]] = {"full": [], "fair": [], "numpy": []}
        errors: dict[str, str] = {}
        runs_n = repeats_1m if repeats_1m and n >= 1_000_000 else repeats
        for rep in range(runs_n):
            for label, kind in (("full", "full"), *ANCHORS.items()):
                if label in errors:
                    continue
                try:
                    runs[label].append(measure(kind, scenario="baseline", customers=n, days=730, seed=1))
                except (RuntimeError, subprocess.TimeoutExpired) as exc:  # say why, keep the other rows
                    errors[label] = str(exc).strip().splitlines()[-1][:300]
                progress(f"simulator {n:,} {label} run {rep + 1}/{runs_n}: " + (
                    f"{runs[label][-1]['cpu_s']:.2f} CPU s" if label not in errors else f"failed: {errors[label]}"))  # fmt: skip
        if not runs["full"]:
            raise RuntimeError(f"the full model failed at {n:,} customers: {errors['full']}")
        # on a shared machine the minimum CPU time is the honest cost
        best = {k: min(v, key=lambda r: r["cpu_s"]) for k, v in runs.items() if v}
        full = best["full"]
        row = {
            "customers": n,
            "days": 730,
            "measured_at": _now(),
            "repeats": runs_n,
            "full_cpu_s": full["cpu_s"],
            "full_wall_s": full["wall_s"],
            "full_events": full["events"],
            "full_orders": full["orders"],
            "full_tickets": full["tickets"],
            "customer_years_per_cpu_s": full["customer_years"] / full["cpu_s"],
            "events_per_s": full["events"] / full["cpu_s"],
            "peak_mib": full["peak_mib"],
            "import_mib": full["import_mib"],
            "full_cpu_s_all": [r["cpu_s"] for r in runs["full"]],
        }
        for label in ANCHORS:
            if label in best:
                b = best[label]
                row |= {
                    f"{label}_cpu_s": b["cpu_s"],
                    f"{label}_wall_s": b["wall_s"],
                    f"{label}_events": b["events"],
                    f"{label}_peak_mib": b["peak_mib"],
                    f"{label}_cpu_s_all": [r["cpu_s"] for r in runs[label]],
                    f"ratio_{label}_per_event": (full["cpu_s"] / full["events"]) / (b["cpu_s"] / b["events"]),
                }
            else:
                row[f"{label}_error"] = errors[label]
        rows.append(row)
        progress(json.dumps({k: v for k, v in row.items() if not k.endswith("_all")}))
    return rows


def parse_pytest_summary(text: str) -> dict[str, int]:
    """Counts from pytest's final line, e.g. ``= 3 failed, 7950 passed, 2 skipped in 901.2s =``.

    >>> parse_pytest_summary("== 1 failed, 7950 passed, 12 skipped, 3 warnings in 900.12s (0:15:00) ==")
    {'failed': 1, 'passed': 7950, 'skipped': 12, 'warnings': 3}
    >>> parse_pytest_summary("no summary")
    {}
    """
    lines = [ln for ln in text.splitlines() if re.search(r" in [\d.]+s\b", ln)]
    if not lines:
        return {}
    words = {"error": "errors", "warning": "warnings"}
    return {words.get(w, w): int(k) for k, w in re.findall(r"(\d+) ([a-z]+)", lines[-1].split(" in ")[0])}


def bench_suite(
    timeout: float = 3600, progress: Callable[[str], None] = print, command=SUITE_COMMAND, log: Path | None = None
) -> dict:
    """Run the README's test command (pytest part) in a subprocess; wall time and pass/fail counts."""
    import tempfile

    log = log or Path(tempfile.gettempdir()) / "retention-lab-suite.log"
    cmd = [sys.executable, *command]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    progress(f"suite: {' '.join(['MPLBACKEND=Agg', 'python', *command])} (output in {log})")
    measured_at, w0 = _now(), time.perf_counter()
    with log.open("w") as fh:  # pytest shows its own progress; Ctrl-C stops it (same process group)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            fh.write(line)
            sys.stdout.write(line)
        code = proc.wait(timeout=timeout)
    wall = time.perf_counter() - w0
    text = log.read_text()
    return {
        "command": "MPLBACKEND=Agg python " + " ".join(command),
        "measured_at": measured_at,
        "wall_s": wall,
        "exit_code": code,
        "counts": parse_pytest_summary(text),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def instructions(n: int, mechanism_scenarios: list[str] | tuple[str, ...] = (), anchors=("fair",)) -> dict:
    """Instructions per event of the full model and the bare loop(s) (valgrind callgrind; slow)."""
    import shutil

    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")

    def count(kind: str, do_run: bool, scenario: str = "baseline") -> tuple[int, int]:
        code = (f"import sys; sys.path.insert(0,{str(HERE)!r}); import run; "
                f"run.instructions_child({kind!r}, {n}, {do_run}, {scenario!r})")  # fmt: skip
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )  # fmt: skip
        ins = int(re.search(r"Collected : (\d+)", out.stderr).group(1))
        ev = re.search(r"EVENTS (\d+)", out.stdout)
        return ins, int(ev.group(1)) if ev else 0

    def per_event(kind: str, scenario: str = "baseline") -> dict:
        base, _ = count(kind, False, scenario)  # import + warm-up only: subtracted
        total, events = count(kind, True, scenario)
        out = {"instructions": total - base, "events": events, "per_event": (total - base) / events}
        print(f"instructions {kind} {scenario} {n:,}: {json.dumps(out)}", file=sys.stderr, flush=True)  # progress
        return out

    res: dict = {"customers": n, "measured_at": _now(), "full": per_event("full")}
    for label in anchors:
        res[label] = per_event(ANCHORS[label])
        res[f"ratio_{label}_per_event"] = res["full"]["per_event"] / res[label]["per_event"]
    for scenario in mechanism_scenarios:  # the full model with mechanisms on (no bare counterpart)
        res[f"full_{scenario}"] = per_event("full", scenario)
    return res


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # atomic: never a half-written results file


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, no suite: a smoke run")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION", help=f"only these: {', '.join(SECTIONS)}")
    ap.add_argument("--suite", action="store_true", help="only the suite (the same as --only suite)")
    ap.add_argument("--skip-suite", action="store_true", help="everything but the suite")
    ap.add_argument("--sizes", nargs="+", type=int, metavar="N", help="simulator customer counts (default 10k 100k 1M)")
    ap.add_argument("--dedup-sizes", nargs="+", type=int, metavar="N", help="dedup record counts (default 10k 100k 1M)")
    ap.add_argument("--repeats", type=int, default=3, help="simulator runs per model and size, interleaved (best of)")
    ap.add_argument("--repeats-1m", type=int, default=1, help="the same at 1M customers and more (minutes per run)")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for results.json and RESULTS.md (merged into)")
    ap.add_argument("--instructions", type=int, metavar="N", default=0, help="count instructions per event (valgrind)")
    ap.add_argument("--anchors", nargs="+", choices=list(ANCHORS), default=["fair"], help="with --instructions")
    ap.add_argument("--scenarios", nargs="*", default=[], metavar="NAME",
                    help="with --instructions: also count the full model on these scenarios (e.g. retail)")  # fmt: skip
    opts = ap.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    path = opts.out / "results.json"
    results: dict = json.loads(path.read_text()) if path.exists() else {}
    results["machine"] = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    results["date"] = time.strftime("%Y-%m-%d")

    if opts.instructions:
        results["instructions"] = instructions(opts.instructions, opts.scenarios, opts.anchors)
        print(json.dumps(results["instructions"], indent=2))
    else:
        only = set(opts.only or (["suite"] if opts.suite else SECTIONS))
        if (opts.quick and not (opts.only or opts.suite)) or opts.skip_suite:
            only.discard("suite")
        say = lambda line: print(line, flush=True)
        if "simulator" in only:
            sizes = opts.sizes or ([2_000, 10_000] if opts.quick else [10_000, 100_000, 1_000_000])
            results["simulator"] = bench_simulator(sizes, opts.repeats, say, opts.repeats_1m)
        if "desk" in only:
            results["desk"] = measure("desk", tickets=20_000 if opts.quick else 100_000) | {"measured_at": _now()}
            say(json.dumps(results["desk"]))
        if "analysis" in only:
            q = opts.quick
            results["analysis"] = measure(
                "analysis", customers=20_000 if q else 100_000, orders=200_000 if q else 1_000_000
            )
            results["analysis"]["measured_at"] = _now()
            say(json.dumps(results["analysis"]))
        if "engines" in only:
            from experiments_bench import bench_engines  # issue 4: local / process / Dask

            results["engines"] = bench_engines(quick=opts.quick) | {"measured_at": _now()}
            say(json.dumps({k: v for k, v in results["engines"].items() if k != "markdown"}))
        if "dedup" in only:
            from dedup import bench_dedup  # issue 16: clean + de-duplicate 10k / 100k / 1M CRM records

            results["dedup"] = bench_dedup(quick=opts.quick, sizes=opts.dedup_sizes, progress=say)
        if "suite" in only:
            results["suite"] = bench_suite(progress=say)
    _write(path, json.dumps(results, indent=2))
    _write(opts.out / "RESULTS.md", render(results))
    print(render(results))


def _f(row: dict, key: str, fmt: str, none: str = "–") -> str:
    return format(row[key], fmt) if key in row else none


def render(r: dict) -> str:
    """The Markdown tables the README's performance section quotes."""
    m = r.get("machine", {})
    lines = [
        f"Machine: {m.get('platform')} (Python {m.get('python')}, {m.get('cpus')} cores). Each figure from a fresh "
        "process pinned to one core unless said otherwise; CPU time (`time.process_time`) is the honest figure on this "
        "shared machine, wall time includes waiting for the other core's load.",
    ]
    sims = r.get("simulator", [])
    if sims:
        lines += [
            "",
            "Simulator, `baseline` scenario. Events = orders + handled tickets; the full model builds its seven tables "
            "inside the timing. Anchors (`bare_simpy.py`): the same work as a bare SimPy loop (one process per "
            "customer, a `PriorityResource` desk), drawing with the standard library's `random` (**fair**) or with "
            "NumPy scalar calls (numpy). Every model gets the same tiny warm-up run first. "
            "Best of the interleaved runs (full, fair, numpy, full, ...) said in the *measured* column.",
            "",
            "| customers × days | measured | CPU s | wall s | peak memory | events / s | customer-years / CPU s | "
            "fair loop CPU s (peak) | **full ÷ fair per event** | numpy loop CPU s (peak) | full ÷ numpy per event |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in sims:
            anchor = {}
            for lb in ANCHORS:
                anchor[lb] = (
                    (f"{s[f'{lb}_cpu_s']:.2f} ({s[f'{lb}_peak_mib']:.0f} MiB)", f"{s[f'ratio_{lb}_per_event']:.2f}")
                    if f"{lb}_cpu_s" in s
                    else (f"not measured: {s.get(f'{lb}_error', 'older run')}", "–")
                )
            lines.append(
                f"| {s['customers']:,} × {s['days']} | {s.get('measured_at', r.get('date', ''))}, best of {s.get('repeats', 3)} | "
                f"{s['full_cpu_s']:.2f} | "
                f"{_f(s, 'full_wall_s', '.2f')} | {s['peak_mib']:.0f} MiB | {s['events_per_s']:,.0f} | "
                f"{s['customer_years_per_cpu_s']:,.0f} | {anchor['fair'][0]} | **{anchor['fair'][1]}** | "
                f"{anchor['numpy'][0]} | {anchor['numpy'][1]} |"
            )
    ins = r.get("instructions")
    if ins:
        lines += ["", f"Instructions per event (valgrind callgrind, deterministic; {ins['customers']:,} customers × 730 "
                      f"days, measured {ins.get('measured_at', '')}): full model {ins['full']['per_event']:,.0f}"]  # fmt: skip
        for lb in ANCHORS:
            if lb in ins:
                lines[-1] += (
                    f"; {lb} loop {ins[lb]['per_event']:,.0f} (full ÷ {lb} = {ins[f'ratio_{lb}_per_event']:.2f})"
                )
        extra = [f"`{k[5:]}` {v['per_event']:,.0f}" for k, v in ins.items() if k.startswith("full_")]
        lines[-1] += ("; full model with the mechanisms on: " + ", ".join(extra) if extra else "") + "."
    d = r.get("desk", {})
    if d:
        lines += [
            "",
            "| desk load | peak backlog | µs per ticket, PriorityStore + agents (ours) | µs per ticket, PriorityResource |",
            "|---|---|---|---|",
        ]
        for label, v in d.items():
            if isinstance(v, dict):
                lines.append(
                    f"| {label} (ρ = {v['rho']}) | {v['peak_backlog']:,} | {v['us_per_ticket_store']:.1f} | {v['us_per_ticket_priority_resource']:.1f} |"
                )
    a = r.get("analysis", {})
    if a:
        lines += ["", f"- BG/NBD + Gamma-Gamma fit on {a['fit_customers']:,} customers: {a['bgnbd_gg_fit_s']:.2f} CPU s",
                  f"- RFM table + scores on {a['rfm_orders']:,} orders: {a['rfm_1m_orders_s']:.2f} CPU s"]  # fmt: skip
    if r.get("engines"):
        lines += ["", r["engines"].get("markdown", "")]
    if r.get("dedup"):
        from dedup import render as render_dedup  # issue 16: clean + de-duplicate CRM records

        lines += ["", render_dedup(r["dedup"])]
    s = r.get("suite")
    if s:
        c = s.get("counts", {})
        counts = ", ".join(f"{v:,} {k}" for k, v in c.items()) or "no pytest summary line (see the log)"
        lines += ["", f"Test suite: `{s['command']}` on {s['cores']} cores, measured {s['measured_at']}: "
                      f"**{s['wall_s'] / 60:.1f} min** wall ({s['wall_s']:.0f} s); {counts}; exit code {s['exit_code']}."]  # fmt: skip
    installs = [k for k in ("install", "install_lab") if r.get(k)]  # issue 16: `make test`'s and `make lab`'s
    if installs:
        from install_time import render as render_install

        lines += ["", *(render_install(r[k]) for k in installs)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
