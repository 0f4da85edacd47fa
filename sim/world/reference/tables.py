"""The reference world's records as the seven tables of :mod:`sim.schema`.

The frames are built with the fast engine's :func:`~sim.world.tables.typed_frame` (same columns, same
dtypes by construction) and SLA flags with :func:`~sim.world.model.target_met`; only the records differ.
"""

from __future__ import annotations

import pandas as pd

from sim.world.model import HOURS_PER_DAY
from sim.world.reference.world import World
from sim.world.tables import day_dates, target_flags, typed_frame

__all__ = ["build_tables"]


def build_tables(w: World) -> dict[str, pd.DataFrame]:
    """The seven tables of world ``w`` as of now (``w.env.now``, the horizon after a run)."""
    now = w.env.now
    start = pd.Timestamp(w.sc.start_date)
    logs = w.logs

    acquired = [c for c in w.customers if c.acquired]
    s_end = (
        [w.satisfaction(c) if c.alive else c.s_at_churn for c in acquired]
        if w.satisfaction_on
        else [c.s0 for c in acquired]
    )
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
            "true_purchase_rate": [c.lam for c in acquired],
            "true_dropout_prob": [c.p for c in acquired],
            "true_spend_scale": [c.nu for c in acquired],
            "true_satisfaction_start": [c.s0 for c in acquired],
            "true_satisfaction_end": s_end,
            "true_alive": [c.alive for c in acquired],
            "true_churn_t": [c.churn_t for c in acquired],
            "true_churn_reason": [c.churn_reason for c in acquired],
        },
    )

    o = logs.orders
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
            "true_quality_issue": [r.quality_issue for r in o],
        },
    )

    tk = logs.tickets
    wait_h = [(t.first_response_t - t.opened_t) * HOURS_PER_DAY for t in tk]
    res_h = [(t.resolved_t - t.opened_t) * HOURS_PER_DAY for t in tk]
    elapsed_h = [(now - t.opened_t) * HOURS_PER_DAY for t in tk]
    fr_met = target_flags(wait_h, [t.first_response_target * HOURS_PER_DAY for t in tk], elapsed_h)
    res_met = target_flags(res_h, [t.resolution_target * HOURS_PER_DAY for t in tk], elapsed_h)
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
            "first_response_t": [t.first_response_t for t in tk],
            "resolved_t": [t.resolved_t for t in tk],
            "agent": [t.agent for t in tk],
            "wait_h": wait_h,
            "resolution_h": res_h,
            "sla_first_response_met": fr_met,
            "sla_resolution_met": res_met,
            "sla_met": fr_met & res_met,  # Kleene logic: a known breach decides, otherwise NA while open
            "escalated": [t.escalated for t in tk],
            "bot": [t.bot for t in tk],
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
        },
    )
    return {
        "customers": customers,
        "orders": orders,
        "tickets": tickets,
        "surveys": surveys,
        "events": events,
        "tiers": tiers,
        "contacts": contacts,
    }
