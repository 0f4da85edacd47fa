"""The search space of :func:`sim.optimize`: which levers may move, and how far.

A space maps a **sweep path** (:func:`sim.experiments.resolve_path`: a policy field such as
``budget.amount_per_period`` or ``contacts.0.interval_days``, or a scenario field such as
``desk.agents``) to one of:

``(low, high)``          a float in ``[low, high]``
``(low, high, "int")``   a whole number in ``[low, high]``
``(low, high, "log")``   a float in ``[low, high]`` searched on a log scale (``low > 0``)
``[a, b, c]``            one of these choices (numbers, text, ``true`` / ``false``, ``null``)
``{low: 1, high: 4, scale: int}`` / ``{choices: [a, b]}``  the same in YAML (which has no tuples)
``"simplex"``            only for ``budget.split`` (alias ``budget.pots``): the shares of the
                         budget pots (B1's 70/20/10 is one point of it), always summing to 1

Paths may index lists with a number (``contacts.0.interval_days``: the first contact rule).

**The simplex.** ``k`` pot shares are drawn as normalised exponentials: the sampler proposes
``u_1 .. u_k`` in ``(0, 1]`` and the shares are ``-log(u_i) / sum_j -log(u_j)`` — with uniform
``u`` that is the flat Dirichlet(1, ..., 1) distribution, so random search covers the simplex
evenly, and every proposal is a valid split (shares rounded to 6 decimals, the last one takes
the rounding rest, so they sum to exactly 1 within 1e-12).

Examples
--------
>>> sp = Space.parse({"budget.amount_per_period": (5_000, 50_000), "desk.agents": (1, 4, "int")})
>>> [(d.key, d.side, d.kind) for d in sp.dims]
[('budget.amount_per_period', 'policy', 'float'), ('desk.agents', 'scenario', 'int')]
>>> shares = simplex_shares([0.5, 0.25, 0.125])
>>> round(sum(shares), 12), [round(s, 3) for s in shares]
(1.0, [0.167, 0.333, 0.5])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config.limits import short
from sim.errors import ConfigError

__all__ = ["Dimension", "Space", "simplex_shares", "SIMPLEX_KEYS", "set_path"]

#: Space keys whose value may be ``"simplex"`` (the budget pot shares, syllabus B1 / H9).
SIMPLEX_KEYS = ("budget.split", "budget.pots", "policy.budget.split", "policy.budget.pots")

#: Smallest ``u`` of the simplex parametrisation (``-log(u)`` stays finite).
_U_MIN = 1e-6

_KINDS = ("float", "int", "log")

_ALLOWED = (
    "allowed: (low, high), (low, high, 'int'), (low, high, 'log'), a non-empty list of choices, "
    "or 'simplex' for budget.split"
)


def simplex_shares(u: Sequence[float]) -> list[float]:
    """Shares on the simplex from ``u_i`` in ``(0, 1]``: normalised ``-log(u_i)`` (see the module notes).

    Examples
    --------
    >>> simplex_shares([1.0, 1.0])      # all u = 1: no information, equal shares
    [0.5, 0.5]
    >>> sum(simplex_shares([0.9, 0.01, 0.3, 0.7]))
    1.0
    """
    w = [-math.log(min(1.0, max(_U_MIN, float(x)))) for x in u]
    total = sum(w)
    if total <= 0.0:
        return [round(1.0 / len(w), 6) for _ in w[:-1]] + [round(1.0 - round(1.0 / len(w), 6) * (len(w) - 1), 12)]
    shares = [round(x / total, 6) for x in w[:-1]]
    return shares + [round(1.0 - sum(shares), 12)]


@dataclass(frozen=True)
class Dimension:
    """One lever of the space.

    Attributes
    ----------
    key : str
        The space key as given (``"budget.split"``, ``"desk.agents"``).
    side : {"scenario", "policy", "free"}
        Where it applies (``"free"``: a parameter of a toy objective, see :func:`Space.parse`).
    path : str
        Dotted field path within the scenario or policy.
    kind : {"float", "int", "log", "choice", "simplex"}
    low, high : float, optional
        Bounds of a numeric dimension.
    choices : tuple
        Choices of a ``"choice"`` dimension.
    parts : tuple of str
        Pot names of a ``"simplex"`` dimension.
    """

    key: str
    side: str
    path: str
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    parts: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line: the key and its range."""
        if self.kind == "choice":
            return f"{self.key} in {list(self.choices)}"
        if self.kind == "simplex":
            return f"{self.key}: shares of {list(self.parts)} on the simplex (sum 1)"
        lo, hi = self.low, self.high
        return f"{self.key} in [{lo:g}, {hi:g}]" + ("" if self.kind == "float" else f" ({self.kind})")


def _number(key: str, value: Any, what: str, integer: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and integer:
        ok = isinstance(value, numbers.Integral) or float(value).is_integer()
    if ok:
        ok = math.isfinite(float(value))
    if not ok:
        kind = "a whole number" if integer else "a finite number"
        raise ConfigError(f"space[{key!r}]: {what}={short(value)} is not allowed: give {kind}; {_ALLOWED}")
    return float(value)


def _from_mapping(key: str, value: Mapping[str, Any]) -> Any:
    """The YAML forms ``{low, high[, scale]}`` and ``{choices: [...]}`` (YAML has no tuples)."""
    keys = set(value)
    if keys == {"choices"}:
        choices = value["choices"]
        if not isinstance(choices, list):
            raise ConfigError(f"space[{key!r}].choices = {short(choices)} is not allowed: give a list of choices")
        return choices
    if keys in ({"low", "high"}, {"low", "high", "scale"}):
        scale = value.get("scale", "float")
        if scale not in ("float", *_KINDS):
            raise ConfigError(f"space[{key!r}].scale = {short(scale)} is not allowed: give float, int or log")
        return (value["low"], value["high"]) if scale == "float" else (value["low"], value["high"], scale)
    raise ConfigError(
        f"space[{key!r}] = {short(dict(value))} is not allowed: a mapping needs the keys low, high (and optionally "
        "scale: int | log) or the key choices"
    )


def _dimension(key: str, value: Any, resolve: bool, parts: Sequence[str]) -> Dimension:
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(f"space key {short(key)} is not allowed: give a dotted field path such as 'desk.agents'")
    if resolve:
        from sim.experiments.sweeps import resolve_path

        side, path = resolve_path(key)
    else:
        side, path = "free", key
    if isinstance(value, Mapping):
        value = _from_mapping(key, value)
    if isinstance(value, str):
        if value != "simplex":
            raise ConfigError(f"space[{key!r}] = {short(value)} is not allowed; {_ALLOWED}")
        if key not in SIMPLEX_KEYS:
            raise ConfigError(
                f"space[{key!r}] = 'simplex' is not allowed: 'simplex' searches the budget pot shares and only "
                f"applies to {list(SIMPLEX_KEYS[:2])}"
            )
        return Dimension(key, "policy" if resolve else side, "budget.pots", "simplex", parts=tuple(parts))
    if isinstance(value, tuple) and len(value) in (2, 3):
        kind = "float" if len(value) == 2 else value[2]
        if kind not in _KINDS:
            raise ConfigError(
                f"space[{key!r}]: scale {short(kind)} is not allowed: give 'int' or 'log' (or no third item)"
            )
        low = _number(key, value[0], "low", integer=kind == "int")
        high = _number(key, value[1], "high", integer=kind == "int")
        if not low < high:
            raise ConfigError(f"space[{key!r}] = {short(value)}: low must be below high (give (low, high))")
        if kind == "log" and low <= 0:
            raise ConfigError(f"space[{key!r}] = {short(value)}: a 'log' range needs low > 0")
        return Dimension(key, side, path, kind, low=low, high=high)
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"space[{key!r}] is an empty list: give at least one choice; {_ALLOWED}")
        if any(isinstance(v, (dict, list, tuple, set)) for v in value):
            raise ConfigError(
                f"space[{key!r}] = {short(value)}: choices must be plain values (numbers, text, true/false, null)"
            )
        bad = [v for v in value if isinstance(v, numbers.Real) and not isinstance(v, bool) and not math.isfinite(v)]
        if bad:
            raise ConfigError(f"space[{key!r}]: choice {short(bad[0])} is not allowed: choices must be finite numbers")
        # 1 and 1.0 are one choice; True and 1 are not (a flag is not a number)
        seen = {(isinstance(v, bool), v) if isinstance(v, numbers.Real) else (type(v).__name__, v) for v in value}
        if len(seen) != len(value):
            raise ConfigError(f"space[{key!r}] = {short(value)}: a choice repeats; give each choice once")
        return Dimension(key, side, path, "choice", choices=tuple(value))
    raise ConfigError(f"space[{key!r}] = {short(value)} is not allowed; {_ALLOWED}")


@dataclass(frozen=True)
class Space:
    """A parsed, validated search space (see the module notes for the value forms).

    Examples
    --------
    >>> sp = Space.parse({"offers.vip_gift.satisfaction_boost": (0.0, 1.0), "contacts.0.channel": ["phone", "email"]})
    >>> sp.describe()
    ['offers.vip_gift.satisfaction_boost in [0, 1]', "contacts.0.channel in ['phone', 'email']"]
    """

    dims: tuple[Dimension, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, space: Any, *, resolve: bool = True, pots: Sequence[str] | None = None) -> Space:
        """Validate a space mapping.

        Parameters
        ----------
        space : mapping
            ``{path: range | choices | "simplex"}``; a :class:`Space` is returned unchanged.
        resolve : bool
            Resolve keys as sweep paths (scenario or policy fields). ``False`` keeps them as free
            parameter names (the toy objectives of the tests and the course).
        pots : list of str, optional
            The pots of a ``"simplex"`` dimension (default: every pot of :data:`sim.schema.POTS`).

        Raises
        ------
        ConfigError
            Naming the key, the value and what is allowed.
        """
        if isinstance(space, Space):
            return space
        if not isinstance(space, Mapping) or not space:
            raise ConfigError(
                f"space={short(space)} is not allowed: give a non-empty mapping {{path: (low, high) | [choices] | "
                "'simplex'}}, e.g. {'budget.amount_per_period': (5000, 50000)}"
            )
        if pots is None:
            from sim.schema import POTS

            pots = list(POTS)
        simplex = [k for k in space if k in SIMPLEX_KEYS]
        if len(simplex) > 1:
            raise ConfigError(f"space names the budget pots twice ({simplex}); give one of them")
        dims = tuple(_dimension(k, v, resolve, pots) for k, v in space.items())
        return cls(dims)

    def describe(self) -> list[str]:
        """One line per dimension."""
        return [d.describe() for d in self.dims]

    def param_names(self) -> list[str]:
        """Column names of a trial's parameters (a simplex contributes one column per pot)."""
        out: list[str] = []
        for d in self.dims:
            out += [f"{d.key}.{p}" for p in d.parts] if d.kind == "simplex" else [d.key]
        return out

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Draw one point from an Optuna trial: ``{param name: value}`` (see :meth:`param_names`)."""
        point: dict[str, Any] = {}
        for d in self.dims:
            if d.kind == "float":
                point[d.key] = trial.suggest_float(d.key, d.low, d.high)
            elif d.kind == "log":
                point[d.key] = trial.suggest_float(d.key, d.low, d.high, log=True)
            elif d.kind == "int":
                point[d.key] = trial.suggest_int(d.key, int(d.low), int(d.high))  # type: ignore[arg-type]
            elif d.kind == "choice":
                point[d.key] = trial.suggest_categorical(d.key, list(d.choices))
            else:
                u = [trial.suggest_float(f"{d.key}.{p}~u", _U_MIN, 1.0) for p in d.parts]
                point.update({f"{d.key}.{p}": s for p, s in zip(d.parts, simplex_shares(u))})
        return point

    def changes(self, point: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(scenario changes, policy changes)`` as dotted paths, from a point of :meth:`suggest`."""
        sc: dict[str, Any] = {}
        pol: dict[str, Any] = {}
        for d in self.dims:
            if d.kind == "simplex":
                pol["budget.pots"] = {p: point[f"{d.key}.{p}"] for p in d.parts}
            elif d.side == "scenario":
                sc[d.path] = point[d.key]
            else:
                pol[d.path] = point[d.key]
        return sc, pol


def set_path(data: dict[str, Any], changes: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Set dotted paths in a copy of a nested mapping; a numeric part indexes a list (``contacts.0.offer``).

    Raises
    ------
    ConfigError
        A part that does not exist (naming the path, where it stops and the keys or length there).

    Examples
    --------
    >>> set_path({"contacts": [{"interval_days": 30}]}, {"contacts.0.interval_days": 14}, "policy")
    {'contacts': [{'interval_days': 14}]}
    >>> set_path({"contacts": []}, {"contacts.2.interval_days": 14}, "policy")
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: unknown policy field 'contacts.2.interval_days': contacts has 0 items (index 2 given)
    """
    import copy

    data = copy.deepcopy(data)
    for path, value in changes.items():
        keys = str(path).split(".")
        node: Any = data
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            where = ".".join(keys[:depth]) or "(top level)"
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    raise ConfigError(
                        f"unknown {what} field {short(path)}: {where} has {len(node)} items (index {key} given)"
                    )
                idx: Any = int(key)
            elif isinstance(node, dict):
                if key not in node:
                    raise ConfigError(
                        f"unknown {what} field {short(path)}: {where} has no key {short(key)}; known keys: "
                        f"{short(sorted(node), 200)}"
                    )
                idx = key
            else:
                raise ConfigError(f"unknown {what} field {short(path)}: {where} is a value, not a mapping or a list")
            if last:
                node[idx] = value
            else:
                node = node[idx]
    return data
