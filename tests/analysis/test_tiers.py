"""Value tiers: the customer pyramid by revenue share or by quantile, and tier migration.

Expected tiers are worked out by hand from the definitions in ``sim/analysis/tiers.py``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.analysis import tiers
from sim.errors import DataError


def test_share_tiers_hand_computed():
    # total 1000; sorted: 400 (before 0%), 250 (40%), 150 (65%), 100 (80%), 60 (90%), 40 (96%)
    spend = pd.Series([100.0, 400.0, 40.0, 250.0, 60.0, 150.0], index=[10, 11, 12, 13, 14, 15])
    t = tiers.value_tiers(spend)  # cuts 0.5, 0.8
    assert t.to_dict() == {10: "bronze", 11: "gold", 12: "bronze", 13: "gold", 14: "bronze", 15: "silver"}
    assert list(t.index) == list(spend.index)  # same order as the input
    assert list(t.cat.categories) == ["gold", "silver", "bronze"]


def test_share_tiers_minimal_top_set_on_random_data():
    """Gold is the smallest set of top customers holding at least 50% of revenue."""
    rng = np.random.default_rng(11)
    spend = pd.Series(rng.pareto(1.5, 500) * 100, index=rng.permutation(500))
    t = tiers.value_tiers(spend)
    gold = spend[t == "gold"]
    total = spend.sum()
    assert gold.sum() / total >= 0.5
    assert (gold.sum() - gold.min()) / total < 0.5
    assert spend[t == "silver"].min() <= gold.min()
    gold_silver = spend[t != "bronze"]
    assert gold_silver.sum() / total >= 0.8
    assert (gold_silver.sum() - gold_silver.min()) / total < 0.8


def test_quantile_tiers_top_20_next_30_rest():
    spend = pd.Series(np.arange(1.0, 11.0), index=list("abcdefghij"))
    t = tiers.value_tiers(spend, method="quantile", names=("high", "mid", "low"))
    assert t[t == "high"].index.tolist() == ["i", "j"]
    assert sorted(t[t == "mid"].index) == ["f", "g", "h"]
    assert (t == "low").sum() == 5
    # 7 customers: top 20% is ceil(1.4) = 2 customers
    t7 = tiers.value_tiers(pd.Series(np.arange(7.0)), method="quantile")
    assert (t7 == "gold").sum() == 2


def test_ties_broken_by_id_not_row_order():
    spend = pd.Series(10.0, index=[5, 3, 1, 4, 2])
    t = tiers.value_tiers(spend, method="quantile", cuts=[0.4], names=["top", "rest"])
    assert sorted(t[t == "top"].index) == [1, 2]
    t2 = tiers.value_tiers(spend.sample(frac=1.0, random_state=3), method="quantile", cuts=[0.4], names=["top", "rest"])
    assert t2.sort_index().equals(t.sort_index())


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1.0, -2.0]),
        pd.Series([0.0, 0.0]),
        pd.Series([1.0, float("nan")]),
        pd.Series(["a", "b"]),
        pd.Series([], dtype=float),
        pd.Series([1.0, 2.0], index=[7, 7]),
        [1.0, 2.0],
    ],
    ids=["negative", "all zero", "missing", "wrong dtype", "empty", "duplicate ids", "not a series"],
)
def test_value_tiers_bad_input(values):
    with pytest.raises(DataError):
        tiers.value_tiers(values)


@pytest.mark.parametrize(
    ("cuts", "names"),
    [((0.8, 0.5), ("a", "b", "c")), ((0.0, 0.5), ("a", "b", "c")), ((0.5,), ("a", "b", "c")), ((0.5,), ("a", "a"))],
)
def test_value_tiers_bad_cuts(cuts, names):
    with pytest.raises(ValueError):
        tiers.value_tiers(pd.Series([1.0, 2.0, 3.0]), cuts=cuts, names=names)


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 4, 5, 6, 2],
            "date": [
                "2025-01-05",
                "2025-02-05",
                "2025-01-10",
                "2025-01-20",
                "2025-02-01",
                "2025-02-02",
                "2025-03-03",
                "2025-04-01",
            ],
            "amount": [300.0, 200.0, 250.0, 100.0, 80.0, 70.0, 999.0, 1.0],
        }
    )


def test_pyramid_report_hand_computed(orders):
    rep = tiers.pyramid_report(orders, cutoff="2025-02-28")
    # spend by 28 Feb: c1 500, c2 250, c3 100, c4 80, c5 70; total 1000 (c6 and the April order excluded)
    # revenue share of the customers ranked before each: c1 0, c2 0.50, c3 0.75, c4 0.85, c5 0.93
    # gold: before < 0.5 -> c1; silver: before < 0.8 -> c2, c3; bronze: c4, c5
    assert rep["customers"].tolist() == [1, 2, 2]
    assert rep["revenue"].tolist() == [500.0, 350.0, 150.0]
    assert rep["revenue_share"].tolist() == [0.5, 0.35, 0.15]
    assert rep.loc["bronze", "mean_spend"] == 75.0
    assert rep.loc["bronze", "min_spend"] == 70.0
    assert rep["customer_share"].sum() == pytest.approx(1.0)
    assert rep["revenue_share"].sum() == pytest.approx(1.0)


def test_pyramid_shares_sum_to_one_on_random_orders():
    rng = np.random.default_rng(5)
    n = 2000
    orders = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 300, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 365, n), unit="D"),
            "amount": rng.gamma(1.5, 40.0, n),
        }
    )
    for method in ("share", "quantile"):
        rep = tiers.pyramid_report(orders, cutoff="2024-12-31", method=method)
        assert rep["customer_share"].sum() == pytest.approx(1.0)
        assert rep["revenue_share"].sum() == pytest.approx(1.0)
        assert rep["revenue"].sum() == pytest.approx(orders.loc[orders["date"] <= "2024-12-31", "amount"].sum())
        # the pyramid's point: the top tier has the highest mean spend
        assert rep["mean_spend"].is_monotonic_decreasing


def test_pyramid_report_window(orders):
    rep = tiers.pyramid_report(orders, cutoff="2025-04-01", window_days=31)
    # orders after 1 March: c6 999 and c2 1 -> c6 alone is gold (99.9%)
    assert rep["customers"].tolist() == [1, 0, 1]
    assert rep.loc["gold", "revenue"] == 999.0


def test_migration_matrix_hand_computed(orders):
    m = tiers.migration_matrix(orders, "2025-01-31", "2025-04-30", window_days=60, cuts=[0.4], names=["top", "rest"])
    # at 31 Jan (orders since 2 Dec): c1 300, c2 250, c3 100 (total 650) -> c1 top (c2 starts at 46%)
    # at 30 Apr (orders since 1 Mar): c6 999, c2 1 -> c6 top, c2 rest; c1, c3 lapsed; c4, c5 lapsed
    assert m.customers.loc[1].tolist() == ["top", "lapsed"]
    assert m.customers.loc[2].tolist() == ["rest", "rest"]
    assert m.customers.loc[4].tolist() == ["new", "lapsed"]
    assert m.customers.loc[6].tolist() == ["new", "top"]
    assert m.counts.loc["rest"].tolist() == [0, 1, 1]
    assert m.counts.loc["new"].tolist() == [1, 0, 2]
    assert m.counts.loc["lapsed"].sum() == 0
    assert m.counts.to_numpy().sum() == 6
    assert m.rates.loc["new"].tolist() == pytest.approx([1 / 3, 0, 2 / 3])
    assert m.rates.loc["lapsed"].isna().all()  # empty row


def test_migration_rows_sum_to_one_on_random_orders():
    rng = np.random.default_rng(2)
    n = 3000
    orders = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 400, n),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 730, n), unit="D"),
            "amount": rng.gamma(1.5, 40.0, n),
        }
    )
    m = tiers.migration_matrix(orders, "2023-12-31", "2024-12-31")
    nonempty = m.counts.sum(axis=1) > 0
    assert np.allclose(m.rates[nonempty].sum(axis=1), 1.0)
    assert list(m.counts.index) == ["gold", "silver", "bronze", "lapsed", "new"]
    assert list(m.counts.columns) == ["gold", "silver", "bronze", "lapsed"]
    assert m.counts.to_numpy().sum() == orders["customer_id"].nunique()
    # cumulative spend: nobody lapses, so there is no lapsed state
    mc = tiers.migration_matrix(orders, "2023-12-31", "2024-12-31", window_days=None)
    assert "lapsed" not in mc.counts.columns
    assert mc.counts.to_numpy().sum() == orders["customer_id"].nunique()


def test_migration_bad_dates(orders):
    with pytest.raises(ValueError, match="before"):
        tiers.migration_matrix(orders, "2025-03-01", "2025-01-01")
    with pytest.raises(DataError, match="not a date"):
        tiers.migration_matrix(orders, "soon", "2025-01-01")


@pytest.mark.parametrize(
    ("mutate", "column"),
    [
        (lambda d: d.drop(columns="customer_id"), None),
        (lambda d: d.assign(amount=d["amount"].astype(str).where(d.index != 1, "lots")), "amount"),
        (lambda d: d.assign(amount=-d["amount"]), "amount"),
        (lambda d: d.assign(date=d["date"].where(d.index != 3, "31/02/2025x")), "date"),
        (lambda d: d.iloc[0:0], None),
    ],
    ids=["missing column", "wrong dtype", "negative amounts", "unparseable date", "empty"],
)
def test_bad_orders_raise_data_error(orders, mutate, column):
    for call in (
        lambda o: tiers.pyramid_report(o, "2025-03-01"),
        lambda o: tiers.migration_matrix(o, "2025-02-01", "2025-03-01"),
    ):
        with pytest.raises(DataError) as err:
            call(mutate(orders))
        assert err.value.table == "orders"
        assert err.value.column == column


def test_plot_pyramid_labels(orders):
    rep = tiers.pyramid_report(orders, cutoff="2025-02-28")
    ax = tiers.plot_pyramid(rep)
    assert ax.get_title()
    assert "%" in ax.get_xlabel()
    assert ax.get_ylabel() == "tier"
    pos = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert pos["gold"] > pos["silver"] > pos["bronze"]  # top tier drawn at the top
    plt.close(ax.figure)


@pytest.fixture(scope="module")
def baseline_run():
    import sim

    return sim.run(sim.Scenario.load("baseline"), customers=2000, days=730, seed=1)


def test_pyramid_and_migration_on_simulated_run(baseline_run):
    """The firm's view gives the pyramid; the simulator's customer table and latent churn check it."""
    res = baseline_run
    orders = res.observed().orders
    rep = tiers.pyramid_report(orders, res.end_date)
    assert rep["revenue"].sum() == pytest.approx(res.orders["amount"].sum())
    assert rep["customers"].sum() == len(res.customers)
    # gold customers truly buy more often than bronze ones (latent purchase rate)
    t = tiers.value_tiers(tiers.customer_value(orders, res.end_date))
    rate = res.customers.set_index("customer_id")["true_purchase_rate"]
    assert rate[t.index[t == "gold"]].mean() > 2 * rate[t.index[t == "bronze"]].mean()

    d1 = res.start_date + pd.Timedelta(days=365)
    m = tiers.migration_matrix(orders, d1, res.end_date)
    cust = res.customers.set_index("customer_id")
    acquired_in_year_2 = ((cust["acquired_date"] > d1) & (cust["acquired_date"] <= res.end_date)).sum()
    assert m.counts.loc["new"].sum() == acquired_in_year_2
    assert np.allclose(m.rates[m.counts.sum(axis=1) > 0].sum(axis=1), 1.0)
    # customers who truly churned in year 1 cannot have bought in year 2: all of them show as lapsed
    churned_y1 = cust.index[cust["true_churn_t"] < 365.0]
    assert len(churned_y1) > 0
    assert (m.customers.loc[churned_y1, "to"] == "lapsed").all()
