"""Statistics of replicated experiments: t-intervals, paired (CRN) and Welch differences; shares by counts.

Common random numbers (CRN)
    Replication ``k`` uses the same seed in every arm, so the arms share their customers,
    latent traits and shocks and differ only through what the arm changes. Differences between
    arms are then far less noisy than the arms themselves, which is why the paired t-interval is
    tighter than Welch's unpaired one.

Shares (KPIs whose unit in :mod:`sim.schema` is ``share``)
    A t-interval on a handful of replications of a share computed from a few events can leave
    [0, 1] (P0 SLA compliance 66.7% [-8.3%, 141.7%]). When the table carries the share's
    denominator (``n_<kpi>``, written by :func:`sim.results.kpis.overall_kpis`), the events
    are pooled over replications (successes / trials per arm): the estimate is the pooled share,
    its interval the Wilson score interval, the difference to the baseline is in percentage
    points with Newcombe's hybrid score interval (which treats the arms as independent, so it is
    conservative when common random numbers make them move together), and the p-value that of
    the two-sample score test. A share resting on fewer than :data:`MIN_EVENTS` events per arm is
    flagged (``few_events``). Without counts, the t-interval is clipped to [0, 1] and
    ``method`` says so.

Relative differences
    ``rel_suppressed`` is True when the baseline's mean is small against its own confidence
    interval (half-width above :data:`REL_BASE_MAX_HALF_WIDTH` of its magnitude, which includes
    every interval that contains 0): a ratio to a base that is barely known (profit 26,525 CNY
    ± 43,000) is noise (-377%). ``rel_diff`` keeps the number for the record; the report and
    :func:`sim.formatting.format_relative` print "—" with a footnote instead.

Libraries: t-intervals, paired and Welch t-tests come from :mod:`scipy.stats` (``ttest_1samp``
on values and on paired differences, ``ttest_ind``); Wilson and Newcombe intervals and the score
test from :mod:`statsmodels.stats.proportion`. Hand-written: only the degenerate cases
scipy leaves as NaN (a difference that is identical in every replication has a zero-width
interval, not an undefined one).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.experiments._args import check_confidence
from sim.results.kpis import SHARE_EVENTS, count_name
from sim.schema import kpi_unit

__all__ = [
    "summarize",
    "wilson_ci",
    "newcombe_diff_ci",
    "pooled_counts",
    "is_share",
    "is_count",
    "with_counts",
    "MIN_EVENTS",
    "REL_BASE_MAX_HALF_WIDTH",
]

#: Fewer events than this per arm (e.g. resolved P0 tickets) and a share is flagged as unreliable.
MIN_EVENTS = 30
#: A relative difference is suppressed when the baseline's CI half-width exceeds this share of |mean|.
REL_BASE_MAX_HALF_WIDTH = 0.5


_COUNT_COLUMNS = frozenset(count_name(k) for k in SHARE_EVENTS)


def is_share(kpi: str) -> bool:
    """Whether a KPI is a share (its unit in the data dictionary :mod:`sim.schema` is ``share``).

    Examples
    --------
    >>> is_share("sla_met_P0"), is_share("profit")
    (True, False)
    """
    return kpi_unit(kpi) == "share"


def is_count(column: str) -> bool:
    """Whether a column is the denominator ``n_<kpi>`` of a share KPI (not a KPI itself).

    Examples
    --------
    >>> is_count("n_sla_met_P0"), is_count("sla_met_P0"), is_count("n_profit")
    (True, False, False)
    """
    return column in _COUNT_COLUMNS


def with_counts(kpis: list[str] | None) -> list[str] | None:
    """The KPI names a run must report: ``kpis`` plus the denominator of each share among them.

    ``None`` (every KPI) stays ``None``: a run then reports every KPI and every denominator.

    Examples
    --------
    >>> with_counts(["profit", "sla_met_P0"]), with_counts(None)
    (['profit', 'sla_met_P0', 'n_sla_met_P0'], None)
    """
    if kpis is None:
        return None
    return list(kpis) + [count_name(k) for k in kpis if k in SHARE_EVENTS]


def wilson_ci(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share ``successes / trials`` (always within [0, 1]).

    NaN for ``trials == 0``. statsmodels ``proportion_confint(method="wilson")``.

    Examples
    --------
    >>> lo, hi = wilson_ci(0, 5)
    >>> lo, round(hi, 4)
    (0.0, 0.4345)
    >>> [round(v, 4) for v in wilson_ci(9, 10)]
    [0.596, 0.9821]
    """
    from statsmodels.stats.proportion import proportion_confint  # lazy: keeps `import sim` fast

    if not trials > 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(successes, trials, alpha=1.0 - confidence, method="wilson")
    # exact at the edges (the closed form gives 0 and 1 there; floating point may not)
    return (0.0 if successes <= 0 else float(lo)), (1.0 if successes >= trials else float(hi))


def newcombe_diff_ci(s1: float, n1: float, s0: float, n0: float, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``s1/n1 - s0/n0`` (within [-1, 1]); NaN if a trial count is 0.

    Built from the two Wilson intervals (Newcombe 1998, method 10; statsmodels
    ``confint_proportions_2indep(method="newcomb")``). It treats the samples as independent.

    Examples
    --------
    >>> [round(v, 4) for v in newcombe_diff_ci(8, 10, 2, 10)]
    [0.1618, 0.8027]
    >>> newcombe_diff_ci(10, 10, 0, 10)[1]
    1.0
    """
    from statsmodels.stats.proportion import confint_proportions_2indep  # lazy

    if not (n1 > 0 and n0 > 0):
        return float("nan"), float("nan")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = confint_proportions_2indep(s1, n1, s0, n0, method="newcomb", compare="diff", alpha=1.0 - confidence)
    return max(-1.0, float(lo)), min(1.0, float(hi))


def _score_p(s1: float, n1: float, s0: float, n0: float) -> float:
    """Two-sided p-value of the two-sample score test of equal shares (NaN when undefined)."""
    from statsmodels.stats.proportion import test_proportions_2indep  # lazy

    if not (n1 > 0 and n0 > 0) or (s1 + s0 == 0) or (s1 + s0 == n1 + n0):
        return float("nan")  # no variation at all: the test is undefined
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(test_proportions_2indep(s1, n1, s0, n0, method="score", compare="diff").pvalue)


def pooled_counts(shares: Sequence[float] | np.ndarray, counts: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """(successes, trials) pooled over replications from each replication's share and denominator.

    Replications whose share is NaN (no events) add nothing. Successes are rounded to whole events.

    Examples
    --------
    >>> pooled_counts([0.5, 1.0, float("nan")], [4, 1, 0])
    (3.0, 5.0)
    """
    x, n = np.asarray(shares, dtype=float), np.asarray(counts, dtype=float)
    ok = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    return float(np.round((x[ok] * n[ok]).sum())), float(n[ok].sum())


def _t_ci(x: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """(low, high, p-value of mean = 0) of a one-sample t-interval; exact zero width if sd == 0."""
    lo, hi, p = _t_ci_cols(x.reshape(-1, 1), confidence)
    return float(lo[0]), float(hi[0]), float(p[0])


def _t_ci_cols(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise one-sample t-intervals and p-values (scipy, vectorised); NaNs are left out per column.

    A column whose values are all equal gets a zero-width interval at its value (scipy gives NaN)
    and p = 0 unless the value is 0 (then NaN).
    """
    from scipy import stats  # lazy: keeps `import sim` fast

    k = x.shape[1]
    lo, hi, p = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    ok = ~np.isnan(x)
    full = ok.all(axis=0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if full.any() and x.shape[0] >= 2:
            res = stats.ttest_1samp(x[:, full], 0.0, axis=0)
            ci = res.confidence_interval(confidence)
            lo[full], hi[full], p[full] = ci.low, ci.high, res.pvalue
        for j in np.flatnonzero(~full):
            col = x[ok[:, j], j]
            if col.size >= 2:
                res = stats.ttest_1samp(col, 0.0)
                ci = res.confidence_interval(confidence)
                lo[j], hi[j], p[j] = ci.low, ci.high, res.pvalue
    for c in range(k):
        col = x[ok[:, c], c]
        if col.size >= 2 and float(np.ptp(col)) == 0.0:
            m = float(col[0])
            lo[c] = hi[c] = m
            p[c] = np.nan if m == 0.0 else 0.0
    return lo, hi, p


def _welch_cols(b: np.ndarray, a: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise Welch intervals of mean(b) - mean(a) (scipy ``ttest_ind(equal_var=False)``)."""
    from scipy import stats  # lazy: keeps `import sim` fast

    k = b.shape[1]
    lo, hi = np.full(k, np.nan), np.full(k, np.nan)
    okb, oka = ~np.isnan(b), ~np.isnan(a)
    full = okb.all(axis=0) & oka.all(axis=0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if full.any() and b.shape[0] >= 2 and a.shape[0] >= 2:
            ci = stats.ttest_ind(b[:, full], a[:, full], axis=0, equal_var=False).confidence_interval(confidence)
            lo[full], hi[full] = ci.low, ci.high
        for j in np.flatnonzero(~full):
            cb, ca = b[okb[:, j], j], a[oka[:, j], j]
            if cb.size >= 2 and ca.size >= 2:
                ci = stats.ttest_ind(cb, ca, equal_var=False).confidence_interval(confidence)
                lo[j], hi[j] = ci.low, ci.high
    for c in range(k):
        cb, ca = b[okb[:, c], c], a[oka[:, c], c]
        if cb.size >= 2 and ca.size >= 2 and float(np.ptp(cb)) == 0.0 and float(np.ptp(ca)) == 0.0:
            lo[c] = hi[c] = float(cb[0] - ca[0])
    return lo, hi


def summarize(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str] = "policy",
    baseline: Any = None,
    kpis: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per group and KPI: mean and interval; with a baseline, paired differences too (shares by counts).

    Parameters
    ----------
    table : DataFrame
        One row per group x replication: the ``by`` column(s), ``replication`` and KPI columns
        (e.g. :attr:`Comparison.replications`). A share KPI ``k`` may come with its denominator
        column ``n_k`` (see :func:`sim.results.kpis.count_name`); then its events are pooled.
    by : str or list of str
        Column(s) naming the group (arm, or grid point).
    baseline : optional
        The group every other group is compared with (a value of ``by``, a tuple for several
        columns). Rows are paired on ``replication``; with common random numbers pairs share
        their seed.
    kpis : list of str, optional
        KPI columns (default: every numeric column except ``replication``, ``seed`` and the
        ``n_<kpi>`` denominators).
    confidence : float
        Confidence level of all intervals (default 0.95).

    Returns
    -------
    DataFrame
        One row per group and KPI: ``n`` (replications), ``mean``, ``sd``, ``ci_low``,
        ``ci_high``, ``method``, ``events``, ``few_events``. For a KPI that is not a share,
        ``mean`` is the mean over replications with its t-interval (``method`` ``"t"``). For
        a share with counts, ``mean`` is the pooled share (successes / trials over all
        replications) with its Wilson interval (``method`` ``"wilson"``), ``events`` the pooled
        trials and ``few_events`` True when this group or the baseline has fewer than
        :data:`MIN_EVENTS`. With a baseline also ``n_pairs``, ``diff`` (group minus baseline: the
        mean paired difference; for pooled shares the difference of pooled shares),
        ``diff_sd``, ``diff_ci_low``, ``diff_ci_high`` (paired t-interval; Newcombe for pooled
        shares), ``rel_diff`` (``diff`` / abs(baseline mean over the pairs); for pooled shares
        over the pooled base share), ``rel_suppressed`` (True: do not show ``rel_diff``, the
        baseline's mean is small against its CI, see :data:`REL_BASE_MAX_HALF_WIDTH`), ``p_value`` (paired t-test, identical to
        ``ttest_rel``; the score test for pooled shares), ``welch_ci_low``, ``welch_ci_high``
        (unpaired Welch interval of the difference of means, for contrast; NaN for pooled
        shares, whose interval is already unpaired). The baseline's difference columns are NaN.
        Replications where a KPI is NaN (e.g. no P0 tickets) are left out of that KPI's figures,
        and ``n`` / ``n_pairs`` say how many remained.

    Examples
    --------
    >>> t = pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
    ...                   "x": [1.0, 2.0, 3.0, 2.0, 3.5, 4.0]})
    >>> s = summarize(t, baseline="a").set_index("policy")
    >>> float(s.loc["b", "diff"]), float(s.loc["b", "mean"])
    (1.1666666666666667, 3.1666666666666665)
    >>> bool(s.loc["b", "diff_ci_high"] - s.loc["b", "diff_ci_low"] < s.loc["b", "welch_ci_high"] - s.loc["b", "welch_ci_low"])
    True

    A share with its denominator is pooled: 2 of 3 P0 tickets met the SLA over both replications.

    >>> t = pd.DataFrame({"policy": ["a", "a"], "replication": [0, 1],
    ...                   "sla_met_P0": [1.0, 0.5], "n_sla_met_P0": [1.0, 2.0]})
    >>> r = summarize(t).iloc[0]
    >>> round(float(r["mean"]), 4), r["method"], int(r["events"]), bool(r["few_events"]), bool(0 <= r["ci_low"] < r["ci_high"] <= 1)
    (0.6667, 'wilson', 3, True, True)
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_cols + ["replication"] if c not in table.columns]
    if missing:
        raise ConfigError(f"summarize: table has no column(s) {missing}; columns: {list(table.columns)}")
    confidence = check_confidence(confidence)
    if kpis is None:
        skip = set(by_cols) | {"replication", "seed", "point", "arm"}
        kpis = [
            c for c in table.columns if c not in skip and not is_count(c) and pd.api.types.is_numeric_dtype(table[c])
        ]
    groups = list(table.groupby(by_cols, sort=False, dropna=False))
    key = lambda g: g[0] if len(by_cols) > 1 else g[0][0]
    for g in groups:
        if g[1]["replication"].duplicated().any():
            raise ConfigError(
                f"summarize: group {key(g)!r} has a replication more than once; rows must be unique per group x replication"
            )
    base_df = None
    if baseline is not None:
        for g in groups:
            if key(g) == baseline:
                base_df = g[1].set_index("replication")[list(kpis)]
        if base_df is None:
            raise ConfigError(f"baseline {baseline!r} is not one of the groups {[key(g) for g in groups]}")
    nan = float("nan")
    frames: list[pd.DataFrame] = []
    for g in groups:
        gkey, df = key(g), g[1].set_index("replication")[list(kpis)]
        x = df.to_numpy(dtype=float)
        ok = ~np.isnan(x)
        n = ok.sum(axis=0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(x, axis=0) if len(x) else np.full(len(kpis), nan)
            sd = np.where(n > 1, np.nanstd(x, axis=0, ddof=1), nan) if len(x) else np.full(len(kpis), nan)
        lo, hi, _ = _t_ci_cols(x, confidence)
        out = pd.DataFrame({"kpi": list(kpis), "n": n.astype(int), "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
        if base_df is not None:
            cols = {
                c: np.full(len(kpis), nan)
                for c in (
                    "diff",
                    "diff_sd",
                    "diff_ci_low",
                    "diff_ci_high",
                    "rel_diff",
                    "p_value",
                    "welch_ci_low",
                    "welch_ci_high",
                )
            }
            n_pairs = np.zeros(len(kpis), dtype=int)
            if gkey != baseline:
                common = df.index.intersection(base_df.index)
                b, a = df.loc[common].to_numpy(dtype=float), base_df.loc[common].to_numpy(dtype=float)
                d = b - a  # NaN where either is NaN: the pair is left out
                pair_ok = ~np.isnan(d)
                n_pairs = pair_ok.sum(axis=0)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    cols["diff"] = np.nanmean(d, axis=0) if len(d) else cols["diff"]
                    cols["diff_sd"] = (
                        np.where(n_pairs > 1, np.nanstd(d, axis=0, ddof=1), nan) if len(d) else cols["diff_sd"]
                    )
                    base_mean = np.nanmean(np.where(pair_ok, a, np.nan), axis=0) if len(d) else np.full(len(kpis), nan)
                    cols["rel_diff"] = np.where(base_mean != 0, cols["diff"] / np.abs(base_mean), nan)
                cols["diff_ci_low"], cols["diff_ci_high"], cols["p_value"] = _t_ci_cols(d, confidence)
                cols["welch_ci_low"], cols["welch_ci_high"] = _welch_cols(x, base_df.to_numpy(dtype=float), confidence)
            out.insert(6, "n_pairs", n_pairs.astype(int))
            for c, v in cols.items():
                out[c] = v
        for i, (c, v) in enumerate(zip(by_cols, gkey if len(by_cols) > 1 else (gkey,))):
            out.insert(i, c, [v] * len(out))
        out["_group"] = len(frames)
        frames.append(out)
    res = pd.concat(frames, ignore_index=True)
    base_group = next((i for i, g in enumerate(groups) if baseline is not None and key(g) == baseline), None)
    _shares(res, [g[1] for g in groups], list(kpis), base_group, confidence)
    if base_group is not None:
        _suppress_rel(res, base_group)
    return res.drop(columns="_group")


def _shares(
    res: pd.DataFrame, group_rows: list[pd.DataFrame], kpis: list[str], base: int | None, confidence: float
) -> None:
    """Pooled counts, Wilson and Newcombe intervals for share KPIs, in place (see the module notes)."""
    res["method"] = "t"
    res["events"] = np.nan
    res["few_events"] = False
    for kpi in kpis:
        if not is_share(kpi):
            continue
        rows = res["kpi"] == kpi
        cnt = count_name(kpi)
        if cnt not in group_rows[0].columns:
            res.loc[rows, "ci_low"] = res.loc[rows, "ci_low"].clip(0.0, 1.0)
            res.loc[rows, "ci_high"] = res.loc[rows, "ci_high"].clip(0.0, 1.0)
            res.loc[rows, "method"] = "t, clipped to [0, 1] (no event counts)"
            if base is not None:
                res.loc[rows, ["diff_ci_low", "diff_ci_high"]] = res.loc[rows, ["diff_ci_low", "diff_ci_high"]].clip(
                    -1, 1
                )
            continue
        if all(g[cnt].isna().all() for g in group_rows):
            continue  # the share is undefined in this run (e.g. a horizon too short for it)
        pooled = [pooled_counts(g[kpi].to_numpy(dtype=float), g[cnt].to_numpy(dtype=float)) for g in group_rows]
        if any(s > t for s, t in pooled):  # not a proportion of these events (e.g. several tickets per order)
            res.loc[rows, "method"] = "t (share above its event count)"
            continue
        for gi, (succ, trials) in enumerate(pooled):
            i = res.index[rows & (res["_group"] == gi)][0]
            lo, hi = wilson_ci(succ, trials, confidence)
            res.loc[i, ["mean", "ci_low", "ci_high", "events"]] = [succ / trials if trials else np.nan, lo, hi, trials]
            res.loc[i, "method"] = "wilson"
            few = trials < MIN_EVENTS or (base is not None and pooled[base][1] < MIN_EVENTS)
            res.loc[i, "few_events"] = bool(few)
            if base is None or gi == base:
                continue
            s0, n0 = pooled[base]
            diff = succ / trials - s0 / n0 if trials and n0 else np.nan
            dlo, dhi = newcombe_diff_ci(succ, trials, s0, n0, confidence)
            res.loc[i, ["diff", "diff_ci_low", "diff_ci_high", "p_value"]] = [
                diff,
                dlo,
                dhi,
                _score_p(succ, trials, s0, n0),
            ]
            res.loc[i, "rel_diff"] = diff / (s0 / n0) if s0 else np.nan
            res.loc[i, ["welch_ci_low", "welch_ci_high"]] = np.nan


def _suppress_rel(res: pd.DataFrame, base: int) -> None:
    """Flag (``rel_suppressed``) relative differences whose baseline mean is small against its own CI, in place."""
    res["rel_suppressed"] = False
    b = res[res["_group"] == base].set_index("kpi")
    half = (b["ci_high"] - b["ci_low"]) / 2.0
    weak = ~(half <= REL_BASE_MAX_HALF_WIDTH * b["mean"].abs())  # NaN half-widths count as weak ...
    weak &= b["mean"].notna() & (b["mean"] != 0)  # ... but without a base there is no ratio to flag
    others = (res["_group"] != base) & res["kpi"].map(weak).fillna(False).astype(bool)
    res.loc[others, "rel_suppressed"] = True
