"""Survivors per signup cohort and renewal period from a subscription log: the input of the sBG fitter.

In a contractual business every subscriber pays at signup and then once per period (a month,
a year) until they cancel at a renewal. From the customers table (``plan``) and the payments
(orders), :func:`renewal_survivors` counts for each signup cohort how many subscribers are
still paying at the start of each period::

    survivors(cohort, k) = #subscribers of the cohort with at least k + 1 payments,  k = 0, 1, ..., K

``survivors(cohort, 0)`` is the cohort size. Period ``k`` is reported only while *every*
member of the cohort has reached its k-th renewal by ``as_of`` (the last signup of the cohort
plus ``k`` periods): a later period would count the recent signups as cancellations (right
censoring). Cohorts that have not reached their first renewal are left out.

The result is the tidy frame :meth:`ShiftedBetaGeometric.fit_cohorts
<sim.analysis.clv.ShiftedBetaGeometric.fit_cohorts>` takes (``cohort``, ``period``,
``survivors``); one cohort's counts are ``table.query("cohort == '2025-01'")["survivors"]``.

Examples
--------
>>> import pandas as pd
>>> customers = pd.DataFrame({"customer_id": [1, 2, 3, 4], "plan": ["monthly"] * 4})
>>> orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 3, 4],
...                        "date": ["2025-01-01", "2025-01-31", "2025-03-02", "2025-01-05",
...                                 "2025-01-10", "2025-02-09", "2025-02-01"]})
>>> renewal_survivors(customers, orders, period_days=30, as_of="2025-03-15")
    cohort  period  survivors
0  2025-01       0          3
1  2025-01       1          2
2  2025-01       2          1
3  2025-02       0          1
4  2025-02       1          0

Customer 4 signed up on 1 February and did not renew on 3 March; the January cohort's last
signup (10 January) is 64 days old, so two renewals are observed for all of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis._validate import check_number, require_columns, require_same_id_type, to_timestamp
from sim.errors import ConfigError, DataError

__all__ = ["renewal_survivors"]

#: Slack for a renewal that falls exactly on ``as_of`` (timestamps from float days round).
_SLACK = pd.Timedelta(seconds=1)


def renewal_survivors(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    plan: str | None = None,
    *,
    as_of: object = None,
    period_days: float | None = None,
    cohort_freq: str = "M",
) -> pd.DataFrame:
    """Survivors by signup cohort and renewal period (the input of the sBG fitter).

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id`` (unique) and ``plan`` (text; ``""`` = not a subscriber).
    orders : pandas.DataFrame
        ``customer_id`` and ``date``: one row per payment (the first one = signup).
    plan : str, optional
        The plan to count (periods differ between plans). ``None``: the only plan in the
        table (an error if there are several).
    as_of : date-like, optional
        The observation instant (default: the last payment in ``orders``). Later payments
        are ignored.
    period_days : float, optional
        Days between renewals. Default: the median gap between consecutive payments of the
        plan's subscribers.
    cohort_freq : str
        Signup cohorts as a pandas period alias (default ``"M"``: calendar month of signup).

    Returns
    -------
    pandas.DataFrame
        Columns ``cohort`` (text, e.g. ``"2025-01"``), ``period`` (0, 1, ..., K per cohort)
        and ``survivors`` (int, non-increasing within a cohort). ``attrs``: ``plan``,
        ``period_days``, ``as_of``, ``cohorts_too_recent`` (cohorts left out) and
        ``without_payment`` (subscribers without a payment by ``as_of``, left out).

    Raises
    ------
    DataError
        Missing columns, bad ids or dates, duplicate customers, ids written differently in
        the two tables, no subscriber of the plan, several plans with ``plan=None``, a period
        that cannot be inferred, no cohort observed through a renewal.
    ConfigError
        An unknown ``plan``, ``period_days`` <= 0, a bad ``cohort_freq``.

    Examples
    --------
    >>> import pandas as pd
    >>> cust = pd.DataFrame({"customer_id": [1, 2], "plan": ["annual", "annual"]})
    >>> pay = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2023-01-05", "2024-01-05", "2023-01-20"]})
    >>> t = renewal_survivors(cust, pay, as_of="2024-06-30")
    >>> t["survivors"].tolist(), t.attrs["period_days"]
    ([2, 1], 365.0)
    """
    cust = require_columns(customers, {"customer_id": "id", "plan": "category"}, table="customers",
                           unique=["customer_id"])  # fmt: skip
    pay = require_columns(orders, {"customer_id": "id", "date": "datetime"}, table="orders")
    require_same_id_type(cust["customer_id"], pay["customer_id"], tables=("customers", "orders"))
    if period_days is not None:
        check_number(period_days, "period_days", low=0, low_open=True)
    if not isinstance(cohort_freq, str):
        raise ConfigError(f"cohort_freq={cohort_freq!r} is not allowed: give a pandas period alias such as 'M' or 'Q'")
    plans = cust["plan"].astype(str).str.strip()
    available = sorted(set(plans[plans != ""]))
    if not available:
        raise DataError("no subscriber: every plan is '' (is this a subscription world?)", table="customers",
                        column="plan")  # fmt: skip
    if plan is None:
        if len(available) > 1:
            raise DataError(
                f"several plans {available[:6]}; their periods differ: pass plan=, e.g. plan={available[0]!r}",
                table="customers",
                column="plan",
            )
        chosen = available[0]
    elif not isinstance(plan, str) or plan not in available:
        raise ConfigError(f"plan={plan!r} is not allowed; plans in the table: {available[:10]}")
    else:
        chosen = plan
    members = pd.Index(cust.loc[(plans == chosen).to_numpy(), "customer_id"].unique())
    cut = pay["date"].max() if as_of is None else to_timestamp(as_of, name="as_of")
    pay = pay.loc[pay["customer_id"].isin(members) & (pay["date"] <= cut), ["customer_id", "date"]]
    pay = pay.sort_values(["customer_id", "date"], kind="mergesort")
    if pay.empty:
        raise DataError(f"no payment of a {chosen!r} subscriber on or before {cut}", table="orders", column="date")
    dup = pay.duplicated(["customer_id", "date"], keep="first")
    if dup.any():
        raise DataError(
            f"{int(dup.sum())} payment(s) repeated (same customer and date): each would count as a renewal; "
            "remove the duplicates (e.g. orders.drop_duplicates(['customer_id', 'date'])) if they are copies",
            table="orders",
            column="date",
            rows=pay.index[dup.to_numpy()],
        )
    g = pay.groupby("customer_id", sort=True)["date"]
    signup, payments = g.min(), g.size()
    if period_days is None:
        gaps = (pay.groupby("customer_id")["date"].diff().dropna() / pd.Timedelta(days=1)).to_numpy()
        if len(gaps) == 0:
            raise DataError(
                f"no {chosen!r} subscriber renewed yet, so the period cannot be inferred; pass period_days=",
                table="orders",
            )
        period = float(np.median(gaps))  # > 0: repeated (customer, date) payments are refused above
    else:
        period = float(period_days)
    try:
        cohort = signup.dt.to_period(cohort_freq).astype(str)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"cohort_freq={cohort_freq!r} is not allowed: give a pandas period alias such as 'M' or 'Q'"
        ) from exc
    width = pd.Timedelta(days=period)
    rows, too_recent = [], 0
    for name in sorted(set(cohort)):
        in_cohort = (cohort == name).to_numpy()
        last = signup[in_cohort].max()
        k_max = int(np.floor((cut + _SLACK - last) / width))
        if k_max < 1:
            too_recent += 1
            continue
        paid = payments[in_cohort].to_numpy()
        for k in range(k_max + 1):
            rows.append({"cohort": name, "period": k, "survivors": int((paid >= k + 1).sum())})
    if not rows:
        raise DataError(
            f"no {chosen!r} cohort has reached its first renewal by {cut} (period {period:g} days)",
            table="orders",
            column="date",
        )
    out = pd.DataFrame(rows, columns=["cohort", "period", "survivors"])
    out["period"] = out["period"].astype("int64")
    out["survivors"] = out["survivors"].astype("int64")
    out.attrs.update(plan=chosen, period_days=period, as_of=cut, cohorts_too_recent=too_recent,
                     without_payment=int(len(members) - len(signup)))  # fmt: skip
    return out
