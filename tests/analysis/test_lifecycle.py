"""Lifecycle stages from order history and their accuracy against a true stage (sim.analysis.lifecycle).

Stages are checked on hand-built logs at and around every threshold; the accuracy against
the Wilson interval of statsmodels and a hand-counted confusion matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import sim
from sim.analysis import lifecycle
from sim.errors import ConfigError, DataError

AS_OF = pd.Timestamp("2025-07-01")


def _log(histories: dict[int, list[float]]) -> pd.DataFrame:
    """Orders from {customer: [days before AS_OF of each order]}."""
    rows = [(cid, AS_OF - pd.Timedelta(days=d)) for cid, days in histories.items() for d in days]
    return pd.DataFrame(rows, columns=["customer_id", "date"])


def test_each_stage_at_and_around_its_thresholds():
    # defaults: new 90, active 90, at_risk 180, lost 365, win-back gap 365
    histories = {
        1: [10],  # first order 10 days ago -> new
        2: [90],  # first order exactly 90 days ago -> still new
        3: [200, 90],  # last order 90 days ago -> active
        4: [200, 91],  # 91 days -> at_risk
        5: [400, 180],  # 180 days -> at_risk
        6: [400, 181],  # 181 -> dormant
        7: [500, 365],  # 365 -> dormant
        8: [500, 366],  # 366 -> lost
        9: [800, 30],  # a gap of 770 days ended 30 days ago -> won_back
        10: [800, 430, 130, 60],  # the return was 430 days ago; last order 60 days ago -> active
        11: [500, 135, 100],  # a 365-day gap ending 135 days ago (> 90) -> at_risk by recency
        12: [465, 100],  # gap exactly 365 ending 100 days ago: a return, but older than 90 days -> at_risk
        13: [455, 89],  # gap 366 ending 89 days ago -> won_back
    }
    out = lifecycle.lifecycle_stages(_log(histories), AS_OF)
    want = {1: "new", 2: "new", 3: "active", 4: "at_risk", 5: "at_risk", 6: "dormant", 7: "dormant", 8: "lost",
            9: "won_back", 10: "active", 11: "at_risk", 12: "at_risk", 13: "won_back"}  # fmt: skip
    assert out["stage"].astype(str).to_dict() == want
    assert list(out["stage"].cat.categories) == list(lifecycle.STAGES)
    assert out.loc[9, "recency_days"] == 30 and out.loc[9, "age_days"] == 800
    assert out.loc[10, "orders"] == 4
    assert out.loc[12, "last_return"] == AS_OF - pd.Timedelta(days=100)
    assert pd.isna(out.loc[3, "last_return"])


def test_custom_thresholds_move_the_bands():
    log = _log({1: [400, 45], 2: [400, 100]})
    out = lifecycle.lifecycle_stages(log, AS_OF, new_days=30, active_days=30, at_risk_days=60, lost_days=90)
    assert out["stage"].astype(str).tolist() == ["at_risk", "lost"]


def test_orders_after_as_of_are_invisible():
    log = _log({1: [400, 200], 2: [100]})
    future = pd.DataFrame({"customer_id": [1, 3], "date": [AS_OF + pd.Timedelta(days=5)] * 2})
    out = lifecycle.lifecycle_stages(pd.concat([log, future], ignore_index=True), AS_OF)
    pd.testing.assert_frame_equal(out, lifecycle.lifecycle_stages(log, AS_OF), check_like=True, check_exact=True)
    assert out.attrs["orders_after_as_of"] == 2
    assert 3 not in out.index


def test_recency_bands_are_monotone():
    """Property: for customers with an old first order, later last orders never give an earlier stage."""
    order = ["active", "at_risk", "dormant", "lost"]
    days = np.arange(0, 600, 7)
    log = _log({i + 1: [float(d) + 600, float(d) + 300, float(d)] for i, d in enumerate(days)})  # gaps of 300
    stages = lifecycle.lifecycle_stages(log, AS_OF)["stage"].astype(str).map(order.index)
    assert stages.is_monotonic_increasing
    assert set(stages) == {0, 1, 2, 3}


def test_input_is_not_modified_and_row_order_does_not_matter():
    log = _log({1: [700, 30], 2: [100, 5], 3: [200]})
    before = log.copy()
    a = lifecycle.lifecycle_stages(log, AS_OF)
    pd.testing.assert_frame_equal(log, before)
    b = lifecycle.lifecycle_stages(log.iloc[::-1], AS_OF)
    pd.testing.assert_frame_equal(a, b)


def test_stage_accuracy_confusion_and_wilson_interval():
    obs = pd.Series(["new", "active", "active", "lost", "at_risk", "dormant", "lost"], index=[1, 2, 3, 4, 5, 6, 7])
    true = pd.DataFrame(
        {"customer_id": [7, 6, 5, 4, 3, 2, 1, 99],
         "true_stage": ["lost", "lost", "active", "lost", "active", "active", "new", "won_back"]}
    )  # fmt: skip
    r = lifecycle.stage_accuracy(obs, true, confidence=0.9)
    assert r.n == 7
    hits = 5  # 1 new, 2 active, 3 active, 4 lost, 7 lost
    assert r.accuracy == hits / 7
    lo, hi = proportion_confint(hits, 7, alpha=0.1, method="wilson")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))
    assert r.confusion.loc["active", "at_risk"] == 1
    assert r.confusion.loc["lost", "dormant"] == 1
    assert int(r.confusion.to_numpy().sum()) == 7
    assert list(r.confusion.index) == list(r.confusion.columns) == list(lifecycle.STAGES)
    assert r.per_stage.loc["active", "recall"] == 2 / 3
    assert r.per_stage.loc["lost", "precision"] == 1.0
    assert np.isnan(r.per_stage.loc["won_back", "recall"])  # nobody truly won back among the compared
    assert r.per_stage.attrs["only_true"] == 1
    assert "accuracy = 0.714" in repr(r)


def test_stage_accuracy_on_lifecycle_output_graded_against_planted_truth():
    rng = np.random.default_rng(3)
    recency = rng.uniform(0, 600, 400)
    log = _log({i + 1: [float(r) + 600, float(r) + 300, float(r)] for i, r in enumerate(recency)})
    truth = pd.Series(
        np.select([recency <= 90, recency <= 180, recency <= 365], ["active", "at_risk", "dormant"], "lost"),
        index=np.arange(1, 401),
    )
    observed = lifecycle.lifecycle_stages(log, AS_OF)
    r = lifecycle.stage_accuracy(observed, truth)
    assert r.accuracy == 1.0 and r.n == 400
    flipped = truth.where(truth != "lost", "dormant")
    r2 = lifecycle.stage_accuracy(observed, flipped)
    assert r2.accuracy == pytest.approx(1 - (truth == "lost").mean())
    assert r2.per_stage.loc["dormant", "recall"] == pytest.approx(
        (truth == "dormant").sum() / (flipped == "dormant").sum()
    )
    assert r2.per_stage.loc["dormant", "precision"] == 1.0  # every "dormant" label is right
    assert r2.per_stage.loc["lost", "precision"] == 0.0  # every "lost" label is wrong now


def test_stages_match_the_simulator_vocabulary():
    assert lifecycle.STAGES == sim.schema.STAGES


def test_bad_inputs_are_refused():
    with pytest.raises(DataError) as err:
        lifecycle.lifecycle_stages(pd.DataFrame({"customer_id": [1], "date": [20250101]}), AS_OF)
    assert (err.value.table, err.value.column) == ("orders", "date")
    with pytest.raises(DataError, match="no order on or before"):
        lifecycle.lifecycle_stages(_log({1: [-3]}), AS_OF)
    with pytest.raises(ConfigError, match="increasing"):
        lifecycle.lifecycle_stages(_log({1: [3]}), AS_OF, active_days=200)
    with pytest.raises(ConfigError, match="new_days=0"):
        lifecycle.lifecycle_stages(_log({1: [3]}), AS_OF, new_days=0)
    with pytest.raises(DataError, match="unknown stage") as err:
        lifecycle.stage_accuracy(pd.Series(["new", "churned"], index=[1, 2]), pd.Series(["new", "lost"], index=[1, 2]))
    assert err.value.rows == [2]
    with pytest.raises(DataError, match="no customer id appears in both"):
        lifecycle.stage_accuracy(pd.Series(["new"], index=[1]), pd.Series(["new"], index=["1"]))
    with pytest.raises(DataError, match="duplicate"):
        lifecycle.stage_accuracy(pd.Series(["new", "lost"], index=[1, 1]), pd.Series(["new"], index=[1]))
    with pytest.raises(ConfigError, match="confidence=2"):
        lifecycle.stage_accuracy(pd.Series(["new"], index=[1]), pd.Series(["new"], index=[1]), confidence=2)
