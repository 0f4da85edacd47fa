"""Customer segments by k-means on standardised RFM (or any numeric) columns, k chosen by silhouette.

scikit-learn does the work: :class:`~sklearn.preprocessing.StandardScaler` puts every column on
one scale (mean 0, standard deviation 1; otherwise the column in the largest unit -- money --
decides the clusters alone), :class:`~sklearn.cluster.KMeans` (``n_init=10``,
``random_state=seed``) finds the clusters and :func:`~sklearn.metrics.silhouette_score`
(mean over customers of ``(b - a) / max(a, b)``, with ``a`` the mean distance to the own
cluster and ``b`` to the nearest other one; 1 = tight, well-separated clusters, about 0 =
overlapping) compares the candidate numbers of clusters.

Conventions
-----------
* **Columns.** Default ``("recency_days", "frequency", "monetary")``, the columns of
  :func:`sim.analysis.rfm.rfm_table`. Any finite numeric columns work.
* **Skew.** Money is right-skewed: a few big spenders would form clusters of their own.
  ``log_monetary=True`` (default) clusters on ``log(1 + x)`` of the money columns
  (``monetary``, ``monetary_value``, ``revenue``); centres are reported in original units.
* **Labels.** Segment numbers are ordered by size (0 = the largest segment; ties broken by the
  centre), so the same data and seed always give the same numbering.
* **Determinism.** Same table and ``seed`` -> same segments.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> t = pd.DataFrame({"recency_days": np.r_[rng.normal(10, 2, 30), rng.normal(200, 10, 20)],
...                   "frequency": np.r_[rng.normal(8, 1, 30), rng.normal(1, 0.2, 20)],
...                   "monetary": np.r_[rng.normal(80, 5, 30), rng.normal(20, 2, 20)]})
>>> seg = kmeans_segments(t, k_range=range(2, 5))
>>> seg.k, seg.sizes.tolist()
(2, [30, 20])
>>> seg.centers["recency_days"].round(0).tolist()
[10.0, 200.0]
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis._validate import check_number, require_columns
from sim.errors import ConfigError, DataError

__all__ = ["Segmentation", "MONEY_COLUMNS", "SILHOUETTE_SAMPLE", "kmeans_segments"]

#: Columns transformed with ``log(1 + x)`` when ``log_monetary=True``.
MONEY_COLUMNS: tuple[str, ...] = ("monetary", "monetary_value", "revenue")

#: Customers used for each silhouette score (exact below this size, a seeded sample above: the
#: score costs O(n^2) distances).
SILHOUETTE_SAMPLE = 2000


@dataclass(frozen=True)
class Segmentation:
    """Result of :func:`kmeans_segments`.

    Attributes
    ----------
    labels : pandas.Series
        Segment number per customer (name ``segment``, the input's index), 0 = largest segment.
    centers : pandas.DataFrame
        Per segment (index ``segment``): the mean of each clustering column in original units
        and ``customers`` (the segment size).
    silhouette : pandas.DataFrame
        Per candidate k (index ``k``): ``silhouette`` (mean silhouette width) and ``inertia``
        (within-cluster sum of squares on the standardised scale).
    k : int
        The number of segments used (given, or the k with the largest silhouette).
    columns : tuple of str
        The clustering columns.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [0.0, 0.1, 0.2, 5.0, 5.1, 5.2]})
    >>> s = kmeans_segments(t, columns=("x",), k=2)
    >>> s.labels.tolist(), s.sizes.tolist()
    ([0, 0, 0, 1, 1, 1], [3, 3])
    """

    labels: pd.Series
    centers: pd.DataFrame
    silhouette: pd.DataFrame
    k: int
    columns: tuple[str, ...]

    @property
    def sizes(self) -> pd.Series:
        """Customers per segment (index ``segment``)."""
        return self.centers["customers"]

    def __repr__(self) -> str:
        return f"Segmentation(k={self.k}, sizes={self.sizes.tolist()}, columns={list(self.columns)})"


def _check_k_values(k: object, k_range: Iterable[int] | None, n_points: int) -> list[int]:
    if k is not None:
        check_number(k, "k", low=2, integer=True)
        candidates = [int(k)]  # type: ignore[call-overload]
    else:
        if isinstance(k_range, str | bytes) or not isinstance(k_range, Iterable):
            raise ConfigError(f"k_range={k_range!r} is not allowed: give whole numbers >= 2, e.g. range(2, 9)")
        candidates = list(k_range)
        if not candidates or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and int(v) >= 2 for v in candidates
        ):
            raise ConfigError(
                f"k_range={str(list(candidates))[:60]} is not allowed: give whole numbers >= 2, e.g. range(2, 9)"
            )
        candidates = sorted({int(v) for v in candidates})
    if max(candidates) >= n_points:
        raise DataError(
            f"{n_points} distinct customer profile(s) cannot form {max(candidates)} segments; "
            "use a smaller k (k < number of distinct rows) or more customers",
            table="segments table",
        )
    return candidates


def kmeans_segments(
    table: pd.DataFrame,
    columns: Sequence[str] = ("recency_days", "frequency", "monetary"),
    k: int | None = None,
    k_range: Iterable[int] = range(2, 9),
    seed: int = 0,
    log_monetary: bool = True,
) -> Segmentation:
    """Segment customers with k-means on standardised columns; choose k by the silhouette.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer (index = customer id, unique), e.g. the output of
        :func:`sim.analysis.rfm.rfm_table`.
    columns : sequence of str
        Finite numeric columns to cluster on (default recency, frequency, monetary). ``"recency"``
        is read as ``"recency_days"`` when the table has only the latter (as
        :func:`~sim.analysis.rfm.rfm_table` names it).
    k : int, optional
        Number of segments. ``None`` (default): the k in ``k_range`` with the largest
        mean silhouette width.
    k_range : iterable of int
        Candidate numbers of segments (each >= 2) when ``k`` is None.
    seed : int
        ``random_state`` of KMeans (and of the silhouette sample for more than
        :data:`SILHOUETTE_SAMPLE` rows).
    log_monetary : bool
        Cluster on ``log(1 + x)`` of the money columns (:data:`MONEY_COLUMNS`, values >= 0).

    Returns
    -------
    Segmentation
        Labels, centres (means in original units), the silhouette table and the chosen k.

    Raises
    ------
    DataError
        Missing or non-numeric columns, NaN/inf, negative money under ``log_monetary``,
        duplicate ids, all columns constant, or fewer distinct rows than segments.
    ConfigError
        ``k`` or ``k_range`` not whole numbers >= 2, a non-integer ``seed``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"recency_days": [5, 6, 7, 300, 310, 320], "frequency": [9, 8, 9, 1, 1, 2],
    ...                   "monetary": [50.0, 60.0, 55.0, 10.0, 12.0, 11.0]},
    ...                  index=pd.Index([11, 12, 13, 14, 15, 16], name="customer_id"))
    >>> seg = kmeans_segments(t, k_range=range(2, 4))
    >>> seg.k, seg.labels.tolist()
    (2, [0, 0, 0, 1, 1, 1])
    >>> seg.silhouette.index.tolist()
    [2, 3]
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    if isinstance(columns, str) or not isinstance(columns, Sequence) or not columns:
        raise ConfigError(f"columns={columns!r} is not allowed: give a non-empty sequence of column names")
    cols = tuple(str(c) for c in columns)
    if isinstance(table, pd.DataFrame) and "recency" in cols and "recency" not in table.columns:
        if "recency_days" in table.columns:  # the name used in the course text; rfm_table says recency_days
            cols = tuple("recency_days" if c == "recency" else c for c in cols)
    if len(set(cols)) != len(cols):
        raise ConfigError(f"columns={list(cols)} is not allowed: name each column once")
    check_number(seed, "seed", low=0, high=2**32 - 1, integer=True)  # KMeans' random_state range
    if not isinstance(log_monetary, bool):
        raise ConfigError(f"log_monetary={log_monetary!r} is not allowed: give True or False")
    money = [c for c in cols if c in MONEY_COLUMNS] if log_monetary else []
    spec = {c: ("nonneg" if c in money else "number") for c in cols}
    df = require_columns(table, spec, table="segments table", unique_index=True)
    x = df[list(cols)].to_numpy(dtype=float)
    original = x.copy()
    for j, c in enumerate(cols):
        if c in money:
            x[:, j] = np.log1p(x[:, j])
    if np.all(np.ptp(x, axis=0) == 0):
        raise DataError(
            f"every clustering column is constant ({list(cols)}); there is nothing to segment", table="segments table"
        )
    n_distinct = len(np.unique(x, axis=0))
    candidates = _check_k_values(k, k_range, n_distinct)
    with np.errstate(over="ignore", invalid="ignore"):
        z = StandardScaler().fit_transform(x)
    if not np.isfinite(z).all():  # sums of squares of values near 1e308 overflow
        raise DataError(
            f"values too large to standardise (up to {np.abs(x).max():.3g}) in {list(cols)}; "
            "rescale them first (e.g. to thousands)",
            table="segments table",
        )
    sample = min(len(z), SILHOUETTE_SAMPLE)
    fits: dict[int, np.ndarray] = {}
    rows = []
    for kk in candidates:
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            # one thread: small data, and much faster than OpenMP threads on a busy machine;
            # warnings: ConvergenceWarning on tied points (the silhouette shows the result)
            warnings.simplefilter("ignore")
            km = KMeans(n_clusters=kk, n_init=10, random_state=int(seed)).fit(z)
        labels = km.labels_
        if len(np.unique(labels)) < 2:
            sil = float("nan")
        else:
            sil = float(
                silhouette_score(z, labels, sample_size=sample if sample < len(z) else None, random_state=int(seed))
            )
        fits[kk] = labels
        rows.append({"k": kk, "silhouette": sil, "inertia": float(km.inertia_)})
    sil_table = pd.DataFrame(rows).set_index("k")
    if k is None:
        chosen = int(sil_table["silhouette"].idxmax())
    else:
        chosen = int(k)
    raw = fits[chosen]
    # Deterministic numbering: by decreasing size, ties by the standardised centre.
    keys = []
    for lab in np.unique(raw):
        mask = raw == lab
        keys.append((-int(mask.sum()), tuple(np.round(z[mask].mean(axis=0), 12)), int(lab)))
    order = {lab: new for new, (_, _, lab) in enumerate(sorted(keys))}
    labels_new = np.array([order[int(v)] for v in raw], dtype="int64")
    labels_s = pd.Series(labels_new, index=df.index, name="segment")
    centers = pd.DataFrame(original, columns=list(cols), index=df.index).groupby(labels_new).mean()
    centers["customers"] = pd.Series(labels_new).value_counts().sort_index().to_numpy(dtype="int64")
    centers.index.name = "segment"
    return Segmentation(labels=labels_s, centers=centers, silhouette=sil_table, k=chosen, columns=cols)
