"""The vocabulary of the data dictionary: categorical levels, the latent prefix, and the column/KPI records.

Examples
--------
>>> from sim.schema.vocabulary import SEVERITIES, Column
>>> SEVERITIES[0], Column("true_alive", "bool", "flag", "").latent
('P0', True)
"""

from __future__ import annotations

from dataclasses import dataclass

#: Ticket severities, most urgent first (seed 002: P0 answered within 15 minutes ... P3 within 24 hours).
SEVERITIES: tuple[str, ...] = ("P0", "P1", "P2", "P3")
#: Complaint causes.
CAUSES: tuple[str, ...] = ("product", "service", "price", "communication")
#: True churn reasons (exit-survey ground truth).
CHURN_REASONS: tuple[str, ...] = ("product", "service", "price", "communication", "need_mismatch")
#: Ticket intake channels (``complaints.channel_mix``); proactive tickets the firm opens itself use "auto".
TICKET_CHANNELS: tuple[str, ...] = ("phone", "chat", "email", "app", "social")
#: Contact channels a policy can use.
CHANNELS: tuple[str, ...] = ("email", "sms", "push", "phone")
#: Retention budget pots (seed 004: 70/20/10).
POTS: tuple[str, ...] = ("high_value", "wakeup", "reserve")
#: Lifecycle stages (``customers.true_stage``; the same vocabulary as :func:`sim.analysis.lifecycle`).
STAGES: tuple[str, ...] = ("new", "active", "at_risk", "dormant", "lost", "won_back")
#: Latent customer archetypes (``customers.true_archetype``; :class:`sim.config.mechanisms.Archetypes`).
ARCHETYPES: tuple[str, ...] = ("price_sensitive", "service_sensitive", "convenience")

LATENT_PREFIX = "true_"


@dataclass(frozen=True)
class Column:
    """One column of a result table."""

    name: str
    dtype: str
    unit: str
    description: str

    @property
    def latent(self) -> bool:
        """Whether the column is ground truth the firm cannot observe."""
        return self.name.startswith(LATENT_PREFIX)


@dataclass(frozen=True)
class KPI:
    """One key performance indicator."""

    name: str
    unit: str
    definition: str
    latent: bool = False


def table(*cols: Column) -> dict[str, Column]:
    """A table's columns keyed by name, in the order given."""
    return {c.name: c for c in cols}


def is_latent(name: str) -> bool:
    """Whether a column or KPI name denotes ground truth.

    Examples
    --------
    >>> is_latent("true_alive"), is_latent("revenue")
    (True, False)
    """
    return name.startswith(LATENT_PREFIX)
