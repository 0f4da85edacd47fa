"""Wrong-answer catalogue for chapter 04: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from catalogue import chapter_tests
from scipy import special

NOTEBOOK = "04_lifecycle_and_clv.ipynb"
NAMESPACE = {"pd": pd, "np": np}

# A notebook-like global a trainee might read instead of the argument.
history = pd.DataFrame({"customer_id": [1, 2], "tenure_days": [40.0, 400.0], "recency_days": [10.0, 30.0]})


# --------------------------------------------------------------------------- lifecycle_stage


def _stage(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365, *, le=True, order=None):
    t, r = history["tenure_days"], history["recency_days"]
    below = (lambda x, b: x <= b) if le else (lambda x, b: x < b)
    rules = {
        "new": below(t, new_days),
        "active": below(r, active_days),
        "at_risk": below(r, at_risk_days),
        "dormant": below(r, lost_days),
    }
    names = order or list(rules)
    return pd.Series(np.select([rules[n] for n in names], names, default="lost"), index=history.index)


def exclusive_bounds(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, at_risk_days, lost_days, le=False)


def active_before_new(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, at_risk_days, lost_days,
                  order=["active", "new", "at_risk", "dormant"])  # fmt: skip


def new_from_recency(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    h = history.assign(tenure_days=history["recency_days"])
    return _stage(h, new_days, active_days, at_risk_days, lost_days)


def ignores_new_days(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, 90, active_days, at_risk_days, lost_days)


def ignores_at_risk_days(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, 2 * active_days, lost_days)


def ignores_lost_days(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, at_risk_days, 365)


def dormant_and_at_risk_swapped(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    out = _stage(history, new_days, active_days, at_risk_days, lost_days)
    return out.replace({"at_risk": "dormant", "dormant": "at_risk"})


def at_risk_with_a_space(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, at_risk_days, lost_days).replace("at_risk", "at risk")


def index_reset(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, at_risk_days, lost_days).reset_index(drop=True)


def indexed_by_customer_id(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    out = _stage(history, new_days, active_days, at_risk_days, lost_days)
    return out.set_axis(history["customer_id"])


def stage_column_added(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    history["stage"] = _stage(history, new_days, active_days, at_risk_days, lost_days)
    return history["stage"]


def returns_a_table(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return history.assign(stage=_stage(history, new_days, active_days, at_risk_days, lost_days))


def reads_the_global(h, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    out = _stage(history, new_days, active_days, at_risk_days, lost_days)
    return out.reindex(h.index, fill_value="lost") if len(h) != len(out) else out


def no_lost_stage(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage(history, new_days, active_days, at_risk_days, lost_days).replace("lost", "dormant")


def sorted_by_recency(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    h = history.sort_values("recency_days")
    return _stage(h, new_days, active_days, at_risk_days, lost_days)


def pd_cut_left_closed(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    r = pd.cut(history["recency_days"], [-np.inf, active_days, at_risk_days, lost_days, np.inf], right=False,
               labels=["active", "at_risk", "dormant", "lost"]).astype(object)  # fmt: skip
    return r.mask(history["tenure_days"] <= new_days, "new")


# --------------------------------------------------------------------------- retention_curve


def survival_not_retention(survivors):
    n = survivors.astype(float)
    return (n / n.iloc[0]).iloc[1:]


def churn_not_retention(survivors):
    n = survivors.astype(float)
    return (1 - n / n.shift(1)).iloc[1:]


def keeps_period_zero(survivors):
    n = survivors.astype(float)
    return n / n.shift(1)


def shifted_the_wrong_way(survivors):
    n = survivors.astype(float)
    return (n.shift(-1) / n).iloc[:-1]


def values_not_aligned(survivors):
    n = survivors.astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(n[1:] / n[:-1])


def labels_of_the_earlier_period(survivors):
    n = survivors.astype(float)
    return (n.shift(-1) / n).iloc[:-1].set_axis(survivors.index[:-1])


def integer_division(survivors):
    n = survivors.astype("int64")
    return (n // n.shift(1).fillna(1).astype("int64")).iloc[1:].astype(float)


def zero_for_an_empty_period(survivors):
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:].fillna(0.0)


def cancellations_over_start(survivors):
    n = survivors.astype(float)
    return (n.shift(1) - n).iloc[1:] / n.iloc[0]


def percent_change(survivors):
    return survivors.astype(float).pct_change().iloc[1:]


def rounded_to_two_decimals(survivors):
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:].round(2)


def mean_retention_everywhere(survivors):
    n = survivors.astype(float)
    r = (n / n.shift(1)).iloc[1:]
    return pd.Series(r.mean(), index=r.index)


def average_rate_from_start(survivors):
    n = survivors.astype(float)
    t = pd.Series(np.arange(len(n)), index=n.index, dtype=float)
    return ((n / n.iloc[0]) ** (1 / t)).iloc[1:]


# --------------------------------------------------------------------------- sbg_survival


def constant_mean_churn(alpha, beta, t):
    return (beta / (alpha + beta)) ** t


def off_by_one(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 1):
        s *= (beta + i) / (alpha + beta + i)
    return s


def alpha_and_beta_swapped(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 1):
        s *= (alpha + i - 1) / (alpha + beta + i - 1)
    return s


def retention_of_period_t(alpha, beta, t):
    return 1.0 if t == 0 else (beta + t - 1) / (alpha + beta + t - 1)


def one_period_too_many(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 2):
        s *= (beta + i - 1) / (alpha + beta + i - 1)
    return s


def churn_probability_of_period_t(alpha, beta, t):
    if t == 0:
        return 1.0
    return float(special.beta(alpha + 1, beta + t - 1) / special.beta(alpha, beta))


def beta_function_wrong_arguments(alpha, beta, t):
    return float(special.beta(alpha + t, beta) / special.beta(alpha, beta))


def survival_is_one_minus_churned(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 1):
        s -= alpha / (alpha + beta + i - 1)
    return s


def t_zero_is_zero(alpha, beta, t):
    if t == 0:
        return 0.0
    s = 1.0
    for i in range(1, t + 1):
        s *= (beta + i - 1) / (alpha + beta + i - 1)
    return s


def ignores_alpha(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 1):
        s *= (beta + i - 1) / (1 + beta + i - 1)
    return s


def rounded_to_four_decimals(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 1):
        s *= (beta + i - 1) / (alpha + beta + i - 1)
    return round(s, 4)


def geometric_with_a_fixed_mean(alpha, beta, t):
    return (1 - 0.37) ** t


def uses_the_package_fitter(alpha, beta, t):
    from sim.analysis.clv import ShiftedBetaGeometric

    sbg = ShiftedBetaGeometric()
    sbg.params_ = pd.Series({"alpha": alpha, "beta": beta})
    return float(sbg.survival(t))


def exponential_decay(alpha, beta, t):
    return math.exp(-alpha / (alpha + beta) * t)


# --------------------------------------------------------------------------- constant_retention_clv


def first_payment_left_out(margin, retention, discount=0.10):
    return margin * retention / (1 + discount - retention)


def undiscounted(margin, retention, discount=0.10):
    return margin / (1 - retention) if retention < 1 else margin * (1 + discount) / discount


def missing_the_one_plus_d(margin, retention, discount=0.10):
    return margin / (1 + discount - retention)


def continuous_discounting(margin, retention, discount=0.10):
    return margin / (1 - retention * math.exp(-discount))


def churn_in_place_of_retention(margin, retention, discount=0.10):
    return margin * (1 + discount) / (1 + discount - (1 - retention))


def default_discount_of_8_percent(margin, retention, discount=0.08):
    return margin * (1 + discount) / (1 + discount - retention)


def ten_periods_only(margin, retention, discount=0.10):
    return sum(margin * (retention / (1 + discount)) ** k for k in range(10))


def discount_only_in_numerator(margin, retention, discount=0.10):
    return margin * (1 + discount) / (1 - retention)


def ignores_discount(margin, retention, discount=0.10):
    return margin * 1.1 / (1.1 - retention)


def percent_discount(margin, retention, discount=0.10):
    d = discount * 100
    return margin * (1 + d) / (1 + d - retention)


def retention_discounted_twice(margin, retention, discount=0.10):
    x = retention / (1 + discount) ** 2
    return margin / (1 - x)


def lifetime_times_margin(margin, retention, discount=0.10):
    return margin * 1 / (1 - retention + 1e-12) / (1 + discount)


def rounded_to_cents(margin, retention, discount=0.10):
    return round(margin * (1 + discount) / (1 + discount - retention), 2)


# --------------------------------------------------------------------------- cac_by_channel


_SUMS = ["leads", "prospects", "customers", "spend"]


def _totals(funnel):
    return funnel.groupby("channel")[_SUMS].sum()


def cac_infinite_for_no_customers(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = out["spend"] / out["customers"]
    return out


def cac_zero_for_no_customers(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).replace(np.inf, np.nan).fillna(0.0)
    return out


def mean_of_period_cacs(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    per = (funnel["spend"] / funnel["customers"]).replace(np.inf, np.nan)
    out["cac"] = per.groupby(funnel["channel"]).mean().where(out["customers"] > 0)
    return out


def mean_of_period_conversions(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = (funnel["customers"] / funnel["leads"]).groupby(funnel["channel"]).mean()
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def prospect_to_customer_rate(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["prospects"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def cost_per_lead(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["leads"]).where(out["customers"] > 0)
    return out


def channel_as_a_column(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out.reset_index()


def sorted_by_cac(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out.sort_values("cac")


def keeps_t_summed(funnel):
    out = funnel.groupby("channel")[["t", *_SUMS]].sum()
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def last_period_only(funnel):
    out = funnel.sort_values("t").groupby("channel")[_SUMS].last()
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def mean_not_sum(funnel):
    out = funnel.groupby("channel")[_SUMS].mean()
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def conversion_in_percent(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = 100 * out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def writes_into_the_input(funnel):
    funnel["cac_row"] = funnel["spend"] / funnel["customers"]
    out = _totals(funnel)
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def channels_in_order_of_appearance(funnel):
    out = funnel.groupby("channel", sort=False)[_SUMS].sum()
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def uses_the_package_funnel_rates(funnel):
    from sim.analysis.funnel import funnel_rates

    return funnel_rates(funnel)[[*_SUMS, "lead_to_customer", "cac"]]


def zero_conversion_for_no_leads(funnel):
    out = _totals(funnel)
    out["lead_to_customer"] = (out["customers"] / out["leads"]).fillna(0.0)
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


WRONG = {
    "lifecycle_stage": [exclusive_bounds, active_before_new, new_from_recency, ignores_new_days, ignores_at_risk_days,
                        ignores_lost_days, dormant_and_at_risk_swapped, at_risk_with_a_space, index_reset,
                        indexed_by_customer_id, stage_column_added, returns_a_table, reads_the_global, no_lost_stage,
                        sorted_by_recency, pd_cut_left_closed],
    "retention_curve": [survival_not_retention, churn_not_retention, keeps_period_zero, shifted_the_wrong_way,
                        values_not_aligned, labels_of_the_earlier_period, integer_division, zero_for_an_empty_period,
                        cancellations_over_start, percent_change, rounded_to_two_decimals, mean_retention_everywhere,
                        average_rate_from_start],
    "sbg_survival": [constant_mean_churn, off_by_one, alpha_and_beta_swapped, retention_of_period_t, one_period_too_many,
                     churn_probability_of_period_t, beta_function_wrong_arguments, survival_is_one_minus_churned,
                     t_zero_is_zero, ignores_alpha, rounded_to_four_decimals, geometric_with_a_fixed_mean,
                     exponential_decay, uses_the_package_fitter],
    "constant_retention_clv": [first_payment_left_out, undiscounted, missing_the_one_plus_d,
                               continuous_discounting, churn_in_place_of_retention, default_discount_of_8_percent,
                               ten_periods_only, discount_only_in_numerator, ignores_discount, percent_discount,
                               retention_discounted_twice, lifetime_times_margin, rounded_to_cents],
    "cac_by_channel": [cac_infinite_for_no_customers, cac_zero_for_no_customers, mean_of_period_cacs,
                       mean_of_period_conversions, prospect_to_customer_rate, cost_per_lead, channel_as_a_column,
                       sorted_by_cac, keeps_t_summed, last_period_only, mean_not_sum, conversion_in_percent,
                       writes_into_the_input, channels_in_order_of_appearance, zero_conversion_for_no_leads,
                       uses_the_package_funnel_rates],
}  # fmt: skip


# =========================================================================== adversarial pass (issue 12)
# Wrong answers a reviewer tried after the chapter was written; each is rejected (some only after
# the task's cases were strengthened: see sim/teach/tasks/ch04.py).

# --------------------------------------------------------------------------- lifecycle_stage


def _stage_le(history, new_days, active_days, at_risk_days, lost_days, *, lt=()):
    t, r = history["tenure_days"], history["recency_days"]

    def below(name, x, b):
        return x < b if name in lt else x <= b

    return pd.Series(np.select([below("new", t, new_days), below("active", r, active_days),
                                below("at_risk", r, at_risk_days), below("dormant", r, lost_days)],
                               ["new", "active", "at_risk", "dormant"], default="lost"), index=history.index)  # fmt: skip


def new_bound_exclusive(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days, active_days, at_risk_days, lost_days, lt=("new",))


def at_risk_bound_exclusive(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days, active_days, at_risk_days, lost_days, lt=("at_risk",))


def lost_bound_exclusive(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days, active_days, at_risk_days, lost_days, lt=("dormant",))


def new_only_if_recent(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    out = _stage_le(history, new_days, active_days, at_risk_days, lost_days)
    young = (history["tenure_days"] <= new_days) & (history["recency_days"] > active_days)
    return out.mask(young, _stage_le(history, -1, active_days, at_risk_days, lost_days))


def new_means_one_order(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    out = _stage_le(history, -1, active_days, at_risk_days, lost_days)
    return out.mask(history["tenure_days"] == history["recency_days"], "new")


def active_uses_new_days(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days, new_days, at_risk_days, lost_days)


def capitalised_names(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days, active_days, at_risk_days, lost_days).str.capitalize()


def sorted_by_index(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days, active_days, at_risk_days, lost_days).sort_index()


def recency_from_active_span(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    h = history.assign(recency_days=history["tenure_days"] - history["recency_days"])
    return _stage_le(h, new_days, active_days, at_risk_days, lost_days)


def days_truncated_to_int(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    h = history.assign(tenure_days=history["tenure_days"].astype(int), recency_days=history["recency_days"].astype(int))
    return _stage_le(h, new_days, active_days, at_risk_days, lost_days)


def zero_new_days_means_default(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return _stage_le(history, new_days or 90, active_days, at_risk_days, lost_days)


def thresholds_in_weeks(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    h = history.assign(tenure_days=history["tenure_days"] // 7 * 7, recency_days=history["recency_days"] // 7 * 7)
    return _stage_le(h, new_days, active_days, at_risk_days, lost_days)


def pd_cut_from_zero(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    r = pd.cut(history["recency_days"], [0, active_days, at_risk_days, lost_days, np.inf],
               labels=["active", "at_risk", "dormant", "lost"]).astype(object)  # fmt: skip
    return r.mask(history["tenure_days"] <= new_days, "new")


# --------------------------------------------------------------------------- retention_curve


def index_renumbered_from_one(survivors):
    n = survivors.astype(float)
    r = (n / n.shift(1)).iloc[1:]
    return r.set_axis(pd.RangeIndex(1, len(r) + 1, name="period"))


def drops_missing_rates(survivors):
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:].dropna()


def one_for_an_empty_period(survivors):
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:].fillna(1.0)


def relative_to_period_one(survivors):
    n = survivors.astype(float)
    return (n / n.iloc[1]).iloc[1:]


def retention_in_percent(survivors):
    n = survivors.astype(float)
    return 100 * (n / n.shift(1)).iloc[1:]


def hard_coded_regular_cohort(survivors):
    regular = pd.Series([1000, 631, 468, 382, 326, 289, 262, 241], dtype=float)
    r = (regular / regular.shift(1)).iloc[1:].to_numpy()
    return pd.Series(r[: len(survivors) - 1], index=survivors.index[1:])


def nan_when_nobody_left(survivors):
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:].where(n.iloc[1:] > 0)


def ratio_upside_down(survivors):
    n = survivors.astype(float)
    return (n.shift(1) / n).iloc[1:]


def survival_over_previous_survival(survivors):
    n = survivors.astype(float)
    s = n / n.iloc[0]
    return (s - s.shift(1)).iloc[1:] + 1


def renames_the_input(survivors):
    survivors.name = "retention"
    n = survivors.astype(float)
    return (n / n.shift(1)).iloc[1:]


# --------------------------------------------------------------------------- sbg_survival


def constant_with_alpha_share(alpha, beta, t):
    return (alpha / (alpha + beta)) ** t


def range_from_zero(alpha, beta, t):
    s = 1.0
    for i in range(t):
        s *= (beta + i - 1) / (alpha + beta + i - 1)
    return s


def one_period_too_few(alpha, beta, t):
    s = 1.0
    for i in range(1, t):
        s *= (beta + i - 1) / (alpha + beta + i - 1)
    return s


def whole_curve_returned(alpha, beta, t):
    i = np.arange(1, t + 1)
    return np.concatenate([[1.0], np.cumprod((beta + i - 1) / (alpha + beta + i - 1))])


def denominator_without_beta(alpha, beta, t):
    s = 1.0
    for i in range(1, t + 1):
        s *= (beta + i - 1) / (alpha + i - 1)
    return s


def log_survival(alpha, beta, t):
    return float(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))


def pareto_approximation(alpha, beta, t):
    return (1 + t / beta) ** (-alpha)


def gamma_functions_overflow(alpha, beta, t):
    return (math.gamma(beta + t) * math.gamma(alpha + beta)) / (math.gamma(beta) * math.gamma(alpha + beta + t))


def monte_carlo_estimate(alpha, beta, t):
    theta = np.random.default_rng(0).beta(alpha, beta, 200_000)
    return float(np.mean((1 - theta) ** t))


# --------------------------------------------------------------------------- constant_retention_clv


def precedence_bug(margin, retention, discount=0.10):
    return margin * (1 + discount) / (1 + discount) - retention


def undiscounted_without_first_payment(margin, retention, discount=0.10):
    return margin * retention / (1 - retention) if retention < 1 else margin * retention * (1 + discount) / discount


def monthly_compounding(margin, retention, discount=0.10):
    factor = (1 + discount / 12) ** 12
    return margin * factor / (factor - retention)


def fifty_periods(margin, retention, discount=0.10):
    return sum(margin * (retention / (1 + discount)) ** k for k in range(50))


def formula_inverted(margin, retention, discount=0.10):
    return margin * (1 + discount - retention) / (1 + discount)


def truncated_to_int(margin, retention, discount=0.10):
    return int(margin * (1 + discount) / (1 + discount - retention))


def first_payment_discounted(margin, retention, discount=0.10):
    return margin / (1 + discount) + margin * retention / (1 + discount - retention)


def first_period_counted_as_a_renewal(margin, retention, discount=0.10):
    return margin * retention * (1 + discount) / (1 + discount - retention)


def discount_factor_one_minus_d(margin, retention, discount=0.10):
    return margin / (1 - retention * (1 - discount))


def discount_divided_by_100(margin, retention, discount=0.10):
    d = discount / 100  # "10% per period"
    return margin * (1 + d) / (1 + d - retention)


# --------------------------------------------------------------------------- cac_by_channel


def _cac_out(out):
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = (out["spend"] / out["customers"]).where(out["customers"] > 0)
    return out


def lead_to_prospect_rate(funnel):
    out = _cac_out(_totals(funnel))
    out["lead_to_customer"] = out["prospects"] / out["leads"]
    return out


def cac_guard_on_leads(funnel):
    out = _cac_out(_totals(funnel))
    out["cac"] = (out["spend"] / out["customers"]).where(out["leads"] > 0)
    return out


def cost_per_prospect(funnel):
    out = _cac_out(_totals(funnel))
    out["cac"] = (out["spend"] / out["prospects"]).where(out["customers"] > 0)
    return out


def rows_counted_as_customers(funnel):
    out = _totals(funnel)
    out["customers"] = funnel.groupby("channel").size()
    return _cac_out(out)


def channels_reverse_alphabetical(funnel):
    return _cac_out(_totals(funnel)).sort_index(ascending=False)


def cac_rounded_to_cents(funnel):
    out = _cac_out(_totals(funnel))
    out["cac"] = out["cac"].round(2)
    return out


def first_year_only(funnel):
    return _cac_out(_totals(funnel[funnel["t"] < 360]))


def cac_nan_when_no_spend(funnel):
    out = _cac_out(_totals(funnel))
    out["cac"] = out["cac"].where(out["spend"] > 0)
    return out


def blended_cac(funnel):
    out = _cac_out(_totals(funnel))
    total = funnel["spend"].sum() / funnel["customers"].sum()
    out["cac"] = pd.Series(total, index=out.index).where(out["customers"] > 0)
    return out


def drops_channels_without_customers(funnel):
    return _cac_out(_totals(funnel)).dropna()


def conversion_summed_over_periods(funnel):
    out = _cac_out(_totals(funnel))
    out["lead_to_customer"] = (funnel["customers"] / funnel["leads"]).groupby(funnel["channel"]).sum()
    return out


NEW_WRONG = {
    "lifecycle_stage": [new_bound_exclusive, at_risk_bound_exclusive, lost_bound_exclusive, new_only_if_recent,
                        new_means_one_order, active_uses_new_days, capitalised_names, sorted_by_index,
                        recency_from_active_span, days_truncated_to_int, zero_new_days_means_default,
                        thresholds_in_weeks, pd_cut_from_zero],
    "retention_curve": [index_renumbered_from_one, drops_missing_rates, one_for_an_empty_period,
                        relative_to_period_one, retention_in_percent, hard_coded_regular_cohort, nan_when_nobody_left,
                        ratio_upside_down, survival_over_previous_survival,
                        renames_the_input],
    "sbg_survival": [constant_with_alpha_share, range_from_zero, one_period_too_few, whole_curve_returned,
                     denominator_without_beta, log_survival, pareto_approximation, gamma_functions_overflow,
                     monte_carlo_estimate],
    "constant_retention_clv": [precedence_bug, undiscounted_without_first_payment, monthly_compounding, fifty_periods,
                               formula_inverted, truncated_to_int, first_payment_discounted,
                               first_period_counted_as_a_renewal, discount_factor_one_minus_d,
                               discount_divided_by_100],
    "cac_by_channel": [lead_to_prospect_rate, cac_guard_on_leads, cost_per_prospect, rows_counted_as_customers,
                       channels_reverse_alphabetical, cac_rounded_to_cents, first_year_only, cac_nan_when_no_spend,
                       blended_cac, drops_channels_without_customers, conversion_summed_over_periods],
}  # fmt: skip

for _name, _extra in NEW_WRONG.items():
    WRONG[_name] = WRONG[_name] + _extra


# --------------------------------------------------------------------------- other correct ways


def stage_by_overwriting(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    stage = pd.Series("lost", index=history.index)
    r = history["recency_days"]
    stage[r <= lost_days] = "dormant"
    stage[r <= at_risk_days] = "at_risk"
    stage[r <= active_days] = "active"
    stage[history["tenure_days"] <= new_days] = "new"
    return stage


def stage_row_by_row(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    def one(row):
        if row["tenure_days"] <= new_days:
            return "new"
        for bound, name in ((active_days, "active"), (at_risk_days, "at_risk"), (lost_days, "dormant")):
            if row["recency_days"] <= bound:
                return name
        return "lost"

    return pd.Series([one(row) for _, row in history.iterrows()], index=history.index, dtype=object)


def stage_as_a_string_dtype(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    return stage_by_overwriting(history, new_days, active_days, at_risk_days, lost_days).astype("string")


def stage_with_pd_cut(history, new_days=90, active_days=90, at_risk_days=180, lost_days=365):
    r = pd.cut(history["recency_days"], [-np.inf, active_days, at_risk_days, lost_days, np.inf],
               labels=["active", "at_risk", "dormant", "lost"]).astype(object)  # fmt: skip
    return r.mask(history["tenure_days"] <= new_days, "new")


def retention_with_numpy(survivors):
    n = survivors.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(n[1:] / n[:-1], index=survivors.index[1:])


def retention_with_div(survivors):
    n = survivors.astype(float)
    return n.div(n.shift()).dropna().reindex(survivors.index[1:])


def retention_with_pct_change(survivors):
    return survivors.astype(float).pct_change().iloc[1:] + 1  # (n_t - n_(t-1)) / n_(t-1) + 1 = n_t / n_(t-1)


def survival_with_the_beta_function(alpha, beta, t):
    return float(np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta)))


def survival_with_numpy_prod(alpha, beta, t):
    i = np.arange(1, t + 1)
    return np.prod((beta + i - 1) / (alpha + beta + i - 1))


def clv_as_a_series_sum(margin, retention, discount=0.10):
    x = retention / (1 + discount)
    return margin / (1 - x)


def clv_numpy(margin, retention, discount=0.10):
    return np.float64(margin) * (1 + discount) / (1 + discount - retention)


def cac_with_agg(funnel):
    out = funnel.groupby("channel").agg(leads=("leads", "sum"), prospects=("prospects", "sum"),
                                        customers=("customers", "sum"), spend=("spend", "sum"))  # fmt: skip
    out["lead_to_customer"] = out["customers"] / out["leads"]
    out["cac"] = np.where(out["customers"] > 0, out["spend"] / out["customers"].replace(0, np.nan), np.nan)
    return out


def cac_with_pivot_table(funnel):
    out = funnel.pivot_table(index="channel", values=_SUMS, aggfunc="sum")[_SUMS]
    return out.assign(lead_to_customer=out["customers"] / out["leads"],
                      cac=(out["spend"] / out["customers"]).replace([np.inf, -np.inf], np.nan))  # fmt: skip


RIGHT = {
    "lifecycle_stage": [stage_by_overwriting, stage_row_by_row, stage_as_a_string_dtype, stage_with_pd_cut],
    "retention_curve": [retention_with_numpy, retention_with_div, retention_with_pct_change],
    "sbg_survival": [survival_with_the_beta_function, survival_with_numpy_prod],
    "constant_retention_clv": [clv_as_a_series_sum, clv_numpy],
    "cac_by_channel": [cac_with_agg, cac_with_pivot_table],
}


# the five tests every chapter runs (see catalogue.chapter_tests)
globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
