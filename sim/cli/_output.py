"""What the ``retention-lab`` command prints, and the checks it makes before it writes.

Numbers go through :mod:`sim.formatting`, the formatter the HTML reports use, so a KPI prints
the same in ``run``, ``compare``, ``sweep`` and in a report. Every header names the scenario,
the policy (or policies), the seed, the size (customers x days x replications) and the currency;
every money column says its currency.

``--format csv`` / ``--format json`` print the data alone on stdout (typed JSON: numbers are
numbers, a missing value is ``null``); the header and progress go to stderr.

Errors: a :class:`~sim.errors.RetentionLabError` (bad input: a config, a table, a path) prints
one line ``error: ...`` on stderr and exits with status 2; Ctrl-C prints that nothing was written
(outputs are written atomically, see :mod:`sim._atomic`) and exits with 130; any other exception
is a bug and keeps its traceback.

Examples
--------
>>> import typer
>>> from typer.testing import CliRunner
>>> from sim.errors import ConfigError
>>> app = typer.Typer()
>>> @app.command()
... @handles_errors
... def boom() -> None:
...     raise ConfigError("desk.agents=-1 is not allowed: give a whole number >= 0")
>>> r = CliRunner().invoke(app, [])
>>> r.exit_code, r.stderr.strip()
(2, 'error: desk.agents=-1 is not allowed: give a whole number >= 0')
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from sim.errors import ConfigError, RetentionLabError

__all__ = [
    "console",
    "err_console",
    "fail",
    "handles_errors",
    "writing",
    "interrupted_message",
    "check_out_dir",
    "check_out_file",
    "header_line",
    "emit",
    "progress_on_stderr",
]

#: Tables, headers (``--format table``) and messages: stdout.
console = Console()
#: Errors, notes, progress, and the header when stdout carries CSV or JSON.
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------- errors and Ctrl-C
def fail(exc: BaseException | str) -> NoReturn:
    """Print ``error: <message>`` on stderr (one line, no traceback) and exit with status 2."""
    text = " ".join(str(exc).split())  # one line, whatever the message holds
    err_console.print(f"[bold red]error:[/] {escape(text)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


_WRITING: list[tuple[Path, bool]] = []  # (path, atomic) of the writes under way


@contextlib.contextmanager
def writing(path: Path | str, *, atomic: bool) -> Iterator[None]:
    """Mark a write under way, so that Ctrl-C says honestly what it left behind.

    ``atomic=True``: the writer replaces ``path`` in one step (:mod:`sim._atomic`), so an
    interrupted write leaves nothing. ``atomic=False``: files are written one by one.
    """
    _WRITING.append((Path(path), atomic))
    try:
        yield
    finally:
        _WRITING.pop()


def interrupted_message() -> str:
    """What Ctrl-C left behind, in one line.

    Examples
    --------
    >>> interrupted_message()
    'interrupted — nothing was written'
    >>> with writing("datasets", atomic=False):
    ...     interrupted_message()
    'interrupted while writing datasets — it may be incomplete: run the command again'
    """
    partial = [p for p, atomic in _WRITING if not atomic]
    if partial:
        return f"interrupted while writing {partial[-1]} — it may be incomplete: run the command again"
    return "interrupted — nothing was written"


def handles_errors(fn: F) -> F:
    """Decorate a command: bad input -> :func:`fail` (status 2); Ctrl-C -> one line, status 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RetentionLabError as exc:
            fail(exc)
        except KeyboardInterrupt:
            err_console.print(interrupted_message(), highlight=False)
            raise typer.Exit(code=130) from None

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------- output paths
def _nearest_existing(path: Path) -> Path:
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    return parent


def _probe_writable(folder: Path, target: Path) -> None:
    """Create and remove a scratch folder in ``folder``: the honest test (root ignores permission bits)."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".retention-lab-probe-", dir=folder))
    except OSError as exc:
        raise ConfigError(f"--out {_short(target)}: cannot write in {_short(folder)} ({exc.strerror})") from None


def _short(path: Path | str, limit: int = 80) -> str:
    text = str(path)
    return repr(text) if len(text) <= limit else repr("..." + text[-(limit - 3) :])


def check_out_dir(out: str, kind: str, legacy: Sequence[str] = ()) -> Path:
    """Check ``--out`` before any work: a folder Retention Lab may (re)place as a whole.

    Refused (:class:`~sim.errors.RetentionLabError`, so exit status 2): an empty path, an existing
    file, a non-empty folder Retention Lab did not write (no ``MANIFEST.json``) or of another
    ``kind``, a place that cannot be written. The rules are :func:`sim._atomic.check_target`'s,
    the check the writers run again just before they replace the folder; here it is also
    tried for real (root ignores permission bits).

    Examples
    --------
    >>> check_out_dir("", "result")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: --out '' is empty: give a folder name (it is created if needed), e.g. --out runs/base
    """
    from sim._atomic import OutputError, check_target

    if not out.strip():
        raise ConfigError(f"--out {out!r} is empty: give a folder name (it is created if needed), e.g. --out runs/base")
    try:
        target = check_target(out, kind, legacy=legacy)
        _probe_writable(_nearest_existing(target), target)
    except OutputError as exc:
        raise ConfigError(f"--out: {exc}") from None
    return target


def check_out_file(out: str) -> Path:
    """Check ``--out`` before any work when it names one file (``dictionary``).

    Examples
    --------
    >>> import tempfile
    >>> check_out_file(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: --out ... is a folder: give a file name, e.g. --out DATA_DICTIONARY.md
    """
    if not out.strip():
        raise ConfigError(f"--out {out!r} is empty: give a file name, e.g. --out DATA_DICTIONARY.md")
    if "\x00" in out:
        raise ConfigError(f"--out {_short(out)} holds a NUL byte: give a file name, e.g. --out DATA_DICTIONARY.md")
    target = Path(out)
    from sim._atomic.target import long_part

    if long_part(target) is not None:
        raise ConfigError(f"--out {_short(target)}: a part is longer than a file name may be (255 bytes)")
    try:
        if target.is_dir():
            raise ConfigError(f"--out {_short(target)} is a folder: give a file name, e.g. --out DATA_DICTIONARY.md")
        if target.exists() and not target.is_file():  # a device, a pipe, a socket: never replaced
            raise ConfigError(f"--out {_short(target)} is not a regular file: give a file name to (over)write")
        parent = _nearest_existing(target)
    except OSError as exc:  # a name too long for the file system, ...
        raise ConfigError(f"--out {_short(target)} cannot be used: {exc.strerror or exc}") from None
    if not parent.is_dir():
        raise ConfigError(f"--out {_short(target)}: {_short(parent)} is a file, not a folder")
    _probe_writable(parent, target)
    return target


# --------------------------------------------------------------------------- header and formats
def header_line(meta: dict[str, Any]) -> str:
    """One line naming scenario, policy, seed, size and currency (plain text).

    Examples
    --------
    >>> header_line({"scenario": "baseline", "policy": "vip_care", "seed": 1, "customers": 5000,
    ...              "days": 730, "replications": 1, "currency": "CNY"})
    'baseline · policy vip_care · seed 1 · 5,000 customers × 730 days × 1 run · money in CNY'
    """
    parts = [f"{meta['scenario']}"]
    if "policies" in meta:
        parts.append(f"policies {', '.join(meta['policies'])} (baseline {meta['baseline']})")
    else:
        parts.append(f"policy {meta.get('policy') or 'none'}")
    if meta.get("grid_points"):
        parts.append(f"{meta['grid_points']} grid points ({', '.join(meta.get('grid', []))})")
    parts.append(f"seed {meta['seed']}")
    reps = int(meta.get("replications") or 1)
    parts.append(
        f"{int(meta['customers']):,} customers × {float(meta['days']):g} days × "
        f"{reps} {'run' if reps == 1 else 'replications'}"
    )
    parts.append(f"money in {meta['currency']}")
    if meta.get("engine"):
        parts.append(f"engine {meta['engine']}")
    return " · ".join(parts + [str(x) for x in meta.get("extra", [])])


def _plain(value: Any) -> Any:
    """A JSON-ready Python value: numpy scalars unwrapped, NaN / inf / NaT -> None, dates as text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value != value:  # NaT and friends
        return None
    return str(value)


def emit(fmt: str, meta: dict[str, Any], rows: list[dict[str, Any]], tables: Iterable[Any] = ()) -> None:
    """Print a command's output: header + rich tables, or the rows as CSV / JSON on stdout alone.

    Examples
    --------
    >>> emit("json", {"scenario": "s", "seed": 0, "customers": 1, "days": 1, "currency": "EUR"},
    ...      [{"kpi": "revenue", "value": float("nan"), "unit": "EUR"}])  # doctest: +ELLIPSIS
    {"meta": {...}, "rows": [{"kpi": "revenue", "value": null, "unit": "EUR"}]}
    """
    fmt = getattr(fmt, "value", fmt)
    if fmt == "table":
        console.print(escape(header_line(meta)), highlight=False, soft_wrap=True)
        for t in tables:
            console.print(t)
        return
    err_console.print(escape(header_line(meta)), highlight=False, soft_wrap=True)
    clean = [{str(k): _plain(v) for k, v in r.items()} for r in rows]
    out = sys.stdout
    if fmt == "json":
        out.write(
            json.dumps(
                {"meta": _plain({k: v for k, v in meta.items() if k != "extra"}), "rows": clean},
                ensure_ascii=False,
                allow_nan=False,
            )
            + "\n"
        )
    elif fmt == "csv":
        columns: list[str] = []
        for r in clean:
            columns += [c for c in r if c not in columns]
        w = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in clean)
    else:  # pragma: no cover - typer restricts --format to the choices
        raise ConfigError(f"--format {fmt!r} is not allowed: give table, csv or json")
    out.flush()


@contextlib.contextmanager
def progress_on_stderr() -> Iterator[None]:
    """Send rich's default console (progress bars of the simulator and the engines) to stderr."""
    import rich

    shared = rich.get_console()
    saved = dict(shared.__dict__)
    rich.reconfigure(stderr=True)
    try:
        yield
    finally:
        shared.__dict__.clear()
        shared.__dict__.update(saved)


def want_progress(progress: bool | None, work: float, threshold: float = 2e6) -> bool | None:
    """``--progress/--no-progress`` as given; by default a bar for work above ``threshold`` on a terminal.

    Examples
    --------
    >>> want_progress(True, 0), want_progress(False, 1e12)
    (True, False)
    """
    if progress is not None:
        return progress
    return bool(work > threshold and err_console.is_terminal)
