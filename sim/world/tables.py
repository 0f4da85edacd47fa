"""Turn the world's state and logs into the tidy tables of :mod:`sim.schema` (typed, sorted, dated).

The frame helpers are in :mod:`sim.world.table_frames`, the column builders in :mod:`sim.world.table_columns`.

Examples
--------
>>> import simpy, sim
>>> from sim.world.engine import World
>>> from sim.world.rng import Streams
>>> sc, env = sim.Scenario.load("baseline"), simpy.Environment()
>>> w = World(env, sc, 100, 180.0, Streams(0), 1)
>>> w.start(); env.run(until=180.0)
>>> tables = build_tables(w.customers, w.logs, sc, 180.0)
>>> list(tables) == list(sim.schema.TABLE_NAMES), len(tables["orders"]) == len(w.logs.orders)
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.schema import ARCHETYPES, SEVERITIES
from sim.world.logs import Logs
from sim.world.model import HOURS_PER_DAY, order_margin
from sim.world.state import Customers
from sim.world.table_columns import (
    best_channels,
    contact_levels,
    flags_at,
    loyalty_truth,
    survey_details,
    target_flags,
    ticket_first_response_targets,
    ticket_operations,
    values_at,
)
from sim.world.table_frames import (
    constant_strings,
    day_dates,
    funnel_table,
    snapshot_table,
    typed_frame,
    uplift_table,
)
from sim.world.truth import HorizonState, horizon_truth

__all__ = ["build_tables"]


def build_tables(
    customers: Customers,
    logs: Logs,
    sc: Scenario,
    horizon: float,
    sla_h: Mapping[str, Mapping[str, float]] | None = None,
    funnel_rng: np.random.Generator | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables of a world as of day ``horizon`` (columns and dtypes of :mod:`sim.schema`).

    Parameters
    ----------
    customers : Customers
        The world's customer state (only acquired customers get a row).
    logs : Logs
        The world's logs.
    sc : Scenario
        For the calendar (``start_date``), SLA targets and whether satisfaction is on.
    horizon : float
        The day the tables describe (satisfaction of alive customers is evaluated then).
    sla_h : mapping, optional
        SLA targets in force per severity (``{"P0": {"first_response_h": .., "resolution_h": ..}}``),
        i.e. the scenario's with a policy's ``service.sla_override`` applied; default: the scenario's.
    funnel_rng : numpy.random.Generator, optional
        The run's ``funnel`` stream for the ``funnel`` table (:func:`funnel_table`; empty without one).

    Returns
    -------
    dict of DataFrame
        One per name in :data:`sim.schema.TABLE_NAMES`.
    """
    c = customers
    start = pd.Timestamp(sc.start_date)
    acquired = c.acquired_index()

    # every customer acquired (the usual case at the horizon): acquired is 0..n-1, no fancy-index copy
    full = len(acquired) == len(c)

    def pick(seq: Any, dtype: Any = None) -> np.ndarray:
        arr = np.array(seq, dtype=dtype)  # a fresh array (from a list, or a typed array's buffer)
        return arr if full else arr[acquired]

    acq_t = pick(c.acq_t, float)
    if sc.satisfaction.enabled:  # satisfaction at the horizon (alive) or at churn
        s0 = pick(c.s0, float)
        # model.relaxed_satisfaction, vectorised
        s_now = s0 + (pick(c.s, float) - s0) * np.exp(-c.decay_rate * (horizon - pick(c.st, float)))
        s_end = np.where(pick(c.alive, bool), s_now, pick(c.s_churn, float))
    else:
        s_end = pick(c.s0, float)
    alive = pick(c.alive, bool)
    n_acq = len(acquired)
    pref = pick(c.pref, float) if sc.catalogue.enabled and c.pref is not None else None
    lam, nu, plan = pick(c.lam, float), pick(c.nu, float), pick(c.plan, np.int64)
    truth = HorizonState(
        alive=alive,
        acq_t=acq_t,
        lam=lam,
        lp=pick(c.lp, float),
        nu=nu,
        mult=pick(c.mult, float),  # membership x the archetype's rate factor
        member_drop=pick(c.member_drop, float),
        s_now=s_end if sc.satisfaction.enabled else None,
        value_mult=pick(c.value_mult, float),
        pref=pref,
        plan=plan,
        theta=pick(c.theta, float),
        next_renewal=pick(c.next_renewal, float),
        reactivated_t=pick(c.reactivated_t, float),
    )
    true_clv, true_stage = horizon_truth(truth, sc, horizon)
    del truth  # the arrays only the truth needed (a million customers: 8 MB each)
    archetype = pick(c.archetype, np.int64)
    arch_names = np.array([*ARCHETYPES, ""], dtype=object)  # index -1 -> ""
    plan_names = np.array(["", *sc.subscription.plans], dtype=object)  # index -1 -> ""
    cat_names = np.array(list(sc.catalogue.categories), dtype=object)
    customer_table = typed_frame(
        "customers",
        {
            "customer_id": acquired + 1,
            "acquired_t": acq_t,
            "acquired_date": day_dates(start, acq_t),
            "channel": np.array(c.channel_names, dtype=object)[pick(c.channel, np.int64)],
            "cac": pick(c.cac, float),
            "consent": pick(c.consent, bool),
            "birth_month": pick(c.birth_month, np.int64),
            "business": pick(c.business, bool),
            "plan": plan_names[plan + 1] if sc.subscription.enabled else constant_strings("", n_acq),
            "true_purchase_rate": lam,
            "true_dropout_prob": pick(c.p, float),
            "true_spend_scale": nu,
            "true_satisfaction_start": pick(c.s0, float),
            "true_satisfaction_end": s_end,
            "true_alive": alive,
            "true_churn_t": pick(c.churn_t, float),
            "true_churn_reason": pick(c.churn_reason, object),
            "true_archetype": arch_names[archetype] if sc.archetypes.enabled else constant_strings("", n_acq),
            "true_top_category": cat_names[pref.argmax(axis=1)] if pref is not None else constant_strings("", n_acq),
            "true_cancel_prob": pick(c.theta, float),
            "true_clv": true_clv,
            "true_stage": true_stage,
            "true_best_channel": best_channels(c.affinity, acquired),
            **loyalty_truth(c.loyalty_truth, acquired),
        },
        adopt=True,  # fresh arrays made here: kept without a second copy
    )
    ol = logs.orders
    o_t = np.array(ol.t, dtype=float)
    o_amount = np.array(ol.amount, dtype=float)
    oc = ol.columns()  # the sparse fields, as columns
    o_cat = oc["category"]  # indices, -1: none (and -1 everywhere when the catalogue is off)
    n_o = len(o_t)
    if sc.catalogue.enabled:
        o_category = np.where(o_cat >= 0, cat_names[np.maximum(o_cat, 0)], "").astype(object)
        o_basket: Any = oc["basket"] if oc["basket"] is not None else constant_strings("", n_o)
    else:
        o_category = constant_strings("", n_o)
        o_basket = o_category
    cat_margin = [cat.margin_rate for cat in sc.catalogue.categories.values()]
    o_margin = order_margin(o_amount, o_cat, cat_margin, sc.margin_rate)
    orders = typed_frame(
        "orders",
        {
            "order_id": np.arange(1, n_o + 1),
            "customer_id": np.array(ol.customer, dtype=np.int64) + 1,
            "t": o_t,
            "date": day_dates(start, o_t),
            "amount": o_amount,
            "is_first": oc["is_first"],
            "discount": oc["discount"],
            "points": oc["points"],
            "campaign": oc["campaign"] if oc["campaign"] is not None else constant_strings("", n_o),
            "category": o_category,
            "basket": o_basket,
            "margin": o_margin,
            "true_quality_issue": oc["true_quality_issue"],
        },
        adopt=True,  # fresh arrays made here: kept without a second copy
    )
    tk = logs.tickets
    opened = np.array(tk.opened, dtype=float)
    first = np.array(tk.first_response, dtype=float)
    resolved = np.array(tk.resolved, dtype=float)
    sev = np.array(tk.severity, dtype=np.int64)
    # the targets in force: the scenario's, or a policy's sla_override (what the customers react to)
    targets = sla_h if sla_h is not None else {s: sc.desk.sla[s].model_dump() for s in SEVERITIES}
    fr_target = np.array([targets[s]["first_response_h"] for s in SEVERITIES])[sev] if len(sev) else np.array([])
    ops = ticket_operations(tk, len(opened))
    if sc.desk.channel_first_response_h:  # a ticket's target is the stricter of severity and channel
        fr_target = ticket_first_response_targets(fr_target, ops["channel"], sc.desk.channel_first_response_h)
    chaser = ops["chaser_of"] > 0
    if chaser.any():  # a chaser is closed when the ticket it chases is answered
        orig = ops["chaser_of"][chaser] - 1
        first = first.copy()
        first[chaser] = first[orig]
        resolved = resolved.copy()
        resolved[chaser] = first[orig]
    res_target = np.array([targets[s]["resolution_h"] for s in SEVERITIES])[sev] if len(sev) else np.array([])
    wait_h = (first - opened) * HOURS_PER_DAY
    res_h = (resolved - opened) * HOURS_PER_DAY
    # an unanswered ticket whose target already passed at the horizon has breached it
    horizon_h = (horizon - opened) * HOURS_PER_DAY
    fr_met = target_flags(wait_h, fr_target, horizon_h)
    res_met = target_flags(res_h, res_target, horizon_h)
    both = fr_met & res_met  # Kleene logic: a known breach decides, otherwise NA while open
    if chaser.any():  # chasers are not served: no SLA of their own
        fr_met[chaser] = pd.NA
        res_met[chaser] = pd.NA
        both[chaser] = pd.NA
    cust = np.array(tk.customer, dtype=np.int64)
    tickets = typed_frame(
        "tickets",
        {
            "ticket_id": np.arange(1, len(opened) + 1),
            "customer_id": np.where(cust >= 0, cust + 1, 0),
            "order_id": np.where(np.array(tk.order, dtype=np.int64) >= 0, np.array(tk.order, dtype=np.int64) + 1, -1),
            "cause": np.array(tk.cause, dtype=object),
            "severity": np.array(SEVERITIES, dtype=object)[sev] if len(sev) else np.array([], dtype=object),
            "opened_t": opened,
            "date": day_dates(start, opened),
            "first_response_t": first,
            "resolved_t": resolved,
            "agent": np.array(tk.agent, dtype=np.int64),
            "wait_h": wait_h,
            "resolution_h": res_h,
            "sla_first_response_met": fr_met,
            "sla_resolution_met": res_met,
            "sla_met": both,
            "escalated": np.array(tk.escalated, dtype=bool),
            "bot": np.array(tk.bot, dtype=bool),
            **ops,
        },
    )
    sv = logs.surveys
    sv_t = np.array(sv.t, dtype=float)
    sv_ticket = np.array(sv.ticket, dtype=np.int64)
    surveys = typed_frame(
        "surveys",
        {
            "survey_id": np.arange(1, len(sv_t) + 1),
            "customer_id": np.array(sv.customer, dtype=np.int64) + 1,
            "t": sv_t,
            "date": day_dates(start, sv_t),
            "touchpoint": np.array(sv.touchpoint, dtype=object),
            "instrument": np.array(sv.instrument, dtype=object),
            "score": np.array(sv.score, dtype=np.int64),
            "ticket_id": np.where(sv_ticket >= 0, sv_ticket + 1, -1),
            **survey_details(sv),
        },
        adopt=True,  # fresh arrays made here: kept without a second copy
    )
    # relationship survey answers are appended in bulk: order the table by time
    surveys = surveys.sort_values(["t", "survey_id"], kind="stable").reset_index(drop=True)
    surveys["survey_id"] = np.arange(1, len(surveys) + 1, dtype=np.int64)
    ev = logs.events
    ev_t = np.array(ev.t, dtype=float)
    events = typed_frame(
        "events",
        {
            "customer_id": np.array(ev.customer, dtype=np.int64) + 1,
            "t": ev_t,
            "date": day_dates(start, ev_t),
            "event": np.array(ev.kind, dtype=object),
            "detail": np.array(ev.detail, dtype=object),
        },
        adopt=True,  # fresh arrays made here: kept without a second copy
    )
    ct = logs.contacts
    c_t = np.array(ct.t, dtype=float)
    contacts = typed_frame(
        "contacts",
        {
            "contact_id": np.arange(1, len(c_t) + 1),
            "customer_id": np.array(ct.customer, dtype=np.int64) + 1,
            "t": c_t,
            "date": day_dates(start, c_t),
            "campaign": np.array(ct.campaign, dtype=object),
            "channel": np.array(ct.channel, dtype=object),
            "variant": np.array(ct.variant, dtype=object),
            "cost": np.array(ct.cost, dtype=float),
            "opened": np.array(ct.opened, dtype=bool),
            "converted": np.array(ct.converted, dtype=bool),
            "consent_ok": np.array(ct.consent, dtype=bool),
            "clicked": flags_at(ct.clicked, len(c_t)),
            **contact_levels(ct.levels, len(c_t)),
            "true_open_prob": np.array(ct.true_open_prob, dtype=float),
            "true_convert_prob": np.array(ct.true_convert_prob, dtype=float),
            "true_best_convert_prob": values_at(ct.best, np.array(ct.true_convert_prob, dtype=float)),
        },
    )
    tr = logs.tiers
    tr_t = np.array(tr.t, dtype=float)
    tiers = typed_frame(
        "tiers",
        {
            "customer_id": np.array(tr.customer, dtype=np.int64) + 1,
            "t": tr_t,
            "date": day_dates(start, tr_t),
            "tier": np.array(tr.tier, dtype=object),
            "score": np.array(tr.score, dtype=float),
        },
    )
    customer_table = customer_table.sort_values("customer_id", kind="stable").reset_index(drop=True)
    pl = logs.points
    p_t = np.array(pl.t, dtype=float)
    points = typed_frame(
        "points",
        {
            "customer_id": np.array(pl.customer, dtype=np.int64) + 1,
            "t": p_t,
            "date": day_dates(start, p_t),
            "kind": np.array(pl.kind, dtype=object),
            "points": np.array(pl.points, dtype=float),
            "balance": np.array(pl.balance, dtype=float),
            "order_id": np.where(np.array(pl.order, dtype=np.int64) >= 0, np.array(pl.order, dtype=np.int64) + 1, -1),
        },
    )
    return {
        "customers": customer_table,
        "orders": orders,
        "tickets": tickets,
        "surveys": surveys,
        "events": events,
        "tiers": tiers,
        "points": points,
        "contacts": contacts,
        "funnel": funnel_table(customer_table, sc, horizon, funnel_rng),
        "snapshots": snapshot_table(logs, start),
        "uplift": uplift_table(logs, start),
    }
