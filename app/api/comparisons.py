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

import asyncio
import json
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app import ffn
from app.clock import iso_utc
from app.config import Settings
from app.domain import InvalidInputError
from app.http.deps import SessionDep, SettingsDep
from app.http.openapi import limit_from
from app.http.pagination import LimitQuery, OffsetQuery, envelope, page_bounds
from app.http.problems import ProblemError, problem_responses
from app.http.security import bearer_token, is_admin_token
from app.jobs import queue
from app.orm.jobs import FINISHED_STATUSES, Job


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Live-progress streams never end by themselves; they must end when the server shuts down, or the
    server waits for them (ACTLAB_HTTP_SHUTDOWN_TIMEOUT_SECONDS) and then cancels them with an error."""
    shutting_down = threading.Event()
    app.state.shutting_down = shutting_down
    _notice_shutdown_signals(shutting_down)
    yield


def _notice_shutdown_signals(event: threading.Event) -> None:
    """Set ``event`` when SIGTERM/SIGINT arrive, then let the server's own handler (uvicorn's graceful
    shutdown, installed before the application starts) do its work. The server restores its previous
    handlers afterwards, which drops this wrapper."""
    if threading.current_thread() is not threading.main_thread():
        return  # in-process test clients run the lifespan on another thread: no signals there
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue

        def chained(signum: int, frame: Any, previous: Any = previous) -> None:
            event.set()
            previous(signum, frame)

        signal.signal(sig, chained)


router = APIRouter(prefix="/api/v1/comparisons", tags=["comparisons"], lifespan=_lifespan)

Responses = dict[int | str, dict[str, Any]]
ACCEPTED: Responses = {
    200: {"description": "An identical comparison was already computed: its stored result."},
    202: {"description": "Queued (or already queued/running): follow the Location."},
}
CANCELLED: Responses = {200: {"description": "Cancelled (it was queued)."}}
CHALLENGE = 'Bearer realm="actlab"'

EVENT_STREAM: Responses = {200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}}
JobId = Annotated[str, Path(max_length=64, description="The job id (32 hex digits).")]
QUALITY_ONLY = {"n_layers", "n_heads", "seq_len", "batch_size", "steps", "lr", "seeds", "corpus"}
SPEED_ONLY = {"tokens", "dtype", "compile", "warmup", "iters", "repeats"}


class SyntheticCorpusIn(BaseModel):
    """The project's synthetic corpus (a Markov chain mixing bigram and order-2 structure)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["synthetic"] = "synthetic"
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Generates the transition tables and the text.")
    vocab_size: int = Field(32, ge=2, le=256)
    bigram_fraction: float = Field(0.5, ge=0, le=1, description="Share of tokens followed by a bigram draw.")
    concentration: float = Field(0.1, gt=0, le=100, description="Dirichlet concentration: small = peaked.")


class TextCorpusIn(BaseModel):
    """User-supplied UTF-8 text, modelled character by character (size limit: ACTLAB_COMPARE_CORPUS_MAX_BYTES)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["text"]
    text: str = Field(min_length=1)
    val_fraction: float = Field(0.1, gt=0, lt=1, description="The last share of the text is held out.")


SEED_MAX = 2**32 - 1  # what every random number generator involved accepts


class ComparisonIn(BaseModel):
    """A comparison config. Omitted fields take the defaults of the kind (see the docs of each field)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["quality", "speed"]
    variants: list[str] | None = Field(
        None,
        min_length=1,
        max_length=10,
        json_schema_extra={"items": {"type": "string", "enum": list[JsonValue](ffn.accepted_names())}},
        description="FFN variants (default: the paper's eight). Names are case-insensitive, FFN_ prefix optional.",
    )
    d_model: int | None = Field(
        None,
        ge=8,
        json_schema_extra=limit_from("compare_max_d_model_speed"),
        description="Model width (default 64 quality, 256 speed).",
    )
    d_ff: int | None = Field(None, ge=1, description="Dense hidden size (default 4·d_model); gated get 2/3 of it.")
    matched: bool | None = Field(None, description="Give gated variants 2/3 of d_ff (default true).")
    multiple_of: int | None = Field(None, ge=1, le=1024, description="Rounding of the gated hidden size.")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto = CUDA (bf16 autocast) when present.")
    n_layers: int | None = Field(
        None, ge=1, json_schema_extra=limit_from("compare_max_layers"), description="Quality: layers (default 2)."
    )
    n_heads: int | None = Field(None, ge=1, le=64, description="Quality: attention heads (default 4).")
    seq_len: int | None = Field(
        None,
        ge=2,
        json_schema_extra=limit_from("compare_max_seq_len"),
        description="Quality: training sequence length (default 32).",
    )
    batch_size: int | None = Field(
        None,
        ge=1,
        json_schema_extra=limit_from("compare_max_batch_size"),
        description="Quality: sequences per step (default 32).",
    )
    steps: int | None = Field(
        None,
        ge=1,
        json_schema_extra=limit_from("compare_max_steps"),
        description="Quality: optimiser steps per run (default 500).",
    )
    lr: float | None = Field(None, gt=0, lt=1, description="Quality: peak AdamW learning rate (default 3e-3).")
    seeds: (
        Annotated[int, Field(ge=1, json_schema_extra=limit_from("compare_max_seeds"))]
        | Annotated[
            list[Annotated[int, Field(ge=0, le=SEED_MAX)]],
            Field(min_length=1, json_schema_extra=limit_from(max_items="compare_max_seeds")),
        ]
        | None
    ) = Field(None, description="Quality: a count n (seeds 0..n-1) or a list of seeds 0..2^32−1 (default 3).")
    corpus: Annotated[SyntheticCorpusIn | TextCorpusIn, Field(discriminator="kind")] | None = Field(
        None, description="Quality: the synthetic corpus (default) or your text."
    )
    tokens: int | None = Field(
        None,
        ge=1,
        json_schema_extra=limit_from("compare_max_tokens"),
        description="Speed: tokens per fwd+bwd (default 2048).",
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] | None = Field(
        None, description="Speed: auto = bfloat16 on CUDA, float32 on CPU."
    )
    compile: bool | Literal["auto"] | None = Field(None, description="Speed: torch.compile (auto = on CUDA only).")
    warmup: int | None = Field(None, ge=0, le=100, description="Speed: untimed steps first (default 3).")
    iters: int | None = Field(None, ge=1, le=1000, description="Speed: steps per timing sample (default 5).")
    repeats: int | None = Field(None, ge=1, le=100, description="Speed: samples; the median is reported (default 3).")

    def to_raw(self) -> dict[str, Any]:
        """The fields that were given, checked against the kind."""
        raw = self.model_dump(exclude_none=True)
        other = SPEED_ONLY if self.kind == "quality" else QUALITY_ONLY
        for name in sorted(other & set(raw)):
            raise InvalidInputError(f"body.{name}", f"not a field of a {self.kind} comparison")
        return raw


def job_view(session: Session, job: Job, request: Request | None = None, results: bool = True) -> dict[str, Any]:
    """The JSON form of a job — the API body and the page's data alike."""
    base = f"/api/v1/comparisons/{job.id}"
    out: dict[str, Any] = {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "cancel_requested": job.cancel_requested,
        "progress": round(job.progress, 4),
        "done_steps": job.done_steps,
        "total_steps": job.total_steps,
        "queue_position": queue.queue_position(session, job),
        "eta_seconds": _rounded(queue.eta_seconds(session, job)),
        "estimate": {"seconds": round(job.estimate_seconds, 1), "flops": job.estimate_flops},
        "attempts": job.attempts,
        "error": job.error,
        "device_class": job.device_class,
        "code_version": job.code_version,
        "config": job.config,
        "created_at": iso_utc(job.created_at),
        "started_at": iso_utc(job.started_at),
        "finished_at": iso_utc(job.finished_at),
        "links": {"self": base, "events": f"{base}/events", "page": f"/comparisons/{job.id}"},
    }
    if results:
        out["results"] = job.results
    return out


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def submit(session: Session, settings: Settings, raw: dict[str, Any]) -> queue.Submission:
    """Store (or find) the job and, with the Celery backend, publish it — shared with the form page."""
    try:
        submission = queue.submit(session, settings, raw)
    except queue.QueueFullError as exc:
        raise ProblemError(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    except InvalidInputError as exc:  # the queue names config fields; over HTTP they are in the body
        raise InvalidInputError(f"body.{exc.field}", exc.message, exc.limit, exc.status) from exc
    session.commit()
    if settings.job_backend == "celery" and not (submission.cached or submission.existing):
        from app.jobs.celery_app import publish

        publish(settings, submission.job.id)
    return submission


@router.post(
    "",
    status_code=202,
    responses=ACCEPTED | problem_responses(413, 422, 429),
)
def create_comparison(body: ComparisonIn, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Queue a comparison. The cost is estimated first: over ACTLAB_COMPARE_MAX_EXPECTED_SECONDS -> 422;
    a full queue -> 429 with Retry-After; a text corpus over ACTLAB_COMPARE_CORPUS_MAX_BYTES -> 413.

    A new job's answer carries ``cancel_token``, shown this once: send it as ``Authorization: Bearer
    <cancel_token>`` to cancel the job. It is null when an identical job answered (that job is not yours)."""
    submission = submit(session, settings, body.to_raw())
    view = job_view(session, submission.job)
    view["cached"] = submission.cached
    view["cancel_token"] = submission.cancel_token
    location = view["links"]["self"]
    return JSONResponse(view, status_code=200 if submission.cached else 202, headers={"Location": location})


@router.get("", responses=problem_responses(422))
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


@router.get("/{job_id}", responses=problem_responses(404, 422))
def get_comparison(job_id: JobId, session: SessionDep) -> dict[str, Any]:
    """Config, status, progress (with queue position and ETA), results, error."""
    return job_view(session, _job_or_404(session, job_id))


@router.delete(
    "/{job_id}",
    status_code=202,
    responses=CANCELLED | problem_responses(401, 403, 404, 409, 422),
)
def cancel_comparison(job_id: JobId, request: Request, session: SessionDep) -> JSONResponse:
    """Cancel: a queued job at once (200); a running one stops at its next training step (202, then
    ``cancelled``). A finished job cannot be cancelled (409). Needs ``Authorization: Bearer`` with the job's
    ``cancel_token`` (from its POST) or the admin token: 401 without a valid token, 403 with another job's."""
    job = cancel_job(request, session, job_id, bearer_token(request))
    return JSONResponse(job_view(session, job, results=False), status_code=200 if job.status == "cancelled" else 202)


def authorize_cancel(request: Request, session: Session, job: Job, token: str | None) -> None:
    """The submitter (holding the job's cancel token) or the admin may cancel; 401 / 403 otherwise."""
    if token is None:
        raise ProblemError(
            401,
            "cancelling needs the job's cancel token (returned when it was submitted) or the admin token: "
            "send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    if is_admin_token(request, token) or queue.owns(job, token):
        return
    if queue.token_owns_any_job(session, token):
        raise ProblemError(403, f"this token belongs to another job; it cannot cancel job {job.id}")
    raise ProblemError(401, "invalid token", headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'})


def cancel_job(request: Request, session: Session, job_id: str, token: str | None) -> Job:
    """Authorize and cancel (the API's DELETE and the page's Cancel button)."""
    job = _job_or_404(session, job_id)
    authorize_cancel(request, session, job, token)
    try:
        job = queue.request_cancel(session, job_id)
    except queue.JobFinishedError as exc:
        raise ProblemError(409, str(exc)) from exc
    session.commit()
    return job


def _job_or_404(session: Session, job_id: str) -> Job:
    try:
        return queue.get_job(session, job_id)
    except queue.JobNotFoundError as exc:
        raise ProblemError(404, str(exc)) from exc


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses=EVENT_STREAM | problem_responses(404, 422),
)
async def comparison_events(
    job_id: JobId,
    request: Request,
    last_event_id: Annotated[
        str, Header(alias="Last-Event-ID", pattern=r"^[0-9]{0,18}$", description="Resume after this event.")
    ] = "",
    after: Annotated[
        int | None, Query(ge=0, description="Same as Last-Event-ID, for clients that cannot set it.")
    ] = None,
) -> StreamingResponse:
    """Server-Sent Events: ``status`` (state changes), ``start``, ``progress`` (per-step losses of every
    variant and seed since the previous event, with done/total steps) and ``run_done``. Each event's
    ``id`` is its sequence number: reconnecting with ``Last-Event-ID`` resumes after it. The stream
    ends after the final status."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    try:
        # An empty header is what a client sends before it has seen any event: start from the beginning.
        start = int(last_event_id) if last_event_id else (after or 0)
    except ValueError:
        raise InvalidInputError("header.Last-Event-ID", "must be an event id (an integer)") from None

    def read(seq: int) -> tuple[list[tuple[int, str, dict[str, Any]]], str]:
        with factory() as session:
            job = _job_or_404(session, job_id)
            events = [(e.seq, e.type, e.data) for e in queue.events_after(session, job_id, seq)]
            return events, job.status

    await run_in_threadpool(read, start)  # 404 before the stream starts

    shutting_down: threading.Event | None = getattr(request.app.state, "shutting_down", None)

    async def stream() -> AsyncIterator[str]:
        seq, quiet = start, 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            if shutting_down is not None and shutting_down.is_set():
                return  # the server is going down: the browser reconnects with Last-Event-ID
            events, status = await run_in_threadpool(read, seq)
            for number, type_, data in events:
                seq = number
                yield f"id: {number}\nevent: {type_}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
            if not events and status in FINISHED_STATUSES:
                return
            if events:
                quiet = 0.0
                continue
            quiet += 0.5
            if quiet >= 15:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await asyncio.sleep(0.5)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
