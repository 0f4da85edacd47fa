"""What the firm sees: the :class:`FirmPort` interface, its fast-engine :class:`Observed`, and :class:`FirmView` tables.

The simulator keeps the world (latent truth) and the firm's observations apart. The firm
(:mod:`sim.world.firm`) talks to a world only through a :class:`FirmPort`: observed values (as
copies or plain values) and the firm's actions. :class:`Observed` is the fast engine's port; the
world calls the firm back through :class:`FirmHooks` (see :meth:`sim.world.engine.World.attach_firm`).
A table-level :class:`FirmView` holds the observed tables without ``true_*`` columns or latent
events. Asking any of them for ground truth raises :class:`sim.errors.LatentAccessError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.errors import LatentAccessError
from sim.schema import LATENT_EVENTS, LATENT_PREFIX, TABLE_NAMES, observed_columns
from sim.world.engine import FirmHooks, World
from sim.world.tables import build_tables

__all__ = ["FirmPort", "FirmHooks", "Observed", "FirmView"]


class FirmPort(Protocol):
    """The small typed interface between the firm and a world (either engine implements it).

    Reads return copies or plain values, never views of the world's live buffers; actions are
    the only way the firm changes anything. Customer ``i`` is the world's 0-based index
    (``customer_id - 1`` in the tables); orders ``oid`` and tickets ``tid`` likewise.
    The world calls the firm back with ``on_acquired(i, now)``, ``on_order(i, oid, now)``,
    ``on_ticket_opened(tid, now)`` and ``on_ticket_resolved(tid, now)`` (:class:`FirmHooks`).

    Examples
    --------
    The fast engine's :class:`Observed` implements every member (and adds :meth:`Observed.view`):

    >>> members = lambda cls: {m for m in vars(cls) if not m.startswith("_")}
    >>> sorted(members(FirmPort))
    ['acquired', 'birth_month', 'clear_membership', 'consent', 'deliver', 'event', 'horizon', 'now', 'opted_out', 'order_amount', 'order_frame', 'record_tier', 'set_membership', 'start_date', 'ticket_customer']
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


class _ObservedFrame(pd.DataFrame):
    """A DataFrame that explains, instead of a bare KeyError, why ``true_*`` columns are absent."""

    @property
    def _constructor(self):  # pandas subclassing protocol
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
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> FirmView:
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


class Observed:
    """The fast engine's :class:`FirmPort`: the firm's window on a :class:`~sim.world.engine.World`.

    Reads return plain values or fresh copies (never a view of the world's live buffers);
    actions go to the world's :class:`~sim.world.actions.FirmActions`. Anything else — latent
    purchase rates, the alive flag, satisfaction, the world itself — is refused with
    :class:`~sim.errors.LatentAccessError`, and the port cannot be written to.

    Parameters
    ----------
    world : World

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> w = World(env, sim.Scenario.load("baseline"), 10, 30.0, Streams(0), 1)
    >>> w.start(); env.run(until=30.0)
    >>> obs = Observed(w)
    >>> obs.now, obs.horizon, obs.start_date
    (30.0, 30.0, datetime.date(2025, 1, 1))
    >>> i = obs.acquired()[0]
    >>> isinstance(obs.consent(i), bool), list(obs.order_frame().columns)
    (True, ['i', 't', 'amount'])
    >>> obs.alive
    Traceback (most recent call last):
    ...
    sim.errors.LatentAccessError: 'alive' is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only
    """

    # the world, and the few live buffers read per contact or per order (bound once; only
    # plain values taken from them ever leave the port)
    __slots__ = ("_w", "_consent", "_opted_out", "_birth_month", "_amount", "_ticket_customer", "_actions")

    def __init__(self, world: World) -> None:
        init = object.__setattr__
        init(self, "_w", world)
        init(self, "_consent", world.customers.consent)
        init(self, "_opted_out", world.customers.opted_out)
        init(self, "_birth_month", world.customers.birth_month)
        init(self, "_amount", world.logs.orders.amount)
        init(self, "_ticket_customer", world.tickets.customer)
        init(self, "_actions", world.actions)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # Python protocol probes (copy, pickle, ...): plain absence
            raise AttributeError(name)
        raise LatentAccessError(
            f"{name!r} is not observable by the firm; it sees orders, tickets, surveys, contacts, consent and opt-outs only"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the firm cannot change the world's state directly; use its actions")

    # observations ------------------------------------------------------------
    @property
    def now(self) -> float:
        """Simulation clock (days)."""
        return self._w.env.now

    @property
    def horizon(self) -> float:
        """Last day of the run (days)."""
        return self._w.horizon

    @property
    def start_date(self) -> dt.date:
        """Calendar date of day 0."""
        return self._w.sc.start_date

    def acquired(self) -> list[int]:
        """Indices of the customers acquired so far (a new list)."""
        return self._w.customers.acquired()

    def consent(self, i: int) -> bool:
        """Whether customer ``i`` consented to marketing contacts at sign-up."""
        return self._consent[i]

    def opted_out(self, i: int) -> bool:
        """Whether customer ``i`` has opted out since."""
        return self._opted_out[i]

    def birth_month(self, i: int) -> int:
        """Customer ``i``'s birth month (1-12), as given at sign-up."""
        return self._birth_month[i]

    def order_amount(self, oid: int) -> float:
        """Amount of order ``oid`` (currency)."""
        return self._amount[oid]

    def ticket_customer(self, tid: int) -> int:
        """Customer index of ticket ``tid`` (-1 for a ticket without a customer)."""
        return self._ticket_customer[tid]

    def order_frame(self) -> pd.DataFrame:
        """Orders so far (a copy): columns ``i`` (customer index), ``t`` (days), ``amount``."""
        orders = self._w.logs.orders
        return pd.DataFrame(
            {
                "i": np.array(orders.customer, dtype=np.int64),
                "t": np.array(orders.t, dtype=float),
                "amount": np.array(orders.amount, dtype=float),
            }
        )

    def view(self) -> FirmView:
        """Observed tables up to now (no latent columns), e.g. for scoring by hand."""
        w = self._w
        return FirmView.from_tables(build_tables(w.customers, w.logs, w.sc, w.env.now, w.complaints.sla_h))

    # actions ---------------------------------------------------------------
    def deliver(
        self, i: int, campaign: str, channel: str, offer: str | None, variant: str = "", extra_boost: float = 0.0
    ) -> int:
        """Send one contact (the firm has checked consent and budget); returns the contact index."""
        return self._actions.deliver(i, campaign, channel, offer, variant, extra_boost)

    def set_membership(self, i: int, tier: Any) -> None:
        """Grant customer ``i`` a loyalty level (a ``Policy.loyalty.tiers`` entry)."""
        self._actions.set_membership(
            i, tier.name, tier.rate_uplift, tier.discount, tier.priority_service, tier.upgrade_boost, tier.dropout_shift
        )

    def clear_membership(self, i: int) -> None:
        """Take customer ``i``'s loyalty level away."""
        self._actions.set_membership(i, "none", 0.0, 0.0, False, 0.0, 0.0)

    def record_tier(self, i: int, tier: str, score: float) -> None:
        """Log a value-tier assignment (the ``tiers`` table)."""
        self._actions.record_tier(i, tier, score)

    def event(self, i: int, kind: str, detail: str) -> None:
        """Log an observed event (``budget_skip`` ...); latent event kinds are refused."""
        if kind.startswith(LATENT_PREFIX):
            raise LatentAccessError("the firm cannot log latent events")
        self._actions.log_event(i, kind, detail)
