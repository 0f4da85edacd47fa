"""Shared by the A/B-test modules: the allowed ``alternative`` values and their check.

Every difference is **B minus A** (A = control, B = variant); ``alternative="larger"`` means
"B is larger than A", ``"smaller"`` the reverse, ``"two-sided"`` either. :func:`_check_alternative`
raises :class:`sim.errors.ConfigError` for anything else.
"""

from __future__ import annotations

from typing import Literal

from sim.errors import ConfigError

__all__ = ["Alternative"]

Alternative = Literal["two-sided", "larger", "smaller"]
_ALTERNATIVES = ("two-sided", "larger", "smaller")


def _check_alternative(alternative: str) -> None:
    if alternative not in _ALTERNATIVES:
        raise ConfigError(f"alternative={alternative!r} is not allowed; allowed: {list(_ALTERNATIVES)}")
