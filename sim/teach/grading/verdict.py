"""The trusted comparison, in the grader process: the kernel's recorded answers against the package's expected values."""

from __future__ import annotations

from typing import Any

from sim.teach.grading.encoding import decode
from sim.teach.grading.rows import Status


class _Raised(Exception):
    """An exception the trainee's function raised in the kernel, replayed in the grader."""


def _verdict(task_name: str, record: dict[str, Any]) -> tuple[Status, str]:
    """Compare the kernel's recorded answers with the package's expected values (no trainee code runs)."""
    from sim.teach.tasks import get_task, grade

    task = get_task(task_name)
    cases = task.inputs()
    if not record.get("found"):
        return "not yet", f"no function `{record.get('function')}` defined by the answer cells"
    entries = record.get("cases", [])
    if len(entries) != len(cases):
        return "error", "the grading kernel returned an incomplete record"
    for case, entry in zip(cases, entries, strict=True):
        if entry.get("hit"):
            return "not yet", f"{case.says} (your function calls {entry['hit']}: write the code yourself)"
    queue: list[tuple[str, Any]] = []
    for case, entry in zip(cases, entries, strict=True):
        if "error" in entry:
            queue.append(("raise", entry["error"]))
        elif case.each:
            answers = decode(entry["answer"])
            if not isinstance(answers, list) or len(answers) != len(list(case.args[0])):
                return "error", "the grading kernel returned a malformed record"
            queue.extend(("value", a) for a in answers)
        else:
            queue.append(("value", decode(entry["answer"])))
    state = {"i": 0, "skip": False}

    def replay(*args: object, **kwargs: object) -> object:
        if state["i"] >= len(queue):
            raise _Raised("replayed more calls than were recorded")
        what, payload = queue[state["i"]]
        state["i"] += 1
        if what == "raise":
            if payload.get("stub"):
                raise NotImplementedError()
            raise _Raised(str(payload.get("text", "")).removeprefix("your code raised "))
        return payload

    result = grade(task, replay)
    changed = next(((c, e["changed"]) for c, e in zip(cases, entries, strict=True) if e.get("changed")), None)
    if result.status == "correct" and changed is None:
        return "passed", f"{result.cases} cases"
    if result.status == "stub":
        return "not yet", result.detail or "still a stub"
    if changed is not None and result.status == "correct":
        return "not yet", f"{changed[0].says} (your function changed its input `{changed[1]}`: work on a copy)"
    return "not yet", (result.detail or "wrong").replace("_Raised: ", "")
