"""Grade a folder of submissions, ``SUBMISSIONS/<trainee>/<NN_name>.ipynb``: one row per trainee × check."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sim.teach.grading.notebook import _read_course, course_checks
from sim.teach.grading.rows import GradeRow, _short
from sim.teach.grading.runner import Limits
from sim.teach.grading.watchdog import grade_in_child

__all__ = ["grade_submissions"]


def _course_notebooks(root: Path) -> dict[str, Path]:
    from sim.teach.toc import CHAPTERS

    found = {}
    for c in CHAPTERS:
        path = root / "exercises" / f"{c.number:02d}_{c.slug}.ipynb"
        if c.status == "available" and path.is_file():
            found[path.name] = path
    return found


def grade_submissions(
    submissions: str | Path,
    *,
    root: str | Path = ".",
    limits: Limits = Limits(),
    progress: Callable[[str], None] | None = None,
) -> list[GradeRow]:
    """Grade every ``SUBMISSIONS/<trainee>/<NN_name>.ipynb``; one row per trainee × check.

    Checks of an exercise that some trainee submitted and another did not are ``not yet``
    ("not submitted") for the latter, so every trainee has the same rows.
    """
    from sim.errors import DataError

    folder = Path(submissions)
    if not folder.is_dir():
        raise DataError(
            f"submissions folder not found: {str(folder)[:80]!r} (give SUBMISSIONS/ with one folder per trainee)"
        )
    course = _course_notebooks(Path(root))
    if not course:
        raise DataError(
            f"no exercises notebooks under {str(Path(root) / 'exercises')[:80]!r}; run it from the repository"
        )
    say = progress or (lambda _msg: None)
    trainees = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    strays = sorted(p for p in folder.iterdir() if not p.is_dir() and not p.name.startswith("."))
    jobs = [(t.name, f) for t in trainees for f in sorted(t.iterdir()) if not f.name.startswith(".")]
    rows: list[GradeRow] = []
    for stray in strays:
        rows.append(
            GradeRow(
                stray.stem,
                stray.name,
                "-",
                "error",
                "put each trainee's notebooks in SUBMISSIONS/<trainee>/, not directly in SUBMISSIONS/",
            )
        )
    submitted: set[str] = set()
    for n, (trainee, path) in enumerate(jobs, start=1):
        start = time.monotonic()
        if path.name not in course:
            known = ", ".join(sorted(course))
            rows.append(
                GradeRow(
                    trainee,
                    path.name,
                    "-",
                    "error",
                    _short(f"not a course exercise notebook name; expected one of: {known}"),
                )
            )
            say(f"[{n}/{len(jobs)}] {trainee}/{path.name}: not a course exercise")
            continue
        submitted.add(path.name)
        got = grade_in_child(course[path.name], path, trainee, limits=limits)
        rows.extend(got)
        counts = {s: sum(r.status == s for r in got) for s in ("passed", "not yet", "error")}
        say(f"[{n}/{len(jobs)}] {trainee}/{path.name}: {counts['passed']} passed, {counts['not yet']} not yet, "
            f"{counts['error']} error ({time.monotonic() - start:.1f} s)")  # fmt: skip
    have = {(r.trainee, r.notebook) for r in rows}
    for trainee in (t.name for t in trainees):
        for name in sorted(submitted):
            if (trainee, name) not in have:
                rows.extend(
                    GradeRow(trainee, name, c.task, "not yet", "not submitted")
                    for c in course_checks(_read_course(course[name]))
                )
    order = {name: [c.task for c in course_checks(_read_course(p))] for name, p in course.items()}

    def position(row: GradeRow) -> int:
        names = order.get(row.notebook, [])
        return names.index(row.check) if row.check in names else -1

    return sorted(rows, key=lambda r: (r.trainee, r.notebook, position(r)))
