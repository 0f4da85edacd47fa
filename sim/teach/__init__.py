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
2. The next cell is the **self-check**. It passes the *function* (not a result) to a named
   task::

       from sim.teach import check
       check.task("recency_days", recency_days)

   The task lives in ``sim/teach/tasks/chNN.py``: a private reference implementation, test
   cases (small hand-built inputs at every boundary of the specification, every parameter
   taking at least two values, plus realistic data other than the notebook's) and the
   comparison (values with a tolerance, True/False where the spec says bool, order where it
   says sorted, row labels where they matter). The checker calls the function on deep copies
   of every case, reports an input it changed, and prints one line:
   ``✓ recency_days: correct (8 cases)``, or ``✗ recency_days: not yet — <the first failing
   case, in words> (your function returned …) Hint: …`` (never the expected value), or, for
   an exception, the exception and the trainee's own line (never a traceback; the notebook
   goes on). ``NotImplementedError`` / ``None`` / ``...`` on every case is a stub.
   The exercises notebook never imports the package's reference function for its task,
   never prints a reference value, and never hands the answer in through the function's
   inputs. Cells after a check that need the answer use the trainee's function, guarded by
   the check's outcome (``if outcome: ...``), so an unsolved exercise breaks nothing.
   Every task has a **wrong-answer catalogue** in ``tests/teach/test_wrong_answers_chNN.py``:
   plausible wrong implementations, each asserted to be rejected (helpers in
   ``tests/teach/catalogue.py``). The older value checks (``check(name, answer,
   expected)``, ``check.run`` …) remain for demonstrations in the teaching notebooks.
3. ``make exercises`` (``retention-lab teach build-exercises``) writes
   ``exercises/NN_name.ipynb``: each solution region becomes ``# YOUR CODE HERE`` +
   ``raise NotImplementedError()``, indented like the marker, so the check reports
   ``… recency_days: not yet — your code is still a stub``.
4. The test suite executes ``solutions/`` with ``RETENTION_LAB_STRICT=1`` (a ✗ raises
   :class:`CheckFailed`, and every check must print ✓) and ``exercises/`` without it (only
   ``NotImplementedError`` may occur, and every check must print "not yet").

Public API
----------
check
    The self-check object: ``check.task`` for exercises; ``check(...)``, ``check.run``,
    ``check.equal``, ``check.close``, ``check.frame``, ``check.that`` for value checks (see
    :class:`sim.teach.check.Checker`).
Task, Case, Expect, get_task, task_names
    The exercise tasks (:mod:`sim.teach.tasks`).
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
>>> _ = check.task("cost_per_saved_customer", lambda cost, leave, save: cost / (leave * save))
✓ cost_per_saved_customer: correct (5 cases)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.teach.check import STRICT_ENV, Checker, CheckFailed, Outcome, check, is_strict
from sim.teach.tasks import Case, Expect, Task, get_task, task_names
from sim.teach.toc import CHAPTERS, Chapter, chapter, render_table, update_readme

if TYPE_CHECKING:
    from sim.teach.build import (
        Change,
        MarkerError,
        build_exercises,
        clear_solutions,
        make_exercise,
        plan_exercises,
    )
    from sim.teach.notebooks import read_notebook, strip_notebook, strip_notebooks

# The notebook tools import nbformat, whose jsonschema import costs about 1.5-3 CPU s (it builds an
# RFC 3987 parser): a trainee's kernel that only runs `from sim.teach import check` should not pay
# it, nor should every grading kernel. They load on first use instead (PEP 562).
_LAZY = {
    **dict.fromkeys(
        ("Change", "MarkerError", "build_exercises", "clear_solutions", "make_exercise", "plan_exercises"),
        "sim.teach.build",
    ),
    **dict.fromkeys(("read_notebook", "strip_notebook", "strip_notebooks"), "sim.teach.notebooks"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.teach' has no attribute {name!r}")


__all__ = [
    "CHAPTERS",
    "STRICT_ENV",
    "Case",
    "Change",
    "Chapter",
    "CheckFailed",
    "Checker",
    "Expect",
    "MarkerError",
    "Outcome",
    "Task",
    "build_exercises",
    "chapter",
    "check",
    "clear_solutions",
    "get_task",
    "is_strict",
    "make_exercise",
    "plan_exercises",
    "read_notebook",
    "render_table",
    "strip_notebook",
    "strip_notebooks",
    "task_names",
    "update_readme",
]
