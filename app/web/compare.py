"""``/compare?a=…&b=…``: two variants side by side in every stored paper, as a page.

The per-paper JSON is ``/api/v1/compare?a=…&b=…&paper=…`` (the same ``app.paper_compare`` call); the page
adds the noise verdict of ``app.pair_verdicts``. Without both names it is a form; an unknown name is a
422 page that lists the valid names as links to the comparison they would make.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import pair_verdicts, papers
from app.domain import UnknownNameError
from app.http.deps import ReferenceDep
from app.http.problems import problem_responses
from app.http.reference_cache import Payload
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
VariantQuery = Annotated[str | None, Query(max_length=64, description="A variant name, e.g. FFN_GEGLU (any case).")]


@router.get("/compare", responses=HTML | problem_responses(422))
async def compare_page(
    request: Request, cache: ReferenceDep, a: VariantQuery = None, b: VariantQuery = None
) -> Response:
    """The verdict, with its noise context, for two variants in each stored paper."""
    factory = request.app.state.session_factory
    if not a or not b:
        def form() -> str:
            with factory() as s:
                return render(request, "compare.html", {"names": papers.variant_names(s), "a": a, "b": b})

        return HTMLResponse(await run_in_threadpool(form))

    def build(s: Session) -> Payload:
        return Payload({"pair": pair_verdicts.compare_in_every_paper(s, a, b), "names": papers.variant_names(s)})

    try:
        return await cache.respond(request, build, html=lambda p: render(request, "compare.html", p.data))
    except UnknownNameError as exc:
        unknown = exc

        def refusal() -> str:
            with factory() as s:
                names = papers.variant_names(s)
            fixed = {"a": a, "b": b}
            links = [(n, {**fixed, str(unknown.field): n}) for n in names]
            return render(request, "compare.html", {"names": names, "a": a, "b": b, "unknown": unknown,
                                                    "links": links})

        return HTMLResponse(await run_in_threadpool(refusal), status_code=422)
