"""``/docs``: the OpenAPI document in a vendored Swagger UI (the CDN default breaks offline and under the CSP),
inside the site's own page (navigation, main landmark, heading) so it is no dead end."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def api_docs(request: Request) -> Response:
    return Response(render(request, "docs.html", {}), media_type="text/html; charset=utf-8")


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=308)
