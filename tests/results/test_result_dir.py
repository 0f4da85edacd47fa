"""Result.to_dir / from_dir and write_experiment: exact round trip, manifest checked, nothing foreign replaced."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

import sim
from sim._atomic import ManifestError, MissingManifestError, OutputError, verify_dir
from sim.experiments.output import experiment_files, verify_experiment
from sim.results.result import RESULT_FILES


@pytest.fixture(scope="module")
def two_runs():
    a = sim.run("baseline", customers=150, days=60, seed=1)
    b = sim.run("baseline", "vip_care", customers=120, days=45, seed=2)
    return a, b


def assert_same(back: sim.Result, res: sim.Result) -> None:
    for name in res.tables:
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], obj=name)
    assert back.scenario == res.scenario and back.seed == res.seed and back.agents == res.agents


def test_round_trip_is_exact_and_the_manifest_lists_every_file(tmp_path, two_runs):
    a, b = two_runs
    out = a.to_dir(tmp_path / "run")
    assert_same(sim.Result.from_dir(out), a)
    doc = verify_dir(out, "result", expect=RESULT_FILES)
    assert set(doc["files"]) == set(RESULT_FILES) and doc["seed"] == 1
    b.to_dir(out)  # overwriting a result of ours is allowed and replaces it whole
    assert_same(sim.Result.from_dir(out), b)
    assert sim.Result.from_dir(out).policy is not None
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.parametrize("damage", ["tables swapped", "parquet changed", "extra table", "file missing", "no manifest"])
def test_from_dir_refuses_a_folder_that_does_not_match_its_manifest(tmp_path, two_runs, damage):
    a, b = two_runs
    out = a.to_dir(tmp_path / "a")
    other = b.to_dir(tmp_path / "b")
    if damage == "tables swapped":  # a mix of two runs: the old failure mode
        shutil.copy(other / "orders.parquet", out / "orders.parquet")
        named = "orders.parquet"
    elif damage == "parquet changed":
        p = out / "tickets.parquet"
        data = bytearray(p.read_bytes())
        data[len(data) // 2] ^= 0xFF
        p.write_bytes(bytes(data))
        named = "tickets.parquet"
    elif damage == "extra table":
        shutil.copy(other / "orders.parquet", out / "orders_v2.parquet")
        named = "orders_v2.parquet"
    elif damage == "file missing":
        (out / "run.json").unlink()
        named = "run.json"
    else:
        (out / "MANIFEST.json").unlink()
        named = "MANIFEST.json"
    with pytest.raises(ManifestError) as info:
        sim.Result.from_dir(out)
    assert str(out) in str(info.value) and named in str(info.value)


def test_a_pre_manifest_folder_is_refused_on_reading_but_may_be_overwritten(tmp_path, two_runs):
    a, b = two_runs
    out = a.to_dir(tmp_path / "old")
    (out / "MANIFEST.json").unlink()  # what versions before manifests wrote
    with pytest.raises(MissingManifestError, match="MANIFEST.json is missing") as info:
        sim.Result.from_dir(out)
    assert isinstance(info.value, FileNotFoundError)
    b.to_dir(out)
    assert_same(sim.Result.from_dir(out), b)


def test_to_dir_never_replaces_a_file_or_a_folder_it_did_not_write(tmp_path, two_runs):
    a, _ = two_runs
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF precious")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    for target, why in ((f, "is a file"), (foreign, "has no MANIFEST.json")):
        with pytest.raises(OutputError, match=why):
            a.to_dir(target)
    assert f.read_bytes() == b"%PDF precious" and [p.name for p in foreign.iterdir()] == ["cat.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos", "report.pdf"]


def test_experiments_are_written_with_a_manifest_and_not_confused_with_results(tmp_path, two_runs):
    a, _ = two_runs
    cmp = sim.compare("baseline", ["do_nothing"], replications=2, customers=60, days=20, progress=False)
    out = cmp.to_dir(tmp_path / "cmp")
    doc = verify_experiment(out)
    assert set(doc["files"]) == set(experiment_files(("replications", "summary")))
    assert json.loads((out / "experiment.json").read_text(encoding="utf-8"))["seed"] == doc["seed"] == cmp.seed
    with pytest.raises(OutputError, match="experiment folder"):
        a.to_dir(out)  # a result over an experiment: refused
    with pytest.raises(ManifestError, match="is an experiment folder, not a result folder"):
        sim.Result.from_dir(out)
    (out / "report.html").write_text("<html>edited</html>", encoding="utf-8")
    with pytest.raises(ManifestError, match="report.html"):
        verify_experiment(out)
