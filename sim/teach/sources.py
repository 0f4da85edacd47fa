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

import ast
import functools
import importlib
import json
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel

from sim.errors import ConfigError
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

#: The catalogue (package data).
SOURCES_YAML = Path(__file__).parent / "data" / "sources.yaml"
#: The rendered page, relative to the repository root.
OUTPUT = "notebooks/SOURCES.md"
_REPO = Path(__file__).resolve().parents[2]

PointerKind = Literal["notebook", "scenario", "policy", "code", "test", "planned"]
_PLANNED = re.compile(r"^planned: chapter (\d{2})$")
_NOTEBOOK = re.compile(r"^((?:notebooks|solutions|exercises)/[0-9]{2}_[a-z0-9_]+\.ipynb)#([A-Za-z0-9_.-]+)$")
_PARAM = re.compile(r"^(scenario|policy):([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)$")
_CODE = re.compile(r"^sim(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TEST = re.compile(
    r"^(tests/(?:[a-z0-9_]+/)*test_[a-z0-9_]+\.py)::([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)?)$"
)
_CODE_ITEM = re.compile(r"^([A-Z]{1,2})([1-9][0-9]*)$")


def _short(value: object, limit: int = 80) -> str:
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
            raise ValueError(f"a pointer must be text, got {_short(text)}")
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
            f"pointer {_short(text)} has no known form; allowed: 'notebooks/NN_name.ipynb#cell-id', "
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
        raise ConfigError(f"{where}: expected a mapping, got {_short(entry)}")
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
            raise ConfigError(f"documents[{k}].script: {_short(f['script'])}; allowed: 'Simplified', 'Traditional'")
        docs.append(Document(**{key: str(v) for key, v in f.items()}))  # type: ignore[arg-type]
    sections = []
    for k, s in enumerate(top["sections"]):
        f = _fields(s, f"sections[{k}]", ("prefix", "title", "count"))
        if not isinstance(f["count"], int) or f["count"] < 1:
            raise ConfigError(f"sections[{k}].count: {_short(f['count'])}; allowed: a whole number >= 1")
        sections.append(Section(str(f["prefix"]), str(f["title"]), f["count"]))
    items = []
    for k, it in enumerate(top["items"]):
        label = f"items[{k}] ({it.get('code') if isinstance(it, dict) else '?'})"
        f = _fields(it, label, ("code", "claim", "sources", "where"), ("zh", "note"))
        if not isinstance(f["code"], str) or not _CODE_ITEM.match(f["code"]):
            raise ConfigError(f"{label}.code: {_short(f['code'])}; allowed: letters then a number, e.g. 'CP10'")
        if not isinstance(f["claim"], str) or not f["claim"].strip():
            raise ConfigError(f"{label}.claim: {_short(f['claim'])}; allowed: a non-empty text")
        for name in ("sources", "where"):
            if not isinstance(f[name], list) or not f[name]:
                raise ConfigError(f"{label}.{name}: {_short(f[name])}; allowed: a non-empty list")
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
            raise ConfigError(f"glossary[{k}]: n {_short(f['n'])} must be a number and sources a non-empty list")
        terms.append(Term(f["n"], str(f["zh"]), str(f["en"]), tuple(str(s) for s in f["sources"])))
    return Catalogue(tuple(docs), tuple(sections), tuple(items), tuple(terms))


# ---------------------------------------------------------------------------- resolving pointers
def _heading_anchor(line: str) -> str:
    """JupyterLab's anchor of a Markdown heading: its text with spaces replaced by '-'."""
    return line.lstrip("#").strip().replace(" ", "-")


@functools.lru_cache(maxsize=64)
def _anchors(path: Path, mtime_ns: int) -> frozenset[str] | str:
    """Cell ids and heading anchors of a notebook (or why it cannot be read); keyed by mtime."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return f"is not valid JSON ({exc})"
    anchors = set()
    for c in nb.get("cells", []):
        if "id" in c:
            anchors.add(c["id"])
        if c.get("cell_type") == "markdown":
            src = c.get("source", "")
            for line in ("".join(src) if isinstance(src, list) else src).splitlines():
                if line.startswith("#"):
                    anchors.add(_heading_anchor(line))
    return frozenset(anchors)


def _notebook_problem(root: Path, notebook: str, cell: str) -> str | None:
    path = root / notebook
    if not path.is_file():
        return f"notebook {notebook} does not exist"
    anchors = _anchors(path, path.stat().st_mtime_ns)
    if isinstance(anchors, str):
        return f"notebook {notebook} {anchors}"
    if cell not in anchors:
        return f"{notebook} has no cell id or heading anchor {cell!r}"
    return None


def _strip_optional(tp: Any) -> Any:
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _walk(tp: Any, values: list[Any], parts: list[str], done: str) -> str | None:
    """Follow ``parts`` through a pydantic type; dict keys must occur in ``values`` (defaults, presets)."""
    if not parts:
        return None
    tp = _strip_optional(tp)
    origin = get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        name = parts[0]
        if name not in tp.model_fields:
            return f"{done or '(top level)'}: {tp.__name__} has no field {name!r} (fields: {sorted(tp.model_fields)})"
        sub = [v[name] for v in values if isinstance(v, dict) and name in v]
        return _walk(tp.model_fields[name].annotation, sub, parts[1:], f"{done}.{name}".lstrip("."))
    if origin is dict:
        key = parts[0]
        keys = sorted({k for v in values if isinstance(v, dict) for k in v})
        if key not in keys:
            return f"{done}: no key {key!r} in the defaults or any preset (keys there: {keys})"
        sub = [v[key] for v in values if isinstance(v, dict) and key in v]
        return _walk(get_args(tp)[1], sub, parts[1:], f"{done}.{key}")
    if origin in (list, tuple):
        sub = [x for v in values if isinstance(v, (list, tuple)) for x in v]
        return _walk(get_args(tp)[0], sub, parts, done)
    return f"{done}: is a value ({getattr(tp, '__name__', tp)}), it has no part {parts[0]!r}"


@functools.cache
def _model_and_values(kind: str) -> tuple[type[BaseModel], list[Any]]:
    """The model class and its defaults plus every preset, as plain data (read once)."""
    from sim.config.policy import Policy, list_policies
    from sim.config.scenario import Scenario, list_presets

    if kind == "scenario":
        return Scenario, [m.model_dump() for m in [Scenario()] + [Scenario.load(n) for n in list_presets()]]
    return Policy, [m.model_dump() for m in [Policy()] + [Policy.load(n) for n in list_policies()]]


def _param_problem(kind: str, path: str) -> str | None:
    model, values = _model_and_values(kind)
    problem = _walk(model, values, path.split("."), "")
    return f"{kind}:{path}: {problem}" if problem else None


def _code_problem(dotted: str) -> str | None:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for j, name in enumerate(parts[i:], start=i):
            try:
                obj = getattr(obj, name)
            except AttributeError:
                return f"{dotted}: {'.'.join(parts[:j])} has no attribute {name!r}"
        return None
    return f"{dotted}: no such module"


@functools.lru_cache(maxsize=64)
def _test_names(path: Path, mtime_ns: int) -> frozenset[str]:
    """Test functions (``name``, ``Class::name``) a test file defines; keyed by mtime."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = (ast.FunctionDef, ast.AsyncFunctionDef)
    names = {n.name for n in tree.body if isinstance(n, funcs)}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        names |= {f"{cls.name}::{m.name}" for m in cls.body if isinstance(m, funcs)}
    return frozenset(names)


def _test_problem(root: Path, file: str, node: str) -> str | None:
    path = root / file
    if not path.is_file():
        return f"test file {file} does not exist"
    if node not in _test_names(path, path.stat().st_mtime_ns):
        return f"{file} defines no test {node!r}"
    return None


def _planned_problem(number: int) -> str | None:
    found = [c for c in CHAPTERS if c.number == number]
    if not found:
        return f"planned: chapter {number:02d}: no such chapter (chapters: {[c.number for c in CHAPTERS]})"
    if found[0].status != "planned":
        return (
            f"planned: chapter {number:02d}: the chapter is {found[0].status} now; point at the cell, "
            "parameter, code or test that teaches the item instead"
        )
    return None


def pointer_problem(pointer: Pointer, root: str | Path | None = None) -> str | None:
    """What is wrong with a pointer, or None if it resolves (``root``: the repository).

    Examples
    --------
    >>> pointer_problem(Pointer.parse("policy:service.extra_agents"))
    >>> pointer_problem(Pointer.parse("policy:service.extra_agent"))  # doctest: +ELLIPSIS
    "policy:service.extra_agent: service: Service has no field 'extra_agent' (fields: [...])"
    >>> pointer_problem(Pointer.parse("sim.analysis.roi.no_such_thing"))
    "sim.analysis.roi.no_such_thing: sim.analysis.roi has no attribute 'no_such_thing'"
    """
    root = Path(root) if root is not None else _REPO
    if pointer.kind == "notebook":
        return _notebook_problem(root, pointer.target, pointer.detail)
    if pointer.kind in ("scenario", "policy"):
        return _param_problem(pointer.kind, pointer.detail)
    if pointer.kind == "code":
        return _code_problem(pointer.target)
    if pointer.kind == "test":
        return _test_problem(root, pointer.target, pointer.detail)
    return _planned_problem(int(pointer.target))


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
    problems: list[str] = []
    doc_codes = [d.code for d in cat.documents]
    if sorted(doc_codes) != ["000", "001", "002", "003", "004"]:
        problems.append(f"documents: codes {doc_codes}; the five documents 000-004 must each be listed once")
    seen: dict[str, int] = {}
    for it in cat.items:
        seen[it.code] = seen.get(it.code, 0) + 1
    problems += [f"{code}: the code appears {'twice' if n == 2 else f'{n} times'}" for code, n in seen.items() if n > 1]
    prefixes = {s.prefix: s for s in cat.sections}
    for s in cat.sections:
        expected = {f"{s.prefix}{i}" for i in range(1, s.count + 1)}
        have = {it.code for it in cat.items if it.prefix == s.prefix}
        if missing := sorted(expected - have, key=lambda c: int(c[len(s.prefix) :])):
            problems.append(f"section {s.prefix}: items {missing} are missing (the syllabus lists {s.count})")
        if extra := sorted(have - expected):
            problems.append(f"section {s.prefix}: items {extra} are not in the syllabus (it lists {s.count})")
    numbers = [t.n for t in cat.glossary]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"glossary: entries must be numbered 1, 2, ... in order, got {_short(numbers)}")
    problems += [
        f"glossary {t.n}: unknown document {s!r}" for t in cat.glossary for s in t.sources if s not in doc_codes
    ]
    for it in cat.items:
        if it.prefix not in prefixes:
            problems.append(f"{it.code}: no section has the prefix {it.prefix!r} (sections: {sorted(prefixes)})")
        for src in it.sources:
            if src not in doc_codes:
                problems.append(f"{it.code}: unknown document {src!r} (documents: {doc_codes})")
        for p in it.where:
            if problem := pointer_problem(p, root):
                problems.append(f"{it.code}: {problem}")
    return problems


# ---------------------------------------------------------------------------- rendering
_HEADER = """\
# Sources: the courseware behind this course

<!-- Generated from sim/teach/data/sources.yaml by `retention-lab teach sources`; do not edit by hand. -->

The course was built from five pieces of Chinese courseware, the **seed documents** `000`-`004`.
This page lists them, then **every figure and claim** they contain, with where the course teaches
or tests it. None of the documents cites a source for any number: the course treats their figures
as defaults to question and their claims as hypotheses to test (section H).

Cite an item from a notebook with its code, e.g. `[R2](SOURCES.md#r2)`, and a glossary term with
its number, e.g. `[留存率](SOURCES.md#g4)`. "Where" points at:

| pointer | meaning |
|---|---|
| `NN_name.ipynb#cell` | a cell of a teaching notebook that shows it |
| `scenario: a.b` | a parameter of the simulated world (`sim.Scenario`, presets in `sim/config/presets/scenarios/`) |
| `policy: a.b` | a lever of the firm's policy (`sim.Policy`, presets in `sim/config/presets/policies/`) |
| `sim.…` | code you can import and use |
| `tests/…::test_…` | a test that checks it |
| planned: chapter NN | not taught yet; the chapter it is planned for |
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _where(p: Pointer, titles: dict[int, str]) -> str:
    if p.kind == "notebook":
        rel = p.target.removeprefix("notebooks/") if p.target.startswith("notebooks/") else "../" + p.target
        return f"[`{rel.rsplit('/', 1)[-1]}#{p.detail}`]({rel}#{p.detail})"
    if p.kind in ("scenario", "policy"):
        return f"`{p.kind}: {p.detail}`"
    if p.kind == "test":
        return f"[`{p.text}`](../{p.target})"
    if p.kind == "planned":
        n = int(p.target)
        return f"planned: chapter {n:02d} ({_cell(titles.get(n, '?'))})"
    return f"`{p.text}`"


def _item_row(it: Item, titles: dict[int, str]) -> str:
    claim = _cell(it.claim)
    if it.zh:
        claim += f"<br>原文: {_cell(it.zh)}"
    if it.note:
        claim += f"<br>*Note:* {_cell(it.note)}"
    docs = ", ".join(f"[{s}](#doc-{s})" for s in it.sources)
    where = "<br>".join(_where(p, titles) for p in it.where)
    return f'| <a id="{it.anchor}"></a>**{it.code}** | {claim} | {docs} | {where} |'


def render_catalogue(cat: Catalogue, titles: dict[int, str]) -> str:
    """Render a catalogue; ``titles`` maps chapter numbers to titles (see :func:`render_sources`)."""
    concrete = [it for it in cat.items if any(p.kind != "planned" for p in it.where)]
    shown = [it for it in cat.items if any(p.kind == "notebook" for p in it.where)]
    lines = [_HEADER, "## The five documents", ""]
    lines += ["| Code | Title (original script) | Title (English) | Script | What it is | Pages | Text kept |"]
    lines += ["|---|---|---|---|---|---|---|"]
    for d in cat.documents:
        lines.append(
            f'| <a id="doc-{d.code}"></a>`{d.code}` | {_cell(d.title_zh)} | {_cell(d.title_en)} | {d.script} '
            f"| {_cell(d.kind)} | {_cell(d.pages)} | {_cell(d.length)} |"
        )
    lines += [
        "",
        "## Figures and claims",
        "",
        f"{len(cat.items)} items: {len(shown)} shown in a notebook, {len(concrete)} with a notebook cell, "
        f"parameter, lever, code or test, and {len(cat.items) - len(concrete)} only planned.",
        "",
    ]
    lines += [f"- [{s.prefix} · {_cell(s.title)}](#section-{s.prefix.lower()}) ({s.count})" for s in cat.sections]
    if cat.glossary:
        lines.append(f"- [Glossary of the documents' terms](#glossary) ({len(cat.glossary)})")
    for s in cat.sections:
        lines += ["", f'<a id="section-{s.prefix.lower()}"></a>', "", f"### {s.prefix} · {s.title}", ""]
        lines += ["| Code | Figure or claim | Seeds | Where it is taught or tested |", "|---|---|---|---|"]
        lines += [_item_row(it, titles) for it in cat.items if it.prefix == s.prefix]
    if cat.glossary:
        lines += ["", '<a id="glossary"></a>', "", "## Glossary of the documents' terms", ""]
        lines += ["Simplified form first; the traditional form follows where it differs.", ""]
        lines += ["| # | 中文 (简 / 繁) | English | Seeds |", "|---|---|---|---|"]
        for t in cat.glossary:
            docs = ", ".join(f"[{s}](#doc-{s})" for s in t.sources)
            lines.append(f'| <a id="g{t.n}"></a>{t.n} | {_cell(t.zh)} | {_cell(t.en)} | {docs} |')
    return "\n".join(lines) + "\n"


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
    path = (Path(root) if root is not None else _REPO) / OUTPUT
    new = render_sources()
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if new == old:
        return False
    if not check:
        path.write_bytes(new.encode("utf-8"))
    return True
