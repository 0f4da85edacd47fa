"""The README's code runs, and what its prose says about the results is true.

Every ```python block is executed in order, in one namespace, in a temporary folder; every
```bash block made only of ``retention-lab`` / ``python -m sim`` commands runs there too (the
``make`` and conda blocks set up machines and are not run here: ``.ci/run`` runs ``make test``).
The tour's statements about a second agent are then checked on the comparison it computed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent

#: One xdist group: the tour (``readme_run``, about 80 CPU s of CLI runs) is a module fixture,
#: which every xdist worker would otherwise build again for the tests it was given.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.xdist_group("readme")]


def blocks(lang: str) -> list[str]:
    """The fenced code blocks of the README in language ``lang``, in order."""
    return re.findall(rf"^```{lang}\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.M | re.S)


def commands(block: str) -> list[str] | None:
    """The shell commands of a block (continuations joined), or None if it is not all ours to run."""
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        line = line.split("  #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(("retention-lab ", "python -m sim")):
            return None
        out.append(line)
    return out


def run_shell(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}
    line = re.sub(r"^python ", f"{shlex.quote(sys.executable)} ", line)
    return subprocess.run(line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_readme_has_the_blocks_this_test_runs():
    assert len(blocks("python")) >= 2
    runnable = [c for c in map(commands, blocks("bash")) if c]
    assert runnable and sum(len(c) for c in runnable) >= 5, "no runnable command block found in the README"


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    """Run the README top to bottom in a fresh folder; return the Python namespace."""
    cwd = tmp_path_factory.mktemp("readme")
    python, bash = blocks("python"), [c for c in map(commands, blocks("bash")) if c]
    ns: dict = {"__name__": "__readme__"}
    old = Path.cwd()
    os.chdir(cwd)
    try:
        exec(compile(python[0], "README.md (tour)", "exec"), ns)  # the 10-line tour
        ns["tour_cmp"] = ns["cmp"]
        for block in bash:
            for line in block:
                done = run_shell(line, cwd)
                assert done.returncode == 0, f"`{line}` failed:\n{done.stderr[-2000:]}"
        for k, code in enumerate(python[1:], start=2):  # the blocks that read what the commands wrote
            exec(compile(code, f"README.md (python block {k})", "exec"), ns)
    finally:
        os.chdir(old)
    ns["cwd"] = cwd
    return ns


def test_the_tour_runs_and_shows_the_tables(readme_run):
    res = readme_run["res"]
    assert len(res.orders) > 1000 and {"true_alive", "true_churn_reason"} <= set(res.customers.columns)
    assert not any(c.startswith("true_") for c in readme_run["view"].customers.columns)


def test_what_the_tour_says_a_second_agent_buys(readme_run):
    """Each statement of the paragraph under the tour, on the comparison the tour computed."""
    s = readme_run["tour_cmp"].summary.set_index(["policy", "kpi"])
    one, two = s.xs("one agent"), s.xs("two agents")
    # "cuts the mean wait for a first response from about 9 minutes to seconds"
    assert 5 / 60 < one.loc["mean_wait_h", "mean"] < 15 / 60
    assert two.loc["mean_wait_h", "mean"] < 1 / 60 and two.loc["mean_wait_h", "diff_ci_high"] < 0
    # "lifts P1 SLA compliance by about 5 percentage points"
    p1 = two.loc["sla_met_P1"]
    assert 0.02 < p1["diff"] < 0.10 and p1["diff_ci_low"] > 0
    # "keeps no measurable extra customer (the CI of true_alive includes 0)"
    assert two.loc["true_alive", "diff_ci_low"] < 0 < two.loc["true_alive", "diff_ci_high"]
    # "costs 438,000 CNY over two years": 600 CNY per agent-day x 730 days
    assert two.loc["service_cost", "diff"] == pytest.approx(600 * 730)
    # "for P0 the difference is not measurable ... about 10 P0 tickets [per run] ... some 30 pp wide"
    p0 = two.loc["sla_met_P0"]
    assert p0["diff_ci_low"] < 0 < p0["diff_ci_high"] and 0.2 < p0["diff_ci_high"] - p0["diff_ci_low"] < 0.45
    assert 5 <= one.loc["sla_met_P0", "events"] / readme_run["tour_cmp"].n_replications <= 15


def test_the_commands_wrote_what_the_readme_says(readme_run):
    cwd = readme_run["cwd"]
    assert (cwd / "runs" / "cmp" / "report.html").is_file() and (cwd / "runs" / "vip" / "MANIFEST.json").is_file()
    header = (cwd / "kpis.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("kpi,") or "kpi" in header.split(",")
    assert readme_run["sw"].summary["point"].nunique() == 3
