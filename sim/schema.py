"""The data dictionary: the vocabulary, every table column and every KPI, defined once.

The simulator builds its tables from these definitions, the firm-facing view drops
the latent (``true_*``) columns and the latent tables (:data:`LATENT_TABLES`) listed here, the analysis modules name these columns,
``retention-lab dictionary`` renders this module to ``datasets/DATA_DICTIONARY.md``, and the
CLI, the notebooks and the HTML reports take KPI units and headline lists from here. This is the
lowest layer of the package (it imports nothing from ``sim``), so every other layer may use it.

Time is measured in days since the scenario's ``start_date`` (column ``t``, float);
every table also carries a calendar ``date``. Money is in one currency unit
(``Scenario.currency``, default CNY). Durations at the service desk are in hours.

Examples
--------
>>> from sim.schema import TABLES, observed_columns
>>> "true_alive" in observed_columns("customers")
False
>>> TABLES["orders"]["amount"].unit
'currency'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "SEVERITIES",
    "CAUSES",
    "CHURN_REASONS",
    "CHANNELS",
    "TICKET_CHANNELS",
    "POTS",
    "STAGES",
    "ARCHETYPES",
    "Column",
    "KPI",
    "TABLES",
    "TABLE_NAMES",
    "KPIS",
    "LATENT_PREFIX",
    "LATENT_EVENTS",
    "LATENT_TABLES",
    "observed_tables",
    "columns",
    "observed_columns",
    "is_latent",
    "render_markdown",
    "kpi_unit",
    "OVERALL_KPIS",
    "HEADLINE_KPIS",
]

#: Ticket severities, most urgent first (seed 002: P0 answered within 15 minutes ... P3 within 24 hours).
SEVERITIES: tuple[str, ...] = ("P0", "P1", "P2", "P3")
#: Complaint causes.
CAUSES: tuple[str, ...] = ("product", "service", "price", "communication")
#: True churn reasons (exit-survey ground truth).
CHURN_REASONS: tuple[str, ...] = ("product", "service", "price", "communication", "need_mismatch")
#: Ticket intake channels (``complaints.channel_mix``); proactive tickets the firm opens itself use "auto".
TICKET_CHANNELS: tuple[str, ...] = ("phone", "chat", "email", "app", "social")
#: Contact channels a policy can use.
CHANNELS: tuple[str, ...] = ("email", "sms", "push", "phone")
#: Retention budget pots (seed 004: 70/20/10).
POTS: tuple[str, ...] = ("high_value", "wakeup", "reserve")
#: Lifecycle stages (``customers.true_stage``; the same vocabulary as :func:`sim.analysis.lifecycle`).
STAGES: tuple[str, ...] = ("new", "active", "at_risk", "dormant", "lost", "won_back")
#: Latent customer archetypes (``customers.true_archetype``; :class:`sim.config.mechanisms.Archetypes`).
ARCHETYPES: tuple[str, ...] = ("price_sensitive", "service_sensitive", "convenience")

LATENT_PREFIX = "true_"


@dataclass(frozen=True)
class Column:
    """One column of a result table."""

    name: str
    dtype: str
    unit: str
    description: str

    @property
    def latent(self) -> bool:
        """Whether the column is ground truth the firm cannot observe."""
        return self.name.startswith(LATENT_PREFIX)


@dataclass(frozen=True)
class KPI:
    """One key performance indicator."""

    name: str
    unit: str
    definition: str
    latent: bool = False


def _table(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


TABLES: dict[str, dict[str, Column]] = {
    "customers": _table(
        Column("customer_id", "int64", "id", "Customer identifier, unique within a run."),
        Column("acquired_t", "float64", "days", "Time of acquisition (= first order)."),
        Column("acquired_date", "datetime64[ns]", "date", "Calendar date of acquisition."),
        Column("channel", "string", "category", "Acquisition channel (e.g. search, social, referral)."),
        Column("cac", "float64", "currency", "Acquisition cost paid for this customer."),
        Column("consent", "bool", "flag", "Customer consented to marketing contacts."),
        Column("birth_month", "int64", "month", "Month of birth (1-12), for periodic care triggers."),
        Column("business", "bool", "flag", "A business (B2B) account (archetypes on; False otherwise)."),
        Column(
            "plan", "string", "category", "Subscription plan (e.g. monthly, annual; '' unless a subscription world)."
        ),
        Column("true_purchase_rate", "float64", "orders/day", "Latent base purchase rate lambda (Gamma(r, alpha))."),
        Column(
            "true_dropout_prob",
            "float64",
            "probability",
            "Latent base dropout probability p after each repeat order (Beta(a, b)).",
        ),
        Column(
            "true_spend_scale",
            "float64",
            "1/currency",
            "Latent Gamma-Gamma rate nu of the customer's order values (Gamma(q, gamma)).",
        ),
        Column("true_satisfaction_start", "float64", "0-10", "Latent satisfaction at acquisition."),
        Column("true_satisfaction_end", "float64", "0-10", "Latent satisfaction at the horizon (or at churn)."),
        Column("true_alive", "bool", "flag", "Customer still active (not churned) at the horizon."),
        Column("true_churn_t", "float64", "days", "Time the customer became inactive (NaN while alive)."),
        Column(
            "true_churn_reason",
            "string",
            "category",
            "Ground-truth churn reason: product, service, price, communication, need_mismatch (empty while alive).",
        ),
        Column(
            "true_archetype",
            "string",
            "category",
            "Latent archetype: price_sensitive, service_sensitive or convenience ('' when archetypes are off).",
        ),
        Column(
            "true_top_category",
            "string",
            "category",
            "The customer's most-preferred product category (latent preferences; '' when the catalogue is off).",
        ),
        Column(
            "true_cancel_prob",
            "float64",
            "probability",
            "Latent cancellation probability theta at each renewal (Beta(alpha, beta); NaN unless a subscription world).",
        ),
        Column(
            "true_clv",
            "float64",
            "currency",
            "Expected discounted future margin at the horizon from the latent parameters (closed form, "
            "annual discount rate clv_discount_rate; 0 if not alive).",
        ),
        Column(
            "true_stage",
            "string",
            "category",
            "Lifecycle stage at the horizon: new, active, at_risk, dormant, lost, won_back "
            "(rules and thresholds in sim.world.model.value.true_stage).",
        ),
        Column(
            "true_best_channel",
            "string",
            "category",
            "Contact channel of the customer's largest latent channel affinity (messaging.channel_affinity_sd; "
            "'' when off).",
        ),
    ),
    "orders": _table(
        Column("order_id", "int64", "id", "Order identifier."),
        Column("customer_id", "int64", "id", "Customer who placed the order."),
        Column("t", "float64", "days", "Order time."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the order."),
        Column("amount", "float64", "currency", "Order value (Gamma-Gamma spend model)."),
        Column("is_first", "bool", "flag", "The acquisition order (not a repeat purchase)."),
        Column(
            "discount",
            "float64",
            "currency",
            "Discount paid by the firm on this order (offer redeemed or membership benefit).",
        ),
        Column("points", "float64", "points", "Loyalty points earned with this order."),
        Column("campaign", "string", "category", "Campaign whose contact converted into this order ('' if none)."),
        Column(
            "category",
            "string",
            "category",
            "Product category of the order's main line ('' when the catalogue is off).",
        ),
        Column(
            "basket",
            "string",
            "category",
            "Categories of all the order's lines, '|'-joined, main line first ('' when the catalogue is off).",
        ),
        Column(
            "margin",
            "float64",
            "currency",
            "Gross margin of the order: amount x the category's margin rate (x the scenario's margin_rate "
            "when the catalogue is off).",
        ),
        Column(
            "true_quality_issue",
            "bool",
            "flag",
            "Latent: the order had a quality problem (raises complaint probability).",
        ),
    ),
    "tickets": _table(
        Column("ticket_id", "int64", "id", "Ticket identifier."),
        Column("customer_id", "int64", "id", "Customer who complained (0 for outage tickets with no customer)."),
        Column("order_id", "int64", "id", "Order the complaint is about (-1 if none)."),
        Column("cause", "string", "category", "Complaint cause: product, service, price, communication."),
        Column("severity", "string", "category", "P0 (critical) ... P3 (ordinary)."),
        Column("opened_t", "float64", "days", "Time the ticket was opened."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp the ticket was opened."),
        Column(
            "first_response_t",
            "float64",
            "days",
            "Time an agent first picked the ticket up (NaN if still queued at the horizon).",
        ),
        Column("resolved_t", "float64", "days", "Time the ticket was resolved (NaN if open at the horizon)."),
        Column("agent", "int64", "id", "Agent who handled the ticket (-1 if not yet handled)."),
        Column("wait_h", "float64", "hours", "Time to first response."),
        Column("resolution_h", "float64", "hours", "Time from opening to resolution."),
        Column(
            "sla_first_response_met",
            "boolean",
            "flag",
            "First response within the severity's SLA target (NA if unanswered).",
        ),
        Column(
            "sla_resolution_met", "boolean", "flag", "Resolution within the severity's SLA target (NA if unresolved)."
        ),
        Column("sla_met", "boolean", "flag", "Both SLA targets met (NA while open)."),
        Column(
            "escalated",
            "bool",
            "flag",
            "Escalated to the front of the queue after breaching its first-response target.",
        ),
        Column("bot", "bool", "flag", "Resolved by the bot without reaching an agent."),
        Column(
            "channel",
            "string",
            "category",
            "Intake channel: phone, chat, email, app, social, or auto (opened by the firm's monitoring); "
            '"" without channel mix.',
        ),
        Column(
            "chaser_of",
            "int64",
            "id",
            "For a chaser (the customer complaining again while still waiting for a first response): the "
            "ticket_id chased; closed when that ticket is answered. -1 otherwise.",
        ),
        Column(
            "reopened_from",
            "int64",
            "id",
            "For a reopened ticket (resolution not accepted at the follow-up call): the ticket_id reopened; -1 otherwise.",
        ),
        Column(
            "accepted",
            "float64",
            "flag",
            "Resolution accepted at the follow-up call: 1.0 yes, 0.0 no (reopened), NaN not asked.",
        ),
        Column(
            "department",
            "string",
            "category",
            'Department the ticket was routed to after triage ("" without the process).',
        ),
        Column(
            "handoff_t",
            "float64",
            "days",
            "Time triage ended and the ticket joined its department's queue (NaN if not).",
        ),
        Column(
            "handle_h",
            "float64",
            "hours",
            "Agent busy hours spent on the ticket (front desk + department; a ticket in service at the horizon counts "
            "its full handling time; NaN if never picked up by an agent).",
        ),
    ),
    "surveys": _table(
        Column("survey_id", "int64", "id", "Answer identifier."),
        Column("customer_id", "int64", "id", "Respondent."),
        Column("t", "float64", "days", "Time of the answer."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the answer."),
        Column(
            "touchpoint",
            "string",
            "category",
            "post_purchase, post_ticket, relationship (periodic) or exit (a leaving customer's exit survey).",
        ),
        Column(
            "instrument",
            "string",
            "category",
            "nps (0-10), csat (1-5), ces (1-7, lower = less effort) or reason (exit survey: see `reason`).",
        ),
        Column("score", "int64", "points", "The answer on the instrument's scale (-1 for a reason answer: no score)."),
        Column("ticket_id", "int64", "id", "Ticket the answer refers to (-1 if none)."),
        Column(
            "mode",
            "string",
            "category",
            "Survey mode: named or anonymous (named answers read politer; 'named' when modes are off).",
        ),
        Column("channel", "string", "category", "Survey channel: online, phone, app or paper ('' when not recorded)."),
        Column(
            "comment",
            "string",
            "text",
            "Free-text comment of a CSAT or NPS answer, English or Chinese (templated from latent topics; '' if none).",
        ),
        Column(
            "reason",
            "string",
            "category",
            "Exit survey: the churn reason the leaving customer states (may differ from the truth; '' other rows).",
        ),
        Column("true_satisfaction", "float64", "0-10", "Latent satisfaction of the respondent when answering."),
        Column(
            "true_reason",
            "string",
            "category",
            "Exit survey: why the customer truly left (ground truth; '' other rows).",
        ),
    ),
    "events": _table(
        Column("customer_id", "int64", "id", "Customer concerned."),
        Column("t", "float64", "days", "Time of the event."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the event."),
        Column(
            "event",
            "string",
            "category",
            "acquired, referred, opted_out, membership, budget_skip, alert (customer_id 0: a policy alert fired); "
            "latent: true_churned, true_reactivated, true_word_of_mouth (detail +/- people told), "
            "true_deterred (a prospect lost to negative word of mouth).",
        ),
        Column("detail", "string", "text", "Event detail (channel, churn reason, ...)."),
    ),
    "tiers": _table(
        Column("customer_id", "int64", "id", "Customer graded."),
        Column("t", "float64", "days", "Time of the grading (tier refresh)."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the grading."),
        Column("tier", "string", "category", "Tier assigned by the policy's tiering method."),
        Column("score", "float64", "score", "The observed score the tier was cut from (higher = better)."),
    ),
    "contacts": _table(
        Column("contact_id", "int64", "id", "Contact identifier."),
        Column("customer_id", "int64", "id", "Customer contacted."),
        Column("t", "float64", "days", "Time of the contact."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the contact."),
        Column("campaign", "string", "category", "Campaign or trigger that caused the contact."),
        Column("channel", "string", "category", "email, sms, push or phone."),
        Column("variant", "string", "category", "A/B variant ('' if none)."),
        Column("cost", "float64", "currency", "Cost of the contact (incl. any offer redeemed)."),
        Column("opened", "bool", "flag", "The contact was opened."),
        Column("converted", "bool", "flag", "The contact led to an order within its attribution window."),
        Column("consent_ok", "bool", "flag", "The customer had consented (False = compliance incident)."),
        Column(
            "clicked",
            "bool",
            "flag",
            "The opened contact was clicked (a converted contact always was; False in a subscription world).",
        ),
        Column("send_time", "string", "category", "The variant's send-time level ('' unset)."),
        Column("copy", "string", "category", "The variant's copy (message text) level ('' unset)."),
        Column("image", "string", "category", "The variant's image level ('' unset)."),
        Column("true_open_prob", "float64", "probability", "Latent probability that this contact is opened."),
        Column(
            "true_convert_prob",
            "float64",
            "probability",
            "Latent unconditional probability that this contact, as sent, converts (opened x active or won "
            "back x converts).",
        ),
        Column(
            "true_best_convert_prob",
            "float64",
            "probability",
            "Latent max of true_convert_prob over the trigger's variants for this customer then (= "
            "true_convert_prob without variants); best - chosen is the contact's regret.",
        ),
    ),
    "funnel": _table(
        Column("channel", "string", "category", "Paid acquisition channel."),
        Column("t", "float64", "days", "Start of the 30-day period."),
        Column("date", "datetime64[ns]", "date", "Calendar date of the period start."),
        Column("leads", "int64", "people", "Leads the channel brought in the period (>= prospects)."),
        Column("prospects", "int64", "people", "Leads who became prospects (>= customers)."),
        Column("customers", "int64", "customers", "Prospects who placed a first order (paid acquisitions)."),
        Column("spend", "float64", "currency", "Acquisition spend of the channel in the period (sum of CAC)."),
    ),
    "snapshots": _table(
        Column("customer_id", "int64", "id", "Customer (every customer acquired by the snapshot time)."),
        Column("t", "float64", "days", "Time of the snapshot (every satisfaction.snapshot_days; none when 0)."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the snapshot."),
        Column(
            "true_satisfaction",
            "float64",
            "0-10",
            "Latent satisfaction at the snapshot (what a survey answer then would read, before mode and noise).",
        ),
        Column("true_alive", "bool", "flag", "Customer still active (not churned) at the snapshot."),
    ),
    "uplift": _table(
        Column("customer_id", "int64", "id", "Customer decided on (contacted, or held out of a campaign)."),
        Column("t", "float64", "days", "Time of the decision (Scenario.uplift on; empty otherwise)."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the decision."),
        Column("campaign", "string", "category", "Campaign or trigger of the contact (or the holdout's campaign)."),
        Column("treated", "bool", "flag", "The contact was sent (False: held out of a campaign)."),
        Column("contact_id", "int64", "id", "The contact (contacts.contact_id; -1 for a holdout)."),
        Column(
            "true_p_order_treated",
            "float64",
            "probability",
            "P(at least one order within uplift.outcome_days) with the contact (paired replays).",
        ),
        Column(
            "true_p_order_control",
            "float64",
            "probability",
            "P(at least one order within uplift.outcome_days) without it (the same replays' draws).",
        ),
        Column(
            "true_uplift_order",
            "float64",
            "probability",
            "True individual effect on ordering in the window = true_p_order_treated - true_p_order_control.",
        ),
        Column(
            "true_uplift_churn",
            "float64",
            "probability",
            "True effect on being inactive at the window's end (treated - control; negative = retains).",
        ),
        Column(
            "true_uplift_margin",
            "float64",
            "currency",
            "True effect on the window's order margin net of discounts (treated - control; contact cost excluded).",
        ),
    ),
}

#: The tables of a run, in their documented order.
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: Tables that are ground truth as a whole (no row of them is observed; the firm-facing view drops them).
LATENT_TABLES: frozenset[str] = frozenset({"snapshots", "uplift"})


def observed_tables() -> list[str]:
    """The tables the firm can observe, in their documented order (all but :data:`LATENT_TABLES`).

    Examples
    --------
    >>> "funnel" in observed_tables(), "snapshots" in observed_tables()
    (True, False)
    """
    return [t for t in TABLES if t not in LATENT_TABLES]


#: Event types that are ground truth (dropped from the firm-facing view).
LATENT_EVENTS: frozenset[str] = frozenset({"true_churned", "true_reactivated", "true_word_of_mouth", "true_deterred"})

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
            "Contacts and offers sent, discounts redeemed, and loyalty points (x point value x redemption rate).",
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


def columns(table: str) -> list[str]:
    """All column names of ``table`` in their documented order.

    Examples
    --------
    >>> columns("events")
    ['customer_id', 't', 'date', 'event', 'detail']
    """
    return list(TABLES[table])


def observed_columns(table: str) -> list[str]:
    """The columns of ``table`` the firm can observe (no ``true_*`` columns; none of a latent table).

    Examples
    --------
    >>> observed_columns("orders")[-4:]
    ['campaign', 'category', 'basket', 'margin']
    """
    if table in LATENT_TABLES:
        return []
    return [c.name for c in TABLES[table].values() if not c.latent]


def is_latent(name: str) -> bool:
    """Whether a column or KPI name denotes ground truth.

    Examples
    --------
    >>> is_latent("true_alive"), is_latent("revenue")
    (True, False)
    """
    return name.startswith(LATENT_PREFIX)


def render_markdown() -> str:
    """Render the dictionary as Markdown (written to ``datasets/DATA_DICTIONARY.md``)."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `sim/schema.py` by `retention-lab dictionary` — do not edit by hand.",
        "",
        "Time `t` is in days since the scenario's `start_date`; money is in the scenario's currency;",
        "desk durations are in hours. Columns starting with `true_` are **latent ground truth**:",
        "the simulator knows them, the firm (and every policy) does not. `Result.observed()` drops them.",
        "",
    ]
    for table, cols in TABLES.items():
        out += [f"## `{table}`", "", "| column | type | unit | observed | meaning |", "|---|---|---|---|---|"]
        for c in cols.values():
            latent = c.latent or table in LATENT_TABLES
            out.append(
                f"| `{c.name}` | {c.dtype} | {c.unit} | {'no (latent)' if latent else 'yes'} | {c.description} |"
            )
        out.append("")
    out += [
        "Latent tables (dropped from the firm's view as a whole): "
        + ", ".join(f"`{t}`" for t in sorted(LATENT_TABLES)),
        "",
        "Latent event types (dropped from the observed `events` table): "
        + ", ".join(f"`{e}`" for e in sorted(LATENT_EVENTS)),
        "",
        "## KPIs (`Result.kpis()`)",
        "",
        "| KPI | unit | observed | definition |",
        "|---|---|---|---|",
    ]
    for k in KPIS.values():
        out.append(f"| `{k.name}` | {k.unit} | {'no (latent)' if k.latent else 'yes'} | {k.definition} |")
    out.append("")
    return "\n".join(out)


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
