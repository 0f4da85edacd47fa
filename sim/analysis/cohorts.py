"""Cohort retention tables and Kaplan-Meier survival of observed customer lapse.

Which library does the work
---------------------------
* :mod:`pandas` builds the cohort tables (period arithmetic, ``groupby``, ``pivot``);
* :class:`statsmodels.duration.survfunc.SurvfuncRight` computes the Kaplan-Meier product-limit
  estimate, its Greenwood standard error, the Hall-Wellner simultaneous band and the median's
  confidence interval; :func:`statsmodels.duration.survfunc.survdiff` runs the log-rank test;
* :mod:`matplotlib` draws the plots.

What is hand-written, and why: the *pointwise* confidence band. ``SurvfuncRight`` offers only
a simultaneous band (and only at 95 %), so the usual pointwise band (the "log-log" or
"exponential Greenwood" interval, lifelines' default) is computed here from statsmodels'
Greenwood standard error, with the same transform statsmodels uses for the median's
interval (``quantile_ci(method="cloglog")``). lifelines is not used because it pins pandas < 3.

Conventions
-----------
* **Cutoff.** Everything is measured at a cutoff *instant*: orders dated after it are
  excluded; orders exactly at it count. A date such as ``"2025-06-30"`` means midnight at the
  start of that day. The number of excluded orders is stored in ``attrs["orders_after_cutoff"]``
  (or on the :class:`CohortTable`).
* **Observed lapse, not churn.** True churn is unobserved; :func:`lapse_durations` defines a
  customer as *observed lapsed* from a gap in their orders (see there). Compare with the
  simulator's ``true_churn_t`` to see how far the two differ.

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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from sim.analysis._validate import require_columns, to_timestamp
from sim.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "CohortTable",
    "cohort_table",
    "retention_curves",
    "plot_cohort_heatmap",
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
        raise ValueError(f"freq={freq!r} is not a pandas period alias; use e.g. 'M', 'W' or 'Q'") from exc


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
        c = require_columns(customers, {"customer_id": "id", "acquired_date": "datetime"}, table="customers")
        dup = c.index[c["customer_id"].duplicated()]
        if len(dup):
            raise DataError("duplicate customer ids; one row per customer is needed", table="customers", column="customer_id", rows=dup)
        all_cohorts = pd.Series(_ordinals(c["acquired_date"], freq), index=c["customer_id"].to_numpy())
        unknown = o.index[~o["customer_id"].isin(all_cohorts.index)]
        if len(unknown):
            ids = sorted(set(o.loc[unknown[:5], "customer_id"].tolist()))
            raise DataError(f"orders of customers not in the customers table (e.g. ids {ids})", table="orders", column="customer_id", rows=unknown)
        k_all = _ordinals(o["date"], freq) - all_cohorts.reindex(o["customer_id"].to_numpy()).to_numpy(dtype=np.int64)
        bad = o.index[k_all < 0]
        if len(bad):
            raise DataError("order(s) dated before the customer's acquisition period", table="orders", column="date", rows=bad)
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
        raise DataError("order(s) dated before the customer's acquisition period", table="orders", column="date", rows=bad)
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
    return CohortTable(counts=counts, rates=rates, sizes=sizes, freq=freq, cutoff=cut, orders_after_cutoff=after, notes=notes)


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
    if not isinstance(table, CohortTable):
        raise TypeError(f"expected a CohortTable from cohort_table(), got {type(table).__name__}")
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
    import matplotlib.pyplot as plt

    if value not in ("rates", "counts"):
        raise ValueError(f"value={value!r}; allowed: 'rates', 'counts'")
    data = (100 * table.rates) if value == "rates" else table.counts.astype("Float64").astype(float)
    arr = np.ma.masked_invalid(data.to_numpy(dtype=float))
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.45 * arr.shape[1] + 2), max(3.0, 0.35 * arr.shape[0] + 1.5)))
    im = ax.imshow(arr, aspect="auto", cmap="viridis", vmin=0, vmax=100 if value == "rates" else None)
    unit = _unit_name(table.freq)
    label = "share of cohort with at least one order (%)" if value == "rates" else "customers with at least one order"
    ax.figure.colorbar(im, ax=ax, label=label)
    ax.set_xticks(range(arr.shape[1]), [str(c) for c in data.columns])
    ax.set_yticks(range(arr.shape[0]), [str(c) for c in data.index])
    ax.set_xlabel(f"{unit} since acquisition")
    ax.set_ylabel(f"acquisition cohort ({unit.rstrip('s')} of first order)")
    ax.set_title("Cohort retention: share of each acquisition cohort still ordering" if value == "rates" else "Cohort activity: active customers per period")
    if annotate is None:
        annotate = arr.size <= 400
    if annotate:
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                if not arr.mask[i, j] if np.ndim(arr.mask) else True:
                    v = arr[i, j]
                    ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7, color="white" if v < 50 or value == "counts" else "black")
    return ax


# ----------------------------------------------------------------------------------------
# Lapse durations
# ----------------------------------------------------------------------------------------


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
        raise ValueError(f"lapse_days={lapse_days!r} must be > 0")
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


# ----------------------------------------------------------------------------------------
# Kaplan-Meier
# ----------------------------------------------------------------------------------------


def _check_durations(durations: ArrayLike, events: ArrayLike | None, groups: ArrayLike | None) -> pd.DataFrame:
    def col(v: ArrayLike) -> pd.Series:
        return pd.Series(v.to_numpy() if isinstance(v, pd.Series) else np.asarray(v))

    cols = {"duration": col(durations)}
    cols["event"] = col(events) if events is not None else pd.Series(np.ones(len(cols["duration"]), dtype=bool))
    spec = {"duration": "nonneg", "event": "bool"}
    if groups is not None:
        cols["group"] = col(groups)
        spec["group"] = "category"
    for k, v in cols.items():
        if len(v) != len(cols["duration"]):
            raise DataError(f"has length {len(v)} but duration has length {len(cols['duration'])}", table="durations", column=k)
    d = cols["duration"]
    if pd.api.types.is_numeric_dtype(d) and d.isna().any():
        bad = d.index[d.isna()]
        raise DataError(
            "missing duration(s); from lapse_durations() keep only rows with observable == True",
            table="durations",
            column="duration",
            rows=bad,
        )
    return require_columns(pd.DataFrame(cols), spec, table="durations")


@dataclass
class _Curve:
    sf: SurvfuncRight
    n: int


class KaplanMeier:
    """Kaplan-Meier survival curve(s) with confidence bands, medians and a log-rank test.

    Built on :class:`statsmodels.duration.survfunc.SurvfuncRight` (product-limit estimate,
    Greenwood standard errors) and :func:`statsmodels.duration.survfunc.survdiff`.

    Parameters
    ----------
    alpha : float
        1 - confidence level of the bands and of the median's interval.
    ci : {"log-log", "hall-wellner"}
        ``"log-log"`` (default): pointwise band S^exp(+/- z se / (S |log S|)) from the
        Greenwood standard error (the interval lifelines and most textbooks show).
        ``"hall-wellner"``: statsmodels' simultaneous band (covers the whole curve at once;
        only alpha = 0.05).

    Attributes
    ----------
    survival_function_ : pandas.DataFrame
        Columns (``group``,) ``time``, ``survival``, ``ci_lower``, ``ci_upper``, ``at_risk``
        (customers at risk just before ``time``), ``events`` (events at ``time``); one row per
        distinct event time, plus a first row at time 0 with survival 1 when no event happens
        at time 0. Where S = 0 the band is NaN.
    median_survival_ : float or pandas.Series
        First time at which survival drops below 0.5 (statsmodels' rule; NaN if it never
        does); a Series by group when groups are given.
    median_ci_ : pandas.DataFrame
        Confidence interval of the median (statsmodels ``quantile_ci``, cloglog method):
        columns ``lower``, ``upper``, one row per group (``"all"`` without groups).
    logrank_ : pandas.Series or None
        ``statistic``, ``df``, ``p_value`` of the log-rank test when there are >= 2 groups.
    curves_ : dict
        The fitted ``SurvfuncRight`` object per group.

    Examples
    --------
    >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    >>> km.survival_function_[["time", "survival", "at_risk", "events"]].round(4)
       time  survival  at_risk  events
    0   0.0    1.0000        6       0
    1   1.0    0.8333        6       1
    2   2.0    0.6667        5       1
    3   3.0    0.4444        3       1
    4   5.0    0.0000        1       1
    >>> km.median_survival_
    3.0
    """

    def __init__(self, alpha: float = 0.05, ci: Literal["log-log", "hall-wellner"] = "log-log") -> None:
        if not 0 < alpha < 1:
            raise ValueError(f"alpha={alpha!r} must be in (0, 1)")
        if ci not in ("log-log", "hall-wellner"):
            raise ValueError(f"ci={ci!r}; allowed: 'log-log', 'hall-wellner'")
        if ci == "hall-wellner" and alpha != 0.05:
            raise ValueError("the Hall-Wellner band (statsmodels) is available only for alpha=0.05")
        self.alpha = float(alpha)
        self.ci = ci

    def fit(self, durations: ArrayLike, events: ArrayLike | None = None, groups: ArrayLike | None = None) -> KaplanMeier:
        """Estimate the survival curve(s).

        Parameters
        ----------
        durations : array-like
            Time to event or censoring (>= 0; e.g. ``duration`` from :func:`lapse_durations`).
        events : array-like of bool, optional
            True = event observed, False = censored. Default: all events.
        groups : array-like, optional
            Group label per row; one curve per group and a log-rank test.

        Returns
        -------
        KaplanMeier
            ``self``.

        Raises
        ------
        DataError
            Negative or missing durations, non-boolean events, missing group labels.
        """
        d = _check_durations(durations, events, groups)
        labels: Sequence[object] = ["all"] if groups is None else sorted(pd.unique(d["group"]), key=str)
        self.curves_: dict[object, SurvfuncRight] = {}
        frames, medians, cis = [], {}, {}
        for lab in labels:
            sub = d if groups is None else d.loc[d["group"] == lab]
            t = sub["duration"].to_numpy(dtype=float)
            e = sub["event"].to_numpy(dtype=float)
            sf = SurvfuncRight(t, e)
            self.curves_[lab] = sf
            frame = self._frame(sf, len(sub))
            if groups is not None:
                frame.insert(0, "group", lab)
            frames.append(frame)
            medians[lab] = float(sf.quantile(0.5)) if len(sf.surv_times) else float("nan")
            with np.errstate(divide="ignore", invalid="ignore"):  # S = 0 or 1 at some times
                cis[lab] = sf.quantile_ci(0.5, alpha=self.alpha, method="cloglog") if len(sf.surv_times) else (np.nan, np.nan)
        self.survival_function_ = pd.concat(frames, ignore_index=True)
        self.median_ci_ = pd.DataFrame(cis, index=["lower", "upper"]).T.astype(float)
        self.median_ci_.index.name = "group"
        if groups is None:
            self.median_survival_: float | pd.Series = medians["all"]
            self.logrank_: pd.Series | None = None
        else:
            self.median_survival_ = pd.Series(medians, name="median_survival").rename_axis("group")
            if len(labels) >= 2:
                chisq, p = survdiff(d["duration"].to_numpy(dtype=float), d["event"].to_numpy(dtype=float), d["group"].astype(str).to_numpy())
                self.logrank_ = pd.Series({"statistic": float(chisq), "df": len(labels) - 1, "p_value": float(p)}, name="logrank")
            else:
                self.logrank_ = None
        self.grouped_ = groups is not None
        return self

    def _frame(self, sf: SurvfuncRight, n: int) -> pd.DataFrame:
        s = np.asarray(sf.surv_prob, dtype=float)
        se = np.asarray(sf.surv_prob_se, dtype=float)
        if self.ci == "hall-wellner":
            with np.errstate(divide="ignore", invalid="ignore"):
                lo, hi = sf.simultaneous_cb(alpha=self.alpha, transform="log")
        else:
            z = stats.norm.ppf(1 - self.alpha / 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                v = se / (s * np.abs(np.log(s)))  # se of log(-log S) (delta method)
                lo = s ** np.exp(z * v)
                hi = s ** np.exp(-z * v)
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        zero = s <= 0
        lo[zero], hi[zero] = np.nan, np.nan
        frame = pd.DataFrame(
            {
                "time": np.asarray(sf.surv_times, dtype=float),
                "survival": s,
                "ci_lower": lo,
                "ci_upper": hi,
                "at_risk": np.asarray(sf.n_risk).astype("int64"),
                "events": np.asarray(sf.n_events).astype("int64"),
            }
        )
        if len(frame) == 0 or frame["time"].iloc[0] > 0:
            start = pd.DataFrame({"time": [0.0], "survival": [1.0], "ci_lower": [1.0], "ci_upper": [1.0], "at_risk": [n], "events": [0]})
            frame = pd.concat([start, frame], ignore_index=True)
        return frame

    def _check_fitted(self) -> None:
        if not hasattr(self, "survival_function_"):
            raise RuntimeError("KaplanMeier is not fitted yet; call .fit(...) first")

    def survival_at(self, times: ArrayLike) -> pd.DataFrame:
        """Estimated survival S(t) at the given times (right-continuous step function).

        Returns
        -------
        pandas.DataFrame
            Index ``time``; one column per group (``"all"`` without groups).

        Examples
        --------
        >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
        >>> km.survival_at([0.5, 2, 4.9]).round(4)["all"].tolist()
        [1.0, 0.6667, 0.4444]
        """
        self._check_fitted()
        tt = np.atleast_1d(np.asarray(times, dtype=float))
        out = {}
        for lab, sf in self.curves_.items():
            st = np.asarray(sf.surv_times, dtype=float)
            sp = np.asarray(sf.surv_prob, dtype=float)
            i = np.searchsorted(st, tt, side="right") - 1
            out[lab] = np.where(i >= 0, sp[np.clip(i, 0, None)] if len(sp) else 1.0, 1.0)
        return pd.DataFrame(out, index=pd.Index(tt, name="time"))

    def plot(self, ax: Axes | None = None, *, time_label: str = "days since first order", band: bool = True) -> Axes:
        """Step plot of the survival curve(s) with the confidence band.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        time_label : str
            x-axis label (say the unit).
        band : bool
            Shade the confidence band.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1], groups=list("aabbab"))
        >>> km.plot().get_ylabel()
        'share not yet lapsed (survival probability)'
        """
        import matplotlib.pyplot as plt

        self._check_fitted()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        sfun = self.survival_function_
        parts = sfun.groupby("group", sort=False) if self.grouped_ else [("all", sfun)]
        for i, (lab, f) in enumerate(parts):
            t = np.concatenate([[0.0], f["time"].to_numpy()])
            s = np.concatenate([[1.0], f["survival"].to_numpy()])
            color = f"C{i % 10}"
            ax.step(t, s, where="post", color=color, label=None if lab == "all" else str(lab))
            if band:
                lo = np.concatenate([[1.0], f["ci_lower"].to_numpy()])
                hi = np.concatenate([[1.0], f["ci_upper"].to_numpy()])
                ax.fill_between(t, lo, hi, step="post", color=color, alpha=0.2, linewidth=0)
        level = f"{100 * (1 - self.alpha):g}%"
        kind = "pointwise" if self.ci == "log-log" else "simultaneous"
        ax.set_title(f"Kaplan-Meier survival with {level} {kind} band")
        ax.set_xlabel(time_label)
        ax.set_ylabel("share not yet lapsed (survival probability)")
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        if self.grouped_:
            ax.legend(title="group")
        return ax


def kaplan_meier(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    *,
    groups: ArrayLike | None = None,
    alpha: float = 0.05,
    ci: Literal["log-log", "hall-wellner"] = "log-log",
) -> KaplanMeier:
    """Fit :class:`KaplanMeier` in one call.

    Parameters
    ----------
    durations, events, groups
        As in :meth:`KaplanMeier.fit`.
    alpha, ci
        As in :class:`KaplanMeier`.

    Returns
    -------
    KaplanMeier
        The fitted estimator.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", "2025-01-15", "2025-08-01"])})
    >>> d = lapse_durations(orders, cutoff="2025-12-31").query("observable")
    >>> km = kaplan_meier(d["duration"], d["event"])
    >>> float(km.survival_function_["survival"].iloc[-1])
    0.0
    """
    return KaplanMeier(alpha=alpha, ci=ci).fit(durations, events, groups)
