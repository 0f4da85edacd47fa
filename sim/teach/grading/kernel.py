"""What runs inside the grading kernel, after the trainee's answer cells: record answers, not verdicts.

The harness cell of :mod:`sim.teach.grading.runner` imports this module by name (after dropping
every ``sim.teach`` module, so it comes fresh from the package source) and calls
:func:`kernel_collect`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sim.teach.grading.encoding import encode
from sim.teach.grading.rows import _MAX_REASON

__all__ = ["kernel_collect"]


def kernel_collect(namespace: dict[str, Any], checks: Sequence[Sequence[str]], out_path: str) -> None:
    """Run inside the grading kernel (after the trainee's answer cells): record answers, not verdicts.

    ``sim.teach`` has just been re-imported from the package source by the calling cell. For
    every (task, function name) pair, calls the function found in ``namespace`` on copies of
    every case, and writes a JSON list to ``out_path``: per case the encoded answer or the
    exception, the argument it changed, and whether it called the private reference.

    Examples
    --------
    >>> import json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.json")
    >>> kernel_collect({"campaign_net_roi": lambda c, r, m: (r * m - c) / c}, [("campaign_net_roi", "campaign_net_roi")], path)
    >>> rec = json.load(open(path))[0]
    >>> rec["task"], rec["found"], len(rec["cases"]) > 1
    ('campaign_net_roi', True, True)
    """
    from sim.teach._trace import describe_exception
    from sim.teach.tasks import get_task
    from sim.teach.tasks._task import _call, _changed_argument, _copy, _Watch

    records: list[dict[str, Any]] = []
    for task_name, func_name in checks:
        task = get_task(task_name)
        func = namespace.get(func_name)
        rec: dict[str, Any] = {"task": task_name, "function": func_name, "found": callable(func), "cases": []}
        if callable(func):
            for case in task.inputs():
                given = _copy(case)
                entry: dict[str, Any] = {}
                watch = _Watch(task.watched())
                try:
                    with watch:
                        answer = _call(func, given)
                    entry["answer"] = encode(answer)
                except (Exception, SystemExit) as exc:
                    entry["error"] = {"type": type(exc).__name__[:60], "stub": isinstance(exc, NotImplementedError),
                                      "text": describe_exception(exc)[:_MAX_REASON]}  # fmt: skip
                entry["hit"] = watch.hit
                try:
                    entry["changed"] = _changed_argument(task.reference, case, given)
                except Exception:
                    entry["changed"] = "one of its inputs"
                rec["cases"].append(entry)
        records.append(rec)
    text = json.dumps(records, allow_nan=True)
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write(text)
