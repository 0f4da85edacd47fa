"""The trainee-facing self-check: what it prints, when it raises, how it compares.

Expected values are small hand-computed cases; the messages are what a trainee reads, so
the tests pin their wording.
"""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from sim.teach import STRICT_ENV, CheckFailed, check, is_strict


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    """Trainee mode unless a test turns strict mode on."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")


def line(capsys) -> str:
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"a check prints exactly one line, got {out!r}"
    return out.rstrip("\n")


# --------------------------------------------------------------------------- the three outcomes


def test_correct_answer(capsys):
    outcome = check("rfm_recency", 12.0, 12.0)
    assert line(capsys) == "✓ rfm_recency: correct"
    assert outcome and outcome.status == "correct"


def test_wrong_answer_says_what_differs_and_gives_the_hint(capsys):
    outcome = check("rfm_recency", 13, 12, hint="Recency counts days *before* the cut-off")
    assert line(capsys) == (
        "✗ rfm_recency: not yet — expected 12, got 13 (off by 8.3%). Hint: Recency counts days *before* the cut-off"
    )
    assert not outcome and outcome.status == "wrong"


def test_wrong_answer_raises_only_in_strict_mode(capsys, strict):
    assert is_strict()
    with pytest.raises(CheckFailed) as info:
        check("rfm_recency", 13, 12, hint="h")
    assert isinstance(info.value, AssertionError)
    assert str(info.value) == line(capsys)  # the printed line is the exception message


@pytest.mark.parametrize("value", ["0", "", "no", "false"])
def test_strict_mode_is_off_for_other_values(monkeypatch, value, capsys):
    monkeypatch.setenv(STRICT_ENV, value)
    assert not check("x", 1, 2)  # no exception


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (None, "there is no answer yet (got None"),
        (..., "there is no answer yet (replace `...`"),
        (NotImplementedError(), "your code is still a stub"),
    ],
)
def test_missing_answers_are_stubs_and_never_raise(answer, phrase, capsys, strict):
    outcome = check("clv", answer, 100.0, hint="never shown for a stub")
    printed = line(capsys)
    assert printed.startswith("… clv: not yet — ")
    assert phrase in printed and "Hint" not in printed
    assert outcome.status == "stub" and not outcome


def test_run_turns_not_implemented_into_a_stub(capsys, strict):
    def recency_days(orders, cutoff):
        # YOUR CODE HERE
        raise NotImplementedError()

    outcome = check.run("recency_days", lambda: recency_days(None, None), 5)
    assert line(capsys) == (
        "… recency_days: not yet — your code is still a stub (replace `raise NotImplementedError()` with your code)"
    )
    assert outcome.status == "stub"


def test_run_checks_a_finished_function(capsys):
    assert check.run("double", lambda: 2 * 21, 42)
    assert line(capsys) == "✓ double: correct"


def test_run_reports_other_errors_in_one_line_and_goes_on(capsys):
    outcome = check.run("share", lambda: 1 / 0, 0.5)
    printed = line(capsys)
    assert outcome.status == "wrong"
    assert printed.startswith("✗ share: not yet — your code raised ZeroDivisionError: division by zero at ")
    assert 'check.run("share", lambda: 1 / 0, 0.5)' in printed  # the trainee's line, not the checker's
    assert "Traceback" not in printed


def test_run_error_raises_check_failed_in_strict_mode(capsys, strict):
    with pytest.raises(CheckFailed, match="your code raised ZeroDivisionError"):
        check.run("share", lambda: 1 / 0, 0.5)


def test_numbers_that_print_alike_never_read_expected_x_got_x(capsys):
    check("total", 274913.0000004, 274913.0, rtol=0.0, atol=0.0)
    printed = line(capsys)
    assert "expected 274913, got 274913" not in printed and "tiny difference" in printed


def test_expected_none_is_an_answer_not_a_stub(capsys):
    assert check.equal("nothing", None, None)
    assert line(capsys) == "✓ nothing: correct"


def test_a_check_needs_a_name():
    with pytest.raises(TypeError, match="non-empty name"):
        check("", 1, 1)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("answer", "expected", "kwargs", "ok"),
    [
        (0.1 + 0.2, 0.3, {}, True),  # float round-off is within the default tolerance
        (100.0001, 100.0, {}, True),  # relative 1e-6
        (100.01, 100.0, {}, False),
        (101.0, 100.0, {"rtol": 0.02}, True),
        (0.0, 1e-12, {}, True),  # absolute 1e-9 near zero
        (np.float64(2.5), 2.5, {}, True),
        (np.array(2.5), 2.5, {}, True),  # 0-d array
        (float("nan"), float("nan"), {}, True),
        (3, 3.0, {}, True),
    ],
)
def test_close_tolerances(answer, expected, kwargs, ok, capsys):
    assert bool(check.close("v", answer, expected, **kwargs)) is ok


def test_equal_is_exact(capsys):
    assert not check.equal("v", 0.1 + 0.2, 0.3)
    assert "expected 0.3, got 0.3" in line(capsys)  # 6 significant digits hide the 4e-17


def test_number_type_mismatches_are_explained(capsys):
    check("n", "7", 7)
    assert line(capsys).endswith("not yet — expected a number, got text (str) '7'.")
    check("n", pd.Series([7.0]), 7.0)
    assert "holding one value (take it out with `.item()`)" in line(capsys)
    check("flag", 1, True)
    assert "expected True or False, got a number 1" in line(capsys)


def test_off_by_percentages(capsys):
    check("x", 0.25, 0.5)
    assert "expected 0.5, got 0.25 (off by 50%)" in line(capsys)
    check("x", 0.5, 0.0)
    assert "expected 0, got 0.5 (off by 0.5)" in line(capsys)


def test_close_refuses_non_numeric_expected_values():
    with pytest.raises(TypeError, match="check.close needs a number"):
        check.close("x", "a", "a")


# --------------------------------------------------------------------------- containers and text


def test_text_differing_only_in_case_is_called_almost(capsys):
    check("tier", "Gold ", "gold")
    assert "almost: expected 'gold', got 'Gold ' (only upper/lower case or surrounding spaces differ)" in line(capsys)


def test_lists_dicts_sets(capsys):
    check("labels", ["small", "large"], ["small", "large", "large"])
    assert "expected 3 items, got 2" in line(capsys)
    check("labels", ["small", "small"], ["small", "large"])
    assert "item 1: expected 'large', got 'small'" in line(capsys)
    check("budget", {"high": 0.7, "wake": 0.2}, {"high": 0.7, "wake": 0.2, "reserve": 0.1})
    assert "missing keys ['reserve']" in line(capsys)
    check("budget", {"high": 0.6}, {"high": 0.7})
    assert "key 'high': expected 0.7, got 0.6" in line(capsys)
    check("tiers", {"gold", "bronze"}, {"gold", "silver"})
    assert "missing items ['silver']; unexpected items ['bronze']" in line(capsys)
    assert check("tiers", ["silver", "gold"], {"gold", "silver"})  # a list with the right members


def test_arrays(capsys):
    check("p", np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.25, 0.35]))
    assert "2 of 3 values differ; first at position 1: expected 0.25, got 0.2" in line(capsys)
    check("p", [1, 2], np.array([1, 2, 3]))
    assert "expected shape (3,), got shape (2,)" in line(capsys)
    assert check.close("p", [0.1, 0.2], [0.1, 0.2 + 1e-9])


# --------------------------------------------------------------------------- tables


@pytest.fixture
def rfm() -> pd.DataFrame:
    idx = pd.Index(["C1", "C2", "C3"], name="customer_id")
    return pd.DataFrame(
        {"recency": [3, 10, 40], "frequency": [5, 2, 1], "segment": ["gold", "silver", "bronze"]}, index=idx
    )


def test_frame_correct_ignoring_column_order_and_dtype(rfm, capsys):
    answer = rfm[["segment", "frequency", "recency"]].astype({"recency": "float64"})
    answer["segment"] = answer["segment"].astype(object)
    assert check.frame("rfm", answer, rfm)
    assert line(capsys) == "✓ rfm: correct"


def test_frame_column_names(rfm, capsys):
    check.frame("rfm", rfm.rename(columns={"recency": "Recency"}), rfm)
    assert "missing column 'recency'; unexpected column 'Recency'" in line(capsys)


def test_frame_shape_and_index(rfm, capsys):
    check.frame("rfm", rfm.iloc[:2], rfm)
    assert "expected 3 rows, got 2" in line(capsys)
    check.frame("rfm", rfm.iloc[::-1], rfm)
    assert "row labels (index) are in a different order" in line(capsys)
    check.frame("rfm", rfm.reset_index(drop=True), rfm)
    assert "the row labels (index) differ: 'C1' is missing" in line(capsys)
    assert check.frame("rfm", rfm.reset_index(drop=True), rfm, check_index=False)


def test_frame_values_name_the_column_and_row(rfm, capsys):
    answer = rfm.copy()
    answer.loc["C2", "recency"] = 11
    check.frame("rfm", answer, rfm, hint="Count days before the cut-off.")
    assert line(capsys) == (
        "✗ rfm: not yet — column 'recency': 1 of 3 values differ; first at row 'C2': expected 10, got 11. "
        "Hint: Count days before the cut-off."
    )
    answer = rfm.copy()
    answer.loc["C3", "segment"] = "silver"
    check.frame("rfm", answer, rfm)
    assert "column 'segment': 1 of 3 values differ; first at row 'C3': expected 'bronze', got 'silver'" in line(capsys)


def test_frame_tolerance_and_missing_values(capsys):
    want = pd.DataFrame({"clv": [100.0, np.nan, 3.0]})
    assert check.frame("clv", pd.DataFrame({"clv": [100.00001, np.nan, 3.0]}), want)
    assert not check.frame("clv", pd.DataFrame({"clv": [100.0, 0.0, 3.0]}), want)
    assert "first at row 1: expected nan, got 0" in capsys.readouterr().out.splitlines()[-1]
    assert check.frame("clv", pd.DataFrame({"clv": [101.0, np.nan, 3.0]}), want, rtol=0.02)


def test_frame_numbers_stored_as_text(rfm, capsys):
    check.frame("rfm", rfm.astype({"recency": str}), rfm)
    assert "column 'recency' should hold numbers" in line(capsys)


def test_frame_optional_strictness(rfm, capsys):
    assert not check.frame("rfm", rfm[["segment", "frequency", "recency"]], rfm, check_column_order=True)
    assert "columns are in a different order" in line(capsys)
    assert not check.frame("rfm", rfm.astype({"recency": "float64"}), rfm, check_dtype=True)
    assert "column 'recency' has dtype float64, expected int64" in line(capsys)


def test_series_and_dates(capsys):
    want = pd.Series(pd.to_datetime(["2025-01-05", "2025-02-01"]), index=["C1", "C2"])
    assert check("last_order", want.copy(), want)
    got = want.copy()
    got["C2"] = pd.Timestamp("2025-02-02")
    capsys.readouterr()
    check("last_order", got, want)
    assert "values: 1 of 2 values differ; first at row 'C2': expected 2025-02-01, got 2025-02-02" in line(capsys)
    check("last_order", got.to_frame(), want)
    assert "expected a pandas Series, got a DataFrame" in line(capsys)


def test_frame_expects_a_table(rfm, capsys):
    check.frame("rfm", rfm.to_dict(), rfm)
    assert "expected a DataFrame (a table), got a dict" in line(capsys)
    with pytest.raises(TypeError, match="check.frame needs a DataFrame"):
        check.frame("rfm", rfm, [1, 2])


# --------------------------------------------------------------------------- that / display / doctests


def test_that_checks_a_property(capsys):
    assert check.that("churn_rate", 0.2, lambda x: 0 <= x <= 1, expected="a share between 0 and 1")
    assert line(capsys) == "✓ churn_rate: correct"
    assert not check.that("churn_rate", 20, lambda x: 0 <= x <= 1, expected="a share between 0 and 1")
    assert line(capsys).endswith("expected a share between 0 and 1, got 20.")
    assert check.that("churn_rate", None, lambda x: True, expected="x").status == "stub"


def test_outcome_displays_nothing_more_in_a_notebook(capsys):
    outcome = check("x", 1, 1)
    assert outcome._ipython_display_() is None  # IPython calls this instead of printing a repr


def test_docstring_examples_run(monkeypatch):
    mod = importlib.import_module("sim.teach.check")
    assert mod is not check  # the module, not the checker object that shadows it in sim.teach
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
