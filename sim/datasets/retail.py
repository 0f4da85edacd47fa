"""The clean retail customer base: simulated, written as the firm's view plus the truth, loaded back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.utils import Bunch

from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.datasets._files import _dir, _read_text, _table_text, _typed
from sim.datasets.recipe import (
    RETAIL_CUSTOMERS,
    RETAIL_DAYS,
    RETAIL_POLICY,
    RETAIL_SCENARIO,
    RETAIL_SEED,
    RETAIL_TABLES,
)
from sim.runner import run
from sim.schema import TABLES, observed_columns

__all__ = ["load_retail", "load_retail_truth"]


# --------------------------------------------------------------------------- the retail base
def _simulate():
    return run(
        Scenario.load(RETAIL_SCENARIO),
        Policy.load(RETAIL_POLICY),
        customers=RETAIL_CUSTOMERS,
        days=RETAIL_DAYS,
        seed=RETAIL_SEED,
    )


_SORT_KEYS = {
    "customers": ["customer_id"],
    "orders": ["order_id"],
    "tickets": ["ticket_id"],
    "surveys": ["survey_id"],
    "contacts": ["contact_id"],
}


def _retail_files(res) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for t in RETAIL_TABLES:
        df = pd.DataFrame(getattr(res, t)).sort_values(_SORT_KEYS[t], kind="stable")
        out[f"retail/{t}.csv"] = _table_text(df, t, observed_columns(t))
    cust = pd.DataFrame(res.customers).sort_values("customer_id", kind="stable")
    truth_cols = ["customer_id"] + [c for c in TABLES["customers"] if c.startswith("true_")]
    out["retail_truth/customers.csv"] = _table_text(cust, "customers", truth_cols)
    ev = pd.DataFrame(res.events)
    ev = ev[ev["event"].astype(str).str.startswith("true_")].sort_values(["t", "customer_id", "event"], kind="stable")
    out["retail_truth/events.csv"] = _table_text(ev, "events", list(TABLES["events"]))
    orders = pd.DataFrame(res.orders).sort_values("order_id", kind="stable")
    out["retail_truth/orders.csv"] = _table_text(orders, "orders", ["order_id", "true_quality_issue"])
    return out


def load_retail(data_dir: str | Path | None = None) -> Bunch:
    """The retail customer base: what the firm sees (observed columns only).

    **Data card.** *Source*: ``sim.run`` of scenario ``baseline`` with policy ``vip_care``,
    3 000 paid customers (plus referrals), 730 days from 2025-01-01, seed 2025 (see
    :data:`RETAIL_SEED`). Money in CNY, times ``t`` in days since 2025-01-01.
    *Tables* (columns as in ``datasets/DATA_DICTIONARY.md``, without ``true_*``):
    ``customers`` (customer_id, acquired_t, acquired_date, channel, cac, consent,
    birth_month, business, plan), ``orders`` (order_id, customer_id, t, date, amount, is_first,
    discount, points, campaign, category, basket, margin), ``tickets``, ``surveys``, ``contacts``.
    The baseline world has no catalogue, archetypes or subscriptions: ``business`` is False,
    ``plan``, ``category`` and ``basket`` are empty, ``margin`` is amount x 0.35.
    *Size*: about 3 100 customers, 10 000 orders, 450 tickets, 2 900 survey answers and
    9 400 contacts (about 1.8 MB of CSV). *Files*: ``sim/datasets/data/retail/*.csv``.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder to read from (default: the package data folder ``sim/datasets/data/``).

    Returns
    -------
    sklearn.utils.Bunch
        ``customers``, ``orders``, ``tickets``, ``surveys``, ``contacts`` as DataFrames with
        the data dictionary's dtypes (dates parsed to ``datetime64[ns]``).

    Examples
    --------
    >>> retail = load_retail()
    >>> sorted(retail), str(retail.orders["date"].dtype)
    (['contacts', 'customers', 'orders', 'surveys', 'tickets'], 'datetime64[ns]')
    >>> retail.orders[["order_id", "customer_id", "date", "amount", "is_first"]].head(3)
       order_id  customer_id                date   amount  is_first
    0         1            1 2025-01-01 07:54:13   247.75      True
    1         2            2 2025-01-01 09:27:45   667.96      True
    2         3            3 2025-01-01 10:38:30  1242.34      True
    """
    d = _dir(data_dir)
    return Bunch(**{t: _typed(_read_text(d / "retail" / f"{t}.csv"), t) for t in RETAIL_TABLES})


def load_retail_truth(data_dir: str | Path | None = None) -> Bunch:
    """Ground truth of the retail base, for instructors: latent columns and latent events.

    **Data card.** *Source*: the same run as :func:`load_retail`.
    *Tables*: ``customers`` (customer_id and every ``true_*`` column: true_purchase_rate,
    true_dropout_prob, true_spend_scale, true_satisfaction_start, true_satisfaction_end,
    true_alive, true_churn_t, true_churn_reason, true_archetype, true_top_category,
    true_cancel_prob, true_clv, true_stage; the three before true_clv are empty / NaN in this
    baseline world), ``events`` (the latent events
    ``true_churned`` and ``true_reactivated``: customer_id, t, date, event, detail = churn
    reason), ``orders`` (order_id, true_quality_issue). Join on ``customer_id`` /
    ``order_id``. *Files*: ``sim/datasets/data/retail_truth/*.csv``.

    Returns
    -------
    sklearn.utils.Bunch
        ``customers``, ``events``, ``orders``.

    Examples
    --------
    >>> truth = load_retail_truth()
    >>> truth.customers[["customer_id", "true_alive", "true_churn_reason"]].groupby("true_alive").head(2).sort_index()
       customer_id  true_alive true_churn_reason
    0            1        True
    1            2        True
    3            4       False             price
    9           10       False     need_mismatch
    >>> sorted(set(truth.events["event"]) - {"true_churned", "true_reactivated"})
    []
    """
    d = _dir(data_dir) / "retail_truth"
    return Bunch(
        customers=_typed(_read_text(d / "customers.csv"), "customers"),
        events=_typed(_read_text(d / "events.csv"), "events"),
        orders=_typed(_read_text(d / "orders.csv"), "orders"),
    )
