"""Historical (realised) customer value: the margin on everything each customer has bought so far.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"customer_id": [1, 1], "amount": [100.0, 50.0], "date": ["2025-01-01", "2025-02-01"]})
>>> historical_clv(orders, margin=0.2)["historical_clv"].tolist()
[30.0]
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.clv.data import _checked_orders
from sim.errors import ConfigError

__all__ = ["historical_clv"]


def historical_clv(orders: pd.DataFrame, margin: float = 1.0, *, cutoff: object = None) -> pd.DataFrame:
    """Historical (realised) customer value: margin on everything each customer has bought so far.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``date``, ``amount``. Orders after ``cutoff`` are excluded.
    margin : float
        Profit margin as a share of order value (1.0 = revenue).
    cutoff : date-like, optional
        Default: the last order date.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``first_order``, ``last_order`` (timestamps), ``n_orders``,
        ``revenue`` (currency), ``tenure_days`` (cutoff - first order) and ``historical_clv``
        (= margin x revenue, currency).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [100.0, 50.0, 80.0],
    ...                        "date": ["2025-01-01", "2025-02-01", "2025-01-15"]})
    >>> historical_clv(orders, margin=0.4, cutoff="2025-03-01")[["n_orders", "revenue", "historical_clv"]]
                 n_orders  revenue  historical_clv
    customer_id
    1                   2    150.0            60.0
    2                   1     80.0            32.0
    """
    if not float(margin) >= 0:
        raise ConfigError(f"margin={margin!r} must be >= 0")
    o, cut, after = _checked_orders(orders, cutoff)
    g = o.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "first_order": g["date"].min(),
            "last_order": g["date"].max(),
            "n_orders": g.size().astype("int64"),
            "revenue": g["amount"].sum().astype(float),
        }
    )
    out["tenure_days"] = (cut - out["first_order"]) / pd.Timedelta(days=1)
    out["historical_clv"] = float(margin) * out["revenue"]
    out.index.name = "customer_id"
    out.attrs.update(cutoff=cut, orders_after_cutoff=after)
    return out
