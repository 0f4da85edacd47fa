"""Chapter 08 world mechanisms: the click stage, message variants with hidden effects, channel
affinity, the Thompson-sampling bandit and the holiday trigger.

Every mechanism is off by default; with it on, the quantity it drives moves the right way under
common random numbers (same seed, lever on vs off), checked against the contacts' own truth
columns or a closed form with a statistical margin.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.messaging import Messaging
from sim.config.policy import Policy
from sim.config.policy_contacts import HolidayTrigger, Trigger
from sim.errors import ConfigError
from sim.world.model import click_and_convert, message_probability, thompson_pick

pytestmark = pytest.mark.timeout(120)

N, DAYS, SEED = 2500, 730.0, 11


def _scenario(**changes: object) -> sim.Scenario:
    """The messaging world without the (slow) uplift replays."""
    return sim.Scenario.load("messaging").updated({"uplift.enabled": False, **changes})


def _two_prop(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """Difference of two proportions and its standard error (unpooled)."""
    p1, p2 = x1 / n1, x2 / n2
    return p1 - p2, math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)


# ---------------------------------------------------------------- configuration
def test_everything_is_off_by_default():
    sc, pol = sim.Scenario(), Policy()
    assert not sc.messaging.enabled and sc.messaging.channel_affinity_sd == 0.0
    assert not pol.triggers.holiday.enabled
    assert all(getattr(pol.triggers, n).allocation == "fixed" for n in type(pol.triggers).model_fields)
    for ch in pol.channels.values():  # each default channel's click rate is at least its convert rate
        assert ch.click_rate is not None and ch.click_rate >= ch.convert_rate


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda: Messaging(effects={"font": {}}), "not one of"),
        (lambda: Messaging(channel_affinity_sd=-1.0), "greater than or equal"),
        (lambda: Trigger(enabled=True, allocation="thompson"), "needs variants"),
        (lambda: HolidayTrigger(enabled=True, dates=["13-01"]), "MM-DD"),
        (lambda: HolidayTrigger(enabled=True, dates=[]), "at least one date"),
    ],
)
def test_invalid_messaging_settings_are_refused(build, needle):
    with pytest.raises(ValueError, match=needle):
        build()


def test_a_policy_with_a_bad_holiday_date_is_a_config_error():
    with pytest.raises(ConfigError):
        Policy.load("holiday_care").updated({"triggers.holiday.dates": ["02-30"]})


# ---------------------------------------------------------------- the click stage (PA1)
def test_click_and_convert_are_nested_on_one_uniform():
    u = np.random.default_rng(0).random(200_000)
    pairs = np.array([click_and_convert(x, 0.12, 0.03) for x in u[:50_000]])
    clicked, converted = pairs[:, 0], pairs[:, 1]
    assert not (converted & ~clicked).any()  # converted implies clicked
    for share, p in ((clicked.mean(), 0.12), (converted.mean(), 0.03)):
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / 50_000)
    # a click rate below the convert rate counts as the convert rate
    assert click_and_convert(0.04, 0.01, 0.05) == (True, True)


@pytest.fixture(scope="module")
def sms_runs() -> tuple[sim.Result, sim.Result]:
    """spray_and_pray (an SMS every 5 days, no offer) with the default click rate and with 0.5."""
    sc = sim.Scenario.load("baseline")
    pol = Policy.load("spray_and_pray")
    hi = pol.updated({"channels.sms.click_rate": 0.5})
    return sim.run(sc, pol, customers=800, days=365, seed=SEED), sim.run(sc, hi, customers=800, days=365, seed=SEED)


def test_the_click_stage_adds_no_draw_and_clicks_at_the_channel_rate(sms_runs):
    base, hi = sms_runs
    a, b = base.contacts, hi.contacts
    # no new draw: a different click rate leaves every other outcome (and table) untouched
    for col in ("customer_id", "t", "opened", "converted", "true_convert_prob"):
        pd.testing.assert_series_equal(a[col], b[col])
    pd.testing.assert_frame_equal(base.orders, hi.orders)
    for ct, p_click in ((a, Policy.load("spray_and_pray").channels["sms"].click_rate), (b, 0.5)):
        assert not (ct["converted"] & ~ct["clicked"]).any() and not (ct["clicked"] & ~ct["opened"]).any()
        # opened contacts to customers active at send (true_convert_prob > 0): P(click) = click rate
        active = ct[ct["opened"] & (ct["true_convert_prob"] > 0)]
        share, n = float(active["clicked"].mean()), len(active)
        assert n > 2000
        assert abs(share - p_click) < 4 * math.sqrt(p_click * (1 - p_click) / n)
    kpis = base.kpis()
    opened = a[a["opened"]]
    assert kpis["contact_click_rate"] == pytest.approx(opened["clicked"].mean())


# ---------------------------------------------------------------- variants with hidden effects (PA2, PA3)
@pytest.fixture(scope="module")
def ab_runs() -> dict[str, sim.Result]:
    """ab_test and bandit in the messaging world (strong image effect on conversion), and ab_test
    with messaging off — all on one seed."""
    sc = _scenario(**{"messaging.effects.image.product.convert_shift": 0.8})
    off = sc.updated({"messaging.enabled": False})
    return {
        "ab": sim.run(sc, "ab_test", customers=N, days=DAYS, seed=SEED),
        "bandit": sim.run(sc, "bandit", customers=N, days=DAYS, seed=SEED),
        "ab_off": sim.run(off, "ab_test", customers=N, days=DAYS, seed=SEED),
    }


def test_variant_levels_and_truth_columns_are_recorded(ab_runs):
    ct = ab_runs["ab"].contacts
    po = ct[ct["campaign"] == "post_order"]
    assert set(po["send_time"]) == {"morning", "evening"} and set(po["image"]) == {"lifestyle", "product"}
    assert (po["copy"] == "personal").all()
    assert (po["variant"].str.split("_").str[0] == po["send_time"]).all()
    assert po["true_open_prob"].between(0, 1).all()
    assert (po["true_best_convert_prob"] >= po["true_convert_prob"] - 1e-12).all()
    # the variant split is sticky per customer
    assert (po.groupby("customer_id")["variant"].nunique() == 1).all()


def test_send_time_effect_is_recovered_by_a_two_proportion_test(ab_runs):
    """Observed open-rate difference evening - morning: significantly positive, and its 99% CI covers
    the true difference of the contacts' own open probabilities."""
    ct = ab_runs["ab"].contacts
    po = ct[ct["campaign"] == "post_order"]
    ev, mo = po[po["send_time"] == "evening"], po[po["send_time"] == "morning"]
    diff, se = _two_prop(ev["opened"].sum(), len(ev), mo["opened"].sum(), len(mo))
    truth = ev["true_open_prob"].mean() - mo["true_open_prob"].mean()
    assert diff / se > 3.0
    assert abs(diff - truth) < 2.58 * se
    # the truth itself is the scenario's +0.3 log-odds: evening odds / morning odds ~ exp(0.3) per contact
    assert truth > 0.03


def test_image_effect_on_conversion_is_recovered_and_vanishes_with_messaging_off(ab_runs):
    for key, expect_effect in (("ab", True), ("ab_off", False)):
        ct = ab_runs[key].contacts
        po = ct[(ct["campaign"] == "post_order") & ct["opened"]]
        pr, li = po[po["image"] == "product"], po[po["image"] == "lifestyle"]
        diff, se = _two_prop(pr["converted"].sum(), len(pr), li["converted"].sum(), len(li))
        if expect_effect:
            assert diff / se > 3.0
        else:
            assert abs(diff / se) < 3.3
            # with messaging off every variant has the channel's own open rate
            assert (po["true_open_prob"] == 0.45).all()


def test_messaging_effects_under_common_random_numbers(ab_runs):
    """Same seed, messaging on vs off: the evening contacts' open rate and the product contacts'
    conversion both rise."""
    on, off = ab_runs["ab"].contacts, ab_runs["ab_off"].contacts
    for frame in (on, off):
        assert len(frame) > 3000

    def rate(ct: pd.DataFrame, col: str, level_col: str, level: str, cond: str | None = None) -> tuple[float, int]:
        sel = ct[(ct["campaign"] == "post_order") & (ct[level_col] == level)]
        if cond is not None:
            sel = sel[sel[cond]]
        return float(sel[col].mean()), len(sel)

    (o1, n1), (o0, n0) = rate(on, "opened", "send_time", "evening"), rate(off, "opened", "send_time", "evening")
    assert (o1 - o0) / math.sqrt(o1 * (1 - o1) / n1 + o0 * (1 - o0) / n0) > 3.0
    (c1, m1), (c0, m0) = (
        rate(on, "converted", "image", "product", "opened"),
        rate(off, "converted", "image", "product", "opened"),
    )
    assert (c1 - c0) / math.sqrt(c1 * (1 - c1) / m1 + c0 * (1 - c0) / m0) > 3.0


# ---------------------------------------------------------------- bandit (PA2)
def test_thompson_bandit_has_less_regret_than_the_fixed_split(ab_runs):
    regret = {}
    for key in ("ab", "bandit"):
        ct = ab_runs[key].contacts
        po = ct[ct["campaign"] == "post_order"]
        r = po["true_best_convert_prob"] - po["true_convert_prob"]
        regret[key] = (float(r.mean()), float(r.std() / math.sqrt(len(r))))
    (m_ab, s_ab), (m_bd, s_bd) = regret["ab"], regret["bandit"]
    assert m_ab - m_bd > 4 * math.hypot(s_ab, s_bd)
    assert m_bd < 0.6 * m_ab
    # the bandit sends mostly the product-image arms (the strong hidden effect; the evening's
    # small open effect may take longer to separate), the fixed split a quarter to each
    for key, lo, hi in (("bandit", 0.7, 1.0), ("ab", 0.45, 0.55)):
        po = ab_runs[key].contacts.query("campaign == 'post_order'")
        assert lo < (po["image"] == "product").mean() <= hi


def test_thompson_pick_follows_the_posterior():
    gen = np.random.default_rng(1)
    picks = np.array([thompson_pick([30, 10], [70, 90], gen) for _ in range(2000)])
    assert (picks == 0).mean() > 0.99  # 0.30 vs 0.10 after 100 trials each: arm 0 almost always
    picks = np.array([thompson_pick([0, 0], [0, 0], gen) for _ in range(4000)])
    assert abs((picks == 0).mean() - 0.5) < 4 * math.sqrt(0.25 / 4000)  # no data: a fair coin


def test_the_bandit_learns_only_from_observed_outcomes():
    """The firm's bandit counts exactly the observed reward of its own contacts (opened, here)."""
    import simpy

    from sim.world.engine import World
    from sim.world.firm import Firm
    from sim.world.observed import Observed
    from sim.world.rng import Streams

    sc = _scenario()
    pol = Policy.load("bandit").updated({"triggers.post_order.reward": "open"})
    env = simpy.Environment()
    w = World(env, sc, 600, 365.0, Streams(3), 1, policy=pol)
    firm = Firm(env, Observed(w), pol, Streams(3))
    w.attach_firm(firm)
    w.start()
    env.run(until=365.0)
    ct = w.logs.contacts
    for label, (succ, fail) in firm.bandit["post_order"].items():
        mine = [k for k in range(len(ct)) if ct.campaign[k] == "post_order" and ct.variant[k] == label]
        assert succ == sum(ct.opened[k] for k in mine) and succ + fail == len(mine)


# ---------------------------------------------------------------- channel affinity (PA6)
def test_affinity_draws_shift_no_other_draw_and_name_the_best_channel():
    sc = _scenario(**{"messaging.effects": {}})
    a = sim.run("baseline", None, customers=800, days=365, seed=SEED)
    b = sim.run(sc, None, customers=800, days=365, seed=SEED)
    pd.testing.assert_frame_equal(a.orders, b.orders)
    pd.testing.assert_frame_equal(a.tickets, b.tickets)
    assert (a.customers["true_best_channel"] == "").all()
    best = b.customers["true_best_channel"]
    assert set(best) == {"email", "sms", "push", "phone"}
    counts = best.value_counts()  # iid affinities: the argmax is uniform over the four channels
    assert ((counts - len(best) / 4).abs() < 4 * math.sqrt(len(best) * 0.25 * 0.75)).all()


def test_customers_open_more_on_their_best_channel():
    """Spray-and-pray SMS with channel affinity: contacts to customers whose (latent) best channel
    is SMS are opened more often than the rest; the same customers under the same seed without
    affinity open alike."""
    pol = Policy.load("spray_and_pray")
    runs = {
        sd: sim.run(
            _scenario(**{"messaging.effects": {}, "messaging.channel_affinity_sd": sd}),
            pol,
            customers=800,
            days=365,
            seed=SEED,
        )
        for sd in (0.0, 1.0)
    }
    best = runs[1.0].customers[["customer_id", "true_best_channel"]]
    z = {}
    for sd, res in runs.items():
        ct = res.contacts.merge(best, on="customer_id")
        fav = ct["true_best_channel"] == "sms"
        d, se = _two_prop(ct.loc[fav, "opened"].sum(), fav.sum(), ct.loc[~fav, "opened"].sum(), (~fav).sum())
        z[sd] = d / se
    assert z[1.0] > 5.0
    assert abs(z[0.0]) < 3.3
    assert (runs[0.0].contacts["true_open_prob"] == 0.45).all()


def test_message_probability_is_the_logistic_shift():
    assert message_probability(0.3, 0.0) == 0.3
    p = message_probability(0.3, 0.5)
    assert math.log(p / (1 - p)) == pytest.approx(math.log(0.3 / 0.7) + 0.5)
    assert message_probability(0.0, 3.0) == 0.0


# ---------------------------------------------------------------- holiday trigger (C4)
def test_holiday_contacts_reach_every_consenting_customer_on_each_date_only():
    pol = Policy.load("holiday_care")
    res = sim.run("baseline", pol, customers=800, days=400, seed=SEED)
    ct, cu, ev = res.contacts, res.customers, res.events
    hol = ct[ct["campaign"] == "holiday"]
    assert set(hol["date"].dt.strftime("%m-%d")) == {"02-14", "11-11", "12-24"}
    assert (hol["t"] == np.floor(hol["t"])).all()  # sent in the firm's daily run
    start = dt.date(2025, 1, 1)
    for day, group in hol.groupby("t"):
        opted = ev[(ev["event"] == "opted_out") & (ev["t"] < day)]["customer_id"]
        due = cu[(cu["acquired_t"] <= day) & cu["consent"] & ~cu["customer_id"].isin(opted)]["customer_id"]
        assert set(group["customer_id"]) == set(due)  # each once, nobody else
        d = start + dt.timedelta(days=float(day))
        assert d.strftime("%m-%d") in pol.triggers.holiday.dates


def test_recorded_truth_is_what_contact_probabilities_computes():
    """Each contact's true_open_prob is contact_probabilities' p_open for that customer, channel and
    variant (affinity and message levels included), and differs between customers."""
    import simpy

    from sim.world.engine import World
    from sim.world.firm import Firm
    from sim.world.observed import Observed
    from sim.world.rng import Streams

    sc, pol = _scenario(), Policy.load("ab_test")
    env = simpy.Environment()
    w = World(env, sc, 400, 365.0, Streams(5), 1, policy=pol)
    w.attach_firm(Firm(env, Observed(w), pol, Streams(5)))
    w.start()
    env.run(until=365.0)
    ct, arms = w.logs.contacts, w.actions.arms["post_order"]
    assert len(ct) > 200
    for k in range(len(ct)):
        channel, offer, variant = arms[ct.variant[k]]
        odds = w.actions.contact_probabilities(ct.customer[k], channel, offer, variant)
        assert ct.true_open_prob[k] == odds.p_open
        assert odds.p_click >= odds.p_convert
    assert len(set(ct.true_open_prob)) > 50
