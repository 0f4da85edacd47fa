"""Which paths an output may replace: checked before any work, and again just before the swap."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from sim._atomic.manifest import (
    KINDS,
    MANIFEST_NAME,
    ManifestError,
    OutputError,
    a_kind,
    data_files,
    read_manifest,
    short,
)

__all__ = ["check_target", "final_path", "long_part"]


def _ours(folder: Path, kind: str | None, legacy: Collection[str]) -> str | None:
    """Why ``folder`` (an existing, non-empty folder) may not be replaced, or None if it may."""
    if (folder / MANIFEST_NAME).exists():
        try:
            doc = read_manifest(folder)
        except ManifestError as exc:
            return f"{exc}; Retention Lab does not replace it"
        if kind is not None and doc["kind"] != kind:
            return f"is {a_kind(doc['kind'])} (see its {MANIFEST_NAME}), not {a_kind(kind)}; choose another folder"
        extra = [n for n in data_files(folder) if n not in doc["files"]]
        if extra:
            return (
                f"holds files Retention Lab did not write ({', '.join(short(n, 40) for n in extra[:3])}"
                f"{' ...' if len(extra) > 3 else ''}); move them away or choose another folder"
            )
        return None
    names = data_files(folder)
    if legacy and names and set(names) <= set(legacy):
        return None  # written by an older version of Retention Lab (before manifests)
    return (
        f"is not empty and has no {MANIFEST_NAME}, so Retention Lab did not write it "
        f"(it holds e.g. {short(names[0] if names else sorted(os.listdir(folder))[0], 40)}); "
        "choose a new or empty folder - nothing there is replaced"
    )


def check_target(path: str | Path, kind: str | None = None, *, legacy: Collection[str] = ()) -> Path:
    """Check, before any work, that ``path`` can be written as an output folder.

    Allowed: a path that does not exist yet (its nearest existing parent must be a writable
    folder), an empty folder, or a folder Retention Lab wrote before (a valid manifest of the same
    ``kind`` and no other files; it is replaced as a whole). Refused with :class:`OutputError`:
    an empty path, an existing file, a folder someone else wrote (no manifest), a folder of
    another kind, a folder with extra files, an unwritable parent.

    Parameters
    ----------
    path : str or Path
    kind : str, optional
        ``"result"``, ``"experiment"`` or ``"datasets"``.
    legacy : collection of str, optional
        File names an older, manifest-less version wrote: a folder holding only those counts as ours.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> base = Path(tempfile.mkdtemp())
    >>> check_target(base / "new" / "run", "result").name
    'run'
    >>> _ = (base / "notes.txt").write_text("mine", encoding="utf-8")
    >>> check_target(base / "notes.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    sim._atomic.OutputError: .../notes.txt is a file, not a folder; ...
    >>> check_target(base)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    sim._atomic.OutputError: ... is not empty and has no MANIFEST.json, so Retention Lab did not write it ...
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind={kind!r}; use one of {list(KINDS)}")
    if str(path).strip() == "":
        raise OutputError("the output path is empty; give a folder name (it is created if needed)")
    if "\x00" in str(path):
        raise OutputError(f"{short(str(path), 60)} holds a NUL byte; give a folder name")
    try:
        return _check_target(Path(path), kind, legacy)
    except OSError as exc:  # a name too long for the file system, a loop of links, ...
        raise OutputError(f"{short(str(path), 60)} cannot be used: {exc.strerror or exc}") from None


def long_part(path: Path) -> str | None:
    """The first part of ``path`` too long for a file name (over 255 bytes), or None.

    Examples
    --------
    >>> long_part(Path("runs/base")) is None, long_part(Path("runs") / ("x" * 300))[:3]
    (True, 'xxx')
    """
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > 255:
            return part
    return None


def _check_target(target: Path, kind: str | None, legacy: Collection[str]) -> Path:
    part = long_part(target)
    if part is not None:
        raise OutputError(f"{short(part, 40)} is longer than a file name may be (255 bytes); give a shorter path")
    if target.is_symlink() and not target.exists():
        raise OutputError(f"{target} is a broken symbolic link; give a folder path")
    if final_path(target) == Path(os.getcwd()):
        raise OutputError(f"{target} is the current folder; give a folder inside it, e.g. out/run")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} is a file, not a folder; give a folder path (the file is not replaced)")
    if target.is_dir() and any(target.iterdir()):
        why = _ours(target, kind, legacy)
        if why:
            raise OutputError(f"{target} {why}")
    parent = target.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"cannot create {target}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: the folder {parent} is not writable")
    return target


def final_path(path: Path) -> Path:
    """The absolute folder a write replaces: ``.`` and ``..`` normalised, a symbolic link followed."""
    p = Path(os.path.abspath(path))
    return p.resolve() if p.is_symlink() else p
