"""The what-if panel's wiring (``sim.widgets``), in plain pytest without a kernel.

A control is moved exactly as a user would move it (``control.value = ...`` fires the
ipywidgets observer), and what the panel then shows (``result``, ``readout``, ``figure``,
``status``) is checked against the comparison it ran. Runs are counted by wrapping
``sim.widgets.compare``, so a cached setting that silently re-ran would fail.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import sim
import sim.widgets as widgets
from sim.config.ranges import field_ranges
from sim.errors import ConfigError
from sim.widgets import WhatIf, lever_range, what_if

SMALL = {"customers": 150, "days": 60.0, "replications": 2}
AGENTS = "policy.service.extra_agents"


@pytest.fixture
def calls(monkeypatch):
    """Count the comparisons the panel really runs (the real ``compare`` still runs)."""
    seen: list[dict] = []
    real = widgets.compare

    def counting(scenario, arms, **kw):
        seen.append(arms)
        return real(scenario, arms, **kw)

    monkeypatch.setattr(widgets, "compare", counting)
    return seen


def _panel(**kw) -> WhatIf:
    opts = {**SMALL, "kpis": ["profit", "mean_wait_h", "sla_met_rate"], **kw}
    return what_if("baseline", "do_nothing", {AGENTS: (0, 4, 1)}, **opts)


@pytest.mark.timeout(120)
def test_moving_a_slider_recomputes_and_going_back_is_cached(calls):
    panel = _panel()
    assert len(calls) == 1 and panel.runs == 1
    first, first_text = panel.result, panel.readout
    assert first.arms["what-if"][1].service.extra_agents == 0
    assert "still the baseline" in panel.status.value

    panel.controls[AGENTS].value = 3  # what the slider does when a user lets go of it
    assert len(calls) == 2 and panel.runs == 2
    assert panel.result is not first
    assert panel.result.arms["what-if"][1].service.extra_agents == 3
    assert panel.result.arms["baseline"][1].service.extra_agents == 0
    assert panel.readout != first_text
    # common random numbers: replication k has one seed in both arms
    reps = panel.result.replications
    assert reps.groupby("replication")["seed"].nunique().max() == 1
    # three more agents on the payroll cost money: profit falls, and the readout says so
    s = panel.result.summary.set_index(["policy", "kpi"])
    assert s.loc[("what-if", "profit"), "diff_ci_high"] < 0
    assert "clearly lower" in panel.readout.splitlines()[0]

    panel.controls[AGENTS].value = 0  # back to a setting already run: no new run
    assert len(calls) == 2 and panel.runs == 2
    assert panel.result is first and panel.readout == first_text
    assert panel.status.value.startswith("cached")


@pytest.mark.timeout(120)
def test_cache_is_least_recently_used(calls):
    panel = _panel(cache_size=2)
    for v in (1, 2):  # cache: {1, 2}; 0 is pushed out
        panel.controls[AGENTS].value = v
    assert len(calls) == 3
    panel.controls[AGENTS].value = 1  # cached, and now the most recent
    assert len(calls) == 3
    panel.controls[AGENTS].value = 0  # was evicted: runs again (pushes out 2)
    assert len(calls) == 4
    panel.controls[AGENTS].value = 1
    assert len(calls) == 4
    panel.controls[AGENTS].value = 2
    assert len(calls) == 5


@pytest.mark.timeout(120)
def test_set_moves_several_controls_with_one_run(calls):
    panel = what_if(
        "baseline",
        None,
        {AGENTS: (0, 3, 1), "policy.service.follow_up.enabled": [False, True], "scenario.desk.agents": (1, 3, 1)},
        run_now=False,
        **SMALL,
    )
    assert calls == [] and panel.result is None and panel.readout == ""
    assert panel.set({"scenario.desk.agents": 2}, extra_agents=1, enabled=True) is panel
    assert len(calls) == 1
    sc, pol = panel.result.arms["what-if"]
    assert (sc.desk.agents, pol.service.extra_agents, pol.service.follow_up.enabled) == (2, 1, True)
    base_sc, base_pol = panel.result.arms["baseline"]
    assert base_sc.desk.agents == sim.Scenario.load("baseline").desk.agents
    assert base_pol == sim.Policy()
    assert panel.values == {AGENTS: 1, "policy.service.follow_up.enabled": True, "scenario.desk.agents": 2}
    with pytest.raises(ConfigError, match="outside the slider"):
        panel.set(extra_agents=9)
    with pytest.raises(ConfigError, match="not an option"):
        panel.set(enabled="yes")
    with pytest.raises(ConfigError, match="not a lever"):
        panel.set(agents_total=1)
    assert len(calls) == 1


def test_readout_is_the_paired_difference_in_plain_words():
    panel = _panel(run_now=False, customers=400, days=180.0, replications=4)
    panel.set(extra_agents=2)
    s = panel.result.summary.set_index(["policy", "kpi"])
    lines = dict(zip(panel.kpis, panel.readout.splitlines()))
    # profit: relative to the baseline's mean, with the paired CI in the same terms
    base = s.loc[("baseline", "profit"), "mean"]
    row = s.loc[("what-if", "profit")]
    assert not row["rel_suppressed"]  # at this size the baseline's profit is clearly away from 0
    m = re.fullmatch(r"([+-]\d+\.\d)% profit \(95% CI ([+-]\d+\.\d)% to ([+-]\d+\.\d)%\) — .*", lines["profit"])
    assert m, lines["profit"]
    for got, want in zip(m.groups(), (row["diff"], row["diff_ci_low"], row["diff_ci_high"])):
        assert float(got) == pytest.approx(100 * want / abs(base), abs=0.051)
    assert float(m[2]) <= float(m[1]) <= float(m[3])
    # a share: percentage points
    m = re.fullmatch(
        r"([+-]\d+\.\d) pp sla_met_rate \(95% CI ([+-]\d+\.\d) to ([+-]\d+\.\d) pp\) — .*", lines["sla_met_rate"]
    )
    assert m, lines["sla_met_rate"]
    assert float(m[1]) == pytest.approx(100 * s.loc[("what-if", "sla_met_rate"), "diff"], abs=0.051)
    # a KPI whose baseline is small against its own CI: the absolute difference in its unit
    wait = s.loc[("what-if", "mean_wait_h")]
    if wait["rel_suppressed"]:
        assert lines["mean_wait_h"].endswith(
            ("hours) — clearly lower than the baseline", "hours) — not distinguishable from the baseline at this size")
        ), lines["mean_wait_h"]
        assert " hours mean_wait_h (95% CI " in lines["mean_wait_h"]
    assert wait["diff"] <= 0  # more agents never make the same customers wait longer (same seeds)


def test_plot_has_title_units_and_the_confidence_intervals():
    panel = _panel(run_now=False)
    panel.set(extra_agents=1)
    fig = panel.figure
    assert bytes(panel.image.value).startswith(b"\x89PNG")  # what the panel shows: this figure as a PNG
    assert "vs baseline" in fig._suptitle.get_text() and "95% CI" in fig._suptitle.get_text()
    assert [ax.get_ylabel() for ax in fig.axes] == ["profit (CNY)", "mean_wait_h (hours)", "sla_met_rate (%)"]
    s = panel.result.summary.set_index(["policy", "kpi"])
    for ax, kpi, factor in zip(fig.axes, panel.kpis, (1.0, 1.0, 100.0)):
        assert ax.get_title() == kpi
        (bars,) = [c for c in ax.containers if type(c).__name__ == "ErrorbarContainer"]
        assert bars.get_label() == "95% CI"
        segments = bars.lines[2][0].get_segments()
        for seg, arm in zip(segments, ("baseline", "what-if")):
            lo, hi = sorted(seg[:, 1])
            assert lo == pytest.approx(s.loc[(arm, kpi), "ci_low"] * factor)
            assert hi == pytest.approx(s.loc[(arm, kpi), "ci_high"] * factor)
            assert lo <= s.loc[(arm, kpi), "mean"] * factor <= hi


def test_a_failing_run_shows_its_error_in_the_panel(monkeypatch):
    def broken(*args, **kw):
        raise ConfigError("desk.agents=0 is not allowed: give at least 1 agent")

    monkeypatch.setattr(widgets, "compare", broken)
    panel = _panel()  # must not raise
    assert panel.result is None and panel.readout == "" and bytes(panel.image.value) == b""
    assert panel.error == "ConfigError: desk.agents=0 is not allowed: give at least 1 agent"
    assert "desk.agents=0 is not allowed" in panel.status.value and "Traceback" not in panel.status.value
    with pytest.raises(ConfigError, match="last run failed"):
        panel.plot()


@pytest.mark.timeout(120)
def test_a_setting_the_configuration_refuses_is_shown_not_raised(calls):
    lever = "scenario.desk.sla.P3.first_response_h"
    panel = what_if("baseline", None, {lever: (1.0, 48.0, 1.0)}, **SMALL)
    start, first = panel.values[lever], panel.result
    resolution = sim.Scenario.load("baseline").desk.sla["P3"].resolution_h
    panel.controls[lever].value = resolution + 6.0  # first response after the resolution target
    assert panel.result is None and panel.readout == ""
    assert (
        panel.error.startswith("ConfigError:") and "resolution_h" in panel.error and "first_response_h" in panel.error
    )
    assert "resolution_h" in panel.status.value
    assert len(calls) == 1  # the arms were refused before anything ran
    panel.controls[lever].value = start  # back: the cached comparison returns, the error is gone
    assert panel.result is first and panel.error == "" and len(calls) == 1


@pytest.mark.parametrize(
    ("levers", "message"),
    [
        ({"policy.service.no_such_lever": (0, 3, 1)}, "unknown policy field"),
        ({"world.desk.agents": (1, 3, 1)}, "start it with 'scenario.' or 'policy.'"),
        ({AGENTS: (-1, 3, 1)}, r"documented range of service.extra_agents: allowed \[0, 10000\]"),
        ({AGENTS: (0, 20_000, 1)}, "documented range"),
        ({"scenario.spend.q": (1.0, 3.0, 0.5)}, r"allowed \(1, 1000\]"),  # open lower end
        ({AGENTS: (0, 3, 0.5)}, "whole number"),
        ({AGENTS: (3, 0, 1)}, "low < high"),
        ({AGENTS: (0, 3, 0)}, "step > 0"),
        ({AGENTS: (1, 3, 1)}, "current value 0 .* is outside"),
        ({AGENTS: 3}, "give \\(low, high, step\\)"),
        ({"policy.service.follow_up.enabled": [True]}, "not among the options"),
        ({"policy.tiering.method": ["none", "astrology"]}, "option 'astrology' is refused"),
        ({"scenario.name": (0, 1, 1)}, "not a numeric scenario field"),
        ({}, "give a dict"),
    ],
)
def test_bad_levers_fail_at_construction(levers, message, calls):
    with pytest.raises(ConfigError, match=message):
        WhatIf("baseline", "do_nothing", levers, **SMALL)
    assert calls == []


def test_bad_sizes_and_kpis_fail_at_construction(calls):
    with pytest.raises(ConfigError, match="unknown KPI"):
        _panel(kpis=["happiness"])
    with pytest.raises(ConfigError, match="at least 2"):
        _panel(replications=1)
    with pytest.raises(ConfigError, match="cache_size"):
        _panel(cache_size=0)
    assert calls == []


def _fmt(x: float | None, kind: str) -> str:
    """A bound as the ranges table prints it (whole numbers in full, others with ``:g``)."""
    if x is None:
        return "…"
    return str(int(x)) if kind == "whole number" or (abs(x) < 1e6 and x.is_integer()) else f"{x:g}"


def test_lever_ranges_are_the_documented_ones():
    for which in ("scenario", "policy"):
        for r in field_ranges(which):
            if "*" in r.path or "[]" in r.path:
                continue
            kind, lo, lo_in, hi, hi_in = lever_range(f"{which}.{r.path}")
            left, right = ("[" if lo_in else "(") + _fmt(lo, kind), _fmt(hi, kind) + ("]" if hi_in else ")")
            assert (kind, f"{left}, {right}") == (r.kind, r.allowed), r
    # a user-named key (a severity) matches its '*' row
    assert lever_range("scenario.desk.sla.P0.first_response_h") == lever_range("scenario.desk.sla.P3.first_response_h")


def test_controls_do_not_update_while_dragging_and_the_panel_displays():
    import ipywidgets as w

    panel = what_if(
        "baseline",
        None,
        {AGENTS: (0, 3, 1), "scenario.desk.sla.P3.resolution_h": (12.0, 48.0, 6.0)},
        run_now=False,
        **SMALL,
    )
    a, b = panel.controls.values()
    assert isinstance(a, w.IntSlider) and isinstance(b, w.FloatSlider)
    assert not a.continuous_update and not b.continuous_update
    assert (a.min, a.max, a.step) == (0, 3, 1) and b.value == sim.Scenario.load("baseline").desk.sla["P3"].resolution_h
    assert isinstance(panel.widget, w.VBox) and panel.status in panel.widget.children
    assert "application/vnd.jupyter.widget-view+json" in panel._repr_mimebundle_()


@pytest.mark.timeout(60)
def test_import_sim_stays_light_and_widgets_is_reachable():
    code = (
        "import sys, sim\n"
        "assert 'ipywidgets' not in sys.modules and 'sim.widgets' not in sys.modules\n"
        "assert callable(sim.widgets.what_if) and 'ipywidgets' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
