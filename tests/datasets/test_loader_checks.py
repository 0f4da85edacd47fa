"""The dataset loaders refuse what they cannot read faithfully, naming the file, column and lines.

Each test corrupts a copy of a real bundled file in one way and checks the error: a folder
that does not match its ``MANIFEST.json`` (changed, missing or extra file) is refused before
anything is parsed; a folder whose manifest was re-sealed over bad content is refused by the
checks against the data dictionary (missing / unexpected column, a value that is not the
column's type, a repeated primary key, a malformed line). Line numbers count the header as
line 1, so data row ``i`` (0-based) is line ``i + 2``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sim import _atomic
from sim import datasets as D
from sim.errors import DataError

COMMITTED = D.datasets_dir()


@pytest.fixture
def data(tmp_path) -> Path:
    """A private copy of the bundled data folder (manifest included)."""
    out = tmp_path / "data"
    shutil.copytree(COMMITTED, out)
    return out


def reseal(folder: Path) -> None:
    """Rewrite the manifest's sizes and checksums for the files as they are now (a 'consistent' bad folder)."""
    path = folder / _atomic.MANIFEST_NAME
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["files"] = {n: _atomic.file_entry(folder / n) for n in D.MANIFEST}
    path.write_text(json.dumps(doc), encoding="utf-8")


def edit(path: Path, change: Callable[[list[str], list[list[str]]], None]) -> None:
    """Apply ``change(header, rows)`` in place and write the CSV back as the build writes it."""
    with open(path, encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    change(header, rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode("utf-8"))


def set_cells(path: Path, column: str, values: dict[int, str]) -> list[int]:
    """Put ``values`` (0-based data row -> text) into ``column``; return the line numbers touched."""

    def change(header, rows):
        j = header.index(column)
        for i, v in values.items():
            rows[i][j] = v

    edit(path, change)
    return [i + 2 for i in sorted(values)]


def refused(load: Callable[[], object], **match: object) -> DataError:
    with pytest.raises(DataError) as info:
        load()
    err = info.value
    for attr, want in match.items():
        assert getattr(err, attr) == want, (attr, str(err))
    assert len(str(err)) < 600, str(err)
    return err


# --------------------------------------------------------------------------- the manifest
def test_a_copy_that_matches_its_manifest_loads_like_the_bundled_data(data):
    a, b = D.load_retail(data), D.load_retail()
    for t in a:
        assert a[t].equals(b[t]), t
    assert sorted(D.load_crm_answer_key(data)) == ["customers", "orders"]


def test_a_changed_file_is_refused_by_its_checksum_before_parsing(data):
    target = data / "retail" / "orders.csv"
    target.write_bytes(target.read_bytes().replace(b"247.75", b"247.76", 1))  # same size, other bytes
    err = refused(lambda: D.load_retail(data))
    assert isinstance(err, _atomic.ManifestError)
    assert str(data) in str(err) and "retail/orders.csv" in str(err) and "SHA-256" in str(err)


@pytest.mark.parametrize("how", ["missing file", "extra file", "no manifest", "garbled manifest", "truncated file"])
def test_a_folder_that_does_not_match_its_manifest_is_refused(data, how):
    if how == "missing file":
        (data / "retail_truth" / "events.csv").unlink()
        named = "retail_truth/events.csv"
    elif how == "extra file":
        (data / "retail" / "orders_old.csv").write_text("order_id\n1\n", encoding="utf-8")
        named = "retail/orders_old.csv"
    elif how == "no manifest":
        (data / "MANIFEST.json").unlink()
        named = "MANIFEST.json"
    elif how == "garbled manifest":
        (data / "MANIFEST.json").write_text('{"format": "retention-lab-manifest", "files": ', encoding="utf-8")
        named = "MANIFEST.json"
    else:
        target = data / "crm_extract" / "web_orders.csv"
        target.write_bytes(target.read_bytes()[:1000])
        named = "crm_extract/web_orders.csv"
    for load in (D.load_retail, D.load_retail_truth, D.load_crm_extract, D.load_crm_answer_key):
        err = refused(lambda: load(data))
        assert isinstance(err, _atomic.ManifestError) and str(data) in str(err) and named in str(err), str(err)


# --------------------------------------------------------------------------- columns
def test_a_deleted_column_is_an_error_not_a_silent_gap(data):
    def drop_amount(header, rows):
        j = header.index("amount")
        del header[j]
        for r in rows:
            del r[j]

    edit(data / "retail" / "orders.csv", drop_amount)
    reseal(data)
    err = refused(lambda: D.load_retail(data), column="amount")
    assert "missing column" in str(err) and "orders.csv" in str(err) and "expected columns" in str(err)


def test_an_unexpected_column_is_named(data):
    def add(header, rows):
        header.append("true_alive")  # ground truth must not sneak into the firm's view
        for r in rows:
            r.append("True")

    edit(data / "retail" / "customers.csv", add)
    reseal(data)
    err = refused(lambda: D.load_retail(data), column="true_alive")
    assert "unexpected column" in str(err)


def test_the_crm_extract_keeps_its_raw_text_but_not_a_missing_column(data):
    def drop_phone(header, rows):
        j = header.index("phone")
        del header[j]
        for r in rows:
            del r[j]

    edit(data / "crm_extract" / "pos_customers.csv", drop_phone)
    reseal(data)
    err = refused(lambda: D.load_crm_extract(data), column="phone")
    assert "pos_customers.csv" in str(err)


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize(
    ("file", "column", "bad", "allowed"),
    [
        ("retail/orders.csv", "is_first", ["no", "false", "0", "", "TRUE", " True"], "exactly True or False"),
        ("retail/contacts.csv", "consent_ok", ["1", "yes", "n/a"], "exactly True or False"),
        ("retail/tickets.csv", "sla_met", ["no", "0", "NA"], "True or False, or empty"),
        (
            "retail/customers.csv",
            "birth_month",
            ["1.5", "1e3", "nan", "", "7.0", "99999999999999999999"],
            "whole number",
        ),
        ("retail/orders.csv", "amount", ["inf", "nan", "NaN", "-inf", "1,5", "12 CNY"], "no inf or nan"),
        (
            "retail/orders.csv",
            "date",
            ["2025-01-01", "01/02/2025 10:00:00", "2025-02-30 10:00:00", ""],
            "YYYY-MM-DD HH",
        ),
        ("retail_truth/customers.csv", "true_alive", ["alive", ""], "exactly True or False"),
        ("retail_truth/events.csv", "t", ["Infinity"], "decimal number"),
        ("crm_answer_key/orders.csv", "row", ["1.5"], "whole number"),
        ("crm_answer_key/customers.csv", "signup_date_true", ["2025-13-01", "03/04/2025"], "YYYY-MM-DD"),
        ("crm_answer_key/orders.csv", "review_flag_expected", ["no"], "exactly True or False"),
    ],
)
def test_a_value_of_the_wrong_type_names_file_column_and_lines(data, file, column, bad, allowed):
    rows = {5 + 37 * k: v for k, v in enumerate(bad)}  # scattered data rows
    lines = set_cells(data / file, column, rows)
    reseal(data)
    loader = {
        "retail": D.load_retail,
        "retail_truth": D.load_retail_truth,
        "crm_answer_key": D.load_crm_answer_key,
    }[file.split("/")[0]]
    err = refused(lambda: loader(data), column=column)
    assert err.rows == lines, (err.rows, lines)
    text = str(err)
    assert file.split("/")[1] in text and allowed in text and "line" in text
    assert repr(bad[0]) in text  # the first offending value is quoted


@pytest.mark.parametrize(
    ("file", "column", "ok"),
    [
        ("retail/tickets.csv", "sla_met", ""),  # nullable boolean: empty is missing
        ("retail/orders.csv", "amount", ""),  # float: empty is NaN
        ("retail/orders.csv", "amount", "1.5e3"),
        ("crm_answer_key/orders.csv", "exact_duplicate_of", ""),
    ],
)
def test_documented_missing_and_number_forms_still_load(data, file, column, ok):
    set_cells(data / file, column, {3: ok})
    reseal(data)
    loaded = (D.load_retail if file.startswith("retail/") else D.load_crm_answer_key)(data)
    value = loaded[Path(file).stem][column].iloc[3]
    assert (value == 1500.0) if ok else pd.isna(value)


@pytest.mark.parametrize(
    ("file", "column", "bad", "allowed"),
    [
        ("retail_truth/customers.csv", "true_dropout_prob", ["1.5", "-0.1"], "[0, 1]"),
        ("retail/customers.csv", "birth_month", ["0", "13"], "[1, 12]"),
        ("retail/orders.csv", "amount", ["-12.50"], ">= 0"),
        ("retail/tickets.csv", "wait_h", ["-1.0"], ">= 0"),
        ("retail_truth/customers.csv", "true_satisfaction_end", ["10.5"], "[0, 10]"),
    ],
)
def test_a_value_outside_its_units_range_is_named(data, file, column, bad, allowed):
    lines = set_cells(data / file, column, {4 + 11 * k: v for k, v in enumerate(bad)})
    reseal(data)
    loader = D.load_retail if file.startswith("retail/") else D.load_retail_truth
    err = refused(lambda: loader(data), column=column)
    assert err.rows == lines and "out of range" in str(err) and allowed in str(err)


@pytest.mark.parametrize(
    ("file", "column", "bad"),
    [
        ("retail/tickets.csv", "severity", "P9"),
        ("retail/tickets.csv", "cause", "weather"),
        ("retail/contacts.csv", "channel", "fax"),
        ("retail_truth/customers.csv", "true_churn_reason", "Product"),
    ],
)
def test_a_category_outside_the_documented_vocabulary_is_named(data, file, column, bad):
    lines = set_cells(data / file, column, {6: bad})
    reseal(data)
    loader = D.load_retail if file.startswith("retail/") else D.load_retail_truth
    err = refused(lambda: loader(data), column=column)
    assert err.rows == lines and "vocabulary" in str(err) and repr(bad) in str(err)


def test_a_repeated_primary_key_is_an_error(data):
    path = data / "retail" / "customers.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        ids = [r[0] for r in csv.reader(fh)][1:]
    set_cells(path, "customer_id", {10: ids[3]})  # row 10 now claims row 3's id
    reseal(data)
    err = refused(lambda: D.load_retail(data), column="customer_id")
    assert err.rows == [5, 12] and "primary key" in str(err) and repr(ids[3]) in str(err)


def test_a_malformed_line_is_named(data):
    path = data / "retail_truth" / "orders.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[7] += ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    reseal(data)
    err = refused(lambda: D.load_retail_truth(data))
    assert err.rows == [8] and "line 8 has 3 field(s), the header has 2" in str(err)


def test_text_that_is_not_utf8_is_named(data):
    path = data / "retail" / "surveys.csv"
    path.write_bytes(path.read_bytes().replace(b"nps", b"np\xe9", 1))
    reseal(data)
    err = refused(lambda: D.load_retail(data))
    assert "surveys.csv" in str(err) and "UTF-8" in str(err)
