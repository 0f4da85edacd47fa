"""The shifted-beta-geometric (sBG) equations: survival, P(T = t), retention, log-likelihood, DERL.

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
sum is exact to rounding).

The functions take the natural parameters (alpha, beta) and are private to the package: the
fitter :class:`~sim.analysis.clv.ShiftedBetaGeometric` (:mod:`sim.analysis.clv.sbg`) checks
the inputs and calls them.

Examples
--------
>>> import numpy as np
>>> np.exp(_log_survival(1.0, 1.0, np.array([0.0, 1.0, 3.0])))  # p ~ Uniform(0, 1): S(t) = 1/(t+1)
array([1.  , 0.5 , 0.25])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

__all__: list[str] = []  # private equations of the sim.analysis.clv package


#: alpha closer than this to a whole number: the hyp2f1 closed form is not trusted (see module notes).
_NEAR_INTEGER = 1e-3
#: The term-by-term sum stops when the remaining tail is below this share of the total.
_SUM_RTOL = 1e-13
_CHUNK = 65536


def _alpha_beta(params: pd.Series) -> tuple[float, float]:
    """(alpha, beta) of fitted parameters as floats."""
    return float(params["alpha"]), float(params["beta"])


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
