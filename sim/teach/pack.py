"""The student pack: one zip with the exercises, the data they read, and a README (no solutions).

``retention-lab teach pack --out course-pack.zip`` writes :func:`build_pack`'s bytes. The zip holds,
under one top folder ``retention-lab-course/``:

* ``README.md`` — what the pack is and the setup commands (see :func:`student_readme`);
* ``exercises/NN_*.ipynb`` — the exercises notebook of every chapter marked ``"available"`` in
  :mod:`sim.teach.toc` (generated from ``solutions/`` by ``make exercises``: answer regions are
  already stubs, ``solution-only`` cells already dropped);
* ``datasets/<name>/*.csv`` — every bundled dataset an exercise loads (``load_retail()`` ->
  ``retail/``, ...), with ``datasets/DATA_DICTIONARY.md``, so a trainee can open the CSV files too.

Nothing from ``solutions/``, ``notebooks/`` or ``sim/`` is packed: the self-checks' references and
their cases stay in the ``retention-lab`` package, which the trainee installs (from the registry or
a wheel the instructor hands out); the pack does not ship the package's source. Before writing,
:func:`find_leaks` looks for every solution region's code lines in the packed text and refuses a
pack that contains one (an exercises notebook out of sync with its solutions, say).

The zip is **byte-deterministic**: entries sorted by name, every timestamp 1980-01-01 00:00,
permissions 0644 (files) / no directory entries, one compression level, no zip comment, and the
README names the package version only. The same repository gives the same bytes.

Examples
--------
>>> info = _entry("retention-lab-course/README.md")
>>> info.date_time, oct(info.external_attr >> 16)
((1980, 1, 1, 0, 0, 0), '0o100644')
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sim.errors import DataError

__all__ = [
    "PACK_ROOT",
    "DATASET_LOADERS",
    "PackFile",
    "build_pack",
    "find_leaks",
    "pack_files",
    "solution_regions",
    "student_readme",
    "write_pack",
]

#: The top folder inside the zip (unpacking never spills files into the current folder).
PACK_ROOT = "retention-lab-course"
#: Loader function -> dataset folder of ``sim/datasets/data/``.
DATASET_LOADERS = {
    "load_retail": "retail",
    "load_retail_truth": "retail_truth",
    "load_crm_extract": "crm_extract",
    "load_crm_answer_key": "crm_answer_key",
    "load_your_company": "your_company",
}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CODE_BEGIN = re.compile(r"^\s*###\s+BEGIN SOLUTION\s*$")
_CODE_END = re.compile(r"^\s*###\s+END SOLUTION\s*$")
_MIN_LEAK_CHARS = 20  # shorter solution regions (``return x``) are too common to call a leak


@dataclass(frozen=True)
class PackFile:
    """One file of the pack: its name inside the zip and its bytes.

    Examples
    --------
    >>> PackFile("README.md", b"hi").name
    'README.md'
    """

    name: str
    content: bytes


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so the permission bits below mean the same everywhere
    info.external_attr = (0o100644 & 0xFFFF) << 16
    return info


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("retention-lab")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "0.1.0"


def student_readme(chapters: list[tuple[str, str]], datasets: list[str], version: str) -> str:
    """The pack's README: what is inside, the two setup commands, how to work and hand in.

    Parameters
    ----------
    chapters : list of (file name, title)
    datasets : list of str
        Dataset folder names packed under ``datasets/``.
    version : str
        The ``retention-lab`` version the exercises were built with (pinned in the commands).

    Examples
    --------
    >>> text = student_readme([("00_orientation.ipynb", "Orientation")], ["retail"], "0.1.0")
    >>> "retention-lab[lab]==0.1.0" in text and "00_orientation.ipynb" in text
    True
    """
    rows = "\n".join(f"| `exercises/{name}` | {title} |" for name, title in chapters)
    data = "\n".join(f"- `datasets/{d}/`" for d in datasets) or "- (none)"
    return f"""# Retention Lab — course pack (exercises)

This folder is everything you need besides the `retention-lab` Python package: the exercises
notebooks, the course data as CSV files, and this README. It contains no solutions.

## Setup (two commands)

You need Python 3.11 or newer. In this folder, on Linux or macOS:

```bash
python3 -m venv .venv && .venv/bin/python -m pip install "retention-lab[lab]=={version}"
.venv/bin/jupyter lab exercises/
```

On Windows use `py -3.11 -m venv .venv` and `.venv\\Scripts\\python -m pip install ...`,
then `.venv\\Scripts\\jupyter lab exercises`.

If your instructor gave you a wheel file (`retention_lab-{version}-py3-none-any.whl`) instead of
a package index, install that file: `.venv/bin/python -m pip install "./retention_lab-{version}-py3-none-any.whl[lab]"`.
The package brings the simulator, the data loaders and the self-checks (`check.task(...)`) the
notebooks call; the pack was built with version {version}, so install that version.

## What is inside

| notebook | chapter |
|---|---|
{rows}

Data (the same files the notebooks load with `sim.datasets.load_*()`, readable in any spreadsheet;
columns are explained in `datasets/DATA_DICTIONARY.md`):

{data}

## How to work

Open a notebook, run it top to bottom, and replace each `raise NotImplementedError()` under
`# YOUR CODE HERE` with your code. The cell after each exercise checks your function and prints
`✓ correct` or `✗ not yet — ...` with a hint. Written answers go where the text says
`YOUR ANSWER HERE`.

## Handing in

Save the notebook and hand in the `.ipynb` file under its own name (for example
`00_orientation.ipynb`), one folder per person. Your instructor grades it by running **your
exercise cells** in a fresh Python and running the course's own checks on them: what your
notebook printed, and any change to the check cells, do not count. Keep your answers inside the
exercise cells (helper functions too), and keep the cell structure as it is.
"""


def _exercise_files(root: Path) -> list[tuple[str, str, Path]]:
    from sim.teach.toc import CHAPTERS

    found = []
    for c in CHAPTERS:
        if c.status != "available":
            continue
        name = f"{c.number:02d}_{c.slug}.ipynb"
        path = root / "exercises" / name
        if not path.is_file():
            raise DataError(
                f"chapter {c.number:02d} is 'available' but exercises/{name} is missing; run `make exercises`",
                table=str(path),
            )
        found.append((name, c.title, path))
    return found


def _datasets_needed(texts: list[str]) -> list[str]:
    joined = "\n".join(texts)
    return sorted({folder for loader, folder in DATASET_LOADERS.items() if re.search(rf"\b{loader}\s*\(", joined)})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def solution_regions(root: str | Path = ".") -> list[list[str]]:
    """Every code solution region of ``solutions/*.ipynb``, as its non-blank stripped lines.

    Regions shorter than a few characters (``return x``) are left out: too common to call a leak.

    Examples
    --------
    >>> len(solution_regions(_repo_root())) > 10
    True
    """
    import json

    regions: list[list[str]] = []
    for path in sorted((Path(root) / "solutions").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            region: list[str] | None = None
            for line in text.split("\n"):
                if _CODE_BEGIN.match(line):
                    region = []
                elif _CODE_END.match(line):
                    if region is not None and sum(map(len, region)) >= _MIN_LEAK_CHARS:
                        regions.append(region)
                    region = None
                elif region is not None and line.strip():
                    region.append(line.strip())
    return regions


def _contains(lines: list[str], region: list[str]) -> bool:
    n = len(region)
    return any(lines[i : i + n] == region for i in range(len(lines) - n + 1))


def find_leaks(files: list[PackFile], regions: list[list[str]]) -> list[str]:
    """Names of packed notebooks with a cell that holds a whole solution region.

    Examples
    --------
    >>> import json
    >>> nb = {"cells": [{"cell_type": "code", "source": "def f(x):\\n    y = x * 2 + 1\\n    return y"}]}
    >>> find_leaks([PackFile("a.ipynb", json.dumps(nb).encode())], [["y = x * 2 + 1", "return y"]])
    ['a.ipynb']
    >>> find_leaks([PackFile("a.ipynb", json.dumps(nb).encode())], [["y = x * 3 + 1", "return y"]])
    []
    """
    import json

    leaks = []
    for f in files:
        if not f.name.endswith(".ipynb"):
            continue
        cells = json.loads(f.content.decode("utf-8")).get("cells", [])
        sources = [
            "".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", "")) for c in cells
        ]
        if any(_contains(_lines(src), region) for src in sources for region in regions):
            leaks.append(f.name)
    return leaks


def pack_files(root: str | Path = ".") -> list[PackFile]:
    """The files of the pack (names inside the zip, sorted), from the repository at ``root``.

    Raises
    ------
    DataError
        When an available chapter's exercises notebook is missing, or a packed file contains a
        line of a solution region.

    Examples
    --------
    >>> names = [f.name for f in pack_files(_repo_root())]
    >>> "retention-lab-course/exercises/00_orientation.ipynb" in names
    True
    >>> any("/solutions/" in n for n in names)
    False
    """
    from sim.datasets import datasets_dir

    root = Path(root)
    exercises = _exercise_files(root)
    files = [PackFile(f"{PACK_ROOT}/exercises/{name}", path.read_bytes()) for name, _, path in exercises]
    texts = [f.content.decode("utf-8") for f in files]
    needed = _datasets_needed(texts)
    data = datasets_dir()
    for folder in needed:
        for csv in sorted((data / folder).glob("*.csv")):
            files.append(PackFile(f"{PACK_ROOT}/datasets/{folder}/{csv.name}", csv.read_bytes()))
    dictionary = root / "datasets" / "DATA_DICTIONARY.md"
    if dictionary.is_file():
        files.append(PackFile(f"{PACK_ROOT}/datasets/DATA_DICTIONARY.md", dictionary.read_bytes()))
    readme = student_readme([(name, title) for name, title, _ in exercises], needed, _version())
    files.append(PackFile(f"{PACK_ROOT}/README.md", readme.encode("utf-8")))
    leaks = find_leaks(files, solution_regions(root))
    if leaks:
        raise DataError(
            f"{leaks[0]} contains a line of a solution region; run `make exercises` and pack again",
            table=leaks[0],
        )
    return sorted(files, key=lambda f: f.name)


def build_pack(root: str | Path = ".") -> bytes:
    """The zip's bytes (byte-deterministic: sorted entries, fixed times and permissions).

    Examples
    --------
    >>> build_pack(_repo_root()) == build_pack(_repo_root())
    True
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for f in pack_files(root):
            zf.writestr(_entry(f.name), f.content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def write_pack(out: str | Path, root: str | Path = ".") -> Path:
    """Write the pack to ``out`` atomically (a temporary sibling, fsynced, then renamed into place).

    An interrupted write (Ctrl-C, an error) removes the temporary file: ``out`` is either the old
    file or the whole new one.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> out = write_pack(Path(tempfile.mkdtemp()) / "pack.zip", _repo_root())
    >>> zipfile.ZipFile(out).testzip() is None
    True
    """
    out = Path(out)
    if out.is_dir():
        raise DataError(f"--out {str(out)[:80]!r} is a folder; give a file name such as course-pack.zip")
    content = build_pack(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _repo_root() -> Path:
    """The repository this module sits in (for the doctests)."""
    return Path(__file__).resolve().parents[2]
