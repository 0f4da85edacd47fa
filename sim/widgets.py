"""Live what-if panels for the notebooks: sliders on a few levers, a fair comparison on every change.

:class:`WhatIf` (or the shorthand :func:`what_if`) builds an ipywidgets panel for a scenario and
a policy: one control per *lever* (a dotted path into the scenario or the policy), a status line,
a plot of the chosen KPIs with confidence intervals and a "compare with baseline" readout. Every
change of a control re-runs :func:`sim.experiments.compare` of the baseline against the modified
arm under common random numbers (replication ``k`` uses the same seed in both arms), at a small
size so an answer comes in a few seconds. Results are cached by lever values (least recently
used first out), so moving back to a setting is instant.

A lever is ``"scenario.<path>"`` or ``"policy.<path>"`` mapped to

* ``(low, high, step)`` — a slider (an ``IntSlider`` for whole-number fields); the bounds must lie
  inside the field's documented range (:func:`sim.config.ranges.field_ranges`);
* a list of values — a dropdown (e.g. ``[False, True]`` or method names).

The panel works without a kernel (tests, scripts): ``panel.set(extra_agents=2)`` moves a control
exactly as a user would, and ``panel.result`` (a :class:`~sim.experiments.Comparison`),
``panel.readout`` (text) and ``panel.figure`` hold what the panel shows. A failing run (e.g. a
combination of values the configuration rejects) shows its one-line error in the status line;
:attr:`WhatIf.error` keeps it.

Examples
--------
>>> from sim.widgets import what_if
>>> panel = what_if("baseline", "do_nothing", levers={"policy.service.extra_agents": (0, 4, 1)},
...                 customers=150, days=60, replications=2, kpis=["profit", "mean_wait_h"])
>>> panel.values
{'policy.service.extra_agents': 0}
>>> _ = panel.set(extra_agents=2)
>>> panel.values, panel.result.n_replications
({'policy.service.extra_agents': 2}, 2)
>>> "profit" in panel.readout and "95% CI" in panel.readout
True
"""

from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.config import Policy, Scenario
from sim.config.arguments import as_policy, as_scenario, check_customers, check_days, check_replications, check_seed
from sim.config.limits import short
from sim.config.ranges import field_ranges
from sim.errors import ConfigError
from sim.experiments import Comparison, compare
from sim.experiments.report import plot_unit
from sim.formatting import format_value
from sim.schema import OVERALL_KPIS, kpi_unit

__all__ = ["WhatIf", "what_if", "lever_range"]

#: KPIs shown when none are asked for.
DEFAULT_KPIS: tuple[str, ...] = ("profit", "mean_wait_h", "sla_met_rate")
#: Names of the two arms of every comparison.
BASELINE, WHAT_IF = "baseline", "what-if"

_INTERVAL = re.compile(r"^(?P<lo_br>[\[(])(?P<lo>[^,]+), (?P<hi>[^\]\)]+)(?P<hi_br>[\])])$")


def _parse_bound(text: str) -> float | None:
    return None if text.strip() == "…" else float(text)


def lever_range(path: str) -> tuple[str, float | None, bool, float | None, bool]:
    """The documented range of a numeric lever: ``(kind, low, low_included, high, high_included)``.

    ``path`` starts with ``scenario.`` or ``policy.``; ``kind`` is ``"whole number"`` or
    ``"number"``; an unbounded side is ``None``. The ranges are those of
    :func:`sim.config.ranges.field_ranges` (read from the validation itself).

    Raises
    ------
    ConfigError
        The path does not start with ``scenario.``/``policy.`` or names no numeric field.

    Examples
    --------
    >>> lever_range("policy.service.extra_agents")
    ('whole number', 0.0, True, 10000.0, True)
    >>> lever_range("scenario.desk.sla.P0.first_response_h")[0]
    'number'
    """
    which, _, rest = str(path).partition(".")
    if which not in ("scenario", "policy") or not rest:
        raise ConfigError(
            f"lever {short(path)} is not allowed: start it with 'scenario.' or 'policy.', "
            "e.g. 'policy.service.extra_agents'"
        )
    for r in field_ranges(which):  # type: ignore[arg-type]
        pattern = "^" + re.escape(r.path).replace(r"\*", r"[^.]+") + "$"
        if re.match(pattern, rest):
            m = _INTERVAL.match(r.allowed)
            if m is None:  # pragma: no cover - the ranges table always renders intervals
                raise ConfigError(f"lever {short(path)}: cannot read the documented range {r.allowed!r}")
            return (
                r.kind,
                _parse_bound(m["lo"]),
                m["lo_br"] == "[",
                _parse_bound(m["hi"]),
                m["hi_br"] == "]",
            )
    raise ConfigError(
        f"lever {short(path)} is not a numeric {which} field; give a list of values for a dropdown, "
        f"or a path from the ranges table (sim.config.ranges.render_ranges())"
    )


def _current(config: Scenario | Policy, rest: str, path: str) -> Any:
    """The value at the dotted path ``rest`` of a scenario/policy (``ConfigError`` if unknown)."""
    node: Any = config.to_dict()
    for key in rest.split("."):
        if not isinstance(node, dict) or key not in node:
            config.updated({rest: None})  # raises the configuration's own "unknown field" error
            raise ConfigError(f"lever {short(path)}: no such field")  # pragma: no cover
        node = node[key]
    return node


class WhatIf:
    """A what-if panel: sliders on levers, a CRN comparison against a baseline on every change.

    Parameters
    ----------
    scenario : Scenario, preset name or YAML path
        The world of both arms (``scenario.*`` levers change it in the what-if arm only).
    policy : Policy, preset name, YAML path or None
        The firm's policy of the what-if arm before any lever moves (``None``: the default
        :class:`~sim.config.Policy`, which does nothing beyond the scenario's own desk).
    levers : dict
        ``{"scenario.<path>" | "policy.<path>": (low, high, step) | [value, ...]}``; tuples make
        sliders within the field's documented range, lists make dropdowns. Each control starts at
        the field's current value, so the first comparison is the baseline against itself
        unless ``baseline`` differs.
    baseline : Policy, preset name, YAML path or None, optional
        The baseline arm's policy (default: ``policy`` unchanged), always in ``scenario``.
    customers, days, replications, seed : run size (small by default: an answer in a few seconds)
    kpis : list of str, optional
        KPIs to plot and read out (default :data:`DEFAULT_KPIS`).
    cache_size : int
        Comparisons kept (least recently used first out).
    run_now : bool
        Run the comparison for the starting values at construction (default True).

    Attributes
    ----------
    result : Comparison or None
        The comparison for the current values (``None`` when the last run failed).
    error : str
        The last run's one-line error ("" when it succeeded).
    runs : int
        Comparisons actually computed (cache hits do not count).
    controls : dict
        ``{lever path: ipywidget}``; ``widget`` is the whole panel (an ``ipywidgets.VBox``).

    Raises
    ------
    ConfigError
        A lever path that names no field, bounds outside the documented range, a bad step, a
        starting value outside the slider, an option the configuration refuses, an unknown KPI
        or a bad run size. A value that is allowed alone but not together with the others (a P3
        first-response target beyond its resolution target) is not refused here: the run fails
        and the panel shows why.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        policy: Policy | str | Path | None = None,
        levers: Mapping[str, Any] | None = None,
        *,
        baseline: Policy | str | Path | None = None,
        customers: int = 400,
        days: float = 180.0,
        replications: int = 4,
        kpis: Sequence[str] | None = None,
        seed: int = 0,
        cache_size: int = 32,
        run_now: bool = True,
    ) -> None:
        self.scenario = as_scenario(scenario)
        self.policy = as_policy(policy, "policy") or Policy()
        self.baseline_policy = self.policy if baseline is None else as_policy(baseline, "baseline")
        self.customers = check_customers(customers)
        self.days = check_days(days)
        self.replications = check_replications(replications)
        if self.replications < 2:
            raise ConfigError(f"replications={replications} is not allowed: give at least 2 (for intervals)")
        self.seed = check_seed(seed)
        self.kpis = list(DEFAULT_KPIS if kpis is None else ([kpis] if isinstance(kpis, str) else kpis))
        bad = [k for k in self.kpis if k not in OVERALL_KPIS]
        if bad or not self.kpis:
            raise ConfigError(f"kpis={short(self.kpis)}: unknown KPI(s) {short(bad)}; allowed: {list(OVERALL_KPIS)}")
        if not isinstance(cache_size, int) or isinstance(cache_size, bool) or cache_size < 1:
            raise ConfigError(f"cache_size={short(cache_size)} is not allowed: give a whole number >= 1")
        if not levers or not isinstance(levers, Mapping):
            raise ConfigError(
                f"levers={short(levers)} is not allowed: give a dict such as {{'policy.service.extra_agents': (0, 6, 1)}}"
            )
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[Any, ...], Comparison] = OrderedDict()
        self.result: Comparison | None = None
        self.error = ""
        self.runs = 0
        self.figure: Any = None
        self._hold = False
        self._build(dict(levers))
        if run_now:
            self.refresh()

    # ------------------------------------------------------------------ construction
    def _build(self, levers: dict[str, Any]) -> None:
        import ipywidgets as w

        self.controls: dict[str, Any] = {}
        for path, spec in levers.items():
            which, _, rest = str(path).partition(".")
            if which not in ("scenario", "policy") or not rest:
                lever_range(str(path))  # raises the message about the prefix
            config: Scenario | Policy = self.scenario if which == "scenario" else self.policy
            start = _current(config, rest, path)
            desc = rest.rsplit(".", 1)[-1]
            if isinstance(spec, list):
                control = self._dropdown(path, rest, config, spec, start, desc)
            elif isinstance(spec, tuple):
                control = self._slider(path, rest, config, spec, start, desc)
            else:
                raise ConfigError(
                    f"levers[{path!r}]={short(spec)} is not allowed: give (low, high, step) for a slider "
                    "or a list of values for a dropdown"
                )
            control.observe(self._on_change, names="value")
            self.controls[str(path)] = control
        self.status = w.HTML(value="")
        self.readout_html = w.HTML(value="")
        self.image = w.Image(format="png")
        self.widget = w.VBox(
            [w.HTML(value="<b>What if…</b> (move a control; each change runs a fair comparison)")]
            + list(self.controls.values())
            + [self.status, self.image, self.readout_html]
        )

    def _dropdown(self, path: str, rest: str, config: Any, options: list[Any], start: Any, desc: str) -> Any:
        import ipywidgets as w

        if not options:
            raise ConfigError(f"levers[{path!r}] is an empty list: give the values to choose from")
        for value in options:
            try:
                config.updated({rest: value})
            except ConfigError as exc:
                raise ConfigError(f"levers[{path!r}]: option {short(value)} is refused: {exc}") from None
        if start not in options:
            raise ConfigError(
                f"levers[{path!r}]: the current value {short(start)} is not among the options {short(options)}; "
                "add it (the panel starts at the current value)"
            )
        return w.Dropdown(options=[(str(v), v) for v in options], value=start, description=desc)

    def _slider(self, path: str, rest: str, config: Any, spec: tuple[Any, ...], start: Any, desc: str) -> Any:
        import ipywidgets as w

        kind, low, low_in, high, high_in = lever_range(path)
        if len(spec) != 3 or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in spec):
            raise ConfigError(f"levers[{path!r}]={short(spec)} is not allowed: give three numbers (low, high, step)")
        lo, hi, step = spec
        if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(step)) or not lo < hi or step <= 0:
            raise ConfigError(f"levers[{path!r}]={short(spec)}: need low < high and step > 0 (all finite)")
        allowed = (
            f"{'[' if low_in else '('}{'…' if low is None else f'{low:g}'}, "
            f"{'…' if high is None else f'{high:g}'}{']' if high_in else ')'}"
        )
        below = low is not None and (lo < low or (lo == low and not low_in))
        above = high is not None and (hi > high or (hi == high and not high_in))
        if below or above:
            raise ConfigError(
                f"levers[{path!r}]=({lo}, {hi}, {step}) leaves the documented range of {rest}: allowed {allowed}"
            )
        whole = kind == "whole number"
        if whole and not all(float(x).is_integer() for x in spec):
            raise ConfigError(f"levers[{path!r}]={short(spec)}: {rest} is a whole number; give whole bounds and step")
        if start is None or isinstance(start, bool) or not isinstance(start, (int, float)):
            raise ConfigError(f"levers[{path!r}]: the current value of {rest} is {short(start)}, not a number")
        if not lo <= start <= hi:
            raise ConfigError(
                f"levers[{path!r}]: the current value {start:g} of {rest} is outside ({lo}, {hi}); widen the "
                "slider to include it (the panel starts at the current value)"
            )
        common = {"description": desc, "continuous_update": False, "style": {"description_width": "initial"}}
        if whole:
            return w.IntSlider(value=int(start), min=int(lo), max=int(hi), step=int(step), **common)
        return w.FloatSlider(value=float(start), min=float(lo), max=float(hi), step=float(step), **common)

    # ------------------------------------------------------------------ state
    @property
    def values(self) -> dict[str, Any]:
        """The current value of every lever, ``{path: value}``."""
        return {path: c.value for path, c in self.controls.items()}

    def arms(self) -> dict[str, tuple[Scenario, Policy]]:
        """The two arms for the current values: ``{"baseline": ..., "what-if": ...}``."""
        sc_changes = {p.partition(".")[2]: v for p, v in self.values.items() if p.startswith("scenario.")}
        po_changes = {p.partition(".")[2]: v for p, v in self.values.items() if p.startswith("policy.")}
        scenario = self.scenario.updated(sc_changes) if sc_changes else self.scenario
        policy = self.policy.updated(po_changes) if po_changes else self.policy
        return {BASELINE: (self.scenario, self.baseline_policy or Policy()), WHAT_IF: (scenario, policy)}

    def _resolve(self, name: str) -> str:
        if name in self.controls:
            return name
        hits = [p for p in self.controls if p.rsplit(".", 1)[-1] == name]
        if len(hits) != 1:
            raise ConfigError(
                f"{short(name)} is not a lever of this panel{' (ambiguous)' if hits else ''}; levers: {list(self.controls)}"
            )
        return hits[0]

    def set(self, values: Mapping[str, Any] | None = None, /, **more: Any) -> WhatIf:
        """Move controls as a user would (then run once): ``set(extra_agents=2)`` or ``set({"policy.x.y": 1})``.

        A lever is named by its full path or by its last part when that is unique. A value outside
        a slider's bounds or not among a dropdown's options raises :class:`ConfigError` (a widget
        would silently clip it). Returns the panel.
        """
        changes = {self._resolve(k): v for k, v in {**dict(values or {}), **more}.items()}
        for path, value in changes.items():
            c = self.controls[path]
            if hasattr(c, "min") and not (c.min <= value <= c.max):
                raise ConfigError(f"{path}={short(value)} is outside the slider ({c.min}, {c.max})")
            if hasattr(c, "options") and value not in [v for _, v in c.options]:
                raise ConfigError(f"{path}={short(value)} is not an option: {[v for _, v in c.options]}")
        self._hold = True
        try:
            for path, value in changes.items():
                self.controls[path].value = value
        finally:
            self._hold = False
        self.refresh()
        return self

    # ------------------------------------------------------------------ running
    def _on_change(self, change: Any) -> None:
        if not self._hold:
            self.refresh()

    def _key(self) -> tuple[Any, ...]:
        return tuple(self.values.values())

    def refresh(self) -> Comparison | None:
        """Show the comparison for the current values (from the cache, or run it)."""
        key = self._key()
        started = time.perf_counter()
        if key in self._cache:
            self._cache.move_to_end(key)
            self.result, self.error = self._cache[key], ""
            self.status.value = "cached result (this setting was run before)"
        else:
            self.status.value = (
                f"running {self.replications} replications of 2 arms ({self.customers:,} customers, "
                f"{self.days:g} days)…"
            )
            try:
                cmp = compare(
                    self.scenario,
                    self.arms(),
                    replications=self.replications,
                    seed=self.seed,
                    customers=self.customers,
                    days=self.days,
                    progress=False,
                    kpis=self.kpis,
                )
            except Exception as exc:  # any failure is shown in the panel, not as a traceback
                self.result = None
                self.error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:400]
                self.status.value = f"<span style='color:#b00020'>✗ {_escape(self.error)}</span>"
                self.readout_html.value = ""
                self.image.value = b""
                return None
            self.runs += 1
            self.result, self.error = cmp, ""
            self._cache[key] = cmp
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            self.status.value = f"done in {time.perf_counter() - started:.1f} s ({self.replications} replications)"
        arms = self.arms()
        if arms[BASELINE] == arms[WHAT_IF]:
            self.status.value += " — the what-if arm is still the baseline: move a control"
        self.readout_html.value = "<br>".join(_escape(line) for line in self.readout.splitlines())
        self._draw()
        return self.result

    # ------------------------------------------------------------------ showing
    @property
    def readout(self) -> str:
        """The "compare with baseline" lines, one per KPI ("" when there is no result)."""
        if self.result is None:
            return ""
        return "\n".join(readout_line(self.result, kpi, WHAT_IF) for kpi in self.kpis)

    def plot(self) -> Any:
        """A new matplotlib figure: each KPI's mean per arm with its confidence interval."""
        from matplotlib.figure import Figure

        cmp = self.result
        if cmp is None:
            raise ConfigError(f"no result to plot: the last run failed ({self.error})")
        fig = Figure(figsize=(3.2 * len(self.kpis), 3.0), layout="constrained")
        axes = fig.subplots(1, len(self.kpis), squeeze=False)[0]
        s = cmp.summary.set_index(["policy", "kpi"])
        for ax, kpi in zip(axes, self.kpis):
            factor, unit = plot_unit(kpi, cmp.scenario.currency)
            means, los, his = [], [], []
            for arm in (BASELINE, WHAT_IF):
                row = s.loc[(arm, kpi)]
                means.append(float(row["mean"]) * factor)
                los.append(float(row["ci_low"]) * factor)
                his.append(float(row["ci_high"]) * factor)
            xs = [0, 1]
            ax.bar(xs, means, color=["0.7", "#1f77b4"], width=0.6)
            ax.errorbar(
                xs,
                means,
                yerr=[[m - lo for m, lo in zip(means, los)], [hi - m for m, hi in zip(means, his)]],
                fmt="none",
                ecolor="k",
                capsize=6,
                label=f"{cmp.confidence:.0%} CI",
            )
            ax.set_xticks(xs, [BASELINE, WHAT_IF])
            ax.set_ylabel(f"{kpi} ({unit})" if unit else kpi)
            ax.set_xlabel("arm")
            ax.set_title(kpi, fontsize=10)
            ax.legend(fontsize=8, loc="lower right")
        changed = ", ".join(f"{p.rsplit('.', 1)[-1]}={v}" for p, v in self.values.items())
        fig.suptitle(
            f"What-if ({changed}) vs baseline: mean and {cmp.confidence:.0%} CI, {cmp.n_replications} replications",
            fontsize=10,
        )
        return fig

    def _draw(self) -> None:
        """Draw the plot and show it as a PNG image (the same with or without a kernel, and in Voila)."""
        import io

        self.figure = self.plot()
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=90)
        self.image.value = buf.getvalue()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"WhatIf(levers={self.values}, replications={self.replications}, customers={self.customers})"


def _pct(x: float) -> str:
    """``100 x`` signed with one decimal, never "-0.0".

    Examples
    --------
    >>> _pct(0.0312), _pct(-0.0004)
    ('+3.1', '+0.0')
    """
    return f"{round(100 * x, 1) + 0.0:+.1f}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def readout_line(cmp: Comparison, kpi: str, arm: str) -> str:
    """One plain sentence: ``arm``'s paired difference to the baseline on ``kpi``, with its CI.

    Relative (``+3.1% profit (95% CI +1.2% to +5.0%)``) when the baseline's mean is clearly away
    from zero, in percentage points for shares, otherwise in the KPI's unit.

    Examples
    --------
    >>> from sim.experiments import compare
    >>> cmp = compare("baseline", {"a": None, "b": "service_first"}, replications=2, customers=150,
    ...               days=60, progress=False, kpis=["mean_wait_h"])
    >>> readout_line(cmp, "mean_wait_h", "b").split(" (")[1].startswith("95% CI")
    True
    """
    row = cmp.summary.set_index(["policy", "kpi"]).loc[(arm, kpi)]
    base = cmp.summary.set_index(["policy", "kpi"]).loc[(cmp.baseline, kpi), "mean"]
    d, lo, hi = float(row["diff"]), float(row["diff_ci_low"]), float(row["diff_ci_high"])
    level = f"{cmp.confidence:.0%} CI"
    if math.isnan(d):
        return f"{kpi}: no data"
    unit = kpi_unit(kpi, cmp.scenario.currency)
    if math.isnan(lo) or math.isnan(hi):
        ci = f"{level} not available"
    elif unit == "share":
        ci = f"{level} {_pct(lo)} to {_pct(hi)} pp"
    elif not bool(row["rel_suppressed"]) and base and math.isfinite(float(base)):
        ci = f"{level} {_pct(lo / abs(base))}% to {_pct(hi / abs(base))}%"
    else:
        ci = f"{level} {format_value(lo, unit, signed=True)} to {format_value(hi, unit, signed=True)} {unit}".rstrip()
    if unit == "share":
        head = f"{_pct(d)} pp {kpi}"
    elif not bool(row["rel_suppressed"]) and base and math.isfinite(float(base)):
        head = f"{_pct(d / abs(base))}% {kpi}"
    else:
        head = f"{format_value(d, unit, signed=True)} {unit} {kpi}".replace("  ", " ")
    if math.isnan(lo) or math.isnan(hi):
        verdict = ""
    elif lo > 0 or hi < 0:
        verdict = " — clearly " + ("higher" if d > 0 else "lower") + " than the baseline"
    else:
        verdict = " — not distinguishable from the baseline at this size"
    return f"{head} ({ci}){verdict}"


def what_if(
    scenario: Scenario | str | Path,
    policy: Policy | str | Path | None = None,
    levers: Mapping[str, Any] | None = None,
    **options: Any,
) -> WhatIf:
    """A :class:`WhatIf` panel (display it as the last expression of a cell).

    Examples
    --------
    >>> panel = what_if("baseline", None, {"scenario.desk.agents": (1, 3, 1)}, customers=150, days=60,
    ...                 replications=2, kpis=["mean_wait_h"], run_now=False)
    >>> panel.runs, list(panel.controls)
    (0, ['scenario.desk.agents'])
    """
    return WhatIf(scenario, policy, levers, **options)
