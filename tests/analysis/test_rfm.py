"""RFM: the per-customer table, quintile scores (recency reversed, deterministic ties) and segments.

Every expected number below is worked out by hand from the small tables in the tests.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sim.analysis import rfm
from sim.errors import DataError


@pytest.fixture
def orders() -> pd.DataFrame:
    """Four customers; one order (customer 3) lies after the cutoff 2025-07-01."""
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3, 3, 4],
            "date": ["2025-06-01", "2025-06-21", "2025-07-01", "2025-01-01", "2025-03-02", "2025-08-01", "2025-05-02"],
            "amount": [10.0, 20.0, 30.0, 100.0, 8.0, 500.0, 0.0],
        }
    )


def test_rfm_table_hand_computed(orders):
    t = rfm.rfm_table(orders, cutoff="2025-07-01")
    # customer 1: last order at the cutoff itself (included) -> recency 0, 3 orders, mean 20
    assert t.loc[1, "recency_days"] == 0.0
    assert t.loc[1, "frequency"] == 3
    assert t.loc[1, "monetary"] == pytest.approx(20.0)
    assert t.loc[1, "revenue"] == pytest.approx(60.0)
    # customer 2: 2025-01-01 -> 2025-07-01 is 181 days
    assert t.loc[2, "recency_days"] == 181.0
    # customer 3: the 500 order of 2025-08-01 is after the cutoff and excluded
    assert t.loc[3, "frequency"] == 1
    assert t.loc[3, "monetary"] == 8.0
    assert t.loc[3, "recency_days"] == 121.0  # 2 March -> 1 July
    assert t.attrs["orders_after_cutoff"] == 1
    assert list(t.index) == [1, 2, 3, 4]


def test_rfm_table_monetary_sum_and_fractional_days(orders):
    t = rfm.rfm_table(orders, cutoff="2025-07-01 12:00", monetary="sum")
    assert t.loc[1, "monetary"] == 60.0
    assert t.loc[1, "recency_days"] == 0.5
    with pytest.raises(ValueError, match="monetary"):
        rfm.rfm_table(orders, cutoff="2025-07-01", monetary="median")


def test_recency_scored_in_reverse():
    """The most recent buyer gets R = 5, the longest-lapsed R = 1 (H15: higher = better)."""
    t = pd.DataFrame(
        {"recency_days": [300.0, 1.0, 50.0, 10.0, 120.0], "frequency": [1, 2, 3, 4, 5], "monetary": [1.0, 2, 3, 4, 5]},
        index=pd.Index([1, 2, 3, 4, 5], name="customer_id"),
    )
    s = rfm.rfm_scores(t)
    assert s["r_score"].to_dict() == {1: 1, 2: 5, 3: 3, 4: 4, 5: 2}
    assert s["f_score"].to_dict() == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}


def test_recency_direction_on_random_data():
    rng = np.random.default_rng(3)
    t = pd.DataFrame(
        {
            "recency_days": rng.permutation(200).astype(float),
            "frequency": rng.integers(1, 9, 200),
            "monetary": rng.gamma(2.0, 30.0, 200),
        },
        index=pd.Index(range(200), name="customer_id"),
    )
    s = rfm.rfm_scores(t).sort_values("recency_days")
    # scores never increase as recency grows, and the extreme quintiles are 40 customers each
    assert (np.diff(s["r_score"].to_numpy()) <= 0).all()
    assert (s["r_score"].value_counts().sort_index() == 40).all()
    assert s["r_score"].iloc[:40].eq(5).all() and s["r_score"].iloc[-40:].eq(1).all()


def test_quintiles_for_ten_distinct_values():
    t = pd.DataFrame(
        {"recency_days": np.arange(10.0), "frequency": np.arange(10), "monetary": np.arange(10.0)[::-1]},
        index=pd.Index(range(100, 110), name="customer_id"),
    )
    s = rfm.rfm_scores(t)
    assert s["f_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s["m_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert s["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_ties_split_by_customer_id_and_independent_of_row_order():
    """Ten one-time buyers: F cannot tell them apart, so the documented rule splits them by id."""
    t = pd.DataFrame(
        {"recency_days": 5.0, "frequency": 1, "monetary": 10.0},
        index=pd.Index([9, 3, 7, 1, 5, 2, 8, 4, 10, 6], name="customer_id"),
    )
    s = rfm.rfm_scores(t)
    expected = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 4, 9: 5, 10: 5}
    assert s["f_score"].to_dict() == expected
    assert s["m_score"].to_dict() == expected
    # recency is reversed, but ties are still split with the smaller id scoring lower
    assert s["r_score"].to_dict() == expected
    shuffled = rfm.rfm_scores(t.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(s, shuffled)


def test_score_string_and_weighted_total():
    t = pd.DataFrame(
        {"recency_days": [1.0, 2.0], "frequency": [1, 2], "monetary": [5.0, 1.0]},
        index=pd.Index(["a", "b"], name="customer_id"),
    )
    s = rfm.rfm_scores(t, bins=2, weights=(2, 1, 0.5))
    assert s.loc["a", "rfm_score"] == "212"
    assert s.loc["a", "rfm_total"] == 2 * 2 + 1 * 1 + 0.5 * 2
    assert s.loc["b", "rfm_score"] == "121"
    assert s.loc["b", "rfm_total"] == 2 * 1 + 1 * 2 + 0.5 * 1


def test_scores_need_enough_customers_and_valid_bins():
    t = pd.DataFrame({"recency_days": [1.0, 2.0], "frequency": [1, 2], "monetary": [5.0, 1.0]})
    with pytest.raises(DataError, match="cannot fill 5 score bins"):
        rfm.rfm_scores(t)
    with pytest.raises(ValueError, match="bins"):
        rfm.rfm_scores(t, bins=10)


def test_every_score_combination_gets_exactly_one_segment():
    combos = pd.DataFrame(list(itertools.product(range(1, 6), repeat=3)), columns=["r_score", "f_score", "m_score"])
    seg = rfm.rfm_segments(combos)
    assert seg["segment"].notna().all()
    assert set(seg["segment"].astype(str)) == set(rfm.SEGMENTS)
    # the grid cells do not overlap: each (R, FM) pair is in exactly one cell
    for r, fm in itertools.product(range(1, 6), repeat=2):
        cells = [name for rs, fms, name in rfm.RFM_GRID if r in rs and fm in fms]
        assert len(cells) == 1, (r, fm, cells)


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 5, "champions"),
        (5, 4, 3, "champions"),  # FM = (4 + 3) / 2 = 3.5 -> 4 (half up)
        (4, 5, 5, "loyal"),
        (5, 2, 3, "potential loyalist"),
        (5, 1, 1, "new"),
        (4, 1, 1, "promising"),
        (3, 3, 3, "need attention"),
        (3, 1, 2, "about to sleep"),
        (1, 5, 5, "can't lose them"),
        (2, 3, 4, "at risk"),
        (1, 1, 1, "lost"),
        (1, 2, 1, "hibernating"),  # FM = 1.5 -> 2
        (2, 1, 1, "hibernating"),
    ],
)
def test_segment_of_hand_picked_scores(r, f, m, segment):
    seg = rfm.rfm_segments(pd.DataFrame({"r_score": [r], "f_score": [f], "m_score": [m]}))
    assert seg["segment"].iloc[0] == segment


def test_segments_reject_scores_outside_grid():
    with pytest.raises(DataError, match="r_score"):
        rfm.rfm_segments(pd.DataFrame({"r_score": [6], "f_score": [1], "m_score": [1]}))


def test_segment_summary_shares_and_means(orders):
    seg = pd.DataFrame(
        {
            "segment": ["champions", "lost", "champions", "at risk"],
            "recency_days": [1.0, 400.0, 3.0, 90.0],
            "frequency": [6, 1, 4, 3],
            "monetary": [50.0, 10.0, 30.0, 20.0],
            "revenue": [300.0, 10.0, 120.0, 70.0],
        }
    )
    seg["segment"] = pd.Categorical(seg["segment"], categories=rfm.SEGMENTS, ordered=True)
    summ = rfm.segment_summary(seg)
    assert list(summ.index) == list(rfm.SEGMENTS)  # empty segments kept, best first
    assert summ["customers"].sum() == 4
    assert summ["share"].sum() == pytest.approx(1.0)
    assert summ["revenue_share"].sum() == pytest.approx(1.0)
    assert summ.loc["champions", "customers"] == 2
    assert summ.loc["champions", "recency_days"] == 2.0
    assert summ.loc["champions", "frequency"] == 5.0
    assert summ.loc["champions", "revenue_share"] == pytest.approx(420 / 500)
    assert summ.loc["loyal", "customers"] == 0


def test_pipeline_on_random_orders_is_consistent():
    rng = np.random.default_rng(7)
    n = 600
    orders = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 150, n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 500, n), unit="D"),
            "amount": rng.gamma(2.0, 25.0, n),
        }
    )
    t = rfm.rfm_table(orders, cutoff="2025-03-01")
    seg = rfm.rfm_segments(rfm.rfm_scores(t))
    summ = rfm.segment_summary(seg)
    kept = orders[orders["date"] <= "2025-03-01"]
    assert t["frequency"].sum() == len(kept)
    assert summ["revenue"].sum() == pytest.approx(kept["amount"].sum())
    assert t.attrs["orders_after_cutoff"] == len(orders) - len(kept)


@pytest.mark.parametrize(
    ("mutate", "column"),
    [
        (lambda d: d.drop(columns="amount"), None),
        (lambda d: d.assign(amount=d["amount"].astype(str).where(d.index != 2, "ten")), "amount"),
        (lambda d: d.assign(amount=d["amount"].where(d.index != 1, -5.0)), "amount"),
        (lambda d: d.assign(date=d["date"].where(d.index != 0, "not a date")), "date"),
        (lambda d: d.assign(customer_id=d["customer_id"].astype(object).where(d.index != 0, None)), "customer_id"),
        (lambda d: d.iloc[0:0], None),
    ],
    ids=["missing column", "wrong dtype", "negative amount", "unparseable date", "missing id", "empty"],
)
def test_bad_orders_raise_data_error(orders, mutate, column):
    with pytest.raises(DataError) as err:
        rfm.rfm_table(mutate(orders), cutoff="2025-07-01")
    assert err.value.table == "orders"
    if column:
        assert err.value.column == column
    else:
        assert "amount" in str(err.value) or "empty" in str(err.value)


def test_no_order_before_cutoff_and_bad_cutoff(orders):
    with pytest.raises(DataError, match="no order on or before cutoff"):
        rfm.rfm_table(orders, cutoff="2020-01-01")
    with pytest.raises(DataError, match="not a date"):
        rfm.rfm_table(orders, cutoff="yesterday-ish")


@pytest.fixture(scope="module")
def btyd_run():
    import sim

    return sim.run(sim.Scenario.load("btyd_only"), customers=3000, days=730, seed=1)


def test_rfm_on_simulated_log_predicts_the_holdout_year(btyd_run):
    """Score at the end of year 1 on the firm's view; year 2 (and the latent truth) is the check.

    Higher F and higher RFM totals must buy more in the holdout year, and among repeat buyers a
    higher R score must mean a larger share truly alive at the cutoff (BG/NBD: customers who never
    repeated cannot have dropped out, so they are left out of the recency check).
    """
    orders = btyd_run.observed().orders
    cutoff = btyd_run.start_date + pd.Timedelta(days=365)
    seg = rfm.rfm_segments(rfm.rfm_scores(rfm.rfm_table(orders, cutoff)))
    assert len(seg) == btyd_run.customers["customer_id"].nunique()  # one cohort, all acquired at day 0
    future = orders[orders["date"] > cutoff].groupby("customer_id").size()
    seg["future_orders"] = future.reindex(seg.index, fill_value=0)
    by_f = seg.groupby("f_score")["future_orders"].mean()
    assert by_f.is_monotonic_increasing and by_f[5] > 4 * by_f[1]
    total_q = pd.qcut(seg["rfm_total"].rank(method="first"), 5, labels=False)
    assert seg.groupby(total_q)["future_orders"].mean().is_monotonic_increasing
    churn_t = btyd_run.customers.set_index("customer_id")["true_churn_t"]
    seg["alive_at_cutoff"] = churn_t.reindex(seg.index).pipe(lambda s: s.isna() | (s > 365.0))
    repeaters = seg[seg["frequency"] >= 2]
    assert repeaters.groupby("r_score")["alive_at_cutoff"].mean().is_monotonic_increasing
    summ = rfm.segment_summary(seg)
    assert summ.loc["champions", "revenue_share"] > summ.loc["champions", "share"]
    assert (
        seg.loc[seg["segment"] == "champions", "future_orders"].mean()
        > 3 * seg.loc[seg["segment"] == "hibernating", "future_orders"].mean()
    )
