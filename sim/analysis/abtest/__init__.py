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

Modules (everything public is re-exported here, so ``from sim.analysis.abtest import
two_proportion_test`` works as before)::

    _common       alternatives and the argument check shared by the others
    significance  ProportionTestResult, MeanTestResult, two_proportion_test, two_mean_test
    planning      sample_size_proportions, sample_size_means
    peeking       PeekingWarning, peeking_simulation, peeking_guidance
    bandit        regret (against the simulator's truth), thompson_simulation (Thompson sampling vs a fixed split)

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

from sim.analysis.abtest._common import Alternative as Alternative
from sim.analysis.abtest.bandit import regret, thompson_simulation
from sim.analysis.abtest.peeking import PeekingWarning, peeking_guidance, peeking_simulation
from sim.analysis.abtest.planning import sample_size_means, sample_size_proportions
from sim.analysis.abtest.significance import MeanTestResult, ProportionTestResult, two_mean_test, two_proportion_test

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
    "regret",
    "thompson_simulation",
]
