"""The service-operations part of a :class:`~sim.config.scenario.Scenario`: complaints, the desk, SLA targets.

``scenario.complaints`` (how orders raise tickets, intake channels, chasers, acceptance at the
follow-up) and ``scenario.desk`` (agents, handling times, SLA targets per severity and channel).
The equations are in :mod:`sim.world.model.operations` and :mod:`sim.world.desk`.

Examples
--------
>>> from sim.config.scenario_service import Desk
>>> Desk().sla["P3"].resolution_h
24.0
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel, check_shares
from sim.config.limits import MAX_AGENTS, MAX_CHASER_RATE, Hours, Probability, Real, Share, UnitMoney, Whole, short
from sim.schema import CAUSES, SEVERITIES, TICKET_CHANNELS

__all__ = ["Acceptance", "Complaints", "Desk", "ServiceTime", "SLATarget"]


class Acceptance(StrictModel):
    """Acceptance of a resolution at the policy's follow-up call (CP2; ``policy.service.follow_up``).

    P(accept) = :func:`~sim.world.model.acceptance_probability`: logistic(logit(base) + slope x
    (s - satisfaction.reference) - a breach penalty); not accepted: the ticket is reopened (a new
    ticket, one severity level more urgent, not beyond P1).
    """

    enabled: bool = False
    # open interval: the equation takes logit(base) (0 or 1 would be a certain answer, log of 0)
    base: Probability = Field(
        default=0.85, gt=0.0, lt=1.0, description="P(accept) at the reference satisfaction, SLA met"
    )
    slope: Real = Field(default=0.3, ge=0.0, le=5.0, description="log-odds per satisfaction point")


class Complaints(StrictModel):
    """Orders raise tickets; quality problems raise them far more often."""

    enabled: bool = True
    quality_issue_prob: Probability = Field(default=0.06, description="share of orders")
    complaint_prob_issue: Probability = Field(default=0.45, description="per order with an issue")
    complaint_prob_ok: Probability = Field(default=0.02, description="per order without an issue")
    cause_mix: dict[str, Share] = Field(default_factory=lambda: {"service": 0.45, "price": 0.35, "communication": 0.20})
    severity_mix: dict[str, Share] = Field(default_factory=lambda: {"P0": 0.01, "P1": 0.09, "P2": 0.30, "P3": 0.60})
    churn_prob_after_breach: Probability = Field(default=0.15, description="per breached ticket")
    churn_prob_after_met: Probability = Field(default=0.02, description="per ticket within its SLA")
    channel_mix: dict[str, Share] = Field(
        default_factory=dict,
        description='intake channel shares over phone, chat, email, app, social ({} = off: channel "")',
    )
    chaser_rate_per_day: Real = Field(
        default=0.0,
        ge=0.0,
        le=MAX_CHASER_RATE,
        description="chasers per day of waiting past the first-response target (CP10; 0 = off)",
    )
    acceptance: Acceptance = Field(default_factory=Acceptance)

    @field_validator("channel_mix")
    @classmethod
    def _channel_mix(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, TICKET_CHANNELS, "ticket channel") if v else v

    @field_validator("cause_mix")
    @classmethod
    def _cause_mix(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, CAUSES, "complaint causes")

    @field_validator("severity_mix")
    @classmethod
    def _severity_mix(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, SEVERITIES, "severity mix")


class ServiceTime(StrictModel):
    """Agent handling time per ticket, in hours."""

    distribution: Literal["exponential", "lognormal", "gamma"] = "lognormal"
    mean_h: dict[str, Hours] = Field(default_factory=lambda: {"P0": 3.0, "P1": 2.5, "P2": 2.0, "P3": 1.5})
    cv: Real = Field(default=0.8, ge=0.01, le=10.0, description="coefficient of variation")

    @field_validator("mean_h")
    @classmethod
    def _means(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in v if k not in SEVERITIES]
        missing = [k for k in SEVERITIES if k not in v]
        if unknown or missing:
            raise ValueError(f"give a mean for each of {list(SEVERITIES)} (unknown: {unknown}, missing: {missing})")
        return v


class SLATarget(StrictModel):
    """Service-level targets of one severity, in hours."""

    first_response_h: Hours
    resolution_h: Hours

    @model_validator(mode="after")
    def _order(self) -> SLATarget:
        if self.resolution_h < self.first_response_h:
            raise ValueError(
                f"resolution_h ({self.resolution_h}) must be >= first_response_h ({self.first_response_h})"
            )
        return self


def _default_sla() -> dict[str, SLATarget]:
    # P0 and P3 from seed 002 (P0: response team within 15 minutes; P3: solution within 24 hours).
    # P1 and P2 are documented assumptions (the seeds give no figures).
    return {
        "P0": SLATarget(first_response_h=0.25, resolution_h=4.0),
        "P1": SLATarget(first_response_h=1.0, resolution_h=8.0),
        "P2": SLATarget(first_response_h=4.0, resolution_h=16.0),
        "P3": SLATarget(first_response_h=8.0, resolution_h=24.0),
    }


class Desk(StrictModel):
    """The service desk: agents on duty (around the clock), handling times and SLA targets."""

    agents: Whole = Field(default=1, ge=1, le=MAX_AGENTS, description="agents on duty around the clock")
    scale_with_customers: bool = True
    cost_per_agent_day: UnitMoney = Field(default=600.0, description="currency per agent-day")
    service_time: ServiceTime = Field(default_factory=ServiceTime)
    sla: dict[str, SLATarget] = Field(default_factory=_default_sla)
    channel_first_response_h: dict[str, Hours] = Field(
        default_factory=dict,
        description="first-response target per intake channel; a ticket's target is min(severity, channel) (CP3)",
    )
    agent_skill_sd: Real = Field(
        default=0.0,
        ge=0.0,
        le=3.0,
        description="sd of each agent's latent log handling-time multiplier (0 = all agents alike)",
    )

    @field_validator("channel_first_response_h")
    @classmethod
    def _channel_targets(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in v if k not in TICKET_CHANNELS]
        if unknown:
            raise ValueError(f"unknown ticket channel(s) {short(unknown)}; allowed: {list(TICKET_CHANNELS)}")
        return v

    @field_validator("sla")
    @classmethod
    def _sla(cls, v: dict[str, SLATarget]) -> dict[str, SLATarget]:
        unknown = [k for k in v if k not in SEVERITIES]
        missing = [k for k in SEVERITIES if k not in v]
        if unknown or missing:
            raise ValueError(
                f"give SLA targets for each of {list(SEVERITIES)} (unknown: {unknown}, missing: {missing})"
            )
        return v
