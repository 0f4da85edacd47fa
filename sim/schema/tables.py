"""Every table of a run and its columns, in their documented order, and which of them the firm observes.

Examples
--------
>>> from sim.schema.tables import TABLE_NAMES
>>> TABLE_NAMES[:3]
('customers', 'orders', 'tickets')
"""

from __future__ import annotations

from sim.schema.tables_commerce import COMMERCE_TABLES
from sim.schema.tables_contacts import CONTACTS_TABLES
from sim.schema.tables_service import SERVICE_TABLES
from sim.schema.tables_truth import TRUTH_TABLES
from sim.schema.vocabulary import Column

_ORDER = (
    "customers", "orders", "tickets", "surveys", "events", "tiers", "points", "contacts", "funnel", "snapshots", "uplift",
)  # fmt: skip
_ALL = {**COMMERCE_TABLES, **SERVICE_TABLES, **CONTACTS_TABLES, **TRUTH_TABLES}
if set(_ALL) != set(_ORDER) or len(_ALL) != len(_ORDER):  # a table defined in a group must be placed in the order
    raise RuntimeError(f"sim.schema: tables {sorted(set(_ALL) ^ set(_ORDER))} are not both defined and ordered")
#: Every table's columns, in the documented table order.
TABLES: dict[str, dict[str, Column]] = {t: _ALL[t] for t in _ORDER}

#: The tables of a run, in their documented order.
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

#: Tables that are ground truth as a whole (no row of them is observed; the firm-facing view drops them).
LATENT_TABLES: frozenset[str] = frozenset({"snapshots", "uplift"})


def observed_tables() -> list[str]:
    """The tables the firm can observe, in their documented order (all but :data:`LATENT_TABLES`).

    Examples
    --------
    >>> "funnel" in observed_tables(), "snapshots" in observed_tables()
    (True, False)
    """
    return [t for t in TABLES if t not in LATENT_TABLES]


#: Event types that are ground truth (dropped from the firm-facing view).
LATENT_EVENTS: frozenset[str] = frozenset({"true_churned", "true_reactivated", "true_word_of_mouth", "true_deterred"})


def columns(table: str) -> list[str]:
    """All column names of ``table`` in their documented order.

    Examples
    --------
    >>> columns("events")
    ['customer_id', 't', 'date', 'event', 'detail']
    """
    return list(TABLES[table])


def observed_columns(table: str) -> list[str]:
    """The columns of ``table`` the firm can observe (no ``true_*`` columns; none of a latent table).

    Examples
    --------
    >>> observed_columns("orders")[-4:]
    ['campaign', 'category', 'basket', 'margin']
    """
    if table in LATENT_TABLES:
        return []
    return [c.name for c in TABLES[table].values() if not c.latent]
