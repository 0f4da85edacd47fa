"""Privacy helpers: keyed pseudonyms, display masks, data minimisation, a regulation overview.

* :func:`pseudonymise` replaces identifiers by a keyed hash (HMAC-SHA256). The same value and
  salt always give the same pseudonym, so tables can still be joined; without the salt (a
  secret key kept apart from the data) the mapping cannot be recomputed or reversed by
  hashing guesses. A plain unkeyed hash of a phone number would be easy to reverse by
  hashing every possible number, which is why a key is required. Pseudonymised data are
  still personal data under GDPR and PIPL (whoever has the key can re-identify).
* :func:`mask_phone`, :func:`mask_email`, :func:`mask_name` hide most of a value for display
  (service screens, reports), e.g. ``138****8000``.
* :func:`minimise` drops direct identifiers from an analysis set (optionally keeping a
  pseudonymised join key) and reports what it did.
* :func:`regulation_table` compares GDPR, CCPA (as amended by CPRA) and China's PIPL on a few
  points, in general terms. **It is not legal advice.**

Which library does the work: the standard library's :mod:`hmac` and :mod:`hashlib`
(HMAC-SHA256) and pandas. Hand-written: the masking rules and the minimisation report
(small, display-oriented rules for which no maintained library is needed).

Examples
--------
>>> import pandas as pd
>>> from sim.analysis.privacy import pseudonymise, mask_phone
>>> pseudonymise(pd.Series([1, 2, 1]), salt="course-secret").nunique()
2
>>> mask_phone("13800138000")
'138****8000'
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import overload

import numpy as np
import pandas as pd

from sim.analysis._validate import require_columns
from sim.errors import ConfigError, DataError

__all__ = [
    "pseudonymise",
    "mask_phone",
    "mask_email",
    "mask_name",
    "minimise",
    "regulation_table",
    "DIRECT_IDENTIFIERS",
    "DISCLAIMER",
]

#: Column names treated as direct identifiers by :func:`minimise` (case-insensitive).
DIRECT_IDENTIFIERS: tuple[str, ...] = (
    "name",
    "full_name",
    "first_name",
    "last_name",
    "phone",
    "mobile",
    "telephone",
    "email",
    "address",
    "street",
    "id_number",
    "national_id",
    "passport",
    "wechat",
    "wechat_id",
    "ip_address",
    "device_id",
    "birth_date",
    "date_of_birth",
)

#: Printed with :func:`regulation_table`.
DISCLAIMER = (
    "General summary for training only, not legal advice. Laws, thresholds and "
    "guidance change; check the current texts and ask a qualified lawyer."
)

_CJK = re.compile(r"[\u3400-\u9fff]")


def _is_na(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT


def _canonical_text(v: object) -> str:
    """Text that is hashed: integral floats as integers so 7 and 7.0 get the same pseudonym."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


def pseudonymise(values: pd.Series, salt: str | bytes, *, length: int = 16, prefix: str = "") -> pd.Series:
    """Replace each value by a keyed pseudonym: hex HMAC-SHA256(salt, value), truncated.

    Parameters
    ----------
    values : pandas.Series
        Identifiers (ids, phones, e-mails ...). Values are hashed as text (``str``); integral
        floats are written as integers first (7.0 -> "7"). Missing values stay missing.
        Normalise formats first (e.g. :func:`sim.analysis.quality.normalise_phones`) so that
        one person gets one pseudonym.
    salt : str or bytes
        The secret key. Required and non-empty; keep it apart from the data (e.g.
        ``secrets.token_hex(16)`` in a key store). The same salt gives the same pseudonyms.
    length : int
        Hex characters kept (4-64; 16 = 64 bits, collisions are negligible below ~10**8 ids).
    prefix : str
        Prepended to each pseudonym (e.g. ``"c_"``).

    Returns
    -------
    pandas.Series
        Same index and name, string dtype.

    Raises
    ------
    ConfigError
        If the salt is not ``str``/``bytes``, is empty, or ``length`` is out of range.
    DataError
        If ``values`` is not a Series.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = pd.Series([101, 102, 101], name="customer_id")
    >>> p = pseudonymise(ids, salt="s3cret", length=8)
    >>> p.iloc[0] == p.iloc[2], p.iloc[0] == p.iloc[1], len(p.iloc[0])
    (True, False, 8)
    >>> pseudonymise(ids, salt="s3cret", length=8).equals(p)
    True
    """
    if not isinstance(values, pd.Series):
        raise DataError(f"expected a pandas Series, got {type(values).__name__}", table="pseudonymise")
    if salt is not None and not isinstance(salt, str | bytes | bytearray):
        raise ConfigError(
            f"salt of type {type(salt).__name__} is not allowed (value not shown: it is a secret): give the "
            "secret key as str or bytes (e.g. secrets.token_hex(16))"
        )
    if salt is None or len(salt) == 0:
        raise ConfigError(
            "salt is empty: pseudonymise needs a secret key (e.g. secrets.token_hex(16)), "
            "stored apart from the data; without it the pseudonyms could be recomputed from guesses"
        )
    if isinstance(length, bool) or not isinstance(length, int) or not 4 <= length <= 64:
        raise ConfigError(f"length={length!r} must be an integer between 4 and 64 hex characters")
    key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    cache: dict[str, str] = {}

    def one(v: object) -> object:
        if _is_na(v):
            return pd.NA
        text = _canonical_text(v)
        if text not in cache:
            cache[text] = prefix + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
        return cache[text]

    return pd.Series([one(v) for v in values], index=values.index, name=values.name, dtype="string")


@overload
def mask_phone(value: str, keep_first: int = ..., keep_last: int = ...) -> str: ...
@overload
def mask_phone(value: pd.Series, keep_first: int = ..., keep_last: int = ...) -> pd.Series: ...
def mask_phone(value, keep_first: int = 3, keep_last: int = 4):
    """Mask a phone number for display, keeping the first 3 and last 4 digits.

    Separators are kept; the masked digits become ``*``. If fewer than four digits would be
    hidden, every digit is masked. ``keep_first`` / ``keep_last`` must be whole numbers >= 0
    (anything else is a ``ConfigError``). A country code counts as leading digits
    (``+8613800138000`` -> ``+861******8000``). Accepts a string or a Series (missing values
    stay missing).

    Examples
    --------
    >>> mask_phone("13800138000"), mask_phone("138-0013-8000"), mask_phone("12345")
    ('138****8000', '138-****-8000', '*****')
    >>> mask_phone("+8613800138000")
    '+861******8000'
    """
    for name, keep in (("keep_first", keep_first), ("keep_last", keep_last)):
        if isinstance(keep, bool) or not isinstance(keep, int | np.integer) or keep < 0:
            raise ConfigError(f"{name}={repr(keep)[:40]} is not allowed: give a whole number >= 0 of digits to keep")
    if isinstance(value, pd.Series):
        return value.map(lambda v: pd.NA if _is_na(v) else mask_phone(v, keep_first, keep_last)).astype("string")
    text = str(value)
    n = sum(ch.isdigit() for ch in text)
    if n - keep_first - keep_last < 4:
        keep_first = keep_last = 0
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_first or seen > n - keep_last else "*")
        else:
            out.append(ch)
    return "".join(out)


@overload
def mask_email(value: str) -> str: ...
@overload
def mask_email(value: pd.Series) -> pd.Series: ...
def mask_email(value):
    """Mask an e-mail address: first character of the user name, then ``***``, domain kept.

    The masked part always has three stars, so its length is not revealed. A value without
    ``@`` is masked completely.

    Examples
    --------
    >>> mask_email("zhang.wei@example.com"), mask_email("not an email")
    ('z***@example.com', '***')
    """
    if isinstance(value, pd.Series):
        return value.map(lambda v: pd.NA if _is_na(v) else mask_email(v)).astype("string")
    text = str(value).strip()
    user, at, domain = text.partition("@")
    if not at or not user or not domain:
        return "***"
    return f"{user[0]}***@{domain}"


@overload
def mask_name(value: str) -> str: ...
@overload
def mask_name(value: pd.Series) -> pd.Series: ...
def mask_name(value):
    """Mask a name: keep the first character of each word (Chinese names: the first character).

    Examples
    --------
    >>> mask_name("张伟"), mask_name("欧阳娜娜"), mask_name("Zhang Wei")
    ('张*', '欧***', 'Z**** W**')
    """
    if isinstance(value, pd.Series):
        return value.map(lambda v: pd.NA if _is_na(v) else mask_name(v)).astype("string")
    text = str(value).strip()
    if _CJK.search(text):
        compact = "".join(text.split())
        return compact[:1] + "*" * max(len(compact) - 1, 1)
    return " ".join(w[:1] + "*" * max(len(w) - 1, 1) for w in text.split())


def minimise(
    df: pd.DataFrame,
    identifiers: Sequence[str] | None = None,
    *,
    pseudonymise_cols: Sequence[str] = (),
    salt: str | bytes | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Prepare an analysis set: drop direct identifiers, pseudonymise join keys, report it.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    identifiers : sequence of str, optional
        Columns to drop. Default: the columns of ``df`` whose lower-case name is in
        :data:`DIRECT_IDENTIFIERS`. A listed column that is absent raises
        :class:`~sim.errors.DataError`.
    pseudonymise_cols : sequence of str
        Columns to keep but replace by :func:`pseudonymise` (e.g. ``customer_id`` so tables
        can still be joined). Needs ``salt``.
    salt : str or bytes, optional
        Secret key for the pseudonyms.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The minimised copy and a report with one row per column touched: ``column``,
        ``action`` (``dropped`` / ``pseudonymised``), ``non_missing`` (values affected),
        ``reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": [1, 2], "Name": ["Li Na", "Wang Fang"], "phone": ["139", "137"],
    ...                    "amount": [10.0, 20.0]})
    >>> out, report = minimise(df, pseudonymise_cols=["customer_id"], salt="k")
    >>> list(out.columns), report["action"].tolist()
    (['customer_id', 'amount'], ['dropped', 'dropped', 'pseudonymised'])
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table="minimise")
    if identifiers is None:
        drop = [c for c in df.columns if str(c).lower() in DIRECT_IDENTIFIERS]
    else:
        drop = list(identifiers)
        require_columns(df, dict.fromkeys(drop, "any"), table="minimise", allow_empty=True)
    pcols = list(pseudonymise_cols)
    require_columns(df, dict.fromkeys(pcols, "any"), table="minimise", allow_empty=True)
    both = set(drop) & set(pcols)
    if both:
        raise DataError(
            f"column(s) {sorted(both)} both dropped and pseudonymised; choose one",
            table="minimise",
            column=sorted(both)[0],
        )
    if pcols and not salt:
        raise ConfigError("pseudonymise_cols needs a non-empty salt (secret key)")
    rows = [
        {
            "column": c,
            "action": "dropped",
            "non_missing": int(df[c].notna().sum()),
            "reason": "direct identifier: not needed for analysis",
        }
        for c in drop
    ]
    out = df.drop(columns=drop)
    for c in pcols:
        out[c] = pseudonymise(df[c], salt)  # type: ignore[arg-type]
        rows.append(
            {
                "column": c,
                "action": "pseudonymised",
                "non_missing": int(df[c].notna().sum()),
                "reason": "join key kept as a keyed pseudonym (HMAC-SHA256)",
            }
        )
    report = pd.DataFrame(rows, columns=["column", "action", "non_missing", "reason"])
    return out, report


def regulation_table() -> pd.DataFrame:
    """GDPR vs CCPA/CPRA vs PIPL on scope, consent, rights, cross-border transfer, penalties.

    A general, simplified overview for training (as of 2024). **Not legal advice**
    (:data:`DISCLAIMER` is also stored in ``attrs["disclaimer"]``). Each law has exceptions,
    secondary rules and guidance that are not shown here.

    Returns
    -------
    pandas.DataFrame
        Index ``aspect`` (in_force, scope, consent_and_legal_basis, individual_rights,
        cross_border_transfer, penalties); columns ``GDPR (EU)``, ``CCPA/CPRA (California)``,
        ``PIPL (China)``.

    Examples
    --------
    >>> t = regulation_table()
    >>> list(t.index)
    ['in_force', 'scope', 'consent_and_legal_basis', 'individual_rights', 'cross_border_transfer', 'penalties']
    >>> "not legal advice" in t.attrs["disclaimer"]
    True
    """
    rows = {
        "in_force": (
            "Regulation (EU) 2016/679, applies since 25 May 2018.",
            "California Consumer Privacy Act 2018, in force 2020; amended by the CPRA (operative 2023).",
            "Personal Information Protection Law of the PRC, in force since 1 November 2021.",
        ),
        "scope": (
            "Personal data of people in the EU/EEA: organisations established there, and organisations "
            "elsewhere that offer goods or services to, or monitor the behaviour of, people in the EU.",
            "For-profit businesses that do business in California and meet a threshold (e.g. annual revenue "
            "above about USD 25 million, adjusted for inflation, or buying/selling/sharing data of 100,000+ "
            "consumers or households); protects California residents.",
            "Processing of personal information of natural persons in China, and processing abroad aimed at "
            "providing products or services to, or analysing the behaviour of, people in China.",
        ),
        "consent_and_legal_basis": (
            "Processing needs one of six legal bases (consent, contract, legal obligation, vital interests, "
            "public task, legitimate interests). Consent must be freely given, specific, informed, unambiguous "
            "and easy to withdraw; e-mail/SMS marketing is usually opt-in under the separate ePrivacy rules.",
            "Mainly notice and opt-out: notice at collection, a right to opt out of the sale or sharing of "
            "personal information; opt-in is required to sell/share data of consumers under 16.",
            "Consent is the main basis (others exist, e.g. performing a contract, legal duties). Separate "
            "consent is needed for sensitive personal information, giving data to other handlers, publishing "
            "it and transferring it abroad; marketing based on automated decisions must offer an easy way to refuse.",
        ),
        "individual_rights": (
            "Access, rectification, erasure, restriction, portability, objection (absolute for direct "
            "marketing), and rights on solely automated decisions.",
            "Know/access, delete, correct, opt out of sale/sharing, limit use of sensitive personal "
            "information, no discrimination for using these rights.",
            "Know and decide, access and copy, portability, correction, deletion, explanation of the "
            "processing rules, withdrawal of consent.",
        ),
        "cross_border_transfer": (
            "Outside the EEA only with an adequacy decision, appropriate safeguards (e.g. standard "
            "contractual clauses, binding corporate rules) or a specific derogation.",
            "No general restriction on transfers abroad; contracts are required with service providers, "
            "contractors and third parties.",
            "Requires one route: a security assessment by the Cyberspace Administration (mandatory for "
            "critical operators and large volumes), certification, or the standard contract; plus separate "
            "consent and an impact assessment.",
        ),
        "penalties": (
            "Fines up to EUR 20 million or 4% of worldwide annual turnover, whichever is higher "
            "(lower tier: EUR 10 million or 2%); plus compensation claims.",
            "Civil penalties up to USD 2,500 per violation, USD 7,500 per intentional violation or one "
            "involving minors (adjusted for inflation); consumers may sue over certain data breaches.",
            "Serious cases: fines up to CNY 50 million or 5% of the previous year's turnover, possible "
            "suspension of business, and fines on the responsible managers; other cases up to CNY 1 million.",
        ),
    }
    t = pd.DataFrame.from_dict(rows, orient="index", columns=["GDPR (EU)", "CCPA/CPRA (California)", "PIPL (China)"])
    t.index.name = "aspect"
    t.attrs["disclaimer"] = DISCLAIMER
    return t
