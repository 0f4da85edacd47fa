"""Architecture contract of ``sim.analysis``: what it may import, and what it must keep exporting.

* ``sim.analysis`` is a library that works on any transaction log: its modules import nothing
  from ``sim`` except :mod:`sim.errors` and ``sim.analysis`` itself (checked on the source with
  :mod:`ast`, including imports inside functions and ``TYPE_CHECKING`` blocks).
* The tests of the analysis library import only ``sim``, ``sim.errors`` and ``sim.analysis``.
* Splitting modules into packages (``clv``, ``churn``, ``quality``; ``cohorts`` ->
  ``cohorts`` + ``survival``) kept every formerly public name importable from its old path.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import sim.analysis

ANALYSIS_DIR = Path(sim.analysis.__file__).resolve().parent
TESTS_DIR = Path(__file__).resolve().parent

#: ``__all__`` of every analysis module before the split (the public API that must keep working).
FORMER_PUBLIC_NAMES: dict[str, list[str]] = {
    "rfm": ["RFM_GRID", "SEGMENTS", "rfm_table", "rfm_scores", "rfm_segments", "segment_summary"],
    "tiers": ["DEFAULT_CUTS", "DEFAULT_NAMES", "value_tiers", "customer_value", "pyramid_report", "Migration",
              "migration_matrix", "plot_pyramid"],
    "clv": ["summary_data", "calibration_holdout", "BetaGeoFitter", "GammaGammaFitter", "customer_lifetime_value",
            "historical_clv", "plot_calibration_holdout"],
    "cohorts": ["CohortTable", "cohort_table", "retention_curves", "plot_cohort_heatmap", "lapse_durations",
                "KaplanMeier", "kaplan_meier"],
    "churn": ["churn_features", "churn_labels", "make_pipeline", "evaluate", "lift_table", "calibration_table",
              "targeting_profit", "profit_curve", "health_score", "plot_lift", "plot_calibration",
              "plot_profit_curve", "HEALTH_WEIGHTS"],
    "satisfaction": ["Estimate", "SCALES", "DEFAULT_BAD", "nps", "csat", "ces", "satisfaction_series",
                     "bad_review_alerts", "false_alarm_probability"],
    "abtest": ["ProportionTestResult", "MeanTestResult", "PeekingWarning", "two_proportion_test", "two_mean_test",
               "sample_size_proportions", "sample_size_means", "peeking_simulation", "peeking_guidance"],
    "roi": ["roi", "incremental_roi", "ltv_cac", "payback_period", "incremental_revenue", "campaign_roi"],
    "quality": ["QualityReport", "CleanResult", "NA_TOKENS", "LOG_COLUMNS", "quality_report", "scorecard",
                "find_duplicate_customers", "normalise_phone", "normalise_name", "normalise_phones",
                "normalise_emails", "parse_dates", "standardise_currency", "flag_outliers", "deduplicate",
                "id_mapping", "clean"],
    "privacy": ["pseudonymise", "mask_phone", "mask_email", "mask_name", "minimise", "regulation_table",
                "DIRECT_IDENTIFIERS", "DISCLAIMER"],
    "queueing": ["erlang_c", "erlang_c_wait", "service_level", "priority_waits", "agents_needed"],
}  # fmt: skip

#: Names used outside the library (sim/world/firm.py, benchmarks, notebooks) with the signature they rely on.
EXTERNAL_CALLS = {
    ("clv", "BetaGeoFitter", "fit"): ["self", "frequency", "recency", "T"],
    ("clv", "BetaGeoFitter", "p_alive"): ["self", "frequency", "recency", "T"],
    ("clv", "BetaGeoFitter", "conditional_expected_purchases"): ["self", "t", "frequency", "recency", "T"],
    ("rfm", None, "rfm_table"): ["orders", "cutoff"],
    ("rfm", None, "rfm_scores"): ["table"],
}


def _module_name(path: Path, root: Path, package: str) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [package, *rel.parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, module: str) -> list[tuple[int, str, list[str]]]:
    """Every import in ``path``: (line, absolute module imported from, names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_pkg else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target, [a.name for a in node.names]))
    return out


def _sim_import_allowed(target: str, names: list[str], allowed: tuple[str, ...]) -> bool:
    if target != "sim" and not target.startswith("sim."):
        return True  # third-party or standard library
    if target == "sim":  # "import sim" / "from sim import x"
        return bool(names) and all(f"sim.{n}" in allowed or f"sim.{n}".startswith("sim.analysis") for n in names)
    return any(target == a or target.startswith(a + ".") for a in allowed)


ANALYSIS_FILES = sorted(ANALYSIS_DIR.rglob("*.py"))


def test_the_scan_sees_the_split_packages():
    names = {_module_name(p, ANALYSIS_DIR, "sim.analysis") for p in ANALYSIS_FILES}
    assert {"sim.analysis.clv.bgnbd", "sim.analysis.churn.features", "sim.analysis.quality.report",
            "sim.analysis.survival", "sim.analysis._validate"} <= names  # fmt: skip


@pytest.mark.parametrize("path", ANALYSIS_FILES, ids=lambda p: str(p.relative_to(ANALYSIS_DIR)))
def test_analysis_imports_nothing_from_sim_but_errors_and_itself(path):
    module = _module_name(path, ANALYSIS_DIR, "sim.analysis")
    bad = [
        f"line {line}: {target} {names or ''}".strip()
        for line, target, names in _imports(path, module)
        if not _sim_import_allowed(target, names, ("sim.errors", "sim.analysis"))
    ]
    assert not bad, f"{module} imports from sim outside sim.errors / sim.analysis: {bad}"


@pytest.mark.parametrize("path", sorted(TESTS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_analysis_tests_import_only_sim_errors_and_analysis(path):
    bad = []
    for line, target, names in _imports(path, f"tests.analysis.{path.stem}"):
        if target == "sim" and not names:
            continue  # import sim (sim.run / sim.Scenario as fixtures)
        if target == "sim":
            if not all(n in ("analysis", "errors") for n in names):
                bad.append(f"line {line}: from sim import {names}")
        elif not _sim_import_allowed(target, names, ("sim.errors", "sim.analysis")):
            bad.append(f"line {line}: {target}")
    assert not bad, f"{path.name}: {bad}"


def test_the_scan_catches_a_forbidden_import(tmp_path):
    """The AST scan itself: relative, absolute and function-level imports are all resolved."""
    pkg = tmp_path / "clv"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        "from sim.errors import DataError\nfrom . import data\nfrom ..._version import v\n"
        "def f():\n    import sim.world.firm\n    from sim import run\n"
    )
    found = _imports(pkg / "bad.py", "sim.analysis.clv.bad")
    verdict = {t: _sim_import_allowed(t, n, ("sim.errors", "sim.analysis")) for _, t, n in found}
    assert verdict == {"sim.errors": True, "sim.analysis.clv": True, "sim._version": False,
                       "sim.world.firm": False, "sim": False}  # fmt: skip


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in FORMER_PUBLIC_NAMES.items() for n in names])
def test_formerly_public_name_still_importable_from_its_old_path(module, name):
    mod = importlib.import_module(f"sim.analysis.{module}")
    assert hasattr(mod, name), f"sim.analysis.{module}.{name} is gone"
    assert name in mod.__all__, f"{name} missing from sim.analysis.{module}.__all__"
    namespace: dict[str, object] = {}
    exec(f"from sim.analysis.{module} import {name}", namespace)  # the import statement users write
    assert namespace[name] is getattr(mod, name)


@pytest.mark.parametrize("module", sorted(FORMER_PUBLIC_NAMES) + ["survival"])
def test_lazy_module_list_and_all_are_consistent(module):
    assert module in sim.analysis.__all__
    mod = getattr(sim.analysis, module)  # the lazy import
    assert mod is importlib.import_module(f"sim.analysis.{module}")
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing and len(set(mod.__all__)) == len(mod.__all__)


@pytest.mark.parametrize(("module", "owner", "func"), sorted(EXTERNAL_CALLS, key=str))
def test_signatures_used_outside_the_library_are_unchanged(module, owner, func):
    import inspect

    obj = importlib.import_module(f"sim.analysis.{module}")
    if owner:
        obj = getattr(obj, owner)
    params = list(inspect.signature(getattr(obj, func)).parameters.values())
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    expected = EXTERNAL_CALLS[(module, owner, func)]
    assert positional[: len(expected)] == expected
    assert all(p.default is not p.empty for p in params if p.kind == p.POSITIONAL_OR_KEYWORD and p.name not in expected)
