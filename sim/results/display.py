"""KPIs as a table for people: :func:`kpi_table` (one formatted value per KPI, with its unit).

A bare ``res.kpis()`` in a notebook prints raw floats and a ``dtype: float64`` tail; counts show
as ``4925.0`` and shares as ``0.4912``. :func:`kpi_table` formats each value by the KPI's unit
from the data dictionary (:func:`sim.schema.kpi_unit`) with the one number formatter
(:func:`sim.formatting.format_value`): money with thousands separators, shares as percentages,
counts as integers, dates without a time of day.

Examples
--------
>>> import pandas as pd
>>> kpi_table(pd.Series({"revenue": 1234567.8, "repeat_rate": 0.5432, "orders": 4925.0}))
                value       unit
KPI
revenue     1,234,568        CNY
repeat_rate     54.3%          %
orders          4,925     orders
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sim.errors import ConfigError
from sim.formatting import format_value
from sim.schema import kpi_unit

__all__ = ["kpi_table", "kpi_display_unit"]

#: Prefix of the denominators that :meth:`sim.Result.kpis` adds (``n_repeat_rate`` ...).
_COUNT_PREFIX = "n_"


def kpi_display_unit(kpi: str, currency: str = "CNY") -> str:
    """The unit shown next to a KPI: ``%`` for shares, the currency for money, else the dictionary's unit.

    Denominators (``n_<kpi>``) are counts; a name the data dictionary does not know has no unit.

    Examples
    --------
    >>> kpi_display_unit("sla_met_P0"), kpi_display_unit("profit", "EUR"), kpi_display_unit("n_csat")
    ('%', 'EUR', 'count')
    >>> kpi_display_unit("mean_wait_h"), kpi_display_unit("my_ratio")
    ('hours', '')
    """
    unit = kpi_unit(kpi, currency)
    if unit == "share":
        return "%"
    if not unit and kpi.startswith(_COUNT_PREFIX) and kpi_unit(kpi[len(_COUNT_PREFIX) :], currency):
        return "count"
    return unit


def _format(value: Any, kpi: str, currency: str) -> str:
    unit = kpi_unit(kpi, currency)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M" if (value.hour or value.minute) else "%Y-%m-%d")
    return format_value(value, unit)


def _label(value: Any) -> str:
    """A column or row label for people: dates without a time of day, periods as written."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M" if (value.hour or value.minute) else "%Y-%m-%d")
    return str(value)


def _pick(available: Sequence[str], columns: Sequence[str] | None, what: str) -> list[str]:
    if columns is None:
        return list(available)
    if isinstance(columns, str):
        columns = [columns]
    wanted = [str(c) for c in columns]
    missing = [c for c in wanted if c not in set(available)]
    if missing:
        shown = ", ".join(list(available)[:8]) + (", ..." if len(available) > 8 else "")
        raise ConfigError(f"columns={missing!r} not found among the {what}; available: {shown}"[:300])
    return wanted


def kpi_table(
    kpis: pd.Series | pd.DataFrame | Mapping[str, Any],
    *,
    columns: Sequence[str] | None = None,
    currency: str = "CNY",
) -> pd.DataFrame:
    """KPIs as a tidy table: one row per KPI, its formatted value(s) and its unit.

    Parameters
    ----------
    kpis : Series, dict or DataFrame
        * ``res.kpis()`` (a Series, or a dict ``{kpi: value}``): one ``value`` column;
        * a DataFrame with KPIs as rows and one column per variant (e.g.
          ``pd.DataFrame({"a": res_a.kpis(), "b": res_b.kpis()})``): one column per variant;
        * ``res.kpis(by="month")`` (periods or dates as rows, KPIs as columns): one row per
          period, one column per KPI headed ``kpi (unit)``.
    columns : list of str, optional
        The KPIs to show, in this order (default: all).
    currency : str
        The name of the money unit (the scenario's ``currency``).

    Returns
    -------
    DataFrame
        Text cells, ready to display (index ``KPI``; columns ``value`` or the variants, and ``unit``).

    Raises
    ------
    ConfigError
        A KPI in ``columns`` that ``kpis`` does not hold (naming it and the KPIs available).

    Examples
    --------
    >>> import sim
    >>> res = sim.run(sim.Scenario.load("baseline"), customers=300, days=60, seed=1)
    >>> t = kpi_table(res.kpis(), columns=["customers_acquired", "sla_met_rate", "profit"])
    >>> t.loc["customers_acquired", "value"] == f"{int(res.kpis()['customers_acquired']):,}"
    True
    >>> list(t["unit"])
    ['customers', '%', 'CNY']
    >>> kpi_table(res.kpis(by="month"), columns=["orders"]).index[0]
    '2025-01'
    """
    if isinstance(kpis, Mapping) and not isinstance(kpis, (pd.Series, pd.DataFrame)):
        kpis = pd.Series(dict(kpis), dtype=object)
    if isinstance(kpis, pd.Series):
        names = _pick([str(i) for i in kpis.index], columns, "KPIs")
        values = dict(zip((str(i) for i in kpis.index), kpis.to_numpy()))
        out = pd.DataFrame(
            {
                "value": [_format(values[k], k, currency) for k in names],
                "unit": [kpi_display_unit(k, currency) for k in names],
            },
            index=pd.Index(names, name="KPI"),
        )
        return out
    if not isinstance(kpis, pd.DataFrame):
        raise ConfigError(
            f"kpis={type(kpis).__name__} is not allowed: give res.kpis() (a Series), a dict, or a DataFrame of KPIs"
        )
    if isinstance(kpis.index, (pd.PeriodIndex, pd.DatetimeIndex)):  # res.kpis(by="month")
        names = _pick([str(c) for c in kpis.columns], columns, "KPI columns")
        frame = kpis.set_axis([str(c) for c in kpis.columns], axis=1)
        out = pd.DataFrame(
            {
                (f"{k} ({kpi_display_unit(k, currency)})" if kpi_display_unit(k, currency) else k): [
                    _format(v, k, currency) for v in frame[k].to_numpy()
                ]
                for k in names
            },
            index=pd.Index([_label(i) for i in kpis.index], name=kpis.index.name or "period"),
        )
        return out
    names = _pick([str(i) for i in kpis.index], columns, "KPIs (rows)")
    frame = kpis.set_axis([str(i) for i in kpis.index], axis=0)
    out = pd.DataFrame(
        {_label(col): [_format(frame.at[k, col], k, currency) for k in names] for col in kpis.columns},
        index=pd.Index(names, name="KPI"),
    )
    out["unit"] = [kpi_display_unit(k, currency) for k in names]
    return out
