"""Server-side sorting of the served tables by a ``sort`` parameter (``col`` ascending, ``-col`` descending).

Sorting happens on the rows a route already built, so a JSON list, its CSV and its HTML page sort the
same way from the same call, and a page sorts without JavaScript. Empty values (None) go last in either
direction, since "no value" is not smaller or larger than a value; ties keep the table's own order.
An unknown column is an :class:`UnknownNameError` carrying the sortable columns, so the API answers a
422 listing them and a page can say so beside the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain import UnknownNameError

#: How long a ``sort`` value may be (the longest column name, its sign, and room to spare).
SORT_MAX_CHARS = 64

Key = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class SortOrder:
    """A parsed ``sort`` value: the column and the direction."""

    column: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.column}" if self.descending else self.column


def allowed_values(columns: Sequence[str]) -> list[str]:
    """Every value ``sort`` accepts, ascending and descending, in column order."""
    return [v for c in columns for v in (c, f"-{c}")]


def parse_sort(sort: str | None, columns: Sequence[str], field: str = "sort") -> SortOrder | None:
    """``sort`` as an order; None for no sort (absent or empty). Raises naming ``field`` and the allowed values."""
    if sort is None or sort == "":
        return None
    column = sort[1:] if sort.startswith("-") else sort
    if column not in columns:
        raise UnknownNameError("sort column", sort, allowed_values(columns), field)
    return SortOrder(column, sort.startswith("-"))


def sort_rows(
    rows: Sequence[dict[str, Any]], order: SortOrder | None, keys: Mapping[str, Key] | None = None
) -> list[dict[str, Any]]:
    """``rows`` sorted by ``order`` (a copy; unchanged order when None). ``keys`` maps a column to how its
    value is read when it is not simply ``row[column]`` (a printed number sorted as a number)."""
    if order is None:
        return list(rows)
    key = (keys or {}).get(order.column) or (lambda row: row.get(order.column))
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: _comparable(key(r)), reverse=order.descending)
    return present + missing


def _comparable(value: Any) -> Any:
    """Text compares case-insensitively (then exactly, so the order is total); anything else as it is."""
    if isinstance(value, str):
        return (value.casefold(), value)
    return value


def toggled(order: SortOrder | None, column: str) -> str:
    """The ``sort`` value a column header links to: ascending first, then the other way round."""
    if order is not None and order.column == column and not order.descending:
        return f"-{column}"
    return column


def aria_sort(order: SortOrder | None, column: str) -> str | None:
    """The header's ``aria-sort`` value when the table is sorted by ``column``."""
    if order is None or order.column != column:
        return None
    return "descending" if order.descending else "ascending"


#: The columns a variant's results sort by (``/variants/FFN_GEGLU?sort=rank``, and its JSON twin).
VARIANT_RESULT_SORT_COLUMNS = ["table", "benchmark", "metric", "training_steps", "value", "stddev", "rank"]
VARIANT_RESULT_KEYS: dict[str, Key] = {"table": lambda row: row["source"]["table"]}
