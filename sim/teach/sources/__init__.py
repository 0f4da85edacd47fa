"""The course's sources page: the five courseware documents and every figure and claim in them.

The catalogue lives in ``sim/teach/data/sources.yaml`` (hand-edited data): the five documents
(code, title in the original script and in English, script, pages), and every item of the
syllabus' catalogue (codes ``R1`` … ``TC12`` and the dubious claims ``H1`` … ``H17``), each with
pointers to where the course teaches or tests it, and the 79-term Chinese-English glossary of the
documents (``SOURCES.md#g1`` …). :func:`render_sources` turns it into
``notebooks/SOURCES.md``, the page notebooks cite (``SOURCES.md#r2``) instead of any file
outside the repository; :func:`write_sources` writes (or, with ``check=True``, checks) that file.

A pointer is one of::

    notebooks/01_why_retention_pays.ipynb#s4    a notebook cell id (nbformat 4.5) or heading anchor
    scenario:desk.sla.P0.first_response_h       a field of sim.Scenario (dict keys as in the presets)
    policy:service.extra_agents                 a field of sim.Policy (list items are walked through)
    sim.analysis.roi.ltv_cac                    an importable object
    tests/world/test_desk.py::test_name         a test function (or Class::method)
    planned: chapter 06                         a chapter of sim.teach.toc that is not available yet

:func:`check_sources` lists every problem: a pointer that does not resolve, a missing or
duplicate item code, an unknown document. A ``planned`` pointer must name a chapter whose status
is still ``"planned"``: once a chapter is available, its items must point at the cell, parameter,
code or test that teaches them, so a finished chapter cannot leave "planned" entries behind.

Where to read what
    :mod:`~sim.teach.sources.catalogue`  the data types and :func:`load_sources` (shape checks)
    :mod:`~sim.teach.sources.pointers`   :func:`pointer_problem`: does each pointer resolve?
    :mod:`~sim.teach.sources.render`     the page's Markdown

The three whole-page functions below (:func:`check_sources`, :func:`render_sources`,
:func:`write_sources`) read the table of contents from this package's ``CHAPTERS``
(:data:`sim.teach.toc.CHAPTERS`), so a test can swap it in one place.

Examples
--------
>>> cat = load_sources()
>>> [d.code for d in cat.documents]
['000', '001', '002', '003', '004']
>>> cat.item("CP1").where[0].text
'scenario:desk.sla.P0.first_response_h'
>>> Pointer.parse("planned: chapter 06").kind, Pointer.parse("planned: chapter 06").target
('planned', '6')
"""

from __future__ import annotations

from pathlib import Path

from sim.teach.sources.catalogue import (
    REPO_ROOT,
    SOURCES_YAML,
    Catalogue,
    Document,
    Item,
    Pointer,
    Section,
    Term,
    load_sources,
)
from sim.teach.sources.pointers import catalogue_problems, pointer_problem
from sim.teach.sources.render import OUTPUT, render_catalogue
from sim.teach.toc import CHAPTERS

__all__ = [
    "SOURCES_YAML",
    "OUTPUT",
    "Document",
    "Section",
    "Pointer",
    "Item",
    "Term",
    "Catalogue",
    "load_sources",
    "render_sources",
    "write_sources",
    "pointer_problem",
    "check_sources",
]


def check_sources(catalogue: Catalogue | None = None, root: str | Path | None = None) -> list[str]:
    """Every problem of the catalogue: codes, documents and pointers. An empty list means all is well.

    Examples
    --------
    >>> cat = load_sources()
    >>> bad = Catalogue(cat.documents, cat.sections, cat.items[:1] + cat.items[:1])
    >>> [p for p in check_sources(bad) if "twice" in p]
    ['R1: the code appears twice']
    """
    cat = catalogue if catalogue is not None else load_sources()
    return catalogue_problems(cat, root, CHAPTERS)


def render_sources(catalogue: Catalogue | None = None) -> str:
    """The Markdown of ``notebooks/SOURCES.md``.

    Examples
    --------
    >>> text = render_sources()
    >>> '<a id="r2"></a>' in text and "2026年客戶維護培訓課件" in text
    True
    """
    cat = catalogue if catalogue is not None else load_sources()
    return render_catalogue(cat, {c.number: c.title for c in CHAPTERS})


def write_sources(root: str | Path | None = None, *, check: bool = False) -> bool:
    """Write ``notebooks/SOURCES.md`` under ``root``; return True if it changed (or, with
    ``check=True``, would change: nothing is written then).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> (tmp / "notebooks").mkdir()
    >>> write_sources(tmp, check=True), write_sources(tmp), write_sources(tmp)
    (True, True, False)
    """
    path = (Path(root) if root is not None else REPO_ROOT) / OUTPUT
    new = render_sources()
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if new == old:
        return False
    if not check:
        path.write_bytes(new.encode("utf-8"))
    return True
