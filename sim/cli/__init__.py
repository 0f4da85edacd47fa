"""The ``retention-lab`` command (also ``python -m sim``): one typer app, one error printer.

Sub-modules, each a typer app mounted here the same way (``app.add_typer``)::

    run          run | scenarios | policies | dictionary
    experiments  compare | sweep
    optimize     optimize (sim.optimize: a seeded search of policy levers)
    calibrate    calibrate ORDERS.csv --out my_company.yaml (sim.calibrate: a scenario fitted to your data)
    datasets     datasets build [--check]
    teach        teach build-exercises | strip | toc
    _options     every option, defined once (one flag, one meaning)
    _output      consoles, the error printer, headers, tables, csv / json, the --out checks

Importing this package loads typer and rich only: pandas, numpy, SimPy, SciPy and matplotlib are
imported inside the commands, so ``--help`` and argument errors are instant.

A usage error (unknown option, wrong type, missing value) prints one line on stderr and exits
with status 2, like any other bad input; Ctrl-C exits with 130.

Examples
--------
>>> from typer.testing import CliRunner
>>> r = CliRunner().invoke(app, ["--help"])
>>> r.exit_code, all(c in r.output for c in ("run", "compare", "sweep", "datasets", "teach"))
(0, True)
>>> r = CliRunner().invoke(app, ["run", "-n", "4"])
>>> r.exit_code, r.stderr.splitlines()[0][:40]
(2, 'error: retention-lab run: No such option')
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption
from typer.core import TyperGroup

from sim.cli import calibrate as calibrate_cli
from sim.cli import datasets, experiments, run, teach, tournament
from sim.cli import optimize as optimize_cli
from sim.cli._output import err_console, fail, interrupted_message

__all__ = ["app", "main"]

#: Options that moved, with the hint printed when someone still uses them.
_MOVED = {
    "-n": "customers are --customers/-c; replications (compare, sweep) are --replications/-r",
}


class _Group(TyperGroup):
    """The root command: usage errors as one line (status 2) instead of a boxed help screen."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            rv = super().main(args, prog_name or "retention-lab", complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else ""
            hint = ""
            if isinstance(exc, NoSuchOption) and exc.option_name in _MOVED:
                hint = f" ({exc.option_name} is gone here: {_MOVED[exc.option_name]})"
            try:
                fail(f"{where}{exc.format_message()}{hint}" + (" — see --help" if exc.exit_code == 2 else ""))
            except typer.Exit:
                sys.exit(exc.exit_code if exc.exit_code else 2)
        except typer.Abort:
            err_console.print("aborted", highlight=False)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    name="retention-lab",
    cls=_Group,
    help="Retention Lab: simulate a customer base, rehearse retention policies, build the course.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(run.app)
app.add_typer(experiments.app)
app.add_typer(tournament.app)
app.add_typer(optimize_cli.app)
app.add_typer(calibrate_cli.app)
app.add_typer(datasets.app, name="datasets", help="Regenerate or check the bundled datasets.")
app.add_typer(
    teach.app, name="teach", help="Build student exercises from solutions; strip notebooks; the course index."
)


def main() -> None:
    """Entry point of ``retention-lab`` and ``python -m sim``."""
    try:
        app()
    except KeyboardInterrupt:  # outside a command (the commands say what they left behind)
        err_console.print(interrupted_message(), highlight=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
