"""Experiments: engines agree, intervals cover what they should, CRN pays, sweeps and the CLI work.

Small runs throughout (a few hundred to a thousand customers, 90-365 days): the claims tested
here are about the experiment machinery, not about the size of any policy effect.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import hyp2f1
from typer.testing import CliRunner

import sim
from sim.errors import ConfigError
from sim.experiments import (
    ENGINES,
    compare,
    expand_grid,
    replication_seeds,
    resolve_path,
    summarize,
    sweep,
)
from sim.formatting import format_value
from sim.schema import kpi_unit

SMALL = dict(customers=400, days=180, progress=False)


# ============================================================================ engines
def test_sweep_on_process_pool_matches_local():
    """Runs before the Dask cluster exists, so the pool uses the plain ``fork`` start method on Linux."""
    kw = dict(grid={"desk.cost_per_agent_day": [500.0, 600.0]}, replications=2, seed=3, **SMALL)
    a = sweep("baseline", None, engine="local", **kw)
    b = sweep("baseline", None, engine="process", workers=2, **kw)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


@pytest.fixture(scope="module")
def dask_address():
    """One small Dask LocalCluster for this module (2 worker processes, 1 thread each), closed after."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        yield cluster.scheduler_address


def test_local_process_and_dask_give_identical_replications(dask_address):
    """The same seed gives bit-identical KPIs on every engine: each runs the same plain-dict task."""
    sc = sim.Scenario.load("baseline")
    arms = {"base": None, "costly_desk": (sc.updated({"desk.cost_per_agent_day": 700.0}), None), "svc": "service_first"}
    kw = dict(replications=3, seed=7, **SMALL)
    local = compare(sc, arms, engine="local", **kw)
    proc = compare(sc, arms, engine="process", workers=2, **kw)
    dask = compare(sc, arms, engine="dask", address=dask_address, **kw)
    assert (local.replications.groupby("policy")["revenue"].nunique() == 3).all()  # real numbers, varying by seed
    pd.testing.assert_frame_equal(local.replications, proc.replications, check_exact=True)
    pd.testing.assert_frame_equal(local.replications, dask.replications, check_exact=True)
    pd.testing.assert_frame_equal(local.summary, dask.summary, check_exact=True)
    # and the numbers are those of plain sim.run with the documented replication seeds
    s1 = replication_seeds(7, 3)[1]
    direct = sim.run(sc, customers=400, days=180, seed=s1).kpis()
    row = local.replications.query("policy == 'base' and replication == 1").iloc[0]
    assert row["seed"] == s1
    assert row["revenue"] == direct["revenue"] and row["tickets"] == direct["tickets"]


def test_unknown_engine_and_bad_settings_raise_config_error():
    with pytest.raises(ConfigError, match=r"engine='spark'.*\['local', 'process', 'dask'\]"):
        compare("baseline", ["do_nothing"], replications=2, engine="spark", **SMALL)
    assert ENGINES == ("local", "process", "dask")
    with pytest.raises(ConfigError, match="replications=0"):
        compare("baseline", ["do_nothing"], replications=0, **SMALL)
    with pytest.raises(ConfigError, match="address="):
        compare("baseline", ["do_nothing"], replications=2, engine="process", address="tcp://x:1", **SMALL)
    with pytest.raises(ConfigError, match="workers=0"):
        compare("baseline", ["do_nothing"], replications=2, engine="process", workers=0, **SMALL)
    with pytest.raises(ConfigError, match="unknown KPI"):
        compare("baseline", ["do_nothing"], replications=2, kpis=["revenu"], **SMALL)
    with pytest.raises(ConfigError, match="empty"):
        compare("baseline", {}, replications=2, **SMALL)
    with pytest.raises(ConfigError, match="unknown policy 'no_such_policy'"):
        compare("baseline", {"x": "no_such_policy"}, replications=2, **SMALL)
    with pytest.raises(ConfigError, match="Policy"):
        compare("baseline", {"x": 42}, replications=2, **SMALL)


def test_replication_seeds_are_shared_and_prefix_stable():
    """Replication k has one seed in every arm (CRN); more replications keep the earlier seeds."""
    cmp = compare("baseline", {"a": None, "b": "service_first"}, replications=3, seed=5, **SMALL)
    seeds = cmp.replications.pivot(index="replication", columns="policy", values="seed")
    assert (seeds["a"] == seeds["b"]).all()
    assert seeds["a"].tolist() == replication_seeds(5, 3) == replication_seeds(5, 8)[:3]
    assert replication_seeds(5, 3) != replication_seeds(6, 3)


# ============================================================================ the CI procedure
def test_summarize_matches_a_hand_computed_paired_interval():
    """a = 1, 2, 3 and b = 2, 3.5, 4: paired differences 1, 1.5, 1 (mean 7/6, sd sqrt(1/12))."""
    t = pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2, "x": [1, 2, 3, 2, 3.5, 4.0]})
    s = summarize(t, baseline="a").set_index("policy").loc["b"]
    half = stats.t.ppf(0.975, 2) * math.sqrt(1 / 12) / math.sqrt(3)
    assert s["diff"] == pytest.approx(7 / 6)
    assert s["diff_sd"] == pytest.approx(math.sqrt(1 / 12))
    assert (s["diff_ci_low"], s["diff_ci_high"]) == pytest.approx((7 / 6 - half, 7 / 6 + half))
    assert s["rel_diff"] == pytest.approx((7 / 6) / 2.0)
    tstat = (7 / 6) / (math.sqrt(1 / 12) / math.sqrt(3))
    assert s["p_value"] == pytest.approx(2 * stats.t.sf(tstat, 2))
    mean_half = stats.t.ppf(0.975, 2) * np.std([2, 3.5, 4.0], ddof=1) / math.sqrt(3)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((19 / 6 - mean_half, 19 / 6 + mean_half))
    # a loss that grows: relative difference keeps the sign of the difference (-1 / |-2| = -50%)
    t["loss"] = [-1.0, -2.0, -3.0, -2.0, -3.0, -4.0]
    assert summarize(t, baseline="a").set_index(["policy", "kpi"]).loc[("b", "loss"), "rel_diff"] == pytest.approx(-0.5)


def test_summarize_agrees_with_statsmodels_and_handles_nan():
    sm = pytest.importorskip("statsmodels.stats.weightstats")
    rng = np.random.default_rng(0)
    a = rng.normal(10, 2, 12)
    b = a + rng.normal(0.5, 1, 12)
    b[3] = np.nan  # e.g. no P0 ticket in that replication: the pair is left out
    t = pd.DataFrame({"policy": ["a"] * 12 + ["b"] * 12, "replication": list(range(12)) * 2, "k": np.r_[a, b]})
    s = summarize(t, baseline="a").set_index("policy").loc["b"]
    keep = ~np.isnan(b)
    d = b[keep] - a[keep]
    assert s["n"] == 11 and s["n_pairs"] == 11
    assert (s["diff_ci_low"], s["diff_ci_high"]) == pytest.approx(sm.DescrStatsW(d).tconfint_mean(0.05))
    welch = sm.CompareMeans(sm.DescrStatsW(b[keep]), sm.DescrStatsW(a)).tconfint_diff(0.05, usevar="unequal")
    assert (s["welch_ci_low"], s["welch_ci_high"]) == pytest.approx(welch)


def test_paired_and_mean_intervals_cover_a_known_effect_95_percent_of_the_time():
    """Coverage check of the CI procedure itself, on synthetic KPIs with a known effect.

    2 000 independent experiments (one KPI column each), 8 replications per arm. Each
    replication has a shared component (what CRN shares: customers, shocks) plus arm-specific
    noise; arm b adds a true effect of 1.5. The 95% paired interval must cover 1.5, the mean
    interval of a its true mean 10, and the Welch interval 1.5 as well, in about 95% of the
    experiments: the count must lie in the central 99.9% of Binomial(2000, 0.95).
    """
    rng = np.random.default_rng(2024)
    n_exp, n_rep, effect = 2000, 8, 1.5
    shared = rng.normal(0, 3, (n_rep, n_exp))
    a = 10 + shared + rng.normal(0, 1, (n_rep, n_exp))
    b = 10 + effect + shared + rng.normal(0, 1, (n_rep, n_exp))
    cols = [f"k{j}" for j in range(n_exp)]
    t = pd.concat(
        [
            pd.DataFrame(a, columns=cols).assign(policy="a", replication=range(n_rep)),
            pd.DataFrame(b, columns=cols).assign(policy="b", replication=range(n_rep)),
        ],
        ignore_index=True,
    )
    s = summarize(t, baseline="a", kpis=cols)
    sb, sa = s[s["policy"] == "b"], s[s["policy"] == "a"]
    lo, hi = stats.binom.ppf([0.0005, 0.9995], n_exp, 0.95)
    paired = int(((sb["diff_ci_low"] <= effect) & (effect <= sb["diff_ci_high"])).sum())
    means = int(((sa["ci_low"] <= 10) & (10 <= sa["ci_high"])).sum())
    welch = int(((sb["welch_ci_low"] <= effect) & (effect <= sb["welch_ci_high"])).sum())
    assert lo <= paired <= hi, (paired, lo, hi)
    assert lo <= means <= hi, means
    assert welch >= lo, welch  # Welch is valid (conservative when arms are positively correlated)
    # ... and the paired interval is the tighter one: sd of differences sqrt(2) vs sqrt(2 * 10) per arm pair
    assert (sb["diff_ci_high"] - sb["diff_ci_low"]).median() < 0.5 * (sb["welch_ci_high"] - sb["welch_ci_low"]).median()


def test_compare_recovers_an_exact_effect_in_closed_form_on_the_simulator():
    """Scaling the Gamma-Gamma rate ``spend.gamma`` by 1.1 multiplies revenue by exactly 1.1 under CRN.

    Why: each customer's spend rate is drawn as ``nu = Gamma(q) / gamma`` (NumPy scales one
    standard-gamma draw) and each order value is ``Gamma(p) / nu``, from streams no other part
    of the world reads. In ``btyd_only`` nothing feeds order values back into behaviour, so with
    the same seed the same orders happen at the same times and every amount is 1.1 times larger.
    So per replication ``revenue_b = 1.1 revenue_a`` and the relative difference is exactly 0.1.

    The *expected* difference is known in closed form too: all n customers arrive at day 0 and
    order once, then make ``E[X(T)]`` BG/NBD repeat orders (Fader, Hardie & Lee 2005, eq. 7), each
    worth ``p gamma / (q - 1)`` on average, so ``E[revenue_a] = n (1 + E[X(T)]) p gamma / (q - 1)``
    and ``E[diff] = 0.1 E[revenue_a]``. The 95% paired interval must cover it (and the mean
    interval of the baseline must cover ``E[revenue_a]``).
    """
    sc = sim.Scenario.load("btyd_only")
    n, T = 1000, 365.0
    cmp = compare(
        sc,
        {"a": None, "b": (sc.updated({"spend.gamma": sc.spend.gamma * 1.1}), None)},
        replications=20,
        seed=11,
        customers=n,
        days=T,
        kpis=["revenue", "orders"],
        progress=False,
    )
    wide = cmp.replications.pivot(index="replication", columns="policy", values=["revenue", "orders"])
    assert (wide["orders"]["a"] == wide["orders"]["b"]).all()
    np.testing.assert_allclose(wide["revenue"]["b"] / wide["revenue"]["a"], 1.1, rtol=1e-12)

    pu, sp = sc.purchase, sc.spend
    ex = (
        (pu.a + pu.b - 1)
        / (pu.a - 1)
        * (1 - (pu.alpha / (pu.alpha + T)) ** pu.r * hyp2f1(pu.r, pu.b, pu.a + pu.b - 1, T / (pu.alpha + T)))
    )
    expected_revenue = n * (1 + ex) * sp.p * sp.gamma / (sp.q - 1)
    s = cmp.summary.set_index(["policy", "kpi"])
    rb, ra = s.loc[("b", "revenue")], s.loc[("a", "revenue")]
    assert rb["rel_diff"] == pytest.approx(0.1, rel=1e-10)
    assert rb["diff_ci_low"] <= 0.1 * expected_revenue <= rb["diff_ci_high"]
    assert ra["ci_low"] <= expected_revenue <= ra["ci_high"]
    assert s.loc[("b", "orders"), "diff"] == 0 and math.isnan(s.loc[("b", "orders"), "p_value"])


def test_a_deterministic_cost_change_has_an_exact_zero_width_interval():
    """Raising ``desk.cost_per_agent_day`` by X adds exactly X x agents x days to service cost.

    Cost does not feed back into customer behaviour, so under CRN every other KPI is unchanged
    and the paired interval of the service-cost difference has zero width at X x agents x days.
    Agents: ``desk.agents = 1`` per 5 000 customers; 400 customers staff 400 / 5 000 = 0.08 of that
    desk (a shared desk, :func:`sim.world.model.desk_share`), so the difference is X x 0.08 x days.
    """
    sc = sim.Scenario.load("baseline")
    x, days = 125.0, 90.0
    cmp = compare(
        sc,
        {"a": None, "b": (sc.updated({"desk.cost_per_agent_day": 600.0 + x}), None)},
        replications=3,
        seed=1,
        customers=400,
        days=days,
        progress=False,
    )
    s = cmp.summary.set_index(["policy", "kpi"])
    r = s.loc[("b", "service_cost")]
    agents = sc.desk.agents * 400 / sc.population.customers  # 0.08 agent-days per day
    assert r["diff"] == pytest.approx(x * agents * days, rel=1e-12)
    assert r["diff_ci_low"] == r["diff_ci_high"] == r["diff"]
    assert r["p_value"] == 0.0
    assert s.loc[("b", "profit"), "diff"] == pytest.approx(-x * agents * days)
    for k in ("orders", "revenue", "tickets", "true_alive", "mean_wait_h", "sla_met_rate"):
        assert s.loc[("b", k), "diff"] == 0.0, k


# ============================================================================ CRN
def test_common_random_numbers_make_paired_intervals_tighter_than_unpaired():
    """One agent vs two at a busy desk (fixed staffing, many complaints): revenue differs only a
    little, through satisfaction after SLA breaches, while it varies a lot between replications.
    With common random numbers the paired interval of the revenue difference is far tighter than
    Welch's. Control: pairing runs that do NOT share seeds (arm b from another master seed) gives
    no such gain — the tightening comes from CRN, not from the formula.
    """
    sc = sim.Scenario.load("baseline").updated(
        {"desk.scale_with_customers": False, "complaints.complaint_prob_ok": 0.3}
    )
    two = sc.updated({"desk.agents": 2})
    kw = dict(replications=8, customers=800, days=180, kpis=["revenue", "profit", "mean_wait_h"], progress=False)
    crn = compare(sc, {"one": (sc, None), "two": (two, None)}, seed=3, **kw)
    w = crn.unpaired_ci(["revenue", "profit"]).set_index("kpi")
    assert (w["width_ratio"] < 0.6).all(), w
    assert (
        crn.summary.set_index(["policy", "kpi"]).loc[("two", "mean_wait_h"), "diff_ci_high"] < 0
    )  # more agents, shorter waits

    other = compare(sc, {"two": (two, None)}, seed=4, **kw).replications
    mixed = pd.concat([crn.replications[crn.replications["policy"] == "one"], other], ignore_index=True)
    s = summarize(mixed, baseline="one", kpis=["revenue", "profit"]).set_index(["policy", "kpi"])
    ratio = (s["diff_ci_high"] - s["diff_ci_low"]) / (s["welch_ci_high"] - s["welch_ci_low"])
    assert (ratio.loc["two"] > 0.6).all(), ratio


# ============================================================================ plots, files, report
def test_plot_report_and_files(tmp_path):
    sc = sim.Scenario.load("baseline")
    cmp = compare(
        sc,
        {"do_nothing": "do_nothing", "dearer_desk": (sc.updated({"desk.cost_per_agent_day": 700.0}), None)},
        replications=2,
        seed=2,
        **SMALL,
    )
    fig = cmp.plot(["service_cost", "mean_wait_h"])
    assert [ax.get_xlabel() for ax in fig.axes] == ["Δ service_cost (CNY)", "Δ mean_wait_h (hours)"]
    assert all(ax.get_title() for ax in fig.axes) and "do_nothing" in fig._suptitle.get_text()
    with pytest.raises(ConfigError, match="not computed"):
        cmp.plot(["no_such_kpi"])

    out = cmp.to_dir(tmp_path / "cmp")
    for name in ("replications", "summary"):
        df = getattr(cmp, name)
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"), df, check_dtype=False)
        csv = pd.read_csv(out / f"{name}.csv")
        assert list(csv.columns) == list(df.columns) and len(csv) == len(df)
        np.testing.assert_allclose(
            csv["revenue" if name == "replications" else "mean"], df["revenue" if name == "replications" else "mean"]
        )
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "How to read this" in html and "common random numbers" in html
    assert "data:image/png;base64," in html and "<script" not in html
    assert "desk.cost_per_agent_day: 600.0 → 700.0" in html  # the scenario variant is spelled out
    base_rev = cmp.summary.set_index(["policy", "kpi"]).loc[("do_nothing", "revenue"), "mean"]
    assert format_value(base_rev, "CNY") in html
    agents = sc.desk.agents * SMALL["customers"] / sc.population.customers  # a shared desk: 0.08 agent
    assert (
        format_value(100.0 * agents * SMALL["days"], "CNY", signed=True) in html
    )  # service cost Δ: 100 CNY x agents x days


def test_units_and_formatting():
    assert kpi_unit("profit", "EUR") == "EUR" and kpi_unit("sla_met_P3") == "share" and kpi_unit("nope") == ""
    assert format_value(0.25, "share") == "25.0%" and format_value(-0.031, "share", signed=True) == "-3.1 pp"
    assert format_value(12345.6, "CNY", signed=True) == "+12,346" and format_value(0.01234, "hours") == "0.0123"


# ============================================================================ sweep
def test_grid_paths_resolve_by_top_level_key():
    assert resolve_path("desk.agents") == ("scenario", "desk.agents")
    assert resolve_path("scenario.desk.agents") == ("scenario", "desk.agents")
    assert resolve_path("service.extra_agents") == ("policy", "service.extra_agents")
    assert resolve_path("policy.name") == ("policy", "name")
    with pytest.raises(ConfigError, match="ambiguous"):
        resolve_path("name")
    with pytest.raises(
        ConfigError, match=r"unknown grid path 'dsk.agents'.*scenario keys: .*'desk'.*policy keys: .*'service'"
    ):
        resolve_path("dsk.agents")


def test_sweep_runs_the_cartesian_product_with_shared_seeds():
    sc = sim.Scenario.load("baseline")
    sw = sweep(
        sc,
        "do_nothing",
        grid={"desk.cost_per_agent_day": [500.0, 800.0], "policy.budget.period_days": [30.0, 60.0, 90.0]},
        replications=2,
        seed=9,
        **SMALL,
    )
    assert len(sw.table) == 2 * 3 * 2 and sw.table["point"].nunique() == 6
    combos = sw.table[["desk.cost_per_agent_day", "policy.budget.period_days"]].drop_duplicates()
    assert combos.values.tolist() == [
        [500.0, 30.0],
        [500.0, 60.0],
        [500.0, 90.0],
        [800.0, 30.0],
        [800.0, 60.0],
        [800.0, 90.0],
    ]
    assert (sw.table.groupby("replication")["seed"].nunique() == 1).all()  # CRN across grid points
    # the scenario value was applied: service cost = cost x agents x 180 days, row by row
    agents = sc.desk.agents * SMALL["customers"] / sc.population.customers  # a shared desk: 0.08 agent
    np.testing.assert_allclose(sw.table["service_cost"], sw.table["desk.cost_per_agent_day"] * agents * 180, rtol=1e-12)
    s = sw.summary[sw.summary["kpi"] == "service_cost"]
    np.testing.assert_allclose(s["mean"], [500.0 * agents * 180] * 3 + [800.0 * agents * 180] * 3, rtol=1e-12)
    ax = sw.plot("service_cost", x="policy.budget.period_days")
    assert ax.get_xlabel() == "policy.budget.period_days" and ax.get_ylabel() == "service_cost (CNY)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["desk.cost_per_agent_day=500.0", "desk.cost_per_agent_day=800.0", "95% CI"]  # one line per value


def test_expand_grid_applies_policy_values_and_validates_up_front():
    sc = sim.Scenario.load("baseline")
    points, arms = expand_grid(sc, None, {"service.extra_agents": [0, 2]})
    assert [p.service.extra_agents for _, p in arms] == [0, 2]  # base policy do_nothing when none given
    assert points == [{"service.extra_agents": 0}, {"service.extra_agents": 2}]
    with pytest.raises(ConfigError, match=r"desk\.agents.*-1"):
        sweep(sc, None, grid={"desk.agents": [1, -1]}, replications=1, **SMALL)
    with pytest.raises(ConfigError, match=r"unknown scenario field 'desk.agentz'"):
        sweep(sc, None, grid={"desk.agentz": [1]}, replications=1, **SMALL)
    with pytest.raises(ConfigError, match="grid is empty"):
        sweep(sc, None, grid={}, replications=1, **SMALL)
    with pytest.raises(ConfigError, match=r"grid\['desk.agents'\] is empty"):
        sweep(sc, None, grid={"desk.agents": []}, replications=1, **SMALL)
    with pytest.raises(ConfigError, match="non-empty list"):
        sweep(sc, None, grid={"desk.agents": "12"}, replications=1, **SMALL)


# ============================================================================ CLI
def test_cli_compare_and_sweep_write_files_and_print_tables(tmp_path):
    from sim.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "compare",
            "--scenario",
            "baseline",
            "--policy",
            "do_nothing",
            "--policy",
            "service_first",
            "-r",
            "2",
            "--customers",
            "300",
            "--days",
            "90",
            "--seed",
            "1",
            "--no-progress",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert res.exit_code == 0, res.output
    names = {p.name for p in (tmp_path / "c").iterdir()}
    assert {"replications.csv", "replications.parquet", "summary.csv", "summary.parquet", "report.html"} <= names
    summ = pd.read_parquet(tmp_path / "c" / "summary.parquet").set_index(["policy", "kpi"])
    assert format_value(summ.loc[("do_nothing", "revenue"), "mean"], "CNY") in res.output
    assert "service_first" in res.output and "revenue" in res.output

    res = runner.invoke(
        app,
        [
            "sweep",
            "--scenario",
            "baseline",
            "--grid",
            "desk.cost_per_agent_day=500,700",
            "--grid",
            "policy.service.extra_agents=0",
            "-r",
            "2",
            "--customers",
            "300",
            "--days",
            "90",
            "--kpi",
            "service_cost",
            "--no-progress",
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert {"table.csv", "table.parquet", "summary.csv", "report.html"} <= {p.name for p in (tmp_path / "s").iterdir()}
    table = pd.read_csv(tmp_path / "s" / "table.csv")
    assert sorted(table["desk.cost_per_agent_day"].unique()) == [500, 700]
    agents = 300 / sim.Scenario.load("baseline").population.customers  # 1 agent per 5 000 customers, shared
    for cost in (500, 700):  # CNY per agent-day x agents x 90 days
        assert format_value(cost * agents * 90, "CNY") in res.output

    res = runner.invoke(app, ["sweep", "--grid", "desk.agents:1,2"])
    assert res.exit_code == 2 and "--grid" in res.output and "no '='" in res.output
    res = runner.invoke(app, ["sweep", "--grid", "desk.agents=1,,2"])
    assert res.exit_code == 2 and "empty value" in res.output
    res = runner.invoke(app, ["compare", "--policy", "do_nothing", "--engine", "spark"])
    assert res.exit_code == 2 and "spark" in res.output


@pytest.mark.parametrize("bad", [95, 0.0, 1.0, -0.5, True, "0.95", float("nan")])
def test_compare_sweep_and_summarize_refuse_a_bad_confidence_level(bad):
    table = pd.DataFrame({"policy": ["a", "a"], "replication": [0, 1], "x": [1.0, 2.0]})
    with pytest.raises(ConfigError, match=r"confidence=.* is not allowed: give a confidence level strictly between"):
        summarize(table, confidence=bad)
    with pytest.raises(ConfigError, match="confidence="):
        compare("baseline", ["do_nothing"], replications=2, confidence=bad, **SMALL)
    with pytest.raises(ConfigError, match="confidence="):
        sweep("baseline", None, grid={"desk.agents": [1]}, replications=2, confidence=bad, **SMALL)
