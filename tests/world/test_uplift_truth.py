"""The counterfactual-uplift truth (Scenario.uplift, Policy.campaigns, the latent ``uplift`` table).

The central test: in a randomised campaign (holdout 0.5) the mean TRUE uplift over all decisions
(paired counterfactual replays) agrees with the observed A/B difference (treated vs holdout share
ordering within ``outcome_days``, from observed tables only) within the combined CI, in two worlds
with two offers; and a deliberately wrong replay (conversion ignored, boost ignored) is detected.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

import sim
import sim.world.counterfactual as cf
from sim.errors import ConfigError, LatentAccessError
from sim.schema import columns
from sim.world.counterfactual import STATE_FIELDS, ReplayParams, replay_decisions

D = 30.0  # the default outcome window (UpliftTruth.outcome_days)


def _policy(channel: str, boost: float, convert_multiplier: float, day: float = 365.0) -> sim.Policy:
    return sim.Policy.from_dict(
        {
            "name": "test_campaign",
            "offers": {
                "deal": {"discount": 0.15, "satisfaction_boost": boost, "convert_multiplier": convert_multiplier}
            },
            "campaigns": [{"name": "spring", "day": day, "channel": channel, "offer": "deal", "holdout": 0.5}],
        }
    )


def _observed_ab(view, name: str = "spring", days: float = D) -> tuple[float, float, int, int]:
    """Treated - holdout share ordering within ``days`` of the decision, and its standard error,
    from the firm's observed tables only (contacts, events, orders)."""
    orders = view.orders[["customer_id", "t"]]
    treated = view.contacts[view.contacts["campaign"] == f"campaign:{name}"][["customer_id", "t"]]
    ev = view.events
    held = ev[(ev["event"] == "holdout") & (ev["detail"] == name)][["customer_id", "t"]]

    def ordered(group: pd.DataFrame) -> np.ndarray:
        m = group.merge(orders, on="customer_id", suffixes=("", "_o"))
        hit = m[(m["t_o"] >= m["t"]) & (m["t_o"] < m["t"] + days)]["customer_id"].unique()
        return group["customer_id"].isin(hit).to_numpy(dtype=float)

    yt, yh = ordered(treated), ordered(held)
    diff = float(yt.mean() - yh.mean())
    se = math.sqrt(yt.var(ddof=1) / len(yt) + yh.var(ddof=1) / len(yh))
    return diff, se, len(yt), len(yh)


def _observed_ab_margin(view, name: str = "spring", days: float = D) -> tuple[float, float]:
    """Treated - holdout mean order margin net of discounts within ``days`` (observed), and its SE."""
    orders = view.orders.assign(net=view.orders["margin"] - view.orders["discount"])[["customer_id", "t", "net"]]
    treated = view.contacts[view.contacts["campaign"] == f"campaign:{name}"][["customer_id", "t"]]
    ev = view.events
    held = ev[(ev["event"] == "holdout") & (ev["detail"] == name)][["customer_id", "t"]]

    def net(group: pd.DataFrame) -> np.ndarray:
        m = group.merge(orders, on="customer_id", suffixes=("", "_o"))
        per = m[(m["t_o"] >= m["t"]) & (m["t_o"] < m["t"] + days)].groupby("customer_id")["net"].sum()
        return group["customer_id"].map(per).fillna(0.0).to_numpy(dtype=float)

    yt, yh = net(treated), net(held)
    return float(yt.mean() - yh.mean()), math.sqrt(yt.var(ddof=1) / len(yt) + yh.var(ddof=1) / len(yh))


def _z(res: sim.Result, truth: np.ndarray | None = None) -> tuple[float, float, float]:
    """(z of A/B minus mean true uplift over the combined CI, A/B difference, mean true uplift)."""
    diff, se, _, _ = _observed_ab(res.observed())
    rows = res.uplift["campaign"] == "campaign:spring"
    u = res.uplift.loc[rows, "true_uplift_order"].to_numpy() if truth is None else truth[rows.to_numpy()]
    se_u = u.std(ddof=1) / math.sqrt(len(u))
    return (diff - u.mean()) / math.hypot(se, se_u), diff, float(u.mean())


class _Capture:
    """Wraps replay_decisions to keep its inputs, so a wrong replay can be rerun on the same states."""

    def __init__(self) -> None:
        self.calls: list[tuple[np.ndarray, ReplayParams, np.ndarray | None]] = []
        self.orig = cf.replay_decisions

    def __call__(self, state, p, rng, pref=None):
        self.calls.append((state.copy(), p, pref))
        return self.orig(state, p, rng, pref)

    def rerun(self, field: str, value: float) -> np.ndarray:
        """true_uplift_order of every decision, replayed with ``field`` forced to ``value``."""
        rng = np.random.default_rng(12345)
        out = []
        for state, p, pref in self.calls:
            s = state.copy()
            s[:, STATE_FIELDS.index(field)] = value
            out.append(self.orig(s, p, rng, pref)["true_uplift_order"])
        return np.concatenate(out)


def _run(monkeypatch, scenario: sim.Scenario, policy: sim.Policy, customers: int, seed: int):
    cap = _Capture()
    monkeypatch.setattr(cf, "replay_decisions", cap)
    res = sim.run(scenario.updated({"uplift.enabled": True}), policy, customers=customers, days=400, seed=seed)
    return res, cap


# ---------------------------------------------------------------- the central test
@pytest.mark.timeout(120)
def test_mean_true_uplift_agrees_with_the_ab_difference_sms_discount_baseline(monkeypatch):
    res, cap = _run(monkeypatch, sim.Scenario.load("baseline"), sim.Policy.load("uplift_test"), 4000, 1)
    z, diff, truth = _z(res)
    assert abs(z) < 3.0, (z, diff, truth)
    u = res.uplift["true_uplift_order"]
    assert truth > 5 * u.std() / math.sqrt(len(u))  # the campaign works, clearly
    # a wrong replay (conversion ignored) is far off the randomised estimate
    z_wrong, _, truth_wrong = _z(res, cap.rerun("p_convert", 0.0))
    print(
        f"\nbaseline/sms: A/B {diff:.4f}, truth {truth:.4f} (z {z:.2f}); conversion ignored {truth_wrong:.4f} (z {z_wrong:.2f})"
    )
    assert truth_wrong < truth / 2


@pytest.mark.timeout(120)
def test_mean_true_uplift_agrees_with_the_ab_difference_phone_retail_and_detects_a_wrong_replay(monkeypatch):
    # the retail world: catalogue prices, archetypes' offer response, business accounts
    res, cap = _run(monkeypatch, sim.Scenario.load("retail"), _policy("phone", 0.8, 4.0), 4000, 2)
    z, diff, truth = _z(res)
    assert abs(z) < 3.0, (z, diff, truth)
    # the margin too (catalogue price levels and margins, the discount paid): observed vs true
    m_diff, m_se = _observed_ab_margin(res.observed())
    u = res.uplift["true_uplift_margin"]
    z_m = (m_diff - u.mean()) / math.hypot(m_se, u.std() / math.sqrt(len(u)))
    print(f"\nretail/phone margin: A/B {m_diff:.2f} +- {m_se:.2f}, truth {u.mean():.2f} (z {z_m:.2f})")
    assert abs(z_m) < 3.0 and u.mean() > 5 * u.std() / math.sqrt(len(u)), (m_diff, u.mean(), z_m)
    z_wrong, _, truth_wrong = _z(res, cap.rerun("p_convert", 0.0))
    print(
        f"\nretail/phone: A/B {diff:.4f}, truth {truth:.4f} (z {z:.2f}); conversion ignored {truth_wrong:.4f} (z {z_wrong:.2f})"
    )
    assert z_wrong > 5.0


@pytest.mark.timeout(120)
def test_a_replay_ignoring_the_satisfaction_boost_is_detected(monkeypatch):
    # the offer acts only through satisfaction (no conversion to speak of): a boost-blind truth is ~0
    sc = sim.Scenario.load("baseline").updated({"satisfaction.rate_elasticity": 0.5})
    res, cap = _run(monkeypatch, sc, _policy("phone", 4.0, 0.01), 8000, 3)
    z, diff, truth = _z(res)
    assert abs(z) < 3.0, (z, diff, truth)
    z_wrong, _, truth_wrong = _z(res, cap.rerun("boost", 0.0))
    print(
        f"\nboost only: A/B {diff:.4f}, truth {truth:.4f} (z {z:.2f}); boost ignored {truth_wrong:.4f} (z {z_wrong:.2f})"
    )
    assert z_wrong > 4.0


# ---------------------------------------------------------------- plumbing
@pytest.fixture(scope="module")
def on_off():
    sc = sim.Scenario.load("baseline")
    pol = _policy("sms", 0.8, 4.0, day=200.0)
    off = sim.run(sc, pol, customers=600, days=300, seed=7)
    on = sim.run(sc.updated({"uplift.enabled": True, "uplift.replays": 8}), pol, customers=600, days=300, seed=7)
    return off, on


def test_the_truth_changes_no_other_table_and_is_empty_when_off(on_off):
    off, on = on_off
    assert off.uplift.empty and list(off.uplift.columns) == columns("uplift")
    for name, table in off.tables.items():
        if name != "uplift":
            pd.testing.assert_frame_equal(on.tables[name], table, obj=name)


def test_one_row_per_contact_and_per_holdout(on_off):
    _, on = on_off
    u, ct, ev = on.uplift, on.contacts, on.events
    held = ev[ev["event"] == "holdout"]
    assert len(u) == len(ct) + len(held) and len(held) > 50
    treated = u[u["treated"]]
    assert treated["contact_id"].tolist() == ct["contact_id"].tolist()
    assert (u.loc[~u["treated"], "contact_id"] == -1).all()
    assert set(u["campaign"]) == {"campaign:spring"} and (u["t"] == 200.0).all()
    assert sorted(u.loc[~u["treated"], "customer_id"]) == sorted(held["customer_id"])
    p_t, p_c = u["true_p_order_treated"], u["true_p_order_control"]
    assert p_t.between(0, 1).all() and p_c.between(0, 1).all()
    np.testing.assert_allclose(u["true_uplift_order"], p_t - p_c, atol=1e-12)
    assert u["true_uplift_churn"].between(-1, 1).all() and u["true_uplift_margin"].notna().all()


def test_the_holdout_is_a_coin_flip_among_contactable_customers(on_off):
    _, on = on_off
    u, c = on.uplift, on.customers
    n, k = len(u), int((~u["treated"]).sum())
    assert abs(k - n / 2) < 3.5 * math.sqrt(n / 4)
    eligible = c[(c["acquired_t"] <= 200.0) & c["consent"]]
    assert n == len(eligible)  # every contactable customer was decided on, once (nobody opted out before)


def test_the_firm_never_sees_the_uplift_table(on_off):
    _, on = on_off
    view = on.observed()
    assert view.uplift.shape == (0, 0)
    with pytest.raises(LatentAccessError):
        view.uplift["true_uplift_order"]
    assert (view.events["event"] == "holdout").sum() > 0  # the holdout itself is observed


def test_a_result_with_uplift_round_trips(tmp_path, on_off):
    _, on = on_off
    back = sim.Result.from_dir(on.to_dir(tmp_path / "r"))
    pd.testing.assert_frame_equal(back.uplift, on.uplift)


def test_the_truth_is_reproducible(on_off):
    _, on = on_off
    sc = sim.Scenario.load("baseline").updated({"uplift.enabled": True, "uplift.replays": 8})
    again = sim.run(sc, on.policy, customers=600, days=300, seed=7)
    pd.testing.assert_frame_equal(again.uplift, on.uplift)


def test_bad_configuration_is_refused():
    with pytest.raises(ConfigError, match="subscription"):
        sim.run(
            sim.Scenario.load("subscription").updated({"uplift.enabled": True}), "uplift_test", customers=50, days=30
        )
    with pytest.raises(ConfigError, match=r"campaigns\[0\] uses offer 'nope'"):
        sim.Policy.from_dict({"campaigns": [{"name": "a", "day": 1, "offer": "nope"}]})
    with pytest.raises(ConfigError, match="unique"):
        sim.Policy.from_dict({"campaigns": [{"name": "a", "day": 1}, {"name": "a", "day": 2}]})
    with pytest.raises(ConfigError, match="holdout"):
        sim.Policy.from_dict({"campaigns": [{"name": "a", "day": 1, "holdout": 1.5}]})
    with pytest.raises(ConfigError, match="replays"):
        sim.Scenario().updated({"uplift.replays": 0})
    assert not sim.Policy.from_dict({"campaigns": [{"name": "a", "day": 1}]}).is_noop()


# ---------------------------------------------------------------- the replay against closed forms
def _params(**kw) -> ReplayParams:
    base = dict(
        outcome_days=30.0, replays=4000, sat_on=False, s_ref=8.0, k_rate=0.0, k_drop=0.0, decay=0.01,
        eff_good=0.1, eff_issue=-1.0, q_issue=0.0, spend_shape=6.0, margin_rate=0.35, business=False,
        cat_price=np.array([]), cat_margin=np.array([]),
    )  # fmt: skip
    base.update(kw)
    return ReplayParams(**base)


def _state(**kw) -> np.ndarray:
    row = dict(
        t0=100.0, alive=1.0, base_rate=1 / 30, s_now=8.0, s_last=8.0, s0=8.0, lp=-30.0, nu=0.06, value_mult=1.0,
        member_discount=0.0, pend_discount=0.0, pend_expiry=-np.inf, p_open=0.0, p_convert=0.0, boost=0.0,
        p_winback=0.0, offer_discount=0.0, redeem_window=30.0, penalty=0.0, customer=0.0,
    )  # fmt: skip
    row.update(kw)
    return np.array([[row[f] for f in STATE_FIELDS]])


def test_an_unopened_contact_has_exactly_zero_uplift_under_common_random_numbers():
    out = replay_decisions(
        _state(p_open=0.0, p_convert=1.0, boost=3.0), _params(sat_on=True, k_rate=0.3), np.random.default_rng(0)
    )
    assert out["true_uplift_order"][0] == 0.0 and out["true_uplift_margin"][0] == 0.0
    # and P(an order within 30 days) is the Poisson closed form 1 - exp(-rate * 30)
    p = 1 - math.exp(-30 / 30)
    assert abs(out["true_p_order_control"][0] - p) < 4 * math.sqrt(p * (1 - p) / 4000)


def test_a_sure_conversion_earns_one_order_margin_net_of_the_discount():
    st = _state(base_rate=1e-9, p_open=1.0, p_convert=1.0, offer_discount=0.2)
    out = replay_decisions(st, _params(), np.random.default_rng(1))
    assert out["true_p_order_treated"][0] == 1.0 and out["true_p_order_control"][0] == 0.0
    expected = 6.0 / 0.06 * (0.35 - 0.2)  # E[Gamma(p)] / nu x (margin rate - discount)
    assert abs(out["true_uplift_margin"][0] - expected) < 4 * expected / math.sqrt(6.0 * 4000)


def test_a_sure_winback_of_a_lapsed_customer_undoes_the_churn():
    st = _state(alive=0.0, p_open=1.0, p_winback=1.0)
    out = replay_decisions(st, _params(), np.random.default_rng(2))
    assert out["true_uplift_churn"][0] == -1.0  # lp = -30: nobody drops out again within the window
    p = 1 - math.exp(-1.0)
    assert abs(out["true_uplift_order"][0] - p) < 4 * math.sqrt(p * (1 - p) / 4000)


def test_a_boost_raises_the_order_probability_by_the_rate_elasticity():
    # sat on, no relaxation within the window (decay ~ 0), no order effects: the rate is exp(k * boost) x base
    st = _state(p_open=1.0, boost=2.0, s_now=6.0, s_last=6.0, s0=6.0)
    p = _params(sat_on=True, k_rate=0.2, decay=1e-12, eff_good=0.0)
    out = replay_decisions(st, p, np.random.default_rng(3))
    r0 = math.exp(0.2 * (6.0 - 8.0)) / 30
    r1 = math.exp(0.2 * (8.0 - 8.0)) / 30
    truth = math.exp(-r0 * 30) - math.exp(-r1 * 30)
    assert abs(out["true_uplift_order"][0] - truth) < 0.01


@pytest.mark.timeout(60)
def test_five_thousand_decisions_times_32_replays_take_well_under_two_seconds():
    rng = np.random.default_rng(4)
    n = 5000
    st = np.repeat(_state(p_open=0.45, p_convert=0.12, boost=0.8, offer_discount=0.15, lp=-1.5), n, axis=0)
    st[:, STATE_FIELDS.index("base_rate")] = rng.gamma(0.8, 1 / 40, n)
    t = time.process_time()  # CPU time: the bound holds however busy the machine (or other xdist workers) are
    replay_decisions(st, _params(replays=32, sat_on=True, k_rate=0.08, k_drop=0.35, q_issue=0.05), rng)
    took = time.process_time() - t
    print(f"\n5000 decisions x 32 replays: {took:.3f} s")
    assert took < 2.0


def test_a_result_folder_written_before_the_uplift_table_loads_with_it_empty(tmp_path, on_off):
    import json

    from sim._atomic import atomic_dir
    from sim.results.result import RESULT_FILES

    _, on = on_off
    folder = tmp_path / "before_uplift"
    with atomic_dir(folder, kind="result", seed=on.seed, legacy=RESULT_FILES) as tmp:
        for name, table in on.tables.items():
            if name != "uplift":
                table.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "scenario.yaml").write_text(on.scenario.to_yaml(), encoding="utf-8")
        meta = {"seed": on.seed, "agents": on.agents, "retention_lab_version": "0.9", "info": {}, "policy": None}
        (tmp / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    back = sim.Result.from_dir(folder)
    assert back.uplift.empty and list(back.uplift.columns) == columns("uplift")
    pd.testing.assert_frame_equal(back.orders, on.orders)
