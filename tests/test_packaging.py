"""Repository contracts: the two commands, dependency lists in sync, folders documented."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_deps() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(data["project"]["dependencies"])
    for extra in data["project"]["optional-dependencies"].values():
        reqs += extra
    names = {_name(r) for r in reqs}
    # dask[distributed] brings distributed; conda lists it separately
    if any(r.replace(" ", "").startswith("dask[distributed]") for r in reqs):
        names.add("distributed")
    return names


def _environment_deps() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            n = _name(dep)
            names.add(CONDA_TO_PYPI.get(n, n))
    return names - {"python", "pip"}


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    py, conda = _pyproject_deps(), _environment_deps()
    assert py == conda, f"only in pyproject: {sorted(py - conda)}; only in environment.yml: {sorted(conda - py)}"


def test_environment_yml_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = [d for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip and "-e ." in pip[0]["pip"]


def test_readme_leads_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make lab" in text and "make test" in text
    assert text.index("make lab") < 1500, "the two commands come first"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_makefile_has_lab_test_and_bench():
    mk = (ROOT / "Makefile").read_text()
    for target in ("lab:", "test:", "bench:"):
        assert re.search(rf"^{target}", mk, re.M), target


def test_every_top_level_folder_has_a_readme():
    for folder in ("notebooks", "sim", "datasets", "exercises", "solutions", "tests", "benchmarks"):
        assert (ROOT / folder / "README.md").exists(), folder


def test_data_dictionary_file_is_up_to_date():
    from sim.schema import render_markdown

    assert (ROOT / "datasets" / "DATA_DICTIONARY.md").read_text() == render_markdown(), (
        "run `retention-lab dictionary --out datasets/DATA_DICTIONARY.md`"
    )


def test_console_script_and_module_entry_point_work():
    out = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True, check=True)
    assert "run" in out.stdout and "scenarios" in out.stdout


def test_no_notebook_is_committed_with_outputs():
    import json

    for nb in ROOT.glob("*/*.ipynb"):
        data = json.loads(nb.read_text())
        for cell in data["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, nb


@pytest.mark.slow
def test_a_wheel_install_ships_every_dataset_preset_and_template(tmp_path):
    """A user who runs `pip install .` (not editable) gets the data, the presets and the report templates.

    The package is built from a copy of the sources into a wheel (no network: setuptools from the
    dev extra), installed into a fresh folder, and imported from there by a child process whose
    working directory is outside the repository.
    """
    src = tmp_path / "src"
    shutil.copytree(ROOT / "sim", src / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    dist, site = tmp_path / "dist", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)], check=True, cwd=tmp_path
    )
    wheels = list(dist.glob("retention_lab-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheels[0])], check=True, cwd=tmp_path)
    probe = """
import json, sim, sim.datasets as D
from sim.config import list_presets, list_policies, Scenario, Policy
from sim.experiments import compare
out = {"file": sim.__file__, "data": str(D.datasets_dir())}
out["manifest_ok"] = D.read_manifest() == D.file_checksums(D.datasets_dir())
out["n_files"] = len(D.file_checksums(D.datasets_dir()))
out["tables"] = {f.__name__: sorted(f()) for f in (D.load_retail, D.load_retail_truth, D.load_crm_extract, D.load_crm_answer_key)}
out["presets"] = [Scenario.load(n).name for n in list_presets()] + [Policy.load(n).name for n in list_policies()]
cmp = compare("baseline", ["do_nothing", "service_first"], replications=2, customers=60, days=20, progress=False)
out["report"] = "How to read this" in cmp.report()
print(json.dumps(out))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["file"].startswith(str(site)), f"imported the source tree, not the wheel: {out['file']}"
    assert out["data"].startswith(str(site))
    assert out["manifest_ok"] and out["n_files"] == len(__import__("sim.datasets").datasets.MANIFEST)
    assert out["tables"]["load_retail"] == ["contacts", "customers", "orders", "surveys", "tickets"]
    assert all(out["tables"].values())
    assert "baseline" in out["presets"] and "vip_care" in out["presets"]
    assert out["report"]
