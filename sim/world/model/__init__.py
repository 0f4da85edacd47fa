"""The model: every equation of the simulated world, one named function each, with its units.

This package is the model a reader should learn (``base``: constants and logit helpers;
``customers``: satisfaction, buying, leaving, order values; ``service``: complaints, SLA, desk
staffing; ``surveys``; ``firm``: actions, membership, market; ``retail``: the lifecycle
mechanisms; ``acquisition``: the funnel; ``value``: order margin, true CLV and stage); the engines
only schedule it. The readable engine (:mod:`sim.world.reference`) calls these functions; the fast engine
(:mod:`sim.world.lifecycle` and friends) inlines a few of them on its hot path, and every inlined
copy names the function here it repeats (as SimPy's ``events.py`` does). Tests show both engines
agree in distribution.

Notation: time ``t`` in days; satisfaction ``s`` on the 0-10 scale; ``s_ref`` the scenario's
reference satisfaction (``satisfaction.reference``); rates per day; probabilities in [0, 1].

Buy till you die (the core; BG/NBD, MBG/NBD and Gamma-Gamma)
    While alive, customer *i* orders as a Poisson process with rate :func:`purchase_rate`
    (``lambda_i ~ Gamma(r, alpha)`` scaled by satisfaction, membership and the market). After each
    repeat order (and, with ``purchase.dropout_after_first``, after the first) the customer drops
    out with :func:`dropout_probability` (``p_i ~ Beta(a, b)`` shifted on the logit scale). Each
    order is worth :func:`order_amount` (``nu_i ~ Gamma(q, gamma)``, value ``~ Gamma(p, nu_i)``).
    With every other mechanism off, these are exactly BG/NBD (or MBG/NBD) and Gamma-Gamma.

Satisfaction
    Each experience moves ``s`` by an effect (:func:`satisfaction_after`); between experiences it
    relaxes back to the customer's own starting level ``s0`` (:func:`relaxed_satisfaction`).

Complaints and service
    An order has a quality issue with a probability and then raises a ticket more often
    (:func:`complaint_probability`); a ticket's service meets its SLA when both targets are met
    (:func:`sla_met`), and the customer may leave at once after it
    (:func:`service_churn_probability`).

Service operations (``operations``; chapter 06)
    A ticket's first-response target is the stricter of severity and intake channel
    (:func:`ticket_first_response_target`); a customer waiting past it files chasers at
    :func:`chaser_rate_after`; at the follow-up call they accept the resolution with
    :func:`acceptance_probability` (else it is reopened at :func:`reopened_severity`); handling
    times are multiplied by each agent's :func:`agent_skill_multiplier` and the knowledge base's
    :func:`knowledge_base_factor`.

Surveys
    Response probability rises as satisfaction falls when ``nonresponse_bias > 0``
    (:func:`survey_response_probability`); answers are noisy readings of ``s``
    (:func:`nps_answer`, :func:`csat_answer`, :func:`ces_answer`). A survey mode (named /
    anonymous) multiplies the response probability (:func:`mode_response_probability`) and
    shifts the reading (:func:`survey_reading`: named answers are politer); free-text comments
    take a sentiment from ``s`` (:func:`comment_sentiment`) and a topic from the customer's cause
    (:func:`comment_topic`).

Churn early warning (``churn``)
    An exit-survey answer states the true reason or one from the stated mix
    (:func:`exit_stated_reason`; its confusion :func:`exit_confusion_probability`); a win-back
    probability is multiplied by the reason x offer-kind response
    (:func:`winback_reason_multiplier`, :func:`reason_winback_probability`).

Communication (``messaging``; chapter 08)
    A contact is opened, clicked and converted; a variant's message levels and the customer's
    channel affinity shift each stage's log-odds (:func:`message_probability`,
    :func:`variant_shifts`); click and conversion share one uniform (:func:`click_and_convert`);
    :func:`true_convert_probability` is a contact's unconditional chance to convert,
    :func:`best_channel` the customer's latent best channel; the firm's bandit draws
    :func:`thompson_pick`.

Firm actions, membership and the market
    :func:`winback_probability`, :func:`is_fatigued`, :func:`conversion_probability`,
    :func:`membership_rate_multiplier`; market shocks multiply the rate and shift the dropout
    logit (:func:`shocked_rate_factor`, :func:`shocked_dropout_shift`).

Catalogue, archetypes, subscriptions, word of mouth (``retail``)
    Category preferences ~ Dirichlet (:func:`dirichlet_concentrations`), baskets of
    :func:`poisson_inverse` extra lines (:func:`extra_line_category`), order values
    :func:`order_value` (Gamma-Gamma x price level x business factor); archetype multipliers
    (:func:`service_effect`, :func:`service_churn_scaled`, :func:`offer_conversion_scaled`);
    renewals cancel with :func:`renewal_cancel_probability` (sBG: :func:`sbg_survival`);
    promoters and detractors (:func:`is_detractor`) tell :func:`word_of_mouth_tells` people.

Acquisition funnel (``acquisition``)
    The prospects (and leads) it took to win a channel's customers: :func:`negbin_trials`
    (successes + negative-binomial failures; the funnel is drawn after the run).

Loyalty programmes (chapter 09; :mod:`~sim.world.model.loyalty`)
    Goal gradient near tier thresholds (:func:`goal_gradient_factor`), the ranking uplift
    (:func:`programme_rate_factor`), the check-in habit (:func:`check_in_habit`), the referral
    bonus (:func:`bonus_referral_probability`) and the points accounting
    (:func:`points_liability`, :func:`breakage_rate`, :func:`expected_redemption_share`).

Counterfactual uplift (``uplift``; the latent ``uplift`` table)
    Each decision is replayed with and without the action under common random numbers: the
    customer's true uplift is :func:`paired_uplift`; purchases resume after
    :func:`residual_purchase_wait`; margin is :func:`order_net_margin` (net of discounts).

Value and stage (``value``; CLV and stage are ground truth at the horizon)
    An order earns :func:`order_margin` (its main category's margin rate, else the scenario's).
    :func:`true_clv_retail` (``alive * m * lambda / (delta + p * lambda)``) and
    :func:`true_clv_subscription` (a geometric series of renewals) discount future margin at
    :func:`daily_discount_rate`; :func:`true_stage` labels each customer new / active / at_risk /
    dormant / lost / won_back with the thresholds named there.

Examples
--------
>>> round(purchase_rate(0.02, s=8.0, s_ref=8.0, rate_elasticity=0.08), 6)
0.02
>>> round(dropout_probability(logit(0.3), s=6.0, s_ref=8.0, dropout_shift=0.35), 4)   # unhappy: likelier to leave
0.4632
"""

from __future__ import annotations

from sim.world.model.acquisition import negbin_trials
from sim.world.model.base import (
    ANSWER_NOISE_FACTOR,
    ATTRIBUTION_SPAN,
    CES_BREACH_PENALTY,
    CES_HALF_HOURS,
    CES_INTERCEPT,
    CES_SLOPE,
    CSAT_INTERCEPT,
    CSAT_SLOPE,
    HOURS_PER_DAY,
    PROB_EPS,
    PROMOTER_MIN,
    RATE_EPS,
    S_MAX,
    S_MIN,
    logistic,
    logit,
    rate_logit,
)
from sim.world.model.churn import (
    exit_confusion_probability,
    exit_stated_reason,
    reason_winback_probability,
    winback_reason_multiplier,
)
from sim.world.model.customers import (
    clip_satisfaction,
    dropout_logit,
    dropout_probability,
    order_amount,
    purchase_rate,
    relaxed_satisfaction,
    satisfaction_after,
    satisfaction_decay_rate,
)
from sim.world.model.firm import (
    conversion_probability,
    is_fatigued,
    is_membership_upgrade,
    membership_rate_multiplier,
    order_discount,
    shocked_dropout_shift,
    shocked_rate_factor,
    winback_probability,
)
from sim.world.model.loyalty import (
    bonus_referral_probability,
    breakage_rate,
    check_in_habit,
    expected_redemption_share,
    goal_closeness,
    goal_gradient_factor,
    points_liability,
    programme_rate_factor,
)
from sim.world.model.messaging import (
    best_channel,
    click_and_convert,
    message_probability,
    thompson_pick,
    true_convert_probability,
    variant_shifts,
)
from sim.world.model.operations import (
    ACCEPTANCE_BREACH_PENALTY,
    acceptance_probability,
    agent_skill_multiplier,
    chaser_rate_after,
    knowledge_base_factor,
    reopened_severity,
    ticket_first_response_target,
)
from sim.world.model.retail import (
    DETRACTOR_MAX,
    dirichlet_concentrations,
    extra_line_category,
    is_detractor,
    offer_conversion_scaled,
    order_value,
    poisson_inverse,
    renewal_cancel_probability,
    sbg_survival,
    service_churn_scaled,
    service_effect,
    word_of_mouth_tells,
)
from sim.world.model.service import (
    POOL_SPREAD_DAYS,
    churn_attribution_probability,
    complaint_probability,
    desk_share,
    desk_teams,
    gamma_service_parameters,
    lognormal_service_parameters,
    pool_background_per_ticket,
    scaled_agents,
    service_churn_probability,
    sla_met,
    staffed_agent_days,
    target_met,
    team_weights,
)
from sim.world.model.surveys import (
    COMMENT_CAUSE_SHARE,
    COMMENT_NEGATIVE_BELOW,
    COMMENT_POSITIVE_FROM,
    COMMENT_SENTIMENT_NOISE,
    ces_answer,
    comment_sentiment,
    comment_topic,
    csat_answer,
    is_promoter,
    mode_response_probability,
    nps_answer,
    relationship_response_probability,
    survey_reading,
    survey_response_bound,
    survey_response_probability,
)
from sim.world.model.uplift import order_net_margin, paired_uplift, residual_purchase_wait
from sim.world.model.value import (
    AT_RISK_LEAVE_PROB,
    AT_RISK_SATISFACTION,
    DAYS_PER_YEAR,
    DORMANT_WAIT_DAYS,
    NEW_DAYS,
    WON_BACK_DAYS,
    daily_discount_rate,
    order_margin,
    true_clv_retail,
    true_clv_subscription,
    true_stage,
)

__all__ = [
    "goal_closeness",
    "goal_gradient_factor",
    "programme_rate_factor",
    "check_in_habit",
    "bonus_referral_probability",
    "expected_redemption_share",
    "points_liability",
    "breakage_rate",
    "paired_uplift",
    "order_net_margin",
    "residual_purchase_wait",
    "message_probability",
    "variant_shifts",
    "click_and_convert",
    "true_convert_probability",
    "best_channel",
    "thompson_pick",
    "ACCEPTANCE_BREACH_PENALTY",
    "acceptance_probability",
    "agent_skill_multiplier",
    "chaser_rate_after",
    "knowledge_base_factor",
    "reopened_severity",
    "ticket_first_response_target",
    "HOURS_PER_DAY",
    "S_MIN",
    "S_MAX",
    "PROMOTER_MIN",
    "PROB_EPS",
    "RATE_EPS",
    "ATTRIBUTION_SPAN",
    "CSAT_INTERCEPT",
    "CSAT_SLOPE",
    "CES_INTERCEPT",
    "CES_SLOPE",
    "CES_BREACH_PENALTY",
    "CES_HALF_HOURS",
    "ANSWER_NOISE_FACTOR",
    "logistic",
    "logit",
    "rate_logit",
    "clip_satisfaction",
    "satisfaction_decay_rate",
    "relaxed_satisfaction",
    "satisfaction_after",
    "purchase_rate",
    "dropout_logit",
    "dropout_probability",
    "order_amount",
    "complaint_probability",
    "sla_met",
    "target_met",
    "churn_attribution_probability",
    "survey_response_probability",
    "survey_response_bound",
    "nps_answer",
    "csat_answer",
    "ces_answer",
    "is_promoter",
    "winback_probability",
    "is_fatigued",
    "conversion_probability",
    "membership_rate_multiplier",
    "shocked_rate_factor",
    "shocked_dropout_shift",
    "service_churn_probability",
    "scaled_agents",
    "POOL_SPREAD_DAYS",
    "desk_share",
    "desk_teams",
    "team_weights",
    "staffed_agent_days",
    "pool_background_per_ticket",
    "lognormal_service_parameters",
    "gamma_service_parameters",
    "relationship_response_probability",
    "mode_response_probability",
    "survey_reading",
    "comment_sentiment",
    "comment_topic",
    "COMMENT_NEGATIVE_BELOW",
    "COMMENT_POSITIVE_FROM",
    "COMMENT_SENTIMENT_NOISE",
    "COMMENT_CAUSE_SHARE",
    "order_discount",
    "is_membership_upgrade",
    "DETRACTOR_MAX",
    "dirichlet_concentrations",
    "poisson_inverse",
    "extra_line_category",
    "order_value",
    "service_effect",
    "service_churn_scaled",
    "offer_conversion_scaled",
    "renewal_cancel_probability",
    "sbg_survival",
    "is_detractor",
    "word_of_mouth_tells",
    "negbin_trials",
    "DAYS_PER_YEAR",
    "NEW_DAYS",
    "WON_BACK_DAYS",
    "DORMANT_WAIT_DAYS",
    "AT_RISK_LEAVE_PROB",
    "AT_RISK_SATISFACTION",
    "order_margin",
    "daily_discount_rate",
    "true_clv_retail",
    "true_clv_subscription",
    "true_stage",
    "exit_stated_reason",
    "exit_confusion_probability",
    "winback_reason_multiplier",
    "reason_winback_probability",
]
