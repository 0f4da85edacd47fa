"""The reference engine: the model of :mod:`sim.world.model`, one readable SimPy process per customer.

Read this package to learn the model; run the fast engine (:func:`sim.world.simulate.simulate`,
used by :func:`sim.run`) to use it. Both simulate the same model and return the same tables
(:mod:`sim.schema`); tests show they agree in distribution (``tests/world/test_reference_agreement.py``).
They do not draw the same random numbers in the same order, so one seed gives the same customers
(traits and arrival times) but not the same histories.

Where to read what
    :mod:`~sim.world.reference.world`       customers: arrival, orders, satisfaction, dropout, churn,
                                            referral, market events
    :mod:`~sim.world.reference.service`     tickets: opening, resolution, the breach clock, the
                                            customer's reaction
    :mod:`~sim.world.reference.mechanisms`  baskets, subscription renewals, word of mouth, snapshots
    :mod:`~sim.world.reference.desk`        the service desk: a ``simpy.PriorityResource`` of agents
    :mod:`~sim.world.reference.surveys`     CSAT, CES and NPS answers (modes, channels, comments), exit surveys
    :mod:`~sim.world.reference.port`        what the firm sees and what its actions do
    :mod:`~sim.world.reference.tables`      the records as the tables (with the truth at the horizon)
    :mod:`~sim.world.reference.uplift`      the counterfactual truth of each contact and holdout (uplift table)
    :mod:`~sim.world.reference.state`       what is remembered: customers, tickets, rows, random streams,
                                            and the firm's own records of what it has observed

The model in one page (every equation is a function of :mod:`sim.world.model`)
    * **Arrival.** Paid customers arrive at drawn times (a launch cohort at day 0); the arrival is
      the first order. Traits: ``lambda_i ~ Gamma(r, alpha)``, ``p_i ~ Beta(a, b)``,
      ``nu_i ~ Gamma(q, gamma)``, starting satisfaction ``s0_i ~ N(mean, sd)`` clipped to 0-10.
    * **Buying.** While alive, the next order comes after ``Exp(purchase_rate)``,
      ``purchase_rate = lambda_i * membership * market * exp(k_rate * (s - s_ref))``.
    * **Leaving.** After each repeat order (MBG/NBD: after the first too) the customer drops out
      with ``dropout_probability = logistic(logit(p_i) + market - membership - k_drop * (s - s_ref))``.
    * **Spending.** Each order is worth ``order_amount = Gamma(p, 1) / nu_i``.
    * **Satisfaction.** Each experience adds its effect (``satisfaction_after``); in between,
      ``s`` relaxes toward ``s0_i`` with a half-life (``relaxed_satisfaction``).
    * **Complaints.** An order has a quality issue with a probability and raises a ticket with
      ``complaint_probability``; the desk serves tickets by severity; the SLA is met when both
      targets are (``sla_met``); the customer reacts (``sla_met`` / ``sla_breached`` effects and a
      chance of leaving at once), or feels the breach when the resolution target passes first.
    * **Surveys.** ``survey_response_probability`` (non-response bias), ``nps_answer``,
      ``csat_answer``, ``ces_answer``.
    * **Referral.** An order by a promoter (``is_promoter``) brings a friend with a probability.
    * **Churn reasons.** A dropout is blamed on the last bad experience with
      ``churn_attribution_probability``, otherwise drawn from ``churn.reason_mix``.
    * **Firm.** With a policy, :class:`sim.world.firm.Firm` decides from observations only and acts
      through :class:`~sim.world.reference.port.ReferencePort` (contacts, offers, win-back,
      memberships: ``is_fatigued``, ``conversion_probability``, ``winback_probability``,
      ``membership_rate_multiplier``).
    * **Market.** A competitor's price cut (``shocked_rate_factor``, ``shocked_dropout_shift``) or
      an outage (many tickets at once).

The lifecycle mechanisms (:mod:`sim.config.mechanisms`, :mod:`sim.world.model.retail`; all off by default)
    * **Catalogue.** An order's main category follows the customer's latent preferences, its
      basket adds ``poisson_inverse`` extra lines (``extra_line_category``); its value is
      ``order_value`` (x the category's price level, x a business account's factor).
    * **Archetypes.** Multiply the purchase rate, the offer response (``offer_conversion_scaled``)
      and the service sensitivity (``service_effect``, ``service_churn_scaled``).
    * **Subscriptions.** Instead of buying, a subscriber renews every plan period or cancels with
      ``renewal_cancel_probability`` (sBG ``theta_i`` shifted by satisfaction and reminders).
    * **Word of mouth.** After an order, promoters and detractors tell ``word_of_mouth_tells``
      people: referred customers arrive, paid prospects are deterred (latent events).
    * **Surveys.** Modes (``mode_response_probability``, ``survey_reading``), channels, comments
      (:func:`sim.world.comments.draw_comment`); latent satisfaction snapshots.

The mechanisms of chapters 06-08 (all off by default)
    * **Service operations** (:mod:`~sim.world.reference.service`, :mod:`~sim.world.reference.desk`):
      intake channels with their own first-response targets (``ticket_first_response_target``),
      chasers while a customer waits past the target (``chaser_rate_after``), acceptance at the
      follow-up call or a reopened ticket (``acceptance_probability``, ``reopened_severity``), agent
      skill (``agent_skill_multiplier``), a knowledge base (``knowledge_base_factor``), triage and
      departments, a P0 emergency team, proactive tickets for detected quality issues.
    * **Churn early warning**: exit surveys (``exit_stated_reason``); the win-back probability of an
      offer by the churn reason and the offer's kind (``winback_reason_multiplier``).
    * **Communication**: a click stage on the conversion's uniform (``click_and_convert``); hidden
      message effects and per-customer channel affinity (``variant_shifts``,
      ``message_probability``); the contacts' truth (``true_convert_probability``).
    * **Counterfactual truth**: campaigns' holdouts (an observed ``holdout`` event) and, with
      ``uplift.enabled``, each decision's paired replays (:mod:`~sim.world.reference.uplift`).

Examples
--------
>>> from sim.world.reference import simulate_reference
>>> tables, info = simulate_reference("baseline", customers=200, days=120, seed=1)
>>> list(tables)
['customers', 'orders', 'tickets', 'surveys', 'events', 'tiers', 'points', 'contacts', 'funnel', 'snapshots', 'uplift']
>>> orders = tables["orders"]
>>> int(orders.groupby("customer_id")["is_first"].sum().max())   # one acquisition order each
1
>>> info["engine"]
'reference'
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import simpy

from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.world import model
from sim.world.reference.port import ReferencePort
from sim.world.reference.tables import build_tables
from sim.world.reference.world import World
from sim.world.rng import Streams

__all__ = ["simulate_reference", "World", "ReferencePort", "agents_on_duty"]


def agents_on_duty(sc: Scenario, customers: int) -> tuple[int, float | None]:
    """``(agents per team, reference desks staffed)`` for a run with ``customers`` paid customers.

    With ``desk.scale_with_customers`` the scenario's ``desk.agents`` staff a reference desk for
    ``population.customers`` and the firm staffs :func:`~sim.world.model.desk_share` of them; the
    same rule as the fast engine's (:func:`sim.world.simulate.desk_staffing`).

    Examples
    --------
    >>> sc = Scenario.load("baseline")
    >>> agents_on_duty(sc, sc.population.customers), agents_on_duty(sc, 12_000)
    ((1, 1.0), (1, 2.4))
    """
    if not sc.desk.scale_with_customers:
        return sc.desk.agents, None
    return sc.desk.agents, model.desk_share(customers, sc.population.customers)


def simulate_reference(
    scenario: Scenario | str | Path,
    policy: Policy | str | Path | None = None,
    *,
    customers: int,
    days: float,
    seed: int,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Simulate with the reference engine; returns ``(tables, info)`` like :func:`sim.world.simulate.simulate`.

    Parameters
    ----------
    scenario : Scenario, preset name or YAML path
    policy : Policy, preset name or YAML path, optional
        What the firm does besides answering tickets (``None``: nothing).
    customers : int
        Paid customers acquired over the horizon (referred customers come on top).
    days : float
        Horizon in days.
    seed : int
        Seeds the run's named random streams (:class:`sim.world.rng.Streams`).

    Returns
    -------
    tables : dict of DataFrame
        ``customers``, ``orders``, ``tickets``, ``surveys``, ``events``, ``tiers``, ``contacts``,
        ``funnel``, ``snapshots`` with the columns and dtypes of :data:`sim.schema.TABLES`.
    info : dict
        ``agents``, ``agent_days_per_day``, ``customers``, ``days``, ``seed``, ``desk_busy_days``,
        ``backlog_at_end``, ``wall_seconds``, ``engine``.
    """
    t0 = time.perf_counter()
    sc = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
    if policy is not None and not isinstance(policy, Policy):
        policy = Policy.load(policy)
    env = simpy.Environment()
    streams = Streams(seed)
    agents, share = agents_on_duty(sc, customers)
    world = World(env, sc, customers, float(days), streams, agents, policy=policy, share=share)
    if policy is not None and not policy.is_noop():
        _attach_firm(env, world, policy, streams)
    world.start()
    env.run(until=days)
    tables = build_tables(world, funnel_rng=streams.generator("funnel"))
    info = {
        "agents": agents,
        "desk_share": share,
        "agent_days_per_day": world.desk.agent_days_per_day,
        "customers": customers,
        "days": float(days),
        "seed": seed,
        "desk_busy_days": world.desk.busy_days,
        "backlog_at_end": world.desk.backlog,
        "wall_seconds": time.perf_counter() - t0,
        "engine": "reference",
    }
    return tables, info


def _attach_firm(env: simpy.Environment, world: World, policy: Policy, streams: Streams) -> None:
    """The firm decides from what it observes through the port; the world calls it back."""
    from sim.world.firm import Firm

    world.attach_firm(Firm(env, ReferencePort(world), policy, streams))
