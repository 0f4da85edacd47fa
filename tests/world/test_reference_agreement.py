"""The fast engine and the readable reference engine agree in distribution — and the check can fail.

Both engines simulate the model of ``sim/world/model/``: the fast one (``sim.run``) with
struct-of-arrays and callbacks, the reference one (``sim.world.reference``) with one SimPy process
per customer. They draw their random numbers differently, so we run each with its *own* seed
(independent samples) and compare what a course would measure, per customer where possible
(customers are independent; orders, surveys and tickets of one customer are not):

====================  ===============================================  =============================
observation           unit of observation                              test
====================  ===============================================  =============================
orders                orders per paid customer                         chi-square; Welch t (mean)
first repeat wait     wait for the 2nd order x latent lambda_i         Kolmogorov-Smirnov; Welch t
spend                 spend per paid customer                          Kolmogorov-Smirnov; Welch t
order value           mean order value per paid customer               Kolmogorov-Smirnov
tickets               tickets per paid customer                        chi-square
SLA met, waited       resolved tickets                                 Fisher exact
resolution time       hours to resolution of resolved tickets          Kolmogorov-Smirnov
NPS / CSAT / CES      each customer's first answer                     chi-square
satisfaction at end   true_satisfaction_end, alive and churned apart   Kolmogorov-Smirnov
alive                 paid customers alive at the horizon              Fisher exact
churn age             days from acquisition to churn                   Kolmogorov-Smirnov
churn reasons         churned paid customers                           chi-square
referrals             referrals made per acquired customer             chi-square
contacts (policy)     contacts per paid customer                       chi-square
contact outcomes      opened, converted, with consent (per contact);   Fisher exact
                      opted out, won back (per paid customer)
discounts (policy)    paid customers with a discounted order           Fisher exact
memberships (policy)  membership changes per paid customer;            chi-square;
                      members' orders per day after joining            Kolmogorov-Smirnov
====================  ===============================================  =============================

Counts and scores are compared by chi-square on their value counts (sparse tails pooled until
every expected count is at least 5).

A scenario passes when every p-value exceeds ``FAMILY_ALPHA / m`` (Bonferroni over its ``m``
comparisons). The same comparison rejects a deliberately wrong reference world (a 15% higher
purchase rate; dropout that ignores satisfaction), so agreement is evidence, not a weak test.
Ticket-level observations share a queue and are mildly dependent; the desks compared here are
lightly loaded except in ``service_strained`` (about 40% utilisation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import hyp2f1

import sim
from sim.world.reference import World, simulate_reference

FAMILY_ALPHA = 0.001
FAST_SEED, REF_SEED = 20_251, 90_731  # independent samples: different seeds for the two engines
DAYS = 730.0
MIN_N = 30  # a comparison needs at least this many observations on each side


# ---------------------------------------------------------------- scenarios
def _baseline(changes: dict | None = None) -> sim.Scenario:
    sc = sim.Scenario.load("baseline")
    return sc.updated(changes) if changes else sc


SATISFACTION_STRONG = {  # satisfaction drives everything harder: rate, dropout, referrals, surveys
    "satisfaction.rate_elasticity": 0.3,
    "satisfaction.dropout_shift": 0.8,
    "satisfaction.half_life_days": 120.0,
    "satisfaction.initial_mean": 8.3,
    "satisfaction.effects": {"good_order": 0.3, "quality_issue": -3.0, "sla_met": 1.0, "sla_breached": -2.5},
    "complaints.quality_issue_prob": 0.15,
    "population.referral.prob_per_promoter_order": 0.15,
    "surveys.nonresponse_bias": 0.5,
    "surveys.post_purchase_rate": 0.3,
}
SERVICE_STRAINED = {  # one slow agent for everyone: breaches, breaches felt while waiting, service churn
    "desk.scale_with_customers": False,
    "desk.agents": 1,
    "desk.service_time": {
        "distribution": "lognormal",
        "mean_h": {"P0": 6.0, "P1": 5.0, "P2": 4.0, "P3": 4.0},
        "cv": 1.0,
    },
    "complaints.complaint_prob_ok": 0.08,
    "complaints.severity_mix": {"P0": 0.1, "P1": 0.2, "P2": 0.3, "P3": 0.4},
    "complaints.churn_prob_after_breach": 0.3,
}
MARKET_EVENTS = {
    "market_events": [
        {
            "kind": "competitor_price_cut",
            "day": 200,
            "duration_days": 150,
            "rate_multiplier": 0.6,
            "dropout_shift": 0.8,
        },
        {"kind": "outage", "day": 450, "tickets": 60, "severity": "P1"},
    ]
}
SERVICE_LEVERS = {  # service_first (extra agent, escalation, 48-hour follow-up) plus a P3 bot and day shifts
    "service.bot": {"enabled": True, "share_of_p3": 0.5, "containment": 0.6},
    "service.shifts": [{"start_h": 8.0, "end_h": 20.0, "agents": 2}, {"start_h": 20.0, "end_h": 24.0, "agents": 1}],
}


@dataclass(frozen=True)
class Case:
    """One comparison: a scenario, an optional policy, a size."""

    scenario: Callable[[], sim.Scenario]
    policy: str | None
    customers: int
    policy_changes: dict | None = None
    days: float = DAYS

    def load_policy(self) -> sim.Policy | None:
        if self.policy is None:
            return None
        pol = sim.Policy.load(self.policy)
        return pol.updated(self.policy_changes) if self.policy_changes else pol


CASES: dict[str, Case] = {
    "btyd_only": Case(lambda: sim.Scenario.load("btyd_only"), None, 5000),
    "baseline": Case(_baseline, None, 8000),
    "satisfaction_strong": Case(lambda: _baseline(SATISFACTION_STRONG), None, 5000),
    "service_strained": Case(lambda: _baseline(SERVICE_STRAINED), None, 4000),
    "market_events": Case(lambda: _baseline(MARKET_EVENTS), None, 4000),
    "vip_care": Case(_baseline, "vip_care", 3000),
    "loyalty_tiers": Case(_baseline, "loyalty_tiers", 3000),
    "churn_rescue": Case(_baseline, "churn_rescue", 2500),
    "service_first_levers": Case(lambda: _baseline(SERVICE_STRAINED), "service_first", 3000, SERVICE_LEVERS),
    "spray_and_pray": Case(_baseline, "spray_and_pray", 1200, days=365.0),
}
FAST_CASES = ("btyd_only", "baseline")

_RUNS: dict[tuple[str, str], dict[str, pd.DataFrame]] = {}


def tables(case: str, engine: str) -> dict[str, pd.DataFrame]:
    """The tables of one run (cached for the session: the wrong-model tests reuse the fast runs)."""
    key = (case, engine)
    if key not in _RUNS:
        c = CASES[case]
        sc, pol = c.scenario(), c.load_policy()
        if engine == "fast":
            _RUNS[key] = sim.run(sc, pol, customers=c.customers, days=c.days, seed=FAST_SEED).tables
        else:
            _RUNS[key] = simulate_reference(sc, pol, customers=c.customers, days=c.days, seed=REF_SEED)[0]
    return _RUNS[key]


# ---------------------------------------------------------------- what we compare
def observations(t: dict[str, pd.DataFrame], days: float = DAYS) -> dict[str, tuple[str, np.ndarray]]:
    """Observation name -> (kind of test, values). Kinds: counts, continuous, mean, binary, labels."""
    c, o, tk, sv, ev, ct = (t[k] for k in ("customers", "orders", "tickets", "surveys", "events", "contacts"))
    paid = c[c["channel"] != "referral"]
    ids = paid["customer_id"]
    n_orders = o.groupby("customer_id").size().reindex(ids, fill_value=0)
    spend = o.groupby("customer_id")["amount"].sum().reindex(ids, fill_value=0.0)
    resolved = tk[tk["resolved_t"].notna()]
    churned = paid[paid["true_churn_t"].notna()]
    alive = paid[paid["true_alive"].astype(bool)]

    # the wait for the first repeat order in units of the customer's latent base rate: Exp(1) in
    # pure BG/NBD, whatever the customer's lambda_i -- a sharp check of the purchase-rate equation
    paid_orders = o[o["customer_id"].isin(ids)].sort_values(["customer_id", "t"], kind="stable")
    second = paid_orders.groupby("customer_id")["t"].nth(1)
    second.index = paid_orders.loc[second.index, "customer_id"]
    by_id = paid.set_index("customer_id")
    first_gap = (
        (second - by_id.loc[second.index, "acquired_t"]) * by_id.loc[second.index, "true_purchase_rate"]
    ).to_numpy()

    def first_answers(touchpoint: str, instrument: str) -> np.ndarray:
        a = sv[(sv["touchpoint"] == touchpoint) & (sv["instrument"] == instrument)]
        return a.groupby("customer_id")["score"].first().to_numpy()

    def per_paid_customer(df: pd.DataFrame) -> np.ndarray:
        return df.groupby("customer_id").size().reindex(ids, fill_value=0).to_numpy()

    out: dict[str, tuple[str, np.ndarray]] = {
        "orders per customer": ("counts", n_orders.to_numpy()),
        "orders per customer (mean)": ("mean", n_orders.to_numpy()),
        "spend per customer": ("continuous", spend.to_numpy()),
        "spend per customer (mean)": ("mean", spend.to_numpy()),
        "first repeat wait x lambda": ("continuous", first_gap),
        "first repeat wait x lambda (mean)": ("mean", first_gap),
        "mean order value": ("continuous", (spend / n_orders.where(n_orders > 0)).dropna().to_numpy()),
        "tickets per customer": ("counts", per_paid_customer(tk)),
        "SLA met": ("binary", resolved["sla_met"].astype(bool).to_numpy()),
        "waited for an agent": ("binary", (resolved["wait_h"] > 0).to_numpy()),
        "resolution hours": ("continuous", resolved["resolution_h"].to_numpy()),
        "NPS (first answer)": ("counts", first_answers("relationship", "nps")),
        "CSAT post-purchase (first)": ("counts", first_answers("post_purchase", "csat")),
        "CES post-ticket (first)": ("counts", first_answers("post_ticket", "ces")),
        "satisfaction at end, alive": ("continuous", alive["true_satisfaction_end"].to_numpy()),
        "satisfaction at churn": ("continuous", churned["true_satisfaction_end"].to_numpy()),
        "alive at horizon": ("binary", paid["true_alive"].astype(bool).to_numpy()),
        "churn age (days)": ("continuous", (churned["true_churn_t"] - churned["acquired_t"]).to_numpy()),
        "churn reason": ("labels", churned["true_churn_reason"].astype(str).to_numpy()),
        "referrals per customer": (
            "counts",
            ev[ev["event"] == "referred"]
            .groupby("customer_id")
            .size()
            .reindex(c["customer_id"], fill_value=0)
            .to_numpy(),
        ),
    }
    if len(ct):
        out["contacts per customer"] = ("counts", per_paid_customer(ct))
        out["contact opened"] = ("binary", ct["opened"].astype(bool).to_numpy())
        out["contact converted"] = ("binary", ct["converted"].astype(bool).to_numpy())
        out["contact with consent"] = ("binary", ct["consent_ok"].astype(bool).to_numpy())
        out["opted out"] = ("binary", ids.isin(ev.loc[ev["event"] == "opted_out", "customer_id"]).to_numpy())
    discounted = o.loc[o["discount"] > 0, "customer_id"]
    if len(discounted):
        out["had a discounted order"] = ("binary", ids.isin(discounted).to_numpy())
    won_back = ev.loc[ev["event"] == "true_reactivated", "customer_id"]
    if len(won_back):
        out["won back"] = ("binary", ids.isin(won_back).to_numpy())
    members = ev[ev["event"] == "membership"]
    if len(members):
        out["membership changes per customer"] = ("counts", per_paid_customer(members))
        joined = members.groupby("customer_id")["t"].min()
        mo = o[o["customer_id"].isin(joined.index)]
        after = (
            (mo["t"] > mo["customer_id"].map(joined))
            .groupby(mo["customer_id"])
            .sum()
            .reindex(joined.index, fill_value=0)
        )
        out["members' orders per day after joining"] = (
            "continuous",
            (after / (days - joined).clip(lower=1.0)).to_numpy(),
        )
    return out


def _pooled_bins(a: np.ndarray, b: np.ndarray, min_expected: float = 5.0) -> np.ndarray:
    """2 x k table of two samples' value counts, adjacent values pooled until every expected count >= 5."""
    values = np.union1d(a, b)
    counts = np.array([[np.sum(a == v) for v in values], [np.sum(b == v) for v in values]], dtype=float)
    need = min_expected * counts.sum() / counts.sum(axis=1).min()  # column total giving expected >= 5
    bins: list[np.ndarray] = []
    acc = np.zeros(2)
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


def two_sample_test(kind: str, a: np.ndarray, b: np.ndarray) -> tuple[str, float, float]:
    """(test name, statistic, p-value) comparing samples ``a`` and ``b``."""
    if kind == "continuous":
        r = stats.ks_2samp(a, b)
        return "KS", float(r.statistic), float(r.pvalue)
    if kind == "mean":
        r = stats.ttest_ind(a, b, equal_var=False)
        return "Welch t", float(r.statistic), float(r.pvalue)
    if kind == "binary":
        table = [[int(a.sum()), int(len(a) - a.sum())], [int(b.sum()), int(len(b) - b.sum())]]
        odds, p = stats.fisher_exact(table)
        return "Fisher", float(odds), float(p)
    if kind == "labels":
        labels = sorted(set(a) | set(b))
        table = np.array([[np.sum(a == k) for k in labels], [np.sum(b == k) for k in labels]], dtype=float)
        table = table[:, table.sum(axis=0) > 0]
    else:  # counts: pool sparse tails
        table = _pooled_bins(a, b)
    if table.shape[1] < 2:
        return "chi2", 0.0, 1.0  # one category only: nothing to tell apart
    r = stats.chi2_contingency(table, correction=False)
    return "chi2", float(r.statistic), float(r.pvalue)


def compare(fast: dict[str, pd.DataFrame], ref: dict[str, pd.DataFrame], days: float = DAYS) -> pd.DataFrame:
    """One row per observation both runs have enough of: test, statistic, p-value, means."""
    fo, ro = observations(fast, days), observations(ref, days)
    rows = []
    for name, (kind, a) in fo.items():
        if name not in ro:
            continue
        b = ro[name][1]
        if len(a) < MIN_N or len(b) < MIN_N or len(np.unique(np.concatenate([a, b]))) < 2:
            continue  # too few observations, or one value throughout: nothing to tell apart
        test, statistic, p = two_sample_test(kind, a, b)
        fast_mean = float(np.mean(a)) if kind != "labels" else float(len(a))
        ref_mean = float(np.mean(b)) if kind != "labels" else float(len(b))
        rows.append(
            {
                "observation": name,
                "test": test,
                "statistic": statistic,
                "p": p,
                "fast": fast_mean,
                "reference": ref_mean,
            }
        )
    return pd.DataFrame(rows)


def agree(result: pd.DataFrame) -> bool:
    """Bonferroni: every p-value above FAMILY_ALPHA / m."""
    return bool((result["p"] > FAMILY_ALPHA / len(result)).all())


def _explain(case: str, result: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", 10):
        return f"{case}: threshold p > {FAMILY_ALPHA / len(result):.2g}\n{result.to_string(index=False)}"


# ---------------------------------------------------------------- agreement
@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=() if c in FAST_CASES else pytest.mark.slow) for c in CASES],
)
def test_engines_agree_in_distribution(case):
    """Every observation of the fast and the reference engine passes its two-sample test."""
    result = compare(tables(case, "fast"), tables(case, "reference"), CASES[case].days)
    assert len(result) >= 6, result
    assert agree(result), _explain(case, result)


@pytest.mark.slow
def test_sla_columns_follow_a_policys_sla_override():
    """With a tighter P3 target, the tickets table reports P3 SLA compliance against that target."""
    pol = sim.Policy.from_dict({"service": {"sla_override": {"P3": {"first_response_h": 0.5, "resolution_h": 1.0}}}})
    fast = sim.run("baseline", pol, customers=3000, days=365, seed=FAST_SEED).tickets
    ref = simulate_reference("baseline", pol, customers=3000, days=365, seed=REF_SEED)[0]["tickets"]

    def p3_met(tk: pd.DataFrame) -> np.ndarray:
        return tk.loc[(tk["severity"] == "P3") & tk["resolved_t"].notna(), "sla_met"].astype(bool).to_numpy()

    _, _, p = two_sample_test("binary", p3_met(fast), p3_met(ref))
    assert p > FAMILY_ALPHA, (p3_met(fast).mean(), p3_met(ref).mean(), p)
    # and the tighter target really bites (found once: the fast tables judged by the scenario's 24 h)
    assert p3_met(fast).mean() < 0.8


# ---------------------------------------------------------------- the comparison can fail
def test_the_comparison_rejects_a_15_percent_higher_purchase_rate(monkeypatch):
    """A reference world whose customers buy 15% more often is told apart from the fast engine."""
    right = World.purchase_rate
    monkeypatch.setattr(World, "purchase_rate", lambda self, c: 1.15 * right(self, c))
    c = CASES["baseline"]
    wrong = simulate_reference(c.scenario(), customers=c.customers, days=DAYS, seed=REF_SEED)[0]
    result = compare(tables("baseline", "fast"), wrong)
    assert not agree(result), _explain("baseline, purchase rate x 1.15", result)
    rejected = set(result.loc[result["p"] <= FAMILY_ALPHA / len(result), "observation"])
    buying = {"orders per customer", "first repeat wait x lambda", "spend per customer"}
    assert {r.removesuffix(" (mean)") for r in rejected} & buying, _explain("baseline, purchase rate x 1.15", result)


@pytest.mark.slow
def test_the_comparison_rejects_dropout_that_ignores_satisfaction(monkeypatch):
    """A reference world where unhappy customers are no likelier to leave is told apart."""
    right = World.drops_out
    monkeypatch.setattr(World, "drops_out", lambda self, c, s: right(self, c, self.s_ref))
    c = CASES["satisfaction_strong"]
    wrong = simulate_reference(c.scenario(), customers=c.customers, days=DAYS, seed=REF_SEED)[0]
    result = compare(tables("satisfaction_strong", "fast"), wrong)
    assert not agree(result), _explain("satisfaction_strong, dropout without satisfaction shift", result)
    rejected = set(result.loc[result["p"] <= FAMILY_ALPHA / len(result), "observation"])
    assert "satisfaction at churn" in rejected, _explain(
        "satisfaction_strong, dropout without satisfaction shift", result
    )


# ---------------------------------------------------------------- BG/NBD closed form
def _bgnbd_expected(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)] of BG/NBD (Fader, Hardie & Lee 2005, eq. 7)."""
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


@pytest.fixture(scope="module")
def btyd_reference() -> dict[str, pd.DataFrame]:
    """Pure BG/NBD + Gamma-Gamma on the reference engine: 20 000 customers at day 0, two years."""
    return simulate_reference("btyd_only", customers=20_000, days=DAYS, seed=5)[0]


def _repeat_purchases(t: dict[str, pd.DataFrame], by: float) -> pd.Series:
    o = t["orders"]
    repeat = o[~o["is_first"] & (o["t"] <= by)]
    return repeat.groupby("customer_id").size().reindex(t["customers"]["customer_id"], fill_value=0)


@pytest.mark.slow
@pytest.mark.parametrize("t", [30.0, 90.0, 365.0, 730.0])
def test_reference_repeat_purchases_match_the_bgnbd_closed_form(btyd_reference, t):
    """Mean repeat purchases by day t is E[X(t)] within a 99.9% confidence interval."""
    pu = sim.Scenario.load("btyd_only").purchase
    x = _repeat_purchases(btyd_reference, t)
    se = x.std(ddof=1) / np.sqrt(len(x))
    expected = _bgnbd_expected(t, pu.r, pu.alpha, pu.a, pu.b)
    assert abs(x.mean() - expected) < stats.norm.ppf(0.9995) * se, (t, x.mean(), expected, se)


@pytest.mark.slow
def test_the_closed_form_check_rejects_a_10_percent_different_rate(btyd_reference):
    """The same check is sharp enough to reject E[X(730)] of a world with r x 1.1."""
    pu = sim.Scenario.load("btyd_only").purchase
    x = _repeat_purchases(btyd_reference, DAYS)
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert abs(x.mean() - _bgnbd_expected(DAYS, pu.r * 1.1, pu.alpha, pu.a, pu.b)) > stats.norm.ppf(0.9995) * se
