"""Value of a subscriber under the sBG model: DERL, DEL and expected lifetime value.

Fader & Hardie (2010), "Customer-Base Valuation in a Contractual Setting: The Perils of
Ignoring Heterogeneity". Payments are made at the start of each period; the equations are in
:mod:`sim.analysis.clv.sbg_model`. The methods are mixed into
:class:`~sim.analysis.clv.ShiftedBetaGeometric`.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis.clv import ShiftedBetaGeometric
>>> sbg = ShiftedBetaGeometric()
>>> sbg.params_ = pd.Series({"alpha": 3.0, "beta": 1.0})
>>> sbg.discounted_expected_lifetime(0.0)
1.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # noqa: F401  (used by the doctests)
from numpy.typing import ArrayLike

from sim.analysis.clv._base import _MLFitter
from sim.analysis.clv.sbg_inputs import _as_output, _check_rate, _check_whole
from sim.analysis.clv.sbg_model import _alpha_beta, _derl
from sim.errors import ConfigError

__all__: list[str] = []  # mixed into ShiftedBetaGeometric


class _SBGValue(_MLFitter):
    """DERL / DEL / lifetime-value methods of :class:`~sim.analysis.clv.ShiftedBetaGeometric` (not public)."""

    def _discount(self, discount: object) -> float:
        d = _check_rate(discount, "discount", "the discount rate per period (e.g. 0.1 for 10 %)")
        a = float(self.params_["alpha"])
        if d == 0 and a <= 1:
            raise ConfigError(
                f"discount=0 is not allowed with alpha={a:.4g} <= 1: the undiscounted expected lifetime is "
                "infinite (a heavy tail of customers who almost never cancel); give a discount rate > 0"
            )
        return d

    # -- value ------------------------------------------------------------------------------

    def discounted_expected_residual_lifetime(self, renewals: ArrayLike, discount: float) -> np.ndarray | float:
        """Expected discounted number of future payments of a customer who has renewed ``renewals`` times.

        Valued just before the next renewal decision (that payment, if made, is not
        discounted; the one after by 1/(1+d), ...). Fader & Hardie (2010), written for
        ``renewals = n``::

            DERL = (beta + n)/(alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1/(1 + d))

        (the paper indexes the same quantity by n - 1 renewals). It grows with ``renewals``:
        a customer who has renewed often is probably one of the loyal ones.

        Parameters
        ----------
        renewals : int or array-like of int
            Renewals made so far (0 = a customer in their first period).
        discount : float
            Discount rate per period (>= 0; 0 is allowed only if alpha > 1, else the
            expected lifetime is infinite and a ConfigError says so).

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> from sim.analysis.clv import ShiftedBetaGeometric
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 1.0, "beta": 1.0})
        >>> round(sbg.discounted_expected_residual_lifetime(0, 0.1), 4)
        1.8015

        By hand: S(k+1) = 1/(k+2), so DERL = sum_k x^k/(k+2) = (-ln(1-x) - x)/x^2 with x = 1/1.1,
        = 1.21 (ln 11 - 10/11) = 1.8015. A customer with 5 renewals is worth more:

        >>> bool(sbg.discounted_expected_residual_lifetime(5, 0.1) > 1.8015)
        True
        """
        self._check_fitted()
        n = _check_whole(renewals, "renewals", 0)
        d = self._discount(discount)
        a, b = _alpha_beta(self.params_)
        val = self._finite(_derl(a, b, n.reshape(-1), d), f"discounted_expected_residual_lifetime (discount={d:g})")
        return _as_output(val, n)

    def discounted_expected_lifetime(self, discount: float) -> float:
        """Expected discounted number of payments of a new customer, the first one included (DEL).

        DEL = sum_{k>=0} S(k) (1+d)^-k = 2F1(1, beta; alpha + beta; 1/(1+d))
        = 1 + DERL(renewals=0) / (1 + d).

        Parameters
        ----------
        discount : float
            Discount rate per period (>= 0; 0 only if alpha > 1).

        Returns
        -------
        float

        Examples
        --------
        >>> from sim.analysis.clv import ShiftedBetaGeometric
        >>> sbg = ShiftedBetaGeometric()
        >>> sbg.params_ = pd.Series({"alpha": 3.0, "beta": 1.0})
        >>> sbg.discounted_expected_lifetime(0.0)  # E[T] = (alpha + beta - 1)/(alpha - 1)
        1.5
        """
        self._check_fitted()
        d = self._discount(discount)
        a, b = _alpha_beta(self.params_)
        derl0 = self._finite(_derl(a, b, np.zeros(1), d), f"discounted_expected_lifetime (discount={d:g})")
        return float(1.0 + derl0[0] / (1.0 + d))

    def expected_lifetime_value(
        self, margin_per_period: float, discount: float, renewals: ArrayLike | None = None
    ) -> np.ndarray | float:
        """Expected discounted margin of a subscriber: margin per period x DEL or DERL.

        Parameters
        ----------
        margin_per_period : float
            Margin of one period's payment (>= 0), paid at the start of each period.
        discount : float
            Discount rate per period (>= 0).
        renewals : int or array-like of int, optional
            ``None`` (default): a customer about to be acquired, first payment included
            (margin x :meth:`discounted_expected_lifetime`, the most one should pay to
            acquire them). A number n: the residual value of an existing customer who has
            renewed n times, valued before the next renewal (margin x
            :meth:`discounted_expected_residual_lifetime`).

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> from sim.analysis.clv import ShiftedBetaGeometric
        >>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> new = sbg.expected_lifetime_value(100.0, 0.1)
        >>> bool(new == 100.0 * sbg.discounted_expected_lifetime(0.1))
        True
        >>> bool(sbg.expected_lifetime_value(100.0, 0.1, renewals=4) > new)  # survivors are worth more
        True
        """
        self._check_fitted()
        margin = _check_rate(margin_per_period, "margin_per_period", "the margin per period")
        if renewals is None:
            return margin * self.discounted_expected_lifetime(discount)
        derl = self.discounted_expected_residual_lifetime(renewals, discount)
        return margin * derl
