"""MBG/NBD ("modified BG/NBD") model of repeat purchasing, fitted by maximum likelihood.

As BG/NBD (:mod:`sim.analysis.clv.bgnbd`), except that a customer may drop out at *every*
purchase, the first one included (Batislam, Gursoy & Leeflang 2007, "Empirical validation and
comparison of models for customer base analysis", IJRM 24(3); Wagner & Hoppe 2008, "Erratum on
the MBG/NBD model", IJRM 25(3)). So a one-time buyer may be gone: P(alive | x = 0) < 1. While
alive a customer buys as a Poisson process with rate lambda ~ Gamma(shape ``r``, rate
``alpha``); at time 0 and after each repeat purchase they drop out with probability
p ~ Beta(``a``, ``b``). The parameters match the simulator's ``sim.Scenario.purchase`` with
``dropout_after_first: true``.

The log-likelihood and the closed-form expectations are transcribed here with
:mod:`scipy.special` (a few lines each), as for BG/NBD; the fitting machinery (L-BFGS-B on the
log-parameters, Hessian standard errors, Wald intervals on the log scale) is shared
(:mod:`sim.analysis.clv._base`). Method names follow :class:`~sim.analysis.clv.BetaGeoFitter`
(``expected_purchases``, ``conditional_expected_purchases``, ``p_alive``); the ``lifetimes``
names (``expected_number_of_purchases_up_to_time``,
``conditional_expected_number_of_purchases_up_to_time``, ``conditional_probability_alive``)
are aliases.

Examples
--------
>>> import pandas as pd
>>> mbg = ModifiedBetaGeoFitter()
>>> mbg.params_ = pd.Series({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614})  # CDNOW, weeks
>>> round(float(mbg.p_alive(0, 0.0, 38.86)), 3)   # a one-time buyer may be gone
0.39
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from sim.analysis.clv.bgnbd import BetaGeoFitter
from sim.errors import ConfigError, DataError

__all__ = ["ModifiedBetaGeoFitter"]


def _mbgnbd_terms(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, ...]:
    """The common factor and the two log-terms of the MBG/NBD likelihood (alive at T, gone after t_x)."""
    r, alpha, a, b = params
    base = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    term1 = special.betaln(a, b + x + 1) - (r + x) * np.log(alpha + T)
    term2 = special.betaln(a + 1, b + x) - (r + x) * np.log(alpha + tx)
    return base, term1, term2


def _mbgnbd_loglik(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the MBG/NBD model (Batislam et al. 2007, eq. 3), stable form.

    L = G(r+x) alpha^r / G(r) * [B(a, b+x+1)/B(a, b) / (alpha+T)^(r+x)
                                 + B(a+1, b+x)/B(a, b) / (alpha+t_x)^(r+x)],
    the second term also for x = 0 (dropout right after the first purchase, t_x = 0).
    """
    base, term1, term2 = _mbgnbd_terms(params, x, tx, T)
    return base + np.logaddexp(term1, term2)


def _mbgnbd_loglik_grad(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Derivatives of :func:`_mbgnbd_loglik` with respect to (r, alpha, a, b), one row per customer."""
    r, alpha, a, b = params
    psi = special.digamma
    _, term1, term2 = _mbgnbd_terms(params, x, tx, T)
    w1 = np.exp(term1 - np.logaddexp(term1, term2))  # share of the likelihood from "alive at T"
    w2 = 1.0 - w1
    la_t, la_tx = np.log(alpha + T), np.log(alpha + tx)
    d_r = psi(r + x) - psi(r) + np.log(alpha) - w1 * la_t - w2 * la_tx
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + tx))
    p_all = psi(a + b + x + 1)
    d_a = -(psi(a) - psi(a + b)) + w1 * (psi(a) - p_all) + w2 * (psi(a + 1) - p_all)
    d_b = -(psi(b) - psi(a + b)) + w1 * (psi(b + x + 1) - p_all) + w2 * (psi(b + x) - p_all)
    return np.column_stack([d_r, d_alpha, d_a, d_b])


class ModifiedBetaGeoFitter(BetaGeoFitter):
    """MBG/NBD model of repeat purchasing, fitted by maximum likelihood.

    Like :class:`~sim.analysis.clv.BetaGeoFitter` (same arguments, attributes, summary, plots
    and input checks), but a customer may drop out right after the first purchase too, so
    customers without repeat purchases are not certainly alive (Batislam, Gursoy & Leeflang
    2007). Use it when many customers buy once and never again.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the natural-scale parameters; 0 = plain maximum likelihood.
    confidence : float
        Confidence level of ``confidence_intervals_`` and of the ``summary`` bounds.

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (time unit of the data), ``a``, ``b``.
    log_likelihood_, standard_errors_, confidence_intervals_, variance_matrix_, variance_matrix_log_
        As for :class:`~sim.analysis.clv.BetaGeoFitter` (Hessian of the log-likelihood on the
        log-parameters; log-scale Wald intervals).
    n_customers_, converged_, fit_issues_, optimizer_result_, summary
        As for :class:`~sim.analysis.clv.BetaGeoFitter`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> n = 3000
    >>> lam, p = rng.gamma(0.6, 1 / 60, n), rng.beta(0.8, 5, n)
    >>> x, tx = np.zeros(n), np.zeros(n)
    >>> for i in range(n):  # 730 days of MBG/NBD purchasing: dropout also at the first purchase
    ...     t = 0.0
    ...     while rng.random() >= p[i]:
    ...         t += rng.exponential(1 / lam[i])
    ...         if t > 730:
    ...             break
    ...         x[i], tx[i] = x[i] + 1, t
    >>> mbg = ModifiedBetaGeoFitter().fit(x, tx, np.full(n, 730.0))
    >>> mbg.summary.columns.tolist()
    ['coef', 'se', 'lower 95%', 'upper 95%']
    >>> bool(mbg.p_alive(0, 0.0, 730.0) < 1.0)
    True
    """

    def _loglik(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _mbgnbd_loglik(params, *data)

    def _loglik_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _mbgnbd_loglik_grad(params, *data)

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        initial_params: dict[str, float] | None = None,
    ) -> ModifiedBetaGeoFitter:
        """Estimate ``r``, ``alpha``, ``a``, ``b`` by maximum likelihood.

        Parameters, checks and errors as :meth:`BetaGeoFitter.fit
        <sim.analysis.clv.BetaGeoFitter.fit>`.

        Returns
        -------
        ModifiedBetaGeoFitter
            ``self``, with the fitted attributes set.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> x = rng.poisson(rng.gamma(0.6, 3.0, 500))  # repeat purchases of 500 customers in 90 days
        >>> tx = np.where(x > 0, rng.uniform(1.0, 90.0, 500), 0.0)
        >>> mbg = ModifiedBetaGeoFitter().fit(x, tx, np.full(500, 90.0))
        >>> sorted(mbg.params_.index), mbg.converged_
        (['a', 'alpha', 'b', 'r'], True)
        """
        series = [
            (n, v) for n, v in (("frequency", frequency), ("recency", recency), ("T", T)) if isinstance(v, pd.Series)
        ]
        for name, v in series[1:]:
            if not v.index.equals(series[0][1].index):
                raise DataError(
                    f"the Series {series[0][0]} and {name} have different indexes; they are paired by position, so "
                    "align them first (e.g. columns of one summary table) or pass arrays",
                    table="summary",
                    column=name,
                )
        for name, value in (initial_params or {}).items():
            ok = isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))
            if not ok or not np.isfinite(float(value)) or float(value) <= 0:
                raise ConfigError(
                    f"initial_params[{name!r}]={value!r} is not allowed: give a finite number > 0 (all four "
                    "parameters are positive)"
                )
        super().fit(frequency, recency, T, initial_params=initial_params)
        return self

    # -- predictions ---------------------------------------------------------------------

    def _population_curve(self, tt: np.ndarray) -> np.ndarray:
        """E[X(t)] = b/(a-1) * [1 - (alpha/(alpha+t))^r * 2F1(r, b+1; a+b; t/(alpha+t))] (Batislam et al. 2007)."""
        r, alpha, a, b = self.params_[list(self._param_names)].to_numpy()
        z = tt / (alpha + tt)
        with np.errstate(all="ignore"):
            return np.asarray(b / (a - 1) * (1 - (alpha / (alpha + tt)) ** r * special.hyp2f1(r, b + 1, a + b, z)))

    def _log_odds_dead(self, x: np.ndarray, tx: np.ndarray, tt: np.ndarray) -> np.ndarray:
        """log[a/(b+x)] + (r+x) log[(alpha+T)/(alpha+t_x)], for every x (x = 0 included)."""
        r, alpha, a, b = self.params_[list(self._param_names)].to_numpy()
        return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + tt) - np.log(alpha + tx))

    def _cond_expected(self, t: float, x: np.ndarray, tx: np.ndarray, tt: np.ndarray) -> np.ndarray:
        """P(alive) * (a+b+x)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] (Wagner & Hoppe 2008)."""
        r, alpha, a, b = self.params_[list(self._param_names)].to_numpy()
        z = t / (alpha + tt + t)
        with np.errstate(all="ignore"):
            bracket = 1 - ((alpha + tt) / (alpha + tt + t)) ** (r + x) * special.hyp2f1(r + x, b + x + 1, a + b + x, z)
            return np.asarray(self._p_alive(x, tx, tt) * (a + b + x) / (a - 1) * bracket)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> pd.Series | np.ndarray | float:
        """Probability that a customer with this history is still alive at ``T`` (Batislam et al. 2007, eq. 5).

        ``P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))``, for every ``x`` (a one-time
        buyer may have dropped out right after the first purchase).

        Returns
        -------
        pandas.Series (if an input was a Series, same index), numpy.ndarray or float

        Examples
        --------
        >>> mbg = ModifiedBetaGeoFitter()
        >>> mbg.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> mbg.p_alive([0, 3, 3], [0, 700, 100], [730, 730, 730]).round(3)
        array([0.571, 0.897, 0.031])
        """
        return super().p_alive(frequency, recency, T)

    # the lifetimes names, for users coming from that package
    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> np.ndarray | float:
        """Alias of :meth:`expected_purchases` (the ``lifetimes`` name).

        Examples
        --------
        >>> mbg = ModifiedBetaGeoFitter()
        >>> mbg.params_ = pd.Series({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614})
        >>> round(mbg.expected_number_of_purchases_up_to_time(78.0), 3)
        1.804
        """
        return self.expected_purchases(t)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> pd.Series | np.ndarray | float:
        """Alias of :meth:`conditional_expected_purchases` (the ``lifetimes`` name).

        Examples
        --------
        >>> mbg = ModifiedBetaGeoFitter()
        >>> mbg.params_ = pd.Series({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614})
        >>> round(float(mbg.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)), 2)
        1.26
        """
        if not np.ndim(t) == 0:
            raise ConfigError(f"t={t!r} must be a single number >= 0")
        return self.conditional_expected_purchases(t, frequency, recency, T)

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> pd.Series | np.ndarray | float:
        """Alias of :meth:`p_alive` (the ``lifetimes`` name).

        Examples
        --------
        >>> mbg = ModifiedBetaGeoFitter()
        >>> mbg.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> round(float(mbg.conditional_probability_alive(0, 0.0, 10.0)), 3)
        0.851
        """
        return self.p_alive(frequency, recency, T)
