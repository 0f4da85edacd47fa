"""Teaching pipeline: exercises generated from solutions, self-checks, course index.

How an exercise works (the design every chapter follows)
---------------------------------------------------------
1. ``solutions/NN_name.ipynb`` is the only notebook an author edits. Each exercise is a
   **function the trainee completes**, named after the task (``recency_days``, not
   ``ex3_2``); the answer sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``::

       def recency_days(orders, cutoff):
           \"\"\"Days between each customer's last order and ``cutoff``.\"\"\"
           ### BEGIN SOLUTION
           last = orders.groupby("customer_id")["date"].max()
           return (cutoff - last).dt.days
           ### END SOLUTION

   Written answers in Markdown go between ``<!-- BEGIN SOLUTION -->`` and
   ``<!-- END SOLUTION -->``. Cells tagged ``solution-only`` (extra demonstrations, the
   worked answer's plot) are left out of the exercises.
2. The next cell is the **self-check**. It calls the function through a lambda, so an
   unfinished exercise is caught instead of crashing the notebook::

       from sim.teach import check
       check.run("recency_days", lambda: recency_days(orders, cutoff), expected,
                 hint="Recency counts days *before* the cut-off.")

   ``expected`` must be available in the exercises notebook too, so compute it with a
   reference function from the package (``sim.analysis...``) or give a literal; never take
   it from a ``solution-only`` cell. Later cells never use the trainee's function; they use
   the package's reference version, so one unsolved exercise does not break the rest.
3. ``make exercises`` (``retention-lab teach build-exercises``) writes
   ``exercises/NN_name.ipynb``: each solution region becomes ``# YOUR CODE HERE`` +
   ``raise NotImplementedError()``, indented like the marker, so the check reports
   ``… recency_days: not yet — your code is still a stub``. Top-level answers also work
   (``answer = None`` before the region, then ``check("name", answer, expected)``); the stub
   cell then raises ``NotImplementedError``, which the test harness allows in exercises.
4. The test suite executes ``solutions/`` with ``RETENTION_LAB_STRICT=1`` (a ✗ raises
   :class:`CheckFailed`, and every check must print ✓) and ``exercises/`` without it (only
   ``NotImplementedError`` may occur, and every check must print "not yet").

Public API
----------
check
    The self-check object: ``check(...)``, ``check.run``, ``check.equal``, ``check.close``,
    ``check.frame``, ``check.that`` (see :class:`sim.teach.check.Checker`).
build_exercises, plan_exercises, make_exercise, clear_solutions
    Generate ``exercises/`` from ``solutions/`` (see :mod:`sim.teach.build`).
strip_notebooks, strip_notebook
    Remove outputs, execution counts and volatile metadata from committed notebooks.
CHAPTERS, Chapter, render_table, update_readme
    The course's table of contents (:mod:`sim.teach.toc`), which renders the table in
    ``notebooks/README.md``.

Everything is built on nbformat (reading / writing notebooks), numpy and pandas
(comparisons); only the marker replacement and the trainee-facing wording are hand-written.

Note that ``sim.teach.check`` is the *checker object*, which shadows the submodule of the
same name; import the module's other names from ``sim.teach`` (``CheckFailed``,
``Outcome``, ``STRICT_ENV``).

Examples
--------
>>> from sim.teach import check
>>> _ = check.run("double", lambda: 2 * 21, 42)
✓ double: correct
"""

from sim.teach.build import (
    Change,
    MarkerError,
    build_exercises,
    clear_solutions,
    make_exercise,
    plan_exercises,
)
from sim.teach.check import STRICT_ENV, Checker, CheckFailed, Outcome, check, is_strict
from sim.teach.notebooks import read_notebook, strip_notebook, strip_notebooks
from sim.teach.toc import CHAPTERS, Chapter, chapter, render_table, update_readme

__all__ = [
    "CHAPTERS",
    "STRICT_ENV",
    "Change",
    "Chapter",
    "CheckFailed",
    "Checker",
    "MarkerError",
    "Outcome",
    "build_exercises",
    "chapter",
    "check",
    "clear_solutions",
    "is_strict",
    "make_exercise",
    "plan_exercises",
    "read_notebook",
    "render_table",
    "strip_notebook",
    "strip_notebooks",
    "update_readme",
]
