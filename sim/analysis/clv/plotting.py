"""Model checks drawn with matplotlib: the calibration / hold-out plot of a BG/NBD fit.

The fitters' own plots are methods (:meth:`BetaGeoFitter.plot_expected_purchases`,
:meth:`BetaGeoFitter.plot_p_alive_matrix`). Every plot takes ``ax=`` as a keyword, returns
the Axes and labels both axes with units.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from sim.analysis.clv import BetaGeoFitter
>>> bgf = BetaGeoFitter()
>>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
>>> ch = pd.DataFrame({"frequency": [0, 1], "recency": [0.0, 30.0], "T": [100.0] * 2,
...     "frequency_holdout": [0, 1], "duration_holdout": [60.0] * 2})
>>> plot_calibration_holdout(bgf, ch).get_title()
'Hold-out check: repeat purchases in the next 60 days'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis._plotting import label_axes, new_axes
from sim.analysis._validate import require_columns
from sim.analysis.clv.bgnbd import BetaGeoFitter

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_calibration_holdout"]


def plot_calibration_holdout(
    bgf: BetaGeoFitter, cal_holdout: pd.DataFrame, *, max_frequency: int = 7, ax: Axes | None = None
) -> Axes:
    """Hold-out check: mean actual vs. predicted hold-out purchases by calibration frequency.

    Parameters
    ----------
    bgf : BetaGeoFitter
        Fitted on the calibration columns of ``cal_holdout``.
    cal_holdout : pandas.DataFrame
        Output of :func:`calibration_holdout`.
    max_frequency : int
        Customers with more calibration purchases are pooled into the last group.
    ax : matplotlib Axes, optional
        Axes to draw on (keyword only); a new figure is made if omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> bgf = BetaGeoFitter()
    >>> bgf.params_ = pd.Series({"r": 0.6, "alpha": 60.0, "a": 0.8, "b": 5.0})
    >>> ch = pd.DataFrame({"frequency": [0, 1, 2], "recency": [0.0, 30.0, 90.0], "T": [100.0] * 3,
    ...     "monetary_value": [0.0, 10.0, 12.0], "frequency_holdout": [0, 1, 1],
    ...     "monetary_value_holdout": [0.0, 9.0, 11.0], "duration_holdout": [60.0] * 3})
    >>> plot_calibration_holdout(bgf, ch).get_ylabel()
    'mean repeat purchases in the hold-out window (orders per customer)'
    """
    c = require_columns(
        cal_holdout,
        {
            "frequency": "nonneg",
            "recency": "nonneg",
            "T": "nonneg",
            "frequency_holdout": "nonneg",
            "duration_holdout": "nonneg",
        },
        table="cal_holdout",
    )
    dur = float(c["duration_holdout"].iloc[0])
    pred = bgf.conditional_expected_purchases(dur, c["frequency"], c["recency"], c["T"])
    grp = np.minimum(c["frequency"].to_numpy(), max_frequency)
    df = pd.DataFrame(
        {"group": grp, "actual": c["frequency_holdout"].to_numpy(dtype=float), "predicted": np.asarray(pred)}
    )
    means = df.groupby("group")[["actual", "predicted"]].mean()
    ax = new_axes(ax, figsize=(7, 4))
    ax.plot(means.index, means["actual"], "o-", label="actual")
    ax.plot(means.index, means["predicted"], "s--", label="BG/NBD prediction")
    label_axes(
        ax,
        title=f"Hold-out check: repeat purchases in the next {dur:g} days",
        xlabel=f"repeat purchases in the calibration window, orders ({max_frequency} = {max_frequency} or more)",
        ylabel="mean repeat purchases in the hold-out window (orders per customer)",
    )
    ax.legend()
    return ax
