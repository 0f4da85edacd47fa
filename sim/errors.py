"""Error types with messages that name the field, the value and what is allowed.

Examples
--------
>>> from sim.errors import DataError
>>> str(DataError("amount must be >= 0", table="orders", column="amount", rows=[3]))
"orders: column 'amount': amount must be >= 0 (rows: 3)"
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["RetentionLabError", "DataError", "ConfigError", "LatentAccessError", "NotFittedError"]


class RetentionLabError(Exception):
    """Base class of the errors Retention Lab raises on bad input."""


class DataError(RetentionLabError, ValueError):
    """A table handed to the analysis modules (or a CSV) is malformed.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    table : str, optional
        Name of the table (``orders``, ``customers``, a file name, ...).
    column : str, optional
        The offending column.
    rows : iterable, optional
        Row labels (or CSV line numbers) concerned; the first ten are shown.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        rows: Iterable[object] | None = None,
    ) -> None:
        self.table = table
        self.column = column
        self.rows = list(rows) if rows is not None else []
        parts = []
        if table:
            parts.append(f"{table}: ")
        if column:
            parts.append(f"column {column!r}: ")
        parts.append(message)
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" and {len(self.rows) - 10} more" if len(self.rows) > 10 else ""
            parts.append(f" (rows: {shown}{more})")
        super().__init__("".join(parts))


class ConfigError(RetentionLabError, ValueError):
    """An invalid scenario, policy or grid: names the field, the value and what is allowed."""


class LatentAccessError(RetentionLabError, KeyError):
    """The firm (or a firm-side table) asked for something only the simulated world knows.

    Latent columns start with ``true_``; the firm decides from observed history only.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotFittedError(RetentionLabError, AttributeError):
    """A fitted model's results were asked for before ``fit(...)`` was called.

    Examples
    --------
    >>> from sim.errors import NotFittedError
    >>> str(NotFittedError("BetaGeoFitter is not fitted yet; call .fit(...) first"))
    'BetaGeoFitter is not fitted yet; call .fit(...) first'
    """
