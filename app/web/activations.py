"""Pages about activation functions: the list, one activation, the explorer and the GELU approximations.

Each page renders the document its JSON twin serves (both built in app/documents/activations.py) and
says where the twin is. The list, detail and GELU pages go through the reference cache (rendered once
per dataset revision); the explorer renders per query, its chart cached per curve beside the curve API's SVG.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.activations.curves import CurveSpec
from app.activations.errors import ActivationInputError
from app.activations.functions import DTYPES
from app.activations.registry import Activation, all_activations, get
from app.activations.validation import parse_points
from app.documents.activations import (
    curve_spec_for,
    detail_document,
    explorer_table,
    gelu_approximation_of,
    gelu_document,
    gelu_report_points,
    list_document,
)
from app.http.caching import activation_state, cached_body
from app.http.curve_queries import SCALAR_NAMES, DerivativeQuery, DtypeQuery, XMaxQuery, XMinQuery
from app.http.deps import ReferenceDep, SettingsDep
from app.http.openapi import limit_from
from app.http.problems import FieldError, ProblemError, checked, problem_responses
from app.http.reference_cache import NOT_MODIFIED_RESPONSE, Payload
from app.misreadings import concerning
from app.plots.activations import curve_chart_bytes
from app.web.formatting import fmt
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
# Pages served from the reference cache answer a matching If-None-Match with 304.
CACHED_HTML = HTML | NOT_MODIFIED_RESPONSE

EXPLORE_DEFAULT_FNS = ["gelu", "gelu_tanh", "gelu_sigmoid", "silu"]
EXPLORE_MAX_TABLE_POINTS = 25


def _context(**values: Any) -> dict[str, Any]:
    return {"fmt": fmt, **values}


# --- list -----------------------------------------------------------------------------------------


@router.get("/activations", responses=CACHED_HTML)
async def activations_page(request: Request, cache: ReferenceDep) -> Response:
    def build(_: Session) -> Payload:
        return Payload(list_document())

    return await cache.respond(
        request, build, html=lambda p: render(request, "activations_list.html", _context(**p.data))
    )


# --- explorer (before /activations/{id}, which would otherwise take "explore" as an id) ---------------


async def _chart(request: Request, spec: CurveSpec) -> str:
    """The curve as the page shows it (the wide SVG and its phone rendering), written once per spec (without
    matplotlib, in the data pool) beside the curve API's own SVG entry."""
    lab = activation_state(request).lab
    entry, _ = await cached_body(
        request, ("curves", spec, "page"), "svg", lambda: curve_chart_bytes(lab.curve(spec), "page")
    )
    return entry.body.decode()


@router.get("/activations/explore", responses=HTML | problem_responses(422))
async def explore_page(
    request: Request,
    settings: SettingsDep,
    fn: Annotated[
        list[str] | None,
        Query(
            max_length=64,
            json_schema_extra={
                "items": {"type": "string", "enum": SCALAR_NAMES},
                **limit_from(max_items="curve_max_functions"),
            },
        ),
    ] = None,
    xmin: XMinQuery = -4.0,
    xmax: XMaxQuery = 4.0,
    points: Annotated[int, Query(ge=2, json_schema_extra=limit_from("curve_max_points"))] = 1001,
    derivative: DerivativeQuery = 0,
    dtype: DtypeQuery = "float64",
    beta: float = 1.0,
    at: Annotated[
        str, Query(max_length=400, description="Comma-separated x values for the table.")
    ] = "-3, -1, 0, 1, 3",
) -> Response:
    """Pick functions, range, derivative order and dtype; see the chart and a table of values. Invalid
    input re-renders the form with the problem named (status 422)."""
    functions = fn or EXPLORE_DEFAULT_FNS
    form = {
        "fn": functions,
        "xmin": xmin,
        "xmax": xmax,
        "points": points,
        "derivative": derivative,
        "dtype": dtype,
        "beta": beta,
        "at": at,
    }
    query = urlencode([("fn", f) for f in functions] + [(k, v) for k, v in form.items() if k not in ("fn", "at")])
    errors: list[FieldError] = []
    chart = None
    table: list[dict[str, Any]] = []
    spec = None
    try:
        spec = checked(lambda: curve_spec_for(settings, functions, xmin, xmax, points, derivative, dtype, beta))
    except ProblemError as problem:
        errors.extend(problem.errors)
    try:
        at_values = parse_points(at, settings.curve_max_abs_x, EXPLORE_MAX_TABLE_POINTS)
    except ActivationInputError as exc:
        errors.append(FieldError(loc=["query", exc.field], msg=exc.message, limit=exc.limit))
        at_values = []
    if spec is not None:
        chart = await _chart(request, spec)
        table = explorer_table(spec, at_values)
    body = render(
        request,
        "activations_explore.html",
        _context(
            form=form,
            spec=spec,
            chart=chart,
            table=table,
            at_values=at_values,
            errors=errors,
            query=query,
            scalars=all_activations("scalar"),
            dtypes=list(DTYPES),
            limits={
                "points": settings.curve_max_points,
                "functions": settings.curve_max_functions,
                "abs_x": settings.curve_max_abs_x,
            },
        ),
    )
    return HTMLResponse(body, status_code=422 if errors else 200)


# --- one activation -------------------------------------------------------------------------------


@router.get("/activations/{id}", responses=CACHED_HTML | problem_responses(404, 422))
async def activation_page(
    request: Request, cache: ReferenceDep, settings: SettingsDep, id: Annotated[str, Path(max_length=64)]
) -> Response:
    entry: Activation = checked(lambda: get(id, field="id"))

    def build(session: Session) -> Payload:
        extra = {
            "misreadings": concerning(session, activation=entry.id),
            "gelu_approximation": gelu_approximation_of(entry, gelu_report_points(settings)),
        }
        return Payload(detail_document(session, entry) | extra)

    return await cache.respond(
        request, build, html=lambda p: render(request, "activation_detail.html", _context(a=p.data))
    )


# --- GELU approximations --------------------------------------------------------------------------


@router.get("/gelu-approximations", responses=CACHED_HTML)
async def gelu_approximations_page(request: Request, cache: ReferenceDep, settings: SettingsDep) -> Response:
    points = gelu_report_points(settings)

    def build(_: Session) -> Payload:
        return Payload(gelu_document(points))

    return await cache.respond(
        request, build, html=lambda p: render(request, "gelu_approximations.html", _context(**p.data))
    )
