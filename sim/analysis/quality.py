"""Data quality for messy CRM extracts: a report, a scorecard and logged cleaning steps.

A CRM extract gathered from several channels (web forms, stores, call centre ...) typically
has exact duplicate rows, the same customer under two ids with the name typed differently,
phone numbers and dates in several formats, amounts in several currencies or written as
text, missing values, and the odd order far above anything plausible. The seed courseware
says "orders over 100,000 are flagged for checking": such orders are **flagged, not
dropped** here.

* :func:`quality_report` finds all of these and returns a :class:`QualityReport` (counts and
  the rows concerned, plus a per-column :func:`scorecard`: completeness, uniqueness, validity).
* Cleaning steps each return ``(cleaned_frame, log)``; the log has one row per change with
  columns ``row`` (the original row label), ``column``, ``old``, ``new``, ``rule``. Nothing is
  dropped without a log line: unparseable values are kept (phones) or set to missing (dates,
  amounts) *and* logged. Steps: :func:`normalise_phones`, :func:`normalise_emails`,
  :func:`parse_dates`, :func:`standardise_currency`, :func:`flag_outliers`,
  :func:`deduplicate` (merges duplicate customers; :func:`id_mapping` reads the
  old_id -> master_id mapping from its log), and :func:`clean`, which chains them and
  reconciles row counts.

Which library does the work: pandas (vectorised checks, date parsing via
:func:`pandas.to_datetime` / dateutil), the standard library's :mod:`difflib`
(``SequenceMatcher`` ratio for name similarity), :mod:`unicodedata` and :mod:`re`.
Hand-written, because no maintained library without new dependencies does it: the phone
normaliser (a small E.164 rule set with a default country code, not a full numbering plan
such as the ``phonenumbers`` package), the blocking + similarity duplicate finder (candidate
pairs share a normalised phone or e-mail, so blocking loses no pair the rule accepts), the
change log, and the scorecard.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis.quality import quality_report
>>> crm = pd.DataFrame({"customer_id": [1, 2, 3],
...                     "name": ["Zhang Wei", "zhang  wei", "Li Na"],
...                     "phone": ["138-0013-8000", "+86 13800138000", "139 0000 1111"],
...                     "email": ["zw@example.com", None, "li@example.com"],
...                     "amount": [120.0, 250_000.0, 80.0]})
>>> rep = quality_report(crm, date_cols=(), currency_col=None)
>>> rep.count("fuzzy_duplicate_pairs"), rep.rows("amount_over_threshold")
(1, [1])
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.errors import DataError

__all__ = [
    "QualityReport",
    "CleanResult",
    "NA_TOKENS",
    "LOG_COLUMNS",
    "quality_report",
    "scorecard",
    "find_duplicate_customers",
    "normalise_phone",
    "normalise_name",
    "normalise_phones",
    "normalise_emails",
    "parse_dates",
    "standardise_currency",
    "flag_outliers",
    "deduplicate",
    "id_mapping",
    "clean",
]

#: Text values treated as missing (compared after stripping and lower-casing).
NA_TOKENS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "nat"})

#: Columns of every cleaning log.
LOG_COLUMNS = ["row", "column", "old", "new", "rule"]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[\d\s\-+().]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CURRENCY_ALIASES = {"RMB": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY", "US$": "USD", "$": "USD",
                     "€": "EUR", "£": "GBP", "HK$": "HKD"}
_AMOUNT_SYMBOLS = re.compile(r"(HK\$|US\$|[¥￥$€£]|元|\b[A-Za-z]{3}\b)")


# --------------------------------------------------------------------------- small helpers
def _missing(s: pd.Series) -> pd.Series:
    """True for NA and for NA_TOKENS text ('' 'n/a' 'null' ...)."""
    out = s.isna()
    txt = s[~out]
    if len(txt) and not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_datetime64_any_dtype(s):
        out.loc[txt.index] = txt.astype(str).str.strip().str.lower().isin(NA_TOKENS)
    return out.astype(bool)


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in LOG_COLUMNS})


def _py(v: Any) -> Any:
    """Plain Python scalars in logs (no numpy scalar reprs)."""
    return v.item() if isinstance(v, np.generic) else v


def _log(entries: list[tuple[Any, str, Any, Any, str]]) -> pd.DataFrame:
    if not entries:
        return _empty_log()
    return pd.DataFrame([tuple(_py(v) for v in e) for e in entries], columns=LOG_COLUMNS, dtype=object)


def _frame(df: object, cols: Iterable[str | None], table: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=table)
    spec = {c: "any" for c in cols if c is not None}
    for c in spec:
        if c not in df.columns:
            raise DataError(f"column not found; present: {list(df.columns)} (pass None, or date_cols=(), to skip this check)",
                            table=table, column=c)
    if not df.index.is_unique:
        dup = df.index[df.index.duplicated()].unique()
        raise DataError("row labels must be unique (they name rows in the logs); use df.reset_index(drop=True)",
                        table=table, rows=list(dup))
    return require_columns(df, spec, table=table)


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


def _parse_date(value: object, dayfirst: bool) -> pd.Timestamp | None:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value)
    return _parse_date_text(str(value).strip(), dayfirst)


@functools.lru_cache(maxsize=65536)
def _parse_date_text(text: str, dayfirst: bool) -> pd.Timestamp | None:
    text = re.sub(r"(\d)\s*[年月]\s*", r"\1-", text).replace("日", "").strip()
    try:
        with warnings.catch_warnings():
            # pandas warns when a day > 12 forces day-first reading; that is documented behaviour here
            warnings.simplefilter("ignore", UserWarning)
            ts = pd.to_datetime(text, dayfirst=dayfirst)
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(ts):
        return None
    ts = pd.Timestamp(ts)
    return ts.tz_convert(None) if ts.tzinfo is not None else ts


# --------------------------------------------------------------------------- duplicates
def _exact_duplicates(d: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Mask of rows identical to an earlier row, and a frame ``row``, ``duplicate_of``."""
    first_of: dict[tuple, Any] = {}
    pairs = []
    for i, row in zip(d.index, d.astype(object).where(d.notna(), None).itertuples(index=False)):
        t = tuple(str(v) if isinstance(v, (list, dict, set)) else v for v in row)
        if t in first_of:
            pairs.append((i, first_of[t]))
        else:
            first_of[t] = i
    dup = pd.Series(d.index.isin([p[0] for p in pairs]), index=d.index)
    return dup, pd.DataFrame(pairs, columns=["row", "duplicate_of"]).astype(object)


def find_duplicate_customers(
    df: pd.DataFrame,
    *,
    key: str = "customer_id",
    name_col: str | None = "name",
    phone_col: str | None = "phone",
    email_col: str | None = "email",
    name_threshold: float = 0.85,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> pd.DataFrame:
    """Pairs of different customer ids that are probably the same person.

    Each id gets a profile (its first non-missing name, phone and e-mail, in row order).
    **Blocking**: only ids sharing a normalised phone (:func:`normalise_phone`) or a
    normalised e-mail (stripped, lower case) are compared. **Similarity**: the
    :class:`difflib.SequenceMatcher` ratio of the normalised names (:func:`normalise_name`).
    **Rule**: a pair is a duplicate if it shares a phone or an e-mail *and* the name
    similarity is at least ``name_threshold``, or if it shares both phone and e-mail.
    Because every accepted pair shares a phone or an e-mail, the blocking loses no pair.
    Not found: the same person with new contact details (compare names alone for that,
    at the cost of merging namesakes).

    Parameters
    ----------
    df : pandas.DataFrame
        Records with a ``key`` column and the contact columns (None = not available).
    key, name_col, phone_col, email_col : str or None
        Column names.
    name_threshold : float
        Minimum name similarity in [0, 1].
    country_code, national_lengths
        Passed to :func:`normalise_phone`.

    Returns
    -------
    pandas.DataFrame
        ``key_a``, ``key_b`` (key_a's first row comes first), ``row_a``, ``row_b`` (first row
        of each), ``name_similarity`` (NaN if a name is missing), ``phone_match``,
        ``email_match``.

    Examples
    --------
    >>> import pandas as pd
    >>> crm = pd.DataFrame({"customer_id": [10, 11, 12], "name": ["Li Na", "LI NA.", "Wang Fang"],
    ...                     "phone": [None, None, None], "email": ["li.na@x.cn", " Li.Na@X.cn", "li.na@x.cn"]})
    >>> find_duplicate_customers(crm)[["key_a", "key_b", "name_similarity", "email_match"]]
       key_a  key_b  name_similarity  email_match
    0     10     11              1.0         True
    """
    cols = [key, name_col, phone_col, email_col]
    d = _frame(df, cols, "records")
    if d[key].isna().any():
        raise DataError("missing customer id(s)", table="records", column=key, rows=d.index[d[key].isna()])
    first_row = pd.Series(d.index, index=d[key].to_numpy()).groupby(level=0, sort=False).first()
    prof = pd.DataFrame(index=first_row.index)
    prof["row"] = first_row

    def first_valid(col: str | None, fn) -> pd.Series:
        if col is None:
            return pd.Series(None, index=prof.index, dtype=object)
        vals = d[col].map(fn).astype(object)
        vals = pd.Series(vals.to_numpy(), index=d[key].to_numpy())
        return vals.dropna().groupby(level=0, sort=False).first().reindex(prof.index).astype(object)

    prof["name"] = first_valid(name_col, normalise_name)
    prof["phone"] = first_valid(phone_col, lambda v: normalise_phone(v, country_code, national_lengths))
    prof["email"] = first_valid(email_col, _normalise_email)
    order = {k: i for i, k in enumerate(prof.index)}

    cand: set[tuple[Any, Any]] = set()
    for col in ("phone", "email"):
        blocks = prof[col].dropna()
        for _, ids in blocks.groupby(blocks, sort=False).groups.items():
            ids = sorted(ids, key=order.__getitem__)
            cand.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    rows = []
    look = {k: (r, nm, ph, em) for k, r, nm, ph, em in zip(prof.index, prof["row"], prof["name"], prof["phone"],
                                                            prof["email"])}
    for a, b in sorted(cand, key=lambda p: (order[p[0]], order[p[1]])):
        (ra, na, pha, ema), (rb, nb, phb, emb) = look[a], look[b]
        # missing values come back from reindex as NaN (a float), not None: test for text
        sim = difflib.SequenceMatcher(None, na, nb).ratio() if (isinstance(na, str) and isinstance(nb, str)) else np.nan
        phone = isinstance(pha, str) and pha == phb
        email = isinstance(ema, str) and ema == emb
        if (phone and email) or ((phone or email) and not np.isnan(sim) and sim >= name_threshold):
            rows.append((a, b, ra, rb, sim, phone, email))
    out = pd.DataFrame(rows, columns=["key_a", "key_b", "row_a", "row_b", "name_similarity", "phone_match", "email_match"])
    return out.astype({"name_similarity": float, "phone_match": bool, "email_match": bool})


# --------------------------------------------------------------------------- report
@dataclass
class QualityReport:
    """What :func:`quality_report` found.

    Attributes
    ----------
    n_rows : int
        Rows inspected.
    summary : pandas.DataFrame
        Index ``check``; columns ``count``, ``rows`` (row labels concerned), ``meaning``.
    exact_duplicates : pandas.DataFrame
        ``row``, ``duplicate_of`` (first identical row).
    fuzzy_duplicates : pandas.DataFrame
        From :func:`find_duplicate_customers`.
    outliers : pandas.DataFrame
        Rows with an amount above the threshold (flag for checking, do not drop).
    formats : pandas.DataFrame
        One row per format problem: ``row``, ``column``, ``value``, ``issue``.
    missing : pandas.DataFrame
        Per column: ``missing`` (count), ``share``.
    scorecard : pandas.DataFrame
        From :func:`scorecard`.

    Examples
    --------
    >>> import pandas as pd
    >>> rep = quality_report(pd.DataFrame({"customer_id": [1, 1], "amount": [5.0, 5.0]}),
    ...                      name_col=None, phone_col=None, email_col=None, date_cols=(), currency_col=None)
    >>> rep.count("exact_duplicates"), rep.rows("exact_duplicates")
    (1, [1])
    """

    n_rows: int
    summary: pd.DataFrame
    exact_duplicates: pd.DataFrame
    fuzzy_duplicates: pd.DataFrame
    outliers: pd.DataFrame
    formats: pd.DataFrame
    missing: pd.DataFrame
    scorecard: pd.DataFrame = field(repr=False)

    def count(self, check: str) -> int:
        """Number of findings of one check (a row of :attr:`summary`)."""
        return int(self.summary.loc[check, "count"])

    def rows(self, check: str) -> list:
        """Row labels concerned by one check."""
        return list(self.summary.loc[check, "rows"])

    def __repr__(self) -> str:
        return f"QualityReport({self.n_rows} rows)\n" + self.summary[["count", "meaning"]].to_string()


_MEANING = {
    "exact_duplicates": "rows identical to an earlier row",
    "fuzzy_duplicate_pairs": "pairs of ids that look like the same customer",
    "amount_over_threshold": "amount above the review threshold: flag for checking, do not drop",
    "invalid_amounts": "amount not a number or negative",
    "amount_format": "amount written as text (symbols, separators)",
    "phone_format": "phone readable but not in +<country><number> form",
    "phone_invalid": "phone that cannot be read as a number",
    "email_format": "e-mail with spaces or capitals",
    "email_invalid": "e-mail without user@domain.tld form",
    "date_format": "date readable but not YYYY-MM-DD",
    "date_invalid": "date that cannot be read",
    "currency_format": "currency written as alias/symbol/lower case",
    "non_base_currency": "amount in another currency than the base one",
    "missing_values": "cells missing (NA or a token such as '' 'n/a' 'null')",
}


def scorecard(
    df: pd.DataFrame,
    *,
    phone_col: str | None = None,
    email_col: str | None = None,
    date_cols: Sequence[str] = (),
    amount_col: str | None = None,
    currency_col: str | None = None,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> pd.DataFrame:
    """Per-column data-quality scorecard: completeness, uniqueness, validity.

    - ``completeness`` = non-missing / rows (missing = NA or a :data:`NA_TOKENS` text);
    - ``uniqueness`` = distinct non-missing values / non-missing values;
    - ``validity`` = share of non-missing values passing the column's rule (NaN if none):
      phone readable by :func:`normalise_phone`; e-mail ``user@domain.tld``; date readable;
      amount a number >= 0; currency a 3-letter code or a known alias.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"email": ["a@b.cn", "bad", None, "a@b.cn"]})
    >>> scorecard(df, email_col="email").loc["email", ["completeness", "uniqueness", "validity"]].tolist()
    [0.75, 0.6666666666666666, 0.6666666666666666]
    """
    d = _frame(df, [phone_col, email_col, amount_col, currency_col, *date_cols], "records")
    rules: dict[str, tuple[str, Any]] = {}
    if phone_col:
        rules[phone_col] = ("phone", lambda v: normalise_phone(v, country_code, national_lengths) is not None)
    if email_col:
        rules[email_col] = ("email", lambda v: _normalise_email(v) is not None)
    for c in date_cols:
        rules[c] = ("date", lambda v: _parse_date(v, False) is not None)
    if amount_col:
        rules[amount_col] = ("amount >= 0", lambda v: (_parse_amount(v)[0] or 0) >= 0 and _parse_amount(v)[0] is not None)
    if currency_col:
        rules[currency_col] = ("currency code", lambda v: _canonical_currency(v) is not None)
    rows = []
    n = len(d)
    for col in d.columns:
        miss = _missing(d[col])
        vals = d.loc[~miss, col]
        nn = len(vals)
        try:
            uniq = vals.nunique() / nn if nn else np.nan
        except TypeError:  # unhashable cells
            uniq = vals.astype(str).nunique() / nn if nn else np.nan
        rule, fn = rules.get(col, ("", None))
        valid = float(np.mean([bool(fn(v)) for v in vals])) if (fn is not None and nn) else np.nan
        rows.append({"column": col, "non_missing": nn, "completeness": nn / n if n else np.nan,
                     "uniqueness": uniq, "validity": valid, "rule": rule})
    return pd.DataFrame(rows).set_index("column")


def quality_report(
    df: pd.DataFrame,
    *,
    key: str | None = "customer_id",
    name_col: str | None = "name",
    phone_col: str | None = "phone",
    email_col: str | None = "email",
    date_cols: Sequence[str] = ("date",),
    amount_col: str | None = "amount",
    currency_col: str | None = "currency",
    threshold: float = 100_000,
    base_currency: str = "CNY",
    rates: Mapping[str, float] | None = None,
    name_threshold: float = 0.85,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> QualityReport:
    """Inspect a CRM extract: duplicates, outliers, inconsistent formats, missing values.

    Every column argument may be None to skip its checks; a named column that is absent
    raises :class:`~sim.errors.DataError`. Nothing is changed: see :func:`clean`.

    Parameters
    ----------
    df : pandas.DataFrame
        The extract, one record per row (customers, or orders with the customer's details).
    key : str or None
        Customer id column (for duplicate customers).
    name_col, phone_col, email_col : str or None
        Contact columns.
    date_cols : sequence of str
        Date columns to check.
    amount_col : str or None
        Money column (numbers, or text such as ``"¥1,200"``).
    currency_col : str or None
        Currency code column.
    threshold : float
        Amounts strictly above this are flagged for checking (default 100 000, from the seed).
        With ``rates`` the amount is first converted to ``base_currency``.
    base_currency : str
        The currency amounts should be in.
    rates : mapping, optional
        Units of ``base_currency`` per unit of each currency (for the threshold).
    name_threshold, country_code, national_lengths
        See :func:`find_duplicate_customers` and :func:`normalise_phone`.

    Returns
    -------
    QualityReport
        Checks (``summary`` index): exact_duplicates, fuzzy_duplicate_pairs,
        amount_over_threshold, invalid_amounts, amount_format, phone_format, phone_invalid, email_format,
        email_invalid, date_format, date_invalid, currency_format, non_base_currency,
        missing_values.

    Examples
    --------
    >>> import pandas as pd
    >>> crm = pd.DataFrame({"customer_id": [1, 2], "phone": ["13800138000", "n/a"],
    ...                     "date": ["2025-01-02", "02/03/2025"]})
    >>> rep = quality_report(crm, name_col=None, email_col=None, amount_col=None, currency_col=None)
    >>> rep.rows("phone_format"), rep.rows("date_format"), rep.rows("missing_values")
    ([0], [1], [1])
    """
    d = _frame(df, [key, name_col, phone_col, email_col, amount_col, currency_col, *date_cols], "records")
    base = _canonical_currency(base_currency)
    if base is None:
        raise DataError(f"base_currency={base_currency!r} is not a currency code")
    checks: dict[str, list] = {c: [] for c in _MEANING}
    formats: list[tuple[Any, str, Any, str]] = []

    # exact duplicates
    dup, exact = _exact_duplicates(d)
    checks["exact_duplicates"] = list(exact["row"])

    # fuzzy duplicates (on the rows that are not exact copies)
    if key is not None and (phone_col or email_col):
        fuzzy = find_duplicate_customers(d[~dup], key=key, name_col=name_col, phone_col=phone_col,
                                         email_col=email_col, name_threshold=name_threshold,
                                         country_code=country_code, national_lengths=national_lengths)
    else:
        fuzzy = pd.DataFrame(columns=["key_a", "key_b", "row_a", "row_b", "name_similarity", "phone_match", "email_match"])
    checks["fuzzy_duplicate_pairs"] = list(set(fuzzy["row_a"]) | set(fuzzy["row_b"]))

    # amounts, currencies
    outliers = d.iloc[0:0]
    if amount_col:
        miss = _missing(d[amount_col])
        parsed = {i: _parse_amount(v) for i, v in d.loc[~miss, amount_col].items()}
        amount = pd.Series({i: p[0] for i, p in parsed.items()}, dtype=float).reindex(d.index)
        for i, (num, _) in parsed.items():
            if num is None or num < 0:
                checks["invalid_amounts"].append(i)
        cur = None
        if currency_col:
            cur = d[currency_col].map(_canonical_currency)
            for i, (num, c) in parsed.items():
                if c is not None and (pd.isna(cur.get(i)) or cur.get(i) is None):
                    cur.loc[i] = c
        if rates is not None and cur is not None:
            rate_map = {(_canonical_currency(k) or k): float(v) for k, v in rates.items()} | {base: 1.0}
            rate = cur.map(lambda c: 1.0 if c is None or pd.isna(c) else rate_map.get(c, np.nan)).astype(float)
            lacking = d.index[rate.isna()]
            if len(lacking):
                found = sorted({str(cur.loc[i]) for i in lacking})
                raise DataError(f"no exchange rate for currency {found} (needed to compare with the threshold)",
                                table="records", column=currency_col, rows=lacking)
            amount = amount * rate
        over = amount > threshold
        outliers = d.loc[over.fillna(False)]
        checks["amount_over_threshold"] = list(outliers.index)
        for i, (num, c) in parsed.items():
            raw = d.at[i, amount_col]
            if num is not None and not isinstance(raw, (int, float, np.integer, np.floating)):
                formats.append((i, amount_col, raw, "amount written as text"))
                checks["amount_format"].append(i)
    if currency_col:
        miss = _missing(d[currency_col])
        for i, v in d.loc[~miss, currency_col].items():
            canon = _canonical_currency(v)
            if canon is None:
                formats.append((i, currency_col, v, "unknown currency"))
                checks["currency_format"].append(i)
            else:
                if str(v) != canon:
                    formats.append((i, currency_col, v, f"currency written as {v!r}, not {canon}"))
                    checks["currency_format"].append(i)
                if canon != base:
                    checks["non_base_currency"].append(i)

    # phones, e-mails, dates
    if phone_col:
        miss = _missing(d[phone_col])
        for i, v in d.loc[~miss, phone_col].items():
            canon = normalise_phone(v, country_code, national_lengths)
            if canon is None:
                formats.append((i, phone_col, v, "unreadable phone"))
                checks["phone_invalid"].append(i)
            elif str(v) != canon:
                formats.append((i, phone_col, v, f"phone format, normalises to {canon}"))
                checks["phone_format"].append(i)
    if email_col:
        miss = _missing(d[email_col])
        for i, v in d.loc[~miss, email_col].items():
            canon = _normalise_email(v)
            if canon is None:
                formats.append((i, email_col, v, "invalid e-mail"))
                checks["email_invalid"].append(i)
            elif str(v) != canon:
                formats.append((i, email_col, v, f"e-mail format, normalises to {canon}"))
                checks["email_format"].append(i)
    for col in date_cols:
        if pd.api.types.is_datetime64_any_dtype(d[col]):
            continue
        miss = _missing(d[col])
        for i, v in d.loc[~miss, col].items():
            if isinstance(v, (pd.Timestamp, np.datetime64)) or _ISO_DATE.match(str(v).strip()):
                if not isinstance(v, (pd.Timestamp, np.datetime64)) and _parse_date(v, False) is None:
                    formats.append((i, col, v, "invalid date"))
                    checks["date_invalid"].append(i)
                continue
            if _parse_date(v, False) is None:
                formats.append((i, col, v, "unreadable date"))
                checks["date_invalid"].append(i)
            else:
                formats.append((i, col, v, "date not in YYYY-MM-DD form"))
                checks["date_format"].append(i)

    # missing values
    miss_frame = pd.DataFrame({c: _missing(d[c]) for c in d.columns}, index=d.index)
    missing = pd.DataFrame({"missing": miss_frame.sum().astype("int64"), "share": miss_frame.mean()})
    missing.index.name = "column"
    any_missing = miss_frame.any(axis=1)
    checks["missing_values"] = list(d.index[any_missing])

    order = {lab: i for i, lab in enumerate(d.index)}
    summary = pd.DataFrame({
        "count": [len(fuzzy) if c == "fuzzy_duplicate_pairs" else int(miss_frame.to_numpy().sum())
                  if c == "missing_values" else len(set(checks[c])) for c in _MEANING],
        "rows": [sorted(set(checks[c]), key=order.__getitem__) for c in _MEANING],
        "meaning": list(_MEANING.values()),
    }, index=pd.Index(list(_MEANING), name="check"))
    fmt = pd.DataFrame(formats, columns=["row", "column", "value", "issue"]).astype({"value": object})
    card = scorecard(d, phone_col=phone_col, email_col=email_col, date_cols=date_cols, amount_col=amount_col,
                     currency_col=currency_col, country_code=country_code, national_lengths=national_lengths)
    return QualityReport(n_rows=len(d), summary=summary, exact_duplicates=exact, fuzzy_duplicates=fuzzy,
                         outliers=outliers, formats=fmt, missing=missing, scorecard=card)


# --------------------------------------------------------------------------- cleaning steps
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
    out = d.copy()
    vals = d[column].astype(object)
    new_vals = vals.to_dict()
    entries = []
    miss = _missing(d[column]).to_dict()
    for i, v in vals.items():
        if miss[i]:
            if not pd.isna(v):
                new_vals[i] = None
                entries.append((i, column, v, None, "missing_token_to_na"))
            continue
        canon = normalise_phone(v, country_code, national_lengths)
        if canon is None:
            entries.append((i, column, v, v, "phone_unreadable_kept"))
        elif str(v) != canon or not isinstance(v, str):
            new_vals[i] = canon
            entries.append((i, column, v, canon, "phone_normalised"))
    out[column] = pd.Series([new_vals[i] for i in d.index], index=d.index, dtype="string")
    return out, _log(entries)


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
    out = d.copy()
    new_vals = d[column].astype(object).to_dict()
    miss = _missing(d[column]).to_dict()
    entries = []
    for i, v in d[column].items():
        if miss[i]:
            if not pd.isna(v):
                new_vals[i] = None
                entries.append((i, column, v, None, "missing_token_to_na"))
            continue
        canon = _normalise_email(v)
        if canon is None:
            entries.append((i, column, v, v, "email_invalid_kept"))
        elif str(v) != canon:
            new_vals[i] = canon
            entries.append((i, column, v, canon, "email_normalised"))
    out[column] = pd.Series([new_vals[i] for i in d.index], index=d.index, dtype="string")
    return out, _log(entries)


def parse_dates(
    df: pd.DataFrame,
    columns: str | Sequence[str] = ("date",),
    *,
    dayfirst: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse date columns written in mixed formats into ``datetime64[ns]``.

    ISO dates (``YYYY-MM-DD[ HH:MM[:SS]]``) are read as they are; other forms
    (``03/04/2025``, ``2025/3/4``, ``4 Mar 2025``, ``20250304``, ``2025年3月4日`` ...) are read
    by :func:`pandas.to_datetime` (dateutil) and logged (``date_reformatted``, new = ISO text).
    Unreadable values become **NaT and are logged** (``date_unparseable``); the row is kept.
    Missing tokens become NaT (``missing_token_to_na``).

    Parameters
    ----------
    df : pandas.DataFrame
    columns : str or sequence of str
        Date columns.
    dayfirst : bool
        Read ``03/04/2025`` as 3 April (True) or March 4 (False, default).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The cleaned copy and the log.

    Examples
    --------
    >>> import pandas as pd
    >>> out, log = parse_dates(pd.DataFrame({"date": ["2025-03-04", "2025年3月5日", "03/06/2025", "someday"]}))
    >>> out["date"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-03-04', '2025-03-05', '2025-03-06', nan]
    >>> log[["row", "new", "rule"]].values.tolist()
    [[1, '2025-03-05', 'date_reformatted'], [2, '2025-03-06', 'date_reformatted'], [3, None, 'date_unparseable']]
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    d = _frame(df, cols, "records")
    out = d.copy()
    entries = []
    for col in cols:
        s = d[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = (s.dt.tz_convert(None) if getattr(s.dt, "tz", None) is not None else s).astype("datetime64[ns]")
            continue
        miss = _missing(s).to_dict()
        parsed: dict[Any, pd.Timestamp] = {}
        cache: dict[str, pd.Timestamp | None] = {}
        for i, v in s.items():
            if miss[i]:
                if not pd.isna(v):
                    entries.append((i, col, v, None, "missing_token_to_na"))
                continue
            text = str(v).strip()
            if text not in cache:
                cache[text] = _parse_date(v, dayfirst)
            ts = cache[text]
            iso = bool(_ISO_DATE.match(text)) or isinstance(v, (pd.Timestamp, np.datetime64))
            if ts is None:
                entries.append((i, col, v, None, "date_unparseable"))
                continue
            parsed[i] = ts
            if not iso:
                new = ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M:%S")
                entries.append((i, col, v, new, "date_reformatted"))
        out[col] = pd.Series([parsed.get(i, pd.NaT) for i in d.index], index=d.index, dtype="datetime64[ns]")
    return out, _log(entries)


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
        (``base`` itself is 1). Needed as soon as another currency appears.
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
    for k, v in (rates or {}).items():
        ck = _canonical_currency(k)
        if ck is None or not isinstance(v, (int, float)) or not np.isfinite(v) or v <= 0:
            raise DataError(f"rates: {k!r}: {v!r} is not a currency code with a positive rate")
        rate_map[ck] = float(v)
    out = d.copy()
    amounts: dict[Any, float] = {i: np.nan for i in d.index}
    currencies: dict[Any, str] = {i: b for i in d.index}
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
            raise DataError(f"the currency written in the amount contradicts column {currency_col!r}",
                            table="records", column=amount_col, rows=clash)
        unknown = [i for i in d.index if i not in bad and currencies[i] not in rate_map]
        if bad or unknown:
            rank = {lab: n for n, lab in enumerate(d.index)}
            rows = sorted(bad + unknown, key=rank.__getitem__)
            found = sorted({str(d.at[i, currency_col]) for i in rows})
            raise DataError(f"no exchange rate for currency {found}; give rates={{code: units of {b}}}",
                            table="records", column=currency_col, rows=rows)
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
    (``flagged_over_threshold``, column = ``flag_col``, old False, new True).

    Examples
    --------
    >>> import pandas as pd
    >>> out, log = flag_outliers(pd.DataFrame({"amount": [99.0, 100_000.0, 250_000.0]}))
    >>> out["review_flag"].tolist(), log["row"].tolist()
    ([False, False, True], [2])
    """
    d = require_columns(df, {amount_col: "any"}, table="records")
    amt = pd.to_numeric(d[amount_col], errors="coerce")
    bad = d.index[amt.isna() & d[amount_col].notna()]
    if len(bad):
        raise DataError("amounts must be numbers (run standardise_currency first)", table="records",
                        column=amount_col, rows=bad)
    out = d.copy()
    flag = (amt > threshold).fillna(False).astype(bool)
    out[flag_col] = flag
    return out, _log([(i, flag_col, False, True, "flagged_over_threshold") for i in d.index[flag]])


def deduplicate(
    df: pd.DataFrame,
    *,
    key: str = "customer_id",
    name_col: str | None = "name",
    phone_col: str | None = "phone",
    email_col: str | None = "email",
    name_threshold: float = 0.85,
    collapse: bool = True,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove exact duplicate rows and merge duplicate customers under one master id.

    1. Rows identical to an earlier row are removed (``exact_duplicate_removed``; ``new``
       names the row kept).
    2. Duplicate customers are found by :func:`find_duplicate_customers`; groups are closed
       transitively (A~B and B~C -> one customer). The master id is the id whose first row
       comes first; every other id is rewritten to it (``id_merged``, old id -> master id).
       :func:`id_mapping` turns the log into the old_id -> master_id mapping (apply it to
       orders, tickets ... with ``Series.replace``).
    3. With ``collapse=True`` (a customer table) the rows of one customer become one
       record: the first row is kept, its missing fields are filled from later rows
       (``filled_from_duplicate``), a differing non-missing value of a later row is logged
       and not used (``conflict_master_kept``), and the later rows are removed
       (``row_collapsed``). Use ``collapse=False`` for an order-level extract.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The cleaned copy (original row labels) and the log.

    Examples
    --------
    >>> import pandas as pd
    >>> crm = pd.DataFrame({"customer_id": [1, 2, 2], "name": ["Zhang Wei", "zhang wei", "zhang wei"],
    ...                     "phone": ["13800138000", "+86 138 0013 8000", "+86 138 0013 8000"],
    ...                     "email": [None, "zw@x.cn", "zw@x.cn"]})
    >>> out, log = deduplicate(crm)
    >>> out
       customer_id       name        phone    email
    0            1  Zhang Wei  13800138000  zw@x.cn
    >>> log["rule"].tolist()
    ['exact_duplicate_removed', 'id_merged', 'filled_from_duplicate', 'conflict_master_kept', 'conflict_master_kept', 'row_collapsed']
    >>> id_mapping(log).to_dict()
    {2: 1}
    """
    d = _frame(df, [key, name_col, phone_col, email_col], "records")
    if d[key].isna().any():
        raise DataError("missing customer id(s)", table="records", column=key, rows=d.index[d[key].isna()])
    dup, exact = _exact_duplicates(d)
    entries: list[tuple] = [(i, "<row>", None, f"duplicate of row {j}", "exact_duplicate_removed")
                            for i, j in zip(exact["row"], exact["duplicate_of"])]
    out = d.loc[~dup].copy()

    pairs = find_duplicate_customers(out, key=key, name_col=name_col, phone_col=phone_col, email_col=email_col,
                                     name_threshold=name_threshold, country_code=country_code,
                                     national_lengths=national_lengths)
    order = {k: n for n, k in enumerate(pd.unique(out[key]))}
    parent = {k: k for k in order}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in zip(pairs["key_a"], pairs["key_b"]):
        ra, rb = find(a), find(b)
        if ra != rb:
            first, second = (ra, rb) if order[ra] < order[rb] else (rb, ra)
            parent[second] = first
    master = {k: find(k) for k in order}
    if any(master[k] != k for k in master):
        new_key = out[key].map(master)
        changed = out.index[new_key != out[key]]
        entries += [(i, key, out.at[i, key], new_key.loc[i], "id_merged") for i in changed]
        out[key] = new_key.astype(out[key].dtype)

    if collapse:
        keep = []
        for _, idx in out.groupby(key, sort=False).groups.items():
            idx = list(idx)
            first = idx[0]
            keep.append(first)
            for later in idx[1:]:
                for col in out.columns:
                    if col == key:
                        continue
                    mv, lv = out.at[first, col], out.at[later, col]
                    m_missing = bool(_missing(pd.Series([mv], dtype=object)).iloc[0])
                    l_missing = bool(_missing(pd.Series([lv], dtype=object)).iloc[0])
                    if m_missing and not l_missing:
                        out.at[first, col] = lv
                        entries.append((first, col, None if pd.isna(mv) else mv, lv, "filled_from_duplicate"))
                    elif not l_missing and str(lv) != str(mv):
                        entries.append((later, col, lv, mv, "conflict_master_kept"))
                entries.append((later, "<row>", None, f"merged into row {first}", "row_collapsed"))
        rank = {lab: n for n, lab in enumerate(d.index)}
        out = out.loc[sorted(keep, key=rank.__getitem__)]
    row_rank = {lab: n for n, lab in enumerate(d.index)}
    rule_rank = {"exact_duplicate_removed": 0, "id_merged": 1, "filled_from_duplicate": 2,
                 "conflict_master_kept": 2, "row_collapsed": 3}
    entries.sort(key=lambda e: (rule_rank[e[4]], row_rank.get(e[0], 0)))
    return out, _log(entries)


def id_mapping(log: pd.DataFrame) -> pd.Series:
    """The old_id -> master_id mapping recorded by :func:`deduplicate` (rule ``id_merged``).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"row": [3, 4], "column": ["customer_id"] * 2, "old": [7, 7], "new": [2, 2],
    ...                     "rule": ["id_merged"] * 2})
    >>> id_mapping(log).to_dict()
    {7: 2}
    """
    require_columns(log, {c: "any" for c in LOG_COLUMNS}, table="log", allow_empty=True)
    m = log[log["rule"] == "id_merged"].drop_duplicates("old")
    return pd.Series([_py(v) for v in m["new"]], index=pd.Index([_py(v) for v in m["old"]], name="old_id"),
                     name="master_id", dtype=object if m.empty else None)


class CleanResult(NamedTuple):
    """Output of :func:`clean`: the cleaned frame, the combined log, counts and the id mapping."""

    frame: pd.DataFrame
    log: pd.DataFrame
    counts: pd.Series
    mapping: pd.Series


def clean(
    df: pd.DataFrame,
    *,
    key: str | None = "customer_id",
    name_col: str | None = "name",
    phone_col: str | None = "phone",
    email_col: str | None = "email",
    date_cols: Sequence[str] = ("date",),
    amount_col: str | None = "amount",
    currency_col: str | None = "currency",
    rates: Mapping[str, float] | None = None,
    base_currency: str = "CNY",
    threshold: float = 100_000,
    dayfirst: bool = False,
    name_threshold: float = 0.85,
    collapse: bool = True,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> CleanResult:
    """Run the cleaning steps in order and reconcile row counts.

    Order: :func:`normalise_phones` -> :func:`normalise_emails` -> :func:`parse_dates` ->
    :func:`standardise_currency` -> :func:`flag_outliers` (amounts in ``base_currency``
    above ``threshold``, flagged not dropped) -> :func:`deduplicate`. A column argument set to
    None skips its step. Only the deduplication removes rows, and each removed row is in the
    log, so ``rows_in - exact_duplicates_removed - rows_collapsed == rows_out`` (checked).

    Returns
    -------
    CleanResult
        ``frame`` (cleaned), ``log`` (all steps, with a ``step`` column), ``counts``
        (``rows_in``, ``rows_out``, ``exact_duplicates_removed``, ``rows_collapsed``,
        ``customers_merged``, then one count per rule) and ``mapping`` (old_id -> master_id).

    Examples
    --------
    >>> import pandas as pd
    >>> crm = pd.DataFrame({"customer_id": [1, 2, 3], "name": ["Li Na", "li na", "Wang Fang"],
    ...                     "phone": ["13900001111", "139-0000-1111", "n/a"], "email": [None] * 3,
    ...                     "date": ["2025-01-02", "2025/01/03", "2025-01-04"],
    ...                     "amount": [120.0, 300_000.0, 80.0], "currency": ["CNY"] * 3})
    >>> res = clean(crm)
    >>> res.counts[["rows_in", "rows_out", "rows_collapsed", "flagged_over_threshold"]].tolist()
    [3, 2, 1, 1]
    >>> res.mapping.to_dict()
    {2: 1}
    """
    d = _frame(df, [key, name_col, phone_col, email_col, amount_col, currency_col, *date_cols], "records")
    logs = []
    cur = d
    if phone_col:
        cur, lg = normalise_phones(cur, phone_col, country_code=country_code, national_lengths=national_lengths)
        logs.append(lg.assign(step="normalise_phones"))
    if email_col:
        cur, lg = normalise_emails(cur, email_col)
        logs.append(lg.assign(step="normalise_emails"))
    if date_cols:
        cur, lg = parse_dates(cur, list(date_cols), dayfirst=dayfirst)
        logs.append(lg.assign(step="parse_dates"))
    if amount_col:
        cur, lg = standardise_currency(cur, amount_col=amount_col, currency_col=currency_col, rates=rates,
                                       base=base_currency)
        logs.append(lg.assign(step="standardise_currency"))
        cur, lg = flag_outliers(cur, amount_col, threshold=threshold)
        logs.append(lg.assign(step="flag_outliers"))
    rows_in = len(d)
    if key:
        cur, lg = deduplicate(cur, key=key, name_col=name_col, phone_col=phone_col, email_col=email_col,
                              name_threshold=name_threshold, collapse=collapse, country_code=country_code,
                              national_lengths=national_lengths)
        logs.append(lg.assign(step="deduplicate"))
    log = pd.concat([lg.astype(object) for lg in logs], ignore_index=True) if logs else _empty_log().assign(step=None)
    by_rule = log["rule"].value_counts()
    removed = int(by_rule.get("exact_duplicate_removed", 0))
    collapsed = int(by_rule.get("row_collapsed", 0))
    if rows_in - removed - collapsed != len(cur):  # pragma: no cover - a bug, not bad input
        raise RuntimeError(f"row counts do not reconcile: {rows_in} - {removed} - {collapsed} != {len(cur)}")
    mapping = id_mapping(log)
    counts = pd.concat([
        pd.Series({"rows_in": rows_in, "rows_out": len(cur), "exact_duplicates_removed": removed,
                   "rows_collapsed": collapsed, "customers_merged": len(mapping)}),
        by_rule.astype("int64"),
    ])
    counts = counts[~counts.index.duplicated()].astype("int64")
    counts.name = "count"
    return CleanResult(frame=cur, log=log, counts=counts, mapping=mapping)
