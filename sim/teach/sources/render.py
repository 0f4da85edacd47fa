"""The sources page as Markdown: :func:`render_catalogue` turns a catalogue into ``notebooks/SOURCES.md``.

One table of the five documents, one table per section of items (code, claim, seed documents,
where it is taught or tested: each pointer as a link or a code span), and the glossary. Every item
and term gets an HTML anchor (``SOURCES.md#r2``, ``SOURCES.md#g4``) that notebooks cite.

Examples
--------
>>> from sim.teach.sources.catalogue import Pointer
>>> _where(Pointer.parse("notebooks/01_why_retention_pays.ipynb#s4"), {})
'[`01_why_retention_pays.ipynb#s4`](01_why_retention_pays.ipynb#s4)'
"""

from __future__ import annotations

from sim.teach.sources.catalogue import Catalogue, Item, Pointer

__all__ = ["OUTPUT", "render_catalogue"]

#: The rendered page, relative to the repository root.
OUTPUT = "notebooks/SOURCES.md"

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
