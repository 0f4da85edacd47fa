"""Predicted customer lifetime value: BG/NBD purchases x Gamma-Gamma order value, discounted.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis.clv import BetaGeoFitter, GammaGammaFitter
>>> bgf, ggf = BetaGeoFitter(), GammaGammaFitter()
>>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
>>> ggf.params_ = pd.Series({"p": 6.0, "q": 4.0, "gamma": 150.0})
>>> s = pd.DataFrame({"frequency": [6], "recency": [700.0], "T": [730.0], "monetary_value": [250.0]})
>>> bool(customer_lifetime_value(bgf, ggf, s)["clv"].iloc[0] > 0)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.analysis.clv.bgnbd import BetaGeoFitter, _check_bgnbd_inputs
from sim.analysis.clv.gamma_gamma import GammaGammaFitter
from sim.errors import ConfigError

__all__ = ["customer_lifetime_value"]


def customer_lifetime_value(
    bgf: BetaGeoFitter,
    ggf: GammaGammaFitter,
    summary: pd.DataFrame,
    horizon_days: float = 365,
    discount_rate_annual: float = 0.1,
    margin: float = 1.0,
    step_days: float = 30,
) -> pd.DataFrame:
    """Discounted expected margin of each customer over the next ``horizon_days``.

    As in ``lifetimes.BaseFitter.customer_lifetime_value``: the horizon is cut into steps of
    ``step_days`` (the last one shorter if needed); in each step the expected number of
    purchases (difference of :meth:`BetaGeoFitter.conditional_expected_purchases` at the
    step's end and start) times the expected order value
    (:meth:`GammaGammaFitter.conditional_expected_average_profit`) times ``margin`` is
    discounted to the cutoff with (1 + ``discount_rate_annual``) ** (step end / 365).

    Parameters
    ----------
    bgf, ggf : fitted BetaGeoFitter and GammaGammaFitter
        Fitted on summaries in days.
    summary : pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T``, ``monetary_value`` in days (e.g. from
        :func:`summary_data`).
    horizon_days, step_days : float
        Prediction horizon and step length, in days.
    discount_rate_annual : float
        Annual discount rate (0.1 = 10 % a year).
    margin : float
        Profit margin as a share of order value (1.0 = revenue).

    Returns
    -------
    pandas.DataFrame
        Same index as ``summary``; columns ``expected_purchases`` (undiscounted, over the
        horizon), ``expected_order_value`` and ``clv`` (discounted expected margin, currency).

    Raises
    ------
    sim.errors.NotFittedError
        If either model has not been fitted.
    DataError
        A summary column is missing or invalid.

    Examples
    --------
    >>> bgf, ggf = BetaGeoFitter(), GammaGammaFitter()
    >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
    >>> ggf.params_ = pd.Series({"p": 6.0, "q": 4.0, "gamma": 150.0})
    >>> s = pd.DataFrame({"frequency": [0, 6], "recency": [0.0, 700.0], "T": [730.0, 730.0],
    ...                   "monetary_value": [0.0, 250.0]})
    >>> out = customer_lifetime_value(bgf, ggf, s, margin=0.3)
    >>> out.columns.tolist()
    ['expected_purchases', 'expected_order_value', 'clv']
    >>> bool(out["clv"].iloc[1] > out["clv"].iloc[0])
    True
    """
    bgf._check_fitted()
    ggf._check_fitted()
    unit = summary.attrs.get("time_unit", "D") if isinstance(summary, pd.DataFrame) else "D"
    if unit != "D":
        raise ConfigError(
            f"summary is in time unit {unit!r}; customer_lifetime_value needs a summary in days (time_unit='D')"
        )
    s = require_columns(
        summary,
        {"frequency": "nonneg", "recency": "nonneg", "T": "nonneg", "monetary_value": "nonneg"},
        table="summary",
    )
    for name, val, lo in (("horizon_days", horizon_days, 0.0), ("step_days", step_days, 0.0)):
        if not float(val) > lo:
            raise ConfigError(f"{name}={val!r} must be > 0")
    if not float(discount_rate_annual) > -1:
        raise ConfigError(f"discount_rate_annual={discount_rate_annual!r} must be > -1")
    if not float(margin) >= 0:
        raise ConfigError(f"margin={margin!r} must be >= 0")
    x, tx, tt, _ = _check_bgnbd_inputs(s["frequency"], s["recency"], s["T"])
    value = np.asarray(
        ggf.conditional_expected_average_profit(s["frequency"].to_numpy(), s["monetary_value"].to_numpy()), dtype=float
    )
    ends = np.arange(float(step_days), float(horizon_days), float(step_days))
    ends = np.append(ends, float(horizon_days))
    clv = np.zeros(len(s))
    prev = np.zeros(len(s))
    for end in ends:
        cum = bgf._finite(bgf._cond_expected(end, x, tx, tt), "conditional_expected_purchases", s.index)
        clv += margin * value * (cum - prev) / (1.0 + discount_rate_annual) ** (end / 365.0)
        prev = cum
    clv = bgf._finite(clv, "clv", s.index)
    return pd.DataFrame({"expected_purchases": prev, "expected_order_value": value, "clv": clv}, index=s.index)
