"""Messy CRM customer records at any size, with their answer key: the bundled extract's mess, vectorised.

:func:`make_messy_crm` draws ``n_records`` customer records of made-up people exported from the
same three channels as :func:`~sim.datasets.load_crm_extract` (web shop, stores / POS, call
centre), with the same kinds of mess at the same rates (see :mod:`sim.datasets.crm_mess`):
one person under several ids (one per channel, sometimes a second account), households sharing
a phone and a family name, name typos and formats, missing tokens, unreadable phones and
e-mails, five date formats, exact duplicate rows. The answer key says which record is which
person, so a de-duplication can be scored with :func:`~sim.datasets.scoring.score_merges`.
It is drawn with numpy array operations (a million records in seconds), for benchmarks and
tests at scale (``benchmarks/dedup.py``); the bundled 2 409-record extract is made by
:mod:`~sim.datasets.crm_mess` and does not change.

All personal data are synthetic: names from the 16 made-up syllables, e-mails at
``example.com`` / ``example.org``, phones ``+1 NXX-555-XXXX`` (the 555 exchange, which carries no
subscriber lines; the bundled extract keeps to its fiction range 0100-0199, too small for a
million people).

Examples
--------
>>> crm = make_messy_crm(2_000, seed=1)
>>> list(crm.customers.columns)
['source', 'customer_ref', 'name', 'phone', 'email', 'signup_date']
>>> len(crm.customers), crm.answer_key["row"].tolist() == crm.customers.index.tolist()
(2000, True)
>>> from sim.datasets.scoring import score_merges
>>> truth = crm.answer_key.groupby("master_customer_id")["customer_ref"].transform("first")
>>> score_merges(dict(zip(crm.answer_key["customer_ref"], truth)), crm.answer_key)[["recall", "precision"]].tolist()
[1.0, 1.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils import Bunch

from sim.datasets.crm_mess import (
    _CUSTOMER_EXACT_DUP,
    _EMAIL_INVALID,
    _EMAIL_MISSING,
    _EXTRA,
    _HOUSEHOLD,
    _MISSING_TOKENS,
    _MONTHS,
    _NAME_MISSING,
    _NAME_TYPO,
    _PHONE_INVALID,
    _PHONE_MISSING,
    _PRIMARY,
    _SECOND_ACCOUNT,
    _SYLLABLES,
    _UNREADABLE_DATE,
    _area_codes,
    _typo,
)
from sim.datasets.recipe import CRM_SOURCES

__all__ = ["make_messy_crm"]

_REFS = {"web": ("W-", 7), "pos": ("P", 7), "callcentre": ("CC-", 6)}
_RECORDS_PER_PERSON = 1.6  # about what the bundled extract has (2 409 records of 1 520 people)


def _cat(*parts: np.ndarray | pa.Array | str) -> np.ndarray:
    """Element-wise concatenation of arrays of text and constant strings (in C, by Arrow)."""
    arrow = [p if isinstance(p, str) else _arrow(p) for p in parts]
    return _np(pc.binary_join_element_wise(*arrow, ""))


def _arrow(values: np.ndarray | pa.Array) -> pa.Array:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if values.dtype.kind in "iu":
        return pc.cast(pa.array(values), pa.string())
    return pa.array(values, type=pa.string())


def _np(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)


def _upper(values: np.ndarray) -> np.ndarray:
    return _np(pc.utf8_upper(_arrow(values)))


def _lower(values: np.ndarray) -> np.ndarray:
    return _np(pc.utf8_lower(_arrow(values)))


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    return _np(pc.utf8_lpad(_arrow(values), width, "0"))


def _slice(values: np.ndarray, start: int, stop: int) -> np.ndarray:
    return _np(pc.utf8_slice_codeunits(_arrow(values), start, stop))


def _dates_text(rng: np.random.Generator, days: np.ndarray, source: np.ndarray) -> np.ndarray:
    """The signup dates written the way each channel writes them (as in :mod:`~sim.datasets.crm_mess`)."""
    ts = pd.Timestamp("2025-01-01") + pd.to_timedelta(days, unit="D")
    y, m, d = (_np(_arrow(v.to_numpy().astype(np.int64))) for v in (ts.year, ts.month, ts.day))
    m2, d2 = _pad(m, 2), _pad(d, 2)
    month = np.array(_MONTHS, dtype=object)[ts.month.to_numpy() - 1]
    u = rng.random(len(days))
    return np.select(
        [source == 0, (source == 1) & (u < 0.85), source == 1, u < 0.5, u < 0.8],
        [
            _cat(y, "-", m2, "-", d2),
            _cat(m2, "/", d2, "/", y),
            _cat(y, m2, d2),
            _cat(_slice(month, 0, 3), " ", d, ", ", y),
            _cat(y, "年", m, "月", d, "日"),
        ],
        _cat(d, " ", month, " ", y),
    )


def make_messy_crm(n_records: int, seed: int = 0) -> Bunch:
    """``n_records`` messy customer records of made-up people, and the answer key.

    Parameters
    ----------
    n_records : int
        Number of records (rows) to return, at least 1.
    seed : int
        Seed of numpy's ``default_rng``: same seed, same records.

    Returns
    -------
    sklearn.utils.Bunch
        ``customers`` (columns and dtypes of ``load_crm_extract().customers``: source,
        customer_ref, name, phone, email, signup_date; raw text, empty cells missing) and
        ``answer_key`` (columns of ``load_crm_answer_key().customers``: row, source,
        customer_ref, master_customer_id, exact_duplicate_of, name_true, phone_true,
        email_true, signup_date_true, issues), row for row.

    Examples
    --------
    >>> a, b = make_messy_crm(300, seed=7), make_messy_crm(300, seed=7)
    >>> a.customers.equals(b.customers), bool(a.answer_key["issues"].map(len).sum() > 0)
    (True, True)
    """
    if isinstance(n_records, bool) or not isinstance(n_records, (int, np.integer)) or n_records < 1:
        raise ValueError(f"n_records={n_records!r}; give a whole number of records, at least 1")
    rng = np.random.default_rng([int(seed), 16])
    n_people = int(np.ceil(n_records / (_RECORDS_PER_PERSON - 0.1))) + 10  # a few spare: cut to n_records
    syl = np.array(_SYLLABLES, dtype=object)
    cap = np.array([s.capitalize() for s in _SYLLABLES], dtype=object)

    # --- people: names, phones (unique), e-mails, acquisition day; households share phone and family
    g = rng.integers(0, len(syl), (n_people, 2))
    f = rng.integers(0, len(syl), (n_people, 3))
    given = _cat(cap[g[:, 0]], syl[g[:, 1]])
    family = _cat(cap[f[:, 0]], syl[f[:, 1]], np.where(rng.random(n_people) < 0.5, syl[f[:, 2]], ""))
    codes = np.array(_area_codes(1000), dtype=np.int64)
    slots = rng.choice(len(codes) * 10_000, size=n_people, replace=False)
    phone = _cat("+1", codes[slots // 10_000], "555", _pad(slots % 10_000, 4))
    domain = np.where(rng.random(n_people) < 0.7, "example.com", "example.org")
    pid = np.arange(n_people)
    house = (rng.random(n_people) < _HOUSEHOLD) & (pid > 0)
    other = (rng.random(n_people) * pid).astype(np.int64)
    shares = house.copy()
    shares[other[house]] = True
    family = np.where(house, family[other], family)
    phone = np.where(house, phone[other], phone)
    domain = np.where(house, "example.com", domain)
    email = _lower(_cat(given, ".", family, ".", pid, "@", domain.astype(object)))
    acquired = rng.integers(0, 365, n_people)

    # --- records: the primary channel, extra channels, sometimes a second account in the primary one
    primary = rng.choice(3, size=n_people, p=list(_PRIMARY.values()))
    extra = rng.random((n_people, 3)) < np.array(list(_EXTRA.values()))
    extra[pid, primary] = False
    second = rng.random(n_people) < _SECOND_ACCOUNT
    alt = np.where(
        rng.random(n_people) < 0.5,
        email,
        _np(pc.replace_substring(_arrow(email), pattern="@", replacement=".b@", max_replacements=1)),
    )
    m_parts, s_parts, e_parts, p_parts = [pid], [primary], [email], [np.ones(n_people, bool)]
    for c in range(3):
        m_parts.append(pid[extra[:, c]])
        s_parts.append(np.full(int(extra[:, c].sum()), c))
        e_parts.append(email[extra[:, c]])
        p_parts.append(np.zeros(int(extra[:, c].sum()), bool))
    m_parts += [pid[second]]
    s_parts += [primary[second]]
    e_parts += [alt[second]]
    p_parts += [np.zeros(int(second.sum()), bool)]
    master, source = np.concatenate(m_parts), np.concatenate(s_parts)
    r_email, is_primary = np.concatenate(e_parts), np.concatenate(p_parts)
    span = 364 - acquired[master]
    signup = np.where(
        is_primary, acquired[master], acquired[master] + (rng.random(len(master)) * (span + 1)).astype(int)
    )
    order = np.lexsort((np.arange(len(master)), master, signup, source))
    master, source, r_email, signup = master[order], source[order], r_email[order], signup[order]
    n_rec = len(master)
    n_of_person = np.bincount(master, minlength=n_people)

    # --- the mess of each record
    issues: list[list[str]] = [[] for _ in range(n_rec)]
    src_names = np.array(CRM_SOURCES, dtype=object)[source]
    gv, fm = given[master].copy(), family[master].copy()
    typo_p = np.array([_NAME_TYPO[s] for s in CRM_SOURCES])[source]
    for k in np.flatnonzero(rng.random(n_rec) < typo_p):
        if rng.random() < 0.5:
            gv[k] = _typo(rng, gv[k])
        else:
            fm[k] = _typo(rng, fm[k])
        issues[k].append("name_typo")
    lower_cc = rng.random(n_rec) < 0.5
    name = np.where(
        source == 0,
        _cat(gv, " ", fm),
        np.where(
            source == 1,
            _cat(_upper(fm), " ", _upper(gv)),
            np.where(lower_cc, _cat(fm, ", ", gv), _lower(_cat(gv, " ", fm))),
        ),
    )
    dbl = rng.random(n_rec) < 0.03
    name[dbl] = [s.replace(" ", "  ", 1) for s in name[dbl]]
    nomiss = (rng.random(n_rec) < _NAME_MISSING) & (n_of_person[master] == 1) & ~shares[master]
    name[nomiss] = ""
    for k in np.flatnonzero(nomiss):
        issues[k].append("name_missing")

    tokens = np.array(_MISSING_TOKENS, dtype=object)
    ph = phone[master]
    area, exch, line = (_slice(ph, a, b) for a, b in ((2, 5), (5, 8), (8, 12)))
    style = rng.integers(0, 4, n_rec)
    cc_styles = [
        _cat(area, ".", exch, ".", line),
        _cat(area, exch, line),
        _cat("1-", area, "-", exch, "-", line),
        _cat("001 ", area, " ", exch, " ", line),
    ]
    phone_txt = np.where(
        source == 0,
        _cat("+1 ", area, "-", exch, "-", line),
        np.where(source == 1, _cat("(", area, ") ", exch, "-", line), np.choose(style, cc_styles)),
    )
    u = rng.random(n_rec)
    miss_p = u < _PHONE_MISSING
    bad_p = ~miss_p & (u < _PHONE_MISSING + _PHONE_INVALID)
    phone_txt[miss_p] = tokens[rng.integers(0, len(tokens), int(miss_p.sum()))]
    short = rng.random(n_rec) < 0.5
    invalid = np.where(short, _cat(exch, "-", line), _cat(area, "-", exch, "-", _slice(line, 0, 3)))
    phone_txt[bad_p] = invalid[bad_p]
    for k in np.flatnonzero(miss_p):
        issues[k].append("phone_missing")
    for k in np.flatnonzero(bad_p):
        issues[k].append("phone_invalid")

    u = rng.random(n_rec)
    e_miss = np.array([_EMAIL_MISSING[s] for s in CRM_SOURCES])[source]
    miss_e = u < e_miss
    bad_e = ~miss_e & (u < e_miss + _EMAIL_INVALID)
    v = rng.random(n_rec)
    email_txt = np.where(
        (source == 1) & (v < 0.3),
        _upper(r_email),
        np.where(
            (source == 2) & (v < 0.3),
            _cat(" ", _upper(_slice(r_email, 0, 1)), _slice(r_email, 1, 10_000), " "),
            r_email,
        ),
    )
    email_txt[miss_e] = tokens[rng.integers(0, len(tokens), int(miss_e.sum()))]
    at_form = rng.random(n_rec) < 0.5
    for k in np.flatnonzero(bad_e):
        user, _, dom = r_email[k].partition("@")
        email_txt[k] = f"{user} at {dom}" if at_form[k] else f"{user}@{dom.rsplit('.', 1)[0]}"
    for k in np.flatnonzero(miss_e):
        issues[k].append("email_missing")
    for k in np.flatnonzero(bad_e):
        issues[k].append("email_invalid")

    date_txt = _dates_text(rng, signup, source)
    unread = rng.random(n_rec) < 0.003
    date_txt[unread] = np.array([_UNREADABLE_DATE[s] for s in CRM_SOURCES], dtype=object)[source[unread]]
    for k in np.flatnonzero(unread):
        issues[k].append("date_unreadable")

    # --- refs per channel in signup order, exact duplicate rows, cut to n_records
    refs = np.empty(n_rec, dtype=object)
    for c, s in enumerate(CRM_SOURCES):
        idx = np.flatnonzero(source == c)
        prefix, width = _REFS[s]
        refs[idx] = _cat(prefix, _pad(np.arange(1, len(idx) + 1), width))
    copies = np.where(rng.random(n_rec) < _CUSTOMER_EXACT_DUP, 2, 1)
    rows = np.repeat(np.arange(n_rec), copies)[:n_records]
    is_copy = np.r_[False, rows[1:] == rows[:-1]]
    customers = pd.DataFrame(
        {
            "source": src_names[rows],
            "customer_ref": refs[rows],
            "name": name[rows],
            "phone": phone_txt[rows],
            "email": email_txt[rows],
            "signup_date": date_txt[rows],
        }
    ).astype("string")
    customers = customers.replace("", pd.NA)
    pos = np.arange(len(rows))
    answer_key = pd.DataFrame(
        {
            "row": pos,
            "source": pd.array(src_names[rows], dtype="string"),
            "customer_ref": pd.array(refs[rows], dtype="string"),
            "master_customer_id": master[rows].astype(np.int64),
            "exact_duplicate_of": pd.array(np.where(is_copy, pos - 1, -1), dtype="Int64"),
            "name_true": pd.array(_cat(given, " ", family)[master[rows]], dtype="string"),
            "phone_true": pd.array(phone[master[rows]], dtype="string"),
            "email_true": pd.array(r_email[rows], dtype="string"),
            "signup_date_true": pd.Timestamp("2025-01-01") + pd.to_timedelta(signup[rows], unit="D"),
            "issues": [issues[k] for k in rows],
        }
    )
    answer_key.loc[~is_copy, "exact_duplicate_of"] = pd.NA
    return Bunch(customers=customers, answer_key=answer_key)
