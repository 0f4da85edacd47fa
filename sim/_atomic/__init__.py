"""Write an output directory all at once, with a manifest; read one back only if it is whole.

Every folder Retention Lab writes (a run's result, a comparison or sweep, the bundled datasets)
goes through :func:`atomic_dir`: the files are written into a hidden temporary sibling
(``.<name>.tmp-<pid>-<random>``, same parent, so the final rename stays on one filesystem),
``MANIFEST.json`` is written **last** (format version, kind, every file with size and SHA-256,
seed, package / Python / numpy / pandas versions, creation time), files and folders are fsynced,
and the temporary folder is swapped into place in one step (Linux: ``renameat2`` with
``RENAME_EXCHANGE``; elsewhere: old folder to a trash sibling, new folder into place, old one
restored if that fails). An interrupted or failed write removes its temporary folder; one killed
outright (SIGKILL, power cut) leaves it behind, and the next write next to it removes it. So the
target is always either the complete old folder or the complete new one.

Readers call :func:`verify_dir`: a folder whose manifest is missing or unreadable, lists a file
that is missing, has a size or checksum that does not match, or sits beside an unlisted data
file is refused with a :class:`ManifestError` naming the folder and the file.

:func:`check_target` is the check a caller (the CLI) runs *before* a long computation: the path
must not be a file, nor a non-empty folder that Retention Lab did not write (no manifest), nor a
folder of another kind; its parent must be writable. Nothing that is not ours is ever replaced.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> target = Path(tempfile.mkdtemp()) / "out"
>>> with atomic_dir(target, kind="result", seed=7) as tmp:
...     _ = (tmp / "a.txt").write_text("hello", encoding="utf-8")
>>> sorted(p.name for p in target.iterdir())
['MANIFEST.json', 'a.txt']
>>> m = verify_dir(target, kind="result")
>>> m["kind"], m["seed"], m["files"]["a.txt"]["size"]
('result', 7, 5)
>>> _ = (target / "a.txt").write_text("HELLO", encoding="utf-8")
>>> verify_dir(target)  # doctest: +ELLIPSIS
Traceback (most recent call last):
sim._atomic.ManifestError: ...a.txt: its SHA-256 does not match MANIFEST.json...
"""

from sim._atomic.manifest import (
    FORMAT,
    FORMAT_VERSION,
    KINDS,
    MANIFEST_NAME,
    ManifestError,
    MissingManifestError,
    OutputError,
    file_entry,
    read_manifest,
    verify_dir,
)
from sim._atomic.target import check_target
from sim._atomic.writer import AtomicDir, atomic_dir

__all__ = [
    "MANIFEST_NAME",
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "ManifestError",
    "MissingManifestError",
    "OutputError",
    "atomic_dir",
    "AtomicDir",
    "check_target",
    "read_manifest",
    "verify_dir",
    "file_entry",
]
