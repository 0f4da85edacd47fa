"""The pre-purchase funnel: leads -> prospects -> first order, per paid channel and 30-day period.

The funnel is drawn *after* the run from the paid acquisitions it must end in, so it never
changes the world (and ``baseline`` / ``btyd_only`` stay bit-for-bit identical). Per paid channel
``k`` and period, with ``n`` the paid customers the channel acquired in the period:

* ``prospects = n + NegBin(n, prospect_to_customer_k)``: the prospects it took to win ``n``
  customers when each prospect orders with probability ``prospect_to_customer`` (the failures
  before the ``n``-th success; :func:`~sim.world.model.negbin_trials`);
* ``leads = prospects + NegBin(prospects, lead_to_prospect_k)``, likewise;
* ``spend`` = the sum of the CAC of those ``n`` customers.

``customers / prospects`` is then the maximum-likelihood estimate of ``prospect_to_customer``
(inverse sampling), and likewise ``prospects / leads``. Draws come from the ``funnel`` stream only,
all at once (vectorised). Referred customers have no funnel.

Examples
--------
>>> import numpy as np, sim
>>> sc = sim.Scenario.load("baseline")
>>> cols = funnel_columns(np.array([1.0, 2.0, 40.0]), np.array(["search", "search", "social"]),
...                       np.array([120.0, 120.0, 90.0]), sc, 60.0, np.random.default_rng(0))
>>> list(cols["channel"]), cols["t"].tolist(), cols["customers"].tolist()
(['search', 'search', 'social', 'social', 'marketplace', 'marketplace'], [0.0, 30.0, 0.0, 30.0, 0.0, 30.0], [2, 0, 0, 1, 0, 0])
>>> bool(np.all(cols["leads"] >= cols["prospects"])) and bool(np.all(cols["prospects"] >= cols["customers"]))
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.config.scenario import Scenario
from sim.world.model import negbin_trials

__all__ = ["FUNNEL_PERIOD_DAYS", "funnel_columns"]

#: Length of one funnel period (days); periods start at day 0, 30, 60, ...
FUNNEL_PERIOD_DAYS = 30.0


def funnel_columns(
    acquired_t: Any, channel: Any, cac: Any, sc: Scenario, horizon: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The ``funnel`` table's columns (without ``date``) from the paid acquisitions of a run.

    Parameters
    ----------
    acquired_t, channel, cac : array-like
        Acquisition time, channel name and CAC of every customer (referred ones are ignored).
    sc : Scenario
        The paid channels and their funnel rates (``population.channels``).
    horizon : float
        Days simulated: periods start at ``0, 30, ...`` before it.
    rng : numpy.random.Generator
        The run's ``funnel`` stream.

    Returns
    -------
    dict of ndarray
        ``channel, t, leads, prospects, customers, spend``: one row per paid channel and period,
        channels in the scenario's order.
    """
    names = list(sc.population.channels)
    n_periods = max(1, math.ceil(horizon / FUNNEL_PERIOD_DAYS))
    acq = np.asarray(acquired_t, dtype=float)
    ch = np.asarray(channel, dtype=object)
    money = np.asarray(cac, dtype=float)
    code = np.full(len(acq), -1, dtype=np.int64)
    for k, name in enumerate(names):
        code[ch == name] = k
    paid = code >= 0
    period = np.minimum((acq[paid] // FUNNEL_PERIOD_DAYS).astype(np.int64), n_periods - 1)
    cell = code[paid] * n_periods + period
    size = len(names) * n_periods
    customers = np.bincount(cell, minlength=size).astype(np.int64)
    spend = np.bincount(cell, weights=money[paid], minlength=size).astype(float)
    to_customer = np.repeat([sc.population.channels[n].prospect_to_customer for n in names], n_periods)
    to_prospect = np.repeat([sc.population.channels[n].lead_to_prospect for n in names], n_periods)
    prospects = negbin_trials(customers, to_customer, rng)
    leads = negbin_trials(prospects, to_prospect, rng)
    return {
        "channel": np.repeat(np.array(names, dtype=object), n_periods),
        "t": np.tile(np.arange(n_periods, dtype=float) * FUNNEL_PERIOD_DAYS, len(names)),
        "leads": leads,
        "prospects": prospects,
        "customers": customers,
        "spend": spend,
    }
