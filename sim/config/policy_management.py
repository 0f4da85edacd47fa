"""The adaptive management loop of a policy (K3, K4): review a KPI, ratchet its target, move a lever.

``Policy.management`` (:class:`Management`) declares — in YAML, no code — a review cycle the firm
runs on its own observed data (the firm's port, :mod:`sim.world.firm_management`):

* every ``review_every_days`` (91: a quarter) the firm computes ``kpi`` over the days since the
  previous review (:data:`MANAGEMENT_KPIS`: the same definitions as :func:`sim.results.kpis.monthly_kpis`);
* the review is **met** when the value reaches ``target`` (every KPI here is higher-is-better).
  ``target: null`` takes the first review's value as the target (that review counts as met); a
  first value of 0 (the first quarter's repeat-purchase rate: nobody bought before day 0) or NaN
  is no baseline: such reviews log ``met=na`` and the next one is tried;
* after a met review the target is raised by ``ratchet`` x |target| (K3: "raise the quarterly
  retention-rate target by 2%" is ``ratchet: 0.02``) and the lever stays;
* after a missed review ``step`` is added to the ``lever`` (a dotted path of a numeric policy
  field, list items by index, e.g. ``contacts.0.interval_days``), kept within ``lower`` /
  ``upper`` and the field's own limits; a NaN value (nothing to measure) changes nothing.
  A lever whose first step the base policy and every phase's policy refuse (e.g. a tier share:
  shares must sum to 1) could never move and is refused when the policy loads. A carried value a
  later phase refuses restarts from that phase's value (with a warning; :mod:`sim.world.firm_phases`).

Each review logs an observed ``events`` row ``management_review`` (customer_id 0) whose detail is
``"kpi=<kpi> value=<v> target=<t> met=<yes|no|na> lever=<path> <old>-><new>"`` (numbers in ``%.6g``;
:func:`sim.analysis.management.management_reviews` parses it).

Why the lever may not lie inside ``phases`` or ``management``: the loop would then rewrite its own
rules. Phases may not change ``management`` either (:mod:`sim.config.policy_phases`): the loop runs
across phases, and its target and lever value carry over each switch.

Examples
--------
>>> m = Management(enabled=True, kpi="repeat_purchase_rate", lever="contacts.0.interval_days", step=-7, lower=7)
>>> m.review_every_days, m.ratchet, m.target is None
(91.0, 0.02, True)
>>> import sim
>>> sim.Policy.from_dict({"management": {"enabled": True}})
Traceback (most recent call last):
...
sim.errors.ConfigError: invalid policy (1 problem):
  - management: management.enabled needs a lever: the dotted path of a numeric policy field (e.g. contacts.0.interval_days)
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from sim.config._base import StrictModel
from sim.config.limits import MAX_DAYS, MIN_REVIEW_DAYS, Real, short

__all__ = ["Management", "MANAGEMENT_KPIS", "management_detail"]

#: The KPIs the firm can compute from its port over a review window (``Management.kpi``).
#: ``sla_met_rate`` is not among them: the firm's port does not expose ticket outcomes.
MANAGEMENT_KPIS: tuple[str, ...] = (
    "repeat_purchase_rate",
    "active_customers",
    "revenue",
    "orders",
    "buyers",
    "aov",
    "nps",
    "csat",
)


class Management(StrictModel):
    """The review-and-ratchet loop (K3 quarterly targets, K4 monthly reviews); off by default."""

    enabled: bool = False
    review_every_days: Real = Field(default=91.0, ge=MIN_REVIEW_DAYS, le=MAX_DAYS, description="days between reviews")
    kpi: Literal["repeat_purchase_rate", "active_customers", "revenue", "orders", "buyers", "aov", "nps", "csat"] = (
        "repeat_purchase_rate"
    )
    target: Real | None = Field(default=None, ge=-1e12, le=1e12, description="KPI units; null = first review's value")
    ratchet: Real = Field(default=0.02, ge=0.0, le=1.0, description="target raised by ratchet x |target| when met")
    lever: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")
    step: Real = Field(default=0.0, ge=-1e12, le=1e12, description="added to the lever after a missed review")
    lower: Real | None = Field(default=None, ge=-1e12, le=1e12, description="the lever's lower bound")
    upper: Real | None = Field(default=None, ge=-1e12, le=1e12, description="the lever's upper bound")

    @model_validator(mode="after")
    def _consistent(self) -> Management:
        if self.enabled and self.lever is None:
            raise ValueError(
                "management.enabled needs a lever: the dotted path of a numeric policy field (e.g. contacts.0.interval_days)"
            )
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"management.lower ({self.lower:g}) must not exceed management.upper ({self.upper:g})")
        if self.lever is not None and self.lever.split(".")[0] in ("phases", "management"):
            raise ValueError(
                f"management.lever {short(self.lever)} may not point into {self.lever.split('.')[0]}: "
                "the loop would rewrite its own rules; give a numeric field of the policy's levers"
            )
        return self

    def clamp(self, value: float) -> float:
        """``value`` kept within ``lower`` / ``upper``.

        Examples
        --------
        >>> Management(lower=7, upper=60).clamp(3.0), Management(lower=7, upper=60).clamp(90.0)
        (7.0, 60.0)
        """
        if self.lower is not None:
            value = max(value, self.lower)
        if self.upper is not None:
            value = min(value, self.upper)
        return value


def _num(x: Any) -> str:
    return format(float(x), ".6g")


#: Accounting rates the KPIs read from the policy in effect (:mod:`sim.results.kpis`): not movable by the loop.
COST_RATES: frozenset[str] = frozenset({"loyalty.point_value", "loyalty.redemption_rate"})


def management_detail(kpi: str, value: float, target: float, met: bool | None, lever: str, old: Any, new: Any) -> str:
    """The detail text of a ``management_review`` event (parsed back by
    :func:`sim.analysis.management.management_reviews`).

    Examples
    --------
    >>> management_detail("repeat_purchase_rate", 0.231, 0.225, True, "contacts.0.interval_days", 30, 30)
    'kpi=repeat_purchase_rate value=0.231 target=0.225 met=yes lever=contacts.0.interval_days 30->30'
    >>> management_detail("nps", float("nan"), 12.5, None, "contacts.0.interval_days", 30.0, 30.0)
    'kpi=nps value=nan target=12.5 met=na lever=contacts.0.interval_days 30->30'
    """
    flag = "na" if met is None else ("yes" if met else "no")
    return f"kpi={kpi} value={_num(value)} target={_num(target)} met={flag} lever={lever} {_num(old)}->{_num(new)}"


def check_management(policy: Any) -> None:
    """Validate ``policy.management`` against the policy: the lever is a numeric field the firm
    owns, and its bounds (``lower``, ``upper``) are values the field accepts.

    Examples
    --------
    >>> import sim
    >>> sim.Policy.load("vip_care").updated({"management": {"enabled": True, "lever": "contacts.0.channel"}})
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: invalid policy (1 problem):
      - (top level): management.lever 'contacts.0.channel' is 'phone', not a number
    """
    from sim.config.policy_phases import NOT_IN_PHASES, WORLD_FIXED, get_path, set_paths

    m = policy.management
    if m.lever is None:
        return
    root = m.lever.split(".")[0]
    if root in WORLD_FIXED or root in NOT_IN_PHASES:
        raise ValueError(
            f"management.lever {short(m.lever)} is not a lever the firm can move during a run "
            f"({root} is fixed when a run starts); give a numeric field of tiering, contacts, triggers, "
            "loyalty, onboarding, alerts or budget"
        )
    if m.lever in COST_RATES:
        raise ValueError(
            f"management.lever {short(m.lever)} is a cost rate, not a lever: the KPIs price every point of a "
            "phase at its policy's rate (change it with a phase instead)"
        )
    data = policy.model_dump(mode="json")
    try:
        value = get_path(data, m.lever)
    except ValueError as exc:
        raise ValueError(f"management.lever: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"management.lever {short(m.lever)} is {short(value)}, not a number")
    if isinstance(value, int) and float(m.step) != int(m.step):
        raise ValueError(f"management.step {m.step:g} must be a whole number: {m.lever} is a whole-number field")
    data["phases"], data["management"] = [], {}
    for name, bound in (("lower", m.lower), ("upper", m.upper)):
        if bound is None:
            continue
        try:
            type(policy).model_validate(
                set_paths(data, {m.lever: int(bound) if isinstance(value, int) else bound}, what="policy")
            )
        except Exception as exc:  # a pydantic ValidationError: the bound is outside the field's limits
            first = str(exc).splitlines()
            raise ValueError(
                f"management.{name} = {bound:g} is not a value {m.lever} accepts ({short_message_of(first)})"
            ) from None
    if m.enabled and m.step != 0.0:
        _check_first_move(policy, data, value)


def _check_first_move(policy: Any, data: dict[str, Any], value: float) -> None:
    """Refuse a lever the loop could never move: its first step is refused by the base policy and by
    every phase's policy (e.g. a tier share, whose shares must sum to 1), so every missed review would
    log ``old->old``."""
    from sim.config.policy_phases import phase_policies, set_paths

    m = policy.management
    moved = m.clamp(float(value) + m.step)
    new = int(round(moved)) if isinstance(value, int) else moved
    if new == value:
        return  # starts at its bound: nothing to try
    candidates = [data]
    try:
        candidates += [p.model_dump(mode="json") for p in phase_policies(policy)]
    except ValueError:
        pass  # a bad phase is reported by check_phases
    reason = ""
    for d in candidates:
        d = dict(d, phases=[], management={})
        try:
            type(policy).model_validate(set_paths(d, {m.lever: new}, what="policy"))
            return
        except Exception as exc:  # a pydantic ValidationError
            reason = reason or short_message_of(str(exc).splitlines())
    raise ValueError(
        f"management.step {m.step:g} moves {m.lever} from {value:g} to {new:g}, which the policy refuses "
        f"({reason}): the lever could never move; give a lever the policy lets change on its own"
    )


def short_message_of(lines: list[str]) -> str:
    """The first line of a pydantic message that says what is allowed (for :func:`check_management`)."""
    for line in lines:
        if "should" in line or "must" in line:
            return line.split(" [type=")[0].strip().removeprefix("Value error, ")[:200]
    return (lines[-1] if lines else "").split(" [type=")[0].strip()[:200]
