"""Survival of customer lifetimes: observed lapse durations and Kaplan-Meier curves.

Which library does the work
---------------------------
* :class:`statsmodels.duration.survfunc.SurvfuncRight` computes the Kaplan-Meier product-limit
  estimate, its Greenwood standard error, the Hall-Wellner simultaneous band and the median's
  confidence interval; :func:`statsmodels.duration.survfunc.survdiff` runs the log-rank test;
* :mod:`pandas` finds the lapses in an order log; :mod:`matplotlib` draws the curves.

What is hand-written, and why: the *pointwise* confidence band. ``SurvfuncRight`` offers only
a simultaneous band (and only at 95 %), so the usual pointwise band (the "log-log" or
"exponential Greenwood" interval, lifelines' default) is computed here from statsmodels'
Greenwood standard error, with the same transform statsmodels uses for the median's
interval (``quantile_ci(method="cloglog")``). lifelines is not used because it pins pandas < 3.

Conventions
-----------
* **Cutoff.** Lapses are judged at a cutoff *instant*: orders dated after it are excluded
  (their number is in ``attrs["orders_after_cutoff"]``); orders exactly at it count.
* **Observed lapse, not churn.** True churn is unobserved; :func:`lapse_durations` defines a
  customer as *observed lapsed* from a gap in their orders (see there). Compare with the
  simulator's ``true_churn_t`` to see how far the two differ.
* **Confidence.** Bands and the median's interval are at ``confidence`` (default 0.95).

Modules (everything public is re-exported here, so ``from sim.analysis.survival import
KaplanMeier`` works as before)::

    lapses     lapse_durations (observed lapse or censoring per customer, from an order log)
    estimator  KaplanMeier, kaplan_meier (curves, bands, medians, log-rank test, plot)

These names are also importable from :mod:`sim.analysis.cohorts`, where they used to live.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis import survival
>>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 3, 4, 4, 4, 4],
...     "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-10", "2025-01-05", "2025-03-01",
...                             "2025-05-20", "2025-01-02", "2025-03-20", "2025-06-01", "2025-08-15"])})
>>> d = survival.lapse_durations(orders, cutoff="2025-12-31", lapse_days=90).query("observable")
>>> d["duration"].tolist()   # days from the first order to the last order before a 90-day gap
[31.0, 0.0, 135.0, 225.0]
>>> km = survival.KaplanMeier(confidence=0.9).fit(d["duration"], d["event"])
>>> km.survival_function_[["time", "survival", "at_risk", "events"]]
    time  survival  at_risk  events
0    0.0      0.75        4       1
1   31.0      0.50        3       1
2  135.0      0.25        2       1
3  225.0      0.00        1       1
>>> km.median_survival_
135.0
"""

from __future__ import annotations

from sim.analysis.survival.estimator import KaplanMeier, kaplan_meier
from sim.analysis.survival.lapses import lapse_durations

__all__ = ["lapse_durations", "KaplanMeier", "kaplan_meier"]
