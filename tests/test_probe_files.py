"""Malformed files and arguments at the Python entry points (issue 10 follow-up, the probe).

Every case must end in a clear :class:`sim.errors.RetentionLabError` (ConfigError / DataError,
naming the file, field or argument) — never a raw pandas / pyarrow / json / OS traceback, never a
silently accepted folder. Security: a manifest must never make a reader open a file outside
its folder (``..``, absolute names, symbolic links to files or folders, a linked manifest) —
each such folder below would load (or hash) the outside file if the check were missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim._atomic import MANIFEST_NAME, ManifestError
from sim.errors import ConfigError, DataError, RetentionLabError


def _entry(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _rehash(folder: Path) -> None:
    """Rewrite the manifest so it matches the (tampered) files: only the content checks remain."""
    doc = json.loads((folder / MANIFEST_NAME).read_text())
    for name in doc["files"]:
        if (folder / name).is_file():
            doc["files"][name] = _entry(folder / name)
    (folder / MANIFEST_NAME).write_text(json.dumps(doc))


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("probe") / "base"
    sim.run("baseline", customers=60, days=60, seed=1).to_dir(path)
    return path


@pytest.fixture
def copy(result_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "res"
    shutil.copytree(result_dir, out)
    return out


def _manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_NAME).read_text())


def _save(folder: Path, doc: object) -> None:
    (folder / MANIFEST_NAME).write_text(doc if isinstance(doc, str) else json.dumps(doc))


# --------------------------------------------------------------------------- path traversal
def _list_outside(name: str):
    def make(folder: Path, outside: Path) -> None:
        doc = _manifest(folder)
        doc["files"][name] = _entry(outside)
        _save(folder, doc)

    return make


def _link_table(folder: Path, outside: Path) -> None:
    real = outside.parent / "orders_elsewhere.parquet"
    shutil.copy(folder / "orders.parquet", real)  # same bytes: only the link itself is wrong
    (folder / "orders.parquet").unlink()
    os.symlink(real, folder / "orders.parquet")


def _link_dir(folder: Path, outside: Path) -> None:
    os.symlink(outside.parent, folder / "sub")
    doc = _manifest(folder)
    doc["files"][f"sub/{outside.name}"] = _entry(outside)
    _save(folder, doc)


def _link_manifest(folder: Path, outside: Path) -> None:
    real = outside.parent / "manifest_elsewhere.json"
    shutil.copy(folder / MANIFEST_NAME, real)
    (folder / MANIFEST_NAME).unlink()
    os.symlink(real, folder / MANIFEST_NAME)


def _link_unlisted(folder: Path, outside: Path) -> None:
    os.symlink(outside, folder / "notes.txt")


TRAVERSAL = {
    "../outside": _list_outside("../outside.txt"),
    "../../etc/passwd": _list_outside("../../etc/passwd"),
    "absolute": _list_outside("/etc/passwd"),
    "a/../../outside": _list_outside("a/../../outside.txt"),
    "backslash": _list_outside("..\\outside.txt"),
    "NUL in name": _list_outside("orders\x00.parquet"),
    "very long name": _list_outside("a" * 5000),
    "linked table (same bytes)": _link_table,
    "linked folder": _link_dir,
    "linked manifest": _link_manifest,
    "unlisted link": _link_unlisted,
}


@pytest.mark.parametrize("case", list(TRAVERSAL))
def test_a_manifest_never_leads_a_reader_outside_its_folder(case: str, copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    TRAVERSAL[case](copy, outside)
    with pytest.raises(ManifestError) as info:
        sim.Result.from_dir(copy)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


def test_the_result_folder_itself_may_be_a_link(result_dir: Path, tmp_path: Path) -> None:
    link = tmp_path / "latest"
    os.symlink(result_dir, link)
    assert sim.Result.from_dir(link).orders.equals(sim.Result.from_dir(result_dir).orders)


# --------------------------------------------------------------------------- malformed manifests
MANIFESTS = {
    "a list": lambda m: [1, 2],
    "not JSON": lambda m: "{oops",
    "empty": lambda m: "",
    "deeply nested": lambda m: "[" * 100_000 + "]" * 100_000,
    "files a list": lambda m: {**m, "files": list(m["files"])},
    "size text": lambda m: {**m, "files": {**m["files"], "run.json": {**m["files"]["run.json"], "size": "10"}}},
    "size negative": lambda m: {**m, "files": {**m["files"], "run.json": {**m["files"]["run.json"], "size": -1}}},
    "size bool": lambda m: {**m, "files": {**m["files"], "run.json": {**m["files"]["run.json"], "size": True}}},
    "size 10**30": lambda m: {**m, "files": {**m["files"], "run.json": {**m["files"]["run.json"], "size": 10**30}}},
    "sha256 not hex": lambda m: {**m, "files": {**m["files"], "run.json": {"size": 1, "sha256": "z" * 64}}},
    "kind a list": lambda m: {**m, "kind": ["result"]},
    "kind of datasets": lambda m: {**m, "kind": "datasets"},
}


@pytest.mark.parametrize("case", list(MANIFESTS))
def test_a_malformed_manifest_is_refused(case: str, copy: Path) -> None:
    _save(copy, MANIFESTS[case](_manifest(copy)))
    with pytest.raises(ManifestError):
        sim.Result.from_dir(copy)


# --------------------------------------------------------------------------- tampered content
def _write_parquet(name: str, make):
    def edit(folder: Path) -> None:
        make(pd.read_parquet(folder / f"{name}.parquet")).to_parquet(folder / f"{name}.parquet")

    return edit


CONTENT = {
    "truncated parquet": lambda d: (d / "orders.parquet").write_bytes((d / "orders.parquet").read_bytes()[:100]),
    "empty parquet": lambda d: (d / "orders.parquet").write_bytes(b""),
    "CSV named .parquet": lambda d: (d / "orders.parquet").write_text("a,b\n1,2\n"),
    "parquet without its columns": _write_parquet("orders", lambda df: pd.DataFrame({"x": [1]})),
    "parquet with an extra column": _write_parquet("orders", lambda df: df.assign(extra=1)),
    "parquet of text": _write_parquet("orders", lambda df: df.astype(str)),
    "run.json not JSON": lambda d: (d / "run.json").write_text("{oops"),
    "run.json a list": lambda d: (d / "run.json").write_text("[1]"),
    "run.json without seed": lambda d: (d / "run.json").write_text('{"agents": 1}'),
    "run.json seed text": lambda d: (d / "run.json").write_text('{"seed": "x", "agents": 1}'),
    "run.json agents NaN": lambda d: (d / "run.json").write_text('{"seed": 1, "agents": NaN}'),
    "run.json info a list": lambda d: (d / "run.json").write_text('{"seed": 1, "agents": 1, "info": [1]}'),
    "run.json unknown policy field": lambda d: (d / "run.json").write_text(
        '{"seed": 1, "agents": 1, "policy": {"x": 1}}'
    ),
    "scenario.yaml a list": lambda d: (d / "scenario.yaml").write_text("- 1\n"),
}


@pytest.mark.parametrize("case", list(CONTENT))
def test_content_that_matches_its_manifest_but_not_the_dictionary_is_refused(case: str, copy: Path) -> None:
    CONTENT[case](copy)
    _rehash(copy)
    with pytest.raises(RetentionLabError) as info:
        sim.Result.from_dir(copy)
    assert len(str(info.value)) < 600


@pytest.mark.parametrize("path", [None, 5, "", "a\x00b", "x" * 5000])
def test_from_dir_with_a_path_that_is_not_one(path: object) -> None:
    with pytest.raises(DataError):
        sim.Result.from_dir(path)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- configuration files
@pytest.mark.parametrize(
    "name",
    ["x" * 5000, "a\x00b", "../other preset", "../../../../etc/passwd", "", " "],
)
@pytest.mark.parametrize("cls", [sim.Scenario, sim.Policy])
def test_a_name_that_is_no_preset_or_file(cls: type, name: str) -> None:
    if name == "../other preset":  # a preset of the other kind, reached from this kind's folder
        name = "../policies/vip_care" if cls is sim.Scenario else "../scenarios/baseline"
    with pytest.raises(ConfigError):
        cls.load(name)


@pytest.mark.parametrize(
    "content",
    [b"name: a\x00b\n", b"name: \x07\n", b"\xff\xfe\x00\x01", bytes(range(256))],
    ids=["NUL", "BEL", "utf16", "binary"],
)
def test_control_characters_in_a_config_file(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="odd.yaml"):
        sim.Scenario.load(path)


# --------------------------------------------------------------------------- experiments
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"grid": {"desk.agents": list(range(1, 102)), "horizon_days": list(range(1, 101))}}, "10,100 points"),
        ({"grid": {"desk.agents": [1, 2]}, "replications": 60_000}, "at most 100,000"),
        ({"grid": {"desk.agents": [1]}, "workers": 10**6, "engine": "process"}, "workers="),
        ({"grid": {"desk.agents": [1]}, "address": 5, "engine": "dask"}, "address="),
        ({"grid": {"desk.agents": [1]}, "address": " ", "engine": "dask"}, "address="),
    ],
)
@pytest.mark.timeout(30)
def test_sweep_sizes_and_engines_are_bounded(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        sim.sweep("baseline", None, customers=20, days=10, **kwargs)


@pytest.mark.timeout(60)
def test_an_unreachable_dask_address_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot connect"):
        sim.compare("baseline", ["do_nothing"], replications=1, customers=20, days=10, engine="dask", address="nowhere")


@pytest.mark.parametrize(
    "arms", [[("x", None)] * 200, {1: None}, {"": None}], ids=["long list", "int name", "empty name"]
)
def test_arm_errors_are_short_and_named(arms: object) -> None:
    with pytest.raises(ConfigError) as info:
        sim.compare("baseline", arms, replications=1, customers=20, days=10)
    assert len(str(info.value)) < 400


# --------------------------------------------------------------------------- bundled datasets
@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(sim.datasets.datasets_dir(), out)
    return out


def _nul(folder: Path) -> None:
    p = folder / "crm_extract" / "web_orders.csv"
    data = p.read_bytes()
    p.write_bytes(data[:300] + b"\x00" + data[300:])


def _link(folder: Path) -> None:
    p = folder / "retail" / "orders.csv"
    p.unlink()
    os.symlink(sim.datasets.datasets_dir() / "retail" / "orders.csv", p)


def _folder(folder: Path) -> None:
    p = folder / "retail" / "orders.csv"
    p.unlink()
    p.mkdir()


@pytest.mark.parametrize(
    ("edit", "loader"),
    [(_nul, "load_crm_extract"), (_link, "load_retail"), (_folder, "load_retail")],
    ids=["NUL byte in free text", "file is a link", "file is a folder"],
)
def test_a_datasets_folder_with_odd_files(edit, loader: str, data_copy: Path) -> None:
    edit(data_copy)
    _rehash(data_copy)
    with pytest.raises(DataError):
        getattr(sim.datasets, loader)(data_dir=data_copy)


@pytest.mark.parametrize("data_dir", [5, "", "a\x00b", ["x"]])
def test_data_dir_that_is_not_a_path(data_dir: object) -> None:
    with pytest.raises(DataError, match="data_dir"):
        sim.datasets.load_retail(data_dir=data_dir)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- notebooks
GOOD = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "source": "x = 1\n", "outputs": [], "execution_count": None, "id": "a"}
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _nb(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}).encode()


NOTEBOOKS = {
    "not JSON": b"{oops",
    "empty": b"",
    "binary": bytes(range(256)),
    "UTF-16": json.dumps(GOOD).encode("utf-16"),
    "a list": b"[1, 2]",
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "no nbformat": json.dumps({"cells": []}).encode(),
    "nbformat 5": _nb(nbformat=5),
    "no cells": json.dumps({"metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
    "cells a mapping": _nb(cells={"a": 1}),
    "cell a number": _nb(cells=[1]),
    "cell without type": _nb(cells=[{"source": "x"}]),
    "cell of unknown type": _nb(cells=[{"cell_type": "zzz", "source": "x", "metadata": {}}]),
    "source a number": _nb(cells=[{**GOOD["cells"][0], "source": 5}]),
    "source lines not text": _nb(cells=[{**GOOD["cells"][0], "source": [1, 2]}]),
    "metadata a list": _nb(metadata=[1]),
    "unbalanced markers": _nb(cells=[{**GOOD["cells"][0], "source": "### BEGIN SOLUTION\nx = 1\n"}]),
}


@pytest.mark.parametrize("case", list(NOTEBOOKS))
def test_a_malformed_solutions_notebook(case: str, tmp_path: Path) -> None:
    from sim.teach.build import plan_exercises
    from sim.teach.notebooks import strip_notebooks

    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "01_x.ipynb").write_bytes(NOTEBOOKS[case])
    with pytest.raises(RetentionLabError, match="01_x.ipynb"):
        plan_exercises(tmp_path / "solutions", tmp_path / "exercises")
    if case != "unbalanced markers":  # stripping does not care about solution markers
        with pytest.raises(RetentionLabError, match="01_x.ipynb"):
            strip_notebooks([tmp_path / "solutions"], check=True)


def test_a_byte_order_mark_is_read_like_any_notebook(tmp_path: Path) -> None:
    from sim.teach.notebooks import read_notebook

    (tmp_path / "01_x.ipynb").write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert read_notebook(tmp_path / "01_x.ipynb")["cells"][0]["source"] == "x = 1\n"


@pytest.mark.parametrize("case", ["binary", "folder", "missing", "no markers"])
def test_a_course_index_that_cannot_be_rendered(case: str, tmp_path: Path) -> None:
    from sim.teach.toc import update_readme

    path = {"folder": tmp_path, "missing": tmp_path / "nope.md"}.get(case, tmp_path / "README.md")
    if case == "binary":
        path.write_bytes(bytes(range(256)))
    if case == "no markers":
        path.write_text("# course\n")
    with pytest.raises(DataError):
        update_readme(path, check=True)
