"""Repository contracts: the two commands, dependency lists in sync, folders documented."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

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
