"""The course's table of contents: chapter order, file names, titles and status.

This is the one machine-readable source for the chapter list. The chapter table in
``notebooks/README.md`` (the course index) is rendered from it
(``retention-lab teach toc``), and the notebook tests use it to know which chapters exist:
a chapter marked ``"available"`` must have its notebooks, a ``"planned"`` one must have none.

When you finish a chapter: set its ``status`` to ``"available"`` here, then run
``make exercises`` (which also re-renders the README table).

Plain Python (dataclasses), no library needed; hand-written because it is just data.

Examples
--------
>>> from sim.teach.toc import CHAPTERS, chapter
>>> len(CHAPTERS), CHAPTERS[0].stem
(11, '00_orientation')
>>> chapter(4).notebook
'notebooks/04_lifecycle_and_clv.ipynb'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sim.errors import DataError

__all__ = [
    "CHAPTERS",
    "Chapter",
    "TOC_BEGIN",
    "TOC_END",
    "chapter",
    "render_table",
    "update_readme",
]

Status = Literal["planned", "available"]

#: Lines that delimit the generated table inside ``notebooks/README.md``.
TOC_BEGIN = "<!-- BEGIN TOC: generated from sim/teach/toc.py by `retention-lab teach toc`; do not edit -->"
TOC_END = "<!-- END TOC -->"

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Chapter:
    """One chapter of the course.

    Parameters
    ----------
    number : int
        Position in the course (0, 1, ...); gives the ``NN_`` prefix.
    slug : str
        ``snake_case`` part of the file name.
    title : str
        Title shown in the course index.
    about : str
        One line on what the trainee does in the chapter.
    status : {"planned", "available"}
        Whether the chapter's notebooks exist yet.
    exercises : bool
        Whether the chapter has an exercise notebook (``solutions/`` + ``exercises/``).

    Examples
    --------
    >>> c = Chapter(3, "value_and_segmentation", "Value & segmentation", "RFM.", "planned")
    >>> c.stem, c.solutions, c.exercise
    ('03_value_and_segmentation', 'solutions/03_value_and_segmentation.ipynb', 'exercises/03_value_and_segmentation.ipynb')
    """

    number: int
    slug: str
    title: str
    about: str
    status: Status = "planned"
    exercises: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.number <= 99:
            raise ValueError(f"chapter number must be 0..99, got {self.number}")
        if not _SLUG.match(self.slug):
            raise ValueError(f"chapter slug must be snake_case, got {self.slug!r}")
        if self.status not in ("planned", "available"):
            raise ValueError(f"chapter status must be 'planned' or 'available', got {self.status!r}")

    @property
    def stem(self) -> str:
        """File name without extension, e.g. ``"03_value_and_segmentation"``."""
        return f"{self.number:02d}_{self.slug}"

    @property
    def filename(self) -> str:
        """File name, the same in ``notebooks/``, ``solutions/`` and ``exercises/``."""
        return f"{self.stem}.ipynb"

    @property
    def notebook(self) -> str:
        """Path of the teaching notebook, relative to the repository root."""
        return f"notebooks/{self.filename}"

    @property
    def solutions(self) -> str:
        """Path of the solutions notebook (the hand-edited source of the exercises)."""
        return f"solutions/{self.filename}"

    @property
    def exercise(self) -> str:
        """Path of the generated exercises notebook."""
        return f"exercises/{self.filename}"

    def files(self) -> list[str]:
        """Every notebook path this chapter owns (relative to the repository root)."""
        return [self.notebook] + ([self.solutions, self.exercise] if self.exercises else [])


#: The course, in order (the chapter plan of the design notes, "Teaching material").
CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        0,
        "orientation",
        "Orientation",
        "The course, JupyterLab and the simulator: run a first simulation and compare what "
        "the firm sees with the hidden truth.",
        status="available",
    ),
    Chapter(
        1,
        "why_retention_pays",
        "Why retention pays",
        "Retention economics: acquisition vs. retention cost, and the courseware's "
        '"+5% retention → +25–85% profit" claim put to the test.',
        status="available",
    ),
    Chapter(
        2,
        "customer_data_foundation",
        "Customer data foundation",
        "Cleaning and integrating customer data, SQL with DuckDB, data quality and privacy.",
        status="available",
    ),
    Chapter(
        3,
        "value_and_segmentation",
        "Value & segmentation",
        "RFM scores and weightings graded against true CLV, value tiers, k-means segments vs needs, "
        'association rules, and "basic service for the low tier" as a what-if.',
        status="available",
    ),
    Chapter(
        4,
        "lifecycle_and_clv",
        "Lifecycle & CLV",
        "Lifecycle stages graded against the truth, the acquisition funnel and CAC, onboarding, CLV with "
        'BG/NBD and Gamma-Gamma, subscriptions with the sBG model, and the Zappos "LTV +300%" claim.',
        status="available",
    ),
    Chapter(
        5,
        "satisfaction_and_loyalty",
        "Satisfaction & loyalty measurement",
        "NPS, CSAT and CES with CIs graded against latent satisfaction, named vs anonymous surveys and "
        "weights, comment tagging, the 5% weekly alert and its false alarms, word of mouth and repeat purchase.",
        status="available",
    ),
    Chapter(
        6,
        "complaints_and_service",
        "Complaint handling & service operations",
        "Severity levels P0–P3 and SLA attainment, intake channels, Erlang C against the simulated desk, shifts and "
        "a bot, Pareto of causes, the wait -> complaints hypothesis, a process change tested, follow-up and reopens.",
        status="available",
    ),
    Chapter(
        7,
        "churn_early_warning",
        "Churn early warning",
        "Exit surveys vs true reasons, churn models graded against the truth (the 90-day label beats recency "
        "only on itself), lift at k, P(alive) and health scores, alert policies, win-back by reason x offer, "
        "change points in KPIs, the cost of churn.",
        status="available",
    ),
    Chapter(
        8,
        "communication_and_ab_tests",
        "Communication, triggers, personalisation & A/B tests",
        "Contact cadence and fatigue, triggers, the open-click-convert funnel, a 2x2 test graded against the hidden "
        "truth, Thompson sampling vs a fixed split by regret, channel affinity, templates, and uplift graded on each "
        "customer's true individual effect.",
        status="available",
    ),
    Chapter(
        9,
        "loyalty_programmes",
        "Loyalty programmes & tiers",
        "Silver/gold/diamond tiers and what they cost, the points ledger (earn, redeem, expire, check-ins), the "
        "points liability and breakage with CIs, refer-a-friend and the quarterly ranking, the goal gradient graded "
        "against the truth, members vs non-members (selection) vs the CRN effect, tier policies and a staged "
        "rollout on profit and CLV.",
        status="available",
    ),
    Chapter(
        10,
        "strategy_lab",
        "Strategy lab",
        "ROI against a baseline with one-off and recurring costs and break-even, the monthly KPI review, the +2% "
        "quarterly ratchet and a 12-month roadmap as time-varying policies, the 70/20/10 budget split against "
        "the optimiser's, calibration to a log, and the capstone: calibrate to your company and defend a policy.",
        status="available",
    ),
)


def chapter(number: int) -> Chapter:
    """Return the chapter with this number.

    Examples
    --------
    >>> chapter(10).title
    'Strategy lab'
    """
    for c in CHAPTERS:
        if c.number == number:
            return c
    raise KeyError(f"no chapter {number}; chapters are {[c.number for c in CHAPTERS]}")


def _files_cell(c: Chapter) -> str:
    """The "File" cell: the name, plus links once the chapter exists (relative to notebooks/)."""
    if c.status != "available":
        return f"`{c.filename}`"
    cell = f"[{c.filename}]({c.filename})"
    if c.exercises:
        cell += f" · [exercises](../{c.exercise}) · [solutions](../{c.solutions})"
    return cell


def render_table(chapters: Sequence[Chapter] = CHAPTERS) -> str:
    """Render the chapter table (Markdown) shown in the course index.

    Examples
    --------
    >>> print(render_table([Chapter(0, "orientation", "Orientation", "Start here.", "planned"), Chapter(99, "demo", "Demo", "Try it.", "available")]))
    | # | Chapter | What you do | File | Status |
    |---|---|---|---|---|
    | 00 | Orientation | Start here. | `00_orientation.ipynb` | planned |
    | 99 | Demo | Try it. | [99_demo.ipynb](99_demo.ipynb) · [exercises](../exercises/99_demo.ipynb) · [solutions](../solutions/99_demo.ipynb) | available |
    """
    rows = ["| # | Chapter | What you do | File | Status |", "|---|---|---|---|---|"]
    for c in chapters:
        rows.append(f"| {c.number:02d} | {c.title} | {c.about} | {_files_cell(c)} | {c.status} |")
    return "\n".join(rows)


def update_readme(path: str | Path, *, check: bool = False, chapters: Sequence[Chapter] = CHAPTERS) -> bool:
    """Re-render the table between the TOC markers of a README; return True if it changed.

    With ``check=True`` nothing is written: the return value says whether the file is stale.

    Raises
    ------
    ValueError
        If the README does not contain the two marker lines exactly once.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> readme = pathlib.Path(tempfile.mkdtemp()) / "README.md"
    >>> _ = readme.write_text(f"# Course\\n{TOC_BEGIN}\\nold\\n{TOC_END}\\n", encoding="utf-8")
    >>> update_readme(readme, check=True), update_readme(readme), update_readme(readme)
    (True, True, False)
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start}); the course index is Markdown", table=str(path)) from None
    except OSError as exc:
        raise DataError(
            f"cannot be read ({exc.strerror or exc}); give the course index file", table=str(path)
        ) from None
    lines = text.split("\n")
    if lines.count(TOC_BEGIN) != 1 or lines.count(TOC_END) != 1:
        raise DataError(
            f"{path}: needs the lines {TOC_BEGIN!r} and {TOC_END!r} exactly once each "
            "(the chapter table is generated between them)"
        )
    i, j = lines.index(TOC_BEGIN), lines.index(TOC_END)
    if j < i:
        raise DataError(f"{path}: {TOC_END!r} comes before {TOC_BEGIN!r}")
    new = "\n".join([*lines[: i + 1], render_table(chapters), *lines[j:]])
    if new == text:
        return False
    if not check:
        path.write_bytes(new.encode("utf-8"))
    return True
