"""Pagination envelope shared by every list endpoint: items, total, limit, offset and the next URL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from app.config import Settings
from app.domain import InvalidInputError
from app.http.openapi import limit_from

LimitQuery = Annotated[
    int | None,
    Query(
        ge=1, description="Items per page (most: ACTLAB_PAGE_SIZE_MAX).", json_schema_extra=limit_from("page_size_max")
    ),
]
OffsetQuery = Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")]


def page_bounds(settings: Settings, limit: int | None, offset: int) -> tuple[int, int]:
    if limit is None:
        limit = settings.page_size_default
    if limit > settings.page_size_max:
        raise InvalidInputError("query.limit", f"must be at most {settings.page_size_max}", settings.page_size_max)
    return limit, offset


def envelope(request: Request, items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    next_url = None
    if offset + limit < total:
        url = request.url.include_query_params(limit=limit, offset=offset + limit)
        next_url = f"{url.path}?{url.query}"
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": next_url}
