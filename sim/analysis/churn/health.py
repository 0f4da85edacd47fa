"""A transparent 0-100 customer health score from churn features, with an optional alert.

The seed's roadmap puts "health score + automated churn alerts" in months 7-12. The score is
a documented weighted average, meant to be read by people (hand-written on purpose).

Examples
--------
>>> import pandas as pd
>>> health_score(pd.DataFrame({"recency_days": [0.0, 180.0]}))["health_score"].tolist()
[100.0, 0.0]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.errors import DataError

__all__ = ["health_score", "HEALTH_WEIGHTS"]

#: Default weights of the health-score components (they sum to 1).
HEALTH_WEIGHTS: dict[str, float] = {"recency": 0.4, "trend": 0.2, "complaints": 0.2, "satisfaction": 0.2}


def health_score(
    features: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    recency_horizon_days: float = 180,
    complaint_penalty: float = 0.25,
    alert_below: float | None = None,
) -> pd.DataFrame:
    """A transparent 0-100 customer health score (100 = healthy) from churn features.

    Four components, each in [0, 1] (1 = healthy):

    - ``recency`` = max(0, 1 - recency_days / recency_horizon_days): 1 for an order today,
      0 after ``recency_horizon_days`` (default 180) without one;
    - ``trend`` = (orders_trend + 1) / 2: 0.5 when the last window has as many orders as
      the previous one, 1 when all recent orders fall in the last window, 0 when none do;
    - ``complaints`` = max(0, 1 - complaint_penalty * (tickets + sla_breaches)): each ticket
      costs 0.25 and each SLA breach another 0.25 (so two breached tickets give 0);
    - ``satisfaction`` = mean of the answers available, each rescaled to [0, 1]:
      last_nps / 10, (csat_mean - 1) / 4, (7 - ces_mean) / 6.

    ``health_score = 100 * sum(w_c * component_c) / sum(w_c)`` over the components that are
    available for that customer (a customer who never answered a survey is scored on the
    other three; a component whose columns are absent is left out for everyone). Default
    weights :data:`HEALTH_WEIGHTS`: recency 0.4, trend 0.2, complaints 0.2, satisfaction 0.2.

    Parameters
    ----------
    features : pandas.DataFrame
        Output of :func:`churn_features` (``recency_days`` required; ``orders_trend``,
        ``tickets``, ``sla_breaches``, ``last_nps``, ``csat_mean``, ``ces_mean`` used if present).
    weights : mapping, optional
        Weights by component name (missing names get 0); non-negative, not all 0.
    recency_horizon_days : float
        Days without an order after which the recency component is 0.
    complaint_penalty : float
        Reduction of the complaints component per ticket and per SLA breach.
    alert_below : float, optional
        If given, adds a boolean ``alert`` column: health_score < alert_below.

    Returns
    -------
    pandas.DataFrame
        Same index; columns ``recency``, ``trend``, ``complaints``, ``satisfaction`` (NaN when
        not available), ``health_score`` (0-100) and optionally ``alert``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"recency_days": [0.0, 90.0], "orders_trend": [0.0, -1.0],
    ...                   "tickets": [0, 1], "sla_breaches": [0, 1], "last_nps": [10.0, float("nan")]})
    >>> health_score(f, alert_below=50)
       recency  trend  complaints  satisfaction  health_score  alert
    0      1.0    0.5         1.0           1.0          90.0  False
    1      0.5    0.0         0.5           NaN          37.5   True
    """
    if not isinstance(features, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(features).__name__}", table="features")
    spec = {"recency_days": "nonneg"}
    for col in ("orders_trend", "tickets", "sla_breaches"):
        if col in features.columns:
            spec[col] = "number" if col == "orders_trend" else "nonneg"
    f = require_columns(features, spec, table="features")
    w = dict(HEALTH_WEIGHTS) if weights is None else dict.fromkeys(HEALTH_WEIGHTS, 0.0) | dict(weights)
    unknown = set(w) - set(HEALTH_WEIGHTS)
    if unknown:
        raise DataError(f"unknown health-score component(s) {sorted(unknown)}; use {list(HEALTH_WEIGHTS)}")
    if any(not isinstance(v, numbers.Real) or isinstance(v, bool) or not 0 <= v < math.inf for v in w.values()) or (
        sum(w.values()) <= 0
    ):
        raise DataError(f"weights must be finite numbers >= 0 and not all 0, got {w}")
    if not recency_horizon_days > 0 or not complaint_penalty >= 0:
        raise DataError("recency_horizon_days must be > 0 and complaint_penalty >= 0")

    idx = f.index
    nan = pd.Series(np.nan, index=idx)
    comp = pd.DataFrame(index=idx)
    comp["recency"] = (1 - f["recency_days"].astype(float) / recency_horizon_days).clip(0, 1)
    comp["trend"] = ((f["orders_trend"].astype(float).clip(-1, 1) + 1) / 2) if "orders_trend" in f else nan
    if "tickets" in f or "sla_breaches" in f:
        n = f.get("tickets", 0) + f.get("sla_breaches", 0)
        comp["complaints"] = (1 - complaint_penalty * pd.Series(n, index=idx).astype(float)).clip(0, 1)
    else:
        comp["complaints"] = nan
    parts = []
    if "last_nps" in f:
        parts.append(pd.to_numeric(f["last_nps"], errors="coerce").astype(float) / 10)
    if "csat_mean" in f:
        parts.append((pd.to_numeric(f["csat_mean"], errors="coerce").astype(float) - 1) / 4)
    if "ces_mean" in f:
        parts.append((7 - pd.to_numeric(f["ces_mean"], errors="coerce").astype(float)) / 6)
    comp["satisfaction"] = pd.concat(parts, axis=1).mean(axis=1).clip(0, 1) if parts else nan

    wv = pd.Series(w)[comp.columns]
    avail = comp.notna()
    num = comp.fillna(0.0).mul(wv, axis=1).sum(axis=1)
    den = avail.mul(wv, axis=1).sum(axis=1)
    comp["health_score"] = 100 * num / den.where(den > 0)
    if alert_below is not None:
        comp["alert"] = comp["health_score"] < alert_below
    return comp
