"""Team submissions of a policy tournament: one policy YAML per team, read safely, never executed.

``TEAMS/`` holds one entry per team, the team's name being the entry's name: a file
``<team>.yaml`` (or ``.yml``), or a folder ``<team>/`` holding one ``policy.yaml`` (or
``policy.yml``; other files in the folder are ignored, so a team may add notes). Names are
letters, digits, space and ``_ . + -``, at most 64 characters; names that differ only in case are
duplicates. Hidden entries (``.name``) and ``README*`` files are skipped. **No code is ever
executed**: a file is read with the safe YAML loader of the scenario and policy files
(:func:`sim.config._yaml.read_config_yaml`: bounded size, no duplicate keys, no alias bombs, no
``!!python`` tags) and validated as a :class:`~sim.Policy`. A submission that fails — not YAML,
not UTF-8 (a binary file), empty, larger than :data:`MAX_POLICY_BYTES`, an unknown field or a
bad value, a symbolic link, a folder without ``policy.yaml``, another file type, a duplicate team
name — comes back with its one-line reason instead of a policy.

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.yaml").write_text("name: a\\n")
>>> _ = (d / "b.yaml").write_text("name: [unclosed\\n")
>>> [(s.team, s.error is None) for s in read_submissions(d)]
[('a', True), ('b', False)]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sim.config._base import validate_model
from sim.config._yaml import read_config_yaml
from sim.config.limits import clip, short
from sim.config.policy import Policy
from sim.errors import ConfigError, RetentionLabError

__all__ = ["Submission", "read_submissions", "one_line", "MAX_POLICY_BYTES", "MAX_TEAMS", "MAX_TEAM_NAME"]

#: A submitted policy file larger than this (bytes) is refused (the presets are about 4 KB).
MAX_POLICY_BYTES = 256_000
#: Submissions (teams) a tournament takes.
MAX_TEAMS = 500
#: Longest team name.
MAX_TEAM_NAME = 64

_TEAM_NAME = re.compile(r"^\w[\w .+-]*$")
_POLICY_FILES = ("policy.yaml", "policy.yml")
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Submission:
    """One team's entry in ``TEAMS/``: its name, the file, and the policy or the reason it is invalid."""

    team: str
    file: str
    policy: Policy | None = None
    error: str | None = None


def one_line(exc: BaseException | str, limit: int = 400) -> str:
    return clip(" ".join(str(exc).split()), limit)


def _load_policy(path: Path, label: str) -> Policy:
    """A submitted policy, read with the safe loader and validated (a ConfigError otherwise)."""
    if path.is_symlink():
        raise ConfigError(f"{label} is a symbolic link: submit the policy file itself")
    if not path.is_file():
        raise ConfigError(f"{label} is not a regular file: submit a policy YAML file")
    size = path.stat().st_size
    if size > MAX_POLICY_BYTES:
        raise ConfigError(f"{label}: {size:,} bytes is too large for a policy file (at most {MAX_POLICY_BYTES:,})")
    if size == 0:
        raise ConfigError(f"{label} is empty: write a policy (copy a preset, see `retention-lab policies`)")
    data = read_config_yaml(path, "policy")
    if data is None:
        raise ConfigError(f"{label} holds no policy (only comments or blank lines): write the policy fields")
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: expected a mapping of policy fields, got a {type(data).__name__} {short(data)}")
    return validate_model(Policy, data, what=f"policy {label}")


def _team_error(name: str) -> str | None:
    if len(name) > MAX_TEAM_NAME:
        return f"team name {short(name, 40)} is longer than {MAX_TEAM_NAME} characters"
    if not _TEAM_NAME.match(name):
        return (
            f"team name {short(name, 40)} is not allowed: use letters, digits, space and _ . + - "
            "(starting with a letter or digit)"
        )
    return None


def _entry(entry: os.DirEntry[str]) -> Submission | None:
    """The submission an entry of ``TEAMS/`` makes (``None``: skipped)."""
    name = entry.name
    path = Path(entry.path)
    if name.startswith(".") or (name.upper().startswith("README") and not entry.is_dir(follow_symlinks=False)):
        return None
    is_dir = entry.is_dir(follow_symlinks=False)
    team = name if is_dir else Path(name).stem or name
    bad_name = _team_error(team)
    if bad_name:
        return Submission(clip(team, MAX_TEAM_NAME), clip(name, 120), error=bad_name)
    try:
        if entry.is_symlink():
            raise ConfigError(f"{name} is a symbolic link: submit the policy file itself")
        if is_dir:
            found = [f for f in _POLICY_FILES if (path / f).exists() or (path / f).is_symlink()]
            if not found:
                raise ConfigError(f"folder {name}/ has no policy.yaml: put the team's policy in {name}/policy.yaml")
            if len(found) > 1:
                raise ConfigError(f"folder {name}/ has both policy.yaml and policy.yml: keep one")
            rel = f"{name}/{found[0]}"
            return Submission(team, rel, policy=_load_policy(path / found[0], rel))
        if Path(name).suffix.lower() not in _YAML_SUFFIXES:
            kind = "file" if entry.is_file(follow_symlinks=False) else "special file"
            raise ConfigError(
                f"{name} is a {kind}, not a policy: submit policy YAML only, as {team}.yaml or {team}/policy.yaml"
            )
        return Submission(team, name, policy=_load_policy(path, name))
    except (RetentionLabError, OSError, ValueError, RecursionError) as exc:
        return Submission(team, name, error=one_line(exc))


def read_submissions(teams_dir: str | Path) -> list[Submission]:
    """Every team's submission in ``teams_dir`` (see the module notes), sorted by team name.

    Never raises for a bad submission (it comes back with ``error`` set); raises
    :class:`~sim.errors.ConfigError` when ``teams_dir`` is not a readable folder, holds no
    submission, or more than :data:`MAX_TEAMS`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.yaml").write_text("name: a\\n")
    >>> _ = (d / "b.yaml").write_text("name: [unclosed\\n")
    >>> [(s.team, s.error is None) for s in read_submissions(d)]
    [('a', True), ('b', False)]
    """
    d = Path(teams_dir)
    try:
        if not d.is_dir():
            what = "does not exist" if not d.exists() else "is not a folder"
            raise ConfigError(
                f"teams folder {short(str(d))} {what}: give a folder with one <team>.yaml (or <team>/policy.yaml) per team"
            )
        subs: list[Submission] = []
        with os.scandir(d) as it:
            for entry in it:
                sub = _entry(entry)
                if sub is None:
                    continue
                subs.append(sub)
                if len(subs) > MAX_TEAMS:
                    raise ConfigError(f"teams folder {short(str(d))} holds more than {MAX_TEAMS} submissions")
    except OSError as exc:
        raise ConfigError(f"teams folder {short(str(d))} cannot be read: {exc.strerror or exc}") from None
    if not subs:
        raise ConfigError(
            f"teams folder {short(str(d))} holds no submission: put one <team>.yaml (or <team>/policy.yaml) per team"
        )
    by_key: dict[str, list[int]] = {}
    for i, s in enumerate(subs):
        by_key.setdefault(s.team.casefold(), []).append(i)
    for idx in by_key.values():
        if len(idx) > 1:
            files = [subs[i].file for i in idx]
            for i in idx:
                others = ", ".join(f for f in files if f != subs[i].file)
                subs[i] = Submission(
                    subs[i].team, subs[i].file, error=f"duplicate team name: also submitted as {others}"
                )
    return sorted(subs, key=lambda s: (s.team.casefold(), s.file))
