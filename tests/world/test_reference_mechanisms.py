"""The reference engine covers the lifecycle mechanisms of chapters 03-05, and agrees with the fast engine.

The fast engine (``sim.run``) and the reference engine (``sim.world.reference``, one SimPy process
per customer) simulate the same model with different random draws. As in
``tests/world/test_reference_agreement.py``, each engine runs with its own seeds (independent
samples, pooled over a few seeds) and a two-sample test compares what a course would measure:

=========================  =========================================  ==========================
observation                unit                                       test
=========================  =========================================  ==========================
main category              order                                      chi-square
basket lines               order                                      chi-square
order value                order                                      Kolmogorov-Smirnov
margin                     order                                      Kolmogorov-Smirnov
companion line             electronics order has accessories          Fisher exact
archetype, business        customer                                   chi-square; Fisher
true stage                 customer at the horizon                    chi-square
true CLV                   alive customer at the horizon              Kolmogorov-Smirnov
word of mouth              tells per customer (+ and -)               chi-square
referred, deterred         per positive / negative tell               Fisher exact
survey mode, channel       answer                                     chi-square
comment                    CSAT / NPS answer has one                  Fisher exact
CSAT by mode               post-purchase answer                       chi-square
snapshot satisfaction      acquired customer at day 180               Kolmogorov-Smirnov
plan                       subscriber                                 chi-square
payments                   monthly subscriber acquired by day 120     chi-square
renewal survival           subscriber, per period (renewals 1-4)      Fisher exact
=========================  =========================================  ==========================

A world passes when every p-value exceeds ``FAMILY_ALPHA / m`` (Bonferroni). The comparison is
sharp: it rejects a reference world whose main category ignores the customer's preferences, and
one that cancels subscriptions 30% more often. The reference engine's subscription survival also
matches the shifted-beta-geometric closed form.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import simpy
from scipy import stats

import sim
from sim.errors import ConfigError
from sim.schema import ARCHETYPES, SEVERITIES, TABLES
from sim.world import model
from sim.world.observed import FirmPort
from sim.world.population import draw_population
from sim.world.reference import ReferencePort, World, simulate_reference
from sim.world.reference.mechanisms import Baskets
from sim.world.reference.tables import build_tables
from sim.world.rng import Streams

FAMILY_ALPHA = 0.01
MIN_N = 30
FAST_SEEDS = (101, 102, 103)
REF_SEEDS = (201, 202, 203)


# ---------------------------------------------------------------- runs
def _pool(runs: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Tables of several runs as one, ids made unique per run (``run`` column added)."""
    out: dict[str, pd.DataFrame] = {}
    for name in runs[0]:
        frames = []
        for k, t in enumerate(runs):
            df = t[name].copy()
            df["run"] = k
            if "customer_id" in df:
                df["customer_id"] = df["customer_id"] + 1_000_000 * k
            frames.append(df)
        out[name] = pd.concat(frames, ignore_index=True)
    return out


def _run(engine: str, scenario, policy=None, customers: int = 2000, days: float = 365.0, seeds=None):
    seeds = seeds if seeds is not None else (FAST_SEEDS if engine == "fast" else REF_SEEDS)
    if engine == "fast":
        runs = [sim.run(scenario, policy, customers=customers, days=days, seed=s).tables for s in seeds]
    else:
        runs = [simulate_reference(scenario, policy, customers=customers, days=days, seed=s)[0] for s in seeds]
    return _pool(runs)


_CACHE: dict[tuple, dict[str, pd.DataFrame]] = {}


def tables(world: str, engine: str) -> dict[str, pd.DataFrame]:
    """Pooled tables of a world on an engine (cached for the module)."""
    key = (world, engine)
    if key not in _CACHE:
        _CACHE[key] = _run(engine, *WORLDS[world])
    return _CACHE[key]


WORLDS = {
    "retail": ("retail", None, 2500, 365.0),
    "subscription": ("subscription", None, 2000, 365.0),
    "retail+onboarding": ("retail", "onboarding", 2000, 365.0),
    "subscription+renewal_reminders": ("subscription", "renewal_reminders", 1500, 365.0),
    "retail+basic_low_tier": ("retail", "basic_low_tier", 1500, 365.0),
    "retail+review_alerts": ("retail", "review_alerts", 2000, 365.0),
}


# ---------------------------------------------------------------- two-sample tests
def _counts_table(a: np.ndarray, b: np.ndarray, min_expected: float = 5.0) -> np.ndarray:
    """2 x k value counts of two samples, adjacent values pooled until every expected count >= 5."""
    values = np.union1d(a, b)
    counts = np.array([[np.sum(a == v) for v in values], [np.sum(b == v) for v in values]], dtype=float)
    need = min_expected * counts.sum() / counts.sum(axis=1).min()
    bins, acc = [], np.zeros(2)
    for k in range(counts.shape[1]):
        acc = acc + counts[:, k]
        if acc.sum() >= need:
            bins.append(acc)
            acc = np.zeros(2)
    if acc.sum() > 0:
        if bins:
            bins[-1] = bins[-1] + acc
        else:
            bins.append(acc)
    return np.array(bins).T


def two_sample_p(kind: str, a: np.ndarray, b: np.ndarray) -> float:
    """p-value of a two-sample test of ``kind`` (continuous, binary, labels, counts)."""
    if kind == "continuous":
        return float(stats.ks_2samp(a, b).pvalue)
    if kind == "binary":
        a, b = a.astype(bool), b.astype(bool)
        table = [[int(a.sum()), int(len(a) - a.sum())], [int(b.sum()), int(len(b) - b.sum())]]
        return float(stats.fisher_exact(table)[1])
    if kind == "labels":
        labels = sorted(set(a) | set(b))
        table = np.array([[np.sum(a == k) for k in labels], [np.sum(b == k) for k in labels]], dtype=float)
        # pool rare labels into one so that every expected count stays >= 5
        rare = table.sum(axis=0) < 10
        if rare.any():
            table = np.c_[table[:, ~rare], table[:, rare].sum(axis=1)]
        table = table[:, table.sum(axis=0) > 0]
    else:
        table = _counts_table(a, b)
    if table.shape[1] < 2:
        return 1.0
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def compare(obs_fast: dict, obs_ref: dict) -> pd.DataFrame:
    """One row per observation with enough data on both sides: test kind, p-value, means."""
    rows = []
    for name, (kind, a) in obs_fast.items():
        b = obs_ref[name][1]
        if len(a) < MIN_N or len(b) < MIN_N:
            continue
        p = two_sample_p(kind, np.asarray(a), np.asarray(b))
        numeric = kind not in ("labels",)
        rows.append(
            {
                "observation": name,
                "kind": kind,
                "p": p,
                "fast": float(np.mean(a)) if numeric else len(a),
                "reference": float(np.mean(b)) if numeric else len(b),
            }
        )
    return pd.DataFrame(rows)


def agree(result: pd.DataFrame) -> bool:
    return bool((result["p"] > FAMILY_ALPHA / len(result)).all())


def _explain(case: str, result: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", 10):
        return f"{case}: threshold p > {FAMILY_ALPHA / len(result):.2g}\n{result.to_string(index=False)}"


# ---------------------------------------------------------------- observations
def _tells(ev: pd.DataFrame, ids: pd.Series, sign: str) -> np.ndarray:
    wom = ev[(ev["event"] == "true_word_of_mouth") & ev["detail"].str.startswith(sign)]
    k = wom["detail"].str[1:].astype(int).groupby(wom["customer_id"]).sum()
    return k.reindex(ids, fill_value=0).to_numpy()


def retail_observations(t: dict[str, pd.DataFrame]) -> dict[str, tuple[str, np.ndarray]]:
    c, o, sv, ev, sn = t["customers"], t["orders"], t["surveys"], t["events"], t["snapshots"]
    ids = c["customer_id"]
    lines = o["basket"].str.count(r"\|").to_numpy() + 1
    pos, neg = _tells(ev, ids, "+"), _tells(ev, ids, "-")
    referred = int((ev["event"] == "referred").sum())
    deterred = int((ev["event"] == "true_deterred").sum())
    alive = c[c["true_alive"].astype(bool)]
    answers = sv[sv["instrument"].isin(["csat", "nps"])]
    pp = sv[(sv["touchpoint"] == "post_purchase")]
    snap = sn[sn["t"] == 180.0]
    return {
        "main category": ("labels", o["category"].astype(str).to_numpy()),
        "basket lines": ("counts", lines),
        "order value": ("continuous", o["amount"].to_numpy()),
        "margin": ("continuous", o["margin"].to_numpy()),
        "accessories in an electronics basket": (
            "binary",
            o.loc[o["category"] == "electronics", "basket"].str.contains("accessories").to_numpy(),
        ),
        "archetype": ("labels", c["true_archetype"].astype(str).to_numpy()),
        "business account": ("binary", c["business"].astype(bool).to_numpy()),
        "top category": ("labels", c["true_top_category"].astype(str).to_numpy()),
        "true stage": ("labels", c["true_stage"].astype(str).to_numpy()),
        "true CLV (alive)": ("continuous", alive["true_clv"].to_numpy()),
        "positive tells per customer": ("counts", pos),
        "negative tells per customer": ("counts", neg),
        "referred per positive tell": ("binary", np.arange(pos.sum()) < referred),
        "deterred per negative tell": ("binary", np.arange(neg.sum()) < deterred),
        "survey mode": ("labels", sv["mode"].astype(str).to_numpy()),
        "survey channel": ("labels", sv["channel"].astype(str).to_numpy()),
        "has a comment": ("binary", (answers["comment"] != "").to_numpy()),
        "CSAT, named": ("counts", pp.loc[pp["mode"] == "named", "score"].to_numpy()),
        "CSAT, anonymous": ("counts", pp.loc[pp["mode"] == "anonymous", "score"].to_numpy()),
        "snapshot satisfaction, day 180": ("continuous", snap["true_satisfaction"].to_numpy()),
        "alive at snapshot, day 180": ("binary", snap["true_alive"].astype(bool).to_numpy()),
    }


def _renewal_survival(t: dict[str, pd.DataFrame], days: float, period: float, renewals: int) -> dict:
    """Per renewal k = 1..renewals: for monthly subscribers whose k-th renewal falls before the
    horizon and who paid at the (k-1)-th, whether they paid at the k-th."""
    c, o = t["customers"], t["orders"]
    monthly = c[(c["plan"] == "monthly") & (c["channel"] != "referral")]
    payments = o.groupby("customer_id").size().reindex(monthly["customer_id"], fill_value=0).to_numpy()
    due = np.floor((days - monthly["acquired_t"].to_numpy()) / period).astype(int)  # renewals due by the horizon
    out = {}
    for k in range(1, renewals + 1):
        at_risk = (payments >= k) & (due >= k)  # paid k times (sign-up + k-1 renewals) and renewal k is due
        out[k] = payments[at_risk] >= k + 1
    return out


def subscription_observations(t: dict[str, pd.DataFrame], days: float) -> dict[str, tuple[str, np.ndarray]]:
    c, o = t["customers"], t["orders"]
    paid = c[c["channel"] != "referral"]
    early = paid[(paid["plan"] == "monthly") & (paid["acquired_t"] <= 120.0)]
    payments = o.groupby("customer_id").size().reindex(early["customer_id"], fill_value=0).to_numpy()
    obs: dict[str, tuple[str, np.ndarray]] = {
        "plan": ("labels", c["plan"].astype(str).to_numpy()),
        "payments, monthly, acquired by day 120": ("counts", payments),
        "true cancel probability": ("continuous", c["true_cancel_prob"].to_numpy()),
        "true stage": ("labels", c["true_stage"].astype(str).to_numpy()),
        "true CLV (alive)": ("continuous", c.loc[c["true_alive"].astype(bool), "true_clv"].to_numpy()),
    }
    for k, paid_again in _renewal_survival(t, days, 30.4, 4).items():
        obs[f"renews at renewal {k}"] = ("binary", paid_again)
    return obs


def policy_observations(t: dict[str, pd.DataFrame], days: float) -> dict[str, tuple[str, np.ndarray]]:
    """What the chapter 03-05 levers act on: contacts and their outcomes, staying and buying."""
    c, o, ct, ev = t["customers"], t["orders"], t["contacts"], t["events"]
    paid = c[c["channel"] != "referral"]
    ids = paid["customer_id"]
    tk = t["tickets"]
    resolved = tk[tk["resolved_t"].notna()]
    followed = ct[ct["campaign"] == "follow_up"]["customer_id"]
    alerts = int((ev["event"] == "alert").sum())
    checks = int(c["run"].nunique() * (days // 7))  # weekly bad-review checks (same count on both engines)
    return {
        "follow-up contacts per ticket": ("binary", np.arange(len(resolved)) < len(followed)),
        "alert per weekly check": ("binary", np.arange(checks) < alerts),
        "contacts per customer": ("counts", ct.groupby("customer_id").size().reindex(ids, fill_value=0).to_numpy()),
        "contact opened": ("binary", ct["opened"].astype(bool).to_numpy()),
        "contact converted": ("binary", ct["converted"].astype(bool).to_numpy()),
        "orders per customer": ("counts", o.groupby("customer_id").size().reindex(ids, fill_value=0).to_numpy()),
        "alive at horizon": ("binary", paid["true_alive"].astype(bool).to_numpy()),
        "churn age (days)": (
            "continuous",
            (paid["true_churn_t"] - paid["acquired_t"]).dropna().to_numpy(),
        ),
    }


# ---------------------------------------------------------------- no errors, same tables
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("scenario", "policy"),
    [
        ("retail", None),
        ("subscription", None),
        ("retail", "basic_low_tier"),
        ("retail", "onboarding"),
        ("retail", "review_alerts"),
        ("subscription", "renewal_reminders"),
    ],
)
def test_the_reference_engine_runs_the_new_presets_with_the_documented_tables(scenario, policy):
    """No error on the ``retail`` and ``subscription`` presets (with the chapter 03-05 policies);
    every table has the columns and dtypes of the fast engine's."""
    ref, _ = simulate_reference(scenario, policy, customers=600, days=200, seed=3)
    fast = sim.run(scenario, policy, customers=300, days=120, seed=3).tables
    assert list(ref) == list(TABLES)
    for name in TABLES:
        assert list(ref[name].columns) == list(fast[name].columns), name
        assert ref[name].dtypes.astype(str).to_dict() == fast[name].dtypes.astype(str).to_dict(), name
    c, o = ref["customers"], ref["orders"]
    assert len(ref["funnel"]) > 0 and ref["funnel"]["customers"].sum() == (c["channel"] != "referral").sum()
    if scenario == "retail":
        assert (o["category"] != "").all() and (o["basket"].str.split("|").str[0] == o["category"]).all()
        assert set(c["true_archetype"]) <= set(ARCHETYPES) and len(ref["snapshots"]) > 0
    else:
        sc = sim.Scenario.load("subscription")
        prices = {k: p.price for k, p in sc.subscription.plans.items()}
        np.testing.assert_allclose(o["amount"], o["customer_id"].map(c.set_index("customer_id")["plan"].map(prices)))
        assert c["true_cancel_prob"].between(0, 1).all()


@pytest.mark.timeout(60)
def test_both_engines_draw_the_same_funnel_for_the_same_seed():
    """The funnel is drawn after the run from the paid acquisitions (common random numbers: the same
    seed gives the same paid customers on both engines), so both engines' funnels are identical."""
    ref = simulate_reference("subscription", customers=400, days=150, seed=8)[0]["funnel"]
    fast = sim.run("subscription", customers=400, days=150, seed=8).tables["funnel"]
    assert ref["customers"].sum() > 300
    pd.testing.assert_frame_equal(ref, fast)


def test_the_reference_port_offers_every_member_of_the_firm_port():
    """The firm's new levers (basic service, onboarding, reminders, survey reads, plan periods) reach the reference world."""

    def members(cls: type) -> set[str]:
        return {m for m in vars(cls) if not m.startswith("_")}

    assert members(FirmPort) <= members(ReferencePort)


@pytest.mark.timeout(60)
def test_the_reference_port_reads_answers_and_plans_and_logs_alerts():
    """survey_frame reads the answers in order from a position; plan_period is the plan's period;
    an event about no customer has customer_id 0."""
    sc = sim.Scenario.load("subscription").updated({"surveys.post_purchase_rate": 0.5})
    env = simpy.Environment()
    world = World(env, sc, 200, 120.0, Streams(4), agents=1, policy=sim.Policy.load("renewal_reminders"))
    port = ReferencePort(world)
    world.start()
    env.run(until=120.0)
    frame = port.survey_frame()
    sv = world.logs.surveys
    assert len(frame) == len(sv) > 20
    assert frame["i"].tolist() == [a.customer for a in sv] and frame["score"].tolist() == [a.score for a in sv]
    assert port.survey_frame(len(sv) - 5)["t"].tolist() == [a.t for a in sv[-5:]]
    periods = {p.period_days for p in sc.subscription.plans.values()}
    assert {port.plan_period(i) for i in port.acquired()} <= periods
    port.event(-1, "alert", "bad_review 0.072")
    ev = build_tables(world)["events"][["customer_id", "event", "detail"]]
    assert ev.iloc[-1].tolist() == [0, "alert", "bad_review 0.072"]


@pytest.mark.timeout(120)
def test_deterred_prospects_are_counted_never_silent():
    """With word of mouth, every paid prospect due before the horizon either arrives or is named by
    a ``true_deterred`` event (and then has no customer row); the same seed without deterrence
    acquires them all (the prospects are common random numbers)."""
    sc = sim.Scenario.load("retail").updated({"word_of_mouth.detractor_tells": 6.0, "word_of_mouth.deterrence": 0.2})
    n, days = 1000, 300.0
    t = simulate_reference(sc, customers=n, days=days, seed=21)[0]
    c, ev = t["customers"], t["events"]
    due = int((draw_population(sc, n, days, Streams(21))["acq_t"] < days).sum())
    deterred = ev.loc[ev["event"] == "true_deterred", "detail"].astype(int)
    paid = c.loc[c["channel"] != "referral", "customer_id"]
    assert len(deterred) > 20 and deterred.is_unique
    assert len(paid) + len(deterred) == due
    assert not deterred.isin(c["customer_id"]).any() and (deterred <= n).all()
    off = simulate_reference(sc.updated({"word_of_mouth.deterrence": 0.0}), customers=n, days=days, seed=21)[0]
    assert (off["customers"]["channel"] != "referral").sum() == due


@pytest.mark.timeout(120)
def test_runaway_referrals_stop_with_a_config_error_on_both_engines():
    """Every promoter's tell signs up and nearly everyone stays a promoter: the referred base grows
    without end, and both engines stop with the same clear error instead of running forever."""
    sc = sim.Scenario.load("retail").updated(
        {
            "word_of_mouth.promoter_tells": 1.0,
            "word_of_mouth.referral_conversion": 1.0,
            "satisfaction.initial_mean": 9.8,
            "satisfaction.initial_sd": 0.2,
            "satisfaction.effects.good_order": 1.0,
            "purchase.a": 0.05,
            "purchase.b": 50.0,
            "purchase.dropout_after_first": False,
        }
    )
    with pytest.raises(ConfigError, match="referrals run away"):
        simulate_reference(sc, customers=100, days=730, seed=1)
    with pytest.raises(ConfigError, match="referrals run away"):
        sim.run(sc, customers=100, days=730, seed=1)


@pytest.mark.timeout(120)
def test_basic_service_tickets_queue_behind_everyone_else():
    """On a strained reference desk, the tickets of customers the firm put in basic service wait
    longer for an agent than the others' (same severity mix, same world)."""
    sc = sim.Scenario.load("baseline").updated(
        {
            "desk.scale_with_customers": False,
            "desk.agents": 1,
            "desk.service_time": {"distribution": "exponential", "mean_h": dict.fromkeys(SEVERITIES, 5.0), "cv": 1.0},
            "complaints.complaint_prob_ok": 0.3,
        }
    )
    env = simpy.Environment()
    world = World(env, sc, 1500, 365.0, Streams(12), agents=1)
    port = ReferencePort(world)
    for i in range(0, 1500, 2):
        port.set_basic_service(i, True)
    world.start()
    env.run(until=365.0)
    tk = build_tables(world)["tickets"].dropna(subset=["first_response_t"])
    basic = (tk["customer_id"] - 1) % 2 == 0
    wait_basic, wait_other = tk.loc[basic, "wait_h"], tk.loc[~basic, "wait_h"]
    assert len(wait_basic) > 100 and len(wait_other) > 100
    p = stats.ttest_ind(wait_basic, wait_other, equal_var=False, alternative="greater").pvalue
    assert wait_basic.mean() > 1.5 * wait_other.mean() and p < 1e-4, (wait_basic.mean(), wait_other.mean(), p)


# ---------------------------------------------------------------- agreement
@pytest.mark.timeout(300)
def test_engines_agree_on_the_retail_mechanisms():
    """Catalogue, archetypes, word of mouth, survey modes / channels / comments, snapshots and the
    truth columns agree in distribution between the engines (retail preset, three seeds each)."""
    result = compare(retail_observations(tables("retail", "fast")), retail_observations(tables("retail", "reference")))
    assert len(result) >= 18, result
    assert agree(result), _explain("retail", result)


@pytest.mark.timeout(300)
def test_engines_agree_on_subscription_survival():
    """Plans, payments and the survival at each of the first renewals agree (subscription preset)."""
    days = WORLDS["subscription"][3]
    fast = subscription_observations(tables("subscription", "fast"), days)
    ref = subscription_observations(tables("subscription", "reference"), days)
    result = compare(fast, ref)
    assert len(result) >= 8, result
    assert agree(result), _explain("subscription", result)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "world",
    [
        "retail+onboarding",
        "subscription+renewal_reminders",
        pytest.param("retail+basic_low_tier", marks=pytest.mark.slow),
        pytest.param("retail+review_alerts", marks=pytest.mark.slow),
    ],
)
def test_engines_agree_under_the_chapter_03_05_levers(world):
    """Welcome contacts (onboarding), renewal reminders, basic service and bad-review alerts reach
    both worlds alike: contacts, their outcomes, follow-ups, alerts, orders, survival (and, for
    reminders, the renewals) agree in distribution."""
    seeds_fast, seeds_ref = FAST_SEEDS[:2], REF_SEEDS[:2]
    scenario, policy, n, days = WORLDS[world]
    fast = _run("fast", scenario, policy, n, days, seeds_fast)
    ref = _run("reference", scenario, policy, n, days, seeds_ref)
    obs_fast, obs_ref = policy_observations(fast, days), policy_observations(ref, days)
    if scenario == "subscription":
        for k, paid_again in _renewal_survival(fast, days, 30.4, 3).items():
            obs_fast[f"renews at renewal {k}"] = ("binary", paid_again)
        for k, paid_again in _renewal_survival(ref, days, 30.4, 3).items():
            obs_ref[f"renews at renewal {k}"] = ("binary", paid_again)
    result = compare(obs_fast, obs_ref)
    assert len(result) >= 6, result
    assert agree(result), _explain(world, result)


# ---------------------------------------------------------------- the comparison can fail
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_comparison_rejects_main_categories_that_ignore_preferences(monkeypatch):
    """A reference world whose main category is drawn by popularity, not by each customer's
    preferences, is told apart (the category mix stays, the per-customer structure goes)."""
    fast, ref_right = tables("retail", "fast"), tables("retail", "reference")  # before the patch
    right = Baskets.basket

    def by_popularity(self, c):
        cats = self.catalogue.categories
        pop = np.array([x.popularity for x in cats.values()])
        flat = dataclasses.replace(c, pref=tuple(pop))
        return right(self, flat)

    monkeypatch.setattr(Baskets, "basket", by_popularity)
    wrong = _run("reference", "retail", None, 2500, 365.0, seeds=(301,))

    def per_customer_spread(t: dict[str, pd.DataFrame]) -> np.ndarray:
        # share of a repeat buyer's orders in their most frequent main category
        o = t["orders"]
        counts = o.groupby(["customer_id", "category"]).size()
        n = counts.groupby(level=0).sum()
        return (counts.groupby(level=0).max() / n)[n >= 3].to_numpy()

    p_right = two_sample_p("continuous", per_customer_spread(fast), per_customer_spread(ref_right))
    p_wrong = two_sample_p("continuous", per_customer_spread(fast), per_customer_spread(wrong))
    assert p_right > FAMILY_ALPHA and p_wrong < 1e-6, (p_right, p_wrong)


@pytest.mark.timeout(300)
def test_the_comparison_rejects_30_percent_more_cancellations(monkeypatch):
    """A reference world whose subscribers cancel 30% more often is told apart at the renewals."""
    right = model.renewal_cancel_probability

    def more(*args, **kwargs):
        return min(1.0, 1.3 * right(*args, **kwargs))

    fast = subscription_observations(tables("subscription", "fast"), WORLDS["subscription"][3])  # before the patch
    monkeypatch.setattr(model, "renewal_cancel_probability", more)
    days = WORLDS["subscription"][3]
    wrong = _run("reference", "subscription", None, 2000, days)
    monkeypatch.undo()
    result = compare(fast, subscription_observations(wrong, days))
    assert not agree(result), _explain("subscription, cancellation x 1.3", result)
    rejected = set(result.loc[result["p"] <= FAMILY_ALPHA / len(result), "observation"])
    assert any(r.startswith(("renews at", "payments")) for r in rejected), _explain("x 1.3", result)


# ---------------------------------------------------------------- closed form
@pytest.mark.timeout(120)
def test_reference_subscribers_survive_like_the_shifted_beta_geometric():
    """Without satisfaction and complaints, the share of a launch cohort still subscribed after t
    monthly renewals is sBG's ``B(alpha, beta + t) / B(alpha, beta)`` within a 99.9% interval."""
    sc = sim.Scenario.load("subscription").updated(
        {
            "satisfaction.enabled": False,
            "complaints.enabled": False,
            "population.initial_share": 1.0,
            "population.referral.enabled": False,
            "subscription.plans": {"monthly": {"period_days": 30.4, "price": 99.0, "share": 1.0}},
        }
    )
    n, days = 6000, 30.4 * 6 + 1.0
    t = simulate_reference(sc, customers=n, days=days, seed=9)[0]
    payments = t["orders"].groupby("customer_id").size().reindex(t["customers"]["customer_id"], fill_value=0)
    sub = sc.subscription
    z = stats.norm.ppf(0.9995)
    for k in range(1, 7):
        share = float((payments >= k + 1).mean())
        expected = model.sbg_survival(k, sub.alpha, sub.beta)
        se = np.sqrt(expected * (1 - expected) / n)
        assert abs(share - expected) < z * se, (k, share, expected)
