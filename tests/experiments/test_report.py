"""The comparison report and summary on a real small compare: pooled shares against the simulator's own
tickets (ground truth), flags, and what the HTML says."""

from __future__ import annotations

import re

import numpy as np
import pytest

import sim
from sim.experiments import compare, replication_seeds
from sim.experiments.report import comparison_notes, comparison_report
from sim.experiments.stats import MIN_EVENTS, is_share, wilson_ci

KW = dict(replications=2, customers=500, days=365, seed=9, progress=False)


@pytest.fixture(scope="module")
def cmp():
    return compare("baseline", ["do_nothing", "service_first"], **KW)


def test_pooled_p0_share_matches_the_tickets_of_the_runs(cmp):
    """Ground truth: re-run the replication seeds and count resolved P0 tickets meeting the SLA."""
    met = decided = 0
    for seed in replication_seeds(KW["seed"], KW["replications"]):
        res = sim.run("baseline", "do_nothing", customers=KW["customers"], days=KW["days"], seed=seed)
        d = res.tickets.loc[res.tickets["severity"] == "P0", "sla_met"].dropna()
        met, decided = met + int(d.astype(bool).sum()), decided + len(d)
    r = cmp.summary.set_index(["policy", "kpi"]).loc[("do_nothing", "sla_met_P0")]
    assert r["events"] == decided and bool(r["few_events"]) == (decided < MIN_EVENTS)
    if decided:
        assert r["mean"] == pytest.approx(met / decided)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx(wilson_ci(met, decided))


def test_every_share_interval_of_a_real_compare_is_inside_0_1(cmp):
    s = cmp.summary[cmp.summary["kpi"].map(is_share)]
    assert len(s) >= 2 * 8
    lo, hi = s["ci_low"].dropna(), s["ci_high"].dropna()
    assert ((lo >= 0) & (hi <= 1)).all()
    d = s.dropna(subset=["diff_ci_low"])
    assert ((d["diff_ci_low"] >= -1) & (d["diff_ci_high"] <= 1)).all()
    # counts travel with the replications and are not KPIs of the summary
    assert "n_sla_met_P0" in cmp.replications.columns and "n_sla_met_P0" not in set(cmp.summary["kpi"])


def test_report_prints_pp_flags_few_events_and_hides_noisy_ratios(cmp):
    html = comparison_report(cmp)
    notes = comparison_notes(cmp)
    s = cmp.summary.set_index(["policy", "kpi"])
    p0 = s.loc[("do_nothing", "sla_met_P0")]
    if p0["few_events"]:
        assert any(n.startswith(f"sla_met_P0: n={int(p0['events'])} ") for n in notes["few_events"])
        assert "≥30 needed for a reliable share" in html
    diff = s.loc[("service_first", "sla_met_rate"), "diff"]
    assert f"{100 * diff:+.1f}\u00a0pp" in html  # share differences in percentage points
    suppressed = [k for (a, k), r in s.iterrows() if a == "service_first" and r["rel_suppressed"]]
    assert len(notes["relative"]) == len(suppressed)
    for kpi in suppressed:
        row = re.search(rf"<b>{kpi}</b>.*?</tr>\s*<tr[^>]*>(.*?)</tr>", html, re.S).group(1)
        assert "—<sup>a</sup>" in row, kpi
    shown = [k for (a, k), r in s.iterrows() if a == "service_first" and not r["rel_suppressed"]]
    assert any(np.isfinite(s.loc[("service_first", k), "rel_diff"]) for k in shown)
    assert "Wilson score interval" in html and "Newcombe" in html
