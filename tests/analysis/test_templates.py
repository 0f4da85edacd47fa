"""Message templates (C13): placeholders, rendering per row, refusals (sandbox, missing values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.templates import MAX_MESSAGE_CHARS, MessageTemplate, placeholders
from sim.errors import ConfigError, DataError


def test_placeholders_lists_fields_not_loop_or_set_names():
    text = "{% set greet = 'Hi' %}{{ greet }} {{ name }}{% for p in products %} {{ p }}{% endfor %}{{ code|upper }}"
    assert placeholders(text) == ["code", "name", "products"]
    assert placeholders("no fields here") == []


def test_render_fills_and_filters():
    t = MessageTemplate("Hi {{ name|title }}: {{ '%.0f'|format(pct) }}% off{% if vip %} (VIP){% endif %}")
    assert t.render(name="mei lin", pct=14.6, vip=True) == "Hi Mei Lin: 15% off (VIP)"
    assert t.render(name="bo", pct=5, vip=False, extra="ignored") == "Hi Bo: 5% off"


def test_render_frame_matches_row_by_row_render_and_keeps_index():
    df = pd.DataFrame(
        {"name": ["Ann", "Bo", "Cy"], "pct": np.array([10, 20, 30], dtype=np.int64), "x": [1, 2, 3]},
        index=[7, 3, 9],
    )
    t = MessageTemplate("{{ name }} gets {{ pct }}%")
    out = t.render_frame(df)
    assert list(out.index) == [7, 3, 9]
    assert out.tolist() == [t.render(name=n, pct=p) for n, p in zip(df["name"], df["pct"], strict=True)]
    assert out.tolist()[1] == "Bo gets 20%"
    assert out.name == "message"


def test_render_frame_without_placeholders_repeats_text():
    out = MessageTemplate("Thank you!").render_frame(pd.DataFrame({"a": [1, 2]}))
    assert out.tolist() == ["Thank you!", "Thank you!"]


def test_missing_field_names_placeholder():
    t = MessageTemplate("Hi {{ name }}, code {{ code }}")
    with pytest.raises(DataError, match="'code'"):
        t.render(name="Ann")
    with pytest.raises(DataError, match="'code' has no column"):
        t.render_frame(pd.DataFrame({"name": ["Ann"]}))


@pytest.mark.parametrize("blank", [None, np.nan, pd.NA])
def test_missing_value_in_row_names_placeholder_and_row(blank):
    t = MessageTemplate("Hi {{ name }}")
    df = pd.DataFrame({"name": ["Ann", blank, "Cy"]}, index=[10, 11, 12], dtype=object)
    with pytest.raises(DataError) as exc:
        t.render_frame(df)
    assert "'name'" in str(exc.value) and "11" in str(exc.value) and "10" not in str(exc.value).split("rows:")[1]


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__ }}",
        "{{ name.__class__.__mro__[1].__subclasses__() }}",
        "{{ name['__class__'] }}",
        "{{ __builtins__ }}",
        "{{ name|attr('__class__') }}",
        "{{ name|attr(x) }}",
    ],
)
def test_python_internals_refused_at_creation(text):
    with pytest.raises(ConfigError, match="refused"):
        MessageTemplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "{{ name.mro }}",  # a str has no mro: undefined attribute is an error, not a blank
        "{{ cycler.__name__ if false else lipsum() }}",
    ],
)
def test_no_globals_no_blank_attributes(text):
    try:
        t = MessageTemplate(text)
    except ConfigError:
        return
    with pytest.raises((DataError, ConfigError)):
        t.render(name="x")


def test_sandbox_refuses_route_through_a_field_value():
    # str.format cannot reach attributes behind the sandbox's back
    t = MessageTemplate("{{ '{0.__class__}'.format(s) }}")
    with pytest.raises(ConfigError, match="sandbox"):
        t.render(s="x")
    # an object with methods is not a field value at all
    with pytest.raises(DataError, match="'obj' got"):
        MessageTemplate("{{ obj.secret }}").render(obj=type("Sneaky", (), {"secret": "s3cr3t"})())
    # the methods of plain values remain usable
    assert MessageTemplate("{{ s.upper() }} {{ s|length }}").render(s="abc") == "ABC 3"


def test_resource_limits():
    with pytest.raises(ConfigError, match="sandbox"):
        MessageTemplate("{{ 'a' * 1000000000 }}").render()
    with pytest.raises(ConfigError, match="sandbox"):
        MessageTemplate("{{ 10 ** 100000 }}").render()
    with pytest.raises(DataError, match="characters"):
        MessageTemplate("{{ x }}{{ x }}").render(x="a" * MAX_MESSAGE_CHARS)
    assert MessageTemplate("{{ 'ab' * 3 }}").render() == "ababab"


@pytest.mark.parametrize("bad", [None, 3, b"Hi {{ x }}", ["Hi"], "x" * 30_000])
def test_bad_template_text(bad):
    with pytest.raises(ConfigError):
        MessageTemplate(bad)


@pytest.mark.parametrize("bad", ["Hi {{ name", "{% if x %}open", "{{ a b }}", "{% endfor %}"])
def test_malformed_template_names_problem(bad):
    with pytest.raises(ConfigError, match="malformed"):
        MessageTemplate(bad)
    with pytest.raises(ConfigError, match="malformed"):
        placeholders(bad)


@pytest.mark.parametrize("bad", [None, [{"name": "a"}], {"name": ["a"]}, pd.Series(["a"], name="name")])
def test_render_frame_refuses_non_frames(bad):
    with pytest.raises(DataError, match="DataFrame"):
        MessageTemplate("Hi {{ name }}").render_frame(bad)


def test_duplicate_columns_refused():
    df = pd.DataFrame([["a", "b"]], columns=["name", "name"])
    with pytest.raises(DataError, match="duplicate"):
        MessageTemplate("Hi {{ name }}").render_frame(df)


def test_bad_value_type_is_data_error():
    with pytest.raises(DataError, match="could not be filled"):
        MessageTemplate("{{ '%d'|format(n) }}").render(n="seven")


def test_no_autoescape_plain_text():
    assert MessageTemplate("{{ s }}").render(s="<b>&") == "<b>&"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    text=st.text(alphabet=st.characters(blacklist_characters="{}%#", blacklist_categories=("Cs",)), max_size=60),
    value=st.one_of(
        st.text(max_size=30), st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)
    ),
)
def test_property_plain_text_is_kept_and_a_field_is_its_str(text, value):
    kept = text.replace("\r\n", "\n").replace("\r", "\n")  # line breaks come out as \n (documented)
    assert MessageTemplate(text).render() == kept
    assert placeholders(text) == []
    assert MessageTemplate(text + "{{ v }}").render(v=value) == kept + str(value)


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA])
def test_render_refuses_missing_values(value):
    with pytest.raises(DataError, match="'name' has no value"):
        MessageTemplate("Hi {{ name }}").render(name=value)


def test_rich_objects_are_refused_as_fields(tmp_path):
    target = tmp_path / "leak.csv"
    t = MessageTemplate("{{ df.to_csv(path) }}")
    with pytest.raises(DataError, match="'df' got DataFrame"):
        t.render(df=pd.DataFrame({"a": [1]}), path=str(target))
    assert not target.exists()
    with pytest.raises(DataError, match="'items' got"):
        MessageTemplate("{% for i in items %}{{ i }}{% endfor %}").render(items=[1, object()])
    # plain data, lists and dicts of it are fine
    out = MessageTemplate("{{ d.a }} {{ l|join(',') }} {{ when }}").render(
        d={"a": 1.5}, l=["x", "y"], when=pd.Timestamp("2026-12-24")
    )
    assert out == "1.5 x,y 2026-12-24 00:00:00"
