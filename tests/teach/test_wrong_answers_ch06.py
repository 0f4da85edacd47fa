"""Wrong-answer catalogue for chapter 06: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from catalogue import chapter_tests

NOTEBOOK = "06_complaints_and_service.ipynb"
NAMESPACE = {"pd": pd, "np": np, "math": math}

# Notebook-like globals a trainee might read instead of the arguments.
tickets = pd.DataFrame({"cause": ["product"] * 5 + ["price"], "severity": ["P3"] * 6})

# =========================================================================== top_share


def divides_by_all_rows(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top).sum() / len(tickets)) if len(tickets) else float("nan")


def ignores_top(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(3).sum() / counts.sum()) if counts.sum() else float("nan")


def ignores_by(tickets, by="cause", top=3):
    counts = tickets["cause"].value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def least_frequent(tickets, by="cause", top=3):
    counts = tickets[by].value_counts(ascending=True)
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def top_plus_one(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top + 1).sum() / counts.sum()) if counts.sum() else float("nan")


def first_values_in_the_table(tickets, by="cause", top=3):
    counts = tickets[by].value_counts(sort=False)
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def alphabetical_top(tickets, by="cause", top=3):
    counts = tickets[by].value_counts().sort_index()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def percent_not_share(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(100 * counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def nan_counted_as_a_cause(tickets, by="cause", top=3):
    counts = tickets[by].value_counts(dropna=False)
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def zero_when_empty(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else 0.0


def top_cause_only(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.iloc[0] / counts.sum()) if counts.sum() else float("nan")


def reads_the_global_table(tickets_arg, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top).sum() / counts.sum())


def share_of_causes_not_tickets(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(min(top, len(counts)) / len(counts)) if len(counts) else float("nan")


def rest_not_top(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.iloc[top:].sum() / counts.sum()) if counts.sum() else float("nan")


def rounded_share(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return round(float(counts.head(top).sum() / counts.sum()), 2) if counts.sum() else float("nan")


# =========================================================================== sla_attainment


def open_tickets_as_breaches(tickets, column="sla_met"):
    return tickets[column].fillna(False).astype(float).groupby(tickets["severity"]).mean()


def open_tickets_as_met(tickets, column="sla_met"):
    return tickets[column].fillna(True).astype(float).groupby(tickets["severity"]).mean()


def ignores_column(tickets, column="sla_met"):
    return tickets.groupby("severity")["sla_met"].mean().astype(float)


def breach_share(tickets, column="sla_met"):
    return 1 - tickets.groupby("severity")[column].mean().astype(float)


def counts_not_shares(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].sum().astype(float)


def drops_unknown_severities(tickets, column="sla_met"):
    return tickets.dropna(subset=[column]).groupby("severity")[column].mean().astype(float)


def overall_share_for_every_severity(tickets, column="sla_met"):
    share = float(tickets[column].mean())
    return pd.Series(share, index=sorted(tickets["severity"].unique()))


def reverse_severity_order(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).sort_index(ascending=False)


def in_order_of_appearance(tickets, column="sla_met"):
    return tickets.groupby("severity", sort=False)[column].mean().astype(float)


def grouped_by_cause(tickets, column="sla_met"):
    return tickets.groupby("cause")[column].mean().astype(float) if "cause" in tickets else tickets[column] * 0.0


def zero_for_unknown_severities(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).fillna(0.0)


def first_response_always(tickets, column="sla_met"):
    return tickets.groupby("severity")["sla_first_response_met"].mean().astype(float)


def percent_per_severity(tickets, column="sla_met"):
    return 100 * tickets.groupby("severity")[column].mean().astype(float)


def rounded_per_severity(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).round(2)


# =========================================================================== agents_for_target


def _erlang_c(c, a):
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def _level(c, a, t, mean):
    return 1 - _erlang_c(c, a) * math.exp(-(c - a) * t / mean)


def target_in_service_units_twice(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while 1 - _erlang_c(c, a) * math.exp(-(c - a) * target_wait_h) < share:  # forgets to divide by the mean
        c += 1
    return c


def strictly_above_share(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) <= share:
        c += 1
    return c


def load_as_rate_over_mean(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h / mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return c


def mean_wait_not_service_level(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while a > 0 and _erlang_c(c, a) * mean_service_h / (c - a) > target_wait_h:
        c += 1
    return c


def p_wait_below_one_minus_share(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _erlang_c(c, a) > 1 - share:
        c += 1
    return c


def offered_load_rounded_up(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    return max(1, math.ceil(arrival_rate_h * mean_service_h))


def one_agent_too_many(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return c + 1


def starts_at_ceil_load(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.ceil(a))  # c = A agents: the queue never empties
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return c


def ignores_share(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) < 0.8:
        c += 1
    return c


def utilisation_cap_of_85(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    return max(1, math.ceil(arrival_rate_h * mean_service_h / 0.85))


def erlang_b_instead_of_c(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while True:
        b = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
        if 1 - b * math.exp(-(c - a) * target_wait_h / mean_service_h) >= share:
            return c
        c += 1


def float_count(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return float(c)


def zero_agents_without_tickets(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    if a == 0:
        return 0
    c = math.floor(a) + 1
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return c


def target_in_minutes(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h / 60, mean_service_h) < share:
        c += 1
    return c


# =========================================================================== reopen_rate


def acceptance_not_reopen(tickets):
    followed = tickets["accepted"].notna().sum()
    return float((tickets["accepted"] == 1).sum() / followed) if followed else float("nan")


def over_all_tickets(tickets):
    return float((tickets["accepted"] == 0).sum() / len(tickets)) if len(tickets) else float("nan")


def missing_as_not_accepted(tickets):
    return float(1 - tickets["accepted"].fillna(0).mean())


def missing_as_accepted(tickets):
    return float(1 - tickets["accepted"].fillna(1).mean())


def copies_left_out(tickets):
    own = tickets[tickets["reopened_from"] < 0]
    followed = own["accepted"].notna().sum()
    return float((own["accepted"] == 0).sum() / followed) if followed else float("nan")


def counts_reopened_rows(tickets):
    followed = tickets["accepted"].notna().sum()
    return float((tickets["reopened_from"] >= 0).sum() / followed) if followed else float("nan")


def zero_when_nobody_asked(tickets):
    followed = tickets["accepted"].notna().sum()
    return float((tickets["accepted"] == 0).sum() / followed) if followed else 0.0


def reopened_over_accepted(tickets):
    ok = (tickets["accepted"] == 1).sum()
    return float((tickets["accepted"] == 0).sum() / ok) if ok else float("nan")


def count_not_rate(tickets):
    return float((tickets["accepted"] == 0).sum()) if tickets["accepted"].notna().any() else float("nan")


def reopened_over_originals(tickets):
    own = tickets[tickets["reopened_from"] < 0]
    followed = own["accepted"].notna().sum()
    return float((tickets["accepted"] == 0).sum() / followed) if followed else float("nan")


def percent_reopened(tickets):
    followed = tickets["accepted"].notna().sum()
    return float(100 * (tickets["accepted"] == 0).sum() / followed) if followed else float("nan")


def distinct_tickets_reopened(tickets):
    followed = tickets["accepted"].notna().sum()
    chains = tickets.loc[tickets["reopened_from"] >= 0, "reopened_from"].nunique()
    return float(chains / followed) if followed else float("nan")


def one_minus_mean_with_nan_as_half(tickets):
    return float(1 - tickets["accepted"].fillna(0.5).mean())


# =========================================================================== agent_utilisation


def forgets_days_to_hours(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float((human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def bot_counted(tickets, agents, hours):
    return float(24 * (tickets["resolved_t"] - tickets["first_response_t"]).sum() / (agents * hours))


def ignores_agents(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / hours)


def ignores_hours(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * 24.0))


def from_opening_not_first_response(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    opened = human["opened_t"] if "opened_t" in human else human["first_response_t"] - 0.01
    return float(24 * (human["resolved_t"] - opened).sum() / (agents * hours))


def open_tickets_until_now(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    end = human["resolved_t"].fillna(tickets["resolved_t"].max())
    return float(24 * (end - human["first_response_t"]).sum() / (agents * hours))


def agents_over_zero_only(tickets, agents, hours):
    human = tickets[tickets["agent"] > 0]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def idle_share(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(1 - 24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def mean_not_sum(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).mean() / (agents * hours))


def capped_at_one(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(min(1.0, 24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours)) + 0.0)


def nan_propagates(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * np.sum((human["resolved_t"] - human["first_response_t"]).to_numpy()) / (agents * hours))


def distinct_agents_not_staffed(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    n = max(1, human["agent"].nunique())
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (n * hours))


def percent_busy(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(100 * 24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def wait_counted_as_busy(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    wait_h = human["wait_h"].fillna(0).sum() if "wait_h" in human else 1.0
    return float((24 * (human["resolved_t"] - human["first_response_t"]).sum() + wait_h) / (agents * hours))


WRONG = {
    "top_share": [divides_by_all_rows, ignores_top, ignores_by, least_frequent, top_plus_one, first_values_in_the_table,
                  alphabetical_top, percent_not_share, nan_counted_as_a_cause, zero_when_empty, top_cause_only,
                  reads_the_global_table, share_of_causes_not_tickets, rest_not_top, rounded_share],
    "sla_attainment": [open_tickets_as_breaches, open_tickets_as_met, ignores_column, breach_share, counts_not_shares,
                       drops_unknown_severities, overall_share_for_every_severity, reverse_severity_order,
                       in_order_of_appearance, grouped_by_cause, zero_for_unknown_severities, first_response_always,
                       percent_per_severity, rounded_per_severity],
    "agents_for_target": [target_in_service_units_twice, strictly_above_share, load_as_rate_over_mean,
                          mean_wait_not_service_level, p_wait_below_one_minus_share, offered_load_rounded_up,
                          one_agent_too_many, starts_at_ceil_load, ignores_share, utilisation_cap_of_85,
                          erlang_b_instead_of_c, float_count, zero_agents_without_tickets, target_in_minutes],
    "reopen_rate": [acceptance_not_reopen, over_all_tickets, missing_as_not_accepted, missing_as_accepted,
                    copies_left_out, counts_reopened_rows, zero_when_nobody_asked, reopened_over_accepted,
                    count_not_rate, reopened_over_originals, percent_reopened, distinct_tickets_reopened,
                    one_minus_mean_with_nan_as_half],
    "agent_utilisation": [forgets_days_to_hours, bot_counted, ignores_agents, ignores_hours,
                          from_opening_not_first_response, open_tickets_until_now, agents_over_zero_only, idle_share,
                          mean_not_sum, capped_at_one, nan_propagates, distinct_agents_not_staffed, percent_busy,
                          wait_counted_as_busy],
}  # fmt: skip


# =========================================================================== more wrong answers (issue 13 review)
# Tried by a reviewer after the chapter was written; the ones that first passed (a tie for first place,
# a near-miss service level, the P0 team's and `handle_h` hours) led to the cases that now reject them.


# --------------------------------------------------------------------------- top_share (issue 13 review)


def top_minus_one(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top - 1).sum() / counts.sum()) if counts.sum() else float("nan")


def top_including_ties(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.nlargest(top, keep="all").sum() / counts.sum()) if counts.sum() else float("nan")


def distinct_counts_summed(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(sum(sorted(set(counts), reverse=True)[:top]) / counts.sum()) if counts.sum() else float("nan")


def labels_as_text(tickets, by="cause", top=3):
    counts = tickets[by].apply(str).value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def nan_filled_as_other(tickets, by="cause", top=3):
    counts = tickets[by].fillna("other").value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def one_when_empty(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else 1.0


def shares_rounded_first(tickets, by="cause", top=3):
    shares = (tickets[by].value_counts(normalize=True) * 100).round() / 100
    return float(shares.head(top).sum()) if len(shares) else float("nan")


def fixed_cause_list(tickets, by="cause", top=3):
    causes = ["product", "service", "price", "communication"]
    counts = tickets[by].value_counts().reindex(causes).fillna(0)
    return float(counts.sort_values(ascending=False).head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def marks_top_rows_in_the_input(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    tickets["in_top"] = tickets[by].isin(counts.index[:top])
    return float(tickets["in_top"].sum() / counts.sum()) if counts.sum() else float("nan")


def cumulative_share_before_sorting(tickets, by="cause", top=3):
    counts = tickets[by].value_counts(sort=False)
    if counts.sum() == 0:
        return float("nan")
    cum = counts.cumsum() / counts.sum()
    return float(cum.sort_values(ascending=False).iloc[len(cum) - min(top, len(cum))])


def top_over_rest(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    rest = counts.iloc[top:].sum()
    return float(counts.head(top).sum() / rest) if rest else float("nan") if not counts.sum() else 1.0


def all_rows_denominator_keeps_nan_rows(tickets, by="cause", top=3):
    counts = tickets[by].value_counts()
    return float(counts.head(top).sum() / tickets[by].size) if len(tickets) else float("nan")


# --------------------------------------------------------------------------- sla_attainment (issue 13 review)


def dropna_whole_frame_sla(tickets, column="sla_met"):
    return tickets.dropna().groupby("severity")[column].mean().astype(float)


def sorted_by_share(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).sort_values()


def frame_not_series(tickets, column="sla_met"):
    return tickets.groupby("severity")[[column]].mean().astype(float)


def met_over_all_rows(tickets, column="sla_met"):
    met = tickets[tickets[column] == True].groupby("severity").size()  # noqa: E712
    return (met / tickets.groupby("severity").size()).astype(float)


def always_four_severities(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).reindex(["P0", "P1", "P2", "P3"])


def realistic_severities_only(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).reindex(["P1", "P2", "P3"])


def converts_the_input_column(tickets, column="sla_met"):
    tickets[column] = tickets[column].astype(float)
    return tickets.groupby("severity")[column].mean()


def met_over_missed(tickets, column="sla_met"):
    g = tickets.groupby("severity")[column]
    return (g.sum() / (g.count() - g.sum())).astype(float)


def both_targets_always(tickets, column="sla_met"):
    both = tickets["sla_first_response_met"] & tickets["sla_resolution_met"] if column == "sla_met" else tickets[column]
    return both.astype("Float64").groupby(tickets["severity"]).mean().astype(float)


def nan_severities_dropped(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).dropna()


def rounded_to_three(tickets, column="sla_met"):
    return tickets.groupby("severity")[column].mean().astype(float).round(3)


# --------------------------------------------------------------------------- agents_for_target (issue 13 review)


def _erlang_c(c, a):
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def _level(c, a, t, mean):
    return 1 - _erlang_c(c, a) * math.exp(-(c - a) * t / mean)


def returns_last_failing(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return max(1, c - 1)


def starts_at_floor_load(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a))
    while True:
        try:
            if _level(c, a, target_wait_h, mean_service_h) >= share:
                return c
        except ZeroDivisionError:
            pass
        c += 1


def starts_at_one(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = 1
    while True:
        if c != a and _level(c, a, target_wait_h, mean_service_h) >= share:
            return c
        c += 1


def rate_in_exponent(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while 1 - _erlang_c(c, a) * math.exp(-(c - a) * target_wait_h * arrival_rate_h) < share:
        c += 1
    return c


def exponent_without_load(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while 1 - _erlang_c(c, a) * math.exp(-c * target_wait_h / mean_service_h) < share:
        c += 1
    return c


def load_rounded(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = round(arrival_rate_h * mean_service_h)
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, mean_service_h) < share:
        c += 1
    return c


def level_rounded_to_percent(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while round(_level(c, a, target_wait_h, mean_service_h), 2) < share:
        c += 1
    return c


def sum_to_c_inclusive(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while True:
        top = a**c / math.factorial(c) * c / (c - a)
        p = top / (sum(a**k / math.factorial(k) for k in range(c + 1)) + top)
        if 1 - p * math.exp(-(c - a) * target_wait_h / mean_service_h) >= share:
            return c
        c += 1


def erlang_c_forgot_b_term(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while True:
        b = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
        p = min(1.0, c * b / (c - a))
        if 1 - p * math.exp(-(c - a) * target_wait_h / mean_service_h) >= share:
            return c
        c += 1


def share_as_percent(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while 100 * _level(c, a, target_wait_h, mean_service_h) < share * 100 - 0.5:
        c += 1
    return c


def swapped_rate_and_mean(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while _level(c, a, target_wait_h, arrival_rate_h or 1.0) < share:
        c += 1
    return c


# --------------------------------------------------------------------------- reopen_rate (issue 13 review)


def copies_over_originals(tickets):
    own = (tickets["reopened_from"] < 0).sum()
    return float((tickets["reopened_from"] >= 0).sum() / own) if tickets["accepted"].notna().any() else float("nan")


def not_one_counts_nan(tickets):
    followed = tickets["accepted"].notna().sum()
    return float((tickets["accepted"] != 1).sum() / followed) if followed else float("nan")


def originals_over_all_followed(tickets):
    followed = tickets["accepted"].notna().sum()
    own = tickets[tickets["reopened_from"] < 0]
    return float((own["accepted"] == 0).sum() / followed) if followed else float("nan")


def normalize_lookup(tickets):
    shares = tickets["accepted"].value_counts(normalize=True)
    return float(shares[0.0]) if len(shares) else float("nan")


def flags_reopened_in_the_input(tickets):
    tickets["reopened"] = tickets["accepted"] == 0
    followed = tickets["accepted"].notna().sum()
    return float(tickets["reopened"].sum() / followed) if followed else float("nan")


def rounded_rate(tickets):
    asked = tickets["accepted"].dropna()
    return round(float((asked == 0).mean()), 3) if len(asked) else float("nan")


def reopened_row_share(tickets):
    if not tickets["accepted"].notna().any():
        return float("nan")
    return float((tickets["reopened_from"] >= 0).mean())


def hard_coded_twelve_percent(tickets):
    return 0.12 if tickets["accepted"].notna().any() else float("nan")


def copies_always_in_denominator(tickets):
    followed = (tickets["accepted"].notna() | (tickets["reopened_from"] >= 0)).sum()
    return float((tickets["accepted"] == 0).sum() / followed) if tickets["accepted"].notna().any() else float("nan")


def last_row_per_chain(tickets):
    root = tickets["reopened_from"].where(tickets["reopened_from"] >= 0, tickets["ticket_id"])
    last = tickets.assign(root=root).groupby("root").tail(1)
    asked = last["accepted"].dropna()
    return float((asked == 0).mean()) if len(asked) else float("nan")


# --------------------------------------------------------------------------- agent_utilisation (issue 13 review)


def calendar_span_not_staffed(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    busy = 24 * (human["resolved_t"] - human["first_response_t"]).sum()
    span = 24 * (human["resolved_t"].max() - human["first_response_t"].min())
    return float(busy / (agents * span)) if span > 0 else float("nan")


def only_bot_left_out(tickets, agents, hours):
    human = tickets[tickets["agent"] != -2]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def minutes_not_hours(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * 60 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def hours_rounded_per_ticket(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float((24 * (human["resolved_t"] - human["first_response_t"])).round().sum() / (agents * hours))


def agents_as_int(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (int(agents) * hours))


def dropna_whole_frame_busy(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0].dropna()
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def staffed_hours_times_24(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours * 24))


def adds_a_column(tickets, agents, hours):
    tickets["busy_h"] = 24 * (tickets["resolved_t"] - tickets["first_response_t"])
    return float(tickets.loc[tickets["agent"] >= 0, "busy_h"].sum() / (agents * hours))


def uses_handle_h(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    if "handle_h" in human:
        return float(human["handle_h"].sum() / (agents * hours))
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def resolution_h_column(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    if "resolution_h" in human:
        return float(human["resolution_h"].sum() / (agents * hours))
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def excludes_reopened_copies(tickets, agents, hours):
    human = tickets[(tickets["agent"] >= 0) & (tickets["reopened_from"] < 0 if "reopened_from" in tickets else True)]
    return float(24 * (human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours))


def hours_as_days(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    return float((human["resolved_t"] - human["first_response_t"]).sum() / (agents * hours / 24) / 24)


def drops_chasers_and_reopens(tickets, by="cause", top=3):
    t = tickets
    if "chaser_of" in t:
        t = t[(t["chaser_of"] < 0) & (t["reopened_from"] < 0)]
    counts = t[by].value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def counts_customers_not_tickets(tickets, by="cause", top=3):
    t = tickets.drop_duplicates("customer_id") if "customer_id" in tickets else tickets
    counts = t[by].value_counts()
    return float(counts.head(top).sum() / counts.sum()) if counts.sum() else float("nan")


def sla_without_reopened_copies(tickets, column="sla_met"):
    t = tickets[tickets["reopened_from"] < 0] if "reopened_from" in tickets else tickets
    return t.groupby("severity")[column].mean().astype(float)


def exponent_times_mean(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = max(1, math.floor(a) + 1)
    while 1 - _erlang_c(c, a) * math.exp(-(c - a) * target_wait_h * mean_service_h) < share:
        c += 1
    return c


def busy_from_handoff(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0]
    start = human["handoff_t"].fillna(human["first_response_t"]) if "handoff_t" in human else human["first_response_t"]
    return float(24 * (human["resolved_t"] - start).sum() / (agents * hours))


MORE_WRONG = {
    "top_share": [
        drops_chasers_and_reopens,
        counts_customers_not_tickets,
        top_minus_one,
        top_including_ties,
        distinct_counts_summed,
        labels_as_text,
        nan_filled_as_other,
        one_when_empty,
        shares_rounded_first,
        fixed_cause_list,
        marks_top_rows_in_the_input,
        cumulative_share_before_sorting,
        top_over_rest,
        all_rows_denominator_keeps_nan_rows,
    ],
    "sla_attainment": [
        sla_without_reopened_copies,
        dropna_whole_frame_sla,
        sorted_by_share,
        frame_not_series,
        met_over_all_rows,
        always_four_severities,
        realistic_severities_only,
        converts_the_input_column,
        met_over_missed,
        both_targets_always,
        nan_severities_dropped,
        rounded_to_three,
    ],
    "agents_for_target": [
        exponent_times_mean,
        returns_last_failing,
        rate_in_exponent,
        exponent_without_load,
        load_rounded,
        level_rounded_to_percent,
        sum_to_c_inclusive,
        erlang_c_forgot_b_term,
        share_as_percent,
        swapped_rate_and_mean,
    ],
    "reopen_rate": [
        copies_over_originals,
        not_one_counts_nan,
        originals_over_all_followed,
        normalize_lookup,
        flags_reopened_in_the_input,
        rounded_rate,
        reopened_row_share,
        hard_coded_twelve_percent,
        copies_always_in_denominator,
        last_row_per_chain,
    ],
    "agent_utilisation": [
        busy_from_handoff,
        calendar_span_not_staffed,
        only_bot_left_out,
        minutes_not_hours,
        hours_rounded_per_ticket,
        agents_as_int,
        dropna_whole_frame_busy,
        staffed_hours_times_24,
        adds_a_column,
        uses_handle_h,
        resolution_h_column,
        excludes_reopened_copies,
        hours_as_days,
    ],
}
for _task, _funcs in MORE_WRONG.items():
    WRONG[_task] = WRONG[_task] + _funcs
del _task, _funcs

# =========================================================================== other correct ways


def top_share_with_numpy(tickets, by="cause", top=3):
    values = tickets[by].dropna().to_numpy()
    if len(values) == 0:
        return float("nan")
    _, counts = np.unique(values.astype(str), return_counts=True)
    return float(np.sort(counts)[::-1][:top].sum() / len(values))


def top_share_with_nlargest(tickets, by="cause", top=3):
    counts = tickets.groupby(by).size()
    return float(counts.nlargest(top).sum() / counts.sum()) if len(counts) else float("nan")


def sla_with_a_loop(tickets, column="sla_met"):
    out = {}
    for sev in sorted(tickets["severity"].unique()):
        known = tickets.loc[tickets["severity"] == sev, column].dropna()
        out[sev] = float(known.astype(bool).mean()) if len(known) else float("nan")
    return pd.Series(out)


def sla_with_agg(tickets, column="sla_met"):
    g = tickets.assign(ok=tickets[column].astype("Float64")).groupby("severity")["ok"]
    return (g.sum() / g.count()).astype(float)


def agents_with_recursion(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    c = 1
    while True:
        if c > a:
            b = 1.0
            for k in range(1, c + 1):
                b = a * b / (k + a * b)
            p_wait = c * b / (c - a * (1 - b))
            if 1 - p_wait * np.exp(-(c - a) * target_wait_h / mean_service_h) >= share:
                return c
        c += 1


def agents_with_numpy_int(arrival_rate_h, mean_service_h, target_wait_h, share=0.8):
    a = arrival_rate_h * mean_service_h
    for c in np.arange(max(1, int(a) + 1), 10_000):
        c = int(c)
        if _level(c, a, target_wait_h, mean_service_h) >= share:
            return np.int64(c)


def reopen_with_mean(tickets):
    asked = tickets["accepted"].dropna()
    return float((asked == 0).mean()) if len(asked) else float("nan")


def reopen_one_minus_mean(tickets):
    return float(1 - tickets["accepted"].mean())  # mean skips NaN; all NaN gives NaN


def utilisation_with_query(tickets, agents, hours):
    done = tickets.query("agent >= 0").dropna(subset=["resolved_t"])
    return float((done["resolved_t"] - done["first_response_t"]).sum() * 24 / agents / hours)


def utilisation_with_numpy(tickets, agents, hours):
    t = tickets[tickets["agent"].to_numpy() >= 0]
    return float(np.nansum(t["resolved_t"].to_numpy() - t["first_response_t"].to_numpy()) * 24 / (agents * hours))


def utilisation_per_agent_summed(tickets, agents, hours):
    human = tickets[tickets["agent"] >= 0].assign(b=24 * (tickets["resolved_t"] - tickets["first_response_t"]))
    per = human.groupby("agent")["b"].sum() / hours
    return float(per.sum() / agents) if len(per) else 0.0


RIGHT = {
    "top_share": [top_share_with_numpy, top_share_with_nlargest],
    "sla_attainment": [sla_with_a_loop, sla_with_agg],
    "agents_for_target": [agents_with_recursion, agents_with_numpy_int],
    "reopen_rate": [reopen_with_mean, reopen_one_minus_mean],
    "agent_utilisation": [utilisation_with_query, utilisation_with_numpy, utilisation_per_agent_summed],
}

globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
