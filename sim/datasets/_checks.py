"""What every bundled CSV file must hold, and the reader that checks it (typed, row-and-column errors).

The expectations come from the data dictionary (:mod:`sim.schema`): the columns of each file,
their types, the bounds their units imply (a probability is in [0, 1], a month in 1..12, an
amount >= 0 ...), the vocabularies the dictionary defines (severities, causes, channels, churn
reasons) and a unique primary key. The CRM extract is raw text on purpose (its mess is the
content), so only its columns are checked; its answer key has a typed spec of its own.

The reader parses with :mod:`csv` so that every record keeps its line number; errors name the
file, the column, the first offending values with their line numbers (the header is line 1)
and what is allowed.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> p = Path(tempfile.mkdtemp()) / "retail" / "orders.csv"
>>> p.parent.mkdir()
>>> _ = p.write_text("order_id\\n1\\n", encoding="utf-8")
>>> read_checked(p)  # doctest: +ELLIPSIS
Traceback (most recent call last):
sim.errors.DataError: .../retail/orders.csv: column 'customer_id': missing columns [...]
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.datasets.recipe import CAPSTONE_TABLES, CRM_SOURCES, RETAIL_TABLES
from sim.errors import DataError
from sim.schema import ARCHETYPES, CAUSES, CHANNELS, CHURN_REASONS, SEVERITIES, STAGES, TABLES, observed_columns

__all__ = ["FileSpec", "FILE_SPECS", "PRIMARY_KEYS", "UNIT_BOUNDS", "VOCABULARIES", "read_checked"]

#: Primary key of each data-dictionary table (no two rows may share it); events have none.
PRIMARY_KEYS: dict[str, str] = {
    "customers": "customer_id",
    "orders": "order_id",
    "tickets": "ticket_id",
    "surveys": "survey_id",
    "contacts": "contact_id",
}


@dataclass(frozen=True)
class FileSpec:
    """What one bundled CSV file must hold: its columns with their types, and its primary key.

    ``dtypes`` uses the data dictionary's types (``int64``, ``float64``, ``bool``, ``boolean``,
    ``datetime64[ns]``, ``string``) plus ``Int64`` (whole number or empty) and ``date``
    (``YYYY-MM-DD``) for the CRM answer key.
    """

    table: str
    dtypes: dict[str, str]
    key: str | None = None
    #: column -> (low, high) bounds of its unit (None = open), for numeric columns
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    #: column -> the documented vocabulary of a category column
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)


#: Bounds implied by a data-dictionary unit (a probability is in [0, 1], a time in days is >= 0, ...).
UNIT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "probability": (0.0, 1.0),
    "month": (1, 12),
    "0-10": (0.0, 10.0),
    "currency": (0.0, None),
    "days": (0.0, None),
    "hours": (0.0, None),
    "points": (0.0, None),
    "orders/day": (0.0, None),
    "1/currency": (0.0, None),
}
#: Category columns whose vocabulary :mod:`sim.schema` defines.
VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("tickets", "severity"): SEVERITIES,
    ("tickets", "cause"): CAUSES,
    ("contacts", "channel"): CHANNELS,
    ("customers", "true_churn_reason"): ("", *CHURN_REASONS),
    ("customers", "true_archetype"): ("", *ARCHETYPES),
    ("customers", "true_stage"): STAGES,
}


def _from_dictionary(table: str, cols: list[str], key: str | None) -> FileSpec:
    spec = TABLES[table]
    return FileSpec(
        table,
        {c: spec[c].dtype for c in cols},
        key,
        bounds={c: UNIT_BOUNDS[spec[c].unit] for c in cols if spec[c].unit in UNIT_BOUNDS},
        vocabulary={c: VOCABULARIES[table, c] for c in cols if (table, c) in VOCABULARIES},
    )


def _file_specs() -> dict[str, FileSpec]:
    specs = {f"retail/{t}.csv": _from_dictionary(t, observed_columns(t), PRIMARY_KEYS[t]) for t in RETAIL_TABLES}
    for t in CAPSTONE_TABLES:  # the capstone's "your company" log: observed columns only
        specs[f"your_company/{t}.csv"] = _from_dictionary(t, observed_columns(t), PRIMARY_KEYS[t])
    truth = ["customer_id", *[c for c in TABLES["customers"] if c.startswith("true_")]]
    specs["retail_truth/customers.csv"] = _from_dictionary("customers", truth, "customer_id")
    specs["retail_truth/events.csv"] = _from_dictionary("events", list(TABLES["events"]), None)
    specs["retail_truth/orders.csv"] = _from_dictionary("orders", ["order_id", "true_quality_issue"], "order_id")
    raw = {
        "customers": ["customer_ref", "name", "phone", "email", "signup_date"],
        "orders": ["order_ref", "customer_ref", "date", "amount", "currency"],
    }
    for source in CRM_SOURCES:
        for t, cols in raw.items():  # raw text on purpose: the mess is the content
            specs[f"crm_extract/{source}_{t}.csv"] = FileSpec(f"crm extract {t}", dict.fromkeys(cols, "string"))
    key_common = {
        "row": "int64",
        "source": "string",
    }
    specs["crm_answer_key/customers.csv"] = FileSpec(
        "crm answer key customers",
        {
            **key_common,
            "customer_ref": "string",
            "master_customer_id": "int64",
            "exact_duplicate_of": "Int64",
            "name_true": "string",
            "phone_true": "string",
            "email_true": "string",
            "signup_date_true": "date",
            "issues": "string",
        },
        "row",
    )
    specs["crm_answer_key/orders.csv"] = FileSpec(
        "crm answer key orders",
        {
            **key_common,
            "order_ref": "string",
            "customer_ref": "string",
            "master_customer_id": "int64",
            "order_id": "int64",
            "exact_duplicate_of": "Int64",
            "date_true": "date",
            "amount_cny_true": "float64",
            "amount_cny_recorded": "float64",
            "review_flag_expected": "bool",
            "issues": "string",
        },
        "row",
    )
    return specs


#: The expected content of every bundled file, by its name relative to the data folder.
FILE_SPECS: dict[str, FileSpec] = _file_specs()

_D = "[0-9]"  # ASCII digits only (\d would accept other scripts' digits)
_INT = rf"-?{_D}+"
_FLOAT = rf"-?(?:{_D}+(?:\.{_D}*)?|\.{_D}+)(?:[eE][-+]?{_D}+)?"
#: dtype -> (regular expression a value must match in full, empty allowed, what is allowed)
_RULES: dict[str, tuple[str | None, bool, str]] = {
    "int64": (_INT, False, "a whole number such as 42 (no decimals, exponent, blank or nan)"),
    "Int64": (_INT, True, "a whole number such as 42, or empty for missing"),
    "float64": (_FLOAT, True, "a decimal number such as 12.5, or empty for missing (no inf or nan text)"),
    "bool": ("True|False", False, "exactly True or False"),
    "boolean": ("True|False", True, "exactly True or False, or empty for missing"),
    "datetime64[ns]": (rf"{_D}{{4}}-{_D}{{2}}-{_D}{{2}} {_D}{{2}}:{_D}{{2}}:{_D}{{2}}", False, "YYYY-MM-DD HH:MM:SS"),
    "date": (rf"{_D}{{4}}-{_D}{{2}}-{_D}{{2}}", False, "a date YYYY-MM-DD"),
    "string": (None, True, "any text"),
}
_DATE_FORMATS = {"datetime64[ns]": "%Y-%m-%d %H:%M:%S", "date": "%Y-%m-%d"}
#: How many offending values an error message quotes.
_SHOWN = 3


def _short(value: str, limit: int = 30) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def _parse_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and each record's first line number (the header is line 1)."""
    where = str(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            header = next(reader, None)
            if header is None:
                raise DataError("the file is empty (no header line)", table=where)
            rows: list[list[str]] = []
            lines: list[int] = []
            last = reader.line_num
            if any("\x00" in f for f in header):
                raise DataError("line 1 holds a NUL byte; a CSV file holds text only", table=where, rows=[1])
            for rec in reader:
                first = last + 1
                last = reader.line_num
                if any("\x00" in f for f in rec):
                    raise DataError(
                        f"line {first} holds a NUL byte; a CSV file holds text only", table=where, rows=[first]
                    )
                if len(rec) != len(header):
                    raise DataError(
                        f"line {first} has {len(rec)} field(s), the header has {len(header)}; "
                        "every line needs one value per column (quote values that contain commas)",
                        table=where,
                        rows=[first],
                    )
                rows.append(rec)
                lines.append(first)
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start}: {exc.reason})", table=where) from None
    except csv.Error as exc:
        raise DataError(f"not valid CSV near line {reader.line_num}: {exc}", table=where) from None
    return header, rows, lines


def _check_header(header: list[str], spec: FileSpec, where: str) -> None:
    expected = list(spec.dtypes)
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise DataError(
            f"the header names this column more than once; expected columns: {expected}", table=where, column=dupes[0]
        )
    missing = [c for c in expected if c not in header]
    if missing:
        raise DataError(
            f"missing column{'s' if len(missing) > 1 else ''} {missing} (data dictionary, table {spec.table!r}); "
            f"expected columns: {expected}",
            table=where,
            column=missing[0],
        )
    extra = [c for c in header if c not in spec.dtypes]
    if extra:
        raise DataError(
            f"unexpected column{'s' if len(extra) > 1 else ''} {[_short(c) for c in extra]}; "
            f"expected columns (table {spec.table!r}): {expected}",
            table=where,
            column=extra[0],
        )


def _bad_values(values: pd.Series, dtype: str) -> pd.Series:
    """Mask of the values that do not read as ``dtype``."""
    pattern, empty_ok, _ = _RULES[dtype]
    if pattern is None:
        return pd.Series(False, index=values.index)
    bad = ~values.str.fullmatch(pattern)
    if empty_ok:
        bad &= values != ""
    if dtype in _DATE_FORMATS:  # the right shape but no such day or time (2025-02-30, 25:00:00)
        ok = ~bad & (values != "")
        parsed = pd.to_datetime(values[ok], format=_DATE_FORMATS[dtype], errors="coerce")
        bad[parsed.index[parsed.isna()]] = True
    elif dtype in ("int64", "Int64"):  # digits, but beyond the 64-bit range
        long = ~bad & (values.str.len() > 18)
        for i in values.index[long]:
            if not -(2**63) <= int(values[i]) < 2**63:
                bad[i] = True
    return bad


def _check_values(text: pd.DataFrame, lines: list[int], spec: FileSpec, where: str) -> None:
    line_no = pd.Series(lines, index=text.index)
    for col, dtype in spec.dtypes.items():
        bad = _bad_values(text[col], dtype)
        if bad.any():
            shown = ", ".join(f"{_short(v)} (line {n})" for v, n in zip(text[col][bad][:_SHOWN], line_no[bad][:_SHOWN]))
            raise DataError(
                f"{int(bad.sum())} value(s) are not {dtype}: {shown}; allowed: {_RULES[dtype][2]}; "
                "rows are line numbers in the file, the header being line 1",
                table=where,
                column=col,
                rows=line_no[bad].tolist(),
            )
    for col, (low, high) in spec.bounds.items():
        x = pd.to_numeric(text[col].replace("", np.nan)).astype("float64")
        bad = pd.Series(False, index=x.index)
        if low is not None:
            bad |= x < low
        if high is not None:
            bad |= x > high
        if bad.any():
            shown = ", ".join(f"{_short(v)} (line {n})" for v, n in zip(text[col][bad][:_SHOWN], line_no[bad][:_SHOWN]))
            unit = TABLES[spec.table][col].unit
            rng = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
            raise DataError(
                f"{int(bad.sum())} value(s) out of range: {shown}; allowed for unit {unit!r}: {rng}; "
                "rows are line numbers in the file, the header being line 1",
                table=where,
                column=col,
                rows=line_no[bad].tolist(),
            )
    for col, words in spec.vocabulary.items():
        bad = ~text[col].isin(words)
        if bad.any():
            shown = ", ".join(f"{_short(v)} (line {n})" for v, n in zip(text[col][bad][:_SHOWN], line_no[bad][:_SHOWN]))
            raise DataError(
                f"{int(bad.sum())} value(s) not in the vocabulary: {shown}; allowed: {list(words)}; "
                "rows are line numbers in the file, the header being line 1",
                table=where,
                column=col,
                rows=line_no[bad].tolist(),
            )
    if spec.key is not None:
        dup = text[spec.key].duplicated(keep=False)
        if dup.any():
            first = text[spec.key][dup].iloc[0]
            raise DataError(
                f"{int(dup.sum())} rows share a value of the primary key, e.g. {_short(first)}; "
                f"each {spec.key} must appear once; rows are line numbers in the file, the header being line 1",
                table=where,
                column=spec.key,
                rows=line_no[dup].tolist(),
            )


def read_checked(path: Path) -> pd.DataFrame:
    """A bundled CSV file as text columns, checked against its :data:`FILE_SPECS` entry.

    Raises :class:`~sim.errors.DataError` naming the file, the column and the offending lines
    (line numbers in the file, header = line 1): a malformed line, a missing, unexpected or
    repeated column, a value that does not read as the column's type, a repeated primary key.
    """
    header, rows, lines = _parse_rows(path)
    spec = FILE_SPECS.get(f"{path.parent.name}/{path.name}")
    where = str(path)
    if spec is not None:
        _check_header(header, spec, where)
    elif len(set(header)) != len(header):
        raise DataError("the header names a column more than once", table=where)
    text = pd.DataFrame(rows, columns=header, dtype=str)
    if spec is not None:
        _check_values(text, lines, spec, where)
    return text
