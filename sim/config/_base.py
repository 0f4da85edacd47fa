"""Shared machinery for validated YAML configuration (scenarios, later policies).

One strict pydantic base model (unknown keys are errors), and one translation of pydantic's
errors into :class:`sim.errors.ConfigError` messages that name the field, the value given and
what is allowed.
"""

from __future__ import annotations

import contextvars
import copy
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from sim.config._yaml import read_config_yaml
from sim.config.limits import short
from sim.errors import ConfigError

__all__ = ["StrictModel", "load_yaml_model", "format_validation_error", "check_shares"]

M = TypeVar("M", bound="StrictModel")


def check_shares(
    mix: dict[str, float], allowed: tuple[str, ...], what: str, *, require_all: bool = False
) -> dict[str, float]:
    """Validate a mix of shares: known keys, each share in [0, 1], summing to 1.

    Examples
    --------
    >>> check_shares({"a": 0.5, "b": 0.5}, ("a", "b"), "letter")
    {'a': 0.5, 'b': 0.5}
    >>> check_shares({"a": 0.5, "b": 0.6}, ("a", "b"), "letter")
    Traceback (most recent call last):
    ...
    ValueError: letter shares must sum to 1, they sum to 1.1
    """
    unknown = [k for k in mix if k not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {short(unknown)}; allowed: {list(allowed)}")
    if require_all:
        missing = [k for k in allowed if k not in mix]
        if missing:
            raise ValueError(f"{what} mix is missing {missing}; give all of {list(allowed)}")
    for k, x in mix.items():
        if not 0.0 <= x <= 1.0:  # NaN fails this test too
            raise ValueError(f"share of {short(k)} must be in [0, 1], got {short(x)}")
    total = sum(mix.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what} shares must sum to 1, they sum to {total:.6g}")
    return mix


#: Whether a StrictModel is being validated (its sub-models then keep pydantic's own errors).
_VALIDATING: contextvars.ContextVar[bool] = contextvars.ContextVar("sim_config_validating", default=False)


class StrictModel(BaseModel):
    """A pydantic model that rejects unknown keys, NaN and infinity, and validates on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False)

    def __init__(self, **data: Any) -> None:
        # Built directly (``sim.Policy(...)``), a bad value is a ConfigError like ``load`` / ``updated``
        # give. Inside another model's validation (a validator building a sub-model) the raw error is
        # kept, so that pydantic reports the whole path once.
        if _VALIDATING.get():
            super().__init__(**data)
            return
        token = _VALIDATING.set(True)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, what=type(self).__name__)) from None
        finally:
            _VALIDATING.reset(token)

    @classmethod
    def model_validate(cls: type[M], obj: Any, **kwargs: Any) -> M:
        token = _VALIDATING.set(True)
        try:
            return super().model_validate(obj, **kwargs)
        finally:
            _VALIDATING.reset(token)

    def __setattr__(self, name: str, value: Any) -> None:
        # validate_assignment: ``policy.loyalty.ledger = "maybe"`` is a ConfigError naming the field
        if _VALIDATING.get():
            super().__setattr__(name, value)
            return
        token = _VALIDATING.set(True)
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, what=type(self).__name__)) from None
        finally:
            _VALIDATING.reset(token)


def _loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif p in ("function-after", "function-before", "function-plain", "function-wrap"):
            continue
        else:
            text = str(p) if len(str(p)) <= 40 else short(str(p), 40)  # user-chosen keys may be long
            parts.append(("." if parts else "") + text)
    return "".join(parts).replace(".[", "[")


def format_validation_error(exc: ValidationError, *, what: str) -> str:
    """Render a pydantic error as 'field, value given, what is allowed' lines."""
    lines = [f"invalid {what} ({exc.error_count()} problem{'s' if exc.error_count() > 1 else ''}):"]
    errors = exc.errors(include_url=False, include_context=False)
    for err in errors[:MAX_REPORTED]:
        loc = _loc(err["loc"]) or "(top level)"
        msg = short_message(err["msg"].removeprefix("Value error, "))
        value = short(err.get("input"))
        if err["type"] == "extra_forbidden":
            lines.append(f"  - {loc}: unknown key (value {value}); check the spelling against the documented fields")
        elif err["type"] == "missing":
            lines.append(f"  - {loc}: required field is missing")
        elif isinstance(err.get("input"), dict):  # a rule about a whole section: the message names the values
            lines.append(f"  - {loc}: {msg}")
        else:
            lines.append(f"  - {loc}: value {value} is not allowed: {msg}")
    if len(errors) > MAX_REPORTED:
        lines.append(f"  - ... and {len(errors) - MAX_REPORTED} more")
    return "\n".join(lines)


#: Problems listed in one error message (the count of all is in its first line).
MAX_REPORTED = 20


def short_message(msg: str, limit: int = 300) -> str:
    """A rule's message, cut at ``limit`` characters (it may quote the user's keys).

    Examples
    --------
    >>> short_message("x" * 400, 10)
    'xxxxxxxxxx…'
    """
    return msg if len(msg) <= limit else msg[:limit] + "…"


def load_yaml_model(cls: type[M], name_or_path: str | Path, *, preset_dir: Path, what: str) -> M:
    """Load ``cls`` from a preset name (``preset_dir/<name>.yaml``) or a YAML file path."""
    if not isinstance(name_or_path, (str, Path)):
        raise ConfigError(
            f"{what}={short(name_or_path)} is not allowed: give a {what} object, a preset name or a YAML file path"
        )
    text = str(name_or_path)
    if not text.strip() or "\x00" in text:
        raise ConfigError(f"{what}={short(text)} is not allowed: give a preset name or a YAML file path")
    p = Path(name_or_path)
    try:
        if p.suffix in (".yaml", ".yml") or p.exists():
            path = p
        else:
            path = preset_dir / f"{name_or_path}.yaml"
            if not path.exists() or path.resolve().parent != preset_dir.resolve():
                known = sorted(f.stem for f in preset_dir.glob("*.yaml"))
                raise ConfigError(f"unknown {what} {short(text)}; presets: {known}, or give a path to a .yaml file")
        exists = path.exists()
    except OSError as exc:  # e.g. a name too long for the file system
        raise ConfigError(f"{what} {short(text)} cannot be looked up: {short(exc.strerror or str(exc))}") from None
    if not exists:
        raise ConfigError(f"{what} file {short(str(path))} does not exist")
    data = read_config_yaml(path, what)
    if not isinstance(data, dict):
        raise ConfigError(f"{what} file {path.name}: expected a mapping of fields, got {type(data).__name__}")
    return validate_model(cls, data, what=f"{what} {path.name}")


def validate_model(cls: type[M], data: dict[str, Any], *, what: str) -> M:
    """Validate a mapping into ``cls``, raising :class:`ConfigError` with a clear message."""
    if not isinstance(data, dict):
        raise ConfigError(f"{what}: expected a mapping of fields, got {type(data).__name__} {short(data)}")
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, what=what)) from None


class YamlMixin:
    """``to_yaml`` / ``to_dict`` for config models (key order as declared)."""

    _what: ClassVar[str] = "config"

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")  # type: ignore[attr-defined]

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)


def apply_changes(data: dict[str, Any], changes: dict[str, Any], *, what: str) -> dict[str, Any]:
    """Set dotted paths (``"desk.sla.P0.first_response_h"``) in a nested mapping, copying it."""
    if not isinstance(changes, dict):
        raise ConfigError(f"changes={short(changes)} is not allowed: give a mapping of dotted paths to values")
    data = copy.deepcopy(data)
    for path, value in changes.items():
        keys = str(path).split(".")
        node: Any = data
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if not isinstance(node, dict) or (
                key not in node and not (last and isinstance(node, dict) and _is_open_mapping(keys[:depth]))
            ):
                where = ".".join(keys[:depth]) or "(top level)"
                known = sorted(node) if isinstance(node, dict) else []
                raise ConfigError(
                    f"unknown {what} field {short(path)}: {short_message(where, 80)} has no key {short(key)}; "
                    f"known keys: {short_message(str(known))}"
                )
            if last:
                node[key] = value
            else:
                node = node[key]
    return data


def _is_open_mapping(prefix: list[str]) -> bool:
    """Mappings whose keys are user-chosen (channels): new keys may be added by a path.

    ``catalogue.companions.<category>`` is open too: a new companion of an existing category.
    """
    if not prefix:
        return False
    return prefix[-1] in _OPEN_MAPPINGS or (len(prefix) >= 2 and prefix[-2] == "companions")


#: Mappings whose keys the user names (new keys may be added through a dotted path).
_OPEN_MAPPINGS = frozenset(
    {
        "channels",
        "offers",
        "variants",
        "split",
        "pots",
        "sla_override",
        "contact_pot",
        "categories",
        "companions",
        "plans",
    }
)
