"""Turn the world's logs into the seven tidy tables of :mod:`sim.schema` (typed, sorted, dated)."""

from __future__ import annotations

import math
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.schema import SEVERITIES, TABLES
from sim.world.desk import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.world.lifecycle import World

__all__ = ["build_tables"]


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


def build_tables(w: World, sc: Scenario, horizon: float) -> dict[str, pd.DataFrame]:
    """The seven tables of the world ``w`` as of day ``horizon`` (columns of :mod:`sim.schema`)."""
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
