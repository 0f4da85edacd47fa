"""What an order and a customer are worth, and where a customer stands: margin, true CLV, true stage.

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
:func:`order_margin` is the firm's margin on one order (the ``orders.margin`` column). True CLV and
stage are *ground truth*, computed from the latent parameters at the horizon
(:func:`sim.world.tables.build_tables` fills the ``true_clv`` and ``true_stage`` columns), so that a
trainee's RFM weighting, BG/NBD or sBG CLV and stage labels can be graded against them.

Every function takes plain floats or NumPy arrays (the tables are built vectorised).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DAYS_PER_YEAR",
    "NEW_DAYS",
    "WON_BACK_DAYS",
    "DORMANT_WAIT_DAYS",
    "AT_RISK_LEAVE_PROB",
    "AT_RISK_SATISFACTION",
    "order_margin",
    "daily_discount_rate",
    "true_clv_retail",
    "true_clv_subscription",
    "true_stage",
]

#: Days per year used to turn an annual discount rate into a daily one.
DAYS_PER_YEAR = 365.0
#: A customer acquired at most this many days ago is ``new``.
NEW_DAYS = 90.0
#: A customer won back at most this many days ago is ``won_back``.
WON_BACK_DAYS = 180.0
#: An alive customer whose expected wait for the next order (1 / rate) exceeds this is ``dormant``.
DORMANT_WAIT_DAYS = 180.0
#: An alive customer who leaves at the next order (or renewal) with at least this probability is ``at_risk``.
AT_RISK_LEAVE_PROB = 0.3
#: ... or whose latent satisfaction is at most this (0-10 scale).
AT_RISK_SATISFACTION = 6.0


def order_margin(amount: Any, category: Any, category_margin_rates: Any, margin_rate: float) -> np.ndarray:
    """The firm's margin on each order (currency): ``amount x`` its main category's margin rate.

    With the catalogue an order's main category (index ``>= 0``) has its own
    ``catalogue.categories.<name>.margin_rate``; an order without a category (index ``-1``: no
    catalogue, or a subscription payment) earns the scenario's ``margin_rate``.

    Parameters
    ----------
    amount : float or array
        Order values (currency).
    category : int or array of int
        Main category index of each order (catalogue order), ``-1`` for none.
    category_margin_rates : sequence of float
        Margin rate of each catalogue category, in catalogue order (may be empty).
    margin_rate : float
        The scenario's margin rate, for orders without a category.

    Returns
    -------
    ndarray of float
        One margin per order (a 0-d array for scalar input).

    Examples
    --------
    >>> order_margin([100.0, 100.0, 50.0], [1, -1, 0], [0.2, 0.5], 0.3).tolist()
    [50.0, 30.0, 10.0]
    >>> order_margin([80.0], [-1], [], 0.25).tolist()          # no catalogue
    [20.0]
    """
    # the scenario's rate appended last, so that the index -1 (no category) picks it
    rates = np.append(np.asarray(category_margin_rates, dtype=float), float(margin_rate))
    return np.asarray(amount, dtype=float) * rates[np.asarray(category, dtype=np.int64)]


def daily_discount_rate(annual: Any) -> Any:
    """Continuous daily discount rate of an annual rate: ``delta = ln(1 + annual) / 365``.

    One currency unit ``t`` days from now is worth ``exp(-delta * t)`` today; after a year
    ``1 / (1 + annual)``.

    Examples
    --------
    >>> import math
    >>> d = daily_discount_rate(0.10)
    >>> round(math.exp(-d * 365.0), 12) == round(1 / 1.10, 12)
    True
    """
    return np.log1p(annual) / DAYS_PER_YEAR


def true_clv_retail(alive: Any, margin_per_order: Any, rate: Any, leave_prob: Any, delta: float) -> Any:
    """Expected discounted future margin of a buy-till-you-die customer (currency).

    ``alive * m * lambda / (delta + p * lambda)``: an alive customer orders as a Poisson process
    with ``rate`` ``lambda`` (orders/day) and leaves after each order with ``leave_prob`` ``p``,
    each order worth margin ``m`` on average. Each order is followed by a dropout chance, so the
    orders a customer still places form a Poisson process killed at rate ``p * lambda``; its
    discounted count is ``integral lambda exp(-(delta + p lambda) t) dt``. Rate and dropout are
    those at the horizon (satisfaction and membership frozen there). A customer who is not alive
    is worth 0.

    Parameters
    ----------
    alive : bool or array of bool
    margin_per_order : float or array
        Expected margin of one order (currency).
    rate : float or array
        Current purchase rate (orders per day).
    leave_prob : float or array
        Current dropout probability after an order.
    delta : float
        Daily continuous discount rate (:func:`daily_discount_rate`).

    Examples
    --------
    >>> round(float(true_clv_retail(True, 100.0, 0.01, 0.2, 0.0)), 6)   # no discounting: m / p
    500.0
    >>> float(true_clv_retail(False, 100.0, 0.01, 0.2, 0.001))
    0.0
    """
    value = np.asarray(margin_per_order, dtype=float) * rate / (delta + np.asarray(leave_prob, dtype=float) * rate)
    return np.where(np.asarray(alive, dtype=bool), value, 0.0)


def true_clv_subscription(
    alive: Any,
    margin_per_payment: Any,
    cancel_prob: Any,
    days_to_renewal: Any,
    period_days: Any,
    delta: float,
) -> Any:
    """Expected discounted future margin of a subscriber (currency; shifted-beta-geometric world).

    ``alive * m * (1 - theta) exp(-delta tau) / (1 - (1 - theta) exp(-delta P))``: at each renewal
    (the next one ``tau`` days away, then every ``P`` days) the subscriber cancels with
    probability ``theta`` or pays (margin ``m``). The payments are a geometric series.

    Examples
    --------
    >>> round(float(true_clv_subscription(True, 10.0, 0.25, 0.0, 30.0, 0.0)), 6)   # m (1 - theta) / theta
    30.0
    >>> float(true_clv_subscription(False, 10.0, 0.25, 5.0, 30.0, 0.001))
    0.0
    """
    keep = 1.0 - np.asarray(cancel_prob, dtype=float)
    value = (
        np.asarray(margin_per_payment, dtype=float)
        * keep
        * np.exp(-delta * np.asarray(days_to_renewal, dtype=float))
        / (1.0 - keep * np.exp(-delta * np.asarray(period_days, dtype=float)))
    )
    return np.where(np.asarray(alive, dtype=bool), value, 0.0)


def true_stage(
    alive: Any,
    tenure_days: Any,
    days_since_won_back: Any,
    expected_wait_days: Any,
    leave_prob: Any,
    satisfaction: Any,
) -> Any:
    """The true lifecycle stage (one of :data:`sim.schema.STAGES`), first rule that applies.

    1. ``lost``: not alive.
    2. ``won_back``: reactivated at most :data:`WON_BACK_DAYS` ago (``days_since_won_back``; NaN: never).
    3. ``new``: acquired at most :data:`NEW_DAYS` ago (``tenure_days``).
    4. ``dormant``: the expected wait for the next order exceeds :data:`DORMANT_WAIT_DAYS`
       (``1 / rate``; NaN where it does not apply, e.g. subscribers).
    5. ``at_risk``: leaves at the next order or renewal with probability at least
       :data:`AT_RISK_LEAVE_PROB`, or satisfaction at most :data:`AT_RISK_SATISFACTION`
       (NaN where satisfaction is off).
    6. ``active`` otherwise.

    Returns a string for scalar input, else an object array of strings.

    Examples
    --------
    >>> nan = float("nan")
    >>> true_stage(True, 400.0, nan, 50.0, 0.1, 8.0), true_stage(True, 30.0, nan, 50.0, 0.5, 8.0)
    ('active', 'new')
    >>> list(true_stage([False, True, True], [400.0, 400.0, 400.0], [nan, nan, nan],
    ...                 [50.0, 500.0, 50.0], [0.1, 0.1, 0.1], [8.0, 8.0, 5.0]))
    ['lost', 'dormant', 'at_risk']
    """
    alive_a = np.asarray(alive, dtype=bool)
    scalar = alive_a.ndim == 0
    alive_a = np.atleast_1d(alive_a)
    with np.errstate(invalid="ignore"):
        won_back = np.atleast_1d(np.asarray(days_since_won_back, dtype=float) <= WON_BACK_DAYS)
        new = np.atleast_1d(np.asarray(tenure_days, dtype=float) <= NEW_DAYS)
        dormant = np.atleast_1d(np.asarray(expected_wait_days, dtype=float) > DORMANT_WAIT_DAYS)
        at_risk = np.atleast_1d(
            (np.asarray(leave_prob, dtype=float) >= AT_RISK_LEAVE_PROB)
            | (np.asarray(satisfaction, dtype=float) <= AT_RISK_SATISFACTION)
        )
    out = np.select(
        [~alive_a, won_back, new, dormant, at_risk],
        ["lost", "won_back", "new", "dormant", "at_risk"],
        default="active",
    ).astype(object)
    return str(out[0]) if scalar else out
