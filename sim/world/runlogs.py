"""The fast engine's logs for survey details and latent satisfaction snapshots.

They extend :mod:`sim.world.logs` without changing it: :class:`AnswerLog` is a
:class:`~sim.world.logs.SurveyLog` that also records each answer's mode, channel, comment and the
latent satisfaction at answer time (the ``surveys`` table's ``mode``, ``channel``, ``comment``,
``true_satisfaction``); :class:`SnapshotLog` holds the latent ``snapshots`` table;
:class:`WorldLogs` is the :class:`~sim.world.logs.Logs` of a :class:`~sim.world.engine.World`
with both. (They could move into :mod:`sim.world.logs` as they are.)

Examples
--------
>>> logs = WorldLogs()
>>> logs.surveys.answer(0, 2.0, "post_purchase", "csat", 4, -1, 7.5, "anonymous", "app", "")
>>> list(logs.surveys.true_s), logs.surveys.mode, len(logs.snapshots)
([7.5], ['anonymous'], 0)
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.world.logs import Logs, SurveyLog

__all__ = ["AnswerLog", "SnapshotLog", "WorldLogs"]


class AnswerLog(SurveyLog):
    """Survey answers with their details: mode, channel (``""``: not recorded), comment (``""``: none)
    and the latent satisfaction ``true_s`` the answer read.

    Examples
    --------
    >>> log = AnswerLog()
    >>> log.extend([4, 9], 90.0, "relationship", "nps", [9, 6], [8.8, 6.1])
    >>> list(log.true_s), log.mode, log.comment
    ([8.8, 6.1], ['named', 'named'], ['', ''])
    """

    __slots__ = ("mode", "channel", "comment", "true_s")

    def __init__(self) -> None:
        super().__init__()
        self.mode: list[str] = []
        self.channel: list[str] = []
        self.comment: list[str] = []
        self.true_s = array("d")

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
        super().extend(who, now, touchpoint, instrument, scores)
        self.true_s.extend(s if s is not None else [math.nan] * n)
        self.mode.extend(modes if modes is not None else ["named"] * n)
        self.channel.extend(channels if channels is not None else [""] * n)
        self.comment.extend(comments if comments is not None else [""] * n)


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
class WorldLogs(Logs):
    """Every log of one fast-engine run: :class:`~sim.world.logs.Logs` with an :class:`AnswerLog`
    for the surveys and a :class:`SnapshotLog`.

    Examples
    --------
    >>> sorted(vars(WorldLogs()))
    ['contacts', 'events', 'orders', 'snapshots', 'surveys', 'tickets', 'tiers']
    """

    surveys: AnswerLog = field(default_factory=AnswerLog)
    snapshots: SnapshotLog = field(default_factory=SnapshotLog)
