"""Where the data files live, and how they are written and read (byte-deterministic CSV, typed back)."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim import _atomic
from sim.datasets._checks import FILE_SPECS, read_checked
from sim.datasets.recipe import MANIFEST
from sim.errors import DataError
from sim.schema import TABLES

__all__ = [
    "datasets_dir",
    "file_checksums",
    "read_manifest",
    "verify_datasets",
    "FILE_SPECS",
]

# decimals per unit of the data dictionary (fixed float formatting)
_DECIMALS = {
    "currency": 2,
    "days": 6,
    "hours": 4,
    "points": 2,
    "probability": 8,
    "orders/day": 8,
    "1/currency": 8,
    "0-10": 6,
    "score": 4,
}


# --------------------------------------------------------------------------- locating the data
def datasets_dir() -> Path:
    """The folder of the bundled data files, inside the installed package (``sim/datasets/data``).

    The data ship as package data, so they load the same from a source checkout, an editable
    install or a wheel.

    Examples
    --------
    >>> datasets_dir().name
    'data'
    """
    path = Path(str(resources.files("sim.datasets") / "data"))
    if not path.is_dir():  # pragma: no cover - a broken installation
        raise FileNotFoundError(
            f"{path} not found: the package was installed without its data files; reinstall retention-lab"
        )
    return path


def verify_datasets(folder: str | Path) -> Path:
    """Check a datasets folder against its ``MANIFEST.json``: every data file present, unchanged, none extra.

    Raises
    ------
    sim._atomic.ManifestError
        A :class:`~sim.errors.DataError` naming the folder and the file.

    Examples
    --------
    >>> import tempfile
    >>> verify_datasets(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    sim._atomic.MissingManifestError: ...MANIFEST.json is missing...
    """
    folder = Path(folder)
    _atomic.verify_dir(folder, "datasets", expect=MANIFEST)
    return folder


def _dir(data_dir: str | Path | None) -> Path:
    """The folder a loader reads: the bundled data, or a user-given folder checked by :func:`verify_datasets`."""
    if data_dir is None:
        return datasets_dir()
    if not isinstance(data_dir, (str, Path)) or not str(data_dir).strip() or "\x00" in str(data_dir):
        raise DataError(
            f"data_dir={str(data_dir)[:60]!r} is not allowed: give None (the bundled data) or the folder "
            "`retention-lab datasets build --out` wrote"
        )
    return verify_datasets(data_dir)


# --------------------------------------------------------------------------- writing
def _fmt_float(s: pd.Series, decimals: int) -> pd.Series:
    return pd.Series([("" if pd.isna(v) else f"{float(v):.{decimals}f}") for v in s], index=s.index, dtype=object)


def _fmt_column(s: pd.Series, dtype: str, unit: str) -> pd.Series:
    """One column as text: fixed decimals per unit, ISO timestamps to the second, '' for missing."""
    if dtype == "float64":
        return _fmt_float(s, _DECIMALS.get(unit, 6))
    if dtype.startswith("datetime"):
        ts = pd.to_datetime(s).dt.round("s")
        return pd.Series(
            [("" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S")) for v in ts], index=s.index, dtype=object
        )
    if dtype in ("bool", "boolean"):
        return pd.Series(
            [("" if pd.isna(v) else ("True" if bool(v) else "False")) for v in s], index=s.index, dtype=object
        )
    if dtype == "int64":
        return pd.Series([str(int(v)) for v in s], index=s.index, dtype=object)
    return pd.Series([("" if pd.isna(v) else str(v)) for v in s], index=s.index, dtype=object)


def _table_text(df: pd.DataFrame, table: str, cols: list[str]) -> pd.DataFrame:
    spec = TABLES[table]
    return pd.DataFrame({c: _fmt_column(df[c], spec[c].dtype, spec[c].unit) for c in cols})


def _write(df: pd.DataFrame, path: Path) -> None:
    """Write a frame of text columns as UTF-8 CSV with '\\n' line ends (byte-deterministic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = df.astype(object).where(df.notna(), "")
    path.write_bytes(text.to_csv(index=False, lineterminator="\n").encode("utf-8"))


# --------------------------------------------------------------------------- reading
def _read_text(path: Path) -> pd.DataFrame:
    """A bundled CSV file as text columns, checked against its :data:`~sim.datasets._checks.FILE_SPECS` entry.

    Raises :class:`~sim.errors.DataError` naming the file, the column and the offending lines
    (see :func:`sim.datasets._checks.read_checked`).
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; run `retention-lab datasets build` (make datasets)")
    return read_checked(path)


def _typed(text: pd.DataFrame, table: str) -> pd.DataFrame:
    """Text columns (checked by :func:`_read_text`) -> the data dictionary's dtypes ('' = missing)."""
    spec = TABLES[table]
    out = {}
    for c in text.columns:
        s = text[c]
        dtype = spec[c].dtype
        if dtype == "int64":
            out[c] = s.astype("int64")
        elif dtype == "float64":
            out[c] = pd.to_numeric(s.replace("", np.nan), errors="raise").astype("float64")
        elif dtype.startswith("datetime"):
            out[c] = pd.to_datetime(s.replace("", None), format="%Y-%m-%d %H:%M:%S").astype("datetime64[ns]")
        elif dtype == "bool":
            out[c] = s.map({"True": True, "False": False}).astype(bool)
        elif dtype == "boolean":
            out[c] = s.map({"True": True, "False": False, "": pd.NA}).astype("boolean")
        else:
            out[c] = s.astype("string")
    return pd.DataFrame(out, index=text.index)


def file_checksums(folder: str | Path, names: tuple[str, ...] | list[str] = MANIFEST) -> dict[str, str]:
    """SHA-256 (hex) of each named file under ``folder`` (missing files are left out).

    Examples
    --------
    >>> sums = file_checksums(datasets_dir())
    >>> len(sums) == len(MANIFEST), len(sums["retail/orders.csv"])
    (True, 64)
    """
    folder = Path(folder)
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names if (folder / n).is_file()}


def read_manifest(folder: str | Path | None = None) -> dict[str, str]:
    """The data files a datasets folder's ``MANIFEST.json`` lists, as ``{relative path: sha256}``.

    The manifest (written last by :func:`~sim.datasets.build_datasets`, see :mod:`sim._atomic`)
    also records each file's size, the seeds and the package versions of the build.

    Examples
    --------
    >>> read_manifest() == file_checksums(datasets_dir())
    True
    """
    doc = _atomic.read_manifest(datasets_dir() if folder is None else Path(folder))
    return {name: entry["sha256"] for name, entry in doc["files"].items()}
