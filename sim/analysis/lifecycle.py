"""Lifecycle stages from observed order history, and their accuracy against a true stage.

The stages use the vocabulary of the simulator's ``true_stage`` column (:data:`STAGES`), so an
observed labelling can be graded against the truth with :func:`stage_accuracy`.

Rules of :func:`lifecycle_stages` at the instant ``as_of`` (first matching rule wins)::

    new       first order within the last new_days
    won_back  the latest return -- an order after a gap of >= winback_gap_days -- lies
              within the last new_days
    active    last order within the last active_days
    at_risk   last order active_days .. at_risk_days ago
    dormant   last order at_risk_days .. lost_days ago
    lost      no order for more than lost_days

The thresholds are assumptions to discuss, not laws: a grocery shopper silent for 90 days is
at risk, a furniture buyer is not. :func:`stage_accuracy` gives the confusion matrix, the
accuracy with a Wilson interval and per-stage recall / precision (statsmodels).

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"customer_id": [1, 2, 2, 3, 4, 4],
...                        "date": ["2025-06-20", "2025-01-10", "2025-06-01", "2024-11-01",
...                                 "2023-01-01", "2025-06-15"]})
>>> lifecycle_stages(orders, as_of="2025-07-01")["stage"].tolist()
['new', 'active', 'dormant', 'won_back']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis._validate import check_confidence, check_number, require_columns, significance_level, to_timestamp
from sim.errors import ConfigError, DataError

__all__ = ["STAGES", "StageAccuracy", "lifecycle_stages", "stage_accuracy"]

#: Lifecycle stages, in lifecycle order (the same vocabulary as the simulator's ``true_stage``).
STAGES: tuple[str, ...] = ("new", "active", "at_risk", "dormant", "lost", "won_back")

_DAY = pd.Timedelta(days=1)


def lifecycle_stages(
    orders: pd.DataFrame,
    as_of: object,
    new_days: float = 90,
    active_days: float = 90,
    at_risk_days: float = 180,
    lost_days: float = 365,
    winback_gap_days: float = 365,
) -> pd.DataFrame:
    """Label each customer's lifecycle stage from the order history seen at ``as_of``.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id`` and ``date`` (datetime or ISO text). Orders after ``as_of`` are left
        out (counted in ``attrs["orders_after_as_of"]``); orders exactly at it count.
    as_of : date-like
        The labelling instant (a date means midnight at its start).
    new_days : float
        A customer whose first order is at most this old is ``new``; a return within this
        window makes a ``won_back`` customer.
    active_days, at_risk_days, lost_days : float
        Recency bands (days since the last order), increasing: active <= active_days <
        at_risk <= at_risk_days < dormant <= lost_days < lost.
    winback_gap_days : float
        A gap between two consecutive orders at least this long is a lapse; the order ending
        it is a return.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted). Columns ``first_order``, ``last_order``, ``orders``
        (count), ``age_days`` (since the first order), ``recency_days`` (since the last order),
        ``last_return`` (date of the latest return, NaT if none) and ``stage`` (ordered
        categorical over :data:`STAGES`).

    Raises
    ------
    DataError
        Missing columns, bad dates or ids, an empty table, no order on or before ``as_of``.
    ConfigError
        Non-positive thresholds, or recency bands not increasing.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": [7, 8], "date": ["2025-01-01", "2024-01-01"]})
    >>> lifecycle_stages(o, "2025-06-01")[["recency_days", "stage"]]
                 recency_days   stage
    customer_id
    7                   151.0  at_risk
    8                   517.0     lost
    """
    for name, value in (
        ("new_days", new_days),
        ("active_days", active_days),
        ("at_risk_days", at_risk_days),
        ("lost_days", lost_days),
        ("winback_gap_days", winback_gap_days),
    ):
        check_number(value, name, low=0, low_open=True)
    if not active_days < at_risk_days < lost_days:
        raise ConfigError(
            f"active_days={active_days!r}, at_risk_days={at_risk_days!r}, lost_days={lost_days!r} are not allowed: "
            "give increasing recency bands, active_days < at_risk_days < lost_days"
        )
    df = require_columns(orders, {"customer_id": "id", "date": "datetime"}, table="orders")
    cut = to_timestamp(as_of, name="as_of")
    after = df["date"] > cut
    df = df.loc[~after, ["customer_id", "date"]]
    if df.empty:
        raise DataError(f"no order on or before as_of {cut}", table="orders", column="date")
    df = df.sort_values(["customer_id", "date"], kind="mergesort")
    gap_days = df.groupby("customer_id")["date"].diff() / _DAY
    returns = df.loc[gap_days >= float(winback_gap_days)]
    g = df.groupby("customer_id", sort=True)["date"]
    out = pd.DataFrame({"first_order": g.min(), "last_order": g.max(), "orders": g.size().astype("int64")})
    out["age_days"] = (cut - out["first_order"]) / _DAY
    out["recency_days"] = (cut - out["last_order"]) / _DAY
    out["last_return"] = returns.groupby("customer_id")["date"].max().reindex(out.index)
    since_return = (cut - out["last_return"]) / _DAY
    rec = out["recency_days"].to_numpy(dtype=float)
    stage = np.select(
        [
            out["age_days"].to_numpy(dtype=float) <= new_days,
            (since_return <= new_days).to_numpy(dtype=bool),
            rec <= active_days,
            rec <= at_risk_days,
            rec <= lost_days,
        ],
        ["new", "won_back", "active", "at_risk", "dormant"],
        default="lost",
    )
    out["stage"] = pd.Categorical(stage, categories=list(STAGES), ordered=True)
    out.index.name = "customer_id"
    out.attrs["as_of"] = cut
    out.attrs["orders_after_as_of"] = int(after.sum())
    return out


@dataclass(frozen=True)
class StageAccuracy:
    """Result of :func:`stage_accuracy`.

    Attributes
    ----------
    confusion : pandas.DataFrame
        Counts, rows = true stage, columns = observed stage (all of :data:`STAGES`).
    accuracy : float
        Share of customers whose observed stage equals the true one.
    ci_low, ci_high : float
        Wilson interval of the accuracy.
    n : int
        Customers compared (present in both inputs).
    confidence : float
        Confidence level of the interval.
    per_stage : pandas.DataFrame
        Per stage: ``true`` (customers truly in it), ``observed`` (labelled so), ``recall``
        (share of the true stage found), ``precision`` (share of the label that is right);
        NaN where undefined.

    Examples
    --------
    >>> r = stage_accuracy(pd.Series(["new", "lost"], index=[1, 2]), pd.Series(["new", "dormant"], index=[1, 2]))
    >>> r.accuracy, r.n
    (0.5, 2)
    """

    confusion: pd.DataFrame
    accuracy: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float
    per_stage: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"StageAccuracy(accuracy = {self.accuracy:.3f} ({100 * self.confidence:.0f}% CI "
            f"{self.ci_low:.3f} to {self.ci_high:.3f}, n = {self.n}))"
        )


def _stage_series(x: object, name: str, columns: tuple[str, ...]) -> pd.Series:
    """A stage Series indexed by customer id from a Series or a frame (``customer_id`` column or index)."""
    if isinstance(x, pd.DataFrame):
        col = next((c for c in columns if c in x.columns), None)
        if col is None:
            raise DataError(f"missing a stage column; give one of {list(columns)}", table=name)
        df = require_columns(x, {col: "category"}, table=name)
        if "customer_id" in df.columns:
            df = require_columns(df, {"customer_id": "id"}, table=name, unique=["customer_id"])
            s = pd.Series(df[col].to_numpy(), index=pd.Index(df["customer_id"].to_numpy(), name="customer_id"))
        else:
            df = require_columns(df, {col: "category"}, table=name, unique_index=True)
            s = df[col]
        column = col
    elif isinstance(x, pd.Series):
        df = require_columns(x.to_frame("stage"), {"stage": "category"}, table=name, unique_index=True)
        s, column = df["stage"], "stage"
    else:
        raise DataError(f"expected a pandas Series or DataFrame of stages, got {type(x).__name__}", table=name)
    s = s.astype(str)
    bad = ~s.isin(list(STAGES))
    if bad.any():
        raise DataError(
            f"unknown stage(s) {sorted(set(s[bad]))[:4]}; allowed: {list(STAGES)}",
            table=name,
            column=column,
            rows=s.index[bad.to_numpy()],
        )
    return s


def stage_accuracy(observed: object, true: object, *, confidence: float = 0.95) -> StageAccuracy:
    """Confusion matrix and accuracy (with a Wilson interval) of observed stages against true ones.

    Parameters
    ----------
    observed : pandas.Series or pandas.DataFrame
        Observed stages indexed by customer id, or a frame with a ``stage`` column (e.g. the
        output of :func:`lifecycle_stages`) and ids in ``customer_id`` or the index.
    true : pandas.Series or pandas.DataFrame
        True stages: a Series, or a frame with ``true_stage`` (e.g. the simulator's customers
        table) or ``stage``.
    confidence : float
        Confidence level of the accuracy interval, strictly between 0 and 1.

    Returns
    -------
    StageAccuracy
        Customers present in both inputs are compared; the numbers left out of each input are
        in ``per_stage.attrs["only_observed"]`` / ``["only_true"]``.

    Raises
    ------
    DataError
        Unknown stage names, duplicate ids, no customer in common.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.Series(["new", "active", "lost", "at_risk"], index=[1, 2, 3, 4])
    >>> truth = pd.DataFrame({"customer_id": [1, 2, 3, 4], "true_stage": ["new", "active", "lost", "active"]})
    >>> r = stage_accuracy(obs, truth)
    >>> r.accuracy, round(r.ci_low, 3)
    (0.75, 0.301)
    >>> r.confusion.loc["active", ["active", "at_risk"]].tolist()
    [1, 1]
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = significance_level(check_confidence(confidence))
    obs = _stage_series(observed, "observed stages", ("stage", "observed_stage"))
    tru = _stage_series(true, "true stages", ("true_stage", "stage"))
    common = obs.index.intersection(tru.index)
    if len(common) == 0:
        raise DataError(
            "no customer id appears in both the observed and the true stages; check that both use the same ids",
            table="observed stages",
        )
    o, t = obs.loc[common], tru.loc[common]
    confusion = pd.crosstab(
        pd.Categorical(t.to_numpy(), categories=list(STAGES)),
        pd.Categorical(o.to_numpy(), categories=list(STAGES)),
        dropna=False,
    )
    confusion = confusion.reindex(index=list(STAGES), columns=list(STAGES), fill_value=0).astype("int64")
    confusion.index.name, confusion.columns.name = "true", "observed"
    n = int(len(common))
    k = int(np.trace(confusion.to_numpy()))
    lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
    diag = pd.Series(np.diag(confusion.to_numpy()), index=list(STAGES))
    n_true, n_obs = confusion.sum(axis=1), confusion.sum(axis=0)
    per_stage = pd.DataFrame(
        {
            "true": n_true.astype("int64"),
            "observed": n_obs.astype("int64"),
            "recall": diag / n_true.replace(0, np.nan),
            "precision": diag / n_obs.replace(0, np.nan),
        }
    )
    per_stage.index.name = "stage"
    per_stage.attrs["only_observed"] = int(len(obs) - n)
    per_stage.attrs["only_true"] = int(len(tru) - n)
    return StageAccuracy(confusion, k / n, float(lo), float(hi), n, float(confidence), per_stage)
