"""Comparison pages: the form and job list, the live view, the finished result.

The pages read the same ``job_view`` document as the JSON API. Without JavaScript the live page refreshes
itself (a ``<noscript>`` meta refresh) and shows the curves so far as a server-drawn SVG; with
JavaScript (static/comparisons.js) it follows the job's Server-Sent Events and grows the curves in
place. Finished results are drawn by ``app.plots.comparisons``.

The Cancel button is the submitter's: submitting the form stores the job's one-time cancel token in a
cookie scoped to that job's pages (``Path=/comparisons/<id>``, HttpOnly, SameSite=Strict, Secure over
HTTPS), which the button's POST sends back; the page shows the button only to the holder of that cookie.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import ffn
from app.documents.comparisons import job_view, live_curves
from app.experiments import request as comparison_request
from app.http.deps import SessionDep, SettingsDep
from app.http.forms import comparison_form
from app.http.inputs import read_form
from app.http.jobs import cancel_job, client_of, job_or_404, submit
from app.http.problems import problem_responses
from app.http.security import is_admin_token
from app.jobs import queue, tokens
from app.orm.jobs import FINISHED_STATUSES
from app.plots.comparisons import live_chart_svg, result_charts
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
SEE_OTHER: dict[int | str, dict[str, Any]] = {303: {"description": "See the job's page."}}
#: The cookie holding a job's cancel token, scoped to that job's pages.
CANCEL_COOKIE = "actlab_cancel_token"
CANCEL_COOKIE_MAX_AGE = 30 * 24 * 3600


@router.get("/comparisons", responses=HTML)
def comparisons_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    jobs, total = queue.list_jobs(session, settings.page_size_default, 0)
    return HTMLResponse(
        render(
            request,
            "comparisons.html",
            {
                "jobs": [job_view(session, j, results=False) for j in jobs],
                "total": total,
                "variants": list(ffn.VARIANTS.values()),
                "paper_variants": ffn.PAPER_VARIANTS,
                "defaults": comparison_request.form_defaults(),
                "corpus_max_bytes": settings.compare_corpus_max_bytes,
            },
        )
    )


@router.post("/comparisons", responses=SEE_OTHER | problem_responses(413, 422, 429))
async def submit_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form's POST (urlencoded or multipart with a text file) -> 303 to the job's page."""
    form = await read_form(request)
    raw = await comparison_form(form, settings.compare_corpus_max_bytes)
    try:
        body = comparison_request.ComparisonIn.model_validate(raw)
    except ValidationError as exc:  # the same 422 problem as the JSON API's
        raise RequestValidationError(exc.errors()) from exc
    submission = await run_in_threadpool(submit, session, settings, body.to_raw(), client_of(request, settings))
    page = f"/comparisons/{submission.job.id}"
    response = RedirectResponse(page, status_code=303)
    if submission.cancel_token is not None:
        response.set_cookie(
            CANCEL_COOKIE,
            submission.cancel_token,
            max_age=CANCEL_COOKIE_MAX_AGE,
            path=page,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


@router.get("/comparisons/{job_id}", responses=HTML | problem_responses(404, 422))
def comparison_page(request: Request, session: SessionDep, job_id: Annotated[str, Path(max_length=64)]) -> Response:
    job = job_or_404(session, job_id)
    view = job_view(session, job)
    token = request.cookies.get(CANCEL_COOKIE)
    view["can_cancel"] = token is not None and tokens.owns(job, token)
    results = view["results"]
    charts_data: dict[str, str | None]
    if job.status == "succeeded" and results and results["kind"] == "quality":
        charts_data = dict(result_charts(job.id, results))
    elif job.status not in FINISHED_STATUSES and job.kind == "quality":
        charts_data = {"live": live_chart_svg(live_curves(session, job.id))}
    else:
        charts_data = {}
    return HTMLResponse(
        render(
            request,
            "comparison.html",
            {
                "job": view,
                "results": results,
                "charts": charts_data,
                "finished": job.status in FINISHED_STATUSES,
                "config_json": json.dumps(job.config, indent=2),
                "request_json": json.dumps(comparison_request.reproduce_request(job.config), indent=2),
            },
        )
    )


@router.post(
    "/comparisons/{job_id}/cancel",
    responses=SEE_OTHER | problem_responses(401, 403, 404, 409, 422),
)
def cancel_form(request: Request, session: SessionDep, job_id: Annotated[str, Path(max_length=64)]) -> Response:
    """The page's Cancel button (the same as DELETE /api/v1/comparisons/{id}, with the token from the
    submitter's cookie)."""
    token = request.cookies.get(CANCEL_COOKIE)
    cancel_job(session, job_id, token, is_admin_token(request, token))
    return RedirectResponse(f"/comparisons/{job_id}", status_code=303)
