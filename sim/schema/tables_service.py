"""Tables of the service desk and the voice of the customer: tickets, surveys.

Column definitions only; :mod:`sim.schema.tables` assembles them in their documented order.
"""

from __future__ import annotations

from sim.schema.vocabulary import Column, table

SERVICE_TABLES: dict[str, dict[str, Column]] = {
    "tickets": table(
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
    "surveys": table(
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
}
