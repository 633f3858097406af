"""The misreadings page: every stored misreading with its right reading, evidence and what it concerns,
and one misreading on its own page; the same documents as the JSON routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import misreadings
from app.documents import misreadings as documents
from app.http.deps import ReferenceDep
from app.http.problems import problem_responses
from app.http.reference_cache import Payload
from app.web.pages import HTML
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)


@router.get("/misreadings", responses=HTML)
async def misreadings_page(request: Request, cache: ReferenceDep) -> Response:
    def build(s: Session) -> Payload:
        found, _ = misreadings.list_misreadings(s)
        return Payload({"items": [documents.misreading_document(i) for i in found], "one": False})

    return await cache.respond(request, build, html=lambda p: render(request, "misreadings.html", p.data))


@router.get("/misreadings/{id}", responses=HTML | problem_responses(404, 422))
async def misreading_page(request: Request, cache: ReferenceDep, id: Annotated[str, Path(max_length=64)]) -> Response:
    def build(s: Session) -> Payload:
        return Payload({"items": [documents.misreading_document(misreadings.get_misreading(s, id))], "one": True})

    return await cache.respond(request, build, html=lambda p: render(request, "misreadings.html", p.data))
