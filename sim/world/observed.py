"""What the firm sees: the live :class:`Observed` window on the world, and :class:`FirmView` tables.

The simulator keeps the world (latent truth) and the firm's observations apart. A policy acts
through :class:`Observed`, which exposes observed logs and the firm's actions only; a table-level
:class:`FirmView` holds the observed tables without ``true_*`` columns or latent events. Asking
either for ground truth raises :class:`sim.errors.LatentAccessError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.errors import LatentAccessError
from sim.schema import LATENT_EVENTS, LATENT_PREFIX, TABLE_NAMES, observed_columns

__all__ = ["FirmPort", "Observed", "FirmView"]


class FirmPort(Protocol):
    """The small typed interface between the firm and a world (either engine implements it).

    Reads return copies or plain values, never views of the world's live buffers; actions are
    the only way the firm changes anything. Customer ``i`` is the world's 0-based index
    (``customer_id - 1`` in the tables); orders ``oid`` and tickets ``tid`` likewise.
    The world calls the firm back with ``on_acquired(i, now)``, ``on_order(i, oid, now)``,
    ``on_ticket_opened(tid, now)`` and ``on_ticket_resolved(tid, now)``.
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

    # --- actions
    def deliver(self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0) -> int:
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


class _ObservedFrame(pd.DataFrame):
    """A DataFrame that explains, instead of a bare KeyError, why ``true_*`` columns are absent."""

    @property
    def _constructor(self):  # noqa: ANN202 - pandas subclassing protocol
        return _ObservedFrame

    def __getitem__(self, key: Any) -> Any:
        keys = key if isinstance(key, list) else [key]
        for k in keys:
            if isinstance(k, str) and k.startswith(LATENT_PREFIX):
                raise LatentAccessError(
                    f"{k!r} is ground truth the firm cannot observe; policies and firm-facing code "
                    "only see observed columns (see sim.schema)"
                )
        return super().__getitem__(key)


@dataclass(frozen=True)
class FirmView:
    """What the firm can see: the observed tables, without latent columns or latent events.

    Every policy decides from a ``FirmView`` only. Asking one of its tables for a ``true_*``
    column raises :class:`LatentAccessError`.
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    events: pd.DataFrame
    tiers: pd.DataFrame
    contacts: pd.DataFrame

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> "FirmView":
        """Strip latent columns and events from full tables."""
        out = {}
        for name in TABLE_NAMES:
            df = tables[name][observed_columns(name)]
            if name == "events":
                df = df[~df["event"].isin(LATENT_EVENTS)].reset_index(drop=True)
            out[name] = _ObservedFrame(df)
        return cls(**out)

    def __getattr__(self, name: str) -> Any:
        if name.startswith(LATENT_PREFIX):
            raise LatentAccessError(f"{name!r} is ground truth; the firm's view has no latent data")
        raise AttributeError(name)


_OBSERVED = frozenset(
    {"o_cust", "o_t", "o_amount", "consent", "opted_out", "acq_t", "birth_month", "tickets", "n_acquired_paid", "n_paid"}
)


class Observed:
    """The firm's window on the world: observed logs and firm actions, nothing latent.

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.lifecycle import World
    >>> from sim.world.rng import Streams
    >>> w = World(simpy.Environment(), sim.Scenario.load("baseline"), 10, 30.0, Streams(0), 1)
    >>> obs = Observed(w)
    >>> obs.consent is w.consent
    True
    >>> obs.alive
    Traceback (most recent call last):
    ...
    sim.errors.LatentAccessError: 'alive' is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only
    """

    __slots__ = ("_w",)

    def __init__(self, world: Any) -> None:
        object.__setattr__(self, "_w", world)

    def __getattr__(self, name: str) -> Any:
        if name in _OBSERVED:
            return getattr(self._w, name)
        raise LatentAccessError(
            f"{name!r} is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the firm cannot change the world's state directly; use its actions")

    # actions ---------------------------------------------------------------
    @property
    def now(self) -> float:
        return self._w.env.now

    def acquired(self) -> list[int]:
        """Indices of customers acquired so far."""
        return self._w._acquired()

    def deliver(self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0) -> int:
        return self._w.deliver(i, campaign, channel, offer, variant, extra_boost)

    def set_membership(self, i: int, tier: Any) -> None:
        self._w.set_membership(i, tier.name, tier.rate_uplift, tier.discount, tier.priority_service, tier.upgrade_boost, tier.dropout_shift)

    def clear_membership(self, i: int) -> None:
        self._w.set_membership(i, "none", 0.0, 0.0, False, 0.0, 0.0)

    def record_tier(self, i: int, tier: str, score: float) -> None:
        self._w.record_tier(i, tier, score)

    def event(self, i: int, kind: str, detail: str) -> None:
        if kind.startswith(LATENT_PREFIX):
            raise LatentAccessError("the firm cannot log latent events")
        self._w._event(i, self.now, kind, detail)

    def view(self) -> FirmView:
        """Observed tables up to now (no latent columns), for scoring."""
        from sim.world.tables import build_tables

        w = self._w
        return FirmView.from_tables(build_tables(w, w.sc, w.env.now))

    def order_frame(self) -> pd.DataFrame:
        """Observed orders so far: customer index, t, amount (fast path for scoring)."""
        w = self._w
        return pd.DataFrame({"i": np.asarray(w.o_cust, dtype=np.int64), "t": np.asarray(w.o_t), "amount": np.asarray(w.o_amount)})
