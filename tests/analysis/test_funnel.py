"""Funnel rates with Wilson intervals and CAC (sim.analysis.funnel).

Checked against hand sums, statsmodels' Wilson interval, and Monte Carlo coverage of the true
conversion rates of a binomial funnel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from sim.analysis import funnel
from sim.errors import ConfigError, DataError

FUNNEL = pd.DataFrame(
    {
        "channel": ["search", "social", "search", "social", "affiliate"],
        "t": [0.0, 0.0, 30.0, 30.0, 0.0],
        "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-31", "2025-01-31", "2025-01-01"]),
        "leads": [400, 300, 600, 500, 50],
        "prospects": [80, 45, 120, 55, 0],
        "customers": [20, 9, 30, 11, 0],
        "spend": [800.0, 450.0, 1200.0, 550.0, 0.0],
    }
)


def test_sums_rates_cac_and_wilson_intervals_by_hand():
    out = funnel.funnel_rates(FUNNEL, confidence=0.9)
    assert list(out.index) == ["affiliate", "search", "social"]
    s = out.loc["search"]
    assert (s["leads"], s["prospects"], s["customers"], s["spend"]) == (1000, 200, 50, 2000.0)
    assert s["lead_to_prospect"] == 0.2 and s["prospect_to_customer"] == 0.25 and s["lead_to_customer"] == 0.05
    assert s["cac"] == 40.0
    for step, num, den in funnel.STEPS:
        lo, hi = proportion_confint(s[num], s[den], alpha=0.1, method="wilson")
        assert (s[f"{step}_low"], s[f"{step}_high"]) == pytest.approx((lo, hi))
    assert out.loc["search", "lead_to_customer"] == pytest.approx(
        out.loc["search", "lead_to_prospect"] * out.loc["search", "prospect_to_customer"]
    )
    a = out.loc["affiliate"]  # no prospects: the later steps are undefined, no CAC
    assert a["lead_to_prospect"] == 0.0 and np.isnan(a["prospect_to_customer"]) and np.isnan(a["cac"])
    assert out["leads"].dtype == np.int64


def test_by_none_and_by_several_columns():
    total = funnel.funnel_rates(FUNNEL, by=None)
    assert list(total.index) == ["all"]
    assert total.loc["all", "customers"] == FUNNEL["customers"].sum()
    assert total.loc["all", "cac"] == FUNNEL["spend"].sum() / FUNNEL["customers"].sum()
    two = funnel.funnel_rates(FUNNEL, by=["channel", "t"])
    assert len(two) == 5
    assert two.loc[("search", 30.0), "customers"] == 30


@pytest.mark.parametrize("confidence", [0.8, 0.95])
def test_wilson_intervals_cover_the_true_rates(confidence):
    """Monte Carlo: 400 funnels with true rates 0.2 and 0.25; coverage near the nominal level."""
    rng = np.random.default_rng(7)
    reps = 400
    leads = rng.integers(50, 400, reps)
    prospects = rng.binomial(leads, 0.2)
    customers = rng.binomial(prospects, 0.25)
    f = pd.DataFrame({"rep": np.arange(reps), "leads": leads, "prospects": prospects, "customers": customers,
                      "spend": customers * 30.0})  # fmt: skip
    out = funnel.funnel_rates(f, by="rep", confidence=confidence)
    for step, truth in (("lead_to_prospect", 0.2), ("prospect_to_customer", 0.25), ("lead_to_customer", 0.05)):
        ok = out[f"{step}_low"].notna()
        covered = ((out[f"{step}_low"] <= truth) & (truth <= out[f"{step}_high"]))[ok].mean()
        se = np.sqrt(confidence * (1 - confidence) / ok.sum())
        assert abs(covered - confidence) < 4 * se + 0.02, (step, covered)


def test_input_is_not_modified():
    before = FUNNEL.copy()
    funnel.funnel_rates(FUNNEL)
    pd.testing.assert_frame_equal(FUNNEL, before)


def test_bad_funnels_are_refused_naming_table_column_and_rows():
    with pytest.raises(DataError, match="more prospects than leads") as err:
        funnel.funnel_rates(FUNNEL.assign(prospects=[80, 45, 700, 55, 0]))
    assert (err.value.table, err.value.column, err.value.rows) == ("funnel", "prospects", [2])
    with pytest.raises(DataError, match="more customers than prospects") as err:
        funnel.funnel_rates(FUNNEL.assign(customers=[20, 9, 30, 11, 1]))
    assert err.value.rows == [4]
    with pytest.raises(DataError, match="whole numbers") as err:
        funnel.funnel_rates(FUNNEL.assign(leads=[400.5, 300, 600, 500, 50]))
    assert (err.value.column, err.value.rows) == ("leads", [0])
    with pytest.raises(DataError) as err:
        funnel.funnel_rates(FUNNEL.assign(spend=[800.0, -1.0, 1200.0, 550.0, 0.0]))
    assert (err.value.column, err.value.rows) == ("spend", [1])
    with pytest.raises(DataError) as err:
        funnel.funnel_rates(FUNNEL.assign(customers=[20, np.nan, 30, 11, 0]))
    assert err.value.column == "customers"
    with pytest.raises(DataError, match="missing column"):
        funnel.funnel_rates(FUNNEL.drop(columns="spend"))
    with pytest.raises(DataError, match="empty"):
        funnel.funnel_rates(FUNNEL.iloc[:0])


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"by": 3}, "by=3"), ({"by": []}, "by="), ({"confidence": 1}, "confidence=1")]
)
def test_bad_arguments_are_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        funnel.funnel_rates(FUNNEL, **kwargs)
