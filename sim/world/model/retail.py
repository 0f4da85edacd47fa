"""Catalogue, archetypes, subscriptions and word of mouth: the lifecycle mechanisms' equations.

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
The configuration is :mod:`sim.config.mechanisms`; the fast engine (:mod:`sim.world.lifecycle`)
inlines the per-order ones, naming the function here it repeats.

Catalogue
    Customer *i*'s latent category preferences ``w_i ~ Dirichlet(c x popularity)``
    (:func:`dirichlet_concentrations`). An order's main category ``A`` follows ``w_i``; the basket
    adds :func:`poisson_inverse` (Poisson(``extra_lines_mean``)) extra lines, each drawn by
    :func:`extra_line_category` (a companion of ``A``, else ``w_i``). The order's value is
    :func:`order_value`: the Gamma-Gamma value times ``A``'s price level (times the business factor).
Archetypes
    Multipliers of the purchase rate, the offer response and the service sensitivity
    (:func:`service_effect`, :func:`service_churn_scaled`, :func:`offer_conversion_scaled`).
Subscriptions (shifted-beta-geometric)
    ``theta_i ~ Beta(alpha, beta)``; at each renewal the subscriber cancels with
    :func:`renewal_cancel_probability`; with no shift a cohort survives ``t`` periods with
    :func:`sbg_survival`.
Word of mouth
    After an order a promoter (:func:`~sim.world.model.is_promoter`) or a detractor
    (:func:`is_detractor`) tells Poisson(mean) people (:func:`word_of_mouth_tells`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence

from sim.world.model.base import PROMOTER_MIN, logistic, logit

__all__ = [
    "DETRACTOR_MAX",
    "dirichlet_concentrations",
    "poisson_inverse",
    "extra_line_category",
    "order_value",
    "service_effect",
    "service_churn_scaled",
    "offer_conversion_scaled",
    "renewal_cancel_probability",
    "sbg_survival",
    "is_detractor",
    "word_of_mouth_tells",
]

#: Highest satisfaction of a detractor (the NPS convention: answers 0-6).
DETRACTOR_MAX = 6.0


# ---------------------------------------------------------------------------------- catalogue
def dirichlet_concentrations(concentration: float, popularity: Sequence[float]) -> list[float]:
    """Dirichlet parameters of a customer's category preferences: ``concentration x popularity``.

    The mean preference vector is the popularity; a small concentration makes specialists.

    Examples
    --------
    >>> dirichlet_concentrations(2.0, [0.5, 0.25, 0.25])
    [1.0, 0.5, 0.5]
    """
    return [concentration * p for p in popularity]


def poisson_inverse(u: float, mean: float) -> int:
    """A Poisson(``mean``) count from one uniform ``u`` in [0, 1) (inverse CDF, sequential search).

    Examples
    --------
    >>> poisson_inverse(0.1, 0.8), poisson_inverse(0.5, 0.8), poisson_inverse(0.99, 0.8)
    (0, 1, 3)
    """
    k, p = 0, math.exp(-mean)
    cdf = p
    while u >= cdf and p > 0.0:
        k += 1
        p *= mean / k
        cdf += p
    return k


def _pick(u: float, weights: Mapping[str, float]) -> str:
    labels = list(weights)
    cum, total = [], 0.0
    for w in weights.values():
        total += w
        cum.append(total)
    return labels[min(bisect_right(cum, u * total), len(labels) - 1)]


def extra_line_category(u: float, companions: Mapping[str, float], preferences: Mapping[str, float]) -> str:
    """Category of one extra basket line from one uniform ``u``.

    With probability ``sum(companions)`` a companion of the main category (in proportion to the
    companion probabilities); otherwise a category drawn from the customer's preferences (``u``
    rescaled to the remaining interval, so one uniform serves both steps).

    Examples
    --------
    >>> prefs = {"electronics": 0.5, "home": 0.5}
    >>> extra_line_category(0.3, {"accessories": 0.6}, prefs)
    'accessories'
    >>> extra_line_category(0.7, {"accessories": 0.6}, prefs), extra_line_category(0.9, {}, prefs)
    ('electronics', 'home')
    """
    total = sum(companions.values())
    if u < total:
        return _pick(u / total, companions)
    return _pick((u - total) / (1.0 - total), preferences)


def order_value(gg_value: float, price_level: float = 1.0, business_factor: float = 1.0) -> float:
    """An order's amount: the Gamma-Gamma value times the main category's price level and the
    business factor (currency).

    The Gamma-Gamma draw carries the customer's own spend scale ``nu_i``; the price level moves it
    by what was bought, the business factor by who bought it. With both at 1 it is
    :func:`~sim.world.model.order_amount` unchanged.

    Examples
    --------
    >>> order_value(100.0, 2.2), order_value(100.0, 0.5, 3.0)
    (220.00000000000003, 150.0)
    """
    return gg_value * price_level * business_factor


# ---------------------------------------------------------------------------------- archetypes
def service_effect(effect: float, service_sensitivity: float) -> float:
    """Satisfaction effect of an SLA met or breached, scaled by the customer's service sensitivity.

    Examples
    --------
    >>> service_effect(-1.2, 1.5)
    -1.7999999999999998
    """
    return effect * service_sensitivity


def service_churn_scaled(prob: float, service_sensitivity: float) -> float:
    """Churn-after-ticket probability scaled by the service sensitivity (capped at 1).

    Examples
    --------
    >>> service_churn_scaled(0.15, 2.0), service_churn_scaled(0.6, 2.0)
    (0.3, 1.0)
    """
    return min(1.0, prob * service_sensitivity)


def offer_conversion_scaled(offer_multiplier: float, offer_response: float) -> float:
    """An offer's conversion multiplier for a customer with ``offer_response`` (the product; the
    offer's satisfaction boost is scaled the same way).

    Examples
    --------
    >>> offer_conversion_scaled(1.5, 2.0)
    3.0
    """
    return offer_multiplier * offer_response


# ---------------------------------------------------------------------------------- subscriptions
def renewal_cancel_probability(
    theta: float,
    s: float = 0.0,
    s_ref: float = 0.0,
    dropout_shift: float = 0.0,
    market_shift: float = 0.0,
    member_shift: float = 0.0,
    reminder_shift: float = 0.0,
) -> float:
    """Probability that a subscriber cancels at a renewal.

    ``logistic(logit(theta) + reminder_shift + market_shift - member_shift - dropout_shift * (s - s_ref))``:
    the sBG cancellation probability ``theta_i`` shifted on the log-odds scale like
    :func:`~sim.world.model.dropout_probability` (satisfaction, membership, the market) and by a
    pending renewal reminder. With no shift it is ``theta`` exactly (the cohort then follows sBG).

    Examples
    --------
    >>> renewal_cancel_probability(0.2)
    0.2
    >>> round(renewal_cancel_probability(0.2, s=6.0, s_ref=8.0, dropout_shift=0.35), 4)   # unhappy: likelier
    0.3349
    >>> round(renewal_cancel_probability(0.2, reminder_shift=-0.5), 4)                  # a reminder keeps some
    0.1317
    """
    z = reminder_shift + market_shift - member_shift - dropout_shift * (s - s_ref)
    if z == 0.0:
        return theta
    return logistic(logit(theta) + z)


def sbg_survival(t: int, alpha: float, beta: float) -> float:
    """Share of a cohort still subscribed after ``t`` renewals under sBG (no shifts).

    ``S(t) = B(alpha, beta + t) / B(alpha, beta)`` (Fader & Hardie 2007).

    Examples
    --------
    >>> round(sbg_survival(1, 0.7, 2.5), 4), round(sbg_survival(12, 0.7, 2.5), 4)
    (0.7812, 0.2825)
    """
    lb = math.lgamma
    return math.exp(lb(beta + t) + lb(alpha + beta) - lb(beta) - lb(alpha + beta + t))


# ---------------------------------------------------------------------------------- word of mouth
def is_detractor(s: float) -> bool:
    """Whether a customer is a detractor (satisfaction at most :data:`DETRACTOR_MAX`) and warns others.

    Examples
    --------
    >>> is_detractor(6.0), is_detractor(6.01)
    (True, False)
    """
    return s <= DETRACTOR_MAX


def word_of_mouth_tells(u: float, s: float, promoter_tells: float, detractor_tells: float) -> int:
    """People a customer with satisfaction ``s`` tells after an order: ``+k`` praising,
    ``-k`` warning, 0 for a passive (``k ~ Poisson`` of the promoter or detractor mean, from ``u``).

    Examples
    --------
    >>> word_of_mouth_tells(0.5, 9.5, 1.0, 3.0), word_of_mouth_tells(0.5, 4.0, 1.0, 3.0)
    (1, -3)
    >>> word_of_mouth_tells(0.5, 8.0, 1.0, 3.0)
    0
    """
    if s >= PROMOTER_MIN:
        return poisson_inverse(u, promoter_tells)
    if s <= DETRACTOR_MAX:
        return -poisson_inverse(u, detractor_tells)
    return 0
