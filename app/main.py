"""The application factory: the only place where settings, database, routers and templates meet."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from app import __version__
from app.api import activations as activations_api
from app.api import catalog as catalog_api
from app.api import comparisons as comparisons_api
from app.api import health as health_api
from app.api import misreadings as misreadings_api
from app.api import papers as papers_api
from app.api import questions as questions_api
from app.api import sizing as sizing_api
from app.api import thread_search as thread_search_api
from app.api import threads as threads_api
from app.config import PROJECT_ROOT, Settings
from app.db import create_db_engine, make_session_factory
from app.http.caching import ActivationState
from app.http.event_feeds import JobFeeds
from app.http.front_limits import FrontLimitsMiddleware
from app.http.head import HeadAsGetMiddleware
from app.http.inputs import check_query_and_path
from app.http.jobs import event_reader
from app.http.limits import BodySizeLimitMiddleware, RateLimitMiddleware
from app.http.lru import ByteBudget, RenderPool, SizedCache, cache_metrics
from app.http.observability import Metrics, RequestContextMiddleware, configure_logging
from app.http.openapi import install_openapi
from app.http.prerender import prerender, reference_pages
from app.http.probes import CachedCollector
from app.http.problems import install_error_handlers
from app.http.reference_cache import ReferenceCacheMiddleware, ReferenceResponses
from app.http.security import CrossSiteWriteMiddleware, SecurityHeadersMiddleware
from app.http.service_metrics import collector as service_metrics_collector
from app.http.static import SiteStaticFiles
from app.web import activations as activations_web
from app.web import comparisons as comparisons_web
from app.web import docs as docs_web
from app.web import misreadings as misreadings_web
from app.web import pages as pages_web
from app.web import threads as threads_web
from app.web.templating import make_templates


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Notice the server's shutdown signals; close the database connections when the server stops.

    Live-progress streams never end by themselves; they must end when the server shuts down (they
    watch ``app.state.shutting_down``), or the server waits for them (ACTLAB_HTTP_SHUTDOWN_TIMEOUT_SECONDS)
    and then cancels them with an error."""
    shutting_down = threading.Event()
    app.state.shutting_down = shutting_down
    _notice_shutdown_signals(shutting_down)
    prerendering = None
    if app.state.settings.prerender:  # in the background: readiness does not wait for it
        prerendering = asyncio.get_running_loop().create_task(_prerender(app), name="prerender")
    app.state.prerendering = prerendering
    yield
    if prerendering is not None:
        prerendering.cancel()
    app.state.job_feeds.close()
    app.state.render_pool.close()
    app.state.reference_responses.dispose()
    app.state.engine.dispose()


async def _prerender(app: FastAPI) -> None:
    """Draw the reference pages and charts before visitors ask (a cold start must not stampede)."""
    pages = await asyncio.get_running_loop().run_in_executor(None, reference_pages, app.state.session_factory)
    await prerender(app, pages)


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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    _bound_torch_threads(settings.api_torch_threads)
    app = FastAPI(
        lifespan=_lifespan,
        # Every route: no query or path value that a database cannot store (NUL, unpaired surrogates).
        dependencies=[Depends(check_query_and_path)],
        docs_url=None,  # app/web/docs.py serves a vendored Swagger UI: the CDN default breaks offline and under the CSP
        redoc_url=None,
        title="Activation Lab",
        version=__version__,
        description=(
            "Why Gemma 2 uses an approximated GeGLU, why LLaMA uses SwiGLU, what the 2/3 hidden-size rule is: "
            "the published numbers with provenance, activation curves computed exactly, and FFN comparisons "
            "you can run."
        ),
    )
    engine = create_db_engine(settings)
    session_factory = make_session_factory(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    render_pool = RenderPool(settings.render_threads)  # pages and charts render here, off the event loop
    app.state.render_pool = render_pool
    budget = ByteBudget(settings.response_cache_max_bytes)  # every response cache of the process together
    reference_responses = ReferenceResponses(settings, session_factory, render_pool, budget)
    app.state.reference_responses = reference_responses
    app.state.activations = ActivationState.from_settings(settings, budget)
    app.state.templates = make_templates(settings)
    app.state.job_feeds = JobFeeds(
        event_reader(session_factory),
        poll_seconds=settings.sse_poll_seconds,
        idle_timeout_seconds=settings.sse_idle_timeout_seconds,
        max_per_client=settings.sse_max_streams_per_client,
        max_streams=settings.sse_max_streams,
    )

    metrics = Metrics()
    app.state.metrics = metrics
    # jobs, heartbeats, posts: aggregate queries, reused for a few seconds however often it is scraped
    metrics.add_collector(CachedCollector(service_metrics_collector(session_factory), settings.metrics_cache_seconds))
    caches: dict[str, SizedCache] = {
        "reference": reference_responses.responses,
        "curves": app.state.activations.responses,
        "threads": reference_responses.thread_posts,  # thread pages' posts and threads' JSON, per thread state
        "computed": app.state.activations.lab,  # the arrays behind curves, errors and surfaces
    }
    metrics.add_collector(cache_metrics(caches, budget))  # bytes per cache and the budget

    install_error_handlers(app)
    # Middleware, innermost first: the reference cache sits just outside the router, so every hit
    # still passes the cross-site, size and rate checks, gets security headers and is counted.
    app.add_middleware(ReferenceCacheMiddleware, cache=reference_responses)
    app.add_middleware(HeadAsGetMiddleware)  # HEAD on every GET route, cached or not
    app.add_middleware(CrossSiteWriteMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, settings=settings)
    app.add_middleware(FrontLimitsMiddleware, settings=settings)  # header, URL and concurrency limits first
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)

    test_tools = settings.environment == "test"  # axe-core for the browser tests, nowhere else
    app.mount("/static", SiteStaticFiles(PROJECT_ROOT / "app" / "static", serve_test_tools=test_tools), name="static")

    # JSON routers first, then pages; each line is one resource.
    app.include_router(health_api.router)
    app.include_router(papers_api.router)
    app.include_router(catalog_api.router)
    app.include_router(sizing_api.router)
    app.include_router(activations_api.router)
    app.include_router(comparisons_api.router)
    app.include_router(threads_api.router)
    app.include_router(thread_search_api.router)
    app.include_router(misreadings_api.router)
    app.include_router(questions_api.router)
    app.include_router(pages_web.router)
    app.include_router(comparisons_web.router)
    app.include_router(activations_web.router)
    app.include_router(threads_web.router)
    app.include_router(misreadings_web.router)
    app.include_router(docs_web.router)

    install_openapi(app, settings)
    return app


def _bound_torch_threads(threads: int) -> None:
    """Curves run in this process; on a small machine one torch thread beats two under load."""
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
