"""Plots of an sBG fit: observed vs fitted survival and retention, projected beyond the data.

Both plots follow the conventions of :mod:`sim.analysis._plotting` (``ax`` keyword-only,
the Axes returned, title and both axis labels set with units) and share one drawing routine,
:meth:`_SBGPlots._plot_curve`. The methods are mixed into
:class:`~sim.analysis.clv.ShiftedBetaGeometric`.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from sim.analysis.clv import ShiftedBetaGeometric
>>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
>>> sbg.plot_survival(10).get_title()
'sBG: share of the cohort still subscribed'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis.clv._base import _MLFitter
from sim.analysis.clv.sbg_inputs import _check_counts, _check_periods
from sim.analysis.clv.sbg_model import _alpha_beta, _log_survival, _retention

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__: list[str] = []  # mixed into ShiftedBetaGeometric


def _observed_survival(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Periods 0..T and the share of the cohort still active (%)."""
    return np.arange(len(n)), 100 * n / n[0]


def _observed_retention(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Periods 1..T and the share of the previous period's customers renewing (%)."""
    with np.errstate(all="ignore"):
        rate = n[1:] / n[:-1]
    return np.arange(1, len(n)), 100 * rate


class _SBGPlots(_MLFitter):
    """Plot methods of :class:`~sim.analysis.clv.ShiftedBetaGeometric` (not public)."""

    def _observed(self, actual: ArrayLike | None) -> dict[str, np.ndarray]:
        if actual is not None:
            return {"actual": _check_counts(actual, "actual")}
        data = self.__dict__.get("survivors_")  # None if the parameters were set by hand
        if data is None:
            return {}
        return {str(c): data[c].dropna().to_numpy(dtype=float) for c in data.columns}

    def _horizon(self, periods: int | None, observed: dict[str, np.ndarray]) -> int:
        if periods is None:
            n_cal = int(self.__dict__.get("n_periods_", 0))
            return max([n_cal + 5, *(len(n) - 1 for n in observed.values())])
        return _check_periods(periods)

    def _plot_curve(
        self,
        periods: int | None,
        actual: ArrayLike | None,
        ax: Axes | None,
        *,
        first: int,
        observed_curve: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
        fitted_curve: Callable[[float, float, np.ndarray], np.ndarray],
        ylim: tuple[float, float],
        title: str,
        xlabel: str,
        ylabel: str,
    ) -> Axes:
        """Observed points per cohort, the fitted curve from period ``first`` on, the calibration end."""
        self._check_fitted()
        observed = self._observed(actual)
        horizon = self._horizon(periods, observed)
        ax = new_axes(ax, figsize=(7, 4))
        for name, n in observed.items():
            x, y = observed_curve(n)
            ax.plot(x, y, "o", label=f"observed: {name}")
        t = np.arange(first, horizon + 1, dtype=float)
        a, b = _alpha_beta(self.params_)
        ax.plot(t, 100 * fitted_curve(a, b, t), "-", color="k", label="sBG fit and projection")
        if "n_periods_" in self.__dict__:
            ax.axvline(self.n_periods_, color="grey", linestyle=":", label="end of calibration")
        ax.set_ylim(*ylim)
        ax.legend()
        return label_axes(ax, title=title, xlabel=xlabel, ylabel=ylabel)

    def plot_survival(
        self,
        periods: int | None = None,
        *,
        actual: ArrayLike | None = None,
        ax: Axes | None = None,
        time_label: str = "periods",
    ) -> Axes:
        """Observed vs fitted share of the cohort still active, projected beyond the calibration data.

        Parameters
        ----------
        periods : int, optional
            Right end of the projection (default: 5 periods beyond the calibration data).
        actual : array-like of int, optional
            Survivor counts of one cohort including periods after the calibration data
            (a hold-out), drawn instead of the calibration data.
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            Unit of a period, shown on the x axis (e.g. ``"years"``).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sim.analysis.clv import ShiftedBetaGeometric
        >>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> full = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
        >>> sbg.plot_survival(actual=full, time_label="years").get_ylabel()
        'customers still active (% of the cohort)'
        """
        return self._plot_curve(
            periods,
            actual,
            ax,
            first=0,
            observed_curve=_observed_survival,
            fitted_curve=lambda a, b, t: np.exp(_log_survival(a, b, t)),
            ylim=(0, 102),
            title="sBG: share of the cohort still subscribed",
            xlabel=f"tenure ({time_label} since acquisition)",
            ylabel="customers still active (% of the cohort)",
        )

    def plot_retention(
        self,
        periods: int | None = None,
        *,
        actual: ArrayLike | None = None,
        ax: Axes | None = None,
        time_label: str = "periods",
    ) -> Axes:
        """Observed vs fitted retention rate r_t by period, projected beyond the calibration data.

        Parameters
        ----------
        periods : int, optional
            Right end of the projection (default: 5 periods beyond the calibration data).
        actual : array-like of int, optional
            Survivor counts of one cohort including a hold-out, drawn instead of the
            calibration data.
        ax : matplotlib Axes, optional
            Axes to draw on (keyword only); a new figure is made if omitted.
        time_label : str
            Unit of a period, shown on the x axis.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sim.analysis.clv import ShiftedBetaGeometric
        >>> sbg = ShiftedBetaGeometric().fit([1000, 869, 743, 653, 593, 551, 517, 491])
        >>> sbg.plot_retention(12, time_label="years").get_xlabel()
        'period t (years since acquisition)'
        """
        return self._plot_curve(
            periods,
            actual,
            ax,
            first=1,
            observed_curve=_observed_retention,
            fitted_curve=_retention,
            ylim=(0, 100),
            title="sBG: retention rate rises with tenure (heterogeneity)",
            xlabel=f"period t ({time_label} since acquisition)",
            ylabel="retention rate r_t (% of period t-1's customers renewing)",
        )
