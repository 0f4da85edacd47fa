"""A/B tests: two proportions, two means, sample size, and why peeking is dangerous.

Libraries doing the work: statsmodels (:func:`~statsmodels.stats.proportion.proportions_ztest`,
:func:`~statsmodels.stats.proportion.confint_proportions_2indep`,
:func:`~statsmodels.stats.proportion.proportion_effectsize`,
:class:`~statsmodels.stats.power.NormalIndPower`, :class:`~statsmodels.stats.power.TTestIndPower`)
and scipy (:func:`scipy.stats.ttest_ind` with ``equal_var=False`` for Welch's test).

Hand-written: the peeking simulation vectorises the pooled two-proportion z statistic over
all simulated tests and looks at once (calling statsmodels once per look and per simulated
test would be thousands of times slower); a test checks that it agrees with
``proportions_ztest``.

Direction: every difference is **B minus A** (A = control, B = variant), and a one-sided
``alternative="larger"`` means "B is larger than A".

Vocabulary: the tests, which return a confidence interval *and* a decision, take
``confidence`` (default 0.95); their decision ``significant`` is the test at significance level
``1 - confidence``. ``alpha`` appears only where a significance level is *planned* for a
future test: sample sizes (:func:`sample_size_proportions`, :func:`sample_size_means`) and
the peeking demonstration (:func:`peeking_simulation`, :func:`peeking_guidance`).

Examples
--------
>>> from sim.analysis.abtest import two_proportion_test, sample_size_proportions
>>> r = two_proportion_test(100, 1000, 130, 1000)   # 10% vs 13% conversion
>>> round(r.diff, 3), round(r.p_value, 4), r.significant
(0.03, 0.0355, True)
>>> sample_size_proportions(0.10, 0.12)             # per group, 80% power, alpha 5%
3835
>>> two_proportion_test(100, 1000, 130, 1000, confidence=0.99).significant
False
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

from sim.analysis._validate import check_confidence, check_significance, require_columns, significance_level
from sim.errors import ConfigError, DataError

__all__ = [
    "ProportionTestResult",
    "MeanTestResult",
    "PeekingWarning",
    "two_proportion_test",
    "two_mean_test",
    "sample_size_proportions",
    "sample_size_means",
    "peeking_simulation",
    "peeking_guidance",
]

Alternative = Literal["two-sided", "larger", "smaller"]
_ALTERNATIVES = ("two-sided", "larger", "smaller")


class PeekingWarning(UserWarning):
    """Repeated looks at a running test inflate its false-positive rate."""


def _check_alternative(alternative: str) -> None:
    if alternative not in _ALTERNATIVES:
        raise ConfigError(f"alternative={alternative!r} is not allowed; allowed: {list(_ALTERNATIVES)}")


@dataclass(frozen=True)
class ProportionTestResult:
    """Result of :func:`two_proportion_test` (all differences are B - A).

    Attributes
    ----------
    p_a, p_b : float
        Observed proportions.
    n_a, n_b : int
        Group sizes.
    diff : float
        ``p_b - p_a`` (absolute difference, in proportion units).
    ci_low, ci_high : float
        Two-sided confidence interval of ``diff`` at level ``confidence``.
    z, p_value : float
        Pooled z statistic and p-value (NaN if both groups are all 0 or all 1).
    relative_lift : float
        ``diff / p_a`` (NaN if ``p_a = 0``).
    cohens_h : float
        ``2 asin(sqrt(p_b)) - 2 asin(sqrt(p_a))``.
    confidence : float
        Confidence level of the interval (0.95 = 95 %); the test decision ``significant`` is
        at significance level ``1 - confidence``.
    alternative : str
    ci_method : str

    Examples
    --------
    >>> r = two_proportion_test(100, 1000, 130, 1000, confidence=0.9)
    >>> r.confidence, round(r.ci_low, 4), round(r.ci_high, 4), r.significant
    (0.9, 0.0066, 0.0534, True)
    """

    p_a: float
    p_b: float
    n_a: int
    n_b: int
    diff: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    relative_lift: float
    cohens_h: float
    confidence: float
    alternative: str
    ci_method: str

    @property
    def significant(self) -> bool:
        """``p_value < 1 - confidence``: the test rejects "no difference" at significance level ``1 - confidence``.

        Examples
        --------
        >>> r = two_proportion_test(100, 1000, 130, 1000)
        >>> round(r.p_value, 4), r.significant, two_proportion_test(100, 1000, 130, 1000, confidence=0.99).significant
        (0.0355, True, False)
        """
        return bool(self.p_value < significance_level(self.confidence))

    def to_series(self) -> pd.Series:
        """All fields plus ``significant`` as a Series (object dtype).

        Examples
        --------
        >>> two_proportion_test(10, 100, 20, 100).to_series()["diff"]
        0.1
        """
        return pd.Series({**asdict(self), "significant": self.significant}, name="two_proportion_test")

    def __repr__(self) -> str:
        return (
            f"two-proportion test: p_a = {self.p_a:.4g} (n = {self.n_a}), p_b = {self.p_b:.4g} (n = {self.n_b}); "
            f"diff = {self.diff:.4g} ({100 * self.confidence:.0f}% CI {self.ci_low:.4g} to {self.ci_high:.4g}), "
            f"z = {self.z:.3f}, p = {self.p_value:.4g}, lift = {self.relative_lift:.3g}, h = {self.cohens_h:.3f}"
        )


@dataclass(frozen=True)
class MeanTestResult:
    """Result of :func:`two_mean_test` (Welch's t-test; differences are B - A).

    Attributes
    ----------
    mean_a, mean_b : float
    n_a, n_b : int
    diff : float
        ``mean_b - mean_a``.
    ci_low, ci_high : float
        Welch confidence interval of ``diff`` at level ``confidence`` (one-sided alternatives
        give a one-sided interval with an infinite end).
    t, df, p_value : float
        Welch t statistic, Welch-Satterthwaite degrees of freedom, p-value.
    cohens_d : float
        ``diff`` divided by the pooled standard deviation
        ``sqrt(((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2))``.
    confidence : float
        Confidence level of the interval; ``significant`` is the test at significance level
        ``1 - confidence`` (for Welch's test: the interval excludes 0).
    alternative : str

    Examples
    --------
    >>> r = two_mean_test([1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 6.0], confidence=0.9)
    >>> r.diff, r.confidence, r.significant == (r.ci_low > 0)
    (2.0, 0.9, True)
    """

    mean_a: float
    mean_b: float
    n_a: int
    n_b: int
    diff: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float
    cohens_d: float
    confidence: float
    alternative: str

    @property
    def significant(self) -> bool:
        """``p_value < 1 - confidence``: the test rejects "no difference" at significance level ``1 - confidence``.

        Examples
        --------
        >>> two_mean_test([1.0, 2.0, 3.0], [1.5, 2.5, 3.5]).significant
        False
        """
        return bool(self.p_value < significance_level(self.confidence))

    def to_series(self) -> pd.Series:
        """All fields plus ``significant`` as a Series (object dtype).

        Examples
        --------
        >>> two_mean_test([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]).to_series()["diff"]
        1.0
        """
        return pd.Series({**asdict(self), "significant": self.significant}, name="two_mean_test")

    def __repr__(self) -> str:
        return (
            f"Welch t-test: mean_a = {self.mean_a:.4g} (n = {self.n_a}), mean_b = {self.mean_b:.4g} (n = {self.n_b}); "
            f"diff = {self.diff:.4g} ({100 * self.confidence:.0f}% CI {self.ci_low:.4g} to {self.ci_high:.4g}), "
            f"t = {self.t:.3f}, df = {self.df:.1f}, p = {self.p_value:.4g}, d = {self.cohens_d:.3f}"
        )


def _check_counts(**counts: float) -> dict[str, int]:
    """Validate success/trial counts through the shared validator; return them as ints."""
    df = require_columns(
        pd.DataFrame({k: [v] for k, v in counts.items()}), dict.fromkeys(counts, "nonneg"), table="arguments"
    )
    out = {}
    for k in counts:
        v = float(df[k].iloc[0])
        if v != round(v):
            raise DataError(f"{k}={counts[k]!r} must be a whole number", table="arguments", column=k)
        out[k] = int(v)
    for grp in ("a", "b"):
        s, n = out[f"success_{grp}"], out[f"n_{grp}"]
        if n < 1:
            raise DataError(f"n_{grp}={n}; each group needs at least one trial", table="arguments", column=f"n_{grp}")
        if s > n:
            raise DataError(f"success_{grp}={s} exceeds n_{grp}={n}", table="arguments", column=f"success_{grp}")
    return out


def two_proportion_test(
    success_a: int,
    n_a: int,
    success_b: int,
    n_b: int,
    *,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
    ci_method: str = "wald",
) -> ProportionTestResult:
    """Compare two conversion rates (B vs A) with a pooled z-test.

    Parameters
    ----------
    success_a, n_a : int
        Successes (e.g. conversions) and trials in group A (control).
    success_b, n_b : int
        The same for group B (variant).
    confidence : float
        Confidence level of the two-sided interval of the difference, strictly between 0
        and 1 (default 0.95); ``significant`` is the test at significance level
        ``1 - confidence``.
    alternative : {"two-sided", "larger", "smaller"}
        ``"larger"``: H1 is p_b > p_a.
    ci_method : str
        Interval method of statsmodels ``confint_proportions_2indep`` for the difference:
        ``"wald"`` (textbook, unpooled), ``"newcombe"``, ``"agresti-caffo"``, ``"score"``.

    Returns
    -------
    ProportionTestResult
        ``diff``, ``ci_low``, ``ci_high``, ``z``, ``p_value``, ``relative_lift``,
        ``cohens_h``, ``significant`` ...

    Raises
    ------
    DataError
        Counts that are negative, not whole numbers, or successes above trials.
    ConfigError
        A ``confidence`` outside (0, 1) or an unknown ``alternative``.

    Notes
    -----
    The test uses the pooled standard error (statsmodels ``proportions_ztest``), the Wald
    interval the unpooled one, so near the boundary the two can disagree.

    Examples
    --------
    >>> r = two_proportion_test(30, 100, 20, 100)   # B converts worse than A
    >>> round(r.diff, 2), round(r.z, 3), round(r.relative_lift, 3)
    (-0.1, -1.633, -0.333)
    """
    alpha = significance_level(check_confidence(confidence))
    _check_alternative(alternative)
    c = _check_counts(success_a=success_a, n_a=n_a, success_b=success_b, n_b=n_b)
    sa, na, sb, nb = c["success_a"], c["n_a"], c["success_b"], c["n_b"]
    pa, pb = sa / na, sb / nb
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # zero pooled variance -> NaN, documented
        z, p = proportions_ztest([sb, sa], [nb, na], alternative=alternative)
        lo, hi = confint_proportions_2indep(sb, nb, sa, na, method=ci_method, compare="diff", alpha=alpha)
    return ProportionTestResult(
        p_a=pa,
        p_b=pb,
        n_a=na,
        n_b=nb,
        diff=pb - pa,
        ci_low=float(lo),
        ci_high=float(hi),
        z=float(z),
        p_value=float(p),
        relative_lift=(pb - pa) / pa if pa > 0 else float("nan"),
        cohens_h=float(proportion_effectsize(pb, pa)),
        confidence=float(confidence),
        alternative=alternative,
        ci_method=ci_method,
    )


def _sample(x: Iterable[float], name: str) -> np.ndarray:
    s = x if isinstance(x, pd.Series) else pd.Series(list(np.atleast_1d(np.asarray(x, dtype=object))))
    df = require_columns(s.to_frame("value"), {"value": "number"}, table=name)
    v = df["value"].to_numpy(dtype=float)
    if len(v) < 2:
        raise DataError(f"{len(v)} observation(s); a t-test needs at least 2 per group", table=name)
    return v


def two_mean_test(
    a: Iterable[float],
    b: Iterable[float],
    *,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
) -> MeanTestResult:
    """Compare two means (B vs A) with Welch's t-test (unequal variances).

    Parameters
    ----------
    a, b : sequence of float
        Observations of group A (control) and B (variant), e.g. order values; at least two each.
    confidence : float
        Confidence level of the Welch interval of the difference, strictly between 0 and 1
        (default 0.95); ``significant`` is the test at significance level ``1 - confidence``.
    alternative : {"two-sided", "larger", "smaller"}
        ``"larger"``: H1 is mean_b > mean_a.

    Returns
    -------
    MeanTestResult
        ``diff``, ``ci_low``, ``ci_high``, ``t``, ``df``, ``p_value``, ``cohens_d`` ...

    Examples
    --------
    >>> r = two_mean_test([1, 2, 3, 4], [2, 3, 5, 7])
    >>> round(r.diff, 2), round(r.t, 3), round(r.df, 2), round(r.cohens_d, 3)
    (1.75, 1.364, 4.82, 0.965)
    """
    check_confidence(confidence)
    _check_alternative(alternative)
    va, vb = _sample(a, "group a"), _sample(b, "group b")
    alt = {"two-sided": "two-sided", "larger": "greater", "smaller": "less"}[alternative]
    res = stats.ttest_ind(vb, va, equal_var=False, alternative=alt)
    ci = res.confidence_interval(confidence_level=confidence)
    na, nb = len(va), len(vb)
    pooled = math.sqrt(((na - 1) * va.var(ddof=1) + (nb - 1) * vb.var(ddof=1)) / (na + nb - 2))
    diff = float(vb.mean() - va.mean())
    return MeanTestResult(
        mean_a=float(va.mean()),
        mean_b=float(vb.mean()),
        n_a=na,
        n_b=nb,
        diff=diff,
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        t=float(res.statistic),
        df=float(res.df),
        p_value=float(res.pvalue),
        cohens_d=diff / pooled if pooled > 0 else float("nan"),
        confidence=float(confidence),
        alternative=alternative,
    )


def _check_power(power: float, alpha: float, alternative: str) -> None:
    check_significance(alpha)
    _check_alternative(alternative)
    if not 0 < power < 1:
        raise ConfigError(f"power={power!r} is not allowed: give a probability strictly between 0 and 1, e.g. 0.8")


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
        Sample size per group.

    Examples
    --------
    >>> sample_size_proportions(0.05, 0.06)   # a one-point lift on 5% needs many customers
    8143
    """
    _check_power(power, alpha, alternative)
    for name, v in (("p_a", p_a), ("p_b", p_b)):
        if not 0 < v < 1:
            raise ValueError(f"{name}={v!r}; give a proportion strictly between 0 and 1")
    if p_a == p_b:
        raise ValueError("p_a equals p_b: there is no difference to detect")
    h = float(proportion_effectsize(p_b, p_a))
    if alternative == "smaller":
        h = -h
    n = NormalIndPower().solve_power(
        effect_size=h if alternative != "two-sided" else abs(h),
        power=power,
        alpha=alpha,
        ratio=1.0,
        alternative=alternative,
    )
    return int(math.ceil(float(n) - 1e-9))


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
        Sample size per group.

    Examples
    --------
    >>> sample_size_means(0.5)   # Cohen's classic table: 64 per group
    64
    """
    _check_power(power, alpha, alternative)
    if not np.isfinite(effect_size) or effect_size == 0:
        raise ValueError(f"effect_size={effect_size!r}; give a non-zero standardised difference")
    d = abs(effect_size) if alternative == "two-sided" else (effect_size if alternative == "larger" else -effect_size)
    if d <= 0:
        raise ValueError(f"effect_size={effect_size!r} points the other way from alternative={alternative!r}")
    n = TTestIndPower().solve_power(effect_size=d, power=power, alpha=alpha, ratio=1.0, alternative=alternative)
    return int(math.ceil(float(n) - 1e-9))


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
        Customers per group at the last look.
    looks : int
        Number of interim analyses (1 = analyse once at the end).
    n_sims : int
        Number of simulated tests.
    alpha : float
        Nominal significance level of each simulated test (the demonstration is about the
        planned significance level, hence ``alpha`` rather than a confidence level).
    seed : int
        Seed of the numpy random generator.
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
    if not 0 < p < 1:
        raise ValueError(f"p={p!r}; give a conversion rate strictly between 0 and 1")
    for name, v in (("n_max", n_max), ("looks", looks), ("n_sims", n_sims)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}={v!r}; give a positive integer")
    if looks > n_max:
        raise ValueError(f"looks={looks} exceeds n_max={n_max}; each look needs new customers")
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
        raise ValueError(f"looks={looks!r}; give a positive integer")
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
