"""Request-size and request-rate limits, enforced before a request reaches any route.

Bodies are counted as they arrive, so a chunked upload without Content-Length is cut off at the cap
just like one that declares its size. Rates use a token bucket per client and class (writes, reads)
held in this process's memory: one API process enforces exactly its limits; several replicas each
enforce theirs (documented in the README's "Deploying safely").
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.http.problems import FieldError, problem_response

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class BodySizeLimitMiddleware:
    """Answer 413 for bodies over ``max_body_bytes``, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        # Read the whole body first (it is bounded by the cap), then replay it to the app.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            f"request body larger than {self.max_bytes} bytes",
            instance=scope["path"],
            errors=[FieldError(loc=["body"], msg="too large", type="too_large", limit=self.max_bytes)],
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Per-key token buckets: ``rate`` requests per minute, bursts up to the same number."""

    def __init__(self, per_minute: int, max_keys: int = 100_000) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one token; return 0 when allowed, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._buckets.clear()  # bounded memory under a flood of distinct clients
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.refill_per_second


def client_key(scope: Scope, trust_forwarded_for: bool) -> str:
    """The client's address; behind a trusted proxy, the address that proxy appended to X-Forwarded-For.

    The rightmost entry is the one the proxy wrote; entries to its left come from the client and can be
    anything, so using them would let a client pick a fresh identity (and rate-limit budget) per request.
    """
    if trust_forwarded_for:
        forwarded = dict(scope["headers"]).get(b"x-forwarded-for")
        if forwarded:
            return forwarded.decode("latin-1").split(",")[-1].strip()
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimitMiddleware:
    """429 with Retry-After when a client exceeds its per-minute budget for writes or for reads."""

    EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics", "/static/")

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.trust_forwarded_for = settings.trust_forwarded_for
        self.writes = TokenBuckets(settings.rate_limit_writes_per_minute)
        self.reads = TokenBuckets(settings.rate_limit_reads_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.EXEMPT_PATHS):
            await self.app(scope, receive, send)
            return
        is_write = scope["method"] in WRITE_METHODS
        buckets = self.writes if is_write else self.reads
        wait = buckets.take(client_key(scope, self.trust_forwarded_for))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            kind = "writes" if is_write else "requests"
            limit = buckets.capacity
            response = problem_response(
                429,
                f"too many {kind}: at most {limit:.0f} per minute per client; retry in {retry_after} s",
                instance=scope["path"],
                errors=[FieldError(loc=["client"], msg="rate limit", type="rate_limit", limit=int(limit))],
                headers={"Retry-After": str(retry_after)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
