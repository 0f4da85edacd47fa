"""A customer's life: satisfaction, buying (BG/NBD rate), leaving (dropout), order values.

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
"""

from __future__ import annotations

import math

from sim.world.model.base import _LN2, S_MAX, S_MIN, logistic

__all__ = [
    "clip_satisfaction",
    "satisfaction_decay_rate",
    "relaxed_satisfaction",
    "satisfaction_after",
    "purchase_rate",
    "dropout_logit",
    "dropout_probability",
    "order_amount",
]


# ---------------------------------------------------------------------------------- satisfaction
def clip_satisfaction(s: float) -> float:
    """Satisfaction kept on its 0-10 scale.

    Examples
    --------
    >>> clip_satisfaction(11.2), clip_satisfaction(-0.5), clip_satisfaction(7.0)
    (10.0, 0.0, 7.0)
    """
    return S_MIN if s < S_MIN else (S_MAX if s > S_MAX else s)


def satisfaction_decay_rate(half_life_days: float) -> float:
    """Relaxation rate (per day) of satisfaction toward its starting level: ``ln 2 / half-life``.

    Examples
    --------
    >>> round(satisfaction_decay_rate(60.0) * 60.0, 6)   # ln 2 over one half-life
    0.693147
    """
    return _LN2 / half_life_days


def relaxed_satisfaction(s_then: float, s0: float, elapsed_days: float, decay_rate: float) -> float:
    """Satisfaction ``elapsed_days`` after it was ``s_then``: back toward ``s0`` exponentially.

    ``s(t) = s0 + (s_then - s0) * exp(-decay_rate * elapsed)``; after one half-life half of the
    gap to ``s0`` is gone.

    Examples
    --------
    >>> relaxed_satisfaction(6.0, 8.0, 60.0, satisfaction_decay_rate(60.0))
    7.0
    """
    return s0 + (s_then - s0) * math.exp(-decay_rate * elapsed_days)


def satisfaction_after(s_now: float, effect: float) -> float:
    """Satisfaction right after an experience with the given effect (clipped to 0-10).

    Effects (scenario ``satisfaction.effects`` and policy levers): a good order, a quality issue, a
    ticket resolved within or outside its SLA, a bot's resolution, a care contact, an offer, a
    membership upgrade, contact fatigue (negative).

    Examples
    --------
    >>> satisfaction_after(7.5, -1.5), satisfaction_after(9.8, 0.6)
    (6.0, 10.0)
    """
    return clip_satisfaction(s_now + effect)


# ---------------------------------------------------------------------------------- buying and leaving
def purchase_rate(
    lam: float,
    s: float,
    s_ref: float,
    rate_elasticity: float,
    membership_multiplier: float = 1.0,
    market_factor: float = 1.0,
) -> float:
    """Orders per day of an alive customer.

    ``lambda_i * membership * market * exp(rate_elasticity * (s - s_ref))``; with satisfaction off
    (``rate_elasticity = 0``) and no membership or market effect it is BG/NBD's ``lambda_i``.

    Examples
    --------
    >>> round(purchase_rate(0.02, 9.0, 8.0, 0.08, membership_multiplier=1.1), 6)
    0.023832
    """
    rate = lam * membership_multiplier * market_factor
    if rate_elasticity:
        rate *= math.exp(rate_elasticity * (s - s_ref))
    return rate


def dropout_logit(
    logit_p: float,
    s: float,
    s_ref: float,
    dropout_shift: float,
    market_shift: float = 0.0,
    membership_shift: float = 0.0,
) -> float:
    """Log-odds of dropping out after an order.

    ``logit(p_i) + market_shift - membership_shift - dropout_shift * (s - s_ref)``: happier
    customers, members (switching cost) and calm markets keep customers.

    Examples
    --------
    >>> dropout_logit(0.0, 8.0, 8.0, 0.35, market_shift=0.5, membership_shift=0.2)
    0.3
    """
    z = logit_p + market_shift - membership_shift
    if dropout_shift:
        z -= dropout_shift * (s - s_ref)
    return z


def dropout_probability(
    logit_p: float,
    s: float,
    s_ref: float,
    dropout_shift: float,
    market_shift: float = 0.0,
    membership_shift: float = 0.0,
) -> float:
    """Probability of dropping out after an order: :func:`logistic` of :func:`dropout_logit`.

    Examples
    --------
    >>> from sim.world.model.base import logit
    >>> round(dropout_probability(logit(0.3), 8.0, 8.0, 0.35), 12)   # at the reference: BG/NBD's p
    0.3
    """
    return logistic(dropout_logit(logit_p, s, s_ref, dropout_shift, market_shift, membership_shift))


def order_amount(gamma_draw: float, nu: float) -> float:
    """Value of one order (currency): a ``Gamma(p, 1)`` draw over the customer's spend rate ``nu_i``.

    So the value is ``Gamma(p, rate nu_i)`` with mean ``p / nu_i`` (Gamma-Gamma).

    Examples
    --------
    >>> order_amount(6.0, 0.05)
    120.0
    """
    return gamma_draw / nu
