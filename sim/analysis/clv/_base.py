"""Shared maximum-likelihood machinery of the CLV fitters: optimisation, Hessian standard errors, summary.

* :func:`scipy.optimize.minimize` (L-BFGS-B on the log-parameters, Nelder-Mead as a fallback)
  maximises the likelihood;
* :func:`statsmodels.tools.numdiff.approx_fprime` differentiates the analytic gradient
  numerically (central differences) to give the Hessian behind the standard errors.

**Standard errors.** The Hessian of the negative log-likelihood on the log-parameters is
taken by central differences of its analytic gradient; the covariance of the log-parameters
is its inverse. ``standard_errors_`` are on the natural scale by the delta method
(se(theta) = theta * se(log theta)); ``confidence_intervals_`` are Wald intervals on the log
scale, exponentiated (exp(log theta +/- z * se(log theta))), so they are asymmetric and
always positive.

Nothing here is public: the fitters are :class:`~sim.analysis.clv.BetaGeoFitter` and
:class:`~sim.analysis.clv.GammaGammaFitter`.

Examples
--------
>>> import numpy as np
>>> data, weights = _compress(np.array([1.0, 1.0, 2.0]), np.array([5.0, 5.0, 7.0]))
>>> [d.tolist() for d in data], weights.tolist()
([[1.0, 2.0], [5.0, 7.0]], [2.0, 1.0])
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats
from statsmodels.tools.numdiff import approx_fprime
from threadpoolctl import ThreadpoolController

from sim.analysis._validate import FittedMixin, check_confidence, require_columns
from sim.errors import ConfigError, DataError

__all__: list[str] = []  # private helpers of the sim.analysis.clv package

_LOG_BOUND = 20.0  # log-parameters are kept in [-20, 20] during the search

#: Largest gradient entry (mean negative log-likelihood per log-parameter) at which a stopped
#: L-BFGS-B search counts as stationary: there Nelder-Mead can only polish the maximum.
_STATIONARY_GRAD = 1e-4
#: Nelder-Mead iterations after L-BFGS-B failed away from a stationary point (a full search) ...
_FALLBACK_ITER = 4000
#: ... and per parameter after it stopped at one: enough to confirm a sharp maximum (tens of
#: iterations), while a flat ridge (unidentified parameters) stops early, still "not converged".
_POLISH_ITER_PER_PARAM = 100


def _stationary(res: optimize.OptimizeResult) -> bool:
    """Whether an unsuccessful L-BFGS-B search nevertheless stopped at a stationary point.

    L-BFGS-B reports ``ABNORMAL`` when its line search cannot decrease the objective any more
    within floating-point precision, typically on degenerate data where two parameters run off
    together along a flat ridge (BG/NBD's ``a`` and ``b`` when no customer is seen to drop out).
    With the gradient already below :data:`_STATIONARY_GRAD` a full Nelder-Mead fallback would
    crawl along the ridge for its 4,000 iterations (seconds) to change the objective in the eighth
    digit; the fallback gets a polishing budget instead (:data:`_POLISH_ITER_PER_PARAM`), which
    confirms a sharp maximum and leaves a ridge reported as not converged.

    Examples
    --------
    >>> _stationary(optimize.OptimizeResult(fun=5.48, jac=np.array([3.6e-6, -1e-7])))
    True
    >>> _stationary(optimize.OptimizeResult(fun=5.48, jac=np.array([0.2, 0.0])))
    False
    >>> _stationary(optimize.OptimizeResult(fun=1e100, jac=np.zeros(2)))   # no finite point found
    False
    """
    jac = getattr(res, "jac", None)
    if jac is None or not res.fun < 1e100:
        return False
    jac = np.asarray(jac, dtype=float)
    return bool(np.all(np.isfinite(jac)) and np.max(np.abs(jac), initial=0.0) <= _STATIONARY_GRAD)


_BLAS: list[ThreadpoolController] = []  # the BLAS libraries' controller, found once (finding them takes ms)


def _one_blas_thread() -> Any:
    """A context in which the BLAS libraries use one thread (:mod:`threadpoolctl`)."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def _column(values: ArrayLike, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return pd.Series(values.to_numpy(), name=name)
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise DataError(f"expected a 1-d array, got shape {arr.shape}", table="summary", column=name)
    return pd.Series(arr, name=name)


def _checked_arrays(
    values: dict[str, ArrayLike], *, allow_empty: bool = False
) -> tuple[dict[str, np.ndarray], pd.Index | None]:
    """Validate 1-d inputs through :func:`require_columns`; return float arrays and an index."""
    index = next((v.index for v in values.values() if isinstance(v, pd.Series)), None)
    cols = {k: _column(v, k) for k, v in values.items()}
    lengths = {k: len(v) for k, v in cols.items()}
    n = max(lengths.values())
    for k, v in cols.items():
        if len(v) == 1 and n > 1:
            cols[k] = pd.Series(np.repeat(v.to_numpy(), n), name=k)
        elif len(v) != n:
            raise DataError(f"has length {len(v)} but the other inputs have length {n}", table="summary", column=k)
    df = require_columns(pd.DataFrame(cols), dict.fromkeys(cols, "nonneg"), table="summary", allow_empty=allow_empty)
    out = {k: df[k].to_numpy(dtype=float) for k in cols}
    if index is not None and len(index) != n:
        index = None
    return out, index


def _wrap(values: np.ndarray, index: pd.Index | None, name: str) -> pd.Series | np.ndarray | float:
    if index is not None:
        return pd.Series(values, index=index, name=name)
    if values.ndim == 1 and values.size == 1:
        return float(values[0])
    return values


class _MLFitter(FittedMixin):
    """Common parts of the maximum-likelihood fitters (not public).

    Configuration (``penalizer``, ``confidence``) is stored by ``__init__`` and checked by
    ``fit`` (the scikit-learn convention); ``fit`` sets the trailing-underscore attributes
    listed in ``_fitted_attributes`` and returns ``self``.
    """

    _param_names: tuple[str, ...] = ()
    _fitted_attributes = (
        "params_",
        "log_likelihood_",
        "standard_errors_",
        "confidence_intervals_",
        "variance_matrix_",
        "variance_matrix_log_",
        "n_customers_",
        "converged_",
        "fit_issues_",
        "optimizer_result_",
    )

    def __init__(self, penalizer: float = 0.0, confidence: float = 0.95) -> None:
        self.penalizer = penalizer
        self.confidence = confidence

    def _check_config(self) -> None:
        """Validate the ``__init__`` arguments (called at the start of ``fit``)."""
        pen = self.penalizer
        if isinstance(pen, bool) or not isinstance(pen, numbers.Real) or not 0 <= pen < float("inf"):
            raise ConfigError(
                f"penalizer={pen!r} is not allowed: give a number >= 0 (finite; 0 = plain maximum likelihood)"
            )
        check_confidence(self.confidence)

    # subclasses define the per-row log-likelihood and its gradient (natural parameters)
    def _loglik(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _loglik_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _loglik_and_grad(self, params: np.ndarray, data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Both of the above (a subclass may compute them together, sharing their terms)."""
        return self._loglik(params, data), self._loglik_grad(params, data)

    def _prediction_issues(self, data: tuple[np.ndarray, ...]) -> list[str]:
        """Reasons why the fitted parameters give non-finite predictions on ``data`` (none = [])."""
        return []

    def _finite(self, values: np.ndarray, what: str, index: pd.Index | None = None) -> np.ndarray:
        """Return ``values`` if all are finite, else raise a :class:`DataError` naming the rows.

        Predictions never hand back inf or NaN silently: degenerate parameters (see
        ``fit_issues_``) are an error here, not a number.
        """
        arr = np.asarray(values, dtype=float)
        bad = np.flatnonzero(~np.isfinite(arr.reshape(-1)))
        if len(bad):
            ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            issues = self.__dict__.get("fit_issues_") or []
            why = f"; fit issues: {'; '.join(issues)[:200]}" if issues else ""
            rows = list(index[bad]) if index is not None and len(index) == arr.size else bad.tolist()
            raise DataError(
                f"{what} is not finite with the fitted parameters ({ps}){why}; refit on more (or less degenerate) data",
                table="predictions",
                rows=rows,
            )
        return arr

    def _objective(
        self, theta: np.ndarray, data: tuple[np.ndarray, ...], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Mean negative log-likelihood (+ penalty) and its gradient, on the log-parameters."""
        n = float(weights.sum())
        params = np.exp(theta)
        loglik, loglik_grad = self._loglik_and_grad(params, data)
        val = -float(np.dot(weights, loglik)) / n + self.penalizer * float(np.sum(params**2))
        grad = -(weights @ loglik_grad) / n + 2 * self.penalizer * params
        grad = grad * params  # chain rule: d/d(log theta) = theta * d/d(theta)
        if not (np.isfinite(val) and np.all(np.isfinite(grad))):
            return 1e100, np.zeros_like(theta)
        return val, grad

    def _fit_ml(self, data: tuple[np.ndarray, ...], weights: np.ndarray, start: np.ndarray) -> None:
        # One BLAS thread: the products here are a few thousand rows by a handful of parameters, too
        # small to gain from threads, while OpenBLAS's idle threads spin after each threaded call and
        # burn another core (two thirds of a 5,000-customer BG/NBD fit's CPU time, and the core a
        # parallel worker needs). The numbers are the same with one thread.
        with _one_blas_thread():
            self._fit_ml_run(data, weights, start)

    def _fit_ml_run(self, data: tuple[np.ndarray, ...], weights: np.ndarray, start: np.ndarray) -> None:
        n = float(weights.sum())
        theta0 = np.log(start)
        bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(theta0)
        res = optimize.minimize(
            self._objective,
            theta0,
            args=(data, weights),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
        )
        if not res.success:

            def fun(th: np.ndarray) -> float:
                return self._objective(th, data, weights)[0]

            # a full search from where L-BFGS-B stopped, or only a polish if it stopped stationary
            budget = _POLISH_ITER_PER_PARAM * len(theta0) if _stationary(res) else _FALLBACK_ITER
            res2 = optimize.minimize(
                fun,
                res.x if res.fun < 1e100 else theta0,
                method="Nelder-Mead",
                options={"maxiter": budget, "xatol": 1e-8, "fatol": 1e-13},
            )
            if res2.fun <= res.fun:
                res = res2
        theta = res.x
        issues: list[str] = []
        if not res.success:
            issues.append(f"the optimiser did not converge ({res.message})")
        self.optimizer_result_ = res
        at_bound = [k for k, th in zip(self._param_names, theta) if abs(th) >= _LOG_BOUND - 1e-3]
        if at_bound:
            issues.append(
                f"{at_bound} ran to the edge of the search range (exp(+/-{_LOG_BOUND:g})); "
                "the data do not pin them down (too few customers?)"
            )
        self.n_customers_ = int(round(n))
        params = np.exp(theta)
        self.params_ = pd.Series(params, index=list(self._param_names), name="coef")
        self.log_likelihood_ = float(np.dot(weights, self._loglik(params, data)))
        # Hessian of the (penalised) total negative log-likelihood on the log scale:
        # central differences of the analytic gradient, symmetrised.
        hess = approx_fprime(theta, lambda th: n * self._objective(th, data, weights)[1], centered=True)
        hess = (hess + hess.T) / 2
        try:
            cov_log = np.linalg.inv(hess)
            ok = bool(np.all(np.diag(cov_log) > 0) and np.all(np.isfinite(cov_log)))
        except np.linalg.LinAlgError:
            ok = False
        if not ok:
            issues.append("the Hessian is not positive definite; standard errors are NaN")
            cov_log = np.full((len(theta), len(theta)), np.nan)
        with np.errstate(all="ignore"):
            issues.extend(self._prediction_issues(data))
        self.fit_issues_ = issues
        self.converged_ = not issues
        for issue in issues:
            warnings.warn(f"{type(self).__name__}: {issue}", RuntimeWarning, stacklevel=4)
        names = list(self._param_names)
        self.variance_matrix_log_ = pd.DataFrame(cov_log, index=names, columns=names)
        self.variance_matrix_ = pd.DataFrame(cov_log * np.outer(params, params), index=names, columns=names)
        se_log = np.sqrt(np.diag(cov_log))
        self.standard_errors_ = pd.Series(params * se_log, index=names, name="se")
        z = stats.norm.ppf(0.5 + self.confidence / 2)
        pct = f"{100 * self.confidence:g}%"
        self.confidence_intervals_ = pd.DataFrame(
            {f"lower {pct}": np.exp(theta - z * se_log), f"upper {pct}": np.exp(theta + z * se_log)}, index=names
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Table of estimates: ``coef``, ``se`` (delta method) and the log-scale Wald interval.

        One row per parameter (index ``param``); the interval columns are named after the
        ``confidence`` level, e.g. ``lower 95%`` and ``upper 95%``.

        Raises
        ------
        sim.errors.NotFittedError
            Before :meth:`fit`.

        Examples
        --------
        >>> import numpy as np
        >>> from sim.analysis.clv import GammaGammaFitter
        >>> rng = np.random.default_rng(1)
        >>> x = rng.integers(1, 8, 500)
        >>> m = rng.gamma(6.0 * x, 1 / (rng.gamma(4.0, 1 / 150.0, 500) * x))
        >>> GammaGammaFitter(confidence=0.9).fit(x, m).summary.columns.tolist()
        ['coef', 'se', 'lower 90%', 'upper 90%']
        """
        self._check_fitted()
        out = pd.concat(
            [self.params_.rename("coef"), self.standard_errors_.rename("se"), self.confidence_intervals_], axis=1
        )
        out.index.name = "param"
        return out

    def __repr__(self) -> str:
        if not self.is_fitted:
            return f"<{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        n = self.__dict__.get("n_customers_", "?")
        return f"<{type(self).__name__}: fitted on {n} customers, {ps}>"


def _compress(*cols: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Unique rows and their counts (many customers share the same summary).

    The rows come back in lexicographic order, as ``numpy.unique(stacked, axis=0)`` gives them, but
    sorted with :func:`numpy.lexsort` on the columns (``unique`` with ``axis`` sorts the rows as
    structured records, several times slower).

    Examples
    --------
    >>> x, t = np.array([2.0, 1.0, 2.0, 1.0, 0.0]), np.array([5.0, 7.0, 5.0, 3.0, 9.0])
    >>> data, weights = _compress(x, t)
    >>> uniq, counts = np.unique(np.column_stack([x, t]), axis=0, return_counts=True)
    >>> bool((np.column_stack(data) == uniq).all() and (weights == counts).all())
    True
    """
    stacked = np.column_stack(cols)
    n, k = stacked.shape
    rows = stacked[np.lexsort(stacked.T[::-1])]  # by the first column, then the second, ...
    new = np.ones(n, dtype=bool)
    if n:
        new[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    uniq = rows[starts]
    counts = np.diff(np.append(starts, n))
    return tuple(uniq[:, j] for j in range(k)), counts.astype(float)
