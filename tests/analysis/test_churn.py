"""Tests of sim.analysis.churn: features only from the past, labels, metrics, profit, models.

Metrics and profits are checked against small examples computed by hand; the models are
checked against ground truth (a buy-till-you-die population generated in this file, and the
simulator's ``true_alive`` / ``true_churn_t``).
"""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")

from sim.analysis import churn as C
from sim.errors import DataError

D = pd.Timestamp


# --------------------------------------------------------------------------- small hand-built history
@pytest.fixture
def history():
    """Two customers with orders, tickets, surveys and contacts around a cutoff of 2025-04-01."""
    orders = pd.DataFrame(
        {
            "order_id": range(1, 9),
            "customer_id": [1, 1, 1, 1, 2, 2, 1, 3],
            "date": pd.to_datetime(
                [
                    "2024-10-01",
                    "2024-12-15",
                    "2025-01-10",
                    "2025-03-22",
                    "2025-01-01",
                    "2025-04-01",  # customer 2: one order exactly at the cutoff
                    "2025-05-01",  # after the cutoff: must be ignored
                    "2025-06-01",
                ]
            ),  # customer 3 not yet known at the cutoff
            "amount": [100.0, 40.0, 60.0, 20.0, 10.0, 30.0, 999.0, 5.0],
            "true_quality_issue": [True] * 8,
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": [1, 2, 3, 4, 5],
            "customer_id": [1, 1, 1, 2, 2],
            "opened_t": [0.0, 10.0, 20.0, 5.0, 200.0],
            "date": pd.to_datetime(["2025-02-01", "2025-02-11", "2025-03-31", "2025-02-06", "2025-08-20"]),
            "resolved_t": [1.0, 11.0, 23.0, np.nan, 201.0],
            "sla_met": pd.array([False, True, False, pd.NA, False], dtype="boolean"),
        }
    )
    # ticket 1: breached, resolved 2025-02-02 -> counted; ticket 2: met; ticket 3 breached but
    # resolved 2025-04-03, after the cutoff -> not yet known; ticket 4 open; ticket 5 in the future.
    surveys = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2],
            "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", "2025-05-01", "2025-02-01"]),
            "instrument": ["nps", "nps", "csat", "nps", "CSAT"],
            "score": [9, 4, 2, 10, 5],
        }
    )
    contacts = pd.DataFrame(
        {"customer_id": [1, 2, 2, 2], "date": pd.to_datetime(["2025-01-05", "2025-01-05", "2025-03-01", "2025-04-02"])}
    )
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "acquired_date": pd.to_datetime(["2024-09-01", "2025-01-01", "2025-06-01", "2025-03-02"]),
            "true_alive": [True, False, True, True],
        }
    )
    return dict(orders=orders, tickets=tickets, surveys=surveys, contacts=contacts, customers=customers)


def test_features_by_hand(history):
    """Every feature of the two customers known at the cutoff, computed by hand."""
    h = history
    f = C.churn_features(
        h["orders"],
        "2025-04-01",
        tickets=h["tickets"],
        surveys=h["surveys"],
        contacts=h["contacts"],
        customers=h["customers"],
    )
    assert list(f.index) == [1, 2, 4]  # 3 is acquired after the cutoff; 4 has no order yet
    c1, c2, c4 = f.loc[1], f.loc[2], f.loc[4]
    # customer 1: orders 2024-10-01 (182 d before), 12-15 (107), 01-10 (81), 03-22 (10)
    assert c1["recency_days"] == 10 and c1["frequency"] == 4
    assert c1["monetary_total"] == 220 and c1["monetary_mean"] == 55
    assert c1["tenure_days"] == 212  # acquired 2024-09-01
    assert (c1["orders_last_90d"], c1["orders_prev_90d"]) == (2, 1)
    assert (c1["spend_last_90d"], c1["spend_prev_90d"]) == (80, 40)
    assert c1["orders_trend"] == pytest.approx(1 / 3) and c1["spend_trend"] == pytest.approx(40 / 120)
    assert (c1["tickets"], c1["sla_breaches"]) == (3, 1)
    assert c1["last_nps"] == 4 and c1["csat_mean"] == 2 and np.isnan(c1["ces_mean"])
    assert (c1["survey_answers"], c1["contacts"]) == (3, 1)
    # customer 2: orders 2025-01-01 (90 d before: in the previous window) and at the cutoff
    assert c2["recency_days"] == 0 and c2["frequency"] == 2 and c2["tenure_days"] == 90
    assert (c2["orders_last_90d"], c2["orders_prev_90d"]) == (1, 1)
    assert c2["spend_trend"] == pytest.approx((30 - 10) / 40)
    assert (c2["tickets"], c2["sla_breaches"]) == (1, 0)
    assert np.isnan(c2["last_nps"]) and c2["csat_mean"] == 5 and c2["contacts"] == 2
    # customer 4: acquired 30 days before the cutoff, no order yet
    assert c4["frequency"] == 0 and c4["monetary_total"] == 0 and np.isnan(c4["monetary_mean"])
    assert c4["recency_days"] == 30 and c4["tenure_days"] == 30 and c4["orders_trend"] == 0


def test_features_never_use_latent_columns_or_the_future(history):
    """No true_* column comes out, and truncating the data at the cutoff changes nothing."""
    h = history
    cut = D("2025-04-01")
    kw = dict(tickets=h["tickets"], surveys=h["surveys"], contacts=h["contacts"], customers=h["customers"])
    full = C.churn_features(h["orders"], cut, **kw)
    assert not [c for c in full.columns if c.startswith("true_")]
    past = C.churn_features(
        h["orders"][h["orders"]["date"] <= cut],
        cut,
        tickets=h["tickets"][h["tickets"]["date"] <= cut],
        surveys=h["surveys"][h["surveys"]["date"] <= cut],
        contacts=h["contacts"][h["contacts"]["date"] <= cut],
        customers=h["customers"][h["customers"]["acquired_date"] <= cut],
    )
    pd.testing.assert_frame_equal(full, past)
    # scrambling every latent column leaves the features unchanged
    scrambled = {k: v.assign(**{c: ~v[c] for c in v.columns if c.startswith("true_")}) for k, v in h.items()}
    again = C.churn_features(
        scrambled["orders"],
        cut,
        tickets=scrambled["tickets"],
        surveys=scrambled["surveys"],
        contacts=scrambled["contacts"],
        customers=scrambled["customers"],
    )
    pd.testing.assert_frame_equal(full, again)


def test_numeric_cutoff_uses_the_t_axis():
    """A cutoff in days on the t axis gives the same features as the equivalent date."""
    start = D("2025-01-01")
    t = np.array([0.0, 12.5, 40.0, 3.0, 95.0])
    orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "t": t, "amount": [1.0, 2, 3, 4, 5]})
    orders["date"] = start + pd.to_timedelta(t, unit="D")
    by_t = C.churn_features(orders, 50.0, window_days=30)
    by_date = C.churn_features(orders.drop(columns="t"), start + pd.Timedelta(days=50), window_days=30)
    pd.testing.assert_frame_equal(by_t, by_date)
    assert by_t.loc[1, "recency_days"] == 10 and by_t.loc[2, "frequency"] == 1


def test_labels_window_boundaries():
    """An order exactly at the cutoff is history; one exactly at cutoff + window is in the window."""
    orders = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3, 3, 4], "t": [10.0, 100.0, 5.0, 100.01, 100.0, 190.0, 300.0]})
    y = C.churn_labels(orders, 100.0, window_days=90)
    assert y.to_dict() == {1: 1, 2: 0, 3: 0}
    assert y.name == "churned"
    with pytest.raises(DataError, match="observed only until"):
        C.churn_labels(orders, 100.0, 90, observed_until=150.0)
    with pytest.raises(DataError, match="no order after the cutoff"):
        C.churn_labels(orders, 400.0, 90)


def test_labels_align_with_features(history):
    h = history
    f = C.churn_features(h["orders"], "2025-04-01", customers=h["customers"])
    y = C.churn_labels(h["orders"], "2025-04-01", customers=h["customers"])
    assert list(y.index) == list(f.index)
    assert y.to_dict() == {1: 0, 2: 1, 4: 1}


# --------------------------------------------------------------------------- metrics by hand
def test_evaluate_by_hand():
    """Scores 9..1 (descending) over labels 1,0,1,1,0,0,0,1,0: 4 churners, 5 stayers."""
    y = np.array([1, 0, 1, 1, 0, 0, 0, 1, 0])
    s = np.arange(9, 0, -1).astype(float)
    m = C.evaluate(y, s, k=3)
    assert m["k"] == 3 and m["base_rate"] == pytest.approx(4 / 9)
    assert m["precision_at_k"] == pytest.approx(2 / 3)  # top 3 = 1, 0, 1
    assert m["recall_at_k"] == pytest.approx(2 / 4)
    assert m["lift_at_k"] == pytest.approx((2 / 3) / (4 / 9))  # = 1.5
    # AUC = share of (churner, stayer) pairs ranked correctly, counted by hand
    pairs = [
        (s[i] > s[j]) + 0.5 * (s[i] == s[j])
        for i, j in itertools.product(np.flatnonzero(y == 1), np.flatnonzero(y == 0))
    ]
    assert m["roc_auc"] == pytest.approx(np.mean(pairs))
    assert np.isnan(m["brier"])  # scores are not probabilities
    p = s / 10
    assert C.evaluate(y, p, k=3)["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert C.evaluate(y, s, k=1 / 3)["k"] == 3  # share -> count


def test_lift_table_by_hand():
    y = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    t = C.lift_table(y, np.linspace(1, 0, 10), bins=5)
    assert t["customers"].tolist() == [2] * 5
    assert t["churners"].tolist() == [2, 1, 0, 1, 0]
    assert t["lift"].tolist() == pytest.approx([1 / 0.4, 0.5 / 0.4, 0, 0.5 / 0.4, 0])
    assert t["cum_capture"].tolist() == pytest.approx([0.5, 0.75, 0.75, 1, 1])
    assert t["cum_lift"].iloc[-1] == pytest.approx(1.0)
    assert C.lift_table(y, np.linspace(1, 0, 10), bins=3)["customers"].tolist() == [4, 3, 3]


def test_calibration_table_matches_sklearn_and_counts():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p).astype(int)
    t = C.calibration_table(y, p, bins=5, strategy="uniform")
    assert t["customers"].sum() == 500
    assert (t["customers"] * t["observed_rate"]).sum() == pytest.approx(y.sum())
    assert (t["customers"] * t["mean_predicted"]).sum() == pytest.approx(p.sum())
    assert np.abs(t["observed_rate"] - t["mean_predicted"]).max() < 0.1  # calibrated by construction


def test_targeting_profit_by_hand():
    """Top 3 of five by score contain churners 1, 0, 1: saved 0.4*(200+100) = 120, cost 3*15 = 45."""
    y = [1, 0, 1, 0, 1]
    s = [0.9, 0.8, 0.6, 0.3, 0.1]
    value = [200.0, 50.0, 100.0, 10.0, 300.0]
    assert C.targeting_profit(y, s, 3, offer_cost=15, success_rate=0.4, value_saved=value) == pytest.approx(75.0)
    # with probabilities as outcome: expected churners among the top 2 = 0.9 + 0.8
    assert C.targeting_profit(s, s, 2, offer_cost=10, success_rate=0.5, value_saved=100) == pytest.approx(65.0)
    curve = C.profit_curve(y, s, offer_cost=15, success_rate=0.4, value_saved=value)
    brute = [0.4 * sum(v for yy, v in zip(y[:k], value[:k]) if yy) - 15 * k for k in range(6)]
    assert curve["profit"].tolist() == pytest.approx(brute)
    assert curve.loc[curve["profit"].idxmax(), "k"] == 5  # the last churner is worth 0.4*300 - 15 > 0


def test_health_score_by_hand():
    f = pd.DataFrame(
        {
            "recency_days": [0.0, 90.0, 400.0],
            "orders_trend": [1.0, 0.0, -1.0],
            "tickets": [0, 2, 1],
            "sla_breaches": [0, 1, 0],
            "last_nps": [8.0, np.nan, 0.0],
            "csat_mean": [5.0, np.nan, 3.0],
        },
        index=pd.Index([7, 8, 9], name="customer_id"),
    )
    h = C.health_score(f)
    # customer 7: 0.4*1 + 0.2*1 + 0.2*1 + 0.2*mean(0.8, 1.0) = 0.98
    assert h.loc[7, "health_score"] == pytest.approx(98.0)
    # customer 8: no survey -> weights renormalised over recency 0.4, trend 0.2, complaints 0.2
    assert h.loc[8, "health_score"] == pytest.approx(100 * (0.4 * 0.5 + 0.2 * 0.5 + 0.2 * 0.25) / 0.8)
    # customer 9: recency 0, trend 0, complaints 0.75, satisfaction mean(0, 0.5)
    assert h.loc[9, "health_score"] == pytest.approx(100 * (0.2 * 0.75 + 0.2 * 0.25))
    only_recency = C.health_score(f, weights={"recency": 1})
    assert only_recency["health_score"].tolist() == pytest.approx([100, 50, 0])


def test_wrong_input_names_the_column(history):
    orders = history["orders"]
    with pytest.raises(DataError, match="amount"):
        C.churn_features(orders.drop(columns="amount"), "2025-04-01")
    with pytest.raises(DataError, match="column 'amount'.*negative"):
        C.churn_features(orders.assign(amount=-orders["amount"]), "2025-04-01")
    with pytest.raises(DataError, match="column 'date'.*unparseable"):
        C.churn_features(orders.assign(date=orders["date"].astype(str).replace("2024-10-01", "soon")), "2025-04-01")
    with pytest.raises(DataError, match="column 'sla_met'"):
        C.churn_features(orders, "2025-04-01", tickets=history["tickets"].assign(sla_met="yes"))
    with pytest.raises(DataError, match="'score'"):
        C.churn_features(orders, "2025-04-01", surveys=history["surveys"].drop(columns="score"))
    with pytest.raises(DataError, match="column 'y_true'"):
        C.evaluate([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(DataError, match="column 'outcome'"):
        C.targeting_profit([0.5, 1.5], [1, 2], 1, offer_cost=1, success_rate=0.5, value_saved=10)
    with pytest.raises(DataError, match="cutoff"):
        C.churn_features(orders, "not a date")


def test_plots_have_titles_and_units():
    y, s = [1, 0, 1, 0, 0, 1], [0.9, 0.8, 0.7, 0.4, 0.2, 0.1]
    ax = C.plot_lift(C.lift_table(y, s, bins=3))
    assert ax.get_title() and "lift" in ax.get_ylabel()
    ax = C.plot_calibration(C.calibration_table(y, s, bins=2))
    assert "share" in ax.get_xlabel() and "share" in ax.get_ylabel()
    ax = C.plot_profit_curve(C.profit_curve(y, s, offer_cost=1, success_rate=0.5, value_saved=10), currency="EUR")
    assert ax.get_ylabel() == "expected profit (EUR)" and "%" in ax.get_xlabel()


# --------------------------------------------------------------------------- models against ground truth
def _bgnbd_log(n: int, days: float, seed: int, r=0.5, alpha=20.0, a=1.0, b=3.0):
    """A BG/NBD population (acquisitions spread over the first half): orders + true death times."""
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    acq = rng.uniform(0, days / 2, n)
    death = np.full(n, np.inf)
    rows = []
    for i in range(n):
        t = acq[i]
        rows.append((i + 1, t))
        while True:
            t += rng.exponential(1 / lam[i])
            if t > days:
                break
            rows.append((i + 1, t))
            if rng.random() < p[i]:
                death[i] = t
                break
    orders = pd.DataFrame(rows, columns=["customer_id", "t"])
    orders["amount"] = rng.gamma(3.0, 30.0, len(orders))
    return orders, pd.Series(death, index=np.arange(1, n + 1))


def _aucs(model_scores: dict[str, np.ndarray], y: pd.Series, dead: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: {"future_window": C.evaluate(y, s)["roc_auc"], "true_churn": C.evaluate(dead, s)["roc_auc"]}
            for name, s in model_scores.items()
        }
    ).T


@threadpool_limits.wrap(limits=1)  # OpenMP in the boosting model crawls on a busy 2-core machine otherwise
def test_models_beat_recency_on_simulated_bgnbd_truth():
    """Trained on one population, scored on another: both pipelines rank churners better than recency alone."""
    cutoff, days = 640.0, 730.0

    def data(seed):
        orders, death = _bgnbd_log(3000, days, seed)
        X = C.churn_features(orders, cutoff)
        y = C.churn_labels(orders, cutoff, 90)
        dead = (death.reindex(X.index) <= cutoff).astype(int)  # truly inactive at the cutoff
        return X, y, dead

    Xtr, ytr, _ = data(1)
    Xte, yte, dead = data(2)
    scores = {"recency only": Xte["recency_days"].to_numpy()}
    for kind in ("logistic", "gbm"):
        scores[kind] = C.make_pipeline(kind, random_state=0).fit(Xtr, ytr).predict_proba(Xte)[:, 1]
    aucs = _aucs(scores, yte, dead)
    print("\nBG/NBD population, ROC AUC on a fresh population:\n", aucs.round(3).to_string())
    for kind in ("logistic", "gbm"):
        assert aucs.loc[kind, "future_window"] > aucs.loc["recency only", "future_window"]
        assert aucs.loc[kind, "true_churn"] > aucs.loc["recency only", "true_churn"] + 0.05


@pytest.mark.slow
@threadpool_limits.wrap(limits=1)
def test_models_beat_recency_on_the_simulator():
    """sim.run baseline, features at day 640 of 730, scored on a fresh run (another seed).

    Two targets: the observed label (no order in the next 90 days) and the truth (the customer
    had already silently left by the cutoff: ``true_churn_t <= cutoff``, what an early warning
    should find). A pipeline trained on the observed label must beat recency on that label; a
    pipeline trained on the *truth* of the training run (what the simulator lets a course show)
    must beat recency on the truth of the test run. How the label-trained model does against the
    truth is printed: the 90-day label is a weak proxy in a non-contractual business (many alive
    customers buy less often than every 90 days) — the lesson of chapter 07, where P(alive)
    models answer it.
    """
    import sim

    sc = sim.Scenario.load("baseline")
    days, cutoff = 730, 640.0

    def data(seed):
        res = sim.run(sc, customers=3000, days=days, seed=seed)
        obs = res.observed()
        X = C.churn_features(
            obs.orders, cutoff, tickets=obs.tickets, surveys=obs.surveys, contacts=obs.contacts, customers=obs.customers
        )
        y = C.churn_labels(obs.orders, cutoff, 90, customers=obs.customers)
        truth = res.customers.set_index("customer_id").reindex(X.index)
        dead = (truth["true_churn_t"] <= cutoff).astype(int)
        return X, y, dead

    Xtr, ytr, dtr = data(11)
    Xte, yte, dead = data(12)
    assert not [c for c in Xte.columns if c.startswith("true_")]
    assert list(ytr.index) == list(Xtr.index)
    scores = {
        "recency only": Xte["recency_days"].to_numpy(),
        "health score (100 - score)": 100 - C.health_score(Xte)["health_score"].to_numpy(),
    }
    for kind in ("logistic", "gbm"):
        scores[f"{kind}, trained on label"] = C.make_pipeline(kind).fit(Xtr, ytr).predict_proba(Xte)[:, 1]
        scores[f"{kind}, trained on truth"] = C.make_pipeline(kind).fit(Xtr, dtr).predict_proba(Xte)[:, 1]
    aucs = _aucs(scores, yte, dead)
    print(
        f"\nsimulator 'baseline' (label rate {yte.mean():.2f}, true churn rate {dead.mean():.2f}), "
        f"ROC AUC on a fresh run:\n",
        aucs.round(3).to_string(),
    )
    rec = aucs.loc["recency only"]
    assert aucs.loc["logistic, trained on label", "future_window"] > rec["future_window"]
    for kind in ("logistic", "gbm"):
        assert aucs.loc[f"{kind}, trained on truth", "true_churn"] > rec["true_churn"] + 0.04
    assert aucs.loc["health score (100 - score)"].min() > 0.5
