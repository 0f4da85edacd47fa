"""The Kaplan-Meier estimator: survival curves with confidence bands, medians and a log-rank test.

:class:`KaplanMeier` (and the one-call :func:`kaplan_meier`) wraps statsmodels'
``SurvfuncRight`` (product-limit estimate, Greenwood standard error, Hall-Wellner band,
median's interval) and ``survdiff`` (log-rank test); the pointwise log-log band is computed
here from the Greenwood standard error, and the input check of durations, events and groups
lives here too. (Not named ``kaplan_meier.py``: the package re-exports the function
``kaplan_meier``, which would shadow a submodule of that name.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis._validate import FittedMixin, check_confidence, require_columns, significance_level
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["KaplanMeier", "kaplan_meier"]


def _check_durations(durations: ArrayLike, events: ArrayLike | None, groups: ArrayLike | None) -> pd.DataFrame:
    def col(v: ArrayLike) -> pd.Series:
        return pd.Series(v.to_numpy() if isinstance(v, pd.Series) else np.asarray(v))

    if durations is None or np.ndim(durations) != 1 or isinstance(durations, str | bytes):
        raise DataError(
            f"expected a one-dimensional sequence of durations, got {repr(durations)[:40]}", table="durations"
        )

    cols = {"duration": col(durations)}
    cols["event"] = col(events) if events is not None else pd.Series(np.ones(len(cols["duration"]), dtype=bool))
    spec = {"duration": "nonneg", "event": "bool"}
    if groups is not None:
        cols["group"] = col(groups)
        spec["group"] = "category"
    for k, v in cols.items():
        if len(v) != len(cols["duration"]):
            raise DataError(
                f"has length {len(v)} but duration has length {len(cols['duration'])}", table="durations", column=k
            )
    d = cols["duration"]
    if pd.api.types.is_numeric_dtype(d) and d.isna().any():
        bad = d.index[d.isna()]
        raise DataError(
            "missing duration(s); from lapse_durations() keep only rows with observable == True",
            table="durations",
            column="duration",
            rows=bad,
        )
    return require_columns(pd.DataFrame(cols), spec, table="durations")


class KaplanMeier(FittedMixin):
    """Kaplan-Meier survival curve(s) with confidence bands, medians and a log-rank test.

    Built on :class:`statsmodels.duration.survfunc.SurvfuncRight` (product-limit estimate,
    Greenwood standard errors) and :func:`statsmodels.duration.survfunc.survdiff`. Follows
    the lifelines / scikit-learn conventions: configure here, validate and estimate in
    :meth:`fit` (which returns ``self``), read the trailing-underscore attributes after.

    Parameters
    ----------
    confidence : float
        Confidence level of the bands and of the median's interval (0.95 = 95 %), strictly
        between 0 and 1.
    ci : {"log-log", "hall-wellner"}
        ``"log-log"`` (default): pointwise band S^exp(+/- z se / (S |log S|)) from the
        Greenwood standard error (the interval lifelines and most textbooks show).
        ``"hall-wellner"``: statsmodels' simultaneous band (covers the whole curve at once;
        only at ``confidence=0.95``).

    The arguments are stored as given and checked by :meth:`fit`
    (:class:`~sim.errors.ConfigError` naming the argument, the value and what is allowed).

    Attributes
    ----------
    survival_function_ : pandas.DataFrame
        Columns (``group``,) ``time``, ``survival``, ``ci_lower``, ``ci_upper``, ``at_risk``
        (customers at risk just before ``time``), ``events`` (events at ``time``); one row per
        distinct event time, plus a first row at time 0 with survival 1 when no event happens
        at time 0. Where S = 0 the band is NaN.
    median_survival_ : float or pandas.Series
        First time at which survival drops below 0.5 (statsmodels' rule; NaN if it never
        does); a Series by group when groups are given.
    median_ci_ : pandas.DataFrame
        Confidence interval of the median (statsmodels ``quantile_ci``, cloglog method):
        columns ``lower``, ``upper``, one row per group (``"all"`` without groups).
    logrank_ : pandas.Series or None
        ``statistic``, ``df``, ``p_value`` of the log-rank test when there are >= 2 groups.
    curves_ : dict
        The fitted ``SurvfuncRight`` object per group.
    grouped_ : bool
        Whether ``groups`` were given to :meth:`fit`.

    Reading a fitted attribute before :meth:`fit` raises :class:`~sim.errors.NotFittedError`.

    Examples
    --------
    >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    >>> km.survival_function_[["time", "survival", "at_risk", "events"]].round(4)
       time  survival  at_risk  events
    0   0.0    1.0000        6       0
    1   1.0    0.8333        6       1
    2   2.0    0.6667        5       1
    3   3.0    0.4444        3       1
    4   5.0    0.0000        1       1
    >>> km.median_survival_
    3.0
    """

    _fitted_attributes = ("survival_function_", "median_survival_", "median_ci_", "logrank_", "curves_", "grouped_")

    def __init__(self, confidence: float = 0.95, ci: Literal["log-log", "hall-wellner"] = "log-log") -> None:
        self.confidence = confidence
        self.ci = ci

    def _check_config(self) -> float:
        """Validate the ``__init__`` arguments; return the significance level 1 - confidence."""
        confidence = check_confidence(self.confidence)
        if self.ci not in ("log-log", "hall-wellner"):
            raise ConfigError(f"ci={self.ci!r} is not allowed: use 'log-log' or 'hall-wellner'")
        if self.ci == "hall-wellner" and confidence != 0.95:
            raise ConfigError(
                f"confidence={self.confidence!r} is not allowed with ci='hall-wellner': statsmodels' "
                "Hall-Wellner band exists only at confidence=0.95 (use ci='log-log' for other levels)"
            )
        return significance_level(confidence)

    def fit(
        self, durations: ArrayLike, events: ArrayLike | None = None, groups: ArrayLike | None = None
    ) -> KaplanMeier:
        """Estimate the survival curve(s).

        Parameters
        ----------
        durations : array-like
            Time to event or censoring (>= 0; e.g. ``duration`` from :func:`lapse_durations`).
        events : array-like of bool, optional
            True = event observed, False = censored. Default: all events.
        groups : array-like, optional
            Group label per row; one curve per group and a log-rank test.

        Returns
        -------
        KaplanMeier
            ``self``.

        Raises
        ------
        DataError
            Negative or missing durations, non-boolean events, missing group labels.
        ConfigError
            A ``confidence`` outside (0, 1), an unknown ``ci``, or ``ci="hall-wellner"`` at a
            confidence other than 0.95.

        Examples
        --------
        >>> km = KaplanMeier(confidence=0.9)
        >>> km.fit([3, 5, 8], [1, 0, 1]) is km
        True
        """
        alpha = self._check_config()
        d = _check_durations(durations, events, groups)
        labels: Sequence[object] = ["all"] if groups is None else sorted(pd.unique(d["group"]), key=str)
        self.curves_: dict[object, SurvfuncRight] = {}
        frames, medians, cis = [], {}, {}
        for lab in labels:
            sub = d if groups is None else d.loc[d["group"] == lab]
            t = sub["duration"].to_numpy(dtype=float)
            e = sub["event"].to_numpy(dtype=float)
            sf = SurvfuncRight(t, e)
            self.curves_[lab] = sf
            frame = self._frame(sf, len(sub), alpha)
            if groups is not None:
                frame.insert(0, "group", lab)
            frames.append(frame)
            medians[lab] = float(sf.quantile(0.5)) if len(sf.surv_times) else float("nan")
            with np.errstate(divide="ignore", invalid="ignore"):  # S = 0 or 1 at some times
                cis[lab] = (
                    sf.quantile_ci(0.5, alpha=alpha, method="cloglog") if len(sf.surv_times) else (np.nan, np.nan)
                )
        self.survival_function_ = pd.concat(frames, ignore_index=True)
        self.median_ci_ = pd.DataFrame(cis, index=["lower", "upper"]).T.astype(float)
        self.median_ci_.index.name = "group"
        if groups is None:
            self.median_survival_: float | pd.Series = medians["all"]
            self.logrank_: pd.Series | None = None
        else:
            self.median_survival_ = pd.Series(medians, name="median_survival").rename_axis("group")
            if len(labels) >= 2:
                chisq, p = survdiff(
                    d["duration"].to_numpy(dtype=float),
                    d["event"].to_numpy(dtype=float),
                    d["group"].astype(str).to_numpy(),
                )
                self.logrank_ = pd.Series(
                    {"statistic": float(chisq), "df": len(labels) - 1, "p_value": float(p)}, name="logrank"
                )
            else:
                self.logrank_ = None
        self.grouped_ = groups is not None
        return self

    def _frame(self, sf: SurvfuncRight, n: int, alpha: float) -> pd.DataFrame:
        s = np.asarray(sf.surv_prob, dtype=float)
        se = np.asarray(sf.surv_prob_se, dtype=float)
        if self.ci == "hall-wellner":
            with np.errstate(divide="ignore", invalid="ignore"):
                lo, hi = sf.simultaneous_cb(alpha=alpha, transform="log")
        else:
            z = stats.norm.ppf(1 - alpha / 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                v = se / (s * np.abs(np.log(s)))  # se of log(-log S) (delta method)
                lo = s ** np.exp(z * v)
                hi = s ** np.exp(-z * v)
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        zero = s <= 0
        lo[zero], hi[zero] = np.nan, np.nan
        frame = pd.DataFrame(
            {
                "time": np.asarray(sf.surv_times, dtype=float),
                "survival": s,
                "ci_lower": lo,
                "ci_upper": hi,
                "at_risk": np.asarray(sf.n_risk).astype("int64"),
                "events": np.asarray(sf.n_events).astype("int64"),
            }
        )
        if len(frame) == 0 or frame["time"].iloc[0] > 0:
            start = pd.DataFrame(
                {"time": [0.0], "survival": [1.0], "ci_lower": [1.0], "ci_upper": [1.0], "at_risk": [n], "events": [0]}
            )
            frame = pd.concat([start, frame], ignore_index=True)
        return frame

    def __repr__(self) -> str:
        config = f"confidence={self.confidence!r}, ci={self.ci!r}"
        if not self.is_fitted:
            return f"<KaplanMeier({config}): not fitted>"
        return f"<KaplanMeier({config}): fitted, {len(self.curves_)} curve(s)>"

    def survival_at(self, times: ArrayLike) -> pd.DataFrame:
        """Estimated survival S(t) at the given times (right-continuous step function).

        Parameters
        ----------
        times : float or array-like
            Times at which to read the curve, in the unit of the durations.

        Returns
        -------
        pandas.DataFrame
            Index ``time``; one column per group (``"all"`` without groups).

        Raises
        ------
        sim.errors.NotFittedError
            Before :meth:`fit`.

        Examples
        --------
        >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
        >>> km.survival_at([0.5, 2, 4.9]).round(4)["all"].tolist()
        [1.0, 0.6667, 0.4444]
        """
        self._check_fitted()
        tt = np.atleast_1d(np.asarray(times, dtype=float))
        out = {}
        for lab, sf in self.curves_.items():
            st = np.asarray(sf.surv_times, dtype=float)
            sp = np.asarray(sf.surv_prob, dtype=float)
            i = np.searchsorted(st, tt, side="right") - 1
            out[lab] = np.where(i >= 0, sp[np.clip(i, 0, None)] if len(sp) else 1.0, 1.0)
        return pd.DataFrame(out, index=pd.Index(tt, name="time"))

    def plot(self, *, ax: Axes | None = None, time_label: str = "days since first order", band: bool = True) -> Axes:
        """Step plot of the survival curve(s) with the confidence band.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            x-axis label (say the unit).
        band : bool
            Shade the confidence band.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1], groups=list("aabbab"))
        >>> km.plot().get_ylabel()
        'share not yet lapsed (survival probability, 0-1)'
        """
        self._check_fitted()
        ax = new_axes(ax, figsize=(7, 4))
        sfun = self.survival_function_
        parts = sfun.groupby("group", sort=False) if self.grouped_ else [("all", sfun)]
        for i, (lab, f) in enumerate(parts):
            t = np.concatenate([[0.0], f["time"].to_numpy()])
            s = np.concatenate([[1.0], f["survival"].to_numpy()])
            color = f"C{i % 10}"
            ax.step(t, s, where="post", color=color, label=None if lab == "all" else str(lab))
            if band:
                lo = np.concatenate([[1.0], f["ci_lower"].to_numpy()])
                hi = np.concatenate([[1.0], f["ci_upper"].to_numpy()])
                ax.fill_between(t, lo, hi, step="post", color=color, alpha=0.2, linewidth=0)
        level = f"{100 * self.confidence:g}%"
        kind = "pointwise" if self.ci == "log-log" else "simultaneous"
        label_axes(
            ax,
            title=f"Kaplan-Meier survival with {level} {kind} band" if band else "Kaplan-Meier survival",
            xlabel=time_label,
            ylabel="share not yet lapsed (survival probability, 0-1)",
        )
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        if self.grouped_:
            ax.legend(title="group")
        return ax


def kaplan_meier(
    durations: ArrayLike,
    events: ArrayLike | None = None,
    *,
    groups: ArrayLike | None = None,
    confidence: float = 0.95,
    ci: Literal["log-log", "hall-wellner"] = "log-log",
) -> KaplanMeier:
    """Fit :class:`KaplanMeier` in one call.

    Parameters
    ----------
    durations, events, groups
        As in :meth:`KaplanMeier.fit`.
    confidence, ci
        As in :class:`KaplanMeier` (``confidence`` is the level of the bands, 0.95 = 95 %).

    Returns
    -------
    KaplanMeier
        The fitted estimator.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", "2025-01-15", "2025-08-01"])})
    >>> from sim.analysis.survival import lapse_durations
    >>> d = lapse_durations(orders, cutoff="2025-12-31").query("observable")
    >>> km = kaplan_meier(d["duration"], d["event"])
    >>> float(km.survival_function_["survival"].iloc[-1])
    0.0
    """
    return KaplanMeier(confidence=confidence, ci=ci).fit(durations, events, groups)
