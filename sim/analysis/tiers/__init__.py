"""Value tiers: the customer pyramid (gold / silver / bronze) and tier migration.

Modules: ``pyramid`` (cuts, tiers, the pyramid report and plot) and ``migration`` (tier-to-tier
movements between two dates).

pandas does the work (``groupby``, ``cumsum``, :func:`pandas.crosstab`), numpy's
``searchsorted`` places customers between the cut points, matplotlib draws the pyramid.
The tier rule itself is written here (a few lines) because no maintained library assigns
tiers by cumulative revenue share with a documented tie rule.

Two ways to cut (``method``):

* ``"share"`` — by **cumulative revenue share**: customers are sorted by spend, largest
  first; a customer belongs to the first tier whose cut is above the revenue share of all
  customers ranked before them. With the default cuts ``(0.5, 0.8)``, *gold* is the smallest
  set of top customers that together make up at least 50% of revenue, *silver* takes the next
  30% of revenue and *bronze* the remaining 20% (the customer pyramid of seed 000, p7).
* ``"quantile"`` — by **share of customers**: default cuts ``(0.2, 0.5)`` give the top 20%,
  the next 30% and the rest (syllabus S2). The top tier holds ``ceil(0.2 * n)`` customers.

Ties in spend are broken by customer id (smaller id ranks higher), so the result does not
depend on row order. The default cut values are assumptions, not figures from the seeds.

Examples
--------
>>> import pandas as pd
>>> from sim.analysis import tiers
>>> spend = pd.Series([500.0, 300.0, 100.0, 50.0, 50.0],
...                   index=pd.Index([1, 2, 3, 4, 5], name="customer_id"))
>>> tiers.value_tiers(spend).tolist()
['gold', 'silver', 'bronze', 'bronze', 'bronze']

Customer 1 alone brings 50% of the revenue (500 of 1000), so gold is just customer 1;
customer 2 brings the share from 50% to 80%: silver.
"""

from sim.analysis.tiers.migration import Migration, migration_matrix
from sim.analysis.tiers.pyramid import (
    DEFAULT_CUTS,
    DEFAULT_NAMES,
    customer_value,
    plot_pyramid,
    pyramid_report,
    value_tiers,
)

__all__ = [
    "DEFAULT_CUTS",
    "DEFAULT_NAMES",
    "value_tiers",
    "customer_value",
    "pyramid_report",
    "Migration",
    "migration_matrix",
    "plot_pyramid",
]
