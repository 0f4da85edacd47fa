"""check.task: what a trainee reads for a stub, an exception, a mutation, a wrong or right function.

The task used is ``campaign_net_roi`` (closed form (r * m - c) / c) and ``flag_orders_for_review``
(a table); the catalogue files test every task against wrong answers.
"""

from __future__ import annotations

import pytest

from sim.teach import STRICT_ENV, CheckFailed, check
from sim.teach.tasks import Case, Expect, Task, get_task, grade, task_names


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)


def line(capsys) -> str:
    out = capsys.readouterr()
    assert out.out.count("\n") == 1, f"a check prints exactly one line, got {out.out!r}"
    assert out.err == ""
    return out.out.rstrip("\n")


def right_roi(cost, incremental_revenue, margin_rate):
    return (incremental_revenue * margin_rate - cost) / cost


def test_right_function_passes_with_the_number_of_cases(capsys):
    outcome = check.task("campaign_net_roi", right_roi)
    assert (
        outcome and line(capsys) == f"✓ campaign_net_roi: correct ({len(get_task('campaign_net_roi').cases())} cases)"
    )


def test_wrong_function_names_the_case_in_words_and_gives_the_hint(capsys):
    outcome = check.task("campaign_net_roi", lambda c, r, m: r / c)
    printed = line(capsys)
    assert outcome.status == "wrong"
    assert printed.startswith("✗ campaign_net_roi: not yet — 6 of 6 cases fail; first: ")
    assert printed.endswith("Hint: " + get_task("campaign_net_roi").hint)
    assert "expected" not in printed


def stub(cost, incremental_revenue, margin_rate):
    # YOUR CODE HERE
    raise NotImplementedError()


def returns_none(cost, incremental_revenue, margin_rate):
    pass


def returns_ellipsis(cost, incremental_revenue, margin_rate):
    return ...


@pytest.mark.parametrize(
    ("func", "phrase"),
    [
        (stub, "your code is still a stub"),
        (returns_none, "your function returns None"),
        (returns_ellipsis, "your function returns `...`"),
        (None, "there is no answer yet"),
    ],
)
def test_stubs_report_not_yet_and_never_raise_even_in_strict_mode(func, phrase, capsys, monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    outcome = check.task("campaign_net_roi", func)
    printed = line(capsys)
    assert outcome.status == "stub"
    assert printed.startswith("… campaign_net_roi: not yet — ") and phrase in printed
    assert "Hint" not in printed


def typo(cost, incremental_revenue, margin_rate):
    gain = incremental_revenue * margin_rat  # noqa: F821 - the trainee's typo
    return (gain - cost) / cost


def test_exception_is_one_line_with_the_trainees_line_and_no_traceback(capsys):
    outcome = check.task("campaign_net_roi", typo)
    printed = line(capsys)
    assert outcome.status == "wrong"
    assert "your code raised NameError: name 'margin_rat' is not defined" in printed
    assert "test_task_check.py, line" in printed
    assert "`gain = incremental_revenue * margin_rat" in printed
    assert "Traceback" not in printed and "sim/teach" not in printed


def test_exception_inside_a_library_points_at_the_trainees_call(capsys):
    def reads_a_missing_column(orders, threshold=100_000):
        return orders.assign(review_flag=orders["amonut"] > threshold)

    check.task("flag_orders_for_review", reads_a_missing_column)
    printed = line(capsys)
    assert "your code raised KeyError: 'amonut'" in printed
    assert 'orders["amonut"] > threshold' in printed  # the trainee's line, not pandas'


def test_strict_mode_turns_a_wrong_answer_into_check_failed(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(CheckFailed, match="campaign_net_roi: not yet"):
        check.task("campaign_net_roi", typo)


def test_a_result_instead_of_the_function_is_explained(capsys):
    check.task("campaign_net_roi", 0.3125)
    assert "pass the function itself" in line(capsys)


def test_mutation_is_reported_even_when_the_answer_is_right(capsys):
    def flags_in_place(orders, threshold=100_000):
        orders["review_flag"] = orders["amount"] > threshold
        return orders.copy()

    result = grade(get_task("flag_orders_for_review"), flags_in_place)
    assert result.status == "wrong" and "changed its input `orders`" in result.detail


def test_unknown_task_names_the_known_ones():
    with pytest.raises(KeyError, match="repeat_purchase_rate"):
        get_task("repeat_rate_typo")


def test_every_task_varies_each_parameter_across_its_cases():
    """Every parameter takes at least two values, so a function that ignores one can fail."""
    import copy
    import inspect

    for name in task_names():
        task = get_task(name)
        params = list(inspect.signature(task.reference).parameters)
        cases = [case for case, _ in task.cases()]
        assert len(cases) >= 5, f"{name}: only {len(cases)} cases"
        for i, param in enumerate(params):
            values = [repr(copy.deepcopy(c.args[i] if i < len(c.args) else c.kwargs.get(param))) for c in cases]
            if cases[0].each and i == 0:
                values = [repr(v) for c in cases for v in c.args[0]]
            assert len(set(values)) >= 2, f"{name}: parameter {param!r} never varies"


def test_expected_values_that_print_alike_are_described_not_repeated():
    task = Task("total", lambda: 274913.0, lambda: [Case("the total", ())], Expect("number", rtol=0, atol=0), "")
    result = grade(task, lambda: 274913.0000004)
    assert result.status == "wrong"
    assert "differs beyond the tolerance" in result.detail and "274913.0000004" in result.detail


def test_bool_column_as_zero_one_is_named(capsys):
    def zero_one(orders, threshold=100_000):
        return orders.assign(review_flag=(orders["amount"] > threshold).astype(int))

    detail = grade(get_task("flag_orders_for_review"), zero_one).detail
    assert "should hold True/False (bool), not 0/1" in detail


# --------------------------------------------------------------------------- what a trainee's code can reach


def test_every_forbidden_package_function_exists():
    """A task's `forbidden` names real Python functions (a typo would silently watch nothing)."""
    from sim.teach.tasks._task import resolve

    for name in task_names():
        for dotted in get_task(name).forbidden:
            assert callable(resolve(dotted)), f"{name}: {dotted} is not a function"


def test_grading_leaves_the_profiler_as_it_was():
    import sys

    calls = []

    def outer_profiler(frame, event, arg):
        calls.append(event)

    sys.setprofile(outer_profiler)
    try:
        grade(get_task("campaign_net_roi"), right_roi)
        assert sys.getprofile() is outer_profiler
    finally:
        sys.setprofile(None)
    assert "call" in calls  # the outer profiler kept receiving events while the trainee's code ran


def test_the_reference_still_works_outside_a_check():
    """Only a call from inside the graded function is refused; authors may call the reference."""
    task = get_task("campaign_net_roi")
    assert task.reference(1_000.0, 5_000.0, 0.4) == pytest.approx((5_000.0 * 0.4 - 1_000.0) / 1_000.0)


def test_a_call_of_the_reference_is_named_even_when_the_answer_would_be_right():
    task = get_task("campaign_net_roi")
    result = grade(task, lambda c, r, m: task.reference(c, r, m))
    assert result.status == "wrong" and "calls the checker's private reference solution" in result.detail


def test_a_count_returned_as_a_float_asks_for_an_int():
    def as_float(orders, end_t, window_days=90):
        recent = orders[(orders["t"] > end_t - window_days) & (orders["t"] <= end_t)]
        return float(recent["customer_id"].nunique())

    result = grade(get_task("active_customers"), as_float)
    assert result.status == "wrong" and "a count is a whole number: return an int" in result.detail


def test_a_subclass_of_float_is_refused_before_any_comparison():
    compared = []

    class Spy(float):
        def __eq__(self, other):
            compared.append(other)
            return True

        __hash__ = float.__hash__

        def __float__(self):
            compared.append("float")
            return 0.0

    result = grade(get_task("campaign_net_roi"), lambda c, r, m: Spy(1.0))
    assert result.status == "wrong" and "a subclass of float" in result.detail
    assert compared == []  # none of the answer's own code ran


def test_messages_never_run_the_answers_repr():
    class Loud:
        def __repr__(self):
            raise AssertionError("repr of a trainee's object was called")

    result = grade(get_task("latent_columns"), lambda table: [Loud()])
    assert result.status == "wrong" and "Loud" in result.detail


def test_sys_exit_and_unprintable_exceptions_are_one_line(capsys):
    class Odd(Exception):
        def __str__(self):
            raise RuntimeError

    def exits(cost, incremental_revenue, margin_rate):
        raise SystemExit(3)

    def odd(cost, incremental_revenue, margin_rate):
        raise Odd

    check.task("campaign_net_roi", exits)
    assert "your code raised SystemExit: 3" in line(capsys)
    check.task("campaign_net_roi", odd)
    assert "your code raised Odd" in line(capsys)
    check.run("roi", lambda: exits(1, 2, 3), 0.5)
    assert "your code raised SystemExit: 3" in line(capsys)


def test_the_old_style_check_refuses_lying_answers(capsys):
    class Liar(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    assert not check("tier", Liar("x"), "gold")
    assert "expected text (str), got a Liar" in line(capsys)
