"""FFN variants as the paper defines them, and the catalog of released models and their FFNs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import catalog, papers, table_sort
from app.api.schemas import catalog as schemas
from app.http.deps import ReferenceDep
from app.http.formats import FormatQuery
from app.http.problems import checked
from app.http.reference_cache import Payload, cached_responses

router = APIRouter(prefix="/api/v1", tags=["variants and models"])

VARIANT_CSV_COLUMNS = ["name", "activation", "gated", "d_ff_paper", "formula_latex"]
SortQuery = Annotated[
    str | None,
    Query(max_length=table_sort.SORT_MAX_CHARS, description="A column to sort by; `-column` sorts descending."),
]


@router.get("/variants", responses=cached_responses(schemas.VariantList, 422, csv=True))
async def list_variants(request: Request, cache: ReferenceDep, format: FormatQuery = None) -> Response:
    """The FFN variants of the paper, with formula, activation and the d_ff it used."""

    def build(s: Session) -> Payload:
        items = papers.list_variants(s)
        return Payload({"items": items}, items, VARIANT_CSV_COLUMNS)

    return await cache.respond(request, build)


@router.get("/variants/{name}", responses=cached_responses(schemas.VariantDetail, 404, 422, csv=True))
async def get_variant(
    request: Request,
    cache: ReferenceDep,
    name: Annotated[str, Path(max_length=64)],
    sort: SortQuery = None,
    format: FormatQuery = None,
) -> Response:
    """One variant (any case; 'geglu' works) with all its results and its rank in each column; ``sort``
    orders the results (e.g. ``rank``, ``-value``; an unknown column is a 422 listing the sortable ones)."""
    order = checked(lambda: table_sort.parse_sort(sort, table_sort.VARIANT_RESULT_SORT_COLUMNS), ())

    def build(s: Session) -> Payload:
        variant = papers.get_variant(s, name)
        variant["results"] = table_sort.sort_rows(variant["results"], order, table_sort.VARIANT_RESULT_KEYS)
        return Payload(variant, variant["results"], [*papers.RESULT_CSV_COLUMNS, "rank", "of"])

    return await cache.respond(request, build)


@router.get("/models", responses=cached_responses(schemas.CatalogModelList, 422, csv=True))
async def list_models(
    request: Request,
    cache: ReferenceDep,
    activation: Annotated[str | None, Query(max_length=32, description="e.g. swiglu, geglu_tanh, relu.")] = None,
    organization: Annotated[str | None, Query(max_length=120)] = None,
    year_min: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_max: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    ffn_type: Literal["dense", "gated"] | None = None,
    sort: SortQuery = None,
    format: FormatQuery = None,
) -> Response:
    """Released models, the FFN they use and where each fact was verified; ``sort`` orders them by a
    column (e.g. ``year``, ``-d_ff_ratio``; an unknown column is a 422 listing the sortable ones)."""
    filters = catalog.CatalogFilters(activation, organization, year_min, year_max, ffn_type)
    order = checked(lambda: table_sort.parse_sort(sort, catalog.CATALOG_SORT_COLUMNS), ())

    def build(s: Session) -> Payload:
        items = table_sort.sort_rows(catalog.list_models(s, filters), order)
        return Payload({"items": items, "total": len(items)}, items, catalog.CATALOG_CSV_COLUMNS)

    return await cache.respond(request, build)


@router.get("/models/{name}", responses=cached_responses(schemas.CatalogModelDetail, 404, 422))
async def get_model(request: Request, cache: ReferenceDep, name: Annotated[str, Path(max_length=120)]) -> Response:
    """One model by name (case and punctuation ignored), with its report's architecture facts."""

    def build(s: Session) -> Payload:
        model = catalog.get_model(s, name)
        return Payload(model, model["architecture_facts"], [])

    return await cache.respond(request, build)


@router.get("/architectures/{family}", responses=cached_responses(schemas.ArchitectureTable, 404, 422))
async def get_architecture(
    request: Request, cache: ReferenceDep, family: Annotated[str, Path(max_length=64)]
) -> Response:
    """A model family's architecture table as its report prints it (e.g. 'Gemma 2')."""

    def build(s: Session) -> Payload:
        table = catalog.architecture_table(s, family)
        return Payload(table, None, [])

    return await cache.respond(request, build)
