"""The manifest: its name and format, the error types, and reading / verifying a folder against it."""

from __future__ import annotations

import hashlib
import json
import os
import platform
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
    """Relative POSIX paths of the files under ``folder`` (hidden names and the manifest skipped)."""
    out = []
    for root, dirs, files in os.walk(folder):
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
    if not path.is_file():
        raise MissingManifestError(
            f"{path.name} is missing: the folder was not written (completely) by Retention Lab",
            table=str(folder),
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
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
    ok = isinstance(files, dict) and all(
        isinstance(k, str)
        and isinstance(v, dict)
        and isinstance(v.get("size"), int)
        and isinstance(v.get("sha256"), str)
        and not k.startswith("/")
        and ".." not in Path(k).parts
        for k, v in files.items()
    )
    if not ok or doc.get("kind") not in KINDS:
        raise ManifestError(
            f"{MANIFEST_NAME} is malformed: needs 'kind' (one of {list(KINDS)}) and 'files' "
            "({relative name: {size, sha256}})",
            table=str(folder),
        )
    return doc


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
        if not path.is_file():
            raise ManifestError(f"{name} is listed in {MANIFEST_NAME} but missing", table=where)
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
    if extra:
        raise ManifestError(
            f"{extra[0]} is not listed in {MANIFEST_NAME}"
            + (f" (nor {len(extra) - 1} more)" if len(extra) > 1 else "")
            + ": a file from another write; remove it or write the folder again",
            table=where,
        )
    return doc
