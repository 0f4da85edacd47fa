"""Service operations (chapter 06): intake channels, chasers, acceptance at the follow-up, agent
skill, the knowledge base and reopened tickets.

Part of :mod:`sim.world.model` (read its overview first); every function is one named equation.
"""

from __future__ import annotations

import math

from sim.world.model.base import logistic, logit

__all__ = [
    "ACCEPTANCE_BREACH_PENALTY",
    "acceptance_probability",
    "knowledge_base_factor",
    "agent_skill_multiplier",
    "ticket_first_response_target",
    "chaser_rate_after",
    "reopened_severity",
]

#: Log-odds of accepting a resolution lost when the ticket breached its SLA.
ACCEPTANCE_BREACH_PENALTY = 1.0


def acceptance_probability(
    s: float,
    met: bool,
    base: float,
    slope: float,
    s_ref: float = 8.0,
    breach_penalty: float = ACCEPTANCE_BREACH_PENALTY,
) -> float:
    """Probability that a customer accepts a ticket's resolution at the follow-up call (CP2).

    ``logistic(logit(base) + slope * (s - s_ref) - breach_penalty * (not met))``: a satisfied customer
    whose ticket met its SLA accepts most often; ``s`` is latent satisfaction at the call.

    Examples
    --------
    >>> round(acceptance_probability(8.0, True, 0.85, 0.3), 4)
    0.85
    >>> acceptance_probability(5.0, False, 0.85, 0.3) < acceptance_probability(5.0, True, 0.85, 0.3) < 0.85
    True
    """
    z = logit(base) + slope * (s - s_ref) - (0.0 if met else breach_penalty)
    return logistic(z)


def knowledge_base_factor(n_resolved: float, max_reduction: float, half_tickets: float) -> float:
    """Handling-time multiplier of a knowledge base after ``n_resolved`` tickets of the same cause.

    ``1 - max_reduction * n / (n + half_tickets)``: a learning curve from 1 (nothing recorded yet)
    towards ``1 - max_reduction``, half-way after ``half_tickets`` tickets (CP12, TM5).

    Examples
    --------
    >>> knowledge_base_factor(0, 0.3, 200), knowledge_base_factor(200, 0.3, 200)
    (1.0, 0.85)
    """
    return 1.0 - max_reduction * n_resolved / (n_resolved + half_tickets)


def agent_skill_multiplier(z: float, sd: float) -> float:
    """An agent's handling-time multiplier from a standard normal draw ``z``: ``exp(sd*z - sd^2/2)``
    (lognormal with mean 1, so skill spreads agents without changing the desk's mean load).

    Examples
    --------
    >>> agent_skill_multiplier(0.0, 0.0), round(agent_skill_multiplier(1.0, 0.5), 4)
    (1.0, 1.4550)
    """
    return math.exp(sd * z - 0.5 * sd * sd)


def ticket_first_response_target(severity_target_h: float, channel_target_h: float | None) -> float:
    """A ticket's first-response target (hours): the stricter of its severity's and its intake
    channel's (``desk.channel_first_response_h``; ``None`` when the channel has none).

    Examples
    --------
    >>> ticket_first_response_target(24.0, 1.0), ticket_first_response_target(0.25, 1.0), ticket_first_response_target(4.0, None)
    (1.0, 0.25, 4.0)
    """
    if channel_target_h is None:
        return severity_target_h
    return min(severity_target_h, channel_target_h)


def chaser_rate_after(wait_days: float, target_days: float, rate_per_day: float) -> float:
    """Chaser intensity (per day) of a customer still waiting ``wait_days`` for a first response.

    Zero until the first-response target, ``rate_per_day`` afterwards: chasers form a Poisson
    process over the excess wait, so their expected number is ``rate x max(0, wait - target)``
    and complaints rise with waiting time (CP10).

    Examples
    --------
    >>> chaser_rate_after(0.5, 1.0, 2.0), chaser_rate_after(1.5, 1.0, 2.0)
    (0.0, 2.0)
    """
    return rate_per_day if wait_days > target_days else 0.0


def reopened_severity(rank: int) -> int:
    """Severity rank of a reopened ticket: one level more urgent, not beyond P1 (rank 1); a P0 stays P0.

    Examples
    --------
    >>> [reopened_severity(r) for r in (0, 1, 2, 3)]
    [0, 1, 1, 2]
    """
    return rank if rank <= 1 else rank - 1
