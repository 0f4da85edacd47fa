"""Logged cleaning steps: phones, e-mails, dates, currencies, and flagging (never dropping) outliers.

Each step returns ``(cleaned_frame, log)``; the log has one row per change (``row``,
``column``, ``old``, ``new``, ``rule``). Nothing is dropped without a log line: unparseable
values are kept (phones, e-mails) or set to missing (dates, amounts) *and* logged.

Examples
--------
>>> import pandas as pd
>>> out, log = flag_outliers(pd.DataFrame({"amount": [80.0, 250_000.0]}))
>>> out["review_flag"].tolist(), log[["row", "rule"]].values.tolist()
([False, True], [[1, 'flagged_over_threshold']])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis._validate import check_number, require_columns
from sim.analysis.quality._common import _frame, _log, _missing
from sim.analysis.quality._vector import _parse_text_dates, _raise_dates, _rewrite, emails_normalised, phones_e164
from sim.analysis.quality.formats import (
    _ISO_DATE,
    _canonical_currency,
    _parse_amount,
    _parse_date_text,
)
from sim.errors import ConfigError, DataError

__all__ = ["normalise_phones", "normalise_emails", "parse_dates", "standardise_currency", "flag_outliers"]


def normalise_phones(
    df: pd.DataFrame,
    column: str = "phone",
    *,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rewrite phone numbers in E.164 form (see :func:`normalise_phone`).

    Missing tokens (``''``, ``'n/a'`` ...) become NA (rule ``missing_token_to_na``);
    readable numbers are rewritten (``phone_normalised``); unreadable ones are **kept as
    they are** and logged (``phone_unreadable_kept``, old = new).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The cleaned copy and the log (``row``, ``column``, ``old``, ``new``, ``rule``).

    Examples
    --------
    >>> import pandas as pd
    >>> out, log = normalise_phones(pd.DataFrame({"phone": ["138 0013 8000", "+8613900001111", "call me"]}))
    >>> out["phone"].tolist()
    ['+8613800138000', '+8613900001111', 'call me']
    >>> log["rule"].tolist()
    ['phone_normalised', 'phone_unreadable_kept']
    """
    d = _frame(df, [column], "records")
    canon = phones_e164(d[column], country_code, national_lengths)
    return _rewrite(d, column, canon, "phone_normalised", "phone_unreadable_kept", strict_type=True)


def normalise_emails(df: pd.DataFrame, column: str = "email") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strip and lower-case e-mail addresses; invalid ones are kept and logged.

    Rules: ``missing_token_to_na``, ``email_normalised``, ``email_invalid_kept`` (old = new).

    Examples
    --------
    >>> import pandas as pd
    >>> out, log = normalise_emails(pd.DataFrame({"email": [" Li.Na@X.CN", "ok@x.cn", "nope"]}))
    >>> out["email"].tolist(), log["rule"].tolist()
    (['li.na@x.cn', 'ok@x.cn', 'nope'], ['email_normalised', 'email_invalid_kept'])
    """
    d = _frame(df, [column], "records")
    return _rewrite(d, column, emails_normalised(d[column]), "email_normalised", "email_invalid_kept")


def parse_dates(
    df: pd.DataFrame,
    columns: str | Sequence[str] = ("date",),
    *,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse date columns written in mixed formats into ``datetime64[ns]``.

    ISO dates (``YYYY-MM-DD[ HH:MM[:SS]]``) are read as they are, and year-first dates
    (``2025/3/4``, ``2025年3月4日``) year-month-day, whatever ``dayfirst`` says; other forms
    (``03/04/2025``, ``4 Mar 2025``, ``20250304`` ...) are read by :func:`pandas.to_datetime`
    (dateutil) and logged (``date_reformatted``, new = ISO text). ``03/04/2025`` is read by
    ``dayfirst``; a date whose order shows (``25/03/2025``) is read the only possible way.
    Unreadable values become **NaT and are logged** (``date_unparseable``); the row is kept.
    Missing tokens become NaT (``missing_token_to_na``).

    Parameters
    ----------
    df : pandas.DataFrame
    columns : str or sequence of str
        Date columns.
    dayfirst : bool or None
        Read ``03/04/2025`` as 3 April (True) or March 4 (False: the reading the bundled CRM
        extract needs, its slashed dates being American). None (default) refuses such ambiguous
        dates with a :class:`~sim.errors.DataError` naming the column and rows: which reading is
        right is a fact about the source system, so the caller states it.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The cleaned copy and the log.

    Raises
    ------
    DataError
        With ``dayfirst=None``: ambiguous dates such as ``03/04/2025`` (column and rows named);
        dates pandas cannot hold (before 1677-09-21 or after 2262-04-11, e.g. a ``9999-12-31``
        placeholder).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_dates(pd.DataFrame({"date": ["2025-03-04"]}), dayfirst=True)[0]["date"].tolist()  # ISO stays ISO
    [Timestamp('2025-03-04 00:00:00')]
    >>> messy = pd.DataFrame({"date": ["2025-03-04", "2025年3月5日", "03/06/2025", "someday"]})
    >>> parse_dates(messy)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.DataError: records: column 'date': 1 ambiguous date(s), e.g. '03/06/2025' ...
    >>> out, log = parse_dates(messy, dayfirst=False)  # this source writes month/day/year
    >>> out["date"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-03-04', '2025-03-05', '2025-03-06', nan]
    >>> log[["row", "new", "rule"]].values.tolist()
    [[1, '2025-03-05', 'date_reformatted'], [2, '2025-03-06', 'date_reformatted'], [3, None, 'date_unparseable']]
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    d = _frame(df, cols, "records")
    out = d.copy()
    logs: list[pd.DataFrame] = []
    for col in cols:
        s = d[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = (s.dt.tz_convert(None) if getattr(s.dt, "tz", None) is not None else s).astype("datetime64[ns]")
            continue
        if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            col_log, out[col] = _parse_text_dates(d, col, dayfirst)
            logs.append(col_log)
            continue
        entries = []
        miss = _missing(s).to_dict()
        parsed: dict[Any, pd.Timestamp] = {}
        cache: dict[str, tuple[pd.Timestamp | None, str]] = {}
        ambiguous: list[Any] = []
        out_of_range: list[Any] = []
        for i, v in s.items():
            if miss[i]:
                if not pd.isna(v):
                    entries.append((i, col, v, None, "missing_token_to_na"))
                continue
            text = str(v).strip()
            if isinstance(v, (pd.Timestamp, np.datetime64)):
                cache[text] = (pd.Timestamp(v), "ok")
            elif text not in cache:
                cache[text] = _parse_date_text(text, dayfirst)
            ts, status = cache[text]
            if status == "ambiguous":
                ambiguous.append(i)
                continue
            iso = bool(_ISO_DATE.match(text)) or isinstance(v, (pd.Timestamp, np.datetime64))
            if ts is None:
                entries.append((i, col, v, None, "date_unparseable"))
                continue
            if not pd.Timestamp.min <= ts <= pd.Timestamp.max:
                out_of_range.append(i)
                continue
            parsed[i] = ts
            if not iso:
                new = ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M:%S")
                entries.append((i, col, v, new, "date_reformatted"))
        _raise_dates(d, col, ambiguous, out_of_range)
        out[col] = pd.Series([parsed.get(i, pd.NaT) for i in d.index], index=d.index, dtype="datetime64[ns]")
        logs.append(_log(entries))
    logs = [lg for lg in logs if len(lg)]
    return out, (pd.concat(logs, ignore_index=True) if logs else _log([]))


def standardise_currency(
    df: pd.DataFrame,
    *,
    amount_col: str = "amount",
    currency_col: str | None = "currency",
    rates: Mapping[str, float] | None = None,
    base: str = "CNY",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert amounts to one currency and write the currency the same way everywhere.

    Steps per row: amounts written as text (``"1,200.50"``, ``"¥300"``, ``"45 USD"``) are
    read as numbers (``amount_parsed``); a currency found in the text fills a missing
    currency (``currency_from_amount``); codes are upper-cased and aliases mapped
    (``rmb``/``¥``/``元`` -> CNY, ``$``/``US$`` -> USD ...: ``currency_standardised``); amounts are
    multiplied by ``rates[currency]`` and the currency set to ``base`` (both logged as
    ``converted_to_<base>``).
    A missing currency is taken as ``base`` and logged (``currency_missing_assumed_base``).
    Unreadable amounts become NaN and are logged (``amount_unparseable``); the row is kept.

    Parameters
    ----------
    df : pandas.DataFrame
    amount_col : str
        Amount column.
    currency_col : str or None
        Currency column (None: only read amounts, no conversion).
    rates : mapping, optional
        Units of ``base`` per one unit of each currency, e.g. ``{"USD": 7.2, "EUR": 7.8}``
        (``base`` itself is 1). Needed as soon as another currency appears. Anything but a
        mapping (e.g. a list of rates) is a ``ConfigError``; a rate that is not a positive
        finite number a ``DataError``.
    base : str
        Target currency code.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The cleaned copy (amount float, currency = base) and the log.

    Raises
    ------
    DataError
        A currency without a rate (names the currency column and rows).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"amount": ["1,200", "10", 5.0], "currency": ["rmb", "USD", None]})
    >>> out, log = standardise_currency(df, rates={"USD": 7.0})
    >>> out["amount"].tolist(), out["currency"].tolist()
    ([1200.0, 70.0, 5.0], ['CNY', 'CNY', 'CNY'])
    >>> log["rule"].tolist()
    ['amount_parsed', 'currency_standardised', 'amount_parsed', 'converted_to_CNY', 'converted_to_CNY', 'currency_missing_assumed_base']
    """
    d = _frame(df, [amount_col, currency_col], "records")
    b = _canonical_currency(base)
    if b is None:
        raise DataError(f"base={base!r} is not a currency code")
    rate_map = {b: 1.0}
    if rates is not None and not isinstance(rates, Mapping):
        raise ConfigError(
            f"rates={str(rates)[:60]} ({type(rates).__name__}) is not allowed: give a mapping of currency code -> "
            'positive finite rate in units of the base currency, e.g. {"USD": 7.2}'
        )
    for k, v in (rates or {}).items():
        ck = _canonical_currency(k)
        bad_number = isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
        if ck is None or bad_number or not np.isfinite(v) or v <= 0:
            raise DataError(f"rates: {k!r}: {v!r} is not a currency code with a positive finite rate")
        rate_map[ck] = float(v)
    out = d.copy()
    amounts: dict[Any, float] = dict.fromkeys(d.index, np.nan)
    currencies: dict[Any, str] = dict.fromkeys(d.index, b)
    by_row: dict[Any, list] = {i: [] for i in d.index}
    text_cur: dict[Any, str] = {}
    miss_amt = _missing(d[amount_col]).to_dict()
    for i, v in d[amount_col].items():
        if miss_amt[i]:
            if not pd.isna(v):
                by_row[i].append((i, amount_col, v, None, "missing_token_to_na"))
            continue
        num, cur_in_text = _parse_amount(v)
        if num is None:
            by_row[i].append((i, amount_col, v, None, "amount_unparseable"))
            continue
        amounts[i] = num
        if cur_in_text is not None:
            text_cur[i] = cur_in_text
        if not isinstance(v, (int, float, np.integer, np.floating)):
            by_row[i].append((i, amount_col, v, num, "amount_parsed"))
    if currency_col is not None:
        miss_cur = _missing(d[currency_col]).to_dict()
        bad, clash = [], []
        for i, v in d[currency_col].items():
            if miss_cur[i]:
                if i in text_cur:
                    currencies[i] = text_cur[i]
                    by_row[i].append((i, currency_col, None if pd.isna(v) else v, text_cur[i], "currency_from_amount"))
                else:
                    by_row[i].append((i, currency_col, None if pd.isna(v) else v, b, "currency_missing_assumed_base"))
                continue
            canon = _canonical_currency(v)
            if canon is None:
                bad.append(i)
                continue
            if i in text_cur and text_cur[i] != canon:
                clash.append(i)
            currencies[i] = canon
            if str(v) != canon:
                by_row[i].append((i, currency_col, v, canon, "currency_standardised"))
        if clash:
            raise DataError(
                f"the currency written in the amount contradicts column {currency_col!r}",
                table="records",
                column=amount_col,
                rows=clash,
            )
        unknown = [i for i in d.index if i not in bad and currencies[i] not in rate_map]
        if bad or unknown:
            rank = {lab: n for n, lab in enumerate(d.index)}
            rows = sorted(bad + unknown, key=rank.__getitem__)
            found = sorted({str(d.at[i, currency_col]) for i in rows})
            raise DataError(
                f"no exchange rate for currency {found}; give rates={{code: units of {b}}}",
                table="records",
                column=currency_col,
                rows=rows,
            )
        for i in d.index:
            c = currencies[i]
            if c != b and not np.isnan(amounts[i]):
                new = float(amounts[i] * rate_map[c])
                by_row[i].append((i, amount_col, float(amounts[i]), new, f"converted_to_{b}"))
                amounts[i] = new
            if c != b:
                by_row[i].append((i, currency_col, c, b, f"converted_to_{b}"))
        out[currency_col] = pd.Series([b] * len(d), index=d.index, dtype="string")
    entries = [e for i in d.index for e in by_row[i]]
    out[amount_col] = pd.Series([amounts[i] for i in d.index], index=d.index, dtype=float)
    return out, _log(entries)


def flag_outliers(
    df: pd.DataFrame,
    amount_col: str = "amount",
    *,
    threshold: float = 100_000,
    flag_col: str = "review_flag",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flag (never drop) rows whose amount is strictly above ``threshold``.

    Adds a boolean column ``flag_col``; each flagged row is logged
    (``flagged_over_threshold``, column = ``flag_col``, old False, new True). ``threshold``
    must be a finite number (text or NaN is a ``ConfigError``).

    Examples
    --------
    >>> import pandas as pd
    >>> out, log = flag_outliers(pd.DataFrame({"amount": [99.0, 100_000.0, 250_000.0]}))
    >>> out["review_flag"].tolist(), log["row"].tolist()
    ([False, False, True], [2])
    """
    check_number(threshold, "threshold")
    d = require_columns(df, {amount_col: "any"}, table="records")
    amt = pd.to_numeric(d[amount_col], errors="coerce")
    bad = d.index[amt.isna() & d[amount_col].notna()]
    if len(bad):
        raise DataError(
            "amounts must be numbers (run standardise_currency first)", table="records", column=amount_col, rows=bad
        )
    out = d.copy()
    flag = (amt > threshold).fillna(False).astype(bool)
    out[flag_col] = flag
    return out, _log([(i, flag_col, False, True, "flagged_over_threshold") for i in d.index[flag]])
