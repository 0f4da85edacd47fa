"""Shared fixtures: small simulated worlds, cached per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import sim


@pytest.fixture(scope="session")
def baseline_small() -> sim.Result:
    """The baseline retailer, 3 000 customers over two years (about a tenth of a second)."""
    return sim.run("baseline", customers=3000, days=730, seed=11)


@pytest.fixture(scope="session")
def btyd_large() -> sim.Result:
    """Pure BG/NBD + Gamma-Gamma: 20 000 customers acquired at day 0, two years."""
    return sim.run("btyd_only", customers=20000, days=730, seed=5)
