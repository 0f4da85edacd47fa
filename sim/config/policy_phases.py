"""Time-varying policies: ``Policy.phases`` (LY10 staged roll-out, K5 roadmap).

A :class:`Phase` changes the policy from its start on: ``set`` maps dotted paths of policy fields
(the :meth:`Policy.updated <sim.config.policy.Policy.updated>` paths; list items by index, e.g.
``contacts.0.interval_days``) to new values. Phases are cumulative: phase *k*'s policy is the base
policy with the changes of phases 0..k applied in order. Every phase's policy is validated as a
whole when the policy loads; an error names the phase (index and name) and the path.

Start of a phase
    ``start_day`` (days after the start, > 0) or ``start_month`` (>= 2): month *m* starts on the
    scenario's start date plus *m* - 1 calendar months (start date 2025-01-01: month 4 starts on
    2025-04-01, day 90), so phases line up with the monthly KPIs. All phases of a policy use the
    same unit, and starts increase strictly. A phase on or after the horizon never starts.

What a phase may change
    The firm's levers: ``respect_consent``, ``tiering``, ``contacts``, ``triggers`` (but not a
    trigger's ``variants``), ``loyalty``, ``onboarding``, ``alerts``, ``budget``, ``contact_pot``.
    Not the parts the *world* fixes when a run starts (:data:`WORLD_FIXED`: channels' odds and
    offers price every contact, fatigue, the service desk, campaigns with their own day, trigger
    variants with their hidden message effects): declare those in the base policy (e.g. a disabled
    trigger with its variants) and switch them on in a phase. Not ``phases`` (a phase inside a phase
    has no meaning) nor ``management`` (the management loop runs across phases; its target and lever
    carry over each switch, so a phase changing its rules would leave its state undefined), nor
    ``name`` / ``description``.

Examples
--------
>>> ph = Phase(name="tiers_on", start_month=4, set={"loyalty.tiers": []})
>>> ph.start_month, ph.start_day is None
(4, True)
>>> phase_start_day(ph, __import__("datetime").date(2025, 1, 1))
90.0
>>> set_paths({"a": [{"b": 1}, {"b": 2}]}, {"a.1.b": 5}, what="policy")
{'a': [{'b': 1}, {'b': 5}]}
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.config._base import StrictModel, _is_open_mapping, format_validation_error, short_message
from sim.config.limits import MAX_DAYS, Real, Whole, short
from sim.errors import ConfigError

__all__ = [
    "Phase",
    "WORLD_FIXED",
    "NOT_IN_PHASES",
    "phase_start_day",
    "phase_policies",
    "check_phases",
    "set_paths",
    "get_path",
]

#: Policy sections the world reads when a run starts: a phase may not change them (see the module).
WORLD_FIXED: tuple[str, ...] = ("channels", "offers", "fatigue", "service", "campaigns")
#: Top-level fields a phase may not set, with the reason given in the error.
NOT_IN_PHASES: dict[str, str] = {
    "phases": "a phase inside a phase has no meaning",
    "management": "the management loop runs across phases and carries its target and lever over each switch",
    "name": "a phase is named by its own name",
    "description": "describe the phase in the policy's description",
}
#: Longest calendar month a phase may start in (ten years).
MAX_START_MONTH = 120


class Phase(StrictModel):
    """One phase of a policy: from ``start_day`` or ``start_month`` on, ``set`` applies.

    Examples
    --------
    >>> import sim
    >>> sim.Policy.from_dict({"phases": [{"name": "p", "start_day": 0, "set": {}}]})
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: invalid policy (1 problem):
      - phases[0].start_day: value 0 is not allowed: Input should be greater than 0
    """

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    start_day: Real | None = Field(default=None, gt=0.0, le=MAX_DAYS, description="days after the start")
    start_month: Whole | None = Field(
        default=None, ge=2, le=MAX_START_MONTH, description="calendar month of the run (1 = the start's)"
    )
    set: dict[str, Any] = Field(default_factory=dict, max_length=200)

    @model_validator(mode="after")
    def _one_start(self) -> Phase:
        if (self.start_day is None) == (self.start_month is None):
            raise ValueError(
                f"phase {self.name!r}: give exactly one of start_day (days, > 0) or start_month (2, 3, ...; "
                "month 1 is the base policy)"
            )
        return self

    @field_validator("set")
    @classmethod
    def _paths(cls, v: dict[str, Any]) -> dict[str, Any]:
        for path in v:
            root = str(path).split(".")[0]
            if root in NOT_IN_PHASES:
                raise ValueError(f"path {short(path)} may not be set in a phase: {NOT_IN_PHASES[root]}")
            if root in WORLD_FIXED:
                raise ValueError(
                    f"path {short(path)} may not be set in a phase: the world fixes {root} when a run starts "
                    "(declare it in the base policy)"
                )
        return v


def phase_start_day(phase: Phase, start_date: dt.date) -> float:
    """The day (after ``start_date``) a phase starts: ``start_day``, or the first day of calendar
    month ``start_month`` of the run (``start_date`` + ``start_month`` - 1 months).

    Examples
    --------
    >>> phase_start_day(Phase(name="q2", start_month=2, set={}), dt.date(2025, 1, 31))  # Feb has 28 days
    28.0
    >>> phase_start_day(Phase(name="d", start_day=45.5, set={}), dt.date(2025, 1, 1))
    45.5
    """
    if phase.start_day is not None:
        return float(phase.start_day)
    assert phase.start_month is not None
    start = pd.Timestamp(start_date)
    return float((start + pd.DateOffset(months=phase.start_month - 1) - start) / pd.Timedelta(days=1))


def _key(node: Any, key: str, keys: list[str], depth: int, path: str, what: str) -> Any:
    """The child of ``node`` named ``key`` (a list index for a list), or a clear error."""
    if isinstance(node, list):
        if key.isdigit() and key == str(int(key)) and int(key) < len(node):
            return int(key)
        where = ".".join(keys[:depth])
        raise ConfigError(
            f"unknown {what} field {short(path)}: {short_message(where, 80)} is a list of {len(node)} item(s); "
            f"give an index 0..{len(node) - 1}"
            if node
            else f"unknown {what} field {short(path)}: {where} is an empty list"
        )
    if isinstance(node, dict) and (key in node or (depth == len(keys) - 1 and _is_open_mapping(keys[:depth]))):
        return key
    where = ".".join(keys[:depth]) or "(top level)"
    known = sorted(node) if isinstance(node, dict) else []
    raise ConfigError(
        f"unknown {what} field {short(path)}: {short_message(where, 80)} has no key {short(key)}; "
        f"known keys: {short_message(str(known))}"
    )


def set_paths(data: dict[str, Any], changes: dict[str, Any], *, what: str) -> dict[str, Any]:
    """A copy of ``data`` with dotted paths set (as ``sim.config._base.apply_changes``, and list
    items by index: ``contacts.0.interval_days``)."""
    if not isinstance(changes, dict):
        raise ConfigError(f"changes={short(changes)} is not allowed: give a mapping of dotted paths to values")
    data = copy.deepcopy(data)
    for path, value in changes.items():
        keys = str(path).split(".")
        node: Any = data
        for depth, key in enumerate(keys):
            k = _key(node, key, keys, depth, str(path), what)
            if depth == len(keys) - 1:
                node[k] = copy.deepcopy(value)
            else:
                node = node[k]
    return data


def get_path(data: dict[str, Any], path: str, *, what: str = "policy") -> Any:
    """The value at a dotted path (list items by index).

    Examples
    --------
    >>> get_path({"contacts": [{"interval_days": 30.0}]}, "contacts.0.interval_days")
    30.0
    """
    keys = path.split(".")
    node: Any = data
    for depth, key in enumerate(keys):
        node = node[_key(node, key, keys, depth, path, what)]
    return node


def _first_problem(exc: ValidationError, label: str) -> str:
    lines = format_validation_error(exc, what=label).splitlines()
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{label}: {lines[1].strip().removeprefix('- ').removeprefix('(top level): ')}{more}"


def phase_policies(policy: Any) -> list[Any]:
    """Each phase's policy, validated: the base policy with phases 0..k applied in order, without
    ``phases`` and with the management loop off (the firm runs those from the base policy).

    Raises ``ValueError`` naming the phase (index and name) and the path.
    """
    cls = type(policy)
    data = policy.model_dump(mode="json")
    data["phases"] = []
    data["management"] = {}
    base_variants = {name: trig.get("variants") for name, trig in data["triggers"].items()}
    out = []
    for k, ph in enumerate(policy.phases):
        label = f"phases[{k}] ({ph.name})"
        try:
            data = set_paths(data, ph.set, what="policy")
        except ConfigError as exc:
            raise ValueError(f"{label}: {short_message(str(exc), 240)}") from None
        for name, trig in data["triggers"].items():
            if isinstance(trig, dict) and trig.get("variants") != base_variants.get(name):
                raise ValueError(
                    f"{label}: triggers.{name}.variants differ from the base policy's; the world fixes a trigger's "
                    "variants when a run starts: declare them in the base policy (trigger disabled) and enable it here"
                )
        try:
            out.append(cls.model_validate(data))
        except ValidationError as exc:
            raise ValueError(_first_problem(exc, label)) from None
    return out


def check_phases(policy: Any) -> list[Any]:
    """Validate ``policy.phases`` (one start unit, strictly increasing starts, unique names, every
    phase's policy valid, the management lever numeric in each) and return the phase policies.

    Examples
    --------
    >>> import sim
    >>> sim.Policy.from_dict({"phases": [{"name": "a", "start_day": 30, "set": {"service.extra_agents": 1}}]})
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: invalid policy (1 problem):
      - phases[0].set: path 'service.extra_agents' may not be set in a phase: the world fixes service when a run starts (declare it in the base policy)
    """
    phases = policy.phases
    names = [p.name for p in phases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"phases: names must be unique, {short(dup)} repeated")
    units = {"start_day" if p.start_day is not None else "start_month" for p in phases}
    if len(units) > 1:
        raise ValueError("phases: give every phase a start_day or every phase a start_month, not a mix")
    starts = [p.start_day if p.start_day is not None else p.start_month for p in phases]
    for k in range(1, len(starts)):
        if not starts[k] > starts[k - 1]:
            raise ValueError(
                f"phases[{k}] ({phases[k].name}) starts at {starts[k]:g}, not after phases[{k - 1}] "
                f"({phases[k - 1].name}) at {starts[k - 1]:g}; list phases in strictly increasing order of start"
            )
    pols = phase_policies(policy)
    lever = policy.management.lever
    if lever is not None:
        for k, pol in enumerate(pols):
            if lever in policy.phases[k].set:
                raise ValueError(
                    f"phases[{k}] ({policy.phases[k].name}) sets {short(lever)}, the management loop's lever: "
                    "the loop owns it (its value carries over each switch)"
                )
            try:
                value = get_path(pol.model_dump(mode="json"), lever)
            except ConfigError as exc:
                raise ValueError(f"phases[{k}] ({policy.phases[k].name}): management.lever: {exc}") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(
                    f"phases[{k}] ({policy.phases[k].name}): management.lever {short(lever)} is {short(value)}, "
                    "not a number"
                )
    return pols
