"""Complaints and the service desk: tickets, SLA targets, staffing that scales, handling times.

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
"""

from __future__ import annotations

import math

from sim.world.model.base import ATTRIBUTION_SPAN

__all__ = [
    "complaint_probability",
    "sla_met",
    "target_met",
    "churn_attribution_probability",
    "service_churn_probability",
    "scaled_agents",
    "desk_share",
    "desk_teams",
    "team_weights",
    "staffed_agent_days",
    "pool_background_per_ticket",
    "lognormal_service_parameters",
    "gamma_service_parameters",
    "POOL_SPREAD_DAYS",
]


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


# ---------------------------------------------------------------------------------- after a ticket; whole agents
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
