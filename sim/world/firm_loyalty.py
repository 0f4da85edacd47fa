"""The firm side of a loyalty programme (chapter 09): the spend ranking and referral-bonus windows,
and publishing the programme's rules to the world (membership levels: :meth:`sim.world.firm.Firm._grade_member`).

:class:`FirmLoyalty` reads the programme from ``firm.pol.loyalty`` at each decision (nothing
derived from the policy is kept from the start), so a programme that changes over time (a policy's
phases) takes effect at once; :meth:`FirmLoyalty.programme_changed` publishes the rules to the
world through the port (:meth:`~sim.world.firm_port.FirmPort.set_programme`) and re-plans the
ranking and the bonus windows — the firm calls it at the start, and again after a phase switch.

* **Spend ranking** (``ranking``): every ``period_days`` the customers with observed orders in the
  period are ranked by their spend in it (ties: lower customer id first); the top
  ``round(top_share x buyers)`` are credited ``reward_points`` (ledger rows ``ranking``).
* **Referral-bonus windows** (``referral_bonus``): at a window's start the firm announces its
  multiplier through the port (the world pays the referral reward x multiplier and customers
  respond), at its end 1.0; each announcement is an observed ``referral_bonus`` event
  (customer_id 0, detail ``x2``).

Examples
--------
>>> import sim
>>> res = sim.run("baseline", "refer_a_friend", customers=300, days=120, seed=2)
>>> res.events.loc[res.events["event"] == "referral_bonus", ["t", "detail"]].values.tolist()
[[30.0, 'x2'], [90.0, 'x1']]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config.policy_loyalty import Loyalty

__all__ = ["FirmLoyalty", "ranking_winners"]


def ranking_winners(spend: dict[int, float], top_share: float) -> list[int]:
    """The customers a spend ranking rewards: the top ``round(top_share x len(spend))`` by spend.

    Ties are broken by the lower customer index (a stable, published rule).

    Examples
    --------
    >>> ranking_winners({3: 50.0, 1: 80.0, 2: 50.0, 4: 10.0}, 0.5)
    [1, 2]
    >>> ranking_winners({}, 0.1)
    []
    """
    k = int(round(top_share * len(spend)))
    ordered = sorted(spend.items(), key=lambda kv: (-kv[1], kv[0]))
    return [i for i, _ in ordered[:k]]


class FirmLoyalty:
    """The firm's loyalty programme decisions (see the module docstring).

    Parameters
    ----------
    firm : sim.world.firm.Firm
        Its ``pol``, ``port``, ``env`` and ``_later`` are used.
    """

    def __init__(self, firm: Any) -> None:
        self.firm = firm
        self.bonus = 1.0  # the referral-reward multiplier announced last
        self._plan = 0  # generation of the planned ranking and bonus events (a change re-plans them)

    @property
    def rules(self) -> Loyalty:
        """The programme in force (the firm's policy's ``loyalty``, read now)."""
        return self.firm.pol.loyalty

    # ------------------------------------------------------------------ the programme
    def programme_changed(self) -> None:
        """Publish the programme in force to the world and re-plan the ranking and bonus windows."""
        firm, lo = self.firm, self.rules
        firm.port.set_programme(lo)
        self._plan += 1
        plan, now = self._plan, firm.env.now
        on = lo.enabled
        self._bonus(plan)
        if on:
            for w in lo.referral_bonus:
                for day in (w.start_day, w.end_day):
                    if day > now:
                        firm._later(day - now, self._bonus, plan)
            if lo.ranking.enabled:
                firm._later(lo.ranking.period_days, self._rank, plan, now)

    def _bonus(self, plan: int) -> None:
        if plan != self._plan:
            return  # planned under an earlier programme
        lo = self.rules
        m = lo.bonus_multiplier(self.firm.env.now) if lo.enabled else 1.0
        if m != self.bonus:
            self.bonus = m
            self.firm.port.announce_referral_bonus(m)
            self.firm.port.event(-1, "referral_bonus", f"x{m:g}")

    def _rank(self, plan: int, since: float) -> None:
        """The spend ranking of the period ``(since, now]``: credit the top spenders, plan the next."""
        lo = self.rules
        if plan != self._plan or not (lo.enabled and lo.ranking.enabled):
            return
        firm = self.firm
        now = firm.env.now
        o = firm.port.order_frame()
        o = o[(o["t"].to_numpy() > since) & (o["t"].to_numpy() <= now)]
        spend = {int(i): float(a) for i, a in o.groupby("i", sort=True)["amount"].sum().items()}
        for i in ranking_winners(spend, lo.ranking.top_share):
            firm.port.credit_points(i, lo.ranking.reward_points, "ranking")
        firm._later(lo.ranking.period_days, self._rank, plan, now)
