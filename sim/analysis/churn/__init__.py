"""Churn early warning: features from observed history, labels, models, evaluation, profit.

One module per concept; everything public is re-exported here, so ``from
sim.analysis.churn import churn_features`` works as before::

    features    churn_features, churn_labels (observed history up to a cutoff)
    models      make_pipeline (scikit-learn pipelines)
    evaluation  evaluate, lift_table, calibration_table, plot_lift, plot_calibration
    targeting   profit_curve, targeting_profit, plot_profit_curve
    health      health_score, HEALTH_WEIGHTS

The three-step model of the courseware (collect behaviour, transactions and interactions ->
choose features such as purchase frequency, spend, number of complaints and time since the
last interaction -> build and regularly check a model) maps onto this package:

* :func:`churn_features` builds one row per customer from the history observed **up to a
  cutoff** (orders, and optionally tickets, surveys, contacts, customers). It only reads the
  documented observed columns, so latent ``true_*`` columns are never used even when present.
* :func:`churn_labels` gives the *observed* churn label: no order in the window after the
  cutoff. It is a proxy for true churn (a customer may be alive but simply not order in the
  window); the simulator's ``true_alive`` lets a course check how good the proxy is.
* :func:`make_pipeline` returns scikit-learn pipelines (imputation + scaling + logistic
  regression, or histogram gradient boosting).
* :func:`evaluate`, :func:`lift_table`, :func:`calibration_table` measure a score;
  ROC AUC, the Brier score and the calibration curve come from scikit-learn.
* :func:`targeting_profit` and :func:`profit_curve` value a targeted retention offer;
  :func:`health_score` is a transparent 0-100 score (the seed's roadmap puts "health score +
  automated churn alerts" in months 7-12).

Which library does the work: scikit-learn (pipelines, models, ``roc_auc_score``,
``brier_score_loss``, ``calibration_curve``), pandas (feature aggregation), matplotlib (plots).
Hand-written, because no maintained library offers them in this form: precision@k / lift@k
and the decile lift table (a few lines of ranking), the expected-profit formula of a targeted
offer, and the health score (a documented weighted average, meant to be read by people).

Examples
--------
>>> import pandas as pd
>>> from sim.analysis.churn import churn_features, churn_labels
>>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 2],
...                        "date": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-01", "2025-05-01"]),
...                        "amount": [100.0, 50.0, 80.0, 20.0]})
>>> churn_features(orders, "2025-03-31")[["recency_days", "frequency", "monetary_total"]]
             recency_days  frequency  monetary_total
customer_id
1                    30.0          2           150.0
2                    58.0          1            80.0
>>> churn_labels(orders, "2025-03-31").tolist()   # 1 = no order in the next 90 days
[1, 0]
"""

from __future__ import annotations

from sim.analysis.churn.evaluation import calibration_table, evaluate, lift_table, plot_calibration, plot_lift
from sim.analysis.churn.features import churn_features, churn_labels
from sim.analysis.churn.health import HEALTH_WEIGHTS, health_score
from sim.analysis.churn.models import _signed_log1p, make_pipeline  # noqa: F401  (_signed_log1p: pipelines pickled before the split)
from sim.analysis.churn.targeting import plot_profit_curve, profit_curve, targeting_profit

__all__ = [
    "churn_features",
    "churn_labels",
    "make_pipeline",
    "evaluate",
    "lift_table",
    "calibration_table",
    "targeting_profit",
    "profit_curve",
    "health_score",
    "plot_lift",
    "plot_calibration",
    "plot_profit_curve",
    "HEALTH_WEIGHTS",
]
