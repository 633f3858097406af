"""``/docs``: the OpenAPI document in a vendored Swagger UI (the CDN default breaks offline and under the CSP)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def api_docs(request: Request) -> Response:
    template = request.app.state.templates.env.get_template("docs.html")
    return Response(template.render(request=request), media_type="text/html; charset=utf-8")


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=308)
