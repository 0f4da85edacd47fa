"""Reusable customer analytics that work on any transaction log with the documented columns.

Modules (imported lazily, so ``import sim`` stays fast)::

    rfm           recency / frequency / monetary scores and named segments
    segments      k-means segments on standardised RFM columns, k chosen by silhouette
    baskets       basket matrix, association rules (mlxtend apriori), per-customer interest tags
    lifecycle     lifecycle stages from order history (new ... won back) and their accuracy against truth
    funnel        leads -> prospects -> customers per channel, rates with Wilson intervals, CAC
    tiers         value tiers (customer pyramid), tier migration (a package)
    clv           BG/NBD + Gamma-Gamma, sBG for subscriptions (survivors from a log), P(alive), CLV (a package)
    cohorts       acquisition-cohort retention tables, curves and heatmap
    survival      observed lapse durations, Kaplan-Meier survival of lifetimes, log-rank test (a package)
    churn         churn features, labels, scikit-learn pipelines, lift, targeting profit, health score (a package)
    satisfaction  NPS / CSAT / CES with intervals, weighting, comment tags, bad-review alerts (a package)
    abtest        two-proportion and two-mean tests, sample sizes, the peeking demonstration (a package)
    roi           ROI, incremental ROI, LTV/CAC, payback period, campaign ROI
    quality       data-quality report and logged cleaning steps (a package)
    privacy       pseudonymisation, masking, data minimisation
    queueing      Erlang C, Cobham's priority formula, desk sizing
    anomaly       change points (ruptures PELT) and rolling z-score anomalies in KPI series, win-back KPIs, exit reasons
    service       complaint Pareto, dashboard, the wait -> complaints test (Poisson GLM), staffing, utilisation
    templates     message templates with placeholders (Jinja2 sandbox, strict about missing fields)
    uplift        T-learner uplift, Qini / AUUC, the true gain curve, persuadables / sleeping dogs
    loyalty       points ledger (liability, breakage with CIs), goal gradient near tier thresholds, naive member gap
    management    management_review and phase events as tidy tables, KPI vs target with the lever (chapter 10)

Conventions shared by all modules: every function or class that produces a confidence
interval takes ``confidence`` (default 0.95; ``alpha`` only names the significance level of a
planned test, e.g. in sample-size calculations); fitters configure in ``__init__``, validate
in ``fit`` (which returns ``self``), keep results in trailing-underscore attributes and raise
:class:`sim.errors.NotFittedError` before ``fit``; plots take ``ax=`` as a keyword and return
the Axes. Tables are checked at every entry point (``sim.analysis._validate``): dates given as
numbers, ambiguous dates such as ``03/04/2025``, mixed time-zone offsets, booleans or NaN/inf as
money, ids mixing ``1`` and ``'1'``, duplicate keys and empty tables raise
:class:`sim.errors.DataError` naming the table, the column and the rows (parse such dates first,
e.g. ``pd.to_datetime(df['date'], dayfirst=True)``). The modules import nothing from ``sim``
except :mod:`sim.errors`.

Examples
--------
>>> from sim import analysis
>>> analysis.roi.roi(gain=150.0, cost=100.0)
0.5
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "rfm",
    "segments",
    "baskets",
    "lifecycle",
    "funnel",
    "tiers",
    "clv",
    "cohorts",
    "survival",
    "churn",
    "satisfaction",
    "abtest",
    "roi",
    "quality",
    "privacy",
    "queueing",
    "anomaly",
    "service",
    "templates",
    "uplift",
    "loyalty",
    "management",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
