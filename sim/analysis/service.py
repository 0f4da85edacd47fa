"""Complaint handling and service operations: Pareto of causes, a monthly dashboard, the
"slow response -> more complaints" hypothesis, staffing tables and agent utilisation.

Works on any tickets table with the documented columns (the simulator's ``tickets`` table has
them all): ``customer_id``, ``cause``, ``severity``, ``opened_t`` (days), ``date``, ``wait_h``,
``resolution_h``, ``sla_met`` and, when the service-operations mechanisms are on, ``chaser_of``,
``reopened_from``, ``accepted`` and ``handle_h``. Only the columns a function needs are required.

* :func:`pareto` — count, share and cumulative share per cause, the top ``k`` flagged (CP9);
* :func:`complaint_dashboard` — per month: tickets, tickets per cause, mean wait and resolution
  time, SLA attainment per severity, reopen rate (CP8, CP11, K8);
* :func:`wait_complaint_elasticity` — "slow response raises complaints by 30%" as a hypothesis:
  a Poisson GLM (statsmodels, robust standard errors) of the complaints that follow a ticket on
  whether it waited too long, giving the rate ratio with its confidence interval (CP10);
* :func:`staffing_table` — Erlang C for a range of agent counts (via :mod:`sim.analysis.queueing`);
* :func:`utilisation` — busy agent-hours / staffed agent-hours (K10).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"cause": ["product", "price", "product", "service", "product", "price"]})
>>> pareto(t, top=2)[["count", "cumulative_share", "top"]]
         count  cumulative_share    top
cause
product      3          0.500000   True
price        2          0.833333   True
service      1          1.000000  False
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis import queueing
from sim.analysis._validate import check_confidence, check_number, require_columns, require_dates, require_ids
from sim.errors import ConfigError, DataError

__all__ = ["pareto", "complaint_dashboard", "wait_complaint_elasticity", "staffing_table", "utilisation"]

#: Severity levels, most urgent first (the simulator's ``sim.schema.SEVERITIES``).
SEVERITY_ORDER: tuple[str, ...] = ("P0", "P1", "P2", "P3")

#: Largest agent count :func:`staffing_table` tabulates (the Erlang recursion is linear in it).
MAX_AGENTS = 100_000

#: Dashboard periods: the ``freq`` values :func:`complaint_dashboard` accepts -> pandas period alias.
FREQS: dict[str, str] = {
    "D": "D",
    "W": "W",
    **{f"W-{d}": f"W-{d}" for d in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")},
    "MS": "M",
    "ME": "M",
    "M": "M",
    "QS": "Q",
    "QE": "Q",
    "Q": "Q",
    "YS": "Y",
    "YE": "Y",
    "Y": "Y",
}


def _frame(tickets: object, columns: Sequence[str], table: str = "tickets") -> pd.DataFrame:
    """The tickets frame (a copy), checked to hold ``columns`` once each (a DataError naming the
    missing or duplicated ones; MultiIndex columns are refused)."""
    frame = require_columns(tickets, dict.fromkeys(columns, "any"), table=table, allow_empty=True)
    for col in ("chaser_of", "reopened_from", "accepted", "severity", "sla_met", "handle_h", "bot"):
        if col in frame.columns and col not in columns:
            require_columns(frame, {col: "any"}, table=table, allow_empty=True)  # optional columns: once each too
    return frame


def _rows(mask: pd.Series) -> list[object]:
    return list(mask.index[mask.to_numpy(dtype=bool)][:10])


def _numbers(tickets: pd.DataFrame, column: str, *, nonneg: bool = True, allow_nan: bool = True) -> pd.Series:
    """A numeric column as float; booleans, text, inf (and NaN unless allowed) raise a DataError."""
    s = tickets[column]
    if pd.api.types.is_bool_dtype(s.dtype):
        raise DataError("booleans (True/False) are not numbers", table="tickets", column=column, rows=s.index[:10])
    if not pd.api.types.is_numeric_dtype(s.dtype):
        raise DataError(f"holds {s.dtype} values; give numbers", table="tickets", column=column, rows=s.index[:10])
    x = s.astype("float64")
    bad = np.isinf(x) | (x < 0 if nonneg else False)
    if not allow_nan:
        bad = bad | x.isna()
    if bad.any():
        what = "finite numbers >= 0" if nonneg else "finite numbers"
        raise DataError(f"values must be {what}", table="tickets", column=column, rows=_rows(bad))
    return x


def _labels(tickets: pd.DataFrame, column: str) -> pd.Series:
    """A category column without missing values, of one type (``1`` and ``'1'`` are not merged)."""
    s = tickets[column]
    missing = s.isna()
    if missing.any():
        raise DataError("missing values; every ticket needs one", table="tickets", column=column, rows=_rows(missing))
    if s.dtype == object:
        is_text = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if is_text.any() and not is_text.all():
            odd = ~is_text if is_text.sum() >= (~is_text).sum() else is_text
            raise DataError(
                f"labels of mixed types: {int(is_text.sum())} text and {int((~is_text).sum())} other value(s) "
                f"(e.g. {str(s[odd].iloc[0])[:30]!r}); 1 and '1' would be counted together: convert the column "
                "to one type first, e.g. .astype(str)",
                table="tickets",
                column=column,
                rows=s.index[odd][:10],
            )
    return s.astype(str)


def _flag(tickets: pd.DataFrame, column: str, *, allow_missing: bool = True) -> pd.Series:
    """A yes/no column (True/False or 1/0; missing = NA) as float 1.0 / 0.0 / NaN."""
    s = tickets[column]
    if pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype("boolean").astype("Float64").astype("float64")
    else:

        def code(v: object) -> float:
            if isinstance(v, (bool, np.bool_)):
                return float(v)
            if v is None or v is pd.NA or (isinstance(v, numbers.Real) and math.isnan(float(v))):
                return math.nan
            if isinstance(v, numbers.Real) and float(v) in (0.0, 1.0):
                return float(v)
            return -1.0  # not a yes/no value

        codes = s.astype(object).map(code).astype("float64")
        bad = codes.eq(-1.0)
        if bad.any():
            first = s[bad].iloc[0]
            raise DataError(
                f"expected True/False (or 1/0; NA when not known), found {str(first)[:30]!r}",
                table="tickets",
                column=column,
                rows=_rows(bad),
            )
        out = codes.astype("float64")
    if not allow_missing and out.isna().any():
        raise DataError(
            "missing value(s) in a True/False column", table="tickets", column=column, rows=_rows(out.isna())
        )
    return out


def _whole(value: object, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise ConfigError(f"{name}={str(value)[:40]!r} is not allowed: give a whole number >= {low}")
    return int(value)


def _originals(tickets: pd.DataFrame) -> pd.Series:
    """True for tickets that are neither chasers nor reopened copies (when those columns exist)."""
    keep = pd.Series(True, index=tickets.index)
    for col in ("chaser_of", "reopened_from"):
        if col in tickets.columns:
            keep &= _numbers(tickets, col, nonneg=False, allow_nan=True).fillna(-1).lt(0)
    return keep


# --------------------------------------------------------------------------- Pareto


def pareto(tickets: pd.DataFrame, by: str = "cause", top: int = 3) -> pd.DataFrame:
    """Pareto table of complaints: count, share and cumulative share per value of ``by`` (CP9).

    Rows are sorted by count, largest first (ties by name); ``top`` flags the first ``top`` rows
    (seed 004: "fix the top-3 complaint issues").

    Parameters
    ----------
    tickets : pandas.DataFrame
        One row per ticket, with the column ``by`` (no missing values).
    by : str
        The column to count (``cause``, ``severity``, ``channel`` ...).
    top : int
        How many rows to flag (>= 1).

    Returns
    -------
    pandas.DataFrame
        Indexed by the values of ``by``: ``count`` (int64), ``share``, ``cumulative_share``,
        ``top`` (bool).

    Raises
    ------
    DataError
        No such column, missing values (rows named), or no tickets.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"cause": list("aabbbc")})
    >>> pareto(t, top=1)["share"].round(3).tolist()
    [0.5, 0.333, 0.167]
    """
    if not isinstance(by, str):
        raise ConfigError(f"by={str(by)[:40]!r} is not allowed: give one column name")
    top = _whole(top, "top")
    frame = _frame(tickets, [by])
    if frame.empty:
        raise DataError("no tickets: a Pareto table needs at least one", table="tickets", column=by)
    labels = _labels(frame, by)
    counts = labels.value_counts()
    order = sorted(counts.index, key=lambda k: (-int(counts[k]), str(k)))
    counts = counts.reindex(order).astype("int64")
    out = pd.DataFrame({"count": counts})
    out.index.name = by
    out["share"] = out["count"] / out["count"].sum()
    out["cumulative_share"] = out["count"].cumsum() / out["count"].sum()  # the last is exactly 1
    out["top"] = np.arange(len(out)) < top
    return out


# --------------------------------------------------------------------------- dashboard


def complaint_dashboard(tickets: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """The complaint dashboard per period (CP8, CP11, K8): volume, causes, speed, SLA, reopens.

    Tickets are put in the period they were **opened** in (``date``). Columns:

    * ``tickets`` — tickets opened (int64); ``cause: <name>`` — of which with that cause;
    * ``mean_wait_h`` — mean time to first response of those answered (hours);
    * ``mean_resolution_h`` — mean time to resolution of those resolved (hours);
    * ``sla_met <sev>`` — share of resolved tickets of that severity meeting both SLA targets
      (NaN without one; needs ``severity`` and ``sla_met``);
    * ``reopen_rate`` — tickets not accepted at the follow-up / tickets followed up (NaN when no
      ticket was followed up, or without an ``accepted`` column).

    Chaser and reopened rows (``chaser_of`` / ``reopened_from`` >= 0) are counted as tickets, as a
    desk counts every complaint it receives.

    Parameters
    ----------
    tickets : pandas.DataFrame
        Needs ``date``, ``cause``, ``wait_h`` and ``resolution_h``.
    freq : str
        A pandas period alias for the rows: ``"MS"`` months (default), ``"W"`` weeks, ``"QS"``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-02-02"]),
    ...                   "cause": ["price", "product", "price"], "wait_h": [1.0, 3.0, float("nan")],
    ...                   "resolution_h": [2.0, 5.0, float("nan")]})
    >>> complaint_dashboard(t)[["tickets", "cause: price", "mean_wait_h"]]
                tickets  cause: price  mean_wait_h
    period
    2025-01-01        2             1          2.0
    2025-02-01        1             1          NaN
    """
    if not isinstance(freq, str) or freq not in FREQS:
        raise ConfigError(f"freq={str(freq)[:40]!r} is not allowed; allowed: {list(FREQS)} (one period each)")
    frame = _frame(tickets, ["date", "cause", "wait_h", "resolution_h"])
    if frame.empty:
        raise DataError("no tickets: the dashboard needs at least one", table="tickets")
    date = require_dates(frame["date"], table="tickets", column="date")
    period = date.dt.to_period(FREQS[freq]).dt.start_time
    cause = _labels(frame, "cause")
    wait = _numbers(frame, "wait_h")
    resolution = _numbers(frame, "resolution_h")
    g = pd.DataFrame({"period": period, "cause": cause, "wait": wait, "resolution": resolution})
    out = g.groupby("period").agg(tickets=("cause", "size"), mean_wait_h=("wait", "mean"),
                                  mean_resolution_h=("resolution", "mean"))  # fmt: skip
    causes = pd.crosstab(g["period"], g["cause"]).reindex(out.index, fill_value=0)
    for c in sorted(causes.columns):
        out.insert(len(out.columns) - 2, f"cause: {c}", causes[c].astype("int64"))
    out["tickets"] = out["tickets"].astype("int64")
    if {"severity", "sla_met"} <= set(frame.columns):
        sev = _labels(frame, "severity")
        met = _flag(frame, "sla_met")
        sl = pd.DataFrame({"period": period, "sev": sev, "met": met}).dropna(subset=["met"])
        table = sl.groupby(["period", "sev"])["met"].mean().unstack()
        known = [s for s in SEVERITY_ORDER if s in set(sev)] + sorted(set(sev) - set(SEVERITY_ORDER))
        for s in known:
            col = table[s] if s in table.columns else pd.Series(dtype=float)
            out[f"sla_met {s}"] = col.reindex(out.index).astype("float64")
    if "accepted" in frame.columns:
        acc = _numbers(frame, "accepted")
        bad = acc.notna() & ~acc.isin([0.0, 1.0])
        if bad.any():
            raise DataError("give 1.0 (accepted), 0.0 (not) or NaN (not asked)", table="tickets",
                            column="accepted", rows=_rows(bad))  # fmt: skip
        asked = acc.notna().groupby(period).sum()
        refused = acc.eq(0.0).groupby(period).sum()
        out["reopen_rate"] = (refused / asked.where(asked > 0)).reindex(out.index).astype("float64")
    else:
        out["reopen_rate"] = np.nan
    out.index.name = "period"
    return out


# --------------------------------------------------------------------------- CP10


def wait_complaint_elasticity(
    tickets: pd.DataFrame,
    *,
    slow_h: float | None = None,
    window_days: float = 30.0,
    end_t: float | None = None,
    claim: float = 1.3,
    confidence: float = 0.95,
) -> pd.Series:
    """Test "slow response -> complaints +30%" (CP10) with a Poisson GLM on the tickets table.

    Unit: every original ticket of a customer (not a chaser or a reopened copy, ``customer_id``
    > 0) that got a first response and whose follow-up window ends before ``end_t``. Outcome: the
    number of further tickets (chasers, reopens, new complaints) the same customer opened in the
    ``window_days`` after it. Exposure: **slow** = the first response missed its SLA target
    (``sla_first_response_met`` False), or, with ``slow_h``, ``wait_h > slow_h``. The GLM
    ``complaints ~ slow`` (Poisson, log link, heteroscedasticity-robust HC0 standard errors, so
    overdispersion does not shrink the interval) gives the **rate ratio** slow / fast.

    The seed's "+30%" is the rate ratio 1.3 (``claim``): ``claim_inside_ci`` says whether the data
    are compatible with it; ``ci_low > 1`` says slow response raises complaints at all.

    Parameters
    ----------
    tickets : pandas.DataFrame
        Needs ``customer_id``, ``opened_t`` (days), ``wait_h`` and ``sla_first_response_met``
        (or ``slow_h``).
    slow_h : float, optional
        Wait (hours) above which a ticket counts as slow; default: its SLA target.
    window_days : float
        Days after a ticket in which further complaints are counted.
    end_t : float, optional
        End of observation (days); default the last ``opened_t``. Tickets opened later than
        ``end_t - window_days`` are left out (their window is not complete).
    claim : float
        The claimed rate ratio (1.3 = +30%).
    confidence : float
        Level of the confidence interval.

    Returns
    -------
    pandas.Series
        ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value`` (H0: ratio 1), ``claim``,
        ``claim_inside_ci`` (bool), ``n_slow``, ``n_fast`` (tickets), ``mean_slow``,
        ``mean_fast`` (further complaints per ticket).

    Raises
    ------
    DataError
        Missing columns, bad values (rows named), or no slow or no fast ticket to compare.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = 4000
    >>> slow = rng.random(n) < 0.3
    >>> first = pd.DataFrame({"customer_id": np.arange(1, n + 1), "opened_t": rng.uniform(0, 300, n),
    ...                       "wait_h": np.where(slow, 9.0, 1.0), "sla_first_response_met": ~slow, "chaser_of": -1})
    >>> k = rng.poisson(np.where(slow, 0.6, 0.3))          # slow tickets: twice the chasers
    >>> rows = np.repeat(np.arange(n), k)
    >>> later = pd.DataFrame({"customer_id": first["customer_id"].to_numpy()[rows],
    ...                       "opened_t": first["opened_t"].to_numpy()[rows] + rng.uniform(0, 20, len(rows)),
    ...                       "wait_h": 1.0, "sla_first_response_met": True, "chaser_of": rows + 1})
    >>> r = wait_complaint_elasticity(pd.concat([first, later], ignore_index=True), end_t=400.0)
    >>> bool(r["ci_low"] < 2.0 < r["ci_high"]), bool(r["claim_inside_ci"])
    (True, False)
    """
    import statsmodels.api as sm
    from scipy import stats

    confidence = check_confidence(confidence)
    window = check_number(window_days, "window_days", low=0.0, low_open=True)
    claim = check_number(claim, "claim", low=0.0, low_open=True)
    need = ["customer_id", "opened_t", "wait_h"] + ([] if slow_h is not None else ["sla_first_response_met"])
    frame = _frame(tickets, need)
    if frame.empty:
        raise DataError("no tickets", table="tickets")
    opened = _numbers(frame, "opened_t", allow_nan=False)
    wait = _numbers(frame, "wait_h")
    cust = require_ids(frame["customer_id"], table="tickets", column="customer_id")
    if not pd.api.types.is_integer_dtype(cust.dtype) or pd.api.types.is_bool_dtype(cust.dtype):
        raise DataError(f"holds {cust.dtype} values; give integer ids", table="tickets", column="customer_id",
                        rows=cust.index[:10])  # fmt: skip
    end = float(opened.max()) if end_t is None else check_number(end_t, "end_t")
    if slow_h is not None:
        slow_all = wait > check_number(slow_h, "slow_h", low=0.0)
    else:
        slow_all = _flag(frame, "sla_first_response_met").eq(0.0)
    unit = _originals(frame) & (cust > 0) & wait.notna() & (opened <= end - window)
    if not unit.any():
        raise DataError(f"no answered customer ticket opened at least {window:g} days before end_t={end:g}",
                        table="tickets", column="opened_t")  # fmt: skip
    # further tickets of the same customer in (t, t + window]: one sorted key customer x time, two searches
    rank = pd.factorize(cust.to_numpy())[0].astype(float)
    t0 = float(opened.min())
    span = float(opened.max()) - t0 + window + 1.0
    keys = np.sort(rank * span + (opened.to_numpy() - t0))
    u = frame.index[unit.to_numpy()]
    unit_keys = rank[unit.to_numpy()] * span + (opened.loc[u].to_numpy() - t0)
    counts = (
        np.searchsorted(keys, unit_keys + window, side="right") - np.searchsorted(keys, unit_keys, side="right")
    ).astype(float)
    x = slow_all.loc[u].to_numpy(dtype=float)
    n_slow, n_fast = int(x.sum()), int(len(x) - x.sum())
    if n_slow == 0 or n_fast == 0:
        raise DataError(f"need slow and fast tickets to compare (slow: {n_slow}, fast: {n_fast})", table="tickets",
                        column="wait_h" if slow_h is not None else "sla_first_response_met")  # fmt: skip
    mean_slow, mean_fast = float(counts[x == 1].mean()), float(counts[x == 0].mean())
    if mean_fast == 0 or mean_slow == 0:
        raise DataError(
            f"no further complaint after the {'fast' if mean_fast == 0 else 'slow'} tickets: the ratio is not "
            "defined; use a longer window_days or more tickets", table="tickets", column="opened_t",
        )  # fmt: skip
    design = np.column_stack([np.ones(len(x)), x])
    fit = sm.GLM(counts, design, family=sm.families.Poisson()).fit(cov_type="HC0")
    beta, se = float(fit.params[1]), float(fit.bse[1])
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    lo, hi = math.exp(beta - z * se), math.exp(beta + z * se)
    return pd.Series(
        {
            "rate_ratio": math.exp(beta),
            "ci_low": lo,
            "ci_high": hi,
            "p_value": float(2 * stats.norm.sf(abs(beta / se))) if se > 0 else 0.0,
            "claim": claim,
            "claim_inside_ci": bool(lo <= claim <= hi),
            "n_slow": n_slow,
            "n_fast": n_fast,
            "mean_slow": mean_slow,
            "mean_fast": mean_fast,
        },
        dtype=object,
    )


# --------------------------------------------------------------------------- staffing


def staffing_table(
    arrival_rate_h: float, mean_service_h: float, agents: int | Sequence[int], target_wait_h: float
) -> pd.DataFrame:
    """Erlang C (M/M/c) for each number of agents: utilisation, P(wait), mean wait, service level.

    Parameters
    ----------
    arrival_rate_h : float
        Tickets per hour (>= 0).
    mean_service_h : float
        Mean handling time per ticket, hours (> 0).
    agents : int or sequence of int
        Agent counts to tabulate (each >= 1).
    target_wait_h : float
        The first-response target: ``service_level`` is the share answered within it.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``agents``: ``utilisation`` (offered load / agents), ``stable`` (bool:
        utilisation < 1), ``p_wait``, ``mean_wait_h``, ``service_level``. An unstable desk has
        ``p_wait`` 1, ``mean_wait_h`` inf (the queue grows without bound) and ``service_level`` 0.

    Examples
    --------
    >>> staffing_table(2.0, 1.0, [2, 3, 4], target_wait_h=0.25).round(3)
            utilisation  stable  p_wait  mean_wait_h  service_level
    agents
    2             1.000   False   1.000          inf          0.000
    3             0.667    True   0.444        0.444          0.654
    4             0.500    True   0.174        0.087          0.895
    """
    lam = check_number(arrival_rate_h, "arrival_rate_h", low=0.0)
    mean = check_number(mean_service_h, "mean_service_h", low=0.0, low_open=True)
    target = check_number(target_wait_h, "target_wait_h", low=0.0)
    if isinstance(agents, numbers.Integral) and not isinstance(agents, bool):
        counts = [_whole(agents, "agents")]
    elif isinstance(agents, (str, bytes)) or not isinstance(agents, Sequence | np.ndarray | pd.Index | range):
        raise ConfigError(f"agents={str(agents)[:40]!r} is not allowed: give a whole number or a list of them")
    else:
        counts = [_whole(a, f"agents[{i}]") for i, a in enumerate(agents)]
    if not counts:
        raise ConfigError("agents is empty: give at least one agent count")
    too_many = [c for c in counts if c > MAX_AGENTS]
    if too_many:
        raise ConfigError(f"agents={str(too_many[0])[:40]} is not allowed: give at most {MAX_AGENTS:,} agents")
    dup = sorted({c for c in counts if counts.count(c) > 1})
    if dup:
        raise ConfigError(f"agents lists {dup[:5]} more than once; give each agent count once")
    mu = 1.0 / mean
    rows = []
    for c in counts:
        rho = lam / (c * mu)
        if rho >= 1:
            rows.append({"agents": c, "utilisation": rho, "stable": False, "p_wait": 1.0,
                         "mean_wait_h": math.inf, "service_level": 0.0})  # fmt: skip
            continue
        rows.append(
            {
                "agents": c,
                "utilisation": rho,
                "stable": True,
                "p_wait": queueing.erlang_c(c, lam / mu),
                "mean_wait_h": queueing.erlang_c_wait(lam, mu, c),
                "service_level": queueing.service_level(lam, mu, c, target),
            }
        )
    return pd.DataFrame(rows).set_index("agents")


# --------------------------------------------------------------------------- utilisation


def utilisation(
    tickets: pd.DataFrame, staffed_agent_hours: float, *, start_t: float | None = None, end_t: float | None = None
) -> float:
    """Agent utilisation: busy agent-hours / staffed agent-hours (K10).

    Busy hours are the ``handle_h`` column when the table has it (agent hours spent on each
    ticket, every stage); otherwise the time from first response to resolution of tickets an
    agent handled (``agent >= 0``; bot-contained tickets, ``bot`` True, are not agent time).
    With ``start_t`` / ``end_t`` (days) only busy time inside that window counts: the overlap of
    each ticket's handling interval with it (with ``handle_h``: tickets resolved inside it).
    A ticket answered but not yet resolved (``resolved_t`` NaN) is busy until ``end_t``; without
    ``end_t`` it counts no time (give ``end_t``, the end of observation, to count it).

    Parameters
    ----------
    tickets : pandas.DataFrame
        ``handle_h`` and ``resolved_t``; or ``first_response_t``, ``resolved_t`` and ``agent``.
    staffed_agent_hours : float
        Agent-hours on duty in the same window (agents x hours, summed over shifts); > 0.
    start_t, end_t : float, optional
        The window (days); default everything.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"first_response_t": [0.0, 1.0], "resolved_t": [0.25, 1.5], "agent": [0, 1]})
    >>> utilisation(t, staffed_agent_hours=2 * 24.0)           # 6 h + 12 h busy of 48 h on duty
    0.375
    """
    staffed = check_number(staffed_agent_hours, "staffed_agent_hours", low=0.0, low_open=True)
    lo = -math.inf if start_t is None else check_number(start_t, "start_t")
    hi = math.inf if end_t is None else check_number(end_t, "end_t")
    if hi <= lo:
        raise ConfigError(f"end_t={hi:g} must be after start_t={lo:g}")
    if isinstance(tickets, pd.DataFrame) and "handle_h" in tickets.columns:
        frame = _frame(tickets, ["handle_h", "resolved_t"])
        handle = _numbers(frame, "handle_h").fillna(0.0)
        resolved = _numbers(frame, "resolved_t")
        inside = (
            resolved.between(lo, hi) if (start_t is not None or end_t is not None) else pd.Series(True, frame.index)
        )
        return float(handle[inside].sum() / staffed)
    frame = _frame(tickets, ["first_response_t", "resolved_t", "agent"])
    start = _numbers(frame, "first_response_t")
    stop = _numbers(frame, "resolved_t")
    backwards = stop < start
    if backwards.any():
        raise DataError("resolved before the first response", table="tickets", column="resolved_t",
                        rows=_rows(backwards))  # fmt: skip
    agent = _numbers(frame, "agent", nonneg=False, allow_nan=False)
    human = agent.ge(0)
    if "bot" in frame.columns:
        human &= _flag(frame, "bot", allow_missing=False).eq(0.0)
    unstarted = human & start.isna() & stop.notna()
    if unstarted.any():
        raise DataError("an agent resolved the ticket without a first response", table="tickets",
                        column="first_response_t", rows=_rows(unstarted))  # fmt: skip
    # open tickets (answered, not resolved yet) are busy until end_t; without end_t they are left out
    a = start.clip(lower=lo).where(human)
    b = stop.fillna(hi if end_t is not None else math.nan).clip(upper=hi).where(human)
    busy_days = (b - a).clip(lower=0.0).fillna(0.0)
    return float(busy_days.sum() * 24.0 / staffed)
