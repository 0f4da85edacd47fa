"""scikit-learn pipelines for churn scoring (imputation, transform, scaling, model).

Examples
--------
>>> list(make_pipeline("gbm").named_steps)
['impute', 'model']
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sim.errors import DataError

__all__ = ["make_pipeline"]


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def make_pipeline(kind: Literal["logistic", "gbm"] = "logistic", random_state: int = 0) -> Pipeline:
    """A scikit-learn pipeline for churn scoring.

    Parameters
    ----------
    kind : {"logistic", "gbm"}
        ``logistic``: median imputation (with missing-value indicators) -> signed log
        transform ``sign(x) * log(1 + |x|)`` (counts, days and spend are right-skewed; on
        simulated buy-till-you-die data this lifts the AUC against true churn markedly) ->
        standard scaling -> :class:`~sklearn.linear_model.LogisticRegression`. ``gbm``: median imputation ->
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (shallow trees, no early stopping).
    random_state : int
        Seed of the stochastic parts (the boosting model).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; ``predict_proba(X)[:, 1]`` is the churn probability.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [2.0], [np.nan], [8.0], [9.0], [10.0]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> make_pipeline("logistic").fit(X, y).predict(np.array([[0.5], [9.5]])).tolist()
    [0, 1]
    >>> list(make_pipeline("logistic").named_steps)
    ['impute', 'log', 'scale', 'model']
    >>> list(make_pipeline("gbm").named_steps)
    ['impute', 'model']
    """
    if kind == "logistic":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
                ("log", FunctionTransformer(_signed_log1p, feature_names_out="one-to-one")),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(max_iter=2000, random_state=random_state)),
            ]
        )
    if kind == "gbm":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                (
                    "model",
                    HistGradientBoostingClassifier(
                        max_iter=200,
                        learning_rate=0.05,
                        max_leaf_nodes=15,
                        min_samples_leaf=40,
                        l2_regularization=1.0,
                        early_stopping=False,
                        random_state=random_state,
                    ),
                ),
            ]
        )
    raise DataError(f"kind={kind!r} is not a pipeline kind; use 'logistic' or 'gbm'")
