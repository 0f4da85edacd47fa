"""The points ledger: totals, per-period summary, the points liability and breakage (see :mod:`sim.analysis.loyalty`).

Examples
--------
>>> import pandas as pd
>>> led = pd.DataFrame({"customer_id": [1, 1], "t": [0.0, 5.0], "kind": ["earn", "redeem"], "points": [100.0, -40.0]})
>>> ledger_totals(led)["outstanding"]
60.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis._dates import to_timestamp
from sim.analysis._validate import check_choice, check_confidence, check_number, require_columns
from sim.errors import DataError

#: The kinds of ledger rows.
LEDGER_KINDS = ("earn", "redeem", "expire", "check_in", "ranking")
#: The kinds that credit points (``points`` >= 0); ``redeem`` and ``expire`` debit them.
CREDIT_KINDS = ("earn", "check_in", "ranking")
_FREQS = ("D", "W", "M", "Q", "Y")


# --------------------------------------------------------------------------- the ledger


def _ledger(points: pd.DataFrame, at: object = None, *, need: str | None = None) -> pd.DataFrame:
    """Checked copy of the ledger, cut at ``at`` (a day number for ``t``, a date for ``date``)."""
    table = "points"
    if not isinstance(points, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(points).__name__}", table=table)
    spec = {"customer_id": "id", "kind": "category", "points": "number"}
    time = need
    if time is None and at is not None:
        time = "t" if isinstance(at, int | float | np.integer | np.floating) and not isinstance(at, bool) else "date"
    if time is not None:
        spec[time] = "datetime" if time == "date" else "number"
    df = require_columns(points, spec, table=table, allow_empty=True)
    df["points"] = df["points"].astype(float)
    bad = ~df["kind"].isin(LEDGER_KINDS)
    if bad.any():
        raise DataError(
            f"unknown kind {df.loc[bad, 'kind'].iloc[0]!r}; allowed: {list(LEDGER_KINDS)}",
            table=table,
            column="kind",
            rows=df.index[bad],
        )
    credit = df["kind"].isin(CREDIT_KINDS)
    wrong = (credit & (df["points"] < 0)) | (~credit & (df["points"] > 0))
    if wrong.any():
        raise DataError(
            "wrong sign: earn / check_in / ranking rows credit points (>= 0), redeem / expire rows debit them "
            f"(<= 0); e.g. kind {df.loc[wrong, 'kind'].iloc[0]!r} with points {df.loc[wrong, 'points'].iloc[0]:g}",
            table=table,
            column="points",
            rows=df.index[wrong],
        )
    if at is not None:
        if time == "t":
            cut = check_number(at, "at")
            df = df[df["t"] <= cut]
        else:
            df = df[df["date"] <= to_timestamp(at, name="at")]
    _check_sizes(df, table)
    return df


#: Largest size of one ledger movement (points): bigger numbers are data errors, and sums of them overflow.
MAX_POINTS = 1e15


def _check_sizes(df: pd.DataFrame, table: str) -> None:
    """Refuse absurd movements (sums of them would overflow to inf)."""
    big = df["points"].abs() > MAX_POINTS
    if big.any():
        raise DataError(
            f"points {df.loc[big, 'points'].iloc[0]:g} is out of range; allowed: -{MAX_POINTS:g} to {MAX_POINTS:g}",
            table=table,
            column="points",
            rows=df.index[big],
        )


def _totals(df: pd.DataFrame) -> dict[str, float]:
    credit = df["kind"].isin(CREDIT_KINDS)
    issued = float(df.loc[credit, "points"].sum())
    redeemed = -float(df.loc[df["kind"] == "redeem", "points"].sum())
    expired = -float(df.loc[df["kind"] == "expire", "points"].sum())
    return {
        "issued": issued + 0.0,
        "redeemed": redeemed + 0.0,
        "expired": expired + 0.0,
        "outstanding": issued - redeemed - expired + 0.0,
    }


def ledger_totals(points: pd.DataFrame, *, at: object = None) -> dict[str, float]:
    """Points issued, redeemed, expired (positive numbers) and outstanding, up to ``at``.

    Parameters
    ----------
    points : pandas.DataFrame
        The ledger (``customer_id``, ``kind``, ``points``; ``t`` or ``date`` when ``at`` is given).
    at : float or date, optional
        Count rows with ``t <= at`` (a number) or ``date <= at`` (a date); None = every row.

    Examples
    --------
    >>> led = pd.DataFrame({"customer_id": [1, 1], "t": [1.0, 2.0], "kind": ["earn", "expire"],
    ...                     "points": [100.0, -40.0]})
    >>> ledger_totals(led, at=1.5)
    {'issued': 100.0, 'redeemed': 0.0, 'expired': 0.0, 'outstanding': 100.0}
    """
    return _totals(_ledger(points, at))


def ledger_summary(points: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Points issued, redeemed, expired, net and outstanding (at the period's end) per calendar period.

    Parameters
    ----------
    points : pandas.DataFrame
        The ledger with a ``date`` column.
    freq : {"D", "W", "M", "Q", "Y"}
        Period length; every period from the first to the last row is listed (0 when quiet).

    Returns
    -------
    pandas.DataFrame
        Index ``period`` (a PeriodIndex); columns ``issued``, ``redeemed``, ``expired`` (points,
        positive), ``net`` (issued - redeemed - expired) and ``outstanding`` (the running total of
        ``net``: points on balances at the period's end).

    Examples
    --------
    >>> led = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2025-01-05", "2025-03-01",
    ...     "2025-03-09"]), "kind": ["earn", "redeem", "earn"], "points": [500.0, -200.0, 50.0]})
    >>> ledger_summary(led)[["issued", "redeemed", "outstanding"]]
             issued  redeemed  outstanding
    period
    2025-01   500.0       0.0        500.0
    2025-02     0.0       0.0        500.0
    2025-03    50.0     200.0        350.0
    """
    freq = check_choice(freq, "freq", _FREQS)
    df = _ledger(points, need="date")
    cols = ["issued", "redeemed", "expired", "net", "outstanding"]
    if df.empty:
        return pd.DataFrame(columns=cols, index=pd.PeriodIndex([], freq=freq, name="period"), dtype=float)
    period = df["date"].dt.to_period(freq)
    signed = df["points"].astype(float)
    parts = pd.DataFrame(
        {
            "issued": signed.where(df["kind"].isin(CREDIT_KINDS), 0.0),
            "redeemed": -signed.where(df["kind"] == "redeem", 0.0),
            "expired": -signed.where(df["kind"] == "expire", 0.0),
        }
    )
    out = parts.groupby(period).sum()
    full = pd.period_range(out.index.min(), out.index.max(), freq=freq, name="period")
    out = out.reindex(full, fill_value=0.0) + 0.0
    out["net"] = out["issued"] - out["redeemed"] - out["expired"]
    out["outstanding"] = out["net"].cumsum()
    return out[cols]


# --------------------------------------------------------------------------- liability and breakage


@dataclass(frozen=True)
class Liability:
    """The finance view of outstanding points (see :func:`points_liability`).

    ``redemption_share`` and its interval ``share_ci`` (estimated from matured points, or the
    given ``redemption_rate`` with a zero-width interval); ``liability`` (currency) and
    ``liability_ci``; ``estimated`` says which.
    """

    outstanding_points: float
    point_value: float
    redemption_share: float
    share_ci: tuple[float, float]
    liability: float
    liability_ci: tuple[float, float]
    matured_points: float
    customers: int
    estimated: bool
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: ``value``, ``ci_low``, ``ci_high``."""
        return pd.DataFrame(
            {
                "value": [self.outstanding_points, self.redemption_share, self.liability],
                "ci_low": [self.outstanding_points, self.share_ci[0], self.liability_ci[0]],
                "ci_high": [self.outstanding_points, self.share_ci[1], self.liability_ci[1]],
            },
            index=pd.Index(
                ["outstanding points", "expected redemption share", "liability (currency)"], name="quantity"
            ),
        )


def _share(df: pd.DataFrame, confidence: float) -> tuple[float, tuple[float, float], float, int]:
    """Redeemed / (redeemed + expired) with a customer-clustered delta-method interval."""
    per = df[df["kind"].isin(("redeem", "expire"))]
    if per.empty:
        raise DataError(
            "no points have been redeemed or expired yet, so the redemption share cannot be estimated from "
            "the ledger; give redemption_rate= (e.g. the programme's planned rate)",
            table="points",
            column="kind",
        )
    g = (-per["points"]).groupby([per["customer_id"], per["kind"]]).sum().unstack("kind", fill_value=0.0)
    r = g.get("redeem", pd.Series(0.0, index=g.index)).to_numpy(dtype=float)
    m = r + g.get("expire", pd.Series(0.0, index=g.index)).to_numpy(dtype=float)
    keep = m > 0
    r, m = r[keep], m[keep]
    n = len(m)
    if n == 0:  # every debit row holds 0 points
        raise DataError("redeem / expire rows hold no points; give redemption_rate=", table="points", column="points")
    share = float(r.sum() / m.sum())
    if n < 2:
        return share, (0.0, 1.0), float(m.sum()), n
    resid = r - share * m
    se = math.sqrt(n / (n - 1) * float((resid**2).sum())) / float(m.sum())
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return share, (max(0.0, share - z * se), min(1.0, share + z * se)), float(m.sum()), n


def points_liability(
    points: pd.DataFrame,
    point_value: float,
    *,
    at: object = None,
    redemption_rate: float | None = None,
    confidence: float = 0.95,
) -> Liability:
    """Outstanding points x point value x expected redemption share, with a confidence interval.

    Parameters
    ----------
    points : pandas.DataFrame
        The ledger.
    point_value : float
        Currency per point (``Policy.loyalty.point_value``).
    at : float or date, optional
        Value the ledger as of ``t <= at`` (a number) or ``date <= at``; None = every row.
    redemption_rate : float, optional
        The expected share of outstanding points that will be redeemed. None = estimate it from the
        points that have matured by ``at``: redeemed / (redeemed + expired), with an interval that
        treats the customer as the unit (delta method for a ratio of customer totals).
    confidence : float
        Coverage of the interval.

    Returns
    -------
    Liability

    Examples
    --------
    >>> led = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3], "kind": ["earn", "redeem", "earn", "expire", "earn"],
    ...                     "points": [800.0, -600.0, 400.0, -400.0, 1000.0]})
    >>> r = points_liability(led, point_value=0.01)
    >>> r.outstanding_points, r.redemption_share, r.liability
    (1200.0, 0.6, 7.2)
    >>> points_liability(led, 0.01, redemption_rate=0.5).liability
    6.0
    """
    value = check_number(point_value, "point_value", low=0.0)
    confidence = check_confidence(confidence)
    df = _ledger(points, at)
    totals = _totals(df)
    outstanding = totals["outstanding"]
    if redemption_rate is not None:
        share = check_number(redemption_rate, "redemption_rate", low=0.0, high=1.0)
        ci = (share, share)
        matured, n, estimated = totals["redeemed"] + totals["expired"], int(df["customer_id"].nunique()), False
    else:
        share, ci, matured, n = _share(df, confidence)
        estimated = True
    scale = outstanding * value
    return Liability(
        outstanding_points=outstanding,
        point_value=value,
        redemption_share=share,
        share_ci=ci,
        liability=scale * share,
        liability_ci=(scale * ci[0], scale * ci[1]),
        matured_points=matured,
        customers=n,
        estimated=estimated,
        confidence=confidence,
    )


def breakage_rate(points: pd.DataFrame, *, at: object = None, redemption_rate: float | None = None) -> float:
    """Share of issued points expected never to be redeemed: (expired + outstanding x (1 - share)) / issued.

    ``share`` is ``redemption_rate`` when given, else estimated from matured points as in
    :func:`points_liability`. NaN when no point was issued.

    Examples
    --------
    >>> led = pd.DataFrame({"customer_id": [1, 1, 2, 2], "kind": ["earn", "redeem", "earn", "expire"],
    ...                     "points": [1000.0, -300.0, 500.0, -100.0]})
    >>> breakage_rate(led)   # share 0.75: (100 + 1100 x 0.25) / 1500
    0.25
    """
    df = _ledger(points, at)
    totals = _totals(df)
    if totals["issued"] <= 0:
        return math.nan
    if redemption_rate is not None:
        share = check_number(redemption_rate, "redemption_rate", low=0.0, high=1.0)
    else:
        share = _share(df, 0.95)[0]
    return (totals["expired"] + totals["outstanding"] * (1.0 - share)) / totals["issued"]
