"""How the firm scores its customers from observed history: spend share, RFM, BG/NBD P(alive) and CLV.

:class:`ObservedScorer` serves :class:`sim.world.firm.Firm` (tiering, churn-risk triggers). It
reads only the firm's port (copies of observed orders); its BG/NBD fit is refreshed at most every
:attr:`ObservedScorer.REFIT_DAYS`.

Examples
--------
>>> import simpy, sim
>>> from sim.world.engine import World
>>> from sim.world.observed import Observed
>>> from sim.world.rng import Streams
>>> env = simpy.Environment()
>>> w = World(env, sim.Scenario.load("baseline"), 300, 200.0, Streams(0), 1)
>>> w.start(); env.run(until=200.0)
>>> s = ObservedScorer(Observed(w), lookback_days=365.0).scores("spend_share", 200.0)
>>> len(s) == len(w.customers.acquired()), bool((s >= 0).all())
(True, True)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.world.firm_port import FirmPort

__all__ = ["ObservedScorer", "rfm_total_reference"]

#: Day 0 on a calendar, for the RFM functions (which need dates).
_RFM_EPOCH = pd.Timestamp("2000-01-01")


class ObservedScorer:
    """Scores from the firm's observed order log (never a latent value).

    Parameters
    ----------
    port : FirmPort
        The firm's port.
    lookback_days : float
        Window of the ``spend_share`` score (the policy's ``tiering.lookback_days``).
    """

    #: BG/NBD is refitted to the observed log at most this often (scores use the latest fit).
    REFIT_DAYS = 90.0
    #: Before this much history and this many repeat buyers, P(alive) scoring falls back to recency.
    MIN_HISTORY_DAYS = 180.0
    MIN_REPEAT_BUYERS = 300
    #: BG/NBD is fitted on customers observed for more than this many days; every customer's age
    #: is floored at MIN_AGE_DAYS so scoring a customer acquired today stays finite.
    MIN_FIT_AGE_DAYS = 1.0
    MIN_AGE_DAYS = 1e-6
    #: Horizon of the predicted CLV used for tiering (days).
    CLV_HORIZON_DAYS = 365.0
    #: Score bins of the RFM tiering (``sim.analysis.rfm.rfm_scores``' default: quintiles).
    RFM_BINS = 5

    def __init__(self, port: FirmPort, lookback_days: float) -> None:
        self.port = port
        self.lookback_days = lookback_days
        self._bgf: Any = None
        self._bgf_t = -np.inf

    def scores(self, method: str, now: float) -> pd.Series:
        """Observed score per acquired customer index (higher = better) by the tiering ``method``."""
        port = self.port
        idx = port.acquired()
        o = port.order_frame()
        if method == "spend_share":
            recent = o[o["t"] > now - self.lookback_days]
            return recent.groupby("i")["amount"].sum().reindex(idx, fill_value=0.0)
        if method == "rfm":
            total = self._rfm_total(o, now)
            if total is None:  # too few buyers for the fast path: the library's own errors and results
                total = rfm_total_reference(o, now)
            return total.reindex(idx, fill_value=0.0).astype(float)
        if method == "predicted_clv":
            expected, aov = self.bgnbd(o, now, idx, horizon=self.CLV_HORIZON_DAYS)
            return expected * aov
        raise ValueError(method)

    def _rfm_total(self, o: pd.DataFrame, now: float) -> pd.Series | None:
        """R + F + M scores per buyer, equal to :func:`rfm_total_reference` (which calls
        :func:`sim.analysis.rfm.rfm_table` and :func:`~sim.analysis.rfm.rfm_scores`) but about five
        times faster; ``None`` when there are fewer buyers than score bins.

        The same order dates (the same ``pandas`` conversion to nanoseconds), groupby and recency
        arithmetic as ``rfm_table``; a score is the bin of the value's rank, so ``rank(method="first")``
        becomes the position in a stable sort, and the ``pandas.qcut`` bins of the ranks 1..n, which
        depend on n only, are cut once for all three scores. ``rfm_scores``' checks (no negative
        amounts, one row per customer) hold for the port's orders by construction.
        """
        dates = _RFM_EPOCH + pd.to_timedelta(o["t"], unit="D")
        cut = _RFM_EPOCH + pd.to_timedelta(now, unit="D")
        keep = (dates <= cut).to_numpy()
        g = pd.DataFrame({"customer_id": o["i"].to_numpy()[keep], "date": dates.to_numpy()[keep],
                          "amount": o["amount"].to_numpy()[keep]}).groupby("customer_id", sort=True)  # fmt: skip
        last, frequency = g["date"].max(), g.size().astype("int64")
        n = len(frequency)
        if n < self.RFM_BINS:
            return None
        recency = ((cut - last).dt.total_seconds() / 86400.0).to_numpy()
        monetary = (g["amount"].sum().astype(float) / frequency).to_numpy()
        bins = pd.qcut(np.arange(1.0, n + 1.0), self.RFM_BINS, labels=False) + 1  # the score of rank 1..n
        total = np.zeros(n, dtype=np.int64)
        for v in (-recency, frequency.to_numpy(), monetary):  # recency: smaller is better
            score = np.empty(n, dtype=np.int64)
            score[np.argsort(v, kind="stable")] = bins
            total += score
        return pd.Series(total, index=frequency.index)

    def bgnbd_identifiable(self, o: pd.DataFrame, now: float) -> bool:
        """Enough history to fit BG/NBD: its dropout part is not identified until repeat buyers
        have had time to lapse (fits before that run to the edge of the parameter space)."""
        if now < self.MIN_HISTORY_DAYS:
            return False
        repeat_buyers = int((o.groupby("i").size() > 1).sum())
        return repeat_buyers >= self.MIN_REPEAT_BUYERS

    def bgnbd(
        self, o: pd.DataFrame, now: float, idx: list[int], horizon: float | None = None
    ) -> tuple[pd.Series, pd.Series]:
        """Fit BG/NBD to the observed log; (expected purchases or P(alive), mean order value)."""
        from sim.analysis import clv

        g = o.groupby("i")
        first, last, n = g["t"].min(), g["t"].max(), g.size()
        summ = pd.DataFrame({"frequency": n - 1, "recency": last - first, "T": now - first}).reindex(idx)
        summ = summ.fillna({"frequency": 0, "recency": 0.0, "T": 0.0})
        summ["T"] = summ["T"].clip(lower=self.MIN_AGE_DAYS)
        if self._bgf is None or now - self._bgf_t >= self.REFIT_DAYS:
            fit_on = summ[summ["T"] > self.MIN_FIT_AGE_DAYS]
            with warnings.catch_warnings():  # standard errors are not needed here
                warnings.simplefilter("ignore", RuntimeWarning)
                self._bgf = clv.BetaGeoFitter().fit(fit_on["frequency"], fit_on["recency"], fit_on["T"])
            self._bgf_t = now
        bgf = self._bgf
        aov = g["amount"].mean().reindex(idx).fillna(o["amount"].mean() if len(o) else 0.0)
        if horizon is None:
            return pd.Series(
                np.asarray(bgf.p_alive(summ["frequency"], summ["recency"], summ["T"]), dtype=float), index=summ.index
            ), aov
        exp = bgf.conditional_expected_purchases(horizon, summ["frequency"], summ["recency"], summ["T"])
        return pd.Series(np.asarray(exp, dtype=float), index=summ.index), aov


def rfm_total_reference(o: pd.DataFrame, now: float) -> pd.Series:
    """R + F + M scores per buyer from :func:`sim.analysis.rfm.rfm_table` and
    :func:`~sim.analysis.rfm.rfm_scores` (day ``t`` is the date ``2000-01-01`` plus ``t`` days):
    the definition :meth:`ObservedScorer.scores` computes faster.

    Examples
    --------
    >>> o = pd.DataFrame({"i": [0, 1, 2, 3, 4, 0], "t": [1.0, 2.0, 3.0, 4.0, 5.0, 9.0],
    ...                   "amount": [10.0, 50.0, 20.0, 5.0, 40.0, 30.0]})
    >>> rfm_total_reference(o, 10.0).tolist()
    [12, 7, 7, 7, 12]
    >>> ObservedScorer(None, 365.0)._rfm_total(o, 10.0).equals(rfm_total_reference(o, 10.0))
    True
    """
    from sim.analysis import rfm

    orders = pd.DataFrame({"customer_id": o["i"], "date": o["t"], "amount": o["amount"]})
    orders["date"] = _RFM_EPOCH + pd.to_timedelta(orders["date"], unit="D")
    cutoff = _RFM_EPOCH + pd.to_timedelta(now, unit="D")
    scores = rfm.rfm_scores(rfm.rfm_table(orders, cutoff), ObservedScorer.RFM_BINS)
    return scores["r_score"] + scores["f_score"] + scores["m_score"]
