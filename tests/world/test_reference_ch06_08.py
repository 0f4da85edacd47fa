"""The reference engine mirrors the chapter 06-08 mechanisms, and agrees with the fast engine.

Each mechanism of issue 13 (service operations, exit surveys and win-back by reason, the click
stage and message effects, campaigns with holdouts and the counterfactual ``uplift`` table) lives
in both engines. As in ``tests/world/test_reference_mechanisms.py``, each engine runs with its own
seeds (independent samples, pooled over two seeds) on a preset that switches the mechanism on, and
a two-sample test compares what a course would measure; a world passes when every p-value
exceeds ``FAMILY_ALPHA / m`` (Bonferroni over its ``m`` comparisons).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.schema import TABLES
from sim.world.reference import simulate_reference

FAMILY_ALPHA = 0.01
MIN_N = 30
FAST_SEEDS = (401, 402)
REF_SEEDS = (501, 502)


# ---------------------------------------------------------------- runs
def _pool(runs: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Tables of several runs as one, ids made unique per run (``run`` column added)."""
    out: dict[str, pd.DataFrame] = {}
    for name in runs[0]:
        frames = []
        for k, t in enumerate(runs):
            df = t[name].copy()
            df["run"] = k
            for col in ("customer_id", "ticket_id", "chaser_of", "reopened_from", "contact_id"):
                if col in df:
                    df[col] = df[col].where(df[col] < 0, df[col] + 1_000_000 * k)
            frames.append(df)
        out[name] = pd.concat(frames, ignore_index=True)
    return out


_CACHE: dict[tuple, dict[str, pd.DataFrame]] = {}


def _run(engine: str, scenario, policy, customers: int, days: float, seeds=None) -> dict[str, pd.DataFrame]:
    """Pooled tables of ``seeds`` runs on ``engine`` (fast runs cached for the module: the
    comparisons that must fail reuse them)."""
    seeds = seeds if seeds is not None else (FAST_SEEDS if engine == "fast" else REF_SEEDS)
    if engine == "fast":
        key = (
            scenario.model_dump_json() if isinstance(scenario, sim.Scenario) else scenario,
            policy,
            customers,
            days,
            seeds,
        )
        if key not in _CACHE:
            _CACHE[key] = _pool(
                [sim.run(scenario, policy, customers=customers, days=days, seed=s).tables for s in seeds]
            )
        return _CACHE[key]
    if engine == "fast":
        runs = [sim.run(scenario, policy, customers=customers, days=days, seed=s).tables for s in seeds]
    else:
        runs = [simulate_reference(scenario, policy, customers=customers, days=days, seed=s)[0] for s in seeds]
    return _pool(runs)


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
    """p-value of a two-sample test of ``kind`` (continuous, mean, binary, labels, counts)."""
    if kind == "continuous":
        return float(stats.ks_2samp(a, b).pvalue)
    if kind == "mean":
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    if kind == "binary":
        a, b = a.astype(bool), b.astype(bool)
        table = [[int(a.sum()), int(len(a) - a.sum())], [int(b.sum()), int(len(b) - b.sum())]]
        return float(stats.fisher_exact(table)[1])
    if kind == "labels":
        labels = sorted(set(a) | set(b))
        table = np.array([[np.sum(a == k) for k in labels], [np.sum(b == k) for k in labels]], dtype=float)
        rare = table.sum(axis=0) < 10  # pool rare labels so that every expected count stays >= 5
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
        a, b = np.asarray(a), np.asarray(b)
        if len(a) < MIN_N or len(b) < MIN_N:
            continue
        numeric = kind != "labels"
        rows.append(
            {
                "observation": name,
                "kind": kind,
                "p": two_sample_p(kind, a, b),
                "fast": float(np.mean(a.astype(float))) if numeric else len(a),
                "reference": float(np.mean(b.astype(float))) if numeric else len(b),
            }
        )
    return pd.DataFrame(rows)


def agree(result: pd.DataFrame) -> bool:
    return bool((result["p"] > FAMILY_ALPHA / len(result)).all())


def _explain(case: str, result: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", 10):
        return f"{case}: threshold p > {FAMILY_ALPHA / len(result):.2g}\n{result.to_string(index=False)}"


def _same_schema(ref: dict[str, pd.DataFrame], fast: dict[str, pd.DataFrame]) -> None:
    assert list(ref) == list(TABLES) == list(fast)
    for name in TABLES:
        assert list(ref[name].columns) == list(fast[name].columns), name
        assert ref[name].dtypes.astype(str).to_dict() == fast[name].dtypes.astype(str).to_dict(), name


def _ratio_binary(n_yes: int, n: int) -> np.ndarray:
    """``n`` units of which ``n_yes`` are a yes (for a share observed as counts)."""
    return np.arange(n) < n_yes


# ---------------------------------------------------------------- every preset runs, same tables
@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("scenario", "policy"),
    [
        ("service_ops", "service_process"),
        ("service_ops", "proactive_service"),
        ("churn_watch", "winback_by_reason"),
        ("churn_watch", "model_alerts"),
        ("churn_watch", "health_alerts"),
        ("messaging", "ab_test"),
        ("messaging", "bandit"),
        ("messaging", "holiday_care"),
        ("baseline", "uplift_test"),
    ],
)
def test_the_reference_engine_runs_the_chapter_06_08_presets_with_the_fast_engines_tables(scenario, policy):
    """Every new scenario and policy preset runs on the reference engine (its port offers what the
    firm asks for: holdouts, contact outcomes, exit answers ...), with the columns and dtypes of the
    fast engine's tables."""
    days = 400.0 if policy == "uplift_test" else 300.0 if policy in ("model_alerts", "health_alerts") else 200.0
    ref, _ = simulate_reference(scenario, policy, customers=500, days=days, seed=3)
    fast = sim.run(scenario, policy, customers=300, days=days, seed=3).tables
    _same_schema(ref, fast)
    if policy == "uplift_test":
        assert (ref["events"]["event"] == "holdout").any() and (ref["contacts"]["campaign"] == "campaign:spring").any()
    if policy in ("model_alerts", "health_alerts"):
        assert (ref["events"]["event"] == "model_refit").any() or policy == "health_alerts"


@pytest.mark.timeout(60)
def test_with_every_mechanism_off_the_new_columns_take_their_off_values():
    """Without the chapter 06-08 mechanisms the reference engine leaves the new columns at their
    documented 'off' values, and the ones it always fills obey their definitions: ``handle_h`` is
    the agent's handling time, clicks are nested between opening and conversion, the contact's
    true open probability is its channel's open rate."""
    t, _ = simulate_reference("baseline", "service_first", customers=3000, days=365, seed=4)
    tk, ct, sv, c = t["tickets"], t["contacts"], t["surveys"], t["customers"]
    assert (tk["channel"] == "").all() and (tk["department"] == "").all()
    assert (tk["chaser_of"] == -1).all() and (tk["reopened_from"] == -1).all()
    assert tk["accepted"].isna().all() and tk["handoff_t"].isna().all()
    done = tk[tk["resolved_t"].notna()]
    np.testing.assert_allclose(done["handle_h"], (done["resolved_t"] - done["first_response_t"]) * 24.0, rtol=1e-9)
    assert tk.loc[tk["first_response_t"].isna(), "handle_h"].isna().all()
    assert (sv["reason"] == "").all() and (sv["true_reason"] == "").all() and (sv["touchpoint"] != "exit").all()
    assert (c["true_best_channel"] == "").all() and len(t["uplift"]) == 0
    opened, clicked, converted = (ct[k].astype(bool) for k in ("opened", "clicked", "converted"))
    assert clicked.sum() > converted.sum() > 0 and not (clicked & ~opened).any() and not (converted & ~clicked).any()
    rates = {k: v.open_rate for k, v in sim.Policy.load("service_first").channels.items()}
    np.testing.assert_allclose(ct["true_open_prob"], ct["channel"].astype(str).map(rates))
    assert (ct["true_best_convert_prob"] == ct["true_convert_prob"]).all()
    assert (ct[["send_time", "copy", "image"]] == "").all().all()


# ---------------------------------------------------------------- chapter 06: service operations
#: the service_ops world without latent agent skill (with a handful of agents, each run's few skill
#: draws would dominate every handling time: skill is compared on its own, with many agents)
SERVICE_OPS = {"desk.agent_skill_sd": 0.0}


def _service_tables(engine: str, policy: str, changes: dict | None = None, customers: int = 3000, days: float = 450.0):
    sc = sim.Scenario.load("service_ops").updated({**SERVICE_OPS, **(changes or {})})
    return _run(engine, sc, policy, customers, days)


def service_observations(t: dict[str, pd.DataFrame]) -> dict[str, tuple[str, np.ndarray]]:
    """What chapter 06 measures: channels, chasers, follow-up answers and reopening, routing,
    triage and department times, handling time, the emergency team."""
    tk, c = t["tickets"], t["customers"]
    own = tk[(tk["chaser_of"] < 0)]
    first = own[own["reopened_from"] < 0]
    asked = own[own["accepted"].notna()]
    reopened = own[own["reopened_from"] > 0]
    chased = tk.loc[tk["chaser_of"] > 0, "chaser_of"].value_counts()
    chasers_per_ticket = chased.reindex(own["ticket_id"], fill_value=0).to_numpy()
    staged = own[own["handoff_t"].notna()]
    paid = c[c["channel"] != "referral"]["customer_id"]
    return {
        "tickets per paid customer": (
            "counts",
            own.groupby("customer_id").size().reindex(paid, fill_value=0).to_numpy(),
        ),
        "intake channel": ("labels", first["channel"].astype(str).to_numpy()),
        "chasers per ticket": ("counts", chasers_per_ticket),
        "followed up per resolved ticket": (
            "binary",
            own.loc[own["resolved_t"].notna(), "accepted"].notna().to_numpy(),
        ),
        "reopened per ticket asked": ("binary", (asked["accepted"] == 0.0).to_numpy()),
        "severity of a reopened ticket": ("labels", reopened["severity"].astype(str).to_numpy()),
        "department": ("labels", staged["department"].astype(str).to_numpy()),
        "triage time (h)": ("continuous", ((staged["handoff_t"] - staged["first_response_t"]) * 24).to_numpy()),
        "department time (h)": ("continuous", ((staged["resolved_t"] - staged["handoff_t"]) * 24).dropna().to_numpy()),
        "handling time (h)": ("continuous", own["handle_h"].dropna().to_numpy()),
        "first-response wait (h)": ("continuous", own["wait_h"].dropna().to_numpy()),
    }


@pytest.mark.timeout(240)
def test_engines_agree_on_the_service_process():
    """service_ops + service_process (channels, channel targets, chasers, acceptance at the
    follow-up call, triage, departments, emergency team, knowledge base): every chapter-06
    observation agrees in distribution."""
    fast = service_observations(_service_tables("fast", "service_process"))
    ref_t = _service_tables("reference", "service_process")
    result = compare(fast, service_observations(ref_t))
    assert len(result) >= 10, result
    assert agree(result), _explain("service_ops + service_process", result)
    # P0 tickets go to the emergency team, which starts no earlier than start_h after the opening
    tk = ref_t["tickets"]
    p0 = tk[(tk["severity"] == "P0") & (tk["chaser_of"] < 0) & tk["first_response_t"].notna()]
    start_h = sim.Policy.load("service_process").service.emergency_team.start_h
    assert len(p0) >= 5 and (p0["agent"] == -3).all() and (p0["wait_h"] >= start_h - 1e-9).all()
    routed = tk.loc[(tk["agent"] >= 0) & tk["resolved_t"].notna(), "department"]
    assert len(routed) > 100 and (routed != "").all()  # every ticket resolved after triage was routed on


def proactive_observations(t: dict[str, pd.DataFrame]) -> dict[str, tuple[str, np.ndarray]]:
    """Per order with a quality issue: a ticket the firm opened (auto), one the customer opened;
    the proactive tickets' SLA and the post-ticket CSAT after them."""
    o, tk, sv = t["orders"], t["tickets"], t["surveys"]
    issue = o[o["true_quality_issue"].astype(bool)]
    own = tk[(tk["chaser_of"] < 0) & (tk["reopened_from"] < 0)]
    auto = own[own["channel"] == "auto"]
    by_customer = own[own["channel"] != "auto"]
    key = lambda df, col: set(zip(df["run"], df[col]))
    orders = list(zip(issue["run"], issue["order_id"]))
    auto_orders, own_orders = key(auto, "order_id"), key(by_customer, "order_id")
    csat = sv[(sv["instrument"] == "csat") & (sv["touchpoint"] == "post_ticket")]
    auto_ids = key(auto, "ticket_id")
    after_auto = [(r, k) in auto_ids for r, k in zip(csat["run"], csat["ticket_id"])]
    return {
        "issue order: ticket opened by the firm": ("binary", np.array([k in auto_orders for k in orders])),
        "issue order: ticket opened by the customer": ("binary", np.array([k in own_orders for k in orders])),
        "proactive ticket met its SLA": ("binary", auto["sla_met"].dropna().astype(bool).to_numpy()),
        "CSAT after a proactive ticket": ("counts", csat.loc[after_auto, "score"].to_numpy()),
        "reopened per ticket asked": ("binary", (tk.loc[tk["accepted"].notna(), "accepted"] == 0.0).to_numpy()),
    }


@pytest.mark.timeout(240)
def test_engines_agree_on_proactive_tickets():
    """service_ops + proactive_service: the firm's monitoring opens a ticket for the same share of
    quality issues, the customers complain about the rest alike, and the proactive tickets' SLA,
    CSAT and acceptance agree; no proactive ticket is ever chased."""
    fast_t = _service_tables("fast", "proactive_service", customers=2500, days=400.0)
    ref_t = _service_tables("reference", "proactive_service", customers=2500, days=400.0)
    result = compare(proactive_observations(fast_t), proactive_observations(ref_t))
    assert len(result) >= 4, result
    assert agree(result), _explain("service_ops + proactive_service", result)
    tk = ref_t["tickets"]
    chased = set(zip(tk.loc[tk["chaser_of"] > 0, "run"], tk.loc[tk["chaser_of"] > 0, "chaser_of"]))
    auto = set(zip(tk.loc[tk["channel"] == "auto", "run"], tk.loc[tk["channel"] == "auto", "ticket_id"]))
    assert len(auto) > 100 and not chased & auto


def _agent_speed(t: dict[str, pd.DataFrame], mean_h: dict[str, float]) -> np.ndarray:
    """Per agent (and run): mean of handling time / the severity's mean handling time."""
    tk = t["tickets"]
    tk = tk[(tk["agent"] >= 0) & tk["handle_h"].notna()]
    ratio = tk["handle_h"] / tk["severity"].astype(str).map(mean_h)
    per_agent = ratio.groupby([tk["run"], tk["agent"]]).agg(["mean", "size"])
    return per_agent.loc[per_agent["size"] >= 20, "mean"].to_numpy()


@pytest.mark.timeout(240)
def test_engines_agree_on_latent_agent_skill():
    """With 30 agents of latent skill (sd 0.6 of the log handling-time multiplier), the agents'
    mean handling times (relative to their severity's mean) spread alike on both engines, and far
    more than without skill."""
    skilled = {"desk.scale_with_customers": False, "desk.agents": 30, "desk.agent_skill_sd": 0.6}
    mean_h = dict(sim.Scenario.load("service_ops").desk.service_time.mean_h)
    fast = _agent_speed(_service_tables("fast", "service_first", skilled, 3000, 365.0), mean_h)
    ref = _agent_speed(_service_tables("reference", "service_first", skilled, 3000, 365.0), mean_h)
    plain = _agent_speed(
        _service_tables("fast", "service_first", {**skilled, "desk.agent_skill_sd": 0.0}, 3000, 365.0), mean_h
    )
    assert min(len(fast), len(ref), len(plain)) >= 40
    result = compare({"agent speed": ("continuous", fast)}, {"agent speed": ("continuous", ref)})
    assert agree(result), _explain("agent skill", result)
    assert np.std(np.log(ref)) > 2 * np.std(np.log(plain)), (np.std(np.log(ref)), np.std(np.log(plain)))


# ---------------------------------------------------------------- chapter 07: exit surveys, win-back by reason
def churn_observations(t: dict[str, pd.DataFrame]) -> dict[str, tuple[str, np.ndarray]]:
    """Exit answers per true churn, their stated-vs-true reason confusion, and win-backs per
    win-back contact of each variant (a discount vs a service offer)."""
    c, sv, ev, ct = t["customers"], t["surveys"], t["events"], t["contacts"]
    churns = int((ev["event"] == "true_churned").sum())
    ex = sv[sv["touchpoint"] == "exit"]
    won = set(zip(ev.loc[ev["event"] == "true_reactivated", "run"], ev.loc[ev["event"] == "true_reactivated", "customer_id"],
                  ev.loc[ev["event"] == "true_reactivated", "t"]))  # fmt: skip
    wb = ct[ct["campaign"] == "winback"]
    won_back = np.array([k in won for k in zip(wb["run"], wb["customer_id"], wb["t"])])
    obs: dict[str, tuple[str, np.ndarray]] = {
        "exit answer per true churn": ("binary", _ratio_binary(len(ex), churns)),
        "exit answer states the truth": ("binary", (ex["reason"] == ex["true_reason"]).to_numpy()),
        "stated reason": ("labels", ex["reason"].astype(str).to_numpy()),
        "true reason of an exit answer": ("labels", ex["true_reason"].astype(str).to_numpy()),
        "churn reason": ("labels", c.loc[c["true_churn_reason"] != "", "true_churn_reason"].astype(str).to_numpy()),
    }
    for variant in ("discount", "service"):
        obs[f"won back per {variant} win-back contact"] = ("binary", won_back[(wb["variant"] == variant).to_numpy()])
    return obs


@pytest.mark.timeout(240)
def test_engines_agree_on_exit_surveys_and_winback_by_reason():
    """churn_watch + winback_by_reason: the share of churners answering the exit survey, the
    stated-vs-true confusion and the win-back rates of a discount and a service offer agree in
    distribution (price leavers double with a discount, service leavers with a service offer)."""
    fast_t = _run("fast", "churn_watch", "winback_by_reason", 4000, 600.0)
    ref_t = _run("reference", "churn_watch", "winback_by_reason", 4000, 600.0)
    result = compare(churn_observations(fast_t), churn_observations(ref_t))
    assert len(result) >= 6, result
    assert agree(result), _explain("churn_watch + winback_by_reason", result)
    # the reference's answers follow the model: P(stated | true) = truthful [stated = true] + (1 - truthful) mix
    ex = ref_t["surveys"][ref_t["surveys"]["touchpoint"] == "exit"]
    survey = sim.Scenario.load("churn_watch").surveys.exit
    for true_reason, group in ex.groupby(ex["true_reason"].astype(str)):
        if len(group) < 100:
            continue
        for stated in survey.stated_mix:
            p = sim.world.model.exit_confusion_probability(stated, true_reason, survey.truthful, survey.stated_mix)
            share = float((group["reason"] == stated).mean())
            assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / len(group)) + 1e-9, (true_reason, stated, share, p)


# ---------------------------------------------------------------- chapter 08: clicks, message effects, affinity, bandit
def message_observations(t: dict[str, pd.DataFrame]) -> dict[str, tuple[str, np.ndarray]]:
    """Per variant: opened, clicked and converted shares; the contacts' truth columns; the
    customers' best channels."""
    ct, c = t["contacts"], t["customers"]
    ct = ct[ct["campaign"] == "post_order"]
    obs: dict[str, tuple[str, np.ndarray]] = {
        "variant": ("labels", ct["variant"].astype(str).to_numpy()),
        "true open probability": ("continuous", ct["true_open_prob"].to_numpy()),
        "true convert probability": ("mean", ct["true_convert_prob"].to_numpy()),
        "regret (best - chosen)": ("mean", (ct["true_best_convert_prob"] - ct["true_convert_prob"]).to_numpy()),
        "true best channel": ("labels", c["true_best_channel"].astype(str).to_numpy()),
    }
    for variant, g in ct.groupby(ct["variant"].astype(str)):
        opened = g[g["opened"].astype(bool)]
        obs[f"{variant}: opened"] = ("binary", g["opened"].astype(bool).to_numpy())
        obs[f"{variant}: clicked | opened"] = ("binary", opened["clicked"].astype(bool).to_numpy())
        obs[f"{variant}: converted | opened"] = ("binary", opened["converted"].astype(bool).to_numpy())
    return obs


@pytest.mark.timeout(240)
@pytest.mark.parametrize("policy", ["ab_test", pytest.param("bandit", marks=pytest.mark.slow)])
def test_engines_agree_on_message_effects_and_the_bandit(policy):
    """messaging (hidden send-time / copy / image effects, channel affinity) with a 2x2 A/B test
    or a Thompson-sampling bandit: each variant's open, click and conversion shares, the arms'
    allocation (A/B), the contacts' true probabilities and regret (A/B), and the best channels agree."""
    sc = sim.Scenario.load("messaging").updated({"uplift.enabled": False})  # the uplift truth is compared apart
    fast = message_observations(_run("fast", sc, policy, 2500, 450.0))
    ref = message_observations(_run("reference", sc, policy, 2500, 450.0))
    if policy == "bandit":  # a bandit's allocation is one path per run (it settles on an arm): not pooled
        for name in ("variant", "true open probability", "regret (best - chosen)"):
            del fast[name], ref[name]
    result = compare(fast, ref)
    assert len(result) >= 12, result
    assert agree(result), _explain(f"messaging + {policy}", result)


# ---------------------------------------------------------------- campaigns, holdouts and the uplift truth
UPLIFT_WINDOW = 30.0


def _campaign_groups(t: dict[str, pd.DataFrame], day: float = 365.0) -> tuple[np.ndarray, np.ndarray]:
    """Whether each treated / held-out customer of the campaign ordered within the window (observed)."""
    ct, ev, o = t["contacts"], t["events"], t["orders"]
    treated = set(
        zip(
            ct.loc[ct["campaign"] == "campaign:spring", "run"],
            ct.loc[ct["campaign"] == "campaign:spring", "customer_id"],
        )
    )
    held = set(zip(ev.loc[ev["event"] == "holdout", "run"], ev.loc[ev["event"] == "holdout", "customer_id"]))
    window = o[(o["t"] >= day) & (o["t"] <= day + UPLIFT_WINDOW)]
    buyers = set(zip(window["run"], window["customer_id"]))
    return np.array([k in buyers for k in treated]), np.array([k in buyers for k in held])


def uplift_observations(t: dict[str, pd.DataFrame]) -> dict[str, tuple[str, np.ndarray]]:
    """The randomised campaign (holdout share, ordering in each arm) and the uplift table's truth."""
    treated, held = _campaign_groups(t)
    up = t["uplift"]
    up = up[up["campaign"] == "campaign:spring"]
    obs: dict[str, tuple[str, np.ndarray]] = {
        "held out per decision": ("binary", _ratio_binary(len(held), len(held) + len(treated))),
        "treated: ordered within 30 days": ("binary", treated),
        "held out: ordered within 30 days": ("binary", held),
        "truth row per decision": ("binary", _ratio_binary(len(up), len(held) + len(treated))),
    }
    for col in (
        "true_p_order_treated",
        "true_p_order_control",
        "true_uplift_order",
        "true_uplift_churn",
        "true_uplift_margin",
    ):
        obs[col] = ("mean", up[col].to_numpy())
    return obs


@pytest.mark.timeout(240)
def test_engines_agree_on_the_randomised_campaign_and_its_uplift_truth():
    """baseline with the uplift truth + uplift_test (an SMS discount on day 365, 50% holdout): the
    holdout share, each arm's ordering share and the uplift table's means agree between the
    engines; and on the reference engine, as on the fast one, the mean true uplift agrees with the
    observed treated-minus-holdout difference."""
    sc = sim.Scenario.load("baseline").updated({"uplift.enabled": True, "uplift.outcome_days": UPLIFT_WINDOW})
    fast_t = _run("fast", sc, "uplift_test", 4000, 400.0)
    ref_t = _run("reference", sc, "uplift_test", 4000, 400.0)
    result = compare(uplift_observations(fast_t), uplift_observations(ref_t))
    assert len(result) == 9, result
    assert agree(result), _explain("baseline + uplift_test", result)
    treated, held = _campaign_groups(ref_t)
    up = ref_t["uplift"][ref_t["uplift"]["campaign"] == "campaign:spring"]
    diff = treated.mean() - held.mean()
    se = np.sqrt(treated.var() / len(treated) + held.var() / len(held) + up["true_uplift_order"].var() / len(up))
    assert len(up) > 1000 and abs(up["true_uplift_order"].mean() - diff) < 3.5 * se, (
        up["true_uplift_order"].mean(),
        diff,
        se,
    )


# ---------------------------------------------------------------- the comparisons can fail
@pytest.mark.timeout(240)
def test_the_comparison_rejects_a_reference_world_whose_customers_accept_less(monkeypatch):
    """A reference world whose customers accept a resolution 30% less often is told apart (the
    reopen rate), while the right one passes (test_engines_agree_on_the_service_process)."""
    right = sim.world.model.acceptance_probability
    monkeypatch.setattr(sim.world.model, "acceptance_probability", lambda *a, **k: 0.7 * right(*a, **k))
    fast = service_observations(_service_tables("fast", "service_process"))
    wrong = service_observations(_service_tables("reference", "service_process"))
    result = compare(fast, wrong)
    rejected = set(result.loc[result["p"] <= FAMILY_ALPHA / len(result), "observation"])
    assert "reopened per ticket asked" in rejected, _explain("acceptance x 0.7", result)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_the_comparison_rejects_a_reference_world_without_message_effects(monkeypatch):
    """A reference world that ignores the hidden message effects (and the channel affinity) is
    told apart by the variants' open and conversion shares."""
    monkeypatch.setattr(sim.world.model, "variant_shifts", lambda effects, levels: (0.0, 0.0, 0.0))
    sc = sim.Scenario.load("messaging").updated({"uplift.enabled": False, "messaging.channel_affinity_sd": 0.0})
    fast = message_observations(_run("fast", sc, "ab_test", 2500, 450.0))
    wrong = message_observations(_run("reference", sc, "ab_test", 2500, 450.0))
    result = compare(fast, wrong)
    assert not agree(result), _explain("no message effects", result)


# ---------------------------------------------------------------- closed forms on the reference engine
@pytest.mark.timeout(120)
def test_reference_chasers_and_acceptance_follow_their_equations():
    """Chasers are a Poisson process over the excess wait: the chasers of the answered tickets
    number about ``rate x`` their summed waiting past the target (days). With ``slope`` 0 a
    customer whose ticket met its SLA accepts with probability ``base`` exactly."""
    changes = {**SERVICE_OPS, "complaints.acceptance.slope": 0.0}
    sc = sim.Scenario.load("service_ops").updated(changes)
    t, _ = simulate_reference(sc, "proactive_service", customers=3000, days=450, seed=21)
    tk = t["tickets"]
    own = tk[(tk["chaser_of"] < 0) & tk["first_response_t"].notna() & (tk["channel"] != "auto")]
    targets = own["channel"].astype(str).map(sc.desk.channel_first_response_h).astype(float)
    by_severity = own["severity"].astype(str).map({k: v.first_response_h for k, v in sc.desk.sla.items()})
    target_d = np.minimum(targets.fillna(np.inf), by_severity) / 24.0
    excess_d = np.clip(own["first_response_t"] - own["opened_t"] - target_d, 0.0, None)
    expected = sc.complaints.chaser_rate_per_day * float(excess_d.sum())
    observed = int(tk["chaser_of"].isin(own["ticket_id"]).sum())
    assert expected > 30 and abs(observed - expected) < 4 * np.sqrt(expected), (observed, expected)
    # a chaser is closed when the ticket it chases is answered
    chasers = tk[tk["chaser_of"] > 0].merge(
        tk[["ticket_id", "first_response_t"]], left_on="chaser_of", right_on="ticket_id"
    )
    np.testing.assert_array_equal(chasers["resolved_t"], chasers["first_response_t_y"])
    met = tk[tk["accepted"].notna() & tk["sla_met"].fillna(False).astype(bool)]
    base = sc.complaints.acceptance.base
    share = float((met["accepted"] == 1.0).mean())
    assert len(met) > 300 and abs(share - base) < 4 * np.sqrt(base * (1 - base) / len(met)), (share, len(met))
