"""Duplicate records: exact copies, probable duplicate customers (fuzzy matching) and merging them.

:func:`find_duplicate_customers` uses blocking + similarity: candidate pairs share a
normalised phone or e-mail (so blocking loses no pair the rule accepts), and names are
compared with the standard library's :class:`difflib.SequenceMatcher`. :func:`deduplicate`
removes exact copies and merges duplicate customers under one master id, logging every
change; :func:`id_mapping` reads the old_id -> master_id mapping from its log.

Examples
--------
>>> import pandas as pd
>>> crm = pd.DataFrame({"customer_id": [1, 2], "name": ["Li Na", "LI NA"], "phone": ["13900001111", "139 0000 1111"],
...                     "email": [None, None]})
>>> out, log = deduplicate(crm)
>>> len(out), id_mapping(log).to_dict()
(1, {2: 1})
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.analysis.quality._common import LOG_COLUMNS, _check_key, _frame, _log, _missing, _py
from sim.analysis.quality.formats import _normalise_email, normalise_name, normalise_phone

__all__ = ["find_duplicate_customers", "deduplicate", "id_mapping"]


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
    require_columns(log, dict.fromkeys(LOG_COLUMNS, "any"), table="log", allow_empty=True)
    m = log[log["rule"] == "id_merged"].drop_duplicates("old")
    return pd.Series(
        [_py(v) for v in m["new"]],
        index=pd.Index([_py(v) for v in m["old"]], name="old_id"),
        name="master_id",
        dtype=object if m.empty else None,
    )
