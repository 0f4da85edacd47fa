"""Early-warning helpers for chapter 07: change points and anomalies in KPI series, win-back KPIs, exit reasons.

* :func:`change_points` -- where the level of a KPI series shifts, found with the maintained
  `ruptures <https://centre-borelli.github.io/ruptures-docs/>`_ library (PELT search with a
  least-squares cost, the C implementation ``KernelCPD(kernel="linear")``), on the series scaled
  by a robust estimate of its noise so that one default penalty fits any unit;
* :func:`kpi_anomalies` -- single unusual points: a rolling robust z-score against the median and
  the MAD of the previous ``window`` values (the current value never hides itself);
* :func:`winback_summary` -- the observed win-back rate (customers contacted by the win-back
  trigger who ordered within ``window_days``) with a Wilson interval, and the cost per saved
  customer, from the contacts and orders tables only;
* :func:`stated_vs_true` -- the exit survey's stated reason against the latent true reason (a
  confusion table; the truth exists only in the simulator).

A change point answers "has the level moved and when?"; an anomaly flag answers "is this one
week unusual?". Both are descriptions of the past, not forecasts: check the flags against the
truth (the simulator's latent columns) before you act on them.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> weekly = pd.Series(np.r_[rng.normal(100, 3, 40), rng.normal(85, 3, 30)])
>>> change_points(weekly)["position"].tolist()
[40]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis._validate import (
    check_choice,
    check_confidence,
    check_number,
    require_columns,
    require_same_id_type,
)
from sim.errors import ConfigError, DataError

__all__ = ["change_points", "kpi_anomalies", "winback_summary", "stated_vs_true", "robust_noise_scale"]

#: Cost models :func:`change_points` accepts: ``l2`` (shifts of the mean), ``rbf`` (changes of the distribution).
MODELS = ("l2", "rbf")
#: Penalty per change point on the noise-scaled series when ``penalty`` is None (``l2`` only): a BIC-type 3 log n.
PENALTY_FACTOR = 3.0
_MAD_TO_SD = 1.482602218505602  # 1 / Phi^-1(3/4): the MAD of normal noise times this is its standard deviation


def _series(series: object, name: str = "series", *, min_len: int = 1) -> pd.Series:
    """A numeric Series (a list or array becomes one with a 0..n-1 index); finite values only."""
    if isinstance(series, pd.DataFrame):
        raise DataError(f"give one column (a Series), not a table with columns {list(series.columns)[:5]}", table=name)
    if isinstance(series, (str, bytes)) or not hasattr(series, "__len__"):
        raise DataError(f"expected a Series, list or array of numbers, got {type(series).__name__}", table=name)
    s = series.copy() if isinstance(series, pd.Series) else pd.Series(list(series))  # type: ignore[call-overload]
    if s.dtype == bool or s.map(lambda v: isinstance(v, (bool, np.bool_, str, bytes))).any():
        bad = s.map(lambda v: isinstance(v, (bool, np.bool_, str, bytes))).to_numpy(dtype=bool)
        raise DataError(
            "expected numbers (KPI values), found text or booleans; convert them first, e.g. pd.to_numeric(...)",
            table=name,
            column="value",
            rows=s.index[bad] if bad.any() else s.index,
        )
    values = pd.to_numeric(s, errors="coerce").astype(float)
    bad = ~np.isfinite(values.to_numpy())
    if bad.any():
        raise DataError(
            "missing (NaN) or infinite values; fill or drop them first (a gap in a KPI series is a decision)",
            table=name,
            column="value",
            rows=values.index[bad],
        )
    if len(values) < min_len:
        raise DataError(f"needs at least {min_len} values, got {len(values)}", table=name)
    _check_time_index(values.index, name)
    return values


def _check_time_index(index: pd.Index, name: str) -> None:
    """The index of a KPI series labels time: no repeated labels; dates (or numbers) in increasing order,
    of one time zone."""
    if isinstance(index, pd.MultiIndex):
        return
    dup = index.duplicated()
    if dup.any():
        raise DataError(
            f"repeated index label(s), e.g. {str(index[dup][0])[:40]!r}; give one value per period "
            "(e.g. series.groupby(level=0).sum())",
            table=name,
            column="index",
            rows=index[dup],
        )
    if index.dtype == object and len(index) and pd.api.types.infer_dtype(index, skipna=False) == "datetime":
        zones = {str(getattr(v, "tz", None)) for v in index}
        raise DataError(
            f"index dates of mixed time zones {sorted(zones)[:4]}; convert them to one zone first, e.g. "
            "series.index = pd.to_datetime(series.index, utc=True)",
            table=name,
            column="index",
        )
    ordered = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex, pd.TimedeltaIndex)) or (
        pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index.dtype)
    )
    if ordered and not index.is_monotonic_increasing:
        bad = np.flatnonzero(np.asarray(index[1:] < index[:-1])) + 1
        raise DataError(
            "the index is not in time order; sort it first (series.sort_index()): the series is read in order",
            table=name,
            column="index",
            rows=index[bad],
        )


def robust_noise_scale(series: object) -> float:
    """The noise standard deviation of a series, robust to level shifts and outliers.

    The MAD of the first differences times 1.4826, divided by sqrt(2) (a difference of two
    independent noise terms has twice their variance). A level shift changes one difference only,
    so it barely moves this estimate, unlike the standard deviation of the series itself.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(0, 2.0, 2000)
    >>> round(robust_noise_scale(x), 1)
    2.0
    >>> round(robust_noise_scale(np.r_[x, x + 50]), 1)   # a shift of 50 hardly changes it
    2.0
    """
    x = _series(series, min_len=3).to_numpy()
    d = np.diff(x)
    return float(np.median(np.abs(d - np.median(d))) * _MAD_TO_SD / math.sqrt(2.0))


def change_points(series: object, penalty: float | None = None, model: str = "l2", min_size: int = 3) -> pd.DataFrame:
    """Where the level of a KPI series shifts: PELT change points with ``ruptures``.

    The series is centred and divided by :func:`robust_noise_scale`, so the penalty is in units
    of noise variance and does not depend on the KPI's unit. PELT then finds the segmentation
    that minimises the within-segment sum of squares (``model="l2"``; ``"rbf"`` detects changes of
    the whole distribution) plus ``penalty`` per change point (exact search, not greedy).

    Parameters
    ----------
    series : pandas.Series, list or array of numbers
        The KPI in time order (e.g. weekly orders); the index (dates) labels the change points.
    penalty : float, optional
        Cost of one more change point on the scaled series. Default (``l2`` only):
        ``3 * log(n)``, a BIC-type penalty: on pure noise of 100 points it finds a change in about
        3% of series; a shift of 1.5 noise standard deviations in the middle is found about 9 times
        in 10. Larger penalties give fewer, surer change points.
    model : {"l2", "rbf"}
        The segment cost (``rbf`` needs an explicit ``penalty``).
    min_size : int
        Fewest points in a segment (>= 2).

    Returns
    -------
    pandas.DataFrame
        One row per change point, in time order: ``position`` (integer position of the first
        value of the new segment), ``label`` (the series' index there, e.g. the week),
        ``mean_before``, ``mean_after`` (means of the adjacent segments, in the KPI's unit),
        ``shift`` (after - before) and ``shift_sd`` (the shift in noise standard deviations).
        Empty (same columns) when nothing changes.

    Raises
    ------
    sim.errors.DataError
        For text, booleans, NaN or inf, or fewer than ``2 * min_size`` values.
    sim.errors.ConfigError
        For an unknown ``model``, a ``penalty`` that is not a number > 0, or ``min_size`` < 2.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 11, 9, 10, 11, 10, 9, 10, 20, 21, 19, 20, 21, 20],
    ...               index=pd.date_range("2025-01-06", periods=14, freq="W-MON"))
    >>> cp = change_points(s)
    >>> cp[["position", "mean_before", "mean_after"]].to_dict("records")
    [{'position': 8, 'mean_before': 10.0, 'mean_after': 20.166666666666668}]
    >>> str(cp["label"].iloc[0].date())
    '2025-03-03'
    >>> change_points([5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 5.1, 5.0]).empty
    True
    """
    import ruptures as rpt

    model = check_choice(model, "model", MODELS)
    size = int(check_number(min_size, "min_size", low=2, integer=True))
    s = _series(series, min_len=2 * size)
    x = s.to_numpy()
    n = len(x)
    if penalty is None:
        if model != "l2":
            raise ConfigError(f"penalty=None is calibrated for model='l2' only; give a penalty for model={model!r}")
        pen = PENALTY_FACTOR * math.log(n)
    else:
        pen = check_number(penalty, "penalty", low=0, low_open=True)
    scale = robust_noise_scale(x)
    spread = float(np.std(x))
    if scale <= 1e-9 * spread or scale == 0.0:  # no noise to speak of (e.g. a series that never moves): use the spread
        scale = spread or 1.0
    z = (x - np.median(x)) / scale
    algo = rpt.KernelCPD(kernel="linear" if model == "l2" else "rbf", min_size=size).fit(z)
    ends = [int(b) for b in algo.predict(pen=pen)]  # segment ends, the last is n
    starts = [0, *ends[:-1]]
    rows = []
    for k in range(1, len(starts)):
        before = x[starts[k - 1] : starts[k]]
        after = x[starts[k] : ends[k]]
        mb, ma = float(before.mean()), float(after.mean())
        rows.append(
            {
                "position": starts[k],
                "label": s.index[starts[k]],
                "mean_before": mb,
                "mean_after": ma,
                "shift": ma - mb,
                "shift_sd": (ma - mb) / scale,
            }
        )
    out = pd.DataFrame(rows, columns=["position", "label", "mean_before", "mean_after", "shift", "shift_sd"])
    return out.astype({"position": "int64"})


def kpi_anomalies(series: object, window: int = 8, z: float = 3.0) -> pd.DataFrame:
    """Flag unusual points of a KPI series with a rolling robust z-score.

    For each point the baseline is the median of the previous ``window`` values and the scale
    1.4826 x their MAD (median absolute deviation), a standard-deviation estimate that one
    outlier cannot inflate. ``z_score = (value - baseline) / scale``; a point is an anomaly when
    ``|z_score| > z``. The first ``window`` points have no baseline (NaN, never flagged). When
    the previous values are all equal (MAD 0), any different value is an anomaly (z = +-inf).

    Parameters
    ----------
    series : pandas.Series, list or array of numbers
        The KPI in time order; the index is kept.
    window : int
        How many previous values form the baseline (>= 3).
    z : float
        Threshold on ``|z_score|`` (> 0).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``series``: ``value``, ``baseline``, ``scale``, ``z_score``, ``anomaly`` (bool).

    Examples
    --------
    >>> out = kpi_anomalies([10, 11, 9, 10, 12, 10, 11, 9, 30, 10], window=5)
    >>> out["anomaly"].tolist()
    [False, False, False, False, False, False, False, False, True, False]
    >>> round(float(out["z_score"].iloc[8]), 1)
    13.5
    """
    w = int(check_number(window, "window", low=3, integer=True))
    thr = check_number(z, "z", low=0, low_open=True)
    s = _series(series)
    if w >= len(s):
        raise ConfigError(
            f"window={w} is not allowed for a series of {len(s)} values: give a window shorter than the series "
            "(no point would have a baseline)"
        )
    x = s.to_numpy()
    n = len(x)
    base = np.full(n, np.nan)
    scale = np.full(n, np.nan)
    for i in range(w, n):
        prev = x[i - w : i]
        med = np.median(prev)
        base[i] = med
        scale[i] = _MAD_TO_SD * np.median(np.abs(prev - med))
    dev = x - base
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = np.where(scale > 0, dev / np.where(scale > 0, scale, 1.0), np.where(dev == 0, 0.0, np.sign(dev) * np.inf))
    zs[np.isnan(base)] = np.nan
    flag = np.abs(np.nan_to_num(zs, nan=0.0)) > thr
    return pd.DataFrame({"value": x, "baseline": base, "scale": scale, "z_score": zs, "anomaly": flag}, index=s.index)


def _wilson(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy import stats

    zq = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    nn = np.where(n > 0, n, np.nan).astype(float)
    p = k / nn
    centre = (p + zq**2 / (2 * nn)) / (1 + zq**2 / nn)
    half = zq / (1 + zq**2 / nn) * np.sqrt(p * (1 - p) / nn + zq**2 / (4 * nn**2))
    return centre - half, centre + half


def winback_summary(
    contacts: pd.DataFrame,
    orders: pd.DataFrame,
    window_days: float = 90.0,
    *,
    campaign: str | Sequence[str] = "winback",
    by: str | None = None,
    observed_until: float | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Observed win-back rate with a Wilson CI, and the cost per saved customer.

    A customer contacted by one of the ``campaign`` triggers (contacts column ``campaign``) is
    **won back** when they order within ``window_days`` after one of those contacts
    (``t_contact < t_order <= t_contact + window_days``). Rate = won back / customers contacted;
    cost per saved customer = cost of those contacts / customers won back. Only observed columns
    are used (the firm can compute this); note that a won-back customer may have ordered anyway
    (this is not the uplift of the contact: for that, compare with a holdout, chapter 08).

    Parameters
    ----------
    contacts : pandas.DataFrame
        Columns ``customer_id``, ``t`` (days), ``campaign``, ``cost`` (+ ``by`` if given).
    orders : pandas.DataFrame
        Columns ``customer_id``, ``t`` (days).
    window_days : float
        How long after the contact an order counts (> 0).
    campaign : str or sequence of str
        Which triggers count (default ``"winback"``).
    by : str, optional
        A contacts column to split by (e.g. ``"variant"``: the offer); a customer contacted in two
        groups counts in both.
    observed_until : float, optional
        The last day of data: contacts later than ``observed_until - window_days`` are left out,
        since their window is not over (they would bias the rate down).
    confidence : float
        Coverage of the Wilson interval.

    Returns
    -------
    pandas.DataFrame
        One row per group (index ``by``, or a single row ``"all"``): ``contacted``, ``won_back``
        (int), ``winback_rate``, ``ci_low``, ``ci_high``, ``cost``, ``cost_per_saved`` (NaN when
        nobody was won back).

    Examples
    --------
    >>> import pandas as pd
    >>> contacts = pd.DataFrame({"customer_id": [1, 2, 3, 4], "t": [100.0, 100, 130, 130],
    ...                          "campaign": ["winback"] * 4, "cost": [2.0, 2, 2, 2]})
    >>> orders = pd.DataFrame({"customer_id": [1, 2, 3], "t": [150.0, 191.0, 220.0]})
    >>> winback_summary(contacts, orders)[["contacted", "won_back", "winback_rate", "cost_per_saved"]]
         contacted  won_back  winback_rate  cost_per_saved
    all          4         2           0.5             4.0
    """
    conf = check_confidence(confidence)
    window = check_number(window_days, "window_days", low=0, low_open=True)
    spec = {"customer_id": "id", "t": "number", "campaign": "category", "cost": "nonneg"}
    if by is not None:
        spec[by] = "category"
    c = require_columns(contacts, spec, table="contacts", allow_empty=True)
    o = require_columns(orders, {"customer_id": "id", "t": "number"}, table="orders", allow_empty=True)
    if len(c) and len(o):
        require_same_id_type(c["customer_id"], o["customer_id"], tables=("contacts", "orders"))
    names = [campaign] if isinstance(campaign, str) else list(campaign) if isinstance(campaign, (list, tuple)) else []
    if not names or not all(isinstance(x, str) for x in names):
        raise ConfigError(f"campaign={str(campaign)[:60]!r} is not allowed: give a trigger name or a list of names")
    c = c[c["campaign"].astype(str).isin(names)]
    if observed_until is not None:
        end = check_number(observed_until, "observed_until")
        c = c[c["t"].astype(float) <= end - window]
    c = c[["customer_id", "t", "cost", *([by] if by is not None else [])]].reset_index(drop=True)
    c["_contact"] = np.arange(len(c))
    pairs = c.merge(o[["customer_id", "t"]].rename(columns={"t": "t_order"}), on="customer_id", how="inner")
    dt = pairs["t_order"].astype(float) - pairs["t"].astype(float)
    hit_contacts = set(pairs.loc[(dt > 0) & (dt <= window), "_contact"])
    c["_won"] = c["_contact"].isin(hit_contacts)
    key = c[by].astype(str) if by is not None else pd.Series("all", index=c.index)
    rows = {}
    for group, g in c.groupby(key, sort=True):
        per_customer = g.groupby("customer_id")["_won"].any()
        rows[group] = {
            "contacted": len(per_customer),
            "won_back": int(per_customer.sum()),
            "cost": float(g["cost"].sum()),
        }
    if not rows:
        rows["all" if by is None else "(none)"] = {"contacted": 0, "won_back": 0, "cost": 0.0}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out = out.astype({"contacted": "int64", "won_back": "int64", "cost": "float64"})
    k = out["won_back"].to_numpy(dtype=float)
    n = out["contacted"].to_numpy(dtype=float)
    lo, hi = _wilson(k, n, conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
        per_saved = np.where(k > 0, out["cost"].to_numpy() / np.where(k > 0, k, 1.0), np.nan)
    out["winback_rate"] = rate
    out["ci_low"], out["ci_high"] = lo, hi
    out["cost_per_saved"] = per_saved
    out.index.name = by
    return out[["contacted", "won_back", "winback_rate", "ci_low", "ci_high", "cost", "cost_per_saved"]]


def stated_vs_true(surveys: pd.DataFrame, normalize: str | None = None) -> pd.DataFrame:
    """The exit survey's stated reason against the latent true reason (a confusion table).

    Uses the exit-survey rows (``instrument == "reason"``; other rows are ignored). Rows are the
    true reasons (``true_reason``, latent: only the simulator has it), columns the stated ones
    (``reason``), both sorted, and every reason that occurs on either side appears on both.

    Parameters
    ----------
    surveys : pandas.DataFrame
        Columns ``instrument``, ``reason``, ``true_reason``.
    normalize : {None, "true", "stated"}
        None: counts. ``"true"``: each row sums to 1 (P(stated | true): how often a leaver for price
        says price). ``"stated"``: each column sums to 1 (P(true | stated): how far to trust an answer).

    Returns
    -------
    pandas.DataFrame
        Index ``true_reason``, columns ``stated_reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"instrument": ["reason"] * 4 + ["nps"],
    ...                   "reason": ["price", "price", "service", "price", ""],
    ...                   "true_reason": ["price", "service", "service", "product", ""]})
    >>> stated_vs_true(s)
    stated_reason  price  product  service
    true_reason
    price              1        0        0
    product            1        0        0
    service            1        0        1
    >>> float(stated_vs_true(s, normalize="stated").loc["price", "price"])
    0.3333333333333333
    """
    how = None if normalize is None else check_choice(normalize, "normalize", ("true", "stated"))
    s = require_columns(
        surveys, {"instrument": "category", "reason": "any", "true_reason": "any"}, table="surveys", allow_empty=True
    )
    exit_rows = s[s["instrument"].astype(str) == "reason"]
    for col in ("reason", "true_reason"):
        missing = exit_rows[col].isna() | (exit_rows[col].astype(str) == "")
        if missing.any():
            raise DataError(
                "an exit-survey answer without a reason", table="surveys", column=col, rows=exit_rows.index[missing]
            )
        text = exit_rows[col].map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if not text.all():
            raise DataError(
                f"reasons must be text, found {str(exit_rows[col][~text].iloc[0])[:30]!r}; 1 and '1' would be "
                "two different reasons: convert the column first, e.g. .astype(str)",
                table="surveys",
                column=col,
                rows=exit_rows.index[~text],
            )
    labels = sorted(set(exit_rows["reason"].astype(str)) | set(exit_rows["true_reason"].astype(str)))
    table = pd.crosstab(exit_rows["true_reason"].astype(str), exit_rows["reason"].astype(str))
    table = table.reindex(index=labels, columns=labels, fill_value=0).astype("int64")
    table.index.name, table.columns.name = "true_reason", "stated_reason"
    if how == "true":
        return table.div(table.sum(axis=1).replace(0, np.nan), axis=0)
    if how == "stated":
        return table.div(table.sum(axis=0).replace(0, np.nan), axis=1)
    return table
