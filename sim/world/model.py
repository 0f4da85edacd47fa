"""The model: every equation of the simulated world, one named function each, with its units.

This module is the model a reader should learn; the engines only schedule it. The readable
engine (:mod:`sim.world.reference`) calls these functions; the fast engine
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

Surveys
    Response probability rises as satisfaction falls when ``nonresponse_bias > 0``
    (:func:`survey_response_probability`); answers are noisy readings of ``s``
    (:func:`nps_answer`, :func:`csat_answer`, :func:`ces_answer`).

Firm actions, membership and the market
    :func:`winback_probability`, :func:`is_fatigued`, :func:`conversion_probability`,
    :func:`membership_rate_multiplier`; market shocks multiply the rate and shift the dropout
    logit (:func:`shocked_rate_factor`, :func:`shocked_dropout_shift`).

Examples
--------
>>> round(purchase_rate(0.02, s=8.0, s_ref=8.0, rate_elasticity=0.08), 6)
0.02
>>> round(dropout_probability(logit(0.3), s=6.0, s_ref=8.0, dropout_shift=0.35), 4)   # unhappy: likelier to leave
0.4632
"""

from __future__ import annotations

import math

__all__ = [
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
    "order_discount",
    "is_membership_upgrade",
]

# ---------------------------------------------------------------------------------- constants
#: Hours in a day: desk targets and handling times are in hours, the clock in days.
HOURS_PER_DAY = 24.0
#: Bounds of the satisfaction scale.
S_MIN = 0.0
S_MAX = 10.0
#: A customer with satisfaction at or above this is a promoter (NPS 9-10) and may refer.
PROMOTER_MIN = 9.0
#: Latent dropout probabilities are kept this far inside (0, 1) so their logit is finite.
PROB_EPS = 1e-12
#: Survey response rates are kept this far inside (0, 1) before taking their logit.
RATE_EPS = 1e-9
#: A dropout is blamed on the last bad experience with probability (s_ref - s) / ATTRIBUTION_SPAN.
ATTRIBUTION_SPAN = 3.0
#: CSAT (1-5) answer = CSAT_INTERCEPT + CSAT_SLOPE * s + noise.
CSAT_INTERCEPT = 1.0
CSAT_SLOPE = 0.4
#: CES (1-7) answer = CES_INTERCEPT + CES_SLOPE * log2(1 + hours / CES_HALF_HOURS) + breach penalty + noise.
CES_INTERCEPT = 1.0
CES_SLOPE = 1.2
CES_HALF_HOURS = 2.0
CES_BREACH_PENALTY = 1.0
#: CSAT and CES answers carry this fraction of the survey noise (their scales are narrower than NPS's).
ANSWER_NOISE_FACTOR = 0.5

_LN2 = math.log(2.0)


# ---------------------------------------------------------------------------------- helpers
def logistic(z: float) -> float:
    """The logistic function ``1 / (1 + exp(-z))`` (a probability).

    Examples
    --------
    >>> logistic(0.0)
    0.5
    """
    return 1.0 / (1.0 + math.exp(-z))


def logit(p: float) -> float:
    """The log-odds ``log(p / (1 - p))`` of a probability in (0, 1).

    Examples
    --------
    >>> logit(0.5)
    0.0
    """
    return math.log(p / (1.0 - p))


def rate_logit(rate: float) -> float:
    """The logit of a survey response rate, kept :data:`RATE_EPS` inside (0, 1).

    Examples
    --------
    >>> round(rate_logit(0.0), 2), rate_logit(0.5)
    (-20.72, 0.0)
    """
    return logit(min(max(rate, RATE_EPS), 1 - RATE_EPS))


# ---------------------------------------------------------------------------------- satisfaction
def clip_satisfaction(s: float) -> float:
    """Satisfaction kept on its 0-10 scale.

    Examples
    --------
    >>> clip_satisfaction(11.2), clip_satisfaction(-0.5), clip_satisfaction(7.0)
    (10.0, 0.0, 7.0)
    """
    return S_MIN if s < S_MIN else (S_MAX if s > S_MAX else s)


def satisfaction_decay_rate(half_life_days: float) -> float:
    """Relaxation rate (per day) of satisfaction toward its starting level: ``ln 2 / half-life``.

    Examples
    --------
    >>> round(satisfaction_decay_rate(60.0) * 60.0, 6)   # ln 2 over one half-life
    0.693147
    """
    return _LN2 / half_life_days


def relaxed_satisfaction(s_then: float, s0: float, elapsed_days: float, decay_rate: float) -> float:
    """Satisfaction ``elapsed_days`` after it was ``s_then``: back toward ``s0`` exponentially.

    ``s(t) = s0 + (s_then - s0) * exp(-decay_rate * elapsed)``; after one half-life half of the
    gap to ``s0`` is gone.

    Examples
    --------
    >>> relaxed_satisfaction(6.0, 8.0, 60.0, satisfaction_decay_rate(60.0))
    7.0
    """
    return s0 + (s_then - s0) * math.exp(-decay_rate * elapsed_days)


def satisfaction_after(s_now: float, effect: float) -> float:
    """Satisfaction right after an experience with the given effect (clipped to 0-10).

    Effects (scenario ``satisfaction.effects`` and policy levers): a good order, a quality issue, a
    ticket resolved within or outside its SLA, a bot's resolution, a care contact, an offer, a
    membership upgrade, contact fatigue (negative).

    Examples
    --------
    >>> satisfaction_after(7.5, -1.5), satisfaction_after(9.8, 0.6)
    (6.0, 10.0)
    """
    return clip_satisfaction(s_now + effect)


# ---------------------------------------------------------------------------------- buying and leaving
def purchase_rate(
    lam: float,
    s: float,
    s_ref: float,
    rate_elasticity: float,
    membership_multiplier: float = 1.0,
    market_factor: float = 1.0,
) -> float:
    """Orders per day of an alive customer.

    ``lambda_i * membership * market * exp(rate_elasticity * (s - s_ref))``; with satisfaction off
    (``rate_elasticity = 0``) and no membership or market effect it is BG/NBD's ``lambda_i``.

    Examples
    --------
    >>> round(purchase_rate(0.02, 9.0, 8.0, 0.08, membership_multiplier=1.1), 6)
    0.023832
    """
    rate = lam * membership_multiplier * market_factor
    if rate_elasticity:
        rate *= math.exp(rate_elasticity * (s - s_ref))
    return rate


def dropout_logit(
    logit_p: float,
    s: float,
    s_ref: float,
    dropout_shift: float,
    market_shift: float = 0.0,
    membership_shift: float = 0.0,
) -> float:
    """Log-odds of dropping out after an order.

    ``logit(p_i) + market_shift - membership_shift - dropout_shift * (s - s_ref)``: happier
    customers, members (switching cost) and calm markets keep customers.

    Examples
    --------
    >>> dropout_logit(0.0, 8.0, 8.0, 0.35, market_shift=0.5, membership_shift=0.2)
    0.3
    """
    z = logit_p + market_shift - membership_shift
    if dropout_shift:
        z -= dropout_shift * (s - s_ref)
    return z


def dropout_probability(
    logit_p: float,
    s: float,
    s_ref: float,
    dropout_shift: float,
    market_shift: float = 0.0,
    membership_shift: float = 0.0,
) -> float:
    """Probability of dropping out after an order: :func:`logistic` of :func:`dropout_logit`.

    Examples
    --------
    >>> round(dropout_probability(logit(0.3), 8.0, 8.0, 0.35), 12)   # at the reference: BG/NBD's p
    0.3
    """
    return logistic(dropout_logit(logit_p, s, s_ref, dropout_shift, market_shift, membership_shift))


def order_amount(gamma_draw: float, nu: float) -> float:
    """Value of one order (currency): a ``Gamma(p, 1)`` draw over the customer's spend rate ``nu_i``.

    So the value is ``Gamma(p, rate nu_i)`` with mean ``p / nu_i`` (Gamma-Gamma).

    Examples
    --------
    >>> order_amount(6.0, 0.05)
    120.0
    """
    return gamma_draw / nu


# ---------------------------------------------------------------------------------- complaints and service
def complaint_probability(quality_issue: bool, prob_if_issue: float, prob_if_ok: float) -> float:
    """Probability that an order raises a ticket (far higher after a quality issue).

    Examples
    --------
    >>> complaint_probability(True, 0.45, 0.02), complaint_probability(False, 0.45, 0.02)
    (0.45, 0.02)
    """
    return prob_if_issue if quality_issue else prob_if_ok


def sla_met(
    wait_days: float, resolution_days: float, first_response_target_days: float, resolution_target_days: float
) -> bool:
    """Whether a resolved ticket met both targets of its severity (first response and resolution).

    Examples
    --------
    >>> sla_met(0.02, 0.5, 0.25 / 24, 1.0), sla_met(0.005, 0.5, 0.25 / 24, 1.0)
    (False, True)
    """
    return (wait_days <= first_response_target_days) and (resolution_days <= resolution_target_days)


def target_met(actual_h: float, target_h: float, elapsed_h: float) -> bool | None:
    """Whether a ticket met one SLA target (first response or resolution), as the tables report it.

    Decided once the event happened (``actual_h <= target_h``), or once the target passed while the
    ticket is still waiting (a breach); ``None`` (not yet known) while it is open within its target.
    ``actual_h`` is NaN while the event has not happened; ``elapsed_h`` is the ticket's age now.

    Examples
    --------
    >>> target_met(0.2, 0.25, 5.0), target_met(float("nan"), 24.0, 30.0), target_met(float("nan"), 24.0, 3.0)
    (True, False, None)
    """
    if not math.isnan(actual_h):
        return actual_h <= target_h
    return False if elapsed_h > target_h else None


def churn_attribution_probability(s: float, s_ref: float) -> float:
    """Probability that a dropout is blamed on the customer's last bad experience.

    ``min(1, (s_ref - s) / ATTRIBUTION_SPAN)`` below the reference, 0 at or above it; otherwise the
    reason comes from the scenario's ``churn.reason_mix``.

    Examples
    --------
    >>> churn_attribution_probability(6.5, 8.0), churn_attribution_probability(8.5, 8.0)
    (0.5, 0.0)
    """
    if s >= s_ref:
        return 0.0
    return min(1.0, (s_ref - s) / ATTRIBUTION_SPAN)


# ---------------------------------------------------------------------------------- surveys
def survey_response_probability(logit_rate: float, nonresponse_bias: float, s_ref: float, s: float) -> float:
    """Probability of answering a survey: ``logistic(logit(rate) + bias * (s_ref - s))``.

    A positive bias makes unhappy customers answer more often (non-response bias).

    Examples
    --------
    >>> round(survey_response_probability(rate_logit(0.1), 0.15, 8.0, 8.0), 6)
    0.1
    """
    return logistic(logit_rate + nonresponse_bias * (s_ref - s))


def survey_response_bound(logit_rate: float, nonresponse_bias: float, s_ref: float) -> float:
    """The largest response probability over ``s`` in [0, 10] (for exact thinning of surveys).

    Examples
    --------
    >>> survey_response_bound(0.0, 0.15, 8.0) == survey_response_probability(0.0, 0.15, 8.0, 0.0)
    True
    """
    return logistic(logit_rate + max(nonresponse_bias * s_ref, nonresponse_bias * (s_ref - S_MAX)))


def nps_answer(s: float, noise_sd: float, z: float) -> int:
    """NPS answer (0-10): satisfaction plus noise ``noise_sd * z`` (z standard normal), rounded.

    Examples
    --------
    >>> nps_answer(8.4, 1.0, 0.0), nps_answer(9.6, 1.0, 1.0), nps_answer(0.2, 1.0, -1.0)
    (8, 10, 0)
    """
    x = round(s + noise_sd * z)
    return 0 if x < 0 else (10 if x > 10 else int(x))


def csat_answer(s: float, noise_sd: float, z: float) -> int:
    """CSAT answer (1-5): ``1 + 0.4 s`` plus half the survey noise, rounded.

    Examples
    --------
    >>> csat_answer(10.0, 1.0, 0.0), csat_answer(5.0, 1.0, 0.0), csat_answer(0.0, 1.0, -2.0)
    (5, 3, 1)
    """
    x = round(CSAT_INTERCEPT + CSAT_SLOPE * s + ANSWER_NOISE_FACTOR * noise_sd * z)
    return 1 if x < 1 else (5 if x > 5 else int(x))


def ces_answer(resolution_h: float, met: bool, noise_sd: float, z: float) -> int:
    """Customer-effort answer (1-7, lower is better): grows with the hours to resolution and a breach.

    ``1 + 1.2 log2(1 + hours / 2) + (1 if breached) + noise``, rounded and clipped.

    Examples
    --------
    >>> ces_answer(0.0, True, 1.0, 0.0), ces_answer(6.0, True, 1.0, 0.0), ces_answer(48.0, False, 1.0, 0.0)
    (1, 3, 7)
    """
    x = round(
        CES_INTERCEPT
        + CES_SLOPE * math.log2(1.0 + resolution_h / CES_HALF_HOURS)
        + (0.0 if met else CES_BREACH_PENALTY)
        + ANSWER_NOISE_FACTOR * noise_sd * z
    )
    return 1 if x < 1 else (7 if x > 7 else int(x))


def is_promoter(s: float) -> bool:
    """Whether a customer is a promoter (satisfaction at least :data:`PROMOTER_MIN`) and may refer.

    Examples
    --------
    >>> is_promoter(9.0), is_promoter(8.99)
    (True, False)
    """
    return s >= PROMOTER_MIN


# ---------------------------------------------------------------------------------- firm actions, membership, market
def winback_probability(base_prob: float, days_since_lapse: float, half_life_days: float) -> float:
    """Probability that an opened win-back offer reactivates a truly lapsed customer.

    ``base * 0.5 ** (days since lapse / half-life)``: the longer gone, the harder to win back.

    Examples
    --------
    >>> winback_probability(0.2, 90.0, 90.0)
    0.1
    """
    return base_prob * 0.5 ** (days_since_lapse / half_life_days)


def is_fatigued(contacts_in_window: int, free_contacts: int) -> bool:
    """Whether a contact exceeds the free allowance within the fatigue window (it then lowers
    satisfaction and may opt the customer out).

    Examples
    --------
    >>> is_fatigued(4, 3), is_fatigued(3, 3)
    (True, False)
    """
    return contacts_in_window > free_contacts


def conversion_probability(convert_rate: float, offer_multiplier: float = 1.0) -> float:
    """Probability that an opened contact converts into an immediate order.

    Examples
    --------
    >>> conversion_probability(0.05, 2.0), conversion_probability(0.6, 2.0)
    (0.1, 1.0)
    """
    return min(1.0, convert_rate * offer_multiplier)


def membership_rate_multiplier(rate_uplift: float) -> float:
    """Purchase-rate multiplier of a membership level: ``1 + rate_uplift``.

    Examples
    --------
    >>> membership_rate_multiplier(0.15)
    1.15
    """
    return 1.0 + rate_uplift


def shocked_rate_factor(current: float, multiplier: float) -> float:
    """Market purchase-rate factor after a shock starts (``multiplier``) or ends (``1 / multiplier``).

    Examples
    --------
    >>> shocked_rate_factor(1.0, 0.8), round(shocked_rate_factor(0.8, 1 / 0.8), 12)
    (0.8, 1.0)
    """
    return current * multiplier


def shocked_dropout_shift(current: float, shift: float) -> float:
    """Market dropout-logit shift after a shock starts (``+shift``) or ends (``-shift``).

    Examples
    --------
    >>> shocked_dropout_shift(0.0, 0.4), shocked_dropout_shift(0.4, -0.4)
    (0.4, 0.0)
    """
    return current + shift


# ---------------------------------------------------------------------------------- service, surveys, offers (continued)
def service_churn_probability(met: bool, prob_after_met: float, prob_after_breach: float) -> float:
    """Probability that a customer leaves at once after a service experience.

    Scenario ``complaints.churn_prob_after_met`` / ``churn_prob_after_breach``: a ticket that
    breached its SLA (resolved late, or felt as breached when the resolution target passed) kills
    loyalty far more often than one handled within it.

    Examples
    --------
    >>> service_churn_probability(True, 0.01, 0.08), service_churn_probability(False, 0.01, 0.08)
    (0.01, 0.08)
    """
    return prob_after_met if met else prob_after_breach


def scaled_agents(agents: int, customers: int, reference_customers: int) -> int:
    """Whole round-the-clock agents of an own desk in proportion to the customer base (at least one).

    Not the simulator's staffing any more (that is :func:`desk_share`: a small firm buys a share of
    a pool); kept for the bare-loop benchmark, which needs a whole number of agents.

    Examples
    --------
    >>> scaled_agents(3, 5_000, 20_000), scaled_agents(3, 100, 20_000), scaled_agents(3, 40_000, 20_000)
    (1, 1, 6)
    """
    return max(1, round(agents * customers / reference_customers))


# ---------------------------------------------------------------------------------- staffing that scales
#: A pool's other clients send their tickets spread over this many days after each of the firm's.
#: Spread thin, so the shared team sees a smooth load: with a one-day spread, a 200-customer firm's
#: tickets each brought 24 others within a day, and those clumps tripled its waits (mean wait
#: 1.28 h vs 0.13 h at the reference size, SLA compliance 94% vs 99%, 12 seeds); over 30 days the
#: same firm waits 0.10 h and meets 99%. The price is a lag: the pool follows the firm's ticket
#: rate about 15 days late, negligible for a customer base that grows over years.
POOL_SPREAD_DAYS = 30.0


def desk_share(customers: int, reference_customers: int) -> float:
    """Reference desks the firm staffs (``desk.scale_with_customers``): ``customers / reference``.

    The scenario's ``desk.agents`` staff a *reference desk* for ``population.customers``. A firm of
    another size buys this many reference desks: whole *teams* of ``desk.agents`` agents, each
    serving the tickets of ``population.customers`` customers, plus a share of one more team
    shared with other clients (an outsourced pool sized like the reference desk; :func:`desk_teams`).
    Every team therefore runs at the reference desk's utilisation, and the firm's tickets see its
    waiting times at any size (a smaller desk at the same utilisation would wait longer: pooling),
    while staffing and its cost scale continuously (:func:`staffed_agent_days`).

    Examples
    --------
    >>> desk_share(5_000, 5_000), desk_share(2_000, 5_000), desk_share(12_500, 5_000)
    (1.0, 0.4, 2.5)
    """
    return customers / reference_customers


def desk_teams(share: float) -> tuple[int, float]:
    """``(whole teams, share of the shared team)`` for a :func:`desk_share`.

    Examples
    --------
    >>> desk_teams(1.0), desk_teams(0.4), desk_teams(2.5)
    ((1, 0.0), (0, 0.4), (2, 0.5))
    """
    whole = math.floor(share)
    frac = share - whole
    return whole, (frac if frac > 1e-12 else 0.0)


def team_weights(share: float) -> list[float]:
    """Probability that a ticket of the firm goes to each team: in proportion to the firm's share
    of it (1 per whole team, the fraction for the shared team), so each team sees the reference load.

    Examples
    --------
    >>> team_weights(2.5), team_weights(0.4), team_weights(1.0)
    ([0.4, 0.4, 0.2], [1.0], [1.0])
    """
    whole, frac = desk_teams(share)
    weights = [1.0] * whole + ([frac] if frac else [])
    return [w / sum(weights) for w in weights]


def staffed_agent_days(agents: int, share: float) -> float:
    """Agent-days per day the firm pays for: ``agents x share`` (a shared team costs its share).

    Examples
    --------
    >>> staffed_agent_days(1, 0.4), staffed_agent_days(3, 2.5)
    (0.4, 7.5)
    """
    return agents * share


def pool_background_per_ticket(share: float) -> float:
    """Other clients' tickets at the shared team per ticket of the firm: ``(1 - f) / share``.

    The firm sends ``f / share`` of its tickets to the shared team (:func:`team_weights`, ``f`` its
    share of that team); the other clients, sized and behaving like the firm, fill the team to the
    reference load, ``1 / share`` of the firm's tickets. Zero without a shared team.

    Examples
    --------
    >>> pool_background_per_ticket(0.4), pool_background_per_ticket(2.5), pool_background_per_ticket(3.0)
    (1.5, 0.2, 0.0)
    """
    _, frac = desk_teams(share)
    return (1.0 - frac) / share if frac else 0.0


def lognormal_service_parameters(mean_days: float, cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a lognormal handling time with the given mean (days) and coefficient of variation.

    ``sigma^2 = log(1 + cv^2)`` and ``mu = log(mean) - sigma^2 / 2``, so ``E[exp(N(mu, sigma))] = mean``.

    Examples
    --------
    >>> mu, sigma = lognormal_service_parameters(0.5, 1.0)
    >>> round(math.exp(mu + sigma**2 / 2), 12)
    0.5
    """
    s2 = math.log1p(cv * cv)
    return math.log(mean_days) - s2 / 2.0, math.sqrt(s2)


def gamma_service_parameters(mean_days: float, cv: float) -> tuple[float, float]:
    """``(shape, scale)`` of a gamma handling time with the given mean (days) and coefficient of variation.

    ``shape = 1 / cv^2`` and ``scale = mean * cv^2`` (mean = shape x scale).

    Examples
    --------
    >>> gamma_service_parameters(0.5, 0.5)
    (4.0, 0.125)
    """
    return 1.0 / (cv * cv), mean_days * cv * cv


def relationship_response_probability(
    logit_rate: float, nonresponse_bias: float, s_ref: float, s: float, alive: bool, churned_factor: float
) -> float:
    """Probability of answering the periodic NPS survey: :func:`survey_response_probability`,
    times ``churned_response_factor`` for a customer who has (truly) left.

    Examples
    --------
    >>> p = survey_response_probability(0.0, 0.15, 8.0, 8.0)
    >>> relationship_response_probability(0.0, 0.15, 8.0, 8.0, False, 0.3) == p * 0.3
    True
    """
    prob = survey_response_probability(logit_rate, nonresponse_bias, s_ref, s)
    return prob if alive else prob * churned_factor


def order_discount(member_discount: float, offer_discount: float | None) -> float:
    """Discount share on an order: the larger of the membership discount and an unexpired offer's.

    Examples
    --------
    >>> order_discount(0.05, 0.2), order_discount(0.05, None)
    (0.2, 0.05)
    """
    return member_discount if offer_discount is None else max(member_discount, offer_discount)


def is_membership_upgrade(new_multiplier: float, old_multiplier: float, new_shift: float, old_shift: float) -> bool:
    """Whether a membership change is an upgrade (it then lifts satisfaction by ``upgrade_boost``):
    a higher purchase-rate multiplier or a higher dropout shift (switching cost).

    Examples
    --------
    >>> is_membership_upgrade(1.15, 1.05, 0.2, 0.1), is_membership_upgrade(1.0, 1.05, 0.0, 0.1)
    (True, False)
    """
    return new_multiplier > old_multiplier or new_shift > old_shift
