"""What a page needs around a served table: JSON · CSV links that carry its filters and sort, the column
headers' sort links, and the reason when a ``sort`` value names no column.

The links are plain addresses, so a table sorts and exports without JavaScript, and the export is what
the page shows: the same filters and the same order, served by the JSON API from the same service call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

from app.domain import UnknownNameError
from app.table_sort import SORT_MAX_CHARS, SortOrder, aria_sort, parse_sort, toggled

SortQuery = Annotated[
    str | None,
    Query(max_length=SORT_MAX_CHARS, description="A column to sort by; `-column` sorts descending."),
]


def page_order(sort: str | None, columns: Sequence[str]) -> tuple[SortOrder | None, str | None]:
    """The order a page sorts by, and (instead of raising) the plain reason when ``sort`` is unknown."""
    try:
        return parse_sort(sort, columns), None
    except UnknownNameError as exc:
        allowed = ", ".join(c for c in exc.valid if not c.startswith("-"))
        return None, (
            f"This table cannot be sorted by “{exc.name}”. Sortable columns: {allowed} "
            "(a leading - sorts descending)."
        )


def filter_params(values: Mapping[str, Any]) -> dict[str, str]:
    """The filters that are set, as query parameters (what a browser sends empty means "any": left out)."""
    return {k: str(v) for k, v in values.items() if v is not None and v != ""}


@dataclass(frozen=True)
class TableLinks:
    """The links of one table: its JSON and CSV twins (``api`` with ``params``) and its sort headers."""

    api: str
    params: dict[str, str]
    order: SortOrder | None = None
    error: str | None = None
    page_params: dict[str, str] = field(default_factory=dict)
    anchor: str | None = None

    def _query(self, extra: Mapping[str, str]) -> str:
        query = urlencode({**self.params, **extra})
        return f"?{query}" if query else ""

    @property
    def sort_param(self) -> str | None:
        return self.order.param if self.order else None

    @property
    def json_href(self) -> str:
        return self.api + self._query({"sort": self.order.param} if self.order else {})

    @property
    def csv_href(self) -> str:
        return self.api + self._query({**({"sort": self.order.param} if self.order else {}), "format": "csv"})

    def sort_href(self, column: str) -> str:
        query = urlencode({**self.page_params, **self.params, "sort": toggled(self.order, column)})
        return f"?{query}" + (f"#{self.anchor}" if self.anchor else "")

    @property
    def unsorted_href(self) -> str:
        """The page with the same filters in the table's own order."""
        query = urlencode({**self.page_params, **self.params})
        return (f"?{query}" if query else "?") + (f"#{self.anchor}" if self.anchor else "")

    def aria_sort(self, column: str) -> str | None:
        return aria_sort(self.order, column)


def full_runs_first(best: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lowest-perplexity list with the longest training run first: a short run's figure must never be
    the first one a reader sees as "the" result."""
    return sorted(best, key=lambda b: -(b.get("training_steps") or 0))
