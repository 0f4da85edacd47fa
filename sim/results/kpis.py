"""KPIs of a simulation result, overall and per calendar month.

Definitions live in :data:`sim.schema.KPIS` (rendered into the data dictionary); this
module computes them. KPIs whose name starts with ``true_`` use ground truth.

Examples
--------
>>> import sim
>>> res = sim.run(sim.Scenario.load("baseline"), customers=300, days=120, seed=1)
>>> k = res.kpis()
>>> bool(k["revenue"] > 0) and bool(0 <= k["repeat_rate"] <= 1)
True
>>> res.kpis(by="month").index.name
'month'
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.config.policy_phases import phase_policies, phase_start_day
from sim.config.scenario import Scenario
from sim.schema import SEVERITIES
from sim.world.model import HOURS_PER_DAY, breakage_rate, expected_redemption_share, points_liability
from sim.world.state import REFERRAL_CHANNEL


class RunTables(Protocol):
    """What the KPI functions read from a run (a :class:`sim.Result` provides it)."""

    customers: pd.DataFrame
    orders: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    events: pd.DataFrame
    contacts: pd.DataFrame
    scenario: Scenario
    agents: float
    policy: Any

    @property
    def horizon_days(self) -> float: ...

    @property
    def start_date(self) -> pd.Timestamp: ...

    @property
    def end_date(self) -> pd.Timestamp: ...


__all__ = [
    "overall_kpis",
    "monthly_kpis",
    "ACTIVE_WINDOW_DAYS",
    "SHARE_EVENTS",
    "count_name",
    "WINBACK_WINDOW_DAYS",
    "RESCUE_CAMPAIGNS",
    "saved_contacts",
    "points_kpis",
]

#: A customer counts as (observed) active while their last order is at most this many days old.
ACTIVE_WINDOW_DAYS = 90.0
#: A win-back or churn-risk contact "saved" its customer if they ordered within this many days of it.
WINBACK_WINDOW_DAYS = 90.0
#: The campaigns whose contacts ``cost_per_saved_customer`` counts (the firm's rescue triggers).
RESCUE_CAMPAIGNS: tuple[str, ...] = ("winback", "churn_risk")

#: The share KPIs of :func:`overall_kpis` and what their denominator counts (the events a share
#: is computed from). :func:`overall_kpis` reports each denominator as ``n_<kpi>``
#: (:func:`count_name`), so experiments can pool counts over replications (Wilson intervals) and
#: say when a share rests on too few events. Which KPIs are shares is :func:`sim.schema.kpi_unit`.
SHARE_EVENTS: dict[str, str] = {
    "repeat_rate": "customers acquired",
    "referral_rate": "customers acquired",
    "annual_retention": "year-1 buyers",
    "contact_open_rate": "contacts",
    "contact_click_rate": "opened contacts",
    "winback_rate": "customers sent a win-back contact",
    "complaint_rate": "orders",
    "sla_met_rate": "resolved tickets",
    "reopen_rate": "followed-up tickets",
    "chaser_share": "tickets",
    **{f"sla_met_{s}": f"resolved {s} tickets" for s in SEVERITIES},
    "csat": "CSAT answers",
    "true_retention_1y": "year-1 customers",
}


def count_name(kpi: str) -> str:
    """The name of the entry of :func:`overall_kpis` that counts a share KPI's denominator.

    Examples
    --------
    >>> count_name("sla_met_P0")
    'n_sla_met_P0'
    """
    return f"n_{kpi}"


def _referral_rate(customers: pd.DataFrame) -> float:
    """Referred customers / customers acquired (NaN without customers); observed (the channel)."""
    n = len(customers)
    return float((customers["channel"] == REFERRAL_CHANNEL).sum() / n) if n else float("nan")


def _nps(scores: pd.Series) -> float:
    s = scores.to_numpy()
    if s.size == 0:
        return float("nan")
    return float(100.0 * ((s >= 9).mean() - (s <= 6).mean()))


def _survey_kpis(sv: pd.DataFrame) -> dict[str, float]:
    nps = sv.loc[sv["instrument"] == "nps", "score"]
    csat = sv.loc[sv["instrument"] == "csat", "score"]
    ces = sv.loc[sv["instrument"] == "ces", "score"]
    return {
        "nps": _nps(nps),
        "csat": float((csat >= 4).mean()) if len(csat) else float("nan"),
        "ces": float(ces.mean()) if len(ces) else float("nan"),
    }


def _ticket_kpis(tk: pd.DataFrame, n_orders: int, resolved: pd.DataFrame, answered: pd.DataFrame) -> dict[str, float]:
    cust_tickets = int((tk["customer_id"] > 0).sum())
    decided = resolved["sla_met"].dropna()
    # chasers are not served themselves: they do not count in waiting and resolution times
    answered = answered[answered["chaser_of"].to_numpy() < 0]
    resolved = resolved[resolved["chaser_of"].to_numpy() < 0]
    asked = tk["accepted"].to_numpy()
    n_asked = int((~np.isnan(asked)).sum())
    return {
        "tickets": float(len(tk)),
        "complaint_rate": cust_tickets / n_orders if n_orders else float("nan"),
        "sla_met_rate": float(decided.astype(bool).mean()) if len(decided) else float("nan"),
        "mean_wait_h": float(answered["wait_h"].mean()) if len(answered) else float("nan"),
        "mean_resolution_h": float(resolved["resolution_h"].mean()) if len(resolved) else float("nan"),
        "reopen_rate": float((asked == 0.0).sum() / n_asked) if n_asked else float("nan"),
        "chaser_share": float((tk["chaser_of"].to_numpy() >= 0).sum() / len(tk)) if len(tk) else float("nan"),
    }


def _agent_utilisation(tk: pd.DataFrame, agent_days_per_day: float, days: float) -> float:
    """Busy agent-hours (``handle_h`` of the given tickets) / staffed agent-hours over ``days``."""
    staffed_h = agent_days_per_day * HOURS_PER_DAY * days
    return float(np.nansum(tk["handle_h"].to_numpy()) / staffed_h) if staffed_h > 0 else float("nan")


def _policy_costs(res: RunTables, o: pd.DataFrame, tk: pd.DataFrame, ct: pd.DataFrame) -> tuple[float, float]:
    """(retention cost, extra service cost) of the policy's actions within the given rows."""
    pol = res.policy
    retention = float(ct["cost"].sum()) + float(o["discount"].sum())
    service = 0.0
    if pol is not None:
        # points are priced at the rates of the policy in effect when they were earned / redeemed (phases)
        for lo, seg in _loyalty_segments(res, o):
            if lo.uses_ledger():  # the real cost: points redeemed in these rows' period (chapter 09)
                retention += _redeemed(_ledger(res), seg) * lo.point_value
            elif lo.enabled:
                retention += float(seg["points"].sum()) * lo.point_value * lo.redemption_rate
        service += float(tk["escalated"].sum()) * pol.service.escalation_cost
        service += float(tk["bot"].sum()) * pol.service.bot.cost_per_ticket
    return retention, service


def _loyalty_segments(res: RunTables, o: pd.DataFrame) -> list[tuple[Any, pd.DataFrame]]:
    """``(loyalty programme, its orders)`` for each phase of the policy (one pair without phases)."""
    pol = res.policy
    if not pol.phases:
        return [(pol.loyalty, o)]
    starts = [0.0] + [phase_start_day(ph, res.scenario.start_date) for ph in pol.phases] + [math.inf]
    programmes = [pol.loyalty] + [p.loyalty for p in phase_policies(pol)]
    t = o["t"].to_numpy(dtype=float)
    return [(lo, o[(t >= a) & (t < b)]) for lo, a, b in zip(programmes, starts[:-1], starts[1:])]


def _ledger(res: RunTables) -> pd.DataFrame:
    """The run's points ledger (an empty frame for a result without one)."""
    pts = getattr(res, "points", None)
    return pts if pts is not None else pd.DataFrame({"t": [], "kind": [], "points": [], "customer_id": []})


def _redeemed(points: pd.DataFrame, o: pd.DataFrame) -> float:
    """Points redeemed at the orders ``o`` (the redeem rows of the ledger, matched by ``order_id``)."""
    red = points[points["kind"].to_numpy() == "redeem"]
    if not len(red) or not len(o):
        return 0.0
    return float(-red.loc[red["order_id"].isin(o["order_id"]), "points"].sum())


def points_kpis(
    points: pd.DataFrame, t0: float, t1: float, point_value: float, fallback_share: float
) -> dict[str, float]:
    """The ledger KPIs of the period ``[t0, t1]`` (see :data:`sim.schema.KPIS`): flows in the period,
    liability and breakage at its end.

    Examples
    --------
    >>> led = pd.DataFrame({"customer_id": [1, 1, 2, 1, 2], "t": [1.0, 2.0, 3.0, 5.0, 9.0],
    ...     "kind": ["earn", "check_in", "earn", "redeem", "expire"], "points": [100.0, 10.0, 50.0, -110.0, -50.0],
    ...     "balance": [100.0, 110.0, 50.0, 0.0, 0.0]})
    >>> k = points_kpis(led, 0.0, 10.0, 0.01, 0.6)
    >>> k["points_issued"], k["points_redeemed"], k["points_expired"], k["check_ins"], k["breakage_rate"]
    (160.0, 110.0, 50.0, 1.0, 0.3125)
    """
    t = points["t"].to_numpy(dtype=float)
    kind = points["kind"].to_numpy(dtype=object)
    pts = points["points"].to_numpy(dtype=float)
    upto = t <= t1
    inside = upto & (t >= t0)
    credit = (kind == "earn") | (kind == "check_in") | (kind == "ranking")
    issued_all = float(pts[upto & credit].sum())
    redeemed_all = float(-pts[upto & (kind == "redeem")].sum())
    expired_all = float(-pts[upto & (kind == "expire")].sum())
    outstanding = issued_all - redeemed_all - expired_all
    share = expected_redemption_share(redeemed_all, expired_all, fallback_share)
    return {
        "points_issued": float(pts[inside & credit].sum()),
        "points_redeemed": float(-pts[inside & (kind == "redeem")].sum()) + 0.0,
        "points_expired": float(-pts[inside & (kind == "expire")].sum()) + 0.0,
        "points_liability": points_liability(outstanding, point_value, share),
        "breakage_rate": breakage_rate(issued_all, expired_all, outstanding, share),
        "check_ins": float((inside & (kind == "check_in")).sum()),
    }


def _run_points_kpis(res: RunTables, t0: float, t1: float) -> dict[str, float]:
    pol = res.policy
    lo = pol.loyalty if pol is not None else None
    value = lo.point_value if lo is not None else 0.0
    share = lo.redemption_rate if lo is not None else 0.0
    return points_kpis(_ledger(res), t0, t1, value, share)


def _action_kpis(ct: pd.DataFrame, ev: pd.DataFrame, tk: pd.DataFrame) -> dict[str, float]:
    return {
        "contacts": float(len(ct)),
        "contact_open_rate": float(ct["opened"].mean()) if len(ct) else float("nan"),
        "contact_click_rate": float(ct.loc[ct["opened"].to_numpy(bool), "clicked"].mean())
        if ct["opened"].any()
        else float("nan"),
        "compliance_incidents": float((~ct["consent_ok"]).sum()),
        "opt_outs": float((ev["event"] == "opted_out").sum()),
        "budget_skips": float((ev["event"] == "budget_skip").sum()),
        "escalations": float(tk["escalated"].sum()),
    }


def saved_contacts(contacts: pd.DataFrame, orders: pd.DataFrame, window_days: float = WINBACK_WINDOW_DAYS) -> pd.Series:
    """Per contact, whether its customer ordered within ``window_days`` of it (at or after its time).

    Observed only (``customer_id`` and ``t`` of contacts and orders); an order the contact converted
    into (same time) counts. Windows of contacts near the end of the data are cut there.

    Examples
    --------
    >>> ct = pd.DataFrame({"customer_id": [1, 2, 3], "t": [10.0, 10.0, 10.0]})
    >>> o = pd.DataFrame({"customer_id": [1, 2, 2], "t": [5.0, 10.0, 200.0]})
    >>> saved_contacts(ct, o).tolist()
    [False, True, False]
    """
    if not len(contacts):
        return pd.Series(np.zeros(0, dtype=bool), index=contacts.index)
    left = pd.DataFrame(
        {
            "customer_id": contacts["customer_id"].to_numpy(),
            "t": contacts["t"].to_numpy(dtype=float),
            "row": np.arange(len(contacts)),
        }
    ).sort_values("t", kind="stable")
    right = pd.DataFrame(
        {"customer_id": orders["customer_id"].to_numpy(), "t": orders["t"].to_numpy(dtype=float)}
    ).sort_values("t", kind="stable")
    right["next_t"] = right["t"]
    merged = pd.merge_asof(left, right, on="t", by="customer_id", direction="forward", allow_exact_matches=True)
    gap = (merged["next_t"] - merged["t"]).to_numpy()
    saved = np.zeros(len(contacts), dtype=bool)
    saved[merged["row"].to_numpy()] = gap <= window_days  # NaN (no later order) compares False
    return pd.Series(saved, index=contacts.index)


def _rescue_kpis(ct: pd.DataFrame, orders: pd.DataFrame) -> tuple[dict[str, float], float]:
    """``winback_rate`` and ``cost_per_saved_customer`` of the contacts ``ct`` (orders: all observed
    orders, also after the period), and the win-back rate's denominator."""
    rescue = ct[ct["campaign"].isin(RESCUE_CAMPAIGNS)]
    if not len(rescue):
        return {"winback_rate": float("nan"), "cost_per_saved_customer": float("nan")}, 0.0
    saved = saved_contacts(rescue, orders)
    by_customer = saved.groupby(rescue["customer_id"]).any()
    wb = rescue["campaign"].to_numpy() == "winback"
    wb_customers = saved[wb].groupby(rescue["customer_id"][wb]).any()
    n_saved = int(by_customer.sum())
    return {
        "winback_rate": float(wb_customers.mean()) if len(wb_customers) else float("nan"),
        "cost_per_saved_customer": float(rescue["cost"].sum()) / n_saved if n_saved else float("nan"),
    }, float(len(wb_customers))


def _active_at(orders: pd.DataFrame, t_end: float) -> int:
    t = orders["t"].to_numpy()
    mask = (t <= t_end) & (t > t_end - ACTIVE_WINDOW_DAYS)
    return int(orders.loc[mask, "customer_id"].nunique())


def _alive_at(cust: pd.DataFrame, t_end: float) -> int:
    acq = cust["acquired_t"].to_numpy()
    ct = cust["true_churn_t"].to_numpy()
    return int(((acq <= t_end) & (np.isnan(ct) | (ct > t_end))).sum())


def overall_kpis(res: RunTables) -> pd.Series:
    """Overall KPIs of a run (see :data:`sim.schema.KPIS`), then the denominator of each share.

    The KPIs come first, in the order of the data dictionary; after them, for every share KPI in
    :data:`SHARE_EVENTS`, ``n_<kpi>`` counts the events the share is computed from (e.g.
    ``n_sla_met_P0``: resolved P0 tickets whose SLA was decided), so that
    ``kpi * n_kpi`` is the number of successes. A denominator is NaN where the share is undefined
    by the horizon (``annual_retention`` below 730 days, ``true_retention_1y`` up to 365).

    Examples
    --------
    >>> import sim
    >>> k = sim.run("baseline", customers=300, days=120, seed=1).kpis()
    >>> bool(k["n_repeat_rate"] == k["customers_acquired"])
    True
    """
    sc = res.scenario
    o, c, tk, sv, ct = res.orders, res.customers, res.tickets, res.surveys, res.contacts
    days = res.horizon_days
    n_cust = len(c)
    revenue = float(o["amount"].sum())
    margin = float(o["margin"].sum())  # = revenue x margin_rate when the catalogue is off
    acq_cost = float(c["cac"].sum())
    retention_cost, extra_service = _policy_costs(res, o, tk, ct)
    service_cost = res.agents * sc.desk.cost_per_agent_day * days + extra_service
    counts = o.groupby("customer_id").size()
    out: dict[str, float] = {
        "customers_acquired": float(n_cust),
        "orders": float(len(o)),
        "revenue": revenue,
        "aov": revenue / len(o) if len(o) else float("nan"),
        "gross_margin": margin,
        "acquisition_cost": acq_cost,
        "referral_rate": _referral_rate(c),
        "service_cost": service_cost,
        "retention_cost": retention_cost,
        "profit": margin - acq_cost - service_cost - retention_cost,
        "repeat_rate": float((counts >= 2).sum() / n_cust) if n_cust else float("nan"),
        "orders_per_customer": len(o) / n_cust if n_cust else float("nan"),
        "historical_clv": margin / n_cust if n_cust else float("nan"),
    }
    denominators: dict[str, float] = {
        "repeat_rate": float(n_cust),
        "referral_rate": float(n_cust),
        "complaint_rate": float(len(o)),
    }
    out["ltv_cac"] = out["historical_clv"] / c["cac"].mean() if n_cust and c["cac"].mean() > 0 else float("nan")
    # annual retention: bought in year 1 -> bought again in year 2
    if days >= 730:
        y1 = set(o.loc[o["t"] < 365, "customer_id"])
        y2 = set(o.loc[(o["t"] >= 365) & (o["t"] < 730), "customer_id"])
        out["annual_retention"] = len(y1 & y2) / len(y1) if y1 else float("nan")
        denominators["annual_retention"] = float(len(y1))
    else:
        out["annual_retention"] = float("nan")
        denominators["annual_retention"] = float("nan")  # undefined below 730 days
    resolved = tk[tk["resolved_t"].notna()]
    out.update(_ticket_kpis(tk, len(o), resolved, tk[tk["first_response_t"].notna()]))
    denominators["sla_met_rate"] = float(resolved["sla_met"].notna().sum())
    denominators["reopen_rate"] = float(tk["accepted"].notna().sum())
    denominators["chaser_share"] = float(len(tk))
    out["agent_utilisation"] = _agent_utilisation(tk, res.agents, days)
    for s in SEVERITIES:
        d = tk.loc[tk["severity"] == s, "sla_met"].dropna()
        out[f"sla_met_{s}"] = float(d.astype(bool).mean()) if len(d) else float("nan")
        denominators[f"sla_met_{s}"] = float(len(d))
    out.update(_survey_kpis(sv))
    denominators["csat"] = float((sv["instrument"] == "csat").sum())
    out.update(_action_kpis(ct, res.events, tk))
    denominators["contact_open_rate"] = float(len(ct))
    denominators["contact_click_rate"] = float(ct["opened"].sum())
    rescue, denominators["winback_rate"] = _rescue_kpis(ct, o)
    out.update(rescue)
    out["active_customers"] = float(_active_at(o, days))
    out.update(_run_points_kpis(res, 0.0, days))
    out["true_alive"] = float(_alive_at(c, days))
    out["true_churned"] = float(c["true_churn_t"].notna().sum())
    first_year = c[c["acquired_t"] < min(365.0, days - 365.0)] if days > 365 else c.iloc[0:0]
    if len(first_year):
        ct_ = first_year["true_churn_t"].to_numpy()
        out["true_retention_1y"] = float((np.isnan(ct_) | (ct_ - first_year["acquired_t"].to_numpy() > 365.0)).mean())
    else:
        out["true_retention_1y"] = float("nan")
    denominators["true_retention_1y"] = float(len(first_year)) if days > 365 else float("nan")
    for kpi in SHARE_EVENTS:
        out[count_name(kpi)] = denominators[kpi]
    return pd.Series(out, name="value")


def monthly_kpis(res: RunTables) -> pd.DataFrame:
    """KPIs per calendar month (index ``month``, a monthly period)."""
    sc = res.scenario
    o, c, tk, sv, ct = res.orders, res.customers, res.tickets, res.surveys, res.contacts
    start = res.start_date
    months = pd.period_range(start, res.end_date - pd.Timedelta(microseconds=1), freq="M")
    o_m = o["date"].dt.to_period("M")
    c_m = c["acquired_date"].dt.to_period("M")
    tk_m = tk["date"].dt.to_period("M")
    to_date = lambda t: start + pd.to_timedelta(t, unit="D")
    res_m = to_date(tk["resolved_t"]).dt.to_period("M")
    ans_m = to_date(tk["first_response_t"]).dt.to_period("M")
    sv_m = sv["date"].dt.to_period("M")
    ct_m = ct["date"].dt.to_period("M")
    ev = res.events
    ev_m = ev["date"].dt.to_period("M")
    churn_m = to_date(c["true_churn_t"]).dt.to_period("M")
    first_order_t = c.set_index("customer_id")["acquired_t"]
    rows = []
    for m in months:
        t0 = max(0.0, (m.start_time - start) / pd.Timedelta(days=1))
        t1 = min(res.horizon_days, (m.end_time - start) / pd.Timedelta(days=1))
        om = o[o_m == m]
        buyers = om["customer_id"].unique()
        returning = int((first_order_t.reindex(buyers).to_numpy() < t0).sum()) if len(buyers) else 0
        revenue = float(om["amount"].sum())
        acq = c[c_m == m]
        tkm, ctm = tk[tk_m == m], ct[ct_m == m]
        retention_cost, extra_service = _policy_costs(res, om, tkm, ctm)
        row: dict[str, float] = {
            "customers_acquired": float(len(acq)),
            "orders": float(len(om)),
            "revenue": revenue,
            "aov": revenue / len(om) if len(om) else float("nan"),
            "buyers": float(len(buyers)),
            "repeat_purchase_rate": returning / len(buyers) if len(buyers) else float("nan"),
            "gross_margin": float(om["margin"].sum()),
            "acquisition_cost": float(acq["cac"].sum()),
            "referral_rate": _referral_rate(acq),
            "service_cost": res.agents * sc.desk.cost_per_agent_day * (t1 - t0) + extra_service,
            "retention_cost": retention_cost,
        }
        row["profit"] = row["gross_margin"] - row["acquisition_cost"] - row["service_cost"] - row["retention_cost"]
        row.update(_ticket_kpis(tkm, len(om), tk[res_m == m], tk[ans_m == m]))
        row["agent_utilisation"] = _agent_utilisation(tk[ans_m == m], res.agents, t1 - t0)
        row.update(_survey_kpis(sv[sv_m == m]))
        row.update(_action_kpis(ctm, ev[ev_m == m], tkm))
        row.update(_rescue_kpis(ctm, o)[0])
        row["active_customers"] = float(_active_at(o, t1))
        row.update(_run_points_kpis(res, t0, t1))
        alive_start = _alive_at(c, t0) if t0 > 0 else 0
        churned = int((churn_m == m).sum())
        row["true_alive"] = float(_alive_at(c, t1))
        row["true_churned"] = float(churned)
        denom = alive_start + len(acq)
        row["true_churn_rate"] = churned / denom if denom else float("nan")
        rows.append(row)
    out = pd.DataFrame(rows, index=pd.PeriodIndex(months, name="month"))
    return out
