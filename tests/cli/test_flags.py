"""One flag, one meaning: walk the whole `retention-lab` command tree (issue 11, "The command line")."""

from __future__ import annotations

import types
import typing
from collections import defaultdict

import typer
from typer.testing import CliRunner

from sim.cli import app
from sim.cli._options import FLAGS


def _commands(cmd, path=()):
    """(path, command) for every leaf command under ``cmd``."""
    subs = getattr(cmd, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, cmd


TREE = list(_commands(typer.main.get_command(app)))


def _base_type(p) -> str:
    """The value type of an option (``int | None`` -> int, ``list[str]`` -> str: repeating is allowed)."""
    t = p.type_descriptor.annotation
    args = [a for a in typing.get_args(t) if a is not type(None)]
    if typing.get_origin(t) in (list, typing.Union, types.UnionType) and len(args) == 1:
        t = args[0]
    return getattr(t, "__name__", repr(t))


def _options(cmd):
    return [p for p in cmd.params if p.param_type_name == "option"]


def test_the_tree_has_every_command():
    names = {" ".join(p) for p, _ in TREE}
    assert {"run", "compare", "sweep", "scenarios", "policies", "dictionary", "datasets build"} <= names
    assert {"teach build-exercises", "teach strip", "teach toc"} <= names


def test_each_flag_has_one_meaning_everywhere():
    """Every short and long flag: the same parameter, type, help and visibility in every command."""
    meanings = defaultdict(set)
    where = defaultdict(list)
    for path, cmd in TREE:
        for p in _options(cmd):
            meaning = (p.name, _base_type(p), p.help, p.hidden, p.is_flag)
            for flag in (*p.opts, *p.secondary_opts):
                meanings[flag].add(meaning)
                where[flag].append(" ".join(path))
    assert len(meanings) > 15
    clashes = {f: (m, where[f]) for f, m in meanings.items() if len(m) > 1}
    assert not clashes, clashes
    # no two different parameters share a short flag (e.g. -n for customers and for replications)
    by_short = defaultdict(set)
    for flag, m in meanings.items():
        if not flag.startswith("--"):
            by_short[flag] |= {name for name, *_ in m}
    assert all(len(names) == 1 for names in by_short.values()), dict(by_short)


def test_every_option_comes_from_the_registry():
    """A new option must be added to sim.cli._options.FLAGS, so it cannot drift from its twins."""
    for path, cmd in TREE:
        for p in _options(cmd):
            if p.name == "help":
                continue
            assert p.name in FLAGS or p.name == "fmt", (path, p.name)
            key = "format" if p.name == "fmt" else p.name
            decls = FLAGS[key].decls
            declared = {d for decl in decls for d in decl.split("/")}
            assert set(p.opts) | set(p.secondary_opts) == declared, (path, p.name)


def test_customers_and_replications_never_share_a_flag():
    seen = {}
    for _path, cmd in TREE:
        for p in _options(cmd):
            if p.name in ("customers", "replications", "legacy_n"):
                seen.setdefault(p.name, set()).update(p.opts)
    assert seen["customers"] == {"--customers", "-c"}
    assert seen["replications"] == {"--replications", "-r"}
    assert seen["legacy_n"] == {"-n"}  # hidden, an alias of --replications only


def test_run_dash_n_is_refused_with_a_hint_not_read_as_customers():
    r = CliRunner().invoke(app, ["run", "-n", "4"])
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "-n" in lines[0] and "--customers/-c" in lines[0], r.stderr
    assert "Traceback" not in r.output


def test_usage_errors_are_one_line_with_status_2():
    for argv in (["run", "--customers", "abc"], ["run", "--format", "xml"], ["compare", "--days"], ["nope"]):
        r = CliRunner().invoke(app, argv)
        assert r.exit_code == 2, (argv, r.output)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, r.stderr)
        assert r.stdout == "", (argv, r.stdout)
