"""Plot helpers shared by the analysis modules (matplotlib is imported only when a plot is drawn).

Conventions of every plot in :mod:`sim.analysis`: ``ax`` is keyword-only (a new figure is
made when it is omitted), the Axes is returned, and the title and both axis labels are set,
with units in the labels.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> ax = new_axes(None, figsize=(4, 3))
>>> label_axes(ax, title="t", xlabel="time (days)", ylabel="customers").get_xlabel()
'time (days)'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["new_axes", "label_axes"]


def new_axes(ax: Axes | None, *, figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """Return ``ax``, or the Axes of a new figure of size ``figsize`` (inches) if it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def label_axes(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Set the title and both axis labels (say the unit in each label); return ``ax``."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
