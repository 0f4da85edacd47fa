"""The recipe of the bundled datasets: scenario, policy, sizes, seeds, rates, and the file manifest.

Changing any of these changes the data: rebuild with ``retention-lab datasets build`` (the
checksum test fails until then).
"""

from __future__ import annotations

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
    "RETAIL_TABLES",
    "TRUTH_TABLES",
    "MANIFEST",
    "CHECKSUMS",
    "CAPSTONE_SCENARIO_FILE",
    "CAPSTONE_POLICY",
    "CAPSTONE_CUSTOMERS",
    "CAPSTONE_DAYS",
    "CAPSTONE_SEED",
    "CAPSTONE_TABLES",
]

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

#: Observed tables of the retail base, and the ground-truth tables beside them.
RETAIL_TABLES = ("customers", "orders", "tickets", "surveys", "contacts")
TRUTH_TABLES = ("customers", "events", "orders")

#: The capstone's "your company" log (chapter 10) is simulated from a scenario the trainee does not see:
#: this YAML file, relative to the ``sim`` package, is kept out of the student pack (instructors only).
CAPSTONE_SCENARIO_FILE = "teach/data/capstone_scenario.yaml"
#: The company's current policy in the capstone log (none: no contacts, no programme).
CAPSTONE_POLICY = "do_nothing"
#: Paid customers acquired over the capstone horizon, the horizon in days, and the seed of the run.
CAPSTONE_CUSTOMERS = 2500
CAPSTONE_DAYS = 730
CAPSTONE_SEED = 2027
#: Observed tables of the capstone log (what a firm would export; no customers table, no truth).
CAPSTONE_TABLES = ("orders", "tickets", "surveys")

#: Every data file, relative to the data folder (:func:`~sim.datasets.datasets_dir`), in the order they are built.
MANIFEST: tuple[str, ...] = (
    *(f"retail/{t}.csv" for t in RETAIL_TABLES),
    *(f"retail_truth/{t}.csv" for t in TRUTH_TABLES),
    *(f"crm_extract/{s}_{t}.csv" for s in CRM_SOURCES for t in ("customers", "orders")),
    "crm_answer_key/customers.csv",
    "crm_answer_key/orders.csv",
    *(f"your_company/{t}.csv" for t in CAPSTONE_TABLES),
)
#: The manifest file: ``sha256sum`` format, one line per data file.
CHECKSUMS = "CHECKSUMS.sha256"
