"""Tasks of chapter 03 (value & segmentation): recency scores, RFM weightings, scaling, rules, the pyramid.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.rfm.rfm_scores``, ``sim.analysis.tiers.value_tiers``,
``sim.analysis.baskets.association_rules``, ``sim.analysis.segments.kmeans_segments``).
Every parameter takes at least two values across the cases. The realistic cases use the
orders of a made-up shop and baskets, both drawn here from seeded generators, never the notebook's
simulation (and never the simulator, so the checks do not move when the engine does).

Examples
--------
>>> [t.name for t in TASKS]
['recency_score', 'weighted_rfm_spearman', 'standardise_rfm', 'rule_metrics', 'pyramid_customer_shares']
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]

_CUTOFF = "2026-01-01"  # the made-up shop's first year is the past, its second year the future


@lru_cache(maxsize=1)
def _shop_orders() -> pd.DataFrame:
    """Two years of orders of 900 customers of a made-up shop, drawn from a seeded generator.

    Each customer has a purchase rate (Gamma), a lifetime (exponential) and a mean order value
    (log-normal), as in the course's model, but none of the notebook's numbers: the checks never
    depend on the simulator's tables.
    """
    rng = np.random.default_rng(31_003)
    n = 900
    start = rng.uniform(0.0, 365.0, n)
    end = np.minimum(start + rng.exponential(420.0, n), 730.0)
    rate = rng.gamma(0.8, 1 / 45.0, n)
    mean_value = rng.lognormal(5.2, 0.55, n)
    rows = []
    for i in range(n):
        k = rng.poisson(rate[i] * (end[i] - start[i]))
        times = np.concatenate([[start[i]], np.sort(rng.uniform(start[i], end[i], k))])
        amounts = rng.gamma(4.0, mean_value[i] / 4.0, len(times)).round(2)
        rows += [(1000 + i, t, a) for t, a in zip(times, amounts, strict=True)]
    orders = pd.DataFrame(rows, columns=["customer_id", "t", "amount"])
    orders["date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(orders["t"], unit="D")
    return orders


@lru_cache(maxsize=1)
def _shop_rfm() -> pd.DataFrame:
    """RFM table of the made-up shop at the start of its second year (mean order value)."""
    from sim.analysis import rfm

    return rfm.rfm_table(_shop_orders(), cutoff=_CUTOFF)


@lru_cache(maxsize=1)
def _shop_scores() -> pd.DataFrame:
    """The shop's RFM scores as ``rfm.rfm_scores`` gives them (as in the notebook): other columns too."""
    from sim.analysis import rfm

    return rfm.rfm_scores(_shop_rfm())


@lru_cache(maxsize=1)
def _shop_future_revenue() -> pd.Series:
    """Revenue per customer in the year after the cut-off (0 for no order), largest customer id first."""
    orders = _shop_orders()
    future = orders[orders["date"] >= pd.Timestamp(_CUTOFF)]
    ids = pd.Index(sorted(orders["customer_id"].unique(), reverse=True), name="customer_id")  # not the scores' order
    return future.groupby("customer_id")["amount"].sum().reindex(ids, fill_value=0.0).rename("future_revenue")


@lru_cache(maxsize=1)
def _shop_spend() -> pd.Series:
    return _shop_orders().groupby("customer_id")["amount"].sum().rename("spend")


def _ids(n: int, start: int = 101) -> pd.Index:
    return pd.Index(range(start, start + n), name="customer_id")


# --------------------------------------------------------------------------- recency_score


def _recency_score(recency_days: pd.Series, bins: int = 5) -> pd.Series:
    by_id = recency_days.sort_index()
    ranks = (-by_id).rank(method="first")
    scores = pd.qcut(ranks, bins, labels=list(range(1, bins + 1))).astype("int64")
    return scores.reindex(recency_days.index)


def _recency(values: Sequence[float], index: Sequence[int] | None = None) -> pd.Series:
    idx = pd.Index(index, name="customer_id") if index is not None else _ids(len(values))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name="recency_days")


@lru_cache(maxsize=1)
def _weekly_recency() -> pd.Series:
    """60 customers, recency a whole number of weeks (ties in every bin), ids shuffled (seeded).

    More than 16 tied values: numpy's unstable sorts (``kind="quicksort"``) no longer keep the
    ids' order there, so only the tie rule of the text gives the right scores.
    """
    rng = np.random.default_rng(3003)
    ids = rng.permutation(np.arange(201, 261))
    return _recency((7.0 * rng.integers(0, 12, 60)).tolist(), ids.tolist())


def _recency_cases() -> list[Case]:
    ten = [3.0, 250.0, 40.0, 12.0, 90.0, 1.0, 400.0, 33.0, 7.0, 180.0]
    return [
        Case("ten customers, five bins: two per bin, the most recent get 5", (_recency(ten), 5)),
        Case("the same ten customers in three bins (bins = 3)", (_recency(ten), 3)),
        Case(
            "rows not sorted by customer id: the answer keeps the input's row order and labels",
            (_recency(ten, [7, 3, 10, 1, 9, 2, 8, 4, 6, 5]), 5),
        ),
        Case(
            "ties: six customers bought on the same day; the smaller id gets the lower score",
            (_recency([20.0, 20.0, 5.0, 20.0, 20.0, 20.0, 20.0, 300.0], [15, 11, 12, 14, 13, 18, 16, 17]), 4),
        ),
        Case("seven customers in five bins: the bins cannot be equal", (_recency([9, 8, 7, 6, 5, 4, 3]), 5)),
        Case(
            "eleven customers in five bins: a rank on a bin edge goes to the lower bin, as pd.qcut does",
            (_recency([15.0, 2.0, 88.0, 40.0, 7.0, 130.0, 61.0, 23.0, 5.0, 300.0, 11.0]), 5),
        ),
        Case(
            "bins left out: its default is 5", (_recency([60.0, 2.0, 14.0, 500.0, 31.0, 8.0, 120.0, 45.0, 1.5, 75.0]),)
        ),
        Case("two bins: the recent half and the rest", (_recency([100.0, 10.0, 50.0, 5.0, 70.0, 1.0]), 2)),
        Case(
            "60 customers whose recency is counted in whole weeks (many ties), rows in no particular order",
            (_weekly_recency(), 5),
        ),
        Case("the made-up shop's recency at 2026-01-01, quintiles", (_shop_rfm()["recency_days"], 5)),
        Case("the made-up shop's recency at 2026-01-01, four bins", (_shop_rfm()["recency_days"], 4)),
    ]


# --------------------------------------------------------------------------- weighted_rfm_spearman


def _weighted_rfm_spearman(
    scores: pd.DataFrame, value: pd.Series, weights: tuple[float, float, float] = (1.0, 1.0, 1.0)
) -> float:
    w_r, w_f, w_m = weights
    total = w_r * scores["r_score"] + w_f * scores["f_score"] + w_m * scores["m_score"]
    both = pd.concat([total.rename("total"), value.rename("value")], axis=1, join="inner").dropna()
    return float(both["total"].corr(both["value"], method="spearman"))


def _scores(rows: Sequence[tuple[int, int, int]], index: Sequence[int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["r_score", "f_score", "m_score"], index=pd.Index(index, name="customer_id"))


def _value(values: Sequence[float], index: Sequence[int]) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(index, name="customer_id"), name="value")


def _spearman_cases() -> list[Case]:
    ids = [1, 2, 3, 4, 5, 6, 7, 8]
    s = _scores([(5, 1, 2), (1, 5, 5), (3, 3, 1), (4, 2, 4), (2, 4, 3), (5, 5, 5), (1, 1, 1), (3, 2, 5)], ids)
    v = _value([300.0, 90.0, 120.0, 260.0, 80.0, 900.0, 0.0, 150.0], ids)
    shuffled = v.loc[[6, 3, 8, 1, 7, 2, 5, 4]]
    extra = pd.concat([v, _value([5_000.0, 1.0], [99, 98])]).loc[[99, 5, 1, 3, 98, 2, 8, 4, 7, 6]]
    with_gap = v.copy()
    with_gap.loc[[2, 5]] = np.nan
    return [
        Case("equal weights, the value in the same order as the scores", (s, v, (1.0, 1.0, 1.0))),
        Case("recency only: weights (1, 0, 0)", (s, v, (1.0, 0.0, 0.0))),
        Case("frequency only: weights (0, 1, 0)", (s, v, (0, 1, 0))),
        Case("weights (3, 1, 2): recency counts most, then monetary", (s, v, (3.0, 1.0, 2.0))),
        Case(
            "the value's rows in another order: match customers by id, not by position",
            (s, shuffled, (0.5, 0.25, 0.25)),
        ),
        Case(
            "the value has customers without scores (ids 98, 99): only customers in both count",
            (s, extra, (1.0, 1.0, 1.0)),
        ),
        Case("two customers have no value (NaN): they are left out", (s, with_gap, (1.0, 2.0, 1.0))),
        Case(
            "the value has no row at all for customers 3 and 7: only customers in both count",
            (s, v.drop([3, 7]).loc[[8, 1, 6, 2, 5, 4]], (2.0, 1.0, 1.0)),
        ),
        Case("weights left out: equal weights", (s, shuffled)),
        Case(
            "a value that falls as the total rises (days until the next order): the correlation is negative",
            (s, _value([40.0, 25.0, 60.0, 30.0, 35.0, 10.0, 200.0, 20.0], ids), (1.0, 1.0, 1.0)),
        ),
        Case(
            "the made-up shop: the whole rfm_scores table (other columns too) against next year's revenue, "
            "equal weights",
            (_shop_scores(), _shop_future_revenue(), (1.0, 1.0, 1.0)),
        ),
        Case(
            "the made-up shop: weights (1, 2, 1) against next year's revenue",
            (_shop_scores(), _shop_future_revenue(), (1.0, 2.0, 1.0)),
        ),
    ]


# --------------------------------------------------------------------------- standardise_rfm

_RFM_COLUMNS = ["recency_days", "frequency", "monetary"]


def _standardise_rfm(table: pd.DataFrame, log_monetary: bool = True) -> pd.DataFrame:
    x = table[_RFM_COLUMNS].astype(float)
    if log_monetary:
        x["monetary"] = np.log1p(x["monetary"])
    centred = x - x.mean()
    sd = x.std(ddof=0)
    return centred / sd.where(sd > 0, 1.0)


def _rfm_rows(rows: Sequence[tuple[float, int, float]], index: Sequence[int] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=_RFM_COLUMNS, index=pd.Index(index or range(1, len(rows) + 1), name="customer_id")
    )
    frame["revenue"] = frame["frequency"] * frame["monetary"]
    return frame.astype({"frequency": "int64"})


def _standardise_cases() -> list[Case]:
    five = _rfm_rows([(10.0, 1, 50.0), (200.0, 4, 400.0), (35.0, 2, 120.0), (90.0, 7, 80.0), (400.0, 1, 2_000.0)])
    return [
        Case("five customers, monetary on the log scale", (five, True)),
        Case(
            "a customer whose orders were free (monetary 0): log(1 + 0) = 0, no -inf",
            (_rfm_rows([(12.0, 2, 0.0), (80.0, 1, 45.0), (30.0, 6, 150.0), (150.0, 3, 999.0)]), True),
        ),
        Case("the same five customers, monetary as it is (log_monetary=False)", (five, False)),
        Case("log_monetary left out: its default is True", (five,)),
        Case(
            "the input's other columns (revenue) are not in the answer; row labels are kept",
            (_rfm_rows([(3.0, 2, 30.0), (60.0, 1, 75.0), (15.0, 9, 31.5), (1.0, 3, 300.0)], [40, 10, 30, 20]), True),
        ),
        Case(
            "every customer ordered once: a column with one value becomes all zeros",
            (_rfm_rows([(5.0, 1, 20.0), (50.0, 1, 60.0), (500.0, 1, 180.0)]), False),
        ),
        Case(
            "every customer has the same mean order value: on the log scale too, all zeros",
            (_rfm_rows([(5.0, 1, 99.0), (50.0, 3, 99.0), (500.0, 2, 99.0)]), True),
        ),
        Case("the made-up shop's RFM table at 2026-01-01, log monetary", (_shop_rfm(), True)),
        Case("the made-up shop's RFM table at 2026-01-01, monetary as it is", (_shop_rfm(), False)),
    ]


# --------------------------------------------------------------------------- rule_metrics

_METRICS = ["support", "confidence", "lift"]


def _rule_metrics(baskets: pd.Series, antecedent: str, consequent: str) -> pd.Series:
    sets = [set(b.split("|")) for b in baskets if b]
    n = len(sets)
    n_a = sum(antecedent in s for s in sets)
    n_b = sum(consequent in s for s in sets)
    n_ab = sum(antecedent in s and consequent in s for s in sets)
    support = n_ab / n
    confidence = n_ab / n_a if n_a else np.nan
    lift = confidence / (n_b / n) if n_a and n_b else np.nan
    return pd.Series([support, confidence, lift], index=_METRICS, dtype=float)


def _baskets(*rows: str) -> pd.Series:
    return pd.Series(list(rows), index=pd.RangeIndex(1, len(rows) + 1, name="order_id"), name="basket")


@lru_cache(maxsize=1)
def _drawn_baskets() -> pd.Series:
    """2 000 baskets from a seeded generator: tea buyers often add a teapot, skincare buyers a mirror."""
    rng = np.random.default_rng(20260412)
    cats = np.array(["tea", "teapot", "skincare", "mirror", "books", "stationery", "toys"])
    main = rng.choice(cats, size=2000, p=[0.25, 0.05, 0.2, 0.05, 0.2, 0.15, 0.1])
    rows = []
    for m in main:
        lines = [str(m)]
        if m == "tea" and rng.random() < 0.35:
            lines.append("teapot")
        if m == "skincare" and rng.random() < 0.3:
            lines.append("mirror")
        for _ in range(rng.poisson(0.4)):
            lines.append(str(rng.choice(cats)))
        rows.append("|".join(lines))
    return _baskets(*rows)


def _rule_cases() -> list[Case]:
    small = _baskets("tea|teapot", "tea", "teapot|books", "tea|teapot|books", "books", "toys", "tea|toys", "books|toys")
    similar = _baskets("skincare|mirror", "care", "care|mirror", "skincare", "mirror", "skincare|care", "toys", "care")
    return [
        Case("eight baskets: tea -> teapot", (small, "tea", "teapot")),
        Case("the same baskets the other way round: teapot -> tea", (small, "teapot", "tea")),
        Case("the same baskets: books -> toys", (small, "books", "toys")),
        Case(
            "teapot -> toys: both are bought, never together; support, confidence and lift are 0 (not missing)",
            (small, "teapot", "toys"),
        ),
        Case(
            "'care' and 'skincare' are different categories (a basket with 'skincare' does not contain 'care')",
            (similar, "care", "mirror"),
        ),
        Case(
            "a category listed twice in one basket counts once",
            (_baskets("tea|tea|teapot", "tea|tea", "teapot", "books", "tea|books"), "tea", "teapot"),
        ),
        Case(
            "empty baskets (orders without a category) are left out, also from the number of baskets",
            (_baskets("tea|teapot", "", "tea", "", "teapot"), "tea", "teapot"),
        ),
        Case(
            "the antecedent is in no basket: confidence and lift are undefined (NaN)",
            (small, "mirror", "tea"),
        ),
        Case(
            "the consequent is in no basket: confidence 0, lift undefined (NaN)",
            (small, "tea", "mirror"),
        ),
        Case("2 000 drawn baskets: skincare -> mirror", (_drawn_baskets(), "skincare", "mirror")),
        Case("2 000 drawn baskets: books -> stationery", (_drawn_baskets(), "books", "stationery")),
    ]


# --------------------------------------------------------------------------- pyramid_customer_shares

_TIERS = ("gold", "silver", "bronze")


def _pyramid_customer_shares(
    spend: pd.Series, cuts: tuple[float, ...] = (0.5, 0.8), names: tuple[str, ...] = _TIERS
) -> pd.Series:
    order = spend.sort_values(ascending=False, kind="stable")
    before = (order.cumsum() - order).to_numpy() / float(order.sum())
    tier = np.searchsorted(np.asarray(cuts, dtype=float), before, side="right")
    counts = np.bincount(tier, minlength=len(names))
    return pd.Series(counts / len(order), index=list(names), dtype=float)


def _spend(values: Sequence[float], index: Sequence[int] | None = None) -> pd.Series:
    idx = pd.Index(index, name="customer_id") if index is not None else _ids(len(values))
    return pd.Series(np.asarray(values, dtype=float), index=idx, name="spend")


def _pyramid_cases() -> list[Case]:
    return [
        Case(
            "spend 50, 30, 20: the top customer alone reaches 50% (gold), the next reaches 80% (silver)",
            (_spend([20.0, 50.0, 30.0]), (0.5, 0.8), _TIERS),
        ),
        Case(
            "the customers ranked before one bring exactly 50%: gold is complete, that customer is silver",
            (_spend([25.0, 25.0, 25.0, 15.0, 10.0]), (0.5, 0.8), _TIERS),
        ),
        Case(
            "a customer who crosses the 50% line is still gold (gold is the smallest set reaching 50%)",
            (_spend([40.0, 30.0, 10.0, 10.0, 10.0]), (0.5, 0.8), _TIERS),
        ),
        Case(
            "rows in no particular order; customers who spent nothing are bronze and count",
            (_spend([0.0, 5.0, 60.0, 0.0, 10.0, 25.0], [6, 2, 9, 4, 1, 3]), (0.5, 0.8), _TIERS),
        ),
        Case(
            "other cuts (0.6, 0.9): a tier can be empty; it is kept with share 0",
            (_spend([95.0, 3.0, 2.0]), (0.6, 0.9), _TIERS),
        ),
        Case(
            "four tiers with other names, cuts (0.3, 0.6, 0.9)",
            (
                _spend([30.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 5.0, 5.0]),
                (0.3, 0.6, 0.9),
                ("diamond", "gold", "silver", "bronze"),
            ),
        ),
        Case(
            "spend 60 and 40: the second customer starts at 60% (silver); the last tier is empty and listed with 0",
            (_spend([40.0, 60.0]), (0.5, 0.8), _TIERS),
        ),
        Case("two tiers high / low, cut 0.8", (_spend([12.0, 3.0, 50.0, 7.0, 28.0]), (0.8,), ("high", "low"))),
        Case("cuts and names left out: (0.5, 0.8), gold / silver / bronze", (_spend([5.0, 80.0, 10.0, 5.0]),)),
        Case("the made-up shop's two-year spend per customer", (_shop_spend(), (0.5, 0.8), _TIERS)),
        Case(
            "the made-up shop's spend, cuts (0.7, 0.95), three tiers high / mid / low",
            (_shop_spend(), (0.7, 0.95), ("high", "mid", "low")),
        ),
    ]


TASKS = [
    Task(
        "recency_score",
        _recency_score,
        _recency_cases,
        Expect("series", int_columns=("",)),
        "Sort by customer id, rank the NEGATIVE recency with rank(method='first'), then "
        "pd.qcut(ranks, bins, labels=range(1, bins + 1)).astype(int); reindex to the input's order.",
        forbidden=("sim.analysis.rfm.rfm_scores", "sim.analysis.rfm._score"),
    ),
    Task(
        "weighted_rfm_spearman",
        _weighted_rfm_spearman,
        _spearman_cases,
        Expect("number"),
        "total = w_r * r_score + w_f * f_score + w_m * m_score; put total and value side by side matched by "
        "customer id (pd.concat(..., axis=1, join='inner')), drop missing values, then .corr(method='spearman').",
    ),
    Task(
        "standardise_rfm",
        _standardise_rfm,
        _standardise_cases,
        Expect("frame"),
        "Keep the three RFM columns, take np.log1p of monetary if log_monetary, then (x - mean) / std with ddof=0 "
        "(as StandardScaler); a column whose std is 0 becomes 0.",
    ),
    Task(
        "rule_metrics",
        _rule_metrics,
        _rule_cases,
        Expect("series", check_index=True),
        "Leave out empty baskets; split each basket at '|' into a set; count baskets with A, with B and with both. support = both / all "
        "baskets; confidence = both / with A; lift = confidence / (with B / all). Undefined -> NaN.",
        forbidden=("sim.analysis.baskets.association_rules",),
    ),
    Task(
        "pyramid_customer_shares",
        _pyramid_customer_shares,
        _pyramid_cases,
        Expect("series"),
        "Sort spend largest first; share of revenue BEFORE each customer = (cumsum - spend) / total; tier = "
        "number of cuts <= that share (np.searchsorted(cuts, before, side='right')); then the share of customers "
        "per tier, every tier listed.",
        forbidden=("sim.analysis.tiers.pyramid.value_tiers", "sim.analysis.tiers.pyramid.pyramid_report"),
    ),
]
