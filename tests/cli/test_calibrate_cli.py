"""``retention-lab calibrate ORDERS.csv [--tickets] [--surveys] --out my_company.yaml``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def csvs(tmp_path_factory):
    """A simulated company's firm-side tables written as CSV files (what a user would export)."""
    folder = tmp_path_factory.mktemp("company")
    res = sim.run("baseline", customers=1500, days=365, seed=4)
    obs = res.observed()
    paths = {}
    for name in ("orders", "tickets", "surveys"):
        paths[name] = folder / f"{name}.csv"
        getattr(obs, name).to_csv(paths[name], index=False)
    return paths


def test_calibrate_writes_a_scenario_that_loads_and_runs(csvs, tmp_path):
    out, report = tmp_path / "my_company.yaml", tmp_path / "calibration.md"
    r = runner.invoke(app, ["calibrate", str(csvs["orders"]), "--tickets", str(csvs["tickets"]),
                            "--surveys", str(csvs["surveys"]), "--out", str(out), "--report", str(report)])  # fmt: skip
    assert r.exit_code == 0, r.output
    # the estimates with their intervals and the not-identified list are printed
    for text in ("purchase.alpha", "spend.gamma", "complaints.severity_mix.P3", "not identified", "desk.agents"):
        assert text in r.output
    sc = sim.Scenario.load(out)
    assert sc.population.customers > 1500 - 1 and sc.horizon_days == 365.0
    assert "ci_low" not in out.read_text(encoding="utf-8")
    assert len(sim.run(sc, customers=200, days=60, seed=1).orders) > 0
    md = report.read_text(encoding="utf-8")
    assert md.startswith("# Calibration report") and "| r | purchase.r |" in md and "`desk.agents`" in md
    # the same call through the Python API gives the same scenario
    import pandas as pd

    api = sim.calibrate(pd.read_csv(csvs["orders"]), pd.read_csv(csvs["tickets"]), pd.read_csv(csvs["surveys"]))
    assert api.to_dict() == sc.to_dict()


def test_model_choice_is_honoured(csvs, tmp_path):
    out = tmp_path / "m.yaml"
    r = runner.invoke(app, ["calibrate", str(csvs["orders"]), "--model", "mbgnbd", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sim.Scenario.load(out).purchase.dropout_after_first
    assert "complaints: no tickets given" in r.output


def test_bad_input_exits_2_with_a_clear_message(csvs, tmp_path):
    out = tmp_path / "x.yaml"
    r = runner.invoke(app, ["calibrate", str(tmp_path / "missing.csv"), "--out", str(out)])
    assert r.exit_code == 2 and "does not exist" in r.output
    r = runner.invoke(app, ["calibrate", str(csvs["orders"]), "--model", "pareto", "--out", str(out)])
    assert r.exit_code == 2 and "model" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,amount\n1,2025-01-01,5\n1,2025-01-09,-3\n2,2025-01-02,4\n", encoding="utf-8")
    r = runner.invoke(app, ["calibrate", str(bad), "--out", str(out)])
    assert r.exit_code == 2 and "amount" in r.output and "rows: 1" in r.output
    r = runner.invoke(app, ["calibrate", str(csvs["orders"]), "--out", str(tmp_path)])  # a folder: refused first
    assert r.exit_code == 2 and "folder" in r.output
    assert not out.exists()  # nothing written on error
    r = runner.invoke(app, ["calibrate", str(csvs["orders"])])  # --out is required
    assert r.exit_code == 2


def test_parquet_tables_read_like_their_csv(csvs, tmp_path):
    """``run --out`` writes Parquet: calibrating its tables gives what the same tables as CSV give."""
    import pandas as pd

    pq = {}
    for name in ("orders", "tickets"):
        pq[name] = tmp_path / f"{name}.parquet"
        pd.read_csv(csvs[name]).to_parquet(pq[name])
    a, b = tmp_path / "from_csv.yaml", tmp_path / "from_parquet.yaml"
    r1 = runner.invoke(app, ["calibrate", str(csvs["orders"]), "--tickets", str(csvs["tickets"]), "--out", str(a)])
    r2 = runner.invoke(app, ["calibrate", str(pq["orders"]), "--tickets", str(pq["tickets"]), "--out", str(b)])
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    assert sim.Scenario.load(a).to_dict() == sim.Scenario.load(b).to_dict()


def test_a_file_that_is_not_parquet_is_one_line(tmp_path):
    bad = tmp_path / "orders.parquet"
    bad.write_text("customer_id,date,amount\n1,2025-01-01,10\n", encoding="utf-8")
    r = runner.invoke(app, ["calibrate", str(bad), "--out", str(tmp_path / "x.yaml")])
    assert r.exit_code == 2 and "cannot be read as Parquet" in r.output and "Traceback" not in r.output
