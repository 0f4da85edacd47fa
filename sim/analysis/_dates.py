"""Date columns and date arguments (re-exported by :mod:`sim.analysis._validate`).

:func:`require_dates` parses a column to naive ``datetime64[ns]`` or raises a
:class:`sim.errors.DataError` naming the table, the column and the rows; :func:`to_timestamp`
does the same for one value (a cutoff). Numbers are never dates, ``03/04/2025`` needs
``dayfirst``, ISO dates are never ambiguous, mixed time-zone offsets need ``utc=True``.

Examples
--------
>>> to_timestamp("2025-03-04T08:00:00+08:00")
Timestamp('2025-03-04 00:00:00')
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
import warnings

import numpy as np
import pandas as pd

from sim.analysis._values import _examples, _short
from sim.errors import DataError

__all__ = ["require_dates", "to_timestamp"]


# ----------------------------------------------------------------------------------------
# Dates
# ----------------------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_YMD_RE = re.compile(r"^(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?P<rest>(?:[ T].*)?)$")
_DMY_RE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?P<rest>(?:[ T].*)?)$")
_TEXT_DATE_HINT = "e.g. '2025-06-30'"


def _offset_text(ts: pd.Timestamp) -> str:
    """'' for a naive timestamp, else its UTC offset as '+HH:MM'."""
    off = ts.utcoffset()
    if off is None:
        return ""
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _norm_offset(tz: object) -> str:
    if not isinstance(tz, str) or not tz:
        return ""
    if tz == "Z":
        return "+00:00"
    digits = tz[1:].replace(":", "")
    return f"{tz[0]}{digits[:2]}:{(digits[2:4] or '00')}"


def _parse_date_text(text: str, dayfirst: bool | None, date_format: str | None) -> tuple[pd.Timestamp | None, str]:
    """One date written as text -> (timestamp or None, status).

    Status: ``ok``, ``unparseable``, ``ambiguous`` (``03/04/2025`` without ``dayfirst``),
    ``dayfirst`` / ``monthfirst`` (the value itself shows the order: ``25/03/2025``),
    ``contradicts`` (the value's order is not the one ``dayfirst`` asked for).
    """
    if date_format is not None:
        try:
            return pd.Timestamp(pd.to_datetime(text, format=date_format)), "ok"
        except (ValueError, TypeError, OverflowError):
            return None, "unparseable"
    status = "ok"
    m = _YMD_RE.match(text)
    if m:
        iso = f"{m.group(1)}-{int(m.group(3)):02d}-{int(m.group(4)):02d}{m.group('rest')}"
    else:
        m = _DMY_RE.match(text)
        if m:
            a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
            year = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 69 else 1900 + int(y))
            if a > 12 and b > 12:
                return None, "unparseable"
            if a > 12 or b > 12:
                status = "dayfirst" if a > 12 else "monthfirst"
                if dayfirst is not None and dayfirst != (status == "dayfirst"):
                    return None, "contradicts"
                day_first = status == "dayfirst"
            elif a == b:
                day_first = True
            elif dayfirst is None:
                return None, "ambiguous"
            else:
                day_first = bool(dayfirst)
            day, month = (a, b) if day_first else (b, a)
            iso = f"{year:04d}-{month:02d}-{day:02d}{m.group('rest')}"
        else:
            iso = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if iso is not None:
                ts = pd.Timestamp(iso)
            else:
                ts = pd.Timestamp(pd.to_datetime(text, dayfirst=bool(dayfirst)))
    except (ValueError, TypeError, OverflowError):
        return None, "unparseable"
    if pd.isna(ts):
        return None, "unparseable"
    return ts, status


def require_dates(
    s: pd.Series,
    *,
    table: str = "table",
    column: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    utc: bool = False,
) -> pd.Series:
    """Parse a date column to naive ``datetime64[ns]`` or raise a :class:`DataError` naming the rows.

    The rules are :func:`_require_dates`'; a date outside what pandas can hold in nanoseconds
    (1677-09-21 to 2262-04-11, e.g. a placeholder such as ``9999-12-31``) is refused too.

    Examples
    --------
    >>> import pandas as pd
    >>> require_dates(pd.Series(["2025-01-02", "9999-12-31"]), table="orders", column="date")
    Traceback (most recent call last):
    ...
    sim.errors.DataError: orders: column 'date': date(s) outside 1677-09-21 .. 2262-04-11 (what pandas can hold), e.g. '9999-12-31'; replace placeholders such as 9999-12-31 by a missing value or a real date (rows: 1)
    """
    try:
        return _require_dates(s, table=table, column=column, dayfirst=dayfirst, date_format=date_format, utc=utc)
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        col = column if column is not None else str(s.name)
        rows = [i for i, v in s.items() if _out_of_bounds(v)]
        example = f", e.g. {_short(s.loc[rows[0]])}" if rows else ""
        raise DataError(
            f"date(s) outside 1677-09-21 .. 2262-04-11 (what pandas can hold){example}; replace placeholders "
            "such as 9999-12-31 by a missing value or a real date",
            table=table,
            column=col,
            rows=rows,
        ) from None


def _out_of_bounds(value: object) -> bool:
    """Whether ``value`` reads as a date pandas cannot hold in nanoseconds."""
    try:
        ts = pd.Timestamp(value.strip() if isinstance(value, str) else value)
        if pd.isna(ts):
            return False
        ts.as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        return True
    except (ValueError, TypeError):
        return False
    return False


def _require_dates(
    s: pd.Series,
    *,
    table: str = "table",
    column: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    utc: bool = False,
) -> pd.Series:
    """Parse a date column to naive ``datetime64[ns]`` or raise a :class:`DataError` naming the rows.

    Rules:

    * datetimes pass; tz-aware values are converted to UTC and made naive;
    * numbers are refused (``20250101`` would be 20 ms after 1 January 1970), unless
      ``date_format`` is given (``'%Y%m%d'`` reads such integers as dates);
    * ISO text (``2025-03-04``, ``2025-03-04 10:30``, ``2025-03-04T10:30:00+01:00``) is read as
      it is, whatever ``dayfirst`` says; ``2025/03/04`` is year-month-day;
    * ``03/04/2025`` (day and month both <= 12 and different) is ambiguous: refused unless
      ``dayfirst`` is given; a value whose order is visible (``25/03/2025``) is read that way,
      but one column may not hold both orders, nor contradict ``dayfirst``;
    * other text (``4 Mar 2025``, ``20250304``) is read by :func:`pandas.to_datetime`;
    * values with different UTC offsets (or aware and naive values together) are refused
      unless ``utc=True`` (then naive values count as UTC);
    * unparseable and missing values are refused.

    Parameters
    ----------
    s : pandas.Series
        The dates.
    table, column : str
        Names used in error messages.
    dayfirst : bool, optional
        How to read ``03/04/2025``: True = 3 April, False = March 4, None (default) = refuse.
    date_format : str, optional
        A :func:`~datetime.datetime.strptime` format for all non-ISO values (e.g. ``'%d.%m.%Y'``,
        or ``'%Y%m%d'`` for integers such as 20250101).
    utc : bool
        Convert values with different UTC offsets to UTC instead of refusing them.

    Returns
    -------
    pandas.Series
        Naive ``datetime64[ns]`` (UTC where offsets were given), same index.

    Raises
    ------
    DataError
        Naming the table, the column and the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["2025-03-04", "03/04/2025"])
    >>> require_dates(s, table="orders", column="date", dayfirst=True).dt.strftime("%d %b").tolist()
    ['04 Mar', '03 Apr']
    >>> require_dates(s, table="orders", column="date")
    Traceback (most recent call last):
    ...
    sim.errors.DataError: orders: column 'date': 1 ambiguous date(s), e.g. '03/04/2025' (day/month or month/day?); pass dayfirst=True (3 April) or dayfirst=False (March 4), or date_format=, or convert the column first with pd.to_datetime(..., format=...) (rows: 1)
    >>> require_dates(pd.Series([20250304]), table="orders", column="date", date_format="%Y%m%d").tolist()
    [Timestamp('2025-03-04 00:00:00')]
    """
    col = column if column is not None else str(s.name)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_convert(None) if getattr(s.dt, "tz", None) is not None else s
        bad = s.index[out.isna()]
        if len(bad):
            raise DataError(f"{len(bad)} missing date(s)", table=table, column=col, rows=bad)
        return out.astype("datetime64[ns]")
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        vals = s.dropna()
        if date_format is None or pd.api.types.is_bool_dtype(s) or not (vals == np.round(vals)).all():
            example = _short(vals.iloc[0], 20) if len(vals) else "nan"
            raise DataError(
                f"dates stored as numbers (dtype {s.dtype}, e.g. {example}) would be read as nanoseconds "
                f"since 1970; give text or datetimes, e.g. pd.to_datetime(df[{col!r}].astype(str), "
                "format='%Y%m%d'), or pass date_format='%Y%m%d'",
                table=table,
                column=col,
                rows=s.index[s.notna()],
            )
        s = s.astype("Int64").astype(object).where(s.notna(), None).map(lambda v: None if v is None else str(v))
    obj = s.astype(object)
    missing = obj.isna().to_numpy()
    is_text = obj.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    is_num = obj.map(lambda v: isinstance(v, (numbers.Number, np.bool_)) and not pd.isna(v)).to_numpy(dtype=bool)
    if is_num.any():
        rows = s.index[is_num]
        raise DataError(
            f"number(s) in a date column, e.g. {_examples(obj[is_num].tolist())}; a number would be read as "
            "nanoseconds since 1970: write dates as text ('2025-01-01') or datetimes",
            table=table,
            column=col,
            rows=rows,
        )
    stamps = np.full(len(s), pd.NaT, dtype=object)
    offsets = np.full(len(s), "", dtype=object)
    status = np.full(len(s), "ok", dtype=object)
    text = obj[is_text].astype(str).str.strip()
    is_iso = text.str.fullmatch(_ISO_RE).to_numpy(dtype=bool)
    pos_text = np.flatnonzero(is_text)
    iso_values = pd.Series(pd.NaT, index=s.index[pos_text[is_iso]], dtype="datetime64[ns]")
    # ISO text, vectorised; only values with something after the date can carry an offset
    if is_iso.any():
        pos = pos_text[is_iso]
        iso_text = text[is_iso]
        tz = np.full(len(iso_text), "", dtype=object)
        cand = iso_text.str.slice(10).str.contains(r"[+\-Z]", regex=True).to_numpy(dtype=bool)
        if cand.any():
            tz[cand] = iso_text[cand].str.extract(_ISO_RE)["tz"].map(_norm_offset).to_numpy(dtype=object)
        offsets[pos] = tz
        aware = tz != ""
        if aware.any():
            # each offset applied, then UTC; whether offsets may differ is decided below
            conv = pd.to_datetime(iso_text[aware], format="ISO8601", utc=True, errors="coerce")
            iso_values[aware] = conv.dt.tz_convert(None).astype("datetime64[ns]").to_numpy()
        if (~aware).any():
            naive = pd.to_datetime(iso_text[~aware], format="ISO8601", errors="coerce")
            iso_values[~aware] = naive.astype("datetime64[ns]").to_numpy()
        status[pos[iso_values.isna().to_numpy()]] = "unparseable"
    # other text, one parse per distinct value
    cache: dict[str, tuple[pd.Timestamp | None, str]] = {}
    for p, t in zip(pos_text[~is_iso], text[~is_iso].tolist()):
        if t not in cache:
            cache[t] = _parse_date_text(t, dayfirst, date_format)
        ts, st = cache[t]
        status[p] = st if ts is not None or st != "ok" else "unparseable"
        if ts is not None:
            offsets[p] = _offset_text(ts)
            stamps[p] = ts.tz_convert(None) if ts.tzinfo is not None else ts
    # datetime objects in an object column
    for p in np.flatnonzero(~is_text & ~missing):
        v = obj.iloc[p]
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            status[p] = "unparseable"
            continue
        if pd.isna(ts):
            status[p] = "unparseable"
            continue
        offsets[p] = _offset_text(ts)
        stamps[p] = ts.tz_convert(None) if ts.tzinfo is not None else ts

    def rows_with(*states: str) -> np.ndarray:
        return np.flatnonzero(np.isin(status, states) & ~missing)

    bad = rows_with("unparseable")
    if len(bad):
        raise DataError(
            f"unparseable date(s), e.g. {_examples(obj.iloc[bad].tolist())}", table=table, column=col, rows=s.index[bad]
        )
    bad = rows_with("ambiguous")
    if len(bad):
        ex = obj.iloc[bad[0]].strip()
        m = _DMY_RE.match(ex)
        d1 = _dt.date(2000, int(m.group(3)), int(m.group(1))) if m else None
        d2 = _dt.date(2000, int(m.group(1)), int(m.group(3))) if m else None
        readings = (
            f"dayfirst=True ({d1.day} {d1:%B}) or dayfirst=False ({d2:%B} {d2.day})"
            if d1 and d2
            else "dayfirst=True or dayfirst=False"
        )
        raise DataError(
            f"{len(bad)} ambiguous date(s), e.g. {_examples(obj.iloc[bad].tolist(), 2)} (day/month or month/day?); "
            f"pass {readings}, or date_format=, or convert the column first with pd.to_datetime(..., format=...)",
            table=table,
            column=col,
            rows=s.index[bad],
        )
    bad = rows_with("contradicts")
    if len(bad):
        order = "day/month" if dayfirst else "month/day"
        raise DataError(
            f"date(s) that cannot be {order} (dayfirst={dayfirst}), e.g. {_examples(obj.iloc[bad].tolist(), 2)}",
            table=table,
            column=col,
            rows=s.index[bad],
        )
    df_rows, mf_rows = rows_with("dayfirst"), rows_with("monthfirst")
    if len(df_rows) and len(mf_rows):
        raise DataError(
            f"day/month dates (e.g. {_short(obj.iloc[df_rows[0]])}) and month/day dates "
            f"(e.g. {_short(obj.iloc[mf_rows[0]])}) in one column; split the column by source and parse each "
            "with its own dayfirst=",
            table=table,
            column=col,
            rows=s.index[mf_rows if len(mf_rows) <= len(df_rows) else df_rows],
        )
    present = ~missing
    kinds = pd.Series(offsets[present]).value_counts()
    if len(kinds) > 1 and not utc:
        shown = [k or "no offset" for k in kinds.index[:4]]
        odd = np.flatnonzero(present & (offsets != kinds.index[0]))
        raise DataError(
            f"dates with different time-zone offsets {shown}; pass utc=True to convert them all to UTC "
            "(values without an offset then count as UTC), or convert the column first",
            table=table,
            column=col,
            rows=s.index[odd],
        )
    bad = np.flatnonzero(missing)
    if len(bad):
        raise DataError(f"{len(bad)} missing date(s)", table=table, column=col, rows=s.index[bad])
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    if is_iso.any():
        out[pos_text[is_iso]] = iso_values.to_numpy()
    rest = np.flatnonzero(~missing)
    rest = np.setdiff1d(rest, pos_text[is_iso], assume_unique=True)
    if len(rest):
        out[rest] = pd.to_datetime(list(stamps[rest])).astype("datetime64[ns]").to_numpy()
    return pd.Series(out, index=s.index, name=s.name)


def to_timestamp(
    value: object, *, name: str = "cutoff", dayfirst: bool | None = None, date_format: str | None = None
) -> pd.Timestamp:
    """Parse a date-like value into a naive :class:`pandas.Timestamp` or raise a clear error.

    The rules of :func:`require_dates` apply: numbers are refused (``20250101`` is not a
    date), ``03/04/2025`` needs ``dayfirst``, a tz-aware value is converted to naive UTC.

    Examples
    --------
    >>> to_timestamp("2025-06-30")
    Timestamp('2025-06-30 00:00:00')
    >>> to_timestamp(20250630)
    Traceback (most recent call last):
    ...
    sim.errors.DataError: cutoff=20250630 is a number, not a date (a number would be read as nanoseconds since 1970); give e.g. '2025-06-30'
    """
    if isinstance(value, (numbers.Number, np.bool_)) and not isinstance(value, (np.datetime64, np.timedelta64)):
        raise DataError(
            f"{name}={_short(value)} is a number, not a date (a number would be read as nanoseconds since 1970); "
            f"give {_TEXT_DATE_HINT}"
        )
    if value is None or value is pd.NaT or value is pd.NA:
        raise DataError(f"{name} is missing; give a date such as '2025-06-30'")
    if isinstance(value, str):
        text = value.strip()
        m = _ISO_RE.match(text)
        ts, status = (None, "ok") if m else _parse_date_text(text, dayfirst, date_format)
        if m:
            try:
                ts = pd.Timestamp(text)
            except (ValueError, TypeError, OverflowError):
                ts, status = None, "unparseable"
        if status == "ambiguous":
            raise DataError(
                f"{name}={_short(value)} is ambiguous (day/month or month/day?); write it as ISO {_TEXT_DATE_HINT}"
            )
        if ts is None:
            raise DataError(f"{name}={_short(value)} is not a date (use {_TEXT_DATE_HINT})")
    else:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise DataError(f"{name}={_short(value)} is not a date (use {_TEXT_DATE_HINT})") from exc
    if pd.isna(ts):
        raise DataError(f"{name} is missing (NaT); give a date such as '2025-06-30'")
    try:
        ts = ts.as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        raise DataError(
            f"{name}={_short(value)} is outside 1677-09-21 .. 2262-04-11 (what pandas can hold); give a real date"
        ) from None
    return ts.tz_convert(None) if ts.tzinfo is not None else ts
