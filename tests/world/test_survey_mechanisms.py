"""Survey modes (named / anonymous), channels, free-text comments, true_satisfaction and the
latent satisfaction snapshots (issue 12, D17 / SM7 / SM8), graded against ground truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import sim
from sim.analysis.satisfaction.text import comment_sentiment, tag_comments
from sim.errors import ConfigError
from sim.world.comments import CAUSE_TOPIC, TOPIC_MIX, ZH_SHARE

pytestmark = pytest.mark.timeout(120)

OTHER_TABLES = ("customers", "orders", "tickets", "events", "tiers", "contacts", "funnel")
BASE_SURVEY_COLUMNS = ["survey_id", "customer_id", "t", "touchpoint", "instrument", "score", "ticket_id"]


def _run(changes: dict, customers: int = 2500, days: float = 730.0, seed: int = 5) -> sim.Result:
    sc = sim.Scenario.load("baseline").updated(changes)
    return sim.run(sc, customers=customers, days=days, seed=seed)


def _modes(named: tuple[float, float, float], anonymous: tuple[float, float, float] | None = None) -> dict:
    """``surveys.modes`` from (share, response_factor, honesty_shift) triples."""
    out = {"named": dict(zip(("share", "response_factor", "honesty_shift"), named))}
    if anonymous is not None:
        out["anonymous"] = dict(zip(("share", "response_factor", "honesty_shift"), anonymous))
    return out


@pytest.fixture(scope="module")
def off() -> sim.Result:
    return _run({})


def _questionnaires(sv: pd.DataFrame) -> pd.DataFrame:
    """One row per questionnaire: CSAT and NPS answers (a post-ticket CES answer shares its CSAT's mode)."""
    return sv[sv["instrument"].isin(["csat", "nps"])]


# ------------------------------------------------------------------ off = as before
def test_defaults_are_off(off: sim.Result) -> None:
    sv = off.surveys
    assert len(sv) > 500
    assert (sv["mode"] == "named").all() and (sv["channel"] == "").all() and (sv["comment"] == "").all()
    assert sv["true_satisfaction"].between(0.0, 10.0).all()
    assert off.snapshots.empty and list(off.snapshots.columns) == sim.schema.columns("snapshots")


def test_new_streams_leave_everything_else_unchanged(off: sim.Result) -> None:
    """Modes without an effect, channels and comments draw only from their own streams: every
    other table and every score is identical under the same seed; only the new columns move."""
    on = _run(
        {
            "surveys.modes": _modes((0.5, 1.0, 0.0), (0.5, 1.0, 0.0)),
            "surveys.channels": {"online": 0.5, "app": 0.3, "paper": 0.2},
            "surveys.comment_rate": 0.5,
            "satisfaction.snapshot_days": 30.0,
        }
    )
    for name in OTHER_TABLES:
        pd.testing.assert_frame_equal(getattr(on, name), getattr(off, name), obj=name)
    cols = [*BASE_SURVEY_COLUMNS, "true_satisfaction"]
    pd.testing.assert_frame_equal(on.surveys[cols], off.surveys[cols])
    assert set(on.surveys["mode"]) == {"named", "anonymous"}
    assert set(on.surveys["channel"]) == {"online", "app", "paper"}
    assert (on.surveys["comment"] != "").any() and not on.snapshots.empty


# ------------------------------------------------------------------ modes
def _share_ci(k: int, n: int, expected: float, z: float = 4.0) -> bool:
    return abs(k / n - expected) <= z * math.sqrt(expected * (1.0 - expected) / n)


def test_mode_shares_follow_the_mix() -> None:
    channels = {"online": 0.5, "app": 0.25, "phone": 0.15, "paper": 0.1}
    all_answers = _run(
        {"surveys.modes": _modes((0.7, 1.0, 0.0), (0.3, 1.0, 0.0)), "surveys.channels": channels}
    ).surveys
    sv = _questionnaires(all_answers)
    n, k = len(sv), int((sv["mode"] == "anonymous").sum())
    assert n > 1000
    assert _share_ci(k, n, 0.3), k / n
    for channel, share in channels.items():
        assert _share_ci(int((sv["channel"] == channel).sum()), n, share), channel
    # a post-ticket questionnaire has one mode: its CES answer carries its CSAT's
    pt = all_answers[all_answers["touchpoint"] == "post_ticket"]
    assert len(pt) > 50
    assert (pt.groupby("ticket_id")["mode"].nunique() == 1).all()


def test_response_factor_biases_who_answers_by_mode() -> None:
    """Anonymous invitations answered 3x as often (factors 1.5 vs 0.5, equal shares): the expected
    anonymous share of answers is 1.5 / (1.5 + 0.5) = 0.75 (no probability reaches the cap of 1)."""
    res = _run({"surveys.modes": _modes((0.5, 0.5, 0.0), (0.5, 1.5, 0.0))})
    sv = _questionnaires(res.surveys)
    n, k = len(sv), int((sv["mode"] == "anonymous").sum())
    assert _share_ci(k, n, 0.75), k / n
    # and the response rate itself moves: fewer answers with every invitation named at factor 0.5
    low = _questionnaires(_run({"surveys.modes": _modes((1.0, 0.5, 0.0))}).surveys)
    ref = _questionnaires(_run({}).surveys)
    assert _share_ci(len(low), len(ref), 0.5), len(low) / len(ref)


def test_named_answers_are_politer_on_the_same_customers() -> None:
    """All-named (+0.5 points) vs all-anonymous (0) under the same seed: the same customers answer
    with the same noise (a single mode draws nothing), and every named score is >= the anonymous one."""
    named = _run({"surveys.modes": _modes((1.0, 1.0, 0.5))}).surveys
    anon = _run({"surveys.modes": {"anonymous": {"share": 1.0}}}).surveys
    same = [c for c in named.columns if c not in ("score", "mode")]
    pd.testing.assert_frame_equal(named[same], anon[same])
    assert (named["mode"] == "named").all() and (anon["mode"] == "anonymous").all()
    diff = named["score"] - anon["score"]
    assert (diff >= 0).all()
    nps = named["instrument"] == "nps"
    # a +0.5 shift moves a rounded 0-10 answer up by one point about half the time (less near the top)
    assert nps.sum() > 1000 and 0.3 < diff[nps].mean() < 0.55, diff[nps].mean()
    assert (diff[named["instrument"] == "ces"] == 0).all()  # CES reads no satisfaction


def test_honesty_shift_within_one_run() -> None:
    """Mixed modes in one run: answer minus latent satisfaction is higher for named answers."""
    sv = _run({"surveys.modes": _modes((0.5, 1.0, 0.8), (0.5, 1.0, 0.0))}).surveys
    nps = sv[sv["instrument"] == "nps"]
    resid = nps["score"] - nps["true_satisfaction"]
    a, b = resid[nps["mode"] == "named"], resid[nps["mode"] == "anonymous"]
    gap = a.mean() - b.mean()
    se = math.sqrt(a.var() / len(a) + b.var() / len(b))
    assert gap > 4 * se and 0.5 < gap < 1.0, (gap, se)


# ------------------------------------------------------------------ comments
@pytest.fixture(scope="module")
def commented() -> sim.Result:
    return _run({"surveys.comment_rate": 0.4, "surveys.post_ticket_rate": 0.8}, customers=4000)


def test_comment_rate_and_languages(commented: sim.Result) -> None:
    sv = commented.surveys
    q = _questionnaires(sv)
    has = q["comment"] != ""
    assert _share_ci(int(has.sum()), len(q), 0.4), has.mean()
    assert (sv.loc[sv["instrument"] == "ces", "comment"] == "").all()
    zh = q.loc[has, "comment"].str.contains(r"[\u4e00-\u9fff]", regex=True)
    assert _share_ci(int(zh.sum()), len(zh), ZH_SHARE), zh.mean()


def _chance(truth: pd.Series, tags: pd.Series) -> float:
    """Agreement expected by chance: tags independent of the truth with the same margins."""
    p_truth, p_tags = truth.value_counts(normalize=True), tags.value_counts(normalize=True)
    return float(sum(p * p_tags.get(topic, 0.0) for topic, p in p_truth.items()))


def _recall(truth: pd.Series, tags: pd.Series, min_n: int = 20) -> pd.Series:
    """Per true topic with at least ``min_n`` comments, the share tagged with it."""
    hit = (tags.to_numpy() == truth.to_numpy()).astype(float)
    per = pd.Series(hit, index=truth.to_numpy()).groupby(level=0).agg(["mean", "size"])
    return per.loc[per["size"] >= min_n, "mean"]


def test_tagging_recovers_the_ticket_cause(commented: sim.Result) -> None:
    sv, tk = commented.surveys, commented.tickets
    pt = sv[(sv["touchpoint"] == "post_ticket") & (sv["comment"] != "")]
    truth = pt["ticket_id"].map(tk.set_index("ticket_id")["cause"]).map(CAUSE_TOPIC)
    tags = tag_comments(pt["comment"])["tags"]
    assert len(pt) > 100
    acc = float((tags.to_numpy() == truth.to_numpy()).mean())
    # the model: the cause's topic with probability 0.8, else the general mix (which may hit it too)
    assert acc > 0.75 and acc > _chance(truth, tags) + 0.3, (acc, _chance(truth, tags))
    recall = _recall(truth, tags)
    assert len(recall) >= 2 and (recall > 0.6).all(), recall


def test_tagging_recovers_the_churn_reason(commented: sim.Result) -> None:
    sv, cu = commented.surveys, commented.customers
    rel = sv[(sv["touchpoint"] == "relationship") & (sv["comment"] != "")]
    c = cu.set_index("customer_id")
    churn_t = rel["customer_id"].map(c["true_churn_t"])
    gone = rel[churn_t < rel["t"]]
    truth = gone["customer_id"].map(c["true_churn_reason"]).map(CAUSE_TOPIC)
    tags = tag_comments(gone["comment"])["tags"]
    assert len(gone) > 50
    acc = float((tags.to_numpy() == truth.to_numpy()).mean())
    assert acc > 0.75 and acc > _chance(truth, tags) + 0.3, (acc, _chance(truth, tags))
    recall = _recall(truth, tags)
    assert len(recall) >= 2 and (recall > 0.6).all(), recall


def test_comment_sentiment_follows_latent_satisfaction(commented: sim.Result) -> None:
    q = _questionnaires(commented.surveys)
    q = q[q["comment"] != ""]
    sent = comment_sentiment(q["comment"]).to_numpy()
    low, high = q["true_satisfaction"] < 6.0, q["true_satisfaction"] >= 9.0
    assert low.sum() > 30 and high.sum() > 30
    assert np.mean(sent[low.to_numpy()] < 0) > 0.6 and np.mean(sent[high.to_numpy()] > 0) > 0.6
    # a post-purchase comment that is not negative has no cause to talk about: its topic follows the general mix
    pp = q["touchpoint"].to_numpy() == "post_purchase"
    tags = tag_comments(q.loc[pp & (sent >= 0), "comment"])["tags"]
    assert len(tags) > 300
    for topic, share in TOPIC_MIX.items():
        assert _share_ci(int((tags == topic).sum()), len(tags), share), (topic, float((tags == topic).mean()))
    assert set(tags) == set(TOPIC_MIX)


# ------------------------------------------------------------------ snapshots
def test_snapshot_rows_match_the_customers() -> None:
    res = _run({"satisfaction.snapshot_days": 30.0}, customers=1500, days=365.0)
    snap, cu = res.snapshots, res.customers.set_index("customer_id")
    assert sorted(snap["t"].unique()) == [30.0 * k for k in range(1, 13)]
    acq = snap["customer_id"].map(cu["acquired_t"])
    assert (acq <= snap["t"]).all()
    per_t = snap.groupby("t").size()
    expected = [(cu["acquired_t"] <= t).sum() for t in per_t.index]
    assert per_t.tolist() == expected
    churn = snap["customer_id"].map(cu["true_churn_t"])
    assert (snap["true_alive"] == ~(churn <= snap["t"])).all()
    assert snap["true_satisfaction"].between(0.0, 10.0).all()


def test_snapshots_leave_btyd_only_exact() -> None:
    """Snapshots draw nothing: btyd_only's tables are unchanged, and without the satisfaction
    mechanism every snapshot holds the customer's starting level."""
    sc = sim.Scenario.load("btyd_only")
    plain = sim.run(sc, customers=800, days=365, seed=2)
    snap = sim.run(sc.updated({"satisfaction.snapshot_days": 60.0}), customers=800, days=365, seed=2)
    for name in OTHER_TABLES:
        pd.testing.assert_frame_equal(getattr(snap, name), getattr(plain, name), obj=name)
    start = snap.snapshots["customer_id"].map(snap.customers.set_index("customer_id")["true_satisfaction_start"])
    assert len(snap.snapshots) > 1000 and (snap.snapshots["true_satisfaction"] == start).all()


def _expected_nps(s: np.ndarray, noise_sd: float) -> float:
    """Expected NPS of one answer ``round(s + noise)`` per customer: P(>= 8.5) - P(< 6.5), averaged."""
    return 100.0 * float(np.mean(norm.sf((8.5 - s) / noise_sd) - norm.cdf((6.5 - s) / noise_sd)))


def _graded_waves(bias: float) -> pd.DataFrame:
    """Monthly relationship NPS (answered by alive customers only) against the snapshot truth."""
    res = _run(
        {
            "population.initial_share": 0.5,
            "satisfaction.snapshot_days": 30.0,
            "surveys.relationship_interval_days": 30.0,
            "surveys.relationship_rate": 0.3,
            "surveys.churned_response_factor": 0.0,
            "surveys.nonresponse_bias": bias,
        },
        customers=3000,
        days=365.0,
        seed=8,
    )
    sv = res.surveys[res.surveys["touchpoint"] == "relationship"]
    snap = res.snapshots[res.snapshots["true_alive"]]
    rows = []
    for t, wave in sv.groupby("t"):
        x = np.where(wave["score"] >= 9, 1.0, np.where(wave["score"] <= 6, -1.0, 0.0))
        est, se = 100.0 * x.mean(), 100.0 * x.std(ddof=1) / math.sqrt(len(x))
        truth = _expected_nps(snap.loc[snap["t"] == t, "true_satisfaction"].to_numpy(), 1.0)
        rows.append({"t": t, "n": len(x), "est": est, "lo": est - 1.96 * se, "hi": est + 1.96 * se, "truth": truth})
    return pd.DataFrame(rows)


def test_survey_nps_is_graded_against_the_snapshot_truth() -> None:
    fair = _graded_waves(0.0)
    assert len(fair) == 12 and (fair["n"] > 100).all()
    covered = fair["truth"].between(fair["lo"], fair["hi"])
    assert covered.sum() >= 10, fair  # 95% intervals: at least 10 of 12 waves
    biased = _graded_waves(0.6)  # unhappy customers answer more often (0.6 log-odds per point)
    missed = ~biased["truth"].between(biased["lo"], biased["hi"])
    assert missed.sum() >= 10 and (biased["est"] < biased["truth"]).all(), biased


def test_true_satisfaction_of_answers_matches_the_snapshots() -> None:
    """A relationship wave and a snapshot at the same time read the same latent satisfaction."""
    res = _run(
        {"satisfaction.snapshot_days": 91.0}, customers=1500, days=365.0
    )  # default relationship interval: 91 days
    rel = res.surveys[res.surveys["touchpoint"] == "relationship"]
    merged = rel.merge(res.snapshots, on=["customer_id", "t"], suffixes=("", "_snap"))
    assert len(merged) == len(rel) > 100
    assert np.allclose(merged["true_satisfaction"], merged["true_satisfaction_snap"], rtol=0, atol=1e-12)


# ------------------------------------------------------------------ configuration
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"surveys.modes": {"named": {"share": 0.5}, "email": {"share": 0.5}}}, "surveys.modes"),
        ({"surveys.modes": _modes((0.5, 1.0, 0.0))}, "surveys.modes"),
        ({"surveys.channels": {"online": 0.5, "fax": 0.5}}, "surveys.channels"),
        ({"surveys.comment_rate": 1.5}, "surveys.comment_rate"),
        ({"satisfaction.snapshot_days": 0.25}, "satisfaction.snapshot_days"),
    ],
)
def test_bad_settings_are_refused(changes: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        sim.Scenario.load("baseline").updated(changes)


def test_retail_preset_switches_them_on() -> None:
    sc = sim.Scenario.load("retail")
    assert sc.surveys.comment_rate > 0 and set(sc.surveys.modes) == {"named", "anonymous"}
    assert sc.surveys.channels and sc.satisfaction.snapshot_days > 0
