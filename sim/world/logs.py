"""The world's append-only logs: orders, contacts, surveys, events, tiers, latent satisfaction snapshots
(plus the desk's tickets).

Each log is a struct of arrays. Numeric columns written on the hot path are typed
:class:`array.array` buffers (no float object kept alive per row); string and boolean columns are
lists. :func:`sim.world.tables.build_tables` turns them into the documented tables; the firm reads
them only through :class:`sim.world.observed.Observed`, which hands out copies.

Tickets live in :class:`sim.world.desk.TicketLog`, next to the desk that writes their first
response and resolution; :class:`Logs` holds one to keep every log of a run in one place.

Examples
--------
>>> logs = Logs()
>>> logs.events.add(0, 1.5, "acquired", "search")
>>> logs.surveys.answer(0, 2.0, "post_purchase", "csat", 4, -1)
>>> len(logs.events), len(logs.surveys), len(logs.orders)
(1, 1, 0)
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.world.counterfactual import UpliftLog
from sim.world.desk import TicketLog

__all__ = ["OrderLog", "ContactLog", "SurveyLog", "EventLog", "TierLog", "PointsLog", "SnapshotLog", "Logs"]


class OrderLog:
    """Orders: customer, time and amount in dense typed arrays; every other field sparse.

    Most orders are repeat orders with no quality issue, no discount, no points, no campaign and
    no catalogue line, so only the fields that differ from their default are stored, as typed
    (order index, value) columns appended in order-index order (each index column is sorted):

    ========================  ================================================  ===========
    ``first``                 indices of acquisition orders                     False
    ``issue``                 indices of orders with a quality issue            False
    ``discount_at/discount``  the discount *rate* of discounted orders          0.0
    ``points_at/points``      the points rate (per currency unit) in force      0.0
    ``campaign_at/campaign``  the campaign an order is credited to              ``""``
    ``line_at/category/basket``  main category index and ``"|"``-joined basket  -1, ``""``
    ========================  ================================================  ===========

    The discount and points *amounts* are ``amount * rate`` (the same IEEE product the engine
    would have stored, computed vectorised by :meth:`columns`). This keeps a baseline order at about
    26 bytes instead of a 7-tuple with two floats (about 160 bytes): at a million customers the
    difference is several hundred MB. :attr:`rest` reads the old per-order tuples back.

    Examples
    --------
    >>> log = OrderLog()
    >>> log.add(3, 1.25, 120.0, True, False, 0.0, 0.0, "")
    0
    >>> log.add(3, 9.5, 80.0, False, True, 0.25, 2.0, "winback")
    1
    >>> list(log.customer), list(log.amount), log.rest[0], log.rest[1]
    ([3, 3], [120.0, 80.0], (True, False, 0.0, 0.0, '', -1, ''), (False, True, 20.0, 160.0, 'winback', -1, ''))
    >>> cols = log.columns()
    >>> cols["is_first"].tolist(), cols["discount"].tolist(), cols["campaign"].tolist(), cols["basket"]
    ([True, False], [0.0, 20.0], ['', 'winback'], None)
    """

    __slots__ = ("customer", "t", "amount", "first", "issue", "discount_at", "discount", "points_at", "points",
                 "campaign_at", "campaign", "line_at", "category", "basket")  # fmt: skip

    def __init__(self) -> None:
        self.customer = array("q")
        self.t = array("d")
        self.amount = array("d")
        self.first = array("q")
        self.issue = array("q")
        self.discount_at = array("q")
        self.discount = array("d")
        self.points_at = array("q")
        self.points = array("d")
        self.campaign_at = array("q")
        self.campaign: list[str] = []
        self.line_at = array("q")
        self.category = array("q")
        self.basket: list[str] = []

    def add(
        self,
        i: int,
        now: float,
        amount: float,
        first: bool,
        issue: bool,
        discount: float,
        points_rate: float,
        campaign: str,
        category: int = -1,
        basket: str = "",
    ) -> int:
        """Append one order (``discount``, ``points_rate``: rates); returns its index ``oid``.

        The engine's hot path appends the dense columns, ``first`` and ``issue`` inline and calls
        :meth:`more` only for an order with a non-default field.
        """
        oid = len(self.t)
        self.customer.append(i)
        self.t.append(now)
        self.amount.append(amount)
        if first:
            self.first.append(oid)
        if issue:
            self.issue.append(oid)
        if discount or campaign or category != -1 or basket or points_rate:
            self.more(oid, discount, points_rate, campaign, category, basket)
        return oid

    def more(self, oid: int, discount: float, points_rate: float, campaign: str, category: int, basket: str) -> None:
        """Store order ``oid``'s sparse fields that differ from their defaults (see the class docstring)."""
        if discount:
            self.discount_at.append(oid)
            self.discount.append(discount)
        if points_rate:
            self.points_at.append(oid)
            self.points.append(points_rate)
        if campaign:
            self.campaign_at.append(oid)
            self.campaign.append(campaign)
        if category != -1 or basket:
            self.line_at.append(oid)
            self.category.append(category)  # an index beyond int64 raises OverflowError: never truncated
            self.basket.append(basket)

    def __len__(self) -> int:
        return len(self.t)

    @property
    def rest(self) -> _OrderRest:
        """The per-order tuples ``(is_first, quality_issue, discount, points, campaign, category, basket)``
        (read-only; ``discount`` and ``points`` are amounts, as in the ``orders`` table)."""
        return _OrderRest(self)

    def row(self, oid: int) -> tuple[bool, bool, float, float, str, int, str]:
        """The sparse fields of order ``oid`` as one tuple (see :attr:`rest`)."""
        n = len(self.t)
        if oid < 0:
            oid += n
        if not 0 <= oid < n:
            raise IndexError(f"order index {oid} is out of range: the log has {n} orders")
        amount = self.amount[oid]
        k = _find(self.line_at, oid)
        return (
            _find(self.first, oid) >= 0,
            _find(self.issue, oid) >= 0,
            amount * _value(self.discount_at, self.discount, oid, 0.0),
            amount * _value(self.points_at, self.points, oid, 0.0),
            _value(self.campaign_at, self.campaign, oid, ""),
            self.category[k] if k >= 0 else -1,
            self.basket[k] if k >= 0 else "",
        )

    def columns(self) -> dict[str, Any]:
        """The ``orders`` table's ``is_first``, ``true_quality_issue``, ``discount``, ``points``, ``campaign``,
        ``category`` (indices, -1: none) and ``basket`` columns from the sparse fields (fresh arrays; a
        string column whose every row is ``""`` is ``None``)."""
        n = len(self.t)
        amount = np.frombuffer(self.amount, dtype=float) if n else np.zeros(0)
        return {
            "is_first": _flags(self.first, n),
            "true_quality_issue": _flags(self.issue, n),
            "discount": amount * _dense(self.discount_at, self.discount, n),
            "points": amount * _dense(self.points_at, self.points, n),
            "campaign": _strings(self.campaign_at, self.campaign, n),
            "category": _dense(self.line_at, self.category, n, -1, np.int64),
            "basket": _strings(self.line_at, self.basket, n),
        }


class _OrderRest(Sequence):
    """A read-only sequence view of an :class:`OrderLog`'s per-order tuples (:meth:`OrderLog.row`)."""

    __slots__ = ("_log",)

    def __init__(self, log: OrderLog) -> None:
        self._log = log

    def __len__(self) -> int:
        return len(self._log)

    def __getitem__(self, oid: Any) -> Any:
        if isinstance(oid, slice):
            return [self._log.row(k) for k in range(*oid.indices(len(self._log)))]
        return self._log.row(oid)


def _find(at: array, oid: int) -> int:
    """Position of ``oid`` in the sorted index column ``at`` (-1: absent); the latest order is checked first."""
    if not at:
        return -1
    if at[-1] == oid:
        return len(at) - 1
    k = bisect_left(at, oid)
    return k if k < len(at) and at[k] == oid else -1


def _value(at: array, values: Any, oid: int, default: Any) -> Any:
    k = _find(at, oid)
    return values[k] if k >= 0 else default


def _flags(at: array, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    if at:
        out[np.frombuffer(at, dtype=np.int64)] = True
    return out


def _dense(at: array, values: array, n: int, default: float = 0.0, dtype: Any = float) -> np.ndarray:
    out = np.full(n, default, dtype=dtype)
    if at:
        out[np.frombuffer(at, dtype=np.int64)] = np.frombuffer(values, dtype=dtype)
    return out


def _strings(at: array, values: list[str], n: int) -> np.ndarray | None:
    if not at:
        return None  # every row has the default "": the caller builds a constant column
    out = np.full(n, "", dtype=object)
    out[np.frombuffer(at, dtype=np.int64)] = values
    return out


class ContactLog:
    """Contacts sent by the firm: who, when, campaign, channel, A/B variant, cost and outcome
    (opened, ``clicked``, converted), the variant's message levels (``levels``, only for contacts
    with a variant) and the contact's latent odds (``true_open_prob``, ``true_convert_prob``, NaN
    unless given; ``best``: the best variant's, for contacts of a trigger with variants).

    Examples
    --------
    >>> log = ContactLog()
    >>> cid = log.add(7, 30.0, "winback", "email", "", 0.2, True)
    >>> log.opened[cid] = True
    >>> cid, log.opened, log.converted
    (0, [True], [False])
    """

    __slots__ = ("customer", "t", "campaign", "channel", "variant", "cost", "opened", "converted", "consent",
                 "clicked", "levels", "true_open_prob", "true_convert_prob", "best")  # fmt: skip

    def __init__(self) -> None:
        self.customer: list[int] = []
        self.t: list[float] = []
        self.campaign: list[str] = []
        self.channel: list[str] = []
        self.variant: list[str] = []
        self.cost: list[float] = []
        self.opened: list[bool] = []
        self.converted: list[bool] = []
        self.consent: list[bool] = []
        #: indices of the clicked contacts (a set: most contacts are not clicked)
        self.clicked: set[int] = set()
        #: contact index -> the variant's (send_time, copy, image) levels (contacts without: absent)
        self.levels: dict[int, tuple[str, str, str]] = {}
        #: contact index -> true_best_convert_prob of a trigger's contact with variants (others:
        #: their own true_convert_prob)
        self.best: dict[int, float] = {}
        self.true_open_prob: list[float] = []
        self.true_convert_prob: list[float] = []

    def add(
        self,
        i: int,
        now: float,
        campaign: str,
        channel: str,
        variant: str,
        cost: float,
        consent_ok: bool,
        p_open: float = math.nan,
        p_convert: float = math.nan,
    ) -> int:
        """Append a contact (not yet opened, clicked or converted) with its true odds; returns its index."""
        cid = len(self.t)
        self.customer.append(i)
        self.t.append(now)
        self.campaign.append(campaign)
        self.channel.append(channel)
        self.variant.append(variant)
        self.cost.append(cost)
        self.consent.append(consent_ok)
        self.opened.append(False)
        self.converted.append(False)
        self.true_open_prob.append(p_open)
        self.true_convert_prob.append(p_convert)
        return cid

    def __len__(self) -> int:
        return len(self.t)


class SurveyLog:
    """Survey answers: customer, time, touchpoint, instrument, score, ticket (``-1``: none), and the
    answer's details: mode (``named`` / ``anonymous``), channel (``""``: not recorded), comment
    (``""``: none) and the latent satisfaction ``true_s`` the answer read. Exit-survey answers
    (:meth:`exit_answer`) add their row to ``exit_rows`` with the stated and the true reason.

    Examples
    --------
    >>> log = SurveyLog()
    >>> log.extend([4, 9], 90.0, "relationship", "nps", [9, 6], [8.8, 6.1])
    >>> list(log.customer), list(log.score), list(log.ticket), list(log.true_s), log.mode
    ([4, 9], [9, 6], [-1, -1], [8.8, 6.1], ['named', 'named'])
    """

    __slots__ = ("customer", "t", "touchpoint", "instrument", "score", "ticket", "mode", "channel", "comment", "true_s",
                 "exit_rows", "exit_reason", "exit_true")  # fmt: skip

    def __init__(self) -> None:
        self.customer = array("q")
        self.t = array("d")
        self.touchpoint: list[str] = []
        self.instrument: list[str] = []
        self.score = array("q")
        self.ticket = array("q")
        self.mode: list[str] = []
        self.channel: list[str] = []
        self.comment: list[str] = []
        self.true_s = array("d")
        # exit-survey answers, kept sparse (every other row's reasons are ""): row, stated, true reason
        self.exit_rows: list[int] = []
        self.exit_reason: list[str] = []
        self.exit_true: list[str] = []

    def exit_answer(self, i: int, now: float, reason: str, true_reason: str, s: float = math.nan) -> None:
        """Log one exit-survey answer: touchpoint ``exit``, instrument ``reason``, score -1 (none),
        the stated ``reason`` and the latent ``true_reason``.

        Examples
        --------
        >>> log = SurveyLog()
        >>> log.exit_answer(3, 40.0, "price", "service", 6.5)
        >>> log.instrument, list(log.score), log.exit_rows, log.exit_reason, log.exit_true
        (['reason'], [-1], [0], ['price'], ['service'])
        """
        self.exit_rows.append(len(self.t))
        self.exit_reason.append(reason)
        self.exit_true.append(true_reason)
        self.answer(i, now, "exit", "reason", -1, -1, s)

    def answer(
        self,
        i: int,
        now: float,
        touchpoint: str,
        instrument: str,
        score: int,
        ticket: int,
        s: float = math.nan,
        mode: str = "named",
        channel: str = "",
        comment: str = "",
    ) -> None:
        """Log one answer (``s``: latent satisfaction when answering)."""
        self.customer.append(i)
        self.t.append(now)
        self.touchpoint.append(touchpoint)
        self.instrument.append(instrument)
        self.score.append(score)
        self.ticket.append(ticket)
        self.true_s.append(s)
        self.mode.append(mode)
        self.channel.append(channel)
        self.comment.append(comment)

    def extend(
        self,
        who: Sequence[int],
        now: float,
        touchpoint: str,
        instrument: str,
        scores: Sequence[int],
        s: Sequence[float] | None = None,
        modes: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        comments: Sequence[str] | None = None,
    ) -> None:
        """Log many answers given at the same time to the same survey (no ticket)."""
        n = len(who)
        self.customer.extend(who)
        self.t.extend([now] * n)
        self.touchpoint.extend([touchpoint] * n)
        self.instrument.extend([instrument] * n)
        self.score.extend(scores)
        self.ticket.extend([-1] * n)
        self.true_s.extend(s if s is not None else [math.nan] * n)
        self.mode.extend(modes if modes is not None else ["named"] * n)
        self.channel.extend(channels if channels is not None else [""] * n)
        self.comment.extend(comments if comments is not None else [""] * n)

    def __len__(self) -> int:
        return len(self.t)


class EventLog:
    """Lifecycle events: acquired, referred, membership, opted_out, budget_skip and the latent
    ``true_*`` ones (see :data:`sim.schema.LATENT_EVENTS`).

    Examples
    --------
    >>> log = EventLog()
    >>> log.add(2, 14.0, "membership", "gold")
    >>> log.kind, list(log.t)
    (['membership'], [14.0])
    """

    __slots__ = ("customer", "t", "kind", "detail")

    def __init__(self) -> None:
        self.customer = array("q")
        self.t = array("d")
        self.kind: list[str] = []
        self.detail: list[str] = []

    def add(self, i: int, now: float, kind: str, detail: str) -> None:
        """Log one event."""
        self.customer.append(i)
        self.t.append(now)
        self.kind.append(kind)
        self.detail.append(detail)

    def __len__(self) -> int:
        return len(self.t)


class TierLog:
    """Value-tier assignments made by the firm (a row whenever a customer's tier changes).

    Examples
    --------
    >>> log = TierLog()
    >>> log.add(1, 0.0, "gold", 912.5)
    >>> log.tier, log.score
    (['gold'], [912.5])
    """

    __slots__ = ("customer", "t", "tier", "score")

    def __init__(self) -> None:
        self.customer: list[int] = []
        self.t: list[float] = []
        self.tier: list[str] = []
        self.score: list[float] = []

    def add(self, i: int, now: float, tier: str, score: float) -> None:
        """Log one tier assignment."""
        self.customer.append(i)
        self.t.append(now)
        self.tier.append(tier)
        self.score.append(score)

    def __len__(self) -> int:
        return len(self.t)


class PointsLog:
    """The loyalty points ledger (chapter 09; :mod:`sim.world.loyalty` writes it): one row per movement.

    ``kind``: ``earn``, ``redeem``, ``expire``, ``check_in`` or ``ranking``; ``points`` signed (+
    credited, - redeemed or expired); ``balance`` after the row; ``order`` the 0-based order index
    (-1: none).

    Examples
    --------
    >>> log = PointsLog()
    >>> log.add(4, 2.0, "earn", 120.0, 120.0, 7)
    >>> log.kind, list(log.balance), list(log.order)
    (['earn'], [120.0], [7])
    """

    __slots__ = ("customer", "t", "kind", "points", "balance", "order")

    def __init__(self) -> None:
        self.customer = array("q")
        self.t = array("d")
        self.kind: list[str] = []
        self.points = array("d")
        self.balance = array("d")
        self.order = array("q")

    def add(self, i: int, now: float, kind: str, points: float, balance: float, order: int = -1) -> None:
        """Log one ledger row."""
        self.customer.append(i)
        self.t.append(now)
        self.kind.append(kind)
        self.points.append(points)
        self.balance.append(balance)
        self.order.append(order)

    def __len__(self) -> int:
        return len(self.t)


class SnapshotLog:
    """Latent satisfaction snapshots: per snapshot time, every acquired customer's satisfaction and alive flag.

    Stored as one block of arrays per snapshot (a snapshot is taken vectorised).

    Examples
    --------
    >>> import numpy as np
    >>> log = SnapshotLog()
    >>> log.add(30.0, np.array([0, 2]), np.array([8.1, 5.5]), np.array([True, False]))
    >>> len(log), log.columns()[0].tolist(), log.columns()[1].tolist()
    (2, [0, 2], [30.0, 30.0])
    """

    __slots__ = ("blocks", "rows")

    def __init__(self) -> None:
        self.blocks: list[tuple[float, np.ndarray, np.ndarray, np.ndarray]] = []
        self.rows = 0

    def add(self, now: float, who: np.ndarray, s: np.ndarray, alive: np.ndarray) -> None:
        """Record the snapshot at day ``now``: customers ``who`` (0-based), satisfaction ``s``, ``alive``."""
        self.blocks.append((now, np.asarray(who, dtype=np.int64), np.asarray(s, float), np.asarray(alive, bool)))
        self.rows += len(who)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Customer (0-based), time, satisfaction and alive flag of every row, in snapshot order."""
        if not self.blocks:
            return np.array([], np.int64), np.array([], float), np.array([], float), np.array([], bool)
        who = np.concatenate([b[1] for b in self.blocks])
        t = np.concatenate([np.full(len(b[1]), b[0]) for b in self.blocks])
        s = np.concatenate([b[2] for b in self.blocks])
        alive = np.concatenate([b[3] for b in self.blocks])
        return who, t, s, alive

    def __len__(self) -> int:
        return self.rows


@dataclass
class Logs:
    """Every log of one run.

    Examples
    --------
    >>> sorted(vars(Logs()))
    ['contacts', 'events', 'orders', 'points', 'snapshots', 'surveys', 'tickets', 'tiers', 'uplift']
    """

    orders: OrderLog = field(default_factory=OrderLog)
    contacts: ContactLog = field(default_factory=ContactLog)
    surveys: SurveyLog = field(default_factory=SurveyLog)
    events: EventLog = field(default_factory=EventLog)
    tiers: TierLog = field(default_factory=TierLog)
    points: PointsLog = field(default_factory=PointsLog)  # the loyalty points ledger (chapter 09)
    tickets: TicketLog = field(default_factory=TicketLog)
    snapshots: SnapshotLog = field(default_factory=SnapshotLog)
    uplift: UpliftLog = field(default_factory=UpliftLog)  # latent uplift truth (sim.world.counterfactual)
