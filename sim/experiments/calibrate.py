"""``sim.calibrate``: fit a Scenario's generative core to a user's own order log (and tickets, surveys).

The order log fixes the buy-till-you-die core of the world (the purchase process, BG/NBD or
MBG/NBD; the spend process, Gamma-Gamma), the number of customers, the day-0 share and the
horizon; a ticket table adds complaint rates, the severity and cause mixes and handling times;
survey answers add the satisfaction level (through the survey answer model). Everything else —
what the data cannot tell — keeps the base scenario's value (``baseline`` by default) and is
listed in the report's ``not_identified`` with the reason. The estimators live in
:mod:`sim.experiments.calibrate_fit`, the input checks in :mod:`sim.experiments.calibrate_inputs`,
the result types in :mod:`sim.experiments.calibrate_report`.

Effective parameters: in a world with mechanisms on (satisfaction moving rates and dropout,
churn after tickets) the fitted BG/NBD parameters absorb those effects (baseline, 5,000
customers: r = 0.42, alpha = 48 days against the scenario's 0.6 and 60). The calibrated
scenario keeps the mechanisms at the base values and sets ``satisfaction.reference`` to the
fitted satisfaction level, so the effects are not counted twice on average; re-simulating it
reproduces the original's orders per customer, repeat rate, AOV, revenue, complaint rate and
active customers (``tests/experiments/test_calibrate.py``).

Units: the world's time unit is the day, so the log is summarised in (fractional) days and
BG/NBD's ``alpha`` is in days; a log handed over in weeks would give ``alpha`` in weeks — the
round-trip tests show that such a mix-up is caught.

Examples
--------
>>> import sim
>>> res = sim.run("btyd_only", customers=400, days=365, seed=3)
>>> sc = sim.calibrate(res.observed().orders, base="btyd_only")
>>> sc.calibration.model in ("bgnbd", "mbgnbd"), sc.population.customers, sc.horizon_days
(True, 400, 365.0)
>>> "calibration" in sc.to_yaml()   # the report is not part of the scenario
False
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis._validate import check_choice, check_confidence
from sim.analysis.clv import summary_data
from sim.config import Scenario
from sim.errors import DataError
from sim.experiments.calibrate_fit import (
    _MODELS,
    Estimate,
    fit_acquisition,
    fit_complaints,
    fit_purchase,
    fit_satisfaction,
    fit_service_times,
    fit_spend,
    within_limits,
)
from sim.experiments.calibrate_inputs import OrderLog, check_orders, check_surveys, check_tickets
from sim.experiments.calibrate_report import ESTIMATE_COLUMNS, CalibratedScenario, CalibrationReport

__all__ = ["calibrate", "CalibratedScenario", "CalibrationReport"]

#: What an order log, tickets and surveys can never tell, with the reason.
_NEVER = {
    "desk.agents": "the number of agents is the firm's choice, not in the tickets (queueing could bound it; not fitted)",
    "desk.sla": "SLA targets are the firm's policy, not a property of the customers",
    "satisfaction.effects": "how experiences move satisfaction needs satisfaction readings before and after each "
    "experience per customer (a panel); the order log does not have them",
    "satisfaction.rate_elasticity / dropout_shift": "the links from satisfaction to buying and dropout are already "
    "inside the fitted purchase parameters (effective values); they are not separable",
    "complaints.quality_issue_prob": "only quality_issue_prob x complaint_prob_issue (product tickets per order) is observed",
    "complaints.churn_prob_after_breach / after_met": "churn after a ticket is not observed (dropout is latent)",
    "churn.reason_mix": "churn reasons are latent (an exit survey would be needed)",
    "population.channels": "acquisition channels and their CAC are not in an order log",
    "population.consent_rate": "marketing consent is not in an order log",
    "surveys (rates, noise, bias)": "response rates and answer noise need the invitations, not only the answers",
    "contact responses": "contact and offer responses need a contact log with outcomes (see chapter 08)",
}


def calibrate(
    orders: pd.DataFrame,
    tickets: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    *,
    start_date: object = None,
    model: str = "auto",
    confidence: float = 0.95,
    base: Scenario | str | Path = "baseline",
) -> CalibratedScenario:
    """Fit a scenario to an order log (and optionally tickets and survey answers).

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order: ``customer_id``, ``date`` (or ``t``, days since ``start_date``),
        ``amount`` (>= 0); ``order_id`` (unique) and ``margin`` are used when present. Like
        the bundled ``orders.csv`` files and ``Result.observed().orders``.
    tickets : pandas.DataFrame, optional
        ``severity`` (P0-P3) and ``date`` (or ``opened_t``); ``cause``, ``order_id``,
        ``handle_h`` (or ``resolution_h`` and ``wait_h``), ``bot``, ``chaser_of``,
        ``reopened_from`` are used when present.
    surveys : pandas.DataFrame, optional
        ``instrument`` and ``score``; the NPS answers (``instrument == "nps"``) are used.
    start_date : date-like, optional
        Day 0 of the world (default: the day of the first order). With ``t`` instead of
        ``date`` the default is 2025-01-01.
    model : {"auto", "bgnbd", "mbgnbd"}
        Purchase model; ``"auto"`` fits both and keeps the one with the smaller AIC (the
        report says which and why).
    confidence : float
        Level of the reported intervals.
    base : Scenario, preset name or YAML path
        Where the fields the data cannot tell come from (default ``"baseline"``).

    Returns
    -------
    CalibratedScenario
        A :class:`sim.Scenario` (``start_date``, ``horizon_days``, ``population``, ``purchase``,
        ``spend``, and with tickets / surveys ``complaints``, ``desk.service_time``,
        ``satisfaction`` fitted; ``population.referral`` off, since referred customers are
        already among the log's customers) whose ``.calibration`` is the
        :class:`CalibrationReport`.

    Raises
    ------
    DataError
        Bad input (the table, column and rows are named) or too little data: fewer than 2
        repeat buyers, a history shorter than two days.
    ConfigError
        An unknown ``model`` or a ``confidence`` outside (0, 1).

    Examples
    --------
    >>> from sim.datasets import load_retail
    >>> d = load_retail()
    >>> sc = calibrate(d.orders, d.tickets, d.surveys)
    >>> sc.calibration.estimates.columns.tolist()
    ['parameter', 'scenario_field', 'estimate', 'ci_low', 'ci_high', 'identified', 'note']
    >>> "desk.agents" in sc.calibration.not_identified
    True
    """
    t0 = time.perf_counter()
    check_choice(model, "model", _MODELS)
    check_confidence(confidence)
    base_sc = base if isinstance(base, Scenario) else Scenario.load(base)
    log = check_orders(orders, start_date=start_date)
    tk = check_tickets(tickets, log) if tickets is not None else None
    sv = check_surveys(surveys, log) if surveys is not None else None

    o = log.orders
    summ = summary_data(o[["customer_id", "date", "amount"]], cutoff=log.end, time_unit="D", discrete=False)
    fitter, chosen, why, rows = fit_purchase(summ, model, confidence)
    ggf, spend_rows = fit_spend(summ, confidence)
    rows += spend_rows
    rows = within_limits(rows)
    first = o.groupby("customer_id")["date"].min()
    first_t = ((first - log.start) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    acq_rows, _ = fit_acquisition(first_t, log.horizon_days, confidence)
    rows += acq_rows
    rows.append(
        Estimate("horizon_days", "horizon_days", log.horizon_days, note="start_date to the end of the last order's day")
    )
    if "margin" in o.columns and o["amount"].sum() > 0:
        rate = float(o["margin"].sum() / o["amount"].sum())
        if not 0.0 <= rate <= 1.0:
            raise DataError(
                f"total margin / total amount = {rate:.4g}; a gross margin rate must be between 0 and 1 (margin is "
                "the gross profit of the order, in the currency of amount, at most the amount)",
                table="orders",
                column="margin",
            )
        rows.append(Estimate("margin_rate", "margin_rate", rate, note="total margin / total amount"))
    not_identified = dict(_NEVER)
    if tk is not None and len(tk):
        rows += fit_complaints(tk, len(o), base_sc, confidence)
        svc = fit_service_times(tk, confidence)
        rows += svc
        if not svc:
            not_identified["desk.service_time"] = (
                "the tickets carry no handling times (handle_h or resolution_h - wait_h)"
            )
    else:
        not_identified["complaints"] = "no tickets given" if tk is None else "the ticket table is empty"
        not_identified["desk.service_time"] = "no tickets given"
    sat_rows = fit_satisfaction(sv, base_sc, confidence) if sv is not None else []
    rows += sat_rows
    if not sat_rows:
        not_identified["satisfaction.initial_mean"] = (
            "no survey answers given" if sv is None else "fewer than 2 NPS answers (instrument 'nps')"
        )
    est = pd.DataFrame([r.__dict__ for r in rows], columns=ESTIMATE_COLUMNS)
    scenario = _build(base_sc, est, log, chosen)
    report = CalibrationReport(
        estimates=est,
        not_identified=not_identified,
        model=chosen,
        model_reason=why,
        confidence=float(confidence),
        n_customers=int(len(first)),
        n_orders=int(len(o)),
        start_date=log.start,
        end_date=log.end,
        acquisitions_by_month=first.dt.to_period("M").value_counts().sort_index(),
        fitters={"purchase": fitter, "spend": ggf},
    )
    out = CalibratedScenario.with_report(scenario, report)
    report.runtime_s = time.perf_counter() - t0
    return out


def _build(base: Scenario, est: pd.DataFrame, log: OrderLog, model: str) -> Scenario:
    """The base scenario with the identified fields replaced (validated)."""
    changes: dict[str, object] = {
        "name": "calibrated",
        "description": f"Fitted by sim.calibrate to an order log ({model}); base: {base.name}.",
        "start_date": log.start.date().isoformat(),
        "purchase.dropout_after_first": model == "mbgnbd",
        "population.referral.enabled": False,
    }
    mixes: dict[str, dict[str, float]] = {}
    for row in est.itertuples(index=False):
        f = row.scenario_field
        if f.startswith("(") or not np.isfinite(row.estimate):
            continue
        if f.startswith(("complaints.severity_mix.", "complaints.cause_mix.", "desk.service_time.mean_h.")):
            head, key = f.rsplit(".", 1)
            mixes.setdefault(head, {})[key] = float(row.estimate)
            continue
        value = float(row.estimate)
        changes[f] = int(round(value)) if f == "population.customers" else value
    for head, values in mixes.items():
        if head == "desk.service_time.mean_h":
            merged = {**base.desk.service_time.mean_h, **values}
            changes[head] = merged
            continue
        total = sum(values.values())
        if total > 0:  # shares of the observed tickets; a severity never seen keeps share 0
            changes[head] = {k: v / total for k, v in values.items()}
    if "complaints.complaint_prob_issue" in changes or "complaints.complaint_prob_ok" in changes:
        changes["complaints.enabled"] = True
    for k in ("complaints.complaint_prob_issue", "complaints.complaint_prob_ok"):
        if k in changes:
            changes[k] = min(max(float(changes[k]), 0.0), 1.0)  # type: ignore[arg-type]
    return base.updated(changes)
