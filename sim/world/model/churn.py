"""Churn early warning (chapter 07): exit-survey answers and win-back response by reason and offer kind.

Examples
--------
>>> exit_stated_reason("service", 0.6, 0.2, "price")     # truthful draw: the true reason
'service'
>>> winback_reason_multiplier("price", "discount", {"price": {"discount": 2.0}})
2.0
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "exit_stated_reason",
    "exit_confusion_probability",
    "winback_reason_multiplier",
    "reason_winback_probability",
]


def exit_stated_reason(true_reason: str, truthful: float, u_truth: float, other: str) -> str:
    """The reason a churner states in an exit survey: the true one if ``u_truth < truthful``, else ``other``.

    ``other`` is a reason drawn from the survey's ``stated_mix`` (it may equal the true one by chance).

    Parameters
    ----------
    true_reason : str
        Why the customer truly left.
    truthful : float
        Probability of stating the true reason.
    u_truth : float
        A uniform draw in [0, 1).
    other : str
        The reason stated when not truthful.

    Examples
    --------
    >>> exit_stated_reason("product", 0.6, 0.7, "price")
    'price'
    """
    return true_reason if u_truth < truthful else other


def exit_confusion_probability(
    stated: str, true_reason: str, truthful: float, stated_mix: Mapping[str, float]
) -> float:
    """P(stated reason | true reason) of an exit-survey answer.

    ``truthful * [stated == true] + (1 - truthful) * stated_mix[stated]`` (a share missing from the
    mix is 0; the mix is normalised).

    Examples
    --------
    >>> mix = {"price": 0.5, "need_mismatch": 0.3, "product": 0.2}
    >>> round(exit_confusion_probability("price", "price", 0.6, mix), 3)
    0.8
    >>> round(exit_confusion_probability("price", "service", 0.6, mix), 3)
    0.2
    >>> round(exit_confusion_probability("service", "service", 0.6, mix), 3)
    0.6
    """
    total = sum(stated_mix.values())
    share = stated_mix.get(stated, 0.0) / total if total > 0 else 0.0
    return truthful * (1.0 if stated == true_reason else 0.0) + (1.0 - truthful) * share


def winback_reason_multiplier(reason: str, kind: str, table: Mapping[str, Mapping[str, float]]) -> float:
    """Multiplier of the win-back probability for a customer who left for ``reason`` offered an offer of ``kind``.

    ``table[reason][kind]`` (the scenario's ``churn.winback_response``); 1.0 when either is missing.

    Examples
    --------
    >>> t = {"price": {"discount": 2.0, "service": 0.5}, "service": {"discount": 0.5, "service": 2.0}}
    >>> winback_reason_multiplier("price", "service", t), winback_reason_multiplier("product", "discount", t)
    (0.5, 1.0)
    """
    by_kind = table.get(reason)
    if by_kind is None:
        return 1.0
    return float(by_kind.get(kind, 1.0))


def reason_winback_probability(base_prob: float, multiplier: float) -> float:
    """A win-back probability (:func:`~sim.world.model.winback_probability`) times the reason x
    offer-kind multiplier, capped at 1.

    Examples
    --------
    >>> reason_winback_probability(0.2, 2.0), reason_winback_probability(0.6, 2.0)
    (0.4, 1.0)
    """
    p = base_prob * multiplier
    return 1.0 if p > 1.0 else p
