"""The management loop and policy phases in an events log (chapter 10: K3, K4, K5, LY10).

A firm running ``Policy.management`` logs one ``management_review`` event per review, with the
detail ``"kpi=<kpi> value=<v> target=<t> met=<yes|no|na> lever=<path> <old>-><new>"``; a policy
with ``phases`` logs a ``phase`` event (detail: the phase's name) at each switch.
:func:`management_reviews` and :func:`phase_switches` turn those rows into tidy tables;
:func:`plot_reviews` draws the KPI against its target with the lever on a second axis.

The module reads any events table with the columns ``t`` (days), ``event`` and ``detail``.

Examples
--------
>>> import pandas as pd
>>> ev = pd.DataFrame({"t": [91.0, 182.0], "event": ["management_review"] * 2, "detail": [
...     "kpi=repeat_purchase_rate value=0.2 target=0.25 met=no lever=contacts.1.interval_days 91->76",
...     "kpi=repeat_purchase_rate value=0.3 target=0.25 met=yes lever=contacts.1.interval_days 76->76"]})
>>> management_reviews(ev)[["t", "value", "target", "met", "old", "new"]]
       t  value  target    met   old   new
0   91.0    0.2    0.25  False  91.0  76.0
1  182.0    0.3    0.25   True  76.0  76.0
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis._plotting import label_axes, new_axes
from sim.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["management_reviews", "phase_switches", "plot_reviews", "REVIEW_PATTERN"]

_NUM = r"(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|nan|-?inf)"
#: The detail of a ``management_review`` event (numbers as ``%.6g``; ``met`` yes / no / na).
REVIEW_PATTERN = re.compile(
    rf"^kpi=(?P<kpi>[a-z_]+) value={_NUM} target={_NUM} met=(?P<met>yes|no|na) "
    rf"lever=(?P<lever>[A-Za-z0-9_.]+) {_NUM}->{_NUM}$"
)
_COLUMNS = ["t", "kpi", "value", "target", "met", "lever", "old", "new", "changed"]


def _events(events: pd.DataFrame, table: str) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise DataError(f"{table}: expected a pandas DataFrame of events, got {type(events).__name__}")
    if not events.columns.is_unique:
        twice = events.columns[events.columns.duplicated()][0]
        raise DataError(f"{table}: column {twice!r} appears twice; give each column once")
    missing = [c for c in ("t", "event", "detail") if c not in events.columns]
    if missing:
        raise DataError(f"{table}: missing column(s) {missing}; an events table has t (days), event and detail")
    if pd.api.types.is_bool_dtype(events["t"]) or events["t"].map(lambda v: isinstance(v, bool | np.bool_)).any():
        raise DataError(f"{table}: column 't' must hold numbers of days, not True/False")
    t = pd.to_numeric(events["t"], errors="coerce")
    bad = events.index[~np.isfinite(t.to_numpy(dtype=float)) | (t.to_numpy(dtype=float) < 0)]
    if len(bad):
        raise DataError(
            f"{table}: column 't' must hold finite numbers of days >= 0; row {bad[0]!r} has {events.loc[bad[0], 't']!r}"
        )
    for col in ("event", "detail"):
        gone = events.index[events[col].isna().to_numpy()]
        if len(gone):
            raise DataError(f"{table}: row {gone[0]!r}, column {col!r} is missing; every event has an {col}")
    return events.assign(t=t.astype(float))


def management_reviews(events: pd.DataFrame, *, table: str = "events") -> pd.DataFrame:
    """The ``management_review`` events as a tidy table, one row per review in time order.

    Columns: ``t`` (days), ``kpi``, ``value``, ``target`` (the target the review was judged
    against), ``met`` (True / False; NA when there was nothing to judge), ``lever`` (its dotted
    path), ``old`` and ``new`` (the lever's value before and after), ``changed``.

    Raises :class:`sim.errors.DataError` naming the row and column when a detail does not parse.

    Examples
    --------
    >>> ev = pd.DataFrame({"t": [1.0], "event": ["management_review"], "detail": ["kpi=nps value=oops"]})
    >>> management_reviews(ev)
    Traceback (most recent call last):
    ...
    sim.errors.DataError: events: row 0, column 'detail': 'kpi=nps value=oops' is not a management_review detail (expected 'kpi=<kpi> value=<v> target=<t> met=<yes|no|na> lever=<path> <old>-><new>')
    """
    ev = _events(events, table)
    rows = ev[ev["event"] == "management_review"]
    out = []
    for idx, t, detail in zip(rows.index, rows["t"], rows["detail"]):
        match = REVIEW_PATTERN.match(str(detail))
        if match is None:
            raise DataError(
                f"{table}: row {idx!r}, column 'detail': {str(detail)[:120]!r} is not a management_review detail "
                "(expected 'kpi=<kpi> value=<v> target=<t> met=<yes|no|na> lever=<path> <old>-><new>')"
            )
        value, target, old, new = (float(x) for x in (match.group(2), match.group(3), match.group(6), match.group(7)))
        met = {"yes": True, "no": False, "na": pd.NA}[match.group("met")]
        odd = _odd_numbers(value, target, old, new, judged=met is not pd.NA) or _verdict(value, target, met)
        if odd:
            raise DataError(f"{table}: row {idx!r}, column 'detail': {str(detail)[:120]!r} has {odd}")
        out.append([float(t), match.group("kpi"), value, target, met, match.group("lever"), old, new, new != old])
    frame = pd.DataFrame(out, columns=_COLUMNS)
    twice = frame["t"].duplicated()
    if twice.any():
        idx = rows.index[int(np.flatnonzero(twice.to_numpy())[0])]
        raise DataError(
            f"{table}: row {idx!r}, column 't': a second management_review at t={frame['t'][twice].iloc[0]!r}; "
            "one run reviews at most once a day (tables of several runs: one run at a time)"
        )
    frame["met"] = frame["met"].astype("boolean")
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


def _odd_numbers(value: float, target: float, old: float, new: float, *, judged: bool) -> str | None:
    """What is wrong with a review's numbers: infinities, a lever without a value, a verdict on NaN."""
    if not all(np.isfinite(x) for x in (old, new)):
        return "a lever value that is not a finite number"
    if any(np.isinf(x) for x in (value, target)):
        return "an infinite KPI value or target"
    if judged and not (np.isfinite(value) and np.isfinite(target)):
        return "met=yes/no without a KPI value and target to judge (use met=na)"
    return None


def _verdict(value: float, target: float, met: object) -> str | None:
    """A verdict the numbers contradict (the firm meets a target when value >= target; %.6g keeps the order)."""
    if met is True and value < target:
        return "met=yes with a value below the target"
    if met is False and value > target:
        return "met=no with a value above the target"
    return None


def phase_switches(events: pd.DataFrame, *, table: str = "events") -> pd.DataFrame:
    """The ``phase`` events: columns ``t`` (days) and ``phase`` (its name), in time order.

    Examples
    --------
    >>> ev = pd.DataFrame({"t": [90.0, 5.0], "event": ["phase", "acquired"], "detail": ["tiers_on", "email"]})
    >>> phase_switches(ev)
          t     phase
    0  90.0  tiers_on
    """
    ev = _events(events, table)
    rows = ev[ev["event"] == "phase"]
    blank = rows.index[rows["detail"].astype(str).str.strip().eq("").to_numpy()]
    if len(blank):
        raise DataError(f"{table}: row {blank[0]!r}, column 'detail': a phase event needs the phase's name")
    frame = pd.DataFrame({"t": rows["t"].astype(float).to_numpy(), "phase": rows["detail"].astype(str).to_numpy()})
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


def plot_reviews(
    reviews: pd.DataFrame, *, phases: pd.DataFrame | None = None, ax: Axes | None = None, unit: str = ""
) -> Axes:
    """The reviewed KPI (points) against its target (steps), the lever's value on a second axis,
    and dotted lines at phase switches. Takeaway in the title: how many reviews met their target.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rv = pd.DataFrame({"t": [91.0, 182.0], "kpi": ["nps"] * 2, "value": [10.0, 14.0], "target": [12.0, 12.0],
    ...                    "met": [False, True], "lever": ["contacts.1.interval_days"] * 2, "old": [91.0, 76.0],
    ...                    "new": [76.0, 76.0], "changed": [True, False]})
    >>> plot_reviews(rv).get_title()
    'nps review: 1 of 2 reviews met the target; the lever moved 1 time(s)'
    """
    missing = [c for c in ("t", "kpi", "value", "target", "met", "lever", "new") if c not in reviews.columns]
    if missing:
        raise DataError(f"reviews: missing column(s) {missing}; give the table management_reviews returns")
    if not len(reviews):
        raise DataError("reviews: no reviews to plot (the run logged no management_review events)")
    ax = new_axes(ax)
    kpi = str(reviews["kpi"].iloc[0])
    t = reviews["t"].to_numpy(dtype=float)
    ax.plot(t, reviews["value"].to_numpy(dtype=float), "o-", label=f"{kpi} (value)")
    ax.step(t, reviews["target"].to_numpy(dtype=float), where="mid", linestyle="--", label="target")
    if phases is not None:
        for pt, name in zip(phases["t"], phases["phase"]):
            ax.axvline(float(pt), color="grey", linestyle=":", linewidth=1)
            ax.annotate(str(name), (float(pt), 1.0), xycoords=("data", "axes fraction"), fontsize=8, va="top")
    lever_ax = ax.twinx()
    lever_ax.step(t, reviews["new"].to_numpy(dtype=float), where="post", color="tab:red", alpha=0.6, label="lever")
    lever_ax.set_ylabel(f"{reviews['lever'].iloc[0]} (lever, after review)")
    met = reviews["met"].astype("boolean")
    n_met = int(met.fillna(False).sum())
    n_moved = int(
        (reviews["new"].to_numpy(dtype=float) != reviews.get("old", reviews["new"]).to_numpy(dtype=float)).sum()
    )
    label_axes(
        ax,
        title=f"{kpi} review: {n_met} of {len(reviews)} reviews met the target; the lever moved {n_moved} time(s)",
        xlabel="review time (days)",
        ylabel=f"{kpi}{f' ({unit})' if unit else ''}",
    )
    ax.legend(loc="lower right", fontsize=8)
    return ax
