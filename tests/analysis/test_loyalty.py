"""sim.analysis.loyalty: the points ledger (totals, periods, liability, breakage), the goal gradient,
the naive members-vs-non-members gap.

Checked against hand-computed ledgers (one with first-in-first-out expiry), a closed-form coverage
check of the redemption-share interval on ledgers drawn with a known share, a goal gradient planted
in synthetic orders (and its absence when none is planted), and property tests (hypothesis) of the
accounting identities. Malformed input raises errors naming the table, column and rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import loyalty
from sim.errors import ConfigError, DataError


def ledger(rows):
    """(customer_id, t, kind, points) rows -> a ledger with dates from 2025-01-01 (day 0)."""
    df = pd.DataFrame(rows, columns=["customer_id", "t", "kind", "points"])
    df["date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(df["t"], unit="D")
    return df


# Customer 1 earns 300 on day 0 and 200 on day 100, redeems 250 on day 150 (taken from the oldest
# points first: 250 of the day-0 lot), and the rest of the day-0 lot (50) expires on day 365 (expiry
# after 365 days, first in first out); 200 left. Customer 2 earns 100 and checks in for 20 points,
# both expire a year later. Customer 3 wins a 1,000-point ranking reward on day 91 and redeems 600.
FIFO = ledger(
    [
        (1, 0.0, "earn", 300.0),
        (1, 100.0, "earn", 200.0),
        (1, 150.0, "redeem", -250.0),
        (1, 365.0, "expire", -50.0),
        (2, 10.0, "earn", 100.0),
        (2, 12.0, "check_in", 20.0),
        (2, 375.0, "expire", -100.0),
        (2, 377.0, "expire", -20.0),
        (3, 91.0, "ranking", 1000.0),
        (3, 200.0, "redeem", -600.0),
    ]
)


def test_totals_by_hand_on_a_fifo_expiry_ledger():
    assert loyalty.ledger_totals(FIFO) == {"issued": 1620.0, "redeemed": 850.0, "expired": 170.0, "outstanding": 600.0}
    # as of day 200 nothing has expired yet; as of a date between the two expiries of customer 2
    assert loyalty.ledger_totals(FIFO, at=200) == {
        "issued": 1620.0,
        "redeemed": 850.0,
        "expired": 0.0,
        "outstanding": 770.0,
    }
    assert loyalty.ledger_totals(FIFO, at="2026-01-11")["expired"] == 150.0  # day 375 is 2026-01-11


def test_liability_by_hand_share_from_matured_points():
    r = loyalty.points_liability(FIFO, point_value=0.02)
    share = 850 / (850 + 170)
    assert r.outstanding_points == 600.0
    assert r.redemption_share == pytest.approx(share)
    assert r.liability == pytest.approx(600 * 0.02 * share)
    assert r.estimated and r.customers == 3 and r.matured_points == 1020.0
    lo, hi = r.share_ci
    assert 0 <= lo < share < hi <= 1
    assert r.liability_ci == pytest.approx((600 * 0.02 * lo, 600 * 0.02 * hi))
    # the interval by hand: customers are the unit (redeemed r_i, matured m_i)
    rr, mm = np.array([250.0, 0.0, 600.0]), np.array([300.0, 120.0, 600.0])
    se = math.sqrt(3 / 2 * ((rr - share * mm) ** 2).sum()) / mm.sum()
    assert hi == pytest.approx(min(1.0, share + 1.959963984540054 * se))
    assert lo == pytest.approx(share - 1.959963984540054 * se)
    frame = r.to_frame()
    assert frame.loc["liability (currency)", "value"] == pytest.approx(r.liability)


def test_liability_without_the_share_is_wrong_and_a_given_rate_is_used():
    given_rate = loyalty.points_liability(FIFO, point_value=0.02, redemption_rate=0.5)
    assert given_rate.liability == pytest.approx(6.0) and given_rate.share_ci == (0.5, 0.5)
    assert not given_rate.estimated
    # a liability in points (no point value) or without the share would be larger: not what we return
    assert loyalty.points_liability(FIFO, 0.02).liability < 600 * 0.02


def test_breakage_by_hand():
    share = 850 / 1020
    assert loyalty.breakage_rate(FIFO) == pytest.approx((170 + 600 * (1 - share)) / 1620)
    assert loyalty.breakage_rate(FIFO, redemption_rate=1.0) == pytest.approx(170 / 1620)
    nothing = ledger([(1, 0.0, "earn", 0.0)])
    assert math.isnan(loyalty.breakage_rate(nothing, redemption_rate=0.5))


def test_nothing_matured_needs_a_redemption_rate():
    young = ledger([(1, 0.0, "earn", 100.0), (2, 3.0, "earn", 50.0)])
    with pytest.raises(DataError, match="redemption_rate"):
        loyalty.points_liability(young, 0.01)
    assert loyalty.points_liability(young, 0.01, redemption_rate=0.6).liability == pytest.approx(0.9)


def test_summary_per_month_by_hand():
    s = loyalty.ledger_summary(FIFO, freq="M")
    assert str(s.index[0]) == "2025-01" and str(s.index[-1]) == "2026-01"
    assert len(s) == 13  # every month, quiet ones with zeros
    assert s.loc[pd.Period("2025-01", "M"), "issued"] == 420.0  # 300 + 100 + 20
    assert s.loc[pd.Period("2025-04", "M"), "issued"] == 1200.0  # day 91 (1 Apr) and day 100
    assert s.loc[pd.Period("2025-05", "M"), "redeemed"] == 250.0  # day 150 is 2025-05-31
    assert s["redeemed"].sum() == 850.0 and s["expired"].sum() == 170.0
    assert s["outstanding"].iloc[-1] == 600.0
    assert (s["net"] == s["issued"] - s["redeemed"] - s["expired"]).all()
    q = loyalty.ledger_summary(FIFO, freq="Q")
    assert q["issued"].sum() == 1620.0 and len(q) == 5


def test_the_checks_name_table_column_and_rows():
    bad_sign = FIFO.copy()
    bad_sign.loc[2, "points"] = 250.0  # a redemption written as a credit
    with pytest.raises(DataError, match=r"points: column 'points': wrong sign.*rows: 2"):
        loyalty.ledger_totals(bad_sign)
    bad_kind = FIFO.copy()
    bad_kind.loc[4, "kind"] = "bonus"
    with pytest.raises(DataError, match=r"column 'kind': unknown kind 'bonus'.*rows: 4"):
        loyalty.ledger_totals(bad_kind)
    nan = FIFO.copy()
    nan.loc[1, "points"] = np.nan
    with pytest.raises(DataError, match=r"column 'points'.*rows: 1"):
        loyalty.points_liability(nan, 0.01)
    with pytest.raises(DataError, match="missing column"):
        loyalty.ledger_totals(FIFO.drop(columns="kind"))
    with pytest.raises(ConfigError, match="point_value"):
        loyalty.points_liability(FIFO, -1.0)
    with pytest.raises(ConfigError, match="redemption_rate"):
        loyalty.points_liability(FIFO, 0.01, redemption_rate=1.5)
    with pytest.raises(ConfigError, match="freq"):
        loyalty.ledger_summary(FIFO, freq="fortnight")
    with pytest.raises(DataError, match="at='2025-13-45' is not a date"):
        loyalty.ledger_totals(FIFO, at="2025-13-45")
    with pytest.raises(DataError, match="missing column"):
        loyalty.ledger_totals(FIFO.drop(columns="t"), at=10)


def test_share_interval_covers_the_true_share():
    """Ledgers drawn with a known redemption share: the 90% interval covers it about 90% of the time."""
    rng = np.random.default_rng(9)
    truth, hits, runs = 0.7, 0, 200
    for _ in range(runs):
        n = 80
        earned = rng.gamma(2.0, 300.0, size=n).round()
        redeems = rng.random(n) < truth  # each customer's balance is redeemed or expires whole
        rows = [(i, 0.0, "earn", e) for i, e in enumerate(earned)]
        rows += [(i, 100.0, "redeem" if r else "expire", -e) for i, (e, r) in enumerate(zip(earned, redeems))]
        lo, hi = loyalty.points_liability(ledger(rows), 0.01, confidence=0.9).share_ci
        hits += lo <= truth <= hi
    assert 0.84 <= hits / runs <= 0.96


# --------------------------------------------------------------------------- the goal gradient


def _orders_with_gradient(strength: float, seed: int = 1) -> pd.DataFrame:
    """Customers with their own rate; after each order the next gap is exponential with rate
    lambda_i x (1 + strength x closeness), closeness 0..1 within 500 of the 1,000 threshold."""
    rng = np.random.default_rng(seed)
    rows = []
    for cid in range(600):
        lam = rng.gamma(2.0, 1 / 60)
        t, spend_log = 0.0, []
        while t < 720:
            amount = rng.gamma(4.0, 25.0)
            spend_log.append((t, amount))
            rows.append((cid, t, amount))
            spend = sum(a for s, a in spend_log if s > t - 365)
            close = max(0.0, 1 - (1000 - spend) / 500) if spend < 1000 else 0.0
            t += rng.exponential(1 / (lam * (1 + strength * close)))
    return pd.DataFrame(rows, columns=["customer_id", "t", "amount"])


def test_goal_gradient_finds_a_planted_gradient_within_customers():
    with_pull = loyalty.goal_gradient(_orders_with_gradient(2.0), [1000.0], bin_width=250.0, relative=True)
    near, far = with_pull.iloc[0], with_pull.iloc[-1]
    assert near["distance_low"] == 0.0 and far["distance_low"] == 750.0
    assert near["ci_high"] < far["ci_low"]  # gaps near the threshold are clearly shorter
    assert near["mean_gap"] / far["mean_gap"] < 0.75


def test_no_planted_gradient_no_relative_gradient():
    none = loyalty.goal_gradient(_orders_with_gradient(0.0), [1000.0], bin_width=250.0, relative=True)
    near, far = none.iloc[0], none.iloc[-1]
    assert near["ci_low"] <= far["ci_high"] and far["ci_low"] <= near["ci_high"]  # intervals overlap
    assert (none["gaps"] > 50).all() and none["gaps"].dtype == "int64"


def test_goal_gradient_by_hand_and_bad_input():
    o = pd.DataFrame(
        {"customer_id": [7, 7, 7, 8], "t": [0.0, 400.0, 410.0, 5.0], "amount": [900.0, 200.0, 100.0, 50.0]}
    )
    g = loyalty.goal_gradient(o, [1000.0, 2000.0], bin_width=500.0)
    # day 0: 900 -> 100 below 1,000, gap 400; day 400: the day-0 order left the window: 200 -> 800 below, gap 10
    assert g["distance_low"].tolist() == [0.0, 500.0] and g["mean_gap"].tolist() == [400.0, 10.0]
    assert g["gaps"].tolist() == [1, 1] and np.isnan(g["ci_low"]).all()
    with pytest.raises(ConfigError, match="thresholds"):
        loyalty.goal_gradient(o, [2000.0, 1000.0])
    with pytest.raises(DataError, match=r"orders: column 'amount'"):
        loyalty.goal_gradient(o.assign(amount=-1.0), [1000.0])


# --------------------------------------------------------------------------- the naive member gap


def test_member_gap_by_hand_and_welch_interval():
    y = pd.Series([10.0, 12.0, 14.0, 2.0, 4.0, 6.0, 8.0])
    m = pd.Series([True, True, True, False, False, False, False])
    r = loyalty.programme_effect(y, m)
    assert r.difference == pytest.approx(12 - 5)
    from scipy import stats

    ref = stats.ttest_ind(y[m], y[~m], equal_var=False).confidence_interval(0.95)
    assert (r.ci_low, r.ci_high) == pytest.approx((ref.low, ref.high))
    with pytest.raises(DataError, match="same index"):
        loyalty.programme_effect(y, m.iloc[:-1])
    with pytest.raises(DataError, match="two members and two non-members"):
        loyalty.programme_effect(y.iloc[:4], m.iloc[:4])


# --------------------------------------------------------------------------- properties

_kind = st.sampled_from(loyalty.LEDGER_KINDS)
_row = st.tuples(st.integers(1, 5), st.floats(0, 500), _kind, st.floats(0, 1000).map(round))


@settings(max_examples=60, deadline=None)
@given(st.lists(_row, min_size=1, max_size=30))
def test_accounting_identities(rows):
    signed = [(c, t, k, p if k in loyalty.CREDIT_KINDS else -p) for c, t, k, p in rows]
    led = ledger(signed)
    tot = loyalty.ledger_totals(led)
    assert tot["outstanding"] == pytest.approx(led["points"].sum())
    s = loyalty.ledger_summary(led, freq="W")
    assert s["outstanding"].iloc[-1] == pytest.approx(tot["outstanding"])
    matured = tot["redeemed"] + tot["expired"]
    if matured > 0 and tot["issued"] > 0:
        r = loyalty.points_liability(led, 0.01)
        assert 0.0 <= r.share_ci[0] <= r.redemption_share <= r.share_ci[1] <= 1.0
        b = loyalty.breakage_rate(led)
        # breakage + expected redemption of what is left + what was redeemed = issued
        expected_redeemed = tot["redeemed"] + tot["outstanding"] * r.redemption_share
        assert b * tot["issued"] + expected_redeemed == pytest.approx(tot["issued"])
