"""The estimators behind :func:`sim.calibrate`, one per part of the scenario.

Each returns a list of :class:`Estimate` rows (parameter, scenario field, estimate, interval,
how it was estimated). Time is in days throughout, the simulator's unit: the order log is
summarised with exact (fractional) day times (:func:`sim.analysis.clv.summary_data` with
``discrete=False``), so BG/NBD's ``alpha`` comes out in days.

* purchases: BG/NBD and MBG/NBD by maximum likelihood (:mod:`sim.analysis.clv`), Hessian intervals;
* spend: Gamma-Gamma on the repeat buyers;
* acquisitions: every customer's first order is their acquisition; the share on day 0 is the
  excess over a uniform arrival rate (the world spreads the others uniformly over the horizon);
* complaints: per-order ticket rates (Wilson intervals), split by ``cause == "product"`` (the
  world's quality-issue tickets) and the rest; the severity and cause mixes;
* handling times: mean agent hours per severity (t intervals) and the pooled coefficient of variation;
* satisfaction: the mean NPS answer, inverted through the survey answer model
  (:func:`expected_nps_answer`).

Examples
--------
>>> lo, hi = wilson_interval(45, 1000, 0.95)
>>> round(lo, 4), round(hi, 4)
(0.0338, 0.0598)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel
from scipy import optimize, stats

from sim.analysis.clv import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter
from sim.config import Scenario
from sim.errors import DataError
from sim.schema import CAUSES, SEVERITIES

__all__ = [
    "Estimate",
    "wilson_interval",
    "fit_purchase",
    "fit_spend",
    "fit_acquisition",
    "within_limits",
    "fit_complaints",
    "fit_service_times",
    "expected_nps_answer",
    "fit_satisfaction",
]

_MODELS = ("auto", "bgnbd", "mbgnbd")


@dataclass
class Estimate:
    """One row of :attr:`CalibrationReport.estimates`."""

    parameter: str
    scenario_field: str
    estimate: float
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    identified: bool = True
    note: str = ""


def wilson_interval(k: float, n: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n``.

    Examples
    --------
    >>> wilson_interval(0, 10, 0.95)[0]
    0.0
    """
    if n <= 0:
        return float("nan"), float("nan")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _fitter_rows(fitter: BetaGeoFitter | GammaGammaFitter, fields: dict[str, str], note: str) -> list[Estimate]:
    ci = fitter.confidence_intervals_
    return [
        Estimate(k, fields[k], float(fitter.params_[k]), float(ci.iloc[i, 0]), float(ci.iloc[i, 1]), True, note)
        for i, k in enumerate(fitter.params_.index)
    ]


def fit_purchase(
    summary: pd.DataFrame, model: str, confidence: float
) -> tuple[BetaGeoFitter, str, str, list[Estimate]]:
    """Fit BG/NBD and/or MBG/NBD (days); return the chosen fitter, its name, why, and the rows.

    ``model="auto"`` fits both and keeps the one with the smaller AIC (both have four
    parameters, so: the larger log-likelihood); a fit that did not converge is only kept if
    the other did not converge either.
    """
    args = (summary["frequency"], summary["recency"], summary["T"])
    fits: dict[str, BetaGeoFitter] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # fit issues are reported in the note instead
        if model in ("auto", "bgnbd"):
            fits["bgnbd"] = BetaGeoFitter(confidence=confidence).fit(*args)
        if model in ("auto", "mbgnbd"):
            fits["mbgnbd"] = ModifiedBetaGeoFitter(confidence=confidence).fit(*args)
    if model == "auto":
        aic = {k: 2 * 4 - 2 * f.log_likelihood_ for k, f in fits.items()}
        ok = [k for k, f in fits.items() if f.converged_] or list(fits)
        chosen = min(ok, key=aic.__getitem__)
        other = "mbgnbd" if chosen == "bgnbd" else "bgnbd"
        delta = aic[other] - aic[chosen]
        why = (
            f"auto: AIC {aic['bgnbd']:.1f} (BG/NBD) vs {aic['mbgnbd']:.1f} (MBG/NBD); both have 4 parameters, so the "
            f"larger likelihood wins: {'MBG/NBD' if chosen == 'mbgnbd' else 'BG/NBD'} by dAIC = {delta:.1f}"
        )
        if other not in ok:
            why += f" ({other} did not converge: {'; '.join(fits[other].fit_issues_)[:160]})"
        elif delta < 2:
            why += " (< 2: the data hardly tell the two apart)"
    else:
        chosen = model
        why = f"model={model!r} was asked for"
    fitter = fits[chosen]
    note = ("MBG/NBD" if chosen == "mbgnbd" else "BG/NBD") + " maximum likelihood, time in days; Hessian CI"
    if not fitter.converged_:
        note += "; fit issues: " + "; ".join(fitter.fit_issues_)[:200]
    fields = {k: f"purchase.{k}" for k in ("r", "alpha", "a", "b")}
    return fitter, chosen, why, _fitter_rows(fitter, fields, note)


def fit_spend(summary: pd.DataFrame, confidence: float) -> tuple[GammaGammaFitter, list[Estimate]]:
    """Gamma-Gamma on the repeat buyers' mean repeat-order value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ggf = GammaGammaFitter(confidence=confidence).fit(summary["frequency"], summary["monetary_value"])
    note = f"Gamma-Gamma maximum likelihood on {ggf.n_customers_} repeat buyers; Hessian CI"
    if not ggf.converged_:
        note += "; fit issues: " + "; ".join(ggf.fit_issues_)[:200]
    rows = _fitter_rows(ggf, {k: f"spend.{k}" for k in ("p", "q", "gamma")}, note)
    return ggf, rows


def _bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    """The (lower, upper) limits of a scenario field, read from its pydantic constraints."""
    lo, hi = -math.inf, math.inf
    for m in model.model_fields[name].metadata:
        lo = max(lo, getattr(m, "ge", None) or getattr(m, "gt", None) or -math.inf)
        hi = min(hi, getattr(m, "le", None) or getattr(m, "lt", None) or math.inf)
    return lo, hi


def within_limits(rows: list[Estimate]) -> list[Estimate]:
    """Bring estimates that ran past the scenario's limits back inside, keeping the mean they imply.

    A log with (almost) no heterogeneity drives a Gamma or Beta shape towards infinity (r -> inf
    with r / alpha fixed: every customer has the same rate). Such a pair is scaled down together
    to the scenario's limit, keeping r / alpha, a / (a + b) or gamma / (q - 1) (the mean order
    value), and marked ``identified = False`` with the reason.

    Examples
    --------
    >>> rows = within_limits([Estimate("r", "purchase.r", 5e6), Estimate("alpha", "purchase.alpha", 1.3e8)])
    >>> [round(r.estimate, 1) for r in rows], rows[0].identified
    ([100.0, 2600.0], False)
    """
    from sim.config.scenario import Purchase, Spend

    by = {r.scenario_field: r for r in rows}
    pairs = [("purchase.r", "purchase.alpha", 0.0), ("purchase.a", "purchase.b", 0.0), ("spend.q", "spend.gamma", 1.0)]
    for f1, f2, shift in pairs:
        if f1 not in by or f2 not in by:
            continue
        r1, r2 = by[f1], by[f2]
        model = Purchase if f1.startswith("purchase") else Spend
        (lo1, hi1), (lo2, hi2) = _bounds(model, f1.split(".")[1]), _bounds(model, f2.split(".")[1])
        x1, x2 = r1.estimate - shift, r2.estimate
        if x1 <= 0 or x2 <= 0:
            continue
        factor = min(1.0, (hi1 - shift) / x1, hi2 / x2)
        factor = max(factor, (lo1 - shift) / x1 * (1 + 1e-9), lo2 / x2)
        if factor != 1.0:
            for r, x, off in ((r1, x1, shift), (r2, x2, 0.0)):
                r.estimate = x * factor + off
                r.identified = False
                r.note = (
                    f"ran past the scenario's limits (the data show almost no spread between customers); "
                    f"{f1.split('.')[1]} and {f2.split('.')[1]} scaled together to the limit, keeping their ratio; "
                ) + r.note
    for r in rows:  # anything still outside (a lone parameter such as spend.p): clipped
        if r.scenario_field.startswith(("purchase.", "spend.")):
            section, name = r.scenario_field.split(".")
            lo, hi = _bounds(Purchase if section == "purchase" else Spend, name)
            if not lo <= r.estimate <= hi:
                r.estimate = float(min(max(r.estimate, lo * (1 + 1e-9)), hi))
                r.identified = False
                r.note = "clipped to the scenario's limits; " + r.note
    return rows


def fit_acquisition(first_t: np.ndarray, horizon: float, confidence: float) -> tuple[list[Estimate], pd.Series]:
    """Customers and the day-0 share from the first-order times (days since day 0).

    The world puts ``initial_share`` of the customers at day 0 and spreads the others
    uniformly over the horizon, so first orders on day 0 (t < 1) number about
    ``n0 + (n - n0) / horizon``; solved for ``n0``. Returns the rows and the first orders by day.

    Examples
    --------
    >>> rows, _ = fit_acquisition(np.r_[np.zeros(300), np.linspace(0.5, 364.5, 700)], 365.0, 0.95)
    >>> [r.scenario_field for r in rows], round(rows[1].estimate, 2)
    (['population.customers', 'population.initial_share'], 0.3)
    """
    n = len(first_t)
    k0 = int(np.sum(first_t < 1.0))
    lam = 1.0 / max(horizon, 1.0)
    share = float(np.clip((k0 / n - lam) / (1 - lam), 0.0, 1.0)) if horizon > 1 else 1.0
    lo, hi = wilson_interval(k0, n, confidence)
    lo_s, hi_s = (float(np.clip((v - lam) / (1 - lam), 0.0, 1.0)) for v in (lo, hi))
    later = first_t[first_t >= 1.0]
    bins = max(1, min(24, int(horizon // 30)))  # about monthly bins over [1, horizon)
    uniform = "arrivals after day 0: too few to test uniformity"
    if bins > 1 and len(later) >= 5 * bins:
        counts = np.histogram(later, bins=bins, range=(1.0, max(horizon, 1.0 + 1e-9)))[0]
        p_unif = float(stats.chisquare(counts).pvalue)
        uniform = f"arrivals after day 0 against the world's uniform spread: chi-square p = {p_unif:.3g}" + (
            " (not uniform: seasonality or growth the world does not reproduce)" if p_unif < 0.01 else ""
        )
    rows = [
        Estimate("customers", "population.customers", float(n), note=f"distinct customers in the log (paid + referred); {uniform}"),
        Estimate(
            "initial_share", "population.initial_share", share, lo_s, hi_s,
            note=f"first orders on day 0 ({k0}) above the uniform arrival rate; Wilson CI",
        ),
    ]  # fmt: skip
    return rows, pd.Series(np.floor(first_t)).value_counts().sort_index()


def fit_complaints(tickets: pd.DataFrame, n_orders: int, base: Scenario, confidence: float) -> list[Estimate]:
    """Per-order complaint rates, the severity mix and the cause mix from the ticket table.

    Only first tickets count (rows with ``chaser_of`` or ``reopened_from`` >= 0 are follow-ups;
    a ticket without an order, ``order_id`` < 0, is an outage ticket, not a complaint about an
    order). Tickets with cause ``product`` are the world's quality-issue tickets, the others
    complaints about orders without an issue. The world's ``quality_issue_prob`` cannot be told
    apart from ``complaint_prob_issue`` (only their product is observed): it stays at the base
    value and ``complaint_prob_issue`` = product rate / ``quality_issue_prob``.
    """
    t = tickets
    first = pd.Series(True, index=t.index)
    for col in ("chaser_of", "reopened_from"):
        if col in t.columns:
            first &= pd.to_numeric(t[col], errors="coerce").fillna(-1) < 0
    if "order_id" in t.columns:
        first &= pd.to_numeric(t["order_id"], errors="coerce").fillna(0) >= 0
    t = t.loc[first]
    n_t = len(t)
    if n_t > n_orders:
        raise DataError(
            f"{n_t} first tickets for {n_orders} orders: the complaint model has at most one complaint per order; "
            "mark follow-up tickets with chaser_of / reopened_from (the id of the first ticket), or give the "
            "orders these tickets belong to",
            table="tickets",
        )
    rows: list[Estimate] = []
    lo, hi = wilson_interval(n_t, n_orders, confidence)
    rows.append(Estimate("complaint_rate", "(complaints per order)", n_t / n_orders, lo, hi,
                         note=f"{n_t} first tickets / {n_orders} orders; Wilson CI"))  # fmt: skip
    qi = base.complaints.quality_issue_prob
    if "cause" in t.columns:
        cause = t["cause"].astype(str)
        n_prod = int((cause == "product").sum())
        n_other = n_t - n_prod
        lo, hi = wilson_interval(n_prod, n_orders, confidence)
        if qi > 0 and n_prod / n_orders <= qi:
            rows.append(Estimate(
                "complaint_prob_issue", "complaints.complaint_prob_issue", n_prod / n_orders / qi, lo / qi,
                min(hi / qi, 1.0), note=f"product tickets per order ({n_prod}/{n_orders}) / quality_issue_prob={qi:g}",
            ))  # fmt: skip
        lo, hi = wilson_interval(n_other, n_orders, confidence)
        rows.append(Estimate(
            "complaint_prob_ok", "complaints.complaint_prob_ok", n_other / n_orders / (1 - qi), lo / (1 - qi),
            hi / (1 - qi), note=f"other tickets per order ({n_other}/{n_orders}) / (1 - quality_issue_prob)",
        ))  # fmt: skip
        others = cause.loc[cause != "product"]
        for c in [c for c in CAUSES if c != "product"]:
            k = int((others == c).sum())
            lo, hi = wilson_interval(k, len(others), confidence)
            rows.append(Estimate(f"cause_mix[{c}]", f"complaints.cause_mix.{c}", k / max(len(others), 1), lo, hi,
                                 note="share of the non-product tickets; Wilson CI"))  # fmt: skip
    else:
        rows.append(Estimate(
            "complaint_prob_ok", "complaints.complaint_prob_ok",
            max(0.0, (n_t / n_orders - qi * base.complaints.complaint_prob_issue) / (1 - qi)),
            note="no cause column: all tickets pooled; complaint_prob_issue kept at the base value",
        ))  # fmt: skip
    sev = t["severity"]
    for s in SEVERITIES:
        k = int((sev == s).sum())
        lo, hi = wilson_interval(k, max(n_t, 1), confidence)
        rows.append(Estimate(f"severity_mix[{s}]", f"complaints.severity_mix.{s}", k / max(n_t, 1), lo, hi,
                             note="share of first tickets; Wilson CI (marginal)"))  # fmt: skip
    return rows


def fit_service_times(tickets: pd.DataFrame, confidence: float) -> list[Estimate]:
    """Mean agent handling hours per severity (t intervals) and the pooled coefficient of variation.

    Uses ``handle_h``, else ``resolution_h - wait_h``; bot-handled tickets are left out. A
    severity with fewer than 2 timed tickets is not identified.
    """
    t = tickets
    if "handle_h" in t.columns:
        h = t["handle_h"]
    elif "resolution_h" in t.columns and "wait_h" in t.columns:
        h = t["resolution_h"] - t["wait_h"]
    else:
        return []
    keep = h.notna()
    if "bot" in t.columns:
        keep &= ~t["bot"].fillna(False).astype(bool)
    h, sev = h[keep].astype(float), t.loc[keep, "severity"]
    rows = []
    cvs = []
    for s in SEVERITIES:
        x = h[sev == s].to_numpy()
        if len(x) < 2 or x.mean() <= 0:
            continue
        m, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x)))
        q = float(stats.t.ppf(0.5 + confidence / 2, len(x) - 1))
        rows.append(Estimate(f"service_time_mean[{s}]", f"desk.service_time.mean_h.{s}", m, max(m - q * se, 0.0),
                             m + q * se, note=f"mean handling hours of {len(x)} tickets; t CI"))  # fmt: skip
        cvs.append((len(x), float(x.std(ddof=1) / m)))
    if cvs:
        n = sum(k for k, _ in cvs)
        cv = sum(k * c for k, c in cvs) / n
        rows.append(Estimate("service_time_cv", "desk.service_time.cv", cv, note="pooled over severities"))
    return rows


def expected_nps_answer(mean: float, sc: Scenario) -> float:
    """Mean NPS answer (0-10) of respondents when latent satisfaction ~ N(``mean``, ``initial_sd``).

    The survey answer model of :mod:`sim.world.model.surveys`: an answer is the satisfaction
    reading (plus the mode's ``honesty_shift``) plus ``noise_sd`` x N(0, 1), rounded and
    clipped to 0-10; a customer answers with probability logistic(logit(relationship_rate) +
    nonresponse_bias x (reference - s)) times the mode's response factor, with ``reference`` =
    ``mean`` (the calibrated scenario sets it so). Satisfaction is clipped to 0-10. Drift of
    satisfaction through experiences after acquisition is ignored.

    Examples
    --------
    >>> sc = Scenario.load("baseline")
    >>> round(expected_nps_answer(8.0, sc), 2) < 8.0   # clipping at 10 and unhappy responders pull it down
    True
    """
    sat, sv = sc.satisfaction, sc.surveys
    grid = np.linspace(-6.0, 6.0, 241)
    s = np.clip(mean + sat.initial_sd * grid, 0.0, 10.0)
    dens = stats.norm.pdf(grid)
    rate = min(max(sv.relationship_rate, 1e-9), 1 - 1e-9)
    logit = math.log(rate / (1 - rate))
    sd = max(sv.noise_sd, 1e-6)
    k = np.arange(11.0)
    num = den = 0.0
    for mode in sv.modes.values():
        w = (
            dens
            * mode.share
            * np.minimum(1.0, mode.response_factor / (1 + np.exp(-(logit + sv.nonresponse_bias * (mean - s)))))
        )
        read = s + mode.honesty_shift
        upper = stats.norm.cdf((k[:, None] + 0.5 - read) / sd)
        lower = stats.norm.cdf((k[:, None] - 0.5 - read) / sd)
        upper[-1], lower[0] = 1.0, 0.0
        answer = (k[:, None] * (upper - lower)).sum(axis=0)
        num += float(np.sum(w * answer))
        den += float(np.sum(w))
    return num / den


def fit_satisfaction(surveys: pd.DataFrame, base: Scenario, confidence: float) -> list[Estimate]:
    """Mean latent satisfaction from the NPS answers, through :func:`expected_nps_answer` (inverted)."""
    nps = surveys.loc[surveys["instrument"].astype(str) == "nps", "score"].astype(float).to_numpy()
    if len(nps) < 2:
        return []
    m, se = float(nps.mean()), float(nps.std(ddof=1) / math.sqrt(len(nps)))
    q = float(stats.t.ppf(0.5 + confidence / 2, len(nps) - 1))

    def invert(target: float) -> float:
        f_lo, f_hi = expected_nps_answer(0.0, base) - target, expected_nps_answer(10.0, base) - target
        if f_lo >= 0:
            return 0.0
        if f_hi <= 0:
            return 10.0
        return float(optimize.brentq(lambda x: expected_nps_answer(x, base) - target, 0.0, 10.0, xtol=1e-6))

    est = invert(m)
    share_p = float(np.mean(nps >= 9) - np.mean(nps <= 6)) * 100
    note = (
        f"mean NPS answer {m:.2f} of {len(nps)} answers (NPS {share_p:.0f}) inverted through the survey answer model "
        "(noise_sd, nonresponse_bias, modes at the base values); t CI mapped through it"
    )
    return [
        Estimate("satisfaction_mean", "satisfaction.initial_mean", est, invert(m - q * se), invert(m + q * se), note=note),
        Estimate("satisfaction_reference", "satisfaction.reference", est,
                 note="set to the fitted mean, so the fitted purchase core applies at the average satisfaction"),
    ]  # fmt: skip
