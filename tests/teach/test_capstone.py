"""The capstone of chapter 10 (instructor side): the bundled "your company" log and its hidden world.

* Calibrating the bundled log (``sim.calibrate``) recovers the hidden scenario's numbers within
  the fitted confidence intervals, for every parameter the calibration reports as identified
  and the hidden world sets independently of the base scenario; the complaint rate of product
  tickets is checked as the product the log identifies (quality_issue_prob x complaint_prob_issue).
* The log is what its recipe makes: byte-identical to a fresh simulation of the hidden scenario.
* No latent column ships, and the student pack holds the log's CSV files but not the scenario.
"""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.datasets import datasets_dir, load_your_company
from sim.datasets._files import _write
from sim.datasets.capstone import _capstone_files, _simulate_capstone, capstone_scenario_path
from sim.datasets.recipe import CAPSTONE_CUSTOMERS, CAPSTONE_TABLES
from sim.schema import observed_columns
from sim.teach.pack import PACK_ROOT, build_pack

ROOT = Path(__file__).resolve().parents[2]

#: Parameters whose hidden value the calibration must cover (``scenario_field`` of the estimates).
RECOVERED = [
    "purchase.r",
    "purchase.alpha",
    "purchase.a",
    "purchase.b",
    "spend.p",
    "spend.q",
    "spend.gamma",
    "complaints.complaint_prob_ok",
    "complaints.cause_mix.service",
    "complaints.cause_mix.price",
    "complaints.cause_mix.communication",
    "complaints.severity_mix.P0",
    "complaints.severity_mix.P1",
    "complaints.severity_mix.P2",
    "complaints.severity_mix.P3",
    "desk.service_time.mean_h.P0",
    "desk.service_time.mean_h.P1",
    "desk.service_time.mean_h.P2",
    "desk.service_time.mean_h.P3",
]


def _value(config: dict, dotted: str) -> float:
    node = config
    for key in dotted.split("."):
        node = node[key]
    return float(node)


@pytest.fixture(scope="module")
def hidden() -> dict:
    return sim.Scenario.load(capstone_scenario_path()).model_dump()


@pytest.fixture(scope="module")
def log():
    return load_your_company()


@pytest.fixture(scope="module")
def estimates(log) -> pd.DataFrame:
    world = sim.calibrate(log.orders, log.tickets, log.surveys)
    return world.calibration.estimates.set_index("scenario_field")


@pytest.mark.parametrize("field", RECOVERED)
def test_calibration_recovers_the_hidden_parameter_within_its_ci(field, hidden, estimates):
    row = estimates.loc[field]
    truth = _value(hidden, field)
    assert bool(row["identified"]), f"{field} is reported as not identified"
    assert row["ci_low"] < row["ci_high"], f"{field}: no interval ({row['ci_low']}, {row['ci_high']})"
    assert row["ci_low"] <= truth <= row["ci_high"], (
        f"{field}: hidden {truth} outside the fitted CI [{row['ci_low']:.4g}, {row['ci_high']:.4g}] "
        f"(estimate {row['estimate']:.4g})"
    )


def test_the_product_ticket_rate_is_recovered_as_the_product_the_log_identifies(hidden, estimates):
    """Only quality_issue_prob x complaint_prob_issue is observed; the fit scales by the base scenario's quality_issue_prob."""
    base_quality = sim.Scenario.load("baseline").complaints.quality_issue_prob
    truth = hidden["complaints"]["quality_issue_prob"] * hidden["complaints"]["complaint_prob_issue"]
    row = estimates.loc["complaints.complaint_prob_issue"]
    assert hidden["complaints"]["quality_issue_prob"] != base_quality  # the factors alone are not recoverable here
    assert row["ci_low"] * base_quality <= truth <= row["ci_high"] * base_quality


def test_sizes_and_fixed_facts_are_exact(hidden, estimates):
    assert estimates.loc["population.customers", "estimate"] == CAPSTONE_CUSTOMERS
    assert estimates.loc["margin_rate", "estimate"] == pytest.approx(hidden["margin_rate"], abs=1e-6)
    assert estimates.loc["horizon_days", "estimate"] == pytest.approx(hidden["horizon_days"])


@pytest.mark.xfail(
    strict=True,
    reason="known gap (reported to CALIBRATE): the satisfaction estimate inverts the mean NPS answer as if it were "
    "the initial satisfaction, but answers come after experiences (quality issues, SLA breaches) have moved it, "
    "so it lands about 0.15 below satisfaction.initial_mean, outside its CI",
)
def test_calibration_recovers_the_initial_satisfaction(hidden, estimates):
    row = estimates.loc["satisfaction.initial_mean"]
    assert row["ci_low"] <= hidden["satisfaction"]["initial_mean"] <= row["ci_high"]


def test_the_log_is_byte_identical_to_a_rebuild(tmp_path):
    frames = _capstone_files(_simulate_capstone())
    assert sorted(frames) == sorted(f"your_company/{t}.csv" for t in CAPSTONE_TABLES)
    for name, frame in frames.items():
        _write(frame, tmp_path / name)
        assert (tmp_path / name).read_bytes() == (datasets_dir() / name).read_bytes(), name


def test_no_latent_column_ships(log):
    for t in CAPSTONE_TABLES:
        header = (datasets_dir() / "your_company" / f"{t}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == observed_columns(t)
        assert "true_" not in header
        assert list(log[t].columns) == observed_columns(t)
    assert log.orders["customer_id"].nunique() == CAPSTONE_CUSTOMERS


def test_the_pack_ships_the_log_but_not_the_hidden_scenario():
    pack = zipfile.ZipFile(BytesIO(build_pack(ROOT)))
    names = pack.namelist()
    for t in CAPSTONE_TABLES:
        assert f"{PACK_ROOT}/datasets/your_company/{t}.csv" in names
    assert not any("capstone" in n or n.endswith((".yaml", ".yml")) for n in names)
    secret = [line for line in capstone_scenario_path().read_text(encoding="utf-8").splitlines() if "alpha:" in line]
    assert secret, "the hidden scenario's purchase line was not found"
    text = "\n".join(pack.read(n).decode("utf-8") for n in names)
    assert secret[0].strip() not in text
    exercise = json.loads(pack.read(f"{PACK_ROOT}/exercises/10_strategy_lab.ipynb"))
    assert any("load_your_company(" in "".join(c["source"]) for c in exercise["cells"])
