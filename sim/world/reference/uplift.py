"""The counterfactual truth of the reference world: each decision's latent state, replayed.

With ``Scenario.uplift`` on, every contact the firm sends and every campaign holdout is recorded
with the customer's latent state at that instant (read from the reference
:class:`~sim.world.reference.state.Customer`), and the shared vectorised replay
(:func:`sim.world.counterfactual.replay_decisions`: ``replays`` paired replays of the next
``outcome_days``, with and without the contact, under common random numbers) turns it into the
latent ``uplift`` table. Only the recording is the reference engine's own: the state of one
decision (:data:`sim.world.counterfactual.STATE_FIELDS`) is

* the customer's purchase rate without satisfaction: ``lambda_i`` x membership x archetype x the
  market's factor; satisfaction now and at the last experience (the pending purchase's rate);
* the dropout logit with the market's and the membership's (and onboarding's) shifts;
* spend rate, business factor, membership discount, a pending offer (discount and expiry);
* the contact's odds (:meth:`FirmActions.contact_probabilities
  <sim.world.reference.port.FirmActions.contact_probabilities>`, its boost plus the caller's),
  the win-back probability of a lapsed customer, the offer's discount and window, and the fatigue
  penalty if this contact is one too many.

Draws come from the run's ``reference.uplift`` stream only: the other tables are the same with the
truth on or off.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.world import model
from sim.world.counterfactual import UpliftRecorder

if TYPE_CHECKING:
    from sim.world.reference.world import World

__all__ = ["ReferenceUplift"]


class _CustomerView:
    """What the shared recorder reads of the customers: the relaxation rate and category preferences."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.decay_rate = world.decay

    @property
    def pref(self) -> list[tuple[float, ...] | None] | None:
        w = self.world
        return [c.pref for c in w.customers] if w.baskets is not None else None


class ReferenceUplift(UpliftRecorder):
    """Records each decision of the firm in a reference :class:`~sim.world.reference.world.World`
    and replays it (:class:`sim.world.counterfactual.UpliftRecorder`, with this world's state).

    Parameters
    ----------
    world : World
    actions : FirmActions
        The reference port's actions (``contact_probabilities`` and ``winback_p``).
    """

    def __init__(self, world: World, actions: Any) -> None:
        super().__init__(world.sc, world.policy, _CustomerView(world), None, actions, world.streams, world.logs.uplift)  # type: ignore[arg-type]
        self.world = world
        self.rng = world.streams.generator("reference.uplift")

    def _state(self, i: int, now: float, channel: str, offer_name: str | None, odds: Any, extra_boost: float) -> None:
        w = self.world
        pol = w.policy
        assert pol is not None  # contacts need a policy
        c = w.customers[i]
        offer = pol.offers[offer_name] if offer_name else None
        fat = pol.fatigue
        recent = sum(1 for t in c.contact_times if t > now - fat.window_days)
        tired = model.is_fatigued(recent + 1, fat.free_contacts)
        s_now = w.satisfaction(c)
        pend = c.pending_offer
        self.pending.append(
            (
                now,
                1.0 if c.alive else 0.0,
                c.lam * c.rate_multiplier * c.rate_factor * w.market_rate_factor,
                s_now,
                c.s if w.satisfaction_on else c.s0,
                c.s0,
                model.logit(c.p) + w.market_dropout_shift - (c.member_dropout_shift + c.onboarding_shift),
                c.nu,
                c.value_mult,
                c.member_discount,
                pend.discount if pend is not None else 0.0,
                pend.expires_t if pend is not None else -math.inf,
                odds.p_open,
                odds.p_convert,
                odds.boost + extra_boost,
                0.0 if c.alive else self.actions.winback_p(i, offer_name),
                offer.discount if offer is not None else 0.0,
                offer.redeem_window_days if offer is not None else 0.0,
                fat.satisfaction_penalty if tired else 0.0,
                float(i),
            )
        )
        if len(self.pending) >= 4096:
            self.flush()
