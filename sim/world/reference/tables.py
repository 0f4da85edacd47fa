"""The reference world's records as the tables of :mod:`sim.schema`.

The frames are built with the fast engine's :func:`~sim.world.table_frames.typed_frame` (same columns, same
dtypes by construction), SLA flags with :func:`~sim.world.model.target_met`, the ground truth at
the horizon (``true_clv``, ``true_stage``) with :func:`sim.world.truth.horizon_truth` and the
``funnel`` table with :func:`sim.world.table_frames.funnel_table`; only the records differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.schema import ARCHETYPES, CHANNELS, TABLES
from sim.world import model
from sim.world.model import HOURS_PER_DAY
from sim.world.reference.world import World
from sim.world.table_columns import target_flags
from sim.world.table_frames import day_dates, empty_table, funnel_table, typed_frame, uplift_table
from sim.world.truth import HorizonState, horizon_truth

__all__ = ["build_tables"]


def build_tables(w: World, funnel_rng: np.random.Generator | None = None) -> dict[str, pd.DataFrame]:
    """The tables of world ``w`` as of now (``w.env.now``, the horizon after a run).

    ``funnel_rng`` is the run's ``funnel`` stream (the ``funnel`` table is empty without one, e.g.
    for the firm's view during the run).
    """
    now = w.env.now
    sc = w.sc
    start = pd.Timestamp(sc.start_date)
    logs = w.logs

    acquired = [c for c in w.customers if c.acquired]
    s_end = (
        [w.satisfaction(c) if c.alive else c.s_at_churn for c in acquired]
        if w.satisfaction_on
        else [c.s0 for c in acquired]
    )
    pref = np.array([c.pref for c in acquired], dtype=float) if w.baskets is not None and acquired else None
    truth = HorizonState(
        alive=np.array([c.alive for c in acquired], dtype=bool),
        acq_t=np.array([c.acquired_t for c in acquired], dtype=float),
        lam=np.array([c.lam for c in acquired], dtype=float),
        lp=np.array([model.logit(c.p) for c in acquired], dtype=float),
        nu=np.array([c.nu for c in acquired], dtype=float),
        mult=np.array([c.rate_multiplier * c.rate_factor for c in acquired], dtype=float),
        member_drop=np.array([c.member_dropout_shift + c.onboarding_shift for c in acquired], dtype=float),
        s_now=np.array(s_end, dtype=float) if w.satisfaction_on else None,
        value_mult=np.array([c.value_mult for c in acquired], dtype=float),
        pref=pref,
        plan=np.array([c.plan for c in acquired], dtype=np.int64),
        theta=np.array([c.theta for c in acquired], dtype=float),
        next_renewal=np.array([c.next_renewal for c in acquired], dtype=float),
        reactivated_t=np.array([c.reactivated_t for c in acquired], dtype=float),
    )
    true_clv, true_stage = horizon_truth(truth, sc, now)
    plan_names = ["", *sc.subscription.plans]  # index -1 -> ""
    arch_names = [*ARCHETYPES, ""]
    names = list(sc.catalogue.categories)
    top = [names[int(np.argmax(c.pref))] if pref is not None and c.pref else "" for c in acquired]
    customers = typed_frame(
        "customers",
        {
            "customer_id": [c.index + 1 for c in acquired],
            "acquired_t": [c.acquired_t for c in acquired],
            "acquired_date": day_dates(start, [c.acquired_t for c in acquired]),
            "channel": [c.channel for c in acquired],
            "cac": [c.cac for c in acquired],
            "consent": [c.consent for c in acquired],
            "birth_month": [c.birth_month for c in acquired],
            "business": [c.business for c in acquired],
            "plan": [plan_names[c.plan + 1] for c in acquired],
            "true_purchase_rate": [c.lam for c in acquired],
            "true_dropout_prob": [c.p for c in acquired],
            "true_spend_scale": [c.nu for c in acquired],
            "true_satisfaction_start": [c.s0 for c in acquired],
            "true_satisfaction_end": s_end,
            "true_alive": [c.alive for c in acquired],
            "true_churn_t": [c.churn_t for c in acquired],
            "true_churn_reason": [c.churn_reason for c in acquired],
            "true_archetype": [arch_names[c.archetype] for c in acquired],
            "true_top_category": top,
            "true_cancel_prob": [c.theta for c in acquired],
            "true_clv": true_clv,
            "true_stage": true_stage,
            "true_best_channel": [
                CHANNELS[int(np.argmax(c.affinity))] if c.affinity is not None else "" for c in acquired
            ],
            # chapter 09's loyalty responses are not mirrored here (refused at the start): no latent draws
            "true_check_in_rate": np.zeros(len(acquired)),
            "true_redeem_prob": np.zeros(len(acquired)),
        },
    )

    o = logs.orders
    cat_margin = [cat.margin_rate for cat in sc.catalogue.categories.values()]
    margin = model.order_margin([r.amount for r in o], [r.category for r in o], cat_margin, sc.margin_rate)
    orders = typed_frame(
        "orders",
        {
            "order_id": range(1, len(o) + 1),
            "customer_id": [r.customer + 1 for r in o],
            "t": [r.t for r in o],
            "date": day_dates(start, [r.t for r in o]),
            "amount": [r.amount for r in o],
            "is_first": [r.is_first for r in o],
            "discount": [r.discount for r in o],
            "points": [r.points for r in o],
            "campaign": [r.campaign for r in o],
            "category": [names[r.category] if r.category >= 0 else "" for r in o],
            "basket": [r.basket for r in o],
            "margin": margin,
            "true_quality_issue": [r.quality_issue for r in o],
        },
    )

    tk = logs.tickets
    # a chaser is closed when the ticket it chases is answered (it has no SLA of its own)
    first = [tk[t.chaser_of].first_response_t if t.chaser_of >= 0 else t.first_response_t for t in tk]
    resolved = [tk[t.chaser_of].first_response_t if t.chaser_of >= 0 else t.resolved_t for t in tk]
    wait_h = [(f - t.opened_t) * HOURS_PER_DAY for f, t in zip(first, tk)]
    res_h = [(r - t.opened_t) * HOURS_PER_DAY for r, t in zip(resolved, tk)]
    elapsed_h = [(now - t.opened_t) * HOURS_PER_DAY for t in tk]
    fr_met = target_flags(wait_h, [t.first_response_target * HOURS_PER_DAY for t in tk], elapsed_h)
    res_met = target_flags(res_h, [t.resolution_target * HOURS_PER_DAY for t in tk], elapsed_h)
    chasers = [k for k, t in enumerate(tk) if t.chaser_of >= 0]
    if chasers:
        fr_met[chasers] = pd.NA
        res_met[chasers] = pd.NA
    tickets = typed_frame(
        "tickets",
        {
            "ticket_id": range(1, len(tk) + 1),
            "customer_id": [t.customer + 1 for t in tk],
            "order_id": [t.order + 1 if t.order >= 0 else -1 for t in tk],
            "cause": [t.cause for t in tk],
            "severity": [t.severity for t in tk],
            "opened_t": [t.opened_t for t in tk],
            "date": day_dates(start, [t.opened_t for t in tk]),
            "first_response_t": first,
            "resolved_t": resolved,
            "agent": [t.agent for t in tk],
            "wait_h": wait_h,
            "resolution_h": res_h,
            "sla_first_response_met": fr_met,
            "sla_resolution_met": res_met,
            "sla_met": fr_met & res_met,  # Kleene logic: a known breach decides, otherwise NA while open
            "escalated": [t.escalated for t in tk],
            "bot": [t.bot for t in tk],
            "channel": [t.channel for t in tk],
            "chaser_of": [_ticket_id(t.chaser_of) for t in tk],
            "reopened_from": [_ticket_id(t.reopened_from) for t in tk],
            "accepted": [t.accepted for t in tk],
            "department": [t.department for t in tk],
            "handoff_t": [t.handoff_t for t in tk],
            "handle_h": [t.handle_d * HOURS_PER_DAY for t in tk],
        },
    )

    sv = sorted(logs.surveys, key=lambda r: r.t)  # stable: answers at the same time keep their order
    surveys = typed_frame(
        "surveys",
        {
            "survey_id": range(1, len(sv) + 1),
            "customer_id": [r.customer + 1 for r in sv],
            "t": [r.t for r in sv],
            "date": day_dates(start, [r.t for r in sv]),
            "touchpoint": [r.touchpoint for r in sv],
            "instrument": [r.instrument for r in sv],
            "score": [r.score for r in sv],
            "ticket_id": [r.ticket + 1 if r.ticket >= 0 else -1 for r in sv],
            "mode": [r.mode for r in sv],
            "channel": [r.channel for r in sv],
            "comment": [r.comment for r in sv],
            "reason": [r.reason for r in sv],
            "true_satisfaction": [r.true_s for r in sv],
            "true_reason": [r.true_reason for r in sv],
        },
    )

    ev = logs.events
    events = typed_frame(
        "events",
        {
            "customer_id": [r.customer + 1 for r in ev],
            "t": [r.t for r in ev],
            "date": day_dates(start, [r.t for r in ev]),
            "event": [r.event for r in ev],
            "detail": [r.detail for r in ev],
        },
    )

    tr = logs.tiers
    tiers = typed_frame(
        "tiers",
        {
            "customer_id": [r.customer + 1 for r in tr],
            "t": [r.t for r in tr],
            "date": day_dates(start, [r.t for r in tr]),
            "tier": [r.tier for r in tr],
            "score": [r.score for r in tr],
        },
    )

    ct = logs.contacts
    contacts = typed_frame(
        "contacts",
        {
            "contact_id": range(1, len(ct) + 1),
            "customer_id": [r.customer + 1 for r in ct],
            "t": [r.t for r in ct],
            "date": day_dates(start, [r.t for r in ct]),
            "campaign": [r.campaign for r in ct],
            "channel": [r.channel for r in ct],
            "variant": [r.variant for r in ct],
            "cost": [r.cost for r in ct],
            "opened": [r.opened for r in ct],
            "converted": [r.converted for r in ct],
            "consent_ok": [r.consent_ok for r in ct],
            "clicked": [r.clicked for r in ct],
            "send_time": [r.send_time for r in ct],
            "copy": [r.copy for r in ct],
            "image": [r.image for r in ct],
            "true_open_prob": [r.true_open_prob for r in ct],
            "true_convert_prob": [r.true_convert_prob for r in ct],
            "true_best_convert_prob": [r.true_best_convert_prob for r in ct],
        },
    )
    sn = logs.snapshots
    snapshots = (
        typed_frame(
            "snapshots",
            {
                "customer_id": [r.customer + 1 for r in sn],
                "t": [r.t for r in sn],
                "date": day_dates(start, [r.t for r in sn]),
                "true_satisfaction": [r.satisfaction for r in sn],
                "true_alive": [r.alive for r in sn],
            },
        )
        if sn
        else empty_table("snapshots")
    )
    built = {
        "customers": customers,
        "orders": orders,
        "tickets": tickets,
        "surveys": surveys,
        "events": events,
        "tiers": tiers,
        "contacts": contacts,
        "funnel": funnel_table(customers, sc, now, funnel_rng),
        "snapshots": snapshots,
        "uplift": uplift_table(logs, start),  # type: ignore[arg-type]  # the latent uplift truth (empty when off)
    }
    # every table of the schema, in its order (a table this engine does not write is empty)
    return {name: built[name] if name in built else empty_table(name) for name in TABLES}


def _ticket_id(index: int) -> int:
    """A ticket index as the tables' ``ticket_id`` (1-based; -1 stays -1: none)."""
    return index + 1 if index >= 0 else -1
