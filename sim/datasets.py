"""Bundled datasets: a clean retail customer base and a messy CRM extract, both simulated.

Everything in the repository's ``datasets/`` folder is made here, from the simulator with
fixed seeds, and read back by the ``load_*`` functions (sklearn / lifelines style):

* :func:`load_retail` — the firm's view of a retail customer base (customers, orders,
  tickets, surveys, contacts; observed columns only), and :func:`load_retail_truth` — the
  matching ground truth (``true_*`` columns per customer and order, latent events) for
  instructors;
* :func:`load_crm_extract` — the same customers (those who signed up in 2025) exported from
  three channels (web shop, stores / POS, call centre) with the mess every CRM export has:
  exact and fuzzy duplicates, mixed phone / date formats, CNY vs USD vs fen, missing values,
  invalid entries and orders above 100 000; :func:`load_crm_answer_key` — the ground truth of
  that mess (which record is which customer, which values were corrupted, the true values).

:func:`build_datasets` regenerates every file (``retention-lab datasets build``) and writes a
``CHECKSUMS.sha256`` manifest; :func:`check_datasets` rebuilds into a temporary folder and
lists the files that differ from the committed ones, so the data never drift from the code.
The recipe (scenario, policy, sizes, seeds, rates) is in the module constants below and in
``datasets/README.md``, which also documents every column.

Which library does the work: the simulator (:func:`sim.run`) makes the customer base; numpy's
``Generator`` (seeded) draws the synthetic PII and the mess; pandas writes and reads the CSV
files; :mod:`hashlib` computes the checksums; :class:`sklearn.utils.Bunch` holds the tables.
Hand-written, because it is the content itself: the fake-name syllables, the phone and date
formats of each channel and the corruption rules.

All personal data are synthetic: names are built from a list of 16 made-up syllables, phone
numbers are in the North American range reserved for fiction (``NXX-555-0100`` to
``NXX-555-0199``), e-mail addresses are at ``example.com`` / ``example.org`` (RFC 2606).

Examples
--------
>>> from sim.datasets import load_retail, load_crm_extract
>>> retail = load_retail()
>>> sorted(retail)
['contacts', 'customers', 'orders', 'surveys', 'tickets']
>>> crm = load_crm_extract()
>>> crm.customers["source"].unique().tolist()
['web', 'pos', 'callcentre']
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from sim.dictionary import TABLES, observed_columns

__all__ = [
    "RETAIL_SCENARIO",
    "RETAIL_POLICY",
    "RETAIL_CUSTOMERS",
    "RETAIL_DAYS",
    "RETAIL_SEED",
    "CRM_SEED",
    "CRM_SIGNUP_BEFORE",
    "CRM_RATES",
    "CRM_COUNTRY_CODE",
    "CRM_NATIONAL_LENGTHS",
    "REVIEW_THRESHOLD",
    "CRM_SOURCES",
    "MANIFEST",
    "datasets_dir",
    "build_datasets",
    "check_datasets",
    "file_checksums",
    "read_manifest",
    "load_retail",
    "load_retail_truth",
    "load_crm_extract",
    "load_crm_answer_key",
    "issue_mask",
    "score_merges",
    "duplicate_identities",
]

# --------------------------------------------------------------------------- the recipe
#: Scenario preset of the retail customer base.
RETAIL_SCENARIO = "baseline"
#: Policy preset (VIP care produces contacts and tier snapshots).
RETAIL_POLICY = "vip_care"
#: Paid customers acquired over the horizon (referrals come on top).
RETAIL_CUSTOMERS = 3000
#: Horizon in days (two years from the scenario's start date, 2025-01-01).
RETAIL_DAYS = 730
#: Seed of the simulation run.
RETAIL_SEED = 2025
#: Seed of the synthetic PII and of the mess in the CRM extract.
CRM_SEED = 2026
#: The CRM extract holds the customers acquired before this date and their orders before it.
CRM_SIGNUP_BEFORE = "2026-01-01"
#: Exchange rates used in the extract: CNY per unit (USD at the export day's rate; fen = 0.01 yuan).
CRM_RATES: dict[str, float] = {"USD": 7.1, "FEN": 0.01}
#: Phone numbers of the extract are North American (country code 1, ten national digits).
CRM_COUNTRY_CODE = "1"
CRM_NATIONAL_LENGTHS = 10
#: Orders above this many CNY are flagged for checking (seed 000; flagged, not dropped).
REVIEW_THRESHOLD = 100_000
#: The three channels of the CRM extract, in file (and row) order.
CRM_SOURCES: tuple[str, ...] = ("web", "pos", "callcentre")

_RETAIL_TABLES = ("customers", "orders", "tickets", "surveys", "contacts")
_TRUTH_TABLES = ("customers", "events", "orders")

#: Every data file, relative to ``datasets/``, in the order they are built.
MANIFEST: tuple[str, ...] = (
    *(f"retail/{t}.csv" for t in _RETAIL_TABLES),
    *(f"retail_truth/{t}.csv" for t in _TRUTH_TABLES),
    *(f"crm_extract/{s}_{t}.csv" for s in CRM_SOURCES for t in ("customers", "orders")),
    "crm_answer_key/customers.csv",
    "crm_answer_key/orders.csv",
)
_CHECKSUMS = "CHECKSUMS.sha256"

# decimals per unit of the data dictionary (fixed float formatting)
_DECIMALS = {"currency": 2, "days": 6, "hours": 4, "points": 2, "probability": 8, "orders/day": 8,
             "1/currency": 8, "0-10": 6, "score": 4}


# --------------------------------------------------------------------------- locating the data
def datasets_dir() -> Path:
    """The repository's ``datasets/`` folder (the package is installed in editable mode).

    Examples
    --------
    >>> datasets_dir().name
    'datasets'
    """
    path = Path(__file__).resolve().parents[1] / "datasets"
    if not path.is_dir():
        raise FileNotFoundError(
            f"{path} not found: the datasets live in the repository, next to the `sim` package; "
            "install the package in editable mode (`pip install -e .`, as `make lab` does)"
        )
    return path


def _dir(data_dir: str | Path | None) -> Path:
    return datasets_dir() if data_dir is None else Path(data_dir)


# --------------------------------------------------------------------------- writing
def _fmt_float(s: pd.Series, decimals: int) -> pd.Series:
    return pd.Series([("" if pd.isna(v) else f"{float(v):.{decimals}f}") for v in s], index=s.index, dtype=object)


def _fmt_column(s: pd.Series, dtype: str, unit: str) -> pd.Series:
    """One column as text: fixed decimals per unit, ISO timestamps to the second, '' for missing."""
    if dtype == "float64":
        return _fmt_float(s, _DECIMALS.get(unit, 6))
    if dtype.startswith("datetime"):
        ts = pd.to_datetime(s).dt.round("s")
        return pd.Series([("" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S")) for v in ts], index=s.index,
                         dtype=object)
    if dtype in ("bool", "boolean"):
        return pd.Series([("" if pd.isna(v) else ("True" if bool(v) else "False")) for v in s], index=s.index,
                         dtype=object)
    if dtype == "int64":
        return pd.Series([str(int(v)) for v in s], index=s.index, dtype=object)
    return pd.Series([("" if pd.isna(v) else str(v)) for v in s], index=s.index, dtype=object)


def _table_text(df: pd.DataFrame, table: str, cols: list[str]) -> pd.DataFrame:
    spec = TABLES[table]
    return pd.DataFrame({c: _fmt_column(df[c], spec[c].dtype, spec[c].unit) for c in cols})


def _write(df: pd.DataFrame, path: Path) -> None:
    """Write a frame of text columns as UTF-8 CSV with '\\n' line ends (byte-deterministic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = df.astype(object).where(df.notna(), "")
    path.write_bytes(text.to_csv(index=False, lineterminator="\n").encode("utf-8"))


# --------------------------------------------------------------------------- the retail base
def _simulate():
    import sim

    return sim.run(sim.Scenario.load(RETAIL_SCENARIO), sim.Policy.load(RETAIL_POLICY),
                   customers=RETAIL_CUSTOMERS, days=RETAIL_DAYS, seed=RETAIL_SEED)


_SORT_KEYS = {"customers": ["customer_id"], "orders": ["order_id"], "tickets": ["ticket_id"],
              "surveys": ["survey_id"], "contacts": ["contact_id"]}


def _retail_files(res) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for t in _RETAIL_TABLES:
        df = pd.DataFrame(getattr(res, t)).sort_values(_SORT_KEYS[t], kind="stable")
        out[f"retail/{t}.csv"] = _table_text(df, t, observed_columns(t))
    cust = pd.DataFrame(res.customers).sort_values("customer_id", kind="stable")
    truth_cols = ["customer_id"] + [c for c in TABLES["customers"] if c.startswith("true_")]
    out["retail_truth/customers.csv"] = _table_text(cust, "customers", truth_cols)
    ev = pd.DataFrame(res.events)
    ev = ev[ev["event"].astype(str).str.startswith("true_")].sort_values(["t", "customer_id", "event"], kind="stable")
    out["retail_truth/events.csv"] = _table_text(ev, "events", list(TABLES["events"]))
    orders = pd.DataFrame(res.orders).sort_values("order_id", kind="stable")
    out["retail_truth/orders.csv"] = _table_text(orders, "orders", ["order_id", "true_quality_issue"])
    return out


# --------------------------------------------------------------------------- the messy CRM extract
_SYLLABLES = ("ba", "zo", "qui", "lem", "dar", "vo", "tix", "nu", "ko", "pel", "ry", "mab", "sul", "fo", "gri", "wen")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MISSING_TOKENS = ("", "n/a", "NULL", "-", "none")
_REF_FORMAT = {"web": "W-{:06d}", "pos": "P{:06d}", "callcentre": "CC-{:05d}"}
_ORDER_REF_FORMAT = {"web": "WO-{:06d}", "pos": "PO{:06d}", "callcentre": "CO-{:05d}"}
# probabilities of the mess, per channel (documented in datasets/README.md)
_PRIMARY = {"web": 0.6, "pos": 0.3, "callcentre": 0.1}
_EXTRA = {"web": 0.35, "pos": 0.3, "callcentre": 0.2}
_SECOND_ACCOUNT = 0.04
_HOUSEHOLD = 0.03
_NAME_TYPO = {"web": 0.02, "pos": 0.03, "callcentre": 0.08}
_NAME_MISSING = 0.02  # only people with a single record and a phone of their own
_PHONE_MISSING = 0.04
_PHONE_INVALID = 0.01
_EMAIL_MISSING = {"web": 0.01, "pos": 0.45, "callcentre": 0.25}
_EMAIL_INVALID = 0.01
_DATE_UNREADABLE = 0.003
_CUSTOMER_EXACT_DUP = 0.015
_ORDER_EXACT_DUP = 0.01
_AMOUNT_OUTLIER = 0.004
_AMOUNT_MISSING = 0.005
_USD_SHARE = 0.15


def _area_codes(n: int) -> list[int]:
    """The first ``n`` area codes of the form NXX (no N11 service codes, no middle digit 9)."""
    return [c for c in range(201, 990) if c % 100 != 11 and (c // 10) % 10 != 9][:n]


def _fake_word(rng: np.random.Generator, k: int) -> str:
    return "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), size=k)).capitalize()


def _typo(rng: np.random.Generator, text: str) -> str:
    """One keyboard slip: substitute, delete, double or swap one letter (never the first)."""
    pos = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    i = int(rng.choice(pos))
    kind = int(rng.integers(0, 4))
    letter = "abcdefghijklmnopqrstuvwxyz"[int(rng.integers(0, 26))]
    if kind == 0:
        if letter == text[i].lower():
            letter = "x" if letter != "x" else "y"
        return text[:i] + letter + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    j = i + 1 if i + 1 < len(text) and text[i + 1].isalpha() else i - 1
    if j < 1 or text[j] == text[i]:
        return text[:i] + text[i + 1:]
    a, b = sorted((i, j))
    return text[:a] + text[b] + text[a] + text[b + 1:]


def _fmt_name(rng: np.random.Generator, given: str, family: str, source: str) -> str:
    if source == "web":
        return f"{given} {family}"
    if source == "pos":
        return f"{family.upper()} {given.upper()}"
    return f"{family}, {given}" if rng.random() < 0.5 else f"{given.lower()} {family.lower()}"


def _fmt_phone(rng: np.random.Generator, e164: str, source: str) -> str:
    area, exch, line = e164[2:5], e164[5:8], e164[8:12]
    if source == "web":
        return f"+1 {area}-{exch}-{line}"
    if source == "pos":
        return f"({area}) {exch}-{line}"
    style = int(rng.integers(0, 4))
    return (f"{area}.{exch}.{line}", f"{area}{exch}{line}", f"1-{area}-{exch}-{line}", f"001 {area} {exch} {line}")[style]


def _invalid_phone(rng: np.random.Generator, e164: str) -> str:
    area, exch, line = e164[2:5], e164[5:8], e164[8:12]
    return f"{exch}-{line}" if rng.random() < 0.5 else f"{area}-{exch}-{line[:3]}"


def _fmt_email(rng: np.random.Generator, email: str, source: str) -> str:
    if source == "pos" and rng.random() < 0.3:
        return email.upper()
    if source == "callcentre" and rng.random() < 0.3:
        return " " + email[:1].upper() + email[1:] + " "
    return email


def _invalid_email(rng: np.random.Generator, email: str) -> str:
    user, _, domain = email.partition("@")
    return f"{user} at {domain}" if rng.random() < 0.5 else f"{user}@{domain.rsplit('.', 1)[0]}"


def _fmt_date(rng: np.random.Generator, d: pd.Timestamp, source: str) -> str:
    if source == "web":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if source == "pos":
        return f"{d.month:02d}/{d.day:02d}/{d.year:04d}" if rng.random() < 0.85 else f"{d.year:04d}{d.month:02d}{d.day:02d}"
    u = rng.random()
    if u < 0.5:
        return f"{_MONTHS[d.month - 1][:3]} {d.day}, {d.year}"
    if u < 0.8:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


_UNREADABLE_DATE = {"web": "0000-00-00", "pos": "00/00/0000", "callcentre": "unknown"}


def _missing_token(rng: np.random.Generator) -> str:
    return _MISSING_TOKENS[int(rng.integers(0, len(_MISSING_TOKENS)))]


def _fmt_amount(rng: np.random.Generator, cny: float, source: str, outlier: bool) -> tuple[str, str, float]:
    """(amount text, currency text, the recorded value in CNY)."""
    k = 1000 if outlier else 1
    if source == "web":
        u = rng.random()
        cur = "CNY" if u < 0.80 else "RMB" if u < 0.88 else "rmb" if u < 0.93 else "¥" if u < 0.97 else ""
        val = round(cny, 2) * k
        return f"{val:.2f}", cur, round(val, 2)
    if source == "pos":
        fen = int(round(cny * 100)) * k
        return str(fen), ("fen" if rng.random() < 0.9 else "FEN"), round(fen / 100, 2)
    if rng.random() < _USD_SHARE:
        usd = round(cny / CRM_RATES["USD"], 2) * k
        if rng.random() < 0.5:
            return f"US${usd:,.2f}", "USD", round(usd * CRM_RATES["USD"], 2)
        return f"{usd:.2f}", ("usd" if rng.random() < 0.5 else "USD"), round(usd * CRM_RATES["USD"], 2)
    val = round(cny, 2) * k
    if rng.random() < 0.5:
        return f"¥{val:,.2f}", "", round(val, 2)
    return f"{val:.2f}", "CNY", round(val, 2)


def _make_crm(res) -> dict[str, pd.DataFrame]:
    """The messy extract (one text frame per channel file) and its answer key."""
    rng = np.random.default_rng(CRM_SEED)
    cutoff = pd.Timestamp(CRM_SIGNUP_BEFORE)
    cust = pd.DataFrame(res.customers).sort_values("customer_id", kind="stable")
    cust = cust[cust["acquired_date"] < cutoff].reset_index(drop=True)
    orders = pd.DataFrame(res.orders).sort_values("order_id", kind="stable")
    orders = orders[orders["customer_id"].isin(cust["customer_id"]) & (orders["date"] < cutoff)].reset_index(drop=True)

    # --- people: fake names, reserved phones, example.* e-mails
    n = len(cust)
    codes = _area_codes(-(-n // 100) + 1)
    slots = rng.permutation(len(codes) * 100)[:n]
    people = {}
    for i, cid in enumerate(cust["customer_id"].astype(int)):
        given, family = _fake_word(rng, 2), _fake_word(rng, int(rng.integers(2, 4)))
        code, line = codes[slots[i] // 100], 100 + slots[i] % 100
        domain = "example.com" if rng.random() < 0.7 else "example.org"
        people[cid] = {"given": given, "family": family, "phone": f"+1{code}555{line:04d}",
                       "email": f"{given}.{family}.{cid}@{domain}".lower(),
                       "acquired": cust.at[i, "acquired_date"].normalize()}

    # households: some customers share the phone and family name of an earlier customer
    ids = list(people)
    for i, cid in enumerate(ids):
        if i > 0 and rng.random() < _HOUSEHOLD:
            other = people[ids[int(rng.integers(0, i))]]
            other["shares_phone"] = True
            people[cid].update(family=other["family"], phone=other["phone"], shares_phone=True,
                               email=f"{people[cid]['given']}.{other['family']}.{cid}@example.com".lower())

    # --- records: each customer's accounts in the three channels
    records = []  # dicts: master, source, email, first (primary?)
    for cid, p in people.items():
        src = list(_PRIMARY)
        primary = src[int(rng.choice(3, p=list(_PRIMARY.values())))]
        chans = [primary] + [s for s in src if s != primary and rng.random() < _EXTRA[s]]
        recs = [{"master": cid, "source": s, "email": p["email"], "primary": s == primary} for s in chans]
        if rng.random() < _SECOND_ACCOUNT:
            alt = p["email"] if rng.random() < 0.5 else p["email"].replace("@", ".b@")
            recs.append({"master": cid, "source": primary, "email": alt, "primary": False})
        records.extend(recs)
    by_master: dict[int, list[int]] = {}
    for k, r in enumerate(records):
        by_master.setdefault(r["master"], []).append(k)

    # --- orders to records; signup date of a record = first order on it (primary: acquisition)
    order_rec = np.empty(len(orders), dtype=int)
    for j, (cid, first) in enumerate(zip(orders["customer_id"].astype(int), orders["is_first"].astype(bool))):
        ks = by_master[cid]
        prim = next(k for k in ks if records[k]["primary"])
        others = [k for k in ks if k != prim]
        if first or not others or rng.random() < 0.55:
            order_rec[j] = prim
        else:
            order_rec[j] = others[int(rng.integers(0, len(others)))]
    first_date: dict[int, pd.Timestamp] = {}
    for j, k in enumerate(order_rec):
        d = orders.at[j, "date"].normalize()
        if k not in first_date or d < first_date[k]:
            first_date[k] = d
    for k, r in enumerate(records):
        acq = people[r["master"]]["acquired"]
        if r["primary"]:
            r["signup"] = acq
        elif k in first_date:
            r["signup"] = first_date[k]
        else:
            span = max((cutoff - pd.Timedelta(days=1) - acq).days, 0)
            r["signup"] = acq + pd.Timedelta(days=int(rng.integers(0, span + 1)))

    # --- refs per channel in signup order; then the customer rows with their mess
    files: dict[str, pd.DataFrame] = {}
    key_rows, order_key_rows = [], []
    row = 0
    ref_of: dict[int, str] = {}
    for source in CRM_SOURCES:
        ks = sorted((k for k, r in enumerate(records) if r["source"] == source),
                    key=lambda k: (records[k]["signup"], records[k]["master"], k))
        for seq, k in enumerate(ks, start=1):
            ref_of[k] = _REF_FORMAT[source].format(seq)
        rows = []
        for k in ks:
            r, p = records[k], people[records[k]["master"]]
            issues = []
            given, family = p["given"], p["family"]
            if rng.random() < _NAME_TYPO[source]:
                if rng.random() < 0.5:
                    given = _typo(rng, given)
                else:
                    family = _typo(rng, family)
                issues.append("name_typo")
            name = _fmt_name(rng, given, family, source)
            if rng.random() < 0.03:
                name = name.replace(" ", "  ", 1)
            if rng.random() < _NAME_MISSING and len(by_master[r["master"]]) == 1 and not p.get("shares_phone"):
                name, issues = "", [*issues, "name_missing"]
            u = rng.random()
            if u < _PHONE_MISSING:
                phone = _missing_token(rng)
                issues.append("phone_missing")
            elif u < _PHONE_MISSING + _PHONE_INVALID:
                phone = _invalid_phone(rng, p["phone"])
                issues.append("phone_invalid")
            else:
                phone = _fmt_phone(rng, p["phone"], source)
            u = rng.random()
            if u < _EMAIL_MISSING[source]:
                email = _missing_token(rng)
                issues.append("email_missing")
            elif u < _EMAIL_MISSING[source] + _EMAIL_INVALID:
                email = _invalid_email(rng, r["email"])
                issues.append("email_invalid")
            else:
                email = _fmt_email(rng, r["email"], source)
            if rng.random() < _DATE_UNREADABLE:
                signup = _UNREADABLE_DATE[source]
                issues.append("date_unreadable")
            else:
                signup = _fmt_date(rng, r["signup"], source)
            true_name = f"{p['given']} {p['family']}"
            line = {"customer_ref": ref_of[k], "name": name, "phone": phone, "email": email, "signup_date": signup}
            key = {"source": source, "customer_ref": ref_of[k], "master_customer_id": str(r["master"]),
                   "name_true": true_name, "phone_true": p["phone"], "email_true": r["email"],
                   "signup_date_true": r["signup"].strftime("%Y-%m-%d"), "issues": ";".join(issues)}
            copies = 2 if rng.random() < _CUSTOMER_EXACT_DUP else 1
            for c in range(copies):
                rows.append(line)
                key_rows.append({"row": str(row), **key, "exact_duplicate_of": str(row - 1) if c else ""})
                row += 1
        files[f"crm_extract/{source}_customers.csv"] = pd.DataFrame(
            rows, columns=["customer_ref", "name", "phone", "email", "signup_date"])

    row = 0
    orders["rec"] = order_rec
    for source in CRM_SOURCES:
        sel = orders[[records[k]["source"] == source for k in orders["rec"]]]
        sel = sel.sort_values(["date", "order_id"], kind="stable")
        rows = []
        for seq, (oid, cid, k, date, amount) in enumerate(
                zip(sel["order_id"], sel["customer_id"], sel["rec"], sel["date"], sel["amount"]), start=1):
            issues = []
            cny = round(float(amount), 2)
            outlier = cny > 101 and rng.random() < _AMOUNT_OUTLIER
            amt, cur, recorded = _fmt_amount(rng, cny, source, outlier)
            if outlier:
                issues.append("amount_outlier")
            if rng.random() < _AMOUNT_MISSING:
                amt, recorded = ("" if rng.random() < 0.5 else "n/a"), float("nan")
                issues.append("amount_missing")
            if cur == "":
                issues.append("currency_missing")
            day = date.normalize()
            if rng.random() < _DATE_UNREADABLE:
                dtext = _UNREADABLE_DATE[source]
                issues.append("date_unreadable")
            else:
                dtext = _fmt_date(rng, day, source)
            ref = _ORDER_REF_FORMAT[source].format(seq)
            line = {"order_ref": ref, "customer_ref": ref_of[int(k)], "date": dtext, "amount": amt, "currency": cur}
            key = {"source": source, "order_ref": ref, "customer_ref": ref_of[int(k)],
                   "master_customer_id": str(int(cid)), "order_id": str(int(oid)),
                   "date_true": day.strftime("%Y-%m-%d"), "amount_cny_true": f"{cny:.2f}",
                   "amount_cny_recorded": "" if np.isnan(recorded) else f"{recorded:.2f}",
                   "review_flag_expected": "True" if (not np.isnan(recorded) and recorded > REVIEW_THRESHOLD) else "False",
                   "issues": ";".join(issues)}
            copies = 2 if rng.random() < _ORDER_EXACT_DUP else 1
            for c in range(copies):
                rows.append(line)
                order_key_rows.append({"row": str(row), **key, "exact_duplicate_of": str(row - 1) if c else ""})
                row += 1
        files[f"crm_extract/{source}_orders.csv"] = pd.DataFrame(
            rows, columns=["order_ref", "customer_ref", "date", "amount", "currency"])

    files["crm_answer_key/customers.csv"] = pd.DataFrame(key_rows, columns=_KEY_CUSTOMER_COLUMNS)
    files["crm_answer_key/orders.csv"] = pd.DataFrame(order_key_rows, columns=_KEY_ORDER_COLUMNS)
    return files


_KEY_CUSTOMER_COLUMNS = ["row", "source", "customer_ref", "master_customer_id", "exact_duplicate_of", "name_true",
                         "phone_true", "email_true", "signup_date_true", "issues"]
_KEY_ORDER_COLUMNS = ["row", "source", "order_ref", "customer_ref", "master_customer_id", "order_id",
                      "exact_duplicate_of", "date_true", "amount_cny_true", "amount_cny_recorded",
                      "review_flag_expected", "issues"]


# --------------------------------------------------------------------------- build and check
def file_checksums(folder: str | Path, names: tuple[str, ...] | list[str] = MANIFEST) -> dict[str, str]:
    """SHA-256 (hex) of each named file under ``folder`` (missing files are left out).

    Examples
    --------
    >>> sums = file_checksums(datasets_dir())
    >>> len(sums) == len(MANIFEST), len(sums["retail/orders.csv"])
    (True, 64)
    """
    folder = Path(folder)
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names if (folder / n).is_file()}


def read_manifest(folder: str | Path | None = None) -> dict[str, str]:
    """The ``CHECKSUMS.sha256`` manifest of a datasets folder as ``{relative path: sha256}``.

    The file has the format of ``sha256sum`` (``cd datasets && sha256sum -c CHECKSUMS.sha256``).

    Examples
    --------
    >>> read_manifest() == file_checksums(datasets_dir())
    True
    """
    text = (_dir(folder) / _CHECKSUMS).read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        out[name] = digest
    return out


def build_datasets(out_dir: str | Path | None = None) -> dict[str, Path]:
    """Simulate and write every dataset file plus the ``CHECKSUMS.sha256`` manifest.

    Runs the retail simulation (:data:`RETAIL_SCENARIO`, :data:`RETAIL_POLICY`,
    :data:`RETAIL_CUSTOMERS` customers, :data:`RETAIL_DAYS` days, seed :data:`RETAIL_SEED`),
    writes the observed tables and the truth, then derives the messy CRM extract and its
    answer key (seed :data:`CRM_SEED`). Deterministic: the same code gives the same bytes.
    Takes a few seconds.

    Parameters
    ----------
    out_dir : str or Path, optional
        Target folder (default: the repository's ``datasets/``). Other files in it
        (``README.md``, ``DATA_DICTIONARY.md``) are left alone.

    Returns
    -------
    dict of str to Path
        Relative name (as in :data:`MANIFEST`, plus ``CHECKSUMS.sha256``) -> written file.

    Examples
    --------
    Rebuilding takes a few seconds (``tests/test_datasets.py`` runs it)::

        import tempfile
        written = build_datasets(tempfile.mkdtemp())
        sorted(written)[:2]   # ['CHECKSUMS.sha256', 'crm_answer_key/customers.csv']
    """
    out = _dir(out_dir)
    res = _simulate()
    frames = {**_retail_files(res), **_make_crm(res)}
    assert set(frames) == set(MANIFEST), "MANIFEST is out of date"  # noqa: S101 - a bug, not bad input
    written = {}
    for name in MANIFEST:
        _write(frames[name], out / name)
        written[name] = out / name
    sums = file_checksums(out)
    (out / _CHECKSUMS).write_bytes("".join(f"{sums[n]}  {n}\n" for n in sorted(sums)).encode("utf-8"))
    written[_CHECKSUMS] = out / _CHECKSUMS
    return written


def check_datasets(reference: str | Path | None = None) -> list[str]:
    """Rebuild into a temporary folder and list what differs from ``reference``.

    Parameters
    ----------
    reference : str or Path, optional
        Folder with the committed files (default: the repository's ``datasets/``).

    Returns
    -------
    list of str
        One line per problem: ``"missing: <file>"`` or ``"changed: <file>"`` (the manifest
        included); empty when the committed files are exactly what the code produces.

    Examples
    --------
    An empty list means the committed files are up to date (``tests/test_datasets.py`` checks it)::

        check_datasets()   # []
    """
    ref = _dir(reference)
    tmp = Path(tempfile.mkdtemp(prefix="retention-lab-datasets-"))
    try:
        build_datasets(tmp)
        names = [*MANIFEST, _CHECKSUMS]
        fresh = file_checksums(tmp, names)
        old = file_checksums(ref, names)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problems = [f"missing: {n}" for n in names if n not in old]
    problems += [f"changed: {n}" for n in names if n in old and old[n] != fresh[n]]
    return problems


# --------------------------------------------------------------------------- loading
def _read_text(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; run `retention-lab datasets build` (make datasets)")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _typed(text: pd.DataFrame, table: str) -> pd.DataFrame:
    """Text columns -> the data dictionary's dtypes ('' = missing)."""
    spec = TABLES[table]
    out = {}
    for c in text.columns:
        s = text[c]
        dtype = spec[c].dtype
        if dtype == "int64":
            out[c] = s.astype("int64")
        elif dtype == "float64":
            out[c] = pd.to_numeric(s.replace("", np.nan), errors="raise").astype("float64")
        elif dtype.startswith("datetime"):
            out[c] = pd.to_datetime(s.replace("", None), format="%Y-%m-%d %H:%M:%S").astype("datetime64[ns]")
        elif dtype == "bool":
            out[c] = s.map({"True": True, "False": False}).astype(bool)
        elif dtype == "boolean":
            out[c] = s.map({"True": True, "False": False, "": pd.NA}).astype("boolean")
        else:
            out[c] = s.astype("string")
    return pd.DataFrame(out, index=text.index)


def load_retail(data_dir: str | Path | None = None) -> Bunch:
    """The retail customer base: what the firm sees (observed columns only).

    **Data card.** *Source*: ``sim.run`` of scenario ``baseline`` with policy ``vip_care``,
    3 000 paid customers (plus referrals), 730 days from 2025-01-01, seed 2025 (see
    :data:`RETAIL_SEED`). Money in CNY, times ``t`` in days since 2025-01-01.
    *Tables* (columns as in ``datasets/DATA_DICTIONARY.md``, without ``true_*``):
    ``customers`` (customer_id, acquired_t, acquired_date, channel, cac, consent,
    birth_month), ``orders`` (order_id, customer_id, t, date, amount, is_first, discount,
    points, campaign), ``tickets``, ``surveys``, ``contacts``.
    *Size*: about 3 100 customers, 10 000 orders, 450 tickets, 2 900 survey answers and
    9 400 contacts (about 1.8 MB of CSV). *Files*: ``datasets/retail/*.csv``.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder to read from (default: the repository's ``datasets/``).

    Returns
    -------
    sklearn.utils.Bunch
        ``customers``, ``orders``, ``tickets``, ``surveys``, ``contacts`` as DataFrames with
        the data dictionary's dtypes (dates parsed to ``datetime64[ns]``).

    Examples
    --------
    >>> retail = load_retail()
    >>> sorted(retail), str(retail.orders["date"].dtype)
    (['contacts', 'customers', 'orders', 'surveys', 'tickets'], 'datetime64[ns]')
    >>> retail.orders[["order_id", "customer_id", "date", "amount", "is_first"]].head(3)
       order_id  customer_id                date   amount  is_first
    0         1            1 2025-01-01 07:54:13   247.75      True
    1         2            2 2025-01-01 09:27:45   667.96      True
    2         3            3 2025-01-01 10:38:30  1242.34      True
    """
    d = _dir(data_dir)
    return Bunch(**{t: _typed(_read_text(d / "retail" / f"{t}.csv"), t) for t in _RETAIL_TABLES})


def load_retail_truth(data_dir: str | Path | None = None) -> Bunch:
    """Ground truth of the retail base, for instructors: latent columns and latent events.

    **Data card.** *Source*: the same run as :func:`load_retail`.
    *Tables*: ``customers`` (customer_id and every ``true_*`` column: true_purchase_rate,
    true_dropout_prob, true_spend_scale, true_satisfaction_start, true_satisfaction_end,
    true_alive, true_churn_t, true_churn_reason), ``events`` (the latent events
    ``true_churned`` and ``true_reactivated``: customer_id, t, date, event, detail = churn
    reason), ``orders`` (order_id, true_quality_issue). Join on ``customer_id`` /
    ``order_id``. *Files*: ``datasets/retail_truth/*.csv``.

    Returns
    -------
    sklearn.utils.Bunch
        ``customers``, ``events``, ``orders``.

    Examples
    --------
    >>> truth = load_retail_truth()
    >>> truth.customers[["customer_id", "true_alive", "true_churn_reason"]].head(3)
       customer_id  true_alive true_churn_reason
    0            1        True
    1            2       False           product
    2            3        True
    >>> sorted(set(truth.events["event"]) - {"true_churned", "true_reactivated"})
    []
    """
    d = _dir(data_dir) / "retail_truth"
    return Bunch(customers=_typed(_read_text(d / "customers.csv"), "customers"),
                 events=_typed(_read_text(d / "events.csv"), "events"),
                 orders=_typed(_read_text(d / "orders.csv"), "orders"))


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
    e-mails and dates, and a few orders with three extra zeros (above 100 000 CNY).
    Every problem is recorded in :func:`load_crm_answer_key`.

    *Tables*: ``customers`` (source, customer_ref, name, phone, email, signup_date) and
    ``orders`` (source, order_ref, customer_ref, date, amount, currency), each the three
    channel files one after the other (web, pos, callcentre) with row labels 0, 1, ...
    *Size*: about 2 400 customer records (about 1 500 people) and 3 500 orders. *Files*:
    ``datasets/crm_extract/{web,pos,callcentre}_{customers,orders}.csv``.

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
              source customer_ref            date   amount currency
    0            web     W-000001      2025-01-01   247.75      CNY
    2033         pos      P000001      01/02/2025  32587.0      fen
    3008  callcentre     CC-00001  1 January 2025   576.73      CNY
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
    amount_outlier, amount_missing, currency_missing. Formats (phone, date, currency
    spelling, name order) are not issues: normalising them recovers the true value.
    *Files*: ``datasets/crm_answer_key/*.csv``.

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
        ``load_crm_answer_key().customers`` (default: loaded from ``datasets/``).

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
    return pd.Series({
        "people": float(master.nunique()), "customers_found": float(found.nunique()),
        "true_pairs": float(true_pairs), "found_pairs": float(found_pairs), "correct_pairs": float(correct),
        "recall": correct / true_pairs if true_pairs else np.nan,
        "precision": correct / found_pairs if found_pairs else np.nan,
    }, name="merges")


def duplicate_identities(orders: pd.DataFrame, share: float, *, seed: int,
                         id_col: str = "customer_id") -> pd.DataFrame:
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
