"""Return on investment, LTV/CAC, payback period and campaign ROI.

All arithmetic, written by hand with numpy and pandas: these are one-line definitions that
no statistics library packages, and writing them out is the point of the lesson. Input
checks go through :mod:`sim.analysis._validate`.

**A ratio is not an ROI.** Seed 000 defines retention ROI on p2 as "LTV / CAC" and on p12
as "(revenue - cost) / cost" (syllabus R6, H8). They measure different things:

* ``roi(gain, cost) = (gain - cost) / cost`` is the *net* return per unit spent: 0 means
  break-even, 0.5 means +50%.
* ``ltv_cac(ltv, cac) = ltv / cac`` is a *gross* ratio: 1 means break-even, 3 is the usual
  rule-of-thumb target. If all of a customer's LTV is the gain from spending the CAC, then
  ``roi = ltv_cac - 1``: an LTV/CAC of 3 is an ROI of 2 (200%), not 3.

Use margin, not revenue, as the gain: revenue overstates the return of every action.

Examples
--------
>>> from sim.analysis.roi import roi, ltv_cac
>>> ltv_cac(300.0, 100.0), roi(300.0, 100.0)
(3.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, cast, overload

import numpy as np
import pandas as pd

from sim.analysis._validate import refuse_text, require_columns
from sim.analysis.roi_costs import break_even_period, cost_schedule, roi_over_time
from sim.errors import DataError

__all__ = [
    "roi",
    "incremental_roi",
    "ltv_cac",
    "payback_period",
    "incremental_revenue",
    "campaign_roi",
    "cost_schedule",
    "roi_over_time",
    "break_even_period",
]

ArrayLike = float | Iterable[float]


def _args(spec: dict[str, str], **values: object) -> dict[str, np.ndarray]:
    """Broadcast scalar/array arguments and validate them as one table named ``arguments``."""
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=object)) for k, v in values.items()}
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError as exc:
        raise DataError(
            f"arguments of different lengths: { {k: a.shape for k, a in arrays.items()} }", table="arguments"
        ) from exc
    if len(shape) != 1:
        raise DataError("give scalars or one-dimensional sequences", table="arguments")
    df = pd.DataFrame({k: np.broadcast_to(a, shape) for k, a in arrays.items()})
    for k in values:
        refuse_text(df[k], table="arguments", column=k, what="amounts of money")
    df = require_columns(df, spec, table="arguments")
    return {k: df[k].to_numpy(dtype=float) for k in values}


def _positive(name: str, v: np.ndarray) -> None:
    bad = np.flatnonzero(v <= 0)
    if len(bad):
        raise DataError(
            f"{name} must be > 0 (a ratio per unit of {name} is undefined otherwise); found {v[bad][:3].tolist()}",
            table="arguments",
            column=name,
            rows=bad.tolist(),
        )


def _out(v: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(v[0]) if scalar else v


def _is_scalar(*xs: Any) -> bool:
    return all(np.ndim(x) == 0 for x in xs)


def roi(gain: ArrayLike, cost: ArrayLike) -> float | np.ndarray:
    """Return on investment ``(gain - cost) / cost`` (seed 000, p12).

    Parameters
    ----------
    gain : float or sequence of float
        What the spending brought back (preferably margin, not revenue).
    cost : float or sequence of float
        What was spent; must be > 0.

    Returns
    -------
    float or numpy.ndarray
        Net return per unit of cost (0.5 = +50%); an array if any input is a sequence.

    Raises
    ------
    DataError
        ``cost <= 0``, or non-numeric / missing inputs.

    Examples
    --------
    >>> roi(150.0, 100.0)
    0.5
    >>> roi([50.0, 200.0], 100.0)
    array([-0.5,  1. ])
    """
    a = _args({"gain": "number", "cost": "number"}, gain=gain, cost=cost)
    _positive("cost", a["cost"])
    return _out((a["gain"] - a["cost"]) / a["cost"], _is_scalar(gain, cost))


def incremental_roi(treated: ArrayLike, baseline: ArrayLike, cost: ArrayLike) -> float | np.ndarray:
    """ROI of an action measured against a baseline: ``(treated - baseline - cost) / cost``.

    Only the *incremental* gain counts: what the treated group earned minus what it would
    have earned anyway (the baseline, e.g. a holdout group scaled to the same size or a
    simulation run without the policy).

    Parameters
    ----------
    treated : float or sequence of float
        Gain (margin) with the action, before subtracting its cost.
    baseline : float or sequence of float
        Gain without the action.
    cost : float or sequence of float
        Cost of the action; must be > 0.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> incremental_roi(treated=1300.0, baseline=1000.0, cost=200.0)   # (300 - 200) / 200
    0.5
    """
    a = _args(
        {"treated": "number", "baseline": "number", "cost": "number"}, treated=treated, baseline=baseline, cost=cost
    )
    _positive("cost", a["cost"])
    return _out((a["treated"] - a["baseline"] - a["cost"]) / a["cost"], _is_scalar(treated, baseline, cost))


def ltv_cac(ltv: ArrayLike, cac: ArrayLike) -> float | np.ndarray:
    """The LTV/CAC ratio ``ltv / cac`` -- a ratio, *not* an ROI (seed 000 p2 vs p12; H8).

    1 means the customer's lifetime margin just repays their acquisition cost; the ROI of
    the acquisition spend is ``ltv_cac - 1``.

    Parameters
    ----------
    ltv : float or sequence of float
        Customer lifetime value (margin, not revenue).
    cac : float or sequence of float
        Customer acquisition cost; must be > 0.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> ltv_cac(450.0, 150.0)
    3.0
    """
    a = _args({"ltv": "number", "cac": "number"}, ltv=ltv, cac=cac)
    _positive("cac", a["cac"])
    return _out(a["ltv"] / a["cac"], _is_scalar(ltv, cac))


def _payback_1d(margins: np.ndarray, cac: float, interpolate: bool) -> float:
    cum = np.cumsum(margins)
    tol = 1e-9 * max(1.0, abs(cac))
    hit = np.flatnonzero(cum >= cac - tol)
    if len(hit) == 0:
        return math.nan
    k = int(hit[0])  # 0-based month index of the crossing
    if not interpolate:
        return float(k + 1)
    before = cum[k - 1] if k > 0 else 0.0
    return float(k + (cac - before) / margins[k]) if margins[k] > 0 else float(k + 1)


@overload
def payback_period(margin: float, cac: float, *, interpolate: bool = ...) -> float: ...
@overload
def payback_period(margin: pd.DataFrame, cac: float | pd.Series, *, interpolate: bool = ...) -> pd.Series: ...
@overload
def payback_period(margin: Iterable[float], cac: float, *, interpolate: bool = ...) -> float: ...  # type: ignore[overload-cannot-match]


def payback_period(
    margin: float | Iterable[float] | pd.DataFrame,
    cac: float | pd.Series,
    *,
    interpolate: bool = False,
) -> float | pd.Series:
    """Months until the cumulative margin reaches the acquisition cost.

    Parameters
    ----------
    margin : float, sequence of float, or pandas.DataFrame
        * a number: a constant margin per month;
        * a sequence: the margin of month 1, 2, ... (e.g. a cohort's monthly margin per
          customer);
        * a DataFrame: one row per customer, one column per month (in order).
    cac : float or pandas.Series
        Acquisition cost (> 0); a Series aligned with the DataFrame's index for
        per-customer costs.
    interpolate : bool
        ``False`` (default): whole months, the first month at whose end the cumulative
        margin is >= CAC. ``True``: fractional months, assuming the margin accrues evenly
        within the month.

    Returns
    -------
    float or pandas.Series
        Months (1 = paid back within the first month). Two kinds of "never":

        * ``inf`` -- a constant margin <= 0: it can never pay back;
        * ``NaN`` -- a sequence that has not reached CAC by its last month: not paid back
          *within the data*, unknown beyond it (censored).

        A Series named ``payback_months`` (index = customers) for a DataFrame input.

    Examples
    --------
    >>> payback_period(25.0, 100.0)
    4.0
    >>> payback_period([40.0, 30.0, 20.0, 20.0], 100.0)                    # 40, 70, 90, 110
    4.0
    >>> payback_period([40.0, 30.0, 20.0, 20.0], 100.0, interpolate=True)  # 3 + 10/20
    3.5
    >>> payback_period([10.0, 10.0], 100.0)
    nan
    >>> payback_period(0.0, 100.0)
    inf
    """
    if isinstance(margin, pd.DataFrame):
        if margin.shape[1] == 0:
            raise DataError("no month columns", table="margin")
        m = require_columns(margin, dict.fromkeys(margin.columns, "number"), table="margin")
        if isinstance(cac, pd.Series):
            missing = m.index.difference(cac.index)
            if len(missing):
                raise DataError("no CAC for some customers", table="cac", rows=missing)
            c = require_columns(cac.loc[m.index].to_frame("cac"), {"cac": "number"}, table="cac")["cac"]
        else:
            c = pd.Series(_args({"cac": "number"}, cac=cac)["cac"][0], index=m.index)
        _positive("cac", c.to_numpy(dtype=float))
        vals = m.to_numpy(dtype=float)
        out = [_payback_1d(vals[i], float(c.iloc[i]), interpolate) for i in range(len(m))]
        return pd.Series(out, index=m.index, name="payback_months")
    if isinstance(cac, pd.Series):
        raise DataError("a Series of CACs needs a DataFrame of margins (customers x months)", table="cac")
    cac_v = _args({"cac": "number"}, cac=cac)["cac"]
    if len(cac_v) != 1:
        raise DataError("cac must be one number unless margin is a DataFrame", table="arguments", column="cac")
    _positive("cac", cac_v)
    cac_f = float(cac_v[0])
    if np.ndim(cast(Any, margin)) == 0:
        one = float(_args({"margin": "number"}, margin=margin)["margin"][0])
        if one <= 0:
            return math.inf
        months = cac_f / one
        return float(months) if interpolate else float(math.ceil(months - 1e-9))
    mv = _args({"margin": "number"}, margin=list(margin))["margin"]  # type: ignore[arg-type]
    if len(mv) == 0:
        raise DataError("the margin sequence is empty", table="arguments", column="margin")
    return _payback_1d(mv, cac_f, interpolate)


def incremental_revenue(
    treated_revenue: float,
    n_treated: int,
    control_revenue: float,
    n_control: int,
) -> float:
    """Revenue caused by a campaign, from a treated group and a holdout (control) group.

    ``treated_revenue - control_revenue * n_treated / n_control``: the control group's
    revenue, scaled to the treated group's size, is what the treated group would have spent
    anyway.

    Parameters
    ----------
    treated_revenue, control_revenue : float
        Revenue of each group over the same window.
    n_treated, n_control : int
        Group sizes (> 0).

    Returns
    -------
    float

    Examples
    --------
    >>> incremental_revenue(12_000.0, 1000, 1_000.0, 100)   # 12000 - 1000 * 10
    2000.0
    """
    a = _args(
        {"treated_revenue": "nonneg", "n_treated": "number", "control_revenue": "nonneg", "n_control": "number"},
        treated_revenue=treated_revenue,
        n_treated=n_treated,
        control_revenue=control_revenue,
        n_control=n_control,
    )
    _positive("n_treated", a["n_treated"])
    _positive("n_control", a["n_control"])
    return float(a["treated_revenue"][0] - a["control_revenue"][0] * a["n_treated"][0] / a["n_control"][0])


def campaign_roi(cost: float, incremental_revenue: float, margin_rate: float) -> pd.Series:
    """Cost-benefit of one campaign (syllabus R12) as a tidy Series.

    Parameters
    ----------
    cost : float
        Everything the campaign cost (contacts, offers redeemed, staff); > 0.
    incremental_revenue : float
        Revenue the campaign *caused* (vs a holdout or baseline, see
        :func:`incremental_revenue`); may be negative.
    margin_rate : float
        Gross margin as a share of revenue, in [0, 1].

    Returns
    -------
    pandas.Series
        Name ``campaign``: ``cost``, ``incremental_revenue``, ``margin_rate``,
        ``incremental_margin`` (= revenue x margin rate), ``net_gain`` (= margin - cost),
        ``roi`` (= net gain / cost), ``roas`` (revenue per unit cost; a gross ratio like
        LTV/CAC, not an ROI) and ``breakeven_revenue`` (= cost / margin rate; inf at 0 margin).

    Examples
    --------
    >>> campaign_roi(cost=1000.0, incremental_revenue=5000.0, margin_rate=0.3)
    cost                   1000.000000
    incremental_revenue    5000.000000
    margin_rate               0.300000
    incremental_margin     1500.000000
    net_gain                500.000000
    roi                       0.500000
    roas                      5.000000
    breakeven_revenue      3333.333333
    Name: campaign, dtype: float64
    """
    a = _args(
        {"cost": "number", "incremental_revenue": "number", "margin_rate": "probability"},
        cost=cost,
        incremental_revenue=incremental_revenue,
        margin_rate=margin_rate,
    )
    _positive("cost", a["cost"])
    c, r, m = float(a["cost"][0]), float(a["incremental_revenue"][0]), float(a["margin_rate"][0])
    margin = r * m
    return pd.Series(
        {
            "cost": c,
            "incremental_revenue": r,
            "margin_rate": m,
            "incremental_margin": margin,
            "net_gain": margin - c,
            "roi": (margin - c) / c,
            "roas": r / c,
            "breakeven_revenue": c / m if m > 0 else math.inf,
        },
        name="campaign",
    )
