"""Child of ``run.py --instructions``: import, warm up, and (with argument 3 = 1) run one model.

Run under ``valgrind --tool=callgrind``; the difference between the counts with and without the
run is the run's instruction count (deterministic, unlike CPU time on a shared machine).
"""

import sys

sys.path.insert(0, "benchmarks")
from bare_simpy import run_bare

import sim
from sim.world.simulate import desk_agents

kind, n, do_run = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
sc = sim.Scenario.load(sys.argv[4] if len(sys.argv) > 4 else "baseline")
sim.run(sc, customers=50, days=30, seed=0)
run_bare(sc, 50, 30.0, 0, 1)
if do_run:
    if kind == "full":
        r = sim.run(sc, customers=n, days=730, seed=1)
        print("EVENTS", len(r.orders) + int(r.tickets["resolved_t"].notna().sum()))
    else:
        c = run_bare(sc, n, 730.0, 1, desk_agents(sc, n))
        print("EVENTS", c["orders"] + c["tickets"])
