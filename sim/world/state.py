"""Customer state of the fast engine: one Python list per attribute (struct of arrays).

Customer ``i`` (0-based; ``customer_id - 1`` in the tables) is element ``i`` of every list. The
first ``n_paid`` customers are the paid acquisitions drawn up front by
:func:`sim.world.population.draw_population` (sorted by arrival time; ``n_acquired_paid`` of them
have arrived so far); referred customers are appended by :meth:`Customers.append` as they arrive.

Lists rather than NumPy arrays: the engine reads and writes one element at a time, and a Python
list does that several times faster than an array. The mechanisms bind the lists they use on
their hot path to their own attributes; :meth:`Customers.append` grows the same list objects, so
those bindings stay valid.

The *cold* attributes (read once per acquisition, churn or firm action, never per event) are typed
:class:`array.array` columns instead (:data:`COLD`): a list costs an 8-byte slot per customer plus,
for a float, a 24-byte float object, an array 1-8 bytes in all. At a million customers that is
about 200 MB less. Their elements read back as ``int`` / ``float`` (a flag as 0 or 1, which every
reader only tests for truth); a value that does not fit a narrow column is an error, never
truncated (:func:`typed_column`, :meth:`Customers.append`).

Satisfaction is stored lazily: ``s[i]`` is the value set at time ``st[i]``; between experiences it
relaxes toward ``s0[i]`` (:func:`sim.world.model.relaxed_satisfaction`), which
:meth:`Customers.satisfaction` evaluates on demand.

Examples
--------
>>> import sim
>>> from sim.world.population import draw_population
>>> from sim.world.rng import Streams
>>> sc = sim.Scenario.load("baseline")
>>> c = Customers(draw_population(sc, 5, 365.0, Streams(0)), decay_rate=0.01)
>>> len(c), c.acquired(), c.channel_names[-1]
(5, [], 'referral')
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.world.model import PROB_EPS, S_MAX, S_MIN, logit

__all__ = ["Customers", "REFERRAL_CHANNEL", "COLD", "typed_column"]

#: Acquisition channel of referred customers (appended after the scenario's paid channels).
REFERRAL_CHANNEL = "referral"

#: The cold attributes stored as typed arrays, with their :mod:`array` type code: ``d`` float64,
#: ``b`` int8 (flags 0/1 and small codes), ``h`` int16 (indices into a scenario's channels or plans).
COLD: dict[str, str] = {
    "p": "d", "acq_t": "d", "cac": "d", "churn_t": "d", "s_churn": "d", "reactivated_t": "d",
    "theta": "d", "next_renewal": "d", "rate_factor": "d", "offer_mult": "d", "service_mult": "d",
    "value_mult": "d", "channel": "h", "plan": "h", "birth_month": "b", "archetype": "b",
    "consent": "b", "business": "b", "priority": "b", "opted_out": "b", "basic": "b",
}  # fmt: skip

_INT_RANGE = {"b": (-(2**7), 2**7 - 1), "h": (-(2**15), 2**15 - 1)}


def typed_column(name: str, code: str, values: Any) -> array:
    """A typed array of ``values`` (a NumPy array or a sequence) for the cold attribute ``name``.

    Raises :class:`ValueError` naming the attribute, the value and the range allowed when an
    integer does not fit the type ``code`` (nothing is truncated).

    Examples
    --------
    >>> typed_column("birth_month", "b", np.array([1, 12])).tolist()
    [1, 12]
    >>> typed_column("consent", "b", np.array([True, False])).tolist()
    [1, 0]
    >>> typed_column("plan", "h", [40_000])
    Traceback (most recent call last):
    ...
    ValueError: customer attribute 'plan': value 40000 is outside -32768..32767 (int16)
    """
    arr = np.asarray(values)
    if code == "d":
        return array("d", np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    lo, hi = _INT_RANGE[code]
    if arr.size:
        if arr.dtype.kind not in "biu":
            raise ValueError(f"customer attribute {name!r}: values must be integers, not {arr.dtype}")
        bad = arr[(arr < lo) | (arr > hi)]
        if bad.size:
            raise ValueError(
                f"customer attribute {name!r}: value {bad[0]} is outside {lo}..{hi} (int{8 * array(code).itemsize})"
            )
    return array(code, np.ascontiguousarray(arr, dtype=np.dtype(code)).tobytes())


class Customers:
    """Every customer's traits and state in one world (struct of arrays).

    Parameters
    ----------
    pop : mapping
        The paid customers, as returned by :func:`sim.world.population.draw_population`.
    decay_rate : float
        Relaxation rate of satisfaction toward its starting level (per day;
        :func:`sim.world.model.satisfaction_decay_rate`).

    Attributes
    ----------
    lam, lp, nu, s0 : list of float
        Latent traits: purchase rate, the logit of the dropout probability, spend rate, starting
        satisfaction.
    p : array of float
        Latent dropout probability.
    s, st : list of float
        Satisfaction as last set, and when (days).
    acq_t, channel, cac, consent, birth_month : array
        Acquisition time, channel index into ``channel_names``, acquisition cost, marketing
        consent (0/1) and birth month (observed at sign-up).
    alive, churn_reason : list
        Latent truth: active or not, why they left.
    churn_t, s_churn : array of float
        Latent truth: when they left, satisfaction when they left (NaN: alive).
    version : list of int
        Bumped whenever the customer's pending purchase is superseded (a rate change, churn).
    bad_cause : list of str
        Cause of the last bad experience (``product`` / ``service``), for churn reasons.
    mult, member_drop, member_discount : list of float
        Membership benefits: purchase-rate multiplier, dropout-logit shift, discount.
    priority : array of int8
        Membership benefit: priority service (0/1).
    opted_out : array of int8
        Opted out of contacts since sign-up (observed; 0/1).
    pending : dict
        ``i -> (discount, expiry day, campaign)``: an offer waiting for the customer's next order.
    contact_times : dict
        ``i -> [days]``: recent contacts of customer ``i`` (the fatigue window).
    n_paid, n_acquired_paid : int
        Paid customers in the run, and how many of them have arrived so far.
    archetype, business : array of int8
        Latent archetype (index into :data:`sim.schema.ARCHETYPES`; -1 when archetypes are off) and
        the observed business (B2B) flag (0/1).
    rate_factor, offer_mult, service_mult, value_mult : array of float
        The archetype's purchase-rate factor (folded into ``mult`` at arrival and kept there by
        membership changes), offer response and service sensitivity; the business order-value factor.
        All 1.0 when archetypes are off.
    pref : list of tuple or None
        Latent category preferences (catalogue order; None when the catalogue is off).
    plan, theta, next_renewal : array
        Subscription plan index (-1 off), cancellation probability theta (NaN off) and the time of
        the next renewal (NaN off, or before the first payment).
    renew_shift : dict
        ``i -> log-odds``: a pending renewal reminder's shift, consumed at the next renewal.
    reactivated_t : array of float
        Time of the last win-back (NaN: never).
    basic : array of int8
        In a basic-service tier (set by the firm's tier refresh; 0/1).
    deterred : set of int
        Paid prospects deterred by word of mouth: they never arrive (no customer row).
    affinity : list of tuple or None
        Latent channel affinity, log-odds per channel of :data:`sim.schema.CHANNELS` (None unless
        ``messaging`` has a ``channel_affinity_sd``).

    Examples
    --------
    >>> import sim
    >>> from sim.world.population import draw_population
    >>> from sim.world.rng import Streams
    >>> c = Customers(draw_population(sim.Scenario.load("baseline"), 3, 365.0, Streams(1)), 0.01)
    >>> c.n_acquired_paid = 2          # two paid customers have arrived ...
    >>> i = c.append({"lam": 0.02, "p": 0.3, "nu": 0.01, "s0": 7.0, "consent": True, "birth_month": 5}, 10.0, 25.0)
    >>> i, c.acquired()                # ... and one referred customer
    (3, [0, 1, 3])
    >>> c.experience(i, 10.0, 4.0)     # a great experience, clipped at the top of the scale
    10.0
    >>> round(c.satisfaction(i, 10.0 + math.log(2.0) / 0.01), 6)   # one half-life later
    8.5
    """

    __slots__ = (
        "lam", "p", "lp", "nu", "s0", "s", "st", "acq_t", "channel", "cac", "consent", "birth_month",
        "alive", "churn_t", "churn_reason", "s_churn", "version", "bad_cause",
        "mult", "member_drop", "member_discount", "priority", "opted_out",
        "pending", "contact_times", "n_paid", "n_acquired_paid", "channel_names", "decay_rate",
        "archetype", "business", "rate_factor", "offer_mult", "service_mult", "value_mult", "pref",
        "plan", "theta", "next_renewal", "renew_shift", "reactivated_t", "basic", "deterred", "affinity",
        "loyalty_truth",
    )  # fmt: skip

    # the cold attributes (COLD), set in __init__
    p: array
    acq_t: array
    cac: array
    churn_t: array
    s_churn: array
    reactivated_t: array
    theta: array
    next_renewal: array
    rate_factor: array
    offer_mult: array
    service_mult: array
    value_mult: array
    channel: array
    plan: array
    birth_month: array
    archetype: array
    consent: array
    business: array
    priority: array
    opted_out: array
    basic: array

    def __init__(self, pop: Mapping[str, Any], decay_rate: float) -> None:
        n = len(pop["lam"])
        self.n_paid = n
        self.n_acquired_paid = 0
        self.decay_rate = decay_rate
        self.channel_names: list[str] = [str(c) for c in pop["channel_names"]] + [REFERRAL_CHANNEL]
        self.lam: list[float] = pop["lam"].tolist()
        # vectorised model.logit (NumPy's log, as the population was always drawn)
        self.lp: list[float] = np.log(pop["p"] / (1.0 - pop["p"])).tolist()
        self.nu: list[float] = pop["nu"].tolist()
        self.s0: list[float] = pop["s0"].tolist()
        self.s: list[float] = list(self.s0)  # the same float objects until an experience sets s[i]
        self.st: list[float] = pop["acq_t"].tolist()
        self.alive: list[bool] = [True] * n
        self.churn_reason: list[str] = [""] * n
        self.version: list[int] = [0] * n
        self.bad_cause: list[str] = [""] * n
        self.mult: list[float] = [1.0] * n
        self.member_drop: list[float] = [0.0] * n
        self.member_discount: list[float] = [0.0] * n
        self.pending: dict[int, tuple[float, float, str]] = {}
        self.contact_times: dict[int, list[float]] = {}
        if "rate_factor" in pop:  # the archetype's rate factor, folded into the rate multiplier
            self.mult = pop["rate_factor"].tolist()
        self.pref: list[tuple[float, ...]] | None = [tuple(r) for r in pop["pref"].tolist()] if "pref" in pop else None
        self.renew_shift: dict[int, float] = {}
        # the cold attributes (COLD): typed arrays; the lifecycle mechanisms' (sim.config.mechanisms) have
        # defaults when off
        defaults = {"channel": pop["channel_idx"], "consent": pop["consent"], "birth_month": pop["birth_month"]}
        off = {"archetype": -1, "business": 0, "rate_factor": 1.0, "offer_mult": 1.0, "service_mult": 1.0,
               "value_mult": 1.0, "plan": -1, "theta": math.nan, "churn_t": math.nan, "s_churn": math.nan,
               "next_renewal": math.nan, "reactivated_t": math.nan, "priority": 0, "opted_out": 0, "basic": 0}  # fmt: skip
        for name, code in COLD.items():
            if name in defaults:
                values = defaults[name]
            elif name in off and name not in pop:
                values = np.full(n, off[name], dtype=np.float64 if code == "d" else np.int64)
            else:
                values = pop[name]
            setattr(self, name, typed_column(name, code, values))
        typed_column("channel", COLD["channel"], [len(self.channel_names) - 1])  # referred customers' channel fits
        self.deterred: set[int] = set()
        #: chapter 09: latent (check-in rate per week, redemption probability) per customer (sim.world.loyalty; {} off)
        self.loyalty_truth: dict[int, tuple[float, float]] = {}
        # chapter 08: latent channel affinity (log-odds per sim.schema.CHANNELS; None when off)
        self.affinity: list[tuple[float, ...]] | None = (
            [tuple(r) for r in pop["affinity"].tolist()] if "affinity" in pop else None
        )

    def __len__(self) -> int:
        return len(self.lam)

    def append(self, traits: Mapping[str, Any], now: float, cac: float) -> int:
        """Add a referred customer arriving at ``now`` (traits from
        :class:`sim.world.population.TraitPool`); returns their index."""
        i = len(self.lam)
        # the narrow columns' values are checked before anything is appended (an error leaves no half row)
        birth_month, archetype, plan = (
            int(traits["birth_month"]),
            int(traits.get("archetype", -1)),
            int(traits.get("plan", -1)),
        )
        for name, v in (("birth_month", birth_month), ("archetype", archetype), ("plan", plan)):
            lo, hi = _INT_RANGE[COLD[name]]
            if not lo <= v <= hi:
                typed_column(name, COLD[name], [v])  # raises the error naming the attribute and the range
        p = min(max(traits["p"], PROB_EPS), 1 - PROB_EPS)
        self.lam.append(traits["lam"])
        self.p.append(p)
        self.lp.append(logit(p))
        self.nu.append(traits["nu"])
        self.s0.append(traits["s0"])
        self.s.append(traits["s0"])
        self.st.append(now)
        self.acq_t.append(now)
        self.channel.append(len(self.channel_names) - 1)
        self.cac.append(cac)
        self.consent.append(bool(traits["consent"]))
        self.birth_month.append(birth_month)
        self.alive.append(True)
        self.churn_t.append(math.nan)
        self.churn_reason.append("")
        self.s_churn.append(math.nan)
        self.version.append(0)
        self.bad_cause.append("")
        self.member_drop.append(0.0)
        self.member_discount.append(0.0)
        self.priority.append(False)
        self.opted_out.append(False)
        rate_factor = traits.get("rate_factor", 1.0)
        self.mult.append(rate_factor)
        self.archetype.append(archetype)
        self.business.append(bool(traits.get("business", False)))
        self.rate_factor.append(rate_factor)
        self.offer_mult.append(traits.get("offer_mult", 1.0))
        self.service_mult.append(traits.get("service_mult", 1.0))
        self.value_mult.append(traits.get("value_mult", 1.0))
        if self.pref is not None:
            self.pref.append(tuple(traits["pref"]))
        self.plan.append(plan)
        self.theta.append(traits.get("theta", math.nan))
        self.next_renewal.append(math.nan)
        self.reactivated_t.append(math.nan)
        self.basic.append(False)
        if self.affinity is not None:
            self.affinity.append(tuple(traits["affinity"]))
        return i

    def acquired(self) -> list[int]:
        """Indices of the customers acquired so far (paid ones that arrived, then referred ones;
        prospects deterred by word of mouth never arrive)."""
        paid = range(self.n_acquired_paid)
        if self.deterred:
            return [i for i in paid if i not in self.deterred] + list(range(self.n_paid, len(self.lam)))
        return list(paid) + list(range(self.n_paid, len(self.lam)))

    def acquired_index(self) -> np.ndarray:
        """:meth:`acquired` as an ``int64`` array."""
        idx = np.r_[np.arange(self.n_acquired_paid), np.arange(self.n_paid, len(self.lam))].astype(np.int64)
        if self.deterred:
            idx = idx[~np.isin(idx, np.fromiter(self.deterred, dtype=np.int64))]
        return idx

    def satisfaction(self, i: int, now: float) -> float:
        """Latent satisfaction of customer ``i`` at ``now`` (:func:`~sim.world.model.relaxed_satisfaction`).

        On the hot path: every purchase drawn without a known satisfaction asks for it.
        """
        s0 = self.s0[i]
        # inlined: model.relaxed_satisfaction
        return s0 + (self.s[i] - s0) * math.exp(-self.decay_rate * (now - self.st[i]))

    def experience(self, i: int, now: float, effect: float) -> float:
        """An experience moves satisfaction by ``effect`` now (:func:`~sim.world.model.satisfaction_after`);
        returns the new value."""
        s0 = self.s0[i]
        # inlined: model.relaxed_satisfaction, then model.satisfaction_after
        s = s0 + (self.s[i] - s0) * math.exp(-self.decay_rate * (now - self.st[i])) + effect
        s = S_MIN if s < S_MIN else (S_MAX if s > S_MAX else s)
        self.s[i] = s
        self.st[i] = now
        return s
