"""Observed lapse durations: time from first order to an observed lapse (or censoring), per customer.

True churn is unobserved; :func:`lapse_durations` judges a customer *observed lapsed* at an
order followed by a fully observed gap of at least ``lapse_days`` without orders, censors the
others at ``cutoff - lapse_days`` and flags customers who joined too late to be judged. Its
``duration`` and ``event`` columns feed :class:`sim.analysis.survival.KaplanMeier`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns, to_timestamp
from sim.errors import ConfigError, DataError

__all__ = ["lapse_durations"]


def lapse_durations(orders: pd.DataFrame, cutoff: object, lapse_days: float = 90) -> pd.DataFrame:
    """Time from first order to *observed lapse* (or censoring), per customer.

    **Definition.** True churn is unobserved. A customer is *observed lapsed* at an order
    that is followed by at least ``lapse_days`` without an order, i.e. the window
    (order, order + ``lapse_days``] is fully observed (ends at or before the cutoff) and
    contains no order. The first such order is the *lapse order*; a customer who orders again
    later is flagged ``reactivated`` (a win-back), but the lapse still counts (time to first
    lapse).

    **Event time = the lapse order**, not the moment the gap becomes visible
    (lapse order + ``lapse_days``): in the buy-till-you-die world a customer drops out right
    after a purchase, so the last order is the best estimate of when they left, and durations
    are comparable with the simulator's ``true_churn_t``. Customers with a single order who
    lapse therefore have duration 0.

    **Censoring.** A customer with no lapse yet is censored at ``cutoff - lapse_days``
    (duration = cutoff - lapse_days - first order): that is the last instant at which a lapse
    order could have been confirmed, and any later lapse order must come after it. Customers
    whose first order is after ``cutoff - lapse_days`` cannot be judged yet: they are kept with
    ``observable = False``, ``duration`` NaN and ``event = False``; filter them out (as in the
    example) before survival analysis.

    Parameters
    ----------
    orders : pandas.DataFrame
        Columns ``customer_id`` and ``date``. Orders after ``cutoff`` are excluded (count in
        ``attrs["orders_after_cutoff"]``).
    cutoff : date-like
        Observation cutoff (an instant).
    lapse_days : float
        Minimum gap without orders that counts as a lapse, in days.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``first_order``, ``last_order``, ``lapse_order`` (NaT if
        no lapse), ``n_orders``, ``duration`` (days from first order to the lapse order, or to
        censoring), ``event`` (observed lapse), ``reactivated`` (ordered again after the
        lapse) and ``observable``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3, 3, 3, 4],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01", "2025-11-01",
    ...                             "2025-08-01", "2025-10-15", "2025-12-20", "2025-11-20"])})
    >>> d = lapse_durations(orders, cutoff="2025-12-31", lapse_days=90)
    >>> d[["duration", "event", "reactivated", "observable"]]
                 duration  event  reactivated  observable
    customer_id
    1                31.0   True        False        True
    2                 0.0   True         True        True
    3                62.0  False        False        True
    4                 NaN  False        False       False

    Customer 1 stopped after 1 February, 31 days after joining. Customer 2 went quiet for ten
    months after the first order (a lapse at day 0) and came back. Customer 3 has never gone
    90 days without an order: censored at cutoff - 90 days = 2 October, 62 days after joining.
    Customer 4 joined less than 90 days before the cutoff and cannot be judged yet.
    """
    o = require_columns(orders, {"customer_id": "id", "date": "datetime"}, table="orders")
    if not float(lapse_days) > 0:
        raise ConfigError(f"lapse_days={lapse_days!r} must be > 0")
    cut = to_timestamp(cutoff)
    after = int((o["date"] > cut).sum())
    o = o.loc[o["date"] <= cut]
    if o.empty:
        raise DataError(f"no order is dated on or before cutoff={cut}", table="orders", column="date")
    gap = pd.Timedelta(days=float(lapse_days))
    day = pd.Timedelta(days=1)
    o = o[["customer_id", "date"]].sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    nxt = o.groupby("customer_id")["date"].shift(-1)
    win_end = o["date"] + gap
    # lapse at this order: window (date, date+gap] observed and empty
    lapse = (win_end <= cut) & (nxt.isna() | (nxt > win_end))
    o = o.assign(_lapse=lapse.to_numpy(), _has_next=nxt.notna().to_numpy())
    g = o.groupby("customer_id", sort=True)
    first = g["date"].min()
    last = g["date"].max()
    n = g.size().astype("int64")
    lapses = o.loc[o["_lapse"]].groupby("customer_id", sort=True).first()
    lapse_order = lapses["date"].reindex(first.index)
    reactivated = lapses["_has_next"].reindex(first.index, fill_value=False).astype(bool)
    event = lapse_order.notna()
    observable = first <= cut - gap
    duration = pd.Series(np.nan, index=first.index)
    duration[event] = (lapse_order[event] - first[event]) / day
    cens = observable & ~event
    duration[cens] = ((cut - gap) - first[cens]) / day
    out = pd.DataFrame(
        {
            "first_order": first,
            "last_order": last,
            "lapse_order": lapse_order,
            "n_orders": n,
            "duration": duration.astype(float),
            "event": event.astype(bool),
            "reactivated": reactivated,
            "observable": observable.astype(bool),
        }
    )
    out.index.name = "customer_id"
    out.attrs.update(cutoff=cut, lapse_days=float(lapse_days), orders_after_cutoff=after)
    return out
