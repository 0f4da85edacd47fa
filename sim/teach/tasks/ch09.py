"""Tasks of chapter 09 (loyalty programmes): ledger totals, outstanding points per month, the points
liability, breakage, the paired CI of a programme's effect, and the selection bias of members.

The references are private to the checker; the exercises notebook imports none of the package's
versions (``sim.analysis.loyalty``). Every parameter takes at least two values across the cases;
the realistic cases are drawn here with their own seed (a two-year points ledger of 400 members
with first-in-first-out expiry, and a world of 1,500 customers observed with and without a
programme), never the notebook's run.

Examples
--------
>>> [t.name for t in TASKS]
['points_totals', 'monthly_outstanding', 'liability', 'breakage', 'paired_ci', 'selection_bias']
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

# loaded so that Task.forbidden can watch the package's own versions (resolve() never imports a module)
import sim.analysis.loyalty  # noqa: F401
from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]

_CREDIT = ("earn", "check_in", "ranking")
_START = pd.Timestamp("2024-01-01")


def _rows(rows: list[tuple[int, float, str, float]], start: str = "2024-01-01") -> pd.DataFrame:
    """(customer_id, t, kind, points) -> a ledger with dates (day 0 = ``start``) and balances."""
    df = pd.DataFrame(rows, columns=["customer_id", "t", "kind", "points"])
    df.insert(2, "date", pd.Timestamp(start) + pd.to_timedelta(df["t"], unit="D"))
    df["balance"] = df.groupby("customer_id")["points"].cumsum()
    return df


@lru_cache(maxsize=1)
def _ledger() -> pd.DataFrame:
    """A realistic ledger: 400 members over two years; points on orders, weekly-ish check-ins, one
    quarterly ranking, whole-balance redemptions from 800 points, expiry 365 days after earning (FIFO)."""
    rng = np.random.default_rng(909)
    rows: list[tuple[int, float, str, float, int]] = []
    order_id = 0
    for cid in range(101, 501):
        rate, redeem_p, checker = rng.gamma(2.0, 1 / 50), rng.beta(1.2, 3.0), rng.random() < 0.3
        events = [(float(t), "order") for t in np.cumsum(rng.exponential(1 / rate, size=40)) if t < 730]
        if checker:
            events += [(float(t), "check_in") for t in np.cumsum(rng.exponential(9.0, size=90)) if t < 730]
        if rng.random() < 0.05:
            events.append((float(rng.uniform(85, 95)), "ranking"))
        lots: list[list[float]] = []  # [earned at, points left], oldest first
        balance = 0.0
        for t, what in sorted(events):
            while lots and lots[0][0] + 365 <= t:  # expire what is a year old, oldest first
                when, left = lots.pop(0)
                balance -= left
                rows.append((cid, when + 365, "expire", -left, -1))
            if what == "order":
                order_id += 1
                if balance >= 800 and rng.random() < redeem_p:
                    rows.append((cid, t, "redeem", -balance, order_id))
                    balance, lots = 0.0, []
                pts = float(round(rng.gamma(3.0, 100.0)))
                rows.append((cid, t, "earn", pts, order_id))
            else:
                pts = 10.0 if what == "check_in" else 1000.0
                rows.append((cid, t, what, pts, -1))
            lots.append([t, pts])
            balance += pts
        for when, left in lots:
            if when + 365 < 730:
                rows.append((cid, when + 365, "expire", -left, -1))
    df = pd.DataFrame(rows, columns=["customer_id", "t", "kind", "points", "order_id"])
    df = df.sort_values(["t", "customer_id"], kind="stable").reset_index(drop=True)
    df["t"] = df["t"].round(4)
    df.insert(2, "date", (_START + pd.to_timedelta(df["t"], unit="D")).dt.round("s"))
    df["balance"] = df.groupby("customer_id")["points"].cumsum()
    return df[["customer_id", "t", "date", "kind", "points", "balance", "order_id"]]


def _small() -> pd.DataFrame:
    return _rows(
        [
            (1, 0.0, "earn", 300.0),
            (2, 3.0, "earn", 120.0),
            (1, 20.0, "check_in", 10.0),
            (1, 40.0, "redeem", -310.0),
            (2, 45.0, "earn", 80.0),
            (3, 70.0, "ranking", 1000.0),
            (2, 368.0, "expire", -120.0),
            (3, 400.0, "redeem", -400.0),
        ]
    )


def _young() -> pd.DataFrame:
    return _rows([(5, 1.0, "earn", 250.0), (6, 2.5, "earn", 40.0), (5, 9.0, "check_in", 5.0)])


# --------------------------------------------------------------------------- points_totals


def _totals(points: pd.DataFrame) -> pd.Series:
    p = points["points"].astype(float)
    issued = float(p[points["kind"].isin(_CREDIT)].sum())
    redeemed = -float(p[points["kind"] == "redeem"].sum())
    expired = -float(p[points["kind"] == "expire"].sum())
    values = [issued, redeemed, expired, issued - redeemed - expired]
    return pd.Series(values, index=["issued", "redeemed", "expired", "outstanding"], dtype="float64") + 0.0


def _totals_cases() -> list[Case]:
    real = _ledger()
    return [
        Case("three customers: earns, a check-in, a ranking reward, two redemptions, one expiry", (_small(),)),
        Case("only credits so far: nothing redeemed or expired (zeros, not missing)", (_young(),)),
        Case("the same small ledger in another row order (totals do not depend on it)", (_small().iloc[::-1],)),
        Case(f"a realistic two-year ledger: {len(real):,} rows, 400 members", (real,)),
        Case("the realistic ledger's first year only", (real[real["t"] < 365],)),
    ]


# --------------------------------------------------------------------------- monthly_outstanding


def _monthly_outstanding(points: pd.DataFrame) -> pd.Series:
    month = points["date"].dt.to_period("M")
    net = points["points"].astype(float).groupby(month).sum()
    full = pd.period_range(month.min(), month.max(), freq="M")
    return net.reindex(full, fill_value=0.0).cumsum().rename("outstanding")


def _monthly_cases() -> list[Case]:
    real = _ledger()
    edge = _rows(
        [(1, 30.9, "earn", 100.0), (1, 31.0, "earn", 50.0), (2, 58.99, "earn", 10.0), (1, 59.0, "redeem", -150.0)]
    )
    return [
        Case("three customers over 14 months; quiet months keep the previous outstanding", (_small(),)),
        Case(
            "rows at the very end and the very start of a month (31 Jan 21:36 and 1 Feb 00:00): each in its own month",
            (edge,),
        ),
        Case("one month only", (_young(),)),
        Case("rows not in time order", (_small().sample(frac=1.0, random_state=4),)),
        Case("a ledger starting in mid-December (the year changes)", (_rows([(1, 0.0, "earn", 5.0)], "2024-12-15"),)),
        Case(f"a realistic two-year ledger: {len(real):,} rows", (real,)),
    ]


# --------------------------------------------------------------------------- liability and breakage


def _share(points: pd.DataFrame) -> float:
    t = _totals(points)
    return float(t["redeemed"] / (t["redeemed"] + t["expired"]))


def _liability(points: pd.DataFrame, point_value: float) -> float:
    t = _totals(points)
    return float(t["outstanding"] * point_value * _share(points))


def _liability_cases() -> list[Case]:
    real = _ledger()
    return [
        Case("the small ledger, 1 point = 0.01 (currency)", (_small(), 0.01)),
        Case("the same ledger, 1 point = 0.05", (_small(), 0.05)),
        Case(
            "only redemptions have matured: every outstanding point is expected to be redeemed",
            (_small().drop(index=6), 0.02),
        ),
        Case(f"a realistic two-year ledger ({len(real):,} rows), 1 point = 0.01", (real, 0.01)),
        Case("the realistic ledger as of day 500 (t <= 500), 1 point = 0.02", (real[real["t"] <= 500], 0.02)),
        Case(
            "the realistic ledger with its rows not in time order (the last row of a customer is not the latest)",
            (real.sample(frac=1.0, random_state=9), 0.01),
        ),
    ]


def _breakage(points: pd.DataFrame, redemption_rate: float) -> float:
    t = _totals(points)
    return float((t["expired"] + t["outstanding"] * (1 - redemption_rate)) / t["issued"])


def _breakage_cases() -> list[Case]:
    real = _ledger()
    more_expired = _small()
    more_expired.loc[3, "kind"] = "expire"
    return [
        Case("the small ledger, finance expects 60% of outstanding points to be redeemed", (_small(), 0.6)),
        Case("the same ledger at an expected redemption rate of 0.9", (_small(), 0.9)),
        Case("one redemption turned into an expiry: more breakage", (more_expired, 0.6)),
        Case("nothing redeemed or expired yet: only the outstanding points' expected breakage", (_young(), 0.7)),
        Case("rate 1: every outstanding point will be redeemed, breakage = expired / issued", (_small(), 1.0)),
        Case(f"a realistic two-year ledger ({len(real):,} rows), rate 0.6", (real, 0.6)),
        Case("the realistic ledger's first 400 days, rate 0.75", (real[real["t"] < 400], 0.75)),
        Case(
            "the realistic ledger with its rows not in time order, rate 0.6",
            (real.sample(frac=1.0, random_state=8), 0.6),
        ),
    ]


# --------------------------------------------------------------------------- paired_ci


def _paired_ci(with_programme: pd.Series, without: pd.Series, confidence: float = 0.95) -> pd.Series:
    d = (with_programme - without.reindex(with_programme.index)).astype(float)
    n = len(d)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(d.std(ddof=1)) / math.sqrt(n)
    mean = float(d.mean())
    return pd.Series([mean, mean - half, mean + half], index=["difference", "ci_low", "ci_high"], dtype="float64")


@lru_cache(maxsize=1)
def _replications() -> tuple[pd.Series, pd.Series]:
    """Profit of 20 replications of a world with and without a programme (common random numbers)."""
    rng = np.random.default_rng(9090)
    world = rng.normal(50_000, 8_000, size=20)  # the replication's customers: shared by both arms
    off = pd.Series(world, index=pd.RangeIndex(20, name="replication"))
    on = pd.Series(world + 1_200 + rng.normal(0, 900, size=20), index=off.index)
    return on.round(2), off.round(2)


def _paired_cases() -> list[Case]:
    on, off = _replications()
    a = pd.Series([110.0, 95.0, 130.0, 102.0])
    b = pd.Series([100.0, 90.0, 118.0, 101.0])
    return [
        Case("four replications, the same customers in both arms: the CI of the mean paired difference", (a, b)),
        Case("the same at confidence 0.9", (a, b, 0.9)),
        Case("two replications only (a wide t interval)", (a.iloc[:2], b.iloc[:2])),
        Case("the arms listed in different orders: pair replications by label", (a, b.iloc[::-1])),
        Case("20 replications of a year's profit (with - without the programme)", (on, off)),
        Case("the same, confidence 0.8", (on, off), {"confidence": 0.8}),
        Case("the same with the arms swapped: the difference changes sign", (off, on)),
    ]


# --------------------------------------------------------------------------- selection_bias


def _selection_bias(with_programme: pd.Series, without: pd.Series, member: pd.Series) -> pd.Series:
    m = member.astype(bool)
    on = with_programme.astype(float)
    off = without.astype(float).reindex(on.index)
    naive = float(on[m].mean() - on[~m].mean())
    effect = float((on[m] - off[m]).mean())
    return pd.Series(
        [naive, effect, naive - effect], index=["naive_gap", "effect_on_members", "selection_bias"], dtype="float64"
    )


@lru_cache(maxsize=1)
def _worlds() -> tuple[pd.Series, pd.Series, pd.Series]:
    """1,500 customers' yearly spend without and with a tier programme; members reach 1,000."""
    rng = np.random.default_rng(9091)
    n = 1500
    rate = rng.gamma(1.5, 2.0, size=n)  # orders per year: heavy buyers are the ones who qualify
    off = rng.poisson(rate) * rng.gamma(4.0, 75.0, size=n)
    on = off * (1 + rng.normal(0.08, 0.05, size=n)).clip(0.9, None)
    idx = pd.RangeIndex(2001, 2001 + n, name="customer_id")
    return pd.Series(on.round(2), idx), pd.Series(off.round(2), idx), pd.Series(on >= 1000, idx)


def _selection_cases() -> list[Case]:
    on, off, member = _worlds()
    idx = pd.Index([11, 12, 13, 14, 15], name="customer_id")
    s_on = pd.Series([1200.0, 900.0, 300.0, 150.0, 1500.0], idx)
    s_off = pd.Series([1000.0, 880.0, 310.0, 100.0, 1300.0], idx)
    s_member = pd.Series([True, False, False, False, True], idx)
    return [
        Case("five customers, two members", (s_on, s_off, s_member)),
        Case(
            "the same customers, the world without the programme listed in another order",
            (s_on, s_off.iloc[::-1], s_member),
        ),
        Case("member flags given as 0/1", (s_on, s_off, s_member.astype(int))),
        Case("three members out of five", (s_on, s_off, s_member | (s_on > 800))),
        Case(
            f"a realistic world of {len(on):,} customers (members: spend >= 1,000 with the programme)",
            (on, off, member),
        ),
        Case(
            "the same world with its customers shuffled in the world without",
            (on, off.sample(frac=1.0, random_state=2), member),
        ),
    ]


_ORDER_NOTE = "one value per label, in this order"

TASKS = [
    Task(
        "points_totals",
        _totals,
        _totals_cases,
        Expect("series", rtol=1e-9, atol=1e-6),
        "issued = sum of earn, check_in and ranking points; redeemed and expired as positive numbers (the "
        "ledger stores them negative); outstanding = issued - redeemed - expired; a Series with the labels "
        "issued, redeemed, expired, outstanding",
        forbidden=("sim.analysis.loyalty.ledger_totals", "sim.analysis.loyalty.ledger_summary"),
    ),
    Task(
        "monthly_outstanding",
        _monthly_outstanding,
        _monthly_cases,
        Expect("series", rtol=1e-9, atol=1e-6),
        "group the signed points by calendar month of `date` (dt.to_period('M')), list every month from the "
        "first to the last (0 for a quiet month), and take the running total: points on balances at each "
        "month's end; the index is a monthly PeriodIndex",
        forbidden=("sim.analysis.loyalty.ledger_summary",),
    ),
    Task(
        "liability",
        _liability,
        _liability_cases,
        Expect("number", rtol=1e-9, atol=1e-9),
        "share = redeemed / (redeemed + expired) (the points that have left balances); liability = "
        "outstanding points x point_value x share, in currency",
        forbidden=("sim.analysis.loyalty.points_liability",),
    ),
    Task(
        "breakage",
        _breakage,
        _breakage_cases,
        Expect("number", rtol=1e-9, atol=1e-12),
        "(expired + outstanding x (1 - redemption_rate)) / issued: the points that expired plus the outstanding "
        "points expected never to be redeemed, as a share of the points issued",
        forbidden=("sim.analysis.loyalty.breakage_rate",),
    ),
    Task(
        "paired_ci",
        _paired_ci,
        _paired_cases,
        Expect("series", rtol=1e-7, atol=1e-6),
        "pair the replications by label, d = with - without; difference = mean(d); a t interval with "
        "n - 1 degrees of freedom: mean ± t * sd(d, ddof=1) / sqrt(n); labels difference, ci_low, ci_high",
    ),
    Task(
        "selection_bias",
        _selection_bias,
        _selection_cases,
        Expect("series", rtol=1e-9, atol=1e-6),
        "naive_gap = mean of members - mean of non-members, both with the programme; effect_on_members = "
        "mean over members of (with - without), matched by customer label; selection_bias = naive_gap - "
        "effect_on_members",
        forbidden=("sim.analysis.loyalty.programme_effect",),
    ),
]
del _ORDER_NOTE
