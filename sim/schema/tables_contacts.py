"""The firm's outbound contacts table.

Column definitions only; :mod:`sim.schema.tables` assembles them in their documented order.
"""

from __future__ import annotations

from sim.schema.vocabulary import Column, table

CONTACTS_TABLES: dict[str, dict[str, Column]] = {
    "contacts": table(
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
}
