"""Acquisition: how many prospects and leads it took to win a channel's customers (the funnel).

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
The funnel (:mod:`sim.world.funnel`) is drawn after the run from the paid acquisitions it must end
in: when each prospect orders with probability ``prospect_to_customer``, the prospects it took to
win ``n`` customers are ``n`` plus the failures before the ``n``-th success (negative binomial);
leads from prospects likewise (:func:`negbin_trials`). ``customers / prospects`` is then the
maximum-likelihood estimate of ``prospect_to_customer`` (inverse sampling).
"""

from __future__ import annotations

import numpy as np

__all__ = ["negbin_trials"]


def negbin_trials(successes: np.ndarray, prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Trials it took to reach ``successes`` when each succeeds with ``prob``: successes + NegBin failures.

    ``trials = n + NegBin(n, prob)`` (the failures before the ``n``-th success), so
    ``E[trials] = n / prob``. Zero successes took zero trials. One vectorised draw per element
    (also for zeros, so the stream's use does not depend on where the zeros are).

    Parameters
    ----------
    successes : array of int
        Successes reached (e.g. customers won), ``n >= 0``.
    prob : array of float
        Success probability of one trial, in (0, 1].
    rng : numpy.random.Generator
        The stream to draw from (the run's ``funnel`` stream).

    Returns
    -------
    ndarray of int64
        Trials per element, ``>= successes``.

    Examples
    --------
    >>> negbin_trials(np.array([0, 5]), np.array([0.5, 1.0]), np.random.default_rng(1)).tolist()
    [0, 5]
    >>> trials = negbin_trials(np.full(4000, 10), np.full(4000, 0.25), np.random.default_rng(2))
    >>> bool(abs(trials.mean() / 40.0 - 1.0) < 0.02)    # E[trials] = n / prob
    True
    """
    n = np.asarray(successes, dtype=np.int64)
    failures = rng.negative_binomial(np.maximum(n, 1), prob)
    return n + np.where(n > 0, failures, 0)
