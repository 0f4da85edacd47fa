"""What the firm does: :class:`Policy` — declarative, YAML-loadable, validated.

Every lever acts on the world through a documented mechanism (see ``sim/world/firm.py``) and
decides only from observed data (the firm's view): a policy never sees latent values.

Levers
------
``tiering``      how customers are graded (RFM score, spend share, predicted CLV) and how often.
``channels``     the contact channels' cost and open / convert rates (defaults: assumptions).
``contacts``     a contact plan per tier: interval and channel (seed 002: weekly/monthly for high
                 value, quarterly/half-yearly for the rest).
``fatigue``      over-contacting lowers satisfaction and causes opt-outs (seed 004 warns against it).
``offers``       named offers: discount, satisfaction boost, win-back power.
``triggers``     real-time (after an order, after a complaint), periodic (birthday, anniversary),
                 predictive (churn-risk score above a threshold), win-back of lapsed customers,
                 reminders before a subscriber's renewal (C3); each may run an A/B test
                 (``variants`` with a ``split``).
``loyalty``      points and silver/gold/diamond membership by rolling spend (seed 004) with benefits.
``service``      extra agents, shifts, escalation on SLA breach, the 48-hour follow-up (seed 002),
                 bot deflection of P3 tickets, basic service for low tiers (``basic_tiers``, H12).
``onboarding``   a welcome sequence after acquisition that lowers early dropout (LC4, LC9).
``alerts``       the weekly bad-review alert (SM4: more than 5% negative answers) and its care
                 contacts to the negative reviewers.
``budget``       a retention budget per period split into pots (seed 004: 70/20/10); an action
                 whose pot is empty is not taken, and that is recorded.
``campaigns``    one-off campaigns on a given day with a randomised holdout (``holdout`` events; the
                 A/B test of chapter 08; :mod:`sim.config.policy_campaigns`).
``management``   the review-and-ratchet loop (K3, K4): a KPI reviewed every quarter against a target
                 raised after each met review, a lever moved after each missed one
                 (:mod:`sim.config.policy_management`).
``phases``       time-varying policies (LY10, K5): from each phase's start, its dotted-path changes
                 apply on top of the base policy, cumulatively (:mod:`sim.config.policy_phases`).

Examples
--------
>>> import sim
>>> pol = sim.Policy.load("vip_care")
>>> [t.name for t in pol.tiering.tiers]
['gold', 'silver', 'bronze']
>>> sim.Policy.load("do_nothing").is_noop()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from sim.config._base import StrictModel, YamlMixin, apply_changes, load_yaml_model, validate_model
from sim.config.limits import MAX_PHASES, short
from sim.config.policy_campaigns import MAX_CAMPAIGNS, Campaign
from sim.config.policy_contacts import (
    ChannelSpec,
    ContactRule,
    Fatigue,
    Offer,
    Tiering,
    Triggers,
    default_channels,
)
from sim.config.policy_management import Management, check_management
from sim.config.policy_phases import Phase, check_phases
from sim.config.policy_programmes import Alerts, Budget, Loyalty, LoyaltyTier, Onboarding, Service
from sim.schema import CHANNELS, POTS

__all__ = ["Policy", "PRESET_DIR", "list_policies", "CHANNELS", "LoyaltyTier", "Service"]

PRESET_DIR = Path(__file__).parent / "presets" / "policies"


class Policy(YamlMixin, StrictModel):
    """What the firm does besides answering tickets.

    Load a preset (``do_nothing``, ``vip_care``, ``churn_rescue``, ``service_first``,
    ``loyalty_tiers``, ``spray_and_pray``, ``basic_low_tier``, ``onboarding``, ``review_alerts``,
    ``renewal_reminders``; chapter 10: ``staged_programme``, ``roadmap_12m``, ``kpi_ratchet``) or a YAML
    file with :meth:`load`; change fields with :meth:`updated`.

    Examples
    --------
    >>> pol = Policy.load("churn_rescue")
    >>> pol.triggers.churn_risk.enabled
    True
    >>> Policy.load("do_nothing").updated({"service.extra_agents": 1}).service.extra_agents
    1
    """

    name: str = Field(default="custom", max_length=200)
    description: str = Field(default="", max_length=10_000)
    respect_consent: bool = True
    channels: dict[str, ChannelSpec] = Field(default_factory=default_channels)
    offers: dict[str, Offer] = Field(default_factory=dict)
    tiering: Tiering = Field(default_factory=Tiering)
    contacts: list[ContactRule] = Field(default_factory=list)
    fatigue: Fatigue = Field(default_factory=Fatigue)
    triggers: Triggers = Field(default_factory=Triggers)
    loyalty: Loyalty = Field(default_factory=Loyalty)
    service: Service = Field(default_factory=Service)
    onboarding: Onboarding = Field(default_factory=Onboarding)
    alerts: Alerts = Field(default_factory=Alerts)
    budget: Budget = Field(default_factory=Budget)
    contact_pot: dict[str, str] = Field(default_factory=dict)
    campaigns: list[Campaign] = Field(default_factory=list, max_length=MAX_CAMPAIGNS)
    management: Management = Field(default_factory=Management)
    phases: list[Phase] = Field(default_factory=list, max_length=MAX_PHASES)

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, ChannelSpec]) -> dict[str, ChannelSpec]:
        bad = [k for k in v if k not in CHANNELS]
        if bad:
            raise ValueError(f"unknown channel(s) {short(bad)}; allowed: {list(CHANNELS)}")
        missing = [k for k in CHANNELS if k not in v]
        if missing:
            raise ValueError(f"channels table is missing {missing}; give all of {list(CHANNELS)}")
        return v

    @model_validator(mode="after")
    def _references(self) -> Policy:
        tier_names = {t.name for t in self.tiering.tiers}
        for k, rule in enumerate(self.contacts):
            if rule.tier not in tier_names:
                raise ValueError(
                    f"contacts[{k}] names tier {short(rule.tier)}, which is not defined in tiering.tiers "
                    f"(defined: {short(sorted(tier_names)) if tier_names else 'none — set tiering.method and tiering.tiers'})"
                )
            if rule.offer is not None and rule.offer not in self.offers:
                raise ValueError(
                    f"contacts[{k}] uses offer {short(rule.offer)}, not defined in offers {short(sorted(self.offers))}"
                )
        for name, trig in self.triggers:
            refs = [trig.offer] + [v.offer for v in trig.variants.values()]
            for ref in refs:
                if ref is not None and ref not in self.offers:
                    raise ValueError(
                        f"triggers.{name} uses offer {short(ref)}, not defined in offers {short(sorted(self.offers))}"
                    )
        for tier in self.service.basic_tiers:
            if tier not in tier_names:
                raise ValueError(
                    f"service.basic_tiers names tier {short(tier)}, which is not defined in tiering.tiers "
                    f"(defined: {short(sorted(tier_names)) if tier_names else 'none — set tiering.method and tiering.tiers'})"
                )
        for tier, pot in self.contact_pot.items():
            if tier not in tier_names:
                raise ValueError(f"contact_pot names tier {short(tier)}, not defined in tiering.tiers")
            if pot not in POTS:
                raise ValueError(f"contact_pot[{short(tier)}] = {short(pot)}; allowed pots: {list(POTS)}")
        return self

    @model_validator(mode="after")
    def _campaign_references(self) -> Policy:
        names = [c.name for c in self.campaigns]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"campaigns: names must be unique, {short(dup)} repeated")
        for k, camp in enumerate(self.campaigns):
            if camp.offer is not None and camp.offer not in self.offers:
                raise ValueError(
                    f"campaigns[{k}] uses offer {short(camp.offer)}, not defined in offers {short(sorted(self.offers))}"
                )
        return self

    @model_validator(mode="after")
    def _phases_and_management(self) -> Policy:
        check_management(self)
        if self.phases:
            check_phases(self)  # every phase's policy is validated as a whole (sim.config.policy_phases)
        return self

    @model_validator(mode="after")
    def _no_instant_loops(self) -> Policy:
        for name in ("post_order", "post_complaint"):
            trig = getattr(self.triggers, name)
            chance = instant_reorder_chance(self, name)
            if trig.enabled and trig.delay_days < MIN_LOOP_DELAY_DAYS and chance > MAX_INSTANT_REORDER_CHANCE:
                raise ValueError(
                    f"triggers.{name}: with delay_days {trig.delay_days:g} each contact converts into a new order "
                    f"(which fires the trigger again) with chance {chance:.3g}; give delay_days >= "
                    f"{MIN_LOOP_DELAY_DAYS:g} or a chance (open_rate x convert_rate x convert_multiplier) "
                    f"<= {MAX_INSTANT_REORDER_CHANCE:g}"
                )
        return self

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, name_or_path: str | Path) -> Policy:
        """Load a preset by name or a policy YAML file."""
        return load_yaml_model(cls, name_or_path, preset_dir=PRESET_DIR, what="policy")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Validate a mapping into a policy (clear :class:`ConfigError` on bad input)."""
        return validate_model(cls, data, what="policy")

    def updated(self, changes: dict[str, Any]) -> Policy:
        """A validated copy with dotted-path fields replaced (e.g. ``{"service.extra_agents": 2}``)."""
        return self.from_dict(apply_changes(self.to_dict(), changes, what="policy"))

    def is_noop(self) -> bool:
        """True when the policy does nothing beyond the scenario's own desk."""
        t = self.triggers
        return (
            self.tiering.method == "none"
            and not self.contacts
            and not any(trig.enabled for _, trig in t)
            and not self.loyalty.enabled
            and self.service == Service()
            and not self.onboarding.enabled
            and not self.alerts.bad_review.enabled
            and not self.campaigns
            and not self.phases
            and not self.management.enabled
        )


#: A trigger fired by an order (or a ticket) faster than this (days) must not convert near-surely ...
MIN_LOOP_DELAY_DAYS = 1.0
#: ... above this chance per contact: each conversion is an order that fires the trigger again, so
#: a chain of instant contacts and orders would never end.
MAX_INSTANT_REORDER_CHANCE = 0.5


def instant_reorder_chance(policy: Policy, trigger: str) -> float:
    """The largest chance that one contact of ``trigger`` converts into an immediate order.

    ``open_rate x min(1, convert_rate x offer.convert_multiplier)`` over the trigger's channel
    and offer and those of its A/B variants.

    Examples
    --------
    >>> instant_reorder_chance(Policy(), "post_order")   # email: 0.20 x 0.02
    0.004
    """
    trig = getattr(policy.triggers, trigger)
    pairs = [(trig.channel, trig.offer)] + [
        (v.channel or trig.channel, v.offer if v.offer is not None else trig.offer) for v in trig.variants.values()
    ]
    best = 0.0
    for channel, offer in pairs:
        ch = policy.channels[channel]
        mult = policy.offers[offer].convert_multiplier if offer in policy.offers else 1.0
        best = max(best, ch.open_rate * min(1.0, ch.convert_rate * mult))
    return best


def list_policies() -> list[str]:
    """Names of the policy presets shipped in ``sim/config/presets/policies``.

    Examples
    --------
    >>> "do_nothing" in list_policies()
    True
    """
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))
