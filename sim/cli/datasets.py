"""``retention-lab datasets ...``: regenerate the bundled datasets, or check them.

A typer sub-application (typer parses the options; :mod:`sim.datasets` does the work).
The main CLI (:mod:`sim.cli`) mounts it as ``datasets``.

``build`` writes every file of ``datasets/`` that the code produces (not the hand-written
``README.md`` or ``DATA_DICTIONARY.md``) plus ``MANIFEST.json`` (size and SHA-256 of every file,
seeds, versions), all at once: into a temporary sibling folder that replaces the old one whole.
``build --check`` writes nothing there: it rebuilds into a temporary folder and exits with
status 1 if any committed file differs (for CI and the test suite).

Examples
--------
>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["build", "--help"])
>>> result.exit_code, "--check" in result.output
(0, True)
"""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli._options import option
from sim.cli._output import check_out_dir, handles_errors, writing
from sim.errors import ConfigError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="The bundled datasets: regenerate them from the simulator, or check them.")


@app.callback()
def _group() -> None:
    """The bundled datasets (datasets/): regenerate them from the simulator, or check them."""


@app.command("build")
@handles_errors
def build_cmd(
    out: str | None = option("out"),
    check: bool = option("check", False),
) -> None:
    """Regenerate the datasets (fixed seeds, byte-deterministic) and their manifest.

    --out: the folder to write, or to compare with --check (default: the package's data folder).
    """
    from sim.datasets import build_datasets, check_datasets, datasets_dir  # lazy: keeps `--help` quick

    if out is not None and not out.strip():
        raise ConfigError("--out '' is empty: give a folder name, e.g. --out /tmp/datasets")
    if check:
        target = datasets_dir() if out is None else Path(out)
        if "\x00" in str(target) or not target.is_dir():
            raise ConfigError(f"--out {str(target)[:80]!r} is not a folder: give the datasets folder to check")
        problems = check_datasets(target)
        for line in problems:
            typer.echo(line)
        if problems:
            typer.echo(
                f"{len(problems)} file(s) in {target} differ from what the code produces; "
                "run `make datasets` (retention-lab datasets build)",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo(f"datasets in {target} are up to date")
        return
    from sim.datasets.build import LEGACY_FILES

    target = datasets_dir() if out is None else check_out_dir(out, "datasets", LEGACY_FILES)
    with writing(target, atomic=True):
        written = build_datasets(target)
    for name in written:
        typer.echo(f"wrote {target / name}")
