"""The sources catalogue: its data types and :func:`load_sources`, which reads and validates it.

The catalogue lives in ``sim/teach/data/sources.yaml`` (package data, hand-edited). Loading checks
its shape (fields, codes, pointer forms) and names the item and field of every problem; whether
each pointer resolves is checked by :mod:`sim.teach.sources.pointers`.

Examples
--------
>>> cat = load_sources()
>>> [d.code for d in cat.documents]
['000', '001', '002', '003', '004']
>>> cat.item("CP1").where[0].text
'scenario:desk.sla.P0.first_response_h'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from sim.errors import ConfigError

__all__ = [
    "SOURCES_YAML",
    "REPO_ROOT",
    "PointerKind",
    "Document",
    "Section",
    "Pointer",
    "Item",
    "Term",
    "Catalogue",
    "load_sources",
    "shorten",
]

#: The catalogue (package data of ``sim.teach``).
SOURCES_YAML = Path(__file__).resolve().parents[1] / "data" / "sources.yaml"
#: The repository: pointers to notebooks and tests, and the rendered page, are relative to it.
REPO_ROOT = Path(__file__).resolve().parents[3]

PointerKind = Literal["notebook", "scenario", "policy", "code", "test", "planned"]
_PLANNED = re.compile(r"^planned: chapter (\d{2})$")
_NOTEBOOK = re.compile(r"^((?:notebooks|solutions|exercises)/[0-9]{2}_[a-z0-9_]+\.ipynb)#([A-Za-z0-9_.-]+)$")
_PARAM = re.compile(r"^(scenario|policy):([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)$")
_CODE = re.compile(r"^sim(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TEST = re.compile(
    r"^(tests/(?:[a-z0-9_]+/)*test_[a-z0-9_]+\.py)::([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)?)$"
)
_CODE_ITEM = re.compile(r"^([A-Z]{1,2})([1-9][0-9]*)$")


def shorten(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message.

    Examples
    --------
    >>> shorten("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Document:
    """One courseware document ("seed"): code, titles, script and extent."""

    code: str
    title_zh: str
    title_en: str
    script: Literal["Simplified", "Traditional"]
    kind: str
    pages: str
    length: str


@dataclass(frozen=True)
class Section:
    """A group of catalogue items sharing a code prefix; ``count`` items as in the syllabus."""

    prefix: str
    title: str
    count: int


@dataclass(frozen=True)
class Pointer:
    """Where an item is taught or tested; ``text`` is the pointer as written.

    Examples
    --------
    >>> p = Pointer.parse("tests/world/test_desk.py::test_desk_matches_erlang_c")
    >>> p.kind, p.target, p.detail
    ('test', 'tests/world/test_desk.py', 'test_desk_matches_erlang_c')
    >>> Pointer.parse("policy:service.extra_agents").detail
    'service.extra_agents'
    """

    kind: PointerKind
    target: str
    detail: str
    text: str

    @classmethod
    def parse(cls, text: str) -> Pointer:
        """Parse a pointer; raise :class:`ValueError` naming the forms allowed."""
        if not isinstance(text, str):
            raise ValueError(f"a pointer must be text, got {shorten(text)}")
        if m := _PLANNED.match(text):
            return cls("planned", str(int(m.group(1))), "", text)
        if m := _NOTEBOOK.match(text):
            return cls("notebook", m.group(1), m.group(2), text)
        if m := _PARAM.match(text):
            kind: PointerKind = "scenario" if m.group(1) == "scenario" else "policy"
            return cls(kind, m.group(1), m.group(2), text)
        if m := _TEST.match(text):
            return cls("test", m.group(1), m.group(2), text)
        if _CODE.match(text):
            return cls("code", text, "", text)
        raise ValueError(
            f"pointer {shorten(text)} has no known form; allowed: 'notebooks/NN_name.ipynb#cell-id', "
            "'scenario:a.b', 'policy:a.b', 'sim.module.name', 'tests/x/test_y.py::test_z', 'planned: chapter NN'"
        )


@dataclass(frozen=True)
class Item:
    """One figure or claim of the courseware, with where the course teaches or tests it."""

    code: str
    claim: str
    sources: tuple[str, ...]
    where: tuple[Pointer, ...]
    zh: str = ""
    note: str = ""

    @property
    def prefix(self) -> str:
        """The letters of the code (``"CP"`` for ``CP10``)."""
        m = _CODE_ITEM.match(self.code)
        return m.group(1) if m else ""

    @property
    def anchor(self) -> str:
        """The HTML anchor in SOURCES.md (``"cp10"``): cite ``SOURCES.md#cp10``."""
        return self.code.lower()


@dataclass(frozen=True)
class Term:
    """A glossary entry: number, Chinese (simplified / traditional where it differs), English."""

    n: int
    zh: str
    en: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The documents, the sections, every item and the glossary, in the order of the syllabus."""

    documents: tuple[Document, ...]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    glossary: tuple[Term, ...] = ()

    def item(self, code: str) -> Item:
        """The item with this code (``KeyError`` if there is none)."""
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(f"no item {code!r} in the sources catalogue")


def _fields(entry: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping, got {shorten(entry)}")
    missing = [k for k in required if k not in entry]
    unknown = [k for k in entry if k not in required + optional]
    if missing or unknown:
        raise ConfigError(
            f"{where}: missing {missing} / unknown {unknown}; allowed fields: {list(required + optional)}"
        )
    return entry


def load_sources(path: str | Path = SOURCES_YAML) -> Catalogue:
    """Read and validate the shape of the catalogue (pointers are resolved by :func:`check_sources`).

    Raises
    ------
    ConfigError
        If a field is missing, unknown or of the wrong form; the message names the item and field.

    Examples
    --------
    >>> len(load_sources().items) >= 186
    True
    """
    path = Path(path)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    top = _fields(data, str(path), ("documents", "sections", "items"), ("glossary",))
    docs = []
    for k, d in enumerate(top["documents"]):
        f = _fields(d, f"documents[{k}]", ("code", "title_zh", "title_en", "script", "kind", "pages", "length"))
        if f["script"] not in ("Simplified", "Traditional"):
            raise ConfigError(f"documents[{k}].script: {shorten(f['script'])}; allowed: 'Simplified', 'Traditional'")
        docs.append(Document(**{key: str(v) for key, v in f.items()}))  # type: ignore[arg-type]
    sections = []
    for k, s in enumerate(top["sections"]):
        f = _fields(s, f"sections[{k}]", ("prefix", "title", "count"))
        if not isinstance(f["count"], int) or f["count"] < 1:
            raise ConfigError(f"sections[{k}].count: {shorten(f['count'])}; allowed: a whole number >= 1")
        sections.append(Section(str(f["prefix"]), str(f["title"]), f["count"]))
    items = []
    for k, it in enumerate(top["items"]):
        label = f"items[{k}] ({it.get('code') if isinstance(it, dict) else '?'})"
        f = _fields(it, label, ("code", "claim", "sources", "where"), ("zh", "note"))
        if not isinstance(f["code"], str) or not _CODE_ITEM.match(f["code"]):
            raise ConfigError(f"{label}.code: {shorten(f['code'])}; allowed: letters then a number, e.g. 'CP10'")
        if not isinstance(f["claim"], str) or not f["claim"].strip():
            raise ConfigError(f"{label}.claim: {shorten(f['claim'])}; allowed: a non-empty text")
        for name in ("sources", "where"):
            if not isinstance(f[name], list) or not f[name]:
                raise ConfigError(f"{label}.{name}: {shorten(f[name])}; allowed: a non-empty list")
        try:
            where = tuple(Pointer.parse(p) for p in f["where"])
        except ValueError as exc:
            raise ConfigError(f"{label}.where: {exc}") from None
        items.append(
            Item(
                code=f["code"],
                claim=f["claim"].strip(),
                sources=tuple(str(s) for s in f["sources"]),
                where=where,
                zh=str(f.get("zh", "")).strip(),
                note=str(f.get("note", "")).strip(),
            )
        )
    terms = []
    for k, g in enumerate(top.get("glossary", [])):
        f = _fields(g, f"glossary[{k}]", ("n", "zh", "en", "sources"))
        if not isinstance(f["n"], int) or not isinstance(f["sources"], list) or not f["sources"]:
            raise ConfigError(f"glossary[{k}]: n {shorten(f['n'])} must be a number and sources a non-empty list")
        terms.append(Term(f["n"], str(f["zh"]), str(f["en"]), tuple(str(s) for s in f["sources"])))
    return Catalogue(tuple(docs), tuple(sections), tuple(items), tuple(terms))
