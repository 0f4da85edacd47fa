"""``retention-lab datasets ...``: regenerate the bundled datasets, or check them.

A typer sub-application (typer parses the options; :mod:`sim.datasets` does the work).
The main CLI (:mod:`sim.cli`) mounts it as ``datasets``.

``build`` writes every file of ``datasets/`` that the code produces (not the hand-written
``README.md`` or ``DATA_DICTIONARY.md``) plus the ``CHECKSUMS.sha256`` manifest.
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
from typing import Annotated

import typer

from sim.cli._output import handles_errors

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="The bundled datasets: regenerate them from the simulator, or check them.")


@app.callback()
def _group() -> None:
    """The bundled datasets (datasets/): regenerate them from the simulator, or check them."""


@app.command("build")
@handles_errors
def build_cmd(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Folder to write to, or to check with --check (default: the repository's datasets/)."
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the files in --out differ from a fresh build.")
    ] = False,
) -> None:
    """Regenerate the datasets (fixed seeds, byte-deterministic) and their SHA-256 manifest."""
    from sim.datasets import build_datasets, check_datasets, datasets_dir  # lazy: keeps `--help` quick

    target = datasets_dir() if out is None else out
    if check:
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
    written = build_datasets(target)
    for name in written:
        typer.echo(f"wrote {target / name}")
