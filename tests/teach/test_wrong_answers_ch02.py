"""Wrong-answer catalogue for chapter 02: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
from catalogue import chapter_tests

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


# =========================================================================== second review (issue 9 follow-up)
# Wrong answers found when the checks were attacked again; several passed the checks of that time
# (see the lead's note for issue 9). They join WRONG below.


def _digits(raw):
    if raw is None or pd.isna(raw):
        return None
    text = str(raw).strip()
    return re.sub(r"\D", "", text) if re.fullmatch(r"[\d\s\-+().]+", text) else None


# --------------------------------------------------------------------------- normalise_phone_us (second review)


def strips_every_zero(raw):
    d = _digits(raw)
    if d is None:
        return None
    d = d.lstrip("0")
    d = "1" + d if len(d) == 10 else d
    return "+" + d if len(d) == 11 and d.startswith("1") else None


def one_unless_starting_with_1(raw):
    d = _digits(raw)
    if d is None:
        return None
    d = d[2:] if d.startswith("00") else d
    if not d.startswith("1"):
        d = "1" + d
    return "+" + d if len(d) == 11 else None


def empty_text_for_unreadable(raw):
    d = _digits(raw)
    if d is None:
        return ""
    d = d[2:] if d.startswith("00") else d
    d = "1" + d if len(d) == 10 else d
    return "+" + d if len(d) == 11 and d.startswith("1") else ""


def nan_for_unreadable(raw):
    d = _digits(raw)
    if d is None:
        return np.nan
    d = d[2:] if d.startswith("00") else d
    d = "1" + d if len(d) == 10 else d
    return "+" + d if len(d) == 11 and d.startswith("1") else np.nan


def spaced_format(raw):
    d = _digits(raw)
    if d is None:
        return None
    d = d[2:] if d.startswith("00") else d
    d = "1" + d if len(d) == 10 else d
    return f"+1 {d[1:]}" if len(d) == 11 and d.startswith("1") else None


def digits_as_int(raw):
    d = _digits(raw)
    if d is None:
        return None
    d = d[2:] if d.startswith("00") else d
    d = "1" + d if len(d) == 10 else d
    return int(d) if len(d) == 11 and d.startswith("1") else None


def removes_first_00_anywhere(raw):
    if raw is None or pd.isna(raw):
        return None
    text = str(raw).strip()
    if not re.fullmatch(r"[\d\s\-+().]+", text):
        return None
    d = re.sub(r"\D", "", text).replace("00", "", 1)
    d = "1" + d if len(d) == 10 else d
    return "+" + d if len(d) == 11 and d.startswith("1") else None


def letters_allowed(raw):
    if raw is None or pd.isna(raw):
        return None
    d = re.sub(r"\D", "", str(raw))
    if not d:
        return None
    d = d[2:] if d.startswith("00") else d
    d = "1" + d if len(d) == 10 else d
    return "+" + d if len(d) == 11 and d.startswith("1") else None


# --------------------------------------------------------------------------- group_by_phone (second review)


def map_first_seen(records):
    first = records.drop_duplicates("phone_e164").set_index("phone_e164")["customer_ref"]
    return records["phone_e164"].map(first).fillna(records["customer_ref"])


def text_phone_key(records):
    key = records["phone_e164"].astype(str)
    return records.groupby(key, sort=False)["customer_ref"].transform("first")


def empty_text_for_missing(records):
    key = records["phone_e164"].fillna("")
    return records.groupby(key, sort=False)["customer_ref"].transform("first")


def forward_filled(records):
    first = records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return first.ffill().fillna(records["customer_ref"])


def sorted_by_label(records):
    r = records.sort_index()
    first = r.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return first.fillna(r["customer_ref"])


def group_column_added(records):
    records["group"] = records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return records["group"].fillna(records["customer_ref"])


def as_a_table(records):
    first = records.groupby("phone_e164", sort=False)["customer_ref"].transform("first")
    return records.assign(group=first.fillna(records["customer_ref"]))[["group"]]


def number_of_the_group(records):
    return records.groupby("phone_e164", sort=False, dropna=False).ngroup()


# --------------------------------------------------------------------------- flag_orders_for_review (second review)


def default_10_000(orders, threshold=10_000):
    return orders.assign(review_flag=orders["amount"] > threshold)


def rounded_amounts(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"].round() > threshold)


def flag_as_text(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=np.where(orders["amount"] > threshold, "yes", "no"))


def drops_missing_amounts(orders, threshold=THRESHOLD):
    kept = orders.dropna(subset=["amount"])
    return kept.assign(review_flag=kept["amount"] > threshold)


def flag_index_reset(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"] > threshold).reset_index(drop=True)


def sorted_by_amount(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"] > threshold).sort_values("amount", ascending=False)


def keeps_a_helper_column(orders, threshold=THRESHOLD):
    return orders.assign(over=orders["amount"] - threshold, review_flag=orders["amount"] > threshold)


def missing_as_zero(orders, threshold=THRESHOLD):
    out = orders.fillna({"amount": 0})
    return out.assign(review_flag=out["amount"] > threshold)


def other_name(orders, threshold=THRESHOLD):
    return orders.assign(flag=orders["amount"] > threshold)


def nullable_missing(orders, threshold=THRESHOLD):
    flag = (orders["amount"] > threshold).astype("boolean")
    flag[orders["amount"].isna()] = pd.NA
    return orders.assign(review_flag=flag)


# --------------------------------------------------------------------------- revenue_by_channel_sql (second review)


_S = """SELECT source AS channel, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                    sum(amount) AS revenue_cny FROM orders"""


def limit_three(orders):
    return duckdb.sql(
        f"{_S} WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC LIMIT 3"
    ).df()


def whole_yuan(orders):
    return duckdb.sql("""SELECT source AS channel, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                                CAST(floor(sum(amount)) AS BIGINT) AS revenue_cny FROM orders
                         WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC""").df()


def order_by_channel(orders):
    return duckdb.sql(f"{_S} WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY channel").df()


def order_by_orders(orders):
    return duckdb.sql(f"{_S} WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY orders DESC").df()


def filter_only_the_sum(orders):
    return duckdb.sql("""SELECT source AS channel, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                                sum(amount) FILTER (WHERE NOT review_flag) AS revenue_cny FROM orders
                         GROUP BY source ORDER BY revenue_cny DESC""").df()


def source_not_renamed(orders):
    return duckdb.sql("""SELECT source, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                                sum(amount) AS revenue_cny FROM orders
                         WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC""").df()


def average_not_sum(orders):
    return duckdb.sql("""SELECT source AS channel, count(*) AS orders, count(DISTINCT customer_ref) AS customers,
                                avg(amount) AS revenue_cny FROM orders
                         WHERE NOT review_flag AND amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC""").df()


def only_flagged(orders):
    return duckdb.sql(f"{_S} WHERE review_flag AND amount IS NOT NULL GROUP BY source ORDER BY revenue_cny DESC").df()


def fills_missing_in_the_input(orders):
    orders["amount"] = orders["amount"].fillna(0.0)
    return duckdb.sql(f"{_S} WHERE NOT review_flag GROUP BY source ORDER BY revenue_cny DESC").df()


# --------------------------------------------------------------------------- mask_email_address (second review)


def lower_cased(email):
    user, at, domain = str(email).strip().lower().partition("@")
    return f"{user[0]}***@{domain}" if at and user and domain else "***"


def none_for_invalid(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}***@{domain}" if at and user and domain else None


def four_stars(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}****@{domain}" if at and user and domain else "***"


def no_at_sign(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}***{domain}" if at and user and domain else "***"


def keeps_last_letter(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}***{user[-1]}@{domain}" if at and user and domain else "***"


def short_names_invalid(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[0]}***@{domain}" if at and len(user) > 1 and domain else "***"


def no_check_for_empty_user(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user[:1]}***@{domain}" if at else "***"


def regex_last_at(email):
    m = re.fullmatch(r"\s*(.).*@(.+?)\s*", str(email))
    return f"{m[1]}***@{m[2]}" if m and m[1] != "@" else "***"


def splits_on_dot(email):
    user, at, domain = str(email).strip().partition("@")
    return f"{user.split('.')[0]}***@{domain}" if at and user and domain else "***"


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

# --------------------------------------------------------------------------- the package's own versions (second review)


def uses_package_normaliser(raw):
    from sim.analysis.quality.formats import normalise_phone

    return normalise_phone(raw, country_code="1", national_lengths=10)


def uses_package_flagger(orders, threshold=THRESHOLD):
    from sim.analysis import quality

    return quality.flag_outliers(orders, "amount", threshold=threshold)[0]


def uses_package_masker(email):
    from sim.analysis import privacy

    return privacy.mask_email(email)


SECOND_REVIEW = {
    "normalise_phone_us": [strips_every_zero, one_unless_starting_with_1, empty_text_for_unreadable, nan_for_unreadable,
                           spaced_format, digits_as_int, removes_first_00_anywhere, letters_allowed,
                           uses_package_normaliser],
    "group_by_phone": [map_first_seen, text_phone_key, empty_text_for_missing, forward_filled, sorted_by_label,
                       group_column_added, as_a_table, number_of_the_group],
    "flag_orders_for_review": [default_10_000, rounded_amounts, flag_as_text, drops_missing_amounts, flag_index_reset,
                               sorted_by_amount, keeps_a_helper_column, missing_as_zero, other_name, nullable_missing,
                               uses_package_flagger],
    "revenue_by_channel_sql": [limit_three, whole_yuan, order_by_channel, order_by_orders, filter_only_the_sum,
                               source_not_renamed, average_not_sum, only_flagged, fills_missing_in_the_input],
    "mask_email_address": [lower_cased, none_for_invalid, four_stars, no_at_sign, keeps_last_letter,
                           short_names_invalid, no_check_for_empty_user, regex_last_at, splits_on_dot,
                           uses_package_masker],
}  # fmt: skip

WRONG = {name: [*funcs, *SECOND_REVIEW.get(name, [])] for name, funcs in WRONG.items()}


# =========================================================================== other correct ways
# Correct answers written differently (numpy bools, nullable dtypes, pandas instead of SQL, other idioms): the
# checks must not be stricter than the spec.


def phone_step_by_step(raw):
    if raw is None or raw is pd.NA or (isinstance(raw, float) and np.isnan(raw)):
        return None
    text = str(raw).strip()
    if not text or any(not (ch.isdigit() or ch.isspace() or ch in "+-().") for ch in text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    digits = digits.removeprefix("00")
    if len(digits) == 10:
        return "+1" + digits
    return "+" + digits if len(digits) == 11 and digits[0] == "1" else None


def phone_with_one_regex(raw):
    if pd.isna(raw) or not re.fullmatch(r"[\d\s\-+().]+", str(raw).strip()):
        return None
    match = re.fullmatch(r"(?:00)?1?(\d{10})", re.sub(r"\D", "", str(raw)))
    digits = re.sub(r"\D", "", str(raw)).removeprefix("00")
    return "+1" + match[1] if match and len(digits) in (10, 11) and (len(digits) == 10 or digits[0] == "1") else None


def group_with_default_sort(records):
    first = records.groupby("phone_e164")["customer_ref"].transform("first")
    return first.fillna(records["customer_ref"])


def group_with_a_dict(records):
    seen = {}
    out = []
    for ref, phone in zip(records["customer_ref"], records["phone_e164"], strict=True):
        out.append(ref if pd.isna(phone) else seen.setdefault(phone, ref))
    return pd.Series(out, index=records.index)


def flag_with_numpy_where(orders, threshold=THRESHOLD):
    out = orders.copy()
    out["review_flag"] = np.where(orders["amount"] > threshold, True, False)
    return out


def flag_nullable_boolean(orders, threshold=THRESHOLD):
    return orders.assign(review_flag=orders["amount"].gt(threshold).astype("boolean"))


def sql_in_pandas(orders):
    ok = orders[~orders["review_flag"] & orders["amount"].notna()]
    out = ok.groupby("source", as_index=False).agg(
        orders=("order_ref", "size"), customers=("customer_ref", "nunique"), revenue_cny=("amount", "sum")
    )
    return out.rename(columns={"source": "channel"}).sort_values("revenue_cny", ascending=False, ignore_index=True)


def sql_other_column_order(orders):
    return duckdb.sql("""SELECT sum(amount) AS revenue_cny, source AS channel, count(DISTINCT customer_ref) AS customers,
                                count(amount) AS orders FROM orders
                         WHERE review_flag = false AND amount IS NOT NULL GROUP BY ALL ORDER BY 1 DESC""").df()


def mask_with_regex(email):
    match = re.fullmatch(r"([^@])[^@]*@(.+)", str(email).strip())
    return f"{match[1]}***@{match[2]}" if match else "***"


def mask_with_split(email):
    text = str(email).strip()
    if "@" not in text:
        return "***"
    user, domain = text.split("@", 1)
    return user[0] + "***@" + domain if user and domain else "***"


RIGHT = {
    "normalise_phone_us": [phone_step_by_step, phone_with_one_regex],
    "group_by_phone": [group_with_default_sort, group_with_a_dict],
    "flag_orders_for_review": [flag_with_numpy_where, flag_nullable_boolean],
    "revenue_by_channel_sql": [sql_in_pandas, sql_other_column_order],
    "mask_email_address": [mask_with_regex, mask_with_split],
}


# the five tests every chapter runs (see catalogue.chapter_tests)
globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
