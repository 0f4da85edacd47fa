"""Write the gradebook: the CSV and an HTML summary (per check, notebook and trainee), atomically."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sim.teach.grading.rows import GradeRow

__all__ = ["gradebook_csv", "render_html", "totals", "write_gradebook"]


def totals(rows: Iterable[GradeRow], key: Callable[[GradeRow], str]) -> list[tuple[str, dict[str, int]]]:
    """Counts of passed / not yet / error grouped by ``key``, in first-seen order.

    Examples
    --------
    >>> totals([GradeRow("a", "n", "c", "passed", ""), GradeRow("b", "n", "c", "error", "")], lambda r: r.check)
    [('c', {'passed': 1, 'not yet': 0, 'error': 1})]
    """
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(key(r), {"passed": 0, "not yet": 0, "error": 0})[r.status] += 1
    return list(out.items())


def gradebook_csv(rows: Sequence[GradeRow]) -> str:
    """The gradebook as CSV text: trainee, notebook, check, status, reason.

    Examples
    --------
    >>> print(gradebook_csv([GradeRow("a", "00_x.ipynb", "f", "passed", "3 cases")]).strip())
    trainee,notebook,check,status,reason
    a,00_x.ipynb,f,passed,3 cases
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["trainee", "notebook", "check", "status", "reason"])
    for r in rows:
        writer.writerow([r.trainee, r.notebook, r.check, r.status, r.reason])
    return buffer.getvalue()


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gradebook</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.bar{background:#eee;width:12em;height:1em;display:inline-block}.fill{background:#2a7;height:1em}
.passed{color:#176b3a}.error{color:#a11}.notyet{color:#8a5a00}
</style></head><body>
<h1>Gradebook</h1>
<p>{{ n_trainees }} trainee(s), {{ n_rows }} check result(s). Each submitted notebook ran in a fresh kernel;
its answer cells were graded by the course's own checks (printed outputs and check cells are ignored).</p>
<h2>Per check (hardest first)</h2>
<table><tr><th>notebook</th><th>check</th><th>passed</th><th>not yet</th><th>error</th><th>share passed</th></tr>
{% for nb, check, c, share in per_check %}<tr><td>{{ nb }}</td><td>{{ check }}</td><td>{{ c["passed"] }}</td><td>{{ c["not yet"] }}</td>
<td>{{ c["error"] }}</td><td><span class="bar"><span class="fill" style="display:block;width:{{ (share * 100) | round(0) }}%"></span></span> {{ (share * 100) | round(0) | int }}%</td></tr>
{% endfor %}</table>
<h2>Per exercise notebook</h2>
<table><tr><th>notebook</th><th>passed</th><th>not yet</th><th>error</th><th>share passed</th></tr>
{% for nb, c, share in per_notebook %}<tr><td>{{ nb }}</td><td>{{ c["passed"] }}</td><td>{{ c["not yet"] }}</td><td>{{ c["error"] }}</td><td>{{ (share * 100) | round(0) | int }}%</td></tr>
{% endfor %}</table>
<h2>Per trainee</h2>
<table><tr><th>trainee</th><th>passed</th><th>not yet</th><th>error</th></tr>
{% for t, c in per_trainee %}<tr><td>{{ t }}</td><td>{{ c["passed"] }}</td><td>{{ c["not yet"] }}</td><td>{{ c["error"] }}</td></tr>
{% endfor %}</table>
<h2>Every result</h2>
<table><tr><th>trainee</th><th>notebook</th><th>check</th><th>status</th><th>reason</th></tr>
{% for r in rows %}<tr><td>{{ r.trainee }}</td><td>{{ r.notebook }}</td><td>{{ r.check }}</td>
<td class="{{ r.status | replace(' ', '') }}">{{ r.status }}</td><td>{{ r.reason }}</td></tr>
{% endfor %}</table>
</body></html>
"""


def _share(c: dict[str, int]) -> float:
    n = sum(c.values())
    return c["passed"] / n if n else 0.0


def render_html(rows: Sequence[GradeRow]) -> str:
    """The HTML summary: per check (hardest first), per notebook, per trainee, then every row.

    Examples
    --------
    >>> html = render_html([GradeRow("<b>", "00_x.ipynb", "f", "not yet", "a < b")])
    >>> "&lt;b&gt;" in html and "<b>" not in html.split("<body>")[1]
    True
    """
    import jinja2

    env = jinja2.Environment(autoescape=True)
    per_check = [(nb, check, c, _share(c)) for (nb, check), c in
                 ((tuple(k.split("\x00")), v) for k, v in totals(rows, lambda r: f"{r.notebook}\x00{r.check}"))]  # fmt: skip
    per_check.sort(key=lambda x: (x[3], x[0], x[1]))
    per_notebook = [(nb, c, _share(c)) for nb, c in totals(rows, lambda r: r.notebook)]
    per_notebook.sort(key=lambda x: (x[2], x[0]))
    per_trainee = sorted(totals(rows, lambda r: r.trainee))
    return env.from_string(_HTML).render(
        rows=rows,
        per_check=per_check,
        per_notebook=per_notebook,
        per_trainee=per_trainee,
        n_trainees=len(per_trainee),
        n_rows=len(rows),
    )


def write_gradebook(rows: Sequence[GradeRow], out: str | Path) -> tuple[Path, Path]:
    """Write ``out`` (CSV) and the HTML summary beside it (same stem, ``.html``), atomically.

    Both files go to temporary siblings first (fsynced); only then are they renamed into place,
    so an interruption leaves the previous gradebook (or none), never a half-written one.

    Examples
    --------
    >>> import tempfile
    >>> csv_path, html_path = write_gradebook([GradeRow("a", "00_x.ipynb", "f", "passed", "")],
    ...                                       Path(tempfile.mkdtemp()) / "gradebook.csv")
    >>> html_path.name, csv_path.read_text().count("\\n")
    ('gradebook.html', 2)
    """
    out = Path(out)
    html = out.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for content, target in ((gradebook_csv(rows), out), (render_html(rows), html)):
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in temps:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    return out, html
