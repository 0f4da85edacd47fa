"""Find the trainee's own line in an exception's traceback, for a one-line ✗ message.

A self-check calls the trainee's function; when it raises, the trainee should read *their*
line ("Cell In[5], line 3: `return kpis["profit"]`"), not a traceback through the checker,
pandas or numpy. :func:`where_raised` walks the traceback from the innermost frame outwards
and returns the first frame that is neither inside the ``sim`` package nor inside an installed
library (the standard library, site-packages); in Jupyter the cell's file name is shown the way
IPython shows it (``Cell In[5]``).

Library use: :mod:`traceback` extracts the frames (with their source lines, via
:mod:`linecache`, where IPython registers every executed cell) and :mod:`sysconfig` says where
the libraries live.
"""

from __future__ import annotations

import sys
import sysconfig
import traceback
from pathlib import Path

__all__ = ["describe_exception", "where_raised"]

_SIM_DIR = str(Path(__file__).resolve().parents[1])
_MAX_TEXT = 80


def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    found = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    found |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    return tuple(sorted(str(Path(p).resolve()) for p in found if p))


def _is_library(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True  # the import machinery, never the trainee's cell
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):  # pragma: no cover - odd names
        return False
    return resolved.startswith((_SIM_DIR, *_library_dirs()))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _cell_name(filename: str) -> str:
    """``Cell In[5]`` for a Jupyter cell, else the file's name."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency of the course
        shell = None
    compiler = getattr(shell, "compile", None)
    if compiler is not None and hasattr(compiler, "format_code_name"):
        named = compiler.format_code_name(filename)
        if named:
            return " ".join(named)
    return Path(filename).name


def where_raised(exc: BaseException) -> str | None:
    """Where the trainee's code raised ``exc``: ``"Cell In[5], line 3: `source`"``.

    Returns None when no frame of the traceback is the trainee's (e.g. the checker was
    given a library function).

    Examples
    --------
    >>> def trainee():
    ...     return {}["profit"]
    >>> try:
    ...     trainee()
    ... except KeyError as err:
    ...     print(where_raised(err).split(": ", 1)[1])
    `return {}["profit"]`
    """
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if not _is_library(frame.filename):
            text = (frame.line or "").strip()
            where = f"{_cell_name(frame.filename)}, line {frame.lineno}"
            return f"{where}: `{_shorten(text)}`" if text else where
    return None


def describe_exception(exc: BaseException) -> str:
    """One line: the exception's type and message, and the trainee's line that raised it.

    Examples
    --------
    >>> def trainee(kpis):
    ...     return kpis["profit"]
    >>> try:
    ...     trainee({})
    ... except KeyError as err:
    ...     print(describe_exception(err).split(" at ")[0])
    your code raised KeyError: 'profit'
    """
    try:
        message = _shorten(str(exc))
    except Exception:  # an exception class of the trainee's whose str() fails
        message = ""
    text = f"your code raised {type(exc).__name__}" + (f": {message}" if message else "")
    where = where_raised(exc)
    return f"{text} at {where}" if where else text
