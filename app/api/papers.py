"""Papers, their tables, the flat results list, comparisons of two variants and the best per benchmark."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import paper_compare, paper_corrections, paper_crosscheck, paper_tables, papers
from app.api.schemas import papers as schemas
from app.documents import papers as documents
from app.http.deps import ReferenceDep, SessionDep, SettingsDep
from app.http.formats import FormatQuery
from app.http.inputs import StorableText
from app.http.openapi import success
from app.http.pagination import LimitQuery, OffsetQuery, envelope, page_bounds
from app.http.problems import problem_responses
from app.http.reference_cache import Payload, cached_responses
from app.http.security import AdminDep

router = APIRouter(prefix="/api/v1", tags=["papers"])

SortKey = Literal[
    "table", "-table", "variant", "-variant", "benchmark", "-benchmark", "metric", "-metric",
    "training_steps", "-training_steps", "value", "-value",
]


@router.get("/papers", responses=cached_responses(schemas.PaperList, 422, csv=True))
async def list_papers(request: Request, cache: ReferenceDep, format: FormatQuery = None) -> Response:
    """Papers whose results are stored."""

    def build(s: Session) -> Payload:
        items = papers.list_papers(s)
        return Payload({"items": items}, items, ["id", "arxiv_id", "arxiv_version", "title", "authors", "year"])

    return await cache.respond(request, build)


@router.get("/papers/{paper_id}", responses=cached_responses(schemas.PaperDetail, 404, 422))
async def get_paper(request: Request, cache: ReferenceDep, paper_id: Annotated[str, Path(max_length=64)]) -> Response:
    """A paper with its setup facts, each with the section it comes from."""

    def build(s: Session) -> Payload:
        paper = papers.get_paper(s, paper_id)
        return Payload(paper, paper["facts"], ["key", "label", "value", "location"])

    return await cache.respond(request, build)


@router.get("/papers/{paper_id}/tables/{number}", responses=cached_responses(schemas.PaperTableOut, 404, 422, csv=True))
async def get_paper_table(
    request: Request,
    cache: ReferenceDep,
    paper_id: Annotated[str, Path(max_length=64)],
    number: Annotated[int, Path(ge=1, le=1000)],
    format: FormatQuery = None,
) -> Response:
    """A table as the paper prints it: column labels, rows, cells with value and stddev."""

    def build(s: Session) -> Payload:
        table = paper_tables.paper_table(s, paper_id, number)
        return Payload(table, *documents.table_rows(table))

    return await cache.respond(request, build)


@router.get("/results", responses=cached_responses(schemas.ResultPage, 404, 422, csv=True))
async def list_results(
    request: Request,
    cache: ReferenceDep,
    settings: SettingsDep,
    paper: Annotated[
        str | None, Query(max_length=64, description="Paper id or arXiv id; default: the first stored paper.")
    ] = None,
    variant: Annotated[str | None, Query(max_length=64, description="e.g. FFN_GEGLU (any case).")] = None,
    benchmark: Annotated[str | None, Query(max_length=120, description="e.g. GLUE, CoLA, SQuAD, C4.")] = None,
    metric: Annotated[str | None, Query(max_length=64)] = None,
    training_steps: Annotated[int | None, Query(ge=0, le=10**9)] = None,
    include_reference: bool = True,
    sort: SortKey | None = None,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
    format: FormatQuery = None,
) -> Response:
    """Every stored cell of one paper (the first unless ``paper`` names another), filtered, sorted and
    paginated; each with its printed text, verification status and source."""
    lim, off = page_bounds(settings, limit, offset)
    filters = papers.ResultFilters(paper, variant, benchmark, metric, training_steps, include_reference)

    def build(s: Session) -> Payload:
        items, total = papers.query_results(s, filters, sort, lim, off)
        return Payload(envelope(request, items, total, lim, off), items, papers.RESULT_CSV_COLUMNS)

    return await cache.respond(request, build)


@router.get("/compare", responses=cached_responses(schemas.VariantComparison, 404, 422, csv=True))
async def compare(
    request: Request,
    cache: ReferenceDep,
    a: Annotated[str, Query(max_length=64, description="First variant, e.g. FFN_GEGLU.")],
    b: Annotated[str, Query(max_length=64, description="Second variant, e.g. FFN_SwiGLU.")],
    paper: Annotated[
        str | None, Query(max_length=64, description="Paper id or arXiv id; default: the first stored paper.")
    ] = None,
    include_single_source: Annotated[
        bool, Query(description="Also compare cells read in one copy only (each such item is flagged).")
    ] = False,
    format: FormatQuery = None,
) -> Response:
    """Both variants per benchmark and metric within one paper: the difference, who is better, and whether
    it is noise. Single-source cells are left out unless asked for."""

    def build(s: Session) -> Payload:
        result = paper_compare.compare(s, a, b, paper, include_single_source)
        return Payload(result, *documents.compare_rows(result))

    return await cache.respond(request, build)


@router.get("/best", responses=cached_responses(schemas.BestList, 404, 422, csv=True))
async def best(
    request: Request,
    cache: ReferenceDep,
    benchmark: Annotated[str | None, Query(max_length=120)] = None,
    metric: Annotated[str | None, Query(max_length=64)] = None,
    training_steps: Annotated[int | None, Query(ge=0, le=10**9)] = None,
    paper: Annotated[
        str | None, Query(max_length=64, description="Paper id or arXiv id; default: the first stored paper.")
    ] = None,
    include_single_source: Annotated[
        bool, Query(description="Let cells read in one copy only compete (each such winner is flagged).")
    ] = False,
    format: FormatQuery = None,
) -> Response:
    """The best row per benchmark and metric of one paper (ties listed; reference rows never compete;
    single-source cells only when asked for)."""

    def build(s: Session) -> Payload:
        items = papers.best(s, benchmark, training_steps, metric, paper, include_single_source)
        return Payload({"items": items}, items, documents.BEST_CSV_COLUMNS)

    return await cache.respond(request, build)


@router.get("/variants/{a}/vs/{b}", responses=cached_responses(schemas.AcrossPapers, 404, 422, csv=True))
async def across_papers(
    request: Request,
    cache: ReferenceDep,
    a: Annotated[str, Path(max_length=64, description="First variant, e.g. FFN_GEGLU.")],
    b: Annotated[str, Path(max_length=64, description="Second variant, e.g. FFN_SwiGLU.")],
    format: FormatQuery = None,
) -> Response:
    """What each stored paper says about the pair: its own ordering and noise, side by side, never pooled."""

    def build(s: Session) -> Payload:
        result = paper_crosscheck.across_papers(s, a, b)
        return Payload(result, *documents.across_rows(result))

    return await cache.respond(request, build)


class ResultCorrection(BaseModel):
    """A correction of one stored cell, as printed (admin only)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    value_text: StorableText | None = Field(None, max_length=32, description='The value as printed, e.g. "1.960".')
    stddev_text: StorableText | None = Field(None, max_length=32, description="The spread as printed.")
    clear_stddev: bool = Field(False, description="Remove the stored spread.")


@router.patch(
    "/results/{result_id}",
    response_model=None,
    responses=success(schemas.ResultItem) | problem_responses(401, 403, 404, 413, 422, 429),
)
def correct_result(
    result_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    correction: ResultCorrection,
    session: SessionDep,
    cache: ReferenceDep,
    _admin: AdminDep,
) -> dict[str, Any]:
    """Correct one stored cell (admin token required); cached responses are rebuilt at once."""
    item = paper_corrections.correct_result(
        session, result_id, correction.value_text, correction.stddev_text, correction.clear_stddev
    )
    session.commit()
    cache.invalidate()
    return item
