"""Acquisition-cohort retention: cohort tables, retention curves and the cohort heatmap.

Which library does the work: :mod:`pandas` builds the cohort tables (period arithmetic,
``groupby``, ``pivot``); :mod:`matplotlib` draws the heatmap.

Survival of customer lifetimes (observed lapse durations, Kaplan-Meier curves, log-rank
test) lives in :mod:`sim.analysis.survival`; :func:`lapse_durations`, :class:`KaplanMeier`
and :func:`kaplan_meier` are re-exported here so existing imports keep working.

Conventions
-----------
* **Cutoff.** Everything is measured at a cutoff *instant*: orders dated after it are
  excluded; orders exactly at it count. A date such as ``"2025-06-30"`` means midnight at the
  start of that day. The number of excluded orders is stored in ``attrs["orders_after_cutoff"]``
  (or on the :class:`CohortTable`).

Examples
--------
>>> import pandas as pd
>>> from sim.analysis import cohorts
>>> orders = pd.DataFrame({
...     "customer_id": [1, 1, 1, 2, 3, 3],
...     "date": pd.to_datetime(["2025-01-05", "2025-02-10", "2025-03-01",
...                             "2025-01-20", "2025-02-03", "2025-03-15"])})
>>> table = cohorts.cohort_table(orders, cutoff="2025-04-01")
>>> table.counts
periods_since_acquisition  0     1     2
cohort
2025-01                    2     1     1
2025-02                    1     1  <NA>
>>> table.rates
periods_since_acquisition    0    1    2
cohort
2025-01                    1.0  0.5  0.5
2025-02                    1.0  1.0  NaN

Two customers joined in January; one of them (customer 1) ordered again in February and in
March. The February cohort's third month (April) has not been observed yet, so it is missing,
not zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis._validate import require_columns, require_same_id_type, to_timestamp
from sim.analysis.survival import KaplanMeier, kaplan_meier, lapse_durations
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "CohortTable",
    "cohort_table",
    "retention_curves",
    "plot_cohort_heatmap",
    # re-exported from sim.analysis.survival (they used to live here)
    "lapse_durations",
    "KaplanMeier",
    "kaplan_meier",
]

_UNIT_NAMES = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}


def _unit_name(freq: str) -> str:
    return _UNIT_NAMES.get(freq.upper()[:1], f"periods of {freq}")


def _ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    try:
        return np.asarray(dates.dt.to_period(freq).array.asi8, dtype=np.int64)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"freq={freq!r} is not a pandas period alias; use e.g. 'M', 'W' or 'Q'") from exc


# ----------------------------------------------------------------------------------------
# Cohort tables
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortTable:
    """Acquisition cohorts x periods since acquisition (the result of :func:`cohort_table`).

    Attributes
    ----------
    counts : pandas.DataFrame
        Active customers (at least one order in the period), nullable ``Int64``. Index
        ``cohort`` (a ``PeriodIndex``: the period of acquisition), columns
        ``periods_since_acquisition`` (0, 1, 2, ...). Cells not yet observed at the cutoff are
        ``<NA>`` (missing, not zero).
    rates : pandas.DataFrame
        ``counts`` divided by the cohort size (share of the cohort active), float, ``NaN``
        where not observed.
    sizes : pandas.Series
        Customers per cohort (``cohort_size``).
    freq : str
        Period alias (``"M"`` = calendar months).
    cutoff : pandas.Timestamp
        Observation cutoff.
    orders_after_cutoff : int
        Orders dated after the cutoff (excluded).
    notes : dict
        Extra counts, e.g. ``customers_acquired_after_cutoff`` when a customers table is given.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2025-01-05", "2025-02-01"])})
    >>> cohort_table(orders, cutoff="2025-02-28 23:59:59.999999999")
    <CohortTable: 2 cohorts, 2 customers, freq='M', cutoff=2025-02-28 23:59:59.999999999>
    """

    counts: pd.DataFrame
    rates: pd.DataFrame
    sizes: pd.Series
    freq: str
    cutoff: pd.Timestamp
    orders_after_cutoff: int = 0
    notes: dict[str, object] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"<CohortTable: {len(self.sizes)} cohorts, {int(self.sizes.sum())} customers, "
            f"freq={self.freq!r}, cutoff={self.cutoff}>"
        )


def cohort_table(
    orders: pd.DataFrame,
    freq: str = "M",
    *,
    customers: pd.DataFrame | None = None,
    cutoff: object = None,
    complete_only: bool = True,
) -> CohortTable:
    """Acquisition-cohort retention table: who is still ordering k periods after joining.

    Parameters
    ----------
    orders : pandas.DataFrame
        Columns ``customer_id`` and ``date``. Orders after ``cutoff`` are excluded.
    freq : str
        Pandas period alias of the cohort and activity periods (``"M"`` calendar month,
        ``"W"`` week, ``"Q"`` quarter).
    customers : pandas.DataFrame, optional
        Columns ``customer_id`` and ``acquired_date``. If given, the cohort is the period of
        ``acquired_date`` and the cohort size counts every listed customer acquired by the
        cutoff (also those without an order). Every order must then belong to a listed
        customer and must not precede the customer's acquisition period (else
        :class:`~sim.errors.DataError`). If omitted, the cohort is the period of each
        customer's first order.
    cutoff : date-like, optional
        Observation cutoff (an instant). Default: the last order date.
    complete_only : bool
        If True (default) the period containing the cutoff is shown as not observed unless
        the cutoff is at its very end: a half-observed month would look like a drop in
        retention.

    Returns
    -------
    CohortTable
        ``counts``, ``rates``, ``sizes`` (see :class:`CohortTable`). Period 0 is the
        acquisition period itself, so its rate is 1 when cohorts come from first orders.

    Raises
    ------
    DataError
        Missing columns, unparseable dates, orders of unknown customers, orders before
        acquisition, duplicate customers, or nothing before the cutoff.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2],
    ...     "date": pd.to_datetime(["2025-01-05", "2025-03-02", "2025-01-09"])})
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3],
    ...     "acquired_date": pd.to_datetime(["2025-01-05", "2025-01-09", "2025-01-30"])})
    >>> t = cohort_table(orders, customers=customers, cutoff="2025-03-31 23:59:59.999999999")
    >>> t.sizes.tolist(), t.rates.round(3).iloc[0].tolist()
    ([3], [0.667, 0.0, 0.333])
    """
    o = require_columns(orders, {"customer_id": "id", "date": "datetime"}, table="orders")
    cut = o["date"].max() if cutoff is None else to_timestamp(cutoff)
    after = int((o["date"] > cut).sum())
    o = o.loc[o["date"] <= cut]
    cut_ord = int(_ordinals(pd.Series([cut]), freq)[0])
    last_obs = cut_ord
    if complete_only and cut < pd.Period(ordinal=cut_ord, freq=freq).end_time:
        last_obs = cut_ord - 1
    notes: dict[str, object] = {}
    if customers is not None:
        c = require_columns(
            customers, {"customer_id": "id", "acquired_date": "datetime"}, table="customers", unique=("customer_id",)
        )
        require_same_id_type(o["customer_id"], c["customer_id"], tables=("orders", "customers"))
        all_cohorts = pd.Series(_ordinals(c["acquired_date"], freq), index=c["customer_id"].to_numpy())
        unknown = o.index[~o["customer_id"].isin(all_cohorts.index)]
        if len(unknown):
            ids = sorted(set(o.loc[unknown[:5], "customer_id"].tolist()))
            raise DataError(
                f"orders of customers not in the customers table (e.g. ids {ids})",
                table="orders",
                column="customer_id",
                rows=unknown,
            )
        k_all = _ordinals(o["date"], freq) - all_cohorts.reindex(o["customer_id"].to_numpy()).to_numpy(dtype=np.int64)
        bad = o.index[k_all < 0]
        if len(bad):
            raise DataError(
                "order(s) dated before the customer's acquisition period", table="orders", column="date", rows=bad
            )
        late = (c["acquired_date"] > cut).to_numpy()
        notes["customers_acquired_after_cutoff"] = int(late.sum())
        cohort_of = all_cohorts.loc[~late]
    else:
        if o.empty:
            raise DataError(f"no order is dated on or before cutoff={cut}", table="orders", column="date")
        first = o.groupby("customer_id")["date"].min()
        cohort_of = pd.Series(_ordinals(first, freq), index=first.index.to_numpy())
    if cohort_of.empty:
        raise DataError(f"no customer acquired on or before cutoff={cut}", table="customers", column="acquired_date")
    op = _ordinals(o["date"], freq)
    co = cohort_of.reindex(o["customer_id"].to_numpy()).to_numpy(dtype=np.int64)
    k = op - co
    bad = o.index[k < 0]
    if len(bad):
        raise DataError(
            "order(s) dated before the customer's acquisition period", table="orders", column="date", rows=bad
        )
    act = pd.DataFrame({"cohort": co, "k": k, "customer_id": o["customer_id"].to_numpy()}).drop_duplicates()
    counts_long = act.groupby(["cohort", "k"]).size()
    sizes = cohort_of.value_counts().sort_index()
    cohorts_ord = sizes.index.to_numpy(dtype=np.int64)
    max_k = int(cut_ord - cohorts_ord.min())
    ks = np.arange(max_k + 1)
    counts = counts_long.unstack("k").reindex(index=cohorts_ord, columns=ks).fillna(0)
    observed = (cohorts_ord[:, None] + ks[None, :]) <= last_obs
    counts = counts.astype("Int64").where(observed, pd.NA)
    # drop trailing columns that are never observed
    keep = observed.any(axis=0)
    counts = counts.loc[:, keep]
    idx = pd.PeriodIndex.from_ordinals(cohorts_ord, freq=freq)
    idx.name = "cohort"
    counts.index = idx
    counts.columns = pd.Index(counts.columns.astype("int64"), name="periods_since_acquisition")
    sizes = pd.Series(sizes.to_numpy(dtype="int64"), index=idx, name="cohort_size")
    rates = counts.astype("Float64").div(sizes, axis=0).astype(float)
    return CohortTable(
        counts=counts, rates=rates, sizes=sizes, freq=freq, cutoff=cut, orders_after_cutoff=after, notes=notes
    )


def _check_table(table: object) -> None:
    if not isinstance(table, CohortTable):
        raise ConfigError(f"table={repr(table)[:40]} is not allowed: give the CohortTable returned by cohort_table()")


def retention_curves(table: CohortTable) -> pd.DataFrame:
    """Long form of a :class:`CohortTable`: one row per observed (cohort, period) cell.

    Parameters
    ----------
    table : CohortTable
        Output of :func:`cohort_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``cohort`` (Period), ``periods_since_acquisition`` (int), ``cohort_size``,
        ``active`` (customers with at least one order in that period) and ``retention``
        (= active / cohort_size). Unobserved cells are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2],
    ...     "date": pd.to_datetime(["2025-01-05", "2025-02-02", "2025-01-09"])})
    >>> retention_curves(cohort_table(orders, cutoff="2025-02-28 23:59:59.999999999"))
        cohort  periods_since_acquisition  cohort_size  active  retention
    0  2025-01                          0            2       2        1.0
    1  2025-01                          1            2       1        0.5
    """
    _check_table(table)
    long = table.counts.stack(future_stack=True).rename("active").reset_index()
    long = long.loc[long["active"].notna()].reset_index(drop=True)
    long["active"] = long["active"].astype("int64")
    long.insert(2, "cohort_size", table.sizes.reindex(long["cohort"]).to_numpy())
    long["retention"] = long["active"] / long["cohort_size"]
    return long


def plot_cohort_heatmap(
    table: CohortTable,
    *,
    value: Literal["rates", "counts"] = "rates",
    annotate: bool | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of a cohort table (cohorts down, periods since acquisition across).

    Parameters
    ----------
    table : CohortTable
    value : {"rates", "counts"}
        Share of the cohort active (in %) or number of active customers.
    annotate : bool, optional
        Write the value in each cell (default: when the table has at most 400 cells).
    ax : matplotlib Axes, optional
        Axes to draw on (keyword only); a new figure is made if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2],
    ...     "date": pd.to_datetime(["2025-01-05", "2025-02-02", "2025-01-09"])})
    >>> ax = plot_cohort_heatmap(cohort_table(orders))
    >>> ax.get_xlabel()
    'months since acquisition'
    """
    _check_table(table)
    if value not in ("rates", "counts"):
        raise ConfigError(f"value={value!r}; allowed: 'rates', 'counts'")
    data = (100 * table.rates) if value == "rates" else table.counts.astype("Float64").astype(float)
    arr = np.ma.masked_invalid(data.to_numpy(dtype=float))
    ax = new_axes(ax, figsize=(max(6.0, 0.45 * arr.shape[1] + 2), max(3.0, 0.35 * arr.shape[0] + 1.5)))
    im = ax.imshow(arr, aspect="auto", cmap="viridis", vmin=0, vmax=100 if value == "rates" else None)
    unit = _unit_name(table.freq)
    label = "share of cohort with at least one order (%)" if value == "rates" else "customers with at least one order"
    ax.figure.colorbar(im, ax=ax, label=label)
    ax.set_xticks(range(arr.shape[1]), [str(c) for c in data.columns])
    ax.set_yticks(range(arr.shape[0]), [str(c) for c in data.index])
    label_axes(
        ax,
        title="Cohort retention: share of each acquisition cohort still ordering"
        if value == "rates"
        else "Cohort activity: active customers per period",
        xlabel=f"{unit} since acquisition",
        ylabel=f"acquisition cohort ({unit.rstrip('s')} of first order)",
    )
    if annotate is None:
        annotate = arr.size <= 400
    if annotate:
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                if not np.ma.getmaskarray(arr)[i, j]:
                    v = arr[i, j]
                    ax.text(
                        j,
                        i,
                        f"{v:.0f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if v < 50 or value == "counts" else "black",
                    )
    return ax
