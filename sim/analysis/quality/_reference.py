"""The row-by-row implementation that :mod:`sim.analysis.quality` had before it worked on whole columns.

Kept as the **reference** the fast code is checked against (``tests/analysis/test_dedup_scale.py``:
same frames, same logs, same mapping on the bundled CRM extract) and as the benchmark's
baseline (``benchmarks/dedup.py``): it loops over rows in Python and compares names with the
standard library's :class:`difflib.SequenceMatcher`, about 0.5 ms per record. Not for use:
call :func:`sim.analysis.quality.clean`.

Examples
--------
>>> import pandas as pd
>>> crm = pd.DataFrame({"customer_id": [1, 2], "name": ["Li Na", "LI NA"], "phone": ["13900001111", "139 0000 1111"],
...                     "email": [None, None]})
>>> out, log = deduplicate(crm)
>>> len(out), log["rule"].tolist()
(1, ['id_merged', 'conflict_master_kept', 'conflict_master_kept', 'row_collapsed'])
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.quality._common import _check_key, _empty_log, _frame, _log, _missing
from sim.analysis.quality.cleaning import flag_outliers, standardise_currency
from sim.analysis.quality.duplicates import id_mapping
from sim.analysis.quality.formats import _ISO_DATE, _normalise_email, _parse_date_text, normalise_name, normalise_phone
from sim.analysis.quality.pipeline import CleanResult
from sim.errors import DataError

__all__: list[str] = []


def normalise_phones(
    df: pd.DataFrame,
    column: str = "phone",
    *,
    country_code: str = "86",
    national_lengths: int | Sequence[int] = 11,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The row-by-row version (see the module docstring)."""
    d = _frame(df, [column], "records")
    out = d.copy()
    vals = d[column].astype(object)
    new_vals = vals.to_dict()
    entries: list[tuple[Any, str, Any, Any, str]] = []
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
    """The row-by-row version (see the module docstring)."""
    d = _frame(df, [column], "records")
    out = d.copy()
    new_vals = d[column].astype(object).to_dict()
    miss = _missing(d[column]).to_dict()
    entries: list[tuple[Any, str, Any, Any, str]] = []
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
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The row-by-row version (see the module docstring)."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    d = _frame(df, cols, "records")
    out = d.copy()
    entries: list[tuple[Any, str, Any, Any, str]] = []
    for col in cols:
        s = d[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = (s.dt.tz_convert(None) if getattr(s.dt, "tz", None) is not None else s).astype("datetime64[ns]")
            continue
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
        out[col] = pd.Series([parsed.get(i, pd.NaT) for i in d.index], index=d.index, dtype="datetime64[ns]")
    return out, _log(entries)


def _exact_duplicates(d: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """The row-by-row version (see the module docstring)."""
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
    """The row-by-row version (see the module docstring)."""
    cols = [key, name_col, phone_col, email_col]
    d = _frame(df, cols, "records")
    _check_key(d, key)
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
            cand.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    rows = []
    look = {
        k: (r, nm, ph, em)
        for k, r, nm, ph, em in zip(prof.index, prof["row"], prof["name"], prof["phone"], prof["email"])
    }
    for a, b in sorted(cand, key=lambda p: (order[p[0]], order[p[1]])):
        (ra, na, pha, ema), (rb, nb, phb, emb) = look[a], look[b]
        # missing values come back from reindex as NaN (a float), not None: test for text
        sim = difflib.SequenceMatcher(None, na, nb).ratio() if (isinstance(na, str) and isinstance(nb, str)) else np.nan
        phone = isinstance(pha, str) and pha == phb
        email = isinstance(ema, str) and ema == emb
        if (phone and email) or ((phone or email) and not np.isnan(sim) and sim >= name_threshold):
            rows.append((a, b, ra, rb, sim, phone, email))
    out = pd.DataFrame(
        rows, columns=["key_a", "key_b", "row_a", "row_b", "name_similarity", "phone_match", "email_match"]
    )
    return out.astype({"name_similarity": float, "phone_match": bool, "email_match": bool})


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
    """The row-by-row version (see the module docstring)."""
    d = _frame(df, [key, name_col, phone_col, email_col], "records")
    _check_key(d, key)
    dup, exact = _exact_duplicates(d)
    entries: list[tuple] = [
        (i, "<row>", None, f"duplicate of row {j}", "exact_duplicate_removed")
        for i, j in zip(exact["row"], exact["duplicate_of"])
    ]
    out = d.loc[~dup].copy()

    pairs = find_duplicate_customers(
        out,
        key=key,
        name_col=name_col,
        phone_col=phone_col,
        email_col=email_col,
        name_threshold=name_threshold,
        country_code=country_code,
        national_lengths=national_lengths,
    )
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
        # one vectorised missing-value mask per column (a per-value check costs ms each)
        missing = {col: _missing(out[col]).to_dict() for col in out.columns if col != key}
        for _, idx in out.groupby(key, sort=False).groups.items():
            idx = list(idx)
            first = idx[0]
            keep.append(first)
            for later in idx[1:]:
                for col in out.columns:
                    if col == key:
                        continue
                    mv, lv = out.at[first, col], out.at[later, col]
                    m_missing = missing[col][first]
                    l_missing = missing[col][later]
                    if m_missing and not l_missing:
                        out.at[first, col] = lv
                        missing[col][first] = False
                        entries.append((first, col, None if pd.isna(mv) else mv, lv, "filled_from_duplicate"))
                    elif not l_missing and str(lv) != str(mv):
                        entries.append((later, col, lv, mv, "conflict_master_kept"))
                entries.append((later, "<row>", None, f"merged into row {first}", "row_collapsed"))
        rank = {lab: n for n, lab in enumerate(d.index)}
        out = out.loc[sorted(keep, key=rank.__getitem__)]
    row_rank = {lab: n for n, lab in enumerate(d.index)}
    rule_rank = {
        "exact_duplicate_removed": 0,
        "id_merged": 1,
        "filled_from_duplicate": 2,
        "conflict_master_kept": 2,
        "row_collapsed": 3,
    }
    entries.sort(key=lambda e: (rule_rank[e[4]], row_rank.get(e[0], 0)))
    return out, _log(entries)


def clean_reference(
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
) -> CleanResult:
    """The row-by-row version (see the module docstring)."""
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
