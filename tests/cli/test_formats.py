"""Headers name scenario, policy, seed, size and currency; --format csv|json is data alone on stdout."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.schema import kpi_unit

runner = CliRunner()
SMALL = ["--customers", "300", "--days", "60", "--seed", "3"]


@pytest.fixture(scope="module")
def euro(tmp_path_factory):
    """A scenario whose money is in EUR: nothing may say CNY (or the placeholder 'currency')."""
    path = tmp_path_factory.mktemp("sc") / "euro.yaml"
    path.write_text("name: euroland\ncurrency: EUR\n", encoding="utf-8")
    assert sim.Scenario.load(path).currency == "EUR"
    return str(path)


def _header(text: str) -> str:
    return text.strip().splitlines()[0]


def test_run_header_names_scenario_policy_seed_size_and_currency(euro):
    r = runner.invoke(app, ["run", "-s", euro, "-p", "vip_care", *SMALL, "-k", "revenue", "-k", "profit"])
    assert r.exit_code == 0, r.output
    head = _header(r.stdout)
    for part in ("euroland", "policy vip_care", "seed 3", "300 customers × 60 days", "money in EUR"):
        assert part in head, (part, head)
    assert "CNY" not in r.stdout and "currency" not in r.stdout
    body = r.stdout.split("\n", 1)[1]
    assert body.count("EUR") >= 2  # the unit of revenue and of profit


def test_compare_and_sweep_headers_and_money_columns(euro):
    r = runner.invoke(
        app, ["compare", "-s", euro, "-p", "none", "-p", "service_first", "-r", "2", *SMALL, "-k", "profit"]
    )
    assert r.exit_code == 0, r.output
    head = _header(r.stdout)
    for part in ("euroland", "policies none, service_first (baseline none)", "seed 3", "× 2 replications", "EUR"):
        assert part in head, (part, head)
    assert "CNY" not in r.stdout
    r = runner.invoke(
        app, ["sweep", "-s", euro, "-g", "desk.cost_per_agent_day=500,700", "-r", "2", *SMALL, "-k", "profit"]
    )
    assert r.exit_code == 0, r.output
    head = _header(r.stdout)
    for part in ("euroland", "policy none", "2 grid points", "seed 3", "300 customers × 60 days × 2 replications"):
        assert part in head, (part, head)
    assert "profit (EUR)" in r.stdout and "CNY" not in r.stdout


def test_run_json_is_typed_and_alone_on_stdout():
    r = runner.invoke(app, ["run", *SMALL, "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)  # the whole of stdout is one JSON document
    assert doc["meta"]["seed"] == 3 and doc["meta"]["customers"] == 300 and doc["meta"]["currency"] == "CNY"
    assert "baseline" in r.stderr  # the header went to stderr
    direct = sim.run("baseline", customers=300, days=60, seed=3).kpis()
    rows = {x["kpi"]: x for x in doc["rows"]}
    assert set(rows) == {str(k) for k in direct.index}
    for k, v in direct.items():
        got = rows[str(k)]["value"]
        if v != v:  # NaN -> null, never the invalid JSON token NaN
            assert got is None
        else:
            assert isinstance(got, (int, float)) and not isinstance(got, bool) and got == pytest.approx(float(v))
        assert rows[str(k)]["unit"] == kpi_unit(str(k), "CNY")
    assert "NaN" not in r.stdout


def test_run_csv_with_monthly_rows():
    r = runner.invoke(app, ["run", *SMALL, "--monthly", "-k", "revenue", "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0] == {"period": "overall", "kpi": "revenue", "value": rows[0]["value"], "unit": "CNY"}
    monthly = sim.run("baseline", customers=300, days=60, seed=3).kpis(by="month")
    got = {x["period"]: float(x["value"]) for x in rows[1:]}
    assert list(got) == [str(m) for m in monthly.index]
    assert got == pytest.approx({str(m): float(v) for m, v in monthly["revenue"].items()})


def test_compare_csv_and_json_match_the_summary():
    args = ["compare", "-p", "do_nothing", "-p", "service_first", "-r", "2", *SMALL, "--no-progress"]
    r = runner.invoke(app, [*args, "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    cmp = sim.compare("baseline", ["do_nothing", "service_first"], replications=2, customers=300, days=60, seed=3)
    assert len(rows) == len(cmp.summary)  # every KPI of every arm, not just the printed ones
    s = cmp.summary.set_index(["policy", "kpi"])
    for row in rows:
        assert row["unit"] == kpi_unit(row["kpi"], "CNY")
        want = s.loc[(row["policy"], row["kpi"]), "mean"]
        assert (row["mean"] == "") if want != want else float(row["mean"]) == pytest.approx(float(want))
    r = runner.invoke(app, [*args, "--format", "json", "-k", "profit"])
    doc = json.loads(r.stdout)
    assert [x["kpi"] for x in doc["rows"]] == ["profit", "profit"]
    assert doc["meta"]["policies"] == ["do_nothing", "service_first"] and doc["meta"]["replications"] == 2
    assert isinstance(doc["rows"][1]["diff"], float)


def test_sweep_json_and_presets_lists():
    r = runner.invoke(app, ["sweep", "-g", "desk.cost_per_agent_day=500,700", "-r", "2", *SMALL, "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["meta"]["grid"] == ["desk.cost_per_agent_day"] and doc["meta"]["grid_points"] == 2
    costs = {x["desk.cost_per_agent_day"] for x in doc["rows"] if x["kpi"] == "service_cost"}
    assert costs == {500, 700}
    r = runner.invoke(app, ["policies", "--format", "json"])
    assert {"do_nothing", "vip_care"} <= {x["name"] for x in json.loads(r.stdout)}
    r = runner.invoke(app, ["scenarios", "--format", "csv"])
    assert "baseline" in [x["name"] for x in csv.DictReader(io.StringIO(r.stdout))]
    r = runner.invoke(app, ["scenarios", "baseline", "--format", "json"])
    assert sim.Scenario.from_dict(json.loads(r.stdout)) == sim.Scenario.load("baseline")


@pytest.mark.timeout(120)
def test_progress_goes_to_stderr_and_stdout_stays_parseable(tmp_path):
    """On a terminal (forced) the progress bar is drawn on stderr; stdout is the CSV alone."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "100"}
    argv = [
        sys.executable,
        "-m",
        "sim",
        "run",
        "-c",
        "3000",
        "-d",
        "120",
        "--progress",
        "--format",
        "csv",
        "-k",
        "orders",
    ]
    p = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=100)
    assert p.returncode == 0, p.stderr
    assert "simulating" in p.stderr  # the bar was drawn ...
    rows = list(csv.DictReader(io.StringIO(p.stdout)))  # ... and not into the data
    assert [r["kpi"] for r in rows] == ["orders"] and float(rows[0]["value"]) > 0
    assert "\x1b" not in p.stdout
