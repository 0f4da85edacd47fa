"""Resolving the catalogue's pointers, and every other consistency check of the catalogue.

A pointer resolves when what it names exists: the notebook cell id or heading anchor, the
field of ``sim.Scenario`` / ``sim.Policy`` (dict keys must occur in the defaults or a preset), the
importable object, the test function, or, for ``planned: chapter NN``, a chapter whose status is
still ``"planned"``. :func:`catalogue_problems` adds the catalogue-wide checks: missing or
duplicate item codes, unknown documents, glossary numbering.

Examples
--------
>>> pointer_problem(Pointer.parse("planned: chapter 99"))
'planned: chapter 99: no such chapter (chapters: [0, 1, ...])'
"""

from __future__ import annotations

import ast
import functools
import importlib
import json
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from sim.teach import toc
from sim.teach.sources.catalogue import REPO_ROOT, Catalogue, Pointer, shorten
from sim.teach.toc import Chapter

__all__ = ["pointer_problem", "catalogue_problems"]


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


def _planned_problem(number: int, chapters: Sequence[Chapter]) -> str | None:
    found = [c for c in chapters if c.number == number]
    if not found:
        return f"planned: chapter {number:02d}: no such chapter (chapters: {[c.number for c in chapters]})"
    if found[0].status != "planned":
        return (
            f"planned: chapter {number:02d}: the chapter is {found[0].status} now; point at the cell, "
            "parameter, code or test that teaches the item instead"
        )
    return None


def pointer_problem(
    pointer: Pointer, root: str | Path | None = None, chapters: Sequence[Chapter] | None = None
) -> str | None:
    """What is wrong with a pointer, or None if it resolves.

    ``root`` is the repository (default: this one); ``chapters`` the table of contents a
    ``planned`` pointer is checked against (default: :data:`sim.teach.toc.CHAPTERS`).

    Examples
    --------
    >>> pointer_problem(Pointer.parse("policy:service.extra_agents"))
    >>> pointer_problem(Pointer.parse("policy:service.extra_agent"))  # doctest: +ELLIPSIS
    "policy:service.extra_agent: service: Service has no field 'extra_agent' (fields: [...])"
    >>> pointer_problem(Pointer.parse("sim.analysis.roi.no_such_thing"))
    "sim.analysis.roi.no_such_thing: sim.analysis.roi has no attribute 'no_such_thing'"
    """
    root = Path(root) if root is not None else REPO_ROOT
    if pointer.kind == "notebook":
        return _notebook_problem(root, pointer.target, pointer.detail)
    if pointer.kind in ("scenario", "policy"):
        return _param_problem(pointer.kind, pointer.detail)
    if pointer.kind == "code":
        return _code_problem(pointer.target)
    if pointer.kind == "test":
        return _test_problem(root, pointer.target, pointer.detail)
    return _planned_problem(int(pointer.target), chapters if chapters is not None else toc.CHAPTERS)


def catalogue_problems(
    cat: Catalogue, root: str | Path | None = None, chapters: Sequence[Chapter] | None = None
) -> list[str]:
    """Every problem of a catalogue: codes, documents and pointers. An empty list means all is well.

    ``root`` and ``chapters`` as for :func:`pointer_problem`.

    Examples
    --------
    >>> from sim.teach.sources.catalogue import load_sources
    >>> cat = load_sources()
    >>> bad = Catalogue(cat.documents, cat.sections, cat.items[:1] + cat.items[:1])
    >>> [p for p in catalogue_problems(bad) if "twice" in p]
    ['R1: the code appears twice']
    """
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
        problems.append(f"glossary: entries must be numbered 1, 2, ... in order, got {shorten(numbers)}")
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
            if problem := pointer_problem(p, root, chapters):
                problems.append(f"{it.code}: {problem}")
    return problems
