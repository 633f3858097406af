"""Common misreadings of activation facts, each with the right reading and its evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import misreadings
from app.api.schemas import misreadings as schemas
from app.documents import misreadings as documents
from app.http.deps import ReferenceDep, SettingsDep
from app.http.formats import FormatQuery
from app.http.pagination import LimitQuery, OffsetQuery, envelope, page_bounds
from app.http.reference_cache import Payload, cached_responses

router = APIRouter(prefix="/api/v1", tags=["misreadings"])


@router.get("/misreadings", responses=cached_responses(schemas.MisreadingPage, 422, csv=True))
async def list_misreadings(
    request: Request,
    cache: ReferenceDep,
    settings: SettingsDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
    format: FormatQuery = None,
) -> Response:
    """The stored misreadings, paginated: the wrong reading, the right one, where it shows up, its evidence."""
    lim, off = page_bounds(settings, limit, offset)

    def build(s: Session) -> Payload:
        found, total = misreadings.list_misreadings(s, lim, off)
        items = [documents.misreading_document(i) for i in found]
        return Payload(
            envelope(request, items, total, lim, off), [documents.csv_row(i) for i in items], documents.CSV_COLUMNS
        )

    return await cache.respond(request, build)


@router.get("/misreadings/{id}", responses=cached_responses(schemas.MisreadingOut, 404, 422))
async def get_misreading(request: Request, cache: ReferenceDep, id: Annotated[str, Path(max_length=64)]) -> Response:
    """One misreading by its stable id; an unknown id is a 404 naming the valid ones."""

    def build(s: Session) -> Payload:
        return Payload(documents.misreading_document(misreadings.get_misreading(s, id)))

    return await cache.respond(request, build)
