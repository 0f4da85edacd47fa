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

__all__ = ["ObservedScorer"]

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
            from sim.analysis import rfm

            orders = pd.DataFrame({"customer_id": o["i"], "date": o["t"], "amount": o["amount"]})
            orders["date"] = _RFM_EPOCH + pd.to_timedelta(orders["date"], unit="D")
            cutoff = _RFM_EPOCH + pd.to_timedelta(now, unit="D")
            scores = rfm.rfm_scores(rfm.rfm_table(orders, cutoff))
            total = scores["r_score"] + scores["f_score"] + scores["m_score"]
            return total.reindex(idx, fill_value=0.0).astype(float)
        if method == "predicted_clv":
            expected, aov = self.bgnbd(o, now, idx, horizon=self.CLV_HORIZON_DAYS)
            return expected * aov
        raise ValueError(method)

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
