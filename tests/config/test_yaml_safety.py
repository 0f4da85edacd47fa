"""Configuration files: duplicate keys, alias bombs, deep nesting, huge files and odd bytes are
refused with a short message naming the file and the problem; ``!!python`` tags never run."""

from __future__ import annotations

import time

import pytest

import sim
from sim.config._yaml import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from sim.errors import ConfigError

#: No line of an error message may be longer than this (a value excerpt is ~80 characters) ...
LINE_LIMIT = 400
#: ... and a message lists at most 20 problems (plus a heading and a "... and N more" line).
MAX_LINES = 22


def _load_error(tmp_path, text: str | bytes, kind=sim.Scenario, name: str = "c.yaml") -> str:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as exc:
        kind.load(p)
    assert time.perf_counter() - t0 < 5.0, "refusing a bad file must be quick"
    msg = str(exc.value)
    assert name in msg, msg
    lines = msg.splitlines()
    assert len(lines) <= MAX_LINES and max(len(line) for line in lines) < LINE_LIMIT, msg[:2000]
    return msg


@pytest.mark.parametrize(
    ("text", "key", "lines"),
    [
        ("name: a\nname: b\n", "'name'", (1, 2)),
        ("desk:\n  agents: 2\n  cost_per_agent_day: 5\n  agents: 3\n", "'agents'", (2, 4)),
        ("desk: {agents: 2, agents: 3}\n", "'agents'", (1, 1)),
        ("purchase:\n  r: 0.5\nspend: {p: 2}\npurchase:\n  r: 0.7\n", "'purchase'", (1, 4)),
    ],
)
def test_duplicate_keys_are_refused_naming_the_key_and_both_lines(tmp_path, text, key, lines):
    msg = _load_error(tmp_path, text)
    assert f"duplicate key {key} on lines {lines[0]} and {lines[1]}" in msg


def test_duplicate_consent_flag_in_a_policy_is_refused(tmp_path):
    """The case from the issue: the second ``respect_consent`` silently won."""
    msg = _load_error(tmp_path, "respect_consent: true\nrespect_consent: false\n", kind=sim.Policy)
    assert "'respect_consent' on lines 1 and 2" in msg


def _alias_bomb(levels: int, width: int = 9) -> str:
    lines = ['a0: &a0 ["' + "x" * 20 + '"]']
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]")
    lines.append(f"name: *a{levels - 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("levels", [7, 9, 10, 30])
def test_alias_bombs_are_refused_quickly_with_a_short_message(tmp_path, levels):
    text = _alias_bomb(levels)
    assert len(text) < 2_000  # a small file ...
    assert 9 ** (levels - 1) > MAX_NODES  # ... that expands beyond the limit
    msg = _load_error(tmp_path, text)
    assert f"{MAX_NODES:,}" in msg and "aliases" in msg


def test_an_expansion_under_the_limit_gives_a_short_field_error(tmp_path):
    """6,561 aliased strings (twice) are read, then refused by the ``name`` field in a short message."""
    assert 2 * 9**4 < MAX_NODES
    msg = _load_error(tmp_path, _alias_bomb(5))
    assert "name: value" in msg and "valid string" in msg


def test_small_aliases_still_work(tmp_path):
    p = tmp_path / "anchors.yaml"
    p.write_text("name: &n shop\ndescription: *n\ndesk: &d {agents: 2}\n", encoding="utf-8")
    sc = sim.Scenario.load(p)
    assert (sc.name, sc.description, sc.desk.agents) == ("shop", "shop", 2)


def test_a_recursive_alias_is_refused(tmp_path):
    msg = _load_error(tmp_path, "name: &a [*a]\n")
    assert "recursive alias" in msg


@pytest.mark.timeout(60)
@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_refused(tmp_path, opener):
    depth = 3000
    if opener == "- ":
        text = "name:\n" + "".join("  " * k + "-\n" for k in range(1, 200))
        limit_hit = 200 > MAX_DEPTH
    else:
        closer = "]" if opener == "[" else "}"
        text = "name: " + opener * depth + "1" + closer * depth + "\n"
        limit_hit = True
    assert limit_hit
    msg = _load_error(tmp_path, text)
    assert f"{MAX_DEPTH} levels" in msg


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    msg = _load_error(tmp_path, "name: big\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert "too large" in msg and f"{MAX_FILE_BYTES:,}" in msg


def test_non_utf8_and_non_mapping_and_bad_yaml_are_clear(tmp_path):
    assert "not UTF-8" in _load_error(tmp_path, "name: caf\xe9\n".encode("latin-1"))
    assert "expected a mapping" in _load_error(tmp_path, "- 1\n- 2\n")
    assert "expected a mapping" in _load_error(tmp_path, "")
    assert "not valid YAML" in _load_error(tmp_path, "name: x\n\tdesk: 1\n")


def test_an_integer_of_thousands_of_digits_is_refused_briefly(tmp_path):
    msg = _load_error(tmp_path, "population: {customers: " + "9" * 5000 + "}\n")
    assert "9" * 100 not in msg


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
    ],
)
def test_python_tags_never_execute(tmp_path, tag):
    marker = tmp_path / "executed"
    msg = _load_error(tmp_path, "name: " + tag.format(marker=marker) + "\n")
    assert "not valid YAML" in msg
    assert not marker.exists()


def test_a_huge_value_is_never_echoed_in_full(tmp_path):
    """The error names the field but shows only an excerpt of a megabyte-sized value."""
    msg = _load_error(tmp_path, "name: [" + ", ".join(["'" + "y" * 50 + "'"] * 15_000) + "]\n")
    assert "name" in msg and "y" * 100 not in msg
    msg = _load_error(tmp_path, "desk: {agents: '" + "z" * 900_000 + "'}\n")
    assert "desk.agents" in msg and "z" * 100 not in msg


def test_directories_and_missing_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not a file"):
        sim.Scenario.load(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        sim.Scenario.load(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="scenario=None is not allowed"):
        sim.Scenario.load(None)  # type: ignore[arg-type]
