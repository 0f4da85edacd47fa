"""Tests of sim.analysis.privacy: keyed pseudonyms, masks, minimisation, regulation table."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from sim.analysis import privacy as P
from sim.errors import ConfigError, DataError


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [101, 102, 103, 104],
            "name": ["Zhang Wei", "李娜", "Wang Fang", None],
            "phone": ["+8613800138000", "+8613900001111", "+8613700002222", "+8613600003333"],
            "Email": ["zhang.wei@example.com", "li.na@example.com", None, "x@example.com"],
            "channel": ["search", "social", "referral", "search"],
            "amount": [120.0, 35.5, 80.0, 10.0],
        }
    )


def test_pseudonyms_are_stable_keyed_and_match_hmac(customers):
    ids = customers["customer_id"]
    a = P.pseudonymise(ids, salt="salt-A")
    assert a.equals(P.pseudonymise(ids, salt="salt-A"))  # stable
    b = P.pseudonymise(ids, salt="salt-B")
    assert not (a == b).any()  # another key, other pseudonyms
    assert a.is_unique and a.index.equals(ids.index) and a.name == "customer_id"
    # independent check with the standard library: HMAC-SHA256(key, "101"), first 16 hex characters
    assert a.iloc[0] == hmac.new(b"salt-A", b"101", hashlib.sha256).hexdigest()[:16]
    # not the unkeyed hash (which anyone could recompute from a guess)
    assert a.iloc[0] != hashlib.sha256(b"101").hexdigest()[:16]
    # 101 stored as a float (after a merge with NaN) joins to the same pseudonym; NaN stays missing
    c = P.pseudonymise(pd.Series([101.0, np.nan]), salt="salt-A")
    assert c.iloc[0] == a.iloc[0] and pd.isna(c.iloc[1])
    assert P.pseudonymise(ids, salt="salt-A", length=8, prefix="c_").str.len().eq(10).all()


def test_salt_is_required(customers):
    for bad in ("", b"", None):
        with pytest.raises(ConfigError, match="salt is empty"):
            P.pseudonymise(customers["customer_id"], salt=bad)
    with pytest.raises(ConfigError, match="length"):
        P.pseudonymise(customers["customer_id"], salt="k", length=100)
    with pytest.raises(DataError):
        P.pseudonymise([1, 2], salt="k")


def test_masks():
    assert P.mask_phone("13800138000") == "138****8000"
    assert P.mask_phone("138 0013 8000") == "138 **** 8000"
    assert P.mask_phone("1234567") == "*******"  # too short to show anything
    assert P.mask_email("li.na@example.com") == "l***@example.com"
    assert P.mask_email("@example.com") == "***"
    assert P.mask_name("李娜") == "李*" and P.mask_name("Wang Fang") == "W*** F***"
    s = P.mask_phone(pd.Series(["13800138000", None]))
    assert s.iloc[0] == "138****8000" and pd.isna(s.iloc[1])
    # no mask reveals the full value
    for raw, masked in [
        ("13912345678", P.mask_phone("13912345678")),
        ("Zhang Wei", P.mask_name("Zhang Wei")),
        ("zw@x.cn", P.mask_email("zw@x.cn")),
    ]:
        assert raw != masked and "*" in masked


def test_minimise_leaves_no_raw_identifier(customers):
    out, report = P.minimise(customers, pseudonymise_cols=["customer_id"], salt="k")
    assert set(out.columns) == {"customer_id", "channel", "amount"}
    assert report.set_index("column")["action"].to_dict() == {
        "name": "dropped",
        "phone": "dropped",
        "Email": "dropped",
        "customer_id": "pseudonymised",
    }
    assert report.set_index("column").loc["name", "non_missing"] == 3
    cells = {str(v) for c in out.columns for v in out[c]}
    contact = {str(v) for c in ("name", "phone", "Email") for v in customers[c].dropna()}
    assert not any(r in cell for r in contact for cell in cells)  # not even as a substring
    assert not {str(v) for v in customers["customer_id"]} & cells  # ids replaced
    assert out["amount"].equals(customers["amount"])  # analysis columns untouched
    assert len(out) == len(customers)


def test_minimise_wrong_input_names_the_column(customers):
    with pytest.raises(DataError, match="wechat"):
        P.minimise(customers, identifiers=["name", "wechat"])
    with pytest.raises(ConfigError, match="salt"):
        P.minimise(customers, pseudonymise_cols=["customer_id"])
    with pytest.raises(DataError, match="phone"):
        P.minimise(customers, identifiers=["phone"], pseudonymise_cols=["phone"], salt="k")


def test_regulation_table_is_complete_and_says_it_is_not_advice():
    t = P.regulation_table()
    assert list(t.columns) == ["GDPR (EU)", "CCPA/CPRA (California)", "PIPL (China)"]
    assert {"scope", "consent_and_legal_basis", "individual_rights", "cross_border_transfer", "penalties"} <= set(
        t.index
    )
    assert t.notna().all().all() and (t.map(len) > 40).all().all()
    assert "not legal advice" in t.attrs["disclaimer"]
    assert "4%" in t.loc["penalties", "GDPR (EU)"] and "5%" in t.loc["penalties", "PIPL (China)"]
