"""Grade a trainee's cleaning of the CRM extract against the answer key."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.datasets.crm import load_crm_answer_key

__all__ = ["score_merges", "duplicate_identities", "issue_mask"]


def score_merges(mapping: pd.Series | Mapping, answer_key: pd.DataFrame | None = None) -> pd.Series:
    """How well a de-duplication of the CRM extract's customers matches the answer key.

    Pairs of records (exact duplicate rows left out) are counted: a *true pair* is two
    records of the same person (same ``master_customer_id``), a *found pair* two records
    mapped to the same customer. Recall = share of true pairs found; precision = share of
    found pairs that are true (a false pair merges two different people, e.g. a household
    sharing a phone).

    Parameters
    ----------
    mapping : pandas.Series or mapping
        ``customer_ref -> master customer_ref`` as returned by
        :func:`sim.analysis.quality.clean` (``.mapping``) or
        :func:`~sim.analysis.quality.id_mapping`; refs not in it stand for themselves.
    answer_key : pandas.DataFrame, optional
        ``load_crm_answer_key().customers`` (default: loaded from the package data).

    Returns
    -------
    pandas.Series
        ``people``, ``customers_found`` (distinct customers after merging), ``true_pairs``,
        ``found_pairs``, ``correct_pairs``, ``recall``, ``precision``.

    Examples
    --------
    >>> import pandas as pd
    >>> key = pd.DataFrame({"customer_ref": ["A", "B", "C", "D"], "master_customer_id": [1, 1, 1, 2],
    ...                     "exact_duplicate_of": pd.array([pd.NA] * 4, dtype="Int64")})
    >>> score_merges({"B": "A", "D": "A"}, key)[["true_pairs", "found_pairs", "correct_pairs", "recall", "precision"]].tolist()
    [3.0, 3.0, 1.0, 0.3333333333333333, 0.3333333333333333]
    """
    kc = load_crm_answer_key().customers if answer_key is None else answer_key
    kc = kc[kc["exact_duplicate_of"].isna()]
    m = dict(mapping.items()) if isinstance(mapping, (pd.Series, Mapping)) else dict(mapping)
    master = pd.Series(kc["master_customer_id"].to_numpy(), index=kc["customer_ref"].to_numpy())
    found = pd.Series([m.get(r, r) for r in master.index], index=master.index)

    def n_pairs(labels: pd.Series) -> int:
        sizes = labels.value_counts()
        return int((sizes * (sizes - 1) // 2).sum())

    both = pd.Series(list(zip(master, found)), index=master.index)
    true_pairs, found_pairs, correct = n_pairs(master), n_pairs(found), n_pairs(both)
    return pd.Series(
        {
            "people": float(master.nunique()),
            "customers_found": float(found.nunique()),
            "true_pairs": float(true_pairs),
            "found_pairs": float(found_pairs),
            "correct_pairs": float(correct),
            "recall": correct / true_pairs if true_pairs else np.nan,
            "precision": correct / found_pairs if found_pairs else np.nan,
        },
        name="merges",
    )


def duplicate_identities(orders: pd.DataFrame, share: float, *, seed: int, id_col: str = "customer_id") -> pd.DataFrame:
    """Simulate profiles that were never merged: some customers' later orders land under a new id.

    For a random ``share`` of the customers with at least two orders, each order after
    their first moves, with probability 1/2, to a second id (a new profile: a new phone,
    a guest checkout, another store). New ids follow the largest existing id. The true id
    is kept in a column ``true_customer_id``, so the damage can be measured.

    Parameters
    ----------
    orders : pandas.DataFrame
        Orders with ``id_col`` and ``date``.
    share : float
        Share of the repeat customers (0-1) who get a second profile.
    seed : int
        Seed of the random choices (numpy ``default_rng``).
    id_col : str
        The customer id column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``orders`` with ``id_col`` rewritten and ``true_customer_id`` added.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 1, 2], "date": pd.to_datetime(
    ...     ["2025-01-01", "2025-02-01", "2025-03-01", "2025-01-05"])})
    >>> out = duplicate_identities(orders, 1.0, seed=0)
    >>> out["true_customer_id"].tolist(), out["customer_id"].nunique() >= 2
    ([1, 1, 1, 2], True)
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share={share!r}; give a number between 0 and 1")
    rng = np.random.default_rng(seed)
    out = orders.copy()
    out["true_customer_id"] = out[id_col]
    counts = out[id_col].value_counts().sort_index()
    repeaters = counts.index[counts >= 2].to_numpy()
    chosen = np.sort(rng.choice(repeaters, size=int(round(share * len(repeaters))), replace=False))
    if len(chosen) == 0:
        return out
    new_id = dict(zip(chosen, int(out[id_col].max()) + 1 + np.arange(len(chosen))))
    rank = out.sort_values([id_col, "date"], kind="stable").groupby(id_col).cumcount().reindex(out.index)
    move = out[id_col].isin(chosen) & (rank > 0) & (rng.random(len(out)) < 0.5)
    out.loc[move, id_col] = out.loc[move, id_col].map(new_id).astype(out[id_col].dtype)
    return out


def issue_mask(issues: pd.Series, tag: str) -> pd.Series:
    """Boolean mask of answer-key rows whose ``issues`` contain ``tag``.

    Examples
    --------
    >>> import pandas as pd
    >>> issue_mask(pd.Series([["phone_missing"], [], ["name_typo", "phone_missing"]]), "phone_missing").tolist()
    [True, False, True]
    """
    return pd.Series([tag in v for v in issues], index=issues.index, dtype=bool)
