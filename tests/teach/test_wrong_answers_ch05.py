"""Wrong-answer catalogue for chapter 05: plausible mistakes the self-checks must reject."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catalogue import chapter_tests
from scipy import stats

NOTEBOOK = "05_satisfaction_and_loyalty.ipynb"
NAMESPACE = {"pd": pd, "np": np, "stats": stats}

# Notebook-like globals a trainee might read instead of the arguments.
KEYWORDS = {
    "delivery": ["delivery", "late", "courier", "快递", "物流", "送货"],
    "price": ["price", "expensive", "refund", "贵", "价格", "退款"],
    "service": ["agent", "rude", "helpful", "客服", "态度"],
    "quality": ["broken", "defect", "quality", "质量", "坏"],
}


def _answers(scores):
    return pd.Series(list(scores), dtype="object").dropna().astype(float)


# --------------------------------------------------------------------------- nps_score


def seven_is_a_detractor(scores):
    s = _answers(scores)
    return float(100 * ((s >= 9).mean() - (s <= 7).mean())) if len(s) else float("nan")


def nine_is_a_passive(scores):
    s = _answers(scores)
    return float(100 * ((s >= 10).mean() - (s <= 6).mean())) if len(s) else float("nan")


def eight_is_a_promoter(scores):
    s = _answers(scores)
    return float(100 * ((s >= 8).mean() - (s <= 6).mean())) if len(s) else float("nan")


def share_not_points(scores):
    s = _answers(scores)
    return float((s >= 9).mean() - (s <= 6).mean()) if len(s) else float("nan")


def detractors_minus_promoters(scores):
    s = _answers(scores)
    return float(100 * ((s <= 6).mean() - (s >= 9).mean())) if len(s) else float("nan")


def passives_left_out(scores):
    s = _answers(scores)
    p, d = (s >= 9).sum(), (s <= 6).sum()
    return float(100 * (p - d) / (p + d)) if p + d else 0.0


def missing_in_the_denominator(scores):
    raw = list(scores)
    s = _answers(raw)
    return float(100 * ((s >= 9).sum() - (s <= 6).sum()) / len(raw)) if raw else float("nan")


def missing_as_zero(scores):
    s = pd.Series(list(scores), dtype="object").fillna(0).astype(float)
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def mean_score(scores):
    s = _answers(scores)
    return float(s.mean()) if len(s) else float("nan")


def promoters_only(scores):
    s = _answers(scores)
    return float(100 * (s >= 9).mean()) if len(s) else float("nan")


def rounded_to_whole_points(scores):
    s = _answers(scores)
    return float(round(100 * ((s >= 9).mean() - (s <= 6).mean()))) if len(s) else float("nan")


def zero_when_empty(scores):
    s = _answers(scores)
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else 0.0


def crashes_on_pd_na(scores):
    s = np.asarray(list(scores), dtype=float)  # pd.NA cannot become a float: TypeError
    s = s[~np.isnan(s)]
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def uses_the_package_nps(scores):
    from sim.analysis.satisfaction import nps

    s = _answers(scores)
    return nps(s.astype(int)).value if len(s) else float("nan")


# --------------------------------------------------------------------------- add_wilson_ci


def _z(confidence):
    return stats.norm.ppf(1 - (1 - confidence) / 2)


def _wilson(k, n, z):
    n = n.astype(float).replace(0.0, np.nan)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return p, centre - half, centre + half


def wald_interval(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].replace(0, np.nan)
    p = table["successes"] / n
    half = z * np.sqrt(p * (1 - p) / n)
    return table.assign(share=p, ci_low=p - half, ci_high=p + half)


def clipped_wald(table, confidence=0.95):
    out = wald_interval(table, confidence)
    return out.assign(ci_low=out["ci_low"].clip(0, 1), ci_high=out["ci_high"].clip(0, 1))


def z_always_196(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], 1.96)
    return table.assign(share=p, ci_low=lo, ci_high=hi)


def one_sided_z(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], stats.norm.ppf(confidence))
    return table.assign(share=p, ci_low=lo, ci_high=hi)


def t_quantile_instead_of_normal(table, confidence=0.95):
    z = stats.t.ppf(1 - (1 - confidence) / 2, df=np.maximum(table["answers"].to_numpy() - 1, 1))
    p, lo, hi = _wilson(table["successes"], table["answers"], z)
    return table.assign(share=p, ci_low=lo, ci_high=hi)


def centred_on_the_share(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = table["successes"] / n
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return table.assign(share=p, ci_low=p - half, ci_high=p + half)


def forgot_the_square_in_the_centre(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = table["successes"] / n
    centre = (p + z / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return table.assign(share=p, ci_low=centre - half, ci_high=centre + half)


def agresti_coull(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    n_t = n + z**2
    p_t = (table["successes"] + z**2 / 2) / n_t
    half = z * np.sqrt(p_t * (1 - p_t) / n_t)
    return table.assign(share=table["successes"] / n, ci_low=p_t - half, ci_high=p_t + half)


def zero_for_empty_groups(table, confidence=0.95):
    return add_reference(table, confidence).fillna({"share": 0.0, "ci_low": 0.0, "ci_high": 0.0})


def bounds_swapped(table, confidence=0.95):
    out = add_reference(table, confidence)
    return out.assign(ci_low=out["ci_high"], ci_high=out["ci_low"])


def changes_the_input(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], _z(confidence))
    table["share"], table["ci_low"], table["ci_high"] = p, lo, hi
    return table


def only_the_new_columns(table, confidence=0.95):
    return add_reference(table, confidence)[["share", "ci_low", "ci_high"]]


def width_not_bounds(table, confidence=0.95):
    out = add_reference(table, confidence)
    return out.assign(ci_low=out["share"] - out["ci_low"], ci_high=out["ci_high"] - out["share"])


def percent_not_share(table, confidence=0.95):
    out = add_reference(table, confidence)
    return out.assign(**{c: 100 * out[c] for c in ("share", "ci_low", "ci_high")})


def add_reference(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], _z(confidence))
    return table.assign(share=p, ci_low=lo, ci_high=hi)


# --------------------------------------------------------------------------- poststrat_weights


def _cols(by):
    return [by] if isinstance(by, str) else list(by)


def _lookup(respondents, cols, ratio):
    found = respondents[cols].merge(ratio.rename("weight").reset_index(), on=cols, how="left")["weight"]
    return pd.Series(found.to_numpy(), index=respondents.index, name="weight")


def inverted_ratio(respondents, population, by):
    cols = _cols(by)
    ratio = (respondents.groupby(cols).size() / len(respondents)) / (population.groupby(cols).size() / len(population))
    return _lookup(respondents, cols, ratio)


def counts_not_shares(respondents, population, by):
    cols = _cols(by)
    return _lookup(respondents, cols, population.groupby(cols).size() / respondents.groupby(cols).size())


def weights_sum_to_one(respondents, population, by):
    w = add_weights(respondents, population, by)
    return w / w.sum()


def rescaled_to_the_respondents(respondents, population, by):
    w = add_weights(respondents, population, by)
    return w * len(w) / w.sum()


def first_column_only(respondents, population, by):
    return add_weights(respondents, population, _cols(by)[0])


def global_channel(respondents, population, by):
    return add_weights(respondents, population, "channel" if "channel" in respondents else _cols(by)[0])


def index_reset(respondents, population, by):
    return add_weights(respondents, population, by).reset_index(drop=True)


def every_cell_equal(respondents, population, by):
    cols = _cols(by)
    cells = population.groupby(cols).size()
    ratio = (1 / len(cells)) / (respondents.groupby(cols).size() / len(respondents))
    return _lookup(respondents, cols, ratio)


def population_share_only(respondents, population, by):
    cols = _cols(by)
    return _lookup(respondents, cols, population.groupby(cols).size() / len(population))


def adds_a_column(respondents, population, by):
    respondents["weight"] = add_weights(respondents, population, by).to_numpy()
    return respondents["weight"]


def one_weight_per_cell(respondents, population, by):
    cols = _cols(by)
    return (population.groupby(cols).size() / len(population)) / (respondents.groupby(cols).size() / len(respondents))


def rounded_weights(respondents, population, by):
    return add_weights(respondents, population, by).round(2)


def add_weights(respondents, population, by):
    cols = _cols(by)
    ratio = (population.groupby(cols).size() / len(population)) / (respondents.groupby(cols).size() / len(respondents))
    return _lookup(respondents, cols, ratio)


# --------------------------------------------------------------------------- weekly_bad_review_alert

_ALERT = ["week", "answers", "negatives", "rate", "alert"]


def _weekly(csat, threshold, min_answers, week, negative):
    table = negative.groupby(week).agg(answers="size", negatives="sum").rename_axis("week").reset_index()
    table["rate"] = table["negatives"] / table["answers"]
    table["alert"] = (table["answers"] >= min_answers) & (table["rate"] > threshold)
    return table[_ALERT]


def _monday(dates):
    return dates.dt.to_period("W").dt.start_time


def at_or_above_threshold(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    out = _weekly(csat, threshold, min_answers, _monday(csat["date"]), csat["score"] <= 2)
    return out.assign(alert=(out["answers"] >= min_answers) & (out["rate"] >= threshold))


def ignores_min_answers(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, 0, _monday(csat["date"]), csat["score"] <= 2)


def min_answers_strict(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers + 1, _monday(csat["date"]), csat["score"] <= 2)


def every_instrument(surveys, threshold=0.05, min_answers=20):
    return _weekly(surveys, threshold, min_answers, _monday(surveys["date"]), surveys["score"] <= 2)


def three_is_negative(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, _monday(csat["date"]), csat["score"] <= 3)


def only_ones_are_negative(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, _monday(csat["date"]), csat["score"] == 1)


def resample_weeks(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"].set_index("date")
    neg = (
        (csat["score"] <= 2).resample("W").agg(["size", "sum"]).rename(columns={"size": "answers", "sum": "negatives"})
    )
    table = neg.rename_axis("week").reset_index()
    table["rate"] = table["negatives"] / table["answers"]
    table["alert"] = (table["answers"] >= min_answers) & (table["rate"] > threshold)
    return table[_ALERT]


def sunday_labels(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, csat["date"].dt.to_period("W").dt.end_time.dt.normalize(),
                   csat["score"] <= 2)  # fmt: skip


def weeks_start_on_sunday(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, csat["date"].dt.to_period("W-SAT").dt.start_time, csat["score"] <= 2)


def monday_with_time_of_day(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    week = csat["date"] - pd.to_timedelta(csat["date"].dt.day_of_week, unit="D")
    return _weekly(csat, threshold, min_answers, week, csat["score"] <= 2)


def iso_week_number(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, csat["date"].dt.isocalendar().week.astype("int64"), csat["score"] <= 2)


def alert_as_zero_one(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(alert=out["alert"].astype(int))


def percent_rate(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(rate=100 * out["rate"])


def newest_week_first(surveys, threshold=0.05, min_answers=20):
    return weekly_reference(surveys, threshold, min_answers).sort_values("week", ascending=False).reset_index(drop=True)


def only_alert_weeks(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out[out["alert"]].reset_index(drop=True)


def global_threshold(surveys, threshold=0.05, min_answers=20):
    return weekly_reference(surveys, 0.05, min_answers)


def weekly_reference(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, _monday(csat["date"]), csat["score"] <= 2)


def uses_the_package_alerts(surveys, threshold=0.05, min_answers=20):
    from sim.analysis.satisfaction import bad_review_alerts

    a = bad_review_alerts(surveys, threshold=threshold).rename(columns={"period": "week", "n": "answers",
                                                                        "bad": "negatives"})  # fmt: skip
    a = a[a["answers"] > 0].reset_index(drop=True)
    return a.assign(alert=a["alert"] & (a["answers"] >= min_answers))[_ALERT]


# --------------------------------------------------------------------------- tag_comment


def _missing(comment):
    return comment is None or (not isinstance(comment, str) and pd.isna(comment))


def case_sensitive(comment, keywords):
    if _missing(comment):
        return []
    return sorted(t for t, words in keywords.items() if any(w in str(comment) for w in words))


def keyword_not_lowered(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if any(w in text for w in words))


def whole_words_only(comment, keywords):
    if _missing(comment):
        return []
    words_in = set(str(comment).lower().split())
    return sorted(t for t, words in keywords.items() if any(w.lower() in words_in for w in words))


def words_without_punctuation(comment, keywords):
    import re

    if _missing(comment):
        return []
    words_in = set(re.findall(r"\w+", str(comment).lower()))
    return sorted(t for t, words in keywords.items() if any(w.lower() in words_in for w in words))


def not_sorted(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return [t for t, words in keywords.items() if any(w.lower() in text for w in words)]


def topic_per_keyword(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() for w in words if w.lower() in text)


def the_keywords_found(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(w for words in keywords.values() for w in words if w.lower() in text)


def first_topic_only(comment, keywords):
    found = tag_reference(comment, keywords)
    return found[:1]


def as_a_set(comment, keywords):
    return set(tag_reference(comment, keywords))


def none_when_nothing(comment, keywords):
    return tag_reference(comment, keywords) or None


def global_keywords(comment, keywords):
    return tag_reference(comment, KEYWORDS)


def crashes_on_missing(comment, keywords):
    text = comment.lower()  # None and NaN have no .lower()
    return sorted(t for t, words in keywords.items() if any(w.lower() in text for w in words))


def nan_text_is_searched(comment, keywords):
    text = str(comment).lower()  # "nan" / "none" are searched as text
    return sorted(t for t, words in keywords.items() if any(w.lower() in text for w in words))


def joined_text(comment, keywords):
    return ", ".join(tag_reference(comment, keywords))


def tag_reference(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if any(w.lower() in text for w in words))


WRONG = {
    "nps_score": [seven_is_a_detractor, nine_is_a_passive, eight_is_a_promoter, share_not_points,
                  detractors_minus_promoters, passives_left_out, missing_in_the_denominator, missing_as_zero,
                  mean_score, promoters_only, rounded_to_whole_points, zero_when_empty, crashes_on_pd_na,
                  uses_the_package_nps],
    "add_wilson_ci": [wald_interval, clipped_wald, z_always_196, one_sided_z, t_quantile_instead_of_normal,
                      centred_on_the_share, forgot_the_square_in_the_centre, agresti_coull, zero_for_empty_groups,
                      bounds_swapped, changes_the_input, only_the_new_columns, width_not_bounds, percent_not_share],
    "poststrat_weights": [inverted_ratio, counts_not_shares, weights_sum_to_one, rescaled_to_the_respondents,
                          first_column_only, global_channel, index_reset, every_cell_equal,
                          population_share_only, adds_a_column, one_weight_per_cell, rounded_weights],
    "weekly_bad_review_alert": [at_or_above_threshold, ignores_min_answers, min_answers_strict, every_instrument,
                                three_is_negative, only_ones_are_negative, resample_weeks, sunday_labels,
                                weeks_start_on_sunday, monday_with_time_of_day, iso_week_number, alert_as_zero_one,
                                percent_rate, newest_week_first, only_alert_weeks, global_threshold,
                                uses_the_package_alerts],
    "tag_comment": [case_sensitive, keyword_not_lowered, whole_words_only, words_without_punctuation, not_sorted,
                    topic_per_keyword, the_keywords_found, first_topic_only, as_a_set, none_when_nothing,
                    global_keywords, crashes_on_missing, nan_text_is_searched, joined_text],
}  # fmt: skip


# =========================================================================== second pass (the author's own attack)


def drops_none_but_not_nan(scores):
    s = pd.Series([x for x in scores if x is not None and x is not pd.NA], dtype=float)
    return float(100 * ((s >= 9).sum() - (s <= 6).sum()) / len(s)) if len(s) else float("nan")


def wilson_with_continuity_correction(table, confidence=0.95):
    from statsmodels.stats.proportion import proportion_confint

    n = table["answers"].to_numpy()
    k = table["successes"].to_numpy()
    ok = n > 0
    lo, hi = np.full(len(n), np.nan), np.full(len(n), np.nan)
    lo[ok], hi[ok] = proportion_confint(k[ok], n[ok], alpha=1 - confidence, method="beta")  # Clopper-Pearson
    return table.assign(share=np.where(ok, k / np.where(ok, n, 1), np.nan), ci_low=lo, ci_high=hi)


def seven_day_bins_from_the_epoch(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, csat["date"].dt.floor("7D"), csat["score"] <= 2)


def grouper_labels_the_next_monday(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    week = csat["date"].dt.to_period("W").dt.start_time + pd.Timedelta(days=7)
    return _weekly(csat, threshold, min_answers, week, csat["score"] <= 2)


def weights_from_counts_of_distinct_customers(respondents, population, by):
    cols = _cols(by)
    resp = respondents.drop_duplicates().groupby(cols).size()
    ratio = (population.groupby(cols).size() / len(population)) / (resp / resp.sum())
    return _lookup(respondents, cols, ratio)


def word_boundary_everywhere(comment, keywords):
    import re

    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(
        t for t, words in keywords.items() if any(re.search(r"\b" + re.escape(w.lower()) + r"\b", text) for w in words)
    )


SECOND_PASS = {
    "nps_score": [drops_none_but_not_nan],
    "add_wilson_ci": [wilson_with_continuity_correction],
    "poststrat_weights": [weights_from_counts_of_distinct_customers],
    "weekly_bad_review_alert": [seven_day_bins_from_the_epoch, grouper_labels_the_next_monday],
    "tag_comment": [word_boundary_everywhere],
}
WRONG = {name: [*funcs, *SECOND_PASS.get(name, [])] for name, funcs in WRONG.items()}


# =========================================================================== third pass (a reviewer's attack)


def falsy_answers_dropped(scores):
    s = pd.Series([x for x in scores if x and not pd.isna(x)], dtype=float)  # a 0 is falsy: dropped too
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def detractors_below_six(scores):
    s = _answers(scores)
    return float(100 * ((s >= 9).mean() - (s < 6).mean())) if len(s) else float("nan")


def scale_read_as_one_to_ten(scores):
    s = _answers(scores)
    return float(100 * ((s >= 9).mean() - s.between(1, 6).mean())) if len(s) else float("nan")


def rounded_to_one_decimal(scores):
    s = _answers(scores)
    return round(float(100 * ((s >= 9).mean() - (s <= 6).mean())), 1) if len(s) else float("nan")


def floor_division(scores):
    s = _answers(scores)
    return float(100 * ((s >= 9).sum() - (s <= 6).sum()) // len(s)) if len(s) else float("nan")


def distinct_answers_only(scores):
    s = pd.Series(_answers(scores).unique())
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def none_when_empty(scores):
    s = _answers(scores)
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else None


def missing_as_passive(scores):
    s = pd.Series(list(scores), dtype="object").fillna(7).astype(float)
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def sorts_the_answers_in_place(scores):
    if isinstance(scores, list | np.ndarray):
        scores.sort()  # to count by "cutting" the sorted answers; the caller's list is reordered
    s = _answers(scores)
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def self_compare_for_missing(scores):
    s = pd.Series([float(x) for x in scores if x is not None and x == x], dtype=float)  # pd.NA == pd.NA is NA
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else float("nan")


def negative_z(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], stats.norm.ppf((1 - confidence) / 2))
    return table.assign(share=p, ci_low=lo, ci_high=hi)


def z_from_a_printed_table(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], round(float(_z(confidence)), 2))
    return table.assign(share=p, ci_low=lo, ci_high=hi)


def sample_variance(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = table["successes"] / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / (n - 1).replace(0.0, np.nan).fillna(1) + z**2 / (4 * n**2))
    return table.assign(share=p, ci_low=centre - half, ci_high=centre + half)


def half_width_not_shrunk(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = table["successes"] / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return table.assign(share=p, ci_low=centre - half, ci_high=centre + half)


def z2_over_4n_not_4n2(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = table["successes"] / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n))
    return table.assign(share=p, ci_low=centre - half, ci_high=centre + half)


def share_rounded_first(table, confidence=0.95):
    z = _z(confidence)
    n = table["answers"].astype(float).replace(0.0, np.nan)
    p = (table["successes"] / n).round(2)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return table.assign(share=p, ci_low=centre - half, ci_high=centre + half)


def share_of_failures(table, confidence=0.95):
    n = table["answers"]
    return add_reference(table.assign(successes=n - table["successes"]), confidence).assign(
        successes=table["successes"]
    )


def whole_range_for_empty_groups(table, confidence=0.95):
    out = add_reference(table, confidence)
    empty = table["answers"] == 0
    return out.assign(ci_low=out["ci_low"].mask(empty, 0.0), ci_high=out["ci_high"].mask(empty, 1.0))


def drops_empty_groups(table, confidence=0.95):
    return add_reference(table[table["answers"] > 0], confidence)


def wald_for_large_groups(table, confidence=0.95):
    wilson, wald = add_reference(table, confidence), wald_interval(table, confidence)
    large = table["answers"] >= 30
    return wilson.assign(ci_low=wald["ci_low"].where(large, wilson["ci_low"]),
                         ci_high=wald["ci_high"].where(large, wilson["ci_high"]))  # fmt: skip


def sorted_by_share(table, confidence=0.95):
    return add_reference(table, confidence).sort_values("share")


def respondents_share_over_the_population(respondents, population, by):
    cols = _cols(by)
    ratio = (population.groupby(cols).size() / len(population)) / (respondents.groupby(cols).size() / len(population))
    return _lookup(respondents, cols, ratio)


def population_shares_over_covered_cells(respondents, population, by):
    cols = _cols(by)
    pop = population.groupby(cols).size()
    pop = pop[pop.index.isin(respondents.groupby(cols).size().index)]
    ratio = (pop / pop.sum()) / (respondents.groupby(cols).size() / len(respondents))
    return _lookup(respondents, cols, ratio)


def by_split_into_letters(respondents, population, by):
    cols = list(by)  # "channel" -> ["c", "h", ...]
    ratio = (population.groupby(cols).size() / len(population)) / (respondents.groupby(cols).size() / len(respondents))
    return _lookup(respondents, cols, ratio)


def trimmed_at_three(respondents, population, by):
    return add_weights(respondents, population, by).clip(upper=3.0)


def shares_rounded_first(respondents, population, by):
    cols = _cols(by)
    pop = (population.groupby(cols).size() / len(population)).round(2)
    resp = (respondents.groupby(cols).size() / len(respondents)).round(2)
    return _lookup(respondents, cols, pop / resp)


def sorted_by_cell(respondents, population, by):
    cols = _cols(by)
    return add_weights(respondents.sort_values(cols), population, by)


def integer_weights(respondents, population, by):
    return add_weights(respondents, population, by).astype(int)


def threshold_in_percent(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(alert=(out["answers"] >= min_answers) & (100 * out["rate"] > threshold))


def alert_with_or(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(alert=(out["answers"] >= min_answers) | (out["rate"] > threshold))


def min_answers_on_negatives(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(alert=(out["negatives"] >= min_answers) & (out["rate"] > threshold))


def answers_over_every_instrument(surveys, threshold=0.05, min_answers=20):
    week = _monday(surveys["date"])
    negative = (surveys["instrument"] == "csat") & (surveys["score"] <= 2)
    return _weekly(surveys, threshold, min_answers, week, negative)


def weeks_ending_monday(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, csat["date"].dt.to_period("W-MON").dt.start_time, csat["score"] <= 2)


def week_as_text(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(week=out["week"].dt.strftime("%Y-%m-%d"))


def week_as_a_date(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(week=out["week"].dt.date)


def negatives_over_positives(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    rate = out["negatives"] / (out["answers"] - out["negatives"])
    return out.assign(rate=rate, alert=(out["answers"] >= min_answers) & (rate > threshold))


def other_defaults(surveys, threshold=0.05, min_answers=30):
    return weekly_reference(surveys, threshold, min_answers)


def counts_as_floats(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    return out.assign(answers=out["answers"].astype(float), negatives=out["negatives"].astype(float))


def distinct_customers_per_week(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    once = csat.assign(week=_monday(csat["date"])).drop_duplicates(["customer_id", "week"])
    return weekly_reference(once.drop(columns="week"), threshold, min_answers)


def adds_a_week_column(surveys, threshold=0.05, min_answers=20):
    surveys["week"] = _monday(surveys["date"])
    return weekly_reference(surveys, threshold, min_answers)


def rate_rounded(surveys, threshold=0.05, min_answers=20):
    out = weekly_reference(surveys, threshold, min_answers)
    rate = out["rate"].round(2)
    return out.assign(rate=rate, alert=(out["answers"] >= min_answers) & (rate > threshold))


def unescaped_regex(comment, keywords):
    import re

    if _missing(comment):
        return []
    return sorted(t for t, words in keywords.items() if any(re.search(w, str(comment), re.I) for w in words))


def topic_name_is_a_keyword(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if any(w.lower() in text for w in [t, *words]))


def spaces_removed(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower().replace(" ", "")
    return sorted(t for t, words in keywords.items() if any(w.lower() in text for w in words))


def first_keyword_only(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if words[0].lower() in text)


def reverse_sorted(comment, keywords):
    return sorted(tag_reference(comment, keywords), reverse=True)


def keywords_lowered_in_place(comment, keywords):
    for topic in keywords:
        keywords[topic] = [w.lower() for w in keywords[topic]]
    return tag_reference(comment, keywords)


def word_in_keyword(comment, keywords):
    if _missing(comment):
        return []
    tokens = str(comment).lower().split()
    return sorted(t for t, words in keywords.items() if any(tok in w.lower() for w in words for tok in tokens))


def missing_by_self_compare(comment, keywords):
    if comment is None or comment != comment:  # pd.NA != pd.NA is NA: `if` raises
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if any(w.lower() in text for w in words))


def startswith_only(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if any(text.startswith(w.lower()) for w in words))


def nan_compared_not_dropped(scores):
    s = pd.Series(list(scores))  # NaN >= 9 is False: a missing answer counts as a passive
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if s.notna().any() else float("nan")


def confidence_read_as_alpha(table, confidence=0.95):
    p, lo, hi = _wilson(table["successes"], table["answers"], stats.norm.ppf(1 - confidence / 2))
    return table.assign(share=p, ci_low=lo, ci_high=hi)


def indexed_by_cell(respondents, population, by):
    cols = _cols(by)
    ratio = (population.groupby(cols).size() / len(population)) / (respondents.groupby(cols).size() / len(respondents))
    keys = pd.MultiIndex.from_frame(respondents[cols]) if len(cols) > 1 else pd.Index(respondents[cols[0]])
    return ratio.reindex(keys)


def week_as_period(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    return _weekly(csat, threshold, min_answers, csat["date"].dt.to_period("W"), csat["score"] <= 2)


def counts_turned_into_floats(table, confidence=0.95):
    return add_reference(table.astype(float), confidence)


def found_after_the_first_character(comment, keywords):
    if _missing(comment):
        return []
    text = str(comment).lower()
    return sorted(t for t, words in keywords.items() if any(text.find(w.lower()) > 0 for w in words))


_TO_SIMPLIFIED = str.maketrans("價貴態遞貨質壞發無", "价贵态递货质坏发无")


def traditional_folded_to_simplified(comment, keywords):
    if _missing(comment):
        return []
    return tag_reference(str(comment).translate(_TO_SIMPLIFIED), keywords)


def shares_over_known_cells(respondents, population, by):
    cols = _cols(by)
    pop = population[cols].value_counts(normalize=True)  # drops the customers with an unknown cell
    return _lookup(respondents, cols, pop / respondents[cols].value_counts(normalize=True))


THIRD_PASS = {
    "nps_score": [falsy_answers_dropped, detractors_below_six, scale_read_as_one_to_ten, rounded_to_one_decimal,
                  floor_division, distinct_answers_only, none_when_empty, missing_as_passive, sorts_the_answers_in_place,
                  self_compare_for_missing, nan_compared_not_dropped],
    "add_wilson_ci": [negative_z, z_from_a_printed_table, sample_variance, half_width_not_shrunk, z2_over_4n_not_4n2,
                      share_rounded_first, share_of_failures, whole_range_for_empty_groups, drops_empty_groups,
                      wald_for_large_groups, sorted_by_share, confidence_read_as_alpha,
                      counts_turned_into_floats],
    "poststrat_weights": [respondents_share_over_the_population, population_shares_over_covered_cells,
                          by_split_into_letters, trimmed_at_three, shares_rounded_first, sorted_by_cell,
                          integer_weights, indexed_by_cell,
                          shares_over_known_cells],
    "weekly_bad_review_alert": [threshold_in_percent, alert_with_or, min_answers_on_negatives,
                                answers_over_every_instrument, weeks_ending_monday, week_as_text, week_as_a_date,
                                negatives_over_positives, other_defaults, counts_as_floats,
                                distinct_customers_per_week, adds_a_week_column, rate_rounded, week_as_period],
    "tag_comment": [unescaped_regex, topic_name_is_a_keyword, spaces_removed, first_keyword_only, reverse_sorted,
                    keywords_lowered_in_place, word_in_keyword, missing_by_self_compare, startswith_only,
                    found_after_the_first_character, traditional_folded_to_simplified],
}  # fmt: skip
WRONG = {name: [*funcs, *THIRD_PASS.get(name, [])] for name, funcs in WRONG.items()}

# =========================================================================== other correct ways


def nps_with_numpy(scores):
    s = np.array([float(x) for x in scores if x is not None and not pd.isna(x)])
    if s.size == 0:
        return np.nan
    return 100.0 * (np.count_nonzero(s >= 9) - np.count_nonzero(s <= 6)) / s.size


def nps_with_value_counts(scores):
    s = pd.to_numeric(pd.Series(list(scores), dtype="object"), errors="coerce").dropna()
    if s.empty:
        return float("nan")
    group = pd.cut(s, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"]).value_counts(normalize=True)
    return float(100 * (group["promoter"] - group["detractor"]))


def wilson_with_statsmodels(table, confidence=0.95):
    from statsmodels.stats.proportion import proportion_confint

    n = table["answers"].to_numpy()
    k = table["successes"].to_numpy()
    ok = n > 0
    lo, hi = np.full(len(n), np.nan), np.full(len(n), np.nan)
    lo[ok], hi[ok] = proportion_confint(k[ok], n[ok], alpha=1 - confidence, method="wilson")
    share = np.where(ok, k / np.where(ok, n, 1), np.nan)
    return table.assign(share=share, ci_low=lo, ci_high=hi)


def wilson_statsmodels_on_whole_columns(table, confidence=0.95):
    import warnings

    from statsmodels.stats.proportion import proportion_confint

    with warnings.catch_warnings():  # 0 answers: statsmodels divides by zero and returns NaN, as the spec asks
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = proportion_confint(table["successes"], table["answers"], alpha=1 - confidence, method="wilson")
    return table.assign(share=table["successes"] / table["answers"], ci_low=lo, ci_high=hi)


def wilson_row_by_row(table, confidence=0.95):
    z = stats.norm.ppf((1 + confidence) / 2)
    out = table.copy()
    rows = []
    for k, n in zip(table["successes"], table["answers"], strict=True):
        if n == 0:
            rows.append((np.nan, np.nan, np.nan))
            continue
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        rows.append((p, centre - half, centre + half))
    out["share"], out["ci_low"], out["ci_high"] = (list(col) for col in zip(*rows, strict=True))
    return out


def weights_by_map_and_tuples(respondents, population, by):
    cols = _cols(by)
    pop = population.groupby(cols).size() / len(population)
    resp = respondents.groupby(cols).size() / len(respondents)
    ratio = (pop / resp).dropna()
    keys = respondents[cols].apply(tuple, axis=1) if len(cols) > 1 else respondents[cols[0]]
    if len(cols) > 1:
        ratio.index = ratio.index.to_flat_index()
    return keys.map(ratio).astype(float)


def weights_by_transform(respondents, population, by):
    cols = _cols(by)
    n_cell = respondents.groupby(cols)[cols[0]].transform("size")
    pop_counts = population.groupby(cols).size().rename("N").reset_index()
    big_n = respondents[cols].merge(pop_counts, on=cols, how="left")["N"].to_numpy()
    return pd.Series(big_n / len(population) / (n_cell.to_numpy() / len(respondents)), index=respondents.index)


def alert_with_floor_dates(surveys, threshold=0.05, min_answers=20):
    csat = surveys.loc[surveys["instrument"] == "csat", ["date", "score"]].copy()
    csat["week"] = (csat["date"] - pd.to_timedelta(csat["date"].dt.day_of_week, unit="D")).dt.normalize()
    csat["negative"] = csat["score"].isin([1, 2])
    table = csat.groupby("week", as_index=False).agg(answers=("score", "count"), negatives=("negative", "sum"))
    table["rate"] = table["negatives"] / table["answers"]
    table["alert"] = table["answers"].ge(min_answers) & table["rate"].gt(threshold)
    return table


def alert_with_grouper(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"].eq("csat")].copy()
    csat["neg"] = (csat["score"] <= 2).astype(int)
    g = csat.groupby(pd.Grouper(key="date", freq="W-MON", label="left", closed="left"))["neg"]
    table = pd.DataFrame({"answers": g.size(), "negatives": g.sum()})
    table = table[table["answers"] > 0].rename_axis("week").reset_index()
    table["rate"] = table["negatives"] / table["answers"]
    table["alert"] = np.logical_and(table["answers"] >= min_answers, table["rate"] > threshold)
    return table[["week", "answers", "negatives", "rate", "alert"]]


def alert_indexed_by_week(surveys, threshold=0.05, min_answers=20):
    csat = surveys[surveys["instrument"] == "csat"]
    table = (csat["score"] <= 2).groupby(_monday(csat["date"]).rename("week")).agg(["size", "sum"])
    table = table.rename(columns={"size": "answers", "sum": "negatives"})
    table["rate"] = table["negatives"] / table["answers"]
    table["alert"] = (table["answers"] >= min_answers) & (table["rate"] > threshold)
    return table.assign(week=table.index)[_ALERT]  # the weeks are also the index: the spec leaves the index free


def tags_with_a_loop(comment, keywords):
    if not isinstance(comment, str):
        return []
    text = comment.casefold()
    found = []
    for topic in sorted(keywords):
        for word in keywords[topic]:
            if word.casefold() in text:
                found.append(topic)
                break
    return found


def tags_with_a_regex(comment, keywords):
    import re

    if not isinstance(comment, str) or not comment:
        return []
    return sorted(t for t, words in keywords.items() if re.search("|".join(map(re.escape, words)), comment, re.I))


RIGHT = {
    "nps_score": [nps_with_numpy, nps_with_value_counts],
    "add_wilson_ci": [wilson_with_statsmodels, wilson_row_by_row, wilson_statsmodels_on_whole_columns],
    "poststrat_weights": [weights_by_map_and_tuples, weights_by_transform],
    "weekly_bad_review_alert": [alert_with_floor_dates, alert_with_grouper, alert_indexed_by_week],
    "tag_comment": [tags_with_a_loop, tags_with_a_regex],
}

globals().update(chapter_tests(NOTEBOOK, NAMESPACE, WRONG, RIGHT))
