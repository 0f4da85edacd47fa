"""The student pack: contents, no solutions, byte-determinism, atomic write, and it runs once unpacked."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from sim.cli.teach import app
from sim.teach import pack
from sim.teach.pack import PACK_ROOT, PackFile, build_pack, find_leaks, solution_regions, write_pack
from sim.teach.toc import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pack_bytes() -> bytes:
    return build_pack(ROOT)


def test_same_repository_gives_identical_bytes(pack_bytes: bytes, tmp_path: Path) -> None:
    """Built twice (once through the CLI, into another folder), the zips are byte-identical."""
    runner = CliRunner()
    out = tmp_path / "sub" / "course-pack.zip"
    result = runner.invoke(app, ["pack", "--out", str(out), "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(pack_bytes).hexdigest()
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert not [n for n in names if n.endswith("/")]  # no directory entries (their order/time would vary)


def test_contents_are_the_available_exercises_data_and_readme(pack_bytes: bytes) -> None:
    with zipfile.ZipFile(__import__("io").BytesIO(pack_bytes)) as zf:
        names = zf.namelist()
        readme = zf.read(f"{PACK_ROOT}/README.md").decode("utf-8")
        exercise_bytes = {n: zf.read(n) for n in names if n.endswith(".ipynb")}
    assert all(n.startswith(f"{PACK_ROOT}/") for n in names)
    expected = {f"{PACK_ROOT}/exercises/{c.number:02d}_{c.slug}.ipynb" for c in CHAPTERS if c.status == "available"}
    assert set(exercise_bytes) == expected
    for name, content in exercise_bytes.items():  # the repository's exercises notebooks, unchanged
        assert content == (ROOT / "exercises" / Path(name).name).read_bytes()
    assert not [n for n in names if "/solutions/" in n or "/sim/" in n or "/notebooks/" in n or n.endswith(".py")]
    # exercise 02 loads the CRM extract: its CSV files are packed, the unused retail truth is not
    assert f"{PACK_ROOT}/datasets/crm_extract/web_orders.csv" in names
    assert not [n for n in names if "/retail_truth/" in n]
    # the README gives working setup commands and the pinned package version, lists every notebook
    from importlib.metadata import version

    assert f'pip install "retention-lab[lab]=={version("retention-lab")}"' in readme
    assert "jupyter lab exercises/" in readme
    assert all(Path(n).name in readme for n in exercise_bytes)


def test_no_solution_region_is_packed(pack_bytes: bytes) -> None:
    """Every solution region's code is absent; the detector itself finds them in solutions/."""
    regions = solution_regions(ROOT)
    assert len(regions) >= 20
    with zipfile.ZipFile(__import__("io").BytesIO(pack_bytes)) as zf:
        files = [PackFile(n, zf.read(n)) for n in zf.namelist()]
        packed = [
            nbformat.reads(zf.read(n).decode("utf-8"), as_version=4) for n in zf.namelist() if n.endswith(".ipynb")
        ]
    text = "\n\n".join(c.source for nb in packed for c in nb.cells)  # every packed cell's source
    assert find_leaks(files, regions) == []
    # independently: the exact text of every code solution region (and every solution cell's
    # source) is in no packed notebook, neither raw nor JSON-escaped
    checked = 0
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for raw in re.findall(r"### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", cell.source, re.S):
                if len(raw.strip()) < 20:
                    continue
                checked += 1
                assert raw not in text, f"{path.name}: {raw[:60]!r} leaked"
                assert cell.source not in text
    assert checked >= 20
    # the check can fail: the solutions notebooks themselves are flagged
    sols = [PackFile(p.name, p.read_bytes()) for p in sorted((ROOT / "solutions").glob("0[0-2]_*.ipynb"))]
    assert find_leaks(sols, regions) == [p.name for p in sols]


def test_a_stale_exercise_that_holds_a_solution_is_refused(tmp_path: Path, monkeypatch) -> None:
    """pack_files refuses a repository whose exercises notebook still contains a solution region."""
    for folder in ("exercises", "solutions", "datasets"):
        (tmp_path / folder).mkdir()
    for c in CHAPTERS:
        if c.status == "available":
            name = f"{c.number:02d}_{c.slug}.ipynb"
            (tmp_path / "exercises" / name).write_bytes((ROOT / "exercises" / name).read_bytes())
            (tmp_path / "solutions" / name).write_bytes((ROOT / "solutions" / name).read_bytes())
    (tmp_path / "exercises" / "00_orientation.ipynb").write_bytes(
        (ROOT / "solutions" / "00_orientation.ipynb").read_bytes()
    )
    with pytest.raises(Exception, match="00_orientation.ipynb contains a line of a solution region"):
        pack.pack_files(tmp_path)


def test_interrupted_write_keeps_the_old_pack(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "course-pack.zip"
    out.write_bytes(b"old pack")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_pack(out, ROOT)
    assert out.read_bytes() == b"old pack"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course-pack.zip"]  # no temporary file left


@pytest.mark.notebooks
@pytest.mark.timeout(240)
def test_unpacked_exercise_runs_in_this_venv(pack_bytes: bytes, tmp_path: Path) -> None:
    """Unzip, run chapter 00's exercises notebook from the unpacked folder: every check says 'not yet'."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    with zipfile.ZipFile(__import__("io").BytesIO(pack_bytes)) as zf:
        zf.extractall(tmp_path / "unpacked")
    folder = tmp_path / "unpacked" / PACK_ROOT / "exercises"
    nb = nbformat.read(folder / "00_orientation.ipynb", as_version=4)
    write_kernel_spec(tmp_path / "kernels" / "python3")
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    env = {k: v for k, v in os.environ.items() if k != "RETENTION_LAB_STRICT"}
    env["MPLBACKEND"] = "Agg"
    client = NotebookClient(
        nb,
        km=KernelManager(kernel_name="python3", kernel_spec_manager=ksm),
        timeout=180,
        allow_errors=False,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute(cleanup_kc=True, env=env)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    n_checks = sum("check.task(" in c.source for c in nb.cells if c.cell_type == "code")
    assert n_checks == 4
    assert printed.count("not yet") == n_checks
    assert "✓" not in printed
