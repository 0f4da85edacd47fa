"""Counterfactual uplift: the equations of the paired replays behind the latent ``uplift`` table.

A decision (a contact, or holding a customer out of a campaign) is replayed from the customer's
latent state ``replays`` times with the contact and ``replays`` times without it, under common
random numbers; :mod:`sim.world.counterfactual` runs the replays (vectorised) with the engine's
own equations (:func:`~sim.world.model.purchase_rate`, :func:`~sim.world.model.dropout_probability`,
:func:`~sim.world.model.relaxed_satisfaction`, :func:`~sim.world.model.order_value`, the contact's
odds); these functions are what the replays add.

Examples
--------
>>> paired_uplift([1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0])
0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["paired_uplift", "order_net_margin", "residual_purchase_wait"]


def paired_uplift(treated: Any, control: Any) -> float:
    """A customer's true uplift: the mean over paired replays of (outcome with - outcome without).

    Each pair shares its random numbers (common random numbers), so the pairs' differences vary
    far less than two independent samples would; the mean is the individual treatment effect
    ``E[Y(1) - Y(0) | state at the decision]``.

    Parameters
    ----------
    treated, control : array of float
        The outcome of each replay with and without the action (same length, same order).

    Examples
    --------
    >>> paired_uplift([1, 0, 1], [1, 0, 0])
    0.3333333333333333
    """
    t, c = np.asarray(treated, dtype=float), np.asarray(control, dtype=float)
    if t.shape != c.shape:
        raise ValueError(f"treated and control replays must pair up, got shapes {t.shape} and {c.shape}")
    return float(np.mean(t - c))


def order_net_margin(amount: Any, margin_rate: Any, discount: Any) -> np.ndarray:
    """The firm's margin on an order net of the discount it paid: ``amount x (margin_rate - discount)``.

    ``margin_rate`` is the order's (its main category's with the catalogue, else the scenario's;
    :func:`~sim.world.model.order_margin`); ``discount`` the share the firm paid
    (:func:`~sim.world.model.order_discount`: membership or a pending offer).

    Examples
    --------
    >>> order_net_margin([100.0, 80.0], 0.35, [0.0, 0.1]).tolist()
    [35.0, 20.0]
    """
    return np.asarray(amount, dtype=float) * (np.asarray(margin_rate, dtype=float) - np.asarray(discount, dtype=float))


def residual_purchase_wait(unit_exponential: Any, rate: Any) -> np.ndarray:
    """Days until the next purchase at a constant ``rate`` (orders per day), from a unit exponential.

    The engine draws the next purchase afresh at every change of the rate (a new satisfaction, a
    membership level); by memorylessness the wait left of a purchase already drawn is again
    exponential at the rate it was drawn with, so a replay may start from any instant.

    Examples
    --------
    >>> residual_purchase_wait([1.0, 2.0], [0.5, 0.1]).tolist()
    [2.0, 20.0]
    """
    return np.asarray(unit_exponential, dtype=float) / np.asarray(rate, dtype=float)
