"""The registry of exercise tasks: one module per chapter (``ch00``, ``ch01``, ...).

Each chapter module defines its tasks with :class:`Task` and :class:`Case` and lists them in
``TASKS``; :func:`get_task` finds a task by name, importing the chapter modules on first use
(so ``import sim.teach`` stays quick). A new chapter adds ``chNN.py`` and its name to
:data:`CHAPTER_MODULES`, and a wrong-answer catalogue ``tests/teach/test_wrong_answers_chNN.py``.

Examples
--------
>>> get_task("campaign_net_roi").expect.kind
'number'
>>> "repeat_purchase_rate" in task_names()
True
"""

from __future__ import annotations

import importlib

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Grade, Task, grade

__all__ = ["CHAPTER_MODULES", "Case", "Expect", "Grade", "Task", "get_task", "grade", "task_names"]

#: Chapter modules holding tasks, in course order.
CHAPTER_MODULES = ("ch00", "ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08", "ch09", "ch10")

_REGISTRY: dict[str, Task] = {}


def _load() -> dict[str, Task]:
    if not _REGISTRY:
        for module in CHAPTER_MODULES:
            for task in importlib.import_module(f"{__name__}.{module}").TASKS:
                if task.name in _REGISTRY:
                    raise ValueError(f"two tasks are named {task.name!r} ({module} and an earlier chapter)")
                _REGISTRY[task.name] = task
    return _REGISTRY


def task_names() -> list[str]:
    """Names of every registered task, in course order.

    Examples
    --------
    >>> task_names()[0]
    'repeat_purchase_rate'
    """
    return list(_load())


def get_task(name: str) -> Task:
    """The task called ``name``.

    Raises
    ------
    KeyError
        With the known names, when there is no such task (an author's typo).

    Examples
    --------
    >>> get_task("latent_columns").name
    'latent_columns'
    """
    tasks = _load()
    if name not in tasks:
        known = ", ".join(tasks)
        raise KeyError(f"no self-check task named {name!r}; the tasks are: {known}")
    return tasks[name]
