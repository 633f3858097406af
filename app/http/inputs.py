"""Every text a request carries is storable: one check for query and path values and form fields, and the
validated string type for JSON request models.

A NUL character or an unpaired surrogate used to pass validation and fail in the database driver
(PostgreSQL refuses NUL in text; neither driver can encode a lone surrogate), answering 500. Instead of
remembering the rule in every route:

* :func:`check_query_and_path` is an application-wide dependency (``create_app`` installs it), so every
  route refuses such a query or path value with a 422 problem naming it (``query.q``, ``path.name``)
  before its own parameters are even read;
* :func:`read_form` is how every page route reads its form: the same check for each field
  (``body.display_name``), and no field cut off by the multipart parser's own part limit (route limits,
  such as the corpus's byte limit, are checked by the route and answered with 413);
* :data:`StorableText` is the ``str`` of request models (JSON bodies), refusing the same with a 422
  naming ``body.<field>``.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData

from app.http.problems import FieldError, ProblemError
from app.storable_text import StorableText, text_problem

__all__ = ["StorableText", "check_query_and_path", "check_text", "read_form"]


def check_text(loc: list[str | int], value: str) -> None:
    """Raise a 422 problem naming ``loc`` when ``value`` holds a NUL character or an unpaired surrogate."""
    problem = text_problem(value)
    if problem is None:
        return
    error_type, message = problem
    where = ".".join(str(p) for p in loc)
    raise ProblemError(422, f"{where}: {message}", errors=[FieldError(loc=loc, msg=message, type=error_type)])


async def check_query_and_path(request: Request) -> None:
    """Application-wide dependency: every path parameter, query name and query value must be storable."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_text(["path", name], value)
    for key, value in request.query_params.multi_items():
        check_text(["query", key], key)
        check_text(["query", key], value)


async def read_form(request: Request) -> FormData:
    """The request's form (urlencoded or multipart), every text field checked by :func:`check_text`.

    Parts may be as large as the whole body (``ACTLAB_MAX_BODY_BYTES`` already bounds it), so a field over
    a route's own limit reaches the route, which answers 413 naming the field and its limit, instead of the
    parser's bare 400."""
    max_part = int(request.app.state.settings.max_body_bytes)
    form = await request.form(max_part_size=max_part)
    for key, value in form.multi_items():
        check_text(["body", key], key)
        if isinstance(value, str):
            check_text(["body", key], value)
    return form
