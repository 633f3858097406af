"""Pre-serialized responses for the reference data, invalidated when the dataset revision moves.

The reference data only changes when ``actlab seed`` loads a new revision, so building a response
(ORM queries, JSON or CSV or HTML rendering) once per revision and serving the stored bytes turns a
~1 ms database-bound request into a dictionary lookup. Each process re-reads the revision at most
every ``reference_cache_check_seconds``, which is how a seed run in another process reaches it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.db import create_db_engine
from app.http.lru import ByteBudget, CachedResponse, RenderPool, ResponseCache
from app.http.prerender import Demand
from app.http.problems import problem_responses
from app.http.thread_cache import SingleFlight

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
JSON_MEDIA_TYPE = "application/json"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
#: Threads building JSON and CSV bodies (database-bound; the charts have the render pool).
DATA_THREADS = 8
# OpenAPI entry for the 304 that every route served from this cache gives to a matching If-None-Match.
NOT_MODIFIED_RESPONSE: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match still matches."}
}


def cached_responses(model: type[BaseModel], *statuses: int, csv: bool = False) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route served from this cache.

    The 200 is JSON described by ``model`` (the route returns the cached bytes, so the model documents
    them rather than serializing them), or CSV when ``csv``; then the 304 of a matching ETag and the
    problem statuses the route can answer.
    """
    ok: dict[str, Any] = {"model": model, "description": "The JSON document"}
    if csv:
        ok |= {"content": {"text/csv": {}}, "description": "JSON, or CSV when asked for"}
    return {200: ok} | NOT_MODIFIED_RESPONSE | problem_responses(*statuses)


@dataclass
class Payload:
    """What a route builds: the JSON document, and the flat rows its CSV form is made of."""

    data: Any
    csv_rows: list[dict[str, Any]] | None = None
    csv_columns: list[str] = field(default_factory=list)




def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = ";".join(str(v) for v in value)
        else:
            out[name] = "" if value is None else value
    return out


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    flat = [_flatten(r) for r in rows]
    if not columns:
        columns = list(dict.fromkeys(k for r in flat for k in r))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return buffer.getvalue().encode()


def wants_csv(format_param: str | None, accept: str) -> bool:
    if format_param:
        return format_param.lower() == "csv"
    return "text/csv" in accept and "application/json" not in accept


def cache_key(revision: int, path: str, query_string: str, accept: str) -> tuple[Any, ...]:
    """One key function for storing (in the route) and serving (in the middleware)."""
    items = tuple(sorted(parse_qsl(query_string, keep_blank_values=True)))
    fmt = next((v for k, v in items if k == "format"), None)
    return (revision, path, items, "csv" if wants_csv(fmt, accept) else "default")


class ReferenceResponses:
    """A per-process LRU of rendered reference responses keyed by URL, format and dataset revision."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        pool: RenderPool | None = None,
        budget: ByteBudget | None = None,
    ) -> None:
        self._factory = session_factory
        self._pool = pool or RenderPool(settings.render_threads)
        # JSON and CSV bodies (a query and orjson) build in threads of their own: behind a queue of charts
        # in the render pool, a result page missing the cache waited seconds for a few milliseconds of work.
        self._data_pool = RenderPool(DATA_THREADS)
        # The revision is read on the event loop; give it its own connection so that it never waits
        # behind request threads for the shared pool.
        self._revision_engine = create_db_engine(settings, pool_size=1, max_overflow=0)
        self._check_every = settings.reference_cache_check_seconds
        # Bounded by entries, and in bytes by the budget it shares with the curve responses.
        self._entries = ResponseCache(settings.reference_cache_entries, sys.maxsize, budget)
        # The posts of thread pages (app/web/thread_view.py), one entry per thread, in the same budget; they
        # show paper tables and charts of this revision, so they go when it changes.
        self._thread_posts = ResponseCache(settings.reference_cache_entries, sys.maxsize, budget)
        # Which reference pages visitors ask for while they are being pre-rendered (app/http/prerender.py).
        self.demand = Demand()
        # Concurrent builds of one thread part for one state run once (app/http/thread_cache.py).
        self.thread_flights = SingleFlight()
        self._lock = threading.Lock()
        self._revision_lock = threading.Lock()
        self._revision = -1
        self._checked_at = float("-inf")

    def read_revision(self) -> int:
        try:
            with self._revision_lock, self._revision_engine.connect() as conn:
                value = conn.execute(text("SELECT revision FROM dataset_info WHERE id = 1")).scalar()
        except SQLAlchemyError:
            return 0
        return int(value or 0)

    def revision(self) -> int:
        now = time.monotonic()
        if now - self._checked_at >= self._check_every:
            current = self.read_revision()
            with self._lock:
                self._checked_at = now
                if current != self._revision:
                    self._entries.clear()
                    self._thread_posts.clear()
                    self._revision = current
        return self._revision

    def dispose(self) -> None:
        self._data_pool.close()
        self._revision_engine.dispose()

    @property
    def data_pool(self) -> RenderPool:
        """Where bodies without a chart (JSON, CSV) are built: never behind the render pool's charts."""
        return self._data_pool

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
            self._thread_posts.clear()
            self._checked_at = float("-inf")

    @property
    def responses(self) -> ResponseCache:
        return self._entries

    @property
    def thread_posts(self) -> ResponseCache:
        """The rendered posts of thread pages, keyed by thread, each tagged with the thread's state."""
        return self._thread_posts

    def lookup_scope(self, scope: Scope) -> tuple[CachedResponse, bool] | None:
        """The cached entry for an ASGI GET request and whether its If-None-Match matches, or None."""
        headers = dict(scope["headers"])
        accept = headers.get(b"accept", b"").decode("latin-1")
        key = cache_key(self.revision(), scope["path"], scope["query_string"].decode("latin-1"), accept)
        entry = self._lookup(key)
        if entry is None:
            return None
        return entry, headers.get(b"if-none-match", b"").decode("latin-1") == entry.etag

    def _lookup(self, key: tuple[Any, ...]) -> CachedResponse | None:
        return self._entries.get(key)

    async def respond(
        self,
        request: Request,
        build: Callable[[Session], Payload],
        *,
        html: Callable[[Payload], str] | None = None,
    ) -> Response:
        """Serve ``build``'s result as JSON, CSV (when asked) or HTML (for pages), from the cache."""
        revision = self.revision()
        accept = request.headers.get("accept", "")
        as_csv = wants_csv(request.query_params.get("format"), accept)
        fmt = "html" if html is not None else ("csv" if as_csv else "json")
        key = cache_key(revision, request.url.path, request.url.query, accept)

        def render() -> CachedResponse:
            with self._factory() as session:
                payload = build(session)
            if fmt == "html":
                assert html is not None
                body, media = html(payload).encode(), HTML_MEDIA_TYPE
            elif fmt == "csv":
                if payload.csv_rows is None:
                    body, media = to_csv([payload.data], payload.csv_columns), CSV_MEDIA_TYPE
                else:
                    body, media = to_csv(payload.csv_rows, payload.csv_columns), CSV_MEDIA_TYPE
            else:
                body, media = orjson.dumps(payload.data), JSON_MEDIA_TYPE
            etag = f'"r{revision}-{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
            return CachedResponse(body, media, etag)

        pool = self._pool if fmt == "html" else self._data_pool  # pages may draw charts; data never does
        entry, _ = await self._entries.get_or_render(key, render, pool)
        headers = {"ETag": entry.etag, "Cache-Control": "no-cache", "Vary": "Accept"}
        if request.headers.get("if-none-match") == entry.etag:
            return Response(status_code=304, headers=headers)
        return Response(entry.body, media_type=entry.media_type, headers=headers)


class ReferenceCacheMiddleware:
    """Serve a cached reference response before routing, validation and dependency injection run.

    Only responses that a route already built successfully are in the cache, so a hit is exactly the
    answer the route would give; everything else passes through untouched.
    """

    def __init__(self, app: ASGIApp, cache: ReferenceResponses) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            self.cache.demand.count(scope)
            hit = self.cache.lookup_scope(scope)
            if hit is not None:
                entry, not_modified = hit
                headers = [
                    (b"etag", entry.etag.encode()),
                    (b"cache-control", b"no-cache"),
                    (b"vary", b"Accept"),
                ]
                if not_modified:
                    await send({"type": "http.response.start", "status": 304, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
                headers += [
                    (b"content-type", entry.media_type.encode()),
                    (b"content-length", str(len(entry.body)).encode()),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                body = b"" if scope["method"] == "HEAD" else entry.body
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
