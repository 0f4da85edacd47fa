"""Every option of the ``retention-lab`` command, defined once: one flag, one meaning.

A command takes an option with :func:`option` (``customers: int | None = option("customers")``),
so ``--customers/-c`` has the same short flag, help text and type in ``run``, ``compare`` and
``sweep``; ``tests/cli/test_flags.py`` walks the command tree and checks it.

``-n`` once meant customers in ``run`` and replications in ``compare`` / ``sweep``; it is now a
hidden alias of ``--replications/-r`` (and only there). ``run -n 4`` is refused with a hint.

Examples
--------
>>> FLAGS["customers"].decls
('--customers', '-c')
>>> sorted({d for f in FLAGS.values() for d in f.decls if not d.startswith("--")})  # one meaning each
['-c', '-d', '-e', '-g', '-k', '-n', '-o', '-p', '-r', '-s', '-w']
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

import typer

#: Replications per arm or grid point when neither --replications nor -n is given.
DEFAULT_REPLICATIONS = 10

__all__ = ["FLAGS", "Flag", "OutputFormat", "option", "legacy_replications"]


class OutputFormat(StrEnum):
    """``--format``: a rich table for people, CSV or JSON on stdout for scripts."""

    table = "table"
    csv = "csv"
    json = "json"


class Flag(NamedTuple):
    """One option: its flags and help (the same wherever it is used)."""

    decls: tuple[str, ...]
    help: str
    hidden: bool = False


FLAGS: dict[str, Flag] = {
    "scenario": Flag(("--scenario", "-s"), "Scenario: a preset name (see `retention-lab scenarios`) or a YAML path."),
    "policy": Flag(
        ("--policy", "-p"),
        "Policy: a preset name (see `retention-lab policies`), a YAML path, or 'none'. "
        "compare: repeat it, one per arm; the first is the baseline.",
    ),
    "customers": Flag(("--customers", "-c"), "Paid customers acquired per run (default: the scenario's)."),
    "days": Flag(("--days", "-d"), "Horizon of each run in days (default: the scenario's)."),
    "seed": Flag(("--seed",), "Master seed: the same seed gives the same tables (replications share their seeds)."),
    "replications": Flag(
        ("--replications", "-r"), "Replications per policy or grid point (default: 10; tournament: 30 per team)."
    ),
    "legacy_n": Flag(("-n",), "Old alias of --replications/-r.", hidden=True),
    "engine": Flag(("--engine", "-e"), "Where replications run: local, process or dask."),
    "workers": Flag(("--workers", "-w"), "Processes or Dask workers (default: all cores)."),
    "address": Flag(("--address",), "Dask scheduler address (with --engine dask)."),
    "out": Flag(
        ("--out", "-o"),
        "Write the output here (what is written: see above). Checked before any work: an existing "
        "file, a folder Retention Lab did not write or an unwritable place is refused.",
    ),
    "kpi": Flag(("--kpi", "-k"), "A KPI to print (repeat; default: a headline set; every KPI is written)."),
    "grid": Flag(
        ("--grid", "-g"),
        "path=v1,v2,... (repeat; the Cartesian product). Paths: scenario.<field>, policy.<field> or bare.",
    ),
    "progress": Flag(("--progress/--no-progress",), "Progress bar on stderr (default: for long work, on a terminal)."),
    "format": Flag(
        ("--format",), "table (for people), csv or json (for scripts: the data alone on stdout, the header on stderr)."
    ),
    "monthly": Flag(("--monthly",), "Also print the KPIs per calendar month."),
    "check": Flag(("--check",), "Write nothing; exit 1 if the files are out of date (for CI)."),
    "solutions": Flag(("--solutions",), "Folder of the solutions notebooks."),
    "exercises": Flag(("--exercises",), "Folder of the exercises notebooks."),
    "readme": Flag(("--readme",), "The course index (Markdown) whose chapter table is rendered."),
    "root": Flag(("--root",), "The repository's top folder (the one holding notebooks/)."),
    # tournament
    "seeds_secret": Flag(
        ("--seeds-secret",),
        "A file of secret bytes the teams never see; the replication seeds are derived from it and never printed.",
    ),
    "objective": Flag(("--objective",), "KPI to maximise (default profit); '-kpi' minimises it, e.g. -mean_wait_h."),
    "constraints": Flag(
        ("--constraints",),
        "YAML file of constraints: budget, nps_min, compliance_incidents, min/max {kpi: bound}; a breach disqualifies.",
    ),
    "baseline": Flag(("--baseline",), "Policy every team is compared with: a preset name, a YAML path or 'none'."),
    # grading
    "timeout": Flag(("--timeout",), "Wall-clock seconds per notebook."),
    "memory_mb": Flag(("--memory-mb",), "Memory (address space) limit of each kernel, MiB."),
    "max_mb": Flag(("--max-mb",), "Largest notebook file accepted, MiB."),
    # calibrate
    "tickets": Flag(
        ("--tickets",), "Ticket CSV: severity, date (or opened_t); cause, order_id, handle_h used if present."
    ),
    "surveys": Flag(("--surveys",), "Survey CSV: instrument, score (the NPS answers are used)."),
    "report": Flag(("--report",), "Also write the calibration report (Markdown) to this file."),
    "model": Flag(("--model",), "Purchase model: auto (by AIC), bgnbd or mbgnbd."),
    "start_date": Flag(("--start-date",), "Day 0 of the world (default: the day of the first order)."),
    "base": Flag(("--base",), "Scenario (preset or YAML) whose values fill what the data cannot tell."),
    "confidence": Flag(("--confidence",), "Confidence level of the reported intervals, e.g. 0.95."),
    # optimize
    "space": Flag(
        ("--space",), "YAML file of the search space: {path: {low, high[, scale: int|log]} | [choices] | simplex}."
    ),
    "trials": Flag(("--trials",), "Candidates the optimiser tries (each on the same --replications seeds)."),
    "fresh_replications": Flag(
        ("--fresh-replications",),
        "Fresh seeds (never used in the search) on which the finalists and the start are re-run.",
    ),
    "finalists": Flag(
        ("--finalists",), "Best distinct feasible trials re-run on fresh seeds; the best fresh mean wins."
    ),
}


def option(name: str, default: Any = None, **extra: Any) -> Any:
    """The typer option registered as ``name`` in :data:`FLAGS`, with ``default``.

    Examples
    --------
    >>> option("days").param_decls
    ('--days', '-d')
    """
    flag = FLAGS[name]
    return typer.Option(default, *flag.decls, help=flag.help, hidden=flag.hidden, **extra)


def legacy_replications(replications: int | None, legacy_n: int | None) -> int:
    """``--replications/-r`` merged with the hidden ``-n`` (a note on stderr; a conflict is an error).

    Examples
    --------
    >>> legacy_replications(None, None), legacy_replications(4, None)
    (10, 4)
    """
    if legacy_n is None:
        return DEFAULT_REPLICATIONS if replications is None else replications
    from sim.cli._output import err_console
    from sim.errors import ConfigError

    if replications is not None and replications != legacy_n:
        raise ConfigError(f"-n {legacy_n} and --replications {replications} disagree: give only --replications/-r")
    err_console.print("note: -n is an old alias; write --replications/-r (-n never means customers)", highlight=False)
    return legacy_n
