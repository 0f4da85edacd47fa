"""RFM analysis: recency, frequency and monetary value, quintile scores and named segments.

pandas does the work: ``groupby`` builds the per-customer table, ``Series.rank`` and
:func:`pandas.qcut` make the scores. Only the segment grid (a lookup table) and the tie
rule are written here, because no maintained library offers RFM scoring with a documented
tie rule and a complete R x FM segment grid.

Conventions
-----------
* **Cutoff.** Everything is measured at a cutoff instant. Orders dated *after* the cutoff are
  excluded (the analyst at the cutoff cannot see them); orders exactly at the cutoff count.
  A cutoff given as a date (``"2025-06-30"``) means midnight at the start of that day; pass
  ``"2025-07-01"`` to include the whole of 30 June. The number of excluded orders is stored in
  ``table.attrs["orders_after_cutoff"]``.
* **Direction.** Scores run 1..``bins`` and *higher is better* for all three letters: recency
  is scored in reverse (a recent buyer gets R = 5), the trap flagged in the syllabus (H15).
* **Ties.** Values are ranked with ``rank(method="first")`` after sorting by customer id, then
  cut into equal-count bins with :func:`pandas.qcut`. Equal values are therefore split
  deterministically: among customers with the same value, the one with the smaller
  customer id gets the lower (or equal) score. The result does not depend on row order.
* **Segments.** :data:`RFM_GRID` is the widely used 5 x 5 grid of R score against an FM score
  (e.g. the "RFM segmentation" grid in many marketing-analytics courses), with FM =
  (F + M) / 2 rounded half up; the bottom cell (R = 1, FM = 1) is split off from
  "hibernating" as "lost", as in the 11-segment variants.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis import rfm
>>> orders = pd.DataFrame({
...     "customer_id": [1, 1, 2, 3, 3, 3, 4, 5],
...     "date": pd.to_datetime(["2025-01-05", "2025-06-20", "2025-03-01", "2025-05-01",
...                             "2025-06-01", "2025-06-25", "2025-01-10", "2025-06-29"]),
...     "amount": [20.0, 40.0, 15.0, 50.0, 70.0, 60.0, 5.0, 100.0]})
>>> table = rfm.rfm_table(orders, cutoff="2025-06-30")
>>> scores = rfm.rfm_segments(rfm.rfm_scores(table))
>>> scores[["recency_days", "frequency", "rfm_score", "segment"]]
             recency_days  frequency rfm_score      segment
customer_id
1                    10.0          2       343        loyal
2                   121.0          1       212  hibernating
3                     5.0          3       454        loyal
4                   171.0          1       121  hibernating
5                     1.0          1       535    champions

Customer 5 ordered yesterday (R = 5); customer 4 has not ordered for 171 days (R = 1).
Customers 2, 4 and 5 each ordered once: the tie is split by customer id (F = 1, 2, 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns, to_timestamp
from sim.errors import ConfigError, DataError

__all__ = [
    "RFM_GRID",
    "SEGMENTS",
    "rfm_table",
    "rfm_scores",
    "rfm_segments",
    "segment_summary",
]

#: The R x FM segment grid: ``(r_scores, fm_scores, segment)``. The cells partition
#: 1..5 x 1..5: every (R, FM) pair falls in exactly one cell (a test checks this).
RFM_GRID: tuple[tuple[tuple[int, ...], tuple[int, ...], str], ...] = (
    ((5,), (4, 5), "champions"),
    ((3, 4), (4, 5), "loyal"),
    ((4, 5), (2, 3), "potential loyalist"),
    ((5,), (1,), "new"),
    ((4,), (1,), "promising"),
    ((3,), (3,), "need attention"),
    ((3,), (1, 2), "about to sleep"),
    ((1, 2), (5,), "can't lose them"),
    ((1, 2), (3, 4), "at risk"),
    ((2,), (1, 2), "hibernating"),
    ((1,), (2,), "hibernating"),
    ((1,), (1,), "lost"),
)

#: Segment names, best first (the order used by :func:`segment_summary`).
SEGMENTS: tuple[str, ...] = tuple(dict.fromkeys(name for _, _, name in RFM_GRID))

_ORDERS_SPEC = {"customer_id": "id", "date": "datetime", "amount": "nonneg"}


def rfm_table(
    orders: pd.DataFrame,
    cutoff: object,
    *,
    monetary: Literal["mean", "sum"] = "mean",
) -> pd.DataFrame:
    """Per-customer recency, frequency and monetary value at ``cutoff``.

    Parameters
    ----------
    orders : pandas.DataFrame
        At least ``customer_id``, ``date`` (datetime or parseable) and ``amount`` (>= 0).
    cutoff : date-like
        The analysis instant. Orders dated after it are excluded (their count is kept in
        ``attrs["orders_after_cutoff"]``); orders exactly at it are included.
    monetary : {"mean", "sum"}
        ``"mean"`` (default): average order value. It keeps M separate from F (a total
        mostly repeats the frequency), as recommended by Fader, Hardie & Lee (2005).
        ``"sum"``: total spend up to the cutoff.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted), one row per customer with at least one order on or
        before the cutoff. Columns: ``recency_days`` (float, days from the last order to the
        cutoff), ``frequency`` (int, number of orders), ``monetary`` (float, mean or total
        order value), ``revenue`` (float, total spend, always the sum), ``first_order`` and
        ``last_order`` (timestamps).

    Raises
    ------
    DataError
        Missing columns, unparseable dates, negative amounts, an empty table, or no order on
        or before the cutoff.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [7, 7, 8, 8],
    ...                        "date": ["2025-01-01", "2025-01-11", "2025-01-06", "2025-02-01"],
    ...                        "amount": [10.0, 30.0, 5.0, 99.0]})
    >>> t = rfm_table(orders, cutoff="2025-01-21")
    >>> t[["recency_days", "frequency", "monetary", "revenue"]]
                 recency_days  frequency  monetary  revenue
    customer_id
    7                    10.0          2      20.0     40.0
    8                    15.0          1       5.0      5.0
    >>> t.attrs["orders_after_cutoff"]
    1
    """
    if monetary not in ("mean", "sum"):
        raise ConfigError(f"monetary={monetary!r}; allowed: 'mean', 'sum'")
    df = require_columns(orders, _ORDERS_SPEC, table="orders")
    cut = to_timestamp(cutoff, name="cutoff")
    after = df["date"] > cut
    first = df["date"].min()
    df = df.loc[~after]
    if df.empty:
        raise DataError(
            f"no order on or before cutoff {cut} (first order: {first})",
            table="orders",
            column="date",
        )
    g = df.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "first_order": g["date"].min(),
            "last_order": g["date"].max(),
            "frequency": g.size().astype("int64"),
            "revenue": g["amount"].sum().astype(float),
        }
    )
    out["recency_days"] = (cut - out["last_order"]).dt.total_seconds() / 86400.0
    out["monetary"] = out["revenue"] / out["frequency"] if monetary == "mean" else out["revenue"]
    out = out[["recency_days", "frequency", "monetary", "revenue", "first_order", "last_order"]]
    out.index.name = "customer_id"
    out.attrs["orders_after_cutoff"] = int(after.sum())
    out.attrs["cutoff"] = cut
    out.attrs["monetary"] = monetary
    return out


def _score(values: pd.Series, bins: int, *, reverse: bool) -> pd.Series:
    """Equal-count scores 1..bins (higher = larger value, or smaller if ``reverse``)."""
    v = -values if reverse else values
    ranks = v.rank(method="first")
    return pd.qcut(ranks, bins, labels=list(range(1, bins + 1))).astype("int64")


def rfm_scores(
    table: pd.DataFrame,
    bins: int = 5,
    *,
    weights: Sequence[float] = (1.0, 1.0, 1.0),
) -> pd.DataFrame:
    """Quantile scores 1..``bins`` for R, F and M (higher = better for all three).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`rfm_table` (or any frame indexed by customer with ``recency_days``,
        ``frequency`` and ``monetary``).
    bins : int
        Number of equal-count bins (5 = quintiles). Between 2 and 9 so that the
        ``rfm_score`` string stays one digit per letter.
    weights : sequence of three floats
        Weights of R, F and M in ``rfm_total``. Equal weights are an assumption (H15), not a
        law; compare weightings against true CLV in the exercises.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``r_score``, ``f_score``, ``m_score`` (int 1..bins),
        ``rfm_score`` (string such as ``"545"``) and ``rfm_total`` (float, weighted sum of
        the three scores). Sorted by customer id.

    Notes
    -----
    Recency is scored in reverse: the smallest ``recency_days`` gets the highest R score.
    Ties: after sorting by customer id, values are ranked with ``rank(method="first")`` and
    the ranks are cut with :func:`pandas.qcut`, so equal values are split deterministically
    (smaller customer id -> lower or equal score). With many customers at frequency 1 this
    split is arbitrary, which is why F scores of one-time buyers differ.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"recency_days": [1.0, 50.0, 10.0, 200.0, 30.0],
    ...                   "frequency": [3, 1, 2, 1, 5],
    ...                   "monetary": [20.0, 5.0, 50.0, 10.0, 30.0]},
    ...                  index=pd.Index([11, 12, 13, 14, 15], name="customer_id"))
    >>> rfm_scores(t)[["r_score", "f_score", "m_score", "rfm_score", "rfm_total"]]
                 r_score  f_score  m_score rfm_score  rfm_total
    customer_id
    11                 5        4        3       543       12.0
    12                 2        1        1       211        4.0
    13                 4        3        5       435       12.0
    14                 1        2        2       122        5.0
    15                 3        5        4       354       12.0
    """
    if not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 9:
        raise ConfigError(f"bins={bins!r}; allowed: an integer from 2 to 9")
    w = tuple(float(x) for x in weights)
    if len(w) != 3:
        raise ConfigError(f"weights={weights!r}; give three numbers (R, F, M)")
    spec = {"recency_days": "nonneg", "frequency": "nonneg", "monetary": "nonneg"}
    df = require_columns(table, spec, table="rfm table", unique_index=True)
    if len(df) < bins:
        raise DataError(
            f"{len(df)} customer(s) cannot fill {bins} score bins; use fewer bins or more customers",
            table="rfm table",
        )
    df = df.sort_index()
    df["r_score"] = _score(df["recency_days"], bins, reverse=True)
    df["f_score"] = _score(df["frequency"], bins, reverse=False)
    df["m_score"] = _score(df["monetary"], bins, reverse=False)
    df["rfm_score"] = df["r_score"].astype(str) + df["f_score"].astype(str) + df["m_score"].astype(str)
    df["rfm_total"] = w[0] * df["r_score"] + w[1] * df["f_score"] + w[2] * df["m_score"]
    df.attrs = {**table.attrs, "bins": int(bins), "weights": w}
    return df


def _fm_score(f: pd.Series, m: pd.Series) -> pd.Series:
    """FM = (F + M) / 2 rounded half up (an integer 1..5)."""
    return (f + m + 1) // 2


def _check_grid(grid: object) -> list[tuple[list[int], list[int], str]]:
    """Check a segment grid: a non-empty sequence of (r_scores, fm_scores, name) cells."""
    allowed = "a sequence of (r_scores, fm_scores, name) cells, scores whole numbers 1..5, e.g. RFM_GRID"
    if isinstance(grid, str | bytes | Mapping) or not isinstance(grid, Sequence) or len(grid) == 0:
        raise ConfigError(f"grid={repr(grid)[:60]} is not allowed: give {allowed}")
    cells = []
    for n, cell in enumerate(grid):
        ok = isinstance(cell, Sequence) and not isinstance(cell, str | bytes) and len(cell) == 3
        if ok:
            r_set, fm_set, name = cell
            ok = isinstance(name, str) and all(
                isinstance(scores, Sequence | range)
                and not isinstance(scores, str | bytes)
                and all(isinstance(v, int | np.integer) and not isinstance(v, bool) and 1 <= v <= 5 for v in scores)
                for scores in (r_set, fm_set)
            )
        if not ok:
            raise ConfigError(f"grid[{n}]={repr(cell)[:60]} is not allowed: give {allowed}")
        cells.append((list(r_set), list(fm_set), name))
    return cells


def rfm_segments(
    scores: pd.DataFrame,
    *,
    grid: Sequence[tuple[Sequence[int], Sequence[int], str]] = RFM_GRID,
) -> pd.DataFrame:
    """Name each customer's segment from the R x FM grid.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`rfm_scores` with ``bins=5`` (columns ``r_score``, ``f_score``,
        ``m_score`` in 1..5).
    grid : sequence of (r_scores, fm_scores, name)
        The lookup table; the first matching cell wins. Default :data:`RFM_GRID`:

        ========  ===========  ===================
        R         FM           segment
        ========  ===========  ===================
        5         4-5          champions
        3-4       4-5          loyal
        4-5       2-3          potential loyalist
        5         1            new
        4         1            promising
        3         3            need attention
        3         1-2          about to sleep
        1-2       5            can't lose them
        1-2       3-4          at risk
        1-2       1-2          hibernating (except R = 1, FM = 1)
        1         1            lost
        ========  ===========  ===================

        FM = (F + M) / 2 rounded half up. A custom grid may overlap; then the first
        matching cell wins.

    Returns
    -------
    pandas.DataFrame
        ``scores`` with two more columns: ``fm_score`` (int) and ``segment`` (ordered
        categorical, categories in grid order, best first).

    Raises
    ------
    DataError
        Scores outside 1..5, or a score combination the grid does not cover.
    ConfigError
        A ``grid`` that is not a sequence of ``(r_scores, fm_scores, name)`` cells with
        whole scores 1..5 and a text name.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"r_score": [5, 1, 3], "f_score": [5, 5, 1], "m_score": [4, 4, 2]})
    >>> rfm_segments(s)[["fm_score", "segment"]]
       fm_score           segment
    0         5         champions
    1         5   can't lose them
    2         2    about to sleep
    """
    cells = _check_grid(grid)
    spec = {"r_score": "number", "f_score": "number", "m_score": "number"}
    df = require_columns(scores, spec, table="rfm scores")
    for col in spec:
        vals = df[col].to_numpy(dtype=float)
        bad = df.index[(vals < 1) | (vals > 5) | (vals != np.round(vals))]
        if len(bad):
            raise DataError(
                "scores must be integers 1..5 (the grid is for quintile scores, bins=5)",
                table="rfm scores",
                column=col,
                rows=bad,
            )
        df[col] = df[col].astype("int64")
    df["fm_score"] = _fm_score(df["f_score"], df["m_score"]).astype("int64")
    names = list(dict.fromkeys(name for _, _, name in cells))
    seg = pd.Series(pd.NA, index=df.index, dtype=object)
    for r_set, fm_set, name in cells:
        hit = seg.isna() & df["r_score"].isin(list(r_set)) & df["fm_score"].isin(list(fm_set))
        seg[hit] = name
    if seg.isna().any():
        bad = df.index[seg.isna()]
        raise DataError("the segment grid does not cover these (R, FM) scores", table="rfm scores", rows=bad)
    df["segment"] = pd.Categorical(seg.astype(str), categories=names, ordered=True)
    return df


def segment_summary(segmented: pd.DataFrame) -> pd.DataFrame:
    """Size, mean R/F/M and revenue share of each segment.

    Parameters
    ----------
    segmented : pandas.DataFrame
        Output of :func:`rfm_segments` (needs ``segment``, ``recency_days``, ``frequency``,
        ``monetary`` and ``revenue``).

    Returns
    -------
    pandas.DataFrame
        Index ``segment`` (grid order, best first; empty segments are kept with 0 customers).
        Columns: ``customers`` (int), ``share`` (of customers), ``recency_days``,
        ``frequency``, ``monetary`` (segment means), ``revenue`` (total) and
        ``revenue_share``. Both share columns sum to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({
    ...     "segment": pd.Categorical(["champions", "lost", "champions"],
    ...                               categories=["champions", "lost"], ordered=True),
    ...     "recency_days": [2.0, 300.0, 4.0], "frequency": [5, 1, 3],
    ...     "monetary": [20.0, 10.0, 40.0], "revenue": [100.0, 10.0, 120.0]})
    >>> summary = segment_summary(seg)
    >>> summary[["customers", "share", "frequency", "revenue_share"]].round(3)
               customers  share  frequency  revenue_share
    segment
    champions          2  0.667        4.0          0.957
    lost               1  0.333        1.0          0.043
    """
    spec = {
        "segment": "category",
        "recency_days": "nonneg",
        "frequency": "nonneg",
        "monetary": "nonneg",
        "revenue": "nonneg",
    }
    df = require_columns(segmented, spec, table="rfm segments")
    if not isinstance(df["segment"].dtype, pd.CategoricalDtype):
        df["segment"] = pd.Categorical(df["segment"].astype(str))
    g = df.groupby("segment", observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size().astype("int64"),
            "recency_days": g["recency_days"].mean(),
            "frequency": g["frequency"].mean(),
            "monetary": g["monetary"].mean(),
            "revenue": g["revenue"].sum().astype(float),
        }
    )
    out.insert(1, "share", out["customers"] / out["customers"].sum())
    total = out["revenue"].sum()
    out["revenue_share"] = out["revenue"] / total if total > 0 else np.nan
    out.index = pd.CategoricalIndex(out.index, name="segment")
    return out
