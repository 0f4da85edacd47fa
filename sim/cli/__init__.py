"""The ``retention-lab`` command (also ``python -m sim``): one typer app, one error printer.

Sub-modules, each a typer app mounted here the same way (``app.add_typer``)::

    run          run | scenarios | policies | dictionary
    experiments  compare | sweep
    datasets     datasets build [--check]
    teach        teach build-exercises | strip | toc
    _output      the console, the error printer and the KPI tables (numbers via sim.formatting)

Examples
--------
>>> from typer.testing import CliRunner
>>> r = CliRunner().invoke(app, ["--help"])
>>> r.exit_code, all(c in r.output for c in ("run", "compare", "sweep", "datasets", "teach"))
(0, True)
"""

from __future__ import annotations

import typer

from sim.cli import datasets, experiments, run, teach

__all__ = ["app", "main"]

app = typer.Typer(
    name="retention-lab",
    help="Retention Lab: simulate a customer base, rehearse retention policies, build the course.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(run.app)
app.add_typer(experiments.app)
app.add_typer(datasets.app, name="datasets", help="Regenerate or check the bundled datasets.")
app.add_typer(
    teach.app, name="teach", help="Build student exercises from solutions; strip notebooks; the course index."
)


def main() -> None:
    """Entry point of ``retention-lab`` and ``python -m sim``."""
    app()


if __name__ == "__main__":
    main()
