"""Adversarial probe of the issue-13 analysis modules (uplift, service, anomaly, templates, bandit).

Two kinds of checks:

* malformed input on every entry point gets a named :class:`sim.errors.DataError` /
  :class:`~sim.errors.ConfigError` -- never a raw pandas / numpy / sklearn / statsmodels /
  ruptures / jinja2 traceback, never silently accepted garbage -- and inputs are not mutated;
* the models against independent computations: Qini and the true gain curve against a
  brute-force enumeration of all orders of tied customers, the T-learner against two
  separately fitted scikit-learn models, exact quadrant boundaries, Pareto shares against a
  plain count, Erlang C against the published table value (A = 10 Erlang, 12 agents: 0.4494)
  and change points on a piecewise-constant series with noise.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sim.analysis import anomaly, service, templates
from sim.analysis import uplift as up
from sim.analysis.abtest import bandit
from sim.errors import ConfigError, DataError

NAMED = (DataError, ConfigError)
nan, inf = float("nan"), float("inf")

# ------------------------------------------------------------------------------ fixtures

_RNG = np.random.default_rng(0)
X = _RNG.normal(size=(40, 2))
T = np.r_[np.ones(20), np.zeros(20)].astype(int)
Y = np.tile([0, 1], 20)
S = np.linspace(0.0, 1.0, 40)


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 1],
            "cause": ["a", "b", "a", "c"],
            "date": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-02-01", "2025-02-03"]),
            "wait_h": [1.0, 2.0, 3.0, nan],
            "resolution_h": [2.0, 3.0, 4.0, nan],
            "severity": ["P1", "P2", "P1", "P3"],
            "sla_met": pd.array([True, False, True, pd.NA], dtype="boolean"),
        }
    )


def _elasticity_tickets() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 400
    t = pd.DataFrame(
        {"customer_id": rng.integers(1, 60, n), "opened_t": rng.uniform(0, 300, n), "wait_h": rng.exponential(3, n)}
    )
    return t.assign(sla_first_response_met=t["wait_h"] < 3)


def _series() -> pd.Series:
    values = np.r_[np.full(20, 10.0), np.full(20, 20.0)] + np.random.default_rng(0).normal(0, 1, 40)
    return pd.Series(values, index=pd.date_range("2025-01-06", periods=40, freq="W"))


UT = pd.DataFrame({"first_response_t": [0.0, 1.0], "resolved_t": [0.25, 1.5], "agent": [0, 1]})
MI = pd.MultiIndex.from_tuples([("a", "b"), ("a", "c")])

MALFORMED = {
    # uplift
    "fit: X text": lambda: up.TwoModelUplift().fit(["a"] * 40, T, Y),
    "fit: X inf": lambda: up.TwoModelUplift().fit(np.where(X > 1.5, inf, X), T, Y),
    "fit: X empty": lambda: up.TwoModelUplift().fit(np.empty((0, 2)), [], []),
    "fit: X None": lambda: up.TwoModelUplift().fit(None, T, Y),
    "fit: X duplicated columns": lambda: up.TwoModelUplift().fit(pd.DataFrame(X, columns=["a", "a"]), T, Y),
    "fit: X MultiIndex columns": lambda: up.TwoModelUplift().fit(pd.DataFrame(X, columns=MI), T, Y),
    "fit: X mixed object column": lambda: up.TwoModelUplift().fit(pd.DataFrame({"a": [1, "x"] * 20}), T, Y),
    "fit: treated 0/2": lambda: up.TwoModelUplift().fit(X, T * 2, Y),
    "fit: treated NaN": lambda: up.TwoModelUplift().fit(X, np.r_[nan, T[1:]], Y),
    "fit: treated text": lambda: up.TwoModelUplift().fit(X, T.astype(str), Y),
    "fit: single arm": lambda: up.TwoModelUplift().fit(X, np.ones(40), Y),
    "fit: outcome not binary": lambda: up.TwoModelUplift().fit(X, T, Y * 2),
    "fit: outcome 0.5": lambda: up.TwoModelUplift().fit(X, T, Y * 0.5),
    "fit: one row": lambda: up.TwoModelUplift().fit(X[:1], T[:1], Y[:1]),
    "fit: wrong length": lambda: up.TwoModelUplift().fit(X, T[:-1], Y),
    "fit: treated Series indexed differently from X": lambda: up.TwoModelUplift().fit(
        pd.DataFrame(X), pd.Series(T, index=np.arange(40)[::-1]), Y
    ),
    "qini: Series with different indexes": lambda: up.qini_curve(pd.Series(S), pd.Series(T, index=np.arange(1, 41)), Y),
    "true gain: Series with different indexes": lambda: up.true_gain_curve(
        pd.Series(S), pd.Series(S, index=np.arange(1, 41))
    ),
    "fit: nullable NA flag": lambda: up.TwoModelUplift().fit(X, pd.array([1, 0] * 19 + [pd.NA, 1], dtype="Int64"), Y),
    "estimator not a classifier": lambda: up.TwoModelUplift(estimator="lr"),
    "predict: other feature count": lambda: up.TwoModelUplift().fit(X, T, Y).predict(X[:, :1]),
    "predict: other feature names": lambda: (
        up.TwoModelUplift().fit(pd.DataFrame(X, columns=["a", "b"]), T, Y).predict(pd.DataFrame(X, columns=["b", "a"]))
    ),
    "predict: NaN": lambda: up.TwoModelUplift().fit(X, T, Y).predict(np.where(X > 1, nan, X)),
    "qini: score NaN": lambda: up.qini_curve(np.r_[nan, S[1:]], T, Y),
    "qini: score inf": lambda: up.qini_curve(np.r_[inf, S[1:]], T, Y),
    "qini: score text": lambda: up.qini_curve(S.astype(str), T, Y),
    "qini: score None": lambda: up.qini_curve(None, T, Y),
    "qini: score 2-D": lambda: up.qini_curve(S[:, None], T, Y),
    "qini: one arm": lambda: up.qini_curve(S, np.ones(40), Y),
    "qini: outcome 2": lambda: up.qini_curve(S, T, Y * 2),
    "qini: lengths differ": lambda: up.qini_curve(S[:-1], T, Y),
    "qini: empty": lambda: up.qini_curve([], [], []),
    "qini: one row": lambda: up.qini_curve([1.0], [1], [1]),
    "true gain: wrong length": lambda: up.true_gain_curve(S, S[:-1]),
    "true gain: uplift NaN": lambda: up.true_gain_curve(S, np.r_[nan, S[1:]]),
    "true gain: uplift inf": lambda: up.true_gain_curve(S, np.r_[inf, S[1:]]),
    "true gain: score NaN": lambda: up.true_gain_curve(np.r_[nan, S[1:]], S),
    "true gain: empty": lambda: up.true_gain_curve([], []),
    "quadrants: p > 1": lambda: up.uplift_quadrants([1.2], [0.1]),
    "quadrants: p NaN": lambda: up.uplift_quadrants([nan], [0.1]),
    "quadrants: threshold 0": lambda: up.uplift_quadrants([0.1], [0.1], 0.0),
    "quadrants: threshold text": lambda: up.uplift_quadrants([0.1], [0.1], "0.5"),
    "quadrants: lengths differ": lambda: up.uplift_quadrants([0.1, 0.2], [0.1]),
    "profit: no scores": lambda: up.targeting_profit_by_uplift({}, [1.0], 1.0),
    "profit: negative cost": lambda: up.targeting_profit_by_uplift({"a": [1]}, [1.0], -1.0),
    "profit: NaN cost": lambda: up.targeting_profit_by_uplift({"a": [1]}, [1.0], nan),
    "profit: share > 1": lambda: up.targeting_profit_by_uplift({"a": [1]}, [1.0], 1.0, [1.5]),
    "profit: score named random": lambda: up.targeting_profit_by_uplift({"random": [1]}, [1.0], 1.0),
    "profit: score named oracle": lambda: up.targeting_profit_by_uplift({"oracle": [1]}, [1.0], 1.0),
    "profit: score NaN": lambda: up.targeting_profit_by_uplift({"a": [nan]}, [1.0], 1.0),
    # service
    "pareto: not a frame": lambda: service.pareto([1, 2]),
    "pareto: missing column": lambda: service.pareto(_tickets().drop(columns="cause")),
    "pareto: empty": lambda: service.pareto(_tickets().iloc[:0]),
    "pareto: NaN cause": lambda: service.pareto(_tickets().assign(cause=["a", nan, "a", "b"])),
    "pareto: 1 and '1'": lambda: service.pareto(_tickets().assign(cause=[1, "1", "a", "b"])),
    "pareto: duplicated column": lambda: service.pareto(pd.concat([_tickets()[["cause"]]] * 2, axis=1)),
    "pareto: MultiIndex columns": lambda: service.pareto(
        pd.DataFrame([[1]], columns=pd.MultiIndex.from_tuples([("cause", "x")]))
    ),
    "pareto: top 0": lambda: service.pareto(_tickets(), "cause", 0),
    "pareto: top True": lambda: service.pareto(_tickets(), "cause", True),
    "dashboard: numbers as dates": lambda: service.complaint_dashboard(_tickets().assign(date=[20250101] * 4)),
    "dashboard: ambiguous dates": lambda: service.complaint_dashboard(_tickets().assign(date=["03/04/2025"] * 4)),
    "dashboard: NaT": lambda: service.complaint_dashboard(
        _tickets().assign(date=pd.to_datetime(["2025-01-01", None] * 2))
    ),
    "dashboard: mixed offsets": lambda: service.complaint_dashboard(
        _tickets().assign(date=["2025-01-01T00:00+00:00", "2025-01-01T00:00+01:00"] * 2)
    ),
    "dashboard: wait inf": lambda: service.complaint_dashboard(_tickets().assign(wait_h=[1, inf, 1, 1.0])),
    "dashboard: wait text": lambda: service.complaint_dashboard(_tickets().assign(wait_h=["1", "2", "3", "4"])),
    "dashboard: sla_met 2": lambda: service.complaint_dashboard(_tickets().assign(sla_met=[2, 0, 1, 1])),
    "dashboard: sla_met inf": lambda: service.complaint_dashboard(_tickets().assign(sla_met=[inf, 0, 1, 1.0])),
    "dashboard: sla_met text": lambda: service.complaint_dashboard(_tickets().assign(sla_met=["yes", "no"] * 2)),
    "dashboard: accepted 2": lambda: service.complaint_dashboard(_tickets().assign(accepted=[1.0, 2.0, nan, 0.0])),
    "dashboard: duplicated column": lambda: service.complaint_dashboard(
        pd.concat([_tickets(), _tickets()[["wait_h"]]], axis=1)
    ),
    "dashboard: freq 2MS (would be read as months)": lambda: service.complaint_dashboard(_tickets(), "2MS"),
    "dashboard: freq junk": lambda: service.complaint_dashboard(_tickets(), "XYZ"),
    "dashboard: freq int": lambda: service.complaint_dashboard(_tickets(), 3),
    "elasticity: opened NaN": lambda: service.wait_complaint_elasticity(
        _elasticity_tickets().assign(opened_t=lambda d: d["opened_t"].where(d.index != 0))
    ),
    "elasticity: customer ids text": lambda: service.wait_complaint_elasticity(
        _elasticity_tickets().assign(customer_id=lambda d: d["customer_id"].astype(str))
    ),
    "elasticity: flag text": lambda: service.wait_complaint_elasticity(
        _elasticity_tickets().assign(sla_first_response_met=lambda d: np.where(d["wait_h"] < 3, "yes", "no"))
    ),
    "elasticity: duplicated column": lambda: service.wait_complaint_elasticity(
        pd.concat([_elasticity_tickets(), _elasticity_tickets()[["wait_h"]]], axis=1)
    ),
    "elasticity: window 0": lambda: service.wait_complaint_elasticity(_elasticity_tickets(), window_days=0),
    "elasticity: window NaN": lambda: service.wait_complaint_elasticity(_elasticity_tickets(), window_days=nan),
    "elasticity: confidence 1": lambda: service.wait_complaint_elasticity(_elasticity_tickets(), confidence=1.0),
    "elasticity: all fast": lambda: service.wait_complaint_elasticity(
        _elasticity_tickets().assign(sla_first_response_met=True)
    ),
    "elasticity: one row": lambda: service.wait_complaint_elasticity(_elasticity_tickets().iloc[:1]),
    "elasticity: empty": lambda: service.wait_complaint_elasticity(_elasticity_tickets().iloc[:0]),
    "elasticity: chaser_of text": lambda: service.wait_complaint_elasticity(
        _elasticity_tickets().assign(chaser_of="x")
    ),
    "staffing: agents 0": lambda: service.staffing_table(1.0, 1.0, 0, 0.1),
    "staffing: agents empty": lambda: service.staffing_table(1.0, 1.0, [], 0.1),
    "staffing: agents repeated": lambda: service.staffing_table(1.0, 1.0, [2, 2], 0.1),
    "staffing: agents 10**20 (bounded)": lambda: service.staffing_table(1.0, 1.0, [10**20], 0.1),
    "staffing: agents text": lambda: service.staffing_table(1.0, 1.0, "3", 0.1),
    "staffing: arrival NaN": lambda: service.staffing_table(nan, 1.0, 3, 0.1),
    "staffing: mean 0": lambda: service.staffing_table(1.0, 0.0, 3, 0.1),
    "staffing: mean inf": lambda: service.staffing_table(1.0, inf, 3, 0.1),
    "staffing: target < 0": lambda: service.staffing_table(1.0, 1.0, 3, -0.1),
    "utilisation: staffed 0": lambda: service.utilisation(UT, 0.0),
    "utilisation: staffed NaN": lambda: service.utilisation(UT, nan),
    "utilisation: not a frame": lambda: service.utilisation(None, 10.0),
    "utilisation: bot text": lambda: service.utilisation(UT.assign(bot=["no", "no"]), 10.0),
    "utilisation: bot NaN": lambda: service.utilisation(UT.assign(bot=[nan, 1.0]), 10.0),
    "utilisation: agent NaN": lambda: service.utilisation(UT.assign(agent=[nan, 1.0]), 10.0),
    "utilisation: resolved without a first response": lambda: service.utilisation(
        UT.assign(first_response_t=[nan, 1.0]), 10.0
    ),
    "utilisation: handle inf": lambda: service.utilisation(UT.assign(handle_h=[inf, 1.0]), 10.0),
    "utilisation: duplicated column": lambda: service.utilisation(pd.concat([UT, UT[["agent"]]], axis=1), 10.0),
    # anomaly
    "change points: NaN": lambda: anomaly.change_points(_series().where(_series().index != _series().index[3])),
    "change points: text": lambda: anomaly.change_points(["a"] * 10),
    "change points: empty": lambda: anomaly.change_points([]),
    "change points: one value": lambda: anomaly.change_points([1.0]),
    "change points: a table": lambda: anomaly.change_points(_series().to_frame()),
    "change points: penalty 0": lambda: anomaly.change_points(_series(), 0.0),
    "change points: penalty < 0": lambda: anomaly.change_points(_series(), -1.0),
    "change points: penalty NaN": lambda: anomaly.change_points(_series(), nan),
    "change points: unknown model": lambda: anomaly.change_points(_series(), None, "x"),
    "change points: min_size > half": lambda: anomaly.change_points(_series(), None, "l2", 30),
    "change points: unsorted dates": lambda: anomaly.change_points(_series().iloc[::-1]),
    "change points: repeated dates": lambda: anomaly.change_points(
        pd.Series(_series().to_numpy(), index=[*_series().index[:-1], _series().index[0]])
    ),
    "change points: mixed time zones": lambda: anomaly.change_points(
        pd.Series(
            np.arange(8.0),
            index=pd.Index(
                [pd.Timestamp(f"2025-01-0{i + 1}", tz=("UTC", "Europe/Berlin")[i % 2]) for i in range(8)], dtype=object
            ),
        )
    ),
    "anomalies: window > length": lambda: anomaly.kpi_anomalies(_series(), 100),
    "anomalies: window 0": lambda: anomaly.kpi_anomalies(_series(), 0),
    "anomalies: z NaN": lambda: anomaly.kpi_anomalies(_series(), 8, nan),
    "anomalies: unsorted dates": lambda: anomaly.kpi_anomalies(_series().iloc[::-1]),
    "winback: id types differ": lambda: anomaly.winback_summary(
        pd.DataFrame({"customer_id": [1], "t": [1.0], "campaign": ["winback"], "cost": [1.0]}),
        pd.DataFrame({"customer_id": ["1"], "t": [2.0]}),
    ),
    "winback: cost < 0": lambda: anomaly.winback_summary(
        pd.DataFrame({"customer_id": [1], "t": [1.0], "campaign": ["winback"], "cost": [-1.0]}),
        pd.DataFrame({"customer_id": [1], "t": [2.0]}),
    ),
    "stated vs true: reasons 1 and '1'": lambda: anomaly.stated_vs_true(
        pd.DataFrame({"instrument": ["reason"] * 2, "reason": [1, "1"], "true_reason": ["price"] * 2})
    ),
    # templates
    "template: syntax error": lambda: templates.MessageTemplate("Hi {{ name "),
    "template: __class__.__mro__": lambda: templates.MessageTemplate("{{ ''.__class__.__mro__ }}"),
    "template: ['__class__']": lambda: templates.MessageTemplate("{{ ''['__class__'] }}"),
    "template: attr filter": lambda: templates.MessageTemplate("{{ ''|attr('__class__') }}"),
    "template: range(10**9)": lambda: templates.MessageTemplate("{% for i in range(10**9) %}x{% endfor %}").render(),
    "template: [1] * 10**9": lambda: templates.MessageTemplate("{{ [1] * 10**9 }}").render(),
    "template: not a str": lambda: templates.MessageTemplate(123),
    "template: missing field": lambda: templates.MessageTemplate("Hi {{ n }}").render(),
    "template: missing column": lambda: templates.MessageTemplate("Hi {{ n }}").render_frame(pd.DataFrame({"m": [1]})),
    "template: NaN field in a row": lambda: templates.MessageTemplate("Hi {{ n }}").render_frame(
        pd.DataFrame({"n": [nan]})
    ),
    "template: duplicated columns": lambda: templates.MessageTemplate("Hi {{ n }}").render_frame(
        pd.DataFrame([[1, 2]], columns=["n", "n"])
    ),
    "placeholders: not a str": lambda: templates.placeholders(5),
    "template: numpy float32 NaN field": lambda: templates.MessageTemplate("Hi {{ n }}").render(n=np.float32("nan")),
    "template: Decimal NaN field": lambda: templates.MessageTemplate("Hi {{ n }}").render(
        n=__import__("decimal").Decimal("NaN")
    ),
    "template: float32 NaN in a row": lambda: templates.MessageTemplate("Hi {{ n }}").render_frame(
        pd.DataFrame({"n": np.array([1.0, nan], dtype=np.float32)})
    ),
    "template: %-format width 10**9 (filter)": lambda: templates.MessageTemplate(
        "{{ '%0999999999d'|format(1) }}"
    ).render(),
    "template: %-format width 10**9 (operator)": lambda: templates.MessageTemplate("{{ '%0999999999d' % 1 }}").render(),
    "template: '%*d' width as an argument": lambda: templates.MessageTemplate("{{ '%*d' % (10**9, 1) }}").render(),
    "template: replace filter blow-up": lambda: templates.MessageTemplate(
        "{{ ('a' * 20000)|replace('a', 'a' * 20000) }}"
    ).render(),
    "template: str.replace blow-up": lambda: templates.MessageTemplate(
        "{{ ('a' * 20000).replace('a', 'a' * 20000) }}"
    ).render(),
    "template: str.format width 10**9": lambda: templates.MessageTemplate("{{ '{:>999999999}'.format(1) }}").render(),
    "template: ljust(10**9)": lambda: templates.MessageTemplate("{{ 'a'.ljust(10**9) }}").render(),
    "template: indent(10**9)": lambda: templates.MessageTemplate("{{ 'a\na'|indent(10**9) }}").render(),
    "template: center(10**9)": lambda: templates.MessageTemplate("{{ 'a'|center(10**9) }}").render(),
    "template: 10**9 nested loop iterations": lambda: templates.MessageTemplate(
        "{% for a in y %}{% for b in y %}{% for c in y %}{% endfor %}{% endfor %}{% endfor %}"
    ).render(y=list(range(1000))),
    "template: endless macro recursion": lambda: templates.MessageTemplate(
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"
    ).render(),
    "template: a filter on the wrong type": lambda: templates.MessageTemplate("{{ x|wordwrap(5) }}").render(x=["a"]),
    # bandit
    "regret: best below chosen": lambda: bandit.regret(
        pd.DataFrame({"t": [1.0], "true_best_convert_prob": [0.1], "true_convert_prob": [0.2]})
    ),
    "regret: probability > 1": lambda: bandit.regret(
        pd.DataFrame({"t": [1.0], "true_best_convert_prob": [1.5], "true_convert_prob": [0.2]})
    ),
    "regret: NaN": lambda: bandit.regret(
        pd.DataFrame({"t": [1.0], "true_best_convert_prob": [0.5], "true_convert_prob": [nan]})
    ),
    "thompson: one arm": lambda: bandit.thompson_simulation([0.1], 10),
    "thompson: rate NaN": lambda: bandit.thompson_simulation([0.1, nan], 10),
    "thompson: n too large": lambda: bandit.thompson_simulation([0.1, 0.2], 10**9),
    "thompson: rates as text": lambda: bandit.thompson_simulation(["0.1", "0.2"], 10),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_gets_a_named_error(case):
    with pytest.raises(NAMED) as info:
        MALFORMED[case]()
    assert len(str(info.value)) < 600  # short, never the whole value


def test_bounded_templates_still_render_ordinary_loops_and_formats():
    t = templates.MessageTemplate(
        "{% for p in items %}{{ loop.index }}. {{ '%-8s'|format(p) }}{{ '{:>6.2f}'.format(price) }}\n{% endfor %}"
    )
    assert t.render(items=["tea", "cake"], price=2.5) == "1. tea       2.50\n2. cake      2.50\n"
    assert templates.MessageTemplate("{{ s|replace('-', ' ') }} {{ s.replace('-', '') }}").render(s="a-b") == "a b ab"
    n = templates.MAX_LOOP_ITERATIONS
    assert len(templates.MessageTemplate("{% for a in y %}x{% endfor %}").render(y=list(range(n // 10)))) == n // 10
    # the iteration budget is per rendering: a second rendering starts again
    big = templates.MessageTemplate("{% for a in y %}{% endfor %}ok")
    assert big.render(y=list(range(n))) == "ok" and big.render(y=list(range(n))) == "ok"
    with pytest.raises(ConfigError, match="loop iterations"):
        big.render(y=list(range(n + 1)))


def test_inputs_are_not_mutated():
    frame = pd.DataFrame(X, columns=["a", "b"])
    before = frame.copy()
    t, y = T.copy(), Y.copy()
    m = up.TwoModelUplift().fit(frame, t, y)
    m.predict(frame)
    up.qini_curve(S, t, y)
    pd.testing.assert_frame_equal(frame, before)
    assert (t == T).all() and (y == Y).all()
    tk = _tickets().assign(date=["2025-01-01", "2025-01-05", "2025-02-01", "2025-02-03"], accepted=[1.0, 0.0, nan, nan])
    tk_before = tk.copy()
    service.complaint_dashboard(tk)
    service.pareto(tk)
    pd.testing.assert_frame_equal(tk, tk_before)
    s = _series().iloc[::-1]
    s_before = s.copy()
    with pytest.raises(DataError):
        anomaly.change_points(s)
    pd.testing.assert_series_equal(s, s_before)


# ------------------------------------------------------------------------------ uplift: correctness


def _brute_qini(score, treated, outcome):
    """Qini at every k: the four counts averaged over every order of the tied customers, then
    gain = R_T - R_C * N_T / N_C (0 while N_C = 0)."""
    score, treated, outcome = map(np.asarray, (score, treated, outcome))
    levels = sorted(set(score.tolist()), reverse=True)
    blocks = [np.flatnonzero(score == v) for v in levels]
    per_block_orders = [list(itertools.permutations(b)) for b in blocks]
    total = np.zeros((len(score), 4))
    n_orders = 0
    for combo in itertools.product(*per_block_orders):
        order = np.concatenate([np.array(o, dtype=int) for o in combo])
        t, y = treated[order].astype(bool), outcome[order].astype(bool)
        total += np.cumsum(np.column_stack([t, ~t, t & y, ~t & y]), axis=0)
        n_orders += 1
    n_t, n_c, r_t, r_c = (total / n_orders).T
    return np.array([r_t[i] - (r_c[i] * n_t[i] / n_c[i] if n_c[i] > 0 else 0.0) for i in range(len(score))])


def test_qini_matches_a_brute_force_computation_with_ties():
    score = [0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.1]
    treated = [1, 0, 1, 1, 0, 1, 0]
    outcome = [1, 1, 0, 1, 0, 1, 1]
    got = up.qini_curve(score, treated, outcome).curve["gain"].to_numpy()
    np.testing.assert_allclose(got, _brute_qini(score, treated, outcome), atol=1e-12)
    # at the end of a block (k = 1, 4, 6, 7) the curve is the plain threshold count, e.g. k = 4:
    # treated 3 with 2 responders, control 1 with 1 responder -> 2 - 1 * 3 / 1 = -1
    assert got[3] == pytest.approx(-1.0)
    # the input order of tied customers does not matter
    perm = [0, 3, 1, 2, 5, 4, 6]
    again = up.qini_curve(np.take(score, perm), np.take(treated, perm), np.take(outcome, perm)).curve["gain"]
    np.testing.assert_allclose(again.to_numpy(), got, atol=1e-12)


def test_qini_without_ties_is_the_plain_formula_and_auuc_the_trapezoid():
    rng = np.random.default_rng(5)
    n = 60
    score, t, y = rng.random(n), rng.random(n) < 0.5, rng.random(n) < 0.3
    q = up.qini_curve(score, t, y)
    order = np.argsort(-score)
    expected, area = [], 0.0
    prev = 0.0
    for k in range(1, n + 1):
        top = order[:k]
        nt, nc = t[top].sum(), (~t[top]).sum()
        rt, rc = (t[top] & y[top]).sum(), (~t[top] & y[top]).sum()
        g = rt - (rc * nt / nc if nc else 0.0)
        expected.append(g)
        area += (prev + g) / 2 / n / n
        prev = g
    np.testing.assert_allclose(q.curve["gain"], expected, atol=1e-12)
    assert q.auuc == pytest.approx(area, abs=1e-12)
    assert q.auuc_random == pytest.approx(expected[-1] / (2 * n), rel=1e-9)  # area under the line k/n * G / n


def test_true_gain_curve_equals_sorted_cumulative_sums_and_averages_ties():
    u = np.array([0.3, -0.2, 0.1, 0.4, 0.0, -0.1])
    oracle = up.true_gain_curve(u, u)  # the oracle score itself
    np.testing.assert_allclose(oracle.curve["gain"], np.cumsum(np.sort(u)[::-1]))
    np.testing.assert_allclose(oracle.curve["oracle"], np.cumsum(np.sort(u)[::-1]))
    assert oracle.normalised == pytest.approx(1.0)
    # ties: the mean over every order of the tied customers
    score = np.array([2, 1, 1, 1, 0, 0])
    curves = []
    for a in itertools.permutations([1, 2, 3]):
        for b in itertools.permutations([4, 5]):
            curves.append(np.cumsum(u[[0, *a, *b]]))
    np.testing.assert_allclose(up.true_gain_curve(score, u).curve["gain"], np.mean(curves, axis=0), atol=1e-12)
    # a constant score is the random line
    flat = up.true_gain_curve(np.zeros(6), u)
    np.testing.assert_allclose(flat.curve["gain"], flat.curve["random"], atol=1e-12)
    assert flat.normalised == pytest.approx(0.0, abs=1e-12)


def test_targeting_profit_averages_ties_like_the_gain_curve():
    v = np.array([5.0, -1.0, 3.0, 0.0])
    t = up.targeting_profit_by_uplift({"flat": [1, 1, 1, 1], "s": [4, 3, 2, 1]}, v, 1.0, shares=[0.25, 0.5, 1.0])
    np.testing.assert_allclose(t["flat"], t["random"], atol=1e-12)
    np.testing.assert_allclose(t["s"], [5.0 - 1.0, 4.0 - 2.0, 7.0 - 4.0])


@pytest.mark.parametrize("default", [True, False])
def test_t_learner_equals_two_separately_fitted_sklearn_models(default):
    rng = np.random.default_rng(2)
    n = 600
    Xn = rng.normal(size=(n, 3))
    t = rng.random(n) < 0.5
    y = rng.random(n) < 1 / (1 + np.exp(-(Xn[:, 0] + t * Xn[:, 1])))

    def new():
        if default:
            return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        return LogisticRegression(C=0.5, max_iter=500)

    m = up.TwoModelUplift() if default else up.TwoModelUplift(LogisticRegression(C=0.5, max_iter=500))
    m.fit(Xn, t, y)
    mt, mc = new().fit(Xn[t], y[t].astype(int)), new().fit(Xn[~t], y[~t].astype(int))
    X_new = rng.normal(size=(50, 3))
    expected = mt.predict_proba(X_new)[:, 1] - mc.predict_proba(X_new)[:, 1]
    np.testing.assert_allclose(m.predict(X_new), expected, atol=1e-10)
    assert (m.n_treated_, m.n_control_, m.n_features_) == (int(t.sum()), int((~t).sum()), 3)


def test_quadrant_boundaries_are_exact():
    thr = 0.3
    below = float(np.nextafter(thr, 0.0))
    p_t = [thr, thr, below, below, 1.0, 0.0]
    p_c = [below, thr, below, thr, 1.0, 0.0]
    assert up.uplift_quadrants(p_t, p_c, threshold=thr).tolist() == [
        "persuadable",
        "sure_thing",
        "lost_cause",
        "sleeping_dog",
        "sure_thing",
        "lost_cause",
    ]


def test_quadrants_keep_the_index_of_series_input():
    p_t = pd.Series([0.8, 0.1], index=[101, 205])
    q = up.uplift_quadrants(p_t, pd.Series([0.2, 0.7], index=[101, 205]))
    assert q.to_dict() == {101: "persuadable", 205: "sleeping_dog"}
    with pytest.raises(DataError, match="different indexes"):
        up.uplift_quadrants(p_t, pd.Series([0.2, 0.7], index=[205, 101]))
    # Series with the same index are fine everywhere (and a filtered frame's index needs no reset)
    d = pd.DataFrame({"s": S, "t": T, "y": Y}, index=np.arange(100, 140))
    np.testing.assert_allclose(
        up.qini_curve(d["s"], d["t"], d["y"]).curve["gain"], up.qini_curve(S, T, Y).curve["gain"]
    )


# ------------------------------------------------------------------------------ service: correctness


def test_pareto_shares_match_a_plain_count():
    causes = ["b", "a", "c", "a", "b", "a", "d", "c", "a", "b"]
    p = service.pareto(pd.DataFrame({"cause": causes}), top=2)
    counts = Counter(causes)
    expected = sorted(counts, key=lambda k: (-counts[k], k))
    assert p.index.tolist() == expected
    cum = np.cumsum([counts[k] for k in expected]) / len(causes)
    np.testing.assert_allclose(p["cumulative_share"], cum)
    assert p["cumulative_share"].iloc[-1] == 1.0 and p["top"].tolist() == [True, True, False, False]


def test_erlang_c_matches_the_published_table_value():
    # Erlang C, A = 10 Erlang offered to 12 agents: P(wait) = 0.4494 (standard call-centre table value)
    row = service.staffing_table(10.0, 1.0, [12], target_wait_h=0.0).loc[12]
    assert row["p_wait"] == pytest.approx(0.4494, abs=5e-5)
    a, c = 10.0, 12
    top = a**c / math.factorial(c) * c / (c - a)
    closed = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    assert row["p_wait"] == pytest.approx(closed, rel=1e-12)
    assert row["mean_wait_h"] == pytest.approx(closed / (c - a), rel=1e-12)  # Wq = C / (c mu - lambda)
    assert row["service_level"] == pytest.approx(1 - closed, rel=1e-12)  # answered at once
    unstable = service.staffing_table(10.0, 1.0, [10], target_wait_h=0.1).loc[10]
    assert not unstable["stable"] and math.isinf(unstable["mean_wait_h"])


def test_dashboard_reads_iso_text_dates_like_timestamps_and_checks_flags():
    tk = _tickets()
    as_text = tk.assign(date=tk["date"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(service.complaint_dashboard(as_text), service.complaint_dashboard(tk))
    as_int = tk.assign(sla_met=[1, 0, 1, nan])  # 1/0 with a missing value reads like the booleans
    pd.testing.assert_frame_equal(service.complaint_dashboard(as_int), service.complaint_dashboard(tk))
    as_f32 = tk.assign(sla_met=np.array([1, 0, 1, nan], dtype=np.float32))
    pd.testing.assert_frame_equal(service.complaint_dashboard(as_f32), service.complaint_dashboard(tk))
    assert service.complaint_dashboard(tk, "ME").index.tolist() == service.complaint_dashboard(tk).index.tolist()


def test_utilisation_counts_open_tickets_until_end_t():
    t = pd.DataFrame({"first_response_t": [0.0, 1.0], "resolved_t": [0.5, nan], "agent": [0, 1]})
    assert service.utilisation(t, 24.0) == pytest.approx(12 / 24)  # without end_t: the open ticket counts no time
    assert service.utilisation(t, 48.0, end_t=2.0) == pytest.approx((12 + 24) / 48)


# ------------------------------------------------------------------------------ anomaly: correctness


def test_change_points_found_on_a_piecewise_constant_series_with_noise():
    rng = np.random.default_rng(11)
    levels = [(0, 50.0), (30, 58.0), (55, 46.0), (90, 52.0)]
    x = np.concatenate([np.full(b - a, lv) for (a, lv), (b, _) in zip(levels, [*levels[1:], (120, 0)])])
    y = x + rng.normal(0, 1.5, len(x))
    cp = anomaly.change_points(pd.Series(y, index=pd.date_range("2024-01-01", periods=len(y), freq="W-MON")))
    found = cp["position"].tolist()
    assert len(found) == 3
    assert all(abs(f - e) <= 2 for f, e in zip(found, [30, 55, 90]))
    assert np.sign(cp["shift"]).tolist() == [1.0, -1.0, 1.0]


def test_elasticity_equals_the_closed_form_of_a_poisson_glm_with_one_binary_regressor():
    # complaints ~ slow with a log link: the MLE rate ratio is mean_slow / mean_fast, and the HC0
    # (sandwich) variance of its log is sum((y - mean)^2) / (sum y)^2 summed over both groups
    rng = np.random.default_rng(4)
    n = 3000
    slow = rng.random(n) < 0.3
    first = pd.DataFrame({"customer_id": np.arange(1, n + 1), "opened_t": rng.uniform(0, 300, n),
                          "wait_h": np.where(slow, 9.0, 1.0), "sla_first_response_met": ~slow, "chaser_of": -1})  # fmt: skip
    k = rng.negative_binomial(2, 2 / (2 + np.where(slow, 0.7, 0.4)))  # overdispersed counts
    rows = np.repeat(np.arange(n), k)
    later = pd.DataFrame({"customer_id": first["customer_id"].to_numpy()[rows],
                          "opened_t": first["opened_t"].to_numpy()[rows] + rng.uniform(0.01, 20, len(rows)),
                          "wait_h": 1.0, "sla_first_response_met": True, "chaser_of": rows + 1})  # fmt: skip
    r = service.wait_complaint_elasticity(pd.concat([first, later], ignore_index=True), window_days=30.0, end_t=400.0)
    unit = first["opened_t"].to_numpy() <= 400.0 - 30.0
    y_s, y_f = k[unit & slow].astype(float), k[unit & ~slow].astype(float)
    assert (r["n_slow"], r["n_fast"]) == (len(y_s), len(y_f))
    assert r["rate_ratio"] == pytest.approx(y_s.mean() / y_f.mean(), rel=1e-9)
    se = math.sqrt(((y_s - y_s.mean()) ** 2).sum() / y_s.sum() ** 2 + ((y_f - y_f.mean()) ** 2).sum() / y_f.sum() ** 2)
    z = 1.959963984540054
    assert r["ci_low"] == pytest.approx(r["rate_ratio"] * math.exp(-z * se), rel=1e-6)
    assert r["ci_high"] == pytest.approx(r["rate_ratio"] * math.exp(z * se), rel=1e-6)
