"""Market-basket analysis: the order x category matrix, association rules and per-customer interest tags.

mlxtend does the work: :func:`mlxtend.frequent_patterns.apriori` finds the frequent itemsets
and :func:`mlxtend.frequent_patterns.association_rules` turns them into rules. pandas builds
the one-hot matrix (``str.get_dummies``) and the per-customer counts.

Definitions (``n`` = number of baskets)::

    support(A -> B)    = #baskets containing A and B / n
    confidence(A -> B) = support(A and B) / support(A)        (= P(B | A))
    lift(A -> B)       = confidence(A -> B) / support(B)      (> 1: A and B go together)

A basket is the ``basket`` column of the orders table: the categories of an order's lines
joined by ``"|"`` (``"electronics|accessories"``); a category listed twice in one basket
counts once. Orders with an empty basket (``""``: the catalogue was off) are left out and
counted in ``attrs["empty_baskets"]``.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 3],
...                        "basket": ["phone|case", "phone", "case|cable", "phone|case"]})
>>> rules = association_rules(orders, min_support=0.5, min_confidence=0.5)
>>> rules[["antecedent", "consequent", "support", "confidence", "lift"]].round(3)
  antecedent consequent  support  confidence  lift
0       case      phone      0.5       0.667  0.889
1      phone       case      0.5       0.667  0.889
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd

from sim.analysis._validate import check_number, require_columns
from sim.errors import ConfigError, DataError

__all__ = ["SEPARATOR", "basket_matrix", "association_rules", "interest_tags"]

#: Separator of the categories in a basket string.
SEPARATOR = "|"


def _check_column(column: object) -> str:
    if not isinstance(column, str) or not column:
        raise ConfigError(f"column={column!r} is not allowed: give the name of the basket column, e.g. 'basket'")
    return column


def _baskets(orders: pd.DataFrame, column: str, extra: dict[str, str] | None = None) -> tuple[pd.DataFrame, int]:
    """Checked copy of the non-empty baskets (stripped text) and the number of empty ones."""
    df = require_columns(orders, {column: "category", **(extra or {})}, table="orders")
    s = df[column]
    is_text = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_text.all():
        bad = df.index[~is_text]
        raise DataError(
            f"baskets must be text such as 'electronics|accessories', found {str(s[~is_text].iloc[0])[:40]!r}",
            table="orders",
            column=column,
            rows=bad,
        )
    s = s.str.strip()
    empty = s == ""
    df = df.loc[~empty].copy()
    df[column] = s.loc[~empty]
    if df.empty:
        raise DataError(
            "every basket is empty (''); the scenario's catalogue is probably off (Scenario.catalogue.enabled)",
            table="orders",
            column=column,
        )
    parts = df[column].str.split(SEPARATOR, regex=False)
    blank = parts.map(lambda items: any(i.strip() == "" for i in items)).to_numpy(dtype=bool)
    if blank.any():
        raise DataError(
            f"empty category in a basket (e.g. {df[column][blank].iloc[0][:40]!r}); "
            f"join categories with {SEPARATOR!r} and no empty parts",
            table="orders",
            column=column,
            rows=df.index[blank],
        )
    return df, int(empty.sum())


def basket_matrix(orders: pd.DataFrame, column: str = "basket") -> pd.DataFrame:
    """One-hot matrix: one row per non-empty basket, one boolean column per category.

    Parameters
    ----------
    orders : pandas.DataFrame
        Needs ``column`` (text: categories joined by ``"|"``).
    column : str
        The basket column (default ``"basket"``).

    Returns
    -------
    pandas.DataFrame
        Index = the orders' index (empty baskets left out, counted in
        ``attrs["empty_baskets"]``), columns = categories in alphabetical order, values bool.

    Raises
    ------
    DataError
        Missing column, missing or non-text values, empty parts such as ``"a||b"``, or only
        empty baskets.

    Examples
    --------
    >>> import pandas as pd
    >>> basket_matrix(pd.DataFrame({"basket": ["home|beauty", "", "home"]}))
       beauty   home
    0    True   True
    2   False   True
    """
    col = _check_column(column)
    df, n_empty = _baskets(orders, col)
    items = df[col].str.split(SEPARATOR, regex=False).map(lambda xs: SEPARATOR.join(sorted({x.strip() for x in xs})))
    m = items.str.get_dummies(sep=SEPARATOR).astype(bool)
    m = m.reindex(sorted(m.columns), axis=1)
    m.columns.name = None
    m.attrs["empty_baskets"] = n_empty
    return m


def association_rules(
    orders: pd.DataFrame,
    min_support: float = 0.01,
    min_confidence: float = 0.2,
    column: str = "basket",
    *,
    max_len: int | None = None,
) -> pd.DataFrame:
    """Association rules A -> B between categories bought together (apriori, mlxtend).

    Parameters
    ----------
    orders : pandas.DataFrame
        Needs the basket ``column``.
    min_support : float
        Keep itemsets in at least this share of baskets, in (0, 1].
    min_confidence : float
        Keep rules with ``P(B | A)`` at least this, in [0, 1].
    column : str
        The basket column.
    max_len : int, optional
        Largest itemset considered (None = no limit; 2 = pairs only).

    Returns
    -------
    pandas.DataFrame
        Columns ``antecedent``, ``consequent`` (categories joined by ``"|"``, sorted),
        ``antecedent_support``, ``consequent_support``, ``support``, ``confidence``, ``lift``;
        sorted by lift (highest first), then support, then the rule's text. Empty (with these
        columns) when no rule passes. ``attrs["baskets"]`` is the number of baskets used.

    Raises
    ------
    DataError
        As :func:`basket_matrix`.
    ConfigError
        Thresholds outside their ranges, a ``max_len`` that is not a whole number >= 2.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"basket": ["a|b", "a|b", "a", "c", "b|c"]})
    >>> r = association_rules(o, min_support=0.3, min_confidence=0.5)
    >>> r[["antecedent", "consequent", "support", "confidence"]]
      antecedent consequent  support  confidence
    0          a          b      0.4    0.666667
    1          b          a      0.4    0.666667
    """
    from mlxtend.frequent_patterns import apriori
    from mlxtend.frequent_patterns import association_rules as mlx_rules

    check_number(min_support, "min_support", low=0, high=1, low_open=True)
    check_number(min_confidence, "min_confidence", low=0, high=1)
    if max_len is not None and (not isinstance(max_len, numbers.Integral) or isinstance(max_len, bool) or max_len < 2):
        raise ConfigError(f"max_len={max_len!r} is not allowed: give None or a whole number >= 2")
    m = basket_matrix(orders, column)
    _check_itemset_bound(m, float(min_support), max_len)
    cols = ["antecedent", "consequent", "antecedent_support", "consequent_support", "support", "confidence", "lift"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        freq = apriori(m, min_support=float(min_support), use_colnames=True, max_len=max_len)
    multi = freq[freq["itemsets"].map(len) >= 2] if len(freq) else freq
    if multi.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object if c in cols[:2] else float) for c in cols})
    else:
        rules = mlx_rules(
            freq,
            num_itemsets=len(m),
            metric="confidence",
            min_threshold=float(min_confidence),
            return_metrics=["antecedent support", "consequent support", "support", "confidence", "lift"],
        )
        out = pd.DataFrame(
            {
                "antecedent": rules["antecedents"].map(lambda s: SEPARATOR.join(sorted(s))),
                "consequent": rules["consequents"].map(lambda s: SEPARATOR.join(sorted(s))),
                "antecedent_support": rules["antecedent support"].astype(float),
                "consequent_support": rules["consequent support"].astype(float),
                "support": rules["support"].astype(float),
                "confidence": rules["confidence"].astype(float),
                "lift": rules["lift"].astype(float),
            }
        )
        out = out.sort_values(
            ["lift", "support", "antecedent", "consequent"], ascending=[False, False, True, True], kind="mergesort"
        ).reset_index(drop=True)
    out.attrs["baskets"] = len(m)
    out.attrs["empty_baskets"] = m.attrs["empty_baskets"]
    return out


#: Most frequent itemsets :func:`association_rules` may have to enumerate (a guard, see below).
MAX_ITEMSETS = 1_000_000


def _check_itemset_bound(m: pd.DataFrame, min_support: float, max_len: int | None) -> None:
    """Refuse inputs whose frequent itemsets could exceed :data:`MAX_ITEMSETS` (apriori would not finish).

    Each frequent itemset lies in at least ``min_support * baskets`` baskets, so their number is at
    most (sum over baskets of the basket's subsets of frequent items, up to ``max_len`` items) /
    (``min_support * baskets``): a bound, not a guess.
    """
    n = len(m)
    if n == 0:
        return
    frequent = m.columns[m.mean(axis=0).to_numpy() >= min_support]
    sizes = m[frequent].sum(axis=1).to_numpy(dtype=np.int64)
    top = int(sizes.max()) if len(sizes) else 0
    kmax = top if max_len is None else min(max_len, top)
    counts = np.bincount(sizes)
    subsets = sum(
        float(c) * sum(math.comb(b, k) for k in range(1, min(b, kmax) + 1)) for b, c in enumerate(counts) if c
    )
    bound = subsets / (min_support * n)
    if bound > MAX_ITEMSETS:
        raise ConfigError(
            f"association_rules: baskets hold up to {top} frequent categories, so up to {bound:.3g} frequent "
            f"itemsets (more than {MAX_ITEMSETS:,}) could have to be enumerated; pass max_len=2 or 3 "
            "(pairs or triples) or raise min_support"
        )


def interest_tags(orders: pd.DataFrame, top: int = 2, *, column: str = "basket") -> pd.DataFrame:
    """Each customer's most-bought categories (interest tags), counting basket lines.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id`` and the basket ``column``.
    top : int
        Number of tags per customer (>= 1).
    column : str
        The basket column.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted; customers with only empty baskets left out), columns
        ``tag_1`` ... ``tag_<top>`` (most-bought first; ties broken alphabetically; ``""`` when
        the customer bought fewer categories), ``tags`` (the tags joined by ``"|"``) and
        ``lines`` (basket lines counted).

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                   "basket": ["home|beauty", "home", "apparel", "beauty"]})
    >>> interest_tags(o)
                 tag_1   tag_2          tags  lines
    customer_id
    1             home  apparel  home|apparel      4
    2           beauty                 beauty      1
    """
    check_number(top, "top", low=1, integer=True)
    col = _check_column(column)
    df, _ = _baskets(orders, col, {"customer_id": "id"})
    lines = df[["customer_id"]].assign(category=df[col].str.split(SEPARATOR, regex=False)).explode("category")
    lines["category"] = lines["category"].str.strip()
    counts = lines.groupby(["customer_id", "category"], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values(["customer_id", "n", "category"], ascending=[True, False, True], kind="mergesort")
    counts["rank"] = counts.groupby("customer_id").cumcount()
    k = int(top)
    wide = counts[counts["rank"] < k].pivot(index="customer_id", columns="rank", values="category")
    wide = wide.reindex(columns=range(k)).astype(object).fillna("").astype(str)
    wide.columns = [f"tag_{i + 1}" for i in range(k)]
    wide["tags"] = wide.apply(lambda r: SEPARATOR.join(t for t in r if t), axis=1)
    wide["lines"] = lines.groupby("customer_id").size().reindex(wide.index).to_numpy(dtype=np.int64)
    wide.index.name = "customer_id"
    wide.columns.name = None
    return wide
