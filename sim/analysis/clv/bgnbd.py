"""BG/NBD ("buy till you die") model of repeat purchasing, fitted by maximum likelihood.

While alive a customer makes repeat purchases as a Poisson process with rate lambda; after
each repeat purchase they drop out for good with probability p. Across customers
lambda ~ Gamma(shape ``r``, rate ``alpha``) per time unit and p ~ Beta(``a``, ``b``) (Fader,
Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)). The
parameters match the simulator's ``sim.Scenario.purchase``.

:mod:`scipy.special` (``gammaln``, ``betaln``, ``hyp2f1``, ``expit``) evaluates the
log-likelihood and the closed-form expectations, transcribed here (a few lines each) because
the package that used to provide them, ``lifetimes``, is unmaintained; the fitting machinery
is shared with the Gamma-Gamma model (:mod:`sim.analysis.clv._base`).

Examples
--------
>>> import pandas as pd
>>> bgf = BetaGeoFitter()
>>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})  # known parameters
>>> round(bgf.p_alive(3, 700.0, 730.0), 3)
0.884
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis.clv._base import _checked_arrays, _compress, _MLFitter, _wrap
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["BetaGeoFitter"]

#: Fewest customers :meth:`BetaGeoFitter.fit` accepts: more than the model's four parameters.
MIN_CUSTOMERS = 5


def _bgnbd_loglik(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (FHL 2005, eq. 6), in stable form.

    L = B(a, b+x)/B(a, b) * G(r+x) a^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)),
    combined with logaddexp so that neither term under- or overflows.
    """
    r, alpha, a, b = params
    base = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    term1 = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    rep = x > 0
    xs = np.where(rep, x, 1.0)  # keeps b + x - 1 > 0 where the term is unused
    term2 = np.where(rep, special.betaln(a + 1, b + xs - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return base + np.logaddexp(term1, term2)


def _bgnbd_loglik_grad(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Derivatives of :func:`_bgnbd_loglik` with respect to (r, alpha, a, b), one row per customer."""
    r, alpha, a, b = params
    psi = special.digamma
    term1 = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    rep = x > 0
    xs = np.where(rep, x, 1.0)
    term2 = np.where(rep, special.betaln(a + 1, b + xs - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    w1 = np.exp(term1 - np.logaddexp(term1, term2))  # share of the likelihood from "alive at T"
    w2 = 1.0 - w1
    la_t, la_tx = np.log(alpha + T), np.log(alpha + tx)
    d_r = psi(r + x) - psi(r) + np.log(alpha) - w1 * la_t - w2 * la_tx
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + tx))
    p_abx = psi(a + b + x)
    d_a = -(psi(a) - psi(a + b)) + w1 * (psi(a) - p_abx) + w2 * (psi(a + 1) - p_abx)
    d_b = -(psi(b) - psi(a + b)) + w1 * (psi(b + x) - p_abx) + w2 * (psi(b + xs - 1) - p_abx)
    return np.column_stack([d_r, d_alpha, d_a, d_b])


def _bgnbd_loglik_and_grad(
    params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, xu: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_bgnbd_loglik` and :func:`_bgnbd_loglik_grad` in one pass: the same numbers, bit for bit.

    The optimiser asks for both at every step. Computed together they share their terms, and
    each special function whose data argument is the frequency alone (a whole number with few
    distinct values) is evaluated once per distinct value and gathered back (``xu``:
    ``numpy.unique(x, return_inverse=True)``, computed here if not given). The special functions
    work element by element, so gathering gives each customer the very value the per-customer
    call gives; every other operation is the one of the two functions above, in the same order.

    Examples
    --------
    >>> x, tx, T = np.array([0.0, 2.0, 2.0, 5.0]), np.array([0.0, 30.0, 50.0, 80.0]), np.full(4, 90.0)
    >>> p = np.array([0.6, 60.0, 0.8, 5.0])
    >>> ll, grad = _bgnbd_loglik_and_grad(p, x, tx, T)
    >>> bool((ll == _bgnbd_loglik(p, x, tx, T)).all() and (grad == _bgnbd_loglik_grad(p, x, tx, T)).all())
    True
    """
    r, alpha, a, b = params
    psi, betaln = special.digamma, special.betaln
    ux, inv = np.unique(x, return_inverse=True) if xu is None else xu
    uxs = np.where(ux > 0, ux, 1.0)  # xs below, per distinct frequency
    rx = r + x
    # the log-likelihood (_bgnbd_loglik)
    base = special.gammaln(r + ux)[inv] - special.gammaln(r) + r * np.log(alpha) - betaln(a, b)
    la_t, la_tx = np.log(alpha + T), np.log(alpha + tx)
    term1 = betaln(a, b + ux)[inv] - rx * la_t
    rep = x > 0
    term2 = np.where(rep, betaln(a + 1, b + uxs - 1)[inv] - rx * la_tx, -np.inf)
    both = np.logaddexp(term1, term2)
    loglik = base + both
    # its gradient (_bgnbd_loglik_grad)
    w1 = np.exp(term1 - both)
    w2 = 1.0 - w1
    d_r = psi(r + ux)[inv] - psi(r) + np.log(alpha) - w1 * la_t - w2 * la_tx
    d_alpha = r / alpha - rx * (w1 / (alpha + T) + w2 / (alpha + tx))
    p_abx = psi(a + b + ux)[inv]
    d_a = -(psi(a) - psi(a + b)) + w1 * (psi(a) - p_abx) + w2 * (psi(a + 1) - p_abx)
    d_b = -(psi(b) - psi(a + b)) + w1 * (psi(b + ux)[inv] - p_abx) + w2 * (psi(b + uxs - 1)[inv] - p_abx)
    return loglik, np.column_stack([d_r, d_alpha, d_a, d_b])


def _check_bgnbd_inputs(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index | None]:
    arrs, index = _checked_arrays({"frequency": frequency, "recency": recency, "T": T})
    x, tx, tt = arrs["frequency"], arrs["recency"], arrs["T"]
    bad = np.flatnonzero(x != np.round(x))
    if len(bad):
        raise DataError(
            "frequency must be a whole number of repeat purchases", table="summary", column="frequency", rows=bad
        )
    bad = np.flatnonzero(tx > tt + 1e-9)
    if len(bad):
        raise DataError(
            "recency must not exceed T (the last purchase cannot be after the cutoff)",
            table="summary",
            column="recency",
            rows=bad,
        )
    bad = np.flatnonzero((x == 0) & (tx != 0))
    if len(bad):
        raise DataError("recency must be 0 when frequency is 0", table="summary", column="recency", rows=bad)
    bad = np.flatnonzero((x > 0) & (tx == 0))
    if len(bad):
        raise DataError(
            "recency must be > 0 when frequency > 0 (a repeat purchase happens after the first)",
            table="summary",
            column="recency",
            rows=bad,
        )
    return x, tx, tt, index


def _check_identifiable(x: np.ndarray, tx: np.ndarray, tt: np.ndarray, index: pd.Index | None) -> None:
    """Refuse data from which the four BG/NBD parameters cannot be estimated."""
    n = len(x)
    if n < MIN_CUSTOMERS:
        raise DataError(
            f"need at least {MIN_CUSTOMERS} customers to fit the 4 BG/NBD parameters, got {n}",
            table="summary",
            column="frequency",
        )
    if not (x > 0).any():
        raise DataError(
            f"no customer made a repeat purchase (frequency is 0 for all {n}); BG/NBD cannot be identified "
            "(the purchase rate and the dropout are confounded): use a longer window or more customers",
            table="summary",
            column="frequency",
        )
    if (x == x[0]).all() and (tx == tx[0]).all() and (tt == tt[0]).all():  # one history (n >= 1 here)
        raise DataError(
            f"all {n} customers have the same history (frequency, recency, T); BG/NBD cannot be identified",
            table="summary",
            column="frequency",
            rows=list(index[:1]) if index is not None else [0],
        )


class BetaGeoFitter(_MLFitter):
    """BG/NBD model of repeat purchasing ("buy till you die"), fitted by maximum likelihood.

    While alive a customer makes repeat purchases as a Poisson process with rate lambda;
    after each repeat purchase they drop out for good with probability p. Across customers
    lambda ~ Gamma(shape r, rate alpha) and p ~ Beta(a, b) (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    penalizer : float
        L2 penalty on the natural-scale parameters added to the mean negative
        log-likelihood (as in ``lifetimes``); 0 = plain maximum likelihood.
    confidence : float
        Confidence level of ``confidence_intervals_`` and of the ``summary`` bounds
        (0.95 = 95 % intervals), strictly between 0 and 1.

    The arguments are stored as given and checked by :meth:`fit`
    (:class:`~sim.errors.ConfigError` naming the argument).

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``a``, ``b`` (time unit of the data, days by default). ``alpha``
        here is the model's rate parameter, not a significance level.
    log_likelihood_ : float
        Maximised (unpenalised) log-likelihood summed over customers.
    standard_errors_ : pandas.Series
        Delta-method standard errors on the natural scale.
    confidence_intervals_ : pandas.DataFrame
        Log-scale Wald intervals, exponentiated.
    variance_matrix_, variance_matrix_log_ : pandas.DataFrame
        Covariance of the estimates on the natural (delta method) and log scale.
    n_customers_ : int
        Customers the model was fitted on.
    converged_ : bool
        Whether the fit is usable: the optimiser converged, no parameter ran to the edge of
        the search range, the Hessian is positive definite and predictions are finite.
    fit_issues_ : list of str
        The reasons ``converged_`` is False (empty when it is True).
    optimizer_result_ : scipy.optimize.OptimizeResult
        The optimiser's full result (on the log-parameters).
    summary : pandas.DataFrame
        ``coef``, ``se`` and the interval bounds, one row per parameter (a property).

    Reading a fitted attribute before :meth:`fit` raises :class:`~sim.errors.NotFittedError`.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.analysis.clv import BetaGeoFitter
    >>> rng = np.random.default_rng(0)
    >>> n = 2000
    >>> lam, p = rng.gamma(0.6, 1 / 60, n), rng.beta(0.8, 5, n)
    >>> x, tx = np.zeros(n), np.zeros(n)
    >>> for i in range(n):  # simulate 730 days of BG/NBD purchasing
    ...     t = 0.0
    ...     while True:
    ...         t += rng.exponential(1 / lam[i])
    ...         if t > 730:
    ...             break
    ...         x[i], tx[i] = x[i] + 1, t
    ...         if rng.random() < p[i]:
    ...             break
    >>> bgf = BetaGeoFitter().fit(x, tx, np.full(n, 730.0))
    >>> bgf.summary.round(2).columns.tolist()
    ['coef', 'se', 'lower 95%', 'upper 95%']
    >>> bool(bgf.params_["r"] / bgf.params_["alpha"] > 0)
    True
    """

    _param_names = ("r", "alpha", "a", "b")

    def _loglik(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _bgnbd_loglik(params, *data)

    def _loglik_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:
        return _bgnbd_loglik_grad(params, *data)

    def _loglik_and_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        cls = type(self)
        if cls._loglik is not BetaGeoFitter._loglik or cls._loglik_grad is not BetaGeoFitter._loglik_grad:
            return super()._loglik_and_grad(params, data)  # a subclass's own model (e.g. MBG/NBD)
        x, tx, tt = data
        xu = self.__dict__.get("_distinct_x")  # the distinct frequencies of the data being fitted
        if xu is None or xu[0] is not x:
            ux, inv = np.unique(x, return_inverse=True)
            xu = self._distinct_x = (x, ux, inv)
        return _bgnbd_loglik_and_grad(params, x, tx, tt, xu=(xu[1], xu[2]))

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        initial_params: dict[str, float] | None = None,
    ) -> BetaGeoFitter:
        """Estimate ``r``, ``alpha``, ``a``, ``b`` by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            The :func:`summary_data` columns (repeat purchases, time of the last purchase and
            of the cutoff, both measured from the first purchase).
        initial_params : dict, optional
            Starting values; by default r = 1, a = 1, b = 1 and alpha = r / (observed
            purchase rate).

        Returns
        -------
        BetaGeoFitter
            ``self``, with the fitted attributes set.

        Raises
        ------
        DataError
            Negative or non-integer frequency, recency > T, or recency inconsistent with
            frequency (the column is named); and data that cannot identify the model: fewer
            than :data:`MIN_CUSTOMERS` customers, no repeat purchase at all, or one history
            shared by everybody.

        Notes
        -----
        ``converged_`` is True only if the optimiser converged, no parameter ran to the edge
        of the search range, the Hessian is positive definite and the predictions on the
        fitted data are finite; otherwise each reason is in ``fit_issues_`` (and warned).
        ConfigError
            A negative ``penalizer`` or a ``confidence`` outside (0, 1).

        Examples
        --------
        >>> bgf = BetaGeoFitter().fit([0, 2, 5, 1, 0, 3], [0, 40, 80, 10, 0, 60], [90] * 6)
        >>> sorted(bgf.params_.index)
        ['a', 'alpha', 'b', 'r']
        """
        self._check_config()
        x, tx, tt, index = _check_bgnbd_inputs(frequency, recency, T)
        _check_identifiable(x, tx, tt, index)
        data, w = _compress(x, tx, tt)
        rate = max(float(np.sum(x)), 1.0) / max(float(np.sum(tt)), 1e-9)
        start = {"r": 1.0, "alpha": 1.0 / rate, "a": 1.0, "b": 1.0}
        if initial_params:
            unknown = set(initial_params) - set(start)
            if unknown:
                raise ConfigError(f"unknown parameter(s) {sorted(unknown)}; allowed: {list(start)}")
            start.update(initial_params)
        try:
            self._fit_ml(data, w, np.array([start[k] for k in self._param_names], dtype=float))
        finally:
            self.__dict__.pop("_distinct_x", None)
        return self

    def _prediction_issues(self, data: tuple[np.ndarray, ...]) -> list[str]:
        x, tx, tt = data
        t_max = float(np.max(tt)) if len(tt) else 1.0
        issues = []
        if not np.all(np.isfinite(self._population_curve(np.array([t_max])))):
            issues.append(f"expected_purchases({t_max:g}) is not finite at the fitted parameters")
        if not np.all(np.isfinite(self._cond_expected(t_max, x, tx, tt))):
            issues.append("conditional_expected_purchases is not finite for some fitted customers")
        return issues

    # -- predictions ---------------------------------------------------------------------

    def expected_purchases(self, t: ArrayLike) -> np.ndarray | float:
        """Population mean number of repeat purchases in (0, t] for a new customer, E[X(t)].

        Closed form (FHL 2005, eq. 9)::

            E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r * 2F1(r, b; a+b-1; t/(alpha+t))]

        evaluated with :func:`scipy.special.hyp2f1`.

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the fitted time unit.

        Notes
        -----
        The formula has a removable singularity at a = 1 (0/0); estimates within about 1e-6
        of 1 lose accuracy.

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> bgf = BetaGeoFitter()
        >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> round(bgf.expected_purchases(0.0), 6), bool(bgf.expected_purchases(365) > bgf.expected_purchases(30))
        (0.0, True)
        """
        self._check_fitted()
        tt = np.asarray(t, dtype=float)
        val = self._finite(self._population_curve(tt), "expected_purchases").reshape(tt.shape)
        return float(val) if val.ndim == 0 else val

    def _population_curve(self, tt: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self.params_[list(self._param_names)].to_numpy()
        z = tt / (alpha + tt)
        with np.errstate(all="ignore"):
            return np.asarray(
                (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + tt)) ** r * special.hyp2f1(r, b, a + b - 1, z))
            )

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> pd.Series | np.ndarray | float:
        """Probability that a customer with this history is still alive at ``T`` (FHL 2005, eq. 13).

        ``P(alive) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``, computed on the
        log scale. A customer without repeat purchases is alive with probability 1 (in BG/NBD
        dropout can only follow a repeat purchase).

        Returns
        -------
        pandas.Series (if an input was a Series, same index), numpy.ndarray or float

        Examples
        --------
        >>> bgf = BetaGeoFitter()
        >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> bgf.p_alive([0, 3, 3], [0, 700, 100], [730, 730, 730]).round(3)
        array([1.   , 0.884, 0.027])

        By hand for the second customer: 1 / (1 + 0.8/7 * (790/760)^3.6) = 1 / 1.131 = 0.884.
        """
        self._check_fitted()
        x, tx, tt, index = _check_bgnbd_inputs(frequency, recency, T)
        return _wrap(self._finite(self._p_alive(x, tx, tt), "p_alive", index), index, "p_alive")

    def _log_odds_dead(self, x: np.ndarray, tx: np.ndarray, tt: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self.params_[list(self._param_names)].to_numpy()
        xs = np.where(x > 0, x, 1.0)
        lo = np.log(a) - np.log(b + xs - 1) + (r + x) * (np.log(alpha + tt) - np.log(alpha + tx))
        return np.where(x > 0, lo, -np.inf)

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, tt: np.ndarray) -> np.ndarray:
        return special.expit(-self._log_odds_dead(x, tx, tt))

    def conditional_expected_purchases(
        self, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> pd.Series | np.ndarray | float:
        """Expected repeat purchases in the next ``t`` time units given each history (FHL 2005, eq. 10).

        ::

            E[Y(t) | x, t_x, T] = P(alive) * (a+b+x-1)/(a-1)
                * [1 - ((alpha+T)/(alpha+T+t))^(r+x) * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]

        Parameters
        ----------
        t : float
            Length of the prediction window.
        frequency, recency, T : array-like
            Each customer's summary at the cutoff.

        Returns
        -------
        pandas.Series (if an input was a Series, same index), numpy.ndarray or float

        Examples
        --------
        >>> bgf = BetaGeoFitter()
        >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> e = bgf.conditional_expected_purchases(90, [0, 5, 5], [0, 700, 200], [730, 730, 730])
        >>> bool(e[1] > e[2])  # same frequency, but the recent buyer is more likely alive
        True
        """
        self._check_fitted()
        x, tx, tt, index = _check_bgnbd_inputs(frequency, recency, T)
        if not np.ndim(t) == 0 or not float(t) >= 0:
            raise ConfigError(f"t={t!r} must be a single number >= 0")
        val = self._finite(self._cond_expected(float(t), x, tx, tt), "conditional_expected_purchases", index)
        return _wrap(val, index, "expected_purchases")

    def _cond_expected(self, t: float, x: np.ndarray, tx: np.ndarray, tt: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self.params_[list(self._param_names)].to_numpy()
        z = t / (alpha + tt + t)
        with np.errstate(all="ignore"):
            bracket = 1 - ((alpha + tt) / (alpha + tt + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
            return np.asarray(self._p_alive(x, tx, tt) * (a + b + x - 1) / (a - 1) * bracket)

    # -- plots ---------------------------------------------------------------------------

    def plot_expected_purchases(
        self, t_max: float = 730.0, *, ax: Axes | None = None, time_label: str = "days"
    ) -> Axes:
        """Plot the population curve E[X(t)] for t in [0, ``t_max``].

        Parameters
        ----------
        t_max : float
            Right end of the time axis, in the fitted time unit.
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            Unit shown on the x axis.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> bgf = BetaGeoFitter()
        >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> bgf.plot_expected_purchases(365).get_xlabel()
        'time since first purchase (days)'
        """
        self._check_fitted()
        ax = new_axes(ax, figsize=(7, 4))
        t = np.linspace(0.0, float(t_max), 200)
        ax.plot(t, self.expected_purchases(t), color="C0")
        label_axes(
            ax,
            title="BG/NBD: expected repeat purchases of a new customer",
            xlabel=f"time since first purchase ({time_label})",
            ylabel="expected repeat purchases (orders per customer)",
        )
        ax.set_xlim(0, t_max)
        ax.set_ylim(bottom=0)
        return ax

    def plot_p_alive_matrix(
        self, T: float, *, max_frequency: int = 20, ax: Axes | None = None, time_label: str = "days"
    ) -> Axes:
        """Heatmap of P(alive) by frequency and recency for customers observed for ``T``.

        Parameters
        ----------
        T : float
            Common observation length (first purchase to cutoff), in the fitted time unit.
        max_frequency : int
            Largest number of repeat purchases shown.
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            Unit shown on the x axis.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> bgf = BetaGeoFitter()
        >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
        >>> bgf.plot_p_alive_matrix(365, max_frequency=10).get_ylabel()
        'frequency: repeat purchases (orders)'
        """
        self._check_fitted()
        ax = new_axes(ax, figsize=(7, 5))
        freqs = np.arange(0, int(max_frequency) + 1, dtype=float)
        recs = np.linspace(0.0, float(T), 100)
        fx, rx = np.meshgrid(freqs, recs, indexing="ij")
        rx = np.where(fx == 0, 0.0, np.maximum(rx, 1e-9))
        pa = self._p_alive(fx.ravel(), rx.ravel(), np.full(fx.size, float(T))).reshape(fx.shape)
        im = ax.imshow(
            pa, origin="lower", aspect="auto", extent=(0, T, -0.5, max_frequency + 0.5), vmin=0, vmax=1, cmap="viridis"
        )
        ax.figure.colorbar(im, ax=ax, label="P(alive) at the cutoff")
        return label_axes(
            ax,
            title=f"BG/NBD: probability a customer is still alive (observed for {T:g} {time_label})",
            xlabel=f"recency: time from first to last purchase ({time_label})",
            ylabel="frequency: repeat purchases (orders)",
        )
