"""What the firm's actions and the market do: win-back, fatigue, conversion, membership, offers, shocks.

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
"""

from __future__ import annotations

__all__ = [
    "winback_probability",
    "is_fatigued",
    "conversion_probability",
    "membership_rate_multiplier",
    "shocked_rate_factor",
    "shocked_dropout_shift",
    "order_discount",
    "is_membership_upgrade",
]


# ---------------------------------------------------------------------------------- firm actions, membership, market
def winback_probability(base_prob: float, days_since_lapse: float, half_life_days: float) -> float:
    """Probability that an opened win-back offer reactivates a truly lapsed customer.

    ``base * 0.5 ** (days since lapse / half-life)``: the longer gone, the harder to win back.

    Examples
    --------
    >>> winback_probability(0.2, 90.0, 90.0)
    0.1
    """
    return base_prob * 0.5 ** (days_since_lapse / half_life_days)


def is_fatigued(contacts_in_window: int, free_contacts: int) -> bool:
    """Whether a contact exceeds the free allowance within the fatigue window (it then lowers
    satisfaction and may opt the customer out).

    Examples
    --------
    >>> is_fatigued(4, 3), is_fatigued(3, 3)
    (True, False)
    """
    return contacts_in_window > free_contacts


def conversion_probability(convert_rate: float, offer_multiplier: float = 1.0) -> float:
    """Probability that an opened contact converts into an immediate order.

    Examples
    --------
    >>> conversion_probability(0.05, 2.0), conversion_probability(0.6, 2.0)
    (0.1, 1.0)
    """
    return min(1.0, convert_rate * offer_multiplier)


def membership_rate_multiplier(rate_uplift: float) -> float:
    """Purchase-rate multiplier of a membership level: ``1 + rate_uplift``.

    Examples
    --------
    >>> membership_rate_multiplier(0.15)
    1.15
    """
    return 1.0 + rate_uplift


def shocked_rate_factor(current: float, multiplier: float) -> float:
    """Market purchase-rate factor after a shock starts (``multiplier``) or ends (``1 / multiplier``).

    Examples
    --------
    >>> shocked_rate_factor(1.0, 0.8), round(shocked_rate_factor(0.8, 1 / 0.8), 12)
    (0.8, 1.0)
    """
    return current * multiplier


def shocked_dropout_shift(current: float, shift: float) -> float:
    """Market dropout-logit shift after a shock starts (``+shift``) or ends (``-shift``).

    Examples
    --------
    >>> shocked_dropout_shift(0.0, 0.4), shocked_dropout_shift(0.4, -0.4)
    (0.4, 0.0)
    """
    return current + shift


def order_discount(member_discount: float, offer_discount: float | None) -> float:
    """Discount share on an order: the larger of the membership discount and an unexpired offer's.

    Examples
    --------
    >>> order_discount(0.05, 0.2), order_discount(0.05, None)
    (0.2, 0.05)
    """
    return member_discount if offer_discount is None else max(member_discount, offer_discount)


def is_membership_upgrade(new_multiplier: float, old_multiplier: float, new_shift: float, old_shift: float) -> bool:
    """Whether a membership change is an upgrade (it then lifts satisfaction by ``upgrade_boost``):
    a higher purchase-rate multiplier or a higher dropout shift (switching cost).

    Examples
    --------
    >>> is_membership_upgrade(1.15, 1.05, 0.2, 0.1), is_membership_upgrade(1.0, 1.05, 0.0, 0.1)
    (True, False)
    """
    return new_multiplier > old_multiplier or new_shift > old_shift
