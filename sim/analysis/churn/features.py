"""Churn features and labels from the history observed up to a cutoff.

:func:`churn_features` builds one row per customer from the history observed **up to a
cutoff** (orders, and optionally tickets, surveys, contacts, customers). It only reads the
documented observed columns, so latent ``true_*`` columns are never used even when present.
:func:`churn_labels` gives the *observed* churn label: no order in the window after the
cutoff. It is a proxy for true churn (a customer may be alive but simply not order in the
window); the simulator's ``true_alive`` lets a course check how good the proxy is.

A cutoff is a date, or a number of days on the simulator's ``t`` axis (then the ``t``
columns are used). :mod:`pandas` does the aggregation.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"customer_id": [1, 2, 2], "amount": [10.0, 20.0, 5.0],
...                        "date": ["2025-01-10", "2025-01-20", "2025-02-15"]})
>>> churn_features(orders, "2025-01-31")["frequency"].tolist(), churn_labels(orders, "2025-01-31").tolist()
([1, 1], [1, 0])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns, require_same_id_type, require_unique, to_timestamp
from sim.errors import DataError

__all__ = ["churn_features", "churn_labels"]

_DAY = pd.Timedelta(days=1)


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


def _checked(
    df: pd.DataFrame | None, table: str, spec: dict[str, str], numeric: bool, date_col: str, t_col: str
) -> pd.DataFrame:
    time_spec = {t_col: "number"} if numeric else {date_col: "datetime"}
    return require_columns(df, {**spec, **time_spec}, table=table, allow_empty=table != "orders")


def _known_customers(
    orders: pd.DataFrame, order_age: pd.Series, customers: pd.DataFrame | None, numeric: bool, cutoff: Any
) -> tuple[pd.Index, pd.Series | None]:
    """Customers known at the cutoff and (if a customers table is given) their age in days."""
    ids = pd.Index(orders.loc[order_age >= 0, "customer_id"].unique())
    acq_age = None
    if customers is not None:
        cust = _checked(customers, "customers", {"customer_id": "id"}, numeric, "acquired_date", "acquired_t")
        require_unique(cust, "customer_id", table="customers")
        require_same_id_type(orders["customer_id"], cust["customer_id"], tables=("orders", "customers"))
        age = _age(cust, numeric, cutoff, "acquired_date", "acquired_t")
        acq_age = pd.Series(age.to_numpy(), index=cust["customer_id"].to_numpy())
        acq_age = acq_age[acq_age >= 0]
        ids = ids.union(pd.Index(acq_age.index))
    if len(ids) == 0:
        raise DataError(
            "no customer has an order (or an acquisition) on or before the cutoff",
            table="orders",
            column="date" if not numeric else "t",
        )
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
    f = f[
        ["recency_days", "frequency", "monetary_mean", "monetary_total", "tenure_days"]
        + [f"orders_last_{wl}d", f"orders_prev_{wl}d", f"spend_last_{wl}d", f"spend_prev_{wl}d"]
        + ["orders_trend", "spend_trend"]
    ]

    if tickets is not None:
        t = _checked(tickets, "tickets", {"customer_id": "id", "sla_met": "any"}, numeric, "date", "opened_t")
        require_same_id_type(o["customer_id"], t["customer_id"], tables=("orders", "tickets"))
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
        s = _checked(
            surveys, "surveys", {"customer_id": "id", "instrument": "category", "score": "number"}, numeric, "date", "t"
        )
        require_same_id_type(o["customer_id"], s["customer_id"], tables=("orders", "surveys"))
        s = s.assign(age=_age(s, numeric, cut, "date", "t"), instrument=s["instrument"].astype(str).str.lower())
        s = s[s["age"] >= 0]
        f["survey_answers"] = s.groupby("customer_id").size().reindex(ids, fill_value=0).astype("int64")
        nps = s[s["instrument"] == "nps"].sort_values("age", kind="stable")
        f["last_nps"] = nps.groupby("customer_id")["score"].first().reindex(ids).astype(float)
        for inst in ("csat", "ces"):
            f[f"{inst}_mean"] = (
                s[s["instrument"] == inst].groupby("customer_id")["score"].mean().reindex(ids).astype(float)
            )

    if contacts is not None:
        c = _checked(contacts, "contacts", {"customer_id": "id"}, numeric, "date", "t")
        require_same_id_type(o["customer_id"], c["customer_id"], tables=("orders", "contacts"))
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
        end = float(observed_until) if numeric else to_timestamp(observed_until, name="observed_until")
        window_end = cut + (window_days if numeric else window_days * _DAY)
        if window_end > end:
            raise DataError(
                f"the label window ends at {window_end} but data are observed only until {end}; "
                "use an earlier cutoff or a shorter window",
                table="orders",
                column=time_col,
            )
    if not (o_age < 0).any():
        raise DataError(
            "no order after the cutoff: the label window is not observed "
            "(choose a cutoff at least window_days before the end of the data)",
            table="orders",
            column=time_col,
        )
    in_window = (o_age < 0) & (o_age >= -float(window_days))
    buyers = pd.Index(o.loc[in_window, "customer_id"].unique())
    y = pd.Series((~ids.isin(buyers)).astype("int64"), index=ids, name="churned")
    return y
