"""Chapter 07 mechanisms (issue 13, section B), graded against ground truth: exit surveys (stated
vs true reason), win-back response by churn reason x offer kind, the model- and health-score
churn trigger the firm fits on observed data, and the observed win-back KPIs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import sim
from sim.config.scenario import CHURN_REASONS
from sim.errors import ConfigError, LatentAccessError
from sim.results.kpis import RESCUE_CAMPAIGNS, WINBACK_WINDOW_DAYS, saved_contacts
from sim.world.firm_models import REFIT_EVENT, ChurnModelScorer, HealthScorer
from sim.world.logs import SurveyLog
from sim.world.model import exit_confusion_probability, winback_probability, winback_reason_multiplier
from sim.world.rng import Streams
from sim.world.surveys import ExitSurveys

pytestmark = pytest.mark.timeout(180)

Z = 4.0  # two-sided tolerance of the statistical checks (false alarm ~ 6e-5 per check)


@pytest.fixture(scope="module")
def watch() -> sim.Result:
    """Chapter 07's world with the model-driven trigger (the chapter's main run, smaller)."""
    return sim.run("churn_watch", "model_alerts", customers=2500, days=730, seed=1)


def _churn_state(events: pd.DataFrame, who: pd.Series, t: pd.Series) -> pd.DataFrame:
    """Per (customer, time): the last true churn / reactivation strictly before ``t`` (ground truth).

    Returns columns ``lapsed`` (truly churned at ``t``), ``churn_t`` and ``reason`` of that churn.
    """
    ev = events[events["event"].isin(["true_churned", "true_reactivated"])]
    ev = ev.assign(ev_t=ev["t"]).sort_values("t", kind="stable")[["customer_id", "t", "ev_t", "event", "detail"]]
    left = pd.DataFrame({"customer_id": who.to_numpy(), "t": t.to_numpy(dtype=float), "row": np.arange(len(who))})
    m = pd.merge_asof(left.sort_values("t", kind="stable"), ev, on="t", by="customer_id", allow_exact_matches=False)
    m = m.sort_values("row")
    lapsed = m["event"].eq("true_churned").fillna(False).to_numpy(dtype=bool)
    churn_t = np.where(lapsed, m["ev_t"].to_numpy(dtype=float), np.nan)
    reason = np.where(lapsed, m["detail"].astype(object).fillna("").to_numpy(dtype=object), "")
    return pd.DataFrame({"lapsed": lapsed, "churn_t": churn_t, "reason": reason}, index=who.index)


# ------------------------------------------------------------------ exit surveys
def test_exit_confusion_matches_truthful_and_stated_mix() -> None:
    """Many simulated exits through the mechanism itself: P(stated | true) = truthful x [same] +
    (1 - truthful) x stated_mix, cell by cell within binomial error; response share = response_rate."""
    sc = sim.Scenario.load("churn_watch").updated({"surveys.exit.truthful": 0.55})
    ex = sc.surveys.exit
    log = SurveyLog()
    survey = ExitSurveys(sc, log, Streams(11))
    true = np.random.default_rng(3).choice(list(CHURN_REASONS), size=40_000)
    for k, r in enumerate(true.tolist()):
        survey.churned(k, float(k), r, 7.0)
    n = len(log)
    se = math.sqrt(ex.response_rate * (1 - ex.response_rate) / len(true))
    assert abs(n / len(true) - ex.response_rate) < Z * se
    assert set(log.touchpoint) == {"exit"} and set(log.instrument) == {"reason"} and set(log.score) == {-1}
    answered_true = np.array(log.exit_true)
    assert (answered_true == true[np.array(log.customer)]).all()  # the latent column is the true reason
    stated = np.array(log.exit_reason)
    for r in CHURN_REASONS:
        rows = answered_true == r
        for s in CHURN_REASONS:
            p = exit_confusion_probability(s, r, ex.truthful, ex.stated_mix)
            share = float((stated[rows] == s).mean())
            assert abs(share - p) <= Z * math.sqrt(max(p * (1 - p), 1e-4) / rows.sum()) + 1e-12, (r, s, share, p)


def test_exit_answers_come_from_true_churners(watch: sim.Result) -> None:
    sv, ev = watch.surveys, watch.events
    ex = sv[sv["touchpoint"] == "exit"]
    churns = ev[ev["event"] == "true_churned"]
    assert len(ex) > 100
    assert (ex["instrument"] == "reason").all() and (ex["score"] == -1).all()
    # each answer sits on a true churn of that customer at that time, with its true reason
    keyed = churns.set_index(["customer_id", "t"])["detail"]
    truth = keyed.reindex(pd.MultiIndex.from_frame(ex[["customer_id", "t"]])).to_numpy()
    assert (truth == ex["true_reason"].to_numpy()).all()
    p = sim.Scenario.load("churn_watch").surveys.exit.response_rate
    assert abs(len(ex) / len(churns) - p) < Z * math.sqrt(p * (1 - p) / len(churns))
    # other rows carry no reason; the firm sees the stated reason, never the true one
    other = sv[sv["touchpoint"] != "exit"]
    assert (other["reason"] == "").all() and (other["true_reason"] == "").all()
    seen = watch.observed().surveys
    assert "reason" in seen.columns and "true_reason" not in seen.columns
    with pytest.raises(LatentAccessError):
        seen["true_reason"]


def test_exit_surveys_draw_only_from_their_own_stream() -> None:
    """Switching the exit survey on changes nothing else: every other table and every other answer
    is identical under the same seed (the new draws come from ``survey.exit`` only)."""
    sc = sim.Scenario.load("baseline")
    off = sim.run(sc, "churn_rescue", customers=1200, days=400, seed=7)
    on = sim.run(sc.updated({"surveys.exit.enabled": True}), "churn_rescue", customers=1200, days=400, seed=7)
    for name in ("customers", "orders", "tickets", "events", "tiers", "contacts"):
        pd.testing.assert_frame_equal(on.tables[name], off.tables[name], obj=name)
    sv_on = on.surveys[on.surveys["touchpoint"] != "exit"].drop(columns="survey_id").reset_index(drop=True)
    sv_off = off.surveys.drop(columns="survey_id")
    pd.testing.assert_frame_equal(sv_on, sv_off)
    assert (on.surveys["touchpoint"] == "exit").sum() > 20
    assert (off.surveys["reason"] == "").all()


def test_exit_survey_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="stated exit reasons"):
        sim.Scenario.load("baseline").updated({"surveys.exit.stated_mix": {"price": 0.5, "weather": 0.5}})
    with pytest.raises(ConfigError, match="offer kind"):
        sim.Scenario.load("baseline").updated({"churn.winback_response": {"price": {"coupon": 2.0}}})
    with pytest.raises(ConfigError, match="winback_response.price.discount"):
        sim.Scenario.load("baseline").updated({"churn.winback_response": {"price": {"discount": -1.0}}})


# ------------------------------------------------------------------ win-back by reason x offer kind
def _winback_policy(kind: str) -> sim.Policy:
    return sim.Policy.from_dict(
        {
            "name": f"winback_{kind}",
            "offers": {"wb": {"kind": kind, "discount": 0.2, "winback_prob": 0.5, "winback_half_life_days": 120}},
            "triggers": {
                "winback": {
                    "enabled": True,
                    "lapse_days": 60,
                    "cooldown_days": 90,
                    "check_every_days": 15,
                    "channel": "phone",
                    "offer": "wb",
                }
            },
        }
    )


def _winback_outcomes(res: sim.Result) -> pd.DataFrame:
    """Opened win-back contacts to truly lapsed customers, with the true reason, the lapse and the outcome."""
    ct = res.contacts[(res.contacts["campaign"] == "winback") & res.contacts["opened"]]
    state = _churn_state(res.events, ct["customer_id"], ct["t"])
    ct = ct.join(state)[state["lapsed"]]
    re = res.events[res.events["event"] == "true_reactivated"]
    won = pd.MultiIndex.from_frame(re[["customer_id", "t"]])
    ct = ct.assign(won=pd.MultiIndex.from_frame(ct[["customer_id", "t"]]).isin(won))
    return ct


@pytest.fixture(scope="module")
def winback_runs() -> dict[str, sim.Result]:
    on = sim.Scenario.load("churn_watch")
    off = on.updated({"churn.winback_response": {}})
    pol = _winback_policy("discount")
    return {
        "on": sim.run(on, pol, customers=5000, days=730, seed=3),
        "off": sim.run(off, pol, customers=5000, days=730, seed=3),
    }


def test_winback_multiplier_raises_price_leavers_under_crn(winback_runs: dict[str, sim.Result]) -> None:
    """Same seed, a discount win-back offer: with churn_watch's response (price x2, service x0.5)
    price leavers come back about twice as often, service leavers about half as often."""
    on, off = (_winback_outcomes(winback_runs[k]) for k in ("on", "off"))
    won_on = on.groupby("reason")["won"].sum()
    won_off = off.groupby("reason")["won"].sum()
    z = (won_on["price"] - won_off["price"]) / math.sqrt(won_on["price"] + won_off["price"])
    assert z > Z, (won_on.to_dict(), won_off.to_dict())
    rate_on = won_on["price"] / (on["reason"] == "price").sum()
    rate_off = won_off["price"] / (off["reason"] == "price").sum()
    assert 1.4 < rate_on / rate_off < 2.6  # lapse times differ a little between the runs
    # service leavers: fewer come back with a discount (x0.5)
    assert (
        won_on["service"] / (on["reason"] == "service").sum() < won_off["service"] / (off["reason"] == "service").sum()
    )


def test_winback_matches_its_closed_form(winback_runs: dict[str, sim.Result]) -> None:
    """Reactivations of opened win-back contacts = sum of min(1, m(reason, kind) x base x 0.5^(lapse/half-life))."""
    res = winback_runs["on"]
    offer = _winback_policy("discount").offers["wb"]
    table = res.scenario.churn.winback_response
    ct = _winback_outcomes(res)
    p = np.array(
        [
            min(1.0, winback_reason_multiplier(r, offer.kind, table)
                * winback_probability(offer.winback_prob, t - c, offer.winback_half_life_days))
            for r, t, c in zip(ct["reason"], ct["t"], ct["churn_t"])
        ]
    )  # fmt: skip
    assert len(ct) > 300
    assert abs(ct["won"].sum() - p.sum()) < Z * math.sqrt((p * (1 - p)).sum())


def test_winback_p_is_the_delivered_probability() -> None:
    """``FirmActions.winback_p``: 0 while alive; the base decay x the reason x kind multiplier when lapsed."""
    import simpy

    from sim.world.engine import World

    sc = sim.Scenario.load("churn_watch")
    pol = _winback_policy("service")
    env = simpy.Environment()
    w = World(env, sc, 50, 200.0, Streams(0), 1, policy=pol)
    w.start()
    env.run(until=20.0)
    alive = [i for i in w.customers.acquired() if w.customers.alive[i]]
    assert alive and w.actions.winback_p(alive[0], "wb") == 0.0
    for i, reason in zip(alive[:3], ["price", "service", "product"]):
        w.lifecycle.churn(i, 20.0, reason)
    env.run(until=80.0)
    for i, mult in zip(alive[:3], [0.5, 2.0, 1.0]):
        assert w.actions.winback_p(i, "wb") == pytest.approx(0.5 * mult * 0.5 ** (60.0 / 120.0))
    assert w.actions.winback_p(alive[0], None) == 0.0


# ------------------------------------------------------------------ model / health trigger
class _StrictPort:
    """A port that hands out only what the scorers may read, and raises on anything else."""

    ALLOWED = frozenset({"order_frame", "survey_frame", "acquired", "event", "now"})

    def __init__(self, port: Any) -> None:
        object.__setattr__(self, "_port", port)
        object.__setattr__(self, "calls", set())

    def __getattr__(self, name: str) -> Any:
        if name not in self.ALLOWED:
            raise LatentAccessError(f"the churn scorer asked the port for {name!r}")
        self.calls.add(name)
        return getattr(self._port, name)


def test_model_refits_on_schedule_and_logs_it(watch: sim.Result) -> None:
    spec = watch.policy.triggers.churn_risk.model
    ev = watch.events[watch.events["event"] == REFIT_EVENT]
    assert len(ev) >= 4 and (ev["customer_id"] == 0).all()
    assert np.allclose(np.diff(ev["t"].to_numpy()), spec.refit_every_days)
    assert ev["t"].iloc[0] >= spec.label_days
    auc = ev["detail"].str.extract(r"auc ([0-9.]+) n (\d+)").astype(float)
    assert auc[0].between(0.55, 1.0).all()
    assert auc[1].is_monotonic_increasing and (auc[1] >= spec.min_customers).all()
    assert REFIT_EVENT in set(watch.observed().events["event"])  # an observed event


def test_scorers_read_only_the_port() -> None:
    """The scorers run on a port that raises on anything but orders, surveys, acquisitions and events."""
    import simpy

    from sim.world.engine import World
    from sim.world.observed import Observed

    env = simpy.Environment()
    w = World(env, sim.Scenario.load("churn_watch"), 800, 400.0, Streams(2), 1)
    w.start()
    env.run(until=400.0)
    port = _StrictPort(Observed(w))
    with pytest.raises(LatentAccessError):
        port.alive
    orders = port.order_frame()
    model = ChurnModelScorer(port, sim.Policy.load("model_alerts").triggers.churn_risk.model)
    risk = model.risk(400.0, orders)
    health = HealthScorer(port).risk(400.0, orders)
    assert risk is not None and health is not None
    assert list(risk.index) == port.acquired() == list(health.index)
    assert risk.between(0, 1).all() and health.between(0, 1).all()
    assert port.calls <= _StrictPort.ALLOWED and "event" in port.calls
    assert model.refits and model.refits[0][0] == 400.0


def _targeting_precision(res: sim.Result) -> tuple[int, int, float]:
    """(churn-risk contacts, of which to truly churned customers, share truly churned among all
    customers acquired at those contact times: what random targeting would reach)."""
    ct = res.contacts[res.contacts["campaign"] == "churn_risk"]
    hits = int(_churn_state(res.events, ct["customer_id"], ct["t"])["lapsed"].sum())
    c = res.customers
    base = []
    for t, n in ct.groupby("t").size().items():
        who = c.loc[c["acquired_t"] < t, "customer_id"]
        base.append((n, _churn_state(res.events, who, pd.Series(t, index=who.index))["lapsed"].mean()))
    rand = sum(n * b for n, b in base) / sum(n for n, _ in base)
    return len(ct), hits, float(rand)


def test_model_trigger_beats_random_targeting_on_true_churn(watch: sim.Result) -> None:
    n, hits, rand = _targeting_precision(watch)
    assert n > 200
    assert (hits / n - rand) / math.sqrt(rand * (1 - rand) / n) > Z, (hits / n, rand)


@pytest.mark.timeout(120)
def test_health_trigger_runs_and_beats_random_targeting() -> None:
    res = sim.run("churn_watch", "health_alerts", customers=1500, days=540, seed=2)
    assert not (res.events["event"] == REFIT_EVENT).any()  # nothing fitted
    n, hits, rand = _targeting_precision(res)
    assert n > 100
    assert (hits / n - rand) / math.sqrt(rand * (1 - rand) / n) > Z, (hits / n, rand)


def test_model_scores_rank_true_churn_better_than_chance(watch: sim.Result) -> None:
    """At the horizon, the firm's latest model ranks truly churned customers above live ones."""
    import simpy

    from sim.world.engine import World
    from sim.world.observed import Observed

    env = simpy.Environment()
    w = World(env, sim.Scenario.load("churn_watch"), 1500, 540.0, Streams(4), 1)
    w.start()
    env.run(until=540.0)
    port = Observed(w)
    risk = ChurnModelScorer(port, sim.Policy.load("model_alerts").triggers.churn_risk.model).risk(
        540.0, port.order_frame()
    )
    assert risk is not None
    churned = ~np.array([w.customers.alive[i] for i in risk.index])
    assert roc_auc_score(churned, risk.to_numpy()) > 0.6


# ------------------------------------------------------------------ observed KPIs
def test_saved_contacts_window() -> None:
    ct = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4], "t": [10.0, 10.0, 10.0, 10.0, 10.0]})
    o = pd.DataFrame({"customer_id": [1, 2, 3, 4], "t": [10.0, 10.0 + WINBACK_WINDOW_DAYS, 9.99, 100.01]})
    # same time (a converted contact) and the window's last day count; before, or after the window, not
    assert saved_contacts(ct, o).tolist() == [True, True, True, False, False]
    assert saved_contacts(ct.iloc[:0], o).tolist() == []


def test_winback_kpis_match_a_brute_force_count(watch: sim.Result) -> None:
    ct, o = watch.contacts, watch.orders
    buy_times = o.groupby("customer_id")["t"].apply(np.asarray).to_dict()

    def saved(row: Any) -> bool:
        ts = buy_times.get(row.customer_id, np.array([]))
        return bool(((ts >= row.t) & (ts <= row.t + WINBACK_WINDOW_DAYS)).any())

    rescue = ct[ct["campaign"].isin(RESCUE_CAMPAIGNS)]
    flags = pd.Series([saved(r) for r in rescue.itertuples()], index=rescue.index)
    wb = rescue["campaign"] == "winback"
    per_wb = flags[wb].groupby(rescue.loc[wb, "customer_id"]).any()
    per_all = flags.groupby(rescue["customer_id"]).any()
    k = watch.kpis()
    assert k["n_winback_rate"] == len(per_wb) > 100
    assert k["winback_rate"] == pytest.approx(per_wb.mean())
    assert k["cost_per_saved_customer"] == pytest.approx(rescue["cost"].sum() / per_all.sum())
    monthly = watch.kpis(by="month")
    assert {"winback_rate", "cost_per_saved_customer"} <= set(monthly.columns)
    # observed only: the same flags from the firm's view of the tables
    view = watch.observed()
    seen = view.contacts[view.contacts["campaign"].isin(RESCUE_CAMPAIGNS)]
    assert saved_contacts(seen, view.orders).tolist() == flags.tolist()


def test_kpis_are_nan_without_rescue_contacts() -> None:
    k = sim.run("baseline", customers=300, days=200, seed=1).kpis()
    assert math.isnan(k["winback_rate"]) and math.isnan(k["cost_per_saved_customer"]) and k["n_winback_rate"] == 0


def test_every_subscription_cancellation_can_answer() -> None:
    """In the subscription world a cancellation at renewal is a true churn like any other: it may answer."""
    sc = sim.Scenario.load("subscription").updated({"surveys.exit": {"enabled": True, "response_rate": 0.5}})
    res = sim.run(sc, customers=800, days=400, seed=3)
    churns = int((res.events["event"] == "true_churned").sum())
    answers = int((res.surveys["touchpoint"] == "exit").sum())
    assert churns > 100
    assert abs(answers / churns - 0.5) < Z * math.sqrt(0.25 / churns)
