"""Comparison pages: the form and job list, the live view, the finished result.

The pages read the same ``job_view`` document as the JSON API. Without JavaScript the live page refreshes
itself (a ``<noscript>`` meta refresh) and shows the curves so far as a server-drawn SVG; with
JavaScript (static/comparisons.js) it follows the job's Server-Sent Events and grows the curves in
place. Finished results are drawn by ``app.plots.comparisons``.

The Cancel button is the submitter's: submitting the form stores the job's one-time cancel token in a
cookie scoped to that job's pages (``Path=/comparisons/<id>``, HttpOnly, SameSite=Strict, Secure over
HTTPS), which the button's POST sends back; the page shows the button only to the holder of that cookie.

The form shows the cost estimate of what it holds (app/http/estimates.py, the numbers admission judges a
submission by): its Estimate button re-renders the form with it, static/comparison_form.js updates it as
fields change from ``GET /api/v1/comparisons/estimate``. A browser's refused submission gets the form back
as it was filled, the reason in plain words beside the field; other clients get the problem+json.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import ffn
from app.config import Settings
from app.documents.comparisons import job_view
from app.domain import InvalidInputError
from app.experiments import request as comparison_request
from app.http.deps import SessionDep, SettingsDep
from app.http.estimates import Priced, price
from app.http.forms import comparison_form, form_number
from app.http.inputs import read_form
from app.http.jobs import cancel_job, client_of, job_or_404, submit
from app.http.problems import ProblemError, problem_responses, wants_html
from app.http.security import is_admin_token
from app.jobs import curves as curves_lib
from app.jobs import queue, tokens
from app.orm.jobs import FINISHED_STATUSES
from app.plots.comparisons import result_charts
from app.web import rerun_forms, run_page
from app.web.comparison_form import FIELDS, default_values, presets, request_fields, typed_values
from app.web.form_errors import FormError, plain_error
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
SEE_OTHER: dict[int | str, dict[str, Any]] = {303: {"description": "See the job's page."}}
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}, "description": "One row per loss."}}
#: The cookie holding a job's cancel token, scoped to that job's pages.
CANCEL_COOKIE = "actlab_cancel_token"
CANCEL_COOKIE_MAX_AGE = 30 * 24 * 3600


@router.get("/comparisons", responses=HTML | problem_responses(422))
def comparisons_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    preset: Annotated[Literal["paper", "quick", "longer"] | None, Query(description="Fill the form.")] = None,
) -> Response:
    choices = presets(settings)
    values = next((p.values for p in choices if p.key == preset), default_values())
    return _form_page(request, session, settings, values, _estimate(values, settings), presets_=choices)


def _estimate(values: dict[str, Any], settings: Settings) -> Priced | None:
    """The estimate of what the form holds; None when a field would be refused (the error says why)."""
    try:
        return price(request_fields(values), settings)
    except (InvalidInputError, ValueError):
        return None


def _form_page(request: Request, session: Session, settings: Settings, values: dict[str, Any],
               priced: Priced | None, *, error: FormError | None = None, presets_: list[Any] | None = None,
               status: int = 200) -> Response:
    jobs, total = queue.list_jobs(session, settings.page_size_default, 0)
    html = render(request, "comparisons.html", {
        "jobs": [job_view(session, j, results=False) for j in jobs],
        "total": total,
        "variants": list(ffn.VARIANTS.values()),
        "values": values,
        "estimate": priced,
        "presets": presets_ if presets_ is not None else presets(settings),
        "error": error,
        "corpus_max_bytes": settings.compare_corpus_max_bytes,
    })
    return HTMLResponse(html, status_code=error.status if error else status,
                        headers=error.headers if error else None)


@router.post("/comparisons", responses=HTML | SEE_OTHER | problem_responses(413, 422, 429))
async def submit_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form's POST (urlencoded or multipart with a text file) -> 303 to the job's page; with the
    Estimate button, the form again with its estimate. A browser's refused post gets the form back as
    it was filled, the reason beside the field; other clients get the problem+json."""
    form = await read_form(request)
    values = typed_values(form)
    try:
        raw = await comparison_form(form, settings.compare_corpus_max_bytes)
        try:
            fields = comparison_request.ComparisonIn.model_validate(raw).to_raw()
        except ValidationError as exc:  # the same 422 problem as the JSON API's
            if wants_html(request):
                raise
            raise RequestValidationError(exc.errors()) from exc
        priced = await run_in_threadpool(price, fields, settings)
        estimating = form.get("estimate") is not None
        if estimating or (not priced.allowed and wants_html(request)):
            refusal = priced.refusals[0] if priced.refusals else None
            error = FormError("_estimate", refusal.plain, refusal.limit_line, status=200 if estimating else 422,
                              focus="steps") if refusal else None
            return await run_in_threadpool(_form_page, request, session, settings, values, priced, error=error)
        submission = await run_in_threadpool(submit, session, settings, fields, client_of(request, settings))
    except (InvalidInputError, ValidationError, ProblemError) as exc:
        if not wants_html(request):
            raise
        error = plain_error(exc, FIELDS)
        if values["kind"] == "speed" and error.field == "d_model":
            error = FormError("speed_d_model", error.text, error.details, error.status, headers=error.headers)
        return await run_in_threadpool(_form_page, request, session, settings, values, None, error=error)
    return _to_job_page(request, submission)


def _to_job_page(request: Request, submission: queue.Submission) -> Response:
    """303 to the job's page, with the cookie that lets this browser cancel it."""
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
def comparison_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    job_id: Annotated[str, Path(max_length=64)],
    split: Annotated[Literal["train", "val"] | None, Query(description="The chart's loss.")] = None,
    smooth: Annotated[float, Query(ge=0, le=0.99, description="The chart's EMA weight (0 = none).")] = 0.0,
    seeds: Annotated[bool, Query(description="Draw each seed's line.")] = False,
    log: Annotated[bool, Query(description="Log-scale loss axis.")] = False,
) -> Response:
    job = job_or_404(session, job_id)
    view = job_view(session, job)
    token = request.cookies.get(CANCEL_COOKIE)
    view["can_cancel"] = token is not None and tokens.owns(job, token)
    results = view["results"]
    charts_data: dict[str, str | None] = {}
    if job.status == "succeeded" and results and results["kind"] == "quality":
        charts_data = {"bars": result_charts(job.id, results)["bars"]}
    run = run_page.quality_context(session, job, settings, run_page.chart_options(job, split, smooth, seeds, log)) \
        if job.kind == "quality" else None
    return HTMLResponse(
        render(
            request,
            "comparison.html",
            {
                "job": view,
                "results": results,
                "charts": charts_data,
                "run": run,
                "words": run_page.status_words(session, job, view),
                "finished": job.status in FINISHED_STATUSES,
                "config_json": json.dumps(job.config, indent=2),
                "request_json": json.dumps(comparison_request.reproduce_request(job.config), indent=2),
            },
        )
    )


@router.get(
    "/comparisons/{job_id}/curves.csv",
    response_class=PlainTextResponse,
    responses=CSV | problem_responses(404, 422),
)
def curves_csv(session: SessionDep, job_id: Annotated[str, Path(max_length=64)]) -> Response:
    """Every loss of a quality comparison so far: variant, seed, split (train/val), step, loss. A
    cancelled or failed job's curves are those it reported before it stopped."""
    job = job_or_404(session, job_id)
    if job.kind != "quality":
        raise ProblemError(404, f"comparison {job_id} is a speed comparison: it has no loss curves")
    return Response(curves_lib.to_csv(curves_lib.for_job(session, job)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="comparison-{job.id[:8]}-curves.csv"'})


@router.post("/comparisons/{job_id}/rerun", responses=HTML | SEE_OTHER | problem_responses(404, 422, 429))
async def rerun_form(request: Request, session: SessionDep, settings: SettingsDep,
                     job_id: Annotated[str, Path(max_length=64)]) -> Response:
    """A "run again" button: the job's config with ``steps`` or ``seeds`` (a count) changed, queued as
    the form's POST is -> 303 to the new job's page; refused, the form with that config and the reason."""
    form = await read_form(request)
    job = job_or_404(session, job_id)
    what = next((name for name in rerun_forms.WHAT if form.get(name) is not None), "")
    raw: dict[str, Any] = {}
    try:
        value = form_number(form, what) if what else None
        if value is None:
            raise InvalidInputError("steps", "send steps or seeds (a number)")
        raw = rerun_forms.rerun_request(job, what, int(value))
        priced = await run_in_threadpool(price, raw, settings)
        if not priced.allowed and wants_html(request):
            refusal = priced.refusals[0]
            error = FormError("_estimate", refusal.plain, refusal.limit_line, status=422, focus="steps")
            return await run_in_threadpool(_form_page, request, session, settings, rerun_forms.form_values(raw),
                                           priced, error=error)
        submission = await run_in_threadpool(submit, session, settings, raw, client_of(request, settings))
    except (InvalidInputError, ValidationError, ProblemError) as exc:
        if not wants_html(request):
            raise
        values = rerun_forms.form_values(raw or rerun_forms.base_request(job))
        return await run_in_threadpool(_form_page, request, session, settings, values, None,
                                       error=plain_error(exc, FIELDS))
    return _to_job_page(request, submission)


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
