"""The simulator: determinism, tables as documented, truth kept from the firm, BTYD closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import hyp2f1

import sim
from sim.errors import LatentAccessError
from sim.schema import LATENT_EVENTS, TABLES, columns, observed_columns


def _bgnbd_expected(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)] of BG/NBD (Fader, Hardie & Lee 2005, eq. 7)."""
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


# ---------------------------------------------------------------- determinism
def test_same_seed_gives_identical_tables():
    a = sim.run("baseline", customers=800, days=365, seed=4)
    b = sim.run("baseline", customers=800, days=365, seed=4)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
    pd.testing.assert_series_equal(a.kpis(), b.kpis())


def test_different_seeds_give_different_tables():
    a = sim.run("baseline", customers=800, days=365, seed=4)
    b = sim.run("baseline", customers=800, days=365, seed=5)
    assert not a.orders["amount"].equals(b.orders["amount"])
    assert not a.customers["true_purchase_rate"].equals(b.customers["true_purchase_rate"])


# ---------------------------------------------------------------- tables
def test_tables_have_exactly_the_documented_columns(baseline_small):
    for name, df in baseline_small.tables.items():
        assert list(df.columns) == columns(name), name
        for col, spec in TABLES[name].items():
            assert str(df[col].dtype).startswith(spec.dtype.split("[")[0]) or (
                spec.dtype == "string" and str(df[col].dtype) in ("string", "str")
            ), (name, col, df[col].dtype)


def test_tables_are_consistent_with_each_other(baseline_small):
    res = baseline_small
    c, o, tk, sv = res.customers, res.orders, res.tickets, res.surveys
    assert c["customer_id"].is_unique and o["order_id"].is_unique and tk["ticket_id"].is_unique
    assert set(o["customer_id"]) <= set(c["customer_id"])
    # every customer's first order is the acquisition order
    first = o[o["is_first"]].set_index("customer_id")["t"].sort_index()
    assert (first.index == c["customer_id"].sort_values().to_numpy()).all()
    np.testing.assert_allclose(first.to_numpy(), c.sort_values("customer_id")["acquired_t"].to_numpy())
    # nobody orders after churning
    churn = c.set_index("customer_id")["true_churn_t"]
    late = o["t"].to_numpy() > churn.reindex(o["customer_id"]).fillna(np.inf).to_numpy()
    assert not late.any()
    # desk times are ordered and SLA flags agree with the targets
    done = tk.dropna(subset=["resolved_t"])
    assert (done["opened_t"] <= done["first_response_t"]).all() and (
        done["first_response_t"] <= done["resolved_t"]
    ).all()
    targets = done["severity"].map({s: v.first_response_h for s, v in res.scenario.desk.sla.items()})
    assert (done["sla_first_response_met"].astype(bool) == (done["wait_h"] <= targets)).all()
    assert set(sv["instrument"]) == {"nps", "csat", "ces"}
    assert sv.loc[sv["instrument"] == "nps", "score"].between(0, 10).all()
    assert sv.loc[sv["instrument"] == "csat", "score"].between(1, 5).all()
    assert sv.loc[sv["instrument"] == "ces", "score"].between(1, 7).all()
    # churn events match the customers table
    ev = res.events
    assert (ev["event"] == "true_churned").sum() == c["true_churn_t"].notna().sum()


def test_observed_view_never_contains_latent_data(baseline_small):
    view = baseline_small.observed()
    for name in TABLES:
        df = getattr(view, name)
        assert list(df.columns) == observed_columns(name)
        assert not any(col.startswith("true_") for col in df.columns)
    assert not view.events["event"].isin(LATENT_EVENTS).any()
    assert len(view.orders) == len(baseline_small.orders)


def test_firm_view_refuses_latent_columns_with_a_clear_error(baseline_small):
    view = baseline_small.observed()
    with pytest.raises(LatentAccessError, match="ground truth"):
        view.customers["true_alive"]
    with pytest.raises(LatentAccessError):
        view.customers[["customer_id", "true_churn_t"]]
    with pytest.raises(LatentAccessError):
        view.true_customers


def test_result_round_trips_through_a_directory(tmp_path, baseline_small):
    path = baseline_small.to_dir(tmp_path / "run")
    back = sim.Result.from_dir(path)
    for name in baseline_small.tables:
        pd.testing.assert_frame_equal(back.tables[name], baseline_small.tables[name], obj=name)
    assert back.scenario == baseline_small.scenario and back.seed == baseline_small.seed
    pd.testing.assert_series_equal(back.kpis(), baseline_small.kpis())


def test_from_dir_on_a_wrong_directory_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="orders.parquet"):
        sim.Result.from_dir(tmp_path)


# ---------------------------------------------------------------- KPIs
def test_kpis_agree_with_the_tables(baseline_small):
    res = baseline_small
    k = res.kpis()
    assert k["orders"] == len(res.orders)
    assert k["revenue"] == pytest.approx(res.orders["amount"].sum())
    assert k["aov"] == pytest.approx(res.orders["amount"].mean())
    assert k["true_churned"] == res.customers["true_churn_t"].notna().sum()
    m = res.kpis(by="month")
    assert len(m) == 24
    assert m["orders"].sum() == len(res.orders)
    assert m["revenue"].sum() == pytest.approx(k["revenue"])
    assert m["customers_acquired"].sum() == len(res.customers)
    assert m["service_cost"].sum() == pytest.approx(k["service_cost"])


def test_nps_kpi_is_promoters_minus_detractors(baseline_small):
    s = baseline_small.surveys
    nps = s.loc[s["instrument"] == "nps", "score"]
    expected = 100 * ((nps >= 9).mean() - (nps <= 6).mean())
    assert baseline_small.kpis()["nps"] == pytest.approx(expected)


def test_baseline_aggregates_are_plausible(baseline_small):
    """The baseline retailer's headline numbers (documented in the README)."""
    k = baseline_small.kpis()
    assert 250 < k["aov"] < 350  # Gamma-Gamma mean order value is 300
    assert 0.3 < k["annual_retention"] < 0.8
    assert 0.4 < k["repeat_rate"] < 0.9
    assert -20 < k["nps"] < 60
    assert 0.02 < k["complaint_rate"] < 0.08


# ---------------------------------------------------------------- BTYD ground truth
@pytest.mark.slow
@pytest.mark.parametrize("t", [30.0, 90.0, 365.0, 730.0])
def test_repeat_purchases_match_the_bgnbd_closed_form(btyd_large, t):
    """Mean repeat purchases by day t equals E[X(t)] within a 99.9% confidence interval."""
    res, pu = btyd_large, btyd_large.scenario.purchase
    repeat = res.orders[~res.orders["is_first"] & (res.orders["t"] <= t)]
    x = repeat.groupby("customer_id").size().reindex(res.customers["customer_id"], fill_value=0)
    se = x.std(ddof=1) / np.sqrt(len(x))
    z = stats.norm.ppf(0.9995)
    expected = _bgnbd_expected(t, pu.r, pu.alpha, pu.a, pu.b)
    assert abs(x.mean() - expected) < z * se, (t, x.mean(), expected, se)


@pytest.mark.slow
def test_bgnbd_check_is_sharp_enough_to_catch_a_wrong_world(btyd_large):
    """The same check rejects a closed form with a 10% different purchase rate (the test can fail)."""
    res, pu = btyd_large, btyd_large.scenario.purchase
    x = (
        res.orders[~res.orders["is_first"]]
        .groupby("customer_id")
        .size()
        .reindex(res.customers["customer_id"], fill_value=0)
    )
    se = x.std(ddof=1) / np.sqrt(len(x))
    wrong = _bgnbd_expected(730.0, pu.r * 1.1, pu.alpha, pu.a, pu.b)
    assert abs(x.mean() - wrong) > stats.norm.ppf(0.9995) * se


@pytest.mark.slow
def test_mean_order_value_matches_gamma_gamma(btyd_large):
    """Per-customer mean order value averages p*gamma/(q-1) (i.i.d. across customers)."""
    res, sp = btyd_large, btyd_large.scenario.spend
    per_customer = res.orders.groupby("customer_id")["amount"].mean()
    expected = sp.p * sp.gamma / (sp.q - 1)
    se = per_customer.std(ddof=1) / np.sqrt(len(per_customer))
    assert abs(per_customer.mean() - expected) < stats.norm.ppf(0.9995) * se
    # and the order values of one customer are Gamma(p, nu_i): E = p / nu_i
    c = res.customers.set_index("customer_id")
    ratio = per_customer / (sp.p / c.loc[per_customer.index, "true_spend_scale"])
    assert abs(ratio.mean() - 1) < 0.02


def test_btyd_only_has_no_mechanisms(btyd_large):
    assert len(btyd_large.tickets) == 0 and len(btyd_large.surveys) == 0
    assert (btyd_large.customers["acquired_t"] == 0).all()
    assert set(btyd_large.customers["true_churn_reason"].dropna()) <= set(sim.schema.CHURN_REASONS) | {""}


def test_dropout_happens_only_after_repeat_purchases(btyd_large):
    """In BG/NBD a customer can only drop out right after a repeat purchase."""
    c = btyd_large.customers
    churned = c.dropna(subset=["true_churn_t"])
    last = btyd_large.orders.groupby("customer_id")["t"].max()
    np.testing.assert_allclose(churned["true_churn_t"].to_numpy(), last.reindex(churned["customer_id"]).to_numpy())
    n_orders = btyd_large.orders.groupby("customer_id").size()
    assert (n_orders.reindex(churned["customer_id"]) >= 2).all()


# ---------------------------------------------------------------- mechanisms
def test_satisfaction_links_purchase_rate_and_dropout():
    """Breaching SLAs (a desk of one with slow handling) lowers satisfaction and raises churn."""
    base = sim.Scenario.load("baseline").updated({"desk.scale_with_customers": False})
    slow = base.updated({"desk.service_time.mean_h": {"P0": 30.0, "P1": 30.0, "P2": 30.0, "P3": 30.0}})
    good = sim.run(base, customers=2000, days=365, seed=2).kpis()
    bad = sim.run(slow, customers=2000, days=365, seed=2).kpis()
    assert bad["sla_met_rate"] < good["sla_met_rate"]
    assert bad["true_churned"] > good["true_churned"]
    assert bad["csat"] < good["csat"]
