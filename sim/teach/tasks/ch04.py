"""Tasks of chapter 04 (lifecycle & CLV): stage labels, a retention curve, sBG survival, CLV, CAC per channel.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.lifecycle.lifecycle_stages``, the sBG fitter's
``survival``, ``sim.analysis.funnel.funnel_rates``). Every parameter takes at least two
values across the cases; hand-built cases sit on every boundary of the specification, and the
realistic cases are seeded synthetic histories, cohorts and funnels, never the notebook's
simulation.

Examples
--------
>>> [t.name for t in TASKS]
['lifecycle_stage', 'retention_curve', 'sbg_survival', 'constant_retention_clv', 'cac_by_channel']
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]


# --------------------------------------------------------------------------- lifecycle_stage


def _lifecycle_stage(
    history: pd.DataFrame, new_days: float = 90, active_days: float = 90, at_risk_days: float = 180,
    lost_days: float = 365,
) -> pd.Series:  # fmt: skip
    tenure, recency = history["tenure_days"], history["recency_days"]
    stage = pd.Series("lost", index=history.index, dtype=object)
    stage[recency <= lost_days] = "dormant"
    stage[recency <= at_risk_days] = "at_risk"
    stage[recency <= active_days] = "active"
    stage[tenure <= new_days] = "new"
    return stage


def _history(rows: list[tuple[float, float]], index: object = None) -> pd.DataFrame:
    ids = list(range(101, 101 + len(rows)))
    frame = pd.DataFrame(rows, columns=["tenure_days", "recency_days"], index=index)
    frame.insert(0, "customer_id", ids)
    return frame


@lru_cache(maxsize=1)
def _shop_history() -> pd.DataFrame:
    """2 500 customers of a two-year-old shop (seeded): first orders spread over two years, then
    Poisson purchases at Gamma rates until a silent dropout (a BG/NBD-like history)."""
    rng = np.random.default_rng(2404)
    n = 2500
    tenure = rng.uniform(0.0, 730.0, n)
    rate = rng.gamma(0.8, 1 / 40.0, n)  # orders per day
    alive_for = rng.exponential(300.0, n)  # days until a silent dropout
    last = np.zeros(n)
    for i in range(n):
        horizon = min(tenure[i], alive_for[i])
        k = rng.poisson(rate[i] * horizon)
        last[i] = rng.uniform(0.0, horizon, k).max() if k else 0.0
    frame = pd.DataFrame({"customer_id": np.arange(1, n + 1), "tenure_days": tenure.round(2),
                          "recency_days": (tenure - last).round(2)})  # fmt: skip
    return frame


def _stage_cases() -> list[Case]:
    edges = _history([(90.0, 10.0), (90.1, 10.0), (400.0, 90.0), (400.0, 90.1), (400.0, 180.0), (400.0, 180.1),
                      (400.0, 365.0), (400.0, 365.1), (800.0, 700.0)])  # fmt: skip
    young = _history([(30.0, 30.0), (60.0, 0.0), (0.0, 0.0)])
    mixed = _history([(500.0, 5.0), (45.0, 45.0), (300.0, 250.0), (120.0, 100.0), (700.0, 400.0)],
                     index=[40, 10, 30, 20, 50])  # fmt: skip
    spread = _history([(t, r) for t in (20.0, 70.0, 150.0, 400.0, 900.0) for r in (0.0, 40.0, 75.0, 130.0, 200.0,
                       320.0, 500.0) if r <= t])  # fmt: skip
    shop = _shop_history()
    return [
        Case("a tenure of exactly new_days is still new; each stage's upper bound is inclusive (<=)", (edges,)),
        Case("customers whose first order is recent are new, whatever their recency", (young,)),
        Case("the input's row labels (index) are kept, in the input's order", (mixed,)),
        Case("new_days = 30: fewer new customers", (spread,), {"new_days": 30}),
        Case("active_days = 60 and at_risk_days = 120", (spread,), {"active_days": 60, "at_risk_days": 120}),
        Case("lost_days = 270", (spread,), {"lost_days": 270}),
        Case("all four thresholds given by position: 60, 45, 150, 300", (spread, 60, 45, 150, 300)),
        Case("new_days = 0: nobody in this table is new", (edges,), {"new_days": 0}),
        Case("an empty table gives an empty Series", (_history([]),)),
        Case(f"the {len(shop):,} customers of a two-year-old shop", (shop,)),
        Case("the same shop with a 180-day new window and a 2-year lost threshold", (shop,),
             {"new_days": 180, "lost_days": 730}),
    ]  # fmt: skip


# --------------------------------------------------------------------------- retention_curve


def _retention_curve(survivors: pd.Series) -> pd.Series:
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:]


def _survivors(counts: list[int], start: int = 0, name: str | None = "survivors") -> pd.Series:
    return pd.Series(counts, index=pd.RangeIndex(start, start + len(counts), name="period"), name=name)


def _cohort(alpha: float, beta: float, size: int, periods: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    lifetime = rng.geometric(rng.beta(alpha, beta, size))
    return _survivors([int((lifetime > t).sum()) for t in range(periods + 1)])


def _curve_cases() -> list[Case]:
    return [
        Case("Fader & Hardie's 'Regular' cohort, years 0-7", (_survivors([1000, 631, 468, 382, 326, 289, 262, 241]),)),
        Case("two periods: one retention rate, for period 1", (_survivors([200, 150]),)),
        Case("nobody cancels: every rate is 1", (_survivors([50, 50, 50, 50]),)),
        Case("everybody leaves in period 2: the rate after that is 0/0, missing (NaN)", (_survivors([80, 20, 0, 0]),)),
        Case("periods numbered from 1 (a cohort counted from its first renewal): keep the labels",
             (_survivors([400, 300, 250, 220], start=1),)),
        Case("a cohort of 10 with large drops", (_survivors([10, 7, 3, 2, 1]),)),
        Case("counts held as floats (an average of cohorts)", (_survivors([500.0, 362.5, 290.25, 250.0]),)),  # type: ignore[list-item]
        Case("a simulated monthly cohort of 3 000 subscribers, 24 months", (_cohort(0.7, 2.5, 3000, 24, 11),)),
        Case("a simulated annual cohort of 800 subscribers, 6 years", (_cohort(2.0, 6.0, 800, 6, 12),)),
    ]  # fmt: skip


# --------------------------------------------------------------------------- sbg_survival


def _sbg_survival(alpha: float, beta: float, t: int) -> float:
    s = 1.0
    for i in range(1, t + 1):
        s *= (beta + i - 1) / (alpha + beta + i - 1)
    return s


def _survival_cases() -> list[Case]:
    return [
        Case("t = 0: the whole cohort is there", (0.7, 1.2, 0)),
        Case("t = 1: the share that renews once, beta / (alpha + beta)", (0.7, 1.2, 1)),
        Case("alpha = beta = 1 (churn ~ uniform): S(t) = 1 / (t + 1)", (1.0, 1.0, 4)),
        Case("Fader & Hardie's 'Regular' estimates, after 7 years", (0.704, 1.182, 7)),
        Case("Fader & Hardie's 'High End' estimates, after 12 years", (0.668, 3.806, 12)),
        Case("a monthly plan (alpha = 0.7, beta = 2.5) after 24 months", (0.7, 2.5, 24)),
        Case("alpha larger than beta (most customers cancel early), t = 3", (3.0, 0.5, 3)),
        Case("a long horizon: 240 periods", (0.5, 5.0, 240)),
        Case("beta = 10, alpha = 2, t = 2", (2.0, 10.0, 2)),
        Case("t given as a keyword", (1.5, 4.0), {"t": 6}),
    ]


# --------------------------------------------------------------------------- constant_retention_clv


def _constant_retention_clv(margin: float, retention: float, discount: float = 0.10) -> float:
    return margin * (1 + discount) / (1 + discount - retention)


def _clv_cases() -> list[Case]:
    return [
        Case("retention 0: only the payment made now counts", (100.0, 0.0, 0.10)),
        Case("discount 0: the undiscounted sum 1/(1 - r) payments", (100.0, 0.8, 0.0)),
        Case("retention 1 (nobody ever leaves) with a 10% discount rate", (50.0, 1.0, 0.10)),
        Case("margin 120 per period, retention 0.75, discount 0.10", (120.0, 0.75, 0.10)),
        Case("margin 120 per period, retention 0.75, discount 0.25", (120.0, 0.75, 0.25)),
        Case("retention 0.9, discount 0.05", (30.0, 0.9, 0.05)),
        Case("discount left out: its default is 10% per period", (200.0, 0.6)),
        Case("arguments given by keyword", (), {"margin": 18.5, "retention": 0.97, "discount": 0.008}),
        Case("a margin of 0 is worth 0", (0.0, 0.5, 0.1)),
    ]


# --------------------------------------------------------------------------- cac_by_channel


_FUNNEL_SUMS = ["leads", "prospects", "customers", "spend"]


def _cac_by_channel(funnel: pd.DataFrame) -> pd.DataFrame:
    out = funnel.groupby("channel")[_FUNNEL_SUMS].sum()
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def _funnel(rows: list[tuple[str, float, int, int, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["channel", "t", "leads", "prospects", "customers", "spend"])
    frame.insert(2, "date", pd.Timestamp("2025-01-01") + pd.to_timedelta(frame["t"], unit="D"))
    return frame


@lru_cache(maxsize=1)
def _synthetic_funnel() -> pd.DataFrame:
    """Two years of monthly funnel rows for four channels (seeded; rates unlike the notebook's)."""
    rng = np.random.default_rng(404)
    rows = []
    for channel, leads_mean, to_prospect, to_customer, per_lead in [
        ("search", 900, 0.22, 0.30, 5.5), ("social", 1400, 0.12, 0.20, 1.4),
        ("store", 300, 0.45, 0.40, 7.0), ("partner", 120, 0.30, 0.15, 6.0),
    ]:  # fmt: skip
        for month in range(24):
            leads = int(rng.poisson(leads_mean))
            prospects = int(rng.binomial(leads, to_prospect))
            customers = int(rng.binomial(prospects, to_customer))
            spend = round(leads * per_lead * rng.lognormal(0.0, 0.2), 2)  # paid per lead, price varies
            rows.append((channel, 30.0 * month, leads, prospects, customers, spend))
    frame = _funnel(rows)
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # rows not grouped by channel


def _cac_cases() -> list[Case]:
    two = _funnel([("web", 0.0, 100, 20, 5, 500.0), ("web", 30.0, 200, 40, 10, 900.0),
                   ("app", 0.0, 55, 10, 4, 120.0), ("app", 30.0, 150, 30, 8, 360.0)])  # fmt: skip
    zero = _funnel([("events", 0.0, 40, 6, 0, 250.0), ("events", 30.0, 60, 4, 0, 180.0),
                    ("search", 0.0, 300, 60, 12, 1080.0)])  # fmt: skip
    organic = _funnel([("referral", 0.0, 25, 10, 6, 0.0), ("referral", 30.0, 30, 12, 5, 0.0),
                       ("search", 0.0, 300, 60, 12, 1080.0)])  # fmt: skip
    empty = _funnel([("search", 0.0, 0, 0, 0, 0.0), ("social", 0.0, 80, 16, 2, 110.0)])
    unsorted = _funnel([("social", 30.0, 90, 9, 3, 150.0), ("partner", 0.0, 21, 6, 1, 140.0),
                        ("search", 30.0, 110, 25, 7, 630.0), ("partner", 30.0, 30, 9, 2, 300.0),
                        ("social", 0.0, 70, 7, 2, 100.0)])  # fmt: skip
    return [
        Case("two channels over two periods: sums per channel, CAC = total spend / total customers", (two,)),
        Case("a channel with no customers has no CAC (missing, NaN), not infinity", (zero,)),
        Case("a channel with no leads at all: its lead-to-customer rate is missing (NaN) too", (empty,)),
        Case("a channel with customers but no spend (referrals): its CAC is 0, not missing", (organic,)),
        Case("rows in no particular order; one row per channel, channels in alphabetical order", (unsorted,)),
        Case("a single channel", (two[two["channel"] == "app"],)),
        Case("two years of monthly funnel rows for four channels", (_synthetic_funnel(),)),
        Case("the same channels, first year only", (_synthetic_funnel().query("t < 360"),)),
    ]


TASKS = [
    Task(
        "lifecycle_stage",
        _lifecycle_stage,
        _stage_cases,
        Expect("series"),
        "Start from 'lost' and overwrite: dormant if recency <= lost_days, at_risk if <= at_risk_days, active if "
        "<= active_days, and last new if tenure <= new_days (new wins); keep the input's index.",
        forbidden=("sim.analysis.lifecycle.lifecycle_stages",),
    ),
    Task(
        "retention_curve",
        _retention_curve,
        _curve_cases,
        Expect("series", rtol=1e-9),
        "Divide each period's survivors by the previous period's (survivors / survivors.shift(1)) and drop "
        "the first period, which has no previous one; keep the period labels.",
    ),
    Task(
        "sbg_survival",
        _sbg_survival,
        _survival_cases,
        Expect("number", rtol=1e-9, atol=1e-15),
        "S(0) = 1 and S(t) = S(t-1) * (beta + t - 1) / (alpha + beta + t - 1): multiply the t renewal "
        "probabilities of periods 1..t.",
        forbidden=("sim.analysis.clv.sbg.ShiftedBetaGeometric.survival", "sim.analysis.clv.sbg_model._log_survival"),
    ),
    Task(
        "constant_retention_clv",
        _constant_retention_clv,
        _clv_cases,
        Expect("number", rtol=1e-9),
        "Payments m now, m*r/(1+d) next period, m*(r/(1+d))**2 after that ...: a geometric series, "
        "m * (1 + d) / (1 + d - r).",
    ),
    Task(
        "cac_by_channel",
        _cac_by_channel,
        _cac_cases,
        Expect("frame", rtol=1e-9),
        "funnel.groupby('channel')[['leads', 'prospects', 'customers', 'spend']].sum(), then the two ratios; "
        "CAC only where customers > 0 (.where(...)), so 0 customers give NaN, not inf.",
        forbidden=("sim.analysis.funnel.funnel_rates",),
    ),
]
