"""The sources page (notebooks/SOURCES.md): every courseware figure and claim is listed, every
pointer resolves, the page is current, and no notebook links to a file outside the repository.

Decision on "planned" pointers: ``planned: chapter NN`` is accepted only while chapter NN's status
in ``sim/teach/toc.py`` is "planned". When a chapter becomes available, every item planned for it
fails here until it points at the cell, parameter, code or test that now teaches it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from sim.errors import ConfigError
from sim.teach import sources as src
from sim.teach.sources import Catalogue, Pointer, check_sources, load_sources, pointer_problem, render_sources
from sim.teach.toc import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]

#: Items per section, counted by hand in the syllabus digest of the five documents (sections 2.1-2.14
#: and 4). Kept here, apart from the catalogue, so that deleting items and lowering a count together fails.
SYLLABUS_COUNTS = {
    "R": 15, "D": 17, "S": 11, "LC": 11, "C": 15, "PA": 10, "SM": 16, "CP": 12,
    "CH": 10, "LY": 12, "B": 5, "K": 12, "TM": 11, "TC": 12, "H": 17,
}  # fmt: skip


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_sources()


# ------------------------------------------------------------------------------ the catalogue
def test_every_syllabus_item_is_listed_once(catalogue):
    codes = [it.code for it in catalogue.items]
    assert [c for c, n in Counter(codes).items() if n > 1] == []
    expected = {f"{p}{i}" for p, n in SYLLABUS_COUNTS.items() for i in range(1, n + 1)}
    assert set(codes) == expected
    assert len(codes) == sum(SYLLABUS_COUNTS.values()) == 186  # with the 79 glossary terms: 265 rows
    assert {s.prefix: s.count for s in catalogue.sections} == SYLLABUS_COUNTS


def test_the_glossary_is_complete(catalogue):
    """The syllabus glossary has 79 numbered terms; each names documents that exist."""
    assert [t.n for t in catalogue.glossary] == list(range(1, 80))
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(t.zh) and t.en and not cjk.search(t.en) for t in catalogue.glossary)
    bad = Catalogue(catalogue.documents, catalogue.sections, catalogue.items, catalogue.glossary[1:])
    assert any(p.startswith("glossary: entries must be numbered") for p in check_sources(bad))


def test_the_five_documents_are_listed(catalogue):
    docs = {d.code: d for d in catalogue.documents}
    assert list(docs) == ["000", "001", "002", "003", "004"]
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for d in docs.values():
        assert cjk.search(d.title_zh) and not cjk.search(d.title_en), d
        assert d.script in ("Simplified", "Traditional") and d.pages and d.length
    # the script column agrees with the titles where the two scripts differ (户 / 戶)
    assert {c for c, d in docs.items() if "戶" in d.title_zh} == {
        c for c, d in docs.items() if d.script == "Traditional"
    } - {"004"}
    assert all("户" in d.title_zh for d in docs.values() if d.script == "Simplified")
    used = {s for it in catalogue.items for s in it.sources}
    assert used == set(docs)


def test_every_pointer_resolves(catalogue):
    problems = check_sources(catalogue)
    assert problems == [], "broken pointers in sim/teach/data/sources.yaml:\n" + "\n".join(problems)


def test_every_item_points_somewhere_and_planned_chapters_fit(catalogue):
    planned = {c.number for c in CHAPTERS if c.status == "planned"}
    for it in catalogue.items:
        assert it.where, it.code
        for p in it.where:
            if p.kind == "planned":
                assert int(p.target) in planned, (it.code, p.text)


def test_no_planned_pointer_remains_once_every_chapter_is_available(catalogue):
    """When the course is complete, every figure and claim is taught or tested somewhere."""
    if any(c.status == "planned" for c in CHAPTERS):
        pytest.skip("some chapters are still planned")
    left = [f"{it.code}: {p.text}" for it in catalogue.items for p in it.where if p.kind == "planned"]
    assert left == [], "planned pointers left although every chapter is available:\n" + "\n".join(left)
    sources_page = (ROOT / "notebooks" / "SOURCES.md").read_text(encoding="utf-8")
    assert not re.search(r"planned: chapter \d", sources_page)


# ------------------------------------------------------------------------------ the checker can fail
@pytest.fixture
def fake_repo(tmp_path: Path) -> Path:
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# 1 Why it pays\n", "text"]},
            {
                "cell_type": "code",
                "id": "run-it",
                "metadata": {},
                "source": "x = 1",
                "outputs": [],
                "execution_count": None,
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_demo.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (tmp_path / "tests" / "world").mkdir(parents=True)
    (tmp_path / "tests" / "world" / "test_demo.py").write_text(
        "def test_ok():\n    pass\n\nclass TestGroup:\n    def test_method(self):\n        pass\n\ndef helper():\n    pass\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(
    "text",
    [
        "notebooks/01_demo.ipynb#run-it",
        "notebooks/01_demo.ipynb#1-Why-it-pays",  # a heading anchor
        "scenario:desk.sla.P0.first_response_h",  # a dict key present in the defaults
        "scenario:market_events.kind",  # a list of models, walked through
        "policy:offers.winback_coupon.winback_prob",  # a key present only in a preset
        "policy:loyalty.tiers.min_spend",
        "sim.analysis.roi.ltv_cac",
        "sim.analysis",
        "tests/world/test_demo.py::test_ok",
        "tests/world/test_demo.py::TestGroup::test_method",
        "planned: chapter 10",
    ],
)
def test_good_pointers_resolve(fake_repo, text):
    chapters = tuple(dataclasses.replace(c, status="planned") if c.number == 10 else c for c in CHAPTERS)
    assert pointer_problem(Pointer.parse(text), fake_repo, chapters) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("notebooks/02_missing.ipynb#intro", "does not exist"),
        ("notebooks/01_demo.ipynb#no-such-cell", "no cell id or heading anchor 'no-such-cell'"),
        ("scenario:desk.agent", "Desk has no field 'agent'"),
        ("scenario:desk.sla.P9.first_response_h", "no key 'P9'"),
        ("scenario:desk.agents.count", "is a value"),
        ("policy:service.extra_agent", "Service has no field 'extra_agent'"),
        ("policy:offers.no_such_offer.discount", "no key 'no_such_offer'"),
        ("sim.analysis.roi.no_such_function", "has no attribute 'no_such_function'"),
        ("sim.no_such_module.thing", "has no attribute 'no_such_module'"),
        ("tests/world/test_gone.py::test_ok", "does not exist"),
        ("tests/world/test_demo.py::test_renamed", "defines no test 'test_renamed'"),
        ("tests/world/test_demo.py::TestGroup::test_other", "defines no test"),
        ("planned: chapter 42", "no such chapter"),
        ("planned: chapter 01", "is available now"),
    ],
)
def test_broken_pointers_are_reported(fake_repo, text, says):
    problem = pointer_problem(Pointer.parse(text), fake_repo)
    assert problem is not None and says in problem, problem


@pytest.mark.parametrize(
    "text", ["notebook 01 cell 3", "scenario:", "tests/world/test_demo.py", "planned: chapter 6", "os.path.join", ""]
)
def test_malformed_pointers_are_refused(text):
    with pytest.raises(ValueError, match="no known form"):
        Pointer.parse(text)


def test_a_chapter_that_becomes_available_turns_its_planned_items_into_errors(catalogue, monkeypatch):
    planned = next((c for c in CHAPTERS if c.status == "planned"), None)  # the first chapter not yet written
    if planned is None:  # every chapter is written: pretend the last one is not, with two items planned for it
        planned = CHAPTERS[-1]
        tag = f"planned: chapter {planned.number:02d}"
        items = tuple(
            dataclasses.replace(it, where=(*it.where, Pointer.parse(tag))) if i in (0, 5) else it
            for i, it in enumerate(catalogue.items)
        )
        catalogue = dataclasses.replace(catalogue, items=items)
        still = tuple(dataclasses.replace(c, status="planned") if c is planned else c for c in CHAPTERS)
        monkeypatch.setattr(src, "CHAPTERS", still)
        assert check_sources(catalogue) == []  # accepted while the chapter is planned
        monkeypatch.setattr(src, "CHAPTERS", CHAPTERS)
    tag = f"planned: chapter {planned.number:02d}"
    items = {it.code for it in catalogue.items if any(p.text == tag for p in it.where)}
    assert items  # the check below would pass vacuously otherwise
    flipped = tuple(dataclasses.replace(c, status="available") if c.number == planned.number else c for c in CHAPTERS)
    monkeypatch.setattr(src, "CHAPTERS", flipped)
    reported = {p.split(":")[0] for p in check_sources(catalogue) if f"chapter {planned.number:02d}" in p}
    assert reported == items


def test_missing_duplicate_and_unknown_entries_are_reported(catalogue):
    items = list(catalogue.items)
    r1 = catalogue.item("R1")
    cp3 = catalogue.item("CP3")
    items.remove(cp3)
    items.append(r1)
    items.append(dataclasses.replace(r1, code="ZZ1", sources=("007",)))
    bad = Catalogue(catalogue.documents[:4], catalogue.sections, tuple(items))
    problems = check_sources(bad)
    assert "R1: the code appears twice" in problems
    assert any("section CP: items ['CP3'] are missing" in p for p in problems)
    assert any(p.startswith("ZZ1: no section has the prefix 'ZZ'") for p in problems)
    assert any(p.startswith("ZZ1: unknown document '007'") for p in problems)
    assert any(p.startswith("documents:") for p in problems)  # 004 dropped
    assert any("'004'" in p for p in problems)  # items citing 004 now cite an unknown document


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d["items"][0].pop("where"), "items[0] (R1): missing ['where']"),
        (lambda d: d["items"][0].update(where=["see chapter 1"]), "items[0] (R1).where: pointer 'see chapter 1'"),
        (lambda d: d["items"][0].update(wher=[]), "unknown ['wher']"),
        (lambda d: d["items"][1].update(code="r2"), "items[1] (r2).code"),
        (lambda d: d["documents"][0].update(script="Cantonese"), "documents[0].script: 'Cantonese'"),
        (lambda d: d["sections"][0].update(count=0), "sections[0].count: 0"),
    ],
)
def test_malformed_catalogue_names_the_item_and_field(tmp_path, edit, says):
    import yaml

    data = yaml.load(src.SOURCES_YAML.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    edit(data)
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as exc:
        load_sources(path)
    assert says in str(exc.value)


# ------------------------------------------------------------------------------ the page
def test_committed_page_is_what_the_renderer_produces():
    page = ROOT / src.OUTPUT
    assert page.is_file(), "run `retention-lab teach sources` (sim.teach.sources.write_sources())"
    assert page.read_text(encoding="utf-8") == render_sources(), (
        "notebooks/SOURCES.md is stale: run `retention-lab teach sources` (sim.teach.sources.write_sources())"
    )


def test_page_has_one_anchor_per_item_and_names_the_documents(catalogue):
    page = render_sources(catalogue)
    anchors = re.findall(r'<a id="([^"]+)"></a>', page)
    assert [a for a, n in Counter(anchors).items() if n > 1] == []
    for it in catalogue.items:
        row = next(line for line in page.splitlines() if f'<a id="{it.anchor}"></a>' in line)
        assert f"**{it.code}**" in row and all(f"(#doc-{s})" in row for s in it.sources)
        assert row.count("|") - row.count("\\|") == 5, row  # four cells: a stray "|" would split the row
    for d in catalogue.documents:
        row = next(line for line in page.splitlines() if f'<a id="doc-{d.code}"></a>' in line)
        assert d.title_zh in row and d.title_en in row and d.script in row and d.pages in row


def test_page_links_resolve_inside_the_repository():
    page = ROOT / src.OUTPUT
    assert outside_links(page.read_text(encoding="utf-8"), page.parent) == []
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if not target.startswith("#"):
            assert (page.parent / target).exists(), target


# ------------------------------------------------------------------------------ notebooks cite nothing outside
#: Absolute paths of some machine (a home, a checkout) in prose or code: never in a course page.
_FORBIDDEN = re.compile(
    r"\.\./shared|\bshared/seeds|\bseeds/|syllabus_from_seeds|(?<![\w.:/])/(?:home|root|Users|srv|mnt)/|file://|[A-Za-z]:\\\\"
)
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']")


def outside_links(text: str, base: Path, root: Path = ROOT) -> list[str]:
    """Mentions of files outside the repository, and links whose target lies outside it."""
    found = [f"mentions {m.group(0)!r}" for m in _FORBIDDEN.finditer(text)]
    for m in _LINK.finditer(text):
        target = (m.group(1) or m.group(2)).split("#", 1)[0]
        if not target or re.match(r"^(https?|mailto):", target):
            continue
        if target.startswith(("/", "~")) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
            found.append(f"links to {target!r} (absolute)")
        elif not (base / target).resolve().is_relative_to(root.resolve()):
            found.append(f"links to {target!r} (outside the repository)")
    return found


@pytest.mark.parametrize(
    "text",
    [
        "See `../shared/syllabus_from_seeds.md`.",
        "[the digest](../../shared/design.md)",
        "The seed text is in seeds/000_x.txt",
        "[abs](/srv/course/README.md)",
        "the notebook lives in /home/trainee/course/notebooks",
        '<img src="file:///x.png">',
        "[up](../../../etc/passwd)",
        r"open C:\\course\\x.txt",
    ],
)
def test_the_outside_link_scan_catches(text):
    assert outside_links(text, ROOT / "notebooks") != []


@pytest.mark.parametrize(
    "text",
    [
        "[R2](SOURCES.md#r2) and [chapter 01](01_why_retention_pays.ipynb#s3)",
        "[solutions](../solutions/01_why_retention_pays.ipynb)",
        "[paper](https://hbr.org/1990/09/zero-defections) <a href='#top'>top</a>",
        "Seed `000` p1 says retention costs 1/5; the shared key is secret.",
    ],
)
def test_the_outside_link_scan_accepts(text):
    assert outside_links(text, ROOT / "notebooks") == []


NOTEBOOKS = sorted(p for d in ("notebooks", "solutions", "exercises") for p in (ROOT / d).glob("*.ipynb"))


PAGES = sorted(p for d in ("notebooks", "solutions", "exercises") for p in (ROOT / d).glob("*.md"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_course_pages_cite_nothing_outside_the_repository(path):
    assert outside_links(path.read_text(encoding="utf-8"), path.parent) == []


def test_there_are_notebooks_to_scan():
    assert len(NOTEBOOKS) >= 3 * len([c for c in CHAPTERS if c.status == "available"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_cite_nothing_outside_the_repository(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for k, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        problems += [f"cell {cell.get('id', k)}: {p}" for p in outside_links(text, path.parent)]
    assert problems == [], f"{path.relative_to(ROOT)} cites files outside the repository (cite SOURCES.md#code instead)"


@pytest.mark.parametrize("path", NOTEBOOKS + PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_citation_of_the_sources_page_lands_on_an_item(path):
    """``SOURCES.md#r2`` in a notebook must name an anchor the page really has."""
    page = (ROOT / "notebooks" / "SOURCES.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', page))
    cited = re.findall(r"SOURCES\.md#([A-Za-z0-9_-]+)", path.read_text(encoding="utf-8"))
    assert [a for a in cited if a not in anchors] == []
