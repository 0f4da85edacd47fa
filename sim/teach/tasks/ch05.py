"""Tasks of chapter 05 (satisfaction & loyalty): NPS, Wilson intervals, weights, weekly alerts, comment tags.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.satisfaction.nps``, ``bad_review_alerts``, the weighting and
text helpers). Every parameter takes at least two values across the cases; the realistic cases
use a small simulation of the ``retail`` world, never the notebooks' run.

Examples
--------
>>> [t.name for t in TASKS]
['nps_score', 'add_wilson_ci', 'poststrat_weights', 'weekly_bad_review_alert', 'tag_comment']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]


@lru_cache(maxsize=1)
def _retail() -> Any:
    """A small two-year simulation of the retail world (never the notebooks' size and seed)."""
    from sim.config import Scenario
    from sim.runner import run

    return run(Scenario.load("retail"), customers=1500, days=730, seed=515)


def _surveys(instrument: str) -> pd.DataFrame:
    s = _retail().surveys
    return s[s["instrument"] == instrument].reset_index(drop=True)


# --------------------------------------------------------------------------- nps_score


def _nps_score(scores: Any) -> float:
    s = pd.Series(list(scores), dtype="object").dropna().astype(float)
    if len(s) == 0:
        return float("nan")
    return float(100.0 * ((s >= 9).mean() - (s <= 6).mean()))


def _nps_cases() -> list[Case]:
    nps = _surveys("nps")
    first_week = nps[nps["date"] < nps["date"].min() + pd.Timedelta(days=7)]["score"]
    return [
        Case("a 6 is a detractor, a 7 a passive: [6, 7, 7, 7]", ([6, 7, 7, 7],)),
        Case("an 8 is a passive, a 9 a promoter: [8, 9, 9, 8, 8]", ([8, 9, 9, 8, 8],)),
        Case("the ends of the scale: 0 is a detractor, 10 a promoter: [0, 10, 10]", ([0, 10, 10],)),
        Case("everyone a promoter: the NPS is +100 points", ([9, 10, 10, 9],)),
        Case("everyone a detractor: the NPS is -100 points", ([0, 3, 6],)),
        Case("only passives: NPS 0 (passives count in the denominator)", ([7, 8, 7, 8, 8],)),
        Case(
            "missing answers (NaN) are not answers: left out of the denominator",
            (pd.Series([10, np.nan, 9, 2, np.nan, 8]),),
        ),
        Case("a nullable integer Series with pd.NA", (pd.Series([10, 9, pd.NA, 6, 5, 7, 9], dtype="Int64"),)),
        Case("a numpy array of answers", (np.array([10, 9, 9, 9, 8, 7, 6, 6, 5, 1, 10]),)),
        Case("no answer at all: return NaN (the NPS is undefined)", ([],)),
        Case("only missing answers: return NaN", (pd.Series([np.nan, np.nan]),)),
        Case(f"the {len(nps):,} NPS answers of the simulated retailer", (nps["score"],)),
        Case(f"the {len(first_week)} NPS answers of its first week", (first_week,)),
    ]


# --------------------------------------------------------------------------- add_wilson_ci


def _z(confidence: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _add_wilson_ci(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    z = _z(confidence)
    k = table["successes"].astype(float)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return table.assign(share=p, ci_low=centre - half, ci_high=centre + half)


def _counts(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["group", "successes", "answers"]).set_index("group")
    return frame.astype({"successes": "int64", "answers": "int64"})


def _wilson_cases() -> list[Case]:
    small = _counts([("web", 8, 10), ("store", 1, 2), ("phone", 45, 50)])
    csat = _surveys("csat").assign(satisfied=lambda d: d["score"] >= 4, month=lambda d: d["date"].dt.strftime("%Y-%m"))
    monthly = csat.groupby("month").agg(successes=("satisfied", "sum"), answers=("score", "size")).astype("int64")
    touch = csat.groupby("touchpoint").agg(successes=("satisfied", "sum"), answers=("score", "size")).astype("int64")
    return [
        Case("three groups, 95% (the default): a copy with share, ci_low, ci_high", (small,)),
        Case("the same groups at confidence = 0.90 (z changes)", (small, 0.90)),
        Case("the same groups at confidence = 0.99", (small, 0.99)),
        Case(
            "nobody satisfied (0 of 12) and everybody satisfied (12 of 12): Wilson stays inside [0, 1]",
            (_counts([("none", 0, 12), ("all", 12, 12)]), 0.95),
        ),
        Case("a group with no answers gets NaN share and bounds", (_counts([("a", 3, 4), ("empty", 0, 0)]),)),
        Case("one answer", (_counts([("one", 1, 1)]), 0.8)),
        Case(
            "shares that are not round numbers (1 of 3, 2 of 7, 5 of 6): no rounding anywhere",
            (_counts([("third", 1, 3), ("sevenths", 2, 7), ("sixths", 5, 6)]), 0.95),
        ),
        Case("large groups (the interval narrows)", (_counts([("big", 4_100, 5_000), ("huge", 81_000, 100_000)]),)),
        Case("the simulated retailer: CSAT satisfied (4-5) per month", (monthly,)),
        Case("the simulated retailer: CSAT satisfied per touchpoint, confidence = 0.90", (touch, 0.90)),
    ]


# --------------------------------------------------------------------------- poststrat_weights


def _poststrat_weights(respondents: pd.DataFrame, population: pd.DataFrame, by: Any) -> pd.Series:
    cols = [by] if isinstance(by, str) else list(by)
    pop = population.groupby(cols).size() / len(population)
    resp = respondents.groupby(cols).size() / len(respondents)
    ratio = (pop / resp).rename("weight")
    keys = pd.MultiIndex.from_frame(respondents[cols]) if len(cols) > 1 else pd.Index(respondents[cols[0]])
    return pd.Series(ratio.reindex(keys).to_numpy(dtype=float), index=respondents.index, name="weight")


def _people(channels: list[Any], tenure: list[str] | None = None, index: Any = None) -> pd.DataFrame:
    frame = pd.DataFrame({"channel": channels}, index=index)
    if tenure is not None:
        frame["tenure"] = tenure
    return frame


@lru_cache(maxsize=1)
def _retail_respondents() -> tuple[pd.DataFrame, pd.DataFrame]:
    r = _retail()
    cust = r.customers[["customer_id", "channel"]].copy()
    cust["cohort"] = np.where(r.customers["acquired_date"].dt.year <= 2025, "2025", "2026")
    nps = r.surveys[r.surveys["instrument"] == "nps"][["survey_id", "customer_id", "score"]]
    resp = nps.merge(cust, on="customer_id", how="left").set_index("survey_id")
    return resp, cust


def _weight_cases() -> list[Case]:
    pop = _people(["web"] * 6 + ["store"] * 3 + ["phone"] * 1)
    resp = _people(["web", "web", "store", "phone", "phone"])
    pop2 = _people(["web"] * 4 + ["store"] * 4, ["new", "new", "old", "old", "new", "old", "old", "old"])
    resp2 = _people(["web", "web", "store", "store"], ["new", "old", "old", "old"], index=[21, 7, 3, 15])
    resp_retail, cust = _retail_respondents()
    return [
        Case("one column: weight = population share / respondents' share of the cell", (resp, pop, "channel")),
        Case(
            "respondents mirror the population: every weight is 1",
            (_people(["web", "web", "web", "store"]), _people(["web"] * 3 + ["store"]), "channel"),
        ),
        Case(
            "by = a list of two columns: cells are channel x tenure; the respondents' index is kept",
            (resp2, pop2, ["channel", "tenure"]),
        ),
        Case("the same tables, by = 'tenure' only", (resp2, pop2, "tenure")),
        Case("by = ['channel'] (a list of one column)", (resp, pop, ["channel"])),
        Case(
            "a rare cell gets a large weight (1 of 16 respondents, half of the population): no trimming",
            (_people(["web"] * 15 + ["phone"]), _people(["web"] * 5 + ["phone"] * 5), "channel"),
        ),
        Case(
            "a population cell without respondents ('app') gets no weight; the others are not rescaled",
            (_people(["web", "store", "store"]), _people(["web", "web", "store", "app", "app", "app"]), "channel"),
        ),
        Case(
            "a customer with an unknown channel (NaN) counts in the population's size, like a cell without respondents",
            (_people(["web", "store", "store"]), _people(["web", "web", "store", np.nan, "store", "web"]), "channel"),
        ),
        Case(
            "the simulated retailer: NPS respondents weighted to the customer base by channel",
            (resp_retail, cust, "channel"),
        ),
        Case("the same, by channel and sign-up year", (resp_retail, cust, ["channel", "cohort"])),
    ]


# --------------------------------------------------------------------------- weekly_bad_review_alert

_ALERT_COLUMNS = ["week", "answers", "negatives", "rate", "alert"]


def _weekly_bad_review_alert(surveys: pd.DataFrame, threshold: float = 0.05, min_answers: int = 20) -> pd.DataFrame:
    csat = surveys[surveys["instrument"] == "csat"]
    week = csat["date"].dt.to_period("W").dt.start_time
    negative = csat["score"] <= 2
    table = negative.groupby(week).agg(answers="size", negatives="sum").rename_axis("week").reset_index()
    table = table.astype({"answers": "int64", "negatives": "int64"})
    table["rate"] = table["negatives"] / table["answers"]
    table["alert"] = (table["answers"] >= min_answers) & (table["rate"] > threshold)
    return table[_ALERT_COLUMNS]


def _answers(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "instrument", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame.insert(0, "customer_id", range(101, 101 + len(frame)))
    return frame


def _week(monday: str, scores: list[int], instrument: str = "csat", hour: int = 9) -> list[tuple[str, str, int]]:
    start = pd.Timestamp(monday)
    return [(str(start + pd.Timedelta(days=i % 7, hours=hour, minutes=i)), instrument, s) for i, s in enumerate(scores)]


def _alert_cases() -> list[Case]:
    # 2025-03-03 is a Monday; 2025-03-09 the Sunday of that week.
    edge = _answers(
        _week("2025-03-03", [5] * 19 + [1])  # 1 of 20 = 5%: not above
        + _week("2025-03-10", [5] * 18 + [2, 1])  # 2 of 20 = 10%
        + _week("2025-03-17", [4] * 9 + [1])  # 10%, but only 10 answers
    )
    sunday = _answers(
        [("2025-03-09 23:59:00", "csat", 1), ("2025-03-10 00:00:00", "csat", 5), ("2025-03-03 00:00:00", "csat", 4)]
    )
    mixed = _answers(
        _week("2025-04-07", [4, 5, 3, 3, 5, 4]) + _week("2025-04-07", [0, 2, 6, 1], "nps")
        + _week("2025-04-14", [2, 5, 5, 4]) + _week("2025-04-14", [7, 3], "ces")
    )  # fmt: skip
    gap = _answers(_week("2025-05-05", [5, 1, 4, 4]) + _week("2025-05-26", [2, 2, 5]))
    repeat = _answers(_week("2025-07-07", [1, 5, 4, 2])).assign(customer_id=[7, 7, 8, 7])
    unsorted = _answers(_week("2025-06-16", [5, 5, 1]) + _week("2025-06-02", [4, 4, 4, 2]))
    retail = _retail().surveys
    return [
        Case(
            "a rate of exactly 5% does not alert; 10% with 20 answers does; 10% with 10 answers does not",
            (edge, 0.05, 20),
        ),
        Case("the same answers with min_answers = 10: the third week alerts too", (edge, 0.05, 10)),
        Case("the same answers with threshold = 0.08", (edge, 0.08, 20)),
        Case("threshold and min_answers left out: defaults 0.05 and 20", (edge,)),
        Case(
            "weeks run Monday to Sunday and are labelled by their Monday at 00:00 (answers carry a time of day)",
            (sunday, 0.05, 1),
        ),
        Case("only CSAT answers count; a 3 is not negative, a 2 is (NPS and CES rows are left out)", (mixed, 0.05, 1)),
        Case("weeks without a CSAT answer get no row", (gap, 0.05, 2)),
        Case("answers not in date order: the table is in week order", (unsorted, 0.3, 3)),
        Case("a customer who answers twice in a week counts twice (answers, not customers)", (repeat, 0.3, 3)),
        Case("the simulated retailer, the seed's rule (5%, at least 20 answers)", (retail, 0.05, 20)),
        Case("the simulated retailer, 10% and at least 5 answers", (retail, 0.10, 5)),
    ]


# --------------------------------------------------------------------------- tag_comment

_TOPICS = {
    "delivery": ["delivery", "late", "courier", "快递", "物流", "送货"],
    "price": ["price", "expensive", "refund", "贵", "价格", "退款"],
    "service": ["agent", "rude", "helpful", "客服", "态度"],
    "app": ["App", "login", "crash", "闪退", "登录"],
}
_SYMBOL_TOPICS = {
    "price": ["$", "€", "cost"],
    "question": ["?", "how do i"],
    "urgent": ["asap", "!!!"],
}
_OTHER_TOPICS = {
    "quality": ["broken", "defect", "质量", "坏"],
    "billing": ["invoice", "charged", "发票", "扣款"],
    "stock": ["sold out", "none", "缺货"],
}


def _tag_comment(comment: Any, keywords: dict[str, list[str]]) -> list[str]:
    if comment is None or (not isinstance(comment, str) and pd.isna(comment)):
        return []
    text = str(comment).lower()
    return sorted(topic for topic, words in keywords.items() if any(w.lower() in text for w in words))


_COMMENTS = [
    ("The courier was late again.", "one keyword of one topic, with a full stop after it"),
    ("DELIVERY took two weeks", "upper-case text matches a lower-case keyword"),
    ("the app is so slow", "a keyword written 'App' in the list matches 'app' in the text"),
    ("the app keeps crashing after login", "three keywords of one topic: the topic once"),
    ("Too expensive, and the agent was rude.", "two topics: listed in alphabetical order"),
    ("Rude agent, late delivery, crazy price, app crash", "four topics, each once, alphabetical"),
    ("快递太慢了，客服态度也不好", "Chinese has no spaces between words: match keywords as substrings"),
    ("价格太贵", "two keywords of one topic: the topic once"),
    ("Everything was fine, thank you!", "no keyword: an empty list"),
    ("", "an empty comment: an empty list"),
    (None, "no comment (None): an empty list"),
    (np.nan, "no comment (NaN): an empty list"),
    (pd.NA, "no comment (pd.NA, as in a string column): an empty list"),
    ("價格太貴，客服態度很差", "traditional characters (價格, 態度) are not the simplified keywords (价格, 态度)"),
    ("Great service, thanks", "a topic's name is not one of its keywords ('service' is not in its list)"),
    ("app登录闪退, refund please", "mixed English and Chinese"),
]


def _tag_cases() -> list[Case]:
    cases = [Case(f"{text!r}: {says}", ([text], _TOPICS), each=True) for text, says in _COMMENTS]
    other = ["The box arrived broken", "charged twice, no invoice", "质量很好", "屏幕坏了，要发票", "late delivery",
             "Sold out AGAIN, 缺货", "The blue one was sold out"]  # fmt: skip
    cases.append(Case("another keyword list (quality, billing, stock): use the `keywords` argument",
                      (other, _OTHER_TOPICS), each=True))  # fmt: skip
    symbols = ["How do I return this?", "It costs $40 more than in the shop", "Fine.", "ASAP!!!", "crashes (again)"]
    cases.append(Case("keywords with symbols ('$', '?') are plain text, not patterns", (symbols, _SYMBOL_TOPICS),
                      each=True))  # fmt: skip
    cases.append(
        Case("no comment (None) with that list: still an empty list", ([None, np.nan], _OTHER_TOPICS), each=True)
    )
    comments = _retail().surveys["comment"].head(400).tolist()
    cases.append(Case(f"the {len(comments)} first survey answers of the simulated retailer ('' = no comment)",
                      (comments, _TOPICS), each=True))  # fmt: skip
    return cases


TASKS = [
    Task(
        "nps_score",
        _nps_score,
        _nps_cases,
        Expect("number", rtol=1e-9),
        "Drop missing answers first; promoters score 9-10, detractors 0-6; "
        "NPS = 100 x (promoters - detractors) / answers; no answers -> NaN.",
        forbidden=("sim.analysis.satisfaction.metrics.nps", "sim.analysis.satisfaction.weighting.weighted_nps"),
    ),
    Task(
        "add_wilson_ci",
        _add_wilson_ci,
        _wilson_cases,
        Expect("frame", rtol=1e-7, int_columns=("successes", "answers")),
        "z = scipy.stats.norm.ppf(1 - (1 - confidence) / 2); centre = (p + z²/2n) / (1 + z²/n); "
        "half = z / (1 + z²/n) x sqrt(p(1-p)/n + z²/4n²); return table.assign(...).",
        forbidden=("sim.analysis.satisfaction.metrics.csat",),
    ),
    Task(
        "poststrat_weights",
        _poststrat_weights,
        _weight_cases,
        Expect("series", rtol=1e-9),
        "Shares, not counts: population.groupby(by).size() / len(population) divided by the same for the "
        "respondents; then look up each respondent's cell, keeping the respondents' index.",
        forbidden=("sim.analysis.satisfaction.weighting.nonresponse_weights",),
    ),
    Task(
        "weekly_bad_review_alert",
        _weekly_bad_review_alert,
        _alert_cases,
        Expect(
            "frame",
            order="weeks in time order",
            bool_columns=("alert",),
            int_columns=("answers", "negatives"),
            check_index=False,
        ),
        "Keep CSAT rows; week = date.dt.to_period('W').dt.start_time (the Monday); negative = score <= 2; "
        "alert = answers >= min_answers and rate > threshold (strictly).",
        forbidden=(
            "sim.analysis.satisfaction.monitoring.bad_review_alerts",
            "sim.analysis.satisfaction.alerts.bad_review_alerts",
        ),
    ),
    Task(
        "tag_comment",
        _tag_comment,
        _tag_cases,
        Expect("names"),
        "Lower-case both the comment and each keyword, test `keyword in text` (substring), "
        "collect the topics, return them sorted; None/NaN -> [].",
        forbidden=("sim.analysis.satisfaction.text.tag_comments",),
    ),
]
