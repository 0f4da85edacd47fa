"""Shares in experiment summaries: Wilson / Newcombe on pooled counts, pp differences, few-event flags,
and relative differences against an imprecise base."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from sim.experiments.stats import (
    MIN_EVENTS,
    REL_BASE_MAX_HALF_WIDTH,
    is_count,
    newcombe_diff_ci,
    pooled_counts,
    summarize,
    wilson_ci,
    with_counts,
)
from sim.formatting import few_events_note, format_relative, format_value


def _wilson_closed_form(k: float, n: float, conf: float = 0.95) -> tuple[float, float]:
    z = sps.norm.ppf(0.5 + conf / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 4), (4, 4), (2, 3), (9, 11), (0, 250), (37, 40)])
def test_wilson_matches_the_closed_form_and_statsmodels_and_stays_in_0_1(k, n):
    lo, hi = wilson_ci(k, n)
    assert (lo, hi) == pytest.approx(_wilson_closed_form(k, n), abs=1e-12)
    assert (lo, hi) == pytest.approx(proportion_confint(k, n, alpha=0.05, method="wilson"), abs=1e-12)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert wilson_ci(k, n, 0.99)[1] - wilson_ci(k, n, 0.99)[0] > hi - lo  # higher level, wider
    assert all(math.isnan(v) for v in wilson_ci(0, 0))


@pytest.mark.parametrize(("s1", "n1", "s0", "n0"), [(8, 10, 2, 10), (0, 5, 0, 7), (5, 5, 0, 3), (3, 11, 9, 11)])
def test_newcombe_difference_matches_its_closed_form(s1, n1, s0, n0):
    """Newcombe (1998) method 10: built from the two Wilson intervals."""
    p1, p0 = s1 / n1, s0 / n0
    l1, u1 = _wilson_closed_form(s1, n1)
    l0, u0 = _wilson_closed_form(s0, n0)
    d = p1 - p0
    expected = (d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))
    lo, hi = newcombe_diff_ci(s1, n1, s0, n0)
    assert (lo, hi) == pytest.approx(expected, abs=1e-9)
    assert -1.0 <= lo <= d <= hi <= 1.0


def _share_table(arms: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """One row per arm x replication: sla_met_P0 = successes / trials (NaN with no ticket) and its count."""
    rows = []
    for arm, reps in arms.items():
        for r, (k, n) in enumerate(reps):
            rows.append({"policy": arm, "replication": r, "sla_met_P0": k / n if n else np.nan, "n_sla_met_P0": n})
    return pd.DataFrame(rows)


def test_the_issue_case_gets_a_pooled_interval_inside_0_1_and_a_pp_difference():
    """P0 SLA 66.7% [-8.3%, 141.7%] came from t-intervals on 4 replications of 1-4 tickets."""
    t = _share_table({"base": [(1, 1), (1, 2), (0, 1), (2, 2)], "more": [(1, 1), (2, 2), (1, 1), (2, 3)]})
    s = summarize(t, baseline="base").set_index("policy")
    base, more = s.loc["base"], s.loc["more"]
    assert base["mean"] == pytest.approx(4 / 6) and more["mean"] == pytest.approx(6 / 7)
    assert (base["ci_low"], base["ci_high"]) == pytest.approx(_wilson_closed_form(4, 6))
    assert base["method"] == "wilson" and base["events"] == 6 and more["events"] == 7
    assert more["diff"] == pytest.approx(6 / 7 - 4 / 6)  # a difference of shares ...
    assert (more["diff_ci_low"], more["diff_ci_high"]) == pytest.approx(newcombe_diff_ci(6, 7, 4, 6))
    assert format_value(more["diff"], "share", signed=True) == "+19.0 pp"  # ... printed in percentage points
    assert base["few_events"] and more["few_events"]
    assert math.isnan(more["welch_ci_low"])  # the pooled interval is already unpaired
    # the t-interval on the per-replication shares leaves [0, 1]; ours does not
    t_lo, t_hi = sps.ttest_1samp([1, 0.5, 0, 1], 0).confidence_interval()
    assert t_lo < 0 or t_hi > 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=5),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=5),
)
def test_share_intervals_stay_in_0_1_for_any_tiny_counts(a, b):
    a = [(min(k, n), n) for k, n in a]
    b = [(min(k, n), n) for k, n in b]
    t = _share_table({"a": a, "b": b})
    s = summarize(t, baseline="a").set_index("policy")
    for arm, reps in (("a", a), ("b", b)):
        k, n = sum(x for x, _ in reps), sum(m for _, m in reps)
        r = s.loc[arm]
        assert r["events"] == n and bool(r["few_events"]) == (n < MIN_EVENTS or sum(m for _, m in a) < MIN_EVENTS)
        if n == 0:
            assert math.isnan(r["mean"]) and math.isnan(r["ci_low"])
            continue
        assert r["mean"] == pytest.approx(k / n)
        assert 0.0 <= r["ci_low"] <= r["mean"] <= r["ci_high"] <= 1.0
    d = s.loc["b"]
    if not math.isnan(d["diff_ci_low"]):
        assert -1.0 <= d["diff_ci_low"] <= d["diff"] <= d["diff_ci_high"] <= 1.0


def test_enough_events_are_not_flagged_and_the_note_says_what_is_needed():
    t = _share_table({"a": [(20, 25), (22, 25)], "b": [(12, 14), (13, 14)]})
    s = summarize(t, baseline="a").set_index("policy")
    assert not s.loc["a", "few_events"]  # 50 events, but ...
    assert s.loc["b", "few_events"]  # ... b rests on 28
    note = few_events_note("sla_met_P0", 28, "resolved P0 tickets", needed=MIN_EVENTS, replications=2)
    assert note.startswith("sla_met_P0: n=28 resolved P0 tickets; ≥30 needed")
    assert "about 3 replications" in note  # ceil(30 * 2 / 28)


def test_pooled_counts_skip_replications_without_events():
    assert pooled_counts([0.5, np.nan, 1.0], [2, 0, 3]) == (4.0, 5.0)


def test_a_share_without_counts_gets_a_clipped_t_interval_and_says_so():
    t = pd.DataFrame({"policy": ["a"] * 4, "replication": range(4), "sla_met_P0": [1.0, 0.5, 0.0, 1.0]})
    r = summarize(t).iloc[0]
    assert 0.0 == r["ci_low"] and r["ci_high"] == 1.0 and "clipped" in r["method"]


def _money_table(base: list[float], arm: list[float]) -> pd.DataFrame:
    n = len(base)
    return pd.DataFrame({"policy": ["base"] * n + ["arm"] * n, "replication": list(range(n)) * 2, "profit": base + arm})


def test_relative_difference_against_an_imprecise_base_is_flagged_and_not_printed():
    """Base profit 26,525 with a CI from about -16,600 to 69,600: -377% would be noise."""
    base = [5_000.0, 60_000.0, -10_000.0, 51_100.0]
    s = summarize(_money_table(base, [b - 100_000 for b in base]), baseline="base").set_index("policy")
    r, b = s.loc["arm"], s.loc["base"]
    assert b["ci_low"] < 0 < b["ci_high"]
    assert r["rel_suppressed"] and r["rel_diff"] == pytest.approx(-100_000 / abs(np.mean(base)))
    assert format_relative(r["rel_diff"], r["rel_suppressed"]) == "—"
    assert not b["rel_suppressed"]


def test_the_suppression_threshold_is_the_documented_half_width_rule():
    """Base values m ± e over 3 replications: t half-width = t(0.975, 2) * e; shown iff half <= 0.5 |m|."""
    crit = sps.t.ppf(0.975, 2)
    for m, e in ((100.0, 10.0), (100.0, 30.0), (-100.0, 10.0)):
        base = [m - e, m, m + e]
        s = summarize(_money_table(base, [v + 5 for v in base]), baseline="base").set_index("policy")
        weak = crit * e > REL_BASE_MAX_HALF_WIDTH * abs(m)
        assert bool(s.loc["arm", "rel_suppressed"]) == weak, (m, e)
        shown = format_relative(s.loc["arm", "rel_diff"], s.loc["arm", "rel_suppressed"])
        assert shown == ("—" if weak else f"{5 / abs(m):+.1%}")


def test_count_columns_are_not_kpis():
    assert is_count("n_sla_met_P0") and not is_count("sla_met_P0") and not is_count("n_profit")
    assert with_counts(["profit", "csat"]) == ["profit", "csat", "n_csat"] and with_counts(None) is None
    t = _share_table({"a": [(1, 2), (2, 2)]})
    assert summarize(t)["kpi"].tolist() == ["sla_met_P0"]
