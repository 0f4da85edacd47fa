"""``retention-lab teach ...``: build exercises, strip notebooks, the course index, pack, grade.

A typer sub-application (typer parses the options; the work is done by
:mod:`sim.teach.build` and :mod:`sim.teach.toc`). The main CLI (:mod:`sim.cli`)
mounts it as ``teach``.

Every command with ``--check`` writes nothing and exits with status 1 when something is
stale, printing what and how to fix it (for CI and the test suite).

Examples
--------
>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["--help"])
>>> result.exit_code, "build-exercises" in result.output
(0, True)
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from sim.cli._options import option
from sim.cli._output import fail, handles_errors, writing

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="Course tooling: exercises from solutions, stripped notebooks, the course index, the student pack, grading.",
)

_VERB = {"create": "missing", "update": "stale", "delete": "orphaned (no solutions notebook)"}


@app.command("build-exercises")
@handles_errors
def build_exercises_cmd(
    check: bool = option("check", False),
    solutions: Path = option("solutions", Path("solutions")),
    exercises: Path = option("exercises", Path("exercises")),
) -> None:
    """Generate exercises/NN_*.ipynb from solutions/NN_*.ipynb (byte-deterministic)."""
    from sim.teach.build import MarkerError, apply_changes, plan_exercises  # lazy: nbformat is slow to import

    try:
        changes = plan_exercises(solutions, exercises)
    except (MarkerError, FileNotFoundError, ValueError) as exc:
        fail(exc)
    if check:
        for c in changes:
            typer.echo(f"{_VERB[c.action]}: {c.path}")
        if changes:
            typer.echo(
                f"{len(changes)} exercises notebook(s) out of sync with {solutions}/; "
                "run `make exercises` (retention-lab teach build-exercises)",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo(f"exercises in sync with {solutions}/")
        return
    with writing(exercises, atomic=False):
        apply_changes(changes)
    for c in changes:
        typer.echo(f"{c.action}d {c.path}")
    if not changes:
        typer.echo(f"exercises already in sync with {solutions}/")


@app.command("strip")
@handles_errors
def strip_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Notebooks or folders (default: notebooks solutions exercises)."),
    ] = None,
    check: bool = option("check", False),
) -> None:
    """Remove outputs, execution counts and volatile metadata from notebooks (in place)."""
    from sim.teach.notebooks import strip_notebooks

    targets = paths or [p for p in (Path("notebooks"), Path("solutions"), Path("exercises")) if p.is_dir()]
    try:
        with contextlib.nullcontext() if check else writing(" ".join(map(str, targets)), atomic=False):
            changed = strip_notebooks(targets, check=check)
    except (FileNotFoundError, ValueError) as exc:
        fail(exc)
    for p in changed:
        typer.echo(f"{'not stripped' if check else 'stripped'}: {p}")
    if check and changed:
        typer.echo("run `retention-lab teach strip` before committing", err=True)
        raise typer.Exit(1)
    if not changed:
        typer.echo("all notebooks clean")


@app.command("toc")
@handles_errors
def toc_cmd(
    check: bool = option("check", False),
    readme: Path = option("readme", Path("notebooks/README.md")),
) -> None:
    """Render the chapter table of the course index from sim/teach/toc.py."""
    from sim.teach.toc import update_readme

    try:
        changed = update_readme(readme, check=check)
    except (FileNotFoundError, ValueError) as exc:
        fail(exc)
    if check and changed:
        typer.echo(f"stale: {readme} (run `retention-lab teach toc`)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{'updated' if changed else 'up to date'}: {readme}")


@app.command("sources")
@handles_errors
def sources_cmd(
    check: bool = option("check", False),
    root: Path = option("root", Path(".")),
) -> None:
    """Render notebooks/SOURCES.md (the courseware's figures and claims -> where the course teaches them)."""
    from sim.teach.sources import write_sources

    page = root / "notebooks" / "SOURCES.md"
    if not (root / "notebooks").is_dir():
        fail(f"--root {str(root)[:80]!r}: no notebooks/ folder there; give the repository's top folder")
    changed = write_sources(root, check=check)
    if check and changed:
        typer.echo(f"stale: {page} (run `retention-lab teach sources`)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{'updated' if changed else 'up to date'}: {page}")


@app.command("pack")
@handles_errors
def pack_cmd(
    out: str = option("out", "course-pack.zip"),
    root: Path = option("root", Path(".")),
) -> None:
    """Write the student pack: exercises, the data they load, a README with setup; no solutions."""
    from sim.teach.pack import write_pack

    if not (root / "exercises").is_dir():
        fail(f"--root {str(root)[:80]!r}: no exercises/ folder there; give the repository's top folder")
    with writing(Path(out), atomic=True):
        path = write_pack(Path(out), root)
    typer.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


@app.command("grade")
@handles_errors
def grade_cmd(
    submissions: Annotated[
        Path, typer.Argument(help="SUBMISSIONS/ folder: one folder per trainee, <NN_name>.ipynb inside.")
    ],
    out: str = option("out", "gradebook.csv"),
    timeout: float = option("timeout", 120.0),
    memory_mb: int = option("memory_mb", 4096),
    max_mb: float = option("max_mb", 10.0),
    root: Path = option("root", Path(".")),
) -> None:
    """Grade submitted exercise notebooks in fresh kernels with the course's own checks."""
    from sim.teach.grade import Limits, grade_submissions, totals, write_gradebook

    if timeout <= 0 or memory_mb < 256 or max_mb <= 0:
        fail(f"--timeout must be > 0, --memory-mb >= 256 and --max-mb > 0 (got {timeout}, {memory_mb}, {max_mb})")
    if Path(out).is_dir():
        fail(f"--out {str(out)[:80]!r} is a folder; give a file name such as gradebook.csv")
    rows = grade_submissions(
        submissions,
        root=root,
        limits=Limits(timeout=timeout, memory_mb=memory_mb, max_mb=max_mb),
        progress=lambda msg: typer.echo(msg, err=True),
    )
    with writing(Path(out), atomic=True):
        csv_path, html_path = write_gradebook(rows, Path(out))
    for check, c in totals(rows, lambda r: r.check):
        typer.echo(f"{check}: {c['passed']} passed, {c['not yet']} not yet, {c['error']} error")
    typer.echo(f"wrote {csv_path} and {html_path} ({len(rows)} rows)")
