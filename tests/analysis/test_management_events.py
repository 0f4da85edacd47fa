"""Parsing the management loop's and the phases' events, and the review plot."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from sim.analysis.management import management_reviews, phase_switches, plot_reviews
from sim.errors import DataError

matplotlib.use("Agg")


def management_detail(kpi, value, target, met, lever, old, new) -> str:
    """The documented detail format, written here independently of the firm's writer."""
    flag = "na" if met is None else ("yes" if met else "no")
    num = lambda x: format(float(x), ".6g")
    return f"kpi={kpi} value={num(value)} target={num(target)} met={flag} lever={lever} {num(old)}->{num(new)}"


def _events(details: list[str], t: list[float] | None = None, event: str = "management_review") -> pd.DataFrame:
    t = t if t is not None else [91.0 * (k + 1) for k in range(len(details))]
    return pd.DataFrame({"customer_id": 0, "t": t, "event": event, "detail": details})


def test_round_trip_of_the_detail_format() -> None:
    """What the firm writes (management_detail) is what the parser reads, for every flag and odd numbers."""
    cases = [
        ("repeat_purchase_rate", 0.2312345678, 0.225, True, "contacts.0.interval_days", 30, 30),
        ("nps", -12.5, -10.0, False, "contacts.1.interval_days", 91.0, 76.0),
        ("revenue", 1.234e7, 1e-9, True, "budget.amount_per_period", 25000.0, 25000.0),
        ("csat", float("nan"), float("nan"), None, "alerts.bad_review.min_answers", 20, 20),
    ]
    ev = _events([management_detail(*c) for c in cases])
    rv = management_reviews(ev)
    assert rv["kpi"].tolist() == [c[0] for c in cases]
    assert rv["value"].iloc[0] == pytest.approx(0.231235)  # 6 significant digits
    assert rv["value"].iloc[1] == -12.5 and rv["target"].iloc[2] == 1e-9 and rv["value"].iloc[2] == 1.234e7
    assert rv["met"].tolist()[:3] == [True, False, True] and pd.isna(rv["met"].iloc[3])
    assert rv["lever"].iloc[3] == "alerts.bad_review.min_answers"
    assert rv["changed"].tolist() == [False, True, False, False]
    assert str(rv["met"].dtype) == "boolean"


def test_reviews_are_sorted_and_other_events_ignored() -> None:
    ev = pd.concat(
        [
            _events([management_detail("orders", 5, 4, True, "contacts.0.interval_days", 7, 7)], t=[182.0]),
            _events([management_detail("orders", 3, 4, False, "contacts.0.interval_days", 14, 7)], t=[91.0]),
            _events(["tiers_on"], t=[90.0], event="phase"),
            _events(["email"], t=[1.0], event="acquired"),
        ],
        ignore_index=True,
    )
    rv = management_reviews(ev)
    assert rv["t"].tolist() == [91.0, 182.0] and rv["new"].tolist() == [7.0, 7.0]
    assert phase_switches(ev).to_dict("list") == {"t": [90.0], "phase": ["tiers_on"]}
    assert len(management_reviews(_events([], event="acquired"))) == 0


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (_events(["kpi=orders value=1 target=2 met=maybe lever=x 1->2"]), "row 0, column 'detail'"),
        (_events(["kpi=orders value=1 target=2 met=yes lever=x 1->"]), "not a management_review detail"),
        (pd.DataFrame({"t": [1.0], "event": ["phase"]}), "missing column(s) ['detail']"),
        (_events(["x"], t=[float("nan")]), "column 't' must hold finite numbers"),
        ("not a frame", "expected a pandas DataFrame"),
    ],
)
def test_bad_input_is_refused_naming_row_and_column(events, message: str) -> None:
    with pytest.raises(DataError) as err:
        management_reviews(events)
    assert message in str(err.value)


def test_plot_has_title_labels_and_lever_axis() -> None:
    ev = _events(
        [
            management_detail("repeat_purchase_rate", 0.0, float("nan"), None, "contacts.1.interval_days", 91.0, 91.0),
            management_detail("repeat_purchase_rate", 0.2, 0.2, True, "contacts.1.interval_days", 91.0, 91.0),
            management_detail("repeat_purchase_rate", 0.19, 0.204, False, "contacts.1.interval_days", 91.0, 76.0),
        ]
    )
    phases = phase_switches(_events(["tiers_on"], t=[120.0], event="phase"))
    ax = plot_reviews(management_reviews(ev), phases=phases, unit="share")
    assert ax.get_title() == "repeat_purchase_rate review: 1 of 3 reviews met the target; the lever moved 1 time(s)"
    assert ax.get_xlabel() == "review time (days)" and ax.get_ylabel() == "repeat_purchase_rate (share)"
    twin = [a for a in ax.figure.axes if a is not ax]
    assert twin and twin[0].get_ylabel() == "contacts.1.interval_days (lever, after review)"
    with pytest.raises(DataError, match="no reviews"):
        plot_reviews(management_reviews(_events([], event="x")))
