"""Regenerate every dataset file (``retention-lab datasets build``) and check them against a fresh build."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sim.datasets._files import _dir, _write, file_checksums
from sim.datasets.crm_mess import make_crm
from sim.datasets.recipe import CHECKSUMS, MANIFEST
from sim.datasets.retail import _retail_files, _simulate

__all__ = ["build_datasets", "check_datasets"]


def build_datasets(out_dir: str | Path | None = None) -> dict[str, Path]:
    """Simulate and write every dataset file plus the ``CHECKSUMS.sha256`` manifest.

    Runs the retail simulation (:data:`RETAIL_SCENARIO`, :data:`RETAIL_POLICY`,
    :data:`RETAIL_CUSTOMERS` customers, :data:`RETAIL_DAYS` days, seed :data:`RETAIL_SEED`),
    writes the observed tables and the truth, then derives the messy CRM extract and its
    answer key (seed :data:`CRM_SEED`). Deterministic: the same code gives the same bytes.
    Takes a few seconds.

    Parameters
    ----------
    out_dir : str or Path, optional
        Target folder (default: the package data folder ``sim/datasets/data/``). Other files in it
        (``README.md``, ``DATA_DICTIONARY.md``) are left alone.

    Returns
    -------
    dict of str to Path
        Relative name (as in :data:`MANIFEST`, plus ``CHECKSUMS.sha256``) -> written file.

    Examples
    --------
    Rebuilding takes a few seconds (``tests/test_datasets.py`` runs it)::

        import tempfile
        written = build_datasets(tempfile.mkdtemp())
        sorted(written)[:2]   # ['CHECKSUMS.sha256', 'crm_answer_key/customers.csv']
    """
    out = _dir(out_dir)
    res = _simulate()
    frames = {**_retail_files(res), **make_crm(res)}
    assert set(frames) == set(MANIFEST), "MANIFEST is out of date"
    written = {}
    for name in MANIFEST:
        _write(frames[name], out / name)
        written[name] = out / name
    sums = file_checksums(out)
    (out / CHECKSUMS).write_bytes("".join(f"{sums[n]}  {n}\n" for n in sorted(sums)).encode("utf-8"))
    written[CHECKSUMS] = out / CHECKSUMS
    return written


def check_datasets(reference: str | Path | None = None) -> list[str]:
    """Rebuild into a temporary folder and list what differs from ``reference``.

    Parameters
    ----------
    reference : str or Path, optional
        Folder with the committed files (default: the package data folder ``sim/datasets/data/``).

    Returns
    -------
    list of str
        One line per problem: ``"missing: <file>"`` or ``"changed: <file>"`` (the manifest
        included); empty when the committed files are exactly what the code produces.

    Examples
    --------
    An empty list means the committed files are up to date (``tests/test_datasets.py`` checks it)::

        check_datasets()   # []
    """
    ref = _dir(reference)
    tmp = Path(tempfile.mkdtemp(prefix="retention-lab-datasets-"))
    try:
        build_datasets(tmp)
        names = [*MANIFEST, CHECKSUMS]
        fresh = file_checksums(tmp, names)
        old = file_checksums(ref, names)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problems = [f"missing: {n}" for n in names if n not in old]
    problems += [f"changed: {n}" for n in names if n in old and old[n] != fresh[n]]
    return problems
