"""One number formatter for people: the CLI, the HTML reports and the notebooks use it.

Rules, by the KPI's unit (units come from :mod:`sim.schema`):

* shares print as percentages with one decimal (``45.7%``); a *difference* of shares
  (``signed=True``) prints in percentage points (``+1.2 pp``);
* money prints with thousands separators and no decimals (``1,234,568``);
* whole numbers (counts) and anything of magnitude 1,000 or more print with thousands separators;
* values from 100 to 1,000 keep one decimal (``150.5``), smaller ones three significant digits;
* a missing value (``None``, NaN) prints as an em dash.

Examples
--------
>>> format_value(0.4567, "share"), format_value(1234567.8, "CNY"), format_value(0.012, "share", signed=True)
('45.7%', '1,234,568', '+1.2 pp')
>>> format_value(150.5, "hours"), format_value(2.0, "customers"), format_value(0.01234, "ratio")
('150.5', '2', '0.0123')
>>> format_kpi("revenue", 98765.4, currency="CNY"), format_kpi("mean_wait_h", 150.5)
('98,765 CNY', '150.5 hours')
"""

from __future__ import annotations

import math
from typing import Any

from sim.schema import kpi_unit

__all__ = [
    "format_value",
    "format_ci",
    "format_kpi",
    "format_relative",
    "format_p",
    "few_events_note",
    "CURRENCY_UNITS",
]

#: Units that are money (the generic ``currency`` and the ISO codes the scenarios use).
CURRENCY_UNITS = frozenset({"currency", "CNY", "EUR", "USD", "GBP", "JPY"})


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, unit: str = "", *, signed: bool = False) -> str:
    """Format a value (or a difference, ``signed=True``) by its unit; see the module rules.

    Parameters
    ----------
    value : number
        The value; non-numbers are returned as ``str(value)``.
    unit : str
        The unit (``share``, ``currency``, ``CNY``, ``hours``, ...).
    signed : bool
        Format as a difference: a leading ``+`` and, for shares, percentage points.

    Examples
    --------
    >>> format_value(float("nan"), "hours"), format_value(-3.14159, "hours", signed=True)
    ('—', '-3.14')
    """
    if _missing(value):
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * v:{sign}.1f} pp" if signed else f"{v:.1%}"
    if unit in CURRENCY_UNITS or abs(v) >= 1000 or v.is_integer():
        return f"{v:{sign},.0f}"
    if abs(v) >= 100:
        return f"{v:{sign}.1f}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    return f"{v:{sign}.{digits}f}"


def format_ci(lo: Any, hi: Any, unit: str = "", *, signed: bool = False) -> str:
    """A confidence interval ``[lo, hi]`` in the same format as its values.

    Examples
    --------
    >>> format_ci(0.1, 0.2, "share"), format_ci(float("nan"), 1.0)
    ('[10.0%, 20.0%]', '—')
    """
    if _missing(lo) or _missing(hi):
        return "—"
    return f"[{format_value(lo, unit, signed=signed)}, {format_value(hi, unit, signed=signed)}]"


def format_kpi(kpi: str, value: Any, *, currency: str = "currency", signed: bool = False) -> str:
    """A KPI value with its unit from the data dictionary (shares carry their ``%``).

    Examples
    --------
    >>> format_kpi("sla_met_P1", 0.873), format_kpi("nps", 12.0)
    ('87.3%', '12 points (-100..100)')
    """
    unit = kpi_unit(kpi, currency)
    text = format_value(value, unit, signed=signed)
    if text == "—" or unit in ("", "share"):
        return text
    return f"{text} {unit}"


def format_relative(rel: Any, suppressed: bool = False) -> str:
    """A relative difference as a signed percentage, or "—" when missing or ``suppressed``.

    Suppressed: the base it is relative to is small against its own confidence interval, so
    the ratio is noise (see :mod:`sim.experiments.stats`).

    Examples
    --------
    >>> format_relative(0.1234), format_relative(-3.77, suppressed=True), format_relative(None)
    ('+12.3%', '—', '—')
    """
    if suppressed or _missing(rel):
        return "—"
    return f"{float(rel):+.1%}"


def format_p(p: Any) -> str:
    """A p-value with three decimals, ``<0.001`` below that, "—" when missing.

    Examples
    --------
    >>> format_p(0.04321), format_p(1e-7), format_p(float("nan"))
    ('0.043', '<0.001', '—')
    """
    if _missing(p):
        return "—"
    return f"{float(p):.3f}" if float(p) >= 0.001 else "<0.001"


def few_events_note(kpi: str, events: Any, noun: str, *, needed: int = 30, replications: int | None = None) -> str:
    """Say that a share rests on too few events, and how many are needed.

    Parameters
    ----------
    kpi : str
        The share KPI.
    events : number
        Events the share was computed from (pooled over replications).
    noun : str
        What the events are (``"resolved P0 tickets"``).
    needed : int
        Events needed for a reliable share.
    replications : int, optional
        Replications run; then the note also says about how many would give ``needed`` events
        at the same run size.

    Examples
    --------
    >>> few_events_note("sla_met_P0", 9, "resolved P0 tickets", replications=4)
    'sla_met_P0: n=9 resolved P0 tickets; ≥30 needed for a reliable share — run more customers/replications (about 14 replications at this size)'
    """
    n = 0 if _missing(events) else int(round(float(events)))
    text = f"{kpi}: n={n:,} {noun}; ≥{needed:,} needed for a reliable share — run more customers/replications"
    if replications and n > 0:
        text += f" (about {math.ceil(needed * replications / n):,} replications at this size)"
    return text
