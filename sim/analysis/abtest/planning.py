"""Planning an A/B test: customers needed per group for a given power and significance level.

:func:`sample_size_proportions` (conversion rates, Cohen's h with statsmodels
``NormalIndPower``) and :func:`sample_size_means` (standardised mean difference, statsmodels
``TTestIndPower``), with the check of ``power``, ``alpha`` and ``alternative`` they share.
``alpha`` is a planned significance level here, so it keeps that name. A difference so small
that more than :data:`MAX_SAMPLE_SIZE` customers per group would be needed is refused with a
``ConfigError`` (the solver would not converge, and no real test could run that long).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from sim.analysis._validate import check_number, check_significance
from sim.analysis.abtest._common import Alternative, _check_alternative
from sim.errors import ConfigError

__all__ = ["sample_size_proportions", "sample_size_means"]

#: Largest sample size per group that the planners return (10**9 customers per group).
MAX_SAMPLE_SIZE = 10**9


def _check_power(power: float, alpha: float, alternative: str) -> None:
    check_significance(alpha)
    _check_alternative(alternative)
    if isinstance(power, bool) or not isinstance(power, float | int | np.floating | np.integer) or not 0 < power < 1:
        raise ConfigError(f"power={power!r} is not allowed: give a probability strictly between 0 and 1, e.g. 0.8")


def _check_feasible(effect: float, power: float, alpha: float, alternative: str, what: str) -> None:
    """Refuse an effect so small that the normal approximation needs more than MAX_SAMPLE_SIZE per group."""
    z_alpha = stats.norm.ppf(1 - alpha / 2) if alternative == "two-sided" else stats.norm.ppf(1 - alpha)
    approx = 2 * ((z_alpha + stats.norm.ppf(power)) / abs(effect)) ** 2
    if not approx <= MAX_SAMPLE_SIZE:
        raise ConfigError(
            f"{what} is too small to detect: about {approx:.2g} customers per group would be needed; "
            f"plan for a difference that needs at most MAX_SAMPLE_SIZE = {MAX_SAMPLE_SIZE:.0e} per group"
        )


def _ceil(n: object, what: str) -> int:
    value = float(np.asarray(n).reshape(-1)[0])
    if not np.isfinite(value) or value > MAX_SAMPLE_SIZE:
        raise ConfigError(f"{what}: the sample-size solver did not converge (got {value!r}); plan a larger difference")
    return int(math.ceil(value - 1e-9))


def sample_size_proportions(
    p_a: float,
    p_b: float,
    power: float = 0.8,
    alpha: float = 0.05,
    *,
    alternative: Alternative = "two-sided",
) -> int:
    """Customers needed **per group** to detect ``p_a`` -> ``p_b`` (equal group sizes).

    Uses Cohen's h (statsmodels ``proportion_effectsize``) and ``NormalIndPower``; the
    answer is rounded up.

    Parameters
    ----------
    p_a, p_b : float
        Baseline and hoped-for proportions (must differ).
    power : float
        Probability of detecting the difference if it is real.
    alpha : float
        Significance level of the planned test (0.05 = 5 % false positives). This is a
        test-planning quantity, so it keeps the name ``alpha``; the test itself
        (:func:`two_proportion_test`) then runs at ``confidence = 1 - alpha``.
    alternative : {"two-sided", "larger", "smaller"}

    Returns
    -------
    int
        Sample size per group (at most :data:`MAX_SAMPLE_SIZE`; a difference needing more
        is a ``ConfigError``).

    Examples
    --------
    >>> sample_size_proportions(0.05, 0.06)   # a one-point lift on 5% needs many customers
    8143
    """
    _check_power(power, alpha, alternative)
    for name, v in (("p_a", p_a), ("p_b", p_b)):
        check_number(v, name, low=0, high=1, low_open=True, high_open=True)
    if p_a == p_b:
        raise ConfigError("p_a equals p_b: there is no difference to detect")
    h = float(proportion_effectsize(p_b, p_a))
    if (alternative == "larger" and h < 0) or (alternative == "smaller" and h > 0):
        raise ConfigError(f"p_b={p_b!r} vs p_a={p_a!r} points the other way from alternative={alternative!r}")
    _check_feasible(h, power, alpha, alternative, f"the difference p_b - p_a = {p_b - p_a:.3g}")
    n = NormalIndPower().solve_power(  # statsmodels wants the signed effect for a one-sided test
        effect_size=h if alternative != "two-sided" else abs(h),
        power=power,
        alpha=alpha,
        ratio=1.0,
        alternative=alternative,
    )
    return _ceil(n, f"p_a={p_a!r}, p_b={p_b!r}")


def sample_size_means(
    effect_size: float,
    power: float = 0.8,
    alpha: float = 0.05,
    *,
    alternative: Alternative = "two-sided",
) -> int:
    """Observations needed **per group** to detect a standardised difference (Cohen's d).

    Uses statsmodels ``TTestIndPower`` (two-sample t-test, equal group sizes), rounded up.

    Parameters
    ----------
    effect_size : float
        Cohen's d = difference in means / standard deviation (0.2 small, 0.5 medium, 0.8 large).
    power : float
        Probability of detecting the difference if it is real.
    alpha : float
        Significance level of the planned test (a test-planning quantity, hence ``alpha``;
        analyse with :func:`two_mean_test` at ``confidence = 1 - alpha``).
    alternative : {"two-sided", "larger", "smaller"}

    Returns
    -------
    int
        Sample size per group (at most :data:`MAX_SAMPLE_SIZE`; a difference needing more
        is a ``ConfigError``).

    Examples
    --------
    >>> sample_size_means(0.5)   # Cohen's classic table: 64 per group
    64
    """
    _check_power(power, alpha, alternative)
    check_number(effect_size, "effect_size")
    if effect_size == 0:
        raise ConfigError(f"effect_size={effect_size!r}; give a non-zero standardised difference")
    if (alternative == "larger" and effect_size < 0) or (alternative == "smaller" and effect_size > 0):
        raise ConfigError(f"effect_size={effect_size!r} points the other way from alternative={alternative!r}")
    _check_feasible(effect_size, power, alpha, alternative, f"effect_size={effect_size!r}")
    d = abs(effect_size) if alternative == "two-sided" else effect_size  # statsmodels wants the signed effect
    n = TTestIndPower().solve_power(effect_size=d, power=power, alpha=alpha, ratio=1.0, alternative=alternative)
    return _ceil(n, f"effect_size={effect_size!r}")
