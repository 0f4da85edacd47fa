"""The limits every entry point shares, the number types of the configuration, and :func:`short`.

One table of limits serves the scenario and policy fields (``Field(ge=..., le=...)``),
``sim.run`` and the experiments' arguments, so a value accepted in one place is accepted
everywhere. Each limit excludes what makes the simulator hang or overflow and admits every
realistic teaching value (the ranges of all fields: :func:`sim.config.ranges.render_ranges`).

Examples
--------
>>> MAX_CUSTOMERS, MAX_DAYS
(10000000, 3650.0)
>>> short("x" * 1000)
"'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
"""

from __future__ import annotations

import reprlib
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field

__all__ = [
    "MAX_CUSTOMERS",
    "MAX_DAYS",
    "MAX_SEED",
    "MAX_REPLICATIONS",
    "MAX_GRID_POINTS",
    "MAX_RUNS",
    "MAX_WORKERS",
    "MAX_AGENTS",
    "MAX_HOURS",
    "MAX_HALF_LIFE_DAYS",
    "MAX_UNIT_MONEY",
    "MAX_TOTAL_MONEY",
    "MAX_EFFECT",
    "MAX_MEAN_PURCHASE_RATE",
    "MAX_MARKET_FACTOR",
    "MAX_MARKET_SHIFT",
    "MAX_EVENTS",
    "MAX_CATEGORIES",
    "MAX_CATEGORY_NAME",
    "MAX_RATE_FACTOR",
    "MAX_TELLS",
    "MAX_REFERRALS_PER_ORDER",
    "MAX_REFERRED_PER_PAID",
    "MAX_REFERRAL_CHAIN",
    "MIN_FUNNEL_RATE",
    "MAX_CHASER_RATE",
    "MAX_WINBACK_MULTIPLIER",
    "MAX_REPLAYS",
    "MAX_CAMPAIGNS",
    "MAX_MESSAGE_SHIFT",
    "MAX_AFFINITY_SD",
    "MAX_LEVEL_NAME",
    "MAX_DEPARTMENT_NAME",
    "MIN_SCORE_CHECK_DAYS",
    "MAX_POINTS",
    "MAX_REFERRAL_BONUS",
    "MAX_CHECK_IN_RATE",
    "MAX_PROGRAMME_UPLIFT",
    "MIN_EXPIRY_DAYS",
    "MIN_TRAIT_SHAPE",
    "MAX_TRIALS",
    "MAX_PHASES",
    "MIN_REVIEW_DAYS",
    "EXCERPT",
    "short",
    "clip",
    "Real",
    "Whole",
    "Probability",
    "Share",
    "Effect",
    "Hours",
    "UnitMoney",
]

#: Customers of one run (scenario ``population.customers`` and every ``customers=`` argument).
MAX_CUSTOMERS = 10_000_000
#: Horizon of one run in days (scenario ``horizon_days`` and every ``days=`` argument): ten years.
MAX_DAYS = 3650.0
#: Largest seed: a signed 64-bit integer, so seeds fit every table column.
MAX_SEED = 2**63 - 1
#: Replications of one experiment.
MAX_REPLICATIONS = 100_000
#: Points of a sweep's grid (the Cartesian product is refused before it is built).
MAX_GRID_POINTS = 10_000
#: Simulations of one experiment (arms or grid points x replications).
MAX_RUNS = 100_000
#: Processes or Dask workers an experiment may start.
MAX_WORKERS = 1024
#: Agents of a desk or a shift.
MAX_AGENTS = 10_000
#: Durations given in hours (handling times, SLA targets, follow-up delays): at most a year.
MAX_HOURS = 8760.0
#: Half-lives in days (satisfaction, win-back): 1e7 days means "never fades".
MAX_HALF_LIFE_DAYS = 1e7
#: Money per unit (CAC, cost per contact, per agent-day, per offer), in currency units.
MAX_UNIT_MONEY = 1e9
#: Money totals (budgets, membership spend thresholds), in currency units.
MAX_TOTAL_MONEY = 1e12
#: Satisfaction jumps (effects, boosts, penalties): the whole 0-10 scale.
MAX_EFFECT = 10.0
#: Largest mean purchase rate (orders per day) a scenario may reach at its happiest (see Scenario).
MAX_MEAN_PURCHASE_RATE = 10.0
#: Largest product of overlapping market rate multipliers (and smallest: its inverse).
MAX_MARKET_FACTOR = 10.0
#: Largest total dropout-logit shift of overlapping market events.
MAX_MARKET_SHIFT = 20.0
#: Market events of one scenario.
MAX_EVENTS = 100
#: Product categories of a catalogue (``catalogue.categories``).
MAX_CATEGORIES = 50
#: Characters of a category name: every order's ``basket`` repeats the names of its lines.
MAX_CATEGORY_NAME = 40
#: Largest purchase-rate multiplier of an archetype (keeps the mean rate within the scenario limits).
MAX_RATE_FACTOR = 5.0
#: Largest mean number of people one customer tells after an order (word of mouth).
MAX_TELLS = 100.0
#: Largest expected referred customers per promoter order, ``promoter_tells x referral_conversion``:
#: the ceiling of ``population.referral.prob_per_promoter_order`` (a probability). More makes referred
#: customers refer the next ones faster than they churn, and the base grows without end.
MAX_REFERRALS_PER_ORDER = 1.0
#: Even within that ceiling a world of promoters can refer without end (each referred customer's first
#: order refers the next). A run stops with a clear error when referred customers exceed this many per
#: paid customer (at least 100 paid counted) ...
MAX_REFERRED_PER_PAID = 50
#: ... or when one order sets off a chain of more than this many referrals at the same instant.
MAX_REFERRAL_CHAIN = 200
#: Smallest funnel conversion rate (``lead_to_prospect``, ``prospect_to_customer``): every acquired
#: customer stands for 1 / rate prospects (leads); smaller rates overflow the funnel's counts.
MIN_FUNNEL_RATE = 1e-3
#: Chasers per day of waiting past the first-response target (``complaints.chaser_rate_per_day``): every
#: chaser is a ticket row, so tickets grow with rate x excess wait; 10 a day (one every 2.4 hours of
#: waiting) is far above any observed chasing and keeps an overloaded desk's ticket log bounded.
MAX_CHASER_RATE = 10.0
#: Largest multiplier of a win-back probability in ``churn.winback_response`` (reason x offer kind).
MAX_WINBACK_MULTIPLIER = 20.0
#: Paired counterfactual replays per decision (``uplift.replays``; each costs a vector of draws per step).
MAX_REPLAYS = 4096
#: One-off campaigns per policy (``campaigns``).
MAX_CAMPAIGNS = 100
#: Largest |log-odds shift| of one message level (``messaging.effects.*.*.*_shift``).
MAX_MESSAGE_SHIFT = 5.0
#: Largest standard deviation of the per-customer channel affinity (``messaging.channel_affinity_sd``).
MAX_AFFINITY_SD = 3.0
#: Longest message level name (a variant's ``send_time`` / ``copy`` / ``image``; every contact row repeats it).
MAX_LEVEL_NAME = 40
#: Longest department name (``service.process.departments``; every ticket row repeats it).
MAX_DEPARTMENT_NAME = 40
#: Shortest check interval (days) of a trigger scored by a fitted model or the health score
#: (``triggers.*.score`` ``model`` / ``health``): each check builds every customer's features from the
#: observed history (about 0.15 s per check for 300 customers), so daily checks over years would run for hours.
MIN_SCORE_CHECK_DAYS = 7.0
#: Most loyalty points one ledger row may credit (a check-in, a ranking reward; chapter 09).
MAX_POINTS = 1e9
#: Largest referral-reward multiplier of a bonus window (``loyalty.referral_bonus``; "double rebate" = 2).
MAX_REFERRAL_BONUS = 10.0
#: Largest mean check-in propensity (check-ins per customer per week; one a day = 7).
MAX_CHECK_IN_RATE = 7.0
#: Largest purchase-rate uplift of a loyalty response (goal gradient strength, ranking uplift).
MAX_PROGRAMME_UPLIFT = 2.0
#: Shortest points expiry (``loyalty.expiry_days``, days; 0 = never): the ledger dates its rows by day,
#: so points expiring within a day of being earned are no rule a programme could announce.
MIN_EXPIRY_DAYS = 1.0
#: Smallest Gamma shape / Beta concentration of a latent loyalty trait (``loyalty_response``): below it
#: numpy's draws underflow to exactly 0 (or 0/1) and the stated mean is silently lost.
MIN_TRAIT_SHAPE = 0.01
#: Trials of one optimisation (``sim.optimize``; each runs ``replications`` simulations).
MAX_TRIALS = 10_000
#: Phases of one policy (``phases``: each is validated as a whole policy when the policy loads).
MAX_PHASES = 24
#: Shortest review cycle of the management loop (``management.review_every_days``): a KPI over fewer
#: days is mostly noise, and each review re-validates the policy.
MIN_REVIEW_DAYS = 7.0
#: Characters of a value an error message may show.
EXCERPT = 80

_repr = reprlib.Repr()
_repr.maxstring = EXCERPT
_repr.maxother = EXCERPT
_repr.maxlong = 40
_repr.maxlevel = 3


def short(value: Any, limit: int = EXCERPT) -> str:
    """A repr of ``value`` of at most ``limit`` characters (plus an ellipsis), safe for any size.

    Huge strings, lists, nested (aliased) structures and integers of thousands of digits are
    shortened without building their full repr.

    Examples
    --------
    >>> short(0.5), short("spend"), short(10**5000)
    ('0.5', "'spend'", '<an integer of 5001 digits>')
    >>> len(short(list(range(10**6)))) <= 81
    True
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        v = int(value)
        digits = len(str(abs(v))) if v.bit_length() < 14_000 else None
        if digits is None or digits > 40:
            n = digits if digits is not None else int(v.bit_length() * 0.30103) + 1
            return f"<an integer of {n} digits>"
    try:
        text = _repr.repr(value)
    except Exception:  # a value whose repr fails is named by its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


def clip(text: str, limit: int = 300) -> str:
    """Plain text cut at ``limit`` characters (with an ellipsis): for messages that quote input.

    Examples
    --------
    >>> clip("abcdef", 3)
    'abc…'
    """
    return text if len(text) <= limit else text[:limit] + "…"


def _not_bool(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError("a number is needed, not true/false")
    return value


#: A finite float field (booleans refused; NaN and infinity are refused by the shared model config).
Real = Annotated[float, BeforeValidator(_not_bool)]
#: A whole-number field (booleans refused; numpy integers accepted).
Whole = Annotated[int, BeforeValidator(_not_bool)]
#: A probability or a share, in [0, 1].
Probability = Annotated[float, BeforeValidator(_not_bool), Field(ge=0.0, le=1.0)]
#: A share of a mix (the shares of a mix sum to 1).
Share = Annotated[float, BeforeValidator(_not_bool), Field(ge=0.0, le=1.0, description="share; the mix sums to 1")]
#: A jump of satisfaction on the 0-10 scale, in [-10, 10].
Effect = Annotated[float, BeforeValidator(_not_bool), Field(ge=-MAX_EFFECT, le=MAX_EFFECT)]
#: A duration in hours (handling times, SLA targets): 36 seconds to a year.
Hours = Annotated[Real, Field(ge=0.01, le=MAX_HOURS, description="hours")]
#: Money per unit, in currency.
UnitMoney = Annotated[Real, Field(ge=0.0, le=MAX_UNIT_MONEY, description="currency")]
