"""``sim.run``, ``compare`` and ``sweep`` check their arguments alike: wrong Python types and
out-of-range values give a ConfigError naming the argument; numpy integers are welcome."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.config.limits import MAX_CUSTOMERS, MAX_DAYS
from sim.errors import ConfigError
from sim.experiments import _args


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"policy": dict}, "policy="),
        ({"policy": 3}, "policy="),
        ({"scenario": None}, "scenario=None"),
        ({"scenario": {"desk": {"agents": 2}}}, "scenario="),
        ({"customers": "100"}, "customers='100'"),
        ({"customers": 50.0}, "customers=50.0"),
        ({"customers": True}, "customers=True"),
        ({"customers": 0}, "customers=0"),
        ({"customers": MAX_CUSTOMERS + 1}, "customers=10000001"),
        ({"customers": 10**5000}, "customers=<an integer of 5001 digits>"),
        ({"days": math.nan}, "days=nan"),
        ({"days": math.inf}, "days=inf"),
        ({"days": MAX_DAYS + 1}, "days=3651"),
        ({"days": "30"}, "days='30'"),
        ({"days": 10**400}, "days=<an integer of 401 digits>"),
        ({"seed": -1}, "seed=-1"),
        ({"seed": 2**64}, "seed=18446744073709551616"),
        ({"seed": np.bool_(True)}, "not a bool"),
        ({"seed": 1.5}, "seed=1.5"),
        ({"progress": "yes"}, "progress='yes'"),
    ],
)
def test_run_refuses_bad_arguments_naming_them(kwargs, named):
    with pytest.raises(ConfigError) as exc:
        sim.run(**{"customers": 20, "days": 10, **kwargs})
    msg = str(exc.value)
    assert named in msg and "allowed" in msg and len(msg) < 200, msg


@pytest.mark.timeout(60)
def test_numpy_numbers_are_accepted_and_give_the_same_run():
    a = sim.run("baseline", customers=np.int64(60), days=np.float32(40), seed=np.uint32(5))
    b = sim.run("baseline", customers=60, days=40, seed=5)
    assert a.orders.equals(b.orders) and a.customers.equals(b.customers)
    assert type(a.seed) is int


def test_experiments_share_the_run_limits():
    """The same values are refused by compare/sweep's checks as by sim.run."""
    for customers in (0, MAX_CUSTOMERS + 1, "5", True):
        with pytest.raises(ConfigError, match="customers="):
            _args.check_size(customers, None)
    for days in (0, math.nan, MAX_DAYS * 2):
        with pytest.raises(ConfigError, match="days="):
            _args.check_size(None, days)
    _args.check_size(np.int32(MAX_CUSTOMERS), np.float64(MAX_DAYS))  # the edges are allowed
    with pytest.raises(ConfigError, match="seed="):
        _args.replication_seeds(2**64, 3)
    with pytest.raises(ConfigError, match="replications="):
        _args.replication_seeds(1, True)
    assert _args.replication_seeds(np.int64(1), np.int16(3)) == _args.replication_seeds(1, 3)
    with pytest.raises(ConfigError, match="policies\\['x'\\]=.*Scenario, Policy"):
        _args.as_policy(dict, "policies['x']")
    with pytest.raises(ConfigError, match="kpis="):
        _args.check_kpis(42)  # type: ignore[arg-type]


@pytest.mark.timeout(120)
def test_compare_refuses_the_same_bad_values_as_run():
    for kwargs in ({"customers": 10**9}, {"days": math.inf}, {"seed": -1}, {"replications": 0}):
        with pytest.raises(ConfigError):
            sim.compare("baseline", ["do_nothing"], progress=False, **{"customers": 20, "days": 10, **kwargs})
    with pytest.raises(ConfigError, match="scenario=None"):
        sim.compare(None, ["do_nothing"], progress=False)


def test_updated_and_from_dict_refuse_non_mappings():
    with pytest.raises(ConfigError, match="changes="):
        sim.Scenario.load("baseline").updated(["desk.agents", 2])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="expected a mapping"):
        sim.Policy.from_dict("vip_care")  # type: ignore[arg-type]
