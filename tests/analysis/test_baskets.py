"""Basket matrix, association rules and interest tags (sim.analysis.baskets).

A planted rule A -> B must come out with the support, confidence and lift computed by hand
from the basket counts; on random baskets every rule must equal a brute-force count.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import baskets
from sim.errors import ConfigError, DataError


def _orders(counts: dict[str, int]) -> pd.DataFrame:
    """Orders with each basket string repeated ``count`` times (customers 1, 2, ... in turn)."""
    rows = [b for b, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"customer_id": np.arange(len(rows)) % 37 + 1, "basket": rows})


def test_planted_rule_has_the_hand_computed_support_confidence_and_lift():
    counts = {"phone|case": 150, "phone": 50, "case": 100, "home": 500, "home|beauty": 120, "beauty": 80}
    n = sum(counts.values())
    n_phone = counts["phone|case"] + counts["phone"]
    n_case = counts["phone|case"] + counts["case"]
    n_both = counts["phone|case"]
    rules = baskets.association_rules(_orders(counts), min_support=0.05, min_confidence=0.3)
    r = rules[(rules["antecedent"] == "phone") & (rules["consequent"] == "case")].iloc[0]
    assert r["support"] == pytest.approx(n_both / n)
    assert r["confidence"] == pytest.approx(n_both / n_phone)
    assert r["lift"] == pytest.approx((n_both / n_phone) / (n_case / n))
    assert r["antecedent_support"] == pytest.approx(n_phone / n)
    assert r["consequent_support"] == pytest.approx(n_case / n)
    assert rules["lift"].is_monotonic_decreasing
    assert rules.attrs["baskets"] == n
    # the planted pair leads the table in both directions (lift is symmetric); home and beauty
    # co-occur less than independence predicts (lift < 1)
    assert {tuple(x) for x in rules[["antecedent", "consequent"]].iloc[:2].to_numpy()} == {
        ("phone", "case"),
        ("case", "phone"),
    }
    assert rules["lift"].iloc[0] == pytest.approx(rules["lift"].iloc[1])
    n_home, n_beauty = counts["home"] + counts["home|beauty"], counts["beauty"] + counts["home|beauty"]
    assert (counts["home|beauty"] / n) / (n_home / n * n_beauty / n) < 1
    assert (rules.loc[rules["antecedent"].isin(["home", "beauty"]), "lift"] < 1).all()


def _brute_force(basket_list: list[frozenset[str]], min_support: float, min_conf: float) -> dict:
    n = len(basket_list)
    items = sorted(set().union(*basket_list))
    out = {}
    for a, c in itertools.permutations(items, 2):
        s_ac = sum(1 for b in basket_list if a in b and c in b) / n
        s_a = sum(1 for b in basket_list if a in b) / n
        s_c = sum(1 for b in basket_list if c in b) / n
        if s_ac >= min_support and s_a >= min_support and s_ac / s_a >= min_conf:
            out[(a, c)] = (s_ac, s_ac / s_a, s_ac / s_a / s_c)
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sets(st.sampled_from(list("abcde")), min_size=1, max_size=3), min_size=5, max_size=60),
    st.sampled_from([0.05, 0.1, 0.2]),
    st.sampled_from([0.0, 0.3, 0.6]),
)
def test_pair_rules_equal_a_brute_force_count(sets, min_support, min_conf):
    orders = pd.DataFrame({"customer_id": range(len(sets)), "basket": ["|".join(sorted(s)) for s in sets]})
    rules = baskets.association_rules(orders, min_support=min_support, min_confidence=min_conf, max_len=2)
    got = {(r.antecedent, r.consequent): (r.support, r.confidence, r.lift) for r in rules.itertuples(index=False)}
    want = _brute_force([frozenset(s) for s in sets], min_support, min_conf)
    assert set(got) == set(want)
    for key, values in want.items():
        assert got[key] == pytest.approx(values)


def test_basket_matrix_one_hot_duplicates_once_and_empty_baskets_counted():
    o = pd.DataFrame({"basket": ["b|a", "", "a|a", "c", " "]}, index=[10, 11, 12, 13, 14])
    m = baskets.basket_matrix(o)
    assert list(m.columns) == ["a", "b", "c"]
    assert list(m.index) == [10, 12, 13]
    assert m.to_numpy().tolist() == [[True, True, False], [True, False, False], [False, False, True]]
    assert m.attrs["empty_baskets"] == 2


def test_three_item_rules_and_thresholds():
    counts = {"a|b|c": 40, "a|b": 10, "c": 50}
    rules = baskets.association_rules(_orders(counts), min_support=0.3, min_confidence=0.5)
    r = rules[(rules["antecedent"] == "a|b") & (rules["consequent"] == "c")].iloc[0]
    assert r["support"] == pytest.approx(0.4) and r["confidence"] == pytest.approx(40 / 50)
    assert r["lift"] == pytest.approx(0.8 / 0.9)
    assert (rules["support"] >= 0.3).all() and (rules["confidence"] >= 0.5).all()
    pairs_only = baskets.association_rules(_orders(counts), min_support=0.3, min_confidence=0.5, max_len=2)
    assert not pairs_only["antecedent"].str.contains("|", regex=False).any()


def test_no_rule_gives_an_empty_table_with_the_columns():
    rules = baskets.association_rules(pd.DataFrame({"basket": ["a", "b", "c"]}), min_support=0.2)
    assert rules.empty
    assert list(rules.columns) == [
        "antecedent", "consequent", "antecedent_support", "consequent_support", "support", "confidence", "lift",
    ]  # fmt: skip


def test_interest_tags_count_lines_and_break_ties_alphabetically():
    o = pd.DataFrame(
        {
            "customer_id": [5, 5, 5, 5, 9, 9, 3],
            "basket": ["home|beauty", "beauty|toys", "home", "", "apparel|zebra", "zebra|apparel", "groceries"],
        }
    )
    tags = baskets.interest_tags(o, top=2)
    assert list(tags.index) == [3, 5, 9]
    assert tags.loc[5, ["tag_1", "tag_2", "tags", "lines"]].tolist() == ["beauty", "home", "beauty|home", 5]
    assert tags.loc[9, ["tag_1", "tag_2"]].tolist() == ["apparel", "zebra"]  # 2 lines each: alphabetical
    assert tags.loc[3, ["tag_1", "tag_2", "tags"]].tolist() == ["groceries", "", "groceries"]
    one = baskets.interest_tags(o, top=1)
    assert list(one.columns) == ["tag_1", "tags", "lines"]
    assert (one["tag_1"] == tags["tag_1"]).all()


def test_interest_tags_recover_planted_preferences():
    rng = np.random.default_rng(0)
    cats = ["apparel", "beauty", "electronics", "home"]
    favourite = {cid: cats[cid % 4] for cid in range(1, 201)}
    rows = []
    for cid, fav in favourite.items():
        for _ in range(12):
            rows.append((cid, fav if rng.random() < 0.6 else cats[rng.integers(4)]))
    tags = baskets.interest_tags(pd.DataFrame(rows, columns=["customer_id", "basket"]), top=1)
    hit = (tags["tag_1"] == pd.Series(favourite)).mean()
    assert hit > 0.9


def test_inputs_are_not_modified():
    o = _orders({"a|b": 3, "a": 2})
    before = o.copy()
    baskets.association_rules(o, min_support=0.1)
    baskets.interest_tags(o)
    pd.testing.assert_frame_equal(o, before)


def test_bad_baskets_are_refused_naming_table_column_and_rows():
    with pytest.raises(DataError) as err:
        baskets.basket_matrix(pd.DataFrame({"basket": ["a", None, "b"]}))
    assert (err.value.table, err.value.column, err.value.rows) == ("orders", "basket", [1])
    with pytest.raises(DataError, match="empty category") as err:
        baskets.basket_matrix(pd.DataFrame({"basket": ["a", "a||b"]}))
    assert err.value.rows == [1]
    with pytest.raises(DataError, match="must be text") as err:
        baskets.basket_matrix(pd.DataFrame({"basket": ["a", 3]}))
    assert err.value.rows == [1]
    with pytest.raises(DataError, match="catalogue"):
        baskets.association_rules(pd.DataFrame({"basket": ["", ""]}))
    with pytest.raises(DataError, match="missing column"):
        baskets.association_rules(pd.DataFrame({"category": ["a"]}))
    with pytest.raises(DataError) as err:
        baskets.interest_tags(pd.DataFrame({"customer_id": [1, "1"], "basket": ["a", "b"]}))
    assert err.value.column == "customer_id"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_support": 0}, "min_support=0"),
        ({"min_support": 1.5}, "min_support=1.5"),
        ({"min_confidence": -0.1}, "min_confidence"),
        ({"max_len": 1}, "max_len=1"),
        ({"column": ""}, "column="),
    ],
)
def test_bad_arguments_are_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        baskets.association_rules(_orders({"a|b": 2}), **kwargs)


def test_a_lattice_too_large_to_enumerate_is_refused_with_a_hint_and_pairs_still_work():
    """22 categories in every basket: 4e8 frequent itemsets; max_len=2 keeps it to 462 rules."""
    from sim.analysis.baskets import association_rules
    from sim.errors import ConfigError

    cats = [chr(97 + i) for i in range(22)]
    orders = pd.DataFrame({"basket": ["|".join(cats)] * 50})
    with pytest.raises(ConfigError, match="max_len"):
        association_rules(orders)
    assert len(association_rules(orders, max_len=2)) == 22 * 21
