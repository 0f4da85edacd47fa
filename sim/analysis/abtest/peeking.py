"""Why peeking at a running A/B test is dangerous: the A/A simulation, the guidance and its warning.

:func:`peeking_simulation` checks simulated A/A tests after every batch and reports how often
a false "winner" is declared; it vectorises the pooled two-proportion z statistic
(:func:`_pooled_z`) over all simulated tests and looks at once, because calling statsmodels'
``proportions_ztest`` once per look and per test would be thousands of times slower (a test
checks that the two agree). :func:`peeking_guidance` explains what to do instead and emits a
:class:`PeekingWarning`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis._validate import check_number, check_significance
from sim.errors import ConfigError

__all__ = ["PeekingWarning", "peeking_simulation", "peeking_guidance"]

#: Caps of :func:`peeking_simulation` (the demonstration needs far less; more would exhaust memory).
MAX_SIMS = 1_000_000
MAX_LOOKS = 1_000
MAX_N = 10**9
#: Cap of ``n_sims * looks`` (cells of the simulated table).
MAX_CELLS = 50_000_000


class PeekingWarning(UserWarning):
    """Repeated looks at a running test inflate its false-positive rate."""


def _pooled_z(x_a: np.ndarray, x_b: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pooled two-proportion z of B - A for equal group sizes ``n`` (0 where variance is 0)."""
    pooled = (x_a + x_b) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x_b - x_a) / n / se
    return np.where(se > 0, z, 0.0)


def peeking_simulation(
    p: float = 0.10,
    n_max: int = 2000,
    looks: int = 10,
    n_sims: int = 2000,
    alpha: float = 0.05,
    seed: int = 0,
    *,
    alpha_per_look: float | None = None,
) -> pd.Series:
    """Simulate A/A tests checked after every batch: how often is a "winner" declared?

    Both groups convert at the same rate ``p``, so every significant result is a false
    positive. Each arm receives ``n_max`` customers in ``looks`` equal batches; after each
    batch a two-sided pooled z-test is run on the data so far, and the test stops at the
    first p-value below ``alpha_per_look``.

    Parameters
    ----------
    p : float
        True conversion rate of both groups.
    n_max : int
        Customers per group at the last look (at most 10**9).
    looks : int
        Number of interim analyses (1 = analyse once at the end), at most 1000.
    n_sims : int
        Number of simulated tests, at most 1,000,000 (and ``n_sims * looks`` at most
        50,000,000, the size of the simulated table); larger values are a ``ConfigError``.
    alpha : float
        Nominal significance level of each simulated test (the demonstration is about the
        planned significance level, hence ``alpha`` rather than a confidence level).
    seed : int
        Seed of the numpy random generator (a non-negative integer).
    alpha_per_look : float, optional
        Level used at each look (default ``alpha``). ``alpha / looks`` (Bonferroni) brings
        the overall rate back below ``alpha``, at the cost of power.

    Returns
    -------
    pandas.Series
        Name ``peeking``: ``nominal_alpha``, ``alpha_per_look``, ``looks``, ``n_max``,
        ``n_sims``, ``realised_rate`` (share of tests declared significant at *any* look),
        ``realised_se`` (its Monte Carlo standard error), ``final_only_rate`` (share
        significant when analysed once, at ``n_max``, at level ``alpha``).

    Notes
    -----
    For normal data and equally spaced looks the overall rate at alpha = 0.05 is about
    0.08 (2 looks), 0.14 (5), 0.19 (10) and 0.25 (20) (Armitage, McPherson & Rowe, 1969).
    See :func:`peeking_guidance`.

    Examples
    --------
    >>> r = peeking_simulation(p=0.1, n_max=2000, looks=10, n_sims=2000, seed=1)
    >>> bool(r["realised_rate"] > 2 * r["nominal_alpha"])
    True
    """
    check_significance(alpha)
    a_look = alpha if alpha_per_look is None else alpha_per_look
    check_significance(a_look, name="alpha_per_look")
    check_number(p, "p", low=0, high=1, low_open=True, high_open=True)
    for name, v, cap in (("n_max", n_max, MAX_N), ("looks", looks, MAX_LOOKS), ("n_sims", n_sims, MAX_SIMS)):
        check_number(v, name, low=1, high=cap, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    if n_sims * looks > MAX_CELLS:
        raise ConfigError(
            f"n_sims * looks = {n_sims * looks:.3g} is not allowed: at most {MAX_CELLS:,} simulated looks "
            "(e.g. n_sims=2000, looks=10 is plenty for the demonstration)"
        )
    if looks > n_max:
        raise ConfigError(f"looks={looks} exceeds n_max={n_max}; each look needs new customers")
    rng = np.random.default_rng(seed)
    bounds = np.linspace(0, n_max, looks + 1).round().astype(np.int64)
    batch = np.diff(bounds)
    x_a = rng.binomial(batch, p, size=(n_sims, looks)).cumsum(axis=1)
    x_b = rng.binomial(batch, p, size=(n_sims, looks)).cumsum(axis=1)
    n = bounds[1:].astype(float)
    z = _pooled_z(x_a, x_b, n)
    pvals = 2 * stats.norm.sf(np.abs(z))
    any_look = (pvals < a_look).any(axis=1)
    rate = float(any_look.mean())
    return pd.Series(
        {
            "nominal_alpha": float(alpha),
            "alpha_per_look": float(a_look),
            "looks": float(looks),
            "n_max": float(n_max),
            "n_sims": float(n_sims),
            "realised_rate": rate,
            "realised_se": math.sqrt(rate * (1 - rate) / n_sims),
            "final_only_rate": float((pvals[:, -1] < alpha).mean()),
        },
        name="peeking",
    )


def peeking_guidance(looks: int, alpha: float = 0.05, *, warn: bool = True) -> str:
    """Explain what checking a running test ``looks`` times does, and what to do instead.

    Emits a :class:`PeekingWarning` (a ``UserWarning``) when ``looks > 1`` and ``warn`` is
    true; returns the guidance text either way.

    Parameters
    ----------
    looks : int
        Planned (or actual) number of interim analyses.
    alpha : float
        Intended overall significance level of the planned test (a test-planning quantity,
        hence ``alpha`` rather than a confidence level).
    warn : bool
        Whether to emit the warning.

    Returns
    -------
    str
        The guidance.

    Examples
    --------
    >>> print(peeking_guidance(1))
    One planned analysis at alpha = 0.05: the false-positive rate is alpha as intended.
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     text = peeking_guidance(10)
    >>> w[0].category.__name__, "0.005" in text
    ('PeekingWarning', True)
    """
    check_significance(alpha)
    if not isinstance(looks, (int, np.integer)) or looks < 1:
        raise ConfigError(f"looks={looks!r}; give a positive integer")
    if looks == 1:
        return f"One planned analysis at alpha = {alpha:g}: the false-positive rate is alpha as intended."
    text = (
        f"Checking a running A/B test {looks} times and stopping at the first p < {alpha:g} makes a false "
        f"'winner' far more likely than {alpha:g} (see peeking_simulation(looks={looks})). Instead: fix the "
        f"sample size in advance (sample_size_proportions / sample_size_means) and analyse once; or use a "
        f"group-sequential design with alpha spending (e.g. O'Brien-Fleming bounds); or, crudely, test "
        f"each look at alpha / looks = {alpha / looks:.4g} (Bonferroni), which costs power."
    )
    if warn:
        warnings.warn(text, PeekingWarning, stacklevel=2)
    return text
