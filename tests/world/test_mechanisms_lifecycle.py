"""Catalogue, archetypes and word of mouth in the fast engine (issue 12).

Each mechanism is checked against its definition (exact identities where common random numbers
make them exact, distributions within binomial error otherwise) and by an effect test: the same
seed with the lever on and off, the quantity it should move moves the right way by a clear margin.
The worlds run through :class:`sim.world.engine.World` and read its logs and state directly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

import sim
from sim.errors import ConfigError
from sim.schema import ARCHETYPES, LATENT_EVENTS
from sim.world.engine import World
from sim.world.model import PROMOTER_MIN, extra_line_category, poisson_inverse
from sim.world.population import draw_population
from sim.world.rng import Streams
from sim.world.simulate import desk_agents

pytestmark = pytest.mark.timeout(120)

#: btyd_only with referral, satisfaction and surveys off: purchase timing ignores order values.
PLAIN = sim.Scenario.load("btyd_only")


def _world(sc: sim.Scenario, n: int, days: float, seed: int, policy: sim.Policy | None = None) -> World:
    env = simpy.Environment()
    w = World(env, sc, n, days, Streams(seed), desk_agents(sc, n), policy=policy)
    w.start()
    env.run(until=days)
    return w


def _orders(w: World) -> dict[str, np.ndarray]:
    o = w.logs.orders
    rest = o.rest
    return {
        "customer": np.array(o.customer, dtype=np.int64),
        "t": np.array(o.t, dtype=float),
        "amount": np.array(o.amount, dtype=float),
        "first": np.array([r[0] for r in rest], dtype=bool),
        "category": np.array([r[5] for r in rest], dtype=np.int64),
        "basket": np.array([r[6] for r in rest], dtype=object),
    }


def _binomial_ok(k: float, n: float, p: float, z: float = 4.0) -> bool:
    return abs(k - n * p) <= z * math.sqrt(n * p * (1 - p)) + 1


# ------------------------------------------------------------------------------- off is off
@pytest.mark.parametrize("name", ["baseline", "btyd_only"])
def test_switched_off_mechanisms_change_nothing(name):
    """Parameters of a mechanism that is off are never read: the tables equal the preset's."""
    sc = sim.Scenario.load(name)
    odd = sc.updated(
        {
            "catalogue.extra_lines_mean": 5.0,
            "catalogue.preference_concentration": 0.1,
            "archetypes.business_share": 0.9,
            "subscription.alpha": 0.1,
            "word_of_mouth.promoter_tells": 20.0,
            "word_of_mouth.deterrence": 1.0,
        }
    )
    a = sim.run(sc, customers=300, days=365, seed=5)
    b = sim.run(odd, customers=300, days=365, seed=5)
    for table in ("customers", "orders", "tickets", "surveys", "events"):
        assert getattr(a, table).equals(getattr(b, table)), table
    w = _world(sc, 300, 365.0, 5)
    c = w.customers
    assert set(c.archetype) == {-1} and c.pref is None and set(c.plan) == {-1}
    assert all(math.isnan(x) for x in c.theta) and set(c.mult) == {1.0}
    assert {r[5:] for r in w.logs.orders.rest} == {(-1, "")}


def test_mechanism_traits_come_from_their_own_streams():
    """Switching a mechanism on leaves every other trait draw of the population unchanged."""
    sc = sim.Scenario.load("baseline")
    a = draw_population(sc, 500, 365.0, Streams(3))
    # a subscription world has no catalogue (the scenario refuses both), so two combinations
    for switches, new in (
        (("catalogue", "archetypes"), {"archetype", "business", "pref"}),
        (("archetypes", "subscription"), {"archetype", "business", "plan", "theta"}),
    ):
        on = sc.updated({f"{m}.enabled": True for m in switches})
        b = draw_population(on, 500, 365.0, Streams(3))
        for key in a:
            assert np.array_equal(a[key], b[key]), (switches, key)
        assert new <= set(b) - set(a), switches


# ------------------------------------------------------------------------------- catalogue
def test_catalogue_amounts_are_the_gamma_gamma_value_times_the_price_level():
    """Common random numbers: in btyd_only the order times do not depend on values, so each order
    of the catalogue world is the same order as without it, worth exactly price_level(main) x."""
    on = PLAIN.updated({"catalogue.enabled": True})
    off_o = _orders(_world(PLAIN, 1500, 365.0, 4))
    w = _world(on, 1500, 365.0, 4)
    on_o = _orders(w)
    assert np.array_equal(off_o["t"], on_o["t"]) and np.array_equal(off_o["customer"], on_o["customer"])
    levels = np.array([c.price_level for c in on.catalogue.categories.values()])
    np.testing.assert_allclose(on_o["amount"], off_o["amount"] * levels[on_o["category"]], rtol=1e-12)
    names = list(on.catalogue.categories)
    for cat, basket in zip(on_o["category"][:2000], on_o["basket"][:2000], strict=True):
        lines = basket.split("|")
        assert lines[0] == names[cat] and len(set(lines)) == len(lines) and set(lines) <= set(names)


def test_main_categories_follow_popularity_and_each_customers_preferences():
    sc = PLAIN.updated({"catalogue.enabled": True, "catalogue.preference_concentration": 0.5})
    w = _world(sc, 3000, 365.0, 6)
    o = _orders(w)
    pop = np.array([c.popularity for c in sc.catalogue.categories.values()])
    share = np.bincount(o["category"], minlength=len(pop)) / len(o["category"])
    # preferences are independent of purchase rates: the order-weighted mean preference is the popularity
    # (orders cluster by customer, so the tolerance is wider than a binomial one)
    assert np.abs(share - pop).max() < 0.04, share
    pref = np.array(w.customers.pref)
    top = pref.argmax(axis=1)
    in_top = np.mean(o["category"] == top[o["customer"]])
    # a specialist world: a customer's orders go to their top category far more often than by popularity
    assert in_top > 0.5 > pop.max()


def test_companions_make_association_rules():
    """P(accessories in the basket | main electronics) well above P(accessories | main groceries):
    electronics' extra lines are accessories with probability 0.65 (the default companions)."""
    sc = PLAIN.updated({"catalogue.enabled": True})
    o = _orders(_world(sc, 3000, 365.0, 8))
    names = list(sc.catalogue.categories)
    has_acc = np.array(["accessories" in b.split("|")[1:] for b in o["basket"]])
    elec = o["category"] == names.index("electronics")
    groc = o["category"] == names.index("groceries")
    assert has_acc[elec].mean() > 2 * has_acc[groc].mean() + 0.1
    # extra lines ~ Poisson(0.8): share of single-line orders <= exp(-0.8) (a repeat line merges)
    single = np.mean([b.count("|") == 0 for b in o["basket"]])
    assert single >= math.exp(-0.8) - 0.02


def test_extra_line_and_poisson_equations():
    rng = np.random.default_rng(0)
    u = rng.random(20000)
    k = np.array([poisson_inverse(x, 0.8) for x in u])
    assert abs(k.mean() - 0.8) < 0.03 and abs(k.var() - 0.8) < 0.06
    prefs = {"a": 0.2, "b": 0.8}
    lines = [extra_line_category(x, {"c": 0.5}, prefs) for x in u]
    assert _binomial_ok(lines.count("c"), len(u), 0.5) and _binomial_ok(lines.count("b"), len(u), 0.4)


# ------------------------------------------------------------------------------- archetypes
def test_archetype_mix_and_business_share():
    sc = PLAIN.updated({"archetypes.enabled": True, "archetypes.business_share": 0.2})
    c = _world(sc, 4000, 30.0, 2).customers
    arch = np.array(c.archetype[: c.n_paid])
    for k, name in enumerate(ARCHETYPES):
        assert _binomial_ok((arch == k).sum(), c.n_paid, sc.archetypes.mix[name]), name
    business = np.array(c.business[: c.n_paid])
    assert _binomial_ok(business.sum(), c.n_paid, 0.2)
    np.testing.assert_array_equal(np.array(c.value_mult[: c.n_paid]), np.where(business, 3.0, 1.0))


def test_business_accounts_order_worth_the_spend_factor():
    """Rate factors of 1: the same orders as without archetypes, business ones worth 3x exactly."""
    one = {f"archetypes.effects.{a}.rate_factor": 1.0 for a in ARCHETYPES}
    sc = PLAIN.updated({"archetypes.enabled": True, "archetypes.business_share": 0.3, **one})
    off_o = _orders(_world(PLAIN, 1500, 365.0, 9))
    w = _world(sc, 1500, 365.0, 9)
    on_o = _orders(w)
    assert np.array_equal(off_o["t"], on_o["t"])
    factor = np.array(w.customers.value_mult)[on_o["customer"]]
    assert (factor == 3.0).any()
    np.testing.assert_allclose(on_o["amount"], off_o["amount"] * factor, rtol=1e-12)


def test_rate_factor_moves_purchases_and_leaves_lambda_alone():
    """A 2x and a 0.5x archetype: their customers buy more and less often than the same
    customers without archetypes; the BG/NBD lambda (true_purchase_rate) is the same draw."""
    sc = PLAIN.updated(
        {
            "archetypes.enabled": True,
            "archetypes.effects.convenience.rate_factor": 2.0,
            "archetypes.effects.price_sensitive.rate_factor": 0.5,
        }
    )
    off = _world(PLAIN, 4000, 365.0, 12)
    on = _world(sc, 4000, 365.0, 12)
    assert on.customers.lam == off.customers.lam
    arch = np.array(on.customers.archetype)
    n_off = np.bincount(_orders(off)["customer"], minlength=len(arch))
    n_on = np.bincount(_orders(on)["customer"], minlength=len(arch))
    conv, price = arch == ARCHETYPES.index("convenience"), arch == ARCHETYPES.index("price_sensitive")
    assert n_on[conv].sum() > 1.3 * n_off[conv].sum()
    assert n_on[price].sum() < 0.8 * n_off[price].sum()
    assert np.array(on.customers.mult)[conv].tolist() == [2.0] * int(conv.sum())


def test_service_sensitivity_raises_churn_after_tickets():
    """Many tickets, a generous chance of leaving after one: service-sensitive customers (x3) leave
    after a ticket far more often than the same customers without archetypes."""
    base = sim.Scenario.load("baseline").updated(
        {
            "complaints.complaint_prob_ok": 0.3,
            "complaints.churn_prob_after_met": 0.05,
            "complaints.churn_prob_after_breach": 0.1,
            "population.referral.enabled": False,
        }
    )
    on = base.updated({"archetypes.enabled": True, "archetypes.effects.service_sensitive.service_sensitivity": 3.0})

    def left_after_ticket(w: World) -> np.ndarray:
        tk, c = w.tickets, w.customers
        out = np.zeros(len(c), dtype=bool)
        for cust, res in zip(tk.customer, tk.resolved, strict=True):
            if cust >= 0 and c.churn_t[cust] == res:
                out[cust] = True
        return out

    w_off, w_on = _world(base, 3000, 365.0, 21), _world(on, 3000, 365.0, 21)
    sens = np.array(w_on.customers.archetype) == ARCHETYPES.index("service_sensitive")
    ticketed = np.zeros(len(sens), dtype=bool)
    ticketed[[i for i in w_on.tickets.customer if i >= 0]] = True
    ticketed_off = np.zeros(len(w_off.customers), dtype=bool)
    ticketed_off[[i for i in w_off.tickets.customer if i >= 0]] = True
    rate_on = left_after_ticket(w_on)[sens & ticketed].mean()
    rate_off = left_after_ticket(w_off)[sens[: len(ticketed_off)] & ticketed_off].mean()
    assert rate_on > 2.0 * rate_off, (rate_on, rate_off)


def test_offer_response_multiplies_conversion():
    """Price-sensitive customers (offer response x2) convert an offer twice as often as without
    archetypes; service-sensitive ones (x0.6) less often."""
    pol = sim.Policy.load("churn_rescue")
    sc = sim.Scenario.load("btyd_only").updated({"archetypes.enabled": True})

    def conversion(scenario: sim.Scenario) -> tuple[np.ndarray, np.ndarray]:
        env = simpy.Environment()
        w = World(env, scenario, 3000, 30.0, Streams(5), 1, policy=pol)
        w.start()
        env.run(until=1.0)  # the launch cohort has arrived
        cids = [w.actions.deliver(i, "test", "phone", "rescue_coupon") for i in w.customers.acquired()]
        ok = np.array([w.logs.contacts.opened[k] for k in cids])
        conv = np.array([w.logs.contacts.converted[k] for k in cids])
        return ok, conv

    ok_off, conv_off = conversion(sim.Scenario.load("btyd_only"))
    ok_on, conv_on = conversion(sc)
    arch = np.array(draw_population(sc, 3000, 30.0, Streams(5))["archetype"])
    price, serv = arch == ARCHETYPES.index("price_sensitive"), arch == ARCHETYPES.index("service_sensitive")
    r_on = conv_on[price & ok_on].mean()
    r_off = conv_off[price & ok_off].mean()
    assert r_on > 1.5 * r_off and conv_on[serv & ok_on].mean() < conv_off[serv & ok_off].mean()


# ------------------------------------------------------------------------------- word of mouth
def _wom_events(w: World) -> list[tuple[int, str, str]]:
    ev = w.logs.events
    return [(i, k, d) for i, k, d in zip(ev.customer, ev.kind, ev.detail, strict=True) if k.startswith("true_")]


def test_word_of_mouth_events_and_their_latent_names():
    assert {"true_word_of_mouth", "true_deterred"} <= LATENT_EVENTS
    sc = sim.Scenario.load("baseline").updated({"word_of_mouth.enabled": True})
    w = _world(sc, 2000, 365.0, 3)
    ev = w.logs.events
    tells = [d for k, d in zip(ev.kind, ev.detail, strict=True) if k == "true_word_of_mouth"]
    assert any(d.startswith("+") for d in tells) and any(d.startswith("-") for d in tells)
    assert all(int(d[1:]) >= 1 for d in tells)
    # every referral follows a positive tell by the referrer, at the same time
    told = {(i, t) for i, k, d, t in zip(ev.customer, ev.kind, ev.detail, ev.t, strict=True)
            if k == "true_word_of_mouth" and d.startswith("+")}  # fmt: skip
    referred = [(i, t) for i, k, t in zip(ev.customer, ev.kind, ev.t, strict=True) if k == "referred"]
    assert referred and all(r in told for r in referred)


def test_word_of_mouth_replaces_the_referral_probability():
    sc = sim.Scenario.load("baseline").updated({"word_of_mouth.enabled": True})
    a = _world(sc, 800, 365.0, 4)
    b = _world(sc.updated({"population.referral.prob_per_promoter_order": 0.9}), 800, 365.0, 4)
    assert list(a.logs.orders.t) == list(b.logs.orders.t)


def test_positive_tells_bring_referred_customers():
    base = sim.Scenario.load("baseline").updated({"word_of_mouth.enabled": True, "word_of_mouth.deterrence": 0.0})
    few = _world(base.updated({"word_of_mouth.referral_conversion": 0.02}), 3000, 365.0, 7)
    many = _world(base.updated({"word_of_mouth.referral_conversion": 0.2}), 3000, 365.0, 7)
    n_few = len(few.customers) - few.customers.n_paid
    n_many = len(many.customers) - many.customers.n_paid
    assert n_many > 4 * n_few > 0


def test_negative_tells_deter_paid_prospects_who_never_arrive():
    base = sim.Scenario.load("baseline").updated(
        {"word_of_mouth.enabled": True, "word_of_mouth.referral_conversion": 0.0}
    )
    quiet = _world(base.updated({"word_of_mouth.deterrence": 0.0}), 3000, 365.0, 8)
    loud = _world(base.updated({"word_of_mouth.deterrence": 0.3, "word_of_mouth.detractor_tells": 5.0}), 3000, 365.0, 8)
    deterred = [d for i, k, d in _wom_events(loud) if k == "true_deterred"]
    assert not [1 for i, k, d in _wom_events(quiet) if k == "true_deterred"]
    assert len(deterred) > 50
    c = loud.customers
    ids = {int(d) - 1 for d in deterred}
    assert ids == c.deterred and len(ids) == len(deterred)  # each prospect deterred once
    acquired = set(c.acquired())
    assert not ids & acquired and not ids & set(loud.logs.orders.customer)
    assert len(quiet.customers.acquired()) - len(acquired) == len(deterred)  # counted, never silent
    assert all(c.acq_t[k] < 365.0 for k in ids)


def test_passives_say_nothing_and_promoters_are_those_at_nine():
    """With satisfaction off everyone keeps s0: only customers with s0 >= 9 or <= 6 talk."""
    sc = sim.Scenario.load("btyd_only").updated({"word_of_mouth.enabled": True})
    w = _world(sc, 2000, 365.0, 10)
    s0 = w.customers.s0
    for i, k, d in _wom_events(w):
        if k == "true_word_of_mouth":
            assert (s0[i] >= PROMOTER_MIN) if d.startswith("+") else (s0[i] <= 6.0)


# ------------------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"catalogue.categories.home.popularity": 0.5}, ["popularities must sum to 1"]),
        ({"catalogue.companions": {"home": {"toys": 0.3}}}, ["catalogue", "unknown categories", "toys"]),
        ({"catalogue.companions": {"home": {"groceries": 0.7, "beauty": 0.6}}}, ["home", "at most 1"]),
        ({"archetypes.mix": {"price_sensitive": 0.5, "bargain_hunter": 0.5}}, ["archetypes.mix", "bargain_hunter"]),
        ({"archetypes.effects": {"convenience": {}}}, ["archetypes.effects", "missing"]),
        ({"archetypes.effects.convenience.rate_factor": 0.0}, ["rate_factor", "0.0"]),
        ({"subscription.plans": {}}, ["subscription.plans", "at least one plan"]),
        ({"word_of_mouth.deterrence": 1.5}, ["word_of_mouth.deterrence", "1.5"]),
    ],
)
def test_bad_mechanism_settings_name_the_field(changes, words):
    with pytest.raises(sim.errors.ConfigError) as exc:
        sim.Scenario.load("baseline").updated(changes)
    for word in words:
        assert word in str(exc.value), (word, str(exc.value))


@pytest.mark.timeout(120)
def test_runaway_referrals_stop_with_a_clear_error():
    """A world of promoters who always refer grows without end: the run stops, naming the levers."""
    sc = sim.Scenario.load("baseline").updated(
        {
            "satisfaction.initial_mean": 10.0,
            "satisfaction.initial_sd": 0.0,
            "satisfaction.reference": 10.0,
            "population.referral.prob_per_promoter_order": 1.0,
        }
    )
    with pytest.raises(ConfigError, match="referrals run away.*prob_per_promoter_order"):
        sim.run(sc, customers=300, days=200, seed=1)
