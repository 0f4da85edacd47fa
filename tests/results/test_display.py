"""``kpi_table``: KPIs shown as text a person reads, each value checked against the raw number.

The tests parse the printed text back and compare it with the value it came from, so a
formatter that rounds wrongly, prints a count with decimals, loses a sign or swaps units fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.errors import ConfigError
from sim.results.display import kpi_display_unit, kpi_table
from sim.schema import KPIS, kpi_unit


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


@pytest.fixture(scope="module")
def res():
    return sim.run(sim.Scenario.load("baseline"), customers=400, days=120, seed=3)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**9))
def test_counts_print_as_integers(n):
    t = kpi_table(pd.Series({"orders": float(n), "customers_acquired": float(n)}))
    for kpi in ("orders", "customers_acquired"):
        text = t.loc[kpi, "value"]
        assert "." not in text
        assert int(text.replace(",", "")) == n


@settings(max_examples=60, deadline=None)
@given(x=st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_shares_print_as_percentages_within_rounding(x):
    text = kpi_table({"repeat_rate": x}).loc["repeat_rate", "value"]
    assert text.endswith("%")
    assert abs(_number(text) / 100 - x) <= 0.0005 + 1e-12


@settings(max_examples=60, deadline=None)
@given(x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_money_keeps_its_sign_and_rounds_to_whole_units(x):
    t = kpi_table(pd.Series({"profit": x}), currency="EUR")
    assert t.loc["profit", "unit"] == "EUR"
    assert abs(_number(t.loc["profit", "value"]) - x) <= 0.5 + 1e-6 * abs(x)


def test_a_run_shows_every_kpi_with_its_unit(res):
    k = res.kpis()
    t = kpi_table(k)
    assert list(t.index) == [str(i) for i in k.index]
    assert "dtype" not in repr(t) and "float64" not in repr(t)
    for kpi, row in t.iterrows():
        raw = k[kpi]
        if np.isnan(raw):
            assert row["value"] == "—", kpi
        elif kpi in KPIS and KPIS[kpi].unit in ("customers", "orders", "tickets", "contacts") and raw.is_integer():
            assert row["value"] == f"{int(raw):,}", kpi  # a count: no decimals
        else:
            assert _number(row["value"]) == pytest.approx(100 * raw if row["unit"] == "%" else raw, rel=0.01, abs=0.5)
        expected_unit = {"share": "%", "currency": "CNY"}.get(kpi_unit(kpi), kpi_unit(kpi))
        if kpi.startswith("n_") and not expected_unit:
            expected_unit = "count"
        assert row["unit"] == expected_unit, kpi


def test_columns_select_and_order_kpis(res):
    t = kpi_table(res.kpis(), columns=["profit", "nps", "sla_met_P0"])
    assert list(t.index) == ["profit", "nps", "sla_met_P0"]
    assert list(t["unit"]) == ["CNY", "points (-100..100)", "%"]


def test_unknown_kpi_is_one_clear_error(res):
    with pytest.raises(ConfigError, match="no_such_kpi") as err:
        kpi_table(res.kpis(), columns=["profit", "no_such_kpi"])
    assert "available" in str(err.value) and len(str(err.value)) < 400


def test_variants_side_by_side(res):
    other = res.kpis() * 2
    frame = pd.DataFrame({"base": res.kpis(), "double": other})
    t = kpi_table(frame, columns=["revenue", "orders"])
    assert list(t.columns) == ["base", "double", "unit"]
    assert _number(t.loc["revenue", "double"]) == pytest.approx(2 * res.kpis()["revenue"], abs=1.0)
    assert t.loc["orders", "base"] == f"{int(res.kpis()['orders']):,}"


def test_monthly_kpis_one_row_per_period_with_units_in_headers(res):
    m = res.kpis(by="month")
    t = kpi_table(m, columns=["orders", "revenue", "csat"])
    assert list(t.columns) == ["orders (orders)", "revenue (CNY)", "csat (%)"]
    assert list(t.index) == [str(p) for p in m.index]
    assert all(len(label) == 7 for label in t.index)  # 2025-01: no day, no time
    assert [int(v.replace(",", "")) for v in t["orders (orders)"]] == [int(v) for v in m["orders"]]


def test_dates_print_without_a_time_of_day():
    days = pd.DatetimeIndex(["2025-01-01", "2025-02-01"], name="month")
    t = kpi_table(pd.DataFrame({"orders": [3.0, 4.0]}, index=days))
    assert list(t.index) == ["2025-01-01", "2025-02-01"]
    wide = kpi_table(pd.DataFrame({pd.Timestamp("2025-03-01"): {"orders": 5.0}}))
    assert list(wide.columns) == ["2025-03-01", "unit"]


def test_missing_values_print_as_a_dash_and_input_is_not_changed():
    k = pd.Series({"sla_met_P0": np.nan, "mean_wait_h": 0.51234})
    before = k.copy()
    t = kpi_table(k)
    assert t.loc["sla_met_P0", "value"] == "—"
    assert t.loc["mean_wait_h", "value"] == "0.512" and t.loc["mean_wait_h", "unit"] == "hours"
    pd.testing.assert_series_equal(k, before)


def test_display_units():
    assert kpi_display_unit("sla_met_P3") == "%"
    assert kpi_display_unit("revenue", "USD") == "USD"
    assert kpi_display_unit("n_sla_met_P0") == "count"
    assert kpi_display_unit("n_unknown") == ""
    with pytest.raises(ConfigError):
        kpi_table(42)  # type: ignore[arg-type]
