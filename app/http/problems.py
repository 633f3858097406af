"""One error shape for the whole service: RFC 9457 problem details (``application/problem+json``).

Domain modules raise plain exceptions (or :class:`ProblemError`); the handlers registered here turn
every failure — validation, unknown names, limits, unexpected bugs — into the same JSON body, so a
client needs exactly one error parser.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.domain import InvalidInputError, NotFoundError, UnknownNameError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("actlab.errors")
#: Seconds a client is asked to wait before retrying while the database is unavailable.
DATABASE_RETRY_AFTER_SECONDS = 5
# An unpaired surrogate cannot be encoded as UTF-8; one echoed from the input (an unknown field's name, an
# unknown variant) would make the error response itself fail, so it is shown as U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(value: Any) -> Any:
    """``value`` with every unpaired surrogate in its strings replaced by U+FFFD (lists and dicts walked)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    return value

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request timeout",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    """One problem with one input: where it is, what is wrong, and the limit when there is one."""

    loc: list[str | int] = Field(description="Path to the offending field, e.g. ['query', 'points'].")
    msg: str
    type: str = "value_error"
    limit: Any | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, extended with the list of field errors."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    valid: list[str] | None = Field(None, description="Valid names, when an unknown name was given.")


class ProblemError(Exception):
    """Raise anywhere below the routers to answer with a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        valid: list[str] | None = None,
        headers: dict[str, str] | None = None,
        type_: str = "about:blank",
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.valid = valid
        self.headers = headers or {}
        self.type = type_


def field_problem(status: int, loc: list[str | int], msg: str, *, limit: Any = None) -> ProblemError:
    """A problem about one input field, naming the field and the limit it broke."""
    where = ".".join(str(p) for p in loc)
    return ProblemError(status, f"{where}: {msg}", errors=[FieldError(loc=loc, msg=msg, limit=limit)])


def not_found(exc: NotFoundError) -> ProblemError:
    """The 404 for a record that is not stored, naming the field its id came in (one shape for every record)."""
    return ProblemError(
        404, exc.detail, errors=[FieldError(loc=exc.field.split("."), msg=exc.message, type=exc.error_type)]
    )


def problem_response(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
    valid: list[str] | None = None,
    headers: dict[str, str] | None = None,
    type_: str = "about:blank",
) -> Response:
    body = Problem(
        type=type_,
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=instance,
        errors=errors or [],
        valid=valid,
    )
    return Response(
        orjson.dumps(_encodable(body.model_dump(exclude_none=True))),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def wants_html(request: Request) -> bool:
    """Browsers asking for a page get an HTML error page; API clients always get problem+json."""
    if request.url.path.startswith("/api/") or request.url.path in {"/healthz", "/readyz"}:
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def _error(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    valid: list[str] | None = None,
    headers: dict[str, str] | None = None,
    type_: str = "about:blank",
) -> Response:
    """The error as a page for browsers, else as problem+json. The page is told which path value was the
    unknown name (the one that is not among the valid names), so it can link each valid name in its place."""
    templates = getattr(request.app.state, "templates", None)
    if templates is not None and wants_html(request):
        unknown = next((v for v in request.path_params.values() if isinstance(v, str) and v not in (valid or [])), None)
        body = templates.env.get_template("error.html").render(
            request=request,
            current_path=request.url.path,
            status=status,
            title=TITLES.get(status, "Error"),
            detail=_encodable(detail),
            errors=[FieldError.model_validate(_encodable(e.model_dump())) for e in errors or []],
            valid=_encodable(valid or []),
            unknown=unknown,
        )
        return Response(body, status_code=status, media_type="text/html; charset=utf-8", headers=headers)
    return problem_response(
        status, detail, instance=request.url.path, errors=errors, valid=valid, headers=headers, type_=type_
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries, so every status a route can return is declared."""
    return {
        status: {
            "model": Problem,
            "description": TITLES.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        limit = next((ctx[k] for k in ("le", "ge", "lt", "gt", "max_length", "min_length") if k in ctx), None)
        out.append(
            FieldError(
                loc=[p for p in err.get("loc", ()) if isinstance(p, str | int)],
                msg=str(err.get("msg", "invalid")),
                type=str(err.get("type", "value_error")),
                limit=limit if isinstance(limit, int | float | str) else None,
            )
        )
    return out


def _allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document lists for the requested path (routers nest, the schema is flat)."""
    from starlette.routing import compile_path

    matching = [
        (template, item) for template, item in request.app.openapi().get("paths", {}).items()
        if compile_path(template)[0].match(request.url.path)
    ]
    # A fixed path (/api/v1/comparisons/estimate) is its own resource, not one value of a template beside it.
    matching = [m for m in matching if "{" not in m[0]] or matching
    methods: set[str] = set()
    for _, item in matching:
        methods |= {m.upper() for m in item if m in {"get", "put", "post", "delete", "patch", "head", "options"}}
    if "GET" in methods:
        methods.add("HEAD")  # every GET route answers HEAD (app.http.head)
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return _error(
            request, exc.status, exc.detail, errors=exc.errors, valid=exc.valid, headers=exc.headers, type_=exc.type
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return await _problem(request, not_found(exc))

    @app.exception_handler(UnknownNameError)
    async def _unknown(request: Request, exc: UnknownNameError) -> Response:
        shown = ", ".join(exc.valid[:60]) + (" …" if len(exc.valid) > 60 else "")
        errors = [FieldError(loc=[exc.field], msg=f"unknown {exc.kind}", type="unknown_name")] if exc.field else []
        return _error(request, 404, f"unknown {exc.kind} '{exc.name}'; valid: {shown}", errors=errors, valid=exc.valid)

    @app.exception_handler(InvalidInputError)
    async def _invalid(request: Request, exc: InvalidInputError) -> Response:
        return _error(
            request,
            exc.status,
            str(exc) + (f" (limit {exc.limit})" if exc.limit is not None else ""),
            errors=[FieldError(loc=exc.field.split("."), msg=exc.message, limit=exc.limit)],
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.loc)}: {e.msg}" + (f" (limit {e.limit})" if e.limit is not None else "")
            for e in errors
        )
        return _error(request, 422, detail or "invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.url.path}"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; list every route on this path.
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}"
        return _error(request, exc.status_code, detail, headers=headers or None)

    @app.exception_handler(OperationalError)
    @app.exception_handler(ProgrammingError)
    async def _database_not_ready(request: Request, exc: Exception) -> Response:
        log.error("database error on %s %s: %s", request.method, request.url.path, exc)
        return _error(
            request,
            503,
            "the database is unavailable or not migrated; see /readyz (`actlab migrate` fixes the latter)",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # The last line behind the request checks: a value the column cannot hold (out of range, bad text)
        # is the client's input, not a server fault. The driver's message may quote it, so it is only logged.
        log.warning("value refused by the database on %s %s: %s", request.method, request.url.path, exc.orig)
        return _error(
            request,
            422,
            "a value the database cannot store",
            errors=[FieldError(loc=["request"], msg="cannot be stored", type="unstorable")],
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal error; it has been logged")


T = TypeVar("T")


def as_problem(exc: UnknownNameError | InvalidInputError, path_fields: tuple[str, ...] = ("id",)) -> ProblemError:
    """A domain error raised while checking a request, as a problem naming the field (and its place, path
    or query) and the limit or the valid names. An unknown name in the path is a 404; in the query a 422."""
    field = exc.field or ""
    where = "path" if field in path_fields else "query"
    if isinstance(exc, UnknownNameError):
        status = 404 if where == "path" else 422
        return ProblemError(
            status,
            f"{where}.{field}: unknown {exc.kind} '{exc.name}'; valid: {', '.join(exc.valid)}",
            errors=[FieldError(loc=[where, field], msg=f"unknown {exc.kind}", type="unknown_name")],
            valid=exc.valid,
        )
    return field_problem(422, [where, field], exc.message, limit=exc.limit)


def checked(build: Callable[[], T], path_fields: tuple[str, ...] = ("id",)) -> T:
    """``build()``, with a domain error it raises turned into the problem :func:`as_problem` describes."""
    try:
        return build()
    except (UnknownNameError, InvalidInputError) as exc:
        raise as_problem(exc, path_fields) from exc
