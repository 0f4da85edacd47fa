"""``retention-lab calibrate``: fit a scenario to your own order log, from the terminal.

Reads the CSV files with pandas, fits with :func:`sim.calibrate`, prints the estimates with
their intervals and what the data could not tell, and writes the scenario YAML in one step (a
temporary sibling renamed into place: an interrupted write leaves the old file or nothing).
The YAML loads with ``sim.Scenario.load(path)`` and runs like any preset.

Examples
--------
::

    retention-lab calibrate orders.csv --tickets tickets.csv --surveys surveys.csv --out my_company.yaml
    retention-lab calibrate orders.csv --model mbgnbd --report calibration.md --out my_company.yaml
    retention-lab run --scenario my_company.yaml --seed 1
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sim.cli._options import FLAGS, Flag, option
from sim.cli._output import check_out_file, console, handles_errors, writing
from sim.errors import ConfigError, DataError

__all__ = ["app", "read_table", "write_text_atomic", "CALIBRATE_FLAGS"]

#: This command's own options (defined in :data:`sim.cli._options.FLAGS`, the one registry of flags:
#: each flag keeps one meaning everywhere, ``tests/cli/test_flags.py``).
CALIBRATE_FLAGS: dict[str, Flag] = {
    k: FLAGS[k] for k in ("tickets", "surveys", "report", "model", "start_date", "base", "confidence")
}

app = typer.Typer()


def read_table(path: str, table: str) -> object:
    """Read a CSV file (or a Parquet file, by its ``.parquet`` suffix: what ``run --out`` writes) into a
    DataFrame, or raise a clear error naming the file.

    Examples
    --------
    >>> read_table("/no/such/orders.csv", "orders")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: orders file '/no/such/orders.csv' does not exist
    """
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"{table} file {path!r} does not exist" if not p.exists() else f"{table} file {path!r} is not a file"
        )
    if p.suffix.lower() == ".parquet":
        try:
            return pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises ArrowInvalid / OSError subclasses for a file that is not Parquet
            raise DataError(
                f"cannot be read as Parquet: {' '.join(str(exc).split())[:200]}", table=f"{table} ({path})"
            ) from None
    try:
        df = pd.read_csv(p)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(
            f"cannot be read as CSV: {' '.join(str(exc).split())[:200]}", table=f"{table} ({path})"
        ) from None
    header = str(df.columns[0]) if len(df.columns) == 1 else ""
    sep = next((c for c in (";", "\t", "|") if c in header), None)
    if sep is not None:
        raise DataError(
            f"one column {header[:80]!r}: the file is separated by {sep!r}, not commas; save it as a comma-separated "
            "CSV",
            table=f"{table} ({path})",
        )
    return df


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` in one step: a temporary sibling, fsynced, renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with writing(target, atomic=True):
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


@app.command()
@handles_errors
def calibrate(
    orders: str = typer.Argument(
        ..., help="Order log CSV: customer_id, date (or t), amount; order_id, margin optional."
    ),
    out: str = option("out", ...),
    tickets: str | None = option("tickets"),
    surveys: str | None = option("surveys"),
    report: str | None = option("report"),
    model: str = option("model", "auto"),
    start_date: str | None = option("start_date"),
    base: str = option("base", "baseline"),
    confidence: float = option("confidence", 0.95),
) -> None:
    """Fit a scenario to your order log (and tickets, surveys); write it as YAML and print the estimates."""
    target = check_out_file(out)
    rep_target = check_out_file(report) if report is not None else None
    if rep_target is not None and rep_target.resolve() == target.resolve():
        raise ConfigError("--report and --out name the same file; give two different files")
    from sim.experiments.calibrate import calibrate as fit_scenario

    o = read_table(orders, "orders")
    t = read_table(tickets, "tickets") if tickets is not None else None
    s = read_table(surveys, "surveys") if surveys is not None else None
    sc = fit_scenario(o, t, s, start_date=start_date, model=model, confidence=confidence, base=base)
    rep = sc.calibration
    assert rep is not None
    write_text_atomic(target, sc.to_yaml())
    if rep_target is not None:
        write_text_atomic(rep_target, rep.to_markdown())
    console.print(rep.summary(), highlight=False, soft_wrap=True)
    console.print(f"wrote {target}" + (f" and {rep_target}" if rep_target is not None else ""), highlight=False)
