"""R11: one-off vs recurring tool costs, cumulative ROI and break-even (hand-computed values)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.roi import break_even_period, cost_schedule, roi, roi_over_time
from sim.errors import ConfigError, DataError


def test_cost_schedule_puts_one_off_costs_up_front():
    # a CRM (syllabus R11): software 1200 + implementation 3000 once, maintenance 150 + licence 100 a month
    t = cost_schedule({"software": 1200.0, "implementation": 3000.0}, {"maintenance": 150.0, "licence": 100.0}, 4)
    assert t["one_off"].tolist() == [4200.0, 0.0, 0.0, 0.0]
    assert t["recurring"].tolist() == [250.0] * 4
    assert t["total"].tolist() == [4450.0, 250.0, 250.0, 250.0]
    assert t["cumulative"].tolist() == [4450.0, 4700.0, 4950.0, 5200.0]


def test_roi_over_time_by_hand():
    # gain 400 a period; cost 1000 once + 100 a period
    t = roi_over_time(400.0, 1000.0, 100.0, 5)
    assert t["cumulative_cost"].tolist() == [1100.0, 1200.0, 1300.0, 1400.0, 1500.0]
    assert t["cumulative_gain"].tolist() == [400.0, 800.0, 1200.0, 1600.0, 2000.0]
    assert t["cumulative_net"].tolist() == [-700.0, -400.0, -100.0, 200.0, 500.0]
    assert t["cumulative_roi"].tolist() == pytest.approx(
        [-700 / 1100, -400 / 1200, -100 / 1300, 200 / 1400, 500 / 1500]
    )
    # the last cumulative ROI is the plain ROI of the totals
    assert t["cumulative_roi"].iloc[-1] == pytest.approx(roi(2000.0, 1500.0))
    assert break_even_period(t) == 4


def test_discounting_by_hand_and_it_delays_break_even():
    # r = 10%: period t is worth 1 / 1.1^(t-1); gain 500, one-off 1000, recurring 0
    t = roi_over_time(500.0, 1000.0, 0.0, 3, discount_rate=0.1)
    assert t["gain"].tolist() == pytest.approx([500.0, 500 / 1.1, 500 / 1.21])
    assert t["cost"].tolist() == pytest.approx([1000.0, 0.0, 0.0])
    assert t["cumulative_net"].iloc[1] == pytest.approx(500 + 500 / 1.1 - 1000)  # -45.45: not yet
    assert break_even_period(t) == 3
    assert break_even_period(roi_over_time(500.0, 1000.0, 0.0, 3)) == 2  # undiscounted: period 2


def test_gain_per_period_may_vary_and_never_break_even_is_none():
    t = roi_over_time([0.0, 100.0, 300.0], 200.0, 50.0, 3)
    assert t["cumulative_net"].tolist() == [-250.0, -200.0, 50.0]
    assert break_even_period(t) == 3
    assert break_even_period(roi_over_time(40.0, 100.0, 50.0, 24)) is None  # gain below the running cost


def test_recurring_costs_are_what_decides_the_long_run():
    """Tool A: cheap to start, dear to run; tool B the reverse. A looks better for a year, B after."""
    a = roi_over_time(1000.0, 1000.0, 600.0, 36)
    b = roi_over_time(1000.0, 6000.0, 200.0, 36)
    assert a["cumulative_net"].iloc[11] > b["cumulative_net"].iloc[11]
    assert a["cumulative_net"].iloc[35] < b["cumulative_net"].iloc[35]
    # by hand: A 400/period - 1000 once; B 800/period - 6000 once: equal when 400 t - 1000 = 800 t - 6000, t = 12.5
    cross = np.flatnonzero(b["cumulative_net"].to_numpy() > a["cumulative_net"].to_numpy())[0] + 1
    assert cross == 13


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"one_off": -1.0}, ConfigError, "one_off=-1.0 is not allowed"),
        ({"one_off": {"software": float("nan")}}, ConfigError, "one_off['software']=nan"),
        ({"one_off": {}}, DataError, "empty mapping"),
        ({"recurring_per_period": "100"}, ConfigError, "recurring_per_period='100'"),
        ({"periods": 0}, ConfigError, "periods=0 is not allowed"),
        ({"periods": 2.5}, ConfigError, "give a whole number"),
        ({"discount_rate": 1.0}, ConfigError, "discount_rate=1.0 is not allowed"),
        ({"gain_per_period": [1.0, 2.0]}, DataError, "one per period (3)"),
        ({"gain_per_period": [1.0, math.inf, 2.0]}, ConfigError, "gain_per_period[1]=inf"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, error, message):
    args = {"gain_per_period": 100.0, "one_off": 100.0, "recurring_per_period": 10.0, "periods": 3} | kwargs
    with pytest.raises(error) as exc:
        roi_over_time(**args)
    assert message in str(exc.value)
