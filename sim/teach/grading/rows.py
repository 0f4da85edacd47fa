"""A gradebook row (trainee × check), its status, and the one-line reason it carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["GradeRow", "Status"]

Status = Literal["passed", "not yet", "error"]

_MAX_REASON = 160


@dataclass(frozen=True)
class GradeRow:
    """One line of the gradebook: a trainee × check.

    Examples
    --------
    >>> GradeRow("alice", "00_orientation.ipynb", "active_customers", "passed", "9 cases").status
    'passed'
    """

    trainee: str
    notebook: str
    check: str
    status: Status
    reason: str


def _short(text: str) -> str:
    one = " ".join(str(text).split())
    return one if len(one) <= _MAX_REASON else one[: _MAX_REASON - 1] + "…"
