"""Non-response weights and the weighted NPS (sim.analysis.satisfaction.weighting).

Post-stratification must reproduce the population mix exactly and remove a planted
non-response bias; the weighted NPS must equal the unweighted one with unit weights and cover
the population NPS at about the nominal rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import satisfaction as sat
from sim.analysis.satisfaction import weighting
from sim.errors import ConfigError, DataError


def _population(n: int = 20000, seed: int = 0) -> pd.DataFrame:
    """Customers with a tier and a channel; gold customers are happier (higher NPS answers)."""
    rng = np.random.default_rng(seed)
    tier = rng.choice(["gold", "silver", "basic"], n, p=[0.1, 0.3, 0.6])
    channel = rng.choice(["email", "app"], n, p=[0.7, 0.3])
    p_promoter = np.select([tier == "gold", tier == "silver"], [0.7, 0.4], 0.15)
    p_detractor = np.select([tier == "gold", tier == "silver"], [0.05, 0.2], 0.5)
    u = rng.random(n)
    score = np.where(u < p_promoter, rng.integers(9, 11, n), np.where(u < p_promoter + p_detractor,
                     rng.integers(0, 7, n), rng.integers(7, 9, n)))  # fmt: skip
    return pd.DataFrame({"customer_id": np.arange(n), "tier": tier, "channel": channel, "score": score})


def _respond(pop: pd.DataFrame, rates: dict[str, float], seed: int = 1) -> pd.DataFrame:
    """Respondents: response probability by tier (the planted non-response bias)."""
    rng = np.random.default_rng(seed)
    p = pop["tier"].map(rates).to_numpy()
    return pop[rng.random(len(pop)) < p].copy()


def test_poststratified_weights_reproduce_the_population_mix_exactly():
    pop = _population()
    resp = _respond(pop, {"gold": 0.6, "silver": 0.3, "basic": 0.05})
    w = weighting.nonresponse_weights(resp, pop, by=["tier", "channel"])
    assert w.index.equals(resp.index) and w.name == "weight"
    assert w.mean() == pytest.approx(1.0)
    cells = resp["tier"] + "|" + resp["channel"]
    weighted_share = w.groupby(cells).sum() / w.sum()
    pop_share = (pop["tier"] + "|" + pop["channel"]).value_counts(normalize=True)
    pd.testing.assert_series_equal(weighted_share.sort_index(), pop_share.sort_index(), check_names=False)
    # a single variable: its margin too
    wt = weighting.nonresponse_weights(resp, pop, by="tier")
    for tier, share in pop["tier"].value_counts(normalize=True).items():
        assert wt[resp["tier"] == tier].sum() / wt.sum() == pytest.approx(share)
    assert w.attrs["effective_n"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    cell_table = w.attrs["cells"]
    assert cell_table["population_share"].sum() == pytest.approx(1.0)


def test_weighting_removes_a_planted_nonresponse_bias():
    pop = _population(seed=3)
    truth = sat.nps(pop["score"]).value
    resp = _respond(pop, {"gold": 0.6, "silver": 0.3, "basic": 0.05}, seed=4)
    raw = sat.nps(resp["score"])
    w = weighting.nonresponse_weights(resp, pop, by="tier")
    weighted = weighting.weighted_nps(resp, w)
    assert raw.value - truth > 15  # happy gold customers over-represented: raw NPS far too high
    assert not raw.ci_low <= truth <= raw.ci_high
    assert weighted.ci_low <= truth <= weighted.ci_high
    assert abs(weighted.value - truth) < 0.2 * abs(raw.value - truth)
    assert weighted.ci_high - weighted.ci_low > raw.ci_high - raw.ci_low  # weighting costs precision
    assert "effective n" in weighted.method


def test_weighted_nps_coverage():
    """Monte Carlo: the 90% interval of the weighted NPS covers the population NPS about 90% of the time."""
    pop = _population(n=6000, seed=5)
    truth = sat.nps(pop["score"]).value
    hits, reps = 0, 300
    for r in range(reps):
        resp = _respond(pop, {"gold": 0.3, "silver": 0.1, "basic": 0.03}, seed=100 + r)
        est = weighting.weighted_nps(resp, weighting.nonresponse_weights(resp, pop, by="tier"), confidence=0.9)
        hits += est.ci_low <= truth <= est.ci_high
    se = np.sqrt(0.9 * 0.1 / reps)
    assert abs(hits / reps - 0.9) < 4 * se


def test_unit_weights_give_the_unweighted_nps_exactly():
    scores = pd.Series(np.random.default_rng(2).integers(0, 11, 157))
    ones = weighting.weighted_nps(scores, pd.Series(1.0, index=scores.index), confidence=0.9)
    plain = sat.nps(scores, confidence=0.9)
    assert (ones.value, ones.ci_low, ones.ci_high, ones.n) == pytest.approx(
        (plain.value, plain.ci_low, plain.ci_high, plain.n)
    )
    assert ones.shares == pytest.approx(plain.shares)


def test_weights_are_scale_free_and_integer_weights_act_like_copies():
    rng = np.random.default_rng(8)
    scores = pd.Series(rng.integers(0, 11, 80))
    w = pd.Series(rng.integers(1, 4, 80).astype(float))
    a = weighting.weighted_nps(scores, w)
    b = weighting.weighted_nps(scores, w * 7.5)
    assert (a.value, a.ci_low, a.ci_high) == pytest.approx((b.value, b.ci_low, b.ci_high))
    copies = scores.repeat(w.astype(int).to_numpy())
    assert a.value == pytest.approx(sat.nps(copies).value)
    assert a.shares == pytest.approx(sat.nps(copies).shares)


def test_weighted_nps_uses_only_nps_rows_and_aligns_by_index():
    surveys = pd.DataFrame({"instrument": ["nps", "csat", "nps", "nps"], "score": [10, 1, 0, 9]}, index=[5, 6, 7, 8])
    w = pd.Series([1.0, 1.0, 3.0, 1.0], index=[8, 7, 6, 5])  # shuffled labels
    r = weighting.weighted_nps(surveys, w)
    # promoters 5 (w 1) and 8 (w 1); detractor 7 (w 1): 100 * (2 - 1) / 3
    assert r.value == pytest.approx(100 / 3) and r.n == 3
    assert weighting.weighted_nps(surveys, [1.0, 9.0, 1.0, 1.0]).value == pytest.approx(100 / 3)


def test_raking_matches_every_margin_and_equals_poststratification_for_one_variable():
    pop = _population(n=8000, seed=9)
    resp = _respond(pop, {"gold": 0.5, "silver": 0.2, "basic": 0.05}, seed=2)
    raked = weighting.nonresponse_weights(resp, pop, by=["tier", "channel"], method="rake")
    for var in ("tier", "channel"):
        got = raked.groupby(resp[var]).sum() / raked.sum()
        want = pop[var].value_counts(normalize=True)
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, atol=1e-9)
    one = weighting.nonresponse_weights(resp, pop, by="tier", method="rake")
    post = weighting.nonresponse_weights(resp, pop, by="tier")
    pd.testing.assert_series_equal(one, post, atol=1e-9)


def test_inputs_are_not_modified():
    pop = _population(n=500)
    resp = _respond(pop, {"gold": 0.9, "silver": 0.5, "basic": 0.3})
    before_p, before_r = pop.copy(), resp.copy()
    w = weighting.nonresponse_weights(resp, pop, by=["tier", "channel"])
    before_w = w.copy()
    weighting.weighted_nps(resp, w)
    pd.testing.assert_frame_equal(pop, before_p)
    pd.testing.assert_frame_equal(resp, before_r)
    pd.testing.assert_series_equal(w, before_w)


def test_bad_inputs_are_refused():
    pop = pd.DataFrame({"tier": ["gold", "basic", "basic", "vip"]})
    resp = pd.DataFrame({"tier": ["gold", "basic"]})
    with pytest.raises(DataError, match="no respondent") as err:
        weighting.nonresponse_weights(resp, pop, by="tier")
    assert "vip" in str(err.value) and err.value.table == "population"
    with pytest.raises(DataError, match="do not occur in the population") as err:
        weighting.nonresponse_weights(pd.DataFrame({"tier": ["gold", "alien"]}), pop.iloc[:3], by="tier")
    assert err.value.rows == [1]
    with pytest.raises(DataError) as err:
        weighting.nonresponse_weights(pd.DataFrame({"tier": ["gold", None]}), pop, by="tier")
    assert (err.value.table, err.value.column, err.value.rows) == ("respondents", "tier", [1])
    with pytest.raises(DataError, match="missing column"):
        weighting.nonresponse_weights(resp, pop, by="channel")
    scores = pd.Series([10, 3, 8])
    with pytest.raises(DataError, match="no weight") as err:
        weighting.weighted_nps(scores, pd.Series([1.0, 1.0], index=[0, 1]))
    assert err.value.rows == [2]
    with pytest.raises(DataError) as err:
        weighting.weighted_nps(scores, [1.0, -1.0, 1.0])
    assert (err.value.table, err.value.rows) == ("weights", [1])
    with pytest.raises(DataError):
        weighting.weighted_nps(scores, [1.0, np.inf, 1.0])
    with pytest.raises(DataError, match="all weights are 0"):
        weighting.weighted_nps(scores, [0, 0, 0])
    with pytest.raises(DataError, match="one weight per answer"):
        weighting.weighted_nps(scores, [1.0])
    with pytest.raises(DataError, match="integers 0..10") as err:
        weighting.weighted_nps(pd.Series([10, 11]), [1, 1])
    assert err.value.rows == [1]
    with pytest.raises(DataError, match="text"):
        weighting.weighted_nps(pd.Series([10, "9"]), [1, 1])
    with pytest.raises(ConfigError, match="method='ipf'"):
        weighting.nonresponse_weights(resp, pop, by="tier", method="ipf")
    with pytest.raises(ConfigError, match="by="):
        weighting.nonresponse_weights(resp, pop, by=[])
