"""Statistics of replicated experiments: t-intervals, paired (CRN) and Welch differences.

Common random numbers (CRN)
    Replication ``k`` uses the same seed in every arm, so the arms share their customers,
    latent traits and shocks and differ only through what the arm changes. Differences between
    arms are then far less noisy than the arms themselves, which is why the paired t-interval is
    tighter than Welch's unpaired one.

Libraries: t-intervals, paired and Welch t-tests come from :mod:`scipy.stats` (``ttest_1samp``
on values and on paired differences, ``ttest_ind``). Hand-written: only the degenerate cases
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

__all__ = ["summarize"]


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
    """Per group and KPI: mean, sd and t-interval; with a baseline, paired differences too.

    Parameters
    ----------
    table : DataFrame
        One row per group x replication: the ``by`` column(s), ``replication`` and KPI columns
        (e.g. :attr:`Comparison.replications`).
    by : str or list of str
        Column(s) naming the group (arm, or grid point).
    baseline : optional
        The group every other group is compared with (a value of ``by``, a tuple for several
        columns). Rows are paired on ``replication``; with common random numbers pairs share
        their seed.
    kpis : list of str, optional
        KPI columns (default: every numeric column except ``replication`` and ``seed``).
    confidence : float
        Confidence level of all intervals (default 0.95).

    Returns
    -------
    DataFrame
        One row per group and KPI: ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high`` (t-interval
        of the mean); with a baseline also ``n_pairs``, ``diff`` (mean paired difference, group
        minus baseline), ``diff_sd``, ``diff_ci_low``, ``diff_ci_high`` (t-interval of the paired
        differences), ``rel_diff`` (``diff`` / abs(baseline mean over the pairs), so its sign is the sign of ``diff``), ``p_value``
        (paired t-test: :func:`scipy.stats.ttest_1samp` of the differences, identical to ``ttest_rel``), ``welch_ci_low``, ``welch_ci_high``
        (unpaired Welch interval of the difference of means, for contrast). The baseline's
        difference columns are NaN. Replications where a KPI is NaN (e.g. no P0 tickets) are
        left out of that KPI's figures, and ``n`` / ``n_pairs`` say how many remained.

    Examples
    --------
    >>> t = pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
    ...                   "x": [1.0, 2.0, 3.0, 2.0, 3.5, 4.0]})
    >>> s = summarize(t, baseline="a").set_index("policy")
    >>> float(s.loc["b", "diff"]), float(s.loc["b", "mean"])
    (1.1666666666666667, 3.1666666666666665)
    >>> bool(s.loc["b", "diff_ci_high"] - s.loc["b", "diff_ci_low"] < s.loc["b", "welch_ci_high"] - s.loc["b", "welch_ci_low"])
    True
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_cols + ["replication"] if c not in table.columns]
    if missing:
        raise ConfigError(f"summarize: table has no column(s) {missing}; columns: {list(table.columns)}")
    confidence = check_confidence(confidence)
    if kpis is None:
        skip = set(by_cols) | {"replication", "seed", "point", "arm"}
        kpis = [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])]
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
    frames = []
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
        frames.append(out)
    return pd.concat(frames, ignore_index=True)
