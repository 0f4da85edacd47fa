"""Input checks of :func:`sim.calibrate`: the order log, the tickets and the survey answers.

Every check raises :class:`sim.errors.DataError` naming the table, the column and the rows
(:mod:`sim.analysis._validate` does the column work); nothing is silently dropped.

* **orders**: ``customer_id``, ``date`` (or ``t``: days since ``start_date``) and ``amount``
  (finite, >= 0); ``order_id``, when present, must not repeat; no order before ``start_date``.
* **tickets**: ``severity`` in P0-P3 and a date (``date``, or ``opened_t`` in days); optional
  ``cause`` (product, service, price, communication), ``handle_h`` (or ``resolution_h`` - ``wait_h``), ``bot``, ``chaser_of``,
  ``reopened_from``.
* **surveys**: ``instrument`` and ``score`` (NPS answers: whole numbers 0-10); an optional date.
* Tickets and answers dated after the order log ends (the end of the day of the last order), or
  before ``start_date``, are errors: they cannot belong to this log.

Examples
--------
>>> import pandas as pd
>>> log = check_orders(pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [10.0, 20.0, 5.0, 7.0],
...     "date": ["2025-01-01", "2025-01-20", "2025-01-05", "2025-01-08"]}), start_date=None)
>>> log.start, log.end, log.horizon_days
(Timestamp('2025-01-01 00:00:00'), Timestamp('2025-01-21 00:00:00'), 20.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns, to_timestamp
from sim.config.limits import MAX_DAYS, MAX_HOURS, short
from sim.errors import DataError
from sim.schema import CAUSES, SEVERITIES

__all__ = ["OrderLog", "check_orders", "check_tickets", "check_surveys", "DEFAULT_START"]

#: Day 0 of an order log given in days (``t``) without a ``start_date``: the scenarios' default.
DEFAULT_START = pd.Timestamp("2025-01-01")
_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class OrderLog:
    """A checked order log: ``orders`` (customer_id, date, amount[, margin]), day 0 and the end instant."""

    orders: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def horizon_days(self) -> float:
        """Days from ``start`` to ``end``."""
        return float((self.end - self.start) / _DAY)


def _dates_from(df: pd.DataFrame, table: str, date_col: str, t_col: str, start: pd.Timestamp | None) -> pd.Series:
    """A checked date column: ``date_col`` as given, else ``start`` + ``t_col`` days."""
    if date_col in df.columns:
        return require_columns(df[[date_col]], {date_col: "datetime"}, table=table)[date_col]
    if t_col in df.columns:
        t = require_columns(df[[t_col]], {t_col: "nonneg"}, table=table)[t_col]
        far = t.index[t > MAX_DAYS]
        if len(far):
            raise DataError(
                f"{len(far)} value(s) above {MAX_DAYS:g} days (e.g. {t.loc[far[0]]:g}); at most {MAX_DAYS:g} days "
                "(ten years) after start_date are allowed",
                table=table,
                column=t_col,
                rows=far,
            )
        return (start if start is not None else DEFAULT_START) + pd.to_timedelta(t.to_numpy(dtype=float), unit="D")
    raise DataError(
        f"missing column {date_col!r} (or {t_col!r}, days since start_date); present: {list(df.columns)[:20]}",
        table=table,
    )


def check_orders(orders: pd.DataFrame, *, start_date: object = None) -> OrderLog:
    """Check an order log and fix its time frame.

    Day 0 is ``start_date`` (default: midnight of the first order's day); the log ends at the
    midnight after its last order (a simulated log of ``days`` days ends at day ``days``).

    Raises
    ------
    DataError
        Missing columns, ids of mixed types, unparseable or ambiguous dates, non-finite or
        negative amounts, repeated ``order_id``, orders before ``start_date``, a history shorter
        than two days, or fewer than two customers with a repeat purchase.

    Examples
    --------
    >>> bad = pd.DataFrame({"customer_id": [1, 2], "date": ["2025-01-01", "2025-01-02"], "amount": [5.0, -1.0]})
    >>> check_orders(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.DataError: orders: column 'amount': ... (rows: 1)
    """
    if not isinstance(orders, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(orders).__name__}", table="orders")
    start = to_timestamp(start_date, name="start_date") if start_date is not None else None
    spec = {"customer_id": "id", "amount": "nonneg"}
    if "margin" in orders.columns:
        spec["margin"] = "number"
    unique = ["order_id"] if "order_id" in orders.columns else []
    if unique:
        spec["order_id"] = "id"
    checked = require_columns(orders, spec, table="orders", unique=unique)
    dates = _dates_from(orders, "orders", "date", "t", start)
    o = pd.DataFrame({"customer_id": checked["customer_id"], "date": dates, "amount": checked["amount"]})
    if "margin" in spec:
        o["margin"] = checked["margin"]
    if unique:
        o["order_id"] = checked["order_id"]
    if start is None:
        start = o["date"].min().normalize()
    before = o.index[o["date"] < start]
    if len(before):
        raise DataError(
            f"{len(before)} order(s) dated before start_date={start.date()}; give an earlier start_date or drop them",
            table="orders",
            column="date",
            rows=before,
        )
    end = o["date"].max().normalize() + _DAY
    span = (end.to_pydatetime() - start.to_pydatetime()).total_seconds() / 86400.0  # no Timedelta overflow
    if span > MAX_DAYS:
        raise DataError(
            f"the log spans {span:,.0f} days ({start.date()} to {end.date()}); at most {MAX_DAYS:g} days (ten years) "
            "are allowed: check the dates (a typo in a year?) or give a later start_date and drop the older orders",
            table="orders",
            column="date",
            rows=o.index[(o["date"] == o["date"].min()) | (o["date"] == o["date"].max())],
        )
    if end - start < 2 * _DAY:
        raise DataError(
            f"the log spans less than two days ({start.date()} to {end.date()}): a purchase process cannot be "
            "identified; give a longer history",
            table="orders",
            column="date",
        )
    days = o["date"].dt.normalize()
    per_customer = days.groupby(o["customer_id"]).nunique()
    repeaters = int((per_customer > 1).sum())
    if repeaters < 2:
        raise DataError(
            f"only {repeaters} customer(s) bought on more than one day (of {len(per_customer)}); at least 2 repeat "
            "buyers are needed to fit purchase and spend models",
            table="orders",
            column="customer_id",
        )
    return OrderLog(orders=o.reset_index(drop=True), start=start, end=end)


def _check_window(dates: pd.Series, log: OrderLog, table: str, column: str) -> None:
    late = dates.index[dates >= log.end]
    if len(late):
        raise DataError(
            f"{len(late)} row(s) dated after the order log ends ({log.end - _DAY:%Y-%m-%d}, its last order's day): "
            "they cannot belong to this log; give the matching orders or drop these rows",
            table=table,
            column=column,
            rows=late,
        )
    early = dates.index[dates < log.start]
    if len(early):
        raise DataError(
            f"{len(early)} row(s) dated before the log's start ({log.start:%Y-%m-%d})",
            table=table,
            column=column,
            rows=early,
        )


def check_tickets(tickets: pd.DataFrame, log: OrderLog) -> pd.DataFrame:
    """Check a ticket table against the order log; return a copy with a parsed ``date``.

    Raises
    ------
    DataError
        Missing ``severity`` or date, an unknown severity, non-finite handling times, dates
        outside the order log.

    Examples
    --------
    >>> log = check_orders(pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [1.0] * 4,
    ...     "date": ["2025-01-01", "2025-01-09", "2025-01-02", "2025-01-05"]}))
    >>> check_tickets(pd.DataFrame({"severity": ["P2", "urgent"], "date": ["2025-01-02", "2025-01-03"]}), log)
    Traceback (most recent call last):
    ...
    sim.errors.DataError: tickets: column 'severity': unknown severity 'urgent'; allowed: ['P0', 'P1', 'P2', 'P3'] (rows: 1)
    """
    if not isinstance(tickets, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(tickets).__name__}", table="tickets")
    t = require_columns(tickets, {"severity": "category"}, table="tickets", allow_empty=True)
    sev = t["severity"].astype(str)
    bad = t.index[~sev.isin(SEVERITIES)]
    if len(bad):
        raise DataError(
            f"unknown severity {sev.loc[bad[0]]!r}; allowed: {list(SEVERITIES)}", table="tickets", column="severity",
            rows=bad,
        )  # fmt: skip
    t["severity"] = sev
    if "cause" in t.columns:
        cause = t["cause"].astype(str)
        bad = t.index[t["cause"].isna() | ~cause.isin(CAUSES)]
        if len(bad):
            raise DataError(
                f"unknown cause {t['cause'].loc[bad[0]]!r}; allowed: {list(CAUSES)} (map your categories first)",
                table="tickets",
                column="cause",
                rows=bad,
            )
        t["cause"] = cause
    t["date"] = _dates_from(t, "tickets", "date", "opened_t", log.start)
    _check_window(t["date"], log, "tickets", "date")
    for col in ("handle_h", "resolution_h", "wait_h"):
        if col in t.columns:
            vals = _optional_numbers(t[col], col, "a finite number of hours (or empty)")
            if (vals < 0).any():
                raise DataError("must be >= 0 hours", table="tickets", column=col, rows=t.index[vals < 0])
            if (vals > MAX_HOURS).any():
                raise DataError(
                    f"more than {MAX_HOURS:g} hours (a year) for one ticket, e.g. {vals[vals > MAX_HOURS].iloc[0]:g}; "
                    "give hours (not seconds or minutes)",
                    table="tickets",
                    column=col,
                    rows=t.index[vals > MAX_HOURS],
                )
            t[col] = vals
    text_ids = (
        "order_id" in t.columns
        and not pd.api.types.is_numeric_dtype(t["order_id"])
        and not ("order_id" in log.orders.columns and pd.api.types.is_numeric_dtype(log.orders["order_id"]))
    )  # text order ids (both tables): compared as text below
    for col in ("chaser_of", "reopened_from") if text_ids else ("order_id", "chaser_of", "reopened_from"):
        if col in t.columns:
            vals = _optional_numbers(t[col], col, "a whole number (-1 or empty: none)")
            frac = t.index[vals.notna() & (vals != np.round(vals))]
            if len(frac):
                raise DataError("must be a whole number (-1 or empty: none)", table="tickets", column=col, rows=frac)
            t[col] = vals
    if "bot" in t.columns:
        t["bot"] = require_columns(t[["bot"]], {"bot": "bool"}, table="tickets")["bot"]
    if "order_id" in t.columns and "order_id" in log.orders.columns:
        if text_ids:
            tid = t["order_id"].astype(str)
            unknown = t.index[t["order_id"].notna() & (tid != "-1") & ~tid.isin(log.orders["order_id"].astype(str))]
        else:
            unknown = t.index[(t["order_id"] >= 0) & ~t["order_id"].isin(log.orders["order_id"])]
        if len(unknown):
            raise DataError(
                f"{len(unknown)} ticket(s) name an order_id that is not in the order log (e.g. "
                f"{_plain(t['order_id'].loc[unknown[0]])}): they cannot belong to this log; give the matching orders, or -1 "
                "for a ticket without an order",
                table="tickets",
                column="order_id",
                rows=unknown,
            )
    return t


def _plain(value: object) -> str:
    """A cell for a message: numpy scalars as plain Python values (``inf``, not ``np.float64(inf)``)."""
    return short(value.item() if isinstance(value, np.generic) else value)


def _optional_numbers(values: pd.Series, column: str, what: str) -> pd.Series:
    """Numbers of an optional ticket column (empty allowed); text, booleans and non-finite values are errors."""
    flags = values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(values) or flags.any():
        rows = values.index if pd.api.types.is_bool_dtype(values) else values.index[flags]
        raise DataError(f"booleans (True/False) are not allowed: give {what}", table="tickets", column=column,
                        rows=rows)  # fmt: skip
    vals = pd.to_numeric(values, errors="coerce").astype(float)
    bad = values.index[values.notna() & ~np.isfinite(vals.fillna(np.inf))]
    if len(bad):
        raise DataError(
            f"{_plain(values.loc[bad[0]])} is not allowed: must be {what}", table="tickets", column=column,
            rows=bad,
        )  # fmt: skip
    return vals


def check_surveys(surveys: pd.DataFrame, log: OrderLog) -> pd.DataFrame:
    """Check survey answers: ``instrument`` and ``score``; NPS scores whole numbers 0-10; dates inside the log.

    Examples
    --------
    >>> log = check_orders(pd.DataFrame({"customer_id": [1, 1, 2, 2], "amount": [1.0] * 4,
    ...     "date": ["2025-01-01", "2025-01-09", "2025-01-02", "2025-01-05"]}))
    >>> check_surveys(pd.DataFrame({"instrument": ["nps", "nps"], "score": [9, 11]}), log)
    Traceback (most recent call last):
    ...
    sim.errors.DataError: surveys: column 'score': NPS answers must be whole numbers from 0 to 10 (rows: 1)
    """
    if not isinstance(surveys, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(surveys).__name__}", table="surveys")
    s = require_columns(surveys, {"instrument": "category", "score": "number"}, table="surveys", allow_empty=True)
    nps = s["instrument"].astype(str) == "nps"
    sc = s["score"].astype(float)
    bad = s.index[nps & ((sc < 0) | (sc > 10) | (sc != np.round(sc)))]
    if len(bad):
        raise DataError("NPS answers must be whole numbers from 0 to 10", table="surveys", column="score", rows=bad)
    if "date" in s.columns or "t" in s.columns:
        s["date"] = _dates_from(s, "surveys", "date", "t", log.start)
        _check_window(s["date"], log, "surveys", "date")
    return s
