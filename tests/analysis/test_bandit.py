"""Bandit helpers (PA2): regret against truth from a contacts table, Thompson vs fixed split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.abtest.bandit import regret, thompson_simulation
from sim.errors import ConfigError, DataError


def _contacts():
    return pd.DataFrame(
        {
            "t": [5.0, 1.0, 3.0, 1.0, 8.0],
            "trigger": ["a", "b", "a", "a", "b"],
            "true_best_convert_prob": [0.2, 0.1, 0.3, 0.25, 0.1],
            "true_convert_prob": [0.15, 0.1, 0.1, 0.05, 0.04],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_regret_hand_built_total_and_order():
    r = regret(_contacts())
    assert list(r.index) == [11, 13, 12, 10, 14]  # stable sort by t: 11 before 13 (both t=1)
    assert np.allclose(r["regret"], [0.0, 0.2, 0.2, 0.05, 0.06])
    assert np.allclose(r["cumulative_regret"], [0.0, 0.2, 0.4, 0.45, 0.51])
    assert r["n"].tolist() == [1, 2, 3, 4, 5]


def test_regret_by_group():
    r = regret(_contacts(), by="trigger")
    a = r[r["trigger"] == "a"]
    b = r[r["trigger"] == "b"]
    assert np.allclose(a["cumulative_regret"], [0.2, 0.4, 0.45])
    assert np.allclose(b["cumulative_regret"], [0.0, 0.06])
    assert a["n"].tolist() == [1, 2, 3]


def test_regret_zero_without_variants_and_empty():
    c = _contacts().assign(true_convert_prob=lambda d: d["true_best_convert_prob"])
    assert (regret(c)["cumulative_regret"] == 0).all()
    assert len(regret(c.iloc[:0])) == 0


def test_regret_does_not_mutate_input():
    c = _contacts()
    before = c.copy()
    regret(c, by="trigger")
    pd.testing.assert_frame_equal(c, before)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda d: d.drop(columns="t"), "missing column"),
        (lambda d: d.assign(true_convert_prob=[0.15, 0.2, 0.1, 0.05, 0.04]), "exceeds"),
        (lambda d: d.assign(true_convert_prob=[0.15, np.nan, 0.1, 0.05, 0.04]), "missing"),
        (lambda d: d.assign(true_best_convert_prob=[1.2, 0.1, 0.3, 0.25, 0.1]), r"outside \[0, 1\]"),
        (lambda d: d.assign(t=["a", "b", "c", "d", "e"]), "expected numbers"),
        (lambda d: d.assign(true_convert_prob=[True, False, True, False, True]), "booleans"),
    ],
)
def test_regret_malformed(change, match):
    with pytest.raises(DataError, match=match):
        regret(change(_contacts()))


def test_regret_bad_by():
    with pytest.raises(DataError, match="missing column"):
        regret(_contacts(), by="campaign")
    with pytest.raises(ConfigError):
        regret(_contacts(), by=3)
    with pytest.raises(ConfigError):
        regret(_contacts(), by="t")
    with pytest.raises(DataError):
        regret([1, 2, 3])


def test_split_regret_closed_form_and_crn():
    rates = [0.05, 0.08, 0.02]
    s = thompson_simulation(rates, n=3000, seed=4)
    # equal rotation: every arm exactly n/k times, regret = n * (max - mean)
    assert np.bincount(s["split_arm"], minlength=3).tolist() == [1000, 1000, 1000]
    assert s["split_regret"].iloc[-1] == pytest.approx(3000 * (0.08 - np.mean(rates)))
    # common random numbers: where both sent the same arm, the outcome is the same
    same = s["thompson_arm"] == s["split_arm"]
    assert (s.loc[same, "thompson_reward"] == s.loc[same, "split_reward"]).all()
    assert s.index[0] == 1 and s.index.name == "step"


@pytest.mark.timeout(60)
def test_thompson_beats_split_and_converges():
    wins = 0
    for seed in range(10):
        s = thompson_simulation([0.04, 0.06, 0.08], n=5000, seed=seed)
        wins += s["thompson_regret"].iloc[-1] < s["split_regret"].iloc[-1]
        last = s["thompson_arm"].iloc[-1000:]
    assert wins >= 9
    assert (last == 2).mean() > 0.7
    # regret is monotone and never negative
    assert (np.diff(s["thompson_regret"]) >= 0).all()


def test_equal_arms_have_no_regret_and_seed_reproducible():
    s = thompson_simulation([0.1, 0.1], n=500, seed=2)
    assert (s["thompson_regret"] == 0).all() and (s["split_regret"] == 0).all()
    pd.testing.assert_frame_equal(s, thompson_simulation([0.1, 0.1], n=500, seed=2))


def test_burn_in_is_rotation():
    s = thompson_simulation([0.2, 0.5], n=100, seed=0, burn_in=40)
    assert (s["thompson_arm"].iloc[:40].to_numpy() == np.arange(40) % 2).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"true_rates": [0.1], "n": 10},
        {"true_rates": [], "n": 10},
        {"true_rates": "0.1,0.2", "n": 10},
        {"true_rates": 0.1, "n": 10},
        {"true_rates": [0.1, 1.5], "n": 10},
        {"true_rates": [0.1, np.nan], "n": 10},
        {"true_rates": [0.1, "0.2"], "n": 10},
        {"true_rates": [0.1, 0.2], "n": 0},
        {"true_rates": [0.1, 0.2], "n": 10.0},
        {"true_rates": [0.1, 0.2], "n": 10**7},
        {"true_rates": [0.1, 0.2], "n": 10, "seed": -1},
        {"true_rates": [0.1, 0.2], "n": 10, "burn_in": 11},
        {"true_rates": [0.1] * 101, "n": 10},
    ],
)
def test_thompson_malformed(kwargs):
    with pytest.raises(ConfigError):
        thompson_simulation(**kwargs)
