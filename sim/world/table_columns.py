"""Column builders of :func:`sim.world.tables.build_tables`: latent truth columns, per-customer flags and
values, contact levels, survey details and the service-desk columns of the tickets table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.schema import CHANNELS
from sim.world.logs import SurveyLog
from sim.world.model import HOURS_PER_DAY, target_met
from sim.world.table_frames import constant_strings

__all__ = [
    "loyalty_truth",
    "best_channels",
    "flags_at",
    "values_at",
    "contact_levels",
    "survey_details",
    "ticket_operations",
    "ticket_first_response_targets",
    "target_flags",
]


def loyalty_truth(truth: Mapping[int, tuple[float, float]], acquired: np.ndarray) -> dict[str, np.ndarray]:
    """The ``customers`` table's ``true_check_in_rate`` and ``true_redeem_prob`` (0 where not drawn).

    Examples
    --------
    >>> out = loyalty_truth({1: (2.0, 0.5)}, np.array([0, 1]))
    >>> out["true_check_in_rate"].tolist(), out["true_redeem_prob"].tolist()
    ([0.0, 2.0], [0.0, 0.5])
    """
    rate, prob = np.zeros(len(acquired)), np.zeros(len(acquired))
    if truth:
        for k, i in enumerate(acquired.tolist()):
            r = truth.get(i)
            if r is not None:
                rate[k], prob[k] = r
    return {"true_check_in_rate": rate, "true_redeem_prob": prob}


def best_channels(affinity: list[tuple[float, ...]] | None, acquired: np.ndarray) -> Any:
    """The ``customers`` table's ``true_best_channel``: the channel of each acquired customer's
    largest latent affinity (:func:`~sim.world.model.best_channel`, vectorised); ``""`` when off.

    Examples
    --------
    >>> list(best_channels([(0.1, 0.5, -1.0, 0.0), (2.0, 0.0, 0.0, 0.0)], np.array([1, 0])))
    ['email', 'sms']
    >>> list(best_channels(None, np.array([0, 1])))
    ['', '']
    """
    if affinity is None:
        return constant_strings("", len(acquired))
    aff = np.array(affinity, dtype=float).reshape(-1, len(CHANNELS))[acquired]
    return np.array(CHANNELS, dtype=object)[aff.argmax(axis=1)] if len(aff) else np.array([], dtype=object)


def flags_at(indices: set[int], n: int) -> np.ndarray:
    """A boolean column of ``n`` rows, True at ``indices``.

    Examples
    --------
    >>> flags_at({0, 2}, 4).tolist()
    [True, False, True, False]
    """
    out = np.zeros(n, dtype=bool)
    if indices:
        out[np.fromiter(indices, dtype=np.int64, count=len(indices))] = True
    return out


def values_at(values: Mapping[int, float], default: np.ndarray) -> np.ndarray:
    """A copy of ``default`` with ``values`` (row index -> value) written in.

    Examples
    --------
    >>> values_at({1: 0.5}, np.zeros(3)).tolist()
    [0.0, 0.5, 0.0]
    """
    out = np.array(default, dtype=float, copy=True)
    if values:
        out[np.fromiter(values.keys(), dtype=np.int64, count=len(values))] = np.fromiter(
            values.values(), dtype=float, count=len(values)
        )
    return out


def contact_levels(levels: Mapping[int, tuple[str, str, str]], n: int) -> dict[str, Any]:
    """The ``contacts`` table's ``send_time``, ``copy`` and ``image`` columns from the log's levels
    (contact index -> levels; ``""`` for contacts without a variant).

    Examples
    --------
    >>> cols = contact_levels({1: ("evening", "", "product")}, 3)
    >>> list(cols["send_time"]), list(cols["image"])
    (['', 'evening', ''], ['', 'product', ''])
    """
    names = ("send_time", "copy", "image")
    if not levels:
        return {name: constant_strings("", n) for name in names}
    out = {name: np.full(n, "", dtype=object) for name in names}
    idx = np.fromiter(levels.keys(), dtype=np.int64, count=len(levels))
    values = np.array(list(levels.values()), dtype=object).reshape(-1, 3)
    for k, name in enumerate(names):
        out[name][idx] = values[:, k]
    return out


def survey_details(sv: SurveyLog) -> dict[str, Any]:
    """The ``surveys`` table's ``mode``, ``channel``, ``comment``, ``reason``, ``true_satisfaction`` and
    ``true_reason`` columns (the reasons are sparse in the log: ``""`` except on exit answers)."""
    n = len(sv)

    def column(values: list[str], default: str) -> Any:  # the default everywhere: no per-row conversion
        return constant_strings(default, n) if values.count(default) == n else np.array(values, dtype=object)

    def sparse(values: list[str]) -> Any:
        if not sv.exit_rows:
            return constant_strings("", n)
        out = np.full(n, "", dtype=object)
        out[np.array(sv.exit_rows, dtype=np.int64)] = values
        return out

    return {
        "mode": column(sv.mode, "named"),
        "channel": column(sv.channel, ""),
        "comment": column(sv.comment, ""),
        "reason": sparse(sv.exit_reason),
        "true_satisfaction": np.array(sv.true_s, dtype=float),
        "true_reason": sparse(sv.exit_true),
    }


def ticket_operations(tk: Any, n: int) -> dict[str, np.ndarray]:
    """The service-operations columns of the tickets table from a ticket log's sparse columns.

    ``tk`` has dicts ticket -> value ``channel``, ``chaser_of``, ``reopened_from``, ``accepted``,
    ``department``, ``handoff`` (days) and ``handle`` (agent busy days) — absent keys take the
    column's default (``""``, -1, NaN); ticket references become 1-based ``ticket_id`` values.
    Both engines build the columns with it.

    Examples
    --------
    >>> from sim.world.desk import TicketLog
    >>> log = TicketLog()
    >>> _ = [log.open(0, -1, "service", 3, 0.0) for _ in range(2)]
    >>> log.chaser_of[1] = 0
    >>> log.handle[0] = 0.125
    >>> out = ticket_operations(log, 2)
    >>> out["chaser_of"].tolist(), out["handle_h"].tolist()[0], out["channel"].tolist()
    ([-1, 1], 3.0, ['', ''])
    """

    def column(d: dict[int, Any], default: Any, dtype: Any, scale: float = 1.0, shift: int = 0) -> np.ndarray:
        out = np.full(n, default, dtype=dtype)
        if d:
            keys = np.fromiter(d.keys(), dtype=np.int64, count=len(d))
            if dtype is object:
                out[keys] = list(d.values())
            else:
                out[keys] = np.fromiter(d.values(), dtype=dtype, count=len(d)) * scale + shift
        return out

    return {
        "channel": column(getattr(tk, "channel", {}), "", object),
        "chaser_of": column(getattr(tk, "chaser_of", {}), -1, np.int64, shift=1),
        "reopened_from": column(getattr(tk, "reopened_from", {}), -1, np.int64, shift=1),
        "accepted": column(getattr(tk, "accepted", {}), np.nan, float),
        "department": column(getattr(tk, "department", {}), "", object),
        "handoff_t": column(getattr(tk, "handoff", {}), np.nan, float),
        "handle_h": column(getattr(tk, "handle", {}), np.nan, float, scale=HOURS_PER_DAY),
    }


def ticket_first_response_targets(
    severity_target_h: np.ndarray, channel: np.ndarray, channel_target_h: Mapping[str, float]
) -> np.ndarray:
    """Per ticket, :func:`~sim.world.model.ticket_first_response_target` (hours) for a channel column.

    Examples
    --------
    >>> ticket_first_response_targets(np.array([24.0, 0.25, 4.0]), np.array(["chat", "chat", ""], dtype=object), {"chat": 1.0}).tolist()
    [1.0, 0.25, 4.0]
    """
    ch = np.array([channel_target_h.get(c, np.inf) for c in channel], dtype=float)
    return np.minimum(np.asarray(severity_target_h, dtype=float), ch) if len(ch) else np.asarray(severity_target_h)


def target_flags(actual_h: Any, target_h: Any, elapsed_h: Any) -> pd.arrays.BooleanArray:
    """Per ticket, :func:`~sim.world.model.target_met` as a nullable boolean column (NA while undecided)."""
    out = [
        target_met(a, tgt, el)
        for a, tgt, el in zip(
            np.array(actual_h, dtype=float).tolist(),
            np.array(target_h, dtype=float).tolist(),
            np.array(elapsed_h, dtype=float).tolist(),
        )
    ]
    return pd.array(out, dtype="boolean")
