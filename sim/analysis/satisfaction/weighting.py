"""Non-response weighting of survey answers and a weighted NPS with a confidence interval.

Who answers a survey is not a random sample: if unhappy customers (or one channel, one tier)
answer less, the raw NPS is biased. Post-stratification re-weights the respondents so that the
mix of known characteristics (tier, channel, tenure band ...) matches the population's::

    w_i = (N_c / N) / (n_c / n)        for respondent i in cell c

(``N_c`` customers and ``n_c`` respondents in cell c). The weights average 1 over the
respondents, and the weighted cell shares equal the population shares exactly. Weighting
removes the bias due to the weighting variables only: within a cell, respondents must be like
non-respondents (missing at random given the cells). ``method="rake"`` (iterative
proportional fitting) matches each variable's margin instead of the joint cells, for when the
joint cells are too sparse.

:func:`weighted_nps` is the weighted mean of ``X = +1`` (promoter, 9-10), ``0`` (passive),
``-1`` (detractor, 0-6), with the linearised (sandwich) variance of a ratio mean::

    NPS_w = 100 sum(w x) / sum(w),    Var = sum(w^2 (x - m)^2) / (sum w)^2

which equals the unweighted multinomial variance of :func:`~sim.analysis.satisfaction.nps` when
all weights are 1. Kish's effective sample size ``(sum w)^2 / sum(w^2)`` says how much
precision the weighting costs.

Examples
--------
>>> import pandas as pd
>>> pop = pd.DataFrame({"tier": ["gold"] * 20 + ["basic"] * 80})
>>> resp = pd.DataFrame({"tier": ["gold"] * 10 + ["basic"] * 10,
...                      "score": [10] * 10 + [3] * 10})
>>> w = nonresponse_weights(resp, pop, by="tier")
>>> w.groupby(resp["tier"]).first().to_dict()
{'basic': 1.6, 'gold': 0.4}
>>> weighted_nps(resp, w).value    # 20% promoters, 80% detractors, as in the population
-60.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis._validate import check_choice, check_confidence, refuse_text, require_columns, significance_level
from sim.analysis.satisfaction.metrics import Estimate
from sim.errors import ConfigError, DataError

__all__ = ["nonresponse_weights", "weighted_nps"]

_RAKE_MAX_ITER = 1000
_RAKE_TOL = 1e-12


def _keys(by: object) -> list[str]:
    if isinstance(by, str):
        return [by]
    if isinstance(by, Sequence) and len(by) > 0 and all(isinstance(b, str) for b in by):
        return list(by)
    raise ConfigError(f"by={by!r} is not allowed: give a column name or a non-empty list of column names")


def _cells(frames: Sequence[pd.DataFrame], keys: list[str]) -> list[pd.Series]:
    """One text label per row for the cell of ``keys`` (e.g. ``"gold|email"``), for each frame.

    When a value itself contains ``"|"`` (``"a|b"`` + ``"c"`` and ``"a"`` + ``"b|c"`` would both
    read ``"a|b|c"``), the labels of all frames are tuples written out: ``"('a|b', 'c')"``.
    """
    texts = [[df[k].astype(str) for k in keys] for df in frames]
    plain = len(keys) == 1 or not any(t.str.contains("|", regex=False).any() for cols in texts for t in cols)
    out = []
    for cols in texts:
        if plain:
            label = cols[0]
            for c in cols[1:]:
                label = label + "|" + c
        else:
            label = pd.Series([repr(v) for v in zip(*cols)], index=cols[0].index, dtype=object)
        out.append(label)
    return out


def nonresponse_weights(
    respondents: pd.DataFrame,
    population: pd.DataFrame,
    by: str | Sequence[str],
    *,
    method: str = "poststratify",
) -> pd.Series:
    """Weights that make the respondents' mix of ``by`` match the population's.

    Parameters
    ----------
    respondents : pandas.DataFrame
        One row per answer (or respondent) with the ``by`` columns.
    population : pandas.DataFrame
        One row per member of the population surveyed (e.g. the customers table) with the
        same ``by`` columns.
    by : str or sequence of str
        Weighting variables (categories: tier, channel, mode, tenure band ...).
    method : {"poststratify", "rake"}
        ``"poststratify"`` (default): match the joint cells of all ``by`` variables exactly.
        ``"rake"``: iterative proportional fitting to each variable's margin (converges to
        weights whose every margin matches; the joint mix is matched only if the respondents'
        associations between variables are the population's).

    Returns
    -------
    pandas.Series
        Name ``weight``, the respondents' index, mean 1. ``attrs["cells"]`` has per cell the
        population share, respondent share and weight (post-stratification);
        ``attrs["effective_n"]`` is Kish's effective sample size.

    Raises
    ------
    DataError
        Missing columns or missing values in them; a respondent cell absent from the
        population; a population cell without respondents (it cannot be represented: use
        coarser cells or ``method="rake"``).
    ConfigError
        ``by`` not column names, an unknown ``method``.

    Examples
    --------
    >>> import pandas as pd
    >>> pop = pd.DataFrame({"mode": ["named"] * 50 + ["anonymous"] * 50})
    >>> resp = pd.DataFrame({"mode": ["named"] * 30 + ["anonymous"] * 10})
    >>> w = nonresponse_weights(resp, pop, "mode")
    >>> w.iloc[[0, -1]].tolist(), float(w.mean())
    ([0.6666666666666666, 2.0], 1.0)
    """
    keys = _keys(by)
    check_choice(method, "method", ("poststratify", "rake"))
    spec = dict.fromkeys(keys, "category")
    resp = require_columns(respondents, spec, table="respondents")
    pop = require_columns(population, spec, table="population")
    n = len(resp)
    if method == "poststratify":
        rc, pc = _cells([resp, pop], keys)
        pop_share = pc.value_counts(normalize=True)
        resp_share = rc.value_counts(normalize=True)
        unknown = ~rc.isin(pop_share.index)
        if unknown.any():
            raise DataError(
                f"respondent cell(s) {sorted(set(rc[unknown]))[:4]} do not occur in the population ({keys})",
                table="respondents",
                column=keys[0] if len(keys) == 1 else None,
                rows=resp.index[unknown.to_numpy()],
            )
        empty = [c for c in pop_share.index if c not in resp_share.index]
        if empty:
            raise DataError(
                f"population cell(s) {sorted(empty)[:4]} have no respondent and cannot be represented; "
                f"use coarser cells (fewer 'by' variables) or method='rake'",
                table="population",
                column=keys[0] if len(keys) == 1 else None,
            )
        ratio = pop_share / resp_share.reindex(pop_share.index)
        w = rc.map(ratio).to_numpy(dtype=float)
        cells = pd.DataFrame({"population_share": pop_share, "respondent_share": resp_share, "weight": ratio})
        cells.index.name = "|".join(keys)
        cells = cells.sort_index()
    else:
        w = np.ones(n)
        margins = []
        for k in keys:
            rv, pv = resp[k].astype(str), pop[k].astype(str)
            target = pv.value_counts(normalize=True)
            unknown = ~rv.isin(target.index)
            if unknown.any():
                raise DataError(
                    f"respondent value(s) {sorted(set(rv[unknown]))[:4]} do not occur in the population",
                    table="respondents",
                    column=k,
                    rows=resp.index[unknown.to_numpy()],
                )
            empty = sorted(set(target.index) - set(rv))
            if empty:
                raise DataError(
                    f"population value(s) {empty[:4]} have no respondent and cannot be represented",
                    table="population",
                    column=k,
                )
            margins.append((rv.to_numpy(), target))
        worst = float("inf")
        for _ in range(_RAKE_MAX_ITER):
            worst = 0.0
            for values, target in margins:
                current = pd.Series(w).groupby(values).sum() / w.sum()
                factor = (target / current).reindex(values).to_numpy(dtype=float)
                worst = max(worst, float(np.max(np.abs(factor - 1))))
                w = w * factor
            if worst < _RAKE_TOL:
                break
        if not worst < _RAKE_TOL:
            raise DataError(
                f"raking did not converge in {_RAKE_MAX_ITER} rounds (margins still off by a factor "
                f"{worst:.2g}): the respondents' combinations of {keys} cannot match every population margin "
                "with positive weights; use fewer 'by' variables or coarser categories",
                table="respondents",
            )
        w = w * n / w.sum()
        cells = pd.DataFrame()
    out = pd.Series(w * n / w.sum(), index=resp.index, name="weight")
    out.attrs["cells"] = cells
    out.attrs["effective_n"] = float(out.sum() ** 2 / (out**2).sum())
    out.attrs["by"] = keys
    out.attrs["method"] = method
    return out


def weighted_nps(
    surveys: pd.DataFrame | pd.Series,
    weights: pd.Series | Sequence[float],
    *,
    confidence: float = 0.95,
) -> Estimate:
    """Weighted Net Promoter Score with a linearised-variance (Wald) confidence interval.

    Parameters
    ----------
    surveys : pandas.DataFrame or pandas.Series
        NPS answers (0-10): a Series of scores, or a frame with ``score`` (and, if present,
        ``instrument``: only ``"nps"`` rows are used).
    weights : pandas.Series or sequence of float
        Non-negative finite weights, aligned by index with ``surveys`` (a Series) or by
        position (a list of the same length), e.g. from :func:`nonresponse_weights`.
    confidence : float
        Confidence level of the interval, strictly between 0 and 1.

    Returns
    -------
    Estimate
        ``value`` in points, ``ci_low``, ``ci_high`` (normal, clipped to [-100, 100]), ``n``
        (answers), weighted ``shares``; ``method`` names Kish's effective sample size.

    Raises
    ------
    DataError
        Scores not integers 0..10, weights missing for an answer, negative or non-finite
        weights, all weights 0.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10, 9, 3, 7])
    >>> weighted_nps(s, [1, 1, 1, 1]).value
    25.0
    >>> weighted_nps(s, [1, 1, 2, 0]).value
    0.0
    """
    alpha = significance_level(check_confidence(confidence))
    if isinstance(surveys, pd.Series):
        df = surveys.to_frame("score")
    elif isinstance(surveys, pd.DataFrame):
        df = surveys
    else:
        raise DataError(
            f"expected a pandas DataFrame or Series of NPS answers, got {type(surveys).__name__}", table="surveys"
        )
    if "instrument" in df.columns:
        df = require_columns(df, {"instrument": "category"}, table="surveys")
        df = df.loc[df["instrument"].astype(str) == "nps"]
    refuse_text(df["score"] if "score" in df.columns else pd.Series(dtype=float), table="surveys", column="score")
    df = require_columns(df, {"score": "number"}, table="surveys")
    v = df["score"].to_numpy(dtype=float)
    bad = (v < 0) | (v > 10) | (v != np.round(v))
    if bad.any():
        raise DataError(
            f"NPS scores must be integers 0..10; found {v[bad][:3].tolist()}", table="surveys", column="score",
            rows=df.index[bad],
        )  # fmt: skip
    if isinstance(weights, str | bytes | pd.DataFrame) or not isinstance(weights, pd.Series | Sequence | np.ndarray):
        raise DataError(
            f"expected one weight per answer (a pandas Series aligned by index, or a list), got "
            f"{type(weights).__name__}",
            table="weights",
        )
    if isinstance(weights, pd.Series):
        if surveys.index.has_duplicates:
            raise DataError(
                "duplicate index labels in the answers, so weights cannot be aligned by index; "
                "reset the index of both (or pass the weights as a list, by position)",
                table="surveys",
                rows=surveys.index[surveys.index.duplicated()],
            )
        missing = df.index.difference(weights.index)
        if len(missing):
            raise DataError(
                f"{len(missing)} answer(s) have no weight; index the weights like the answers",
                table="weights",
                rows=missing,
            )
        if weights.index.has_duplicates:
            raise DataError("duplicate index labels in the weights", table="weights",
                            rows=weights.index[weights.index.duplicated()])  # fmt: skip
        ws = weights.loc[df.index]
    else:
        if np.ndim(weights) != 1:
            raise DataError(f"expected a flat list of weights, got shape {np.shape(weights)}", table="weights")
        ws = pd.Series(list(weights), dtype=object)
        if len(ws) != len(surveys):
            raise DataError(
                f"{len(ws)} weight(s) for {len(surveys)} answer(s); give one weight per answer", table="weights"
            )
        if "instrument" in getattr(surveys, "columns", ()):  # keep the weights of the nps rows, by position
            ws = ws.loc[(surveys["instrument"].astype(str) == "nps").to_numpy()]
        ws.index = df.index
    refuse_text(ws, table="weights", column="weight")
    w = require_columns(ws.to_frame("weight"), {"weight": "nonneg"}, table="weights")["weight"].to_numpy(dtype=float)
    if len(w) == 0:
        raise DataError("no NPS answer", table="surveys", column="score")
    if not (w > 0).any():
        raise DataError("all weights are 0; at least one answer needs a positive weight", table="weights")
    w = w / w.max()  # the estimate is scale-free; this keeps sums of huge or tiny weights finite
    total = w.sum()
    x = np.where(v >= 9, 1.0, np.where(v <= 6, -1.0, 0.0))
    m = float((w * x).sum() / total)
    se = float(np.sqrt((w**2 * (x - m) ** 2).sum()) / total)
    z = float(stats.norm.ppf(1 - alpha / 2))
    n_eff = float(total**2 / (w**2).sum())
    p = float(w[x > 0].sum() / total)
    d = float(w[x < 0].sum() / total)
    return Estimate(
        metric="nps",
        value=100 * m,
        ci_low=max(100 * (m - z * se), -100.0),
        ci_high=min(100 * (m + z * se), 100.0),
        n=len(v),
        confidence=float(confidence),
        method=f"weighted Wald, linearised variance (Kish effective n = {n_eff:.1f})",
        shares={"promoters": p, "passives": 1 - p - d, "detractors": d},
    )
