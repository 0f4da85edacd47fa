"""Bundled datasets: a clean retail customer base and a messy CRM extract, both simulated.

Every data file is made here, from the simulator with fixed seeds, shipped inside the package
(``sim/datasets/data/``, read with :mod:`importlib.resources`, so a wheel install has the data)
and read back by the ``load_*`` functions (sklearn / lifelines style):

* :func:`load_retail` — the firm's view of a retail customer base (customers, orders,
  tickets, surveys, contacts; observed columns only), and :func:`load_retail_truth` — the
  matching ground truth (``true_*`` columns per customer and order, latent events) for
  instructors;
* :func:`load_your_company` — the capstone's "your company" log (orders, tickets, surveys; chapter 10),
  simulated from a scenario the trainee does not see;
* :func:`make_messy_crm` — messy CRM customer records of made-up people at any size (a million in
  seconds) with their answer key, the same kinds of mess as the extract (benchmarks, tests at scale);
* :func:`load_crm_extract` — the same customers (those who signed up in 2025) exported from
  three channels (web shop, stores / POS, call centre) with the mess every CRM export has:
  exact and fuzzy duplicates, mixed phone / date formats, CNY vs USD vs fen, missing values,
  invalid entries and orders above 100 000; :func:`load_crm_answer_key` — the ground truth of
  that mess (which record is which customer, which values were corrupted, the true values).

:func:`build_datasets` regenerates every file (``retention-lab datasets build``) atomically, with
a ``MANIFEST.json`` (each file's size and SHA-256, the seeds, the versions; see :mod:`sim._atomic`);
:func:`check_datasets` rebuilds into a temporary folder and lists the files that differ from the
committed ones, so the data never drift from the code.

Every loader checks what it reads: a folder passed as ``data_dir`` must match its manifest
(:func:`verify_datasets`), and every file must match the data dictionary (:data:`FILE_SPECS`:
columns, types, unique primary keys) - otherwise a :class:`~sim.errors.DataError` names the
file, the column and the offending lines (line numbers in the file, header = line 1).
The recipe (scenario, policy, sizes, seeds, rates) is in the module constants below and in
the repository's ``datasets/README.md``, which also documents every column.

Modules: ``recipe`` (constants and manifest), ``retail`` and ``crm`` (loaders), ``crm_mess``
(the mess maker), ``build`` (rebuild and check), ``scoring`` (grade a cleaning), ``_files`` (I/O), ``_checks``
(what each file must hold, and the checking reader).

Which library does the work: the simulator (:func:`sim.run`) makes the customer base; numpy's
``Generator`` (seeded) draws the synthetic PII and the mess; pandas writes the CSV files and
:mod:`csv` reads them back (with line numbers for the errors); :mod:`hashlib` computes the checksums; :class:`sklearn.utils.Bunch` holds the tables.
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

from sim.datasets._checks import FILE_SPECS
from sim.datasets._files import datasets_dir, file_checksums, read_manifest, verify_datasets
from sim.datasets.build import build_datasets, check_datasets
from sim.datasets.capstone import load_your_company
from sim.datasets.crm import load_crm_answer_key, load_crm_extract
from sim.datasets.crm_scale import make_messy_crm
from sim.datasets.recipe import (
    CRM_COUNTRY_CODE,
    CRM_NATIONAL_LENGTHS,
    CRM_RATES,
    CRM_SEED,
    CRM_SIGNUP_BEFORE,
    CRM_SOURCES,
    MANIFEST,
    RETAIL_CUSTOMERS,
    RETAIL_DAYS,
    RETAIL_POLICY,
    RETAIL_SCENARIO,
    RETAIL_SEED,
    REVIEW_THRESHOLD,
)
from sim.datasets.retail import load_retail, load_retail_truth
from sim.datasets.scoring import duplicate_identities, issue_mask, score_merges

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
    "verify_datasets",
    "FILE_SPECS",
    "load_retail",
    "load_retail_truth",
    "load_crm_extract",
    "load_crm_answer_key",
    "make_messy_crm",
    "load_your_company",
    "issue_mask",
    "score_merges",
    "duplicate_identities",
]
