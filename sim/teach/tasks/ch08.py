"""Tasks of chapter 08 (communication & A/B tests): funnel per variant, z-test, regret, uplift quadrants, true gain.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.abtest.two_proportion_test``, ``sim.analysis.abtest.bandit.regret``,
``sim.analysis.uplift``). Every parameter takes at least two values across the cases; the
realistic cases are drawn here with their own seed (a message test of 6,000 contacts with four
variants and a campaign of 3,000 customers with known individual effects), never the
notebook's run.

Examples
--------
>>> [t.name for t in TASKS]
['funnel_rates', 'two_proportion_z', 'cumulative_regret', 'quadrant_counts', 'true_gain']
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

# loaded so that Task.forbidden can watch the package's own versions (resolve() never imports a module)
import sim.analysis.abtest.bandit
import sim.analysis.uplift  # noqa: F401
from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]

_VARIANTS = ("morning|plain", "morning|personal", "evening|plain", "evening|personal")


@lru_cache(maxsize=1)
def _message_test() -> pd.DataFrame:
    """A realistic 2x2 message test: 6,000 contacts, nested open -> click -> convert, with truth."""
    rng = np.random.default_rng(808)
    n = 6000
    variant = rng.choice(len(_VARIANTS), size=n)
    base = rng.normal(0.0, 0.6, size=n)  # each customer's own responsiveness (log-odds)
    p_open = 1 / (1 + np.exp(-(-1.4 + 0.35 * (variant >= 2) + base)))
    p_click = 1 / (1 + np.exp(-(-1.0 + 0.25 * (variant % 2 == 1))))
    p_conv = np.full(n, 0.30)
    all_open = 1 / (1 + np.exp(-(-1.4 + 0.35 * (np.arange(4)[None, :] >= 2) + base[:, None])))
    all_click = 1 / (1 + np.exp(-(-1.0 + 0.25 * (np.arange(4)[None, :] % 2 == 1))))
    best = (all_open * all_click * 0.30).max(axis=1)
    u = rng.random((n, 3))
    opened = u[:, 0] < p_open
    clicked = opened & (u[:, 1] < p_click)
    converted = clicked & (u[:, 2] < p_conv)
    t = np.sort(rng.uniform(0, 120, size=n)).round(3)
    return pd.DataFrame(
        {
            "contact_id": np.arange(1, n + 1, dtype=np.int64),
            "t": t,
            "channel": rng.choice(["email", "sms", "push"], size=n, p=[0.6, 0.3, 0.1]),
            "variant": np.array(_VARIANTS)[variant],
            "opened": opened,
            "clicked": clicked,
            "converted": converted,
            "true_convert_prob": p_open * p_click * p_conv,
            "true_best_convert_prob": np.maximum(best, p_open * p_click * p_conv),
        }
    )


@lru_cache(maxsize=1)
def _campaign() -> pd.DataFrame:
    """A realistic campaign: 3,000 customers, P(order) with and without the offer, and a noisy model score."""
    rng = np.random.default_rng(8080)
    n = 3000
    p_control = rng.beta(1.2, 4.0, size=n)
    effect = rng.normal(0.04, 0.08, size=n)
    p_treated = np.clip(p_control + effect, 0.0, 1.0)
    uplift = p_treated - p_control
    score = uplift + rng.normal(0, 0.06, size=n)
    return pd.DataFrame(
        {"p_treated": p_treated, "p_control": p_control, "true_uplift": uplift, "score": score},
        index=pd.RangeIndex(5000, 5000 + n, name="customer_id"),
    )


# --------------------------------------------------------------------------- funnel_rates

_FUNNEL = ["sent", "opened", "clicked", "converted", "open_rate", "click_rate", "convert_rate"]


def _funnel_rates(contacts: pd.DataFrame, by: str = "variant") -> pd.DataFrame:
    g = contacts.groupby(by)
    out = pd.DataFrame(
        {
            "sent": g.size().astype("int64"),
            "opened": g["opened"].sum().astype("int64"),
            "clicked": g["clicked"].sum().astype("int64"),
            "converted": g["converted"].sum().astype("int64"),
        }
    )
    out["open_rate"] = out["opened"] / out["sent"]
    out["click_rate"] = out["clicked"] / out["opened"].where(out["opened"] > 0)
    out["convert_rate"] = out["converted"] / out["clicked"].where(out["clicked"] > 0)
    return out[_FUNNEL]


def _contacts(rows: list[tuple[str, str, bool, bool, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["variant", "channel", "opened", "clicked", "converted"])


def _funnel_cases() -> list[Case]:
    small = _contacts(
        [
            ("B", "email", True, True, True),
            ("A", "email", True, False, False),
            ("A", "sms", False, False, False),
            ("B", "sms", True, True, False),
            ("A", "email", True, True, False),
            ("B", "email", False, False, False),
            ("B", "push", True, False, False),
            ("A", "sms", True, True, True),
            ("B", "email", True, True, True),
        ]
    )
    nobody_opened = _contacts(
        [("plain", "email", False, False, False)] * 3
        + [("emoji", "email", True, False, False), ("emoji", "sms", True, True, True)]
    )
    opened_no_click = _contacts([("x", "push", True, False, False), ("x", "push", False, False, False)])
    real = _message_test()
    return [
        Case("two variants, nine contacts: counts, then open/sent, click/opened, convert/clicked", (small,)),
        Case("the same contacts by='channel' (three channels)", (small, "channel")),
        Case(
            "a variant nobody opened: its click and convert rates are NaN (no opened contact to divide by)",
            (nobody_opened,),
        ),
        Case("opened but nobody clicked: convert_rate is NaN, click_rate 0", (opened_no_click,), {"by": "variant"}),
        Case("one contact, by='variant' given explicitly", (small.iloc[:1],), {"by": "variant"}),
        Case(f"a realistic 2x2 message test: {len(real):,} contacts, four variants", (real,)),
        Case("the same test by channel", (real,), {"by": "channel"}),
    ]


# --------------------------------------------------------------------------- two_proportion_z


def _two_proportion_z(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return float("nan")
    return float((x_b / n_b - x_a / n_a) / se)


def _z_cases() -> list[Case]:
    real = _message_test()
    a = real[real["variant"] == "morning|plain"]
    b = real[real["variant"] == "evening|plain"]
    xa, na, xb, nb = int(a["opened"].sum()), len(a), int(b["opened"].sum()), len(b)
    return [
        Case("A 100 of 1,000, B 130 of 1,000: B converts more, z > 0", (100, 1000, 130, 1000)),
        Case("the same rates the other way round: z < 0 (B minus A)", (130, 1000, 100, 1000)),
        Case("groups of different size: A 45 of 600, B 80 of 900", (45, 600, 80, 900)),
        Case("A 45 of 900, B 80 of 600 (the sizes swapped)", (45, 900, 80, 600)),
        Case("equal rates: z = 0", (30, 300, 60, 600)),
        Case("a tiny test: A 1 of 4, B 3 of 5", (1, 4, 3, 5)),
        Case("nobody converted in either group: no variance, z is NaN", (0, 50, 0, 70)),
        Case("everybody converted in both groups: z is NaN", (20, 20, 35, 35)),
        Case("nobody converted in A, some in B (the pooled rate is not 0)", (0, 200, 6, 200)),
        Case("a large test with a small difference: 2.0% vs 2.2% of 50,000 each", (1000, 50_000, 1100, 50_000)),
        Case("the realistic test: opens of morning|plain (A) vs evening|plain (B)", (xa, na, xb, nb)),
    ]


# --------------------------------------------------------------------------- cumulative_regret


def _cumulative_regret(contacts: pd.DataFrame) -> pd.Series:
    ordered = contacts.sort_values("t", kind="stable")
    regret = ordered["true_best_convert_prob"] - ordered["true_convert_prob"]
    return regret.cumsum().rename("cumulative_regret")


def _truth(rows: list[tuple[float, float, float]], index: Any = None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["t", "true_best_convert_prob", "true_convert_prob"], index=index)


def _regret_cases() -> list[Case]:
    real = _message_test()
    shuffled = real.sample(frac=1.0, random_state=3)
    return [
        Case(
            "three contacts already in time order: running total of best - chosen",
            (_truth([(1.0, 0.10, 0.06), (2.0, 0.10, 0.10), (3.5, 0.08, 0.02)]),),
        ),
        Case(
            "contacts out of time order: sort by t first (the labels move with their rows)",
            (_truth([(9.0, 0.2, 0.1), (2.0, 0.3, 0.0), (5.0, 0.05, 0.05), (0.5, 0.4, 0.35)], index=[40, 41, 42, 43]),),
        ),
        Case(
            "two contacts at the same time keep the table's order (a stable sort)",
            (_truth([(3.0, 0.5, 0.2), (1.0, 0.3, 0.3), (3.0, 0.6, 0.1), (1.0, 0.2, 0.0)], index=[7, 3, 9, 1]),),
        ),
        Case(
            "always the best variant: no regret at all (zeros, not an empty answer)",
            (_truth([(0.0, 0.07, 0.07), (1.0, 0.03, 0.03)]),),
        ),
        Case(
            "extra columns (variant, opened) are carried along but not used",
            (
                _truth([(4.0, 0.2, 0.15), (1.0, 0.25, 0.05)]).assign(
                    variant=["a", "b"], opened=[True, False], converted=[True, False]
                ),
            ),
        ),
        Case(f"a realistic message test: {len(real):,} contacts in time order", (real,)),
        Case(
            "the same contacts shuffled; some share a time t, and those keep the shuffled table's order "
            "(sort_values(..., kind='stable'))",
            (shuffled,),
        ),
    ]


# --------------------------------------------------------------------------- quadrant_counts

_QUADRANTS = ["persuadable", "sure_thing", "lost_cause", "sleeping_dog"]


def _quadrant_counts(p_treated: Any, p_control: Any, threshold: float = 0.5) -> pd.Series:
    t = np.asarray(p_treated, dtype=float) >= threshold
    c = np.asarray(p_control, dtype=float) >= threshold
    counts = [int((t & ~c).sum()), int((t & c).sum()), int((~t & ~c).sum()), int((~t & c).sum())]
    return pd.Series(counts, index=_QUADRANTS, name="customers", dtype="int64")


def _quadrant_cases() -> list[Case]:
    camp = _campaign()
    return [
        Case(
            "one customer in each quadrant (threshold 0.5)",
            (pd.Series([0.8, 0.9, 0.2, 0.3]), pd.Series([0.1, 0.7, 0.1, 0.6])),
        ),
        Case(
            "exactly at the threshold counts as 'would order'",
            (pd.Series([0.5, 0.5, 0.49]), pd.Series([0.49, 0.5, 0.5])),
        ),
        Case(
            "threshold 0.3 instead of 0.5 (same customers)",
            (pd.Series([0.8, 0.9, 0.2, 0.3]), pd.Series([0.1, 0.7, 0.1, 0.6]), 0.3),
        ),
        Case("an empty quadrant still shows 0 (all four rows, in the order given)", ([0.9, 0.8], [0.1, 0.2])),
        Case(
            "plain lists of probabilities, threshold 0.2",
            ([0.25, 0.1, 0.3, 0.05, 0.2], [0.1, 0.3, 0.35, 0.0, 0.2], 0.2),
        ),
        Case("nobody at all: four zeros", ([], [])),
        Case(
            f"a realistic campaign of {len(camp):,} customers (threshold 0.25)",
            (camp["p_treated"], camp["p_control"]),
            {"threshold": 0.25},
        ),
        Case("the same campaign at threshold 0.5 (the default)", (camp["p_treated"], camp["p_control"])),
    ]


# --------------------------------------------------------------------------- true_gain


def _true_gain(score: Any, true_uplift: Any, k: int) -> float:
    s = np.asarray(score, dtype=float)
    u = np.asarray(true_uplift, dtype=float)
    order = np.argsort(-s, kind="stable")
    return float(u[order[:k]].sum())


def _gain_cases() -> list[Case]:
    camp = _campaign()
    score = [0.9, 0.1, 0.5, 0.7, 0.3]
    uplift = [0.02, 0.10, -0.05, 0.08, 0.01]
    return [
        Case("target the 2 highest scores: sum of their TRUE uplift", (score, uplift, 2)),
        Case("the same customers, k = 3 (a negative true uplift lowers the gain)", (score, uplift, 3)),
        Case("k = 0: nobody targeted, no gain", (score, uplift, 0)),
        Case("k larger than the list: everybody targeted", (score, uplift, 10)),
        Case(
            "tied scores: the earlier customer first (a stable sort)",
            (pd.Series([0.4, 0.8, 0.4, 0.4]), pd.Series([0.01, 0.02, 0.30, 0.05]), 2),
        ),
        Case(
            "Series with their own labels (position matters, not the label)",
            (pd.Series([0.2, 0.6, 0.1], index=[30, 10, 20]), pd.Series([0.1, 0.05, 0.2], index=[30, 10, 20]), 1),
        ),
        Case(
            "a labelled Series of scores with a plain array of uplifts: match them by position",
            (pd.Series([0.3, 0.9, 0.5, 0.1], index=[12, 4, 8, 2]), np.array([0.01, 0.04, -0.02, 0.07]), 2),
        ),
        Case(
            f"a realistic campaign: the model's top 600 of {len(camp):,} customers",
            (camp["score"], camp["true_uplift"], 600),
        ),
        Case("the same campaign, top 1,500", (camp["score"], camp["true_uplift"], 1500)),
        Case(
            "the same campaign with scores rounded to 0.01 (many ties: the earlier customer first), top 600",
            (camp["score"].round(2), camp["true_uplift"], 600),
        ),
    ]


TASKS = [
    Task(
        "funnel_rates",
        _funnel_rates,
        _funnel_cases,
        Expect("frame", int_columns=("sent", "opened", "clicked", "converted"), order="sorted by the group label"),
        "one row per group (the `by` column's values, sorted, as the index); sent = contacts, "
        "open_rate = opened/sent, click_rate = clicked/opened, convert_rate = converted/clicked (NaN when the "
        "denominator is 0); counts as integers",
    ),
    Task(
        "two_proportion_z",
        _two_proportion_z,
        _z_cases,
        Expect("number", rtol=1e-6),
        "pooled rate p = (x_a + x_b) / (n_a + n_b); se = sqrt(p (1 - p) (1/n_a + 1/n_b)); "
        "z = (x_b/n_b - x_a/n_a) / se — B minus A; NaN when se is 0",
        forbidden=("sim.analysis.abtest.two_proportion_test", "sim.analysis.abtest.significance.two_proportion_test"),
    ),
    Task(
        "cumulative_regret",
        _cumulative_regret,
        _regret_cases,
        Expect("series", order="in time order"),
        "sort the contacts by t (a stable sort keeps ties in the table's order), take "
        "true_best_convert_prob - true_convert_prob per contact and return the running total, "
        "keeping each contact's row label",
        forbidden=("sim.analysis.abtest.bandit.regret",),
    ),
    Task(
        "quadrant_counts",
        _quadrant_counts,
        _quadrant_cases,
        Expect("series", int_columns=("",)),
        "'would order' means p >= threshold; persuadable: treated yes, control no; sure_thing: both yes; "
        "lost_cause: both no; sleeping_dog: treated no, control yes — a Series of four integer counts "
        "with these labels, in that order",
        forbidden=("sim.analysis.uplift.uplift_quadrants",),
    ),
    Task(
        "true_gain",
        _true_gain,
        _gain_cases,
        Expect("number", rtol=1e-9, atol=1e-12),
        "order the customers by score, highest first (ties: the earlier one first — a stable sort), "
        "take the first k and add up their true uplift (by position, not by label)",
        forbidden=("sim.analysis.uplift.true_gain_curve",),
    ),
]
