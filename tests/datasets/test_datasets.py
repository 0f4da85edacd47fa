"""The bundled datasets: never drifting from the code, documented, and as messy as the key says.

* The files are rebuilt into a temporary folder (one build per session) and must be
  byte-identical to the committed ones and to the files listed in ``MANIFEST.json``; a tampered
  copy must be caught by ``retention-lab datasets build --check``.
* ``retail/`` is the simulator's observed output (checked against a fresh ``sim.run`` up to
  the documented rounding), and ``retail_truth/`` is its ground truth.
* The CRM extract's PII is synthetic (reserved phone range, RFC 2606 e-mail domains), and
  ``sim.analysis.quality`` finds the injected mess recorded in the answer key: exact
  duplicates, unreadable values and missing cells exactly, outliers above 100 000 exactly
  after currency conversion, duplicate customers with the documented recall and no false
  merge; cleaning recovers the true phone numbers, dates and amounts.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
import sim.cli
from sim import _atomic
from sim import datasets as D
from sim.analysis import quality as Q
from sim.datasets import crm as crm_loaders
from sim.datasets import crm_mess, retail
from sim.errors import DataError
from sim.schema import TABLES, observed_columns

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "sim" / "datasets" / "data"
PHONE_KW = {"country_code": D.CRM_COUNTRY_CODE, "national_lengths": D.CRM_NATIONAL_LENGTHS}
#: Documented in datasets/README.md: clean() merges at least this share of true duplicate pairs.
MIN_PAIR_RECALL = 0.90


@pytest.fixture(scope="session")
def fresh(tmp_path_factory) -> Path:
    """The datasets rebuilt from the code into a temporary folder."""
    out = tmp_path_factory.mktemp("datasets")
    D.build_datasets(out)
    return out


@pytest.fixture(scope="session")
def crm():
    return D.load_crm_extract()


@pytest.fixture(scope="session")
def key():
    return D.load_crm_answer_key()


# --------------------------------------------------------------------------- no drift


def test_committed_files_equal_a_fresh_build(fresh):
    """Byte for byte: regenerate, hash, compare with the committed files and the manifest."""
    built = D.file_checksums(fresh)
    assert set(built) == set(D.MANIFEST)
    committed = D.file_checksums(COMMITTED)
    stale = sorted(n for n in D.MANIFEST if committed.get(n) != built[n])
    assert not stale, f"datasets/ is out of date ({stale}); run `make datasets`"
    assert D.read_manifest(COMMITTED) == built == D.read_manifest(fresh)
    # sizes and checksums agree; creation time and versions may differ between builds
    assert _atomic.read_manifest(fresh)["files"] == _atomic.read_manifest(COMMITTED)["files"]


def test_manifest_lists_every_data_file_and_the_recipe():
    doc = _atomic.verify_dir(COMMITTED, "datasets", expect=D.MANIFEST)  # sizes and SHA-256 checked too
    on_disk = {str(p.relative_to(COMMITTED)) for p in COMMITTED.rglob("*.csv")}
    assert on_disk == set(D.MANIFEST) == set(doc["files"])
    assert {p.name for p in COMMITTED.iterdir() if p.is_file()} == {"MANIFEST.json"}  # one manifest, no other
    assert doc["seed"] == {"retail": D.RETAIL_SEED, "crm": D.CRM_SEED}
    assert {"retention_lab", "python", "numpy", "pandas"} <= set(doc["versions"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) and e["size"] > 0 for e in doc["files"].values())


def test_a_rebuild_that_changes_nothing_keeps_every_byte(fresh, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(fresh, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    D.build_datasets(copy)  # same code, same bytes: the folder (manifest and its time included) is kept
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # no temporary folder left beside it


def test_cli_check_catches_a_tampered_file(fresh, tmp_path):
    copy = tmp_path / "datasets"
    shutil.copytree(fresh, copy)
    runner = CliRunner()
    ok = runner.invoke(sim.cli.app, ["datasets", "build", "--out", str(copy), "--check"])
    assert ok.exit_code == 0, ok.output
    target = copy / "retail" / "orders.csv"
    target.write_bytes(target.read_bytes().replace(b"247.75", b"247.76", 1))
    (copy / "crm_answer_key" / "orders.csv").unlink()
    (copy / "retail" / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    # one check (one rebuild) for all three kinds of damage: each must be named, none hides another
    bad = runner.invoke(sim.cli.app, ["datasets", "build", "--out", str(copy), "--check"])
    assert bad.exit_code == 1
    assert "changed: retail/orders.csv" in bad.output
    assert "missing: crm_answer_key/orders.csv" in bad.output
    assert "unexpected: retail/notes.csv" in bad.output
    assert "changed: MANIFEST.json" not in bad.output  # the copy's manifest is still the right one


def test_readme_documents_every_file_and_column():
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(
        "# `datasets/` — small data generated by the simulator\n\nEverything here is **synthetic**"
    )
    assert "`DATA_DICTIONARY.md`" in readme
    for value in (
        f"seed={D.RETAIL_SEED}",
        f"customers={D.RETAIL_CUSTOMERS}",
        f"days={D.RETAIL_DAYS}",
        f'"{D.RETAIL_SCENARIO}"',
        f'"{D.RETAIL_POLICY}"',
        f"default_rng({D.CRM_SEED})",
    ):
        assert value in readme, value
    for name in D.MANIFEST:
        folder, _file = name.split("/")
        assert f"`{folder}/`" in readme, folder
        header = (COMMITTED / name).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        for col in header:
            assert f"`{col}`" in readme, f"{name}: column {col} is not documented in datasets/README.md"


# --------------------------------------------------------------------------- retail


def test_retail_is_the_observed_simulation_output():
    retail = D.load_retail()
    res = sim.run(
        sim.Scenario.load(D.RETAIL_SCENARIO),
        sim.Policy.load(D.RETAIL_POLICY),
        customers=D.RETAIL_CUSTOMERS,
        days=D.RETAIL_DAYS,
        seed=D.RETAIL_SEED,
    )
    obs = res.observed()
    for table, df in retail.items():
        assert list(df.columns) == observed_columns(table)
        assert not any(c.startswith("true_") for c in df.columns)
        for col in df.columns:
            want = TABLES[table][col].dtype
            assert str(df[col].dtype) == ("string" if want == "string" else want), (table, col)
        sim_df = pd.DataFrame(getattr(obs, table)).reset_index(drop=True)
        assert len(df) == len(sim_df), table
        assert df.iloc[:, 0].is_monotonic_increasing and df.iloc[:, 0].is_unique  # sorted by id
        for col in df.columns:
            a, b = df[col], sim_df[col]
            if TABLES[table][col].dtype == "float64":  # rounded to 2-8 decimals when written
                np.testing.assert_allclose(a.to_numpy(), b.to_numpy(dtype=float), atol=5e-3, equal_nan=True)
            elif TABLES[table][col].dtype.startswith("datetime"):
                assert (a - b).abs().max() <= pd.Timedelta(milliseconds=500), (table, col)
            else:
                assert (
                    a.astype(object).where(a.notna(), None).tolist() == b.astype(object).where(b.notna(), None).tolist()
                ), (table, col)


def test_truth_matches_the_retail_ids_and_holds_only_latent_data():
    retail, truth = D.load_retail(), D.load_retail_truth()
    assert truth.customers["customer_id"].tolist() == retail.customers["customer_id"].tolist()
    assert all(c == "customer_id" or c.startswith("true_") for c in truth.customers.columns)
    assert truth.orders["order_id"].tolist() == retail.orders["order_id"].tolist()
    assert set(truth.events["event"]) <= {"true_churned", "true_reactivated"}
    dead = truth.customers[~truth.customers["true_alive"]]
    assert dead["true_churn_t"].notna().all() and (dead["true_churn_reason"] != "").all()
    assert set(truth.events.loc[truth.events["event"] == "true_churned", "customer_id"]) == set(dead["customer_id"])


# --------------------------------------------------------------------------- the CRM extract: synthetic PII


def test_crm_pii_is_synthetic(crm, key):
    kc = key.customers
    assert kc["phone_true"].str.fullmatch(r"\+1[2-9]\d\d5550[1]\d\d").all()  # NXX-555-0100..0199
    assert kc["email_true"].str.fullmatch(r"[a-z.]+\.\d+(\.b)?@example\.(com|org)").all()
    syllables = "|".join(crm_mess._SYLLABLES)
    assert kc["name_true"].str.lower().str.fullmatch(rf"(({syllables})+) (({syllables})+)").all()
    # every raw phone is readable into the reserved range, or is listed as missing / invalid
    readable = crm.customers["phone"].map(lambda v: Q.normalise_phone(v, **PHONE_KW) if isinstance(v, str) else None)
    bad = D.issue_mask(kc["issues"], "phone_missing") | D.issue_mask(kc["issues"], "phone_invalid")
    assert (readable[~bad] == kc.loc[~bad, "phone_true"]).all()
    assert readable[bad].isna().all()
    assert not crm.customers["email"].dropna().str.contains(r"@(?!example)", case=False).any()


def test_crm_extract_and_key_line_up(crm, key):
    assert crm.customers.index.tolist() == key.customers["row"].tolist()
    assert crm.orders.index.tolist() == key.orders["row"].tolist()
    for table in ("customers", "orders"):
        ref = "customer_ref" if table == "customers" else "order_ref"
        assert crm[table]["source"].tolist() == key[table]["source"].tolist()
        assert crm[table][ref].tolist() == key[table][ref].tolist()
    # the extract covers the 2025 customers of retail/ and exactly their 2025 orders
    retail = D.load_retail()
    cutoff = pd.Timestamp(D.CRM_SIGNUP_BEFORE)
    cust_2025 = set(retail.customers.loc[retail.customers["acquired_date"] < cutoff, "customer_id"])
    assert set(key.customers["master_customer_id"]) == cust_2025
    ko = key.orders[key.orders["exact_duplicate_of"].isna()]
    bulk = D.issue_mask(ko["issues"], "bulk_order")  # genuine large B2B orders: not in retail/
    assert 0 < bulk.sum() < 0.01 * len(ko)
    assert not set(ko.loc[bulk, "order_id"]) & set(retail.orders["order_id"])
    ko = ko[~bulk]
    want = retail.orders[retail.orders["customer_id"].isin(cust_2025) & (retail.orders["date"] < cutoff)]
    assert sorted(ko["order_id"]) == sorted(want["order_id"])
    amounts = want.set_index("order_id")["amount"].round(2)
    np.testing.assert_allclose(ko.set_index("order_id")["amount_cny_true"].loc[amounts.index], amounts, atol=1e-9)


# --------------------------------------------------------------------------- the quality module finds the mess


def _rows(key_table: pd.DataFrame, tag: str) -> list[int]:
    return key_table.index[D.issue_mask(key_table["issues"], tag)].tolist()


def test_quality_report_finds_the_customer_mess_exactly(crm, key):
    kc = key.customers
    rep = Q.quality_report(
        crm.customers, key="customer_ref", date_cols=("signup_date",), amount_col=None, currency_col=None, **PHONE_KW
    )
    assert rep.rows("exact_duplicates") == kc.index[kc["exact_duplicate_of"].notna()].tolist()
    assert rep.rows("phone_invalid") == _rows(kc, "phone_invalid")
    assert rep.rows("email_invalid") == _rows(kc, "email_invalid")
    assert rep.rows("date_invalid") == _rows(kc, "date_unreadable")
    for col in ("name", "phone", "email"):
        assert rep.missing.loc[col, "missing"] == len(_rows(kc, f"{col}_missing")), col
    assert min(rep.count("exact_duplicates"), rep.count("phone_invalid"), rep.count("date_invalid")) > 0


def test_quality_report_flags_exactly_the_orders_above_100000_after_conversion(crm, key):
    ko = key.orders
    expected = ko.index[ko["review_flag_expected"]].tolist()
    typos, genuine = set(_rows(ko, "amount_outlier")), set(_rows(ko, "bulk_order"))
    assert typos & set(expected) and genuine & set(expected), "the rule must flag typos and genuine large orders"
    assert typos | genuine >= set(expected) and not typos & genuine
    recorded, true = ko["amount_cny_recorded"], ko["amount_cny_true"]
    assert (recorded[list(genuine)] == true[list(genuine)]).all()  # genuine: right as recorded
    assert (recorded[list(typos)] > 900 * true[list(typos)]).all()  # typos: three extra zeros
    kw = dict(key=None, name_col=None, phone_col=None, email_col=None, date_cols=("date",))
    rep = Q.quality_report(crm.orders, rates=D.CRM_RATES, **kw)
    assert rep.rows("amount_over_threshold") == expected
    assert rep.rows("exact_duplicates") == ko.index[ko["exact_duplicate_of"].notna()].tolist()
    assert rep.rows("date_invalid") == _rows(ko, "date_unreadable")
    # without the rates the POS amounts (in fen) are compared as if they were yuan: too many flags
    # (and a USD amount above 100 000 CNY only after conversion is missed)
    naive = Q.quality_report(crm.orders, **kw)
    assert set(naive.rows("amount_over_threshold")) - set(expected)


def test_clean_orders_recovers_amounts_dates_and_flags(crm, key):
    res = Q.clean(
        crm.orders,
        key="order_ref",
        name_col=None,
        phone_col=None,
        email_col=None,
        date_cols=("date",),
        dayfirst=False,  # the POS writes American dates
        rates=D.CRM_RATES,
        threshold=D.REVIEW_THRESHOLD,
        collapse=False,
    )
    ko = key.orders
    out = res.frame
    assert out.index.tolist() == ko.index[ko["exact_duplicate_of"].isna()].tolist()  # only the copies removed
    k = ko.loc[out.index]
    assert out.index[out["review_flag"]].tolist() == k.index[k["review_flag_expected"]].tolist()  # flagged, kept
    assert res.counts["flagged_over_threshold"] == int(ko["review_flag_expected"].sum())
    # amounts in CNY: USD converted at 7.10 differs from the key's rounded value by < 0.5 fen
    np.testing.assert_allclose(out["amount"], k["amount_cny_recorded"], atol=0.006, equal_nan=True)
    assert (out["currency"] == "CNY").all()
    ok_dates = ~D.issue_mask(k["issues"], "date_unreadable")
    assert (out.loc[ok_dates, "date"] == k.loc[ok_dates, "date_true"]).all()
    assert out.loc[~ok_dates, "date"].isna().all()


def test_normalising_customer_fields_recovers_the_true_values(crm, key):
    kc = key.customers
    phones, _ = Q.normalise_phones(crm.customers, "phone", **PHONE_KW)
    ok = ~(D.issue_mask(kc["issues"], "phone_missing") | D.issue_mask(kc["issues"], "phone_invalid"))
    assert (phones.loc[ok, "phone"] == kc.loc[ok, "phone_true"]).all()
    emails, _ = Q.normalise_emails(crm.customers, "email")
    ok = ~(D.issue_mask(kc["issues"], "email_missing") | D.issue_mask(kc["issues"], "email_invalid"))
    assert (emails.loc[ok, "email"] == kc.loc[ok, "email_true"]).all()
    with pytest.raises(DataError, match="signup_date"):  # the POS's 03/04/2025 is ambiguous: refused unless told
        Q.parse_dates(crm.customers, "signup_date")
    dates, _ = Q.parse_dates(crm.customers, "signup_date", dayfirst=False)  # American: month first
    ok = ~D.issue_mask(kc["issues"], "date_unreadable")
    assert (dates.loc[ok, "signup_date"] == kc.loc[ok, "signup_date_true"]).all()
    names = crm.customers["name"].map(Q.normalise_name)
    ok = ~(D.issue_mask(kc["issues"], "name_typo") | D.issue_mask(kc["issues"], "name_missing"))
    assert (names[ok] == kc.loc[ok, "name_true"].map(Q.normalise_name)).all()


@pytest.mark.slow
def test_clean_merges_duplicate_customers_with_documented_recall_and_no_false_merge(crm, key):
    res = Q.clean(
        crm.customers,
        key="customer_ref",
        date_cols=("signup_date",),
        dayfirst=False,
        amount_col=None,
        currency_col=None,
        **PHONE_KW,
    )
    kc = key.customers[key.customers["exact_duplicate_of"].isna()]
    assert res.counts["exact_duplicates_removed"] == int(key.customers["exact_duplicate_of"].notna().sum())
    master = dict(zip(kc["customer_ref"], kc["master_customer_id"]))
    cluster = {ref: res.mapping.get(ref, ref) for ref in master}

    def pairs(label: dict) -> set:
        groups = defaultdict(list)
        for ref, g in label.items():
            groups[g].append(ref)
        return {p for g in groups.values() for p in itertools.combinations(sorted(g), 2)}

    true_pairs, found = pairs(master), pairs(cluster)
    assert len(true_pairs) > 500
    assert found <= true_pairs, "a false merge: two different people became one customer"
    recall = len(found) / len(true_pairs)
    assert recall >= MIN_PAIR_RECALL, recall
    # people none of whose records lost or garbled a contact field are always merged completely
    bad_tags = {"phone_missing", "phone_invalid", "email_missing", "email_invalid", "name_typo", "name_missing"}
    clean_people = kc.groupby("master_customer_id")["issues"].apply(lambda s: not any(bad_tags & set(t) for t in s))
    for m in clean_people.index[clean_people]:
        refs = kc.loc[kc["master_customer_id"] == m, "customer_ref"]
        assert len({cluster[r] for r in refs}) == 1, m
    # one row per person found; row counts reconcile
    assert res.counts["rows_out"] == len(set(cluster.values()))
    assert res.frame["customer_ref"].is_unique


def test_data_cards_in_the_docstrings_are_current():
    """The docstring examples show real rows of the committed files; they fail when the data change."""
    import doctest

    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    results = [doctest.testmod(m, optionflags=flags) for m in (D, retail, crm_loaders)]
    assert sum(r.failed for r in results) == 0 and sum(r.attempted for r in results) > 10
