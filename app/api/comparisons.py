"""``/api/v1/comparisons``: FFN comparisons as background jobs.

POST a config (every field but ``kind`` has a default) -> 202 with the job and a Location; an identical
config already computed on the same device class with the same code answers 200 with the stored
result at once. GET one job or the list; follow a job over Server-Sent Events (resumable with
``Last-Event-ID``); DELETE cancels. The routes only validate, store and read rows: torch runs in a
worker process.

Who may cancel: a new job's 202 answer carries a one-time ``cancel_token`` (only its hash is stored); the
submitter sends it as ``Authorization: Bearer <token>`` to DELETE. The admin token cancels any job. No
token or an unknown one is 401 with ``WWW-Authenticate``; the valid token of another job is 403.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError

from app.api.schemas.comparisons import ComparisonEstimate, JobCreated, JobPage, JobSummary, JobView
from app.api.schemas.curves import ComparisonCurves
from app.documents.comparisons import job_view
from app.domain import InvalidInputError
from app.experiments.request import ComparisonIn
from app.http.deps import SessionDep, SettingsDep
from app.http.estimates import price
from app.http.event_feeds import EventStreamResponse, JobFeeds
from app.http.jobs import cancel_job, client_of, job_or_404, submit
from app.http.pagination import LimitQuery, OffsetQuery, envelope, page_bounds
from app.http.problems import FieldError, ProblemError, field_problem, problem_responses
from app.http.security import bearer_token, is_admin_token
from app.jobs import curves, queue
from app.orm.jobs import FINISHED_STATUSES

router = APIRouter(prefix="/api/v1/comparisons", tags=["comparisons"])

Responses = dict[int | str, dict[str, Any]]
ACCEPTED: Responses = {
    200: {"description": "An identical comparison was already computed: its stored result.", "model": JobCreated},
    202: {"description": "Queued (or already queued/running): follow the Location.", "model": JobCreated},
}
CANCELLED: Responses = {
    200: {"description": "Cancelled (it was queued).", "model": JobSummary},
    202: {"description": "Cancel requested: a running job stops at its next step.", "model": JobSummary},
}

LISTED: Responses = {200: {"model": JobPage}}
ONE_JOB: Responses = {200: {"model": JobView}}
CURVES: Responses = {200: {"model": ComparisonCurves}}
EVENT_STREAM: Responses = {200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}}
JobId = Annotated[str, Path(max_length=64, description="The job id (32 hex digits).")]


@router.post(
    "",
    status_code=202,
    responses=ACCEPTED | problem_responses(413, 422, 429),
)
def create_comparison(body: ComparisonIn, request: Request, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Queue a comparison. The cost is estimated first: over ACTLAB_COMPARE_MAX_EXPECTED_SECONDS -> 422;
    a full queue, or ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT unfinished jobs of this client -> 429 with
    Retry-After; a text corpus over ACTLAB_COMPARE_CORPUS_MAX_BYTES -> 413.

    A new job's answer carries ``cancel_token``, shown this once: send it as ``Authorization: Bearer
    <cancel_token>`` to cancel the job. It is null when an identical job answered (that job is not yours)."""
    submission = submit(session, settings, body.to_raw(), client_of(request, settings))
    view = job_view(session, submission.job)
    view["cached"] = submission.cached
    view["cancel_token"] = submission.cancel_token
    location = view["links"]["self"]
    return JSONResponse(view, status_code=200 if submission.cached else 202, headers={"Location": location})


@router.get("", response_model=None, responses=LISTED | problem_responses(422))
def list_comparisons(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
) -> dict[str, Any]:
    """Jobs, newest first (without their results; follow ``links.self``)."""
    limit, offset = page_bounds(settings, limit, offset)
    jobs, total = queue.list_jobs(session, limit, offset)
    return envelope(request, [job_view(session, j, results=False) for j in jobs], total, limit, offset)


Number = Annotated[int | None, Query(description="As the field of the POST body; omitted: its default.")]


@router.get("/estimate", response_model=ComparisonEstimate, responses=problem_responses(422))
def estimate_comparison(
    settings: SettingsDep,
    kind: Literal["quality", "speed"] = "quality",
    variants: Annotated[list[str] | None, Query(max_length=64, description="Omitted: the paper's.")] = None,
    device: Literal["auto", "cpu", "cuda"] = "auto",
    matched: bool = True,
    d_model: Number = None,
    n_layers: Number = None,
    n_heads: Number = None,
    seq_len: Number = None,
    batch_size: Number = None,
    steps: Number = None,
    lr: Annotated[float | None, Query(description="Quality: the learning rate.")] = None,
    seeds: Annotated[int | None, Query(description="Quality: seeds per variant (a count).")] = None,
    corpus_seed: Annotated[int | None, Query(description="Quality: the synthetic corpus's seed.")] = None,
    tokens: Annotated[int | None, Query(description="Speed: tokens per step.")] = None,
) -> dict[str, Any]:
    """What the same fields POSTed to /api/v1/comparisons would cost (seconds by phase, peak memory,
    FLOPs) on the device class they would run on, from the cost model admission judges them by, and
    whether a limit (ACTLAB_COMPARE_MAX_EXPECTED_SECONDS, …_PEAK_MEMORY_BYTES, …_FLOPS) would refuse
    them. Queues nothing. A quality comparison is priced on the synthetic corpus. A bad field -> 422."""
    given = {"d_model": d_model, "n_layers": n_layers, "n_heads": n_heads, "seq_len": seq_len,
             "batch_size": batch_size, "steps": steps, "lr": lr, "seeds": seeds, "tokens": tokens,
             "variants": variants}
    raw: dict[str, Any] = {"kind": kind, "device": device, "matched": matched}
    raw |= {k: v for k, v in given.items() if v is not None}
    if corpus_seed is not None:
        raw["corpus"] = {"kind": "synthetic", "seed": corpus_seed}
    try:
        fields = ComparisonIn.model_validate(raw).to_raw()
        return price(fields, settings).to_dict(settings)
    except ValidationError as exc:
        errors = [FieldError(loc=["query", *(str(p) for p in e["loc"][:1])], msg=e["msg"], type=e["type"])
                  for e in exc.errors()]
        raise ProblemError(422, "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors),
                           errors=errors) from exc
    except InvalidInputError as exc:
        field = exc.field.removeprefix("body.").split(".")[0]
        raise field_problem(422, ["query", field], exc.message, limit=exc.limit) from exc


@router.get("/{job_id}", response_model=None, responses=ONE_JOB | problem_responses(404, 422))
def get_comparison(job_id: JobId, session: SessionDep) -> dict[str, Any]:
    """Config, status, progress (with queue position and ETA), results, error."""
    return job_view(session, job_or_404(session, job_id))


@router.delete(
    "/{job_id}",
    status_code=202,
    responses=CANCELLED | problem_responses(401, 403, 404, 409, 422),
)
def cancel_comparison(job_id: JobId, request: Request, session: SessionDep) -> JSONResponse:
    """Cancel: a queued job at once (200); a running one stops at its next training step (202, then
    ``cancelled``). A finished job cannot be cancelled (409). Needs ``Authorization: Bearer`` with the job's
    ``cancel_token`` (from its POST) or the admin token: 401 without a valid token, 403 with another job's."""
    token = bearer_token(request)
    job = cancel_job(session, job_id, token, is_admin_token(request, token))
    return JSONResponse(job_view(session, job, results=False), status_code=200 if job.status == "cancelled" else 202)


@router.get("/{job_id}/curves", response_model=None, responses=CURVES | problem_responses(404, 422))
def comparison_curves(job_id: JobId, session: SessionDep) -> dict[str, Any]:
    """Every loss curve of a quality comparison: per run (variant, seed) its ``train`` and ``val`` steps
    and losses, its final validation loss and tokens/s once done, and the corpus's ``reference`` losses.
    From the result once the job succeeded, else from its events so far (a cancelled or failed job keeps
    the curves it reported). A speed comparison has none: 404. The same as CSV: /comparisons/{id}/curves.csv."""
    job = job_or_404(session, job_id)
    if job.kind != "quality":
        raise ProblemError(404, f"comparison {job_id} is a speed comparison: it has no loss curves")
    return curves.to_json(curves.for_job(session, job))


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses=EVENT_STREAM | problem_responses(404, 422, 429),
)
async def comparison_events(
    job_id: JobId,
    request: Request,
    last_event_id: Annotated[
        str, Header(alias="Last-Event-ID", pattern=r"^[0-9]{0,18}$", description="Resume after this event.")
    ] = "",
    after: Annotated[
        int | None,
        Query(ge=0, le=2**63 - 1, description="Same as Last-Event-ID, for clients that cannot set it."),
    ] = None,
) -> StreamingResponse:
    """Server-Sent Events: ``status`` (state changes), ``start``, ``progress`` (per-step losses of every
    variant and seed since the previous event, with done/total steps) and ``run_done``. Each event's
    ``id`` is its sequence number: reconnecting with ``Last-Event-ID`` resumes after it. The stream
    ends after the final status, or after ACTLAB_SSE_IDLE_TIMEOUT_SECONDS without an event. Open streams
    are capped per client (ACTLAB_SSE_MAX_STREAMS_PER_CLIENT) and per server (ACTLAB_SSE_MAX_STREAMS): 429
    with Retry-After past either. All streams of a job share one poller, which holds no request thread."""
    feeds: JobFeeds = request.app.state.job_feeds
    try:
        # An empty header is what a client sends before it has seen any event: start from the beginning.
        start = int(last_event_id) if last_event_id else (after or 0)
    except ValueError:
        raise InvalidInputError("header.Last-Event-ID", "must be an event id (an integer)") from None

    await feeds.read(job_id, start)  # 404 before the stream starts
    client = client_of(request, request.app.state.settings)
    feeds.slots.acquire(client)  # 429 past the per-client or the overall cap

    shutting_down: threading.Event | None = getattr(request.app.state, "shutting_down", None)

    async def stop() -> bool:
        """The server is going down (the browser reconnects with Last-Event-ID). A client that left is
        noticed by the response, which cancels the stream (:class:`EventStreamResponse`)."""
        return shutting_down is not None and shutting_down.is_set()

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        async for batch in feeds.subscribe(job_id, start, FINISHED_STATUSES, stop):
            if not batch:
                yield ": keep-alive\n\n"
            for number, type_, data in batch:
                yield f"id: {number}\nevent: {type_}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"

    return EventStreamResponse(
        stream(), lambda: feeds.slots.release(client), {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
