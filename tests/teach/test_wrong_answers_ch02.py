"""Wrong-answer catalogue for chapter 02: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from catalogue import assert_complete, assert_wrong, catalogue_ids, notebook_functions

from sim.teach.tasks import get_task, grade

NOTEBOOK = "02_customer_data_foundation.ipynb"
THRESHOLD = 100_000
NAMESPACE = {"pd": pd, "np": np, "re": re, "duckdb": duckdb, "THRESHOLD": THRESHOLD}

# A notebook-like global a trainee might query instead of the argument.
orders_clean = pd.DataFrame({"source": ["web"], "order_ref": ["O-1"], "customer_ref": ["W-1"], "amount": [10.0],
                             "currency": ["CNY"], "review_flag": [False]})  # fmt: skip


# --------------------------------------------------------------------------- normalise_phone_us


def _digits(raw):
    if raw is None or pd.isna(raw):
        return None
    text = str(raw).strip()
    return re.sub(r"\D", "", text) if re.fullmatch(r"[\d\s\-+().]+", text) else None


def keeps_last_ten(raw):
    digits = _digits(raw)
    return "+1" + digits[-10:] if digits and len(digits) >= 10 else None


def any_eleven_digits(raw):
    digits = _digits(raw)
    if digits is None:
        return None
    digits = digits[2:] if digits.startswith("00") else digits
    if len(digits) == 10:
        return "+1" + digits
    return "+" + digits if len(digits) == 11 else None


def keeps_the_double_zero(raw):
    digits = _digits(raw)
    if digits is None:
        return None
    if len(digits) == 10:
        digits = "1" + digits
    return "+" + digits if len(digits) == 11 and digits.startswith("1") else None


def ignores_letters(raw):
    if raw is None or pd.isna(raw):
        return None
    digits = re.sub(r"\D", "", str(raw))
    digits = digits[2:] if digits.startswith("00") else digits
    digits = "1" + digits if len(digits) == 10 else digits
    return "+" + digits if len(digits) == 11 and digits.startswith("1") else None


def no_plus_sign(raw):
    digits = _digits(raw)
    if digits is None:
        return None
    digits = digits[2:] if digits.startswith("00") else digits
    digits = "1" + digits if len(digits) == 10 else digits
    return digits if len(digits) == 11 and digits.startswith("1") else None


def truth_test_for_missing(raw):
    if not raw:  # pd.NA has no truth value: a TypeError
        return None
    return keeps_the_double_zero(str(raw).replace("00 ", "", 1))


def na_stays_na(raw):
    if raw is None or pd.isna(raw):
        return raw
    return keeps_the_double_zero(raw) if not str(raw).strip().startswith("00") else "+" + _digits(raw)[2:]


# --------------------------------------------------------------------------- group_by_phone


def no_fill(records):
    return records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")


def smallest_ref(records):
    return records.groupby("phone_e164", sort=False)["customer_ref"].transform("min").fillna(records["customer_ref"])


def last_ref(records):
    return records.groupby("phone_e164", sort=False)["customer_ref"].transform("last").fillna(records["customer_ref"])


def missing_phones_together(records):
    key = records["phone_e164"].astype(object).where(records["phone_e164"].notna(), "none")
    return records.groupby(key, sort=False)["customer_ref"].transform("first")


def index_reset(records):
    first = records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return first.fillna(records["customer_ref"]).reset_index(drop=True)


def returns_the_phone(records):
    return records["phone_e164"].fillna(records["customer_ref"])


def as_a_list(records):
    first = records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return list(first.fillna(records["customer_ref"]))


# --------------------------------------------------------------------------- flag_orders_for_review


def at_or_above(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"] >= threshold)


def zero_one(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=(orders["amount"] > threshold).astype(int))


def changes_the_input(orders, threshold=THRESHOLD):
    orders["review_flag"] = orders["amount"] > threshold
    return orders


def drops_flagged(orders, threshold=THRESHOLD):
    return orders[~(orders["amount"] > threshold)].assign(review_flag=False)


def global_threshold(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"] > THRESHOLD)


def flags_missing(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=~(orders["amount"] <= threshold))


def flags_by_size(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"].abs() > threshold)


def only_the_flag(orders, threshold=THRESHOLD):
    return orders["amount"] > threshold


# --------------------------------------------------------------------------- revenue_by_channel_sql

_SELECT = """SELECT source AS channel, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                    sum(amount) AS revenue_cny FROM orders"""


def no_order_by(orders):
    return duckdb.sql(f"{_SELECT} WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source").df()


def ascending(orders):
    return duckdb.sql(f"{_SELECT} WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY 4").df()


def keeps_flagged(orders):
    return duckdb.sql(f"{_SELECT} WHERE amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC").df()


def counts_missing_amounts(orders):
    return duckdb.sql(f"{_SELECT} WHERE NOT review_flag GROUP BY source ORDER BY revenue_cny DESC").df()


def customers_not_distinct(orders):
    return duckdb.sql("""SELECT source AS channel, count(*) AS orders, count(customer_ref) AS customers,
                                sum(amount) AS revenue_cny FROM orders WHERE NOT review_flag AND amount IS NOT NULL
                         GROUP BY source ORDER BY revenue_cny DESC""").df()


def queries_the_global(orders):
    return duckdb.sql("""SELECT source AS channel, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                                sum(amount) AS revenue_cny FROM orders_clean
                         WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC""").df()


def pandas_without_names(orders):
    ok = orders[~orders["review_flag"] & orders["amount"].notna()]
    return ok.groupby("source").agg(orders=("order_ref", "size"), customers=("customer_ref", "nunique"),
                                    revenue_cny=("amount", "sum")).sort_values("revenue_cny", ascending=False)  # fmt: skip


# --------------------------------------------------------------------------- mask_email_address


def stars_as_long_as_the_name(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}{'*' * (len(user) - 1)}@{domain}" if at and user and domain else "***"


def no_strip(email):
    user, at, domain = str(email).partition("@")
    return f"{user[0]}***@{domain}" if at and user and domain else "***"


def last_at(email):
    user, at, domain = str(email).strip().rpartition("@")
    return f"{user[0]}***@{domain}" if at and user and domain else "***"


def two_characters(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[:2]}***@{domain}" if at and user and domain else "***"


def masks_the_domain(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}***@***" if at and user and domain else "***"


def split_unpack(email):
    user, domain = str(email).strip().split("@")
    return f"{user[0]}***@{domain}" if user and domain else "***"


def empty_for_invalid(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}***@{domain}" if at and user and domain else ""


WRONG = {
    "normalise_phone_us": [keeps_last_ten, any_eleven_digits, keeps_the_double_zero, ignores_letters, no_plus_sign,
                           truth_test_for_missing, na_stays_na],
    "group_by_phone": [no_fill, smallest_ref, last_ref, missing_phones_together, index_reset, returns_the_phone,
                       as_a_list],
    "flag_orders_for_review": [at_or_above, zero_one, changes_the_input, drops_flagged, global_threshold,
                               flags_missing, flags_by_size, only_the_flag],
    "revenue_by_channel_sql": [no_order_by, ascending, keeps_flagged, counts_missing_amounts, customers_not_distinct,
                               queries_the_global, pandas_without_names],
    "mask_email_address": [stars_as_long_as_the_name, no_strip, last_at, two_characters, masks_the_domain,
                           split_unpack, empty_for_invalid],
}  # fmt: skip


def test_catalogue_covers_every_task_of_the_notebook():
    assert_complete(WRONG, notebook_functions(NOTEBOOK, NAMESPACE))


@pytest.mark.parametrize(("name", "wrong"), catalogue_ids(WRONG), ids=lambda x: getattr(x, "__name__", x))
def test_wrong_answer_is_rejected(name, wrong):
    assert_wrong(get_task(name), wrong)


@pytest.mark.parametrize("name", list(WRONG))
def test_solution_passes_and_stub_is_a_stub(name):
    task = get_task(name)
    solution = notebook_functions(NOTEBOOK, NAMESPACE)[name]
    assert grade(task, solution).status == "correct", grade(task, solution).detail
    assert grade(task, notebook_functions(NOTEBOOK, NAMESPACE, stub=True)[name]).status == "stub"
