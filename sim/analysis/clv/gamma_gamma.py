"""Gamma-Gamma model of the average order value, fitted by maximum likelihood.

Each order value z ~ Gamma(shape ``p``, rate nu) with nu ~ Gamma(shape ``q``, rate ``gamma``)
across customers, so E[z] = p * gamma / (q - 1) (Fader & Hardie 2013, "The Gamma-Gamma model
of monetary value"). The parameters match the simulator's ``sim.Scenario.spend``. The
log-density is transcribed here with :mod:`scipy.special`; the fitting machinery is shared
with the BG/NBD model (:mod:`sim.analysis.clv._base`).

Examples
--------
>>> import pandas as pd
>>> ggf = GammaGammaFitter()
>>> ggf.params_ = pd.Series({"p": 6.0, "q": 4.0, "gamma": 150.0})  # known parameters
>>> ggf.mean_order_value()
300.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from sim.analysis.clv._base import _checked_arrays, _compress, _MLFitter, _wrap
from sim.errors import ConfigError, DataError

__all__ = ["GammaGammaFitter"]

#: Fewest customers with repeat purchases :meth:`GammaGammaFitter.fit` accepts: more than its three parameters.
MIN_REPEAT_CUSTOMERS = 4


def _gg_loglik(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log density of the mean repeat-order value (Fader & Hardie 2013, eq. 4).

    f(m | p, q, gamma, x) = G(px+q)/(G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q)
    """
    p, q, g = params
    px = p * x
    return -special.betaln(px, q) + q * np.log(g) + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + m * x)


def _gg_loglik_grad(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Derivatives of :func:`_gg_loglik` with respect to (p, q, gamma), one row per customer."""
    p, q, g = params
    psi = special.digamma
    px = p * x
    lgm = np.log(g + m * x)
    d_p = x * (psi(px + q) - psi(px) + np.log(m) + np.log(x) - lgm)
    d_q = psi(px + q) - psi(q) + np.log(g) - lgm
    d_g = q / g - (px + q) / (g + m * x)
    return np.column_stack([d_p, d_q, d_g])


def _check_q(q: float) -> None:
    if not q > 1:
        raise DataError(
            f"q={q:.4g} <= 1: the Gamma-Gamma mean order value is infinite; refit on more customers",
            table="predictions",
        )


class GammaGammaFitter(_MLFitter):
    """Gamma-Gamma model of the average order value, fitted by maximum likelihood.

    Each order value z ~ Gamma(shape p, rate nu) with nu ~ Gamma(shape q, rate gamma) across
    customers, so a customer's mean order value is p / nu and the population mean is
    p * gamma / (q - 1) (Fader & Hardie 2013). Only customers with at least one repeat
    purchase (``frequency > 0``) carry information; the others are skipped by definition
    (``n_customers_`` counts the ones used).

    **Independence assumption.** The model assumes the spend process is independent of the
    purchase process (how often a customer buys says nothing about how much they spend).
    Check it before combining with :class:`BetaGeoFitter`: among customers with
    ``frequency > 0`` the correlation between ``frequency`` and ``monetary_value`` should be
    close to 0, e.g. ``summary.query("frequency > 0")[["frequency", "monetary_value"]].corr()``
    (or :func:`scipy.stats.spearmanr`). A clear correlation means CLV = purchases x value is
    biased.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the natural-scale parameters (as in ``lifetimes``).
    confidence : float
        Confidence level of ``confidence_intervals_`` and of the ``summary`` bounds
        (0.95 = 95 % intervals), strictly between 0 and 1.

    The arguments are stored as given and checked by :meth:`fit`
    (:class:`~sim.errors.ConfigError` naming the argument).

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma``.
    log_likelihood_, standard_errors_, confidence_intervals_, variance_matrix_, variance_matrix_log_
        As for :class:`~sim.analysis.clv.BetaGeoFitter`.
    n_customers_ : int
        Customers used (those with ``frequency > 0``).
    converged_, fit_issues_, optimizer_result_, summary
        As for :class:`~sim.analysis.clv.BetaGeoFitter`.

    Reading a fitted attribute before :meth:`fit` raises :class:`~sim.errors.NotFittedError`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> nu = rng.gamma(4.0, 1 / 150.0, 3000)
    >>> x = rng.integers(1, 8, 3000)
    >>> m = rng.gamma(6.0 * x, 1 / (nu * x))  # mean of x orders, each Gamma(6, rate nu)
    >>> ggf = GammaGammaFitter().fit(x, m)
    >>> ggf.params_.index.tolist()
    ['p', 'q', 'gamma']
    >>> bool(abs(ggf.mean_order_value() - 6 * 150 / 3) < 40)  # truth: 300
    True
    """

    _param_names = ("p", "q", "gamma")

    def _loglik(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _gg_loglik(params, *data)

    def _loglik_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _gg_loglik_grad(params, *data)

    def fit(
        self,
        frequency: ArrayLike,
        monetary_value: ArrayLike,
        *,
        initial_params: dict[str, float] | None = None,
    ) -> GammaGammaFitter:
        """Estimate ``p``, ``q``, ``gamma`` from customers with ``frequency > 0``.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases (customers with 0 are skipped).
        monetary_value : array-like
            Mean value of the repeat purchases; must be > 0 where ``frequency > 0``.
        initial_params : dict, optional
            Starting values (default p = 1, q = 2, gamma = mean monetary value).

        Returns
        -------
        GammaGammaFitter
            ``self``, with the fitted attributes set.

        Raises
        ------
        DataError
            Fewer than :data:`MIN_REPEAT_CUSTOMERS` customers with ``frequency > 0``, a
            non-positive ``monetary_value`` where ``frequency > 0``, or the same
            ``monetary_value`` for all of them (nothing to learn the spread from).
        ConfigError
            A negative ``penalizer`` or a ``confidence`` outside (0, 1).

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(2)
        >>> x = rng.integers(1, 6, 1000)
        >>> m = rng.gamma(6.0 * x, 1 / (rng.gamma(4.0, 1 / 150.0, 1000) * x))
        >>> ggf = GammaGammaFitter().fit(np.append(x, 0), np.append(m, 0.0))
        >>> ggf.n_customers_  # the customer without repeat purchases is skipped
        1000
        """
        self._check_config()
        arrs, _ = _checked_arrays({"frequency": frequency, "monetary_value": monetary_value})
        x, m = arrs["frequency"], arrs["monetary_value"]
        use = x > 0
        if not use.any():
            raise DataError(
                "no customer has frequency > 0; the Gamma-Gamma model needs repeat purchases",
                table="summary",
                column="frequency",
            )
        bad = np.flatnonzero(use & (m <= 0))
        if len(bad):
            raise DataError(
                "must be > 0 for customers with frequency > 0", table="summary", column="monetary_value", rows=bad
            )
        n_use = int(use.sum())
        if n_use < MIN_REPEAT_CUSTOMERS:
            raise DataError(
                f"need at least {MIN_REPEAT_CUSTOMERS} customers with frequency > 0 to fit the 3 Gamma-Gamma "
                f"parameters, got {n_use}",
                table="summary",
                column="frequency",
            )
        if np.ptp(m[use]) == 0:
            raise DataError(
                f"all {n_use} customers with repeat purchases have the same monetary_value ({m[use][0]:.6g}); "
                "the spread of spend across customers (q, gamma) cannot be identified",
                table="summary",
                column="monetary_value",
            )
        data, w = _compress(x[use], m[use])
        start = {"p": 1.0, "q": 2.0, "gamma": float(np.mean(m[use]))}
        if initial_params:
            unknown = set(initial_params) - set(start)
            if unknown:
                raise ConfigError(f"unknown parameter(s) {sorted(unknown)}; allowed: {list(start)}")
            start.update(initial_params)
        self._fit_ml(data, w, np.array([start[k] for k in self._param_names], dtype=float))
        return self

    def _prediction_issues(self, data: tuple[np.ndarray, ...]) -> list[str]:
        p, q, g = self.params_[list(self._param_names)].to_numpy()
        if q <= 1:
            return [f"q={q:.4g} <= 1: the mean order value is infinite"]
        x, m = data
        if not np.all(np.isfinite(p * (g + x * m) / (p * x + q - 1))):
            return ["conditional_expected_average_profit is not finite for some fitted customers"]
        return []

    def mean_order_value(self) -> float:
        """Population mean order value p * gamma / (q - 1).

        Raises
        ------
        DataError
            If q <= 1: the mean is infinite (a degenerate fit; see ``fit_issues_``), never
            returned as ``inf``.

        Examples
        --------
        >>> g = GammaGammaFitter()
        >>> g.params_ = pd.Series({"p": 6.0, "q": 4.0, "gamma": 150.0})
        >>> g.mean_order_value()
        300.0
        """
        self._check_fitted()
        p, q, g = self.params_[list(self._param_names)].to_numpy()
        _check_q(q)
        return float(self._finite(np.array(p * g / (q - 1)), "mean_order_value"))

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> pd.Series | np.ndarray | float:
        """Expected value of a customer's future orders given their history (FH 2013, eq. 5).

        ``E[Z | x, m] = p (gamma + x m) / (p x + q - 1)``: a weighted average of the population
        mean p gamma / (q - 1) and the customer's own mean ``m``, with weight on ``m`` growing
        with ``x``. Customers with ``frequency`` 0 get the population mean.

        Returns
        -------
        pandas.Series (if an input was a Series, same index), numpy.ndarray or float

        Raises
        ------
        DataError
            If q <= 1 (the mean order value is infinite) or a prediction is not finite.

        Examples
        --------
        >>> g = GammaGammaFitter()
        >>> g.params_ = pd.Series({"p": 6.0, "q": 4.0, "gamma": 150.0})
        >>> g.conditional_expected_average_profit([0, 1, 10], [0.0, 600.0, 600.0]).round(1)
        array([300. , 500. , 585.7])
        """
        self._check_fitted()
        arrs, index = _checked_arrays({"frequency": frequency, "monetary_value": monetary_value})
        x, m = arrs["frequency"], arrs["monetary_value"]
        p, q, g = self.params_[list(self._param_names)].to_numpy()
        _check_q(q)
        with np.errstate(all="ignore"):
            val = self._finite(p * (g + x * m) / (p * x + q - 1), "conditional_expected_average_profit", index)
        return _wrap(val, index, "expected_order_value")
