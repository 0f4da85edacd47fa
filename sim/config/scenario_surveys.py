"""The survey part of a :class:`~sim.config.scenario.Scenario`: satisfaction surveys and the exit survey.

``scenario.surveys``: response rates, noise and non-response bias, named / anonymous modes, channels,
comments, and the exit survey of true churners (``surveys.exit``).

Examples
--------
>>> from sim.config.scenario_surveys import Surveys
>>> Surveys().relationship_interval_days
91.0
"""

from __future__ import annotations

from pydantic import Field, field_validator

from sim.config._base import StrictModel, check_shares
from sim.config.limits import MAX_DAYS, Probability, Real, Share
from sim.schema import CHURN_REASONS

__all__ = ["SURVEY_CHANNELS", "SURVEY_MODES", "ExitSurvey", "SurveyMode", "Surveys"]


#: Survey modes: named (the answer carries the customer's name) or anonymous.
SURVEY_MODES: tuple[str, ...] = ("named", "anonymous")
#: Survey channels an answer can come through (``surveys.channels``).
SURVEY_CHANNELS: tuple[str, ...] = ("online", "phone", "app", "paper")


class SurveyMode(StrictModel):
    """One survey mode: its share of invitations, response multiplier and honesty shift.

    An invitation in this mode is answered with probability ``min(1, p * response_factor)``
    (``p`` the usual response probability); the answer reads latent satisfaction plus
    ``honesty_shift`` points (named answers are politer: a positive shift).
    """

    share: Share = Field(description="share of survey invitations in this mode")
    response_factor: Real = Field(default=1.0, ge=0.0, le=10.0, description="multiplier of the response probability")
    honesty_shift: Real = Field(
        default=0.0, ge=-5.0, le=5.0, description="satisfaction points added to the reading an answer is based on"
    )


def _default_modes() -> dict[str, SurveyMode]:
    return {"named": SurveyMode(share=1.0)}


class ExitSurvey(StrictModel):
    """The exit survey (a cancellation form, CH3): why did a leaving customer leave?

    When a customer truly churns, they answer with probability ``response_rate`` (stream
    ``survey.exit``). The answer (a ``surveys`` row, touchpoint ``exit``, instrument ``reason``,
    score -1) states the true reason with probability ``truthful``; otherwise a reason drawn from
    ``stated_mix`` (people blame the price: a socially easy answer). The true reason is kept in the
    latent ``true_reason`` column. The answer is observed: the firm learns that those who answer
    have left. Independent of ``surveys.enabled`` (it is a form, not a satisfaction survey).

    Examples
    --------
    >>> ExitSurvey().stated_mix
    {'price': 0.5, 'need_mismatch': 0.3, 'product': 0.2}
    """

    enabled: bool = False
    response_rate: Probability = Field(default=0.3, description="share of true churners answering")
    truthful: Probability = Field(default=0.6, description="share of answers stating the true reason")
    stated_mix: dict[str, Share] = Field(
        default_factory=lambda: {"price": 0.5, "need_mismatch": 0.3, "product": 0.2},
        description="reasons stated by those not telling the truth",
    )

    @field_validator("stated_mix")
    @classmethod
    def _stated(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, CHURN_REASONS, "stated exit reasons")


class Surveys(StrictModel):
    """Survey answers are noisy readings of latent satisfaction.

    Response probability = logistic(logit(rate) + nonresponse_bias * (reference - s)):
    a positive bias makes unhappy customers answer more often.

    ``modes`` (named / anonymous, D17): each invitation gets a mode drawn from the mix; modes differ in
    response probability (``response_factor``) and honesty (``honesty_shift``). ``channels`` (online,
    phone, app, paper; ``{}`` = not recorded) is drawn per answer. With ``comment_rate > 0`` a CSAT or
    NPS answer carries a templated free-text comment (:mod:`sim.world.comments`). The defaults (all
    ``named``, factor 1, shift 0, no channels, no comments) draw nothing extra.
    """

    enabled: bool = True
    post_purchase_rate: Probability = Field(default=0.10, description="response rate after an order")
    post_ticket_rate: Probability = Field(default=0.30, description="response rate after a ticket")
    # Every round surveys the whole base: more often than daily makes a run crawl (1e-9 hangs it).
    relationship_interval_days: Real = Field(default=91.0, ge=1.0, le=MAX_DAYS, description="days between NPS rounds")
    relationship_rate: Probability = Field(default=0.15, description="NPS response rate")
    churned_response_factor: Probability = Field(default=0.3, description="multiplier for lapsed customers")
    noise_sd: Real = Field(default=1.0, ge=0.0, le=10.0, description="satisfaction points")
    # |bias| <= 5 keeps the response log-odds (bias x up to 10 points) far from overflow.
    nonresponse_bias: Real = Field(
        default=0.15, ge=-5.0, le=5.0, description="response log-odds per point below reference"
    )
    modes: dict[str, SurveyMode] = Field(default_factory=_default_modes, description="survey mode mix")
    comment_rate: Probability = Field(default=0.0, description="share of CSAT / NPS answers with a free-text comment")
    channels: dict[str, Share] = Field(default_factory=dict, description="survey channel mix ({} = off)")
    exit: ExitSurvey = Field(default_factory=ExitSurvey, description="exit survey of true churners (off by default)")

    @field_validator("modes")
    @classmethod
    def _modes(cls, v: dict[str, SurveyMode]) -> dict[str, SurveyMode]:
        check_shares({k: m.share for k, m in v.items()}, SURVEY_MODES, "survey mode")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, float]) -> dict[str, float]:
        return check_shares(v, SURVEY_CHANNELS, "survey channel") if v else v
