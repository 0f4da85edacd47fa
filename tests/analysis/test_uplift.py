"""sim.analysis.uplift: T-learner, Qini / AUUC, true gain, quadrants, targeting profit.

Synthetic data with a KNOWN individual effect (CATE): the T-learner's ranking must beat a random
one on the true gain curve and come close to the oracle; hand-built cases pin the Qini formula,
the quadrants and the profit arithmetic; malformed inputs raise named errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier

from sim.analysis.uplift import (
    QUADRANTS,
    TwoModelUplift,
    qini_curve,
    targeting_profit_by_uplift,
    true_gain_curve,
    uplift_quadrants,
)
from sim.errors import ConfigError, DataError, NotFittedError


def _logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def _synthetic(n: int, seed: int):
    """Randomised treatment; the offer's log-odds effect is 1.5 * x1 (helps some, hurts others)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    base = -0.5 + 0.8 * X[:, 0]
    p_c = _logistic(base)
    p_t = _logistic(base + 1.5 * X[:, 1])
    t = rng.random(n) < 0.5
    y = rng.random(n) < np.where(t, p_t, p_c)
    return X, t, y, p_t - p_c


@pytest.fixture(scope="module")
def data():
    return _synthetic(6000, 0)


def test_the_t_learner_recovers_a_known_cate_and_beats_random_on_the_true_gain(data):
    X, t, y, _ = data
    model = TwoModelUplift().fit(X, t, y)
    X_new, _, _, cate_new = _synthetic(4000, 1)  # out of sample
    pred = model.predict(X_new)
    assert np.corrcoef(pred, cate_new)[0, 1] > 0.8
    g = true_gain_curve(pred, cate_new)
    assert g.auuc > g.auuc_random + 0.5 * (g.auuc_oracle - g.auuc_random)
    assert 0.5 < g.normalised <= 1.0 + 1e-12
    # a score unrelated to the effect does no better than random (within noise)
    noise = true_gain_curve(np.random.default_rng(9).random(4000), cate_new)
    assert abs(noise.normalised) < 0.2
    assert model.n_treated_ + model.n_control_ == len(X)


def test_the_observed_qini_ranks_the_t_learner_above_random(data):
    X, t, y, _ = data
    model = TwoModelUplift().fit(X[:3000], t[:3000], y[:3000])
    q = qini_curve(model.predict(X[3000:]), t[3000:], y[3000:])
    assert q.auuc > q.auuc_random
    assert np.isnan(q.auuc_oracle) and list(q.curve.columns) == ["k", "share", "gain", "random"]
    assert len(q.curve) == 3000 and q.curve["share"].iloc[-1] == 1.0


def test_any_sklearn_classifier_can_be_plugged_in(data):
    X, t, y, cate = data
    model = TwoModelUplift(GradientBoostingClassifier(n_estimators=60, max_depth=2, random_state=0)).fit(X, t, y)
    p_t, p_c = model.predict_arms(X[:500])
    assert ((0 <= p_t) & (p_t <= 1) & (0 <= p_c) & (p_c <= 1)).all()
    np.testing.assert_allclose(model.predict(X[:500]), p_t - p_c)
    assert np.corrcoef(model.predict(X), cate)[0, 1] > 0.6


def test_qini_matches_a_hand_computation():
    # ranked: (T, y=1), (C, y=1), (T, y=1), (C, y=0), (T, y=0)
    score = [5, 4, 3, 2, 1]
    treated = [1, 0, 1, 0, 1]
    outcome = [1, 1, 1, 0, 0]
    g = qini_curve(score, treated, outcome).curve["gain"].to_numpy()
    # k=1: 1 - 0; k=2: 1 - 1*1/1 = 0; k=3: 2 - 1*2/1 = 0; k=4: 2 - 1*2/2 = 1; k=5: 2 - 1*3/2 = 0.5
    np.testing.assert_allclose(g, [1.0, 0.0, 0.0, 1.0, 0.5])


def test_the_true_gain_curve_is_a_cumulative_sum_in_score_order():
    g = true_gain_curve([0.2, 0.9, 0.5, 0.1], [1.0, -1.0, 2.0, 0.5])
    np.testing.assert_allclose(g.curve["gain"], [-1.0, 1.0, 2.0, 2.5])
    np.testing.assert_allclose(g.curve["oracle"], [2.0, 3.0, 3.5, 2.5])
    np.testing.assert_allclose(g.curve["random"], [0.625, 1.25, 1.875, 2.5])
    assert g.auuc < g.auuc_random < g.auuc_oracle


@pytest.mark.parametrize(
    ("p_t", "p_c", "expected"),
    [
        (0.7, 0.3, "persuadable"),
        (0.5, 0.49, "persuadable"),  # the threshold itself counts as "acts"
        (0.9, 0.6, "sure_thing"),
        (0.5, 0.5, "sure_thing"),
        (0.1, 0.4, "lost_cause"),
        (0.2, 0.8, "sleeping_dog"),
        (0.49, 0.5, "sleeping_dog"),
    ],
)
def test_quadrants_on_hand_built_cases(p_t, p_c, expected):
    assert uplift_quadrants([p_t], [p_c]).tolist() == [expected]


def test_quadrants_with_another_threshold_and_their_categories():
    q = uplift_quadrants([0.3, 0.1], [0.1, 0.3], threshold=0.2)
    assert q.tolist() == ["persuadable", "sleeping_dog"] and list(q.cat.categories) == list(QUADRANTS)


def test_targeting_by_uplift_beats_targeting_by_risk_when_risk_is_not_persuadability():
    # risky customers here are lost causes (no effect); the persuadable ones are mid-risk
    rng = np.random.default_rng(3)
    n = 1000
    risk = rng.random(n)
    effect = np.where((risk > 0.3) & (risk < 0.6), 20.0, 0.0) + rng.normal(0, 1, n)
    t = targeting_profit_by_uplift({"uplift": effect + rng.normal(0, 5, n), "churn_risk": risk}, effect, 5.0)
    assert list(t.columns) == ["uplift", "churn_risk", "random", "oracle"] and t.index.name == "share"
    assert t["uplift"].max() > t["churn_risk"].max() > 0
    assert (t["oracle"] >= t["uplift"] - 1e-9).all()
    # the formula: the top 10% by uplift score, each contact costing 5
    order = np.argsort(-(effect + 0), kind="stable")[:100]
    assert t.loc[0.1, "oracle"] == pytest.approx(effect[order].sum() - 5.0 * 100)
    assert t.loc[0.0].abs().max() == 0.0 and t.loc[1.0, "random"] == pytest.approx(effect.sum() - 5.0 * n)


# ---------------------------------------------------------------- malformed inputs
def test_malformed_inputs_raise_named_errors(data):
    X, t, y, _ = data
    with pytest.raises(DataError, match="treated"):
        TwoModelUplift().fit(X, t[:-1], y)
    with pytest.raises(DataError, match="0/1"):
        TwoModelUplift().fit(X, np.where(t, 2, 0), y)
    with pytest.raises(DataError, match="NaN or inf"):
        TwoModelUplift().fit(np.where(X > 2.5, np.nan, X), t, y)
    with pytest.raises(DataError, match="control group needs customers with both outcomes"):
        TwoModelUplift().fit(X, t, np.where(t, y, False))
    with pytest.raises(DataError, match="numbers"):
        TwoModelUplift().fit(pd.DataFrame({"a": ["x"] * len(t)}), t, y)
    with pytest.raises(NotFittedError):
        TwoModelUplift().predict(X)
    with pytest.raises(ConfigError, match="estimator"):
        TwoModelUplift(estimator="logistic")
    with pytest.raises(DataError, match="both treated and control"):
        qini_curve([1.0, 2.0], [1, 1], [0, 1])
    with pytest.raises(DataError, match="true_uplift"):
        true_gain_curve([1.0, 2.0], [0.1, np.nan])
    with pytest.raises(DataError, match="score"):
        true_gain_curve([], [])
    with pytest.raises(DataError, match="p_control"):
        uplift_quadrants([0.5], [1.2])
    with pytest.raises(ConfigError, match="threshold"):
        uplift_quadrants([0.5], [0.5], threshold=1.0)
    with pytest.raises(ConfigError, match="contact_cost"):
        targeting_profit_by_uplift({"a": [1.0]}, [1.0], -1.0)
    with pytest.raises(DataError, match="expected 2"):
        targeting_profit_by_uplift({"a": [1.0]}, [1.0, 2.0], 1.0)
