"""Pages for the stored evidence: home, the paper, the variants and the model catalog.

Each page is built from the same domain calls as its JSON twin and cached by the same reference
cache, so the HTML is rendered once per dataset revision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import catalog, misreadings, paper_crosscheck, paper_tables, papers, table_sort, thread_search, vocabulary
from app.documents import sizing as sizing_documents
from app.http.deps import ReferenceDep
from app.http.forms import query_year
from app.http.problems import checked, problem_responses
from app.http.reference_cache import NOT_MODIFIED_RESPONSE, Payload
from app.plots import papers as charts
from app.web import compare, glossary, tables
from app.web.tables import SortQuery
from app.web.templating import render

router = APIRouter(include_in_schema=True, tags=["pages"], default_response_class=HTMLResponse)
_HTML_OK: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
HTML = _HTML_OK | NOT_MODIFIED_RESPONSE
YEAR_OR_EMPTY = r"^(|19[0-9][0-9]|20[0-9][0-9]|2100)$"  # what the filter form sends: a year, or "" for any
router.include_router(compare.router)
router.include_router(glossary.router)


async def _respond(
    request: Request, cache: ReferenceDep, build: Callable[[Session], Payload], template: str, error: str | None
) -> Response:
    """The cached page; with an unknown sort column the same page uncached, status 422, the reason beside
    its table and the rows in their own order (a bad link stays readable)."""
    if error is None:
        return await cache.respond(request, build, html=lambda p: render(request, template, p.data))
    factory = request.app.state.session_factory

    def page() -> str:
        with factory() as session:
            return render(request, template, build(session).data)

    return HTMLResponse(await run_in_threadpool(page), status_code=422)


@router.get("/", responses=HTML)
async def home(request: Request, cache: ReferenceDep) -> Response:
    def build(s: Session) -> Payload:
        return Payload(
            {
                "papers": papers.list_papers(s),
                "variants": papers.list_variants(s),
                "best": tables.full_runs_first(papers.best(s, benchmark="C4")),
            }
        )

    return await cache.respond(request, build, html=lambda p: render(request, "home.html", p.data))


@router.get("/papers/{paper_id}", responses=HTML | problem_responses(404, 422))
async def paper_page(request: Request, cache: ReferenceDep, paper_id: Annotated[str, Path(max_length=64)]) -> Response:
    def build(s: Session) -> Payload:
        paper = papers.get_paper(s, paper_id)
        tables = [paper_tables.paper_table(s, paper["id"], t["number"]) for t in paper["tables"]]
        gated = {v["name"]: v["gated"] for v in papers.list_variants(s)}
        chart_list = [(t, charts.table_chart(t, gated)) for t in tables if t["chart_metrics"]]
        notes = misreadings.concerning(s, paper=paper["id"])
        return Payload({"paper": paper, "tables": tables, "charts": chart_list, "misreadings": notes})

    return await cache.respond(request, build, html=lambda p: render(request, "paper.html", p.data))


@router.get("/variants", responses=HTML)
async def variants_page(request: Request, cache: ReferenceDep) -> Response:
    def build(s: Session) -> Payload:
        return Payload({"variants": papers.list_variants(s)})

    return await cache.respond(request, build, html=lambda p: render(request, "variants.html", p.data))


@router.get("/variants/{a}/vs/{b}", responses=HTML | problem_responses(404, 422))
async def variant_pair_page(
    request: Request,
    cache: ReferenceDep,
    a: Annotated[str, Path(max_length=64)],
    b: Annotated[str, Path(max_length=64)],
) -> Response:
    """What every stored paper says about two variants, each paper on its own."""

    def build(s: Session) -> Payload:
        return Payload({"pair": paper_crosscheck.across_papers(s, a, b)})

    return await cache.respond(request, build, html=lambda p: render(request, "variant_pair.html", p.data))


@router.get("/variants/{name}", responses=HTML | problem_responses(404, 422))
async def variant_page(
    request: Request,
    cache: ReferenceDep,
    name: Annotated[str, Path(max_length=64)],
    d_model: Annotated[str | None, Query(max_length=7, description="Calculator: the model width.")] = None,
    rule: Annotated[str | None, Query(max_length=16, description="Calculator: dense, llama, gemma, explicit.")] = None,
    multiple_of: Annotated[str | None, Query(max_length=7)] = None,
    ffn_dim_multiplier: Annotated[str | None, Query(max_length=41)] = None,
    factor: Annotated[str | None, Query(max_length=3)] = None,
    d_ff: Annotated[str | None, Query(max_length=8)] = None,
    sort: SortQuery = None,
) -> Response:
    """The variant's results (sortable), the models using it, and the hidden-size calculator (a GET form)."""
    order, sort_error = tables.page_order(sort, table_sort.VARIANT_RESULT_SORT_COLUMNS)
    calc = {"d_model": d_model, "rule": rule, "multiple_of": multiple_of,
            "ffn_dim_multiplier": ffn_dim_multiplier, "factor": factor, "d_ff": d_ff}

    def build(s: Session) -> Payload:
        variant = papers.get_variant(s, name)
        label = vocabulary.variant_label(variant["name"], variant["activation"], variant["gated"])
        calculator = checked(
            lambda: sizing_documents.page_calculator(
                variant["name"],
                d_model=d_model,
                rule=rule,
                multiple_of=multiple_of,
                ffn_dim_multiplier=ffn_dim_multiplier,
                factor=factor,
                d_ff=d_ff,
            ),
            path_fields=(),
        )
        variant["results"] = table_sort.sort_rows(variant["results"], order, table_sort.VARIANT_RESULT_KEYS)
        links = tables.TableLinks(f"/api/v1/variants/{quote(variant['name'])}", {}, order, sort_error,
                                  page_params=tables.filter_params(calc), anchor="results")
        return Payload({"variant": variant, "models": catalog.models_using(s, label), "calculator": calculator,
                        "table": links, "misreadings": _misreadings_of_variant(s, variant["activation"], label),
                        "threads": _curated_threads_about(s, variant["name"])})

    return await _respond(request, cache, build, "variant.html", sort_error)


@router.get("/models", responses=HTML | problem_responses(422))
async def models_page(
    request: Request,
    cache: ReferenceDep,
    activation: Annotated[str | None, Query(max_length=32)] = None,
    organization: Annotated[str | None, Query(max_length=120)] = None,
    year_min: Annotated[str | None, Query(pattern=YEAR_OR_EMPTY, description="A year, or empty for any.")] = None,
    year_max: Annotated[str | None, Query(pattern=YEAR_OR_EMPTY, description="A year, or empty for any.")] = None,
    ffn_type: Literal["dense", "gated", ""] | None = None,
    sort: SortQuery = None,
) -> Response:
    """The catalog with the filter form, facet counts, a chart of the listed models and sortable columns;
    an empty form field (what a browser sends for "any") means no filter."""
    filters = catalog.CatalogFilters(
        activation or None,
        organization or None,
        query_year(year_min, "query.year_min"),
        query_year(year_max, "query.year_max"),
        ffn_type or None,
    )
    order, sort_error = tables.page_order(sort, catalog.CATALOG_SORT_COLUMNS)
    params = tables.filter_params(asdict(filters))

    def build(s: Session) -> Payload:
        models = table_sort.sort_rows(catalog.list_models(s, filters), order)
        everything = catalog.list_models(s, catalog.CatalogFilters())
        return Payload(
            {
                "models": models,
                "filters": filters,
                "facets": catalog.facet_counts(s, filters),
                "activations": sorted({m["activation"] for m in everything}),
                "organizations": sorted({m["organization"] for m in everything}),
                "chart": charts.activations_by_year_chart(catalog.choices_by_year(models)) if models else None,
                "table": tables.TableLinks("/api/v1/models", params, order, sort_error),
                "verification_explanations": catalog.VERIFICATION_EXPLANATIONS,
            }
        )

    return await _respond(request, cache, build, "models.html", sort_error)


@router.get("/models/{name}", responses=HTML | problem_responses(404, 422))
async def model_page(request: Request, cache: ReferenceDep, name: Annotated[str, Path(max_length=120)]) -> Response:
    def build(s: Session) -> Payload:
        model = catalog.get_model(s, name)
        notes = misreadings.concerning(s, model=model["name"])
        explanations = catalog.VERIFICATION_EXPLANATIONS
        return Payload(
            {
                "model": model,
                "variant": _paper_variant_of(s, model["activation"]),
                "misreadings": notes,
                "verification_explanations": explanations,
            }
        )

    return await cache.respond(request, build, html=lambda p: render(request, "model.html", p.data))


def _paper_variant_of(s: Session, activation: str) -> str | None:
    """The stored paper variant whose catalog labels cover a model's activation (geglu_tanh -> FFN_GEGLU),
    so a model page leads to the paper's evidence for its FFN; None when the paper has no such variant."""
    for variant in papers.list_variants(s):
        if activation in vocabulary.catalog_labels_for_variant(variant["name"]):
            return str(variant["name"])
    return None


def _misreadings_of_variant(s: Session, activation: str, label: str) -> list[dict[str, Any]]:
    """The misreadings about a variant's activation (gelu for FFN_GEGLU) or its catalog label (geglu),
    each once, in the data file's order."""
    found = {m["id"]: m for m in [*misreadings.concerning(s, activation=activation),
                                  *misreadings.concerning(s, activation=label)]}
    in_order, _ = misreadings.list_misreadings(s)
    return [found[m["id"]] for m in in_order if m["id"] in found]


def _curated_threads_about(s: Session, variant_name: str) -> dict[str, Any]:
    """The project's own explanation threads that mention a variant (by its short name, GEGLU for
    FFN_GEGLU), and the search that finds every thread mentioning it. Only the curated threads are listed:
    they are part of the dataset, so the cached page stays right while readers add threads."""
    short = variant_name.removeprefix("FFN_")
    found = thread_search.search(s, short)["items"]
    return {"query": short, "items": [t for t in found if t["curated"]]}
