"""JSON API for activation functions: the registry, curves, approximation errors and gate surfaces.

Each route parses the query, lets ``app.activations`` check it against the limits in Settings (which
gives a canonical, hashable spec), computes through the per-application
:class:`~app.activations.lab.ActivationLab` and answers with orjson straight from numpy, from the cache
of serialized bodies in app/http/caching.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.activations.gelu_approximations import gelu_approximation_report
from app.activations.registry import GATE_IDS, Activation, get
from app.activations.validation import make_error_spec, make_surface_spec
from app.api.schemas import activations as schemas
from app.documents.activations import (
    activation_document,
    activations_index,
    curve_csv,
    curve_spec_for,
    error_csv,
    gelu_report_points,
)
from app.http.caching import activation_state, cached_body_responses, cached_response
from app.http.curve_queries import AbsBound, BetaQuery, DerivativeQuery, DtypeQuery, FnQuery, XMaxQuery, XMinQuery
from app.http.deps import ReferenceDep, SettingsDep
from app.http.formats import Format, dumps, wanted_format
from app.http.openapi import limit_from
from app.http.problems import checked
from app.http.reference_cache import Payload, cached_responses
from app.plots.activations import curve_chart_bytes, surface_chart_bytes

GATE_ID_HELP = "Gate id: " + ", ".join(GATE_IDS) + "."

router = APIRouter(prefix="/api/v1", tags=["activations"])


LIST_CSV_COLUMNS = ["id", "name", "family", "gate_activation", "formula_latex", "aliases", "introduced_by.arxiv"]


@router.get("/activations", responses=cached_responses(schemas.ActivationList, 422, csv=True))
async def list_activations(
    request: Request,
    cache: ReferenceDep,
    family: Annotated[Literal["scalar", "gate"] | None, Query(description="Only one family.")] = None,
    format: Annotated[Literal["json", "csv"] | None, Query(description="`csv` for CSV.")] = None,
) -> Response:
    """The registry: scalar activations and gates, each with formula, paper and aliases."""

    def build(_: Session) -> Payload:
        items = activations_index(family)
        return Payload({"items": items, "total": len(items)}, items, LIST_CSV_COLUMNS)

    return await cache.respond(request, build)


@router.get("/activations/{id}", responses=cached_responses(schemas.ActivationDocument, 404, 422))
async def get_activation(
    request: Request,
    cache: ReferenceDep,
    id: Annotated[str, Path(max_length=64, description="Activation id or alias, e.g. gelu_new.")],
) -> Response:
    """One entry with its computed properties, the catalog's models using it and the paper's results."""
    entry: Activation = checked(lambda: get(id, field="id"))

    def build(session: Session) -> Payload:
        return Payload(activation_document(session, entry))

    return await cache.respond(request, build)


@router.get(
    "/curves",
    responses=cached_body_responses(schemas.Curve, 422, formats=("json", "csv", "svg", "png")),
    summary="Curves, derivatives and low-precision rounding error",
)
async def get_curves(
    request: Request,
    settings: SettingsDep,
    fn: FnQuery,
    xmin: XMinQuery = -4.0,
    xmax: XMaxQuery = 4.0,
    points: Annotated[
        int,
        Query(
            ge=2, description="Grid points, xmin and xmax included.", json_schema_extra=limit_from("curve_max_points")
        ),
    ] = 401,
    derivative: DerivativeQuery = 0,
    dtype: DtypeQuery = "float64",
    beta: BetaQuery = 1.0,
    format: Annotated[Format | None, Query(description="json (default), csv, svg or png.")] = None,
) -> Response:
    """f, f′ or f″ of up to `curve_max_functions` functions on a grid of up to `curve_max_points`
    points, computed in float64 by autograd. With another dtype the curve is computed in that dtype
    and each series carries `rounding_error` (its value minus float64 at the same rounded input) and a
    summary. `by_convention_x` lists grid points where the derivative is undefined (ReLU and SELU at 0)
    and autograd's value is reported."""
    spec = checked(lambda: curve_spec_for(settings, fn, xmin, xmax, points, derivative, dtype, beta))
    fmt = wanted_format(request, format)
    lab = activation_state(request).lab

    def render() -> bytes:
        curve = lab.curve(spec)
        if fmt == "csv":
            return curve_csv(curve)
        if fmt in ("svg", "png"):
            return curve_chart_bytes(curve, fmt)
        return dumps(curve.to_dict())

    return await cached_response(request, ("curves", spec, fmt), fmt, render)


@router.get(
    "/activations/{id}/error",
    responses=cached_body_responses(schemas.ApproximationError, 404, 422, formats=("json", "csv")),
    summary="Approximation error of one activation against another",
)
async def get_error(
    request: Request,
    settings: SettingsDep,
    id: Annotated[str, Path(max_length=64, description="The approximation, e.g. gelu_tanh.")],
    reference: Annotated[str, Query(max_length=64, description="The function it is compared with.")] = "gelu",
    xmin: XMinQuery = -10.0,
    xmax: XMaxQuery = 10.0,
    points: Annotated[
        int | None,
        Query(
            ge=2,
            description="Grid points; default (and most) `error_max_points`.",
            json_schema_extra=limit_from("error_max_points"),
        ),
    ] = None,
    derivative: DerivativeQuery = 0,
    beta: BetaQuery = 1.0,
    curve: Annotated[bool, Query(description="Include x and the error curve.")] = False,
    format: Annotated[Literal["json", "csv"] | None, Query(description="csv: the error curve as CSV.")] = None,
) -> Response:
    """error = f − reference on the grid: `max_abs_error` and where (`argmax_abs_error`, the leftmost;
    `worst_x`, every separate peak within 1e-6 of it, so ±x* for an even error), `max_rel_error` over
    points where |reference| ≥ `rel_error_floor` (1e-12 × its largest magnitude; skipped points are
    counted), and `rms_error`."""
    entry: Activation = checked(lambda: get(id, field="id"))
    fmt = wanted_format(request, format)
    spec = checked(
        lambda: make_error_spec(
            entry.id,
            reference,
            xmin,
            xmax,
            settings.error_max_points if points is None else points,
            derivative,
            beta,
            curve or fmt == "csv",
            max_points=settings.error_max_points,
            max_abs_x=settings.curve_max_abs_x,
        )
    )
    lab = activation_state(request).lab

    def render() -> bytes:
        result = lab.error(spec)
        if fmt == "csv":
            return error_csv(result)
        return dumps(result.to_dict())

    return await cached_response(request, ("error", spec, fmt), fmt, render)


@router.get(
    "/gates/{id}/surface",
    responses=cached_body_responses(schemas.Surface, 404, 422, formats=("json", "svg", "png")),
    summary="A gate f(a)·b on a 2-D grid",
)
async def get_surface(
    request: Request,
    settings: SettingsDep,
    id: Annotated[str, Path(max_length=64, description=GATE_ID_HELP)],
    amin: Annotated[float, Query(description="Gate-input range, left.", json_schema_extra=AbsBound)] = -4.0,
    amax: Annotated[float, Query(description="Gate-input range, right.", json_schema_extra=AbsBound)] = 4.0,
    bmin: Annotated[float, Query(description="Linear-input range, bottom.", json_schema_extra=AbsBound)] = -4.0,
    bmax: Annotated[float, Query(description="Linear-input range, top.", json_schema_extra=AbsBound)] = 4.0,
    points: Annotated[
        int,
        Query(ge=2, description="Grid points per axis.", json_schema_extra=limit_from("surface_max_points_per_axis")),
    ] = 101,
    beta: BetaQuery = 1.0,
    format: Annotated[Literal["json", "svg", "png"] | None, Query(description="json, or an svg/png heat map.")] = None,
) -> Response:
    """`z[j][i] = f(a[i]) · b[j]` (rows follow b), computed in float64; `svg` draws it as a heat map with
    contour lines."""
    spec = checked(
        lambda: make_surface_spec(
            id,
            amin,
            amax,
            bmin,
            bmax,
            points,
            beta,
            max_points_per_axis=settings.surface_max_points_per_axis,
            max_abs_x=settings.curve_max_abs_x,
        )
    )
    fmt = format or "json"
    lab = activation_state(request).lab

    def render() -> bytes:
        surface = lab.surface(spec)
        if fmt in ("svg", "png"):
            return surface_chart_bytes(surface, fmt)
        return dumps(surface.to_dict())

    return await cached_response(request, ("surface", spec, fmt), fmt, render)


@router.get(
    "/gelu-approximations",
    responses=cached_body_responses(schemas.GeluApproximationReport, 422),
    summary="Exact GELU vs its two approximations",
)
async def get_gelu_approximations(request: Request, settings: SettingsDep) -> Response:
    """The numbers behind /gelu-approximations: each approximation's worst error and where, its size
    against the resolution of bfloat16/float16/float32 at those points, how often the 16-bit framework
    kernels give identical outputs, and exact GELU's own bfloat16 rounding error for scale."""
    points = gelu_report_points(settings)

    def render() -> bytes:
        return dumps(gelu_approximation_report(-10.0, 10.0, points).to_dict())

    return await cached_response(request, ("gelu-approximations", points), "json", render)
