"""JSON API for activation functions: the registry, curves, approximation errors and gate surfaces.

The router is thin: it parses the query, lets ``app.activations`` validate it against the limits in
Settings (which gives a canonical, hashable spec), computes through the per-application
:class:`~app.activations.ActivationLab` and serializes with orjson straight from numpy. Identical
requests are answered from a per-application LRU of serialized bodies: building a 10,001-point,
4-function curve takes ~15 ms of torch and ~1 ms of orjson, drawing its SVG ~100 ms, and a cache hit
costs neither.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import latex2mathml.converter
import numpy as np
import orjson
from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import activations as act
from app import catalog, papers
from app.config import Settings
from app.domain import InvalidInputError
from app.http.deps import ReferenceDep, SettingsDep
from app.http.openapi import limit_from
from app.http.problems import FieldError, ProblemError, field_problem, problem_responses
from app.http.reference_cache import CSV_MEDIA_TYPE, JSON_MEDIA_TYPE, NOT_MODIFIED_RESPONSE, Payload
from app.plots import activations as charts

router = APIRouter(prefix="/api/v1", tags=["activations"])


SVG_MEDIA_TYPE = "image/svg+xml"
PNG_MEDIA_TYPE = "image/png"
Format = Literal["json", "csv", "svg", "png"]

SCALAR_NAMES = act.scalar_names()
FnQuery = Annotated[
    list[str],
    Query(
        description="Scalar activation id or alias; repeat for several (`fn=gelu&fn=gelu_tanh`).",
        min_length=1,
        max_length=64,
        json_schema_extra={
            "items": {"type": "string", "enum": SCALAR_NAMES},
            **limit_from(max_items="curve_max_functions"),
        },
    ),
]
XMinQuery = Annotated[
    float, Query(description="Left end of the x range.", json_schema_extra=limit_from(abs_bound="curve_max_abs_x"))
]
XMaxQuery = Annotated[
    float,
    Query(
        description="Right end of the x range (must exceed xmin).",
        json_schema_extra=limit_from(abs_bound="curve_max_abs_x"),
    ),
]
AbsBound = limit_from(abs_bound="curve_max_abs_x")
DerivativeQuery = Annotated[int, Query(ge=0, le=2, description="0 for f, 1 for f′, 2 for f″ (autograd).")]
DtypeQuery = Annotated[
    Literal["float64", "float32", "bfloat16", "float16"],
    Query(description="float64 (exact reference), float32, bfloat16 or float16."),
]
BetaQuery = Annotated[float, Query(description="Swish β (used by silu / swiglu only).")]


def _media(fmt: str) -> str:
    return {"json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE, "svg": SVG_MEDIA_TYPE, "png": PNG_MEDIA_TYPE}[fmt]


def _responses(*statuses: int, formats: tuple[str, ...] = ("json",)) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {_media(f).split(";")[0]: {} for f in formats}
    ok: dict[int | str, dict[str, Any]] = {200: {"description": "OK", "content": content}}
    return ok | NOT_MODIFIED_RESPONSE | problem_responses(*statuses)


# --- caches -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedBody:
    body: bytes
    media_type: str
    etag: str


class ResponseCache:
    """LRU of serialized responses keyed by (route, canonical spec, format), bounded in entries and bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], CachedBody] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> CachedBody | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[Any, ...], entry: CachedBody) -> None:
        size = len(entry.body)
        if self.max_entries <= 0 or size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def info(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


@dataclass
class ActivationState:
    lab: act.ActivationLab
    responses: ResponseCache


_state_lock = threading.Lock()


def activation_state(request: Request) -> ActivationState:
    """The per-application computation and response caches, created on first use from Settings."""
    app_state = request.app.state
    state: ActivationState | None = getattr(app_state, "activations", None)
    if state is None:
        with _state_lock:
            state = getattr(app_state, "activations", None)
            if state is None:
                settings: Settings = app_state.settings
                state = ActivationState(
                    act.ActivationLab(settings.curve_computed_cache_entries),
                    ResponseCache(settings.curve_cache_entries, settings.curve_cache_max_bytes),
                )
                app_state.activations = state
    return state


async def cached_body(
    request: Request, key: tuple[Any, ...], fmt: str, render: Callable[[], bytes]
) -> tuple[CachedBody, bool]:
    """The cached body for ``key``, or ``render`` run in a worker thread and kept; and whether it was a hit."""
    cache = activation_state(request).responses
    entry = cache.get(key)
    if entry is not None:
        return entry, True
    body = await run_in_threadpool(render)
    entry = CachedBody(body, _media(fmt), f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"')
    cache.put(key, entry)
    return entry, False


async def cached_response(request: Request, key: tuple[Any, ...], fmt: str, render: Callable[[], bytes]) -> Response:
    """Serve ``key`` from the response cache (ETag, 304 on If-None-Match, X-Cache: hit or miss)."""
    entry, hit = await cached_body(request, key, fmt, render)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache", "X-Cache": "hit" if hit else "miss"}
    if request.headers.get("if-none-match") == entry.etag:
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type=entry.media_type, headers=headers)


def wanted_format(request: Request, fmt: Format | None) -> str:
    if fmt is not None:
        return fmt
    accept = request.headers.get("accept", "")
    return "csv" if "text/csv" in accept and "application/json" not in accept else "json"


def dumps(document: Any) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)


# --- domain errors as problem+json ----------------------------------------------------------------


def as_problem(exc: Exception, path_fields: tuple[str, ...] = ("id",)) -> ProblemError:
    """A domain error as a problem naming the field (and its place, path or query) and the limit or
    the valid ids. An unknown id in the path is a 404; an unknown name in the query is a 422."""
    if isinstance(exc, act.UnknownActivationError):
        where = "path" if exc.field in path_fields else "query"
        status = 404 if where == "path" else 422
        shown = ", ".join(exc.valid_ids)
        return ProblemError(
            status,
            f"{where}.{exc.field}: unknown {exc.kind} '{exc.name}'; valid: {shown}",
            errors=[FieldError(loc=[where, exc.field], msg=f"unknown {exc.kind}", type="unknown_name")],
            valid=exc.valid_ids,
        )
    if isinstance(exc, InvalidInputError):
        where = "path" if exc.field in path_fields else "query"
        return field_problem(422, [where, exc.field], exc.message, limit=exc.limit)
    raise exc


def checked(build: Callable[[], Any], path_fields: tuple[str, ...] = ("id",)) -> Any:
    try:
        return build()
    except (act.UnknownActivationError, InvalidInputError) as exc:
        raise as_problem(exc, path_fields) from exc


# --- documents shared with the pages ----------------------------------------------------------------


def mathml(latex: str) -> str:
    return str(latex2mathml.converter.convert(latex))


def activation_summary(entry: act.Activation) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "family": entry.family,
        "formula_latex": entry.formula,
        "introduced_by": entry.introduced_by.to_dict() if entry.introduced_by else None,
        "aliases": list(entry.aliases),
        "gate_activation": entry.gate_activation,
        "url": f"/api/v1/activations/{entry.id}",
        "page": f"/activations/{entry.id}",
    }


def activations_index(family: str | None = None) -> list[dict[str, Any]]:
    return [activation_summary(e) for e in act.all_activations(family)]  # type: ignore[arg-type]


def _variant_results(session: Session, variant_name: str) -> dict[str, Any]:
    variant = papers.get_variant(session, variant_name)
    table1 = [r for r in variant["results"] if r["source"]["table"] == 1]
    return {
        "name": variant["name"],
        "gated": variant["gated"],
        "d_ff_paper": variant["d_ff_paper"],
        "formula_latex": variant["formula_latex"],
        "c4_log_perplexity": table1,
        "url": f"/api/v1/variants/{variant['name']}",
        "page": f"/variants/{variant['name']}",
    }


def activation_document(session: Session, entry: act.Activation) -> dict[str, Any]:
    """Everything about one entry: registry facts, computed properties, the catalog models that use it
    (directly or through a gate built on it) and the GLU-variants paper's FFN results for it."""
    scalar = entry.scalar()
    doc: dict[str, Any] = {**entry.to_dict(), "formula_mathml": mathml(entry.formula)}
    doc["properties"] = act.properties(scalar.id).to_dict()
    doc["properties_of"] = scalar.id
    gates = [g.id for g in act.all_activations("gate") if g.gate_activation == entry.id]
    doc["gates_built_on_it"] = gates
    names = [entry.id, *gates]
    seen: set[str] = set()
    models = []
    for name in names:
        for m in catalog.models_using(session, name):
            if m["name"] not in seen:
                seen.add(m["name"])
                models.append(m)
    doc["models"] = models
    # The paper names an FFN by its (gate) activation; the tanh forms ran no experiment of their own.
    variant_activation = {"gelu_tanh": "gelu", "geglu_tanh": "geglu"}.get(entry.id, entry.id)
    variant_scalar = act.get(variant_activation).scalar().id
    wanted_gated = None if entry.family == "scalar" else True
    variants = [
        v["name"]
        for v in papers.list_variants(session)
        if v["activation"] == variant_scalar and (wanted_gated is None or v["gated"] == wanted_gated)
    ]
    doc["ffn_variants"] = [_variant_results(session, name) for name in variants]
    doc["ffn_variants_note"] = (
        "The paper defines GELU as x·Φ(x) and does not say which numerical form it ran; its GELU rows are "
        "shown for the tanh form too."
        if entry.id in ("gelu_tanh", "geglu_tanh")
        else ""
    )
    doc["links"] = {
        "page": f"/activations/{entry.id}",
        "curve": f"/api/v1/curves?fn={scalar.id}&derivative=0",
        **({"surface": f"/api/v1/gates/{entry.id}/surface"} if entry.family == "gate" else {}),
    }
    return doc


def lookup(activation_id: str, family: act.Family | None = None) -> act.Activation:
    """The entry for a path id (or alias), or a 404 naming the valid ids."""
    result: act.Activation = checked(lambda: act.get(activation_id, field="id", family=family))
    return result


def curve_csv(curve: act.Curve) -> bytes:
    columns = [curve.x]
    names = ["x"]
    if curve.x_rounded is not None:
        columns.append(curve.x_rounded)
        names.append(f"x_{curve.spec.dtype}")
    for s in curve.series:
        columns.append(s.y)
        names.append(s.fn)
        if s.rounding_error is not None:
            columns.append(s.rounding_error)
            names.append(f"{s.fn}_rounding_error")
    buffer = io.StringIO()
    np.savetxt(buffer, np.column_stack(columns), fmt="%.17g", delimiter=",", header=",".join(names), comments="")
    return buffer.getvalue().encode()


def curve_renderer(request: Request, spec: act.CurveSpec, fmt: str) -> Callable[[], bytes]:
    """The body of a curve response in one format (the page and the API share the cache entry)."""
    lab = activation_state(request).lab

    def render() -> bytes:
        curve = lab.curve(spec)
        if fmt == "csv":
            return curve_csv(curve)
        if fmt in ("svg", "png"):
            chart = charts.curve_chart(curve, fmt)
            return chart.encode() if isinstance(chart, str) else chart
        return dumps(curve.to_dict())

    return render


def curve_spec_for(
    settings: Settings,
    fn: list[str],
    xmin: float,
    xmax: float,
    points: int,
    derivative: int,
    dtype: str,
    beta: float,
) -> act.CurveSpec:
    """Validate a curve request against Settings (a problem+json naming the field on failure)."""
    spec: act.CurveSpec = checked(
        lambda: act.make_curve_spec(
            fn,
            xmin,
            xmax,
            points,
            derivative,
            dtype,
            beta,
            max_points=settings.curve_max_points,
            max_functions=settings.curve_max_functions,
            max_abs_x=settings.curve_max_abs_x,
        )
    )
    return spec


# --- routes -----------------------------------------------------------------------------------------

LIST_CSV_COLUMNS = ["id", "name", "family", "gate_activation", "formula_latex", "aliases", "introduced_by.arxiv"]


@router.get("/activations", responses=_responses(422, formats=("json", "csv")))
async def list_activations(
    request: Request,
    cache: ReferenceDep,
    family: Annotated[Literal["scalar", "gate"] | None, Query(description="Only one family.")] = None,
    format: Annotated[Literal["json", "csv"] | None, Query(description="`csv` for CSV.")] = None,
) -> Response:
    """The registry: 13 scalar activations and 6 gates f(a)·b, with formula, paper and aliases."""

    def build(_: Session) -> Payload:
        items = activations_index(family)
        return Payload({"items": items, "total": len(items)}, items, LIST_CSV_COLUMNS)

    return await cache.respond(request, build)


@router.get("/activations/{id}", responses=_responses(404, 422))
async def get_activation(
    request: Request,
    cache: ReferenceDep,
    id: Annotated[str, Path(max_length=64, description="Activation id or alias, e.g. gelu_new.")],
) -> Response:
    """One entry with its computed properties, the catalog's models using it and the paper's results."""
    entry = lookup(id)

    def build(session: Session) -> Payload:
        return Payload(activation_document(session, entry))

    return await cache.respond(request, build)


@router.get(
    "/curves",
    responses=_responses(422, formats=("json", "csv", "svg", "png")),
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
    spec = curve_spec_for(settings, fn, xmin, xmax, points, derivative, dtype, beta)
    fmt = wanted_format(request, format)
    return await cached_response(request, ("curves", spec, fmt), fmt, curve_renderer(request, spec, fmt))


@router.get(
    "/activations/{id}/error",
    responses=_responses(404, 422, formats=("json", "csv")),
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
    entry = lookup(id)
    fmt = wanted_format(request, format)
    spec: act.ErrorSpec = checked(
        lambda: act.make_error_spec(
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
            assert result.x is not None and result.error is not None
            buffer = io.StringIO()
            np.savetxt(buffer, np.column_stack([result.x, result.error]), fmt="%.17g", delimiter=",",
                       header="x,error", comments="")  # fmt: skip
            return buffer.getvalue().encode()
        return dumps(result.to_dict())

    return await cached_response(request, ("error", spec, fmt), fmt, render)


@router.get(
    "/gates/{id}/surface",
    responses=_responses(404, 422, formats=("json", "svg", "png")),
    summary="A gate f(a)·b on a 2-D grid",
)
async def get_surface(
    request: Request,
    settings: SettingsDep,
    id: Annotated[str, Path(max_length=64, description="Gate id: glu, bilinear, reglu, geglu, geglu_tanh, swiglu.")],
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
    spec: act.SurfaceSpec = checked(
        lambda: act.make_surface_spec(
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
            chart = charts.surface_chart(surface, fmt)
            return chart.encode() if isinstance(chart, str) else chart
        return dumps(surface.to_dict())

    return await cached_response(request, ("surface", spec, fmt), fmt, render)


def gelu_report_points(settings: Settings) -> int:
    """The /gelu-approximations grid: 100,001 points on [−10, 10], or fewer if the limit is lower."""
    return min(100_001, settings.curve_max_points)


@router.get("/gelu-approximations", responses=_responses(422), summary="Exact GELU vs its two approximations")
async def get_gelu_approximations(request: Request, settings: SettingsDep) -> Response:
    """The numbers behind /gelu-approximations: each approximation's worst error and where, its size
    against the resolution of bfloat16/float16/float32 at those points, how often the 16-bit framework
    kernels give identical outputs, and exact GELU's own bfloat16 rounding error for scale."""
    points = gelu_report_points(settings)

    def render() -> bytes:
        return dumps(act.gelu_approximation_report(-10.0, 10.0, points).to_dict())

    return await cached_response(request, ("gelu-approximations", points), "json", render)
