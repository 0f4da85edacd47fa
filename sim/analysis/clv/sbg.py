"""Shifted-beta-geometric (sBG) model of contract renewals, fitted by maximum likelihood.

The contractual counterpart of BG/NBD: a subscriber renews at the end of each period with a
personal probability ``1 - p`` and cancels for good with probability ``p``; across customers
p ~ Beta(``alpha``, ``beta``). The lifetime T (the period in which a customer cancels) is then
shifted-beta-geometric (Fader & Hardie 2007, "How to Project Customer Retention", Journal of
Interactive Marketing 21(1), eqs. 4-8)::

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)           t = 1, 2, ...
    S(t)     = P(T > t) = B(alpha, beta + t) / B(alpha, beta)        (S(0) = 1)
    r_t      = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

so the cohort's retention rate r_t *rises* with tenure although no customer's own renewal
probability changes: the cancel-prone leave first (heterogeneity, not loyalty). From a
cohort's survivors n_0 >= n_1 >= ... >= n_T (customers still active at the start of each
period, n_0 = cohort size) the log-likelihood is

    LL(alpha, beta) = sum_{t=1..T} (n_{t-1} - n_t) ln P(T = t) + n_T ln S(T)

(those who cancelled in period t, and those still active after T periods). Several cohorts
with common parameters add their log-likelihoods.

Value of a subscriber (Fader & Hardie 2010, "Customer-Base Valuation in a Contractual
Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1)). Payments are made
at the start of each period (on acquisition and at every renewal), discount rate ``d`` per
period, x = 1 / (1 + d):

* discounted expected lifetime of a new customer, counting the first payment:
  DEL = sum_{k>=0} S(k) x^k = 2F1(1, beta; alpha + beta; x);
* discounted expected residual lifetime of a customer who has renewed ``n`` times, valued
  just before the next renewal decision (F&H 2010 write this for "n - 1 renewals" with
  index n; here ``renewals = n``, so their index is n + 1)::

      DERL(d | alpha, beta, n renewals) = sum_{k>=0} S(n + 1 + k) / S(n) x^k
          = (beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; x)

  and DEL = 1 + x * DERL(renewals=0).

:func:`scipy.special.hyp2f1` evaluates the closed form. Near z = 1 it is unreliable when
alpha is (close to) a whole number -- its connection formula has a Gamma(alpha - 1) pole;
with scipy 1.17, ``hyp2f1(1, 1.2, 2.2, 0.999)`` (alpha = 1) comes out as -28.6, although every
term of the series is positive -- and it returns NaN for large beta + n. In those cases (and
whenever the result is not finite or outside [0, 1/(1 - x)]) the sum itself is evaluated term
by term until the remaining tail is below 1e-13 of the total (all terms are positive, so the
sum is exact to rounding). :func:`scipy.optimize.minimize` maximises the likelihood on the log-parameters; the
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

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis._validate import require_columns, require_numbers
from sim.analysis.clv._base import _MLFitter
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["ShiftedBetaGeometric"]

#: alpha closer than this to a whole number: the hyp2f1 closed form is not trusted (see module notes).
_NEAR_INTEGER = 1e-3
#: The term-by-term sum stops when the remaining tail is below this share of the total.
_SUM_RTOL = 1e-13
_CHUNK = 65536


# ----------------------------------------------------------------------------------------
# The model's equations (natural parameters)
# ----------------------------------------------------------------------------------------


def _log_survival(a: float, b: float, t: np.ndarray) -> np.ndarray:
    """ln S(t) = ln B(alpha, beta + t) - ln B(alpha, beta) (F&H 2007, eq. 5)."""
    return np.asarray(special.betaln(a, b + t) - special.betaln(a, b))


def _log_churn(a: float, b: float, t: np.ndarray) -> np.ndarray:
    """ln P(T = t) = ln B(alpha + 1, beta + t - 1) - ln B(alpha, beta), t >= 1 (F&H 2007, eq. 4)."""
    return np.asarray(special.betaln(a + 1, b + t - 1) - special.betaln(a, b))


def _retention(a: float, b: float, t: np.ndarray) -> np.ndarray:
    """r_t = (beta + t - 1) / (alpha + beta + t - 1), t >= 1 (F&H 2007, eq. 8)."""
    return np.asarray((b + t - 1) / (a + b + t - 1))


def _sbg_loglik(params: np.ndarray, t: np.ndarray, still_active: np.ndarray) -> np.ndarray:
    """Log-likelihood of one customer: cancelled in period t, or still active after t periods."""
    a, b = params
    return np.where(still_active > 0, _log_survival(a, b, t), _log_churn(a, b, t))


def _sbg_loglik_grad(params: np.ndarray, t: np.ndarray, still_active: np.ndarray) -> np.ndarray:
    """Derivatives of :func:`_sbg_loglik` with respect to (alpha, beta), one row per row of data."""
    a, b = params
    psi = special.digamma
    common = psi(a + b) - psi(a + b + t)
    d_a = np.where(still_active > 0, common, common + psi(a + 1) - psi(a))
    d_b = np.where(still_active > 0, common + psi(b + t) - psi(b), common + psi(b + t - 1) - psi(b))
    return np.column_stack([d_a, d_b])


def _derl_series(a: float, b: float, n: float, x: float) -> float:
    """sum_{k>=0} S(n+1+k)/S(n) x^k summed term by term (all terms positive; tail bound)."""
    total, log_term, k0 = 0.0, 0.0, 0
    while True:
        k = np.arange(k0, k0 + _CHUNK, dtype=float)
        # term_k = prod_{j=0..k} r_{n+1+j} * x^k, accumulated on the log scale
        steps = np.log((b + n + k) / (a + b + n + k)) + np.where(k > 0, np.log(x), 0.0)
        logs = log_term + np.cumsum(steps)
        terms = np.exp(logs)
        total += float(terms.sum())
        log_term = float(logs[-1])
        # remaining terms are below term_last * x^j, so the tail is below term_last * x / (1 - x)
        tail = np.exp(log_term) * x / (1 - x)
        if tail <= _SUM_RTOL * total or not np.isfinite(total):
            return total
        k0 += _CHUNK


def _derl(a: float, b: float, n: np.ndarray, discount: float) -> np.ndarray:
    """DERL(d | alpha, beta, n renewals), closed form with the term-by-term sum as a fallback."""
    n = np.asarray(n, dtype=float)
    if discount == 0:  # undiscounted: E[remaining payments] = (beta + n) / (alpha - 1), finite iff alpha > 1
        return np.asarray((b + n) / (a - 1) if a > 1 else np.full(n.shape, np.inf))
    x = 1.0 / (1.0 + discount)
    with np.errstate(all="ignore"):
        out = np.asarray(_retention(a, b, n + 1) * special.hyp2f1(1.0, b + n + 1, a + b + n + 1, x), dtype=float)
    upper = 1.0 / (1.0 - x)  # every customer renewing forever
    suspect = ~np.isfinite(out) | (out < 0) | (out > upper) | (abs(a - round(a)) < _NEAR_INTEGER)
    out = out.copy()
    for i in np.flatnonzero(suspect.reshape(-1)):
        out.reshape(-1)[i] = _derl_series(a, b, float(n.reshape(-1)[i]), x)
    return out


# ----------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------


def _check_counts(values: ArrayLike, cohort: object) -> np.ndarray:
    """Survivor counts n_0 >= n_1 >= ... >= n_T >= 0, whole numbers, n_0 > 0, T >= 1."""
    column = str(cohort)
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise DataError(
            f"expected a 1-d sequence of survivor counts [n0, n1, ..., nT], got {type(values).__name__} "
            f"of shape {np.shape(values)}",
            table="survivors",
            column=column,
        )
    raw = pd.Series(np.asarray(values, dtype=object) if not isinstance(values, pd.Series) else values.to_numpy())
    n = require_numbers(raw, "nonneg", table="survivors", column=column).to_numpy(dtype=float)
    if len(n) < 2:
        raise DataError(
            f"got {len(n)} count(s); give the cohort size n0 and the survivors of at least one period",
            table="survivors",
            column=column,
        )
    bad = np.flatnonzero(n != np.round(n))
    if len(bad):
        raise DataError(
            f"survivor counts must be whole numbers of customers (e.g. {n[bad[0]]:g}); "
            "for percentages give counts, e.g. round(percent * cohort size / 100)",
            table="survivors",
            column=column,
            rows=bad,
        )
    if n[0] <= 0:
        raise DataError("the cohort size n0 (first count) must be > 0", table="survivors", column=column, rows=[0])
    bad = np.flatnonzero(np.diff(n) > 0) + 1
    if len(bad):
        raise DataError(
            "survivors must not increase from one period to the next (a cancelled subscriber does not "
            f"come back in this model): n{bad[0]}={n[bad[0]]:g} > n{bad[0] - 1}={n[bad[0] - 1]:g}",
            table="survivors",
            column=column,
            rows=bad,
        )
    return n


def _check_identifiable(cohorts: Mapping[object, np.ndarray]) -> None:
    """Refuse pooled data from which alpha and beta cannot both be estimated."""
    if max(len(n) for n in cohorts.values()) < 3:
        raise DataError(
            "one period of renewals identifies only the first-period churn alpha/(alpha+beta), not alpha and "
            "beta; give at least two periods (n0, n1, n2)",
            table="survivors",
        )
    if all(n[-1] == n[0] for n in cohorts.values()):
        raise DataError(
            "nobody cancelled in any cohort: the churn probability is not identified (beta -> infinity); "
            "observe the cohort for longer",
            table="survivors",
        )
    if all(n[1] == 0 for n in cohorts.values()):
        raise DataError(
            "everybody cancelled in the first period: nothing to learn about later renewals (beta -> 0)",
            table="survivors",
        )


def _check_whole(values: ArrayLike, name: str, minimum: int) -> np.ndarray:
    """Whole numbers >= ``minimum`` (periods, renewals), else a ConfigError naming the argument."""
    arr = np.asarray(values)
    ok = arr.dtype.kind in "iuf" and arr.size > 0
    if ok:
        f = arr.astype(float)
        ok = bool(np.all(np.isfinite(f)) and np.all(f == np.round(f)) and np.all(f >= minimum))
    if not ok:
        text = repr(values)
        text = text if len(text) <= 60 else text[:57] + "..."
        raise ConfigError(f"{name}={text} is not allowed: give whole number(s) >= {minimum}")
    return arr.astype(float)


def _check_rate(value: object, name: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)) or value < 0:
        raise ConfigError(f"{name}={value!r} is not allowed: give {what} as a finite number >= 0")
    return float(value)


def _as_output(values: np.ndarray, like: np.ndarray) -> np.ndarray | float:
    out = np.asarray(values, dtype=float).reshape(np.shape(like))
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------------------
# The fitter
# ----------------------------------------------------------------------------------------


class ShiftedBetaGeometric(_MLFitter):
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
        a, b = self._ab()
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

    def _ab(self) -> tuple[float, float]:
        return float(self.params_["alpha"]), float(self.params_["beta"])

    def _discount(self, discount: object) -> float:
        d = _check_rate(discount, "discount", "the discount rate per period (e.g. 0.1 for 10 %)")
        a = float(self.params_["alpha"])
        if d == 0 and a <= 1:
            raise ConfigError(
                f"discount=0 is not allowed with alpha={a:.4g} <= 1: the undiscounted expected lifetime is "
                "infinite (a heavy tail of customers who almost never cancel); give a discount rate > 0"
            )
        return d

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
        a, b = self._ab()
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
        a, b = self._ab()
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
        a, b = self._ab()
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
        if isinstance(periods, bool) or not isinstance(periods, numbers.Integral) or periods < 1:
            raise ConfigError(f"periods={periods!r} is not allowed: give a whole number >= 1")
        t = np.arange(int(periods) + 1, dtype=float)
        a, b = self._ab()
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

    # -- value ------------------------------------------------------------------------------

    def discounted_expected_residual_lifetime(self, renewals: ArrayLike, discount: float) -> np.ndarray | float:
        """Expected discounted number of future payments of a customer who has renewed ``renewals`` times.

        Valued just before the next renewal decision (that payment, if made, is not
        discounted; the one after by 1/(1+d), ...). Fader & Hardie (2010), written for
        ``renewals = n``::

            DERL = (beta + n)/(alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1/(1 + d))

        (the paper indexes the same quantity by n - 1 renewals). It grows with ``renewals``:
        a customer who has renewed often is probably one of the loyal ones.

        Parameters
        ----------
        renewals : int or array-like of int
            Renewals made so far (0 = a customer in their first period).
        discount : float
            Discount rate per period (>= 0; 0 is allowed only if alpha > 1, else the
            expected lifetime is infinite and a ConfigError says so).

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 1.0, "beta": 1.0})
        >>> round(sbg.discounted_expected_residual_lifetime(0, 0.1), 4)
        1.8015

        By hand: S(k+1) = 1/(k+2), so DERL = sum_k x^k/(k+2) = (-ln(1-x) - x)/x^2 with x = 1/1.1,
        = 1.21 (ln 11 - 10/11) = 1.8015. A customer with 5 renewals is worth more:

        >>> bool(sbg.discounted_expected_residual_lifetime(5, 0.1) > 1.8015)
        True
        """
        self._check_fitted()
        n = _check_whole(renewals, "renewals", 0)
        d = self._discount(discount)
        a, b = self._ab()
        val = self._finite(_derl(a, b, n.reshape(-1), d), f"discounted_expected_residual_lifetime (discount={d:g})")
        return _as_output(val, n)

    def discounted_expected_lifetime(self, discount: float) -> float:
        """Expected discounted number of payments of a new customer, the first one included (DEL).

        DEL = sum_{k>=0} S(k) (1+d)^-k = 2F1(1, beta; alpha + beta; 1/(1+d))
        = 1 + DERL(renewals=0) / (1 + d).

        Parameters
        ----------
        discount : float
            Discount rate per period (>= 0; 0 only if alpha > 1).

        Returns
        -------
        float

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 3.0, "beta": 1.0})
        >>> sbg.discounted_expected_lifetime(0.0)  # E[T] = (alpha + beta - 1)/(alpha - 1)
        1.5
        """
        self._check_fitted()
        d = self._discount(discount)
        a, b = self._ab()
        derl0 = self._finite(_derl(a, b, np.zeros(1), d), f"discounted_expected_lifetime (discount={d:g})")
        return float(1.0 + derl0[0] / (1.0 + d))

    def expected_lifetime_value(
        self, margin_per_period: float, discount: float, renewals: ArrayLike | None = None
    ) -> np.ndarray | float:
        """Expected discounted margin of a subscriber: margin per period x DEL or DERL.

        Parameters
        ----------
        margin_per_period : float
            Margin of one period's payment (>= 0), paid at the start of each period.
        discount : float
            Discount rate per period (>= 0).
        renewals : int or array-like of int, optional
            ``None`` (default): a customer about to be acquired, first payment included
            (margin x :meth:`discounted_expected_lifetime`, the most one should pay to
            acquire them). A number n: the residual value of an existing customer who has
            renewed n times, valued before the next renewal (margin x
            :meth:`discounted_expected_residual_lifetime`).

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> new = sbg.expected_lifetime_value(100.0, 0.1)
        >>> bool(new == 100.0 * sbg.discounted_expected_lifetime(0.1))
        True
        >>> bool(sbg.expected_lifetime_value(100.0, 0.1, renewals=4) > new)  # survivors are worth more
        True
        """
        self._check_fitted()
        margin = _check_rate(margin_per_period, "margin_per_period", "the margin per period")
        if renewals is None:
            return margin * self.discounted_expected_lifetime(discount)
        derl = self.discounted_expected_residual_lifetime(renewals, discount)
        return margin * derl

    # -- plots ------------------------------------------------------------------------------

    def _observed(self, actual: ArrayLike | None) -> dict[str, np.ndarray]:
        if actual is not None:
            return {"actual": _check_counts(actual, "actual")}
        data = self.__dict__.get("survivors_")  # None if the parameters were set by hand
        if data is None:
            return {}
        return {str(c): data[c].dropna().to_numpy(dtype=float) for c in data.columns}

    def _calibration_end(self, ax: Axes) -> None:
        if "n_periods_" in self.__dict__:
            ax.axvline(self.n_periods_, color="grey", linestyle=":", label="end of calibration")

    def _horizon(self, periods: int | None, observed: dict[str, np.ndarray]) -> int:
        if periods is None:
            n_cal = int(self.__dict__.get("n_periods_", 0))
            return max([n_cal + 5, *(len(n) - 1 for n in observed.values())])
        if isinstance(periods, bool) or not isinstance(periods, numbers.Integral) or periods < 1:
            raise ConfigError(f"periods={periods!r} is not allowed: give a whole number >= 1")
        return int(periods)

    def plot_survival(
        self,
        periods: int | None = None,
        *,
        actual: ArrayLike | None = None,
        ax: Axes | None = None,
        time_label: str = "periods",
    ) -> Axes:
        """Observed vs fitted share of the cohort still active, projected beyond the calibration data.

        Parameters
        ----------
        periods : int, optional
            Right end of the projection (default: 5 periods beyond the calibration data).
        actual : array-like of int, optional
            Survivor counts of one cohort including periods after the calibration data
            (a hold-out), drawn instead of the calibration data.
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            Unit of a period, shown on the x axis (e.g. ``"years"``).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> full = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
        >>> sbg.plot_survival(actual=full, time_label="years").get_ylabel()
        'customers still active (% of the cohort)'
        """
        self._check_fitted()
        observed = self._observed(actual)
        horizon = self._horizon(periods, observed)
        ax = new_axes(ax, figsize=(7, 4))
        for name, n in observed.items():
            ax.plot(np.arange(len(n)), 100 * n / n[0], "o", label=f"observed: {name}")
        t = np.arange(horizon + 1, dtype=float)
        a, b = self._ab()
        ax.plot(t, 100 * np.exp(_log_survival(a, b, t)), "-", color="k", label="sBG fit and projection")
        self._calibration_end(ax)
        ax.set_ylim(0, 102)
        ax.legend()
        return label_axes(
            ax,
            title="sBG: share of the cohort still subscribed",
            xlabel=f"tenure ({time_label} since acquisition)",
            ylabel="customers still active (% of the cohort)",
        )

    def plot_retention(
        self,
        periods: int | None = None,
        *,
        actual: ArrayLike | None = None,
        ax: Axes | None = None,
        time_label: str = "periods",
    ) -> Axes:
        """Observed vs fitted retention rate r_t by period, projected beyond the calibration data.

        Parameters
        ----------
        periods : int, optional
            Right end of the projection (default: 5 periods beyond the calibration data).
        actual : array-like of int, optional
            Survivor counts of one cohort including a hold-out, drawn instead of the
            calibration data.
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            Unit of a period, shown on the x axis.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> sbg = ShiftedBetaGeometric().fit([1000, 869, 743, 653, 593, 551, 517, 491])
        >>> sbg.plot_retention(12, time_label="years").get_xlabel()
        'period t (years since acquisition)'
        """
        self._check_fitted()
        observed = self._observed(actual)
        horizon = self._horizon(periods, observed)
        ax = new_axes(ax, figsize=(7, 4))
        for name, n in observed.items():
            with np.errstate(all="ignore"):
                rate = n[1:] / n[:-1]
            ax.plot(np.arange(1, len(n)), 100 * rate, "o", label=f"observed: {name}")
        t = np.arange(1, horizon + 1, dtype=float)
        a, b = self._ab()
        ax.plot(t, 100 * _retention(a, b, t), "-", color="k", label="sBG fit and projection")
        self._calibration_end(ax)
        ax.set_ylim(0, 100)
        ax.legend()
        return label_axes(
            ax,
            title="sBG: retention rate rises with tenure (heterogeneity)",
            xlabel=f"period t ({time_label} since acquisition)",
            ylabel="retention rate r_t (% of period t-1's customers renewing)",
        )

    def __repr__(self) -> str:
        if not self.is_fitted:
            return f"<{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return (
            f"<{type(self).__name__}: fitted on {self.n_customers_} customers in {self.survivors_.shape[1]} "
            f"cohort(s) over {self.n_periods_} periods, {ps}>"
        )


def _tidy_to_counts(frame: pd.DataFrame) -> dict[object, np.ndarray]:
    """``cohort``, ``period``, ``survivors`` rows -> {cohort: counts by period 0..T}."""
    df = require_columns(
        frame, {"cohort": "category", "period": "nonneg", "survivors": "nonneg"}, table="survivors", allow_empty=False
    )
    out: dict[object, np.ndarray] = {}
    for name, g in df.groupby("cohort", sort=False):
        periods = g["period"].to_numpy(dtype=float)
        order = np.argsort(periods, kind="stable")
        if not np.array_equal(periods[order], np.arange(len(g), dtype=float)):
            raise DataError(
                f"cohort {str(name)[:40]!r}: periods must be 0, 1, ..., T once each, "
                f"got {sorted(periods.tolist())[:12]}",
                table="survivors",
                column="period",
                rows=list(g.index),
            )
        out[name] = _check_counts(g["survivors"].to_numpy()[order], name)
    return out
