"""Pre-serialized bodies of computed responses (curves, approximation errors, gate surfaces).

Building a 10,001-point, 4-function curve takes ~15 ms of torch and ~1 ms of orjson, writing its SVG
a few ms (drawing a PNG with matplotlib ~100 ms), and a cache hit costs neither. Unlike the reference
data (app/http/reference_cache.py, kept per dataset revision), these bodies never go stale, so the cache
is bounded by entries and bytes instead; it stores the same :class:`CachedResponse` records. The arrays
they are rendered from are cached too (:class:`~app.activations.lab.ActivationLab`), in the same byte
budget. The state is created per application by ``create_app``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.activations.lab import ActivationLab
from app.config import Settings
from app.http.formats import media_type
from app.http.lru import ByteBudget, CachedResponse, RenderPool, ResponseCache
from app.http.problems import problem_responses
from app.http.reference_cache import NOT_MODIFIED_RESPONSE

#: The computed arrays (before serialization) may hold at most this fraction (1/4) of the process's
#: response-cache budget, within it: a body is what a hit serves, an array only saves the recomputation.
COMPUTED_SHARE = 4
#: Formats drawn by matplotlib, in the render pool; the others are built in the data pool.
CHART_FORMATS = frozenset({"svg", "png"})
#: Kinds of body whose SVG is written without matplotlib (app/plots/curve_svg.py): a few milliseconds, built in
#: the data pool rather than queued behind the matplotlib charts.
DIRECT_SVG_KINDS = frozenset({"curves"})


def drawn_by_matplotlib(key: tuple[Any, ...], fmt: str) -> bool:
    """Whether the body of ``key`` in ``fmt`` is a matplotlib drawing (a PNG, or an SVG not written directly)."""
    return fmt == "png" or (fmt in CHART_FORMATS and not (key and key[0] in DIRECT_SVG_KINDS))


@dataclass
class ActivationState:
    """The per-application computation cache and the cache of the bodies rendered from it."""

    lab: ActivationLab
    responses: ResponseCache

    @classmethod
    def from_settings(cls, settings: Settings, budget: ByteBudget | None = None) -> ActivationState:
        computed_bytes = settings.response_cache_max_bytes // COMPUTED_SHARE
        return cls(
            ActivationLab(settings.curve_computed_cache_entries, computed_bytes, budget),
            ResponseCache(settings.curve_cache_entries, settings.curve_cache_max_bytes, budget),
        )


def activation_state(request: Request) -> ActivationState:
    state: ActivationState = request.app.state.activations
    return state


async def cached_body(
    request: Request, key: tuple[Any, ...], fmt: str, render: Callable[[], bytes]
) -> tuple[CachedResponse, bool]:
    """The cached body for ``key``, or ``render`` run once in the render pool (however many requests miss
    ``key`` at once) and kept; and whether it was a hit."""

    def build() -> CachedResponse:
        body = render()
        return CachedResponse(body, media_type(fmt), f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"')

    # matplotlib charts queue for the render pool; JSON, CSV and directly written SVG never wait behind them.
    pool: RenderPool = (
        request.app.state.render_pool
        if drawn_by_matplotlib(key, fmt)
        else request.app.state.reference_responses.data_pool
    )
    return await activation_state(request).responses.get_or_render(key, build, pool)


async def cached_response(request: Request, key: tuple[Any, ...], fmt: str, render: Callable[[], bytes]) -> Response:
    """Serve ``key`` from the response cache (ETag, 304 on If-None-Match, X-Cache: hit or miss)."""
    entry, hit = await cached_body(request, key, fmt, render)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache", "X-Cache": "hit" if hit else "miss"}
    if request.headers.get("if-none-match") == entry.etag:
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type=entry.media_type, headers=headers)


def cached_body_responses(
    model: type[BaseModel], *statuses: int, formats: tuple[str, ...] = ("json",)
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route served from this cache: the 200 in each format it renders
    (JSON described by ``model``, which documents the cached bytes rather than serializing them), the
    304 of a matching ETag and the problem statuses the route can answer."""
    content: dict[str, Any] = {media_type(f).split(";")[0]: {} for f in formats}
    ok: dict[str, Any] = {"description": "OK", "model": model, "content": content}
    return {200: ok} | NOT_MODIFIED_RESPONSE | problem_responses(*statuses)
