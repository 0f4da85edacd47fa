"""Tasks of chapter 06 (complaints & service operations): Pareto share, SLA attainment, Erlang C
staffing, reopen rate and agent utilisation.

The references are private to the checker; the exercises notebook imports none of the
package's versions (``sim.analysis.service``, ``sim.analysis.queueing``). Every parameter takes
at least two values across the cases; the realistic cases use a small simulation of the
``baseline`` world (never the notebooks' size and seed) or seeded synthetic tables.

Examples
--------
>>> [t.name for t in TASKS]
['top_share', 'sla_attainment', 'agents_for_target', 'reopen_rate', 'agent_utilisation']
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim.teach._judge import Expect
from sim.teach.tasks._task import Case, Task

__all__ = ["TASKS"]


@lru_cache(maxsize=1)
def _world() -> pd.DataFrame:
    """Tickets of a small one-year simulation of the baseline world (not the notebooks' run)."""
    from sim.config import Scenario
    from sim.runner import run

    return run(Scenario.load("baseline"), customers=1500, days=365, seed=606).tickets


@lru_cache(maxsize=1)
def _ops() -> pd.DataFrame:
    """Tickets of a small year of the service_ops world with the 48-hour follow-up call (channels, reopens)."""
    from sim.config import Policy, Scenario
    from sim.runner import run

    policy = Policy.load("do_nothing").updated({"service.follow_up.enabled": True})
    return run(Scenario.load("service_ops"), policy, customers=1200, days=365, seed=616).tickets


# --------------------------------------------------------------------------- top_share


def _top_share(tickets: pd.DataFrame, by: str = "cause", top: int = 3) -> float:
    counts = tickets[by].value_counts(dropna=True)
    if counts.sum() == 0:
        return float("nan")
    return float(counts.sort_values(ascending=False).head(top).sum() / counts.sum())


def _causes(values: list[Any], **more: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame({"ticket_id": range(1, len(values) + 1), "cause": values})
    for name, col in more.items():
        frame[name] = col
    return frame


def _top_cases() -> list[Case]:
    t = _world()
    ten = _causes(["product"] * 4 + ["service"] * 3 + ["price"] * 2 + ["communication"])
    with_channel = ten.assign(channel=["app"] * 5 + ["phone"] * 2 + ["chat", "email", "social"])
    return [
        Case("4, 3, 2 and 1 tickets per cause: the top 3 hold 9 of 10", (ten,)),
        Case("the same tickets, top = 1", (ten, "cause", 1)),
        Case("the same tickets, top = 2", (ten,), {"top": 2}),
        Case("by = 'channel': count another column", (with_channel, "channel", 2)),
        Case("fewer causes than top: the share is 1", (_causes(["price", "price", "service"]), "cause", 3)),
        Case(
            "a tie for third place: either tied cause gives the same share",
            (_causes(["a"] * 5 + ["b"] * 3 + ["c", "c", "d", "d", "e"]),),
        ),
        Case(
            "a tie for first place: both tied causes count in a top 2",
            (_causes(["x", "y", "x", "z", "y", "w", "x", "y", "z"]), "cause", 2),
        ),
        Case(
            "tickets without a cause (NaN) are left out entirely, from the top and from the total",
            (
                _causes(["price", np.nan, "price", "service", None, "product", "product", "product", "other"]),
                "cause",
                2,
            ),
        ),
        Case("no ticket at all: NaN", (_causes([]),)),
        Case("the simulated desk's tickets by cause", (t,)),
        Case("the simulated desk's tickets by severity, top 2", (t, "severity", 2)),
        Case("a desk with intake channels: its tickets by channel, top 2", (_ops(), "channel", 2)),
    ]


# --------------------------------------------------------------------------- sla_attainment


def _sla_attainment(tickets: pd.DataFrame, column: str = "sla_met") -> pd.Series:
    flag = tickets[column].astype("boolean").astype("Float64")
    return flag.groupby(tickets["severity"]).mean().astype("float64")


def _sla(severity: list[str], met: list[Any], **more: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame({"ticket_id": range(1, len(severity) + 1), "severity": severity,
                          "sla_met": pd.array(met, dtype="boolean")})  # fmt: skip
    for name, col in more.items():
        frame[name] = pd.array(col, dtype="boolean")
    return frame


def _sla_cases() -> list[Case]:
    t = _world()
    small = _sla(["P3", "P3", "P2", "P3", "P1", "P2"], [True, False, True, True, True, None],
                 sla_first_response_met=[True, True, False, True, False, True])  # fmt: skip
    return [
        Case("a share per severity, open tickets (NA) left out", (small,)),
        Case("column = 'sla_first_response_met': the first-response target only", (small, "sla_first_response_met")),
        Case(
            "a severity whose tickets are all still open gets NaN (it appears in the table)",
            (_sla(["P0", "P3", "P3"], [None, True, False]),),
        ),
        Case(
            "severities in order P0, P1, P2, P3 whatever the row order", (_sla(["P3", "P0", "P2", "P1"], [1, 0, 1, 1]),)
        ),
        Case("every ticket met its target", (_sla(["P2", "P2", "P1"], [True, True, True]), "sla_met")),
        Case("the simulated desk: both targets", (t,)),
        Case("the simulated desk: the resolution target only", (t, "sla_resolution_met")),
        Case("a desk with follow-up calls: reopened copies are tickets too, every row counts", (_ops(),)),
    ]


# --------------------------------------------------------------------------- agents_for_target


def _erlang_c(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def _agents_for_target(arrival_rate_h: float, mean_service_h: float, target_wait_h: float, share: float = 0.8) -> int:
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while True:
        level = 1.0 - _erlang_c(c, a) * math.exp(-(c - a) * target_wait_h / mean_service_h)
        if level >= share:
            return c
        c += 1


def _agents_cases() -> list[Case]:
    return [
        Case("10 tickets an hour, 1 h each, 80% within 15 minutes", (10.0, 1.0, 0.25)),
        Case("the same with share = 0.9", (10.0, 1.0, 0.25, 0.9)),
        Case("the same with share = 0.5", (10.0, 1.0, 0.25), {"share": 0.5}),
        Case("a longer target (1 h) needs fewer agents", (10.0, 1.0, 1.0)),
        Case("target 0: the share answered at once (1 - P(wait))", (10.0, 1.0, 0.0, 0.7)),
        Case("shorter handling (0.25 h): the offered load is 2.5 Erlangs", (10.0, 0.25, 0.25)),
        Case("a small desk: 0.5 tickets an hour of 1.5 h", (0.5, 1.5, 1.0, 0.8)),
        Case("no tickets at all: one agent on duty", (0.0, 2.0, 0.5)),
        Case(
            "one agent answers exactly half the tickets at once (load 0.5, target 0): 'at least 0.5' is met",
            (0.5, 1.0, 0.0, 0.5),
        ),
        Case(
            "a load of exactly 3 Erlangs: 3 agents are not enough (the queue grows without bound)",
            (6.0, 0.5, 24.0, 0.5),
        ),
        Case("a busy contact centre: 120 calls an hour of 6 minutes, 80% in 20 seconds", (120.0, 0.1, 20 / 3600)),
        Case("the simulated desk's load: 0.6 tickets an hour of 1.8 h, P0 target 15 min, 95%", (0.6, 1.8, 0.25, 0.95)),
        Case(
            "a near miss: one agent fewer falls short of 80% by less than half a point (compare unrounded)",
            (4.0, 1.0, 1.0, 0.8),
        ),
        Case("another near miss: 8 tickets an hour of 30 minutes, 90% within 15 minutes", (8.0, 0.5, 0.25, 0.9)),
    ]


# --------------------------------------------------------------------------- reopen_rate


def _reopen_rate(tickets: pd.DataFrame) -> float:
    accepted = tickets["accepted"].astype("float64")
    asked = int(accepted.notna().sum())
    if asked == 0:
        return float("nan")
    return float((accepted == 0.0).sum() / asked)


def _followed(accepted: list[float], reopened_from: list[int] | None = None) -> pd.DataFrame:
    n = len(accepted)
    frame = pd.DataFrame({"ticket_id": np.arange(1, n + 1, dtype="int64"), "accepted": np.array(accepted, dtype=float)})
    frame["reopened_from"] = np.array(reopened_from if reopened_from is not None else [-1] * n, dtype="int64")
    return frame


@lru_cache(maxsize=1)
def _synthetic_follow_ups() -> pd.DataFrame:
    """A year of tickets: 70% followed up, 12% of those not accepted and reopened (each copy a row)."""
    rng = np.random.default_rng(66)
    n = 900
    asked = rng.random(n) < 0.7
    refused = asked & (rng.random(n) < 0.12)
    accepted = np.where(asked, np.where(refused, 0.0, 1.0), np.nan)
    frame = pd.DataFrame({"ticket_id": np.arange(1, n + 1), "customer_id": rng.integers(1, 600, n),
                          "accepted": accepted, "reopened_from": -1})  # fmt: skip
    copies = frame.loc[refused, ["ticket_id", "customer_id"]].rename(columns={"ticket_id": "reopened_from"})
    copies.insert(0, "ticket_id", np.arange(n + 1, n + 1 + len(copies)))
    copies["accepted"] = np.where(rng.random(len(copies)) < 0.8, 1.0, np.nan)
    return pd.concat([frame, copies], ignore_index=True)[["ticket_id", "customer_id", "accepted", "reopened_from"]]


def _reopen_cases() -> list[Case]:
    synthetic = _synthetic_follow_ups()
    return [
        Case("four tickets followed up, one not accepted", (_followed([1.0, 1.0, 0.0, 1.0]),)),
        Case(
            "tickets never followed up (accepted NaN) are not in the denominator",
            (_followed([1.0, np.nan, 0.0, np.nan, np.nan]),),
        ),
        Case(
            "a reopened copy that was followed up again counts like any other ticket",
            (_followed([0.0, 1.0, 0.0, 1.0], [-1, -1, 1, 3]),),
        ),
        Case(
            "a reopened copy not yet followed up is not in the denominator",
            (_followed([0.0, 1.0, 1.0, np.nan], [-1, -1, -1, 1]),),
        ),
        Case("nobody followed up: NaN", (_followed([np.nan, np.nan]),)),
        Case("everyone accepted: 0", (_followed([1.0, 1.0, 1.0]),)),
        Case("a year of tickets with follow-up calls (synthetic)", (synthetic,)),
        Case("its first 100 tickets", (synthetic.head(100),)),
        Case("a simulated year with follow-up calls and reopened tickets", (_ops(),)),
    ]


# --------------------------------------------------------------------------- agent_utilisation


def _agent_utilisation(tickets: pd.DataFrame, agents: int, hours: float) -> float:
    human = tickets[tickets["agent"] >= 0]
    busy_days = (human["resolved_t"] - human["first_response_t"]).sum()  # NaN (still open) skipped
    return float(busy_days * 24.0 / (agents * hours))


def _handled(first: list[float], resolved: list[float], agent: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": np.arange(1, len(first) + 1, dtype="int64"),
            "first_response_t": np.array(first, dtype=float),
            "resolved_t": np.array(resolved, dtype=float),
            "agent": np.array(agent, dtype="int64"),
        }
    )


def _utilisation_cases() -> list[Case]:
    t = _world()
    two = _handled([0.0, 1.0], [0.25, 1.5], [0, 1])
    return [
        Case("two tickets, 6 h and 12 h of agent time, 2 agents over 24 h", (two, 2, 24.0)),
        Case("the same tickets, 1 agent over 48 h", (two, 1, 48.0)),
        Case("the same tickets, 3 agents over 8 h (a shift)", (two, 3, 8.0)),
        Case(
            "times are in days, busy time in hours: 0.5 days is 12 agent-hours",
            (_handled([2.0], [2.5], [4]), 1, 24.0),
        ),
        Case(
            "tickets the bot contained (agent -2) are no agent time",
            (_handled([0.0, 0.0, 3.0], [0.0, 0.1, 3.2], [-2, -2, 0]), 1, 24.0),
        ),
        Case(
            "the P0 emergency team (agent -3) is staffed apart: its hours are not the desk's",
            (_handled([0.0, 1.0, 2.0], [0.5, 1.25, 2.1], [-3, 0, 1]), 2, 24.0),
        ),
        Case(
            "busy time is first response to resolution, even where `handle_h` / `handoff_t` columns are present",
            (_handled([0.0, 1.0], [0.5, 2.0], [0, 1]).assign(handle_h=[3.0, 8.0], handoff_t=[0.1, np.nan]), 2, 48.0),
        ),
        Case(
            "tickets still waiting (agent -1) or still being handled (no resolution yet) add nothing yet",
            (_handled([0.0, np.nan, 1.0], [0.5, np.nan, np.nan], [0, -1, 2]), 2, 24.0),
        ),
        Case(
            "more busy hours than staffed hours (two agents worked overtime on one shift): above 1, not capped",
            (_handled([0.0, 0.0], [0.5, 0.5], [0, 1]), 2, 8.0),
        ),
        Case("the simulated desk over a year: its agents on duty around the clock", (t, 1, 365 * 24.0)),
        Case("the same tickets against 2 agents' hours", (t, 2, 365 * 24.0)),
        Case("a busier simulated desk with chasers and reopens, 1.5 agents' hours", (_ops(), 1.5, 365 * 24.0)),
    ]


TASKS = [
    Task(
        "top_share",
        _top_share,
        _top_cases,
        Expect("number", rtol=1e-9),
        "counts = tickets[by].value_counts() (drops NaN); the top `top` counts summed / all counts; no ticket -> NaN.",
        forbidden=("sim.analysis.service.pareto",),
    ),
    Task(
        "sla_attainment",
        _sla_attainment,
        _sla_cases,
        Expect("series", rtol=1e-9),
        "tickets.groupby('severity')[column].mean() skips NA (open tickets); make the result float "
        "(`.astype(float)`); keep every severity of the table, in order P0..P3.",
        forbidden=("sim.analysis.service.complaint_dashboard",),
    ),
    Task(
        "agents_for_target",
        _agents_for_target,
        _agents_cases,
        Expect("count"),
        "A = arrival_rate_h x mean_service_h; start at c = floor(A) + 1 (c > A, at least 1); "
        "service level = 1 - C(c, A) exp(-(c - A) target / mean); return the first c with level >= share.",
        forbidden=(
            "sim.analysis.queueing.agents_needed",
            "sim.analysis.queueing.service_level",
            "sim.analysis.queueing.erlang_c",
            "sim.analysis.queueing.erlang_c_wait",
            "sim.analysis.service.staffing_table",
        ),
    ),
    Task(
        "reopen_rate",
        _reopen_rate,
        _reopen_cases,
        Expect("number", rtol=1e-9),
        "followed up = accepted is not NaN; reopened = accepted == 0; rate = reopened / followed up; "
        "nobody followed up -> NaN.",
    ),
    Task(
        "agent_utilisation",
        _agent_utilisation,
        _utilisation_cases,
        Expect("number", rtol=1e-9),
        "Keep rows with agent >= 0; busy = (resolved_t - first_response_t) in days x 24, NaN skipped; "
        "divide by agents x hours.",
        forbidden=("sim.analysis.service.utilisation",),
    ),
]
