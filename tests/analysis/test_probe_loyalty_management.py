"""Probe: malformed inputs to sim.analysis.loyalty and sim.analysis.management.

Each case is a malformed table or argument with the error it must raise (a DataError / ConfigError
naming the column or argument, the value, and what is allowed), never a raw traceback, inf or a
silent result. The accepted cases check the other side: valid variants still work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.loyalty import (
    breakage_rate,
    goal_gradient,
    ledger_summary,
    ledger_totals,
    points_liability,
    programme_effect,
)
from sim.analysis.management import management_reviews, phase_switches
from sim.errors import ConfigError, DataError

_BAD = (DataError, ConfigError)


def _ledger(**over):
    d = {
        "customer_id": [1, 1, 2, 2],
        "t": [0.0, 10.0, 5.0, 400.0],
        "date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-06", "2026-02-05"]),
        "kind": ["earn", "redeem", "earn", "expire"],
        "points": [500.0, -300.0, 200.0, -200.0],
    }
    d.update(over)
    return pd.DataFrame(d)


def _orders(**over):
    d = {"customer_id": [1, 1, 1, 2, 2], "t": [0.0, 30.0, 40.0, 0.0, 50.0], "amount": [500.0, 400.0, 100.0, 100, 100]}
    d.update(over)
    return pd.DataFrame(d)


_R1 = "kpi=nps value=0.2 target=0.25 met=no lever=contacts.1.interval_days 91->76"
_R2 = "kpi=nps value=0.3 target=0.25 met=yes lever=contacts.1.interval_days 76->76"


def _events(**over):
    d = {"t": [91.0, 182.0], "event": ["management_review"] * 2, "detail": [_R1, _R2]}
    d.update(over)
    return pd.DataFrame(d)


def _phases(**over):
    d = {"t": [90.0, 180.0], "event": ["phase", "phase"], "detail": ["tiers_on", "ranking_on"]}
    d.update(over)
    return pd.DataFrame(d)


LOYALTY = [
    ("points nan", lambda: ledger_totals(_ledger(points=[500.0, np.nan, 200, -200])), r"column 'points'"),
    ("points inf", lambda: ledger_totals(_ledger(points=[np.inf, -300, 200, -200])), r"column 'points'"),
    ("points 'inf' text", lambda: ledger_totals(_ledger(points=["inf", -300, 200, -200])), r"column 'points'"),
    ("points booleans", lambda: ledger_totals(_ledger(points=[True, False, True, False])), r"booleans"),
    ("points overflow", lambda: ledger_totals(_ledger(points=[1e308, -1e308, 1e308, -0.0])), r"out of range"),
    ("points absurd", lambda: breakage_rate(_ledger(points=[1e300, -3.0, 2.0, -2.0])), r"points.*out of range"),
    ("kind missing", lambda: ledger_totals(_ledger(kind=["earn", None, "earn", "expire"])), r"column 'kind'"),
    ("kind capitalised", lambda: ledger_totals(_ledger(kind=["Earn", "redeem", "earn", "expire"])), r"unknown kind"),
    ("kind padded", lambda: ledger_totals(_ledger(kind=[" earn", "redeem", "earn", "expire"])), r"unknown kind"),
    ("customer id nan", lambda: ledger_totals(_ledger(customer_id=[1, np.nan, 2, 2])), r"customer_id"),
    ("column missing", lambda: ledger_totals(_ledger().drop(columns="kind")), r"missing column"),
    ("not a frame", lambda: ledger_totals([1, 2]), r"DataFrame"),
    ("at nan", lambda: ledger_totals(_ledger(), at=float("nan")), r"at"),
    ("at inf", lambda: ledger_totals(_ledger(), at=float("inf")), r"at"),
    ("at boolean", lambda: ledger_totals(_ledger(), at=True), r"at"),
    ("at impossible date", lambda: ledger_totals(_ledger(), at="2025-13-45"), r"at='2025-13-45'"),
    ("t nan with at", lambda: ledger_totals(_ledger(t=[0, np.nan, 5, 400]), at=100.0), r"column 't'"),
    ("freq unknown", lambda: ledger_summary(_ledger(), freq="X"), r"freq"),
    ("freq a number", lambda: ledger_summary(_ledger(), freq=3), r"freq"),
    ("summary without dates", lambda: ledger_summary(_ledger().drop(columns="date")), r"missing column"),
    ("summary with NaT", lambda: ledger_summary(_ledger(date=[pd.NaT] + [pd.Timestamp("2025-01-01")] * 3)), r"date"),
    ("point_value nan", lambda: points_liability(_ledger(), float("nan")), r"point_value"),
    ("point_value inf", lambda: points_liability(_ledger(), float("inf")), r"point_value"),
    ("point_value negative", lambda: points_liability(_ledger(), -0.01), r"point_value"),
    ("point_value boolean", lambda: points_liability(_ledger(), True), r"point_value"),
    ("redemption_rate above 1", lambda: points_liability(_ledger(), 0.01, redemption_rate=1.5), r"redemption_rate"),
    ("redemption_rate nan", lambda: points_liability(_ledger(), 0.01, redemption_rate=float("nan")), r"redemption"),
    ("redemption_rate boolean", lambda: breakage_rate(_ledger(), redemption_rate=True), r"redemption_rate"),
    ("redemption_rate negative", lambda: breakage_rate(_ledger(), redemption_rate=-0.1), r"redemption_rate"),
    ("confidence as a percent", lambda: points_liability(_ledger(), 0.01, confidence=95), r"confidence"),
    ("nothing matured", lambda: points_liability(_ledger(kind=["earn"] * 4, points=[1.0, 2, 3, 4]), 0.01), r"rate"),
    ("thresholds nan", lambda: goal_gradient(_orders(), [float("nan")]), r"thresholds"),
    ("thresholds inf", lambda: goal_gradient(_orders(), [100.0, float("inf")]), r"thresholds"),
    ("thresholds empty", lambda: goal_gradient(_orders(), []), r"thresholds"),
    ("thresholds boolean", lambda: goal_gradient(_orders(), [True]), r"thresholds"),
    ("thresholds repeated", lambda: goal_gradient(_orders(), [100.0, 100.0]), r"thresholds"),
    ("rolling_days zero", lambda: goal_gradient(_orders(), [100.0], rolling_days=0), r"rolling_days"),
    ("rolling_days inf", lambda: goal_gradient(_orders(), [100.0], rolling_days=float("inf")), r"rolling_days"),
    ("bin_width zero", lambda: goal_gradient(_orders(), [100.0], bin_width=0), r"bin_width"),
    ("bin_width negative", lambda: goal_gradient(_orders(), [100.0], bin_width=-5), r"bin_width"),
    ("relative as text", lambda: goal_gradient(_orders(), [1000.0], relative="no"), r"relative='no'"),
    ("amount negative", lambda: goal_gradient(_orders(amount=[-1.0, 2, 3, 4, 5]), [100.0]), r"column 'amount'"),
    ("order t nan", lambda: goal_gradient(_orders(t=[0.0, np.nan, 3, 4, 5]), [100.0]), r"column 't'"),
    (
        "member as text",
        lambda: programme_effect(pd.Series([1.0, 2, 3, 4]), pd.Series(["yes", "no", "yes", "no"])),
        r"member",
    ),
    (
        "member 0/1/2",
        lambda: programme_effect(pd.Series([1.0, 2, 3, 4]), pd.Series([0, 1, 2, 0])),
        r"member",
    ),
    (
        "outcome inf",
        lambda: programme_effect(pd.Series([1.0, np.inf, 3, 4, 5]), pd.Series([True, True, False, False, True])),
        r"outcome",
    ),
    (
        "shuffled index",
        lambda: programme_effect(
            pd.Series([1.0, 2, 3, 4], index=[1, 2, 3, 4]), pd.Series([True, True, False, False], index=[4, 3, 2, 1])
        ),
        r"same index",
    ),
    (
        "customer twice",
        lambda: programme_effect(
            pd.Series([1.0, 2, 3, 4, 5], index=[1, 1, 2, 3, 4]),
            pd.Series([True, True, False, False, True], index=[1, 1, 2, 3, 4]),
        ),
        r"customers.*(repeat|twice|duplicate|unique)",
    ),
]

MANAGEMENT = [
    ("t nan", lambda: management_reviews(_events(t=[np.nan, 1.0])), r"column 't'.*row 0"),
    ("t 'inf' text", lambda: management_reviews(_events(t=["inf", 1.0])), r"column 't'.*row 0"),
    ("t booleans", lambda: management_reviews(_events(t=[True, False])), r"column 't'.*True/False"),
    ("t negative", lambda: management_reviews(_events(t=[-91.0, 182.0])), r"column 't'.*>= 0.*row 0"),
    ("detail missing", lambda: management_reviews(_events(detail=[np.nan, _R2])), r"row 0, column 'detail'"),
    (
        "event missing",
        lambda: management_reviews(_events(event=[np.nan, "management_review"])),
        r"row 0, column 'event'",
    ),
    ("detail garbled", lambda: management_reviews(_events(detail=["kpi=nps value=oops", _R2])), r"row 0.*not a"),
    (
        "value inf",
        lambda: management_reviews(_events(detail=[_R1.replace("value=0.2", "value=inf"), _R2])),
        r"row 0.*infinite",
    ),
    (
        "lever value inf",
        lambda: management_reviews(_events(detail=[_R1.replace("91->76", "91->inf"), _R2])),
        r"row 0.*lever value",
    ),
    (
        "verdict on a missing value",
        lambda: management_reviews(_events(detail=[_R1, _R2.replace("value=0.3", "value=nan")])),
        r"row 1.*met=na",
    ),
    (
        "met=yes below target",
        lambda: management_reviews(_events(detail=[_R1, _R2.replace("value=0.3", "value=0.1")])),
        r"row 1.*met=yes with a value below",
    ),
    (
        "met=no above target",
        lambda: management_reviews(_events(detail=[_R1.replace("value=0.2", "value=0.9"), _R2])),
        r"row 0.*met=no with a value above",
    ),
    ("two reviews at one time", lambda: management_reviews(_events(t=[91.0, 91.0])), r"row 1, column 't'.*second"),
    (
        "column twice",
        lambda: management_reviews(pd.concat([_events(), _events()[["t"]]], axis=1)),
        r"'t' appears twice",
    ),
    ("column missing", lambda: management_reviews(_events().drop(columns="detail")), r"missing column"),
    ("not a frame", lambda: management_reviews("events.csv"), r"DataFrame"),
    ("phase name missing", lambda: phase_switches(_phases(detail=[np.nan, "x"])), r"row 0, column 'detail'"),
    ("phase name empty", lambda: phase_switches(_phases(detail=["  ", "x"])), r"row 0, column 'detail'.*name"),
    ("phase t boolean", lambda: phase_switches(_phases(t=[True, False])), r"column 't'"),
    ("phase t negative", lambda: phase_switches(_phases(t=[-5.0, 3.0])), r"column 't'"),
]


@pytest.mark.parametrize(("call", "match"), [c[1:] for c in LOYALTY], ids=[c[0] for c in LOYALTY])
def test_loyalty_refuses_malformed_input(call, match):
    with pytest.raises(_BAD, match=match) as info:
        call()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("call", "match"), [c[1:] for c in MANAGEMENT], ids=[c[0] for c in MANAGEMENT])
def test_management_refuses_malformed_events(call, match):
    with pytest.raises(_BAD, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_valid_variants_still_work():
    # numbers as text are read as numbers (the project's rule), an empty ledger is all zeros
    assert ledger_totals(_ledger(points=["500", "-300", "200", "-200"]))["outstanding"] == 200.0
    assert ledger_totals(_ledger().iloc[:0]) == {"issued": 0.0, "redeemed": 0.0, "expired": 0.0, "outstanding": 0.0}
    # a review with nothing to judge (value nan, met=na) parses; met=no with value == target (rounding) too
    nothing = "kpi=nps value=nan target=nan met=na lever=contacts.1.interval_days 91->91"
    tie = "kpi=nps value=0.25 target=0.25 met=no lever=contacts.1.interval_days 91->76"
    out = management_reviews(_events(detail=[nothing, tie], t=["91", 182]))
    assert out["t"].tolist() == [91.0, 182.0] and out["met"].isna().tolist() == [True, False]
    assert phase_switches(_phases(t=[180.0, 90.0]))["phase"].tolist() == ["ranking_on", "tiers_on"]
    assert programme_effect(pd.Series([10.0, 12, 2, 4]), pd.Series([1, 1, 0, 0])).difference == 8.0
    assert goal_gradient(_orders(), [1000.0], bin_width=500.0, relative=np.bool_(False))["gaps"].sum() == 3
