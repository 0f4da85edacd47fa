"""The ML fitters' fallback after L-BFGS-B reports failure (sim.analysis.clv._base).

L-BFGS-B sometimes stops "ABNORMAL" at a point that is already stationary (its line search runs out
of floating-point precision). There Nelder-Mead gets a polishing budget (100 iterations per
parameter); away from a stationary point it gets the full 4,000-iteration search. The failure is
injected into a real fit of well-identified data, and the budget Nelder-Mead was given is read back.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from sim.analysis.clv import BetaGeoFitter, _base


def _bgnbd_data(seed: int = 3, n: int = 4000):
    """Customers drawn from a BG/NBD with r=0.8, alpha=40, a=0.8, b=2.5 over 1-2 years."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.8, 1 / 40.0, n)
    p = rng.beta(0.8, 2.5, n)
    T = rng.uniform(365, 730, n)
    x = np.zeros(n, dtype=int)
    tx = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    return x, tx, T


def _fit_with_failed_lbfgs(monkeypatch, jac_scale: float | None):
    """Fit, with L-BFGS-B's result turned into an ABNORMAL stop; return (fitter, NM maxiter or None)."""
    real = optimize.minimize
    seen: dict[str, int] = {}

    def minimize(fun, x0, *args, **kwargs):
        res = real(fun, x0, *args, **kwargs)
        if kwargs.get("method") == "L-BFGS-B":
            res.success, res.message = False, "ABNORMAL: (injected)"
            if jac_scale is not None:
                res.jac = np.full_like(res.x, jac_scale)
        elif kwargs.get("method") == "Nelder-Mead":
            seen["maxiter"] = kwargs["options"]["maxiter"]
        return res

    monkeypatch.setattr(_base.optimize, "minimize", minimize)
    m = BetaGeoFitter().fit(*_bgnbd_data())
    return m, seen.get("maxiter")


def test_a_stationary_stop_gets_a_polish_that_confirms_the_maximum(monkeypatch):
    clean = BetaGeoFitter().fit(*_bgnbd_data())
    assert clean.converged_, clean.fit_issues_
    m, maxiter = _fit_with_failed_lbfgs(monkeypatch, jac_scale=None)  # L-BFGS-B's own (tiny) gradient
    assert maxiter == _base._POLISH_ITER_PER_PARAM * 4
    assert m.converged_, m.fit_issues_  # Nelder-Mead confirmed the sharp maximum within the polish
    np.testing.assert_allclose(m.params_.to_numpy(), clean.params_.to_numpy(), rtol=1e-3)


def test_a_stop_away_from_a_stationary_point_gets_the_full_search(monkeypatch):
    _, maxiter = _fit_with_failed_lbfgs(monkeypatch, jac_scale=0.5)
    assert maxiter == _base._FALLBACK_ITER


def test_a_successful_fit_never_calls_nelder_mead(monkeypatch):
    calls = []
    real = optimize.minimize
    monkeypatch.setattr(_base.optimize, "minimize", lambda *a, **k: calls.append(k.get("method")) or real(*a, **k))
    assert BetaGeoFitter().fit(*_bgnbd_data()).converged_
    assert calls == ["L-BFGS-B"]
