"""Significance tests of an A/B test: two proportions (pooled z-test) and two means (Welch's t-test).

:func:`two_proportion_test` compares conversion rates with statsmodels
(``proportions_ztest``, ``confint_proportions_2indep``, ``proportion_effectsize``);
:func:`two_mean_test` compares means with :func:`scipy.stats.ttest_ind` (``equal_var=False``).
Both return a frozen result (:class:`ProportionTestResult`, :class:`MeanTestResult`) with the
difference B - A, its confidence interval at ``confidence`` and the decision ``significant``,
plus the argument checks they need (counts, samples).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

from sim.analysis._validate import check_choice, check_confidence, refuse_text, require_columns, significance_level
from sim.analysis.abtest._common import Alternative, _check_alternative
from sim.errors import DataError

__all__ = ["ProportionTestResult", "MeanTestResult", "two_proportion_test", "two_mean_test"]

#: Interval methods of ``two_proportion_test`` (statsmodels ``confint_proportions_2indep``).
CI_METHODS = ("wald", "newcombe", "agresti-caffo", "score")

#: Largest count accepted: 2**53, the largest integer a float holds exactly.
MAX_COUNT = 2**53


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
    raw = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in counts.items()})
    for k in counts:
        refuse_text(raw[k], table="arguments", column=k, what="a count")
        v = counts[k]
        if isinstance(v, int | np.integer) and not isinstance(v, bool) and abs(int(v)) > MAX_COUNT:
            raise DataError(f"{k}={v:.3g} is too large; counts up to 2**53 are allowed", table="arguments", column=k)
    df = require_columns(raw, dict.fromkeys(counts, "nonneg"), table="arguments")
    out = {}
    for k in counts:
        v = float(df[k].iloc[0])
        if v > MAX_COUNT:
            raise DataError(f"{k}={v:.3g} is too large; counts up to 2**53 are allowed", table="arguments", column=k)
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
        ``"wald"`` (textbook, unpooled), ``"newcombe"``, ``"agresti-caffo"``, ``"score"``
        (:data:`CI_METHODS`; anything else is a ``ConfigError``).

    Returns
    -------
    ProportionTestResult
        ``diff``, ``ci_low``, ``ci_high``, ``z``, ``p_value``, ``relative_lift``,
        ``cohens_h``, ``significant`` ...

    Raises
    ------
    DataError
        Counts that are negative, not whole numbers, text, above 2**53, or successes above trials.
    ConfigError
        A ``confidence`` outside (0, 1), an unknown ``alternative`` or ``ci_method``.

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
    check_choice(ci_method, "ci_method", CI_METHODS)
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
    if x is None or isinstance(x, str | bytes):
        raise DataError(f"expected a sequence of numbers, got {type(x).__name__}", table=name)
    s = x if isinstance(x, pd.Series) else pd.Series(list(np.atleast_1d(np.asarray(x, dtype=object))))
    refuse_text(s, table=name, column="value")
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
