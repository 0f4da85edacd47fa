"""The manifest: its name and format, the error types, and reading / verifying a folder against it."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from sim._version import __version__
from sim.errors import DataError, RetentionLabError

__all__ = [
    "MANIFEST_NAME",
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "ManifestError",
    "MissingManifestError",
    "OutputError",
    "read_manifest",
    "verify_dir",
    "file_entry",
]

#: The manifest's file name, written last into every output folder.
MANIFEST_NAME = "MANIFEST.json"
#: Marker of a Retention Lab manifest, and its format version.
FORMAT = "retention-lab-manifest"
FORMAT_VERSION = 1
#: What a folder can hold.
KINDS: tuple[str, ...] = ("result", "experiment", "datasets")

_CHUNK = 1 << 20
#: A manifest larger than this (bytes) is refused unread (the datasets' manifest is about 3 KB).
MAX_MANIFEST_BYTES = 16 << 20


class ManifestError(DataError):
    """A folder's manifest is unreadable or does not match the files beside it."""


class MissingManifestError(ManifestError, FileNotFoundError):
    """The folder, or its ``MANIFEST.json``, does not exist."""


class OutputError(RetentionLabError, ValueError):
    """The output path cannot be written without destroying something that is not ours."""


for _cls in (ManifestError, MissingManifestError, OutputError):
    _cls.__module__ = "sim._atomic"  # their public home (shown in tracebacks)


# --------------------------------------------------------------------------- small helpers
def a_kind(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} folder"


def short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def file_entry(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of one file (the manifest's entry for it).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> file_entry(p)["size"], file_entry(p)["sha256"][:8]
    (3, 'ba7816bf')
    """
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def data_files(folder: Path) -> list[str]:
    """Relative POSIX paths of the files under ``folder`` (hidden names and the manifest skipped).

    A symbolic link is listed too (a file or a folder link): it is never followed.
    """
    out = []
    for root, dirs, files in os.walk(folder):
        links = [d for d in dirs if os.path.islink(os.path.join(root, d)) and not d.startswith(".")]
        files = [*files, *links]
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(root).relative_to(folder)
        for f in sorted(files):
            if f.startswith("."):
                continue
            name = (rel / f).as_posix()
            if name != MANIFEST_NAME:
                out.append(name)
    return out


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"retention_lab": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "pandas", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover - numpy and pandas are dependencies
            out[pkg] = "not installed"
    return out


def siblings(target: Path) -> Iterator[tuple[Path, int]]:
    """Hidden temporary or trash siblings of ``target`` (``.<name>.tmp-<pid>-*``, ``.<name>.trash-<pid>-*``)."""
    parent = target.parent
    if not parent.is_dir():
        return
    for marker in ("tmp", "trash"):
        for p in parent.glob(f".{target.name}.{marker}-*"):
            pid_text = p.name[len(f".{target.name}.{marker}-") :].split("-", 1)[0]
            if pid_text.isdigit():
                yield p, int(pid_text)


def _trash_hint(folder: Path) -> str:
    old = [p for p, _ in siblings(folder) if ".trash-" in p.name]
    return f" (a write was interrupted; the previous version is in {old[0]})" if old else ""


# --------------------------------------------------------------------------- reading
def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The parsed ``MANIFEST.json`` of ``folder`` (checked for shape, not against the files).

    Raises
    ------
    MissingManifestError
        The folder or its manifest does not exist.
    ManifestError
        The manifest is not valid JSON or not a Retention Lab manifest.
    """
    folder = Path(folder)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise MissingManifestError(f"{what}{_trash_hint(folder)}", table=str(folder))
    path = folder / MANIFEST_NAME
    if path.is_symlink():
        raise ManifestError(
            f"{MANIFEST_NAME} is a symbolic link; Retention Lab reads only a regular file written in the folder",
            table=str(folder),
        )
    if not path.is_file():
        raise MissingManifestError(
            f"{path.name} is missing: the folder was not written (completely) by Retention Lab",
            table=str(folder),
        )
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"{MANIFEST_NAME} is {path.stat().st_size:,} bytes, more than a manifest holds "
            f"(at most {MAX_MANIFEST_BYTES:,})",
            table=str(folder),
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ManifestError(f"{MANIFEST_NAME} is not valid JSON ({short(str(exc), 80)})", table=str(folder)) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ManifestError(
            f"{MANIFEST_NAME} is not a Retention Lab manifest (no format {FORMAT!r})", table=str(folder)
        )
    if doc.get("format_version") != FORMAT_VERSION:
        raise ManifestError(
            f"{MANIFEST_NAME} has format_version {short(doc.get('format_version'))}; "
            f"this version of Retention Lab reads {FORMAT_VERSION}",
            table=str(folder),
        )
    files = doc.get("files")
    kind = doc.get("kind")
    if not isinstance(files, dict) or not isinstance(kind, str) or kind not in KINDS:
        raise ManifestError(
            f"{MANIFEST_NAME} is malformed: needs 'kind' (one of {list(KINDS)}) and 'files' "
            "({relative name: {size, sha256}})",
            table=str(folder),
        )
    for name, entry in files.items():
        why = _bad_name(name) or _bad_entry(entry)
        if why:
            raise ManifestError(f"{MANIFEST_NAME} is malformed: file {short(name)} {why}", table=str(folder))
    return doc


def _bad_name(name: str) -> str | None:
    """Why ``name`` may not be a manifest entry (a path that could leave the folder), or None.

    Examples
    --------
    >>> _bad_name("orders.parquet"), _bad_name("retail/orders.csv")
    (None, None)
    >>> _bad_name("../../etc/passwd")
    "has a '..' part: names must stay inside the folder"
    """
    if not name or len(name) > 1024:
        return "has an empty or overlong name (1 to 1024 characters)"
    if "\x00" in name or "\\" in name:
        return "has a NUL byte or a backslash in its name"
    if name.startswith("/") or Path(name).is_absolute():
        return "is an absolute path: names must be relative to the folder"
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "has a '..' part: names must stay inside the folder" if ".." in parts else "has an empty or '.' part"
    if any(len(p.encode("utf-8", "surrogatepass")) > 255 for p in parts):
        return "has a part longer than 255 bytes"
    return None


def _bad_entry(entry: object) -> str | None:
    """Why ``entry`` is not ``{"size": whole number >= 0, "sha256": 64 hex digits}``, or None."""
    if not isinstance(entry, dict):
        return "needs {size, sha256}"
    size, digest = entry.get("size"), entry.get("sha256")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return f"has size {short(size, 30)}: give a whole number of bytes >= 0"
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return f"has sha256 {short(digest, 30)}: give 64 lower-case hex digits"
    return None


def _regular_file(folder: Path, name: str) -> str | None:
    """Why ``folder/name`` is not a regular file reached without a symbolic link, or None.

    A link (to a file or a folder, inside or outside) is refused: a manifest must never make a
    reader open a file outside its folder.
    """
    node = folder
    for part in name.split("/"):
        node = node / part
        try:
            mode = os.lstat(node).st_mode
        except FileNotFoundError:
            return f"{name} is listed in {MANIFEST_NAME} but missing"
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror or exc})"
        if stat.S_ISLNK(mode):
            return f"{name} is (or passes through) a symbolic link; only regular files in the folder are read"
    if not stat.S_ISREG(mode):
        return f"{name} is not a regular file"
    return None


def verify_dir(folder: str | Path, kind: str | None = None, *, expect: Collection[str] = ()) -> dict[str, Any]:
    """Check that ``folder`` holds exactly the files its manifest lists, with their sizes and checksums.

    Parameters
    ----------
    folder : str or Path
    kind : str, optional
        The kind the folder must hold (``"result"``, ``"experiment"``, ``"datasets"``).
    expect : collection of str, optional
        Files the caller needs: their absence from the manifest is an error too.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    ManifestError
        Naming the folder and the first file that does not match (a :class:`MissingManifestError`
        if there is no manifest).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim._atomic import atomic_dir
    >>> d = Path(tempfile.mkdtemp()) / "r"
    >>> with atomic_dir(d, kind="experiment") as tmp:
    ...     _ = (tmp / "t.csv").write_text("a\\n1\\n", encoding="utf-8")
    >>> _ = (d / "extra.csv").write_text("b\\n", encoding="utf-8")
    >>> verify_dir(d, "experiment")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    sim._atomic.ManifestError: ...extra.csv is not listed in MANIFEST.json...
    """
    folder = Path(folder)
    try:
        doc = read_manifest(folder)
    except MissingManifestError as exc:
        if expect and folder.is_dir():
            absent = sorted(n for n in expect if not (folder / n).exists())
            if absent:
                raise MissingManifestError(
                    f"{exc.args[0]} (missing as well: {', '.join(absent[:8])}{' ...' if len(absent) > 8 else ''})"
                ) from None
        raise
    where = str(folder)
    if kind is not None and doc["kind"] != kind:
        raise ManifestError(f"is {a_kind(doc['kind'])}, not {a_kind(kind)} (see {MANIFEST_NAME})", table=where)
    files: dict[str, dict[str, Any]] = doc["files"]
    unlisted = sorted(set(expect) - set(files))
    if unlisted:
        raise ManifestError(f"{MANIFEST_NAME} does not list {', '.join(unlisted[:8])}", table=where)
    for name, entry in sorted(files.items()):
        path = folder / name
        why = _regular_file(folder, name)
        if why:
            raise ManifestError(why, table=where)
        if path.stat().st_size != entry["size"]:
            raise ManifestError(
                f"{name}: size {path.stat().st_size} bytes, {MANIFEST_NAME} says {entry['size']} "
                "(changed or partly written after the manifest)",
                table=where,
            )
        if file_entry(path)["sha256"] != entry["sha256"]:
            raise ManifestError(
                f"{name}: its SHA-256 does not match {MANIFEST_NAME} (changed since written)", table=where
            )
    extra = [n for n in data_files(folder) if n not in files]
    links = [n for n in extra if (folder / n).is_symlink()]
    if links:
        raise ManifestError(
            f"{links[0]} is a symbolic link; a Retention Lab folder holds only regular files", table=where
        )
    if extra:
        raise ManifestError(
            f"{extra[0]} is not listed in {MANIFEST_NAME}"
            + (f" (nor {len(extra) - 1} more)" if len(extra) > 1 else "")
            + ": a file from another write; remove it or write the folder again",
            table=where,
        )
    return doc
