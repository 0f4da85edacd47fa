"""`retention-lab --help` is instant because nothing heavy is imported until a command runs.

Checked by what is imported (honest and fast), not by a wall-clock limit.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "simpy", "scipy", "matplotlib", "nbformat", "pyarrow", "seaborn", "jinja2", "dask")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "code",
    [
        "import sim",
        "import sim.cli",
        "from sim.cli import app\nfrom typer.testing import CliRunner\n"
        "for a in (['--help'], ['run', '--help'], ['compare', '--help'], ['run', '-n', '4'], ['run', '-c', 'x']):\n"
        "    assert CliRunner().invoke(app, a).exit_code in (0, 2)",
    ],
    ids=["import sim", "import sim.cli", "help and argument errors"],
)
def test_no_heavy_module_is_imported(code):
    loaded = _modules_after(code)
    heavy = sorted(m for m in HEAVY if m in loaded)
    assert not heavy, f"{code!r} imports {heavy}"


@pytest.mark.timeout(120)
def test_the_check_can_fail():
    """The same probe sees pandas once a command actually needs it."""
    assert "pandas" in _modules_after("import sim\nsim.Result")
    assert "simpy" in _modules_after("from sim import run")


def test_the_lazy_facade_keeps_the_public_api():
    import sim
    from sim import Comparison, Policy, Result, Scenario, compare, run, sweep  # noqa: F401

    assert sim.run is run and sim.Scenario is Scenario and run.__module__ == "sim.runner"
    assert set(sim.__all__) <= set(dir(sim))
    assert {"analysis", "datasets"} <= set(dir(sim))
    assert callable(sim.datasets.load_retail) and sim.analysis.rfm is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = sim.nope
    assert Scenario.load("baseline").currency == "CNY"
