"""Run one world from a scenario and a seed, and collect its tables."""

from __future__ import annotations

import math
import time
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.dictionary import TABLES
from sim.scenario import SEVERITIES, Scenario
from sim.world.desk import HOURS_PER_DAY
from sim.world.lifecycle import World
from sim.world.rng import Streams

__all__ = ["simulate", "desk_agents"]


def desk_agents(sc: Scenario, customers: int) -> int:
    """Agents on duty for a run with ``customers`` paid customers.

    With ``desk.scale_with_customers`` the scenario's ``desk.agents`` is the staffing for
    ``population.customers`` and is scaled in proportion (at least one agent).

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("baseline")
    >>> desk_agents(sc, sc.population.customers) == sc.desk.agents
    True
    """
    if not sc.desk.scale_with_customers:
        return sc.desk.agents
    return max(1, int(round(sc.desk.agents * customers / sc.population.customers)))


def simulate(
    sc: Scenario,
    *,
    customers: int,
    days: float,
    seed: int,
    progress: bool = False,
    policy: Any = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Simulate and return ``(tables, info)``; used by :func:`sim.run`."""
    t0 = time.perf_counter()
    env = simpy.Environment()
    streams = Streams(seed)
    agents = desk_agents(sc, customers)
    world = World(env, sc, customers, days, streams, agents, policy=policy)
    if policy is not None and not policy.is_noop():
        from sim.world.firm import Firm

        Firm(env, world, policy, streams)
    for ev in sc.market_events:
        env.process(world.market(ev))
    world.start_acquisition()
    if sc.surveys.enabled:
        env.process(world.relationship_surveys())
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("simulating"), BarColumn(), TextColumn("day {task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("sim", total=days)
            steps = 50
            for k in range(1, steps + 1):
                env.run(until=days * k / steps)
                bar.update(task, completed=days * k / steps)
    else:
        env.run(until=days)
    tables = _tables(world, sc, days)
    info = {
        "agents": agents,
        "agent_days_per_day": world.desk.agent_days_per_day,
        "customers": customers,
        "days": days,
        "seed": seed,
        "events_processed": len(world.o_t) + 2 * len(world.tickets) + len(world.ev_t),
        "desk_busy_days": world.desk.busy_time,
        "backlog_at_end": world.desk.backlog,
        "wall_seconds": time.perf_counter() - t0,
    }
    return tables, info


def _dates(start: pd.Timestamp, t: np.ndarray) -> pd.Series:
    return pd.Series(start + pd.to_timedelta(np.asarray(t, dtype=float), unit="D")).astype("datetime64[ns]")


def _typed(table: str, data: dict[str, Any]) -> pd.DataFrame:
    cols = TABLES[table]
    out = {}
    for name, col in cols.items():
        v = data[name]
        if col.dtype == "string":
            out[name] = pd.Series(v, dtype="string")
        elif col.dtype == "boolean":
            out[name] = pd.Series(v, dtype="boolean")
        elif col.dtype.startswith("datetime"):
            out[name] = pd.Series(v).astype("datetime64[ns]")
        else:
            out[name] = pd.Series(np.asarray(v, dtype=col.dtype) if len(v) else np.array([], dtype=col.dtype))
    return pd.DataFrame(out)


def _tables(w: World, sc: Scenario, horizon: float) -> dict[str, pd.DataFrame]:
    start = pd.Timestamp(sc.start_date)
    n_total = len(w.lam)
    acquired = np.r_[np.arange(w.n_acquired_paid), np.arange(w.n_paid, n_total)].astype(np.int64)

    def pick(seq: list, dtype: Any = None) -> np.ndarray:
        return np.asarray(seq, dtype=dtype)[acquired]

    acq_t = pick(w.acq_t, float)
    if sc.satisfaction.enabled:  # satisfaction at the horizon (alive) or at churn
        s0 = pick(w.s0, float)
        s_now = s0 + (pick(w.s, float) - s0) * np.exp(-w.decay * (horizon - pick(w.st, float)))
        s_end = np.where(pick(w.alive, bool), s_now, pick(w.s_churn, float))
    else:
        s_end = pick(w.s0, float)
    customers = _typed(
        "customers",
        {
            "customer_id": acquired + 1,
            "acquired_t": acq_t,
            "acquired_date": _dates(start, acq_t),
            "channel": np.asarray(w.channel_names, dtype=object)[pick(w.channel, np.int64)],
            "cac": pick(w.cac, float),
            "consent": pick(w.consent, bool),
            "birth_month": pick(w.birth_month, np.int64),
            "true_purchase_rate": pick(w.lam, float),
            "true_dropout_prob": pick(w.p, float),
            "true_spend_scale": pick(w.nu, float),
            "true_satisfaction_start": pick(w.s0, float),
            "true_satisfaction_end": s_end,
            "true_alive": pick(w.alive, bool),
            "true_churn_t": pick(w.churn_t, float),
            "true_churn_reason": pick(w.churn_reason, object),
        },
    )
    o_t = np.asarray(w.o_t, dtype=float)
    rest, n_o = w.o_rest, len(w.o_rest)  # per-order tuples -> columns (itemgetter maps: no zip(*) unpacking)
    o_first = np.fromiter(map(itemgetter(0), rest), dtype=bool, count=n_o)
    o_issue = np.fromiter(map(itemgetter(1), rest), dtype=bool, count=n_o)
    o_discount = np.fromiter(map(itemgetter(2), rest), dtype=float, count=n_o)
    o_points = np.fromiter(map(itemgetter(3), rest), dtype=float, count=n_o)
    o_campaign = list(map(itemgetter(4), rest))
    orders = _typed(
        "orders",
        {
            "order_id": np.arange(1, len(o_t) + 1),
            "customer_id": np.asarray(w.o_cust, dtype=np.int64) + 1,
            "t": o_t,
            "date": _dates(start, o_t),
            "amount": np.asarray(w.o_amount, dtype=float),
            "is_first": np.asarray(o_first, dtype=bool),
            "discount": np.asarray(o_discount, dtype=float),
            "points": np.asarray(o_points, dtype=float),
            "campaign": o_campaign,
            "true_quality_issue": np.asarray(o_issue, dtype=bool),
        },
    )
    tk = w.tickets
    opened = np.asarray(tk.opened, dtype=float)
    first = np.asarray(tk.first_response, dtype=float)
    resolved = np.asarray(tk.resolved, dtype=float)
    sev = np.asarray(tk.severity, dtype=np.int64)
    fr_target = np.array([sc.desk.sla[s].first_response_h for s in SEVERITIES])[sev] if len(sev) else np.array([])
    res_target = np.array([sc.desk.sla[s].resolution_h for s in SEVERITIES])[sev] if len(sev) else np.array([])
    wait_h = (first - opened) * HOURS_PER_DAY
    res_h = (resolved - opened) * HOURS_PER_DAY
    # an unanswered ticket whose target already passed at the horizon has breached it
    horizon_h = (horizon - opened) * HOURS_PER_DAY
    fr_met = _sla(wait_h, fr_target, horizon_h)
    res_met = _sla(res_h, res_target, horizon_h)
    both = fr_met & res_met  # Kleene logic: a known breach decides, otherwise NA while open
    cust = np.asarray(tk.customer, dtype=np.int64)
    tickets = _typed(
        "tickets",
        {
            "ticket_id": np.arange(1, len(opened) + 1),
            "customer_id": np.where(cust >= 0, cust + 1, 0),
            "order_id": np.where(np.asarray(tk.order, dtype=np.int64) >= 0, np.asarray(tk.order, dtype=np.int64) + 1, -1),
            "cause": np.asarray(tk.cause, dtype=object),
            "severity": np.asarray(SEVERITIES, dtype=object)[sev] if len(sev) else np.array([], dtype=object),
            "opened_t": opened,
            "date": _dates(start, opened),
            "first_response_t": first,
            "resolved_t": resolved,
            "agent": np.asarray(tk.agent, dtype=np.int64),
            "wait_h": wait_h,
            "resolution_h": res_h,
            "sla_first_response_met": fr_met,
            "sla_resolution_met": res_met,
            "sla_met": both,
            "escalated": np.asarray(tk.escalated, dtype=bool),
            "bot": np.asarray(tk.bot, dtype=bool),
        },
    )
    sv_t = np.asarray(w.sv_t, dtype=float)
    sv_ticket = np.asarray(w.sv_ticket, dtype=np.int64)
    surveys = _typed(
        "surveys",
        {
            "survey_id": np.arange(1, len(sv_t) + 1),
            "customer_id": np.asarray(w.sv_cust, dtype=np.int64) + 1,
            "t": sv_t,
            "date": _dates(start, sv_t),
            "touchpoint": np.asarray(w.sv_touch, dtype=object),
            "instrument": np.asarray(w.sv_instr, dtype=object),
            "score": np.asarray(w.sv_score, dtype=np.int64),
            "ticket_id": np.where(sv_ticket >= 0, sv_ticket + 1, -1),
        },
    )
    # relationship survey answers are appended in bulk: order the table by time
    surveys = surveys.sort_values(["t", "survey_id"], kind="stable").reset_index(drop=True)
    surveys["survey_id"] = np.arange(1, len(surveys) + 1, dtype=np.int64)
    ev_t = np.asarray(w.ev_t, dtype=float)
    events = _typed(
        "events",
        {
            "customer_id": np.asarray(w.ev_cust, dtype=np.int64) + 1,
            "t": ev_t,
            "date": _dates(start, ev_t),
            "event": np.asarray(w.ev_kind, dtype=object),
            "detail": np.asarray(w.ev_detail, dtype=object),
        },
    )
    c_t = np.asarray(w.c_t, dtype=float)
    contacts = _typed(
        "contacts",
        {
            "contact_id": np.arange(1, len(c_t) + 1),
            "customer_id": np.asarray(w.c_cust, dtype=np.int64) + 1,
            "t": c_t,
            "date": _dates(start, c_t),
            "campaign": np.asarray(w.c_campaign, dtype=object),
            "channel": np.asarray(w.c_channel, dtype=object),
            "variant": np.asarray(w.c_variant, dtype=object),
            "cost": np.asarray(w.c_cost, dtype=float),
            "opened": np.asarray(w.c_opened, dtype=bool),
            "converted": np.asarray(w.c_converted, dtype=bool),
            "consent_ok": np.asarray(w.c_consent, dtype=bool),
        },
    )
    tr_t = np.asarray(w.tr_t, dtype=float)
    tiers = _typed(
        "tiers",
        {
            "customer_id": np.asarray(w.tr_cust, dtype=np.int64) + 1,
            "t": tr_t,
            "date": _dates(start, tr_t),
            "tier": np.asarray(w.tr_tier, dtype=object),
            "score": np.asarray(w.tr_score, dtype=float),
        },
    )
    customers = customers.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return {
        "customers": customers,
        "orders": orders,
        "tickets": tickets,
        "surveys": surveys,
        "events": events,
        "tiers": tiers,
        "contacts": contacts,
    }


def _sla(actual_h: np.ndarray, target_h: np.ndarray, elapsed_h: np.ndarray) -> pd.arrays.BooleanArray:
    """True/False where decided; NA where the ticket is still open and the target not yet passed."""
    out = []
    for a, tgt, el in zip(actual_h.tolist(), target_h.tolist(), elapsed_h.tolist()):
        if not math.isnan(a):
            out.append(a <= tgt)
        elif el > tgt:
            out.append(False)
        else:
            out.append(pd.NA)
    return pd.array(out, dtype="boolean")
