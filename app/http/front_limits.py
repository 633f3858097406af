"""Limits on the request head, on concurrency and on redirects, for a server exposed without a proxy.

``actlab serve`` bounds what the HTTP parser buffers (h11's incomplete-event size), idle keep-alive
connections and open connections with uvicorn's own options (app/cli/main.py); this middleware does the
rest, before any route runs:

- more than ``http_max_headers`` headers, or more than ``http_max_header_bytes`` of them: 431;
- a request target (path and query) over ``http_max_url_bytes``: 414;
- more than ``http_max_concurrent_requests`` requests in progress (live-progress streams, capped on their
  own, are not counted): 503 with Retry-After;
- a body that does not arrive within ``http_request_timeout_seconds`` is abandoned (as if the client left);
- a redirect never names the Host the client sent: the trailing-slash redirect's absolute Location
  becomes a relative one, so a forged Host header cannot be reflected into it.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.problems import FieldError, problem_response
from app.settings_http import ServiceSettings

RETRY_AFTER_SECONDS = 1


class FrontLimitsMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.max_headers = settings.http_max_headers
        self.max_header_bytes = settings.http_max_header_bytes
        self.max_url_bytes = settings.http_max_url_bytes
        self.max_concurrent = settings.http_max_concurrent_requests
        self.body_timeout = settings.http_request_timeout_seconds
        self.in_progress = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        counted = not scope["path"].endswith("/events")
        if counted and self.in_progress >= self.max_concurrent:
            busy = problem_response(
                503,
                f"the server is handling {self.max_concurrent} requests; retry in {RETRY_AFTER_SECONDS} s",
                instance=scope["path"],
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
            await busy(scope, receive, send)
            return
        self.in_progress += counted
        try:
            await self.app(scope, self._timed(receive), self._relative_redirects(send))
        finally:
            self.in_progress -= counted

    def _refusal(self, scope: Scope) -> Response | None:
        headers = scope["headers"]
        size = sum(len(name) + len(value) + 4 for name, value in headers)
        if len(headers) > self.max_headers or size > self.max_header_bytes:
            return problem_response(
                431,
                f"request headers too large: at most {self.max_headers} headers and {self.max_header_bytes} bytes",
                instance="/",
                errors=[FieldError(loc=["header"], msg="too large", type="too_large", limit=self.max_header_bytes)],
                headers={"Connection": "close"},
            )
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
        if target > self.max_url_bytes:
            return problem_response(
                414,
                f"request target longer than {self.max_url_bytes} bytes",
                instance="/",
                errors=[FieldError(loc=["path"], msg="too long", type="too_long", limit=self.max_url_bytes)],
            )
        return None

    def _timed(self, receive: Receive) -> Receive:
        body_done = False

        async def receive_in_time() -> Message:
            nonlocal body_done
            if body_done:  # after the body, a receive waits for the disconnect (streams): no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=self.body_timeout)
            except TimeoutError:
                return {"type": "http.disconnect"}  # a body this slow is abandoned; the route stops reading
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return receive_in_time

    @staticmethod
    def _relative_redirects(send: Send) -> Send:
        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"location":
                        parts = urlsplit(value.decode("latin-1"))
                        if parts.scheme or parts.netloc:
                            relative = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                            value = relative.encode("latin-1")
                    headers.append((name, value))
                message["headers"] = headers
            await send(message)

        return send_relative
