"""Scenario truth of communication (chapter 08): hidden message effects and channel affinity.

``Scenario.messaging`` (:class:`Messaging`, off by default) holds what the firm can only learn by
testing:

* ``effects``: per variant *dimension* (:data:`MESSAGE_DIMENSIONS`: ``send_time``, ``copy``,
  ``image``, ``channel``) and *level* (e.g. ``send_time: {evening: ...}``) a
  :class:`MessageEffect` — shifts of the open, click and convert log-odds of a contact sent with
  that level (a policy's :class:`~sim.config.policy_contacts.Variant` names the levels it uses;
  a level without an effect shifts nothing);
* ``channel_affinity_sd``: each customer's latent log-odds shift per contact channel
  (:data:`sim.schema.CHANNELS`) ~ N(0, sd), drawn up front (``population.affinity`` stream), which
  shifts the open, click and convert log-odds of every contact on that channel (PA6: the
  heterogeneity personalisation can exploit).

The equations are in :mod:`sim.world.model.messaging`.

Examples
--------
>>> m = Messaging(enabled=True, effects={"send_time": {"evening": MessageEffect(open_shift=0.3)}})
>>> m.effects["send_time"]["evening"].open_shift, m.channel_affinity_sd
(0.3, 0.0)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from sim.config._base import StrictModel
from sim.config.limits import MAX_AFFINITY_SD, MAX_LEVEL_NAME, MAX_MESSAGE_SHIFT, Real, short
from sim.schema import CHANNELS

__all__ = ["MESSAGE_DIMENSIONS", "MAX_MESSAGE_SHIFT", "MAX_AFFINITY_SD", "MessageEffect", "Messaging"]

#: Variant dimensions that can carry a hidden effect (``channel``: on top of the channel's rates).
MESSAGE_DIMENSIONS: tuple[str, ...] = ("send_time", "copy", "image", "channel")
#: (MAX_MESSAGE_SHIFT, MAX_AFFINITY_SD, MAX_LEVEL_NAME: the one limits table, :mod:`sim.config.limits`)

#: A log-odds shift of one message level.
Shift = Annotated[Real, Field(ge=-MAX_MESSAGE_SHIFT, le=MAX_MESSAGE_SHIFT, description="log-odds")]


class MessageEffect(StrictModel):
    """The hidden effect of one message level: shifts of the open, click and convert log-odds.

    Examples
    --------
    >>> MessageEffect(click_shift=0.2).open_shift
    0.0
    """

    open_shift: Shift = 0.0
    click_shift: Shift = 0.0
    convert_shift: Shift = 0.0


class Messaging(StrictModel):
    """Hidden truth of message variants and per-customer channel affinity (off by default).

    Examples
    --------
    >>> try:
    ...     Messaging(effects={"font": {}})
    ... except ValueError as e:
    ...     print("not one of" in str(e))
    True
    """

    enabled: bool = False
    effects: dict[str, dict[str, MessageEffect]] = Field(
        default_factory=dict, description="dimension -> level -> hidden log-odds shifts"
    )
    channel_affinity_sd: Real = Field(
        default=0.0, ge=0.0, le=MAX_AFFINITY_SD, description="log-odds sd of each customer's channel affinity"
    )

    @field_validator("effects")
    @classmethod
    def _dimensions(cls, v: dict[str, dict[str, MessageEffect]]) -> dict[str, dict[str, MessageEffect]]:
        for dim, levels in v.items():
            if dim not in MESSAGE_DIMENSIONS:
                raise ValueError(
                    f"messaging.effects: dimension {short(dim)} is not one of {', '.join(MESSAGE_DIMENSIONS)}"
                )
            for level in levels:
                if not level or len(level) > MAX_LEVEL_NAME:
                    raise ValueError(
                        f"messaging.effects.{dim}: level {short(level)} must have 1 to {MAX_LEVEL_NAME} characters"
                    )
                if dim == "channel" and level not in CHANNELS:
                    raise ValueError(
                        f"messaging.effects.channel: level {short(level)} is not a contact channel; allowed: {list(CHANNELS)}"
                    )
        return v
