"""Duplicate records: exact copies, probable duplicate customers (fuzzy matching) and merging them.

:func:`find_duplicate_customers` uses blocking + similarity: candidate pairs share a
normalised phone or e-mail (so blocking loses no pair the rule accepts), and names are
compared with :mod:`rapidfuzz` (the Indel similarity of ``fuzz.ratio``, on all candidate pairs
at once with ``rapidfuzz.process.cpdist``). With ``name_only_threshold`` set, a third block (a
sorted neighbourhood of the names, forwards and backwards) also links records whose phone is
missing or mistyped. :func:`deduplicate` removes exact copies and merges duplicate customers under
one master id (groups closed with :func:`scipy.sparse.csgraph.connected_components`), logging
every change; :func:`id_mapping` reads the old_id -> master_id mapping from its log. Everything
is done on whole columns (numpy / pandas), so a million records take seconds
(``benchmarks/dedup.py``).

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

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import Indel
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sim.analysis._validate import check_number, require_columns
from sim.analysis.quality._common import LOG_COLUMNS, _check_key, _empty_log, _frame, _log_arrays, _missing, _py
from sim.analysis.quality._vector import emails_normalised, names_normalised, phones_e164

__all__ = ["find_duplicate_customers", "deduplicate", "id_mapping"]

#: Window of the sorted-neighbourhood name block: each name is compared with the next ones.
NAME_WINDOW = 4
_PAIR_COLUMNS = ["key_a", "key_b", "row_a", "row_b", "name_similarity", "phone_match", "email_match"]


def _row_codes(d: pd.DataFrame) -> np.ndarray:
    """One integer per row, equal for rows whose values are all equal (missing values equal each other)."""
    combined = np.zeros(len(d), dtype=np.int64)
    for col in d.columns:
        s = d[col]
        try:
            codes, uniq = pd.factorize(s, use_na_sentinel=True)
        except TypeError:  # unhashable cells (lists, dicts): compared by their text, as before
            codes, uniq = pd.factorize(
                s.map(lambda v: str(v) if isinstance(v, (list, dict, set)) else v), use_na_sentinel=True
            )
        combined, _ = pd.factorize(combined * (len(uniq) + 1) + (codes + 1))
        combined = combined.astype(np.int64)
    return combined


def _exact_duplicates(d: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Mask of rows identical to an earlier row, and a frame ``row``, ``duplicate_of``."""
    codes = _row_codes(d)
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    first_of = first[inverse.ravel()]
    dup = first_of != np.arange(len(d))
    labels = d.index.to_numpy(dtype=object)
    pairs = pd.DataFrame({"row": labels[dup], "duplicate_of": labels[first_of[dup]]}, dtype=object)
    return pd.Series(dup, index=d.index), pairs


def _block_pairs(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (a < b) of profiles with the same block code (code -1 = no block)."""
    ids = np.flatnonzero(block >= 0)
    bc = block[ids]
    o = np.argsort(bc, kind="stable")
    ids, bc = ids[o], bc[o]
    if len(bc) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.flatnonzero(np.r_[True, bc[1:] != bc[:-1]])
    sizes = np.diff(np.r_[starts, len(bc)])
    a_parts, b_parts = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for size in np.unique(sizes[sizes > 1]):
        st = starts[sizes == size]
        i, j = np.triu_indices(int(size), 1)
        a_parts.append(ids[st[:, None] + i].ravel())
        b_parts.append(ids[st[:, None] + j].ravel())
    return np.concatenate(a_parts), np.concatenate(b_parts)


def _neighbour_pairs(names: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted-neighbourhood pairs: each name with the next ``window - 1`` names in sort order,
    sorted forwards and backwards (so a typo in the first letters still meets its twin)."""
    ids = np.flatnonzero(pd.notna(names))
    a_parts, b_parts = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    forwards = pa.array(names[ids], type=pa.string())
    for keyed in (forwards, pc.utf8_reverse(forwards)):
        order = ids[pc.sort_indices(keyed).to_numpy()]  # Arrow sorts the text in C
        for k in range(1, window):
            a_parts.append(order[:-k])
            b_parts.append(order[k:])
    a, b = np.concatenate(a_parts), np.concatenate(b_parts)
    return np.minimum(a, b), np.maximum(a, b)


def _partial_phone_conflict(
    raw: pd.Series, kcodes: np.ndarray, n_keys: int, phone: np.ndarray, a: np.ndarray, b: np.ndarray, sel: np.ndarray
) -> np.ndarray:
    """True for pairs where one id has a readable phone and the other only an unreadable one whose
    digits (at least 7, e.g. ``555-0122``, a mistyped ``213-555-012``) are not part of it."""
    digits = np.full(n_keys, None, dtype=object)
    text = raw.astype(object).where(raw.notna(), "").astype(str).str.replace(r"\D", "", regex=True)
    ok = (text.str.len() >= 7).to_numpy()
    idx = np.flatnonzero(ok)
    keys, first = np.unique(kcodes[idx], return_index=True)
    digits[keys] = text.to_numpy(dtype=object)[idx[first]]
    digits[pd.notna(phone)] = None  # only ids without a readable phone
    out = np.zeros(len(a), dtype=bool)
    for k in np.flatnonzero(sel):
        for x, y in ((a[k], b[k]), (b[k], a[k])):
            if isinstance(phone[x], str) and isinstance(digits[y], str) and digits[y] not in phone[x]:
                out[k] = True
    return out


def _pairs(
    d: pd.DataFrame,
    key: str,
    name_col: str | None,
    phone_col: str | None,
    email_col: str | None,
    name_threshold: float,
    name_only_threshold: float | None,
    country_code: str,
    national_lengths: int | Sequence[int],
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """(key code per row, first row position per key, accepted pairs as codes a < b with their evidence)."""
    kcodes, _ = pd.factorize(d[key].to_numpy(dtype=object))
    n_keys = int(kcodes.max()) + 1 if len(kcodes) else 0
    first_pos = np.unique(kcodes, return_index=True)[1]

    def profile(col: str | None, fn) -> np.ndarray:
        out = np.full(n_keys, None, dtype=object)
        if col is None or n_keys == 0:
            return out
        vals = fn(d[col]).to_numpy(dtype=object)
        idx = np.flatnonzero(pd.notna(vals))
        keys, first = np.unique(kcodes[idx], return_index=True)
        out[keys] = vals[idx[first]]
        return out

    name = profile(name_col, names_normalised)
    phone = profile(phone_col, lambda s: phones_e164(s, country_code, national_lengths))
    email = profile(email_col, emails_normalised)
    parts = [_block_pairs(pd.factorize(v, use_na_sentinel=True)[0]) for v in (phone, email)]
    if name_only_threshold is not None:
        parts.append(_neighbour_pairs(name, NAME_WINDOW))
    a = np.concatenate([p[0] for p in parts]).astype(np.int64)
    b = np.concatenate([p[1] for p in parts]).astype(np.int64)
    code = np.unique(a * max(n_keys, 1) + b)  # sorted: by the first id's row order, then the second's
    a, b = code // max(n_keys, 1), code % max(n_keys, 1)
    na, nb = name[a], name[b]
    both = pd.notna(na) & pd.notna(nb)
    sim = np.full(len(a), np.nan)
    if both.any():
        sim[both] = process.cpdist(
            list(na[both]), list(nb[both]), scorer=Indel.normalized_similarity, dtype=np.float64, workers=1
        )
    ph_a, ph_b, em_a, em_b = phone[a], phone[b], email[a], email[b]
    has_p, has_e = pd.notna(ph_a) & pd.notna(ph_b), pd.notna(em_a) & pd.notna(em_b)
    phone_m = has_p & (ph_a == ph_b)
    email_m = has_e & (em_a == em_b)
    with np.errstate(invalid="ignore"):
        keep = (phone_m & email_m) | ((phone_m | email_m) & (sim >= name_threshold))
        if name_only_threshold is not None:  # names alike and no phone or e-mail that says otherwise
            alike = (sim >= name_only_threshold) & ~(has_p & ~phone_m) & ~(has_e & ~email_m)
            if phone_col is not None and alike.any():
                alike &= ~_partial_phone_conflict(d[phone_col], kcodes, n_keys, phone, a, b, alike)
            keep |= alike
    ev = pd.DataFrame(
        {"a": a[keep], "b": b[keep], "sim": sim[keep], "phone": phone_m[keep].astype(bool), "email": email_m[keep]}
    )
    ev["email"] = ev["email"].astype(bool)
    return kcodes, first_pos, ev


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
    name_only_threshold: float | None = None,
) -> pd.DataFrame:
    """Pairs of different customer ids that are probably the same person.

    Each id gets a profile (its first non-missing name, phone and e-mail, in row order).
    **Blocking**: only ids sharing a normalised phone (:func:`normalise_phone`) or a
    normalised e-mail (stripped, lower case) are compared. **Similarity**: the Indel
    similarity of the normalised names (:func:`normalise_name`), ``rapidfuzz.fuzz.ratio`` / 100
    = 2 x (longest common subsequence) / (total length); it is never below the
    :class:`difflib.SequenceMatcher` ratio used before, and the default 0.85 still merges no
    two people of the bundled CRM extract. **Rule**: a pair is a duplicate if it shares a phone
    or an e-mail *and* the name similarity is at least ``name_threshold``, or if it shares both
    phone and e-mail. Because every accepted pair shares a phone or an e-mail, the blocking
    loses no pair. Not found: the same person with a missing or mistyped phone and no shared
    e-mail. ``name_only_threshold`` (off by default) finds those too: a third block, the sorted
    neighbourhood of the names (each name with the next :data:`NAME_WINDOW` - 1 in alphabetical
    order, forwards and reversed), and a pair is also accepted when its name similarity is at
    least ``name_only_threshold`` and neither two phones nor two e-mails differ - at the cost of
    merging namesakes whose contact details are missing.

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
    name_only_threshold : float or None
        Minimum name similarity for a pair found by name alone (None: names alone never merge).

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
    _check_thresholds(name_threshold, name_only_threshold)
    _, first_pos, ev = _pairs(
        d, key, name_col, phone_col, email_col, name_threshold, name_only_threshold, country_code, national_lengths
    )
    keys = d[key].to_numpy()[first_pos]
    rows = d.index.to_numpy()[first_pos]
    a, b = ev["a"].to_numpy(), ev["b"].to_numpy()
    out = pd.DataFrame(
        {
            "key_a": keys[a],
            "key_b": keys[b],
            "row_a": rows[a],
            "row_b": rows[b],
            "name_similarity": ev["sim"].to_numpy(dtype=float),
            "phone_match": ev["phone"].to_numpy(dtype=bool),
            "email_match": ev["email"].to_numpy(dtype=bool),
        },
        columns=_PAIR_COLUMNS,
    )
    return out


def _check_thresholds(name_threshold: float, name_only_threshold: float | None) -> None:
    check_number(name_threshold, "name_threshold", low=0, high=1)
    if name_only_threshold is not None:
        check_number(name_only_threshold, "name_only_threshold", low=0, high=1)


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
    name_only_threshold: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove exact duplicate rows and merge duplicate customers under one master id.

    1. Rows identical to an earlier row are removed (``exact_duplicate_removed``; ``new``
       names the row kept).
    2. Duplicate customers are found by :func:`find_duplicate_customers` (``name_threshold``,
       ``name_only_threshold``, ``country_code``, ``national_lengths`` are passed on); groups are
       closed transitively (A~B and B~C -> one customer: the connected components of the pair
       graph, :func:`scipy.sparse.csgraph.connected_components`). The master id is the id whose first row
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
    _check_thresholds(name_threshold, name_only_threshold)
    dup, exact = _exact_duplicates(d)
    labels = d.index.to_numpy(dtype=object)
    logs = [_with_order(_log_arrays(exact["row"].to_numpy(), "<row>", None,
                                    [f"duplicate of row {j}" for j in exact["duplicate_of"]],
                                    "exact_duplicate_removed"), 0, np.flatnonzero(dup.to_numpy()))]  # fmt: skip
    out = d.loc[~dup].copy()
    rank = np.flatnonzero(~dup.to_numpy())  # position in d of each row of out
    kcodes, first_pos, ev = _pairs(
        out, key, name_col, phone_col, email_col, name_threshold, name_only_threshold, country_code, national_lengths
    )
    n_keys = len(first_pos)
    graph = coo_matrix((np.ones(len(ev)), (ev["a"].to_numpy(), ev["b"].to_numpy())), shape=(n_keys, n_keys))
    _, comp = connected_components(graph, directed=False)
    master = np.full(n_keys, n_keys, dtype=np.int64)
    np.minimum.at(master, comp, np.arange(n_keys))  # the id whose first row comes first
    group = master[comp][kcodes]  # master code of each row of out
    if (group != kcodes).any():
        changed = np.flatnonzero(group != kcodes)
        old_keys = out[key].to_numpy(dtype=object)
        new_keys = old_keys[first_pos[group]]
        logs.append(_with_order(_log_arrays(labels[rank[changed]], key, old_keys[changed], new_keys[changed],
                                            "id_merged"), 1, rank[changed]))  # fmt: skip
        out[key] = pd.Series(new_keys, index=out.index).astype(out[key].dtype)
    if collapse:
        out, collapse_logs = _collapse(out, key, group, rank, labels)
        logs += collapse_logs
    logs = [lg for lg in logs if len(lg)]
    if not logs:
        return out, _empty_log()
    log = pd.concat(logs, ignore_index=True)
    log = log.iloc[np.lexsort([log.pop(c).to_numpy() for c in ("_k3", "_k2", "_k1", "_k0")])]
    return out, log.reset_index(drop=True)


def _with_order(log: pd.DataFrame, rule_rank: int, row_rank: Any, k2: Any = 0, k3: Any = 0) -> pd.DataFrame:
    """Attach the sort keys of :func:`deduplicate`'s log: rule, row, then the order rows were compared in."""
    return log.assign(_k0=rule_rank, _k1=row_rank, _k2=k2, _k3=k3)


def _texts(values: np.ndarray) -> np.ndarray:
    """``str()`` of every value, as a numpy text array (compared element-wise in C)."""
    return values.astype(str) if len(values) else np.empty(0, dtype=str)


def _collapse(
    out: pd.DataFrame, key: str, group: np.ndarray, rank: np.ndarray, labels: np.ndarray
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """One record per customer: fill the first row's gaps from later rows, log conflicts, drop later rows."""
    m = len(out)
    first_of_group = np.full(int(group.max()) + 1 if m else 0, -1, dtype=np.int64)
    ug, fi = np.unique(group, return_index=True)
    first_of_group[ug] = fi
    first = first_of_group[group]  # position in out of each row's master row
    later = np.flatnonzero(first != np.arange(m))
    logs: list[pd.DataFrame] = []
    if len(later) == 0:
        return out, logs
    out = out.copy()
    for c, col in enumerate(out.columns):
        if col == key:
            continue
        s = out[col]
        miss = _missing(s).to_numpy()
        vals = s.to_numpy(dtype=object)
        cand = later[~miss[later]]  # later rows with a value
        ug, fi = np.unique(group[cand], return_index=True)
        filler = cand[fi]  # first later row with a value, per group
        fill = filler[miss[first[filler]]]  # ... of groups whose master row lacks the value
        final = vals.copy()
        if len(fill):
            f = first[fill]
            logs.append(_with_order(_log_arrays(labels[rank[f]], col, [None if pd.isna(v) else v for v in vals[f]],
                                                vals[fill], "filled_from_duplicate"), 2, rank[f], rank[fill], c))  # fmt: skip
            final[f] = vals[fill]
            s = s.copy()
            s.iloc[f] = s.iloc[fill].to_numpy()
            out[col] = s
        other = np.setdiff1d(cand, fill, assume_unique=True)
        differs = _texts(vals[other]) != _texts(final[first[other]])
        conflict = other[differs]
        if len(conflict):
            logs.append(_with_order(_log_arrays(labels[rank[conflict]], col, vals[conflict],
                                                final[first[conflict]], "conflict_master_kept"), 2,
                                    rank[conflict], rank[conflict], c))  # fmt: skip
    logs.append(_with_order(_log_arrays(labels[rank[later]], "<row>", None,
                                        [f"merged into row {j}" for j in labels[rank[first[later]]]],
                                        "row_collapsed"), 3, rank[later]))  # fmt: skip
    keep = np.ones(m, dtype=bool)
    keep[later] = False
    return out.iloc[keep], logs


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
