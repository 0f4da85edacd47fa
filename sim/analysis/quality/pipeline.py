"""The whole cleaning pipeline in one call, with reconciled row counts and the id mapping.

Examples
--------
>>> import pandas as pd
>>> res = clean(pd.DataFrame({"customer_id": [1, 1], "amount": [5.0, 5.0]}), name_col=None, phone_col=None,
...             email_col=None, date_cols=(), currency_col=None)
>>> res.counts[["rows_in", "rows_out", "exact_duplicates_removed"]].tolist()
[2, 1, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import pandas as pd

from sim.analysis.quality._common import _empty_log, _frame
from sim.analysis.quality.cleaning import (
    flag_outliers,
    normalise_emails,
    normalise_phones,
    parse_dates,
    standardise_currency,
)
from sim.analysis.quality.duplicates import deduplicate, id_mapping

__all__ = ["CleanResult", "clean"]


class CleanResult(NamedTuple):
    """Output of :func:`clean`: the cleaned frame, the combined log, counts and the id mapping.

    Attributes
    ----------
    frame : pandas.DataFrame
        The cleaned records (original row labels).
    log : pandas.DataFrame
        Every change: ``row``, ``column``, ``old``, ``new``, ``rule``, ``step``.
    counts : pandas.Series
        ``rows_in``, ``rows_out``, ``exact_duplicates_removed``, ``rows_collapsed``,
        ``customers_merged``, then one count per rule.
    mapping : pandas.Series
        old_id -> master_id of merged customers.

    Examples
    --------
    >>> import pandas as pd
    >>> frame, log, counts, mapping = clean(pd.DataFrame({"customer_id": [1], "amount": [5.0]}), name_col=None,
    ...                                     phone_col=None, email_col=None, date_cols=(), currency_col=None)
    >>> int(counts["rows_out"]), len(log), mapping.empty
    (1, 0, True)
    """

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
    dayfirst: bool | None = None,
    name_threshold: float = 0.85,
    collapse: bool = True,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
    name_only_threshold: float | None = None,
) -> CleanResult:
    """Run the cleaning steps in order and reconcile row counts.

    Order: :func:`normalise_phones` -> :func:`normalise_emails` -> :func:`parse_dates` ->
    :func:`standardise_currency` -> :func:`flag_outliers` (amounts in ``base_currency``
    above ``threshold``, flagged not dropped) -> :func:`deduplicate`. A column argument set to
    None skips its step; ``dayfirst`` is passed to :func:`parse_dates` (None, the default: an
    ambiguous date such as ``03/04/2025`` is refused; False reads it as March 4, True as 3 April);
    ``name_threshold`` and ``name_only_threshold`` (off by default: also merge ids whose names are
    alike and whose phones and e-mails do not differ) go to :func:`deduplicate`. Only the
    deduplication removes rows, and each removed row is in the log, so ``rows_in - exact_duplicates_removed - rows_collapsed == rows_out`` (checked).

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
        cur, lg = standardise_currency(
            cur, amount_col=amount_col, currency_col=currency_col, rates=rates, base=base_currency
        )
        logs.append(lg.assign(step="standardise_currency"))
        cur, lg = flag_outliers(cur, amount_col, threshold=threshold)
        logs.append(lg.assign(step="flag_outliers"))
    rows_in = len(d)
    if key:
        cur, lg = deduplicate(
            cur,
            key=key,
            name_col=name_col,
            phone_col=phone_col,
            email_col=email_col,
            name_threshold=name_threshold,
            collapse=collapse,
            country_code=country_code,
            national_lengths=national_lengths,
            name_only_threshold=name_only_threshold,
        )
        logs.append(lg.assign(step="deduplicate"))
    log = pd.concat([lg.astype(object) for lg in logs], ignore_index=True) if logs else _empty_log().assign(step=None)
    by_rule = log["rule"].value_counts()
    removed = int(by_rule.get("exact_duplicate_removed", 0))
    collapsed = int(by_rule.get("row_collapsed", 0))
    if rows_in - removed - collapsed != len(cur):  # pragma: no cover - a bug, not bad input
        raise RuntimeError(f"row counts do not reconcile: {rows_in} - {removed} - {collapsed} != {len(cur)}")
    mapping = id_mapping(log)
    counts = pd.concat(
        [
            pd.Series(
                {
                    "rows_in": rows_in,
                    "rows_out": len(cur),
                    "exact_duplicates_removed": removed,
                    "rows_collapsed": collapsed,
                    "customers_merged": len(mapping),
                }
            ),
            by_rule.astype("int64"),
        ]
    )
    counts = counts[~counts.index.duplicated()].astype("int64")
    counts.name = "count"
    return CleanResult(frame=cur, log=log, counts=counts, mapping=mapping)
