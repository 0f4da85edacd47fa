"""The firm's side of the firm-world interface: :class:`FirmPort`, the small typed protocol both engines
implement (the fast engine's :class:`sim.world.observed.Observed`, the reference engine's port).

Reads hand out observed values as copies or plain values; actions go through the world's own
mechanisms. Nothing here can reach a latent value (see :mod:`sim.world.observed`).

Examples
--------
>>> sorted(n for n in vars(FirmPort) if not n.startswith("_"))[:4]
['acquired', 'announce_referral_bonus', 'birth_month', 'clear_membership']
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import pandas as pd

__all__ = ["FirmPort"]


class FirmPort(Protocol):
    """The small typed interface between the firm and a world (either engine implements it).

    Reads return copies or plain values, never views of the world's live buffers; actions are
    the only way the firm changes anything. Customer ``i`` is the world's 0-based index
    (``customer_id - 1`` in the tables); orders ``oid`` and tickets ``tid`` likewise.
    The world calls the firm back with ``on_acquired(i, now)``, ``on_order(i, oid, now)``,
    ``on_ticket_opened(tid, now)`` and ``on_ticket_resolved(tid, now)`` (:class:`~sim.world.engine.FirmHooks`).

    Examples
    --------
    The fast engine's :class:`~sim.world.observed.Observed` implements every member (and adds ``view``):

    >>> from sim.world.observed import Observed
    >>> members = lambda cls: {m for m in vars(cls) if not m.startswith("_")}
    >>> sorted(members(FirmPort))  # doctest: +NORMALIZE_WHITESPACE
    ['acquired', 'announce_referral_bonus', 'birth_month', 'clear_membership', 'consent', 'contact_outcome',
     'credit_points', 'deliver', 'event', 'holdout', 'horizon', 'now', 'onboard', 'opted_out', 'order_amount',
     'order_frame', 'plan_period', 'record_tier', 'remind_renewal', 'set_basic_service', 'set_membership',
     'set_programme', 'start_date', 'survey_frame', 'ticket_customer']
    >>> members(Observed) - members(FirmPort)
    {'view'}
    """

    # --- observations (copies)
    @property
    def now(self) -> float:
        """Simulation clock (days)."""
        ...

    @property
    def horizon(self) -> float:
        """Last day of the run (days)."""
        ...

    @property
    def start_date(self) -> dt.date:
        """Calendar date of day 0."""
        ...

    def acquired(self) -> list[int]:
        """Indices of the customers acquired so far."""
        ...

    def consent(self, i: int) -> bool:
        """Whether customer ``i`` consented to marketing contacts at sign-up."""
        ...

    def opted_out(self, i: int) -> bool:
        """Whether customer ``i`` has opted out since."""
        ...

    def birth_month(self, i: int) -> int:
        """Customer ``i``'s birth month (1-12), as given at sign-up."""
        ...

    def order_amount(self, oid: int) -> float:
        """Amount of order ``oid`` (currency)."""
        ...

    def ticket_customer(self, tid: int) -> int:
        """Customer index of ticket ``tid`` (-1 for a ticket without a customer)."""
        ...

    def order_frame(self) -> pd.DataFrame:
        """Orders so far (a copy): columns ``i`` (customer index), ``t`` (days), ``amount``."""
        ...

    def survey_frame(self, start: int = 0) -> pd.DataFrame:
        """Survey answers observed so far, from the ``start``-th on (a copy, in the order they came
        in): columns ``i`` (customer index), ``t`` (days), ``instrument`` (``csat``, ``ces``,
        ``nps``), ``score``. ``start`` = the number of answers already read: only the new ones."""
        ...

    def contact_outcome(self, cid: int) -> tuple[bool, bool, bool]:
        """Observed outcome of contact ``cid`` (the index :meth:`deliver` returned): opened, clicked,
        converted (an immediate order) — what a CRM logs as the contact goes out."""
        ...

    def plan_period(self, i: int) -> float:
        """Days between two payments of customer ``i``'s subscription plan (chosen at sign-up,
        observed); NaN for a customer without a plan."""
        ...

    # --- actions
    def deliver(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact (the firm has checked consent and budget); returns the contact index."""
        ...

    def set_membership(self, i: int, tier: Any) -> None:
        """Grant customer ``i`` a loyalty level (a ``Policy.loyalty.tiers`` entry)."""
        ...

    def clear_membership(self, i: int) -> None:
        """Take customer ``i``'s loyalty level away."""
        ...

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment (the ``tiers`` table)."""
        ...

    def event(self, i: int, kind: str, detail: str) -> None:
        """Log an observed event (``budget_skip`` ...); latent event kinds are refused."""
        ...

    def set_basic_service(self, i: int, basic: bool) -> None:
        """Put customer ``i`` in (``True``) or out of basic service: their tickets queue behind
        everyone else's (the firm's tiering decides who; the world never sees the tier)."""
        ...

    def onboard(self, i: int, channel: str, satisfaction_boost: float, dropout_shift: float, until: float) -> int:
        """Send a welcome contact (the firm has checked consent and budget); if opened, the
        customer's dropout log-odds are lowered by ``dropout_shift`` until day ``until`` (once).
        Returns the contact index."""
        ...

    def remind_renewal(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str, renewal_shift: float
    ) -> int:
        """Send a renewal reminder (the firm has checked consent and budget); if opened,
        ``renewal_shift`` is added to the cancellation log-odds at the customer's next renewal.
        Returns the contact index."""
        ...

    def holdout(self, i: int, campaign: str) -> None:
        """Hold customer ``i`` out of campaign ``campaign`` (a ``Policy.campaigns`` name): an observed
        ``holdout`` event (detail: the campaign's name); no contact is sent."""
        ...

    # --- the loyalty programme (chapter 09)
    def set_programme(self, loyalty: Any) -> None:
        """Publish the loyalty programme's rules (a ``Policy.loyalty``) to customers; the firm calls
        it at the start and again whenever its programme changes (a phase switch)."""
        ...

    def credit_points(self, i: int, points: float, kind: str) -> None:
        """Credit ``points`` to customer ``i``'s balance (a ``points`` ledger row of ``kind``)."""
        ...

    def announce_referral_bonus(self, multiplier: float) -> None:
        """Announce the referral-reward multiplier from now on (1.0 ends a bonus window)."""
        ...
