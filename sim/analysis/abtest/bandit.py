"""Bandits against a fixed A/B split: regret measured against the known truth (PA2).

Regret of one contact = the conversion probability of the best variant for that customer
at that moment minus the probability of the variant actually sent. An A/B test with a fixed
split keeps sending the losing arms until it ends; Thompson sampling shifts traffic to the
arm that looks best, so its cumulative regret grows more slowly. Only a simulator knows the
per-contact truth: the contacts table carries it as ``true_best_convert_prob`` and
``true_convert_prob``.

- :func:`regret` turns a contacts table into per-contact and cumulative regret (per group).
- :func:`thompson_simulation` is a pure-numpy bandit for teaching: Thompson sampling
  (Beta(1 + successes, 1 + failures) per arm, send the argmax of one draw each) against a
  fixed equal split, on the same per-step uniforms (common random numbers), so the two
  policies see the same customers.

Examples
--------
>>> sim_ = thompson_simulation([0.05, 0.07], n=4000, seed=1)
>>> bool(sim_["thompson_regret"].iloc[-1] < sim_["split_regret"].iloc[-1])
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis._validate import check_number, require_columns
from sim.errors import ConfigError, DataError

__all__ = ["regret", "thompson_simulation", "MAX_STEPS", "MAX_ARMS"]

#: Largest ``n`` of :func:`thompson_simulation`.
MAX_STEPS = 1_000_000
#: Largest number of arms of :func:`thompson_simulation`.
MAX_ARMS = 100
#: Tolerance for ``true_best_convert_prob >= true_convert_prob`` (float rounding).
_TOL = 1e-9


def regret(contacts: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Per-contact and cumulative regret against the truth, in time order.

    Parameters
    ----------
    contacts : pandas.DataFrame
        Needs ``t`` (days), ``true_best_convert_prob`` and ``true_convert_prob``
        (probabilities; the best must not be below the chosen one), plus the column ``by``.
    by : str, optional
        A column to accumulate within (e.g. ``"trigger"`` or ``"campaign"``); default: one
        running total over all rows.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``t`` (stable, so ties keep their order), index as in ``contacts``; columns
        ``t``, (``by``), ``regret`` (best - chosen, >= 0), ``cumulative_regret`` (running sum,
        within ``by``) and ``n`` (contacts so far, within ``by``).

    Raises
    ------
    sim.errors.DataError
        Missing columns, non-numbers, probabilities outside [0, 1], or a chosen probability
        above the best (names the rows).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"t": [2.0, 1.0, 3.0],
    ...                   "true_best_convert_prob": [0.10, 0.10, 0.08],
    ...                   "true_convert_prob": [0.06, 0.10, 0.05]})
    >>> regret(c)[["regret", "cumulative_regret"]].round(2).values.tolist()
    [[0.0, 0.0], [0.04, 0.04], [0.03, 0.07]]
    """
    spec = {"t": "number", "true_best_convert_prob": "probability", "true_convert_prob": "probability"}
    if by is not None:
        if not isinstance(by, str):
            raise ConfigError(f"by={by!r} is not allowed: give a column name (str) or None")
        if by in spec:
            raise ConfigError(f"by={by!r} is not allowed: group by a label column such as 'trigger'")
        spec[by] = "category"
    df = require_columns(contacts, spec, table="contacts", allow_empty=True)
    r = df["true_best_convert_prob"] - df["true_convert_prob"]
    bad = df.index[r < -_TOL]
    if len(bad):
        raise DataError(
            "true_convert_prob exceeds true_best_convert_prob; the best variant's probability cannot be "
            "below the one sent",
            table="contacts",
            column="true_convert_prob",
            rows=bad,
        )
    out = pd.DataFrame({"t": df["t"].astype(float)}, index=df.index)
    if by is not None:
        out[by] = df[by]
    out["regret"] = r.clip(lower=0.0).astype(float)
    order = np.argsort(out["t"].to_numpy(), kind="stable")
    out = out.iloc[order]
    if by is None:
        out["cumulative_regret"] = out["regret"].cumsum()
        out["n"] = np.arange(1, len(out) + 1, dtype=np.int64)
    else:
        g = out.groupby(by, sort=False, observed=True)
        out["cumulative_regret"] = g["regret"].cumsum()
        out["n"] = (g.cumcount() + 1).astype(np.int64)
    return out


def thompson_simulation(
    true_rates: Sequence[float],
    n: int,
    seed: int = 0,
    *,
    burn_in: int = 0,
) -> pd.DataFrame:
    """Thompson sampling against a fixed equal split on the same simulated customers.

    At step ``k`` one customer arrives with a uniform ``u_k``; an arm ``a`` converts them when
    ``u_k < true_rates[a]`` (common random numbers: both policies face the same ``u_k``).

    - **split**: arms in turn (0, 1, ..., 0, 1, ...), the fixed A/B(/n) test.
    - **thompson**: after ``burn_in`` steps of the same rotation, draw one value from
      Beta(1 + successes, 1 + failures) for each arm and send the largest.

    Regret is *expected* regret, ``max(true_rates) - true_rates[arm]``, which does not depend on
    the luck of ``u_k``.

    Parameters
    ----------
    true_rates : sequence of float
        True conversion rate of each arm (2 to 100 arms, each in [0, 1]).
    n : int
        Number of customers (1 to 1,000,000).
    seed : int
        Seed of the numpy generator (non-negative).
    burn_in : int
        Steps of equal rotation before Thompson sampling starts (0 to ``n``).

    Returns
    -------
    pandas.DataFrame
        Index ``step`` (1..n); columns ``thompson_arm``, ``thompson_reward`` (bool),
        ``thompson_regret`` (cumulative), ``split_arm``, ``split_reward``, ``split_regret``.

    Raises
    ------
    sim.errors.ConfigError
        Fewer than two arms, a rate outside [0, 1] or not a number, or ``n``/``seed``/
        ``burn_in`` out of range.

    Examples
    --------
    >>> s = thompson_simulation([0.1, 0.1, 0.3], n=3000, seed=0)
    >>> float(s["split_regret"].iloc[-1].round(1))   # (0.2 + 0.2 + 0) / 3 per customer
    400.0
    >>> bool((s["thompson_arm"].iloc[-1000:] == 2).mean() > 0.9)
    True
    """
    if isinstance(true_rates, (str, bytes)) or not isinstance(true_rates, (Sequence, np.ndarray, pd.Series)):
        raise ConfigError(f"true_rates={true_rates!r:.60} is not allowed: give a list of probabilities, one per arm")
    rates = list(true_rates)
    if not 2 <= len(rates) <= MAX_ARMS:
        raise ConfigError(f"true_rates has {len(rates)} arm(s); give 2 to {MAX_ARMS} arms")
    for i, r in enumerate(rates):
        check_number(r, f"true_rates[{i}]", low=0, high=1)
    check_number(n, "n", low=1, high=MAX_STEPS, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    check_number(burn_in, "burn_in", low=0, high=n, integer=True)
    p = np.asarray(rates, dtype=float)
    k = len(p)
    n = int(n)
    rng = np.random.default_rng(int(seed))
    u = rng.random(n)
    split_arm = np.arange(n) % k
    split_reward = u < p[split_arm]
    ts_arm = np.empty(n, dtype=np.int64)
    ts_reward = np.empty(n, dtype=bool)
    succ = np.zeros(k)
    fail = np.zeros(k)
    for step in range(n):
        if step < burn_in:
            a = step % k
        else:
            a = int(np.argmax(rng.beta(1.0 + succ, 1.0 + fail)))
        won = bool(u[step] < p[a])
        ts_arm[step] = a
        ts_reward[step] = won
        if won:
            succ[a] += 1
        else:
            fail[a] += 1
    best = p.max()
    return pd.DataFrame(
        {
            "thompson_arm": ts_arm,
            "thompson_reward": ts_reward,
            "thompson_regret": np.cumsum(best - p[ts_arm]),
            "split_arm": split_arm.astype(np.int64),
            "split_reward": split_reward,
            "split_regret": np.cumsum(best - p[split_arm]),
        },
        index=pd.RangeIndex(1, n + 1, name="step"),
    )
