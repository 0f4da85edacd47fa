"""Tests of ``sim.analysis.cohorts``: acquisition-cohort tables, retention curves, the heatmap.

Checked against hand-counted tiny examples and the simulator's order log. Observed lapse and
Kaplan-Meier (now in ``sim.analysis.survival``) are tested in ``test_survival.py``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis import cohorts, survival
from sim.errors import DataError


def _orders(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [r[0] for r in rows], "date": pd.to_datetime([r[1] for r in rows])})


# ----------------------------------------------------------------------------------------
# Cohort tables
# ----------------------------------------------------------------------------------------


def test_cohort_table_counts_and_rates_by_hand():
    orders = _orders(
        [
            (1, "2025-01-03"), (1, "2025-01-20"), (1, "2025-03-05"),  # Jan cohort: active in months 0, 2
            (2, "2025-01-15"), (2, "2025-02-01"), (2, "2025-02-27"),  # Jan cohort: months 0, 1
            (3, "2025-01-31"),                                        # Jan cohort: month 0 only
            (4, "2025-02-10"), (4, "2025-03-01"),                     # Feb cohort: months 0, 1
            (5, "2025-03-30"),                                        # Mar cohort: month 0
        ]
    )  # fmt: skip
    t = cohorts.cohort_table(orders, cutoff="2025-03-31 23:59:59.999999999")
    assert [str(p) for p in t.counts.index] == ["2025-01", "2025-02", "2025-03"]
    assert t.sizes.tolist() == [3, 1, 1]
    assert t.counts.loc[pd.Period("2025-01", "M")].tolist() == [3, 1, 1]
    assert t.counts.loc[pd.Period("2025-02", "M")].iloc[:2].tolist() == [1, 1]
    # cells after the cutoff are missing, not zero
    assert t.counts.loc[pd.Period("2025-02", "M")].isna().tolist() == [False, False, True]
    assert t.counts.loc[pd.Period("2025-03", "M")].isna().tolist() == [False, True, True]
    np.testing.assert_allclose(t.rates.iloc[0].to_numpy(), [1.0, 1 / 3, 1 / 3])
    assert t.counts.columns.name == "periods_since_acquisition" and t.counts.index.name == "cohort"


def test_cohort_table_hides_the_incomplete_last_period():
    orders = _orders([(1, "2025-01-03"), (1, "2025-02-03"), (1, "2025-03-02"), (2, "2025-02-05")])
    part = cohorts.cohort_table(orders, cutoff="2025-03-15")  # March only half observed
    assert part.counts.shape[1] == 2 and part.counts.iloc[0].tolist() == [1, 1]
    full = cohorts.cohort_table(orders, cutoff="2025-03-15", complete_only=False)
    assert full.counts.iloc[0].tolist() == [1, 1, 1]
    assert pd.isna(full.counts.iloc[1, 2])


def test_cohort_table_with_customers_counts_buyers_and_non_buyers():
    orders = _orders([(1, "2025-01-05"), (1, "2025-02-07"), (3, "2025-02-11"), (9, "2025-01-02")])
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 9, 10],
            "acquired_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-11", "2024-12-30", "2025-05-01"]),
        }
    )
    t = cohorts.cohort_table(orders, customers=customers, cutoff="2025-02-28 23:59:59.999999999")
    # cohorts Dec (9), Jan (1, 2), Feb (3); customer 10 is acquired after the cutoff
    assert t.sizes.tolist() == [1, 2, 1]
    assert t.notes["customers_acquired_after_cutoff"] == 1
    jan = t.rates.loc[pd.Period("2025-01", "M")]
    assert jan.iloc[0] == 0.5 and jan.iloc[1] == 0.5  # customer 2 never ordered
    dec = t.counts.loc[pd.Period("2024-12", "M")]
    assert dec.iloc[:3].tolist() == [0, 1, 0]  # customer 9 ordered one month after joining


def test_cohort_table_errors_name_the_column():
    customers = pd.DataFrame({"customer_id": [1], "acquired_date": pd.to_datetime(["2025-01-05"])})
    with pytest.raises(DataError, match="customer_id"):
        cohorts.cohort_table(_orders([(1, "2025-01-05"), (2, "2025-01-06")]), customers=customers)
    with pytest.raises(DataError, match="'date'"):
        cohorts.cohort_table(_orders([(1, "2024-12-05")]), customers=customers)
    with pytest.raises(DataError, match="date"):
        cohorts.cohort_table(pd.DataFrame({"customer_id": [1], "when": ["2025-01-01"]}))
    with pytest.raises(DataError, match="acquired_date"):
        cohorts.cohort_table(_orders([(1, "2025-01-05")]), customers=customers.assign(acquired_date=["soon"]))
    with pytest.raises(DataError, match="customer_id"):
        cohorts.cohort_table(_orders([(1, "2025-01-05")]), customers=pd.concat([customers, customers]))


def test_retention_curves_long_form():
    orders = _orders([(1, "2025-01-03"), (1, "2025-02-03"), (2, "2025-01-09"), (3, "2025-02-20")])
    t = cohorts.cohort_table(orders, cutoff="2025-02-28 23:59:59.999999999")
    long = cohorts.retention_curves(t)
    assert long.columns.tolist() == ["cohort", "periods_since_acquisition", "cohort_size", "active", "retention"]
    assert long[["periods_since_acquisition", "cohort_size", "active"]].to_numpy().tolist() == [
        [0, 2, 2],
        [1, 2, 1],
        [0, 1, 1],
    ]
    assert long["retention"].tolist() == [1.0, 0.5, 1.0]


def test_cohort_table_on_the_simulator():
    res = sim.run("baseline", customers=1500, days=400, seed=3)
    t = cohorts.cohort_table(res.orders, cutoff=res.end_date)
    assert (t.rates.iloc[:, 0].dropna() == 1.0).all()  # everyone buys in the acquisition month
    assert int(t.sizes.sum()) == res.orders["customer_id"].nunique()
    long = cohorts.retention_curves(t)
    assert (long["active"] <= long["cohort_size"]).all()
    # each cell = customers of that cohort with an order k months after the first-order month
    o = res.orders
    first = o.groupby("customer_id")["date"].transform("min").dt.to_period("M")
    k = o["date"].dt.to_period("M").array.asi8 - first.array.asi8
    sel = (first == pd.Period(res.start_date, "M")) & (k == 2)
    assert (
        long.loc[
            (long["cohort"] == pd.Period(res.start_date, "M")) & (long["periods_since_acquisition"] == 2), "active"
        ].item()
        == o.loc[sel, "customer_id"].nunique()
    )


def test_heatmap_has_title_and_labels():
    import matplotlib.pyplot as plt

    orders = _orders([(1, "2025-01-03"), (1, "2025-02-03"), (2, "2025-01-09"), (3, "2025-02-20")])
    ax = cohorts.plot_cohort_heatmap(cohorts.cohort_table(orders, freq="W"), value="counts")
    assert ax.get_title() and ax.get_xlabel() == "weeks since acquisition" and "week" in ax.get_ylabel()
    plt.close("all")


def test_survival_names_are_still_importable_from_cohorts():
    """lapse_durations, KaplanMeier and kaplan_meier moved to sim.analysis.survival; the old path works."""
    from sim.analysis.cohorts import KaplanMeier, kaplan_meier, lapse_durations

    assert KaplanMeier is survival.KaplanMeier
    assert kaplan_meier is survival.kaplan_meier
    assert lapse_durations is survival.lapse_durations
