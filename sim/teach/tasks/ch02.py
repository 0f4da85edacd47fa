"""Tasks of chapter 02 (customer data foundation): phones, phone groups, review flags, SQL, masking.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``quality.normalise_phone``, ``quality.flag_outliers``,
``privacy.mask_email``). Realistic cases use the course's CRM extract (prepared here with the
package's cleaning functions); the hand-built cases hit every rule of each specification.

Examples
--------
>>> [t.name for t in TASKS]
['normalise_phone_us', 'group_by_phone', 'flag_orders_for_review', 'revenue_by_channel_sql', 'mask_email_address']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]

_THRESHOLD = 100_000


@lru_cache(maxsize=1)
def _extract() -> Any:
    from sim.datasets import load_crm_extract

    return load_crm_extract()


@lru_cache(maxsize=1)
def _orders_cny() -> pd.DataFrame:
    from sim.analysis import quality
    from sim.datasets import CRM_RATES

    return quality.standardise_currency(_extract().orders, rates=CRM_RATES)[0]


@lru_cache(maxsize=1)
def _orders_clean() -> pd.DataFrame:
    from sim.analysis import quality
    from sim.datasets import CRM_RATES

    return quality.clean(_extract().orders, key="order_ref", name_col=None, phone_col=None, email_col=None,
                         date_cols=("date",), dayfirst=False, rates=CRM_RATES, threshold=_THRESHOLD,
                         collapse=False).frame  # fmt: skip


@lru_cache(maxsize=1)
def _phone_records() -> pd.DataFrame:
    from sim.analysis import quality

    customers = _extract().customers
    phones, _ = quality.normalise_phones(customers, "phone", country_code="1", national_lengths=10)
    return customers[["customer_ref"]].assign(phone_e164=phones["phone"])


# --------------------------------------------------------------------------- normalise_phone_us


def _normalise_phone_us(raw: object) -> str | None:
    if raw is None or pd.isna(raw):
        return None
    text = str(raw).strip()
    if not re.fullmatch(r"[\d\s\-+().]+", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 10:
        digits = "1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    return None


_PHONE_CASES = [
    ("+1 209-555-0100", "a number with +1, spaces and dashes is readable"),
    ("(209) 555-0100", "a number with the area code in brackets is readable"),
    ("209.555.0100", "ten digits separated by dots are readable"),
    ("4155550123", "ten bare digits get the country code 1 in front"),
    ("1-209-555-0100", "eleven digits starting with 1 are complete"),
    ("001 209 555 0100", "a leading 00 (international prefix) is dropped"),
    ("  +1 (312) 555-0188 ", "surrounding spaces do not matter"),
    ("555-0100", "seven digits cannot be completed: unreadable"),
    ("209-555-010", "nine digits cannot be completed: unreadable"),
    ("22095550100", "eleven digits that do not start with 1 are unreadable"),
    ("0209 555 0100", "a single leading 0 is not the 00 prefix: eleven digits not starting with 1, unreadable"),
    ("109-555-0100", "ten digits get a 1 in front, even when they begin with 1"),
    ("+44 20 7946 0958", "twelve digits (a UK number) are unreadable, not cut to the last ten"),
    ("1 209 555 0100 7", "twelve digits starting with 1 are unreadable, not cut to the last ten"),
    ("n/a", "'n/a' is not a number: unreadable"),
    ("tel. 209-555-0100", "letters ('tel.') make a number unreadable"),
    (None, "None is missing: no number"),
    (pd.NA, "pd.NA (a missing cell in a string column) is missing: no number"),
    (np.nan, "NaN (a missing number) is missing: no number"),
]


def _phone_cases() -> list[Case]:
    cases = [Case(f"{raw!r}: {says}", ([raw],), each=True) for raw, says in _PHONE_CASES]
    phones = list(_extract().customers["phone"])
    return [*cases, Case(f"the {len(phones):,} phones of the CRM extract", (phones,), each=True)]


# --------------------------------------------------------------------------- group_by_phone


def _group_by_phone(records: pd.DataFrame) -> pd.Series:
    first = records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return first.fillna(records["customer_ref"])


def _records(refs: list[str], phones: list[Any], index: Any = None) -> pd.DataFrame:
    return pd.DataFrame({"customer_ref": refs, "phone_e164": phones}, index=index)


def _group_cases() -> list[Case]:
    a, b = "+12095550100", "+12185550179"
    return [
        Case(
            "rows sharing a phone get the ref of the *first* row in table order (not the smallest ref)",
            (_records(["W-9", "P-1", "C-5"], [a, a, a]),),
        ),
        Case("two phone groups, interleaved", (_records(["W-1", "P-7", "W-2", "P-9"], [a, b, b, a]),)),
        Case(
            "each row without a phone is its own group and keeps its own ref",
            (_records(["W-1", "C-3", "C-4", "P-2"], [a, None, None, a]),),
        ),
        Case("a single row without a phone", (_records(["C-8"], [None]),)),
        Case(
            "the row labels (index) of the input are kept",
            (_records(["W-1", "P-7", "C-3"], [b, None, b], index=[30, 10, 20]),),
        ),
        Case(
            "a string column with pd.NA for missing phones",
            (_records(["W-4", "P-4", "C-4"], [a, None, a]).astype("string"),),
        ),
        Case("the CRM extract's records with their normalised phones", (_phone_records(),)),
    ]


# --------------------------------------------------------------------------- flag_orders_for_review


def _flag_orders_for_review(orders: pd.DataFrame, threshold: float = _THRESHOLD) -> pd.DataFrame:
    return orders.assign(review_flag=orders["amount"] > threshold)


def _amounts(*amounts: float, index: Any = None) -> pd.DataFrame:
    refs = [f"O-{i}" for i in range(1, len(amounts) + 1)]
    return pd.DataFrame({"order_ref": refs, "amount": np.array(amounts, dtype=float), "currency": "CNY"}, index=index)


def _flag_cases() -> list[Case]:
    return [
        Case(
            "an amount equal to the threshold is not flagged; one cent above is",
            (_amounts(99_999.0, 100_000.0, 100_000.01, 250_000.0), 100_000),
        ),
        Case("a missing amount is kept and not flagged", (_amounts(np.nan, 120_000.0, 5.0), 100_000)),
        Case("threshold = 500: amounts around 500", (_amounts(499.0, 500.0, 501.0, 20_000.0), 500)),
        Case("threshold = 1 000 000: nothing in this table is above it", (_amounts(150_000.0, 999_999.0), 1_000_000)),
        Case("a refund (negative amount) is not flagged", (_amounts(-300_000.0, 300_000.0), 100_000)),
        Case(
            "the input's row labels (index) are kept, every row stays",
            (_amounts(10.0, 200_000.0, 30.0, index=[7, 3, 5]), 100_000),
        ),
        Case("an empty table still gets the review_flag column", (_amounts(), 100_000)),
        Case("threshold left out: its default is 100 000", (_amounts(20_000.0, 100_000.0, 100_000.5),)),
        Case("the CRM extract's orders in CNY, threshold = 100 000", (_orders_cny(), 100_000)),
        Case("the CRM extract's orders in CNY, threshold = 5 000", (_orders_cny(), 5_000)),
    ]


# --------------------------------------------------------------------------- revenue_by_channel_sql


_SQL_COLUMNS = ["channel", "orders", "customers", "revenue_cny"]


def _revenue_by_channel(orders: pd.DataFrame) -> pd.DataFrame:
    ok = orders[~orders["review_flag"].astype(bool) & orders["amount"].notna()]
    table = ok.groupby("source", sort=False).agg(
        orders=("order_ref", "size"), customers=("customer_ref", "nunique"), revenue_cny=("amount", "sum")
    )
    table = table.sort_values("revenue_cny", ascending=False, kind="stable").rename_axis("channel").reset_index()
    return table[_SQL_COLUMNS].astype({"orders": "int64", "customers": "int64", "revenue_cny": "float64"})


def _sql_orders(rows: list[tuple[str, str, float | None, bool]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["source", "customer_ref", "amount", "review_flag"])
    frame.insert(0, "order_ref", [f"O-{i}" for i in range(1, len(frame) + 1)])
    frame["amount"] = frame["amount"].astype(float)
    frame["currency"] = "CNY"
    return frame[["source", "order_ref", "customer_ref", "amount", "currency", "review_flag"]]


def _sql_cases() -> list[Case]:
    # Channels appear (and sort alphabetically) in *increasing* revenue, so only ORDER BY ... DESC passes.
    three = _sql_orders([
        ("callcentre", "C-1", 100.0, False), ("pos", "P-1", 300.0, False), ("pos", "P-2", 200.0, False),
        ("web", "W-1", 700.0, False), ("web", "W-1", 50.0, False),
    ])  # fmt: skip
    messy = _sql_orders([
        ("callcentre", "C-1", 10.0, False), ("callcentre", "C-2", None, False), ("pos", "P-1", 40.0, False),
        ("pos", "P-1", 150_000.0, True), ("web", "W-1", 90.0, False), ("web", "W-2", 20.0, False),
        ("web", "W-3", None, False),
    ])  # fmt: skip
    four = _sql_orders([
        ("callcentre", "C-1", 100.0, False), ("app", "A-1", 120.5, False), ("pos", "P-1", 300.0, False),
        ("web", "W-1", 700.0, False), ("app", "A-2", 0.25, False),
    ])  # fmt: skip
    return [
        Case("three channels: largest revenue first; a customer with two orders counts once", (three,)),
        Case("flagged orders and orders without an amount are left out (also from the counts)", (messy,)),
        Case("a single channel", (three[three["source"] == "pos"],)),
        Case("four channels, every one in the result", (four,)),
        Case("every order flagged: an empty table with the four columns", (three.assign(review_flag=True),)),
        Case("the CRM extract's cleaned orders", (_orders_clean(),)),
    ]


# --------------------------------------------------------------------------- mask_email_address


def _mask_email_address(email: object) -> str:
    user, at, domain = str(email).strip().partition("@")
    if not at or not user or not domain:
        return "***"
    return f"{user[0]}***@{domain}"


_EMAIL_CASES = [
    ("sulnu.pelnu.2@example.org", "a long user name still gets exactly three stars"),
    ("ab@example.com", "a two-letter user name still gets exactly three stars"),
    ("x@shop.cn", "a one-letter user name keeps its letter and gets three stars"),
    (" Ba.Zo.9@example.com ", "surrounding spaces are stripped; upper case is kept"),
    ("not an email", "text without an @ is not an address"),
    ("@example.com", "nothing before the @: not an address"),
    ("someone@", "nothing after the @: not an address"),
    ("a@b@example.com", "split at the *first* @: the rest is the domain"),
]


def _mask_cases() -> list[Case]:
    from sim.datasets import load_crm_answer_key

    cases = [Case(f"{raw!r}: {says}", ([raw],), each=True) for raw, says in _EMAIL_CASES]
    emails = load_crm_answer_key().customers["email_true"].dropna().head(300).tolist()
    return [*cases, Case(f"{len(emails)} e-mail addresses of the CRM answer key", (emails,), each=True)]


TASKS = [
    Task(
        "normalise_phone_us",
        _normalise_phone_us,
        _phone_cases,
        Expect("text"),
        "Missing first (pd.isna), then the allowed characters, then the digits: drop a leading 00; "
        "ten digits get a 1 in front; only eleven digits starting with 1 are complete.",
        forbidden=("sim.analysis.quality.formats.normalise_phone", "sim.analysis.quality.cleaning.normalise_phones"),
    ),
    Task(
        "group_by_phone",
        _group_by_phone,
        _group_cases,
        Expect("series"),
        "groupby('phone_e164', sort=False)['customer_ref'].transform('first'), then fill the rows without a "
        "phone with their own customer_ref; keep the input's index.",
    ),
    Task(
        "flag_orders_for_review",
        _flag_orders_for_review,
        _flag_cases,
        Expect("frame", bool_columns=("review_flag",)),
        "Strictly above the threshold; return a copy with a True/False column and every row (orders.assign(...)).",
        forbidden=("sim.analysis.quality.cleaning.flag_outliers",),
    ),
    Task(
        "revenue_by_channel_sql",
        _revenue_by_channel,
        _sql_cases,
        Expect("frame", order="largest revenue first", check_index=False),
        "Leave out flagged orders and missing amounts in WHERE, count DISTINCT customers, ORDER BY revenue DESC.",
    ),
    Task(
        "mask_email_address",
        _mask_email_address,
        _mask_cases,
        Expect("text"),
        "Strip spaces, split at the first @ (str.partition); first character + '***@' + domain, else '***'.",
        forbidden=("sim.analysis.privacy.mask_email",),
    ),
]
