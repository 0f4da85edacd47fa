"""Reading configuration YAML safely: bounded size, no duplicate keys, no alias bombs.

``yaml.safe_load`` alone keeps the last of two duplicate keys without a word, expands a
kilobyte of nested aliases into gigabytes, and recurses until Python gives up on deep nesting.
:func:`read_config_yaml` refuses each of these with a :class:`~sim.errors.ConfigError` that
names the file, the key or the limit, and never shows more than a short excerpt of a value.

Examples
--------
>>> parse_config_yaml("a: 1\\nb: [2, 3]\\n", "demo.yaml")
{'a': 1, 'b': [2, 3]}
>>> parse_config_yaml("a: 1\\na: 2\\n", "demo.yaml")
Traceback (most recent call last):
...
sim.errors.ConfigError: demo.yaml: duplicate key 'a' on lines 1 and 2; give each key once
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.config.limits import clip, short
from sim.errors import ConfigError

__all__ = ["read_config_yaml", "parse_config_yaml", "MAX_FILE_BYTES", "MAX_NODES", "MAX_DEPTH"]

#: A configuration file larger than this (bytes) is refused; presets are about 4 KB.
MAX_FILE_BYTES = 1_000_000
#: Nodes (mappings, lists, scalars) a document may hold once aliases are expanded.
MAX_NODES = 100_000
#: Nesting depth of mappings and lists (the deepest real configuration nests 5 levels).
MAX_DEPTH = 50


class _ConfigLoader(yaml.SafeLoader):
    """A safe loader whose mappings refuse duplicate keys (naming the key and both lines)."""

    source = "config"
    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise ConfigError(f"{self.source}: nested more than {MAX_DEPTH} levels deep (line {line})")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # complex keys are refused by the base class; merge keys may repeat
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(
                    f"{self.source}: duplicate key {short(key)} on lines {seen[key]} and {line}; give each key once"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _check_size(root: Node, source: str) -> None:
    """Refuse a document whose alias-expanded size exceeds :data:`MAX_NODES` or nests too deeply.

    The expanded size is counted over the node graph with memoisation (an alias is a shared
    node), so a billion-node bomb is measured in as many steps as it has distinct nodes; a
    recursive alias (a node containing itself) is refused too.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = min(1 + sum(size[id(k)] for k in kids), MAX_NODES + 1)
            if size[key] > MAX_NODES:
                raise ConfigError(
                    f"{source}: the document expands to more than {MAX_NODES:,} values "
                    "(aliases repeat their anchor's content); write the values out or use fewer aliases"
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise ConfigError(f"{source}: a YAML alias refers to a node that contains it (recursive alias)")
        if depth > MAX_DEPTH:
            line = node.start_mark.line + 1
            raise ConfigError(f"{source}: nested more than {MAX_DEPTH} levels deep (line {line})")
        on_path.add(key)
        stack.append((node, depth, True))
        for kid in _children(node):
            if id(kid) not in size:
                stack.append((kid, depth + 1, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def parse_config_yaml(text: str, source: str) -> Any:
    """Parse one YAML document of configuration, refusing duplicates, alias bombs and deep nesting.

    Parameters
    ----------
    text : str
        The YAML text.
    source : str
        How errors name the document (a file name).

    Returns
    -------
    object
        The parsed document (a mapping for a valid configuration).

    Examples
    --------
    >>> parse_config_yaml("x: &v [1, 2]\\ny: *v\\n", "demo.yaml")
    {'x': [1, 2], 'y': [1, 2]}
    """
    try:
        loader = _ConfigLoader(text)  # the reader refuses control characters (NUL, ...) here
        loader.source = source
        try:
            root = loader.get_single_node()
            if root is None:
                return None
            _check_size(root, source)
            return loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {clip(str(exc))}") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply to read (limit {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{source}: a value cannot be read: {clip(str(exc), 200)}") from None


def read_config_yaml(path: Path, what: str) -> Any:
    """Read a configuration file (at most :data:`MAX_FILE_BYTES`, UTF-8) with :func:`parse_config_yaml`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = p.write_text("name: demo\\n")
    >>> read_config_yaml(p, "scenario")
    {'name': 'demo'}
    """
    label = f"{what} file {path.name}"
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ConfigError(f"{label}: {short(str(path))} is not a file")
        if size > MAX_FILE_BYTES:
            raise ConfigError(
                f"{label}: {size:,} bytes is too large for a configuration file (at most {MAX_FILE_BYTES:,})"
            )
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ConfigError(f"{label}: too large for a configuration file (at most {MAX_FILE_BYTES:,} bytes)")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot be read: {short(exc.strerror or str(exc))}") from None
    return parse_config_yaml(text, label)
