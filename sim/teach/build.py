"""Generate ``exercises/`` from ``solutions/`` (notebook hygiene lives in :mod:`sim.teach.notebooks`).

``solutions/NN_*.ipynb`` is the single, hand-edited source. :func:`build_exercises` writes
``exercises/NN_*.ipynb`` from it:

* in code cells, each region between the lines ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` becomes ``# YOUR CODE HERE`` + ``raise NotImplementedError()``,
  indented like the ``BEGIN`` line (the nbgrader convention);
* in Markdown cells, each region between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` (or nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION``)
  becomes ``YOUR ANSWER HERE``;
* cells tagged ``solution-only`` are dropped;
* outputs and execution counts are cleared, the kernelspec is normalised to ``python3``,
  volatile metadata is dropped and cell ids are kept from the solutions cell (so the output is
  byte-identical on every run: sorted keys, no timestamps).

A marker that is malformed (``BEGIN`` without ``END``, nesting, ``END`` first, an empty
region, or a line that mentions ``BEGIN SOLUTION`` but is not exactly a marker) raises
:class:`MarkerError` naming the notebook, the cell and the line.

Library use: nbformat reads, validates and serialises notebooks (its writer gives the
Jupyter on-disk layout: sorted keys, one-space indent). The marker replacement is
hand-written (about forty lines): nbgrader's ``ClearSolutions`` does the same job but needs
nbgrader's course metadata and pulls in a database stack, and we want error messages that
name the cell.

Examples
--------
>>> src = "def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\n"
>>> print(clear_solutions(src))
def f(x):
    # YOUR CODE HERE
    raise NotImplementedError()
<BLANKLINE>
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

import nbformat

from sim.errors import DataError, RetentionLabError
from sim.teach.notebooks import MissingPathError, as_path, notebook_bytes, read_notebook, strip_notebook

__all__ = [
    "CODE_STUB",
    "SOLUTION_ONLY_TAG",
    "TEXT_STUB",
    "Change",
    "MarkerError",
    "apply_changes",
    "build_exercises",
    "clear_solutions",
    "make_exercise",
    "plan_exercises",
]

#: Lines that replace a code solution region (indented like its ``BEGIN`` line).
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
#: Text that replaces a Markdown solution region.
TEXT_STUB = "YOUR ANSWER HERE"
#: Cells with this tag appear only in ``solutions/``.
SOLUTION_ONLY_TAG = "solution-only"
#: The kernelspec every committed notebook carries.

_CODE_BEGIN = re.compile(r"^###\s+BEGIN SOLUTION$")
_CODE_END = re.compile(r"^###\s+END SOLUTION$")
_TEXT_BEGIN = re.compile(r"^(?:<!--\s*BEGIN SOLUTION\s*-->|###\s+BEGIN SOLUTION)$")
_TEXT_END = re.compile(r"^(?:<!--\s*END SOLUTION\s*-->|###\s+END SOLUTION)$")
_NOTEBOOK_NAME = re.compile(r"^\d\d_.+\.ipynb$")
_MARKER_WORDS = re.compile(r"\b(BEGIN|END)[ _-]?SOLUTION\b", re.IGNORECASE)


def _looks_like_marker(line: str) -> bool:
    """A near-miss marker: the words in capitals, or in a comment / heading / HTML comment."""
    text = line.strip()
    if re.search(r"\b(BEGIN|END)[ _-]?SOLUTION\b", text):
        return True
    return text.startswith(("#", "<!--", "//")) and bool(_MARKER_WORDS.search(text))


class MarkerError(RetentionLabError, ValueError):
    """A solution marker is malformed; the message names the notebook, cell and line.

    Attributes
    ----------
    notebook : str
        Notebook file name (or ``"<notebook>"``).
    cell : int or None
        1-based cell number (as you count cells from the top in JupyterLab).
    cell_id : str or None
        The cell's id in the notebook JSON.
    line : int or None
        1-based line within the cell.

    Examples
    --------
    >>> str(MarkerError("no END SOLUTION", notebook="03_x.ipynb", cell=4, cell_id="ab12", line=2))
    "03_x.ipynb: cell 4 (id 'ab12'), line 2: no END SOLUTION"
    """

    def __init__(
        self,
        message: str,
        *,
        notebook: str = "<notebook>",
        cell: int | None = None,
        cell_id: str | None = None,
        line: int | None = None,
    ) -> None:
        self.notebook, self.cell, self.cell_id, self.line = notebook, cell, cell_id, line
        where = notebook
        if cell is not None:
            where += f": cell {cell}" + (f" (id {cell_id!r})" if cell_id else "")
        if line is not None:
            where += f", line {line}"
        self.reason = message
        super().__init__(f"{where}: {message}")


class Change(NamedTuple):
    """One file :func:`build_exercises` writes (or, in check mode, finds stale).

    Attributes
    ----------
    path : pathlib.Path
        The exercises notebook.
    action : {"create", "update", "delete"}
        ``delete`` is an exercises notebook whose solutions notebook is gone.
    content : bytes or None
        The bytes to write (None for ``delete``).

    Examples
    --------
    >>> Change(Path("exercises/01_x.ipynb"), "delete", None).action
    'delete'
    """

    path: Path
    action: Literal["create", "update", "delete"]
    content: bytes | None


# --------------------------------------------------------------------------- markers


def clear_solutions(source: str, cell_type: str = "code") -> str:
    """Replace every solution region in one cell's source by its stub.

    Parameters
    ----------
    source : str
        The cell source.
    cell_type : {"code", "markdown", "raw"}
        Code cells get ``# YOUR CODE HERE`` / ``raise NotImplementedError()``; other cells
        get ``YOUR ANSWER HERE``.

    Returns
    -------
    str
        The source with every region replaced (unchanged when there is none).

    Raises
    ------
    MarkerError
        On a malformed marker (the ``line`` attribute says where; the notebook and cell are
        filled in by :func:`make_exercise`).

    Examples
    --------
    >>> md = "Why?\\n<!-- BEGIN SOLUTION -->\\nBecause.\\n<!-- END SOLUTION -->"
    >>> print(clear_solutions(md, "markdown"))
    Why?
    YOUR ANSWER HERE
    >>> clear_solutions("### BEGIN SOLUTION\\nx = 1")
    Traceback (most recent call last):
    ...
    sim.teach.build.MarkerError: <notebook>, line 1: '### BEGIN SOLUTION' has no matching '### END SOLUTION'
    """
    return _clear(source, cell_type)[0]


def _clear(source: str, cell_type: str) -> tuple[str, int]:
    """Replace regions; return (new source, number of regions)."""
    code = cell_type == "code"
    begin, end = (_CODE_BEGIN, _CODE_END) if code else (_TEXT_BEGIN, _TEXT_END)
    begin_txt = "### BEGIN SOLUTION" if code else "<!-- BEGIN SOLUTION -->"
    end_txt = "### END SOLUTION" if code else "<!-- END SOLUTION -->"
    out: list[str] = []
    opened: tuple[int, str] | None = None  # (line number, indentation)
    body = 0
    regions = 0
    lines = source.split("\n")
    for no, line in enumerate(lines, start=1):
        text = line.strip()
        if begin.match(text):
            if opened is not None:
                raise MarkerError(
                    f"{text!r} inside a solution region already opened on line {opened[0]} "
                    "(regions cannot nest; close the first with "
                    f"{end_txt!r})",
                    line=no,
                )
            opened, body = (no, line[: len(line) - len(line.lstrip())]), 0
            continue
        if end.match(text):
            if opened is None:
                raise MarkerError(f"{text!r} without a {begin_txt!r} before it", line=no)
            if body == 0:
                raise MarkerError(f"the solution region opened on line {opened[0]} is empty", line=no)
            indent = opened[1]
            out.extend(f"{indent}{s}" for s in (CODE_STUB if code else (TEXT_STUB,)))
            opened, regions = None, regions + 1
            continue
        if _looks_like_marker(line):
            raise MarkerError(
                f"{text!r} looks like a solution marker but is not one; in a {cell_type} cell "
                f"write the line exactly as {begin_txt!r} / {end_txt!r}",
                line=no,
            )
        if opened is None:
            out.append(line)
        elif text:
            body += 1
    if opened is not None:
        raise MarkerError(f"{begin_txt!r} has no matching {end_txt!r}", line=opened[0])
    return "\n".join(out), regions


# --------------------------------------------------------------------------- notebooks


def make_exercise(nb: dict[str, Any], *, name: str = "<notebook>") -> nbformat.NotebookNode:
    """Turn a solutions notebook into its exercises notebook (in memory).

    Parameters
    ----------
    nb : dict
        The solutions notebook (as read by :func:`read_notebook` or ``nbformat``).
    name : str
        File name used in error messages and in the ``retention_lab.generated_from``
        notebook metadata.

    Raises
    ------
    MarkerError
        On a malformed marker, or when the notebook has no solution region at all (an
        exercises notebook identical to its solutions would give the answers away).

    Examples
    --------
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> sol = new_notebook(cells=[
    ...     new_code_cell("x = None\\n### BEGIN SOLUTION\\nx = 42\\n### END SOLUTION", id="c1"),
    ...     new_code_cell("print(x)", id="c2", metadata={"tags": ["solution-only"]}),
    ... ])
    >>> ex = make_exercise(sol, name="99_demo.ipynb")
    >>> [c.source for c in ex.cells]
    ['x = None\\n# YOUR CODE HERE\\nraise NotImplementedError()']
    """
    clean = strip_notebook(nb)
    cells = []
    regions = 0
    for number, cell in enumerate(clean.cells, start=1):
        tags = cell.metadata.get("tags", [])
        if SOLUTION_ONLY_TAG in tags:
            continue
        try:
            source, n = _clear(cell.source, cell.cell_type)
        except MarkerError as exc:
            raise MarkerError(exc.reason, notebook=name, cell=number, cell_id=cell.id, line=exc.line) from None
        regions += n
        cell.source = source
        if cell.get("attachments"):
            used = {k: v for k, v in cell.attachments.items() if f"attachment:{k}" in source}
            if used:
                cell.attachments = used
            else:
                del cell["attachments"]
        cells.append(cell)
    if regions == 0:
        raise MarkerError(
            "no solution region found: mark the answers with '### BEGIN SOLUTION' / "
            "'### END SOLUTION' (code) or '<!-- BEGIN SOLUTION -->' / '<!-- END SOLUTION -->' (Markdown)",
            notebook=name,
        )
    clean.cells = cells
    clean.metadata["retention_lab"] = {
        "generated_from": f"solutions/{name}",
        "note": "generated by `make exercises` (retention-lab teach build-exercises); do not edit by hand",
    }
    return clean


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if _NOTEBOOK_NAME.match(p.name))


def plan_exercises(solutions_dir: str | Path, exercises_dir: str | Path) -> list[Change]:
    """Compute, without writing, what :func:`build_exercises` would change.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "solutions").mkdir()
    >>> plan_exercises(root / "solutions", root / "exercises")
    []
    """
    solutions_dir = as_path(solutions_dir, "solutions folder")
    exercises_dir = as_path(exercises_dir, "exercises folder")
    if not solutions_dir.is_dir():
        raise MissingPathError(f"solutions folder not found: {str(solutions_dir)[:200]}")
    if exercises_dir.exists() and not exercises_dir.is_dir():
        raise DataError(f"exercises folder {str(exercises_dir)[:200]} is a file; give a folder")
    changes: list[Change] = []
    wanted: set[str] = set()
    for src in _notebooks(solutions_dir):
        wanted.add(src.name)
        try:
            exercise = make_exercise(read_notebook(src), name=src.name)
        except nbformat.ValidationError as exc:
            raise DataError(f"not a valid notebook: {exc.message[:200]}", table=str(src)) from None
        content = notebook_bytes(exercise)
        dest = exercises_dir / src.name
        if not dest.exists():
            changes.append(Change(dest, "create", content))
        elif dest.read_bytes() != content:
            changes.append(Change(dest, "update", content))
    if exercises_dir.is_dir():
        for dest in _notebooks(exercises_dir):
            if dest.name not in wanted:
                changes.append(Change(dest, "delete", None))
    return sorted(changes, key=lambda c: c.path.name)


def build_exercises(
    solutions_dir: str | Path = "solutions",
    exercises_dir: str | Path = "exercises",
    *,
    check: bool = False,
) -> list[Path]:
    """Write ``exercises/NN_*.ipynb`` from ``solutions/NN_*.ipynb``.

    Only files whose bytes change are written; an exercises notebook whose solutions notebook
    no longer exists is deleted. Files that do not match ``NN_*.ipynb`` (README, ...) are left
    alone.

    Parameters
    ----------
    solutions_dir, exercises_dir : str or Path
        Source and target folders (created if missing).
    check : bool
        Write nothing; just report which exercises notebooks are stale.

    Returns
    -------
    list of Path
        The exercises notebooks created, rewritten or deleted (with ``check=True``: those that
        would be). Empty means everything was already in sync.

    Raises
    ------
    MarkerError
        If a solutions notebook has a malformed marker (nothing is written then).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "solutions").mkdir()
    >>> sol = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION", id="c1")])
    >>> _ = (root / "solutions" / "01_demo.ipynb").write_bytes(notebook_bytes(sol))
    >>> [p.name for p in build_exercises(root / "solutions", root / "exercises", check=True)]
    ['01_demo.ipynb']
    >>> [p.name for p in build_exercises(root / "solutions", root / "exercises")]
    ['01_demo.ipynb']
    >>> build_exercises(root / "solutions", root / "exercises", check=True)
    []
    """
    changes = plan_exercises(solutions_dir, exercises_dir)
    if not check:
        apply_changes(changes)
    return [c.path for c in changes]


def apply_changes(changes: Iterable[Change]) -> None:
    """Write (or delete) the files of a :func:`plan_exercises` plan.

    Examples
    --------
    >>> apply_changes([])
    """
    for change in changes:
        if change.action == "delete":
            change.path.unlink()
        else:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            change.path.write_bytes(change.content or b"")
