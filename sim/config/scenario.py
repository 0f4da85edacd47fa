"""The world a simulation runs in: :class:`Scenario`.

A scenario holds every parameter of the customer base and of the service desk. It is a
validated pydantic model: unknown keys, wrong types, negative rates, probabilities outside
[0, 1] and mixes that do not sum to 1 raise one :class:`sim.errors.ConfigError` naming the
field, the value and what is allowed.

Time is in days, money in ``currency`` units, desk durations in hours. The purchase process
is BG/NBD and the spend process Gamma-Gamma (the equations are in :mod:`sim.world.model`);
the other mechanisms are layered on top and each can be switched off (``btyd_only`` switches
all of them off).

Examples
--------
>>> import sim
>>> sc = sim.Scenario.load("baseline")
>>> sc.desk.sla["P0"].first_response_h
0.25
>>> sc.updated({"desk.agents": 5}).desk.agents
5
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel, YamlMixin, apply_changes, check_shares, load_yaml_model, validate_model
from sim.schema import CAUSES, CHURN_REASONS, SEVERITIES

__all__ = [
    "Scenario",
    "SEVERITIES",
    "CAUSES",
    "CHURN_REASONS",
    "PRESET_DIR",
    "list_presets",
]

PRESET_DIR = Path(__file__).parent / "presets" / "scenarios"

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Score10 = Annotated[float, Field(ge=0.0, le=10.0)]


class Channel(StrictModel):
    """An acquisition channel: its share of paid acquisitions and cost per acquired customer."""

    share: Probability
    cac: NonNegative


class Referral(StrictModel):
    """Promoters refer friends: after an order by a customer with satisfaction >= 9,
    a referred customer arrives with probability ``prob_per_promoter_order``."""

    enabled: bool = True
    prob_per_promoter_order: Probability = 0.05
    cac: NonNegative = 30.0


class Population(StrictModel):
    """Who arrives, when, through which channel."""

    customers: Annotated[int, Field(ge=1, le=10_000_000)] = 5000
    initial_share: Probability = 0.0
    channels: dict[str, Channel] = Field(
        default_factory=lambda: {
            "search": Channel(share=0.40, cac=120.0),
            "social": Channel(share=0.35, cac=90.0),
            "marketplace": Channel(share=0.25, cac=60.0),
        }
    )
    consent_rate: Probability = 0.7
    referral: Referral = Field(default_factory=Referral)

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, Channel]) -> dict[str, Channel]:
        if not v:
            raise ValueError("at least one acquisition channel is needed")
        if "referral" in v:
            raise ValueError("'referral' is reserved for referred customers (configure population.referral)")
        total = sum(c.share for c in v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"channel shares must sum to 1, they sum to {total:.6g}")
        return v


class Purchase(StrictModel):
    """BG/NBD purchase process, time unit days: lambda ~ Gamma(shape r, rate alpha), p ~ Beta(a, b).

    ``dropout_after_first: true`` gives the MBG/NBD variant (Batislam, Gursoy & Leeflang 2007):
    a customer may also drop out right after the first (acquisition) order, so one-time buyers can
    be gone — in plain BG/NBD they are always alive.
    """

    dropout_after_first: bool = False
    r: Positive = 0.6
    alpha: Positive = 60.0
    a: Positive = 0.8
    b: Positive = 5.0


class Spend(StrictModel):
    """Gamma-Gamma spend: nu ~ Gamma(shape q, rate gamma); each order ~ Gamma(shape p, rate nu).

    The mean order value is ``p * gamma / (q - 1)``; ``q`` must exceed 1 for it to exist.
    """

    p: Positive = 6.0
    q: Annotated[float, Field(gt=1.0)] = 4.0
    gamma: Positive = 150.0


class SatisfactionEffects(StrictModel):
    """Jumps of latent satisfaction (0-10 scale) caused by experiences."""

    good_order: float = 0.05
    quality_issue: float = -1.5
    sla_met: float = 0.6
    sla_breached: float = -1.2


class Satisfaction(StrictModel):
    """Latent satisfaction s_i in [0, 10] and its links to purchasing and dropout.

    purchase rate = lambda_i * exp(rate_elasticity * (s - reference));
    dropout logit = logit(p_i) - dropout_shift * (s - reference);
    between experiences s relaxes back to the customer's own starting level with the given half-life.
    """

    enabled: bool = True
    initial_mean: Score10 = 8.0
    initial_sd: NonNegative = 1.2
    reference: Score10 = 8.0
    rate_elasticity: NonNegative = 0.08
    dropout_shift: NonNegative = 0.35
    half_life_days: Positive = 60.0
    effects: SatisfactionEffects = Field(default_factory=SatisfactionEffects)


class Complaints(StrictModel):
    """Orders raise tickets; quality problems raise them far more often."""

    enabled: bool = True
    quality_issue_prob: Probability = 0.06
    complaint_prob_issue: Probability = 0.45
    complaint_prob_ok: Probability = 0.02
    cause_mix: dict[str, float] = Field(default_factory=lambda: {"service": 0.45, "price": 0.35, "communication": 0.20})
    severity_mix: dict[str, float] = Field(default_factory=lambda: {"P0": 0.01, "P1": 0.09, "P2": 0.30, "P3": 0.60})
    churn_prob_after_breach: Probability = 0.15
    churn_prob_after_met: Probability = 0.02

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
    mean_h: dict[str, Positive] = Field(default_factory=lambda: {"P0": 3.0, "P1": 2.5, "P2": 2.0, "P3": 1.5})
    cv: Positive = 0.8

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

    first_response_h: Positive
    resolution_h: Positive

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

    agents: Annotated[int, Field(ge=1, le=10_000)] = 1
    scale_with_customers: bool = True
    cost_per_agent_day: NonNegative = 600.0
    service_time: ServiceTime = Field(default_factory=ServiceTime)
    sla: dict[str, SLATarget] = Field(default_factory=_default_sla)

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


class Surveys(StrictModel):
    """Survey answers are noisy readings of latent satisfaction.

    Response probability = logistic(logit(rate) + nonresponse_bias * (reference - s)):
    a positive bias makes unhappy customers answer more often.
    """

    enabled: bool = True
    post_purchase_rate: Probability = 0.10
    post_ticket_rate: Probability = 0.30
    relationship_interval_days: Positive = 91.0
    relationship_rate: Probability = 0.15
    churned_response_factor: Probability = 0.3
    noise_sd: NonNegative = 1.0
    nonresponse_bias: float = 0.15


class Churn(StrictModel):
    """Ground-truth churn reasons for dropouts not explained by a bad experience."""

    reason_mix: dict[str, float] = Field(
        default_factory=lambda: {
            "price": 0.35,
            "need_mismatch": 0.35,
            "product": 0.15,
            "service": 0.10,
            "communication": 0.05,
        }
    )

    @field_validator("reason_mix")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, CHURN_REASONS, "churn reasons")


class MarketEvent(StrictModel):
    """A scheduled shock for what-ifs.

    ``competitor_price_cut``: from ``day`` for ``duration_days`` every customer's purchase rate is
    multiplied by ``rate_multiplier`` and their dropout logit raised by ``dropout_shift``.
    ``outage``: at ``day`` a P0 incident makes ``tickets`` customers (chosen at random among those
    alive) complain at once, with cause *service* and severity ``severity``.
    """

    kind: Literal["competitor_price_cut", "outage"]
    day: NonNegative
    duration_days: Positive = 30.0
    rate_multiplier: Positive = 0.8
    dropout_shift: float = 0.5
    tickets: Annotated[int, Field(ge=0)] = 100
    severity: Literal["P0", "P1", "P2", "P3"] = "P0"


class Scenario(YamlMixin, StrictModel):
    """The simulated world: customers, their behaviour, and the service desk.

    Load a named preset with :meth:`load` (``baseline``, ``btyd_only``) or a YAML file; change
    fields with :meth:`updated`; save with :meth:`to_yaml`.

    Examples
    --------
    >>> import sim
    >>> sc = sim.Scenario.load("btyd_only")
    >>> sc.satisfaction.enabled, sc.complaints.enabled
    (False, False)
    >>> round(sc.spend.p * sc.spend.gamma / (sc.spend.q - 1), 2)   # mean order value
    300.0
    """

    name: str = "custom"
    description: str = ""
    currency: str = "CNY"
    start_date: dt.date = dt.date(2025, 1, 1)
    horizon_days: Annotated[float, Field(gt=0, le=3650)] = 730.0
    margin_rate: Probability = 0.35
    population: Population = Field(default_factory=Population)
    purchase: Purchase = Field(default_factory=Purchase)
    spend: Spend = Field(default_factory=Spend)
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)
    complaints: Complaints = Field(default_factory=Complaints)
    desk: Desk = Field(default_factory=Desk)
    surveys: Surveys = Field(default_factory=Surveys)
    churn: Churn = Field(default_factory=Churn)
    market_events: list[MarketEvent] = Field(default_factory=list)

    @classmethod
    def load(cls, name_or_path: str | Path) -> Scenario:
        """Load a preset by name (``baseline``, ``btyd_only``, ...) or a scenario YAML file.

        Examples
        --------
        >>> Scenario.load("baseline").name
        'baseline'
        """
        return load_yaml_model(cls, name_or_path, preset_dir=PRESET_DIR, what="scenario")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Validate a mapping into a scenario (clear :class:`ConfigError` on bad input)."""
        return validate_model(cls, data, what="scenario")

    def updated(self, changes: dict[str, Any]) -> Scenario:
        """A validated copy with dotted-path fields replaced.

        Examples
        --------
        >>> sc = Scenario.load("baseline").updated({"desk.agents": 4, "purchase.r": 0.8})
        >>> sc.desk.agents, sc.purchase.r
        (4, 0.8)
        """
        return self.from_dict(apply_changes(self.to_dict(), changes, what="scenario"))

    def mean_order_value(self) -> float:
        """Expected order value under the Gamma-Gamma model, ``p * gamma / (q - 1)``."""
        return self.spend.p * self.spend.gamma / (self.spend.q - 1.0)


def list_presets() -> list[str]:
    """Names of the scenario presets shipped in ``sim/config/presets/scenarios``.

    Examples
    --------
    >>> "baseline" in list_presets()
    True
    """
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
