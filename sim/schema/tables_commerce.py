"""Tables of customers and what they buy: customers, orders, events, tiers, points, funnel.

Column definitions only; :mod:`sim.schema.tables` assembles them in their documented order.
"""

from __future__ import annotations

from sim.schema.vocabulary import Column, table

COMMERCE_TABLES: dict[str, dict[str, Column]] = {
    "customers": table(
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
        Column(
            "true_check_in_rate",
            "float64",
            "check-ins/week",
            "Latent check-in propensity (loyalty_response.check_in_rate_per_week; 0 when off).",
        ),
        Column(
            "true_redeem_prob",
            "float64",
            "probability",
            "Latent probability of redeeming a sufficient points balance at an order (loyalty_response.redeem_prob; "
            "0 when off).",
        ),
    ),
    "orders": table(
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
    "events": table(
        Column("customer_id", "int64", "id", "Customer concerned."),
        Column("t", "float64", "days", "Time of the event."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the event."),
        Column(
            "event",
            "string",
            "category",
            "acquired, referred, opted_out, membership, budget_skip, alert (customer_id 0: a policy alert fired); "
            "phase (customer_id 0: a policy phase started; detail its name), management_review (customer_id 0; "
            "detail 'kpi=<kpi> value=<v> target=<t> met=<yes|no|na> lever=<path> <old>-><new>'); "
            "referral_bonus (customer_id 0: the referral reward multiplier announced, detail 'x2'; 'x1' ends it); "
            "latent: true_churned, true_reactivated, true_word_of_mouth (detail +/- people told), "
            "true_deterred (a prospect lost to negative word of mouth).",
        ),
        Column("detail", "string", "text", "Event detail (channel, churn reason, ...)."),
    ),
    "tiers": table(
        Column("customer_id", "int64", "id", "Customer graded."),
        Column("t", "float64", "days", "Time of the grading (tier refresh)."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the grading."),
        Column("tier", "string", "category", "Tier assigned by the policy's tiering method."),
        Column("score", "float64", "score", "The observed score the tier was cut from (higher = better)."),
    ),
    "points": table(
        Column("customer_id", "int64", "id", "Customer whose points moved."),
        Column("t", "float64", "days", "Time of the movement."),
        Column("date", "datetime64[ns]", "date", "Calendar timestamp of the movement."),
        Column(
            "kind",
            "string",
            "category",
            "earn (points on an order), redeem (the balance spent), expire (unredeemed points past "
            "loyalty.expiry_days, oldest first), check_in (a check-in's points), ranking (a spend-ranking reward).",
        ),
        Column("points", "float64", "points", "Points moved: + credited, - redeemed or expired."),
        Column("balance", "float64", "points", "The customer's balance after this row."),
        Column("order_id", "int64", "id", "Order of an earn or redeem row (-1 when none)."),
    ),
    "funnel": table(
        Column("channel", "string", "category", "Paid acquisition channel."),
        Column("t", "float64", "days", "Start of the 30-day period."),
        Column("date", "datetime64[ns]", "date", "Calendar date of the period start."),
        Column("leads", "int64", "people", "Leads the channel brought in the period (>= prospects)."),
        Column("prospects", "int64", "people", "Leads who became prospects (>= customers)."),
        Column("customers", "int64", "customers", "Prospects who placed a first order (paid acquisitions)."),
        Column("spend", "float64", "currency", "Acquisition spend of the channel in the period (sum of CAC)."),
    ),
}
