"""Grade trainees' submitted exercise notebooks: their answer cells, the course's own checks.

``retention-lab teach grade SUBMISSIONS/ --out gradebook.csv`` (also writes ``gradebook.html``).

Layout: ``SUBMISSIONS/<trainee>/<NN_name>.ipynb`` — one folder per trainee, each notebook under
the name of its course exercise (``00_orientation.ipynb``). Anything else in a trainee's folder,
or a file directly in ``SUBMISSIONS/``, gets an ``error`` row saying so.

What is graded, and what is never trusted
------------------------------------------
For each submitted notebook the grader reads the course's own exercises notebook
(``exercises/NN_name.ipynb``) to learn (a) the **answer cells** — the cells whose source holds
the stub ``raise NotImplementedError()`` that :mod:`sim.teach.build` puts where a solution was,
found by their cell id — and (b) the **checks** — every ``check.task("task", function)`` call
in its check cells. From the submission it takes only the sources of those answer cells (by cell
id). Outputs, check cells, extra cells and metadata of the submission are ignored.

Then, in a **fresh kernel** (nbclient) started in an empty temporary folder:

1. a course-owned first cell sets the memory limit (``resource.setrlimit(RLIMIT_AS)``, soft and
   hard, so trainee code cannot raise it) and runs the exercise's own import lines;
2. each answer cell runs (an error in one is recorded; the others still run);
3. a course-owned last cell drops every ``sim.teach`` module from ``sys.modules``, imports them
   again from the package source (so a monkeypatched checker or task module is gone), calls the
   trainee's function on deep copies of every case of each task (watching, as the self-check
   does, for calls of the private reference), and writes the **answers** — not a verdict — to a
   file as JSON (a plain-data encoding; no pickle).

The grader process, which runs no trainee code, decodes those answers and compares them with the
expected values it computes itself from the package (:func:`sim.teach.tasks.grade`, fed the
recorded answers). So editing or deleting a check cell, redefining ``check``, monkeypatching the
task module, or pasting outputs cannot turn a wrong answer into "passed": the kernel only ever
reports what the trainee's function returned. The honest limit: a trainee who, inside an answer
cell, reaches the package's private reference implementation *and* switches the call watch off
can still pass — as they could copy a solution. Answer cells that mention ``sim.teach`` at all
are refused outright, which stops the plain form of that.

Limits enforced per notebook: wall-clock time (``--timeout``, for the whole notebook, cell by
cell; at the limit nbclient interrupts the kernel and the rows say "timed out"), address-space
size (``--memory-mb``, ``RLIMIT_AS`` in the kernel process: a bigger allocation raises
``MemoryError`` in that cell), and file size (``--max-mb``, checked before reading). Each
notebook is graded in a child process (:func:`grade_in_child`) that a watchdog kills, with its
kernel, after ``--timeout`` + :data:`~sim.teach.grading.watchdog.GRACE` seconds, which stops
code that ignores the interrupt or a kernel that never answers. A notebook that is not JSON,
not a notebook, too big, hangs, or crashes the kernel gets ``error`` rows with a one-line reason,
and grading goes on.

Results: one row per trainee × check, status ``passed`` / ``not yet`` / ``error`` and a one-line
reason; :func:`write_gradebook` writes the CSV and an HTML summary (totals per trainee, and per
check with the share passed, so the room's hardest exercise stands out) atomically: both files
are written to temporary siblings first and renamed into place, so Ctrl-C leaves the old
gradebook or none, never half of one.

The code lives in :mod:`sim.teach.grading` (one module per step above); this module
re-exports its public names.

Examples
--------
>>> decode(encode({"a": [1, 2.5, None, "x"]}))
{'a': [1, 2.5, None, 'x']}
"""

from __future__ import annotations

from sim.teach.grading.encoding import Opaque as Opaque
from sim.teach.grading.encoding import decode, encode
from sim.teach.grading.gradebook import gradebook_csv as gradebook_csv
from sim.teach.grading.gradebook import render_html, write_gradebook
from sim.teach.grading.gradebook import totals as totals
from sim.teach.grading.kernel import kernel_collect
from sim.teach.grading.notebook import STUB_LINE as STUB_LINE
from sim.teach.grading.notebook import Check as Check
from sim.teach.grading.notebook import answer_cells, course_checks
from sim.teach.grading.rows import GradeRow
from sim.teach.grading.rows import Status as Status
from sim.teach.grading.runner import Limits, grade_notebook
from sim.teach.grading.submissions import grade_submissions
from sim.teach.grading.verdict import _verdict as _verdict
from sim.teach.grading.watchdog import grade_in_child as grade_in_child

__all__ = [
    "GradeRow",
    "Limits",
    "answer_cells",
    "course_checks",
    "decode",
    "encode",
    "grade_notebook",
    "grade_submissions",
    "kernel_collect",
    "render_html",
    "write_gradebook",
]
