"""Reading and normalising single values: phones (E.164), names, e-mails, currencies, amounts, dates.

Hand-written, because no maintained library without new dependencies does it: the phone
normaliser is a small E.164 rule set with a default country code, not a full numbering plan
such as the ``phonenumbers`` package. Names use :mod:`unicodedata` and :mod:`re`; dates
are read by :func:`pandas.to_datetime` (dateutil), with Chinese ``年月日`` dates rewritten first.

Examples
--------
>>> normalise_phone("138-0013-8000"), normalise_name("Wei ZHANG")
('+8613800138000', 'wei zhang')
>>> _parse_amount("¥1,200.50")
(1200.5, 'CNY')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis._dates import _parse_date_text as _read_date

__all__ = ["normalise_phone", "normalise_name"]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[\d\s\-+().]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CURRENCY_ALIASES = {
    "RMB": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "￥": "CNY",
    "US$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "HK$": "HKD",
}
_AMOUNT_SYMBOLS = re.compile(r"(HK\$|US\$|[¥￥$€£]|元|\b[A-Za-z]{3}\b)")


def _lengths(national_lengths: int | Sequence[int]) -> tuple[int, ...]:
    return (int(national_lengths),) if isinstance(national_lengths, (int, np.integer)) else tuple(national_lengths)


def normalise_phone(value: object, country_code: str = "86", national_lengths: int | Sequence[int] = 11) -> str | None:
    """One phone number in E.164 form (``+<country code><number>``), or None if it cannot be read.

    Rules, in order: only digits, spaces, ``- + ( ) .`` are allowed; a leading ``+`` or ``00``
    means the country code is given; a number of a national length gets ``country_code``
    (after dropping one trunk ``0``); a number that already starts with ``country_code``
    followed by a national length is accepted. Numbers with another country code are
    accepted with 8-15 digits (the E.164 maximum) without further checks.

    Parameters
    ----------
    value : object
        The phone as entered.
    country_code : str
        Default country code (86 = China).
    national_lengths : int or sequence of int
        Allowed national number lengths for ``country_code`` (11 = Chinese mobiles).

    Returns
    -------
    str or None

    Examples
    --------
    >>> [normalise_phone(v) for v in ["138-0013-8000", "(+86) 138 0013 8000", "0086 13800138000", "12345"]]
    ['+8613800138000', '+8613800138000', '+8613800138000', None]
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    raw = str(value).strip()
    if isinstance(value, (int, np.integer)):
        raw = str(int(value))
    if not raw or not _PHONE_CHARS.match(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    lengths = _lengths(national_lengths)
    cc = str(country_code)
    explicit = raw.lstrip("(").startswith("+") or digits.startswith("00")
    full = digits[2:] if digits.startswith("00") else digits
    if not explicit:
        if len(full) in lengths:
            full = cc + full
        elif full.startswith("0") and len(full) - 1 in lengths:
            full = cc + full[1:]
    if full.startswith(cc) and len(full) - len(cc) in lengths:
        return "+" + full
    if explicit and not full.startswith(cc) and 8 <= len(full) <= 15:
        return "+" + full
    return None


def normalise_name(value: object) -> str | None:
    """A name reduced for comparison: Unicode NFKC, lower case, no accents or punctuation.

    Latin-script names have their words sorted ("Wei Zhang" = "Zhang Wei"); names with
    Chinese characters have their spaces removed ("张 伟" = "张伟").

    Examples
    --------
    >>> normalise_name("  ZHANG, Wei "), normalise_name("Wei Zhang"), normalise_name("张 伟")
    ('wei zhang', 'wei zhang', '张伟')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).lower()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    words = text.split()
    if not words:
        return None
    if _CJK.search(text):
        return "".join(words)
    return " ".join(sorted(words))


def _normalise_email(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().lower()
    return text if _EMAIL_RE.match(text) else None


def _canonical_currency(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().upper()
    text = _CURRENCY_ALIASES.get(text, text)
    return text if re.fullmatch(r"[A-Z]{3}", text) else None


def _parse_amount(value: object) -> tuple[float | None, str | None]:
    """(number, currency found in the text) or (None, None) if unreadable."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return (float(value), None) if np.isfinite(value) else (None, None)
    text = str(value).strip()
    found = _AMOUNT_SYMBOLS.findall(text)
    cur = _canonical_currency(found[0]) if found else None
    num = _AMOUNT_SYMBOLS.sub("", text).replace(",", "").replace(" ", "")
    try:
        out = float(num)
    except ValueError:
        return None, None
    return (out, cur) if np.isfinite(out) else (None, None)


def _parse_date(value: object, dayfirst: bool | None) -> pd.Timestamp | None:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value)
    return _parse_date_text(str(value).strip(), dayfirst)[0]


@functools.lru_cache(maxsize=65536)
def _parse_date_text(text: str, dayfirst: bool | None) -> tuple[pd.Timestamp | None, str]:
    """(timestamp or None, status) for one date written as text; the status is ``ambiguous`` for
    ``03/04/2025`` when ``dayfirst`` is None (see :func:`sim.analysis._validate.require_dates`).

    ISO dates (``2025-03-04``) and year-first dates (``2025/3/4``) are read year-month-day whatever
    ``dayfirst`` says; a date whose order is visible (``25/03/2025``) is read the only possible way.
    """
    text = re.sub(r"(\d)\s*[年月]\s*", r"\1-", text).replace("日", "").strip().rstrip("-")
    ts, status = _read_date(text, dayfirst, None)
    if status == "contradicts":  # the value shows its own order: a cleaning step reads it so
        ts, status = _read_date(text, None, None)
    if ts is None:
        return None, status
    ts = pd.Timestamp(ts)
    return (ts.tz_convert(None) if ts.tzinfo is not None else ts), status
