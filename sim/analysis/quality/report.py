"""Data-quality report and per-column scorecard of a CRM extract (nothing is changed).

:func:`quality_report` finds exact and probable duplicates, amounts above a review threshold
(the seed: "orders over 100,000 are flagged for checking"), inconsistent formats and missing
values, and returns a :class:`QualityReport`; :func:`scorecard` scores each column for
completeness, uniqueness and validity. To change the data, see
:func:`sim.analysis.quality.clean`.

Examples
--------
>>> import pandas as pd
>>> rep = quality_report(pd.DataFrame({"customer_id": [1, 2], "amount": [50.0, 250_000.0]}),
...                      name_col=None, phone_col=None, email_col=None, date_cols=(), currency_col=None)
>>> rep.rows("amount_over_threshold")
[1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.quality._common import _frame, _missing
from sim.analysis.quality.duplicates import _exact_duplicates, find_duplicate_customers
from sim.analysis.quality.formats import (
    _ISO_DATE,
    _canonical_currency,
    _normalise_email,
    _parse_amount,
    _parse_date,
    normalise_phone,
)
from sim.errors import DataError

__all__ = ["QualityReport", "scorecard", "quality_report"]


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
        """Number of findings of one check (a row of :attr:`summary`).

        Examples
        --------
        >>> import pandas as pd
        >>> rep = quality_report(pd.DataFrame({"customer_id": [1, 1]}), name_col=None, phone_col=None,
        ...                      email_col=None, date_cols=(), amount_col=None, currency_col=None)
        >>> rep.count("exact_duplicates")
        1
        """
        return int(self.summary.loc[check, "count"])

    def rows(self, check: str) -> list:
        """Row labels concerned by one check.

        Examples
        --------
        >>> import pandas as pd
        >>> rep = quality_report(pd.DataFrame({"customer_id": [1, 1]}), name_col=None, phone_col=None,
        ...                      email_col=None, date_cols=(), amount_col=None, currency_col=None)
        >>> rep.rows("exact_duplicates")
        [1]
        """
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
        rules[amount_col] = (
            "amount >= 0",
            lambda v: (_parse_amount(v)[0] or 0) >= 0 and _parse_amount(v)[0] is not None,
        )
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
        rows.append(
            {
                "column": col,
                "non_missing": nn,
                "completeness": nn / n if n else np.nan,
                "uniqueness": uniq,
                "validity": valid,
                "rule": rule,
            }
        )
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
        fuzzy = find_duplicate_customers(
            d[~dup],
            key=key,
            name_col=name_col,
            phone_col=phone_col,
            email_col=email_col,
            name_threshold=name_threshold,
            country_code=country_code,
            national_lengths=national_lengths,
        )
    else:
        fuzzy = pd.DataFrame(
            columns=["key_a", "key_b", "row_a", "row_b", "name_similarity", "phone_match", "email_match"]
        )
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
            for i, (_num, c) in parsed.items():
                if c is not None and (pd.isna(cur.get(i)) or cur.get(i) is None):
                    cur.loc[i] = c
        if rates is not None and cur is not None:
            rate_map = {(_canonical_currency(k) or k): float(v) for k, v in rates.items()} | {base: 1.0}
            rate = cur.map(lambda c: 1.0 if c is None or pd.isna(c) else rate_map.get(c, np.nan)).astype(float)
            lacking = d.index[rate.isna()]
            if len(lacking):
                found = sorted({str(cur.loc[i]) for i in lacking})
                raise DataError(
                    f"no exchange rate for currency {found} (needed to compare with the threshold)",
                    table="records",
                    column=currency_col,
                    rows=lacking,
                )
            amount = amount * rate
        over = amount > threshold
        outliers = d.loc[over.fillna(False)]
        checks["amount_over_threshold"] = list(outliers.index)
        for i, (num, _c) in parsed.items():
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
    summary = pd.DataFrame(
        {
            "count": [
                len(fuzzy)
                if c == "fuzzy_duplicate_pairs"
                else int(miss_frame.to_numpy().sum())
                if c == "missing_values"
                else len(set(checks[c]))
                for c in _MEANING
            ],
            "rows": [sorted(set(checks[c]), key=order.__getitem__) for c in _MEANING],
            "meaning": list(_MEANING.values()),
        },
        index=pd.Index(list(_MEANING), name="check"),
    )
    fmt = pd.DataFrame(formats, columns=["row", "column", "value", "issue"]).astype({"value": object})
    card = scorecard(
        d,
        phone_col=phone_col,
        email_col=email_col,
        date_cols=date_cols,
        amount_col=amount_col,
        currency_col=currency_col,
        country_code=country_code,
        national_lengths=national_lengths,
    )
    return QualityReport(
        n_rows=len(d),
        summary=summary,
        exact_duplicates=exact,
        fuzzy_duplicates=fuzzy,
        outliers=outliers,
        formats=fmt,
        missing=missing,
        scorecard=card,
    )
