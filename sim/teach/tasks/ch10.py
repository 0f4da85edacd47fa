"""Tasks of chapter 10 (strategy lab): ROI with one-off and recurring costs, break-even, paired CI,
the fresh-seed winner of a search, and the per-customer summary a purchase model is fitted to.

The references are private to the checker; the exercises notebook imports none of the package's
versions (``sim.analysis.roi.roi``, ``sim.experiments.stats``). Every parameter takes at least two
values across the cases; the realistic cases are drawn here with their own seeds (a year of monthly
margins of a programme and its baseline, profits of two policies on ten common seeds, the trials of
a 20-trial search with three finalists re-run on fresh seeds, an order log of 800 customers), never
the notebook's runs.

Examples
--------
>>> [t.name for t in TASKS]
['programme_roi', 'break_even_period', 'paired_diff_ci', 'fresh_seed_winner', 'purchase_summary']
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

# loaded so that Task.forbidden can watch the package's own versions (resolve() never imports a module)
import sim.analysis.roi  # noqa: F401
from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]


@lru_cache(maxsize=1)
def _year() -> tuple[np.ndarray, np.ndarray]:
    """Monthly margin (CNY) of a base for 12 months, without (baseline) and with a programme."""
    rng = np.random.default_rng(1010)
    baseline = 90_000 + 4_000 * np.sin(np.arange(12) / 12 * 2 * np.pi) + rng.normal(0, 1_500, 12)
    lift = np.linspace(0.0, 9_000.0, 12) + rng.normal(0, 1_200, 12)  # the programme builds up
    return baseline.round(2), (baseline + lift).round(2)


@lru_cache(maxsize=1)
def _seeds() -> tuple[np.ndarray, np.ndarray]:
    """Yearly profit (CNY) of a base policy and a variant on the same ten seeds (common random numbers)."""
    rng = np.random.default_rng(1011)
    world = rng.normal(400_000, 30_000, 10)  # what the seed does to both arms
    base = world + rng.normal(0, 2_000, 10)
    variant = world + 3_500 + rng.normal(0, 2_500, 10)
    return base.round(2), variant.round(2)


# --------------------------------------------------------------------------- programme_roi


def _programme_roi(treated: Any, baseline: Any, one_off: float, recurring: float) -> float:
    gain = float(np.sum(np.asarray(treated, dtype=float) - np.asarray(baseline, dtype=float)))
    cost = one_off + recurring * len(np.asarray(treated, dtype=float))
    if cost == 0:
        return float("nan")
    return (gain - cost) / cost


def _roi_cases() -> list[Case]:
    base, treated = _year()
    return [
        Case(
            "three periods: margin 100, 120, 130 with the programme vs 100, 100, 100 without; "
            "one-off 20, recurring 5 a period",
            ([100, 120, 130], [100, 100, 100], 20, 5),
        ),
        Case("the same margins, no one-off cost (recurring only)", ([100, 120, 130], [100, 100, 100], 0, 5)),
        Case("the same margins, a one-off cost only", ([100, 120, 130], [100, 100, 100], 40, 0)),
        Case(
            "a programme that loses margin against its baseline: ROI below -1 is possible",
            ([90.0, 95.0], [100.0, 100.0], 10.0, 2.0),
        ),
        Case("one period only (recurring cost counted once)", ([500.0], [300.0], 100.0, 50.0)),
        Case("no cost at all: ROI is undefined (NaN)", ([110.0, 120.0], [100.0, 100.0], 0.0, 0.0)),
        Case(
            "numpy arrays of six months",
            (np.array([10.0, 12, 15, 18, 20, 21]), np.array([10.0, 11, 11, 12, 12, 12]), 15.0, 1.5),
        ),
        Case(
            "pandas Series whose labels differ (match by position)",
            (
                pd.Series([200.0, 260.0, 300.0], index=[7, 8, 9]),
                pd.Series([180.0, 200.0, 210.0], index=[1, 2, 3]),
                30.0,
                10.0,
            ),
        ),
        Case(
            "a realistic year: 12 monthly margins (CNY), one-off 25,000 (software + set-up), 1,500 a month",
            (treated, base, 25_000.0, 1_500.0),
        ),
        Case("the same year with a dearer one-off (80,000) and 1,000 a month", (treated, base, 80_000.0, 1_000.0)),
    ]


# --------------------------------------------------------------------------- break_even_period


def _break_even_period(treated: Any, baseline: Any, one_off: float, recurring: float) -> float | int:
    gain = np.cumsum(np.asarray(treated, dtype=float) - np.asarray(baseline, dtype=float))
    k = np.arange(1, len(gain) + 1)
    net = gain - (one_off + recurring * k)
    hit = np.flatnonzero(net >= 0)
    return int(k[hit[0]]) if len(hit) else float("nan")


def _break_even_cases() -> list[Case]:
    base, treated = _year()
    return [
        Case(
            "gains 10, 30, 30, 30 a period, one-off 50, recurring 5: the first period with cumulative net >= 0",
            ([110, 130, 130, 130], [100, 100, 100, 100], 50, 5),
        ),
        Case("exactly zero net counts as broken even", ([110, 130, 130], [100, 100, 100], 30, 5)),
        Case("the same gains without the one-off cost", ([110, 130, 130, 130], [100, 100, 100, 100], 0, 5)),
        Case("pays back in the first period", ([200.0, 200.0], [100.0, 100.0], 50.0, 10.0)),
        Case(
            "never pays back within the periods given: NaN", ([101.0, 102.0, 103.0], [100.0, 100.0, 100.0], 100.0, 1.0)
        ),
        Case("the recurring cost eats the gain every period: never (NaN)", ([105.0] * 5, [100.0] * 5, 1.0, 6.0)),
        Case(
            "a dip below break-even after it was reached still counts the first period",
            ([160.0, 90.0, 130.0], [100.0, 100.0, 100.0], 50.0, 5.0),
        ),
        Case(
            "pandas Series with their own labels (by position)",
            (
                pd.Series([150.0, 150.0, 150.0], index=[3, 2, 1]),
                pd.Series([100.0, 120.0, 100.0], index=[1, 2, 3]),
                60.0,
                0.0,
            ),
        ),
        Case(
            "pandas Series with the same labels in another order (pair by position, not by label)",
            (
                pd.Series([200.0, 110.0, 110.0], index=[3, 2, 1]),
                pd.Series([100.0, 100.0, 100.0], index=[1, 2, 3]),
                60.0,
                0.0,
            ),
        ),
        Case("a realistic year: 12 months, one-off 25,000, 1,500 a month", (treated, base, 25_000.0, 1_500.0)),
        Case("the same year with one-off 5,000 and 500 a month", (treated, base, 5_000.0, 500.0)),
    ]


# --------------------------------------------------------------------------- paired_diff_ci

_CI = ["diff", "ci_low", "ci_high"]


def _paired_diff_ci(a: Any, b: Any, confidence: float = 0.95) -> pd.Series:
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    if n < 2:
        return pd.Series([mean, float("nan"), float("nan")], index=_CI, dtype="float64")
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
    return pd.Series([mean, mean - half, mean + half], index=_CI, dtype="float64")


def _paired_cases() -> list[Case]:
    base, variant = _seeds()
    return [
        Case(
            "four seeds: a = 10, 12, 9, 11 and b = 12, 13, 12, 12 (b - a, Student t with n - 1 df)",
            ([10.0, 12.0, 9.0, 11.0], [12.0, 13.0, 12.0, 12.0]),
        ),
        Case(
            "the same seeds the other way round: the difference changes sign",
            ([12.0, 13.0, 12.0, 12.0], [10.0, 12.0, 9.0, 11.0]),
        ),
        Case("the same seeds at confidence 0.9", ([10.0, 12.0, 9.0, 11.0], [12.0, 13.0, 12.0, 12.0], 0.9)),
        Case(
            "the same seeds at confidence 0.99 given by name",
            ([10.0, 12.0, 9.0, 11.0], [12.0, 13.0, 12.0, 12.0]),
            {"confidence": 0.99},
        ),
        Case(
            "large seed-to-seed noise shared by both arms: the paired interval is narrow",
            ([100.0, 300.0, 200.0, 500.0, 50.0], [103.0, 301.0, 204.0, 502.0, 52.0]),
        ),
        Case(
            "seeds in run order: the i-th value of a goes with the i-th of b (never sort them)",
            ([5.0, 1.0, 3.0, 8.0], [4.0, 6.0, 2.0, 9.5]),
        ),
        Case("one seed: the mean difference, but no interval (NaN)", ([3.0], [4.5])),
        Case(
            "pandas Series with different labels (pair by position)",
            (
                pd.Series([1.0, 2.0, 4.0], index=["s3", "s1", "s2"]),
                pd.Series([2.0, 2.5, 5.0], index=["s1", "s2", "s3"]),
            ),
        ),
        Case("a realistic comparison: yearly profit of two policies on ten common seeds (CNY)", (base, variant)),
        Case("the same ten seeds at confidence 0.8", (base, variant), {"confidence": 0.8}),
    ]


# --------------------------------------------------------------------------- fresh_seed_winner


def _fresh_seed_winner(trials: pd.DataFrame, fresh: pd.DataFrame) -> int:
    means = fresh.groupby("trial")["value"].mean()
    best = means.max()
    return int(min(t for t, v in means.items() if v == best))


def _search(seed: int, n_trials: int, n_fresh: int, lucky: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A search: each trial's true value, its noisy score on the search seeds, three finalists on fresh seeds."""
    rng = np.random.default_rng(seed)
    true = rng.normal(300_000, 8_000, n_trials)
    score = true + rng.normal(0, 6_000, n_trials)
    if lucky:  # a mediocre trial got lucky on the search seeds
        worst = int(np.argmin(true))
        score[worst] = score.max() + 2_000
    trials = pd.DataFrame({"trial": np.arange(n_trials, dtype=np.int64), "value": score.round(2)})
    finalists = trials.sort_values("value", ascending=False, kind="stable")["trial"].head(3).to_numpy()
    rows = [(int(f), s, round(float(true[f] + rng.normal(0, 3_000)), 2)) for f in finalists for s in range(n_fresh)]
    fresh = pd.DataFrame(rows, columns=["trial", "seed", "value"]).astype({"trial": "int64", "seed": "int64"})
    return trials, fresh


def _frame(rows: list[tuple[int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["trial", "value"]).astype({"trial": "int64"})


def _fresh(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["trial", "seed", "value"]).astype({"trial": "int64", "seed": "int64"})


def _winner_cases() -> list[Case]:
    trials = _frame([(0, 10.0), (1, 14.0), (2, 12.0), (3, 13.0)])
    fresh = _fresh([(1, 0, 11.0), (1, 1, 11.5), (3, 0, 12.5), (3, 1, 12.0), (2, 0, 12.2), (2, 1, 11.0)])
    uneven = _fresh([(1, 0, 20.0), (1, 1, 20.0), (1, 2, 20.0), (3, 0, 25.0), (2, 0, 21.0), (2, 1, 22.0)])
    one_seed_high = _fresh([(1, 0, 30.0), (1, 1, 0.0), (2, 0, 16.0), (2, 1, 16.0)])
    tie = _fresh([(3, 0, 5.0), (3, 1, 7.0), (1, 0, 6.0), (1, 1, 6.0)])
    shuffled = fresh.sample(frac=1.0, random_state=4).reset_index(drop=True)
    real_trials, real_fresh = _search(1012, 20, 10, lucky=True)
    other_trials, other_fresh = _search(1013, 40, 6, lucky=False)
    return [
        Case(
            "four trials, three finalists with two fresh seeds each: the best mean on the fresh seeds", (trials, fresh)
        ),
        Case("the same rows in another order", (trials, shuffled)),
        Case("finalists with different numbers of fresh seeds: compare means, not sums", (trials, uneven)),
        Case(
            "one great and one terrible fresh seed: the mean counts, not the best single run",
            (_frame([(1, 9.0), (2, 8.0)]), one_seed_high),
        ),
        Case(
            "three fresh seeds: one finalist has one great run and two poor ones (the mean, not the median)",
            (
                _frame([(1, 9.0), (2, 8.0)]),
                _fresh([(1, 0, 30.0), (1, 1, 0.0), (1, 2, 0.0), (2, 0, 5.0), (2, 1, 5.0), (2, 2, 5.0)]),
            ),
        ),
        Case(
            "four fresh seeds, some runs giving the same value: the plain mean of every run (no trimming, "
            "no duplicates dropped)",
            (
                _frame([(1, 9.0), (2, 8.0), (3, 7.0)]),
                _fresh(
                    [
                        (t, s, v)
                        for t, vs in ((1, (10.0, 10.0, 10.0, 30.0)), (2, (16.0,) * 4), (3, (-20.0, 17.0, 17.0, 17.0)))
                        for s, v in enumerate(vs)
                    ]
                ),
            ),
        ),
        Case("two finalists tie on the fresh seeds: the smaller trial number", (_frame([(1, 5.0), (3, 6.0)]), tie)),
        Case(
            "negative values (a loss): the largest mean is still the best",
            (_frame([(4, -1.0), (5, -2.0)]), _fresh([(4, 0, -3.0), (5, 0, -1.0), (4, 1, -2.0), (5, 1, -2.5)])),
        ),
        Case(
            "a realistic 20-trial search; a mediocre trial got lucky on the search seeds (10 fresh seeds each)",
            (real_trials, real_fresh),
        ),
        Case("a realistic 40-trial search, six fresh seeds each", (other_trials, other_fresh)),
    ]


# --------------------------------------------------------------------------- purchase_summary

_SUMMARY = ["frequency", "recency", "T"]


def _purchase_summary(orders: pd.DataFrame, end: float) -> pd.DataFrame:
    g = orders.groupby("customer_id")["t"]
    first, last = g.min(), g.max()
    out = pd.DataFrame(
        {
            "frequency": (g.size() - 1).astype("int64"),
            "recency": (last - first).astype("float64"),
            "T": (end - first).astype("float64"),
        }
    )
    return out[_SUMMARY]


def _orders(rows: list[tuple[int, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "t"]).astype({"customer_id": "int64", "t": "float64"})
    df.insert(0, "order_id", np.arange(1, len(df) + 1, dtype=np.int64))
    df["amount"] = np.round(100 + 10 * np.arange(len(df)) % 170, 2).astype("float64")
    return df


@lru_cache(maxsize=1)
def _log() -> pd.DataFrame:
    """An order log of 800 customers over 365 days (BG/NBD-like: Poisson purchases until a dropout)."""
    rng = np.random.default_rng(1014)
    rows = []
    for c in range(1, 801):
        t = rng.uniform(0, 330)
        rate = rng.gamma(0.7, 1 / 40)
        rows.append((c, round(t, 4)))
        while True:
            if rng.random() < 0.15:
                break
            t += rng.exponential(1 / rate)
            if t >= 365:
                break
            rows.append((c, round(t, 4)))
    df = _orders(rows)
    return df.sample(frac=1.0, random_state=5).reset_index(drop=True)


def _summary_cases() -> list[Case]:
    small = _orders([(1, 0.5), (2, 3.0), (1, 10.5), (1, 40.0), (3, 7.25)])
    unsorted = _orders([(5, 30.0), (5, 2.0), (9, 12.0), (5, 14.0)])
    same_day = _orders([(4, 6.0), (4, 6.0), (4, 9.5)])
    log = _log()
    return [
        Case(
            "three customers, end = 50 (days): frequency = repeat orders, recency = last - first, T = end - first",
            (small, 50.0),
        ),
        Case("the same orders, end = 100", (small, 100.0)),
        Case("orders not in time order: the first order is the earliest t, not the first row", (unsorted, 60.0)),
        Case("a one-time buyer: frequency 0, recency 0", (_orders([(8, 20.0)]), 30.0)),
        Case("two orders at the same time count as two orders", (same_day, 10.0)),
        Case(
            f"a realistic log: {log['customer_id'].nunique():,} customers, {len(log):,} orders over 365 days",
            (log, 365.0),
        ),
        Case("the same log observed until day 400", (log, 400.0)),
    ]


TASKS = [
    Task(
        "programme_roi",
        _programme_roi,
        _roi_cases,
        Expect("number", rtol=1e-9, atol=1e-12),
        "gain = sum over periods of (treated - baseline), matched by position; cost = one_off + recurring x "
        "number of periods; ROI = (gain - cost) / cost as a fraction (NaN when the cost is 0)",
        forbidden=("sim.analysis.roi.roi", "sim.analysis.roi.incremental_roi", "sim.analysis.roi.roi_over_time"),
    ),
    Task(
        "break_even_period",
        _break_even_period,
        _break_even_cases,
        Expect("count"),
        "after period k (k = 1, 2, ...) the net is the cumulative gain (treated - baseline) minus "
        "one_off + recurring x k; return the first k with net >= 0 as an int, or NaN if there is none",
        forbidden=("sim.analysis.roi.break_even_period", "sim.analysis.roi.roi_over_time"),
    ),
    Task(
        "paired_diff_ci",
        _paired_diff_ci,
        _paired_cases,
        Expect("series", rtol=1e-7, atol=1e-9),
        "d = b - a per seed (by position); diff = mean(d); half-width = t(0.5 + confidence/2, n - 1) x "
        "sd(d, ddof=1) / sqrt(n); a Series with index diff, ci_low, ci_high (NaN interval when n < 2)",
    ),
    Task(
        "fresh_seed_winner",
        _fresh_seed_winner,
        _winner_cases,
        Expect("count"),
        "mean `value` per trial over its fresh seeds (the `fresh` table only: the search scores in `trials` "
        "are biased upwards); the trial number with the largest mean, the smaller number on a tie, as an int",
    ),
    Task(
        "purchase_summary",
        _purchase_summary,
        _summary_cases,
        # order=None: the row labels (the customer ids, sorted) are compared too; with `order` set the
        # judge compares values only, so a table without its customer ids would pass
        Expect("frame", int_columns=("frequency",)),
        "one row per customer_id (sorted, as the index): frequency = orders - 1 (an int), recency = "
        "t of the last order - t of the first, T = end - t of the first, all in days",
    ),
]
