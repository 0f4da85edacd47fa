"""Every KPI of :meth:`sim.Result.kpis` with its unit and definition, and the headline lists.

Examples
--------
>>> from sim.schema.kpis import kpi_unit
>>> kpi_unit("profit", "EUR")
'EUR'
"""

from __future__ import annotations

from sim.schema.vocabulary import KPI, SEVERITIES

KPIS: dict[str, KPI] = {
    k.name: k
    for k in [
        KPI("customers_acquired", "customers", "Customers acquired in the period (all channels incl. referral)."),
        KPI("orders", "orders", "Orders placed in the period (first and repeat)."),
        KPI("revenue", "currency", "Sum of order amounts."),
        KPI("aov", "currency", "Average order value = revenue / orders."),
        KPI("buyers", "customers", "Distinct customers with at least one order in the period."),
        KPI(
            "repeat_purchase_rate",
            "share",
            "Share of buyers in the period who had ordered before the period (returning buyers / buyers).",
        ),
        KPI(
            "gross_margin",
            "currency",
            "Sum of the orders' margin (= revenue x scenario margin_rate when the catalogue is off).",
        ),
        KPI("acquisition_cost", "currency", "Sum of CAC of customers acquired in the period."),
        KPI("referral_rate", "share", "Referred customers / customers acquired in the period (observed)."),
        KPI("service_cost", "currency", "Agent-days on duty x cost per agent-day, plus escalations and bot handling."),
        KPI(
            "retention_cost",
            "currency",
            "Contacts and offers sent, discounts redeemed, and loyalty points: earned points x point value x "
            "redemption rate, or with the points ledger (loyalty.ledger) the points redeemed x point value.",
        ),
        KPI("profit", "currency", "gross_margin - acquisition_cost - service_cost - retention_cost."),
        KPI("contacts", "contacts", "Contacts sent (all campaigns and triggers)."),
        KPI("contact_open_rate", "share", "Opened contacts / contacts sent."),
        KPI("contact_click_rate", "share", "Clicked contacts / opened contacts (PA1; NaN without opened contacts)."),
        KPI("compliance_incidents", "contacts", "Contacts sent to customers without consent or after opting out."),
        KPI("opt_outs", "customers", "Customers who opted out of marketing contacts."),
        KPI("budget_skips", "actions", "Actions not taken because their budget pot was empty."),
        KPI(
            "winback_rate",
            "share",
            "Customers sent a win-back contact in the period who ordered within 90 days of one "
            "(WINBACK_WINDOW_DAYS; windows end at the horizon) / customers sent one (observed).",
        ),
        KPI(
            "cost_per_saved_customer",
            "currency",
            "Cost of the period's win-back and churn-risk contacts / customers among them who ordered within "
            "90 days of one (observed).",
        ),
        KPI("escalations", "tickets", "Tickets escalated after breaching their first-response target."),
        KPI("tickets", "tickets", "Tickets opened in the period."),
        KPI("complaint_rate", "share", "tickets from customers / orders in the period."),
        KPI("sla_met_rate", "share", "Share of resolved tickets that met both SLA targets of their severity."),
        KPI("mean_wait_h", "hours", "Mean time to first response of tickets answered in the period."),
        KPI("mean_resolution_h", "hours", "Mean time to resolution of tickets resolved in the period."),
        KPI(
            "agent_utilisation",
            "share",
            "Busy agent-hours (handle_h of tickets picked up in the period) / staffed agent-hours (agent-days on duty "
            "x 24, incl. departments and the emergency team).",
        ),
        KPI("reopen_rate", "share", "Reopened tickets / tickets followed up (accepted not NaN) in the period."),
        KPI("chaser_share", "share", "Chaser tickets / tickets opened in the period."),
        KPI("nps", "points (-100..100)", "% promoters (9-10) - % detractors (0-6) among NPS answers in the period."),
        KPI("csat", "share", "Share of CSAT answers scoring 4 or 5."),
        KPI("ces", "points (1-7)", "Mean customer-effort score (lower is better)."),
        KPI(
            "active_customers",
            "customers",
            "Customers whose last order is at most 90 days before the period end (observed).",
        ),
        KPI("true_alive", "customers", "Customers truly alive at the period end (ground truth).", latent=True),
        KPI("true_churned", "customers", "Customers who truly churned in the period (ground truth).", latent=True),
        KPI(
            "true_churn_rate",
            "share",
            "true_churned / customers alive at the period start or acquired in it (ground truth).",
            latent=True,
        ),
        # chapter 09: the loyalty points ledger (the points table; 0 without a ledger)
        KPI("points_issued", "points", "Points credited in the period (earn, check_in and ranking rows)."),
        KPI("points_redeemed", "points", "Points customers redeemed in the period."),
        KPI("points_expired", "points", "Points that expired in the period (loyalty.expiry_days)."),
        KPI(
            "points_liability",
            "currency",
            "Outstanding points at the period end x point value x expected redemption share (redeemed / "
            "(redeemed + expired) so far once the ledger has a redemption, else the policy's redemption_rate): "
            "the accounting liability of the points.",
        ),
        KPI(
            "breakage_rate",
            "share",
            "Share of the points issued up to the period end expected never to be redeemed: (expired + "
            "outstanding x (1 - expected redemption share)) / issued (NaN when none were issued).",
        ),
        KPI("check_ins", "check-ins", "Check-ins credited in the period (points rows of kind check_in)."),
        # overall-only KPIs
        KPI("repeat_rate", "share", "Overall: share of customers with at least one repeat order."),
        KPI(
            "annual_retention",
            "share",
            "Overall: share of customers acquired in year 1 who ordered again in year 2 (needs a horizon of 730 days).",
        ),
        KPI("orders_per_customer", "orders", "Overall: orders / customers acquired."),
        KPI("historical_clv", "currency", "Overall: gross margin per acquired customer over the horizon."),
        KPI("ltv_cac", "ratio", "Overall: historical_clv / mean CAC."),
        KPI("sla_met_P0", "share", "Overall: SLA compliance of P0 tickets (likewise P1, P2, P3)."),
        KPI(
            "true_retention_1y",
            "share",
            "Overall: share of customers acquired in the first year who are alive one year after acquisition (ground truth).",
            latent=True,
        ),
    ]
}


#: KPI names of :meth:`sim.Result.kpis` (overall); per-period-only KPIs are not included.
OVERALL_KPIS: tuple[str, ...] = tuple(
    [k for k in KPIS if k not in ("buyers", "repeat_purchase_rate", "true_churn_rate")]
    + [f"sla_met_{s}" for s in SEVERITIES if f"sla_met_{s}" not in KPIS]
)

#: KPIs shown first in plots, printed tables and reports (all KPIs are always in the tables).
HEADLINE_KPIS: tuple[str, ...] = (
    "profit",
    "revenue",
    "retention_cost",
    "service_cost",
    "orders_per_customer",
    "true_alive",
    "active_customers",
    "nps",
    "sla_met_rate",
    "mean_wait_h",
)


def kpi_unit(kpi: str, currency: str = "currency") -> str:
    """The unit of a KPI (``currency`` replaced by the currency's name; ``""`` if unknown).

    Examples
    --------
    >>> kpi_unit("revenue", "CNY"), kpi_unit("mean_wait_h"), kpi_unit("sla_met_P2"), kpi_unit("nope")
    ('CNY', 'hours', 'share', '')
    """
    base = kpi if kpi in KPIS else ("sla_met_P0" if kpi.startswith("sla_met_P") else None)
    if base is None:
        return ""
    unit = KPIS[base].unit
    return currency if unit == "currency" else unit
