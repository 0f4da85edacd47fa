"""The documented range of every numeric configuration field, as a table.

:func:`field_ranges` walks :class:`~sim.config.Scenario` and :class:`~sim.config.Policy` and
reads each number's bounds and unit from its pydantic field, so the table cannot drift from
the validation; :func:`render_ranges` prints it in the data dictionary's markdown style.

Examples
--------
>>> rows = {r.path: r for r in field_ranges("scenario")}
>>> rows["surveys.relationship_interval_days"].allowed
'[1, 3650]'
>>> rows["population.customers"].allowed
'[1, 10000000]'
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.config.policy import Policy
from sim.config.scenario import Scenario

__all__ = ["FieldRange", "field_ranges", "render_ranges"]


@dataclass(frozen=True)
class FieldRange:
    """One numeric field: its dotted path (``*`` for a user-chosen key), type, allowed range and unit."""

    path: str
    kind: str
    allowed: str
    unit: str


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _bounds(metadata: list[Any]) -> str:
    """The allowed interval: the tightest of the bounds given (a field may narrow its type's).

    Examples
    --------
    >>> _bounds([at.Ge(0.0), at.Le(1.0), at.Gt(0.0)]), _bounds([at.Ge(0.001), at.Ge(0.0), at.Le(1.0)])
    ('(0, 1]', '[0.001, 1]')
    """
    lo: tuple[Any, bool] | None = None  # (bound, included)
    hi: tuple[Any, bool] | None = None
    for m in metadata:
        if isinstance(m, (at.Ge, at.Gt)):
            b: tuple[Any, bool] = (m.ge, True) if isinstance(m, at.Ge) else (m.gt, False)
            if lo is None or b[0] > lo[0] or (b[0] == lo[0] and not b[1]):
                lo = b
        elif isinstance(m, (at.Le, at.Lt)):
            b = (m.le, True) if isinstance(m, at.Le) else (m.lt, False)
            if hi is None or b[0] < hi[0] or (b[0] == hi[0] and not b[1]):
                hi = b
    left = "[" if lo is not None and lo[1] else "("
    right = "]" if hi is not None and hi[1] else ")"
    lo_text = _fmt(lo[0]) if lo is not None else "…"
    hi_text = _fmt(hi[0]) if hi is not None else "…"
    return f"{left}{lo_text}, {hi_text}{right}"


def _metadata(tp: Any) -> tuple[Any, list[Any], str]:
    """Strip ``Annotated`` layers: the bare type, its constraints and its description."""
    meta: list[Any] = []
    desc = ""
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        tp = args[0]
        for m in args[1:]:
            if isinstance(m, FieldInfo):
                meta.extend(m.metadata)
                desc = desc or (m.description or "")
            else:
                meta.append(m)
    return tp, meta, desc


def _walk(tp: Any, path: str, meta: list[Any], desc: str, out: list[FieldRange]) -> None:
    tp, more, more_desc = _metadata(tp)
    meta, desc = meta + more, desc or more_desc
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is not type(None):
                _walk(arg, path, meta, desc, out)
    elif origin is dict:
        _walk(typing.get_args(tp)[1], f"{path}.*", [], "", out)
    elif origin is list:
        _walk(typing.get_args(tp)[0], f"{path}[]", [], "", out)
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            _walk(info.annotation, f"{path}.{name}".lstrip("."), list(info.metadata), info.description or "", out)
    elif tp in (int, float):
        out.append(FieldRange(path, "whole number" if tp is int else "number", _bounds(meta), desc))


def field_ranges(which: Literal["scenario", "policy"]) -> list[FieldRange]:
    """Every numeric field of a scenario or a policy with its allowed range and unit.

    Examples
    --------
    >>> [r.allowed for r in field_ranges("policy") if r.path == "contacts[].interval_days"]
    ['[1, 3650]']
    """
    out: list[FieldRange] = []
    _walk(Scenario if which == "scenario" else Policy, "", [], "", out)
    return out


def render_ranges() -> str:
    """A markdown table of every numeric scenario and policy field, its range and its unit.

    ``[a, b]`` includes both ends, ``(a, b]`` excludes ``a``; ``*`` stands for a key the user
    names (a channel, a severity, an offer). Every number must also be finite.

    Examples
    --------
    >>> table = render_ranges()
    >>> "| scenario | purchase.r | number | [0.05, 100] | shape of the Gamma of purchase rates |" in table
    True
    """
    lines = ["| config | field | type | allowed | unit / meaning |", "|---|---|---|---|---|"]
    for which in ("scenario", "policy"):
        for r in field_ranges(which):
            lines.append(f"| {which} | {r.path} | {r.kind} | {r.allowed} | {r.unit} |")
    return "\n".join(lines) + "\n"
