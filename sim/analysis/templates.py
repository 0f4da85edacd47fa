"""Message templates with placeholders (C13, TC9): one text, personalised per customer.

A :class:`MessageTemplate` holds a `Jinja2 <https://jinja.palletsprojects.com>`_ template such
as ``"Hi {{ first_name }}, your {{ discount }}% code is {{ code }}"`` and fills it for one
customer (:meth:`MessageTemplate.render`) or for every row of a table
(:meth:`MessageTemplate.render_frame`). :func:`placeholders` lists the fields a text needs.

Safety: templates are rendered in Jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment` with
:class:`~jinja2.StrictUndefined`, no globals (no ``range``, ``lipsum``, ``cycler``, ...), no
autoescaping (messages are plain text: SMS, push, e-mail body; line breaks come out as ``\\n``,
also where the template has ``\\r\\n``), and three extra limits:

- a name or attribute starting with ``_`` (``{{ x.__class__ }}``) is refused when the template
  is created, and the sandbox refuses any other route to Python internals when it is rendered;
- ``*`` and ``**`` are capped (``{{ 'a' * 10**9 }}`` cannot exhaust memory), and so are the
  widths and counts given to ``%`` / ``format`` / ``str.format`` (``'%0999999999d'``), to string
  methods (``'a'.ljust(10**9)``) and to filters (``indent(10**9)``), all loop iterations of one
  rendering together (:data:`MAX_LOOP_ITERATIONS`, nested ``{% for %}`` included), and the
  length of a rendered message (:data:`MAX_MESSAGE_CHARS`); a macro that calls itself without
  end is refused;
- a missing field, or a missing value (None / NaN) in a row, raises :class:`sim.errors.DataError`
  naming the placeholder (and the rows), never a blank in a message sent to a customer.

A malformed or unsafe template raises :class:`sim.errors.ConfigError` naming the problem.

Examples
--------
>>> t = MessageTemplate("Hi {{ name|title }}, {{ pct }}% off until {{ until }}.")
>>> t.placeholders
['name', 'pct', 'until']
>>> t.render(name="li wei", pct=15, until="31 Dec")
'Hi Li Wei, 15% off until 31 Dec.'
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["ann", "bo"], "pct": [10, 20], "until": ["1 Jan", "2 Jan"]})
>>> t.render_frame(df).tolist()
['Hi Ann, 10% off until 1 Jan.', 'Hi Bo, 20% off until 2 Jan.']
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import decimal
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from sim.errors import ConfigError, DataError

__all__ = ["MessageTemplate", "placeholders", "MAX_TEMPLATE_CHARS", "MAX_MESSAGE_CHARS", "MAX_LOOP_ITERATIONS"]

#: Longest template text accepted (characters).
MAX_TEMPLATE_CHARS = 20_000
#: Longest rendered message (characters); longer output is refused.
MAX_MESSAGE_CHARS = 20_000
#: Largest exponent allowed in ``a ** b`` inside a template.
_MAX_POWER = 64


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: Most loop iterations one rendering may run (all ``{% for %}`` loops together, nested ones included).
MAX_LOOP_ITERATIONS = 100_000

#: Iterations run so far in the current rendering (reset by each render).
_ITERATIONS: contextvars.ContextVar[int] = contextvars.ContextVar("template_iterations", default=0)

# a width or precision in a %-format or str.format spec: '%0999d', '%.999f', '{:>999}', '{0:999}'
_PRINTF_WIDTH = re.compile(r"%[#0 +\-]*(\d*)(?:\.(\d+))?")
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}\d]*(\d+)(?:\.(\d+))?")


def _check_width(value: object, what: str) -> None:
    """Refuse a number (a width, a count) that would make a message longer than MAX_MESSAGE_CHARS."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) > MAX_MESSAGE_CHARS:
        raise SecurityError(
            f"{what} {_short(value)} is too large (a message has at most {MAX_MESSAGE_CHARS:,} characters)"
        )


def _check_format_text(fmt: object) -> None:
    """Refuse %-format / str.format specs with a width or precision above MAX_MESSAGE_CHARS."""
    if isinstance(fmt, str):
        for m in (*_PRINTF_WIDTH.finditer(fmt), *_FORMAT_WIDTH.finditer(fmt)):
            for g in m.groups():
                if g and int(g) > MAX_MESSAGE_CHARS:
                    raise SecurityError(f"format width {g[:12]} is too large (at most {MAX_MESSAGE_CHARS:,})")


def _bounded_loop(iterable: Any) -> Any:
    """Every ``{% for %}`` iterates through this: counts the iterations of the whole rendering."""
    for item in iterable:
        n = _ITERATIONS.get() + 1
        if n > MAX_LOOP_ITERATIONS:
            raise SecurityError(f"the template runs more than {MAX_LOOP_ITERATIONS:,} loop iterations")
        _ITERATIONS.set(n)
        yield item


def _check_replace(text: object, old: object, new: object) -> None:
    """Refuse a replacement whose result would be longer than MAX_MESSAGE_CHARS."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        if len(text) + hits * (len(new) - len(old)) > MAX_MESSAGE_CHARS:
            raise SecurityError(f"replace would make a text longer than {MAX_MESSAGE_CHARS:,} characters")


def _guard_filter(name: str, func: Any) -> Any:
    """A built-in filter with its numeric arguments (widths, counts) and format texts capped."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        for a in (*args, *kwargs.values()):
            _check_width(a, f"{name} argument")
        if name == "format" and args:
            _check_format_text(args[0])
        if name == "replace":
            texts = [a for a in args if isinstance(a, str)]
            if len(texts) >= 3:
                _check_replace(*texts[-3:])
        return func(*args, **kwargs)

    for attr in ("jinja_pass_arg",):  # keep pass_context / pass_environment markers
        if hasattr(func, attr):
            setattr(guarded, attr, getattr(func, attr))
    return guarded


class _MessageEnvironment(SandboxedEnvironment):
    """The sandbox plus caps on ``*``, ``**`` and ``%`` (repetition, huge powers, format widths), on
    the numbers given to methods and filters (``'a'.ljust(10**9)``), and on loop iterations."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        for a in (*args, *kwargs.values()):
            _check_width(a, "argument")
        if getattr(__obj, "__name__", "") in ("format", "format_map"):
            _check_format_text(getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None))
        if getattr(__obj, "__name__", "") == "replace" and len(args) >= 2:
            _check_replace(getattr(__obj, "__self__", None), args[0], args[1])
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            _check_format_text(left)
            for a in right if isinstance(right, tuple) else right.values() if isinstance(right, dict) else (right,):
                _check_width(a, "format argument")  # '%*d' % (10**9, 1)
            return left % right
        if operator == "**":
            if isinstance(right, numbers.Real) and abs(float(right)) > _MAX_POWER:
                raise SecurityError(f"exponent {_short(right)} is too large (at most {_MAX_POWER})")
            return left**right
        for seq, k in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(k, numbers.Integral):
                if len(seq) * int(k) > MAX_MESSAGE_CHARS:
                    raise SecurityError(f"repetition of {len(seq)} items x {int(k)} exceeds {MAX_MESSAGE_CHARS:,}")
        return left * right


#: Types a field value may have (and the items of a list, tuple or dict field): plain data only, so a
#: template can never call a method of a rich object (``df.to_csv(...)``) handed in as a field.
_PLAIN = (str, numbers.Number, _dt.date, _dt.time, _dt.timedelta, decimal.Decimal)


def _is_missing(v: object) -> bool:
    """None, NA, NaT or NaN of any float type (numpy float32 and Decimal('NaN') included)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, decimal.Decimal):
        return not v.is_finite()
    # inf is no value to print in a message either ("Hi inf")
    return isinstance(v, numbers.Real) and not isinstance(v, numbers.Integral) and not math.isfinite(float(v))


def _plain_problem(v: object, depth: int = 0) -> str | None:
    """Why ``v`` is not plain data (None if it is)."""
    if isinstance(v, _PLAIN) or isinstance(v, bool):
        return None
    if isinstance(v, (list, tuple)) and depth < 3:
        return next((p for p in (_plain_problem(x, depth + 1) for x in v) if p), None)
    if isinstance(v, dict) and depth < 3:
        bad_key = next((k for k in v if not isinstance(k, str)), None)
        if bad_key is not None:
            return f"a dict with a non-text key {_short(bad_key)}"
        return next((p for p in (_plain_problem(x, depth + 1) for x in v.values()) if p), None)
    return f"{type(v).__name__} {_short(v, 40)}"


def _check_fields(fields: Mapping[str, Any], needed: list[str], rows: list[object] | None) -> None:
    for name in needed:
        if name not in fields:
            continue
        v = fields[name]
        if _is_missing(v):
            raise DataError(
                f"placeholder {name!r} has no value ({_short(v)}); give it a value",
                table="message",
                column=name,
                rows=rows,
            )
        problem = _plain_problem(v)
        if problem is not None:
            raise DataError(
                f"placeholder {name!r} got {problem}; give text, numbers, dates, or lists / dicts of them",
                table="message",
                column=name,
                rows=rows,
            )


def _environment() -> _MessageEnvironment:
    env = _MessageEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.globals.clear()
    env.filters = {name: _guard_filter(name, f) for name, f in env.filters.items()}
    env.filters["bounded_loop"] = _bounded_loop
    return env


def _bound_loops(ast: nodes.Template) -> nodes.Template:
    """Route the iterable of every ``{% for %}`` through :func:`_bounded_loop` (the filter ``bounded_loop``)."""
    for node in ast.find_all(nodes.For):
        node.iter = nodes.Filter(node.iter, "bounded_loop", [], [], None, None, lineno=node.lineno)
    return ast


_ENV = _environment()


def _parse(text: object) -> nodes.Template:
    if not isinstance(text, str):
        raise ConfigError(f"template={_short(text)} is not allowed: give the template as a str")
    if len(text) > MAX_TEMPLATE_CHARS:
        raise ConfigError(
            f"template of {len(text):,} characters is not allowed: at most {MAX_TEMPLATE_CHARS:,} characters"
        )
    try:
        ast = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise ConfigError(f"template is malformed at line {exc.lineno}: {exc.message}") from None
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Const)):
        name = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Name):
            name = node.name
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value if isinstance(node.arg.value, str) else None
        if isinstance(name, str) and name.startswith("_"):
            raise ConfigError(
                f"template refused: it reaches {_short(name)}; names and attributes starting with '_' "
                "(Python internals) are not allowed in a message template"
            )
    for node in ast.find_all(nodes.Filter):
        if node.name == "attr":
            raise ConfigError("template refused: the 'attr' filter is not allowed in a message template")
    return ast


def placeholders(text: str) -> list[str]:
    """The fields a template text needs (its undeclared variables), sorted.

    Parameters
    ----------
    text : str
        A Jinja2 template, e.g. ``"Hi {{ name }}"``.

    Returns
    -------
    list of str
        Names used but not defined inside the template (loop variables and ``{% set %}``
        names are not fields).

    Raises
    ------
    sim.errors.ConfigError
        If the text is not a str, is malformed, or reaches Python internals.

    Examples
    --------
    >>> placeholders("Hi {{ name }}{% if vip %}, {{ code }}{% endif %}")
    ['code', 'name', 'vip']
    >>> placeholders("{% for p in products %}{{ p }} {% endfor %}")
    ['products']
    """
    return sorted(meta.find_undeclared_variables(_parse(text)))


class MessageTemplate:
    """A message text with Jinja2 placeholders, rendered safely per customer.

    Parameters
    ----------
    text : str
        The template, e.g. ``"Hi {{ first_name }}, your code is {{ code }}"``. Filters such as
        ``{{ name|title }}``, ``{{ '%.0f'|format(discount) }}`` and ``{% if vip %}...{% endif %}``
        work; names starting with ``_`` and the ``attr`` filter are refused.

    Attributes
    ----------
    text : str
        The template text.
    placeholders : list of str
        The fields :meth:`render` needs (see :func:`placeholders`).

    Raises
    ------
    sim.errors.ConfigError
        If the text is not a str, longer than :data:`MAX_TEMPLATE_CHARS`, malformed, or
        reaches Python internals.

    Examples
    --------
    >>> MessageTemplate("{% if vip %}Dear{% else %}Hi{% endif %} {{ name }}").render(vip=True, name="Ann")
    'Dear Ann'
    >>> MessageTemplate("Hi {{ name }}").render()
    Traceback (most recent call last):
    ...
    sim.errors.DataError: message: column 'name': placeholder 'name' has no value; give name=... (the template needs: ['name'])
    """

    def __init__(self, text: str) -> None:
        ast = _parse(text)
        self.text: str = text
        self.placeholders: list[str] = sorted(meta.find_undeclared_variables(ast))
        self._template = _ENV.from_string(_bound_loops(ast))

    def __repr__(self) -> str:
        return f"MessageTemplate({_short(self.text)})"

    def _render(self, fields: Mapping[str, Any], row: object | None) -> str:
        rows = [row] if row is not None else None
        _check_fields(fields, self.placeholders, rows)
        token = _ITERATIONS.set(0)
        try:
            out = self._template.render(**fields)
        except UndefinedError as exc:
            missing = [p for p in self.placeholders if p not in fields]
            if missing:
                raise DataError(
                    f"placeholder {missing[0]!r} has no value; give {missing[0]}=... "
                    f"(the template needs: {self.placeholders})",
                    table="message",
                    column=missing[0],
                    rows=rows,
                ) from None
            raise DataError(
                f"the template uses something the fields lack: {exc.message}", table="message", rows=rows
            ) from None
        except SecurityError as exc:
            raise ConfigError(f"template refused by the sandbox: {exc}") from None
        except TemplateError as exc:
            raise DataError(f"the template could not be filled: {exc}", table="message", rows=rows) from None
        except RecursionError:
            raise ConfigError("template refused: it calls itself without end (a recursive macro or loop)") from None
        except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
            raise DataError(
                f"the template could not be filled: {type(exc).__name__}: {_short(str(exc), 80)}",
                table="message",
                rows=rows,
            ) from None
        finally:
            _ITERATIONS.reset(token)
        if len(out) > MAX_MESSAGE_CHARS:
            raise DataError(
                f"the rendered message has {len(out):,} characters; at most {MAX_MESSAGE_CHARS:,} are allowed",
                table="message",
                rows=rows,
            )
        return out

    def render(self, **fields: Any) -> str:
        """Fill the template for one customer.

        Parameters
        ----------
        **fields
            One value per placeholder (extra fields are ignored).

        Returns
        -------
        str
            The message.

        Raises
        ------
        sim.errors.DataError
            If a placeholder has no value or a missing one (None, NaN; names it), a value that is not
            plain data (text, numbers, dates, or lists / dicts of them: a DataFrame or any other object
            whose methods a template could call is refused), or the values cannot fill the template.
        sim.errors.ConfigError
            If the sandbox refuses an operation (Python internals, oversized repetition).

        Examples
        --------
        >>> MessageTemplate("{{ n }} item{{ 's' if n != 1 else '' }} in your cart").render(n=2)
        '2 items in your cart'
        """
        return self._render(fields, None)

    def render_frame(self, df: pd.DataFrame) -> pd.Series:
        """Fill the template once per row of ``df`` (columns are the fields).

        Parameters
        ----------
        df : pandas.DataFrame
            One row per message; needs a column per placeholder.

        Returns
        -------
        pandas.Series
            The messages (str), indexed like ``df``, named ``message``.

        Raises
        ------
        sim.errors.DataError
            If ``df`` is not a DataFrame, lacks a placeholder column (names it), or a row has no
            value (None / NaN) for a placeholder (names the placeholder and the rows).

        Examples
        --------
        >>> import pandas as pd
        >>> t = MessageTemplate("Hi {{ name }}")
        >>> t.render_frame(pd.DataFrame({"name": ["Ann", None]}))
        Traceback (most recent call last):
        ...
        sim.errors.DataError: message: column 'name': placeholder 'name' has no value in 1 row(s); fill or drop them first (rows: 1)
        """
        if not isinstance(df, pd.DataFrame):
            raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table="message")
        if df.columns.has_duplicates:
            dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})[:5]
            raise DataError(f"duplicate column name(s) {dup}; give each field once", table="message")
        missing = [p for p in self.placeholders if p not in df.columns]
        if missing:
            raise DataError(
                f"placeholder {missing[0]!r} has no column; the template needs: {self.placeholders}; "
                f"present: {[str(c) for c in df.columns][:20]}",
                table="message",
                column=missing[0],
            )
        for p in self.placeholders:
            s = df[p]
            na = s.map(_is_missing)
            na = na.to_numpy(dtype=bool)
            if na.any():
                raise DataError(
                    f"placeholder {p!r} has no value in {int(na.sum())} row(s); fill or drop them first",
                    table="message",
                    column=p,
                    rows=df.index[na],
                )
        cols = list(self.placeholders)
        records = df[cols].to_dict("records") if cols else [{} for _ in range(len(df))]
        out = [self._render(rec, label) for rec, label in zip(records, df.index, strict=True)]
        return pd.Series(out, index=df.index, name="message", dtype=object)
