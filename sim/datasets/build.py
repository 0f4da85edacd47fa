"""Regenerate every dataset file (``retention-lab datasets build``) and check them against a fresh build."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sim._atomic import MANIFEST_NAME, ManifestError, atomic_dir, read_manifest
from sim.datasets._files import _write, datasets_dir, file_checksums
from sim.datasets.capstone import _capstone_files, _simulate_capstone
from sim.datasets.crm_mess import make_crm
from sim.datasets.recipe import CHECKSUMS, CRM_SEED, MANIFEST, RETAIL_SEED
from sim.datasets.retail import _retail_files, _simulate

__all__ = ["build_datasets", "check_datasets", "LEGACY_FILES"]

#: Files a datasets folder held before manifests existed: such a folder may be replaced by a build
#: (pass it as ``legacy=`` to :func:`sim._atomic.check_target`).
LEGACY_FILES: tuple[str, ...] = (*MANIFEST, CHECKSUMS)


def build_datasets(out_dir: str | Path | None = None) -> dict[str, Path]:
    """Simulate and write every dataset file plus the ``MANIFEST.json`` manifest, atomically.

    Runs the retail simulation (:data:`RETAIL_SCENARIO`, :data:`RETAIL_POLICY`,
    :data:`RETAIL_CUSTOMERS` customers, :data:`RETAIL_DAYS` days, seed :data:`RETAIL_SEED`),
    writes the observed tables and the truth, then derives the messy CRM extract and its
    answer key (seed :data:`CRM_SEED`), and the capstone's "your company" log (its hidden scenario,
    seed :data:`~sim.datasets.recipe.CAPSTONE_SEED`). Deterministic: the same code gives the same bytes.
    Takes a few seconds.

    The folder is written as a whole (:func:`sim._atomic.atomic_dir`): into a hidden temporary
    sibling, ``MANIFEST.json`` last (every file's size and SHA-256, the seeds, the package
    versions, the time), then swapped into place, so an interrupted build leaves the previous
    files intact. If the folder already holds exactly these bytes it is left untouched (its
    manifest included), so a rebuild that changes nothing changes no file.

    Parameters
    ----------
    out_dir : str or Path, optional
        Target folder (default: the package data folder ``sim/datasets/data/``). It must be new,
        empty, or a datasets folder written before; other folders are refused
        (:class:`sim._atomic.OutputError`), so nothing else is ever replaced.

    Returns
    -------
    dict of str to Path
        Relative name (as in :data:`MANIFEST`, plus ``MANIFEST.json``) -> written file.

    Examples
    --------
    Rebuilding takes a few seconds (``tests/datasets/test_datasets.py`` runs it)::

        import tempfile
        written = build_datasets(tempfile.mkdtemp())
        sorted(written)[:2]   # ['MANIFEST.json', 'crm_answer_key/customers.csv']
    """
    out = datasets_dir() if out_dir is None else Path(out_dir)
    res = _simulate()
    frames = {**_retail_files(res), **make_crm(res), **_capstone_files(_simulate_capstone())}
    assert set(frames) == set(MANIFEST), "MANIFEST is out of date"
    seeds = {"retail": RETAIL_SEED, "crm": CRM_SEED}
    with atomic_dir(out, kind="datasets", seed=seeds, legacy=LEGACY_FILES, keep_if_same=True) as tmp:
        for name in MANIFEST:
            _write(frames[name], tmp / name)
    return {**{name: out / name for name in MANIFEST}, MANIFEST_NAME: out / MANIFEST_NAME}


def check_datasets(reference: str | Path | None = None) -> list[str]:
    """Rebuild into a temporary folder and list what differs from ``reference``.

    Parameters
    ----------
    reference : str or Path, optional
        Folder with the committed files (default: the package data folder ``sim/datasets/data/``).

    Returns
    -------
    list of str
        One line per problem: ``"missing: <file>"``, ``"changed: <file>"`` or
        ``"unexpected: <file>"``; ``MANIFEST.json`` counts as changed when the files it lists
        (names, sizes, checksums) differ from the fresh build's (its time and versions may
        differ). Empty when the committed files are exactly what the code produces.

    Examples
    --------
    An empty list means the committed files are up to date (``tests/datasets/test_datasets.py`` checks it)::

        check_datasets()   # []
    """
    ref = datasets_dir() if reference is None else Path(reference)
    tmp = Path(tempfile.mkdtemp(prefix="retention-lab-datasets-"))
    try:
        build_datasets(tmp / "data")
        fresh = file_checksums(tmp / "data", MANIFEST)
        fresh_files = read_manifest(tmp / "data")["files"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    old = file_checksums(ref, MANIFEST)
    problems = [f"missing: {n}" for n in MANIFEST if n not in old]
    problems += [f"changed: {n}" for n in MANIFEST if n in old and old[n] != fresh[n]]
    try:
        if read_manifest(ref)["files"] != fresh_files:
            problems.append(f"changed: {MANIFEST_NAME}")
    except FileNotFoundError:
        problems.append(f"missing: {MANIFEST_NAME}")
    except ManifestError:
        problems.append(f"changed: {MANIFEST_NAME}")
    if ref.is_dir():
        others = sorted(
            p.relative_to(ref).as_posix()
            for p in ref.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(ref).parts)
        )
        problems += [f"unexpected: {n}" for n in others if n not in MANIFEST and n != MANIFEST_NAME]
    return problems
