"""The tables and KPIs issue 12 added: round trip, the firm's view, older folders, margin and referral KPIs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim._atomic import atomic_dir
from sim.errors import DataError, LatentAccessError
from sim.results.result import OLDER_TABLES, RESULT_FILES
from sim.schema import LATENT_PREFIX, LATENT_TABLES, TABLE_NAMES, columns, observed_tables


@pytest.fixture(scope="module")
def retail_run() -> sim.Result:
    # catalogue, archetypes, survey modes, snapshots ... on: the new columns hold values, not only "off" defaults
    sc = sim.Scenario.load("retail")
    assert sc.catalogue.enabled and sc.archetypes.enabled and sc.satisfaction.snapshot_days > 0
    return sim.run(sc, customers=400, days=200, seed=4)


@pytest.fixture(scope="module")
def baseline_run() -> sim.Result:
    return sim.run("baseline", customers=400, days=200, seed=4)


def test_every_table_round_trips_exactly(tmp_path, retail_run):
    res = retail_run
    assert {"funnel", "snapshots"} <= set(TABLE_NAMES) and list(res.tables) == list(TABLE_NAMES)
    assert len(res.funnel) > 0 and (res.orders["category"] != "").all()
    back = sim.Result.from_dir(res.to_dir(tmp_path / "run"))
    for name in TABLE_NAMES:
        assert list(back.tables[name].columns) == columns(name), name
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], obj=name)
    assert {f"{n}.parquet" for n in TABLE_NAMES} <= {p.name for p in (tmp_path / "run").iterdir()}


def test_an_older_result_folder_is_refused_with_a_clear_message(tmp_path, baseline_run):
    res = baseline_run
    old_cols = {t: [c for c in columns(t) if c not in _added_columns()] for t in OLDER_TABLES}
    folder = tmp_path / "old"
    with atomic_dir(folder, kind="result", seed=res.seed, legacy=RESULT_FILES) as tmp:
        for t in OLDER_TABLES:
            res.tables[t][old_cols[t]].to_parquet(tmp / f"{t}.parquet", index=False)
        (tmp / "scenario.yaml").write_text(res.scenario.to_yaml(), encoding="utf-8")
        meta = {"seed": res.seed, "agents": res.agents, "retention_lab_version": "0.9", "info": {}, "policy": None}
        (tmp / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(DataError, match=r"older Retention Lab \(version 0\.9\).*funnel\.parquet.*re-run"):
        sim.Result.from_dir(folder)


def _added_columns() -> set[str]:
    return {
        "business", "plan", "true_archetype", "true_top_category", "true_cancel_prob", "true_clv", "true_stage",
        "category", "basket", "margin", "mode", "channel", "comment", "true_satisfaction",
    }  # fmt: skip


def test_a_result_from_tables_without_the_new_ones_has_them_empty(baseline_run):
    old = {n: baseline_run.tables[n] for n in OLDER_TABLES}
    res = sim.Result(**old, scenario=baseline_run.scenario, seed=1, agents=1.0)
    assert len(res.funnel) == 0 and list(res.funnel.columns) == columns("funnel")
    assert str(res.funnel["leads"].dtype) == "int64"


def test_the_firms_view_has_no_latent_table_or_column(retail_run):
    view = retail_run.observed()
    assert set(observed_tables()) == set(TABLE_NAMES) - LATENT_TABLES and "snapshots" in LATENT_TABLES
    for name in observed_tables():
        df = getattr(view, name)
        assert not any(c.startswith(LATENT_PREFIX) for c in df.columns), name
    assert len(retail_run.snapshots) > 0  # the retail world takes satisfaction snapshots ...
    for name in LATENT_TABLES:  # ... the firm's view holds none of them: no row, no column
        latent = getattr(view, name)
        assert latent.shape == (0, 0), name
        with pytest.raises(LatentAccessError, match="ground truth"):
            latent["true_satisfaction"]
    # the new observed columns are copied, the new truth columns are not
    assert {"business", "plan"} <= set(view.customers.columns)
    assert {"category", "basket", "margin"} <= set(view.orders.columns)
    with pytest.raises(LatentAccessError):
        view.customers["true_clv"]
    pd.testing.assert_frame_equal(pd.DataFrame(view.funnel), retail_run.funnel)


# ---------------------------------------------------------------- KPIs
def test_gross_margin_is_revenue_times_the_margin_rate_when_the_catalogue_is_off(baseline_run):
    res = baseline_run
    k, rate = res.kpis(), res.scenario.margin_rate
    assert k["gross_margin"] == pytest.approx(k["revenue"] * rate, rel=1e-12)
    np.testing.assert_allclose(res.orders["margin"], res.orders["amount"] * rate, rtol=1e-15)
    m = res.kpis(by="month")
    np.testing.assert_allclose(m["gross_margin"], m["revenue"] * rate, rtol=1e-12)
    assert k["profit"] == pytest.approx(
        k["gross_margin"] - k["acquisition_cost"] - k["service_cost"] - k["retention_cost"]
    )


def test_gross_margin_follows_the_categories_with_the_catalogue_on(retail_run):
    res = retail_run
    cats = res.scenario.catalogue.categories
    rate = res.orders["category"].map({k: c.margin_rate for k, c in cats.items()}).to_numpy(dtype=float)
    np.testing.assert_allclose(res.orders["margin"], res.orders["amount"] * rate, rtol=1e-12)
    assert res.kpis()["gross_margin"] == pytest.approx(float(res.orders["margin"].sum()))
    # categories' margins differ, so the catalogue really moves the margin away from revenue x rate
    assert abs(res.kpis()["gross_margin"] / res.kpis()["revenue"] - res.scenario.margin_rate) > 1e-3


def test_referral_rate_counts_referred_customers(baseline_run):
    res = baseline_run
    k = res.kpis()
    referred = int((res.events["event"] == "referred").sum())
    assert referred > 0
    assert k["referral_rate"] == pytest.approx(referred / len(res.customers))
    assert k["n_referral_rate"] == len(res.customers)
    m = res.kpis(by="month")
    per_month = res.customers.groupby(res.customers["acquired_date"].dt.to_period("M"))["channel"]
    expected = per_month.apply(lambda s: float((s == "referral").mean()))
    np.testing.assert_allclose(m["referral_rate"].reindex(expected.index), expected)
    off = sim.run(res.scenario.updated({"population.referral.enabled": False}), customers=400, days=200, seed=4)
    assert off.kpis()["referral_rate"] == 0.0
