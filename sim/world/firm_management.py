"""The firm's management loop (K3, K4; ``Policy.management``): review a KPI, ratchet the target,
move a lever — on observed data only (the firm's port).

:func:`window_kpi` is the KPI arithmetic over a review window, with the definitions of
:func:`sim.results.kpis.monthly_kpis` (:data:`sim.schema.KPIS`) written for the port's frames
(``tests/world/test_management.py`` checks that both agree month by month):

* ``orders``, ``revenue``, ``aov``, ``buyers``: orders with ``t0 <= t < t1``;
* ``repeat_purchase_rate``: buyers of the window whose first order (their acquisition) came before
  ``t0`` / buyers of the window;
* ``active_customers``: customers with an order in ``(t1 - 90, t1]`` (``ACTIVE_WINDOW_DAYS``);
* ``nps``: % promoters (9-10) - % detractors (0-6) among the window's NPS answers;
* ``csat``: share of the window's CSAT answers scoring 4 or 5.

:class:`ManagementLoop` runs the reviews (rules: :mod:`sim.config.policy_management`).

Examples
--------
>>> import pandas as pd
>>> o = pd.DataFrame({"i": [0, 1, 0, 2], "t": [1.0, 5.0, 40.0, 45.0], "amount": [10.0, 20.0, 30.0, 40.0]})
>>> window_kpi("repeat_purchase_rate", o, None, 31.0, 62.0), window_kpi("revenue", o, None, 31.0, 62.0)
(0.5, 70.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.config.policy import Policy
from sim.config.policy_management import Management, management_detail
from sim.config.policy_phases import get_path, set_paths

#: A :class:`sim.world.firm.Firm` (not imported: the firm imports this module).
Firm = Any

__all__ = ["window_kpi", "ManagementLoop", "REVIEW_EVENT", "ACTIVE_WINDOW_DAYS"]

#: The observed event each review logs (detail: :func:`sim.config.policy_management.management_detail`).
REVIEW_EVENT = "management_review"
#: As :data:`sim.results.kpis.ACTIVE_WINDOW_DAYS` (a customer is active while their last order is this recent).
ACTIVE_WINDOW_DAYS = 90.0


def _nps(scores: np.ndarray) -> float:
    if scores.size == 0:
        return float("nan")
    return float(100.0 * ((scores >= 9).mean() - (scores <= 6).mean()))


def window_kpi(kpi: str, orders: pd.DataFrame, surveys: pd.DataFrame | None, t0: float, t1: float) -> float:
    """A management KPI over the window ``[t0, t1)`` from the port's frames.

    Parameters
    ----------
    kpi : str
        One of :data:`sim.config.policy_management.MANAGEMENT_KPIS`.
    orders : pandas.DataFrame
        Every observed order so far: columns ``i``, ``t``, ``amount`` (:meth:`FirmPort.order_frame`).
    surveys : pandas.DataFrame or None
        Survey answers: ``t``, ``instrument``, ``score`` (needed for ``nps`` and ``csat``).
    t0, t1 : float
        The window (days).

    Examples
    --------
    >>> sv = pd.DataFrame({"t": [1.0, 2.0, 3.0], "instrument": ["nps", "nps", "csat"], "score": [10, 3, 5]})
    >>> window_kpi("nps", pd.DataFrame({"i": [], "t": [], "amount": []}), sv, 0.0, 10.0)
    0.0
    """
    t = orders["t"].to_numpy(dtype=float)
    if kpi == "active_customers":
        recent = (t <= t1) & (t > t1 - ACTIVE_WINDOW_DAYS)
        return float(pd.unique(orders["i"].to_numpy()[recent]).size)
    if kpi in ("nps", "csat"):
        if surveys is None:
            raise ValueError(f"kpi {kpi!r} needs the survey answers")
        st = surveys["t"].to_numpy(dtype=float)
        inside = (st >= t0) & (st < t1) & (surveys["instrument"].to_numpy() == kpi)
        scores = surveys["score"].to_numpy()[inside]
        if kpi == "nps":
            return _nps(scores)
        return float((scores >= 4).mean()) if scores.size else float("nan")
    inside = (t >= t0) & (t < t1)
    n = int(inside.sum())
    revenue = float(orders["amount"].to_numpy(dtype=float)[inside].sum())
    if kpi == "orders":
        return float(n)
    if kpi == "revenue":
        return revenue
    if kpi == "aov":
        return revenue / n if n else float("nan")
    who = orders["i"].to_numpy()
    buyers = pd.unique(who[inside])
    if kpi == "buyers":
        return float(buyers.size)
    if kpi == "repeat_purchase_rate":
        if not buyers.size:
            return float("nan")
        first = pd.Series(t).groupby(who).min()  # first order = acquisition
        return float((first.reindex(buyers).to_numpy() < t0).sum() / buyers.size)
    raise ValueError(f"unknown management kpi {kpi!r}")


class ManagementLoop:
    """The review loop of ``Policy.management`` inside a firm.

    Attributes
    ----------
    target : float or None
        The target the next review is judged against (None until the first review when unset).
    value : int or float
        The lever's current value.
    reviews : list of dict
        One record per review (``t``, ``kpi``, ``value``, ``target``, ``met``, ``old``, ``new``).
    """

    def __init__(self, management: Management, policy: Policy) -> None:
        assert management.lever is not None
        self.m = management
        self.lever = management.lever
        self.target: float | None = management.target
        self.value: Any = get_path(policy.model_dump(mode="json"), self.lever)
        self.whole = isinstance(self.value, int)
        self.last = 0.0
        self.reviews: list[dict[str, Any]] = []

    def with_lever(self, policy: Policy, value: Any) -> Policy:
        """``policy`` with the lever set to ``value`` (validated)."""
        data = set_paths(policy.model_dump(mode="json"), {self.lever: value}, what="policy")
        return type(policy).model_validate(data)

    def review(self, firm: Firm, now: float) -> None:
        """One review: measure, judge, ratchet or move the lever, log, reconfigure."""
        m, port = self.m, firm.port
        surveys = port.survey_frame() if m.kpi in ("nps", "csat") else None
        value = window_kpi(m.kpi, port.order_frame(), surveys, self.last, now)
        self.last = now
        met: bool | None
        if math.isnan(value) or (self.target is None and value == 0.0):  # nothing to judge yet
            met, target = None, self.target if self.target is not None else math.nan
        else:
            if self.target is None:
                self.target = value  # the first measurable review sets the target (and meets it)
            target = self.target
            met = value >= target
        old = new = self.value
        policy = None
        if met is True:
            self.target = target + m.ratchet * abs(target)
        elif met is False and m.step != 0.0:
            moved = m.clamp(float(old) + m.step)
            new = int(round(moved)) if self.whole else moved
            if new != old:
                try:
                    policy = self.with_lever(firm.pol, new)
                except ValueError:  # outside the field's own limits: the lever stays
                    new = old
        port.event(-1, REVIEW_EVENT, management_detail(m.kpi, value, target, met, self.lever, old, new))
        self.reviews.append(
            {"t": now, "kpi": m.kpi, "value": value, "target": target, "met": met, "old": old, "new": new}
        )
        if policy is not None:
            self.value = new
            firm.reconfigure(policy)
