"""Customer lifetime value: BG/NBD purchases, Gamma-Gamma spend and sBG renewals, fitted by maximum likelihood.

One module per concept; everything public is re-exported here, so ``from sim.analysis.clv
import BetaGeoFitter`` and ``clv.summary_data(...)`` work as before::

    data            summary_data, calibration_holdout (frequency / recency / T / monetary value)
    _base           shared maximum-likelihood machinery (optimiser, Hessian standard errors, summary)
    bgnbd           BetaGeoFitter (purchases, P(alive), expected purchases, plots)
    mbgnbd          ModifiedBetaGeoFitter (MBG/NBD: dropout possible at the first purchase too)
    gamma_gamma     GammaGammaFitter (average order value)
    lifetime_value  customer_lifetime_value (discounted predicted margin)
    historical      historical_clv (realised margin so far)
    plotting        plot_calibration_holdout (hold-out check of a BG/NBD fit)
    sbg             ShiftedBetaGeometric (subscriptions: retention curve, survival projection, DERL, CLV)
    sbg_model       the sBG equations (survival, P(T = t), retention, log-likelihood, DERL)
    sbg_inputs      checks of survivor counts and sBG prediction arguments
    sbg_value       DERL / DEL / lifetime value methods of ShiftedBetaGeometric
    sbg_plots       plot_survival / plot_retention of ShiftedBetaGeometric
    subscriptions   renewal_survivors (survivors per signup cohort and period from a subscription log)

The fitters follow the scikit-learn / lifelines conventions: configure in ``__init__``
(``penalizer``, ``confidence``), validate and estimate in ``fit`` (which returns ``self``),
read results from trailing-underscore attributes (``params_``, ``log_likelihood_``,
``confidence_intervals_`` ...) or the ``summary`` property; before ``fit`` they raise
:class:`sim.errors.NotFittedError`.

Which library does the work
---------------------------
* :func:`scipy.optimize.minimize` (L-BFGS-B on the log-parameters) maximises the likelihoods;
* :mod:`scipy.special` (``gammaln``, ``betaln``, ``hyp2f1``, ``expit``) evaluates them and the
  closed-form expectations;
* :func:`statsmodels.tools.numdiff.approx_fprime` differentiates the analytic gradient
  numerically (central differences) to give the Hessian behind the standard errors;
* :mod:`pandas` builds the customer summary (``groupby`` over purchase periods).

What is hand-written, and why: the two log-likelihoods and the closed-form expectations, a
few lines each, transcribed from Fader, Hardie & Lee (2005) "Counting your customers the easy
way: an alternative to the Pareto/NBD model" (Marketing Science 24(2); and the companion note
"Implementing the BG/NBD model for customer-base analysis in Excel") and Fader & Hardie (2013)
"The Gamma-Gamma model of monetary value". The package that used to provide them,
``lifetimes``, is unmaintained (it does not run with pandas 3), and PyMC-Marketing pulls in
PyMC/PyTensor, which is heavy for a training course. The API deliberately mirrors
``lifetimes`` (``BetaGeoFitter``, ``GammaGammaFitter``, the summary columns ``frequency``,
``recency``, ``T``, ``monetary_value``), so users of other CLV tools feel at home.

Conventions
-----------
* **Parameters** match the simulator (``sim.Scenario.purchase`` / ``.spend``): purchase rate
  lambda ~ Gamma(shape ``r``, rate ``alpha``) per time unit (days by default); dropout
  probability p ~ Beta(``a``, ``b``), applied after each *repeat* purchase; spend
  nu ~ Gamma(shape ``q``, rate ``gamma``) and each order value z ~ Gamma(shape ``p``, rate nu),
  so E[z] = p * gamma / (q - 1).
* **Cutoff.** Summaries are taken at a cutoff *instant*: orders dated after it are excluded
  (the analyst at the cutoff cannot see them); orders exactly at the cutoff count. A date such
  as ``"2025-06-30"`` means midnight at the start of that day. The number of excluded orders is
  stored in ``summary.attrs["orders_after_cutoff"]``.
* **Time unit.** Orders are grouped into periods (``time_unit``, a pandas period alias such as
  ``"D"`` or ``"W"``); several orders in one period count as one purchase (amounts summed), as
  in ``lifetimes``. The unit is stored in ``summary.attrs["time_unit"]``; CLV needs days.
  ``discrete=False`` uses exact (fractional) times instead, the continuous-time view of the
  model; with the simulator's timestamped orders it avoids a small bias from merging
  same-day purchases.
* **Degenerate data.** ``fit`` refuses data that cannot identify the model (BG/NBD: fewer
  than 5 customers, nobody with a repeat purchase, one history shared by all; Gamma-Gamma:
  fewer than 4 repeat customers, the same spend for all) with a :class:`~sim.errors.DataError`
  giving the reason. A fit that runs to the edge of the parameter space, has no positive
  definite Hessian or gives non-finite predictions has ``converged_ = False`` and the reasons
  in ``fit_issues_``; predictions never return inf or NaN (they raise ``DataError``).
* **Standard errors.** The Hessian of the negative log-likelihood on the log-parameters is
  taken by central differences of its analytic gradient; the covariance of the log-parameters is its inverse. ``standard_errors_`` are
  on the natural scale by the delta method (se(theta) = theta * se(log theta));
  ``confidence_intervals_`` are Wald intervals on the log scale, exponentiated
  (exp(log theta +/- z * se(log theta))), so they are asymmetric and always positive.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis import clv
>>> orders = pd.DataFrame({
...     "customer_id": [1, 1, 1, 2, 3, 3],
...     "date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-31",
...                             "2025-01-05", "2025-01-02", "2025-01-02"]),
...     "amount": [10.0, 20.0, 40.0, 15.0, 5.0, 7.0]})
>>> clv.summary_data(orders, cutoff="2025-02-01")
             frequency  recency     T  monetary_value
customer_id
1                    2     30.0  31.0            30.0
2                    0      0.0  27.0             0.0
3                    0      0.0  30.0             0.0

Customer 3's two orders fall on the same day: one purchase period, so no repeat purchase.
"""

from __future__ import annotations

from sim.analysis.clv.bgnbd import BetaGeoFitter
from sim.analysis.clv.data import calibration_holdout, summary_data
from sim.analysis.clv.gamma_gamma import GammaGammaFitter
from sim.analysis.clv.historical import historical_clv
from sim.analysis.clv.lifetime_value import customer_lifetime_value
from sim.analysis.clv.mbgnbd import ModifiedBetaGeoFitter
from sim.analysis.clv.plotting import plot_calibration_holdout
from sim.analysis.clv.sbg import ShiftedBetaGeometric
from sim.analysis.clv.subscriptions import renewal_survivors

__all__ = [
    "summary_data",
    "calibration_holdout",
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "GammaGammaFitter",
    "customer_lifetime_value",
    "historical_clv",
    "plot_calibration_holdout",
    "ShiftedBetaGeometric",
    "renewal_survivors",
]
