"""k-means segments on standardised columns (sim.analysis.segments).

Ground truth is planted: well-separated blobs of known sizes and centres. k-means must recover
the planted partition exactly, the silhouette must pick the planted k, centres must be the
blobs' means in original units, and a change of units must not change the segments
(standardisation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import rfm, segments
from sim.errors import ConfigError, DataError


def _blobs(sizes: list[int], seed: int = 0, spread: float = 0.3) -> tuple[pd.DataFrame, np.ndarray]:
    """Blobs of the given sizes around far-apart centres in (recency_days, frequency, monetary)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[10, 12, 400], [200, 2, 40], [60, 6, 120], [330, 1, 15], [30, 20, 900], [120, 9, 60]], float)
    scales = np.array([5.0, 1.0, 1.0])  # monetary noise is multiplicative (log scale)
    rows, truth = [], []
    for g, n in enumerate(sizes):
        c = centres[g]
        x = np.column_stack(
            [
                c[0] + rng.normal(0, spread * scales[0], n),
                c[1] + rng.normal(0, spread * scales[1], n),
                c[2] * np.exp(rng.normal(0, spread * 0.1, n)),
            ]
        )
        rows.append(x)
        truth += [g] * n
    x = np.vstack(rows)
    df = pd.DataFrame(x, columns=["recency_days", "frequency", "monetary"])
    df.index = pd.Index(np.arange(1, len(df) + 1) * 7, name="customer_id")
    return df, np.array(truth)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Two labelings define the same partition (a bijection between labels)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("k_true", [2, 3, 4, 5])
def test_silhouette_picks_the_planted_k_and_kmeans_recovers_the_partition(k_true):
    sizes = [150, 110, 80, 60, 40][:k_true]
    table, truth = _blobs(sizes, seed=k_true)
    seg = segments.kmeans_segments(table, k_range=range(2, 9))
    assert seg.k == k_true
    assert int(seg.silhouette["silhouette"].idxmax()) == k_true
    assert list(seg.silhouette.index) == list(range(2, 9))
    assert _same_partition(seg.labels.to_numpy(), truth)
    # segment 0 is the largest: sizes come out in decreasing order
    assert seg.sizes.tolist() == sorted(sizes, reverse=True)


def test_centres_are_the_planted_groups_means_in_original_units():
    table, truth = _blobs([90, 60, 30], seed=3)
    seg = segments.kmeans_segments(table, k=3)
    for label in range(3):
        members = table[seg.labels.to_numpy() == label]
        planted = table[truth == truth[seg.labels.to_numpy() == label][0]]
        pd.testing.assert_series_equal(
            seg.centers.loc[label, ["recency_days", "frequency", "monetary"]],
            planted.mean(),
            check_names=False,
        )
        assert seg.centers.loc[label, "customers"] == len(members)
    assert seg.labels.index.equals(table.index)
    assert seg.labels.name == "segment"


def test_a_change_of_units_does_not_change_the_segments():
    """Standardisation: money in cents (x100) or recency in hours (x24) gives the same labels."""
    table, _ = _blobs([70, 50, 40], seed=8, spread=1.5)
    base = segments.kmeans_segments(table, k=3, log_monetary=False)
    rescaled = table.assign(monetary=table["monetary"] * 100, recency_days=table["recency_days"] * 24)
    other = segments.kmeans_segments(rescaled, k=3, log_monetary=False)
    pd.testing.assert_series_equal(base.labels, other.labels)


def test_log_monetary_clusters_on_log_money():
    """With one extreme spender, log(1 + x) keeps the big spender with its peers."""
    table, truth = _blobs([60, 60], seed=2)
    table.iloc[0, 2] = table.iloc[0, 2] * 4  # a 4x spender in group 0 (log distance small)
    with_log = segments.kmeans_segments(table, k=2, log_monetary=True)
    assert _same_partition(with_log.labels.to_numpy(), truth)


def test_deterministic_and_independent_of_row_order():
    table, _ = _blobs([80, 50, 30], seed=5, spread=3.0)
    a = segments.kmeans_segments(table, k_range=range(2, 6), seed=4)
    b = segments.kmeans_segments(table, k_range=range(2, 6), seed=4)
    pd.testing.assert_series_equal(a.labels, b.labels)
    pd.testing.assert_frame_equal(a.silhouette, b.silhouette)
    shuffled = table.sample(frac=1.0, random_state=1)
    c = segments.kmeans_segments(shuffled, k=a.k, seed=4)
    assert _same_partition(c.labels.loc[table.index].to_numpy(), a.labels.to_numpy())


def test_input_is_not_modified():
    table, _ = _blobs([30, 30], seed=1)
    before = table.copy()
    segments.kmeans_segments(table, k_range=range(2, 4))
    pd.testing.assert_frame_equal(table, before)


def test_works_on_an_rfm_table_with_default_columns():
    rng = np.random.default_rng(0)
    rows = []
    for cid in range(1, 61):
        loyal = cid <= 30
        n = rng.integers(8, 12) if loyal else 1
        days = rng.integers(300, 365, n) if loyal else rng.integers(0, 60, n)
        for d in days:
            rows.append((cid, pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(d)), 100.0 if loyal else 10.0))
    orders = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    table = rfm.rfm_table(orders, cutoff="2026-01-01")
    seg = segments.kmeans_segments(table, k_range=range(2, 5))
    assert seg.k == 2
    loyal = seg.labels.index <= 30
    assert seg.labels[loyal].nunique() == 1 and seg.labels[~loyal].nunique() == 1
    assert seg.columns == ("recency_days", "frequency", "monetary")
    alias = segments.kmeans_segments(table, columns=("recency", "frequency", "monetary"), k=seg.k)
    pd.testing.assert_series_equal(alias.labels, seg.labels)
    assert alias.columns == seg.columns


def test_bad_tables_are_refused_naming_table_column_and_rows():
    table, _ = _blobs([20, 20], seed=0)
    with pytest.raises(DataError, match="missing column") as err:
        segments.kmeans_segments(table.drop(columns="frequency"))
    assert err.value.table == "segments table"
    bad = table.copy()
    bad.iloc[3, 1] = np.nan
    with pytest.raises(DataError) as err:
        segments.kmeans_segments(bad)
    assert err.value.column == "frequency" and table.index[3] in err.value.rows
    neg = table.copy()
    neg.iloc[5, 2] = -1.0
    with pytest.raises(DataError) as err:
        segments.kmeans_segments(neg)
    assert err.value.column == "monetary"
    dup = pd.concat([table, table.iloc[:1]])
    with pytest.raises(DataError, match="duplicate"):
        segments.kmeans_segments(dup)
    with pytest.raises(DataError, match="constant"):
        segments.kmeans_segments(pd.DataFrame({"recency_days": [1.0] * 5, "frequency": 2.0, "monetary": 3.0}))
    with pytest.raises(DataError, match="cannot form 8 segments"):
        segments.kmeans_segments(table.iloc[:6])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 1}, "k=1 is not allowed"),
        ({"k": 2.5}, "k=2.5 is not allowed"),
        ({"k_range": []}, "k_range"),
        ({"k_range": [1, 2]}, "k_range"),
        ({"columns": "frequency"}, "columns="),
        ({"columns": ("frequency", "frequency")}, "name each column once"),
        ({"seed": -1}, "seed=-1"),
        ({"log_monetary": "yes"}, "log_monetary"),
    ],
)
def test_bad_arguments_are_config_errors(kwargs, match):
    table, _ = _blobs([20, 20], seed=0)
    with pytest.raises(ConfigError, match=match):
        segments.kmeans_segments(table, **kwargs)
