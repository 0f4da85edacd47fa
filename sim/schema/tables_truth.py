"""Latent tables (ground truth as a whole): snapshots, uplift.

Column definitions only; :mod:`sim.schema.tables` assembles them in their documented order.
"""

from __future__ import annotations

from sim.schema.vocabulary import Column, table

TRUTH_TABLES: dict[str, dict[str, Column]] = {
    "snapshots": table(
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
    "uplift": table(
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
