"""Whole-column versions of the single-value normalisers in :mod:`~sim.analysis.quality.formats`.

Each function returns, for a column, exactly what the scalar function returns for each value
(``tests/analysis/test_dedup_scale.py`` checks this on every bundled record and on random text).
The work is done once per **distinct** value (:func:`pandas.factorize`), with pandas string
methods on object arrays (so Python's own ``str.strip`` / ``str.lower`` / :mod:`re` rules apply,
exactly as in the scalar functions); values that are not text (numbers, timestamps) go through
the scalar function. The whole-column cleaning steps (:func:`_rewrite` for phones and e-mails,
:func:`_parse_text_dates` for dates) build their logs from these arrays, row order kept.

Examples
--------
>>> import pandas as pd
>>> phones_e164(pd.Series(["138-0013-8000", None, "12345", "138-0013-8000"])).tolist()
['+8613800138000', None, None, '+8613800138000']
>>> names_normalised(pd.Series(["ZHANG, Wei", "Wei Zhang", "张 伟", "?"])).tolist()
['wei zhang', 'wei zhang', '张伟', None]
>>> emails_normalised(pd.Series([" Li.Na@X.CN", "nope", pd.NA])).tolist()
['li.na@x.cn', None, None]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.quality._common import _log_arrays, _missing
from sim.analysis.quality.formats import (
    _ISO_DATE,
    _lengths,
    _normalise_email,
    _parse_date_text,
    normalise_name,
    normalise_phone,
)
from sim.errors import DataError

__all__: list[str] = []

_NON_WORD = re.compile(r"[^\w\s]")


def _per_distinct(
    s: pd.Series, text_fn: Callable[[pd.Series], pd.Series], scalar_fn: Callable[[object], str | None]
) -> pd.Series:
    """Apply ``text_fn`` to the distinct text values and ``scalar_fn`` to every other value.

    Only text is grouped by value: ``0`` and ``0.0`` are equal keys for :func:`pandas.factorize`
    but are written differently, so numbers go through ``scalar_fn`` one by one (they are rare).
    """
    arr = s.to_numpy(dtype=object)
    out = np.full(len(arr), None, dtype=object)
    is_text = np.fromiter((type(v) is str for v in arr), dtype=bool, count=len(arr))
    if is_text.any():
        codes, uniques = pd.factorize(arr[is_text])
        res = text_fn(pd.Series(np.asarray(uniques, dtype=object), dtype=object)).to_numpy(dtype=object)
        out[is_text] = res[codes]
    other = ~is_text
    na = pd.isna(arr)
    if set(map(type, arr[other & na])) <= {type(None), type(pd.NA), float}:
        other &= ~na  # None / pd.NA / NaN give None (NaT would not: it is read as the text "NaT")
    for j in np.flatnonzero(other):
        out[j] = scalar_fn(arr[j])
    return pd.Series(out, index=s.index, dtype=object)


def _none_where(values: pd.Series, keep: pd.Series | np.ndarray) -> pd.Series:
    arr = values.to_numpy(dtype=object).copy()
    arr[~np.asarray(keep, dtype=bool)] = None
    return pd.Series(arr, index=values.index, dtype=object)


def phones_e164(s: pd.Series, country_code: str = "86", national_lengths: int | Sequence[int] = 11) -> pd.Series:
    """:func:`~sim.analysis.quality.formats.normalise_phone` of every value (None where unreadable)."""
    cc = str(country_code)
    lengths = list(_lengths(national_lengths))

    def text(u: pd.Series) -> pd.Series:
        raw = u.str.strip()
        ok = raw.str.fullmatch(r"[\d\s\-+().]+").fillna(False).astype(bool)
        digits = raw.str.replace(r"\D", "", regex=True)
        dbl0 = digits.str.startswith("00").astype(bool)
        explicit = raw.str.lstrip("(").str.startswith("+").astype(bool) | dbl0
        full = digits.where(~dbl0, digits.str.slice(2))
        n = full.str.len()
        plain = ~explicit & n.isin(lengths)
        trunk = ~explicit & ~plain & full.str.startswith("0").astype(bool) & (n - 1).isin(lengths)
        full = full.where(~plain, cc + full).where(~trunk, cc + full.str.slice(1))
        n = full.str.len()
        has_cc = full.str.startswith(cc).astype(bool)
        good = (has_cc & (n - len(cc)).isin(lengths)) | (explicit & ~has_cc & (n >= 8) & (n <= 15))
        return _none_where("+" + full, ok & good)

    return _per_distinct(s, text, lambda v: normalise_phone(v, country_code, national_lengths))


def _names_text(u: pd.Series) -> pd.Series:
    sub = _NON_WORD.sub
    # ASCII text: NFKC / NFKD change nothing and there are no accents or CJK characters to handle
    out = [
        " ".join(sorted(sub(" ", t.lower()).replace("_", " ").split())) or None if t.isascii() else normalise_name(t)
        for t in u
    ]
    return pd.Series(out, index=u.index, dtype=object)


def names_normalised(s: pd.Series) -> pd.Series:
    """:func:`~sim.analysis.quality.formats.normalise_name` of every value (ASCII names take a fast path)."""
    return _per_distinct(s, _names_text, normalise_name)


def emails_normalised(s: pd.Series) -> pd.Series:
    """The stripped, lower-cased e-mail of every value, or None where it is not ``user@domain.tld``."""

    def text(u: pd.Series) -> pd.Series:
        low = u.str.strip().str.lower()
        return _none_where(low, low.str.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$").fillna(False).astype(bool))

    return _per_distinct(s, text, _normalise_email)


def _rewrite(
    d: pd.DataFrame, column: str, canon: pd.Series, changed_rule: str, kept_rule: str, *, strict_type: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Missing tokens -> NA, readable values -> ``canon`` (logged when they change), the rest kept and logged."""
    out = d.copy()
    vals = d[column].to_numpy(dtype=object)
    can = canon.to_numpy(dtype=object)
    miss = _missing(d[column]).to_numpy()
    token = miss & ~pd.isna(vals)
    unreadable = ~miss & pd.isna(can)
    readable = np.flatnonzero(~miss & ~unreadable)
    rv = vals[readable]
    differs = (rv.astype(str) if len(rv) else np.empty(0, dtype=str)) != can[readable].astype(str)
    if strict_type:  # a phone given as a number is rewritten as text even when it reads the same
        differs |= np.fromiter((not isinstance(v, str) for v in rv), dtype=bool, count=len(rv))
    changed = np.zeros(len(d), dtype=bool)
    changed[readable[differs]] = True
    new = vals.copy()
    new[miss] = None
    new[changed] = can[changed]
    out[column] = pd.Series(new, index=d.index, dtype=object).astype("string")
    rule = np.select([token, unreadable, changed], ["missing_token_to_na", kept_rule, changed_rule], "")
    hit = np.flatnonzero(rule != "")
    new_logged = np.where(unreadable, vals, np.where(token, None, can))
    log = _log_arrays(d.index.to_numpy(dtype=object)[hit], column, vals[hit], new_logged[hit], rule[hit].astype(object))
    return out, log


def _raise_dates(d: pd.DataFrame, col: str, ambiguous: list[Any], out_of_range: list[Any]) -> None:
    if ambiguous:
        raise DataError(
            f"{len(ambiguous)} ambiguous date(s), e.g. {str(d.at[ambiguous[0], col])[:40]!r} (day/month or "
            "month/day?); pass dayfirst=True or dayfirst=False",
            table="records",
            column=col,
            rows=ambiguous,
        )
    if out_of_range:
        raise DataError(
            f"date(s) outside 1677-09-21 .. 2262-04-11 (what pandas can hold), e.g. "
            f"{str(d.at[out_of_range[0], col])[:40]!r}; replace placeholders such as 9999-12-31 by a missing "
            "value or a real date",
            table="records",
            column=col,
            rows=out_of_range,
        )


def _parse_text_dates(d: pd.DataFrame, col: str, dayfirst: bool | None) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`parse_dates` for a column of text: each distinct text is read once."""
    s = d[col]
    vals = s.to_numpy(dtype=object)
    miss = _missing(s).to_numpy()
    token = miss & ~pd.isna(vals)
    nm = np.flatnonzero(~miss)
    codes, uniq = pd.factorize(vals[nm])
    n_u = len(uniq)
    status = np.empty(n_u, dtype=object)
    iso = np.zeros(n_u, dtype=bool)
    stamps: list[Any] = [pd.NaT] * n_u
    text_new = np.full(n_u, None, dtype=object)
    for j, v in enumerate(uniq):
        text = str(v).strip()
        ts, status[j] = _parse_date_text(text, dayfirst)
        iso[j] = bool(_ISO_DATE.match(text))
        if ts is None or status[j] == "ambiguous":
            continue
        if not pd.Timestamp.min <= ts <= pd.Timestamp.max:
            status[j] = "out_of_range"
            continue
        stamps[j] = ts
        text_new[j] = ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M:%S")
    row_status = status[codes] if n_u else np.empty(0, dtype=object)
    labels = d.index.to_numpy(dtype=object)
    _raise_dates(d, col, list(labels[nm[row_status == "ambiguous"]]), list(labels[nm[row_status == "out_of_range"]]))
    u_ts = pd.Series(stamps, dtype="datetime64[ns]").to_numpy() if n_u else np.empty(0, "datetime64[ns]")
    result = np.full(len(d), np.datetime64("NaT"), dtype="datetime64[ns]")
    result[nm] = u_ts[codes]
    ok_u = np.array([t is not pd.NaT for t in stamps], dtype=bool)
    unparseable = np.zeros(len(d), dtype=bool)
    unparseable[nm] = ~ok_u[codes]
    reformatted = np.zeros(len(d), dtype=bool)
    reformatted[nm] = ok_u[codes] & ~iso[codes]
    new = np.full(len(d), None, dtype=object)
    new[nm] = text_new[codes]
    new[~reformatted] = None  # only reformatted dates log a new text
    rule = np.select(
        [token, unparseable, reformatted], ["missing_token_to_na", "date_unparseable", "date_reformatted"], ""
    )
    hit = np.flatnonzero(rule != "")
    log = _log_arrays(labels[hit], col, vals[hit], new[hit], rule[hit].astype(object))
    return log, pd.Series(result, index=d.index)
