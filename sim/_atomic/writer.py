"""Writing a folder: temporary sibling, manifest last, fsync, one-step swap, cleanup of dead writers' leftovers."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
import errno
import json
import os
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from sim._atomic.manifest import (
    FORMAT,
    FORMAT_VERSION,
    KINDS,
    MANIFEST_NAME,
    ManifestError,
    data_files,
    file_entry,
    siblings,
    verify_dir,
    versions,
)
from sim._atomic.target import check_target, final_path

__all__ = ["atomic_dir", "AtomicDir"]

_ACTIVE: set[str] = set()  # temporary folders this process is writing right now
_ACTIVE_LOCK = threading.Lock()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    except OSError:  # pragma: no cover - e.g. Windows without that pid
        return False
    return True


def _clean_stale(target: Path) -> None:
    """Remove temporary and trash siblings left by writes that died (SIGKILL, power cut, ...)."""
    with _ACTIVE_LOCK:
        active = set(_ACTIVE)
    for p, pid in siblings(target):
        stale = str(p) not in active if pid == os.getpid() else not _pid_alive(pid)
        if stale:
            shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def _deferred_sigint() -> Iterator[None]:
    """Hold back Ctrl-C for a few system calls (main thread only); re-deliver it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    try:
        old = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    except ValueError:  # pragma: no cover - no signals here (embedded interpreter)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if got:
            if callable(old):
                old(signal.SIGINT, None)
            elif old == signal.SIG_DFL:  # pragma: no cover - default action: die like Ctrl-C would
                raise KeyboardInterrupt


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - old glibc / musl
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # pragma: no cover - filesystem cannot
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _swap_into_place(tmp: Path, target: Path) -> Path | None:
    """Put ``tmp`` at ``target``; return the folder now holding the old version (to delete), if any."""
    if not target.exists():
        os.rename(tmp, target)
        return None
    if _exchange(tmp, target):
        return tmp
    trash = target.parent / f".{target.name}.trash-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(target, trash)
    try:
        os.rename(tmp, target)
    except BaseException:
        if not target.exists():
            os.rename(trash, target)
        raise
    return trash


def _same_files(target: Path, kind: str, files: dict[str, Any]) -> bool:
    try:
        doc = verify_dir(target, kind)
    except ManifestError:
        return False
    return bool(doc["files"] == files)


def atomic_dir(
    target: str | Path,
    *,
    kind: str,
    seed: Any = None,
    legacy: Collection[str] = (),
    keep_if_same: bool = False,
) -> AtomicDir:
    """Write a folder atomically: fill a temporary folder, then manifest, fsync and swap into place.

    Parameters
    ----------
    target : str or Path
        The folder to (re)place; checked first with :func:`check_target`.
    kind : str
        ``"result"``, ``"experiment"`` or ``"datasets"`` (recorded in the manifest).
    seed : optional
        The seed(s) the content was made with (recorded in the manifest).
    legacy : collection of str, optional
        See :func:`check_target`.
    keep_if_same : bool
        If the target already holds a valid manifest listing exactly the same files with the same
        checksums, keep it (manifest and creation time included) and discard the new copy, so a
        rebuild that changes nothing changes no byte.

    Returns
    -------
    AtomicDir
        A context manager; ``with atomic_dir(...) as tmp`` gives the temporary folder (a sibling
        of ``target``) to write every file into.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "out"
    >>> try:
    ...     with atomic_dir(target, kind="result") as tmp:
    ...         _ = (tmp / "half.txt").write_text("...", encoding="utf-8")
    ...         raise RuntimeError("failed half way")
    ... except RuntimeError:
    ...     pass
    >>> target.exists(), list(target.parent.iterdir())
    (False, [])
    """
    return AtomicDir(target, kind=kind, seed=seed, legacy=legacy, keep_if_same=keep_if_same)


class AtomicDir:
    """The context manager behind :func:`atomic_dir` (a class, not a generator, so that an
    interrupt arriving at any bytecode after the temporary folder exists still removes it)."""

    def __init__(
        self,
        target: str | Path,
        *,
        kind: str,
        seed: Any = None,
        legacy: Collection[str] = (),
        keep_if_same: bool = False,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r}; use one of {list(KINDS)}")
        check_target(target, kind, legacy=legacy)
        self.target = final_path(Path(target))  # a link to a folder: the folder is replaced, the link kept
        self.kind, self.seed, self.legacy, self.keep_if_same = kind, seed, tuple(legacy), keep_if_same
        self.tmp = self.target.parent / f".{self.target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        self._old: Path | None = None

    def __enter__(self) -> Path:
        try:
            with _ACTIVE_LOCK:
                _ACTIVE.add(str(self.tmp))
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _clean_stale(self.target)
            self.tmp.mkdir()
            return self.tmp
        except BaseException:
            self._cleanup()
            raise

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self._cleanup()

    def _commit(self) -> None:
        tmp, target = self.tmp, self.target
        files = {}
        for name in data_files(tmp):
            files[name] = file_entry(tmp / name)
            _fsync_file(tmp / name)
        if self.keep_if_same and target.is_dir() and _same_files(target, self.kind, files):
            return
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "seed": self.seed,
            "versions": versions(),
            "files": files,
        }
        path = tmp / MANIFEST_NAME
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        for root, _dirs, _files in os.walk(tmp):
            _fsync_dir(Path(root))
        check_target(target, self.kind, legacy=self.legacy)  # still ours, just before replacing it
        with _deferred_sigint():
            self._old = _swap_into_place(tmp, target)
            _fsync_dir(target.parent)

    def _cleanup(self) -> None:
        """Remove the temporary folder (or the old version swapped out); Ctrl-C waits the few unlinks."""
        with _deferred_sigint():
            if self.tmp.exists():
                shutil.rmtree(self.tmp, ignore_errors=True)
            if self._old is not None and self._old.exists():
                shutil.rmtree(self._old, ignore_errors=True)
            with _ACTIVE_LOCK:
                _ACTIVE.discard(str(self.tmp))
