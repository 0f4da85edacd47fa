"""The firm's churn models: a model fitted on its own observed data, and the health score (CH2, CH4, CH7).

A ``churn_risk`` trigger with ``score: model`` or ``score: health`` (:mod:`sim.config.policy_contacts`)
asks one of these scorers for a risk in [0, 1] per acquired customer. Both read the firm's port only
(:class:`~sim.world.firm_port.FirmPort`: ``order_frame``, ``survey_frame``, ``acquired``, and
``event`` to log a refit), never a latent value, so they run unchanged on either engine.

* :class:`ChurnModelScorer` — at a **past cutoff** ``now - label_days`` it builds churn features
  from what the firm had observed by then (:func:`sim.analysis.churn.churn_features`: orders and
  the NPS / CSAT / CES answers; exit-survey rows are left out), labels each customer with the
  observed proxy "no order in ``(cutoff, now]``" (:func:`sim.analysis.churn.churn_labels`), fits
  :func:`sim.analysis.churn.make_pipeline` and logs an observed ``model_refit`` event (customer 0,
  detail ``"auc 0.71 n 1534"``: the training AUC and the number of customers). It refits every
  ``refit_every_days``; between refits the latest model scores the features at the check time.
  Until ``min_customers`` are known at the cutoff and both labels occur, it has no model and the
  trigger uses the recency score.
* :class:`HealthScorer` — risk = 1 - :func:`sim.analysis.churn.health_score` / 100 on the same
  observed features at the check time (recency, order trend, satisfaction answers; the port gives
  no ticket outcomes, so the complaints component is left out). Nothing is fitted.

Examples
--------
>>> import simpy, sim
>>> from sim.world.engine import World
>>> from sim.world.observed import Observed
>>> from sim.world.rng import Streams
>>> env = simpy.Environment()
>>> w = World(env, sim.Scenario.load("baseline"), 600, 400.0, Streams(0), 1)
>>> w.start(); env.run(until=400.0)
>>> port = Observed(w)
>>> risk = ChurnModelScorer(port, ChurnModelSpec()).risk(400.0, port.order_frame())
>>> len(risk) == len(port.acquired()), bool(risk.between(0, 1).all())
(True, True)
>>> w.logs.events.kind[-1], w.logs.events.detail[-1].split()[0]
('model_refit', 'auc')
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.config.policy_contacts import ChurnModelSpec, Trigger
from sim.world.firm_port import FirmPort

__all__ = ["ChurnModelScorer", "HealthScorer", "risk_scorer", "observed_features", "REFIT_EVENT"]

#: The observed event a refit logs (customer_id 0; detail ``"auc <training AUC> n <customers>"``).
REFIT_EVENT = "model_refit"
#: Survey instruments the features read (the exit survey's ``reason`` rows carry no score).
FEATURE_INSTRUMENTS = ("nps", "csat", "ces")


def observed_features(orders: pd.DataFrame, surveys: pd.DataFrame, cutoff: float) -> pd.DataFrame:
    """Churn features per customer index at day ``cutoff`` from the port's order and survey frames.

    ``orders``: :meth:`FirmPort.order_frame` (``i``, ``t``, ``amount``); ``surveys``:
    :meth:`FirmPort.survey_frame` (``i``, ``t``, ``instrument``, ``score``). Only rows on or before
    the cutoff are read (:func:`sim.analysis.churn.churn_features`, numeric cutoff on the ``t`` axis).

    Examples
    --------
    >>> o = pd.DataFrame({"i": [0, 0, 1], "t": [1.0, 50.0, 20.0], "amount": [10.0, 20.0, 5.0]})
    >>> s = pd.DataFrame({"i": [1], "t": [30.0], "instrument": ["nps"], "score": [3]})
    >>> f = observed_features(o, s, 60.0)
    >>> f["recency_days"].tolist(), f["last_nps"].tolist()
    ([10.0, 40.0], [nan, 3.0])
    """
    from sim.analysis.churn import churn_features

    o = pd.DataFrame({"customer_id": orders["i"].to_numpy(), "t": orders["t"].to_numpy(),
                      "amount": orders["amount"].to_numpy()})  # fmt: skip
    keep = surveys["instrument"].isin(FEATURE_INSTRUMENTS).to_numpy()
    s = pd.DataFrame(
        {
            "customer_id": surveys["i"].to_numpy()[keep],
            "t": surveys["t"].to_numpy()[keep],
            "instrument": surveys["instrument"].to_numpy()[keep],
            "score": surveys["score"].to_numpy()[keep],
        }
    )
    return churn_features(o, float(cutoff), surveys=s)


class ChurnModelScorer:
    """A churn model the firm fits on its own observed history and refits on a schedule.

    Parameters
    ----------
    port : FirmPort
    spec : ChurnModelSpec
        Model kind, label window, refit period and the customers needed to fit.

    Attributes
    ----------
    model : sklearn pipeline or None
        The latest fit (``None`` before the first).
    fitted_at : float
        Day of the latest fit (``-inf`` before the first).
    refits : list of (day, auc, n)
        Every fit so far.
    """

    def __init__(self, port: FirmPort, spec: ChurnModelSpec) -> None:
        self.port = port
        self.spec = spec
        self.model: Any = None
        self.fitted_at = -np.inf
        self.columns: list[str] = []
        self.refits: list[tuple[float, float, int]] = []

    def due(self, now: float) -> bool:
        """Whether a refit is due at day ``now``."""
        return self.model is None or now - self.fitted_at >= self.spec.refit_every_days

    def fit(self, now: float, orders: pd.DataFrame, surveys: pd.DataFrame) -> bool:
        """Fit at the cutoff ``now - label_days`` (labels from ``(cutoff, now]``); whether a model was fitted."""
        from sklearn.metrics import roc_auc_score

        from sim.analysis.churn import churn_labels, make_pipeline
        from sim.errors import DataError

        spec = self.spec
        cutoff = now - spec.label_days
        o = orders[orders["t"] <= now]
        if cutoff <= 0 or not (o["t"] <= cutoff).any() or not (o["t"] > cutoff).any():
            return False
        try:
            x = observed_features(o, surveys[surveys["t"] <= now], cutoff)
            y = churn_labels(
                pd.DataFrame({"customer_id": o["i"].to_numpy(), "t": o["t"].to_numpy()}), cutoff, spec.label_days
            )
        except DataError:
            return False
        y = y.reindex(x.index)
        if len(x) < spec.min_customers or y.nunique() < 2:
            return False
        model = make_pipeline(spec.kind)
        with warnings.catch_warnings():  # a feature without variance yet (e.g. no answers) is harmless
            warnings.simplefilter("ignore")
            model.fit(x.to_numpy(dtype=float), y.to_numpy())
            auc = float(roc_auc_score(y.to_numpy(), model.predict_proba(x.to_numpy(dtype=float))[:, 1]))
        self.model, self.fitted_at, self.columns = model, now, list(x.columns)
        self.refits.append((now, auc, len(x)))
        self.port.event(-1, REFIT_EVENT, f"auc {auc:.2f} n {len(x)}")
        return True

    def risk(self, now: float, orders: pd.DataFrame) -> pd.Series | None:
        """Churn probability per acquired customer index at day ``now`` (refitting first when due);
        ``None`` while there is no model (the caller falls back to recency)."""
        surveys = self.port.survey_frame()
        if self.due(now):
            self.fit(now, orders, surveys)
        if self.model is None:
            return None
        x = observed_features(orders, surveys, now)[self.columns]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = self.model.predict_proba(x.to_numpy(dtype=float))[:, 1]
        return pd.Series(p, index=x.index).reindex(self.port.acquired(), fill_value=0.0)


class HealthScorer:
    """Churn risk = 1 - health score / 100 (:func:`sim.analysis.churn.health_score`) on observed features.

    Parameters
    ----------
    port : FirmPort

    Examples
    --------
    >>> import simpy, sim
    >>> from sim.world.engine import World
    >>> from sim.world.observed import Observed
    >>> from sim.world.rng import Streams
    >>> env = simpy.Environment()
    >>> w = World(env, sim.Scenario.load("baseline"), 100, 200.0, Streams(0), 1)
    >>> w.start(); env.run(until=200.0)
    >>> port = Observed(w)
    >>> r = HealthScorer(port).risk(200.0, port.order_frame())
    >>> bool(r.between(0, 1).all())
    True
    """

    def __init__(self, port: FirmPort) -> None:
        self.port = port

    def risk(self, now: float, orders: pd.DataFrame) -> pd.Series | None:
        """Risk per acquired customer index at day ``now`` (never ``None``)."""
        from sim.analysis.churn import health_score

        f = observed_features(orders, self.port.survey_frame(), now)
        health = health_score(f)["health_score"]
        return (1.0 - health / 100.0).clip(0.0, 1.0).reindex(self.port.acquired(), fill_value=0.0)


def risk_scorer(port: FirmPort, trigger: Trigger) -> ChurnModelScorer | HealthScorer:
    """The scorer of a ``churn_risk`` trigger whose ``score`` is ``model`` or ``health``.

    Examples
    --------
    >>> type(risk_scorer(None, Trigger(score="health"))).__name__
    'HealthScorer'
    """
    if trigger.score == "model":
        return ChurnModelScorer(port, trigger.model)
    if trigger.score == "health":
        return HealthScorer(port)
    raise ValueError(f"score={trigger.score!r} has no fitted scorer; use 'model' or 'health'")
