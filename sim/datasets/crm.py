"""Load the messy CRM extract and its answer key."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from sim.datasets._files import _dir, _read_text
from sim.datasets.recipe import CRM_SOURCES

__all__ = ["load_crm_extract", "load_crm_answer_key"]

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _raw_amount(v: str) -> object:
    """Plain numbers become floats (as read_csv would read them); anything else stays text."""
    if v == "":
        return np.nan
    return float(v) if _NUMBER.match(v) else v


def load_crm_extract(data_dir: str | Path | None = None) -> Bunch:
    """The messy CRM extract: the 2025 customers exported from web shop, stores and call centre.

    **Data card.** *Source*: the customers of :func:`load_retail` acquired in 2025 and their
    2025 orders, with synthetic contact details (fake names, phones in the reserved fictional
    range ``NXX-555-01XX``, e-mails at ``example.com`` / ``example.org``), exported from three
    channels, each with its own conventions, plus deliberate mess (seed :data:`CRM_SEED`):
    exact duplicate rows, the same person under several ids (one per channel, sometimes two
    in one channel) with typos, swapped name order and different phone formats, dates as
    ``2025-03-04`` / ``03/04/2025`` / ``20250304`` / ``Mar 4, 2025`` / ``2025年3月4日``,
    amounts in CNY, USD (``"US$17.39"``) or fen (POS, integer hundredths of a yuan),
    missing values written ``''`` / ``n/a`` / ``NULL`` / ``-`` / ``none``, unreadable phones,
    e-mails and dates, a few orders with three extra zeros (above 100 000 CNY), and a few
    genuine large B2B-style orders (20 000 to 800 000 CNY, right as recorded; not in
    :func:`load_retail`), so the 100 000 review rule flags both kinds.
    Every problem is recorded in :func:`load_crm_answer_key`.

    *Tables*: ``customers`` (source, customer_ref, name, phone, email, signup_date) and
    ``orders`` (source, order_ref, customer_ref, date, amount, currency), each the three
    channel files one after the other (web, pos, callcentre) with row labels 0, 1, ...
    *Size*: about 2 400 customer records (about 1 500 people) and 3 500 orders. *Files*:
    ``sim/datasets/data/crm_extract/{web,pos,callcentre}_{customers,orders}.csv``.

    Values are returned **raw**: text as in the file (an empty cell is missing; ``n/a``,
    ``NULL`` ... stay text, unlike ``pd.read_csv``'s default), except ``amount``, where
    plain numbers are floats and anything else (``"¥1,299.00"``, ``"n/a"``) stays text.

    Returns
    -------
    sklearn.utils.Bunch
        ``customers`` and ``orders``.

    Examples
    --------
    >>> crm = load_crm_extract()
    >>> list(crm.orders.columns)
    ['source', 'order_ref', 'customer_ref', 'date', 'amount', 'currency']
    >>> crm.customers.groupby("source", sort=False).head(1)[["source", "name", "phone", "signup_date"]]
              source            name             phone signup_date
    0            web     Tixko Pelko   +1 215-555-0159  2025-01-01
    1217         pos  RYTIXDAR KOWEN    (213) 555-0182  01/02/2025
    1974  callcentre     grifo  bazo  001 218 555 0179   2025年1月1日
    >>> crm.orders.groupby("source", sort=False).head(1)[["source", "customer_ref", "date", "amount", "currency"]]
              source customer_ref            date    amount currency
    0            web     W-000001      2025-01-01    247.75      CNY
    2043         pos      P000001      01/02/2025   32587.0      fen
    3019  callcentre     CC-00001  1 January 2025  US$81.23      USD
    """
    d = _dir(data_dir) / "crm_extract"
    out = {}
    for table in ("customers", "orders"):
        parts = []
        for source in CRM_SOURCES:
            df = _read_text(d / f"{source}_{table}.csv")
            df.insert(0, "source", source)
            parts.append(df)
        df = pd.concat(parts, ignore_index=True)
        df = df.astype("string").replace("", pd.NA) if table == "customers" else df
        if table == "orders":
            amount = pd.Series([_raw_amount(v) for v in df["amount"]], index=df.index, dtype=object)
            df = df.drop(columns="amount").astype("string").replace("", pd.NA)
            df.insert(4, "amount", amount)
        out[table] = df
    return Bunch(**out)


def load_crm_answer_key(data_dir: str | Path | None = None) -> Bunch:
    """The ground truth of the CRM extract's mess (for checking chapter 02's exercises).

    **Data card.** One row per row of :func:`load_crm_extract` (``row`` = its row label).
    ``customers``: source, customer_ref, master_customer_id (the ``customer_id`` of
    :func:`load_retail`: records with the same master are the same person),
    exact_duplicate_of (row label of the identical earlier row, or NA), name_true,
    phone_true (E.164), email_true, signup_date_true, issues. ``orders``: source,
    order_ref, customer_ref, master_customer_id, order_id (in :func:`load_retail`),
    exact_duplicate_of, date_true, amount_cny_true, amount_cny_recorded (what the record
    says, in CNY; NA if the amount is missing), review_flag_expected (recorded amount above
    100 000 CNY), issues. ``issues`` is a list of tags: name_typo, name_missing,
    phone_missing, phone_invalid, email_missing, email_invalid, date_unreadable,
    amount_outlier (a typo: three extra zeros), amount_missing, currency_missing, and
    bulk_order (not a problem: a genuine large order whose amount is right; its order_id is
    new, not in :func:`load_retail`). Formats (phone, date, currency
    spelling, name order) are not issues: normalising them recovers the true value.
    *Files*: ``sim/datasets/data/crm_answer_key/*.csv``.

    Returns
    -------
    sklearn.utils.Bunch
        ``customers`` and ``orders``; ``issues`` as lists of str, dates parsed.

    Examples
    --------
    >>> key = load_crm_answer_key()
    >>> kc = key.customers
    >>> person = kc.groupby("master_customer_id")["source"].nunique().idxmax()  # in all three channels
    >>> kc.loc[kc["master_customer_id"] == person, ["source", "customer_ref", "name_true", "phone_true"]]
              source customer_ref      name_true    phone_true
    457          web     W-000452  Pelmab Lemdar  +12065550125
    1220         pos      P000004  Pelmab Lemdar  +12065550125
    2053  callcentre     CC-00078  Pelmab Lemdar  +12065550125
    >>> bool(key.orders.loc[key.orders["review_flag_expected"], "amount_cny_recorded"].min() > 100_000)
    True
    """
    d = _dir(data_dir) / "crm_answer_key"
    out = {}
    for table in ("customers", "orders"):
        t = _read_text(d / f"{table}.csv")
        df = pd.DataFrame(index=t.index)
        for c in t.columns:
            s = t[c]
            if c in ("row", "master_customer_id", "order_id"):
                df[c] = s.astype("int64")
            elif c == "exact_duplicate_of":
                df[c] = pd.to_numeric(s.replace("", None)).astype("Int64")
            elif c in ("signup_date_true", "date_true"):
                df[c] = pd.to_datetime(s, format="%Y-%m-%d")
            elif c.startswith("amount_"):
                df[c] = pd.to_numeric(s.replace("", np.nan)).astype("float64")
            elif c == "review_flag_expected":
                df[c] = s.map({"True": True, "False": False}).astype(bool)
            elif c == "issues":
                df[c] = [v.split(";") if v else [] for v in s]
            else:
                df[c] = s.astype("string")
        out[table] = df.set_index("row", drop=False).rename_axis(None)
    return Bunch(**out)
