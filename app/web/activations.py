"""Pages about activation functions: the list, one activation, the explorer and the GELU approximations.

Each page is built by the same functions as its JSON twin (app/api/activations.py) and says where the
twin is. The list, detail and GELU pages go through the reference cache (rendered once per dataset
revision); the explorer renders per query, reusing the curve API's cached SVG.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import activations as act
from app.api import activations as api
from app.api.activations import SCALAR_NAMES, DerivativeQuery, DtypeQuery, XMaxQuery, XMinQuery
from app.http.deps import ReferenceDep, SettingsDep
from app.http.openapi import limit_from
from app.http.problems import FieldError, ProblemError, problem_responses
from app.http.reference_cache import NOT_MODIFIED_RESPONSE, Payload
from app.plots import activations as charts
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
# Pages served from the reference cache answer a matching If-None-Match with 304.
CACHED_HTML = HTML | NOT_MODIFIED_RESPONSE

EXPLORE_DEFAULT_FNS = ["gelu", "gelu_tanh", "gelu_sigmoid", "silu"]
EXPLORE_MAX_TABLE_POINTS = 25
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float | None, digits: int = 5) -> str:
    """A number for people: ``digits`` significant digits, × 10ⁿ below 10⁻³ and from 10⁶ on."""
    if value is None:
        return "—"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 6:
        text = f"{value:.{max(digits - 1 - exponent, 0)}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace("-", "−")
    mantissa = f"{value / 10**exponent:.{digits - 1}f}"
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa.replace("-", "−") + " × 10" + str(exponent).translate(SUPERSCRIPT)


def _context(**values: Any) -> dict[str, Any]:
    return {"fmt": fmt, **values}


# --- list -----------------------------------------------------------------------------------------


def list_document() -> dict[str, Any]:
    scalars = []
    for entry in act.all_activations("scalar"):
        scalars.append(
            {
                **api.activation_summary(entry),
                "formula_mathml": api.mathml(entry.formula),
                "properties": act.properties(entry.id).to_dict(),
            }
        )
    gates = [
        {**api.activation_summary(e), "formula_mathml": api.mathml(e.formula)} for e in act.all_activations("gate")
    ]
    return {"scalars": scalars, "gates": gates}


@router.get("/activations", responses=CACHED_HTML)
async def activations_page(request: Request, cache: ReferenceDep) -> Response:
    def build(_: Session) -> Payload:
        return Payload(list_document())

    return await cache.respond(
        request, build, html=lambda p: render(request, "activations_list.html", _context(**p.data))
    )


# --- explorer (before /activations/{id}, which would otherwise take "explore" as an id) ---------------


def _parse_points(text: str, max_abs_x: float) -> list[float]:
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().replace("−", "-")
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise act.ActivationInputError("at", f"'{part}' is not a number") from None
        if not math.isfinite(value) or abs(value) > max_abs_x:
            raise act.ActivationInputError("at", f"{part} must be finite with |x| ≤ {max_abs_x:g}", limit=max_abs_x)
        values.append(value)
    if len(values) > EXPLORE_MAX_TABLE_POINTS:
        raise act.ActivationInputError(
            "at", f"at most {EXPLORE_MAX_TABLE_POINTS} points, got {len(values)}", limit=EXPLORE_MAX_TABLE_POINTS
        )
    return values


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
        spec = api.curve_spec_for(settings, functions, xmin, xmax, points, derivative, dtype, beta)
    except ProblemError as problem:
        errors.extend(problem.errors)
    try:
        at_values = _parse_points(at, settings.curve_max_abs_x)
    except act.ActivationInputError as exc:
        errors.append(FieldError(loc=["query", exc.field], msg=exc.message, limit=exc.limit))
        at_values = []
    if spec is not None:
        entry, _ = await api.cached_body(
            request, ("curves", spec, "svg"), "svg", api.curve_renderer(request, spec, "svg")
        )
        chart = entry.body.decode()
        for fn_id in spec.functions:
            exact = act.scalar_values(fn_id, at_values, spec.derivative, spec.beta)
            low = act.scalar_values(fn_id, at_values, spec.derivative, spec.beta, spec.dtype)
            table.append({"fn": fn_id, "float64": list(exact), "dtype": list(low)})
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
            scalars=act.all_activations("scalar"),
            dtypes=list(act.DTYPES),
            limits={
                "points": settings.curve_max_points,
                "functions": settings.curve_max_functions,
                "abs_x": settings.curve_max_abs_x,
            },
        ),
    )
    return HTMLResponse(body, status_code=422 if errors else 200)


# --- one activation -------------------------------------------------------------------------------


def detail_document(session: Session, entry: act.Activation) -> dict[str, Any]:
    doc = api.activation_document(session, entry)
    scalar = entry.scalar()
    doc["derivatives_chart"] = charts.derivatives_chart(scalar.id)
    if entry.family == "gate":
        surface = act.compute_surface(act.SurfaceSpec(entry.id, -4.0, 4.0, -4.0, 4.0, 161))
        doc["surface_chart"] = charts.surface_chart(surface)
    doc["gate_entries"] = [api.activation_summary(act.get(g)) for g in doc["gates_built_on_it"]]
    doc["scalar_entry"] = api.activation_summary(scalar)
    return doc


@router.get("/activations/{id}", responses=CACHED_HTML | problem_responses(404, 422))
async def activation_page(request: Request, cache: ReferenceDep, id: Annotated[str, Path(max_length=64)]) -> Response:
    entry = api.lookup(id)

    def build(session: Session) -> Payload:
        return Payload(detail_document(session, entry))

    return await cache.respond(
        request, build, html=lambda p: render(request, "activation_detail.html", _context(a=p.data))
    )


# --- GELU approximations --------------------------------------------------------------------------


def gelu_document(points: int) -> dict[str, Any]:
    report = act.gelu_approximation_report(-10.0, 10.0, points)
    curves = act.compute_curve(act.CurveSpec(("gelu", "gelu_tanh", "gelu_sigmoid"), -4.0, 4.0, 2001))
    near = [
        act.compute_error(act.ErrorSpec(f, "gelu", -6.0, 6.0, 12_001, include_curve=True))
        for f in act.GELU_APPROXIMATIONS
    ]
    wide = [
        act.compute_error(act.ErrorSpec(f, "gelu", -10.0, 10.0, 20_001, include_curve=True))
        for f in act.GELU_APPROXIMATIONS
    ]
    tanh_error = report.approximations[0].approximation.stats.max_abs_error
    return {
        "report": report,
        "curves_chart": charts.curve_chart(curves),
        "errors_chart": charts.errors_chart(near, "Approximation − exact GELU"),
        "log_errors_chart": charts.errors_chart(wide, "|approximation − exact GELU| (log scale)", log_scale=True),
        "bf16_over_tanh": report.bfloat16_rounding.max_abs_error / tanh_error,
        "entries": {e: act.get(e) for e in ("gelu", "gelu_tanh", "gelu_sigmoid")},
        "mathml": {e: api.mathml(act.get(e).formula) for e in ("gelu", "gelu_tanh", "gelu_sigmoid")},
    }


@router.get("/gelu-approximations", responses=CACHED_HTML)
async def gelu_approximations_page(request: Request, cache: ReferenceDep, settings: SettingsDep) -> Response:
    points = api.gelu_report_points(settings)

    def build(_: Session) -> Payload:
        return Payload(gelu_document(points))

    return await cache.respond(
        request, build, html=lambda p: render(request, "gelu_approximations.html", _context(**p.data))
    )
