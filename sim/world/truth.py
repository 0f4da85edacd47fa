"""Ground truth at the horizon, vectorised: each customer's true CLV and true lifecycle stage.

Engine-agnostic: the functions take one array per customer attribute (either engine's state
gives them), apply :func:`~sim.world.model.true_clv_retail` /
:func:`~sim.world.model.true_clv_subscription` and :func:`~sim.world.model.true_stage`, and are
called by :func:`sim.world.tables.build_tables`.

Everything is evaluated *at the horizon* and then frozen: the current purchase rate and dropout
(or cancellation) probability under the customer's satisfaction, membership and archetype then.
Market shocks are transient and left out.

Examples
--------
>>> import numpy as np, sim
>>> sc = sim.Scenario.load("btyd_only")
>>> state = HorizonState(alive=np.array([True, False]), acq_t=np.array([10.0, 20.0]),
...     lam=np.array([0.02, 0.02]), lp=np.log(np.array([0.25, 0.25]) / 0.75), nu=np.array([0.02, 0.02]))
>>> clv, stage = horizon_truth(state, sc, 365.0)
>>> m = sc.spend.p / 0.02 * sc.margin_rate          # expected margin per order
>>> delta = sim.world.model.daily_discount_rate(sc.clv_discount_rate)
>>> bool(np.isclose(clv[0], m * 0.02 / (delta + 0.25 * 0.02))), float(clv[1]), list(stage)
(True, 0.0, ['active', 'lost'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.scenario import Scenario
from sim.world.model import daily_discount_rate, true_clv_retail, true_clv_subscription, true_stage

__all__ = ["HorizonState", "horizon_truth", "margin_per_order", "leave_probability"]


@dataclass
class HorizonState:
    """Per-customer arrays at the horizon (acquired customers only, in table order).

    ``alive``, ``acq_t``, ``lam`` (base purchase rate), ``lp`` (logit of the base dropout
    probability) and ``nu`` (spend rate) are required; the rest default to "mechanism off":
    ``mult`` (membership rate multiplier, 1), ``member_drop`` (membership dropout-logit shift, 0),
    ``s_now`` (satisfaction at the horizon; NaN = satisfaction off), ``rate_factor`` (archetype
    purchase-rate multiplier not already in ``lam``, 1), ``value_mult`` (business order-value
    factor, 1), ``pref`` (``n x categories`` preferences, None), ``plan`` (plan index, -1),
    ``theta`` (cancellation probability, NaN), ``next_renewal`` (day, NaN) and
    ``reactivated_t`` (last win-back day, NaN).
    """

    alive: np.ndarray
    acq_t: np.ndarray
    lam: np.ndarray
    lp: np.ndarray
    nu: np.ndarray
    mult: np.ndarray | None = None
    member_drop: np.ndarray | None = None
    s_now: np.ndarray | None = None
    rate_factor: np.ndarray | None = None
    value_mult: np.ndarray | None = None
    pref: np.ndarray | None = None
    plan: np.ndarray | None = None
    theta: np.ndarray | None = None
    next_renewal: np.ndarray | None = None
    reactivated_t: np.ndarray | None = None

    def get(self, name: str, default: float) -> np.ndarray:
        """Attribute ``name`` as a float array, or ``default`` for every customer when not given."""
        v = getattr(self, name)
        return np.full(len(self.alive), default, dtype=float) if v is None else np.asarray(v, dtype=float)


def _shift(sc: Scenario, s_now: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log purchase-rate shift, dropout-logit shift) of satisfaction at the horizon (0 when off)."""
    sat = sc.satisfaction
    if not sat.enabled:
        return np.zeros_like(s_now), np.zeros_like(s_now)
    gap = np.nan_to_num(s_now - sat.reference)
    return sat.rate_elasticity * gap, -sat.dropout_shift * gap


def leave_probability(logit_base: np.ndarray, member_drop: np.ndarray, sat_shift: np.ndarray) -> np.ndarray:
    """Probability of leaving at the next order or renewal (vectorised
    :func:`~sim.world.model.dropout_probability` / ``renewal_cancel_probability`` without market or reminder).

    Examples
    --------
    >>> leave_probability(np.array([0.0]), np.array([0.0]), np.array([0.0])).tolist()
    [0.5]
    """
    return 1.0 / (1.0 + np.exp(-(logit_base - member_drop + sat_shift)))


def margin_per_order(sc: Scenario, state: HorizonState) -> np.ndarray:
    """Expected margin of one future order of each customer (currency).

    Subscription: the plan's price x ``margin_rate``. Otherwise the Gamma-Gamma mean ``p / nu``
    x the business factor x (with the catalogue) ``sum_k pref_k * price_level_k * margin_rate_k``
    (the main category follows the preferences), else x ``margin_rate``.

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline")
    >>> st = HorizonState(np.array([True]), np.array([0.0]), np.array([0.01]), np.array([0.0]), np.array([0.05]))
    >>> margin_per_order(sc, st).round(6).tolist()     # 6 / 0.05 * 0.35
    [42.0]
    """
    if sc.subscription.enabled:
        prices = np.array([p.price for p in sc.subscription.plans.values()], dtype=float)
        plan = np.asarray(state.plan, dtype=np.int64)
        return np.where(plan >= 0, prices[np.maximum(plan, 0)], 0.0) * sc.margin_rate
    base = sc.spend.p / np.asarray(state.nu, dtype=float) * state.get("value_mult", 1.0)
    if sc.catalogue.enabled and state.pref is not None:
        cats = sc.catalogue.categories.values()
        per_line = np.array([c.price_level * c.margin_rate for c in cats], dtype=float)
        return base * (np.asarray(state.pref, dtype=float) @ per_line)
    return base * sc.margin_rate


def horizon_truth(state: HorizonState, sc: Scenario, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """``(true_clv, true_stage)`` of every customer at day ``horizon`` (see :mod:`sim.world.model.value`).

    Returns
    -------
    true_clv : ndarray of float
        Expected discounted future margin (currency), discounted at ``clv_discount_rate``.
    true_stage : ndarray of str (object)
        One of :data:`sim.schema.STAGES`.
    """
    alive = np.asarray(state.alive, dtype=bool)
    s_now = state.get("s_now", np.nan)
    rate_shift, drop_shift = _shift(sc, s_now)
    member_drop = state.get("member_drop", 0.0)
    delta = float(daily_discount_rate(sc.clv_discount_rate))
    m = margin_per_order(sc, state)
    since_won_back = horizon - state.get("reactivated_t", np.nan)
    tenure = horizon - np.asarray(state.acq_t, dtype=float)
    sat_for_stage = s_now if sc.satisfaction.enabled else np.full(len(alive), np.nan)
    if sc.subscription.enabled:
        theta = np.clip(state.get("theta", np.nan), 1e-12, 1.0 - 1e-12)
        leave = leave_probability(np.log(theta / (1.0 - theta)), member_drop, drop_shift)
        prices = list(sc.subscription.plans.values())
        plan = np.asarray(state.plan, dtype=np.int64)
        period = np.array([p.period_days for p in prices], dtype=float)[np.maximum(plan, 0)]
        tau = np.maximum(state.get("next_renewal", np.nan) - horizon, 0.0)
        clv = true_clv_subscription(alive, m, leave, np.nan_to_num(tau), period, delta)
        wait = np.full(len(alive), np.nan)  # renewals, not purchases: never dormant
    else:
        rate = np.asarray(state.lam, dtype=float) * state.get("mult", 1.0) * state.get("rate_factor", 1.0)
        rate = rate * np.exp(rate_shift)
        leave = leave_probability(np.asarray(state.lp, dtype=float), member_drop, drop_shift)
        clv = true_clv_retail(alive, m, rate, leave, delta)
        with np.errstate(divide="ignore"):
            wait = 1.0 / rate
    stage = true_stage(alive, tenure, since_won_back, wait, leave, sat_for_stage)
    return np.asarray(clv, dtype=float), np.asarray(stage, dtype=object)
