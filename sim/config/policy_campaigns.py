"""One-off campaigns with a randomised holdout (``Policy.campaigns``; chapter 08, A/B tests and uplift).

On the campaign's ``day`` the firm decides for every eligible customer it observes (acquired, or
with an order in the last ``recent_days`` for ``audience="recent_buyers"``; with consent and not
opted out when the policy respects consent): with probability ``holdout`` the customer is held out
(the firm's ``campaign.holdout`` stream; an observed ``holdout`` event whose detail is the campaign
name), else they get a contact on ``channel`` with ``offer``, campaign ``"campaign:<name>"``. The
holdout group is the randomised control: treated vs holdout share ordering afterwards is the A/B
estimate of the campaign's effect, which the latent ``uplift`` table (``Scenario.uplift``) knows per
customer.

Examples
--------
>>> c = Campaign(name="spring", day=365, channel="email", offer=None, holdout=0.5)
>>> c.audience, c.campaign_label
('acquired', 'campaign:spring')
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.config._base import StrictModel
from sim.config.limits import MAX_CAMPAIGNS, Probability
from sim.config.policy_contacts import Days, Period

__all__ = ["Campaign", "CAMPAIGN_PREFIX", "MAX_CAMPAIGNS"]

#: Contacts of a campaign carry this prefix before the campaign's name (``contacts.campaign``).
CAMPAIGN_PREFIX = "campaign:"


class Campaign(StrictModel):
    """A one-off campaign: on ``day``, a contact to every eligible customer except a random holdout."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    day: Days
    audience: Literal["acquired", "recent_buyers"] = "acquired"
    recent_days: Period = 365.0
    channel: Literal["email", "sms", "push", "phone"] = "email"
    offer: str | None = None
    holdout: Probability = Field(
        default=0.0, lt=1.0, description="share held out as the randomised control (below 1: someone is treated)"
    )

    @property
    def campaign_label(self) -> str:
        """The ``contacts.campaign`` value of this campaign's contacts."""
        return CAMPAIGN_PREFIX + self.name
