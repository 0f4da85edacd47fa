"""Probes of ``retention-lab calibrate`` and ``retention-lab optimize`` with malformed files.

Every case must end with one ``error: ...`` line naming the file / field and status 2 — never a
traceback. The runs that reach the simulator are kept tiny (``-c 100 -d 60 --trials 1``).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

runner = CliRunner()
SMALL = ["-c", "100", "-d", "60", "--trials", "1", "--replications", "1", "--fresh-replications", "2",
         "--finalists", "1"]  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("probe_cli")
    obs = sim.run("baseline", customers=200, days=200, seed=1).observed()
    obs.orders[["customer_id", "order_id", "date", "amount", "margin"]].to_csv(d / "orders.csv", index=False)
    obs.tickets.to_csv(d / "tickets.csv", index=False)
    text = (d / "orders.csv").read_text(encoding="utf-8")
    files = {
        "bom.csv": "\ufeff" + text,
        "semicolon.csv": text.replace(",", ";"),
        "tabs.csv": text.replace(",", "\t"),
        "empty.csv": "",
        "header_only.csv": "customer_id,date,amount\n",
        "old.csv": text + "1,99999999,1700-01-01,5.0,1.0\n",
        "ambiguous.csv": "customer_id,date,amount\n1,01/02/2025,5\n1,03/04/2025,6\n2,01/05/2025,1\n2,02/06/2025,1\n",
        "space_ok.yaml": "budget.amount_per_period: {low: 1000, high: 5000}\n",
        "space_list.yaml": "- budget.amount_per_period\n",
        "space_dup.yaml": "budget.amount_per_period: {low: 1, high: 2}\nbudget.amount_per_period: {low: 3, high: 4}\n",
        "space_bomb.yaml": "a: &a [1,1,1,1,1,1,1,1,1]\n"
        + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdef", "bcdefg")),
        "space_tuple.yaml": "budget.amount_per_period: !!python/tuple [1, 2]\n",
        "space_nan.yaml": "budget.amount_per_period: {low: .nan, high: 5}\n",
        "space_text.yaml": "budget.amount_per_period: {low: '1000', high: 5000}\n",
        "space_broken.yaml": "budget.amount_per_period: [1000, 5000\n",
        "space_simplex.yaml": "desk.agents: simplex\n",
        "space_log0.yaml": "budget.amount_per_period: {low: 0, high: 5, scale: log}\n",
        "space_lowhigh.yaml": "budget.amount_per_period: {low: 5, high: 1}\n",
        "space_empty_choices.yaml": "contacts.0.channel: []\n",
        "space_empty.yaml": "",
        "space_on.yaml": "on: {low: 1, high: 2}\n",
        "space_unknown.yaml": "budget.nope: {low: 1, high: 2}\n",
        "space_bool_field.yaml": "complaints.enabled: {low: 0, high: 1}\n",
    }
    for name, content in files.items():
        (d / name).write_text(content, encoding="utf-8")
    (d / "binary.csv").write_bytes(bytes(range(256)) * 4)
    return d


CALIBRATE_CASES = [
    # (args after 'calibrate' with {d} the folder, expected text of the one error line)
    (["{d}/missing.csv"], "orders file '{d}/missing.csv' does not exist"),
    (["{d}"], "orders file '{d}' is not a file"),
    (["{d}/binary.csv"], "cannot be read as CSV"),
    (["{d}/empty.csv"], "cannot be read as CSV: No columns to parse"),
    (["{d}/header_only.csv"], "orders: the table is empty"),
    # was: 'missing column(s) ...; present: ['customer_id;order_id;...']' with no hint
    (["{d}/semicolon.csv"], "separated by ';', not commas"),
    (["{d}/tabs.csv"], "separated by '\\t', not commas"),
    # was: a traceback (OutOfBoundsDatetime)
    (["{d}/old.csv"], "orders: column 'date': the log spans"),
    (["{d}/ambiguous.csv"], "ambiguous date"),
    (["{d}/orders.csv", "--confidence", "0"], "confidence=0.0 is not allowed"),
    (["{d}/orders.csv", "--confidence", "nan"], "confidence=nan is not allowed"),
    (["{d}/orders.csv", "--model", "pareto"], "model='pareto' is not allowed"),
    (["{d}/orders.csv", "--start-date", "01/02/2025"], "is ambiguous"),
    (["{d}/orders.csv", "--start-date", "2099-01-01"], "dated before start_date=2099-01-01"),
    (["{d}/orders.csv", "--base", "nope"], "unknown scenario 'nope'"),
    (["{d}/orders.csv", "--tickets", "{d}"], "tickets file '{d}' is not a file"),
    (["{d}/orders.csv", "--tickets", "{d}/binary.csv"], "tickets ({d}/binary.csv): cannot be read as CSV"),
    (["{d}/orders.csv", "--surveys", "{d}/empty.csv"], "surveys ({d}/empty.csv): cannot be read as CSV"),
]


@pytest.mark.parametrize("args, message", CALIBRATE_CASES)
def test_calibrate_bad_input_is_one_line_and_status_2(folder, tmp_path, args, message):
    out = tmp_path / "out.yaml"
    r = runner.invoke(app, ["calibrate", *[a.format(d=folder) for a in args], "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and message.format(d=folder) in r.output
    assert not out.exists()


def test_calibrate_reads_a_csv_with_a_bom(folder, tmp_path):
    out = tmp_path / "bom.yaml"
    r = runner.invoke(app, ["calibrate", str(folder / "bom.csv"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    plain = runner.invoke(app, ["calibrate", str(folder / "orders.csv"), "--out", str(tmp_path / "plain.yaml")])
    assert plain.exit_code == 0 and out.read_text() == (tmp_path / "plain.yaml").read_text()


OPTIMIZE_CASES = [
    (["--space", "{d}/missing.yaml"], "does not exist"),
    (["--space", "{d}"], "is not a file"),
    (["--space", "{d}/binary.csv"], "not UTF-8 text"),
    (["--space", "{d}/space_list.yaml"], "give a non-empty mapping"),
    (["--space", "{d}/space_empty.yaml"], "give a non-empty mapping"),
    (["--space", "{d}/space_dup.yaml"], "duplicate key 'budget.amount_per_period'"),
    (["--space", "{d}/space_bomb.yaml"], "expands to more than"),
    (["--space", "{d}/space_tuple.yaml"], "not valid YAML"),
    (["--space", "{d}/space_broken.yaml"], "not valid YAML"),
    (["--space", "{d}/space_nan.yaml"], "low=nan is not allowed"),
    (["--space", "{d}/space_text.yaml"], "low='1000' is not allowed"),
    (["--space", "{d}/space_simplex.yaml"], "'simplex' is not allowed"),
    (["--space", "{d}/space_log0.yaml"], "a 'log' range needs low > 0"),
    (["--space", "{d}/space_lowhigh.yaml"], "low must be below high"),
    (["--space", "{d}/space_empty_choices.yaml"], "is an empty list"),
    (["--space", "{d}/space_on.yaml"], "space key True is not allowed"),
    (["--space", "{d}/space_unknown.yaml"], "budget has no key 'nope'"),
    # was: 1 trial run, 'invalid' in the table, status 0
    (["--space", "{d}/space_bool_field.yaml"], "space['complaints.enabled']: a value inside"),
    (["--space", "{d}/space_ok.yaml", "--trials", "0"], "trials=0 is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--trials", "-3"], "trials=-3 is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--trials", "99999999999999999999"], "is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--replications", "0"], "replications=0 is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--engine", "spark"], "engine='spark' is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--seed", "-1"], "seed=-1 is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--days", "nan"], "days=nan is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--days", "inf"], "days=inf is not allowed"),
    (["--space", "{d}/space_ok.yaml", "--out", "{d}/orders.csv"], "is a file, not a folder"),
]


@pytest.mark.parametrize("args, message", OPTIMIZE_CASES)
def test_optimize_bad_input_is_one_line_and_status_2(folder, args, message):
    r = runner.invoke(app, ["optimize", "baseline", "vip_care", *SMALL, *[a.format(d=folder) for a in args]])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and message.format(d=folder) in r.output
