"""Uplift modelling: a two-model (T-learner) estimator, Qini / AUUC, gain against the TRUE uplift,
the four quadrants, and the profit of targeting by uplift rather than by churn risk.

Who should get the offer? Not those most likely to churn (many leave anyway, some would have
stayed anyway) but those the offer *changes*: the uplift ``P(y | treated) - P(y | control)``.
:class:`TwoModelUplift` fits one scikit-learn classifier per arm of a randomised test and
predicts their difference. Observed data can only grade it with the Qini curve
(:func:`qini_curve`: incremental responders among the top-k by score, from treated and control
responders); the simulator's latent ``uplift`` table knows each customer's true effect, so
:func:`true_gain_curve` grades the same ranking against the truth (with the random and the
oracle ranking for scale). :func:`uplift_quadrants` names persuadables, sure things, lost causes
and sleeping dogs; :func:`targeting_profit_by_uplift` compares targeting rules on profit.

The curves' AUUC is the area under the cumulative gain per customer against the share targeted
(trapezoid rule, from share 0 to 1); a random ranking's is half the total gain.

Examples
--------
>>> good = true_gain_curve([0.9, 0.1, 0.5], [0.3, -0.1, 0.1])     # ranks as the truth does
>>> round(good.auuc, 4), round(good.auuc_random, 4), round(good.auuc_oracle, 4), round(good.normalised, 6)
(0.0944, 0.05, 0.0944, 1.0)
>>> round(true_gain_curve([0.1, 0.9, 0.5], [0.3, -0.1, 0.1]).normalised, 6)   # the reverse ranking
-1.0
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis._validate import FittedMixin
from sim.errors import ConfigError, DataError

__all__ = [
    "TwoModelUplift",
    "GainCurve",
    "qini_curve",
    "true_gain_curve",
    "uplift_quadrants",
    "QUADRANTS",
    "targeting_profit_by_uplift",
]

#: The four quadrants of :func:`uplift_quadrants`, in this order.
QUADRANTS: tuple[str, ...] = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")

_TABLE = "uplift"


# ---------------------------------------------------------------------- input checks
def _vector(values: object, name: str, *, n: int | None = None, low: float | None = None, high: float | None = None) -> np.ndarray:  # fmt: skip
    """A non-empty 1-D array of finite numbers (no booleans-as-text, no NaN), optionally in [low, high]."""
    if isinstance(values, (str, bytes)):
        raise DataError(f"expected an array of numbers, got text {str(values)[:40]!r}", table=_TABLE, column=name)
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise DataError(f"expected numbers, found dtype {arr.dtype}", table=_TABLE, column=name)
    arr = arr.astype(float)
    if arr.ndim != 1 or arr.size == 0:
        raise DataError(f"expected a non-empty one-dimensional array, got shape {arr.shape}", table=_TABLE, column=name)
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= arr < low
    if high is not None:
        bad |= arr > high
    rows = np.flatnonzero(bad)
    if rows.size:
        allowed = "finite numbers" + (f" in [{low:g}, {high:g}]" if low is not None and high is not None else "")
        raise DataError(
            f"{rows.size} value(s) are not {allowed} (e.g. {arr[rows[0]]!r})", table=_TABLE, column=name, rows=rows
        )
    if n is not None and arr.size != n:
        raise DataError(f"has {arr.size} values, expected {n} (one per customer)", table=_TABLE, column=name)
    return arr


def _flags(values: object, name: str, *, n: int | None = None) -> np.ndarray:
    """0/1 (or boolean) labels as a bool array."""
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        out = arr.astype(bool)
        if out.ndim != 1 or out.size == 0:
            raise DataError(
                f"expected a non-empty one-dimensional array, got shape {out.shape}", table=_TABLE, column=name
            )
        if n is not None and out.size != n:
            raise DataError(f"has {out.size} values, expected {n} (one per customer)", table=_TABLE, column=name)
        return out
    num = _vector(arr, name, n=n)
    rows = np.flatnonzero((num != 0) & (num != 1))
    if rows.size:
        raise DataError(f"expected 0/1 labels, found {num[rows[0]]!r}", table=_TABLE, column=name, rows=rows)
    return num.astype(bool)


def _matrix(X: object, name: str = "X") -> np.ndarray:
    """A non-empty 2-D float matrix of finite features; a DataFrame is checked column by column."""
    if isinstance(X, pd.DataFrame):
        if isinstance(X.columns, pd.MultiIndex):
            raise DataError(
                "the feature columns are a MultiIndex; flatten them first, e.g. "
                "X.columns = ['_'.join(map(str, c)) for c in X.columns]",
                table=_TABLE,
                column=name,
            )
        if X.columns.has_duplicates:
            dup = sorted({str(c) for c in X.columns[X.columns.duplicated()]})[:5]
            raise DataError(
                f"duplicate feature column name(s) {dup}; give each feature once", table=_TABLE, column=name
            )
        cols = []
        for col in X.columns:
            c = X[col]
            ok = pd.api.types.is_bool_dtype(c.dtype) or (
                pd.api.types.is_numeric_dtype(c.dtype) and not isinstance(c.dtype, pd.CategoricalDtype)
            )
            if not ok:
                raise DataError(
                    f"feature {str(col)[:40]!r} holds {c.dtype} values; features must be numbers (or booleans): "
                    "encode text first, e.g. pd.get_dummies(...)",
                    table=_TABLE,
                    column=str(col),
                )
            cols.append(c.to_numpy(dtype=float, na_value=np.nan))
        arr = np.column_stack(cols) if cols else np.empty((len(X), 0))
    else:
        arr = np.asarray(X.to_numpy() if isinstance(X, pd.Series) else X)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.dtype.kind not in "biuf":
            raise DataError(f"features must be numbers, found dtype {arr.dtype}", table=_TABLE, column=name)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"expected a non-empty 2-D feature matrix, got shape {arr.shape}", table=_TABLE, column=name)
    arr = arr.astype(float)
    rows = np.flatnonzero(~np.isfinite(arr).all(axis=1))
    if rows.size:
        raise DataError(f"{rows.size} row(s) hold NaN or inf features", table=_TABLE, column=name, rows=rows)
    return arr


def _same_index(**values: object) -> None:
    """Pandas inputs are read by position: refuse Series / DataFrames whose indexes differ (a shuffled
    or filtered copy would silently pair the wrong customers)."""
    indexed = [(k, v.index) for k, v in values.items() if isinstance(v, (pd.Series, pd.DataFrame))]
    for name, index in indexed[1:]:
        if not index.equals(indexed[0][1]):
            raise DataError(
                f"{name} and {indexed[0][0]} have different indexes; the values are paired by position, so align "
                f"them first (e.g. {name}.reindex({indexed[0][0]}.index)) or pass arrays",
                table=_TABLE,
                column=name,
            )


def _columns(X: object) -> list[str] | None:
    """The feature names of a DataFrame (None for arrays)."""
    return [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None


# ---------------------------------------------------------------------- the T-learner
class TwoModelUplift(FittedMixin):
    """Two-model (T-learner) uplift: one classifier on the treated, one on the control group.

    ``predict(X) = P(y=1 | X, treated) - P(y=1 | X, control)``, each from its own model. Needs a
    randomised (or otherwise unconfounded) treatment assignment.

    Parameters
    ----------
    estimator : scikit-learn classifier, optional
        Cloned for each arm (needs ``predict_proba``). Default: standardised logistic regression.

    Attributes
    ----------
    model_treated_, model_control_ : fitted classifiers
    n_treated_, n_control_ : int
    n_features_ : int
        Number of features seen by ``fit``; ``predict`` needs the same (and, when both were
        DataFrames, the same column names in the same order).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1)); t = rng.random(2000) < 0.5
    >>> y = rng.random(2000) < 1 / (1 + np.exp(-(X[:, 0] * t)))       # the offer helps when x > 0
    >>> m = TwoModelUplift().fit(X, t, y)
    >>> bool(m.predict([[2.0]])[0] > 0.2 > -0.2 > m.predict([[-2.0]])[0])
    True
    """

    _fitted_attributes = ("model_treated_", "model_control_", "n_treated_", "n_control_", "n_features_")

    def __init__(self, estimator: Any = None) -> None:
        if estimator is not None and not (hasattr(estimator, "fit") and hasattr(estimator, "predict_proba")):
            raise ConfigError(
                f"estimator={type(estimator).__name__} is not allowed: give a scikit-learn classifier with "
                "fit and predict_proba (e.g. LogisticRegression())"
            )
        self.estimator = estimator

    def _new(self) -> Any:
        from sklearn.base import clone

        if self.estimator is not None:
            return clone(self.estimator)
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))

    def fit(self, X: Any, treated: Any, y: Any) -> TwoModelUplift:
        """Fit one model per arm on features ``X``, the treatment flags and the 0/1 outcome ``y``."""
        _same_index(X=X, treated=treated, y=y)
        Xa = _matrix(X)
        n = len(Xa)
        t = _flags(treated, "treated", n=n)
        yy = _flags(y, "outcome", n=n)
        for arm, mask in (("treated", t), ("control", ~t)):
            classes = np.unique(yy[mask])
            if mask.sum() < 2 or len(classes) < 2:
                raise DataError(
                    f"the {arm} group needs customers with both outcomes (0 and 1) to fit a model; it has "
                    f"{int(mask.sum())} customer(s) with outcomes {classes.astype(int).tolist()}",
                    table=_TABLE,
                    column="outcome",
                )
        self.model_treated_ = self._new().fit(Xa[t], yy[t].astype(int))
        self.model_control_ = self._new().fit(Xa[~t], yy[~t].astype(int))
        self.n_treated_, self.n_control_ = int(t.sum()), int((~t).sum())
        self.n_features_ = int(Xa.shape[1])
        self._feature_names = _columns(X)
        return self

    def predict_arms(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(P(y=1 | treated), P(y=1 | control))`` per row of ``X``."""
        self._check_fitted()
        Xa = _matrix(X)
        if Xa.shape[1] != self.n_features_:
            raise DataError(
                f"has {Xa.shape[1]} feature(s); the model was fitted on {self.n_features_}", table=_TABLE, column="X"
            )
        names, fitted = _columns(X), getattr(self, "_feature_names", None)
        if names is not None and fitted is not None and names != fitted:
            raise DataError(
                f"feature columns {names[:8]} differ from those at fit {fitted[:8]}; give the same columns in "
                "the same order",
                table=_TABLE,
                column="X",
            )
        return self.model_treated_.predict_proba(Xa)[:, 1], self.model_control_.predict_proba(Xa)[:, 1]

    def predict(self, X: Any) -> np.ndarray:
        """The predicted uplift per row of ``X``."""
        p_t, p_c = self.predict_arms(X)
        return p_t - p_c


# ---------------------------------------------------------------------- curves
@dataclass(frozen=True)
class GainCurve:
    """A cumulative gain curve and its area (AUUC), with the random and (when known) oracle areas.

    ``curve`` columns: ``k`` (customers targeted, best score first), ``share`` (k / n), ``gain``
    (cumulative incremental outcome of the top k), ``random`` (a random ranking's expected gain),
    and ``oracle`` for a true gain curve (ranking by the true uplift itself).
    """

    curve: pd.DataFrame
    auuc: float
    auuc_random: float
    auuc_oracle: float = float("nan")

    @property
    def normalised(self) -> float:
        """``(auuc - random) / (oracle - random)``: 0 random, 1 as good as knowing the truth (NaN without an oracle)."""
        span = self.auuc_oracle - self.auuc_random
        return float((self.auuc - self.auuc_random) / span) if span > 0 else float("nan")


def _area(gain: np.ndarray, n: int) -> float:
    """Trapezoid area of gain / n against the share targeted, from (0, 0)."""
    y = np.r_[0.0, gain] / n
    return float(np.sum((y[1:] + y[:-1]) / 2.0) / n)


def _rank(score: np.ndarray) -> np.ndarray:
    return np.argsort(-score, kind="stable")


def _tie_average(cum: np.ndarray, sorted_score: np.ndarray) -> np.ndarray:
    """Cumulative sums along a ranking, made independent of the order of tied scores.

    Customers with equal scores form one block; at the end of a block the cumulative value is
    exact, inside it the value is interpolated linearly from the end of the previous block, which
    is the expected value over all orders of the tied customers. ``cum`` may be 1-D or 2-D
    (one column per cumulative quantity, rows in ranking order).
    """
    n = len(sorted_score)
    if n == 0:
        return cum
    new_block = np.r_[True, sorted_score[1:] != sorted_score[:-1]]
    starts = np.flatnonzero(new_block)
    ends = np.r_[starts[1:], n]  # exclusive
    block = np.cumsum(new_block) - 1
    start, end = starts[block], ends[block]
    frac = (np.arange(n) - start + 1) / (end - start)
    prev_idx = start - 1
    if cum.ndim == 1:
        before = np.where(prev_idx >= 0, cum[np.maximum(prev_idx, 0)], 0.0)
        return before + frac * (cum[end - 1] - before)
    before = np.where((prev_idx >= 0)[:, None], cum[np.maximum(prev_idx, 0)], 0.0)
    return before + frac[:, None] * (cum[end - 1] - before)


def qini_curve(score: Any, treated: Any, outcome: Any) -> GainCurve:
    """The observed Qini curve of a ranking: incremental responders among the top k by ``score``.

    ``gain(k) = R_T(k) - R_C(k) * N_T(k) / N_C(k)`` (responders ``R`` and group sizes ``N`` among the
    top k; the control term is 0 while no control customer is among them).

    Ties: customers with equal scores form one block; the curve is exact at the end of each block
    (the points scikit-uplift's ``qini_curve`` reports) and inside a block the four counts are
    interpolated linearly (their expected values over all orders of the tied customers), so the
    result never depends on the input order.

    Examples
    --------
    >>> q = qini_curve([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], [1, 0, 0, 1])
    >>> q.curve["gain"].tolist()
    [1.0, 1.0, 1.0, 0.0]
    """
    _same_index(score=score, treated=treated, outcome=outcome)
    s = _vector(score, "score")
    n = len(s)
    t = _flags(treated, "treated", n=n)
    y = _flags(outcome, "outcome", n=n)
    if t.all() or not t.any():
        raise DataError("needs both treated and control customers", table=_TABLE, column="treated")
    order = _rank(s)
    t_o, y_o = t[order], y[order]
    counts = np.cumsum(np.column_stack([t_o, ~t_o, y_o & t_o, y_o & ~t_o]).astype(float), axis=0)
    n_t, n_c, r_t, r_c = _tie_average(counts, s[order]).T
    ratio = np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c > 0)  # counts may be fractional (ties)
    gain = r_t - r_c * ratio
    k = np.arange(1, n + 1)
    random = k / n * gain[-1]
    curve = pd.DataFrame({"k": k, "share": k / n, "gain": gain.astype(float), "random": random})
    return GainCurve(curve, _area(gain, n), _area(random, n))


def true_gain_curve(score: Any, true_uplift: Any) -> GainCurve:
    """Cumulative TRUE uplift when targeting by ``score``, against a random and the oracle ranking.

    ``gain(k)`` is the sum of the true individual uplifts (e.g. the simulator's
    ``true_uplift_order``) of the top k by score; the oracle ranks by the true uplift itself.
    Ties in ``score``: the gain inside a block of equal scores is the average over all orders of
    the tied customers (linear between the block ends), so a constant score gives the random line.

    Examples
    --------
    >>> g = true_gain_curve([3, 2, 1], [0.0, 0.2, -0.1])
    >>> g.curve["gain"].round(3).tolist(), g.curve["oracle"].round(3).tolist()
    ([0.0, 0.2, 0.1], [0.2, 0.2, 0.1])
    """
    _same_index(score=score, true_uplift=true_uplift)
    s = _vector(score, "score")
    u = _vector(true_uplift, "true_uplift", n=len(s), low=-1e12, high=1e12)
    n = len(s)
    order = _rank(s)
    gain = _tie_average(np.cumsum(u[order]), s[order])
    oracle = np.cumsum(u[_rank(u)])
    k = np.arange(1, n + 1)
    random = k / n * u.sum()
    curve = pd.DataFrame({"k": k, "share": k / n, "gain": gain, "random": random, "oracle": oracle})
    return GainCurve(curve, _area(gain, n), _area(random, n), _area(oracle, n))


# ---------------------------------------------------------------------- quadrants and profit
def uplift_quadrants(p_treated: Any, p_control: Any, threshold: float = 0.5) -> pd.Series:
    """Name each customer's quadrant from their outcome probability with and without the action.

    With ``y`` the good outcome (an order, staying): **persuadable** ``p_treated >= threshold >
    p_control`` (acts only if treated), **sure thing** both at least ``threshold``, **lost cause**
    both below, **sleeping dog** ``p_control >= threshold > p_treated`` (the action puts them off).

    Examples
    --------
    >>> uplift_quadrants([0.8, 0.9, 0.1, 0.2], [0.2, 0.9, 0.1, 0.7]).tolist()
    ['persuadable', 'sure_thing', 'lost_cause', 'sleeping_dog']
    """
    if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool) or not 0.0 < float(threshold) < 1.0:
        raise ConfigError(f"threshold={threshold!r} is not allowed: give a probability strictly between 0 and 1")
    _same_index(p_treated=p_treated, p_control=p_control)
    pt = _vector(p_treated, "p_treated", low=0.0, high=1.0)
    pc = _vector(p_control, "p_control", n=len(pt), low=0.0, high=1.0)
    hi_t, hi_c = pt >= threshold, pc >= threshold
    idx = np.where(hi_t & ~hi_c, 0, np.where(hi_t & hi_c, 1, np.where(~hi_t & ~hi_c, 2, 3)))
    labels = np.array(QUADRANTS, dtype=object)[idx]
    series = [v for v in (p_treated, p_control) if isinstance(v, pd.Series)]
    index = series[0].index if series else None
    return pd.Series(pd.Categorical(labels, categories=list(QUADRANTS)), index=index, name="quadrant")


def targeting_profit_by_uplift(
    scores: Mapping[str, Any], true_value_uplift: Any, contact_cost: float, shares: Any = None
) -> pd.DataFrame:
    """Profit of contacting the top share of customers by each score, graded with the TRUE uplift.

    ``profit(k) = sum of true_value_uplift over the top k by the score - contact_cost * k``, where
    ``true_value_uplift`` is each customer's true effect on value (e.g. ``true_uplift_margin``, or
    ``true_uplift_order`` x the margin of an order). Columns: one per score, plus ``random``
    (expected) and ``oracle`` (ranking by the true value uplift). Ties in a score are averaged
    over the tied customers, as in :func:`true_gain_curve`.

    Parameters
    ----------
    scores : mapping name -> array
        E.g. ``{"uplift": model.predict(X), "churn_risk": 1 - p_alive}``; higher = contact first.
    true_value_uplift : array
    contact_cost : float
        Cost per contact (currency, >= 0).
    shares : array, optional
        Shares of customers targeted (default 0, 0.1, ..., 1).

    Examples
    --------
    >>> t = targeting_profit_by_uplift({"uplift": [3, 2, 1, 0], "risk": [0, 1, 2, 3]}, [5.0, 2.0, 0.0, -4.0], 1.0,
    ...                                shares=[0.5, 1.0])
    >>> t.loc[0.5].tolist()
    [5.0, -6.0, -0.5, 5.0]
    """
    if not isinstance(scores, Mapping) or not scores:
        raise ConfigError("scores must be a non-empty mapping of name -> array of scores (e.g. {'uplift': ...})")
    _same_index(true_value_uplift=true_value_uplift, **{str(k): v for k, v in scores.items()})
    v = _vector(true_value_uplift, "true_value_uplift", low=-1e15, high=1e15)
    n = len(v)
    if not isinstance(contact_cost, numbers.Real) or isinstance(contact_cost, bool) or not 0.0 <= contact_cost < 1e12:
        raise ConfigError(f"contact_cost={contact_cost!r} is not allowed: give a cost per contact >= 0")
    sh = np.linspace(0.0, 1.0, 11) if shares is None else _vector(shares, "shares", low=0.0, high=1.0)
    ks = np.round(sh * n).astype(int)
    for name in scores:
        if name in ("random", "oracle"):
            raise ConfigError(f"scores may not be named {name!r}: that column is the reference; rename the score")
    cum = {}
    for name, values in scores.items():
        sc = _vector(values, str(name), n=n)
        order = _rank(sc)
        cum[name] = np.r_[0.0, _tie_average(np.cumsum(v[order]), sc[order])]
    cum["random"] = np.r_[0.0, np.arange(1, n + 1) / n * v.sum()]
    cum["oracle"] = np.r_[0.0, np.cumsum(v[_rank(v)])]
    out = pd.DataFrame({name: c[ks] - contact_cost * ks for name, c in cum.items()}, index=pd.Index(sh, name="share"))
    return out
