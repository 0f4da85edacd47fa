"""The capstone's "your company" log (chapter 10): a firm's export, simulated from a hidden scenario.

The scenario (:data:`~sim.datasets.recipe.CAPSTONE_SCENARIO_FILE`) is for instructors: the
student pack ships the CSV files, never the YAML. The trainee calibrates a scenario to the log
(``sim.calibrate``) and tests policies on it; ``tests/teach/test_capstone.py`` checks that the
calibration recovers the hidden numbers within its confidence intervals.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.utils import Bunch

from sim.config.policy import Policy
from sim.config.scenario import Scenario
from sim.datasets._files import _dir, _read_text, _table_text, _typed
from sim.datasets.recipe import (
    CAPSTONE_CUSTOMERS,
    CAPSTONE_DAYS,
    CAPSTONE_POLICY,
    CAPSTONE_SCENARIO_FILE,
    CAPSTONE_SEED,
    CAPSTONE_TABLES,
)
from sim.runner import run
from sim.schema import observed_columns

__all__ = ["load_your_company", "capstone_scenario_path"]

_KEYS = {"orders": "order_id", "tickets": "ticket_id", "surveys": "survey_id"}


def capstone_scenario_path() -> Path:
    """Where the hidden scenario of the capstone log is kept (instructors only; not in the student pack).

    Examples
    --------
    >>> capstone_scenario_path().name
    'capstone_scenario.yaml'
    """
    return Path(__file__).resolve().parents[1] / CAPSTONE_SCENARIO_FILE


def _simulate_capstone():
    return run(
        Scenario.load(capstone_scenario_path()),
        Policy.load(CAPSTONE_POLICY),
        customers=CAPSTONE_CUSTOMERS,
        days=CAPSTONE_DAYS,
        seed=CAPSTONE_SEED,
    )


def _capstone_files(res) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for t in CAPSTONE_TABLES:
        df = pd.DataFrame(getattr(res, t)).sort_values(_KEYS[t], kind="stable")
        out[f"your_company/{t}.csv"] = _table_text(df, t, observed_columns(t))
    return out


def load_your_company(data_dir: str | Path | None = None) -> Bunch:
    """The capstone's "your company" log: two years of orders, tickets and survey answers (observed only).

    **Data card.** *Source*: ``sim.run`` of a scenario the trainee does not see (a home-goods web
    shop; the YAML is kept for instructors, not in the student pack) with no retention policy,
    2 500 paid customers acquired over 730 days from 2025-01-01, seed 2027
    (:data:`~sim.datasets.recipe.CAPSTONE_SEED`). Money in CNY, ``t`` in days since 2025-01-01.
    *Tables* (columns as in ``datasets/DATA_DICTIONARY.md``, without ``true_*``): ``orders``
    (order_id, customer_id, t, date, amount, is_first, discount, points, campaign, category,
    basket, margin), ``tickets`` (complaints and their handling), ``surveys`` (CSAT, CES, NPS).
    *Size*: about 6 300 orders, 430 tickets and 2 400 survey answers.
    *Files*: ``sim/datasets/data/your_company/*.csv``.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder to read from (default: the package data folder ``sim/datasets/data/``).

    Returns
    -------
    sklearn.utils.Bunch
        ``orders``, ``tickets``, ``surveys`` with the data dictionary's dtypes.

    Examples
    --------
    >>> log = load_your_company()
    >>> sorted(log), int(log.orders["customer_id"].nunique())
    (['orders', 'surveys', 'tickets'], 2500)
    >>> any(c.startswith("true_") for t in log.values() for c in t.columns)
    False
    """
    d = _dir(data_dir)
    return Bunch(**{t: _typed(_read_text(d / "your_company" / f"{t}.csv"), t) for t in CAPSTONE_TABLES})
