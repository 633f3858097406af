"""HEAD on every GET route: the same status and headers as GET, and no body.

FastAPI registers a GET route for GET only, so HEAD answered 405 wherever the reference cache had not
stored the response yet. This middleware runs a HEAD request as a GET and drops the body on the way out:
the headers (``Content-Length`` and ``ETag`` included) are exactly GET's, and the server, which still
knows the request was HEAD, sends none. A streaming response (Server-Sent Events) is answered with its
headers alone: after the start of the response the application is told the client has gone, so the stream
stops instead of running on unseen.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    """Answer HEAD as GET without a body (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        answered = False

        async def headers_only(message: Message) -> None:
            nonlocal answered
            if answered:
                return  # the body GET goes on to send, and anything after it
            if message["type"] == "http.response.start":
                await send(message)
                return
            if message["type"] == "http.response.body":
                answered = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)  # e.g. trailers or extensions: passed on unchanged

        async def gone_once_answered() -> Message:
            if answered:
                return {"type": "http.disconnect"}
            return await receive()

        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, gone_once_answered, headers_only)
        finally:
            # What routing found, for the access log and the metrics outside (they label by route).
            for key in ("route", "endpoint", "path_params"):
                if key in inner:
                    scope[key] = inner[key]
