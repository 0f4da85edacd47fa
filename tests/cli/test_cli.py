"""The `retention-lab` command: run, scenarios, policies, dictionary."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

import sim
from sim.cli import app

runner = CliRunner()


def test_run_prints_kpis_and_writes_tables(tmp_path):
    out = tmp_path / "base"
    r = runner.invoke(
        app, ["run", "--scenario", "baseline", "--customers", "400", "--days", "120", "--seed", "1", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "KPIs" in r.output and "revenue" in r.output and "sla_met_P0" in r.output
    back = sim.Result.from_dir(out)
    direct = sim.run("baseline", customers=400, days=120, seed=1)
    pd.testing.assert_frame_equal(back.orders, direct.orders)


def test_run_with_a_policy_and_monthly_kpis(tmp_path):
    r = runner.invoke(app, ["run", "-p", "vip_care", "-c", "400", "-d", "90", "--monthly"])
    assert r.exit_code == 0, r.output
    assert "contacts" in r.output and "2025-03" in r.output


def test_bad_input_exits_2_with_a_clear_message(tmp_path):
    r = runner.invoke(app, ["run", "--scenario", "no_such_world"])
    assert r.exit_code == 2 and "unknown scenario 'no_such_world'" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndesk: {agents: -1}\n")
    r = runner.invoke(app, ["run", "--scenario", str(bad), "-c", "10", "-d", "10"])
    assert r.exit_code == 2 and "desk.agents" in r.output and "-1" in r.output
    r = runner.invoke(app, ["run", "-c", "0"])
    assert r.exit_code == 2 and "customers=0" in r.output


def test_scenarios_and_policies_list_and_show_presets():
    r = runner.invoke(app, ["scenarios"])
    assert r.exit_code == 0 and "baseline" in r.output and "btyd_only" in r.output
    r = runner.invoke(app, ["scenarios", "btyd_only"])
    assert r.exit_code == 0 and sim.Scenario.from_dict(__import__("yaml").safe_load(r.output)) == sim.Scenario.load(
        "btyd_only"
    )
    r = runner.invoke(app, ["policies"])
    assert r.exit_code == 0 and all(n in r.output for n in ("do_nothing", "vip_care", "spray_and_pray"))
    r = runner.invoke(app, ["policies", "service_first"])
    assert r.exit_code == 0 and "escalate_on_breach: true" in r.output


def test_dictionary_check_detects_a_stale_file(tmp_path):
    f = tmp_path / "DD.md"
    assert runner.invoke(app, ["dictionary", "--out", str(f)]).exit_code == 0
    assert runner.invoke(app, ["dictionary", "--out", str(f), "--check"]).exit_code == 0
    f.write_text(f.read_text() + "stale\n")
    assert runner.invoke(app, ["dictionary", "--out", str(f), "--check"]).exit_code == 1


def test_one_formatter_for_cli_and_reports():
    """`run`, `compare`, `sweep` and the HTML reports print a KPI the same way (a 150.5 h wait is 150.5)."""
    import sim.formatting as fmt
    from sim.cli import _tables
    from sim.experiments import report

    assert _tables.format_value is fmt.format_value and report.format_value is fmt.format_value
    assert fmt.format_value(150.5, "hours") == "150.5"
    kpis = pd.Series({"mean_wait_h": 150.5, "revenue": 1234567.8, "sla_met_rate": 0.8766})
    table = _tables.kpi_table(kpis, "k", currency="CNY")
    cells = [list(c.cells) for c in table.columns]
    assert cells[1] == ["150.5", "1,234,568", "87.7%"] and cells[2] == ["hours", "CNY", "share"]


def test_a_bug_keeps_its_traceback_while_bad_input_prints_one_line():
    import typer

    from sim.cli._output import handles_errors
    from sim.errors import DataError

    app = typer.Typer()

    @app.command()
    @handles_errors
    def go(kind: str) -> None:
        if kind == "bad-input":
            raise DataError("amount must be >= 0", table="orders", column="amount", rows=[3])
        raise ZeroDivisionError("a bug")

    r = runner.invoke(app, ["bad-input"])
    assert r.exit_code == 2 and r.output.strip() == "error: orders: column 'amount': amount must be >= 0 (rows: 3)"
    r = runner.invoke(app, ["bug"])
    assert r.exit_code == 1 and isinstance(r.exception, ZeroDivisionError)
