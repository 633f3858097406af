"""Liveness, readiness, the Prometheus metrics and the loaded dataset version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from app import __version__, seed
from app.api.schemas import health as schemas
from app.http.deps import SessionDep
from app.http.openapi import success
from app.http.probes import unwritable_reason
from app.http.problems import problem_response, problem_responses
from app.http.security import require_admin
from app.migrate import current_revisions, head_revisions

router = APIRouter(tags=["health"])

METRICS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}
}


@router.get(
    "/metrics",
    response_class=Response,
    responses=METRICS_TEXT | problem_responses(401),
)
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latencies and the probes registered by each capability. Public in
    development and test; in production only with the admin token, unless ACTLAB_METRICS_PUBLIC=true.
    The database figures are computed in a thread and reused for ACTLAB_METRICS_CACHE_SECONDS."""
    if not request.app.state.settings.metrics_open:
        require_admin(request)
    body = await run_in_threadpool(request.app.state.metrics.render)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/healthz", response_model=None, responses=success(schemas.Health))
async def healthz() -> dict[str, str]:
    """The process is up (no database access, so it stays cheap for load balancers)."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz", responses=success(schemas.Readiness) | problem_responses(503))
async def readyz(request: Request) -> Any:
    """The database is reachable, at the migration head and takes writes (a write rolled back), and the
    embedded comparison worker (when this process started one) is running; 503 otherwise."""
    from app.jobs.local import embedded_worker_alive, embedded_worker_restarts

    if embedded_worker_alive() is False:
        return problem_response(
            503,
            f"the embedded comparison worker is down and being restarted ({embedded_worker_restarts()} restarts)",
            instance="/readyz",
        )
    settings = request.app.state.settings
    engine = request.app.state.engine

    def check() -> tuple[set[str], set[str], str | None]:
        current, head = current_revisions(engine), head_revisions(settings)
        return current, head, unwritable_reason(engine, settings.database_url) if current == head else None

    try:
        current, head, unwritable = await run_in_threadpool(check)
    except SQLAlchemyError as exc:
        return problem_response(503, f"database unreachable: {type(exc).__name__}", instance="/readyz")
    if current != head:
        return problem_response(
            503,
            f"database at migration {sorted(current) or 'none'}, head is {sorted(head)}; run `actlab migrate`",
            instance="/readyz",
        )
    if unwritable is not None:
        return problem_response(503, unwritable, instance="/readyz")
    return JSONResponse({"status": "ready", "migration": sorted(head)})


@router.get(
    "/api/v1/dataset",
    tags=["papers"],
    response_model=None,
    responses=success(schemas.DatasetVersion) | problem_responses(404),
)
def dataset(session: SessionDep) -> dict[str, Any]:
    """Which version of the reference data is loaded, its content hash and revision."""
    return seed.dataset_version(session)
