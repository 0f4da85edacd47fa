"""Tests of sim.analysis.quality on a hand-built messy CRM extract whose problems are known.

Every problem below was planted on purpose; the report must find exactly these, and the
cleaning must log every change and account for every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import quality as Q
from sim.errors import DataError


@pytest.fixture
def messy() -> pd.DataFrame:
    rows = [
        # id  name          phone               email                     date          amount     currency
        (101, "Zhang Wei", "+8613800138000", "zhang.wei@example.com", "2025-01-05", 1200.0, "CNY"),  # 0
        (102, "Li Na", "+8613900001111", "li.na@example.com", "2025-01-06", 350.0, "CNY"),  # 1
        (102, "Li Na", "+8613900001111", "li.na@example.com", "2025-01-06", 350.0, "CNY"),  # 2 exact copy of 1
        (103, "zhang  wei", "138-0013-8000", None, "2025/01/07", 80.0, "rmb"),  # 3 = 101 (phone), formats
        (104, "Wang Fang", "+8613700002222", "wang.fang@example.com", "2025-01-08", 250_000.0, "CNY"),  # 4 outlier
        (105, "Chen Jie", "n/a", "chen.jie@example.com", "08/01/2025", 99.5, "USD"),  # 5 other currency
        (
            106,
            "Liu Yang",
            "+8613600003333",
            " Liu.Yang@Example.com",
            "2025-01-09",
            "1,500",
            "CNY",
        ),  # 6 e-mail/amount format
        (107, "Yang Liu", "+8613500004444", "liu.yang@example.com", "2025-01-10", 40.0, "CNY"),  # 7 = 106 (e-mail)
        (108, "Zhao Min", "12345", "zhao.min@example", "not a date", 100_000.0, "CNY"),  # 8 invalid; 100 000 not "over"
        (109, "Sun Li", "+8613300005555", "", "2025-01-12", 150_000.0, "CNY"),  # 9 outlier, '' e-mail
        (
            110,
            "Zhou Xun",
            "+8613800138000",
            "zhou.xun@example.com",
            "2025-01-13",
            60.0,
            "CNY",
        ),  # 10 shares 101's phone only
        (111, "Zhang Wei", "+8613911112222", "zw2@example.com", "2025-01-14", 70.0, "CNY"),  # 11 namesake of 101
    ]
    return pd.DataFrame(rows, columns=["customer_id", "name", "phone", "email", "date", "amount", "currency"]).astype(
        {"amount": object}
    )


EXPECTED = {
    "exact_duplicates": [2],
    "amount_over_threshold": [4, 9],
    "invalid_amounts": [],
    "amount_format": [6],
    "phone_format": [3],
    "phone_invalid": [8],
    "email_format": [6],
    "email_invalid": [8],
    "date_format": [3, 5],
    "date_invalid": [8],
    "currency_format": [3],
    "non_base_currency": [5],
    "missing_values": [3, 5, 9],
}


def test_report_finds_exactly_the_planted_problems(messy):
    rep = Q.quality_report(messy)
    assert rep.n_rows == 12
    for check, rows in EXPECTED.items():
        assert rep.rows(check) == rows, check
    assert rep.count("missing_values") == 3  # three cells: email of 3, phone of 5, email of 9
    pairs = {(a, b) for a, b in zip(rep.fuzzy_duplicates["key_a"], rep.fuzzy_duplicates["key_b"])}
    assert pairs == {(101, 103), (106, 107)}  # not 101~110 (phone only), not 101~111 (name only)
    assert rep.count("fuzzy_duplicate_pairs") == 2
    assert rep.exact_duplicates.to_dict("list") == {"row": [2], "duplicate_of": [1]}
    assert list(rep.outliers.index) == [4, 9]  # flagged; nothing is removed from the input
    assert len(messy) == 12
    assert rep.missing.loc["email", "missing"] == 2 and rep.missing.loc["phone", "missing"] == 1


def test_scorecard_by_hand(messy):
    card = Q.quality_report(messy).scorecard
    assert card.loc["email", "completeness"] == pytest.approx(10 / 12)
    assert card.loc["email", "validity"] == pytest.approx(9 / 10)  # 'zhao.min@example' fails
    assert card.loc["phone", "validity"] == pytest.approx(10 / 11)  # '12345' fails
    assert card.loc["date", "validity"] == pytest.approx(11 / 12)
    assert card.loc["customer_id", "uniqueness"] == pytest.approx(11 / 12)
    assert np.isnan(card.loc["name", "validity"])  # no rule for names


def test_threshold_in_base_currency_with_rates():
    df = pd.DataFrame({"amount": [20_000.0, 20_000.0, 100_001.0], "currency": ["USD", "CNY", "CNY"]})
    rep = Q.quality_report(
        df, key=None, name_col=None, phone_col=None, email_col=None, date_cols=(), rates={"USD": 7.2}
    )
    assert rep.rows("amount_over_threshold") == [0, 2]  # 144 000 CNY and 100 001 CNY
    rep = Q.quality_report(
        df, key=None, name_col=None, phone_col=None, email_col=None, date_cols=(), threshold=150_000, rates={"USD": 7.2}
    )
    assert rep.rows("amount_over_threshold") == []


def _same(old, new) -> bool:
    if (old is None or (isinstance(old, float) and np.isnan(old))) and pd.isna(new):
        return True
    if isinstance(new, pd.Timestamp):
        return isinstance(old, str) and pd.Timestamp(old) == new
    if isinstance(new, (float, int, np.floating)) and isinstance(old, (float, int)):
        return float(old) == float(new)
    return str(old) == str(new)


def test_clean_logs_every_change_and_reconciles_rows(messy):
    res = Q.clean(messy, rates={"USD": 7.2}, dayfirst=False)
    out, log, counts = res.frame, res.log, res.counts
    # rows: 12 in, 1 exact copy removed, 2 duplicate customers collapsed -> 9 out, each removal logged
    assert (counts["rows_in"], counts["exact_duplicates_removed"], counts["rows_collapsed"], counts["rows_out"]) == (
        12,
        1,
        2,
        9,
    )
    assert len(out) == 9
    removed = set(messy.index) - set(out.index)
    assert removed == {2, 3, 7}
    row_rules = log[log["column"] == "<row>"].set_index("row")["rule"].to_dict()
    assert row_rules == {2: "exact_duplicate_removed", 3: "row_collapsed", 7: "row_collapsed"}
    assert res.mapping.to_dict() == {103: 101, 107: 106}
    # every cell that differs between input and output has a log line whose last 'new' is the output value
    for i in out.index:
        for col in messy.columns:
            old, new = messy.at[i, col], out.at[i, col]
            lines = log[(log["row"] == i) & (log["column"] == col)]
            if not _same(old, new):
                assert len(lines), f"unlogged change at row {i}, column {col}: {old!r} -> {new!r}"
                assert _same(lines["new"].iloc[-1], new), (i, col)
    # flagged, not dropped: both large orders are still there
    assert out.loc[[4, 9], "review_flag"].all() and not out["review_flag"].drop([4, 9]).any()
    assert out.loc[8, "amount"] == 100_000
    # specific cleaning results
    assert out.loc[0, "phone"] == "+8613800138000"
    assert pd.isna(out.loc[5, "phone"]) and out.loc[8, "phone"] == "12345"  # unreadable: kept, logged
    assert out.loc[6, "email"] == "liu.yang@example.com"
    assert out.loc[5, "amount"] == pytest.approx(99.5 * 7.2) and set(out["currency"]) == {"CNY"}
    assert out.loc[6, "amount"] == 1500.0
    assert out.loc[5, "date"] == pd.Timestamp("2025-08-01")
    assert pd.isna(out.loc[8, "date"])
    assert ((log["row"] == 8) & (log["rule"] == "date_unparseable")).sum() == 1
    assert out.loc[0, "email"] == "zhang.wei@example.com"  # master keeps its own values
    conflicts = log[(log["rule"] == "conflict_master_kept") & (log["row"] == 3)]
    assert set(conflicts["column"]) == {"name", "date", "amount"}  # row 3's other values are logged
    assert counts["flagged_over_threshold"] == 2 and counts["customers_merged"] == 2


def test_cleaning_then_reporting_leaves_only_the_unfixable(messy):
    res = Q.clean(messy, rates={"USD": 7.2}, dayfirst=False)
    rep = Q.quality_report(res.frame, currency_col="currency")
    assert rep.count("exact_duplicates") == 0 and rep.count("fuzzy_duplicate_pairs") == 0
    assert rep.rows("phone_format") == [] and rep.rows("email_format") == [] and rep.rows("date_format") == []
    assert rep.rows("phone_invalid") == [8] and rep.rows("email_invalid") == [8]  # kept for a human to fix
    assert rep.rows("amount_over_threshold") == [4, 9]


def test_steps_one_by_one():
    phones = pd.DataFrame(
        {
            "phone": [
                "138 0013 8000",
                "(+86) 139-0000-1111",
                "0086 13700002222",
                "013600003333",
                "+1 415 555 0100",
                "13800138000x",
                None,
            ]
        }
    )
    out, log = Q.normalise_phones(phones)
    assert out["phone"].tolist()[:5] == [
        "+8613800138000",
        "+8613900001111",
        "+8613700002222",
        "+8613600003333",
        "+14155550100",
    ]
    assert out["phone"].iloc[5] == "13800138000x" and pd.isna(out["phone"].iloc[6])
    assert log["rule"].tolist() == ["phone_normalised"] * 5 + ["phone_unreadable_kept"]

    dates = pd.DataFrame({"d": ["03/04/2025", "2025年12月1日", "20250102", "31/02/2025"]})
    with pytest.raises(DataError, match=r"'d'.*dayfirst"):  # 03/04/2025 is ambiguous: the caller must say
        Q.parse_dates(dates, "d")
    us, log_us = Q.parse_dates(dates, "d", dayfirst=False)
    eu, _ = Q.parse_dates(dates, "d", dayfirst=True)
    assert us["d"].iloc[0] == pd.Timestamp("2025-03-04") and eu["d"].iloc[0] == pd.Timestamp("2025-04-03")
    assert us["d"].iloc[1] == pd.Timestamp("2025-12-01") and us["d"].iloc[2] == pd.Timestamp("2025-01-02")
    assert pd.isna(us["d"].iloc[3]) and len(us) == 4
    assert log_us.set_index("row")["rule"].to_dict() == {
        0: "date_reformatted",
        1: "date_reformatted",
        2: "date_reformatted",
        3: "date_unparseable",
    }

    money = pd.DataFrame({"amount": ["¥1,200", "$30", "12 EUR", "abc"], "currency": [None, None, "eur", "CNY"]})
    out, log = Q.standardise_currency(money, rates={"USD": 7.0, "EUR": 8.0})
    assert out["amount"].tolist()[:3] == [1200.0, 210.0, 96.0] and np.isnan(out["amount"].iloc[3])
    assert len(out) == 4 and ((log["row"] == 3) & (log["rule"] == "amount_unparseable")).sum() == 1

    assert Q.normalise_name("Zhang-Wei") == Q.normalise_name("wei zhang")
    assert Q.normalise_name("José  Núñez") == "jose nunez"


def test_wrong_input_names_the_column(messy):
    with pytest.raises(DataError, match="telephone"):
        Q.quality_report(messy, phone_col="telephone")
    with pytest.raises(DataError, match="column 'currency'.*XYZ"):
        Q.standardise_currency(messy.assign(currency="XYZ"))
    with pytest.raises(DataError, match="column 'currency'.*USD"):
        Q.clean(messy, dayfirst=False)  # a USD row but no exchange rate
    with pytest.raises(DataError, match="column 'customer_id'"):
        Q.deduplicate(messy.assign(customer_id=[None] + list(messy["customer_id"][1:])))
    with pytest.raises(DataError, match="column 'amount'"):
        Q.flag_outliers(messy)  # '1,500' is text: standardise first
    with pytest.raises(DataError, match="records"):
        Q.quality_report("not a frame")
    with pytest.raises(DataError, match="column 'currency'.*USD"):
        Q.quality_report(messy, rates={"EUR": 7.8})  # threshold in CNY needs the USD rate
    with pytest.raises(DataError, match="unique"):
        Q.quality_report(pd.concat([messy, messy]))  # row labels name rows in the logs


def test_fuzzy_duplicates_tolerate_a_missing_name():
    """Regression: a record without a name that shares a phone with another record."""
    from sim.analysis.quality import find_duplicate_customers

    df = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "name": ["Lina Zhou", None, "Lina Zhou"],
            "phone": ["+1 212 555 0101", "212-555-0101", "212.555.0101"],
            "email": [None, None, "lz@example.com"],
        }
    )
    out = find_duplicate_customers(
        df,
        key="customer_id",
        name_col="name",
        phone_col="phone",
        email_col="email",
        country_code="1",
        national_lengths=10,
    )
    pairs = set(zip(out["key_a"], out["key_b"]))
    assert (1, 3) in pairs  # same phone, same name
    assert not any(2 in p for p in pairs)  # a phone alone, no name to confirm: not merged
