"""Notebook hygiene: read, strip (no outputs, normalised metadata) and serialise byte-deterministically.

Committed notebooks are stored without outputs; ``retention-lab teach strip`` applies
:func:`strip_notebook` in place, and the exercise builder writes through :func:`notebook_bytes`,
so regenerating a notebook gives identical bytes. nbformat reads, validates and serialises.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat

from sim.errors import DataError

__all__ = [
    "KERNELSPEC",
    "MissingPathError",
    "as_path",
    "read_notebook",
    "strip_notebook",
    "notebook_bytes",
    "strip_notebooks",
]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

_LANGUAGE_INFO = {"name": "python"}
_CELL_METADATA_KEEP = ("tags", "jupyter", "editable", "deletable")
_NB_METADATA_KEEP = ("retention_lab",)
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class MissingPathError(DataError, FileNotFoundError):
    """A notebook, folder or file the course tools were given does not exist (or is not a path)."""


def as_path(value: object, what: str) -> Path:
    """``value`` as a :class:`~pathlib.Path`, or a :class:`MissingPathError` naming ``what``.

    Examples
    --------
    >>> as_path("solutions", "solutions folder").name
    'solutions'
    >>> as_path(None, "solutions folder")
    Traceback (most recent call last):
    ...
    sim.teach.notebooks.MissingPathError: solutions folder='None' is not a path; give a folder or file name
    """
    if not isinstance(value, (str, Path)) or not str(value).strip() or "\x00" in str(value):
        raise MissingPathError(f"{what}={str(value)[:60]!r} is not a path; give a folder or file name")
    return Path(value)


def read_notebook(path: str | Path) -> dict[str, Any]:
    """Read a notebook as plain JSON (nbformat 4), without adding random cell ids.

    ``nbformat.read`` would invent random ids for cells of older notebooks; reading the JSON
    keeps the result deterministic. Notebooks older than format 4 are converted by nbformat.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "01_x.ipynb"
    >>> _ = p.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    >>> read_notebook(p)["nbformat"]
    4
    """
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot be read as a notebook ({exc.strerror or exc})", table=where) from None
    try:
        nb = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(f"not a notebook (not UTF-8 text: byte {exc.start})", table=where) from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise DataError(f"not a notebook (invalid JSON: {str(exc)[:100]})", table=where) from None
    version = nb.get("nbformat") if isinstance(nb, dict) else None
    if not isinstance(nb, dict) or isinstance(version, bool) or not isinstance(version, int):
        raise DataError("not a notebook (a JSON object with an integer 'nbformat' is needed)", table=where)
    if version > 4:
        raise DataError(f"nbformat {version} is not supported; save the notebook as nbformat 4", table=where)
    if version < 4:
        try:
            nb = json.loads(json.dumps(nbformat.convert(nbformat.from_dict(nb), 4)))
        except Exception as exc:  # nbformat's converters assume a well-formed old notebook
            raise DataError(
                f"not a notebook (nbformat {version} that cannot be converted to 4: {str(exc)[:80]})", table=where
            ) from None
        for cell in nb.get("cells", []):
            if isinstance(cell, dict):
                cell.pop("id", None)
    _check_structure(nb, where)
    return nb


def _check_structure(nb: dict[str, Any], where: str) -> None:
    """Refuse a notebook whose cells the tools could not read (naming the cell), before any use."""
    if "cells" not in nb:
        raise DataError("not a notebook (no 'cells')", table=where)
    if not isinstance(nb["cells"], list):
        raise DataError(f"not a notebook ('cells' is a {type(nb['cells']).__name__}, not a list)", table=where)
    if not isinstance(nb.get("metadata", {}), dict):
        raise DataError("not a notebook ('metadata' is not a mapping)", table=where)
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict):
            raise DataError(f"cell {number} is a {type(cell).__name__}, not a cell", table=where)
        kind = cell.get("cell_type")
        if kind not in ("code", "markdown", "raw"):
            raise DataError(
                f"cell {number} has cell_type {str(kind)[:40]!r}; allowed: 'code', 'markdown', 'raw'", table=where
            )
        src = cell.get("source", "")
        if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(x, str) for x in src))):
            raise DataError(f"cell {number}: 'source' must be text or a list of lines", table=where)
        if not isinstance(cell.get("metadata", {}), dict):
            raise DataError(f"cell {number}: 'metadata' is not a mapping", table=where)


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(src)
    return src.replace("\r\n", "\n")


def strip_notebook(nb: dict[str, Any]) -> nbformat.NotebookNode:
    """Return a clean copy: no outputs or execution counts, normalised metadata and ids.

    Kept: cell sources, cell ``tags`` / ``jupyter`` / ``editable`` / ``deletable`` metadata,
    Markdown attachments and the notebook's ``retention_lab`` metadata. The kernelspec is set
    to :data:`KERNELSPEC` and ``language_info`` to ``{"name": "python"}``; everything else
    (widget state, timings, ``collapsed``, ``scrolled``, ...) is dropped. Cell ids are kept
    when valid and unique, otherwise replaced by ``cell-<position>``.

    Examples
    --------
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> nb = new_notebook(cells=[new_code_cell("1 + 1", execution_count=3, id="a1")])
    >>> nb.cells[0].outputs = [{"output_type": "stream", "name": "stdout", "text": "2"}]
    >>> clean = strip_notebook(nb)
    >>> clean.cells[0].outputs, clean.cells[0].execution_count, clean.cells[0].id
    ([], None, 'a1')
    """
    meta_in = nb.get("metadata", {}) or {}
    metadata: dict[str, Any] = {"kernelspec": dict(KERNELSPEC), "language_info": dict(_LANGUAGE_INFO)}
    for key in _NB_METADATA_KEEP:
        if key in meta_in:
            metadata[key] = copy.deepcopy(meta_in[key])
    cells = []
    seen: set[str] = set()
    for pos, cell in enumerate(nb.get("cells", [])):
        ctype = cell.get("cell_type")
        cid = cell.get("id")
        if not (isinstance(cid, str) and _CELL_ID.match(cid)) or cid in seen:
            cid = f"cell-{pos}"
            while cid in seen:
                cid += "x"
        seen.add(cid)
        meta = {k: copy.deepcopy(v) for k, v in (cell.get("metadata") or {}).items() if k in _CELL_METADATA_KEEP}
        if "tags" in meta:
            meta["tags"] = list(dict.fromkeys(meta["tags"]))
            if not meta["tags"]:
                del meta["tags"]
        new: dict[str, Any] = {"cell_type": ctype, "id": cid, "metadata": meta, "source": _source(cell)}
        if ctype == "code":
            new.update(outputs=[], execution_count=None)
        elif cell.get("attachments"):
            new["attachments"] = copy.deepcopy(cell["attachments"])
        cells.append(new)
    out = nbformat.from_dict({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})
    nbformat.validate(out)
    return out


def notebook_bytes(nb: dict[str, Any]) -> bytes:
    """Serialise a notebook the way Jupyter does (sorted keys, indent 1, final newline).

    Examples
    --------
    >>> from nbformat.v4 import new_notebook
    >>> notebook_bytes(strip_notebook(new_notebook())).endswith(b"}\\n")
    True
    """
    text = nbformat.writes(nbformat.from_dict(nb), version=nbformat.NO_CONVERT)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for p in (as_path(q, "notebook or folder") for q in paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts))
        elif p.suffix == ".ipynb" and p.exists():
            out.append(p)
        elif not p.exists():
            raise MissingPathError(f"no such notebook or folder: {str(p)[:200]}")
    return out


def strip_notebooks(paths: Sequence[str | Path], *, check: bool = False) -> list[Path]:
    """Strip outputs, execution counts and volatile metadata from notebooks, in place.

    Parameters
    ----------
    paths : sequence of str or Path
        Notebooks, or folders searched recursively for ``*.ipynb`` (checkpoints skipped).
    check : bool
        Write nothing; report which notebooks are not clean.

    Returns
    -------
    list of Path
        Notebooks that were rewritten (with ``check=True``: that would be).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nb = new_notebook(cells=[new_code_cell("1 + 1", execution_count=1, id="a")])
    >>> _ = (folder / "00_x.ipynb").write_text(nbformat.writes(nb))
    >>> [p.name for p in strip_notebooks([folder])], strip_notebooks([folder])
    (['00_x.ipynb'], [])
    """
    changed = []
    for path in _expand(paths):
        try:
            content = notebook_bytes(strip_notebook(read_notebook(path)))
        except nbformat.ValidationError as exc:
            raise DataError(f"not a valid notebook: {exc.message[:200]}", table=str(path)) from None
        if path.read_bytes() != content:
            changed.append(path)
            if not check:
                path.write_bytes(content)
    return changed
