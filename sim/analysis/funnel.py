"""Pre-purchase funnel: leads -> prospects -> customers per channel, conversion rates and CAC.

The input is a funnel table with one row per channel and period (the simulator's ``funnel``
table: ``channel, t, date, leads, prospects, customers, spend``). :func:`funnel_rates` sums
the counts per group and gives each step's conversion rate with a Wilson score interval
(statsmodels :func:`~statsmodels.stats.proportion.proportion_confint`) and the cost of
acquisition ``CAC = spend / customers``::

    lead_to_prospect      = prospects / leads
    prospect_to_customer  = customers / prospects
    lead_to_customer      = customers / leads   (= the product of the two steps)

The Wilson interval treats each lead (prospect) as an independent trial, which is right
when leads convert independently of each other.

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"channel": ["search", "search", "social"], "leads": [500, 300, 400],
...                   "prospects": [100, 60, 40], "customers": [25, 15, 8], "spend": [1000.0, 600.0, 480.0]})
>>> funnel_rates(f)[["leads", "customers", "lead_to_customer", "cac"]]
         leads  customers  lead_to_customer   cac
channel
search     800         40              0.05  40.0
social     400          8              0.02  60.0
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis._validate import check_confidence, require_columns, significance_level
from sim.errors import ConfigError, DataError

__all__ = ["STEPS", "funnel_rates"]

#: The funnel's conversion steps: (name, numerator column, denominator column).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("lead_to_prospect", "prospects", "leads"),
    ("prospect_to_customer", "customers", "prospects"),
    ("lead_to_customer", "customers", "leads"),
)

_COUNTS = ("leads", "prospects", "customers")
#: Largest total count (whole numbers above 2**53 are not exact as floats, above 2**63 not as int64).
_MAX_COUNT = float(2**53)


def funnel_rates(
    funnel: pd.DataFrame,
    by: str | Sequence[str] | None = "channel",
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Funnel counts, step conversion rates with Wilson intervals, and CAC per group.

    Parameters
    ----------
    funnel : pandas.DataFrame
        Columns ``leads``, ``prospects``, ``customers`` (whole numbers >= 0, with
        customers <= prospects <= leads in every row), ``spend`` (money >= 0) and the
        grouping column(s).
    by : str, sequence of str or None
        Group by these columns (default ``"channel"``); ``None`` gives one row ``"all"``.
    confidence : float
        Confidence level of the intervals, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted): ``leads``, ``prospects``, ``customers``, ``spend``; per
        step of :data:`STEPS` the rate and ``<step>_low`` / ``<step>_high`` (NaN when the
        denominator is 0); ``cac`` (spend / customers, NaN without customers).

    Raises
    ------
    DataError
        Missing columns, negative or fractional counts, NaN/inf, a row with more customers
        than prospects or more prospects than leads, an empty table.
    ConfigError
        A ``confidence`` outside (0, 1); ``by`` not a column name (or names).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"channel": ["a"], "leads": [100], "prospects": [20], "customers": [5], "spend": [250.0]})
    >>> r = funnel_rates(f).loc["a"]
    >>> r[["prospect_to_customer", "prospect_to_customer_low", "prospect_to_customer_high"]].round(3).tolist()
    [0.25, 0.112, 0.469]
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = significance_level(check_confidence(confidence))
    if by is None:
        keys: list[str] = []
    elif isinstance(by, str):
        keys = [by]
    elif isinstance(by, Sequence) and all(isinstance(b, str) for b in by) and len(by) > 0:
        keys = list(by)
    else:
        raise ConfigError(f"by={by!r} is not allowed: give a column name, a list of column names or None")
    clash = [k for k in keys if k in (*_COUNTS, "spend")] + [k for i, k in enumerate(keys) if k in keys[:i]]
    if clash:
        raise ConfigError(
            f"by={by!r} is not allowed: group by category columns such as 'channel', each named once "
            f"(not {clash[0]!r}; the counts and spend are what is summed)"
        )
    spec = {**dict.fromkeys(keys, "category"), "leads": "nonneg", "prospects": "nonneg", "customers": "nonneg"}
    spec["spend"] = "nonneg"
    df = require_columns(funnel, spec, table="funnel")
    for key in keys:
        kinds = df[key].map(
            lambda v: "text" if isinstance(v, str) else "number" if isinstance(v, numbers.Number) else ""
        )
        if {"text", "number"} <= set(kinds):
            raise DataError(
                "group labels mixing numbers and text (1 and '1' would be two groups); write them one way, "
                f"e.g. df[{key!r}].astype(str)",
                table="funnel",
                column=key,
                rows=df.index[(kinds == "number").to_numpy()],
            )
    for col in _COUNTS:
        v = df[col].to_numpy(dtype=float)
        bad = df.index[v != np.round(v)]
        if len(bad):
            raise DataError(
                f"counts must be whole numbers, found {v[v != np.round(v)][0]:g}", table="funnel", column=col, rows=bad
            )
        if v.sum() > _MAX_COUNT:
            raise DataError(
                f"counts too large (total {v.sum():.3g}; at most {_MAX_COUNT:.3g} can be added exactly)",
                table="funnel",
                column=col,
                rows=df.index[v > _MAX_COUNT / len(v)],
            )
    for upper, lower in (("leads", "prospects"), ("prospects", "customers")):
        bad = df.index[df[lower] > df[upper]]
        if len(bad):
            raise DataError(
                f"more {lower} than {upper} in a row; every {lower[:-1]} must come from a {upper[:-1]} "
                f"({lower} <= {upper})",
                table="funnel",
                column=lower,
                rows=bad,
            )
    if keys:
        g = df.groupby(keys, sort=True)[list(_COUNTS) + ["spend"]].sum()
    else:
        g = df[list(_COUNTS) + ["spend"]].sum().to_frame("all").T
        g.index.name = "group"
    out = g[list(_COUNTS)].astype("int64")
    out["spend"] = g["spend"].astype(float)
    for name, num, den in STEPS:
        k, n = out[num].to_numpy(dtype=float), out[den].to_numpy(dtype=float)
        ok = n > 0
        rate = np.full(len(out), np.nan)
        lo, hi = rate.copy(), rate.copy()
        if ok.any():
            rate[ok] = k[ok] / n[ok]
            lo_ok, hi_ok = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
            lo[ok], hi[ok] = lo_ok, hi_ok
        out[name], out[f"{name}_low"], out[f"{name}_high"] = rate, lo, hi
    cust = out["customers"].to_numpy(dtype=float)
    out["cac"] = np.where(cust > 0, out["spend"].to_numpy(dtype=float) / np.where(cust > 0, cust, 1.0), np.nan)
    out.attrs["confidence"] = float(confidence)
    return out
