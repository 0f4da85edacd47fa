"""The benchmarks measure what they say: the anchors do the full model's work, the report adds up.

No timing is asserted anywhere (timings live in ``benchmarks/results.json``). What is checked:

* the two bare SimPy loops of ``benchmarks/bare_simpy.py`` (the fair one drawing with the standard
  library's ``random``, the other with NumPy) produce the same orders and handled tickets per
  customer as each other and as the full model's ``baseline``, within sampling error — so
  "full ÷ bare per event" compares the same work;
* ``benchmarks/run.py`` takes the best of the interleaved runs, computes the per-event ratios
  from them, says why an anchor is missing, and reads pytest's summary line;
* ``benchmarks/install_time.py`` groups a site-packages folder by distribution.
"""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.world.simulate import desk_agents

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    """Import ``benchmarks/<name>.py`` under a private module name (``run`` is too generic to register)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # run.py imports its siblings (bare_simpy, dedup) by plain name
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bare = _load("bare_simpy")
run = _load("run")


# 20k customers: at this size a 4-standard-error band is about 5% of the mean orders per customer,
# narrow enough to catch a loop with the wrong dropout rule (plain BG/NBD in place of baseline's
# MBG/NBD gives 8% more orders); at 4k customers the band would let that through.
N, SEED, DAYS = 20_000, 3, 730.0


@pytest.fixture(scope="module")
def full_baseline() -> dict:
    """Orders and handled tickets per paid customer of the full model (referred customers excluded)."""
    res = sim.run("baseline", customers=N, days=DAYS, seed=SEED)
    paid = res.customers.loc[res.customers["channel"] != "referral", "customer_id"]
    assert len(paid) == N
    orders = res.orders.groupby("customer_id").size().reindex(paid, fill_value=0).to_numpy()
    handled = res.tickets[res.tickets["resolved_t"].notna()]
    tickets = handled.groupby("customer_id").size().reindex(paid, fill_value=0).to_numpy()
    return {"orders": orders, "tickets": tickets}


@pytest.fixture(scope="module")
def bare_counts() -> dict:
    sc = sim.Scenario.load("baseline")
    agents = desk_agents(sc, N)
    return {
        "fair": bare.run_bare_stdlib(sc, N, DAYS, SEED, agents),
        "numpy": bare.run_bare_numpy(sc, N, DAYS, SEED, agents),
    }


@pytest.mark.slow
@pytest.mark.parametrize("what", ["orders", "tickets"])
def test_bare_loops_and_full_model_do_the_same_work_per_customer(full_baseline, bare_counts, what):
    """Per-customer means agree within 4 standard errors (the full model's spread between customers)."""
    per = full_baseline[what]
    se = per.std(ddof=1) / np.sqrt(N)  # one run's standard error; each loop has the same customers' spread
    band = 4 * np.sqrt(2) * se  # a difference of two independent means
    means = {"full": per.mean(), **{k: v[what] / N for k, v in bare_counts.items()}}
    for a, b in (("fair", "full"), ("numpy", "full"), ("fair", "numpy")):
        assert abs(means[a] - means[b]) < band, (
            f"{what} per customer: {a} {means[a]:.4f} vs {b} {means[b]:.4f} (band {band:.4f})"
        )


def test_the_fair_loop_is_seeded():
    sc = sim.Scenario.load("baseline")
    one = bare.run_bare_stdlib(sc, 500, 365.0, 7, 1)
    assert one == bare.run_bare_stdlib(sc, 500, 365.0, 7, 1)
    assert one != bare.run_bare_stdlib(sc, 500, 365.0, 8, 1)


def test_plain_bgnbd_keeps_one_time_buyers_and_gives_more_orders():
    """The loops follow the scenario's dropout rule: without dropout after the first order, more orders."""
    mbg = sim.Scenario.load("baseline")
    plain = mbg.updated({"purchase.dropout_after_first": False})
    for loop in (bare.run_bare_stdlib, bare.run_bare_numpy):
        assert loop(plain, 3000, DAYS, 1, 1)["orders"] > 1.03 * loop(mbg, 3000, DAYS, 1, 1)["orders"]


def test_simulator_rows_take_the_best_interleaved_run_and_the_per_event_ratio(monkeypatch):
    calls = []
    cpu = {"full": [3.0, 2.0, 2.5], "bare_stdlib": [1.2, 1.0, 1.1], "bare_numpy": []}

    def fake_measure(kind, **args):
        calls.append(kind)
        if kind == "bare_numpy":
            raise RuntimeError("bare_numpy failed (exit -9):\nMemoryError")
        k = sum(c == kind for c in calls) - 1
        events = 1000 if kind == "full" else 800
        return {"cpu_s": cpu[kind][k], "wall_s": 9.0, "orders": events - 10, "tickets": 10, "events": events,
                "peak_mib": 100.0, "import_mib": 10.0, "customer_years": 50.0}  # fmt: skip

    monkeypatch.setattr(run, "measure", fake_measure)
    (row,) = run.bench_simulator([1000], repeats=3, progress=lambda line: None)
    # interleaved: full, fair, numpy, full, fair, full, fair (numpy is not retried after failing)
    assert calls == ["full", "bare_stdlib", "bare_numpy", "full", "bare_stdlib", "full", "bare_stdlib"]
    assert row["full_cpu_s"] == 2.0 and row["fair_cpu_s"] == 1.0
    assert row["ratio_fair_per_event"] == pytest.approx((2.0 / 1000) / (1.0 / 800))
    assert "numpy_cpu_s" not in row and row["numpy_error"] == "MemoryError"
    md = run.render({"simulator": [row]})
    assert "**1.60**" in md and "not measured: MemoryError" in md


def test_pytest_summary_counts():
    text = "....\n===== 2 failed, 7,950 passed, 1 error in 12.00s =====\n".replace("7,950", "7950")
    assert run.parse_pytest_summary(text) == {"failed": 2, "passed": 7950, "errors": 1}
    assert run.parse_pytest_summary("interrupted, no summary") == {}


def test_suite_measurement_runs_pytest_and_reads_its_counts(tmp_path, capsys):
    """The suite row runs pytest in a subprocess; here on one quick test of this file."""
    cmd = ["-m", "pytest", "-p", "no:cacheprovider", "-n", "0", __file__, "-k", "pytest_summary_counts"]
    res = run.bench_suite(progress=lambda line: None, command=cmd, log=tmp_path / "suite.log")
    assert res["exit_code"] == 0 and res["counts"]["passed"] == 1 and res["counts"]["deselected"] >= 5
    assert res["wall_s"] > 0 and "pytest_summary_counts" in res["command"]


def test_install_time_groups_site_packages_by_distribution(tmp_path):
    it = _load("install_time")
    site = tmp_path / "site-packages"
    for name, size in (("numpy", 3000), ("numpy.libs", 1000), ("pandas", 2000), ("six.py", 100)):
        path = site / name
        if name.endswith(".py"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * size)
        else:
            path.mkdir(parents=True)
            (path / "f.bin").write_bytes(b"x" * size)
    info = site / "numpy-2.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("numpy/f.bin,,\nnumpy.libs/f.bin,,\nnumpy-2.0.dist-info/RECORD,,\n")
    sizes = it.package_sizes(site)
    assert sizes["numpy"] >= 4000 and sizes["pandas"] >= 2000 and sizes["six"] >= 100
    assert next(iter(sizes)) == "numpy"  # largest first


@pytest.mark.parametrize("name", ["bare_simpy", "run"])
def test_benchmark_docstring_examples(name):
    """``benchmarks/`` is outside the suite's doctest paths: run its examples here."""
    mod = _load(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
