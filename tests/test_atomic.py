"""sim._atomic: a folder is written whole or not at all, never replaces what is not ours, and is read only if whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim._atomic import ManifestError, MissingManifestError, OutputError, atomic_dir, check_target, verify_dir
from sim._atomic import target as _target
from sim._atomic import writer as _writer


def write(target: Path, files: dict[str, str], kind: str = "result", **kw) -> Path:
    with atomic_dir(target, kind=kind, **kw) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8")
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


# --------------------------------------------------------------------------- writing
def test_the_manifest_lists_every_file_with_size_checksum_and_provenance(tmp_path):
    import hashlib

    target = write(tmp_path / "out", {"a.txt": "alpha", "sub/b.csv": "x\n1\n"}, seed=[1, 2])
    doc = json.loads((target / "MANIFEST.json").read_text(encoding="utf-8"))
    assert doc["format"] == "retention-lab-manifest" and doc["format_version"] == 1 and doc["kind"] == "result"
    assert doc["seed"] == [1, 2] and doc["created"].endswith("+00:00")
    assert {"retention_lab", "python", "numpy", "pandas"} <= set(doc["versions"])
    assert doc["files"] == {
        "a.txt": {"size": 5, "sha256": hashlib.sha256(b"alpha").hexdigest()},
        "sub/b.csv": {"size": 4, "sha256": hashlib.sha256(b"x\n1\n").hexdigest()},
    }
    assert verify_dir(target, "result") == doc
    assert siblings(target) == []  # no temporary or trash folder left


def test_a_failed_write_leaves_the_old_folder_exactly_and_no_temporary_folder(tmp_path):
    target = write(tmp_path / "out", {"a.txt": "old"})
    before = snapshot(target)
    with pytest.raises(RuntimeError):
        with atomic_dir(target, kind="result") as tmp:
            (tmp / "a.txt").write_text("new", encoding="utf-8")
            raise RuntimeError("disk full half way")
    assert snapshot(target) == before and siblings(target) == []
    write(target, {"a.txt": "new", "b.txt": "more"})
    assert (target / "a.txt").read_text(encoding="utf-8") == "new" and siblings(target) == []


def test_a_rewrite_replaces_the_whole_folder(tmp_path):
    target = write(tmp_path / "out", {"a.txt": "1", "gone.txt": "2"})
    write(target, {"a.txt": "3"})
    assert set(snapshot(target)) == {"a.txt", "MANIFEST.json"}
    verify_dir(target)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_both_swap_strategies_work_and_a_failed_second_rename_restores_the_old_folder(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(_writer, "_exchange", lambda a, b: False)
    target = write(tmp_path / "out", {"a.txt": "old"})
    write(target, {"a.txt": "new"})
    assert (target / "a.txt").read_text(encoding="utf-8") == "new" and siblings(target) == []
    if exchange:
        return
    real = os.rename

    def second_rename_fails(src, dst):
        if ".tmp-" in str(src):
            raise OSError("simulated failure between the two renames")
        return real(src, dst)

    monkeypatch.setattr(_writer.os, "rename", second_rename_fails)
    before = snapshot(target)
    with pytest.raises(OSError, match="simulated"):
        write(target, {"a.txt": "newer"})
    assert snapshot(target) == before and siblings(target) == []


def test_keep_if_same_keeps_every_byte(tmp_path):
    target = write(tmp_path / "out", {"a.txt": "same"}, kind="datasets", keep_if_same=True)
    before = snapshot(target)
    write(target, {"a.txt": "same"}, kind="datasets", keep_if_same=True)
    assert snapshot(target) == before
    write(target, {"a.txt": "other"}, kind="datasets", keep_if_same=True)
    assert (target / "a.txt").read_text(encoding="utf-8") == "other"


def test_stale_temporary_folders_of_dead_writers_are_removed_by_the_next_write(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    target = tmp_path / "out"
    stale = [tmp_path / f".out.tmp-{dead_pid}-abcd", tmp_path / f".out.trash-{dead_pid}-ef01"]
    alive = tmp_path / f".out.tmp-{os.getppid()}-9999"  # a live writer's: left alone
    for p in [*stale, alive]:
        (p / "half").mkdir(parents=True)
    other = tmp_path / f".other.tmp-{dead_pid}-0000"  # another target's: not ours to judge
    other.mkdir()
    write(target, {"a.txt": "x"})
    assert not any(p.exists() for p in stale) and alive.exists() and other.exists()


# --------------------------------------------------------------------------- what may be replaced
def test_a_file_a_foreign_folder_or_another_kind_is_never_replaced(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    foreign = tmp_path / "thesis"
    (foreign / "chapter1.tex").parent.mkdir()
    (foreign / "chapter1.tex").write_text("...", encoding="utf-8")
    experiment = write(tmp_path / "exp", {"summary.csv": "a\n"}, kind="experiment")
    touched = write(tmp_path / "touched", {"a.txt": "x"})
    (touched / "my_notes.md").write_text("added by hand", encoding="utf-8")
    cases = {
        a_file: "is a file",
        foreign: "has no MANIFEST.json",
        experiment: "is an experiment folder .*, not a result folder",
        touched: "files Retention Lab did not write",
    }
    for path, why in cases.items():
        before = path.read_bytes() if path.is_file() else snapshot(path)
        with pytest.raises(OutputError, match=why):
            write(path, {"a.txt": "new"})
        with pytest.raises(OutputError, match=why):
            check_target(path, "result")
        assert (path.read_bytes() if path.is_file() else snapshot(path)) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_check_target_accepts_new_empty_ours_and_legacy_folders(tmp_path):
    assert check_target(tmp_path / "a" / "b" / "c", "result") == tmp_path / "a" / "b" / "c"
    (tmp_path / "empty").mkdir()
    check_target(tmp_path / "empty", "result")
    check_target(write(tmp_path / "ours", {"x.txt": "1"}), "result")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "run.json").write_text("{}", encoding="utf-8")
    check_target(legacy, "result", legacy=("run.json", "orders.parquet"))
    with pytest.raises(OutputError, match="no MANIFEST.json"):
        check_target(legacy, "result", legacy=("orders.parquet",))


def test_check_target_refuses_an_empty_path_a_file_parent_and_an_unwritable_parent(tmp_path, monkeypatch):
    for empty in ("", "  "):
        with pytest.raises(OutputError, match="empty"):
            check_target(empty)
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_target(tmp_path / "f" / "sub" / "out")
    monkeypatch.setattr(_target.os, "access", lambda path, mode: False)
    with pytest.raises(OutputError, match="not writable"):
        check_target(tmp_path / "new")


# --------------------------------------------------------------------------- reading
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "a.txt").write_text("alphA", encoding="utf-8"), "a.txt: its SHA-256 does not match"),
        (lambda d: (d / "a.txt").write_text("alpha!", encoding="utf-8"), "a.txt: size 6 bytes"),
        (lambda d: (d / "sub" / "b.csv").unlink(), "sub/b.csv is listed in MANIFEST.json but missing"),
        (lambda d: (d / "sub" / "c.csv").write_text("", encoding="utf-8"), "sub/c.csv is not listed"),
        (lambda d: (d / "MANIFEST.json").write_text("{not json", encoding="utf-8"), "not valid JSON"),
        (lambda d: (d / "MANIFEST.json").write_text("[]", encoding="utf-8"), "not a Retention Lab manifest"),
        (lambda d: (d / "MANIFEST.json").unlink(), "MANIFEST.json is missing"),
    ],
)
def test_verify_dir_names_the_folder_and_the_file(tmp_path, damage, message):
    target = write(tmp_path / "out", {"a.txt": "alpha", "sub/b.csv": "x\n1\n"})
    damage(target)
    with pytest.raises(ManifestError, match=message) as info:
        verify_dir(target, "result")
    assert str(target) in str(info.value)


def test_verify_dir_checks_kind_expected_files_and_refuses_paths_outside_the_folder(tmp_path):
    target = write(tmp_path / "out", {"a.txt": "alpha"})
    with pytest.raises(ManifestError, match="is a result folder, not a datasets folder"):
        verify_dir(target, "datasets")
    with pytest.raises(ManifestError, match="does not list b.txt"):
        verify_dir(target, "result", expect=("a.txt", "b.txt"))
    doc = json.loads((target / "MANIFEST.json").read_text(encoding="utf-8"))
    doc["files"]["../secret"] = {"size": 1, "sha256": "0" * 64}
    (target / "MANIFEST.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ManifestError, match="malformed"):
        verify_dir(target)
    with pytest.raises(MissingManifestError, match="does not exist") as info:
        verify_dir(tmp_path / "nowhere")
    assert isinstance(info.value, FileNotFoundError)


def test_a_link_to_a_folder_is_followed_and_the_current_folder_is_refused(tmp_path, monkeypatch):
    real = write(tmp_path / "runs" / "2025", {"a.txt": "old"})
    link = tmp_path / "latest"
    link.symlink_to(real, target_is_directory=True)
    write(link, {"a.txt": "new"})
    assert link.is_symlink() and (real / "a.txt").read_text(encoding="utf-8") == "new"
    assert siblings(real) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["latest", "runs"]
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    for here in (".", "", str(empty)):
        with pytest.raises(OutputError, match="current folder|empty"):
            check_target(here)
