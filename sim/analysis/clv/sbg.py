"""Shifted-beta-geometric (sBG) model of contract renewals: the fitter :class:`ShiftedBetaGeometric`.

The contractual counterpart of BG/NBD: a subscriber renews at the end of each period with a
personal probability ``1 - p`` and cancels for good with probability ``p``; across customers
p ~ Beta(``alpha``, ``beta``) (Fader & Hardie 2007, "How to Project Customer Retention").
The cohort's retention rate *rises* with tenure although no customer's own renewal
probability changes: the cancel-prone leave first (heterogeneity, not loyalty).

The module is split by concept:

    sbg_model    the equations: S(t), P(T = t), r_t, log-likelihood and gradient, DERL / DEL
    sbg_inputs   checks of survivor counts, tidy frames and prediction arguments
    sbg_value    DERL, DEL and lifetime value of a subscriber
    sbg_plots    plot_survival / plot_retention (observed vs fitted, projected)
    sbg          this module: fit, fit_cohorts, predictions and value

:func:`scipy.optimize.minimize` maximises the likelihood on the log-parameters; the
optimiser, the Hessian standard errors and the summary are shared with the other CLV fitters
(:mod:`sim.analysis.clv._base`).

Examples
--------
Fader & Hardie's (2007) "Regular" cohort, first seven years:

>>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
>>> sbg.params_.round(3).to_dict(), round(sbg.log_likelihood_, 1)
({'alpha': 0.704, 'beta': 1.182}, -1680.3)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.analysis.clv._base import _MLFitter
from sim.analysis.clv.sbg_inputs import (
    _as_output,
    _check_counts,
    _check_identifiable,
    _check_periods,
    _check_rate,
    _check_whole,
    _tidy_to_counts,
)
from sim.analysis.clv.sbg_model import _alpha_beta, _log_churn, _log_survival, _retention, _sbg_loglik, _sbg_loglik_grad
from sim.analysis.clv.sbg_plots import _SBGPlots
from sim.analysis.clv.sbg_value import _SBGValue
from sim.errors import DataError

__all__ = ["ShiftedBetaGeometric"]


class ShiftedBetaGeometric(_SBGValue, _SBGPlots):
    """Shifted-beta-geometric (sBG) model of subscription renewals, fitted by maximum likelihood.

    Each subscriber cancels at the end of a period with a constant personal probability p;
    across subscribers p ~ Beta(alpha, beta) (Fader & Hardie 2007). The name is the model's
    (there is no ``lifetimes`` class to mirror); it follows the conventions of
    :class:`BetaGeoFitter`.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the natural-scale parameters added to the mean negative
        log-likelihood; 0 = plain maximum likelihood.
    confidence : float
        Confidence level of ``confidence_intervals_`` and of the ``summary`` bounds
        (0.95 = 95 % intervals), strictly between 0 and 1.

    The arguments are stored as given and checked by :meth:`fit`
    (:class:`~sim.errors.ConfigError` naming the argument).

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha`` and ``beta`` of the Beta distribution of the churn probability (``alpha``
        here is a model parameter, not a significance level).
    log_likelihood_ : float
        Maximised (unpenalised) log-likelihood, summed over customers (and cohorts).
    standard_errors_, confidence_intervals_, variance_matrix_, variance_matrix_log_
        Hessian-based uncertainty: delta-method standard errors, log-scale Wald intervals.
    n_customers_ : int
        Customers in the calibration data (the cohort sizes n0, summed).
    survivors_ : pandas.DataFrame
        The calibration data: survivors by ``period`` (rows) and cohort (columns).
    n_periods_ : int
        The longest calibration history T (periods after acquisition).
    converged_, fit_issues_, optimizer_result_
        Whether the fit is usable and, if not, why (as for :class:`BetaGeoFitter`).

    Reading a fitted attribute before :meth:`fit` raises :class:`~sim.errors.NotFittedError`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.beta(1.5, 4.0, 2000)                    # each subscriber's churn probability
    >>> lifetime = rng.geometric(p)                      # period in which each one cancels
    >>> survivors = [int((lifetime > t).sum()) for t in range(9)]
    >>> sbg = ShiftedBetaGeometric().fit(survivors)
    >>> sbg.summary.columns.tolist()
    ['coef', 'se', 'lower 95%', 'upper 95%']
    >>> bool(sbg.retention_rate(8) > sbg.retention_rate(1))  # the survivors are the loyal ones
    True
    """

    _param_names = ("alpha", "beta")
    _fitted_attributes = (*_MLFitter._fitted_attributes, "survivors_", "n_periods_")  # type: ignore[assignment]

    # Written in sbg_value / sbg_plots; bound here so the class itself owns its public API.
    discounted_expected_residual_lifetime = _SBGValue.discounted_expected_residual_lifetime
    discounted_expected_lifetime = _SBGValue.discounted_expected_lifetime
    expected_lifetime_value = _SBGValue.expected_lifetime_value
    plot_survival = _SBGPlots.plot_survival
    plot_retention = _SBGPlots.plot_retention

    def _loglik(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _sbg_loglik(params, *data)

    def _loglik_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _sbg_loglik_grad(params, *data)

    # -- fitting -------------------------------------------------------------------------

    def fit(self, survivors: ArrayLike, *, initial_params: dict[str, float] | None = None) -> ShiftedBetaGeometric:
        """Estimate ``alpha`` and ``beta`` from one cohort's survivor counts.

        Parameters
        ----------
        survivors : array-like of int
            ``[n0, n1, ..., nT]``: customers still active at the start of each period,
            ``n0`` = cohort size (a pandas Series' name becomes the cohort's name).
        initial_params : dict, optional
            Starting values (default alpha = beta = 1).

        Returns
        -------
        ShiftedBetaGeometric
            ``self``, with the fitted attributes set.

        Raises
        ------
        DataError
            Counts that are negative, not whole numbers, increasing, or ``n0 = 0``; and data
            that cannot identify the model: a single period, nobody cancelling, everybody
            cancelling in the first period.
        ConfigError
            A negative ``penalizer`` or a ``confidence`` outside (0, 1).

        Notes
        -----
        A cohort whose retention does not rise with tenure shows no heterogeneity: alpha and
        beta grow without bound (a geometric model); ``converged_`` is then False and
        ``fit_issues_`` says so.

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric().fit([1000, 869, 743, 653, 593, 551, 517, 491])  # "High End"
        >>> sbg.params_.round(3).tolist(), round(sbg.log_likelihood_, 1)
        ([0.668, 3.806], -1611.2)
        """
        name = survivors.name if isinstance(survivors, pd.Series) and survivors.name is not None else "cohort"
        return self._fit_counts({name: _check_counts(survivors, name)}, initial_params)

    def fit_cohorts(
        self,
        cohorts: Mapping[object, ArrayLike] | pd.DataFrame,
        *,
        initial_params: dict[str, float] | None = None,
    ) -> ShiftedBetaGeometric:
        """Estimate common ``alpha`` and ``beta`` from several cohorts (their log-likelihoods add up).

        Parameters
        ----------
        cohorts : mapping or pandas.DataFrame
            ``{name: [n0, n1, ..., nT]}`` (cohorts may be observed for different numbers of
            periods), or a tidy frame with columns ``cohort``, ``period`` (0, 1, ..., T for
            each cohort) and ``survivors``.
        initial_params : dict, optional
            Starting values (default alpha = beta = 1).

        Returns
        -------
        ShiftedBetaGeometric
            ``self``, with the fitted attributes set.

        Raises
        ------
        DataError
            As :meth:`fit`, naming the cohort; in a tidy frame also missing columns, repeated
            or missing periods.

        Examples
        --------
        >>> tidy = pd.DataFrame({"cohort": ["2023"] * 4 + ["2024"] * 3, "period": [0, 1, 2, 3, 0, 1, 2],
        ...                      "survivors": [500, 330, 260, 220, 400, 270, 210]})
        >>> sbg = ShiftedBetaGeometric().fit_cohorts(tidy)
        >>> sbg.n_customers_, sbg.survivors_.columns.tolist(), sbg.n_periods_
        (900, ['2023', '2024'], 3)
        """
        if isinstance(cohorts, pd.DataFrame):
            counts = _tidy_to_counts(cohorts)
        elif isinstance(cohorts, Mapping):
            if not cohorts:
                raise DataError("no cohorts given; pass {name: [n0, n1, ...]}", table="survivors")
            counts = {name: _check_counts(values, name) for name, values in cohorts.items()}
        else:
            raise DataError(
                f"expected a mapping {{name: counts}} or a tidy DataFrame, got {type(cohorts).__name__}",
                table="survivors",
            )
        return self._fit_counts(counts, initial_params)

    def _fit_counts(
        self, counts: Mapping[object, np.ndarray], initial_params: dict[str, float] | None
    ) -> ShiftedBetaGeometric:
        self._check_config()
        _check_identifiable(counts)
        rows: dict[tuple[float, float], float] = {}
        for n in counts.values():
            for t in range(1, len(n)):  # cancelled in period t
                rows[(t, 0.0)] = rows.get((t, 0.0), 0.0) + float(n[t - 1] - n[t])
            rows[(len(n) - 1, 1.0)] = rows.get((len(n) - 1, 1.0), 0.0) + float(n[-1])  # still active
        keys = [k for k, w in rows.items() if w > 0]
        data = (np.array([k[0] for k in keys], dtype=float), np.array([k[1] for k in keys], dtype=float))
        weights = np.array([rows[k] for k in keys], dtype=float)
        start = {"alpha": 1.0, "beta": 1.0}
        if initial_params:
            unknown = set(initial_params) - set(start)
            if unknown:
                raise ValueError(f"unknown parameter(s) {sorted(unknown)}; allowed: {list(start)}")
            start.update(initial_params)
        self.survivors_ = pd.DataFrame({name: pd.Series(n, dtype="float64") for name, n in counts.items()}).astype(
            "Int64"
        )
        self.survivors_.index.name = "period"
        self.n_periods_ = int(max(len(n) for n in counts.values()) - 1)
        self._fit_ml(data, weights, np.array([start[k] for k in self._param_names], dtype=float))
        return self

    def _prediction_issues(self, data: tuple[np.ndarray, ...]) -> list[str]:
        a, b = _alpha_beta(self.params_)
        issues = []
        if not np.all(np.isfinite(_log_survival(a, b, np.array([float(self.n_periods_)])))):
            issues.append(f"survival({self.n_periods_}) is not finite at the fitted parameters")
        if a + b > 1e6:
            issues.append(
                f"alpha + beta = {a + b:.3g}: the retention rate does not rise with tenure, so the data show "
                f"no heterogeneity; the model collapses to a geometric one with churn {a / (a + b):.4g} per "
                "period and alpha, beta are not separately identified"
            )
        return issues

    # -- the retention curve --------------------------------------------------------------

    def survival(self, t: ArrayLike) -> np.ndarray | float:
        """Share of a new cohort still active after ``t`` periods, S(t) = B(alpha, beta+t)/B(alpha, beta).

        Parameters
        ----------
        t : int or array-like of int
            Periods since acquisition (>= 0); S(0) = 1.

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 1.0, "beta": 1.0})  # p ~ Uniform(0, 1): S(t) = 1/(t+1)
        >>> sbg.survival([0, 1, 3])
        array([1.  , 0.5 , 0.25])
        """
        self._check_fitted()
        tt = _check_whole(t, "t", 0)
        a, b = _alpha_beta(self.params_)
        return _as_output(np.exp(_log_survival(a, b, tt)), tt)

    def retention_rate(self, t: ArrayLike) -> np.ndarray | float:
        """Share of the customers active in period ``t - 1`` who renew for period ``t``.

        r_t = S(t)/S(t-1) = (beta + t - 1)/(alpha + beta + t - 1); it increases with t
        towards 1 because the customers most likely to cancel leave first.

        Parameters
        ----------
        t : int or array-like of int
            Period (>= 1).

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 1.0, "beta": 1.0})
        >>> sbg.retention_rate([1, 2, 3])  # 1/2, 2/3, 3/4
        array([0.5       , 0.66666667, 0.75      ])
        """
        self._check_fitted()
        tt = _check_whole(t, "t", 1)
        a, b = _alpha_beta(self.params_)
        return _as_output(_retention(a, b, tt), tt)

    def churn_probability(self, t: ArrayLike) -> np.ndarray | float:
        """Probability that a new customer cancels in period ``t``, P(T = t) = B(alpha+1, beta+t-1)/B(alpha, beta).

        This is the unconditional share of the cohort lost in period t (S(t-1) - S(t)); the
        churn rate among those still active is ``1 - retention_rate(t)``.

        Parameters
        ----------
        t : int or array-like of int
            Period (>= 1).

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 1.0, "beta": 1.0})
        >>> sbg.churn_probability([1, 2])  # 1/(t(t+1))
        array([0.5       , 0.16666667])
        """
        self._check_fitted()
        tt = _check_whole(t, "t", 1)
        a, b = _alpha_beta(self.params_)
        return _as_output(np.exp(_log_churn(a, b, tt)), tt)

    def project(self, periods: int, *, cohort_size: float | None = None) -> pd.DataFrame:
        """Survival and retention of a new cohort for periods 0, 1, ..., ``periods``.

        Parameters
        ----------
        periods : int
            Last period of the projection (>= 1); periods after ``n_periods_`` are forecasts.
        cohort_size : float, optional
            If given, an ``expected_survivors`` column (cohort_size * survival) is added.

        Returns
        -------
        pandas.DataFrame
            Index ``period``; columns ``survival``, ``retention_rate`` and
            ``churn_probability`` (NaN in period 0), ``in_calibration`` (period <=
            ``n_periods_``; only when fitted on data) and optionally ``expected_survivors``.

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> sbg.project(12, cohort_size=1000)["expected_survivors"].round().iloc[[8, 12]].tolist()
        [220.0, 170.0]
        """
        self._check_fitted()
        t = np.arange(_check_periods(periods) + 1, dtype=float)
        a, b = _alpha_beta(self.params_)
        later = t >= 1
        out = pd.DataFrame(
            {
                "survival": np.exp(_log_survival(a, b, t)),
                "retention_rate": np.where(later, _retention(a, b, np.maximum(t, 1)), np.nan),
                "churn_probability": np.where(later, np.exp(_log_churn(a, b, np.maximum(t, 1))), np.nan),
            },
            index=pd.Index(t.astype(int), name="period"),
        )
        if "n_periods_" in self.__dict__:  # fitted on data (not parameters set by hand)
            out["in_calibration"] = t <= self.n_periods_
        if cohort_size is not None:
            size = _check_rate(cohort_size, "cohort_size", "the number of customers acquired")
            out["expected_survivors"] = size * out["survival"]
        return out

    def __repr__(self) -> str:
        if not self.is_fitted:
            return f"<{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return (
            f"<{type(self).__name__}: fitted on {self.n_customers_} customers in {self.survivors_.shape[1]} "
            f"cohort(s) over {self.n_periods_} periods, {ps}>"
        )
