"""Communication (chapter 08): message effects, channel affinity, the click stage and the bandit.

A contact is opened, then (conditional on opening) clicked, then converted. The hidden message
effects of a variant's levels (``Scenario.messaging``) and the customer's channel affinity shift
each stage's log-odds (:func:`message_probability`, :func:`variant_shifts`). Click and conversion
share one uniform (:func:`click_and_convert`): a converting contact was always clicked. The firm's
Thompson-sampling bandit picks the variant with the largest Beta posterior draw
(:func:`thompson_pick`).

Examples
--------
>>> round(message_probability(0.2, 0.3), 4)
0.2523
>>> click_and_convert(0.05, 0.10, 0.02)
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "message_probability",
    "variant_shifts",
    "click_and_convert",
    "true_convert_probability",
    "best_channel",
    "thompson_pick",
]


def message_probability(base: float, shift: float) -> float:
    """A stage's probability after a log-odds ``shift``: ``logistic(logit(base) + shift)``.

    ``base`` is the channel's rate (open, click or convert, the latter at the offer's multiplier);
    ``shift`` the sum of the message levels' shifts and the customer's channel affinity. No shift
    returns ``base`` exactly; a base of 0 or 1 stays there (a certain stage stays certain).

    Examples
    --------
    >>> message_probability(0.2, 0.0), round(message_probability(0.5, math.log(3.0)), 6)
    (0.2, 0.75)
    >>> message_probability(1.0, -2.0)
    1.0
    """
    if shift == 0.0 or base <= 0.0 or base >= 1.0:
        return base
    return 1.0 / (1.0 + math.exp(-(math.log(base / (1.0 - base)) + shift)))


def variant_shifts(
    effects: Mapping[str, Mapping[str, Any]], levels: Mapping[str, str | None]
) -> tuple[float, float, float]:
    """Sum of the open, click and convert log-odds shifts of a message's ``levels``.

    ``effects`` maps dimension -> level -> an object with ``open_shift``, ``click_shift``,
    ``convert_shift`` (:class:`sim.config.messaging.MessageEffect`); ``levels`` maps dimension ->
    the message's level (None: unset). A level without an effect shifts nothing.

    Examples
    --------
    >>> from sim.config.messaging import MessageEffect
    >>> eff = {"send_time": {"evening": MessageEffect(open_shift=0.3)},
    ...        "copy": {"personal": MessageEffect(click_shift=0.2, convert_shift=0.1)}}
    >>> variant_shifts(eff, {"send_time": "evening", "copy": "personal", "image": None})
    (0.3, 0.2, 0.1)
    """
    o = cl = cv = 0.0
    for dim, level in levels.items():
        if level is None:
            continue
        e = effects.get(dim, {}).get(level)
        if e is not None:
            o += e.open_shift
            cl += e.click_shift
            cv += e.convert_shift
    return o, cl, cv


def click_and_convert(u: float, p_click: float, p_convert: float) -> tuple[bool, bool]:
    """Clicked and converted of an opened contact from ONE uniform ``u`` (nested coupling).

    ``clicked = u < max(p_click, p_convert)``, ``converted = u < p_convert``: a converted contact
    was clicked, P(clicked) = max(p_click, p_convert) and P(converted) = p_convert exactly, and no
    draw is added to the conversion's.

    Examples
    --------
    >>> click_and_convert(0.01, 0.10, 0.02), click_and_convert(0.5, 0.10, 0.02)
    ((True, True), (False, False))
    """
    return u < max(p_click, p_convert), u < p_convert


def true_convert_probability(p_open: float, p_convert: float, p_active: float = 1.0) -> float:
    """Unconditional probability that a contact converts: ``p_open * p_active * p_convert``.

    ``p_active``: the chance the customer is active when the opened contact reaches them (1 for an
    active customer; the win-back probability of the offer for a lapsed one).

    Examples
    --------
    >>> true_convert_probability(0.2, 0.05)
    0.010000000000000002
    """
    return p_open * p_active * p_convert


def best_channel(affinity: Sequence[float], channels: Sequence[str]) -> str:
    """The channel of the largest latent affinity (the customer's best channel relative to the
    average customer); ``""`` without affinities.

    Examples
    --------
    >>> best_channel([0.1, -0.4, 0.9, 0.0], ["email", "sms", "push", "phone"]), best_channel([], [])
    ('push', '')
    """
    if not len(affinity):
        return ""
    return channels[int(np.argmax(np.asarray(affinity, dtype=float)))]


def thompson_pick(successes: Sequence[float], failures: Sequence[float], gen: np.random.Generator) -> int:
    """Thompson sampling: index of the largest draw from Beta(1 + successes, 1 + failures) per arm.

    Examples
    --------
    >>> thompson_pick([90, 5], [10, 95], np.random.default_rng(0))
    0
    """
    a = 1.0 + np.asarray(successes, dtype=float)
    b = 1.0 + np.asarray(failures, dtype=float)
    return int(np.argmax(gen.beta(a, b)))
