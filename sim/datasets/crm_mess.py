"""The messy CRM extract: the retail customers exported from three channels, with the mess every CRM has.

Hand-written, because it is the content itself: the fake-name syllables, the phone and date
formats of each channel and the corruption rules. numpy's seeded ``Generator`` draws it all.
All personal data are synthetic (see :mod:`sim.datasets`).

Orders above the 100 000 CNY review threshold are of two kinds, both flagged by the rule: typos
(three extra zeros, tag ``amount_outlier``) and a few genuine large B2B-style orders (a company
buying in bulk, tag ``bulk_order``; its amount is right, and its ``order_id`` is new, not in
``load_retail``). So a threshold has a precision / recall trade-off, which chapter 02 draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.datasets.recipe import CRM_RATES, CRM_SEED, CRM_SIGNUP_BEFORE, CRM_SOURCES, REVIEW_THRESHOLD

__all__ = ["make_crm"]

# --------------------------------------------------------------------------- the messy CRM extract
_SYLLABLES = ("ba", "zo", "qui", "lem", "dar", "vo", "tix", "nu", "ko", "pel", "ry", "mab", "sul", "fo", "gri", "wen")
_MONTHS = tuple("January February March April May June July August September October November December".split())
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
# genuine large (B2B-style) orders: a company buying in bulk through one of its staff's accounts.
# They sit above the review threshold as often as the typos do, so the 100 000 rule flags both.
# Drawn from their own stream, so every other value of the extract is the same with or without them.
_BULK_ORDER_SHARE = 0.0035  # of the extract's orders
_BULK_MEDIAN_CNY = 120_000.0  # lognormal amount: median and log-sd
_BULK_LOG_SD = 0.7
_BULK_MIN_CNY = 20_000.0
_BULK_SOURCE = {"web": 0.4, "pos": 0.2, "callcentre": 0.4}


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
        return text[:i] + letter + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    j = i + 1 if i + 1 < len(text) and text[i + 1].isalpha() else i - 1
    if j < 1 or text[j] == text[i]:
        return text[:i] + text[i + 1 :]
    a, b = sorted((i, j))
    return text[:a] + text[b] + text[a] + text[b + 1 :]


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
    return (f"{area}.{exch}.{line}", f"{area}{exch}{line}", f"1-{area}-{exch}-{line}", f"001 {area} {exch} {line}")[
        style
    ]


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
        return (
            f"{d.month:02d}/{d.day:02d}/{d.year:04d}"
            if rng.random() < 0.85
            else f"{d.year:04d}{d.month:02d}{d.day:02d}"
        )
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


def _bulk_orders(
    brng: np.random.Generator, records: list[dict], n: int, first_id: int, cutoff: pd.Timestamp
) -> pd.DataFrame:
    """``n`` genuine large orders on random records: amount, date after the record's signup, new order ids."""
    sources = list(_BULK_SOURCE)
    rows = []
    for i in range(n):
        source = sources[int(brng.choice(len(sources), p=list(_BULK_SOURCE.values())))]
        candidates = [k for k, r in enumerate(records) if r["source"] == source]
        k = candidates[int(brng.integers(0, len(candidates)))]
        signup = records[k]["signup"]
        span = max((cutoff - pd.Timedelta(days=1) - signup).days, 0)
        day = signup + pd.Timedelta(days=int(brng.integers(0, span + 1)))
        amount = max(_BULK_MIN_CNY, round(float(brng.lognormal(np.log(_BULK_MEDIAN_CNY), _BULK_LOG_SD)), -1))
        rows.append(
            {
                "order_id": first_id + i,
                "customer_id": records[k]["master"],
                "date": day + pd.Timedelta(hours=int(brng.integers(9, 18))),
                "amount": amount,
                "is_first": False,
                "rec": k,
                "bulk": True,
            }
        )
    return pd.DataFrame(rows)


def make_crm(res) -> dict[str, pd.DataFrame]:
    """The messy extract (one text frame per channel file) and its answer key."""
    rng = np.random.default_rng(CRM_SEED)
    brng = np.random.default_rng([CRM_SEED, 1])  # the genuine large orders only
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
        people[cid] = {
            "given": given,
            "family": family,
            "phone": f"+1{code}555{line:04d}",
            "email": f"{given}.{family}.{cid}@{domain}".lower(),
            "acquired": cust.at[i, "acquired_date"].normalize(),
        }

    # households: some customers share the phone and family name of an earlier customer
    ids = list(people)
    for i, cid in enumerate(ids):
        if i > 0 and rng.random() < _HOUSEHOLD:
            other = people[ids[int(rng.integers(0, i))]]
            other["shares_phone"] = True
            people[cid].update(
                family=other["family"],
                phone=other["phone"],
                shares_phone=True,
                email=f"{people[cid]['given']}.{other['family']}.{cid}@example.com".lower(),
            )

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
        ks = sorted(
            (k for k, r in enumerate(records) if r["source"] == source),
            key=lambda k: (records[k]["signup"], records[k]["master"], k),
        )
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
            key = {
                "source": source,
                "customer_ref": ref_of[k],
                "master_customer_id": str(r["master"]),
                "name_true": true_name,
                "phone_true": p["phone"],
                "email_true": r["email"],
                "signup_date_true": r["signup"].strftime("%Y-%m-%d"),
                "issues": ";".join(issues),
            }
            copies = 2 if rng.random() < _CUSTOMER_EXACT_DUP else 1
            for c in range(copies):
                rows.append(line)
                key_rows.append({"row": str(row), **key, "exact_duplicate_of": str(row - 1) if c else ""})
                row += 1
        files[f"crm_extract/{source}_customers.csv"] = pd.DataFrame(
            rows, columns=["customer_ref", "name", "phone", "email", "signup_date"]
        )

    row = 0
    orders["rec"] = order_rec
    orders["bulk"] = False
    n_bulk = round(_BULK_ORDER_SHARE * len(orders))
    bulk = _bulk_orders(brng, records, n_bulk, int(pd.DataFrame(res.orders)["order_id"].max()) + 1, cutoff)
    orders = pd.concat([orders, bulk], ignore_index=True) if n_bulk else orders
    for source in CRM_SOURCES:
        sel = orders[[records[k]["source"] == source for k in orders["rec"]]]
        sel = sel.sort_values(["date", "order_id"], kind="stable")
        rows = []
        for seq, (oid, cid, k, date, amount, is_bulk) in enumerate(
            zip(sel["order_id"], sel["customer_id"], sel["rec"], sel["date"], sel["amount"], sel["bulk"]), start=1
        ):
            issues = []
            cny = round(float(amount), 2)
            if is_bulk:  # right as recorded: no typo, no missing value; drawn from its own stream
                amt, cur, recorded = _fmt_amount(brng, cny, source, False)
                issues.append("bulk_order")
            else:
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
            if is_bulk:
                dtext = _fmt_date(brng, day, source)
            elif rng.random() < _DATE_UNREADABLE:
                dtext = _UNREADABLE_DATE[source]
                issues.append("date_unreadable")
            else:
                dtext = _fmt_date(rng, day, source)
            ref = _ORDER_REF_FORMAT[source].format(seq)
            line = {"order_ref": ref, "customer_ref": ref_of[int(k)], "date": dtext, "amount": amt, "currency": cur}
            key = {
                "source": source,
                "order_ref": ref,
                "customer_ref": ref_of[int(k)],
                "master_customer_id": str(int(cid)),
                "order_id": str(int(oid)),
                "date_true": day.strftime("%Y-%m-%d"),
                "amount_cny_true": f"{cny:.2f}",
                "amount_cny_recorded": "" if np.isnan(recorded) else f"{recorded:.2f}",
                "review_flag_expected": "True" if (not np.isnan(recorded) and recorded > REVIEW_THRESHOLD) else "False",
                "issues": ";".join(issues),
            }
            copies = 1 if is_bulk else 2 if rng.random() < _ORDER_EXACT_DUP else 1
            for c in range(copies):
                rows.append(line)
                order_key_rows.append({"row": str(row), **key, "exact_duplicate_of": str(row - 1) if c else ""})
                row += 1
        files[f"crm_extract/{source}_orders.csv"] = pd.DataFrame(
            rows, columns=["order_ref", "customer_ref", "date", "amount", "currency"]
        )

    files["crm_answer_key/customers.csv"] = pd.DataFrame(key_rows, columns=_KEY_CUSTOMER_COLUMNS)
    files["crm_answer_key/orders.csv"] = pd.DataFrame(order_key_rows, columns=_KEY_ORDER_COLUMNS)
    return files


_KEY_CUSTOMER_COLUMNS = (
    "row source customer_ref master_customer_id exact_duplicate_of "
    "name_true phone_true email_true signup_date_true issues"
).split()
_KEY_ORDER_COLUMNS = (
    "row source order_ref customer_ref master_customer_id order_id "
    "exact_duplicate_of date_true amount_cny_true amount_cny_recorded review_flag_expected issues"
).split()
