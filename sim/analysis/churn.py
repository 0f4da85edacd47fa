"""Churn early warning: features from observed history, labels, models, evaluation, profit.

The three-step model of the courseware (collect behaviour, transactions and interactions ->
choose features such as purchase frequency, spend, number of complaints and time since the
last interaction -> build and regularly check a model) maps onto this module:

* :func:`churn_features` builds one row per customer from the history observed **up to a
  cutoff** (orders, and optionally tickets, surveys, contacts, customers). It only reads the
  documented observed columns, so latent ``true_*`` columns are never used even when present.
* :func:`churn_labels` gives the *observed* churn label: no order in the window after the
  cutoff. It is a proxy for true churn (a customer may be alive but simply not order in the
  window); the simulator's ``true_alive`` lets a course check how good the proxy is.
* :func:`make_pipeline` returns scikit-learn pipelines (imputation + scaling + logistic
  regression, or histogram gradient boosting).
* :func:`evaluate`, :func:`lift_table`, :func:`calibration_table` measure a score;
  ROC AUC, the Brier score and the calibration curve come from scikit-learn.
* :func:`targeting_profit` and :func:`profit_curve` value a targeted retention offer;
  :func:`health_score` is a transparent 0-100 score (the seed's roadmap puts "health score +
  automated churn alerts" in months 7-12).

Which library does the work: scikit-learn (pipelines, models, ``roc_auc_score``,
``brier_score_loss``, ``calibration_curve``), pandas (feature aggregation), matplotlib (plots).
Hand-written, because no maintained library offers them in this form: precision@k / lift@k
and the decile lift table (a few lines of ranking), the expected-profit formula of a targeted
offer, and the health score (a documented weighted average, meant to be read by people).

Examples
--------
>>> import pandas as pd
>>> from sim.analysis.churn import churn_features, churn_labels
>>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 2],
...                        "date": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-01", "2025-05-01"]),
...                        "amount": [100.0, 50.0, 80.0, 20.0]})
>>> churn_features(orders, "2025-03-31")[["recency_days", "frequency", "monetary_total"]]
             recency_days  frequency  monetary_total
customer_id
1                    30.0          2           150.0
2                    58.0          1            80.0
>>> churn_labels(orders, "2025-03-31").tolist()   # 1 = no order in the next 90 days
[1, 0]
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sim.analysis._validate import require_columns, to_timestamp
from sim.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "churn_features",
    "churn_labels",
    "make_pipeline",
    "evaluate",
    "lift_table",
    "calibration_table",
    "targeting_profit",
    "profit_curve",
    "health_score",
    "plot_lift",
    "plot_calibration",
    "plot_profit_curve",
    "HEALTH_WEIGHTS",
]

_DAY = pd.Timedelta(days=1)

#: Default weights of the health-score components (they sum to 1).
HEALTH_WEIGHTS: dict[str, float] = {"recency": 0.4, "trend": 0.2, "complaints": 0.2, "satisfaction": 0.2}


# --------------------------------------------------------------------------- time helpers
def _is_numeric_cutoff(cutoff: object) -> bool:
    return isinstance(cutoff, numbers.Real) and not isinstance(cutoff, bool)


def _resolve_cutoff(cutoff: object) -> tuple[bool, Any]:
    """Return (numeric, cutoff): numeric cutoffs are days on the ``t`` axis, others dates."""
    if _is_numeric_cutoff(cutoff):
        value = float(cutoff)  # type: ignore[arg-type]
        if not np.isfinite(value):
            raise DataError(f"cutoff={cutoff!r} is not a finite number of days")
        return True, value
    return False, to_timestamp(cutoff, name="cutoff")


def _age(df: pd.DataFrame, numeric: bool, cutoff: Any, date_col: str, t_col: str) -> pd.Series:
    """Days from each row's time to the cutoff (>= 0: observed at the cutoff)."""
    if numeric:
        return cutoff - df[t_col].astype(float)
    return (cutoff - df[date_col]) / _DAY


def _checked(df: pd.DataFrame | None, table: str, spec: dict[str, str], numeric: bool,
             date_col: str, t_col: str) -> pd.DataFrame:
    time_spec = {t_col: "number"} if numeric else {date_col: "datetime"}
    return require_columns(df, {**spec, **time_spec}, table=table, allow_empty=table != "orders")  # type: ignore[arg-type]


def _known_customers(orders: pd.DataFrame, order_age: pd.Series, customers: pd.DataFrame | None,
                     numeric: bool, cutoff: Any) -> tuple[pd.Index, pd.Series | None]:
    """Customers known at the cutoff and (if a customers table is given) their age in days."""
    ids = pd.Index(orders.loc[order_age >= 0, "customer_id"].unique())
    acq_age = None
    if customers is not None:
        cust = _checked(customers, "customers", {"customer_id": "id"}, numeric, "acquired_date", "acquired_t")
        if cust["customer_id"].duplicated().any():
            bad = cust.index[cust["customer_id"].duplicated(keep=False)]
            raise DataError("duplicate customer ids", table="customers", column="customer_id", rows=bad)
        age = _age(cust, numeric, cutoff, "acquired_date", "acquired_t")
        acq_age = pd.Series(age.to_numpy(), index=cust["customer_id"].to_numpy())
        acq_age = acq_age[acq_age >= 0]
        ids = ids.union(pd.Index(acq_age.index))
    if len(ids) == 0:
        raise DataError("no customer has an order (or an acquisition) on or before the cutoff",
                        table="orders", column="date" if not numeric else "t")
    ids = pd.Index(np.sort(ids.to_numpy()), name="customer_id")
    return ids, acq_age


def _sym_change(last: pd.Series, prev: pd.Series) -> pd.Series:
    """Symmetric relative change (last - prev) / (last + prev) in [-1, 1]; 0 when both are 0."""
    total = last + prev
    out = (last - prev) / total.where(total > 0)
    return out.fillna(0.0)


# --------------------------------------------------------------------------- features
def churn_features(
    orders: pd.DataFrame,
    cutoff: object,
    *,
    tickets: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    window_days: float = 90,
) -> pd.DataFrame:
    """One row of churn features per customer, from the history observed up to ``cutoff``.

    Only rows dated on or before the cutoff are read, and only the documented observed
    columns (``customer_id``, ``date``/``t``, ``amount``, ``sla_met``, ``instrument``,
    ``score`` ...): latent ``true_*`` columns are ignored even if present.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``amount`` (>= 0) and ``date`` (or ``t`` when ``cutoff`` is a number).
    cutoff : date-like or float
        The observation date. A number means days on the simulator's ``t`` axis; then ``t``
        columns are used (tickets: ``opened_t``; customers: ``acquired_t``).
    tickets : pandas.DataFrame, optional
        ``customer_id``, ``date``/``opened_t``, ``sla_met`` (True/False/NA). If ``opened_t``
        and ``resolved_t`` are present, a breach is only counted once the ticket was resolved
        by the cutoff (the SLA outcome is not known earlier).
    surveys : pandas.DataFrame, optional
        ``customer_id``, ``date``/``t``, ``instrument`` (nps, csat, ces), ``score``.
    contacts : pandas.DataFrame, optional
        ``customer_id``, ``date``/``t``.
    customers : pandas.DataFrame, optional
        ``customer_id``, ``acquired_date``/``acquired_t``: adds customers acquired by the
        cutoff who have no order yet, and measures tenure from acquisition.
    window_days : float
        Length of the "last" and "previous" windows (default 90 days).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted); columns (W = ``window_days``):

        - ``recency_days``: days since the last order (since acquisition if none);
        - ``frequency``: orders up to the cutoff (first order included);
        - ``monetary_mean`` (NaN without orders), ``monetary_total``: order values;
        - ``tenure_days``: days since acquisition (or since the first order);
        - ``orders_last_Wd``, ``orders_prev_Wd``: orders in (c-W, c] and (c-2W, c-W];
        - ``spend_last_Wd``, ``spend_prev_Wd``: the same for spend;
        - ``orders_trend``, ``spend_trend``: (last - prev) / (last + prev), in [-1, 1], 0 if both 0;
        - with ``tickets``: ``tickets``, ``sla_breaches`` (tickets with ``sla_met == False``);
        - with ``surveys``: ``survey_answers``, ``last_nps`` (0-10), ``csat_mean`` (1-5),
          ``ces_mean`` (1-7) -- NaN when never answered (the pipelines impute);
        - with ``contacts``: ``contacts``.

    Raises
    ------
    DataError
        A missing column, a negative amount, an unparseable date, or no customer at the cutoff.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 1], "date": ["2025-01-01", "2025-02-20", "2025-03-30"],
    ...                        "amount": [10.0, 20.0, 30.0]})
    >>> f = churn_features(orders, "2025-03-31", window_days=30)
    >>> f.loc[1, ["frequency", "orders_last_30d", "orders_prev_30d", "orders_trend", "spend_trend"]].to_dict()
    {'frequency': 3.0, 'orders_last_30d': 1.0, 'orders_prev_30d': 1.0, 'orders_trend': 0.0, 'spend_trend': 0.2}
    """
    numeric, cut = _resolve_cutoff(cutoff)
    if not (isinstance(window_days, numbers.Real) and window_days > 0):
        raise DataError(f"window_days must be a positive number of days, got {window_days!r}")
    w = float(window_days)
    wl = f"{window_days:g}"

    o = _checked(orders, "orders", {"customer_id": "id", "amount": "nonneg"}, numeric, "date", "t")
    o_age = _age(o, numeric, cut, "date", "t")
    ids, acq_age = _known_customers(o, o_age, customers, numeric, cut)
    seen = o.loc[o_age >= 0, ["customer_id", "amount"]].assign(age=o_age[o_age >= 0])
    g = seen.groupby("customer_id")

    f = pd.DataFrame(index=ids)
    last_age = g["age"].min().reindex(ids)
    first_age = g["age"].max().reindex(ids)
    f["frequency"] = g.size().reindex(ids, fill_value=0).astype("int64")
    f["monetary_mean"] = g["amount"].mean().reindex(ids).astype(float)
    f["monetary_total"] = g["amount"].sum().reindex(ids, fill_value=0.0).astype(float)
    tenure = first_age if acq_age is None else acq_age.reindex(ids).fillna(first_age)
    f["tenure_days"] = tenure.astype(float)
    f["recency_days"] = last_age.fillna(f["tenure_days"]).astype(float)

    last = seen[seen["age"] < w].groupby("customer_id")
    prev = seen[(seen["age"] >= w) & (seen["age"] < 2 * w)].groupby("customer_id")
    f[f"orders_last_{wl}d"] = last.size().reindex(ids, fill_value=0).astype("int64")
    f[f"orders_prev_{wl}d"] = prev.size().reindex(ids, fill_value=0).astype("int64")
    f[f"spend_last_{wl}d"] = last["amount"].sum().reindex(ids, fill_value=0.0).astype(float)
    f[f"spend_prev_{wl}d"] = prev["amount"].sum().reindex(ids, fill_value=0.0).astype(float)
    f["orders_trend"] = _sym_change(f[f"orders_last_{wl}d"].astype(float), f[f"orders_prev_{wl}d"].astype(float))
    f["spend_trend"] = _sym_change(f[f"spend_last_{wl}d"], f[f"spend_prev_{wl}d"])
    f = f[["recency_days", "frequency", "monetary_mean", "monetary_total", "tenure_days"]
          + [f"orders_last_{wl}d", f"orders_prev_{wl}d", f"spend_last_{wl}d", f"spend_prev_{wl}d"]
          + ["orders_trend", "spend_trend"]]

    if tickets is not None:
        t = _checked(tickets, "tickets", {"customer_id": "id", "sla_met": "any"}, numeric, "date", "opened_t")
        sla = t["sla_met"]
        odd = sla.notna() & ~sla.isin([True, False, 0, 1])
        if odd.any():
            raise DataError("expected True/False/NA", table="tickets", column="sla_met", rows=t.index[odd])
        t_age = _age(t, numeric, cut, "date", "opened_t")
        opened = t_age >= 0
        breach = opened & sla.notna() & (sla.astype("boolean").fillna(True) == False)  # noqa: E712
        if "resolved_t" in t.columns and ("opened_t" in t.columns or numeric):
            resolved = pd.to_numeric(t["resolved_t"], errors="coerce").astype(float)
            start = t["opened_t"].astype(float) if not numeric else None
            res_age = (cut - resolved) if numeric else t_age - (resolved - start)
            breach &= res_age.fillna(-np.inf) >= 0
        f["tickets"] = t.loc[opened].groupby("customer_id").size().reindex(ids, fill_value=0).astype("int64")
        f["sla_breaches"] = t.loc[breach].groupby("customer_id").size().reindex(ids, fill_value=0).astype("int64")

    if surveys is not None:
        s = _checked(surveys, "surveys", {"customer_id": "id", "instrument": "category", "score": "number"},
                     numeric, "date", "t")
        s = s.assign(age=_age(s, numeric, cut, "date", "t"), instrument=s["instrument"].astype(str).str.lower())
        s = s[s["age"] >= 0]
        f["survey_answers"] = s.groupby("customer_id").size().reindex(ids, fill_value=0).astype("int64")
        nps = s[s["instrument"] == "nps"].sort_values("age", kind="stable")
        f["last_nps"] = nps.groupby("customer_id")["score"].first().reindex(ids).astype(float)
        for inst in ("csat", "ces"):
            f[f"{inst}_mean"] = s[s["instrument"] == inst].groupby("customer_id")["score"].mean().reindex(ids).astype(float)

    if contacts is not None:
        c = _checked(contacts, "contacts", {"customer_id": "id"}, numeric, "date", "t")
        c_age = _age(c, numeric, cut, "date", "t")
        f["contacts"] = c.loc[c_age >= 0].groupby("customer_id").size().reindex(ids, fill_value=0).astype("int64")

    f.index.name = "customer_id"
    return f


def churn_labels(
    orders: pd.DataFrame,
    cutoff: object,
    window_days: float = 90,
    *,
    customers: pd.DataFrame | None = None,
    observed_until: object | None = None,
) -> pd.Series:
    """Observed churn label: 1 if the customer places no order in ``(cutoff, cutoff + window]``.

    This is a **proxy** for true churn: a customer who is still alive but happens not to order
    in the window is labelled 1, and a customer who orders once more and then leaves is
    labelled 0. In simulated data compare it with ``customers.true_alive`` /
    ``true_churn_t`` to see how good the proxy is.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id`` and ``date`` (or ``t`` for a numeric cutoff).
    cutoff : date-like or float
        Same meaning as in :func:`churn_features`.
    window_days : float
        Length of the outcome window (default 90 days).
    customers : pandas.DataFrame, optional
        As in :func:`churn_features`, so that both return the same customers in the same order.
    observed_until : date-like or float, optional
        End of the observed data; if given, the window must end on or before it.

    Returns
    -------
    pandas.Series
        Name ``churned``, int 0/1, indexed by ``customer_id`` (customers known at the cutoff).

    Raises
    ------
    DataError
        If the window is not observed (no order after the cutoff at all, or the window ends
        after ``observed_until``), or on malformed input.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 2, 2, 3], "t": [1.0, 2.0, 50.0, 120.0]})
    >>> churn_labels(orders, 10.0, window_days=90)
    customer_id
    1    1
    2    0
    Name: churned, dtype: int64
    """
    numeric, cut = _resolve_cutoff(cutoff)
    if not (isinstance(window_days, numbers.Real) and window_days > 0):
        raise DataError(f"window_days must be a positive number of days, got {window_days!r}")
    o = _checked(orders, "orders", {"customer_id": "id"}, numeric, "date", "t")
    o_age = _age(o, numeric, cut, "date", "t")
    ids, _ = _known_customers(o, o_age, customers, numeric, cut)
    time_col = "t" if numeric else "date"
    if observed_until is not None:
        end = float(observed_until) if numeric else to_timestamp(observed_until, name="observed_until")  # type: ignore[arg-type]
        window_end = cut + (window_days if numeric else window_days * _DAY)
        if window_end > end:
            raise DataError(f"the label window ends at {window_end} but data are observed only until {end}; "
                            "use an earlier cutoff or a shorter window", table="orders", column=time_col)
    if not (o_age < 0).any():
        raise DataError("no order after the cutoff: the label window is not observed "
                        "(choose a cutoff at least window_days before the end of the data)",
                        table="orders", column=time_col)
    in_window = (o_age < 0) & (o_age >= -float(window_days))
    buyers = pd.Index(o.loc[in_window, "customer_id"].unique())
    y = pd.Series((~ids.isin(buyers)).astype("int64"), index=ids, name="churned")
    return y


# --------------------------------------------------------------------------- models
def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def make_pipeline(kind: Literal["logistic", "gbm"] = "logistic", random_state: int = 0) -> Pipeline:
    """A scikit-learn pipeline for churn scoring.

    Parameters
    ----------
    kind : {"logistic", "gbm"}
        ``logistic``: median imputation (with missing-value indicators) -> signed log
        transform ``sign(x) * log(1 + |x|)`` (counts, days and spend are right-skewed; on
        simulated buy-till-you-die data this lifts the AUC against true churn markedly) ->
        standard scaling -> :class:`~sklearn.linear_model.LogisticRegression`. ``gbm``: median imputation ->
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (shallow trees, no early stopping).
    random_state : int
        Seed of the stochastic parts (the boosting model).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; ``predict_proba(X)[:, 1]`` is the churn probability.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [2.0], [np.nan], [8.0], [9.0], [10.0]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> make_pipeline("logistic").fit(X, y).predict(np.array([[0.5], [9.5]])).tolist()
    [0, 1]
    >>> list(make_pipeline("logistic").named_steps)
    ['impute', 'log', 'scale', 'model']
    >>> list(make_pipeline("gbm").named_steps)
    ['impute', 'model']
    """
    if kind == "logistic":
        return Pipeline([
            ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
            ("log", FunctionTransformer(_signed_log1p, feature_names_out="one-to-one")),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=2000, random_state=random_state)),
        ])
    if kind == "gbm":
        return Pipeline([
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("model", HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
                l2_regularization=1.0, early_stopping=False, random_state=random_state)),
        ])
    raise DataError(f"kind={kind!r} is not a pipeline kind; use 'logistic' or 'gbm'")


# --------------------------------------------------------------------------- evaluation
def _binary(y: object, name: str = "y_true") -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.size == 0:
        raise DataError("expected a non-empty one-dimensional array of 0/1 labels", table="evaluate", column=name)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"expected 0/1 labels, found dtype {arr.dtype}", table="evaluate", column=name) from exc
    bad = np.flatnonzero(~np.isin(num, (0.0, 1.0)))
    if bad.size:
        raise DataError(f"expected 0/1 labels, found e.g. {num[bad[:3]].tolist()}", table="evaluate",
                        column=name, rows=bad.tolist())
    return num.astype("int64")


def _scores(score: object, n: int, name: str = "score") -> np.ndarray:
    arr = np.asarray(score)
    if arr.ndim != 1 or arr.size != n:
        raise DataError(f"expected {n} scores (one per label), got shape {arr.shape}", table="evaluate", column=name)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"expected numbers, found dtype {arr.dtype}", table="evaluate", column=name) from exc
    bad = np.flatnonzero(~np.isfinite(num))
    if bad.size:
        raise DataError("missing or infinite score(s)", table="evaluate", column=name, rows=bad.tolist())
    return num


def _outcome(values: object, name: str = "outcome") -> np.ndarray:
    arr = np.asarray(values)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"expected 0/1 labels or probabilities, found dtype {arr.dtype}", table="targeting",
                        column=name) from exc
    if num.ndim != 1 or num.size == 0:
        raise DataError("expected a non-empty one-dimensional array", table="targeting", column=name)
    bad = np.flatnonzero(~np.isfinite(num) | (num < 0) | (num > 1))
    if bad.size:
        raise DataError("values must be 0/1 labels or probabilities in [0, 1]", table="targeting", column=name,
                        rows=bad.tolist())
    return num


def _resolve_k(k: float, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Real):
        raise DataError(f"k={k!r} must be a count (int >= 1) or a share in (0, 1)")
    if isinstance(k, numbers.Integral) or float(k).is_integer() and k >= 1:
        kk = int(k)
        if not 1 <= kk <= n:
            raise DataError(f"k={k} must be between 1 and the number of customers ({n})")
        return kk
    if 0 < k < 1:
        return max(1, int(round(float(k) * n)))
    raise DataError(f"k={k!r} must be a count (int >= 1) or a share in (0, 1)")


def _order(score: np.ndarray) -> np.ndarray:
    """Ranks from highest to lowest score; ties keep input order (stable sort)."""
    return np.argsort(-score, kind="stable")


def evaluate(y_true: object, score: object, k: float = 0.1) -> pd.Series:
    """ROC AUC, precision@k, recall@k, lift@k and Brier score of a churn score.

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = churned.
    score : array-like of float
        Higher = more likely to churn (a probability for the Brier score to be defined).
    k : int or float
        Number of customers targeted (int >= 1) or a share of them (float in (0, 1),
        rounded to the nearest count, at least 1). Ties in the score keep input order.

    Returns
    -------
    pandas.Series
        ``n``, ``base_rate`` (share of churners), ``k``, ``roc_auc``
        (:func:`sklearn.metrics.roc_auc_score`; NaN if only one class), ``precision_at_k``
        (churners among the top k / k), ``recall_at_k`` (churners in the top k / all churners),
        ``lift_at_k`` (precision@k / base rate) and ``brier``
        (:func:`sklearn.metrics.brier_score_loss`; NaN unless every score is in [0, 1]).

    Examples
    --------
    >>> evaluate([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.2, 0.1], k=2)[["precision_at_k", "lift_at_k", "roc_auc"]]
    precision_at_k    0.500000
    lift_at_k         1.250000
    roc_auc           0.833333
    dtype: float64
    """
    y = _binary(y_true)
    s = _scores(score, y.size)
    kk = _resolve_k(k, y.size)
    top = y[_order(s)[:kk]]
    base = y.mean()
    prec = top.mean()
    both = 0 < base < 1
    return pd.Series({
        "n": float(y.size),
        "base_rate": float(base),
        "k": float(kk),
        "roc_auc": float(roc_auc_score(y, s)) if both else np.nan,
        "precision_at_k": float(prec),
        "recall_at_k": float(top.sum() / y.sum()) if y.sum() else np.nan,
        "lift_at_k": float(prec / base) if base > 0 else np.nan,
        "brier": float(brier_score_loss(y, s)) if (s.min() >= 0 and s.max() <= 1) else np.nan,
    })


def lift_table(y_true: object, score: object, bins: int = 10) -> pd.DataFrame:
    """Decile (or other quantile) lift table, highest scores first.

    Customers are sorted by score (descending, ties in input order) and cut into ``bins``
    groups of equal size (sizes differ by at most one).

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = churned.
    score : array-like of float
        Higher = more likely to churn.
    bins : int
        Number of groups (10 = deciles).

    Returns
    -------
    pandas.DataFrame
        One row per group (``bin`` 1 = highest scores): ``customers``, ``churners``, ``rate``
        (churners / customers), ``lift`` (rate / overall rate), ``cum_customers``,
        ``cum_churners``, ``cum_capture`` (share of all churners found so far),
        ``cum_lift``, ``min_score``, ``max_score``.

    Examples
    --------
    >>> t = lift_table([1, 1, 0, 1, 0, 0, 0, 0], [8, 7, 6, 5, 4, 3, 2, 1], bins=4)
    >>> t[["customers", "churners", "rate", "lift", "cum_capture"]]
         customers  churners  rate      lift  cum_capture
    bin
    1            2         2   1.0  2.666667     0.666667
    2            2         1   0.5  1.333333     1.000000
    3            2         0   0.0  0.000000     1.000000
    4            2         0   0.0  0.000000     1.000000
    """
    y = _binary(y_true)
    s = _scores(score, y.size)
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or not 1 <= bins <= y.size:
        raise DataError(f"bins={bins!r} must be an integer between 1 and the number of customers ({y.size})")
    order = _order(s)
    groups = np.array_split(np.arange(y.size), int(bins))
    base = y.mean()
    rows = []
    for i, pos in enumerate(groups, start=1):
        idx = order[pos]
        rows.append({"bin": i, "customers": len(idx), "churners": int(y[idx].sum()),
                     "min_score": float(s[idx].min()), "max_score": float(s[idx].max())})
    t = pd.DataFrame(rows).set_index("bin")
    t["rate"] = t["churners"] / t["customers"]
    t["lift"] = t["rate"] / base if base > 0 else np.nan
    t["cum_customers"] = t["customers"].cumsum()
    t["cum_churners"] = t["churners"].cumsum()
    t["cum_capture"] = t["cum_churners"] / y.sum() if y.sum() else np.nan
    t["cum_lift"] = (t["cum_churners"] / t["cum_customers"]) / base if base > 0 else np.nan
    return t[["customers", "churners", "rate", "lift", "cum_customers", "cum_churners", "cum_capture",
              "cum_lift", "min_score", "max_score"]]


def calibration_table(y_true: object, prob: object, bins: int = 10,
                      strategy: Literal["quantile", "uniform"] = "quantile") -> pd.DataFrame:
    """Calibration table: mean predicted probability vs observed churn rate per bin.

    The two rates come from :func:`sklearn.calibration.calibration_curve`; the bin counts
    use the same bin edges (empty bins are left out, as scikit-learn does).

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = churned.
    prob : array-like of float in [0, 1]
        Predicted churn probabilities.
    bins : int
        Number of bins.
    strategy : {"quantile", "uniform"}
        Equal-count bins or equal-width bins on [0, 1].

    Returns
    -------
    pandas.DataFrame
        ``mean_predicted``, ``observed_rate``, ``customers`` per non-empty bin.

    Examples
    --------
    >>> calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], bins=2, strategy="uniform")
       mean_predicted  observed_rate  customers
    0            0.15            0.0          2
    1            0.85            1.0          2
    """
    y = _binary(y_true)
    p = _scores(prob, y.size, name="prob")
    if p.min() < 0 or p.max() > 1:
        raise DataError("probabilities must be in [0, 1]", table="evaluate", column="prob",
                        rows=np.flatnonzero((p < 0) | (p > 1)).tolist())
    if strategy not in ("quantile", "uniform"):
        raise DataError(f"strategy={strategy!r}; use 'quantile' or 'uniform'")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy=strategy)
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 1, bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=bins)
    return pd.DataFrame({"mean_predicted": prob_pred, "observed_rate": prob_true,
                         "customers": counts[counts > 0].astype("int64")})


# --------------------------------------------------------------------------- targeting economics
def profit_curve(
    outcome: object,
    score: object,
    *,
    offer_cost: float,
    success_rate: float,
    value_saved: float | object,
    ks: object | None = None,
) -> pd.DataFrame:
    """Expected profit of sending a retention offer to the top-k customers, for every k.

    For the k customers with the highest ``score``::

        profit(k) = success_rate * sum_{i in top k} outcome_i * value_i  -  offer_cost * k

    where ``outcome_i`` is 1/0 (did churn) or a churn probability, and ``value_i`` the value
    kept when a would-be churner is saved (a number, or one per customer, e.g. a CLV).
    Assumptions: every targeted customer costs ``offer_cost`` (whether or not they would
    have churned); the offer saves a would-be churner with probability ``success_rate`` and
    does not change anyone else's behaviour.

    Parameters
    ----------
    outcome : array-like
        Churn labels (0/1) or churn probabilities in [0, 1].
    score : array-like
        Ranking score, higher = target first (often the same probabilities).
    offer_cost : float
        Cost per targeted customer (>= 0, currency).
    success_rate : float
        Probability in [0, 1] that the offer keeps a would-be churner.
    value_saved : float or array-like
        Value (currency, >= 0) of keeping one churner.
    ks : array-like of int, optional
        Values of k; default 0, 1, ..., n.

    Returns
    -------
    pandas.DataFrame
        ``k``, ``share`` (k / n), ``expected_churners`` (sum of outcome in the top k),
        ``expected_saved_value``, ``cost``, ``profit``.

    Examples
    --------
    >>> profit_curve([1, 0, 1], [0.9, 0.5, 0.7], offer_cost=10, success_rate=0.5, value_saved=100)
       k     share  expected_churners  expected_saved_value  cost  profit
    0  0  0.000000                0.0                   0.0     0     0.0
    1  1  0.333333                1.0                  50.0    10    40.0
    2  2  0.666667                2.0                 100.0    20    80.0
    3  3  1.000000                2.0                 100.0    30    70.0
    """
    o = _outcome(outcome)
    s = _scores(score, o.size)
    for name, val, hi in (("offer_cost", offer_cost, np.inf), ("success_rate", success_rate, 1.0)):
        if isinstance(val, bool) or not isinstance(val, numbers.Real) or not 0 <= val <= hi:
            raise DataError(f"{name}={val!r} must be a number in [0, {hi}]")
    v = np.broadcast_to(np.asarray(value_saved, dtype=float), o.shape) if np.ndim(value_saved) == 0 else \
        np.asarray(value_saved, dtype=float)
    if v.shape != o.shape or not np.all(np.isfinite(v)) or (v < 0).any():
        raise DataError(f"value_saved must be a number >= 0 or {o.size} finite numbers >= 0",
                        table="targeting", column="value_saved")
    order = _order(s)
    churners = np.concatenate([[0.0], np.cumsum(o[order])])
    saved = np.concatenate([[0.0], np.cumsum(o[order] * v[order])]) * float(success_rate)
    n = o.size
    if ks is None:
        kk = np.arange(n + 1)
    else:
        kk = np.asarray(ks)
        if kk.ndim != 1 or not np.issubdtype(kk.dtype, np.integer) or (kk < 0).any() or (kk > n).any():
            raise DataError(f"ks must be integers between 0 and {n}", table="targeting", column="ks")
    cost = kk * offer_cost
    return pd.DataFrame({"k": kk, "share": kk / n, "expected_churners": churners[kk],
                         "expected_saved_value": saved[kk], "cost": cost, "profit": saved[kk] - cost})


def targeting_profit(
    outcome: object,
    score: object,
    k: float,
    *,
    offer_cost: float,
    success_rate: float,
    value_saved: float | object,
) -> float:
    """Expected profit of targeting the top-k customers by ``score`` with a retention offer.

    ``profit = success_rate * sum_{top k} outcome_i * value_i - offer_cost * k`` (see
    :func:`profit_curve` for the assumptions). ``k`` is a count or a share, as in :func:`evaluate`.

    Parameters
    ----------
    outcome : array-like
        Churn labels (0/1) or churn probabilities.
    score : array-like
        Ranking score, higher = target first.
    k : int or float
        Number (int >= 1) or share (float in (0, 1)) of customers targeted.
    offer_cost, success_rate, value_saved
        As in :func:`profit_curve`.

    Returns
    -------
    float
        Expected profit in currency units (negative = the campaign loses money).

    Examples
    --------
    Two of the top three are churners; saving half of them is worth 0.5 * 2 * 100 = 100,
    three offers cost 30:

    >>> targeting_profit([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 3, offer_cost=10, success_rate=0.5, value_saved=100)
    70.0
    """
    o = _outcome(outcome)
    kk = _resolve_k(k, o.size)
    curve = profit_curve(o, score, offer_cost=offer_cost, success_rate=success_rate,
                         value_saved=value_saved, ks=np.array([kk]))
    return float(curve["profit"].iloc[0])


# --------------------------------------------------------------------------- health score
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
    w = dict(HEALTH_WEIGHTS) if weights is None else {c: 0.0 for c in HEALTH_WEIGHTS} | dict(weights)
    unknown = set(w) - set(HEALTH_WEIGHTS)
    if unknown:
        raise DataError(f"unknown health-score component(s) {sorted(unknown)}; use {list(HEALTH_WEIGHTS)}")
    if any(not isinstance(v, numbers.Real) or v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise DataError(f"weights must be >= 0 and not all 0, got {w}")
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


# --------------------------------------------------------------------------- plots
def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4))
    return ax


def plot_lift(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bar chart of the lift per score group (from :func:`lift_table`), with the baseline at 1.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_lift(lift_table([1, 0, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1], bins=3))
    >>> ax.get_xlabel()
    'score group (1 = highest churn score)'
    """
    ax = _axes(ax)
    ax.bar(table.index.astype(str), table["lift"], color="tab:red", alpha=0.8)
    ax.axhline(1.0, color="black", lw=1, ls="--", label="random targeting (lift 1)")
    ax.set_title("Lift by score group: churn rate relative to the average")
    ax.set_xlabel("score group (1 = highest churn score)")
    ax.set_ylabel("lift (x average churn rate)")
    ax.legend()
    return ax


def plot_calibration(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Reliability diagram from :func:`calibration_table` (dots on the diagonal = calibrated).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_calibration(calibration_table([0, 1, 0, 1], [0.2, 0.7, 0.3, 0.8], bins=2))
    >>> ax.get_title()
    'Calibration: predicted vs observed churn'
    """
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], color="grey", ls="--", label="perfect calibration")
    ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", label="model")
    ax.set_title("Calibration: predicted vs observed churn")
    ax.set_xlabel("mean predicted churn probability (share)")
    ax.set_ylabel("observed churn rate (share)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend()
    return ax


def plot_profit_curve(curve: pd.DataFrame, ax: Axes | None = None, currency: str = "CNY") -> Axes:
    """Expected campaign profit against the share of customers targeted (from :func:`profit_curve`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> c = profit_curve([1, 0, 1], [0.9, 0.5, 0.7], offer_cost=10, success_rate=0.5, value_saved=100)
    >>> plot_profit_curve(c).get_ylabel()
    'expected profit (CNY)'
    """
    ax = _axes(ax)
    ax.plot(curve["share"] * 100, curve["profit"], color="tab:green")
    best = curve["profit"].idxmax()
    ax.scatter([curve.loc[best, "share"] * 100], [curve.loc[best, "profit"]], color="black", zorder=3,
               label=f"best: top {int(curve.loc[best, 'k'])} customers")
    ax.axhline(0, color="grey", lw=1)
    ax.set_title("Expected profit of a targeted retention offer")
    ax.set_xlabel("customers targeted, highest churn score first (%)")
    ax.set_ylabel(f"expected profit ({currency})")
    ax.legend()
    return ax
