"""Analysis refuses what it cannot read (issue 10, items 8 and 9).

Every public entry point that takes an orders table is fed malformed copies of one valid
table; each must raise :class:`sim.errors.DataError` naming the table, the column and the
rows, never return a corrupt result and never raise another exception. What is checked:

* integer / float / boolean dates (pandas would read 20250101 as 1970-01-01 00:00:00.020250101);
* booleans, NaN, inf and negative values as money;
* ids mixing numbers and text (``1`` and ``'1'`` would count as two customers);
* ambiguous ``03/04/2025`` without ``dayfirst``, and both day orders in one column;
* mixed time-zone offsets without ``utc=True``;
* duplicate keys where a key must be unique; empty tables;
* BG/NBD and Gamma-Gamma on data that cannot identify them (no repeat purchase, too few
  customers, one history shared by all, constant spend), and predictions that would be
  inf/NaN.

The explicit options (``dayfirst=``, ``date_format=``, ``utc=True``) are checked against
ground truth: dates written from known timestamps must read back exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis import churn, clv, cohorts, lifecycle, quality, rfm, satisfaction, survival, tiers
from sim.analysis._validate import require_columns, require_dates, require_ids, to_timestamp
from sim.errors import DataError

CUTOFF = "2025-12-31"

#: One valid orders table: 6 customers, repeat purchases, ISO dates.
ORDERS = pd.DataFrame(
    {
        "customer_id": [1, 1, 2, 2, 3, 4, 4, 4, 5, 6],
        "date": [
            "2025-01-05",
            "2025-03-01",
            "2025-02-10",
            "2025-06-15",
            "2025-04-01",
            "2025-01-20",
            "2025-05-05",
            "2025-09-09",
            "2025-07-07",
            "2025-08-08",
        ],
        "amount": [10.0, 20.0, 35.0, 15.0, 50.0, 5.0, 7.5, 12.0, 80.0, 22.0],
    }
)

#: The customers of ORDERS as monthly subscribers (for clv.renewal_survivors).
SUBSCRIBERS = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "plan": "monthly"})

#: Public entry points that take an orders table (customer_id, date, amount).
ENTRY_POINTS: dict[str, Callable[[pd.DataFrame], object]] = {
    "rfm.rfm_table": lambda o: rfm.rfm_table(o, CUTOFF),
    "cohorts.cohort_table": lambda o: cohorts.cohort_table(o, cutoff=CUTOFF),
    "clv.summary_data": lambda o: clv.summary_data(o, CUTOFF),
    "clv.calibration_holdout": lambda o: clv.calibration_holdout(o, "2025-06-30", CUTOFF),
    "clv.historical_clv": lambda o: clv.historical_clv(o, cutoff=CUTOFF),
    "churn.churn_features": lambda o: churn.churn_features(o, CUTOFF),
    "churn.churn_labels": lambda o: churn.churn_labels(o, "2025-06-30", observed_until=CUTOFF),
    "tiers.customer_value": lambda o: tiers.customer_value(o, CUTOFF),
    "tiers.pyramid_report": lambda o: tiers.pyramid_report(o, CUTOFF),
    "tiers.migration_matrix": lambda o: tiers.migration_matrix(o, "2025-06-30", CUTOFF),
    "survival.lapse_durations": lambda o: survival.lapse_durations(o, CUTOFF),
    "lifecycle.lifecycle_stages": lambda o: lifecycle.lifecycle_stages(o, CUTOFF),
    "clv.renewal_survivors": lambda o: clv.renewal_survivors(SUBSCRIBERS, o, as_of=CUTOFF),
}
#: Entry points that read the amount column.
MONEY_ENTRY_POINTS = {
    k: v
    for k, v in ENTRY_POINTS.items()
    if k.split(".")[0] in ("rfm", "clv", "churn", "tiers") and k not in ("churn.churn_labels", "clv.renewal_survivors")
}


def _with(column: str, values: list, rows: list[int] | None = None) -> pd.DataFrame:
    """A copy of ORDERS with ``values`` written into ``column`` at ``rows`` (default: the first rows)."""
    o = ORDERS.copy()
    rows = list(range(len(values))) if rows is None else rows
    col = o[column].astype(object)
    for r, v in zip(rows, values):
        col.iloc[r] = v
    o[column] = col
    return o


def _refused(
    fn: Callable[[pd.DataFrame], object], df: pd.DataFrame, column: str, rows: list | None = None
) -> DataError:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a refusal, not a warning and a corrupt result
        with pytest.raises(DataError) as err:
            fn(df)
    e = err.value
    assert e.table == "orders", str(e)
    assert e.column == column, str(e)
    if rows is not None:
        assert set(rows) <= set(e.rows), (rows, e.rows, str(e))
    assert len(str(e)) < 500  # a short message, never the whole column
    return e


def test_the_valid_table_passes_every_entry_point():
    for name, fn in ENTRY_POINTS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            assert fn(ORDERS) is not None, name


# --------------------------------------------------------------------------- 1. integer dates
INT_DATES = {
    "int64 column": lambda: ORDERS.assign(date=pd.to_datetime(ORDERS["date"]).dt.strftime("%Y%m%d").astype("int64")),
    "float column": lambda: ORDERS.assign(date=pd.to_datetime(ORDERS["date"]).dt.strftime("%Y%m%d").astype(float)),
    "bool column": lambda: ORDERS.assign(date=[True] * len(ORDERS)),
    "one int among text": lambda: _with("date", [20250105]),
    "one float among text": lambda: _with("date", [20250105.0], rows=[3]),
}


@pytest.mark.parametrize("case", list(INT_DATES))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_integer_dates_are_refused(entry, case):
    e = _refused(ENTRY_POINTS[entry], INT_DATES[case](), "date")
    assert "number" in str(e) and "1970" in str(e)


def test_integer_dates_read_with_an_explicit_format():
    truth = pd.to_datetime(ORDERS["date"])
    ints = truth.dt.strftime("%Y%m%d").astype("int64")
    got = require_dates(ints, table="orders", column="date", date_format="%Y%m%d")
    pd.testing.assert_series_equal(got, truth.astype("datetime64[ns]"), check_names=False)
    out = require_columns(ORDERS.assign(date=ints), {"date": "datetime"}, table="orders", date_format="%Y%m%d")
    assert (out["date"] == truth).all()


@pytest.mark.parametrize("value", [20250630, 20250630.0, np.int64(20250630), True])
def test_numeric_cutoffs_are_refused(value):
    with pytest.raises(DataError, match="cutoff"):
        to_timestamp(value)
    with pytest.raises(DataError, match="cutoff"):
        rfm.rfm_table(ORDERS, value)


# --------------------------------------------------------------------------- 2. money
MONEY = {
    "bool column": (lambda: ORDERS.assign(amount=[True, False] * 5), [0, 1]),
    "one bool among numbers": (lambda: _with("amount", [True], rows=[2]), [2]),
    "NaN": (lambda: _with("amount", [np.nan], rows=[4]), [4]),
    "inf": (lambda: _with("amount", [np.inf], rows=[5]), [5]),
    "-inf": (lambda: _with("amount", [-np.inf], rows=[1]), [1]),
    "negative": (lambda: _with("amount", [-3.0], rows=[6]), [6]),
    "text": (lambda: _with("amount", ["12 apples"], rows=[7]), [7]),
    "datetime column": (lambda: ORDERS.assign(amount=pd.to_datetime(ORDERS["date"])), [0]),
}


@pytest.mark.parametrize("case", list(MONEY))
@pytest.mark.parametrize("entry", list(MONEY_ENTRY_POINTS))
def test_bad_money_is_refused(entry, case):
    make, rows = MONEY[case]
    _refused(MONEY_ENTRY_POINTS[entry], make(), "amount", rows)


def test_money_written_as_number_text_is_read_exactly():
    out = rfm.rfm_table(ORDERS.assign(amount=ORDERS["amount"].astype(str)), CUTOFF)
    assert out.equals(rfm.rfm_table(ORDERS, CUTOFF))


# --------------------------------------------------------------------------- 3. ids
IDS = {
    "1 and '1'": ([1, "1"], [0, 1]),
    "text among numbers": (["4"], [0]),
    "bool id": ([True], [0]),
    "missing id": ([None], [0]),
}


@pytest.mark.parametrize("case", list(IDS))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_bad_ids_are_refused(entry, case):
    values, rows = IDS[case]
    e = _refused(ENTRY_POINTS[entry], _with("customer_id", values), "customer_id")
    assert set(e.rows) & set(rows)


def test_mixed_ids_name_the_minority_rows():
    ids = pd.Series([1, 2, "2", 3, 4, "5"])
    with pytest.raises(DataError, match="mixed types") as err:
        require_ids(ids, table="orders", column="customer_id")
    assert err.value.rows == [2, 5]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=40))
def test_ids_of_one_type_pass_and_mixed_ids_are_refused(draw):
    """Property: ids are accepted iff they are all numbers or all text; accepted ids keep their count."""
    values = [str(i) if as_text else i for i, as_text in draw]
    s = pd.Series(values, dtype=object)
    kinds = {isinstance(v, str) for v in values}
    if len(kinds) == 1:
        assert require_ids(s, table="orders", column="customer_id").nunique() == len(set(values))
    else:
        with pytest.raises(DataError) as err:
            require_ids(s, table="orders", column="customer_id")
        minority = min(kinds, key=lambda k: (sum(isinstance(v, str) == k for v in values), k))
        expect = [i for i, v in enumerate(values) if isinstance(v, str) == minority]
        counts = {k: sum(isinstance(v, str) == k for v in values) for k in kinds}
        if counts[True] != counts[False]:
            assert err.value.rows == expect


def test_ids_written_differently_in_two_tables_are_refused():
    customers = pd.DataFrame({"customer_id": [str(i) for i in range(1, 7)], "acquired_date": "2025-01-01"})
    with pytest.raises(DataError, match="customers: column 'customer_id': ids are text here but number in orders"):
        cohorts.cohort_table(ORDERS, customers=customers, cutoff=CUTOFF)
    with pytest.raises(DataError, match="ids are text here but number in orders"):
        churn.churn_features(ORDERS, CUTOFF, customers=customers)


# --------------------------------------------------------------------------- 4. ambiguous dates
AMBIGUOUS = {
    "03/04/2025": (["03/04/2025"], [0]),
    "two ambiguous": (["01/02/2025", "11/12/2025"], [0, 1]),
    "dotted 04.03.2025": (["04.03.2025"], [0]),
    "two-digit year 03/04/25": (["03/04/25"], [0]),
    "both orders in one column": (["25/03/2025", "03/25/2025"], None),
}


@pytest.mark.parametrize("case", list(AMBIGUOUS))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_ambiguous_dates_are_refused(entry, case):
    values, rows = AMBIGUOUS[case]
    e = _refused(ENTRY_POINTS[entry], _with("date", values), "date", rows)
    assert "dayfirst" in str(e)


def test_unambiguous_slashed_dates_need_no_option():
    # 03/03/2025 reads the same either way; 25/03/2025 can only be day/month
    o = _with("date", ["03/03/2025", "25/03/2025"])
    out = clv.summary_data(o, CUTOFF)
    assert out.equals(clv.summary_data(_with("date", ["2025-03-03", "2025-03-25"]), CUTOFF))


def test_a_value_contradicting_dayfirst_is_refused():
    with pytest.raises(DataError, match="cannot be month/day") as err:
        require_dates(pd.Series(["01/02/2025", "25/03/2025"]), table="orders", column="date", dayfirst=False)
    assert err.value.rows == [1]


_DAYS = st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2060-12-31").date())


@settings(max_examples=80, deadline=None)
@given(st.lists(_DAYS, min_size=1, max_size=20), st.booleans(), st.sampled_from(["/", ".", "-"]))
def test_explicit_dayfirst_reads_back_the_written_dates(days, dayfirst, sep):
    """Property: dates written day/month (or month/day) read back exactly with the matching dayfirst;
    ISO dates read back exactly whatever dayfirst says."""
    truth = pd.Series(pd.to_datetime(days)).astype("datetime64[ns]")
    fmt = f"%d{sep}%m{sep}%Y" if dayfirst else f"%m{sep}%d{sep}%Y"
    got = require_dates(truth.dt.strftime(fmt), table="t", column="d", dayfirst=dayfirst)
    pd.testing.assert_series_equal(got, truth, check_names=False)
    iso = require_dates(truth.dt.strftime("%Y-%m-%d"), table="t", column="d", dayfirst=dayfirst)
    pd.testing.assert_series_equal(iso, truth, check_names=False)
    slashed_iso = require_dates(truth.dt.strftime("%Y/%m/%d"), table="t", column="d", dayfirst=dayfirst)
    pd.testing.assert_series_equal(slashed_iso, truth, check_names=False)
    # the quality module's cleaning step obeys the same rules
    out, _ = quality.parse_dates(pd.DataFrame({"d": truth.dt.strftime("%Y-%m-%d")}), "d", dayfirst=True)
    assert (out["d"] == truth).all()
    out, _ = quality.parse_dates(pd.DataFrame({"d": truth.dt.strftime(fmt)}), "d", dayfirst=dayfirst)
    assert (out["d"] == truth).all()


def test_quality_parse_dates_reads_iso_and_year_first_dates_year_first():
    df = pd.DataFrame({"d": ["2025-03-04", "2025/03/04", "2025年3月4日", "2025-03-04 10:30"]})
    for dayfirst in (True, False):
        out, log = quality.parse_dates(df, "d", dayfirst=dayfirst)
        assert out["d"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-04"] * 4
        assert 0 not in set(log["row"])  # the ISO value is not rewritten


def test_quality_parse_dates_refuses_ambiguous_dates_with_dayfirst_none():
    df = pd.DataFrame({"d": ["2025-03-04", "03/04/2025", "25/03/2025", "05/06/2025"]})
    with pytest.raises(DataError, match="ambiguous") as err:
        quality.parse_dates(df, "d", dayfirst=None)
    assert err.value.column == "d" and err.value.rows == [1, 3]


# --------------------------------------------------------------------------- 5. time zones
TZ = {
    "two offsets": ["2025-01-05T10:00:00+01:00", "2025-03-01T10:00:00+05:00"],
    "offset and Z": ["2025-01-05T10:00:00+01:00", "2025-03-01T10:00:00Z"],
    "aware and naive": ["2025-01-05T10:00:00+01:00", "2025-03-01 10:00:00"],
    "non-ISO with offsets": ["Jan 5 2025 10:00 +0100", "Mar 1 2025 10:00 +0500"],
}


@pytest.mark.parametrize("case", list(TZ))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_mixed_time_zone_offsets_are_refused(entry, case):
    e = _refused(ENTRY_POINTS[entry], _with("date", TZ[case]), "date")
    assert "utc=True" in str(e)


def test_mixed_offsets_convert_to_utc_on_request():
    s = pd.Series(["2025-01-01T00:30:00+01:00", "2025-01-01T00:30:00-05:00", "2025-01-01 00:30", "2025-01-01T00:30Z"])
    got = require_dates(s, table="orders", column="date", utc=True)
    truth = pd.Series(pd.to_datetime(s, utc=True, format="ISO8601")).dt.tz_convert(None).astype("datetime64[ns]")
    pd.testing.assert_series_equal(got, truth)
    assert got.iloc[0] == pd.Timestamp("2024-12-31 23:30") and got.iloc[1] == pd.Timestamp("2025-01-01 05:30")


def test_one_offset_everywhere_is_read_as_utc_and_aware_cutoffs_too():
    s = pd.Series(["2025-01-01T10:00:00+08:00", "2025-02-01T10:00:00+08:00"])
    assert require_dates(s, table="t", column="d").tolist() == [
        pd.Timestamp("2025-01-01 02:00"),
        pd.Timestamp("2025-02-01 02:00"),
    ]
    assert to_timestamp("2025-01-01T08:00:00+08:00") == pd.Timestamp("2025-01-01 00:00")
    assert to_timestamp(pd.Timestamp("2025-01-01 08:00", tz="Asia/Shanghai")) == pd.Timestamp("2025-01-01 00:00")


# --------------------------------------------------------------------------- 6. keys and empty tables
def test_duplicate_keys_are_refused_where_a_key_must_be_unique():
    customers = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6, 3], "acquired_date": "2025-01-01"})
    for fn in (
        lambda: cohorts.cohort_table(ORDERS, customers=customers, cutoff=CUTOFF),
        lambda: churn.churn_features(ORDERS, CUTOFF, customers=customers),
    ):
        with pytest.raises(DataError, match="duplicate") as err:
            fn()
        assert err.value.table == "customers" and err.value.column == "customer_id" and err.value.rows == [2, 6]
    table = rfm.rfm_table(ORDERS, CUTOFF)
    with pytest.raises(DataError, match="unique") as err:
        rfm.rfm_scores(pd.concat([table, table.iloc[:1]]), bins=2)
    assert err.value.rows == [1, 1]
    values = tiers.customer_value(ORDERS, CUTOFF)
    with pytest.raises(DataError, match="unique"):
        tiers.value_tiers(pd.concat([values, values.iloc[:1]]))


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_empty_tables_are_refused(entry):
    with pytest.raises(DataError, match="empty") as err:
        ENTRY_POINTS[entry](ORDERS.iloc[0:0])
    assert err.value.table == "orders"


def test_surveys_with_bad_scores_dates_and_ids_are_refused():
    surveys = pd.DataFrame(
        {"customer_id": [1, 2, 3], "date": ["2025-01-01"] * 3, "instrument": ["nps"] * 3, "score": [9, 7, 10]}
    )
    satisfaction.satisfaction_series(surveys)
    cases = {
        "score": surveys.assign(score=[True, False, True]),
        "date": surveys.assign(date=[20250101] * 3),
        "customer_id": surveys.assign(customer_id=[1, "1", 2]),
    }
    for column, bad in cases.items():
        with pytest.raises(DataError) as err:
            satisfaction.satisfaction_series(bad)
        assert err.value.table == "surveys" and err.value.column == column
    with pytest.raises(DataError, match="score"):
        satisfaction.nps([9, np.nan, 10])
    with pytest.raises(DataError, match="empty"):
        satisfaction.nps([])


def test_long_values_are_shortened_in_messages():
    e = _refused(ENTRY_POINTS["rfm.rfm_table"], _with("date", ["x" * 10_000]), "date", [0])
    assert "x" * 50 not in str(e)


# --------------------------------------------------------------------------- 7. BG/NBD and Gamma-Gamma
def test_bgnbd_refuses_data_without_a_repeat_purchase():
    with pytest.raises(
        DataError, match="no customer made a repeat purchase; BG/NBD cannot be identified".replace(";", ".*")
    ):
        clv.BetaGeoFitter().fit([0] * 50, [0.0] * 50, np.linspace(10, 300, 50))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_bgnbd_refuses_fewer_customers_than_it_needs(n):
    with pytest.raises(DataError, match="need at least 5 customers"):
        clv.BetaGeoFitter().fit([2] * n, [5.0] * n, [10.0 + i for i in range(n)])


def test_bgnbd_refuses_one_history_shared_by_all():
    with pytest.raises(DataError, match="same history"):
        clv.BetaGeoFitter().fit([2] * 50, [5.0] * 50, [10.0] * 50)


def test_bgnbd_predictions_never_return_inf_or_nan():
    bgf = clv.BetaGeoFitter()
    bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 1.0, "b": 5.0})  # (a+b-1)/(a-1): division by zero
    with pytest.raises(DataError, match="expected_purchases is not finite"):
        bgf.expected_purchases(30.0)
    with pytest.raises(DataError, match="not finite") as err:
        bgf.conditional_expected_purchases(30.0, pd.Series([1, 0], index=["a", "b"]), [5.0, 0.0], [10.0, 10.0])
    assert err.value.rows == ["a", "b"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(5, 12), st.integers(0, 10_000))
def test_small_bgnbd_fits_are_refused_flagged_or_usable(n, seed):
    """Property: on small random data a fit raises DataError, or converged_ is False with the reasons in
    fit_issues_, or every prediction on the data is finite; predictions are finite or a DataError."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(30, 400, n)
    x = rng.poisson(rng.uniform(0.2, 3), n).astype(float)
    tx = np.where(x > 0, T * rng.uniform(0.05, 1, n), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            bgf = clv.BetaGeoFitter().fit(x, tx, T)
        except DataError as exc:
            assert exc.table == "summary"
            return
    assert bgf.converged_ == (not bgf.fit_issues_)
    for predict in (
        lambda: bgf.expected_purchases(np.array([30.0, 365.0])),
        lambda: bgf.conditional_expected_purchases(90.0, x, tx, T),
        lambda: bgf.p_alive(x, tx, T),
    ):
        try:
            out = np.asarray(predict(), dtype=float)
        except DataError as exc:
            assert not bgf.converged_ and "not finite" in str(exc)
            continue
        assert np.isfinite(out).all()
    if bgf.converged_:
        assert np.isfinite(bgf.standard_errors_).all()


def test_gamma_gamma_refuses_too_few_repeat_customers_and_constant_spend():
    with pytest.raises(DataError, match="need at least 4 customers with frequency > 0"):
        clv.GammaGammaFitter().fit([1, 2, 3, 0, 0], [50.0, 60.0, 70.0, 0.0, 0.0])
    with pytest.raises(DataError, match="same monetary_value") as err:
        clv.GammaGammaFitter().fit([1, 2, 3, 4, 0], [50.0] * 4 + [0.0])
    assert err.value.column == "monetary_value"
    with pytest.raises(DataError, match="no customer has frequency > 0"):
        clv.GammaGammaFitter().fit([0, 0, 0, 0], [0.0] * 4)


def test_gamma_gamma_never_returns_an_infinite_mean():
    ggf = clv.GammaGammaFitter()
    ggf.params_ = pd.Series({"p": 6.0, "q": 0.8, "gamma": 150.0})
    with pytest.raises(DataError, match="infinite"):
        ggf.mean_order_value()
    with pytest.raises(DataError, match="infinite"):
        ggf.conditional_expected_average_profit([1, 2], [10.0, 20.0])


def test_healthy_fits_report_no_issues():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 8, 800)
    m = rng.gamma(6.0 * x, 1 / (rng.gamma(4.0, 1 / 150.0, 800) * x))
    ggf = clv.GammaGammaFitter().fit(x, m)
    assert ggf.converged_ and ggf.fit_issues_ == []


# --------------------------------------------------------------------------- 8. random mutations
_ODD_VALUES = [None, np.nan, np.inf, -np.inf, -1, 0, "1", True, False, 20250101, 20250101.5, "03/04/2025",
               "25/03/2025", "2025-01-01T00:00+01:00", "2025-01-01T00:00+09:00", "2025-13-45", "", "n/a", "x" * 200,
               pd.Timestamp("2025-02-02"), pd.Timestamp("2025-02-02", tz="UTC"), [1], {"a": 1}, -0.0, np.int64(7),
               pd.NA, pd.NaT, b"bytes", 1 + 2j, "1e400", "  7 ", "2025/02/30", "Jan 5 2025"]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(ENTRY_POINTS)),
    st.lists(
        st.tuples(st.sampled_from(list(ORDERS.columns)), st.integers(0, len(ORDERS) - 1), st.sampled_from(_ODD_VALUES)),
        min_size=1,
        max_size=3,
    ),
)
def test_random_cell_mutations_give_a_result_or_a_data_error(entry, edits):
    """Property: whatever odd value lands in a cell, an entry point returns or raises DataError
    naming a table (never another exception)."""
    o = ORDERS.astype(object)
    for col, row, value in edits:
        o.iat[row, o.columns.get_loc(col)] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ENTRY_POINTS[entry](o)
        except DataError as exc:
            assert exc.table and len(str(exc)) < 500
