"""The display name a browser remembers: a cookie set when a form posted with a name, read to prefill
the next form. It is a convenience, not an identity: anyone may post under any name, so it is neither
HttpOnly nor signed; SameSite=Lax keeps it off cross-site requests."""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "actlab_display_name"
#: A year: the name is remembered until the browser forgets it or another name is posted.
MAX_AGE_SECONDS = 365 * 24 * 3600
#: Longer cookie values than this are ignored (a display name is far shorter).
MAX_CHARS = 500


def remembered(request: Request) -> str:
    """The remembered display name, or "" when there is none (or the cookie is not one we set)."""
    raw = request.cookies.get(COOKIE, "")
    name = unquote(raw, errors="replace") if len(raw) <= 3 * MAX_CHARS else ""
    return name if name.isprintable() else ""


def prefilled(request: Request, form: dict[str, str]) -> dict[str, str]:
    """``form`` with the remembered name where the form has none of its own."""
    return form if form.get("display_name") else {**form, "display_name": remembered(request)}


def remember(response: Response, name: str | None) -> Response:
    """Set the cookie to the name a form just posted with (a post without a name leaves it as it was)."""
    if name and name.strip():
        response.set_cookie(COOKIE, quote(name.strip()[:MAX_CHARS], safe=""), max_age=MAX_AGE_SECONDS,
                            path="/", samesite="lax")
    return response
