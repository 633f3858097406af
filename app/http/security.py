"""Who may write what, and what a browser may do with our pages.

- Security headers on every response: a Content-Security-Policy without inline scripts (inline *styles*
  stay allowed because the server-rendered SVG charts carry style attributes), nosniff, no framing,
  a strict referrer policy.
- Cross-site form posts are refused the way Datasette does it: a browser tells us where a request
  comes from (``Sec-Fetch-Site``, else ``Origin``); anything but same-origin is refused for unsafe
  methods. Non-browser API clients send neither header, and clients with a bearer token are exempt.
- Admin actions need ``Authorization: Bearer <ACTLAB_ADMIN_TOKEN>``: 401 with ``WWW-Authenticate``
  when it is missing or wrong, 403 when the caller is known but not allowed.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.problems import ProblemError

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_cross_site(headers: dict[bytes, bytes], host: str) -> bool:
    """True when a browser says the request comes from another site (Sec-Fetch-Site, then Origin)."""
    fetch_site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
    if fetch_site:
        return fetch_site not in {"same-origin", "none"}
    origin = headers.get(b"origin", b"").decode("latin-1")
    if not origin:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != host.lower()


class CrossSiteWriteMiddleware:
    """Refuse unsafe requests that a browser marks as cross-site, unless they carry a bearer token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = dict(scope["headers"])
            has_bearer = headers.get(b"authorization", b"").lower().startswith(b"bearer ")
            host = headers.get(b"host", b"").decode("latin-1")
            if not has_bearer and is_cross_site(headers, host):
                from app.http.problems import problem_response

                response = problem_response(
                    403,
                    "cross-site write refused: this form must be submitted from this site's own pages",
                    instance=scope["path"],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def is_admin(request: Request) -> bool:
    """Whether the request carries the configured admin token (constant-time comparison)."""
    return is_admin_token(request, bearer_token(request))


def is_admin_token(request: Request, token: str | None) -> bool:
    """Whether ``token`` is the configured admin token (constant-time comparison)."""
    configured = request.app.state.settings.admin_token
    if configured is None or token is None:
        return False
    return hmac.compare_digest(token.encode(), configured.get_secret_value().encode())


def require_admin(request: Request) -> None:
    """Dependency for admin-only routes: 401 without a valid token, with a WWW-Authenticate challenge."""
    if bearer_token(request) is None:
        raise ProblemError(
            401,
            "admin token required: send Authorization: Bearer <ACTLAB_ADMIN_TOKEN>",
            headers={"WWW-Authenticate": 'Bearer realm="actlab"'},
        )
    if not is_admin(request):
        raise ProblemError(
            401,
            "invalid admin token",
            headers={"WWW-Authenticate": 'Bearer realm="actlab", error="invalid_token"'},
        )


AdminDep = Annotated[None, Depends(require_admin)]
