"""``/glossary``: the few terms the pages lean on, each under a stable anchor (``/glossary#holm``) that
other pages link to where the term is used."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
#: The anchors other pages may link to; the page defines each (a test holds it to that).
ANCHORS = ("nats-per-token", "holm", "spread", "parameter-matching", "short-run", "full-pre-training")


@router.get("/glossary", responses=HTML)
def glossary_page(request: Request) -> Response:
    return HTMLResponse(render(request, "glossary.html", {"anchors": ANCHORS}))
