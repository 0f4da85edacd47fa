"""How good is a churn score: ROC AUC, precision / recall / lift at k, lift and calibration tables.

ROC AUC, the Brier score and the calibration curve come from scikit-learn
(``roc_auc_score``, ``brier_score_loss``, ``calibration_curve``). Hand-written, because no
maintained library offers them in this form: precision@k / lift@k and the decile lift table
(a few lines of ranking). Ties in the score keep input order (a stable sort).

Examples
--------
>>> evaluate([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], k=2)["precision_at_k"]
np.float64(0.5)
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from sim.analysis._plotting import label_axes, new_axes
from sim.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["evaluate", "lift_table", "calibration_table", "plot_lift", "plot_calibration"]


def _binary(y: object, name: str = "y_true") -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.size == 0:
        raise DataError("expected a non-empty one-dimensional array of 0/1 labels", table="evaluate", column=name)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"expected 0/1 labels, found dtype {arr.dtype}", table="evaluate", column=name) from exc
    bad = np.flatnonzero(~np.isin(num, (0.0, 1.0)))
    if bad.size:
        raise DataError(
            f"expected 0/1 labels, found e.g. {num[bad[:3]].tolist()}", table="evaluate", column=name, rows=bad.tolist()
        )
    return num.astype("int64")


def _scores(score: object, n: int, name: str = "score") -> np.ndarray:
    arr = np.asarray(score)
    if arr.ndim != 1 or arr.size != n:
        raise DataError(f"expected {n} scores (one per label), got shape {arr.shape}", table="evaluate", column=name)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"expected numbers, found dtype {arr.dtype}", table="evaluate", column=name) from exc
    bad = np.flatnonzero(~np.isfinite(num))
    if bad.size:
        raise DataError("missing or infinite score(s)", table="evaluate", column=name, rows=bad.tolist())
    return num


def _resolve_k(k: float, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Real):
        raise DataError(f"k={k!r} must be a count (int >= 1) or a share in (0, 1)")
    if isinstance(k, numbers.Integral) or (float(k).is_integer() and k >= 1):
        kk = int(k)
        if not 1 <= kk <= n:
            raise DataError(f"k={k} must be between 1 and the number of customers ({n})")
        return kk
    if 0 < k < 1:
        return max(1, int(round(float(k) * n)))
    raise DataError(f"k={k!r} must be a count (int >= 1) or a share in (0, 1)")


def _order(score: np.ndarray) -> np.ndarray:
    """Ranks from highest to lowest score; ties keep input order (stable sort)."""
    return np.argsort(-score, kind="stable")


def evaluate(y_true: object, score: object, k: float = 0.1) -> pd.Series:
    """ROC AUC, precision@k, recall@k, lift@k and Brier score of a churn score.

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = churned.
    score : array-like of float
        Higher = more likely to churn (a probability for the Brier score to be defined).
    k : int or float
        Number of customers targeted (int >= 1) or a share of them (float in (0, 1),
        rounded to the nearest count, at least 1). Ties in the score keep input order.

    Returns
    -------
    pandas.Series
        ``n``, ``base_rate`` (share of churners), ``k``, ``roc_auc``
        (:func:`sklearn.metrics.roc_auc_score`; NaN if only one class), ``precision_at_k``
        (churners among the top k / k), ``recall_at_k`` (churners in the top k / all churners),
        ``lift_at_k`` (precision@k / base rate) and ``brier``
        (:func:`sklearn.metrics.brier_score_loss`; NaN unless every score is in [0, 1]).

    Examples
    --------
    >>> evaluate([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.2, 0.1], k=2)[["precision_at_k", "lift_at_k", "roc_auc"]]
    precision_at_k    0.500000
    lift_at_k         1.250000
    roc_auc           0.833333
    dtype: float64
    """
    y = _binary(y_true)
    s = _scores(score, y.size)
    kk = _resolve_k(k, y.size)
    top = y[_order(s)[:kk]]
    base = y.mean()
    prec = top.mean()
    both = 0 < base < 1
    return pd.Series(
        {
            "n": float(y.size),
            "base_rate": float(base),
            "k": float(kk),
            "roc_auc": float(roc_auc_score(y, s)) if both else np.nan,
            "precision_at_k": float(prec),
            "recall_at_k": float(top.sum() / y.sum()) if y.sum() else np.nan,
            "lift_at_k": float(prec / base) if base > 0 else np.nan,
            "brier": float(brier_score_loss(y, s)) if (s.min() >= 0 and s.max() <= 1) else np.nan,
        }
    )


def lift_table(y_true: object, score: object, bins: int = 10) -> pd.DataFrame:
    """Decile (or other quantile) lift table, highest scores first.

    Customers are sorted by score (descending, ties in input order) and cut into ``bins``
    groups of equal size (sizes differ by at most one).

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = churned.
    score : array-like of float
        Higher = more likely to churn.
    bins : int
        Number of groups (10 = deciles).

    Returns
    -------
    pandas.DataFrame
        One row per group (``bin`` 1 = highest scores): ``customers``, ``churners``, ``rate``
        (churners / customers), ``lift`` (rate / overall rate), ``cum_customers``,
        ``cum_churners``, ``cum_capture`` (share of all churners found so far),
        ``cum_lift``, ``min_score``, ``max_score``.

    Examples
    --------
    >>> t = lift_table([1, 1, 0, 1, 0, 0, 0, 0], [8, 7, 6, 5, 4, 3, 2, 1], bins=4)
    >>> t[["customers", "churners", "rate", "lift", "cum_capture"]]
         customers  churners  rate      lift  cum_capture
    bin
    1            2         2   1.0  2.666667     0.666667
    2            2         1   0.5  1.333333     1.000000
    3            2         0   0.0  0.000000     1.000000
    4            2         0   0.0  0.000000     1.000000
    """
    y = _binary(y_true)
    s = _scores(score, y.size)
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or not 1 <= bins <= y.size:
        raise DataError(f"bins={bins!r} must be an integer between 1 and the number of customers ({y.size})")
    order = _order(s)
    groups = np.array_split(np.arange(y.size), int(bins))
    base = y.mean()
    rows = []
    for i, pos in enumerate(groups, start=1):
        idx = order[pos]
        rows.append(
            {
                "bin": i,
                "customers": len(idx),
                "churners": int(y[idx].sum()),
                "min_score": float(s[idx].min()),
                "max_score": float(s[idx].max()),
            }
        )
    t = pd.DataFrame(rows).set_index("bin")
    t["rate"] = t["churners"] / t["customers"]
    t["lift"] = t["rate"] / base if base > 0 else np.nan
    t["cum_customers"] = t["customers"].cumsum()
    t["cum_churners"] = t["churners"].cumsum()
    t["cum_capture"] = t["cum_churners"] / y.sum() if y.sum() else np.nan
    t["cum_lift"] = (t["cum_churners"] / t["cum_customers"]) / base if base > 0 else np.nan
    return t[
        [
            "customers",
            "churners",
            "rate",
            "lift",
            "cum_customers",
            "cum_churners",
            "cum_capture",
            "cum_lift",
            "min_score",
            "max_score",
        ]
    ]


def calibration_table(
    y_true: object, prob: object, bins: int = 10, strategy: Literal["quantile", "uniform"] = "quantile"
) -> pd.DataFrame:
    """Calibration table: mean predicted probability vs observed churn rate per bin.

    The two rates come from :func:`sklearn.calibration.calibration_curve`; the bin counts
    use the same bin edges (empty bins are left out, as scikit-learn does).

    Parameters
    ----------
    y_true : array-like of 0/1
        1 = churned.
    prob : array-like of float in [0, 1]
        Predicted churn probabilities.
    bins : int
        Number of bins.
    strategy : {"quantile", "uniform"}
        Equal-count bins or equal-width bins on [0, 1].

    Returns
    -------
    pandas.DataFrame
        ``mean_predicted``, ``observed_rate``, ``customers`` per non-empty bin.

    Examples
    --------
    >>> calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], bins=2, strategy="uniform")
       mean_predicted  observed_rate  customers
    0            0.15            0.0          2
    1            0.85            1.0          2
    """
    y = _binary(y_true)
    p = _scores(prob, y.size, name="prob")
    if p.min() < 0 or p.max() > 1:
        raise DataError(
            "probabilities must be in [0, 1]",
            table="evaluate",
            column="prob",
            rows=np.flatnonzero((p < 0) | (p > 1)).tolist(),
        )
    if strategy not in ("quantile", "uniform"):
        raise DataError(f"strategy={strategy!r}; use 'quantile' or 'uniform'")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy=strategy)
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 1, bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=bins)
    return pd.DataFrame(
        {"mean_predicted": prob_pred, "observed_rate": prob_true, "customers": counts[counts > 0].astype("int64")}
    )


# --------------------------------------------------------------------------- plots
def plot_lift(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bar chart of the lift per score group (from :func:`lift_table`), with the baseline at 1.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`lift_table` (index ``bin``, column ``lift``).
    ax : matplotlib Axes, optional
        Axes to draw on (keyword only); a new figure is made if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_lift(lift_table([1, 0, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1], bins=3))
    >>> ax.get_xlabel()
    'score group (1 = highest churn score)'
    """
    ax = new_axes(ax, figsize=(6, 4))
    ax.bar(table.index.astype(str), table["lift"], color="tab:red", alpha=0.8)
    ax.axhline(1.0, color="black", lw=1, ls="--", label="random targeting (lift 1)")
    label_axes(
        ax,
        title="Lift by score group: churn rate relative to the average",
        xlabel="score group (1 = highest churn score)",
        ylabel="lift (x average churn rate)",
    )
    ax.legend()
    return ax


def plot_calibration(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Reliability diagram from :func:`calibration_table` (dots on the diagonal = calibrated).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`calibration_table` (``mean_predicted``, ``observed_rate``).
    ax : matplotlib Axes, optional
        Axes to draw on (keyword only); a new figure is made if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_calibration(calibration_table([0, 1, 0, 1], [0.2, 0.7, 0.3, 0.8], bins=2))
    >>> ax.get_title()
    'Calibration: predicted vs observed churn'
    """
    ax = new_axes(ax, figsize=(6, 4))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", label="perfect calibration")
    ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", label="model")
    label_axes(
        ax,
        title="Calibration: predicted vs observed churn",
        xlabel="mean predicted churn probability (share)",
        ylabel="observed churn rate (share)",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend()
    return ax
