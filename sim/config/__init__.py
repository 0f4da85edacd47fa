"""Configuration: the world (:class:`Scenario`) and what the firm does (:class:`Policy`).

Both are validated pydantic models loaded from YAML presets (``presets/``) or files; every
error names the field, the value and what is allowed.
"""

from sim.config.policy import Policy, list_policies
from sim.config.scenario import Scenario, list_presets

__all__ = ["Scenario", "Policy", "list_presets", "list_policies"]
