"""The hidden-size calculator: d_ff from a model's configuration rule, and each variant's cost at it.

Pure arithmetic, no database: the route checks the query, lets ``app.sizing`` check the inputs
together, and answers with the document from ``app.documents.sizing`` as JSON or CSV.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import sizing
from app.api.schemas import sizing as schemas
from app.documents.sizing import CSV_COLUMNS, csv_rows, sizing_document
from app.http.formats import CSV_MEDIA_TYPE, JSON_MEDIA_TYPE, FormatQuery, dumps, wanted_format
from app.http.problems import checked, problem_responses
from app.http.reference_cache import to_csv

router = APIRouter(prefix="/api/v1", tags=["variants and models"])

_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "model": schemas.FFNSizes,
        "description": "JSON, or CSV (one row per variant) when asked for",
        "content": {"text/csv": {}},
    }
}


@router.get("/ffn-sizes", responses=_OK | problem_responses(422))
async def ffn_sizes(
    request: Request,
    d_model: Annotated[int, Query(ge=1, le=sizing.D_MODEL_MAX, description="The model width.")],
    rule: Annotated[
        Literal["dense", "llama", "gemma", "explicit"],
        Query(description="dense: 4·d; llama: int(2·4d/3), multiplier, round up; gemma: factor·d; explicit: d_ff."),
    ],
    multiple_of: Annotated[
        int | None,
        Query(ge=1, le=sizing.MULTIPLE_OF_MAX, description="rule=llama only; LLaMA's default 256 when absent."),
    ] = None,
    ffn_dim_multiplier: Annotated[
        str | None,
        Query(
            max_length=sizing.MULTIPLIER_MAX_TEXT,
            pattern=sizing.MULTIPLIER_PATTERN,
            description="rule=llama only: a decimal in (0, 16], read exactly as written (1.3 is 13/10).",
        ),
    ] = None,
    factor: Annotated[
        int | None, Query(ge=1, le=sizing.FACTOR_MAX, description="rule=gemma (required): d_ff = factor · d_model.")
    ] = None,
    d_ff: Annotated[int | None, Query(ge=1, le=sizing.D_FF_MAX, description="rule=explicit (required).")] = None,
    biases: Annotated[bool, Query(description="Count bias vectors in params (never in FLOPs).")] = False,
    flops: Annotated[
        Literal["forward", "forward_backward"], Query(description="forward (default), or ×3 for training.")
    ] = "forward",
    format: FormatQuery = None,
) -> Response:
    """d_ff for a configuration rule, how it is derived, and for every FFN variant its weights, params
    and matmul FLOPs per token per layer (2 · weights, forward). Exact integers throughout."""
    spec = checked(
        lambda: sizing.make_request(
            d_model,
            rule,
            multiple_of=multiple_of,
            ffn_dim_multiplier=ffn_dim_multiplier,
            factor=factor,
            d_ff=d_ff,
            biases=biases,
            flops=flops,
        ),
        path_fields=(),
    )
    document = sizing_document(spec)
    if wanted_format(request, format) == "csv":
        return Response(to_csv(csv_rows(document), CSV_COLUMNS), media_type=CSV_MEDIA_TYPE)
    return Response(dumps(document), media_type=JSON_MEDIA_TYPE)
